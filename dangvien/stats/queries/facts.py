"""What counts as an admission (kết nạp), written once (issue 6 brief, "What counts").

An admission in a period ``[start, end]`` (both days included) under a node is

1. a ``Candidate`` whose ``stage`` is ``admitted`` or ``member`` and whose ``decided_on``
   (the admission decision) falls in the period, counted at its ``org_path`` (the branch
   that proposed it); plus
2. the first admission of a ``Member`` who has no candidacy (recorded directly or
   imported), dated by ``first_admitted_on`` (every write sets it with ``admitted_on``;
   migration members 0003 filled it for older rows), which a readmission keeps; plus
3. a readmission (294-QĐ/TW §3.5), dated by ``readmitted_on``;
   both counted at the member's ``org_path``.

A rejected or withdrawn candidate is not an admission. The counts (``tally``,
``profile``) read a copy of every admission with its breakdowns (``AdmissionFact``), kept
exact by triggers and a refresh before each count (``stats.admission_facts``); the copy is made
from ``_sources`` and ``_admission_code`` here, so this stays the one definition, and
``live=True`` counts from the sources themselves. The rows behind a number
(``admission_rows``) are always read from the sources. Each source is filtered by a
literal path prefix (``org_path LIKE 'prefix%'``) and a date range, which the indexes
``cand_decided_idx`` (decided_on, org_path), ``member_first_admitted_idx``
(first_admitted_on, org_path) and ``member_readmitted_idx`` (readmitted_on, org_path)
serve (SCALE.md: a prefix from a sub-query defeats the index).

Breakdowns of admissions (DOMAIN.md §9; 11-HD/BTCTW 2021, table codes [U]):

- ``youth_union``: the person is a Youth Union member (``Person.youth_union_member``);
- ``women``: sex female;
- ``ethnic_minority``: ethnicity stated and not "Kinh", compared without case or accents;
- ``religious``: religion stated and not "Không" (without case or accents);
- ``student``: occupation group ``student``;
- ``private_sector``: the branch's ``sector`` is ``non_state_enterprise``;
- ``villages_without_members``: distinct villages of the admitted persons that had no
  member on the day before the period began (a member on D: ceremony — or the decision
  when no ceremony is recorded — on or before D, and not left on or before D).

Shapes (what other areas call):

- ``admissions(path, start, end) -> Admissions``: the two querysets, ``.count()``;
- ``admission_count(path, start, end) -> int``;
- ``admissions_by_child(org, start, end) -> dict[child_path, int]``;
- ``admissions_by_month(path, start, end) -> dict[(year, month), int]``;
- ``admission_breakdown(path, start, end) -> dict[str, int]`` (``total`` + the keys above);
- ``admission_breakdown_by_child(org, start, end) -> dict[child_path, dict[str, int]]``;
- ``tally(path, start, end, bucket=..., by_month=..., to_date=...)``: the grouped count
  the plain counts are made of (two queries, whatever the number of children or months);
- ``profile(path, start, end, bucket=..., by_month=...)``: the same with every breakdown
  (two queries, three when a village was reached);
- ``admission_rows(path, start, end, breakdown=None)``: the people behind a number, one
  ordered queryset of dicts (``AdmissionRow`` fields), ready for a paginator.

Also written once here for every statistics area: ``member_on(day, prefix="")`` (a member
on a date D, issue 6 brief), ``is_kinh`` / ``is_no_religion`` (the Python side of ``KINH``
and ``NO_RELIGION``) and the age bands (``AGE_BANDS``, ``latest_birth``,
``age_band_filters``).

Every function makes a fixed number of queries (at most the number given), whatever the
number of children, months or rows.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, NamedTuple

from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, Lower, Substr, Trim

from dangvien.candidates.models import Candidate, Stage
from dangvien.core.dates import add_months
from dangvien.members.models import Member
from dangvien.organisations.models import SEGMENT, Organisation, Sector, Village
from dangvien.people.models import OccupationGroup, Person, Sex
from dangvien.rowsecurity.scope import unrestricted
from dangvien.stats.admission_facts import refresh_admissions
from dangvien.stats.models import AdmissionFact, Breakdown

ADMITTED_STAGES = (Stage.ADMITTED, Stage.MEMBER)

# The breakdowns of admissions, in the order reports list them (DOMAIN.md §9). The five
# that may carry a target are the ``Breakdown`` choices; religious and students are only
# counted.
BREAKDOWN_LABELS: dict[str, str] = {
    Breakdown.YOUTH_UNION.value: str(Breakdown.YOUTH_UNION.label),
    Breakdown.WOMEN.value: str(Breakdown.WOMEN.label),
    Breakdown.ETHNIC_MINORITY.value: str(Breakdown.ETHNIC_MINORITY.label),
    "religious": "Người theo tôn giáo",
    "student": "Học sinh, sinh viên",
    Breakdown.PRIVATE_SECTOR.value: str(Breakdown.PRIVATE_SECTOR.label),
    Breakdown.VILLAGES_WITHOUT_MEMBERS.value: str(Breakdown.VILLAGES_WITHOUT_MEMBERS.label),
}
BREAKDOWN_KEYS = tuple(BREAKDOWN_LABELS)
VILLAGES = Breakdown.VILLAGES_WITHOUT_MEMBERS.value
# The breakdowns that are a property of each admission (its person or its branch); the
# villages one is a count of distinct villages, counted apart.
ROW_FLAGS = tuple(key for key in BREAKDOWN_KEYS if key != VILLAGES)

# "Compared without case or accents": the database folds case (``LOWER``), and the accented
# forms of the one vowel are listed, in both cases, because ``LOWER`` leaves non-ASCII
# capitals alone on SQLite and under the C locale on PostgreSQL. Text is stored NFC
# (core.text), so precomposed letters are enough.
_I_FORMS = "iíìỉĩịIÍÌỈĨỊ"
_O_FORMS = "oóòỏõọôốồổỗộơớờởỡợOÓÒỎÕỌÔỐỒỔỖỘƠỚỜỞỠỢ"
KINH = tuple(f"k{v}nh" for v in _I_FORMS)
NO_RELIGION = tuple(f"kh{v}ng" for v in _O_FORMS)


def _person_flags(person: str = "person__") -> dict[str, Q]:
    """The breakdowns that are a property of the person, as filters on rows reaching the
    person through ``person`` (``""`` on the person table itself), after ``_with_folded``
    has put the folded ethnicity and religion on them."""
    return {
        "youth_union": Q(**{f"{person}youth_union_member": True}),
        "women": Q(**{f"{person}sex": Sex.FEMALE}),
        "ethnic_minority": ~Q(_ethnicity__in=(*KINH, "")),
        "religious": ~Q(_religion__in=(*NO_RELIGION, "")),
        "student": Q(**{f"{person}occupation_group": OccupationGroup.STUDENT}),
    }


def _row_flags() -> dict[str, Q]:
    """Every per-admission breakdown on an admission row (both sources have ``person`` and
    ``branch``): the person's, and the branch's sector."""
    return {
        **_person_flags(),
        "private_sector": Q(branch__sector=Sector.NON_STATE_ENTERPRISE),
    }


def _with_folded(rows: QuerySet[Any], person: str = "person__") -> QuerySet[Any]:
    """The folded ethnicity and religion the flags compare (aliases, not selected)."""
    return rows.alias(
        _ethnicity=Lower(Trim(f"{person}ethnicity")), _religion=Lower(Trim(f"{person}religion"))
    )


def is_kinh(ethnicity: str | None) -> bool:
    """The ethnicity is Kinh, compared as the flags compare it (trimmed, without case or
    accents on the vowel): the Python side of ``KINH``."""
    return (ethnicity or "").strip().lower() in KINH


def is_no_religion(religion: str | None) -> bool:
    """The religion is "Không", compared as the flags compare it (``NO_RELIGION``); an
    empty religion is not this (callers decide what "not stated" counts as)."""
    return (religion or "").strip().lower() in NO_RELIGION


# ---- a member on a day -----------------------------------------------------------------


def member_on(day: date, prefix: str = "") -> Q:
    """A member on ``day`` (issue 6 brief, "What counts"): the ceremony (or, without one,
    the decision) on or before the day, and not left on or before it. ``prefix`` reaches the
    member from another row (``"member__"``). Where they are that day, and whether they left
    the system by a letter out of it, is ``stats.queries.structure``'s business (the moves,
    ``Moved.node_on``)."""
    p = prefix
    started = Q(**{f"{p}probation_started_on__lte": day}) | Q(
        **{f"{p}probation_started_on__isnull": True, f"{p}admitted_on__lte": day}
    )
    stayed = Q(**{f"{p}left_on__isnull": True}) | Q(**{f"{p}left_on__gt": day})
    return (started & stayed) | first_membership_on(day, prefix)


def first_membership_on(day: date, prefix: str = "") -> Q:
    """A readmitted member on ``day`` within their first membership (294-QĐ/TW §3.5).

    A readmission rewrites the member's current dates (``readmit``); the first membership
    remains as ``first_admitted_on`` up to the start of the readmission gap (``Gap`` with
    ``READMISSION_GAP``, from the day they left). Counted official: a member who left and
    may be readmitted had been admitted at least 36 months before."""
    from dangvien.members.models import Gap
    from dangvien.members.queries.records import READMISSION_GAP

    p = prefix
    left_later = Gap.objects.filter(
        member=OuterRef(f"{p}pk"), reason=READMISSION_GAP, from_on__gt=day
    )
    return Q(
        Exists(left_later),
        **{f"{p}readmitted_on__isnull": False, f"{p}first_admitted_on__lte": day},
    )


# ---- age bands -------------------------------------------------------------------------


class AgeBand(NamedTuple):
    """An age band, ``low`` to ``high`` years old on the day (``high`` None: open)."""

    low: int
    high: int | None
    label: str  # as the statistics tables title a row
    short: str  # as a narrow column or a chart names it
    key: str  # the key stored in ``PoolSurvey.data["age_band"]``


# Age bands of the statistics (11-HD/BTCTW 2021, table codes [U]; issue 6 brief).
AGE_BANDS: tuple[AgeBand, ...] = (
    AgeBand(18, 30, "Từ 18 đến 30 tuổi", "18–30", "18_30"),
    AgeBand(31, 40, "Từ 31 đến 40 tuổi", "31–40", "31_40"),
    AgeBand(41, 50, "Từ 41 đến 50 tuổi", "41–50", "41_50"),
    AgeBand(51, 60, "Từ 51 đến 60 tuổi", "51–60", "51_60"),
    AgeBand(61, 70, "Từ 61 đến 70 tuổi", "61–70", "61_70"),
    AgeBand(71, None, "Trên 70 tuổi", "Trên 70", "over_70"),
)
# Candidates may be younger than a member can be (the pool survey counts them apart).
UNDER_18 = AgeBand(0, 17, "Dưới 18 tuổi", "Dưới 18", "under_18")


def latest_birth(day: date, years: int) -> date:
    """The latest birth date of a person who is at least ``years`` old on ``day``, as
    ``core.dates.full_years_between`` counts age (someone born on 29/02 turns a year older
    on 28/02 in a common year)."""
    birth = add_months(day, -12 * years)
    while add_months(birth + timedelta(days=1), 12 * years) <= day:
        birth += timedelta(days=1)
    return birth


def age_band_filters(
    day: date, field_name: str = "person__birth_date", bands: tuple[AgeBand, ...] = AGE_BANDS
) -> list[tuple[AgeBand, Q]]:
    """One filter per band on the age on ``day``, in the order of ``bands``; the first band
    has no lower bound (it takes any younger record too, so that the bands add up), the
    last none above."""
    out: list[tuple[AgeBand, Q]] = []
    for band in bands:
        q = Q()
        if band is not bands[0]:
            q &= Q(**{f"{field_name}__lte": latest_birth(day, band.low)})
        if band.high is not None:
            q &= Q(**{f"{field_name}__gt": latest_birth(day, band.high + 1)})
        out.append((band, q))
    return out


def _no_member_in_village(since: date, village: str = "pk") -> Q:
    """True when the village (``village``: the field naming it on the filtered rows) had no
    member on the day before ``since``."""
    day = since - timedelta(days=1)
    return ~Q(Exists(Member.objects.filter(member_on(day), person__village=OuterRef(village))))


# ---- the two sources -------------------------------------------------------------------


def decided_candidates(path: str, start: date, end: date) -> QuerySet[Candidate]:
    """Source 1: admission decisions on candidates, at the proposing branch."""
    return Candidate.objects.filter(
        decided_on__gte=start,
        decided_on__lte=end,
        org_path__startswith=path,
        stage__in=ADMITTED_STAGES,
    )


def direct_members(path: str, start: date, end: date) -> QuerySet[Member]:
    """Source 2: the first admission of members admitted without a candidacy in the system
    (recorded directly or imported). Dated by ``first_admitted_on``, which a readmission
    keeps, so a later readmission does not move the first admission out of its year."""
    return Member.objects.filter(
        first_admitted_on__gte=start,
        first_admitted_on__lte=end,
        candidacy__isnull=True,
        org_path__startswith=path,
    )


def readmitted_members(path: str, start: date, end: date) -> QuerySet[Member]:
    """Source 3: readmissions (294-QĐ/TW §3.5), dated by ``readmitted_on``."""
    return Member.objects.filter(
        readmitted_on__gte=start, readmitted_on__lte=end, org_path__startswith=path
    )


@dataclass(frozen=True)
class Admissions:
    """The admissions under a path in a period, as the two querysets they come from."""

    candidates: QuerySet[Candidate]
    members: QuerySet[Member]
    readmissions: QuerySet[Member]

    def count(self) -> int:
        return self.candidates.count() + self.members.count() + self.readmissions.count()


def admissions(path: str, start: date, end: date) -> Admissions:
    """The admissions under ``path`` (a literal prefix) decided from ``start`` to ``end``."""
    return Admissions(
        decided_candidates(path, start, end),
        direct_members(path, start, end),
        readmitted_members(path, start, end),
    )


def _sources(path: str, start: date, end: date) -> list[QuerySet[Any]]:
    """The three sources, each with its decision day as ``_day``, its decision number as
    ``_number`` (a direct member's first number is not kept after a readmission) and
    ``_source`` naming it."""
    text: CharField[str, str] = CharField()
    return [
        decided_candidates(path, start, end).annotate(
            _day=F("decided_on"), _number=F("decision_no"), _source=Value("candidate", text)
        ),
        direct_members(path, start, end).annotate(
            _day=F("first_admitted_on"),
            _number=Case(
                When(readmitted_on__isnull=True, then=F("admission_decision_no")),
                default=Value(""),
                output_field=text,
            ),
            _source=Value("member", text),
        ),
        readmitted_members(path, start, end).annotate(
            _day=F("readmitted_on"),
            _number=F("admission_decision_no"),
            _source=Value("readmission", text),
        ),
    ]


# ---- grouped counts --------------------------------------------------------------------


@dataclass
class Tally:
    """The counts of one bucket (a child's path, or ``""`` when not grouped).

    ``villages`` holds the villages of the admitted persons that had no member on the day
    before the period (filled by ``profile``); ``flags[VILLAGES]`` is its size."""

    total: int = 0
    months: dict[tuple[int, int], int] = field(default_factory=dict)  # (year, month) → n
    to_date: int = 0  # rows on or before the ``to_date`` day
    flags: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BREAKDOWN_KEYS, 0))
    villages: set[int] = field(default_factory=set)


def bucket_of(org: Organisation, field_name: str = "org_path") -> Substr:
    """The path prefix naming the child of ``org`` a row falls under (its own path for
    rows at ``org`` itself): ``organisations.queries.child_bucket``'s expression."""
    return Substr(field_name, 1, (org.depth + 2) * SEGMENT)


def _fetch(rows: QuerySet[Any]) -> list[dict[str, Any]]:
    """The rows of a grouped ``values()`` query, as the database driver returns them.

    A province's grouped counts run to thousands of rows (a child × a month × a code), and
    Django's per-value converters (an ``int()`` on every number) cost more than the query
    itself (bench/achievement.py), so the compiled SQL runs on the cursor directly. Numbers
    may come back as ``Decimal`` (PostgreSQL's EXTRACT): callers apply ``int()``."""
    sql, params = rows.query.sql_with_params()
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _counted(path: str, start: date, end: date, *, live: bool, coded: bool) -> list[QuerySet[Any]]:
    """The rows to count: each with its decision day as ``_day`` (and its breakdown code as
    ``_code`` when ``coded``). From the admission facts (``stats.admission_facts``: brought up to
    date first, so the counts are the live ones; one index-only scan), or with ``live``
    from the three sources themselves."""
    if live:
        sources = _sources(path, start, end)
        return [rows.annotate(_code=_admission_code()) for rows in sources] if coded else sources
    refresh_admissions()
    rows = AdmissionFact.objects.filter(
        day__gte=start, day__lte=end, org_path__startswith=path
    ).annotate(_day=F("day"))
    return [rows.annotate(_code=F("code")) if coded else rows]


def _grouping(
    rows: QuerySet[Any], bucket: Organisation | None, by_month: bool
) -> tuple[QuerySet[Any], list[str]]:
    day = "_day"
    keys: list[str] = []
    if bucket is not None:
        rows = rows.annotate(_bucket=bucket_of(bucket))
        keys.append("_bucket")
    if by_month:
        rows = rows.annotate(_year=ExtractYear(day), _month=ExtractMonth(day))
        keys += ["_year", "_month"]
    return rows, keys


def tally(
    path: str,
    start: date,
    end: date,
    *,
    bucket: Organisation | None = None,
    by_month: bool = False,
    to_date: date | None = None,
    live: bool = False,
) -> dict[str, Tally]:
    """Admissions under ``path`` from ``start`` to ``end``, counted in one query on the
    admission facts (``_counted``).

    - ``bucket=org``: grouped by the child of ``org`` (key: the child's path); else one
      bucket ``""``;
    - ``by_month``: also per (year, month) of the decision;
    - ``to_date``: also count the rows decided on or before that day.

    The breakdowns are ``profile``'s. ``live``: count from the three sources instead of
    the facts (the facts' exactness tests compare the two).
    """
    out: dict[str, Tally] = defaultdict(Tally)
    for rows in _counted(path, start, end, live=live, coded=False):
        rows, keys = _grouping(rows, bucket, by_month)
        counts: dict[str, Any] = {"_n": Count("pk")}
        if to_date is not None:
            counts["_to_date"] = Count("pk", filter=Q(_day__lte=to_date))
        grouped = (
            _fetch(rows.values(*keys).annotate(**counts).order_by())
            if keys
            else [rows.aggregate(**counts)]
        )
        for row in grouped:
            n = int(row["_n"])
            if not n:
                continue
            item = out[row.get("_bucket", "")]
            item.total += n
            item.to_date += int(row.get("_to_date") or 0)
            if by_month:
                month = (int(row["_year"]), int(row["_month"]))
                item.months[month] = item.months.get(month, 0) + n
    return dict(out)


# Every per-admission breakdown as a bit of one number, with the person's village above
# them: ``village_id × 64 + bits``. The person's part comes from one correlated look-up
# of the person by primary key per admission, which costs the same whatever the size of
# the person table (a join lets PostgreSQL scan the whole table when one province is all
# it holds: 2 to 3 times slower in bench/achievement.py); the branch's sector is a join
# on the small organisation table.
_BITS = {
    "youth_union": 1,
    "women": 2,
    "ethnic_minority": 4,
    "religious": 8,
    "student": 16,
    "private_sector": 32,
}
_VILLAGE_SHIFT = 64


def _bit(condition: Q, value: int) -> Case:
    return Case(When(condition, then=Value(value)), default=Value(0), output_field=IntegerField())


def _admission_code(*, joined: bool = False) -> Any:
    """``village_id × 64 + bits`` of an admission row (see ``_BITS``).

    ``joined``: the same number from a join on the person (``person__``; the rows must
    carry ``_with_folded``'s aliases), for a pass over every admission of the country
    (``admission_facts.rebuild_admissions``), where one hash join over the person table
    costs a fraction of six million look-ups by key (bench/README.md, generator)."""
    if joined:
        row_flags = _row_flags()
        joined_bits = [_bit(row_flags[key], _BITS[key]) for key in row_flags]
        return Coalesce(F("person__village_id"), Value(0)) * Value(_VILLAGE_SHIFT) + sum(
            joined_bits[1:], start=joined_bits[0]
        )
    flags = _person_flags(person="")
    bits = [_bit(flags[key], _BITS[key]) for key in flags]
    code = Coalesce(F("village_id"), Value(0)) * Value(_VILLAGE_SHIFT) + sum(
        bits[1:], start=bits[0]
    )
    person = _with_folded(Person.objects.filter(pk=OuterRef("person_id")), person="")
    own = Subquery(
        person.annotate(_code=code).values("_code").order_by(), output_field=IntegerField()
    )
    return own + _bit(Q(branch__sector=Sector.NON_STATE_ENTERPRISE), _BITS["private_sector"])


def profile(
    path: str,
    start: date,
    end: date,
    *,
    bucket: Organisation | None = None,
    by_month: bool = False,
    live: bool = False,
) -> dict[str, Tally]:
    """Admissions under ``path`` from ``start`` to ``end`` with every breakdown (DOMAIN.md
    §9), per child of ``bucket`` (or under ``""``), per month when asked: on the admission
    facts (``live``: on each source, with ``_admission_code``), one query grouped on the
    breakdown bits (at most 64 groups a bucket and month), and one for the villages reached
    that had no member the day before ``start``, with the buckets that reached them.

    ``villages_without_members`` counts distinct villages: a village reached by both
    sources, or by several admissions, counts once in a bucket; a node's own count is the
    size of the union of its children's sets (two children may reach one village)."""
    out: dict[str, Tally] = defaultdict(Tally)
    for rows in _counted(path, start, end, live=live, coded=True):
        rows, keys = _grouping(rows, bucket, by_month)
        flags = rows.annotate(_bits=F("_code").bitand(_VILLAGE_SHIFT - 1))
        for row in _fetch(flags.values(*keys, "_bits").annotate(_n=Count("pk")).order_by()):
            item, bits, n = out[row.get("_bucket", "")], int(row["_bits"]), int(row["_n"])
            item.total += n
            if by_month:
                month = (int(row["_year"]), int(row["_month"]))
                item.months[month] = item.months.get(month, 0) + n
            for key, bit in _BITS.items():
                if bits & bit:
                    item.flags[key] += n
        reached = rows.filter(_code__gte=_VILLAGE_SHIFT).annotate(
            _village=F("_code") / Value(_VILLAGE_SHIFT)
        )
        # The village test runs once per distinct village reached (the inner select), and
        # only the villages without members come back, with the buckets that reached them.
        empty = Village.objects.filter(pk__in=reached.values("_village")).filter(
            _no_member_in_village(start)
        )
        found = (
            reached.filter(_village__in=empty.values("pk"))
            .values(*(["_bucket"] if bucket is not None else []), "_village")
            .distinct()
            .order_by()
        )
        # Whether a village had a member is a fact about the village, not about the
        # reader: a member living there whose chi bộ lies outside the reader's subtrees
        # still counts, so the test reads every member (row-level security would hide
        # that one). Only village ids come back, for rows under ``path``, which the
        # caller may see. It is also cheaper: no policy check on each person and member
        # looked at (issue 9: 98 → 55 ms for a province's 5,200 villages).
        with unrestricted(rows.db):
            for row in _fetch(found):
                out[row.get("_bucket", "")].villages.add(int(row["_village"]))
    for item in out.values():
        item.flags[VILLAGES] = len(item.villages)
    return dict(out)


def admission_count(path: str, start: date, end: date) -> int:
    """How many admissions under ``path`` from ``start`` to ``end`` (two queries)."""
    found = tally(path, start, end)
    return found[""].total if found else 0


def admissions_by_child(org: Organisation, start: date, end: date) -> dict[str, int]:
    """Admissions under each child of ``org`` (key: the child's path; a row at ``org``
    itself is under ``org.path``). Children without admissions are absent."""
    return {key: item.total for key, item in tally(org.path, start, end, bucket=org).items()}


def admissions_by_month(path: str, start: date, end: date) -> dict[tuple[int, int], int]:
    """Admissions under ``path`` per (year, month) of the decision."""
    found = tally(path, start, end, by_month=True)
    return dict(found[""].months) if found else {}


def admission_breakdown(path: str, start: date, end: date) -> dict[str, int]:
    """``total`` and each breakdown of the admissions under ``path`` (three queries)."""
    found = profile(path, start, end).get("", Tally())
    return {"total": found.total, **found.flags}


def admission_breakdown_by_child(
    org: Organisation, start: date, end: date
) -> dict[str, dict[str, int]]:
    """``admission_breakdown`` for each child of ``org`` at once (three queries)."""
    found = profile(org.path, start, end, bucket=org)
    return {key: {"total": item.total, **item.flags} for key, item in found.items()}


# ---- the people behind a number --------------------------------------------------------


# Columns of ``admission_rows``, in the order both halves of the union select them.
ROW_FIELDS = (
    "source",  # "candidate" or "member"
    "object_id",  # the candidate's or the member's pk
    "family_name",
    "middle_name",
    "given_name",
    "name_key",
    "branch_id_",
    "branch_name",
    "day",  # decision date
    "number",  # decision number
    "readmission",
    *(f"is_{key}" for key in BREAKDOWN_KEYS),
)


def _flag(condition: Q) -> Case:
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def _rows_of(rows: QuerySet[Any], since: date, breakdown: str | None) -> QuerySet[Any]:
    flags = _row_flags()
    rows = _with_folded(rows)
    no_members = _no_member_in_village(since, village="person__village")
    if breakdown == VILLAGES:
        rows = rows.filter(person__village__isnull=False).filter(no_members)
    elif breakdown is not None:
        rows = rows.filter(flags[breakdown])
    annotations: dict[str, Any] = {
        "source": Case(
            When(_source="candidate", then=Value("candidate")),
            default=Value("member"),
            output_field=CharField(),
        ),
        "object_id": F("pk"),
        "family_name": F("person__family_name"),
        "middle_name": F("person__middle_name"),
        "given_name": F("person__given_name"),
        "name_key": F("person__sort_key"),
        "branch_id_": F("branch_id"),
        "branch_name": F("branch__name"),
        "day": F("_day"),
        "number": F("_number"),
        "readmission": _flag(Q(_source="readmission")),
        **{f"is_{key}": _flag(flags[key]) for key in ROW_FLAGS},
        f"is_{VILLAGES}": _flag(Q(person__village__isnull=False) & no_members),
    }
    # Aliases that clash with model fields are not allowed; these names do not clash.
    return rows.annotate(**annotations).values(*ROW_FIELDS).order_by()


def admission_rows(
    path: str, start: date, end: date, breakdown: str | None = None
) -> QuerySet[Any]:
    """The people behind a count: one row (a dict with ``ROW_FIELDS``) per admission under
    ``path`` from ``start`` to ``end``, optionally only those in one breakdown (a key of
    ``BREAKDOWN_LABELS``), ordered by decision date, then name. A lazy union of the two
    sources, so a paginator fetches one page. ``villages_without_members`` here means "the
    person's village had no member the day before ``start``" (the persons behind the
    village count)."""
    if breakdown is not None and breakdown not in BREAKDOWN_KEYS:
        raise ValueError(breakdown)
    first, *others = (_rows_of(rows, start, breakdown) for rows in _sources(path, start, end))
    return first.union(*others, all=True).order_by("day", "name_key", "source", "object_id")


@dataclass(frozen=True)
class AdmissionRow:
    """One row of ``admission_rows`` made readable for a page or an export."""

    source: str
    object_id: int
    full_name: str
    branch_name: str
    day: date
    number: str
    readmission: bool
    flags: list[str]  # breakdown keys the admission falls in

    @property
    def flag_labels(self) -> list[str]:
        return [BREAKDOWN_LABELS[key] for key in self.flags]


def readable(row: dict[str, Any]) -> AdmissionRow:
    name = " ".join(p for p in (row["family_name"], row["middle_name"], row["given_name"]) if p)
    return AdmissionRow(
        source=row["source"],
        object_id=row["object_id"],
        full_name=name,
        branch_name=row["branch_name"],
        day=row["day"],
        number=row["number"] or "",
        readmission=bool(row["readmission"]),
        flags=[key for key in BREAKDOWN_KEYS if row[f"is_{key}"]],
    )
