"""Pages of the question bank (``/kiem-tra/cau-hoi/…``).

- ``exams:bank``: the list with its filters, paging and the topic × difficulty counts;
- ``exams:bank-question``: one question with its version history (keys and rubrics only
  for those ``access.can_see_key`` allows), its rounds, and archive / restore / copy;
- ``exams:bank-new`` and ``exams:bank-edit``: the form that adapts to the type;
- ``exams:bank-import`` (dry run, then commit), ``exams:bank-export`` (the filtered list as
  XLSX; ``exams:bank-export-csv`` the same as CSV) and ``exams:bank-template`` (the empty
  import template).

Thin: fetch in scope (404 outside), check the role (403), call one action, render; a
refused rule answers 409 with its Vietnamese message on the form.
"""

import base64
import binascii
from operator import itemgetter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST

from dangvien.core import listexport
from dangvien.core.errors import DomainError
from dangvien.core.http import AuthedRequest
from dangvien.core.text import is_number
from dangvien.exams.actions.bank import (
    ImportRefused,
    InvalidQuestion,
    Problem,
    archive_question,
    copy_question,
    create_question,
    edit_question,
    import_problems,
    import_questions,
    question_used,
    restore_question,
)
from dangvien.exams.forms_bank import (
    FORM_FIELD,
    CopyForm,
    ImportForm,
    QuestionForm,
    answer_field,
    question_forms,
    question_payload,
)
from dangvien.exams.models import Difficulty, Question, QuestionType, Topic
from dangvien.exams.queries import access
from dangvien.exams.queries import bank as queries
from dangvien.exams.spreadsheet import (
    COLUMNS,
    MAX_ROWS,
    XLSX_TYPE,
    SpreadsheetUnreadable,
    export_workbook,
    question_cells,
    read_questions,
    template_workbook,
)
from dangvien.organisations.models import Organisation

PAGE_SIZE = 30
ACTIVE_CHOICES = [("1", "Đang dùng"), ("0", "Đã lưu trữ"), ("all", "Tất cả")]


# ---- the list ----------------------------------------------------------------------------


def _filters(request: AuthedRequest) -> tuple[queries.BankFilters, dict[str, Any]]:
    """The list's filters from the query string; a value outside the choices is ignored."""
    get = request.GET
    topic = (
        Topic.objects.filter(pk=get["topic"]).first() if is_number(get.get("topic", "")) else None
    )
    difficulty = int(get["difficulty"]) if get.get("difficulty", "") in ("1", "2", "3") else None
    kind = get.get("type", "") if get.get("type", "") in QuestionType.values else ""
    owner = None
    if is_number(get.get("owner", "")):
        owner = queries.owners_in_view(request.user).filter(pk=get["owner"]).first()
    active_value = get.get("active", "1")
    active = {"1": True, "0": False, "all": None}.get(active_value, True)
    filters = queries.BankFilters(
        topic=topic,
        difficulty=difficulty,
        type=kind,
        tag=get.get("tag", "").strip(),
        owner=owner,
        active=active,
        q=get.get("q", "").strip(),
    )
    query = get.copy()
    query.pop("page", None)
    context = {
        "filters": filters,
        "active_value": active_value if active_value in ("1", "0", "all") else "1",
        "querystring": query.urlencode(),
    }
    return filters, context


@login_required
def bank(request: AuthedRequest) -> HttpResponse:
    filters, context = _filters(request)
    visible = queries.bank_rows(request.user)
    rows = queries.filter_questions(visible, filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    # The counts ignore the topic and difficulty filters: they are the blueprint's grid.
    grid_filters = queries.BankFilters(
        type=filters.type,
        tag=filters.tag,
        owner=filters.owner,
        active=filters.active,
        q=filters.q,
    )
    grid, grid_totals, grid_total = queries.counts_by_topic(
        queries.filter_questions(visible, grid_filters)
    )
    context |= {
        "nav": "exams",
        "page": page,
        "topics": Topic.objects.all(),
        "difficulties": Difficulty.choices,
        "types": QuestionType.choices,
        "tags": queries.all_tags(visible),
        "owners": queries.owners_in_view(request.user),
        "active_choices": ACTIVE_CHOICES,
        "grid": grid,
        "grid_totals": grid_totals,
        "grid_total": grid_total,
        "may_add": queries.may_keep_a_bank(request.user),
        "max_export": MAX_ROWS,
    }
    template = "exams/bank_list.html#results" if request.htmx else "exams/bank_list.html"
    return render(request, template, context)


def _exported(request: AuthedRequest) -> tuple[list[Question], set[int]]:
    """The filtered questions (at most ``MAX_ROWS``) and those whose key the user sees."""
    filters, _context = _filters(request)
    rows = queries.filter_questions(queries.bank_rows(request.user), filters)
    questions = [q for q in rows[:MAX_ROWS] if q.current is not None]
    return questions, queries.key_visible_ids(request.user, questions)


CSV_COLUMNS = [listexport.Column(c.label, itemgetter(i), c.width) for i, c in enumerate(COLUMNS)]


@login_required
def bank_export(request: AuthedRequest) -> HttpResponse:
    """The filtered list as XLSX in the import columns; keys only where the user may see
    them (``access.can_see_key``)."""
    questions, key_ids = _exported(request)
    content = export_workbook(questions, key_ids=key_ids)
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="ngan-hang-cau-hoi.xlsx"'
    return response


@login_required
def bank_export_csv(request: AuthedRequest) -> HttpResponse:
    """The same rows and columns as CSV (UTF-8 with BOM, ``;``: ``core/listexport.py``)."""
    questions, key_ids = _exported(request)
    cells = [question_cells(q, with_key=q.pk in key_ids) for q in questions]
    return listexport.respond("csv", cells, CSV_COLUMNS, request=request, title="Ngân hàng câu hỏi")


@login_required
def bank_template(request: AuthedRequest) -> HttpResponse:
    response = HttpResponse(template_workbook(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="mau-nhap-cau-hoi.xlsx"'
    return response


# ---- one question ------------------------------------------------------------------------


def _fetch(request: AuthedRequest, pk: int) -> Question:
    return get_object_or_404(queries.bank_rows(request.user), pk=pk)


def _question_context(request: AuthedRequest, question: Question) -> dict[str, Any]:
    user = request.user
    owners = queries.bank_owners(user) if queries.may_keep_a_bank(user) else []
    return {
        "nav": "exams",
        "question": question,
        "versions": list(queries.versions_of(question)),
        "show_key": access.can_see_key(user, question),
        "may_edit": access.can_edit_question(user, question),
        "used": question_used(question),
        "rounds": queries.rounds_using(question),
        "copy_form": CopyForm(owners=owners) if owners else None,
    }


@login_required
def bank_question(request: AuthedRequest, pk: int) -> HttpResponse:
    question = _fetch(request, pk)
    return render(request, "exams/bank_question.html", _question_context(request, question))


@login_required
@require_POST
def bank_archive(request: AuthedRequest, pk: int) -> HttpResponse:
    return _flip(request, pk, archive_question, "Đã lưu trữ câu hỏi: đề mới sẽ không dùng nữa.")


@login_required
@require_POST
def bank_restore(request: AuthedRequest, pk: int) -> HttpResponse:
    return _flip(request, pk, restore_question, "Đã khôi phục câu hỏi.")


def _flip(request: AuthedRequest, pk: int, move: Any, done: str) -> HttpResponse:
    question = _fetch(request, pk)
    if not access.can_edit_question(request.user, question):
        raise PermissionDenied
    try:
        move(question, by=request.user)
    except DomainError as error:
        context = _question_context(request, question) | {"error": str(error)}
        return render(request, "exams/bank_question.html", context, status=409)
    messages.success(request, done)
    return redirect("exams:bank-question", question.pk)


@login_required
@require_POST
def bank_copy(request: AuthedRequest, pk: int) -> HttpResponse:
    question = _fetch(request, pk)
    owners = queries.bank_owners(request.user)
    if not owners:
        raise PermissionDenied
    form = CopyForm(request.POST, owners=owners)
    if form.is_valid():
        try:
            copy = copy_question(question, to_owner=form.cleaned_data["to_owner"], by=request.user)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"Đã chép thành câu hỏi số {copy.pk} trong ngân hàng của bạn."
            )
            return redirect("exams:bank-question", copy.pk)
    context = _question_context(request, question) | {"copy_form": form}
    return render(request, "exams/bank_question.html", context, status=409)


# ---- create and edit ---------------------------------------------------------------------


def _place_errors(form: QuestionForm, error: DomainError, kind: str) -> dict[str, list[str]]:
    """Put an action's refusal where it belongs on the page; the option and rubric rows'
    problems are answered per section."""
    problems = (
        error.problems
        if isinstance(error, InvalidQuestion)
        else [Problem(error.field or "", str(error))]
    )
    sections: dict[str, list[str]] = {"options": [], "rubric": []}
    for problem in problems:
        name = FORM_FIELD.get(problem.field)
        if problem.field == "answer":
            name = answer_field(kind)
            if name is None and kind in ("single", "multiple"):
                sections["options"].append(problem.message)
                continue
        if problem.field in sections:
            sections[problem.field].append(problem.message)
        elif name and name in form.fields:
            form.add_error(name, problem.message)
        else:
            form.add_error(None, problem.message)
    return sections


def _form_page(
    request: AuthedRequest,
    forms: tuple[Any, Any, Any],
    *,
    question: Question | None,
    sections: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    form, options, rubric = forms
    context = {
        "nav": "exams",
        "form": form,
        "options": options,
        "rubric": rubric,
        "question": question,
        "used": question is not None and question_used(question),
        "sections": sections or {},
    }
    return render(request, "exams/bank_form.html", context, status=status)


@login_required
def bank_new(request: AuthedRequest) -> HttpResponse:
    owners = queries.bank_owners(request.user)
    if not owners:
        raise PermissionDenied
    if request.method != "POST":
        return _form_page(request, question_forms(None, owners=owners), question=None)
    forms = question_forms(request.POST, owners=owners)
    form, options, rubric = forms
    if not (form.is_valid() and options.is_valid() and rubric.is_valid()):
        return _form_page(request, forms, question=None, status=400)
    payload = question_payload(form, options, rubric)
    try:
        question = create_question(form.cleaned_data["owner"], **payload, by=request.user)
    except DomainError as error:
        sections = _place_errors(form, error, payload["type"])
        return _form_page(request, forms, question=None, sections=sections, status=409)
    messages.success(request, f"Đã thêm câu hỏi số {question.pk}.")
    if "again" in request.POST:
        return redirect("exams:bank-new")
    return redirect("exams:bank-question", question.pk)


@login_required
def bank_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    question = _fetch(request, pk)
    if not access.can_edit_question(request.user, question):
        raise PermissionDenied
    if request.method != "POST":
        return _form_page(
            request, question_forms(None, owners=None, question=question), question=question
        )
    forms = question_forms(request.POST, owners=None)
    form, options, rubric = forms
    if not (form.is_valid() and options.is_valid() and rubric.is_valid()):
        return _form_page(request, forms, question=question, status=400)
    payload = question_payload(form, options, rubric)
    before = question.current_id
    try:
        question = edit_question(question, **payload, by=request.user)
    except DomainError as error:
        sections = _place_errors(form, error, payload["type"])
        return _form_page(request, forms, question=question, sections=sections, status=409)
    if question.current_id != before and question.current is not None:
        messages.success(
            request,
            f"Đã lưu thành phiên bản {question.current.number}: phiên bản cũ đã dùng trong "
            "đề kiểm tra nên được giữ nguyên.",
        )
    else:
        messages.success(request, "Đã lưu câu hỏi.")
    return redirect("exams:bank-question", question.pk)


# ---- import ------------------------------------------------------------------------------


def _uploaded(form: ImportForm) -> tuple[bytes, str]:
    upload = form.cleaned_data.get("file")
    if upload is not None:
        return upload.read(), upload.name
    try:
        content = base64.b64decode(form.cleaned_data["content"], validate=True)
    except (binascii.Error, ValueError) as error:
        raise SpreadsheetUnreadable("Không đọc được tệp đã kiểm tra: hãy chọn lại tệp.") from error
    return content, form.cleaned_data.get("filename") or "tep.xlsx"


@login_required
def bank_import(request: AuthedRequest) -> HttpResponse:
    """Upload, check (every row's errors, nothing written), then import all rows or none.

    The checked file travels back in the page (base64), so the commit imports exactly the
    file that was checked, without storing it on the server.
    """
    owners = queries.bank_owners(request.user)
    if not owners:
        raise PermissionDenied
    context: dict[str, Any] = {"nav": "exams", "columns": COLUMNS}
    if request.method != "POST":
        context["form"] = ImportForm(owners=owners)
        return render(request, "exams/bank_import.html", context)
    form = ImportForm(request.POST, request.FILES, owners=owners)
    context["form"] = form
    if not form.is_valid():
        return render(request, "exams/bank_import.html", context, status=400)
    owner: Organisation = form.cleaned_data["owner"]
    commit = request.POST.get("step") == "commit"
    try:
        content, filename = _uploaded(form)
        rows = read_questions(content)
        if commit:
            created = import_questions(owner, rows=rows, by=request.user)
        else:
            errors = import_problems(rows)
    except ImportRefused as refused:
        context |= {"errors": refused.errors, "rows": rows, "refused": str(refused)}
        return render(request, "exams/bank_import.html", context, status=409)
    except DomainError as error:
        form.add_error(None, str(error))
        return render(request, "exams/bank_import.html", context, status=409)
    if commit:
        messages.success(request, f"Đã nhập {len(created)} câu hỏi vào ngân hàng của {owner.name}.")
        return redirect(f"{reverse('exams:bank')}?owner={owner.pk}&active=1")
    context |= {
        "checked": True,
        "errors": errors,
        "rows": rows,
        "owner": owner,
        "preview": [
            {
                "row": row.row,
                "topic": row.values["topic"].name,
                "type": QuestionType(row.values["type"]).label,
                "text": row.values.get("text", ""),
            }
            for row in (rows[:50] if not errors else [])
        ],
        "content": base64.b64encode(content).decode(),
        "filename": filename,
    }
    return render(request, "exams/bank_import.html", context)


urlpatterns: list[URLPattern] = [
    path("cau-hoi/", bank, name="bank"),
    path("cau-hoi/moi/", bank_new, name="bank-new"),
    path("cau-hoi/nhap/", bank_import, name="bank-import"),
    path("cau-hoi/xuat.xlsx", bank_export, name="bank-export"),
    path("cau-hoi/xuat.csv", bank_export_csv, name="bank-export-csv"),
    path("cau-hoi/mau-nhap.xlsx", bank_template, name="bank-template"),
    path("cau-hoi/<int:pk>/", bank_question, name="bank-question"),
    path("cau-hoi/<int:pk>/sua/", bank_edit, name="bank-edit"),
    path("cau-hoi/<int:pk>/luu-tru/", bank_archive, name="bank-archive"),
    path("cau-hoi/<int:pk>/khoi-phuc/", bank_restore, name="bank-restore"),
    path("cau-hoi/<int:pk>/sao-chep/", bank_copy, name="bank-copy"),
]
