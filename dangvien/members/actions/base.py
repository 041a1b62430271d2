"""What every member action shares: the row lock, the one place that writes ``status``,
the timeline row, and small input checks. Area modules beside this one hold the actions
(STYLE.md: one public action per move, each in one transaction)."""

from datetime import date
from typing import Any

from django.utils import timezone

from dangvien.core import calendar
from dangvien.core.actions import action
from dangvien.core.dates import add_months
from dangvien.core.errors import NotEligible, StageNotAllowed
from dangvien.core.rules import rule
from dangvien.core.text import checked_text
from dangvien.members.models import PROBATION_MONTHS, Event, Member, Status, StatusChange
from dangvien.organisations.models import Organisation
from dangvien.people.models import Person

# Every legal status change; anything else is refused (DOMAIN.md §3). Readmission brings a
# removed, exited or expelled member back to probation; expulsion is never turned into
# removal or exit (30-QĐ/TW Art. 35).
NEXT_STATUS: dict[str, set[str]] = {
    Status.PROBATIONARY: {
        Status.OFFICIAL,
        Status.REMOVED,
        Status.EXPELLED,
        Status.EXITED,
        Status.DECEASED,
    },
    Status.OFFICIAL: {Status.REMOVED, Status.EXPELLED, Status.EXITED, Status.DECEASED},
    Status.REMOVED: {Status.PROBATIONARY},
    Status.EXITED: {Status.PROBATIONARY},
    Status.EXPELLED: {Status.PROBATIONARY},
    Status.DECEASED: set(),
}


text = checked_text  # the name the members actions use (one piece: core.text)


def today() -> date:
    return timezone.localdate()


def user_of(by: Any) -> Any:
    return by if getattr(by, "pk", None) else None


def locked(member: Member, *statuses: str) -> Member:
    """Lock the member row for a write; refuse unless the status is one of ``statuses``.

    Two staff acting on the same member at once queue here; the second sees the first's
    result and is refused if it no longer fits.
    """
    row = (
        Member.objects.select_for_update(of=("self",))
        .select_related("person", "branch")
        .get(pk=member.pk)
    )
    if statuses and row.status not in statuses:
        raise StageNotAllowed(
            f"Không thể thực hiện khi đảng viên ở trạng thái “{Status(row.status).label}”."
        )
    return row


def log(
    member: Member,
    *,
    what: str,
    on: date,
    by: Any,
    note: str,
    to_status: str | None = None,
) -> StatusChange:
    """A row on the member's timeline (insert only)."""
    return StatusChange.objects.create(
        member=member,
        what=what,
        from_status=member.status,
        to_status=to_status or member.status,
        on=on,
        by=user_of(by),
        note=note,
    )


def set_status(row: Member, *, to: str, on: date, by: Any, note: str, **changes: Any) -> Member:
    """The only code that writes ``status``: checks the change, saves, leaves history.

    ``row`` must come from ``locked``.
    """
    if to not in NEXT_STATUS[row.status]:
        raise StageNotAllowed(
            f"Không thể chuyển từ “{Status(row.status).label}” sang “{Status(to).label}”."
        )
    log(row, what=Event.STATUS, on=on, by=by, note=note, to_status=to)
    row.status = to
    for field, value in changes.items():
        setattr(row, field, value)
    row.save(update_fields=["status", *changes])
    return row


def save(row: Member, **changes: Any) -> Member:
    """Save fields of a locked row that are not ``status``."""
    for field, value in changes.items():
        setattr(row, field, value)
    if changes:
        row.save(update_fields=list(changes))
    return row


def not_future(day: date, what: str, field: str) -> None:
    if day > today():
        raise NotEligible(f"{what} không thể sau ngày hôm nay.", field=field)


def recognition_vote_due(ceremony_on: date, organisation: Organisation) -> date:
    """The chi bộ must consider recognition within 30 working days after the 12 months
    end (294-QĐ/TW §4.2)."""
    ends = add_months(ceremony_on, PROBATION_MONTHS)
    days = rule("deadline.recognition_vote_working_days", on=ends, organisation=organisation)
    return calendar.add_working_days(ends, days)


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
        first_admitted_on=admitted_on,
        admission_decision_no=decision_no,
        probation_started_on=ceremony_on,
        recognition_vote_due_on=recognition_vote_due(ceremony_on, branch),
    )
    StatusChange.objects.create(
        member=member,
        what=Event.STATUS,
        from_status="",
        to_status=Status.PROBATIONARY,
        on=ceremony_on,
        by=user_of(by),
        note=note or f"Lễ kết nạp; quyết định kết nạp số {decision_no}",
    )
    return member
