"""The pipeline funnel of a node (``/thong-ke/<org_pk>/pheu/``; issue 6: "the pipeline funnel
for a period: candidate pool → in course → certified → dossier → proposed → admitted →
recognised, with conversion and median days per step"), with its chart, the count at each
step per direct child, and the XLSX/PDF export of the same figures.

Filters (GET, kept across tabs and exports): ``mode=flow|cohort``, and either ``year=`` or
``from=dd/mm/yyyy`` / ``to=dd/mm/yyyy`` (default: this year up to today).
"""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from dangvien.core.dates import BadDate, parse_day
from dangvien.core.dbrouter import reporting
from dangvien.core.http import AuthedRequest
from dangvien.core.text import is_number
from dangvien.organisations.models import Organisation
from dangvien.stats import charts
from dangvien.stats.queries import funnel as queries
from dangvien.stats.queries.access import visible_node
from dangvien.stats.report import Chart, Column, Report, Table
from dangvien.stats.views.common import export_or_none, file_slug, page_context

HEADING = "Phễu phát triển đảng viên"
FLOW_NOTE = (
    "Theo dòng chảy: mỗi bước đếm những người đạt bước đó trong kỳ, không nhất thiết là "
    "cùng những người ở bước trước, nên tỷ lệ chuyển tiếp có thể vượt 100%."
)
COHORT_NOTE = (
    "Theo lứa: những quần chúng được đưa vào nguồn trong kỳ, đến hôm nay đã đạt tới bước nào."
)
STEP_NOTE = (
    "Bỏ qua một bước (ví dụ có giấy chứng nhận mà không qua lớp trong hệ thống) được tính là "
    "đã qua bước đó. Số ngày trung vị: từ bước trước đến bước này, chỉ tính người có đủ hai "
    "ngày. Phễu chỉ gồm quần chúng được theo dõi trong hệ thống; đảng viên nhập trực tiếp "
    "hoặc kết nạp lại không qua nguồn nên chỉ có trong “Kết quả kết nạp”."
)


def optional_day(text: str, field: str) -> date | None:
    """``core.dates.parse_day``, None when empty; ``BadDate`` when unreadable."""
    return parse_day(text, label="Ngày", field=field) if text.strip() else None


def period_from(request: AuthedRequest) -> tuple[queries.Period, str]:
    """The period the filters ask for, and an error to show (then the default period). A
    year, when chosen, wins over the dates."""
    params = request.GET
    year = params.get("year", "").strip()
    if year:
        if is_number(year) and 2000 <= int(year) <= 2100:
            return queries.year_period(int(year)), ""
        return queries.default_period(), "Năm không hợp lệ."
    try:
        start = optional_day(params.get("from", ""), "from")
        end = optional_day(params.get("to", ""), "to")
    except BadDate:
        message = "Ngày không hợp lệ: dùng dạng dd/mm/yyyy, ví dụ 05/03/2026."
        return queries.default_period(), message
    try:
        return queries.period_between(start, end), ""
    except BadDate as error:
        return queries.default_period(), str(error)


def mode_from(request: AuthedRequest) -> str:
    mode = request.GET.get("mode", "flow")
    return mode if mode in queries.MODES else "flow"


def funnel_chart(result: queries.Funnel) -> str:
    return charts.funnel(
        [charts.FunnelStep(s.label, s.count, s.conversion, s.median_days) for s in result.steps]
    )


def build_report(org: Organisation, result: queries.Funnel, svg: str) -> Report:
    """The page as a report: the chart, the steps, the side counts and the children, from
    the same ``funnel`` result as the page."""
    period = result.period
    report = Report(
        title=f"{HEADING} ({queries.MODES[result.mode].lower()})",
        organisation=org.name,
        period=period.label,
        filename=f"pheu-{result.mode}-{period.start:%Y%m%d}-{period.end:%Y%m%d}-{file_slug(org)}",
    )
    report.sections.append(Chart(HEADING, svg))
    note = FLOW_NOTE if result.mode == "flow" else COHORT_NOTE
    report.sections.append(
        Table(
            title="Các bước",
            columns=[
                Column("Bước", width=36),
                Column("Số lượng", "int"),
                Column("Tỷ lệ chuyển tiếp", "percent"),
                Column("Số ngày trung vị", "decimal"),
            ],
            rows=[[s.label, s.count, s.conversion, s.median_days] for s in result.steps],
            note=f"{note} {STEP_NOTE}",
        )
    )
    side = [["Rút khỏi nguồn", result.withdrawn], ["Không được kết nạp", result.rejected]]
    if result.active is not None:
        side.append(["Còn đang theo dõi (chưa kết nạp)", result.active])
    report.sections.append(
        Table(
            title="Ra khỏi quy trình",
            columns=[Column("", width=36), Column("Số lượng", "int")],
            rows=side,
        )
    )
    if result.children:
        report.sections.append(
            Table(
                title="Theo tổ chức trực thuộc",
                columns=[Column("Tổ chức đảng", width=36)]
                + [Column(s.short, "int", width=12) for s in queries.STEPS],
                rows=[[child_name(org, c), *c.counts] for c in result.children],
                total=["Tổng cộng", *(s.count for s in result.steps)],
            )
        )
    return report


def child_name(org: Organisation, row: queries.ChildRow) -> str:
    return row.organisation.name if row.organisation else f"{org.name} (trực tiếp)"


@login_required
@reporting()
def funnel_page(request: AuthedRequest, org_pk: int) -> HttpResponse:
    """The funnel of the node: filters, chart, steps table, per-child table, exports."""
    org = visible_node(request.user, org_pk)
    mode = mode_from(request)
    period, error = period_from(request)
    result = queries.funnel(org, mode=mode, period=period)
    svg = funnel_chart(result)
    export = export_or_none(request, lambda: build_report(org, result, svg))
    if export is not None:
        return export
    context = page_context(
        request,
        org,
        "funnel",
        heading=HEADING,
        subtitle=f"{period.label} · {queries.MODES[mode]}",
        exportable=True,
        result=result,
        svg=svg,
        mode=mode,
        modes=queries.MODES,
        period=period,
        year=period.year,
        start_text="" if period.year else f"{period.start:%d/%m/%Y}",
        end_text="" if period.year else f"{period.end:%d/%m/%Y}",
        error=error,
        steps=queries.STEPS,
        children_rows=[(child_name(org, c), c) for c in result.children],
        flow_note=FLOW_NOTE,
        cohort_note=COHORT_NOTE,
        step_note=STEP_NOTE,
    )
    return render(request, "stats/funnel.html", context)


urlpatterns: list[URLPattern] = [
    path("<int:org_pk>/pheu/", funnel_page, name="funnel"),
]
