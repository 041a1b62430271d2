"""The review periods list exports every period the user sees to XLSX and CSV (issue 8)."""

from datetime import date, datetime

import pytest

from dangvien.accounts.models import Role
from dangvien.core.tests.exportread import csv_rows, xlsx_rows, xlsx_sheet
from dangvien.factories import user_with_role
from dangvien.reviews.models import PeriodKind
from dangvien.reviews.tests.factories import make_period
from dangvien.reviews.views.periods import PERIOD_COLUMNS

pytestmark = pytest.mark.django_db

PERIODS = "/danh-gia/"


def _periods(tree):
    make_period(tree["commune"], 2026)
    make_period(tree["commune"], 2025, closed_on=date(2026, 1, 20))
    make_period(tree["province"], 2026, kind=PeriodKind.QUARTERLY, quarter=2, name="Quý II/2026")
    make_period(tree["other_commune"], 2026, name="Kỳ của xã khác")


def test_the_periods_csv_holds_every_period_of_the_page(client, tree):
    _periods(tree)
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    page = client.get(PERIODS)
    rows = csv_rows(client.get(PERIODS, {"export": "csv"}))
    assert rows[0] == [c.title for c in PERIOD_COLUMNS]
    assert [r[0] for r in rows[1:]] == [p.name for p in page.context["rows"]]
    assert len(rows) == 1 + 3
    closed = next(r for r in rows if r[2] == "2025")
    assert closed[5:] == ["01/01/2025", "31/12/2025", "Đã kết thúc", "20/01/2026"]
    assert "/danh-gia/?export=csv" in page.content.decode()


def test_the_periods_xlsx_has_its_heads_and_dates_as_dates(client, tree):
    _periods(tree)
    client.force_login(user_with_role(Role.GRASSROOTS_STAFF, tree["commune"]))
    response = client.get(PERIODS, {"export": "xlsx"})
    assert xlsx_sheet(response)[0][0] == "Kỳ kiểm điểm, đánh giá, xếp loại"
    rows = xlsx_rows(response)
    assert rows[0][:5] == ["Kỳ kiểm điểm", "Loại", "Năm", "Quý", "Cấp ủy mở kỳ"]
    quarter = next(r for r in rows[1:] if r[0] == "Quý II/2026")
    assert quarter[3] == 2 and quarter[5] == datetime(2026, 1, 1)


def test_the_periods_export_never_holds_a_period_outside_the_users_scope(client, tree):
    _periods(tree)
    client.force_login(user_with_role(Role.GRASSROOTS_STAFF, tree["commune"]))
    rows = csv_rows(client.get(PERIODS, {"export": "csv"}))
    assert len(rows) == 1 + 3 and "Kỳ của xã khác" not in [r[0] for r in rows]
