"""The sitting rules: the one-time code, the server's deadline, autosave with its grace,
submission, time-out, opening and closing the round, and the board keying paper
sittings."""

import hashlib
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from dangvien.accounts.models import Role
from dangvien.core.errors import (
    Conflict,
    DeadlinePassed,
    NotAllowed,
    NotEligible,
    StageNotAllowed,
)
from dangvien.core.models import RuleParameter
from dangvien.exams.actions import sittings as actions
from dangvien.exams.models import (
    Answer,
    Part,
    QuestionType,
    RoundStatus,
    Sitting,
    SittingMode,
    SittingStatus,
)
from dangvien.exams.queries import sittings as queries
from dangvien.exams.tests.factories import add_board, make_paper, make_question
from dangvien.exams.tests.factories_sittings import (
    Setup,
    online_sitting,
    paper_sitting,
    round_with_paper,
)
from dangvien.factories import make_user, user_with_role

T0 = timezone.make_aware(datetime(2026, 11, 20, 8, 0))


pytestmark = pytest.mark.usefixtures("clear_cache")


@pytest.fixture
def setup(tree: dict[str, Any]) -> Setup:
    return round_with_paper(tree["commune"], duration=30)


def started(setup: Setup, tree: dict[str, Any], code: str = "ABCD-2345") -> Sitting:
    online_sitting(setup, tree["village"], code=code)
    return actions.start_sitting(code, now=T0)


# ---- the code ----------------------------------------------------------------------------


def test_the_code_is_hashed_after_upper_casing_and_removing_dashes_and_spaces():
    expected = hashlib.sha256(b"ABCD2345").hexdigest()
    assert queries.digest_of_code(" abcd-2345 ") == expected
    assert queries.digest_of_code("AB CD 23 45") == expected


def test_an_unknown_code_is_refused_with_one_vague_message(setup, tree):
    online_sitting(setup, tree["village"], code="ABCD-2345")
    with pytest.raises(NotEligible) as refused:
        actions.start_sitting("ABCD-2346", now=T0)
    assert str(refused.value) == actions.CODE_REFUSED
    assert refused.value.field == "code"
    with pytest.raises(NotEligible, match="Mã dự thi không đúng"):
        actions.start_sitting("   ", now=T0)


def test_a_used_code_is_refused_with_the_same_message(setup, tree):
    sitting = started(setup, tree)
    actions.submit_sitting(sitting, now=T0 + timedelta(minutes=5))
    with pytest.raises(NotEligible) as refused:
        actions.start_sitting("abcd 2345", now=T0 + timedelta(minutes=6))
    assert str(refused.value) == actions.CODE_REFUSED


@pytest.mark.parametrize("status", [RoundStatus.PAPERS, RoundStatus.MARKING])
def test_a_code_is_refused_while_the_round_is_not_open(tree, status):
    setup = round_with_paper(tree["commune"], status=status)
    online_sitting(setup, tree["village"], code="ABCD-2345")
    with pytest.raises(NotEligible) as refused:
        actions.start_sitting("ABCD-2345", now=T0)
    assert str(refused.value) == actions.CODE_REFUSED
    assert not Sitting.objects.filter(status=SittingStatus.IN_PROGRESS).exists()


def test_a_paper_sitting_cannot_be_started_online(setup, tree):
    sitting = paper_sitting(setup, tree["village"])
    sitting.code_digest = queries.digest_of_code("PAPE-R001")
    sitting.save()
    with pytest.raises(NotEligible, match="Mã dự thi không đúng"):
        actions.start_sitting("PAPE-R001", now=T0)


def test_starting_sets_the_deadline_from_the_server_clock_and_creates_every_answer(setup, tree):
    sitting = started(setup, tree)
    assert sitting.status == SittingStatus.IN_PROGRESS
    assert sitting.started_at == T0
    assert sitting.deadline_at == T0 + timedelta(minutes=30)
    # One row per item, the oral one too (the markers score it); no response yet.
    answers = Answer.objects.filter(sitting=sitting)
    assert answers.count() == 6
    assert answers.filter(item__part=Part.ORAL).count() == 1
    assert not answers.filter(response__isnull=False).exists()


def test_the_same_code_resumes_the_same_sitting_before_the_deadline(setup, tree):
    first = started(setup, tree)
    again = actions.start_sitting("abcd-2345", now=T0 + timedelta(minutes=29))
    assert again.pk == first.pk
    assert again.started_at == T0 and again.deadline_at == first.deadline_at
    assert Answer.objects.filter(sitting=first).count() == 6  # not created twice


def test_the_same_code_is_refused_once_the_deadline_has_passed(setup, tree):
    started(setup, tree)
    with pytest.raises(NotEligible, match="Mã dự thi không đúng"):
        actions.start_sitting("ABCD-2345", now=T0 + timedelta(minutes=30, seconds=1))


def test_failed_codes_from_one_address_are_throttled(setup, tree, monkeypatch):
    monkeypatch.setattr(actions, "CODE_FAILURE_LIMIT", 3)
    online_sitting(setup, tree["village"], code="ABCD-2345")
    for _ in range(3):
        with pytest.raises(NotEligible):
            actions.start_sitting_guarded("ZZZZ-0000", address="10.0.0.9", now=T0)
    with pytest.raises(actions.TooManyAttempts, match="nhập sai mã quá nhiều lần"):
        actions.start_sitting_guarded("ABCD-2345", address="10.0.0.9", now=T0)
    # Another address is not held back.
    sitting = actions.start_sitting_guarded("ABCD-2345", address="10.0.0.10", now=T0)
    assert sitting.status == SittingStatus.IN_PROGRESS


# ---- saving answers ----------------------------------------------------------------------


def test_each_type_keeps_its_response_shape(setup, tree):
    sitting = started(setup, tree)
    multiple = setup.item(QuestionType.MULTIPLE)
    order = multiple.option_order
    saves = {
        QuestionType.SINGLE: ("C", "C"),
        # Kept in the variant's printed order, whatever order they were ticked in.
        QuestionType.MULTIPLE: ([order[2], order[0]], [order[0], order[2]]),
        QuestionType.TRUE_FALSE: (False, False),
        QuestionType.SHORT: ("  Đại   hội  ", "Đại hội"),
        QuestionType.ESSAY: ("Dòng một\n\nDòng  hai ", "Dòng một\n\nDòng hai"),
    }
    for qtype, (given, kept) in saves.items():
        answer = actions.save_answer(
            sitting, item=setup.item(qtype), response=given, now=T0 + timedelta(minutes=1)
        )
        assert answer.response == kept, qtype
        assert answer.saved_at == T0 + timedelta(minutes=1)
    # An emptied answer is no answer.
    cleared = actions.save_answer(
        sitting, item=setup.item(QuestionType.SHORT), response="", now=T0 + timedelta(minutes=2)
    )
    assert cleared.response is None


@pytest.mark.parametrize(
    ("qtype", "response", "message"),
    [
        (QuestionType.SINGLE, "E", "Chọn một phương án"),
        (QuestionType.SINGLE, ["A"], "Chọn một phương án"),
        (QuestionType.MULTIPLE, "A", "Chọn một hoặc nhiều phương án khác nhau"),
        (QuestionType.MULTIPLE, ["A", "A"], "Chọn một hoặc nhiều phương án khác nhau"),
        (QuestionType.MULTIPLE, ["A", "Z"], "Chọn một hoặc nhiều phương án khác nhau"),
        (QuestionType.TRUE_FALSE, "true", "Trả lời “Đúng” hoặc “Sai”"),
        (QuestionType.SHORT, 12, "Câu trả lời phải là văn bản"),
        (QuestionType.SHORT, "x" * 501, "tối đa 500 ký tự"),
        (QuestionType.ESSAY, "x" * 20_001, "tối đa 20000 ký tự"),
    ],
)
def test_a_response_of_the_wrong_shape_is_refused(setup, tree, qtype, response, message):
    sitting = started(setup, tree)
    item = setup.item(qtype)
    with pytest.raises(NotEligible, match=message) as refused:
        actions.save_answer(sitting, item=item, response=response, now=T0)
    assert refused.value.field == "response"
    assert Answer.objects.get(sitting=sitting, item=item).response is None


def test_an_oral_item_is_not_answered_online(setup, tree):
    sitting = started(setup, tree)
    with pytest.raises(NotEligible, match="Câu hỏi không thuộc bài làm này") as refused:
        actions.save_answer(sitting, item=setup.item(QuestionType.ORAL), response="x", now=T0)
    assert refused.value.field == "item"


def test_an_item_of_another_paper_is_refused(setup, tree):
    sitting = started(setup, tree)
    other = make_paper(setup.round, [make_question(tree["commune"])], number=2)
    with pytest.raises(NotEligible, match="Câu hỏi không thuộc bài làm này"):
        actions.save_answer(sitting, item=other.items.get(), response="B", now=T0)


def test_a_save_just_after_the_deadline_is_taken_within_the_grace(setup, tree):
    sitting = started(setup, tree)
    deadline = T0 + timedelta(minutes=30)
    answer = actions.save_answer(
        sitting,
        item=setup.item(QuestionType.SINGLE),
        response="A",
        now=deadline + timedelta(seconds=60),
    )
    assert answer.response == "A"


def test_a_save_after_the_deadline_plus_the_grace_is_refused(setup, tree):
    sitting = started(setup, tree)
    item = setup.item(QuestionType.SINGLE)
    with pytest.raises(DeadlinePassed, match="Đã hết giờ làm bài"):
        actions.save_answer(
            sitting, item=item, response="A", now=T0 + timedelta(minutes=31, seconds=1)
        )
    assert Answer.objects.get(sitting=sitting, item=item).response is None


def test_the_grace_is_a_rule_parameter_per_province(setup, tree):
    RuleParameter.objects.create(
        key="exam.autosave_grace_seconds",
        value=0,
        effective_from=date(2020, 1, 1),
        organisation=tree["province"],
        source="Quy định của tỉnh",
    )
    sitting = started(setup, tree)
    with pytest.raises(DeadlinePassed):
        actions.save_answer(
            sitting,
            item=setup.item(QuestionType.SINGLE),
            response="A",
            now=T0 + timedelta(minutes=30, seconds=1),
        )


def test_a_save_after_submitting_is_refused(setup, tree):
    sitting = started(setup, tree)
    actions.submit_sitting(sitting, now=T0 + timedelta(minutes=10))
    with pytest.raises(Conflict, match="Bài làm đã được nộp"):
        actions.save_answer(
            sitting,
            item=setup.item(QuestionType.SINGLE),
            response="A",
            now=T0 + timedelta(minutes=11),
        )


def test_a_sitting_not_started_takes_no_answer(setup, tree):
    sitting = online_sitting(setup, tree["village"])
    with pytest.raises(StageNotAllowed, match="chưa bắt đầu"):
        actions.save_answer(sitting, item=setup.item(QuestionType.SINGLE), response="A", now=T0)


# ---- submitting and time-out -------------------------------------------------------------


def test_submitting_records_the_time_and_a_second_submit_changes_nothing(setup, tree):
    sitting = started(setup, tree)
    done = actions.submit_sitting(sitting, now=T0 + timedelta(minutes=12))
    assert done.status == SittingStatus.SUBMITTED
    assert done.submitted_at == T0 + timedelta(minutes=12)
    assert done.timed_out is False
    again = actions.submit_sitting(sitting, now=T0 + timedelta(minutes=13))
    assert again.submitted_at == T0 + timedelta(minutes=12)


def test_a_submit_after_the_deadline_is_recorded_as_timed_out(setup, tree):
    sitting = started(setup, tree)
    done = actions.submit_sitting(sitting, now=T0 + timedelta(minutes=30, seconds=20))
    assert done.timed_out is True
    assert done.submitted_at == T0 + timedelta(minutes=30, seconds=20)


def test_a_sitting_never_started_cannot_be_submitted(setup, tree):
    sitting = online_sitting(setup, tree["village"])
    with pytest.raises(StageNotAllowed, match="chưa thể nộp"):
        actions.submit_sitting(sitting, now=T0)


def test_finish_overdue_submits_as_timed_out_only_the_sittings_past_deadline_and_grace(setup, tree):
    late = started(setup, tree, code="LATE-0001")
    in_grace = online_sitting(setup, tree["village"], code="GRAC-0001")
    actions.start_sitting("GRAC-0001", now=T0 + timedelta(minutes=1))
    on_time = online_sitting(setup, tree["village"], code="TIME-0001")
    actions.start_sitting("TIME-0001", now=T0 + timedelta(minutes=5))
    now = T0 + timedelta(minutes=32)  # late: 2 min over; in grace: 1 min over; on time
    assert actions.finish_overdue(setup.round, now) == 1
    late.refresh_from_db()
    assert late.status == SittingStatus.SUBMITTED and late.timed_out
    assert late.submitted_at == late.deadline_at  # the paper ended when time ran out
    for sitting in (in_grace, on_time):
        sitting.refresh_from_db()
        assert sitting.status == SittingStatus.IN_PROGRESS
    # A single sitting is brought up to date in place.
    assert actions.finish_overdue(in_grace, T0 + timedelta(minutes=40)) == 1
    assert in_grace.status == SittingStatus.SUBMITTED and in_grace.timed_out


# ---- opening and closing the round -------------------------------------------------------


def test_opening_needs_a_paper_for_every_registered_candidate(tree, staff):
    setup = round_with_paper(tree["commune"], status=RoundStatus.PAPERS)
    online_sitting(setup, tree["village"])
    online_sitting(setup, tree["village"], code="ABCD-9999", paper=None)
    with pytest.raises(NotEligible, match="Còn 1 thí sinh chưa được giao mã đề"):
        actions.open_round(setup.round, by=staff)
    setup.round.refresh_from_db()
    assert setup.round.status == RoundStatus.PAPERS


def test_opening_needs_a_code_for_every_online_candidate(tree, staff):
    setup = round_with_paper(tree["commune"], status=RoundStatus.PAPERS)
    online_sitting(setup, tree["village"], code="")
    paper_sitting(setup, tree["village"])  # a paper sitting needs no code
    with pytest.raises(NotEligible, match="Còn 1 thí sinh thi trực tuyến chưa được cấp mã"):
        actions.open_round(setup.round, by=staff)


def test_opening_needs_candidates(tree, staff):
    setup = round_with_paper(tree["commune"], status=RoundStatus.PAPERS)
    with pytest.raises(NotEligible, match="chưa có thí sinh"):
        actions.open_round(setup.round, by=staff)


def test_the_staff_or_the_chair_opens_the_round(tree, staff):
    setup = round_with_paper(tree["commune"], status=RoundStatus.PAPERS)
    online_sitting(setup, tree["village"])
    opened = actions.open_round(setup.round, by=staff)
    assert opened.status == RoundStatus.OPEN == setup.round.status
    other = round_with_paper(tree["commune"], status=RoundStatus.PAPERS)
    online_sitting(other, tree["village"], code="WXYZ-2345")
    chair = make_user()
    add_board(other.round, chair)
    assert actions.open_round(other.round, by=chair).status == RoundStatus.OPEN


def test_a_board_member_who_is_not_chair_may_not_open_the_round(tree):
    setup = round_with_paper(tree["commune"], status=RoundStatus.PAPERS)
    online_sitting(setup, tree["village"])
    chair, member = make_user(), make_user()
    add_board(setup.round, chair, member)
    with pytest.raises(NotAllowed, match="Chỉ cán bộ phụ trách hoặc chủ tịch hội đồng"):
        actions.open_round(setup.round, by=member)


def test_only_a_round_with_papers_can_be_opened(tree, staff):
    setup = round_with_paper(tree["commune"], status=RoundStatus.DRAFT)
    online_sitting(setup, tree["village"])
    with pytest.raises(StageNotAllowed, match="đã tạo đề"):
        actions.open_round(setup.round, by=staff)


def test_closing_submits_sittings_in_progress_and_marks_online_no_shows_absent(setup, tree, staff):
    working = started(setup, tree)
    no_show = online_sitting(setup, tree["village"], code="NOSH-0001")
    done = online_sitting(setup, tree["village"], code="DONE-0001")
    actions.start_sitting("DONE-0001", now=T0)
    actions.submit_sitting(done, now=T0 + timedelta(minutes=20))
    on_paper = paper_sitting(setup, tree["village"])
    now = T0 + timedelta(minutes=25)
    closed = actions.close_round(setup.round, by=staff, now=now)
    assert closed.status == RoundStatus.MARKING
    working.refresh_from_db()
    assert working.status == SittingStatus.SUBMITTED
    assert working.timed_out and working.submitted_at == now
    no_show.refresh_from_db()
    assert no_show.status == SittingStatus.ABSENT
    done.refresh_from_db()
    assert done.submitted_at == T0 + timedelta(minutes=20) and not done.timed_out
    on_paper.refresh_from_db()
    assert on_paper.status == SittingStatus.REGISTERED  # the board keys it while marking


def test_only_an_open_round_can_be_closed(tree, staff):
    setup = round_with_paper(tree["commune"], status=RoundStatus.PAPERS)
    with pytest.raises(StageNotAllowed, match="đang mở"):
        actions.close_round(setup.round, by=staff)


# ---- paper sittings and absence ----------------------------------------------------------


def _keyed(setup: Setup) -> dict[int, Any]:
    return {
        setup.item(QuestionType.SINGLE).pk: "B",
        setup.item(QuestionType.MULTIPLE).pk: ["C", "A"],
        setup.item(QuestionType.TRUE_FALSE).pk: "sai",
        setup.item(QuestionType.SHORT).pk: "Đại hội",
    }


def test_a_board_member_keys_in_a_paper_sitting_which_is_then_submitted(setup, tree):
    member = make_user()
    add_board(setup.round, make_user(), member)
    sitting = paper_sitting(setup, tree["village"])
    keyed = actions.key_paper_answers(sitting, responses=_keyed(setup), by=member, now=T0)
    assert keyed.status == SittingStatus.SUBMITTED and keyed.submitted_at == T0
    answers = {a.item.version.question.type: a.response for a in keyed.answers.all()}
    assert answers[QuestionType.SINGLE] == "B"
    assert answers[QuestionType.TRUE_FALSE] is False
    assert answers[QuestionType.MULTIPLE] in (["A", "C"], ["C", "A"])  # variant order
    assert answers[QuestionType.ESSAY] is None and answers[QuestionType.ORAL] is None
    # A correction while marking has not started: the other answers stay.
    actions.key_paper_answers(
        sitting, responses={setup.item(QuestionType.SINGLE).pk: "D"}, by=member, now=T0
    )
    single = Answer.objects.get(sitting=sitting, item=setup.item(QuestionType.SINGLE))
    assert single.response == "D"
    assert Answer.objects.get(sitting=sitting, item=setup.item(QuestionType.SHORT)).response


def test_keying_names_the_item_of_a_wrong_answer(setup, tree, staff):
    sitting = paper_sitting(setup, tree["village"])
    item = setup.item(QuestionType.SINGLE)
    with pytest.raises(NotEligible, match=f"Câu {item.position}: Chọn một phương án") as refused:
        actions.key_paper_answers(sitting, responses={item.pk: "Z"}, by=staff)
    assert refused.value.field == f"responses.{item.pk}"
    sitting.refresh_from_db()
    assert sitting.status == SittingStatus.REGISTERED


def test_keying_refuses_an_oral_item(setup, tree, staff):
    sitting = paper_sitting(setup, tree["village"])
    with pytest.raises(NotEligible, match="không thuộc bài làm"):
        actions.key_paper_answers(
            sitting, responses={setup.item(QuestionType.ORAL).pk: "x"}, by=staff
        )


def test_keying_is_refused_to_a_user_neither_on_the_board_nor_running_the_round(setup, tree):
    viewer = user_with_role(Role.LEADER, tree["province"])
    sitting = paper_sitting(setup, tree["village"])
    with pytest.raises(NotAllowed, match="Chỉ thành viên hội đồng"):
        actions.key_paper_answers(sitting, responses=_keyed(setup), by=viewer)


def test_an_online_sitting_is_not_keyed_by_the_board(setup, tree, staff):
    sitting = online_sitting(setup, tree["village"])
    with pytest.raises(StageNotAllowed, match="bài thi trực tuyến"):
        actions.key_paper_answers(sitting, responses=_keyed(setup), by=staff)


def test_keying_waits_for_the_round_to_open(tree, staff):
    setup = round_with_paper(tree["commune"], status=RoundStatus.PAPERS)
    sitting = paper_sitting(setup, tree["village"])
    with pytest.raises(StageNotAllowed, match="đang làm bài hoặc đang chấm"):
        actions.key_paper_answers(sitting, responses=_keyed(setup), by=staff)


def test_keying_stops_once_marking_has_started_on_the_sitting(setup, tree, staff):
    sitting = paper_sitting(setup, tree["village"])
    actions.key_paper_answers(sitting, responses=_keyed(setup), by=staff)
    Answer.objects.filter(sitting=sitting, item=setup.item(QuestionType.SINGLE)).update(
        points=Decimal("1")
    )
    with pytest.raises(Conflict, match="đã bắt đầu được chấm"):
        actions.key_paper_answers(sitting, responses=_keyed(setup), by=staff)


def test_an_absent_candidate_is_recorded_only_before_sitting(setup, tree, staff):
    sitting = paper_sitting(setup, tree["village"])
    assert actions.mark_absent(sitting, by=staff).status == SittingStatus.ABSENT
    with pytest.raises(StageNotAllowed, match="chưa làm bài"):
        actions.mark_absent(sitting, by=staff)
    with pytest.raises(StageNotAllowed, match="vắng mặt"):
        actions.key_paper_answers(sitting, responses=_keyed(setup), by=staff)
    working = started(setup, tree)
    with pytest.raises(StageNotAllowed, match="chưa làm bài"):
        actions.mark_absent(working, by=staff)


def test_absence_is_recorded_by_the_board_only(setup, tree):
    viewer = user_with_role(Role.LEADER, tree["province"])
    sitting = paper_sitting(setup, tree["village"])
    with pytest.raises(NotAllowed, match="ghi vắng mặt"):
        actions.mark_absent(sitting, by=viewer)
    assert Sitting.objects.get(pk=sitting.pk).mode == SittingMode.PAPER
