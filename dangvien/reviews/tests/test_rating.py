"""The rating rules: bands at each edge, the discipline cap, degradation, organisations,
the quota on "excellent" (366-QĐ/TW Art. 11 [C]; 16-HD/BTCTW 2018, 124-QĐ/TW [C];
132/124-QĐ/TW 20% [U])."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from dangvien.core.models import RuleParameter
from dangvien.core.rules import rule
from dangvien.organisations.models import Organisation
from dangvien.reviews.models import Rating
from dangvien.reviews.rating import (
    KEYS,
    excellent_allowed,
    highest_rating,
    quota_problem,
    rating_problem,
    thresholds_for,
)

pytestmark = pytest.mark.django_db

ON = date(2026, 12, 31)


def rated(tree: dict[str, Organisation], score: str, **kw: Any) -> tuple[str, str]:
    """``highest_rating`` of a village member on ``ON``: every task on time and 30% beyond
    requirements unless ``kw`` says otherwise."""
    kw.setdefault("on_time_percent", 100)
    kw.setdefault("beyond_percent", 30)
    return highest_rating(score=Decimal(score), on=ON, organisation=tree["village"], **kw)


def highest(tree: dict[str, Organisation], score: str, **kw: Any) -> str:
    rating, _why = rated(tree, score, **kw)
    return rating


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        ("100", Rating.EXCELLENT),
        ("90", Rating.EXCELLENT),
        ("89.9", Rating.GOOD),
        ("70", Rating.GOOD),
        ("69.9", Rating.COMPLETE),
        ("50", Rating.COMPLETE),
        ("49.9", Rating.FAILED),
        ("0", Rating.FAILED),
    ],
)
def test_the_score_bands_meet_at_90_70_and_50(
    tree: dict[str, Organisation], score: str, expected: str
) -> None:
    assert highest(tree, score) == expected


def test_excellent_needs_every_task_on_time(tree: dict[str, Organisation]) -> None:
    assert highest(tree, "95", on_time_percent=100) == Rating.EXCELLENT
    # 99% on time: neither excellent nor good (both need 100%), complete allows 20% late.
    assert highest(tree, "95", on_time_percent=99) == Rating.COMPLETE


def test_excellent_needs_30_percent_beyond_requirements(tree: dict[str, Organisation]) -> None:
    assert highest(tree, "95", beyond_percent=30) == Rating.EXCELLENT
    assert highest(tree, "95", beyond_percent=29) == Rating.GOOD


def test_complete_allows_at_most_20_percent_of_tasks_late(tree: dict[str, Organisation]) -> None:
    assert highest(tree, "60", on_time_percent=80) == Rating.COMPLETE
    assert highest(tree, "60", on_time_percent=79) == Rating.FAILED


def test_why_not_higher_names_the_score_the_condition_and_the_rule(
    tree: dict[str, Organisation],
) -> None:
    rating, why = rated(tree, "89.9", beyond_percent=20)
    assert rating == Rating.GOOD
    assert why == (
        "Chưa đủ điều kiện “Hoàn thành xuất sắc nhiệm vụ”: điểm 89,9 dưới 90; nhiệm vụ vượt "
        "yêu cầu 20% dưới 30% (366-QĐ/TW Điều 11 [C])."
    )
    assert rated(tree, "95", beyond_percent=40) == (Rating.EXCELLENT, "")


def test_a_member_disciplined_in_the_period_is_capped_at_failed(
    tree: dict[str, Organisation],
) -> None:
    rating, why = rated(tree, "95", beyond_percent=40, disciplined=True)
    assert rating == Rating.FAILED
    assert why.startswith("Bị kỷ luật trong kỳ") and "124-QĐ/TW" in why


def test_the_discipline_cap_is_a_rule_parameter(tree: dict[str, Organisation]) -> None:
    RuleParameter.objects.create(
        key="review.disciplined_max_rating",
        value="complete",
        effective_from=date(2026, 1, 1),
        organisation=tree["province"],
        source="Hướng dẫn của tỉnh",
    )
    assert highest(tree, "95", beyond_percent=40, disciplined=True) == Rating.COMPLETE
    # The cap never raises a rating the score does not allow.
    assert highest(tree, "40", disciplined=True) == Rating.FAILED


def test_degradation_fails_the_rating(tree: dict[str, Organisation]) -> None:
    assert highest(tree, "95", degraded=True) == Rating.FAILED


def test_an_organisation_needs_its_shortcomings_fixed_for_excellent(
    tree: dict[str, Organisation],
) -> None:
    assert highest(tree, "95", collective=True) == Rating.EXCELLENT
    assert highest(tree, "95", collective=True, shortcomings_fixed=False) == Rating.GOOD


def test_a_disciplined_organisation_loses_excellent_but_is_not_capped_at_failed(
    tree: dict[str, Organisation],
) -> None:
    assert highest(tree, "95", collective=True, disciplined=True) == Rating.GOOD


def test_a_rating_lower_than_allowed_is_fine_and_a_higher_one_is_refused(
    tree: dict[str, Organisation],
) -> None:
    common: dict[str, Any] = {
        "score": Decimal("75"),
        "on_time_percent": 100,
        "beyond_percent": 0,
        "on": ON,
        "organisation": tree["village"],
    }
    assert rating_problem(Rating.COMPLETE, **common) == ""
    assert rating_problem(Rating.GOOD, **common) == ""
    assert rating_problem(Rating.EXCELLENT, **common) == (
        "Không thể xếp loại “Hoàn thành xuất sắc nhiệm vụ” (điểm 75): điểm 75 dưới 90; "
        "nhiệm vụ vượt yêu cầu 0% dưới 30% (366-QĐ/TW Điều 11 [C]). Mức cao nhất được xếp: "
        "“Hoàn thành tốt nhiệm vụ”."
    )
    assert "không hợp lệ" in rating_problem("perfect", **common)


def test_a_disciplined_member_refused_good_is_told_about_the_cap(
    tree: dict[str, Organisation],
) -> None:
    message = rating_problem(
        Rating.GOOD,
        score=Decimal("80"),
        on_time_percent=100,
        beyond_percent=0,
        on=ON,
        organisation=tree["village"],
        disciplined=True,
    )
    assert "bị kỷ luật trong kỳ" in message
    assert "Mức cao nhất được xếp: “Không hoàn thành nhiệm vụ”" in message


def test_the_quota_allows_20_percent_of_those_rated_good_or_better(
    tree: dict[str, Organisation],
) -> None:
    org = tree["village"]
    assert excellent_allowed(10, on=ON, organisation=org) == 2
    assert excellent_allowed(14, on=ON, organisation=org) == 2
    assert excellent_allowed(15, on=ON, organisation=org) == 3
    assert excellent_allowed(4, on=ON, organisation=org) == 0


def test_two_excellent_of_ten_is_exactly_at_the_quota_and_three_is_over(
    tree: dict[str, Organisation],
) -> None:
    org = tree["village"]
    assert quota_problem(2, 10, where=org.name, on=ON, organisation=org) == ""
    assert quota_problem(3, 10, where=org.name, on=ON, organisation=org) == (
        "Chi bộ thôn Đông đề xuất 3 đảng viên hoàn thành xuất sắc trên 10 đảng viên hoàn "
        "thành tốt trở lên: vượt tỷ lệ 20% (tối đa 2)."
    )


def test_thresholds_follow_the_same_precedence_as_rule(tree: dict[str, Organisation]) -> None:
    """Most specific organisation first, then the latest date (core.rules.rule)."""
    versions = [
        ("review.excellent_min_score", 92, date(2025, 1, 1), None),
        ("review.excellent_min_score", 95, date(2026, 1, 1), tree["province"]),
        ("review.excellent_min_score", 88, date(2024, 1, 1), tree["commune"]),
        ("review.good_min_score", 75, date(2027, 1, 1), None),  # not yet in force
        ("review.excellent_quota_percent", 25, date(2026, 6, 1), tree["school"]),
        ("review.excellent_quota_percent", 15, date(2026, 7, 1), None),
    ]
    for key, value, since, org in versions:
        RuleParameter.objects.create(
            key=key, value=value, effective_from=since, organisation=org, source="thử"
        )
    orgs = [tree[k] for k in ("village", "school_branch", "other_branch", "province")]
    found = thresholds_for(orgs, on=ON)
    for org in orgs:
        t = found[org.pk]
        assert t.excellent_min_score == rule("review.excellent_min_score", on=ON, organisation=org)
        assert t.good_min_score == rule("review.good_min_score", on=ON, organisation=org)
        assert t.excellent_quota_percent == rule(
            "review.excellent_quota_percent", on=ON, organisation=org
        )
    assert found[tree["village"].pk].excellent_min_score == 88
    assert found[tree["other_branch"].pk].excellent_min_score == 95
    assert found[tree["school_branch"].pk].excellent_quota_percent == 25
    assert found[tree["other_branch"].pk].excellent_quota_percent == 15
    assert set(KEYS) >= {"review.excellent_min_score", "review.failed_years_for_removal"}
