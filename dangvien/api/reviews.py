"""JSON API: quality review and rating (issue 7; DOMAIN.md §4; 366-QĐ/TW 30/8/2025).

Mounted at the API root (full paths below). The same actions and queries as the review
pages (``dangvien.reviews``): review periods, each member's review (self-assessment, the
chi bộ's sheet, the committee's decision, publication), the quota on "excellent",
organisations' ratings and disciplinary records.

Outside the user's organisation subtree → 404; seen but the role may not act → 403; a
rule refused → 409 with the rule's code and a Vietnamese message; malformed input → 400
``invalid`` with ``fields``. The two bulk writes (a branch's sheet, a committee's
decision) are all or nothing: their 409 keeps the error shape and adds ``error.results``,
one line per member saying what is wrong (or ``ok``).
"""

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import AfterValidator, field_validator

from dangvien.api.auth import user_of
from dangvien.api.errors import ErrorDetail, responses
from dangvien.api.schemas import Day, Page, Text
from dangvien.api.serialise import user_name
from dangvien.members.queries import visible_members
from dangvien.organisations.models import Organisation
from dangvien.organisations.queries import in_scope, units_managed_by, visible_organisations
from dangvien.people.queries import search_filter
from dangvien.reviews import actions
from dangvien.reviews.models import (
    Discipline,
    MemberReview,
    OrganisationReview,
    Penalty,
    PeriodKind,
    Rating,
    ReviewPeriod,
    Stage,
)
from dangvien.reviews.queries import history, periods, progress, quotas, sheets
from dangvien.reviews.queries.access import (
    can_decide_ratings,
    can_fill_sheet,
    can_open_period,
    covers,
    visible_period,
)

if TYPE_CHECKING:
    from dangvien.accounts.models import User

router = Router(tags=["Kiểm điểm, xếp loại và sàng lọc"])

READ_ERRORS = responses(400, 401, 404)
WRITE_ERRORS = responses(400, 401, 403, 404, 409)


def _choices(choices: Any) -> str:
    return "; ".join(f"`{value}` = {label}" for value, label in choices.choices)


class ReviewStage(StrEnum):
    """The steps of ``reviews.models.Stage`` under a name of their own: the OpenAPI schema
    keeps one component per name, and ``Stage`` there is the candidates' stages."""

    SELF_ASSESSED = Stage.SELF_ASSESSED.value
    BRANCH_PROPOSED = Stage.BRANCH_PROPOSED.value
    DECIDED = Stage.DECIDED.value
    PUBLISHED = Stage.PUBLISHED.value


RATING_DOC = f"Xếp loại: {_choices(Rating)}"
STAGE_DOC = f"Bước: {_choices(Stage)}"
KIND_DOC = f"Loại kỳ: {_choices(PeriodKind)}"
PENALTY_DOC = f"Hình thức kỷ luật: {_choices(Penalty)}"


# ---- input types -------------------------------------------------------------------------


def _one_decimal(value: Decimal) -> Decimal:
    """Scores on the 100-point framework carry one decimal at most (366-QĐ/TW)."""
    if value != value.quantize(Decimal("0.1")):
        raise ValueError("Điểm chỉ có tối đa một chữ số thập phân, ví dụ 85,5.")
    return value


Score = Annotated[
    Decimal,
    Field(ge=0, le=100, description="Điểm theo thang 100, tối đa một chữ số thập phân"),
    AfterValidator(_one_decimal),
]
Percent = Annotated[int, Field(ge=0, le=100)]
Id = Annotated[int, Field(ge=1, le=2**62)]
Year = Annotated[int, Field(ge=1900, le=2100)]
RatingOrKeep = Rating | Literal[""]
Comment = Annotated[str, Field(max_length=4000)]


def _score(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value else ""


# ---- periods -----------------------------------------------------------------------------


class PeriodFilters(Page):
    organisation: int | None = Field(
        None, description="Tổ chức: các kỳ mở tại tổ chức này, cấp trên hoặc cấp dưới của nó"
    )
    year: Year | None = Field(None, description="Năm")
    kind: PeriodKind | None = Field(None, description=KIND_DOC)


class PeriodIn(Schema):
    organisation_id: Id = Field(description="Cấp ủy mở kỳ (cho cả cây con)")
    kind: PeriodKind = Field(PeriodKind.YEARLY, description=KIND_DOC)
    year: Year
    quarter: Annotated[int, Field(ge=1, le=4)] | None = Field(
        None, description="Quý (bắt buộc với kỳ hằng quý)"
    )
    name: str = Field("", max_length=200, description="Tên kỳ (bỏ trống: tự đặt)")
    starts_on: Day | None = Field(None, description="Từ ngày (bắt buộc với kỳ nhiệm kỳ, đột xuất)")
    ends_on: Day | None = Field(None, description="Đến ngày (bắt buộc với kỳ nhiệm kỳ, đột xuất)")


class ClosePeriodIn(Schema):
    closed_on: Day


class PeriodOut(Schema):
    id: int
    organisation_id: int
    organisation_name: str
    kind: PeriodKind
    kind_label: str
    year: int
    quarter: int | None
    name: str
    starts_on: date
    ends_on: date
    closed_on: date | None


class PeriodPage(Schema):
    count: int
    items: list[PeriodOut]


class ProgressOut(Schema):
    organisation_id: int
    organisation_name: str
    active: int = Field(description="Đảng viên đang sinh hoạt")
    exempted: int = Field(description="Được miễn sinh hoạt: không xếp loại")
    to_rate: int = Field(description="Cần xếp loại (đang sinh hoạt, không được miễn)")
    self_assessed: int = Field(description="Đã tự đánh giá (mọi bản kiểm điểm)")
    proposed: int = Field(description="Chi bộ đã đề xuất (hoặc đã quyết định)")
    decided: int = Field(description="Cấp ủy đã quyết định (hoặc đã công khai)")
    published: int = Field(description="Đã công khai")
    not_started: int = Field(description="Cần xếp loại mà chưa có bản kiểm điểm")


class PeriodDetailOut(PeriodOut):
    progress_organisation_id: int = Field(description="Tổ chức có số liệu tiến độ bên dưới")
    progress: list[ProgressOut] = Field(description="Tiến độ theo từng tổ chức trực thuộc")
    can_open: bool = Field(description="Người dùng được mở kỳ tại tổ chức của kỳ này")


class NodeFilter(Schema):
    organisation: int | None = Field(
        None,
        description="Tổ chức (mặc định: tổ chức của kỳ, hoặc tổ chức cao nhất của người "
        "dùng thuộc kỳ)",
    )


class QuotaCountOut(Schema):
    good_or_better: int = Field(description="Xếp loại hoàn thành tốt trở lên")
    excellent: int = Field(description="Xếp loại hoàn thành xuất sắc")
    allowed: int = Field(description="Số hoàn thành xuất sắc tối đa: floor(n × tỷ lệ)")
    over: bool = Field(description="Vượt tỷ lệ")


class QuotaOut(Schema):
    organisation_id: int
    organisation_name: str
    committee: bool = Field(
        description="true: cấp ủy quyết định xếp loại (các chi bộ do cấp ủy này quyết định, "
        "gộp lại); false: một chi bộ"
    )
    percent: int = Field(description="Tỷ lệ tối đa (%) hoàn thành xuất sắc")
    proposed: QuotaCountOut = Field(description="Theo đề xuất của chi bộ")
    decided: QuotaCountOut = Field(description="Theo quyết định của cấp ủy")
    over: bool = Field(description="Vượt tỷ lệ theo đề xuất hoặc theo quyết định")


class QuotaPage(Schema):
    count: int
    items: list[QuotaOut]


def period_out(period: ReviewPeriod) -> dict[str, Any]:
    return {
        "id": period.pk,
        "organisation_id": period.organisation_id,
        "organisation_name": period.organisation.name,
        "kind": period.kind,
        "kind_label": _label(PeriodKind, period.kind),
        "year": period.year,
        "quarter": period.quarter,
        "name": period.name,
        "starts_on": period.starts_on,
        "ends_on": period.ends_on,
        "closed_on": period.closed_on,
    }


def _node(user: "User", pk: int) -> Organisation:
    """A node the user sees, or 404."""
    return get_object_or_404(visible_organisations(user), pk=pk)


def _node_in(user: "User", period: ReviewPeriod, pk: int | None) -> Organisation:
    """The node of ``period`` a request names, or by default the period's own node when the
    user sees it, else the user's top node inside the period; 404 when there is none, or
    when the node lies outside the user's scope or the period's subtree."""
    if pk is not None:
        node = _node(user, pk)
        if not covers(period, node):
            raise Http404
        return node
    if visible_organisations(user).filter(pk=period.organisation_id).exists():
        return period.organisation
    for top in units_managed_by(user):
        if covers(period, top):
            return top
    raise Http404


@router.get("/review-periods", response={200: PeriodPage, **READ_ERRORS}, url_name="review-periods")
def list_periods(request: HttpRequest, filters: Query[PeriodFilters]) -> dict[str, Any]:
    """Review periods the user sees: those opened in their subtree or above it (a period
    opened by a committee covers its whole subtree), newest first. `organisation` keeps the
    periods covering that node or opened under it; `year` and `kind` filter further."""
    user = user_of(request)
    node = _node(user, filters.organisation) if filters.organisation is not None else None
    rows = [
        p
        for p in periods.periods_for(user, node)
        if (filters.year is None or p.year == filters.year)
        and (filters.kind is None or p.kind == filters.kind)
    ]
    page = rows[filters.offset : filters.offset + filters.limit]
    return {"count": len(rows), "items": [period_out(p) for p in page]}


@router.post(
    "/review-periods", response={201: PeriodOut, **WRITE_ERRORS}, url_name="review-period-open"
)
def open_period(request: HttpRequest, payload: PeriodIn) -> Status[dict[str, Any]]:
    """Open a review period at a committee, for every member and organisation under it
    (366-QĐ/TW: yearly by default; quarterly, per term or ad hoc). Yearly: 1/1–31/12;
    quarterly: the quarter's dates; term and ad hoc: `starts_on` and `ends_on` required.
    A second yearly (or quarterly) period for the same year (quarter) on the node, an
    ancestor or a descendant → 409: a member is reviewed once a year. Yearly and quarterly
    periods only at the top of a tree, a superior committee or a đảng bộ cơ sở (a chi bộ
    → 409 on `kind`); a term lasts at most 5 years and ends in `year`, an ad hoc period
    lies within `year`, and `ends_on` is at most a year from today. Without the `decide`
    capability at the node → 403."""
    user = user_of(request)
    org = _node(user, payload.organisation_id)
    period = actions.open_period(
        org,
        by=user,
        kind=payload.kind,
        year=payload.year,
        quarter=payload.quarter,
        name=payload.name,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
    )
    return Status(201, period_out(period))


@router.get(
    "/review-periods/{period_id}",
    response={200: PeriodDetailOut, **READ_ERRORS},
    url_name="review-period",
)
def get_period(request: HttpRequest, period_id: int, filters: Query[NodeFilter]) -> dict[str, Any]:
    """One review period with its progress per child of `organisation` (active members,
    exempted, self-assessed, proposed, decided, published)."""
    user = user_of(request)
    period = visible_period(user, period_id)
    node = _node_in(user, period, filters.organisation)
    lines = progress.period_progress(period, node)
    return {
        **period_out(period),
        "progress_organisation_id": node.pk,
        "progress": [_progress_out(line) for line in lines],
        "can_open": can_open_period(user, period.organisation),
    }


@router.post(
    "/review-periods/{period_id}/close",
    response={200: PeriodOut, **WRITE_ERRORS},
    url_name="review-period-close",
)
def close_period(request: HttpRequest, period_id: int, payload: ClosePeriodIn) -> dict[str, Any]:
    """Close a review period (no more writes in it). Only the committee that opened it
    (`decide` at its node) → otherwise 403."""
    user = user_of(request)
    period = visible_period(user, period_id)
    actions.close_period(period, by=user, closed_on=payload.closed_on)
    return period_out(visible_period(user, period_id))


@router.get(
    "/review-periods/{period_id}/quotas",
    response={200: QuotaPage, **READ_ERRORS},
    url_name="review-period-quotas",
)
def get_quotas(request: HttpRequest, period_id: int, filters: Query[NodeFilter]) -> dict[str, Any]:
    """Use of the quota on "excellent" (132/124-QĐ/TW, `review.excellent_quota_percent`,
    20% [U]) for `organisation` and each branch under it: those rated good or better,
    those rated excellent, how many excellent are allowed (floor(n × 20%)) and whether the
    quota is exceeded; the chi bộ's proposals and the committee's decisions separately."""
    user = user_of(request)
    period = visible_period(user, period_id)
    node = _node_in(user, period, filters.organisation)
    items = [_quota_out(line) for line in quotas.quota_usage(period, node)]
    return {"count": len(items), "items": items}


# ---- member reviews ----------------------------------------------------------------------


class ReviewFilters(Page):
    period: int | None = Field(None, description="Kỳ đánh giá")
    organisation: int | None = Field(None, description="Tổ chức: cả cây con")
    stage: ReviewStage | None = Field(None, description=STAGE_DOC)
    rating: Rating | None = Field(
        None, description="Xếp loại hiện tại (đã quyết định, nếu chưa thì đề xuất, tự xếp loại)"
    )
    q: str = Field("", max_length=200, description="Tên đảng viên, không phân biệt dấu")


class ReviewItem(Schema):
    id: int
    period_id: int
    period_name: str
    member_id: int
    full_name: str
    branch_id: int
    branch_name: str
    stage: ReviewStage
    stage_label: str
    self_score: float
    self_rating: Rating
    branch_score: float | None
    proposed_rating: RatingOrKeep
    decided_rating: RatingOrKeep
    rating: Rating = Field(description="Xếp loại đến bước đã làm: quyết định, đề xuất, tự xếp")
    rating_label: str
    on_time_percent: int
    beyond_percent: int
    degraded: bool
    branch_in_favour: int | None = Field(
        description="Số đảng viên chi bộ biểu quyết tán thành mức đề xuất (null: không ghi)"
    )
    branch_denominator: int | None = Field(
        description="Số đảng viên được tính tỷ lệ biểu quyết ngày chi bộ họp"
    )


class ReviewPage(Schema):
    count: int
    items: list[ReviewItem]


class ReviewOut(ReviewItem):
    self_scores: dict[str, Any]
    self_comment: str
    self_assessed_on: date
    branch_comment: str
    branch_reviewed_on: date | None
    branch_resolution_no: str
    decider_id: int | None
    decider_name: str | None
    decision_no: str
    decided_on: date | None
    decision_note: str
    published_on: date | None
    by: str | None
    at: datetime


class SelfAssessmentIn(Schema):
    period_id: Id
    member_id: Id
    self_score: Score
    self_rating: Rating = Field(description=RATING_DOC)
    assessed_on: Day
    on_time_percent: Percent = Field(100, description="% nhiệm vụ hoàn thành đúng hạn")
    beyond_percent: Percent = Field(0, description="% nhiệm vụ vượt yêu cầu")
    self_scores: dict[Annotated[str, Field(min_length=1, max_length=200)], Score] | None = Field(
        None, description="Điểm theo từng tiêu chí của khung 100 điểm"
    )
    self_comment: Comment = ""


def _reviews() -> QuerySet[MemberReview]:
    return MemberReview.objects.select_related(
        "member__person", "branch", "period", "decider", "by"
    )


def rated(rating: str, *, proposed: bool = True) -> Q:
    """Rows whose rating as far as the steps went (decided, else proposed, else self-rated:
    ``MemberReview.rating``) is ``rating``."""
    steps = ["decided_rating", "proposed_rating"] if proposed else ["decided_rating"]
    found = Q(self_rating=rating, **{step: "" for step in steps})
    for i, step in enumerate(steps):
        found |= Q(**{step: rating}, **{earlier: "" for earlier in steps[:i]})
    return found


_Reviews = TypeVar("_Reviews", QuerySet[MemberReview], QuerySet[OrganisationReview])


def _filtered(
    rows: _Reviews, user: "User", filters: "ReviewFilters | OrgReviewFilters", *, proposed: bool
) -> _Reviews:
    """The filters both review lists share: ``period`` (one the user sees, else 404),
    ``organisation`` (its subtree; outside the user's scope → 404), ``stage`` and
    ``rating`` (as far as the steps went, ``rated``; ``proposed`` False for organisations,
    which have no proposal step)."""
    if filters.period is not None:
        rows = rows.filter(period=visible_period(user, filters.period))
    if filters.organisation is not None:
        rows = rows.filter(org_path__startswith=_node(user, filters.organisation).path)
    if filters.stage is not None:
        rows = rows.filter(stage=filters.stage)
    if filters.rating is not None:
        rows = rows.filter(rated(filters.rating, proposed=proposed))
    return rows


def visible_reviews(user: "User") -> QuerySet[MemberReview]:
    """Reviews of members of branches in the user's scope (the branch at review time)."""
    return _reviews().filter(in_scope(user, "org_path"))


def _rating_out(review: MemberReview | OrganisationReview) -> dict[str, Any]:
    """What a member's and an organisation's review both show of their period, stage,
    self-assessment and rating."""
    return {
        "id": review.pk,
        "period_id": review.period_id,
        "period_name": review.period.name,
        "stage": review.stage,
        "stage_label": _label(Stage, review.stage),
        "self_score": _score(review.self_score),
        "self_rating": review.self_rating,
        "on_time_percent": review.on_time_percent,
        "beyond_percent": review.beyond_percent,
        "decided_rating": review.decided_rating,
        "rating": review.rating,
        "rating_label": _label(Rating, review.rating),
    }


def _decision_out(review: MemberReview | OrganisationReview) -> dict[str, Any]:
    """The self-assessment's comment and day, and the committee's decision, of a member's
    or an organisation's review."""
    return {
        "self_comment": review.self_comment,
        "self_assessed_on": review.self_assessed_on,
        "decider_id": review.decider_id,
        "decision_no": review.decision_no,
        "decided_on": review.decided_on,
        "decision_note": review.decision_note,
        "published_on": review.published_on,
    }


def review_item(review: MemberReview) -> dict[str, Any]:
    return {
        **_rating_out(review),
        "member_id": review.member_id,
        "full_name": review.member.person.full_name,
        "branch_id": review.branch_id,
        "branch_name": review.branch.name,
        "branch_score": _score(review.branch_score),
        "proposed_rating": review.proposed_rating,
        "degraded": review.degraded,
        "branch_in_favour": review.branch_in_favour,
        "branch_denominator": review.branch_denominator,
    }


def review_out(review: MemberReview) -> dict[str, Any]:
    return {
        **review_item(review),
        **_decision_out(review),
        "self_scores": dict(review.self_scores or {}),
        "branch_comment": review.branch_comment,
        "branch_reviewed_on": review.branch_reviewed_on,
        "branch_resolution_no": review.branch_resolution_no,
        "decider_name": review.decider.name if review.decider else None,
        "by": user_name(review.by),
        "at": timezone.localtime(review.at),
    }


@router.get("/reviews", response={200: ReviewPage, **READ_ERRORS}, url_name="reviews")
def list_reviews(request: HttpRequest, filters: Query[ReviewFilters]) -> dict[str, Any]:
    """Member reviews in the user's subtree, by period (newest first), branch and name.
    `rating` filters on the rating as far as the steps went (decided, else proposed,
    else self-rated); `q` ignores case and Vietnamese diacritics."""
    user = user_of(request)
    rows = _filtered(visible_reviews(user), user, filters, proposed=True)
    if filters.q.strip():
        rows = rows.filter(search_filter(filters.q.strip(), via="member__person"))
    rows = rows.order_by(
        "-period__year", "-period__starts_on", "period_id", "branch__sort_key",
        "member__person__sort_key", "pk",
    )  # fmt: skip
    page = rows[filters.offset : filters.offset + filters.limit]
    return {"count": rows.count(), "items": [review_item(r) for r in page]}


@router.get("/reviews/{int:review_id}", response={200: ReviewOut, **READ_ERRORS}, url_name="review")
def get_review(request: HttpRequest, review_id: int) -> dict[str, Any]:
    """One member review: the self-assessment, the chi bộ's review and proposal, the
    committee's decision and its publication."""
    return review_out(get_object_or_404(visible_reviews(user_of(request)), pk=review_id))


@router.post(
    "/reviews/self-assessments",
    response={200: ReviewOut, 201: ReviewOut, **WRITE_ERRORS},
    url_name="review-self-assessment",
)
def record_self_assessment(
    request: HttpRequest, payload: SelfAssessmentIn
) -> Status[dict[str, Any]]:
    """Record a member's self-assessment on the 100-point framework (366-QĐ/TW): 201 the
    first time, 200 when it updates one not yet reviewed by the chi bộ. The self-rating
    may not exceed the highest rating the score allows (366-QĐ/TW Art. 11: excellent ≥ 90
    with 100% on time and ≥ 30% beyond requirements; good ≥ 70 with 100% on time;
    complete ≥ 50 with at most 20% late) → 409 naming the condition missed. A member
    exempted from party work is not rated, nor one outside the period → 409."""
    user = user_of(request)
    period = visible_period(user, payload.period_id)
    member = get_object_or_404(visible_members(user), pk=payload.member_id)
    existed = MemberReview.objects.filter(period=period, member=member).exists()
    review = actions.record_self_assessment(
        period,
        member,
        by=user,
        **payload.model_dump(exclude={"period_id", "member_id", "self_scores"}),
        self_scores={k: str(v) for k, v in (payload.self_scores or {}).items()} or None,
    )
    answer = review_out(_reviews().get(pk=review.pk))
    return Status(200 if existed else 201, answer)


@router.get(
    "/members/{member_id}/reviews",
    response={200: ReviewPage, **READ_ERRORS},
    url_name="member-reviews",
)
def member_reviews(request: HttpRequest, member_id: int) -> dict[str, Any]:
    """A member's reviews over the periods, newest first."""
    member = get_object_or_404(visible_members(user_of(request)), pk=member_id)
    ids = [r.pk for r in history.member_history(member)]
    found = {r.pk: r for r in _reviews().filter(pk__in=ids)}
    items = [review_item(found[pk]) for pk in ids if pk in found]
    return {"count": len(items), "items": items}


# ---- bulk answers ------------------------------------------------------------------------


class RowResultOut(Schema):
    member_id: int = Field(description="Đảng viên (với đánh giá tổ chức: tổ chức)")
    name: str
    ok: bool
    message: str = Field(description="Lý do bị từ chối (rỗng khi dòng hợp lệ)")
    field: str = Field(description="Trường sai của dòng (rỗng: cả dòng)")


class BulkOut(Schema):
    count: int = Field(description="Số dòng đã ghi (không tính dòng trống được bỏ qua)")
    results: list[RowResultOut]


class BulkErrorDetail(ErrorDetail):
    results: list[RowResultOut] = Field(
        description="Kết quả từng dòng: dòng nào sai, vì sao; các dòng khác `ok`"
    )


class BulkErrorOut(Schema):
    error: BulkErrorDetail


BULK_ERRORS = {**WRITE_ERRORS, 409: BulkErrorOut}


def _result_out(result: Any) -> dict[str, Any]:
    return {
        "member_id": result.member_id,
        "name": result.name,
        "ok": result.ok,
        "message": result.message,
        "field": result.field,
    }


def _bulk_out(results: Sequence[Any]) -> Status[dict[str, Any]]:
    """200 for a bulk write that went through: how many rows were written, and each row's
    result."""
    saved = sum(1 for r in results if r.ok and not r.skipped)
    return Status(200, {"count": saved, "results": [_result_out(r) for r in results]})


def _refused(
    refused: "actions.BulkRefused", where: str, index: dict[int, int]
) -> Status[dict[str, Any]]:
    """409 in the API's error shape, ``fields`` keyed ``<where>.<i>.<field>`` (the row of
    the request at fault) and every row's result in ``results``."""
    fields: dict[str, str] = {where: str(refused)}
    for result in refused.results:
        if result.ok:
            continue
        i = index.get(result.member_id)
        key = where if i is None else f"{where}.{i}"
        if i is not None and result.field:
            key = f"{key}.{result.field}"
        fields.setdefault(key, result.message)
    body = {
        "error": {
            "code": refused.code,
            "message": str(refused),
            "fields": fields,
            "results": [_result_out(r) for r in refused.results],
        }
    }
    return Status(409, body)


def _unique(ids: Iterable[int], what: str) -> None:
    seen: set[int] = set()
    for pk in ids:
        if pk in seen:
            raise ValueError(f"{what} {pk} xuất hiện nhiều lần.")
        seen.add(pk)


# ---- the branch sheet --------------------------------------------------------------------


class SheetRowIn(Schema):
    member_id: Id
    self_score: Score | None = Field(
        None, description="Điểm tự chấm (khi đảng viên chưa tự đánh giá)"
    )
    self_rating: RatingOrKeep = Field("", description="Tự xếp loại (như trên)")
    branch_score: Score | None = Field(None, description="Điểm chi bộ chấm")
    proposed_rating: RatingOrKeep = Field("", description="Chi bộ đề xuất xếp loại")
    on_time_percent: Percent = Field(100, description="% nhiệm vụ hoàn thành đúng hạn")
    beyond_percent: Percent = Field(0, description="% nhiệm vụ vượt yêu cầu")
    degraded: bool = Field(False, description="Bị kết luận suy thoái, “tự diễn biến”")
    branch_comment: Comment = ""
    in_favour: Annotated[int, Field(ge=0, le=100_000)] | None = Field(
        None,
        description="Số đảng viên biểu quyết tán thành mức đề xuất (bỏ trống: không ghi). "
        "Tính trên số đảng viên được tính tỷ lệ biểu quyết ngày họp; cần đạt `vote.review` "
        "(trên 1/2 [U])",
    )


class SheetIn(Schema):
    held_on: Day = Field(description="Ngày chi bộ họp kiểm điểm")
    resolution_no: str = Field(..., min_length=1, max_length=50, description="Số nghị quyết")
    rows: list[SheetRowIn] = Field(..., min_length=1, max_length=20000)

    @field_validator("rows")
    @classmethod
    def _one_row_a_member(cls, rows: list[SheetRowIn]) -> list[SheetRowIn]:
        _unique((r.member_id for r in rows), "Đảng viên")
        return rows


class SheetLineOut(Schema):
    member_id: int
    full_name: str
    status: str
    exempted: bool = Field(description="Được miễn sinh hoạt: không xếp loại")
    disciplined: bool = Field(description="Bị kỷ luật trong kỳ: xếp loại bị giới hạn")
    highest: RatingOrKeep = Field(description="Xếp loại cao nhất điểm cho phép (rỗng: chưa chấm)")
    why: str = Field(description="Vì sao không được mức cao hơn (rỗng: xuất sắc hoặc chưa chấm)")
    review: ReviewItem | None


class SheetOut(Schema):
    period_id: int
    branch_id: int
    branch_name: str
    can_fill: bool = Field(description="Người dùng được lập phiếu của chi bộ")
    lines: list[SheetLineOut]


def _branch_in(user: "User", period: ReviewPeriod, branch_id: int) -> Organisation:
    branch = _node(user, branch_id)
    if not covers(period, branch):
        raise Http404
    return branch


@router.get(
    "/review-periods/{period_id}/sheets/{branch_id}",
    response={200: SheetOut, **READ_ERRORS},
    url_name="review-sheet",
)
def get_sheet(request: HttpRequest, period_id: int, branch_id: int) -> dict[str, Any]:
    """The chi bộ's review sheet: every active member of the branch, by name, with their
    review (or null), whether they are exempted (not rated) or disciplined in the period
    (rating capped), and the highest rating their score allows."""
    user = user_of(request)
    period = visible_period(user, period_id)
    branch = _branch_in(user, period, branch_id)
    lines = sheets.sheet_rows(period, branch)
    reviews = {
        r.pk: r for r in _reviews().filter(pk__in=[line.review.pk for line in lines if line.review])
    }
    return {
        "period_id": period.pk,
        "branch_id": branch.pk,
        "branch_name": branch.name,
        "can_fill": can_fill_sheet(user, branch),
        "lines": [_sheet_line_out(line, reviews) for line in lines],
    }


@router.post(
    "/review-periods/{period_id}/sheets/{branch_id}",
    response={200: BulkOut, **BULK_ERRORS},
    url_name="review-sheet-save",
)
def save_sheet(
    request: HttpRequest, period_id: int, branch_id: int, payload: SheetIn
) -> Status[dict[str, Any]]:
    """Save the chi bộ's review of many members at once (366-QĐ/TW; 124-QĐ/TW Art. 12):
    each row's scores and proposed rating (`branch_proposed`); the self part is taken from
    the row when the member did not self-assess. A row with no proposed rating and no
    scores is skipped. Each row is checked (active member of the branch, not exempted —
    366-QĐ/TW [U] —, not yet decided, rating no higher than the score allows), then the
    branch quota on "excellent" (20% of those rated good or better [U]). `in_favour`, when
    given, is the chi bộ's vote on the proposed rating: counted against the official
    members who count on `held_on` (not negative, not above them) and needing more than
    1/2 (`vote.review` [U]); both counts are stored on the review. A row naming someone
    who is not a member of the branch is refused without their name. `count` in the
    answer: the rows saved (empty rows skipped are not counted).

    All or nothing: on any problem nothing is saved and the answer is **409** in the
    error shape `{"error": {"code", "message", "fields", "results"}}` where `fields` is
    keyed `rows.<i>.<field>` (the request's row at fault) and `error.results` lists every
    row with `ok`, `message` and `field`, so a client shows which member failed and why.
    Without `branch_moves` at the branch → 403."""
    user = user_of(request)
    period = visible_period(user, period_id)
    branch = _branch_in(user, period, branch_id)
    rows = [actions.SheetRow(**row.model_dump()) for row in payload.rows]
    try:
        results = actions.save_branch_sheet(
            period,
            branch,
            by=user,
            held_on=payload.held_on,
            resolution_no=payload.resolution_no,
            rows=rows,
        )
    except actions.BulkRefused as refused:
        index = {row.member_id: i for i, row in enumerate(payload.rows)}
        return _refused(refused, "rows", index)
    return _bulk_out(results)


# ---- the committee's decision --------------------------------------------------------------


class DecisionItemIn(Schema):
    review_id: Id
    rating: RatingOrKeep = Field(
        "", description="Xếp loại quyết định (rỗng: giữ đề xuất của chi bộ). " + RATING_DOC
    )


class DecisionIn(Schema):
    organisation_id: Id = Field(description="Cấp ủy quyết định")
    decision_no: str = Field(..., min_length=1, max_length=50)
    decided_on: Day
    items: list[DecisionItemIn] = Field(..., min_length=1, max_length=50000)
    note: Text = ""

    @field_validator("items")
    @classmethod
    def _one_item_a_review(cls, items: list[DecisionItemIn]) -> list[DecisionItemIn]:
        _unique((i.review_id for i in items), "Đánh giá")
        return items


class PublishIn(Schema):
    organisation_id: Id = Field(description="Cấp ủy đã quyết định")
    published_on: Day


class PublishOut(Schema):
    published: int = Field(description="Số đánh giá đã công khai")


class DecisionLineOut(Schema):
    review_id: int
    member_id: int
    full_name: str
    branch_id: int
    branch_name: str
    stage: ReviewStage
    self_score: float | None
    self_rating: RatingOrKeep
    branch_score: float | None
    proposed_rating: RatingOrKeep
    decided_rating: RatingOrKeep
    disciplined: bool = Field(description="Bị kỷ luật trong kỳ: xếp loại bị giới hạn")
    highest: RatingOrKeep = Field(description="Xếp loại cao nhất điểm cho phép")
    why: str = Field(description="Vì sao không được mức cao hơn")
    proposal_allowed: bool = Field(description="Đề xuất của chi bộ không vượt mức cho phép")


class DecisionsOut(Schema):
    organisation_id: int
    organisation_name: str
    can_decide: bool = Field(description="Người dùng được quyết định xếp loại tại cấp ủy này")
    count: int
    items: list[DecisionLineOut]


class DeciderIn(Schema):
    organisation: int | None = Field(
        None,
        description="Cấp ủy quyết định (mặc định: tổ chức của kỳ, hoặc tổ chức cao nhất của "
        "người dùng thuộc kỳ)",
    )


@router.get(
    "/review-periods/{period_id}/decisions",
    response={200: DecisionsOut, **READ_ERRORS},
    url_name="review-decisions",
)
def get_decisions(
    request: HttpRequest, period_id: int, filters: Query[DeciderIn]
) -> dict[str, Any]:
    """The member reviews awaiting or having the decision of the committee `organisation`
    (the chi bộ's proposal and the decided rating), by branch and name."""
    user = user_of(request)
    period = visible_period(user, period_id)
    decider = _node_in(user, period, filters.organisation)
    items = [_decision_line_out(line) for line in sheets.decision_rows(period, decider)]
    return {
        "organisation_id": decider.pk,
        "organisation_name": decider.name,
        "can_decide": can_decide_ratings(user, decider),
        "count": len(items),
        "items": items,
    }


@router.post(
    "/review-periods/{period_id}/decisions",
    response={200: BulkOut, **BULK_ERRORS},
    url_name="review-decide",
)
def decide(request: HttpRequest, period_id: int, payload: DecisionIn) -> Status[dict[str, Any]]:
    """The committee decides the ratings of many members at once (366-QĐ/TW; 124-QĐ/TW
    Art. 12: "cấp ủy cơ sở quyết định xếp loại đảng viên"). Each item names a review at
    `branch_proposed` that this committee decides; `rating` empty confirms the chi bộ's
    proposal. Checked: the rating no higher than the score allows, the quota on
    "excellent" per branch and for the committee (20% of those rated good or better
    [U], each rating counted as decided, else as proposed). An item naming a review
    outside the committee's subtree is answered as unknown, without a name. A second
    failed year running writes the member's timeline row (Charter Art. 8).

    All or nothing: on any problem nothing is decided and the answer is **409** in the
    error shape `{"error": {"code", "message", "fields", "results"}}` where `fields` is
    keyed `items.<i>.<field>` and `error.results` lists every member with `ok`, `message`
    and `field`. Without `decide` at the committee → 403."""
    return _decide(request, period_id, payload, actions.decide_ratings, MemberReview, "member_id")


@router.post(
    "/review-periods/{period_id}/publish",
    response={200: PublishOut, **WRITE_ERRORS},
    url_name="review-publish",
)
def publish(request: HttpRequest, period_id: int, payload: PublishIn) -> dict[str, Any]:
    """Publish the ratings the committee `organisation_id` decided in the period (decided
    → published; 366-QĐ/TW: the committee decides and publishes). Without `decide` at the
    committee → 403."""
    user = user_of(request)
    period = visible_period(user, period_id)
    decider = _node_in(user, period, payload.organisation_id)
    count = actions.publish_ratings(period, decider, by=user, published_on=payload.published_on)
    return {"published": count}


def _index(ids: Sequence[int], owner: dict[int, int]) -> dict[int, int]:
    """The request's position of each row, keyed by whom the row is about."""
    return {owner[pk]: i for i, pk in enumerate(ids) if pk in owner}


def _decide(
    request: HttpRequest,
    period_id: int,
    payload: DecisionIn,
    decide_ratings: Callable[..., list["actions.RowResult"]],
    model: type[MemberReview] | type[OrganisationReview],
    about: str,
) -> Status[dict[str, Any]]:
    """Both bulk decisions: the committee ``payload.organisation_id`` decides the items
    with ``decide_ratings`` (all or nothing); on a refusal, 409 with ``fields`` keyed
    ``items.<i>.<field>``, the rows matched to the request by ``about`` (the field of
    ``model`` naming whom the review is about)."""
    user = user_of(request)
    period = visible_period(user, period_id)
    decider = _node_in(user, period, payload.organisation_id)
    items = [actions.DecisionItem(review_id=i.review_id, rating=i.rating) for i in payload.items]
    try:
        results = decide_ratings(
            period,
            decider,
            by=user,
            decision_no=payload.decision_no,
            decided_on=payload.decided_on,
            items=items,
            note=payload.note,
        )
    except actions.BulkRefused as refused:
        ids = [i.review_id for i in payload.items]
        owner = dict(model.objects.filter(pk__in=ids).values_list("pk", about))
        return _refused(refused, "items", _index(ids, owner))
    return _bulk_out(results)


# ---- organisations' reviews ------------------------------------------------------------------


class OrgReviewFilters(Page):
    period: int | None = Field(None, description="Kỳ đánh giá")
    organisation: int | None = Field(None, description="Tổ chức: cả cây con")
    stage: ReviewStage | None = Field(None, description=STAGE_DOC)
    rating: Rating | None = Field(None, description="Xếp loại (đã quyết định, nếu chưa thì tự xếp)")


class OrgReviewIn(Schema):
    period_id: Id
    organisation_id: Id
    self_score: Score
    self_rating: Rating = Field(description=RATING_DOC)
    assessed_on: Day
    on_time_percent: Percent = Field(100, description="% nhiệm vụ hoàn thành đúng hạn")
    beyond_percent: Percent = Field(0, description="% nhiệm vụ vượt yêu cầu")
    shortcomings_fixed: bool = Field(True, description="Hạn chế đã chỉ ra được khắc phục 100%")
    disciplined: bool = Field(
        False, description="Tập thể, tổ chức trực thuộc hoặc cấp ủy viên bị kỷ luật trong kỳ"
    )
    self_comment: Comment = ""


class OrgReviewOut(Schema):
    id: int
    period_id: int
    period_name: str
    organisation_id: int
    organisation_name: str
    stage: ReviewStage
    stage_label: str
    self_score: float
    self_rating: Rating
    on_time_percent: int
    beyond_percent: int
    shortcomings_fixed: bool
    disciplined: bool
    self_comment: str
    self_assessed_on: date
    decided_rating: RatingOrKeep
    rating: Rating
    rating_label: str
    decider_id: int | None
    decision_no: str
    decided_on: date | None
    decision_note: str
    published_on: date | None


class OrgReviewPage(Schema):
    count: int
    items: list[OrgReviewOut]


def _org_reviews() -> QuerySet[OrganisationReview]:
    return OrganisationReview.objects.select_related("organisation", "period")


def org_review_out(review: OrganisationReview) -> dict[str, Any]:
    return {
        **_rating_out(review),
        **_decision_out(review),
        "organisation_id": review.organisation_id,
        "organisation_name": review.organisation.name,
        "shortcomings_fixed": review.shortcomings_fixed,
        "disciplined": review.disciplined,
    }


@router.get(
    "/organisation-reviews",
    response={200: OrgReviewPage, **READ_ERRORS},
    url_name="organisation-reviews",
)
def list_org_reviews(request: HttpRequest, filters: Query[OrgReviewFilters]) -> dict[str, Any]:
    """Party organisations' own reviews and ratings (366-QĐ/TW: the same four ratings, the
    collective's criteria) in the user's subtree, by period and name."""
    user = user_of(request)
    rows = _filtered(
        _org_reviews().filter(in_scope(user, "org_path")), user, filters, proposed=False
    )
    rows = rows.order_by("-period__year", "period_id", "organisation__sort_key", "pk")
    page = rows[filters.offset : filters.offset + filters.limit]
    return {"count": rows.count(), "items": [org_review_out(r) for r in page]}


@router.post(
    "/organisation-reviews",
    response={200: OrgReviewOut, 201: OrgReviewOut, **WRITE_ERRORS},
    url_name="organisation-review-record",
)
def record_org_assessment(request: HttpRequest, payload: OrgReviewIn) -> Status[dict[str, Any]]:
    """Record an organisation's self-assessment (201 the first time, 200 when it updates
    one not yet decided). Its rating may not exceed what the score allows; "excellent"
    also needs the shortcomings fixed and no discipline in the collective (366-QĐ/TW
    Art. 11; 124-QĐ/TW) → 409. Recorded by the organisation's own committee
    (`branch_moves` at a chi bộ, `decide` at a grassroots organisation or above) → 403."""
    user = user_of(request)
    period = visible_period(user, payload.period_id)
    org = _node(user, payload.organisation_id)
    if not covers(period, org):
        raise Http404
    existed = OrganisationReview.objects.filter(period=period, organisation=org).exists()
    review = actions.record_org_assessment(
        period, org, by=user, **payload.model_dump(exclude={"period_id", "organisation_id"})
    )
    return Status(200 if existed else 201, org_review_out(_org_reviews().get(pk=review.pk)))


@router.post(
    "/review-periods/{period_id}/organisation-decisions",
    response={200: BulkOut, **BULK_ERRORS},
    url_name="organisation-decide",
)
def decide_orgs(
    request: HttpRequest, period_id: int, payload: DecisionIn
) -> Status[dict[str, Any]]:
    """The committee decides the ratings of the organisations it rates (the committee
    directly above each), many at once; `review_id` is an organisation review's id and
    `rating` empty confirms the self-rating. Checked: the rating no higher than the score
    allows, and the quota on "excellent" among the organisations this committee rates
    (132/124-QĐ/TW, 20% [U]).

    All or nothing: on any problem nothing is decided and the answer is **409** in the
    error shape with `fields` keyed `items.<i>.<field>` and `error.results` per
    organisation (`member_id` holds the organisation's id). Without `decide` → 403."""
    return _decide(
        request,
        period_id,
        payload,
        actions.decide_org_ratings,
        OrganisationReview,
        "organisation_id",
    )


# ---- disciplines -------------------------------------------------------------------------


class DisciplineIn(Schema):
    penalty: Penalty = Field(description=PENALTY_DOC)
    decided_on: Day
    decision_no: str = Field(..., min_length=1, max_length=50)
    body: str = Field(..., min_length=1, max_length=200, description="Cấp quyết định")
    reason: str = Field(..., min_length=1, max_length=2000, description="Nội dung vi phạm")
    self_reported: bool = Field(
        False, description="Tự phát hiện và khắc phục xong (124-QĐ/TW: không tính khi xếp loại)"
    )
    already_counted: bool = Field(
        False, description="Vi phạm đã tính khi xếp loại kỳ trước (chỉ tính một lần)"
    )


class DisciplineOut(Schema):
    id: int
    member_id: int
    penalty: Penalty
    penalty_label: str
    decided_on: date
    decision_no: str
    body: str
    reason: str
    self_reported: bool
    already_counted: bool
    by: str | None
    at: datetime


class DisciplinePage(Schema):
    count: int
    items: list[DisciplineOut]


def discipline_out(row: Discipline) -> dict[str, Any]:
    return {
        "id": row.pk,
        "member_id": row.member_id,
        "penalty": row.penalty,
        "penalty_label": _label(Penalty, row.penalty),
        "decided_on": row.decided_on,
        "decision_no": row.decision_no,
        "body": row.body,
        "reason": row.reason,
        "self_reported": row.self_reported,
        "already_counted": row.already_counted,
        "by": user_name(row.by),
        "at": timezone.localtime(row.at),
    }


@router.get(
    "/members/{member_id}/disciplines",
    response={200: DisciplinePage, **READ_ERRORS},
    url_name="member-disciplines",
)
def list_disciplines(request: HttpRequest, member_id: int) -> dict[str, Any]:
    """A member's disciplinary decisions, oldest first (they cap the rating of the period
    they fall in: `review.disciplined_max_rating`; 16-HD/BTCTW 2018)."""
    member = get_object_or_404(visible_members(user_of(request)), pk=member_id)
    items = [discipline_out(d) for d in member.disciplines.select_related("by")]
    return {"count": len(items), "items": items}


@router.post(
    "/members/{member_id}/disciplines",
    response={201: DisciplineOut, **WRITE_ERRORS},
    url_name="member-discipline-record",
)
def record_discipline(
    request: HttpRequest, member_id: int, payload: DisciplineIn
) -> Status[dict[str, Any]]:
    """Record a disciplinary decision on a member (reprimand, warning, dismissal; Charter
    Art. 35): it caps the rating of the period it falls in unless self-reported or already
    counted (16-HD/BTCTW 2018: one violation counts once), and writes a timeline row.
    Expulsion is recorded with `POST /members/{id}/record-expulsion`. Without
    `branch_moves` or `decide` over the member → 403."""
    user = user_of(request)
    member = get_object_or_404(visible_members(user), pk=member_id)
    row = actions.record_discipline(member, by=user, **payload.model_dump())
    return Status(201, discipline_out(Discipline.objects.select_related("by").get(pk=row.pk)))


# ---- lines of the review queries -------------------------------------------------------------


def _progress_out(line: progress.ProgressLine) -> dict[str, Any]:
    return {
        "organisation_id": line.organisation.pk,
        "organisation_name": line.organisation.name,
        "active": line.active,
        "exempted": line.exempted,
        "to_rate": line.to_rate,
        "self_assessed": line.self_assessed,
        "proposed": line.proposed,
        "decided": line.decided,
        "published": line.published,
        "not_started": line.not_started,
    }


def _quota_count(count: quotas.QuotaCount) -> dict[str, Any]:
    return {
        "good_or_better": count.good_or_better,
        "excellent": count.excellent,
        "allowed": count.allowed,
        "over": count.over,
    }


def _quota_out(line: quotas.QuotaLine) -> dict[str, Any]:
    return {
        "organisation_id": line.organisation.pk,
        "organisation_name": line.organisation.name,
        "committee": line.committee,
        "percent": line.percent,
        "proposed": _quota_count(line.proposed),
        "decided": _quota_count(line.decided),
        "over": line.over,
    }


def _sheet_line_out(line: sheets.SheetLine, reviews: dict[int, MemberReview]) -> dict[str, Any]:
    review = reviews.get(line.review.pk) if line.review is not None else None
    return {
        "member_id": line.member.pk,
        "full_name": line.member.person.full_name,
        "status": line.member.status,
        "exempted": line.exempted,
        "disciplined": line.disciplined,
        "highest": line.highest,
        "why": line.why,
        "review": review_item(review) if review is not None else None,
    }


def _decision_line_out(line: sheets.DecisionLine) -> dict[str, Any]:
    return {
        "review_id": line.review_id,
        "member_id": line.member_id,
        "full_name": line.member_name,
        "branch_id": line.branch_id,
        "branch_name": line.branch_name,
        "stage": line.stage,
        "self_score": _score(line.self_score),  # type: ignore[arg-type]
        "self_rating": line.self_rating,
        "branch_score": _score(line.branch_score),  # type: ignore[arg-type]
        "proposed_rating": line.proposed_rating,
        "decided_rating": line.decided_rating,
        "disciplined": line.disciplined,
        "highest": line.highest,
        "why": line.why,
        "proposal_allowed": line.proposal_allowed,
    }
