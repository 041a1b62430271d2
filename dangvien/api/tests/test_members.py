from datetime import date
from typing import Any

from django.utils import timezone

from dangvien.api.tests.conftest import queries_used
from dangvien.factories import make_member, make_person
from dangvien.members.models import Status


def test_members_are_listed_within_the_scope_and_filtered(
    as_user: Any, board: Any, tree: Any
) -> None:
    lan = make_member(
        branch=tree["village"],
        person=make_person(family_name="Phạm", middle_name="Thị", given_name="Lan"),
    )
    make_member(branch=tree["school_branch"], status=Status.PROBATIONARY)
    make_member(branch=tree["other_branch"])
    api = as_user(board)

    everyone = api.get("/members")
    assert everyone.status == 200
    assert everyone.body["count"] == 2
    assert api.get("/members", status="probationary").body["count"] == 1
    assert api.get("/members", organisation=tree["school"].pk).body["count"] == 1
    found = api.get("/members", q="pham thi lan").body["items"]
    assert [m["id"] for m in found] == [lan.pk]
    assert found[0]["status_label"] == "Đảng viên chính thức"
    assert api.get("/members", organisation=tree["other_commune"].pk).status == 404
    assert api.get("/members", status="retired").status == 400


def test_a_probationary_member_is_due_for_recognition_when_probation_ends(
    as_user: Any, secretary: Any, tree: Any
) -> None:
    member = make_member(
        branch=tree["village"],
        status=Status.PROBATIONARY,
        admitted_on=date(2025, 10, 1),
        probation_started_on=date(2025, 10, 20),
        official_on=None,
    )
    answer = as_user(secretary).get(f"/members/{member.pk}")
    assert answer.status == 200
    body = answer.body
    assert body["probation_ends_on"] == "2026-10-20"
    assert body["party_age_years"] is None
    # 30 working days after the 12 months end (294-QĐ/TW §4.2); 24/11 (Ngày Văn hóa
    # Việt Nam) is a day off from 2026, so 2/12 rather than 1/12.
    (deadline,) = body["deadlines"]
    assert deadline["what"] == "Chi bộ xét công nhận đảng viên chính thức"
    assert deadline["due_on"] == "2026-12-02"
    assert deadline["overdue"] == (date(2026, 12, 2) < timezone.localdate())


def test_an_official_member_has_a_party_age_from_the_decision_date(
    as_user: Any, secretary: Any, tree: Any
) -> None:
    member = make_member(branch=tree["village"], admitted_on=date(2010, 3, 1))
    body = as_user(secretary).get(f"/members/{member.pk}").body
    assert body["party_age_years"] == 16
    assert body["deadlines"] == []
    assert body["branch_id"] == tree["village"].pk


def test_a_member_outside_the_scope_answers_404(as_user: Any, secretary: Any, tree: Any) -> None:
    member = make_member(branch=tree["school_branch"])
    answer = as_user(secretary).get(f"/members/{member.pk}")
    assert answer.status == 404
    assert answer.error["code"] == "not_found"


def test_the_member_list_runs_the_same_queries_for_3_or_30_rows(
    as_user: Any, board: Any, tree: Any
) -> None:
    api = as_user(board)
    for _ in range(3):
        make_member(branch=tree["village"])
    few = queries_used(lambda: api.get("/members", q="nguyen", limit=100))
    for _ in range(27):
        make_member(branch=tree["school_branch"], status=Status.PROBATIONARY)
    many = queries_used(lambda: api.get("/members", q="nguyen", limit=100))
    assert api.get("/members", limit=100).body["count"] == 30
    assert many == few


def test_a_name_search_beyond_the_limit_answers_capped_with_a_notice(
    as_user: Any, board: Any, tree: Any, monkeypatch: Any
) -> None:
    """The list says when a name search stopped at the limit (issue 9), in fields added to
    the list answer: ``capped`` and a Vietnamese ``notice``."""
    from dangvien.members import queries

    monkeypatch.setattr(queries, "NAME_SEARCH_LIMIT", 2)
    for _ in range(3):
        make_member(branch=tree["village"], person=make_person(family_name="Lương"))
    api = as_user(board)
    capped = api.get("/members", q="luong").body
    assert capped["capped"] is True and capped["count"] == 2 and len(capped["items"]) == 2
    assert capped["notice"].startswith("Có hơn 2 đảng viên khớp với từ khóa tìm kiếm")
    assert "thu hẹp tìm kiếm" in capped["notice"]
    narrowed = api.get("/members", q="luong", status="probationary").body
    assert (narrowed["capped"], narrowed["notice"], narrowed["count"]) == (False, "", 0)
    everyone = api.get("/members").body
    assert (everyone["capped"], everyone["notice"], everyone["count"]) == (False, "", 3)


def test_the_member_list_pages_by_offset_in_name_order_to_the_end(
    as_user: Any, board: Any, tree: Any
) -> None:
    """Pages read ids first (the late ones backwards) are the slices of the name order."""
    from dangvien.members.models import Member

    for n in range(7):
        make_member(
            branch=tree["village"],
            person=make_person(given_name=["Ánh", "An", "Ân", "Anh"][n % 4]),
        )
    api = as_user(board)
    expected = list(Member.objects.order_by("person__sort_key", "pk").values_list("pk", flat=True))
    shown = [
        item["id"]
        for offset in range(0, 8, 2)
        for item in api.get("/members", limit=2, offset=offset).body["items"]
    ]
    assert shown == expected
