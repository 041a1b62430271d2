"""Moves of the probation area (registered in moves/__init__.py): the mentor, the
periodic reports, the new-member course and the recognition steps (DOMAIN.md §3)."""

from typing import Any

from dangvien.accounts.models import User
from dangvien.members.actions import probation as actions
from dangvien.members.forms import probation as forms
from dangvien.members.models import Member, Proceeding, ReportKind, Status, Step
from dangvien.members.moves import DECIDE, ENDORSE, Move, chain_of, once, register
from dangvien.members.queries import probation as q

PROBATION = (Status.PROBATIONARY,)


# ---- the moves' conditions (cheap: one query each) ---------------------------------------


def open_recognition(member: Member) -> Proceeding | None:
    return once(("open_recognition", member.pk), lambda: q.open_recognition(member))


def vote_open(member: Member) -> bool:
    """The chi bộ may vote while no recognition proceeding has passed its vote."""
    proceeding = open_recognition(member)
    return proceeding is None or proceeding.step == Step.OPEN


def awaiting_grassroots(member: Member) -> bool:
    proceeding = open_recognition(member)
    return (
        proceeding is not None
        and proceeding.step == Step.BRANCH_PROPOSED
        and chain_of(member).endorser is not None
    )


def extendable(member: Member) -> bool:
    proceeding = open_recognition(member)
    return (
        proceeding is not None
        and proceeding.step in q.PROPOSED_STEPS
        and not proceeding.extended
        and proceeding.decision_due_on is not None
    )


def decidable(member: Member) -> bool:
    """Proposed by the chi bộ (and where needed the đảng ủy); or voted at least once by the
    chi bộ without 2/3: the committee may refuse, and after three such votes decides
    (QĐ 29 §4.2c). The action checks which answer is open."""
    proceeding = open_recognition(member)
    if proceeding is None:
        return False
    return proceeding.step in q.PROPOSED_STEPS or proceeding.votes.exists()


# ---- the moves' runs -------------------------------------------------------------------


def _assign_mentor(member: Member, data: dict[str, Any], user: User) -> str:
    mentorship = actions.assign_mentor(
        member, mentor=data["mentor_id"], from_on=data["from_on"], by=user
    )
    return f"Đã phân công {mentorship.mentor.person.full_name} giúp đỡ đảng viên dự bị."


def _report(kind: str) -> Any:
    def run(member: Member, data: dict[str, Any], user: User) -> str:
        action = (
            actions.file_mentor_report if kind == ReportKind.MENTOR else actions.file_self_review
        )
        report = action(
            member,
            period=data["period"],
            filed_on=data["filed_on"],
            text=data["text"],
            assessment=data["assessment"],
            by=user,
        )
        what = "nhận xét của đảng viên giúp đỡ" if kind == ReportKind.MENTOR else "bản tự kiểm điểm"
        return f"Đã ghi {what} kỳ {report.period:%m/%Y}."

    return run


def _course(member: Member, data: dict[str, Any], user: User) -> str:
    actions.record_new_member_course(
        member, certificate_no=data["certificate_no"], issued_on=data["issued_on"], by=user
    )
    return "Đã ghi giấy chứng nhận lớp bồi dưỡng đảng viên mới."


def _vote_message(vote: Any) -> str:
    if vote.passed:
        return f"Đã ghi nghị quyết: {vote.in_favour}/{vote.denominator} tán thành, đạt tỷ lệ."
    return (
        f"Đã ghi biểu quyết: {vote.in_favour}/{vote.denominator} tán thành, chưa đạt tỷ lệ; "
        "việc xét công nhận vẫn mở."
    )


def _recognition_vote(member: Member, data: dict[str, Any], user: User) -> str:
    vote = actions.record_recognition_vote(member, by=user, **data)
    return _vote_message(vote)


def _grassroots_vote(member: Member, data: dict[str, Any], user: User) -> str:
    vote = actions.record_grassroots_recognition_vote(member, by=user, **data)
    return _vote_message(vote)


def _extend(member: Member, data: dict[str, Any], user: User) -> str:
    proceeding = actions.extend_recognition_deadline(member, reason=data["reason"], by=user)
    assert proceeding.decision_due_on is not None
    return f"Đã gia hạn quyết định đến {proceeding.decision_due_on:%d/%m/%Y}."


def _decide(member: Member, data: dict[str, Any], user: User) -> str:
    row = actions.decide_recognition(member, by=user, **data)
    if row.status == Status.OFFICIAL:
        assert row.official_on is not None
        return f"Đã công nhận đảng viên chính thức từ ngày {row.official_on:%d/%m/%Y}."
    return "Đã ghi quyết định không công nhận đảng viên chính thức: xóa tên."


register(
    Move(
        "assign-mentor",
        "Phân công đảng viên giúp đỡ",
        PROBATION,
        forms.assign_mentor,
        _assign_mentor,
        side=True,
    ),
    Move(
        "file-mentor-report",
        "Ghi nhận xét của đảng viên giúp đỡ",
        PROBATION,
        forms.mentor_report,
        _report(ReportKind.MENTOR),
    ),
    Move(
        "file-self-review",
        "Ghi bản tự kiểm điểm của đảng viên dự bị",
        PROBATION,
        forms.self_review,
        _report(ReportKind.SELF),
    ),
    Move(
        "record-new-member-course",
        "Ghi giấy chứng nhận lớp bồi dưỡng đảng viên mới",
        PROBATION,
        forms.course,
        _course,
        side=True,
    ),
    Move(
        "record-recognition-vote",
        "Ghi nghị quyết chi bộ xét công nhận đảng viên chính thức",
        PROBATION,
        forms.recognition_vote,
        _recognition_vote,
        when=vote_open,
    ),
    Move(
        "record-grassroots-recognition-vote",
        "Ghi nghị quyết đảng ủy cơ sở về công nhận đảng viên chính thức",
        PROBATION,
        forms.grassroots_vote,
        _grassroots_vote,
        role=ENDORSE,
        when=awaiting_grassroots,
    ),
    Move(
        "extend-recognition-deadline",
        "Gia hạn quyết định công nhận đảng viên chính thức",
        PROBATION,
        forms.extend,
        _extend,
        role=DECIDE,
        when=extendable,
        side=True,
    ),
    Move(
        "decide-recognition",
        "Quyết định công nhận đảng viên chính thức",
        PROBATION,
        forms.decide,
        _decide,
        role=DECIDE,
        when=decidable,
    ),
)
