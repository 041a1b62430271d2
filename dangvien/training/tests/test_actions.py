"""Every rule of the training actions, with its refusal in Vietnamese."""

from datetime import timedelta
from decimal import Decimal

import pytest

from dangvien.candidates.models import Candidate, Stage
from dangvien.core.errors import Conflict, NotEligible, StageNotAllowed
from dangvien.core.models import RuleParameter
from dangvien.factories import make_candidate, make_member
from dangvien.members.models import Member, Status
from dangvien.training import actions
from dangvien.training.models import (
    Attendance,
    Certificate,
    Course,
    CourseKind,
    CourseStatus,
    Enrolment,
    Result,
)
from dangvien.training.queries import passes
from dangvien.training.tests.factories import (
    attend,
    days_ago,
    enrol,
    make_course,
    staff,
    today,
)

pytestmark = pytest.mark.django_db


def _candidate(branch, given="An", **fields) -> Candidate:
    return make_candidate(branch=branch, person__given_name=given, **fields)


def _probationary(branch, given="An", **fields) -> Member:
    return make_member(
        branch=branch,
        status=Status.PROBATIONARY,
        admitted_on=days_ago(200),
        probation_started_on=days_ago(190),
        official_on=None,
        person__given_name=given,
        **fields,
    )


def _running(organiser, sessions=5, **fields) -> Course:
    return make_course(organiser, status=CourseStatus.RUNNING, sessions=sessions, **fields)


# ---- the pass rule ---------------------------------------------------------------------


def _passes(attended: int, sessions: int, mark: Decimal | None) -> bool:
    return passes(
        attended=attended, sessions=sessions, mark=mark, min_percent=80, pass_mark=Decimal("5")
    )


def test_attendance_exactly_at_the_minimum_passes_and_one_session_less_fails():
    assert _passes(4, 5, Decimal("6"))
    assert not _passes(3, 5, Decimal("6"))


def test_a_mark_exactly_at_the_pass_mark_passes_and_just_below_fails():
    assert _passes(5, 5, Decimal("5.00"))
    assert not _passes(5, 5, Decimal("4.99"))


def test_no_mark_or_no_session_never_passes():
    assert not _passes(5, 5, None)
    assert not _passes(0, 0, Decimal("9"))


def test_closing_applies_the_pass_rule_at_its_boundaries(tree):
    course = _running(tree["commune"], sessions=5)
    at_minimum = enrol(course, _candidate(tree["village"], "An", stage=Stage.IN_AWARENESS_COURSE))
    below = enrol(course, _candidate(tree["village"], "Bình", stage=Stage.IN_AWARENESS_COURSE))
    low_mark = enrol(course, _candidate(tree["village"], "Cúc", stage=Stage.IN_AWARENESS_COURSE))
    attend(at_minimum, 4)
    attend(below, 3)
    attend(low_mark, 5)
    Enrolment.objects.filter(pk__in=[at_minimum.pk, below.pk]).update(mark=Decimal("5"))
    Enrolment.objects.filter(pk=low_mark.pk).update(mark=Decimal("4.99"))
    closing = actions.close_course(
        course, first_number=1, issued_on=today(), by=staff(tree["commune"])
    )
    assert [e.pk for e in closing.passed] == [at_minimum.pk]
    results = dict(Enrolment.objects.values_list("pk", "result"))
    assert results == {
        at_minimum.pk: Result.PASSED,
        below.pk: Result.FAILED,
        low_mark.pk: Result.FAILED,
    }


# ---- courses ---------------------------------------------------------------------------


def test_a_new_course_takes_its_pass_mark_and_attendance_from_the_rules(tree):
    RuleParameter.objects.create(
        key="course.pass_mark", value=6, effective_from=days_ago(400), organisation=tree["province"]
    )
    course = actions.create_course(
        kind=CourseKind.AWARENESS,
        name="  Lớp   nhận thức khóa II ",
        organiser=tree["commune"],
        starts_on=today(),
        ends_on=today() + timedelta(days=10),
        lecturers="Nguyễn Văn A\n\n Trần Thị B ",
        by=staff(tree["commune"]),
    )
    assert course.pass_mark == Decimal("6.00")
    assert course.min_attendance_percent == 80
    assert course.name == "Lớp nhận thức khóa II"
    assert course.lecturers == "Nguyễn Văn A\nTrần Thị B"
    assert course.status == CourseStatus.PLANNED
    assert course.org_path == tree["commune"].path


def test_a_chi_bo_cannot_organise_a_course(tree):
    with pytest.raises(NotEligible, match="không do chi bộ"):
        actions.create_course(
            kind=CourseKind.AWARENESS,
            name="Lớp",
            organiser=tree["village"],
            starts_on=today(),
            ends_on=today(),
            by=staff(tree["commune"]),
        )
    assert not Course.objects.exists()


def test_a_course_cannot_end_before_it_starts(tree):
    with pytest.raises(NotEligible, match="Ngày bế giảng phải sau ngày khai giảng"):
        actions.create_course(
            kind=CourseKind.AWARENESS,
            name="Lớp",
            organiser=tree["commune"],
            starts_on=today(),
            ends_on=today() - timedelta(days=1),
            by=staff(tree["commune"]),
        )


def test_kind_and_organiser_are_fixed_once_someone_is_enrolled(tree):
    course = make_course(tree["commune"])
    enrol(course, _candidate(tree["village"]))
    with pytest.raises(Conflict, match="không đổi được loại lớp"):
        actions.update_course(course, kind=CourseKind.NEW_MEMBER, by=staff(tree["commune"]))
    with pytest.raises(Conflict, match="không đổi được đơn vị tổ chức"):
        actions.update_course(course, organiser=tree["province"], by=staff(tree["province"]))


def test_a_closed_course_cannot_be_edited(tree):
    course = make_course(tree["commune"], status=CourseStatus.CLOSED)
    with pytest.raises(StageNotAllowed, match="Lớp đã kết thúc: không thể"):
        actions.update_course(course, name="Tên mới", by=staff(tree["commune"]))


def test_a_session_must_fall_within_the_course_dates(tree):
    course = make_course(tree["commune"])
    with pytest.raises(NotEligible, match="Ngày học phải trong thời gian của lớp"):
        actions.add_session(course, held_on=course.ends_on + timedelta(days=1), topic="X", by=None)
    session = actions.add_session(course, held_on=course.starts_on, topic=" Điều lệ Đảng ", by=None)
    assert session.topic == "Điều lệ Đảng"


def test_a_session_with_presences_cannot_be_removed(tree):
    course = _running(tree["commune"], sessions=1)
    attend(enrol(course, _candidate(tree["village"], stage=Stage.IN_AWARENESS_COURSE)), 1)
    with pytest.raises(Conflict, match="đã có điểm danh"):
        actions.remove_session(course.sessions.get(), by=None)


def test_the_dates_cannot_move_away_from_a_session(tree):
    course = make_course(tree["commune"], sessions=1)
    with pytest.raises(Conflict, match="nằm ngoài thời gian mới"):
        actions.update_course(course, starts_on=course.starts_on + timedelta(days=1), by=None)


# ---- enrolment -------------------------------------------------------------------------


def test_enrolment_takes_candidates_of_the_organisers_area_and_refuses_others(tree):
    course = make_course(tree["commune"])
    ours = _candidate(tree["school_branch"], "An")
    theirs = _candidate(tree["other_branch"], "Bình")
    outcomes = actions.enrol_many(course, people=[ours, theirs], by=staff(tree["province"]))
    assert [o.enrolled for o in outcomes] == [True, False]
    assert "ngoài phạm vi của Đảng bộ xã An Bình" in outcomes[1].reason
    enrolment = Enrolment.objects.get()
    assert enrolment.person == ours.person
    assert enrolment.org_path == tree["school_branch"].path


def test_a_candidate_already_voted_on_by_the_branch_is_refused(tree):
    course = make_course(tree["commune"])
    late = _candidate(tree["village"], stage=Stage.BRANCH_PROPOSED)
    with pytest.raises(NotEligible, match="đang ở bước “Chi bộ đề nghị kết nạp”"):
        actions.enrol(course, person=late, by=None)


def test_a_certified_candidate_retakes_only_when_the_certificate_lapses_before_the_vote(tree):
    course = make_course(tree["commune"], starts_on=today(), ends_on=today() + timedelta(days=20))
    fresh = _candidate(
        tree["village"], "An", stage=Stage.CERTIFIED, certificate_issued_on=days_ago(365)
    )
    lapsing = _candidate(
        tree["village"],
        "Bình",
        stage=Stage.DOSSIER_OPEN,
        certificate_issued_on=days_ago(365 * 5 - 60),
    )
    outcomes = actions.enrol_many(course, people=[fresh, lapsing], by=None)
    assert [o.enrolled for o in outcomes] == [False, True]
    assert "còn hạn đến" in outcomes[0].reason
    assert "chỉ học lại khi giấy chứng nhận hết hạn trước" in outcomes[0].reason


def test_someone_learning_on_another_open_course_is_refused(tree):
    first = make_course(tree["commune"], name="Khóa I")
    second = make_course(tree["commune"], name="Khóa II")
    candidate = _candidate(tree["village"])
    enrol(first, candidate)
    with pytest.raises(NotEligible, match="đang học lớp “Khóa I”"):
        actions.enrol(second, person=candidate, by=None)


def test_someone_already_on_the_course_is_refused(tree):
    course = make_course(tree["commune"])
    candidate = _candidate(tree["village"])
    enrol(course, candidate)
    with pytest.raises(NotEligible, match="đã có trong danh sách lớp này"):
        actions.enrol(course, person=candidate, by=None)


def test_a_withdrawn_learner_can_be_enrolled_again(tree):
    course = make_course(tree["commune"])
    candidate = _candidate(tree["village"])
    enrolment = enrol(course, candidate, result=Result.WITHDRAWN, note="Ốm")
    again = actions.enrol(course, person=candidate, by=None)
    assert again.pk == enrolment.pk
    assert again.result == Result.PENDING and again.note == ""


def test_a_new_member_course_takes_probationary_members_without_the_certificate(tree):
    course = make_course(tree["commune"], kind=CourseKind.NEW_MEMBER)
    ready = _probationary(tree["village"], "An")
    done = _probationary(tree["village"], "Bình", new_member_course_no="12-CN/TTCT")
    official = make_member(branch=tree["village"], person__given_name="Cúc")
    outcomes = actions.enrol_many(course, people=[ready, done, official], by=None)
    assert [o.enrolled for o in outcomes] == [True, False, False]
    assert "đã có giấy chứng nhận lớp bồi dưỡng đảng viên mới số 12-CN/TTCT" in outcomes[1].reason
    assert "không phải đảng viên dự bị" in outcomes[2].reason


def test_an_awareness_course_refuses_members_and_a_new_member_course_refuses_candidates(tree):
    awareness = make_course(tree["commune"])
    new_member = make_course(tree["commune"], kind=CourseKind.NEW_MEMBER)
    with pytest.raises(NotEligible, match="chỉ ghi danh quần chúng ưu tú"):
        actions.enrol(awareness, person=_probationary(tree["village"]), by=None)
    with pytest.raises(NotEligible, match="chỉ ghi danh đảng viên dự bị"):
        actions.enrol(new_member, person=_candidate(tree["village"]), by=None)


def test_a_candidate_joining_a_course_that_has_begun_is_now_learning(tree):
    course = _running(tree["commune"])
    candidate = _candidate(tree["village"])
    actions.enrol(course, person=candidate, by=staff(tree["commune"]))
    candidate.refresh_from_db()
    assert candidate.stage == Stage.IN_AWARENESS_COURSE
    assert candidate.course_name == course.name


def test_a_candidate_joining_a_planned_course_stays_in_the_pool(tree):
    course = make_course(tree["commune"])
    candidate = _candidate(tree["village"])
    actions.enrol(course, person=candidate, by=None)
    candidate.refresh_from_db()
    assert candidate.stage == Stage.CANDIDATE


def test_starting_a_course_moves_its_candidates_to_in_awareness_course(tree):
    course = make_course(tree["commune"], sessions=2)
    pool = _candidate(tree["village"], "An")
    retake = _candidate(
        tree["village"], "Bình", stage=Stage.CERTIFIED, certificate_issued_on=days_ago(1800)
    )
    enrol(course, pool)
    enrol(course, retake)
    actions.start_course(course, by=staff(tree["commune"]))
    assert course.status == CourseStatus.RUNNING
    assert Candidate.objects.get(pk=pool.pk).stage == Stage.IN_AWARENESS_COURSE
    assert Candidate.objects.get(pk=pool.pk).course_started_on == course.starts_on
    assert Candidate.objects.get(pk=retake.pk).stage == Stage.CERTIFIED  # a retake keeps it


def test_a_course_cannot_start_before_its_opening_day(tree):
    course = make_course(
        tree["commune"], starts_on=today() + timedelta(days=3), ends_on=today() + timedelta(9)
    )
    with pytest.raises(NotEligible, match="chưa thể bắt đầu"):
        actions.start_course(course, by=None)


def test_starting_is_refused_while_a_learners_candidacy_has_ended(tree):
    course = make_course(tree["commune"])
    gone = _candidate(tree["village"], "An", stage=Stage.WITHDRAWN)
    enrol(course, gone)
    with pytest.raises(StageNotAllowed, match="Nguyễn Văn An"):
        actions.start_course(course, by=None)
    assert Course.objects.get(pk=course.pk).status == CourseStatus.PLANNED


def test_withdrawing_needs_a_reason_and_keeps_the_candidates_stage(tree):
    course = _running(tree["commune"])
    candidate = _candidate(tree["village"], stage=Stage.IN_AWARENESS_COURSE)
    enrolment = enrol(course, candidate)
    with pytest.raises(NotEligible, match="Cần ghi lý do thôi học"):
        actions.withdraw_enrolment(enrolment, reason="  ", by=None)
    actions.withdraw_enrolment(enrolment, reason="Chuyển nơi cư trú", by=None)
    assert enrolment.result == Result.WITHDRAWN and enrolment.note == "Chuyển nơi cư trú"
    assert Candidate.objects.get(pk=candidate.pk).stage == Stage.IN_AWARENESS_COURSE
    with pytest.raises(StageNotAllowed, match="thôi học"):
        actions.withdraw_enrolment(enrolment, reason="Lần nữa", by=None)


# ---- attendance and marks --------------------------------------------------------------


def test_attendance_is_saved_for_many_cells_at_once_and_can_be_corrected(tree):
    course = _running(tree["commune"], sessions=2)
    first, second = course.sessions.order_by("held_on")
    e = enrol(course, _candidate(tree["village"], stage=Stage.IN_AWARENESS_COURSE))
    changed = actions.record_attendance(
        course, cells=[(first.pk, e.pk, True), (second.pk, e.pk, True)], by=None
    )
    assert changed == 2
    actions.record_attendance(course, cells=[(second.pk, e.pk, False)], by=None)
    assert dict(Attendance.objects.values_list("session_id", "present")) == {
        first.pk: True,
        second.pk: False,
    }


def test_nobody_is_present_at_a_session_not_yet_held(tree):
    course = _running(tree["commune"], ends_on=today() + timedelta(days=5))
    later = actions.add_session(course, held_on=today() + timedelta(days=2), topic="Sau", by=None)
    e = enrol(course, _candidate(tree["village"], stage=Stage.IN_AWARENESS_COURSE))
    with pytest.raises(NotEligible, match="chưa diễn ra"):
        actions.record_attendance(course, cells=[(later.pk, e.pk, True)], by=None)
    assert not Attendance.objects.exists()


def test_attendance_and_marks_need_a_running_course_and_a_learner_still_on_it(tree):
    planned = make_course(tree["commune"], sessions=1)
    e = enrol(planned, _candidate(tree["village"]))
    with pytest.raises(StageNotAllowed, match="đang chuẩn bị"):
        actions.record_attendance(planned, cells=[(planned.sessions.get().pk, e.pk, True)], by=None)
    running = _running(tree["commune"], sessions=1)
    gone = enrol(running, _candidate(tree["clinic"], "Bình"), result=Result.WITHDRAWN)
    with pytest.raises(NotEligible, match="không còn trong danh sách lớp"):
        actions.record_marks(running, marks={gone.pk: "7"}, by=None)


def test_marks_round_half_up_to_two_decimals_on_the_ten_point_scale(tree):
    course = _running(tree["commune"])
    e = enrol(course, _candidate(tree["village"], stage=Stage.IN_AWARENESS_COURSE))
    actions.record_marks(course, marks={e.pk: "7,555"}, by=None)
    assert Enrolment.objects.get(pk=e.pk).mark == Decimal("7.56")
    with pytest.raises(NotEligible, match="Điểm phải từ 0 đến 10"):
        actions.record_marks(course, marks={e.pk: "10.5"}, by=None)
    actions.record_marks(course, marks={e.pk: None}, by=None)
    assert Enrolment.objects.get(pk=e.pk).mark is None


# ---- closing ---------------------------------------------------------------------------


def _passing(course, branch, given, **fields):
    e = enrol(course, _candidate(branch, given, stage=Stage.IN_AWARENESS_COURSE, **fields))
    attend(e, course.sessions.count())
    Enrolment.objects.filter(pk=e.pk).update(mark=Decimal("8"))
    return e


def test_closing_certifies_each_passed_candidate_who_moves_to_certified(tree):
    course = _running(tree["commune"], sessions=3)
    bình = _passing(course, tree["village"], "Bình")
    an = _passing(course, tree["school_branch"], "An")
    closing = actions.close_course(
        course, first_number="0125", pattern="{n}-CN/TTCT", issued_on=today(), by=None
    )
    # Numbered in Vietnamese name order: An before Bình; leading zeros keep the width.
    assert [(c.person_id, c.number) for c in closing.certificates] == [
        (an.person_id, "0125-CN/TTCT"),
        (bình.person_id, "0126-CN/TTCT"),
    ]
    candidate = Candidate.objects.get(pk=an.candidate_id)
    assert candidate.stage == Stage.CERTIFIED
    assert candidate.certificate_no == "0125-CN/TTCT"
    assert candidate.certificate_issued_on == today()
    certificate = Certificate.objects.get(person=an.person)
    assert certificate.issuer == tree["commune"]
    assert certificate.org_path == tree["school_branch"].path
    course.refresh_from_db()
    assert course.status == CourseStatus.CLOSED and course.closed_on == today()


def test_a_retaken_course_renews_the_certificate_of_a_candidate_further_on(tree):
    course = _running(tree["commune"], sessions=2)
    e = _passing(
        course,
        tree["village"],
        "An",
        certificate_no="1-CN/TTCT",
        certificate_issued_on=days_ago(1790),
    )
    Candidate.objects.filter(pk=e.candidate_id).update(stage=Stage.DOSSIER_OPEN)
    actions.close_course(course, first_number=40, issued_on=today(), by=None)
    candidate = Candidate.objects.get(pk=e.candidate_id)
    assert candidate.stage == Stage.DOSSIER_OPEN
    assert candidate.certificate_no == "40-CN/TTCT"


def test_the_new_member_certificate_reaches_the_member(tree):
    course = _running(tree["commune"], kind=CourseKind.NEW_MEMBER, sessions=2)
    member = _probationary(tree["village"])
    e = enrol(course, member, mark=Decimal("9"))
    attend(e, 2)
    actions.close_course(course, first_number=7, pattern="{n}/CN-ĐVM", issued_on=today(), by=None)
    member.refresh_from_db()
    assert member.new_member_course_no == "7/CN-ĐVM"
    assert member.new_member_course_on == today()
    assert Certificate.objects.get().kind == CourseKind.NEW_MEMBER


def test_a_certificate_number_is_never_given_twice_by_one_issuer(tree):
    earlier = _running(tree["commune"], sessions=1, name="Khóa I")
    _passing(earlier, tree["village"], "An")
    actions.close_course(earlier, first_number=125, issued_on=today(), by=None)
    course = _running(tree["commune"], sessions=1, name="Khóa II")
    _passing(course, tree["village"], "Bình")
    with pytest.raises(Conflict, match="125-CN/TTCT đã cấp cho Nguyễn Văn An"):
        actions.close_course(course, first_number=125, issued_on=today(), by=None)
    assert Course.objects.get(pk=course.pk).status == CourseStatus.RUNNING
    actions.close_course(course, first_number=126, issued_on=today(), by=None)
    assert Certificate.objects.count() == 2


def test_another_issuer_may_use_the_same_number(tree):
    ours = _running(tree["commune"], sessions=1)
    _passing(ours, tree["village"], "An")
    theirs = _running(tree["other_commune"], sessions=1)
    _passing(theirs, tree["other_branch"], "Bình")
    actions.close_course(ours, first_number=1, issued_on=today(), by=None)
    actions.close_course(theirs, first_number=1, issued_on=today(), by=None)
    assert Certificate.objects.filter(number="1-CN/TTCT").count() == 2


def test_closing_refuses_a_candidate_withdrawn_meanwhile_and_writes_nothing(tree):
    course = _running(tree["commune"], sessions=2)
    an = _passing(course, tree["village"], "An")
    gone = _passing(course, tree["village"], "Bình")
    Candidate.objects.filter(pk=gone.candidate_id).update(stage=Stage.WITHDRAWN)
    with pytest.raises(StageNotAllowed, match="Nguyễn Văn Bình \\(đã rút khỏi nguồn\\)"):
        actions.close_course(course, first_number=1, issued_on=today(), by=None)
    assert not Certificate.objects.exists()
    assert Candidate.objects.get(pk=an.candidate_id).stage == Stage.IN_AWARENESS_COURSE
    assert Course.objects.get(pk=course.pk).status == CourseStatus.RUNNING
    # Once their enrolment is withdrawn, the course closes.
    actions.withdraw_enrolment(gone, reason="Rút khỏi nguồn", by=None)
    actions.close_course(course, first_number=1, issued_on=today(), by=None)
    assert Candidate.objects.get(pk=an.candidate_id).stage == Stage.CERTIFIED


def test_a_refusal_half_way_through_closing_leaves_nothing_behind(tree):
    course = _running(tree["commune"], sessions=1)
    first = _passing(course, tree["village"], "An")
    # Bình already holds a newer certificate: certify refuses the older one.
    second = _passing(
        course,
        tree["village"],
        "Bình",
        certificate_no="9-CN/TTCT",
        certificate_issued_on=today(),
    )
    Candidate.objects.filter(pk=second.candidate_id).update(stage=Stage.CERTIFIED)
    with pytest.raises(NotEligible, match=r"^Nguyễn Văn Bình: Giấy chứng nhận mới phải cấp sau"):
        actions.close_course(course, first_number=1, issued_on=today(), by=None)
    assert not Certificate.objects.exists()
    assert Candidate.objects.get(pk=first.candidate_id).stage == Stage.IN_AWARENESS_COURSE
    assert set(Enrolment.objects.values_list("result", flat=True)) == {Result.PENDING}
    assert Course.objects.get(pk=course.pk).status == CourseStatus.RUNNING


def test_closing_needs_a_mark_for_everyone_with_enough_attendance(tree):
    course = _running(tree["commune"], sessions=2)
    e = enrol(course, _candidate(tree["village"], "An", stage=Stage.IN_AWARENESS_COURSE))
    attend(e, 2)
    absent = enrol(course, _candidate(tree["village"], "Bình", stage=Stage.IN_AWARENESS_COURSE))
    attend(absent, 0)
    with pytest.raises(NotEligible, match="Chưa nhập điểm cho: Nguyễn Văn An \\(hoặc"):
        actions.close_course(course, first_number=1, issued_on=today(), by=None)


def test_closing_checks_the_pattern_number_and_date(tree):
    course = _running(tree["commune"], sessions=1)
    _passing(course, tree["village"], "An")
    with pytest.raises(NotEligible, match="Mẫu số phải có \\{n\\}"):
        actions.close_course(course, first_number=1, pattern="CN/TTCT", issued_on=today(), by=None)
    with pytest.raises(NotEligible, match="Số bắt đầu phải là một số nguyên dương"):
        actions.close_course(course, first_number="12a", issued_on=today(), by=None)
    with pytest.raises(NotEligible, match="không thể sau hôm nay"):
        actions.close_course(course, first_number=1, issued_on=today() + timedelta(days=1), by=None)
    with pytest.raises(NotEligible, match="Ngày cấp phải từ buổi học cuối"):
        actions.close_course(
            course, first_number=1, issued_on=course.starts_on - timedelta(days=1), by=None
        )


def test_a_course_without_sessions_or_not_running_cannot_close(tree):
    with pytest.raises(StageNotAllowed, match="chưa có buổi học"):
        actions.close_course(
            _running(tree["commune"], sessions=0), first_number=1, issued_on=today(), by=None
        )
    with pytest.raises(StageNotAllowed, match="đang chuẩn bị"):
        actions.close_course(
            make_course(tree["commune"], sessions=1), first_number=1, issued_on=today(), by=None
        )
