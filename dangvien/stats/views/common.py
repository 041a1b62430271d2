"""What every statistics page shares: the node, its breadcrumb within the user's scope,
the area's tabs, the year choices, and the export answer."""

import re
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from dangvien.core.text import fold
from dangvien.organisations.models import Organisation
from dangvien.organisations.queries import ancestors, path_within
from dangvien.stats.report import Report, download, requested_format

# (URL name in the ``stats`` namespace, tab label). A tab whose page does not exist yet is
# left out, so the areas can land one by one.
TABS = (
    ("dashboard", "Kết quả kết nạp"),
    ("targets", "Giao chỉ tiêu"),
    ("funnel", "Phễu phát triển"),
    ("surveys", "Khảo sát nguồn"),
    ("structure", "Cơ cấu đảng viên"),
    ("flows", "Biến động"),
    ("organisations", "Tổ chức đảng"),
    ("quality", "Xếp loại chất lượng"),  # issue 7
    ("screening", "Rà soát, sàng lọc"),
)


def tabs(org: Organisation, current: str) -> list[dict[str, Any]]:
    items = []
    for name, label in TABS:
        try:
            url = reverse(f"stats:{name}", args=[org.pk])
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "current": name == current})
    return items


def breadcrumb(request: HttpRequest, org: Organisation) -> list[Organisation]:
    """The node's ancestors the user may see, root first (the node itself excluded)."""
    return [a for a in ancestors(org) if path_within(a.path, request.user)]  # type: ignore[arg-type]


def year_param(request: HttpRequest) -> int:
    """``?year=``, or this year. An unreadable or out-of-range year falls back to this
    year, and the page says so (a message above it)."""
    this_year = timezone.localdate().year
    raw = request.GET.get("year", "").strip()
    if not raw:
        return this_year
    try:
        year = int(raw)
    except ValueError:
        year = 0
    if 2000 <= year <= this_year + 1:
        return year
    if not getattr(request, "_year_warned", False):
        messages.warning(
            request,
            f"Năm “{raw[:10]}” không hợp lệ (từ 2000 đến {this_year + 1}): "
            f"hiển thị năm {this_year}.",
        )
        request._year_warned = True  # type: ignore[attr-defined]
    return this_year


def year_choices() -> list[int]:
    this_year = timezone.localdate().year
    return list(range(this_year + 1, this_year - 10, -1))


def page_context(request: HttpRequest, org: Organisation, tab: str, **extra: Any) -> dict[str, Any]:
    """The context every statistics page starts from (``stats/_head.html`` reads it)."""
    params = request.GET.copy()
    for key in ("format", "page"):
        params.pop(key, None)
    return {
        "nav": "stats",
        "query": params.urlencode(),  # the filters, kept across tabs, breadcrumb and exports
        "org": org,
        "crumbs": breadcrumb(request, org),
        "tabs": tabs(org, tab),
        "tab": tab,
        "today": timezone.localdate(),
        "years": year_choices(),
        **extra,
    }


def export_or_none(request: HttpRequest, build: Callable[[], Report]) -> HttpResponse | None:
    """The XLSX/PDF file when ``?format=`` asks for one, else None (show the page)."""
    fmt = requested_format(request)
    if fmt is None:
        return None
    report = build()
    if not report.extracted_by and request.user.is_authenticated:
        report.extracted_by = str(request.user)
    return download(report, fmt)


def file_slug(org: Organisation) -> str:
    """The node's name for a file name: "Tỉnh ủy Hòa Bình (thử)" → "tinh-uy-hoa-binh-thu"."""
    return re.sub(r"[^a-z0-9]+", "-", fold(org.name)).strip("-")[:60] or str(org.pk)
