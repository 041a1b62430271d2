"""The home page's targets and survey tasks (stats.queries.todo) and achievement line."""

import random
from datetime import date, timedelta

import pytest
from django.utils import timezone

from dangvien.accounts.models import Role
from dangvien.candidates.models import Stage
from dangvien.core.models import RuleParameter
from dangvien.factories import make_member, org, user_with_role
from dangvien.organisations.models import Kind, Organisation
from dangvien.stats.actions.surveys import take_pool_survey
from dangvien.stats.queries.achievement import achievement
from dangvien.stats.queries.todo import home_achievement, tasks
from dangvien.stats.tests.factories import make_admission, make_target

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 10)  # the last month of quarter IV


def _whats(user, today=TODAY) -> list[str]:
    return [task.what for task in tasks(user, today)]


def test_a_province_without_its_own_target_is_asked_to_record_it(tree) -> None:
    board = user_with_role(Role.BOARD_STAFF, tree["province"])
    assert "Chưa nhập chỉ tiêu kết nạp năm 2026" in _whats(board)
    make_target(tree["province"], 2026, 100)
    assert "Chưa nhập chỉ tiêu kết nạp năm 2026" not in _whats(board)


def test_children_still_without_a_target_are_counted(tree) -> None:
    board = user_with_role(Role.BOARD_STAFF, tree["province"])
    assert "Chưa giao chỉ tiêu kết nạp năm 2026 cho 2 tổ chức trực thuộc" in _whats(board)
    make_target(tree["commune"], 2026, 10)
    assert "Chưa giao chỉ tiêu kết nạp năm 2026 cho 1 tổ chức trực thuộc" in _whats(board)
    make_target(tree["other_commune"], 2026, 5)
    assert not [w for w in _whats(board) if w.startswith("Chưa giao")]


def test_a_branch_secretary_has_no_target_or_survey_task(tree) -> None:
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    assert tasks(secretary, TODAY) == []


def test_the_survey_is_overdue_when_the_last_quarter_closed_without_it(tree) -> None:
    board = user_with_role(Role.BOARD_STAFF, tree["commune"])
    found = {t.what: t for t in tasks(board, TODAY)}
    overdue = found["Chưa chốt khảo sát nguồn quý III/2026"]
    assert overdue.overdue and overdue.on == date(2026, 9, 30)
    running = found["Khảo sát nguồn quần chúng quý IV/2026"]
    assert not running.overdue and running.on == date(2026, 12, 31)


def test_taken_surveys_clear_the_tasks_and_early_in_a_quarter_nothing_is_asked(tree) -> None:
    board = user_with_role(Role.BOARD_STAFF, tree["commune"])
    take_pool_survey(tree["commune"], year=2026, quarter=3, by=None)
    assert "Chưa chốt khảo sát nguồn quý III/2026" not in _whats(board)
    assert "Khảo sát nguồn quần chúng quý IV/2026" not in _whats(board, date(2026, 10, 5))


def test_the_home_page_shows_the_achievement_of_the_users_node(client, tree) -> None:
    year = timezone.localdate().year
    user = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    make_target(tree["village"], year, 3)
    make_admission(tree["village"], date(year, 1, 2))
    client.force_login(user)
    page = client.get("/").content.decode()
    assert "đã kết nạp <strong>1</strong> / chỉ tiêu 3" in page
    assert "33,3%" in page


# ---- the achievement line: the same figures as the dashboard's ------------------------


def test_the_home_line_equals_the_dashboards_figures_for_every_node_and_day(tree) -> None:
    """``home_achievement`` against ``achievement`` by brute force: every node, days before,
    within and at the end of the year, admissions from the three sources (decided
    candidates, members recorded directly, readmissions) and rejected candidates, targets
    ahead of and behind the pace, none, and a province's own pace rule."""
    rng = random.Random(9)
    deep = org(Kind.BRANCH, tree["school"], name="Chi bộ Tổ Văn")
    branches = [tree["village"], tree["school_branch"], tree["clinic"], tree["other_branch"], deep]
    for _ in range(60):
        branch = rng.choice(branches)
        day = date(rng.choice([2025, 2026]), 1, 1) + timedelta(days=rng.randrange(365))
        kind = rng.random()
        if kind < 0.6:
            make_admission(branch, day, stage=rng.choice([Stage.ADMITTED, Stage.MEMBER]))
        elif kind < 0.7:
            make_admission(branch, day, stage=Stage.REJECTED)
        elif kind < 0.85:
            make_member(branch=branch, admitted_on=day, first_admitted_on=day)
        else:
            make_member(
                branch=branch,
                admitted_on=day,
                readmitted_on=day,
                first_admitted_on=date(2001, 1, 1),
            )
    for node, target in [
        (tree["province"], 40),
        (tree["commune"], 12),  # ahead of the pace for part of the year
        (tree["village"], 30),  # behind it
        (tree["school"], 0),
        (deep, 4),
    ]:
        make_target(node, 2026, target)
    RuleParameter.objects.create(
        key="targets.pace_warning_percent",
        value=50,
        effective_from=date(2020, 1, 1),
        organisation=tree["province"],
        source="test",
    )
    compared = behind = 0
    for node in Organisation.objects.all():
        for today in [date(2026, 1, 1), date(2026, 4, 15), date(2026, 9, 30), date(2026, 12, 31)]:
            full = achievement(node, 2026, on=today)
            line = home_achievement(node, today)
            assert (line.organisation, line.year) == (node, 2026)
            assert (line.admitted, line.target, line.percent, line.behind) == (
                full.admitted,
                full.target,
                full.percent,
                full.behind,
            ), (node.name, today)
            compared += 1
            behind += line.behind
    assert compared >= 30 and behind > 0
