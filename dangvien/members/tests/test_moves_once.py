"""The member's page asks every move's condition at once (``moves.allowed_moves``), and the
conditions read each fact of the member once (``moves.once``; issue 9: CPU per request).
The moves offered are those of each move checked on its own, as a single move is checked
before it runs: brute force over members in every open state and users at every level."""

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangvien.accounts.models import Role
from dangvien.factories import make_member, user_with_role
from dangvien.members.models import (
    Badge,
    Body,
    MemberVote,
    Proceeding,
    ProceedingKind,
    Status,
    Step,
    Transfer,
    TransferKind,
)
from dangvien.members.moves import MOVES, allowed_moves, role_allows, state_allows

pytestmark = pytest.mark.django_db

DAY = date(2025, 3, 3)


def _proceeding(member: Any, kind: str, step: str, **kw: Any) -> Proceeding:
    return Proceeding.objects.create(member=member, kind=kind, step=step, opened_on=DAY, **kw)


def _vote(proceeding: Proceeding, organisation: Any) -> None:
    MemberVote.objects.create(
        proceeding=proceeding,
        body=Body.BRANCH,
        organisation=organisation,
        held_on=DAY,
        in_favour=3,
        denominator=9,
        rule={},
        passed=False,
    )


def _members(tree: dict[str, Any]) -> list[Any]:
    """Members in each state the conditions tell apart, in a chi bộ under the commune and
    one under a đảng bộ cơ sở (whose admission chains differ)."""
    out = []
    for branch in (tree["village"], tree["school_branch"]):
        removal, recognition = ProceedingKind.REMOVAL, ProceedingKind.RECOGNITION
        out.append(make_member(branch=branch))
        for step, reviewed in [
            (Step.OPEN, None),
            (Step.OPEN, DAY),
            (Step.BRANCH_PROPOSED, DAY),
            (Step.GRASSROOTS_ENDORSED, DAY),
        ]:
            member = make_member(branch=branch)
            _proceeding(member, removal, step, self_reviewed_on=reviewed)
            out.append(member)
        voted = make_member(branch=branch)
        _vote(_proceeding(voted, removal, Step.OPEN, self_reviewed_on=DAY), branch)
        out.append(voted)
        leaving = make_member(branch=branch)
        _proceeding(leaving, ProceedingKind.EXIT, Step.OPEN, requested_on=DAY)
        out.append(leaving)
        recognition_steps: list[tuple[Step | None, bool]] = [
            (None, False),
            (Step.OPEN, False),
            (Step.BRANCH_PROPOSED, False),
            (Step.GRASSROOTS_ENDORSED, False),
            (Step.GRASSROOTS_ENDORSED, True),
        ]
        for at, extended in recognition_steps:
            member = make_member(
                branch=branch, status=Status.PROBATIONARY, official_on=None, admitted_on=DAY
            )
            if at is not None:
                _proceeding(member, recognition, at, extended=extended, decision_due_on=DAY)
            out.append(member)
        refused = make_member(
            branch=branch, status=Status.PROBATIONARY, official_on=None, admitted_on=DAY
        )
        _vote(_proceeding(refused, recognition, Step.OPEN), branch)
        out.append(refused)
        moving = make_member(branch=branch)
        Transfer.objects.create(
            member=moving,
            kind=TransferKind.PERMANENT,
            from_branch=branch,
            to_organisation=tree["other_branch"],
            to_path=tree["other_branch"].path,
            to_name=tree["other_branch"].name,
            letter_no="GT-1",
            issued_on=DAY,
            present_by=DAY,
        )
        out.append(moving)
        out.append(make_member(branch=branch, temporarily_away_since=DAY))
        out.append(make_member(branch=branch, exempted_since=DAY))
        out.append(make_member(branch=branch, far_away_since=DAY))
        badged = make_member(branch=branch)
        Badge.objects.create(member=badged, years=30, awarded_on=DAY, decision_no="HH-1")
        out.append(badged)
        for status in (Status.REMOVED, Status.EXITED, Status.DECEASED):
            out.append(make_member(branch=branch, status=status, left_on=DAY))
    return out


def test_the_moves_offered_are_those_each_move_allows_on_its_own(tree):
    users = [
        user_with_role(Role.BRANCH_SECRETARY, tree["village"]),
        user_with_role(Role.BRANCH_SECRETARY, tree["school_branch"]),
        user_with_role(Role.GRASSROOTS_STAFF, tree["school"]),
        user_with_role(Role.BOARD_STAFF, tree["commune"]),
        user_with_role(Role.LEADER, tree["commune"]),
        user_with_role(Role.BOARD_STAFF, tree["province"]),
        user_with_role(Role.BRANCH_SECRETARY, tree["other_branch"]),  # a transfer's host
    ]
    offered: set[str] = set()
    for member in _members(tree):
        for user in users:
            one_by_one = [
                move
                for name, move in MOVES.items()
                if state_allows(member, name) and role_allows(user, member, name)
            ]
            moves = allowed_moves(user, member)
            assert moves == one_by_one, (member.status, user.roles.get().role)
            offered |= {move.name for move in moves}
    # The states above open most of the moves: the comparison is not an empty one.
    assert len(offered) >= len(MOVES) * 2 // 3, sorted(set(MOVES) - offered)


def test_the_conditions_read_each_fact_once(tree):
    member = make_member(branch=tree["school_branch"])
    _proceeding(member, ProceedingKind.REMOVAL, Step.OPEN)
    user = user_with_role(Role.BOARD_STAFF, tree["commune"])
    allowed_moves(user, member)  # the user's roles are read once and kept on the user
    with CaptureQueriesContext(connection) as captured:
        allowed_moves(user, member)
    statements = [q["sql"] for q in captured.captured_queries]
    assert len(statements) == len(set(statements)), statements
