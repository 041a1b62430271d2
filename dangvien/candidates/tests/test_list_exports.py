"""The candidate list exports all its filtered rows to XLSX and CSV (issue 8)."""

from datetime import datetime

import pytest

from dangvien.accounts.models import Role
from dangvien.candidates.models import Stage
from dangvien.core.tests.exportread import csv_rows, xlsx_rows, xlsx_sheet
from dangvien.factories import make_candidate, make_person, user_with_role

pytestmark = pytest.mark.django_db


def _cast(tree):
    for n in range(3):
        make_candidate(
            branch=tree["village"], person=make_person(family_name="Trần", given_name=f"Ánh {n}")
        )
    make_candidate(branch=tree["village"], stage=Stage.WITHDRAWN)
    make_candidate(branch=tree["school_branch"])
    make_candidate(
        branch=tree["other_branch"], person=make_person(family_name="Ngoài", given_name="Vùng")
    )


def test_the_csv_holds_every_filtered_row_not_just_the_page(client, tree, settings):
    _cast(tree)
    client.force_login(user_with_role(Role.GRASSROOTS_STAFF, tree["commune"]))
    from dangvien.candidates import views

    views.PAGE_SIZE = 2  # the page shows two; the export still holds all
    try:
        response = client.get(
            "/quan-chung/",
            {
                "stage": Stage.CANDIDATE,
                "organisation": tree["village"].pk,
                "export": "csv",
                "page": 2,
            },
        )
    finally:
        views.PAGE_SIZE = 50
    rows = csv_rows(response)
    assert rows[0][:2] == ["Họ và tên", "Ngày sinh"]
    assert sorted(r[0] for r in rows[1:]) == ["Trần Văn Ánh 0", "Trần Văn Ánh 1", "Trần Văn Ánh 2"]
    assert {r[3] for r in rows[1:]} == {"Chi bộ thôn Đông"}
    assert rows[1][1] == "17/05/1995"


def test_the_xlsx_names_the_node_and_filters_and_keeps_dates_as_dates(client, tree):
    _cast(tree)
    client.force_login(user_with_role(Role.GRASSROOTS_STAFF, tree["commune"]))
    response = client.get("/quan-chung/", {"q": "tran", "export": "xlsx"})
    sheet = xlsx_sheet(response)
    assert sheet[1][0] == "Đơn vị: Đảng bộ xã An Bình"
    assert sheet[2][0] == "Lọc: Tìm: tran"
    rows = xlsx_rows(response)
    assert len(rows) == 4
    assert rows[1][1] == datetime(1995, 5, 17)
    assert ".xlsx" in response["Content-Disposition"]


def test_the_export_never_holds_a_candidate_outside_the_users_scope(client, tree):
    _cast(tree)
    client.force_login(user_with_role(Role.GRASSROOTS_STAFF, tree["commune"]))
    rows = csv_rows(client.get("/quan-chung/", {"export": "csv"}))
    assert len(rows) == 1 + 5
    assert not any("Ngoài" in r[0] for r in rows)
    outside = {"organisation": tree["other_branch"].pk, "export": "csv"}
    assert client.get("/quan-chung/", outside).status_code == 404


def test_the_list_page_links_to_both_exports_with_its_filters(client, tree):
    _cast(tree)
    client.force_login(user_with_role(Role.GRASSROOTS_STAFF, tree["commune"]))
    page = client.get("/quan-chung/", {"q": "tran", "page": 1}).content.decode()
    assert "/quan-chung/?q=tran&amp;export=xlsx" in page
    assert "/quan-chung/?q=tran&amp;export=csv" in page
