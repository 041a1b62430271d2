"""Pages of the probation area, and its part of the member's page.

- ``members:probation-due``: đảng viên dự bị sắp đến hạn công nhận, with days left;
- ``members:probation-report``, ``members:probation-report-xlsx`` and ``-csv``: the monthly
  report to the superior committee of each probationary member's progress (a page, an
  Excel workbook and a CSV).
"""

from datetime import date
from io import BytesIO
from operator import itemgetter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from dangvien.core import listexport
from dangvien.core.dates import parse_month
from dangvien.core.http import AuthedRequest
from dangvien.core.text import is_number
from dangvien.members import queries
from dangvien.members.models import Member, Status
from dangvien.members.queries import probation as q
from dangvien.organisations.models import Organisation
from dangvien.organisations.queries import units_managed_by, visible_organisations

PAGE_SIZE = 50
REPORT_PAGE_SIZE = 100

DUE_COLUMNS = (
    listexport.Column("Họ và tên", lambda r: r.member.person.full_name, 28),
    listexport.Column("Chi bộ", lambda r: r.member.branch.name, 28),
    listexport.Column("Ngày lễ kết nạp", lambda r: r.member.probation_started_on, 12),
    listexport.Column("Hết 12 tháng", lambda r: r.ends_on, 12),
    listexport.Column("Hạn chi bộ xét", lambda r: r.vote_due_on, 12),
    listexport.Column("Bước", lambda r: r.step, 24),
    listexport.Column("Việc tiếp theo", lambda r: r.next_what, 18),
    listexport.Column("Hạn việc tiếp theo", lambda r: r.next_due_on, 12),
    listexport.Column("Còn (ngày)", lambda r: r.days_left, 9),
)
DEFAULT_WINDOW = 60
MAX_WINDOW = 3650
NOT_FILED = "chưa nộp"


# ---- the member's page ---------------------------------------------------------------------


def panel(member: Member, user: Any, today: date) -> dict[str, Any]:
    """This area's part of the member's page: mentor and history, the reports per period
    with the overdue ones flagged, the course certificate and the recognition proceeding
    (votes, decision due date, days left)."""
    mentorships = q.mentor_history(member)
    recognition = q.recognition_proceedings(member)
    if member.status != Status.PROBATIONARY and not mentorships and not recognition:
        return {}
    rows = q.report_rows(member, today, mentorships=mentorships)
    overdue = q.overdue_reports(rows)
    vote_due = q.vote_due_on(member)
    current = next((p for p in recognition if p.is_open), None)
    votes = [
        {
            "vote": vote,
            "late": bool(vote.body == "branch" and vote_due and vote.held_on > vote_due),
        }
        for p in recognition
        for vote in p.votes.all()
    ]
    decision_due = current.decision_due_on if current else None
    vote_left = (vote_due - today).days if vote_due else None
    decision_left = (decision_due - today).days if decision_due else None
    return {
        "template": "members/parts/probation.html",
        "probation": {
            "mentor": q.current_mentorship(mentorships),
            "mentorships": mentorships,
            "reports": rows,
            "overdue_mentor": len(overdue["mentor"]),
            "overdue_self": len(overdue["self"]),
            "vote_due_on": vote_due,
            "vote_days_left": vote_left,
            "vote_days_over": -vote_left if vote_left is not None else None,
            "proceedings": recognition,
            "current": current,
            "votes": votes,
            "decision_due_on": decision_due,
            "decision_days_left": decision_left,
            "decision_days_over": -decision_left if decision_left is not None else None,
            "decided": next((p for p in reversed(recognition) if p.decided_on), None),
        },
    }


# ---- scope ---------------------------------------------------------------------------------


def _organisation(request: AuthedRequest) -> Organisation | None:
    """The ``organisation`` filter, among the organisations the user sees (404 outside)."""
    value = request.GET.get("organisation", "")
    if not is_number(value):
        return None
    return get_object_or_404(visible_organisations(request.user), pk=value)


def _rows(request: AuthedRequest, organisation: Organisation | None) -> QuerySet[Member]:
    return queries.filter_members(queries.visible_members(request.user), organisation=organisation)


def scope_name(user: Any, organisation: Organisation | None) -> str:
    if organisation is not None:
        return organisation.name
    return ", ".join(u.name for u in units_managed_by(user)) or "—"


def window(value: str | None) -> int | None:
    """Days ahead for the due list: a number (capped), "all" for no limit, else 60."""
    if value == "all":
        return None
    if value and is_number(value):
        return min(int(value), MAX_WINDOW)
    return DEFAULT_WINDOW


# ---- due for recognition -------------------------------------------------------------------


@login_required
def probation_due(request: AuthedRequest) -> HttpResponse:
    """Đảng viên dự bị sắp đến hạn công nhận: the chi bộ votes within 30 working days
    after the 12 months end (294-QĐ/TW §4.2), then the committee decides within 30
    (QĐ 29 §4.3.1). Days left: negative when overdue."""
    today = timezone.localdate()
    organisation = _organisation(request)
    within = window(request.GET.get("within"))
    rows = q.recognition_due(_rows(request, organisation), today, within)
    if export := listexport.requested(request):
        return listexport.respond(
            export,
            (q.due_row(m, today) for m in rows.iterator(chunk_size=listexport.CHUNK)),
            DUE_COLUMNS,
            request=request,
            title="Đảng viên dự bị đến hạn công nhận",
            node=organisation,
            filters=[("Trong", "mọi hạn" if within is None else f"{within} ngày tới")],
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "nav": "members",
        "today": today,
        "organisation": organisation,
        "scope": scope_name(request.user, organisation),
        "within": "all" if within is None else within,
        "windows": [30, 60, 90, 180],
        "page": page,
        "rows": [q.due_row(m, today) for m in page.object_list],
    }
    return render(request, "members/probation_due.html", context)


# ---- the monthly report --------------------------------------------------------------------


def _month(request: AuthedRequest, today: date) -> date:
    value = request.GET.get("month", "")
    month = parse_month(value) if value else None
    if value and (month is None or month > q.month_start(today)):
        messages.error(request, "Tháng không hợp lệ (dùng dạng YYYY-MM, không sau tháng này).")
        month = None
    return month or q.month_start(today)


def _report(request: AuthedRequest) -> tuple[date, date, Organisation | None, QuerySet[Member]]:
    today = timezone.localdate()
    organisation = _organisation(request)
    month = _month(request, today)
    rows = q.probationary_in_month(_rows(request, organisation), month)
    return today, month, organisation, rows


@login_required
def probation_report(request: AuthedRequest) -> HttpResponse:
    """Monthly report to the superior committee on each probationary member's progress:
    the mentor, the month's mentor report and self-review (or "chưa nộp"), the new-member
    course, months done of 12 and the vote due date (seed 000; 294-QĐ/TW §4.2)."""
    today, month, organisation, rows = _report(request)
    page = Paginator(rows, REPORT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "nav": "members",
        "today": today,
        "month": month,
        "month_value": f"{month:%Y-%m}",
        "month_label": f"{month:%m/%Y}",
        "organisation": organisation,
        "scope": scope_name(request.user, organisation),
        "page": page,
        "rows": q.month_rows(page.object_list, month, today),
        "not_filed": NOT_FILED,
    }
    return render(request, "members/probation_report.html", context)


HEADERS = [
    ("STT", 6),
    ("Họ và tên", 26),
    ("Ngày sinh", 12),
    ("Chi bộ", 26),
    ("Ngày lễ kết nạp", 14),
    ("Hết 12 tháng dự bị", 14),
    ("Số tháng dự bị", 10),
    ("Đảng viên giúp đỡ", 24),
    ("Kỳ báo cáo", 11),
    ("Nhận xét của đảng viên giúp đỡ", 22),
    ("Tự kiểm điểm", 18),
    ("Lớp bồi dưỡng đảng viên mới", 24),
    ("Hạn chi bộ xét công nhận", 14),
    ("Tình hình xét công nhận (hiện nay)", 26),
]
DAY_FORMAT = "DD/MM/YYYY"


def _assessment(report: Any) -> str:
    if report is None:
        return NOT_FILED
    return f"{report.get_assessment_display()} (lập {report.filed_on:%d/%m/%Y})"


def report_values(n: int, row: q.MonthRow) -> list[Any]:
    """One line of the monthly report, in ``HEADERS`` order (the workbook and the CSV)."""
    m = row.member
    return [
        n,
        m.person.full_name,
        m.person.birth_date,
        m.branch.name,
        m.probation_started_on,
        row.ends_on,
        f"{row.months_done}/12",
        row.mentor.person.full_name if row.mentor else "Chưa phân công",
        row.period_label,
        _assessment(row.mentor_report),
        _assessment(row.self_review),
        row.course or "Chưa có",
        row.vote_due_on,
        row.step,
    ]


def report_workbook(
    rows: list[q.MonthRow], *, scope: str, month: date, today: date, stamp: str = ""
) -> bytes:
    """The monthly report as an .xlsx workbook: a header with the organisation, the month
    and the date of extraction, Vietnamese column headings, one line per member; ``stamp``
    (``listexport.watermark``) in the header and footer of every printed page."""
    book = Workbook()
    sheet = book.active
    sheet.title = f"Dự bị {month:%m-%Y}"
    last = get_column_letter(len(HEADERS))
    sheet["A1"] = f"BÁO CÁO TÌNH HÌNH ĐẢNG VIÊN DỰ BỊ THÁNG {month:%m/%Y}"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells(f"A1:{last}1")
    sheet["A2"] = f"Đơn vị: {scope}"
    sheet["A3"] = f"Ngày trích xuất: {today:%d/%m/%Y}"
    sheet["A2"].font = sheet["A3"].font = Font(italic=True)
    head = 5
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    fill = PatternFill("solid", fgColor="DDE5F0")
    for col, (title, width) in enumerate(HEADERS, start=1):
        cell = sheet.cell(row=head, column=col, value=title)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.row_dimensions[head].height = 32
    for n, row in enumerate(rows, start=1):
        values = report_values(n, row)
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row=head + n, column=col, value=value)
            cell.border = border
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            if isinstance(value, date):
                cell.number_format = DAY_FORMAT
    sheet.freeze_panes = sheet.cell(row=head + 1, column=3)
    sheet.print_title_rows = f"{head}:{head}"
    if stamp:
        listexport.stamp_sheet(sheet, stamp)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@login_required
def probation_report_xlsx(request: AuthedRequest) -> HttpResponse:
    """The monthly report as an Excel workbook (same rows as the page, all of them)."""
    today, month, organisation, rows = _report(request)
    lines = q.month_rows(rows, month, today)
    content = report_workbook(
        lines,
        scope=scope_name(request.user, organisation),
        month=month,
        today=today,
        stamp=listexport.watermark(request.user),
    )
    return listexport.send(
        request,
        content,
        content_type=listexport.XLSX_TYPE,
        title=f"Báo cáo đảng viên dự bị tháng {month:%m-%Y}",
        fmt="xlsx",
        rows=len(lines),
        node=organisation,
    )


REPORT_COLUMNS = [
    listexport.Column(title, itemgetter(i), width) for i, (title, width) in enumerate(HEADERS)
]


@login_required
def probation_report_csv(request: AuthedRequest) -> HttpResponse:
    """The monthly report as CSV (UTF-8 with BOM, ``;``: ``core/listexport.py``), the
    workbook's columns and all its rows."""
    today, month, organisation, rows = _report(request)
    lines = [report_values(n, row) for n, row in enumerate(q.month_rows(rows, month, today), 1)]
    return listexport.respond(
        "csv",
        lines,
        REPORT_COLUMNS,
        request=request,
        title=f"Báo cáo đảng viên dự bị tháng {month:%m-%Y}",
        node=organisation,
    )


urlpatterns: list[URLPattern] = [
    path("du-bi/", probation_due, name="probation-due"),
    path("du-bi/bao-cao/", probation_report, name="probation-report"),
    path("du-bi/bao-cao.xlsx", probation_report_xlsx, name="probation-report-xlsx"),
    path("du-bi/bao-cao.csv", probation_report_csv, name="probation-report-csv"),
]
