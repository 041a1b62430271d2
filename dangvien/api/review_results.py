"""Rating results and screening outcomes over JSON (issue 7 "Results per node"; "Cases per
node and their outcomes"): ``GET /statistics/reviews?organisation=&year=`` and
``GET /statistics/screening?organisation=&year=``, on the same queries as the statistics
tabs (``reviews.queries.results``, ``screening.queries.results``). Mounted at the API root.

An organisation outside the user's subtree → 404; without ``organisation`` the top node
of the user's scope is used; ``year`` defaults to this year.
"""

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from dangvien.api.auth import user_of
from dangvien.api.errors import responses
from dangvien.api.stats_common import requested_node
from dangvien.reviews.models import RATING_ORDER
from dangvien.reviews.queries.results import Ratings, YearCounts, rating_label, rating_results
from dangvien.screening.models import Criterion
from dangvien.screening.queries.results import (
    COLUMNS as SCREENING_COLUMNS,
)
from dangvien.screening.queries.results import (
    ScreeningFigures,
    screening_results,
)

router = Router(tags=["Kiểm điểm, xếp loại và sàng lọc"])

READ_ERRORS = responses(400, 401, 404)


class ResultFilters(Schema):
    organisation: int | None = Field(
        None, description="Tổ chức (mặc định: tổ chức cao nhất trong phạm vi của người dùng)"
    )
    year: int | None = Field(None, ge=2000, le=2200, description="Năm (mặc định: năm nay)")


# ---- ratings ---------------------------------------------------------------------------


class RatingCountOut(Schema):
    rating: str = Field(description="excellent, good, complete, failed")
    label: str
    count: int
    percent: float | None = Field(
        description="Tỷ lệ so với số được xếp loại, làm tròn một chữ số thập phân"
    )


class YearOut(Schema):
    year: int
    rated: int = Field(description="Số được xếp loại (cấp ủy đã quyết định)")
    ratings: list[RatingCountOut]
    pending: int = Field(description="Đã tự đánh giá hoặc chi bộ đã đề xuất, chưa có quyết định")
    not_rated: int = Field(
        description="Đảng viên được miễn công tác và sinh hoạt đảng, không xếp loại (với tổ "
        "chức đảng: luôn 0)"
    )


class ResultChangeOut(Schema):
    rating: str
    count: int = Field(description="Tăng (+), giảm (−) về số lượng so với năm trước")
    percent_points: float | None = Field(
        description="Tăng, giảm về tỷ lệ, tính bằng điểm phần trăm (từ phân số chính xác)"
    )


class ComparisonOut(Schema):
    this_year: YearOut
    last_year: YearOut
    change: list[ResultChangeOut]
    rated_change: int


class RatingChildOut(Schema):
    organisation_id: int
    organisation_name: str
    direct: bool = Field(
        description="true: đảng viên được kiểm điểm tại chính tổ chức (không qua đơn vị trực thuộc)"
    )
    members: ComparisonOut
    organisations: ComparisonOut = Field(
        description="Tổ chức trực thuộc đó và các tổ chức đảng bên dưới"
    )


class OrganisationGroupOut(Schema):
    group: str = Field(description="grassroots, branches, superior")
    label: str
    ratings: ComparisonOut


class ResultPeriodOut(Schema):
    id: int
    name: str
    organisation_id: int
    organisation_name: str
    starts_on: date
    ends_on: date


class RatingResultsOut(Schema):
    organisation_id: int
    organisation_name: str
    year: int
    exempted_on: date = Field(description="Ngày xét đảng viên được miễn (năm nay)")
    last_exempted_on: date
    periods: list[ResultPeriodOut] = Field(
        description="Các kỳ đánh giá hằng năm của năm, trên tổ chức"
    )
    members: ComparisonOut
    organisations: ComparisonOut = Field(
        description="Các tổ chức đảng trực thuộc ở mọi cấp (không tính chính tổ chức)"
    )
    organisation_groups: list[OrganisationGroupOut]
    children: list[RatingChildOut]


def _year(counts: YearCounts) -> dict[str, Any]:
    return {
        "year": counts.year,
        "rated": counts.rated,
        "ratings": [
            {
                "rating": rating,
                "label": line_label,
                "count": counts.count(rating),
                "percent": counts.share(rating),
            }
            for rating, line_label in _labels()
        ],
        "pending": counts.pending,
        "not_rated": counts.not_rated,
    }


def _labels() -> list[tuple[str, str]]:
    return [(rating, rating_label(rating)) for rating in RATING_ORDER]


def comparison_out(ratings: Ratings) -> dict[str, Any]:
    return {
        "this_year": _year(ratings.this_year),
        "last_year": _year(ratings.last_year),
        "change": [
            {"rating": line.rating, "count": line.change, "percent_points": line.share_change}
            for line in ratings.lines()
        ],
        "rated_change": ratings.rated_change,
    }


@router.get(
    "/statistics/reviews",
    response={200: RatingResultsOut, **READ_ERRORS},
    url_name="statistics-reviews",
)
def get_rating_results(request: HttpRequest, filters: Query[ResultFilters]) -> dict[str, Any]:
    """Rating results of an organisation's subtree for a year, beside the year before
    (366-QĐ/TW; DOMAIN.md §4): the ratings the competent committees DECIDED in the yearly
    review periods (reviews still at self-assessment or the chi bộ's proposal are
    `pending`, not counted), with each rating's share of those rated and the change in
    number and in percentage points; members not rated because exempted from party work
    and meetings on the last day of the year (today for the current year), where a yearly
    period covers their branch; the party organisations under the node rated the same way,
    also by kind; and the same for each direct child.

    A member counts in the chi bộ that reviewed them. `organisation` defaults to the top
    node of the user's scope, `year` to this year; outside the user's subtree → 404."""
    org = requested_node(user_of(request), filters.organisation)
    year = filters.year or timezone.localdate().year
    result = rating_results(org, year)
    return {
        "organisation_id": org.pk,
        "organisation_name": org.name,
        "year": year,
        "exempted_on": result.exempted_on,
        "last_exempted_on": result.last_exempted_on,
        "periods": [
            {
                "id": p.pk,
                "name": p.name,
                "organisation_id": p.organisation_id,
                "organisation_name": p.organisation.name,
                "starts_on": p.starts_on,
                "ends_on": p.ends_on,
            }
            for p in result.periods
        ],
        "members": comparison_out(result.members),
        "organisations": comparison_out(result.organisations),
        "organisation_groups": [
            {"group": key, "label": label, "ratings": comparison_out(ratings)}
            for key, label, ratings in result.organisation_groups
        ],
        "children": [
            {
                "organisation_id": child.organisation.pk,
                "organisation_name": child.organisation.name,
                "direct": child.direct,
                "members": comparison_out(child.members),
                "organisations": comparison_out(child.organisations),
            }
            for child in result.children
        ],
    }


# ---- screening -------------------------------------------------------------------------


class ScreeningFiguresOut(Schema):
    organisation_id: int
    organisation_name: str
    direct: bool = Field(description="true: bỏ phiếu tại chính tổ chức (chi bộ cơ sở)")
    held: int = Field(description="Số đảng viên được chi bộ bỏ phiếu kín trong năm")
    listed: int = Field(description="Đủ 2/3: đưa vào diện giáo dục, giúp đỡ")
    not_listed: int = Field(description="Không đủ 2/3")
    awaiting_helper: int = Field(description="Đưa vào diện, chưa phân công người giúp đỡ")
    helping: int = Field(description="Đang giáo dục, giúp đỡ")
    improved: int = Field(description="Tiến bộ, đưa ra khỏi danh sách")
    proposed_removal: int = Field(description="Chi bộ đề nghị xóa tên (kể cả đã quyết định)")
    proposed_expulsion: int = Field(description="Chi bộ đề nghị khai trừ (kể cả đã quyết định)")
    exit_requested: int = Field(description="Xin ra khỏi Đảng (kể cả đã quyết định)")
    awaiting_decision: int = Field(description="Đã đề nghị, chờ cấp ủy quyết định")
    removed: int = Field(description="Cấp ủy quyết định xóa tên")
    expelled: int = Field(description="Cấp ủy quyết định khai trừ")
    exited: int = Field(description="Cấp ủy cho ra khỏi Đảng")
    not_upheld: int = Field(description="Cấp ủy không chấp thuận đề nghị")
    criteria: dict[str, int] = Field(
        description="Số trường hợp đưa vào diện có từng biểu hiện (politics, ethics, "
        "self_evolution, duties, meetings_dues)"
    )


class ScreeningResultsOut(ScreeningFiguresOut):
    year: int
    children: list[ScreeningFiguresOut]


def screening_figures_out(figures: ScreeningFigures) -> dict[str, Any]:
    return {
        "organisation_id": figures.organisation.pk,
        "organisation_name": figures.organisation.name,
        "direct": figures.direct,
        **{column: figures[column] for column, _label in SCREENING_COLUMNS},
        "criteria": {value: figures.criteria.get(value, 0) for value in Criterion.values},
    }


@router.get(
    "/statistics/screening",
    response={200: ScreeningResultsOut, **READ_ERRORS},
    url_name="statistics-screening",
)
def get_screening_results(request: HttpRequest, filters: Query[ResultFilters]) -> dict[str, Any]:
    """Screening outcomes of an organisation's subtree for a year (02-HD/BTCTW; DOMAIN.md
    §5): the members the chi bộ balloted in secret during the year, those listed for
    education and help (2/3 reached) or not, and where the listed cases stand now —
    awaiting a helper, being helped, improved, proposed for removal, expulsion or exit
    (counted whether decided since or not), and the committee's decisions (removed,
    expelled, exited, not upheld, or still awaiting); how many listed cases named each
    criterion; the same for each direct child.

    `held = listed + not_listed`; the outcomes of the listed add up to `listed`; the
    decisions and those awaiting one add up to the proposals. `organisation` defaults to
    the top node of the user's scope, `year` to this year; outside the user's subtree →
    404."""
    org = requested_node(user_of(request), filters.organisation)
    year = filters.year or timezone.localdate().year
    result = screening_results(org, year)
    return {
        **screening_figures_out(result.figures),
        "year": year,
        "children": [screening_figures_out(child) for child in result.children],
    }
