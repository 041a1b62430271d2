"""Rules of leaving the list: removal (xóa tên), exit, expulsion, death (DOMAIN.md §3).
Each test names its source."""

from datetime import date, timedelta
from typing import Any

import pytest

from dangvien.accounts.models import Role, User
from dangvien.core import calendar
from dangvien.core.errors import DeadlinePassed, NotEligible, StageNotAllowed
from dangvien.factories import make_member, user_with_role
from dangvien.members.actions import leaving
from dangvien.members.actions.base import locked, set_status
from dangvien.members.models import (
    Attendance,
    Badge,
    DuesPayment,
    Event,
    Meeting,
    MeetingKind,
    Member,
    NeverReadmit,
    Proceeding,
    ProceedingKind,
    RemovalTrigger,
    Status,
    Step,
)
from dangvien.organisations.models import Organisation

pytestmark = pytest.mark.django_db

OPENED = date(2026, 8, 3)
VOTE = date(2026, 9, 15)


def branch_with(branch: Organisation, officials: int) -> list[Member]:
    return [make_member(branch=branch) for _ in range(officials)]


def staff(tree: dict[str, Organisation]) -> User:
    return user_with_role(Role.BRANCH_SECRETARY, tree["village"])


def asked(
    member: Member,
    by: User,
    times: int = 3,
    trigger: str = RemovalTrigger.FAILED_STANDARDS,
) -> Proceeding:
    proceeding = None
    for n in range(times):
        proceeding = leaving.request_self_review(
            member,
            by=by,
            requested_on=OPENED + timedelta(days=7 * n),
            trigger=trigger,
            reason="Hai năm liền không hoàn thành nhiệm vụ",
        )
    assert proceeding is not None
    return proceeding


def propose(member: Member, by: User, **kw: Any) -> Any:
    fields: dict[str, Any] = {
        "held_on": VOTE,
        "in_favour": 5,
        "against": 1,
        "resolution_no": "NQ-05",
        "trigger": RemovalTrigger.FAILED_STANDARDS,
        "reason": "Hai năm liền không hoàn thành nhiệm vụ",
    }
    fields.update(kw)
    return leaving.propose_removal(member, by=by, **fields)


def absent(member: Member, held_on: date, excused: bool = False) -> None:
    meeting = Meeting.objects.create(
        organisation=member.branch,
        org_path=member.branch.path,
        kind=MeetingKind.REGULAR,
        held_on=held_on,
    )
    Attendance.objects.create(meeting=meeting, member=member, present=False, excused=excused)


def unpaid(member: Member, month: date) -> None:
    DuesPayment.objects.create(
        member=member, month=month, org_path=member.org_path, amount_due=30_000
    )


def fresh(member: Member) -> Member:
    return Member.objects.select_related("person", "branch").get(pk=member.pk)


# ---- self-review: "3 requests then proceed" -----------------------------------------------


def test_the_first_self_review_request_opens_the_removal_with_its_ground(tree: Any) -> None:
    """HD 01-HD/TW §11.1a: the chi ủy asks for a self-review; the matter is opened."""
    member = make_member(branch=tree["village"])
    proceeding = leaving.request_self_review(
        member,
        by=staff(tree),
        requested_on=OPENED,
        trigger=RemovalTrigger.UNPAID_DUES,
        reason="Không đóng đảng phí",
    )
    assert proceeding.kind == ProceedingKind.REMOVAL
    assert proceeding.trigger == RemovalTrigger.UNPAID_DUES
    assert proceeding.self_review_requests == 1
    notes = list(member.changes.values_list("note", flat=True))
    assert any("Chi ủy yêu cầu đảng viên tự kiểm điểm (lần 1)" in n for n in notes)


def test_the_first_request_needs_a_ground_of_charter_art_8(tree: Any) -> None:
    member = make_member(branch=tree["village"])
    with pytest.raises(NotEligible, match="Cần chọn căn cứ xem xét xóa tên") as refused:
        leaving.request_self_review(member, by=staff(tree), requested_on=OPENED, reason="x")
    assert refused.value.field == "trigger"
    assert not Proceeding.objects.exists()


def test_not_recognised_is_a_ground_for_probationary_members_only_charter_art_5(
    tree: Any,
) -> None:
    member = make_member(branch=tree["village"])
    with pytest.raises(NotEligible, match="chỉ áp dụng với đảng viên dự bị"):
        leaving.request_self_review(
            member,
            by=staff(tree),
            requested_on=OPENED,
            trigger=RemovalTrigger.NOT_RECOGNISED,
            reason="x",
        )


def test_two_requests_are_not_enough_to_propose_removal_hd01_11_1a(tree: Any) -> None:
    """HD 01-HD/TW §11.1a: only after the third request unanswered does the chi bộ proceed."""
    by = staff(tree)
    member, *_others = branch_with(tree["village"], 6)
    asked(member, by, times=2)
    with pytest.raises(NotEligible, match="chi ủy mới yêu cầu 2 lần: cần yêu cầu đủ 3 lần"):
        propose(member, by)
    assert Proceeding.objects.get().step == Step.OPEN
    assert not Proceeding.objects.get().votes.exists()


def test_three_requests_let_the_branch_proceed_hd01_11_1a(tree: Any) -> None:
    by = staff(tree)
    member, *_others = branch_with(tree["village"], 6)
    asked(member, by, times=3)
    vote = propose(member, by)
    assert vote.passed
    assert Proceeding.objects.get().step == Step.BRANCH_PROPOSED


def test_a_self_review_lets_the_branch_proceed_after_one_request_hd01_11_1a(tree: Any) -> None:
    by = staff(tree)
    member, *_others = branch_with(tree["village"], 6)
    asked(member, by, times=1)
    leaving.record_self_review(member, by=by, reviewed_on=date(2026, 8, 20))
    assert propose(member, by).passed


def test_no_more_requests_once_the_member_reviewed_themselves(tree: Any) -> None:
    by = staff(tree)
    member = make_member(branch=tree["village"])
    asked(member, by, times=1)
    leaving.record_self_review(member, by=by, reviewed_on=date(2026, 8, 20))
    with pytest.raises(StageNotAllowed, match="Đảng viên đã tự kiểm điểm ngày 20/08/2026"):
        leaving.request_self_review(member, by=by, requested_on=date(2026, 8, 25))


def test_a_self_review_before_the_matter_opened_is_refused(tree: Any) -> None:
    by = staff(tree)
    member = make_member(branch=tree["village"])
    asked(member, by, times=1)
    with pytest.raises(NotEligible, match="trước ngày bắt đầu xem xét") as refused:
        leaving.record_self_review(member, by=by, reviewed_on=date(2026, 7, 20))
    assert refused.value.field == "reviewed_on"


# ---- the chi bộ vote ---------------------------------------------------------------------


def test_a_removal_vote_exactly_at_two_thirds_passes_charter_art_8(tree: Any) -> None:
    """Charter Art. 8; DOMAIN.md §2: at least 2/3 of the official members: 4 of 6."""
    by = staff(tree)
    member, *_others = branch_with(tree["village"], 6)
    asked(member, by)
    vote = propose(member, by, in_favour=4, against=2)
    assert (vote.in_favour, vote.denominator, vote.passed) == (4, 6, True)
    proceeding = Proceeding.objects.get()
    assert proceeding.decision_due_on == calendar.add_working_days(VOTE, 30)


def test_a_removal_vote_below_two_thirds_is_recorded_and_the_matter_stays_open(
    tree: Any,
) -> None:
    by = staff(tree)
    member, *_others = branch_with(tree["village"], 6)
    asked(member, by)
    vote = propose(member, by, in_favour=3, against=3)
    assert not vote.passed
    assert Proceeding.objects.get().step == Step.OPEN


def test_a_branch_of_fewer_than_three_officials_may_not_vote_on_removal(tree: Any) -> None:
    """Charter (DOMAIN.md §2): a chi bộ needs at least 3 official members."""
    by = staff(tree)
    member, _other = branch_with(tree["village"], 2)
    asked(member, by)
    with pytest.raises(NotEligible, match="ít nhất 3 đảng viên chính thức"):
        propose(member, by, in_favour=2, against=0)


# ---- evidence of "3 months in a year" ----------------------------------------------------


def test_two_months_of_missed_meetings_are_refused_charter_art_8(tree: Any) -> None:
    """Charter Art. 8: three months in a year without good reason; the refusal names the
    months found."""
    by = staff(tree)
    member, *_others = branch_with(tree["village"], 6)
    absent(member, date(2026, 3, 10))
    absent(member, date(2026, 6, 10))
    absent(member, date(2026, 6, 24))  # same month: counted once
    absent(member, date(2026, 8, 10), excused=True)  # with a reason: not counted
    asked(member, by, trigger=RemovalTrigger.MISSED_MEETINGS)
    with pytest.raises(NotEligible, match="chỉ ghi 2 tháng bỏ sinh hoạt chi bộ") as refused:
        propose(member, by, trigger=RemovalTrigger.MISSED_MEETINGS)
    assert "01/10/2025 đến 15/09/2026" in str(refused.value)
    assert refused.value.field == "trigger"


def test_three_months_of_missed_meetings_in_the_window_are_accepted_charter_art_8(
    tree: Any,
) -> None:
    by = staff(tree)
    member, *_others = branch_with(tree["village"], 6)
    for day in (date(2025, 10, 12), date(2026, 3, 10), date(2026, 6, 10)):
        absent(member, day)
    asked(member, by, trigger=RemovalTrigger.MISSED_MEETINGS)
    assert propose(member, by, trigger=RemovalTrigger.MISSED_MEETINGS).passed
    note = member.changes.filter(what=Event.PROCEEDING).last()
    assert note is not None and "3 tháng (10/2025, 03/2026, 06/2026)" in note.note


def test_three_months_with_one_outside_the_window_are_refused_charter_art_8(tree: Any) -> None:
    """The window is ``removal.window_months`` (12) calendar months ending with the vote's
    month: September 2025 is outside for a vote in September 2026."""
    by = staff(tree)
    member, *_others = branch_with(tree["village"], 6)
    for day in (date(2025, 9, 20), date(2026, 3, 10), date(2026, 6, 10)):
        absent(member, day)
    asked(member, by, trigger=RemovalTrigger.MISSED_MEETINGS)
    with pytest.raises(NotEligible, match="chỉ ghi 2 tháng"):
        propose(member, by, trigger=RemovalTrigger.MISSED_MEETINGS)


def test_three_unpaid_months_of_dues_are_accepted_but_a_partial_payment_is_not_unpaid(
    tree: Any,
) -> None:
    """01-QĐ/TW 2026: not paying (“không đóng”) for 3 months in a year without reason
    triggers removal; a partial payment is a payment [U]."""
    by = staff(tree)
    member, *_others = branch_with(tree["village"], 6)
    for month in (date(2026, 7, 1), date(2026, 8, 1)):
        unpaid(member, month)
    DuesPayment.objects.create(
        member=member,
        month=date(2026, 6, 1),
        org_path=member.org_path,
        amount_due=30_000,
        amount_paid=10_000,
    )
    asked(member, by, trigger=RemovalTrigger.UNPAID_DUES)
    with pytest.raises(NotEligible, match="chỉ ghi 2 tháng không đóng đảng phí"):
        propose(member, by, trigger=RemovalTrigger.UNPAID_DUES)
    unpaid(member, date(2026, 5, 1))
    assert propose(member, by, trigger=RemovalTrigger.UNPAID_DUES).passed


def test_lost_commitment_waits_twelve_months_of_education_24_294_8_1(tree: Any) -> None:
    """Charter Art. 8; 24/294-QĐ/TW §8.1: educated by the chi bộ, no progress after 12
    months."""
    by = staff(tree)
    member, *_others = branch_with(tree["village"], 6)
    asked(member, by, trigger=RemovalTrigger.LOST_COMMITMENT)
    kind = RemovalTrigger.LOST_COMMITMENT
    with pytest.raises(NotEligible, match="Cần ghi ngày chi bộ bắt đầu giáo dục"):
        propose(member, by, trigger=kind)
    with pytest.raises(NotEligible, match="chỉ xem xét xóa tên sau 12 tháng") as refused:
        propose(member, by, trigger=kind, educated_since=date(2026, 1, 10))
    assert refused.value.field == "educated_since"
    assert propose(member, by, trigger=kind, educated_since=date(2025, 9, 15)).passed


# ---- the decision ------------------------------------------------------------------------


def proposed(tree: Any, trigger: str = RemovalTrigger.FAILED_STANDARDS) -> tuple[Member, User]:
    by = staff(tree)
    member, *_others = branch_with(tree["village"], 6)
    if trigger == RemovalTrigger.MISSED_MEETINGS:
        for day in (date(2026, 3, 10), date(2026, 6, 10), date(2026, 9, 10)):
            absent(member, day)
    asked(member, by, trigger=trigger)
    propose(member, by, trigger=trigger)
    return member, by


def test_a_decision_one_working_day_late_needs_its_reason_qd29_4_3_1(tree: Any) -> None:
    """QĐ 29 §4.3.1 (``deadline.removal_decision_working_days``): a late decision records
    why."""
    member, _by = proposed(tree)
    board = user_with_role(Role.BOARD_STAFF, tree["commune"])
    due = calendar.add_working_days(VOTE, 30)
    late = calendar.add_working_days(due, 1)
    with pytest.raises(DeadlinePassed, match="Quá hạn ra quyết định") as refused:
        leaving.decide_removal(member, by=board, decision_no="QĐ-77", decided_on=late, removed=True)
    assert refused.value.field == "late_reason"
    assert fresh(member).status == Status.OFFICIAL
    leaving.decide_removal(
        member,
        by=board,
        decision_no="QĐ-77",
        decided_on=late,
        removed=True,
        late_reason="Chờ ý kiến của ban tổ chức",
    )
    assert fresh(member).status == Status.REMOVED


def test_a_decision_on_the_last_day_needs_no_reason(tree: Any) -> None:
    member, _by = proposed(tree)
    board = user_with_role(Role.BOARD_STAFF, tree["commune"])
    due = calendar.add_working_days(VOTE, 30)
    leaving.decide_removal(member, by=board, decision_no="QĐ-77", decided_on=due, removed=True)
    assert fresh(member).status == Status.REMOVED


def test_removal_sets_the_complaint_window_and_never_readmits_one_who_left_meetings(
    tree: Any,
) -> None:
    """HD 01-HD/TW §11.1c (``removal.complaint_working_days``); 294-QĐ/TW §3.5 (left
    meetings of their own accord: never readmitted); HD 01-HD/TW §18 (badge handed back)."""
    member, _by = proposed(tree, RemovalTrigger.MISSED_MEETINGS)
    Badge.objects.create(member=member, years=30, awarded_on=date(2025, 2, 3), decision_no="HH-1")
    board = user_with_role(Role.BOARD_STAFF, tree["commune"])
    decided = date(2026, 10, 21)
    proceeding = leaving.decide_removal(
        member, by=board, decision_no="QĐ-78", decided_on=decided, removed=True
    )
    member = fresh(member)
    assert member.status == Status.REMOVED
    assert member.left_on == decided
    assert member.never_readmit == NeverReadmit.LEFT_MEETINGS
    assert proceeding.complaint_until == calendar.add_working_days(decided, 30)
    assert Badge.objects.get().returned_on == decided
    assert member.changes.filter(what=Event.BADGE, note__contains="Thu hồi Huy hiệu 30").exists()


def test_a_decision_not_to_remove_closes_the_matter_and_the_member_stays(tree: Any) -> None:
    member, _by = proposed(tree)
    board = user_with_role(Role.BOARD_STAFF, tree["commune"])
    proceeding = leaving.decide_removal(
        member, by=board, decision_no="QĐ-79", decided_on=date(2026, 10, 21), removed=False
    )
    assert (proceeding.step, proceeding.outcome) == (Step.DECIDED, False)
    member = fresh(member)
    assert member.status == Status.OFFICIAL
    assert member.never_readmit == ""


def test_the_committee_may_not_remove_before_the_branch_proposes_hd01_11_1b(tree: Any) -> None:
    by = staff(tree)
    member, *_others = branch_with(tree["village"], 6)
    asked(member, by)
    propose(member, by, in_favour=3, against=3)
    board = user_with_role(Role.BOARD_STAFF, tree["commune"])
    with pytest.raises(StageNotAllowed, match="Cần nghị quyết đề nghị của chi bộ"):
        leaving.decide_removal(
            member, by=board, decision_no="QĐ-80", decided_on=date(2026, 11, 2), removed=True
        )


def test_after_three_failed_branch_votes_the_superior_decides_qd29_4_2c(tree: Any) -> None:
    by = staff(tree)
    member, *_others = branch_with(tree["village"], 6)
    asked(member, by)
    for day in (date(2026, 10, 5), date(2026, 10, 12), date(2026, 10, 19)):
        propose(member, by, in_favour=3, against=3, held_on=day)
    board = user_with_role(Role.BOARD_STAFF, tree["commune"])
    leaving.decide_removal(
        member, by=board, decision_no="QĐ-81", decided_on=date(2026, 11, 2), removed=True
    )
    assert fresh(member).status == Status.REMOVED


def test_under_a_grassroots_committee_its_resolution_comes_before_the_decision(
    tree: Any,
) -> None:
    """HD 01-HD/TW §11.1b: chi bộ, đảng ủy cơ sở, then the competent committee."""
    by = user_with_role(Role.GRASSROOTS_STAFF, tree["school"])
    member, *_others = branch_with(tree["school_branch"], 6)
    asked(member, by)
    propose(member, by)
    board = user_with_role(Role.BOARD_STAFF, tree["commune"])
    with pytest.raises(StageNotAllowed, match="Cần nghị quyết của Đảng ủy"):
        leaving.decide_removal(
            member, by=board, decision_no="QĐ-82", decided_on=date(2026, 10, 21), removed=True
        )
    vote = leaving.record_grassroots_removal_vote(
        member,
        by=by,
        held_on=date(2026, 10, 20),
        in_favour=6,
        committee_size=9,
        resolution_no="NQ-ĐU-3",
    )
    assert vote.passed
    leaving.decide_removal(
        member, by=board, decision_no="QĐ-82", decided_on=date(2026, 10, 21), removed=True
    )
    assert fresh(member).status == Status.REMOVED


# ---- exit --------------------------------------------------------------------------------


def test_exit_is_refused_while_a_removal_is_open_hd01_11_2a(tree: Any) -> None:
    """HD 01-HD/TW §11.2a: only a member without a violation may be let go on request."""
    by = staff(tree)
    member = make_member(branch=tree["village"])
    asked(member, by, times=1)
    with pytest.raises(NotEligible, match="đang bị xem xét xóa tên"):
        leaving.request_exit(member, by=by, requested_on=OPENED, reason="Lý do gia đình")
    assert not Proceeding.objects.filter(kind=ProceedingKind.EXIT).exists()


def test_exit_is_refused_when_a_removal_opened_after_the_request_hd01_11_2a(tree: Any) -> None:
    by = staff(tree)
    member = make_member(branch=tree["village"])
    leaving.request_exit(member, by=by, requested_on=OPENED, reason="Lý do gia đình")
    asked(member, by, times=1)
    board = user_with_role(Role.BOARD_STAFF, tree["commune"])
    with pytest.raises(NotEligible, match="đang bị xem xét xóa tên"):
        leaving.record_exit(member, by=board, decision_no="QĐ-90", decided_on=date(2026, 10, 1))
    assert fresh(member).status == Status.OFFICIAL


def test_exit_lets_the_member_go_and_never_readmits_them_294_3_5(tree: Any) -> None:
    """HD 01-HD/TW §11.2a; 294-QĐ/TW §3.5: one who asked to leave is not readmitted."""
    by = staff(tree)
    member = make_member(branch=tree["village"])
    Badge.objects.create(member=member, years=30, awarded_on=date(2025, 2, 3), decision_no="HH")
    leaving.request_exit(member, by=by, requested_on=OPENED, reason="Lý do gia đình")
    with pytest.raises(StageNotAllowed, match="Đã có đơn xin ra khỏi Đảng"):
        leaving.request_exit(member, by=by, requested_on=OPENED, reason="Lần hai")
    board = user_with_role(Role.BOARD_STAFF, tree["commune"])
    leaving.record_exit(member, by=board, decision_no="QĐ-91", decided_on=date(2026, 10, 1))
    member = fresh(member)
    assert (member.status, member.left_on) == (Status.EXITED, date(2026, 10, 1))
    assert member.never_readmit == NeverReadmit.ASKED_TO_LEAVE
    assert Proceeding.objects.get().step == Step.DECIDED
    assert Badge.objects.get().returned_on == date(2026, 10, 1)


def test_exit_for_extreme_family_hardship_is_not_on_the_never_readmit_list_294_3_5(
    tree: Any,
) -> None:
    by = staff(tree)
    member = make_member(branch=tree["village"])
    leaving.request_exit(member, by=by, requested_on=OPENED, reason="Hoàn cảnh đặc biệt")
    leaving.record_exit(
        member, by=by, decision_no="QĐ-92", decided_on=date(2026, 10, 1), family_hardship=True
    )
    assert fresh(member).never_readmit == ""


def test_the_exit_decision_may_not_precede_the_letter(tree: Any) -> None:
    by = staff(tree)
    member = make_member(branch=tree["village"])
    leaving.request_exit(member, by=by, requested_on=OPENED, reason="Lý do")
    with pytest.raises(NotEligible, match="trước ngày làm đơn") as refused:
        leaving.record_exit(member, by=by, decision_no="QĐ-93", decided_on=date(2026, 8, 1))
    assert refused.value.field == "decided_on"


# ---- expulsion ---------------------------------------------------------------------------


def expel(member: Member, by: User, **kw: Any) -> Member:
    fields: dict[str, Any] = {
        "decision_no": "QĐ-KL-4",
        "decided_on": date(2026, 10, 20),
        "body": "Ban Thường vụ Đảng ủy xã An Bình",
        "reason": "Vi phạm nghiêm trọng",
    }
    fields.update(kw)
    return leaving.record_expulsion(member, by=by, **fields)


def test_expulsion_closes_an_open_removal_and_is_recorded_30_qd_art_35(tree: Any) -> None:
    """30-QĐ/TW Art. 35: expulsion is never converted into removal; the open removal is
    closed, not decided."""
    by = staff(tree)
    member = make_member(branch=tree["village"])
    Badge.objects.create(member=member, years=30, awarded_on=date(2025, 2, 3), decision_no="HH")
    asked(member, by, times=2)
    board = user_with_role(Role.BOARD_STAFF, tree["commune"])
    expel(member, board, never_readmit=NeverReadmit.CORRUPTION)
    member = fresh(member)
    assert member.status == Status.EXPELLED
    assert member.never_readmit == NeverReadmit.CORRUPTION
    proceeding = Proceeding.objects.get()
    assert (proceeding.step, proceeding.outcome) == (Step.CLOSED, None)
    assert Badge.objects.get().returned_on == date(2026, 10, 20)
    change = member.changes.get(what=Event.STATUS, to_status=Status.EXPELLED)
    assert "QĐ-KL-4" in change.note and "Ban Thường vụ Đảng ủy xã An Bình" in change.note


def test_an_expelled_member_is_never_removed_or_let_go_30_qd_art_35(tree: Any) -> None:
    by = staff(tree)
    member = make_member(branch=tree["village"])
    expel(member, by)
    refusals = [
        lambda: leaving.request_self_review(
            member, by=by, requested_on=OPENED, trigger=RemovalTrigger.FAILED_STANDARDS, reason="x"
        ),
        lambda: propose(member, by),
        lambda: leaving.decide_removal(
            member, by=by, decision_no="Q", decided_on=date(2026, 11, 2), removed=True
        ),
        lambda: leaving.request_exit(member, by=by, requested_on=OPENED, reason="x"),
        lambda: leaving.record_exit(member, by=by, decision_no="Q", decided_on=date(2026, 11, 2)),
    ]
    for refused in refusals:
        with pytest.raises(StageNotAllowed, match="Đã khai trừ"):
            refused()
    with pytest.raises(StageNotAllowed, match="“Đã khai trừ” sang “Đã xóa tên”"):
        set_status(locked(member), to=Status.REMOVED, on=date(2026, 11, 2), by=by, note="")
    assert fresh(member).status == Status.EXPELLED
    assert leaving.exit_refusal(fresh(member)).endswith("(30-QĐ/TW Điều 35).")


def test_asking_to_leave_is_not_a_ground_an_expulsion_records(tree: Any) -> None:
    member = make_member(branch=tree["village"])
    with pytest.raises(NotEligible, match="Lý do không kết nạp lại không hợp lệ"):
        expel(member, staff(tree), never_readmit=NeverReadmit.ASKED_TO_LEAVE)


def test_an_expulsion_needs_its_deciding_body(tree: Any) -> None:
    member = make_member(branch=tree["village"])
    with pytest.raises(NotEligible, match="Cần ghi cơ quan ra quyết định") as refused:
        expel(member, staff(tree), body=" ")
    assert refused.value.field == "body"


# ---- death -------------------------------------------------------------------------------


def test_death_closes_open_proceedings_and_the_family_keeps_the_badge_hd01_18(
    tree: Any,
) -> None:
    by = staff(tree)
    member = make_member(branch=tree["village"])
    Badge.objects.create(member=member, years=50, awarded_on=date(2020, 2, 3), decision_no="HH")
    asked(member, by, times=1)
    leaving.record_death(member, by=by, died_on=date(2026, 10, 2), note="Bệnh nặng")
    member = fresh(member)
    assert (member.status, member.left_on) == (Status.DECEASED, date(2026, 10, 2))
    assert Proceeding.objects.get().step == Step.CLOSED
    assert Badge.objects.get().returned_on is None
    assert member.changes.filter(note__contains="Dừng xem xét xóa tên").exists()


def test_a_death_date_in_the_future_is_refused(tree: Any) -> None:
    member = make_member(branch=tree["village"])
    with pytest.raises(NotEligible, match="Ngày từ trần không thể sau ngày hôm nay"):
        leaving.record_death(member, by=staff(tree), died_on=date(2099, 1, 1))
    assert fresh(member).status == Status.OFFICIAL
