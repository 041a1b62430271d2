"""The statistics of record (issue 6 "Statistics of record"; DOMAIN.md §9): the member
structure of a node on a date (``/thong-ke/<org_pk>/co-cau/?on=``), the member flows in a
period (``/thong-ke/<org_pk>/bien-dong/?from=&to=``) and the party organisations
(``/thong-ke/<org_pk>/to-chuc/?on=``). Each shows the node's tables (rows = categories,
columns = number and percentage of the total, as Vietnamese reports lay them out) and the
same figures per direct child, each child linked to its own page with the same filters;
each exports to XLSX and PDF from the same query results (``?format=xlsx|pdf``).

Dates are typed dd/mm/yyyy (``yyyy-mm-dd`` is read too); a bad one answers 400 with a
Vietnamese message next to the filter.
"""

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from dangvien.core.dates import BadDate, parse_day
from dangvien.core.dbrouter import reporting
from dangvien.core.http import AuthedRequest
from dangvien.core.templatetags.vn import phantram, so
from dangvien.organisations.models import Organisation
from dangvien.organisations.queries import units_managed_by
from dangvien.stats.formatting import percent
from dangvien.stats.queries.access import visible_node
from dangvien.stats.queries.achievement import NATION_NAME
from dangvien.stats.queries.flows import LABELS as FLOW_LABELS
from dangvien.stats.queries.flows import LEAVING, FlowFigures, Flows, flows
from dangvien.stats.queries.organisations import (
    FORMS,
    SECTORS,
    UNITS,
    VILLAGES,
    OrganisationStats,
    organisation_stats,
)
from dangvien.stats.queries.structure import (
    OVERVIEW,
    Category,
    NodeFigures,
    Structure,
    national_structure,
    structure,
)
from dangvien.stats.report import Column, Report, Table
from dangvien.stats.views.common import export_or_none, file_slug, page_context

F = TypeVar("F", bound=NodeFigures)

STRUCTURE_HEADING = "Cơ cấu đội ngũ đảng viên"
FLOWS_HEADING = "Biến động đảng viên"
ORGANISATIONS_HEADING = "Thống kê tổ chức đảng"


# ---- dates -----------------------------------------------------------------------------


def day_param(request: AuthedRequest, name: str, default: date, *, label: str) -> tuple[date, str]:
    """``?<name>=`` as a day (the default when absent or blank) and the text to show back."""
    value = request.GET.get(name, "").strip()
    if not value:
        return default, default.strftime("%d/%m/%Y")
    day = parse_day(value, label=label, field=name)
    return day, day.strftime("%d/%m/%Y")


def _bad_date(
    request: AuthedRequest, org: Organisation, tab: str, template: str, error: BadDate, **extra: Any
) -> HttpResponse:
    context = page_context(request, org, tab, exportable=False, error=str(error), **extra)
    context["error_field"] = error.field
    return render(request, template, context, status=400)


def shown_children(children: list[Any]) -> list[Any]:
    """The per-child rows a page shows: none when the node has no child organisation (a
    chi bộ: its only row, its own members, would repeat the node's figures)."""
    return children if any(not c.direct for c in children) else []


def children_table(
    title: str,
    labels: Iterable[str],
    cells: Callable[[F], Iterable[int]],
    node: F,
    children: list[F],
    note: str = "",
) -> Table:
    """The per-child table of a report: a row per child (``cells`` of its figures) and the
    node's figures as the total."""
    return Table(
        title,
        [Column("Tổ chức đảng", width=40), *(Column(label, "int") for label in labels)],
        [[child.label, *cells(child)] for child in children],
        total=["Tổng cộng", *cells(node)],
        note=note,
    )


def _child_url(name: str, child: Organisation, params: dict[str, str]) -> str:
    url = reverse(f"stats:{name}", args=[child.pk])
    kept = {k: v for k, v in params.items() if v}
    return f"{url}?{urlencode(kept)}" if kept else url


# ---- structure -------------------------------------------------------------------------


def _label(category: Category) -> str:
    return f"– trong đó: {category.label}" if category.sub else category.label


def structure_report(result: Structure) -> Report:
    """The structure as a report: the summary, each table, and the per-child tables, from
    the same ``structure`` result as the page."""
    org = result.organisation
    report = Report(
        title=STRUCTURE_HEADING,
        organisation=org.name,
        period=f"Tại ngày {result.on:%d/%m/%Y}",
        filename=f"co-cau-dang-vien-{result.on:%Y%m%d}-{file_slug(org)}",
    )
    share = [Column("Số lượng", "int"), Column("Tỷ lệ so với tổng số", "percent")]
    report.sections.append(
        Table(
            "Tổng hợp",
            [Column("Chỉ tiêu", width=44), *share],
            [[line.category.label, line.count, line.percent] for line in result.summary],
        )
    )
    for dimension, lines in result.tables():
        report.sections.append(
            Table(
                f"Theo {dimension.title.lower()}",
                [Column(dimension.title, width=40), *share],
                [[_label(line.category), line.count, line.percent] for line in lines],
                total=[
                    "Tổng số đảng viên",
                    result.figures.total,
                    100.0 if result.figures.total else None,
                ],
            )
        )
    if shown_children(result.children):
        report.sections.append(_children_table("Theo tổ chức trực thuộc", result, OVERVIEW))
        for dimension in result.dimensions:
            report.sections.append(
                _children_table(
                    f"Theo tổ chức trực thuộc – {dimension.title.lower()}",
                    result,
                    (Category("total", "Tổng số"), *dimension.categories),
                )
            )
    return report


def _children_table(title: str, result: Structure, categories: tuple[Category, ...]) -> Table:
    return children_table(
        title,
        [_label(c) for c in categories],
        lambda figures: [figures[c.column] for c in categories],
        result.figures,
        result.children,
    )


@login_required
@reporting()
def structure_page(request: AuthedRequest, org_pk: int) -> HttpResponse:
    """Cơ cấu đội ngũ đảng viên at ``?on=`` (default today), with the per-child view
    ``?by=`` (a dimension key; the overview by default)."""
    org = visible_node(request.user, org_pk)
    today = timezone.localdate()
    by = request.GET.get("by", "")
    common = {"heading": STRUCTURE_HEADING, "by": by}
    try:
        on, on_text = day_param(request, "on", today, label="Ngày thống kê")
    except BadDate as error:
        on_text = request.GET.get("on", "")
        return _bad_date(
            request, org, "structure", "stats/structure.html", error, on_text=on_text, **common
        )
    result = structure(org, on)
    response = export_or_none(request, lambda: structure_report(result))
    if response is not None:
        return response
    context = page_context(
        request,
        org,
        "structure",
        subtitle=f"Tại ngày {on:%d/%m/%Y}",
        exportable=True,
        **_structure_context(result, on, on_text, today, by),
    )
    return render(request, "stats/structure.html", context)


def _structure_context(
    result: Structure, on: date, on_text: str, today: date, by: str
) -> dict[str, Any]:
    """What ``stats/_structure_body.html`` shows of ``result``: the tables, and the
    per-child view ``by`` (a dimension key, or the overview), each child linked to its
    own page with the same filters."""
    keys = [d.key for d in result.dimensions]
    if by not in keys:
        by = ""
    columns = OVERVIEW if not by else result.dimension(by).categories
    params = {"on": on_text if on != today else "", "by": by}
    link = _child_links("structure", params)
    children = []
    shown = _Shown()
    for child in shown_children(result.children):
        cells = [shown.cell(child[c.column], child.total) for c in columns]
        children.append(
            {
                "figures": child,
                "url": None if child.direct else link(child.organisation),
                "cells": cells,
                "cells_html": _cells_html(cells, shares_first=bool(by), shown=shown),
            }
        )
    return {
        "heading": STRUCTURE_HEADING,
        "by": by,
        "on": on,
        "on_text": on_text,
        "result": result,
        "tables": result.tables(),
        "dimensions": [(d.key, d.title) for d in result.dimensions],
        "columns": [_label(c) for c in columns],
        "children": children,
        "totals": [(result.figures[c.column], result.figures.share(c.column)) for c in columns],
    }


def _child_links(name: str, params: dict[str, str]) -> Callable[[Organisation], str]:
    """``_child_url`` for many children: the URL reversed and the query encoded once."""
    sentinel = 2_147_483_647
    address = reverse(f"stats:{name}", args=[sentinel])
    kept = {k: v for k, v in params.items() if v}
    query = f"?{urlencode(kept)}" if kept else ""
    return lambda child: address.replace(str(sentinel), str(child.pk)) + query


class _Shown:
    """The figures of a per-child table as the template would show them: the share of a
    count (``formatting.percent``), ``so`` and ``phantram`` (escaped), each remembered per
    value: a province's table repeats the same few thousand values."""

    def __init__(self) -> None:
        self.counts: dict[int, str] = {}
        self.shares: dict[float | None, str] = {}
        self.parts: dict[tuple[int, int], float | None] = {}

    def cell(self, count: int, total: int) -> tuple[int, float | None]:
        """The count and its share of ``total`` (``Figures.share``)."""
        if (count, total) not in self.parts:
            self.parts[(count, total)] = percent(count, total)
        return count, self.parts[(count, total)]

    def count(self, value: int) -> str:
        if value not in self.counts:
            self.counts[value] = escape(so(value))
        return self.counts[value]

    def share(self, value: float | None) -> str:
        if value not in self.shares:
            self.shares[value] = escape(phantram(value))
        return self.shares[value]


def _cells_html(
    cells: list[tuple[int, float | None]], *, shares_first: bool, shown: _Shown
) -> SafeString:
    """The cells of one child row, each count with its share below it (not under the first
    column of the overview, the total): built here rather than in the template, whose loop
    took most of a province's page time for its few hundred rows (issue 9). The same HTML
    as ``<td class="num">{{ count|so }}<div class="muted small">{{ share|phantram }}</div>
    </td>``."""
    html = []
    for i, (count, part) in enumerate(cells):
        below = f'<div class="muted small">{shown.share(part)}</div>' if shares_first or i else ""
        html.append(f'<td class="num">{shown.count(count)}{below}</td>')
    return mark_safe("".join(html))  # every value is escaped above


@login_required
@reporting()
def national_structure_page(request: AuthedRequest) -> HttpResponse:
    """``/thong-ke/toan-quoc/co-cau/``: the member structure of every top node of the
    user's scope side by side, with their total (issue 9: the statistics "for the whole
    nation"; ``queries.structure.national_structure``). For the central organisation
    board, whose roles sit on every province, that is the whole country (titled "Toàn
    quốc"); a user with one top node is sent to its own structure page."""
    tops = list(units_managed_by(request.user))
    if not tops:
        raise Http404("Bạn chưa được phân công theo dõi tổ chức đảng nào.")
    if len(tops) == 1:
        url = reverse("stats:structure", args=[tops[0].pk])
        query = request.GET.urlencode()
        return redirect(f"{url}?{query}" if query else url)
    whole = len(tops) == Organisation.objects.filter(parent__isnull=True).count()
    name = NATION_NAME if whole else "Các đơn vị được phân công"
    today = timezone.localdate()
    by = request.GET.get("by", "")
    params = request.GET.copy()
    params.pop("format", None)
    context: dict[str, Any] = {"nav": "stats", "query": params.urlencode(), "today": today}
    try:
        on, on_text = day_param(request, "on", today, label="Ngày thống kê")
    except BadDate as error:
        context.update(
            org=Organisation(name=name),
            heading=STRUCTURE_HEADING,
            by=by,
            on_text=request.GET.get("on", ""),
            error=str(error),
            error_field=error.field,
        )
        return render(request, "stats/national_structure.html", context, status=400)
    result = national_structure(tops, on)
    result.organisation.name = name
    response = export_or_none(request, lambda: structure_report(result))
    if response is not None:
        return response
    context.update(
        org=result.organisation,
        subtitle=f"Tại ngày {on:%d/%m/%Y}",
        exportable=True,
        **_structure_context(result, on, on_text, today, by),
    )
    return render(request, "stats/national_structure.html", context)


# ---- flows -----------------------------------------------------------------------------


def balance_rows(figures: FlowFigures, flows_result: Flows) -> list[tuple[str, int | None, bool]]:
    """The balance as a report lists it: (label, number, is a heading/total line)."""
    rows: list[tuple[str, int | None, bool]] = [
        (
            f"{FLOW_LABELS['at_start']} (hết ngày {flows_result.start_day:%d/%m/%Y})",
            figures.at_start,
            True,
        ),
        ("Tăng trong kỳ", figures.increase, True),
        (FLOW_LABELS["joined"], figures.joined, False),
        (FLOW_LABELS["transferred_in"], figures.transferred_in, False),
        ("Giảm trong kỳ", figures.decrease, True),
        *((FLOW_LABELS[column], figures[column], False) for column, _status in LEAVING),
    ]
    if figures["left_other"]:
        rows.append((FLOW_LABELS["left_other"], figures["left_other"], False))
    rows.append((FLOW_LABELS["transferred_out"], figures.transferred_out, False))
    if figures["transferred_out_of_system"]:
        rows.append(
            (
                f"– {FLOW_LABELS['transferred_out_of_system']}",
                figures["transferred_out_of_system"],
                False,
            )
        )
    rows.append(
        (
            f"{FLOW_LABELS['at_end']} (hết ngày {flows_result.end:%d/%m/%Y})",
            figures.at_end,
            True,
        )
    )
    return rows


def balance_text(figures: FlowFigures) -> str:
    """ "Đầu kỳ + tăng − giảm = cuối kỳ" with the numbers, as the page and the report say it."""

    def n(value: int) -> str:
        return f"{value:,}".replace(",", ".")

    check = "khớp" if figures.balanced else f"KHÔNG khớp: tính ra {n(figures.expected_end)}"
    return (
        f"Đầu kỳ {n(figures.at_start)} + tăng {n(figures.increase)} − giảm "
        f"{n(figures.decrease)} = cuối kỳ {n(figures.at_end)} ({check})."
    )


FLOW_CHILD_COLUMNS: tuple[tuple[str, str], ...] = (
    ("at_start", "Đầu kỳ"),
    ("joined", "Kết nạp (lễ)"),
    ("transferred_in", "Chuyển đến"),
    ("left", "Ra khỏi danh sách"),
    ("transferred_out", "Chuyển đi"),
    ("at_end", "Cuối kỳ"),
    ("admitted", "Quyết định kết nạp"),
    ("recognised", "Công nhận chính thức"),
)


def flow_cells(figures: FlowFigures) -> list[int]:
    values = {
        "left": figures.left,
        "admitted": figures.admitted_total,
    }
    return [values[key] if key in values else figures[key] for key, _label in FLOW_CHILD_COLUMNS]


def period_text(start: date, end: date) -> str:
    return f"Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}"


def flows_report(result: Flows) -> Report:
    org = result.organisation
    figures = result.figures
    report = Report(
        title=FLOWS_HEADING,
        organisation=org.name,
        period=period_text(result.start, result.end),
        filename=f"bien-dong-dang-vien-{result.start:%Y%m%d}-{result.end:%Y%m%d}-{file_slug(org)}",
    )
    report.sections.append(
        Table(
            "Cân đối đảng viên trong kỳ",
            [Column("Chỉ tiêu", width=50), Column("Số lượng", "int")],
            [[label, value] for label, value, _heading in balance_rows(figures, result)],
            note=balance_text(figures),
        )
    )
    report.sections.append(
        Table(
            "Kết nạp đảng viên trong kỳ (theo ngày quyết định)",
            [
                Column("Đối tượng", width=44),
                Column("Số lượng", "int"),
                Column("Tỷ lệ so với tổng số kết nạp", "percent"),
            ],
            [[label, count, share] for _key, label, count, share in result.breakdown()],
            total=["Tổng số kết nạp", figures.admitted_total, None],
        )
    )
    report.sections.append(
        Table(
            "Công nhận đảng viên chính thức",
            [Column("Chỉ tiêu", width=44), Column("Số lượng", "int")],
            [[FLOW_LABELS["recognised"], figures.recognised]],
        )
    )
    if shown_children(result.children):
        report.sections.append(
            children_table(
                "Theo tổ chức trực thuộc",
                [label for _key, label in FLOW_CHILD_COLUMNS],
                flow_cells,
                figures,
                result.children,
                note="Chuyển đến, chuyển đi của từng đơn vị tính theo ranh giới của đơn vị đó: "
                "chuyển giữa hai đơn vị trực thuộc là chuyển đi của đơn vị này và chuyển đến "
                "của đơn vị kia, không phải biến động của cấp trên.",
            )
        )
    return report


@login_required
@reporting()
def flows_page(request: AuthedRequest, org_pk: int) -> HttpResponse:
    """Biến động đảng viên from ``?from=`` to ``?to=`` (default: this year to today)."""
    org = visible_node(request.user, org_pk)
    today = timezone.localdate()
    common: dict[str, Any] = {"heading": FLOWS_HEADING}
    try:
        start, from_text = day_param(request, "from", date(today.year, 1, 1), label="Từ ngày")
        end, to_text = day_param(request, "to", today, label="Đến ngày")
        if end < start:
            raise BadDate(
                f"Đến ngày ({end:%d/%m/%Y}) trước từ ngày ({start:%d/%m/%Y}): "
                "chọn lại kỳ thống kê.",
                "to",
            )
    except BadDate as error:
        return _bad_date(
            request,
            org,
            "flows",
            "stats/flows.html",
            error,
            from_text=request.GET.get("from", ""),
            to_text=request.GET.get("to", ""),
            **common,
        )
    result = flows(org, start, end)
    response = export_or_none(request, lambda: flows_report(result))
    if response is not None:
        return response
    params = {
        "from": from_text if request.GET.get("from", "").strip() else "",
        "to": to_text if request.GET.get("to", "").strip() else "",
    }
    context = page_context(
        request,
        org,
        "flows",
        subtitle=period_text(start, end),
        exportable=True,
        start=start,
        end=end,
        from_text=from_text,
        to_text=to_text,
        result=result,
        balance=balance_rows(result.figures, result),
        balance_text=balance_text(result.figures),
        breakdown=result.breakdown(),
        columns=[label for _key, label in FLOW_CHILD_COLUMNS],
        children=[
            {
                "figures": child,
                "url": None if child.direct else _child_url("flows", child.organisation, params),
                "cells": flow_cells(child),
            }
            for child in shown_children(result.children)
        ],
        totals=flow_cells(result.figures),
        **common,
    )
    return render(request, "stats/flows.html", context)


# ---- organisations ---------------------------------------------------------------------


ORG_CHILD_COLUMNS: tuple[tuple[str, str], ...] = (
    ("grassroots", "Tổ chức cơ sở đảng"),
    ("form:grassroots_committee", "Đảng bộ cơ sở"),
    ("form:grassroots_branch", "Chi bộ cơ sở"),
    ("sub_committees", "Đảng bộ bộ phận"),
    ("branches", "Chi bộ trực thuộc"),
    ("villages", "Thôn, tổ dân phố"),
    ("villages_without_members", "Chưa có đảng viên"),
    ("shared_branches", "Chi bộ ghép"),
)


def organisation_tables(result: OrganisationStats) -> list[dict[str, Any]]:
    """The node's tables: (title, the column header, rows (label, count, % or None))."""
    return [
        {
            "title": "Tổ chức cơ sở đảng theo loại hình",
            "header": "Loại hình",
            "rows": result.rows(SECTORS, "grassroots"),
            "total": ("Tổng số tổ chức cơ sở đảng", result.figures["grassroots"]),
        },
        {
            "title": "Tổ chức cơ sở đảng theo hình thức",
            "header": "Hình thức",
            "rows": result.rows(FORMS, "grassroots"),
            "total": ("Tổng số tổ chức cơ sở đảng", result.figures["grassroots"]),
        },
        {
            "title": "Tổ chức đảng",
            "header": "Loại tổ chức",
            "rows": result.rows(UNITS),
            "total": None,
        },
        {
            "title": "Thôn, tổ dân phố",
            "header": "Chỉ tiêu",
            "rows": [
                (
                    c,
                    label,
                    n,
                    result.figures.share(c, "villages")
                    if c != "villages" and c != "shared_branches"
                    else None,
                )
                for c, label, n, _p in result.rows(VILLAGES)
            ],
            "total": None,
        },
    ]


def organisations_report(result: OrganisationStats) -> Report:
    org = result.organisation
    report = Report(
        title=ORGANISATIONS_HEADING,
        organisation=org.name,
        period=f"Tại ngày {result.on:%d/%m/%Y}",
        filename=f"to-chuc-dang-{result.on:%Y%m%d}-{file_slug(org)}",
    )
    for table in organisation_tables(result):
        report.sections.append(
            Table(
                table["title"],
                [
                    Column(table["header"], width=50),
                    Column("Số lượng", "int"),
                    Column("Tỷ lệ", "percent"),
                ],
                [[label, n, share] for _c, label, n, share in table["rows"]],
                total=[table["total"][0], table["total"][1], None] if table["total"] else None,
            )
        )
    if shown_children(result.children):
        report.sections.append(
            children_table(
                "Theo tổ chức trực thuộc",
                [label for _c, label in ORG_CHILD_COLUMNS],
                lambda figures: [figures[c] for c, _l in ORG_CHILD_COLUMNS],
                result.figures,
                result.children,
                note="Thôn, tổ dân phố chưa có đảng viên: không có đảng viên nào (tại ngày "
                "thống kê) ghi nơi ở tại thôn, tổ dân phố đó.",
            )
        )
    return report


@login_required
@reporting()
def organisations_page(request: AuthedRequest, org_pk: int) -> HttpResponse:
    """Thống kê tổ chức đảng at ``?on=`` (default today)."""
    org = visible_node(request.user, org_pk)
    today = timezone.localdate()
    common: dict[str, Any] = {"heading": ORGANISATIONS_HEADING}
    try:
        on, on_text = day_param(request, "on", today, label="Ngày thống kê")
    except BadDate as error:
        return _bad_date(
            request,
            org,
            "organisations",
            "stats/organisations.html",
            error,
            on_text=request.GET.get("on", ""),
            **common,
        )
    result = organisation_stats(org, on)
    response = export_or_none(request, lambda: organisations_report(result))
    if response is not None:
        return response
    params = {"on": on_text if on != today else ""}
    context = page_context(
        request,
        org,
        "organisations",
        subtitle=f"Tại ngày {on:%d/%m/%Y}",
        exportable=True,
        on=on,
        on_text=on_text,
        result=result,
        tables=organisation_tables(result),
        columns=[label for _c, label in ORG_CHILD_COLUMNS],
        children=[
            {
                "figures": child,
                "url": None
                if child.direct
                else _child_url("organisations", child.organisation, params),
                "cells": [child[c] for c, _l in ORG_CHILD_COLUMNS],
            }
            for child in shown_children(result.children)
        ],
        totals=[result.figures[c] for c, _l in ORG_CHILD_COLUMNS],
        **common,
    )
    return render(request, "stats/organisations.html", context)


urlpatterns: list[URLPattern] = [
    path("toan-quoc/co-cau/", national_structure_page, name="national_structure"),
    path("<int:org_pk>/co-cau/", structure_page, name="structure"),
    path("<int:org_pk>/bien-dong/", flows_page, name="flows"),
    path("<int:org_pk>/to-chuc/", organisations_page, name="organisations"),
]
