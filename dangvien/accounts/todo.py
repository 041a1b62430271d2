"""Reads of the home page's to-do list ("Việc cần làm") that the areas' own queries do not
give in one piece at national size (issue 9: CPU per request under load)."""

from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Q

from dangvien.members.models import Transfer, TransferState
from dangvien.members.queries import transfers as transfer_queries
from dangvien.rowsecurity.scope import unrestricted

if TYPE_CHECKING:
    from dangvien.accounts.models import User


def transfers_to_handle(user: "User", today: date, limit: int = 50) -> list[Transfer]:
    """The open transfers at either end of the user's scope that need a hand: overdue ones,
    and those on their way in. The same rows, flags and order as

        scope_transfers(user, today=today, state="open")
            .filter(Q(overdue=True) | Q(incoming=True, state=IN_FLIGHT))[:limit]

    read one end at a time and merged. Each end alone follows its own index (the
    organisations of the subtree for the outgoing end, ``to_path`` for the incoming one);
    the two joined by OR in one query could use neither, and PostgreSQL read every open
    transfer of the country instead: about 170 ms of CPU per home page on the 6-million
    nation, for a handful of rows. A transfer at both ends comes back from both reads: it
    is listed once. The first ``limit`` rows of the union in the list's order are among
    the first ``limit`` of one of the two ends, so reading ``limit`` of each is enough.
    """
    need = Q(overdue=True) | Q(incoming=True, state=TransferState.IN_FLIGHT)
    found: dict[int, Transfer] = {}
    # Read like the register (``scope_transfers``, docs/row-level-security.md): the filter
    # is the whole restriction. An open transfer's member is visible at both ends anyway,
    # so the rows are the same; through the policy check on each open transfer of the
    # country that the outgoing end looks at, a province's list took 0.4–0.75 s.
    with unrestricted():
        for direction in ("out", "in"):
            rows = transfer_queries.scope_transfers(
                user, today=today, state="open", direction=direction
            ).filter(need)
            for transfer in rows[:limit]:
                found.setdefault(transfer.pk, transfer)
    # scope_transfers' order: overdue first, then the deadline, then the id.
    ordered = sorted(
        found.values(),
        key=lambda t: (not t.overdue, t.present_by, t.pk),  # type: ignore[attr-defined]
    )
    return ordered[:limit]
