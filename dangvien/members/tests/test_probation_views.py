"""Wiring of the probation pages: the member page's panel and moves, the list of members
due for recognition, the monthly report and its Excel export (login, scope 404, role 403,
rules refused with their Vietnamese message, flat query counts)."""

import re
from datetime import date
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from dangvien.accounts.models import Role
from dangvien.auditlog.models import AccessEvent
from dangvien.factories import MemberFactory, make_member, make_person, user_with_role
from dangvien.members.actions.base import add_probationary_member
from dangvien.members.models import Member, Mentorship, ProbationReport, ReportKind, Status

pytestmark = pytest.mark.django_db


def probationer(branch, ceremony_on=date(2025, 6, 2), officials=3, **person):
    MemberFactory.create_batch(officials, branch=branch)
    return add_probationary_member(
        make_person(**person),
        branch=branch,
        admitted_on=date(2025, 5, 15),
        decision_no="QĐ-5",
        ceremony_on=ceremony_on,
        by=None,
    )


@pytest.fixture
def secretary(tree):
    return user_with_role(Role.BRANCH_SECRETARY, tree["village"])


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# ---- the member page ---------------------------------------------------------------------


def test_the_member_page_shows_the_probation_panel_and_its_moves(client, tree, secretary):
    member = probationer(tree["village"])
    helper = Member.objects.filter(branch=tree["village"], status=Status.OFFICIAL)[0]
    Mentorship.objects.create(member=member, mentor=helper, from_on=date(2025, 6, 2))
    ProbationReport.objects.create(
        member=member,
        kind=ReportKind.MENTOR,
        period=date(2025, 6, 1),
        filed_on=date(2025, 6, 30),
        text="Tốt",
        assessment="good",
    )
    client.force_login(secretary)
    page = client.get(reverse("members:detail", args=[member.pk])).content.decode()
    assert "Dự bị và công nhận chính thức" in page
    assert helper.person.full_name in page
    # July 2025 – May 2026 without the mentor's report, June 2025 – May 2026 without a
    # self-review.
    assert "Còn thiếu 11 kỳ nhận xét của đảng viên giúp đỡ, 12 kỳ tự kiểm điểm" in page
    assert "Chưa có giấy chứng nhận" in page
    assert 'data-move="assign-mentor"' in page
    assert 'data-move="record-recognition-vote"' in page
    assert 'data-move="decide-recognition"' not in page  # not at that step, nor that role


def test_an_official_member_without_probation_records_has_no_panel(client, tree, secretary):
    member = make_member(branch=tree["village"])
    client.force_login(secretary)
    page = client.get(reverse("members:detail", args=[member.pk])).content.decode()
    assert "Dự bị và công nhận chính thức" not in page


def test_filing_a_self_review_through_the_page_works(client, tree, secretary):
    """The period field used to run CharField's length check on the cleaned date (500)."""
    member = probationer(tree["village"])
    client.force_login(secretary)
    response = client.post(
        reverse("members:move", args=[member.pk, "file-self-review"]),
        {
            "file-self-review-period": "07/2025",
            "file-self-review-filed_on": "31/07/2025",
            "file-self-review-assessment": "good",
            "file-self-review-text": "Hoàn thành nhiệm vụ được giao.",
        },
    )
    assert response.status_code == 302, response.content.decode()
    report = ProbationReport.objects.get(member=member, kind=ReportKind.SELF)
    assert report.period == date(2025, 7, 1)


def test_assigning_a_mentor_through_the_page_works(client, tree, secretary):
    member = probationer(tree["village"])
    helper = Member.objects.filter(branch=tree["village"], status=Status.OFFICIAL)[0]
    client.force_login(secretary)
    response = client.post(
        reverse("members:move", args=[member.pk, "assign-mentor"]),
        {"assign-mentor-mentor_id": helper.pk, "assign-mentor-from_on": "02/06/2025"},
    )
    assert response.status_code == 302
    assert Mentorship.objects.get(member=member).mentor == helper
    again = client.post(
        reverse("members:move", args=[member.pk, "assign-mentor"]),
        {"assign-mentor-mentor_id": helper.pk, "assign-mentor-from_on": "01/07/2025"},
        headers={"HX-Request": "true"},
    )
    assert again.status_code == 409
    assert "đang là đảng viên giúp đỡ" in again.content.decode()
    assert Mentorship.objects.filter(member=member).count() == 1


def test_the_committee_decides_recognition_through_the_page(client, tree, secretary):
    """294-QĐ/TW §4.2: official from the end of the 12 months (02/06/2026)."""
    member = probationer(tree["village"], officials=6)
    client.force_login(secretary)
    for move, data in (
        ("record-new-member-course", {"certificate_no": "ĐVM-1", "issued_on": "15/09/2025"}),
        (
            "record-recognition-vote",
            {
                "held_on": "10/06/2026",
                "in_favour": "6",
                "against": "0",
                "exempted_present": "0",
                "resolution_no": "NQ-1",
            },
        ),
    ):
        posted = {f"{move}-{k}": v for k, v in data.items()}
        response = client.post(reverse("members:move", args=[member.pk, move]), posted)
        assert response.status_code == 302, response.content.decode()
    client.force_login(user_with_role(Role.BOARD_STAFF, tree["commune"]))
    page = client.get(reverse("members:detail", args=[member.pk])).content.decode()
    assert 'data-move="decide-recognition"' in page
    assert 'data-move="extend-recognition-deadline"' in page
    assert "Hạn cấp ủy quyết định" in page and "22/07/2026" in page
    response = client.post(
        reverse("members:move", args=[member.pk, "decide-recognition"]),
        {
            "decide-recognition-recognised": "1",
            "decide-recognition-decision_no": "QĐ-9",
            "decide-recognition-decided_on": "01/07/2026",
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.status, member.official_on) == (Status.OFFICIAL, date(2026, 6, 2))


def test_a_refused_rule_answers_409_with_its_vietnamese_message(client, tree, secretary):
    """Charter Art. 5: the chi bộ votes only when the 12 months have ended."""
    member = probationer(tree["village"], date(2026, 3, 2))
    client.force_login(secretary)
    response = client.post(
        reverse("members:move", args=[member.pk, "record-recognition-vote"]),
        {
            "record-recognition-vote-held_on": "02/11/2026",
            "record-recognition-vote-in_favour": "3",
            "record-recognition-vote-against": "0",
            "record-recognition-vote-exempted_present": "0",
            "record-recognition-vote-resolution_no": "NQ-1",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 409
    assert "Chưa hết 12 tháng dự bị (đến 02/03/2027)" in response.content.decode()
    assert not member.proceedings.exists()


def test_bad_input_answers_400(client, tree, secretary):
    member = probationer(tree["village"])
    client.force_login(secretary)
    response = client.post(
        reverse("members:move", args=[member.pk, "file-self-review"]),
        {"file-self-review-period": "13/2025", "file-self-review-text": "x"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert "Nhập tháng dạng mm/yyyy" in response.content.decode()


def test_the_secretary_may_not_decide_recognition(client, tree, secretary):
    member = probationer(tree["village"])
    client.force_login(secretary)
    response = client.post(
        reverse("members:move", args=[member.pk, "decide-recognition"]),
        {"decide-recognition-recognised": "1"},
    )
    assert response.status_code == 403


def test_a_member_outside_the_scope_answers_404(client, tree, secretary):
    member = probationer(tree["other_branch"])
    client.force_login(secretary)
    assert client.get(reverse("members:detail", args=[member.pk])).status_code == 404
    response = client.post(
        reverse("members:move", args=[member.pk, "file-self-review"]),
        {"file-self-review-period": "06/2025", "file-self-review-text": "x"},
    )
    assert response.status_code == 404


# ---- due for recognition -------------------------------------------------------------------


def test_the_due_page_lists_the_scope_with_days_left(client, tree, secretary):
    """294-QĐ/TW §4.2: vote due 30 working days after the 12 months; overdue highlighted."""
    late = probationer(tree["village"], date(2025, 6, 2), given_name="Muộn")
    probationer(tree["village"], date(2026, 6, 2), given_name="Sau")  # due in 2027
    probationer(tree["other_branch"], date(2025, 6, 2), given_name="Ngoài")
    client.force_login(secretary)
    page = client.get(reverse("members:probation-due")).content.decode()
    assert "Đảng viên dự bị sắp đến hạn công nhận" in page
    assert late.person.full_name in page
    assert "14/07/2026" in page  # the vote due date
    assert 'class="overdue"' in page
    assert "Ngoài" not in page and "Sau" not in page
    everyone = client.get(reverse("members:probation-due"), {"within": "all"}).content.decode()
    assert "Sau" in everyone and "Ngoài" not in everyone


def test_the_due_page_filters_by_a_visible_organisation_and_404s_outside(client, tree, secretary):
    board = user_with_role(Role.BOARD_STAFF, tree["commune"])
    probationer(tree["school_branch"], date(2025, 6, 2), given_name="Trường")
    probationer(tree["village"], date(2025, 6, 2), given_name="Thôn")
    client.force_login(board)
    url = reverse("members:probation-due")
    page = client.get(url, {"organisation": tree["school"].pk}).content.decode()
    assert "Trường" in page and "Thôn" not in page
    assert client.get(url, {"organisation": tree["other_commune"].pk}).status_code == 404
    client.force_login(secretary)
    assert client.get(url, {"organisation": tree["school"].pk}).status_code == 404


def test_the_due_page_runs_the_same_queries_for_2_or_12_rows(client, tree, secretary):
    client.force_login(secretary)
    url = reverse("members:probation-due") + "?within=all"
    for _ in range(2):
        probationer(tree["village"], officials=0)
    few = _queries(client, url)
    for _ in range(10):
        probationer(tree["village"], officials=0)
    assert _queries(client, url) == few


def test_the_due_page_asks_for_login(client):
    response = client.get(reverse("members:probation-due"))
    assert response.status_code == 302


# ---- the monthly report ------------------------------------------------------------------


def test_the_monthly_report_page_shows_each_probationary_member(client, tree, secretary):
    member = probationer(tree["village"], date(2026, 3, 2))
    helper = Member.objects.filter(branch=tree["village"], status=Status.OFFICIAL)[0]
    Mentorship.objects.create(member=member, mentor=helper, from_on=date(2026, 3, 2))
    ProbationReport.objects.create(
        member=member,
        kind=ReportKind.MENTOR,
        period=date(2026, 9, 1),
        filed_on=date(2026, 9, 28),
        text="…",
        assessment="good",
    )
    client.force_login(secretary)
    page = client.get(reverse("members:probation-report"), {"month": "2026-09"})
    text = page.content.decode()
    assert "Báo cáo tình hình đảng viên dự bị tháng 09/2026" in text
    assert member.person.full_name in text and helper.person.full_name in text
    assert "chưa nộp" in text  # no self-review for September
    assert "6/12" in text
    assert "Chi bộ thôn Đông" in text


def test_a_bad_month_falls_back_to_this_month_with_a_message(client, tree, secretary):
    client.force_login(secretary)
    page = client.get(reverse("members:probation-report"), {"month": "2026-13"})
    assert page.status_code == 200
    assert "Tháng không hợp lệ" in page.content.decode()


def test_the_monthly_report_404s_outside_the_scope(client, tree, secretary):
    client.force_login(secretary)
    url = reverse("members:probation-report")
    assert client.get(url, {"organisation": tree["other_branch"].pk}).status_code == 404
    xlsx = reverse("members:probation-report-xlsx")
    assert client.get(xlsx, {"organisation": tree["other_branch"].pk}).status_code == 404


def test_the_monthly_report_runs_the_same_queries_for_2_or_12_rows(client, tree, secretary):
    client.force_login(secretary)
    url = reverse("members:probation-report") + "?month=2026-09"
    for _ in range(2):
        probationer(tree["village"], date(2026, 3, 2), officials=1)
    few = _queries(client, url)
    for _ in range(10):
        probationer(tree["village"], date(2026, 3, 2), officials=1)
    assert _queries(client, url) == few


def test_the_excel_export_has_the_header_and_a_row_per_member(client, tree, secretary):
    member = probationer(tree["village"], date(2026, 3, 2), family_name="Lê", given_name="Hoa")
    helper = Member.objects.filter(branch=tree["village"], status=Status.OFFICIAL)[0]
    Mentorship.objects.create(member=member, mentor=helper, from_on=date(2026, 3, 2))
    ProbationReport.objects.create(
        member=member,
        kind=ReportKind.SELF,
        period=date(2026, 9, 1),
        filed_on=date(2026, 9, 29),
        text="…",
        assessment="fair",
    )
    client.force_login(secretary)
    response = client.get(reverse("members:probation-report-xlsx"), {"month": "2026-09"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert re.search(
        r'filename="bao-cao-dang-vien-du-bi-thang-09-2026_[0-9_-]+_\w+',
        response["Content-Disposition"],
    )
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet.oddFooter.left.text.startswith("Trích xuất bởi ")  # issue 9
    event = AccessEvent.objects.get(kind="export")
    assert (event.rows, event.user_id) == (1, secretary.pk)
    assert sheet["A1"].value == "BÁO CÁO TÌNH HÌNH ĐẢNG VIÊN DỰ BỊ THÁNG 09/2026"
    assert sheet["A2"].value == "Đơn vị: Chi bộ thôn Đông"
    assert sheet["A3"].value.startswith("Ngày trích xuất: ")
    assert sheet["B5"].value == "Họ và tên"
    assert sheet["B5"].font.bold
    assert sheet["J5"].value == "Nhận xét của đảng viên giúp đỡ"
    assert sheet.column_dimensions["B"].width == 26
    assert sheet["A6"].value == 1
    assert sheet["B6"].value == member.person.full_name
    assert sheet["E6"].value.date() == date(2026, 3, 2)
    assert sheet["E6"].number_format == "DD/MM/YYYY"
    assert sheet["G6"].value == "6/12"
    assert sheet["H6"].value == helper.person.full_name
    assert sheet["J6"].value == "chưa nộp"
    assert sheet["K6"].value == "Khá (lập 29/09/2026)"
    assert sheet["L6"].value == "Chưa có"
    assert sheet["A7"].value is None
