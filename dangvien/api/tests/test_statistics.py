"""GET /statistics/achievement (API.md "Targets and statistics"; issue 6)."""

from datetime import date
from typing import Any

import pytest

from dangvien.accounts.models import User
from dangvien.organisations.models import Organisation
from dangvien.stats.tests.factories import make_admission, make_target

Tree = dict[str, Organisation]
TODAY = date(2026, 5, 31)
FIELDS = {
    "organisation_id",
    "organisation_name",
    "year",
    "target",
    "admitted",
    "percent",
    "projected",
    "last_year",
    "expected_by_now",
    "behind",
    "breakdown",
    "children",
}


pytestmark = pytest.mark.usefixtures("frozen_today")  # TODAY above (conftest.py)


@pytest.fixture
def kim_boi(tree: Tree) -> Tree:
    make_target(tree["commune"], 2026, 150, women=10)
    make_target(tree["school"], 2026, 60)
    for _ in range(46):
        make_admission(tree["village"], date(2026, 3, 10))
    for _ in range(3):
        make_admission(tree["village"], date(2025, 4, 1))
    return tree


def test_achievement_answers_the_documented_shape_with_children(
    as_user: Any, kim_boi: Tree, board: User
) -> None:
    answer = as_user(board).get(
        "/statistics/achievement", organisation=kim_boi["commune"].pk, year=2026
    )
    assert answer.status == 200
    body = answer.body
    assert set(body) >= FIELDS
    assert (body["organisation_id"], body["year"], body["target"], body["admitted"]) == (
        kim_boi["commune"].pk,
        2026,
        150,
        46,
    )
    assert body["percent"] == 30.7
    assert body["last_year"] == 3
    assert body["breakdown"]["women"] == {"target": 10, "admitted": 0, "percent": 0.0}
    assert set(body["breakdown"]) == {
        "youth_union",
        "women",
        "ethnic_minority",
        "religious",
        "student",
        "private_sector",
        "villages_without_members",
    }
    children = {c["organisation_name"]: c for c in body["children"]}
    assert set(children) == {"Chi bộ thôn Đông", "Đảng bộ Trường THPT An Bình", "Chi bộ Trạm Y tế"}
    for child in children.values():
        assert set(child) >= FIELDS
        assert child["children"] == []
    school = children["Đảng bộ Trường THPT An Bình"]
    assert (school["target"], school["admitted"], school["percent"], school["behind"]) == (
        60,
        0,
        0.0,
        True,
    )
    village = children["Chi bộ thôn Đông"]
    assert (village["target"], village["admitted"], village["percent"]) == (None, 46, None)


def test_achievement_defaults_to_the_users_top_node_and_this_year(
    as_user: Any, kim_boi: Tree, board: User
) -> None:
    body = as_user(board).get("/statistics/achievement").body
    assert (body["organisation_id"], body["year"], body["admitted"]) == (
        kim_boi["commune"].pk,
        2026,
        46,
    )


def test_achievement_outside_the_users_subtree_is_not_found(
    as_user: Any, kim_boi: Tree, board: User
) -> None:
    for node in ("province", "other_commune"):
        answer = as_user(board).get("/statistics/achievement", organisation=kim_boi[node].pk)
        assert answer.status == 404
        assert answer.error["code"] == "not_found"


def test_achievement_refuses_a_malformed_year(as_user: Any, tree: Tree, board: User) -> None:
    answer = as_user(board).get("/statistics/achievement", year="hai nghìn")
    assert answer.status == 400
    assert "year" in answer.error["fields"]


def test_achievement_needs_a_token(as_user: Any, tree: Tree) -> None:
    assert as_user(None).get("/statistics/achievement").status == 401


def test_achievement_is_in_the_openapi_schema(as_user: Any, board: User) -> None:
    schema = as_user(board).get("/openapi.json").body
    operation = schema["paths"]["/api/v1/statistics/achievement"]["get"]
    assert operation["description"].startswith("Achievement of the yearly admission target")
    assert {p["name"] for p in operation["parameters"]} == {"organisation", "year"}
