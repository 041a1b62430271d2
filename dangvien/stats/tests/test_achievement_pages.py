"""The achievement dashboard and the people behind its numbers (stats.views.dashboard)."""

import re
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangvien.accounts.models import Role, User
from dangvien.factories import make_member, make_person, org, user_with_role
from dangvien.members.models import Status
from dangvien.organisations.models import Kind, Organisation
from dangvien.stats.admission_facts import refresh_admissions
from dangvien.stats.tests.factories import make_admission, make_target

Tree = dict[str, Organisation]
TODAY = date(2026, 5, 31)


pytestmark = pytest.mark.usefixtures("frozen_today")  # TODAY above (conftest.py)


@pytest.fixture
def board(tree: Tree) -> User:
    """Board staff of the commune (a district in the seed): sees the commune's subtree."""
    return user_with_role(Role.BOARD_STAFF, tree["commune"])


def logged_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def dashboard_url(node: Organisation, **params: Any) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("stats:dashboard", args=[node.pk]) + (f"?{query}" if query else "")


def people_url(node: Organisation, **params: Any) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("stats:admissions", args=[node.pk]) + (f"?{query}" if query else "")


def row_of(html: str, name: str) -> str:
    """The <tr> of the children table naming ``name``."""
    table = html.split('id="children"', 1)[1]
    for row in re.findall(r"<tr[^>]*>.*?</tr>", table, flags=re.S):
        if name in row:
            return row
    raise AssertionError(f"{name} not in the children table")


def children_order(html: str) -> list[str]:
    body = html.split('id="children"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<td data-label="Tổ chức đảng"><a [^>]*>([^<]+)</a>', body)


@pytest.fixture
def kim_boi(tree: Tree) -> Tree:
    """46 admitted of 150 by 31/5 (Kim Bôi, "30.7%"), spread over the commune's children:
    the village branch far ahead, the school behind, the clinic without a target."""
    make_target(tree["commune"], 2026, 150, women=20)
    make_target(tree["village"], 2026, 60)
    make_target(tree["school"], 2026, 60)
    for _ in range(40):
        make_admission(tree["village"], date(2026, 3, 10))
    for _ in range(4):
        make_admission(tree["school_branch"], date(2026, 4, 2), person=make_person(sex="female"))
    make_admission(tree["clinic"], date(2026, 5, 2))
    make_member(
        branch=tree["clinic"],
        status=Status.PROBATIONARY,
        admitted_on=date(2026, 5, 20),
        probation_started_on=date(2026, 5, 25),
        official_on=None,
    )
    return tree


def test_the_statistics_home_opens_the_dashboard_of_the_users_node(
    client: Client, tree: Tree, board: User
) -> None:
    response = logged_in(client, board).get(reverse("stats:home"))
    assert response.status_code == 302
    assert response["Location"] == dashboard_url(tree["commune"])


def test_the_dashboard_shows_target_admitted_and_the_percentage_with_a_comma(
    client: Client, kim_boi: Tree, board: User
) -> None:
    html = logged_in(client, board).get(dashboard_url(kim_boi["commune"])).content.decode()
    assert "Kết quả thực hiện chỉ tiêu kết nạp đảng viên" in html
    assert "30,7%" in html
    for label in ("Chỉ tiêu", "Đã kết nạp", "Tỷ lệ", "Cùng kỳ năm trước", "Dự báo cả năm"):
        assert label in html
    assert "Tiến độ bình quân đến hôm nay" in html
    assert "số liệu đến ngày 31/05/2026" in html


def test_children_behind_the_pace_are_highlighted(
    client: Client, kim_boi: Tree, board: User
) -> None:
    """31/5 is day 151: 60 a year expects 24.8, so the school (4) is behind, the village
    (40) is not, and the clinic has no target to be behind of."""
    html = logged_in(client, board).get(dashboard_url(kim_boi["commune"])).content.decode()
    school = row_of(html, "Đảng bộ Trường THPT An Bình")
    assert 'class="behind"' in school and "Chậm tiến độ" in school
    village = row_of(html, "Chi bộ thôn Đông")
    assert "behind" not in village and "Chậm tiến độ" not in village
    assert "Chưa giao chỉ tiêu" in row_of(html, "Chi bộ Trạm Y tế")


def test_the_children_table_sorts_on_the_server_keeping_the_year(
    client: Client, kim_boi: Tree, board: User
) -> None:
    client = logged_in(client, board)
    html = client.get(dashboard_url(kim_boi["commune"], year=2026)).content.decode()
    assert children_order(html) == [
        "Chi bộ thôn Đông",
        "Chi bộ Trạm Y tế",
        "Đảng bộ Trường THPT An Bình",
    ]
    assert "?year=2026&amp;sort=admitted&amp;dir=asc" in html
    html = client.get(
        dashboard_url(kim_boi["commune"], year=2026, sort="admitted", dir="desc")
    ).content.decode()
    assert children_order(html) == [
        "Chi bộ thôn Đông",
        "Đảng bộ Trường THPT An Bình",
        "Chi bộ Trạm Y tế",
    ]
    assert 'aria-sort="descending"' in html
    html = client.get(dashboard_url(kim_boi["commune"], sort="percent", dir="asc")).content.decode()
    # No target, no percentage: last whichever the direction.
    assert children_order(html)[-1] == "Chi bộ Trạm Y tế"
    assert children_order(html)[0] == "Đảng bộ Trường THPT An Bình"


def test_each_child_links_to_its_own_dashboard_down_to_a_branch(
    client: Client, kim_boi: Tree, board: User
) -> None:
    client = logged_in(client, board)
    html = client.get(dashboard_url(kim_boi["commune"], year=2026)).content.decode()
    school = kim_boi["school"]
    assert f'href="{dashboard_url(school, year=2026)}"' in html
    html = client.get(dashboard_url(school, year=2026)).content.decode()
    branch = kim_boi["school_branch"]
    assert f'href="{dashboard_url(branch, year=2026)}"' in html
    response = client.get(dashboard_url(branch, year=2026))
    assert response.status_code == 200
    assert "không có tổ chức đảng trực thuộc" in response.content.decode()


def test_each_count_links_to_the_people_behind_it(
    client: Client, kim_boi: Tree, board: User
) -> None:
    html = logged_in(client, board).get(dashboard_url(kim_boi["commune"])).content.decode()
    commune_people = reverse("stats:admissions", args=[kim_boi["commune"].pk])
    assert f'href="{commune_people}?year=2026"' in html
    assert f'href="{commune_people}?year=2026&amp;month=3"' in html
    assert f'href="{commune_people}?year=2026&amp;breakdown=women"' in html
    assert f'href="{people_url(kim_boi["village"], year=2026)}"' in html


def test_the_people_list_links_each_name_to_the_candidate_or_member_page(
    client: Client, kim_boi: Tree, board: User
) -> None:
    client = logged_in(client, board)
    html = client.get(people_url(kim_boi["clinic"], year=2026)).content.decode()
    assert "2 người" in html
    member_link = reverse("members:detail", args=[999])[: -len("999/")]
    candidate_link = reverse("candidates:detail", args=[999])[: -len("999/")]
    assert f'href="{member_link}' in html and f'href="{candidate_link}' in html
    html = client.get(people_url(kim_boi["commune"], year=2026, breakdown="women")).content.decode()
    assert "4 người" in html
    html = client.get(people_url(kim_boi["commune"], year=2026, month=3)).content.decode()
    assert "40 người" in html


def test_the_people_list_pages_fifty_at_a_time(client: Client, tree: Tree, board: User) -> None:
    for _ in range(55):
        make_admission(tree["village"], date(2026, 2, 1))
    client = logged_in(client, board)
    html = client.get(people_url(tree["commune"], year=2026)).content.decode()
    assert "Trang 1 / 2" in html
    assert "?year=2026&amp;page=2" in html
    html = client.get(people_url(tree["commune"], year=2026, page=2)).content.decode()
    assert html.count('data-label="Họ và tên"') == 5


def test_pages_outside_the_users_subtree_answer_404(
    client: Client, kim_boi: Tree, board: User
) -> None:
    client = logged_in(client, board)
    for node in (kim_boi["province"], kim_boi["other_commune"], kim_boi["other_branch"]):
        assert client.get(dashboard_url(node)).status_code == 404
        assert client.get(people_url(node, year=2026)).status_code == 404


def test_the_dashboard_needs_a_login(client: Client, tree: Tree) -> None:
    response = client.get(dashboard_url(tree["commune"]))
    assert response.status_code == 302
    assert "login" in response["Location"] or "dang-nhap" in response["Location"]


def test_the_page_takes_the_same_queries_for_3_or_30_children(
    client: Client, tree: Tree, board: User
) -> None:
    client = logged_in(client, board)
    commune = tree["commune"]
    make_target(commune, 2026, 100)
    make_admission(tree["village"], date(2026, 3, 1))

    def queries() -> int:
        refresh_admissions()  # writes are taken into the admission facts once
        with CaptureQueriesContext(connection) as captured:
            assert client.get(dashboard_url(commune)).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    for _ in range(27):
        branch = org(Kind.BRANCH, commune)
        make_target(branch, 2026, 3)
        make_admission(branch, date(2026, 2, 1))
    assert queries() == few


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_the_dashboard_and_the_people_list_export(
    client: Client, kim_boi: Tree, board: User, fmt: str
) -> None:
    client = logged_in(client, board)
    response = client.get(dashboard_url(kim_boi["commune"], format=fmt))
    assert response.status_code == 200
    assert f'.{fmt}"' in response["Content-Disposition"]
    assert "ket-qua-ket-nap-2026-dang-bo-xa-an-binh" in response["Content-Disposition"]
    response = client.get(people_url(kim_boi["commune"], year=2026, format=fmt))
    assert response.status_code == 200
    assert "danh-sach-ket-nap-dang-bo-xa-an-binh" in response["Content-Disposition"]


def test_last_years_count_links_to_the_people_admitted_to_the_same_day(
    client: Client, tree: Tree, board: User
) -> None:
    make_admission(tree["village"], date(2025, 2, 1))
    make_admission(tree["village"], date(2025, 5, 31))
    make_admission(tree["village"], date(2025, 6, 1))  # after the same day last year
    client = logged_in(client, board)
    html = client.get(dashboard_url(tree["commune"])).content.decode()
    link = people_url(tree["commune"], year=2025, until="2025-05-31")
    assert f'href="{link.replace("&", "&amp;")}"' in html
    village = people_url(tree["village"], year=2025, until="2025-05-31")
    assert f'href="{village.replace("&", "&amp;")}"' in html
    html = client.get(link).content.decode()
    assert "2 người" in html
    assert "Từ ngày 01/01/2025 đến ngày 31/05/2025" in html


def test_an_unreadable_year_shows_this_year_and_says_so(client, tree) -> None:
    from dangvien.accounts.models import Role
    from dangvien.factories import user_with_role

    client.force_login(user_with_role(Role.BOARD_STAFF, tree["province"]))
    response = client.get(f"/thong-ke/{tree['province'].pk}/", {"year": "abc"})
    assert response.status_code == 200
    assert "Năm “abc” không hợp lệ" in response.content.decode()
