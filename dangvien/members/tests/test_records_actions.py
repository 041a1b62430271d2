"""Readmission, the never-readmit list, badges and cards: every rule refusing bad input
with its Vietnamese message, and its source in the name or docstring."""

from datetime import date
from typing import Any

import pytest

from dangvien.accounts.models import Role, User
from dangvien.core.errors import Conflict, NotEligible, StageNotAllowed
from dangvien.core.models import RuleParameter
from dangvien.factories import make_member, make_person, user_with_role
from dangvien.members.actions import records as actions
from dangvien.members.models import (
    Badge,
    BadgeKind,
    Event,
    Gap,
    Member,
    NeverReadmit,
    Status,
)


@pytest.fixture
def province_board(tree: dict[str, Any]) -> User:
    return user_with_role(Role.BOARD_STAFF, tree["province"])


def left_member(tree: dict[str, Any], **fields: Any) -> Member:
    values: dict[str, Any] = {
        "branch": tree["village"],
        "status": Status.REMOVED,
        "admitted_on": date(1990, 3, 1),
        "probation_started_on": date(1990, 3, 20),
        "official_on": date(1991, 3, 20),
        "left_on": date(2020, 5, 10),
        "card_number": "",
    }
    values.update(fields)
    return make_member(**values)


def readmit(member: Member, by: User, **overrides: Any) -> Member:
    values: dict[str, Any] = {
        "applied_on": date(2023, 5, 10),
        "consent_no": "123-CV/TU",
        "consent_on": date(2023, 8, 1),
        "decision_no": "45-QĐ/ĐU",
        "decided_on": date(2023, 9, 1),
        "ceremony_on": date(2023, 9, 20),
    }
    values.update(overrides)
    return actions.readmit(member, by=by, **values)


# ---- readmission (294-QĐ/TW §3.5) -----------------------------------------------------


def test_readmission_35_months_after_leaving_is_refused_294_qd_tw_3_5_1(
    tree: Any, province_board: User
) -> None:
    member = left_member(tree, left_on=date(2020, 5, 10))
    with pytest.raises(NotEligible) as refused:
        readmit(member, province_board, applied_on=date(2023, 4, 10))
    assert "Chưa đủ 36 tháng kể từ ngày ra khỏi Đảng (10/05/2020)" in str(refused.value)
    assert "từ ngày 10/05/2023" in str(refused.value)
    assert refused.value.field == "applied_on"
    member.refresh_from_db()
    assert member.status == Status.REMOVED
    assert not member.gaps.exists()


def test_readmission_exactly_36_months_after_leaving_makes_a_probationary_member_again(
    tree: Any, province_board: User
) -> None:
    """294-QĐ/TW §3.5.1: probation again from the ceremony; the first admission is kept and
    the time outside the party becomes a gap (DOMAIN.md §8)."""
    member = left_member(tree, left_on=date(2020, 5, 10), card_number="CARD-OLD-1")
    row = readmit(member, province_board, applied_on=date(2023, 5, 10))
    row.refresh_from_db()
    assert row.status == Status.PROBATIONARY
    assert row.first_admitted_on == date(1990, 3, 1)
    assert row.admitted_on == date(2023, 9, 1)
    assert row.admission_decision_no == "45-QĐ/ĐU"
    assert row.readmitted_on == date(2023, 9, 1)
    assert row.probation_started_on == date(2023, 9, 20)
    assert row.official_on is None
    assert row.left_on is None
    assert row.recognition_vote_due_on is not None
    assert row.recognition_vote_due_on > date(2024, 9, 20)
    assert row.card_number == ""
    (gap,) = row.gaps.all()
    assert (gap.from_on, gap.until_on) == (date(2020, 5, 10), date(2023, 9, 1))
    notes = " ".join(row.changes.values_list("note", flat=True))
    assert "văn bản số 123-CV/TU" in notes
    assert "Kết nạp lại: quyết định số 45-QĐ/ĐU" in notes
    assert "CARD-OLD-1" in notes


def test_readmission_after_a_cleared_minor_conviction_waits_60_months_294_qd_tw_3_5_1(
    tree: Any, province_board: User
) -> None:
    member = left_member(tree, left_on=date(2015, 1, 1))
    with pytest.raises(NotEligible) as refused:
        readmit(
            member,
            province_board,
            conviction_cleared_on=date(2020, 1, 1),
            applied_on=date(2024, 12, 31),
            consent_on=date(2025, 2, 1),
            decided_on=date(2025, 3, 1),
            ceremony_on=date(2025, 3, 20),
        )
    assert "Chưa đủ 60 tháng kể từ ngày được xóa án tích (01/01/2020)" in str(refused.value)
    row = readmit(
        member,
        province_board,
        conviction_cleared_on=date(2020, 1, 1),
        applied_on=date(2025, 1, 1),
        consent_on=date(2025, 2, 1),
        decided_on=date(2025, 3, 1),
        ceremony_on=date(2025, 3, 20),
    )
    assert row.status == Status.PROBATIONARY


def test_the_wait_before_readmission_is_a_rule_parameter(tree: Any, province_board: User) -> None:
    """readmission.wait_months (294-QĐ/TW §3.5.1) may be set per province."""
    RuleParameter.objects.create(
        key="readmission.wait_months",
        value=48,
        effective_from=date(2000, 1, 1),
        organisation=tree["province"],
    )
    member = left_member(tree, left_on=date(2020, 5, 10))
    with pytest.raises(NotEligible, match="Chưa đủ 48 tháng"):
        readmit(member, province_board, applied_on=date(2023, 5, 10))


def test_a_second_readmission_is_refused_once_only_294_qd_tw_3_5_1(
    tree: Any, province_board: User
) -> None:
    member = left_member(tree, left_on=date(2010, 1, 1), readmitted_on=date(2014, 1, 1))
    with pytest.raises(NotEligible) as refused:
        readmit(member, province_board, applied_on=date(2023, 5, 10))
    assert "chỉ được kết nạp lại một lần" in str(refused.value)


def test_a_readmission_gap_on_record_counts_as_the_one_readmission(
    tree: Any, province_board: User
) -> None:
    member = left_member(tree, left_on=date(2019, 1, 1))
    Gap.objects.create(
        member=member,
        from_on=date(2000, 1, 1),
        until_on=date(2004, 1, 1),
        reason="Ra khỏi Đảng đến khi kết nạp lại",
    )
    with pytest.raises(NotEligible, match="Đã được kết nạp lại ngày 01/01/2004"):
        readmit(member, province_board, applied_on=date(2023, 5, 10))


def test_someone_on_the_never_readmit_list_is_refused_with_the_reason_294_qd_tw_3_5_2(
    tree: Any, province_board: User
) -> None:
    member = left_member(tree, never_readmit=NeverReadmit.CORRUPTION)
    with pytest.raises(NotEligible) as refused:
        readmit(member, province_board)
    assert str(refused.value) == (
        "Không xem xét kết nạp lại: bị kết án về tội tham nhũng (294-QĐ/TW §3.5.2)."
    )


def test_only_members_who_left_can_be_readmitted(tree: Any, province_board: User) -> None:
    member = make_member(branch=tree["village"])
    with pytest.raises(StageNotAllowed):
        readmit(member, province_board)


def test_an_expelled_member_may_be_readmitted_294_qd_tw_3_5_1(
    tree: Any, province_board: User
) -> None:
    member = left_member(tree, status=Status.EXPELLED)
    assert readmit(member, province_board).status == Status.PROBATIONARY


def test_the_committee_decides_only_after_the_provincial_consent(
    tree: Any, province_board: User
) -> None:
    member = left_member(tree)
    with pytest.raises(NotEligible) as refused:
        readmit(member, province_board, consent_on=date(2023, 9, 2))
    assert refused.value.field == "decided_on"
    assert "Ban Thường vụ cấp tỉnh đồng ý bằng văn bản" in str(refused.value)


def test_readmission_needs_the_consent_number(tree: Any, province_board: User) -> None:
    with pytest.raises(NotEligible) as refused:
        readmit(left_member(tree), province_board, consent_no="  ")
    assert refused.value.field == "consent_no"


# ---- party age across gaps (DOMAIN.md §8) ---------------------------------------------


def test_party_age_subtracts_the_gap_between_leaving_and_readmission(
    tree: Any, province_board: User
) -> None:
    """Charter Art. 5.4; 24/294-QĐ/TW §4.5: counted from the first admission decision,
    minus the time outside the party. Admitted 1/3/1990, left 1/1/2000, readmitted
    1/1/2004: four years (1,461 days) do not count."""
    member = left_member(tree, admitted_on=date(1990, 3, 1), left_on=date(2000, 1, 1))
    row = readmit(
        member,
        province_board,
        applied_on=date(2003, 1, 2),
        consent_on=date(2003, 6, 1),
        decided_on=date(2004, 1, 1),
        ceremony_on=date(2004, 1, 20),
    )
    assert row.party_age_years(on=date(2026, 11, 23)) is None  # probationary again
    Member.objects.filter(pk=row.pk).update(status=Status.OFFICIAL, official_on=date(2005, 1, 20))
    row = Member.objects.get(pk=row.pk)
    assert sum(g.days for g in row.gaps.all()) == 1461
    # 1/3/1990 + 1,461 days = 1/3/1994: 32 full years on 23/11/2026 (36 without the gap).
    assert row.party_age_years(on=date(2026, 11, 23)) == 32
    assert row.party_age_years(on=date(2026, 2, 28)) == 31


# ---- never-readmit list (294-QĐ/TW §3.5.2) --------------------------------------------


def test_marking_never_readmit_records_the_reason_on_the_timeline(
    tree: Any, province_board: User
) -> None:
    member = left_member(tree)
    actions.mark_never_readmit(
        member, reason=NeverReadmit.LEFT_MEETINGS, note="Bỏ sinh hoạt 2019", by=province_board
    )
    member.refresh_from_db()
    assert member.never_readmit == NeverReadmit.LEFT_MEETINGS
    last = member.changes.last()
    assert last is not None
    assert last.what == Event.OTHER
    assert "tự ý bỏ sinh hoạt đảng (294-QĐ/TW §3.5.2)" in last.note


def test_marking_twice_is_refused(tree: Any, province_board: User) -> None:
    member = left_member(tree, never_readmit=NeverReadmit.DISUNITY)
    with pytest.raises(Conflict, match="đã có trong danh sách không kết nạp lại"):
        actions.mark_never_readmit(member, reason=NeverReadmit.CORRUPTION, by=province_board)


def test_asked_to_leave_fits_only_a_member_who_left_on_request(
    tree: Any, province_board: User
) -> None:
    removed = left_member(tree, status=Status.REMOVED)
    with pytest.raises(NotEligible) as refused:
        actions.mark_never_readmit(removed, reason=NeverReadmit.ASKED_TO_LEAVE, by=province_board)
    assert refused.value.field == "reason"
    exited = left_member(tree, status=Status.EXITED)
    actions.mark_never_readmit(exited, reason=NeverReadmit.ASKED_TO_LEAVE, by=province_board)


def test_an_active_member_cannot_be_put_on_the_never_readmit_list(
    tree: Any, province_board: User
) -> None:
    with pytest.raises(StageNotAllowed):
        actions.mark_never_readmit(
            make_member(branch=tree["village"]),
            reason=NeverReadmit.DISUNITY,
            by=province_board,
        )


# ---- badges (HD 01-HD/TW 2021 §18) ----------------------------------------------------


def award(member: Member, by: User, **overrides: Any) -> Badge:
    values: dict[str, Any] = {
        "years": 50,
        "kind": BadgeKind.REGULAR,
        "awarded_on": date(2026, 9, 2),
        "decision_no": "1234-QĐ/TU",
    }
    values.update(overrides)
    return actions.award_badge(member, by=by, **values)


def test_a_badge_before_the_party_age_is_reached_is_refused_hd_01_18(
    tree: Any, province_board: User
) -> None:
    """Admitted 1/12/1976: 49 years 9 months on 2/9/2026, short of 50."""
    member = make_member(branch=tree["village"], admitted_on=date(1976, 12, 1))
    with pytest.raises(NotEligible) as refused:
        award(member, province_board)
    assert str(refused.value) == (
        "Tuổi đảng đến ngày 02/09/2026 là 49 năm 9 tháng, chưa đủ để tặng Huy hiệu 50 năm "
        "tuổi Đảng (HD 01-HD/TW 2021 §18)."
    )
    assert not member.badges.exists()


def test_a_badge_on_the_award_day_the_age_is_reached(tree: Any, province_board: User) -> None:
    member = make_member(branch=tree["village"], admitted_on=date(1976, 9, 2))
    badge = award(member, province_board)
    assert (badge.years, badge.kind, badge.decision_no) == (50, BadgeKind.REGULAR, "1234-QĐ/TU")
    last = member.changes.last()
    assert last is not None
    assert last.what == Event.BADGE
    assert "Huy hiệu 50 năm tuổi Đảng" in last.note


def test_the_gravely_ill_may_receive_30_to_65_up_to_12_months_early_hd_01_18(
    tree: Any, province_board: User
) -> None:
    member = make_member(branch=tree["village"], admitted_on=date(1976, 12, 1))
    badge = award(member, province_board, kind=BadgeKind.EARLY_ILL)
    assert badge.kind == BadgeKind.EARLY_ILL
    too_early = make_member(branch=tree["village"], admitted_on=date(1977, 9, 3))
    with pytest.raises(NotEligible, match="kể cả 12 tháng được trao sớm"):
        award(too_early, province_board, kind=BadgeKind.EARLY_ILL)


def test_the_gravely_ill_may_receive_70_and_above_up_to_24_months_early_hd_01_18(
    tree: Any, province_board: User
) -> None:
    """Exactly 68 years on 2/9/2026 is within the 24 months for the 70-year badge; one
    day less is not."""
    on_the_day = make_member(branch=tree["village"], admitted_on=date(1958, 9, 2))
    assert award(on_the_day, province_board, years=70, kind=BadgeKind.EARLY_ILL).years == 70
    one_day_short = make_member(branch=tree["village"], admitted_on=date(1958, 9, 3))
    with pytest.raises(NotEligible, match="kể cả 24 tháng"):
        award(one_day_short, province_board, years=70, kind=BadgeKind.EARLY_ILL)


def test_the_early_award_window_is_a_rule_parameter(tree: Any, province_board: User) -> None:
    RuleParameter.objects.create(
        key="badge.early_ill_months",
        value=6,
        effective_from=date(2000, 1, 1),
        organisation=tree["province"],
    )
    # 49 years 5 months on 2/9/2026: within the default 12 months, not within 6.
    member = make_member(branch=tree["village"], admitted_on=date(1977, 3, 3))
    with pytest.raises(NotEligible, match="kể cả 6 tháng"):
        award(member, province_board, kind=BadgeKind.EARLY_ILL)


def test_a_posthumous_badge_counts_the_party_age_at_death_hd_01_18(
    tree: Any, province_board: User
) -> None:
    """Died 1/6/2026 at 49 years 6 months of party age: within 12 months of 50."""
    member = make_member(
        branch=tree["village"],
        status=Status.DECEASED,
        admitted_on=date(1976, 12, 1),
        left_on=date(2026, 6, 1),
    )
    badge = award(member, province_board, kind=BadgeKind.POSTHUMOUS)
    assert badge.kind == BadgeKind.POSTHUMOUS
    last = member.changes.last()
    assert last is not None
    assert last.note.startswith("Truy tặng Huy hiệu 50 năm")


def test_a_posthumous_badge_beyond_12_months_is_refused(tree: Any, province_board: User) -> None:
    member = make_member(
        branch=tree["village"],
        status=Status.DECEASED,
        admitted_on=date(1977, 8, 1),
        left_on=date(2026, 6, 1),
    )
    with pytest.raises(NotEligible) as refused:
        award(member, province_board, kind=BadgeKind.POSTHUMOUS)
    assert "Tuổi đảng đến ngày từ trần (01/06/2026) là 48 năm 10 tháng" in str(refused.value)


def test_posthumous_only_for_the_deceased_and_the_deceased_only_posthumously(
    tree: Any, province_board: User
) -> None:
    living = make_member(branch=tree["village"], admitted_on=date(1970, 1, 1))
    with pytest.raises(StageNotAllowed, match="Chỉ truy tặng"):
        award(living, province_board, kind=BadgeKind.POSTHUMOUS)
    dead = make_member(
        branch=tree["village"],
        status=Status.DECEASED,
        admitted_on=date(1970, 1, 1),
        left_on=date(2026, 1, 1),
    )
    with pytest.raises(StageNotAllowed, match="truy tặng"):
        award(dead, province_board)


def test_a_second_badge_of_the_same_step_is_refused(tree: Any, province_board: User) -> None:
    member = make_member(branch=tree["village"], admitted_on=date(1970, 1, 1))
    award(member, province_board)
    with pytest.raises(Conflict) as refused:
        award(member, province_board, awarded_on=date(2026, 11, 7), decision_no="99-QĐ/TU")
    assert str(refused.value) == (
        "Đảng viên đã được tặng Huy hiệu 50 năm tuổi Đảng (quyết định số 1234-QĐ/TU, "
        "ngày 02/09/2026)."
    )
    assert member.badges.count() == 1


def test_badges_exist_only_at_the_listed_steps(tree: Any, province_board: User) -> None:
    member = make_member(branch=tree["village"], admitted_on=date(1970, 1, 1))
    with pytest.raises(NotEligible, match="30, 40, 45, 50, 55") as refused:
        award(member, province_board, years=35)
    assert refused.value.field == "years"


def test_badges_are_awarded_on_the_four_days_or_a_named_occasion(
    tree: Any, province_board: User
) -> None:
    member = make_member(branch=tree["village"], admitted_on=date(1970, 1, 1))
    with pytest.raises(NotEligible, match="3/2, 19/5, 2/9 hoặc 7/11"):
        award(member, province_board, awarded_on=date(2026, 8, 19))
    badge = award(
        member,
        province_board,
        awarded_on=date(2026, 8, 19),
        occasion="Kỷ niệm 80 năm Cách mạng Tháng Tám",
    )
    assert badge.awarded_on == date(2026, 8, 19)


def test_a_badge_cannot_be_recorded_beyond_the_next_award_day(
    tree: Any, province_board: User
) -> None:
    member = make_member(branch=tree["village"], admitted_on=date(1950, 1, 1))
    with pytest.raises(NotEligible, match="dịp gần nhất"):
        award(member, province_board, awarded_on=date(2030, 9, 2))


def test_party_age_for_a_badge_subtracts_the_gaps(tree: Any, province_board: User) -> None:
    """Admitted 2/9/1976 (50 years on 2/9/2026) but two years outside the party."""
    member = make_member(branch=tree["village"], admitted_on=date(1976, 9, 2))
    Gap.objects.create(
        member=member, from_on=date(1990, 1, 1), until_on=date(1992, 1, 1), reason="Mất liên lạc"
    )
    with pytest.raises(NotEligible, match="là 48 năm, chưa đủ"):
        award(member, province_board)


def test_a_lost_badge_is_reissued_with_its_reason(tree: Any, province_board: User) -> None:
    member = make_member(branch=tree["village"], admitted_on=date(1970, 1, 1))
    award(member, province_board, years=50)
    with pytest.raises(NotEligible) as refused:
        actions.reissue_badge(
            member, years=55, reissued_on=date(2026, 10, 1), reason="Mất", by=province_board
        )
    assert refused.value.field == "years"
    with pytest.raises(NotEligible) as refused:
        actions.reissue_badge(
            member, years=50, reissued_on=date(2026, 10, 1), reason=" ", by=province_board
        )
    assert refused.value.field == "reason"
    badge = actions.reissue_badge(
        member,
        years=50,
        reissued_on=date(2026, 10, 1),
        reason="Mất khi chuyển nhà",
        by=province_board,
    )
    assert badge.reissued_on == date(2026, 10, 1)


# ---- membership card (29/24-QĐ/TW §6.1; Chỉ thị 51-CT/TW) ----------------------------


def test_a_card_for_an_official_member(tree: Any, province_board: User) -> None:
    member = make_member(branch=tree["village"])
    row = actions.issue_card(
        member, card_number="0123 4567 89", issued_on=date(2025, 9, 1), by=province_board
    )
    assert (row.card_number, row.card_issued_on) == ("0123456789", date(2025, 9, 1))
    last = member.changes.last()
    assert last is not None
    assert (last.what, last.note) == (Event.CARD, "Cấp thẻ đảng viên số 0123456789")


def test_a_card_for_a_probationary_member_is_refused_29_24_qd_tw_6_1(
    tree: Any, province_board: User
) -> None:
    member = make_member(branch=tree["village"], status=Status.PROBATIONARY, official_on=None)
    with pytest.raises(StageNotAllowed, match="Đảng viên dự bị"):
        actions.issue_card(member, card_number="A1", issued_on=date(2025, 9, 1), by=province_board)


def test_a_duplicate_card_number_is_refused_not_an_integrity_error(
    tree: Any, province_board: User
) -> None:
    make_member(branch=tree["other_branch"], card_number="0999888777")
    member = make_member(branch=tree["village"])
    with pytest.raises(Conflict) as refused:
        actions.issue_card(
            member, card_number="0999888777", issued_on=date(2025, 9, 1), by=province_board
        )
    assert str(refused.value) == "Số thẻ 0999888777 đã cấp cho một đảng viên khác."
    assert refused.value.field == "card_number"


def test_a_card_number_equal_to_the_citizen_id_is_refused(tree: Any, province_board: User) -> None:
    """DOMAIN.md §8: the card number and the citizen ID are kept as separate fields."""
    member = make_member(branch=tree["village"], person=make_person(citizen_id="001095012345"))
    with pytest.raises(NotEligible) as refused:
        actions.issue_card(
            member, card_number="001095012345", issued_on=date(2025, 9, 1), by=province_board
        )
    assert "trùng số căn cước công dân" in str(refused.value)
    assert refused.value.field == "card_number"


def test_a_card_issue_date_cannot_be_in_the_future_or_before_official(
    tree: Any, province_board: User
) -> None:
    member = make_member(branch=tree["village"], official_on=date(2011, 3, 20))
    with pytest.raises(NotEligible, match="không thể sau ngày hôm nay"):
        actions.issue_card(member, card_number="A1", issued_on=date(2099, 1, 1), by=province_board)
    with pytest.raises(NotEligible, match="trước ngày chính thức"):
        actions.issue_card(member, card_number="A1", issued_on=date(2011, 1, 1), by=province_board)


def test_a_new_card_replaces_the_old_one_on_the_timeline(tree: Any, province_board: User) -> None:
    """New cards were issued from 8/2025 (Chỉ thị 51-CT/TW)."""
    member = make_member(
        branch=tree["village"], card_number="OLD-1", card_issued_on=date(2012, 1, 1)
    )
    actions.issue_card(member, card_number="NEW-1", issued_on=date(2025, 9, 1), by=province_board)
    last = member.changes.last()
    assert last is not None
    assert last.note == "Cấp thẻ đảng viên số NEW-1 (thay thẻ số OLD-1)"
