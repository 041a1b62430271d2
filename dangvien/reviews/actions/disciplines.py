"""Recording a disciplinary decision on a member, so the rating rule can apply it
(16-HD/BTCTW 2018, 124-QĐ/TW [C]: disciplined in the period caps the rating; 366-QĐ/TW
[U]; ``review.disciplined_max_rating``)."""

from datetime import date
from typing import Any

from dangvien.accounts.models import Capability
from dangvien.accounts.queries import can
from dangvien.core.actions import action
from dangvien.core.errors import NotAllowed, NotEligible
from dangvien.core.text import checked_text
from dangvien.members.actions.base import locked
from dangvien.members.models import ACTIVE_STATUSES, Event, Member, StatusChange
from dangvien.reviews.actions._common import day_text, not_future, user_of
from dangvien.reviews.models import Discipline, Penalty

REASON_MAX = 2000


def can_record_discipline(user: Any, member: Member) -> bool:
    """``branch_moves`` or ``decide`` over the member's chi bộ."""
    if not getattr(user, "is_authenticated", False):
        return False
    return can(user, Capability.BRANCH_MOVES, member.org_path) or can(
        user, Capability.DECIDE, member.org_path
    )


@action
def record_discipline(
    member: Member,
    *,
    by: Any,
    penalty: str,
    decided_on: date,
    decision_no: str,
    body: str,
    reason: str,
    self_reported: bool = False,
    already_counted: bool = False,
) -> Discipline:
    """Record a disciplinary decision (reprimand, warning, dismissal; Charter Art. 35;
    296-QĐ/TW [R]) on an active member, with a timeline row. ``self_reported``: the member
    found and remedied the breach (124-QĐ/TW: not counted); ``already_counted``: it lowered
    an earlier rating (16-HD/BTCTW 2018 [C]: a violation counts once). Expulsion is
    recorded on the member record (``members`` record_expulsion), not here."""
    if not can_record_discipline(by, member):
        raise NotAllowed(f"Bạn không được ghi kỷ luật đảng viên của {member.branch.name}.")
    row = locked(member, *ACTIVE_STATUSES)
    if penalty not in Penalty.values:
        raise NotEligible(f"Hình thức kỷ luật “{penalty}” không hợp lệ.", field="penalty")
    not_future(decided_on, "Ngày quyết định kỷ luật", "decided_on")
    decision_no = checked_text(
        decision_no, what="số quyết định kỷ luật", field="decision_no", max_length=50
    )
    body = checked_text(body, what="cấp quyết định kỷ luật", field="body", max_length=200)
    reason = checked_text(reason, what="nội dung vi phạm", field="reason", max_length=REASON_MAX)
    discipline = Discipline.objects.create(
        member=row,
        org_path=row.org_path,
        penalty=penalty,
        decided_on=decided_on,
        decision_no=decision_no,
        body=body,
        reason=reason,
        self_reported=bool(self_reported),
        already_counted=bool(already_counted),
        by=user_of(by),
    )
    notes = []
    if self_reported:
        notes.append("tự phát hiện, khắc phục: không tính khi xếp loại")
    if already_counted:
        notes.append("đã tính khi xếp loại kỳ trước")
    StatusChange.objects.create(
        member=row,
        what=Event.DISCIPLINE,
        from_status=row.status,
        to_status=row.status,
        on=decided_on,
        by=user_of(by),
        note=(
            f"Kỷ luật {Penalty(penalty).label.lower()} (quyết định số {decision_no} ngày "
            f"{day_text(decided_on)} của {body}): {reason}"
            + (f" ({'; '.join(notes)})" if notes else "")
        ),
    )
    return discipline
