"""Writes of the meetings area: branch meetings and resolution-study sessions with their
attendance (Charter Art. 24), the dues basis and reliefs of a member, and monthly dues
(Quy định 01-QĐ/TW 3/2/2026; DOMAIN.md §7).

Attendance and payments are not put on the member's timeline one by one (twelve rows a
year each would bury the events that matter); the member's page shows them in their own
panel, and the removal proposal they may lead to is a timeline event of its own. Setting
a member's dues basis or relief is a timeline event (``Event.DUES``).
"""

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, NamedTuple

from dangvien.core.actions import action
from dangvien.core.errors import Conflict, NotEligible
from dangvien.core.rules import rule
from dangvien.members.actions.base import locked, log, not_future, text, today
from dangvien.members.models import (
    ACTIVE_STATUSES,
    Attendance,
    DuesAccount,
    DuesBasis,
    DuesChannel,
    DuesPayment,
    DuesRelief,
    Event,
    Meeting,
    MeetingKind,
    Member,
    ReliefKind,
)
from dangvien.members.queries.meetings import (
    AWAY_REASON,
    EXEMPT_REASON,
    INCOME_BASES,
    DuesRates,
    dues_line,
    expected_members,
    guest_members,
    month_start,
    month_text,
    months_between,
    regular_meeting_in,
)
from dangvien.organisations.models import MEMBER_HOLDING, Organisation

# Reductions allowed by 01-QĐ/TW 2026 [C, school notice]: 30, 50 or 70%.
REDUCTION_PERCENTS = (30, 50, 70)


class Presence(NamedTuple):
    """One row of the attendance grid; a plain ``(member, present, excused, reason)`` tuple
    works too."""

    member: Member
    present: bool
    excused: bool = False
    reason: str = ""


class Payment(NamedTuple):
    """One row of the dues grid; a plain tuple in this order works too."""

    member: Member
    amount_paid: int
    paid_on: date | None = None
    channel: str = ""
    excused: bool = False
    note: str = ""


def _names(members: Iterable[Member]) -> str:
    return ", ".join(m.person.full_name for m in members)


def _attendance_rows(
    branch: Organisation, held_on: date, attendance: Sequence[Any], *, complete: bool
) -> list[tuple[Member, bool, bool, str]]:
    """Check the grid against who is expected on ``held_on`` and normalise each row.

    - Every active member of the branch who had joined by then has a row (Charter Art.
      24: sinh hoạt chi bộ is each member's duty); ``complete`` asks for all of them.
    - Members on temporary transfer out attend at the host (294-QĐ/TW §6.3.2): written
      absent and excused as such when absent. Exempted members (Charter Art. 7) are
      excused when absent. Rows left out for either are filled in.
    - Members staying here on a temporary transfer may be listed (optional).
    - An absence is excused only with a reason.
    """
    expected = {m.pk: m for m in expected_members(branch, held_on)}
    guests = {m.pk: m for m in guest_members(branch, held_on)}
    rows: dict[int, tuple[Member, bool, bool, str]] = {}
    for item in attendance:
        member, present, excused, reason = _padded(item, [None, False, False, ""])
        if member.pk in rows:
            raise NotEligible(
                f"{member.person.full_name} được ghi hai lần trong danh sách điểm danh.",
                field="attendance",
            )
        known = expected.get(member.pk) or guests.get(member.pk)
        if known is None:
            raise NotEligible(
                f"{member.person.full_name} không sinh hoạt ở {branch.name} "
                f"ngày {held_on:%d/%m/%Y}.",
                field="attendance",
            )
        present, excused = bool(present), bool(excused)
        reason = text(reason or "", what="lý do vắng", field="attendance", required=False)
        if present:
            excused, reason = False, ""
        elif getattr(known, "away", False):
            excused, reason = True, reason or AWAY_REASON
        elif getattr(known, "exempted", False):
            excused, reason = True, reason or EXEMPT_REASON
        elif excused and not reason:
            raise NotEligible(
                f"Cần ghi lý do vắng của {member.person.full_name}.", field="attendance"
            )
        rows[member.pk] = (known, present, excused, reason)
    for pk, member in expected.items():
        if pk in rows:
            continue
        if getattr(member, "away", False):
            rows[pk] = (member, False, True, AWAY_REASON)
        elif getattr(member, "exempted", False):
            rows[pk] = (member, False, True, EXEMPT_REASON)
    missing = [m for pk, m in expected.items() if pk not in rows]
    if complete and missing:
        raise NotEligible(
            f"Chưa điểm danh: {_names(missing)}. Cần ghi có mặt, vắng có lý do hoặc vắng "
            "cho từng đảng viên của chi bộ.",
            field="attendance",
        )
    return list(rows.values())


@action
def record_meeting(
    branch: Organisation,
    *,
    kind: str,
    held_on: date,
    topic: str = "",
    attendance: Sequence[Any],
    by: Any,
) -> Meeting:
    """Record a branch meeting or a resolution-study session with its attendance.

    - Chi bộ meets regularly once a month (Charter Art. 24): one regular meeting per
      branch and month; thematic meetings and study sessions (học tập, quán
      triệt nghị quyết) are extra and need their topic.
    - Not in the future; only a chi bộ holds them here.
    - Attendance covers every active member of the branch on that day (see
      ``_attendance_rows``).
    """
    if branch.kind not in MEMBER_HOLDING:
        raise NotEligible(
            "Chỉ chi bộ mới ghi sinh hoạt chi bộ, học tập nghị quyết.", field="branch"
        )
    if kind not in MeetingKind.values:
        raise NotEligible("Loại buổi sinh hoạt không hợp lệ.", field="kind")
    not_future(held_on, "Ngày họp", "held_on")
    topic = text(
        topic,
        what="nội dung (chuyên đề / nghị quyết được học tập)",
        field="topic",
        max_length=300,
        required=kind != MeetingKind.REGULAR,
    )
    # Lock the branch so two secretaries cannot both record this month's meeting.
    branch = Organisation.objects.select_for_update().get(pk=branch.pk)
    if kind == MeetingKind.REGULAR:
        existing = regular_meeting_in(branch, held_on)
        if existing is not None:
            raise Conflict(
                f"{branch.name} đã có buổi sinh hoạt thường kỳ tháng {month_text(held_on)} "
                f"(ngày {existing.held_on:%d/%m/%Y}); mỗi tháng chỉ một buổi thường kỳ.",
                field="held_on",
            )
    rows = _attendance_rows(branch, held_on, attendance, complete=True)
    meeting = Meeting.objects.create(
        organisation=branch,
        org_path=branch.path,
        kind=kind,
        held_on=held_on,
        topic=topic,
        by=by if getattr(by, "pk", None) else None,
    )
    Attendance.objects.bulk_create(
        Attendance(meeting=meeting, member=m, present=p, excused=e, reason=r) for m, p, e, r in rows
    )
    return meeting


@action
def update_attendance(meeting: Meeting, *, attendance: Sequence[Any], by: Any) -> Meeting:
    """Correct the attendance of a recorded meeting: the rows given replace those members'
    rows, with the same checks as when recording (Charter Art. 24)."""
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=meeting.pk)
    )
    if not attendance:
        raise NotEligible("Chưa có dòng điểm danh nào để sửa.", field="attendance")
    rows = _attendance_rows(meeting.organisation, meeting.held_on, attendance, complete=False)
    given = {item[0].pk for item in attendance}
    for member, present, excused, reason in rows:
        if member.pk not in given and meeting.attendance.filter(member=member).exists():
            continue  # filled in for an away or exempted member already on the list
        Attendance.objects.update_or_create(
            meeting=meeting,
            member=member,
            defaults={"present": present, "excused": excused, "reason": reason},
        )
    return meeting


# ---- dues ----------------------------------------------------------------------------------


def _admission_month(member: Member) -> date | None:
    """The month the member joined: the ceremony (ngày kết nạp), or the decision when no
    ceremony date is known (Charter Art. 5; dues from then on: 01-QĐ/TW 2026)."""
    joined = member.probation_started_on or member.admitted_on
    return month_start(joined) if joined else None


@action
def set_dues_basis(
    member: Member, *, from_month: date, basis: str, base_amount: int = 0, by: Any
) -> DuesAccount:
    """What the member's dues are computed from, from ``from_month`` on (01-QĐ/TW 2026):
    1% of the insured salary (or of the sick or maternity benefit), 0.5% of a pension
    outside social insurance, the students' flat amount, or a share of the regional
    minimum wage below or above retirement age.

    The income is needed for the first three and ignored for the others. Not before the
    member joined. Dues already recorded from that month on (until the next basis) are
    recomputed; what was paid stays.
    """
    row = locked(member, *ACTIVE_STATUSES)
    if basis not in DuesBasis.values:
        raise NotEligible("Căn cứ đóng đảng phí không hợp lệ.", field="basis")
    month = month_start(from_month)
    joined = _admission_month(row)
    if joined and month < joined:
        raise NotEligible(
            f"Tháng áp dụng trước tháng kết nạp ({month_text(joined)}).", field="from_month"
        )
    if basis in INCOME_BASES:
        if base_amount <= 0:
            raise NotEligible(
                "Cần ghi số tiền lương, trợ cấp hoặc lương hưu để tính đảng phí.",
                field="base_amount",
            )
    else:
        base_amount = 0
    account, _created = DuesAccount.objects.update_or_create(
        member=row,
        from_month=month,
        defaults={"basis": basis, "base_amount": base_amount, "by": _user(by)},
    )
    label = DuesBasis(basis).label
    amount = f" ({base_amount:,} đồng)".replace(",", ".") if base_amount else ""
    log(
        row,
        what=Event.DUES,
        on=today(),
        by=by,
        note=f"Căn cứ đóng đảng phí từ tháng {month_text(month)}: {label}{amount}",
    )
    _recompute(row, month)
    return account


@action
def grant_dues_relief(
    member: Member,
    *,
    kind: str,
    from_month: date,
    until_month: date | None = None,
    percent: int = 100,
    reason: str,
    social_pension: bool = False,
    by: Any,
) -> DuesRelief:
    """Exempt the member from dues, or reduce them by 30, 50 or 70% (01-QĐ/TW 2026;
    DOMAIN.md §7 [C, school notice]).

    - Exemption for members receiving the social pension runs without an end.
    - Otherwise (hardship: poor or near-poor household, grave illness, on application)
      an exemption or reduction lasts at most ``dues.relief_max_months`` (12) months at
      a time, and needs its last month.
    - Members with 50 or more years of party age are exempt without a relief
      (``dues.exempt_party_age_years``).
    - Reliefs do not overlap; not before the member joined.
    """
    row = locked(member, *ACTIVE_STATUSES)
    if kind not in ReliefKind.values:
        raise NotEligible("Hình thức miễn, giảm không hợp lệ.", field="kind")
    reason = text(reason, what="lý do miễn, giảm", field="reason", max_length=200)
    first = month_start(from_month)
    last = month_start(until_month) if until_month else None
    joined = _admission_month(row)
    if joined and first < joined:
        raise NotEligible(
            f"Tháng bắt đầu trước tháng kết nạp ({month_text(joined)}).", field="from_month"
        )
    if kind == ReliefKind.REDUCED:
        if percent not in REDUCTION_PERCENTS:
            raise NotEligible("Mức giảm đảng phí là 30%, 50% hoặc 70%.", field="percent")
        if social_pension:
            raise NotEligible(
                "Đảng viên hưởng trợ cấp hưu trí xã hội được miễn, không phải giảm.",
                field="social_pension",
            )
    else:
        percent = 100
    if last is not None and last < first:
        raise NotEligible("Tháng kết thúc trước tháng bắt đầu.", field="until_month")
    if not social_pension:
        most = int(rule("dues.relief_max_months", on=first, organisation=row.branch))
        if last is None:
            raise NotEligible(
                f"Cần ghi tháng kết thúc: mỗi lần miễn, giảm tối đa {most} tháng.",
                field="until_month",
            )
        if months_between(first, last) > most:
            raise NotEligible(
                f"Mỗi lần miễn, giảm đảng phí tối đa {most} tháng "
                f"(từ {month_text(first)} đến {month_text(last)} là "
                f"{months_between(first, last)} tháng).",
                field="until_month",
            )
    overlapping = DuesRelief.objects.filter(member=row).filter(from_month__lte=last or date.max)
    for other in overlapping:
        if other.until_month is None or other.until_month >= first:
            raise Conflict(
                f"Trùng thời gian với lần miễn, giảm từ tháng {month_text(other.from_month)}"
                f"{' đến tháng ' + month_text(other.until_month) if other.until_month else ''}.",
                field="from_month",
            )
    relief = DuesRelief.objects.create(
        member=row,
        kind=kind,
        percent=percent,
        from_month=first,
        until_month=last,
        reason=reason,
        by=_user(by),
    )
    what = "Miễn đóng đảng phí" if kind == ReliefKind.EXEMPT else f"Giảm {percent}% đảng phí"
    until = f" đến tháng {month_text(last)}" if last else ""
    log(
        row,
        what=Event.DUES,
        on=today(),
        by=by,
        note=f"{what} từ tháng {month_text(first)}{until}: {reason}",
    )
    _recompute(row, first)
    return relief


def _user(by: Any) -> Any:
    return by if getattr(by, "pk", None) else None


def _recompute(member: Member, since: date) -> None:
    """Refresh ``amount_due`` (and basis) of dues rows recorded from ``since`` on."""
    rows = list(member.dues.filter(month__gte=since))
    if not rows:
        return
    accounts = list(member.dues_accounts.all())
    reliefs = list(member.dues_reliefs.all())
    gap_days = sum(g.days for g in member.gaps.all())
    rates = DuesRates.load_many([r.month for r in rows], member.branch)
    for payment in rows:
        line = dues_line(
            member,
            payment.month,
            accounts=accounts,
            reliefs=reliefs,
            gap_days=gap_days,
            rates=rates[payment.month],
        )
        if line.amount_due is not None:
            payment.amount_due = line.amount_due
            payment.basis = line.basis
            payment.save(update_fields=["amount_due", "basis"])


@action
def record_dues(
    branch: Organisation, *, month: date, payments: Sequence[Any], by: Any
) -> list[DuesPayment]:
    """Record the branch's dues for one month, one row per member (01-QĐ/TW 2026).

    - Each member pays monthly, probationary members included, on the national public
      service portal or in cash to the chi bộ (``DuesChannel``).
    - ``amount_due`` is computed here (``dues_line``: basis, rates, exemption by party
      age, relief); a member with neither a basis nor an exemption is refused.
    - Not for a month after the current one, nor before the member's admission month.
    - A payment names its day (not in the future) and channel; an unpaid month may be
      excused with a reason. Paying more than due is allowed (voluntary).
    - Recording a month again replaces that member's row.
    """
    month = month_start(month)
    if month > month_start(today()):
        raise NotEligible(
            f"Chưa đến tháng {month_text(month)}: không ghi đảng phí cho tháng sau.", field="month"
        )
    if not payments:
        raise NotEligible("Chưa có dòng đảng phí nào.", field="payments")
    members = [item[0] for item in payments]
    seen: set[int] = set()
    for m in members:
        if m.pk in seen:
            raise NotEligible(
                f"{m.person.full_name} được ghi hai lần trong tháng.", field="payments"
            )
        seen.add(m.pk)
    fresh = {
        m.pk: m
        for m in Member.objects.filter(pk__in=seen)
        .select_related("person", "branch")
        .prefetch_related("gaps", "dues_accounts", "dues_reliefs")
    }
    rates = DuesRates.load(month, branch)
    written = []
    for item in payments:
        member, amount_paid, paid_on, channel, excused, note = _payment_fields(item)
        member = fresh[member.pk]
        name = member.person.full_name
        if member.branch_id != branch.pk:
            raise NotEligible(f"{name} không thuộc {branch.name}.", field="payments")
        joined = _admission_month(member)
        if joined and month < joined:
            raise NotEligible(
                f"{name} được kết nạp tháng {month_text(joined)}: không ghi đảng phí tháng "
                f"{month_text(month)}.",
                field="payments",
            )
        if member.status not in ACTIVE_STATUSES:
            left = member.left_on
            if left is None or month > month_start(left):
                raise NotEligible(
                    f"{name} không còn trong danh sách đảng viên tháng {month_text(month)}.",
                    field="payments",
                )
        line = dues_line(
            member,
            month,
            accounts=member.dues_accounts.all(),
            reliefs=member.dues_reliefs.all(),
            gap_days=sum(g.days for g in member.gaps.all()),
            rates=rates,
        )
        if line.amount_due is None:
            raise NotEligible(
                f"Chưa có căn cứ đóng đảng phí của {name} cho tháng {month_text(month)}: "
                "ghi căn cứ trên trang của đảng viên trước.",
                field="payments",
            )
        amount_paid = int(amount_paid or 0)
        if amount_paid < 0:
            raise NotEligible(f"Số tiền của {name} không thể âm.", field="payments")
        note = text(note or "", what="ghi chú", field="payments", max_length=200, required=False)
        if amount_paid > 0:
            if paid_on is None:
                raise NotEligible(f"Cần ghi ngày nộp của {name}.", field="payments")
            not_future(paid_on, f"Ngày nộp của {name}", "payments")
            if channel not in DuesChannel.values:
                raise NotEligible(
                    f"Cần chọn hình thức nộp của {name}: Cổng Dịch vụ công Quốc gia hoặc "
                    "tiền mặt nộp chi bộ.",
                    field="payments",
                )
            excused = False
        else:
            paid_on, channel = None, ""
            excused = bool(excused) and line.amount_due > 0
            if excused and not note:
                raise NotEligible(f"Cần ghi lý do chưa nộp đảng phí của {name}.", field="payments")
        row, _created = DuesPayment.objects.update_or_create(
            member=member,
            month=month,
            defaults={
                "org_path": member.org_path,
                "basis": line.basis,
                "amount_due": line.amount_due,
                "amount_paid": amount_paid,
                "paid_on": paid_on,
                "channel": channel,
                "excused": excused,
                "note": note or line.why[:200],
                "by": _user(by),
            },
        )
        written.append(row)
    return written


def _padded(item: Any, defaults: list[Any]) -> list[Any]:
    """A grid row as a list, short rows filled with ``defaults`` (``None`` as given)."""
    values = list(item)[: len(defaults)]
    values += defaults[len(values) :]
    return [d if v is None and d is not None else v for v, d in zip(values, defaults, strict=True)]


def _payment_fields(item: Any) -> tuple[Member, int, date | None, str, bool, str]:
    member, amount_paid, paid_on, channel, excused, note = _padded(
        item, [None, 0, None, "", False, ""]
    )
    return member, int(amount_paid), paid_on, channel, bool(excused), note
