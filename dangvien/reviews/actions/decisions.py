"""The committee's decision on many members' ratings at once, and publication (366-QĐ/TW;
124-QĐ/TW Art. 12 [C]: the competent committee decides and publishes; DOMAIN.md §4).

Built for a grassroots organisation's 10,000 members in one call (issue 7: under 10 s on
PostgreSQL, in one transaction): everything is read in a fixed number of queries, checked
in Python, then written with one UPDATE per distinct rating and bulk-inserted timeline
rows. One bad item refuses the whole batch (``BulkRefused``) and nothing changes.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import Count, Max, Q

from dangvien.core.actions import action
from dangvien.core.errors import NotEligible
from dangvien.members.models import ACTIVE_STATUSES, Event, Member, StatusChange
from dangvien.organisations.models import Organisation
from dangvien.reviews.actions._common import (
    DONE,
    EXEMPTED,
    GOOD_OR_BETTER,
    DecisionItem,
    RowResult,
    allowed,
    checked_items,
    counts,
    day_text,
    decision_head,
    exempted_on,
    exemptions_of,
    item_rating,
    not_future,
    over_quota,
    rating_day,
    user_of,
    write_decisions,
)
from dangvien.reviews.models import (
    MemberReview,
    OrganisationReview,
    PeriodKind,
    Rating,
    ReviewPeriod,
    Stage,
)
from dangvien.reviews.queries.access import can_decide_ratings
from dangvien.reviews.queries.sheets import (
    decided_scope,
    decides,
    deciding_below,
    disciplined_ids,
)
from dangvien.reviews.rating import Thresholds, label, problem, quota_text, thresholds_for

BATCH = 2000
REMOVAL_SOURCE = "Điều lệ Đảng Điều 8"


class _Review(NamedTuple):
    """What the decision reads of a review: plain values, no model instances (10,000 of
    them at once)."""

    pk: int
    member_id: int
    branch_id: int
    org_path: str
    stage: str
    self_score: Decimal
    branch_score: Decimal | None
    on_time_percent: int
    beyond_percent: int
    degraded: bool
    proposed_rating: str
    decided_rating: str
    branch_reviewed_on: date | None
    status: str
    name: str


REVIEW_FIELDS = (
    "pk",
    "member_id",
    "branch_id",
    "org_path",
    "stage",
    "self_score",
    "branch_score",
    "on_time_percent",
    "beyond_percent",
    "degraded",
    "proposed_rating",
    "decided_rating",
    "branch_reviewed_on",
    "member__status",
)


def _locked_reviews(
    period: ReviewPeriod, decider: Organisation, ids: list[int]
) -> dict[int, _Review]:
    """The reviews asked for within the decider's subtree, locked with their members (no
    status change slips in while the decision is written), and the members' names; two
    queries. A review elsewhere is not read at all: the answer names nobody outside the
    committee's own subtree."""
    rows = list(
        MemberReview.objects.select_for_update()
        .filter(period=period, pk__in=ids, org_path__startswith=decider.path)
        .values_list(*REVIEW_FIELDS)
    )
    names = {
        pk: " ".join(p for p in parts if p)
        for pk, *parts in Member.objects.filter(pk__in=[row[1] for row in rows]).values_list(
            "pk", "person__family_name", "person__middle_name", "person__given_name"
        )
    }
    return {row[0]: _Review._make((*row, names.get(row[1], ""))) for row in rows}


@action
def decide_ratings(
    period: ReviewPeriod,
    decider: Organisation,
    *,
    by: Any,
    decision_no: str,
    decided_on: date,
    items: list[DecisionItem],
    note: str = "",
) -> list[RowResult]:
    """The competent committee decides the ratings of many members at once (366-QĐ/TW;
    124-QĐ/TW Art. 12 [C]; who decides: ``access.member_rating_decider``).

    Each review must be proposed by its chi bộ, lie in the decider's subtree and be decided
    by this committee; the member still active and not exempted (366-QĐ/TW [U]); the rating
    (the proposal if none is given) within what the chi bộ's score allows (366-QĐ/TW Art.
    11 [C]; discipline cap 16-HD/BTCTW 2018, 124-QĐ/TW [C]). Then the quota on "excellent"
    (132/124-QĐ/TW [U]) per chi bộ (its ratings in the period) and for the committee (the
    ratings of every chi bộ it decides), each rating counted as decided, else as proposed,
    so the order of the decisions does not matter. A review outside the committee's
    subtree is answered as unknown, without a name. All or nothing (``BulkRefused``).

    A member failing the ``review.failed_years_for_removal``-th yearly period running
    (Charter Art. 8; 24/294-QĐ/TW §8.1) gets a timeline row saying the chi ủy is to
    consider removal; every decided member gets a timeline row with the rating.
    """
    decision = decision_head(
        period,
        decider,
        by=by,
        decision_no=decision_no,
        decided_on=decided_on,
        items=items,
        note=note,
    )
    ids = [item.review_id for item in items]
    reviews = _locked_reviews(period, decider, ids)
    branches = Organisation.objects.in_bulk({r.branch_id for r in reviews.values()})
    below = deciding_below(decider)
    blocked = set(below)
    # Members of the period under the decider, as a sub-query (no list of 10,000 ids).
    member_ids = MemberReview.objects.filter(
        period=period, org_path__startswith=decider.path
    ).values("member_id")
    spans = exemptions_of(member_ids, until=period.ends_on)
    disciplined = disciplined_ids(member_ids, period)
    rules = thresholds_for([*branches.values(), decider], on=period.ends_on)

    def check(review: _Review, item: DecisionItem) -> tuple[str, str, str]:
        return _review_problem(
            review,
            item,
            decider=decider,
            below=blocked,
            branch=branches[review.branch_id],
            decided_on=decided_on,
            exempted=exempted_on(
                spans.get(review.member_id, []), rating_day(period, review.branch_reviewed_on)
            ),
            disciplined=review.member_id in disciplined,
            t=rules[review.branch_id],
        )

    results, chosen = checked_items(
        items,
        reviews,
        period=period,
        what="bản kiểm điểm",
        rows="bản kiểm điểm",
        about=lambda review: (review.member_id, review.name),
        check=check,
    )

    over = _quota_problems(period, decider, below, reviews, chosen, branches, rules)
    if over:
        raise over_quota(results, items, over, what="bản kiểm điểm")

    write_decisions(MemberReview, chosen, decision, by=by)
    user = user_of(by)
    running = _failed_running(period, reviews, chosen, branches, rules)
    timeline = []
    for pk, rating in chosen.items():
        review = reviews[pk]
        text = (
            f"{period.name}: cấp ủy quyết định xếp loại “{label(rating)}” (quyết định số "
            f"{decision.decision_no} ngày {day_text(decided_on)} của {decider.name})"
        )
        timeline.append(_row(review, text, decided_on, user))
        if review.member_id in running:
            timeline.append(_row(review, running[review.member_id], decided_on, user))
    StatusChange.objects.bulk_create(timeline, batch_size=BATCH)
    return [
        RowResult(
            r.member_id,
            r.name,
            True,
            r.message + (f" {running[r.member_id]}" if r.member_id in running else ""),
        )
        for r in results
    ]


def _row(review: "_Review", note: str, on: date, user: Any) -> StatusChange:
    status = review.status
    return StatusChange(
        member_id=review.member_id,
        what=Event.REVIEW,
        from_status=status,
        to_status=status,
        on=on,
        by=user,
        note=note,
    )


def _review_problem(
    review: "_Review",
    item: DecisionItem,
    *,
    decider: Organisation,
    below: set[str],
    branch: Organisation,
    decided_on: date,
    exempted: bool,
    disciplined: bool,
    t: Thresholds,
) -> tuple[str, str, str]:
    """(rating, refusal, field) for one item of ``decide_ratings``; "" refusal when the
    rating may be decided."""
    if not review.org_path.startswith(decider.path):
        return "", f"Đảng viên không thuộc {decider.name}.", "review_id"
    if not decides(decider, review.org_path, below):
        return (
            "",
            f"Xếp loại đảng viên của {branch.name} không do {decider.name} quyết định.",
            "review_id",
        )
    if review.stage in DONE:
        return (
            "",
            f"Đã có quyết định xếp loại “{label(review.decided_rating)}”.",
            "review_id",
        )
    if review.stage != Stage.BRANCH_PROPOSED:
        return "", "Chi bộ chưa họp xem xét, đề xuất xếp loại đảng viên này.", "review_id"
    if review.status not in ACTIVE_STATUSES:
        return "", "Đảng viên không còn sinh hoạt đảng: không xếp loại.", "review_id"
    if exempted:
        return "", EXEMPTED + ".", "review_id"
    if review.branch_reviewed_on and decided_on < review.branch_reviewed_on:
        return (
            "",
            f"Ngày quyết định trước ngày chi bộ họp ({day_text(review.branch_reviewed_on)}).",
            "decided_on",
        )
    rating, message = item_rating(item, review.proposed_rating)
    if message:
        return "", message, "rating"
    score = review.branch_score if review.branch_score is not None else review.self_score
    message = problem(
        rating,
        t,
        score=score,
        on_time_percent=review.on_time_percent,
        beyond_percent=review.beyond_percent,
        disciplined=disciplined,
        degraded=review.degraded,
    )
    if message:
        return "", message, "rating"
    return rating, "", ""


def _rating_counts() -> dict[str, Any]:
    """Aggregates of (excellent, good or better) over reviews as they stand: decided
    ratings where decided, else the chi bộ's proposal."""
    decided = Q(stage__in=DONE)
    proposed = Q(stage=Stage.BRANCH_PROPOSED)
    return {
        "excellent": Count(
            "pk",
            filter=(decided & Q(decided_rating=Rating.EXCELLENT))
            | (proposed & Q(proposed_rating=Rating.EXCELLENT)),
        ),
        "good_or_better": Count(
            "pk",
            filter=(decided & Q(decided_rating__in=GOOD_OR_BETTER))
            | (proposed & Q(proposed_rating__in=GOOD_OR_BETTER)),
        ),
    }


def _quota_problems(
    period: ReviewPeriod,
    decider: Organisation,
    below: list[str],
    reviews: dict[int, "_Review"],
    chosen: dict[int, str],
    branches: dict[int, Organisation],
    rules: dict[int, Thresholds],
) -> dict[int, str]:
    """The quota on "excellent" once the decision applies (132/124-QĐ/TW [U]): per chi bộ
    among its ratings in the period, and for the committee among the ratings of every chi
    bộ it decides, each counted as decided, else as proposed: the answer does not depend
    on the order in which the committee decides. Two grouped queries. Returns the refusal
    per review id (put on the reviews decided "excellent" of the group over)."""
    per_branch = {
        row["branch_id"]: [row["excellent"], row["good_or_better"]]
        for row in MemberReview.objects.filter(period=period, branch_id__in=list(branches))
        .values("branch_id")
        .annotate(**_rating_counts())
        .order_by()
    }
    committee = (
        MemberReview.objects.filter(period=period)
        .filter(decided_scope(decider, below=below))
        .aggregate(**_rating_counts())
    )
    total = [committee["excellent"], committee["good_or_better"]]
    for pk, rating in chosen.items():
        review = reviews[pk]
        tally = per_branch.setdefault(review.branch_id, [0, 0])
        # The review counted as proposed; now it counts as decided.
        was = counts([review.proposed_rating])
        now = counts([rating])
        tally[0] += now[0] - was[0]
        tally[1] += now[1] - was[1]
        total[0] += now[0] - was[0]
        total[1] += now[1] - was[1]
    over: dict[int, str] = {}
    for branch_id in {reviews[pk].branch_id for pk in chosen}:
        excellent, good_or_better = per_branch[branch_id]
        branch = branches[branch_id]
        message = quota_text(
            excellent,
            good_or_better,
            rules[branch_id].excellent_quota_percent,
            where=branch.name,
            verb="có",
        )
        if message:
            for pk, rating in chosen.items():
                if reviews[pk].branch_id == branch_id and rating == Rating.EXCELLENT:
                    over[pk] = message
    message = quota_text(
        total[0],
        total[1],
        rules[decider.pk].excellent_quota_percent,
        where=decider.name,
        verb="có",
    )
    if message:
        for pk, rating in chosen.items():
            if rating == Rating.EXCELLENT:
                over.setdefault(pk, message)
    return over


def _failed_running(
    period: ReviewPeriod,
    reviews: dict[int, "_Review"],
    chosen: dict[int, str],
    branches: dict[int, Organisation],
    rules: dict[int, Thresholds],
) -> dict[int, str]:
    """Members now failed for ``review.failed_years_for_removal`` yearly periods running
    (Charter Art. 8; 24/294-QĐ/TW §8.1 [C]): member id → the timeline text. The years on
    both sides of this one count (a committee may decide an earlier year late): the run of
    failed years through this year, up to N − 1 years either side. One query for the
    other years' failed ratings."""
    if period.kind != PeriodKind.YEARLY:
        return {}
    failed = {
        reviews[pk].member_id: reviews[pk].branch_id
        for pk, rating in chosen.items()
        if rating == Rating.FAILED
    }
    if not failed:
        return {}
    years_needed = {
        member_id: rules[branch_id].failed_years_for_removal
        for member_id, branch_id in failed.items()
    }
    longest = max(years_needed.values())
    others: dict[int, set[int]] = defaultdict(set)
    if longest > 1:
        rows = (
            MemberReview.objects.filter(
                member_id__in=list(failed),
                period__kind=PeriodKind.YEARLY,
                period__year__gte=period.year - (longest - 1),
                period__year__lte=period.year + (longest - 1),
                stage__in=DONE,
                decided_rating=Rating.FAILED,
            )
            .exclude(period=period)
            .values_list("member_id", "period__year")
        )
        for member_id, year in rows:
            others[member_id].add(year)
    found: dict[int, str] = {}
    for member_id, needed in years_needed.items():
        years = others[member_id]
        first = last = period.year
        while first - 1 in years and period.year - (first - 1) < needed:
            first -= 1
        while last + 1 in years and (last + 1) - period.year < needed:
            last += 1
        if last - first + 1 >= needed:
            run = range(first, last + 1)
            listed = ", ".join(str(y) for y in run)
            found[member_id] = (
                f"Không hoàn thành nhiệm vụ {len(run)} năm liền ({listed}): chi ủy xem xét "
                f"xóa tên ({REMOVAL_SOURCE})"
            )
    return found


@action
def publish_ratings(
    period: ReviewPeriod, decider: Organisation, *, by: Any, published_on: date
) -> int:
    """The committee publishes the ratings it decided in the period (124-QĐ/TW Art. 12
    [C]: decide, then publish): members' and organisations' decided ratings move to
    ``published``. Returns how many were published."""
    allowed(
        by,
        can_decide_ratings,
        decider,
        message=f"Bạn không được công khai kết quả xếp loại thay cho {decider.name}.",
    )
    not_future(published_on, "Ngày công khai", "published_on")
    members = MemberReview.objects.filter(period=period, decider=decider, stage=Stage.DECIDED)
    orgs = OrganisationReview.objects.filter(period=period, decider=decider, stage=Stage.DECIDED)
    latest = [rows.aggregate(latest=Max("decided_on"))["latest"] for rows in (members, orgs)]
    late = max((day for day in latest if day is not None), default=None)
    if late is not None and late > published_on:
        raise NotEligible(
            f"Ngày công khai ({day_text(published_on)}) trước ngày quyết định xếp loại "
            f"({day_text(late)}).",
            field="published_on",
        )
    done = members.update(stage=Stage.PUBLISHED, published_on=published_on)
    done += orgs.update(stage=Stage.PUBLISHED, published_on=published_on)
    if not done:
        raise NotEligible(
            f"Không có kết quả xếp loại nào của {decider.name} chờ công khai trong kỳ này.",
            field="published_on",
        )
    return done
