"""Member flows of a node in a period (biến động đảng viên; DOMAIN.md §9, 11-HD/BTCTW
13/12/2021, table codes [U]): admitted with its breakdowns, recognised official, removed,
expelled, exited, deceased, transferred in and out — and the balance

    members at the start + joined + transferred in − left − transferred out = members at the end

where "at the start" is the day before the period and "at the end" its last day, both as
``stats.queries.structure`` counts a member on a day (same definition, same node on a day).

What each figure is (issue 6 brief, "What counts"):

- **admitted**: admission decisions in the period, with the breakdowns, exactly as
  ``stats.queries.facts.admission_breakdown`` counts them (written once, by the
  achievement area). A decision is not yet membership: the balance counts **joined**, the
  members whose ceremony (``probation_started_on``, or ``admitted_on`` without one) falls in
  the period, at their node on that day.
- **recognised official**: ``official_on`` in the period.
- **removed, expelled, exited, deceased**: the status with ``left_on`` in the period, at the
  node the member held the day before (a member who left with another status — inconsistent
  records — is counted as "left, other" so the balance still closes).
- **transferred in / out**: permanent transfers received in the period that cross the
  node's boundary (from outside the subtree into it = in, from inside to outside = out);
  a letter to an organisation outside the system (no ``to_organisation``) issued in the
  period is a transfer out. Moves inside the subtree are not flows.

Per direct child the same figures, each child's boundary its own: the children's
"joined", "left" and headcounts add up to the node's, their transfers do not (a move
between two children is out of one and into the other, and no flow for the node).

A fixed number of queries (SCALE.md): the moves (1), the grouped counts of the members
without a move in the period (1), the members with one (1, only if any), the transfers
(1), the admissions (``facts``: 4 for the node, 4 per child at once) and the children (1).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q
from django.db.models.functions import Coalesce, Substr

from dangvien.members.models import Gap, Member, Status, Transfer, TransferKind, TransferState
from dangvien.members.queries.records import READMISSION_GAP
from dangvien.organisations.models import Organisation
from dangvien.rowsecurity.scope import unrestricted
from dangvien.stats.formatting import percent
from dangvien.stats.queries import facts
from dangvien.stats.queries.facts import member_on
from dangvien.stats.queries.structure import (
    NodeFigures,
    bucket_length,
    moved_members,
    moving_transfers,
    per_child,
    sum_columns,
)

# Leaving the roll, by the status it leaves the member in (column, status).
LEAVING: tuple[tuple[str, str], ...] = (
    ("deceased", Status.DECEASED),
    ("removed", Status.REMOVED),
    ("expelled", Status.EXPELLED),
    ("exited", Status.EXITED),
)

TRANSFER_COLUMNS = ("transferred_in", "transferred_out", "transferred_out_of_system")
# Every column a ``FlowFigures`` may hold.
COLUMNS = frozenset(
    [
        "at_start",
        "at_end",
        "joined",
        "recognised",
        *(column for column, _status in LEAVING),
        "left_other",
        *TRANSFER_COLUMNS,
    ]
)

LABELS: dict[str, str] = {
    "at_start": "Đảng viên đầu kỳ",
    "joined": "Kết nạp (tính theo ngày tổ chức lễ kết nạp)",
    "transferred_in": "Chuyển sinh hoạt đảng đến",
    "deceased": "Từ trần",
    "removed": "Xóa tên",
    "expelled": "Khai trừ",
    "exited": "Cho ra khỏi Đảng",
    "left_other": "Ra khỏi danh sách vì lý do khác",
    "transferred_out": "Chuyển sinh hoạt đảng đi",
    "transferred_out_of_system": "trong đó: chuyển ra ngoài hệ thống",
    "at_end": "Đảng viên cuối kỳ",
    "recognised": "Công nhận đảng viên chính thức",
    "admitted": "Kết nạp (theo ngày quyết định)",
}


@dataclass
class FlowFigures(NodeFigures):
    """The flows of one node (or one direct child) in the period."""

    admitted: dict[str, int] = field(default_factory=dict)  # facts.admission_breakdown

    def is_column(self, column: str) -> bool:
        return column in COLUMNS

    @property
    def at_start(self) -> int:
        return self["at_start"]

    @property
    def at_end(self) -> int:
        return self["at_end"]

    @property
    def joined(self) -> int:
        return self["joined"]

    @property
    def recognised(self) -> int:
        return self["recognised"]

    @property
    def transferred_in(self) -> int:
        return self["transferred_in"]

    @property
    def transferred_out(self) -> int:
        return self["transferred_out"]

    @property
    def left(self) -> int:
        """Members who left the roll: deceased, removed, expelled, exited (and "other")."""
        return sum(self[c] for c, _status in LEAVING) + self["left_other"]

    @property
    def increase(self) -> int:
        return self.joined + self.transferred_in

    @property
    def decrease(self) -> int:
        return self.left + self.transferred_out

    @property
    def expected_end(self) -> int:
        """Start + joined + in − left − out: equals ``at_end`` when the records agree."""
        return self.at_start + self.increase - self.decrease

    @property
    def balanced(self) -> bool:
        return self.expected_end == self.at_end

    @property
    def admitted_total(self) -> int:
        return self.admitted.get("total", 0)


@dataclass
class Flows:
    """The flows of ``organisation``'s subtree from ``start`` to ``end`` (both included)."""

    organisation: Organisation
    start: date
    end: date
    figures: FlowFigures
    children: list[FlowFigures]

    @property
    def start_day(self) -> date:
        """The day the opening headcount is taken: the day before the period."""
        return self.start - timedelta(days=1)

    def breakdown(self) -> list[tuple[str, str, int, float | None]]:
        """The admissions' breakdowns: (key, label, count, % of the admissions)."""
        total = self.figures.admitted_total
        return [
            (
                key,
                label,
                self.figures.admitted.get(key, 0),
                percent(self.figures.admitted.get(key, 0), total),
            )
            for key, label in facts.BREAKDOWN_LABELS.items()
        ]


def _columns(start: date, end: date) -> dict[str, Q]:
    """Conditional counts on a member row annotated with ``_began`` (ceremony, or the
    decision without one)."""
    before = start - timedelta(days=1)
    in_period = {"left_on__gte": start, "left_on__lte": end}
    known = [status for _c, status in LEAVING]
    first_exit = Gap.objects.filter(
        member=OuterRef("pk"), reason=READMISSION_GAP, from_on__gte=start, from_on__lte=end
    )
    return {
        "at_start": member_on(before),
        "at_end": member_on(end),
        "joined": Q(_began__gte=start, _began__lte=end),
        "recognised": Q(official_on__gte=start, official_on__lte=end),
        **{column: Q(status=status, **in_period) for column, status in LEAVING},
        # A readmitted member's first exit is no longer in left_on/status (readmit
        # rewrites them); the readmission gap's first day keeps it.
        "left_other": (Q(**in_period) & ~Q(status__in=known)) | Q(Exists(first_exit)),
    }


# The day whose node places each event, from the row's dates (None: the event did not
# happen in the period; the node of a leaving member is the one they held the day before).
def _event_days(row: dict[str, Any], start: date, end: date) -> dict[str, date]:
    before = start - timedelta(days=1)
    days = {"at_start": before, "at_end": end}
    if row["_began"] is not None:
        days["joined"] = row["_began"]
    if row["official_on"] is not None:
        days["recognised"] = row["official_on"]
    if row["left_on"] is not None:
        gone = row["left_on"] - timedelta(days=1)
        for column, _status in LEAVING:
            days[column] = gone
        days["left_other"] = gone
    return days


def flows(org: Organisation, start: date, end: date) -> Flows:
    """The flows under ``org`` from ``start`` to ``end`` (``_flows``), read outside the
    user's row-level security scope on purpose (``rowsecurity.scope.unrestricted``,
    docs/row-level-security.md): the balance counts members who were under ``org`` in the
    period and have been transferred out since (11-HD/BTCTW 13/12/2021; issue 6 "What
    counts"), which the database would now hide. Only counts per node leave this
    function; the caller checks that ``org`` is in the user's scope."""
    if end < start:
        raise ValueError("end before start")
    with unrestricted():
        return _flows(org, start, end)


def _flows(org: Organisation, start: date, end: date) -> Flows:
    """The flows under ``org`` from ``start`` to ``end`` (see the module docstring), with
    each direct child's figures."""
    path = org.path
    length = bucket_length(org)
    before = start - timedelta(days=1)
    columns = _columns(start, end)
    names = list(columns)
    counts: dict[str, dict[str, int]] = defaultdict(dict)

    def add(key: str, column: str, n: int) -> None:
        counts[key][column] = counts[key].get(column, 0) + n

    # Members whose node changes after the day before the period: placed one by one.
    found = moved_members(path, before)
    rows = Member.objects.filter(org_path__startswith=path)
    if found:
        rows = rows.exclude(pk__in=moving_transfers(before).values("member_id"))
    aggregates = {f"c_{i}": Count("pk", filter=q) for i, q in enumerate(columns.values())}
    grouped = (
        rows.annotate(_began=Coalesce("probation_started_on", "admitted_on"))
        .annotate(_bucket=Substr("org_path", 1, length))
        .values("_bucket")
        .annotate(**aggregates)
        .order_by()
    )
    for row in grouped:
        for i, name in enumerate(names):
            add(row["_bucket"], name, row[f"c_{i}"])
    if found:
        per_member = (
            Member.objects.filter(pk__in=list(found))
            .annotate(_began=Coalesce("probation_started_on", "admitted_on"))
            .values("pk", "_began", "official_on", "left_on")
            .annotate(**aggregates)
            .order_by()
        )
        for row in per_member:
            moved = found[row["pk"]]
            days = _event_days(row, start, end)
            for i, name in enumerate(names):
                if not row[f"c_{i}"]:
                    continue
                node = moved.node_on(days[name])
                if node is not None and node.startswith(path):
                    add(node[:length], name, row[f"c_{i}"])

    transfers = _transfers(org, start, end)
    for (from_key, to_key, outside), n in transfers.items():
        # Each child's boundary: a move between two children is out of one, into the other.
        if from_key == to_key:
            continue
        if to_key.startswith(path):
            add(to_key, "transferred_in", n)
        if from_key.startswith(path):
            add(from_key, "transferred_out", n)
            if outside:
                add(from_key, "transferred_out_of_system", n)

    admitted_by_child = facts.admission_breakdown_by_child(org, start, end)
    node_counts = sum_columns(counts, skip=TRANSFER_COLUMNS)
    for (from_key, to_key, outside), n in transfers.items():
        # The node's boundary: moves inside the subtree are no flow.
        inside_from, inside_to = from_key.startswith(path), to_key.startswith(path)
        if inside_to and not inside_from:
            node_counts["transferred_in"] += n
        if inside_from and not inside_to:
            node_counts["transferred_out"] += n
            if outside:
                node_counts["transferred_out_of_system"] += n
    figures = FlowFigures(
        org, dict(node_counts), admitted=facts.admission_breakdown(path, start, end)
    )
    children = per_child(
        org,
        lambda node, own: FlowFigures(
            node,
            dict(counts.get(node.path, {})),
            direct=own,
            admitted=admitted_by_child.get(node.path, {}),
        ),
        own=any(counts.get(org.path, {}).values())
        or any(admitted_by_child.get(org.path, {}).values()),
    )
    return Flows(org, start, end, figures, children)


def _moves_in_period(org: Organisation, start: date, end: date) -> Any:
    """Permanent transfers that take effect in the period and touch the subtree: received
    in it (in the system), or a letter out of the system issued in it (not cancelled)."""
    path = org.path
    return Transfer.objects.filter(
        Q(kind=TransferKind.PERMANENT)
        & (
            Q(
                state=TransferState.RECEIVED,
                to_organisation__isnull=False,
                received_on__gte=start,
                received_on__lte=end,
            )
            | (
                Q(to_organisation__isnull=True, issued_on__gte=start, issued_on__lte=end)
                & ~Q(state=TransferState.CANCELLED)
            )
        )
        & (Q(from_branch__path__startswith=path) | Q(to_path__startswith=path))
    )


def _transfers(org: Organisation, start: date, end: date) -> dict[tuple[str, str, bool], int]:
    """The period's transfers grouped by (the child they come from, the child they go to,
    out of the system): the child's path prefix, or some other prefix outside the subtree
    ("" for out of the system)."""
    length = bucket_length(org)
    rows = (
        _moves_in_period(org, start, end)
        .annotate(
            _from=Substr("from_branch__path", 1, length),
            _to=Substr("to_path", 1, length),
            _outside=ExpressionWrapper(
                Q(to_organisation__isnull=True), output_field=BooleanField()
            ),
        )
        .values("_from", "_to", "_outside")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(row["_from"], row["_to"] or "", bool(row["_outside"])): row["n"] for row in rows}
