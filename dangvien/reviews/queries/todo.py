"""The quality review part of the home page ("Việc cần làm"), issue 7.

For each open period (not closed, already started) covering a node of the user's scope:
- a user who fills the chi bộ's sheets (``branch_moves``) sees how many members under
  their node still have no rating proposed by the chi bộ (366-QĐ/TW: the chi bộ reviews
  every member; exempted members are not rated);
- a user who decides for their node (``decide`` at a deciding committee) sees the ratings
  proposed and waiting for the committee's decision.

The task opens the period's page on that node, which links to the sheets and the
decision page. The period's last day is the task's date; past it, the task is overdue.
"""

from datetime import date
from typing import TYPE_CHECKING

from dangvien.core.todo import Task
from dangvien.organisations.queries import units_managed_by
from dangvien.reviews.models import MemberReview, Stage
from dangvien.reviews.queries.access import (
    can_decide_ratings,
    can_fill_sheet,
    covers,
    visible_periods,
)
from dangvien.reviews.queries.progress import period_progress
from dangvien.reviews.queries.sheets import DECIDING_KINDS, decided_scope

if TYPE_CHECKING:
    from dangvien.accounts.models import User

MAX_NODES = 20  # the to-do looks at the user's own nodes, not every node below them


def tasks(user: "User", today: date) -> list[Task]:
    periods = list(visible_periods(user).filter(closed_on__isnull=True, starts_on__lte=today))
    if not periods:
        return []
    out: list[Task] = []
    for node in units_managed_by(user)[:MAX_NODES]:
        for period in periods:
            if not covers(period, node):
                continue
            when = f"{period.name} – {node.name}"
            if can_fill_sheet(user, node):
                lines = period_progress(period, node, on=today)
                left = sum(max(line.to_rate - line.proposed, 0) for line in lines)
                if left:
                    out.append(
                        Task(
                            f"Chi bộ chưa đề xuất xếp loại {left} đảng viên",
                            "reviews:period",
                            period.pk,
                            when,
                            period.ends_on,
                            overdue=today > period.ends_on,
                            query=f"node={node.pk}",
                        )
                    )
            if node.kind in DECIDING_KINDS and can_decide_ratings(user, node):
                waiting = MemberReview.objects.filter(
                    decided_scope(node), period=period, stage=Stage.BRANCH_PROPOSED
                ).count()
                if waiting:
                    out.append(
                        Task(
                            f"Chờ cấp ủy quyết định xếp loại {waiting} đảng viên",
                            "reviews:period",
                            period.pk,
                            when,
                            period.ends_on,
                            overdue=today > period.ends_on,
                            query=f"node={node.pk}",
                        )
                    )
    return out
