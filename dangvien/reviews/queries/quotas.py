"""Use of the quota on "excellent" (132/124-QĐ/TW: at most 20% of those rated good or
better [U]; ``review.excellent_quota_percent``) by a committee and its chi bộ."""

from dataclasses import dataclass

from django.db.models import Count, Q

from dangvien.organisations.models import MEMBER_HOLDING, Organisation
from dangvien.organisations.queries import branches_under
from dangvien.reviews.models import MemberReview, Rating, ReviewPeriod, Stage
from dangvien.reviews.queries.sheets import DECIDING_KINDS, decides, deciding_below
from dangvien.reviews.rating import allowed_excellent, thresholds_for

GOOD_OR_BETTER = (Rating.EXCELLENT, Rating.GOOD)
PROPOSED = (Stage.BRANCH_PROPOSED, Stage.DECIDED, Stage.PUBLISHED)
DECIDED = (Stage.DECIDED, Stage.PUBLISHED)


@dataclass(frozen=True)
class QuotaCount:
    """Ratings of "good" or better, how many "excellent" among them, and how many
    "excellent" the quota allows."""

    good_or_better: int
    excellent: int
    allowed: int

    @property
    def over(self) -> bool:
        return self.excellent > self.allowed


@dataclass(frozen=True)
class QuotaLine:
    """The quota of one chi bộ (``committee`` False) or of the committee deciding the
    ratings (``committee`` True: the chi bộ whose ratings it decides, taken together).
    ``proposed`` counts the chi bộ's proposals (reviews proposed or decided), ``decided``
    the committee's decisions."""

    organisation: Organisation
    committee: bool
    percent: int
    proposed: QuotaCount
    decided: QuotaCount

    @property
    def over(self) -> bool:
        return self.proposed.over or self.decided.over


def quota_usage(period: ReviewPeriod, org: Organisation) -> list[QuotaLine]:
    """For ``org`` (when it decides members' ratings: the chi bộ it decides, together) and
    each chi bộ under it (by tree order; a plain chi bộ: its own line): good-or-better,
    excellent and allowed, proposed and decided counted separately. Four queries whatever
    the size (chi bộ, grouped counts, the deciding nodes below, rule parameters)."""
    branches = list(branches_under(org)) if org.kind not in MEMBER_HOLDING else [org]
    grouped = (
        MemberReview.objects.filter(period=period, org_path__startswith=org.path)
        .values("branch_id")
        .annotate(
            p_good=Count("pk", filter=Q(stage__in=PROPOSED, proposed_rating__in=GOOD_OR_BETTER)),
            p_excellent=Count("pk", filter=Q(stage__in=PROPOSED, proposed_rating=Rating.EXCELLENT)),
            d_good=Count("pk", filter=Q(stage__in=DECIDED, decided_rating__in=GOOD_OR_BETTER)),
            d_excellent=Count("pk", filter=Q(stage__in=DECIDED, decided_rating=Rating.EXCELLENT)),
        )
        .order_by()
    )
    tallies = {
        row["branch_id"]: (row["p_good"], row["p_excellent"], row["d_good"], row["d_excellent"])
        for row in grouped
    }
    rules = thresholds_for([org, *branches], on=period.ends_on)

    def line(node: Organisation, tally: tuple[int, int, int, int], committee: bool) -> QuotaLine:
        percent = rules[node.pk].excellent_quota_percent
        p_good, p_excellent, d_good, d_excellent = tally
        return QuotaLine(
            organisation=node,
            committee=committee,
            percent=percent,
            proposed=QuotaCount(p_good, p_excellent, allowed_excellent(p_good, percent)),
            decided=QuotaCount(d_good, d_excellent, allowed_excellent(d_good, percent)),
        )

    lines: list[QuotaLine] = []
    if org.kind in DECIDING_KINDS:
        below = deciding_below(org) if org.kind not in MEMBER_HOLDING else []
        total = [0, 0, 0, 0]
        for branch in branches:
            if decides(org, branch.path, below):
                for i, n in enumerate(tallies.get(branch.pk, (0, 0, 0, 0))):
                    total[i] += n
        lines.append(line(org, (total[0], total[1], total[2], total[3]), True))
    for branch in branches:
        # A plain chi bộ has its own line; a chi bộ cơ sở's is its committee line above.
        if branch.pk != org.pk or org.kind not in DECIDING_KINDS:
            lines.append(line(branch, tallies.get(branch.pk, (0, 0, 0, 0)), False))
    return lines
