"""The rating results and screening tabs (stats.views.quality: ``/thong-ke/<org>/xep-loai/``
and ``/thong-ke/<org>/sang-loc/``)."""

import io
import re
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from dangvien.accounts.models import Role, User
from dangvien.factories import make_member, org, user_with_role
from dangvien.organisations.models import Kind, Organisation
from dangvien.reviews.models import Rating, Stage
from dangvien.reviews.queries.results import rating_results
from dangvien.reviews.tests.factories import make_period, make_review
from dangvien.screening.models import State
from dangvien.screening.queries.results import screening_results
from dangvien.screening.tests.factories import make_case
from dangvien.stats.report import Table
from dangvien.stats.views.quality import quality_report, screening_report, signed_points

Tree = dict[str, Organisation]
TODAY = date(2026, 5, 31)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


pytestmark = pytest.mark.usefixtures("frozen_today")  # TODAY above (conftest.py)


@pytest.fixture
def board(tree: Tree) -> User:
    return user_with_role(Role.BOARD_STAFF, tree["commune"])


@pytest.fixture
def rated(tree: Tree) -> Tree:
    """2026: 3 excellent, 6 good, 1 failed in the village; 2025: 1 excellent, 2 good, 1
    complete; one exempted member in the clinic; one review still proposed."""
    now, last = make_period(tree["province"], 2026), make_period(tree["province"], 2025)
    for rating in [Rating.EXCELLENT] * 3 + [Rating.GOOD] * 6 + [Rating.FAILED]:
        make_review(now, make_member(branch=tree["village"]), rating, Stage.DECIDED)
    for rating in (Rating.EXCELLENT, Rating.GOOD, Rating.GOOD, Rating.COMPLETE):
        make_review(last, make_member(branch=tree["village"]), rating, Stage.PUBLISHED)
    make_review(now, make_member(branch=tree["school_branch"]), Rating.GOOD, Stage.BRANCH_PROPOSED)
    make_member(branch=tree["clinic"], exempted_since=date(2025, 1, 1))
    return tree


def quality_url(node: Organisation, query: str = "") -> str:
    return reverse("stats:quality", args=[node.pk]) + (f"?{query}" if query else "")


def screening_url(node: Organisation, query: str = "") -> str:
    return reverse("stats:screening", args=[node.pk]) + (f"?{query}" if query else "")


def page(client: Client, user: User, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


# ---- rating results --------------------------------------------------------------------


def test_the_quality_page_shows_each_rating_this_year_and_last_with_the_change(
    client: Client, rated: Tree, board: User
) -> None:
    html = page(client, board, quality_url(rated["commune"]))
    assert "Kết quả đánh giá, xếp loại chất lượng" in html
    assert "Năm 2026, so với năm 2025" in html
    row = (
        r"<td>Hoàn thành xuất sắc nhiệm vụ</td> <td class=\"num\">3</td><td class=\"num\">30,0%"
        r"</td> <td class=\"num\">1</td><td class=\"num\">25,0%</td> <td class=\"num\">\+2</td>"
        r"<td class=\"num\"><span class=\"quality-change better\">\+5,0</span>"
    )
    assert re.search(row, html)
    complete = (
        r"<td>Hoàn thành nhiệm vụ</td> <td class=\"num\">0</td><td class=\"num\">0,0%</td> "
        r"<td class=\"num\">1</td><td class=\"num\">25,0%</td> <td class=\"num\">−1</td>"
        r"<td class=\"num\"><span class=\"quality-change \">−25,0</span>"
    )
    assert re.search(complete, html)
    failed = (
        r"<td>Không hoàn thành nhiệm vụ</td> <td class=\"num\">1</td><td class=\"num\">10,0%"
        r"</td> <td class=\"num\">0</td><td class=\"num\">0,0%</td> <td class=\"num\">\+1</td>"
        r"<td class=\"num\"><span class=\"quality-change worse\">\+10,0</span>"
    )
    assert re.search(failed, html)
    assert re.search(r"Tổng số được xếp loại</th><td class=\"num\">10</td>", html)
    assert re.search(
        r"Không xếp loại \(miễn công tác và sinh hoạt đảng\)</th><td class=\"num\">1</td>", html
    )
    assert re.search(r"Chưa có quyết định của cấp ủy</th><td class=\"num\">1</td>", html)
    assert "Kiểm điểm, đánh giá, xếp loại năm 2026" in html  # the period over the node


def test_the_children_link_to_their_own_tab_for_the_same_year(
    client: Client, rated: Tree, board: User
) -> None:
    html = page(client, board, quality_url(rated["commune"], "year=2026"))
    assert f'href="{quality_url(rated["village"], "year=2026")}"' in html
    assert f'href="{quality_url(rated["school"], "year=2026")}"' in html
    assert 'id="children"' in html


def test_the_tabs_name_both_new_pages(client: Client, rated: Tree, board: User) -> None:
    html = page(client, board, quality_url(rated["commune"]))
    assert ">Xếp loại chất lượng</a>" in html
    assert ">Rà soát, sàng lọc</a>" in html


def test_a_branch_shows_its_results_without_a_table_of_children(
    client: Client, rated: Tree, board: User
) -> None:
    html = page(client, board, quality_url(rated["village"]))
    assert "Chi bộ thôn Đông không có tổ chức đảng trực thuộc." in html
    assert 'id="children"' not in html


def test_a_node_outside_the_users_subtree_answers_404(
    client: Client, rated: Tree, board: User
) -> None:
    client.force_login(board)
    for node in (rated["other_commune"], rated["province"]):
        assert client.get(quality_url(node)).status_code == 404
        assert client.get(screening_url(node)).status_code == 404


def test_the_pages_need_a_login(client: Client, rated: Tree) -> None:
    for url in (quality_url(rated["commune"]), screening_url(rated["commune"])):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"] or "dang-nhap" in response["Location"]


def test_an_unreadable_year_shows_this_year_and_says_so(
    client: Client, rated: Tree, board: User
) -> None:
    html = page(client, board, quality_url(rated["commune"], "year=abc"))
    assert "Năm “abc” không hợp lệ" in html
    assert "Năm 2026, so với năm 2025" in html


def test_the_quality_page_exports_to_xlsx_and_pdf(client: Client, rated: Tree, board: User) -> None:
    client.force_login(board)
    for fmt, mime in (("xlsx", XLSX), ("pdf", "application/pdf")):
        response = client.get(quality_url(rated["commune"], f"year=2026&format={fmt}"))
        assert response.status_code == 200
        assert response["Content-Type"] == mime
        assert "xep-loai-chat-luong-2026-dang-bo-xa-an-binh" in response["Content-Disposition"]
        assert len(response.content) > 500
    response = client.get(quality_url(rated["commune"], "year=2026&format=xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    excellent = next(r for r in values if r[0] == "Hoàn thành xuất sắc nhiệm vụ")
    assert excellent[1:7] == (3, 0.3, 1, 0.25, 2, 5)


def test_the_quality_report_holds_the_same_figures_as_the_page(rated: Tree) -> None:
    report = quality_report(rating_results(rated["commune"], 2026))
    assert report.period == "Năm 2026 (so với năm 2025)"
    tables = {s.title: s for s in report.sections if isinstance(s, Table)}
    members = tables["Xếp loại chất lượng đảng viên"]
    assert members.rows[0] == ["Hoàn thành xuất sắc nhiệm vụ", 3, 30.0, 1, 25.0, 2, 5.0]
    assert members.rows[3] == ["Không hoàn thành nhiệm vụ", 1, 10.0, 0, 0.0, 1, 10.0]
    assert members.total == ["Tổng số được xếp loại", 10, 100.0, 4, 100.0, 6, None]
    assert "Không xếp loại (miễn công tác và sinh hoạt đảng): năm 2026: 1" in members.note
    children = tables["Xếp loại đảng viên năm 2026 theo tổ chức trực thuộc"]
    assert [row[:3] for row in children.rows] == [
        ["Chi bộ thôn Đông", 10, 3],
        ["Chi bộ Trạm Y tế", 0, 0],
        ["Đảng bộ Trường THPT An Bình", 0, 0],
    ]
    assert children.rows[1][-2:] == [1, 0]  # the clinic: one exempted, none awaiting
    assert children.rows[2][-2:] == [0, 1]  # the school: one awaiting a decision
    assert children.total is not None and children.total[1] == 10
    assert "Xếp loại đảng viên năm 2025 theo tổ chức trực thuộc" in tables


def test_a_change_of_share_is_written_with_its_sign() -> None:
    assert signed_points(5.0) == "+5,0"
    assert signed_points(-25.0) == "−25,0"
    assert signed_points(0.0) == "0,0"
    assert signed_points(None) == "—"


def test_the_quality_page_query_count_does_not_grow_with_the_rows(
    client: Client, rated: Tree, board: User
) -> None:
    client.force_login(board)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(quality_url(rated["commune"])).status_code == 200
        return len(captured.captured_queries)

    before = queries()
    period = make_period(rated["commune"], 2024)
    for _ in range(3):
        branch = org(Kind.BRANCH, rated["commune"])
        make_review(period, make_member(branch=branch), Rating.GOOD, Stage.DECIDED)
        make_member(branch=branch, exempted_since=date(2026, 1, 1))
    assert queries() == before


# ---- screening -------------------------------------------------------------------------


@pytest.fixture
def screened(tree: Tree) -> Tree:
    make_case(make_member(branch=tree["village"]), State.HELPING)
    make_case(make_member(branch=tree["village"]), State.IMPROVED)
    make_case(make_member(branch=tree["clinic"]), State.NOT_LISTED, ballot_in_favour=1)
    make_case(make_member(branch=tree["clinic"]), State.PROPOSED_REMOVAL)
    return tree


def test_the_screening_page_shows_the_outcomes_and_the_children(
    client: Client, screened: Tree, board: User
) -> None:
    html = page(client, board, screening_url(screened["commune"], "year=2026"))
    assert "Kết quả rà soát, sàng lọc đảng viên" in html
    assert re.search(r"Số đảng viên được bỏ phiếu kín</td><td class=\"num\">4</td>", html)
    assert re.search(
        r"Đưa vào diện giáo dục, giúp đỡ \(đủ 2/3\)</td><td class=\"num\">3</td>"
        r"<td class=\"num\">75,0%",
        html,
    )
    assert re.search(r"Chi bộ đề nghị xóa tên</td><td class=\"num\">1</td>", html)
    assert f'href="{screening_url(screened["clinic"], "year=2026")}"' in html


def test_the_screening_page_exports_to_xlsx_and_pdf(
    client: Client, screened: Tree, board: User
) -> None:
    client.force_login(board)
    for fmt, mime in (("xlsx", XLSX), ("pdf", "application/pdf")):
        response = client.get(screening_url(screened["commune"], f"year=2026&format={fmt}"))
        assert response.status_code == 200
        assert response["Content-Type"] == mime
        assert "ra-soat-sang-loc-2026-dang-bo-xa-an-binh" in response["Content-Disposition"]


def test_the_screening_report_holds_the_same_figures_as_the_page(screened: Tree) -> None:
    report = screening_report(screening_results(screened["commune"], 2026))
    tables = {s.title: s for s in report.sections if isinstance(s, Table)}
    lines = tables["Kết quả rà soát, sàng lọc"].rows
    assert lines[0] == ["Số đảng viên được bỏ phiếu kín", 4, None]
    assert ["– Đang giáo dục, giúp đỡ", 1, 33.3] in lines
    children = tables["Theo tổ chức trực thuộc"]
    assert [row[:3] for row in children.rows] == [
        ["Chi bộ thôn Đông", 2, 2],
        ["Chi bộ Trạm Y tế", 2, 1],
        ["Đảng bộ Trường THPT An Bình", 0, 0],
    ]
    assert children.total is not None and children.total[:3] == ["Tổng cộng", 4, 3]


def test_the_screening_page_query_count_does_not_grow_with_the_cases(
    client: Client, screened: Tree, board: User
) -> None:
    client.force_login(board)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(screening_url(screened["commune"])).status_code == 200
        return len(captured.captured_queries)

    before = queries()
    for _ in range(3):
        branch = org(Kind.BRANCH, screened["commune"])
        make_case(make_member(branch=branch), State.HELPING)
    assert queries() == before
