"""Screening outcomes of a node (screening.queries.results.screening_results)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangvien.factories import make_member
from dangvien.members.models import Proceeding, ProceedingKind
from dangvien.organisations.models import Organisation
from dangvien.screening.models import CaseChange, ScreeningCase, State
from dangvien.screening.queries.results import COLUMNS, screening_results
from dangvien.screening.tests.factories import make_case

Tree = dict[str, Organisation]


def decided(
    branch: Organisation,
    came_from: str | None,
    *,
    upheld: bool,
    proceeding: str | None = None,
    ballot_on: date = date(2026, 3, 1),
) -> ScreeningCase:
    """A decided case; ``came_from``: the state before ``decided`` in its history (None: no
    history row); ``proceeding``: the kind of its linked proceeding."""
    member = make_member(branch=branch)
    linked = (
        Proceeding.objects.create(member=member, kind=proceeding, opened_on=date(2026, 9, 1))
        if proceeding
        else None
    )
    case = make_case(
        member,
        State.DECIDED,
        ballot_on=ballot_on,
        proceeding=linked,
        decision_upheld=upheld,
        decided_on=date(2026, 10, 1),
        decision_no="12-QĐ/ĐU",
    )
    if came_from:
        CaseChange.objects.create(
            case=case, from_state=State.HELPING, to_state=came_from, on=date(2026, 9, 1)
        )
        CaseChange.objects.create(
            case=case, from_state=came_from, to_state=State.DECIDED, on=date(2026, 10, 1)
        )
    return case


@pytest.fixture
def cases(tree: Tree) -> Tree:
    village, school_branch, clinic = tree["village"], tree["school_branch"], tree["clinic"]
    make_case(make_member(branch=village), State.NOT_LISTED, ballot_in_favour=1)
    make_case(make_member(branch=village), State.LISTED)
    make_case(make_member(branch=village), State.HELPING)
    make_case(make_member(branch=village), State.HELPING)
    make_case(make_member(branch=school_branch), State.IMPROVED)
    make_case(make_member(branch=school_branch), State.PROPOSED_REMOVAL)
    make_case(make_member(branch=clinic), State.PROPOSED_EXPULSION)
    make_case(make_member(branch=clinic), State.EXIT_REQUESTED)
    decided(village, State.PROPOSED_REMOVAL, upheld=True, proceeding=ProceedingKind.REMOVAL)
    decided(village, None, upheld=True, proceeding=ProceedingKind.REMOVAL)  # no history row
    decided(school_branch, State.PROPOSED_EXPULSION, upheld=True)
    decided(school_branch, None, upheld=True)  # no history, no proceeding: expulsion
    decided(clinic, State.EXIT_REQUESTED, upheld=True, proceeding=ProceedingKind.EXIT)
    decided(clinic, State.PROPOSED_EXPULSION, upheld=False)
    # Not this year, or not under the commune.
    make_case(make_member(branch=village), State.HELPING, ballot_on=date(2025, 12, 31))
    decided(village, State.PROPOSED_REMOVAL, upheld=True, ballot_on=date(2027, 1, 1))
    make_case(make_member(branch=tree["other_branch"]), State.LISTED)
    return tree


def test_each_case_counts_where_it_stands_now(cases: Tree) -> None:
    figures = screening_results(cases["commune"], 2026).figures
    assert {c: figures[c] for c, _label in COLUMNS} == {
        "held": 14,
        "listed": 13,
        "not_listed": 1,
        "awaiting_helper": 1,
        "helping": 2,
        "improved": 1,
        "proposed_removal": 3,
        "proposed_expulsion": 4,
        "exit_requested": 2,
        "awaiting_decision": 3,
        "removed": 2,
        "expelled": 2,
        "exited": 1,
        "not_upheld": 1,
    }


def test_the_columns_add_up(cases: Tree) -> None:
    f = screening_results(cases["province"], 2026).figures
    assert f["held"] == f["listed"] + f["not_listed"]
    assert f["listed"] == sum(
        f[c]
        for c in (
            "awaiting_helper",
            "helping",
            "improved",
            "proposed_removal",
            "proposed_expulsion",
            "exit_requested",
        )
    )
    proposals = f["proposed_removal"] + f["proposed_expulsion"] + f["exit_requested"]
    assert proposals == sum(
        f[c] for c in ("awaiting_decision", "removed", "expelled", "exited", "not_upheld")
    )


def test_per_child_figures_and_shares(cases: Tree) -> None:
    result = screening_results(cases["commune"], 2026)
    by_child = {c.organisation.pk: c for c in result.children}
    village = by_child[cases["village"].pk]
    assert (village["held"], village["listed"], village["removed"]) == (6, 5, 2)
    school = by_child[cases["school"].pk]
    assert (school["improved"], school["expelled"]) == (1, 2)
    clinic = by_child[cases["clinic"].pk]
    assert (clinic["exited"], clinic["not_upheld"], clinic["awaiting_decision"]) == (1, 1, 2)
    assert result.figures.share("listed") == 92.9  # 13 of 14
    assert result.figures.share("helping") == 15.4  # 2 of 13
    assert result.figures.share("removed") == 22.2  # 2 of 9 proposals
    assert result.figures.share("held") is None


def test_other_years_and_other_communes_are_left_out(cases: Tree) -> None:
    assert screening_results(cases["commune"], 2025).figures["held"] == 1
    assert screening_results(cases["other_commune"], 2026).figures["held"] == 1
    assert screening_results(cases["province"], 2026).figures["held"] == 15


def test_the_criteria_of_the_listed_cases_are_counted(tree: Tree) -> None:
    make_case(make_member(branch=tree["village"]), State.LISTED, criteria=["duties", "ethics"])
    make_case(make_member(branch=tree["village"]), State.HELPING, criteria=["duties"])
    make_case(
        make_member(branch=tree["village"]),
        State.NOT_LISTED,
        criteria=["politics"],
        ballot_in_favour=1,
    )
    lines = {
        label: (n, share)
        for label, n, share in screening_results(tree["commune"], 2026).criteria_lines()
    }
    assert lines["Không thực hiện nhiệm vụ đảng viên"] == (2, 100.0)
    assert lines["Suy thoái về đạo đức, lối sống"] == (1, 50.0)
    assert lines["Suy thoái về tư tưởng chính trị"] == (0, 0.0)


def test_the_query_count_does_not_grow_with_the_cases(tree: Tree) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            screening_results(tree["province"], 2026)
        return len(captured.captured_queries)

    before = queries()
    for key in ("village", "school_branch", "clinic", "other_branch"):
        make_case(make_member(branch=tree[key]), State.HELPING)
        decided(tree[key], State.PROPOSED_REMOVAL, upheld=True, proceeding=ProceedingKind.REMOVAL)
    assert queries() == before <= 3
