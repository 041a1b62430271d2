"""The round list exports all its filtered rows to XLSX and CSV, and the question bank's
Excel export has a CSV twin (issue 8)."""

from datetime import date, datetime

import pytest
from django.urls import reverse

from dangvien.accounts.models import Role
from dangvien.core.tests.exportread import csv_rows, xlsx_rows, xlsx_sheet
from dangvien.exams.models import QuestionType, RoundStatus
from dangvien.exams.spreadsheet import COLUMNS
from dangvien.exams.tests.factories import make_question
from dangvien.exams.tests.factories_rounds import new_round
from dangvien.exams.tests.factories_rounds import staff as staff_of
from dangvien.exams.views import rounds
from dangvien.factories import user_with_role

pytestmark = pytest.mark.django_db

ROUNDS = "/kiem-tra/dot/"


def _rounds(tree, staff):
    for n in range(3):
        new_round(
            tree["commune"], staff, name=f"Đợt {n + 1} năm 2026", held_on=date(2026, n + 1, 5)
        )
    new_round(tree["commune"], staff, name="Đợt năm 2025", held_on=date(2025, 6, 1))
    new_round(tree["other_commune"], staff_of(tree["other_commune"]), name="Đợt xã khác")


def test_the_round_csv_holds_every_round_of_the_year_not_just_the_page(
    client, tree, staff, monkeypatch
):
    _rounds(tree, staff)
    monkeypatch.setattr(rounds, "PAGE_SIZE", 2)
    client.force_login(staff)
    params = {"year": 2026, "organisation": tree["commune"].pk, "page": 2, "export": "csv"}
    rows = csv_rows(client.get(ROUNDS, params))
    assert rows[0] == [c.title for c in rounds.EXPORT_COLUMNS]
    assert [r[0] for r in rows[1:]] == ["Đợt 3 năm 2026", "Đợt 2 năm 2026", "Đợt 1 năm 2026"]
    assert rows[1][1:5] == [
        "05/03/2026",
        "Hội trường Đảng ủy xã",
        "Đảng bộ xã An Bình",
        "Đang chuẩn bị",
    ]
    assert rows[1][7] == "5,00"  # the decimal comma of Vietnamese settings


def test_the_round_xlsx_names_the_filters_and_keeps_dates_as_dates(client, tree, staff):
    _rounds(tree, staff)
    client.force_login(staff)
    response = client.get(ROUNDS, {"status": RoundStatus.DRAFT, "year": 2025, "export": "xlsx"})
    sheet = xlsx_sheet(response)
    assert sheet[0][0] == "Đợt kiểm tra nhận thức về Đảng"
    assert sheet[2][0] == f"Lọc: Năm: 2025; Tình trạng: {RoundStatus.DRAFT.label}"
    rows = xlsx_rows(response)
    assert rows[0][:3] == ["Đợt kiểm tra", "Ngày kiểm tra", "Địa điểm"]
    assert rows[1:] and [r[0] for r in rows[1:]] == ["Đợt năm 2025"]
    assert rows[1][1] == datetime(2025, 6, 1)
    assert rows[1][5:7] == [0, 0]


def test_the_round_export_stays_inside_the_users_scope(client, tree, staff):
    _rounds(tree, staff)
    client.force_login(staff)
    rows = csv_rows(client.get(ROUNDS, {"export": "csv"}))
    assert len(rows) == 1 + 4 and "Đợt xã khác" not in [r[0] for r in rows]
    outside = {"organisation": tree["other_commune"].pk, "export": "csv"}
    assert client.get(ROUNDS, outside).status_code == 404
    page = client.get(ROUNDS, {"year": 2026}).content.decode()
    assert "/kiem-tra/dot/?year=2026&amp;export=csv" in page


def test_the_bank_csv_has_the_import_columns_and_the_filtered_questions(client, tree, staff):
    make_question(tree["commune"], type=QuestionType.ESSAY, points=2, text="=Nêu vai trò")
    make_question(tree["commune"], text="Đảng Cộng sản Việt Nam ra đời năm nào?")
    make_question(tree["commune"], text="Câu thứ hai một lựa chọn")
    make_question(tree["other_commune"], text="Câu của xã khác")
    client.force_login(staff)
    url = reverse("exams:bank-export-csv")
    rows = csv_rows(client.get(url, {"type": QuestionType.SINGLE}))
    assert rows[0] == [c.label for c in COLUMNS]
    texts = sorted(r[[c.name for c in COLUMNS].index("text")] for r in rows[1:])
    assert texts == ["Câu thứ hai một lựa chọn", "Đảng Cộng sản Việt Nam ra đời năm nào?"]
    essay = csv_rows(client.get(url, {"type": QuestionType.ESSAY}))
    assert [r[3] for r in essay[1:]] == ["'=Nêu vai trò"]  # never a formula
    page = client.get(reverse("exams:bank"), {"type": QuestionType.SINGLE}).content.decode()
    assert "/kiem-tra/cau-hoi/xuat.csv?type=single" in page


def test_the_bank_csv_hides_the_keys_the_user_may_not_see(client, tree):
    make_question(tree["commune"])
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    rows = csv_rows(client.get(reverse("exams:bank-export-csv")))
    answer = [c.label for c in COLUMNS].index("Đáp án")
    assert len(rows) == 2 and rows[1][answer] == ""
