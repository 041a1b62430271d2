"""Who sees which review period and who may act on it (issue 7; DOMAIN.md §2, §4).

A period opened by a committee covers its whole subtree, so a branch secretary sees the
province's yearly period: visible periods are those opened inside the user's scope **or
above it**. Everything else (reviews, sheets, decisions) is still limited to the nodes in
the user's scope: a node outside answers 404.

- The chi bộ fills the review sheet: capability ``branch_moves`` at the branch.
- Who decides a member's rating [U in DOMAIN.md §4]: the member's grassroots organisation
  (tổ chức cơ sở đảng: the chi bộ cơ sở itself, or the đảng bộ cơ sở above the chi bộ),
  or, for a chi bộ directly under a commune or other superior committee, that committee
  (124-QĐ/TW Art. 12; 16-HD/BTCTW 2018 §II: "cấp ủy cơ sở quyết định xếp loại đảng viên").
- Who decides an organisation's rating: the committee directly above it (the grassroots
  đảng ủy for its chi bộ; the superior committee for a grassroots organisation).
- The ``decide`` capability at (or above) the deciding committee decides; opening a period
  needs ``decide`` at its node.
"""

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from dangvien.accounts.models import Capability
from dangvien.accounts.queries import can
from dangvien.organisations.models import GRASSROOTS, MEMBER_HOLDING, SUPERIOR, Organisation
from dangvien.organisations.queries import admission_chain, ancestors, scope_paths, under
from dangvien.reviews.models import ReviewPeriod

if TYPE_CHECKING:
    from dangvien.accounts.models import User


def _prefixes(path: str) -> list[str]:
    """Every ancestor path of ``path`` (fixed-width 9-character segments), itself included."""
    return [path[:end] for end in range(9, len(path) + 1, 9)]


def visible_periods(user: "User") -> QuerySet[ReviewPeriod]:
    """Periods opened in the user's scope or at a node above it."""
    paths = scope_paths(user)
    if not paths:
        return ReviewPeriod.objects.none()
    above = {prefix for path in paths for prefix in _prefixes(path)}
    within = under(paths, "org_path")
    return ReviewPeriod.objects.filter(within | Q(org_path__in=above)).select_related(
        "organisation"
    )


def visible_period(user: "User", pk: int) -> ReviewPeriod:
    """The period, or 404."""
    return get_object_or_404(visible_periods(user), pk=pk)


def covers(period: ReviewPeriod, org: Organisation) -> bool:
    """Whether ``org`` lies in the period's subtree."""
    return org.path.startswith(period.org_path)


def member_rating_decider(branch: Organisation) -> Organisation:
    """The committee that decides the rating of a member of ``branch``."""
    chain = admission_chain(branch)
    return chain.grassroots or chain.decider


def org_rating_decider(org: Organisation) -> Organisation | None:
    """The committee that decides ``org``'s rating; None for a tree's top node."""
    if org.kind in MEMBER_HOLDING and org.kind not in GRASSROOTS:
        return member_rating_decider(org)
    if org.kind in GRASSROOTS:
        for node in reversed(ancestors(org)):
            if node.kind in SUPERIOR:
                return node
        return None
    return org.parent


def can_fill_sheet(user: "User", branch: Organisation) -> bool:
    return can(user, Capability.BRANCH_MOVES, branch.path)


def can_decide_ratings(user: "User", decider: Organisation) -> bool:
    return can(user, Capability.DECIDE, decider.path)


def can_open_period(user: "User", org: Organisation) -> bool:
    return can(user, Capability.DECIDE, org.path)
