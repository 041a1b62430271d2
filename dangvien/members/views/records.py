"""Pages of the records area (badges due, the never-readmit list), and its part of the
member's page: party age with its gaps, badges, card, readmission."""

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.dateparse import parse_date

from dangvien.core import listexport
from dangvien.core.http import AuthedRequest
from dangvien.core.text import is_number
from dangvien.members import queries
from dangvien.members.models import Member, Status
from dangvien.members.queries import records
from dangvien.organisations.models import MEMBER_HOLDING, Organisation
from dangvien.organisations.queries import visible_organisations

PAGE_SIZE = 50

BADGE_COLUMNS = (
    listexport.Column("Họ và tên", lambda r: r.member.person.full_name, 28),
    listexport.Column("Ngày sinh", lambda r: r.member.person.birth_date, 12),
    listexport.Column("Chi bộ", lambda r: r.member.branch.name, 30),
    listexport.Column("Huy hiệu (năm tuổi Đảng)", lambda r: r.years, 12),
    listexport.Column("Tuổi đảng đến dịp trao (năm)", lambda r: r.age_years, 12),
    listexport.Column("Tuổi đảng: tháng lẻ", lambda r: r.age_rest_months, 10),
    listexport.Column("Kết nạp lần đầu", lambda r: r.start, 12),
    listexport.Column("Kết nạp lại", lambda r: r.member.readmitted_on, 12),
    listexport.Column("Thời gian ngoài Đảng (ngày)", lambda r: r.gap_days, 12),
    listexport.Column("Đủ tuổi đảng từ", lambda r: r.reaches_on, 12),
    listexport.Column("Chưa trao từ dịp", lambda r: r.due_on if r.overdue else None, 12),
)

NEVER_READMIT_COLUMNS = (
    listexport.Column("Họ và tên", lambda m: m.person.full_name, 28),
    listexport.Column("Ngày sinh", lambda m: m.person.birth_date, 12),
    listexport.Column("Chi bộ", lambda m: m.branch.name, 30),
    listexport.Column("Trạng thái", lambda m: m.get_status_display(), 18),
    listexport.Column("Ngày ra khỏi danh sách", lambda m: m.left_on, 12),
    listexport.Column("Lý do", lambda m: m.get_never_readmit_display(), 40),
)


def _organisation(request: AuthedRequest) -> Organisation | None:
    value = request.GET.get("organisation", "")
    if not is_number(value):
        return None
    return get_object_or_404(visible_organisations(request.user), pk=value)


def _branches(user: Any) -> Any:
    return visible_organisations(user).filter(kind__in=MEMBER_HOLDING).order_by("path")


def _award_day(value: str, today: date) -> date:
    """dd/mm/yyyy or yyyy-mm-dd; the next award day when missing or unreadable."""
    value = value.strip()
    day = None
    if value:
        parts = value.split("/")
        try:
            if len(parts) == 3:
                day = date(int(parts[2]), int(parts[1]), int(parts[0]))
            else:
                day = parse_date(value)
        except ValueError:
            day = None
    return day or records.next_award_day(today)


@login_required
def badges_due_page(request: AuthedRequest) -> HttpResponse:
    """Đảng viên được xét tặng Huy hiệu Đảng at an award day (HD 01-HD/TW 2021 §18)."""
    today = timezone.localdate()
    organisation = _organisation(request)
    award_day = _award_day(request.GET.get("award_day", ""), today)
    years_value = request.GET.get("years", "")
    years = int(years_value) if is_number(years_value) else None
    if years not in records.BADGE_YEARS:
        years = None
    rows = queries.filter_members(queries.visible_members(request.user), organisation=organisation)
    due = records.badges_due(rows, award_day, years=years)
    if export := listexport.requested(request):
        return listexport.respond(
            export,
            due,
            BADGE_COLUMNS,
            request=request,
            title="Đảng viên được xét tặng Huy hiệu Đảng",
            node=organisation,
            filters=[
                ("Dịp trao tặng", f"{award_day:%d/%m/%Y}"),
                ("Huy hiệu", f"{years} năm tuổi Đảng" if years else ""),
            ],
        )
    page = Paginator(due, PAGE_SIZE).get_page(request.GET.get("page"))
    award_days = records.upcoming_award_days(today)
    if award_day not in award_days:
        award_days = sorted([award_day, *award_days])
    context = {
        "nav": "members",
        "page": page,
        "award_day": award_day,
        "award_days": award_days,
        "is_award_day": records.is_award_day(award_day),
        "years": years,
        "badge_years": records.BADGE_YEARS,
        "organisation": organisation,
        "branches": _branches(request.user).only("pk", "name"),
        "by_step": _by_step(due),
    }
    template = (
        "members/records_badges_due.html#results"
        if request.htmx
        else "members/records_badges_due.html"
    )
    return render(request, template, context)


def _by_step(due: list[records.BadgeDue]) -> list[tuple[int, int]]:
    counts: dict[int, int] = {}
    for row in due:
        counts[row.years] = counts.get(row.years, 0) + 1
    return sorted(counts.items())


@login_required
def never_readmit_page(request: AuthedRequest) -> HttpResponse:
    """Danh sách không xem xét kết nạp lại (294-QĐ/TW §3.5.2), within the user's scope."""
    organisation = _organisation(request)
    rows = queries.filter_members(queries.visible_members(request.user), organisation=organisation)
    rows = records.never_readmit_list(rows)
    if export := listexport.requested(request):
        return listexport.respond(
            export,
            rows,
            NEVER_READMIT_COLUMNS,
            request=request,
            title="Danh sách không xem xét kết nạp lại",
            node=organisation,
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "nav": "members",
        "page": page,
        "organisation": organisation,
        "branches": _branches(request.user).only("pk", "name"),
    }
    template = (
        "members/records_never_readmit.html#results"
        if request.htmx
        else "members/records_never_readmit.html"
    )
    return render(request, template, context)


urlpatterns: list[URLPattern] = [
    path("huy-hieu/", badges_due_page, name="badges-due"),
    path("khong-ket-nap-lai/", never_readmit_page, name="never-readmit"),
]


def panel(member: Member, user: Any, today: date) -> dict[str, Any]:
    """Party age explained (first admission, readmission, gaps: DOMAIN.md §8), badges,
    card and the never-readmit mark; {} for a member with none of these yet."""
    gaps = list(member.gaps.all())
    badges = list(member.badges.all())
    total_gap = sum(g.days for g in gaps)
    counts_age = member.status == Status.OFFICIAL or (
        member.status != Status.PROBATIONARY and member.official_on is not None
    )
    if not (counts_age or gaps or badges or member.never_readmit or member.card_number):
        return {}
    age_on = today
    if member.status not in (Status.PROBATIONARY, Status.OFFICIAL) and member.left_on:
        age_on = min(today, member.left_on)
    months = records.party_age_months(member, today, total_gap) if counts_age else None
    due = records.next_badge(member, today)
    return {
        "template": "members/parts/records.html",
        "records": {
            "start": records.start_of_party_age(member),
            "counts_age": counts_age,
            "age_on": age_on,
            "age_years": months // 12 if months is not None else None,
            "age_months": months % 12 if months is not None else None,
            "gaps": gaps,
            "gap_days": total_gap,
            "badges": badges,
            "next_badge": due,
            "never_readmit": member.get_never_readmit_display() if member.never_readmit else "",
        },
    }
