"""Pages of the leaving area, and its part of the member's page: removal (xóa tên), exit,
expulsion and death (DOMAIN.md §3)."""

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path
from django.utils import timezone

from dangvien.core import listexport
from dangvien.core.http import AuthedRequest
from dangvien.core.rules import rule
from dangvien.core.text import is_number
from dangvien.members import queries
from dangvien.members.models import Member, NeverReadmit, ProceedingKind, Status
from dangvien.members.queries import leaving
from dangvien.organisations.queries import visible_organisations

PAGE_SIZE = 50


def panel(member: Member, user: Any, today: date) -> dict[str, Any]:
    """The member's removal and exit proceedings (ground, self-review requests, votes,
    decision due, complaint window) and the never-readmit flag; {} when there are none."""
    rows = leaving.member_proceedings(member)
    shown = [p for p in rows if p.is_open]
    if member.status in (Status.REMOVED, Status.EXITED):
        shown += [p for p in rows if p.outcome and not p.is_open][:1]
    if not shown and not member.never_readmit:
        return {}
    removal = next((p for p in shown if p.kind == ProceedingKind.REMOVAL), None)
    required = (
        rule("removal.self_review_requests", on=today, organisation=member.branch)
        if removal is not None
        else None
    )
    return {
        "template": "members/parts/leaving.html",
        "leaving_proceedings": shown,
        "leaving_requests_needed": required,
        "leaving_never_readmit": (
            NeverReadmit(member.never_readmit).label if member.never_readmit else ""
        ),
    }


def _year(value: str, default: int | None) -> int | None:
    if value == "all":
        return None
    if is_number(value) and 1930 <= int(value) <= 2200:
        return int(value)
    return default


DEPARTURE_COLUMNS = (
    listexport.Column("Họ và tên", lambda m: m.person.full_name, 28),
    listexport.Column("Ngày sinh", lambda m: m.person.birth_date, 12),
    listexport.Column("Chi bộ", lambda m: m.branch.name, 30),
    listexport.Column("Hình thức", lambda m: m.get_status_display(), 18),
    listexport.Column("Ngày", lambda m: m.left_on, 12),
    listexport.Column("Quyết định", lambda m: getattr(m, "decision_note", ""), 30),
    listexport.Column(
        "Không kết nạp lại",
        lambda m: m.get_never_readmit_display() if m.never_readmit else "",
        20,
    ),
)


@login_required
def departures(request: AuthedRequest) -> HttpResponse:
    """Members who left the list in a year, within the user's scope, by kind; and the
    removal and exit proceedings under way."""
    today = timezone.localdate()
    organisation = None
    if is_number(request.GET.get("organisation", "")):
        organisation = get_object_or_404(
            visible_organisations(request.user), pk=request.GET["organisation"]
        )
    kind = request.GET.get("kind", "")
    if kind not in leaving.DEPARTED_STATUSES:
        kind = ""
    year = _year(request.GET.get("year", ""), today.year)
    scope = queries.visible_members(request.user)
    if organisation is not None:
        scope = scope.filter(org_path__startswith=organisation.path)
    rows = leaving.departures(scope, year=year, kind=kind)
    if export := listexport.requested(request):
        return listexport.respond(
            export,
            rows,
            DEPARTURE_COLUMNS,
            request=request,
            title="Đảng viên ra khỏi danh sách",
            node=organisation,
            filters=[("Năm", year), ("Hình thức", Status(kind).label if kind else "")],
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = leaving.departure_counts(scope, year=year)
    context = {
        "nav": "members",
        "page": page,
        "kind": kind,
        "kinds": [(s.value, s.label, counts[s.value]) for s in leaving.DEPARTED_STATUSES],
        "year": year,
        "years": range(today.year, today.year - 10, -1),
        "organisation": organisation,
        "proceedings": leaving.open_proceedings(request.user, organisation=organisation)[:200],
        "today": today,
    }
    template = "members/leaving_list.html#results" if request.htmx else "members/leaving_list.html"
    return render(request, template, context)


urlpatterns: list[URLPattern] = [
    path("ra-khoi-dang/", departures, name="leaving"),
]
