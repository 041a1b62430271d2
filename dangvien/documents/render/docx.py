"""Blocks → DOCX with python-docx (issue 8). Staff finish these documents in Word, so the
file is made of real paragraphs with named styles, the header and the signature are
borderless two-column tables, and the section carries A4 and the margins of 36-HD/VPTW
2018 [C] (top 25, bottom 25, left 35, right 15 mm), with page numbers from page 2 centred
at the top. Times New Roman is named for every script slot (ascii, hAnsi, cs, eastAsia)
in the document defaults and the styles, so Word never swaps in a theme font for the
Vietnamese letters.
"""

import functools
import io
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from dangvien.documents.render.markup import Block, Run, runs
from dangvien.documents.render.pdf import column_weights, is_recipients, sign_lines

FONT = "Times New Roman"
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(25), Mm(25), Mm(35), Mm(15)
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
HEADER_LEFT = 0.45

# name: (size, bold, italic, alignment, first-line indent, space after, all caps)
STYLES: dict[str, tuple[float, bool, bool, Any, Any, float, bool]] = {
    "VB Thân": (14, False, False, WD_ALIGN_PARAGRAPH.JUSTIFY, Mm(10), 6, False),
    "VB Tên loại": (16, True, False, WD_ALIGN_PARAGRAPH.CENTER, None, 0, True),
    "VB Trích yếu": (14, True, False, WD_ALIGN_PARAGRAPH.CENTER, None, 6, False),
    "VB Đề mục": (14, True, False, WD_ALIGN_PARAGRAPH.CENTER, None, 6, False),
    "VB Giữa nghiêng": (14, False, True, WD_ALIGN_PARAGRAPH.CENTER, None, 6, False),
    "VB Điền": (14, False, False, WD_ALIGN_PARAGRAPH.LEFT, None, 2, False),
    "VB Bảng": (13, False, False, WD_ALIGN_PARAGRAPH.LEFT, None, 0, False),
    "VB Đầu": (14, False, False, WD_ALIGN_PARAGRAPH.CENTER, None, 0, False),
    "VB Nơi nhận": (12, False, False, WD_ALIGN_PARAGRAPH.LEFT, None, 0, False),
}


def _fonts(rpr: Any) -> None:
    """Times New Roman in every script slot; theme fonts removed (they would win)."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.endswith("Theme") or attr.endswith("theme"):
            del fonts.attrib[attr]
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), FONT)


def _setup(doc: DocxDocument) -> None:
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is not None:
            _fonts(rpr)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    _fonts(normal.element.get_or_add_rPr())
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    for name, (size, bold, italic, align, indent, after, caps) in STYLES.items():
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.quick_style = True
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.italic = italic
        style.font.all_caps = caps
        style.paragraph_format.alignment = align
        style.paragraph_format.first_line_indent = indent
        style.paragraph_format.space_after = Pt(after)

    section = doc.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.header_distance = Mm(12)
    section.different_first_page_header_footer = True  # no number on page 1
    number = section.header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(number.add_run())


def _page_field(run: Any) -> None:
    run.font.size = Pt(14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


STYLE_IDS: dict[str, str] = {}


def _styled(paragraph: Paragraph, style: str) -> Paragraph:
    paragraph._p.style = STYLE_IDS[style]
    return paragraph


def _add(doc: DocxDocument, style: str) -> Paragraph:
    return _styled(doc.add_paragraph(), style)


def _write(paragraph: Paragraph, parts: list[Run], *, underline: bool = False) -> Paragraph:
    for part in parts:
        run = paragraph.add_run(part.text)
        if part.bold:
            run.bold = True
        if part.italic:
            run.italic = True
        if underline:
            run.underline = True
    return paragraph


def _dot_leader(paragraph: Paragraph, width: Any) -> None:
    paragraph.paragraph_format.tab_stops.add_tab_stop(
        width, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
    )
    paragraph.add_run("\t")


def _two_columns(doc: DocxDocument, share: float) -> tuple[_Cell, _Cell]:
    table = doc.add_table(rows=1, cols=2)  # the default table style has no borders
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = (int(TEXT_WIDTH * share), TEXT_WIDTH - int(TEXT_WIDTH * share))
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    left, right = table.rows[0].cells
    left.width, right.width = widths
    return left, right


def _cell_lines(cell: _Cell, lines: list[tuple[str, str, float]], align: Any) -> None:
    first = True
    for text, style, size in lines:
        paragraph = _styled(cell.paragraphs[0] if first else cell.add_paragraph(), "VB Đầu")
        first = False
        paragraph.alignment = align
        if text:
            run = paragraph.add_run(text)
            run.font.size = Pt(size)
            run.bold = "B" in style or None
            run.italic = "I" in style or None
            run.underline = "U" in style or None


@functools.cache
def _base() -> tuple[bytes, dict[str, str]]:
    """The empty document with our styles and section, built once per process, and the
    style ids by name (looking a style up by name scans every style: slow)."""
    doc = Document()
    _setup(doc)
    # The template's empty first paragraph would print a blank line before the header.
    body = doc.element.body
    for paragraph in list(doc.paragraphs):
        body.remove(paragraph._p)
    ids = {name: doc.styles[name].style_id for name in STYLES}
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue(), ids


def _watermark(doc: DocxDocument, text: str) -> None:
    """``text`` at the foot of every page: the first page has its own footer (its header
    differs: no page number), the others share one (issue 9)."""
    section = doc.sections[0]
    for footer in (section.first_page_footer, section.footer):
        paragraph = footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(text)
        run.italic = True
        run.font.size = Pt(8)


def render_docx(blocks: list[Block], header: dict[str, Any], *, watermark: str = "") -> bytes:
    data, ids = _base()
    doc = Document(io.BytesIO(data))
    STYLE_IDS.update(ids)
    if watermark:
        _watermark(doc, watermark)
    writer = _Writer(doc, header or {})
    for block in blocks:
        writer.block(block)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


class _Writer:
    def __init__(self, doc: DocxDocument, header: dict[str, Any]) -> None:
        self.doc = doc
        self.header = header

    def block(self, block: Block) -> None:
        getattr(self, "b_" + block.kind)(block)

    def para(self, style: str, parts: list[Run]) -> Paragraph:
        return _write(_add(self.doc, style), parts)

    def b_header(self, block: Block) -> None:
        h = self.header
        left_lines: list[tuple[str, str, float]] = []
        if h.get("parent_body"):
            left_lines.append((str(h["parent_body"]).upper(), "", 14))
        left_lines.append((str(h.get("issuing_body", "")).upper(), "B", 14))
        left_lines.append(("*", "", 14))
        if h.get("number"):
            left_lines.append((str(h["number"]), "", 14))
        right_lines: list[tuple[str, str, float]] = [("ĐẢNG CỘNG SẢN VIỆT NAM", "BU", 15)]
        if h.get("place_date"):
            right_lines += [("", "", 7), (str(h["place_date"]), "I", 14)]
        left, right = _two_columns(self.doc, HEADER_LEFT)
        _cell_lines(left, left_lines, WD_ALIGN_PARAGRAPH.CENTER)
        _cell_lines(right, right_lines, WD_ALIGN_PARAGRAPH.CENTER)
        _add(self.doc, "VB Đầu")

    def b_header_personal(self, block: Block) -> None:
        self.para("VB Đầu", [Run("ĐẢNG CỘNG SẢN VIỆT NAM", bold=True)]).runs[0].underline = True
        self.doc.paragraphs[-1].runs[0].font.size = Pt(15)
        if self.header.get("place_date"):
            place = self.para("VB Đầu", [Run(str(self.header["place_date"]), italic=True)])
            place.paragraph_format.space_before = Pt(6)
        _add(self.doc, "VB Đầu")

    def b_title(self, block: Block) -> None:
        self.para("VB Tên loại", runs(block.text))

    def b_summary(self, block: Block) -> None:
        self.para("VB Trích yếu", runs(block.text))

    def b_heading(self, block: Block) -> None:
        self.para("VB Đề mục", runs(block.text)).paragraph_format.space_before = Pt(6)

    def b_centred(self, block: Block) -> None:
        self.para("VB Giữa nghiêng", runs(block.text))

    def b_paragraph(self, block: Block) -> None:
        self.para("VB Thân", runs(block.text))

    def b_space(self, block: Block) -> None:
        _add(self.doc, "VB Đầu")

    def b_pagebreak(self, block: Block) -> None:
        _add(self.doc, "VB Đầu").add_run().add_break(WD_BREAK.PAGE)

    def b_field(self, block: Block) -> None:
        label = f"{block.label}: " if block.label else ""
        paragraph = self.para("VB Điền", runs(label) + (runs(block.value) if block.value else []))
        if not block.value:
            _dot_leader(paragraph, TEXT_WIDTH)

    def b_dots(self, block: Block) -> None:
        for _ in range(block.count):
            paragraph = _add(self.doc, "VB Điền")
            paragraph.paragraph_format.line_spacing = 1.3
            _dot_leader(paragraph, TEXT_WIDTH)

    def b_sign(self, block: Block) -> None:
        _add(self.doc, "VB Đầu").paragraph_format.space_after = Pt(0)
        left, right = _two_columns(self.doc, 0.45)
        recipients = is_recipients(block.left)
        _cell_lines(
            left,
            sign_lines(block.left, recipients=True),
            WD_ALIGN_PARAGRAPH.LEFT if recipients else WD_ALIGN_PARAGRAPH.CENTER,
        )
        _cell_lines(right, sign_lines(block.right), WD_ALIGN_PARAGRAPH.CENTER)

    def b_table(self, block: Block) -> None:
        width = len(block.rows[0])
        table = self.doc.add_table(rows=len(block.rows), cols=width)
        table._tbl.tblStyle_val = "TableGrid"  # "Table Grid" of the default template
        table.autofit = False
        weights = column_weights(block.rows, lambda text: len(text) + 4)
        total = sum(weights)
        widths = [int(TEXT_WIDTH * w / total) for w in weights]
        for column, column_width in zip(table.columns, widths, strict=True):
            column.width = column_width
        for row_index, (row, cells) in enumerate(zip(table.rows, block.rows, strict=True)):
            for cell, text, column_width in zip(row.cells, cells, widths, strict=True):
                cell.width = column_width
                paragraph = _styled(cell.paragraphs[0], "VB Bảng")
                _write(paragraph, runs(text, bold=row_index == 0))
        _add(self.doc, "VB Điền")
