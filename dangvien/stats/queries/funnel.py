"""The admission pipeline funnel of a node for a period (issue 6: "the pipeline funnel for a
period: candidate pool → in course → certified → dossier → proposed → admitted → recognised,
with conversion and median days per step").

Where a step's date comes from (DOMAIN.md §3; the stage history ``StageChange.on`` is the
day the step happened):

- pool (nguồn): ``Candidate.listed_on``;
- in course, certified, dossier, proposed, admitted: the first ``StageChange`` into
  ``in_awareness_course``, ``certified``, ``dossier_open``, ``branch_proposed``,
  ``admitted``; for rows without history (imported), the candidate's own field
  (``course_started_on``, ``certificate_issued_on``, ``declaration_on``, and
  ``decided_on`` when the decision was to admit);
- recognised: the member's ``official_on`` (``Candidate.member``).

A candidate may skip a step (``candidate → certified`` directly, NEXT_STAGES): reaching a
later step counts as having passed the earlier ones, so a skipped step takes the date of
the next step reached (issue 6).

Two readings (issue 6):

- **flow** (``mode="flow"``): how many under the node reached each step within the period.
  Different people make up each step, so a step may exceed the one before it (conversion
  over 100%).
- **cohort** (``mode="cohort"``): of the candidates listed in the period, how many have
  reached each step by today. A candidate's current stage also counts as evidence that the
  steps up to it were reached (a record keyed in without its history).

Median days of a step: days from the previous step to this one, over the people counted at
this step who have both dates of their own (a skipped step has none) in that order.

One query reads every candidate of the period with its step dates (conditional MIN over the
stage history, grouped per candidate) and the child it falls under
(``organisations.queries.child_bucket``); counts, per-child counts and medians are made in
Python in one streamed pass, so memory grows with the period's candidates only (a province
has ~10k a year), never with history.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from statistics import median
from typing import Any, Literal

from django.db.models import Case, DateField, F, Min, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from dangvien.candidates.models import ACTIVE, Candidate, Stage, StageChange
from dangvien.core.dates import BadDate
from dangvien.organisations.models import Organisation
from dangvien.organisations.queries import child_bucket, children
from dangvien.stats.formatting import percent

Mode = Literal["flow", "cohort"]
MODES: dict[str, str] = {
    "flow": "Theo dòng chảy trong kỳ",
    "cohort": "Theo lứa đưa vào nguồn trong kỳ",
}


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    short: str  # a column heading
    stage: str | None  # the stage whose first history row dates the step


STEPS: tuple[Step, ...] = (
    Step("pool", "Nguồn quần chúng ưu tú", "Nguồn", None),
    Step(
        "in_course",
        "Học lớp bồi dưỡng nhận thức về Đảng",
        "Học lớp",
        Stage.IN_AWARENESS_COURSE,
    ),
    Step("certified", "Có giấy chứng nhận", "Có giấy CN", Stage.CERTIFIED),
    Step("dossier", "Lập hồ sơ xin vào Đảng", "Lập hồ sơ", Stage.DOSSIER_OPEN),
    Step("proposed", "Chi bộ đề nghị kết nạp", "Đề nghị", Stage.BRANCH_PROPOSED),
    Step("admitted", "Có quyết định kết nạp", "Kết nạp", Stage.ADMITTED),
    Step("recognised", "Công nhận đảng viên chính thức", "Chính thức", None),
)
STEP_KEYS = [s.key for s in STEPS]

# The furthest step a current stage proves was reached (cohort mode). A finished candidacy
# (withdrawn, rejected) proves nothing by itself: only its dates count.
STAGE_REACH: dict[str, int] = {
    Stage.CANDIDATE: 0,
    Stage.IN_AWARENESS_COURSE: 1,
    Stage.CERTIFIED: 2,
    Stage.DOSSIER_OPEN: 3,
    Stage.BACKGROUND_CHECKED: 3,
    Stage.BRANCH_PROPOSED: 4,
    Stage.GRASSROOTS_ENDORSED: 4,
    Stage.ADMITTED: 5,
    Stage.MEMBER: 5,
}


# ---- the period ------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    year: int | None = None  # set when the period is a whole calendar year

    @property
    def label(self) -> str:
        if self.year is not None:
            return f"Năm {self.year}"
        return f"Từ {self.start:%d/%m/%Y} đến {self.end:%d/%m/%Y}"


def default_period(today: date | None = None) -> Period:
    """This year from 1 January to today (issue 6)."""
    today = today or timezone.localdate()
    return Period(date(today.year, 1, 1), today)


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31), year=year)


def period_between(start: date | None, end: date | None, today: date | None = None) -> Period:
    """``start``–``end``, either side defaulting to this year's 1 January / today; refused
    when it ends before it starts."""
    today = today or timezone.localdate()
    start = start or date(today.year, 1, 1)
    end = end or max(today, start)
    if end < start:
        raise BadDate("Ngày kết thúc phải sau ngày bắt đầu.", "to")
    return Period(start, end)


# ---- the funnel ------------------------------------------------------------------------


@dataclass
class StepRow:
    key: str
    label: str
    count: int
    conversion: float | None  # percent of the previous step's count, one decimal
    median_days: float | None


@dataclass
class ChildRow:
    organisation: Organisation | None  # None: candidates of the node itself
    path: str
    counts: list[int]  # per step, in STEPS order

    @property
    def total(self) -> int:
        return self.counts[0] if self.counts else 0


@dataclass
class Funnel:
    mode: str
    period: Period
    today: date
    steps: list[StepRow]
    withdrawn: int  # flow: withdrawn within the period; cohort: of the cohort, by today
    rejected: int  # not admitted by the deciding committee
    active: int | None  # cohort: still in the pipeline today (not yet admitted); flow: None
    children: list[ChildRow] = field(default_factory=list)

    @property
    def exceeds_previous(self) -> bool:
        """Some step counts more than the step before it (possible in flow mode only)."""
        return any(s.conversion is not None and s.conversion > 100 for s in self.steps)


def _first(stage: str) -> Min:
    return Min("changes__on", filter=Q(changes__to_stage=stage))


def _rows(org: Organisation, mode: str, period: Period) -> Iterator[tuple[Any, ...]]:
    """One row per candidate: path bucket, listed_on, current stage, the own date of each
    step after the pool, withdrawn on, rejected on."""
    scope, bucket = child_bucket(org)
    rows = Candidate.objects.filter(scope)
    start, end = period.start, period.end
    if mode == "cohort":
        rows = rows.filter(listed_on__range=(start, end))
    else:
        # A candidate with any dated event in the period. The history part is one IN
        # (sub-select) with the scope prefix as a literal, so the database reads the
        # subtree's history once, not per candidate.
        moved = StageChange.objects.filter(
            candidate__org_path__startswith=org.path, on__range=(start, end)
        ).values("candidate_id")
        rows = rows.filter(
            Q(listed_on__range=(start, end))
            | Q(pk__in=moved)
            | Q(member__official_on__range=(start, end))
            | Q(decided_on__range=(start, end))
            | Q(course_started_on__range=(start, end))
            | Q(certificate_issued_on__range=(start, end))
            | Q(declaration_on__range=(start, end))
        )
    decided = Case(
        When(stage__in=[Stage.ADMITTED, Stage.MEMBER], then=F("decided_on")),
        default=Value(None),
        output_field=DateField(),
    )
    refused = Case(
        When(stage=Stage.REJECTED, then=F("decided_on")),
        default=Value(None),
        output_field=DateField(),
    )
    dated = rows.annotate(
        child=bucket,
        d_in_course=Coalesce(_first(Stage.IN_AWARENESS_COURSE), F("course_started_on")),
        d_certified=Coalesce(_first(Stage.CERTIFIED), F("certificate_issued_on")),
        d_dossier=Coalesce(_first(Stage.DOSSIER_OPEN), F("declaration_on")),
        d_proposed=_first(Stage.BRANCH_PROPOSED),
        d_admitted=Coalesce(_first(Stage.ADMITTED), decided),
        d_withdrawn=_first(Stage.WITHDRAWN),
        d_rejected=Coalesce(_first(Stage.REJECTED), refused),
    ).values_list(
        "child",
        "listed_on",
        "stage",
        "d_in_course",
        "d_certified",
        "d_dossier",
        "d_proposed",
        "d_admitted",
        "member__official_on",
        "d_withdrawn",
        "d_rejected",
    )
    return dated.order_by().iterator(chunk_size=2000)


def _effective(own: list[date | None]) -> list[date | None]:
    """A skipped step takes the date of the next step reached."""
    out: list[date | None] = [None] * len(own)
    later: date | None = None
    for k in range(len(own) - 1, -1, -1):
        later = own[k] or later
        out[k] = later
    return out


def funnel(org: Organisation, *, mode: str, period: Period, today: date | None = None) -> Funnel:
    """The funnel of ``org``'s subtree: two queries (the children, then the candidates)
    whatever the number of candidates."""
    today = today or timezone.localdate()
    if mode not in MODES:
        raise ValueError(mode)
    kids = list(children(org))
    n = len(STEPS)
    per_child: dict[str, list[int]] = {c.path: [0] * n for c in kids}
    counts = [0] * n
    gaps: list[list[int]] = [[] for _ in range(n)]
    withdrawn = rejected = active = 0
    start, end = period.start, period.end

    for row in _rows(org, mode, period):
        child, listed_on, stage, *dates = row
        own: list[date | None] = [listed_on, *dates[:6]]
        gone, refused = dates[6], dates[7]
        eff = _effective(own)
        if mode == "flow":
            reached = [d is not None and start <= d <= end for d in eff]
            if gone is not None and start <= gone <= end:
                withdrawn += 1
            if refused is not None and start <= refused <= end:
                rejected += 1
        else:
            top = max(
                [k for k, d in enumerate(eff) if d is not None and d <= today]
                + [STAGE_REACH.get(stage, 0)]
            )
            reached = [k <= top for k in range(n)]
            withdrawn += stage == Stage.WITHDRAWN
            rejected += stage == Stage.REJECTED
            active += stage in ACTIVE
        bucket = per_child.setdefault(child, [0] * n)
        for k in range(n):
            if not reached[k]:
                continue
            counts[k] += 1
            bucket[k] += 1
            if k and own[k - 1] is not None and own[k] is not None:
                days = (own[k] - own[k - 1]).days  # type: ignore[operator]
                if days >= 0 and (mode == "flow" or own[k] <= today):  # type: ignore[operator]
                    gaps[k].append(days)

    steps = [
        StepRow(
            key=s.key,
            label=s.label,
            count=counts[k],
            conversion=percent(counts[k], counts[k - 1]) if k else None,
            median_days=float(median(gaps[k])) if gaps[k] else None,
        )
        for k, s in enumerate(STEPS)
    ]
    child_rows = [ChildRow(c, c.path, per_child[c.path]) for c in kids]
    if kids and any(per_child.get(org.path, [])):
        child_rows.append(ChildRow(None, org.path, per_child[org.path]))
    return Funnel(
        mode=mode,
        period=period,
        today=today,
        steps=steps,
        withdrawn=withdrawn,
        rejected=rejected,
        active=active if mode == "cohort" else None,
        children=child_rows,
    )
