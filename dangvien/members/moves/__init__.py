"""The moves a user may make on a member: the status (and the move's own condition)
allows it, and the role covers it. Pages and the API both ask here; a move the state does
not allow answers 409, one the role does not cover 403 (API.md).

Each area registers its moves in its own module (``moves/probation.py`` …); the order of
registration is the order the member's page offers them.
"""

from collections.abc import Callable, Hashable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django import forms

from dangvien.accounts import queries as access
from dangvien.accounts.models import Capability, User
from dangvien.members.models import Member
from dangvien.organisations.queries import admission_chain

# Who may make a move (the user's role at a node covering...):
BRANCH = "branch"  # ... the member's branch, with the branch-moves capability
ENDORSE = "endorse"  # ... the grassroots đảng ủy that sits between (its resolution)
DECIDE = "decide"  # ... the committee competent to admit (decisions)
PROVINCE = "province"  # ... a tree root, deciding (provincial consent, badges)
RECEIVE = "receive"  # ... the destination of the member's open transfer


def _always(member: Member) -> bool:
    return True


@dataclass(frozen=True)
class Move:
    name: str  # the API path segment and the page's URL slug
    label: str
    statuses: tuple[str, ...]
    form: Callable[[Member, Any], forms.Form]  # (member, POST data or None) -> form
    run: Callable[[Member, dict[str, Any], User], str]  # calls the action; the success text
    role: str = BRANCH
    when: Callable[[Member], bool] = field(default=_always)  # the move's own condition
    side: bool = False  # offered, but not the main next step


MOVES: dict[str, Move] = {}

T = TypeVar("T")

# While ``allowed_moves`` runs: the facts the conditions have read, by key.
_facts: ContextVar[dict[Hashable, Any] | None] = ContextVar("dangvien_move_facts", default=None)


def once(key: Hashable, read: Callable[[], T]) -> T:
    """``read()``, remembered under ``key`` while ``allowed_moves`` asks every move's
    condition: several conditions ask the same fact of the member (its open removal and
    exit proceedings, its open transfer, exemption or recognition, its admission chain),
    and nothing is written in between, so reading it once gives the same answers with a
    fraction of the queries (issue 9: CPU per request). Outside ``allowed_moves`` (a single
    move checked before it runs) it reads every time."""
    facts = _facts.get()
    if facts is None:
        return read()
    if key not in facts:
        facts[key] = read()
    return facts[key]


def chain_of(member: Member) -> Any:
    """The admission chain of the member's branch (``once`` per ``allowed_moves``)."""
    return once(("admission_chain", member.branch_id), lambda: admission_chain(member.branch))


def register(*moves: Move) -> None:
    for move in moves:
        if move.name in MOVES:
            raise ValueError(f"move {move.name} registered twice")
        MOVES[move.name] = move


def state_allows(member: Member, name: str) -> bool:
    move = MOVES[name]
    return member.status in move.statuses and move.when(member)


def role_allows(user: User, member: Member, name: str) -> bool:
    role = MOVES[name].role
    if role == BRANCH:
        return access.can(user, Capability.BRANCH_MOVES, member.org_path)
    if role == ENDORSE:
        endorser = chain_of(member).endorser
        if endorser is None:  # nothing to endorse here: the state check answers (409)
            return access.can(user, Capability.ENDORSE, member.org_path) or access.can(
                user, Capability.DECIDE, member.org_path
            )
        return access.can_endorse_for(user, endorser)
    if role == DECIDE:
        return access.can_decide_for(user, chain_of(member).decider)
    if role == PROVINCE:
        return access.can_approve_as_province(user, member.org_path)
    if role == RECEIVE:
        from dangvien.members.queries import open_transfers

        transfer = open_transfers().filter(member=member).first()
        return (
            transfer is not None
            and bool(transfer.to_path)
            and access.can(user, Capability.BRANCH_MOVES, transfer.to_path)
        )
    raise ValueError(role)


def allowed_moves(user: User, member: Member) -> list[Move]:
    """The moves to offer this user now, in registration order. The conditions read each
    fact of the member once (``once``)."""
    token = _facts.set({})
    try:
        return [
            move
            for name, move in MOVES.items()
            if state_allows(member, name) and role_allows(user, member, name)
        ]
    finally:
        _facts.reset(token)


# The areas register their moves on import.
from dangvien.members.moves import (  # noqa: E402, F401
    leaving,
    meetings,
    probation,
    records,
    transfers,
)
