"""Pages of the transfers area, and its part of the member's page.

- ``members:transfers`` (/members/chuyen-sinh-hoat/): transfers at both ends of the
  user's scope, the overdue ones first (294-QĐ/TW §6.3);
- ``members:far-away`` (/members/lam-an-xa/): members working far away and their last
  contact (seed 004).
"""

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
from dangvien.core.text import is_number
from dangvien.members.models import Member, TransferKind, TransferState
from dangvien.members.queries import transfers as q
from dangvien.organisations.models import Organisation
from dangvien.organisations.queries import visible_organisations
from dangvien.rowsecurity.scope import unrestricted

PAGE_SIZE = 50


def _direction(t: Any) -> str:
    if t.outgoing and t.incoming:
        return "Trong phạm vi"
    return "Chuyển đi" if t.outgoing else "Chuyển đến"


TRANSFER_COLUMNS = (
    listexport.Column("Họ và tên", lambda t: t.member.person.full_name, 28),
    listexport.Column("Chiều", _direction, 14),
    listexport.Column("Loại", lambda t: t.get_kind_display(), 14),
    listexport.Column("Đi học", lambda t: t.for_study, 8),
    listexport.Column("Từ chi bộ", lambda t: t.from_branch.name, 28),
    listexport.Column(
        "Đến", lambda t: t.to_organisation.name if t.to_organisation else t.to_name, 28
    ),
    listexport.Column("Số giấy giới thiệu", lambda t: t.letter_no, 14),
    listexport.Column("Ngày giới thiệu", lambda t: t.issued_on, 12),
    listexport.Column("Hạn nộp", lambda t: t.present_by, 12),
    listexport.Column("Đến hạn trở về", lambda t: t.until_on, 12),
    listexport.Column("Tình trạng", lambda t: t.get_state_display(), 16),
    listexport.Column("Quá hạn", lambda t: t.overdue, 8),
    listexport.Column("Ngày tiếp nhận", lambda t: t.received_on, 12),
    listexport.Column("Ngày trở về", lambda t: t.returned_on, 12),
)
FAR_AWAY_COLUMNS = (
    listexport.Column("Họ và tên", lambda m: m.person.full_name, 28),
    listexport.Column("Chi bộ", lambda m: m.branch.name, 28),
    listexport.Column("Đi từ", lambda m: m.far_away_since, 12),
    listexport.Column("Nơi làm ăn", lambda m: m.far_away_place, 28),
    listexport.Column("Liên lạc gần nhất", lambda m: m.far_away_contact_on, 14),
)


def _organisation(request: AuthedRequest) -> Organisation | None:
    """The ``organisation`` filter: a node the user sees, else 404."""
    value = request.GET.get("organisation", "")
    if not is_number(value):
        return None
    return get_object_or_404(visible_organisations(request.user), pk=value)


@login_required
def transfer_list(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    organisation = _organisation(request)
    direction = request.GET.get("direction", "all")
    direction = direction if direction in q.DIRECTIONS else "all"
    state = request.GET.get("state", "open")
    state = state if state in q.STATE_FILTERS else "open"
    kind = request.GET.get("kind", "")
    kind = kind if kind in TransferKind.values else ""
    rows = q.scope_transfers(
        request.user,
        today=today,
        direction=direction,
        state=state,
        kind=kind,
        organisation=organisation,
    )
    with unrestricted():  # the register names members who have left: q.scope_transfers
        return _transfer_page(request, rows, today, organisation, direction, state, kind)


def _transfer_page(
    request: AuthedRequest,
    rows: Any,
    today: date,
    organisation: Organisation | None,
    direction: str,
    state: str,
    kind: str,
) -> HttpResponse:
    if export := listexport.requested(request):
        return listexport.respond(
            export,
            rows,
            TRANSFER_COLUMNS,
            request=request,
            title="Chuyển sinh hoạt đảng",
            node=organisation,
            filters=[
                ("Chiều", q.DIRECTIONS[direction]),
                ("Tình trạng", q.STATE_FILTERS[state]),
                ("Loại", TransferKind(kind).label if kind else ""),
            ],
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "nav": "members",
        "page": page,
        "today": today,
        "organisation": organisation,
        "direction": direction,
        "directions": q.DIRECTIONS.items(),
        "state": state,
        "states": q.STATE_FILTERS.items(),
        "kind": kind,
        "kinds": TransferKind.choices,
        "in_flight": TransferState.IN_FLIGHT,
    }
    template = (
        "members/transfers_list.html#results" if request.htmx else "members/transfers_list.html"
    )
    return render(request, template, context)


@login_required
def far_away_list(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    organisation = _organisation(request)
    months = q.contact_months(q.rule_organisation(request.user, organisation), today)
    no_contact_only = request.GET.get("no_contact") == "1"
    rows = q.far_away_members(
        request.user,
        today=today,
        months=months,
        organisation=organisation,
        no_contact_only=no_contact_only,
    )
    if export := listexport.requested(request):
        return listexport.respond(
            export,
            rows,
            FAR_AWAY_COLUMNS,
            request=request,
            title="Đảng viên đi làm ăn xa",
            node=organisation,
            filters=[("Chỉ người quá hạn liên lạc", "có" if no_contact_only else "")],
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for member in page.object_list:
        member.contact_due_on = q.contact_due_on(member, months)
    context = {
        "nav": "members",
        "page": page,
        "today": today,
        "months": months,
        "organisation": organisation,
        "no_contact_only": no_contact_only,
    }
    template = (
        "members/transfers_far_away.html#results"
        if request.htmx
        else "members/transfers_far_away.html"
    )
    return render(request, template, context)


urlpatterns: list[URLPattern] = [
    path("chuyen-sinh-hoat/", transfer_list, name="transfers"),
    path("lam-an-xa/", far_away_list, name="far-away"),
]


def _days_left(due_on: date, today: date) -> dict[str, Any]:
    days = q.working_days_left(due_on, today)
    return {"late": days < 0, "days": abs(days)}


def panel(member: Member, user: Any, today: date) -> dict[str, Any]:
    """This area's part of the member's page: the current exemption, the open transfer
    (both ends, letter, deadline with working days left or late), the transfer history
    and the far-away status with the last contact; {} when there is nothing to show."""
    exemption = q.open_exemption(member, today)
    history = list(q.transfer_history(member))
    open_transfer = next(
        (
            t
            for t in history
            if t.state == TransferState.IN_FLIGHT
            or (t.state == TransferState.RECEIVED and t.kind == TransferKind.TEMPORARY)
        ),
        None,
    )
    past_exemptions = [
        e for e in member.exemptions.all() if exemption is None or e.pk != exemption.pk
    ]
    if not (exemption or history or past_exemptions or member.far_away_since):
        return {}
    due: dict[str, Any] = {}
    if open_transfer is not None:
        if open_transfer.state == TransferState.IN_FLIGHT:
            due = {
                "what": "Hạn nộp giấy giới thiệu",
                "on": open_transfer.present_by,
                **_days_left(open_transfer.present_by, today),
            }
        elif open_transfer.until_on is not None:
            due = {
                "what": "Sinh hoạt tạm thời đến",
                "on": open_transfer.until_on,
                **_days_left(open_transfer.until_on, today),
            }
    far_away: dict[str, Any] = {}
    if member.far_away_since is not None:
        months = q.contact_months(member.branch, today)
        contact_due = q.contact_due_on(member, months)
        far_away = {
            "months": months,
            "due_on": contact_due,
            "overdue": contact_due is not None and contact_due < today,
        }
    return {
        "template": "members/parts/transfers.html",
        "tr_exemption": exemption,
        "tr_past_exemptions": past_exemptions,
        "tr_open": open_transfer,
        "tr_due": due,
        "tr_history": [t for t in history if t is not open_transfer],
        "tr_far_away": far_away,
    }
