"""Blocks → PDF with fpdf2 (issue 8). Page and type as 36-HD/VPTW 2018 [C] asks: A4,
margins top 25, bottom 25, left 35, right 15 mm, a Times-metric serif (Liberation Serif,
embedded from ``dangvien/core/fonts/``), page numbers from page 2 centred at the top.

Speed: parsing a TrueType file is most of the cost of a small PDF, so each font is parsed
once per process (``_prototype``) and every new document gets a copy with its own
fontTools object (fpdf2 subsets that object in place when it writes the file).
"""

import functools
import hashlib
import io
import os
import tempfile
from pathlib import Path
from typing import Any

from fontTools import subset, ttLib
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos
from fpdf.fonts import FontFace, SubsetMap, TTFFont

from dangvien.documents.render.markup import Block, Run, runs

FONTS_DIR = Path(__file__).resolve().parents[2] / "core" / "fonts"
FAMILY = "serif"
STYLES = {"": "Regular", "B": "Bold", "I": "Italic", "BI": "BoldItalic"}

PT = 25.4 / 72  # mm per point
LEADING = 1.2  # line height as a multiple of the font size
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 25.0, 25.0, 35.0, 15.0
INDENT = 10.0  # first line of a body paragraph: 1 cm
AFTER = 6 * PT  # 6 pt after a body paragraph
HEADER_LEFT = 0.45  # share of the text width taken by the issuing body's column


def _line(size: float) -> float:
    return size * PT * LEADING


# What the documents print: Latin with every Vietnamese letter, punctuation, a few signs.
# Cutting the 2,600-glyph font down to these once makes each document's own subsetting
# several times faster.
UNICODES = [
    *range(0x20, 0x7F),
    *range(0xA0, 0x250),  # Latin-1, Latin Extended-A/B (Ă Â Đ Ê Ô Ơ Ư …)
    *range(0x300, 0x370),  # combining marks, for text that is not NFC
    *range(0x1E00, 0x1F00),  # Latin Extended Additional (ạ ả ấ … ỹ)
    *range(0x2000, 0x2070),  # dashes, quotes, ellipsis, bullets
    0x20AB,  # ₫
    0x2116,  # №
]


def _cut_font(style: str) -> bytes:
    font = ttLib.TTFont(FONTS_DIR / f"LiberationSerif-{STYLES[style]}.ttf", recalcTimestamp=False)
    options = subset.Options()
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "hdmx", "FFTM"]
    options.name_IDs = ["*"]
    options.glyph_names = True
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=UNICODES)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _private_cache() -> Path | None:
    folder = Path(tempfile.gettempdir()) / f"dangvien-fonts-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
    except OSError:
        return None
    if info.st_uid != os.getuid() or info.st_mode & 0o077 or folder.is_symlink():
        return None
    return folder


@functools.cache
def _font_bytes(style: str) -> bytes:
    """The font file of ``style`` cut to ``UNICODES``, without the layout tables fpdf2
    drops anyway. Cutting takes a good half second for the four styles, so the result is
    kept for the next process in a private folder of the temporary directory (this user's
    only, mode 0700: nobody else can plant a file there), named by the source's digest; a
    missing or unusable cache only costs that time."""
    source = FONTS_DIR / f"LiberationSerif-{STYLES[style]}.ttf"
    digest = hashlib.sha256(source.read_bytes() + repr(UNICODES).encode()).hexdigest()[:16]
    folder = _private_cache()
    cached = folder / f"font-{digest}.ttf" if folder else None
    if cached is not None and cached.is_file():
        return cached.read_bytes()
    data = _cut_font(style)
    if cached is None:
        return data
    try:
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(data)
        partial.replace(cached)  # atomic: another process never reads half a file
    except OSError:
        pass
    return data


@functools.cache
def _prototype(style: str) -> TTFFont:
    return TTFFont(FPDF(), io.BytesIO(_font_bytes(style)), FAMILY + style, style)  # type: ignore[arg-type]


def _add_fonts(pdf: FPDF) -> None:
    """The four styles of the serif family, from the parsed prototypes: metrics shared
    (read only), the fontTools object and the subset map new for this document."""
    for index, style in enumerate(STYLES, start=1):
        proto = _prototype(style)
        font = TTFFont.__new__(TTFFont)
        for name in TTFFont.__slots__:
            if hasattr(proto, name):
                setattr(font, name, getattr(proto, name))
        font.i = index
        font.ttfont = ttLib.TTFont(io.BytesIO(_font_bytes(style)), recalcTimestamp=False, lazy=True)
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font.subset = SubsetMap(font)
        pdf.fonts[FAMILY + style] = font


def _forget_subsets() -> None:
    """fpdf2 memoises ``SubsetMap.pick``/``get_glyph`` with an unbounded ``functools.cache``
    keyed by the map, which keeps every document's fonts alive for the life of the
    process; a web worker would grow without end. The entries are only a speed-up."""
    SubsetMap.pick.cache_clear()
    SubsetMap.get_glyph.cache_clear()


WATERMARK_SIZE = 8  # pt: the watermark line at the foot of every page (issue 9)


class _Document(FPDF):
    watermark = ""

    def footer(self) -> None:
        """The watermark, small, centred in the bottom margin of every page."""
        if self.watermark:
            self.set_font(FAMILY, "I", WATERMARK_SIZE)
            self.set_xy(MARGIN_LEFT, -MARGIN_BOTTOM / 2)
            self.cell(self.epw, _line(WATERMARK_SIZE), self.watermark, align=Align.C)

    def header(self) -> None:
        """Page numbers from page 2, centred in the top margin (36-HD/VPTW)."""
        if self.page_no() > 1:
            self.set_font(FAMILY, "", 14)
            self.set_xy(MARGIN_LEFT, 12)
            self.cell(self.epw, _line(14), str(self.page_no()), align=Align.C)
            self.set_xy(MARGIN_LEFT, MARGIN_TOP)


def render_pdf(blocks: list[Block], header: dict[str, Any], *, watermark: str = "") -> bytes:
    pdf = _Document(format="A4", unit="mm")
    pdf.watermark = watermark
    pdf.set_margins(MARGIN_LEFT, MARGIN_TOP, MARGIN_RIGHT)
    pdf.set_auto_page_break(True, MARGIN_BOTTOM)
    pdf.set_creator("dangvien")
    _add_fonts(pdf)
    pdf.add_page()
    writer = _Writer(pdf, header)
    for block in blocks:
        writer.block(block)
    try:
        return bytes(pdf.output())
    finally:
        _forget_subsets()


class _Writer:
    def __init__(self, pdf: FPDF, header: dict[str, Any]) -> None:
        self.pdf = pdf
        self.header = header or {}

    # ---- text ---------------------------------------------------------------------------

    def text(
        self,
        parts: list[Run],
        *,
        size: float = 14,
        align: Align = Align.J,
        indent: float = 0,
        after: float = 0,
        underline: bool = False,
    ) -> None:
        pdf = self.pdf
        if not parts:
            return
        with (
            pdf.text_columns(
                text_align=align,
                line_height=LEADING,
                l_margin=MARGIN_LEFT,
                r_margin=MARGIN_RIGHT,
            ) as cols,
            cols.paragraph(first_line_indent=indent, bottom_margin=after) as par,
        ):
            for run in parts:
                style = ("B" if run.bold else "") + ("I" if run.italic else "")
                pdf.set_font(FAMILY, style + ("U" if underline else ""), size)
                par.write(run.text)
        pdf.set_x(pdf.l_margin)

    def cells(
        self, lines: list[tuple[str, str, float]], x: float, width: float, align: Align
    ) -> float:
        """Lines (text, style, size) in a column at ``x``; answers the y below them."""
        pdf = self.pdf
        for text, style, size in lines:
            pdf.set_x(x)
            pdf.set_font(FAMILY, style, size)
            if text:
                pdf.multi_cell(
                    width, _line(size), text, align=align, new_x=XPos.LEFT, new_y=YPos.NEXT
                )
            else:
                pdf.ln(_line(size))
        return pdf.get_y()

    def columns(
        self,
        left: list[tuple[str, str, float]],
        right: list[tuple[str, str, float]],
        left_share: float,
        left_align: Align = Align.C,
    ) -> None:
        pdf = self.pdf
        needed = max(
            sum(_line(size) for _, _, size in left), sum(_line(size) for _, _, size in right)
        )
        if pdf.get_y() + needed > pdf.page_break_trigger:
            pdf.add_page()
        top = pdf.get_y()
        left_width = pdf.epw * left_share
        bottom_left = self.cells(left, pdf.l_margin, left_width, left_align)
        pdf.set_y(top)
        bottom_right = self.cells(right, pdf.l_margin + left_width, pdf.epw - left_width, Align.C)
        pdf.set_xy(pdf.l_margin, max(bottom_left, bottom_right))

    # ---- blocks -------------------------------------------------------------------------

    def block(self, block: Block) -> None:
        getattr(self, "b_" + block.kind)(block)

    def b_header(self, block: Block) -> None:
        h = self.header
        left = []
        if h.get("parent_body"):
            left.append((str(h["parent_body"]).upper(), "", 14.0))
        left.append((str(h.get("issuing_body", "")).upper(), "B", 14.0))
        left.append(("*", "", 14.0))
        if h.get("number"):
            left.append((str(h["number"]), "", 14.0))
        right = [("ĐẢNG CỘNG SẢN VIỆT NAM", "BU", 15.0), ("", "", 7.0)]
        if h.get("place_date"):
            right.append((str(h["place_date"]), "I", 14.0))
        self.columns(left, right, HEADER_LEFT)
        self.pdf.ln(_line(14))

    def b_header_personal(self, block: Block) -> None:
        lines = [("ĐẢNG CỘNG SẢN VIỆT NAM", "BU", 15.0)]
        if self.header.get("place_date"):
            lines += [("", "", 7.0), (str(self.header["place_date"]), "I", 14.0)]
        self.cells(lines, self.pdf.l_margin, self.pdf.epw, Align.C)
        self.pdf.ln(_line(14))

    def b_title(self, block: Block) -> None:
        self.text(runs(block.text.upper(), bold=True), size=16, align=Align.C)

    def b_summary(self, block: Block) -> None:
        self.text(runs(block.text, bold=True), align=Align.C, after=AFTER)

    def b_heading(self, block: Block) -> None:
        self.pdf.ln(AFTER)
        self.text(runs(block.text, bold=True), align=Align.C, after=AFTER)

    def b_centred(self, block: Block) -> None:
        self.text(runs(block.text, italic=True), align=Align.C, after=AFTER)

    def b_paragraph(self, block: Block) -> None:
        self.text(runs(block.text), indent=INDENT, after=AFTER)

    def b_space(self, block: Block) -> None:
        self.pdf.ln(_line(14))

    def b_pagebreak(self, block: Block) -> None:
        self.pdf.add_page()

    def b_field(self, block: Block) -> None:
        label = f"{block.label}: " if block.label else ""
        if block.value:
            self.text(runs(label, bold=False) + runs(block.value), align=Align.L, after=2)
            return
        pdf = self.pdf
        pdf.set_font(FAMILY, "", 14)
        used = pdf.get_string_width(label) % pdf.epw
        dots = int((pdf.epw - used - 1) / pdf.get_string_width(".")) - 1
        self.text([*runs(label), Run("." * max(dots, 3))], align=Align.L, after=2)

    def b_dots(self, block: Block) -> None:
        pdf = self.pdf
        pdf.set_font(FAMILY, "", 14)
        line = "." * (int((pdf.epw - 1) / pdf.get_string_width(".")) - 1)
        for _ in range(block.count):
            pdf.set_x(pdf.l_margin)
            pdf.cell(pdf.epw, _line(14) * 1.3, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def b_sign(self, block: Block) -> None:
        self.pdf.ln(AFTER)
        left = sign_lines(block.left, recipients=True)
        right = sign_lines(block.right)
        self.columns(left, right, 0.45, Align.L if is_recipients(block.left) else Align.C)

    def b_table(self, block: Block) -> None:
        pdf = self.pdf
        pdf.set_font(FAMILY, "", 13)
        widths = column_weights(block.rows, lambda text: pdf.get_string_width(text) + 4)
        with pdf.table(
            col_widths=widths,
            width=pdf.epw,
            align="LEFT",
            line_height=_line(13),
            markdown=True,
            first_row_as_headings=True,
            headings_style=FontFace(emphasis="BOLD", fill_color=None),
            text_align="LEFT",
            padding=1,
        ) as table:
            for cells in block.rows:
                row = table.row()
                for cell in cells:
                    row.cell(fpdf_markdown(cell))
        pdf.ln(AFTER)


def is_recipients(lines: list[str]) -> bool:
    return bool(lines) and lines[0].rstrip(":").strip().lower() == "nơi nhận"


def sign_lines(lines: list[str], *, recipients: bool = False) -> list[tuple[str, str, float]]:
    """The lines of one side of a signature block with their style and size.

    "Nơi nhận:" and the list under it: 12, the first line bold italic underlined. A
    signer's side: the first two lines (the body and the title) bold uppercase 14, a line
    in brackets ("(Ký, ghi rõ họ tên)") italic, an empty line is room for the signature,
    the last line (the name) bold (36-HD/VPTW §III.1.12 [C]).
    """
    if recipients and is_recipients(lines):
        return [(lines[0], "BIU", 12.0)] + [(line, "", 12.0) for line in lines[1:]]
    out: list[tuple[str, str, float]] = []
    last = len(lines) - 1
    for index, line in enumerate(lines):
        if line.startswith("(") and line.endswith(")"):
            out.append((line, "I", 14.0))
        elif index < 2 and index != last:
            out.append((line.upper(), "B", 14.0))
        elif index == last and line:
            out.append((line, "B", 14.0))
        else:
            out.append((line, "", 14.0))
    return out


def column_weights(rows: list[list[str]], measure: Any) -> tuple[float, ...]:
    """Column widths in proportion to their longest cell, none below a tenth of the
    widest column's share."""
    width = max(len(row) for row in rows)
    longest = [
        max((measure(plain_cell(row[i])) for row in rows if i < len(row)), default=1.0)
        for i in range(width)
    ]
    floor = max(longest) / 10
    return tuple(max(value, floor, 1.0) for value in longest)


def plain_cell(text: str) -> str:
    return "".join(run.text for run in runs(text))


def fpdf_markdown(text: str) -> str:
    """Our inline markers as fpdf2's (``**bold**``, ``__italic__``); its other markers
    (``--``, ``~~``) in the text are kept literally by escaping them."""
    out = []
    for run in runs(text):
        piece = run.text.replace("\\", "\\\\").replace("--", "\\--").replace("~~", "\\~~")
        piece = piece.replace("__", "\\__").replace("**", "\\**")
        if run.italic:
            piece = f"__{piece}__"
        if run.bold:
            piece = f"**{piece}**"
        out.append(piece)
    return "".join(out)
