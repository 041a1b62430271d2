"""Achievement of the admission target over JSON (API.md "Targets and statistics":
``GET /statistics/achievement?organisation=&year=``), on the same query as the dashboard
(``stats.queries.achievement``). Mounted at the API root.

Issue 6: "Achievement = admission decisions dated in the year in the node's subtree, live
from the data"; ``percent`` is a number rounded half up to one decimal (30.7). Outside the
user's subtree → 404.
"""

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from dangvien.api.auth import user_of
from dangvien.api.errors import responses
from dangvien.api.stats_common import national_tops, requested_node
from dangvien.stats.queries.achievement import Achievement, achievement, national

router = Router(tags=["Chỉ tiêu và thống kê"])

READ_ERRORS = responses(400, 401, 404)


class AchievementFilters(Schema):
    organisation: int | None = Field(
        None, description="Tổ chức (mặc định: tổ chức cao nhất trong phạm vi của người dùng)"
    )
    year: int | None = Field(None, ge=2000, le=2200, description="Năm (mặc định: năm nay)")


class PartOut(Schema):
    target: int | None = Field(description="Chỉ tiêu cụ thể; null khi chưa giao")
    admitted: int
    percent: float | None = Field(description="Tỷ lệ %, một chữ số thập phân; null khi chưa giao")


class AchievementBase(Schema):
    organisation_id: int
    organisation_name: str
    year: int
    on: date = Field(description="Ngày chốt số liệu: hôm nay, hoặc 31/12 của năm đã qua")
    target: int | None = Field(description="Chỉ tiêu kết nạp; null khi chưa giao")
    admitted: int = Field(description="Số quyết định kết nạp trong năm đến ngày chốt")
    percent: float | None = Field(description="admitted / target, %, làm tròn một chữ số (30.7)")
    projected: int | None = Field(description="Dự báo cả năm; null cho năm chưa bắt đầu")
    last_year: int = Field(description="Số kết nạp cả năm trước")
    last_year_to_date: int = Field(description="Số kết nạp năm trước đến cùng ngày")
    expected_by_now: float | None = Field(
        description="Tiến độ bình quân: chỉ tiêu × số ngày đã qua / số ngày trong năm"
    )
    pace: float | None = Field(description="admitted / expected_by_now, %")
    behind: bool = Field(
        description="Dưới `targets.pace_warning_percent` % của tiến độ bình quân (chậm tiến độ)"
    )
    per_month: list[int] = Field(description="Số kết nạp từng tháng, tháng 1 trước")
    breakdown: dict[str, PartOut] = Field(
        description="Theo đối tượng: youth_union, women, ethnic_minority, religious, student, "
        "private_sector, villages_without_members"
    )


class ChildAchievementOut(AchievementBase):
    children: list[Any] = Field(default_factory=list, description="Luôn rỗng ở cấp này")


class AchievementOut(AchievementBase):
    children: list[ChildAchievementOut]


def achievement_out(result: Achievement, *, nested: bool = True) -> dict[str, Any]:
    return {
        "organisation_id": result.organisation.pk,
        "organisation_name": result.organisation.name,
        "year": result.year,
        "on": result.on,
        "target": result.target,
        "admitted": result.admitted,
        "percent": result.percent,
        "projected": result.projected,
        "last_year": result.last_year_admitted,
        "last_year_to_date": result.last_year_to_date,
        "expected_by_now": result.expected_by_now,
        "pace": result.pace,
        "behind": result.behind,
        "per_month": result.per_month,
        "breakdown": {
            key: {"target": part.target, "admitted": part.admitted, "percent": part.percent}
            for key, part in result.breakdown.items()
        },
        "children": [achievement_out(c, nested=False) for c in result.children] if nested else [],
    }


@router.get(
    "/statistics/achievement",
    response={200: AchievementOut, **READ_ERRORS},
    url_name="statistics-achievement",
)
def get_achievement(request: HttpRequest, filters: Query[AchievementFilters]) -> dict[str, Any]:
    """Achievement of the yearly admission target for an organisation and each of its direct
    children: admission decisions dated in the year in the subtree (candidates decided, plus
    members recorded directly or readmitted), counted live to today (31/12 for a past
    year), against the target; the percentage rounded half up to one decimal; last year's
    figure; the pro-rata pace and whether the node is behind it; a projection to year end.

    `organisation` defaults to the top node of the user's scope, `year` to this year. An
    organisation outside the user's subtree → 404."""
    user = user_of(request)
    org = requested_node(user, filters.organisation)
    year = filters.year or timezone.localdate().year
    return achievement_out(achievement(org, year))


class NationalAchievementOut(AchievementOut):
    organisation_id: int | None = Field(description="null: toàn quốc / các đơn vị được phân công")  # type: ignore[assignment]


class NationalFilters(Schema):
    year: int | None = Field(None, ge=2000, le=2200, description="Năm (mặc định: năm nay)")


@router.get(
    "/statistics/achievement/national",
    response={200: NationalAchievementOut, **READ_ERRORS},
    url_name="statistics-achievement-national",
)
def get_national_achievement(
    request: HttpRequest, filters: Query[NationalFilters]
) -> dict[str, Any]:
    """Every top node of the user's scope side by side, with their total, as the page
    `/thong-ke/toan-quoc/` (issue 9): the whole country ("Toàn quốc", `organisation_id`
    null) for a user with a role on every province, otherwise "Các đơn vị được phân
    công". The total's target is the sum of the tops' targets when every top has one,
    otherwise null. Counts only; `breakdown` is empty (each top's own
    `/statistics/achievement` has it). No scope → 404."""
    tops, name = national_tops(user_of(request))
    result = national(tops, filters.year or timezone.localdate().year)
    result.organisation.name = name
    return achievement_out(result)
