"""Pipeline pages: fetch in scope, validate, call one action, render (STYLE.md)."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangvien.auditlog.access import log_access
from dangvien.auditlog.models import AccessKind
from dangvien.candidates import actions, forms, queries
from dangvien.candidates.models import Candidate, Stage
from dangvien.candidates.moves import MOVES, allowed_moves, can_create_in, role_allows, stage_allows
from dangvien.core import listexport
from dangvien.core.errors import DomainError
from dangvien.core.http import AuthedRequest
from dangvien.core.paging import IdsFirst
from dangvien.core.text import is_number
from dangvien.exams.queries.results import results_of
from dangvien.members.models import ACTIVE_STATUSES, Member, Status
from dangvien.members.queries import exempted_count, vote_denominator
from dangvien.organisations.models import MEMBER_HOLDING, Organisation
from dangvien.organisations.queries import admission_chain, visible_organisations
from dangvien.privacy.queries import notice_in_force
from dangvien.training.queries import enrolments_of

PAGE_SIZE = 50

EXPORT_COLUMNS = (
    listexport.Column("Họ và tên", lambda c: c.person.full_name, 28),
    listexport.Column("Ngày sinh", lambda c: c.person.birth_date, 12),
    listexport.Column("Giới tính", lambda c: c.person.get_sex_display(), 9),
    listexport.Column("Chi bộ", lambda c: c.branch.name, 30),
    listexport.Column("Bước", lambda c: c.get_stage_display(), 24),
    listexport.Column("Hạn quyết định kết nạp", lambda c: c.decision_due_on, 14),
    listexport.Column("Hạn lễ kết nạp", lambda c: c.ceremony_due_on, 14),
)


def _branches(user: Any) -> Any:
    return visible_organisations(user).filter(kind__in=MEMBER_HOLDING).order_by("path")


@login_required
def candidate_list(request: AuthedRequest) -> HttpResponse:
    rows = queries.visible_candidates(request.user)
    organisation = None
    if is_number(request.GET.get("organisation", "")):
        organisation = get_object_or_404(
            visible_organisations(request.user), pk=request.GET["organisation"]
        )
    stage = request.GET.get("stage", "")
    if stage and stage != "active" and stage not in Stage.values:
        stage = ""
    q = request.GET.get("q", "").strip()
    rows = queries.filter_candidates(rows, q=q, stage=stage, branch=organisation)
    if export := listexport.requested(request):
        stage_label = "Đang theo dõi" if stage == "active" else Stage(stage).label if stage else ""
        return listexport.respond(
            export,
            rows,
            EXPORT_COLUMNS,
            request=request,
            title="Quần chúng ưu tú",
            node=organisation,
            filters=[("Tìm", q), ("Bước", stage_label)],
        )
    page = Paginator(IdsFirst(rows), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "nav": "candidates",
        "page": page,
        "q": q,
        "stage": stage,
        "stages": Stage.choices,
        "organisation": organisation,
        "branches": _branches(request.user).only("pk", "name"),
        "can_create": _can_create_anywhere(request.user),
        "today": timezone.localdate(),
    }
    template = "candidates/list.html#results" if request.htmx else "candidates/list.html"
    return render(request, template, context)


def _can_create_anywhere(user: Any) -> bool:
    from dangvien.accounts.models import ROLE_CAPABILITIES, Capability
    from dangvien.accounts.queries import _roles

    return any(
        Capability.BRANCH_MOVES in ROLE_CAPABILITIES.get(role, set())
        for role, _path, _depth in _roles(user)
    )


@login_required
def candidate_new(request: AuthedRequest) -> HttpResponse:
    if not _can_create_anywhere(request.user):
        raise PermissionDenied
    branches = [b for b in _branches(request.user) if can_create_in(request.user, b.path)]
    allowed = Organisation.objects.filter(pk__in=[b.pk for b in branches]).order_by("path")
    form = forms.CandidateForm(request.POST or None, branches=allowed)
    if request.method == "POST" and form.is_valid():
        consent = form.consent_given()
        data = dict(form.cleaned_data)
        branch = data.pop("branch")
        try:
            candidate = actions.nominate_candidate(
                branch=branch, by=request.user, consent=consent, **data
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        except IntegrityError:  # the same citizen ID saved by someone else a moment ago
            form.add_error("citizen_id", "Số CCCD này vừa được người khác nhập. Hãy kiểm tra lại.")
        else:
            messages.success(
                request, f"Đã đưa {candidate.person.full_name} vào nguồn quần chúng ưu tú."
            )
            return redirect("candidates:detail", candidate.pk)
    if request.method == "GET" and len(branches) == 1:
        form.initial["branch"] = branches[0].pk
    elif request.method == "GET" and is_number(request.GET.get("branch", "")):
        form.initial["branch"] = int(request.GET["branch"])  # the field only offers allowed ones
    today = timezone.localdate()
    form.initial.setdefault("consent_given_on", today)
    context = {"nav": "candidates", "form": form, "notice": notice_in_force(today)}
    return render(request, "candidates/new.html", context)


# ---- detail and moves ------------------------------------------------------------------


def _introducer_members(candidate: Candidate) -> Any:
    """Official members who could sponsor: those of the candidate's grassroots organisation
    (or of the branch's own area where there is none)."""
    chain = admission_chain(candidate.branch)
    area = chain.grassroots or candidate.branch
    return (
        Member.objects.filter(org_path__startswith=area.path, status=Status.OFFICIAL)
        .select_related("person", "branch")
        .order_by("person__sort_key")
    )


FORM_CLASSES: dict[str, Callable[..., Any]] = {
    "start-course": forms.StartCourseForm,
    "certify": forms.CertifyForm,
    "open-dossier": forms.OpenDossierForm,
    "record-background-check": forms.BackgroundCheckForm,
    "introducers": forms.IntroducerForm,
    "over-age-approval": forms.OverAgeForm,
    "assign-helper": forms.AssignHelperForm,
    "education-exception": forms.EducationExceptionForm,
    "record-branch-vote": forms.BranchVoteForm,
    "record-grassroots-vote": forms.GrassrootsVoteForm,
    "extend-deadline": forms.ExtendForm,
    "decide-admission": forms.DecideForm,
    "hold-ceremony": forms.CeremonyForm,
    "withdraw": forms.WithdrawForm,
}


def _form(name: str, candidate: Candidate, data: Any = None) -> Any:
    if name == "introducers":
        return forms.IntroducerForm(data, members=_introducer_members(candidate), prefix=name)
    if name == "assign-helper":
        members = (
            Member.objects.filter(branch=candidate.branch, status__in=ACTIVE_STATUSES)
            .select_related("person")
            .order_by("person__sort_key")
        )
        return forms.AssignHelperForm(data, members=members, prefix=name)
    form = FORM_CLASSES[name](data, prefix=name)
    if name == "record-grassroots-vote" and data is None:
        endorser = admission_chain(candidate.branch).endorser
        if endorser and endorser.committee_size:
            form.initial["committee_size"] = endorser.committee_size
    if name == "decide-admission" and data is None:
        decider = admission_chain(candidate.branch).decider
        size = (
            decider.committee_size
            if decider.authorised_to_admit
            else decider.standing_committee_size
        )
        if size:
            form.initial["committee_size"] = size
    return form


# Moves whose form fields are exactly the action's arguments, with their success message.
SIMPLE_MOVES: dict[str, tuple[Callable[..., Any], str]] = {
    "start-course": (
        actions.start_awareness_course,
        "Đã ghi nhận cử đi học lớp bồi dưỡng nhận thức về Đảng.",
    ),
    "certify": (actions.certify, "Đã ghi nhận giấy chứng nhận."),
    "open-dossier": (actions.open_dossier, "Đã nhận đơn xin vào Đảng và lý lịch."),
    "record-background-check": (
        actions.record_background_check,
        "Đã ghi kết quả thẩm tra lý lịch.",
    ),
    "over-age-approval": (
        actions.record_over_age_approval,
        "Đã ghi văn bản đồng ý của cấp tỉnh.",
    ),
    "extend-deadline": (actions.extend_decision_deadline, "Đã gia hạn thời gian xét."),
    "decide-admission": (actions.decide_admission, "Đã ghi quyết định."),
    "hold-ceremony": (
        actions.hold_ceremony,
        "Đã ghi lễ kết nạp: người vào Đảng trở thành đảng viên dự bị.",
    ),
    "withdraw": (actions.withdraw, "Đã đưa ra khỏi nguồn."),
    "assign-helper": (actions.assign_helper, "Đã phân công đảng viên giúp đỡ."),
    "education-exception": (
        actions.record_education_exception,
        "Đã ghi căn cứ ngoại lệ về học vấn.",
    ),
}


def _run(name: str, candidate: Candidate, data: dict[str, Any], user: Any) -> str:
    """Call the move's action; answer the success message."""
    if name in SIMPLE_MOVES:
        action, message = SIMPLE_MOVES[name]
        action(candidate, by=user, **data)
        return message
    if name == "introducers":
        member = data.pop("member")
        union = "" if member else data.pop("union")
        data.pop("union", None)
        actions.add_introducer(candidate, by=user, member=member, union=union, **data)
        return "Đã thêm người giới thiệu."
    if name in ("record-branch-vote", "record-grassroots-vote"):
        record = (
            actions.record_branch_vote
            if name == "record-branch-vote"
            else actions.record_grassroots_vote
        )
        vote = record(candidate, by=user, **data)
        result = "đạt" if vote.passed else "chưa đạt 2/3"
        return f"Đã ghi nghị quyết: {vote.in_favour}/{vote.denominator} tán thành – {result}."
    raise Http404


def _context(
    candidate: Candidate, user: Any, bound: tuple[str, Any] | None = None
) -> dict[str, Any]:
    today = timezone.localdate()
    moves = allowed_moves(user, candidate)
    can_change_introducers = any(m.name == "introducers" for m in moves)
    if len(getattr(candidate, "active_introducers", [])) >= 2:
        moves = [m for m in moves if m.name != "introducers"]  # both places are taken
    move_forms = []
    for move in moves:
        form = bound[1] if bound and bound[0] == move.name else _form(move.name, candidate)
        move_forms.append((move, form))
    chain = admission_chain(candidate.branch)
    stages = [s for s in Stage if s not in (Stage.WITHDRAWN, Stage.REJECTED)]
    if chain.endorser is None:
        stages.remove(Stage.GRASSROOTS_ENDORSED)
    current = stages.index(Stage(candidate.stage)) if candidate.stage in stages else -1
    context: dict[str, Any] = {
        "nav": "candidates",
        "candidate": candidate,
        "person": candidate.person,
        "today": today,
        "chain": chain,
        "move_forms": move_forms,
        "can_change_introducers": can_change_introducers,
        "open_move": bound[0] if bound else _next_step(candidate, moves, today),
        "deadlines": queries.deadlines(candidate, today),
        "enrolments": list(enrolments_of(candidate.person)),
        "sittings": list(results_of(candidate.person)),
        "pipeline": [(s, i < current, i == current) for i, s in enumerate(stages)],
        "checks": queries.eligibility_checks(candidate, today)
        if candidate.stage in (Stage.DOSSIER_OPEN, Stage.BACKGROUND_CHECKED)
        else [],
        "denominator": vote_denominator(candidate.branch, on=today)
        if candidate.stage == Stage.BACKGROUND_CHECKED
        else None,
        "exempted": exempted_count(candidate.branch, today)
        if candidate.stage == Stage.BACKGROUND_CHECKED
        else 0,
    }
    return context


def _next_step(candidate: Candidate, moves: list[Any], today: Any) -> str:
    """The form to show open: the vote once every condition is met, else the first step."""
    names = [m.name for m in moves]
    if "record-branch-vote" in names and all(
        c.ok for c in queries.eligibility_checks(candidate, today)
    ):
        return "record-branch-vote"
    side_steps = {
        "over-age-approval",
        "extend-deadline",
        "withdraw",
        "assign-helper",
        "education-exception",
    }
    if candidate.stage not in (Stage.CANDIDATE, Stage.IN_AWARENESS_COURSE):
        side_steps.add("certify")  # a new certificate after retaking the course
    if candidate.stage == Stage.BACKGROUND_CHECKED:
        side_steps.add("record-background-check")  # renewing the check
    main = [n for n in names if n not in side_steps]
    return (main or names or [""])[0]


def _fetch(user: Any, pk: int) -> Candidate:
    return get_object_or_404(queries.candidate_detail(queries.visible_candidates(user)), pk=pk)


@login_required
def candidate_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    candidate = _fetch(request.user, pk)
    log_access(
        request,
        kind=AccessKind.VIEW,
        what="Hồ sơ quần chúng ưu tú",
        person=candidate.person_id,
        org_path=candidate.org_path,
    )
    return render(request, "candidates/detail.html", _context(candidate, request.user))


@login_required
@require_POST
def remove_introducer(request: AuthedRequest, pk: int, introducer_pk: int) -> HttpResponse:
    """Take back an introducer (before the branch vote), e.g. one who moved away."""
    candidate = _fetch(request.user, pk)
    if not role_allows(request.user, candidate, "introducers"):
        raise PermissionDenied
    introducer = get_object_or_404(candidate.introducers.filter(active=True), pk=introducer_pk)
    status, error = 200, ""
    try:
        actions.remove_introducer(introducer, by=request.user)
        messages.success(request, "Đã bỏ người giới thiệu.")
    except DomainError as exc:
        status, error = 409, str(exc)
    if not request.htmx and status == 200:
        return redirect("candidates:detail", candidate.pk)
    context = _context(_fetch(request.user, pk), request.user)
    context["error"] = error
    template = "candidates/detail.html#body" if request.htmx else "candidates/detail.html"
    return render(request, template, context, status=status)


@login_required
@require_POST
def candidate_move(request: AuthedRequest, pk: int, move: str) -> HttpResponse:
    if move not in MOVES:
        raise Http404
    candidate = _fetch(request.user, pk)
    status, error, bound = 200, "", None
    if not role_allows(request.user, candidate, move):
        raise PermissionDenied
    if not stage_allows(candidate, move):
        status, error = 409, f"Không thể “{MOVES[move].label.lower()}” ở bước hiện tại."
    else:
        form = _form(move, candidate, request.POST)
        if form.is_valid():
            try:
                message = _run(move, candidate, form.cleaned_data, request.user)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
                status, bound = 409, (move, form)
            else:
                messages.success(request, message)
                if not request.htmx:
                    return redirect("candidates:detail", candidate.pk)
        else:
            status, bound = 400, (move, form)
    candidate = _fetch(request.user, pk)
    context = _context(candidate, request.user, bound)
    context["error"] = error
    template = "candidates/detail.html#body" if request.htmx else "candidates/detail.html"
    return render(request, template, context, status=status)
