"""The published templates of each import kind (issue 8): an XLSX workbook with the header
row, an example row and a sheet "Hướng dẫn" (each column's meaning, whether it is required
and its allowed values), and the same columns as CSV (UTF-8 with BOM, ``;`` between cells:
the list separator of Excel in Vietnamese, which also reads the BOM to keep diacritics).
"""

import csv
import io

from dangvien.imports.fields import columns_for
from dangvien.imports.models import ImportKind

FILE_NAMES = {
    ImportKind.MEMBERS: "mau-nhap-dang-vien",
    ImportKind.CANDIDATES: "mau-nhap-quan-chung-uu-tu",
    ImportKind.ORGANISATIONS: "mau-nhap-to-chuc-dang",
}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def template_xlsx(kind: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    columns = columns_for(kind)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Dữ liệu"
    sheet.append([c.label + (" *" if c.required else "") for c in columns])
    sheet.append([c.example for c in columns])
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = max(14, len(column.label) + 4)
        # Text cells: a citizen ID or a date keeps exactly what was typed.
        for row in range(2, 2001):
            sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    guide = book.create_sheet("Hướng dẫn")
    guide.append(["Cột", "Bắt buộc", "Ý nghĩa, giá trị được nhận", "Ví dụ"])
    for column in columns:
        guide.append([column.label, "Có" if column.required else "", column.help, column.example])
    guide.append([])
    guide.append(
        [
            "Ghi chú",
            "",
            "Dòng 1 là tiêu đề (dấu * đánh dấu cột bắt buộc; tên cột có thể khác, chọn lại "
            "khi nhập). Xóa dòng ví dụ trước khi nhập. Ngày ghi dạng ngày/tháng/năm. Nhập lại "
            "cùng một tệp không tạo bản ghi trùng: mỗi người được nhận theo số CCCD.",
        ]
    )
    for cell in guide[1]:
        cell.font = Font(bold=True)
    guide.column_dimensions["A"].width = 24
    guide.column_dimensions["B"].width = 10
    guide.column_dimensions["C"].width = 90
    guide.column_dimensions["D"].width = 26
    for row in guide.iter_rows(min_row=2):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_csv(kind: str) -> bytes:
    columns = columns_for(kind)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.label for c in columns])
    writer.writerow([c.example for c in columns])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def template_file(kind: str, file_format: str) -> tuple[bytes, str, str]:
    """(content, content type, file name) of ``kind``'s template."""
    name = FILE_NAMES[ImportKind(kind)]
    if file_format == "csv":
        return template_csv(kind), CSV_TYPE, f"{name}.csv"
    return template_xlsx(kind), XLSX_TYPE, f"{name}.xlsx"
