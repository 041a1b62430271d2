"""The structure of a node's members on a date (cơ cấu đội ngũ đảng viên), as the statistics
of record lay it out (DOMAIN.md §9; 11-HD/BTCTW 13/12/2021, table codes [U]): total,
official and probationary; by sex, age band, ethnicity, religion, education, political
theory level and occupation group; exempted; temporarily out and temporarily in. The same
figures for each direct child, so a province sees its communes side by side.

**A member on a date D** under a node (issue 6 brief, "What counts"): the ceremony
(``probation_started_on``, or ``admitted_on`` when none is recorded) on or before D, and
``left_on`` empty or after D; official on D when ``official_on`` ≤ D, else probationary.
Their node on D is their current ``org_path`` unless a permanent transfer was received
after D, in which case it is the ``from_branch`` of the earliest such transfer. One
addition, so that the flows balance (``stats.queries.flows``): a member whose permanent
transfer letter goes to an organisation outside the system (no ``to_organisation``; such a
letter is never received here) leaves the roll on the day it is issued (issue 6: "outside
the system: no ``to_organisation``, the letter issued in the period" is a transfer out).

How it stays fast (SCALE.md; issue 6 "a fixed number of queries"):

1. the moves: the permanent transfers that change a member's node after D (received after
   D, or letters out of the system), for the members whose node could be in the subtree —
   one query, and empty for D = today unless someone left the system;
2. every other member of the subtree has the node ``org_path``: ONE pass over them, grouped
   by the direct child (``Substr`` of the path, a literal prefix filter), the ethnicity and
   the religion as written (a few hundred groups for a province), with every other column
   a conditional count (``Count(filter=Q(...))``); Python adds the groups up per child and
   sorts ethnicities and religions into their categories;
3. the moved members, a small set, are counted by the same query grouped per member, and
   placed at their node on D in Python;
4. the temporary transfers received into the subtree: one grouped query by ``to_path``;
5. the direct children: one query.

Counted this way a province takes seconds at national size (Hà Nội, 354,077 members: 2 to
7 s on the 6.4-million nation, by the load). A top node's table for today, and the whole
country's (``national_structure``), are therefore read from the structure rollup
(``stats.rollup``): the same ``slices`` counted ahead, per direct child of each top node,
kept exact by database triggers and refreshed before the read (tens of milliseconds). Any
other node, and any past day, is counted live as above.

Age on D is worked out in SQL from birth-date ranges (a person is at least ``n`` years old
on D when born on or before ``facts.latest_birth(D, n)``), never by a loop over the rows.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from dangvien.members.models import (
    Exemption,
    Member,
    Transfer,
    TransferKind,
    TransferState,
)
from dangvien.organisations.models import SEGMENT, Organisation
from dangvien.organisations.queries import children as children_of
from dangvien.people.models import Education, OccupationGroup, PoliticalTheory, Sex
from dangvien.rowsecurity.scope import unrestricted
from dangvien.stats.formatting import percent
from dangvien.stats.queries.achievement import NATION_NAME
from dangvien.stats.queries.facts import (
    AGE_BANDS,
    age_band_filters,
    first_membership_on,
    is_kinh,
    is_no_religion,
    member_on,
)

F = TypeVar("F")

# How many ethnic groups (religions) are named one by one; the rest are one row "khác".
MAIN_GROUPS = 8

UNCLASSIFIED = "Chưa phân loại"

# The spellings met of each named group, (prefix, folded key) → spelling → members.
Spellings = dict[tuple[str, str], Counter[str]]


# ---- age -------------------------------------------------------------------------------


def age_columns(day: date, field_name: str = "person__birth_date") -> dict[str, Q]:
    """One filter per age band on ``day`` (columns ``age:18-30`` … ``age:71-``; the first
    band takes any younger record too: nobody under 18 can be a member, Charter Art. 1)."""
    return {age_key(band.low, band.high): q for band, q in age_band_filters(day, field_name)}


def age_key(low: int, high: int | None) -> str:
    return f"age:{low}-{high if high is not None else ''}"


# ---- a member's node on a day ----------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """A permanent transfer that changes a member's node: on ``on`` (the day received, or
    for a letter out of the system the day issued) from ``from_path`` to ``to_path``
    (None: out of the system)."""

    on: date
    from_path: str
    to_path: str | None


@dataclass(frozen=True)
class Moved:
    """A member with moves that matter for the days asked about: their current path and
    their moves, earliest first."""

    member_id: int
    current_path: str
    moves: tuple[Move, ...]

    def node_on(self, day: date) -> str | None:
        """The member's node on ``day`` (None once they left the system)."""
        for move in self.moves:
            if move.on > day:
                return move.from_path
        if any(m.to_path is None for m in self.moves):
            return None
        return self.current_path


def _moving(after: date) -> Q:
    """Transfers that move a member after ``after``: permanent ones received after it, and
    every permanent letter out of the system (not cancelled), whatever its date (one issued
    on or before ``after`` means the member had already left)."""
    return Q(kind=TransferKind.PERMANENT) & (
        Q(state=TransferState.RECEIVED, received_on__gt=after, to_organisation__isnull=False)
        | (Q(to_organisation__isnull=True) & ~Q(state=TransferState.CANCELLED))
    )


def moving_transfers(after: date) -> QuerySet[Transfer]:
    """The transfers of ``_moving`` (for an uncorrelated ``pk__in`` exclusion)."""
    return Transfer.objects.filter(_moving(after))


def moved_members(path: str, after: date) -> dict[int, Moved]:
    """The members whose node after ``after`` is not simply their current path, among those
    who could be under ``path`` on some day after ``after``: their current path is under
    it, or one of those moves starts under it (one query).

    Below a top node the two ways in are asked apart and joined (``UNION``), so that each
    follows its index (the members under the path, then their transfers; the nodes under
    it, then the transfers from them): with an ``OR`` across the two joins PostgreSQL reads
    every transfer of the country, 150 ms for one commune on the 6.4-million nation against
    10 ms. For a whole tree (or the country) reading every transfer is the cheaper plan,
    and the ``OR`` gets it. The same members either way."""
    moving = Transfer.objects.filter(_moving(after)).order_by()
    relevant: QuerySet[Any]
    if len(path) > SEGMENT:
        relevant = (
            moving.filter(member__org_path__startswith=path)
            .values("member_id")
            .union(moving.filter(from_branch__path__startswith=path).values("member_id"))
        )
    else:
        relevant = moving.filter(
            Q(member__org_path__startswith=path) | Q(from_branch__path__startswith=path)
        ).values("member_id")
    rows = (
        Transfer.objects.filter(_moving(after), member_id__in=relevant)
        .values_list(
            "member_id",
            "member__org_path",
            "to_organisation_id",
            "received_on",
            "issued_on",
            "from_branch__path",
            "to_path",
        )
        .order_by("member_id", "received_on", "issued_on", "pk")
    )
    moves: dict[int, list[Move]] = defaultdict(list)
    current: dict[int, str] = {}
    for member_id, org_path, to_org, received_on, issued_on, from_path, to_path in rows:
        current[member_id] = org_path
        outside = to_org is None
        moves[member_id].append(
            Move(
                issued_on if outside or received_on is None else received_on,
                from_path,
                None if outside else to_path,
            )
        )
    return {
        member_id: Moved(member_id, current[member_id], tuple(sorted(found, key=lambda m: m.on)))
        for member_id, found in moves.items()
    }


def bucket_length(org: Organisation) -> int:
    """The length of a direct child's path: ``Substr(path, 1, length)`` names the child a
    row falls under (``organisations.queries.child_bucket``); rows at ``org`` itself give
    ``org.path``."""
    return (org.depth + 2) * SEGMENT


def bucket(org: Organisation, path: str) -> str:
    return path[: bucket_length(org)]


# ---- the result ------------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    """A row of a structure table: the counted column and its label (``sub``: a part of
    the row above it, e.g. an ethnic group within the ethnic minorities)."""

    column: str
    label: str
    sub: bool = False


@dataclass(frozen=True)
class Dimension:
    """One structure table (by sex, by age band, …)."""

    key: str
    title: str
    categories: tuple[Category, ...]


@dataclass
class NodeFigures:
    """The counted columns of one node, or of one direct child, as the structure, flows and
    organisation statistics hold them: column → count. ``direct``: what the node holds
    itself, not under a child. Each kind names its columns (``is_column``)."""

    organisation: Organisation
    counts: dict[str, int] = field(default_factory=dict)
    direct: bool = False

    def is_column(self, column: str) -> bool:
        raise NotImplementedError

    def __getitem__(self, column: str) -> int:
        """A column's count (0 when none). Not a column: ``KeyError``, so that templates go
        on to the attributes (``figures.label``)."""
        if column in self.counts:
            return self.counts[column]
        if self.is_column(column):
            return 0
        raise KeyError(column)

    @property
    def label(self) -> str:
        if self.direct:
            return f"{self.organisation.name} (trực thuộc trực tiếp)"
        return self.organisation.name


def sum_columns(
    counts: dict[str, dict[str, int]], skip: Iterable[str] = ()
) -> defaultdict[str, int]:
    """The node's counts: each column added up over the buckets (``skip``: columns that do
    not add up, such as transfers between two children)."""
    skipped = frozenset(skip)
    total: defaultdict[str, int] = defaultdict(int)
    for item in counts.values():
        for column, n in item.items():
            if column not in skipped:
                total[column] += n
    return total


def per_child(org: Organisation, make: Callable[[Organisation, bool], F], *, own: bool) -> list[F]:
    """``make(child, False)`` for each direct child of ``org`` (one query), after
    ``make(org, True)`` when ``own`` (the node holds something itself, not under a
    child)."""
    found = [make(child, False) for child in children_of(org)]
    return [make(org, True), *found] if own else found


@dataclass
class Figures(NodeFigures):
    """The counted columns of one node (or of one direct child): column → members."""

    def is_column(self, column: str) -> bool:
        return column in COLUMNS or column.startswith(("eth:g:", "rel:g:"))

    @property
    def total(self) -> int:
        return self["total"]

    @property
    def official(self) -> int:
        return self["official"]

    @property
    def probationary(self) -> int:
        return self["probationary"]

    @property
    def exempted(self) -> int:
        return self["exempted"]

    @property
    def temporarily_out(self) -> int:
        return self["temporarily_out"]

    @property
    def temporarily_in(self) -> int:
        return self["temporarily_in"]

    def share(self, column: str) -> float | None:
        """The column as a percentage of the total, one decimal (``formatting.percent``)."""
        return percent(self[column], self.total)


@dataclass(frozen=True)
class Line:
    """A table row as shown: the category, the count and its share of the total."""

    category: Category
    count: int
    percent: float | None


# Columns of the summary (the first table and the per-child overview).
SUMMARY: tuple[Category, ...] = (
    Category("total", "Tổng số đảng viên"),
    Category("official", "Đảng viên chính thức"),
    Category("probationary", "Đảng viên dự bị"),
    Category("exempted", "Được miễn công tác và sinh hoạt đảng"),
    Category("temporarily_out", "Sinh hoạt đảng tạm thời nơi khác (tạm đi)"),
    Category("temporarily_in", "Sinh hoạt đảng tạm thời tại đây (tạm đến)"),
)


@dataclass
class Structure:
    """The members of ``organisation``'s subtree on ``on``: the node's figures, the tables
    (dimensions) and the same figures for each direct child (plus the node itself when it
    holds members directly). ``figures`` is the sum of ``children``, column by column."""

    organisation: Organisation
    on: date
    figures: Figures
    dimensions: list[Dimension]
    children: list[Figures]
    names: dict[tuple[str, str], str] = field(default_factory=dict)

    def group_name(self, prefix: str, key: str) -> str:
        """The shown name of a named group (``prefix`` "eth" or "rel", ``key`` folded)."""
        return self.names.get((prefix, key), key)

    @property
    def summary(self) -> list[Line]:
        return self.lines(SUMMARY)

    def lines(self, categories: Iterable[Category]) -> list[Line]:
        return [Line(c, self.figures[c.column], self.figures.share(c.column)) for c in categories]

    def dimension(self, key: str) -> Dimension:
        return next(d for d in self.dimensions if d.key == key)

    def tables(self) -> list[tuple[Dimension, list[Line]]]:
        return [(d, self.lines(d.categories)) for d in self.dimensions]


# ---- the columns -------------------------------------------------------------------------


def _fixed_columns(day: date, restrict: Q) -> dict[str, Q | None]:
    """Every column counted on a member row by a filter (None: every row). ``restrict``
    narrows the sub-queries on exemptions and transfers to the members being counted.
    Ethnicity and religion are not here: the rows are grouped by them (``_classify``)."""
    exempted = Exemption.objects.filter(restrict, from_on__lte=day).filter(
        Q(until_on__isnull=True) | Q(until_on__gte=day)
    )
    away = (
        Transfer.objects.filter(restrict, kind=TransferKind.TEMPORARY, issued_on__lte=day)
        .exclude(state=TransferState.CANCELLED)
        .filter(Q(returned_on__isnull=True) | Q(returned_on__gt=day))
    )
    columns: dict[str, Q | None] = {
        "total": None,
        "official": Q(official_on__lte=day) | first_membership_on(day),
        "probationary": (Q(official_on__isnull=True) | Q(official_on__gt=day))
        & ~first_membership_on(day),
        "exempted": Q(pk__in=exempted.values("member_id")),
        "temporarily_out": Q(pk__in=away.values("member_id")),
        **{f"sex:{value}": Q(person__sex=value) for value in Sex.values},
        **age_columns(day),
        **{f"edu:{value}": Q(person__education_level=value) for value in Education.values},
        "edu:": ~Q(person__education_level__in=Education.values),
        **{f"pol:{value}": Q(person__political_theory=value) for value in PoliticalTheory.values},
        "pol:": ~Q(person__political_theory__in=PoliticalTheory.values),
        **{f"occ:{value}": Q(person__occupation_group=value) for value in OccupationGroup.values},
        "occ:": ~Q(person__occupation_group__in=OccupationGroup.values),
    }
    return columns


def _aggregates(day: date, restrict: Q) -> dict[str, Count]:
    return {
        f"c_{i}": Count("pk", filter=condition) if condition is not None else Count("pk")
        for i, condition in enumerate(_fixed_columns(day, restrict).values())
    }


def _column_names(day: date) -> list[str]:
    return list(_fixed_columns(day, Q()).keys())


ETHNICITY_COLUMNS = ("eth:kinh", "eth:minority", "eth:unknown", "eth:other")
RELIGION_COLUMNS = ("rel:none", "rel:religious", "rel:other")

# Every column a ``Figures`` may hold (the named groups aside): the fixed ones, the
# temporary stays in, ethnicity and religion.
COLUMNS = frozenset(
    [
        *_fixed_columns(date(2000, 1, 1), Q()),
        "temporarily_in",
        *ETHNICITY_COLUMNS,
        *RELIGION_COLUMNS,
    ]
)


def _classify(
    target: dict[str, int],
    names: dict[tuple[str, str], Counter[str]],
    ethnicity: str | None,
    religion: str | None,
    n: int,
) -> None:
    """Count ``n`` members of one ethnicity and religion into ``target``: Kinh, an ethnic
    minority (and its group) or not stated; no religion (or not stated) or a religion (and
    which one). ``names`` keeps the spellings met, for the shown name of each group."""
    eth, rel = (ethnicity or "").strip().lower(), (religion or "").strip().lower()
    if is_kinh(eth):
        column = "eth:kinh"
    elif eth == "":
        column = "eth:unknown"
    else:
        column = "eth:minority"
        _add_to(target, f"eth:g:{eth}", n)
        names[("eth", eth)][(ethnicity or "").strip()] += n
    _add_to(target, column, n)
    if is_no_religion(rel) or rel == "":
        _add_to(target, "rel:none", n)
    else:
        _add_to(target, "rel:religious", n)
        _add_to(target, f"rel:g:{rel}", n)
        names[("rel", rel)][(religion or "").strip()] += n


def _members_on(day: date) -> QuerySet[Member]:
    return Member.objects.filter(member_on(day))


def _add(target: dict[str, int], row: dict[str, Any], names: list[str]) -> None:
    for i, name in enumerate(names):
        _add_to(target, name, row.get(f"c_{i}") or 0)


def _add_to(target: dict[str, int], column: str, n: int) -> None:
    target[column] = target.get(column, 0) + n


# ---- the query -------------------------------------------------------------------------


def structure(org: Organisation, on: date) -> Structure:
    """The structure of the members under ``org`` on ``on`` (``_structure``), read outside
    the user's row-level security scope on purpose (``rowsecurity.scope.unrestricted``,
    docs/row-level-security.md): a statistic of record about a past day counts the members
    who were under ``org`` then and have moved elsewhere since, and members who stayed
    there temporarily (11-HD/BTCTW 13/12/2021; issue 6 "What counts"), which the database
    would now hide. Only counts per node leave this function; the caller checks that
    ``org`` is in the user's scope (``stats.queries.access``).

    A top node's table for today comes from the rollup (``stats.rollup``: the same figures,
    kept exact by triggers and refreshed before the read) when it has one for today;
    any other node or day is counted live."""
    from dangvien.stats import rollup

    with unrestricted():
        kept = rollup.top_slices(org, on)
        if kept is not None:
            counts, names = kept
            return _assemble(org, on, counts, labels_of(names))
        return _structure(org, on)


def national_structure(tops: list[Organisation], on: date) -> Structure:
    """The structure of every tree of ``tops`` together (the whole country for the
    national organisation board, ``/thong-ke/toan-quoc/co-cau/``): an unsaved node with
    the empty path above them, whose rows are the tops, each with the figures of its own
    table (``structure(top, on).figures``; its "other" ethnic groups and religions, as any
    child row, are those the country's table does not name), and whose figures are their
    sum.

    Read outside the user's scope like ``structure`` (the caller passes the user's top
    nodes). A top node today comes from the rollup (its sum row, one statement for all);
    any other is counted live, one pass per top."""
    from dangvien.stats import rollup

    nation = Organisation(name=NATION_NAME, path="", depth=-1)
    counts: dict[str, dict[str, int]] = {}
    names: list[Spellings] = []
    with unrestricted():
        kept = rollup.top_totals(tops, on)
        for top in tops:
            if top.path in kept:
                figures, spelled = kept[top.path]
            else:
                per_child, per_slice = slices(top.path, on, bucket_length(top))
                figures, spelled = sum_columns(per_child), merged(per_slice.values())
            counts[top.path] = dict(figures)
            names.append(spelled)
    return _assemble(nation, on, counts, labels_of(merged(names)), kids=tops)


def _structure(org: Organisation, on: date) -> Structure:
    """The structure of the members under ``org`` on ``on`` (see the module docstring),
    with each direct child's figures: ``slices`` by direct child, assembled."""
    counts, names = slices(org.path, on, bucket_length(org))
    return _assemble(org, on, counts, labels_of(merged(names.values())))


def labels_of(names: Spellings) -> dict[tuple[str, str], str]:
    """The shown name of each named group: its most frequent spelling (the first in
    alphabetical order among equally frequent ones, so that the name does not depend on
    the order the rows came in)."""
    return {
        key: min(spellings.items(), key=lambda item: (-item[1], item[0]))[0]
        for key, spellings in names.items()
        if spellings
    }


def slices(
    path: str, on: date, length: int, *, exact: bool = False
) -> tuple[dict[str, dict[str, int]], dict[str, Spellings]]:
    """The counted columns of the members under ``path`` on ``on``, per slice: the first
    ``length`` characters of their node's path (a direct child of the node asked about;
    the node itself for the members it holds directly), and the spellings met of each
    named group in each slice. ``exact``: only the members whose node on ``on`` is
    ``path`` itself.

    A fixed number of queries: the moves, the grouped counts, the temporary transfers in
    (3), plus 1 when some member of the subtree moved after ``on``.

    The grouped counts are one pass over the members: grouped by the slice, the ethnicity
    and the religion as written (a few hundred groups for a province), with every other
    column a conditional count; Python then adds the groups up per slice and sorts
    ethnicities and religions into their categories."""
    columns = _column_names(on)
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    names: dict[str, Spellings] = defaultdict(lambda: defaultdict(Counter))

    def inside(node: str) -> bool:
        return node == path if exact else node.startswith(path)

    found = moved_members(path, on)
    moved = {
        pk: node
        for pk, item in found.items()
        if (node := item.node_on(on)) is not None and inside(node)
    }
    rows = (
        _members_on(on).filter(org_path=path)
        if exact
        else _members_on(on).filter(org_path__startswith=path)
    )
    if found:
        # Members with a move are placed below; every member now under ``path`` with one
        # is in ``found``, so without any the exclusion is not needed (D = today).
        rows = rows.exclude(pk__in=moving_transfers(on).values("member_id"))
    grouped = (
        rows.annotate(_bucket=Substr("org_path", 1, length))
        .values("_bucket", "person__ethnicity", "person__religion")
        .annotate(**_aggregates(on, Q(member__org_path__startswith=path)))
        .order_by()
    )
    for row in grouped:
        key = row["_bucket"]
        _add(counts[key], row, columns)
        _classify(
            counts[key], names[key], row["person__ethnicity"], row["person__religion"], row["c_0"]
        )

    if moved:
        ids = list(moved)
        per_member = (
            _members_on(on)
            .filter(pk__in=ids)
            .values("pk", "person__ethnicity", "person__religion")
            .annotate(**_aggregates(on, Q(member_id__in=ids)))
            .order_by()
        )
        for row in per_member:
            key = moved[row["pk"]][:length]
            _add(counts[key], row, columns)
            _classify(
                counts[key],
                names[key],
                row["person__ethnicity"],
                row["person__religion"],
                row["c_0"],
            )

    for key, n in temporarily_in(path, on, length, exact=exact).items():
        counts[key]["temporarily_in"] = n
    return dict(counts), {key: dict(found) for key, found in names.items()}


def merged(names: Iterable[Spellings]) -> Spellings:
    """The spellings of several slices together."""
    out: Spellings = defaultdict(Counter)
    for found in names:
        for key, spellings in found.items():
            out[key].update(spellings)
    return dict(out)


def temporarily_in(path: str, on: date, length: int, *, exact: bool = False) -> dict[str, int]:
    """Members staying temporarily under ``path`` on ``on`` (a temporary transfer received
    into it, by ``to_path``, on or before the day and not returned by then), per slice of
    ``length`` characters (294-QĐ/TW §6.3.2: they stay on their home branch's roll);
    ``exact``: at ``path`` itself only. One query."""
    place = Q(to_path=path) if exact else Q(to_path__startswith=path)
    rows = (
        Transfer.objects.filter(
            place,
            member_on(on, "member__"),
            kind=TransferKind.TEMPORARY,
            state__in=(TransferState.RECEIVED, TransferState.RETURNED),
            received_on__lte=on,
        )
        .filter(Q(returned_on__isnull=True) | Q(returned_on__gt=on))
        .annotate(_bucket=Substr("to_path", 1, length))
        .values("_bucket")
        .annotate(n=Count("member_id", distinct=True))
        .order_by()
    )
    return {row["_bucket"]: row["n"] for row in rows}


def _main_groups(
    counts: dict[str, int], labels: dict[tuple[str, str], str], prefix: str
) -> list[tuple[str, str]]:
    """The named groups of the node (the ``MAIN_GROUPS`` largest, then by name)."""
    found = [
        (column.split(":", 2)[2], n)
        for column, n in counts.items()
        if column.startswith(f"{prefix}:g:")
    ]
    found.sort(key=lambda item: (-item[1], labels.get((prefix, item[0]), item[0])))
    return [(key, labels.get((prefix, key), key)) for key, _n in found[:MAIN_GROUPS]]


def _assemble(
    org: Organisation,
    on: date,
    counts: dict[str, dict[str, int]],
    labels: dict[tuple[str, str], str],
    kids: list[Organisation] | None = None,
) -> Structure:
    """The node's tables from its slices' counts (``slices``): the node's figures are
    their sum; one row per direct child (``kids``: these nodes instead), after the node's
    own members when it holds some."""
    total = sum_columns(counts)
    ethnic = _main_groups(total, labels, "eth")
    religions = _main_groups(total, labels, "rel")
    for item in (total, *counts.values()):
        _fill_others(item, "eth", "eth:minority", [k for k, _ in ethnic])
        _fill_others(item, "rel", "rel:religious", [k for k, _ in religions])
    dimensions = _dimensions(ethnic, religions, total)

    def row(node: Organisation, own: bool) -> Figures:
        return Figures(node, dict(counts.get(node.path, {})), direct=own)

    if kids is None:
        children = per_child(org, row, own=org.path in counts)
    else:
        children = [row(kid, False) for kid in kids]
    return Structure(org, on, Figures(org, dict(total)), dimensions, children, labels)


def _fill_others(counts: dict[str, int], prefix: str, whole: str, named: list[str]) -> None:
    """``<prefix>:other``: the part of ``whole`` not in a named group."""
    counts[f"{prefix}:other"] = counts.get(whole, 0) - sum(
        counts.get(f"{prefix}:g:{key}", 0) for key in named
    )


def _dimensions(
    ethnic: list[tuple[str, str]], religions: list[tuple[str, str]], total: dict[str, int]
) -> list[Dimension]:
    def optional(column: str, label: str, sub: bool = False) -> list[Category]:
        return [Category(column, label, sub)] if total.get(column) else []

    return [
        Dimension(
            "sex", "Giới tính", tuple(Category(f"sex:{v}", str(label)) for v, label in Sex.choices)
        ),
        Dimension(
            "age",
            "Độ tuổi",
            tuple(Category(age_key(band.low, band.high), band.label) for band in AGE_BANDS),
        ),
        Dimension(
            "ethnicity",
            "Dân tộc",
            (
                Category("eth:kinh", "Dân tộc Kinh"),
                Category("eth:minority", "Dân tộc thiểu số"),
                *(Category(f"eth:g:{key}", label, sub=True) for key, label in ethnic),
                *optional("eth:other", "Dân tộc thiểu số khác", sub=True),
                *optional("eth:unknown", "Chưa ghi dân tộc"),
            ),
        ),
        Dimension(
            "religion",
            "Tôn giáo",
            (
                Category("rel:none", "Không theo tôn giáo"),
                Category("rel:religious", "Theo tôn giáo"),
                *(Category(f"rel:g:{key}", label, sub=True) for key, label in religions),
                *optional("rel:other", "Tôn giáo khác", sub=True),
            ),
        ),
        Dimension(
            "education",
            "Trình độ học vấn, chuyên môn",
            (
                *(Category(f"edu:{v}", str(label)) for v, label in Education.choices),
                *optional("edu:", UNCLASSIFIED),
            ),
        ),
        Dimension(
            "political_theory",
            "Trình độ lý luận chính trị",
            (
                *(Category(f"pol:{v}", str(label)) for v, label in PoliticalTheory.choices),
                *optional("pol:", UNCLASSIFIED),
            ),
        ),
        Dimension(
            "occupation",
            "Nghề nghiệp",
            (
                *(Category(f"occ:{v}", str(label)) for v, label in OccupationGroup.choices),
                Category("occ:", UNCLASSIFIED),
            ),
        ),
    ]


# What the per-child overview shows (a few main categories side by side).
OVERVIEW: tuple[Category, ...] = (
    Category("total", "Tổng số"),
    Category("official", "Chính thức"),
    Category("probationary", "Dự bị"),
    Category("sex:female", "Nữ"),
    Category("eth:minority", "Dân tộc thiểu số"),
    Category("rel:religious", "Theo tôn giáo"),
    Category("age:18-30", "18–30 tuổi"),
    Category("exempted", "Miễn sinh hoạt"),
    Category("temporarily_out", "Tạm đi"),
    Category("temporarily_in", "Tạm đến"),
)
