"""XLSX and PDF renderers of a ``stats.report.Report`` (issue 6: "export of every dashboard
and statistics table to XLSX (formatted, with the node, period and date of extraction in
the header) and to PDF").

XLSX (openpyxl): one sheet "Báo cáo" holds the header block and every section in order;
a table longer than ``OWN_SHEET_ROWS`` rows (lists of branches or people) gets a sheet of
its own, with the same header block, its header row frozen and repeated on each printed
page, and the main sheet says where it went. Values are typed by ``Column.kind``: numbers
stay numbers (thousands grouped by Excel's locale, so Vietnamese Excel shows "1.318"),
percentages are percentage cells (30.7 → 0.307, format ``0.0%``, shown "30,7%"), dates
are date cells shown dd/mm/yyyy. A chart cannot be drawn in a cell without a rasteriser
(none is installed and none is added), so the XLSX carries a note row pointing to the PDF,
which holds the chart as vector graphics.

PDF (fpdf2 and the shipped Liberation Serif, full Vietnamese): A4, landscape when a table
has more than ``PORTRAIT_COLUMNS`` columns; the node and the title on top of the first
page and a running head on the others, tables whose header row repeats after a page
break, highlighted rows shaded, the total row bold, "Trang x/y" at the foot; charts are
the SVG of ``stats.charts`` drawn as vectors (fpdf2 renders ``<text>`` with the fonts the
PDF registers, hence the family name "Liberation Serif" used by the charts).
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.utils import timezone
from fpdf import FPDF
from fpdf.enums import TableCellFillMode, XPos, YPos
from fpdf.fonts import FontFace
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from dangvien.stats.charts import number_text
from dangvien.stats.formatting import percent_text
from dangvien.stats.report import Chart, Report, Table, Text

FONTS = Path(__file__).resolve().parent.parent / "core" / "fonts"
FAMILY = "Liberation Serif"  # the name the charts' SVG asks for (stats.charts.FONT)
OWN_SHEET_ROWS = 60
PORTRAIT_COLUMNS = 7
CHART_NOTE = "Biểu đồ: xem bản PDF"
DASH = "—"

# ---- shared ------------------------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _extracted(report: Report) -> str:
    moment = report.extracted_at
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment:%d/%m/%Y %H:%M}"


def _header_lines(report: Report) -> list[str]:
    lines = [f"Ngày trích xuất: {_extracted(report)}"]
    if report.extracted_by:
        lines.append(f"Người trích xuất: {report.extracted_by}")
    return lines


def display(value: Any, kind: str) -> str:
    """A value as printed in the PDF: "1.318", "30,7%", "12,25", "30/09/2026", "—"."""
    if value is None or value == "":
        return "" if kind == "text" else DASH
    if kind == "percent":
        number = _decimal(value)
        return percent_text(number) if number is not None else str(value)
    if kind == "int":
        number = _decimal(value)
        return number_text(number) if number is not None else str(value)
    if kind == "decimal":
        number = _decimal(value)
        if number is None:
            return str(value)
        rounded = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        whole, _, frac = f"{rounded:.2f}".partition(".")
        sign = "-" if whole.startswith("-") else ""
        grouped = f"{int(whole.lstrip('-')):,}".replace(",", ".")
        frac = frac.rstrip("0")
        return f"{sign}{grouped},{frac}" if frac else f"{sign}{grouped}"
    if kind == "date" and isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value)


# ---- XLSX --------------------------------------------------------------------------------

THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDE5F0")
TOTAL_FILL = PatternFill("solid", fgColor="EEEEEE")
HIGHLIGHT_FILL = PatternFill("solid", fgColor="FFF4DC")
NUMBER_FORMATS = {
    "int": "#,##0",
    "percent": "0.0%",
    "decimal": "#,##0.0#",
    "date": "DD/MM/YYYY",
}


def _cell_value(value: Any, kind: str) -> Any:
    """The typed cell value: numbers as numbers, a percentage as its fraction, dates as
    dates; a missing number as "—"."""
    if value is None or value == "":
        return None if kind == "text" else DASH
    if kind in ("int", "decimal", "percent"):
        number = _decimal(value)
        if number is None:
            return str(value)
        if kind == "percent":
            return float(number / 100)
        if kind == "int" and number == number.to_integral_value():
            return int(number)
        return float(number)
    if kind == "date":
        if isinstance(value, datetime):
            return value.date()
        return value if isinstance(value, date) else str(value)
    return str(value)


def _sheet_name(title: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:28] or "Bảng"
    name, n = base, 2
    while name.lower() in taken:
        name = f"{base[:26]} {n}"
        n += 1
    taken.add(name.lower())
    return name


class _Sheet:
    """Writes sections one under the other on one worksheet."""

    def __init__(self, sheet: Worksheet, report: Report, span: int):
        self.sheet = sheet
        self.row = 1
        self.span = max(span, 4)
        self.widths: dict[int, float] = {}
        self.tables = 0
        self.first_head: int | None = None
        self._header(report)

    def _merged(self, text: str, *, font: Font, height: float | None = None) -> None:
        cell = self.sheet.cell(row=self.row, column=1, value=text)
        cell.font = font
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        self.sheet.merge_cells(
            start_row=self.row, start_column=1, end_row=self.row, end_column=self.span
        )
        if height:
            self.sheet.row_dimensions[self.row].height = height
        self.row += 1

    def _header(self, report: Report) -> None:
        self._merged(report.organisation, font=Font(bold=True, size=12))
        self._merged(report.title, font=Font(bold=True, size=15), height=22)
        if report.period:
            self._merged(report.period, font=Font(italic=True, size=12))
        for line in _header_lines(report):
            self._merged(line, font=Font(italic=True, size=10, color="555555"))
        self.row += 1

    def _fit(self, column: int, text: str, width: int | None) -> None:
        if width:
            wanted = float(width)
        else:
            longest = max((len(part) for part in text.split("\n")), default=0)
            wanted = min(max(longest * 1.1 + 2, 8), 50)
        self.widths[column] = max(self.widths.get(column, 0), wanted)

    def table(self, table: Table) -> None:
        sheet = self.sheet
        self._merged(table.title, font=Font(bold=True, size=12))
        head = self.row
        if self.first_head is None:
            self.first_head = head
        self.tables += 1
        for col, column in enumerate(table.columns, start=1):
            cell = sheet.cell(row=head, column=col, value=column.title)
            cell.font = Font(bold=True)
            cell.fill = HEAD_FILL
            cell.border = BORDER
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            # Headings wrap on two lines: fit to half the heading or its longest word.
            words = column.title.split()
            half = math.ceil(len(column.title) / 2)
            self._fit(col, "x" * max([half, *(len(w) for w in words)]), column.width)
        sheet.row_dimensions[head].height = (
            32 if any(len(c.title) > 12 for c in table.columns) else 18
        )
        self.row += 1
        highlight = table.highlight or []
        body = [
            (row, n < len(highlight) and highlight[n], False) for n, row in enumerate(table.rows)
        ]
        if table.total is not None:
            body.append((table.total, False, True))
        for values, marked, total in body:
            for col, column in enumerate(table.columns, start=1):
                value = values[col - 1] if col - 1 < len(values) else None
                cell = sheet.cell(row=self.row, column=col, value=_cell_value(value, column.kind))
                cell.border = BORDER
                numeric = column.kind != "text" and not isinstance(cell.value, str)
                if numeric and column.kind in NUMBER_FORMATS:
                    cell.number_format = NUMBER_FORMATS[column.kind]
                cell.alignment = Alignment(
                    horizontal="right" if column.kind != "text" else "left",
                    vertical="top",
                    wrap_text=column.kind == "text",
                )
                if total:
                    cell.font = Font(bold=True)
                    cell.fill = TOTAL_FILL
                elif marked:
                    cell.fill = HIGHLIGHT_FILL
                self._fit(col, display(value, column.kind), column.width)
            self.row += 1
        if table.note:
            self._merged(table.note, font=Font(italic=True, size=10, color="555555"))
        self.row += 1

    def text(self, section: Text) -> None:
        self._merged(section.title, font=Font(bold=True, size=12))
        per_line = max(int(sum(self.widths.get(c, 10) for c in range(1, self.span + 1))), 60)
        lines = sum(math.ceil(max(len(p), 1) / per_line) for p in section.body.split("\n"))
        self._merged(section.body, font=Font(size=11), height=max(15, 15 * lines))
        self.row += 1

    def note(self, title: str, text: str) -> None:
        self._merged(title, font=Font(bold=True, size=12))
        self._merged(text, font=Font(italic=True, size=10, color="555555"))
        self.row += 1

    def finish(self, columns: int) -> None:
        sheet = self.sheet
        for col in range(1, max(self.span, columns) + 1):
            width = self.widths.get(col, 12)
            sheet.column_dimensions[get_column_letter(col)].width = round(width, 1)
        if self.tables == 1 and self.first_head is not None:
            # One table on the sheet: keep its header row in view and on every page.
            sheet.freeze_panes = sheet.cell(row=self.first_head + 1, column=1)
            sheet.print_title_rows = f"{self.first_head}:{self.first_head}"
        setup = sheet.page_setup
        setup.paperSize = sheet.PAPERSIZE_A4
        setup.orientation = "landscape" if columns > PORTRAIT_COLUMNS else "portrait"
        setup.fitToWidth = 1
        setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_options.horizontalCentered = True
        sheet.page_margins.left = sheet.page_margins.right = 0.5
        sheet.oddFooter.center.text = "Trang &P/&N"
        sheet.oddFooter.center.size = 9


def to_xlsx(report: Report) -> bytes:
    """The report as an .xlsx workbook (see the module docstring for the layout)."""
    book = Workbook()
    taken: set[str] = set()
    main = book.active
    assert main is not None
    main.title = _sheet_name("Báo cáo", taken)
    own = [s for s in report.sections if isinstance(s, Table) and len(s.rows) > OWN_SHEET_ROWS]
    on_main = [s for s in report.sections if not any(s is t for t in own)]
    main_columns = max((len(s.columns) for s in on_main if isinstance(s, Table)), default=6)
    writer = _Sheet(main, report, main_columns)
    others: list[tuple[Table, Worksheet]] = []
    for section in report.sections:
        if isinstance(section, Table) and any(section is t for t in own):
            sheet = book.create_sheet(_sheet_name(section.title, taken))
            others.append((section, sheet))
            writer.note(
                section.title, f"Bảng có {len(section.rows)} dòng: xem trang tính «{sheet.title}»."
            )
        elif isinstance(section, Table):
            writer.table(section)
        elif isinstance(section, Chart):
            writer.note(section.title, CHART_NOTE)
        elif isinstance(section, Text):
            writer.text(section)
    writer.finish(main_columns)
    for table, sheet in others:
        own_writer = _Sheet(sheet, report, len(table.columns))
        own_writer.table(table)
        own_writer.finish(len(table.columns))
        head = own_writer.first_head or 1
        last = get_column_letter(len(table.columns))
        sheet.auto_filter.ref = f"A{head}:{last}{head + len(table.rows)}"
    book.properties.title = report.title
    book.properties.creator = report.extracted_by or "dangvien"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ---- PDF ---------------------------------------------------------------------------------

HEAD_RGB = (221, 229, 240)
TOTAL_RGB = (235, 235, 235)
HIGHLIGHT_RGB = (255, 236, 196)
GREY_RGB = (90, 90, 90)


class _ReportPDF(FPDF):
    def __init__(self, report: Report, landscape: bool):
        super().__init__(orientation="L" if landscape else "P", unit="mm", format="A4")
        self.report = report
        for style, suffix in (
            ("", "Regular"),
            ("B", "Bold"),
            ("I", "Italic"),
            ("BI", "BoldItalic"),
        ):
            self.add_font(FAMILY, style, str(FONTS / f"LiberationSerif-{suffix}.ttf"))
        self.set_margins(14, 14, 14)
        self.set_auto_page_break(True, margin=16)
        self.set_title(report.title)
        self.set_author(report.extracted_by or "dangvien")
        self.set_creator("dangvien")

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font(FAMILY, "I", 9)
        self.set_text_color(*GREY_RGB)
        self.cell(0, 5, f"{self.report.organisation} — {self.report.title}", align="L")
        self.cell(0, 5, self.report.period, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(180, 180, 180)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.set_draw_color(0, 0, 0)
        self.set_text_color(0, 0, 0)
        self.ln(3)

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(FAMILY, "", 9)
        self.set_text_color(*GREY_RGB)
        self.cell(0, 5, f"Trích xuất {_extracted(self.report)}", align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Trang {self.page_no()}/{{nb}}", align="R")
        self.set_text_color(0, 0, 0)

    @property
    def content_width(self) -> float:
        return self.w - self.l_margin - self.r_margin


def _title_block(pdf: _ReportPDF, report: Report) -> None:
    width = pdf.content_width
    pdf.set_font(FAMILY, "B", 12)
    pdf.multi_cell(
        width, 6, report.organisation.upper(), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(2)
    pdf.set_font(FAMILY, "B", 15)
    pdf.multi_cell(width, 7.5, report.title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if report.period:
        pdf.set_font(FAMILY, "I", 12)
        pdf.multi_cell(width, 6, report.period, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "", 10)
    pdf.set_text_color(*GREY_RGB)
    pdf.multi_cell(
        width, 5, " · ".join(_header_lines(report)), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_text_color(0, 0, 0)
    pdf.ln(4)


def _section_title(pdf: _ReportPDF, title: str, *, room: float = 20) -> None:
    """A section's heading, moved to the next page when it would sit alone at the foot."""
    if pdf.get_y() + room > pdf.page_break_trigger:
        pdf.add_page()
    pdf.set_font(FAMILY, "B", 12)
    pdf.multi_cell(pdf.content_width, 6, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)


PADDING = 1.2  # mm, left and right inside a table cell


def _col_widths(
    pdf: _ReportPDF,
    table: Table,
    rows: Sequence[Sequence[str]],
    total: Sequence[str] | None,
    size: float,
) -> list[float]:
    """Column widths measured with the font: each column first gets what its widest value
    and its heading need on one line; spare room goes to the text columns; when the page is
    too narrow, columns give back room down to their longest word (numbers never wrap)."""
    room = pdf.content_width
    slack = 2 * PADDING + 0.8
    need: list[float] = []
    floor: list[float] = []
    for n, column in enumerate(table.columns):
        pdf.set_font(FAMILY, "B", size)
        title_full = pdf.get_string_width(column.title)
        title_word = max((pdf.get_string_width(w) for w in column.title.split()), default=0)
        pdf.set_font(FAMILY, "", size)
        cells = [r[n] for r in rows]
        values = max((pdf.get_string_width(v) for v in cells), default=0)
        words = max((pdf.get_string_width(w) for v in cells for w in v.split()), default=0)
        if total is not None:
            pdf.set_font(FAMILY, "B", size)
            values = max(values, pdf.get_string_width(total[n]))
            words = max(words, pdf.get_string_width(total[n]))
        if column.width:
            fixed = pdf.get_string_width("n" * column.width) + slack
            need.append(fixed)
            floor.append(fixed)
            continue
        need.append(max(values, title_full) + slack)
        wrap_to = words if column.kind == "text" else values
        floor.append(min(max(wrap_to, title_word) + slack, need[-1]))
    pdf.set_font(FAMILY, "", size)
    wanted = sum(need)
    if wanted <= room:
        text = [n for n, c in enumerate(table.columns) if c.kind == "text" and not c.width]
        grow = text or list(range(len(need)))
        base = sum(need[n] for n in grow)
        return [w + (room - wanted) * w / base if n in grow else w for n, w in enumerate(need)]
    spare = sum(n - f for n, f in zip(need, floor, strict=True))
    if sum(floor) <= room and spare:
        cut = (wanted - room) / spare
        return [n - (n - f) * cut for n, f in zip(need, floor, strict=True)]
    return [f * room / sum(floor) for f in floor]


def _table(pdf: _ReportPDF, table: Table) -> None:
    _section_title(pdf, table.title, room=30)
    kinds = [c.kind for c in table.columns]
    rows = [
        [display(v, k) for v, k in zip(_padded(r, len(kinds)), kinds, strict=True)]
        for r in table.rows
    ]
    total = (
        [display(v, k) for v, k in zip(_padded(table.total, len(kinds)), kinds, strict=True)]
        if table.total is not None
        else None
    )
    size = 10 if len(kinds) <= 8 else 9 if len(kinds) <= 12 else 8
    widths = _col_widths(pdf, table, rows, total, size)
    align = tuple("LEFT" if k == "text" else "RIGHT" for k in kinds)
    highlight = table.highlight or []
    with pdf.table(
        col_widths=widths,
        width=pdf.content_width,
        text_align=align,
        line_height=size * 0.5,
        padding=(0.8, PADDING),
        headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_RGB),
        cell_fill_mode=TableCellFillMode.NONE,
        repeat_headings=1,
    ) as grid:
        head = grid.row()
        for column in table.columns:
            head.cell(column.title, align="CENTER")
        for n, values in enumerate(rows):
            marked = n < len(highlight) and highlight[n]
            row = grid.row(style=FontFace(fill_color=HIGHLIGHT_RGB) if marked else None)
            for text in values:
                row.cell(text)
        if total is not None:
            row = grid.row(style=FontFace(emphasis="BOLD", fill_color=TOTAL_RGB))
            for text in total:
                row.cell(text)
    if table.note:
        pdf.ln(1)
        pdf.set_font(FAMILY, "I", 9.5)
        pdf.multi_cell(pdf.content_width, 4.8, table.note, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(5)


def _padded(values: Sequence[Any], n: int) -> list[Any]:
    return [*list(values)[:n], *([None] * max(0, n - len(values)))]


_TITLES = re.compile(r"<title>.*?</title>", re.DOTALL)
_SIZE = re.compile(r'<svg[^>]*?\swidth="([\d.]+)"[^>]*?\sheight="([\d.]+)"')


def _chart(pdf: _ReportPDF, chart: Chart) -> None:
    match = _SIZE.search(chart.svg)
    ratio = float(match.group(2)) / float(match.group(1)) if match else 0.5
    width = min(pdf.content_width, 180.0)
    height = width * ratio
    room = pdf.page_break_trigger - pdf.t_margin - 14
    if height > room:  # a tall chart (many children) is scaled to fit one page
        height = room
        width = height / ratio
    _section_title(pdf, chart.title, room=height + 8)
    # Tooltips (<title>) are for screens; fpdf2 ignores them with a warning.
    svg = _TITLES.sub("", chart.svg)
    x = pdf.l_margin + (pdf.content_width - width) / 2
    pdf.image(io.BytesIO(svg.encode("utf-8")), x=x, w=width, h=height)
    pdf.set_y(pdf.get_y() + 4)


def _text(pdf: _ReportPDF, section: Text) -> None:
    _section_title(pdf, section.title)
    pdf.set_font(FAMILY, "", 11)
    pdf.multi_cell(pdf.content_width, 5.5, section.body, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)


def to_pdf(report: Report) -> bytes:
    """The report as an A4 PDF (see the module docstring for the layout)."""
    wide = any(isinstance(s, Table) and len(s.columns) > PORTRAIT_COLUMNS for s in report.sections)
    pdf = _ReportPDF(report, landscape=wide)
    pdf.add_page()
    _title_block(pdf, report)
    if not report.sections:
        pdf.set_font(FAMILY, "I", 11)
        pdf.cell(0, 6, "Chưa có số liệu.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for section in report.sections:
        if isinstance(section, Table):
            _table(pdf, section)
        elif isinstance(section, Chart):
            _chart(pdf, section)
        elif isinstance(section, Text):
            _text(pdf, section)
    return bytes(pdf.output())
