"""Member flows of a node in a period and their balance (stats.queries.flows; issue 6
"Statistics of record"; DOMAIN.md §9)."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangvien.factories import make_member, make_person, org
from dangvien.members.models import Member, Status, Transfer, TransferKind
from dangvien.organisations.models import Kind, Organisation
from dangvien.stats.admission_facts import refresh_admissions
from dangvien.stats.queries import facts
from dangvien.stats.queries.flows import flows
from dangvien.stats.queries.structure import structure
from dangvien.stats.tests.factories import make_admission
from dangvien.stats.tests.test_structure_figures import permanent_move

Tree = dict[str, Organisation]
START, END = date(2026, 1, 1), date(2026, 6, 30)


def child(result: Any, node: Organisation) -> Any:
    return next(c for c in result.children if c.organisation == node and not c.direct)


def joined(branch: Organisation, ceremony: date, **fields: Any) -> Member:
    return make_member(
        branch=branch,
        status=Status.PROBATIONARY,
        admitted_on=ceremony - timedelta(days=20),
        probation_started_on=ceremony,
        official_on=None,
        **fields,
    )


@pytest.fixture
def year(tree: Tree) -> Tree:
    """Half a year of a commune: members at the start, joins, deaths, removals, moves in,
    out, inside, and out of the system."""
    for _ in range(5):
        make_member(branch=tree["village"])
    for _ in range(3):
        make_member(branch=tree["school_branch"])
    make_member(branch=tree["other_branch"])
    # Joined in the period (one of them moves out afterwards).
    joined(tree["village"], date(2026, 2, 3))
    later_out = joined(tree["clinic"], date(2026, 3, 1))
    permanent_move(later_out, tree["other_branch"], date(2026, 5, 5))
    joined(tree["village"], date(2026, 7, 2))  # after the period
    # Left in the period.
    make_member(branch=tree["village"], status=Status.DECEASED, left_on=date(2026, 3, 15))
    make_member(branch=tree["school_branch"], status=Status.REMOVED, left_on=date(2026, 4, 1))
    make_member(branch=tree["village"], status=Status.EXPELLED, left_on=date(2026, 6, 30))
    make_member(branch=tree["clinic"], status=Status.EXITED, left_on=date(2025, 12, 31))  # before
    # Moves: in from the other commune, out to it, inside the commune.
    incoming = make_member(branch=tree["other_branch"])
    permanent_move(incoming, tree["clinic"], date(2026, 2, 10))
    outgoing = make_member(branch=tree["school_branch"])
    permanent_move(outgoing, tree["other_branch"], date(2026, 4, 20))
    inside = make_member(branch=tree["village"])
    permanent_move(inside, tree["school_branch"], date(2026, 3, 3))
    moved_later = make_member(branch=tree["village"])
    permanent_move(moved_later, tree["other_branch"], date(2026, 8, 1))  # after the period
    # A letter to an organisation outside the system.
    leaving = make_member(branch=tree["clinic"])
    Transfer.objects.create(
        member=leaving,
        kind=TransferKind.PERMANENT,
        from_branch=tree["clinic"],
        to_name="Đảng bộ Quân sự tỉnh",
        letter_no="GT-QS",
        issued_on=date(2026, 5, 20),
        present_by=date(2026, 6, 20),
    )
    # Recognised official in the period.
    make_member(
        branch=tree["village"],
        admitted_on=date(2025, 1, 5),
        probation_started_on=date(2025, 1, 10),
        official_on=date(2026, 1, 10),
    )
    # Admission decisions (facts' definition) with a breakdown.
    make_admission(tree["village"], date(2026, 3, 2), person=make_person(sex="female"))
    make_admission(tree["school_branch"], date(2026, 5, 2))
    return tree


def test_the_balance_start_plus_in_minus_out_equals_the_end(year: Tree) -> None:
    result = flows(year["commune"], START, END)
    f = result.figures
    # Start (31/12/2025): 5 + 3 + inside + moved_later + outgoing + leaving + recognised
    # + deceased + removed + expelled = 16.
    assert f.at_start == 16
    assert f.joined == 2
    assert f.transferred_in == 1
    assert (f["deceased"], f["removed"], f["expelled"], f["exited"]) == (1, 1, 1, 0)
    assert f.transferred_out == 3  # outgoing, the one who joined then moved, the letter out
    assert f["transferred_out_of_system"] == 1
    assert f.at_end == structure(year["commune"], END).figures.total
    assert f.at_start == structure(year["commune"], START - timedelta(days=1)).figures.total
    assert f.at_start + f.joined + f.transferred_in - f.left - f.transferred_out == f.at_end
    assert f.at_end == 13
    assert f.balanced


def test_the_balance_holds_for_each_child_with_moves_between_children_counted_both_ways(
    year: Tree,
) -> None:
    result = flows(year["commune"], START, END)
    for item in result.children:
        assert item.balanced, item.label
        assert item.at_end == structure(item.organisation, END).figures.total, item.label
    village, school = child(result, year["village"]), child(result, year["school"])
    assert village.transferred_out == 1  # the move inside the commune
    assert school.transferred_in == 1
    for column in ("at_start", "at_end", "joined", "deceased", "removed", "expelled"):
        assert sum(c[column] for c in result.children) == result.figures[column], column
    province = flows(year["province"], START, END)
    assert province.figures.balanced
    assert province.figures.transferred_in == 0  # every move stays inside the province
    assert province.figures.transferred_out == 1  # but the letter out of the system
    assert child(province, year["commune"]).transferred_out == 3
    assert child(province, year["other_commune"]).balanced


def test_moves_inside_the_subtree_are_no_flow(tree: Tree) -> None:
    member = make_member(branch=tree["village"])
    permanent_move(member, tree["school_branch"], date(2026, 3, 1))
    f = flows(tree["commune"], START, END).figures
    assert (f.transferred_in, f.transferred_out, f.at_start, f.at_end) == (0, 0, 1, 1)


def test_admissions_and_their_breakdowns_come_from_the_one_definition(year: Tree) -> None:
    result = flows(year["commune"], START, END)
    assert result.figures.admitted == facts.admission_breakdown(year["commune"].path, START, END)
    # Two candidates decided, and two members recorded without a candidacy whose decision
    # falls in the period (one of them has their ceremony only in July).
    assert result.figures.admitted_total == 4
    breakdown = {key: (count, share) for key, _label, count, share in result.breakdown()}
    assert breakdown["women"] == (1, 25.0)
    assert child(result, year["village"]).admitted_total == 3


def test_a_member_recognised_official_in_the_period_is_counted_once(year: Tree) -> None:
    result = flows(year["commune"], START, END)
    assert result.figures.recognised == 1
    assert child(result, year["village"]).recognised == 1
    assert flows(year["commune"], date(2026, 2, 1), END).figures.recognised == 0


def test_a_member_who_left_before_the_period_is_in_no_figure(tree: Tree) -> None:
    make_member(branch=tree["clinic"], status=Status.EXITED, left_on=date(2025, 12, 31))
    f = flows(tree["commune"], START, END).figures
    assert (f.at_start, f["exited"], f.at_end) == (0, 0, 0)


def test_the_query_count_does_not_grow_with_the_tree_or_the_members(year: Tree) -> None:
    def queries() -> int:
        refresh_admissions()  # the writes are taken into the facts once (stats.admission_facts)
        with CaptureQueriesContext(connection) as captured:
            flows(year["province"], START, END)
        return len(captured.captured_queries)

    before = queries()
    for _ in range(4):
        commune = org(Kind.COMMUNE, year["province"])
        branch = org(Kind.BRANCH, commune)
        for _ in range(3):
            make_member(branch=branch)
        moved = make_member(branch=branch)
        permanent_move(moved, year["village"], date(2026, 4, 4))
    assert queries() == before


def test_a_readmitted_members_first_exit_and_return_keep_the_balance(tree: Tree) -> None:
    """The first exit is kept by the readmission gap (readmit rewrites left_on)."""
    from dangvien.members.models import Gap
    from dangvien.members.queries.records import READMISSION_GAP

    member = make_member(
        branch=tree["village"],
        status=Status.PROBATIONARY,
        first_admitted_on=date(2001, 1, 1),
        admitted_on=date(2029, 2, 1),
        readmitted_on=date(2029, 2, 1),
        probation_started_on=date(2029, 2, 15),
        official_on=None,
    )
    Gap.objects.create(
        member=member, from_on=date(2026, 3, 1), until_on=date(2029, 2, 1), reason=READMISSION_GAP
    )
    f = flows(tree["commune"], START, END).figures
    assert (f.at_start, f.at_end, f["left_other"]) == (1, 0, 1)
    assert f.balanced
    back = flows(tree["commune"], date(2029, 1, 1), date(2029, 12, 31)).figures
    assert (back.at_start, back.joined, back.at_end) == (0, 1, 1)
    assert back.balanced
