"""The member structure of every tree of a user (/thong-ke/toan-quoc/co-cau/, issue 9):
each top node's figures side by side, as its own structure page shows them, and their
total."""

from datetime import date
from typing import Any

from django.test import Client
from django.urls import reverse

from dangvien.accounts.models import Role, RoleAssignment, User
from dangvien.factories import user_with_role
from dangvien.organisations.models import Organisation
from dangvien.stats.queries.structure import structure
from dangvien.stats.tests.test_structure_rollup import D, clock, counted, nation

Tree = dict[str, Organisation]
URL = "/thong-ke/toan-quoc/co-cau/"
__all__ = ["clock", "nation"]


def central(nation: Tree) -> User:
    user = user_with_role(Role.BOARD_STAFF, nation["province"])
    RoleAssignment.objects.create(user=user, organisation=nation["second"], role=Role.BOARD_STAFF)
    return user


def test_the_page_shows_each_province_as_its_own_page_counts_it(
    client: Client, nation: Tree
) -> None:
    client.force_login(central(nation))
    page = client.get(URL, {"by": "ethnicity"})
    assert page.status_code == 200
    rows = {r["figures"].organisation: r for r in page.context["children"]}
    assert set(rows) == {nation["province"], nation["second"]}
    for top, row in rows.items():
        assert counted(row["figures"]) == counted(structure(top, D).figures)
        assert row["url"] == reverse("stats:structure", args=[top.pk]) + "?by=ethnicity"
    assert page.context["result"].figures.total == 13
    text = page.content.decode()
    assert "Toàn quốc" in text and "Tỉnh ủy Thứ Hai" in text and "Theo dân tộc" in text


def test_the_national_page_exports_the_same_tables(client: Client, nation: Tree) -> None:
    client.force_login(central(nation))
    answer = client.get(URL, {"format": "xlsx"})
    assert answer.status_code == 200
    assert "co-cau-dang-vien-20260531-toan-quoc" in answer["Content-Disposition"]


def test_a_past_day_is_shown_for_every_province(client: Client, nation: Tree) -> None:
    client.force_login(central(nation))
    page = client.get(URL, {"on": "01/01/2012"})
    assert page.status_code == 200
    for row in page.context["children"]:
        top = row["figures"].organisation
        assert counted(row["figures"]) == counted(structure(top, date(2012, 1, 1)).figures)
    assert page.context["result"].figures.total == 13
    assert "Tại ngày 01/01/2012" in page.content.decode()


def test_a_bad_date_is_refused_with_a_vietnamese_message(client: Client, nation: Tree) -> None:
    client.force_login(central(nation))
    page = client.get(URL, {"on": "31/02/2026"})
    assert page.status_code == 400
    assert "Ngày thống kê" in page.context["error"]


def test_a_user_with_one_tree_is_sent_to_its_structure_page(client: Client, nation: Tree) -> None:
    client.force_login(user_with_role(Role.BOARD_STAFF, nation["commune"]))
    answer = client.get(URL, {"on": "01/01/2026"})
    assert answer.status_code == 302
    assert answer["Location"] == (
        reverse("stats:structure", args=[nation["commune"].pk]) + "?on=01%2F01%2F2026"
    )


def test_a_user_without_a_tree_gets_404(client: Client, nation: Tree) -> None:
    client.force_login(user_with_role(Role.AUDITOR, nation["province"]))
    assert client.get(URL).status_code == 404


def test_the_national_achievement_page_links_here(client: Client, nation: Tree) -> None:
    client.force_login(central(nation))
    page: Any = client.get("/thong-ke/toan-quoc/")
    assert f'href="{URL}"' in page.content.decode()
