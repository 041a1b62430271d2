"""Member pages: the list, the member's page with its moves and timeline, and the one
view every move posts to. Area pages live beside this module (``views/probation.py`` …),
each with its ``urlpatterns`` and a ``panel`` that adds its part of the member's page."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangvien.auditlog.access import log_access
from dangvien.core import listexport
from dangvien.core.errors import DomainError
from dangvien.core.http import AuthedRequest
from dangvien.core.paging import IdsFirst
from dangvien.core.text import is_number
from dangvien.members import queries
from dangvien.members.models import Member, Status
from dangvien.members.moves import MOVES, allowed_moves, role_allows, state_allows
from dangvien.members.views import leaving, meetings, probation, records, transfers
from dangvien.organisations.queries import visible_organisations

AREAS = (probation, leaving, transfers, records, meetings)

PAGE_SIZE = 50

EXPORT_COLUMNS = (
    listexport.Column("Họ và tên", lambda m: m.person.full_name, 28),
    listexport.Column("Ngày sinh", lambda m: m.person.birth_date, 12),
    listexport.Column("Giới tính", lambda m: m.person.get_sex_display(), 9),
    listexport.Column("Chi bộ", lambda m: m.branch.name, 30),
    listexport.Column("Trạng thái", lambda m: m.get_status_display(), 14),
    listexport.Column("Miễn sinh hoạt từ", lambda m: m.exempted_since, 14),
    listexport.Column("Sinh hoạt tạm thời nơi khác từ", lambda m: m.away_since, 14),
    listexport.Column("Ngày vào Đảng", lambda m: m.admitted_on, 12),
    listexport.Column("Ngày kết nạp (lễ)", lambda m: m.probation_started_on, 12),
    listexport.Column("Ngày chính thức", lambda m: m.official_on, 12),
)


@login_required
def member_list(request: AuthedRequest) -> HttpResponse:
    organisation = None
    if is_number(request.GET.get("organisation", "")):
        organisation = get_object_or_404(
            visible_organisations(request.user), pk=request.GET["organisation"]
        )
    status = request.GET.get("status", "")
    if status not in Status.values:
        status = ""
    q = request.GET.get("q", "").strip()
    found = queries.find_members(
        queries.visible_members(request.user), q=q, status=status, organisation=organisation
    )
    rows = queries.with_situation(found.rows, timezone.localdate())
    if export := listexport.requested(request):
        return listexport.respond(
            export,
            rows,
            EXPORT_COLUMNS,
            request=request,
            title="Đảng viên",
            node=organisation,
            filters=[("Tìm", q), ("Trạng thái", Status(status).label if status else "")],
        )
    page = Paginator(IdsFirst(rows, found.ids), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "nav": "members",
        "page": page,
        "q": q,
        "status": status,
        "statuses": Status.choices,
        "organisation": organisation,
        "capped_notice": queries.capped_notice() if found.capped else "",
    }
    template = "members/list.html#results" if request.htmx else "members/list.html"
    return render(request, template, context)


def _fetch(user: Any, pk: int) -> Member:
    rows = queries.with_situation(queries.visible_members(user), timezone.localdate())
    return get_object_or_404(rows.select_related("candidacy"), pk=pk)


def _context(member: Member, user: Any, bound: tuple[str, Any] | None = None) -> dict[str, Any]:
    today = timezone.localdate()
    move_forms = []
    for move in allowed_moves(user, member):
        form = bound[1] if bound and bound[0] == move.name else move.form(member, None)
        move_forms.append((move, form))
    main = [m.name for m, _f in move_forms if not m.side]
    context: dict[str, Any] = {
        "nav": "members",
        "member": member,
        "person": member.person,
        "today": today,
        "party_age": member.party_age_years(),
        "history": member.changes.select_related("by"),
        "move_forms": move_forms,
        "open_move": bound[0] if bound else (main[0] if main else ""),
        "panels": [],
    }
    for area in AREAS:
        panel = area.panel(member, user, today)
        if panel:
            context["panels"].append(panel["template"])
            context.update(panel)
    return context


def _render(request: AuthedRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    template = "members/detail.html#body" if request.htmx else "members/detail.html"
    return render(request, template, context, status=status)


@login_required
def member_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    member = _fetch(request.user, pk)
    # Party age, the records panel and the dues lines each read the member's gaps: one
    # read for the page (issue 9: CPU per request). Not in ``_fetch``: a move reads them
    # itself once the row is locked.
    prefetch_related_objects([member], "gaps")
    log_access(
        request,
        kind="view",
        what="Hồ sơ đảng viên",
        person=member.person_id,
        org_path=member.org_path,
    )
    return _render(request, _context(member, request.user))


@login_required
@require_POST
def member_move(request: AuthedRequest, pk: int, move: str) -> HttpResponse:
    """Every move posts here: 404 outside the scope, 403 when the role may not, 409 when the
    state does not allow it or a rule refuses, 400 for bad input."""
    if move not in MOVES:
        raise Http404
    member = _fetch(request.user, pk)
    if not role_allows(request.user, member, move):
        raise PermissionDenied
    status, error, bound = 200, "", None
    if not state_allows(member, move):
        status, error = 409, f"Không thể “{MOVES[move].label.lower()}” lúc này."
    else:
        form = MOVES[move].form(member, request.POST)
        if form.is_valid():
            try:
                message = MOVES[move].run(member, dict(form.cleaned_data), request.user)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
                status, bound = 409, (move, form)
            else:
                messages.success(request, message)
                if not request.htmx:
                    return redirect("members:detail", member.pk)
        else:
            status, bound = 400, (move, form)
    context = _context(_fetch(request.user, pk), request.user, bound)
    context["error"] = error
    return _render(request, context, status)
