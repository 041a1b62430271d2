"""Rules of the transfers area: exemption (Charter Art. 7; 27-HD/BTCTW §1), permanent and
temporary transfers (294-QĐ/TW §6.3.1, §6.3.2) and members working far away (HD 01-HD/TW
§10.3; seed 004). Each rule is shown accepting its boundary and refusing past it."""

from datetime import date, timedelta

import pytest

from dangvien.accounts.models import Role
from dangvien.core.calendar import add_working_days
from dangvien.core.dates import add_months
from dangvien.core.errors import Conflict, DeadlinePassed, NotEligible, StageNotAllowed
from dangvien.factories import make_member, user_with_role
from dangvien.members.actions import transfers as actions
from dangvien.members.models import (
    Event,
    ExemptionReason,
    Mentorship,
    Status,
    Transfer,
    TransferKind,
    TransferState,
)
from dangvien.members.queries import (
    counts_by_child,
    subtree_counts,
    visible_members,
    vote_denominator,
)
from dangvien.members.queries import transfers as q

CAUSE = date(2026, 3, 2)  # a Monday
ISSUED = date(2026, 6, 1)


def start_permanent(member, to, *, cause_on=CAUSE, issued_on=None, **kw):
    return actions.start_transfer(
        member,
        kind=TransferKind.PERMANENT,
        to_organisation=to,
        letter_no=kw.pop("letter_no", "GT-01"),
        issued_on=issued_on or add_working_days(cause_on, 10),
        cause_on=cause_on,
        by=None,
        **kw,
    )


def start_temporary(member, to, *, months=6, issued_on=ISSUED, for_study=False, until_on=None):
    return actions.start_transfer(
        member,
        kind=TransferKind.TEMPORARY,
        to_organisation=to,
        letter_no="GT-T1",
        issued_on=issued_on,
        until_on=until_on or add_months(issued_on, months),
        for_study=for_study,
        by=None,
    )


# ---- exemption --------------------------------------------------------------------------


def test_an_exempted_member_is_left_out_of_the_denominator_when_absent_charter_art_7(tree):
    """294-QĐ/TW §9.3.2 [R]: exempted members count only when they attend."""
    branch = tree["village"]
    members = [make_member(branch=branch) for _ in range(4)]
    actions.exempt(members[0], reason=ExemptionReason.ILL_HEALTH, from_on=date(2026, 5, 1), by=None)
    on = date(2026, 10, 15)
    assert vote_denominator(branch, on=on) == 3
    assert vote_denominator(branch, on=on, exempted_present=1) == 4
    assert vote_denominator(branch, on=date(2026, 4, 30)) == 4  # before the exemption
    assert members[0].changes.filter(what=Event.EXEMPTION).exists()


def test_a_probationary_member_may_be_exempted_for_maternity_leave(tree):
    member = make_member(branch=tree["village"], status=Status.PROBATIONARY)
    exemption = actions.exempt(
        member,
        reason=ExemptionReason.MATERNITY,
        from_on=date(2026, 7, 1),
        until_on=date(2026, 12, 31),
        by=None,
    )
    assert exemption.until_on == date(2026, 12, 31)


def test_an_exemption_that_overlaps_another_one_is_refused(tree):
    member = make_member(branch=tree["village"])
    actions.exempt(
        member,
        reason=ExemptionReason.LONG_TREATMENT,
        from_on=date(2026, 1, 1),
        until_on=date(2026, 6, 30),
        by=None,
    )
    with pytest.raises(Conflict, match="mỗi lúc chỉ có một lần miễn"):
        actions.exempt(member, reason=ExemptionReason.OLD_AGE, from_on=date(2026, 6, 30), by=None)
    # The day after the first one ends is free.
    actions.exempt(member, reason=ExemptionReason.OLD_AGE, from_on=date(2026, 7, 1), by=None)
    assert member.exemptions.count() == 2


def test_an_exemption_ending_before_it_starts_is_refused(tree):
    member = make_member(branch=tree["village"])
    with pytest.raises(NotEligible, match="trước ngày bắt đầu") as refused:
        actions.exempt(
            member,
            reason=ExemptionReason.OLD_AGE,
            from_on=date(2026, 5, 1),
            until_on=date(2026, 4, 1),
            by=None,
        )
    assert refused.value.field == "until_on"


def test_a_former_member_cannot_be_exempted(tree):
    member = make_member(branch=tree["village"], status=Status.REMOVED)
    with pytest.raises(StageNotAllowed):
        actions.exempt(member, reason=ExemptionReason.OLD_AGE, from_on=date(2026, 5, 1), by=None)


def test_ending_an_exemption_brings_the_member_back_into_the_denominator(tree):
    branch = tree["village"]
    member, *_ = [make_member(branch=branch) for _ in range(3)]
    actions.exempt(member, reason=ExemptionReason.OLD_AGE, from_on=date(2026, 1, 1), by=None)
    actions.end_exemption(member, until_on=date(2026, 8, 31), by=None)
    assert vote_denominator(branch, on=date(2026, 8, 31)) == 2
    assert vote_denominator(branch, on=date(2026, 9, 1)) == 3
    with pytest.raises(StageNotAllowed, match="không có lần miễn"):
        actions.end_exemption(member, until_on=date(2026, 9, 2), by=None)


# ---- permanent transfer: 294-QĐ/TW §6.3.1 ----------------------------------------------


def test_a_permanent_request_on_working_day_60_is_accepted_294_qd_tw_6_3_1(tree):
    member = make_member(branch=tree["village"])
    day_60 = add_working_days(CAUSE, 60)
    transfer = start_permanent(member, tree["school_branch"], issued_on=day_60)
    assert transfer.state == TransferState.IN_FLIGHT
    assert transfer.late_reason == ""
    assert transfer.present_by == add_working_days(day_60, 30)
    assert transfer.to_path == tree["school_branch"].path


def test_a_permanent_request_on_working_day_61_needs_a_late_reason_294_qd_tw_6_3_1(tree):
    member = make_member(branch=tree["village"])
    day_61 = add_working_days(CAUSE, 61)
    with pytest.raises(DeadlinePassed, match="trong 60 ngày làm việc") as refused:
        start_permanent(member, tree["school_branch"], issued_on=day_61)
    assert refused.value.field == "late_reason"
    assert not Transfer.objects.filter(member=member).exists()
    transfer = start_permanent(
        member, tree["school_branch"], issued_on=day_61, late_reason="Đi điều trị bệnh"
    )
    assert "Đi điều trị bệnh" in transfer.late_reason


def test_a_permanent_transfer_needs_the_day_of_the_decision_or_move(tree):
    member = make_member(branch=tree["village"])
    with pytest.raises(NotEligible) as refused:
        actions.start_transfer(
            member,
            kind=TransferKind.PERMANENT,
            to_organisation=tree["school_branch"],
            letter_no="GT-1",
            issued_on=ISSUED,
            by=None,
        )
    assert refused.value.field == "cause_on"


def test_the_destination_must_be_another_branch(tree):
    member = make_member(branch=tree["village"])
    with pytest.raises(NotEligible, match="đang sinh hoạt") as refused:
        start_permanent(member, tree["village"])
    assert refused.value.field == "to_organisation"
    with pytest.raises(NotEligible, match="không phải là chi bộ"):
        start_permanent(member, tree["school"])


def test_the_introduction_letter_number_is_required(tree):
    member = make_member(branch=tree["village"])
    with pytest.raises(NotEligible, match="số giấy giới thiệu") as refused:
        start_permanent(member, tree["school_branch"], letter_no="  ")
    assert refused.value.field == "letter_no"


def test_one_open_transfer_at_a_time(tree):
    member = make_member(branch=tree["village"])
    start_permanent(member, tree["school_branch"])
    with pytest.raises(Conflict, match="mỗi lúc chỉ có một lần chuyển"):
        start_temporary(member, tree["other_branch"])
    # A received temporary stay is still open.
    other = make_member(branch=tree["village"])
    start_temporary(other, tree["other_branch"])
    actions.receive_transfer(other, received_on=ISSUED, by=None)
    with pytest.raises(Conflict):
        start_permanent(other, tree["school_branch"])


def test_the_destination_may_lie_outside_the_home_commune(tree):
    """The letter goes to any chi bộ in the system (294-QĐ/TW §6.3.1)."""
    member = make_member(branch=tree["village"])
    transfer = start_permanent(member, tree["other_branch"])
    assert transfer.to_organisation == tree["other_branch"]


def test_receiving_on_the_presentation_deadline_needs_no_reason(tree):
    member = make_member(branch=tree["village"])
    transfer = start_permanent(member, tree["school_branch"])
    received = actions.receive_transfer(member, received_on=transfer.present_by, by=None)
    assert received.state == TransferState.RECEIVED
    assert received.late_reason == ""


def test_receiving_one_working_day_after_present_by_needs_a_reason_294_qd_tw_6_3_1(tree):
    member = make_member(branch=tree["village"])
    transfer = start_permanent(member, tree["school_branch"])
    late_day = add_working_days(transfer.present_by, 1)
    with pytest.raises(DeadlinePassed, match="nộp chậm thì cần ghi lý do") as refused:
        actions.receive_transfer(member, received_on=late_day, by=None)
    assert refused.value.field == "late_reason"
    transfer.refresh_from_db()
    assert transfer.state == TransferState.IN_FLIGHT
    received = actions.receive_transfer(
        member, received_on=late_day, late_reason="Ốm phải nằm viện", by=None
    )
    assert "Ốm phải nằm viện" in received.late_reason


def test_a_permanent_receive_moves_the_member_to_the_destination(tree):
    member = make_member(branch=tree["village"], status=Status.PROBATIONARY)
    mentor = make_member(branch=tree["village"])
    Mentorship.objects.create(member=member, mentor=mentor, from_on=date(2026, 1, 1))
    transfer = start_permanent(member, tree["school_branch"])
    actions.receive_transfer(member, received_on=transfer.present_by, by=None)
    member.refresh_from_db()
    assert member.branch == tree["school_branch"]
    assert member.org_path == tree["school_branch"].path
    notes = list(member.changes.filter(what=Event.TRANSFER).values_list("note", flat=True))
    assert any("Chuyển đi khỏi Chi bộ thôn Đông" in n for n in notes)
    assert any("Chi bộ Tổ Toán tiếp nhận sinh hoạt đảng chính thức" in n for n in notes)
    assert member.mentorships.get().until_on == transfer.present_by
    assert subtree_counts(tree["school_branch"])["probationary"] == 1


def test_a_permanent_receive_changes_who_sees_the_member(tree):
    member = make_member(branch=tree["village"])
    village_secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    school_secretary = user_with_role(Role.BRANCH_SECRETARY, tree["school_branch"])
    outsider = user_with_role(Role.BRANCH_SECRETARY, tree["other_branch"])
    assert not visible_members(school_secretary).filter(pk=member.pk).exists()
    transfer = start_permanent(member, tree["school_branch"])
    # In flight: both ends see the member, nobody else does.
    assert visible_members(village_secretary).filter(pk=member.pk).exists()
    assert visible_members(school_secretary).filter(pk=member.pk).exists()
    assert not visible_members(outsider).filter(pk=member.pk).exists()
    actions.receive_transfer(member, received_on=transfer.present_by, by=None)
    assert visible_members(school_secretary).filter(pk=member.pk).exists()
    assert not visible_members(village_secretary).filter(pk=member.pk).exists()


def test_cancelling_a_transfer_in_flight_hides_the_member_from_the_destination(tree):
    member = make_member(branch=tree["village"])
    school_secretary = user_with_role(Role.BRANCH_SECRETARY, tree["school_branch"])
    start_permanent(member, tree["school_branch"])
    with pytest.raises(NotEligible, match="lý do hủy"):
        actions.cancel_transfer(member, reason="", by=None)
    cancelled = actions.cancel_transfer(member, reason="Không chuyển nữa", by=None)
    assert cancelled.state == TransferState.CANCELLED
    assert not visible_members(school_secretary).filter(pk=member.pk).exists()
    last = member.changes.last()
    assert last is not None and "Không chuyển nữa" in last.note
    with pytest.raises(StageNotAllowed):
        actions.cancel_transfer(member, reason="Lần nữa", by=None)


# ---- temporary transfer: 294-QĐ/TW §6.3.2 ----------------------------------------------


def test_a_temporary_stay_of_2_months_is_refused_294_qd_tw_6_3_2(tree):
    member = make_member(branch=tree["village"])
    with pytest.raises(NotEligible, match="từ 3 tháng trở lên") as refused:
        start_temporary(member, tree["other_branch"], months=2)
    assert refused.value.field == "until_on"


def test_a_temporary_stay_of_3_months_is_accepted_294_qd_tw_6_3_2(tree):
    member = make_member(branch=tree["village"])
    transfer = start_temporary(member, tree["other_branch"], months=3)
    assert transfer.until_on == add_months(ISSUED, 3)


def test_a_temporary_stay_one_day_short_of_3_months_is_refused(tree):
    member = make_member(branch=tree["village"])
    with pytest.raises(NotEligible):
        start_temporary(
            member, tree["other_branch"], until_on=date(2026, 8, 31)
        )  # 3 months from 1/6 is 1/9


def test_a_temporary_stay_for_work_must_be_under_a_year_294_qd_tw_6_3_2(tree):
    """ "Từ 3 tháng đến dưới 1 năm" (DOMAIN.md §6 [C]): a day short of 12 months is
    accepted, 12 months refused."""
    member = make_member(branch=tree["village"])
    with pytest.raises(NotEligible, match="chỉ dưới 12 tháng") as refused:
        start_temporary(member, tree["other_branch"], months=12)
    assert refused.value.field == "until_on"
    start_temporary(member, tree["other_branch"], until_on=add_months(ISSUED, 12) - timedelta(1))
    assert Transfer.objects.filter(member=member).count() == 1


def test_a_temporary_stay_of_13_months_is_refused_294_qd_tw_6_3_2(tree):
    member = make_member(branch=tree["village"])
    with pytest.raises(NotEligible, match="chỉ dưới 12 tháng"):
        start_temporary(member, tree["other_branch"], months=13)


def test_full_time_study_may_stay_24_months_294_qd_tw_6_3_2(tree):
    member = make_member(branch=tree["village"])
    transfer = start_temporary(member, tree["other_branch"], months=24, for_study=True)
    assert transfer.for_study


def test_full_time_study_of_25_months_is_refused_294_qd_tw_6_3_2(tree):
    member = make_member(branch=tree["village"])
    with pytest.raises(NotEligible, match="tối đa 24 tháng"):
        start_temporary(member, tree["other_branch"], months=25, for_study=True)


def test_a_temporary_stay_needs_its_end_date(tree):
    member = make_member(branch=tree["village"])
    with pytest.raises(NotEligible) as refused:
        actions.start_transfer(
            member,
            kind=TransferKind.TEMPORARY,
            to_organisation=tree["other_branch"],
            letter_no="GT-2",
            issued_on=ISSUED,
            by=None,
        )
    assert refused.value.field == "until_on"


def test_a_member_on_temporary_stay_is_not_in_the_hosts_headcount_294_qd_tw_6_3_2(tree):
    member = make_member(branch=tree["village"])
    make_member(branch=tree["school_branch"])
    transfer = start_temporary(member, tree["school_branch"])
    actions.receive_transfer(member, received_on=transfer.present_by, by=None)
    member.refresh_from_db()
    assert member.branch == tree["village"]
    assert subtree_counts(tree["school_branch"])["official"] == 1
    assert subtree_counts(tree["school"])["official"] == 1
    by_child = counts_by_child(tree["commune"])
    assert by_child[tree["school"].path]["official"] == 1
    assert by_child[tree["village"].path]["official"] == 1  # still on the home roll


def test_a_member_on_temporary_transfer_is_out_of_the_home_denominator_294_qd_tw_9_3_2(tree):
    """A denominator with a member on temporary transfer (issue 4, "Must show")."""
    branch = tree["village"]
    member, *_ = [make_member(branch=branch) for _ in range(4)]
    transfer = start_temporary(member, tree["school_branch"])
    assert vote_denominator(branch, on=date(2026, 5, 31)) == 4
    assert vote_denominator(branch, on=ISSUED) == 3
    actions.receive_transfer(member, received_on=transfer.present_by, by=None)
    assert vote_denominator(branch, on=date(2026, 9, 1)) == 3
    actions.return_transfer(member, returned_on=date(2026, 10, 1), by=None)
    assert vote_denominator(branch, on=date(2026, 9, 30)) == 3
    assert vote_denominator(branch, on=date(2026, 10, 1)) == 4
    transfer.refresh_from_db()
    assert transfer.state == TransferState.RETURNED


def test_only_a_received_temporary_stay_can_return(tree):
    member = make_member(branch=tree["village"])
    start_temporary(member, tree["school_branch"])
    with pytest.raises(StageNotAllowed):
        actions.return_transfer(member, returned_on=date(2026, 9, 1), by=None)
    other = make_member(branch=tree["village"])
    transfer = start_permanent(other, tree["school_branch"])
    actions.receive_transfer(other, received_on=transfer.present_by, by=None)
    with pytest.raises(StageNotAllowed):
        actions.return_transfer(other, returned_on=date(2026, 9, 1), by=None)


def test_a_return_before_the_stay_began_is_refused(tree):
    member = make_member(branch=tree["village"])
    transfer = start_temporary(member, tree["school_branch"])
    actions.receive_transfer(member, received_on=transfer.present_by, by=None)
    with pytest.raises(NotEligible, match="trước ngày tiếp nhận") as refused:
        actions.return_transfer(member, returned_on=ISSUED, by=None)
    assert refused.value.field == "returned_on"


# ---- working far away: HD 01-HD/TW §10.3, seed 004 -------------------------------------


def test_a_member_working_far_away_is_flagged_followed_and_cleared(tree):
    member = make_member(branch=tree["village"])
    actions.flag_far_away(member, since=date(2026, 3, 1), place="Bình Dương", by=None)
    member.refresh_from_db()
    assert member.far_away_place == "Bình Dương"
    with pytest.raises(Conflict):
        actions.flag_far_away(member, since=date(2026, 4, 1), place="Đồng Nai", by=None)
    actions.record_contact(member, contacted_on=date(2026, 6, 1), note="Gọi điện", by=None)
    with pytest.raises(NotEligible, match="sau ngày này"):
        actions.record_contact(member, contacted_on=date(2026, 5, 1), by=None)
    member.refresh_from_db()
    assert member.far_away_contact_on == date(2026, 6, 1)
    actions.clear_far_away(member, back_on=date(2026, 9, 1), by=None)
    member.refresh_from_db()
    assert member.far_away_since is None and member.far_away_contact_on is None
    assert member.changes.filter(what=Event.FAR_AWAY).count() == 3
    with pytest.raises(StageNotAllowed):
        actions.record_contact(member, contacted_on=date(2026, 9, 2), by=None)


def test_the_place_of_work_is_required_when_flagging(tree):
    member = make_member(branch=tree["village"])
    with pytest.raises(NotEligible) as refused:
        actions.flag_far_away(member, since=date(2026, 3, 1), place=" ", by=None)
    assert refused.value.field == "place"


def test_a_contact_before_leaving_is_refused(tree):
    member = make_member(branch=tree["village"])
    actions.flag_far_away(member, since=date(2026, 3, 1), place="Lào Cai", by=None)
    with pytest.raises(NotEligible, match="trước ngày đi làm ăn xa"):
        actions.record_contact(member, contacted_on=date(2026, 2, 1), by=None)


# ---- deadlines ---------------------------------------------------------------------------


def test_deadlines_show_present_by_the_end_of_a_stay_and_of_an_exemption(tree):
    member = make_member(branch=tree["village"])
    transfer = start_temporary(member, tree["school_branch"])
    today = date(2026, 6, 2)
    rows = q.deadlines(member, today)
    assert rows == [
        {
            "what": "Nộp giấy giới thiệu sinh hoạt đảng số GT-T1 cho Chi bộ Tổ Toán",
            "due_on": transfer.present_by,
            "overdue": False,
        }
    ]
    assert q.deadlines(member, add_working_days(transfer.present_by, 1))[0]["overdue"]
    actions.receive_transfer(member, received_on=transfer.present_by, by=None)
    actions.exempt(
        member,
        reason=ExemptionReason.LONG_TREATMENT,
        from_on=date(2026, 7, 1),
        until_on=date(2026, 12, 31),
        by=None,
    )
    by_what = {d["what"]: d for d in q.deadlines(member, date(2026, 7, 15))}
    stay = by_what["Hết thời hạn sinh hoạt đảng tạm thời tại Chi bộ Tổ Toán"]
    assert stay["due_on"] == transfer.until_on and not stay["overdue"]
    assert by_what["Hết thời hạn miễn công tác và sinh hoạt đảng"]["due_on"] == date(2026, 12, 31)
    late = {d["what"]: d for d in q.deadlines(member, date(2026, 12, 15))}
    assert late["Hết thời hạn sinh hoạt đảng tạm thời tại Chi bộ Tổ Toán"]["overdue"]


def test_the_next_contact_with_a_member_far_away_is_due_3_months_after_the_last(tree):
    member = make_member(branch=tree["village"])
    actions.flag_far_away(member, since=date(2026, 3, 1), place="Hà Nội", by=None)
    actions.record_contact(member, contacted_on=date(2026, 6, 10), by=None)
    member.refresh_from_db()
    (row,) = q.deadlines(member, date(2026, 9, 10))
    assert row["due_on"] == date(2026, 9, 10) and not row["overdue"]
    assert q.deadlines(member, date(2026, 9, 11))[0]["overdue"]
