"""The home page's targets and survey tasks (stats.queries.todo) and achievement line."""

from datetime import date

import pytest
from django.utils import timezone

from dangvien.accounts.models import Role
from dangvien.factories import user_with_role
from dangvien.stats.actions.surveys import take_pool_survey
from dangvien.stats.queries.todo import tasks
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
