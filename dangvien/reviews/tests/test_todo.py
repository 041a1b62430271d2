"""The quality review and screening rows of the home page's to-do list, and members
failing two years running on the removal to-do (issue 7)."""

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from dangvien.accounts.models import Role
from dangvien.factories import make_member, user_with_role
from dangvien.reviews.models import Rating, Stage
from dangvien.reviews.queries.todo import tasks
from dangvien.reviews.tests.factories import make_period, make_review

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 10)


def test_a_secretary_sees_how_many_members_the_branch_has_not_proposed_yet(tree: Any) -> None:
    members = [make_member(branch=tree["village"]) for _ in range(3)]
    period = make_period(tree["province"], 2026)
    make_review(period, members[0], Rating.GOOD)
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    found = tasks(secretary, TODAY)
    assert [t.what for t in found] == ["Chi bộ chưa đề xuất xếp loại 2 đảng viên"]
    assert found[0].url_name == "reviews:period" and found[0].pk == period.pk
    assert found[0].query == f"node={tree['village'].pk}"
    assert found[0].on == date(2026, 12, 31) and not found[0].overdue


def test_a_committee_sees_the_ratings_waiting_for_its_decision(tree: Any) -> None:
    member = make_member(branch=tree["school_branch"])
    period = make_period(tree["province"], 2026)
    make_review(period, member, Rating.GOOD, stage=Stage.BRANCH_PROPOSED)
    staff = user_with_role(Role.GRASSROOTS_STAFF, tree["school"])
    whats = [t.what for t in tasks(staff, TODAY)]
    assert "Chờ cấp ủy quyết định xếp loại 1 đảng viên" in whats


def test_nothing_to_do_once_everyone_is_decided_or_the_period_is_closed(tree: Any) -> None:
    member = make_member(branch=tree["village"])
    period = make_period(tree["province"], 2026)
    make_review(period, member, Rating.GOOD, stage=Stage.DECIDED)
    assert tasks(user_with_role(Role.BRANCH_SECRETARY, tree["village"]), TODAY) == []
    period.closed_on = TODAY
    period.save()
    make_member(branch=tree["village"])
    assert tasks(user_with_role(Role.BRANCH_SECRETARY, tree["village"]), TODAY) == []


def test_a_period_elsewhere_gives_no_task(tree: Any) -> None:
    make_member(branch=tree["other_branch"])
    make_period(tree["other_commune"], 2026)
    assert tasks(user_with_role(Role.BRANCH_SECRETARY, tree["village"]), TODAY) == []


def failed_twice(tree: Any) -> Any:
    member = make_member(branch=tree["village"])
    for year in (2025, 2026):
        period = make_period(tree["province"], year)
        make_review(period, member, Rating.FAILED, stage=Stage.DECIDED, score="40")
    return member


def test_the_home_page_lists_quality_tasks_and_members_failing_two_years(
    client: Any, tree: Any
) -> None:
    member = failed_twice(tree)
    make_member(branch=tree["village"])
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    client.force_login(secretary)
    page = client.get(reverse("home")).content.decode()
    assert 'id="todo-quality"' in page
    assert "Chi bộ chưa đề xuất xếp loại 1 đảng viên" in page
    assert 'id="todo-failed-running"' in page
    assert member.person.full_name in page and "năm 2025, 2026" in page


def test_the_removal_to_do_page_lists_members_failing_two_years(client: Any, tree: Any) -> None:
    member = failed_twice(tree)
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    page = client.get(reverse("members:removal-todo")).content.decode()
    assert "Không hoàn thành nhiệm vụ 2 năm liền" in page
    assert f'data-member="{member.pk}"' in page and "2025, 2026" in page


def test_members_failing_outside_the_scope_are_not_listed(client: Any, tree: Any) -> None:
    failed_twice(tree)
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["other_branch"]))
    page = client.get(reverse("members:removal-todo")).content.decode()
    assert "Không có đảng viên nào xếp loại không hoàn thành nhiệm vụ 2 năm liền" in page
