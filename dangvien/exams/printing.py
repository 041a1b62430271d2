"""Printed papers of an exam round: per variant the candidate's paper and its answer key,
as DOCX (python-docx) and PDF (fpdf2), a ZIP of them all, and the one-time code slips.

Layout follows the habits of party documents (Quy định 66-QĐ/TW style: Times New Roman
13, A4, the committee's name top left and "ĐẢNG CỘNG SẢN VIỆT NAM" top right). The
candidate's paper holds the written part only; the oral part is printed for the board,
with the keys and the rubric (seed 000: "đáp án … chỉ hội đồng"). Options are relabelled
A, B, C… in the variant's order (``PaperItem.option_order``) and the key uses the printed
letters.

The PDF embeds Liberation Serif (metrically compatible with Times New Roman) shipped in
``dangvien/core/fonts``; the DOCX names Times New Roman and leaves the font to Word.
"""

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from dangvien.exams.models import ExamRound, Paper, PaperItem, Part, QuestionType

FONT_DIR = Path(__file__).resolve().parent.parent / "core" / "fonts"
FONT_FAMILY = "LiberationSerif"
DOCX_FONT = "Times New Roman"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ESSAY_LINES = 12

TYPE_HINTS: dict[str, str] = {QuestionType.MULTIPLE: "(Chọn tất cả các phương án đúng.)"}


def points_text(value: Decimal | int | float) -> str:
    """Scores with a comma as the decimal mark: 7.5 → "7,50"."""
    return f"{Decimal(str(value)):.2f}".replace(".", ",")


def _date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


# ---- what to print -----------------------------------------------------------------------


@dataclass
class PrintItem:
    """A paper item as printed: its number within its part, options in the variant's
    order with their printed letters, and the key in those letters."""

    number: int
    part: str
    type: str
    text: str
    options: list[tuple[str, str]]
    points: Decimal
    key: str
    rubric: list[tuple[str, Decimal]]
    explanation: str

    @property
    def type_label(self) -> str:
        return str(QuestionType(self.type).label)


def displayed_key(item: PaperItem) -> str:
    """The key as printed on this variant: letters in the variant's option order."""
    version = item.version
    answer = version.answer
    qtype = version.question.type
    order = item.option_order or [o["key"] for o in version.options]
    letter = {key: LETTERS[i] for i, key in enumerate(order)}
    if qtype == QuestionType.SINGLE:
        return letter.get(str(answer), "?")
    if qtype == QuestionType.MULTIPLE:
        return ", ".join(sorted(letter.get(str(a), "?") for a in (answer or [])))
    if qtype == QuestionType.TRUE_FALSE:
        return "Đúng" if answer else "Sai"
    if qtype == QuestionType.SHORT:
        return " / ".join(str(a) for a in (answer or []))
    return "Theo thang điểm"


def print_items(paper: Paper) -> list[PrintItem]:
    """The paper's items, ready to print (uses the prefetched items if any)."""
    rows: Iterable[PaperItem] = paper.items.all()
    out: list[PrintItem] = []
    counters: dict[str, int] = {Part.WRITTEN: 0, Part.ORAL: 0}
    for item in sorted(rows, key=lambda i: i.position):
        version = item.version
        counters[item.part] += 1
        text_of = {o["key"]: o.get("text", "") for o in version.options}
        order = item.option_order or list(text_of)
        out.append(
            PrintItem(
                number=counters[item.part],
                part=item.part,
                type=version.question.type,
                text=version.text,
                options=[(LETTERS[i], text_of.get(key, "")) for i, key in enumerate(order)],
                points=item.points,
                key=displayed_key(item),
                rubric=[
                    (str(r.get("criterion", "")), Decimal(str(r.get("points", 0))))
                    for r in (version.rubric or [])
                ],
                explanation=version.explanation,
            )
        )
    return out


def _heading_lines(exam_round: ExamRound) -> tuple[str, str]:
    return exam_round.organisation.name.upper(), "HỘI ĐỒNG KIỂM TRA, ĐÁNH GIÁ NHẬN THỨC"


def _time_line(exam_round: ExamRound) -> str:
    return f"Thời gian làm bài: {exam_round.duration_minutes} phút (không kể thời gian phát đề)"


def _round_line(exam_round: ExamRound) -> str:
    venue = f" · Địa điểm: {exam_round.venue}" if exam_round.venue else ""
    return f"{exam_round.name} · Ngày kiểm tra {_date(exam_round.held_on)}{venue}"


def _part_total(items: Sequence[PrintItem], part: str) -> Decimal:
    return sum((i.points for i in items if i.part == part), Decimal(0))


def file_name(paper: Paper, *, key: bool, ext: str) -> str:
    stem = f"dap-an-ma-de-{paper.code}" if key else f"de-kiem-tra-ma-de-{paper.code}"
    return f"{stem}.{ext}"


# ---- DOCX --------------------------------------------------------------------------------
#
# The body is written as WordprocessingML text and parsed once per document: python-docx's
# object API (a run at a time) takes most of a second for a 40-question paper, which 100
# documents (50 variants and their keys) cannot afford. The header and the styles still
# go through python-docx.

TWIPS_PER_MM = 56.7
_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed in XML 1.0
CENTER, BOTH = "center", "both"


def _new_docx() -> Any:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    style = doc.styles["Normal"]
    style.font.name = DOCX_FONT
    style.font.size = Pt(13)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), DOCX_FONT)
    style.paragraph_format.space_after = Pt(3)
    style.paragraph_format.space_before = Pt(0)
    style.paragraph_format.line_spacing = 1.1
    return doc


def _r(
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    size: int | None = None,
) -> str:
    """A run; "\n" in ``text`` becomes a line break."""
    props = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
    if size:
        props += f'<w:sz w:val="{size * 2}"/><w:szCs w:val="{size * 2}"/>'
    if underline:
        props += '<w:u w:val="single"/>'
    body = "<w:br/>".join(
        f'<w:t xml:space="preserve">{escape(_XML_UNSAFE.sub("", part))}</w:t>'
        for part in text.split("\n")
    )
    return f"<w:r>{f'<w:rPr>{props}</w:rPr>' if props else ''}{body}</w:r>"


def _p(
    *runs: str,
    align: str = "",
    indent_mm: float = 0,
    before: int | None = None,
    keep_next: bool = False,
    line: float | None = None,
) -> str:
    """A paragraph of runs (``_r``); spacing in points, ``line`` a multiple."""
    props = "<w:keepNext/>" if keep_next else ""
    if before is not None or line is not None:
        spacing = f' w:before="{(before or 0) * 20}"' if before is not None else ""
        if line is not None:
            spacing += f' w:line="{round(line * 240)}" w:lineRule="auto"'
        props += f"<w:spacing{spacing}/>"
    if indent_mm:
        props += f'<w:ind w:left="{round(indent_mm * TWIPS_PER_MM)}"/>'
    if align:
        props += f'<w:jc w:val="{align}"/>'
    return f"<w:p>{f'<w:pPr>{props}</w:pPr>' if props else ''}{''.join(runs)}</w:p>"


TEXT_WIDTH_TWIPS = round(165 * TWIPS_PER_MM)  # A4 less the 30 + 15 mm margins


def _dotted(
    label: str = "", *, lines: int = 1, indent_mm: float = 0, split_mm: float = 0, second: str = ""
) -> str:
    """A label then dots to the right margin (a dot-leader tab: exact in Word and
    LibreOffice whatever the font); ``lines`` > 1 for an answer space; with ``split_mm``
    a second label starts there."""
    stops = ""
    if split_mm:
        stops += f'<w:tab w:val="left" w:leader="dot" w:pos="{round(split_mm * TWIPS_PER_MM)}"/>'
    stops += f'<w:tab w:val="right" w:leader="dot" w:pos="{TEXT_WIDTH_TWIPS}"/>'
    props = f"<w:tabs>{stops}</w:tabs>"
    if lines > 1:
        props += '<w:spacing w:line="360" w:lineRule="auto"/>'
    if indent_mm:
        props += f'<w:ind w:left="{round(indent_mm * TWIPS_PER_MM)}"/>'
    runs = _r(label) if label else ""
    if second:
        runs += f"<w:r><w:tab/></w:r>{_r(' ' + second)}"
    runs += "<w:r>" + "<w:br/>".join(["<w:tab/>"] * lines) + "</w:r>"
    return f"<w:p><w:pPr>{props}</w:pPr>{runs}</w:p>"


def _table(widths_mm: Sequence[float], rows: Sequence[Sequence[str]], *, head: bool = True) -> str:
    """A bordered table ("Table Grid"); the first row bold when ``head``."""
    twips = [round(w * TWIPS_PER_MM) for w in widths_mm]
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in twips)
    body = []
    for index, row in enumerate(rows):
        cells = "".join(
            f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr>'
            f"{_p(_r(text, bold=head and index == 0, size=12))}</w:tc>"
            for w, text in zip(twips, row, strict=True)
        )
        body.append(f"<w:tr>{cells}</w:tr>")
    return (
        '<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/>'
        f'<w:tblLook w:val="04A0"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>{"".join(body)}</w:tbl>'
    )


def _append(doc: Any, parts: Sequence[str]) -> None:
    """Parse the body parts once and put them before the section properties."""
    wrapper = parse_xml(f"<w:body {nsdecls('w')}>{''.join(parts)}</w:body>")
    anchor = doc.element.body.sectPr
    for element in list(wrapper):
        anchor.addprevious(element)


def _cell_lines(cell: Any, lines: Sequence[tuple[str, bool, bool]]) -> None:
    """Centred lines (text, bold, underline) in a header cell."""
    cell.paragraphs[0].text = ""
    for index, (text, bold, underline) in enumerate(lines):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_after = Pt(0)
        run = paragraph.add_run(text)
        run.bold, run.underline = bold, underline
        run.font.size = Pt(13 if bold else 12)


def _docx_header(doc: Any, exam_round: ExamRound, paper: Paper) -> None:
    committee, board = _heading_lines(exam_round)
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    left.width, right.width = Mm(80), Mm(85)
    _cell_lines(left, [(committee, False, False), (board, True, False), ("*", False, False)])
    _cell_lines(
        right,
        [
            ("ĐẢNG CỘNG SẢN VIỆT NAM", True, True),
            ("", False, False),
            (f"Mã đề {paper.code}", True, False),
        ],
    )


def _title(exam_round: ExamRound, title: str) -> list[str]:
    return [
        _p(_r(title, bold=True, size=14), align=CENTER, before=12),
        _p(_r(_round_line(exam_round), italic=True), align=CENTER),
        _p(_r(_time_line(exam_round), italic=True), align=CENTER),
    ]


INSTRUCTIONS = (
    "Câu trắc nghiệm: khoanh tròn chữ cái của phương án đúng. Câu Đúng / Sai: khoanh tròn "
    "một trong hai từ. Câu tự luận: trả lời vào phần để trống."
)


def paper_docx(paper: Paper) -> bytes:
    """The candidate's paper of one variant: the written part only."""
    exam_round = paper.round
    items = [i for i in print_items(paper) if i.part == Part.WRITTEN]
    doc = _new_docx()
    _docx_header(doc, exam_round, paper)
    total = points_text(_part_total(items, Part.WRITTEN))
    parts = [
        *_title(exam_round, "ĐỀ KIỂM TRA NHẬN THỨC VỀ ĐẢNG"),
        _p(before=8),
        _dotted("Họ và tên thí sinh: "),
        _dotted("Ngày sinh: ", split_mm=60, second="Chi bộ: "),
        _p(
            _r(f"PHẦN VIẾT ({len(items)} câu, tổng {total} điểm, quy về thang điểm 10)", bold=True),
            before=10,
        ),
        _p(_r(INSTRUCTIONS, italic=True, size=12), align=BOTH),
    ]
    for item in items:
        parts.extend(_docx_question(item))
    parts.append(_p(_r("— HẾT —", bold=True), align=CENTER, before=12))
    parts.append(
        _p(
            _r(
                "Thí sinh không được sử dụng tài liệu. Cán bộ coi kiểm tra không giải thích "
                "gì thêm.",
                italic=True,
                size=12,
            ),
            align=CENTER,
        )
    )
    _append(doc, parts)
    return _docx_bytes(doc)


def _docx_question(item: PrintItem) -> list[str]:
    hint = TYPE_HINTS.get(item.type, "")
    parts = [
        _p(
            _r(f"Câu {item.number} ({points_text(item.points)} điểm). ", bold=True),
            _r(item.text),
            _r(" " + hint, italic=True) if hint else "",
            align=BOTH,
            before=6,
            keep_next=True,
        )
    ]
    if item.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        parts.extend(
            _p(_r(f"{letter}. ", bold=True), _r(text), indent_mm=8) for letter, text in item.options
        )
    elif item.type == QuestionType.TRUE_FALSE:
        parts.append(_p(_r("Đúng / Sai"), indent_mm=8))
    elif item.type == QuestionType.SHORT:
        parts.append(_dotted("Trả lời: ", indent_mm=8))
    elif item.type == QuestionType.ESSAY:
        parts.append(_p(_r("Bài làm:", italic=True), indent_mm=8, keep_next=True))
        parts.append(_dotted(lines=ESSAY_LINES))
    return parts


def key_docx(paper: Paper) -> bytes:
    """The board's copy of one variant: the key in printed letters, the rubric of each
    essay, and the oral part with its rubric (not on the candidate's paper)."""
    exam_round = paper.round
    items = print_items(paper)
    written = [i for i in items if i.part == Part.WRITTEN]
    oral = [i for i in items if i.part == Part.ORAL]
    doc = _new_docx()
    _docx_header(doc, exam_round, paper)
    written_total = points_text(_part_total(items, Part.WRITTEN))
    parts = [
        *_title(exam_round, f"ĐÁP ÁN VÀ THANG ĐIỂM – MÃ ĐỀ {paper.code}"),
        _p(
            _r(
                "Tài liệu mật: chỉ dành cho Hội đồng kiểm tra, đánh giá nhận thức.",
                bold=True,
                italic=True,
            ),
            align=CENTER,
        ),
        _p(
            _r(
                f"I. PHẦN VIẾT ({len(written)} câu, tổng {written_total} điểm; trọng số "
                f"{exam_round.written_weight}%)",
                bold=True,
            ),
            before=10,
        ),
        _table(
            (15, 40, 85, 25),
            [("Câu", "Loại", "Đáp án", "Điểm")]
            + [(str(i.number), i.type_label, i.key, points_text(i.points)) for i in written],
        ),
    ]
    for item in written:
        if item.rubric:
            parts.extend(_docx_rubric(f"Câu {item.number}", item))
    if oral:
        parts.append(
            _p(
                _r(
                    f"II. PHẦN VẤN ĐÁP – hội đồng hỏi, không in trong đề của thí sinh "
                    f"({len(oral)} câu, tổng {points_text(_part_total(items, Part.ORAL))} "
                    f"điểm; trọng số {exam_round.oral_weight}%)",
                    bold=True,
                ),
                before=12,
            )
        )
        for item in oral:
            parts.extend(_docx_rubric(f"Câu hỏi vấn đáp {item.number}", item, with_text=True))
    parts.append(
        _p(
            _r(
                "Điểm mỗi phần = 10 × điểm đạt được / điểm tối đa của phần; điểm tổng hợp = "
                f"(điểm viết × {exam_round.written_weight} + điểm vấn đáp × "
                f"{exam_round.oral_weight}) / 100; đạt khi điểm tổng hợp từ "
                f"{points_text(exam_round.pass_mark)} trở lên. Mỗi bài tự luận, vấn đáp do "
                "hai thành viên hội đồng chấm độc lập.",
                italic=True,
                size=12,
            ),
            align=BOTH,
            before=10,
        )
    )
    _append(doc, parts)
    return _docx_bytes(doc)


def _docx_rubric(label: str, item: PrintItem, *, with_text: bool = False) -> list[str]:
    parts = [
        _p(
            _r(f"{label} ({points_text(item.points)} điểm)", bold=True),
            _r(". " + item.text) if with_text else "",
            align=BOTH,
            before=6,
            keep_next=True,
        )
    ]
    if item.rubric:
        parts.append(
            _table(
                (140, 25),
                [("Tiêu chí chấm", "Điểm")]
                + [(criterion, points_text(points)) for criterion, points in item.rubric],
            )
        )
    if item.explanation:
        parts.append(_p(_r("Gợi ý: " + item.explanation, italic=True, size=12)))
    return parts


def _docx_bytes(doc: Any) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# ---- PDF ---------------------------------------------------------------------------------


class _Pdf(FPDF):
    """A4 with the shipped Liberation Serif (regular, bold, italic) and a page footer."""

    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4", unit="mm")
        self.footer_text = footer_text
        for style, face in (("", "Regular"), ("B", "Bold"), ("I", "Italic")):
            self.add_font(FONT_FAMILY, style, FONT_DIR / f"LiberationSerif-{face}.ttf")
        self.set_margins(30, 20, 15)
        self.set_auto_page_break(True, margin=18)
        self.alias_nb_pages()
        self.add_page()
        self.set_font(FONT_FAMILY, size=13)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FONT_FAMILY, "I", 10)
        self.cell(0, 5, f"{self.footer_text} · Trang {self.page_no()}/{{nb}}", align="C")

    def line_of(
        self, text: str, *, style: str = "", size: float = 13, align: str = "L", indent: float = 0
    ) -> None:
        self.set_font(FONT_FAMILY, style, size)
        if indent:
            self.set_x(self.l_margin + indent)
        self.multi_cell(
            self.epw - indent, size * 0.5, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )

    def dotted(self, x1: float, x2: float, y: float) -> None:
        with self.local_context(dash_pattern={"dash": 0.4, "gap": 1.0}, line_width=0.2):
            self.line(x1, y, x2, y)

    def fill_in(self, label: str, *, indent: float = 0, width: float = 0, then: str = "") -> None:
        """A label followed by a dotted line to write on (and a second label after
        ``width`` mm, if given)."""
        self.set_font(FONT_FAMILY, "", 13)
        self.set_x(self.l_margin + indent)
        height = 8.0
        y = self.get_y()
        self.cell(self.get_string_width(label) + 1, height, label)
        right = self.l_margin + (indent + width if width else self.epw)
        self.dotted(self.get_x(), right, y + height - 1.8)
        if then:
            self.set_xy(right + 2, y)
            self.cell(self.get_string_width(then) + 1, height, then)
            self.dotted(self.get_x(), self.l_margin + self.epw, y + height - 1.8)
        self.set_xy(self.l_margin, y + height)

    def answer_space(self, lines: int) -> None:
        """Dotted lines for an essay answer, breaking the page as needed."""
        for _ in range(lines):
            if self.get_y() + 8 > self.h - self.b_margin:
                self.add_page()
            self.dotted(self.l_margin, self.l_margin + self.epw, self.get_y() + 7)
            self.set_y(self.get_y() + 8)

    def header_block(self, exam_round: ExamRound, paper: Paper, title: str) -> None:
        committee, board = _heading_lines(exam_round)
        top = self.get_y()
        half = self.epw / 2
        self.set_font(FONT_FAMILY, "", 12)
        self.multi_cell(half, 5.5, committee, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT_FAMILY, "B", 12)
        self.multi_cell(half, 5.5, board, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT_FAMILY, "", 12)
        self.multi_cell(half, 5.5, "*", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        left_bottom = self.get_y()
        self.set_xy(self.l_margin + half, top)
        self.set_font(FONT_FAMILY, "BU", 12)
        self.cell(half, 5.5, "ĐẢNG CỘNG SẢN VIỆT NAM", align="C")
        self.set_xy(self.l_margin + half + half / 2 - 17, top + 9)
        self.set_font(FONT_FAMILY, "B", 13)
        self.cell(34, 8, f"Mã đề {paper.code}", border=1, align="C")
        self.set_y(max(left_bottom, top + 18) + 4)
        self.line_of(title, style="B", size=14, align="C")
        self.line_of(_round_line(exam_round), style="I", size=12, align="C")
        self.line_of(_time_line(exam_round), style="I", size=12, align="C")
        self.ln(2)


def paper_pdf(paper: Paper) -> bytes:
    """The candidate's paper of one variant as PDF (written part only)."""
    exam_round = paper.round
    items = [i for i in print_items(paper) if i.part == Part.WRITTEN]
    pdf = _Pdf(f"Mã đề {paper.code}")
    pdf.header_block(exam_round, paper, "ĐỀ KIỂM TRA NHẬN THỨC VỀ ĐẢNG")
    pdf.fill_in("Họ và tên thí sinh:")
    pdf.fill_in("Ngày sinh:", width=55, then="Chi bộ:")
    pdf.ln(2)
    total = points_text(_part_total(items, Part.WRITTEN))
    pdf.line_of(f"PHẦN VIẾT ({len(items)} câu, tổng {total} điểm, quy về thang điểm 10)", style="B")
    pdf.line_of(
        "Câu trắc nghiệm: khoanh tròn chữ cái của phương án đúng. Câu Đúng / Sai: khoanh tròn "
        "một trong hai từ. Câu tự luận: trả lời vào phần để trống.",
        style="I",
        size=12,
    )
    for item in items:
        pdf.ln(1.5)
        hint = TYPE_HINTS.get(item.type, "")
        pdf.set_font(FONT_FAMILY, "", 13)
        pdf.multi_cell(
            0,
            6.5,
            f"**Câu {item.number} ({points_text(item.points)} điểm).** {_md(item.text)}"
            + (f" __{hint}__" if hint else ""),
            markdown=True,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        if item.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            for letter, text in item.options:
                pdf.line_of(f"{letter}. {text}", indent=8)
        elif item.type == QuestionType.TRUE_FALSE:
            pdf.line_of("Đúng / Sai", indent=8)
        elif item.type == QuestionType.SHORT:
            pdf.fill_in("Trả lời:", indent=8)
        elif item.type == QuestionType.ESSAY:
            pdf.line_of("Bài làm:", style="I", indent=8)
            pdf.answer_space(ESSAY_LINES)
    pdf.ln(3)
    pdf.line_of("— HẾT —", style="B", align="C")
    return bytes(pdf.output())


def _md(text: str) -> str:
    """Escape fpdf2's markdown markers in question text."""
    for marker in ("**", "__", "--", "~~"):
        text = text.replace(marker, "\\" + marker)
    return text


def key_pdf(paper: Paper) -> bytes:
    """The board's copy of one variant as PDF: keys, rubrics and the oral part."""
    exam_round = paper.round
    items = print_items(paper)
    written = [i for i in items if i.part == Part.WRITTEN]
    oral = [i for i in items if i.part == Part.ORAL]
    pdf = _Pdf(f"Đáp án mã đề {paper.code}")
    pdf.header_block(exam_round, paper, f"ĐÁP ÁN VÀ THANG ĐIỂM – MÃ ĐỀ {paper.code}")
    pdf.line_of(
        "Tài liệu mật: chỉ dành cho Hội đồng kiểm tra, đánh giá nhận thức.",
        style="B",
        align="C",
    )
    pdf.ln(2)
    pdf.line_of(
        f"I. PHẦN VIẾT ({len(written)} câu, tổng {points_text(_part_total(items, Part.WRITTEN))}"
        f" điểm; trọng số {exam_round.written_weight}%)",
        style="B",
    )
    pdf.set_font(FONT_FAMILY, "", 12)
    with pdf.table(
        col_widths=(12, 38, 80, 20), text_align=("C", "L", "L", "R"), align="L"
    ) as table:
        table.row(("Câu", "Loại", "Đáp án", "Điểm"))
        for item in written:
            table.row(
                (
                    str(item.number),
                    str(QuestionType(item.type).label),
                    item.key,
                    points_text(item.points),
                )
            )
    for item in written:
        if item.rubric:
            _pdf_rubric(pdf, f"Câu {item.number}", item)
    if oral:
        pdf.ln(3)
        pdf.line_of(
            f"II. PHẦN VẤN ĐÁP – hội đồng hỏi, không in trong đề của thí sinh ({len(oral)} câu, "
            f"tổng {points_text(_part_total(items, Part.ORAL))} điểm; trọng số "
            f"{exam_round.oral_weight}%)",
            style="B",
        )
        for item in oral:
            _pdf_rubric(pdf, f"Câu hỏi vấn đáp {item.number}", item, with_text=True)
    pdf.ln(3)
    pdf.line_of(
        "Điểm mỗi phần = 10 × điểm đạt được / điểm tối đa của phần; điểm tổng hợp = (điểm viết "
        f"× {exam_round.written_weight} + điểm vấn đáp × {exam_round.oral_weight}) / 100; đạt "
        f"khi điểm tổng hợp từ {points_text(exam_round.pass_mark)} trở lên.",
        style="I",
        size=12,
    )
    return bytes(pdf.output())


def _pdf_rubric(pdf: _Pdf, label: str, item: PrintItem, *, with_text: bool = False) -> None:
    pdf.ln(2)
    text = f"**{label} ({points_text(item.points)} điểm)**"
    if with_text:
        text += ". " + _md(item.text)
    pdf.set_font(FONT_FAMILY, "", 13)
    pdf.multi_cell(0, 6.5, text, markdown=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if item.rubric:
        pdf.set_font(FONT_FAMILY, "", 12)
        with pdf.table(col_widths=(130, 20), text_align=("L", "R"), align="L") as table:
            table.row(("Tiêu chí chấm", "Điểm"))
            for criterion, points in item.rubric:
                table.row((criterion, points_text(points)))
    if item.explanation:
        pdf.line_of("Gợi ý: " + item.explanation, style="I", size=12)


# ---- bundles -----------------------------------------------------------------------------


def papers_zip(papers: Sequence[Paper], *, formats: Sequence[str] = ("docx", "pdf")) -> bytes:
    """Every variant's paper and key, in each format, in one ZIP."""
    makers = {
        "docx": (paper_docx, key_docx),
        "pdf": (paper_pdf, key_pdf),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for paper in papers:
            for ext in formats:
                make_paper, make_key = makers[ext]
                bundle.writestr(file_name(paper, key=False, ext=ext), make_paper(paper))
                bundle.writestr(file_name(paper, key=True, ext=ext), make_key(paper))
    return buffer.getvalue()


@dataclass(frozen=True)
class Slip:
    full_name: str
    birth_date: date
    branch: str
    paper: str
    code: str


def code_slips_pdf(exam_round: ExamRound, slips: Sequence[Slip], *, entry_url: str) -> bytes:
    """The one-time codes as slips to cut and hand out (two per row); printed once, right
    after the codes are issued: only their digests are kept."""
    pdf = _Pdf(f"Mã dự thi – {exam_round.name}")
    pdf.line_of(f"PHIẾU MÃ DỰ THI – {exam_round.name.upper()}", style="B", size=14, align="C")
    pdf.line_of(
        f"Ngày kiểm tra {_date(exam_round.held_on)} · Mỗi mã chỉ dùng một lần · Cắt theo đường "
        "viền và phát tận tay thí sinh.",
        style="I",
        size=11,
        align="C",
    )
    pdf.ln(3)
    width, height, gap = (pdf.epw - 4) / 2, 42.0, 4.0
    for index, slip in enumerate(slips):
        column = index % 2
        if column == 0 and pdf.get_y() + height > pdf.h - pdf.b_margin:
            pdf.add_page()
        x = pdf.l_margin + column * (width + gap)
        y = pdf.get_y()
        pdf.rect(x, y, width, height)
        lines = [
            ("B", 12, slip.full_name),
            ("", 11, f"Ngày sinh: {_date(slip.birth_date)}"),
            ("", 11, slip.branch),
            ("B", 16, f"Mã dự thi: {slip.code}"),
            ("I", 10, f"Làm bài tại {entry_url}"),
        ]
        pdf.set_xy(x + 3, y + 3)
        for style, size, text in lines:
            pdf.set_font(FONT_FAMILY, style, size)
            pdf.set_x(x + 3)
            pdf.cell(width - 6, size * 0.5 + 1.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if column == 1 or index == len(slips) - 1:
            pdf.set_y(y + height + gap)
        else:
            pdf.set_y(y)
    return bytes(pdf.output())
