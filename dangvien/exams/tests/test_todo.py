"""The exams and courses part of the home page's to-do list."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from dangvien.accounts.models import Role
from dangvien.exams.models import Answer, Mark, QuestionType, RoundStatus, SittingStatus
from dangvien.exams.queries.todo import tasks
from dangvien.exams.tests.factories import (
    add_board,
    make_paper,
    make_question,
    make_round,
    make_sitting,
)
from dangvien.factories import make_candidate, user_with_role
from dangvien.training.models import Course, CourseKind, CourseStatus

TODAY = date(2026, 11, 23)


@pytest.fixture
def board(tree):
    chair = user_with_role(Role.BOARD_STAFF, tree["commune"])
    member = user_with_role(Role.GRASSROOTS_STAFF, tree["school"])
    return chair, member


def essay_answer(tree, board, *, status=RoundStatus.MARKING, held_on=TODAY):
    exam_round = make_round(tree["commune"], status=status, held_on=held_on)
    add_board(exam_round, *board)
    paper = make_paper(exam_round, [make_question(tree["commune"], type=QuestionType.ESSAY)])
    sitting = make_sitting(
        exam_round,
        make_candidate(branch=tree["village"]),
        paper=paper,
        status=SittingStatus.SUBMITTED,
    )
    return Answer.objects.create(sitting=sitting, item=paper.items.get(), response="Bài làm")


def whats(user):
    return [task.what for task in tasks(user, TODAY)]


def test_each_board_member_sees_the_essays_waiting_for_their_own_score(tree, board):
    chair, member = board
    answer = essay_answer(tree, board)
    assert whats(member) == ["1 câu tự luận, vấn đáp chờ đồng chí chấm"]
    Mark.objects.create(answer=answer, marker=member, criteria=["0.5", "0.5"], points=Decimal(1))
    assert whats(member) == []
    assert "1 câu tự luận, vấn đáp chờ đồng chí chấm" in whats(chair)


def test_the_chair_is_asked_to_settle_disagreements_then_to_sign(tree, board):
    chair, member = board
    answer = essay_answer(tree, board)
    for marker in board:
        Mark.objects.create(answer=answer, marker=marker, criteria=["0", "0"], points=Decimal(0))
    answer.disputed = True
    answer.save(update_fields=["disputed"])
    assert whats(chair) == ["1 câu hai giám khảo chênh lệch chờ chủ tịch quyết định"]
    assert whats(member) == []
    answer.resolved_by = chair
    answer.save(update_fields=["resolved_by"])
    assert whats(chair) == ["Kết quả chờ chủ tịch hội đồng ký duyệt"]


def test_a_round_still_open_after_its_day_is_overdue(tree, board):
    chair, _ = board
    essay_answer(tree, board, status=RoundStatus.OPEN, held_on=TODAY - timedelta(days=2))
    [task] = tasks(chair, TODAY)
    assert task.what == "Đợt kiểm tra chưa kết thúc làm bài" and task.overdue


def test_a_course_past_its_last_day_waits_for_its_organiser_not_for_a_secretary(tree):
    commune = tree["commune"]
    Course.objects.create(
        kind=CourseKind.AWARENESS,
        name="Lớp nhận thức khóa 10/2026",
        organiser=commune,
        org_path=commune.path,
        starts_on=TODAY - timedelta(days=20),
        ends_on=TODAY - timedelta(days=14),
        status=CourseStatus.RUNNING,
    )
    staff = user_with_role(Role.BOARD_STAFF, commune)
    assert whats(staff) == ["Lớp đã bế giảng, chưa xét kết quả và cấp giấy chứng nhận"]
    assert whats(user_with_role(Role.BRANCH_SECRETARY, tree["village"])) == []


def test_the_home_page_lists_the_exam_tasks(tree, board, client, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a: TODAY)
    essay_answer(tree, board)
    client.force_login(board[1])
    page = client.get("/").content.decode()
    assert "Bồi dưỡng và kiểm tra nhận thức" in page
    assert "chờ đồng chí chấm" in page
