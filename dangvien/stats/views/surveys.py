"""The quarterly survey of the candidate pool (issue 6; seed 003: "định kỳ hằng quý khảo
sát, đánh giá phân tích chất lượng quần chúng").

- ``/thong-ke/<org_pk>/khao-sat-nguon/`` (``surveys``, ``?year=``): the snapshots of the
  last eight quarters side by side with the change from the quarter before, today's live
  figures, the charts, each quarter's written assessment, the button that freezes the
  quarter, and the pool per direct child;
- ``/thong-ke/<org_pk>/khao-sat-nguon/<year>/<quarter>/`` (``survey``): one quarter;
- POST ``…/khao-sat-nguon/chot/`` (``survey-take``) and
  ``…/<year>/<quarter>/danh-gia/`` (``survey-assessment``).

Every page answers ``?format=xlsx|pdf`` with the same figures.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangvien.core.errors import DomainError
from dangvien.core.http import AuthedRequest
from dangvien.organisations.models import Organisation
from dangvien.stats import charts
from dangvien.stats.actions import surveys as actions
from dangvien.stats.models import PoolSurvey
from dangvien.stats.queries import surveys as queries
from dangvien.stats.queries.access import can_take_survey, visible_node
from dangvien.stats.report import Chart, Column, Report, Table, Text
from dangvien.stats.views.common import export_or_none, file_slug, page_context, year_param

HEADING = "Khảo sát nguồn quần chúng ưu tú theo quý"
CHART_COLUMNS = 4  # quarters per chart: more bars per group stop being readable
NOTE = (
    "Nguồn: quần chúng ưu tú đang được theo dõi (chưa kết nạp, chưa rút khỏi nguồn, không bị "
    "từ chối) tại ngày chốt số liệu. Độ tuổi tính tại ngày chốt (nhóm tuổi theo 11-HD/BTCTW). "
    "(+/−): thay đổi so với quý trước."
)


class TakeForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=9999)
    quarter = forms.IntegerField(min_value=1, max_value=4)


class AssessmentForm(forms.Form):
    text = forms.CharField(
        label="Đánh giá, phân tích chất lượng nguồn",
        required=False,
        max_length=actions.ASSESSMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


# ---- what the pages show ---------------------------------------------------------------


def _columns(
    org: Organisation, year: int
) -> tuple[list[tuple[int, int]], dict[tuple[int, int], PoolSurvey], bool]:
    """The quarters shown (from the first surveyed one in the eight-quarter window to its
    end, gaps included so each change is against the quarter just before), the snapshots,
    and whether today's figures close the row (the window ends with this quarter)."""
    today = timezone.localdate()
    window = queries.recent_quarters(year, today)
    snaps = queries.surveys_of(org, window)
    first = next((i for i, q in enumerate(window) if q in snaps), len(window) - 1)
    return window[first:], snaps, window[-1] == queries.quarter_of(today)


def _take_buttons(
    user: Any, org: Organisation, snaps: dict[Any, PoolSurvey]
) -> list[dict[str, Any]]:
    """The quarters the user may freeze now: this quarter (again while it runs) and the
    last one if it was never frozen."""
    if not can_take_survey(user, org):
        return []
    today = timezone.localdate()
    this = queries.quarter_of(today)
    last = queries.previous_quarter(*this)
    buttons = []
    if last not in snaps and queries.survey_of(org, *last) is None:
        end = queries.quarter_bounds(*last)[1]
        buttons.append(
            {
                "year": last[0],
                "quarter": last[1],
                "label": f"Chốt số liệu khảo sát {queries.quarter_label(*last, capital=False)}",
                "help": f"Quý đã kết thúc: số liệu tính tại ngày {end:%d/%m/%Y}, chốt một lần.",
            }
        )
    again = this in snaps or queries.survey_of(org, *this) is not None
    buttons.append(
        {
            "year": this[0],
            "quarter": this[1],
            "label": f"Chốt số liệu khảo sát {queries.quarter_label(*this, capital=False)}",
            "help": (
                "Cập nhật số liệu đã chốt của quý đang diễn ra (giữ nguyên phần đánh giá)."
                if again
                else "Số liệu tính tại hôm nay; có thể chốt lại đến hết quý."
            ),
        }
    )
    return buttons


def _charts(columns: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, str]]:
    shown = columns[-CHART_COLUMNS:]
    out = []
    for key, title in queries.DIMENSIONS:
        categories, series = queries.chart_series(key, shown)
        out.append((title, charts.grouped_bars(categories, series)))
    return out


def _blocks_table(title: str, labels: list[str], blocks: list[queries.Block]) -> Table:
    """The side-by-side table for a report: one column per quarter, then the change of the
    last column from the one before."""
    rows: list[list[Any]] = []
    for block in blocks:
        for line in block.lines:
            label = f"{block.title}: {line.label}" if block.key != "total" else line.label
            last = line.cells[-1] if line.cells else None
            rows.append(
                [
                    ("   " if line.sub else "") + label,
                    *(c.value for c in line.cells),
                    last.change if last else None,
                ]
            )
    columns = [Column("Chỉ số", width=44)] + [Column(label, "int") for label in labels]
    columns.append(Column("Tăng (+)/giảm (−)", "int"))
    return Table(title=title, columns=columns, rows=rows, note=NOTE)


def _children_table(org: Organisation, pools: list[queries.ChildPool], label: str) -> Table:
    return Table(
        title=f"Nguồn theo tổ chức trực thuộc ({label})",
        columns=[
            Column("Tổ chức đảng", width=40),
            Column(label, "int"),
            Column("Quý trước", "int"),
            Column("Tăng (+)/giảm (−)", "int"),
            Column("Hiện nay", "int"),
        ],
        rows=[[p.organisation.name, p.surveyed, p.previous, p.change, p.live] for p in pools],
    )


# ---- the pages -------------------------------------------------------------------------


def _surveys_context(
    request: AuthedRequest, org: Organisation, form_error: str = ""
) -> dict[str, Any]:
    year = year_param(request)
    today = timezone.localdate()
    quarters, snaps, with_live = _columns(org, year)
    datas: list[dict[str, Any] | None] = [snaps[q].data if q in snaps else None for q in quarters]
    labels = [queries.quarter_label(*q) for q in quarters]
    live = queries.composition(org, today)
    if with_live:
        datas.append(live)
        labels.append(f"Hiện nay ({today:%d/%m/%Y})")
    blocks = queries.side_by_side(datas)
    chart_columns = [(label, d) for label, d in zip(labels, datas, strict=True) if d is not None]
    latest = next((q for q in reversed(quarters) if q in snaps), quarters[-1])
    may = can_take_survey(request.user, org)
    return page_context(
        request,
        org,
        "surveys",
        heading=HEADING,
        subtitle=f"Năm {year} · so sánh {len(quarters)} quý gần nhất · hôm nay {today:%d/%m/%Y}",
        exportable=True,
        year=year,
        live=live,
        labels=labels,
        blocks=blocks,
        charts=_charts(chart_columns),
        quarters=[
            {
                "year": y,
                "quarter": q,
                "label": queries.quarter_label(y, q),
                "survey": snaps.get((y, q)),
                "form": AssessmentForm(initial={"text": snaps[(y, q)].assessment})
                if (y, q) in snaps and may
                else None,
            }
            for y, q in reversed(quarters)
        ],
        may=may,
        buttons=_take_buttons(request.user, org, snaps),
        latest_label=queries.quarter_label(*latest),
        latest=latest,
        pools=queries.child_pools(org, *latest),
        form_error=form_error,
        note=NOTE,
    )


def _surveys_report(org: Organisation, context: dict[str, Any]) -> Report:
    year = context["year"]
    report = Report(
        title=HEADING,
        organisation=org.name,
        period=f"Năm {year} ({context['labels'][0]} – {context['labels'][-1]})",
        filename=f"khao-sat-nguon-{year}-{file_slug(org)}",
    )
    report.sections.append(_blocks_table("So sánh theo quý", context["labels"], context["blocks"]))
    for title, svg in context["charts"]:
        report.sections.append(Chart(title, svg))
    for q in context["quarters"]:
        if q["survey"] is not None and q["survey"].assessment:
            report.sections.append(Text(f"Đánh giá {q['label']}", q["survey"].assessment))
    if context["pools"]:
        report.sections.append(_children_table(org, context["pools"], context["latest_label"]))
    return report


@login_required
def surveys_page(request: AuthedRequest, org_pk: int) -> HttpResponse:
    """The node's pool now and over the last quarters, with the freeze button."""
    org = visible_node(request.user, org_pk)
    context = _surveys_context(request, org)
    export = export_or_none(request, lambda: _surveys_report(org, context))
    if export is not None:
        return export
    return render(request, "stats/surveys.html", context)


@login_required
@require_POST
def take_survey(request: AuthedRequest, org_pk: int) -> HttpResponse:
    """Freeze a quarter for the node and every node below it (``take_pool_survey``)."""
    org = visible_node(request.user, org_pk)
    if not can_take_survey(request.user, org):
        raise PermissionDenied
    form = TakeForm(request.POST)
    if not form.is_valid():
        context = _surveys_context(request, org, "Quý hoặc năm không hợp lệ.")
        return render(request, "stats/surveys.html", context, status=400)
    try:
        taken = actions.take_pool_survey(org, by=request.user, **form.cleaned_data)
    except DomainError as error:
        context = _surveys_context(request, org, str(error))
        return render(request, "stats/surveys.html", context, status=409)
    messages.success(request, actions.describe(taken))
    url = reverse("stats:surveys", args=[org.pk])
    return redirect(f"{url}?year={taken.survey.year}")


def _quarter(year: int, quarter: int) -> tuple[int, int]:
    if quarter not in (1, 2, 3, 4) or not 2000 <= year <= 9999:
        raise Http404
    return year, quarter


def _survey_context(
    request: AuthedRequest,
    org: Organisation,
    year: int,
    quarter: int,
    form: AssessmentForm | None = None,
) -> dict[str, Any]:
    survey = queries.survey_of(org, year, quarter)
    before = queries.survey_of(org, *queries.previous_quarter(year, quarter))
    label = queries.quarter_label(year, quarter)
    in_text = queries.quarter_label(year, quarter, capital=False)
    before_label = queries.quarter_label(*queries.previous_quarter(year, quarter))
    today = timezone.localdate()
    first, last = queries.quarter_bounds(year, quarter)
    may = can_take_survey(request.user, org)
    can_take = may and first <= today and (survey is None or today <= last)
    if survey is not None and may and form is None:
        form = AssessmentForm(initial={"text": survey.assessment})
    blocks = queries.side_by_side(
        [before.data if before else None, survey.data if survey else None]
    )
    return page_context(
        request,
        org,
        "surveys",
        heading=f"Khảo sát nguồn quần chúng ưu tú {in_text}",
        subtitle=(
            f"Số liệu chốt tại ngày {survey.taken_on:%d/%m/%Y}"
            if survey
            else "Chưa chốt số liệu khảo sát quý này."
        ),
        exportable=survey is not None,
        year=year,
        quarter=quarter,
        label=label,
        label_in_text=in_text,
        labels=[before_label, label],
        survey=survey,
        before=before,
        blocks=blocks,
        chart=charts.grouped_bars(
            *queries.chart_series(
                "age_band",
                [(lab, d.data) for lab, d in ((before_label, before), (label, survey)) if d],
            )
        )
        if survey
        else "",
        pools=queries.child_pools(org, year, quarter),
        form=form,
        may=may,
        can_take=can_take,
        take_label=f"Chốt số liệu khảo sát {in_text}",
        running=first <= today <= last,
        note=NOTE,
    )


def _survey_report(org: Organisation, context: dict[str, Any]) -> Report:
    survey: PoolSurvey = context["survey"]
    report = Report(
        title=HEADING,
        organisation=org.name,
        period=f"{context['label']} (số liệu tại ngày {survey.taken_on:%d/%m/%Y})",
        filename=f"khao-sat-nguon-{survey.year}-q{survey.quarter}-{file_slug(org)}",
    )
    report.sections.append(_blocks_table(context["label"], context["labels"], context["blocks"]))
    if context["chart"]:
        report.sections.append(Chart("Theo độ tuổi", context["chart"]))
    if survey.assessment:
        report.sections.append(Text("Đánh giá, phân tích chất lượng nguồn", survey.assessment))
    if context["pools"]:
        report.sections.append(_children_table(org, context["pools"], context["label"]))
    return report


@login_required
def survey_page(request: AuthedRequest, org_pk: int, year: int, quarter: int) -> HttpResponse:
    """One quarter's snapshot against the quarter before, with its assessment."""
    org = visible_node(request.user, org_pk)
    year, quarter = _quarter(year, quarter)
    context = _survey_context(request, org, year, quarter)
    if context["survey"] is not None:
        export = export_or_none(request, lambda: _survey_report(org, context))
        if export is not None:
            return export
    return render(request, "stats/survey.html", context)


@login_required
@require_POST
def survey_assessment(request: AuthedRequest, org_pk: int, year: int, quarter: int) -> HttpResponse:
    """Write or correct the quarter's assessment (``record_assessment``)."""
    org = visible_node(request.user, org_pk)
    year, quarter = _quarter(year, quarter)
    survey = queries.survey_of(org, year, quarter)
    if survey is None:
        raise Http404
    if not can_take_survey(request.user, org):
        raise PermissionDenied
    form = AssessmentForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            actions.record_assessment(survey, text=form.cleaned_data["text"], by=request.user)
        except DomainError as error:
            form.add_error(None, str(error))
            status = 409
        else:
            messages.success(
                request, f"Đã lưu đánh giá {queries.quarter_label(year, quarter, capital=False)}."
            )
            return redirect("stats:survey", org.pk, year, quarter)
    context = _survey_context(request, org, year, quarter, form=form)
    return render(request, "stats/survey.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("<int:org_pk>/khao-sat-nguon/", surveys_page, name="surveys"),
    path("<int:org_pk>/khao-sat-nguon/chot/", take_survey, name="survey-take"),
    path("<int:org_pk>/khao-sat-nguon/<int:year>/<int:quarter>/", survey_page, name="survey"),
    path(
        "<int:org_pk>/khao-sat-nguon/<int:year>/<int:quarter>/danh-gia/",
        survey_assessment,
        name="survey-assessment",
    ),
]
