"""Reads of the probation area: the mentor, the periodic reports and which are overdue,
the recognition proceeding, the list of members due for recognition and the monthly
progress report to the superior committee (DOMAIN.md §3; 294-QĐ/TW §4.2).

Lists take a queryset already narrowed to the user's scope (``visible_members``) and
fetch what each row shows with ``prefetch_related``: no query per row.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from dangvien.core.dates import add_months, full_months_between, month_end, month_start
from dangvien.core.models import RuleParameter
from dangvien.core.rules import DEFAULTS, rule
from dangvien.members.actions.base import recognition_vote_due
from dangvien.members.models import (
    PROBATION_MONTHS,
    Member,
    Mentorship,
    ProbationReport,
    Proceeding,
    ProceedingKind,
    ReportKind,
    Status,
    Step,
)

INTERVAL_KEY = "probation.report_interval_months"
OPEN_STEPS = (Step.OPEN, Step.BRANCH_PROPOSED, Step.GRASSROOTS_ENDORSED)
PROPOSED_STEPS = (Step.BRANCH_PROPOSED, Step.GRASSROOTS_ENDORSED)


# ---- months and report periods -----------------------------------------------------------


def report_interval(member: Member) -> int:
    """Months per report period: monthly unless the province sets otherwise (seed 000;
    rule ``probation.report_interval_months``), as in force at the ceremony."""
    on = member.probation_started_on or date.today()
    return max(int(rule(INTERVAL_KEY, on=on, organisation=member.branch)), 1)


class IntervalRule:
    """``probation.report_interval_months`` for many members with one query: the same
    precedence as ``core.rules.rule`` (the most specific organisation, then the latest
    date), resolved in memory for list pages."""

    def __init__(self) -> None:
        self.versions = list(
            RuleParameter.objects.filter(key=INTERVAL_KEY).select_related("organisation")
        )

    def __call__(self, member: Member) -> int:
        on = member.probation_started_on or date.today()
        ancestors = set(member.branch.ancestor_ids(include_self=True))
        best: tuple[tuple[int, date], Any] | None = None
        for version in self.versions:
            if version.effective_from > on:
                continue
            if version.organisation is None:
                depth = -1
            elif version.organisation_id in ancestors:
                depth = version.organisation.depth
            else:
                continue
            rank = (depth, version.effective_from)
            if best is None or rank > best[0]:
                best = (rank, version.value)
        value = DEFAULTS[INTERVAL_KEY].on(on) if best is None else best[1]
        return max(int(value), 1)


def period_of(member: Member, day: date, interval: int) -> date:
    """The first day of the report period containing ``day``: periods run from the
    ceremony's month, ``interval`` months each."""
    assert member.probation_started_on is not None
    first = month_start(member.probation_started_on)
    months = (day.year - first.year) * 12 + (day.month - first.month)
    return add_months(first, (months // interval) * interval)


def last_period(member: Member, interval: int) -> date:
    """The first day of the last report period: 12 months of reports from the ceremony's
    month (12 monthly reports by default), the last period possibly shorter."""
    assert member.probation_started_on is not None
    count = -(-PROBATION_MONTHS // interval)  # ceil
    return add_months(month_start(member.probation_started_on), (count - 1) * interval)


def period_label(period: date, interval: int) -> str:
    if interval == 1:
        return f"{period:%m/%Y}"
    last = add_months(period, interval - 1)
    return f"{period:%m/%Y}–{last:%m/%Y}"


@dataclass
class ReportRow:
    """One report period of a probationary member and what was filed for it.

    A period is followed once a mentor is assigned (the ceremony assigns one); its report
    is due by the period's last day, overdue after it (seed 000)."""

    period: date
    label: str
    due_on: date
    followed: bool
    mentor_report: ProbationReport | None
    self_review: ProbationReport | None
    today: date

    @property
    def past(self) -> bool:
        return self.due_on < self.today

    @property
    def mentor_overdue(self) -> bool:
        return self.followed and self.past and self.mentor_report is None

    @property
    def self_overdue(self) -> bool:
        return self.followed and self.past and self.self_review is None


def report_rows(
    member: Member,
    today: date,
    *,
    interval: int | None = None,
    reports: Iterable[ProbationReport] | None = None,
    mentorships: Iterable[Mentorship] | None = None,
) -> list[ReportRow]:
    """The member's report periods begun by ``today``: 12 months of them from the
    ceremony's month (``last_period``). Pass ``reports``/``mentorships`` (prefetched) in
    lists; otherwise they are read."""
    start, ends = member.probation_started_on, member.probation_ends_on
    if start is None or ends is None:
        return []
    interval = interval or report_interval(member)
    reports = list(member.reports.all() if reports is None else reports)
    mentorships = list(member.mentorships.all() if mentorships is None else mentorships)
    followed_from = min((m.from_on for m in mentorships), default=None)
    filed = {(r.kind, r.period): r for r in reports}
    rows: list[ReportRow] = []
    period = month_start(start)
    last = last_period(member, interval)
    while period <= last and period <= today:
        due = add_months(period, interval) - timedelta(days=1)
        rows.append(
            ReportRow(
                period=period,
                label=period_label(period, interval),
                due_on=due,
                followed=followed_from is not None and due >= followed_from,
                mentor_report=filed.get((ReportKind.MENTOR, period)),
                self_review=filed.get((ReportKind.SELF, period)),
                today=today,
            )
        )
        period = add_months(period, interval)
    return rows


def overdue_reports(rows: list[ReportRow]) -> dict[str, list[ReportRow]]:
    return {
        ReportKind.MENTOR: [r for r in rows if r.mentor_overdue],
        ReportKind.SELF: [r for r in rows if r.self_overdue],
    }


# ---- mentor --------------------------------------------------------------------------------


def mentor_choices(member: Member) -> QuerySet[Member]:
    """Who may mentor: official members of the member's own branch, not the member
    (seed practice; 12-HD/BTCTW 2022 [R])."""
    return (
        Member.objects.filter(branch_id=member.branch_id, status=Status.OFFICIAL)
        .exclude(pk=member.pk)
        .select_related("person")
        .order_by("person__sort_key", "pk")
    )


def mentor_history(member: Member) -> list[Mentorship]:
    return list(member.mentorships.select_related("mentor__person", "by").order_by("from_on", "pk"))


def current_mentorship(mentorships: Iterable[Mentorship]) -> Mentorship | None:
    return next((m for m in mentorships if m.until_on is None), None)


def mentor_in(mentorships: Iterable[Mentorship], first: date, last: date) -> Mentorship | None:
    """The mentor during ``first``..``last``: the latest assignment covering the period."""
    covering = [
        m for m in mentorships if m.from_on <= last and (m.until_on is None or m.until_on >= first)
    ]
    return max(covering, key=lambda m: (m.from_on, m.pk), default=None)


# ---- recognition ---------------------------------------------------------------------------


def open_recognition(member: Member) -> Proceeding | None:
    """The member's open recognition proceeding (None if none): uses the prefetched
    ``open_recognition`` list when there is one."""
    prefetched = getattr(member, "open_recognition", None)
    if prefetched is not None:
        return prefetched[0] if prefetched else None
    return Proceeding.objects.filter(
        member=member, kind=ProceedingKind.RECOGNITION, step__in=OPEN_STEPS
    ).first()


def recognition_proceedings(member: Member) -> list[Proceeding]:
    return list(
        Proceeding.objects.filter(member=member, kind=ProceedingKind.RECOGNITION)
        .prefetch_related("votes__organisation")
        .order_by("opened_on", "pk")
    )


def vote_due_on(member: Member) -> date | None:
    """Hạn chi bộ xét: 30 working days after the 12 months end (294-QĐ/TW §4.2). Stored at
    the ceremony; computed for records made otherwise."""
    if member.recognition_vote_due_on is not None:
        return member.recognition_vote_due_on
    if member.probation_started_on is None:
        return None
    return recognition_vote_due(member.probation_started_on, member.branch)


def _open_recognition_prefetch() -> Prefetch:
    return Prefetch(
        "proceedings",
        queryset=Proceeding.objects.filter(
            kind=ProceedingKind.RECOGNITION, step__in=OPEN_STEPS
        ).prefetch_related("votes"),
        to_attr="open_recognition",
    )


def step_label(proceeding: Proceeding | None) -> str:
    if proceeding is None:
        return "Chưa xét"
    label = str(Step(proceeding.step).label)
    failed = [v for v in proceeding.votes.all() if v.body == "branch" and not v.passed]
    if proceeding.step == Step.OPEN and failed:
        return f"Chi bộ biểu quyết chưa đạt ({len(failed)} lần)"
    return label


@dataclass
class DueRow:
    member: Member
    ends_on: date
    vote_due_on: date
    proceeding: Proceeding | None
    step: str
    next_what: str
    next_due_on: date
    days_left: int

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def days_over(self) -> int:
        return -self.days_left


def due_row(member: Member, today: date) -> DueRow:
    ends = member.probation_ends_on
    vote_due = vote_due_on(member)
    assert ends is not None and vote_due is not None
    proceeding = open_recognition(member)
    if proceeding is not None and proceeding.step in PROPOSED_STEPS and proceeding.decision_due_on:
        what, due = "Cấp ủy quyết định", proceeding.decision_due_on
    else:
        what, due = "Chi bộ xét", vote_due
    return DueRow(
        member=member,
        ends_on=ends,
        vote_due_on=vote_due,
        proceeding=proceeding,
        step=step_label(proceeding),
        next_what=what,
        next_due_on=due,
        days_left=(due - today).days,
    )


def recognition_due(
    rows: QuerySet[Member], today: date, within_days: int | None = None
) -> QuerySet[Member]:
    """Đảng viên dự bị sắp đến hạn công nhận: probationary members whose chi bộ vote is
    due within ``within_days`` (overdue ones included; None: all), soonest first, with
    their open recognition proceeding prefetched (``due_row`` builds each line)."""
    rows = rows.filter(status=Status.PROBATIONARY, probation_started_on__isnull=False)
    if within_days is not None:
        limit = today + timedelta(days=within_days)
        rows = rows.filter(
            Q(recognition_vote_due_on__lte=limit)
            | Q(
                recognition_vote_due_on__isnull=True,
                probation_started_on__lte=add_months(limit, -PROBATION_MONTHS),
            )
        )
    return (
        rows.select_related("person", "branch")
        .prefetch_related(_open_recognition_prefetch())
        .order_by("probation_started_on", "person__sort_key", "pk")
    )


# ---- the monthly progress report ----------------------------------------------------------


def probationary_in_month(rows: QuerySet[Member], month: date) -> QuerySet[Member]:
    """Members on probation during ``month``: the ceremony held by its end, and still
    probationary, or recognised with an official date in or after it, or whose party life
    ended during or after it before recognition."""
    first, last = month_start(month), month_end(month)
    return (
        rows.select_related("person", "branch")
        .filter(probation_started_on__isnull=False, probation_started_on__lte=last)
        .filter(
            Q(status=Status.PROBATIONARY)
            | Q(status=Status.OFFICIAL, official_on__gte=first)
            | Q(official_on__isnull=True, left_on__gte=first)
        )
        .prefetch_related(
            Prefetch(
                "mentorships",
                queryset=Mentorship.objects.select_related("mentor__person"),
            ),
            "reports",
            _open_recognition_prefetch(),
        )
        .order_by("branch__sort_key", "person__sort_key", "pk")
    )


@dataclass
class MonthRow:
    member: Member
    mentor: Member | None
    period_label: str
    mentor_report: ProbationReport | None
    self_review: ProbationReport | None
    months_done: int
    ends_on: date
    vote_due_on: date | None
    step: str

    @property
    def course(self) -> str:
        m = self.member
        if not m.new_member_course_no:
            return ""
        on = f", {m.new_member_course_on:%d/%m/%Y}" if m.new_member_course_on else ""
        return f"Số {m.new_member_course_no}{on}"


def month_rows(members: Iterable[Member], month: date, today: date) -> list[MonthRow]:
    """Each member's line in the report for ``month``: the mentor then, the report and
    self-review of the period containing the month (or none: "chưa nộp"), the course,
    the months of probation done by the month's end (of 12) and the vote due date."""
    interval = IntervalRule()
    first, last = month_start(month), month_end(month)
    out: list[MonthRow] = []
    for member in members:
        assert member.probation_started_on is not None and member.probation_ends_on is not None
        every = interval(member)
        period = period_of(member, first, every)
        mentorships = list(member.mentorships.all())
        mentorship = mentor_in(mentorships, first, last)
        filed = {(r.kind, r.period): r for r in member.reports.all()}
        until = min(last, today, member.probation_ends_on)
        done = max(
            0, min(PROBATION_MONTHS, full_months_between(member.probation_started_on, until))
        )
        out.append(
            MonthRow(
                member=member,
                mentor=mentorship.mentor if mentorship else None,
                period_label=period_label(period, every),
                mentor_report=filed.get((ReportKind.MENTOR, period)),
                self_review=filed.get((ReportKind.SELF, period)),
                months_done=done,
                ends_on=member.probation_ends_on,
                vote_due_on=vote_due_on(member),
                step=step_label(open_recognition(member))
                if member.status == Status.PROBATIONARY
                else str(Status(member.status).label),
            )
        )
    return out


# ---- deadlines -------------------------------------------------------------------------


def deadlines(member: Member, today: date) -> list[dict[str, Any]]:
    """The probation deadlines of a probationary member:

    - the chi bộ considers recognition within 30 working days after the 12 months end
      (294-QĐ/TW §4.2), until it has proposed;
    - then the committee decides within 30 working days of the chi bộ resolution,
      extendable once by 30 (QĐ 29 §4.3.1);
    - the periodic reports of the mentor and the member's self-reviews (seed 000), one
      line per kind for the periods gone by without one.
    """
    if member.status != Status.PROBATIONARY or member.probation_started_on is None:
        return []
    rows: list[dict[str, Any]] = []
    proceeding = open_recognition(member)
    if proceeding is None or proceeding.step == Step.OPEN:
        due = vote_due_on(member)
        assert due is not None
        rows.append(
            {
                "what": "Chi bộ xét công nhận đảng viên chính thức",
                "due_on": due,
                "overdue": due < today,
            }
        )
    elif proceeding.step in PROPOSED_STEPS and proceeding.decision_due_on:
        due = proceeding.decision_due_on
        rows.append(
            {
                "what": "Cấp ủy quyết định công nhận đảng viên chính thức"
                + (" (đã gia hạn)" if proceeding.extended else ""),
                "due_on": due,
                "overdue": due < today,
            }
        )
    missing = overdue_reports(report_rows(member, today))
    names: dict[str, str] = {
        ReportKind.MENTOR: "Nhận xét của đảng viên giúp đỡ",
        ReportKind.SELF: "Bản tự kiểm điểm của đảng viên dự bị",
    }
    for kind, late in missing.items():
        if late:
            periods = ", ".join(r.label for r in late)
            rows.append(
                {
                    "what": f"{names[kind]} chưa nộp: {len(late)} kỳ ({periods})",
                    "due_on": late[0].due_on,
                    "overdue": True,
                }
            )
    return rows
