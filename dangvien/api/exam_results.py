"""Marking, results and statistics of an exam round over JSON (API.md: ``/exam-rounds/{id}/
results``; issue 5). The same actions and queries as the pages: a round outside the
user's scope and board answers 404, a role that may not act 403, a refused rule 409.
Scores are numbers on the 10-point scale with two decimals."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from dangvien.api.auth import user_of
from dangvien.api.errors import responses
from dangvien.core.errors import NotAllowed
from dangvien.exams.actions import marking as actions
from dangvien.exams.models import Answer, ExamRound, Mark, QuestionType
from dangvien.exams.queries import results as queries
from dangvien.exams.queries import statistics as stats
from dangvien.exams.queries.access import (
    can_run_round,
    is_board_member,
    reachable_rounds,
    visible_sittings,
)

router = Router(tags=["Kiểm tra nhận thức"])

READ_ERRORS = responses(400, 401, 403, 404)
WRITE_ERRORS = responses(400, 401, 403, 404, 409)


def _n(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


# ---- input -----------------------------------------------------------------------------------


class MarkIn(Schema):
    criteria: list[Decimal] = Field(
        description="Điểm của từng tiêu chí, theo thứ tự của thang điểm chấm (0 đến điểm "
        "tối đa của tiêu chí)"
    )
    note: str = Field("", description="Nhận xét của giám khảo (tối đa 500 ký tự)")


class ResolveIn(Schema):
    points: Decimal = Field(description="Điểm chủ tịch hội đồng quyết định, 0 đến điểm của câu")
    note: str = Field("", description="Ghi chú của chủ tịch hội đồng")


class ResultFilters(Schema):
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


# ---- output ----------------------------------------------------------------------------------


class ObjectiveOut(Schema):
    sittings: int = Field(description="Số bài đã nộp được chấm phần trắc nghiệm")
    answers_created: int = Field(description="Câu trả lời còn thiếu được tạo (bỏ trống)")
    answers_changed: int = Field(description="Câu trả lời được ghi điểm mới")


class ComputedOut(Schema):
    marked: int = Field(description="Bài đã chấm xong (đủ điểm mọi câu)")
    waiting: int = Field(description="Bài còn câu chưa có điểm")


class CriterionScoreOut(Schema):
    criterion: str
    points: float


class MarkOut(Schema):
    criteria: list[CriterionScoreOut]
    points: float
    note: str
    at: datetime


class AnswerMarkOut(Schema):
    answer_id: int
    sitting_number: int | None = Field(description="Số phách (null với câu vấn đáp)")
    points: float | None = Field(
        description="Điểm của câu: trung bình hai giám khảo, hoặc "
        "điểm chủ tịch hội đồng quyết định; null khi chưa đủ"
    )
    disputed: bool = Field(description="Hai giám khảo chênh lệch quá ngưỡng của đợt")
    resolved: bool = Field(description="Chủ tịch hội đồng đã quyết định điểm")
    marks_count: int
    my_mark: MarkOut | None


class RubricLineOut(Schema):
    criterion: str
    points: float


class PositionOut(Schema):
    paper: str = Field(description="Mã đề")
    position: int = Field(description="Số thứ tự câu trong mã đề")


class QueueAnswerOut(Schema):
    answer_id: int
    sitting_number: int | None = Field(
        description="Số phách (bài tự luận, không kèm tên); null với câu vấn đáp"
    )
    candidate_name: str | None = Field(description="Chỉ với câu vấn đáp (thí sinh có mặt)")
    response: Any = Field(description="Bài làm (câu tự luận); null với câu vấn đáp")
    marks_count: int
    my_mark: MarkOut | None


class QueueGroupOut(Schema):
    question_id: int
    version_id: int
    version_number: int
    type: str
    part: str
    text: str
    points: float
    rubric: list[RubricLineOut]
    positions: list[PositionOut]
    answers: list[QueueAnswerOut]


class QueuePage(Schema):
    count: int = Field(description="Số câu hỏi còn bài chờ người dùng chấm")
    answers: int = Field(description="Tổng số bài chờ người dùng chấm")
    items: list[QueueGroupOut]


class ResultOut(Schema):
    sitting_id: int
    person_id: int
    candidate_id: int | None
    full_name: str
    sitting_number: int | None = Field(
        description="Số phách: chỉ có sau khi kết quả được ký duyệt (ghép phách)"
    )
    paper: str | None = Field(description="Mã đề")
    attempt: int
    status: str
    written_score: float | None
    oral_score: float | None
    final_score: float | None
    passed: bool | None
    open_disputes: int
    waiting_answers: int = Field(description="Câu trả lời chưa có điểm")
    resit_from: date | None = Field(description="Được kiểm tra lại từ ngày (khi không đạt)")


class ResultsPage(Schema):
    round_id: int
    status: str
    held_on: date
    pass_mark: float
    written_weight: int
    oral_weight: int
    signed_at: datetime | None
    signed_by: str | None
    total: int
    absent: int
    marked: int
    passed: int
    failed: int
    waiting: int
    open_disputes: int
    can_sign: bool
    count: int
    items: list[ResultOut]


class BinOut(Schema):
    lower: int
    upper: int
    count: int


class RoundStatsOut(Schema):
    count: int
    mean: float | None
    median: float | None
    sd: float | None = Field(description="Độ lệch chuẩn (toàn bộ thí sinh của đợt)")
    min: float | None
    max: float | None
    bins: list[BinOut] = Field(description="Mười khoảng điểm 0–1 … 9–10 (khoảng cuối gồm 10)")
    passed: int
    pass_rate: float | None = Field(description="Tỷ lệ đạt, %, một chữ số thập phân")
    pass_mark: float


class ChoiceOut(Schema):
    key: str = Field(description="Ký hiệu gốc của phương án (trước khi đảo)")
    label: str
    count: int
    is_key: bool


class ItemStatsOut(Schema):
    label: str
    question_id: int
    version_id: int
    type: str
    positions: list[PositionOut]
    taken: int
    facility: float | None = Field(description="Độ khó p: điểm trung bình / điểm tối đa")
    discrimination: float | None = Field(
        description="Độ phân biệt D: nhóm 27% cao trừ nhóm 27% thấp (Kelley 1939)"
    )
    choices: list[ChoiceOut]
    blank: int
    review: bool = Field(description="Cần xem lại: p < 0,20 hoặc p > 0,90 hoặc D < 0,20")
    reasons: list[str]


class StatisticsOut(Schema):
    round_id: int
    round: RoundStatsOut
    items: list[ItemStatsOut]


# ---- helpers ---------------------------------------------------------------------------------


def _round(request: HttpRequest, round_id: int) -> ExamRound:
    return get_object_or_404(
        reachable_rounds(user_of(request)).select_related("organisation"), pk=round_id
    )


def _runs(request: HttpRequest, exam_round: ExamRound) -> bool:
    user = user_of(request)
    return is_board_member(user, exam_round) or can_run_round(user, exam_round)


def _answer(request: HttpRequest, answer_id: int) -> Answer:
    rounds = reachable_rounds(user_of(request)).values("pk")
    answer = get_object_or_404(
        Answer.objects.filter(sitting__round__in=rounds).select_related("sitting__round"),
        pk=answer_id,
    )
    if not is_board_member(user_of(request), answer.sitting.round):
        raise NotAllowed("Chỉ thành viên hội đồng kiểm tra của đợt này được chấm bài.")
    return answer


def _mark_out(mark: Mark | None) -> dict[str, Any] | None:
    if mark is None:
        return None
    criteria = mark.criteria if isinstance(mark.criteria, list) else []
    return {
        "criteria": [
            {"criterion": str(c.get("criterion", "")), "points": float(c.get("points", 0))}
            for c in criteria
            if isinstance(c, dict)
        ],
        "points": float(mark.points),
        "note": mark.note,
        "at": mark.at,
    }


def _answer_out(request: HttpRequest, answer: Answer) -> dict[str, Any]:
    user = user_of(request)
    marks = list(Mark.objects.filter(answer=answer))
    own = next((m for m in marks if m.marker_id == user.pk), None)
    oral = answer.item.version.question.type == QuestionType.ORAL
    numbers = {} if oral else queries.blind_numbers(answer.sitting.round)
    return {
        "answer_id": answer.pk,
        "sitting_number": numbers.get(answer.sitting_id),
        "points": _n(answer.points),
        "disputed": answer.disputed,
        "resolved": answer.resolved_by_id is not None,
        "marks_count": len(marks),
        "my_mark": _mark_out(own),
    }


def _positions(places: list[tuple[str, int]]) -> list[dict[str, Any]]:
    return [{"paper": code, "position": position} for code, position in places]


# ---- endpoints -------------------------------------------------------------------------------


@router.post(
    "/exam-rounds/{round_id}/mark-objective",
    response={200: ObjectiveOut, **WRITE_ERRORS},
    url_name="exam-round-mark-objective",
)
def mark_objective(request: HttpRequest, round_id: int) -> dict[str, Any]:
    """Chấm tự động phần trắc nghiệm: every objective answer of the round's handed-in
    sittings against the key (single, multiple and true/false all or nothing; short
    answers ignoring case, diacritics, punctuation and spaces). Safe to repeat. Round in
    status `marking`. Role: board member or the round's committee staff."""
    exam_round = _round(request, round_id)
    if not _runs(request, exam_round):
        raise NotAllowed(
            "Chỉ thành viên hội đồng hoặc cán bộ cấp ủy tổ chức đợt kiểm tra được chấm."
        )
    done = actions.mark_objective(exam_round, by=user_of(request))
    return {
        "sittings": done.sittings,
        "answers_created": done.answers_created,
        "answers_changed": done.answers_changed,
    }


@router.get(
    "/exam-rounds/{round_id}/marking-queue",
    response={200: QueuePage, **READ_ERRORS},
    url_name="exam-round-marking-queue",
)
def marking_queue(request: HttpRequest, round_id: int) -> dict[str, Any]:
    """The essay and oral answers still waiting for the caller's score, grouped by question
    (one question across all candidates and variants), with the rubric. Essay answers carry
    the blind number only. Role: board member."""
    exam_round = _round(request, round_id)
    user = user_of(request)
    if not is_board_member(user, exam_round):
        raise NotAllowed("Chỉ thành viên hội đồng kiểm tra của đợt này được chấm bài.")
    groups = queries.marking_queue(exam_round, user)
    items = []
    for group in groups:
        items.append(
            {
                "question_id": group.version.question_id,
                "version_id": group.version.pk,
                "version_number": group.version.number,
                "type": group.type,
                "part": group.part,
                "text": group.version.text,
                "points": float(group.version.points),
                "rubric": [
                    {"criterion": c, "points": float(p)}
                    for c, p in actions.rubric_lines(group.version)
                ],
                "positions": _positions(group.positions),
                "answers": [
                    {
                        "answer_id": qa.answer.pk,
                        "sitting_number": None if group.is_oral else qa.number,
                        "candidate_name": qa.person_name if group.is_oral else None,
                        "response": None if group.is_oral else qa.answer.response,
                        "marks_count": qa.marks,
                        "my_mark": _mark_out(qa.own),
                    }
                    for qa in group.answers
                ],
            }
        )
    return {
        "count": len(items),
        "answers": sum(len(g.answers) for g in groups),
        "items": items,
    }


@router.post(
    "/answers/{answer_id}/marks",
    response={200: AnswerMarkOut, **WRITE_ERRORS},
    url_name="answer-marks",
)
def score_answer(request: HttpRequest, answer_id: int, payload: MarkIn) -> dict[str, Any]:
    """Chấm một câu tự luận hoặc vấn đáp theo thang điểm: the caller's score, criterion by
    criterion. Scoring again replaces the caller's own mark until sign-off; a third marker
    is refused (409). After the second mark the answer gets the mean of the two marks, or
    is flagged `disputed` when they differ by more than the round's threshold. Role: board
    member."""
    answer = _answer(request, answer_id)
    user = user_of(request)
    row = actions.score_answer(
        answer, marker=user, criteria=payload.criteria, note=payload.note, by=user
    )
    return _answer_out(request, row)


@router.post(
    "/answers/{answer_id}/resolve",
    response={200: AnswerMarkOut, **WRITE_ERRORS},
    url_name="answer-resolve",
)
def resolve_dispute(request: HttpRequest, answer_id: int, payload: ResolveIn) -> dict[str, Any]:
    """Chủ tịch hội đồng quyết định điểm of an answer the two markers disagree on (0 to the
    item's points). Role: the chair."""
    answer = _answer(request, answer_id)
    row = actions.resolve_dispute(
        answer, points=payload.points, note=payload.note, by=user_of(request)
    )
    return _answer_out(request, row)


def _results_page(
    request: HttpRequest, exam_round: ExamRound, limit: int = 500, offset: int = 0
) -> dict[str, Any]:
    within = None if _runs(request, exam_round) else visible_sittings(user_of(request))
    listing = queries.results(exam_round, within=within)
    page = listing.rows[offset : offset + limit]
    return {
        "round_id": exam_round.pk,
        "status": exam_round.status,
        "held_on": exam_round.held_on,
        "pass_mark": float(exam_round.pass_mark),
        "written_weight": exam_round.written_weight,
        "oral_weight": exam_round.oral_weight,
        "signed_at": exam_round.signed_at,
        "signed_by": str(exam_round.signed_by) if exam_round.signed_by_id else None,
        "total": listing.total,
        "absent": listing.absent,
        "marked": listing.marked,
        "passed": listing.passed,
        "failed": listing.failed,
        "waiting": listing.waiting,
        "open_disputes": listing.open_disputes,
        "can_sign": listing.can_sign,
        "count": len(listing.rows),
        "items": [
            {
                "sitting_id": r.sitting.pk,
                "person_id": r.sitting.person_id,
                "candidate_id": r.sitting.candidate_id,
                "full_name": r.person_name,
                "sitting_number": r.number,
                "paper": r.sitting.paper.code if r.sitting.paper else None,
                "attempt": r.sitting.attempt,
                "status": r.sitting.status,
                "written_score": _n(r.sitting.written_score),
                "oral_score": _n(r.sitting.oral_score),
                "final_score": _n(r.sitting.final_score),
                "passed": r.sitting.passed,
                "open_disputes": r.open_disputes,
                "waiting_answers": r.waiting_answers,
                "resit_from": r.resit_from,
            }
            for r in page
        ],
    }


@router.get(
    "/exam-rounds/{round_id}/results",
    response={200: ResultsPage, **responses(400, 401, 404)},
    url_name="exam-round-results",
)
def results(request: HttpRequest, round_id: int, filters: Query[ResultFilters]) -> dict[str, Any]:
    """Kết quả đợt kiểm tra: one line per candidate (sorted by name) with written, oral and
    final score, pass/fail, open disagreements and the re-sit date of a fail, plus the
    totals. Board members and the round's committee staff see every line; others in scope
    see their own people's. Official once `status` is `signed`."""
    exam_round = _round(request, round_id)
    return _results_page(request, exam_round, filters.limit, filters.offset)


@router.post(
    "/exam-rounds/{round_id}/results/compute",
    response={200: ComputedOut, **WRITE_ERRORS},
    url_name="exam-round-results-compute",
)
def compute_results(request: HttpRequest, round_id: int) -> dict[str, Any]:
    """Tổng hợp kết quả: written, oral and final score and pass/fail of every sitting whose
    answers all have points (part = 10 × earned / available; final = weighted mean; pass =
    final ≥ pass mark). Role: board member or the round's committee staff."""
    exam_round = _round(request, round_id)
    if not _runs(request, exam_round):
        raise NotAllowed(
            "Chỉ thành viên hội đồng hoặc cán bộ cấp ủy tổ chức đợt kiểm tra được chấm."
        )
    done = actions.compute_results(exam_round, by=user_of(request))
    return {"marked": done.marked, "waiting": done.waiting}


@router.post(
    "/exam-rounds/{round_id}/results/sign",
    response={200: ResultsPage, **WRITE_ERRORS},
    url_name="exam-round-results-sign",
)
def sign_results(request: HttpRequest, round_id: int) -> dict[str, Any]:
    """Ký duyệt kết quả: every sitting but the absent ones is marked and no disagreement is
    open; the round becomes `signed` and its marks never change again. Role: the chair."""
    exam_round = _round(request, round_id)
    actions.sign_off(exam_round, by=user_of(request))
    return _results_page(request, _round(request, round_id))


@router.get(
    "/exam-rounds/{round_id}/statistics",
    response={200: StatisticsOut, **READ_ERRORS},
    url_name="exam-round-statistics",
)
def statistics(request: HttpRequest, round_id: int) -> dict[str, Any]:
    """Thống kê: the round's count, mean, median, standard deviation, minimum, maximum,
    ten-bin distribution and pass rate; per question facility p, discrimination D (upper
    minus lower 27 %, Kelley 1939), option choice counts by original key with the key
    marked, and "to review" when p < 0.20, p > 0.90 or D < 0.20 (Ebel & Frisbie 1991).
    Role: board member or the round's committee staff (the counts show the key)."""
    exam_round = _round(request, round_id)
    if not _runs(request, exam_round):
        raise NotAllowed(
            "Chỉ thành viên hội đồng hoặc cán bộ cấp ủy tổ chức đợt kiểm tra được xem."
        )
    figures = stats.round_statistics(exam_round)
    items = stats.item_statistics(exam_round)
    return {
        "round_id": exam_round.pk,
        "round": {
            "count": figures.count,
            "mean": _n(figures.mean),
            "median": _n(figures.median),
            "sd": _n(figures.sd),
            "min": _n(figures.low),
            "max": _n(figures.high),
            "bins": [{"lower": b.lower, "upper": b.upper, "count": b.count} for b in figures.bins],
            "passed": figures.passed,
            "pass_rate": _n(figures.pass_rate),
            "pass_mark": float(figures.pass_mark),
        },
        "items": [
            {
                "label": i.label,
                "question_id": i.version.question_id,
                "version_id": i.version.pk,
                "type": i.type,
                "positions": _positions(i.positions),
                "taken": i.taken,
                "facility": _n(i.facility),
                "discrimination": _n(i.discrimination),
                "choices": [
                    {"key": c.key, "label": c.label, "count": c.count, "is_key": c.is_key}
                    for c in i.choices
                ],
                "blank": i.blank,
                "review": i.review,
                "reasons": i.reasons,
            }
            for i in items
        ],
    }
