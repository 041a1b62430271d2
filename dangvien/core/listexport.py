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
- File name: the list's name folded to ASCII, the date and time and the account,
  "quan-chung-uu-tu_2026-11-20_1430_xa.an.xlsx", with the Vietnamese name in
  ``filename*``.

Personal data (issue 9; Nghị định 13/2023/NĐ-CP Điều 26 on protection measures; OWASP
ASVS 5.0 V14.2 [U] on data leaving the system):
- Every export is **logged**: one ``AccessEvent`` (kind "export", the list and format,
  the rows written, the node's path) written after the file is made.
- Every export is **watermarked** with the user and the time, "Trích xuất bởi <tên>
  (<tài khoản>) lúc <dd/mm/yyyy HH:MM>" (``watermark``): in the XLSX as the fourth header
  line (kept in its older order, "Trích xuất lúc … bởi <tên> (<tài khoản>)") and in the
  printed page's header and footer, so a printout carries it on every page; in the file
  name for both formats. The CSV carries it **only in its file name**: decided so the CSV
  stays one table that any program reads back (our own importers read exports: a
  trailing "# Trích xuất…" line would come back as a data row), and the access log holds
  who took which file when.
"""

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
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


def user_names(user: Any) -> tuple[str, str]:
    """(name, account) as a watermark prints them: the display name (else the full name,
    else the account) and the user name."""
    account = user.get_username() if user is not None else ""
    name = getattr(user, "display_name", "") or (
        user.get_full_name() if hasattr(user, "get_full_name") else ""
    )
    return (name or account or "không rõ", account)


def watermark(user: Any, when: datetime | None = None) -> str:
    """ "Trích xuất bởi <tên> (<tài khoản>) lúc <dd/mm/yyyy HH:MM>": the line every export
    and downloaded document carries (issue 9)."""
    at = timezone.localtime(when)
    name, account = user_names(user)
    return f"Trích xuất bởi {name} ({account}) lúc {at:%d/%m/%Y %H:%M}"


def stamp_sheet(ws: Any, text: str) -> None:
    """Print ``text`` in the header and the footer of every printed page of ``ws``."""
    text = _ILLEGAL.sub("", text).replace("&", "&&")  # "&" starts an Excel header code
    ws.oddHeader.right.text = text
    ws.oddHeader.right.size = 8
    ws.oddFooter.left.text = text
    ws.oddFooter.left.size = 8
    ws.oddFooter.right.text = "Trang &P/&N"
    ws.oddFooter.right.size = 8


def export_path(user: Any, node: Any = None) -> str:
    """The organisation path an export's rows lie under: the node filtered on, else the
    deepest node above all of the user's scope ("" for the whole country)."""
    if node is not None:
        return str(node.path)
    from dangvien.organisations.models import SEGMENT
    from dangvien.organisations.queries import scope_paths

    paths = scope_paths(user)
    if not paths:
        return ""
    common = paths[0]
    for path in paths[1:]:
        while not path.startswith(common):
            common = common[:-SEGMENT]
    return common


class _Counted:
    """Rows passed through, counted (the access log records how many left)."""

    def __init__(self, rows: Iterable[Any]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[Any]:
        for row in self.rows:
            self.count += 1
            yield row


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
    """The file of ``rows`` (all of them) in ``fmt`` with ``columns``, watermarked, and
    its access-log row.

    ``node`` is the organisation the page is filtered on (else the user's scope is named);
    ``filters`` the (label, value) pairs of the page's filters, empty ones left out.
    """
    from dangvien.auditlog.access import log_access
    from dangvien.auditlog.models import AccessKind

    now = timezone.localtime()
    user = request.user
    name, account = user_names(user)
    header = [
        title,
        f"Đơn vị: {node.name if node is not None else scope_name(user)}",
        "Lọc: " + ("; ".join(f"{k}: {v}" for k, v in describe_filters(filters)) or "không"),
        f"Trích xuất lúc {now:%H:%M} ngày {now:%d/%m/%Y} bởi {name} ({account})",
    ]
    records = _Counted(_iterate(rows))
    if fmt == "csv":
        body = csv_bytes(records, columns)
        content_type = "text/csv; charset=utf-8"
    else:
        body = xlsx_bytes(records, columns, header=header, sheet=title, stamp=watermark(user, now))
        content_type = XLSX_TYPE
    log_access(
        request,
        kind=AccessKind.EXPORT,
        what=f"{title} ({fmt})",
        org_path=export_path(user, node),
        rows=records.count,
    )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = _disposition(title, now, fmt, account)
    response["Cache-Control"] = "no-store"
    return response


def send(
    request: HttpRequest,
    content: bytes,
    *,
    content_type: str,
    title: str,
    fmt: str,
    rows: int | None = None,
    node: Any = None,
    org_path: str | None = None,
    kind: str = "export",
    person: Any = None,
    inline: bool = False,
) -> HttpResponse:
    """A file of personal data built by its own page rather than ``respond`` (the monthly
    probation report, an exam round's results, a printed certificate): the same
    access-log row, ``no-store``, and the account and time in the file name (issue 9).
    The caller stamps the content itself (``stamp_sheet``, a PDF footer)."""
    from dangvien.auditlog.access import log_access

    now = timezone.localtime()
    _name, account = user_names(request.user)
    log_access(
        request,
        kind=kind,
        what=f"{title} ({fmt})",
        org_path=org_path if org_path is not None else export_path(request.user, node),
        rows=rows,
        person=person,
    )
    response = HttpResponse(content, content_type=content_type)
    disposition = _disposition(title, now, fmt, account)
    response["Content-Disposition"] = (
        disposition.replace("attachment;", "inline;", 1) if inline else disposition
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _iterate(rows: Iterable[Any]) -> Iterable[Any]:
    if isinstance(rows, QuerySet):
        return rows.iterator(chunk_size=CHUNK)
    return rows


def file_name(title: str, when: datetime, fmt: str, account: str) -> tuple[str, str]:
    """(ASCII name, Vietnamese name) of an export: the list, the time, the account."""
    ascii_name = re.sub(r"[^a-z0-9]+", "-", fold(title)).strip("-") or "danh-sach"
    who = re.sub(r"[^A-Za-z0-9._-]+", "-", account).strip("-.") or "nguoi-dung"
    fallback = f"{ascii_name}_{when:%Y-%m-%d_%H%M}_{who}.{fmt}"
    return fallback, f"{title} {when:%d-%m-%Y %Hh%M} {who}.{fmt}"


def _disposition(title: str, when: datetime, fmt: str, account: str) -> str:
    fallback, name = file_name(title, when, fmt, account)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


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
    rows: Iterable[Any],
    columns: Sequence[Column],
    *,
    header: Sequence[str],
    sheet: str,
    stamp: str = "",
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
    if stamp:
        stamp_sheet(ws, stamp)
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


def sheet_title(title: str, used: set[str]) -> str:
    """A sheet name Excel accepts (31 characters, none of ``[]:*?/\\``), unique in
    ``used`` (which it joins)."""
    base = re.sub(r"[\[\]:*?/\\]", " ", _ILLEGAL.sub("", title))[:28].strip() or "Trang"
    name, number = base, 1
    while name.lower() in used:
        number += 1
        name = f"{base} {number}"
    used.add(name.lower())
    return name


def text_cell(ws: Any, text: str, font: Any = None) -> Any:
    """A write-only cell that is always text (never a formula)."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, _ILLEGAL.sub("", str(text)))
    cell.data_type = "s"
    if font is not None:
        cell.font = font
    return cell


def value_cell(ws: Any, value: Any) -> Any:
    """A write-only cell for ``value`` as the exports write them (dates, numbers, text)."""
    from openpyxl.cell import WriteOnlyCell

    return _xlsx_cell(ws, value, WriteOnlyCell)


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
