"""GET /statistics/structure, /statistics/flows, /statistics/organisations (API.md
"Targets and statistics"; issue 6 "Statistics of record")."""

from datetime import date
from typing import Any

import pytest

from dangvien.accounts.models import User
from dangvien.factories import make_member, make_person
from dangvien.members.models import Status
from dangvien.organisations.models import Organisation, Sector, Village
from dangvien.people.models import OccupationGroup
from dangvien.stats.tests.test_structure_figures import permanent_move

Tree = dict[str, Organisation]
TODAY = date(2026, 5, 31)


pytestmark = pytest.mark.usefixtures("frozen_today")  # TODAY above (conftest.py)


@pytest.fixture
def members(tree: Tree) -> Tree:
    make_member(
        branch=tree["village"],
        person=make_person(
            sex="female",
            ethnicity="Tày",
            religion="Công giáo",
            birth_date=date(2000, 1, 1),
            occupation_group=OccupationGroup.FARMER,
        ),
        exempted_since=date(2026, 1, 1),
    )
    make_member(branch=tree["village"], temporarily_away_since=date(2026, 3, 1))
    make_member(
        branch=tree["school_branch"],
        status=Status.PROBATIONARY,
        admitted_on=date(2026, 1, 5),
        probation_started_on=date(2026, 1, 20),
        official_on=None,
    )
    moved = make_member(branch=tree["village"])
    permanent_move(moved, tree["other_branch"], date(2026, 4, 1))
    return tree


def test_structure_answers_the_documented_shape(as_user: Any, members: Tree, board: User) -> None:
    answer = as_user(board).get("/statistics/structure", organisation=members["commune"].pk)
    assert answer.status == 200
    body = answer.body
    assert body["on"] == "2026-05-31"
    assert (body["organisation_id"], body["organisation_name"]) == (
        members["commune"].pk,
        "Đảng bộ xã An Bình",
    )
    assert (body["total"], body["official"], body["probationary"]) == (3, 2, 1)
    assert (body["exempted"], body["temporarily_out"], body["temporarily_in"]) == (1, 1, 0)
    assert body["by_sex"] == {"male": 2, "female": 1}
    assert body["by_age_band"] == {
        "18-30": 1,
        "31-40": 2,
        "41-50": 0,
        "51-60": 0,
        "61-70": 0,
        "70+": 0,
    }
    assert body["by_ethnicity"] == {
        "kinh": 2,
        "ethnic_minority": 1,
        "unknown": 0,
        "groups": [{"name": "Tày", "count": 1}],
    }
    assert body["by_religion"] == {
        "none": 2,
        "religious": 1,
        "groups": [{"name": "Công giáo", "count": 1}],
    }
    assert body["by_education"]["upper_secondary"] == 3
    assert body["by_political_theory"] == {
        "none": 3,
        "primary": 0,
        "intermediate": 0,
        "advanced": 0,
        "unclassified": 0,
    }
    assert body["by_occupation"]["farmer"] == 1
    assert body["by_occupation"]["unclassified"] == 2
    children = {c["organisation_name"]: c for c in body["children"]}
    assert children["Chi bộ thôn Đông"]["total"] == 2
    assert children["Đảng bộ Trường THPT An Bình"]["probationary"] == 1
    assert children["Chi bộ Trạm Y tế"]["total"] == 0
    assert sum(c["total"] for c in body["children"]) == body["total"]


def test_structure_on_a_past_day_counts_the_member_where_they_were(
    as_user: Any, members: Tree, board: User
) -> None:
    answer = as_user(board).get(
        "/statistics/structure", organisation=members["commune"].pk, on="2026-03-15"
    )
    assert answer.status == 200
    # The moved member was still in the village; the temporary stay has begun.
    assert (answer.body["total"], answer.body["temporarily_out"]) == (4, 1)


def test_structure_refuses_a_bad_date_with_a_vietnamese_message(
    as_user: Any, members: Tree, board: User
) -> None:
    answer = as_user(board).get(
        "/statistics/structure", organisation=members["commune"].pk, on="15/03/2026"
    )
    assert answer.status == 400
    assert answer.error["code"] == "invalid"
    assert "YYYY-MM-DD" in answer.error["fields"]["on"]


def test_every_statistics_endpoint_answers_404_outside_the_users_subtree(
    as_user: Any, members: Tree, board: User
) -> None:
    for address in ("/statistics/structure", "/statistics/flows", "/statistics/organisations"):
        answer = as_user(board).get(address, organisation=members["other_commune"].pk)
        assert answer.status == 404, address
        assert answer.error["code"] == "not_found"


def test_without_an_organisation_the_top_of_the_users_scope_is_used(
    as_user: Any, members: Tree, board: User
) -> None:
    answer = as_user(board).get("/statistics/structure")
    assert answer.status == 200
    assert answer.body["organisation_id"] == members["commune"].pk


def test_flows_answer_the_balance_and_the_admissions(
    as_user: Any, members: Tree, board: User
) -> None:
    answer = as_user(board).get(
        "/statistics/flows",
        organisation=members["commune"].pk,
        **{"from": "2026-01-01", "to": "2026-05-31"},
    )
    assert answer.status == 200
    body = answer.body
    assert (body["from"], body["to"]) == ("2026-01-01", "2026-05-31")
    assert (body["at_start"], body["joined"], body["transferred_out"], body["at_end"]) == (
        3,
        1,
        1,
        3,
    )
    assert body["balanced"] is True
    assert body["admitted"]["total"] == 1  # the member recorded without a candidacy
    assert set(body["admitted"]) >= {"total", "women", "youth_union", "villages_without_members"}
    village = next(c for c in body["children"] if c["organisation_name"] == "Chi bộ thôn Đông")
    assert village["transferred_out"] == 1


def test_flows_refuse_a_period_that_ends_before_it_starts(
    as_user: Any, members: Tree, board: User
) -> None:
    answer = as_user(board).get(
        "/statistics/flows",
        organisation=members["commune"].pk,
        **{"from": "2026-05-01", "to": "2026-04-01"},
    )
    assert answer.status == 400
    assert "trước từ ngày" in answer.error["fields"]["to"]


def test_organisations_answer_sectors_forms_and_villages(
    as_user: Any, members: Tree, leader: User
) -> None:
    Organisation.objects.filter(pk=members["clinic"].pk).update(sector=Sector.PUBLIC_SERVICE)
    Village.objects.create(
        organisation=members["commune"],
        org_path=members["commune"].path,
        name="Thôn Bắc",
        branch=members["village"],
    )
    answer = as_user(leader).get("/statistics/organisations", organisation=members["province"].pk)
    assert answer.status == 200
    body = answer.body
    assert body["grassroots"] == 2
    assert body["by_sector"]["public_service"] == 1
    assert body["by_sector"]["unclassified"] == 1
    assert body["by_form"] == {"grassroots_committee": 1, "grassroots_branch": 1}
    assert (body["villages"], body["villages_without_members"], body["shared_branches"]) == (
        1,
        1,
        0,
    )
    assert [c["organisation_name"] for c in body["children"]] == [
        "Đảng bộ xã An Bình",
        "Đảng bộ xã Hòa Lạc",
    ]


def test_the_endpoints_are_listed_in_the_openapi_schema(as_user: Any, board: User) -> None:
    paths = as_user(board).get("/openapi.json").body["paths"]
    for address in ("/statistics/structure", "/statistics/flows", "/statistics/organisations"):
        assert f"/api/v1{address}" in paths
        assert paths[f"/api/v1{address}"]["get"]["description"]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_the_api_refuses_a_day_far_outside_the_calendar(tree, day) -> None:
    from django.test import Client

    from dangvien.accounts.models import Role
    from dangvien.api.tests.conftest import Api
    from dangvien.factories import user_with_role

    api = Api(Client(), user_with_role(Role.BOARD_STAFF, tree["province"]))
    for path, param in (("/statistics/structure", "on"), ("/statistics/flows", "from")):
        answer = api.get(path, organisation=tree["province"].pk, **{param: day})
        assert answer.status in (400, 422)
        assert "01/01/1900" in str(answer.body)
