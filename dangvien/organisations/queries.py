"""Every read that walks the organisation tree lives here (STYLE.md).

Scope filters pass path prefixes as literals (``LIKE '00000001/00000042/%'``): a prefix
computed in a sub-query defeats the index (SCALE.md).
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.db.models.functions import Substr

from dangvien.organisations.models import (
    GRASSROOTS,
    SEGMENT,
    SUPERIOR,
    Kind,
    Organisation,
    ParentRule,
)

if TYPE_CHECKING:
    from dangvien.accounts.models import User


def ancestors(org: Organisation, include_self: bool = False) -> list[Organisation]:
    """Root first."""
    ids = org.ancestor_ids(include_self=include_self)
    by_id = Organisation.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def descendants(org: Organisation, include_self: bool = True) -> QuerySet[Organisation]:
    rows = Organisation.objects.filter(path__startswith=org.path)
    return rows if include_self else rows.exclude(pk=org.pk)


def children(org: Organisation) -> QuerySet[Organisation]:
    return Organisation.objects.filter(parent=org).order_by("sort_key")


def parent_allowed(parent_kind: str, child_kind: str) -> bool:
    return ParentRule.objects.filter(parent_kind=parent_kind, child_kind=child_kind).exists()


# ---- scope -----------------------------------------------------------------------------


def scope_paths(user: "User") -> list[str]:
    """The path prefixes the user may see: the nodes of their roles, nested ones dropped."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_scope_paths", None)
    if cached is not None:
        return list(cached)
    paths = sorted(set(user.roles.filter(active=True).values_list("organisation__path", flat=True)))
    minimal: list[str] = []
    for path in paths:
        if not any(path.startswith(kept) for kept in minimal):
            minimal.append(path)
    user._scope_paths = minimal  # type: ignore[attr-defined]
    return list(minimal)


def in_scope(user: "User", field: str) -> Q:
    """A filter keeping rows whose ``field`` (a path) lies under the user's nodes."""
    paths = scope_paths(user)
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{field}__startswith": p}) for p in paths))


def visible_organisations(user: "User") -> QuerySet[Organisation]:
    return Organisation.objects.filter(in_scope(user, "path"))


def units_managed_by(user: "User") -> QuerySet[Organisation]:
    """The top nodes of the user's scope."""
    return Organisation.objects.filter(path__in=scope_paths(user)).order_by("sort_key")


def path_within(path: str, user: "User") -> bool:
    return any(path.startswith(p) for p in scope_paths(user))


def child_bucket(org: Organisation, field: str = "org_path") -> tuple[Q, Substr]:
    """A filter for rows under ``org`` and the expression naming the child they fall under.

    Group fact rows by the returned expression to count per child in one query.
    """
    length = (org.depth + 2) * SEGMENT
    return Q(**{f"{field}__startswith": org.path}), Substr(field, 1, length)


# ---- who decides -----------------------------------------------------------------------


@dataclass(frozen=True)
class AdmissionChain:
    """Who acts on a branch's admission proposal (DOMAIN.md §2, 294-QĐ/TW §4.3.2).

    - ``grassroots``: the grassroots organisation (tổ chức cơ sở đảng) of the branch;
    - ``endorser``: the grassroots đảng ủy that endorses between branch and decider, if any;
    - ``decider``: the committee that decides; ``decider_rule`` the vote rule it applies.
    """

    branch: Organisation
    grassroots: Organisation | None
    endorser: Organisation | None
    decider: Organisation
    decider_rule: str

    @property
    def decider_label(self) -> str:
        if self.decider_rule == "vote.authorised_grassroots":
            return f"Đảng ủy {self.decider.name} (được ủy quyền)"
        return f"Ban Thường vụ {self.decider.name}"


def admission_chain(branch: Organisation) -> AdmissionChain:
    """Derive endorser and decider from the tree, not from code per level.

    Walk up from the branch. The grassroots organisation is the nearest chi bộ cơ sở or
    đảng bộ cơ sở (the branch itself if it is a chi bộ cơ sở). A đảng bộ cơ sở between
    branch and decider endorses (2/3 of its committee), unless it is authorised to admit,
    in which case it decides (2/3 of all its sitting members, §4.3.2a). Otherwise the
    nearest committee with a standing committee above decides (> 1/2 of its BTV, §4.3.2).
    A branch directly under a commune or other superior committee has no grassroots
    đảng ủy between: that committee decides.
    """
    grassroots: Organisation | None = None
    superior: Organisation | None = None
    for org in ancestors(branch, include_self=True)[::-1]:  # the branch first, then up
        if org.kind in SUPERIOR:
            superior = org
            break
        if grassroots is None and org.kind in GRASSROOTS:
            grassroots = org
    if grassroots is not None and grassroots.kind == Kind.GRASSROOTS_COMMITTEE:
        if grassroots.authorised_to_admit:
            return AdmissionChain(
                branch, grassroots, None, grassroots, "vote.authorised_grassroots"
            )
        if superior is None:
            raise ValueError(f"{branch} has no committee above its grassroots organisation")
        return AdmissionChain(branch, grassroots, grassroots, superior, "vote.decider")
    if superior is None:
        raise ValueError(f"{branch} has no deciding committee above it")
    return AdmissionChain(branch, grassroots, None, superior, "vote.decider")


def same_grassroots(a: Organisation, b: Organisation) -> bool:
    """Whether two member-holding units lie under one grassroots organisation."""
    return _grassroots_or_top(a) == _grassroots_or_top(b)


def _grassroots_or_top(org: Organisation) -> Any:
    chain = admission_chain(org)
    return chain.grassroots.pk if chain.grassroots else ("superior", chain.decider.pk)
