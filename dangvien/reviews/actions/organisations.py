"""Party organisations rate themselves and the committee above decides (366-QĐ/TW: the
same four ratings on the collective's criteria [C]; DOMAIN.md §4)."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q

from dangvien.core.actions import action
from dangvien.core.errors import NotEligible, StageNotAllowed
from dangvien.core.text import checked_text
from dangvien.organisations.models import GRASSROOTS, MEMBER_HOLDING, SUPERIOR, Organisation
from dangvien.reviews.actions._common import (
    GOOD_OR_BETTER,
    DecisionItem,
    RowResult,
    allowed,
    checked_percent,
    checked_score,
    counts,
    decision_head,
    item_rating,
    not_before_period,
    not_future,
    period_open,
    rating_value_problem,
    refused,
    user_of,
)
from dangvien.reviews.actions.decisions import DONE
from dangvien.reviews.models import OrganisationReview, Rating, ReviewPeriod, Stage
from dangvien.reviews.queries.access import (
    can_decide_ratings,
    can_fill_sheet,
    covers,
    org_rating_decider,
)
from dangvien.reviews.rating import label, problem, quota_text, thresholds_for

COMMENT_MAX = 4000


def org_deciders(orgs: Iterable[Organisation]) -> dict[int, int | None]:
    """The id of the committee deciding each organisation's rating (as
    ``access.org_rating_decider``), for many organisations in one query."""
    orgs = list(orgs)
    ids = {pk for org in orgs for pk in org.ancestor_ids()}
    nodes = Organisation.objects.only("pk", "kind", "path").in_bulk(ids)
    found: dict[int, int | None] = {}
    for org in orgs:
        chain = [nodes[pk] for pk in reversed(org.ancestor_ids()) if pk in nodes]  # nearest first
        decider: Organisation | None = None
        if org.kind in MEMBER_HOLDING and org.kind not in GRASSROOTS:
            decider = next((n for n in chain if n.kind in GRASSROOTS | SUPERIOR), None)
        elif org.kind in GRASSROOTS:
            decider = next((n for n in chain if n.kind in SUPERIOR), None)
        else:
            decider = chain[0] if chain else None
        found[org.pk] = decider.pk if decider is not None else None
    return found


@action
def record_org_assessment(
    period: ReviewPeriod,
    organisation: Organisation,
    *,
    by: Any,
    self_score: Decimal,
    self_rating: str,
    assessed_on: date,
    on_time_percent: int = 100,
    beyond_percent: int = 0,
    shortcomings_fixed: bool = True,
    disciplined: bool = False,
    self_comment: str = "",
) -> OrganisationReview:
    """An organisation's self-assessment by its own committee (366-QĐ/TW [C]): a chi bộ
    through its secretary (``can_fill_sheet``), a grassroots organisation or above through
    its committee (``can_decide_ratings``). Creates it, or updates it until decided.

    The self-rating may not exceed what the collective's score allows (366-QĐ/TW Art. 11
    [C]: "excellent" also needs the shortcomings 100% fixed and nobody disciplined,
    124-QĐ/TW [C]). The committee that decides must lie in the period's subtree.
    """
    if organisation.kind in MEMBER_HOLDING and organisation.kind not in GRASSROOTS:
        allowed(
            by,
            can_fill_sheet,
            organisation,
            message=f"Bạn không được ghi tự đánh giá của {organisation.name}.",
        )
    else:
        allowed(
            by,
            can_decide_ratings,
            organisation,
            message=f"Bạn không được ghi tự đánh giá của {organisation.name}.",
        )
    period_open(period)
    if not covers(period, organisation):
        raise NotEligible(
            f"{organisation.name} không thuộc phạm vi kỳ “{period.name}”.", field="organisation"
        )
    decider = org_rating_decider(organisation)
    if decider is None or not covers(period, decider):
        raise NotEligible(
            f"Xếp loại {organisation.name} do cấp ủy cấp trên quyết định, ngoài phạm vi kỳ "
            f"“{period.name}”.",
            field="organisation",
        )
    not_future(assessed_on, "Ngày tự đánh giá", "assessed_on")
    not_before_period(assessed_on, period, "Ngày tự đánh giá", "assessed_on")
    score = checked_score(self_score, what="điểm tự chấm", field="self_score")
    on_time = checked_percent(
        on_time_percent, what="tỷ lệ nhiệm vụ đúng tiến độ", field="on_time_percent"
    )
    beyond = checked_percent(
        beyond_percent, what="tỷ lệ nhiệm vụ vượt yêu cầu", field="beyond_percent"
    )
    message = rating_value_problem(self_rating, "mức tự xếp loại")
    if message:
        raise NotEligible(message, field="self_rating")
    t = thresholds_for([organisation], on=period.ends_on)[organisation.pk]
    message = problem(
        self_rating,
        t,
        score=score,
        on_time_percent=on_time,
        beyond_percent=beyond,
        collective=True,
        shortcomings_fixed=bool(shortcomings_fixed),
        disciplined=bool(disciplined),
    )
    if message:
        raise NotEligible(message, field="self_rating")
    comment = checked_text(
        self_comment,
        what="tự nhận xét",
        field="self_comment",
        max_length=COMMENT_MAX,
        required=False,
    )
    values: dict[str, Any] = {
        "org_path": organisation.path,
        "self_score": score,
        "self_rating": self_rating,
        "on_time_percent": on_time,
        "beyond_percent": beyond,
        "shortcomings_fixed": bool(shortcomings_fixed),
        "disciplined": bool(disciplined),
        "self_comment": comment,
        "self_assessed_on": assessed_on,
        "by": user_of(by),
    }
    review = (
        OrganisationReview.objects.select_for_update(of=("self",))
        .filter(period=period, organisation=organisation)
        .first()
    )
    if review is None:
        return OrganisationReview.objects.create(period=period, organisation=organisation, **values)
    if review.stage != Stage.SELF_ASSESSED:
        raise StageNotAllowed(
            f"Cấp ủy đã quyết định xếp loại {organisation.name}: không sửa tự đánh giá được.",
            field="organisation",
        )
    for field, value in values.items():
        setattr(review, field, value)
    review.save(update_fields=[*values])
    return review


@action
def decide_org_ratings(
    period: ReviewPeriod,
    decider: Organisation,
    *,
    by: Any,
    decision_no: str,
    decided_on: date,
    items: list[DecisionItem],
    note: str = "",
) -> list[RowResult]:
    """The committee decides the ratings of the organisations it rates
    (``access.org_rating_decider``; 366-QĐ/TW [C]), many at once: each self-assessed, in
    its subtree and rated by it; the rating (the self-rating if none is given) within what
    the collective's score allows (366-QĐ/TW Art. 11 [C]); then the quota on "excellent"
    among the organisations it rated in the period (132/124-QĐ/TW [U]). All or nothing
    (``BulkRefused``; ``RowResult.member_id`` holds the organisation's id)."""
    decision_no, note = decision_head(
        period,
        decider,
        by=by,
        decision_no=decision_no,
        decided_on=decided_on,
        items=items,
        note=note,
    )
    ids = [item.review_id for item in items]
    reviews = {
        r.pk: r
        for r in OrganisationReview.objects.select_for_update(of=("self",))
        .filter(period=period, pk__in=ids)
        .select_related("organisation")
    }
    orgs = [r.organisation for r in reviews.values()]
    deciders = org_deciders(orgs)
    rules = thresholds_for([*orgs, decider], on=period.ends_on)

    results: list[RowResult] = []
    chosen: dict[int, str] = {}
    seen: set[int] = set()
    for item in items:
        review = reviews.get(item.review_id)
        if review is None:
            results.append(
                RowResult(
                    0,
                    "",
                    False,
                    f"Không có bản tự đánh giá số {item.review_id} trong kỳ “{period.name}”.",
                    "review_id",
                )
            )
            continue
        org = review.organisation
        message, field = "", "review_id"
        rating = ""
        if review.pk in seen:
            message = "Bản tự đánh giá có hai lần trong danh sách."
        elif deciders.get(org.pk) != decider.pk or not org.path.startswith(decider.path):
            message = f"Xếp loại {org.name} không do {decider.name} quyết định."
        elif review.stage in DONE:
            message = f"Đã có quyết định xếp loại “{label(review.decided_rating)}”."
        elif decided_on < review.self_assessed_on:
            message, field = "Ngày quyết định trước ngày tự đánh giá.", "decided_on"
        else:
            rating, message = item_rating(item, review.self_rating)
            field = "rating"
            if not message:
                message = problem(
                    rating,
                    rules[org.pk],
                    score=review.self_score,
                    on_time_percent=review.on_time_percent,
                    beyond_percent=review.beyond_percent,
                    collective=True,
                    shortcomings_fixed=review.shortcomings_fixed,
                    disciplined=review.disciplined,
                )
        seen.add(review.pk)
        if message:
            results.append(RowResult(org.pk, org.name, False, message, field))
        else:
            chosen[review.pk] = rating
            results.append(RowResult(org.pk, org.name, True, f"Quyết định “{label(rating)}”."))
    if any(not r.ok for r in results):
        raise refused(results, what="tổ chức")

    already = OrganisationReview.objects.filter(
        period=period, decider=decider, stage__in=DONE
    ).aggregate(
        excellent=Count("pk", filter=Q(decided_rating=Rating.EXCELLENT)),
        good_or_better=Count("pk", filter=Q(decided_rating__in=GOOD_OR_BETTER)),
    )
    excellent, good_or_better = counts(chosen.values())
    message = quota_text(
        already["excellent"] + excellent,
        already["good_or_better"] + good_or_better,
        rules[decider.pk].excellent_quota_percent,
        where=decider.name,
        verb="quyết định",
        noun="tổ chức đảng",
    )
    if message:
        results = [
            RowResult(r.member_id, r.name, False, message, "rating")
            if chosen.get(item.review_id) == Rating.EXCELLENT
            else r
            for r, item in zip(results, items, strict=True)
        ]
        raise refused(results, what="tổ chức")

    user = user_of(by)
    by_rating: dict[str, list[int]] = defaultdict(list)
    for pk, rating in chosen.items():
        by_rating[rating].append(pk)
    for rating, pks in by_rating.items():
        OrganisationReview.objects.filter(pk__in=pks).update(
            stage=Stage.DECIDED,
            decided_rating=rating,
            decider=decider,
            decision_no=decision_no,
            decided_on=decided_on,
            decision_note=note,
            by=user,
        )
    return results
