"""Writes for the sittings: the round opens (PAPERS → OPEN) and closes (OPEN → MARKING);
a candidate starts an online sitting with the one-time code, saves answers and submits;
the board keys in the answers of a paper sitting and records who was absent.

Local practice (seed 000, Hạ Long 2020): the examination board tests every candidate in
writing before admission. The online sitting keeps each answer as soon as it is given,
so a closed tab or a lost connection loses nothing; the server's clock decides the
deadline.

The candidate's own writes (start, save, submit) carry no user: ``by`` is ``None``.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, QuerySet
from django.utils import timezone

from dangvien.core.actions import action
from dangvien.core.errors import (
    Conflict,
    DeadlinePassed,
    DomainError,
    NotAllowed,
    NotEligible,
    StageNotAllowed,
)
from dangvien.core.text import nfc
from dangvien.exams.models import (
    Answer,
    ExamRound,
    Mark,
    PaperItem,
    Part,
    QuestionType,
    RoundStatus,
    Sitting,
    SittingMode,
    SittingStatus,
)
from dangvien.exams.queries.sittings import (
    can_key,
    can_open_close,
    choices_of,
    digest_of_code,
    grace_seconds,
    normalise_code,
)

# One message for every refused code, so a guesser learns nothing about which codes exist.
CODE_REFUSED = (
    "Mã dự thi không đúng, đã được sử dụng hoặc chưa đến giờ làm bài. "
    "Vui lòng kiểm tra lại mã hoặc hỏi cán bộ coi thi."
)
SHORT_MAX = 500
ESSAY_MAX = 20_000

# Brute-force guard on code entry: failed codes per client address in a window. A whole
# exam room often shares one address, so the limit is generous; codes are long enough
# that it still makes guessing hopeless. Settings may override both.
CODE_FAILURE_LIMIT: int = getattr(settings, "SITTING_CODE_FAILURE_LIMIT", 30)
CODE_FAILURE_WINDOW: int = getattr(settings, "SITTING_CODE_FAILURE_WINDOW_SECONDS", 15 * 60)


class TooManyAttempts(DomainError):
    code = "throttled"


# ---- the round: open and close ---------------------------------------------------------


def _locked_round(exam_round: ExamRound) -> ExamRound:
    return ExamRound.objects.select_for_update().get(pk=exam_round.pk)


@action
def open_round(exam_round: ExamRound, *, by: Any) -> ExamRound:
    """Mở đợt kiểm tra (PAPERS → OPEN): candidates may start their online sittings.

    Every registered candidate must have a paper variant, and each online candidate a
    one-time code (seed 000: the board prepares papers for every candidate before the
    test). Role: the round's committee staff or the board's chair.
    """
    row = _locked_round(exam_round)
    if not can_open_close(by, row):
        raise NotAllowed("Chỉ cán bộ phụ trách hoặc chủ tịch hội đồng được mở đợt kiểm tra.")
    if row.status != RoundStatus.PAPERS:
        raise StageNotAllowed("Chỉ mở được đợt kiểm tra đã tạo đề và chưa mở.")
    registered = Sitting.objects.filter(round=row, status=SittingStatus.REGISTERED)
    if not registered.exists():
        raise NotEligible("Đợt kiểm tra chưa có thí sinh nào.")
    no_paper = registered.filter(paper__isnull=True).count()
    if no_paper:
        raise NotEligible(f"Còn {no_paper} thí sinh chưa được giao mã đề.")
    no_code = registered.filter(mode=SittingMode.ONLINE, code_digest="").count()
    if no_code:
        raise NotEligible(f"Còn {no_code} thí sinh thi trực tuyến chưa được cấp mã dự thi.")
    row.status = exam_round.status = RoundStatus.OPEN
    row.save(update_fields=["status"])
    return row


@action
def close_round(exam_round: ExamRound, *, by: Any, now: datetime | None = None) -> ExamRound:
    """Kết thúc làm bài (OPEN → MARKING): sittings still in progress are submitted as
    timed out; online candidates who never started are absent. Paper sittings not yet
    keyed stay registered: the board keys them (or marks them absent) while marking.
    Role: the round's committee staff or the board's chair.
    """
    now = now or timezone.now()
    row = _locked_round(exam_round)
    if not can_open_close(by, row):
        raise NotAllowed("Chỉ cán bộ phụ trách hoặc chủ tịch hội đồng được kết thúc làm bài.")
    if row.status != RoundStatus.OPEN:
        raise StageNotAllowed("Chỉ kết thúc được đợt kiểm tra đang mở.")
    sittings = Sitting.objects.filter(round=row)
    # Lock what changes: a candidate saving at this moment waits, then finds it closed.
    list(sittings.select_for_update().filter(status=SittingStatus.IN_PROGRESS).values("pk"))
    in_progress = sittings.filter(status=SittingStatus.IN_PROGRESS)
    in_progress.filter(deadline_at__lt=now).update(
        status=SittingStatus.SUBMITTED, submitted_at=F("deadline_at"), timed_out=True
    )
    in_progress.update(status=SittingStatus.SUBMITTED, submitted_at=now, timed_out=True)
    sittings.filter(status=SittingStatus.REGISTERED, mode=SittingMode.ONLINE).update(
        status=SittingStatus.ABSENT
    )
    row.status = exam_round.status = RoundStatus.MARKING
    row.save(update_fields=["status"])
    return row


# ---- the candidate's online sitting ----------------------------------------------------


def _locked(sitting: Sitting) -> Sitting:
    return Sitting.objects.select_for_update().get(pk=sitting.pk)


def _ensure_answers(sitting: Sitting) -> None:
    """One Answer row per item of the paper (oral ones too: the markers score them)."""
    if sitting.paper_id is None:
        return
    have = set(Answer.objects.filter(sitting=sitting).values_list("item_id", flat=True))
    items = PaperItem.objects.filter(paper_id=sitting.paper_id).exclude(pk__in=have)
    Answer.objects.bulk_create(
        [Answer(sitting=sitting, item=item, response=None) for item in items]
    )


@action
def start_sitting(code: str, *, now: datetime | None = None) -> Sitting:
    """Start (or resume) the online sitting a one-time code admits.

    The round must be open and the sitting online. The deadline is the server's start
    time plus the round's duration. A second start with the same code, while the
    sitting is in progress and before the deadline, resumes it: the code admits one
    sitting, not one page load. Any refusal says the same vague thing, so codes cannot be
    probed.
    """
    now = now or timezone.now()
    found = None
    if normalise_code(code):
        found = (
            Sitting.objects.filter(code_digest=digest_of_code(code))
            .values_list("pk", flat=True)
            .first()
        )
    if found is None:
        raise NotEligible(CODE_REFUSED, field="code")
    row = Sitting.objects.select_for_update().get(pk=found)
    exam_round = ExamRound.objects.get(pk=row.round_id)
    if (
        row.mode != SittingMode.ONLINE
        or exam_round.status != RoundStatus.OPEN
        or row.paper_id is None
    ):
        raise NotEligible(CODE_REFUSED, field="code")
    if row.status == SittingStatus.IN_PROGRESS and row.deadline_at and now < row.deadline_at:
        return row
    if row.status != SittingStatus.REGISTERED:
        raise NotEligible(CODE_REFUSED, field="code")
    row.status = SittingStatus.IN_PROGRESS
    row.started_at = now
    row.deadline_at = now + timedelta(minutes=exam_round.duration_minutes)
    row.save(update_fields=["status", "started_at", "deadline_at"])
    _ensure_answers(row)
    return row


def start_sitting_guarded(code: str, *, address: str, now: datetime | None = None) -> Sitting:
    """``start_sitting`` behind a counter of failed codes per client address: past
    ``CODE_FAILURE_LIMIT`` failures in ``CODE_FAILURE_WINDOW`` seconds the address is
    refused until the window ends, even with a right code."""
    key = f"dangvien:sitting-code-failures:{address}"
    if int(cache.get(key, 0)) >= CODE_FAILURE_LIMIT:
        minutes = max(1, CODE_FAILURE_WINDOW // 60)
        raise TooManyAttempts(
            f"Đã nhập sai mã quá nhiều lần. Vui lòng chờ {minutes} phút rồi thử lại, "
            "hoặc hỏi cán bộ coi thi.",
            field="code",
        )
    try:
        return start_sitting(code, now=now)
    except NotEligible:
        if not cache.add(key, 1, CODE_FAILURE_WINDOW):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, CODE_FAILURE_WINDOW)
        raise


def clean_response(item: PaperItem, response: Any) -> Any:
    """The response in the shape ``Answer.response`` keeps for the item's type, or a
    refusal: a key among the options (single), a list of distinct keys (multiple),
    ``true``/``false``, or text; empty answers are stored as ``None``."""
    qtype = item.version.question.type
    field = "response"
    if response is None or response == "" or response == []:
        return None
    if qtype == QuestionType.ORAL:
        raise NotEligible(
            "Câu vấn đáp được hỏi trực tiếp, không trả lời trên bài viết.", field=field
        )
    if qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        keys = [choice.key for choice in choices_of(item)]
        if qtype == QuestionType.SINGLE:
            if not isinstance(response, str) or response not in keys:
                raise NotEligible("Chọn một phương án của câu hỏi.", field=field)
            return response
        if (
            not isinstance(response, list)
            or not all(isinstance(v, str) and v in keys for v in response)
            or len(set(response)) != len(response)
        ):
            raise NotEligible("Chọn một hoặc nhiều phương án khác nhau của câu hỏi.", field=field)
        return [key for key in keys if key in response]  # in the variant's order
    if qtype == QuestionType.TRUE_FALSE:
        if not isinstance(response, bool):
            raise NotEligible("Trả lời “Đúng” hoặc “Sai”.", field=field)
        return response
    if not isinstance(response, str):
        raise NotEligible("Câu trả lời phải là văn bản.", field=field)
    if qtype == QuestionType.SHORT:
        text = nfc(response)
        if len(text) > SHORT_MAX:
            raise NotEligible(f"Câu trả lời ngắn tối đa {SHORT_MAX} ký tự.", field=field)
    else:  # essay: keep the candidate's line breaks
        text = "\n".join(nfc(line) for line in response.strip().splitlines()).strip()
        if len(text) > ESSAY_MAX:
            raise NotEligible(f"Bài tự luận tối đa {ESSAY_MAX} ký tự.", field=field)
    return text or None


def _written_item(sitting: Sitting, item: PaperItem) -> PaperItem:
    if item.paper_id != sitting.paper_id or item.part != Part.WRITTEN:
        raise NotEligible("Câu hỏi không thuộc bài làm này.", field="item")
    return item


@action
def save_answer(
    sitting: Sitting, *, item: PaperItem, response: Any, now: datetime | None = None
) -> Answer:
    """Save one answer of an online sitting, at once (autosave).

    Refused once the sitting is submitted, and after the deadline plus the grace of
    ``exam.autosave_grace_seconds`` (an answer given just before time-out may still be
    on its way). The sitting row is locked, so two tabs saving at once queue.
    """
    now = now or timezone.now()
    row = _locked(sitting)
    if row.status in (SittingStatus.SUBMITTED, SittingStatus.MARKED):
        raise Conflict("Bài làm đã được nộp; không thể sửa câu trả lời.")
    if row.status != SittingStatus.IN_PROGRESS or row.deadline_at is None:
        raise StageNotAllowed("Bài làm chưa bắt đầu hoặc đã kết thúc.")
    exam_round = ExamRound.objects.select_related("organisation").get(pk=row.round_id)
    if now > row.deadline_at + timedelta(seconds=grace_seconds(exam_round, on=now)):
        raise DeadlinePassed("Đã hết giờ làm bài; câu trả lời này không được lưu.")
    _written_item(row, item)
    value = clean_response(item, response)
    answer, _created = Answer.objects.get_or_create(sitting=row, item=item)
    answer.response = value
    answer.saved_at = now
    answer.save(update_fields=["response", "saved_at"])
    return answer


def _submit(row: Sitting, now: datetime, grace: int, *, timed_out: bool) -> None:
    assert row.deadline_at is not None
    late = now > row.deadline_at + timedelta(seconds=grace)
    row.status = SittingStatus.SUBMITTED
    # Past the grace nothing more could be saved: the paper ended at the deadline.
    row.submitted_at = row.deadline_at if late else now
    row.timed_out = timed_out or now > row.deadline_at
    row.save(update_fields=["status", "submitted_at", "timed_out"])


@action
def submit_sitting(
    sitting: Sitting, *, now: datetime | None = None, timed_out: bool = False
) -> Sitting:
    """Nộp bài. A second submit (double click, two tabs) answers the submitted sitting;
    a submit after the deadline records the sitting as timed out."""
    now = now or timezone.now()
    row = _locked(sitting)
    if row.status in (SittingStatus.SUBMITTED, SittingStatus.MARKED):
        return row
    if row.status != SittingStatus.IN_PROGRESS:
        raise StageNotAllowed("Bài làm chưa bắt đầu nên chưa thể nộp.")
    exam_round = ExamRound.objects.select_related("organisation").get(pk=row.round_id)
    _submit(row, now, grace_seconds(exam_round, on=now), timed_out=timed_out)
    return row


def finish_overdue(
    target: ExamRound | Sitting | QuerySet[Sitting] | Iterable[Sitting],
    now: datetime | None = None,
    *,
    by: Any = None,
) -> int:
    """Submit, as timed out, the sittings in progress whose deadline plus the grace has
    passed (the candidate closed the tab, or lost the connection for good). Called by
    every page and endpoint that reads a sitting, so no scheduler is needed; in the usual
    case it is one read and no transaction. Answers how many were submitted."""
    now = now or timezone.now()
    if isinstance(target, ExamRound):
        rows = Sitting.objects.filter(round=target)
    elif isinstance(target, Sitting):
        rows = Sitting.objects.filter(pk=target.pk)
    elif isinstance(target, QuerySet):
        rows = target
    else:
        rows = Sitting.objects.filter(pk__in=[s.pk for s in target])
    due = list(
        rows.filter(status=SittingStatus.IN_PROGRESS, deadline_at__lt=now).values_list(
            "pk", flat=True
        )
    )
    if not due:
        return 0
    finished = _finish(due, now, by=by)
    if isinstance(target, Sitting) and finished:
        target.refresh_from_db()
    return finished


@action
def _finish(pks: list[int], now: datetime, *, by: Any = None) -> int:
    finished = 0
    graces: dict[int, int] = {}
    for row in Sitting.objects.select_for_update().filter(pk__in=pks):
        if row.status != SittingStatus.IN_PROGRESS or row.deadline_at is None:
            continue  # submitted meanwhile
        if row.round_id not in graces:
            exam_round = ExamRound.objects.select_related("organisation").get(pk=row.round_id)
            graces[row.round_id] = grace_seconds(exam_round, on=now)
        if now > row.deadline_at + timedelta(seconds=graces[row.round_id]):
            _submit(row, now, graces[row.round_id], timed_out=True)
            finished += 1
    return finished


# ---- the board: paper sittings and absence ---------------------------------------------


def _response_for_form(item: PaperItem, value: Any) -> Any:
    """A true/false answer keyed as text ("true"/"false", "đúng"/"sai") becomes a bool."""
    if item.version.question.type == QuestionType.TRUE_FALSE and isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "đúng", "dung", "1"):
            return True
        if lowered in ("false", "sai", "0"):
            return False
    return value


@action
def key_paper_answers(
    sitting: Sitting,
    *,
    responses: Mapping[int, Any],
    by: Any,
    now: datetime | None = None,
) -> Sitting:
    """Nhập bài làm trên giấy: the board keys in the candidate's answers, item by item,
    while the round is open or being marked; the sitting is then submitted. Items not
    given keep what was keyed before. Corrections are allowed until marking starts on
    the sitting. Role: a board member or the round's committee staff.
    """
    now = now or timezone.now()
    row = _locked(sitting)
    exam_round = ExamRound.objects.select_related("organisation").get(pk=row.round_id)
    if not can_key(by, exam_round):
        raise NotAllowed(
            "Chỉ thành viên hội đồng hoặc cán bộ phụ trách đợt kiểm tra được nhập bài làm."
        )
    if row.mode != SittingMode.PAPER:
        raise StageNotAllowed("Đây là bài thi trực tuyến: thí sinh tự làm bài trên máy.")
    if exam_round.status not in (RoundStatus.OPEN, RoundStatus.MARKING):
        raise StageNotAllowed("Chỉ nhập bài làm khi đợt kiểm tra đang làm bài hoặc đang chấm.")
    if row.status == SittingStatus.ABSENT:
        raise StageNotAllowed("Thí sinh đã được ghi vắng mặt.")
    if row.status not in (SittingStatus.REGISTERED, SittingStatus.SUBMITTED):
        raise StageNotAllowed("Bài làm đã được chấm; không thể sửa phần trả lời.")
    if row.paper_id is None:
        raise NotEligible("Thí sinh chưa được giao mã đề.")
    answers = Answer.objects.filter(sitting=row)
    if (
        answers.filter(points__isnull=False).exists()
        or Mark.objects.filter(answer__sitting=row).exists()
    ):
        raise Conflict("Bài làm đã bắt đầu được chấm; không thể sửa phần trả lời.")
    items = {
        item.pk: item
        for item in PaperItem.objects.filter(paper_id=row.paper_id).select_related(
            "version__question"
        )
    }
    cleaned: dict[int, Any] = {}
    for item_id, value in responses.items():
        item = items.get(int(item_id))
        if item is None or item.part != Part.WRITTEN:
            raise NotEligible("Câu hỏi không thuộc bài làm này.", field=f"responses.{item_id}")
        try:
            cleaned[item.pk] = clean_response(item, _response_for_form(item, value))
        except NotEligible as error:
            raise NotEligible(
                f"Câu {item.position}: {error}", field=f"responses.{item_id}"
            ) from None
    _ensure_answers(row)
    for answer in Answer.objects.filter(sitting=row, item_id__in=cleaned):
        answer.response = cleaned[answer.item_id]
        answer.saved_at = now
        answer.save(update_fields=["response", "saved_at"])
    row.status = SittingStatus.SUBMITTED
    row.submitted_at = row.submitted_at or now
    row.save(update_fields=["status", "submitted_at"])
    return row


@action
def mark_absent(sitting: Sitting, *, by: Any) -> Sitting:
    """Ghi vắng mặt: a candidate who did not sit, once the round is open. Only a sitting
    not started can be marked. Role: a board member or the round's committee staff."""
    row = _locked(sitting)
    exam_round = ExamRound.objects.select_related("organisation").get(pk=row.round_id)
    if not can_key(by, exam_round):
        raise NotAllowed(
            "Chỉ thành viên hội đồng hoặc cán bộ phụ trách đợt kiểm tra được ghi vắng mặt."
        )
    if exam_round.status not in (RoundStatus.OPEN, RoundStatus.MARKING):
        raise StageNotAllowed("Chỉ ghi vắng mặt khi đợt kiểm tra đã mở.")
    if row.status != SittingStatus.REGISTERED:
        raise StageNotAllowed("Chỉ ghi vắng mặt cho thí sinh chưa làm bài.")
    row.status = SittingStatus.ABSENT
    row.save(update_fields=["status"])
    return row
