"""The national achievement page (/thong-ke/toan-quoc/, issue 9): every top node of the
user's scope side by side and their total, counted like each province's own dashboard."""

from datetime import date
from typing import Any

import pytest
from django.test import Client

from dangvien.accounts.models import Role, RoleAssignment
from dangvien.factories import org, user_with_role
from dangvien.organisations.models import Kind, Organisation
from dangvien.stats.queries.achievement import achievement, national
from dangvien.stats.tests.factories import make_admission, make_target

TODAY = date(2026, 5, 31)
URL = "/thong-ke/toan-quoc/"


pytestmark = pytest.mark.usefixtures("frozen_today")  # TODAY above (conftest.py)


@pytest.fixture
def second(tree: dict[str, Organisation]) -> dict[str, Organisation]:
    """A second province with one commune and one branch, and admissions in both trees."""
    province = org(Kind.PROVINCE, name="Tỉnh ủy Thứ Hai")
    commune = org(Kind.COMMUNE, province, name="Đảng ủy xã Bình Minh")
    branch = org(Kind.BRANCH, commune, name="Chi bộ thôn Bắc")
    for day in (date(2026, 2, 3), date(2026, 4, 9), date(2025, 3, 1)):
        make_admission(branch, day)
    make_admission(tree["village"], date(2026, 3, 10))
    make_admission(tree["village"], date(2025, 2, 1))
    return {"province": province, "branch": branch}


def central(tree: dict[str, Organisation], second: dict[str, Organisation]) -> Any:
    user = user_with_role(Role.BOARD_STAFF, tree["province"])
    RoleAssignment.objects.create(user=user, organisation=second["province"], role=Role.BOARD_STAFF)
    return user


def test_the_nation_counts_what_its_provinces_count(tree, second) -> None:
    tops = [tree["province"], second["province"]]
    result = national(tops, 2026)
    each = [achievement(top, 2026) for top in tops]
    assert result.admitted == sum(a.admitted for a in each) == 3
    assert result.last_year_admitted == sum(a.last_year_admitted for a in each) == 2
    assert result.per_month == [sum(m) for m in zip(*(a.per_month for a in each), strict=True)]
    assert [c.admitted for c in result.children] == [a.admitted for a in each]


def test_the_national_target_is_the_sum_only_when_every_province_has_one(tree, second) -> None:
    make_target(tree["province"], 2026, 10)
    assert national([tree["province"], second["province"]], 2026).target is None
    make_target(second["province"], 2026, 20)
    result = national([tree["province"], second["province"]], 2026)
    assert result.target == 30 and result.percent == 10.0


def test_the_page_shows_each_province_and_the_total(client: Client, tree, second) -> None:
    client.force_login(central(tree, second))
    page = client.get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Toàn quốc" in text and "Tỉnh ủy Thứ Hai" in text and tree["province"].name in text
    assert "Chưa giao chỉ tiêu năm 2026" in text


def test_the_page_exports_every_province_and_the_countrys_total_to_excel(
    client: Client, tree, second
) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    make_target(tree["province"], 2026, 10)
    make_target(second["province"], 2026, 20)
    client.force_login(central(tree, second))
    assert "format=xlsx" in client.get(URL).content.decode()
    response = client.get(URL, {"year": "2026", "format": "xlsx"})
    assert response.status_code == 200
    assert "ket-qua-ket-nap-2026-toan-quoc.xlsx" in response["Content-Disposition"]
    cells = [
        [c for c in row if c is not None]
        for sheet in load_workbook(BytesIO(response.content)).worksheets
        for row in sheet.iter_rows(values_only=True)
    ]
    rows = {row[0]: row[1:] for row in cells if row and isinstance(row[0], str)}
    assert rows["Tỉnh ủy Thứ Hai"][:2] == [20, 2]
    assert rows[tree["province"].name][:2] == [10, 1]
    assert rows["Toàn quốc"][:2] == [30, 3]
    assert "Chỉ tiêu cụ thể" not in rows  # the country's page counts without breakdowns


def test_the_page_exports_to_pdf(client: Client, tree, second) -> None:
    client.force_login(central(tree, second))
    response = client.get(URL, {"format": "pdf"})
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_a_user_with_one_tree_is_sent_to_its_dashboard(client: Client, tree, second) -> None:
    client.force_login(user_with_role(Role.BOARD_STAFF, tree["commune"]))
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"/thong-ke/{tree['commune'].pk}/?year=2026"


def test_a_user_without_a_role_gets_404(client: Client, tree) -> None:
    client.force_login(user_with_role(Role.AUDITOR, tree["province"]))
    assert client.get(URL).status_code == 404


def test_two_trees_that_are_not_the_whole_country_are_not_called_the_nation(
    client: Client, tree, second
) -> None:
    org(Kind.PROVINCE, name="Tỉnh ủy Thứ Ba")
    client.force_login(central(tree, second))
    text = client.get(URL).content.decode()
    assert "Các đơn vị được phân công" in text and "Toàn quốc" not in text


def test_the_statistics_home_of_a_user_with_several_trees_is_the_national_page(
    client: Client, tree, second
) -> None:
    client.force_login(central(tree, second))
    assert client.get("/thong-ke/")["Location"] == URL


def test_the_nation_of_some_provinces_counts_those_provinces_only(tree, second) -> None:
    """A user over two provinces of three: the total leaves the third out, at the query
    level too (row-level security is the second lock, not the only one)."""
    third = org(Kind.PROVINCE, name="Tỉnh ủy Thứ Ba")
    branch = org(Kind.BRANCH, org(Kind.COMMUNE, third, name="Xã Ba"), name="Chi bộ Ba")
    for day in (date(2026, 1, 5), date(2026, 2, 5), date(2025, 6, 1)):
        make_admission(branch, day)
    result = national([tree["province"], second["province"]], 2026)
    assert result.admitted == 3 and result.last_year_admitted == 2


def test_tops_below_the_provinces_are_counted_each_on_its_own(tree, second) -> None:
    """Two trees of a scope that are not provinces (a commune here, a chi bộ there): each
    top's row holds its own admissions, and the total is theirs."""
    tops = [tree["commune"], second["branch"]]
    result = national(tops, 2026)
    each = [achievement(top, 2026) for top in tops]
    assert [c.admitted for c in result.children] == [a.admitted for a in each] == [1, 2]
    assert result.admitted == 3 and result.last_year_admitted == 2
