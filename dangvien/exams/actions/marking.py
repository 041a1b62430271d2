"""Marking, results and sign-off: the round's status MARKING → SIGNED.

Local practice (seed 000, Hạ Long 2020): the examination board marks objective items from
the answer key, two board members score each essay and oral answer against the rubric,
the chair settles any disagreement, and the chair signs the results list, which is the
basis of the admission decision. Once signed, nothing about the round's marks changes.

The scoring arithmetic lives in ``exams.scoring`` (pure functions); this module reads and
writes the tables.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from dangvien.accounts.models import User
from dangvien.core.actions import action
from dangvien.core.errors import Conflict, DomainError, NotAllowed, StageNotAllowed
from dangvien.core.text import nfc
from dangvien.exams import scoring
from dangvien.exams.models import (
    OBJECTIVE,
    Answer,
    ExamRound,
    Mark,
    PaperItem,
    Part,
    QuestionType,
    QuestionVersion,
    RoundStatus,
    Sitting,
    SittingStatus,
)
from dangvien.exams.queries.access import can_run_round, is_board_member, is_chair

# Sittings whose answers are marked: handed in (online or keyed in from paper).
MARKABLE = (SittingStatus.SUBMITTED, SittingStatus.MARKED)
# Scored by two board members against the rubric (seed 000).
HAND_MARKED = (QuestionType.ESSAY, QuestionType.ORAL)
NOTE_MAX = 500
# Ids per ``IN (…)``: under SQLite's historical limit of 999 bound parameters.
CHUNK = 900


class InvalidScore(DomainError):
    """A score outside what the rubric or the item allows."""

    code = "invalid_score"


@dataclass(frozen=True)
class ObjectiveMarking:
    sittings: int
    answers_created: int
    answers_changed: int


@dataclass(frozen=True)
class ResultsComputed:
    marked: int
    waiting: int


def vn_number(value: Decimal) -> str:
    """7.5 → "7,50": how a score is written in Vietnamese."""
    return f"{scoring.q2(value):.2f}".replace(".", ",")


def _round_for_marking(exam_round: ExamRound | int) -> ExamRound:
    """The round, locked, if its marks may still change: status MARKING, not signed."""
    pk = exam_round if isinstance(exam_round, int) else exam_round.pk
    row = ExamRound.objects.select_for_update().get(pk=pk)
    if row.status == RoundStatus.SIGNED:
        raise StageNotAllowed(
            "Kết quả đợt kiểm tra đã được chủ tịch hội đồng ký duyệt: không thể thay đổi điểm."
        )
    if row.status != RoundStatus.MARKING:
        raise StageNotAllowed("Đợt kiểm tra chưa chuyển sang giai đoạn chấm bài.")
    return row


# ---- results of sittings -------------------------------------------------------------------


def _refresh_results(exam_round: ExamRound, sittings: Iterable[Sitting]) -> ResultsComputed:
    """Compute written, oral, final and passed for each sitting whose answers all have
    points (status → marked); a sitting still waiting for points goes back to submitted
    with no scores. Three queries whatever the number of sittings, plus the bulk update."""
    sittings = [s for s in sittings if s.status in MARKABLE and s.paper_id is not None]
    if not sittings:
        return ResultsComputed(marked=0, waiting=0)
    paper_ids = {s.paper_id for s in sittings}
    items: dict[int | None, list[tuple[int, str, Decimal]]] = defaultdict(list)
    for item_id, paper_id, part, item_points in PaperItem.objects.filter(
        paper_id__in=paper_ids
    ).values_list("pk", "paper_id", "part", "points"):
        items[paper_id].append((item_id, part, item_points))
    for paper in paper_ids:
        for part, weight in (
            (Part.WRITTEN, exam_round.written_weight),
            (Part.ORAL, exam_round.oral_weight),
        ):
            if weight and not any(p == part for _i, p, _pts in items[paper]):
                raise Conflict(
                    f"Phần {Part(part).label.lower()} có trọng số {weight}% nhưng mã đề "
                    "không có câu hỏi nào của phần này."
                )
    points: dict[int, dict[int, Decimal | None]] = defaultdict(dict)
    by_sitting = Answer.objects.filter(sitting_id__in=[s.pk for s in sittings])
    for sitting_id, item_id, answer_points in by_sitting.values_list(
        "sitting_id", "item_id", "points"
    ):
        points[sitting_id][item_id] = answer_points

    changed: list[Sitting] = []
    marked = waiting = 0
    for sitting in sittings:
        mine = points[sitting.pk]
        paper_items = items[sitting.paper_id]
        complete = bool(paper_items) and all(mine.get(i) is not None for i, _p, _pts in paper_items)
        before = (
            sitting.status,
            sitting.written_score,
            sitting.oral_score,
            sitting.final_score,
            sitting.passed,
        )
        if complete:
            parts: dict[str, Decimal | None] = {}
            for part in (Part.WRITTEN, Part.ORAL):
                chosen = [(i, pts) for i, p, pts in paper_items if p == part]
                parts[part] = scoring.part_score(
                    [mine[i] or Decimal(0) for i, _pts in chosen], [pts for _i, pts in chosen]
                )
            final = scoring.final_score(
                parts[Part.WRITTEN],
                parts[Part.ORAL],
                exam_round.written_weight,
                exam_round.oral_weight,
            )
            sitting.written_score = parts[Part.WRITTEN]
            sitting.oral_score = parts[Part.ORAL]
            sitting.final_score = final
            sitting.passed = scoring.has_passed(final, exam_round.pass_mark)
            sitting.status = SittingStatus.MARKED
            marked += 1
        else:
            sitting.written_score = sitting.oral_score = sitting.final_score = None
            sitting.passed = None
            sitting.status = SittingStatus.SUBMITTED
            waiting += 1
        after = (
            sitting.status,
            sitting.written_score,
            sitting.oral_score,
            sitting.final_score,
            sitting.passed,
        )
        if after != before:
            changed.append(sitting)
    Sitting.objects.bulk_update(
        changed,
        ["status", "written_score", "oral_score", "final_score", "passed"],
        batch_size=500,
    )
    return ResultsComputed(marked=marked, waiting=waiting)


def _refresh_sitting(exam_round: ExamRound, sitting_id: int) -> None:
    _refresh_results(exam_round, Sitting.objects.filter(pk=sitting_id))


# ---- objective items -----------------------------------------------------------------------


@action
def mark_objective(exam_round: ExamRound, *, by: User) -> ObjectiveMarking:
    """Mark every objective answer of the round's handed-in sittings from the key (seed
    000: "chấm tự động phần trắc nghiệm theo đáp án"); answer rows missing for an item are
    created (an objective item left blank earns 0; an essay or oral item waits for its two
    markers). Safe to run again: only changed points are written. Board members and the
    round's committee staff may run it."""
    row = _round_for_marking(exam_round)
    if not (is_board_member(by, row) or can_run_round(by, row)):
        raise NotAllowed(
            "Chỉ thành viên hội đồng hoặc cán bộ cấp ủy tổ chức đợt kiểm tra được chấm."
        )
    sittings = list(
        Sitting.objects.filter(round=row, status__in=MARKABLE, paper__isnull=False).values_list(
            "pk", "paper_id"
        )
    )
    keys: dict[int, tuple[str, Any, Decimal]] = {}
    items_of: dict[int, list[int]] = defaultdict(list)
    for item_id, paper_id, kind, key, item_points in PaperItem.objects.filter(
        paper__round=row
    ).values_list("pk", "paper_id", "version__question__type", "version__answer", "points"):
        keys[item_id] = (kind, key, item_points)
        items_of[paper_id].append(item_id)

    answered: dict[int, set[int]] = defaultdict(set)
    changed: dict[Decimal, list[int]] = defaultdict(list)
    rows = Answer.objects.filter(sitting__round=row, sitting__status__in=MARKABLE)
    for pk, sitting_id, item_id, response, points in rows.values_list(
        "pk", "sitting_id", "item_id", "response", "points"
    ).iterator(chunk_size=2000):
        answered[sitting_id].add(item_id)
        kind, key, item_points = keys[item_id]
        if kind not in OBJECTIVE:
            continue
        earned = scoring.objective_points(kind, key, response, item_points)
        if earned != points:
            changed[earned].append(pk)

    missing = [
        Answer(
            sitting_id=sitting_id,
            item_id=item_id,
            response=None,
            points=scoring.q2(0) if keys[item_id][0] in OBJECTIVE else None,
        )
        for sitting_id, paper_id in sittings
        for item_id in items_of[paper_id]
        if item_id not in answered[sitting_id]
    ]
    # ignore_conflicts: a sitting keyed in at the same moment keeps the row it wrote.
    Answer.objects.bulk_create(missing, batch_size=500, ignore_conflicts=True)
    # Objective points take few values (0 and each item's points): one UPDATE per value
    # and chunk of ids. ``bulk_update`` builds a CASE WHEN per row, which costs about 1 ms
    # a row in Python: 10 s for 300 sittings of 40 questions instead of a tenth of that.
    for earned, pks in changed.items():
        for start in range(0, len(pks), CHUNK):
            Answer.objects.filter(pk__in=pks[start : start + CHUNK]).update(points=earned)
    return ObjectiveMarking(
        sittings=len(sittings),
        answers_created=len(missing),
        answers_changed=sum(len(pks) for pks in changed.values()),
    )


@action
def compute_results(exam_round: ExamRound, *, by: User | None = None) -> ResultsComputed:
    """Written, oral and final score and pass/fail of every handed-in sitting whose answers
    all have points; those sittings become "marked" (brief of issue 5; seed 000). Part
    score = 10 × earned / available; final = weighted mean; pass = final ≥ pass mark
    (``exams.scoring``)."""
    row = _round_for_marking(exam_round)
    return _refresh_results(row, Sitting.objects.filter(round=row, status__in=MARKABLE))


# ---- essay and oral items ------------------------------------------------------------------


def rubric_lines(version: QuestionVersion) -> list[tuple[str, Decimal]]:
    """The criteria and their points; a question without a rubric has one criterion
    worth the whole question."""
    lines = [
        (str(line.get("criterion", "")), scoring.q2(str(line.get("points", 0))))
        for line in version.rubric or []
        if isinstance(line, dict)
    ]
    return lines or [("Điểm câu hỏi", scoring.q2(version.points))]


def _criteria_scores(
    version: QuestionVersion, criteria: Sequence[Decimal | int | float | str]
) -> list[tuple[str, Decimal]]:
    rubric = rubric_lines(version)
    if len(criteria) != len(rubric):
        raise InvalidScore(
            f"Cần nhập điểm của đủ {len(rubric)} tiêu chí chấm (đang có {len(criteria)}).",
            field="criteria",
        )
    scores = []
    for (criterion, most), given in zip(rubric, criteria, strict=True):
        try:
            value = scoring.q2(str(given))
        except (InvalidOperation, ValueError):
            raise InvalidScore(
                f"Điểm của tiêu chí “{criterion}” không phải là một số.", field="criteria"
            ) from None
        if not value.is_finite() or value < 0 or value > most:
            raise InvalidScore(
                f"Điểm của tiêu chí “{criterion}” phải từ 0 đến {vn_number(most)}.",
                field="criteria",
            )
        scores.append((criterion, value))
    return scores


def _clean_note(note: str) -> str:
    note = nfc(note or "")
    if len(note) > NOTE_MAX:
        raise InvalidScore(f"Nhận xét tối đa {NOTE_MAX} ký tự.", field="note")
    return note


def _locked_answer(answer: Answer) -> tuple[ExamRound, Answer]:
    """The round, then the answer, locked in that order (as ``mark_objective`` and
    ``sign_off`` lock the round before touching answers: no deadlock)."""
    round_id = Sitting.objects.filter(pk=answer.sitting_id).values_list("round_id", flat=True)
    exam_round = _round_for_marking(round_id.get())
    row = (
        Answer.objects.select_for_update(of=("self",))
        .select_related("item__version__question", "sitting")
        .get(pk=answer.pk)
    )
    return exam_round, row


@action
def score_answer(
    answer: Answer,
    *,
    marker: User,
    criteria: Sequence[Decimal | int | float | str],
    note: str = "",
    by: User,
) -> Answer:
    """A board member's score of an essay or oral answer, criterion by criterion against the
    rubric (seed 000: two markers per answer, "hai giám khảo chấm độc lập").

    - Essay and oral items only; the marker sits on the round's board. Markers key in
      their own scores; the chair may key in a member's score from their paper sheet.
    - Each criterion scores from 0 to its rubric points.
    - One mark per marker per answer: scoring again replaces the marker's own mark until
      the chair signs the results off (or settles a disagreement on it). A third marker
      is refused.
    - After the second mark the answer gets the mean of the two marks, or is flagged
      ``disputed`` (no points) when they differ by more than the round's
      ``disagreement_percent`` of the item's points; the chair then settles it.
    """
    exam_round, row = _locked_answer(answer)
    version = row.item.version
    if version.question.type not in HAND_MARKED:
        raise Conflict("Câu trắc nghiệm được chấm tự động theo đáp án, không chấm tay.")
    if not is_board_member(marker, exam_round):
        raise NotAllowed("Người chấm không phải là thành viên hội đồng kiểm tra của đợt này.")
    if by.pk != marker.pk and not is_chair(by, exam_round):
        raise NotAllowed(
            "Giám khảo tự nhập điểm của mình; chỉ chủ tịch hội đồng được nhập hộ từ phiếu chấm."
        )
    if row.sitting.status not in MARKABLE:
        raise StageNotAllowed("Bài này chưa nộp hoặc thí sinh vắng mặt: không có gì để chấm.")
    if row.resolved_by_id is not None:
        raise Conflict("Chủ tịch hội đồng đã quyết định điểm câu trả lời này.")
    scores = _criteria_scores(version, criteria)
    note = _clean_note(note)
    marks = list(Mark.objects.filter(answer=row))
    own = next((m for m in marks if m.marker_id == marker.pk), None)
    if own is None and len(marks) >= 2:
        raise Conflict("Câu trả lời này đã có đủ hai giám khảo chấm: không nhận điểm thứ ba.")
    total = scoring.mark_total(
        [value for _c, value in scores], scoring.q2(version.points), row.item.points
    )
    stored = [{"criterion": c, "points": str(value)} for c, value in scores]
    if own is None:
        own = Mark.objects.create(
            answer=row, marker=marker, criteria=stored, points=total, note=note
        )
        marks.append(own)
    else:
        own.criteria, own.points, own.note, own.at = stored, total, note, timezone.now()
        own.save(update_fields=["criteria", "points", "note", "at"])
    if len(marks) == 2:
        first, second = (m.points for m in marks)
        row.disputed = scoring.disagree(
            first, second, row.item.points, exam_round.disagreement_percent
        )
        row.points = None if row.disputed else scoring.agreed_points(first, second)
    else:
        row.disputed, row.points = False, None
    row.save(update_fields=["points", "disputed"])
    _refresh_sitting(exam_round, row.sitting_id)
    return row


@action
def resolve_dispute(
    answer: Answer, *, points: Decimal | int | str, note: str = "", by: User
) -> Answer:
    """The chair settles an answer whose two marks differ by more than the round's
    threshold: the answer gets the chair's points, 0 to the item's points (seed 000:
    "chủ tịch hội đồng quyết định"). The chair may change the decision until sign-off.

    The chair's note is kept on the answer (``resolution_note``); the audit trail keeps
    every earlier decision."""
    exam_round, row = _locked_answer(answer)
    if not is_chair(by, exam_round):
        raise NotAllowed("Chỉ chủ tịch hội đồng quyết định điểm khi hai giám khảo chênh lệch.")
    if not row.disputed:
        raise Conflict("Câu trả lời này không có chênh lệch giữa hai giám khảo.")
    try:
        value = scoring.q2(str(points))
    except (InvalidOperation, ValueError):
        raise InvalidScore("Điểm quyết định không phải là một số.", field="points") from None
    if not value.is_finite() or value < 0 or value > row.item.points:
        raise InvalidScore(
            f"Điểm quyết định phải từ 0 đến {vn_number(row.item.points)}.", field="points"
        )
    note = _clean_note(note)
    row.points, row.resolved_by, row.resolution_note = value, by, note
    row.save(update_fields=["points", "resolved_by", "resolution_note"])
    _refresh_sitting(exam_round, row.sitting_id)
    return row


# ---- sign-off ------------------------------------------------------------------------------


@action
def sign_off(exam_round: ExamRound, *, by: User) -> ExamRound:
    """The chair signs the results list (seed 000: "chủ tịch hội đồng ký duyệt kết quả"):
    the round is marking, every sitting but the absent ones is marked, and no disagreement
    is left open. Status → signed; from then on every marking action refuses."""
    row = _round_for_marking(exam_round)
    if not is_chair(by, row):
        raise NotAllowed("Chỉ chủ tịch hội đồng được ký duyệt kết quả.")
    present = Sitting.objects.filter(round=row).exclude(status=SittingStatus.ABSENT)
    if not present.exists():
        raise Conflict("Đợt kiểm tra chưa có bài nào để ký duyệt.")
    disputes = Answer.objects.filter(
        sitting__in=present, disputed=True, resolved_by__isnull=True
    ).count()
    if disputes:
        raise Conflict(
            f"Còn {disputes} câu trả lời hai giám khảo chênh lệch chưa được chủ tịch hội đồng "
            "quyết định điểm."
        )
    unmarked = present.exclude(status=SittingStatus.MARKED).count()
    if unmarked:
        raise Conflict(f"Còn {unmarked} bài chưa chấm xong hoặc chưa tổng hợp kết quả.")
    row.status = RoundStatus.SIGNED
    row.signed_by = by
    row.signed_at = timezone.now()
    row.save(update_fields=["status", "signed_by", "signed_at"])
    exam_round.status, exam_round.signed_by, exam_round.signed_at = (
        row.status,
        row.signed_by,
        row.signed_at,
    )
    return row
