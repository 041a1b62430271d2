"""The exams and courses part of the home page's to-do list ("Việc cần làm")."""

from datetime import date
from typing import Any

from django.db.models import Count, Q

from dangvien.core.todo import Task
from dangvien.exams.models import (
    Answer,
    QuestionType,
    RoundStatus,
    SittingStatus,
)
from dangvien.exams.queries.access import can_manage, reachable_rounds
from dangvien.organisations.queries import in_scope
from dangvien.training.models import Course, CourseStatus

HAND_MARKED = (QuestionType.ESSAY, QuestionType.ORAL)


def tasks(user: Any, today: date) -> list[Task]:
    """Rounds whose test day has passed but are still open; essays and oral answers
    waiting for this board member's score; rounds whose chair has disagreements to settle
    or results to sign; courses past their last day still waiting for their results."""
    out: list[Task] = []
    rounds = list(
        reachable_rounds(user)
        .filter(status__in=[RoundStatus.OPEN, RoundStatus.MARKING])
        .annotate(
            my_board=Count("board", filter=Q(board__user=user)),
            my_chair=Count("board", filter=Q(board__user=user, board__is_chair=True)),
        )
        .order_by("held_on", "pk")[:50]
    )
    waiting = _waiting_for(user, [r.pk for r in rounds if r.status == RoundStatus.MARKING])
    disputes = _open_disputes([r.pk for r in rounds if r.my_chair])
    for r in rounds:
        if r.status == RoundStatus.OPEN and r.held_on < today:
            out.append(
                Task(
                    "Đợt kiểm tra chưa kết thúc làm bài",
                    "exams:sit-monitor",
                    r.pk,
                    r.name,
                    r.held_on,
                    overdue=True,
                )
            )
        if waiting.get(r.pk):
            out.append(
                Task(
                    f"{waiting[r.pk]} câu tự luận, vấn đáp chờ đồng chí chấm",
                    "exams:mark",
                    r.pk,
                    r.name,
                    r.held_on,
                )
            )
        if disputes.get(r.pk):
            out.append(
                Task(
                    f"{disputes[r.pk]} câu hai giám khảo chênh lệch chờ chủ tịch quyết định",
                    "exams:mark-disputes",
                    r.pk,
                    r.name,
                    r.held_on,
                )
            )
        elif r.my_chair and r.status == RoundStatus.MARKING and not waiting.get(r.pk):
            out.append(
                Task(
                    "Kết quả chờ chủ tịch hội đồng ký duyệt",
                    "exams:results",
                    r.pk,
                    r.name,
                    r.held_on,
                )
            )
    courses = (
        Course.objects.filter(in_scope(user, "org_path"), status=CourseStatus.RUNNING)
        .filter(ends_on__lt=today)
        .select_related("organiser")
        .order_by("ends_on")[:50]
    )
    for course in (c for c in courses if can_manage(user, c.organiser)):
        out.append(
            Task(
                "Lớp đã bế giảng, chưa xét kết quả và cấp giấy chứng nhận",
                "training:course",
                course.pk,
                course.name,
                course.ends_on,
                overdue=True,
            )
        )
    return out


def _waiting_for(user: Any, round_ids: list[int]) -> dict[int, int]:
    """Hand-marked answers of handed-in sittings this user has not scored yet (two
    markers per answer: only while fewer than two marks are in)."""
    if not round_ids:
        return {}
    rows = (
        Answer.objects.filter(
            sitting__round_id__in=round_ids,
            sitting__round__board__user=user,
            item__version__question__type__in=HAND_MARKED,
            sitting__status__in=[SittingStatus.SUBMITTED, SittingStatus.MARKED],
        )
        .annotate(
            marks_in=Count("marks", distinct=True),
            mine=Count("marks", filter=Q(marks__marker=user), distinct=True),
        )
        .filter(marks_in__lt=2, mine=0)
        .values_list("sitting__round_id")
        .annotate(n=Count("pk", distinct=True))
    )
    return dict(rows)


def _open_disputes(round_ids: list[int]) -> dict[int, int]:
    if not round_ids:
        return {}
    rows = (
        Answer.objects.filter(
            sitting__round_id__in=round_ids, disputed=True, resolved_by__isnull=True
        )
        .values_list("sitting__round_id")
        .annotate(n=Count("pk"))
    )
    return dict(rows)
