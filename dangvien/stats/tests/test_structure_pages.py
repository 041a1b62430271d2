"""The member structure page (stats.views.structure: ``/thong-ke/<org_pk>/co-cau/``)."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangvien.accounts.models import Role, User
from dangvien.core.dates import BadDate, parse_day
from dangvien.factories import make_member, make_person, org, user_with_role
from dangvien.members.models import Status
from dangvien.organisations.models import Kind, Organisation
from dangvien.stats.report import Table

Tree = dict[str, Organisation]
TODAY = date(2026, 5, 31)


pytestmark = pytest.mark.usefixtures("frozen_today")  # TODAY above (conftest.py)


@pytest.fixture
def board(tree: Tree) -> User:
    return user_with_role(Role.BOARD_STAFF, tree["commune"])


@pytest.fixture
def members(tree: Tree) -> Tree:
    make_member(branch=tree["village"], person=make_person(sex="female", ethnicity="Tày"))
    make_member(branch=tree["village"])
    make_member(branch=tree["school_branch"], person=make_person(sex="female"))
    make_member(
        branch=tree["clinic"],
        status=Status.PROBATIONARY,
        admitted_on=date(2026, 1, 5),
        probation_started_on=date(2026, 1, 20),
        official_on=None,
    )
    return tree


def url(node: Organisation, query: str = "") -> str:
    return reverse("stats:structure", args=[node.pk]) + (f"?{query}" if query else "")


def page(client: Client, user: User, address: str) -> str:
    client.force_login(user)
    response = client.get(address)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def row_of(html: str, table_id: str, label: str) -> str:
    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    for row in re.findall(r"<tr[^>]*>.*?</tr>", table, flags=re.S):
        if label in row:
            return re.sub(r"\s+", " ", row)
    raise AssertionError(f"{label} not in {table_id}")


def test_the_page_shows_the_tables_with_number_and_percent_of_the_total(
    client: Client, members: Tree, board: User
) -> None:
    html = page(client, board, url(members["commune"]))
    assert "Cơ cấu đội ngũ đảng viên" in html
    assert "Tại ngày 31/05/2026" in html
    assert re.search(
        r"<td class=\"num\">2</td>\s*<td class=\"num\">50,0%</td>", row_of(html, "table-sex", "Nữ")
    )
    assert "25,0%" in row_of(html, "table-ethnicity", "Dân tộc thiểu số")
    assert "Tày" in html


def test_the_children_are_side_by_side_and_link_to_their_own_page_keeping_the_date(
    client: Client, members: Tree, board: User
) -> None:
    html = page(client, board, url(members["commune"], "on=01/03/2026&by=sex"))
    village = row_of(html, "children", "Chi bộ thôn Đông")
    assert url(members["village"], "on=01%2F03%2F2026&amp;by=sex") in village
    assert re.search(r">2<", village)
    school = row_of(html, "children", "Đảng bộ Trường THPT An Bình")
    assert "100,0%" in school  # the one member is a woman
    total = row_of(html, "children", "Tổng cộng")
    assert ">4<" in total


def test_a_date_in_the_past_counts_the_members_of_that_day(
    client: Client, members: Tree, board: User
) -> None:
    html = page(client, board, url(members["commune"], "on=10/01/2026"))
    assert "Tại ngày 10/01/2026" in html
    assert ">3<" in row_of(html, "children", "Tổng cộng")  # the clinic's member joined 20/01


def test_a_bad_date_is_refused_with_a_vietnamese_message(
    client: Client, members: Tree, board: User
) -> None:
    client.force_login(board)
    response = client.get(url(members["commune"], "on=31/02/2026"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Ngày thống kê “31/02/2026” không hợp lệ" in html
    assert "ví dụ 31/12/2025" in html


def test_dates_are_read_as_day_month_year() -> None:
    assert parse_day("05/03/2026", label="Ngày", field="on") == date(2026, 3, 5)
    assert parse_day("5/3/2026", label="Ngày", field="on") == date(2026, 3, 5)
    assert parse_day("2026-03-05", label="Ngày", field="on") == date(2026, 3, 5)
    for bad in ("2026/13/01", "hôm qua", "05/03/26", "32/01/2026", ""):
        with pytest.raises(BadDate, match="không hợp lệ"):
            parse_day(bad, label="Ngày", field="on")


def test_a_node_outside_the_users_subtree_answers_404(
    client: Client, members: Tree, board: User
) -> None:
    client.force_login(board)
    assert client.get(url(members["other_commune"])).status_code == 404
    assert client.get(url(members["province"])).status_code == 404


def test_the_page_exports_to_xlsx_and_pdf(client: Client, members: Tree, board: User) -> None:
    client.force_login(board)
    for fmt, mime in (
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("pdf", "application/pdf"),
    ):
        response = client.get(url(members["commune"], f"on=01/03/2026&format={fmt}"))
        assert response.status_code == 200
        assert response["Content-Type"] == mime
        assert "co-cau-dang-vien-20260301-" in response["Content-Disposition"]
        assert len(response.content) > 500


def test_the_report_holds_the_same_figures_as_the_page(members: Tree) -> None:
    from dangvien.stats.queries.structure import structure
    from dangvien.stats.views.structure import structure_report

    report = structure_report(structure(members["commune"], TODAY))
    assert report.period == "Tại ngày 31/05/2026"
    assert report.organisation == "Đảng bộ xã An Bình"
    tables = {s.title: s for s in report.sections if isinstance(s, Table)}
    assert tables["Theo giới tính"].rows == [["Nam", 2, 50.0], ["Nữ", 2, 50.0]]
    assert [row[:2] for row in tables["Theo tổ chức trực thuộc"].rows] == [
        ["Chi bộ thôn Đông", 2],
        ["Chi bộ Trạm Y tế", 1],
        ["Đảng bộ Trường THPT An Bình", 1],
    ]


def test_the_page_query_count_does_not_grow_with_the_children(
    client: Client, members: Tree, board: User
) -> None:
    client.force_login(board)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(members["commune"])).status_code == 200
        return len(captured.captured_queries)

    before = queries()
    for _ in range(4):
        branch = org(Kind.BRANCH, members["commune"])
        make_member(branch=branch)
    assert queries() == before


def test_a_branch_shows_its_members_without_a_table_of_children(
    client: Client, members: Tree, board: User
) -> None:
    html = page(client, board, url(members["village"]))
    assert "Chi bộ thôn Đông không có tổ chức đảng trực thuộc." in html
    assert 'id="children"' not in html
    assert re.search(r"<div class=\"n\">2</div><div class=\"label\">Tổng số đảng viên", html)


@pytest.mark.parametrize("on", ["01/01/0001", "31/12/9999"])
def test_a_day_far_outside_the_calendar_is_refused_not_crashed(client, tree, on) -> None:
    from dangvien.accounts.models import Role
    from dangvien.factories import user_with_role

    client.force_login(user_with_role(Role.BOARD_STAFF, tree["province"]))
    for page, param in (("co-cau", "on"), ("bien-dong", "from")):
        response = client.get(f"/thong-ke/{tree['province'].pk}/{page}/", {param: on})
        assert response.status_code == 400
        assert "phải từ 01/01/1900 đến 31/12/2100" in response.content.decode()
