"""Rendering a form: template text → Django template engine → markup lines → DOCX or PDF
(issue 8, "the document contract"). ``render`` is what the rest of the app calls."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Literal

from dangvien.documents.render.markup import Block, MarkupError, parse

if TYPE_CHECKING:
    from dangvien.documents.forms import Form
    from dangvien.organisations.models import Organisation

FORMATS = ("docx", "pdf")
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


# The watermark of the documents made in this context (issue 9): "Trích xuất bởi <tên>
# (<tài khoản>) lúc <dd/mm/yyyy HH:MM>" as a footer line on every page. Set by the views
# that hand a document to a user (a download, a dossier ZIP), so documents made for other
# purposes (tests, benchmarks, previews) carry none and the generate functions between
# the view and the renderer need not pass it along.
_WATERMARK: ContextVar[str] = ContextVar("document_watermark", default="")


@contextmanager
def watermarked(text: str) -> Iterator[None]:
    """Documents rendered in the block carry ``text`` at the foot of every page."""
    token = _WATERMARK.set(text)
    try:
        yield
    finally:
        _WATERMARK.reset(token)


def current_watermark() -> str:
    return _WATERMARK.get()


def render_blocks(blocks: list[Block], header: dict[str, Any], fmt: str) -> bytes:
    if fmt == "pdf":
        from dangvien.documents.render.pdf import render_pdf

        return render_pdf(blocks, header, watermark=current_watermark())
    if fmt == "docx":
        from dangvien.documents.render.docx import render_docx

        return render_docx(blocks, header, watermark=current_watermark())
    raise ValueError(f"Định dạng không hỗ trợ: {fmt}")


def render(
    form: "Form",
    context: dict[str, Any],
    fmt: Literal["docx", "pdf"] | str,
    province: "Organisation | None" = None,
) -> bytes:
    """The document of ``form`` filled with ``context`` (plain data, see the contract) as
    DOCX or PDF bytes, from the province's template if it has one; ``ValueError`` for an
    unknown format.

    Templates are checked when they are uploaded (``templating.check_template``); here the
    data may still bring surprises (a person's note starting with "@", a cell holding
    "|"), so a faulty line is printed as text and a short table row padded rather than
    failing the whole document."""
    from dangvien.documents.templating import render_text

    if fmt not in FORMATS:
        raise ValueError(f"Định dạng không hỗ trợ: {fmt}")
    blocks, _problems = parse(render_text(form, context, province), strict=False)
    return render_blocks(blocks, context.get("header") or {}, fmt)


__all__ = [
    "CONTENT_TYPES",
    "FORMATS",
    "Block",
    "MarkupError",
    "current_watermark",
    "parse",
    "render",
    "watermarked",
]
