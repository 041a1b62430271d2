"""Pages of the meetings area, and its part of the member's page.

- ``members:meetings`` (/members/sinh-hoat/): branch meetings and study sessions in the
  user's scope, filtered by organisation, month and kind (Charter Art. 24);
- ``members:meeting-new`` (/members/sinh-hoat/moi/?branch=): record one with its
  attendance grid; ``members:meeting`` (/members/sinh-hoat/<id>/): one meeting, whose
  attendance the branch may correct;
- ``members:study`` (/members/hoc-nghi-quyet/): resolution-study participation per
  organisation against the target (seed 004: “trên 90%”);
- ``members:dues`` (/members/dang-phi/?branch=&month=YYYY-MM): a branch's monthly dues
  grid (01-QĐ/TW 2026);
- ``members:removal-todo`` (/members/de-nghi-xoa-ten/): members to consider for removal
  for missed meetings or unpaid dues (Charter Art. 8).

Pages outside the user's scope answer 404; recording needs the branch-moves capability
(403 otherwise).
"""

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone

from dangvien.accounts import queries as access
from dangvien.accounts.models import Capability
from dangvien.core import listexport
from dangvien.core.dates import add_months, parse_month
from dangvien.core.errors import DomainError
from dangvien.core.http import AuthedRequest
from dangvien.core.rules import rule
from dangvien.core.text import is_number
from dangvien.members.actions import meetings as actions
from dangvien.members.forms.meetings import DuesGridForm, MeetingForm, to_month
from dangvien.members.models import ACTIVE_STATUSES, DuesChannel, MeetingKind, Member
from dangvien.members.queries import meetings as q
from dangvien.members.queries import visible_members
from dangvien.organisations.models import MEMBER_HOLDING, Organisation
from dangvien.organisations.queries import scope_paths, units_managed_by, visible_organisations
from dangvien.reviews.queries.removal import failed_running

PAGE_SIZE = 50

MEETING_COLUMNS = (
    listexport.Column("Ngày họp", lambda m: m.held_on, 12),
    listexport.Column("Chi bộ", lambda m: m.organisation.name, 28),
    listexport.Column("Loại", lambda m: m.get_kind_display(), 18),
    listexport.Column("Nội dung", lambda m: m.topic, 40),
    listexport.Column("Có mặt", lambda m: m.attended, 9),
    listexport.Column("Số đảng viên phải dự", lambda m: m.rows, 9),
    listexport.Column("Vắng không lý do", lambda m: m.absent_unexcused, 9),
)


def _branches(user: Any) -> QuerySet[Organisation]:
    return visible_organisations(user).filter(kind__in=MEMBER_HOLDING).order_by("path")


def _recordable(user: Any) -> list[Organisation]:
    """The branches where the user may record meetings and dues."""
    return [b for b in _branches(user) if access.can(user, Capability.BRANCH_MOVES, b.path)]


def _node(request: AuthedRequest, name: str) -> Organisation | None:
    """A node the user sees, named by a query parameter; 404 when outside the scope."""
    value = request.GET.get(name, "")
    if not is_number(value):
        return None
    return get_object_or_404(visible_organisations(request.user), pk=value)


def _branch(request: AuthedRequest, value: str) -> Organisation:
    """A chi bộ in the user's scope (404 otherwise, or when it holds no members)."""
    if not is_number(value):
        from django.http import Http404

        raise Http404
    return get_object_or_404(_branches(request.user), pk=value)


def _may_record(user: Any, organisation: Organisation) -> bool:
    return access.can(user, Capability.BRANCH_MOVES, organisation.path)


# ---- meetings ------------------------------------------------------------------------------


@login_required
def meeting_list(request: AuthedRequest) -> HttpResponse:
    organisation = _node(request, "branch")
    month = to_month(request.GET.get("month", ""))
    kind = request.GET.get("kind", "")
    kind = kind if kind in MeetingKind.values else ""
    rows = q.filter_meetings(
        q.visible_meetings(request.user), organisation=organisation, month=month, kind=kind
    )
    if export := listexport.requested(request):
        return listexport.respond(
            export,
            rows,
            MEETING_COLUMNS,
            request=request,
            title="Sinh hoạt chi bộ",
            node=organisation,
            filters=[
                ("Tháng", f"{month:%m/%Y}" if month else ""),
                ("Loại", MeetingKind(kind).label if kind else ""),
            ],
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    recordable = _recordable(request.user)
    context = {
        "nav": "members",
        "page": page,
        "organisation": organisation,
        "organisation_is_branch": organisation is not None and organisation.kind in MEMBER_HOLDING,
        "branches": _branches(request.user).only("pk", "name"),
        "month": month,
        "kind": kind,
        "kinds": MeetingKind.choices,
        "recordable": recordable,
    }
    template = (
        "members/meetings_list.html#results" if request.htmx else "members/meetings_list.html"
    )
    return render(request, template, context)


def _grid_members(branch: Organisation, on: date) -> list[Member]:
    """The attendance grid's rows: the branch's expected members, then guests."""
    members = list(q.expected_members(branch, on))
    for guest in q.guest_members(branch, on):
        guest.visiting = guest.optional = True  # type: ignore[attr-defined]
        members.append(guest)
    return members


@login_required
def meeting_new(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    value = request.GET.get("branch", "") or request.POST.get("branch", "")
    if not value:
        recordable = _recordable(request.user)
        if not recordable:
            raise PermissionDenied
        if len(recordable) > 1:
            kind = request.GET.get("kind", "")
            choose = {
                "nav": "members",
                "branches": recordable,
                "kind": kind if kind in MeetingKind.values else "",
            }
            return render(request, "members/meetings_choose.html", choose)
        value = str(recordable[0].pk)
    branch = _branch(request, value)
    if not _may_record(request.user, branch):
        raise PermissionDenied
    held_on = today
    if request.method == "POST":
        probe = MeetingForm(request.POST, members=[])
        probe.is_valid()
        held_on = probe.cleaned_data.get("held_on") or today
        if held_on > today:
            held_on = today  # the action refuses it; the grid shows today's members
    members = _grid_members(branch, held_on)
    kind = request.GET.get("kind", "")
    initial = {
        "kind": kind if kind in MeetingKind.values else MeetingKind.REGULAR,
        "held_on": today,
    }
    initial.update({f"status_{m.pk}": "present" for m in members if not getattr(m, "away", False)})
    form = MeetingForm(request.POST or None, members=members, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                meeting = actions.record_meeting(
                    branch,
                    kind=form.cleaned_data["kind"],
                    held_on=form.cleaned_data["held_on"],
                    topic=form.cleaned_data["topic"],
                    attendance=form.attendance(),
                    by=request.user,
                )
            except DomainError as error:
                field = error.field if error.field in form.fields else None
                form.add_error(field, str(error))
                status = 409
            else:
                messages.success(
                    request,
                    f"Đã ghi {MeetingKind(meeting.kind).label.lower()} ngày "
                    f"{meeting.held_on:%d/%m/%Y}.",
                )
                return redirect("members:meeting", meeting.pk)
        else:
            status = 400
    context: dict[str, Any] = {
        "nav": "members",
        "branch": branch,
        "form": form,
        "regular": q.regular_meeting_in(branch, held_on),
        "held_on": held_on,
    }
    return render(request, "members/meetings_new.html", context, status=status)


@login_required
def meeting_detail(request: AuthedRequest, meeting_pk: int) -> HttpResponse:
    meeting = get_object_or_404(q.visible_meetings(request.user), pk=meeting_pk)
    may_edit = _may_record(request.user, meeting.organisation)
    rows = list(q.attendance_of(meeting))
    form = None
    status = 200
    if may_edit:
        listed = {r.member_id for r in rows}
        members = [r.member for r in rows]
        if meeting.organisation.kind in MEMBER_HOLDING:
            for m in _grid_members(meeting.organisation, meeting.held_on):
                if m.pk not in listed:
                    members.append(m)
        by_pk = {r.member_id: r for r in rows}
        initial = {}
        for m in members:
            row = by_pk.get(m.pk)
            if row is not None:
                initial[f"status_{m.pk}"] = (
                    "present" if row.present else "excused" if row.excused else "absent"
                )
                initial[f"reason_{m.pk}"] = row.reason
            m.optional = True  # type: ignore[attr-defined]  # rows are optional when correcting
        data = request.POST if request.method == "POST" else None
        form = MeetingForm(data, members=members, with_meeting=False, initial=initial)
        if request.method == "POST":
            if form.is_valid():
                try:
                    actions.update_attendance(
                        meeting, attendance=form.attendance(), by=request.user
                    )
                except DomainError as error:
                    form.add_error(None, str(error))
                    status = 409
                else:
                    messages.success(request, "Đã cập nhật điểm danh.")
                    return redirect("members:meeting", meeting.pk)
            else:
                status = 400
    elif request.method == "POST":
        raise PermissionDenied
    context = {
        "nav": "members",
        "meeting": meeting,
        "rows": rows,
        "form": form,
        "attended": sum(r.present for r in rows),
        "excused": sum(not r.present and r.excused for r in rows),
        "absent": sum(not r.present and not r.excused for r in rows),
    }
    return render(request, "members/meetings_detail.html", context, status=status)


# ---- resolution study ---------------------------------------------------------------------


def _default_node(request: AuthedRequest) -> Organisation | None:
    return _node(request, "organisation") or units_managed_by(request.user).first()


@login_required
def study(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    organisation = _default_node(request)
    since = to_month(request.GET.get("from", "")) or date(today.year, 1, 1)
    until_month = to_month(request.GET.get("to", "")) or q.month_start(today)
    until = q.month_end(until_month)
    topic = request.GET.get("topic", "").strip()[:200]
    rows: list[q.StudyRow] = []
    total = None
    sessions: Any = []
    if organisation is not None:
        rows, total = q.study_participation(
            organisation, since=since, until=until, topic=topic, on=today
        )
        sessions = q.study_sessions(organisation, since=since, until=until, topic=topic)[:100]
    context = {
        "nav": "members",
        "organisation": organisation,
        "organisation_is_branch": organisation is not None and organisation.kind in MEMBER_HOLDING,
        "rows": rows,
        "total": total,
        "sessions": sessions,
        "since": since,
        "until": until_month,
        "topic": topic,
        "recordable": _recordable(request.user),
    }
    return render(request, "members/meetings_study.html", context)


# ---- dues ----------------------------------------------------------------------------------


@login_required
def dues(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    value = request.GET.get("branch", "")
    if not value:
        branches = list(_branches(request.user)[:500])
        if len(branches) != 1:
            choose = {"nav": "members", "branches": branches}
            return render(request, "members/dues_choose.html", choose)
        value = str(branches[0].pk)
    branch = _branch(request, value)
    month = parse_month(request.GET.get("month", "")) or q.month_start(today)
    may_record = _may_record(request.user, branch)
    if request.method == "POST" and not may_record:
        raise PermissionDenied
    grid = q.dues_grid(branch, month)
    default_paid_on = min(today, q.month_end(month))
    form = DuesGridForm(
        request.POST if request.method == "POST" else None,
        lines=grid.lines,
        paid_on=default_paid_on,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            payments = form.payments()
            if not payments:
                form.add_error(None, "Chưa nhập số tiền hoặc lý do cho đảng viên nào.")
                status = 400
            else:
                try:
                    actions.record_dues(branch, month=month, payments=payments, by=request.user)
                except DomainError as error:
                    form.add_error(None, str(error))
                    status = 409
                else:
                    messages.success(
                        request, f"Đã ghi đảng phí tháng {q.month_text(month)} của {branch.name}."
                    )
                    return redirect(f"{request.path}?branch={branch.pk}&month={month:%Y-%m}")
        else:
            status = 400
    context: dict[str, Any] = {
        "nav": "members",
        "branch": branch,
        "month": month,
        "grid": grid,
        "form": form,
        "may_record": may_record and month <= q.month_start(today),
        "previous": add_months(month, -1),
        "next": add_months(month, 1) if month < q.month_start(today) else None,
        "channels": DuesChannel.choices,
        "channel_totals": [
            (label, grid.channels.get(value, 0)) for value, label in DuesChannel.choices
        ],
    }
    return render(request, "members/dues_grid.html", context, status=status)


# ---- removal to-do -------------------------------------------------------------------------


@login_required
def removal_todo(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    organisation = _node(request, "organisation")
    rows = visible_members(request.user)
    if organisation is not None:
        rows = rows.filter(org_path__startswith=organisation.path)
    candidates = q.removal_candidates(rows, today)
    since, threshold = q.removal_window(today, organisation)
    context = {
        "nav": "members",
        "organisation": organisation,
        "candidates": candidates,
        # Two yearly ratings "failed" running (Charter Art. 8; issue 7).
        "failed_running": failed_running(
            rows,
            today,
            paths=[organisation.path] if organisation else scope_paths(request.user),
        ),
        "failed_years_needed": rule(
            "review.failed_years_for_removal", on=today, organisation=organisation
        ),
        "since": since,
        "threshold": threshold,
        "today": today,
    }
    return render(request, "members/meetings_removal.html", context)


urlpatterns: list[URLPattern] = [
    path("sinh-hoat/", meeting_list, name="meetings"),
    path("sinh-hoat/moi/", meeting_new, name="meeting-new"),
    path("sinh-hoat/<int:meeting_pk>/", meeting_detail, name="meeting"),
    path("hoc-nghi-quyet/", study, name="study"),
    path("dang-phi/", dues, name="dues"),
    path("de-nghi-xoa-ten/", removal_todo, name="removal-todo"),
]


# ---- the member's page ---------------------------------------------------------------------


def panel(member: Member, user: Any, today: date) -> dict[str, Any]:
    """This area's part of the member's page: the last 12 months of attendance at the
    regular meeting and of dues (due, paid), and the current dues basis and relief."""
    if member.status not in ACTIVE_STATUSES and not member.dues.exists():
        return {}
    account, relief = q.current_dues_basis(member, today)
    return {
        "template": "members/parts/meetings.html",
        "mt_months": q.member_year(member, today),
        "mt_account": account,
        "mt_relief": relief,
        "mt_may_record": _may_record(user, member.branch),
    }
