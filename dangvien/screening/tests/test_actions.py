"""Rules of screening (rà soát, sàng lọc; 02-HD/BTCTW 2021; DOMAIN.md §5): the secret
ballot, the helper and the help period, the chi bộ's conclusion, the committee's decision,
the state machine. Each refusal is checked with its Vietnamese message and leaves nothing."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from dangvien.accounts.models import Role, User
from dangvien.core.errors import NotAllowed, NotEligible, StageNotAllowed, VoteInvalid
from dangvien.core.models import RuleParameter
from dangvien.factories import make_member, user_with_role
from dangvien.members.actions import leaving
from dangvien.members.models import (
    Event,
    Exemption,
    ExemptionReason,
    Member,
    NeverReadmit,
    Proceeding,
    ProceedingKind,
    RemovalTrigger,
    Status,
    StatusChange,
    Step,
)
from dangvien.organisations.models import Organisation
from dangvien.screening import actions
from dangvien.screening.models import NEXT_STATES, CaseChange, ScreeningCase, State
from dangvien.screening.tests.factories import make_case

pytestmark = pytest.mark.django_db

BALLOT = date(2025, 3, 10)
HELP_FROM = date(2025, 3, 15)
HELP_UNTIL = date(2026, 3, 15)  # exactly 12 months
AFTER = date(2026, 3, 20)


def officials(branch: Organisation, n: int) -> list[Member]:
    return [make_member(branch=branch) for _ in range(n)]


@pytest.fixture
def staff(tree: dict[str, Organisation]) -> User:
    """Grassroots staff at the commune: the chi bộ's moves and the decision for the
    village chi bộ (decided by the commune)."""
    return user_with_role(Role.GRASSROOTS_STAFF, tree["commune"])


@pytest.fixture
def village(tree: dict[str, Organisation]) -> list[Member]:
    """Six official members in the village chi bộ."""
    return officials(tree["village"], 6)


def ballot(member: Member, by: User, **kw: Any) -> ScreeningCase:
    fields: dict[str, Any] = {
        "ballot_on": BALLOT,
        "in_favour": 4,
        "against": 2,
        "invalid": 0,
        "resolution_no": "05-NQ/CB",
        "criteria": ["duties"],
        "grounds": "Nhiều lần không thực hiện nhiệm vụ chi bộ phân công",
    }
    fields.update(kw)
    return actions.list_for_screening(member, by=by, **fields)


def missed_meetings(member: Member, by: User, on: date) -> Proceeding:
    """The member's removal proceeding opened on ``on`` for missed meetings (outside the
    screening case)."""
    return leaving.request_self_review(
        member,
        by=by,
        requested_on=on,
        trigger=RemovalTrigger.MISSED_MEETINGS,
        reason="Bỏ sinh hoạt",
    )


def helping(member: Member, helper: Member, by: User) -> ScreeningCase:
    case = ballot(member, by)
    return actions.assign_helper(
        case, by=by, helper=helper, help_from=HELP_FROM, help_until=HELP_UNTIL
    )


def screening_rows(member: Member) -> int:
    return StatusChange.objects.filter(member=member, what=Event.SCREENING).count()


# ---- the secret ballot (02-HD/BTCTW §1) ----------------------------------------------------


def test_exactly_two_thirds_of_the_official_members_lists_the_member(
    village: list[Member], secretary: User
) -> None:
    case = ballot(village[0], secretary, in_favour=4, against=2)
    assert case.state == State.LISTED
    assert (case.ballot_denominator, case.ballot_passed) == (6, True)
    assert case.ballot_rule == [2, 3, "at_least"]
    assert case.changes.get().to_state == State.LISTED


def test_one_vote_short_of_two_thirds_is_kept_as_not_listed_and_nothing_else_happens(
    village: list[Member], secretary: User
) -> None:
    member = village[0]
    case = ballot(member, secretary, in_favour=3, against=3)
    assert case.state == State.NOT_LISTED
    assert case.ballot_passed is False
    assert not case.is_open
    member.refresh_from_db()
    assert member.status == Status.OFFICIAL
    assert not Proceeding.objects.filter(member=member).exists()
    note = StatusChange.objects.get(member=member, what=Event.SCREENING).note
    assert "3/6 phiếu đồng ý, chưa đạt ít nhất 2/3" in note
    # History only: the chi bộ may ballot again later.
    again = ballot(member, secretary, ballot_on=BALLOT + timedelta(days=30))
    assert again.state == State.LISTED


def test_exempted_members_are_out_of_the_denominator_whether_present_or_not(
    tree: dict[str, Organisation], village: list[Member], secretary: User
) -> None:
    exempted = make_member(branch=tree["village"], exempted_since=date(2024, 1, 1))
    case = ballot(village[0], secretary, in_favour=4, against=2)
    assert case.ballot_denominator == 6  # 7 official, 1 exempted
    assert case.ballot_passed  # 4/6; it would be 4/7 with the exempted member
    # Present and voting, the exempted member still does not count: 7 ballots are refused.
    with pytest.raises(VoteInvalid, match=r"vượt quá số đảng viên được tính tỷ lệ \(6"):
        ballot(village[1], secretary, in_favour=5, against=2)
    assert not ScreeningCase.objects.filter(member=village[1]).exists()
    assert exempted.status == Status.OFFICIAL


def test_an_exemption_ended_before_the_ballot_counts_the_member_again(
    tree: dict[str, Organisation], village: list[Member], secretary: User
) -> None:
    back = make_member(branch=tree["village"])
    Exemption.objects.create(
        member=back,
        reason=ExemptionReason.ILL_HEALTH,
        from_on=date(2024, 1, 1),
        until_on=date(2025, 1, 1),
    )
    case = ballot(village[0], secretary, in_favour=5, against=2)
    assert case.ballot_denominator == 7


def test_probationary_members_never_count(
    tree: dict[str, Organisation], village: list[Member], secretary: User
) -> None:
    for _ in range(3):
        make_member(branch=tree["village"], status=Status.PROBATIONARY, official_on=None)
    case = ballot(village[0], secretary, in_favour=4, against=2)
    assert case.ballot_denominator == 6
    assert case.ballot_passed


def test_members_recognised_after_the_ballot_day_do_not_count_yet(
    tree: dict[str, Organisation], village: list[Member], secretary: User
) -> None:
    make_member(branch=tree["village"], official_on=BALLOT + timedelta(days=1))
    assert ballot(village[0], secretary).ballot_denominator == 6


def test_counts_over_the_denominator_are_refused(village: list[Member], secretary: User) -> None:
    with pytest.raises(VoteInvalid) as error:
        ballot(village[0], secretary, in_favour=4, against=2, invalid=1)
    assert str(error.value) == (
        "Tổng số phiếu (7: 4 đồng ý, 2 không đồng ý, 1 không hợp lệ) vượt quá số đảng viên "
        "được tính tỷ lệ (6: 6 đảng viên chính thức, trừ 0 đảng viên được miễn sinh hoạt)."
    )
    assert error.value.field == "in_favour"
    assert not ScreeningCase.objects.exists()


def test_negative_counts_are_refused(village: list[Member], secretary: User) -> None:
    with pytest.raises(VoteInvalid, match="Số phiếu không thể âm"):
        ballot(village[0], secretary, invalid=-1)


def test_a_branch_under_three_official_members_may_not_vote(
    tree: dict[str, Organisation], secretary: User
) -> None:
    two = officials(tree["village"], 2)
    for _ in range(4):
        make_member(branch=tree["village"], status=Status.PROBATIONARY, official_on=None)
    with pytest.raises(NotEligible) as error:
        ballot(two[0], secretary, in_favour=2, against=0)
    assert str(error.value) == (
        "Chi bộ thôn Đông chỉ có 2 đảng viên chính thức ngày 10/03/2025; chi bộ phải có ít "
        "nhất 3 đảng viên chính thức để bỏ phiếu (Điều lệ Đảng)."
    )
    assert not ScreeningCase.objects.exists()


def test_the_ratio_is_read_from_the_rule_parameter_in_force(
    tree: dict[str, Organisation], village: list[Member], secretary: User
) -> None:
    RuleParameter.objects.create(
        key="vote.screening",
        value=[3, 4, "at_least"],
        effective_from=date(2025, 1, 1),
        organisation=tree["province"],
    )
    case = ballot(village[0], secretary, in_favour=4, against=2)
    assert case.state == State.NOT_LISTED  # 4/6 is under 3/4
    assert case.ballot_rule == [3, 4, "at_least"]


def test_the_stored_case_holds_the_counts_only(village: list[Member], secretary: User) -> None:
    case = ballot(village[0], secretary, in_favour=4, against=1, invalid=1)
    stored = ScreeningCase.objects.values().get(pk=case.pk)
    ballot_fields = {k: v for k, v in stored.items() if k.startswith("ballot_")}
    assert ballot_fields == {
        "ballot_on": BALLOT,
        "ballot_in_favour": 4,
        "ballot_against": 1,
        "ballot_invalid": 1,
        "ballot_denominator": 6,
        "ballot_rule": [2, 3, "at_least"],
        "ballot_passed": True,
    }
    # No field of the case, and no vote row anywhere, names who voted how.
    referenced = {
        f.related_model for f in ScreeningCase._meta.get_fields() if f.is_relation and f.concrete
    }
    assert referenced <= {Member, Organisation, Proceeding, User}
    assert not Proceeding.objects.exists()


def test_the_ballot_writes_a_screening_row_on_the_member_timeline(
    village: list[Member], secretary: User
) -> None:
    ballot(village[0], secretary, criteria=["meetings_dues", "duties"])
    row = StatusChange.objects.get(member=village[0], what=Event.SCREENING)
    assert row.on == BALLOT
    assert row.by == secretary
    assert "4/6 phiếu đồng ý – đưa vào diện giáo dục, giúp đỡ" in row.note
    assert "vi phạm quy định sinh hoạt đảng, đóng đảng phí" in row.note


def test_a_member_not_active_is_not_screened(village: list[Member], secretary: User) -> None:
    Member.objects.filter(pk=village[0].pk).update(status=Status.REMOVED)
    with pytest.raises(StageNotAllowed, match="đảng viên này ở trạng thái “Đã xóa tên”"):
        ballot(village[0], secretary)


def test_a_member_with_an_open_case_is_not_balloted_again(
    village: list[Member], secretary: User
) -> None:
    ballot(village[0], secretary)
    with pytest.raises(StageNotAllowed) as error:
        ballot(village[0], secretary, ballot_on=BALLOT + timedelta(days=5))
    assert str(error.value) == (
        "Đảng viên đang có hồ sơ rà soát, sàng lọc chưa kết thúc (bỏ phiếu ngày 10/03/2025, "
        "“Đưa vào diện giáo dục, giúp đỡ”)."
    )
    assert ScreeningCase.objects.count() == 1


def test_criteria_are_required(village: list[Member], secretary: User) -> None:
    with pytest.raises(NotEligible, match="Cần chọn ít nhất một biểu hiện") as error:
        ballot(village[0], secretary, criteria=[])
    assert error.value.field == "criteria"


def test_unknown_criteria_are_refused(village: list[Member], secretary: User) -> None:
    with pytest.raises(NotEligible, match="không có trong danh mục rà soát: gambling"):
        ballot(village[0], secretary, criteria=["duties", "gambling"])


def test_the_grounds_are_required(village: list[Member], secretary: User) -> None:
    with pytest.raises(NotEligible, match="Cần ghi nhận xét, căn cứ của chi ủy") as error:
        ballot(village[0], secretary, grounds="   ")
    assert error.value.field == "grounds"


def test_a_ballot_in_the_future_is_refused(
    village: list[Member], secretary: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *a: date(2025, 3, 9))
    with pytest.raises(NotEligible, match="Ngày bỏ phiếu kín không thể sau ngày hôm nay"):
        ballot(village[0], secretary)


def test_a_ballot_before_the_member_joined_is_refused(
    village: list[Member], secretary: User
) -> None:
    with pytest.raises(NotEligible, match=r"trước ngày kết nạp đảng viên \(20/03/2010\)"):
        ballot(village[0], secretary, ballot_on=date(2010, 1, 5))


def test_only_the_branch_s_own_side_may_hold_the_ballot(
    tree: dict[str, Organisation], village: list[Member]
) -> None:
    board = user_with_role(Role.BOARD_STAFF, tree["commune"])  # decides, no chi bộ moves
    outsider = user_with_role(Role.BRANCH_SECRETARY, tree["other_branch"])
    for user in (board, outsider):
        with pytest.raises(NotAllowed, match="rà soát, sàng lọc do Chi bộ thôn Đông"):
            ballot(village[0], user)
    assert not ScreeningCase.objects.exists()


# ---- the helper and the help period (02-HD/BTCTW §2) --------------------------------------


def test_assigning_a_helper_starts_the_help_period(village: list[Member], secretary: User) -> None:
    case = helping(village[0], village[1], secretary)
    case.refresh_from_db()
    assert case.state == State.HELPING
    assert (case.helper, case.help_from, case.help_until) == (village[1], HELP_FROM, HELP_UNTIL)
    change = case.changes.get(to_state=State.HELPING)
    assert (change.from_state, change.on) == (State.LISTED, HELP_FROM)
    assert screening_rows(village[0]) == 2


def test_the_help_period_is_at_most_twelve_months(village: list[Member], secretary: User) -> None:
    case = ballot(village[0], secretary)
    with pytest.raises(NotEligible) as error:
        actions.assign_helper(
            case,
            by=secretary,
            helper=village[1],
            help_from=HELP_FROM,
            help_until=HELP_UNTIL + timedelta(days=1),
        )
    assert str(error.value) == (
        "Thời gian giáo dục, giúp đỡ tối đa 12 tháng: từ 15/03/2025 đến chậm nhất 15/03/2026 "
        "(24/294-QĐ/TW §8.1 [U])."
    )
    assert error.value.field == "help_until"
    case.refresh_from_db()
    assert case.state == State.LISTED and case.helper is None


def test_the_help_period_ends_after_it_starts(village: list[Member], secretary: User) -> None:
    case = ballot(village[0], secretary)
    with pytest.raises(NotEligible, match="Ngày kết thúc giúp đỡ phải sau ngày bắt đầu"):
        actions.assign_helper(
            case, by=secretary, helper=village[1], help_from=HELP_FROM, help_until=HELP_FROM
        )


def test_help_does_not_start_before_the_ballot(village: list[Member], secretary: User) -> None:
    case = ballot(village[0], secretary)
    with pytest.raises(NotEligible, match=r"trước ngày chi bộ bỏ phiếu \(10/03/2025\)"):
        actions.assign_helper(
            case,
            by=secretary,
            helper=village[1],
            help_from=BALLOT - timedelta(days=1),
            help_until=HELP_UNTIL,
        )


def test_the_member_does_not_help_themselves(village: list[Member], secretary: User) -> None:
    case = ballot(village[0], secretary)
    with pytest.raises(NotEligible, match="không thể tự giúp đỡ chính mình") as error:
        actions.assign_helper(
            case, by=secretary, helper=village[0], help_from=HELP_FROM, help_until=HELP_UNTIL
        )
    assert error.value.field == "helper"


def test_the_helper_is_a_member_of_the_same_branch(
    tree: dict[str, Organisation], village: list[Member], staff: User
) -> None:
    case = ballot(village[0], staff)
    clinic_member = make_member(branch=tree["clinic"])
    with pytest.raises(NotEligible, match="không sinh hoạt ở Chi bộ thôn Đông"):
        actions.assign_helper(
            case, by=staff, helper=clinic_member, help_from=HELP_FROM, help_until=HELP_UNTIL
        )


def test_the_helper_is_an_official_member(
    tree: dict[str, Organisation], village: list[Member], secretary: User
) -> None:
    case = ballot(village[0], secretary)
    probationary = make_member(branch=tree["village"], status=Status.PROBATIONARY, official_on=None)
    with pytest.raises(NotEligible, match="chưa là đảng viên chính thức ngày 15/03/2025"):
        actions.assign_helper(
            case, by=secretary, helper=probationary, help_from=HELP_FROM, help_until=HELP_UNTIL
        )


def test_a_member_under_screening_does_not_help_another(
    village: list[Member], secretary: User
) -> None:
    ballot(village[1], secretary)
    case = ballot(village[0], secretary)
    with pytest.raises(NotEligible, match="đang trong diện rà soát, sàng lọc"):
        actions.assign_helper(
            case, by=secretary, helper=village[1], help_from=HELP_FROM, help_until=HELP_UNTIL
        )


def test_the_max_help_months_is_a_rule_parameter(
    tree: dict[str, Organisation], village: list[Member], secretary: User
) -> None:
    RuleParameter.objects.create(
        key="screening.max_help_months", value=6, effective_from=date(2020, 1, 1)
    )
    case = ballot(village[0], secretary)
    with pytest.raises(NotEligible, match="tối đa 6 tháng"):
        actions.assign_helper(
            case,
            by=secretary,
            helper=village[1],
            help_from=HELP_FROM,
            help_until=date(2025, 9, 16),
        )


# ---- the chi bộ's conclusion (02-HD/BTCTW §3) ---------------------------------------------


def test_an_improved_member_is_taken_off_the_list(village: list[Member], secretary: User) -> None:
    case = helping(village[0], village[1], secretary)
    case = actions.record_improved(case, by=secretary, on=date(2025, 9, 1), note="Tiến bộ rõ")
    case.refresh_from_db()
    assert case.state == State.IMPROVED
    assert not case.is_open
    assert (case.outcome_on, case.outcome_note) == (date(2025, 9, 1), "Tiến bộ rõ")
    assert "đã tiến bộ" in StatusChange.objects.filter(member=village[0]).last().note  # type: ignore[union-attr]
    # Off the list: the member may be screened again another year.
    assert ballot(village[0], secretary, ballot_on=date(2026, 4, 1)).state == State.LISTED


def test_removal_is_proposed_only_once_the_help_period_has_ended(
    village: list[Member], secretary: User
) -> None:
    case = helping(village[0], village[1], secretary)
    with pytest.raises(NotEligible) as error:
        actions.record_outcome(
            case,
            by=secretary,
            outcome=State.PROPOSED_REMOVAL,
            on=HELP_UNTIL - timedelta(days=1),
            note="Không tiến bộ",
        )
    assert str(error.value) == (
        "Thời gian giáo dục, giúp đỡ đến ngày 15/03/2026: chỉ đề nghị xóa tên khi hết thời "
        "gian giúp đỡ mà đảng viên không tiến bộ (02-HD/BTCTW §3 [U])."
    )
    assert not Proceeding.objects.exists()


def test_expulsion_is_proposed_only_once_the_help_period_has_ended(
    village: list[Member], secretary: User
) -> None:
    case = helping(village[0], village[1], secretary)
    with pytest.raises(NotEligible, match="chỉ đề nghị khai trừ khi hết thời gian giúp đỡ"):
        actions.record_outcome(
            case,
            by=secretary,
            outcome=State.PROPOSED_EXPULSION,
            on=date(2025, 10, 1),
            note="Vi phạm nghiêm trọng",
        )


def test_proposing_removal_opens_the_member_s_removal_proceeding(
    village: list[Member], secretary: User
) -> None:
    case = helping(village[0], village[1], secretary)
    case = actions.record_outcome(
        case,
        by=secretary,
        outcome=State.PROPOSED_REMOVAL,
        on=HELP_UNTIL,
        note="Sau 12 tháng giúp đỡ không tiến bộ",
    )
    case.refresh_from_db()
    assert case.state == State.PROPOSED_REMOVAL
    proceeding = Proceeding.objects.get(member=village[0])
    assert case.proceeding == proceeding
    assert proceeding.kind == ProceedingKind.REMOVAL
    assert proceeding.step == Step.OPEN
    assert proceeding.trigger == RemovalTrigger.LOST_COMMITMENT
    assert proceeding.reason == "Sau 12 tháng giúp đỡ không tiến bộ"
    assert proceeding.self_review_requests == 1


def test_an_open_removal_proceeding_is_linked_as_it_is(
    village: list[Member], secretary: User
) -> None:
    case = helping(village[0], village[1], secretary)
    opened = missed_meetings(village[0], secretary, date(2026, 1, 5))
    case = actions.record_outcome(
        case, by=secretary, outcome=State.PROPOSED_REMOVAL, on=AFTER, note="Không tiến bộ"
    )
    assert case.proceeding == opened
    assert Proceeding.objects.count() == 1
    opened.refresh_from_db()
    assert opened.self_review_requests == 1


def test_an_exit_request_may_come_any_time_and_opens_the_exit_proceeding(
    village: list[Member], secretary: User
) -> None:
    case = helping(village[0], village[1], secretary)
    case = actions.record_outcome(
        case,
        by=secretary,
        outcome=State.EXIT_REQUESTED,
        on=date(2025, 6, 1),
        note="Đảng viên làm đơn xin ra khỏi Đảng vì lý do gia đình",
    )
    proceeding = Proceeding.objects.get(member=village[0])
    assert case.proceeding == proceeding
    assert (proceeding.kind, proceeding.requested_on) == (ProceedingKind.EXIT, date(2025, 6, 1))


def test_a_refusal_by_the_exit_rules_half_way_leaves_nothing(
    village: list[Member], secretary: User
) -> None:
    case = helping(village[0], village[1], secretary)
    missed_meetings(village[0], secretary, date(2025, 5, 2))
    changes, rows = CaseChange.objects.count(), screening_rows(village[0])
    with pytest.raises(NotEligible, match="Đảng viên đang bị xem xét xóa tên"):
        actions.record_outcome(
            case, by=secretary, outcome=State.EXIT_REQUESTED, on=date(2025, 6, 1), note="Xin ra"
        )
    case.refresh_from_db()
    assert case.state == State.HELPING and case.outcome_on is None and case.proceeding is None
    assert (CaseChange.objects.count(), screening_rows(village[0])) == (changes, rows)
    assert not Proceeding.objects.filter(kind=ProceedingKind.EXIT).exists()


def test_a_refusal_by_the_removal_rules_half_way_leaves_nothing(
    village: list[Member], secretary: User
) -> None:
    case = helping(village[0], village[1], secretary)
    changes = CaseChange.objects.count()
    with pytest.raises(NotEligible, match="chỉ áp dụng với đảng viên dự bị") as error:
        actions.record_outcome(
            case,
            by=secretary,
            outcome=State.PROPOSED_REMOVAL,
            on=AFTER,
            note="Không tiến bộ",
            trigger=RemovalTrigger.NOT_RECOGNISED,
        )
    assert error.value.field == "trigger"
    case.refresh_from_db()
    assert case.state == State.HELPING
    assert CaseChange.objects.count() == changes
    assert not Proceeding.objects.exists()


def test_the_outcome_must_be_one_of_the_three_proposals(
    village: list[Member], secretary: User
) -> None:
    case = helping(village[0], village[1], secretary)
    for outcome in (State.IMPROVED, "warning", State.DECIDED):
        with pytest.raises(NotEligible, match="Kết luận phải là đề nghị xóa tên") as error:
            actions.record_outcome(case, by=secretary, outcome=outcome, on=AFTER, note="x")
        assert error.value.field == "outcome"


def test_the_conclusion_needs_the_chi_bo_s_reasons(village: list[Member], secretary: User) -> None:
    case = helping(village[0], village[1], secretary)
    with pytest.raises(NotEligible, match="Cần ghi nhận xét, lý do của chi bộ"):
        actions.record_outcome(
            case, by=secretary, outcome=State.PROPOSED_EXPULSION, on=AFTER, note=""
        )


def test_the_conclusion_does_not_come_before_help_started(
    village: list[Member], secretary: User
) -> None:
    case = helping(village[0], village[1], secretary)
    with pytest.raises(NotEligible, match="trước ngày bắt đầu giúp đỡ"):
        actions.record_improved(case, by=secretary, on=HELP_FROM - timedelta(days=1))


def test_the_chi_bo_s_steps_stop_when_the_member_has_left(
    village: list[Member], secretary: User
) -> None:
    case = helping(village[0], village[1], secretary)
    Member.objects.filter(pk=village[0].pk).update(status=Status.DECEASED)
    with pytest.raises(StageNotAllowed, match="“Đã từ trần”: hồ sơ rà soát, sàng lọc"):
        actions.record_improved(case, by=secretary, on=AFTER)


# ---- the committee's decision (02-HD/BTCTW §4) --------------------------------------------


def proposed(member: Member, helper: Member, by: User, outcome: str) -> ScreeningCase:
    case = helping(member, helper, by)
    return actions.record_outcome(
        case, by=by, outcome=outcome, on=AFTER, note="Sau 12 tháng giúp đỡ không tiến bộ"
    )


def test_removal_is_decided_on_the_member_page_first(village: list[Member], staff: User) -> None:
    case = proposed(village[0], village[1], staff, State.PROPOSED_REMOVAL)
    with pytest.raises(StageNotAllowed) as error:
        actions.decide_case(case, by=staff)
    assert str(error.value) == (
        "Cấp ủy chưa quyết định việc “xóa tên trong danh sách đảng viên”: quyết định trên "
        "trang đảng viên, rồi ghi kết quả vào hồ sơ này."
    )
    case.refresh_from_db()
    assert case.state == State.PROPOSED_REMOVAL


def test_the_removal_decision_is_copied_from_the_member_s_proceeding(
    village: list[Member], staff: User
) -> None:
    member = village[0]
    case = proposed(member, village[1], staff, State.PROPOSED_REMOVAL)
    for n in (1, 2):  # asked three times in all: the chi bộ proceeds anyway
        leaving.request_self_review(member, by=staff, requested_on=AFTER + timedelta(days=7 * n))
    leaving.propose_removal(
        member,
        by=staff,
        held_on=date(2026, 4, 10),
        in_favour=5,
        against=1,
        resolution_no="09-NQ/CB",
        trigger=RemovalTrigger.LOST_COMMITMENT,
        reason="Sau 12 tháng giúp đỡ không tiến bộ",
        educated_since=HELP_FROM,
    )
    leaving.decide_removal(
        member, by=staff, decision_no="215-QĐ/ĐU", decided_on=date(2026, 4, 20), removed=True
    )
    case = actions.decide_case(case, by=staff, note="Theo quyết định của Ban Thường vụ")
    case.refresh_from_db()
    assert case.state == State.DECIDED
    assert (case.decision_no, case.decided_on, case.decision_upheld) == (
        "215-QĐ/ĐU",
        date(2026, 4, 20),
        True,
    )
    assert case.changes.last().note.startswith(  # type: ignore[union-attr]
        "Xóa tên trong danh sách đảng viên (quyết định số 215-QĐ/ĐU ngày 20/04/2026)"
    )
    member.refresh_from_db()
    assert member.status == Status.REMOVED


def test_a_removal_not_upheld_is_copied_too(village: list[Member], staff: User) -> None:
    case = proposed(village[0], village[1], staff, State.PROPOSED_REMOVAL)
    Proceeding.objects.filter(member=village[0]).update(
        step=Step.DECIDED, outcome=False, decision_no="12-QĐ", decided_on=date(2026, 5, 2)
    )
    case = actions.decide_case(case, by=staff)
    assert (case.decision_upheld, case.decision_no) == (False, "12-QĐ")


def test_a_closed_proceeding_gives_no_decision_to_copy(village: list[Member], staff: User) -> None:
    case = proposed(village[0], village[1], staff, State.EXIT_REQUESTED)
    Proceeding.objects.filter(member=village[0]).update(step=Step.CLOSED)
    with pytest.raises(StageNotAllowed, match="đã dừng mà không có quyết định"):
        actions.decide_case(case, by=staff)


def test_an_upheld_expulsion_is_recorded_on_the_member(village: list[Member], staff: User) -> None:
    member = village[0]
    case = proposed(member, village[1], staff, State.PROPOSED_EXPULSION)
    case = actions.decide_case(
        case,
        by=staff,
        decision_no="31-QĐ/UBKT",
        decided_on=date(2026, 4, 2),
        upheld=True,
        body="Ủy ban Kiểm tra Đảng ủy xã An Bình",
        note="Vi phạm nghiêm trọng tư cách đảng viên",
        never_readmit=NeverReadmit.DISUNITY,
    )
    case.refresh_from_db()
    assert (case.state, case.decision_upheld) == (State.DECIDED, True)
    member.refresh_from_db()
    assert member.status == Status.EXPELLED
    assert (member.left_on, member.never_readmit) == (date(2026, 4, 2), NeverReadmit.DISUNITY)
    expelled = StatusChange.objects.get(member=member, to_status=Status.EXPELLED)
    assert "Vi phạm nghiêm trọng tư cách đảng viên" in expelled.note


def test_the_expulsion_reason_defaults_to_the_chi_bo_s(village: list[Member], staff: User) -> None:
    case = proposed(village[0], village[1], staff, State.PROPOSED_EXPULSION)
    actions.decide_case(
        case,
        by=staff,
        decision_no="31-QĐ",
        decided_on=date(2026, 4, 2),
        upheld=True,
        body="Đảng ủy xã",
    )
    expelled = StatusChange.objects.get(member=village[0], to_status=Status.EXPELLED)
    assert expelled.note.endswith("Sau 12 tháng giúp đỡ không tiến bộ")


def test_an_expulsion_not_upheld_leaves_the_member(village: list[Member], staff: User) -> None:
    case = proposed(village[0], village[1], staff, State.PROPOSED_EXPULSION)
    case = actions.decide_case(
        case, by=staff, decision_no="32-QĐ", decided_on=date(2026, 4, 2), upheld=False
    )
    assert (case.state, case.decision_upheld) == (State.DECIDED, False)
    village[0].refresh_from_db()
    assert village[0].status == Status.OFFICIAL


@pytest.mark.parametrize(
    ("fields", "message", "field"),
    [
        ({"decision_no": ""}, "Cần ghi số quyết định.", "decision_no"),
        ({"decided_on": None}, "Cần ghi ngày quyết định.", "decided_on"),
        ({"upheld": None}, "Cần ghi cấp ủy có quyết định khai trừ hay không.", "upheld"),
        (
            {"decided_on": date(2026, 3, 19)},
            "Ngày quyết định trước ngày chi bộ đề nghị (20/03/2026).",
            "decided_on",
        ),
    ],
)
def test_an_expulsion_decision_needs_its_number_date_and_verdict(
    village: list[Member], staff: User, fields: dict[str, Any], message: str, field: str
) -> None:
    case = proposed(village[0], village[1], staff, State.PROPOSED_EXPULSION)
    values: dict[str, Any] = {
        "decision_no": "31-QĐ",
        "decided_on": date(2026, 4, 2),
        "upheld": True,
        "body": "Đảng ủy xã",
    }
    values.update(fields)
    with pytest.raises(NotEligible) as error:
        actions.decide_case(case, by=staff, **values)
    assert (str(error.value), error.value.field) == (message, field)


def test_a_refusal_by_the_expulsion_rules_half_way_leaves_nothing(
    village: list[Member], staff: User
) -> None:
    member = village[0]
    case = proposed(member, village[1], staff, State.PROPOSED_EXPULSION)
    changes, rows = CaseChange.objects.count(), screening_rows(member)
    with pytest.raises(NotEligible, match="Lý do không kết nạp lại không hợp lệ"):
        actions.decide_case(
            case,
            by=staff,
            decision_no="31-QĐ",
            decided_on=date(2026, 4, 2),
            upheld=True,
            body="Đảng ủy xã",
            never_readmit=NeverReadmit.ASKED_TO_LEAVE,  # exit only, never expulsion
        )
    case.refresh_from_db()
    assert (case.state, case.decision_no, case.decision_upheld) == (
        State.PROPOSED_EXPULSION,
        "",
        None,
    )
    assert (CaseChange.objects.count(), screening_rows(member)) == (changes, rows)
    member.refresh_from_db()
    assert member.status == Status.OFFICIAL


def test_an_expulsion_case_is_closed_by_the_committee_competent_to_admit(
    tree: dict[str, Organisation], staff: User, secretary: User
) -> None:
    school = officials(tree["school_branch"], 6)
    school_staff = user_with_role(Role.GRASSROOTS_STAFF, tree["school"])
    case = proposed(school[0], school[1], school_staff, State.PROPOSED_EXPULSION)
    values: dict[str, Any] = {"decision_no": "1-QĐ", "decided_on": AFTER, "upheld": False}
    school_secretary = user_with_role(Role.BRANCH_SECRETARY, tree["school_branch"])
    with pytest.raises(NotAllowed, match="do Đảng bộ xã An Bình hoặc cấp ủy cấp trên"):
        actions.decide_case(case, by=school_secretary, **values)
    with pytest.raises(NotAllowed):  # the đảng bộ cơ sở is not authorised to admit
        actions.decide_case(case, by=school_staff, **values)
    with pytest.raises(NotAllowed):
        actions.decide_case(case, by=secretary, **values)  # another branch's secretary
    assert actions.decide_case(case, by=staff, **values).state == State.DECIDED  # above


# ---- the state machine (NEXT_STATES is the only authority) --------------------------------


MOVES = {
    "assign_helper": State.HELPING,
    "record_improved": State.IMPROVED,
    "record_outcome": State.PROPOSED_EXPULSION,
    "decide_case": State.DECIDED,
}


def _call(move: str, case: ScreeningCase, by: User, helper: Member) -> None:
    if move == "assign_helper":
        actions.assign_helper(case, by=by, helper=helper, help_from=BALLOT, help_until=AFTER)
    elif move == "record_improved":
        actions.record_improved(case, by=by, on=AFTER)
    elif move == "record_outcome":
        actions.record_outcome(
            case, by=by, outcome=State.PROPOSED_EXPULSION, on=AFTER, note="Không tiến bộ"
        )
    else:
        actions.decide_case(case, by=by, decision_no="1-QĐ", decided_on=AFTER, upheld=False)


@pytest.mark.parametrize(
    ("move", "state"),
    [
        (move, state)
        for move, target in MOVES.items()
        for state in State.values
        if target not in NEXT_STATES[state]
    ],
)
def test_every_illegal_move_is_refused(
    village: list[Member], staff: User, move: str, state: str
) -> None:
    case = make_case(
        village[0],
        state,
        ballot_on=BALLOT,
        help_from=HELP_FROM,
        help_until=HELP_UNTIL,
        helper=village[2],
    )
    with pytest.raises(StageNotAllowed) as error:
        _call(move, case, staff, village[1])
    assert str(error.value) == (
        f"Hồ sơ rà soát đang ở bước “{State(state).label}”: không thể chuyển sang "
        f"“{State(MOVES[move]).label}”."
    )
    case.refresh_from_db()
    assert case.state == state
    assert not CaseChange.objects.exists()


def test_the_state_machine_covers_the_screening_path_of_domain_5() -> None:
    assert NEXT_STATES[State.LISTED] == {State.HELPING}
    assert NEXT_STATES[State.HELPING] == {
        State.IMPROVED,
        State.PROPOSED_REMOVAL,
        State.PROPOSED_EXPULSION,
        State.EXIT_REQUESTED,
    }
    for outcome in (State.PROPOSED_REMOVAL, State.PROPOSED_EXPULSION, State.EXIT_REQUESTED):
        assert NEXT_STATES[outcome] == {State.DECIDED}
    for final in (State.NOT_LISTED, State.IMPROVED, State.DECIDED):
        assert NEXT_STATES[final] == set()
