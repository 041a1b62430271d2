"""Screening pages (rà soát, sàng lọc; 02-HD/BTCTW 2021; DOMAIN.md §5), namespace
``screening`` under ``/sang-loc/``:

- ``list`` (``/sang-loc/?node=&state=&year=&q=``): the cases under a node, the steps
  waiting, counts per state;
- ``new`` (``/sang-loc/chi-bo/<branch>/moi/``): the chi bộ's secret ballot on one member,
  with the denominator and the votes needed for the day;
- ``case`` (``/sang-loc/<pk>/``): the case, its history, and the forms of the next legal
  moves the user may make; every move posts here with ``move``.

Each page answers 404 outside the user's scope; the actions check the permission again.
"""

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone

from dangvien.accounts.models import Capability
from dangvien.accounts.queries import can
from dangvien.candidates.forms import DateInput
from dangvien.core import listexport
from dangvien.core.errors import DomainError, NotAllowed
from dangvien.core.http import AuthedRequest
from dangvien.core.rules import ratio_text
from dangvien.core.text import is_number
from dangvien.members.models import ACTIVE_STATUSES
from dangvien.organisations.models import MEMBER_HOLDING, Organisation
from dangvien.organisations.queries import (
    ancestors,
    children,
    path_within,
    units_managed_by,
    visible_organisations,
)
from dangvien.screening import actions
from dangvien.screening.forms import (
    BallotForm,
    CopyDecisionForm,
    ExpulsionDecisionForm,
    HelperForm,
    ImprovedForm,
    OutcomeForm,
)
from dangvien.screening.models import NEXT_STATES, OPEN_STATES, Criterion, ScreeningCase, State
from dangvien.screening.queries import cases as queries

PAGE_SIZE = 50

EXPORT_COLUMNS = (
    listexport.Column("Đảng viên", lambda c: c.member.person.full_name, 28),
    listexport.Column("Ngày sinh", lambda c: c.member.person.birth_date, 12),
    listexport.Column("Chi bộ", lambda c: c.branch.name, 30),
    listexport.Column("Ngày bỏ phiếu", lambda c: c.ballot_on, 12),
    listexport.Column("Phiếu đồng ý", lambda c: c.ballot_in_favour, 10),
    listexport.Column("Phiếu không đồng ý", lambda c: c.ballot_against, 10),
    listexport.Column("Số đảng viên tính tỷ lệ", lambda c: c.ballot_denominator, 12),
    listexport.Column("Số nghị quyết / biên bản", lambda c: c.resolution_no, 16),
    listexport.Column("Trạng thái", lambda c: c.get_state_display(), 24),
    listexport.Column("Người giúp đỡ", lambda c: c.helper.person.full_name if c.helper else "", 28),
    listexport.Column("Giúp đỡ từ ngày", lambda c: c.help_from, 12),
    listexport.Column("Giúp đỡ đến ngày", lambda c: c.help_until, 12),
    listexport.Column("Số quyết định", lambda c: c.decision_no, 16),
    listexport.Column("Ngày quyết định", lambda c: c.decided_on, 12),
)

# The moves the case page offers: name → (target state, who, label).
BRANCH, DECIDE = "branch", "decide"
MOVES: dict[str, tuple[str, str, str]] = {
    "helper": (State.HELPING, BRANCH, "Phân công đảng viên giúp đỡ"),
    "improved": (State.IMPROVED, BRANCH, "Đã tiến bộ – đưa ra khỏi danh sách"),
    "outcome": ("", BRANCH, "Không tiến bộ – chi bộ kết luận"),
    "decide": (State.DECIDED, DECIDE, "Ghi quyết định của cấp ủy"),
}


def _year(value: str) -> int | None:
    if is_number(value) and 1930 <= int(value) <= 2200:
        return int(value)
    return None


def _node(request: AuthedRequest) -> Organisation | None:
    """The node asked for (404 outside the scope), else the user's only top node."""
    value = request.GET.get("node", "")
    if is_number(value):
        return get_object_or_404(visible_organisations(request.user), pk=value)
    units = list(units_managed_by(request.user)[:2])
    return units[0] if len(units) == 1 else None


def _may_screen(user: Any, org: Organisation) -> bool:
    return org.kind in MEMBER_HOLDING and can(user, Capability.BRANCH_MOVES, org.path)


# ---- the list ------------------------------------------------------------------------------


@login_required
def case_list(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    node = _node(request)
    state = request.GET.get("state", "")
    if state not in State.values and state != "open":
        state = ""
    year = _year(request.GET.get("year", ""))
    q = request.GET.get("q", "").strip()[:200]
    scope = queries.visible_cases(request.user)
    under = queries.filter_cases(scope, organisation=node, year=year, q=q)
    rows = queries.filter_cases(under, state=state)
    if export := listexport.requested(request):
        state_label = "Đang giải quyết" if state == "open" else State(state).label if state else ""
        return listexport.respond(
            export,
            rows,
            EXPORT_COLUMNS,
            request=request,
            title="Rà soát, sàng lọc đảng viên",
            node=node,
            filters=[("Trạng thái", state_label), ("Năm bỏ phiếu", year), ("Họ tên", q)],
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = queries.state_counts(under)
    waiting = queries.filter_cases(scope, organisation=node)
    context = {
        "nav": "screening",
        "today": today,
        "node": node,
        "crumbs": _crumbs(request.user, node) if node else [],
        "children": list(children(node)) if node else list(units_managed_by(request.user)),
        "page": page,
        "state": state,
        "states": [(s.value, s.label, counts[s.value]) for s in State],
        "open_count": sum(counts[s] for s in State.values if s in OPEN_STATES),
        "total": sum(counts.values()),
        "year": year,
        "years": range(today.year, today.year - 10, -1),
        "q": q,
        "due": queries.open_cases_due(waiting, today, limit=20),
        "due_count": queries.waiting_cases(waiting, today).count(),
        "may_screen": node is not None and _may_screen(request.user, node),
    }
    template = "screening/list.html#results" if request.htmx else "screening/list.html"
    return render(request, template, context)


# ---- the ballot ----------------------------------------------------------------------------


def _day(value: str, default: date) -> date:
    field = forms.DateField(widget=DateInput())
    try:
        day = field.clean(value)
    except forms.ValidationError:
        return default
    return day if isinstance(day, date) else default


@login_required
def case_new(request: AuthedRequest, branch: int) -> HttpResponse:
    """The chi bộ's secret ballot on one member; the page shows who counts on the day."""
    org = get_object_or_404(
        visible_organisations(request.user).filter(kind__in=MEMBER_HOLDING), pk=branch
    )
    if not _may_screen(request.user, org):
        raise PermissionDenied
    today = timezone.localdate()
    data = request.POST if request.method == "POST" else None
    on = _day((data or request.GET).get("ballot_on", ""), today)
    members = queries.members_to_screen(org)
    initial: dict[str, Any] = {"ballot_on": today}
    if is_number(request.GET.get("member", "")):
        initial["member"] = int(request.GET["member"])
    form = BallotForm(data, members=members, initial=initial)
    status = 200
    if data is not None:
        if form.is_valid():
            values = dict(form.cleaned_data)
            try:
                case = actions.list_for_screening(values.pop("member"), by=request.user, **values)
            except NotAllowed:
                raise PermissionDenied from None
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
                status = 409
            else:
                messages.success(request, _ballot_message(case))
                return redirect("screening:case", case.pk)
        else:
            status = 400
    base = queries.ballot_base(org, on)
    context = {
        "nav": "screening",
        "branch": org,
        "counts": [form["in_favour"], form["against"], form["invalid"]],
        "crumbs": _crumbs(request.user, org),
        "form": form,
        "base": base,
        "rule_text": ratio_text(base.rule),
    }
    if request.htmx and request.method == "GET":
        return render(request, "screening/new.html#base", context)
    return render(request, "screening/new.html", context, status=status)


def _ballot_message(case: ScreeningCase) -> str:
    count = f"{case.ballot_in_favour}/{case.ballot_denominator} phiếu đồng ý"
    if case.ballot_passed:
        return f"Đã ghi kết quả bỏ phiếu kín: {count}, đưa vào diện giáo dục, giúp đỡ."
    return (
        f"Đã ghi kết quả bỏ phiếu kín: {count}, chưa đạt {ratio_text(case.ballot_rule)} – "
        "không đưa vào diện giáo dục, giúp đỡ."
    )


def _crumbs(user: Any, org: Organisation, include_self: bool = False) -> list[Organisation]:
    """The node's ancestors the user may open (a node above their scope answers 404)."""
    return [a for a in ancestors(org, include_self=include_self) if path_within(a.path, user)]


# ---- the case ------------------------------------------------------------------------------


def _allowed(user: Any, case: ScreeningCase, who: str) -> bool:
    if who == BRANCH:
        return can(user, Capability.BRANCH_MOVES, case.org_path)
    return queries.may_decide(user, case)


def _state_allows(case: ScreeningCase, move: str) -> bool:
    """The move is legal now (``NEXT_STATES``) and the member is still in the party for the
    chi bộ's steps."""
    to, who, _label = MOVES[move]
    legal = case.state == State.HELPING if move == "outcome" else to in NEXT_STATES[case.state]
    if who == BRANCH and case.member.status not in ACTIVE_STATUSES:
        return False
    return legal


def _form(case: ScreeningCase, move: str, data: Any = None) -> forms.Form:
    today = timezone.localdate()
    if move == "helper":
        return HelperForm(
            data, helpers=queries.possible_helpers(case), initial={"help_from": today}
        )
    if move == "improved":
        return ImprovedForm(data, initial={"on": today})
    if move == "outcome":
        return OutcomeForm(data, initial={"on": today})
    if case.state == State.PROPOSED_EXPULSION:
        return ExpulsionDecisionForm(data, initial={"decided_on": today})
    return CopyDecisionForm(data)


def _run(case: ScreeningCase, move: str, values: dict[str, Any], user: Any) -> str:
    if move == "helper":
        actions.assign_helper(case, by=user, **values)
        return "Đã phân công đảng viên giúp đỡ."
    if move == "improved":
        actions.record_improved(case, by=user, **values)
        return "Đã ghi đảng viên tiến bộ, đưa ra khỏi danh sách rà soát."
    if move == "outcome":
        values["trigger"] = values.get("trigger") or "lost_commitment"
        actions.record_outcome(case, by=user, **values)
        return "Đã ghi kết luận của chi bộ."
    if case.state == State.PROPOSED_EXPULSION:
        values["never_readmit"] = values.get("never_readmit") or ""
    actions.decide_case(case, by=user, **values)
    return "Đã ghi quyết định của cấp ủy, hồ sơ rà soát kết thúc."


def _fetch(user: Any, pk: int) -> ScreeningCase:
    return get_object_or_404(queries.visible_cases(user), pk=pk)


def _context(
    case: ScreeningCase, user: Any, bound: tuple[str, forms.Form] | None = None
) -> dict[str, Any]:
    move_forms = []
    for name, (_to, who, label) in MOVES.items():
        if _state_allows(case, name) and _allowed(user, case, who):
            form = bound[1] if bound and bound[0] == name else _form(case, name)
            move_forms.append((name, label, form))
    proceeding = case.proceeding
    waiting_decision = case.state in queries.PROCEEDING_OUTCOMES and (
        proceeding is None or proceeding.step != "decided"
    )
    if waiting_decision:  # nothing to copy yet: the decision is made on the member's page
        move_forms = [m for m in move_forms if m[0] != "decide"]
    today = timezone.localdate()
    history = queries.case_history(case)
    concluded = next((h.to_state for h in history if h.from_state == State.HELPING), "")
    return {
        "nav": "screening",
        "case": case,
        "outcome_label": State(concluded).label if concluded else "",
        "verdict": actions.VERDICTS.get((concluded, bool(case.decision_upheld)), "")
        if case.state == State.DECIDED
        else "",
        "member": case.member,
        "crumbs": _crumbs(user, case.branch, include_self=True),
        "criteria": [Criterion(c).label for c in case.criteria if c in Criterion.values],
        "rule_text": ratio_text(case.ballot_rule),
        "history": history,
        "move_forms": move_forms,
        "open_move": bound[0] if bound else (move_forms[0][0] if move_forms else ""),
        "waiting_decision": waiting_decision,
        "member_active": case.member.status in ACTIVE_STATUSES,
        "help_ended": case.help_until is not None and case.help_until <= today,
        "today": today,
    }


@login_required
def case_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The case; a POST makes one move (``move``): 404 outside the scope, 403 when the
    role may not, 409 when the state does not allow it or a rule refuses, 400 for bad
    input."""
    case = _fetch(request.user, pk)
    if request.method != "POST":
        return render(request, "screening/case.html", _context(case, request.user))
    move = request.POST.get("move", "")
    if move not in MOVES:
        raise Http404
    if not _allowed(request.user, case, MOVES[move][1]):
        raise PermissionDenied
    status, error, bound = 200, "", None
    if not _state_allows(case, move):
        status = 409
        error = (
            f"Không thể “{MOVES[move][2].lower()}” khi hồ sơ ở bước “{case.get_state_display()}”."
        )
    else:
        form = _form(case, move, request.POST)
        if form.is_valid():
            try:
                message = _run(case, move, dict(form.cleaned_data), request.user)
            except NotAllowed:
                raise PermissionDenied from None
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
                status, bound = 409, (move, form)
            else:
                messages.success(request, message)
                return redirect("screening:case", case.pk)
        else:
            status, bound = 400, (move, form)
    context = _context(_fetch(request.user, pk), request.user, bound)
    context["error"] = error
    return render(request, "screening/case.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("", case_list, name="list"),
    path("chi-bo/<int:branch>/moi/", case_new, name="new"),
    path("<int:pk>/", case_detail, name="case"),
]
