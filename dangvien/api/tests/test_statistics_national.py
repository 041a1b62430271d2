"""GET /statistics/achievement/national and /statistics/structure/national (issue 9): the
pages /thong-ke/toan-quoc/ and /thong-ke/toan-quoc/co-cau/ over JSON."""

from datetime import date
from typing import Any

import pytest

from dangvien.accounts.models import Role, RoleAssignment
from dangvien.factories import make_member, org, user_with_role
from dangvien.organisations.models import Kind, Organisation
from dangvien.stats.tests.factories import make_admission, make_target

Tree = dict[str, Organisation]
TODAY = date(2026, 5, 31)


pytestmark = pytest.mark.usefixtures("frozen_today")  # TODAY above (conftest.py)


@pytest.fixture
def two(tree: Tree) -> dict[str, Any]:
    """A second province with admissions and members, a third one outside the user's
    scope with its own, and a user with a role on the first two."""
    second = org(Kind.PROVINCE, name="Tỉnh ủy Thứ Hai")
    branch = org(Kind.BRANCH, org(Kind.COMMUNE, second, name="Xã Hai"), name="Chi bộ Hai")
    third = org(Kind.PROVINCE, name="Tỉnh ủy Thứ Ba")
    far = org(Kind.BRANCH, org(Kind.COMMUNE, third, name="Xã Ba"), name="Chi bộ Ba")
    for day in (date(2026, 2, 3), date(2026, 4, 9)):
        make_admission(branch, day)
    make_admission(tree["village"], date(2026, 3, 10))
    make_admission(far, date(2026, 3, 1))
    make_target(tree["province"], 2026, 10)
    make_target(second, 2026, 20)
    for branch_, n in ((tree["village"], 2), (branch, 3), (far, 4)):
        for _ in range(n):
            make_member(branch=branch_)
    user = user_with_role(Role.BOARD_STAFF, tree["province"])
    RoleAssignment.objects.create(user=user, organisation=second, role=Role.BOARD_STAFF)
    return {"user": user, "tops": [tree["province"], second]}


def test_the_national_achievement_has_the_users_tops_and_their_total_only(
    as_user: Any, two: dict[str, Any]
) -> None:
    body = as_user(two["user"]).get("/statistics/achievement/national").body
    assert body["organisation_id"] is None
    assert body["organisation_name"] == "Các đơn vị được phân công"  # not every province
    assert {c["organisation_id"] for c in body["children"]} == {t.pk for t in two["tops"]}
    assert (body["admitted"], body["target"]) == (3, 30)  # the third province left out
    assert body["per_month"][1] == 1 and body["per_month"][3] == 1


def test_the_national_structure_has_the_users_tops_and_their_total_only(
    as_user: Any, two: dict[str, Any]
) -> None:
    body = as_user(two["user"]).get("/statistics/structure/national").body
    assert body["organisation_id"] is None and body["on"] == TODAY.isoformat()
    by_top = {c["organisation_id"]: c["total"] for c in body["children"]}
    assert set(by_top) == {t.pk for t in two["tops"]}
    assert body["total"] == sum(by_top.values()) == 5  # the third province's 4 left out


def test_a_user_without_a_scope_gets_404_and_without_a_token_401(as_user: Any, tree: Tree) -> None:
    nobody = user_with_role(Role.AUDITOR, tree["province"])
    for path in ("/statistics/achievement/national", "/statistics/structure/national"):
        answer = as_user(nobody).get(path)
        assert answer.status == 404 and answer.error["code"] == "not_found"
        assert as_user(None).get(path).status == 401


def test_a_malformed_year_or_day_is_refused_with_the_field_named(
    as_user: Any, two: dict[str, Any]
) -> None:
    client = as_user(two["user"])
    answer = client.get("/statistics/achievement/national", year="năm nay")
    assert answer.status == 400 and "year" in answer.error["fields"]
    answer = client.get("/statistics/structure/national", on="31/02/2026")
    assert answer.status == 400 and "on" in answer.error["fields"]
