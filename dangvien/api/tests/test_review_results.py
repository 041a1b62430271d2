"""GET /statistics/reviews and /statistics/screening (issue 7 "Results per node")."""

from datetime import date
from typing import Any

import pytest

from dangvien.accounts.models import User
from dangvien.factories import make_member
from dangvien.members.models import Proceeding, ProceedingKind
from dangvien.organisations.models import Organisation
from dangvien.reviews.models import Rating, Stage
from dangvien.reviews.tests.factories import make_period, make_review
from dangvien.screening.models import CaseChange, State
from dangvien.screening.tests.factories import make_case

Tree = dict[str, Organisation]
TODAY = date(2026, 5, 31)


pytestmark = pytest.mark.usefixtures("frozen_today")  # TODAY above (conftest.py)


@pytest.fixture
def rated(tree: Tree) -> Tree:
    now, last = make_period(tree["province"], 2026), make_period(tree["province"], 2025)
    for rating in [Rating.EXCELLENT] * 3 + [Rating.GOOD] * 6 + [Rating.FAILED]:
        make_review(now, make_member(branch=tree["village"]), rating, Stage.DECIDED)
    for rating in (Rating.EXCELLENT, Rating.GOOD, Rating.GOOD, Rating.COMPLETE):
        make_review(last, make_member(branch=tree["village"]), rating, Stage.PUBLISHED)
    make_review(now, make_member(branch=tree["school_branch"]), Rating.GOOD, Stage.SELF_ASSESSED)
    make_member(branch=tree["clinic"], exempted_since=date(2025, 1, 1))
    return tree


def by_rating(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {item["rating"]: item for item in items}


def test_rating_results_answer_counts_shares_and_the_change(
    as_user: Any, rated: Tree, board: User
) -> None:
    answer = as_user(board).get("/statistics/reviews", organisation=rated["commune"].pk)
    assert answer.status == 200
    body = answer.body
    assert (body["organisation_id"], body["year"]) == (rated["commune"].pk, 2026)
    assert (body["exempted_on"], body["last_exempted_on"]) == ("2026-05-31", "2025-12-31")
    assert [p["organisation_id"] for p in body["periods"]] == [rated["province"].pk]
    members = body["members"]
    now = members["this_year"]
    assert (now["year"], now["rated"], now["pending"], now["not_rated"]) == (2026, 10, 1, 1)
    assert by_rating(now["ratings"])["excellent"] == {
        "rating": "excellent",
        "label": "Hoàn thành xuất sắc nhiệm vụ",
        "count": 3,
        "percent": 30.0,
    }
    last = members["last_year"]
    assert (last["year"], last["rated"], last["not_rated"]) == (2025, 4, 1)
    assert by_rating(last["ratings"])["excellent"]["percent"] == 25.0
    change = by_rating(members["change"])
    assert change["excellent"] == {"rating": "excellent", "count": 2, "percent_points": 5.0}
    assert change["complete"] == {"rating": "complete", "count": -1, "percent_points": -25.0}
    assert members["rated_change"] == 6
    children = {c["organisation_id"]: c for c in body["children"]}
    assert children[rated["village"].pk]["members"]["this_year"]["rated"] == 10
    assert children[rated["clinic"].pk]["members"]["this_year"]["not_rated"] == 1
    assert children[rated["school"].pk]["members"]["this_year"]["pending"] == 1


def test_rating_results_default_to_the_top_of_the_users_scope_and_this_year(
    as_user: Any, rated: Tree, leader: User
) -> None:
    body = as_user(leader).get("/statistics/reviews").body
    assert (body["organisation_id"], body["year"]) == (rated["province"].pk, 2026)
    assert body["members"]["this_year"]["rated"] == 10


def test_organisation_ratings_are_counted_below_the_node(
    as_user: Any, tree: Tree, board: User
) -> None:
    from decimal import Decimal

    from dangvien.reviews.models import OrganisationReview

    period = make_period(tree["province"], 2026)
    for key, rating in (("commune", Rating.GOOD), ("school", Rating.EXCELLENT)):
        OrganisationReview.objects.create(
            period=period,
            organisation=tree[key],
            org_path=tree[key].path,
            stage=Stage.DECIDED,
            self_score=Decimal("92"),
            self_rating=rating,
            self_assessed_on=date(2026, 12, 1),
            decided_rating=rating,
        )
    body = as_user(board).get("/statistics/reviews", organisation=tree["commune"].pk).body
    assert body["organisations"]["this_year"]["rated"] == 1  # the school, not the commune
    assert [g["group"] for g in body["organisation_groups"]] == ["grassroots"]


def test_screening_results_answer_the_outcomes_per_child(
    as_user: Any, tree: Tree, board: User
) -> None:
    make_case(make_member(branch=tree["village"]), State.HELPING, criteria=["duties", "ethics"])
    make_case(make_member(branch=tree["village"]), State.NOT_LISTED, ballot_in_favour=1)
    member = make_member(branch=tree["clinic"])
    proceeding = Proceeding.objects.create(
        member=member, kind=ProceedingKind.REMOVAL, opened_on=date(2026, 4, 1)
    )
    case = make_case(member, State.DECIDED, proceeding=proceeding, decision_upheld=True)
    CaseChange.objects.create(
        case=case, from_state=State.PROPOSED_REMOVAL, to_state=State.DECIDED, on=date(2026, 5, 1)
    )
    answer = as_user(board).get("/statistics/screening", organisation=tree["commune"].pk)
    assert answer.status == 200
    body = answer.body
    assert body["year"] == 2026
    assert (body["held"], body["listed"], body["not_listed"]) == (3, 2, 1)
    assert (body["helping"], body["proposed_removal"], body["removed"]) == (1, 1, 1)
    assert body["criteria"] == {
        "politics": 0,
        "ethics": 1,
        "self_evolution": 0,
        "duties": 2,  # the decided case was listed for its duties too
        "meetings_dues": 0,
    }
    children = {c["organisation_id"]: c for c in body["children"]}
    assert children[tree["village"].pk]["held"] == 2
    assert children[tree["clinic"].pk]["removed"] == 1
    assert as_user(board).get("/statistics/screening", year=2025).body["held"] == 0


def test_an_organisation_outside_the_subtree_answers_404(
    as_user: Any, rated: Tree, board: User
) -> None:
    for path in ("/statistics/reviews", "/statistics/screening"):
        answer = as_user(board).get(path, organisation=rated["other_commune"].pk)
        assert answer.status == 404
        assert answer.error["code"] == "not_found"


def test_a_year_out_of_range_answers_400_and_no_token_401(
    as_user: Any, rated: Tree, board: User
) -> None:
    for path in ("/statistics/reviews", "/statistics/screening"):
        answer = as_user(board).get(path, year=1990)
        assert answer.status == 400
        assert answer.error["code"] == "invalid"
        assert "year" in str(answer.error["fields"])
        assert as_user(None).get(path).status == 401


def test_both_endpoints_are_in_the_openapi_schema(as_user: Any, tree: Tree) -> None:
    schema = as_user(None).get("/openapi.json").body
    for path in ("/api/v1/statistics/reviews", "/api/v1/statistics/screening"):
        operation = schema["paths"][path]["get"]
        assert operation["description"]
        assert {"200", "400", "401", "404"} <= set(operation["responses"])
