"""The knowledge test before the branch vote, where a province requires it (DOMAIN.md §3:
"Some provinces test candidates before admission. Configurable per province"; seed 000)."""

from datetime import date
from decimal import Decimal
from unittest.mock import patch

import pytest

from dangvien.candidates.models import Stage
from dangvien.candidates.tests.test_actions import (
    TODAY,
    VOTE_DAY,
    branch_vote,
    ready,
    refused,
)
from dangvien.core.errors import NotEligible
from dangvien.core.models import RuleParameter
from dangvien.exams.models import RoundStatus
from dangvien.exams.tests.factories import make_round, make_sitting
from dangvien.factories import make_user


@pytest.fixture(autouse=True)
def frozen_today():
    with patch("dangvien.candidates.actions._today", return_value=TODAY):
        yield


@pytest.fixture
def user(db):
    return make_user()


def require_test(organisation):
    RuleParameter.objects.create(
        key="admission.knowledge_test_required",
        value=True,
        effective_from=date(2025, 1, 1),
        organisation=organisation,
        source="Quy định của Tỉnh ủy về kiểm tra nhận thức trước khi kết nạp",
    )


def sat(candidate, *, held_on, passed, status=RoundStatus.SIGNED, score="7.50"):
    exam_round = make_round(candidate.branch.parent, held_on=held_on, status=status)
    return make_sitting(
        exam_round, candidate, passed=passed, final_score=Decimal(score), status="marked"
    )


def test_where_the_province_requires_the_test_the_vote_refuses_a_candidate_without_a_pass(
    tree, user
):
    require_test(tree["province"])
    candidate = ready(tree["village"])
    with refused(candidate, NotEligible) as info:
        branch_vote(candidate, user)
    assert "Chưa đạt kiểm tra nhận thức về Đảng" in str(info.value)


def test_a_failed_test_does_not_open_the_vote(tree, user):
    require_test(tree["province"])
    candidate = ready(tree["village"])
    sat(candidate, held_on=date(2026, 9, 1), passed=False, score="4.20")
    with refused(candidate, NotEligible):
        branch_vote(candidate, user)


def test_a_pass_not_yet_signed_off_by_the_chair_does_not_count(tree, user):
    require_test(tree["province"])
    candidate = ready(tree["village"])
    sat(candidate, held_on=date(2026, 9, 1), passed=True, status=RoundStatus.MARKING)
    with refused(candidate, NotEligible):
        branch_vote(candidate, user)


def test_a_signed_pass_lets_the_vote_go_ahead(tree, user):
    require_test(tree["province"])
    candidate = ready(tree["village"])
    sat(candidate, held_on=date(2026, 9, 1), passed=True)
    vote = branch_vote(candidate, user)
    assert vote.passed
    candidate.refresh_from_db()
    assert candidate.stage == Stage.BRANCH_PROPOSED


def test_a_pass_older_than_its_validity_is_refused(tree, user):
    """``exam.result_validity_months`` [U], 12 by default, counted back from the vote day."""
    require_test(tree["province"])
    candidate = ready(tree["village"])
    sat(candidate, held_on=date(2025, 10, 14), passed=True)
    with refused(candidate, NotEligible) as info:
        branch_vote(candidate, user)
    assert "quá 12 tháng" in str(info.value)


def test_a_province_that_does_not_require_the_test_votes_without_one(tree, user):
    require_test(tree["other_commune"])  # the setting covers only that commune's subtree
    candidate = ready(tree["village"])
    assert branch_vote(candidate, user, held_on=VOTE_DAY).passed


def test_the_candidate_page_shows_courses_and_test_results(tree, client):
    from dangvien.accounts.models import Role
    from dangvien.factories import make_candidate, user_with_role

    candidate = make_candidate(branch=tree["village"])
    sat(candidate, held_on=date(2026, 9, 1), passed=True, score="8.25")
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    page = client.get(f"/quan-chung/{candidate.pk}/").content.decode()
    assert "Bồi dưỡng và kiểm tra nhận thức" in page
    assert "8,25 điểm" in page and "Đạt" in page
