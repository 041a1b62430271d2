"""Achievement of the yearly admission target, for a node and each of its children
(issue 6: "Achievement = admission decisions dated in the year in the node's subtree, live
from the data"; seeds: Kim Bôi "46 of 150 after five months, 30.7%", Hạ Long "450, 265 by
September").

``achievement(org, year, on=None)`` counts with ``stats.queries.facts`` (the one
definition of an admission, read from the admission facts that ``stats.admission_facts`` keeps
exact) and answers for the node and all its direct children in a fixed number of queries,
whatever the number of children: the children (1), the targets (1), last year's counts
(2: the queue of writes not taken in yet, then one grouped by child and month, with the
count to the same day), this year's counts with their breakdowns (3: the queue, one
grouped by child, month and breakdown code, and the villages without members), and the
two rule parameters (2). Writes queued since the last count add the queries that take
them in, once.
"""

from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone

from dangvien.core.rules import rule
from dangvien.organisations.models import Organisation
from dangvien.organisations.queries import children as children_of
from dangvien.rowsecurity.scope import unrestricted
from dangvien.stats.formatting import percent
from dangvien.stats.queries import facts
from dangvien.stats.queries.targets import targets_for


@dataclass
class Part:
    """One breakdown of the admissions: its target (None when none was set), the count and
    the percentage of the target."""

    key: str
    label: str
    target: int | None
    admitted: int
    percent: float | None


@dataclass
class Achievement:
    """Where a node stands against its yearly admission target on ``on``.

    ``on`` is the day the figures are taken at: today for the current year, 31/12 for a
    past year (then the year is complete). ``expected_by_now`` is the pro-rata target
    (target × days elapsed, today included / days in the year); ``pace`` is ``admitted``
    as a percentage of it; ``behind`` is true when ``admitted`` is under ``expected_by_now
    × targets.pace_warning_percent / 100``. ``per_month`` has 12 counts (months after
    ``on`` are 0), ``last_year_per_month`` the 12 counts of the year before.
    """

    organisation: Organisation
    year: int
    on: date
    target: int | None
    admitted: int
    percent: float | None
    last_year_admitted: int
    last_year_to_date: int
    expected_by_now: float | None
    pace: float | None
    behind: bool
    projected: int | None
    per_month: list[int]
    last_year_per_month: list[int]
    breakdown: dict[str, Part]
    children: list["Achievement"] = field(default_factory=list)


def year_day(year: int, on: date | None = None) -> date:
    """The day a year's figures are taken at: ``on`` (default today), but 31/12 for a past
    year; for a year not begun yet, the day before 1/1 (nothing has elapsed)."""
    today = on or timezone.localdate()
    if today.year > year:
        return date(year, 12, 31)
    if today.year < year:
        return date(year, 1, 1) - timedelta(days=1)
    return today


def same_day_last_year(day: date) -> date:
    """``day`` a year earlier; 29/2 becomes 28/2."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def projection(
    *, admitted: int, year: int, on: date, last_year: int, last_year_to_date: int, min_base: int
) -> int | None:
    """The count expected by 31/12 (issue 6: "a projection to year end").

    Seasonal when last year gives a usable shape: this year's count scaled by last year's
    full count over its count to the same day (admissions peak around 3/2, 19/5, 2/9,
    DOMAIN.md §9, so the months left are weighted as they were last year), provided last
    year's count to date is at least ``min_base`` (``targets.projection_min_base``);
    otherwise linear by elapsed days (admitted × days in the year / days elapsed, today
    included). A complete (past) year projects its own count; a year not begun yet has no
    projection (None). Rounded half up.
    """
    start, end = date(year, 1, 1), date(year, 12, 31)
    if on >= end:
        return admitted
    if on < start:
        return None
    if last_year_to_date >= min_base and last_year_to_date > 0:
        return _round(Decimal(admitted) * last_year / last_year_to_date)
    elapsed = (on - start).days + 1
    days = (end - start).days + 1
    return _round(Decimal(admitted) * days / elapsed)


def _pace(
    target: int | None, admitted: int, year: int, on: date, warning_percent: int
) -> tuple[float | None, float | None, bool]:
    """(expected_by_now, pace %, behind) — exact integer comparison for ``behind``."""
    if target is None:
        return None, None, False
    start = date(year, 1, 1)
    days = (date(year, 12, 31) - start).days + 1
    elapsed = max(0, min(days, (on - start).days + 1))
    expected = Decimal(target * elapsed) / days
    shown = float(expected.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    pace = percent(admitted, expected) if elapsed else None
    behind = (
        elapsed > 0 and target > 0 and admitted * days * 100 < target * elapsed * warning_percent
    )
    return shown, pace, behind


SORT_KEYS = ("name", "target", "admitted", "percent", "pace")


def sort_children(
    items: list[Achievement], key: str = "name", descending: bool = False
) -> list[Achievement]:
    """The children sorted by ``key`` (one of ``SORT_KEYS``; unknown keys sort by name).
    Children without a value (no target, so no percent or pace) come last in both
    directions; ties keep the tree's name order."""
    if key not in SORT_KEYS or key == "name":
        ordered = sorted(items, key=lambda a: a.organisation.sort_key)
        return ordered[::-1] if descending else ordered
    by_name = sorted(items, key=lambda a: a.organisation.sort_key)
    present = [a for a in by_name if getattr(a, key) is not None]
    missing = [a for a in by_name if getattr(a, key) is None]
    present.sort(key=lambda a: getattr(a, key), reverse=descending)
    return present + missing


def achievement(
    org: Organisation,
    year: int,
    on: date | None = None,
    *,
    kids: list[Organisation] | None = None,
    breakdowns: bool = True,
) -> Achievement:
    """The node's achievement of its ``year`` target on ``on`` (default today; a past year
    is taken at 31/12), with ``children`` holding each direct child's (same fields, no
    children of their own). A fixed number of queries (module docstring).

    Targets are each node's current value (``stats.queries.targets.targets_for``).
    ``projected`` (``projection``): seasonal — this year's count × last year's full count
    / last year's count to the same day — when last year's count to date is at least
    ``targets.projection_min_base``; otherwise linear by elapsed days; a past year projects
    its own count. ``behind`` uses ``targets.pace_warning_percent`` (80). The two rule
    parameters are read for the node and applied to its children too (one read each, not
    one per child).

    ``kids`` replaces the node's children: ``national`` passes the top nodes under the
    unsaved nation node. ``breakdowns=False`` leaves ``breakdown`` empty and counts this
    year like last year (``facts.tally``: no breakdown codes, no village look-up), for
    pages that show the counts only.
    """
    day = year_day(year, on)
    start, end = date(year, 1, 1), date(year, 12, 31)
    last_start, last_end = date(year - 1, 1, 1), date(year - 1, 12, 31)
    if kids is None:
        kids = list(children_of(org))
    targets = targets_for([org, *kids], year)
    scope = org if org.pk is not None else None  # the nation reads the national rules
    # The nation (the empty path) is counted per top node, and only the user's tops are
    # kept below: so the reads of the whole country's facts need not pass the row policy,
    # whose check of every scope path on every row cost 0.3 s a year for a user over 34
    # provinces (issue 9). A real node is one the caller may see (``visible_node``).
    nation = org.pk is None
    reading = unrestricted() if nation else nullcontext()
    count = facts.profile if breakdowns else facts.tally
    to_date = same_day_last_year(day) if day >= start else last_start - timedelta(days=1)

    def read(path: str, bucket: Organisation | None) -> tuple[dict[str, Any], dict[str, Any]]:
        # Last year: per child and month, and to the same day (plain counts, 2 queries);
        # this year to ``on``: per child and month, with every breakdown (3 queries).
        last = facts.tally(
            path, last_start, last_end, bucket=bucket, by_month=True, to_date=to_date
        )
        this = count(path, start, min(day, end), bucket=bucket, by_month=True)
        return (this if day >= start else {}), last

    with reading:
        if not nation or all(kid.depth == 0 for kid in kids):
            this, last = read(org.path, org)
        else:  # tops below the provinces (several trees of a scope): each on its own
            this, last = {}, {}
            for kid in kids:
                kid_this, kid_last = read(kid.path, None)  # one row, under ""
                if "" in kid_this:
                    this[kid.path] = kid_this[""]
                if "" in kid_last:
                    last[kid.path] = kid_last[""]
    if nation:  # its tops' rows only, not every province's
        this = {kid.path: this[kid.path] for kid in kids if kid.path in this}
        last = {kid.path: last[kid.path] for kid in kids if kid.path in last}
    warning = int(rule("targets.pace_warning_percent", on=min(day, end), organisation=scope))
    min_base = int(rule("targets.projection_min_base", on=min(day, end), organisation=scope))

    def build(node: Organisation, now: list[facts.Tally], before: list[facts.Tally]) -> Achievement:
        this_months, last_months = [0] * 12, [0] * 12
        for item in now:
            for (_y, m), n in item.months.items():
                this_months[m - 1] += n
        for item in before:
            for (_y, m), n in item.months.items():
                last_months[m - 1] += n
        flags = {key: sum(item.flags[key] for item in now) for key in facts.ROW_FLAGS}
        # Distinct villages: the union over the buckets, not the sum of their counts.
        flags[facts.VILLAGES] = len(set().union(*(item.villages for item in now)))
        admitted = sum(this_months)
        last_year = sum(last_months)
        last_to_date = sum(item.to_date for item in before)
        row = targets.get(node.pk) if node.pk is not None else None
        target = row.target if row is not None else None
        expected, pace, behind = _pace(target, admitted, year, day, warning)
        wanted = row.breakdown if row is not None else {}
        parts = {}
        for key, label in facts.BREAKDOWN_LABELS.items() if breakdowns else ():
            value = wanted.get(key)
            part_target = value if isinstance(value, int) else None
            parts[key] = Part(key, label, part_target, flags[key], percent(flags[key], part_target))
        return Achievement(
            organisation=node,
            year=year,
            on=day,
            target=target,
            admitted=admitted,
            percent=percent(admitted, target),
            last_year_admitted=last_year,
            last_year_to_date=last_to_date,
            expected_by_now=expected,
            pace=pace,
            behind=behind,
            projected=projection(
                admitted=admitted,
                year=year,
                on=day,
                last_year=last_year,
                last_year_to_date=last_to_date,
                min_base=min_base,
            ),
            per_month=this_months,
            last_year_per_month=last_months,
            breakdown=parts,
        )

    def of(found: dict[str, facts.Tally], node: Organisation) -> list[facts.Tally]:
        return [found[node.path]] if node.path in found else []

    result = build(org, list(this.values()), list(last.values()))
    result.children = [build(kid, of(this, kid), of(last, kid)) for kid in kids]
    return result


NATION_NAME = "Toàn quốc"


def national(tops: list[Organisation], year: int, on: date | None = None) -> Achievement:
    """The whole country (or every tree of a user's scope) as one node: an unsaved
    Organisation with the empty path above the top nodes ``tops``, whose rows are those
    tops' ``achievement`` rows (one per province, counted in the same grouped queries).

    The nation's target is the sum of the tops' targets when every top has one (the
    provinces' targets are set by the central organisation board outside this system
    [U]); otherwise None, and the page says which tops lack one.
    """
    nation = Organisation(name=NATION_NAME, path="", depth=-1)
    # The page shows the counts against the targets, not the breakdowns (see the province's
    # own dashboard for those): the country's villages are not looked up.
    result = achievement(nation, year, on, kids=tops, breakdowns=False)
    targets = [child.target for child in result.children]
    if targets and all(t is not None for t in targets):
        result.target = sum(t for t in targets if t is not None)
        result.percent = percent(result.admitted, result.target)
        warning = int(rule("targets.pace_warning_percent", on=min(result.on, date(year, 12, 31))))
        result.expected_by_now, result.pace, result.behind = _pace(
            result.target, result.admitted, year, result.on, warning
        )
    return result
