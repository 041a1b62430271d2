"""Smallest valid screening objects for tests."""

from datetime import date
from typing import Any

from dangvien.members.models import Member
from dangvien.screening.models import ScreeningCase, State


def make_case(member: Member, state: str = State.LISTED, **fields: Any) -> ScreeningCase:
    values: dict[str, Any] = {
        "criteria": ["duties"],
        "grounds": "Không thực hiện nhiệm vụ đảng viên",
        "ballot_on": date(2026, 3, 1),
        "ballot_in_favour": 3,
        "ballot_against": 0,
        "ballot_denominator": 3,
        "ballot_rule": [2, 3, "at_least"],
        "ballot_passed": state != State.NOT_LISTED,
    }
    values.update(fields)
    return ScreeningCase.objects.create(
        member=member, branch=member.branch, org_path=member.org_path, state=state, **values
    )
