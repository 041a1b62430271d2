"""The chi bộ's review sheet and the committee's decision list, each in a fixed number of
queries whatever the number of members (366-QĐ/TW; DOMAIN.md §4).

Who decides a member's rating is ``access.member_rating_decider(branch)``: walking up
from the chi bộ, the first grassroots organisation or superior committee. Read for a
whole subtree at once here (``decided_scope``): a committee decides the chi bộ under it
unless a deciding node (grassroots organisation, superior committee) sits in between.
"""

from dataclasses import dataclass
from datetime import date
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from dangvien.members.models import ACTIVE_STATUSES, Member
from dangvien.members.queries import _exempted_ids
from dangvien.organisations.models import GRASSROOTS, SUPERIOR, Organisation
from dangvien.reviews.models import (
    RATING_ORDER,
    Discipline,
    MemberReview,
    OrganisationReview,
    ReviewPeriod,
    Stage,
)
from dangvien.reviews.rating import Thresholds, evaluate, thresholds_for

DECIDING_KINDS = GRASSROOTS | SUPERIOR
DECISION_STAGES = (Stage.BRANCH_PROPOSED, Stage.DECIDED, Stage.PUBLISHED)


def deciding_below(decider: Organisation) -> list[str]:
    """Paths of the deciding nodes strictly under ``decider`` (one query): the chi bộ under
    them are decided by them, not by ``decider``."""
    return list(
        Organisation.objects.filter(path__startswith=decider.path, kind__in=DECIDING_KINDS)
        .exclude(pk=decider.pk)
        .values_list("path", flat=True)
    )


def decides(decider: Organisation, path: str, below: list[str] | set[str]) -> bool:
    """Whether ``decider`` decides the ratings of the members of the chi bộ at ``path``
    (``below``: ``deciding_below(decider)``), as ``access.member_rating_decider``."""
    if decider.kind not in DECIDING_KINDS or not path.startswith(decider.path):
        return False
    blocked = set(below)
    return not any(path[:end] in blocked for end in range(len(decider.path) + 9, len(path) + 1, 9))


def decided_scope(
    decider: Organisation, field: str = "org_path", *, below: list[str] | None = None
) -> Q:
    """A filter on ``field`` (a chi bộ's path) keeping the rows whose ratings ``decider``
    decides; one query (the deciding nodes below, unless given as ``below``)."""
    if decider.kind not in DECIDING_KINDS:
        return Q(pk__in=[])
    if below is None:
        below = deciding_below(decider)
    scope = Q(**{f"{field}__startswith": decider.path})
    if below:
        scope &= ~reduce(or_, (Q(**{f"{field}__startswith": p}) for p in below))
    return scope


def _highest(review: MemberReview | None, t: Thresholds, disciplined: bool) -> tuple[str, str]:
    if review is None:
        return "", ""
    score = review.branch_score if review.branch_score is not None else review.self_score
    if score is None:
        return "", ""
    return evaluate(
        t,
        score=score,
        on_time_percent=review.on_time_percent,
        beyond_percent=review.beyond_percent,
        disciplined=disciplined,
        degraded=review.degraded,
    )


@dataclass
class SheetLine:
    """One active member of the chi bộ on the review sheet.

    ``review``: their review in the period, or None; ``exempted``: not rated (exempted on
    the rating day); ``disciplined``: disciplined in the period (the cap applies);
    ``highest`` and ``why``: the highest rating the scores allow and why not the one above
    ("" while nothing is scored)."""

    member: Member
    review: MemberReview | None
    exempted: bool
    disciplined: bool
    highest: str
    why: str

    @property
    def name(self) -> str:
        return str(self.member.person)


def sheet_rows(
    period: ReviewPeriod, branch: Organisation, on: date | None = None
) -> list[SheetLine]:
    """Every active member of ``branch`` with their review in ``period`` (or None), sorted
    by name; exemptions judged on the period's end or ``on`` (default today) if earlier
    (366-QĐ/TW [U]). Five queries whatever the size."""
    day = min(period.ends_on, on or timezone.localdate())
    members = list(
        Member.objects.filter(branch=branch, status__in=ACTIVE_STATUSES)
        .annotate(is_exempted=Exists(_exempted_ids(day).filter(member=OuterRef("pk"))))
        .select_related("person")
        .order_by("person__sort_key", "pk")
    )
    ids = [m.pk for m in members]
    reviews = {
        r.member_id: r for r in MemberReview.objects.filter(period=period, member_id__in=ids)
    }
    disciplined = disciplined_ids(ids, period)
    t = thresholds_for([branch], on=period.ends_on)[branch.pk]
    lines = []
    for member in members:
        review = reviews.get(member.pk)
        flag = member.pk in disciplined
        highest, why = _highest(review, t, flag)
        lines.append(
            SheetLine(
                member=member,
                review=review,
                exempted=bool(member.is_exempted),
                disciplined=flag,
                highest=highest,
                why=why,
            )
        )
    return lines


def sheet_meeting(period: ReviewPeriod, branch: Organisation) -> tuple[date | None, str]:
    """The chi bộ meeting already recorded on the branch's sheet in ``period`` (its latest
    day and resolution number), or (None, ""); one query."""
    found = (
        MemberReview.objects.filter(period=period, branch=branch, branch_reviewed_on__isnull=False)
        .order_by("-branch_reviewed_on", "-pk")
        .values_list("branch_reviewed_on", "branch_resolution_no")
        .first()
    )
    return found if found is not None else (None, "")


def awaiting_publication(period: ReviewPeriod, decider: Organisation) -> tuple[int, int]:
    """(members, organisations) whose rating ``decider`` decided in ``period`` and has not
    published yet; two queries."""
    return (
        MemberReview.objects.filter(period=period, decider=decider, stage=Stage.DECIDED).count(),
        OrganisationReview.objects.filter(
            period=period, decider=decider, stage=Stage.DECIDED
        ).count(),
    )


def disciplined_ids(members: Any, period: ReviewPeriod) -> set[int]:
    """Members (ids, or a query of ids) disciplined in the period as the rating counts it:
    decided inside the period's dates, not self-reported and remedied (124-QĐ/TW [C]), not
    already counted in an earlier rating (16-HD/BTCTW 2018 [C]: one violation counts
    once); one query."""
    return set(
        Discipline.objects.filter(
            member_id__in=members,
            decided_on__gte=period.starts_on,
            decided_on__lte=period.ends_on,
            self_reported=False,
            already_counted=False,
        ).values_list("member_id", flat=True)
    )


@dataclass
class DecisionLine:
    """A review awaiting (``branch_proposed``) or having the committee's decision."""

    review: MemberReview
    review_id: int
    member_id: int
    member_name: str
    branch_id: int
    branch_name: str
    self_score: object
    self_rating: str
    branch_score: object
    proposed_rating: str
    decided_rating: str
    stage: str
    disciplined: bool
    highest: str
    why: str

    @property
    def awaiting(self) -> bool:
        return self.stage == Stage.BRANCH_PROPOSED

    @property
    def proposal_allowed(self) -> bool:
        """Whether the chi bộ's proposal is within what the scores allow now."""
        if not self.proposed_rating or not self.highest:
            return True
        return RATING_ORDER.index(self.proposed_rating) >= RATING_ORDER.index(self.highest)


def decision_rows(period: ReviewPeriod, decider: Organisation) -> list[DecisionLine]:
    """The reviews of the period whose rating ``decider`` decides, proposed by the chi bộ
    or already decided, by chi bộ then name; a fixed number of queries (reviews with
    member and chi bộ, the deciding nodes below, disciplines, rule parameters)."""
    rows = MemberReview.objects.filter(period=period, stage__in=DECISION_STAGES).filter(
        decided_scope(decider)
    )
    reviews = list(
        rows.select_related("member__person", "branch").order_by(
            "branch__sort_key", "branch_id", "member__person__sort_key", "pk"
        )
    )
    if not reviews:
        return []
    disciplined = disciplined_ids(rows.values("member_id"), period)
    branches = {r.branch_id: r.branch for r in reviews}
    rules = thresholds_for(branches.values(), on=period.ends_on)
    lines = []
    for r in reviews:
        flag = r.member_id in disciplined
        highest, why = _highest(r, rules[r.branch_id], flag)
        lines.append(
            DecisionLine(
                review=r,
                review_id=r.pk,
                member_id=r.member_id,
                member_name=str(r.member.person),
                branch_id=r.branch_id,
                branch_name=r.branch.name,
                self_score=r.self_score,
                self_rating=r.self_rating,
                branch_score=r.branch_score,
                proposed_rating=r.proposed_rating,
                decided_rating=r.decided_rating,
                stage=r.stage,
                disciplined=flag,
                highest=highest,
                why=why,
            )
        )
    return lines
