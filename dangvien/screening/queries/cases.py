"""Reads of screening cases for the pages, the API and the to-do (02-HD/BTCTW 2021;
DOMAIN.md §5).

Scope: a case is seen by the users whose scope holds the branch that screened the member
(``org_path``); anything else answers 404.
"""

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Case, Count, DateField, Exists, F, OuterRef, Q, QuerySet, When
from django.db.models.functions import Coalesce

from dangvien.core.rules import rule
from dangvien.core.todo import Task
from dangvien.members.models import ACTIVE_STATUSES, Member, ProceedingKind, Status, Step
from dangvien.members.queries import _exempted_ids, official_members
from dangvien.organisations.models import Organisation
from dangvien.organisations.queries import in_scope
from dangvien.people.queries import search_filter
from dangvien.screening.models import OPEN_STATES, CaseChange, ScreeningCase, State

if TYPE_CHECKING:
    from dangvien.accounts.models import User

# The outcome states whose decision comes from a member proceeding decided on the member's
# page (removal, exit); expulsion is decided on the case itself.
PROCEEDING_OUTCOMES = {
    State.PROPOSED_REMOVAL: ProceedingKind.REMOVAL,
    State.EXIT_REQUESTED: ProceedingKind.EXIT,
}


def visible_cases(user: "User") -> QuerySet[ScreeningCase]:
    """Cases of the branches in the user's scope, newest ballot first."""
    return ScreeningCase.objects.filter(in_scope(user, "org_path")).select_related(
        "member__person", "member__branch", "branch", "helper__person", "proceeding"
    )


def filter_cases(
    rows: QuerySet[ScreeningCase],
    *,
    organisation: Organisation | None = None,
    state: str = "",
    year: int | None = None,
    q: str = "",
) -> QuerySet[ScreeningCase]:
    """Cases under ``organisation``, in ``state`` (a ``State`` value, or ``"open"`` for
    the cases still under way), balloted in ``year``, whose member's name matches ``q``
    (case and diacritics ignored)."""
    if organisation is not None:
        rows = rows.filter(org_path__startswith=organisation.path)
    if state == "open":
        rows = rows.filter(state__in=OPEN_STATES)
    elif state:
        rows = rows.filter(state=state)
    if year is not None:
        rows = rows.filter(ballot_on__year=year)
    if q.strip():
        rows = rows.filter(search_filter(q, via="member__person"))
    return rows


def state_counts(rows: QuerySet[ScreeningCase]) -> dict[str, int]:
    """How many of ``rows`` are in each state (every state present, 0 when none), in one
    query."""
    counts = dict(rows.order_by().values_list("state").annotate(n=Count("pk")))
    return {value: counts.get(value, 0) for value in State.values}


def case_history(case: ScreeningCase) -> list[CaseChange]:
    """Every move of the case, oldest first, with who made it."""
    return list(case.changes.select_related("by").order_by("on", "at", "id"))


def open_case_of(member: Member) -> ScreeningCase | None:
    """The member's case still under way, if any (at most one: a database constraint)."""
    return ScreeningCase.objects.filter(member=member, state__in=OPEN_STATES).first()


# ---- the secret ballot's base --------------------------------------------------------------


@dataclass(frozen=True)
class BallotBase:
    """Who counts in a chi bộ's secret ballot on screening a member, on a day (02-HD/BTCTW
    §1 [C]): the official members, minus the exempted ones whether present or not;
    probationary members never count."""

    on: date
    official: int
    exempted: int
    minimum: int  # official members a chi bộ needs to vote (Charter; branch.min_official_members)
    rule: list[Any]

    @property
    def denominator(self) -> int:
        return self.official - self.exempted

    @property
    def enough_members(self) -> bool:
        return self.official >= self.minimum

    @property
    def needed(self) -> int:
        """The fewest votes in favour that pass (0 when nobody counts)."""
        numerator, denominator, kind = self.rule
        if self.denominator <= 0:
            return 0
        if kind == "at_least":
            return -(-self.denominator * numerator // denominator)
        return self.denominator * numerator // denominator + 1


def ballot_base(branch: Organisation, on: date) -> BallotBase:
    """The denominator of the screening ballot in ``branch`` on ``on``, in one query."""
    exempted = Exists(_exempted_ids(on).filter(member=OuterRef("pk")))
    counts = (
        official_members(branch, on)
        .annotate(is_exempted=exempted)
        .aggregate(total=Count("pk"), exempted=Count("pk", filter=Q(is_exempted=True)))
    )
    return BallotBase(
        on=on,
        official=counts["total"],
        exempted=counts["exempted"],
        minimum=rule("branch.min_official_members", on=on, organisation=branch),
        rule=rule("vote.screening", on=on, organisation=branch),
    )


# ---- choices for the forms ---------------------------------------------------------------


def members_to_screen(branch: Organisation) -> QuerySet[Member]:
    """Active members of ``branch`` without a case under way, by name."""
    busy = ScreeningCase.objects.filter(member=OuterRef("pk"), state__in=OPEN_STATES)
    return (
        Member.objects.filter(branch=branch, status__in=ACTIVE_STATUSES)
        .exclude(Exists(busy))
        .select_related("person")
        .order_by("person__sort_key", "pk")
    )


def possible_helpers(case: ScreeningCase) -> QuerySet[Member]:
    """Official members of the member's branch who may help: not the member, not in a case
    under way themselves (the action checks the dates)."""
    busy = ScreeningCase.objects.filter(member=OuterRef("pk"), state__in=OPEN_STATES)
    return (
        Member.objects.filter(branch_id=case.member.branch_id, status=Status.OFFICIAL)
        .exclude(pk=case.member_id)
        .exclude(Exists(busy))
        .select_related("person")
        .order_by("person__sort_key", "pk")
    )


# ---- the to-do ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseDue:
    """A case waiting for the chi bộ or the committee: what is to do, since when."""

    case: ScreeningCase
    what: str
    due_on: date
    overdue: bool


def waiting_cases(rows: QuerySet[ScreeningCase], on: date) -> QuerySet[ScreeningCase]:
    """The cases of ``rows`` waiting for a step on ``on`` (see ``open_cases_due``),
    annotated with ``due_on`` and ordered by it, oldest first: one query, countable and
    sliceable whatever the scope."""
    active = Q(member__status__in=ACTIVE_STATUSES)
    return (
        rows.filter(
            Q(state=State.LISTED) & active
            | Q(state=State.HELPING, help_until__lte=on) & active
            | Q(state=State.PROPOSED_EXPULSION) & active
            | Q(state__in=list(PROCEEDING_OUTCOMES), proceeding__step=Step.DECIDED)
        )
        .annotate(
            due_on=Case(
                When(state=State.HELPING, then=F("help_until")),
                When(
                    state=State.PROPOSED_EXPULSION,
                    then=Coalesce(F("outcome_on"), F("ballot_on")),
                ),
                When(
                    state__in=list(PROCEEDING_OUTCOMES),
                    then=Coalesce(F("proceeding__decided_on"), F("ballot_on")),
                ),
                default=F("ballot_on"),
                output_field=DateField(),
            )
        )
        .select_related("member__person", "branch", "proceeding")
        .order_by("due_on", "pk")
    )


WAITING = {
    State.LISTED: "Phân công đảng viên giúp đỡ (rà soát, sàng lọc)",
    State.HELPING: "Hết thời gian giúp đỡ: chi bộ kết luận kết quả rà soát, sàng lọc",
    State.PROPOSED_EXPULSION: "Chi bộ đề nghị khai trừ: chờ cấp ủy quyết định",
}
COPY_DECISION = "Cấp ủy đã quyết định: ghi kết quả vào hồ sơ rà soát, sàng lọc"


def open_cases_due(
    rows: QuerySet[ScreeningCase], on: date, limit: int | None = None
) -> list[CaseDue]:
    """The cases of ``rows`` (e.g. ``visible_cases(user)``) waiting for a step on ``on``,
    oldest first (at most ``limit``), for the to-do:

    - listed without a helper: the chi bộ assigns one and sets the help period (02-HD/BTCTW
      §2 [C]);
    - help period ended (``help_until`` ≤ ``on``) without an outcome: the chi bộ concludes
      (improved, or removal / expulsion / exit proposed, 02-HD/BTCTW §3); overdue once
      the day after;
    - expulsion proposed: the committee decides (02-HD/BTCTW §4);
    - removal or exit proposed whose proceeding the committee has decided on the member's
      page: the decision is to be copied into the case.

    The chi bộ's steps are due only while the member is still in the party.
    """
    waiting = waiting_cases(rows, on)
    if limit is not None:
        waiting = waiting[:limit]
    return [
        CaseDue(
            case,
            WAITING.get(State(case.state), COPY_DECISION),
            case.due_on,  # type: ignore[attr-defined]
            case.state == State.HELPING and case.due_on < on,  # type: ignore[attr-defined]
        )
        for case in waiting
    ]


def tasks(user: "User", today: date) -> list[Task]:
    """The screening part of the home page's to-do list ("Việc cần làm"). Only the member's
    name and the branch are shown: the other relations ``visible_cases`` joins are left
    out, and PostgreSQL plans a join of five tables instead of eight, a third of the
    planning time (which was most of this query's cost; issue 9: CPU per request)."""
    rows = visible_cases(user).select_related(None)
    return [
        Task(
            due.what,
            "screening:case",
            due.case.pk,
            f"{due.case.member.person.full_name} – {due.case.branch.name}",
            due.due_on,
            overdue=due.overdue,
        )
        for due in open_cases_due(rows, today, limit=50)
    ]


# ---- who decides -------------------------------------------------------------------------


def case_decider(branch: Organisation, state: str) -> Organisation:
    """The committee whose decision closes a case proposed as ``state`` (02-HD/BTCTW §4;
    DOMAIN.md §2).

    - Expulsion: the committee competent to admit, as for the member page's expulsion
      record (296-QĐ/TW Art. 10 [R]; a chi bộ or a grassroots đảng ủy not authorised to
      admit may not expel), so the case cannot do what the member page forbids.
    - Removal and exit are decided on the member page by that same committee; the case
      only copies that decision, which the committee deciding the member's rating (or
      above) may record.
    """
    from dangvien.organisations.queries import admission_chain
    from dangvien.reviews.queries.access import member_rating_decider

    if state == State.PROPOSED_EXPULSION:
        return admission_chain(branch).decider
    return member_rating_decider(branch)


def may_decide(user: Any, case: ScreeningCase) -> bool:
    from dangvien.accounts.models import Capability
    from dangvien.accounts.queries import can

    return can(user, Capability.DECIDE, case_decider(case.branch, case.state).path)
