"""Staff pages of a round's sittings (``/kiem-tra/dot/<pk>/lam-bai/…``): the live monitor
with the open and close buttons, the grid where the board keys in a paper sitting's
answers, and absence.

A round outside the user's reach (scope or board) is 404; a sitting is fetched through
``visible_sittings``. Seeing is not acting: opening and closing need the round's staff
or the chair, keying and absence a board member or the staff (403 otherwise).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.views.decorators.http import require_POST

from dangvien.core.errors import DomainError
from dangvien.core.http import AuthedRequest
from dangvien.exams.actions import sittings as actions
from dangvien.exams.models import (
    ExamRound,
    QuestionType,
    RoundStatus,
    Sitting,
    SittingMode,
    SittingStatus,
)
from dangvien.exams.queries import sittings as queries
from dangvien.exams.queries.access import reachable_rounds, visible_sittings

KEYABLE_ROUND = (RoundStatus.OPEN, RoundStatus.MARKING)


def _round(request: AuthedRequest, pk: int) -> ExamRound:
    return get_object_or_404(reachable_rounds(request.user).select_related("organisation"), pk=pk)


def _sitting(request: AuthedRequest, exam_round: ExamRound, sitting_pk: int) -> Sitting:
    rows = visible_sittings(request.user).filter(round=exam_round).select_related("person", "paper")
    return get_object_or_404(rows, pk=sitting_pk)


def _url(name: str, exam_round: ExamRound) -> str:
    """Another area's page of the round, when it exists."""
    try:
        return reverse(name, args=[exam_round.pk])
    except NoReverseMatch:
        return ""


def _monitor_context(
    request: AuthedRequest, exam_round: ExamRound, error: str = ""
) -> dict[str, Any]:
    return {
        "nav": "exams",
        "round": exam_round,
        "round_url": _url("exams:round", exam_round),
        "mark_url": _url("exams:mark", exam_round),
        "monitor": queries.monitor(exam_round),
        "can_open_close": queries.can_open_close(request.user, exam_round),
        "can_key": queries.can_key(request.user, exam_round),
        "keyable": exam_round.status in KEYABLE_ROUND,
        "statuses": SittingStatus,
        "error": error,
    }


def _render_monitor(
    request: AuthedRequest, exam_round: ExamRound, *, error: str = "", status: int = 200
) -> HttpResponse:
    template = "exams/sit_monitor.html#monitor" if request.htmx else "exams/sit_monitor.html"
    return render(request, template, _monitor_context(request, exam_round, error), status=status)


@login_required
def monitor(request: AuthedRequest, pk: int) -> HttpResponse:
    """Theo dõi làm bài: who has started, time left, answered, submitted (htmx polling)."""
    exam_round = _round(request, pk)
    actions.finish_overdue(exam_round)
    return _render_monitor(request, exam_round)


@login_required
@require_POST
def open_round(request: AuthedRequest, pk: int) -> HttpResponse:
    exam_round = _round(request, pk)
    if not queries.can_open_close(request.user, exam_round):
        raise PermissionDenied
    try:
        actions.open_round(exam_round, by=request.user)
    except DomainError as error:
        return _render_monitor(request, exam_round, error=str(error), status=409)
    messages.success(request, "Đã mở đợt kiểm tra: thí sinh có thể vào làm bài bằng mã dự thi.")
    return redirect("exams:sit-monitor", exam_round.pk)


@login_required
@require_POST
def close_round(request: AuthedRequest, pk: int) -> HttpResponse:
    exam_round = _round(request, pk)
    if not queries.can_open_close(request.user, exam_round):
        raise PermissionDenied
    try:
        actions.close_round(exam_round, by=request.user)
    except DomainError as error:
        return _render_monitor(request, exam_round, error=str(error), status=409)
    messages.success(
        request,
        "Đã kết thúc làm bài: bài đang làm được nộp, thí sinh trực tuyến chưa vào làm bài "
        "được ghi vắng mặt.",
    )
    return redirect("exams:sit-monitor", exam_round.pk)


@login_required
@require_POST
def absent(request: AuthedRequest, pk: int, sitting_pk: int) -> HttpResponse:
    exam_round = _round(request, pk)
    sitting = _sitting(request, exam_round, sitting_pk)
    if not queries.can_key(request.user, exam_round):
        raise PermissionDenied
    try:
        actions.mark_absent(sitting, by=request.user)
    except DomainError as error:
        return _render_monitor(request, exam_round, error=str(error), status=409)
    messages.success(request, f"Đã ghi vắng mặt: {sitting.person.full_name}.")
    return redirect("exams:sit-monitor", exam_round.pk)


def _posted_responses(request: AuthedRequest, rows: list[queries.ItemRow]) -> dict[int, Any]:
    """The grid's answers, one per written item; a blank one clears what was keyed."""
    responses: dict[int, Any] = {}
    for row in rows:
        name = f"item-{row.id}"
        if row.type == QuestionType.MULTIPLE:
            responses[row.id] = request.POST.getlist(name)
        elif row.type == QuestionType.TRUE_FALSE:
            value = request.POST.get(name, "")
            responses[row.id] = {"true": True, "false": False}.get(value)
        else:
            responses[row.id] = request.POST.get(name, "")
    return responses


@login_required
def key_answers(request: AuthedRequest, pk: int, sitting_pk: int) -> HttpResponse:
    """Nhập bài làm trên giấy: one row per written item, the options as this variant
    prints them."""
    exam_round = _round(request, pk)
    sitting = _sitting(request, exam_round, sitting_pk)
    if not queries.can_key(request.user, exam_round):
        raise PermissionDenied
    rows = queries.sitting_items(sitting, part="written")
    error, status = "", 200
    if request.method == "POST":
        responses = _posted_responses(request, rows)
        try:
            actions.key_paper_answers(sitting, responses=responses, by=request.user)
        except DomainError as exc:
            error, status = str(exc), 409
            for row in rows:  # show what was posted, not what is stored
                row.response = responses[row.id]
        else:
            messages.success(request, f"Đã lưu bài làm của {sitting.person.full_name}.")
            return redirect("exams:sit-monitor", exam_round.pk)
    context = {
        "nav": "exams",
        "round": exam_round,
        "round_url": _url("exams:round", exam_round),
        "sitting": sitting,
        "rows": rows,
        "error": error,
        "keyable": (
            sitting.mode == SittingMode.PAPER
            and exam_round.status in KEYABLE_ROUND
            and sitting.status in (SittingStatus.REGISTERED, SittingStatus.SUBMITTED)
        ),
    }
    return render(request, "exams/sit_key.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("dot/<int:pk>/lam-bai/", monitor, name="sit-monitor"),
    path("dot/<int:pk>/lam-bai/mo/", open_round, name="sit-open"),
    path("dot/<int:pk>/lam-bai/ket-thuc/", close_round, name="sit-close"),
    path("dot/<int:pk>/lam-bai/<int:sitting_pk>/nhap/", key_answers, name="sit-key"),
    path("dot/<int:pk>/lam-bai/<int:sitting_pk>/vang-mat/", absent, name="sit-absent"),
]
