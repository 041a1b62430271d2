"""The pipeline funnel and the quarterly candidate-pool survey over JSON (issue 6), on the
same queries and actions as the pages (``stats.queries.funnel``, ``stats.queries.surveys``,
``stats.actions.surveys``). Mounted at the API root.

- ``GET /statistics/funnel?organisation=&from=&to=&mode=``
- ``GET /pool-surveys?organisation=&year=`` → ``{count, items}``
- ``POST /pool-surveys`` ``{organisation_id, year, quarter, assessment?}``: freeze a quarter
- ``PATCH /pool-surveys/{id}`` ``{assessment}``

Outside the user's subtree → 404; visible but the role may not → 403; a rule refused → 409.
"""

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from dangvien.api.auth import user_of
from dangvien.api.errors import ApiError, responses
from dangvien.api.schemas import Day, Page
from dangvien.api.stats_common import requested_node
from dangvien.core.dates import BadDate
from dangvien.organisations.queries import in_scope
from dangvien.stats.actions import surveys as actions
from dangvien.stats.models import PoolSurvey
from dangvien.stats.queries import funnel as funnel_queries
from dangvien.stats.queries.access import visible_node

router = Router(tags=["Chỉ tiêu và thống kê"])

READ_ERRORS = responses(400, 401, 404)
WRITE_ERRORS = responses(400, 401, 403, 404, 409)


# ---- funnel ----------------------------------------------------------------------------


class FunnelFilters(Schema):
    organisation: int | None = Field(
        None, description="Tổ chức (mặc định: tổ chức cao nhất trong phạm vi của người dùng)"
    )
    start: Day | None = Field(None, alias="from", description="Từ ngày (mặc định 1/1 năm nay)")
    end: Day | None = Field(None, alias="to", description="Đến ngày (mặc định hôm nay)")
    mode: Literal["flow", "cohort"] = Field(
        "flow",
        description="`flow`: số người đạt từng bước trong kỳ; `cohort`: trong số quần chúng "
        "đưa vào nguồn trong kỳ, số người đã đạt từng bước đến hôm nay",
    )


class SurveyStepOut(Schema):
    key: str = Field(
        description="pool, in_course, certified, dossier, proposed, admitted, recognised"
    )
    label: str
    count: int
    conversion: float | None = Field(
        description="count / count của bước trước, %, một chữ số thập phân (theo dòng chảy có "
        "thể vượt 100); null ở bước đầu hoặc khi bước trước bằng 0"
    )
    median_days: float | None = Field(
        description="Số ngày trung vị từ bước trước, của những người có đủ hai ngày"
    )


class FunnelChildOut(Schema):
    organisation_id: int | None = Field(description="null: quần chúng của chính tổ chức này")
    name: str
    counts: dict[str, int] = Field(description="Số người ở từng bước, theo `key` của bước")


class FunnelOut(Schema):
    organisation_id: int
    mode: Literal["flow", "cohort"]
    start: date = Field(alias="from")
    end: date = Field(alias="to")
    today: date
    steps: list[SurveyStepOut]
    withdrawn: int = Field(description="Rút khỏi nguồn (flow: trong kỳ; cohort: đến hôm nay)")
    rejected: int = Field(description="Không được kết nạp")
    active: int | None = Field(description="cohort: còn đang theo dõi; flow: null")
    children: list[FunnelChildOut] = Field(description="Số người ở từng bước, theo cấp dưới")


@router.get(
    "/statistics/funnel",
    response={200: FunnelOut, **READ_ERRORS},
    by_alias=True,
    url_name="statistics-funnel",
)
def get_funnel(request: HttpRequest, filters: Query[FunnelFilters]) -> dict[str, Any]:
    """The admission pipeline funnel of an organisation's subtree for a period: candidate
    pool → in course → certified → dossier → proposed → admitted → recognised, with the
    count at each step, the conversion from the step before (%, one decimal) and the median
    days from the step before; withdrawn and rejected as side counts; the counts per direct
    child.

    A skipped step counts as passed by those who reached a later one. `from`/`to` default
    to this year up to today. Outside the user's subtree → 404."""
    user = user_of(request)
    org = requested_node(user, filters.organisation)
    try:
        period = funnel_queries.period_between(filters.start, filters.end)
    except BadDate as error:
        raise ApiError(400, fields={error.field: str(error)}) from None
    result = funnel_queries.funnel(org, mode=filters.mode, period=period)
    keys = funnel_queries.STEP_KEYS
    return {
        "organisation_id": org.pk,
        "mode": result.mode,
        "from": period.start,
        "to": period.end,
        "today": result.today,
        "steps": [
            {
                "key": s.key,
                "label": s.label,
                "count": s.count,
                "conversion": s.conversion,
                "median_days": s.median_days,
            }
            for s in result.steps
        ],
        "withdrawn": result.withdrawn,
        "rejected": result.rejected,
        "active": result.active,
        "children": [
            {
                "organisation_id": c.organisation.pk if c.organisation else None,
                "name": c.organisation.name if c.organisation else org.name,
                "counts": dict(zip(keys, c.counts, strict=True)),
            }
            for c in result.children
        ],
    }


# ---- pool surveys ----------------------------------------------------------------------


class SurveyFilters(Page):
    organisation: int | None = Field(
        None, description="Tổ chức (mặc định: tổ chức cao nhất trong phạm vi của người dùng)"
    )
    year: int | None = Field(None, ge=2000, le=9999, description="Chỉ các quý của năm này")


class SurveyIn(Schema):
    organisation_id: int
    year: int = Field(..., ge=2000, le=9999)
    quarter: int = Field(..., ge=1, le=4)
    assessment: str = Field("", max_length=actions.ASSESSMENT_MAX)


class SurveyPatch(Schema):
    assessment: str = Field(..., max_length=actions.ASSESSMENT_MAX)


class SurveyOut(Schema):
    id: int
    organisation_id: int
    organisation_name: str
    year: int
    quarter: int
    taken_on: date = Field(description="Ngày số liệu: ngày chốt, hoặc ngày cuối quý đã qua")
    data: dict[str, Any] = Field(
        description="total, stage, age_band, education, sex, ethnicity (kinh, minority), "
        "ethnic_groups, youth_union (yes, no): xem stats.queries.surveys"
    )
    assessment: str
    by: str | None
    at: str


class SurveyPage(Schema):
    count: int
    items: list[SurveyOut]


def survey_out(survey: PoolSurvey) -> dict[str, Any]:
    return {
        "id": survey.pk,
        "organisation_id": survey.organisation_id,
        "organisation_name": survey.organisation.name,
        "year": survey.year,
        "quarter": survey.quarter,
        "taken_on": survey.taken_on,
        "data": survey.data,
        "assessment": survey.assessment,
        "by": str(survey.by) if survey.by_id else None,
        "at": timezone.localtime(survey.at).isoformat(),
    }


@router.get("/pool-surveys", response={200: SurveyPage, **READ_ERRORS}, url_name="pool-surveys")
def list_pool_surveys(request: HttpRequest, filters: Query[SurveyFilters]) -> dict[str, Any]:
    """The quarterly snapshots of an organisation's candidate pool, latest quarter first:
    pool size and composition (stage, age band, education, sex, ethnicity, Youth Union) at
    `taken_on`, and the committee's written assessment. Outside the user's subtree → 404."""
    org = requested_node(user_of(request), filters.organisation)
    rows = PoolSurvey.objects.filter(organisation=org).select_related("organisation", "by")
    if filters.year is not None:
        rows = rows.filter(year=filters.year)
    rows = rows.order_by("-year", "-quarter")
    page = rows[filters.offset : filters.offset + filters.limit]
    return {"count": rows.count(), "items": [survey_out(s) for s in page]}


@router.post("/pool-surveys", response={201: SurveyOut, **WRITE_ERRORS})
def take_pool_survey(request: HttpRequest, payload: SurveyIn) -> Status[dict[str, Any]]:
    """Freeze a quarter's survey for an organisation and every organisation below it.

    While the quarter runs, the figures are today's and taking it again refreshes them
    (assessments kept); after it ended they are those of its last day and the
    organisation's snapshot, once taken, is a record (409 on a second try). A quarter that
    has not started → 409. Needs committee staff (grassroots or board) of the organisation
    or above: 403 otherwise; outside the user's subtree → 404."""
    user = user_of(request)
    org = visible_node(user, payload.organisation_id)
    taken = actions.take_pool_survey(
        org, year=payload.year, quarter=payload.quarter, by=user, assessment=payload.assessment
    )
    return Status(201, survey_out(taken.survey))


@router.patch("/pool-surveys/{survey_id}", response={200: SurveyOut, **WRITE_ERRORS})
def update_pool_survey(
    request: HttpRequest, survey_id: int, payload: SurveyPatch
) -> dict[str, Any]:
    """Write or correct the committee's assessment of a quarter's pool (an empty text
    clears it). The figures themselves never change here. 403 without the right to take
    the survey; outside the user's subtree → 404."""
    user = user_of(request)
    rows = PoolSurvey.objects.filter(in_scope(user, "org_path")).select_related(
        "organisation", "by"
    )
    survey = get_object_or_404(rows, pk=survey_id)
    actions.record_assessment(survey, text=payload.assessment, by=user)
    return survey_out(survey)
