"""The one export helper behind every list page (core/listexport.py)."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.test import RequestFactory
from openpyxl import load_workbook

from dangvien.core import listexport
from dangvien.core.listexport import Column
from dangvien.core.tests.exportread import csv_rows, xlsx_rows, xlsx_sheet
from dangvien.factories import make_user

pytestmark = pytest.mark.django_db

ROWS = [
    {"name": "Nguyễn Thị Ánh Tuyết", "born": date(1990, 2, 3), "n": 12, "x": Decimal("7.5")},
    {"name": '=HYPERLINK("http://x")', "born": None, "n": 0, "x": None},
    {"name": "+84 912 345 678", "born": date(2001, 12, 31), "n": 3, "x": 1.25},
]
COLUMNS = [
    Column("Họ và tên", lambda r: r["name"]),
    Column("Ngày sinh", lambda r: r["born"]),
    Column("Số", lambda r: r["n"]),
    Column("Điểm", lambda r: r["x"]),
]


def _respond(fmt: str, **kw):
    request = RequestFactory().get("/x/", {"export": fmt})
    request.user = kw.get("user") or make_user(username=f"xuat.thu.{fmt}")
    return listexport.respond(
        fmt, ROWS, COLUMNS, request=request, title="Danh sách thử", filters=kw.get("filters", [])
    )


def test_only_xlsx_and_csv_are_export_requests():
    factory = RequestFactory()
    assert listexport.requested(factory.get("/x/", {"export": "xlsx"})) == "xlsx"
    assert listexport.requested(factory.get("/x/", {"export": "csv"})) == "csv"
    assert listexport.requested(factory.get("/x/", {"export": "pdf"})) == ""
    assert listexport.requested(factory.get("/x/")) == ""


def test_the_csv_is_utf8_with_a_bom_semicolons_and_dates_as_dd_mm_yyyy():
    response = _respond("csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = csv_rows(response)
    assert rows[0] == ["Họ và tên", "Ngày sinh", "Số", "Điểm"]
    assert rows[1] == ["Nguyễn Thị Ánh Tuyết", "03/02/1990", "12", "7,5"]
    assert rows[3][1] == "31/12/2001"


def test_text_a_spreadsheet_would_run_as_a_formula_is_kept_as_text():
    rows = csv_rows(_respond("csv"))
    assert rows[2][0] == '\'=HYPERLINK("http://x")'
    assert rows[3][0] == "+84 912 345 678"  # a phone number stays as it is
    xlsx = xlsx_rows(_respond("xlsx"))
    assert xlsx[2][0] == '=HYPERLINK("http://x")'
    book = load_workbook(io.BytesIO(_respond("xlsx", user=make_user()).content))
    assert book.active.cell(row=8, column=1).data_type == "s"


def test_the_xlsx_has_date_cells_and_a_header_naming_the_list_node_filters_and_time():
    response = _respond("xlsx", filters=[("Trạng thái", "Chính thức"), ("Tìm", "")])
    sheet = xlsx_sheet(response)
    assert sheet[0][0] == "Danh sách thử"
    assert sheet[1][0].startswith("Đơn vị:")
    assert sheet[2][0] == "Lọc: Trạng thái: Chính thức"
    assert sheet[3][0].startswith("Trích xuất lúc ") and "xuat.thu" in sheet[3][0]
    rows = xlsx_rows(response)
    assert rows[0] == ["Họ và tên", "Ngày sinh", "Số", "Điểm"]
    assert rows[1][0] == "Nguyễn Thị Ánh Tuyết"
    assert rows[1][1] == datetime(1990, 2, 3)
    assert rows[1][2] == 12
    book = load_workbook(io.BytesIO(response.content))
    assert book.active.cell(row=7, column=2).number_format == "dd/mm/yyyy"


def test_the_file_name_says_the_list_and_the_day_in_ascii_and_in_utf8():
    response = _respond("csv")
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="danh-sach-thu_')
    assert ".csv\"; filename*=UTF-8''Danh%20s%C3%A1ch%20th%E1%BB%AD%20" in disposition


def test_a_search_with_control_characters_still_exports_the_members_xlsx(client, tree):
    from dangvien.accounts.models import Role
    from dangvien.factories import make_member, user_with_role

    make_member(branch=tree["village"])
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    response = client.get("/dang-vien/", {"export": "xlsx", "q": "a\x01b\x1f"})
    assert response.status_code == 200
    lines = [row[0] for row in xlsx_sheet(response)[:4]]
    assert any("ab" in str(line) for line in lines)
    assert not any("\x01" in str(line) for line in lines)


def test_a_title_or_header_line_with_illegal_characters_is_cleaned():
    body = listexport.xlsx_bytes(
        ROWS, COLUMNS, header=["Danh\x02 sách", "=1+1", "Lọc: Tìm: a\x01b"], sheet="Danh\x02 sách"
    )
    book = load_workbook(io.BytesIO(body))
    sheet = book.worksheets[0]
    assert sheet.title == "Danh sách"
    assert [sheet.cell(n, 1).value for n in (1, 2, 3)] == ["Danh sách", "=1+1", "Lọc: Tìm: ab"]
    assert sheet.cell(2, 1).data_type == "s"
