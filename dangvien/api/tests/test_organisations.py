from typing import Any

from dangvien.accounts.models import Role
from dangvien.api.tests.conftest import make_candidate, make_member, queries_used
from dangvien.candidates.models import Stage
from dangvien.factories import org, user_with_role
from dangvien.members.models import Status
from dangvien.organisations.models import Kind


def names(answer: Any) -> list[str]:
    return [item["name"] for item in answer.body["items"]]


def test_a_branch_secretary_sees_only_their_branch(as_user: Any, secretary: Any) -> None:
    answer = as_user(secretary).get("/organisations")
    assert answer.status == 200
    assert answer.body["count"] == 1
    assert names(answer) == ["Chi bộ thôn Đông"]


def test_staff_of_a_commune_see_its_whole_subtree_and_nothing_beside_it(
    as_user: Any, board: Any
) -> None:
    answer = as_user(board).get("/organisations")
    assert answer.body["count"] == 5
    assert "Đảng bộ xã Hòa Lạc" not in names(answer)
    assert answer.body["items"][0] == {
        "id": answer.body["items"][0]["id"],
        "name": "Đảng bộ xã An Bình",
        "kind": "commune",
        "kind_label": "Đảng bộ xã / phường / đặc khu",
        "parent_id": answer.body["items"][0]["parent_id"],
        "level": 1,
        "sector": "commune_ward",
        "sector_label": "Xã, phường, đặc khu",
    }


def test_the_parent_and_kind_filters_narrow_the_list(as_user: Any, board: Any, tree: Any) -> None:
    api = as_user(board)
    children = api.get("/organisations", parent=tree["commune"].pk)
    assert sorted(names(children)) == sorted(
        ["Chi bộ thôn Đông", "Đảng bộ Trường THPT An Bình", "Chi bộ Trạm Y tế"]
    )
    branches = api.get("/organisations", kind="branch")
    assert sorted(names(branches)) == sorted(["Chi bộ thôn Đông", "Chi bộ Tổ Toán"])


def test_the_text_filter_ignores_case_and_diacritics(as_user: Any, leader: Any) -> None:
    api = as_user(leader)
    assert names(api.get("/organisations", q="truong thpt")) == ["Đảng bộ Trường THPT An Bình"]
    assert names(api.get("/organisations", q="HOA LAC")) == ["Đảng bộ xã Hòa Lạc"]


def test_a_parent_outside_the_scope_answers_404(as_user: Any, board: Any, tree: Any) -> None:
    answer = as_user(board).get("/organisations", parent=tree["other_commune"].pk)
    assert answer.status == 404
    assert answer.error["code"] == "not_found"


def test_an_unknown_kind_answers_400_naming_the_field(as_user: Any, board: Any) -> None:
    answer = as_user(board).get("/organisations", kind="village")
    assert answer.status == 400
    assert list(answer.error["fields"]) == ["kind"]


def test_an_organisation_counts_members_and_candidates_over_its_subtree(
    as_user: Any, board: Any, tree: Any
) -> None:
    make_member(branch=tree["village"])
    make_member(branch=tree["village"])
    make_member(branch=tree["school_branch"], status=Status.PROBATIONARY)
    make_member(branch=tree["school_branch"], status=Status.REMOVED)
    make_member(branch=tree["other_branch"])
    make_candidate(branch=tree["village"])
    make_candidate(branch=tree["school_branch"], stage=Stage.ADMITTED)
    make_candidate(branch=tree["school_branch"], stage=Stage.WITHDRAWN)

    answer = as_user(board).get(f"/organisations/{tree['commune'].pk}")
    assert answer.status == 200
    # Names above the user's own nodes stay hidden, as in the pages' breadcrumbs.
    assert answer.body["path_names"] == ["Đảng bộ xã An Bình"]
    assert answer.body["parent_id"] == tree["province"].pk
    assert answer.body["level"] == 1
    assert answer.body["official_members"] == 2
    assert answer.body["probationary_members"] == 1
    assert answer.body["candidates"] == 2

    school = as_user(board).get(f"/organisations/{tree['school'].pk}").body
    assert (school["official_members"], school["probationary_members"], school["candidates"]) == (
        0,
        1,
        1,
    )


def test_an_organisation_outside_the_scope_answers_404_like_a_missing_one(
    as_user: Any, secretary: Any, tree: Any
) -> None:
    api = as_user(secretary)
    outside = api.get(f"/organisations/{tree['commune'].pk}")
    missing = api.get("/organisations/999999")
    assert outside.status == missing.status == 404
    assert outside.body == missing.body


def test_the_organisation_list_runs_the_same_queries_for_3_or_30_rows(
    as_user: Any, tree: Any
) -> None:
    staff = user_with_role(Role.GRASSROOTS_STAFF, tree["school"])
    api = as_user(staff)
    for _ in range(2):
        org(Kind.BRANCH, tree["school"])
    few = queries_used(lambda: api.get("/organisations", q="chi bo"))
    assert api.get("/organisations").body["count"] == 4
    for _ in range(27):
        org(Kind.BRANCH, tree["school"])
    many = queries_used(lambda: api.get("/organisations", q="chi bo"))
    assert api.get("/organisations", q="chi bo").body["count"] == 30
    assert many == few
