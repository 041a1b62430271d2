"""Import pages, namespace ``imports`` under ``/nhap-du-lieu/`` (issue 8):

- ``list`` (``/nhap-du-lieu/``): the jobs on nodes of the user's subtree, the templates to
  download and the form to start a new import (kind, node, file);
- ``job`` (``/nhap-du-lieu/<pk>/``): the column mapping, the dry run's progress (polled by
  htmx every second while a task runs) and problems, paginated, and the commit;
- ``mapping``, ``dry-run``, ``commit``: the posts of the job page, one action each;
- ``template`` (``/nhap-du-lieu/mau/<kind>.<xlsx|csv>``): the published templates.

A job outside the user's scope answers 404; the actions check the permission again (403).
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_POST

from dangvien.core.errors import DomainError, NotAllowed
from dangvien.core.http import AuthedRequest
from dangvien.imports import actions, queries
from dangvien.imports.fields import columns_for
from dangvien.imports.models import ImportJob, ImportKind
from dangvien.imports.sheets import template_file
from dangvien.organisations.models import Organisation
from dangvien.organisations.queries import visible_organisations

PAGE_SIZE = 30
PROBLEMS_PAGE = 100


class NewImportForm(forms.Form):
    kind = forms.ChoiceField(label="Loại dữ liệu", choices=ImportKind.choices)
    organisation = forms.ModelChoiceField(
        label="Nhập vào tổ chức",
        queryset=Organisation.objects.none(),
        help_text="Các chi bộ trong tệp phải thuộc tổ chức này.",
    )
    file = forms.FileField(
        label="Tệp dữ liệu (.xlsx hoặc .csv, tối đa 50 MB)",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        field.queryset = visible_organisations(user).order_by("path")  # type: ignore[attr-defined]
        field.label_from_instance = lambda org: "— " * org.depth + org.name  # type: ignore[attr-defined]


def _jobs_context(request: AuthedRequest, form: NewImportForm) -> dict[str, Any]:
    page = Paginator(queries.visible_jobs(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return {
        "nav": "imports",
        "form": form,
        "page": page,
        "jobs": list(page.object_list),
        "kinds": ImportKind.choices,
    }


@login_required
def job_list(request: AuthedRequest) -> HttpResponse:
    """The jobs of the user's subtree and the form of a new import."""
    status = 200
    if request.method == "POST":
        form = NewImportForm(request.user, request.POST, request.FILES)
        if form.is_valid():
            try:
                job = actions.create_job(
                    form.cleaned_data["kind"],
                    form.cleaned_data["organisation"],
                    form.cleaned_data["file"],
                    by=request.user,
                )
            except NotAllowed:
                raise PermissionDenied from None
            except DomainError as error:
                field = error.field if error.field in form.fields else None
                form.add_error(field, str(error))
                status = 409
            else:
                messages.success(request, "Đã tải tệp lên. Kiểm tra việc ghép cột rồi chạy thử.")
                return redirect("imports:job", job.pk)
        else:
            status = 400
    else:
        form = NewImportForm(request.user)
    return render(request, "imports/list.html", _jobs_context(request, form), status=status)


def _fetch(request: AuthedRequest, pk: int) -> ImportJob:
    return get_object_or_404(queries.visible_jobs(request.user), pk=pk)


def _job_context(request: AuthedRequest, job: ImportJob, error: str = "") -> dict[str, Any]:
    columns = columns_for(job.kind)
    problems = Paginator(job.problems.all(), PROBLEMS_PAGE).get_page(request.GET.get("page"))
    return {
        "nav": "imports",
        "job": job,
        "progress": queries.job_progress(job),
        "may_commit": queries.may_commit(job),
        "may_edit": job.state in actions.EDITABLE,
        "may_import": queries.can_import(request.user, job.kind, job.organisation),
        "columns": [
            {"index": i, "header": header, "field": job.mapping[i] if i < len(job.mapping) else ""}
            for i, header in enumerate(job.headers)
        ],
        "fields": columns,
        "required": [c.label for c in columns if c.required],
        "problems": problems,
        "error": error,
    }


def _render_job(
    request: AuthedRequest, job: ImportJob, status: int = 200, error: str = ""
) -> HttpResponse:
    template = "imports/job.html"
    if request.htmx and request.GET.get("part") == "progress":
        if not job.is_running:  # finished: reload the whole page (result, problems)
            response = HttpResponse(status=200)
            response["HX-Refresh"] = "true"
            return response
        template += "#progress"
    return render(request, template, _job_context(request, job, error), status=status)


@login_required
def job_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """One job: mapping, progress, problems, result. ``?part=progress`` (htmx) answers the
    progress panel alone, polled every second while a task runs."""
    return _render_job(request, _fetch(request, pk))


def _post(request: AuthedRequest, pk: int, run: Any, done: str) -> HttpResponse:
    job = _fetch(request, pk)
    try:
        run(job)
    except NotAllowed:
        raise PermissionDenied from None
    except DomainError as error:
        job.refresh_from_db()
        return _render_job(request, job, 409, str(error))
    messages.success(request, done)
    return redirect("imports:job", job.pk)


@require_POST
@login_required
def job_mapping(request: AuthedRequest, pk: int) -> HttpResponse:
    """Save the field chosen for each column (``column-<i>``)."""
    job = _fetch(request, pk)
    mapping = [request.POST.get(f"column-{i}", "") for i in range(len(job.headers))]
    return _post(
        request,
        pk,
        lambda j: actions.set_mapping(j, mapping, by=request.user),
        "Đã lưu việc ghép cột. Chạy thử để kiểm tra lại.",
    )


@require_POST
@login_required
def job_dry_run(request: AuthedRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        lambda j: actions.start_dry_run(j, by=request.user),
        "Đã đưa vào hàng đợi kiểm tra.",
    )


@require_POST
@login_required
def job_commit(request: AuthedRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        lambda j: actions.start_commit(j, by=request.user),
        "Đã đưa vào hàng đợi ghi dữ liệu.",
    )


@login_required
def template_download(request: AuthedRequest, kind: str, fmt: str) -> HttpResponse:
    """The published template of ``kind`` (XLSX with a "Hướng dẫn" sheet, or CSV)."""
    if kind not in ImportKind.values or fmt not in ("xlsx", "csv"):
        raise Http404
    content, content_type, name = template_file(kind, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}"
    return response


urlpatterns: list[URLPattern] = [
    path("", job_list, name="list"),
    path("<int:pk>/", job_detail, name="job"),
    path("<int:pk>/ghep-cot/", job_mapping, name="mapping"),
    path("<int:pk>/chay-thu/", job_dry_run, name="dry-run"),
    path("<int:pk>/ghi/", job_commit, name="commit"),
    path("mau/<str:kind>.<str:fmt>", template_download, name="template"),
]
