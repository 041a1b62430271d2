"""Reads of screening cases: scope, filters, the ballot's base, the to-do, the history."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangvien.accounts.models import Role
from dangvien.factories import make_member, user_with_role
from dangvien.members.models import Proceeding, ProceedingKind, Status, Step
from dangvien.organisations.models import Organisation
from dangvien.screening.models import CaseChange, ScreeningCase, State
from dangvien.screening.queries import cases as queries
from dangvien.screening.tests.factories import make_case

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)


def test_a_user_sees_the_cases_of_the_branches_in_their_scope_only(
    tree: dict[str, Organisation],
) -> None:
    mine = make_case(make_member(branch=tree["village"]))
    make_case(make_member(branch=tree["other_branch"]))
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    province = user_with_role(Role.LEADER, tree["province"])
    assert list(queries.visible_cases(secretary)) == [mine]
    assert queries.visible_cases(province).count() == 2


def test_cases_filter_by_node_state_year_and_name_without_diacritics(
    tree: dict[str, Organisation],
) -> None:
    an = make_member(branch=tree["village"], person__given_name="Ánh")
    school = make_member(branch=tree["school_branch"])
    old = make_case(an, State.IMPROVED, ballot_on=date(2025, 2, 1))
    listed = make_case(school, State.LISTED, ballot_on=date(2026, 3, 1))
    failed = make_case(make_member(branch=tree["village"]), State.NOT_LISTED)
    rows = queries.visible_cases(user_with_role(Role.LEADER, tree["province"]))
    assert set(queries.filter_cases(rows, organisation=tree["school"])) == {listed}
    assert set(queries.filter_cases(rows, state="open")) == {listed}
    assert set(queries.filter_cases(rows, state=State.NOT_LISTED)) == {failed}
    assert set(queries.filter_cases(rows, year=2025)) == {old}
    assert set(queries.filter_cases(rows, q="nguyen van anh")) == {old}


def test_state_counts_give_every_state(tree: dict[str, Organisation]) -> None:
    make_case(make_member(branch=tree["village"]), State.HELPING)
    make_case(make_member(branch=tree["village"]), State.HELPING)
    make_case(make_member(branch=tree["village"]), State.NOT_LISTED)
    counts = queries.state_counts(queries.filter_cases(ScreeningCase.objects.all()))
    assert counts[State.HELPING] == 2
    assert counts[State.NOT_LISTED] == 1
    assert counts[State.DECIDED] == 0
    assert set(counts) == set(State.values)


def test_the_ballot_base_counts_officials_without_the_exempted_ones(
    tree: dict[str, Organisation],
) -> None:
    for _ in range(7):
        make_member(branch=tree["village"])
    make_member(branch=tree["village"], exempted_since=date(2025, 1, 1))
    make_member(branch=tree["village"], status=Status.PROBATIONARY, official_on=None)
    make_member(branch=tree["village"], official_on=date(2026, 7, 1))  # not yet
    base = queries.ballot_base(tree["village"], TODAY)
    assert (base.official, base.exempted, base.denominator) == (8, 1, 7)
    assert base.needed == 5  # 5/7 ≥ 2/3 > 4/7
    assert base.enough_members


def test_the_votes_needed_follow_the_ratio_kind() -> None:
    base = queries.BallotBase(on=TODAY, official=6, exempted=0, minimum=3, rule=[2, 3, "at_least"])
    assert base.needed == 4
    more = queries.BallotBase(on=TODAY, official=6, exempted=0, minimum=3, rule=[1, 2, "more_than"])
    assert more.needed == 4
    empty = queries.BallotBase(on=TODAY, official=2, exempted=2, minimum=3, rule=[2, 3, "at_least"])
    assert (empty.needed, empty.enough_members) == (0, False)


def test_members_to_screen_leave_out_those_with_a_case_under_way(
    tree: dict[str, Organisation],
) -> None:
    free = make_member(branch=tree["village"])
    busy = make_member(branch=tree["village"])
    done = make_member(branch=tree["village"])
    make_member(branch=tree["village"], status=Status.REMOVED)
    make_case(busy, State.HELPING)
    make_case(done, State.IMPROVED)
    assert set(queries.members_to_screen(tree["village"])) == {free, done}


def test_possible_helpers_are_other_official_members_not_under_screening(
    tree: dict[str, Organisation],
) -> None:
    member, helper, busy = (make_member(branch=tree["village"]) for _ in range(3))
    make_member(branch=tree["village"], status=Status.PROBATIONARY, official_on=None)
    make_member(branch=tree["clinic"])
    case = make_case(member)
    make_case(busy)
    assert list(queries.possible_helpers(case)) == [helper]


def test_the_to_do_holds_cases_without_helper_help_ended_expulsions_and_decisions_to_copy(
    tree: dict[str, Organisation],
) -> None:
    branch = tree["village"]
    listed = make_case(make_member(branch=branch), State.LISTED, ballot_on=date(2026, 5, 2))
    ended = make_case(
        make_member(branch=branch),
        State.HELPING,
        help_from=date(2025, 6, 1),
        help_until=date(2026, 6, 1),
    )
    make_case(  # still being helped
        make_member(branch=branch),
        State.HELPING,
        help_from=date(2025, 7, 1),
        help_until=date(2026, 7, 1),
    )
    removed = make_member(branch=branch)
    decided = Proceeding.objects.create(
        member=removed,
        kind=ProceedingKind.REMOVAL,
        step=Step.DECIDED,
        opened_on=date(2026, 3, 1),
        decision_no="5-QĐ",
        decided_on=date(2026, 4, 1),
        outcome=True,
    )
    copy = make_case(removed, State.PROPOSED_REMOVAL, proceeding=decided)
    waiting = Proceeding.objects.create(
        member=make_member(branch=branch), kind=ProceedingKind.EXIT, opened_on=date(2026, 3, 1)
    )
    make_case(waiting.member, State.EXIT_REQUESTED, proceeding=waiting)
    expulsion = make_case(
        make_member(branch=branch), State.PROPOSED_EXPULSION, outcome_on=date(2026, 5, 20)
    )
    left = make_member(branch=branch, status=Status.DECEASED)
    make_case(left, State.LISTED)
    due = queries.open_cases_due(ScreeningCase.objects.all(), TODAY)
    assert [(d.case, d.due_on, d.overdue) for d in due] == [
        (copy, date(2026, 4, 1), False),
        (listed, date(2026, 5, 2), False),
        (expulsion, date(2026, 5, 20), False),
        (ended, date(2026, 6, 1), True),
    ]
    assert due[2].what == "Chi bộ đề nghị khai trừ: chờ cấp ủy quyết định"
    assert due[3].what == "Hết thời gian giúp đỡ: chi bộ kết luận kết quả rà soát, sàng lọc"


def test_the_help_period_ends_on_its_last_day(tree: dict[str, Organisation]) -> None:
    case = make_case(
        make_member(branch=tree["village"]),
        State.HELPING,
        help_from=date(2025, 6, 15),
        help_until=TODAY,
    )
    due = queries.open_cases_due(ScreeningCase.objects.all(), TODAY)
    assert [(d.case, d.overdue) for d in due] == [(case, False)]


def test_the_to_do_tasks_link_to_the_case(tree: dict[str, Organisation]) -> None:
    member = make_member(branch=tree["village"])
    case = make_case(member, State.LISTED)
    make_case(make_member(branch=tree["other_branch"]), State.LISTED)
    tasks = queries.tasks(user_with_role(Role.BRANCH_SECRETARY, tree["village"]), TODAY)
    assert [(t.url_name, t.pk) for t in tasks] == [("screening:case", case.pk)]
    assert tasks[0].title == f"{member.person.full_name} – Chi bộ thôn Đông"


def test_the_to_do_tasks_take_one_query_for_one_case_or_five(
    tree: dict[str, Organisation],
) -> None:
    user = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    queries.tasks(user, TODAY)  # the user's scope is read once and kept on the user

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            titles = [t.title for t in queries.tasks(user, TODAY)]
        assert titles and all(" – Chi bộ thôn Đông" in title for title in titles)
        return len(captured.captured_queries)

    make_case(make_member(branch=tree["village"]), State.LISTED)
    one = count()
    for _ in range(4):
        make_case(make_member(branch=tree["village"]), State.LISTED)
    assert count() == one == 1


def test_the_history_lists_every_move_oldest_first(tree: dict[str, Organisation]) -> None:
    case = make_case(make_member(branch=tree["village"]), State.HELPING)
    second = CaseChange.objects.create(
        case=case, from_state=State.LISTED, to_state=State.HELPING, on=date(2026, 3, 5)
    )
    first = CaseChange.objects.create(
        case=case, from_state="", to_state=State.LISTED, on=date(2026, 3, 1)
    )
    assert queries.case_history(case) == [first, second]


def test_open_case_of_finds_the_case_under_way(tree: dict[str, Organisation]) -> None:
    member = make_member(branch=tree["village"])
    make_case(member, State.NOT_LISTED)
    assert queries.open_case_of(member) is None
    case = make_case(member, State.PROPOSED_EXPULSION)
    assert queries.open_case_of(member) == case
