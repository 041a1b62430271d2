"""JSON API: imports of members, candidates and the organisation tree (issue 8), over the
same actions and queries as the pages (``dangvien.imports``). Mounted at the API root.

The flow: ``POST /imports`` (multipart: the file, its kind and the node) answers the job
with its columns and the proposed mapping; ``PUT /imports/{id}/mapping`` changes it;
``POST /imports/{id}/dry-run`` queues the check of every row (202) — poll
``GET /imports/{id}`` for the state and progress, then read ``GET /imports/{id}/errors``;
``POST /imports/{id}/commit`` queues the all-or-nothing commit (409 while the dry run has
errors or was not run). A job outside the user's subtree → 404; a role that may not import
there → 403.
"""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from dangvien.api.auth import user_of
from dangvien.api.errors import ApiError, responses
from dangvien.api.schemas import Page
from dangvien.core.errors import DomainError
from dangvien.core.uploads import UploadRefused
from dangvien.imports import actions, queries
from dangvien.imports.fields import columns_for
from dangvien.imports.models import ImportJob, ImportKind, JobState
from dangvien.imports.sheets import template_file
from dangvien.organisations.models import Organisation
from dangvien.organisations.queries import visible_organisations

router = Router(tags=["Nhập dữ liệu"])

READ_ERRORS = responses(400, 401, 404)
WRITE_ERRORS = responses(400, 401, 403, 404, 409)
KIND_DOC = "Loại dữ liệu: " + "; ".join(f"`{v}` = {label}" for v, label in ImportKind.choices)
STATE_DOC = "Trạng thái: " + "; ".join(f"`{v}` = {label}" for v, label in JobState.choices)


class ColumnOut(Schema):
    index: int
    header: str
    field: str = Field(description="Trường được ghép (rỗng: bỏ qua cột)")


class FieldOut(Schema):
    key: str
    label: str
    required: bool
    help: str


class JobOut(Schema):
    id: int
    kind: str = Field(description=KIND_DOC)
    organisation_id: int
    organisation_name: str
    file_name: str
    file_format: str
    size: int
    state: str = Field(description=STATE_DOC)
    percent: int = Field(description="Tiến độ (0–100) của bước đang chạy")
    total_rows: int
    error_count: int
    error_rows: int
    planned: dict[str, int] = Field(description="Kết quả chạy thử: added, updated, unchanged")
    result: dict[str, int] = Field(description="Kết quả ghi: added, updated, unchanged")
    message: str
    columns: list[ColumnOut]
    fields: list[FieldOut]
    created_at: datetime
    checked_at: datetime | None
    finished_at: datetime | None


class JobPage(Schema):
    count: int
    items: list[JobOut]


class ProblemOut(Schema):
    row: int = Field(description="Số dòng như trong bảng tính (dòng 1 là tiêu đề; 0: cả tệp)")
    column: str
    message: str
    text: str = Field(description="“Dòng 14, Ngày sinh: …”")


class ProblemPage(Schema):
    count: int
    items: list[ProblemOut]


class MappingIn(Schema):
    mapping: list[str] | dict[str, str] = Field(
        description=(
            "Trường của mỗi cột: một danh sách theo thứ tự cột (rỗng: bỏ qua cột), hoặc "
            "`{tiêu đề cột: trường}` (cột không nêu: bỏ qua)"
        )
    )


class TemplateQuery(Schema):
    format: Literal["xlsx", "csv"] = "xlsx"


def job_out(job: ImportJob) -> dict[str, Any]:
    progress = queries.job_progress(job)
    return {
        "id": job.pk,
        "kind": job.kind,
        "organisation_id": job.organisation_id,
        "organisation_name": job.organisation.name,
        "file_name": job.file_name,
        "file_format": job.file_format,
        "size": job.size,
        "state": job.state,
        "percent": progress.percent,
        "total_rows": job.total_rows,
        "error_count": job.error_count,
        "error_rows": job.error_rows,
        "planned": {
            "added": job.planned_added,
            "updated": job.planned_updated,
            "unchanged": job.planned_unchanged,
        },
        "result": {"added": job.added, "updated": job.updated, "unchanged": job.unchanged},
        "message": job.message,
        "columns": [
            {"index": i, "header": h, "field": job.mapping[i] if i < len(job.mapping) else ""}
            for i, h in enumerate(job.headers)
        ],
        "fields": [
            {"key": c.key, "label": c.label, "required": c.required, "help": c.help}
            for c in columns_for(job.kind)
        ],
        "created_at": job.created_at,
        "checked_at": job.checked_at,
        "finished_at": job.finished_at,
    }


def _job(request: HttpRequest, job_id: int) -> ImportJob:
    return get_object_or_404(queries.visible_jobs(user_of(request)), pk=job_id)


@router.get(
    "/imports/templates/{kind}",
    response={200: None, **READ_ERRORS},
    url_name="import-template",
)
def import_template(request: HttpRequest, kind: str, query: Query[TemplateQuery]) -> Any:
    """The published template of `kind` (`members`, `candidates`, `organisations`):
    `format=xlsx` (header row, an example row, a sheet "Hướng dẫn" with each column's
    meaning and allowed values) or `format=csv` (UTF-8 with BOM, `;` between cells)."""
    if kind not in ImportKind.values:
        raise ApiError(404)
    content, content_type, name = template_file(kind, query.format)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}"
    return response


@router.get("/imports", response={200: JobPage, **READ_ERRORS}, url_name="imports")
def list_imports(request: HttpRequest, page: Query[Page]) -> dict[str, Any]:
    """The import jobs on nodes of the user's subtree, newest first."""
    jobs = queries.visible_jobs(user_of(request))
    return {
        "count": jobs.count(),
        "items": [job_out(j) for j in jobs[page.offset : page.offset + page.limit]],
    }


@router.post("/imports", response={201: JobOut, **WRITE_ERRORS}, url_name="import-create")
def create_import(
    request: HttpRequest,
    file: File[UploadedFile],
    kind: Form[str],
    organisation_id: Form[int],
) -> Any:
    """Upload a file to import (multipart: `file`, `kind`, `organisation_id`): XLSX or CSV
    (UTF-8, `;` or `,`), at most 50 MB, judged by content. Answers 201 with the job, its
    columns and the proposed mapping. `kind` unknown or a file that cannot be read → 400;
    a node outside the user's subtree → 404; a role that may not import there → 403."""
    user = user_of(request)
    if kind not in ImportKind.values:
        raise ApiError(400, fields={"kind": f"Chọn một trong: {', '.join(ImportKind.values)}."})
    organisation: Organisation = get_object_or_404(visible_organisations(user), pk=organisation_id)
    try:
        job = actions.create_job(kind, organisation, file, by=user)
    except DomainError as error:
        if isinstance(error, UploadRefused) or error.field == "file":  # not a rule: bad input
            raise ApiError(400, str(error), fields={"file": str(error)}) from error
        raise
    return Status(201, job_out(job))


@router.get("/imports/{job_id}", response={200: JobOut, **READ_ERRORS}, url_name="import")
def get_import(request: HttpRequest, job_id: int) -> dict[str, Any]:
    """One job: state, progress (`percent`, from the running task), counts, mapping."""
    return job_out(_job(request, job_id))


@router.get(
    "/imports/{job_id}/errors", response={200: ProblemPage, **READ_ERRORS}, url_name="import-errors"
)
def import_errors(request: HttpRequest, job_id: int, page: Query[Page]) -> dict[str, Any]:
    """The problems the last dry run found, by row, in Vietnamese."""
    job = _job(request, job_id)
    problems = job.problems.all()
    return {
        "count": problems.count(),
        "items": [
            {"row": p.row, "column": p.column, "message": p.message, "text": p.text}
            for p in problems[page.offset : page.offset + page.limit]
        ],
    }


@router.put(
    "/imports/{job_id}/mapping", response={200: JobOut, **WRITE_ERRORS}, url_name="import-mapping"
)
def set_import_mapping(request: HttpRequest, job_id: int, payload: MappingIn) -> Any:
    """Choose the field of each column. Every required field needs a column, a field one
    column only (409 `not_eligible` with `fields.mapping` otherwise). A new mapping needs
    a new dry run."""
    job = _job(request, job_id)
    mapping = payload.mapping
    if isinstance(mapping, dict):
        unknown = [h for h in mapping if h not in job.headers]
        if unknown:
            raise ApiError(400, fields={"mapping": f"Không có cột “{unknown[0]}” trong tệp."})
        mapping = [mapping.get(h, "") for h in job.headers]
    return job_out(actions.set_mapping(job, mapping, by=user_of(request)))


@router.post(
    "/imports/{job_id}/dry-run", response={202: JobOut, **WRITE_ERRORS}, url_name="import-dry-run"
)
def start_import_dry_run(request: HttpRequest, job_id: int) -> Any:
    """Queue the check of every row (202); the background worker runs it. Poll the job."""
    job = actions.start_dry_run(_job(request, job_id), by=user_of(request))
    return Status(202, job_out(job))


@router.post(
    "/imports/{job_id}/commit", response={202: JobOut, **WRITE_ERRORS}, url_name="import-commit"
)
def start_import_commit(request: HttpRequest, job_id: int) -> Any:
    """Queue the all-or-nothing commit (202). 409 `conflict` when the dry run was not run,
    or found errors. If the data changed since the dry run, the commit writes nothing and
    the job goes back to `checked` with the new errors."""
    job = actions.start_commit(_job(request, job_id), by=user_of(request))
    return Status(202, job_out(job))
