"""The XLSX and PDF renderings of a statistics report: the header block, typed cells, the
total and highlighted rows, Vietnamese text and the charts in the PDF."""

import io
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from dangvien.stats.charts import BarItem, achievement_bars, monthly_admissions
from dangvien.stats.exports import CHART_NOTE, OWN_SHEET_ROWS, display, to_pdf, to_xlsx
from dangvien.stats.report import Chart, Column, Report, Table, Text

TITLE = "Kết quả thực hiện chỉ tiêu kết nạp đảng viên"


def achievement_table() -> Table:
    return Table(
        "Kết quả theo đơn vị",
        [
            Column("Đơn vị"),
            Column("Chỉ tiêu", "int"),
            Column("Đã kết nạp", "int"),
            Column("Tỷ lệ", "percent"),
            Column("Tuổi bình quân", "decimal"),
            Column("Cập nhật", "date"),
        ],
        [
            ["Đảng bộ huyện Kim Bôi", 150, 46, 30.7, 27.25, date(2026, 5, 31)],
            ["Đảng bộ thành phố Hạ Long & <Cẩm Phả>", 450, 265, 58.9, 31.5, date(2026, 9, 30)],
            ["Chi bộ Trường THPT", None, 12, None, None, None],
        ],
        total=["Tổng cộng", 1600, 1318, 82.4, 29.4, None],
        highlight=[True, False, False],
        note="Chỉ tiêu do cấp trên giao (issue 6).",
    )


def make_report(*sections, by: str = "Trần Thị Thu Hương") -> Report:
    return Report(
        title=TITLE,
        organisation="Đảng bộ tỉnh Hòa Bình",
        period="Năm 2026",
        filename="chi-tieu-2026",
        sections=list(sections) or [achievement_table()],
        extracted_at=datetime(2026, 8, 14, 9, 5),
        extracted_by=by,
    )


def chart() -> Chart:
    return Chart(
        "Tỷ lệ thực hiện theo đơn vị",
        achievement_bars(
            [
                BarItem("Đảng bộ huyện Kim Bôi", 46, 150, True),
                BarItem("Đảng bộ thành phố Hạ Long", 265, 450, False),
                BarItem("Chi bộ Thôn 3 & <Đồng Tâm>", 5, None, False),
            ],
            pace=61.6,
        ),
    )


def workbook(report: Report):
    return load_workbook(io.BytesIO(to_xlsx(report)))


def find(sheet, value):
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == value:
                return cell
    raise AssertionError(f"{value!r} not in the sheet")


# ---- values as printed -------------------------------------------------------------------


def test_printed_values_follow_vietnamese_habits() -> None:
    assert display(1318, "int") == "1.318"
    assert display(30.7, "percent") == "30,7%"
    assert display(27.25, "decimal") == "27,25"
    assert display(date(2026, 9, 30), "date") == "30/09/2026"
    assert display(None, "percent") == "—"
    assert display(None, "text") == ""


# ---- XLSX --------------------------------------------------------------------------------


def test_the_workbook_starts_with_the_node_the_title_the_period_and_the_extraction() -> None:
    sheet = workbook(make_report()).active
    assert sheet["A1"].value == "Đảng bộ tỉnh Hòa Bình"
    assert sheet["A2"].value == TITLE
    assert sheet["A2"].font.b and sheet["A2"].font.sz > sheet["A1"].font.sz
    assert sheet["A3"].value == "Năm 2026"
    assert sheet["A4"].value == "Ngày trích xuất: 14/08/2026 09:05"
    assert sheet["A5"].value == "Người trích xuất: Trần Thị Thu Hương"


def test_without_an_extracting_user_the_workbook_does_not_name_one() -> None:
    sheet = workbook(make_report(achievement_table(), by="")).active
    values = [c.value for row in sheet.iter_rows(max_row=8) for c in row if c.value]
    assert not any(str(v).startswith("Người trích xuất") for v in values)


def test_cells_are_typed_by_the_column_kind() -> None:
    sheet = workbook(make_report()).active
    name = find(sheet, "Đảng bộ huyện Kim Bôi")
    r = name.row
    target, admitted, share, age, day = (sheet.cell(row=r, column=c) for c in range(2, 7))
    assert target.value == 150 and isinstance(target.value, int)
    assert target.number_format == "#,##0"
    assert admitted.value == 46
    assert share.value == pytest.approx(0.307) and share.number_format == "0.0%"
    assert age.value == pytest.approx(27.25) and "0.0" in age.number_format
    assert day.value.date() == date(2026, 5, 31) and day.number_format == "DD/MM/YYYY"


def test_a_missing_number_is_a_dash_not_a_zero() -> None:
    sheet = workbook(make_report()).active
    r = find(sheet, "Chi bộ Trường THPT").row
    assert sheet.cell(row=r, column=2).value == "—"
    assert sheet.cell(row=r, column=3).value == 12


def test_the_header_row_is_bold_shaded_bordered_and_wrapped() -> None:
    sheet = workbook(make_report()).active
    head = find(sheet, "Chỉ tiêu")
    assert head.font.b
    assert head.fill.fgColor.rgb.endswith("DDE5F0")
    assert head.border.bottom.style == "thin"
    assert head.alignment.wrap_text


def test_the_total_row_is_bold_and_the_highlighted_rows_are_filled() -> None:
    sheet = workbook(make_report()).active
    total = find(sheet, "Tổng cộng")
    assert total.font.b
    assert sheet.cell(row=total.row, column=3).value == 1318
    assert sheet.cell(row=total.row, column=3).font.b
    behind = find(sheet, "Đảng bộ huyện Kim Bôi")
    on_pace = find(sheet, "Chi bộ Trường THPT")
    assert behind.fill.fgColor.rgb.endswith("FFF4DC")
    assert sheet.cell(row=behind.row, column=4).fill.fgColor.rgb.endswith("FFF4DC")
    assert on_pace.fill.fill_type is None


def test_a_lone_table_has_its_header_frozen_and_repeated_on_each_printed_page() -> None:
    sheet = workbook(make_report()).active
    head = find(sheet, "Đơn vị").row
    assert sheet.freeze_panes == f"A{head + 1}"
    assert sheet.print_title_rows == f"${head}:${head}"
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.column_dimensions["A"].width > sheet.column_dimensions["B"].width


def test_many_columns_print_landscape() -> None:
    wide = Table("Cơ cấu", [Column("Đơn vị")] + [Column(f"Cột {i}", "int") for i in range(9)], [])
    assert workbook(make_report(wide)).active.page_setup.orientation == "landscape"
    assert workbook(make_report()).active.page_setup.orientation == "portrait"


def test_a_long_table_gets_its_own_sheet_and_the_first_sheet_points_to_it() -> None:
    people = Table(
        "Danh sách đảng viên mới",
        [Column("STT", "int"), Column("Họ và tên"), Column("Ngày kết nạp", "date")],
        [[n, f"Nguyễn Văn Ản {n}", date(2026, 3, 1)] for n in range(1, OWN_SHEET_ROWS + 2)],
    )
    book = workbook(make_report(achievement_table(), people))
    assert book.sheetnames == ["Báo cáo", "Danh sách đảng viên mới"]
    main, own = book["Báo cáo"], book["Danh sách đảng viên mới"]
    assert find(main, "Bảng có 61 dòng: xem trang tính «Danh sách đảng viên mới».")
    assert own["A2"].value == TITLE
    head = find(own, "Họ và tên").row
    assert own.freeze_panes == f"A{head + 1}"
    assert find(own, f"Nguyễn Văn Ản {OWN_SHEET_ROWS + 1}")


def test_charts_become_a_note_and_text_sections_a_wrapped_merged_cell() -> None:
    body = "Số liệu lấy trực tiếp từ hệ thống, không nhập tay."
    sheet = workbook(make_report(achievement_table(), chart(), Text("Ghi chú", body))).active
    note = find(sheet, CHART_NOTE)
    assert sheet.cell(row=note.row - 1, column=1).value == "Tỷ lệ thực hiện theo đơn vị"
    text = find(sheet, body)
    assert text.alignment.wrap_text
    assert any(text.coordinate in r for r in sheet.merged_cells.ranges)


# ---- PDF ---------------------------------------------------------------------------------

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="poppler-utils not installed",
)


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_the_pdf_is_a_pdf() -> None:
    assert to_pdf(make_report()).startswith(b"%PDF")


@needs_poppler
def test_the_pdf_carries_the_vietnamese_title_the_header_and_the_table(tmp_path) -> None:
    text = pdf_text(to_pdf(make_report()), tmp_path)
    assert TITLE in text
    assert "ĐẢNG BỘ TỈNH HÒA BÌNH" in text
    assert "Năm 2026" in text
    assert "Ngày trích xuất: 14/08/2026 09:05" in text
    assert "Người trích xuất: Trần Thị Thu Hương" in text
    assert "Đảng bộ thành phố Hạ Long & <Cẩm Phả>" in text
    assert "30,7%" in text and "1.318" in text and "27,25" in text and "30/09/2026" in text
    assert "Trang 1/1" in text


@needs_poppler
def test_charts_are_drawn_in_the_pdf_with_their_labels(tmp_path) -> None:
    monthly = Chart(
        "Kết nạp lũy kế theo tháng",
        monthly_admissions([130] * 8 + [0] * 4, 1600, 2026, date(2026, 8, 14)),
    )
    text = pdf_text(to_pdf(make_report(monthly, chart())), tmp_path)
    assert "Chỉ tiêu 1.600" in text and "T12" in text
    assert "Đảng bộ huyện Kim Bôi" in text and "46/150" in text
    assert "Tiến độ 61,6%" in text
    assert "Chi bộ Thôn 3 & <Đồng Tâm>" in text  # escaped in the SVG, plain in the PDF


@needs_poppler
def test_a_long_table_runs_over_pages_with_numbered_pages(tmp_path) -> None:
    people = Table(
        "Danh sách đảng viên mới",
        [Column("STT", "int"), Column("Họ và tên"), Column("Ngày kết nạp", "date")],
        [[n, f"Nguyễn Văn Ản {n}", date(2026, 3, 1)] for n in range(1, 121)],
    )
    text = pdf_text(to_pdf(make_report(people)), tmp_path)
    pages = text.split("\f")
    assert "Trang 1/" in pages[0] and "Nguyễn Văn Ản 120" in text
    # The header row is printed again on the next page.
    assert text.count("Họ và tên") >= 2
    assert "Trang 2/" in pages[1]


@needs_poppler
def test_a_table_with_many_columns_is_printed_landscape(tmp_path) -> None:
    wide = Table(
        "Cơ cấu", [Column("Đơn vị")] + [Column(f"Cột {i}", "int") for i in range(9)], [["A"] * 10]
    )
    path = tmp_path / "wide.pdf"
    path.write_bytes(to_pdf(make_report(wide)))
    subprocess.run(["pdftoppm", "-png", "-r", "10", str(path), str(tmp_path / "p")], check=True)
    from PIL import Image

    with Image.open(next(tmp_path.glob("p*.png"))) as page:
        assert page.width > page.height
