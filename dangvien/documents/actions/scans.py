"""Signed scans of dossier documents (issue 8: "uploads of the signed scans (PDF/JPEG,
size-limited, virus-safe handling: stored outside the web root, served only through the
scope check)").

A file is judged by its content, never by its name or the browser's content type: a PDF
starts with ``%PDF-``, a JPEG with ``FF D8 FF``. PDFs that carry active content
(JavaScript, launch actions, embedded files) are refused; JPEGs are decoded and encoded
again with Pillow, which keeps the picture and drops whatever was appended or hidden in
its metadata. Files are written by ``core.uploads.store`` under ``UPLOADS_DIR/scans`` with
a random name.
"""

import io
import re
import zlib
from typing import TYPE_CHECKING, Protocol

from django.db import transaction
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from dangvien.candidates.models import Candidate
from dangvien.core import uploads
from dangvien.core.actions import action
from dangvien.core.errors import NotAllowed, NotEligible
from dangvien.core.rules import rule
from dangvien.core.text import nfc
from dangvien.documents.forms import find_form
from dangvien.documents.models import Scan
from dangvien.documents.queries.access import (
    Subject,
    may_handle_scans,
    subject_kind,
    subject_of,
)
from dangvien.members.models import Member

if TYPE_CHECKING:
    from dangvien.accounts.models import User

FOLDER = "scans"
PDF, JPEG = "application/pdf", "image/jpeg"
MAX_PIXELS = 60_000_000  # a 600 dpi A3 page is about 70 MP in colour; a scan is far less


class UploadedFile(Protocol):
    name: str | None
    size: int | None

    def chunks(self, chunk_size: int | None = None) -> "object": ...


# PDF names whose presence means the file can act when opened (PDF 1.7 §12.6, §7.11.4):
# scripts, launching programs, attached files, rich media. A name may spell a character
# as #xx (/J#61vaScript), so names are read after decoding those escapes.
_ACTIVE = {
    "JavaScript": "JavaScript",
    "JS": "JavaScript",
    "Launch": "lệnh mở chương trình (/Launch)",
    "EmbeddedFile": "tệp đính kèm",
    "EmbeddedFiles": "tệp đính kèm",
    "RichMedia": "nội dung đa phương tiện (/RichMedia)",
}
_NAME = re.compile(rb"/([A-Za-z0-9#]+)")
_STREAM = re.compile(rb"stream\r?\n")
_STREAM_LIMIT = 8 * 1024 * 1024  # bytes inflated per stream, enough to read any names


def _names(data: bytes) -> set[str]:
    names = set()
    for raw in _NAME.findall(data):
        if b"#" in raw:
            raw = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)
        names.add(raw.decode("latin-1"))
    return names


def _inflated_streams(data: bytes) -> list[bytes]:
    """The Flate-compressed streams of the file, inflated (object streams hide their
    dictionaries there). Streams that do not inflate are skipped: images and the like."""
    out = []
    for match in _STREAM.finditer(data):
        start = match.end()
        end = data.find(b"endstream", start)
        if end < 0:
            break
        try:
            out.append(zlib.decompressobj().decompress(data[start:end], _STREAM_LIMIT))
        except zlib.error:
            continue
    return out


def active_content(data: bytes) -> list[str]:
    """What in a PDF's bytes could act when it is opened (Vietnamese, for the message)."""
    names = _names(data)
    for stream in _inflated_streams(data):
        names |= _names(stream)
    found = [label for name, label in _ACTIVE.items() if name in names]
    if "OpenAction" in names and "JavaScript" in found:
        found.append("lệnh tự chạy khi mở tệp (/OpenAction)")
    return list(dict.fromkeys(found))


def _reencoded_jpeg(data: bytes) -> bytes:
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "JPEG":
                raise NotEligible("Tệp không phải ảnh JPEG hợp lệ.", field="file")
            if image.width * image.height > MAX_PIXELS:
                raise NotEligible("Ảnh quét quá lớn (quá nhiều điểm ảnh).", field="file")
            image.load()
            picture: Image.Image = image
            if image.mode not in ("RGB", "L", "CMYK"):
                picture = image.convert("RGB")
            out = io.BytesIO()
            # No EXIF, no comments, nothing after the end marker: only the picture.
            picture.save(out, "JPEG", quality=90)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise NotEligible("Tệp ảnh JPEG bị hỏng, không đọc được.", field="file") from error


def _checked_content(data: bytes) -> tuple[bytes, str, str]:
    """(content to store, content type, suffix), or a refusal saying why."""
    if data.startswith(b"%PDF-"):
        found = active_content(data)
        if found:
            raise NotEligible(
                "Tệp PDF có nội dung có thể tự chạy khi mở ("
                + ", ".join(found)
                + "): không nhận. Hãy quét lại văn bản đã ký hoặc in ra PDF rồi tải lên.",
                field="file",
            )
        if b"%%EOF" not in data[-2048:]:
            raise NotEligible("Tệp PDF không đầy đủ (thiếu phần kết thúc).", field="file")
        return data, PDF, ".pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return _reencoded_jpeg(data), JPEG, ".jpg"
    raise NotEligible(
        "Chỉ nhận bản quét dạng PDF hoặc ảnh JPEG (kiểm tra theo nội dung tệp, không theo tên).",
        field="file",
    )


def _checked_target(subject: Subject, form_code: str, item: str) -> str:
    from dangvien.documents import issuers
    from dangvien.documents.contexts import items

    form = find_form(form_code)
    if form is None or form.subject != subject_kind(subject):
        raise NotEligible(f"Không có mẫu “{form_code}” trong hồ sơ này.", field="form")
    if not issuers.applicable(form, subject.branch):
        raise NotEligible(f"Mẫu {form.code} không áp dụng cho {subject.branch.name}.", field="form")
    if form.per:
        if item not in dict(items(form, subject)):
            raise NotEligible(f"Chọn văn bản nào của mẫu {form.code} đã quét.", field="item")
    elif item:
        raise NotEligible(f"Mẫu {form.code} chỉ có một văn bản.", field="item")
    return form.code


def _file_name(name: str | None) -> str:
    base = nfc(re.split(r"[\\/]", name or "")[-1])
    return (base or "ban-quet")[:255]


@action
def upload_scan(
    subject: Subject, form: str, item: str, file: UploadedFile, *, by: "User", note: str = ""
) -> Scan:
    """Keep the signed scan of one dossier document (issue 8). Refused when ``by`` may not
    handle the subject's scans (``queries.access.may_handle_scans``), for a form or item
    the subject does not have, past ``documents.scan_max_mb`` MB [U], when the content is
    neither PDF nor JPEG, and for a PDF with active content."""
    if not may_handle_scans(by, subject):
        raise NotAllowed("Bạn không được tải bản quét lên hồ sơ này.")
    code = _checked_target(subject, form, item)
    max_mb = int(
        rule("documents.scan_max_mb", on=timezone.localdate(), organisation=subject.branch)
    )
    max_bytes = max_mb * 1024 * 1024
    if (file.size or 0) > max_bytes:
        raise NotEligible(f"Tệp quá lớn: tối đa {max_mb} MB.", field="file")
    data = bytearray()
    for chunk in file.chunks():  # type: ignore[attr-defined]
        data += chunk
        if len(data) > max_bytes:
            raise NotEligible(f"Tệp quá lớn: tối đa {max_mb} MB.", field="file")
    if not data:
        raise NotEligible("Tệp rỗng.", field="file")
    content, content_type, suffix = _checked_content(bytes(data))
    stored = uploads.store([content], FOLDER, suffix=suffix, max_bytes=max_bytes * 2)
    try:
        return Scan.objects.create(
            candidate=subject if isinstance(subject, Candidate) else None,
            member=subject if isinstance(subject, Member) else None,
            form=code,
            item=item,
            original_name=_file_name(file.name),
            stored_name=stored.name,
            content_type=content_type,
            size=stored.size,
            sha256=stored.sha256,
            note=nfc(note)[:200],
            by=by,
            at=timezone.now(),
        )
    except BaseException:
        uploads.remove(FOLDER, stored.name)  # no row, no file
        raise


@action
def delete_scan(scan: Scan, *, by: "User") -> None:
    """Remove a scan uploaded by mistake (issue 8). Same permission as uploading; the file
    goes once the row's deletion is committed."""
    if not may_handle_scans(by, subject_of(scan)):
        raise NotAllowed("Bạn không được xóa bản quét của hồ sơ này.")
    name = scan.stored_name
    Scan.objects.filter(pk=scan.pk).delete()
    transaction.on_commit(lambda: uploads.remove(FOLDER, name))


def read_scan(scan: Scan) -> bytes:
    """The stored bytes of ``scan`` (the caller has checked the scope)."""
    return uploads.path_of(FOLDER, scan.stored_name).read_bytes()
