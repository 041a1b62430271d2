"""Screening outcomes of a node for a year, for the yearly report (issue 7 "Cases per node
and their outcomes"; 02-HD/BTCTW 12/4/2021 [C]; DOMAIN.md §5).

The cases whose secret ballot was held in the year (``ballot_on``), in a chi bộ under the
node (``ScreeningCase.org_path``: the branch that held the ballot), by where each stands
now:

- ``held``: ballots held (one a member considered); ``listed``: the ballot reached 2/3
  and the member was listed for education and help; ``not_listed``: it did not (the case
  is kept as history, nothing else happens);
- of the listed: ``awaiting_helper`` (no helper yet), ``helping``, ``improved`` (taken off
  the list), and the chi bộ's proposals — ``proposed_removal``, ``proposed_expulsion``,
  ``exit_requested`` — counted whether or not decided since (a decided case counts under
  the proposal it came from: the state before ``decided`` in its history, else the kind
  of its linked proceeding, else expulsion, the one outcome without a proceeding);
- the decisions: ``removed``, ``expelled``, ``exited``, ``not_upheld`` (the committee did
  not uphold the proposal), and ``awaiting_decision`` (proposed, not decided yet).

So ``held = listed + not_listed`` and ``listed = awaiting_helper + helping + improved +
proposed_removal + proposed_expulsion + exit_requested``; each proposal = its decisions +
those awaiting one.

``criteria``: how many listed cases named each criterion (a case may name several).

A fixed number of queries: the cases grouped by child, state, outcome path and decision
(1, the path read from the history by a correlated sub-query), the criteria of the listed
cases (1), the children (1).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, OuterRef, Subquery

from dangvien.members.models import ProceedingKind
from dangvien.organisations.models import Organisation
from dangvien.organisations.queries import child_bucket
from dangvien.screening.models import CaseChange, Criterion, ScreeningCase, State
from dangvien.stats.formatting import percent
from dangvien.stats.queries.structure import per_child

# (column, label) in the order the report lists them; ``sub``: a part of the row above.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("held", "Số đảng viên được bỏ phiếu kín"),
    ("listed", "Đưa vào diện giáo dục, giúp đỡ (đủ 2/3)"),
    ("not_listed", "Không đủ 2/3 – không đưa vào diện giúp đỡ"),
    ("awaiting_helper", "Chờ phân công giúp đỡ"),
    ("helping", "Đang giáo dục, giúp đỡ"),
    ("improved", "Tiến bộ – đưa ra khỏi danh sách"),
    ("proposed_removal", "Chi bộ đề nghị xóa tên"),
    ("proposed_expulsion", "Chi bộ đề nghị khai trừ"),
    ("exit_requested", "Xin ra khỏi Đảng"),
    ("awaiting_decision", "Chờ cấp ủy quyết định"),
    ("removed", "Đã xóa tên"),
    ("expelled", "Đã khai trừ"),
    ("exited", "Đã cho ra khỏi Đảng"),
    ("not_upheld", "Cấp ủy không chấp thuận đề nghị"),
)
LABELS = dict(COLUMNS)
# The rows that are a part of the listed cases (shares are of ``listed``).
OF_LISTED = (
    "awaiting_helper",
    "helping",
    "improved",
    "proposed_removal",
    "proposed_expulsion",
    "exit_requested",
)
DECISIONS = ("awaiting_decision", "removed", "expelled", "exited", "not_upheld")

PROPOSALS: tuple[str, ...] = (
    State.PROPOSED_REMOVAL,
    State.PROPOSED_EXPULSION,
    State.EXIT_REQUESTED,
)
# What an upheld decision on a proposal means.
UPHELD: dict[str, str] = {
    State.PROPOSED_REMOVAL: "removed",
    State.PROPOSED_EXPULSION: "expelled",
    State.EXIT_REQUESTED: "exited",
}
PROCEEDING_PROPOSAL: dict[str, str] = {
    ProceedingKind.REMOVAL: State.PROPOSED_REMOVAL,
    ProceedingKind.EXIT: State.EXIT_REQUESTED,
}
STATE_COLUMN: dict[str, str] = {
    State.LISTED: "awaiting_helper",
    State.HELPING: "helping",
    State.IMPROVED: "improved",
}


@dataclass
class ScreeningFigures:
    """The counted columns of one node or one direct child (``direct``: ballots held at
    the node itself, a chi bộ cơ sở)."""

    organisation: Organisation
    counts: dict[str, int] = field(default_factory=dict)
    criteria: dict[str, int] = field(default_factory=dict)
    direct: bool = False

    def __getitem__(self, column: str) -> int:
        if column not in LABELS:
            raise KeyError(column)
        return self.counts.get(column, 0)

    def add(self, column: str, n: int) -> None:
        self.counts[column] = self.counts.get(column, 0) + n

    def share(self, column: str) -> float | None:
        """A column's share: of the ballots held for ``listed`` / ``not_listed``, of the
        listed for their outcomes, of the proposals for the decisions; none for ``held``."""
        if column in ("listed", "not_listed"):
            return percent(self[column], self["held"])
        if column in OF_LISTED:
            return percent(self[column], self["listed"])
        if column in DECISIONS:
            proposed = sum(self[p] for p in ("proposed_removal", "proposed_expulsion"))
            return percent(self[column], proposed + self["exit_requested"])
        return None

    @property
    def label(self) -> str:
        if self.direct:
            return f"{self.organisation.name} (trực thuộc trực tiếp)"
        return self.organisation.name


@dataclass(frozen=True)
class ScreeningLine:
    column: str
    label: str
    count: int
    share: float | None
    sub: bool


@dataclass
class ScreeningResults:
    organisation: Organisation
    year: int
    figures: ScreeningFigures
    children: list[ScreeningFigures]

    def lines(self) -> list[ScreeningLine]:
        return [
            ScreeningLine(
                column,
                label,
                self.figures[column],
                self.figures.share(column),
                column in OF_LISTED or column in DECISIONS,
            )
            for column, label in COLUMNS
        ]

    def criteria_lines(self) -> list[tuple[str, int, float | None]]:
        """(criterion label, listed cases naming it, share of the listed)."""
        return [
            (
                str(label),
                self.figures.criteria.get(value, 0),
                percent(self.figures.criteria.get(value, 0), self.figures["listed"]),
            )
            for value, label in Criterion.choices
        ]


def _count_case(
    target: ScreeningFigures,
    state: str,
    passed: bool,
    came_from: str | None,
    proceeding_kind: str | None,
    upheld: bool | None,
    n: int,
) -> None:
    target.add("held", n)
    if not passed or state == State.NOT_LISTED:
        target.add("not_listed", n)
        return
    target.add("listed", n)
    if state in STATE_COLUMN:
        target.add(STATE_COLUMN[state], n)
        return
    if state in PROPOSALS:
        target.add(state, n)
        target.add("awaiting_decision", n)
        return
    if state == State.DECIDED:
        proposal = (
            came_from
            if came_from in PROPOSALS
            else PROCEEDING_PROPOSAL.get(proceeding_kind or "", State.PROPOSED_EXPULSION)
        )
        target.add(proposal, n)
        target.add(UPHELD[proposal] if upheld else "not_upheld", n)


def screening_results(org: Organisation, year: int) -> ScreeningResults:
    """The screening cases balloted in ``year`` under ``org`` and where they stand now,
    per direct child too (see the module docstring)."""
    under, bucket = child_bucket(org, "org_path")
    came_from = (
        CaseChange.objects.filter(case=OuterRef("pk"), to_state=State.DECIDED)
        .order_by("-on", "-at", "-pk")
        .values("from_state")[:1]
    )
    cases = ScreeningCase.objects.filter(
        under, ballot_on__gte=date(year, 1, 1), ballot_on__lte=date(year, 12, 31)
    )
    rows = (
        cases.annotate(_bucket=bucket, _from=Subquery(came_from))
        .values_list(
            "_bucket", "state", "ballot_passed", "_from", "proceeding__kind", "decision_upheld"
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    found: dict[str, ScreeningFigures] = {}
    total = ScreeningFigures(org)
    for child, state, passed, came, kind, upheld, n in rows:
        item = found.setdefault(child, ScreeningFigures(org))
        _count_case(item, state, passed, came, kind, upheld, n)
        _count_case(total, state, passed, came, kind, upheld, n)

    criteria: dict[str, Counter[str]] = defaultdict(Counter)
    listed = (
        cases.filter(ballot_passed=True)
        .exclude(state=State.NOT_LISTED)
        .annotate(_bucket=bucket)
        .values_list("_bucket", "criteria")
    )
    for child, named in listed:
        for value in set(named or []):
            criteria[child][value] += 1
            total.criteria[value] = total.criteria.get(value, 0) + 1

    def make(node: Organisation, own: bool) -> ScreeningFigures:
        item = found.get(node.path)
        return ScreeningFigures(
            node,
            dict(item.counts) if item else {},
            dict(criteria.get(node.path, {})),
            direct=own,
        )

    own = org.path in found
    return ScreeningResults(org, year, total, per_child(org, make, own=own))
