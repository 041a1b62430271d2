"""The quarterly survey of the candidate pool (issue 6; seed 003: "định kỳ hằng quý khảo
sát, đánh giá phân tích chất lượng quần chúng"): the pool's size and composition per node,
live and as frozen each quarter in ``PoolSurvey`` rows, compared quarter to quarter.

The pool on a day D is the candidates still in the pipeline (``candidates.models.ACTIVE``:
not admitted to the ceremony, withdrawn or rejected) listed on or before D. For today that
is the current stage; for a past day (a quarter surveyed after it ended) the stage history
says who was still in and at which stage.

A composition (``PoolSurvey.data``) is a JSON object:

- ``total``: pool size;
- ``stage``: ``{stage: n}`` over the active stages (``candidates.models.Stage``);
- ``age_band``: ``{"18_30", "31_40", "41_50", "51_60", "61_70", "over_70": n}``, the bands of
  11-HD/BTCTW 2021 (table codes [U]), age on D; ``"under_18"`` appears only when someone
  is under 18;
- ``education``: ``{people.models.Education: n}``;
- ``sex``: ``{"male", "female": n}``;
- ``ethnicity``: ``{"kinh", "minority": n}``, Kinh compared without accents or case
  (issue 6 "what counts");
- ``ethnic_groups``: ``{name: n}`` for each ethnic minority present (the page shows the
  largest few);
- ``youth_union``: ``{"yes", "no": n}`` (``Person.youth_union_member``).

Counts are read per branch in one grouped query and rolled up to every node of the subtree
in Python, one pass over the branch counts by path prefix (SCALE.md).
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from dangvien.candidates import queries as candidate_queries
from dangvien.candidates.models import ACTIVE, FINISHED, Candidate, Stage, StageChange
from dangvien.core.text import fold, nfc
from dangvien.organisations.models import SEGMENT, Organisation
from dangvien.organisations.queries import children
from dangvien.people.models import Education, Sex
from dangvien.stats.models import PoolSurvey
from dangvien.stats.queries import facts
from dangvien.stats.queries.facts import UNDER_18

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}

# The pool survey's age bands: the statistics' bands (``facts.AGE_BANDS``, 11-HD/BTCTW 2021
# table codes [U]) with candidates under 18 apart.
AGE_BANDS = (UNDER_18, *facts.AGE_BANDS)
TOP_ETHNIC_GROUPS = 5


# ---- quarters --------------------------------------------------------------------------


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """First and last day of the quarter."""
    first = date(year, 3 * quarter - 2, 1)
    after = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first, after - timedelta(days=1)


def quarter_label(year: int, quarter: int, *, capital: bool = True) -> str:
    """3, 2026 → "Quý III/2026" ("quý III/2026" inside a sentence)."""
    return f"{'Quý' if capital else 'quý'} {ROMAN[quarter]}/{year}"


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def recent_quarters(year: int, today: date | None = None, count: int = 8) -> list[tuple[int, int]]:
    """The ``count`` quarters ending with ``year``'s last started quarter (this quarter for
    this year, the fourth for a past year), oldest first."""
    today = today or timezone.localdate()
    last = quarter_of(today) if year >= today.year else (year, 4)
    out = [last]
    while len(out) < count:
        out.append(previous_quarter(*out[-1]))
    return out[::-1]


# ---- the composition -------------------------------------------------------------------


def age_band_expression(on: date, field: str = "person__birth_date") -> Case:
    """The key of the age band on ``on`` (``facts.age_band_filters``), in SQL."""
    filters = facts.age_band_filters(on, field, AGE_BANDS)
    whens = [When(q, then=Value(band.key)) for band, q in filters[:-1]]
    return Case(*whens, default=Value(AGE_BANDS[-1].key), output_field=CharField())


def pool(org: Organisation, on: date | None = None) -> QuerySet[Candidate]:
    """The candidate pool under ``org`` on ``on`` (default today), annotated ``stage_on``:
    the stage that day."""
    today = timezone.localdate()
    on = on or today
    rows = Candidate.objects.filter(org_path__startswith=org.path, listed_on__lte=on)
    if on >= today:
        return rows.filter(stage__in=ACTIVE).annotate(stage_on=F("stage"))
    # Still in on D: in the pipeline now, or it finished after D (finishing is final).
    finished_after = StageChange.objects.filter(
        candidate=OuterRef("pk"), to_stage__in=FINISHED, on__gt=on
    )
    stage_then = (
        StageChange.objects.filter(candidate=OuterRef("pk"), on__lte=on)
        .exclude(to_stage__in=FINISHED)
        .order_by("-on", "-at", "-id")
        .values("to_stage")[:1]
    )
    current = Case(
        When(stage__in=ACTIVE, then=F("stage")),
        default=Value(Stage.CANDIDATE),
        output_field=CharField(),
    )
    return rows.filter(Q(stage__in=ACTIVE) | Exists(finished_after)).annotate(
        stage_on=Coalesce(Subquery(stage_then, output_field=CharField()), current)
    )


# The choices' values, read once (``Choices.values`` builds its list on every call, and a
# national survey asks for them for each of 300,000 nodes).
_EDUCATION = tuple(Education.values)
_SEXES = tuple(Sex.values)

_COUNTED = ("stage", "age_band", "education", "sex", "ethnicity", "ethnic_groups", "youth_union")


class _Tally:
    """Counts of one node while it is built."""

    __slots__ = ("counters", "names", "total")

    def __init__(self) -> None:
        self.total = 0
        self.counters: dict[str, Counter[str]] = {k: Counter() for k in _COUNTED}
        self.names: dict[str, Counter[str]] = {}  # folded ethnic name → spellings seen

    def add_row(
        self, stage: str, band: str, education: str, sex: str, ethnicity: str, youth: bool, n: int
    ) -> None:
        c = self.counters
        self.total += n
        c["stage"][stage] += n
        c["age_band"][band] += n
        c["education"][education or ""] += n
        c["sex"][sex] += n
        c["youth_union"]["yes" if youth else "no"] += n
        name = nfc(ethnicity or "")
        key = fold(name)
        if facts.is_kinh(name):
            c["ethnicity"]["kinh"] += n
        else:
            c["ethnicity"]["minority"] += n
            c["ethnic_groups"][key] += n
            self.names.setdefault(key, Counter())[name] += n

    def merge(self, other: "_Tally") -> None:
        self.total += other.total
        for key, counter in other.counters.items():
            self.counters[key].update(counter)
        for key, spellings in other.names.items():
            self.names.setdefault(key, Counter()).update(spellings)

    def data(self) -> dict[str, Any]:
        c = self.counters
        bands = {b.key: c["age_band"][b.key] for b in AGE_BANDS if b is not UNDER_18}
        if c["age_band"]["under_18"]:
            bands = {"under_18": c["age_band"]["under_18"], **bands}
        education = {k: c["education"][k] for k in _EDUCATION}
        education.update({k: v for k, v in c["education"].items() if k not in education and v})
        groups = {}
        for key, n in sorted(c["ethnic_groups"].items(), key=lambda kv: (-kv[1], kv[0])):
            spelling = self.names[key].most_common(1)[0][0] or "Chưa rõ"
            groups[spelling[:1].upper() + spelling[1:]] = n
        return {
            "total": self.total,
            "stage": {k: c["stage"][k] for k in ACTIVE},
            "age_band": bands,
            "education": education,
            "sex": {k: c["sex"][k] for k in _SEXES},
            "ethnicity": {"kinh": c["ethnicity"]["kinh"], "minority": c["ethnicity"]["minority"]},
            "ethnic_groups": groups,
            "youth_union": {"yes": c["youth_union"]["yes"], "no": c["youth_union"]["no"]},
        }


def _grouped(org: Organisation, on: date, *, per_branch: bool) -> Iterable[tuple[Any, ...]]:
    fields = [
        "stage_on",
        "band",
        "person__education_level",
        "person__sex",
        "person__ethnicity",
        "person__youth_union_member",
    ]
    if per_branch:
        fields.insert(0, "org_path")
    rows = (
        pool(org, on)
        .annotate(band=age_band_expression(on))
        .values(*fields)
        .annotate(n=Count("pk"))
        .values_list(*fields, "n")
        .order_by()
    )
    return rows.iterator(chunk_size=5000)


def composition(org: Organisation, on: date | None = None) -> dict[str, Any]:
    """The pool of ``org``'s subtree on ``on`` (default today): one grouped query."""
    on = on or timezone.localdate()
    tally = _Tally()
    for row in _grouped(org, on, per_branch=False):
        tally.add_row(*row)
    return tally.data()


def compositions(org: Organisation, on: date | None = None) -> dict[int, dict[str, Any]]:
    """The pool composition of ``org`` and of every node below it, by organisation id.

    Two queries whatever the size: the nodes, and the pool grouped per branch; each
    branch's counts are added to every node on its path (by path prefix) in one pass.
    """
    on = on or timezone.localdate()
    nodes = dict(Organisation.objects.filter(path__startswith=org.path).values_list("path", "pk"))
    per_branch: dict[str, _Tally] = {}
    for path, *row in _grouped(org, on, per_branch=True):
        per_branch.setdefault(path, _Tally()).add_row(*row)
    tallies = {path: _Tally() for path in nodes}
    top = len(org.path)
    for path, tally in per_branch.items():
        for end in range(top, len(path) + 1, SEGMENT):
            node = tallies.get(path[:end])
            if node is not None:
                node.merge(tally)
    return {nodes[path]: tally.data() for path, tally in tallies.items()}


# ---- the snapshots ---------------------------------------------------------------------


def survey_of(org: Organisation, year: int, quarter: int) -> PoolSurvey | None:
    return (
        PoolSurvey.objects.filter(organisation=org, year=year, quarter=quarter)
        .select_related("by")
        .first()
    )


def surveys_of(
    org: Organisation, quarters: list[tuple[int, int]]
) -> dict[tuple[int, int], PoolSurvey]:
    """``org``'s own snapshots of these quarters, one query."""
    if not quarters:
        return {}
    wanted = Q()
    for year, quarter in quarters:
        wanted |= Q(year=year, quarter=quarter)
    rows = PoolSurvey.objects.filter(wanted, organisation=org).select_related("by")
    return {(s.year, s.quarter): s for s in rows}


def child_surveys(org: Organisation, year: int, quarter: int) -> dict[int, PoolSurvey]:
    """The direct children's snapshots of a quarter, by organisation id, one query."""
    rows = PoolSurvey.objects.filter(organisation__parent=org, year=year, quarter=quarter)
    return {s.organisation_id: s for s in rows}


@dataclass
class ChildPool:
    organisation: Organisation
    surveyed: int | None  # pool size in the quarter's snapshot
    previous: int | None  # in the previous quarter's snapshot
    live: int  # today

    @property
    def change(self) -> int | None:
        if self.surveyed is None or self.previous is None:
            return None
        return self.surveyed - self.previous

    @property
    def size(self) -> int:
        return abs(self.change or 0)


def child_pools(org: Organisation, year: int, quarter: int) -> list[ChildPool]:
    """Per direct child: pool size in the quarter's snapshot, the quarter before, and
    today. Four queries whatever the number of children."""
    kids = list(children(org))
    now = child_surveys(org, year, quarter)
    before = child_surveys(org, *previous_quarter(year, quarter))
    live = candidate_queries.counts_by_child(org)
    return [
        ChildPool(
            organisation=kid,
            surveyed=now[kid.pk].data.get("total") if kid.pk in now else None,
            previous=before[kid.pk].data.get("total") if kid.pk in before else None,
            live=live.get(kid.path, 0),
        )
        for kid in kids
    ]


# ---- side by side ----------------------------------------------------------------------


DIMENSIONS: tuple[tuple[str, str], ...] = (
    ("stage", "Theo bước"),
    ("age_band", "Theo độ tuổi"),
    ("education", "Theo trình độ học vấn"),
    ("sex", "Theo giới tính"),
    ("ethnicity", "Theo dân tộc"),
    ("youth_union", "Đoàn viên thanh niên"),
)
FIXED_LABELS: dict[str, dict[str, str]] = {
    "stage": {k: str(Stage(k).label) for k in ACTIVE},
    "age_band": {band.key: band.short for band in AGE_BANDS},
    "education": {k: str(label) for k, label in Education.choices},
    "sex": {k: str(label) for k, label in Sex.choices},
    "ethnicity": {"kinh": "Dân tộc Kinh", "minority": "Dân tộc thiểu số"},
    "youth_union": {"yes": "Là đoàn viên", "no": "Không là đoàn viên"},
}


@dataclass
class Cell:
    value: int | None  # None: no snapshot in that column
    change: int | None  # from the column before (None when either is missing)
    share: float | None  # percent of the column's total

    @property
    def size(self) -> int:
        """The change without its sign (the page writes the sign itself: +3, −2)."""
        return abs(self.change or 0)


@dataclass
class Line:
    label: str
    cells: list[Cell]
    sub: bool = False  # an ethnic group listed under "Dân tộc thiểu số"


@dataclass
class Block:
    key: str
    title: str
    lines: list[Line]


def _keys(key: str, datas: list[dict[str, Any]]) -> list[tuple[str, str]]:
    labels = FIXED_LABELS[key]
    keys = list(labels)
    if key == "age_band" and not any(d.get("age_band", {}).get("under_18") for d in datas):
        keys.remove("under_18")
    for d in datas:
        for extra in d.get(key, {}):
            if extra not in keys:
                keys.append(extra)
    return [(k, labels.get(k, k or "Chưa rõ")) for k in keys]


def side_by_side(columns: list[dict[str, Any] | None]) -> list[Block]:
    """Composition tables over several columns (quarters, then "now"), each cell with its
    change from the column before it: the quarter-to-quarter comparison of issue 6."""
    from dangvien.stats.formatting import percent

    present = [c for c in columns if c is not None]

    def cells(get: Any) -> list[Cell]:
        out: list[Cell] = []
        previous: int | None = None
        for column in columns:
            value = None if column is None else int(get(column) or 0)
            change = None if value is None or previous is None else value - previous
            share = None if column is None else percent(value, column.get("total"))
            out.append(Cell(value, change, share))
            previous = value
        return out

    blocks = [Block("total", "Tổng số", [Line("Quần chúng trong nguồn", cells(_get("total")))])]
    for key, title in DIMENSIONS:
        lines = [Line(label, cells(_get(key, k))) for k, label in _keys(key, present)]
        if key == "ethnicity":
            lines += [
                Line(name, cells(_get("ethnic_groups", name)), sub=True)
                for name in top_groups(present)
            ]
        blocks.append(Block(key, title, lines))
    return blocks


def _get(key: str, sub: str | None = None) -> Any:
    if sub is None:
        return lambda d: d.get(key, 0)
    return lambda d: d.get(key, {}).get(sub, 0)


def top_groups(datas: list[dict[str, Any]], count: int = TOP_ETHNIC_GROUPS) -> list[str]:
    """The largest ethnic minorities, by the latest column that has any."""
    for data in reversed(datas):
        groups = data.get("ethnic_groups") or {}
        if groups:
            ranked = sorted(groups.items(), key=lambda kv: (-kv[1], kv[0]))
            return [name for name, _n in ranked[:count]]
    return []


def chart_series(
    key: str, columns: list[tuple[str, dict[str, Any]]]
) -> tuple[list[str], list[tuple[str, list[int]]]]:
    """Categories of one dimension and one series per column (quarter), for
    ``charts.grouped_bars``."""
    keys = _keys(key, [data for _label, data in columns])
    categories = [label for _k, label in keys]
    series = [
        (label, [int(data.get(key, {}).get(k, 0)) for k, _l in keys]) for label, data in columns
    ]
    return categories, series
