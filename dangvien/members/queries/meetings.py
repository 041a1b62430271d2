"""Reads of the meetings area: branch meetings and resolution study (Charter Art. 24),
dues under Quy định 01-QĐ/TW 3/2/2026 (DOMAIN.md §7), and the removal grounds they feed
(Charter Art. 8: “bỏ sinh hoạt đảng hoặc không đóng đảng phí 3 tháng trong năm mà không
có lý do chính đáng”).

Months are ``date`` values on the first day of the month throughout.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth

from dangvien.core.dates import add_months, month_end, month_start
from dangvien.core.rules import DEFAULTS, rule
from dangvien.members.models import (
    ACTIVE_STATUSES,
    Attendance,
    DuesAccount,
    DuesBasis,
    DuesPayment,
    DuesRelief,
    Exemption,
    Meeting,
    MeetingKind,
    Member,
    Proceeding,
    ProceedingKind,
    ReliefKind,
    Transfer,
    TransferKind,
    TransferState,
)
from dangvien.members.queries import open_transfers, temporarily_away_ids
from dangvien.organisations.models import MEMBER_HOLDING, Organisation
from dangvien.organisations.queries import child_bucket, children

if TYPE_CHECKING:
    from dangvien.accounts.models import User

# What the attendance grid writes for members it need not ask about.
AWAY_REASON = "Sinh hoạt tạm thời ở tổ chức đảng khác"
EXEMPT_REASON = "Được miễn công tác và sinh hoạt đảng"


# ---- months ------------------------------------------------------------------------------


def month_text(month: date) -> str:
    """3/2026 as Vietnamese reports write a month: 03/2026."""
    return f"{month:%m/%Y}"


def months_between(first: date, last: date) -> int:
    """How many months from ``first``'s month to ``last``'s month, both counted."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def percent_of(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in percent, one decimal, half up (92.5); None when nothing is
    expected. Pages show it with a comma (“92,5%”) through the ``so`` filter."""
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


# ---- who is expected at a branch meeting -------------------------------------------------


def expected_members(branch: Organisation, on: date) -> QuerySet[Member]:
    """Members who owe attendance at ``branch``'s meeting on ``on``: its active members
    who had joined by then (probationary members included: Charter Art. 5–6), with
    ``away`` (on temporary transfer out, so attending elsewhere: 294-QĐ/TW §6.3.2) and
    ``exempted`` (exempted from meetings: Charter Art. 7) annotated."""
    away = Exists(temporarily_away_ids(on).filter(member=OuterRef("pk")))
    exempted = Exists(
        Exemption.objects.filter(member=OuterRef("pk"), from_on__lte=on).filter(
            Q(until_on__isnull=True) | Q(until_on__gte=on)
        )
    )
    return (
        Member.objects.filter(branch=branch, status__in=ACTIVE_STATUSES)
        .filter(Q(probation_started_on__isnull=True) | Q(probation_started_on__lte=on))
        .annotate(away=away, exempted=exempted)
        .select_related("person")
        .order_by("person__sort_key", "pk")
    )


def guest_members(branch: Organisation, on: date) -> QuerySet[Member]:
    """Members of other branches on a temporary stay here on ``on``: they attend the host's
    meetings but are not in its headcount (294-QĐ/TW §6.3.2); their rows are optional."""
    stays = Transfer.objects.filter(
        member=OuterRef("pk"),
        kind=TransferKind.TEMPORARY,
        to_organisation=branch,
        received_on__lte=on,
    ).exclude(state=TransferState.CANCELLED)
    stays = stays.filter(Q(returned_on__isnull=True) | Q(returned_on__gt=on))
    return (
        Member.objects.filter(Exists(stays), status__in=ACTIVE_STATUSES)
        .exclude(branch=branch)
        .select_related("person", "branch")
        .order_by("person__sort_key", "pk")
    )


# ---- meetings ----------------------------------------------------------------------------


def visible_meetings(user: "User") -> QuerySet[Meeting]:
    """Meetings of the organisations in the user's scope, with their attendance counts."""
    from dangvien.organisations.queries import in_scope

    return (
        Meeting.objects.filter(in_scope(user, "org_path"))
        .select_related("organisation")
        .annotate(
            rows=Count("attendance"),
            attended=Count("attendance", filter=Q(attendance__present=True)),
            absent_unexcused=Count(
                "attendance",
                filter=Q(attendance__present=False, attendance__excused=False),
            ),
        )
        .order_by("-held_on", "-pk")
    )


def filter_meetings(
    rows: QuerySet[Meeting],
    *,
    organisation: Organisation | None = None,
    month: date | None = None,
    kind: str = "",
) -> QuerySet[Meeting]:
    if organisation is not None:
        rows = rows.filter(org_path__startswith=organisation.path)
    if month is not None:
        rows = rows.filter(held_on__gte=month_start(month), held_on__lte=month_end(month))
    if kind:
        rows = rows.filter(kind=kind)
    return rows


def attendance_of(meeting: Meeting) -> QuerySet[Attendance]:
    return meeting.attendance.select_related("member__person", "member__branch").order_by(
        "member__person__sort_key", "member__pk"
    )


def regular_meeting_in(branch: Organisation, month: date) -> Meeting | None:
    """The branch's regular meeting of ``month``, if recorded (one a month: Charter Art. 24)."""
    return Meeting.objects.filter(
        organisation=branch,
        kind=MeetingKind.REGULAR,
        held_on__gte=month_start(month),
        held_on__lte=month_end(month),
    ).first()


# ---- resolution study: participation rate -----------------------------------------------


@dataclass
class StudyRow:
    organisation: Organisation
    expected: int
    attended: int
    percent: Decimal | None
    target: int

    @property
    def below_target(self) -> bool:
        return self.percent is not None and self.percent < self.target


def _study_rows(
    organisation: Organisation, since: date | None, until: date | None, topic: str
) -> QuerySet[Attendance]:
    rows = Attendance.objects.filter(
        meeting__kind=MeetingKind.STUDY, meeting__org_path__startswith=organisation.path
    )
    if since is not None:
        rows = rows.filter(meeting__held_on__gte=since)
    if until is not None:
        rows = rows.filter(meeting__held_on__lte=until)
    if topic:
        rows = rows.filter(meeting__topic__icontains=topic)
    return rows


def study_participation(
    organisation: Organisation,
    *,
    since: date | None = None,
    until: date | None = None,
    topic: str = "",
    on: date,
) -> tuple[list[StudyRow], StudyRow]:
    """Participation in resolution study (học tập nghị quyết) under each child of
    ``organisation`` and in total, over sessions held ``since``..``until`` whose topic
    contains ``topic``; one aggregate query.

    Expected: one per member and session, less members on temporary transfer out at
    their home branch's session (they study at the host, 294-QĐ/TW §6.3.2) and exempted
    members who stayed away (Charter Art. 7); an exempted member who attends counts, as
    in vote denominators (DOMAIN.md §2). Each session counts: a member at 1 of 2 sessions
    counts 1 of 2 [U: the seed's “trên 90%” does not say whether members or attendances
    are counted]. Target: rule ``study.participation_target_percent`` (seed 004).
    """
    target = int(rule("study.participation_target_percent", on=on, organisation=organisation))
    held_on = OuterRef("meeting__held_on")
    away = Exists(
        Transfer.objects.filter(
            member=OuterRef("member"), kind=TransferKind.TEMPORARY, issued_on__lte=held_on
        )
        .exclude(state=TransferState.CANCELLED)
        .filter(Q(returned_on__isnull=True) | Q(returned_on__gt=held_on))
    )
    exempted = Exists(
        Exemption.objects.filter(member=OuterRef("member"), from_on__lte=held_on).filter(
            Q(until_on__isnull=True) | Q(until_on__gte=held_on)
        )
    )
    under, bucket = child_bucket(organisation, "meeting__org_path")
    not_expected = Q(present=False) & (
        Q(is_away=True, member__branch_id=F("meeting__organisation_id")) | Q(is_exempted=True)
    )
    counts = (
        _study_rows(organisation, since, until, topic)
        .filter(under)
        .annotate(child=bucket, is_away=away, is_exempted=exempted)
        .values("child")
        .annotate(
            rows=Count("pk"),
            attended=Count("pk", filter=Q(present=True)),
            skipped=Count("pk", filter=not_expected),
        )
    )
    by_path = {c["child"]: c for c in counts}

    def row(org: Organisation, found: list[dict[str, Any]]) -> StudyRow:
        expected = sum(c["rows"] - c["skipped"] for c in found)
        attended = sum(c["attended"] for c in found)
        return StudyRow(org, expected, attended, percent_of(attended, expected), target)

    rows = [
        row(child, [by_path[child.path]] if child.path in by_path else [])
        for child in children(organisation)
    ]
    total = row(organisation, list(by_path.values()))
    return rows, total


def study_sessions(
    organisation: Organisation, *, since: date | None, until: date | None, topic: str
) -> QuerySet[Meeting]:
    rows = Meeting.objects.filter(kind=MeetingKind.STUDY, org_path__startswith=organisation.path)
    if since is not None:
        rows = rows.filter(held_on__gte=since)
    if until is not None:
        rows = rows.filter(held_on__lte=until)
    if topic:
        rows = rows.filter(topic__icontains=topic)
    return rows.select_related("organisation").annotate(
        rows=Count("attendance"),
        attended=Count("attendance", filter=Q(attendance__present=True)),
    )


# ---- dues (01-QĐ/TW 2026) ---------------------------------------------------------------

RATE_KEYS = {
    DuesBasis.INSURED_SALARY: "dues.insured_rate_bp",
    DuesBasis.INSURANCE_BENEFIT: "dues.insured_rate_bp",
    DuesBasis.PENSION: "dues.pension_rate_bp",
    DuesBasis.OTHER_WORKING_AGE: "dues.other_working_age_rate_bp",
    DuesBasis.OTHER_RETIRED_AGE: "dues.other_retired_age_rate_bp",
}
# Bases computed on the member's own income; the others need no amount.
INCOME_BASES = (DuesBasis.INSURED_SALARY, DuesBasis.INSURANCE_BENEFIT, DuesBasis.PENSION)
DUES_KEYS = (
    *sorted(set(RATE_KEYS.values())),
    "dues.student_amount",
    "dues.regional_minimum_wage",
    "dues.rounding_unit",
    "dues.exempt_party_age_years",
)


@dataclass(frozen=True)
class DuesRates:
    """The dues rule values in force for one month and organisation.

    ``load_many`` reads every version of the dues rules for the organisation's branch of
    the tree in one query and resolves each month as ``core.rules.rule`` does (the most
    specific organisation, then the latest date; the regulation's default otherwise), so
    a grid or a year of months costs one query, not one per rule and month.
    """

    values: dict[str, int]

    @classmethod
    def load(cls, month: date, organisation: Organisation | None) -> "DuesRates":
        return cls.load_many([month], organisation)[month_start(month)]

    @classmethod
    def load_many(
        cls, months: Iterable[date], organisation: Organisation | None
    ) -> dict[date, "DuesRates"]:
        from dangvien.core.models import RuleParameter

        days = sorted({month_start(m) for m in months})
        if not days:
            return {}
        versions = RuleParameter.objects.filter(key__in=DUES_KEYS, effective_from__lte=days[-1])
        if organisation is None:
            versions = versions.filter(organisation__isnull=True)
        else:
            versions = versions.filter(
                Q(organisation__isnull=True)
                | Q(organisation_id__in=[*organisation.ancestor_ids(include_self=True)])
            )
        found = [
            (v.key, v.effective_from, v.organisation.depth if v.organisation else -1, v.value)
            for v in versions.select_related("organisation")
        ]
        answer = {}
        for day in days:
            values = {}
            for key in DUES_KEYS:
                best = max(
                    (
                        (depth, since, value)
                        for k, since, depth, value in found
                        if k == key and since <= day
                    ),
                    key=lambda t: (t[0], t[1]),
                    default=None,
                )
                values[key] = int(DEFAULTS[key].on(day) if best is None else best[2])
            answer[day] = cls(values)
        return answer

    def __getitem__(self, key: str) -> int:
        return self.values[key]


def round_dues(amount_times_10000: int, unit: int) -> int:
    """An amount given in ten-thousandths of a đồng, rounded half up to ``unit`` đồng.

    Rounding to the nearest 1,000 đ is rule ``dues.rounding_unit`` [R: local practice;
    DOMAIN.md §7 does not say]; 0 or 1 keeps whole đồng.
    """
    step = 10000 * max(unit, 1)
    whole, rest = divmod(amount_times_10000, step)
    if 2 * rest >= step:
        whole += 1
    return whole * max(unit, 1)


def dues_due(
    basis: str,
    base_amount: int,
    month: date,
    organisation: Organisation | None,
    *,
    rates: DuesRates | None = None,
) -> int:
    """The monthly dues (đồng) before any relief (Quy định 01-QĐ/TW 3/2/2026, DOMAIN.md §7).

    - in social insurance: 1% of last month's insured salary, or of the sick or maternity
      benefit while on leave (``dues.insured_rate_bp``);
    - pensioners outside social insurance: 0.5% of the pension (``dues.pension_rate_bp``);
    - pupils and students: 5,000 đ a month (``dues.student_amount``), not rounded;
    - others: a share of the regional minimum wage where they live
      (``dues.regional_minimum_wage``): below retirement age 0.3% in 2026–2027, 0.5%
      from 1/1/2028; at or above it 0.2%, then 0.3% (dated versions of
      ``dues.other_working_age_rate_bp`` / ``dues.other_retired_age_rate_bp``).

    Rates are in basis points (100 = 1%) and read for ``month`` and ``organisation`` (a
    province may set its own versions); pass ``rates`` to reuse one reading for a grid.
    The result is rounded as ``round_dues`` says.
    """
    rates = rates or DuesRates.load(month, organisation)
    if basis == DuesBasis.STUDENT:
        return rates["dues.student_amount"]
    if basis not in RATE_KEYS:
        raise ValueError(basis)
    amount = base_amount if basis in INCOME_BASES else rates["dues.regional_minimum_wage"]
    return round_dues(amount * rates[RATE_KEYS[DuesBasis(basis)]], rates["dues.rounding_unit"])


@dataclass
class DuesLine:
    """What one member owes for one month, and why."""

    member: Member
    month: date
    account: DuesAccount | None
    relief: DuesRelief | None
    base_due: int | None  # before relief; None when no basis is set
    amount_due: int | None
    why: str  # "" or the Vietnamese reason of an exemption or reduction
    payment: DuesPayment | None = None

    @property
    def basis(self) -> str:
        return self.account.basis if self.account else ""

    @property
    def basis_label(self) -> str:
        return str(DuesBasis(self.account.basis).label) if self.account else ""

    @property
    def unpaid(self) -> bool:
        """Recorded as not (fully) paid without a reason: the grid highlights it."""
        p = self.payment
        return p is not None and not p.excused and p.amount_paid < p.amount_due


def relief_in(reliefs: Iterable[DuesRelief], month: date) -> DuesRelief | None:
    for relief in reliefs:
        if relief.from_month <= month and (
            relief.until_month is None or month <= relief.until_month
        ):
            return relief
    return None


def account_in(accounts: Iterable[DuesAccount], month: date) -> DuesAccount | None:
    """The latest basis whose ``from_month`` is not after ``month``."""
    found = None
    for account in sorted(accounts, key=lambda a: a.from_month):
        if account.from_month <= month:
            found = account
    return found


def dues_line(
    member: Member,
    month: date,
    *,
    accounts: Iterable[DuesAccount],
    reliefs: Iterable[DuesRelief],
    gap_days: int,
    rates: DuesRates,
) -> DuesLine:
    """Dues of ``member`` for ``month`` with exemptions and reductions (01-QĐ/TW 2026):

    - exempt with 50 or more years of party age (``dues.exempt_party_age_years``),
      counted at the month's end [U: from which month exactly];
    - exempt or reduced by 30, 50 or 70% by a ``DuesRelief`` in force that month (social
      pension; hardship on application, up to ``dues.relief_max_months`` at a time).
    """
    month = month_start(month)
    account = account_in(accounts, month)
    relief = relief_in(reliefs, month)
    base_due = None
    if account is not None:
        base_due = dues_due(account.basis, account.base_amount, month, member.branch, rates=rates)
    age = member.party_age_years(on=month_end(month), gap_days=gap_days)
    exempt_age = rates["dues.exempt_party_age_years"]
    if age is not None and age >= exempt_age:
        return DuesLine(
            member, month, account, relief, base_due, 0, f"Miễn: tuổi đảng từ {exempt_age} năm"
        )
    if relief is not None and relief.kind == ReliefKind.EXEMPT:
        return DuesLine(member, month, account, relief, base_due, 0, f"Miễn: {relief.reason}")
    if base_due is None:
        return DuesLine(member, month, None, relief, None, None, "")
    if relief is not None:
        unit = rates["dues.rounding_unit"]
        due = round_dues(base_due * (100 - relief.percent) * 100, unit)
        why = f"Giảm {relief.percent}%: {relief.reason}"
        return DuesLine(member, month, account, relief, base_due, due, why)
    return DuesLine(member, month, account, relief, base_due, base_due, "")


def member_dues_lines(member: Member, months: list[date]) -> list[DuesLine]:
    """``member``'s dues for each of ``months`` (same organisation rules per month)."""
    accounts = list(member.dues_accounts.all())
    reliefs = list(member.dues_reliefs.all())
    gap_days = sum(g.days for g in member.gaps.all())
    payments = {p.month: p for p in member.dues.filter(month__in=months)}
    lines = []
    rates_by_month = DuesRates.load_many(months, member.branch)
    for month in months:
        rates = rates_by_month[month_start(month)]
        line = dues_line(
            member, month, accounts=accounts, reliefs=reliefs, gap_days=gap_days, rates=rates
        )
        line.payment = payments.get(month)
        lines.append(line)
    return lines


def dues_members(branch: Organisation, month: date) -> QuerySet[Member]:
    """Who owes the branch dues for ``month``: its active members who had joined by the
    month's end (probationary members too: 01-QĐ/TW 2026), and anyone with a row recorded
    for that month here."""
    month = month_start(month)
    joined = Q(probation_started_on__isnull=True) | Q(probation_started_on__lte=month_end(month))
    recorded = Exists(DuesPayment.objects.filter(member=OuterRef("pk"), month=month))
    return (
        Member.objects.filter(branch=branch)
        .filter((Q(status__in=ACTIVE_STATUSES) & joined) | Q(recorded))
        .select_related("person", "branch")
        .prefetch_related("gaps")
        .order_by("person__sort_key", "pk")
    )


@dataclass
class DuesGrid:
    branch: Organisation
    month: date
    lines: list[DuesLine]
    total_due: int = 0
    total_paid: int = 0
    unpaid: int = 0
    without_basis: int = 0
    channels: dict[str, int] = field(default_factory=dict)


def dues_grid(branch: Organisation, month: date) -> DuesGrid:
    """The branch's dues for one month, one line per member, with totals; a fixed number
    of queries whatever the branch's size."""
    month = month_start(month)
    members = list(dues_members(branch, month))
    ids = [m.pk for m in members]
    accounts: dict[int, list[DuesAccount]] = defaultdict(list)
    for account in DuesAccount.objects.filter(member_id__in=ids, from_month__lte=month):
        accounts[account.member_id].append(account)
    reliefs: dict[int, list[DuesRelief]] = defaultdict(list)
    for relief in DuesRelief.objects.filter(member_id__in=ids, from_month__lte=month).filter(
        Q(until_month__isnull=True) | Q(until_month__gte=month)
    ):
        reliefs[relief.member_id].append(relief)
    payments = {p.member_id: p for p in DuesPayment.objects.filter(member_id__in=ids, month=month)}
    rates = DuesRates.load(month, branch)
    grid = DuesGrid(branch, month, [])
    for member in members:
        gap_days = sum(g.days for g in member.gaps.all())
        line = dues_line(
            member,
            month,
            accounts=accounts[member.pk],
            reliefs=reliefs[member.pk],
            gap_days=gap_days,
            rates=rates,
        )
        line.payment = payments.get(member.pk)
        grid.lines.append(line)
        if line.payment is not None:
            grid.total_due += line.payment.amount_due
            grid.total_paid += line.payment.amount_paid
            if line.payment.channel:
                grid.channels[line.payment.channel] = (
                    grid.channels.get(line.payment.channel, 0) + line.payment.amount_paid
                )
        elif line.amount_due is not None:
            grid.total_due += line.amount_due
        grid.unpaid += line.unpaid
        grid.without_basis += line.amount_due is None
    return grid


def current_dues_basis(member: Member, on: date) -> tuple[DuesAccount | None, DuesRelief | None]:
    month = month_start(on)
    account = member.dues_accounts.filter(from_month__lte=month).order_by("-from_month").first()
    relief = relief_in(member.dues_reliefs.all(), month)
    return account, relief


# ---- removal grounds ---------------------------------------------------------------------


def missed_months(
    member_ids: Iterable[int] | QuerySet[Any], since: date, until: date
) -> dict[int, dict[str, list[date]]]:
    """The months in which each member missed the branch's regular meeting without an
    excuse, or left the month's dues unpaid without a reason, between ``since`` and
    ``until`` (Charter Art. 8; 24-QĐ/TW §8.1; HD 01-HD/TW §11.1; 01-QĐ/TW 2026).

    The one place that counts these months; two aggregate queries however many members.
    ``member_ids`` may be ids or a query of ids (``rows.values("pk")``).

    - A meeting month counts when the member has an attendance row at a *regular* meeting
      held in it, absent and not excused. A month with no regular meeting recorded does
      not count against anyone; members on temporary transfer out and exempted members
      are written as excused when the meeting is recorded.
    - A dues month counts when a row is recorded for it with something due, nothing paid
      and no reason. A month the branch has not recorded does not count [U: whether an
      unrecorded month should]; a partial payment is not “không đóng” [U].

    Answers ``{member_id: {"meetings": [months], "dues": [months]}}``, months ascending;
    any id looked up that missed nothing gives two empty lists.
    """
    result: dict[int, dict[str, list[date]]] = defaultdict(lambda: {"meetings": [], "dues": []})
    if isinstance(member_ids, list | tuple | set | frozenset):
        for pk in member_ids:
            result[pk] = {"meetings": [], "dues": []}
    first = month_start(since)
    meetings = (
        Attendance.objects.filter(
            member_id__in=member_ids,
            meeting__kind=MeetingKind.REGULAR,
            meeting__held_on__gte=first,
            meeting__held_on__lte=until,
            present=False,
            excused=False,
        )
        .annotate(month=TruncMonth("meeting__held_on"))
        .values_list("member_id", "month")
        .distinct()
        .order_by("member_id", "month")
    )
    for member_id, month in meetings:
        result[member_id]["meetings"].append(month_start(month))
    dues = (
        DuesPayment.objects.filter(
            member_id__in=member_ids,
            month__gte=first,
            month__lte=until,
            amount_paid=0,
            amount_due__gt=0,
            excused=False,
        )
        .values_list("member_id", "month")
        .order_by("member_id", "month")
    )
    for member_id, month in dues:
        result[member_id]["dues"].append(month)
    return result


@dataclass
class RemovalCandidate:
    member: Member
    meetings: list[date]
    dues: list[date]
    since: date
    threshold: int

    @property
    def grounds(self) -> list[str]:
        """The triggers met (``RemovalTrigger`` values), for the removal proposal."""
        found = []
        if len(self.meetings) >= self.threshold:
            found.append("missed_meetings")
        if len(self.dues) >= self.threshold:
            found.append("unpaid_dues")
        return found


def removal_window(on: date, organisation: Organisation | None) -> tuple[date, int]:
    """The first month of the window ending with ``on``'s month, and the number of months
    that raise removal (rules ``removal.window_months``, ``removal.missed_months``)."""
    window = int(rule("removal.window_months", on=on, organisation=organisation))
    threshold = int(rule("removal.missed_months", on=on, organisation=organisation))
    return add_months(month_start(on), -(max(window, 1) - 1)), threshold


def removal_candidates(rows: QuerySet[Member], on: date) -> list[RemovalCandidate]:
    """Members of ``rows`` who should be considered for removal (xóa tên) on ``on``: at
    least ``removal.missed_months`` (3) months, within the last ``removal.window_months``
    (12) months counting ``on``'s month, of regular meetings missed without an excuse,
    **or** of dues unpaid without a reason (Charter Art. 8; 24-QĐ/TW §8.1; HD 01-HD/TW
    §11.1; 01-QĐ/TW 2026). The two grounds are counted separately, as they are separate
    triggers [U: whether 2 + 1 months of the two together count].

    Active members only; members with a removal proceeding already open are left out
    (the proposal is on its way). Built for the home page's to-do over a whole scope
    (``removal_candidates(visible_members(user), today)``): one query for rule overrides,
    the two aggregates of ``missed_months`` and one to fetch the members found, whatever
    the scope's size. Where a province overrides the rules, each branch's own values
    apply (one more reading per branch with someone found).
    """
    from dangvien.core.models import RuleParameter

    window_key, threshold_key = "removal.window_months", "removal.missed_months"
    overrides = list(
        RuleParameter.objects.filter(
            key__in=(window_key, threshold_key), effective_from__lte=on
        ).values_list("key", "value")
    )
    window = int(DEFAULTS[window_key].on(on))
    threshold = int(DEFAULTS[threshold_key].on(on))
    default = (add_months(month_start(on), -(max(window, 1) - 1)), threshold)
    # Read widely enough for any override, then apply each branch's own values.
    widest = max([window] + [int(v) for k, v in overrides if k == window_key])
    lowest = min([threshold] + [int(v) for k, v in overrides if k == threshold_key])
    since = add_months(month_start(on), -(max(widest, 1) - 1))
    open_removal = Proceeding.objects.filter(
        member=OuterRef("pk"),
        kind=ProceedingKind.REMOVAL,
        step__in=["open", "branch_proposed", "grassroots_endorsed"],
    )
    scope = rows.filter(status__in=ACTIVE_STATUSES).exclude(Exists(open_removal))
    found = missed_months(scope.values("pk"), since, on)
    ids = [
        pk
        for pk, months in found.items()
        if len(months["meetings"]) >= lowest or len(months["dues"]) >= lowest
    ]
    if not ids:
        return []
    members = (
        Member.objects.filter(pk__in=ids)
        .select_related("person", "branch")
        .order_by("person__sort_key", "pk")
    )
    windows: dict[int, tuple[date, int]] = {}
    candidates = []
    for member in members:
        first, threshold = default
        if overrides:
            if member.branch_id not in windows:
                windows[member.branch_id] = removal_window(on, member.branch)
            first, threshold = windows[member.branch_id]
        meetings = [m for m in found[member.pk]["meetings"] if m >= first]
        dues = [m for m in found[member.pk]["dues"] if m >= first]
        if len(meetings) >= threshold or len(dues) >= threshold:
            candidates.append(RemovalCandidate(member, meetings, dues, first, threshold))
    return candidates


# ---- the member's page --------------------------------------------------------------------


@dataclass
class MonthRecord:
    month: date
    meeting: Attendance | None
    dues: DuesLine


def member_year(member: Member, today: date, months: int = 12) -> list[MonthRecord]:
    """The member's last ``months`` months, newest first: their attendance at the regular
    meeting and their dues (due, paid)."""
    last = month_start(today)
    wanted = [add_months(last, -i) for i in range(months)]
    first = wanted[-1]
    attendance: dict[date, Attendance] = {}
    rows = member.attendance.filter(
        meeting__kind=MeetingKind.REGULAR, meeting__held_on__gte=first
    ).select_related("meeting")
    for row in rows:
        attendance[month_start(row.meeting.held_on)] = row
    lines = member_dues_lines(member, wanted)
    return [MonthRecord(m, attendance.get(m), line) for m, line in zip(wanted, lines, strict=True)]


def is_member_holding(organisation: Organisation) -> bool:
    return organisation.kind in MEMBER_HOLDING


def incoming_stays(branch: Organisation) -> QuerySet[Transfer]:
    return open_transfers().filter(to_organisation=branch, kind=TransferKind.TEMPORARY)


def deadlines(member: Member, today: date) -> list[dict[str, Any]]:
    """This area's deadlines for the member: ``{what, due_on, overdue}`` (API.md).

    Meetings and dues have no deadline of their own on the member; their consequence, a
    removal proposal, is on the secretary's to-do (``removal_candidates``)."""
    return []
