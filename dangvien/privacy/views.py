"""Personal-data pages under ``/du-lieu-ca-nhan/`` (issue 9), namespace ``privacy``:

- ``requests``: the data-subject requests of people in the user's subtrees, overdue first
  to see (filters: state, kind, name, overdue only; ``?export=xlsx|csv``);
- ``request-new``: record a request a person made (from the person's page);
- ``request``: one request, its handling and answer; for an access request, the copy of
  everything held about the person as JSON or XLSX (``request-data``, logged);
- ``consent-record`` / ``consent-withdraw``: consent recorded afterwards, or withdrawn;
- ``notice``: the notice of processing in force (and earlier versions), to print.

Fetch in scope (404 outside), validate, call one action (which checks the permission
again: NotAllowed → 403), render. Rules live in ``privacy.actions``.
"""

import io
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from dangvien.auditlog.access import log_access
from dangvien.auditlog.models import AccessKind
from dangvien.core import listexport
from dangvien.core.errors import DomainError, NotAllowed
from dangvien.core.http import AuthedRequest
from dangvien.organisations.models import Organisation
from dangvien.people.models import Person
from dangvien.people.queries import visible_people
from dangvien.privacy import actions, forms, holdings, queries
from dangvien.privacy.models import (
    Consent,
    Notice,
    RequestKind,
    RequestState,
    SubjectRequest,
)

PAGE_SIZE = 50


def person_url(person: Person) -> str:
    """The person's page: the member's, else the latest candidacy's."""
    from dangvien.candidates.models import Candidate
    from dangvien.members.models import Member

    member = Member.objects.filter(person=person).only("pk").first()
    if member is not None:
        return reverse("members:detail", args=[member.pk])
    candidacy = Candidate.objects.filter(person=person).order_by("-listed_on", "-pk").first()
    return reverse("candidates:detail", args=[candidacy.pk]) if candidacy else "/"


def _status(error: DomainError) -> int:
    return 403 if isinstance(error, NotAllowed) else 409


def _branch_names(paths: list[str]) -> dict[str, str]:
    return dict(Organisation.objects.filter(path__in=set(paths)).values_list("path", "name"))


# ---- the list --------------------------------------------------------------------------

EXPORT_COLUMNS = (
    listexport.Column("Họ và tên", lambda r: r.person.full_name, 28),
    listexport.Column("Loại yêu cầu", lambda r: r.get_kind_display(), 24),
    listexport.Column("Ngày tiếp nhận", lambda r: r.received_on, 12),
    listexport.Column("Hạn trả lời", lambda r: r.due_on, 12),
    listexport.Column("Trạng thái", lambda r: r.get_state_display(), 14),
    listexport.Column("Ngày trả lời", lambda r: r.answered_on, 12),
    listexport.Column("Trả lời", lambda r: r.answer, 40),
)


@login_required
@require_GET
def request_list(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    state = request.GET.get("state", "open")
    if state not in ("open", "", *RequestState.values):
        state = "open"
    kind = request.GET.get("kind", "")
    if kind not in RequestKind.values:
        kind = ""
    q = request.GET.get("q", "").strip()[:100]
    overdue = request.GET.get("overdue") == "1"
    visible = queries.visible_requests(request.user)
    rows = queries.filter_requests(
        visible, state=state, kind=kind, q=q, overdue_on=today if overdue else None
    ).order_by("due_on", "pk")
    if export := listexport.requested(request):
        state_label = (
            "Chưa giải quyết" if state == "open" else RequestState(state).label if state else ""
        )
        return listexport.respond(
            export,
            rows,
            EXPORT_COLUMNS,
            request=request,
            title="Yêu cầu của chủ thể dữ liệu",
            filters=[
                ("Trạng thái", state_label),
                ("Loại", RequestKind(kind).label if kind else ""),
                ("Họ tên", q),
                ("Chỉ quá hạn", "có" if overdue else ""),
            ],
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    items = list(page.object_list)
    names = _branch_names([r.org_path for r in items])
    context = {
        "nav": "privacy",
        "page": page,
        "items": [(r, names.get(r.org_path, ""), r.overdue(today)) for r in items],
        "state": state,
        "kind": kind,
        "q": q,
        "overdue": overdue,
        "states": RequestState.choices,
        "kinds": RequestKind.choices,
        "overdue_count": queries.overdue_count(request.user, today),
        "today": today,
    }
    template = "privacy/requests.html#results" if request.htmx else "privacy/requests.html"
    return render(request, template, context)


# ---- one request -----------------------------------------------------------------------


def _person(request: AuthedRequest, pk: int) -> Person:
    return get_object_or_404(visible_people(request.user), pk=pk)


@login_required
def request_new(request: AuthedRequest, person_pk: int) -> HttpResponse:
    person = _person(request, person_pk)
    path = queries.person_org_path(person)
    if not queries.may_handle_personal_data(request.user, path):
        raise PermissionDenied
    form = forms.RequestForm(request.POST or None, initial={"received_on": timezone.localdate()})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                made = actions.record_request(person, by=request.user, **form.cleaned_data)
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
                status = _status(error)
            else:
                messages.success(
                    request,
                    f"Đã ghi nhận yêu cầu của {person.full_name}; hạn trả lời "
                    f"{made.due_on:%d/%m/%Y}.",
                )
                return redirect("privacy:request", made.pk)
        else:
            status = 400
    context = {
        "nav": "privacy",
        "person": person,
        "person_url": person_url(person),
        "form": form,
        "articles": queries.KIND_ARTICLES,
    }
    return render(request, "privacy/request_new.html", context, status=status)


def _request(request: AuthedRequest, pk: int) -> SubjectRequest:
    return get_object_or_404(queries.visible_requests(request.user), pk=pk)


def _detail(
    request: AuthedRequest,
    item: SubjectRequest,
    *,
    answer_form: Any = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    may = queries.may_handle_personal_data(request.user, item.org_path)
    context = {
        "nav": "privacy",
        "item": item,
        "person": item.person,
        "person_url": person_url(item.person),
        "branch_name": _branch_names([item.org_path]).get(item.org_path, ""),
        "overdue": item.overdue(today),
        "may_handle": may,
        "answer_form": answer_form
        or forms.AnswerForm(initial={"answered_on": today}, prefix="answer"),
        "consents": queries.consents_of(item.person),
        "article": queries.KIND_ARTICLES.get(RequestKind(item.kind), ""),
        "error": error,
    }
    return render(request, "privacy/request_detail.html", context, status=status)


@login_required
@require_GET
def request_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail(request, _request(request, pk))


@login_required
@require_POST
def request_start(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _request(request, pk)
    try:
        actions.start_request(item, by=request.user)
    except DomainError as error:
        return _detail(request, item, error=str(error), status=_status(error))
    messages.success(request, "Đã nhận xử lý yêu cầu.")
    return redirect("privacy:request", item.pk)


@login_required
@require_POST
def request_answer(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _request(request, pk)
    form = forms.AnswerForm(request.POST, prefix="answer")
    if not form.is_valid():
        return _detail(request, item, answer_form=form, status=400)
    try:
        actions.answer_request(item, by=request.user, **form.cleaned_data)
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, str(error))
        return _detail(request, item, answer_form=form, status=_status(error))
    messages.success(request, f"Đã ghi kết quả: {item.get_state_display().lower()}.")
    return redirect("privacy:request", item.pk)


@login_required
@require_GET
def request_data(request: AuthedRequest, pk: int, fmt: str) -> HttpResponse:
    """Everything held about the person of an access request, as JSON or XLSX: for those
    who handle it (the copy is given to the person), logged, watermarked."""
    if fmt not in ("json", "xlsx"):
        raise Http404
    item = _request(request, pk)
    if not queries.may_handle_personal_data(request.user, item.org_path):
        raise PermissionDenied
    if item.kind != RequestKind.ACCESS or item.state == RequestState.REFUSED:
        message = "Chỉ yêu cầu xem, nhận bản sao dữ liệu (chưa bị từ chối) mới tải được dữ liệu."
        return _detail(request, item, error=message, status=409)
    now = timezone.localtime()
    stamp = listexport.watermark(request.user, now)
    tables = holdings.holdings(item.person)
    if fmt == "json":
        body = json.dumps(
            holdings.as_json(item.person, tables, watermark=stamp), ensure_ascii=False, indent=1
        ).encode()
        content_type = "application/json; charset=utf-8"
    else:
        body = holdings_workbook(item.person, tables, stamp=stamp)
        content_type = listexport.XLSX_TYPE
    log_access(
        request,
        kind=AccessKind.EXPORT,
        what=f"Toàn bộ dữ liệu của một người ({fmt})",
        person=item.person_id,
        org_path=item.org_path,
        rows=sum(len(t.rows) for t in tables),
    )
    title = f"Du lieu ca nhan {item.person.pk}"
    name, _vietnamese = listexport.file_name(title, now, fmt, request.user.get_username())
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def holdings_workbook(person: Person, tables: list[holdings.Table], *, stamp: str) -> bytes:
    """One sheet per table, each headed by the person, the table and the watermark."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    used: set[str] = set()
    for table in tables:
        title = listexport.sheet_title(table.title, used)
        ws = book.create_sheet(title)
        listexport.stamp_sheet(ws, stamp)
        ws.append([listexport.text_cell(ws, f"Dữ liệu của {person.full_name}", Font(bold=True))])
        ws.append([listexport.text_cell(ws, table.title.capitalize(), Font(italic=True))])
        ws.append([listexport.text_cell(ws, stamp, Font(italic=True))])
        ws.append([])
        ws.append([listexport.text_cell(ws, t, Font(bold=True)) for _n, t in table.columns])
        for row in table.rows:
            ws.append([listexport.value_cell(ws, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---- consent ---------------------------------------------------------------------------


def _consent_page(
    request: AuthedRequest, person: Person, form: Any, *, title: str, status: int
) -> HttpResponse:
    context = {
        "nav": "privacy",
        "person": person,
        "person_url": person_url(person),
        "form": form,
        "title": title,
        "action_url": request.path,
    }
    return render(request, "privacy/consent_form.html", context, status=status)


@login_required
@require_POST
def consent_record(request: AuthedRequest, person_pk: int) -> HttpResponse:
    person = _person(request, person_pk)
    form = forms.ConsentForm(request.POST, prefix="consent")
    title = f"Ghi nhận sự đồng ý của {person.full_name}"
    if not form.is_valid():
        return _consent_page(request, person, form, title=title, status=400)
    try:
        actions.record_consent(person, by=request.user, **form.cleaned_data)
    except DomainError as error:
        field = {"consent_given_on": "given_on", "consent_method": "method"}.get(
            error.field or "", error.field
        )
        form.add_error(field if field in form.fields else None, str(error))
        return _consent_page(request, person, form, title=title, status=_status(error))
    messages.success(request, "Đã ghi nhận sự đồng ý xử lý dữ liệu cá nhân.")
    return redirect(person_url(person))


@login_required
@require_POST
def consent_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    visible = Consent.objects.filter(person__in=visible_people(request.user))
    consent = get_object_or_404(visible.select_related("person"), pk=pk)
    form = forms.WithdrawConsentForm(request.POST, prefix="withdraw")
    title = f"Ghi nhận {consent.person.full_name} rút lại sự đồng ý"
    if not form.is_valid():
        return _consent_page(request, consent.person, form, title=title, status=400)
    try:
        actions.withdraw_consent(consent, by=request.user, **form.cleaned_data)
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, str(error))
        return _consent_page(request, consent.person, form, title=title, status=_status(error))
    messages.warning(
        request,
        "Đã ghi nhận việc rút lại sự đồng ý. Hồ sơ Đảng phải lưu giữ vẫn được giữ; "
        "chi bộ xem xét việc tiếp tục xử lý hồ sơ của người này.",
    )
    return redirect(person_url(consent.person))


# ---- the notice ------------------------------------------------------------------------


@login_required
@require_GET
def notice(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    current = queries.notice_in_force(today)
    version = request.GET.get("version", "")
    shown = Notice.objects.filter(version=version).first() if version else current
    if version and shown is None:
        raise Http404
    context = {
        "nav": "privacy",
        "notice": shown,
        "sections": notice_sections(shown.text) if shown else [],
        "current": current,
        "versions": Notice.objects.all(),
    }
    return render(request, "privacy/notice.html", context)


def notice_sections(text: str) -> list[tuple[str, str]]:
    """The notice's numbered parts as (heading, body): blocks split by a blank line, the
    first line of each its heading."""
    parts = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        heading, _, body = block.strip().partition("\n")
        parts.append((heading, body))
    return parts
