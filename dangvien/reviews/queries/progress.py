"""How far a period has gone under a node, per child (366-QĐ/TW steps; 124-QĐ/TW Art. 12
[C]: self-assessment, chi bộ review, committee decision, publication)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from dangvien.members.models import ACTIVE_STATUSES, Member
from dangvien.members.queries import _exempted_ids
from dangvien.organisations.models import MEMBER_HOLDING, Organisation
from dangvien.organisations.queries import child_bucket, children
from dangvien.reviews.models import MemberReview, ReviewPeriod, Stage


@dataclass(frozen=True)
class ProgressLine:
    """One child of the node (or the chi bộ itself). The review counts are cumulative:
    ``self_assessed`` counts every review (each starts with the self-assessment),
    ``proposed`` those the chi bộ proposed or beyond, ``decided`` those decided or
    published. ``exempted``: active members exempted on the rating day (not rated)."""

    organisation: Organisation
    active: int
    exempted: int
    self_assessed: int
    proposed: int
    decided: int
    published: int

    @property
    def to_rate(self) -> int:
        return max(self.active - self.exempted, 0)

    @property
    def not_started(self) -> int:
        return max(self.to_rate - self.self_assessed, 0)


def period_progress(
    period: ReviewPeriod, node: Organisation, on: date | None = None
) -> list[ProgressLine]:
    """Per child of ``node`` (the chi bộ itself when ``node`` holds members), in tree
    order: active members, exempted (on the period's end, or ``on``/today if earlier), and
    how many reviews reached each step. Three queries whatever the size (children, one
    grouped count of members, one of reviews)."""
    day = min(period.ends_on, on or timezone.localdate())
    nodes = [node] if node.kind in MEMBER_HOLDING else list(children(node))
    under, bucket = child_bucket(node)
    members = (
        Member.objects.filter(under, status__in=ACTIVE_STATUSES)
        .annotate(
            child=bucket, is_exempted=Exists(_exempted_ids(day).filter(member=OuterRef("pk")))
        )
        .values("child")
        .annotate(active=Count("pk"), exempted=Count("pk", filter=Q(is_exempted=True)))
        .order_by()
    )
    member_counts = {row["child"]: (row["active"], row["exempted"]) for row in members}
    reviews = (
        MemberReview.objects.filter(under, period=period)
        .annotate(child=bucket)
        .values("child")
        .annotate(
            assessed=Count("pk"),
            proposed=Count(
                "pk",
                filter=Q(stage__in=[Stage.BRANCH_PROPOSED, Stage.DECIDED, Stage.PUBLISHED]),
            ),
            decided=Count("pk", filter=Q(stage__in=[Stage.DECIDED, Stage.PUBLISHED])),
            published=Count("pk", filter=Q(stage=Stage.PUBLISHED)),
        )
        .order_by()
    )
    review_counts = {
        row["child"]: (row["assessed"], row["proposed"], row["decided"], row["published"])
        for row in reviews
    }
    lines = []
    for child in nodes:
        active, exempted = member_counts.get(child.path, (0, 0))
        assessed, proposed, decided, published = review_counts.get(child.path, (0, 0, 0, 0))
        lines.append(ProgressLine(child, active, exempted, assessed, proposed, decided, published))
    return lines
