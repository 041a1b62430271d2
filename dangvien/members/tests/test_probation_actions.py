"""Probation and recognition (DOMAIN.md §3): the mentor, the periodic reports, the
new-member course, the chi bộ vote, the grassroots đảng ủy, the committee's decision.

Each rule is shown refusing bad input with its Vietnamese message and leaving nothing
changed; the regulation is named in the test's name or docstring.
"""

import re
from contextlib import contextmanager
from datetime import date
from unittest.mock import patch

import pytest
from django.forms.models import model_to_dict

from dangvien.core import calendar
from dangvien.core.errors import (
    Conflict,
    DeadlinePassed,
    DomainError,
    NotEligible,
    StageNotAllowed,
    VoteInvalid,
)
from dangvien.core.models import RuleParameter
from dangvien.factories import MemberFactory, make_member, make_person, make_user
from dangvien.members.actions import probation as actions
from dangvien.members.actions.base import add_probationary_member
from dangvien.members.models import (
    Event,
    Member,
    MemberVote,
    Mentorship,
    ProbationReport,
    Proceeding,
    ProceedingKind,
    RemovalTrigger,
    ReportKind,
    Status,
    StatusChange,
    Step,
)

TODAY = date(2026, 11, 23)  # Monday
CEREMONY = date(2025, 6, 2)  # the 12 months end on Tuesday 2/6/2026
ENDS = date(2026, 6, 2)
VOTE_DAY = date(2026, 6, 10)
VIETNAMESE = re.compile(
    r"[ăâđêôơưàáạảãầấậẩẫằắặẳẵèéẹẻẽềếệểễìíịỉĩòóọỏõồốộổỗờớợởỡùúụủũừứựửữỳýỵỷỹ]", re.I
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today():
    with (
        patch("dangvien.members.actions.base.today", return_value=TODAY),
        patch("dangvien.members.actions.probation.today", return_value=TODAY),
        patch("dangvien.members.actions.proceedings.today", return_value=TODAY),
    ):
        yield


@pytest.fixture
def user(db):
    return make_user()


# ---- helpers ---------------------------------------------------------------------------


def probationer(branch, ceremony_on=CEREMONY, *, officials=6, **fields):
    """A probationary member made by the ceremony action, in a branch of ``officials``
    official members."""
    MemberFactory.create_batch(officials, branch=branch)
    member = add_probationary_member(
        make_person(),
        branch=branch,
        admitted_on=date(ceremony_on.year, ceremony_on.month, 1)
        if ceremony_on.day > 1
        else ceremony_on,
        decision_no="QĐ-12",
        ceremony_on=ceremony_on,
        by=None,
    )
    if fields:
        Member.objects.filter(pk=member.pk).update(**fields)
        member.refresh_from_db()
    return member


def state(member):
    row = Member.objects.get(pk=member.pk)
    return {
        "member": model_to_dict(row),
        "changes": StatusChange.objects.filter(member=row).count(),
        "mentors": list(Mentorship.objects.filter(member=row).values_list("pk", "until_on")),
        "reports": ProbationReport.objects.filter(member=row).count(),
        "proceedings": list(
            Proceeding.objects.filter(member=row).values_list("pk", "step", "decision_due_on")
        ),
        "votes": MemberVote.objects.filter(proceeding__member=row).count(),
    }


@contextmanager
def refused(member, error=DomainError, message=""):
    before = state(member)
    with pytest.raises(error) as info:
        yield info
    assert VIETNAMESE.search(str(info.value)), str(info.value)
    assert message in str(info.value)
    assert state(member) == before


def mentor_of(member):
    return Member.objects.filter(branch=member.branch, status=Status.OFFICIAL).first()


def vote(member, user, held_on=VOTE_DAY, in_favour=6, against=0, **kw):
    return actions.record_recognition_vote(
        member,
        held_on=held_on,
        in_favour=in_favour,
        against=against,
        resolution_no=kw.pop("resolution_no", "NQ-01"),
        by=user,
        **kw,
    )


def with_course(member, user):
    actions.record_new_member_course(
        member, certificate_no="ĐVM-07", issued_on=date(2025, 9, 15), by=user
    )


def decide(member, user, **kw):
    kw.setdefault("recognised", True)
    kw.setdefault("decision_no", "QĐ-88")
    kw.setdefault("decided_on", date(2026, 6, 20))
    return actions.decide_recognition(member, by=user, **kw)


# ---- mentor ----------------------------------------------------------------------------


def test_a_mentor_is_an_official_member_of_the_same_branch_and_changes_keep_history(tree, user):
    """294-QĐ/TW §4.1; 12-HD/BTCTW 2022: the chi bộ assigns an official member to help."""
    member = probationer(tree["village"])
    first, second = Member.objects.filter(branch=tree["village"], status=Status.OFFICIAL)[:2]
    actions.assign_mentor(member, mentor=first, from_on=CEREMONY, by=user)
    actions.assign_mentor(member, mentor=second, from_on=date(2025, 12, 1), by=user)
    history = list(Mentorship.objects.filter(member=member).order_by("from_on"))
    assert [m.mentor_id for m in history] == [first.pk, second.pk]
    assert history[0].until_on == date(2025, 12, 1)
    assert history[1].until_on is None
    notes = list(member.changes.filter(what=Event.MENTOR).values_list("note", flat=True))
    assert notes[-1].startswith(f"Phân công đảng viên giúp đỡ: {second.person.full_name}")
    assert f"thay {first.person.full_name}" in notes[-1]


def test_a_mentor_from_another_branch_is_refused(tree, user):
    """The mentor sits in the same chi bộ (12-HD/BTCTW 2022)."""
    member = probationer(tree["village"])
    stranger = make_member(branch=tree["school_branch"])
    with refused(member, NotEligible, "cùng chi bộ") as info:
        actions.assign_mentor(member, mentor=stranger, from_on=CEREMONY, by=user)
    assert info.value.field == "mentor_id"


def test_a_probationary_or_former_member_cannot_mentor(tree, user):
    """Only an official member helps a probationary one (294-QĐ/TW §4.1)."""
    member = probationer(tree["village"])
    other = make_member(branch=tree["village"], status=Status.PROBATIONARY, official_on=None)
    gone = make_member(branch=tree["village"], status=Status.REMOVED)
    for mentor in (other, gone):
        with refused(member, NotEligible, "đảng viên chính thức"):
            actions.assign_mentor(member, mentor=mentor, from_on=CEREMONY, by=user)


def test_the_member_cannot_mentor_themself(tree, user):
    member = probationer(tree["village"])
    with refused(member, NotEligible, "tự giúp đỡ"):
        actions.assign_mentor(member, mentor=member, from_on=CEREMONY, by=user)


def test_a_mentor_is_not_assigned_before_the_ceremony_or_twice(tree, user):
    member = probationer(tree["village"])
    mentor = mentor_of(member)
    with refused(member, NotEligible, "trước ngày lễ kết nạp"):
        actions.assign_mentor(member, mentor=mentor, from_on=date(2025, 5, 1), by=user)
    actions.assign_mentor(member, mentor=mentor, from_on=CEREMONY, by=user)
    with refused(member, Conflict, "đang là đảng viên giúp đỡ"):
        actions.assign_mentor(member, mentor=mentor, from_on=date(2025, 7, 1), by=user)


def test_an_official_member_no_longer_gets_a_mentor(tree, user):
    member = make_member(branch=tree["village"])
    with refused(member, StageNotAllowed, "Đảng viên chính thức"):
        actions.assign_mentor(member, mentor=mentor_of(member), from_on=TODAY, by=user)


# ---- reports ---------------------------------------------------------------------------


def test_a_report_period_is_stored_as_the_first_of_its_month(tree, user):
    """Seed 000: monthly reports; any day of the month stands for the month."""
    member = probationer(tree["village"])
    actions.assign_mentor(member, mentor=mentor_of(member), from_on=CEREMONY, by=user)
    report = actions.file_mentor_report(
        member,
        period=date(2025, 7, 19),
        filed_on=date(2025, 7, 30),
        text="Chấp hành tốt nghị quyết.",
        assessment="good",
        by=user,
    )
    assert report.period == date(2025, 7, 1)
    assert report.author == mentor_of(member)
    review = actions.file_self_review(
        member, period=date(2025, 7, 2), text="Tự nhận thấy...", assessment="fair", by=user
    )
    assert (review.kind, review.period, review.author_id) == (
        ReportKind.SELF,
        date(2025, 7, 1),
        member.pk,
    )
    assert review.filed_on == TODAY
    assert member.changes.filter(what=Event.REPORT).count() == 2


def test_a_report_before_the_ceremony_month_is_refused(tree, user):
    member = probationer(tree["village"])
    with refused(member, NotEligible, "trước tháng kết nạp (06/2025)") as info:
        actions.file_self_review(
            member, period=date(2025, 5, 31), text="x", assessment="good", by=user
        )
    assert info.value.field == "period"


def test_a_report_for_a_period_to_come_is_refused(tree, user):
    member = probationer(tree["village"], date(2026, 6, 15))
    with refused(member, NotEligible, "chưa đến"):
        actions.file_self_review(
            member, period=date(2026, 12, 1), text="x", assessment="good", by=user
        )


def test_a_second_report_for_the_same_period_is_refused(tree, user):
    member = probationer(tree["village"])
    actions.file_self_review(member, period=date(2025, 8, 1), text="x", assessment="good", by=user)
    with refused(member, Conflict, "Đã có bản tự kiểm điểm kỳ 08/2025"):
        actions.file_self_review(
            member, period=date(2025, 8, 20), text="y", assessment="fair", by=user
        )


def test_a_mentor_report_needs_a_mentor_for_that_period(tree, user):
    member = probationer(tree["village"])
    with refused(member, NotEligible, "chưa có đảng viên giúp đỡ"):
        actions.file_mentor_report(
            member, period=date(2025, 8, 1), text="x", assessment="good", by=user
        )


def test_a_report_needs_its_text_and_an_assessment(tree, user):
    member = probationer(tree["village"])
    with refused(member, NotEligible, "Cần ghi nội dung"):
        actions.file_self_review(
            member, period=date(2025, 8, 1), text="  ", assessment="good", by=user
        )
    with refused(member, NotEligible, "mức đánh giá"):
        actions.file_self_review(member, period=date(2025, 8, 1), text="x", assessment="", by=user)


def test_a_report_after_the_12_months_is_refused(tree, user):
    """Reports cover the probation (Charter Art. 5: 12 months)."""
    member = probationer(tree["village"])
    for period in (date(2026, 6, 1), date(2026, 7, 1)):
        with refused(member, NotEligible, "ngoài 12 tháng dự bị (các kỳ từ 06/2025 đến 05/2026)"):
            actions.file_self_review(member, period=period, text="x", assessment="good", by=user)
    actions.file_self_review(member, period=date(2026, 5, 1), text="x", assessment="good", by=user)


def test_a_province_setting_quarterly_reports_files_them_by_quarter(tree, user):
    """``probation.report_interval_months`` is configurable per province (seed 000)."""
    RuleParameter.objects.create(
        key="probation.report_interval_months",
        value=3,
        effective_from=date(2020, 1, 1),
        organisation=tree["province"],
        source="Hướng dẫn của Tỉnh ủy",
    )
    member = probationer(tree["village"])
    report = actions.file_self_review(
        member, period=date(2025, 8, 10), text="x", assessment="good", by=user
    )
    assert report.period == date(2025, 6, 1)  # June–August, the quarter from the ceremony
    with refused(member, Conflict, "kỳ 06/2025–08/2025"):
        actions.file_self_review(
            member, period=date(2025, 7, 1), text="y", assessment="good", by=user
        )


# ---- the new-member course ---------------------------------------------------------------


def test_the_new_member_course_is_recorded_on_the_member(tree, user):
    """294-QĐ/TW §4.2: the certificate is part of the recognition file."""
    member = probationer(tree["village"])
    with_course(member, user)
    member.refresh_from_db()
    assert (member.new_member_course_no, member.new_member_course_on) == (
        "ĐVM-07",
        date(2025, 9, 15),
    )
    assert member.changes.filter(what=Event.COURSE).exists()


def test_a_course_certificate_before_the_admission_decision_is_refused(tree, user):
    member = probationer(tree["village"])
    with refused(member, NotEligible, "trước ngày quyết định kết nạp"):
        actions.record_new_member_course(
            member, certificate_no="ĐVM-1", issued_on=date(2025, 1, 1), by=user
        )
    with refused(member, NotEligible, "không thể sau ngày hôm nay"):
        actions.record_new_member_course(
            member, certificate_no="ĐVM-1", issued_on=date(2026, 12, 1), by=user
        )


# ---- the chi bộ vote -------------------------------------------------------------------


def test_the_branch_may_not_vote_before_the_12_months_end(tree, user):
    """Charter Art. 5; 294-QĐ/TW §4.2: recognition is considered when probation ends."""
    member = probationer(tree["village"])
    with refused(member, NotEligible, "Chưa hết 12 tháng dự bị (đến 02/06/2026)") as info:
        vote(member, user, held_on=date(2026, 6, 1))
    assert info.value.field == "held_on"


def test_a_vote_exactly_at_two_thirds_passes_and_starts_the_committee_deadline(tree, user):
    """At least 2/3 of the denominator (Charter Art. 5; DOMAIN.md §2): 6 of 9 passes; the
    committee then has 30 working days (QĐ 29 §4.3.1)."""
    member = probationer(tree["village"], officials=9)
    result = vote(member, user, in_favour=6, against=3)
    assert (result.denominator, result.passed) == (9, True)
    proceeding = Proceeding.objects.get(member=member, kind=ProceedingKind.RECOGNITION)
    assert proceeding.step == Step.BRANCH_PROPOSED
    assert proceeding.opened_on == ENDS
    assert proceeding.decision_due_on == calendar.add_working_days(VOTE_DAY, 30)
    assert proceeding.decision_due_on == date(2026, 7, 22)


def test_a_vote_just_under_two_thirds_is_recorded_and_the_proceeding_stays_open(tree, user):
    """5 of 9 is short of 2/3: recorded, not proposed (Charter Art. 5)."""
    member = probationer(tree["village"], officials=9)
    result = vote(member, user, in_favour=5, against=4)
    assert (result.denominator, result.passed) == (9, False)
    proceeding = Proceeding.objects.get(member=member)
    assert proceeding.step == Step.OPEN
    assert "chưa đạt ít nhất 2/3" in member.changes.filter(what=Event.VOTE).get().note


def test_a_member_on_temporary_transfer_is_not_in_the_denominator(tree, user):
    """294-QĐ/TW §9.3.2 [R]: members on temporary transfer elsewhere do not count, so 4 of
    the 6 at home pass although 4 of 7 would not."""
    member = probationer(tree["village"], officials=6)
    make_member(branch=tree["village"], temporarily_away_since=date(2026, 3, 1))
    result = vote(member, user, in_favour=4, against=2)
    assert (result.denominator, result.passed) == (6, True)


def test_more_votes_than_the_denominator_are_refused(tree, user):
    member = probationer(tree["village"], officials=3)
    with refused(member, VoteInvalid, "vượt quá"):
        vote(member, user, in_favour=3, against=1)


def test_a_late_branch_vote_is_recorded(tree, user):
    """294-QĐ/TW §4.2: 30 working days; a later meeting is recorded (shown late) and the
    official date does not move."""
    member = probationer(tree["village"])
    assert member.recognition_vote_due_on == date(2026, 7, 14)
    result = vote(member, user, held_on=date(2026, 8, 3))
    assert result.passed


def test_a_second_vote_after_the_branch_proposed_is_refused(tree, user):
    member = probationer(tree["village"])
    vote(member, user)
    with refused(member, StageNotAllowed, "Chi bộ đã có nghị quyết"):
        vote(member, user, held_on=date(2026, 6, 12))


# ---- the grassroots đảng ủy --------------------------------------------------------------


def test_the_grassroots_committee_endorses_where_one_sits_between(tree, user):
    """24/294-QĐ/TW [R]: at least 2/3 of the đảng ủy cơ sở's committee (9 members)."""
    member = probationer(tree["school_branch"])
    vote(member, user)
    result = actions.record_grassroots_recognition_vote(
        member,
        held_on=date(2026, 6, 15),
        in_favour=6,
        committee_size=9,
        resolution_no="NQ-ĐU-3",
        by=user,
    )
    assert result.passed
    assert Proceeding.objects.get(member=member).step == Step.GRASSROOTS_ENDORSED


def test_a_grassroots_vote_where_none_sits_between_is_refused(tree, user):
    member = probationer(tree["village"])
    vote(member, user)
    with refused(member, StageNotAllowed, "không có đảng ủy cơ sở xét giữa"):
        actions.record_grassroots_recognition_vote(
            member,
            held_on=date(2026, 6, 15),
            in_favour=6,
            committee_size=9,
            resolution_no="NQ",
            by=user,
        )


def test_a_grassroots_vote_before_the_branch_voted_is_refused(tree, user):
    member = probationer(tree["school_branch"])
    with refused(member, StageNotAllowed, "Chi bộ chưa biểu quyết"):
        actions.record_grassroots_recognition_vote(
            member,
            held_on=date(2026, 6, 15),
            in_favour=6,
            committee_size=9,
            resolution_no="NQ",
            by=user,
        )


def test_a_grassroots_committee_size_other_than_recorded_is_refused(tree, user):
    member = probationer(tree["school_branch"])
    vote(member, user)
    with refused(member, VoteInvalid, "có 9 ủy viên"):
        actions.record_grassroots_recognition_vote(
            member,
            held_on=date(2026, 6, 15),
            in_favour=4,
            committee_size=6,
            resolution_no="NQ",
            by=user,
        )


# ---- extension ---------------------------------------------------------------------------


def test_the_decision_deadline_is_extended_once_by_30_working_days(tree, user):
    """QĐ 29 §4.3.1: extendable once."""
    member = probationer(tree["village"])
    vote(member, user)
    proceeding = actions.extend_recognition_deadline(member, reason="Chờ xác minh", by=user)
    assert proceeding.decision_due_on == calendar.add_working_days(date(2026, 7, 22), 30)
    assert member.changes.filter(what=Event.DEADLINE).exists()
    with refused(member, DeadlinePassed, "chỉ được gia hạn một lần"):
        actions.extend_recognition_deadline(member, reason="Lần nữa", by=user)


def test_an_extension_needs_a_reason_and_a_branch_proposal(tree, user):
    member = probationer(tree["village"])
    with refused(member, StageNotAllowed, "Chi bộ chưa biểu quyết"):
        actions.extend_recognition_deadline(member, reason="x", by=user)
    vote(member, user)
    with refused(member, NotEligible, "Cần ghi lý do gia hạn"):
        actions.extend_recognition_deadline(member, reason=" ", by=user)


# ---- the decision ----------------------------------------------------------------------


def test_recognition_makes_the_member_official_from_the_end_of_the_12_months(tree, user):
    """Charter Art. 5; 294-QĐ/TW §4.2: the official date is the end of the 12 months,
    even when the decision comes later."""
    member = probationer(tree["village"])
    actions.assign_mentor(member, mentor=mentor_of(member), from_on=CEREMONY, by=user)
    with_course(member, user)
    vote(member, user)
    decide(member, user, decided_on=date(2026, 7, 1))
    member.refresh_from_db()
    assert member.status == Status.OFFICIAL
    assert member.official_on == ENDS
    proceeding = Proceeding.objects.get(member=member)
    assert (proceeding.step, proceeding.outcome, proceeding.decision_no) == (
        Step.DECIDED,
        True,
        "QĐ-88",
    )
    last = member.changes.filter(what=Event.STATUS).last()
    assert last.to_status == Status.OFFICIAL
    assert "chính thức từ 02/06/2026" in last.note
    assert Mentorship.objects.get(member=member).until_on == date(2026, 7, 1)


def test_the_12_months_ending_on_a_holiday_still_give_that_official_date(tree, user):
    """Ceremony on 2/9/2025: the 12 months end on 2/9/2026, Quốc khánh (a day off). The
    official date is still 2/9/2026 (294-QĐ/TW §4.2); the vote deadline counts 30 working
    days from it, skipping the holidays (14/10/2026)."""
    member = probationer(tree["village"], date(2025, 9, 2))
    assert not calendar.is_working_day(date(2026, 9, 2))
    assert member.probation_ends_on == date(2026, 9, 2)
    assert member.recognition_vote_due_on == date(2026, 10, 14)
    with refused(member, NotEligible, "đến 02/09/2026"):
        vote(member, user, held_on=date(2026, 9, 1))
    with_course(member, user)
    vote(member, user, held_on=date(2026, 9, 3))
    decide(member, user, decided_on=date(2026, 9, 30))
    member.refresh_from_db()
    assert member.official_on == date(2026, 9, 2)


def test_a_decision_one_working_day_late_needs_its_reason(tree, user):
    """QĐ 29 §4.3.1: 30 working days after the chi bộ resolution (22/7/2026); on 23/7 the
    decision is refused without a reason for the delay, and accepted with one. The
    official date stays the end of the 12 months."""
    member = probationer(tree["village"])
    with_course(member, user)
    vote(member, user)
    decide(member, user, decided_on=date(2026, 7, 22))  # the last day: on time
    member.refresh_from_db()
    assert member.status == Status.OFFICIAL

    late = probationer(tree["clinic"])
    with_course(late, user)
    vote(late, user)
    with refused(late, DeadlinePassed, "Quá hạn ra quyết định (22/07/2026") as info:
        decide(late, user, decided_on=date(2026, 7, 23))
    assert info.value.field == "late_reason"
    decide(late, user, decided_on=date(2026, 7, 23), late_reason="Hồ sơ bổ sung chậm")
    late.refresh_from_db()
    assert (late.status, late.official_on) == (Status.OFFICIAL, ENDS)
    assert Proceeding.objects.get(member=late).late_reason == "Hồ sơ bổ sung chậm"


def test_recognition_without_the_new_member_course_is_refused(tree, user):
    """294-QĐ/TW §4.2: the new-member course certificate is in the recognition file."""
    member = probationer(tree["village"])
    vote(member, user)
    with refused(member, NotEligible, "Chưa có giấy chứng nhận lớp bồi dưỡng"):
        decide(member, user)


def test_a_decision_before_the_branch_vote_is_refused(tree, user):
    member = probationer(tree["village"])
    with_course(member, user)
    with refused(member, StageNotAllowed, "Chi bộ chưa biểu quyết"):
        decide(member, user)


def test_where_a_grassroots_committee_sits_between_it_resolves_before_recognition(tree, user):
    """294-QĐ/TW §4.3.2: the đảng ủy cơ sở's resolution comes before the decision."""
    member = probationer(tree["school_branch"])
    with_course(member, user)
    vote(member, user)
    with refused(member, StageNotAllowed, "Cần nghị quyết của Đảng ủy"):
        decide(member, user)


def test_the_committee_vote_must_reach_more_than_half_to_recognise(tree, user):
    """QĐ 29/24/294 §4.3.2: the BTV decides by more than 1/2 of its members."""
    tree["commune"].standing_committee_size = 6
    tree["commune"].save(update_fields=["standing_committee_size"])
    member = probationer(tree["village"])
    with_course(member, user)
    vote(member, user)
    with refused(member, DomainError, "chưa đạt trên 1/2"):
        decide(member, user, in_favour=3, committee_size=6)
    decide(member, user, in_favour=4, committee_size=6)
    member.refresh_from_db()
    assert member.status == Status.OFFICIAL


def test_not_recognised_means_removal_not_a_longer_probation(tree, user):
    """Charter Art. 5.2: not recognised → xóa tên from the decision date; there is no
    extension of probation."""
    member = probationer(tree["village"])
    vote(member, user, in_favour=2, against=4)  # the chi bộ does not reach 2/3
    decide(member, user, recognised=False, decided_on=date(2026, 7, 1), note="Vi phạm tư cách")
    member.refresh_from_db()
    assert (member.status, member.left_on, member.official_on) == (
        Status.REMOVED,
        date(2026, 7, 1),
        None,
    )
    proceeding = Proceeding.objects.get(member=member)
    assert (proceeding.outcome, proceeding.trigger) == (False, RemovalTrigger.NOT_RECOGNISED)
    assert proceeding.complaint_until is not None
    last = member.changes.last()
    assert last.to_status == Status.REMOVED
    assert "xóa tên" in last.note


def test_recognising_after_a_failed_branch_vote_is_refused_until_three_failed(tree, user):
    """QĐ 29 §4.2c: after three chi bộ votes short of 2/3 the superior committee decides."""
    member = probationer(tree["village"])
    with_course(member, user)
    vote(member, user, in_favour=2, against=4)
    with refused(member, StageNotAllowed, "Cần nghị quyết đề nghị của chi bộ"):
        decide(member, user)
    vote(member, user, held_on=date(2026, 6, 11), in_favour=3, against=3)
    vote(member, user, held_on=date(2026, 6, 12), in_favour=3, against=3)
    decide(member, user)
    member.refresh_from_db()
    assert member.status == Status.OFFICIAL


def test_a_decision_on_an_official_member_is_refused(tree, user):
    member = make_member(branch=tree["village"])
    with refused(member, StageNotAllowed, "Đảng viên chính thức"):
        decide(member, user)
