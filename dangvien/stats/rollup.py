"""The structure rollup: a top node's structure table, or the whole country's, read in
milliseconds and still exact (issue 9: a province's table under 300 ms on 6.4 million
members, where counting them live takes seconds; SCALE.md "keep precomputed roll-up
counts ... updated on each write, and test them against a brute-force count").

**What is kept** (``models.StructureRollup``, for ONE day, today): for every *slice*, the
figures ``queries.structure.slices`` counts for it on that day. A slice is what a top
node's table shows as one row: the members under one of its direct children (key: the
child's path, ``SLICE`` characters), or the members the top node holds itself (key: its
path). A top node's own table is its slices assembled, exactly as ``_structure`` assembles
the live count (same function, ``queries.structure._assemble``); a ``subtree`` row per top
node holds the sum of its slices, and the country's table (``national_structure``) is
those sums side by side. Only top nodes (depth 0) are served; any other node, and any
other day than the rollup's, is counted live (a commune's table is fast live).

**How it stays exact**:

1. *On write*: database triggers (``stats.triggers``) insert the slices a write touches
   into ``StructureStale``, in the writer's transaction, whatever the writer (an action,
   an import, a raw UPDATE, a subtree move).
2. *Before a read*: one statement reads the top's rows together with whether a stale
   slice of that top is queued. Queued, or not built for the day asked: a refresh, then
   the read again. The refresh runs in one transaction holding a lock for that top
   (PostgreSQL advisory lock; SQLite serialises writers anyway): it removes the queued
   slices of the top (``DELETE … RETURNING``) *before* it counts them again, live, and
   rewrites their rows and the top's sum.

Why that is exact: a write W committed before a read's statement S either still has its
queue row visible to S (the read sees it and refreshes, or counts live), or a refresh R
removed that row; R's counting statements came after its DELETE, so they saw W; the
refreshes of one top are serialised by the lock, so any later rewrite of that slice counts
W too. Conversely a rollup row never holds a write that S cannot see (R committed before
S). A write that commits while R counts leaves its queue row behind (R's DELETE did not
see it), so the half-counted slice is refreshed again before anyone uses it. One
statement decides (rows and queue read under the same snapshot), so a read never mixes
two moments. This rests on READ COMMITTED (Django's default on PostgreSQL): each statement
of the refresh sees what was committed before it, the counting included.

3. *The day*: the figures depend on the day (official dates, ages, exemptions ending),
   so each row carries its day and is used only for that day. A read for today of a top
   whose rows are from another day rebuilds that top (the cost of one live count, once);
   ``manage.py rebuild_structure_rollup`` rebuilds every top after midnight
   (``deploy/systemd/dangvien-rebuild-structure.timer``) so that nobody waits for it.
   Past days are always counted live.

4. *Ahead of the readers*: ``manage.py refresh_structure_rollup`` (every minute,
   ``refresh_queued``) does what a reader would do for every top with queued slices, so a
   reader seldom has more than the last minute's writes to count. Exactness never depends
   on it.

Reads and writes here go to the primary database (``core.dbrouter.PRIMARY``), outside the
user's row-level security scope (``unrestricted``: the table holds counts per unit and is
protected like a personal-data table, ``rowsecurity.policies``); the caller checks that
the node is in the user's scope.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from django.db import connections, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from dangvien.core.dbrouter import PRIMARY
from dangvien.organisations.models import SEGMENT, Organisation
from dangvien.rowsecurity.scope import unrestricted
from dangvien.stats.models import StructureRollup, StructureStale
from dangvien.stats.triggers import SLICE

Counts = dict[str, dict[str, int]]
Spellings = dict[tuple[str, str], Counter[str]]

# A refresh that finds more stale slices than this in one top counts the whole top in one
# pass instead of slice by slice (one pass over a province costs about as much as a few
# dozen communes counted one at a time; measured on the 6.4-million nation).
REBUILD_ABOVE = 20
# How many refreshes a read tries before it counts live (writers racing the refresh).
ATTEMPTS = 3
# The advisory lock namespace of the refresh: pg_advisory_xact_lock(LOCK_CLASS, top id).
LOCK_CLASS = 7305


def serves(org: Organisation, on: date) -> bool:
    """Whether the rollup answers for ``org`` on ``on``: a top node (saved), today."""
    return org.depth == 0 and org.pk is not None and on == timezone.localdate()


# ---- reading -----------------------------------------------------------------------------


def top_slices(top: Organisation, on: date) -> tuple[Counts, Spellings] | None:
    """The slices of ``top`` on ``on`` and the spellings of its named groups, from the
    rollup (refreshed first when needed); None when the rollup does not serve this node or
    day, or writers kept it stale through every attempt (the caller then counts live)."""
    with unrestricted():
        for attempt in range(ATTEMPTS + 1):
            if not serves(top, on):  # also when midnight passed meanwhile
                return None
            found = _read_top(top, on)
            if found is not None:
                return found
            if attempt < ATTEMPTS:
                refresh([top], on)
    return None


def top_totals(tops: list[Organisation], on: date) -> dict[str, tuple[dict[str, int], Spellings]]:
    """The sum of the slices of each top node of ``tops`` that the rollup serves, by path
    (refreshed first when needed); the others are left out (the caller counts them)."""
    served = [top for top in tops if serves(top, on)]
    found: dict[str, tuple[dict[str, int], Spellings]] = {}
    if not served:
        return found
    with unrestricted():
        for attempt in range(ATTEMPTS + 1):
            if on != timezone.localdate():  # midnight passed meanwhile
                return {}
            found, stale = _read_totals(served, on)
            if not stale:
                break
            if attempt < ATTEMPTS:
                refresh(stale, on)
    return found


def _read_top(top: Organisation, on: date) -> tuple[Counts, Spellings] | None:
    """One statement: the rows of ``top`` and whether a slice of it is queued."""
    queued = StructureStale.objects.using(PRIMARY).filter(top=top.path)
    rows = list(
        StructureRollup.objects.using(PRIMARY)
        .filter(top=top.path)
        .annotate(queued=Exists(queued))
        .values_list("slice_path", "subtree", "day", "counts", "names", "queued")
    )
    if any(queued or day != on for _p, _s, day, _c, _n, queued in rows):
        return None
    total = [names for path, subtree, _d, _c, names, _q in rows if subtree and path == top.path]
    if not total:  # not built (no row at all, or the sum missing)
        return None
    counts = {path: c for path, subtree, _d, c, _n, _q in rows if not subtree}
    return counts, spellings(total[0])


def _read_totals(
    tops: list[Organisation], on: date
) -> tuple[dict[str, tuple[dict[str, int], Spellings]], list[Organisation]]:
    """One statement: the sum row of each top and whether a slice of it is queued. The
    usable sums by path, and the tops to refresh."""
    queued = StructureStale.objects.using(PRIMARY).filter(top=OuterRef("top"))
    rows = (
        StructureRollup.objects.using(PRIMARY)
        .filter(subtree=True, top__in=[top.path for top in tops])
        .annotate(queued=Exists(queued))
        .values_list("top", "day", "counts", "names", "queued")
    )
    found = {
        path: (counts, spellings(names))
        for path, day, counts, names, queued in rows
        if day == on and not queued
    }
    return found, [top for top in tops if top.path not in found]


def spellings(stored: Iterable[list[Any]]) -> Spellings:
    """The stored spellings (``[[prefix, key, spelling, n], …]``) as counters."""
    out: Spellings = defaultdict(Counter)
    for prefix, key, spelling, n in stored:
        out[(prefix, key)][spelling] += n
    return dict(out)


def _stored(names: Spellings) -> list[list[Any]]:
    return [
        [prefix, key, spelling, n]
        for (prefix, key), found in sorted(names.items())
        for spelling, n in sorted(found.items())
    ]


# ---- refreshing ----------------------------------------------------------------------------


def refresh(tops: list[Organisation], day: date) -> None:
    """Bring the rows of ``tops`` up to date for ``day`` (see the module docstring): in one
    transaction holding each top's lock, remove the top's queued slices and count them
    again; or the whole top when its rows are of another day or missing, or when more than
    ``REBUILD_ABOVE`` of its slices are queued. Only for today, and never back to an older
    day than the one built.

    The counting reads the primary, not a replica a report page may read from: inside a
    transaction on the primary the router sends every read there (``core.dbrouter``), and
    a lagging copy would leave figures behind with their queue rows already gone."""
    if day != timezone.localdate():
        return  # a reader that started before midnight must not rebuild yesterday
    with unrestricted(), transaction.atomic(using=PRIMARY):
        ordered = sorted(tops, key=lambda t: t.pk)
        for top in ordered:
            _lock(top)
        for top in ordered:
            queued = _drain(top)
            built = (
                StructureRollup.objects.using(PRIMARY)
                .filter(top=top.path, subtree=True)
                .values_list("day", flat=True)
                .first()
            )
            if built is not None and built > day:  # the clock moved on meanwhile
                continue
            if built != day or len(queued) > REBUILD_ABOVE:
                _rebuild(top, day)
            elif queued:
                _recount(top, day, queued)


def rebuild(top: Organisation, day: date) -> None:
    """Count every slice of ``top`` on ``day`` again (one transaction, under its lock)."""
    with unrestricted(), transaction.atomic(using=PRIMARY):
        _lock(top)
        _drain(top)
        _rebuild(top, day)


def rebuild_all(day: date, out: Callable[[Organisation], None] = lambda _top: None) -> int:
    """Rebuild every top node for ``day``, one transaction each (a reader waits for one top
    at most), then remove the rows and queued slices of nodes that are no longer top
    nodes. Returns the number of top nodes."""
    tops = list(Organisation.objects.using(PRIMARY).filter(parent__isnull=True).order_by("pk"))
    for top in tops:
        rebuild(top, day)
        out(top)
    paths = [top.path for top in tops]
    with unrestricted(), transaction.atomic(using=PRIMARY):
        StructureRollup.objects.using(PRIMARY).exclude(top__in=paths).delete()
        StructureStale.objects.using(PRIMARY).exclude(top__in=paths).delete()
    return len(tops)


# The one pass over the whole country reads every member with their person: on
# PostgreSQL with the memory to hash the person table and group the rows in memory.
TOGETHER_WORK_MEM = "512MB"


def rebuild_all_together(day: date) -> int:
    """What ``rebuild_all`` writes, from ONE count of the whole country (``slices`` of the
    root, shared out to the top nodes by path), in one transaction holding every top's
    lock: one pass over the members and people instead of one a top, each of which reads
    the whole person table at national size (101 s for the 6.4-million nation against
    about a fifth of that; bench/README.md, generator). For a database nobody reads yet
    (``generate_nation``); the nightly rebuild keeps to one top a transaction so that a
    reader never waits for more than one. Returns the number of top nodes."""
    from dangvien.stats.queries.structure import slices

    tops = list(Organisation.objects.using(PRIMARY).filter(parent__isnull=True).order_by("pk"))
    connection = connections[PRIMARY]
    with unrestricted(), transaction.atomic(using=PRIMARY):
        for top in tops:
            _lock(top)
        StructureStale.objects.using(PRIMARY).all().delete()
        StructureRollup.objects.using(PRIMARY).all().delete()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('work_mem', %s, true)", [TOGETHER_WORK_MEM])
        counts, names = slices("", day, SLICE)
        by_top: dict[str, list[str]] = defaultdict(list)
        for path in sorted(counts):
            by_top[path[:SEGMENT]].append(path)  # a top node's path: its first segment
        rows: list[StructureRollup] = []
        for top in tops:
            mine = by_top.get(top.path, [])
            rows.extend(
                StructureRollup(
                    top=top.path,
                    slice_path=path,
                    day=day,
                    counts=counts[path],
                    names=_stored(names.get(path, {})),
                )
                for path in mine
            )
            rows.append(
                _total(top, day, [counts[p] for p in mine], [names[p] for p in mine if p in names])
            )
        StructureRollup.objects.using(PRIMARY).bulk_create(rows, batch_size=1000)
    return len(tops)


def refresh_queued(day: date) -> int:
    """Refresh every top node with queued slices, one transaction each (the minutely job:
    readers then rarely find more than the last minute's writes to count). Returns the
    number of top nodes refreshed."""
    with unrestricted():
        queued = set(StructureStale.objects.using(PRIMARY).values_list("top", flat=True))
        tops = list(
            Organisation.objects.using(PRIMARY)
            .filter(parent__isnull=True, path__in=queued)
            .order_by("pk")
        )
    for top in tops:
        refresh([top], day)
    return len(tops)


def _lock(top: Organisation) -> None:
    """The top's refresh lock until the transaction ends (PostgreSQL; SQLite lets one
    writer at a time in anyway, from the first write of the refresh, ``_drain``)."""
    conn = connections[PRIMARY]
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_CLASS, top.pk])


def _drain(top: Organisation) -> set[str]:
    """Remove the queued slices of ``top``; the slices they named."""
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {StructureStale._meta.db_table} WHERE top = %s RETURNING slice_path",
            [top.path],
        )
        return {row[0] for row in cursor.fetchall()}


def _rebuild(top: Organisation, day: date) -> None:
    """Replace every row of ``top`` by a count of the whole top on ``day`` (one pass)."""
    from dangvien.stats.queries.structure import slices

    counts, names = slices(top.path, day, SLICE)
    rows = StructureRollup.objects.using(PRIMARY)
    rows.filter(top=top.path).delete()
    rows.bulk_create(
        [
            StructureRollup(
                top=top.path,
                slice_path=path,
                day=day,
                counts=figures,
                names=_stored(names.get(path, {})),
            )
            for path, figures in sorted(counts.items())
        ]
        + [_total(top, day, list(counts.values()), list(names.values()))]
    )


def _recount(top: Organisation, day: date, queued: set[str]) -> None:
    """Count the queued slices of ``top`` again, one by one, then its sum from every slice
    row."""
    from dangvien.stats.queries.structure import slices

    rows = StructureRollup.objects.using(PRIMARY)
    for path in sorted(queued):
        # A slice shorter than a child's path is the top's own members.
        counts, names = slices(path, day, SLICE, exact=len(path) < SLICE)
        rows.filter(slice_path=path, subtree=False).delete()
        if path in counts:
            rows.create(
                top=top.path,
                slice_path=path,
                day=day,
                counts=counts[path],
                names=_stored(names.get(path, {})),
            )
    kept = list(rows.filter(top=top.path, subtree=False).values_list("counts", "names"))
    rows.filter(top=top.path, subtree=True).delete()
    rows.bulk_create([_total(top, day, [c for c, _n in kept], [spellings(n) for _c, n in kept])])


def _total(
    top: Organisation, day: date, counts: list[dict[str, int]], names: list[Spellings]
) -> StructureRollup:
    """The sum row of ``top``: the slices' counts and spellings added up."""
    total: dict[str, int] = defaultdict(int)
    for figures in counts:
        for column, n in figures.items():
            total[column] += n
    together: Spellings = defaultdict(Counter)
    for found in names:
        for key, spelled in found.items():
            together[key].update(spelled)
    return StructureRollup(
        top=top.path,
        slice_path=top.path,
        subtree=True,
        day=day,
        counts=dict(total),
        names=_stored(together),
    )
