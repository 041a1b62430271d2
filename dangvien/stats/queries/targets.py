"""Reads of the yearly admission targets (issue 6 "Targets"; seeds 001/003: each committee
sets the targets of its subordinates; DOMAIN.md §2).

Everything a targets page or the API shows comes from here in a fixed number of queries,
whatever the number of children: the children's targets in one query, and the sums of
the grandchildren's targets grouped by child on a fixed-width path prefix (SCALE.md).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet, Sum

from dangvien.organisations.models import Organisation
from dangvien.organisations.queries import child_bucket, children
from dangvien.stats.models import Breakdown, Target, TargetRevision


def target_of(org: Organisation, year: int) -> Target | None:
    """The node's target for the year (with who set it last), or None when none is set."""
    return Target.objects.filter(organisation=org, year=year).select_related("by").first()


def targets_for(
    orgs: Iterable[Organisation] | QuerySet[Organisation], year: int
) -> dict[int, Target]:
    """The targets of several nodes for one year, by organisation id, in one query."""
    if isinstance(orgs, QuerySet):
        rows = Target.objects.filter(organisation__in=orgs.values("pk"), year=year)
    else:
        rows = Target.objects.filter(organisation__in=[o.pk for o in orgs], year=year)
    return {row.organisation_id: row for row in rows.select_related("by")}


def history(org: Organisation, year: int) -> QuerySet[TargetRevision]:
    """Every setting of the node's target for the year, newest first, with who set it."""
    return (
        TargetRevision.objects.filter(target__organisation=org, target__year=year)
        .select_related("by")
        .order_by("-revision")
    )


@dataclass
class Below:
    """What a node has handed down for a year: the sum of its children's targets, how
    many children it has and how many of them have a target."""

    count: int = 0  # children
    with_target: int = 0
    total: int = 0  # sum of the children's targets

    @property
    def missing(self) -> int:
        """Children without a target yet."""
        return self.count - self.with_target

    def shortfall(self, own: int | None) -> int | None:
        """Issue 6: "show when the children's targets add up to less than the parent's".
        How much the children's targets fall short of ``own``; None when they do not
        (or there is no target or no child to compare)."""
        if own is None or not self.count or self.total >= own:
            return None
        return own - self.total


def _below_each_child(org: Organisation, year: int) -> dict[str, Below]:
    """For each child of ``org`` (by its path): what the child handed down to its own
    children. Two grouped queries, whatever the number of children."""
    depth = org.depth + 2
    in_org, child_of_org = child_bucket(org, field="path")
    grandchildren = (
        Organisation.objects.filter(in_org, depth=depth)
        .annotate(child=child_of_org)
        .values("child")
        .annotate(n=Count("pk"))
        .order_by()
    )
    below = {row["child"]: Below(count=row["n"]) for row in grandchildren}
    in_org, child_of_target = child_bucket(org, field="organisation__path")
    sums = (
        Target.objects.filter(in_org, organisation__depth=depth, year=year)
        .annotate(child=child_of_target)
        .values("child")
        .annotate(n=Count("pk"), total=Sum("target"))
        .order_by()
    )
    for row in sums:
        entry = below.setdefault(row["child"], Below())
        entry.with_target, entry.total = row["n"], row["total"] or 0
    return below


def below(org: Organisation, year: int) -> Below:
    """What ``org`` handed down to its children for the year (two queries)."""
    count = Organisation.objects.filter(parent=org).count()
    sums = Target.objects.filter(organisation__parent=org, year=year).aggregate(
        n=Count("pk"), total=Sum("target")
    )
    return Below(count=count, with_target=sums["n"], total=sums["total"] or 0)


def children_shortfall(org: Organisation, year: int) -> int | None:
    """The node's target minus the sum of its children's targets, when the children's
    add up to less (issue 6); None otherwise. ``below(org, year).missing`` tells how many
    children have no target yet."""
    own = target_of(org, year)
    return below(org, year).shortfall(own.target if own else None)


@dataclass
class ChildRow:
    """One child on the targets page: its target and what it handed down in turn."""

    org: Organisation
    target: Target | None
    below: Below

    @property
    def value(self) -> int | None:
        return self.target.target if self.target else None

    @property
    def shortfall(self) -> int | None:
        return self.below.shortfall(self.value)

    def breakdown_of(self, keys: list[str]) -> list[int | None]:
        """The breakdown targets for ``keys``, in that order (None: not set)."""
        values = (self.target.breakdown or {}) if self.target else {}
        return [values.get(key) for key in keys]


@dataclass
class TargetsPage:
    """The data of the targets page of one node for one year."""

    org: Organisation
    year: int
    own: Target | None
    rows: list[ChildRow] = field(default_factory=list)

    @property
    def has_children(self) -> bool:
        return bool(self.rows)

    @property
    def own_value(self) -> int | None:
        return self.own.target if self.own else None

    @property
    def own_breakdown(self) -> list[tuple[str, int | None]]:
        values = self.own.breakdown if self.own else {}
        return [(str(label), values.get(key)) for key, label in Breakdown.choices]

    @property
    def below(self) -> Below:
        return Below(
            count=len(self.rows),
            with_target=sum(r.target is not None for r in self.rows),
            total=sum(r.value or 0 for r in self.rows),
        )

    @property
    def shortfall(self) -> int | None:
        return self.below.shortfall(self.own_value)

    @property
    def without_target(self) -> list[Organisation]:
        return [r.org for r in self.rows if r.target is None]

    @property
    def used_keys(self) -> list[str]:
        """The breakdowns at least one child has a target for, in ``Breakdown`` order."""
        return [
            key
            for key in Breakdown.values
            if any(r.target and (r.target.breakdown or {}).get(key) is not None for r in self.rows)
        ]

    @property
    def breakdown_totals(self) -> dict[str, int]:
        """Per breakdown some child has, the sum over the children that set it."""
        return {
            key: sum((r.target.breakdown or {}).get(key) or 0 for r in self.rows if r.target)
            for key in self.used_keys
        }


def targets_page(org: Organisation, year: int) -> TargetsPage:
    """The node's own target, and each child with its target and what it handed down;
    five queries, whatever the number of children."""
    kids = list(children(org))
    targets = targets_for(kids, year)
    below_each = _below_each_child(org, year) if kids else {}
    return TargetsPage(
        org=org,
        year=year,
        own=target_of(org, year),
        rows=[
            ChildRow(org=kid, target=targets.get(kid.pk), below=below_each.get(kid.path, Below()))
            for kid in kids
        ],
    )
