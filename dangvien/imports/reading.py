"""Reading an import file: XLSX (openpyxl, read-only) or CSV (UTF-8 with or without BOM,
``;`` or ``,``), as rows of text cells.

Every cell comes out as a stripped NFC string: an Excel date cell as "dd/mm/yyyy", a
whole number without ".0" (so a citizen ID typed as a number keeps its digits; a lost
leading zero is caught by the 12-digit check). Empty rows are skipped but still counted,
so row numbers are the ones the spreadsheet shows (the header is row 1).
"""

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from dangvien.core.errors import DomainError
from dangvien.core.text import nfc


class UnreadableFile(DomainError):
    code = "invalid"


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return nfc(str(value))


def sniff_format(head: bytes) -> str:
    """ "xlsx" (a ZIP container) or "csv", from the first bytes, not the file's name."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    return "csv"


# The most an XLSX may hold once unpacked (its zip members' sizes added up): a small file
# that inflates past this is a zip bomb, refused before openpyxl reads it.
MAX_XLSX_UNPACKED = 500 * 1024 * 1024
DAMAGED_XLSX = "Không đọc được tệp Excel (.xlsx): tệp hỏng hoặc không đúng định dạng."


def _check_unpacked_size(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise UnreadableFile(DAMAGED_XLSX, field="file") from error
    if total > MAX_XLSX_UNPACKED:
        raise UnreadableFile(
            "Tệp Excel (.xlsx) khi giải nén quá lớn (quá 500 MB); chia nhỏ tệp rồi tải lên lại.",
            field="file",
        )


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    _check_unpacked_size(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise UnreadableFile(DAMAGED_XLSX, field="file") from error
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except Exception as error:  # a damaged sheet (truncated XML…) fails mid-way
                raise UnreadableFile(DAMAGED_XLSX, field="file") from error
            yield [cell_text(v) for v in values]
    finally:
        book.close()


def _delimiter(first_line: str) -> str:
    return ";" if first_line.count(";") >= first_line.count(",") else ","


def _csv_rows(path: Path) -> Iterator[list[str]]:
    with open(path, "rb") as raw:
        head = raw.read(3)
        if head != codecs.BOM_UTF8:
            raw.seek(0)
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        try:
            first = text.readline()
            delimiter = _delimiter(first)
            yield from (
                [nfc(cell) for cell in row] for row in csv.reader([first], delimiter=delimiter)
            )
            for row in csv.reader(text, delimiter=delimiter):
                yield [nfc(cell) for cell in row]
        except UnicodeDecodeError as error:
            raise UnreadableFile(
                "Tệp CSV phải được lưu với mã UTF-8 (trong Excel: “CSV UTF-8”).", field="file"
            ) from error
        except csv.Error as error:
            raise UnreadableFile(f"Tệp CSV không hợp lệ: {error}.", field="file") from error


def check_text(path: Path, file_format: str) -> None:
    """Refuse a CSV that is not UTF-8 anywhere in it, when it is uploaded (issue 9: "bad
    uploads (wrong encodings) get a clear error and change nothing"), not only in its
    first line: a byte from another code page far down would otherwise fail the dry run in
    the background. Read in 1 MB pieces through an incremental decoder (a letter cut by a
    piece's end is not an error)."""
    if file_format != "csv":
        return
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as raw:
            while piece := raw.read(1 << 20):
                decoder.decode(piece)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        raise UnreadableFile(
            "Tệp CSV phải được lưu với mã UTF-8 (trong Excel: “CSV UTF-8”); "
            f"có ký tự không đọc được ở byte thứ {error.start + 1:,}.".replace(",", "."),
            field="file",
        ) from error


def read_rows(path: Path, file_format: str) -> Iterator[list[str]]:
    """Every row of the file's first sheet, the header row first."""
    if file_format == "xlsx":
        return _xlsx_rows(path)
    return _csv_rows(path)


def is_blank(row: list[str]) -> bool:
    return not any(row)


def header_of(path: Path, file_format: str) -> list[str]:
    """The header row: the first row that is not empty; trailing empty cells dropped."""
    for row in read_rows(path, file_format):
        if not is_blank(row):
            while row and not row[-1]:
                row.pop()
            return row
    raise UnreadableFile("Tệp không có dòng tiêu đề (tệp trống).", field="file")


def data_rows(path: Path, file_format: str) -> Iterator[tuple[int, list[str]]]:
    """(row number as the spreadsheet shows it, cells) for each non-empty row after the
    header."""
    rows = read_rows(path, file_format)
    number = 0
    for row in rows:
        number += 1
        if not is_blank(row):
            break
    for row in rows:
        number += 1
        if not is_blank(row):
            yield number, row
