"""Reads of the targets: one node, many nodes, the history, and the children's shortfall
(issue 6: "show when the children's targets add up to less than the parent's")."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangvien.accounts.models import Role
from dangvien.factories import org, user_with_role
from dangvien.organisations.models import Kind, Organisation
from dangvien.stats.actions.targets import set_target
from dangvien.stats.queries.targets import (
    below,
    children_shortfall,
    history,
    target_of,
    targets_for,
    targets_page,
)
from dangvien.stats.tests.factories import make_target

pytestmark = pytest.mark.django_db

Tree = dict[str, Organisation]
YEAR = 2026


def test_a_node_without_a_target_has_none(tree: Tree) -> None:
    assert target_of(tree["commune"], YEAR) is None


def test_the_target_of_a_node_is_that_of_the_year_asked(tree: Tree) -> None:
    make_target(tree["commune"], 2025, 400)
    make_target(tree["commune"], YEAR, 450)
    assert target_of(tree["commune"], YEAR).target == 450  # type: ignore[union-attr]


def test_the_targets_of_many_nodes_come_in_one_query(tree: Tree) -> None:
    kids = [tree["village"], tree["school"], tree["clinic"]]
    make_target(kids[0], YEAR, 3)
    make_target(kids[1], YEAR, 12)
    make_target(kids[1], 2025, 99)
    with CaptureQueriesContext(connection) as captured:
        found = targets_for(kids, YEAR)
    assert len(captured.captured_queries) == 1
    assert {pk: t.target for pk, t in found.items()} == {kids[0].pk: 3, kids[1].pk: 12}


def test_the_history_lists_every_revision_newest_first_with_who_set_it(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *a: date(2026, 6, 15))
    staff = user_with_role(Role.BOARD_STAFF, tree["province"], display_name="Trần Thị Hoa")
    commune = tree["commune"]
    set_target(commune, year=YEAR, target=150, by=staff)
    set_target(commune, year=YEAR, target=170, reason="Bổ sung", by=staff)
    rows = list(history(commune, YEAR))
    assert [(r.revision, r.previous, r.value, r.reason) for r in rows] == [
        (2, 150, 170, "Bổ sung"),
        (1, None, 150, ""),
    ]
    assert str(rows[0].by) == "Trần Thị Hoa"
    assert list(history(commune, 2025)) == []


def test_the_shortfall_is_the_parent_target_minus_the_childrens_sum(tree: Tree) -> None:
    """Seed 003 style: the province plans 1,600; the communes got 1,450 between them."""
    make_target(tree["province"], YEAR, 1600)
    make_target(tree["commune"], YEAR, 1000)
    make_target(tree["other_commune"], YEAR, 450)
    assert children_shortfall(tree["province"], YEAR) == 150


def test_there_is_no_shortfall_when_the_children_add_up_to_the_parent_or_more(tree: Tree) -> None:
    make_target(tree["province"], YEAR, 1600)
    make_target(tree["commune"], YEAR, 1000)
    make_target(tree["other_commune"], YEAR, 600)
    assert children_shortfall(tree["province"], YEAR) is None
    make_target(tree["commune"], 2025, 1)  # another year does not count
    assert children_shortfall(tree["province"], YEAR) is None


def test_there_is_no_shortfall_without_a_parent_target_or_without_children(tree: Tree) -> None:
    make_target(tree["commune"], YEAR, 10)
    assert children_shortfall(tree["province"], YEAR) is None
    make_target(tree["village"], YEAR, 3)
    assert children_shortfall(tree["village"], YEAR) is None  # a branch has no children


def test_children_without_a_target_count_for_nothing_and_are_told(tree: Tree) -> None:
    make_target(tree["commune"], YEAR, 20)
    make_target(tree["school"], YEAR, 12)
    assert children_shortfall(tree["commune"], YEAR) == 8
    handed = below(tree["commune"], YEAR)
    assert (handed.count, handed.with_target, handed.missing, handed.total) == (3, 1, 2, 12)


def test_the_page_shows_each_child_with_what_it_handed_down_in_turn(tree: Tree) -> None:
    make_target(tree["commune"], YEAR, 20, women=8)
    make_target(tree["school"], YEAR, 12, youth_union=5)
    make_target(tree["school_branch"], YEAR, 4)
    make_target(tree["clinic"], YEAR, 2)
    data = targets_page(tree["commune"], YEAR)
    assert data.own_value == 20
    assert ("Nữ", 8) in data.own_breakdown
    rows = {r.org.name: r for r in data.rows}
    assert list(rows) == ["Chi bộ thôn Đông", "Chi bộ Trạm Y tế", "Đảng bộ Trường THPT An Bình"]
    school = rows["Đảng bộ Trường THPT An Bình"]
    assert (school.value, school.below.total, school.below.count, school.shortfall) == (
        12,
        4,
        1,
        8,
    )
    assert rows["Chi bộ thôn Đông"].target is None
    assert rows["Chi bộ thôn Đông"].below.count == 0
    assert data.below.total == 14
    assert data.shortfall == 6
    assert data.without_target == [tree["village"]]
    assert data.used_keys == ["youth_union"]  # no child has a women's target
    assert data.breakdown_totals == {"youth_union": 5}


def test_a_branch_page_has_only_its_own_target(tree: Tree) -> None:
    make_target(tree["village"], YEAR, 3)
    data = targets_page(tree["village"], YEAR)
    assert not data.has_children
    assert (data.own_value, data.shortfall) == (3, None)


def test_the_page_data_takes_the_same_queries_for_3_or_30_children(tree: Tree) -> None:
    commune = tree["commune"]

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            data = targets_page(commune, YEAR)
            _ = [(r.shortfall, r.breakdown_of(data.used_keys)) for r in data.rows], data.shortfall
        return len(captured.captured_queries)

    few = queries()
    for n in range(27):
        kid = org(Kind.GRASSROOTS_COMMITTEE, commune, name=f"Đảng bộ {n}")
        make_target(kid, YEAR, n)
        make_target(org(Kind.BRANCH, kid, name=f"Chi bộ {n}"), YEAR, 1)
    assert queries() == few
