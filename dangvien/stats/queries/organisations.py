"""Statistics of the party organisations under a node (DOMAIN.md §9 "Organisations";
11-HD/BTCTW 13/12/2021, table codes [U]; villages: baohatinh.vn in DOMAIN.md):

- grassroots organisations (tổ chức cơ sở đảng: kinds ``grassroots_committee`` and
  ``grassroots_branch``) by type (``Organisation.sector``; "Chưa phân loại" when not set)
  and by form (đảng bộ cơ sở / chi bộ cơ sở);
- branches (chi bộ trực thuộc, kind ``branch``) and sub-committees (đảng bộ bộ phận);
- villages and residential groups (``organisations.Village``, open ones), those where no
  member lives (no member on the day, as ``stats.queries.structure`` counts one, has the
  village as ``Person.village``), and branches serving two or more villages (chi bộ ghép).

The tree is taken as it is now: organisations carry no history of their own (issue 6). The
day matters for who is a member.

Per direct child too. A fixed number of queries: the organisations grouped by child (1),
the villages grouped by child with a correlated "any member here" test (1), the shared
branches (1), the children (1).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Substr

from dangvien.members.models import Member
from dangvien.organisations.models import Kind, Organisation, Sector, Village
from dangvien.stats.formatting import percent
from dangvien.stats.queries.facts import member_on
from dangvien.stats.queries.structure import NodeFigures, bucket_length, per_child, sum_columns

UNCLASSIFIED = "Chưa phân loại"
GRASSROOTS_KINDS = (Kind.GRASSROOTS_COMMITTEE, Kind.GRASSROOTS_BRANCH)

# (column, label) of the tables, in the order reports list them.
SECTORS: tuple[tuple[str, str], ...] = (
    *((f"sector:{value}", str(label)) for value, label in Sector.choices),
    ("sector:", UNCLASSIFIED),
)
FORMS: tuple[tuple[str, str], ...] = (
    ("form:grassroots_committee", "Đảng bộ cơ sở"),
    ("form:grassroots_branch", "Chi bộ cơ sở"),
)
UNITS: tuple[tuple[str, str], ...] = (
    ("grassroots", "Tổ chức cơ sở đảng"),
    ("sub_committees", "Đảng bộ bộ phận"),
    ("branches", "Chi bộ trực thuộc"),
)
VILLAGES: tuple[tuple[str, str], ...] = (
    ("villages", "Thôn, tổ dân phố"),
    ("villages_without_members", "trong đó: chưa có đảng viên"),
    ("shared_branches", "Chi bộ ghép (phụ trách từ 2 thôn, tổ dân phố trở lên)"),
)

# Every column an ``OrganisationFigures`` may hold.
COLUMNS = frozenset(c for group in (SECTORS, FORMS, UNITS, VILLAGES) for c, _label in group)


@dataclass
class OrganisationFigures(NodeFigures):
    """The counted columns of one node (or one direct child; ``direct``: counted at the
    node itself, its own villages)."""

    def is_column(self, column: str) -> bool:
        return column in COLUMNS

    def share(self, column: str, of: str) -> float | None:
        return percent(self[column], self[of])


@dataclass
class OrganisationStats:
    organisation: Organisation
    on: date
    figures: OrganisationFigures
    children: list[OrganisationFigures]

    def rows(
        self, columns: tuple[tuple[str, str], ...], of: str | None = None
    ) -> list[tuple[str, str, int, float | None]]:
        """(column, label, count, % of ``of``) for the node."""
        return [
            (c, label, self.figures[c], self.figures.share(c, of) if of else None)
            for c, label in columns
        ]


def organisation_stats(org: Organisation, on: date) -> OrganisationStats:
    """The organisations, villages and shared branches under ``org`` (itself included), with
    members counted on ``on``; per direct child too (see the module docstring)."""
    path = org.path
    length = bucket_length(org)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    grassroots = Q(kind__in=GRASSROOTS_KINDS)
    aggregates = {
        "grassroots": Count("pk", filter=grassroots),
        "sub_committees": Count("pk", filter=Q(kind=Kind.SUB_COMMITTEE)),
        "branches": Count("pk", filter=Q(kind=Kind.BRANCH)),
        **{f"form:{kind.value}": Count("pk", filter=Q(kind=kind)) for kind in GRASSROOTS_KINDS},
        **{
            f"sector:{value}": Count("pk", filter=grassroots & Q(sector=value))
            for value in Sector.values
        },
        "sector:": Count("pk", filter=grassroots & ~Q(sector__in=Sector.values)),
    }
    rows = (
        Organisation.objects.filter(path__startswith=path)
        .annotate(_bucket=Substr("path", 1, length))
        .values("_bucket")
        .annotate(**{f"c_{i}": value for i, value in enumerate(aggregates.values())})
        .order_by()
    )
    names = list(aggregates)
    for row in rows:
        for i, name in enumerate(names):
            counts[row["_bucket"]][name] += row[f"c_{i}"]

    lives_here = Exists(Member.objects.filter(member_on(on), person__village=OuterRef("pk")))
    villages = (
        Village.objects.filter(org_path__startswith=path, active=True)
        .annotate(_bucket=Substr("org_path", 1, length), _lived=lives_here)
        .values("_bucket")
        .annotate(n=Count("pk"), empty=Count("pk", filter=Q(_lived=False)))
        .order_by()
    )
    for row in villages:
        counts[row["_bucket"]]["villages"] += row["n"]
        counts[row["_bucket"]]["villages_without_members"] += row["empty"]

    shared = (
        Village.objects.filter(active=True, branch__path__startswith=path)
        .values("branch__path")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
        .order_by()
    )
    for row in shared:
        counts[row["branch__path"][:length]]["shared_branches"] += 1

    total = sum_columns(counts)
    children = per_child(
        org,
        lambda node, own: OrganisationFigures(node, dict(counts.get(node.path, {})), direct=own),
        own=any(counts.get(org.path, {}).values()),
    )
    return OrganisationStats(org, on, OrganisationFigures(org, dict(total)), children)
