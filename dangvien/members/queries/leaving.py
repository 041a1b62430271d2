"""Reads of the leaving area: the evidence for a removal (xóa tên), the members who left,
the removal proceedings under way, and the area's deadlines (DOMAIN.md §3)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery

from dangvien.members.models import (
    Event,
    Member,
    MemberVote,
    Proceeding,
    ProceedingKind,
    RemovalTrigger,
    Status,
    StatusChange,
    Step,
)
from dangvien.organisations.models import Organisation

if TYPE_CHECKING:
    from dangvien.accounts.models import User

OPEN_STEPS = (Step.OPEN, Step.BRANCH_PROPOSED, Step.GRASSROOTS_ENDORSED)

# Who has left the list, and how (the page's and the API's ``kind``).
DEPARTED_STATUSES = (Status.REMOVED, Status.EXITED, Status.EXPELLED, Status.DECEASED)


# ---- the evidence for "3 months in a year" ----------------------------------------------


@dataclass(frozen=True)
class RemovalEvidence:
    """Months with a fault inside the window ``[window_start, window_end]``.

    ``missed_months``: months (their first day) with an unexcused absence from a regular
    branch meeting; ``unpaid_months``: months whose dues were not paid in full without a
    recorded reason. ``threshold`` is ``removal.missed_months`` (3 by default).
    """

    window_start: date
    window_end: date
    threshold: int
    missed_months: tuple[date, ...]
    unpaid_months: tuple[date, ...]

    @property
    def missed(self) -> int:
        return len(self.missed_months)

    @property
    def unpaid(self) -> int:
        return len(self.unpaid_months)

    @property
    def raises_removal(self) -> bool:
        """Whether either count reaches the threshold: a removal proposal is due."""
        return self.missed >= self.threshold or self.unpaid >= self.threshold

    def months_for(self, trigger: str) -> int:
        return self.missed if trigger == RemovalTrigger.MISSED_MEETINGS else self.unpaid


def removal_window(on: date, organisation: Organisation) -> tuple[date, date, int]:
    """The window "in a year" ending ``on``, and the threshold, in force for the branch.

    Charter Art. 8 counts "ba tháng trong năm"; whether that is the calendar year or the
    last 12 months is open ([U], ``removal.window_months``). We count the
    ``removal.window_months`` calendar months ending with the month of ``on`` (12 by
    default: from 1 December of the previous year when ``on`` is in November).
    """
    from dangvien.members.queries.meetings import removal_window as window

    start, threshold = window(on, organisation)
    return start, on, threshold


def removal_evidence_for(members: Iterable[Member], on: date) -> dict[int, RemovalEvidence]:
    """``removal_evidence`` for many members at once, keyed by member id (two aggregate
    queries plus one rule look-up per branch).

    The months are counted by ``queries.meetings.missed_months``, the one place that
    counts them, so the secretary's to-do (``queries.meetings.removal_candidates``) and
    the check on the chi bộ's proposal agree."""
    from dangvien.members.queries.meetings import missed_months

    members = list(members)
    if not members:
        return {}
    windows: dict[int, tuple[date, date, int]] = {}
    for member in members:
        if member.branch_id not in windows:
            windows[member.branch_id] = removal_window(on, member.branch)
    earliest = min(start for start, _end, _n in windows.values())
    found = missed_months([m.pk for m in members], earliest, on)
    answer = {}
    for member in members:
        start, end, threshold = windows[member.branch_id]
        months = found[member.pk]
        answer[member.pk] = RemovalEvidence(
            window_start=start,
            window_end=end,
            threshold=threshold,
            missed_months=tuple(sorted({m for m in months["meetings"] if m >= start})),
            unpaid_months=tuple(sorted({m for m in months["dues"] if m >= start})),
        )
    return answer


def removal_evidence(member: Member, on: date) -> RemovalEvidence:
    """How many months in the window ending ``on`` the member missed a regular branch
    meeting without good reason, and how many months of dues are unpaid without reason.

    Three months in a year of either raises removal (xóa tên): Charter Art. 8;
    24/294-QĐ/TW §8.1; 01-QĐ/TW 2026 for dues. The months come from the Attendance rows of
    regular meetings (absent, not excused; exempted members and those away are written as
    excused, Charter Art. 7) and the DuesPayment rows (something due, nothing paid, no
    reason), as ``queries.meetings.missed_months`` counts them. The window and threshold
    are ``removal_window``.

    Example: ``removal_evidence(member, date.today()).raises_removal``.
    """
    return removal_evidence_for([member], on)[member.pk]


# ---- lists ------------------------------------------------------------------------------


def _decision_note() -> Subquery:
    """The timeline note of the change into the member's present status (it names the
    decision: number, date, body)."""
    change = StatusChange.objects.filter(
        member=OuterRef("pk"), what=Event.STATUS, to_status=OuterRef("status")
    ).order_by("-on", "-at", "-id")
    return Subquery(change.values("note")[:1])


def departures(
    rows: QuerySet[Member],
    *,
    year: int | None = None,
    kind: str = "",
    organisation: Organisation | None = None,
) -> QuerySet[Member]:
    """Members who left the list (removed, exited, expelled, deceased: DOMAIN.md §3),
    latest first, with ``decision_note`` annotated. ``rows`` is the user's scope
    (``visible_members``)."""
    rows = rows.filter(status__in=[kind] if kind else DEPARTED_STATUSES)
    if year is not None:
        rows = rows.filter(left_on__year=year)
    if organisation is not None:
        rows = rows.filter(org_path__startswith=organisation.path)
    return rows.annotate(decision_note=_decision_note()).order_by("-left_on", "-pk")


def departure_counts(rows: QuerySet[Member], *, year: int | None = None) -> dict[str, int]:
    """How many left, by kind, in one query (for the page's summary)."""
    rows = rows.filter(status__in=DEPARTED_STATUSES)
    if year is not None:
        rows = rows.filter(left_on__year=year)
    counts = rows.aggregate(**{str(s): Count("pk", filter=Q(status=s)) for s in DEPARTED_STATUSES})
    return {str(s): counts[str(s)] for s in DEPARTED_STATUSES}


def open_proceedings(
    user: "User",
    *,
    kinds: tuple[str, ...] = (ProceedingKind.REMOVAL, ProceedingKind.EXIT),
    organisation: Organisation | None = None,
) -> QuerySet[Proceeding]:
    """Removal and exit proceedings under way in the user's scope, oldest first, with the
    member, branch and votes (``vote_list``) fetched in a fixed number of queries."""
    from dangvien.members.queries import visible_members

    members = visible_members(user)
    if organisation is not None:
        members = members.filter(org_path__startswith=organisation.path)
    return (
        Proceeding.objects.filter(
            kind__in=kinds, step__in=OPEN_STEPS, member__in=members.values("pk")
        )
        .select_related("member__person", "member__branch")
        .prefetch_related(
            Prefetch(
                "votes",
                queryset=MemberVote.objects.order_by("held_on", "id"),
                to_attr="vote_list",
            )
        )
        .order_by("opened_on", "pk")
    )


def member_proceedings(member: Member) -> list[Proceeding]:
    """The member's removal and exit proceedings, latest first, with their votes (``vote_list``)."""
    return list(
        Proceeding.objects.filter(
            member=member, kind__in=(ProceedingKind.REMOVAL, ProceedingKind.EXIT)
        )
        .prefetch_related(
            Prefetch(
                "votes",
                queryset=MemberVote.objects.select_related("organisation").order_by(
                    "held_on", "id"
                ),
                to_attr="vote_list",
            )
        )
        .order_by("-opened_on", "-pk")
    )


def open_leaving_steps(member: Member) -> dict[str, dict[str, Any]]:
    """The member's open removal and exit proceedings in one query, for the moves'
    conditions: ``{kind: {"step", "self_reviewed_on", "votes"}}`` (``votes``: how many
    votes are on record)."""
    rows = (
        Proceeding.objects.filter(
            member=member,
            kind__in=(ProceedingKind.REMOVAL, ProceedingKind.EXIT),
            step__in=OPEN_STEPS,
        )
        .annotate(vote_count=Count("votes"))
        .values("kind", "step", "self_reviewed_on", "vote_count")
    )
    return {
        r["kind"]: {
            "step": r["step"],
            "self_reviewed_on": r["self_reviewed_on"],
            "votes": r["vote_count"],
        }
        for r in rows
    }


# ---- deadlines --------------------------------------------------------------------------


def deadlines(member: Member, today: date) -> list[dict[str, Any]]:
    """The committee's removal decision (``deadline.removal_decision_working_days`` after
    the chi bộ's resolution; HD 01-HD/TW §11.1b) while a removal is open, and the end of
    the complaint window after a removal (``removal.complaint_working_days``, HD 01-HD/TW
    §11.1c [U]) while it runs."""
    if member.status not in (Status.PROBATIONARY, Status.OFFICIAL, Status.REMOVED):
        return []
    rows = Proceeding.objects.filter(member=member, kind=ProceedingKind.REMOVAL).filter(
        Q(step__in=OPEN_STEPS, decision_due_on__isnull=False)
        | Q(step=Step.DECIDED, outcome=True, complaint_until__gte=today)
    )
    answer = []
    for proceeding in rows:
        if proceeding.is_open and proceeding.decision_due_on:
            due = proceeding.decision_due_on
            answer.append(
                {"what": "Cấp ủy quyết định xóa tên", "due_on": due, "overdue": due < today}
            )
        elif proceeding.complaint_until and member.status == Status.REMOVED:
            answer.append(
                {
                    "what": "Hết hạn khiếu nại quyết định xóa tên",
                    "due_on": proceeding.complaint_until,
                    "overdue": False,
                }
            )
    return answer
