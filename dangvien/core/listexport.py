"""Export of a list page, with the page's filters, to XLSX or CSV (issue 8).

One helper serves every list page: the view builds its filtered rows exactly as for the
page (so the scope is the page's scope), declares its columns, and when the query string
asks ``export=xlsx`` or ``export=csv`` answers :func:`respond` instead of the page. The
export holds ALL the rows matching the filters, not just the page shown. The links are
``core/export_links.html``, included inside the page's results partial so they follow the
htmx-refreshed filters.

Choices, documented:
- CSV is UTF-8 **with BOM** (Excel otherwise reads it as the ANSI code page and breaks
  the diacritics), separated by ``;``: Vietnamese regional settings use ``,`` as the
  decimal mark and ``;`` as the list separator, so Excel on a Vietnamese Windows opens a
  ``;`` file in columns. Decimals use ``,`` for the same reason; dates are "dd/mm/yyyy".
  Line ends are CRLF (RFC 4180). The XLSX is the sure choice on any regional setting.
- XLSX: date cells (number format dd/mm/yyyy), numbers as numbers; four header lines
  say the list, the node (the organisation filtered on, else the user's scope), the
  filters and when and by whom it was extracted; then the column heads (frozen).
- Text that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
  ``@`` and not a number) is prefixed with an apostrophe in CSV and stored as text in
  XLSX (OWASP "CSV injection").
- File name: the list's name folded to ASCII and the date, "quan-chung-uu-tu_2026-11-20
  .xlsx", with the Vietnamese name in ``filename*``.
"""

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from dangvien.core.text import fold

FORMATS = ("xlsx", "csv")
CSV_DELIMITER = ";"
BOM = "\ufeff"
CHUNK = 2000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?\d[\d.,\s]*$")
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


@dataclass(frozen=True)
class Column:
    """One column: its head and how to read the value from a row (str, int, Decimal,
    date, datetime, bool or None)."""

    title: str
    value: Callable[[Any], Any]
    width: int = 16


def requested(request: HttpRequest) -> str:
    """The export format asked for ("xlsx" / "csv"), "" for the page itself."""
    value = request.GET.get("export", "")
    return value if value in FORMATS else ""


def describe_filters(pairs: Iterable[tuple[str, Any]]) -> list[tuple[str, str]]:
    """The filters in use as (label, shown value), leaving out the empty ones."""
    return [(label, str(value)) for label, value in pairs if value not in (None, "", False)]


def scope_name(user: Any) -> str:
    """The user's scope as printed in the header: the top nodes' names."""
    from dangvien.organisations.queries import units_managed_by

    names = [o.name for o in units_managed_by(user).only("name")]
    if names:
        return "; ".join(names)
    return "Toàn hệ thống" if getattr(user, "is_superuser", False) else ""


def respond(
    fmt: str,
    rows: Iterable[Any],
    columns: Sequence[Column],
    *,
    request: HttpRequest,
    title: str,
    node: Any = None,
    filters: Iterable[tuple[str, Any]] = (),
) -> HttpResponse:
    """The file of ``rows`` (all of them) in ``fmt`` with ``columns``.

    ``node`` is the organisation the page is filtered on (else the user's scope is named);
    ``filters`` the (label, value) pairs of the page's filters, empty ones left out.
    """
    now = timezone.localtime()
    header = [
        title,
        f"Đơn vị: {node.name if node is not None else scope_name(request.user)}",
        "Lọc: " + ("; ".join(f"{k}: {v}" for k, v in describe_filters(filters)) or "không"),
        f"Trích xuất lúc {now:%H:%M} ngày {now:%d/%m/%Y} bởi {request.user.get_username()}",
    ]
    records = _iterate(rows)
    if fmt == "csv":
        body = csv_bytes(records, columns)
        content_type = "text/csv; charset=utf-8"
    else:
        body = xlsx_bytes(records, columns, header=header, sheet=title)
        content_type = XLSX_TYPE
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = _disposition(title, now.date(), fmt)
    response["Cache-Control"] = "no-store"
    return response


def _iterate(rows: Iterable[Any]) -> Iterable[Any]:
    if isinstance(rows, QuerySet):
        return rows.iterator(chunk_size=CHUNK)
    return rows


def _disposition(title: str, day: date, fmt: str) -> str:
    ascii_name = re.sub(r"[^a-z0-9]+", "-", fold(title)).strip("-") or "danh-sach"
    fallback = f"{ascii_name}_{day:%Y-%m-%d}.{fmt}"
    utf8 = quote(f"{title} {day:%d-%m-%Y}.{fmt}")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{utf8}"


def _is_formula(text: str) -> bool:
    return text.startswith(_FORMULA_START) and not _NUMBER.match(text)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if value is None:
        return ""
    if isinstance(value, (date, int, float, Decimal)):
        return value
    return _ILLEGAL.sub("", str(value))


def csv_text(value: Any) -> str:
    """One value as written in the CSV."""
    value = _plain(value)
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, (float, Decimal)):
        return str(value).replace(".", ",")
    text = str(value)
    return "'" + text if _is_formula(text) else text


def csv_bytes(rows: Iterable[Any], columns: Sequence[Column]) -> bytes:
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow([c.title for c in columns])
    for row in rows:
        writer.writerow([csv_text(c.value(row)) for c in columns])
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(
    rows: Iterable[Any], columns: Sequence[Column], *, header: Sequence[str], sheet: str
) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    # The header lines and the title may carry what the user typed (the search box): the
    # characters XML cannot hold are dropped, as in the cells.
    sheet = _ILLEGAL.sub("", sheet)
    ws = book.create_sheet(re.sub(r"[\[\]:*?/\\]", " ", sheet)[:31].strip() or "Danh sách")
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = f"A{len(header) + 3}"
    bold = Font(bold=True)
    for number, line in enumerate(header):
        line = _ILLEGAL.sub("", str(line))
        cell = WriteOnlyCell(ws, line)
        if line.startswith("="):
            cell.data_type = "s"  # text, never a formula
        cell.font = Font(bold=True, size=13) if number == 0 else Font(italic=True)
        ws.append([cell])
    ws.append([])
    heads = []
    for column in columns:
        cell = WriteOnlyCell(ws, column.title)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        heads.append(cell)
    ws.append(heads)
    for row in rows:
        ws.append([_xlsx_cell(ws, c.value(row), WriteOnlyCell) for c in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_cell(ws: Any, value: Any, make: Any) -> Any:
    value = _plain(value)
    cell = make(ws, value)
    if isinstance(value, datetime):
        cell.number_format = "dd/mm/yyyy hh:mm"
    elif isinstance(value, date):
        cell.number_format = "dd/mm/yyyy"
    elif isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text, never a formula
    return cell
