"""Sittings over JSON (API.md "Training and exams": ``/sittings``).

Staff (bearer token or session): the list and one sitting with its answers (answer keys
never), opening and closing a round, keying in a paper sitting, absence. The candidate
(no account): ``POST /sittings/start`` with the one-time code answers the paper and a
sitting token; the token goes in the ``X-Sitting-Token`` header of the candidate's other
calls, which reach that one sitting only.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core import signing
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.security import APIKeyHeader

from dangvien.api.auth import user_of
from dangvien.api.errors import ApiError, responses
from dangvien.core.errors import NotEligible
from dangvien.exams.actions import sittings as actions
from dangvien.exams.models import (
    ExamRound,
    PaperItem,
    Part,
    RoundStatus,
    Sitting,
    SittingMode,
    SittingStatus,
)
from dangvien.exams.queries import sittings as queries
from dangvien.exams.queries.access import (
    can_run_round,
    is_board_member,
    reachable_rounds,
    visible_sittings,
)
from dangvien.organisations.queries import path_within

router = Router(tags=["Kiểm tra nhận thức"])

TOKEN_SALT = "dangvien.exams.sitting-token"
TOKEN_MAX_AGE = 24 * 3600  # the sitting's own status and deadline end it much sooner


def sitting_token(sitting: Sitting) -> str:
    """The candidate's key to their one sitting: its id and a piece of its code's digest,
    signed with the site's secret. Re-issuing the code (``issue_codes``) changes the
    digest, so a token won with the old code stops working too."""
    return signing.dumps([sitting.pk, sitting.code_digest[:16]], salt=TOKEN_SALT)


class SittingToken(APIKeyHeader):
    """``X-Sitting-Token``: answered by ``POST /sittings/start``."""

    param_name = "X-Sitting-Token"

    def authenticate(self, request: HttpRequest, key: str | None) -> Sitting | None:
        if not key:
            return None
        try:
            pk, code = signing.loads(key, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
        except (signing.BadSignature, TypeError, ValueError):
            return None
        sitting = (
            Sitting.objects.select_related("round", "person", "paper")
            .filter(pk=pk, mode=SittingMode.ONLINE, code_digest__startswith=code)
            .exclude(code_digest="")
            .first()
        )
        if sitting is not None:
            actions.finish_overdue(sitting)  # a sitting past its time is submitted first
        return sitting


def _address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _sitting_of(request: HttpRequest) -> Sitting:
    return request.auth  # type: ignore[attr-defined]


# ---- schemas -----------------------------------------------------------------------------


class SittingChoiceOut(Schema):
    letter: str = Field(description="Chữ cái in trên mã đề này: A, B, C …")
    key: str = Field(description="Khóa phương án (giá trị gửi lên trong ``response``)")
    text: str


class SittingItemOut(Schema):
    id: int = Field(description="Mã câu trên đề (item_id)")
    number: int = Field(description="Số thứ tự câu trong phần")
    part: str = Field(description="written | oral")
    type: str = Field(description="single | multiple | true_false | short | essay | oral")
    type_label: str
    text: str
    points: Decimal = Field(description="Điểm tối đa của câu")
    choices: list[SittingChoiceOut]
    response: Any = Field(
        None,
        description='Trả lời: "B" (một lựa chọn), ["A", "C"] (nhiều lựa chọn), true/false, '
        "hoặc văn bản; null khi chưa trả lời",
    )
    saved_at: datetime | None


class AnswerOut(SittingItemOut):
    earned: Decimal | None = Field(None, description="Điểm đạt được, khi đã chấm")


class OwnSittingOut(Schema):
    id: int
    round_id: int
    person_id: int | None = Field(
        description="Trống với thành viên hội đồng ngoài phạm vi trước khi ký duyệt (chấm phách)"
    )
    full_name: str | None = Field(
        description="Trống với thành viên hội đồng ngoài phạm vi trước khi ký duyệt (chấm phách)"
    )
    candidate_id: int | None
    attempt: int
    mode: str = Field(description="online | paper")
    status: str = Field(description="registered | in_progress | submitted | marked | absent")
    status_label: str
    paper_code: str | None = Field(description="Mã đề")
    started_at: datetime | None
    deadline_at: datetime | None
    submitted_at: datetime | None
    timed_out: bool
    answered: int = Field(description="Số câu phần viết đã trả lời")
    items: int = Field(description="Số câu phần viết trên đề")
    written_score: Decimal | None
    oral_score: Decimal | None
    final_score: Decimal | None
    passed: bool | None


class SittingDetailOut(OwnSittingOut):
    answers: list[AnswerOut]


class OwnSittingPage(Schema):
    count: int
    items: list[OwnSittingOut]


class SittingFilters(Schema):
    round: int | None = Field(None, description="Mã đợt kiểm tra")
    status: SittingStatus | None = None
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


class RoundStateOut(Schema):
    id: int
    name: str
    status: str = Field(description="draft | papers | open | marking | signed")
    status_label: str
    sittings: dict[str, int] = Field(description="Số bài theo tình trạng")


class KeyedResponse(Schema):
    item_id: int
    response: Any = None


class KeyIn(Schema):
    responses: list[KeyedResponse] = Field(
        description="Trả lời của thí sinh theo từng câu phần viết; câu không gửi giữ nguyên"
    )


class CodeIn(Schema):
    code: str = Field(max_length=40, description="Mã dự thi, ví dụ K7QM-2XPA")


class CandidateSittingOut(Schema):
    id: int
    round_name: str
    full_name: str
    paper_code: str | None
    status: str
    started_at: datetime | None
    deadline_at: datetime | None
    seconds_left: int = Field(description="Số giây còn lại theo đồng hồ máy chủ")
    items: list[SittingItemOut] = Field(
        description="Các câu phần viết, phương án theo thứ tự của mã đề"
    )


class StartOut(Schema):
    token: str = Field(description="Gửi trong tiêu đề X-Sitting-Token ở các lệnh sau")
    sitting: CandidateSittingOut


class ResponseIn(Schema):
    response: Any = Field(description="null để xóa câu trả lời")


class SavedOut(Schema):
    item_id: int
    saved_at: datetime


class SubmittedOut(Schema):
    id: int
    status: str
    submitted_at: datetime | None
    timed_out: bool


# ---- answers -------------------------------------------------------------------------------


def _item(row: queries.ItemRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "number": row.number,
        "part": row.part,
        "type": row.type,
        "type_label": row.type_label,
        "text": row.text,
        "points": row.points,
        "choices": [{"letter": c.letter, "key": c.key, "text": c.text} for c in row.choices],
        "response": row.response,
        "saved_at": timezone.localtime(row.saved_at) if row.saved_at else None,
        "earned": row.earned,
    }


def _local(moment: datetime | None) -> datetime | None:
    return timezone.localtime(moment) if moment else None


class _Policy:
    """What a user may read of a sitting before the chair signs the results off.

    Scores are official only once signed: before that only the round's committee staff and
    its board see them. A board member who sees the sitting only as a marker (the person is
    outside their own subtree) gets no name until sign-off, so essays stay blind (số phách).
    """

    def __init__(self, user: Any) -> None:
        self.user = user
        self._rounds: dict[int, tuple[bool, bool]] = {}

    def _round(self, sitting: Sitting) -> tuple[bool, bool]:
        if sitting.round_id not in self._rounds:
            exam_round = sitting.round
            signed = exam_round.status == RoundStatus.SIGNED
            runs = can_run_round(self.user, exam_round)
            board = is_board_member(self.user, exam_round)
            self._rounds[sitting.round_id] = (signed or runs or board, signed or runs)
        return self._rounds[sitting.round_id]

    def scores(self, sitting: Sitting) -> bool:
        return self._round(sitting)[0]

    def name(self, sitting: Sitting) -> bool:
        return self._round(sitting)[1] or path_within(sitting.org_path, self.user)


def _sitting(sitting: Sitting, policy: _Policy) -> dict[str, Any]:
    scores, named = policy.scores(sitting), policy.name(sitting)
    return {
        "id": sitting.pk,
        "round_id": sitting.round_id,
        "person_id": sitting.person_id if named else None,
        "full_name": sitting.person.full_name if named else None,
        "candidate_id": sitting.candidate_id if named else None,
        "attempt": sitting.attempt,
        "mode": sitting.mode,
        "status": sitting.status,
        "status_label": str(SittingStatus(sitting.status).label),
        "paper_code": sitting.paper.code if sitting.paper else None,
        "started_at": _local(sitting.started_at),
        "deadline_at": _local(sitting.deadline_at),
        "submitted_at": _local(sitting.submitted_at),
        "timed_out": sitting.timed_out,
        "answered": getattr(sitting, "answered", 0),
        "items": getattr(sitting, "items", 0),
        "written_score": sitting.written_score if scores else None,
        "oral_score": sitting.oral_score if scores else None,
        "final_score": sitting.final_score if scores else None,
        "passed": sitting.passed if scores else None,
    }


def _rows(request: HttpRequest) -> Any:
    return queries.with_progress(
        visible_sittings(user_of(request)).select_related("person", "paper", "round")
    )


def _detail(request: HttpRequest, sitting_id: int) -> dict[str, Any]:
    sitting = get_object_or_404(_rows(request), pk=sitting_id)
    policy = _Policy(user_of(request))
    answers = [_item(r) for r in queries.sitting_items(sitting)]
    if not policy.scores(sitting):
        for answer in answers:
            answer["earned"] = None
    return {**_sitting(sitting, policy), "answers": answers}


def _fetch(request: HttpRequest, sitting_id: int) -> Sitting:
    """A sitting the user sees, brought up to date (past its time: submitted)."""
    sitting = get_object_or_404(visible_sittings(user_of(request)), pk=sitting_id)
    actions.finish_overdue(sitting)
    return sitting


def _round_state(exam_round: ExamRound) -> dict[str, Any]:
    counts = {status: 0 for status in SittingStatus.values}
    for status in Sitting.objects.filter(round=exam_round).values_list("status", flat=True):
        counts[status] += 1
    return {
        "id": exam_round.pk,
        "name": exam_round.name,
        "status": exam_round.status,
        "status_label": str(RoundStatus(exam_round.status).label),
        "sittings": counts,
    }


def _candidate_sitting(sitting: Sitting) -> dict[str, Any]:
    return {
        "id": sitting.pk,
        "round_name": sitting.round.name,
        "full_name": sitting.person.full_name,
        "paper_code": sitting.paper.code if sitting.paper else None,
        "status": sitting.status,
        "started_at": _local(sitting.started_at),
        "deadline_at": _local(sitting.deadline_at),
        "seconds_left": queries.seconds_left(sitting),
        "items": [_item(r) for r in queries.candidate_items(sitting)],
    }


# ---- staff -------------------------------------------------------------------------------


@router.get(
    "/sittings", response={200: OwnSittingPage, **responses(400, 401, 404)}, url_name="sittings"
)
def list_sittings(request: HttpRequest, filters: Query[SittingFilters]) -> dict[str, Any]:
    """Bài kiểm tra the user sees (people in their subtree, rounds they sit on the board
    of), with each one's progress: written items answered, time, scores once marked.
    Sittings past their deadline are submitted as timed out before they are listed."""
    if filters.round is not None:
        get_object_or_404(reachable_rounds(user_of(request)), pk=filters.round)
    chosen = queries.filter_sittings(
        visible_sittings(user_of(request)), round_id=filters.round, status=filters.status or ""
    )
    actions.finish_overdue(chosen)
    rows = queries.with_progress(chosen.select_related("person", "paper", "round")).order_by(
        "round_id", "person__sort_key", "pk"
    )
    page = rows[filters.offset : filters.offset + filters.limit]
    policy = _Policy(user_of(request))
    return {"count": rows.count(), "items": [_sitting(s, policy) for s in page]}


@router.get(
    "/sittings/{int:sitting_id}",
    response={200: SittingDetailOut, **responses(401, 404)},
    url_name="sitting",
)
def get_sitting(request: HttpRequest, sitting_id: int) -> dict[str, Any]:
    """One sitting with every item of its paper (written and oral), the options in the
    variant's order and the candidate's responses. Answer keys and rubrics are never
    part of this answer."""
    _fetch(request, sitting_id)
    return _detail(request, sitting_id)


@router.post(
    "/exam-rounds/{int:round_id}/open",
    response={200: RoundStateOut, **responses(401, 403, 404, 409)},
    url_name="exam-round-open",
)
def open_round(request: HttpRequest, round_id: int) -> dict[str, Any]:
    """Mở đợt kiểm tra (papers → open): every registered candidate must have a paper
    variant and every online one a one-time code. Role: the round's committee staff or
    the board's chair (403 otherwise)."""
    exam_round = get_object_or_404(reachable_rounds(user_of(request)), pk=round_id)
    row = actions.open_round(exam_round, by=user_of(request))
    return _round_state(row)


@router.post(
    "/exam-rounds/{int:round_id}/close",
    response={200: RoundStateOut, **responses(401, 403, 404, 409)},
    url_name="exam-round-close",
)
def close_round(request: HttpRequest, round_id: int) -> dict[str, Any]:
    """Kết thúc làm bài (open → marking): sittings in progress are submitted as timed
    out, online candidates who never started are recorded absent; paper sittings not yet
    keyed stay registered for the board. Role: the round's committee staff or the
    board's chair."""
    exam_round = get_object_or_404(reachable_rounds(user_of(request)), pk=round_id)
    row = actions.close_round(exam_round, by=user_of(request))
    return _round_state(row)


@router.put(
    "/sittings/{int:sitting_id}/responses",
    response={200: SittingDetailOut, **responses(400, 401, 403, 404, 409)},
    url_name="sitting-responses",
)
def key_responses(request: HttpRequest, sitting_id: int, payload: KeyIn) -> dict[str, Any]:
    """Nhập bài làm trên giấy: the board keys in the candidate's answers (option keys as
    in ``choices[].key``; true/false; text). The sitting is then submitted; corrections
    are allowed until marking starts. Role: a board member or the round's staff (403);
    a sitting outside the user's reach is 404."""
    sitting = _fetch(request, sitting_id)
    actions.key_paper_answers(
        sitting,
        responses={r.item_id: r.response for r in payload.responses},
        by=user_of(request),
    )
    return _detail(request, sitting_id)


@router.post(
    "/sittings/{int:sitting_id}/absent",
    response={200: OwnSittingOut, **responses(401, 403, 404, 409)},
    url_name="sitting-absent",
)
def absent(request: HttpRequest, sitting_id: int) -> dict[str, Any]:
    """Ghi vắng mặt: a registered candidate who did not sit, once the round is open.
    Role: a board member or the round's staff."""
    sitting = _fetch(request, sitting_id)
    actions.mark_absent(sitting, by=user_of(request))
    return _sitting(get_object_or_404(_rows(request), pk=sitting_id), _Policy(user_of(request)))


# ---- the candidate -------------------------------------------------------------------------


@router.post(
    "/sittings/start",
    auth=None,
    response={200: StartOut, **responses(400, 409, 429)},
    url_name="sitting-start",
)
def start(request: HttpRequest, payload: CodeIn) -> dict[str, Any]:
    """Bắt đầu (hoặc làm tiếp) bài kiểm tra trực tuyến bằng mã dự thi; no account needed.

    Answers the written items (no keys) and a token for ``X-Sitting-Token``. The deadline
    is the server's start time plus the round's duration; the same code again, before the
    deadline, resumes the same sitting. Any refused code answers the same 409 message;
    too many refused codes from one address answer 429 for a while."""
    try:
        sitting = actions.start_sitting_guarded(payload.code, address=_address(request))
    except actions.TooManyAttempts as error:
        raise ApiError(429, str(error), code="throttled", fields={"code": str(error)}) from None
    sitting = Sitting.objects.select_related("round", "person", "paper").get(pk=sitting.pk)
    return {"token": sitting_token(sitting), "sitting": _candidate_sitting(sitting)}


@router.get(
    "/sittings/current",
    auth=SittingToken(),
    response={200: CandidateSittingOut, **responses(401)},
    url_name="sitting-current",
)
def current(request: HttpRequest) -> dict[str, Any]:
    """The candidate's own sitting again (after a reload), with every answer saved."""
    return _candidate_sitting(_sitting_of(request))


@router.put(
    "/sittings/current/answers/{int:item_id}",
    auth=SittingToken(),
    response={200: SavedOut, **responses(400, 401, 404, 409)},
    url_name="sitting-answer",
)
def save_answer(request: HttpRequest, item_id: int, payload: ResponseIn) -> dict[str, Any]:
    """Lưu một câu trả lời (autosave): ``"B"``, ``["A", "C"]``, ``true``/``false`` or
    text, checked against the item's type and options (400). Refused after submission
    and after the deadline plus a short grace (409). An item not on this candidate's
    paper is 404."""
    sitting = _sitting_of(request)
    item = get_object_or_404(
        PaperItem.objects.select_related("version__question"),
        pk=item_id,
        paper_id=sitting.paper_id,
        part=Part.WRITTEN,
    )
    try:
        answer = actions.save_answer(sitting, item=item, response=payload.response)
    except NotEligible as error:
        field = error.field or "response"
        raise ApiError(400, str(error), code="invalid", fields={field: str(error)}) from None
    return {"item_id": item.pk, "saved_at": timezone.localtime(answer.saved_at)}


@router.post(
    "/sittings/current/submit",
    auth=SittingToken(),
    response={200: SubmittedOut, **responses(401, 409)},
    url_name="sitting-submit",
)
def submit(request: HttpRequest) -> dict[str, Any]:
    """Nộp bài. Submitting twice answers the submitted sitting; after the deadline the
    sitting is recorded as timed out. No score is given here."""
    sitting = actions.submit_sitting(_sitting_of(request))
    return {
        "id": sitting.pk,
        "status": sitting.status,
        "submitted_at": _local(sitting.submitted_at),
        "timed_out": sitting.timed_out,
    }
