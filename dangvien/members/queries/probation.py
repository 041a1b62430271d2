"""Reads of the probation area."""

from datetime import date
from typing import Any

from dangvien.members.actions.base import recognition_vote_due
from dangvien.members.models import Member, Status


def deadlines(member: Member, today: date) -> list[dict[str, Any]]:
    """The chi bộ considers recognition within 30 working days after the 12 months end
    (294-QĐ/TW §4.2)."""
    if member.status != Status.PROBATIONARY or member.probation_started_on is None:
        return []
    due = member.recognition_vote_due_on or recognition_vote_due(
        member.probation_started_on, member.branch
    )
    return [
        {"what": "Chi bộ xét công nhận đảng viên chính thức", "due_on": due, "overdue": due < today}
    ]
