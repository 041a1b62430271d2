"""Quota usage per committee and per chi bộ (132/124-QĐ/TW 20% [U])."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangvien.factories import make_member, org
from dangvien.organisations.models import Kind, Organisation
from dangvien.reviews.models import Rating, Stage
from dangvien.reviews.queries.quotas import quota_usage
from dangvien.reviews.tests.factories import make_period, make_review

pytestmark = pytest.mark.django_db


def reviews(period: Any, branch: Organisation, rating: str, stage: str, n: int) -> None:
    for _ in range(n):
        make_review(period, make_member(branch=branch), rating, stage, "95")


def test_quota_usage_counts_proposed_and_decided_per_chi_bo_and_for_the_committee(
    tree: dict[str, Organisation],
) -> None:
    period = make_period(tree["province"], 2026)
    village, school_branch = tree["village"], tree["school_branch"]
    reviews(period, village, Rating.EXCELLENT, Stage.BRANCH_PROPOSED, 3)
    reviews(period, village, Rating.GOOD, Stage.BRANCH_PROPOSED, 7)
    reviews(period, village, Rating.EXCELLENT, Stage.DECIDED, 1)
    reviews(period, village, Rating.COMPLETE, Stage.DECIDED, 2)
    reviews(period, village, Rating.EXCELLENT, Stage.SELF_ASSESSED, 4)  # not counted
    reviews(period, school_branch, Rating.GOOD, Stage.PUBLISHED, 5)
    lines = {line.organisation.name: line for line in quota_usage(period, tree["commune"])}
    committee = lines["Đảng bộ xã An Bình"]
    assert committee.committee and committee.percent == 20
    # The commune decides the village only (the school decides its own chi bộ).
    assert (committee.proposed.good_or_better, committee.proposed.excellent) == (11, 4)
    assert (committee.proposed.allowed, committee.proposed.over) == (2, True)
    assert (committee.decided.good_or_better, committee.decided.excellent) == (1, 1)
    assert (committee.decided.allowed, committee.decided.over) == (0, True)
    village_line = lines["Chi bộ thôn Đông"]
    assert not village_line.committee and village_line.proposed == committee.proposed
    school_line = lines["Chi bộ Tổ Toán"]
    assert (school_line.proposed.good_or_better, school_line.decided.good_or_better) == (5, 5)
    assert not school_line.over
    assert lines["Chi bộ Trạm Y tế"].proposed.good_or_better == 0
    assert "Đảng bộ Trường THPT An Bình" not in lines  # not a chi bộ, not the node asked


def test_a_chi_bo_co_so_has_one_line(tree: dict[str, Organisation]) -> None:
    period = make_period(tree["province"], 2026)
    reviews(period, tree["clinic"], Rating.EXCELLENT, Stage.BRANCH_PROPOSED, 2)
    reviews(period, tree["clinic"], Rating.GOOD, Stage.BRANCH_PROPOSED, 8)
    (line,) = quota_usage(period, tree["clinic"])
    assert line.committee and (line.proposed.excellent, line.proposed.allowed) == (2, 2)
    assert not line.over


def test_a_plain_chi_bo_sees_its_own_line(tree: dict[str, Organisation]) -> None:
    period = make_period(tree["province"], 2026)
    reviews(period, tree["village"], Rating.EXCELLENT, Stage.BRANCH_PROPOSED, 3)
    reviews(period, tree["village"], Rating.GOOD, Stage.BRANCH_PROPOSED, 7)
    (line,) = quota_usage(period, tree["village"])
    assert line.organisation == tree["village"] and not line.committee
    assert (line.proposed.good_or_better, line.proposed.excellent) == (10, 3)
    assert (line.proposed.allowed, line.over) == (2, True)


def test_quota_usage_takes_the_same_queries_whatever_the_size(
    tree: dict[str, Organisation],
) -> None:
    period = make_period(tree["province"], 2026)
    counts = []
    for size in (1, 6):
        for _ in range(size):
            branch = org(Kind.BRANCH, tree["commune"])
            reviews(period, branch, Rating.GOOD, Stage.BRANCH_PROPOSED, 2)
        with CaptureQueriesContext(connection) as captured:
            quota_usage(period, tree["commune"])
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1] <= 4
