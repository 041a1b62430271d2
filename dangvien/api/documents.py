"""JSON API: a subject's documents and dossier, signed scans and the registers of outgoing
documents (issue 8; API.md "Documents"). Mounted at the API root; full paths.

The same actions and queries as the pages (``dangvien.documents``): a subject, scan or
body outside the user's subtree → 404; a step the role may not take → 403; a rule refused
→ 409 (``missing_data`` when the procedure has not recorded what a document states);
malformed input (a format other than docx/pdf) → 400 ``invalid``.
"""

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile
from ninja import Form as FormField

from dangvien.api.auth import user_of
from dangvien.api.errors import ApiError, responses
from dangvien.api.schemas import Day, Page
from dangvien.auditlog.access import log_access
from dangvien.auditlog.models import AccessKind
from dangvien.core.listexport import watermark
from dangvien.documents import generate as files
from dangvien.documents.actions import register, scans
from dangvien.documents.contexts import MissingData
from dangvien.documents.forms import CANDIDATE, MEMBER, Form, find_form
from dangvien.documents.models import IssuedDocument, Scan
from dangvien.documents.queries import access, registers
from dangvien.documents.queries.dossier import Row, dossier_of
from dangvien.documents.render import watermarked
from dangvien.organisations.queries import visible_organisations

router = Router(tags=["Văn bản, hồ sơ"])

READ_ERRORS = responses(400, 401, 404)
FILE_ERRORS = responses(400, 401, 404, 409)
WRITE_ERRORS = responses(400, 401, 403, 404, 409)
FILE_DOC = "Tệp (Content-Disposition: attachment)."


# ---- schemas ---------------------------------------------------------------------------


class ScanOut(Schema):
    id: int
    form: str
    item: str
    name: str = Field(description="Tên tệp khi tải lên")
    content_type: str
    size: int = Field(description="Dung lượng (byte)")
    sha256: str
    uploaded_at: datetime
    url: str = Field(description="Đường dẫn tải tệp (`GET /scans/{id}`)")


class DownloadOut(Schema):
    docx: str
    pdf: str


class DocumentItem(Schema):
    form: str = Field(description="Mã mẫu, ví dụ `9-KNĐ`")
    slug: str = Field(description="Mã mẫu không dấu, dùng được trong đường dẫn: `9-KND`")
    title: str
    item: str = Field(description="Văn bản nào của mẫu có nhiều văn bản (`introducer:12`)")
    item_label: str
    applicable: bool = Field(description="Mẫu áp dụng cho chi bộ này (7/14-KNĐ, 8/15-KNĐ…)")
    available: bool = Field(description="Đủ dữ liệu để lập văn bản")
    missing_reason: str
    numbered: bool = Field(description="Văn bản lấy số từ sổ văn bản đi của cơ quan ban hành")
    number: str = Field(description="Số đã cấp hoặc đã ghi trong quy trình, ví dụ `05-NQ/CB`")
    can_take_number: bool
    status: Literal["signed", "ready", "missing", "not_applicable"]
    status_label: str
    needed_for: str
    scans: list[ScanOut]
    download: DownloadOut | None = Field(description="Đường dẫn tải DOCX, PDF (khi lập được)")


class DossierOut(Schema):
    candidate_id: int | None = None
    member_id: int | None = None
    dossier: str = Field(description="`admission`, `recognition` hoặc `records`")
    next_step: str = Field(description="Bước tiếp theo của quy trình (rỗng: không còn)")
    missing: list[str] = Field(description="Mẫu bước tiếp theo cần mà chưa có bản ký")
    items: list[DocumentItem]


class NumberIn(Schema):
    item: str = Field("", max_length=40, description="Văn bản nào (mẫu có nhiều văn bản)")
    issued_on: Day | None = Field(None, description="Ngày ban hành (mặc định hôm nay)")


class IssuedOut(Schema):
    id: int
    organisation_id: int
    organisation_name: str
    series: str
    number: int
    symbol: str
    number_text: str = Field(description="Số và ký hiệu như in sau chữ “Số”: `127-QĐ/ĐU`")
    form: str
    item: str
    candidate_id: int | None
    member_id: int | None
    issued_on: date
    summary: str
    by: str | None
    at: datetime


class IssuedPage(Schema):
    count: int
    items: list[IssuedOut]


class RegisterFilters(Page):
    organisation: int | None = Field(
        None, description="Cơ quan ban hành (sổ của riêng cơ quan này)"
    )
    series: str = Field("", max_length=10, description="Loại văn bản: QĐ, NQ, BC, GGT…")
    year: int | None = Field(None, ge=1930, le=2200, description="Năm ban hành")


class OutsideNumberIn(Schema):
    organisation_id: int
    series: str = Field(..., min_length=1, max_length=10, description="QĐ, NQ, CV, TB…")
    summary: str = Field(..., min_length=1, max_length=300, description="Trích yếu nội dung")
    issued_on: Day | None = Field(None, description="Ngày ban hành (mặc định hôm nay)")


# ---- serialising -----------------------------------------------------------------------


def scan_out(scan: Scan) -> dict[str, Any]:
    return {
        "id": scan.pk,
        "form": scan.form,
        "item": scan.item,
        "name": scan.original_name,
        "content_type": scan.content_type,
        "size": scan.size,
        "sha256": scan.sha256,
        "uploaded_at": scan.at,
        "url": f"/api/v1/scans/{scan.pk}",
    }


def issued_out(doc: IssuedDocument) -> dict[str, Any]:
    return {
        "id": doc.pk,
        "organisation_id": doc.register.organisation_id,
        "organisation_name": doc.register.organisation.name,
        "series": doc.register.series,
        "number": doc.number,
        "symbol": doc.symbol,
        "number_text": doc.number_text,
        "form": doc.form,
        "item": doc.item,
        "candidate_id": doc.candidate_id,
        "member_id": doc.member_id,
        "issued_on": doc.issued_on,
        "summary": doc.summary,
        "by": doc.by.get_username() if doc.by else None,
        "at": doc.at,
    }


def _row_out(row: Row, base: str) -> dict[str, Any]:
    query = f"&item={row.item}" if row.item else ""
    download = None
    if row.available:
        path = f"{base}/{row.form.slug}"
        download = {"docx": f"{path}?format=docx{query}", "pdf": f"{path}?format=pdf{query}"}
    return {
        "form": row.form.code,
        "slug": row.form.slug,
        "title": row.form.title,
        "item": row.item,
        "item_label": row.item_label,
        "applicable": row.applicable,
        "available": row.available,
        "missing_reason": row.missing_reason,
        "numbered": row.form.numbered,
        "number": row.number,
        "can_take_number": row.can_take_number,
        "status": row.status,
        "status_label": row.status_label,
        "needed_for": row.form.needed_for,
        "scans": [scan_out(s) for s in row.scans],
        "download": download,
    }


# ---- shared handlers -------------------------------------------------------------------


def _form(code: str, kind: str) -> Form:
    form = find_form(code)
    if form is None or form.subject != kind:
        raise ApiError(404, f"Không có mẫu “{code}” trong hồ sơ này.")
    return form


def _dossier(request: HttpRequest, kind: str, pk: int) -> dict[str, Any]:
    subject = access.visible_subject(user_of(request), kind, pk)
    dossier = dossier_of(subject)
    base = f"/api/v1/{'candidates' if kind == CANDIDATE else 'members'}/{pk}/documents"
    return {
        f"{kind}_id": pk,
        "dossier": dossier.dossier,
        "next_step": dossier.next_step,
        "missing": dossier.missing,
        "items": [_row_out(row, base) for row in dossier.rows],
    }


def attachment(data: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = files.content_disposition(name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _file(request: HttpRequest, kind: str, pk: int, code: str, fmt: str, item: str) -> HttpResponse:
    subject = access.visible_subject(user_of(request), kind, pk)
    form = _form(code, kind)
    from dangvien.documents import issuers

    if not issuers.applicable(form, subject.branch):
        raise ApiError(
            409, f"Mẫu {form.code} không áp dụng cho {subject.branch.name}.", code="not_applicable"
        )
    try:
        with watermarked(watermark(user_of(request))):
            data, name = files.generate(form, subject, fmt, item=item)
    except MissingData as missing:
        raise ApiError(409, missing.message, code="missing_data") from missing
    _log_download(request, subject, f"{form.code} ({fmt})")
    return attachment(data, name, files.CONTENT_TYPES[fmt])


def _zip(request: HttpRequest, kind: str, pk: int, fmt: str) -> HttpResponse:
    subject = access.visible_subject(user_of(request), kind, pk)
    dossier = dossier_of(subject).dossier
    with watermarked(watermark(user_of(request))):
        data, name = files.generate_dossier(subject, dossier, fmt)
    _log_download(request, subject, f"Cả hồ sơ ({fmt}, zip)")
    return attachment(data, name, files.CONTENT_TYPES["zip"])


def _log_download(request: HttpRequest, subject: Any, what: str) -> None:
    """One access-log row per download of a subject's document (issue 9)."""
    log_access(
        request,
        kind=AccessKind.DOWNLOAD,
        what=f"Văn bản: {what}",
        person=subject.person_id,
        org_path=subject.org_path,
        user=user_of(request),
    )


def _number(request: HttpRequest, kind: str, pk: int, code: str, payload: NumberIn) -> Any:
    user = user_of(request)
    subject = access.visible_subject(user, kind, pk)
    form = _form(code, kind)
    issued = register.number_document(
        form, subject, item=payload.item, on=payload.issued_on, by=user
    )
    return Status(201, issued_out(issued))


def _upload(
    request: HttpRequest, kind: str, pk: int, code: str, file: UploadedFile, item: str
) -> Any:
    user = user_of(request)
    subject = access.visible_subject(user, kind, pk)
    form = _form(code, kind)
    scan = scans.upload_scan(subject, form.code, item, file, by=user)
    return Status(201, scan_out(scan))


FORMAT = Query(..., description="`docx` hoặc `pdf`", alias="format")
ITEM = Query("", max_length=40, description="Văn bản nào (mẫu có nhiều văn bản)")

# ---- candidates ------------------------------------------------------------------------


@router.get(
    "/candidates/{candidate_id}/documents",
    response={200: DossierOut, **READ_ERRORS},
    url_name="candidate-documents",
)
def candidate_documents(request: HttpRequest, candidate_id: int) -> dict[str, Any]:
    """The admission dossier of a candidate: one item per form (and per introducer for
    3-KNĐ…), whether it applies to the chi bộ, whether it can be made now (else why not),
    its number, its signed scans and download links; `missing`: the forms the next step
    needs that have no signed scan yet."""
    return _dossier(request, CANDIDATE, candidate_id)


@router.get(
    "/candidates/{candidate_id}/documents/{form}",
    response={200: None, **FILE_ERRORS},
    url_name="candidate-document",
)
def candidate_document(
    request: HttpRequest,
    candidate_id: int,
    form: str,
    fmt: Literal["docx", "pdf"] = FORMAT,
    item: str = ITEM,
) -> HttpResponse:
    """One document of the candidate's dossier as DOCX or PDF (`form` = `9-KNĐ` or
    `9-KND`). Unknown form → 404; the procedure has not recorded what it states → 409
    `missing_data`; the form does not apply to the chi bộ → 409 `not_applicable`."""
    return _file(request, CANDIDATE, candidate_id, form, fmt, item)


@router.get(
    "/candidates/{candidate_id}/dossier",
    response={200: None, **FILE_ERRORS},
    url_name="candidate-dossier-zip",
)
def candidate_dossier_zip(
    request: HttpRequest, candidate_id: int, fmt: Literal["docx", "pdf"] = FORMAT
) -> HttpResponse:
    """The whole admission dossier as one ZIP: every document that can be made, and
    `DANH-MUC.txt` listing what was made and what could not be (with the reason)."""
    return _zip(request, CANDIDATE, candidate_id, fmt)


@router.post(
    "/candidates/{candidate_id}/documents/{form}/number",
    response={201: IssuedOut, **WRITE_ERRORS},
    url_name="candidate-document-number",
)
def number_candidate_document(
    request: HttpRequest, candidate_id: int, form: str, payload: NumberIn
) -> Any:
    """Take the number of one document from its issuer's register (the chi bộ for its
    resolutions, the deciding committee for 9-KNĐ…). Taking it again answers the same
    number (201, unchanged). A role that may not number for that body → 403."""
    return _number(request, CANDIDATE, candidate_id, form, payload)


@router.post(
    "/candidates/{candidate_id}/documents/{form}/scans",
    response={201: ScanOut, **WRITE_ERRORS},
    url_name="candidate-document-scans",
)
def upload_candidate_scan(
    request: HttpRequest,
    candidate_id: int,
    form: str,
    file: File[UploadedFile],
    item: FormField[str] = "",
) -> Any:
    """Upload the signed scan of one document (multipart: `file`, `item`): PDF or JPEG,
    judged by content, at most `documents.scan_max_mb` MB; a PDF with JavaScript, launch
    actions or attached files is refused (409 `not_eligible`)."""
    return _upload(request, CANDIDATE, candidate_id, form, file, item)


# ---- members ---------------------------------------------------------------------------


@router.get(
    "/members/{member_id}/documents",
    response={200: DossierOut, **READ_ERRORS},
    url_name="member-documents",
)
def member_documents(request: HttpRequest, member_id: int) -> dict[str, Any]:
    """The documents of a member: the recognition dossier (10–16-KNĐ, the new-member
    course certificate) and other records (transfer letters, removal decision, party-age
    certificate, monthly reports), as for candidates."""
    return _dossier(request, MEMBER, member_id)


@router.get(
    "/members/{member_id}/documents/{form}",
    response={200: None, **FILE_ERRORS},
    url_name="member-document",
)
def member_document(
    request: HttpRequest,
    member_id: int,
    form: str,
    fmt: Literal["docx", "pdf"] = FORMAT,
    item: str = ITEM,
) -> HttpResponse:
    """One document of the member as DOCX or PDF; errors as for candidates."""
    return _file(request, MEMBER, member_id, form, fmt, item)


@router.get(
    "/members/{member_id}/dossier",
    response={200: None, **FILE_ERRORS},
    url_name="member-dossier-zip",
)
def member_dossier_zip(
    request: HttpRequest, member_id: int, fmt: Literal["docx", "pdf"] = FORMAT
) -> HttpResponse:
    """The member's current dossier (recognition while probationary, else records) as one
    ZIP with `DANH-MUC.txt`."""
    return _zip(request, MEMBER, member_id, fmt)


@router.post(
    "/members/{member_id}/documents/{form}/number",
    response={201: IssuedOut, **WRITE_ERRORS},
    url_name="member-document-number",
)
def number_member_document(
    request: HttpRequest, member_id: int, form: str, payload: NumberIn
) -> Any:
    """Take the number of one of the member's documents (as for candidates)."""
    return _number(request, MEMBER, member_id, form, payload)


@router.post(
    "/members/{member_id}/documents/{form}/scans",
    response={201: ScanOut, **WRITE_ERRORS},
    url_name="member-document-scans",
)
def upload_member_scan(
    request: HttpRequest,
    member_id: int,
    form: str,
    file: File[UploadedFile],
    item: FormField[str] = "",
) -> Any:
    """Upload the signed scan of one of the member's documents (as for candidates)."""
    return _upload(request, MEMBER, member_id, form, file, item)


# ---- scans -----------------------------------------------------------------------------


@router.get("/scans/{scan_id}", response={200: None, **responses(400, 401, 404)}, url_name="scan")
def get_scan(request: HttpRequest, scan_id: int) -> HttpResponse:
    """The stored file of a scan, as an attachment, after the subject's scope check."""
    scan = access.visible_scan(user_of(request), scan_id)
    try:
        data = scans.read_scan(scan)
    except FileNotFoundError as error:
        raise ApiError(404, "Tệp bản quét không còn trên máy chủ.") from error
    # A signed scan is evidence: given as it was stored (no watermark), but logged.
    _log_download(request, access.subject_of(scan), f"Bản quét {scan.form}")
    response = attachment(data, scan.original_name, scan.content_type)
    response["Content-Security-Policy"] = "sandbox"
    return response


@router.delete(
    "/scans/{scan_id}",
    response={204: None, **responses(400, 401, 403, 404, 409)},
    url_name="scan-delete",
)
def delete_scan(request: HttpRequest, scan_id: int) -> Any:
    """Remove a scan (same permission as uploading)."""
    user = user_of(request)
    scan = access.visible_scan(user, scan_id)
    scans.delete_scan(scan, by=user)
    return Status(204, None)


# ---- registers -------------------------------------------------------------------------


@router.get("/registers", response={200: IssuedPage, **READ_ERRORS}, url_name="registers")
def list_registers(request: HttpRequest, filters: Query[RegisterFilters]) -> dict[str, Any]:
    """Numbers taken from the registers of outgoing documents of the bodies the user sees,
    newest first: of one body (`organisation`, outside the scope → 404), one `series`,
    issued in `year`."""
    user = user_of(request)
    organisation = None
    if filters.organisation is not None:
        organisation = get_object_or_404(visible_organisations(user), pk=filters.organisation)
    rows = registers.issued_documents(
        user, organisation=organisation, series=filters.series, year=filters.year
    )
    page = rows[filters.offset : filters.offset + filters.limit]
    return {"count": rows.count(), "items": [issued_out(d) for d in page]}


@router.post(
    "/registers/numbers", response={201: IssuedOut, **WRITE_ERRORS}, url_name="register-number"
)
def take_outside_number(request: HttpRequest, payload: OutsideNumberIn) -> Any:
    """Take the next number of a body's register for a document made outside the system
    (a công văn, a thông báo…): `series` and `summary` (trích yếu) are required."""
    user = user_of(request)
    organisation = get_object_or_404(visible_organisations(user), pk=payload.organisation_id)
    issued = register.take_number(
        organisation,
        payload.series,
        on=payload.issued_on or timezone.localdate(),
        by=user,
        summary=payload.summary,
    )
    return Status(201, issued_out(issued))
