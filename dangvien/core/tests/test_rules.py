"""Versioned rule parameters (DOMAIN.md §0): a default per key, overridden from a date on,
nationwide or for one subtree."""

from datetime import date

import pytest

from dangvien.core.models import RuleParameter
from dangvien.core.rules import DEFAULTS, ratio_met, ratio_text, rule
from dangvien.factories import org
from dangvien.organisations.models import Kind

KEY = "admission.certificate_validity_months"


def test_the_default_applies_when_no_version_is_stored(db):
    assert rule(KEY, on=date(2026, 1, 1)) == DEFAULTS[KEY].value == 60


def test_an_unknown_key_is_a_programming_error(db):
    with pytest.raises(KeyError):
        rule("admission.no_such_rule", on=date(2026, 1, 1))


def test_a_later_version_applies_only_from_its_effective_date(db):
    RuleParameter.objects.create(
        key=KEY, value=48, effective_from=date(2026, 7, 1), source="Thử nghiệm"
    )
    assert rule(KEY, on=date(2026, 6, 30)) == 60
    assert rule(KEY, on=date(2026, 7, 1)) == 48
    assert rule(KEY, on=date(2027, 1, 1)) == 48


def test_the_latest_version_in_force_wins(db):
    RuleParameter.objects.create(key=KEY, value=48, effective_from=date(2025, 1, 1), source="A")
    RuleParameter.objects.create(key=KEY, value=36, effective_from=date(2026, 1, 1), source="B")
    assert rule(KEY, on=date(2025, 6, 1)) == 48
    assert rule(KEY, on=date(2026, 6, 1)) == 36


def test_a_province_version_applies_to_its_subtree_only(tree):
    """One province keeps certificates valid 36 months; another province is unaffected."""
    RuleParameter.objects.create(
        key=KEY,
        value=36,
        effective_from=date(2025, 1, 1),
        organisation=tree["province"],
        source="Hướng dẫn của Tỉnh ủy",
    )
    other_province = org(Kind.PROVINCE)
    other_branch = org(Kind.BRANCH, org(Kind.COMMUNE, other_province))
    on = date(2026, 1, 1)
    assert rule(KEY, on=on, organisation=tree["province"]) == 36
    assert rule(KEY, on=on, organisation=tree["village"]) == 36
    assert rule(KEY, on=on, organisation=tree["school_branch"]) == 36
    assert rule(KEY, on=on, organisation=other_branch) == 60
    assert rule(KEY, on=on) == 60


def test_a_version_for_one_commune_leaves_its_sibling_commune_alone(tree):
    RuleParameter.objects.create(
        key=KEY,
        value=24,
        effective_from=date(2025, 1, 1),
        organisation=tree["commune"],
        source="Thử",
    )
    on = date(2026, 1, 1)
    assert rule(KEY, on=on, organisation=tree["village"]) == 24
    assert rule(KEY, on=on, organisation=tree["other_branch"]) == 60
    assert rule(KEY, on=on, organisation=tree["province"]) == 60


def test_the_most_specific_organisation_wins_over_a_newer_nationwide_version(tree):
    RuleParameter.objects.create(
        key=KEY,
        value=36,
        effective_from=date(2025, 1, 1),
        organisation=tree["province"],
        source="Tỉnh",
    )
    RuleParameter.objects.create(key=KEY, value=48, effective_from=date(2026, 1, 1), source="TW")
    on = date(2026, 6, 1)
    assert rule(KEY, on=on, organisation=tree["village"]) == 36
    assert rule(KEY, on=on, organisation=tree["other_branch"]) == 36
    assert rule(KEY, on=on) == 48


def test_a_subtree_version_not_yet_in_force_does_not_apply(tree):
    RuleParameter.objects.create(
        key=KEY,
        value=36,
        effective_from=date(2027, 1, 1),
        organisation=tree["province"],
        source="Tỉnh",
    )
    assert rule(KEY, on=date(2026, 12, 31), organisation=tree["village"]) == 60
    assert rule(KEY, on=date(2027, 1, 1), organisation=tree["village"]) == 36


@pytest.mark.parametrize(
    ("votes", "total", "ratio", "met"),
    [
        (6, 9, [2, 3, "at_least"], True),  # exactly 2/3
        (5, 9, [2, 3, "at_least"], False),  # one fewer
        (2, 3, [2, 3, "at_least"], True),
        (7, 10, [2, 3, "at_least"], True),
        (6, 10, [2, 3, "at_least"], False),
        (3, 5, [1, 2, "more_than"], True),
        (2, 4, [1, 2, "more_than"], False),  # exactly 1/2 is not more than 1/2
        (3, 4, [1, 2, "more_than"], True),
        (0, 0, [1, 2, "more_than"], False),
    ],
)
def test_ratios_are_exact_integer_arithmetic(votes, total, ratio, met):
    assert ratio_met(votes, total, ratio) is met


def test_ratio_text_is_vietnamese():
    assert ratio_text([2, 3, "at_least"]) == "ít nhất 2/3"
    assert ratio_text([1, 2, "more_than"]) == "trên 1/2"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("vote.branch", "2/3"),
        ("vote.branch", [3, 2, "at_least"]),
        ("vote.decider", [1, 2, "half"]),
        ("deadline.decision_working_days", -5),
        ("deadline.decision_working_days", True),
        ("admission.knowledge_test_required", 1),
        ("no.such.rule", 3),
    ],
)
def test_a_rule_value_of_the_wrong_shape_is_refused_when_entered(db, key, value):
    from django.core.exceptions import ValidationError

    version = RuleParameter(key=key, value=value, effective_from=date(2026, 1, 1), source="x")
    with pytest.raises(ValidationError):
        version.full_clean()


def test_two_nationwide_versions_of_a_rule_on_the_same_day_are_refused(db):
    from django.db import IntegrityError, transaction

    RuleParameter.objects.create(
        key="vote.branch", value=[2, 3, "at_least"], effective_from=date(2026, 1, 1), source="a"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        RuleParameter.objects.create(
            key="vote.branch", value=[3, 4, "at_least"], effective_from=date(2026, 1, 1), source="b"
        )
