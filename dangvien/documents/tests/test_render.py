"""The rendering engine: markup → blocks → PDF and DOCX (issue 8, the document contract;
layout per 36-HD/VPTW 2018)."""

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn

from dangvien.documents.render import render_blocks
from dangvien.documents.render.markup import MarkupError, Run, parse, runs

HEADER = {
    "parent_body": "Đảng bộ tỉnh Thử Nghiệm",
    "issuing_body": "Đảng ủy xã An Bình",
    "number": "Số 127-QĐ/ĐU",
    "place_date": "An Bình, ngày 20 tháng 11 năm 2026",
}

# A decision as the forms read (the shape of 9-KNĐ), long enough for two pages.
DECISION = """{# keys: header, person, branch, issuer #}
@header
# Quyết định
## Về việc kết nạp đảng viên
### BAN THƯỜNG VỤ ĐẢNG ỦY XÃ AN BÌNH
- Căn cứ Điều lệ Đảng Cộng sản Việt Nam;
- Căn cứ Quy định số 294-QĐ/TW ngày 26/5/2025 của Ban Chấp hành Trung ương \
về thi hành Điều lệ Đảng;
Xét đề nghị của {{ branch.name }} và Ban Tổ chức Đảng ủy, quần chúng \
**{{ person.full_name }}**, sinh ngày {{ person.birth_date }}, \
đã đủ điều kiện vào Đảng Cộng sản Việt Nam.
> QUYẾT ĐỊNH:
**Điều 1.** Kết nạp quần chúng {{ person.full_name }} vào Đảng Cộng sản Việt Nam.
| STT | Họ và tên | Ngày sinh | Chi bộ |
| 1 | {{ person.full_name }} | {{ person.birth_date }} | {{ branch.name }} |
@field Quê quán :: {{ person.hometown }}
@field Nghề nghiệp :: {{ person.occupation }}
@dots 2
@space
@sign Nơi nhận:|- Như Điều 3,|- Lưu Văn phòng Đảng ủy. \
|| T/M BAN THƯỜNG VỤ|{{ issuer.title }}|(Ký, ghi rõ họ tên)|||{{ issuer.name }}
@pagebreak
@header-personal
# Phụ lục
Trang thứ hai của quyết định, *in nghiêng* ở giữa.
"""

CONTEXT: dict[str, Any] = {
    "header": HEADER,
    "form": {"code": "9-KNĐ", "title": "Quyết định kết nạp đảng viên"},
    "person": {
        "full_name": "Nguyễn Thị Hằng",
        "birth_date": "12/03/1998",
        "hometown": "Xã An Bình, tỉnh Thử Nghiệm",
        "occupation": "",
    },
    "branch": {"name": "Chi bộ thôn Đông"},
    "issuer": {"name": "Lê Văn Bình", "name_upper": "LÊ VĂN BÌNH", "title": "PHÓ BÍ THƯ"},
    "today": "ngày 20 tháng 11 năm 2026",
}


def filled(text: str = DECISION, context: dict[str, Any] | None = None) -> str:
    from django.template import Context

    from dangvien.documents.templating import ENGINE

    return ENGINE.from_string(text).render(Context(context or CONTEXT, autoescape=False))


def pdf_text(pdf: bytes, tmp_path: Path, *, page: int | None = None) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) không có")
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    pages = ["-f", str(page), "-l", str(page)] if page else []
    result = subprocess.run(["pdftotext", *pages, str(path), "-"], capture_output=True, check=True)
    return result.stdout.decode()


# ---- markup ------------------------------------------------------------------------------


def test_each_line_kind_becomes_its_block_with_its_line_number() -> None:
    blocks, problems = parse(filled())
    assert problems == []
    kinds = [b.kind for b in blocks]
    assert kinds[:4] == ["header", "title", "summary", "heading"]
    assert {"paragraph", "centred", "table", "field", "dots", "space", "sign", "pagebreak"} <= set(
        kinds
    )
    assert kinds[-3:] == ["header_personal", "title", "paragraph"]
    title = next(b for b in blocks if b.kind == "title")
    assert (title.text, title.line) == ("Quyết định", 3)
    sign = next(b for b in blocks if b.kind == "sign")
    assert sign.left == ["Nơi nhận:", "- Như Điều 3,", "- Lưu Văn phòng Đảng ủy."]
    assert sign.right == [
        "T/M BAN THƯỜNG VỤ",
        "PHÓ BÍ THƯ",
        "(Ký, ghi rõ họ tên)",
        "",
        "",
        "Lê Văn Bình",
    ]
    field = [b for b in blocks if b.kind == "field"]
    assert [(f.label, f.value) for f in field] == [
        ("Quê quán", "Xã An Bình, tỉnh Thử Nghiệm"),
        ("Nghề nghiệp", ""),
    ]


def test_blank_lines_are_ignored_and_consecutive_rows_form_one_table() -> None:
    blocks, _ = parse("| a | b |\n| c | d |\n\n| e | f |\nMột đoạn.")
    assert [b.kind for b in blocks] == ["table", "table", "paragraph"]
    assert blocks[0].rows == [["a", "b"], ["c", "d"]]


def test_an_unknown_command_is_refused_with_its_line_number() -> None:
    with pytest.raises(MarkupError) as refused:
        parse("# Tiêu đề\n@chuky Nguyễn Văn A")
    assert refused.value.problems == ["Dòng 2: lệnh “@chuky” không có trong mẫu"]


def test_a_table_row_with_another_number_of_cells_is_a_problem_padded_when_not_strict() -> None:
    blocks, problems = parse("| a | b | c |\n| d | e |", strict=False)
    assert problems == ["Dòng 2: hàng bảng có 2 cột, hàng đầu của bảng có 3 cột"]
    assert blocks[0].rows[1] == ["d", "e", ""]


def test_dots_needs_a_count_from_1_to_60() -> None:
    _, problems = parse("@dots nhiều", strict=False)
    assert problems == ["Dòng 1: “@dots” cần số dòng để trống từ 1 đến 60 (“@dots 3”)"]


def test_bold_and_italic_markers_become_runs_and_a_lone_asterisk_stays() -> None:
    assert runs("Ông **Nguyễn Văn An** sinh *năm 1990* * rồi") == [
        Run("Ông "),
        Run("Nguyễn Văn An", bold=True),
        Run(" sinh "),
        Run("năm 1990", italic=True),
        Run(" * rồi"),
    ]


# ---- PDF ---------------------------------------------------------------------------------


def test_the_pdf_prints_the_vietnamese_text_exactly_on_a4_with_the_font_embedded(
    tmp_path: Path,
) -> None:
    pdf = render_blocks(parse(filled())[0], HEADER, "pdf")
    assert pdf.startswith(b"%PDF-")
    text = " ".join(pdf_text(pdf, tmp_path).split())
    for expected in (
        "ĐẢNG BỘ TỈNH THỬ NGHIỆM",
        "ĐẢNG ỦY XÃ AN BÌNH",
        "Số 127-QĐ/ĐU",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "An Bình, ngày 20 tháng 11 năm 2026",
        "QUYẾT ĐỊNH",
        "Về việc kết nạp đảng viên",
        "Nguyễn Thị Hằng",
        "Nơi nhận:",
        "Lê Văn Bình",
        "Nghề nghiệp: ......",
    ):
        assert expected in text, expected
    path = tmp_path / "doc.pdf"
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True).stdout
    assert b"Pages:           2" in info
    assert b"595.28 x 841.89 pts (A4)" in info or b"(A4)" in info
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True).stdout
    assert fonts.count(b"LiberationSerif") == 4 and b" yes yes yes " in fonts


def test_pages_are_numbered_from_the_second_at_the_top(tmp_path: Path) -> None:
    pdf = render_blocks(parse(filled())[0], HEADER, "pdf")
    first = pdf_text(pdf, tmp_path, page=1).strip().splitlines()
    second = pdf_text(pdf, tmp_path, page=2).strip().splitlines()
    assert first[0].split()[:2] == ["ĐẢNG", "BỘ"]
    assert second[0].strip() == "2"


# ---- DOCX --------------------------------------------------------------------------------


def test_the_docx_is_a4_with_the_margins_and_numbers_pages_from_the_second() -> None:
    doc = Document(io.BytesIO(render_blocks(parse(filled())[0], HEADER, "docx")))
    section = doc.sections[0]
    sizes = [
        round(length.mm if length is not None else 0)
        for length in (
            section.page_width,
            section.page_height,
            section.top_margin,
            section.bottom_margin,
            section.left_margin,
            section.right_margin,
        )
    ]
    assert sizes == [210, 297, 25, 25, 35, 15]
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml
    assert not section.first_page_header.paragraphs[0].text


def test_every_script_slot_names_times_new_roman_so_word_keeps_the_vietnamese_letters() -> None:
    doc = Document(io.BytesIO(render_blocks(parse(filled())[0], HEADER, "docx")))
    for rpr in (
        doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")),
        doc.styles["Normal"].element.rPr,
    ):
        fonts = rpr.find(qn("w:rFonts"))
        assert {fonts.get(qn(f"w:{slot}")) for slot in ("ascii", "hAnsi", "cs", "eastAsia")} == {
            "Times New Roman"
        }
        assert not [name for name in fonts.attrib if "heme" in name]


def test_the_docx_is_made_of_styled_paragraphs_and_borderless_two_column_tables() -> None:
    doc = Document(io.BytesIO(render_blocks(parse(filled())[0], HEADER, "docx")))

    def style(p: Any) -> str:
        return str(p.style.name)

    titles = [p.text for p in doc.paragraphs if style(p) == "VB Tên loại"]
    assert titles == ["Quyết định", "Phụ lục"]  # printed uppercase by the style
    assert doc.styles["VB Tên loại"].font.all_caps
    body = [p for p in doc.paragraphs if style(p) == "VB Thân"]
    assert body[0].text.startswith("- Căn cứ Điều lệ Đảng")
    indent: Any = doc.styles["VB Thân"].paragraph_format.first_line_indent
    assert round(indent.mm) == 10
    header, grid, sign = doc.tables[0], doc.tables[1], doc.tables[2]
    assert len(header.columns) == 2 and style(header) != "Table Grid"
    assert header.cell(0, 0).text.split("\n")[:2] == [
        "ĐẢNG BỘ TỈNH THỬ NGHIỆM",
        "ĐẢNG ỦY XÃ AN BÌNH",
    ]
    assert header.cell(0, 1).paragraphs[0].runs[0].underline
    assert style(grid) == "Table Grid" and grid.cell(1, 1).text == "Nguyễn Thị Hằng"
    assert grid.cell(0, 0).paragraphs[0].runs[0].bold
    assert sign.cell(0, 0).paragraphs[0].runs[0].underline
    assert sign.cell(0, 1).paragraphs[-1].text == "Lê Văn Bình"
    assert sign.cell(0, 1).paragraphs[-1].runs[0].bold


def test_a_field_without_value_ends_in_a_dotted_tab_leader_in_the_docx() -> None:
    doc = Document(io.BytesIO(render_blocks(parse(filled())[0], HEADER, "docx")))
    field = next(p for p in doc.paragraphs if p.text.startswith("Nghề nghiệp:"))
    assert 'w:leader="dot"' in field._p.xml
    filled_in = next(p for p in doc.paragraphs if p.text.startswith("Quê quán:"))
    assert filled_in.text == "Quê quán: Xã An Bình, tỉnh Thử Nghiệm"
    assert 'w:leader="dot"' not in filled_in._p.xml


# ---- speed -------------------------------------------------------------------------------
