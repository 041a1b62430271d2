"""Reading an export back in tests (core/listexport.py): the rows under the column heads."""

import csv
import io
from typing import Any

from openpyxl import load_workbook

from dangvien.core.listexport import BOM, CSV_DELIMITER

HEADER_LINES = 4  # title, node, filters, extracted at; then a blank line, then the heads


def csv_rows(response: Any) -> list[list[str]]:
    """The CSV's rows, heads first; asserts the BOM and the UTF-8 type."""
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[1:]), delimiter=CSV_DELIMITER))


def xlsx_sheet(response: Any) -> list[list[Any]]:
    """Every line of the XLSX's sheet (header lines included)."""
    assert response.status_code == 200
    assert "attachment;" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    return [list(r) for r in book.active.iter_rows(values_only=True)]


def xlsx_rows(response: Any) -> list[list[Any]]:
    """The XLSX's rows from the column heads on."""
    return xlsx_sheet(response)[HEADER_LINES + 1 :]
