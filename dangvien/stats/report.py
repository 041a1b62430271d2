"""One description of a statistics page, rendered as XLSX or PDF (issue 6: "export of
every dashboard and statistics table to XLSX (formatted, with the node, period and date of
extraction in the header) and to PDF").

A view builds a ``Report`` from the same query results it shows, then
``download(report, fmt)`` answers the file. The renderers live in ``stats.exports``.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

# How a column's values are written: "percent" values are numbers already rounded to one
# decimal (30.7), shown "30,7%" in PDF and as a percentage-formatted cell in XLSX.
Kind = Literal["text", "int", "percent", "decimal", "date"]
FORMATS = ("xlsx", "pdf")


@dataclass
class Column:
    title: str
    kind: Kind = "text"
    width: int | None = None  # characters; the renderer picks one when None


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    total: list[Any] | None = None  # a bold last row ("Tổng cộng")
    highlight: list[bool] | None = None  # rows to mark (e.g. behind the pro-rata pace)
    note: str = ""  # a line under the table (definitions, sources)


@dataclass
class Chart:
    title: str
    svg: str  # a complete <svg> document from stats.charts


@dataclass
class Text:
    title: str
    body: str


Section = Table | Chart | Text


@dataclass
class Report:
    title: str  # e.g. "Kết quả thực hiện chỉ tiêu kết nạp đảng viên"
    organisation: str  # the node's name
    period: str  # e.g. "Năm 2026", "Quý III/2026", "Tại ngày 30/09/2026"
    filename: str  # without extension, ASCII (e.g. "chi-tieu-2026-tinh-hoa-binh")
    sections: list[Section] = field(default_factory=list)
    extracted_at: datetime = field(default_factory=timezone.localtime)
    extracted_by: str = ""


def requested_format(request: HttpRequest) -> str | None:
    """``?format=xlsx`` or ``?format=pdf`` on a statistics page asks for the file."""
    fmt = request.GET.get("format", "")
    return fmt if fmt in FORMATS else None


def download(report: Report, fmt: str) -> HttpResponse:
    from dangvien.stats.exports import to_pdf, to_xlsx

    if fmt == "xlsx":
        body, mime = (
            to_xlsx(report),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )
    elif fmt == "pdf":
        body, mime = to_pdf(report), "application/pdf"
    else:
        raise ValueError(fmt)
    response = HttpResponse(body, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="{report.filename}.{fmt}"'
    return response
