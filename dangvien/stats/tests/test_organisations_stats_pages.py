"""The organisation statistics page (stats.views.structure: ``/thong-ke/<org_pk>/to-chuc/``)."""

import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from dangvien.accounts.models import Role, User
from dangvien.factories import make_member, make_person, user_with_role
from dangvien.organisations.models import Organisation, Sector, Village
from dangvien.stats.report import Table
from dangvien.stats.views.structure import organisations_report

Tree = dict[str, Organisation]
TODAY = date(2026, 5, 31)


pytestmark = pytest.mark.usefixtures("frozen_today")  # TODAY above (conftest.py)


@pytest.fixture
def leader(tree: Tree) -> User:
    return user_with_role(Role.LEADER, tree["province"])


@pytest.fixture
def villages(tree: Tree) -> Tree:
    Organisation.objects.filter(pk=tree["school"].pk).update(sector=Sector.PUBLIC_SERVICE)
    east = Village.objects.create(
        organisation=tree["commune"],
        org_path=tree["commune"].path,
        name="Thôn Đông",
        branch=tree["village"],
    )
    Village.objects.create(
        organisation=tree["commune"],
        org_path=tree["commune"].path,
        name="Thôn Tây",
        branch=tree["village"],
    )
    make_member(branch=tree["village"], person=make_person(village=east))
    return tree


def url(node: Organisation, query: str = "") -> str:
    return reverse("stats:organisations", args=[node.pk]) + (f"?{query}" if query else "")


def test_the_page_shows_grassroots_organisations_by_sector_and_villages_without_members(
    client: Client, villages: Tree, leader: User
) -> None:
    client.force_login(leader)
    response = client.get(url(villages["province"]))
    assert response.status_code == 200
    html = re.sub(r"\s+", " ", response.content.decode())
    assert "Thống kê tổ chức đảng" in html
    assert re.search(r"Đơn vị sự nghiệp</td><td class=\"num\">1</td><td class=\"num\">50,0%", html)
    assert re.search(r"Chưa phân loại</td><td class=\"num\">1</td><td class=\"num\">50,0%", html)
    assert re.search(
        r"trong đó: chưa có đảng viên</td><td class=\"num\">1</td><td class=\"num\">50,0%", html
    )
    commune_link = url(villages["commune"])
    assert f'href="{commune_link}"' in html


def test_the_children_link_keeps_the_date(client: Client, villages: Tree, leader: User) -> None:
    client.force_login(leader)
    html = client.get(url(villages["province"], "on=01/01/2026")).content.decode()
    assert url(villages["commune"], "on=01%2F01%2F2026") in html


def test_a_bad_date_is_refused_with_a_vietnamese_message(
    client: Client, villages: Tree, leader: User
) -> None:
    client.force_login(leader)
    response = client.get(url(villages["province"], "on=abc"))
    assert response.status_code == 400
    assert "Ngày thống kê “abc” không hợp lệ" in response.content.decode()


def test_a_node_outside_the_users_subtree_answers_404(client: Client, villages: Tree) -> None:
    secretary = user_with_role(Role.BRANCH_SECRETARY, villages["village"])
    client.force_login(secretary)
    assert client.get(url(villages["commune"])).status_code == 404
    assert client.get(url(villages["village"])).status_code == 200


def test_the_page_exports_to_xlsx_and_pdf(client: Client, villages: Tree, leader: User) -> None:
    client.force_login(leader)
    for fmt in ("xlsx", "pdf"):
        response = client.get(url(villages["province"], f"format={fmt}"))
        assert response.status_code == 200
        assert "to-chuc-dang-20260531-" in response["Content-Disposition"]
        assert len(response.content) > 500


def test_the_report_holds_the_page_figures(villages: Tree) -> None:
    from dangvien.stats.queries.organisations import organisation_stats

    report = organisations_report(organisation_stats(villages["province"], TODAY))
    sectors = report.sections[0]
    assert isinstance(sectors, Table)
    assert ["Đơn vị sự nghiệp", 1, 50.0] in sectors.rows
    children = report.sections[-1]
    assert isinstance(children, Table) and children.total is not None
    assert children.total[0] == "Tổng cộng"
