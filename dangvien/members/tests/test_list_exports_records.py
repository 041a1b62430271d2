"""The records lists (badges due, never readmit) and the monthly probation report export
all their filtered rows to XLSX and CSV (issue 8)."""

from datetime import date, datetime

import pytest
from django.urls import reverse

from dangvien.accounts.models import Role
from dangvien.core.tests.exportread import csv_rows, xlsx_rows, xlsx_sheet
from dangvien.factories import MemberFactory, make_member, make_person, user_with_role
from dangvien.members.actions.base import add_probationary_member
from dangvien.members.models import NeverReadmit, Status
from dangvien.members.views import records

pytestmark = pytest.mark.django_db

BADGES = "/dang-vien/huy-hieu/"
NEVER = "/dang-vien/khong-ket-nap-lai/"


@pytest.fixture
def board(tree):
    return user_with_role(Role.BOARD_STAFF, tree["commune"])


def _veterans(tree):
    for n in range(3):
        make_member(
            branch=tree["village"],
            admitted_on=date(1997, 1, 15),
            person=make_person(family_name="Phạm", given_name=f"Đức {n}"),
        )
    make_member(branch=tree["school_branch"], admitted_on=date(1997, 1, 15))
    make_member(branch=tree["village"], admitted_on=date(2000, 1, 1))  # not due yet
    make_member(
        branch=tree["other_branch"],
        admitted_on=date(1997, 1, 15),
        person=make_person(family_name="Ngoài"),
    )


def test_the_badges_due_csv_holds_every_due_member_of_the_chosen_branch(
    client, tree, board, monkeypatch
):
    _veterans(tree)
    monkeypatch.setattr(records, "PAGE_SIZE", 2)
    client.force_login(board)
    params = {"award_day": "2027-02-03", "organisation": tree["village"].pk, "page": 2}
    rows = csv_rows(client.get(BADGES, {**params, "export": "csv"}))
    assert rows[0][:4] == ["Họ và tên", "Ngày sinh", "Chi bộ", "Huy hiệu (năm tuổi Đảng)"]
    assert sorted(r[0] for r in rows[1:]) == ["Phạm Văn Đức 0", "Phạm Văn Đức 1", "Phạm Văn Đức 2"]
    assert {(r[2], r[3], r[6]) for r in rows[1:]} == {("Chi bộ thôn Đông", "30", "15/01/1997")}


def test_the_badges_due_xlsx_names_the_award_day_and_keeps_dates(client, tree, board):
    _veterans(tree)
    client.force_login(board)
    response = client.get(BADGES, {"award_day": "2027-02-03", "years": "30", "export": "xlsx"})
    sheet = xlsx_sheet(response)
    assert sheet[0][0] == "Đảng viên được xét tặng Huy hiệu Đảng"
    assert sheet[2][0] == "Lọc: Dịp trao tặng: 03/02/2027; Huy hiệu: 30 năm tuổi Đảng"
    rows = xlsx_rows(response)
    assert rows[0] == [c.title for c in records.BADGE_COLUMNS]
    assert len(rows) == 1 + 4
    assert {r[6] for r in rows[1:]} == {datetime(1997, 1, 15)}


def test_the_badges_due_export_stays_inside_the_scope(client, tree, board):
    _veterans(tree)
    client.force_login(board)
    rows = csv_rows(client.get(BADGES, {"award_day": "2027-02-03", "export": "csv"}))
    assert not any(r[0].startswith("Ngoài") for r in rows)
    outside = {"organisation": tree["other_branch"].pk, "export": "csv"}
    assert client.get(BADGES, outside).status_code == 404


def _left(tree):
    for n, reason in enumerate([NeverReadmit.LEFT_MEETINGS, NeverReadmit.CORRUPTION]):
        make_member(
            branch=tree["village"],
            status=Status.REMOVED,
            left_on=date(2023, 4, n + 1),
            never_readmit=reason,
            person=make_person(family_name="Hoàng", given_name=f"Thị Lụa {n}"),
        )
    make_member(branch=tree["school_branch"], status=Status.EXPELLED, never_readmit="disunity")
    make_member(branch=tree["village"], status=Status.REMOVED, left_on=date(2022, 1, 1))
    make_member(
        branch=tree["other_branch"],
        status=Status.REMOVED,
        never_readmit=NeverReadmit.LEFT_MEETINGS,
        person=make_person(family_name="Ngoài"),
    )


def test_the_never_readmit_csv_holds_every_listed_person_of_the_branch(
    client, tree, board, monkeypatch
):
    _left(tree)
    monkeypatch.setattr(records, "PAGE_SIZE", 1)
    client.force_login(board)
    response = client.get(NEVER, {"organisation": tree["village"].pk, "export": "csv"})
    rows = csv_rows(response)
    assert rows[0] == [c.title for c in records.NEVER_READMIT_COLUMNS]
    assert [r[0] for r in rows[1:]] == ["Hoàng Văn Thị Lụa 1", "Hoàng Văn Thị Lụa 0"]
    assert rows[1][4:] == ["02/04/2023", "Bị kết án về tội tham nhũng"]


def test_the_never_readmit_xlsx_has_its_heads_and_dates_as_dates(client, tree, board):
    _left(tree)
    client.force_login(board)
    rows = xlsx_rows(client.get(NEVER, {"export": "xlsx"}))
    assert rows[0] == [c.title for c in records.NEVER_READMIT_COLUMNS]
    assert len(rows) == 1 + 3
    assert rows[1][4] == datetime(2023, 4, 2)
    assert not any(str(r[0]).startswith("Ngoài") for r in rows)


def test_the_never_readmit_export_answers_404_for_a_branch_outside_the_scope(client, tree, board):
    client.force_login(board)
    outside = {"organisation": tree["other_branch"].pk, "export": "xlsx"}
    assert client.get(NEVER, outside).status_code == 404


def test_both_records_pages_link_to_their_exports(client, tree, board):
    _veterans(tree)
    _left(tree)
    client.force_login(board)
    for url in (BADGES, NEVER):
        page = client.get(url, {"organisation": tree["village"].pk}).content.decode()
        assert f"organisation={tree['village'].pk}&amp;export=csv" in page, url


# ---- the monthly probation report ----------------------------------------------------------


def _probationer(branch, **person):
    MemberFactory.create_batch(1, branch=branch)
    return add_probationary_member(
        make_person(**person),
        branch=branch,
        admitted_on=date(2025, 5, 15),
        decision_no="QĐ-5",
        ceremony_on=date(2026, 3, 2),
        by=None,
    )


def test_the_monthly_report_csv_has_the_workbooks_columns_and_every_row(client, tree):
    from dangvien.members.views import probation

    for n in range(3):
        _probationer(tree["village"], family_name="Lê", given_name=f"Hoa {n}")
    _probationer(tree["other_branch"], family_name="Ngoài")
    client.force_login(user_with_role(Role.GRASSROOTS_STAFF, tree["commune"]))
    url = reverse("members:probation-report-csv")
    rows = csv_rows(client.get(url, {"month": "2026-09"}))
    assert rows[0] == [title for title, _width in probation.HEADERS]
    assert sorted(r[1] for r in rows[1:]) == ["Lê Văn Hoa 0", "Lê Văn Hoa 1", "Lê Văn Hoa 2"]
    assert [r[0] for r in rows[1:]] == ["1", "2", "3"]
    assert {(r[4], r[6]) for r in rows[1:]} == {("02/03/2026", "6/12")}
    page = client.get(reverse("members:probation-report"), {"month": "2026-09"})
    assert "/dang-vien/du-bi/bao-cao.csv?month=2026-09" in page.content.decode()


def test_the_monthly_report_csv_answers_404_outside_the_scope(client, tree):
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    url = reverse("members:probation-report-csv")
    assert client.get(url, {"organisation": tree["other_branch"].pk}).status_code == 404
