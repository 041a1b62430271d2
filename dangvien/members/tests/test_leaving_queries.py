"""Reads of the leaving area: removal evidence, deadlines, the lists."""

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangvien.accounts.models import Role
from dangvien.core import calendar
from dangvien.core.models import RuleParameter
from dangvien.factories import make_member, user_with_role
from dangvien.members.actions import leaving as actions
from dangvien.members.models import DuesPayment, Member, RemovalTrigger, Status
from dangvien.members.queries import deadlines, visible_members
from dangvien.members.queries.leaving import (
    departure_counts,
    departures,
    open_proceedings,
    removal_evidence,
    removal_evidence_for,
)
from dangvien.members.tests.test_leaving_actions import (
    VOTE,
    absent,
    asked,
    branch_with,
    propose,
    staff,
    unpaid,
)

pytestmark = pytest.mark.django_db


def test_removal_evidence_counts_months_in_the_window_charter_art_8(tree: Any) -> None:
    """Charter Art. 8; 01-QĐ/TW 2026: months (not meetings) of unexcused absence or unpaid
    dues in the 12 calendar months ending with the month of ``on``."""
    member = make_member(branch=tree["village"])
    absent(member, date(2025, 9, 30))  # outside
    absent(member, date(2025, 10, 1))  # first day of the window
    absent(member, date(2026, 2, 3))
    absent(member, date(2026, 2, 17))
    absent(member, date(2026, 4, 7), excused=True)
    unpaid(member, date(2025, 9, 1))  # outside
    unpaid(member, date(2026, 1, 1))
    DuesPayment.objects.create(
        member=member,
        month=date(2026, 3, 1),
        org_path=member.org_path,
        amount_due=30_000,
        excused=True,
    )
    DuesPayment.objects.create(
        member=member,
        month=date(2026, 4, 1),
        org_path=member.org_path,
        amount_due=30_000,
        amount_paid=30_000,
    )
    evidence = removal_evidence(member, date(2026, 9, 15))
    assert (evidence.window_start, evidence.window_end) == (date(2025, 10, 1), date(2026, 9, 15))
    assert evidence.missed_months == (date(2025, 10, 1), date(2026, 2, 1))
    assert evidence.unpaid_months == (date(2026, 1, 1),)
    assert (evidence.missed, evidence.unpaid, evidence.threshold) == (2, 1, 3)
    assert not evidence.raises_removal
    absent(member, date(2026, 9, 8))
    assert removal_evidence(member, date(2026, 9, 15)).raises_removal


def test_removal_evidence_reads_the_window_and_threshold_from_the_rules(tree: Any) -> None:
    """``removal.window_months`` [U] and ``removal.missed_months`` may be set per province."""
    member = make_member(branch=tree["village"])
    for day in (date(2026, 1, 6), date(2026, 5, 6)):
        absent(member, day)
    RuleParameter.objects.create(
        key="removal.window_months",
        value=6,
        effective_from=date(2020, 1, 1),
        organisation=tree["province"],
    )
    RuleParameter.objects.create(
        key="removal.missed_months", value=1, effective_from=date(2020, 1, 1)
    )
    evidence = removal_evidence(member, date(2026, 9, 15))
    assert evidence.window_start == date(2026, 4, 1)
    assert evidence.missed_months == (date(2026, 5, 1),)
    assert evidence.raises_removal


def test_removal_evidence_for_many_members_takes_a_fixed_number_of_queries(tree: Any) -> None:
    few = [make_member(branch=tree["village"]) for _ in range(2)]
    for member in few:
        absent(member, date(2026, 5, 5))
    rows = list(Member.objects.select_related("branch").filter(pk__in=[m.pk for m in few]))
    with CaptureQueriesContext(connection) as small:
        removal_evidence_for(rows, date(2026, 9, 15))
    many = few + [make_member(branch=tree["village"]) for _ in range(10)]
    for member in many[2:]:
        absent(member, date(2026, 6, 5))
        unpaid(member, date(2026, 6, 1))
    rows = list(Member.objects.select_related("branch").filter(pk__in=[m.pk for m in many]))
    with CaptureQueriesContext(connection) as large:
        answer = removal_evidence_for(rows, date(2026, 9, 15))
    assert len(large.captured_queries) == len(small.captured_queries)
    assert answer[many[-1].pk].unpaid == 1
    assert answer[many[0].pk].missed == 1


def test_the_removal_decision_is_due_while_the_matter_is_open(tree: Any) -> None:
    """``deadline.removal_decision_working_days`` after the chi bộ's resolution."""
    by = staff(tree)
    member, *_others = branch_with(tree["village"], 6)
    asked(member, by)
    assert deadlines(member, date(2026, 9, 16)) == []
    propose(member, by)
    due = calendar.add_working_days(VOTE, 30)
    assert deadlines(member, date(2026, 9, 16)) == [
        {"what": "Cấp ủy quyết định xóa tên", "due_on": due, "overdue": False}
    ]
    assert deadlines(member, calendar.add_working_days(due, 1))[0]["overdue"] is True


def test_the_complaint_window_shows_after_removal_until_it_ends(tree: Any) -> None:
    """HD 01-HD/TW §11.1c (``removal.complaint_working_days`` [U])."""
    by = staff(tree)
    member, *_others = branch_with(tree["village"], 6)
    asked(member, by)
    propose(member, by)
    board = user_with_role(Role.BOARD_STAFF, tree["commune"])
    actions.decide_removal(
        member, by=board, decision_no="QĐ-1", decided_on=date(2026, 10, 1), removed=True
    )
    member = Member.objects.get(pk=member.pk)
    until = calendar.add_working_days(date(2026, 10, 1), 30)
    assert deadlines(member, date(2026, 10, 2)) == [
        {"what": "Hết hạn khiếu nại quyết định xóa tên", "due_on": until, "overdue": False}
    ]
    assert deadlines(member, until) != []
    assert deadlines(member, date(2027, 1, 1)) == []


def test_departures_list_who_left_in_a_year_with_the_decision(tree: Any) -> None:
    by = staff(tree)
    exited = make_member(branch=tree["village"])
    actions.request_exit(exited, by=by, requested_on=date(2026, 8, 3), reason="Gia đình")
    actions.record_exit(exited, by=by, decision_no="QĐ-91", decided_on=date(2026, 10, 1))
    dead = make_member(branch=tree["school_branch"])
    actions.record_death(dead, by=by, died_on=date(2025, 6, 1))
    make_member(branch=tree["village"])  # still a member
    make_member(
        branch=tree["other_branch"], status=Status.REMOVED, left_on=date(2026, 5, 1)
    )  # outside the scope
    board = user_with_role(Role.BOARD_STAFF, tree["commune"])
    rows = departures(visible_members(board), year=2026)
    assert [m.pk for m in rows] == [exited.pk]
    assert "QĐ-91" in rows[0].decision_note  # type: ignore[attr-defined]
    assert {m.pk for m in departures(visible_members(board))} == {exited.pk, dead.pk}
    assert [m.pk for m in departures(visible_members(board), kind=Status.DECEASED)] == [dead.pk]
    assert departures(visible_members(board), organisation=tree["school"]).get() == dead
    assert departure_counts(visible_members(board), year=2026) == {
        "removed": 0,
        "exited": 1,
        "expelled": 0,
        "deceased": 0,
    }


def test_open_proceedings_are_listed_within_the_scope(tree: Any) -> None:
    by = staff(tree)
    mine = make_member(branch=tree["village"])
    asked(mine, by, times=1, trigger=RemovalTrigger.RETURNED_CARD)
    other = make_member(branch=tree["other_branch"])
    asked(other, by, times=1)
    leaver = make_member(branch=tree["village"])
    actions.request_exit(leaver, by=by, requested_on=date(2026, 8, 3), reason="Gia đình")
    rows = open_proceedings(by)
    assert {p.member_id for p in rows} == {mine.pk, leaver.pk}
    assert [p.member_id for p in open_proceedings(by, kinds=("removal",))] == [mine.pk]
