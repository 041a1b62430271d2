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

import base64
import binascii
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
_STREAM = re.compile(rb"(?<!end)stream\r?\n")
# Bytes inflated in all, the file's streams added up: enough for any scan's dictionaries
# and page contents (pictures are not inflated); past it the file is refused, so a PDF of
# many small "zip bomb" streams cannot take the server's memory or time.
_INFLATE_BUDGET = 64 * 1024 * 1024
_DICT_WINDOW = 64 * 1024  # how far before "stream" its dictionary is looked for
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[A-Za-z0-9#]+)")
_FILTER_REF = re.compile(rb"/Filter\s*\d+\s+\d+\s+R")
_PREDICTOR = re.compile(rb"/Predictor\s+(\d+)")
_FLATE = {"FlateDecode", "Fl"}
_HEX = {"ASCIIHexDecode", "AHx"}
_A85 = {"ASCII85Decode", "A85"}
# Picture codecs: what they decode to is a picture, never read as PDF objects.
_PICTURE = {"DCTDecode", "DCT", "JPXDecode", "CCITTFaxDecode", "CCF", "JBIG2Decode"}
TOO_COMPLEX = "Tệp PDF quá phức tạp để kiểm tra an toàn."
UNSUPPORTED = (
    "Tệp PDF dùng bộ lọc không hỗ trợ ({}): không kiểm tra an toàn được. Hãy quét lại văn "
    "bản hoặc in ra PDF rồi tải lên."
)


def _name(raw: bytes) -> str:
    if b"#" in raw:
        raw = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)
    return raw.decode("latin-1")


def _names(data: bytes) -> set[str]:
    return {_name(raw) for raw in _NAME.findall(data)}


class _Budget:
    """The bytes still allowed to be inflated for one file."""

    def __init__(self, total: int) -> None:
        self.left = total

    def inflate(self, raw: bytes) -> bytes:
        out = zlib.decompressobj().decompress(raw, self.left + 1)
        if len(out) > self.left:
            raise NotEligible(TOO_COMPLEX, field="file")
        self.left -= len(out)
        return out


def _unhex(raw: bytes) -> bytes:
    text = re.sub(rb"\s", b"", raw.split(b">", 1)[0])
    if len(text) % 2:
        text += b"0"
    return binascii.unhexlify(text)


def _un85(raw: bytes) -> bytes:
    text = re.sub(rb"\s", b"", raw.split(b"~>", 1)[0])
    if text.startswith(b"<~"):
        text = text[2:]
    return base64.a85decode(text)


def _filters(dictionary: bytes) -> tuple[list[str], bool]:
    """The stream's filter names in order, and whether the stream is inert: a picture or a
    cross-reference stream that cannot be an object stream (no /First, which a viewer needs
    to read one), whose bytes are never read as PDF objects."""
    if _FILTER_REF.search(dictionary):
        raise NotEligible(UNSUPPORTED.format("/Filter gián tiếp"), field="file")
    found = _FILTER.search(dictionary)
    filters = [_name(raw) for raw in _NAME.findall(found.group(1))] if found else []
    names = _names(dictionary)
    object_stream = "ObjStm" in names or "First" in names
    inert = not object_stream and ("Image" in names or "XRef" in names)
    predictor = _PREDICTOR.search(dictionary)
    if predictor and int(predictor.group(1)) > 1 and not inert:
        raise NotEligible(UNSUPPORTED.format("/Predictor"), field="file")
    return filters, inert


def _decoded(raw: bytes, filters: list[str], budget: _Budget) -> bytes | None:
    """The stream's bytes once its filters are undone; None for a picture or bytes that do
    not decode (a damaged stream is no object a viewer reads). Refused: a filter this check
    cannot undo, and inflating past the budget."""
    if any(name in _PICTURE for name in filters):
        return None
    data = raw
    try:
        for name in filters:
            if name in _FLATE:
                data = budget.inflate(data)
            elif name in _HEX:
                data = _unhex(data)
            elif name in _A85:
                data = _un85(data)
            else:
                raise NotEligible(UNSUPPORTED.format("/" + name), field="file")
    except (zlib.error, binascii.Error, ValueError):
        return None
    return data


def _stream_names(data: bytes) -> set[str]:
    """The names inside the file's filtered streams (object streams hide their dictionaries
    there), each stream decoded, read and dropped before the next: memory holds one."""
    names: set[str] = set()
    budget = _Budget(_INFLATE_BUDGET)
    position = 0
    while True:
        match = _STREAM.search(data, position)
        if match is None:
            break
        start = match.end()
        end = data.find(b"endstream", start)
        if end < 0:
            break
        head = data[max(position, match.start() - _DICT_WINDOW) : match.start()]
        head = head[head.rfind(b"obj") + 3 :] if b"obj" in head else head
        filters, inert = _filters(head)
        position = end + len(b"endstream")
        if not filters or inert:
            continue  # unfiltered bytes were read with the whole file
        decoded = _decoded(data[start:end], filters, budget)
        if decoded is not None:
            names |= _names(decoded)
    return names


def active_content(data: bytes) -> list[str]:
    """What in a PDF's bytes could act when it is opened (Vietnamese, for the message).
    Refused outright (``NotEligible``): a file whose streams cannot all be checked."""
    names = _names(data) | _stream_names(data)
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
    if not may_handle_scans(by, subject, find_form(code), item):
        raise NotAllowed(
            f"Mẫu {code} do cấp ủy cấp trên ban hành: chỉ cấp ủy đó được tải bản quét lên."
        )
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
    if not may_handle_scans(by, subject_of(scan), find_form(scan.form), scan.item):
        raise NotAllowed("Bạn không được xóa bản quét của hồ sơ này.")
    name = scan.stored_name
    Scan.objects.filter(pk=scan.pk).delete()
    transaction.on_commit(lambda: uploads.remove(FOLDER, name))


def read_scan(scan: Scan) -> bytes:
    """The stored bytes of ``scan`` (the caller has checked the scope)."""
    return uploads.path_of(FOLDER, scan.stored_name).read_bytes()
