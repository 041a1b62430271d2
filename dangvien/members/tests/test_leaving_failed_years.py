"""Removal on the ground "failed membership standards two years running" is checked against
the yearly ratings the committees decided (Charter Art. 8; 24/294-QĐ/TW §8.1; issue 7)."""

from typing import Any

import pytest

from dangvien.core.errors import NotEligible
from dangvien.factories import make_member
from dangvien.members.models import Proceeding, RemovalTrigger, Step
from dangvien.members.tests.test_leaving_actions import asked, branch_with, propose, staff
from dangvien.reviews.models import PeriodKind, Rating, Stage
from dangvien.reviews.tests.factories import make_period, make_review

pytestmark = pytest.mark.django_db


def rated(tree: Any, member: Any, ratings: dict[int, str], kind: str = PeriodKind.YEARLY) -> None:
    for year, rating in ratings.items():
        period = make_period(
            tree["province"], year, kind=kind, quarter=1 if kind != "yearly" else None
        )
        make_review(period, member, rating, stage=Stage.DECIDED, score="40")


def test_two_decided_failed_years_support_the_removal_ground(tree: Any) -> None:
    member = make_member(branch=tree["village"])
    branch_with(tree["village"], 6)
    rated(tree, member, {2024: Rating.FAILED, 2025: Rating.FAILED})
    asked(member, staff(tree))
    vote = propose(member, staff(tree))
    assert vote.passed
    notes = " ".join(member.changes.values_list("note", flat=True))
    assert "năm 2024, 2025, theo kết quả xếp loại cấp ủy đã quyết định" in notes


def test_a_year_decided_as_complete_refuses_the_ground_and_changes_nothing(tree: Any) -> None:
    member = make_member(branch=tree["village"])
    branch_with(tree["village"], 6)
    rated(tree, member, {2024: Rating.COMPLETE, 2025: Rating.FAILED})
    asked(member, staff(tree))
    with pytest.raises(NotEligible, match="năm 2024: hoàn thành nhiệm vụ") as refused:
        propose(member, staff(tree))
    assert refused.value.field == "trigger"
    assert Proceeding.objects.get(member=member).step == Step.OPEN
    assert not Proceeding.objects.get(member=member).votes.exists()


def test_years_reviewed_on_paper_do_not_block_and_the_timeline_says_so(tree: Any) -> None:
    member = make_member(branch=tree["village"])
    branch_with(tree["village"], 6)
    rated(tree, member, {2025: Rating.FAILED})
    asked(member, staff(tree), trigger=RemovalTrigger.FAILED_STANDARDS)
    propose(member, staff(tree))
    notes = " ".join(member.changes.values_list("note", flat=True))
    assert "năm 2024 chưa có kết quả trong hệ thống" in notes


def test_quarterly_ratings_do_not_count_as_a_year(tree: Any) -> None:
    member = make_member(branch=tree["village"])
    branch_with(tree["village"], 6)
    rated(tree, member, {2024: Rating.FAILED, 2025: Rating.FAILED})
    rated(tree, member, {2026: Rating.GOOD}, kind=PeriodKind.QUARTERLY)
    asked(member, staff(tree))
    assert propose(member, staff(tree)).passed
