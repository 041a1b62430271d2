"""Moves of the leaving area (registered in moves/__init__.py): removal (xóa tên),
voluntary exit, expulsion and death. The rules live in ``members.actions.leaving``; the
conditions here only decide which moves the member's page offers."""

from typing import Any

from dangvien.accounts.models import User
from dangvien.members.actions import leaving as actions
from dangvien.members.forms import leaving as forms
from dangvien.members.models import Member, ProceedingKind, Status, Step
from dangvien.members.moves import BRANCH, DECIDE, ENDORSE, Move, chain_of, once, register
from dangvien.members.queries import leaving as q

ACTIVE = (Status.PROBATIONARY, Status.OFFICIAL)
REMOVAL = ProceedingKind.REMOVAL
EXIT = ProceedingKind.EXIT


def open_leaving_steps(member: Member) -> dict[str, dict[str, Any]]:
    return once(("leaving_steps", member.pk), lambda: q.open_leaving_steps(member))


def _removal(member: Member) -> dict[str, Any] | None:
    return open_leaving_steps(member).get(REMOVAL)


def may_ask_self_review(member: Member) -> bool:
    """No removal under way yet, or one still waiting for the member's self-review."""
    removal = _removal(member)
    return removal is None or (removal["step"] == Step.OPEN and not removal["self_reviewed_on"])


def awaits_self_review(member: Member) -> bool:
    removal = _removal(member)
    return removal is not None and removal["step"] == Step.OPEN and not removal["self_reviewed_on"]


def awaits_branch_vote(member: Member) -> bool:
    removal = _removal(member)
    return removal is not None and removal["step"] == Step.OPEN


def awaits_grassroots_vote(member: Member) -> bool:
    removal = _removal(member)
    return (
        removal is not None
        and removal["step"] == Step.BRANCH_PROPOSED
        and chain_of(member).endorser is not None
    )


def awaits_removal_decision(member: Member) -> bool:
    """A vote is on record (the committee decides after the chi bộ, or after three failed
    chi bộ votes, QĐ 29 §4.2c; the action checks which)."""
    removal = _removal(member)
    return removal is not None and removal["votes"] > 0


def no_exit_request(member: Member) -> bool:
    return EXIT not in open_leaving_steps(member)


def awaits_exit_decision(member: Member) -> bool:
    return EXIT in open_leaving_steps(member)


def _request_self_review(member: Member, data: dict[str, Any], user: User) -> str:
    proceeding = actions.request_self_review(member, by=user, **data)
    return f"Đã ghi yêu cầu tự kiểm điểm lần {proceeding.self_review_requests}."


def _record_self_review(member: Member, data: dict[str, Any], user: User) -> str:
    actions.record_self_review(member, by=user, **data)
    return "Đã ghi đảng viên tự kiểm điểm."


def _propose_removal(member: Member, data: dict[str, Any], user: User) -> str:
    vote = actions.propose_removal(member, by=user, **data)
    result = "đạt, chuyển cấp ủy có thẩm quyền" if vote.passed else "chưa đạt 2/3"
    return f"Đã ghi nghị quyết chi bộ: {vote.in_favour}/{vote.denominator} tán thành – {result}."


def _grassroots_vote(member: Member, data: dict[str, Any], user: User) -> str:
    vote = actions.record_grassroots_removal_vote(member, by=user, **data)
    result = "đạt" if vote.passed else "chưa đạt 2/3"
    return f"Đã ghi nghị quyết đảng ủy: {vote.in_favour}/{vote.denominator} tán thành – {result}."


def _decide_removal(member: Member, data: dict[str, Any], user: User) -> str:
    proceeding = actions.decide_removal(member, by=user, **data)
    if proceeding.outcome:
        return f"Đã xóa tên; khiếu nại đến hết ngày {proceeding.complaint_until:%d/%m/%Y}."
    return "Đã ghi quyết định không xóa tên."


def _request_exit(member: Member, data: dict[str, Any], user: User) -> str:
    actions.request_exit(member, by=user, **data)
    return "Đã nhận đơn xin ra khỏi Đảng."


def _record_exit(member: Member, data: dict[str, Any], user: User) -> str:
    actions.record_exit(member, by=user, **data)
    return "Đã ghi quyết định cho ra khỏi Đảng."


def _record_expulsion(member: Member, data: dict[str, Any], user: User) -> str:
    actions.record_expulsion(member, by=user, **data)
    return "Đã ghi quyết định khai trừ."


def _record_death(member: Member, data: dict[str, Any], user: User) -> str:
    actions.record_death(member, by=user, **data)
    return "Đã ghi đảng viên từ trần."


register(
    Move(
        "request-self-review",
        "Yêu cầu tự kiểm điểm (xem xét xóa tên)",
        ACTIVE,
        forms.request_self_review_form,
        _request_self_review,
        when=may_ask_self_review,
        side=True,
    ),
    Move(
        "record-self-review",
        "Ghi đảng viên đã tự kiểm điểm",
        ACTIVE,
        forms.simple(forms.SelfReviewForm, "record-self-review"),
        _record_self_review,
        when=awaits_self_review,
    ),
    Move(
        "propose-removal",
        "Ghi nghị quyết chi bộ đề nghị xóa tên",
        ACTIVE,
        forms.propose_removal_form,
        _propose_removal,
        when=awaits_branch_vote,
    ),
    Move(
        "record-grassroots-removal-vote",
        "Ghi nghị quyết đảng ủy cơ sở về xóa tên",
        ACTIVE,
        forms.grassroots_removal_vote_form,
        _grassroots_vote,
        role=ENDORSE,
        when=awaits_grassroots_vote,
    ),
    Move(
        "decide-removal",
        "Quyết định xóa tên",
        ACTIVE,
        forms.decide_removal_form,
        _decide_removal,
        role=DECIDE,
        when=awaits_removal_decision,
    ),
    Move(
        "request-exit",
        "Nhận đơn xin ra khỏi Đảng",
        ACTIVE,
        forms.simple(forms.RequestExitForm, "request-exit"),
        _request_exit,
        when=no_exit_request,
        side=True,
    ),
    Move(
        "record-exit",
        "Quyết định cho ra khỏi Đảng",
        ACTIVE,
        forms.simple(forms.RecordExitForm, "record-exit"),
        _record_exit,
        role=DECIDE,
        when=awaits_exit_decision,
    ),
    Move(
        "record-expulsion",
        "Ghi quyết định khai trừ",
        ACTIVE,
        forms.simple(forms.ExpulsionForm, "record-expulsion"),
        _record_expulsion,
        role=DECIDE,
        side=True,
    ),
    Move(
        "record-death",
        "Ghi đảng viên từ trần",
        ACTIVE,
        forms.simple(forms.DeathForm, "record-death"),
        _record_death,
        role=BRANCH,
        side=True,
    ),
)
