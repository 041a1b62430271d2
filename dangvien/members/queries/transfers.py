"""Reads of the transfers area: exemptions (Charter Art. 7), transfers of party activity
(294-QĐ/TW §6.3) and members working far away (HD 01-HD/TW §10.3; seed 004).

A transfer shows at both ends: the home branch sees it going out, the destination sees it
coming in (``visible_members`` already lets the destination open the member's page while
the transfer is open).
"""

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from dangvien.core.dates import add_months
from dangvien.core.rules import rule
from dangvien.members.models import (
    ACTIVE_STATUSES,
    Exemption,
    Member,
    Transfer,
    TransferKind,
    TransferState,
)
from dangvien.members.queries import open_transfers, visible_members
from dangvien.organisations.models import Organisation
from dangvien.organisations.queries import in_scope, units_managed_by

if TYPE_CHECKING:
    from dangvien.accounts.models import User

# A transfer still open at the receiving end (same as ``queries.open_transfers``).
OPEN = Q(state=TransferState.IN_FLIGHT) | Q(
    state=TransferState.RECEIVED, kind=TransferKind.TEMPORARY
)

# The ``state`` filter of the transfers page and API: "open" (the default) or one state.
STATE_FILTERS = {
    "open": "Đang mở (đang chuyển, đang sinh hoạt tạm thời)",
    **{value: str(label) for value, label in TransferState.choices},
    "all": "Tất cả",
}
DIRECTIONS = {"all": "Cả chuyển đi và chuyển đến", "out": "Chuyển đi", "in": "Chuyển đến"}


# ---- exemptions ------------------------------------------------------------------------


def open_exemptions(on: date) -> QuerySet[Exemption]:
    """Exemptions not ended on ``on``: no end date, or an end date on or after ``on``
    (one that starts later counts too: it blocks another one)."""
    return Exemption.objects.filter(Q(until_on__isnull=True) | Q(until_on__gte=on))


def open_exemption(member: Member, on: date) -> Exemption | None:
    return open_exemptions(on).filter(member=member).order_by("-from_on", "-pk").first()


def has_open_exemption(member: Member, on: date) -> bool:
    return open_exemptions(on).filter(member=member).exists()


def overlapping_exemption(member: Member, from_on: date, until_on: date | None) -> Exemption | None:
    """An exemption of the member whose period meets ``from_on``–``until_on`` (open ends
    run forever)."""
    rows = member.exemptions.filter(Q(until_on__isnull=True) | Q(until_on__gte=from_on))
    if until_on is not None:
        rows = rows.filter(from_on__lte=until_on)
    return rows.order_by("from_on").first()


# ---- transfers -------------------------------------------------------------------------


def open_transfer(member: Member) -> Transfer | None:
    """The member's open transfer (at most one: the ``one_open_transfer`` constraint)."""
    return (
        open_transfers()
        .filter(member=member)
        .select_related("from_branch", "to_organisation")
        .first()
    )


def in_flight(member: Member) -> bool:
    return Transfer.objects.filter(member=member, state=TransferState.IN_FLIGHT).exists()


def staying_temporarily(member: Member) -> bool:
    """A temporary transfer received at the host and not yet back (294-QĐ/TW §6.3.2)."""
    return Transfer.objects.filter(
        member=member, kind=TransferKind.TEMPORARY, state=TransferState.RECEIVED
    ).exists()


def has_open_transfer(member: Member) -> bool:
    return open_transfers().filter(member=member).exists()


def transfer_history(member: Member) -> QuerySet[Transfer]:
    return member.transfers.select_related("from_branch", "to_organisation").order_by(
        "-issued_on", "-pk"
    )


def overdue_condition(today: date) -> Q:
    """Late at the receiving end: the letter not presented by ``present_by`` (294-QĐ/TW
    §6.3.1), or a temporary stay past its end without a return (§6.3.2)."""
    return Q(state=TransferState.IN_FLIGHT, present_by__lt=today) | Q(
        state=TransferState.RECEIVED, kind=TransferKind.TEMPORARY, until_on__lt=today
    )


def _flag(condition: Q) -> Case:
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def scope_transfers(
    user: "User",
    *,
    today: date,
    direction: str = "all",
    state: str = "open",
    kind: str = "",
    organisation: Organisation | None = None,
) -> QuerySet[Transfer]:
    """Transfers at either end of the user's scope: going out of it (the member's branch
    when the letter was issued lies in it) or coming into it (the destination does).

    Each row carries ``outgoing``, ``incoming``, ``overdue`` and ``member_visible`` (whether
    the user may open the member's page now). Incoming cancelled transfers are left out:
    the member never arrived. ``organisation`` narrows both ends to its subtree.

    The register names members who have left the scope since (a permanent transfer
    received elsewhere: 294-QĐ/TW §6.3, the home unit keeps its record of transfers out),
    whom row-level security hides: the pages read these rows in
    ``rowsecurity.scope.unrestricted()`` (docs/row-level-security.md). The filter above is
    the whole restriction then; ``member_visible`` still decides the link to the member.
    """
    outgoing = in_scope(user, "from_branch__path")
    incoming = in_scope(user, "to_path") & ~Q(state=TransferState.CANCELLED)
    if organisation is not None:
        outgoing &= Q(from_branch__path__startswith=organisation.path)
        incoming &= Q(to_path__startswith=organisation.path)
    where = {"out": outgoing, "in": incoming}.get(direction, outgoing | incoming)
    rows = Transfer.objects.filter(where)
    if state == "open":
        rows = rows.filter(OPEN)
    elif state in TransferState.values:
        rows = rows.filter(state=state)
    if kind in TransferKind.values:
        rows = rows.filter(kind=kind)
    visible = in_scope(user, "member__org_path") | (OPEN & in_scope(user, "to_path"))
    return (
        rows.annotate(
            outgoing=_flag(outgoing),
            incoming=_flag(incoming),
            overdue=_flag(overdue_condition(today)),
            member_visible=_flag(visible),
        )
        .select_related("member__person", "from_branch", "to_organisation")
        .order_by("-overdue", "present_by", "pk")
    )


def working_days_left(due_on: date, today: date) -> int:
    """Working days from ``today`` to ``due_on`` (negative when late)."""
    from dangvien.core.calendar import working_days_between

    return working_days_between(today, due_on)


# ---- working far away -----------------------------------------------------------------


def contact_months(organisation: Organisation | None, on: date) -> int:
    """How long a member working far away may go without contact before the list flags
    them (``far_away.contact_months``, [U]: local practice, seed 004)."""
    return int(rule("far_away.contact_months", on=on, organisation=organisation))


def rule_organisation(user: "User", organisation: Organisation | None) -> Organisation | None:
    """The node whose rules a list applies: the filter, else the user's first unit."""
    return organisation or units_managed_by(user).first()


def far_away_members(
    user: "User",
    *,
    today: date,
    months: int,
    organisation: Organisation | None = None,
    no_contact_only: bool = False,
) -> QuerySet[Member]:
    """Active members of the user's scope flagged as working far away (đi làm ăn xa), with
    ``last_contact`` (the last contact, else the day they left) and ``no_contact`` (no
    contact for more than ``months`` months), the longest silence first."""
    cutoff = add_months(today, -months)
    rows = visible_members(user).filter(far_away_since__isnull=False, status__in=ACTIVE_STATUSES)
    if organisation is not None:
        rows = rows.filter(org_path__startswith=organisation.path)
    rows = rows.annotate(last_contact=Coalesce("far_away_contact_on", "far_away_since"))
    if no_contact_only:
        rows = rows.filter(last_contact__lt=cutoff)
    return rows.annotate(no_contact=_flag(Q(last_contact__lt=cutoff))).order_by(
        "last_contact", "person__sort_key", "pk"
    )


def contact_due_on(member: Member, months: int) -> date | None:
    last = member.far_away_contact_on or member.far_away_since
    return add_months(last, months) if last else None


# ---- deadlines -------------------------------------------------------------------------


def deadlines(member: Member, today: date) -> list[dict[str, Any]]:
    """This area's deadlines for the member: ``{what, due_on, overdue}`` (API.md).

    - the introduction letter to present by ``present_by`` (294-QĐ/TW §6.3.1);
    - the end of a temporary stay (§6.3.2);
    - the end of an exemption (Charter Art. 7), never overdue: it simply ends;
    - the next contact with a member working far away (``far_away.contact_months``).
    """
    rows: list[dict[str, Any]] = []
    transfer = open_transfer(member)
    if transfer is not None and transfer.state == TransferState.IN_FLIGHT:
        rows.append(
            {
                "what": (
                    f"Nộp giấy giới thiệu sinh hoạt đảng số {transfer.letter_no} "
                    f"cho {destination_name(transfer)}"
                ),
                "due_on": transfer.present_by,
                "overdue": transfer.present_by < today,
            }
        )
    elif transfer is not None and transfer.until_on is not None:
        rows.append(
            {
                "what": f"Hết thời hạn sinh hoạt đảng tạm thời tại {destination_name(transfer)}",
                "due_on": transfer.until_on,
                "overdue": transfer.until_on < today,
            }
        )
    exemption = open_exemption(member, today)
    if exemption is not None and exemption.until_on is not None:
        rows.append(
            {
                "what": "Hết thời hạn miễn công tác và sinh hoạt đảng",
                "due_on": exemption.until_on,
                "overdue": False,
            }
        )
    if member.far_away_since is not None and member.is_active:
        due = contact_due_on(member, contact_months(member.branch, today))
        if due is not None:
            rows.append(
                {
                    "what": "Liên lạc với đảng viên đi làm ăn xa",
                    "due_on": due,
                    "overdue": due < today,
                }
            )
    return rows


def destination_name(transfer: Transfer) -> str:
    if transfer.to_organisation is not None:
        return transfer.to_organisation.name
    return transfer.to_name or "nơi đến"
