"""Pages of exam rounds (đợt kiểm tra) up to the papers, under ``/kiem-tra/dot/``:

- ``exams:rounds`` the list (filters: year, status, organisation); ``exams:round-new``;
- ``exams:round`` one round with every step and what it still lacks, and links to the
  sitting, marking and results pages; ``exams:round-edit`` its settings;
- ``exams:round-board`` the board; ``exams:round-blueprint`` the blueprint with the bank's
  counts; ``exams:round-candidates`` registration (``exams:round-unregister``);
- ``exams:round-papers`` the variants (generate, ``exams:round-papers-discard``),
  ``exams:round-paper`` one variant, ``exams:round-paper-docx``/``-pdf`` (``?key=1`` for
  the answer key), ``exams:round-paper-zip`` every paper and key;
- ``exams:round-codes`` the one-time codes: the slips are shown once, right after issuing.

Rounds outside the user's scope (and not on their board) answer 404; set-up needs the
committee's staff (403 otherwise); keys need the board or the staff (403).
"""

import base64
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangvien.core import listexport
from dangvien.core.errors import DomainError
from dangvien.core.http import AuthedRequest
from dangvien.core.text import is_number
from dangvien.exams import printing
from dangvien.exams.actions import rounds as actions
from dangvien.exams.forms_rounds import BoardForm, RegisterForm, RoundForm, line_formset
from dangvien.exams.models import ExamRound, Paper, RoundStatus, SittingMode
from dangvien.exams.queries import access
from dangvien.exams.queries import rounds as queries
from dangvien.organisations.queries import visible_organisations

PAGE_SIZE = 50
PREVIEW = 20  # candidates shown on the round page; the rest on its candidates page

EXPORT_COLUMNS = (
    listexport.Column("Đợt kiểm tra", lambda r: r.name, 36),
    listexport.Column("Ngày kiểm tra", lambda r: r.held_on, 12),
    listexport.Column("Địa điểm", lambda r: r.venue, 24),
    listexport.Column("Cấp ủy tổ chức", lambda r: r.organisation.name, 30),
    listexport.Column("Tình trạng", lambda r: r.get_status_display(), 16),
    listexport.Column("Thí sinh", lambda r: r.sitting_count, 9),
    listexport.Column("Mã đề", lambda r: r.paper_count, 8),
    listexport.Column("Điểm đạt", lambda r: r.pass_mark, 9),
    listexport.Column("Ngày ký duyệt", lambda r: r.signed_at, 16),
)


def _round(request: AuthedRequest, pk: int) -> ExamRound:
    """A round the user may open: in scope or on its board (404 otherwise)."""
    rows = ExamRound.objects.filter(pk__in=access.reachable_rounds(request.user).values("pk"))
    return get_object_or_404(rows.select_related("organisation"), pk=pk)


def _runnable(request: AuthedRequest, pk: int) -> ExamRound:
    exam_round = _round(request, pk)
    if not access.can_run_round(request.user, exam_round):
        raise PermissionDenied
    return exam_round


def _refuse(form: Any, error: DomainError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error))


def _base(exam_round: ExamRound, user: Any, **extra: Any) -> dict[str, Any]:
    can_run = access.can_run_round(user, exam_round)
    return {
        "nav": "exams",
        "round": exam_round,
        "can_run": can_run,
        "can_see_keys": queries.can_see_keys(user, exam_round),
        "may_issue": can_run and exam_round.status in (RoundStatus.PAPERS, RoundStatus.OPEN),
        **extra,
    }


# ---- list, new, detail, edit -------------------------------------------------------------


@login_required
def round_list(request: AuthedRequest) -> HttpResponse:
    organisation = None
    if is_number(request.GET.get("organisation", "")):
        organisation = get_object_or_404(
            visible_organisations(request.user), pk=request.GET["organisation"]
        )
    status = request.GET.get("status", "")
    status = status if status in RoundStatus.values else ""
    year_text = request.GET.get("year", "")
    year = int(year_text) if is_number(year_text) else None
    rows = queries.filter_rounds(
        queries.round_list(request.user), year=year, status=status, organisation=organisation
    )
    if export := listexport.requested(request):
        return listexport.respond(
            export,
            rows,
            EXPORT_COLUMNS,
            request=request,
            title="Đợt kiểm tra nhận thức về Đảng",
            node=organisation,
            filters=[("Năm", year), ("Tình trạng", RoundStatus(status).label if status else "")],
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    reachable = access.reachable_rounds(request.user).values("pk")
    years = [
        d.year
        for d in ExamRound.objects.filter(pk__in=reachable).dates("held_on", "year", order="DESC")
    ]
    context = {
        "nav": "exams",
        "page": page,
        "status": status,
        "statuses": RoundStatus.choices,
        "year": year,
        "years": years,
        "organisation": organisation,
        "may_create": bool(queries.managed_organisations(request.user)),
    }
    template = "exams/round_list.html#results" if request.htmx else "exams/round_list.html"
    return render(request, template, context)


@login_required
def round_new(request: AuthedRequest) -> HttpResponse:
    organisations = queries.managed_organisations(request.user)
    if not organisations:
        raise PermissionDenied
    form = RoundForm(request.POST or None, organisations=organisations)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                exam_round = actions.create_round(
                    form.cleaned_data["organisation"], by=request.user, **form.settings()
                )
            except DomainError as error:
                _refuse(form, error)
                status = 409
            else:
                messages.success(request, f"Đã tạo đợt kiểm tra “{exam_round.name}”.")
                return redirect("exams:round", exam_round.pk)
    context = {"nav": "exams", "form": form, "round": None}
    return render(request, "exams/round_form.html", context, status=status)


@login_required
def round_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    exam_round = _round(request, pk)
    steps = queries.round_steps(exam_round)
    lines = queries.blueprint_view(exam_round)
    here = RoundStatus.values.index(exam_round.status)
    context = _base(
        exam_round,
        request.user,
        steps=steps,
        pipeline=[
            (label, "done" if i < here else "current" if i == here else "")
            for i, (_value, label) in enumerate(RoundStatus.choices)
        ],
        board=exam_round.board.select_related("user").order_by("-is_chair", "user__username"),
        lines=lines,
        sitting_count=exam_round.sittings.count(),
        modes=dict(exam_round.sittings.values_list("mode").annotate(n=Count("pk")).order_by()),
        paper_count=exam_round.papers.count(),
        papers=exam_round.papers.order_by("number"),
        preview=queries.round_sittings(exam_round)[:PREVIEW],
        resits=exam_round.sittings.filter(attempt__gt=1).count(),
        question_count=sum(lv.line.count for lv in lines),
        ready=all(step.done for step in steps[:4]),
    )
    return render(request, "exams/round_detail.html", context)


@login_required
def round_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    exam_round = _runnable(request, pk)
    form = RoundForm.of(exam_round, request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                actions.update_round(exam_round, by=request.user, **form.settings())
            except DomainError as error:
                _refuse(form, error)
                status = 409
            else:
                messages.success(request, "Đã lưu thông tin đợt kiểm tra.")
                return redirect("exams:round", exam_round.pk)
    context = _base(exam_round, request.user, form=form)
    return render(request, "exams/round_form.html", context, status=status)


# ---- board and blueprint -----------------------------------------------------------------


@login_required
def round_board(request: AuthedRequest, pk: int) -> HttpResponse:
    exam_round = _round(request, pk)
    users = queries.board_candidates(exam_round)
    board = list(exam_round.board.select_related("user"))
    initial = {
        "members": [m.user_id for m in board],
        "chair": next((m.user_id for m in board if m.is_chair), None),
    }
    form = BoardForm(request.POST or None, users=users, initial=initial)
    status = 200
    if request.method == "POST":
        if not access.can_run_round(request.user, exam_round):
            raise PermissionDenied
        status = 400
        if form.is_valid():
            try:
                actions.set_board(
                    exam_round,
                    members=list(form.cleaned_data["members"]),
                    chair=form.cleaned_data["chair"],
                    by=request.user,
                )
            except DomainError as error:
                _refuse(form, error)
                status = 409
            else:
                messages.success(request, "Đã lưu hội đồng kiểm tra.")
                return redirect("exams:round", exam_round.pk)
    context = _base(exam_round, request.user, form=form, board=board)
    return render(request, "exams/round_board.html", context, status=status)


@login_required
def round_blueprint(request: AuthedRequest, pk: int) -> HttpResponse:
    exam_round = _round(request, pk)
    formset = line_formset(exam_round, request.POST or None)
    status, error = 200, ""
    if request.method == "POST":
        if not access.can_run_round(request.user, exam_round):
            raise PermissionDenied
        status = 400
        if formset.is_valid():
            try:
                actions.set_blueprint(exam_round, lines=formset.lines(), by=request.user)
            except DomainError as exc:
                error, status = str(exc), 409
            else:
                messages.success(request, "Đã lưu ma trận đề.")
                return redirect("exams:round", exam_round.pk)
    context = _base(
        exam_round,
        request.user,
        formset=formset,
        error=error,
        lines=queries.blueprint_view(exam_round),
        matrix=queries.bank_matrix(exam_round.organisation),
        editable=exam_round.status == RoundStatus.DRAFT,
    )
    return render(request, "exams/round_blueprint.html", context, status=status)


# ---- candidates --------------------------------------------------------------------------


@login_required
def round_candidates(request: AuthedRequest, pk: int) -> HttpResponse:
    exam_round = _round(request, pk)
    eligible = queries.eligible_candidates(exam_round)
    form = RegisterForm(request.POST or None, candidates=eligible)
    status, results = 200, []
    if request.method == "POST":
        if not access.can_run_round(request.user, exam_round):
            raise PermissionDenied
        status = 400
        if form.is_valid():
            try:
                results = actions.register_candidates(
                    exam_round,
                    candidates=list(form.cleaned_data["candidates"]),
                    mode=form.cleaned_data["mode"],
                    by=request.user,
                )
            except DomainError as error:
                _refuse(form, error)
                status = 409
            else:
                done = sum(1 for r in results if r.registered)
                messages.success(request, f"Đã đăng ký {done}/{len(results)} thí sinh.")
                status = 200
                form = RegisterForm(candidates=queries.eligible_candidates(exam_round))
    offer = list(form.fields["candidates"].queryset)  # type: ignore[attr-defined]
    checks = queries.registration_checks(exam_round, offer)
    context = _base(
        exam_round,
        request.user,
        form=form,
        offer=[(c, checks[c.pk]) for c in offer],
        results=[r for r in results if not r.registered],
        sittings=queries.round_sittings(exam_round),
        open_for_registration=exam_round.status in (RoundStatus.DRAFT, RoundStatus.PAPERS),
    )
    return render(request, "exams/round_candidates.html", context, status=status)


@login_required
@require_POST
def round_unregister(request: AuthedRequest, pk: int, sitting_pk: int) -> HttpResponse:
    exam_round = _runnable(request, pk)
    sitting = get_object_or_404(exam_round.sittings.select_related("person"), pk=sitting_pk)
    try:
        actions.unregister(sitting, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Đã rút tên {sitting.person} khỏi đợt kiểm tra.")
    return redirect("exams:round-candidates", exam_round.pk)


# ---- papers ------------------------------------------------------------------------------


@login_required
def round_papers(request: AuthedRequest, pk: int) -> HttpResponse:
    exam_round = _round(request, pk)
    status = 200
    if request.method == "POST":
        if not access.can_run_round(request.user, exam_round):
            raise PermissionDenied
        try:
            papers = actions.generate_papers(exam_round, by=request.user)
        except DomainError as error:
            messages.error(request, str(error))
            status = 409
        else:
            messages.success(request, f"Đã tạo {len(papers)} mã đề.")
            return redirect("exams:round-papers", exam_round.pk)
    context = _base(
        exam_round,
        request.user,
        papers=queries.papers_with_items(exam_round),
        lines=queries.blueprint_view(exam_round),
        unassigned=exam_round.sittings.filter(paper__isnull=True).count(),
        may_generate=exam_round.status in (RoundStatus.DRAFT, RoundStatus.PAPERS),
    )
    return render(request, "exams/round_papers.html", context, status=status)


@login_required
@require_POST
def round_papers_discard(request: AuthedRequest, pk: int) -> HttpResponse:
    exam_round = _runnable(request, pk)
    try:
        actions.discard_papers(exam_round, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Đã hủy các mã đề; đợt kiểm tra trở lại bước chuẩn bị.")
    return redirect("exams:round-papers", exam_round.pk)


def _paper(request: AuthedRequest, exam_round: ExamRound, number: int) -> Paper:
    paper = queries.paper_with_items(exam_round, number)
    if paper is None:
        raise Http404
    return paper


def _wants_key(request: AuthedRequest, exam_round: ExamRound) -> bool:
    key = request.GET.get("key", "") in ("1", "true")
    if key and not queries.can_see_keys(request.user, exam_round):
        raise PermissionDenied
    return key


@login_required
def round_paper(request: AuthedRequest, pk: int, number: int) -> HttpResponse:
    exam_round = _round(request, pk)
    paper = _paper(request, exam_round, number)
    can_see_keys = queries.can_see_keys(request.user, exam_round)
    items = printing.print_items(paper)
    context = _base(
        exam_round,
        request.user,
        paper=paper,
        written=[i for i in items if i.part == "written"],
        oral=[i for i in items if i.part == "oral"] if can_see_keys else [],
    )
    return render(request, "exams/round_paper.html", context)


def _file(content: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@login_required
def round_paper_docx(request: AuthedRequest, pk: int, number: int) -> HttpResponse:
    exam_round = _round(request, pk)
    key = _wants_key(request, exam_round)
    paper = _paper(request, exam_round, number)
    content = printing.key_docx(paper) if key else printing.paper_docx(paper)
    return _file(content, printing.file_name(paper, key=key, ext="docx"), DOCX)


@login_required
def round_paper_pdf(request: AuthedRequest, pk: int, number: int) -> HttpResponse:
    exam_round = _round(request, pk)
    key = _wants_key(request, exam_round)
    paper = _paper(request, exam_round, number)
    content = printing.key_pdf(paper) if key else printing.paper_pdf(paper)
    return _file(content, printing.file_name(paper, key=key, ext="pdf"), "application/pdf")


@login_required
def round_paper_zip(request: AuthedRequest, pk: int) -> HttpResponse:
    """Every variant's paper and key (DOCX and PDF): keys inside, so board or staff only."""
    exam_round = _round(request, pk)
    if not queries.can_see_keys(request.user, exam_round):
        raise PermissionDenied
    papers = list(queries.papers_with_items(exam_round))
    if not papers:
        raise Http404
    formats = [f for f in request.GET.getlist("format") if f in ("docx", "pdf")] or ["docx", "pdf"]
    content = printing.papers_zip(papers, formats=formats)
    return _file(content, f"de-kiem-tra-dot-{exam_round.pk}.zip", "application/zip")


# ---- one-time codes ----------------------------------------------------------------------


def _slips(exam_round: ExamRound, codes: dict[int, str]) -> list[printing.Slip]:
    rows = (
        exam_round.sittings.filter(pk__in=list(codes))
        .select_related("person", "candidate__branch", "paper")
        .order_by("person__sort_key", "pk")
    )
    return [
        printing.Slip(
            full_name=s.person.full_name,
            birth_date=s.person.birth_date,
            branch=s.candidate.branch.name if s.candidate else "",
            paper=s.paper.code if s.paper else "",
            code=codes[s.pk],
        )
        for s in rows
    ]


@login_required
def round_codes(request: AuthedRequest, pk: int) -> HttpResponse:
    """GET: who has a code. POST: issue (all, or ``sitting`` again) and show the slips once:
    only the codes' digests are kept, so this answer is the only place they appear."""
    exam_round = _round(request, pk)
    online = (
        exam_round.sittings.filter(mode=SittingMode.ONLINE)
        .select_related("person", "candidate__branch", "paper")
        .order_by("person__sort_key", "pk")
    )
    if request.method != "POST":
        context = _base(exam_round, request.user, sittings=online)
        return render(request, "exams/round_codes.html", context)
    if not access.can_run_round(request.user, exam_round):
        raise PermissionDenied
    sitting = None
    if is_number(request.POST.get("sitting", "")):
        sitting = get_object_or_404(online, pk=request.POST["sitting"])
    try:
        codes = actions.issue_codes(exam_round, sitting=sitting, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
        context = _base(exam_round, request.user, sittings=online)
        return render(request, "exams/round_codes.html", context, status=409)
    slips = _slips(exam_round, codes)
    entry_url = request.build_absolute_uri("/thi/")
    pdf = printing.code_slips_pdf(exam_round, slips, entry_url=entry_url)
    context = _base(
        exam_round,
        request.user,
        slips=slips,
        entry_url=entry_url,
        pdf_data=base64.b64encode(pdf).decode(),
        pdf_name=f"ma-du-thi-dot-{exam_round.pk}-{timezone.localdate():%Y%m%d}.pdf",
        back=reverse("exams:round-codes", args=[exam_round.pk]),
    )
    response = render(request, "exams/round_slips.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns: list[URLPattern] = [
    path("dot/", round_list, name="rounds"),
    path("dot/moi/", round_new, name="round-new"),
    path("dot/<int:pk>/", round_detail, name="round"),
    path("dot/<int:pk>/sua/", round_edit, name="round-edit"),
    path("dot/<int:pk>/hoi-dong/", round_board, name="round-board"),
    path("dot/<int:pk>/ma-tran-de/", round_blueprint, name="round-blueprint"),
    path("dot/<int:pk>/thi-sinh/", round_candidates, name="round-candidates"),
    path(
        "dot/<int:pk>/thi-sinh/<int:sitting_pk>/rut-ten/",
        round_unregister,
        name="round-unregister",
    ),
    path("dot/<int:pk>/de/", round_papers, name="round-papers"),
    path("dot/<int:pk>/de/huy/", round_papers_discard, name="round-papers-discard"),
    path("dot/<int:pk>/de/tat-ca.zip", round_paper_zip, name="round-paper-zip"),
    path("dot/<int:pk>/de/<int:number>/", round_paper, name="round-paper"),
    path("dot/<int:pk>/de/<int:number>/docx/", round_paper_docx, name="round-paper-docx"),
    path("dot/<int:pk>/de/<int:number>/pdf/", round_paper_pdf, name="round-paper-pdf"),
    path("dot/<int:pk>/ma-du-thi/", round_codes, name="round-codes"),
]
