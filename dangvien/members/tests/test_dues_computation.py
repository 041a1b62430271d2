"""The monthly dues under Quy định 01-QĐ/TW 3/2/2026 (DOMAIN.md §7): each basis, the 2028
rate change, rounding to 1,000 đ ([R], rule ``dues.rounding_unit``), exemption by party
age and the reliefs."""

from datetime import date

import pytest

from dangvien.core.models import RuleParameter
from dangvien.factories import make_member
from dangvien.members.models import DuesAccount, DuesBasis, DuesRelief, Gap, ReliefKind, Status
from dangvien.members.queries.meetings import (
    DuesRates,
    dues_due,
    dues_grid,
    member_dues_lines,
    round_dues,
)

MARCH_2026 = date(2026, 3, 1)


def test_a_member_in_social_insurance_pays_1_percent_of_the_insured_salary(tree):
    """01-QĐ/TW 2026: 1% of last month's insured salary; 6.234.500 đ → 62.345 → 62.000."""
    assert dues_due(DuesBasis.INSURED_SALARY, 6_234_500, MARCH_2026, tree["village"]) == 62_000


def test_on_sick_or_maternity_leave_the_member_pays_1_percent_of_the_benefit(tree):
    """01-QĐ/TW 2026: during sick or maternity leave, 1% of the benefit."""
    assert dues_due(DuesBasis.INSURANCE_BENEFIT, 4_500_000, MARCH_2026, tree["village"]) == 45_000


def test_a_pensioner_outside_social_insurance_pays_half_a_percent(tree):
    """01-QĐ/TW 2026: 0,5% of the pension; 5.300.000 đ → 26.500 → rounded half up 27.000."""
    assert dues_due(DuesBasis.PENSION, 5_300_000, MARCH_2026, tree["village"]) == 27_000


def test_pupils_and_students_pay_5000_dong_whatever_the_amount_given(tree):
    """01-QĐ/TW 2026: học sinh, sinh viên 5.000 đ a month."""
    assert dues_due(DuesBasis.STUDENT, 0, MARCH_2026, tree["village"]) == 5_000
    assert dues_due(DuesBasis.STUDENT, 9_999_999, MARCH_2026, tree["village"]) == 5_000


def test_others_below_retirement_age_pay_0_3_percent_of_the_regional_minimum_wage_in_2027(tree):
    """01-QĐ/TW 2026: 0,3% in 2026–2027 of 3.700.000 đ (vùng IV) = 11.100 → 11.000."""
    assert dues_due(DuesBasis.OTHER_WORKING_AGE, 0, date(2027, 12, 1), tree["village"]) == 11_000


def test_others_below_retirement_age_pay_0_5_percent_from_january_2028(tree):
    """01-QĐ/TW 2026: 0,5% from 2028 = 18.500 → 19.000."""
    assert dues_due(DuesBasis.OTHER_WORKING_AGE, 0, date(2028, 1, 1), tree["village"]) == 19_000


def test_others_at_retirement_age_pay_0_2_percent_then_0_3_percent_from_2028(tree):
    """01-QĐ/TW 2026: 0,2% (7.400 → 7.000) in 2027, 0,3% (11.100 → 11.000) from 2028."""
    village = tree["village"]
    assert dues_due(DuesBasis.OTHER_RETIRED_AGE, 0, date(2027, 6, 1), village) == 7_000
    assert dues_due(DuesBasis.OTHER_RETIRED_AGE, 0, date(2028, 6, 1), village) == 11_000


def test_a_province_sets_its_own_regional_minimum_wage(tree):
    """The regional minimum wage is set per territory (rule ``dues.regional_minimum_wage``)."""
    RuleParameter.objects.create(
        key="dues.regional_minimum_wage",
        value=4_960_000,
        effective_from=date(2026, 1, 1),
        organisation=tree["commune"],
        source="NĐ 293/2025/NĐ-CP vùng I",
    )
    assert dues_due(DuesBasis.OTHER_WORKING_AGE, 0, MARCH_2026, tree["village"]) == 15_000
    assert dues_due(DuesBasis.OTHER_WORKING_AGE, 0, MARCH_2026, tree["other_branch"]) == 11_000


def test_a_dated_rule_version_changes_the_rate_from_its_month(tree):
    """Rates are versioned rule parameters (DOMAIN.md §0); one read serves many months."""
    RuleParameter.objects.create(
        key="dues.insured_rate_bp", value=80, effective_from=date(2026, 7, 1), source="thử"
    )
    rates = DuesRates.load_many([date(2026, 6, 1), date(2026, 7, 1)], tree["village"])
    assert rates[date(2026, 6, 1)]["dues.insured_rate_bp"] == 100
    assert rates[date(2026, 7, 1)]["dues.insured_rate_bp"] == 80


def test_rounding_is_half_up_to_the_unit_and_0_keeps_whole_dong():
    assert round_dues(11_499 * 10000, 1000) == 11_000
    assert round_dues(11_500 * 10000, 1000) == 12_000
    assert round_dues(62_345 * 10000, 0) == 62_345


# ---- exemptions and reliefs ---------------------------------------------------------------


def _with_basis(tree, **fields):
    member = make_member(branch=tree["village"], **fields)
    DuesAccount.objects.create(
        member=member,
        from_month=date(2026, 1, 1),
        basis=DuesBasis.INSURED_SALARY,
        base_amount=5_000_000,
    )
    return member


def test_members_with_50_years_of_party_age_are_exempt(tree):
    """01-QĐ/TW 2026: exempt from 50 years of party age (``dues.exempt_party_age_years``)."""
    member = _with_basis(tree, admitted_on=date(1976, 3, 15), official_on=date(1977, 3, 15))
    lines = member_dues_lines(member, [date(2026, 2, 1), date(2026, 3, 1)])
    assert [line.amount_due for line in lines] == [50_000, 0]
    assert "tuổi đảng từ 50 năm" in lines[1].why


def test_gaps_outside_party_life_delay_the_exemption_by_party_age(tree):
    """Party age subtracts the gaps (DOMAIN.md §8), so the exemption comes later."""
    member = _with_basis(tree, admitted_on=date(1976, 3, 15), official_on=date(1977, 3, 15))
    Gap.objects.create(
        member=member, from_on=date(1990, 1, 1), until_on=date(1990, 7, 1), reason="thử"
    )
    [line] = member_dues_lines(member, [date(2026, 3, 1)])
    assert line.amount_due == 50_000


def test_probationary_members_pay_and_have_no_party_age_exemption(tree):
    member = _with_basis(tree, status=Status.PROBATIONARY, official_on=None)
    [line] = member_dues_lines(member, [MARCH_2026])
    assert line.amount_due == 50_000


def test_a_reduction_takes_its_percent_off_and_rounds(tree):
    """01-QĐ/TW 2026: giảm 30, 50 hoặc 70%; 50.000 less 70% = 15.000."""
    member = _with_basis(tree)
    DuesRelief.objects.create(
        member=member,
        kind=ReliefKind.REDUCED,
        percent=70,
        from_month=date(2026, 2, 1),
        until_month=date(2026, 3, 1),
        reason="Hộ cận nghèo",
    )
    lines = member_dues_lines(member, [date(2026, 1, 1), date(2026, 3, 1), date(2026, 4, 1)])
    assert [line.amount_due for line in lines] == [50_000, 15_000, 50_000]
    assert lines[1].why.startswith("Giảm 70%")


def test_an_exemption_relief_makes_nothing_due(tree):
    member = _with_basis(tree)
    DuesRelief.objects.create(
        member=member,
        kind=ReliefKind.EXEMPT,
        percent=100,
        from_month=date(2026, 3, 1),
        until_month=None,
        reason="Hưởng trợ cấp hưu trí xã hội",
    )
    [line] = member_dues_lines(member, [MARCH_2026])
    assert line.amount_due == 0 and line.base_due == 50_000


def test_the_latest_basis_in_force_applies(tree):
    member = _with_basis(tree)
    DuesAccount.objects.create(
        member=member, from_month=date(2026, 3, 1), basis=DuesBasis.STUDENT, base_amount=0
    )
    lines = member_dues_lines(member, [date(2026, 2, 1), MARCH_2026])
    assert [line.amount_due for line in lines] == [50_000, 5_000]


def test_a_member_without_basis_has_no_amount_due(tree):
    member = make_member(branch=tree["village"])
    [line] = member_dues_lines(member, [MARCH_2026])
    assert line.amount_due is None


@pytest.mark.parametrize("size", [2, 8])
def test_the_dues_grid_reads_a_fixed_number_of_queries(tree, size, django_assert_max_num_queries):
    """STYLE.md: a list page's query count does not grow with its rows."""
    for _ in range(size):
        _with_basis(tree)
    with django_assert_max_num_queries(7):
        grid = dues_grid(tree["village"], MARCH_2026)
    assert len(grid.lines) == size
    assert grid.total_due == 50_000 * size
