"""Review periods as a user sees them (DOMAIN.md §4)."""

from typing import TYPE_CHECKING

from django.db.models import Q

from dangvien.organisations.models import SEGMENT, Organisation
from dangvien.reviews.models import ReviewPeriod
from dangvien.reviews.queries.access import visible_periods

if TYPE_CHECKING:
    from dangvien.accounts.models import User


def periods_for(user: "User", node: Organisation | None = None) -> list[ReviewPeriod]:
    """The periods the user sees (opened in their scope or above it), latest first; with
    ``node``, only those that concern it: opened at the node, above it (covering it) or
    inside its subtree."""
    rows = visible_periods(user)
    if node is not None:
        above = [node.path[:end] for end in range(SEGMENT, len(node.path) + 1, SEGMENT)]
        rows = rows.filter(Q(org_path__in=above) | Q(org_path__startswith=node.path))
    return list(rows.order_by("-year", "-starts_on", "org_path", "pk"))
