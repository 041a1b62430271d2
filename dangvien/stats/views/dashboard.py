"""The achievement dashboard of a node (``/thong-ke/<org_pk>/``) and the people behind each
of its numbers (``/thong-ke/<org_pk>/ket-nap/``). Issue 6 "Dashboards": target vs achieved
per child, sortable, the children behind the pro-rata pace highlighted, drill down to a
branch and to the people behind each number; charts of the monthly admissions against the
pro-rata line and of the achievement per child; exports to XLSX and PDF.

``/thong-ke/`` itself opens the user's home node.
"""

from calendar import monthrange
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.http import urlencode

from dangvien.core.dbrouter import reporting
from dangvien.core.http import AuthedRequest
from dangvien.core.text import is_number
from dangvien.organisations.models import Organisation
from dangvien.organisations.queries import units_managed_by
from dangvien.stats import charts
from dangvien.stats.formatting import percent_text
from dangvien.stats.queries import facts
from dangvien.stats.queries.access import home_node, visible_node
from dangvien.stats.queries.achievement import (
    SORT_KEYS,
    Achievement,
    achievement,
    national,
    same_day_last_year,
    sort_children,
    year_day,
)
from dangvien.stats.report import Chart, Column, Report, Table, Text
from dangvien.stats.views.common import (
    export_or_none,
    file_slug,
    page_context,
    year_choices,
    year_param,
)

HEADING = "Kết quả thực hiện chỉ tiêu kết nạp đảng viên"
PEOPLE_HEADING = "Danh sách kết nạp đảng viên"
PAGE_SIZE = 50
SORT_LABELS = {
    "name": "Tổ chức đảng",
    "target": "Chỉ tiêu",
    "admitted": "Đã kết nạp",
    "percent": "Tỷ lệ",
    "pace": "So với tiến độ",
}


def _n(value: int | float | None) -> str:
    """1318 → "1.318"; a pro-rata 62.5 → "63" (half up); None → "—"."""
    if value is None:
        return "—"
    whole = int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return f"{whole:,}".replace(",", ".")


def period_text(result: Achievement) -> str:
    if result.on >= date(result.year, 12, 31):
        return f"Năm {result.year}"
    return f"Năm {result.year} (số liệu đến ngày {result.on:%d/%m/%Y})"


def _link(name: str) -> Callable[[int], str]:
    """The URL of ``stats:<name>`` for any node: ``reverse`` once, then the node's pk put in
    (a province's dashboard has three links for each of its 80-odd children)."""
    sentinel = "987654321"
    pattern = reverse(f"stats:{name}", args=[int(sentinel)])
    return lambda pk: pattern.replace(sentinel, str(pk))


def last_year_query(result: Achievement) -> str:
    """The people list's filters behind "the same period last year"."""
    return f"year={result.year - 1}&until={same_day_last_year(result.on).isoformat()}"


def child_rows(children: list[Achievement], year: int) -> list[dict[str, Any]]:
    """The children table's rows: each child's figures and its links (drill down, people
    behind this year's count and behind last year's to the same day)."""
    dashboard_of, people_of = _link("dashboard"), _link("admissions")
    return [
        {
            "a": c,
            "url": f"{dashboard_of(c.organisation.pk)}?year={year}",
            "people": f"{people_of(c.organisation.pk)}?year={year}",
            "people_last_year": f"{people_of(c.organisation.pk)}?{last_year_query(c)}",
        }
        for c in children
    ]


def _year_share(result: Achievement) -> float:
    """The share of the year elapsed on ``result.on``, in percent (the pro-rata mark)."""
    start, end = date(result.year, 1, 1), date(result.year, 12, 31)
    days = (end - start).days + 1
    elapsed = max(0, min(days, (result.on - start).days + 1))
    return 100 * elapsed / days


# ---- charts (helper E's stats.charts) ----------------------------------------------------


def monthly_chart(result: Achievement) -> str:
    return charts.monthly_admissions(
        result.per_month,
        result.target,
        result.year,
        result.on,  # 31/12 of the year before for a year not begun: nothing drawn
        last_year=result.last_year_per_month,
    )


def children_chart(children: list[Achievement], result: Achievement) -> str:
    items = [
        charts.BarItem(
            label=c.organisation.name, value=c.admitted, target=c.target, highlight=c.behind
        )
        for c in children
    ]
    return charts.achievement_bars(items, pace=_year_share(result) if items else None)


# ---- export ----------------------------------------------------------------------------


def kpi_rows(result: Achievement) -> list[list[str]]:
    """The KPI tiles as label and text, as the page shows them."""
    return [
        ["Chỉ tiêu", _n(result.target) if result.target is not None else "Chưa giao"],
        ["Đã kết nạp", _n(result.admitted)],
        ["Tỷ lệ thực hiện", percent_text(result.percent)],
        ["Cùng kỳ năm trước", _n(result.last_year_to_date)],
        [f"Cả năm {result.year - 1}", _n(result.last_year_admitted)],
        ["Dự báo cả năm", _n(result.projected)],
        ["Tiến độ bình quân đến hôm nay", _n(result.expected_by_now)],
        ["So với tiến độ bình quân", percent_text(result.pace)],
    ]


def build_report(
    result: Achievement, children: list[Achievement], charts_svg: dict[str, str]
) -> Report:
    """The dashboard as a report: the KPIs, the breakdowns, the children (those behind the
    pace highlighted) and both charts, from the same ``achievement`` result as the page."""
    org = result.organisation
    report = Report(
        title=HEADING,
        organisation=org.name,
        period=period_text(result),
        filename=f"ket-qua-ket-nap-{result.year}-{file_slug(org)}",
    )
    report.sections.append(
        Table(
            title="Tổng hợp",
            columns=[Column("Chỉ số", width=34), Column("Giá trị", width=16)],
            rows=kpi_rows(result),
            note="Tiến độ bình quân: chỉ tiêu × số ngày đã qua / số ngày trong năm. Dự báo: "
            "theo mùa vụ năm trước khi cùng kỳ năm trước đủ lớn, nếu không thì tuyến tính theo "
            "số ngày.",
        )
    )
    if result.breakdown:  # the country's page counts without breakdowns
        report.sections.append(
            Table(
                title="Chỉ tiêu cụ thể",
                columns=[
                    Column("Đối tượng", width=36),
                    Column("Chỉ tiêu", "int"),
                    Column("Đã kết nạp", "int"),
                    Column("Tỷ lệ", "percent"),
                ],
                rows=[
                    [p.label, p.target, p.admitted, p.percent] for p in result.breakdown.values()
                ],
            )
        )
    if charts_svg.get("monthly"):
        report.sections.append(Chart("Kết nạp lũy kế theo tháng", charts_svg["monthly"]))
    if children:
        report.sections.append(
            Table(
                title="Kết quả theo tổ chức trực thuộc",
                columns=[
                    Column("Tổ chức đảng", width=40),
                    Column("Chỉ tiêu", "int"),
                    Column("Đã kết nạp", "int"),
                    Column("Tỷ lệ", "percent"),
                    Column("So với tiến độ", "percent"),
                    Column("Cùng kỳ năm trước", "int"),
                    Column("Dự báo cả năm", "int"),
                    Column("Tình trạng"),
                ],
                rows=[
                    [
                        c.organisation.name,
                        c.target,
                        c.admitted,
                        c.percent,
                        c.pace,
                        c.last_year_to_date,
                        c.projected,
                        "Chậm tiến độ" if c.behind else "",
                    ]
                    for c in children
                ],
                total=[
                    org.name if org.pk is None else f"Toàn {org.name}",  # the nation: its name
                    result.target,
                    result.admitted,
                    result.percent,
                    result.pace,
                    result.last_year_to_date,
                    result.projected,
                    "Chậm tiến độ" if result.behind else "",
                ],
                highlight=[c.behind for c in children],
                note="Chậm tiến độ: số kết nạp dưới mức cảnh báo của tiến độ bình quân theo "
                "thời gian trong năm.",
            )
        )
        if charts_svg.get("children"):
            report.sections.append(Chart("Tỷ lệ thực hiện theo đơn vị", charts_svg["children"]))
    else:
        report.sections.append(Text("Tổ chức trực thuộc", "Không có tổ chức trực thuộc."))
    return report


# ---- pages -----------------------------------------------------------------------------


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    """``/thong-ke/``: the dashboard of the user's home node (the top of their scope), or
    the page of all their top nodes when they follow several trees (the central board)."""
    node = home_node(request.user)
    if node is None:
        raise Http404("Bạn chưa được phân công theo dõi tổ chức đảng nào.")
    several = units_managed_by(request.user)[:2].count() > 1
    url = reverse("stats:national") if several else reverse("stats:dashboard", args=[node.pk])
    return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)


@login_required
@reporting()
def national_page(request: AuthedRequest) -> HttpResponse:
    """``/thong-ke/toan-quoc/``: the achievement of every top node of the user's scope side
    by side, with their total (issue 9: "achievement dashboard ... for the whole nation").
    For the central organisation board, whose roles sit on every province, that is the
    whole country; a user with one top node is sent to its dashboard."""
    tops = list(units_managed_by(request.user))
    if not tops:
        raise Http404("Bạn chưa được phân công theo dõi tổ chức đảng nào.")
    year = year_param(request)
    if len(tops) == 1:
        return redirect(f"{reverse('stats:dashboard', args=[tops[0].pk])}?year={year}")
    sort, direction = _sort_params(request)
    result = national(tops, year)
    whole = len(tops) == Organisation.objects.filter(parent__isnull=True).count()
    if not whole:
        result.organisation.name = "Các đơn vị được phân công"
    children = sort_children(result.children, sort, direction == "desc")
    svg = {
        "monthly": monthly_chart(result),
        "children": children_chart(children, result) if children else "",
    }
    response = export_or_none(request, lambda: build_report(result, children, svg))
    if response is not None:
        return response
    missing = [c.organisation.name for c in result.children if c.target is None]
    context = {
        "nav": "stats",
        "org": result.organisation,
        "heading": HEADING,
        "subtitle": period_text(result),
        "years": year_choices(),
        "year": year,
        "result": result,
        "children": child_rows(children, year),
        "headers": sort_headers(year, sort, direction),
        "sort": sort,
        "direction": direction,
        "months": [
            {"month": m, "count": n, "future": date(year, m, 1) > result.on}
            for m, n in enumerate(result.per_month, start=1)
        ],
        "expected_text": _n(result.expected_by_now),
        "children_svg": svg["children"],
        "query": f"year={year}&sort={sort}&dir={direction}",
        "missing_targets": missing,
        "warning_note": (
            "Chậm tiến độ: số kết nạp dưới mức cảnh báo so với tiến độ bình quân theo thời "
            "gian trong năm (tham số targets.pace_warning_percent)."
        ),
    }
    return render(request, "stats/national.html", context)


def _sort_params(request: AuthedRequest) -> tuple[str, str]:
    sort = request.GET.get("sort", "name")
    if sort not in SORT_KEYS:
        sort = "name"
    direction = "desc" if request.GET.get("dir") == "desc" else "asc"
    return sort, direction


def sort_headers(year: int, sort: str, direction: str) -> list[dict[str, Any]]:
    """The children table's sortable headers: a link per column, keeping the year; the
    current column's link reverses the direction."""
    headers = []
    for key, label in SORT_LABELS.items():
        current = key == sort
        next_dir = ("desc" if direction == "asc" else "asc") if current else "asc"
        headers.append(
            {
                "key": key,
                "label": label,
                "url": "?" + urlencode([("year", year), ("sort", key), ("dir", next_dir)]),
                "current": current,
                "aria": ("ascending" if direction == "asc" else "descending") if current else "",
                "num": key != "name",
            }
        )
    return headers


@login_required
@reporting()
def dashboard(request: AuthedRequest, org_pk: int) -> HttpResponse:
    org = visible_node(request.user, org_pk)
    year = year_param(request)
    sort, direction = _sort_params(request)
    result = achievement(org, year)
    children = sort_children(result.children, sort, direction == "desc")
    svg = {
        "monthly": monthly_chart(result),
        "children": children_chart(children, result) if children else "",
    }
    response = export_or_none(request, lambda: build_report(result, children, svg))
    if response is not None:
        return response
    months = [
        {"month": m, "count": n, "future": date(year, m, 1) > result.on}
        for m, n in enumerate(result.per_month, start=1)
    ]
    context = page_context(
        request,
        org,
        "dashboard",
        heading=HEADING,
        subtitle=period_text(result),
        exportable=True,
        year=year,
        result=result,
        children=child_rows(children, year),
        headers=sort_headers(year, sort, direction),
        sort=sort,
        direction=direction,
        months=months,
        expected_text=_n(result.expected_by_now),
        last_year_query=last_year_query(result),
        monthly_svg=svg["monthly"],
        children_svg=svg["children"],
        warning_note=(
            "Chậm tiến độ: số kết nạp dưới mức cảnh báo so với tiến độ bình quân theo thời "
            "gian trong năm (tham số targets.pace_warning_percent)."
        ),
    )
    return render(request, "stats/dashboard.html", context)


def _month_param(request: AuthedRequest) -> int | None:
    value = request.GET.get("month", "")
    return int(value) if is_number(value) and 1 <= int(value) <= 12 else None


def _until_param(request: AuthedRequest) -> date | None:
    """``?until=YYYY-MM-DD``: the list stops that day (last year "to the same day")."""
    try:
        return date.fromisoformat(request.GET.get("until", ""))
    except ValueError:
        return None


def people_period(year: int, month: int | None, until: date | None = None) -> tuple[date, date]:
    """The days the people list covers: the year (or one month of it) up to the day the
    year's figures are taken at, or ``until`` if earlier (the end falls before the start
    for a month to come)."""
    if month is None:
        start, end = date(year, 1, 1), date(year, 12, 31)
    else:
        start, end = date(year, month, 1), date(year, month, monthrange(year, month)[1])
    end = min(end, year_day(year))
    return start, min(end, until) if until is not None else end


def people_title(year: int, month: int | None, breakdown: str | None) -> str:
    when = f"tháng {month}/{year}" if month else f"năm {year}"
    what = f" – {facts.BREAKDOWN_LABELS[breakdown]}" if breakdown else ""
    return f"Đảng viên được kết nạp {when}{what}"


def people_report(
    org: Organisation, title: str, period: str, rows: list[facts.AdmissionRow]
) -> Report:
    report = Report(
        title=PEOPLE_HEADING,
        organisation=org.name,
        period=period,
        filename=f"danh-sach-ket-nap-{file_slug(org)}",
    )
    report.sections.append(
        Table(
            title=title,
            columns=[
                Column("STT", "int", 5),
                Column("Họ và tên", width=28),
                Column("Chi bộ", width=30),
                Column("Ngày quyết định", "date"),
                Column("Số quyết định", width=16),
                Column("Thuộc đối tượng", width=40),
            ],
            rows=[
                [
                    i,
                    r.full_name,
                    r.branch_name,
                    r.day,
                    r.number,
                    "; ".join(([("Kết nạp lại")] if r.readmission else []) + r.flag_labels),
                ]
                for i, r in enumerate(rows, start=1)
            ],
            note=f"Tổng số: {_n(len(rows))} người.",
        )
    )
    return report


@login_required
@reporting()
def admissions(request: AuthedRequest, org_pk: int) -> HttpResponse:
    """The people behind a number of the dashboard: ``?year=&month=&breakdown=&until=``."""
    org = visible_node(request.user, org_pk)
    year = year_param(request)
    month = _month_param(request)
    breakdown = request.GET.get("breakdown") or None
    if breakdown not in facts.BREAKDOWN_LABELS:
        breakdown = None
    until = _until_param(request)
    start, end = people_period(year, month, until)
    rows = facts.admission_rows(org.path, start, end, breakdown)
    title = people_title(year, month, breakdown)
    period = f"Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}" if end >= start else title
    response = export_or_none(
        request, lambda: people_report(org, title, period, [facts.readable(r) for r in rows])
    )
    if response is not None:
        return response
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    kept: dict[str, str | int] = {"year": year}
    if month:
        kept["month"] = month
    if breakdown:
        kept["breakdown"] = breakdown
    if until:
        kept["until"] = until.isoformat()
    context = page_context(
        request,
        org,
        "dashboard",
        heading=PEOPLE_HEADING,
        subtitle=f"{title} · {period}" if end >= start else title,
        exportable=True,
        year=year,
        month=month,
        breakdown=breakdown,
        breakdowns=list(facts.BREAKDOWN_LABELS.items()),
        months=range(1, 13),
        page=page,
        people=[facts.readable(r) for r in page.object_list],
        offset=page.start_index() - 1 if page.paginator.count else 0,
        kept=urlencode(kept),
        dashboard_url=reverse("stats:dashboard", args=[org.pk]) + f"?year={year}",
    )
    return render(request, "stats/admissions.html", context)


urlpatterns: list[URLPattern] = [
    path("", home, name="home"),
    path("toan-quoc/", national_page, name="national"),
    path("<int:org_pk>/", dashboard, name="dashboard"),
    path("<int:org_pk>/ket-nap/", admissions, name="admissions"),
]
