"""Making the files: one document of a subject's dossier, or the whole dossier as a ZIP
(issue 8). The glue between the register (its number), the context builders
(``contexts.context_for``) and the renderer (``render.render``)."""

import io
import re
import unicodedata
import zipfile
from datetime import date

from dangvien.candidates.models import Candidate
from dangvien.documents import issuers
from dangvien.documents.contexts import MissingData, context_for, items
from dangvien.documents.forms import Form, forms_for
from dangvien.documents.models import IssuedDocument
from dangvien.documents.queries.access import Subject, subject_kind
from dangvien.documents.queries.dossier import NO_ITEMS, OPTIONAL_WITHOUT_ITEMS
from dangvien.documents.render import render
from dangvien.organisations.models import SEGMENT, Organisation

FORMATS = ("docx", "pdf")
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "zip": "application/zip",
}
DOSSIER_NAMES = {
    "admission": "Ho-so-ket-nap",
    "recognition": "Ho-so-cong-nhan",
    "records": "Van-ban",
}


def ascii_name(text: str) -> str:
    """ "Nguyễn Văn Đạt" → "Nguyen-Van-Dat": safe in any file system and header."""
    text = text.replace("Đ", "D").replace("đ", "d")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = "".join(ch if ch.isalnum() else " " for ch in text).split()
    return "-".join(words) or "van-ban"


def file_name(form: Form, subject: Subject, fmt: str, item: str = "") -> str:
    """ "9-KND_Nguyen-Van-An.pdf"; a per-item document adds its item ("3-KND-12_…")."""
    suffix = f"-{item.rsplit(':', 1)[-1]}" if item else ""
    return f"{form.slug}{suffix}_{ascii_name(subject.person.full_name)}.{fmt}"


def province_of(subject: Subject) -> Organisation | None:
    """The tree's root above the subject's chi bộ: its templates replace the defaults."""
    root_id = int(subject.branch.path[: SEGMENT - 1])
    return Organisation.objects.filter(pk=root_id).first()


def issued_number(form: Form, subject: Subject, item: str = "") -> str:
    """The number taken from the register for this document ("127-QĐ/ĐU"), or ""."""
    rows = IssuedDocument.objects.filter(form=form.code, item=item)
    if isinstance(subject, Candidate):
        rows = rows.filter(candidate=subject)
    else:
        rows = rows.filter(member=subject)
    issued = rows.first()
    return issued.number_text if issued else ""


def generate(
    form: Form,
    subject: Subject,
    fmt: str,
    *,
    item: str = "",
    on: date | None = None,
    province: Organisation | None = None,
) -> tuple[bytes, str]:
    """One document as DOCX or PDF and its file name. Raises ``contexts.MissingData`` when
    the procedure has not recorded what the document states, ``ValueError`` for a format
    other than docx/pdf."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    number = issued_number(form, subject, item) if form.numbered else ""
    context = context_for(form, subject, item=item, number=number, on=on)
    province = province or province_of(subject)
    return render(form, context, fmt, province=province), file_name(form, subject, fmt, item)


def generate_dossier(
    subject: Subject, dossier: str, fmt: str, *, on: date | None = None
) -> tuple[bytes, str]:
    """Every document of ``dossier`` that can be made for ``subject``, in one ZIP, and the
    ZIP's file name; ``DANH-MUC.txt`` in it lists what was made and what could not be
    (with the reason)."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    province = province_of(subject)
    made: list[str] = []
    skipped: list[str] = []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for form in forms_for(subject_kind(subject), dossier):
            if not issuers.applicable(form, subject.branch):
                continue
            keyed = items(form, subject) if form.per else [("", "")]
            if not keyed and form.per not in OPTIONAL_WITHOUT_ITEMS:
                skipped.append(f"- {form.code} {form.title}: {NO_ITEMS.get(form.per, '')}")
            for item, label in keyed:
                title = f"{form.code} {form.title}" + (f" ({label})" if label else "")
                try:
                    data, name = generate(form, subject, fmt, item=item, on=on, province=province)
                except MissingData as missing:
                    skipped.append(f"- {title}: {missing.message}")
                    continue
                # DOCX is a ZIP and the PDF streams are compressed: store them as they are.
                archive.writestr(name, data, compress_type=zipfile.ZIP_STORED)
                made.append(f"- {title}: {name}")
        listing = [
            f"Hồ sơ của {subject.person.full_name}",
            "",
            f"Đã lập ({len(made)}):",
            *made,
            "",
            f"Chưa lập được ({len(skipped)}):",
            *(skipped or ["- (không có)"]),
            "",
        ]
        archive.writestr("DANH-MUC.txt", "\r\n".join(listing).encode("utf-8-sig"))
    stem = DOSSIER_NAMES.get(dossier, "Ho-so")
    return buffer.getvalue(), f"{stem}_{ascii_name(subject.person.full_name)}.zip"


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback name and the real one in ``filename*``
    (RFC 6266 / 5987): browsers then save "Bản quét đơn.pdf" as typed."""
    from urllib.parse import quote

    plain = unicodedata.normalize("NFKD", name.replace("Đ", "D").replace("đ", "d"))
    plain = plain.encode("ascii", "ignore").decode()
    fallback = re.sub(r"-{2,}", "-", re.sub(r"[^A-Za-z0-9._-]", "-", plain)).strip("-")
    return f"attachment; filename=\"{fallback or 'tep'}\"; filename*=UTF-8''{quote(name, safe='')}"
