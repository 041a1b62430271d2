"""The members' list pages export all their filtered rows to XLSX and CSV (issue 8)."""

from datetime import datetime

import pytest

from dangvien.accounts.models import Role
from dangvien.core.tests.exportread import csv_rows, xlsx_rows, xlsx_sheet
from dangvien.factories import make_member, make_person, user_with_role
from dangvien.members.models import Status

pytestmark = pytest.mark.django_db


def _members(tree):
    for n in range(3):
        make_member(
            branch=tree["village"], person=make_person(family_name="Lê", given_name=f"Hưởng {n}")
        )
    make_member(branch=tree["village"], status=Status.PROBATIONARY, official_on=None)
    make_member(branch=tree["other_branch"], person=make_person(family_name="Ngoài"))


def test_the_member_list_exports_every_filtered_row(client, tree):
    _members(tree)
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    rows = csv_rows(client.get("/dang-vien/", {"status": Status.OFFICIAL, "export": "csv"}))
    assert rows[0][0] == "Họ và tên"
    assert sorted(r[0] for r in rows[1:]) == ["Lê Văn Hưởng 0", "Lê Văn Hưởng 1", "Lê Văn Hưởng 2"]
    assert {r[4] for r in rows[1:]} == {str(Status.OFFICIAL.label)}
    assert rows[1][7] == "01/03/2010"


def test_the_member_list_xlsx_names_the_filters_and_keeps_dates(client, tree):
    _members(tree)
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    response = client.get("/dang-vien/", {"status": Status.PROBATIONARY, "export": "xlsx"})
    assert xlsx_sheet(response)[2][0] == "Lọc: Trạng thái: Đảng viên dự bị"
    rows = xlsx_rows(response)
    assert len(rows) == 2
    assert rows[1][7] == datetime(2010, 3, 1)


def test_the_member_export_stays_inside_the_users_scope(client, tree):
    _members(tree)
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    rows = csv_rows(client.get("/dang-vien/", {"export": "csv"}))
    assert len(rows) == 1 + 4 and not any("Ngoài" in r[0] for r in rows)
    outside = {"organisation": tree["other_branch"].pk, "export": "xlsx"}
    assert client.get("/dang-vien/", outside).status_code == 404


OTHER_PAGES = [
    ("/dang-vien/ra-khoi-dang/", "organisation"),
    ("/dang-vien/chuyen-sinh-hoat/", "organisation"),
    ("/dang-vien/lam-an-xa/", "organisation"),
    ("/dang-vien/sinh-hoat/", "branch"),
    ("/dang-vien/du-bi/", "organisation"),
]


@pytest.mark.parametrize(("url", "node"), OTHER_PAGES)
def test_each_members_list_page_exports_as_many_rows_as_it_counts(client, tree, url, node):
    from datetime import date

    make_member(
        branch=tree["village"],
        status=Status.EXITED,
        left_on=date.today(),
        person=make_person(family_name="Đỗ", given_name="Thành"),
    )
    make_member(
        branch=tree["village"],
        status=Status.PROBATIONARY,
        official_on=None,
        probation_started_on=date.today().replace(year=date.today().year - 1),
    )
    make_member(branch=tree["village"], far_away_since=date(2024, 1, 1), far_away_place="Đà Nẵng")
    make_member(branch=tree["village"], temporarily_away_since=date.today())
    client.force_login(user_with_role(Role.GRASSROOTS_STAFF, tree["commune"]))
    page = client.get(url)
    assert page.status_code == 200
    count = page.context["page"].paginator.count
    rows = csv_rows(client.get(url, {"export": "csv"}))
    assert len(rows) == 1 + count
    if count:
        assert "export=csv" in page.content.decode()
    assert xlsx_rows(client.get(url, {"export": "xlsx"}))[0] == rows[0]
    outside = {node: tree["other_branch"].pk, "export": "csv"}
    assert client.get(url, outside).status_code == 404
