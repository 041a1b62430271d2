"""Party organisations rate themselves and the committee above decides (366-QĐ/TW: the
same four ratings on the collective's criteria [C]; DOMAIN.md §4)."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from dangvien.core.actions import action
from dangvien.core.errors import NotEligible
from dangvien.organisations.models import GRASSROOTS, MEMBER_HOLDING, SUPERIOR, Organisation
from dangvien.reviews.actions._common import (
    DONE,
    DecisionItem,
    RowResult,
    allowed,
    checked_items,
    checked_self_comment,
    checked_self_part,
    counts,
    decision_head,
    in_period,
    item_rating,
    not_before_period,
    not_future,
    over_quota,
    period_open,
    save_self_assessment,
    user_of,
    write_decisions,
)
from dangvien.reviews.models import OrganisationReview, Rating, ReviewPeriod
from dangvien.reviews.queries.access import (
    can_decide_ratings,
    can_fill_sheet,
    covers,
    org_rating_decider,
)
from dangvien.reviews.rating import label, problem, quota_text, thresholds_for


def can_assess(user: Any, organisation: Organisation) -> bool:
    """The organisation's own committee records its self-assessment (366-QĐ/TW [C]): a chi
    bộ through its secretary (``can_fill_sheet``), a grassroots organisation or above
    through its committee (``can_decide_ratings``)."""
    if organisation.kind in MEMBER_HOLDING and organisation.kind not in GRASSROOTS:
        return can_fill_sheet(user, organisation)
    return can_decide_ratings(user, organisation)


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
    allowed(
        by,
        can_assess,
        organisation,
        message=f"Bạn không được ghi tự đánh giá của {organisation.name}.",
    )
    period_open(period)
    in_period(period, organisation, "organisation")
    decider = org_rating_decider(organisation)
    if decider is None or not covers(period, decider):
        raise NotEligible(
            f"Xếp loại {organisation.name} do cấp ủy cấp trên quyết định, ngoài phạm vi kỳ "
            f"“{period.name}”.",
            field="organisation",
        )
    not_future(assessed_on, "Ngày tự đánh giá", "assessed_on")
    not_before_period(assessed_on, period, "Ngày tự đánh giá", "assessed_on")
    score, on_time, beyond = checked_self_part(
        self_score, self_rating, on_time_percent, beyond_percent
    )
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
    comment = checked_self_comment(self_comment)
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
    return save_self_assessment(
        OrganisationReview,
        values,
        locked=lambda _review: (
            f"Cấp ủy đã quyết định xếp loại {organisation.name}: không sửa tự đánh giá được."
        ),
        field="organisation",
        period=period,
        organisation=organisation,
    )


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
    # Only the reviews in the committee's subtree: the answer names nobody elsewhere.
    reviews = {
        r.pk: r
        for r in OrganisationReview.objects.select_for_update(of=("self",))
        .filter(period=period, pk__in=ids, org_path__startswith=decider.path)
        .select_related("organisation")
    }
    orgs = [r.organisation for r in reviews.values()]
    deciders = org_deciders(orgs)
    rules = thresholds_for([*orgs, decider], on=period.ends_on)

    def check(review: OrganisationReview, item: DecisionItem) -> tuple[str, str, str]:
        org = review.organisation
        if deciders.get(org.pk) != decider.pk or not org.path.startswith(decider.path):
            return "", f"Xếp loại {org.name} không do {decider.name} quyết định.", "review_id"
        if review.stage in DONE:
            return (
                "",
                f"Đã có quyết định xếp loại “{label(review.decided_rating)}”.",
                "review_id",
            )
        if decided_on < review.self_assessed_on:
            return "", "Ngày quyết định trước ngày tự đánh giá.", "decided_on"
        rating, message = item_rating(item, review.self_rating)
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
        return rating, message, "rating"

    results, chosen = checked_items(
        items,
        reviews,
        period=period,
        what="bản tự đánh giá",
        rows="tổ chức",
        about=lambda review: (review.organisation.pk, review.organisation.name),
        check=check,
    )

    excellent, good_or_better = _standing(period, decider, chosen)
    message = quota_text(
        excellent,
        good_or_better,
        rules[decider.pk].excellent_quota_percent,
        where=decider.name,
        verb="có",
        noun="tổ chức đảng",
    )
    if message:
        over = {pk: message for pk, rating in chosen.items() if rating == Rating.EXCELLENT}
        raise over_quota(results, items, over, what="tổ chức")

    write_decisions(OrganisationReview, chosen, decision, by=by)
    return results


def _standing(
    period: ReviewPeriod, decider: Organisation, chosen: dict[int, str]
) -> tuple[int, int]:
    """(excellent, good or better) among all the organisations ``decider`` rates in the
    period once ``chosen`` (review id → rating) applies, each counted as decided, else as
    self-rated (132/124-QĐ/TW [U]): the answer does not depend on the order in which the
    committee decides. Two queries (the reviews under it, their deciders)."""
    rows = list(
        OrganisationReview.objects.filter(period=period, org_path__startswith=decider.path)
        .exclude(organisation=decider)
        .select_related("organisation")
    )
    deciders = org_deciders(r.organisation for r in rows)
    ratings = []
    for r in rows:
        if r.pk in chosen:
            ratings.append(chosen[r.pk])
        elif r.stage in DONE:
            if r.decider_id == decider.pk:
                ratings.append(r.decided_rating)
        elif deciders.get(r.organisation_id) == decider.pk:
            ratings.append(r.self_rating)
    return counts(ratings)
