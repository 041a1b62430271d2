"""Probation and recognition as an official member (DOMAIN.md §3).

From the ceremony a probationary member has a mentor from the branch, periodic reports
by the mentor and by themself, and the new-member political course. When the 12 months
end the chi bộ votes (at least 2/3) within 30 working days, the grassroots đảng ủy
resolves where one sits between, and the competent committee decides within 30 working
days (extendable once by 30). Recognised: official from the end of the 12 months, even
when the meeting or the decision came late (Charter Art. 5; 294-QĐ/TW §4.2). Not
recognised: removal (xóa tên); there is no extension of probation (Charter Art. 5.2).
"""

from datetime import date
from typing import Any

from dangvien.core import calendar
from dangvien.core.actions import action
from dangvien.core.dates import add_months
from dangvien.core.errors import Conflict, NotEligible, StageNotAllowed
from dangvien.core.rules import rule
from dangvien.core.text import nfc
from dangvien.members.actions import proceedings
from dangvien.members.actions.base import (
    locked,
    log,
    not_future,
    save,
    set_status,
    text,
    today,
    user_of,
)
from dangvien.members.models import (
    Assessment,
    Event,
    Member,
    MemberVote,
    Mentorship,
    ProbationReport,
    Proceeding,
    ProceedingKind,
    RemovalTrigger,
    ReportKind,
    Status,
)
from dangvien.members.queries import probation as q

REPORT_NAMES: dict[str, str] = {
    ReportKind.MENTOR: "nhận xét của đảng viên giúp đỡ",
    ReportKind.SELF: "bản tự kiểm điểm",
}


def _ends_on(row: Member) -> date:
    ends = row.probation_ends_on
    if ends is None:
        raise NotEligible("Hồ sơ chưa có ngày lễ kết nạp: chưa tính được thời gian dự bị.")
    return ends


# ---- mentor ------------------------------------------------------------------------------


@action
def assign_mentor(member: Member, *, mentor: Member, from_on: date, by: Any) -> Mentorship:
    """Chi bộ phân công đảng viên chính thức giúp đỡ đảng viên dự bị: an official member of
    the same branch, not the member (294-QĐ/TW §4.1; 12-HD/BTCTW 2022 [R]; seed 000).

    A new assignment ends the current one the same day; the history stays.
    """
    row = locked(member, Status.PROBATIONARY)
    if mentor.pk == row.pk:
        raise NotEligible("Đảng viên dự bị không thể tự giúp đỡ mình.", field="mentor_id")
    helper = Member.objects.select_related("person").get(pk=mentor.pk)
    if helper.branch_id != row.branch_id:
        raise NotEligible(
            "Đảng viên giúp đỡ phải sinh hoạt cùng chi bộ với đảng viên dự bị.", field="mentor_id"
        )
    if helper.status != Status.OFFICIAL or (helper.official_on and helper.official_on > from_on):
        raise NotEligible("Đảng viên giúp đỡ phải là đảng viên chính thức.", field="mentor_id")
    not_future(from_on, "Ngày phân công", "from_on")
    if row.probation_started_on and from_on < row.probation_started_on:
        raise NotEligible(
            f"Ngày phân công trước ngày lễ kết nạp ({row.probation_started_on:%d/%m/%Y}).",
            field="from_on",
        )
    current = Mentorship.objects.select_for_update().filter(member=row, until_on=None).first()
    note = f"Phân công đảng viên giúp đỡ: {helper.person.full_name}"
    if current is not None:
        if current.mentor_id == helper.pk:
            raise Conflict(
                f"{helper.person.full_name} đang là đảng viên giúp đỡ.", field="mentor_id"
            )
        if from_on < current.from_on:
            raise NotEligible(
                f"Ngày phân công trước ngày phân công người giúp đỡ hiện tại "
                f"({current.from_on:%d/%m/%Y}).",
                field="from_on",
            )
        current.until_on = from_on
        current.save(update_fields=["until_on"])
        note += f" (thay {current.mentor.person.full_name})"
    mentorship = Mentorship.objects.create(
        member=row, mentor=helper, from_on=from_on, by=user_of(by)
    )
    log(row, what=Event.MENTOR, on=from_on, by=by, note=note)
    return mentorship


# ---- periodic reports ------------------------------------------------------------------


def _file_report(
    member: Member,
    *,
    kind: str,
    period: date,
    filed_on: date,
    text_: str,
    assessment: str,
    by: Any,
) -> ProbationReport:
    row = locked(member, Status.PROBATIONARY)
    _ends_on(row)
    assert row.probation_started_on is not None
    name = REPORT_NAMES[kind]
    interval = q.report_interval(row)
    start = q.period_of(row, period, interval)
    if period < q.month_start(row.probation_started_on):
        raise NotEligible(
            f"Kỳ báo cáo trước tháng kết nạp ({row.probation_started_on:%m/%Y}).", field="period"
        )
    if q.month_start(period) > q.month_start(today()):
        raise NotEligible("Kỳ báo cáo chưa đến.", field="period")
    last = q.last_period(row, interval)
    if start > last:
        first = q.month_start(row.probation_started_on)
        raise NotEligible(
            f"Kỳ báo cáo ngoài 12 tháng dự bị (các kỳ từ {first:%m/%Y} đến "
            f"{add_months(last, interval - 1):%m/%Y}).",
            field="period",
        )
    not_future(filed_on, "Ngày lập", "filed_on")
    if filed_on < start:
        raise NotEligible("Ngày lập trước kỳ báo cáo.", field="filed_on")
    body = text(text_, what=f"nội dung {name}", field="text", max_length=5000)
    if assessment not in Assessment.values:
        raise NotEligible("Cần chọn mức đánh giá.", field="assessment")
    label = q.period_label(start, interval)
    if ProbationReport.objects.filter(member=row, kind=kind, period=start).exists():
        raise Conflict(f"Đã có {name} kỳ {label}.", field="period")
    author: Member | None = row
    if kind == ReportKind.MENTOR:
        last = q.month_end(add_months(start, interval - 1))
        mentorship = q.mentor_in(row.mentorships.select_related("mentor"), start, last)
        if mentorship is None:
            raise NotEligible(
                f"Kỳ {label} chưa có đảng viên giúp đỡ được phân công: cần phân công trước.",
                field="period",
            )
        author = mentorship.mentor
    report = ProbationReport.objects.create(
        member=row,
        kind=kind,
        period=start,
        filed_on=filed_on,
        text=body,
        assessment=assessment,
        author=author,
        by=user_of(by),
    )
    log(
        row,
        what=Event.REPORT,
        on=filed_on,
        by=by,
        note=f"{name[:1].upper()}{name[1:]} kỳ {label}: {Assessment(assessment).label}",
    )
    return report


@action
def file_mentor_report(
    member: Member,
    *,
    period: date,
    text: str,
    assessment: str,
    by: Any,
    filed_on: date | None = None,
) -> ProbationReport:
    """The mentor's periodic report on the probationary member (mẫu 11-KNĐ), monthly unless
    the province sets ``probation.report_interval_months`` (seed 000). ``period`` is any
    day of the period; one report a period, not before the ceremony's month, not for a
    period to come, not after the 12 months (294-QĐ/TW §4.2: the mentor's report is part
    of the recognition file)."""
    return _file_report(
        member,
        kind=ReportKind.MENTOR,
        period=period,
        filed_on=filed_on or today(),
        text_=text,
        assessment=assessment,
        by=by,
    )


@action
def file_self_review(
    member: Member,
    *,
    period: date,
    text: str,
    assessment: str,
    by: Any,
    filed_on: date | None = None,
) -> ProbationReport:
    """The probationary member's own periodic self-review (mẫu 10-KNĐ), under the same
    rules as the mentor's report (seed 000; 294-QĐ/TW §4.2)."""
    return _file_report(
        member,
        kind=ReportKind.SELF,
        period=period,
        filed_on=filed_on or today(),
        text_=text,
        assessment=assessment,
        by=by,
    )


# ---- new-member course -----------------------------------------------------------------


@action
def record_new_member_course(
    member: Member, *, certificate_no: str, issued_on: date, by: Any
) -> Member:
    """The certificate of the political course for new members (lớp bồi dưỡng lý luận
    chính trị dành cho đảng viên mới), required in the recognition file (294-QĐ/TW §4.2).
    Not before the admission decision; a later record corrects an earlier one."""
    row = locked(member, Status.PROBATIONARY)
    number = text(certificate_no, what="số giấy chứng nhận", field="certificate_no", max_length=50)
    not_future(issued_on, "Ngày cấp giấy chứng nhận", "issued_on")
    if row.admitted_on and issued_on < row.admitted_on:
        raise NotEligible(
            f"Ngày cấp giấy chứng nhận trước ngày quyết định kết nạp ({row.admitted_on:%d/%m/%Y}).",
            field="issued_on",
        )
    again = " (ghi lại)" if row.new_member_course_no else ""
    save(row, new_member_course_no=number, new_member_course_on=issued_on)
    log(
        row,
        what=Event.COURSE,
        on=issued_on,
        by=by,
        note=f"Giấy chứng nhận lớp bồi dưỡng đảng viên mới số {number}{again}",
    )
    return row


# ---- recognition -----------------------------------------------------------------------


def _open(row: Member) -> Proceeding:
    proceeding = proceedings.current(row, ProceedingKind.RECOGNITION)
    if proceeding is None:
        raise StageNotAllowed("Chi bộ chưa biểu quyết xét công nhận đảng viên chính thức.")
    return proceeding


@action
def record_recognition_vote(
    member: Member,
    *,
    held_on: date,
    in_favour: int,
    against: int,
    resolution_no: str,
    by: Any,
    exempted_present: int = 0,
) -> MemberVote:
    """The chi bộ votes on recognition as an official member: at least 2/3 of the vote
    denominator of DOMAIN.md §2 (Charter Art. 5; 294-QĐ/TW §4.2, §9.3.2 [R]), not before
    the 12 months end, within 30 working days after (a later meeting is recorded and shown
    late: the official date does not move). The first vote opens the recognition
    proceeding; a vote short of 2/3 is recorded and the proceeding stays open (after three,
    the superior committee decides, QĐ 29 §4.2c); a passing one starts the committee's 30
    working days (QĐ 29 §4.3.1)."""
    row = locked(member, Status.PROBATIONARY)
    ends = _ends_on(row)
    if held_on < ends:
        raise NotEligible(
            f"Chưa hết 12 tháng dự bị (đến {ends:%d/%m/%Y}): chi bộ chưa thể xét công nhận "
            "đảng viên chính thức (Điều lệ Đảng Điều 5).",
            field="held_on",
        )
    proceeding = proceedings.current(row, ProceedingKind.RECOGNITION)
    if proceeding is None:
        proceeding = proceedings.open_proceeding(
            row, kind=ProceedingKind.RECOGNITION, on=ends, by=by
        )
    return proceedings.branch_vote(
        row,
        proceeding,
        held_on=held_on,
        in_favour=in_favour,
        against=against,
        resolution_no=resolution_no,
        by=by,
        exempted_present=exempted_present,
        decision_days_key="deadline.recognition_decision_working_days",
    )


@action
def record_grassroots_recognition_vote(
    member: Member,
    *,
    held_on: date,
    in_favour: int,
    committee_size: int,
    resolution_no: str,
    by: Any,
    against: int = 0,
) -> MemberVote:
    """The grassroots đảng ủy's resolution on the chi bộ's proposal to recognise: at least
    2/3 of its committee members (24/294-QĐ/TW [R]), only where one sits between the branch
    and the deciding committee."""
    row = locked(member, Status.PROBATIONARY)
    return proceedings.grassroots_vote(
        row,
        _open(row),
        held_on=held_on,
        in_favour=in_favour,
        committee_size=committee_size,
        resolution_no=resolution_no,
        by=by,
        against=against,
    )


@action
def extend_recognition_deadline(member: Member, *, reason: str, by: Any) -> Proceeding:
    """The committee's 30 working days to decide on recognition may be extended once, by
    at most 30 working days (QĐ 29 §4.3.1; rule
    ``deadline.recognition_extension_working_days``)."""
    row = locked(member, Status.PROBATIONARY)
    proceeding = _open(row)
    if proceeding.step not in q.PROPOSED_STEPS:
        raise StageNotAllowed("Chưa có nghị quyết đề nghị của chi bộ: chưa có hạn để gia hạn.")
    return proceedings.extend(
        row,
        proceeding,
        reason=reason,
        by=by,
        days_key="deadline.recognition_extension_working_days",
    )


@action
def decide_recognition(
    member: Member,
    *,
    recognised: bool,
    decision_no: str,
    decided_on: date,
    by: Any,
    late_reason: str = "",
    note: str = "",
    in_favour: int | None = None,
    committee_size: int | None = None,
) -> Member:
    """The competent committee decides on recognition (294-QĐ/TW §4.2, §4.3.2; QĐ 29
    §4.3.1), within 30 working days of the chi bộ resolution (a late decision needs its
    reason).

    Recognised: the new-member course certificate must be on file; the member is official
    from the END OF THE 12 MONTHS of probation, even when the meeting or the decision came
    late (Charter Art. 5; 294-QĐ/TW §4.2).

    Not recognised: the member is removed (xóa tên) from the decision date. There is no
    extension of probation (Charter Art. 5.2): "not yet" is not an outcome.
    """
    row = locked(member, Status.PROBATIONARY)
    ends = _ends_on(row)
    proceeding = _open(row)
    if recognised and not row.new_member_course_no:
        raise NotEligible(
            "Chưa có giấy chứng nhận lớp bồi dưỡng lý luận chính trị dành cho đảng viên mới: "
            "chưa đủ hồ sơ để công nhận đảng viên chính thức (294-QĐ/TW §4.2)."
        )
    proceedings.decide(
        row,
        proceeding,
        decision_no=decision_no,
        decided_on=decided_on,
        yes=recognised,
        by=by,
        late_reason=late_reason,
        in_favour=in_favour,
        committee_size=committee_size,
    )
    remark = nfc(note)
    Mentorship.objects.filter(member=row, until_on=None).update(until_on=decided_on)
    if recognised:
        set_status(
            row,
            to=Status.OFFICIAL,
            on=decided_on,
            by=by,
            note=f"Quyết định công nhận đảng viên chính thức số {proceeding.decision_no}; "
            f"chính thức từ {ends:%d/%m/%Y} (ngày hết 12 tháng dự bị). {remark}".strip(),
            official_on=ends,
        )
        return row
    days = rule("removal.complaint_working_days", on=decided_on, organisation=row.branch)
    proceeding.trigger = RemovalTrigger.NOT_RECOGNISED
    proceeding.reason = remark
    proceeding.complaint_until = calendar.add_working_days(decided_on, days)
    proceeding.save(update_fields=["trigger", "reason", "complaint_until"])
    set_status(
        row,
        to=Status.REMOVED,
        on=decided_on,
        by=by,
        note=f"Quyết định không công nhận đảng viên chính thức số {proceeding.decision_no}: "
        f"xóa tên trong danh sách đảng viên (Điều lệ Đảng Điều 5). {remark}".strip(),
        left_on=decided_on,
    )
    return row
