"""Recording branch meetings and resolution-study sessions with attendance (Charter Art.
24: the chi bộ meets regularly once a month; 294-QĐ/TW §6.3.2 for members on temporary
transfer; Charter Art. 7 for exempted members)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from dangvien.core.errors import Conflict, NotEligible
from dangvien.factories import make_member, user_with_role
from dangvien.members.actions.meetings import Presence, record_meeting, update_attendance
from dangvien.members.models import Attendance, Meeting, MeetingKind, Status, Transfer
from dangvien.members.queries.meetings import AWAY_REASON, EXEMPT_REASON

HELD_ON = date(2026, 3, 10)


@pytest.fixture
def secretary(tree):
    return user_with_role("branch_secretary", tree["village"])


@pytest.fixture
def branch_members(tree):
    return [make_member(branch=tree["village"]) for _ in range(3)]


def _all_present(members):
    return [Presence(m, True) for m in members]


def test_a_regular_meeting_records_every_members_attendance(tree, branch_members, secretary):
    a, b, c = branch_members
    meeting = record_meeting(
        tree["village"],
        kind=MeetingKind.REGULAR,
        held_on=HELD_ON,
        attendance=[Presence(a, True), Presence(b, False, True, "Ốm"), Presence(c, False)],
        by=secretary,
    )
    rows = {r.member_id: r for r in meeting.attendance.all()}
    assert (rows[a.pk].present, rows[b.pk].excused, rows[b.pk].reason) == (True, True, "Ốm")
    assert (rows[c.pk].present, rows[c.pk].excused) == (False, False)
    assert meeting.org_path == tree["village"].path


def test_a_second_regular_meeting_in_the_same_month_is_refused(tree, branch_members, secretary):
    """Charter Art. 24: one regular meeting a month."""
    record_meeting(
        tree["village"],
        kind=MeetingKind.REGULAR,
        held_on=HELD_ON,
        attendance=_all_present(branch_members),
        by=secretary,
    )
    with pytest.raises(Conflict, match="đã có buổi sinh hoạt thường kỳ tháng 03/2026"):
        record_meeting(
            tree["village"],
            kind=MeetingKind.REGULAR,
            held_on=date(2026, 3, 28),
            attendance=_all_present(branch_members),
            by=secretary,
        )
    assert Meeting.objects.count() == 1


def test_a_thematic_meeting_or_study_session_may_follow_in_the_same_month(
    tree, branch_members, secretary
):
    for kind in (MeetingKind.REGULAR, MeetingKind.THEMATIC, MeetingKind.STUDY):
        record_meeting(
            tree["village"],
            kind=kind,
            held_on=HELD_ON,
            topic="Nghị quyết Đại hội XIV",
            attendance=_all_present(branch_members),
            by=secretary,
        )
    assert Meeting.objects.count() == 3


def test_the_next_months_regular_meeting_is_allowed(tree, branch_members, secretary):
    for day in (date(2026, 3, 31), date(2026, 4, 1)):
        record_meeting(
            tree["village"],
            kind=MeetingKind.REGULAR,
            held_on=day,
            attendance=_all_present(branch_members),
            by=secretary,
        )
    assert Meeting.objects.count() == 2


def test_attendance_must_cover_every_active_member_of_the_branch(tree, branch_members, secretary):
    """Sinh hoạt chi bộ is each member's duty: every member gets a row."""
    a, b, _c = branch_members
    with pytest.raises(NotEligible, match="Chưa điểm danh") as refused:
        record_meeting(
            tree["village"],
            kind=MeetingKind.REGULAR,
            held_on=HELD_ON,
            attendance=[Presence(a, True)],
            by=secretary,
        )
    assert b.person.full_name in str(refused.value) and refused.value.field == "attendance"
    assert not Meeting.objects.exists()


def test_members_who_joined_after_the_meeting_or_left_are_not_expected(tree, secretary):
    present = make_member(branch=tree["village"])
    make_member(
        branch=tree["village"], status=Status.PROBATIONARY, probation_started_on=date(2026, 5, 1)
    )
    make_member(branch=tree["village"], status=Status.REMOVED)
    meeting = record_meeting(
        tree["village"],
        kind=MeetingKind.REGULAR,
        held_on=HELD_ON,
        attendance=[Presence(present, True)],
        by=secretary,
    )
    assert meeting.attendance.count() == 1


def test_probationary_members_are_expected_too(tree, secretary):
    official = make_member(branch=tree["village"])
    make_member(
        branch=tree["village"], status=Status.PROBATIONARY, probation_started_on=date(2026, 1, 5)
    )
    with pytest.raises(NotEligible, match="Chưa điểm danh"):
        record_meeting(
            tree["village"],
            kind=MeetingKind.REGULAR,
            held_on=HELD_ON,
            attendance=[Presence(official, True)],
            by=secretary,
        )


def test_a_member_of_another_branch_is_refused(tree, branch_members, secretary):
    stranger = make_member(branch=tree["school_branch"])
    with pytest.raises(NotEligible, match="không sinh hoạt ở Chi bộ thôn Đông"):
        record_meeting(
            tree["village"],
            kind=MeetingKind.REGULAR,
            held_on=HELD_ON,
            attendance=[*_all_present(branch_members), Presence(stranger, True)],
            by=secretary,
        )


def test_a_member_listed_twice_is_refused(tree, branch_members, secretary):
    with pytest.raises(NotEligible, match="hai lần"):
        record_meeting(
            tree["village"],
            kind=MeetingKind.REGULAR,
            held_on=HELD_ON,
            attendance=[*_all_present(branch_members), Presence(branch_members[0], False)],
            by=secretary,
        )


def test_an_excused_absence_needs_its_reason(tree, branch_members, secretary):
    a, b, c = branch_members
    with pytest.raises(NotEligible, match=f"Cần ghi lý do vắng của {b.person.full_name}"):
        record_meeting(
            tree["village"],
            kind=MeetingKind.REGULAR,
            held_on=HELD_ON,
            attendance=[Presence(a, True), Presence(b, False, True, " "), Presence(c, True)],
            by=secretary,
        )


def test_a_meeting_in_the_future_is_refused(tree, branch_members, secretary):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(NotEligible, match="không thể sau ngày hôm nay") as refused:
        record_meeting(
            tree["village"],
            kind=MeetingKind.REGULAR,
            held_on=tomorrow,
            attendance=_all_present(branch_members),
            by=secretary,
        )
    assert refused.value.field == "held_on"


def test_a_study_session_needs_its_topic(tree, branch_members, secretary):
    with pytest.raises(NotEligible, match="Cần ghi nội dung") as refused:
        record_meeting(
            tree["village"],
            kind=MeetingKind.STUDY,
            held_on=HELD_ON,
            attendance=_all_present(branch_members),
            by=secretary,
        )
    assert refused.value.field == "topic"


def test_only_a_chi_bo_records_meetings(tree, secretary):
    with pytest.raises(NotEligible, match="Chỉ chi bộ"):
        record_meeting(
            tree["commune"], kind=MeetingKind.REGULAR, held_on=HELD_ON, attendance=[], by=secretary
        )


def test_members_on_temporary_transfer_out_are_marked_attending_elsewhere(tree, secretary):
    """294-QĐ/TW §6.3.2: a member on temporary transfer takes part at the host."""
    here = make_member(branch=tree["village"])
    away = make_member(branch=tree["village"], temporarily_away_since=date(2026, 1, 15))
    meeting = record_meeting(
        tree["village"],
        kind=MeetingKind.REGULAR,
        held_on=HELD_ON,
        attendance=[Presence(here, True)],
        by=secretary,
    )
    row = meeting.attendance.get(member=away)
    assert (row.present, row.excused, row.reason) == (False, True, AWAY_REASON)
    # Even when the grid says "absent", the row is the excused one.
    meeting2 = record_meeting(
        tree["village"],
        kind=MeetingKind.THEMATIC,
        held_on=HELD_ON,
        topic="Chuyên đề",
        attendance=[Presence(here, True), Presence(away, False)],
        by=secretary,
    )
    assert meeting2.attendance.get(member=away).excused


def test_exempted_members_who_stay_away_are_excused(tree, secretary):
    """Charter Art. 7: exempted members need not attend; one who attends is present."""
    here = make_member(branch=tree["village"])
    exempted = make_member(branch=tree["village"], exempted_since=date(2025, 6, 1))
    meeting = record_meeting(
        tree["village"],
        kind=MeetingKind.REGULAR,
        held_on=HELD_ON,
        attendance=[Presence(here, True), Presence(exempted, False)],
        by=secretary,
    )
    row = meeting.attendance.get(member=exempted)
    assert (row.excused, row.reason) == (True, EXEMPT_REASON)


def test_a_member_staying_here_temporarily_may_be_listed(tree, secretary):
    host = tree["village"]
    here = make_member(branch=host)
    guest = make_member(branch=tree["school_branch"], temporarily_away_since=date(2026, 1, 15))
    Transfer.objects.filter(member=guest).update(to_organisation=host, to_path=host.path)
    meeting = record_meeting(
        host,
        kind=MeetingKind.REGULAR,
        held_on=HELD_ON,
        attendance=[Presence(here, True), Presence(guest, True)],
        by=secretary,
    )
    assert meeting.attendance.filter(member=guest, present=True).exists()


def test_attendance_can_be_corrected(tree, branch_members, secretary):
    a, b, c = branch_members
    meeting = record_meeting(
        tree["village"],
        kind=MeetingKind.REGULAR,
        held_on=HELD_ON,
        attendance=[Presence(a, True), Presence(b, False), Presence(c, True)],
        by=secretary,
    )
    update_attendance(meeting, attendance=[Presence(b, False, True, "Đi công tác")], by=secretary)
    row = Attendance.objects.get(meeting=meeting, member=b)
    assert (row.excused, row.reason) == (True, "Đi công tác")
    assert meeting.attendance.count() == 3
    with pytest.raises(NotEligible, match="Cần ghi lý do vắng"):
        update_attendance(meeting, attendance=[Presence(a, False, True, "")], by=secretary)
