"""Dossier pages (issue 8): a candidate's admission dossier at ``/van-ban/quan-chung/<id>/``,
a member's documents at ``/van-ban/dang-vien/<id>/``; each document's DOCX and PDF, the
whole dossier as a ZIP, numbers from the register, and the signed scans.

Every view fetches the subject through the scope queries first (404 outside), then calls
one action; a refused rule is shown on the page with 409, a role that may not with 403.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, re_path, reverse
from django.views.decorators.http import require_GET, require_POST

from dangvien.auditlog.access import log_access
from dangvien.auditlog.models import AccessKind
from dangvien.core.errors import DomainError, NotAllowed
from dangvien.core.http import AuthedRequest
from dangvien.core.listexport import watermark
from dangvien.documents import generate as files
from dangvien.documents import issuers
from dangvien.documents.actions import register, scans
from dangvien.documents.contexts import MissingData
from dangvien.documents.forms import CANDIDATE, MEMBER, Form, find_form
from dangvien.documents.queries import access
from dangvien.documents.queries.access import Subject
from dangvien.documents.queries.dossier import dossier_of
from dangvien.documents.render import watermarked

KINDS = {"quan-chung": CANDIDATE, "dang-vien": MEMBER}
KIND_SLUGS = {CANDIDATE: "quan-chung", MEMBER: "dang-vien"}


def _subject(request: AuthedRequest, kind: str, pk: str) -> Subject:
    if kind not in KINDS:
        raise Http404
    return access.visible_subject(request.user, KINDS[kind], int(pk))


def _form(slug: str, subject: Subject) -> Form:
    form = find_form(slug)
    if form is None or form.subject != access.subject_kind(subject):
        raise Http404
    return form


def _page(
    request: AuthedRequest, subject: Subject, *, error: str = "", status: int = 200
) -> HttpResponse:
    user = request.user
    dossier = dossier_of(subject)
    kind = access.subject_kind(subject)
    may_scan = access.may_handle_scans(user, subject)
    rows = [
        {
            "row": row,
            "may_number": row.can_take_number and access.may_number_for(user, row.form, subject),
            "may_scan": may_scan and access.may_handle_scans(user, subject, row.form, row.item),
        }
        for row in dossier.rows
    ]
    context: dict[str, Any] = {
        "nav": "candidates" if kind == CANDIDATE else "members",
        "subject": subject,
        "person": subject.person,
        "kind": kind,
        "kind_slug": KIND_SLUGS[kind],
        "dossier": dossier,
        "rows": rows,
        "may_scan": may_scan,
        "error": error,
        "detail_url": reverse(
            "candidates:detail" if kind == CANDIDATE else "members:detail", args=[subject.pk]
        ),
        "candidacy": getattr(subject, "candidacy", None) if kind == MEMBER else None,
    }
    return render(request, "documents/dossier.html", context, status=status)


def _log_download(request: AuthedRequest, subject: Subject, what: str) -> None:
    """One access-log row per download of a subject's document (issue 9)."""
    log_access(
        request,
        kind=AccessKind.DOWNLOAD,
        what=f"Văn bản: {what}",
        person=subject.person_id,
        org_path=subject.org_path,
    )


def _back(subject: Subject) -> HttpResponse:
    kind = KIND_SLUGS[access.subject_kind(subject)]
    return redirect("documents:dossier", kind=kind, pk=subject.pk)


@login_required
@require_GET
def dossier_page(request: AuthedRequest, kind: str, pk: str) -> HttpResponse:
    return _page(request, _subject(request, kind, pk))


@login_required
@require_GET
def document_file(request: AuthedRequest, kind: str, pk: str, slug: str) -> HttpResponse:
    """One document as DOCX or PDF (``?format=docx|pdf&item=``): 400 for another format,
    409 with the reason on the page when the data is not there yet."""
    subject = _subject(request, kind, pk)
    form = _form(slug, subject)
    fmt = request.GET.get("format", "pdf")
    if fmt not in files.FORMATS:
        return _page(request, subject, error="Định dạng tệp phải là DOCX hoặc PDF.", status=400)
    if not issuers.applicable(form, subject.branch):
        message = f"Mẫu {form.code} không áp dụng cho {subject.branch.name}."
        return _page(request, subject, error=message, status=409)
    try:
        with watermarked(watermark(request.user)):
            data, name = files.generate(form, subject, fmt, item=request.GET.get("item", "")[:40])
    except MissingData as missing:
        return _page(request, subject, error=f"{form.code}: {missing.message}", status=409)
    _log_download(request, subject, f"{form.code} ({fmt})")
    response = HttpResponse(data, content_type=files.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = files.content_disposition(name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def dossier_zip(request: AuthedRequest, kind: str, pk: str) -> HttpResponse:
    subject = _subject(request, kind, pk)
    fmt = request.GET.get("format", "pdf")
    if fmt not in files.FORMATS:
        return _page(request, subject, error="Định dạng tệp phải là DOCX hoặc PDF.", status=400)
    with watermarked(watermark(request.user)):
        data, name = files.generate_dossier(subject, dossier_of(subject).dossier, fmt)
    _log_download(request, subject, f"Cả hồ sơ ({fmt}, zip)")
    response = HttpResponse(data, content_type=files.CONTENT_TYPES["zip"])
    response["Content-Disposition"] = files.content_disposition(name)
    return response


def _refused(request: AuthedRequest, subject: Subject, error: DomainError) -> HttpResponse:
    status = 403 if isinstance(error, NotAllowed) else 409
    return _page(request, subject, error=str(error), status=status)


@login_required
@require_POST
def take_number(request: AuthedRequest, kind: str, pk: str, slug: str) -> HttpResponse:
    subject = _subject(request, kind, pk)
    form = _form(slug, subject)
    try:
        issued = register.number_document(
            form, subject, item=request.POST.get("item", "")[:40], by=request.user
        )
    except DomainError as error:
        return _refused(request, subject, error)
    messages.success(request, f"{form.code}: đã cấp số {issued.number_text}.")
    return _back(subject)


@login_required
@require_POST
def upload_scan(request: AuthedRequest, kind: str, pk: str, slug: str) -> HttpResponse:
    subject = _subject(request, kind, pk)
    form = _form(slug, subject)
    upload = request.FILES.get("file")
    if upload is None:
        return _page(request, subject, error="Chọn tệp bản quét (PDF hoặc JPEG).", status=400)
    try:
        scans.upload_scan(
            subject, form.code, request.POST.get("item", "")[:40], upload, by=request.user
        )
    except DomainError as error:
        return _refused(request, subject, error)
    messages.success(request, f"{form.code}: đã lưu bản quét “{upload.name}”.")
    return _back(subject)


@login_required
@require_GET
def scan_file(request: AuthedRequest, scan_pk: int) -> HttpResponse:
    """A stored scan, after the scope check: always an attachment, never sniffed, and
    sandboxed should a browser render it anyway."""
    scan = access.visible_scan(request.user, scan_pk)
    try:
        data = scans.read_scan(scan)
    except FileNotFoundError as error:
        raise Http404 from error
    # A signed scan is evidence: downloaded as it was stored (no watermark), but logged.
    _log_download(request, access.subject_of(scan), f"Bản quét {scan.form}")
    response = HttpResponse(data, content_type=scan.content_type)
    response["Content-Disposition"] = files.content_disposition(scan.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


@login_required
@require_POST
def scan_delete(request: AuthedRequest, scan_pk: int) -> HttpResponse:
    scan = access.visible_scan(request.user, scan_pk)
    subject = access.subject_of(scan)
    try:
        scans.delete_scan(scan, by=request.user)
    except DomainError as error:
        return _refused(request, subject, error)
    messages.success(request, f"Đã xóa bản quét “{scan.original_name}”.")
    return _back(subject)


K = r"^(?P<kind>quan-chung|dang-vien)/(?P<pk>[0-9]{1,18})/"
F = r"mau/(?P<slug>[^/]+)/"

urlpatterns = [
    path("ban-quet/<int:scan_pk>/", scan_file, name="scan"),
    path("ban-quet/<int:scan_pk>/xoa/", scan_delete, name="scan-delete"),
    re_path(K + r"$", dossier_page, name="dossier"),
    re_path(K + r"ho-so\.zip$", dossier_zip, name="dossier-zip"),
    re_path(K + F + r"$", document_file, name="document"),
    re_path(K + F + r"cap-so/$", take_number, name="number"),
    re_path(K + F + r"ban-quet/$", upload_scan, name="upload"),
]
