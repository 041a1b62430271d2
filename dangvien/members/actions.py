"""Writes to member records."""

from datetime import date
from typing import Any

from dangvien.core.actions import action
from dangvien.members.models import Member, Status, StatusChange
from dangvien.organisations.models import Organisation
from dangvien.people.models import Person


@action
def add_probationary_member(
    person: Person,
    *,
    branch: Organisation,
    admitted_on: date,
    decision_no: str,
    ceremony_on: date,
    by: Any,
    note: str = "",
) -> Member:
    """The ceremony makes a probationary member (Charter Art. 5; 294-QĐ/TW §4.1).

    Probation runs from the ceremony date; party age will count from the decision date.
    """
    member = Member.objects.create(
        person=person,
        branch=branch,
        org_path=branch.path,
        status=Status.PROBATIONARY,
        admitted_on=admitted_on,
        admission_decision_no=decision_no,
        probation_started_on=ceremony_on,
    )
    StatusChange.objects.create(
        member=member,
        from_status="",
        to_status=Status.PROBATIONARY,
        on=ceremony_on,
        by=by if getattr(by, "pk", None) else None,
        note=note,
    )
    return member
