"""The screening case list exports all its filtered cases to XLSX and CSV (issue 8)."""

from datetime import date, datetime

import pytest

from dangvien.accounts.models import Role
from dangvien.core.tests.exportread import csv_rows, xlsx_rows, xlsx_sheet
from dangvien.factories import make_member, make_person, user_with_role
from dangvien.screening import views
from dangvien.screening.models import State
from dangvien.screening.tests.factories import make_case

pytestmark = pytest.mark.django_db

CASES = "/sang-loc/"


def _cases(tree):
    for n in range(3):
        member = make_member(
            branch=tree["village"], person=make_person(family_name="Đinh", given_name=f"Khoa {n}")
        )
        make_case(member, ballot_on=date(2026, 3, n + 1), resolution_no=f"{n + 1}-NQ/CB")
    make_case(make_member(branch=tree["village"]), State.NOT_LISTED)
    make_case(make_member(branch=tree["school_branch"]), ballot_on=date(2025, 3, 1))
    make_case(make_member(branch=tree["other_branch"], person=make_person(family_name="Ngoài")))


@pytest.fixture
def commune_staff(tree):
    return user_with_role(Role.GRASSROOTS_STAFF, tree["commune"])


def test_the_case_csv_holds_every_filtered_case_not_just_the_page(
    client, tree, commune_staff, monkeypatch
):
    _cases(tree)
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client.force_login(commune_staff)
    params = {"node": tree["village"].pk, "state": State.LISTED, "page": 2, "export": "csv"}
    rows = csv_rows(client.get(CASES, params))
    assert rows[0] == [c.title for c in views.EXPORT_COLUMNS]
    assert [r[0] for r in rows[1:]] == ["Đinh Văn Khoa 2", "Đinh Văn Khoa 1", "Đinh Văn Khoa 0"]
    assert rows[1][2:5] == ["Chi bộ thôn Đông", "03/03/2026", "3"]
    assert rows[1][7:9] == ["3-NQ/CB", str(State.LISTED.label)]


def test_the_case_xlsx_names_the_node_and_filters_and_keeps_dates(client, tree, commune_staff):
    _cases(tree)
    client.force_login(commune_staff)
    response = client.get(CASES, {"state": "open", "year": 2026, "export": "xlsx"})
    sheet = xlsx_sheet(response)
    assert sheet[1][0] == "Đơn vị: Đảng bộ xã An Bình"
    assert sheet[2][0] == "Lọc: Trạng thái: Đang giải quyết; Năm bỏ phiếu: 2026"
    rows = xlsx_rows(response)
    assert rows[0][:4] == ["Đảng viên", "Ngày sinh", "Chi bộ", "Ngày bỏ phiếu"]
    assert len(rows) == 1 + 3
    assert rows[1][3] == datetime(2026, 3, 3)


def test_the_case_export_stays_inside_the_users_scope(client, tree, commune_staff):
    _cases(tree)
    client.force_login(commune_staff)
    rows = csv_rows(client.get(CASES, {"export": "csv"}))
    assert len(rows) == 1 + 5 and not any(r[0].startswith("Ngoài") for r in rows)
    outside = {"node": tree["other_branch"].pk, "export": "csv"}
    assert client.get(CASES, outside).status_code == 404
    page = client.get(CASES, {"year": 2026}).content.decode()
    assert "/sang-loc/?year=2026&amp;export=csv" in page
