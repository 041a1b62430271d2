"""The candidate's online sitting (no staff login): code, timer, autosave, submit.

The candidate is known by the sitting id kept in the session after a right one-time
code; every page below reads that one sitting, so nobody reaches another candidate's
paper. Answers are saved one by one as they are given (``sitting.js``), kept in the
browser's storage until the server has them, and sent again when the connection
returns.
"""

import json
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from dangvien.core.errors import DomainError, NotEligible
from dangvien.exams.actions import sittings as actions
from dangvien.exams.models import PaperItem, Part, Sitting, SittingMode, SittingStatus
from dangvien.exams.queries import sittings as queries

SESSION_KEY = "exam_sitting_id"
# A piece of the code's digest: a re-issued code (the old one lost or seen) ends the
# session the old code opened.
SESSION_CODE = "exam_sitting_code"
DONE = (SittingStatus.SUBMITTED, SittingStatus.MARKED)


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Mã dự thi",
        max_length=40,
        error_messages={"required": "Vui lòng nhập mã dự thi."},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "autofocus": True,
                "placeholder": "VD: ABCD-2345",
            }
        ),
    )


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _current(request: HttpRequest) -> Sitting | None:
    """The session's sitting, brought up to date (a sitting past its time is submitted)."""
    pk, code = request.session.get(SESSION_KEY), request.session.get(SESSION_CODE)
    if not isinstance(pk, int) or not isinstance(code, str) or not code:
        return None
    sitting = (
        Sitting.objects.select_related("round", "person", "paper")
        .filter(pk=pk, mode=SittingMode.ONLINE, code_digest__startswith=code)
        .first()
    )
    if sitting is not None:
        actions.finish_overdue(sitting)
    return sitting


@never_cache
def enter(request: HttpRequest) -> HttpResponse:
    """Enter the one-time code; a right code opens (or reopens) the paper."""
    current = _current(request)
    if request.method != "POST" and current and current.status == SittingStatus.IN_PROGRESS:
        return redirect("sitting:paper")
    form = CodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_valid():
        try:
            sitting = actions.start_sitting_guarded(
                form.cleaned_data["code"], address=client_address(request)
            )
        except actions.TooManyAttempts as error:
            form.add_error("code", str(error))
            status = 429
        except DomainError as error:
            form.add_error("code", str(error))
            status = 409
        else:
            request.session.cycle_key()  # a new session id once the code is known
            request.session[SESSION_KEY] = sitting.pk
            request.session[SESSION_CODE] = sitting.code_digest[:16]
            return redirect("sitting:paper")
    elif request.method == "POST":
        status = 400
    return render(request, "exams/sit_enter.html", {"form": form}, status=status)


@never_cache
def paper(request: HttpRequest) -> HttpResponse:
    """The paper: every written item on one page, the countdown from the server's
    deadline, and the answers saved so far."""
    sitting = _current(request)
    if sitting is None:
        return redirect("sitting:enter")
    if sitting.status in DONE:
        return redirect("sitting:done")
    if sitting.status != SittingStatus.IN_PROGRESS:
        request.session.pop(SESSION_KEY, None)
        return redirect("sitting:enter")
    items = queries.candidate_items(sitting)
    context = {
        "sitting": sitting,
        "exam_round": sitting.round,
        "items": items,
        "answered": sum(1 for row in items if row.answered),
        # The page's script sets the inputs from these, not from what the browser refills.
        "saved": {str(row.id): row.response for row in items},
        "seconds_left": queries.seconds_left(sitting),
        "deadline": timezone.localtime(sitting.deadline_at) if sitting.deadline_at else None,
    }
    return render(request, "exams/sit_paper.html", context)


def _refused(message: str, status: int, *, closed: bool = False) -> JsonResponse:
    return JsonResponse(
        {"ok": False, "message": message, "closed": closed},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


@require_POST
def save(request: HttpRequest, item_id: int) -> JsonResponse:
    """Save one answer (JSON ``{"response": …}``); answers the time it was saved."""
    sitting = _current(request)
    if sitting is None:
        return _refused("Phiên làm bài đã kết thúc. Vui lòng nhập lại mã dự thi.", 403, closed=True)
    item = get_object_or_404(
        PaperItem.objects.select_related("version__question"),
        pk=item_id,
        paper_id=sitting.paper_id,
        part=Part.WRITTEN,
    )
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return _refused("Nội dung gửi lên không hợp lệ.", 400)
    if not isinstance(body, dict) or "response" not in body:
        return _refused("Thiếu câu trả lời.", 400)
    try:
        answer = actions.save_answer(sitting, item=item, response=body["response"])
    except NotEligible as error:
        return _refused(str(error), 400)
    except DomainError as error:
        return _refused(str(error), 409, closed=True)
    return JsonResponse(
        {
            "ok": True,
            "item": item.pk,
            "saved_at": timezone.localtime(answer.saved_at).strftime("%H:%M:%S"),
        }
    )


@require_POST
def submit(request: HttpRequest) -> HttpResponse:
    """Nộp bài (by the candidate after confirming, or by the page at time-out)."""
    sitting = _current(request)
    if sitting is None:
        return redirect("sitting:enter")
    try:
        actions.submit_sitting(sitting, timed_out=request.POST.get("auto") == "1")
    except DomainError:
        return redirect("sitting:enter")
    return redirect("sitting:done")


@never_cache
def done(request: HttpRequest) -> HttpResponse:
    """Thank-you page: the time of submission, never a score."""
    sitting = _current(request)
    if sitting is None:
        return redirect("sitting:enter")
    if sitting.status not in DONE:
        return redirect("sitting:paper")
    context: dict[str, Any] = {
        "sitting": sitting,
        "exam_round": sitting.round,
        "submitted_at": timezone.localtime(sitting.submitted_at) if sitting.submitted_at else None,
    }
    return render(request, "exams/sit_done.html", context)


urlpatterns: list[URLPattern] = [
    path("", enter, name="enter"),
    path("bai-lam/", paper, name="paper"),
    path("bai-lam/cau/<int:item_id>/", save, name="save"),
    path("bai-lam/nop/", submit, name="submit"),
    path("da-nop/", done, name="done"),
]
