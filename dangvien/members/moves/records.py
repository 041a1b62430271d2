"""Moves of the records area (registered in moves/__init__.py): readmission, the
never-readmit list, badges and the membership card.

Who may make them:
- ``readmit``: PROVINCE. Readmission needs the written consent of the provincial standing
  committee (294-QĐ/TW §3.5.1); the provincial board records it with that consent.
- ``mark-never-readmit``: DECIDE. The committee competent to admit is the one that
  decided the removal or exit (24 §8; HD 01 §11) and knows why the member left, which is
  what §3.5.2 turns on; the province sees the list through its scope.
- ``award-badge``, ``reissue-badge``: PROVINCE. Badges are awarded by the provincial
  standing committee (DOMAIN.md §2 [U]; special occasions are its call, HD 01 §18).
- ``issue-card``: DECIDE. The directly superior committee of the grassroots organisation
  issues cards (29/24-QĐ/TW §6.1), which is the committee competent to admit.
"""

from datetime import date
from typing import Any

from dangvien.accounts.models import User
from dangvien.members.actions import records as actions
from dangvien.members.forms import records as forms
from dangvien.members.models import LEFT_STATUSES, Member, Status
from dangvien.members.moves import DECIDE, PROVINCE, Move, register
from dangvien.members.queries.records import readmission_barrier


def _readmittable(member: Member) -> bool:
    return not readmission_barrier(member)


def _readmit(member: Member, data: dict[str, Any], user: User) -> str:
    row = actions.readmit(
        member,
        applied_on=data["applied_on"],
        consent_no=data["consent_no"],
        consent_on=data["consent_on"],
        decision_no=data["decision_no"],
        decided_on=data["decided_on"],
        ceremony_on=data["ceremony_on"],
        conviction_cleared_on=data.get("conviction_cleared_on"),
        note=data.get("note", ""),
        by=user,
    )
    return f"Đã ghi nhận kết nạp lại. Đảng viên dự bị từ ngày {row.probation_started_on:%d/%m/%Y}."


def _not_marked(member: Member) -> bool:
    return not member.never_readmit


def _mark(member: Member, data: dict[str, Any], user: User) -> str:
    actions.mark_never_readmit(member, reason=data["reason"], note=data.get("note", ""), by=user)
    return "Đã ghi vào danh sách không xem xét kết nạp lại."


def _was_official(member: Member) -> bool:
    return member.official_on is not None


def _award(member: Member, data: dict[str, Any], user: User) -> str:
    badge = actions.award_badge(
        member,
        years=int(data["years"]),
        kind=data["kind"],
        awarded_on=data["awarded_on"],
        decision_no=data["decision_no"],
        occasion=data.get("occasion", ""),
        by=user,
    )
    return (
        f"Đã ghi nhận Huy hiệu {badge.years} năm tuổi Đảng, trao ngày {badge.awarded_on:%d/%m/%Y}."
    )


def _has_badge(member: Member) -> bool:
    return member.badges.filter(returned_on__isnull=True).exists()


def _reissue(member: Member, data: dict[str, Any], user: User) -> str:
    badge = actions.reissue_badge(
        member,
        years=int(data["years"]),
        reissued_on=data["reissued_on"],
        reason=data["reason"],
        by=user,
    )
    return f"Đã ghi nhận cấp lại Huy hiệu {badge.years} năm tuổi Đảng."


def _card(member: Member, data: dict[str, Any], user: User) -> str:
    issued_on: date = data["issued_on"]
    row = actions.issue_card(member, card_number=data["card_number"], issued_on=issued_on, by=user)
    return f"Đã ghi nhận thẻ đảng viên số {row.card_number}."


register(
    Move(
        "readmit",
        "Kết nạp lại",
        LEFT_STATUSES,
        forms.readmit_form,
        _readmit,
        role=PROVINCE,
        when=_readmittable,
    ),
    Move(
        "mark-never-readmit",
        "Ghi vào danh sách không kết nạp lại",
        LEFT_STATUSES,
        forms.never_readmit_form,
        _mark,
        role=DECIDE,
        when=_not_marked,
        side=True,
    ),
    Move(
        "award-badge",
        "Tặng Huy hiệu Đảng",
        (Status.OFFICIAL, Status.DECEASED),
        forms.award_badge_form,
        _award,
        role=PROVINCE,
        when=_was_official,
        side=True,
    ),
    Move(
        "reissue-badge",
        "Cấp lại Huy hiệu Đảng",
        (Status.OFFICIAL,),
        forms.reissue_badge_form,
        _reissue,
        role=PROVINCE,
        when=_has_badge,
        side=True,
    ),
    Move(
        "issue-card",
        "Cấp thẻ đảng viên",
        (Status.OFFICIAL,),
        forms.issue_card_form,
        _card,
        role=DECIDE,
        side=True,
    ),
)
