"""Reads of the personal-data records: the notice in force, a person's consent, the
data-subject requests a user sees (issue 9)."""

import math
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import QuerySet

from dangvien.accounts.models import Capability
from dangvien.accounts.queries import can
from dangvien.core.text import fold
from dangvien.organisations.queries import in_scope
from dangvien.people.queries import name_filter
from dangvien.privacy.models import (
    OPEN_STATES,
    Consent,
    Notice,
    RequestKind,
    SubjectRequest,
)

if TYPE_CHECKING:
    from dangvien.accounts.models import User
    from dangvien.people.models import Person


def notice_in_force(on: date) -> Notice | None:
    """The notice whose version applied on ``on``: the latest one from on or before it."""
    return Notice.objects.filter(from_on__lte=on).order_by("-from_on", "-id").first()


def consents_of(person: "Person") -> list[Consent]:
    """Every consent of the person, the newest first, with its notice."""
    return list(
        Consent.objects.filter(person=person).select_related(
            "notice", "recorded_by", "withdrawal_recorded_by"
        )
    )


def active_consent(person: "Person") -> Consent | None:
    """The newest consent not withdrawn, if any."""
    return (
        Consent.objects.filter(person=person, withdrawn_on__isnull=True)
        .select_related("notice")
        .first()
    )


def person_org_path(person: "Person") -> str:
    """The path of the chi bộ the person is attached to now ("" for none)."""
    from dangvien.people.actions import person_branch

    branch = person_branch(person)
    return branch.path if branch is not None else ""


def may_handle_personal_data(user: "User", org_path: str) -> bool:
    """Recording consent and handling a person's requests is the chi bộ's work, and the
    grassroots staff's above it: those who keep the person's records (the
    ``branch_moves`` capability, as for listing a candidate and editing a person)."""
    return can(user, Capability.BRANCH_MOVES, org_path)


def request_due_on(kind: str, received_on: date) -> date:
    """The day an answer is due: ``PERSONAL_DATA_REQUEST_HOURS`` (72 [U]; NĐ 13/2023
    Điều 14 khoản 3, Điều 15, Điều 16) counted in whole days from the day received (the
    hour of reception is not recorded, so 72 hours is three calendar days)."""
    hours = settings.PERSONAL_DATA_REQUEST_HOURS_BY_KIND.get(
        kind, settings.PERSONAL_DATA_REQUEST_HOURS
    )
    return received_on + timedelta(days=math.ceil(hours / 24))


def visible_requests(user: "User") -> QuerySet[SubjectRequest]:
    """Requests of people whose chi bộ lies in the user's subtrees."""
    return SubjectRequest.objects.filter(in_scope(user, "org_path")).select_related(
        "person", "handled_by", "recorded_by"
    )


def filter_requests(
    rows: QuerySet[SubjectRequest],
    *,
    state: str = "",
    kind: str = "",
    q: str = "",
    overdue_on: date | None = None,
    org_path: str = "",
) -> QuerySet[SubjectRequest]:
    """``state`` "open" keeps those still to answer; ``overdue_on`` those open and past due
    on that day; ``q`` a name, ignoring case and diacritics."""
    if state == "open":
        rows = rows.filter(state__in=OPEN_STATES)
    elif state:
        rows = rows.filter(state=state)
    if kind:
        rows = rows.filter(kind=kind)
    if q:
        rows = rows.filter(name_filter(fold(q), "person__search_text"))
    if overdue_on is not None:
        rows = rows.filter(state__in=OPEN_STATES, due_on__lt=overdue_on)
    if org_path:
        rows = rows.filter(org_path__startswith=org_path)
    return rows


def open_requests_of(person: "Person") -> QuerySet[SubjectRequest]:
    return SubjectRequest.objects.filter(person=person, state__in=OPEN_STATES)


def requests_to_answer(user: "User", limit: int = 10) -> tuple[list[SubjectRequest], int]:
    """The home page's to-do: the open requests of data subjects in the user's subtrees,
    the soonest due first (``limit`` of them), and how many are open in all. Answers are
    due within the time limits of Nghị định 13/2023 (``request_due_on``)."""
    rows = visible_requests(user).filter(state__in=OPEN_STATES).order_by("due_on", "pk")
    first = list(rows[:limit])
    total = len(first) if len(first) < limit else rows.count()
    return first, total


def overdue_count(user: "User", today: date) -> int:
    return visible_requests(user).filter(state__in=OPEN_STATES, due_on__lt=today).count()


KIND_ARTICLES = {
    RequestKind.ACCESS: "Điều 14 Nghị định 13/2023/NĐ-CP",
    RequestKind.CORRECTION: "Điều 15 Nghị định 13/2023/NĐ-CP",
    RequestKind.DELETION: "Điều 16 Nghị định 13/2023/NĐ-CP",
    RequestKind.RESTRICTION: "Điều 9 khoản 6 Nghị định 13/2023/NĐ-CP",
    RequestKind.OBJECTION: "Điều 9 khoản 8 Nghị định 13/2023/NĐ-CP",
    RequestKind.WITHDRAWAL: "Điều 12 Nghị định 13/2023/NĐ-CP",
}
