"""Dues basis, reliefs and monthly payments (Quy định 01-QĐ/TW 3/2/2026; DOMAIN.md §7)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from dangvien.core.errors import Conflict, NotEligible, StageNotAllowed
from dangvien.core.models import RuleParameter
from dangvien.factories import make_member, user_with_role
from dangvien.members.actions.meetings import (
    Payment,
    grant_dues_relief,
    record_dues,
    set_dues_basis,
)
from dangvien.members.models import (
    DuesBasis,
    DuesChannel,
    DuesPayment,
    Event,
    ReliefKind,
    Status,
)

MARCH = date(2026, 3, 1)


@pytest.fixture
def secretary(tree):
    return user_with_role("branch_secretary", tree["village"])


@pytest.fixture
def member(tree, secretary):
    member = make_member(branch=tree["village"])
    set_dues_basis(
        member,
        from_month=date(2026, 1, 1),
        basis=DuesBasis.INSURED_SALARY,
        base_amount=5_000_000,
        by=secretary,
    )
    return member


# ---- basis ---------------------------------------------------------------------------------


def test_setting_the_basis_leaves_a_timeline_row(member):
    change = member.changes.get(what=Event.DUES)
    assert "Tiền lương đóng BHXH" in change.note and "01/2026" in change.note


def test_an_income_basis_needs_the_income(tree, secretary):
    """01-QĐ/TW 2026: 1% of the insured salary needs the salary."""
    member = make_member(branch=tree["village"])
    with pytest.raises(NotEligible, match="Cần ghi số tiền lương") as refused:
        set_dues_basis(member, from_month=MARCH, basis=DuesBasis.INSURED_SALARY, by=secretary)
    assert refused.value.field == "base_amount"


def test_a_flat_basis_ignores_an_income(tree, secretary):
    member = make_member(branch=tree["village"])
    account = set_dues_basis(
        member, from_month=MARCH, basis=DuesBasis.STUDENT, base_amount=123, by=secretary
    )
    assert account.base_amount == 0


def test_the_basis_cannot_start_before_the_member_joined(tree, secretary):
    member = make_member(
        branch=tree["village"], status=Status.PROBATIONARY, probation_started_on=date(2026, 2, 20)
    )
    with pytest.raises(NotEligible, match="trước tháng kết nạp"):
        set_dues_basis(member, from_month=date(2026, 1, 1), basis=DuesBasis.STUDENT, by=secretary)


def test_former_members_get_no_basis(tree, secretary):
    member = make_member(branch=tree["village"], status=Status.REMOVED)
    with pytest.raises(StageNotAllowed):
        set_dues_basis(member, from_month=MARCH, basis=DuesBasis.STUDENT, by=secretary)


def test_a_corrected_basis_recomputes_recorded_dues(member, tree, secretary):
    record_dues(tree["village"], month=MARCH, payments=[Payment(member, 0)], by=secretary)
    set_dues_basis(
        member,
        from_month=MARCH,
        basis=DuesBasis.INSURED_SALARY,
        base_amount=7_000_000,
        by=secretary,
    )
    assert DuesPayment.objects.get(member=member, month=MARCH).amount_due == 70_000


# ---- reliefs ---------------------------------------------------------------------------------


def test_a_reduction_is_30_50_or_70_percent(member, secretary):
    """01-QĐ/TW 2026 [C, school notice]."""
    with pytest.raises(NotEligible, match="30%, 50% hoặc 70%"):
        grant_dues_relief(
            member,
            kind=ReliefKind.REDUCED,
            percent=40,
            from_month=MARCH,
            until_month=date(2026, 5, 1),
            reason="Khó khăn",
            by=secretary,
        )


def test_a_relief_lasts_at_most_12_months_at_a_time(member, secretary):
    """01-QĐ/TW 2026: up to 12 months at a time (``dues.relief_max_months``)."""
    with pytest.raises(NotEligible, match="tối đa 12 tháng") as refused:
        grant_dues_relief(
            member,
            kind=ReliefKind.EXEMPT,
            from_month=date(2026, 1, 1),
            until_month=date(2027, 1, 1),
            reason="Ốm nặng",
            by=secretary,
        )
    assert refused.value.field == "until_month"
    relief = grant_dues_relief(
        member,
        kind=ReliefKind.EXEMPT,
        from_month=date(2026, 1, 1),
        until_month=date(2026, 12, 1),
        reason="Ốm nặng",
        by=secretary,
    )
    assert relief.percent == 100


def test_a_hardship_relief_needs_its_last_month(member, secretary):
    with pytest.raises(NotEligible, match="Cần ghi tháng kết thúc"):
        grant_dues_relief(
            member,
            kind=ReliefKind.REDUCED,
            percent=50,
            from_month=MARCH,
            reason="Hộ nghèo",
            by=secretary,
        )


def test_the_social_pension_exemption_has_no_end(member, secretary):
    """01-QĐ/TW 2026: exempt while receiving the social pension."""
    relief = grant_dues_relief(
        member,
        kind=ReliefKind.EXEMPT,
        from_month=MARCH,
        reason="Hưởng trợ cấp hưu trí xã hội",
        social_pension=True,
        by=secretary,
    )
    assert relief.until_month is None
    assert member.changes.filter(what=Event.DUES, note__startswith="Miễn đóng").exists()


def test_reliefs_do_not_overlap(member, secretary):
    grant_dues_relief(
        member,
        kind=ReliefKind.REDUCED,
        percent=50,
        from_month=MARCH,
        until_month=date(2026, 6, 1),
        reason="Hộ cận nghèo",
        by=secretary,
    )
    with pytest.raises(Conflict, match="Trùng thời gian"):
        grant_dues_relief(
            member,
            kind=ReliefKind.EXEMPT,
            from_month=date(2026, 6, 1),
            until_month=date(2026, 8, 1),
            reason="Ốm nặng",
            by=secretary,
        )


def test_a_province_may_allow_a_longer_relief(member, secretary, tree):
    RuleParameter.objects.create(
        key="dues.relief_max_months",
        value=24,
        effective_from=date(2026, 1, 1),
        organisation=tree["province"],
        source="thử",
    )
    grant_dues_relief(
        member,
        kind=ReliefKind.EXEMPT,
        from_month=date(2026, 1, 1),
        until_month=date(2027, 6, 1),
        reason="Ốm nặng",
        by=secretary,
    )


# ---- payments --------------------------------------------------------------------------------


def test_dues_are_recorded_with_the_amount_due_computed(member, tree, secretary):
    [row] = record_dues(
        tree["village"],
        month=date(2026, 3, 17),
        payments=[Payment(member, 50_000, date(2026, 3, 20), DuesChannel.PORTAL)],
        by=secretary,
    )
    assert (row.month, row.amount_due, row.amount_paid, row.channel, row.basis) == (
        MARCH,
        50_000,
        50_000,
        "portal",
        DuesBasis.INSURED_SALARY,
    )
    assert row.org_path == tree["village"].path


def test_recording_a_month_again_replaces_the_row(member, tree, secretary):
    record_dues(tree["village"], month=MARCH, payments=[Payment(member, 0)], by=secretary)
    record_dues(
        tree["village"],
        month=MARCH,
        payments=[Payment(member, 50_000, date(2026, 4, 2), DuesChannel.CASH)],
        by=secretary,
    )
    assert DuesPayment.objects.get(member=member, month=MARCH).amount_paid == 50_000


def test_a_payment_before_the_members_admission_month_is_refused(tree, secretary):
    """Dues are owed from admission (the ceremony: Charter Art. 5)."""
    member = make_member(
        branch=tree["village"], status=Status.PROBATIONARY, probation_started_on=date(2026, 3, 20)
    )
    set_dues_basis(member, from_month=MARCH, basis=DuesBasis.STUDENT, by=secretary)
    with pytest.raises(NotEligible, match="kết nạp tháng 03/2026"):
        record_dues(
            tree["village"],
            month=date(2026, 2, 1),
            payments=[Payment(member, 5_000, date(2026, 2, 20), DuesChannel.CASH)],
            by=secretary,
        )
    record_dues(
        tree["village"],
        month=MARCH,
        payments=[Payment(member, 5_000, date(2026, 3, 25), DuesChannel.CASH)],
        by=secretary,
    )


def test_a_payment_for_a_future_month_is_refused(member, tree, secretary):
    next_month = (timezone.localdate().replace(day=1) + timedelta(days=32)).replace(day=1)
    with pytest.raises(NotEligible, match="không ghi đảng phí cho tháng sau") as refused:
        record_dues(
            tree["village"],
            month=next_month,
            payments=[Payment(member, 50_000, timezone.localdate(), DuesChannel.CASH)],
            by=secretary,
        )
    assert refused.value.field == "month"


def test_a_payment_day_in_the_future_is_refused(member, tree, secretary):
    with pytest.raises(NotEligible, match="không thể sau ngày hôm nay"):
        record_dues(
            tree["village"],
            month=MARCH,
            payments=[
                Payment(member, 50_000, timezone.localdate() + timedelta(days=1), DuesChannel.CASH)
            ],
            by=secretary,
        )


def test_a_payment_needs_its_day_and_a_channel_portal_or_cash(member, tree, secretary):
    """01-QĐ/TW 2026: on the national public service portal or in cash to the chi bộ."""
    with pytest.raises(NotEligible, match="Cần ghi ngày nộp"):
        record_dues(tree["village"], month=MARCH, payments=[Payment(member, 50_000)], by=secretary)
    with pytest.raises(NotEligible, match="Cần chọn hình thức nộp"):
        record_dues(
            tree["village"],
            month=MARCH,
            payments=[Payment(member, 50_000, date(2026, 3, 5), "bank")],
            by=secretary,
        )


def test_an_unpaid_month_may_be_excused_with_a_reason(member, tree, secretary):
    with pytest.raises(NotEligible, match="Cần ghi lý do chưa nộp"):
        record_dues(
            tree["village"], month=MARCH, payments=[Payment(member, 0, excused=True)], by=secretary
        )
    [row] = record_dues(
        tree["village"],
        month=MARCH,
        payments=[Payment(member, 0, excused=True, note="Đang điều trị")],
        by=secretary,
    )
    assert row.excused and row.amount_paid == 0


def test_a_member_without_a_basis_is_refused(tree, secretary):
    member = make_member(branch=tree["village"])
    with pytest.raises(NotEligible, match="Chưa có căn cứ đóng đảng phí"):
        record_dues(tree["village"], month=MARCH, payments=[Payment(member, 0)], by=secretary)


def test_a_member_exempt_by_party_age_needs_no_basis(tree, secretary):
    member = make_member(
        branch=tree["village"], admitted_on=date(1970, 1, 1), official_on=date(1971, 1, 1)
    )
    [row] = record_dues(tree["village"], month=MARCH, payments=[Payment(member, 0)], by=secretary)
    assert row.amount_due == 0 and "50 năm" in row.note


def test_a_member_of_another_branch_is_refused(tree, secretary):
    other = make_member(branch=tree["school_branch"])
    with pytest.raises(NotEligible, match="không thuộc Chi bộ thôn Đông"):
        record_dues(tree["village"], month=MARCH, payments=[Payment(other, 0)], by=secretary)


def test_nothing_is_written_when_one_row_is_refused(member, tree, secretary):
    stranger = make_member(branch=tree["school_branch"])
    with pytest.raises(NotEligible):
        record_dues(
            tree["village"],
            month=MARCH,
            payments=[Payment(member, 0), Payment(stranger, 0)],
            by=secretary,
        )
    assert not DuesPayment.objects.exists()
