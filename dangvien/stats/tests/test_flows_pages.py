"""The member flows page (stats.views.structure: ``/thong-ke/<org_pk>/bien-dong/``)."""

import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from dangvien.accounts.models import Role, User
from dangvien.factories import make_member, user_with_role
from dangvien.members.models import Status
from dangvien.organisations.models import Organisation
from dangvien.stats.report import Table
from dangvien.stats.tests.test_structure_figures import permanent_move

Tree = dict[str, Organisation]
TODAY = date(2026, 5, 31)


pytestmark = pytest.mark.usefixtures("frozen_today")  # TODAY above (conftest.py)


@pytest.fixture
def board(tree: Tree) -> User:
    return user_with_role(Role.BOARD_STAFF, tree["commune"])


@pytest.fixture
def moves(tree: Tree) -> Tree:
    for _ in range(3):
        make_member(branch=tree["village"])
    make_member(branch=tree["village"], status=Status.DECEASED, left_on=date(2026, 2, 2))
    make_member(
        branch=tree["clinic"],
        status=Status.PROBATIONARY,
        admitted_on=date(2026, 2, 1),
        probation_started_on=date(2026, 2, 20),
        official_on=None,
    )
    inside = make_member(branch=tree["village"])
    permanent_move(inside, tree["school_branch"], date(2026, 3, 3))
    incoming = make_member(branch=tree["other_branch"])
    permanent_move(incoming, tree["village"], date(2026, 4, 4))
    return tree


def url(node: Organisation, query: str = "") -> str:
    return reverse("stats:flows", args=[node.pk]) + (f"?{query}" if query else "")


def flat(html: str) -> str:
    return re.sub(r"\s+", " ", html)


def test_the_page_shows_the_balance_for_this_year_by_default(
    client: Client, moves: Tree, board: User
) -> None:
    client.force_login(board)
    response = client.get(url(moves["commune"]))
    assert response.status_code == 200
    html = flat(response.content.decode())
    assert "Biến động đảng viên" in html
    assert "Từ ngày 01/01/2026 đến ngày 31/05/2026" in html
    balance = html.split('id="balance"', 1)[1].split("</table>", 1)[0]
    assert re.search(r"Đảng viên đầu kỳ \(hết ngày 31/12/2025\)</td><td class=\"num\">5<", balance)
    assert re.search(r"Từ trần</td><td class=\"num\">1<", balance)
    assert re.search(r"Chuyển sinh hoạt đảng đến</td><td class=\"num\">1<", balance)
    assert re.search(r"Đảng viên cuối kỳ \(hết ngày 31/05/2026\)</td><td class=\"num\">6<", balance)
    assert "Đầu kỳ 5 + tăng 2 − giảm 1 = cuối kỳ 6 (khớp)." in html


def test_the_children_link_to_their_own_flows_keeping_the_period(
    client: Client, moves: Tree, board: User
) -> None:
    client.force_login(board)
    html = flat(client.get(url(moves["commune"], "from=01/02/2026&to=30/04/2026")).content.decode())
    assert "Từ ngày 01/02/2026 đến ngày 30/04/2026" in html
    link = url(moves["village"], "from=01%2F02%2F2026&amp;to=30%2F04%2F2026")
    assert link in html


def test_a_bad_period_is_refused_with_a_vietnamese_message(
    client: Client, moves: Tree, board: User
) -> None:
    client.force_login(board)
    response = client.get(url(moves["commune"], "from=01/13/2026"))
    assert response.status_code == 400
    assert "Từ ngày “01/13/2026” không hợp lệ" in response.content.decode()
    response = client.get(url(moves["commune"], "from=01/05/2026&to=01/04/2026"))
    assert response.status_code == 400
    assert "Đến ngày (01/04/2026) trước từ ngày (01/05/2026)" in response.content.decode()


def test_a_node_outside_the_users_subtree_answers_404(
    client: Client, moves: Tree, board: User
) -> None:
    client.force_login(board)
    assert client.get(url(moves["other_commune"])).status_code == 404


def test_the_page_exports_to_xlsx_and_pdf(client: Client, moves: Tree, board: User) -> None:
    client.force_login(board)
    for fmt in ("xlsx", "pdf"):
        response = client.get(url(moves["commune"], f"format={fmt}"))
        assert response.status_code == 200
        assert "bien-dong-dang-vien-20260101-20260531-" in response["Content-Disposition"]
        assert len(response.content) > 500


def test_the_report_lists_the_balance_and_the_admissions(moves: Tree) -> None:
    from dangvien.stats.queries.flows import flows
    from dangvien.stats.views.structure import flows_report

    report = flows_report(flows(moves["commune"], date(2026, 1, 1), TODAY))
    assert report.period == "Từ ngày 01/01/2026 đến ngày 31/05/2026"
    balance = report.sections[0]
    assert isinstance(balance, Table)
    assert balance.rows[0] == ["Đảng viên đầu kỳ (hết ngày 31/12/2025)", 5]
    assert balance.rows[-1] == ["Đảng viên cuối kỳ (hết ngày 31/05/2026)", 6]
    assert "(khớp)" in balance.note
