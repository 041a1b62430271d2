"""Every read that walks the organisation tree lives here (STYLE.md).

Scope filters pass path prefixes as literals (``LIKE '00000001/00000042/%'``): a prefix
computed in a sub-query defeats the index (SCALE.md).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from dangvien.core.text import collation_key, fold
from dangvien.organisations.models import (
    GRASSROOTS,
    SEGMENT,
    SUPERIOR,
    Kind,
    Organisation,
    ParentRule,
    Sector,
    Village,
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
    """The path prefixes the user may see: the nodes of their roles, nested ones dropped.

    An auditor's role gives no data scope: the auditor reads the logs of its subtree
    (``auditlog.queries``), not the dossiers themselves (issue 9; Nghị định 13/2023/NĐ-CP
    Điều 3 khoản 5: only those whose task needs the data may process it [U])."""
    from dangvien.accounts.models import Role
    from dangvien.accounts.queries import _roles

    if not user.is_authenticated:
        return []
    cached = getattr(user, "_scope_paths", None)
    if cached is not None:
        return list(cached)
    # The user's active roles, read once a request for every check (``accounts.queries``).
    paths = sorted({path for role, path, _depth in _roles(user) if role != Role.AUDITOR})
    minimal: list[str] = []
    for path in paths:
        if not any(path.startswith(kept) for kept in minimal):
            minimal.append(path)
    user._scope_paths = minimal  # type: ignore[attr-defined]
    return list(minimal)


def under(paths: Sequence[str], field: str) -> Q:
    """A filter keeping rows whose ``field`` (a path) lies under one of ``paths`` (none:
    no row)."""
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{field}__startswith": p}) for p in paths))


def in_scope(user: "User", field: str) -> Q:
    """A filter keeping rows whose ``field`` (a path) lies under the user's nodes."""
    return under(scope_paths(user), field)


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


def count_per_child(
    rows: QuerySet[Any], org: Organisation, field: str = "org_path"
) -> dict[str, int]:
    """How many of ``rows`` fall under each child of ``org`` (key: the child's path; rows at
    ``org`` itself under ``org.path``; children without any are absent), in one query."""
    under, bucket = child_bucket(org, field)
    grouped = (
        rows.filter(under)
        .annotate(child=bucket)
        .values("child")
        .annotate(n=Count("pk"))
        .values_list("child", "n")
        .order_by()
    )
    return dict(grouped)


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


# ---- sector (loại hình) ----------------------------------------------------------------

# The nodes whose sector is their own: a grassroots organisation (its type, as the
# statistics count grassroots organisations by type, DOMAIN.md §9) and a commune (always
# "commune_ward"). Every node below one carries a copy of its sector.
SECTOR_OWNERS = GRASSROOTS | {Kind.COMMUNE}


def sector_owner(org: Organisation) -> Organisation | None:
    """The node that decides ``org``'s sector: ``org`` itself when it is a grassroots
    organisation or a commune, else the nearest such ancestor; None above them (province,
    bloc, district carry no sector)."""
    if org.kind in SECTOR_OWNERS:
        return org
    for node in reversed(ancestors(org)):
        if node.kind in SECTOR_OWNERS:
            return node
    return None


def owners_below(org: Organisation) -> list[str]:
    """Paths of the sector owners strictly under ``org``, nested ones dropped: the subtrees
    a copy-down of ``org``'s sector must leave alone."""
    paths = (
        Organisation.objects.filter(path__startswith=org.path, kind__in=SECTOR_OWNERS)
        .exclude(pk=org.pk)
        .order_by("path")
        .values_list("path", flat=True)
    )
    minimal: list[str] = []
    for path in paths:
        if not any(path.startswith(kept) for kept in minimal):
            minimal.append(path)
    return minimal


def can_edit_organisation(user: "User", org: Organisation) -> bool:
    """Whether ``user`` keeps the records of ``org`` (its sector, its villages).

    The organisation staff do: cán bộ đảng ủy cơ sở and the organisation board above, the
    roles that hold the ``decide`` capability, at the node or above it (issue 6). Branch
    secretaries and leaders only see them.
    """
    from dangvien.accounts.models import Capability
    from dangvien.accounts.queries import can

    return can(user, Capability.DECIDE, org.path)


# ---- villages (thôn, tổ dân phố) -------------------------------------------------------


def holds_villages(org: Organisation) -> bool:
    """Villages belong to a commune: a node of kind commune, any superior node, or, in the
    older four-level layout, a đảng bộ xã that is a grassroots organisation of sector
    "commune_ward" (issue 6)."""
    return org.kind in SUPERIOR or (org.kind in GRASSROOTS and org.sector == Sector.COMMUNE_WARD)


def shows_villages(org: Organisation) -> bool:
    """The organisation page lists villages for a commune (or a đảng bộ xã of the older
    layout), and for another superior node only when some are attached to it."""
    if not holds_villages(org):
        return False
    if org.kind == Kind.COMMUNE or org.kind in GRASSROOTS:
        return True
    return Village.objects.filter(organisation=org).exists()


def visible_villages(user: "User") -> QuerySet[Village]:
    """Villages of the communes in the user's scope (a literal path prefix per scope node)."""
    return Village.objects.filter(in_scope(user, "org_path"))


def villages_above(branch: Organisation) -> QuerySet[Village]:
    """The villages of the commune (or superior node) above ``branch``: those whose
    commune's path is a prefix of the branch's path."""
    return Village.objects.filter(org_path__in=_prefixes([branch.path])).select_related(
        "organisation"
    )


def villages_for_branches(paths: list[str]) -> QuerySet[Village]:
    """The villages a person attached to any of these branches may live in."""
    return Village.objects.filter(org_path__in=_prefixes(paths)).select_related("organisation")


def _prefixes(paths: list[str]) -> list[str]:
    """Every strict ancestor path of the given paths (the nodes themselves excluded)."""
    found: set[str] = set()
    for path in paths:
        for end in range(SEGMENT, len(path), SEGMENT):
            found.add(path[:end])
    return sorted(found)


def village_choices(villages: QuerySet[Village], keep: int | None = None) -> list[Any]:
    """Choices for a select: active villages (and ``keep``, the current one, even closed),
    in Vietnamese order, grouped by commune when there is more than one."""
    rows = [v for v in villages.filter(Q(active=True) | Q(pk=keep or 0))]
    groups: dict[int, tuple[str, list[tuple[int, str]]]] = {}
    for village in sorted(
        rows, key=lambda v: (collation_key(v.organisation.name), collation_key(v.name))
    ):
        label = village.name if village.active else f"{village.name} (đã đóng)"
        groups.setdefault(village.organisation_id, (village.organisation.name, []))[1].append(
            (village.pk, label)
        )
    if len(groups) == 1:
        return [("", "— Chưa chọn —"), *next(iter(groups.values()))[1]]
    return [("", "— Chưa chọn —"), *groups.values()]


@dataclass(frozen=True)
class VillageRow:
    village: Village
    members: int  # active members (official, probationary) living there
    candidates: int  # candidates still in the pipeline living there


def village_rows(
    org: Organisation, *, active: bool | None = None, village_id: int | None = None
) -> list[VillageRow]:
    """The villages of ``org`` with who lives there, open ones first, in Vietnamese order
    (``active``: only open or only closed ones; ``village_id``: that one only).

    Three queries whatever the number of villages: the villages, then one grouped count of
    members and one of candidates.
    """
    from dangvien.candidates.models import ACTIVE, Candidate
    from dangvien.members.models import ACTIVE_STATUSES, Member

    rows = Village.objects.filter(organisation=org).select_related("branch", "organisation")
    if active is not None:
        rows = rows.filter(active=active)
    if village_id is not None:
        rows = rows.filter(pk=village_id)
    villages = list(rows)
    members = dict(
        Member.objects.filter(person__village__organisation=org, status__in=ACTIVE_STATUSES)
        .values("person__village")
        .annotate(n=Count("pk"))
        .values_list("person__village", "n")
    )
    candidates = dict(
        Candidate.objects.filter(person__village__organisation=org, stage__in=ACTIVE)
        .values("person__village")
        .annotate(n=Count("pk"))
        .values_list("person__village", "n")
    )
    villages.sort(key=lambda v: (not v.active, collation_key(v.name)))
    return [VillageRow(v, members.get(v.pk, 0), candidates.get(v.pk, 0)) for v in villages]


def branches_under(org: Organisation) -> QuerySet[Organisation]:
    """The member-holding nodes (chi bộ, chi bộ cơ sở) under ``org``: the choices for the
    chi bộ in charge of one of its villages."""
    return Organisation.objects.filter(
        path__startswith=org.path, kind__in=[Kind.BRANCH, Kind.GRASSROOTS_BRANCH]
    ).order_by("sort_key")


def branches_named(q: str) -> QuerySet[Organisation]:
    """Chi bộ (both kinds) whose own name or whose superior's name holds each word of
    ``q``, typed with or without diacritics (both sides folded): those whose own name
    holds the whole of ``q`` first, then by name."""
    from django.db.models import Case, IntegerField, Value, When

    from dangvien.organisations.models import MEMBER_HOLDING

    folded = fold(q)
    rows = Organisation.objects.filter(kind__in=MEMBER_HOLDING)
    for word in folded.split():
        rows = rows.filter(Q(search_text__contains=word) | Q(parent__search_text__contains=word))
    whole = Case(
        When(search_text__contains=folded, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return rows.select_related("parent").order_by(whole, "sort_key", "pk")
