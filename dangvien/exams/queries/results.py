"""Reads about marks and results: the results list, a person's results, the last valid
pass (for the branch vote), and a marker's queue."""

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from dangvien.core.dates import add_months
from dangvien.core.rules import rule
from dangvien.exams.models import (
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

MARKABLE = (SittingStatus.SUBMITTED, SittingStatus.MARKED)
HAND_MARKED = (QuestionType.ESSAY, QuestionType.ORAL)


# ---- blind numbers ---------------------------------------------------------------------------


def _blind_key(round_id: int, sitting_id: int) -> str:
    return hashlib.sha256(f"so-phach:{round_id}:{sitting_id}".encode()).hexdigest()


def blind_numbers(exam_round: ExamRound) -> dict[int, int]:
    """Số phách: each sitting's number in the round, 1…N, in an order unrelated to names or
    registration (a hash of the ids), so essay markers see the number and not the person
    (the blind marking of Vietnamese exam regulations, "đánh số phách")."""
    ids = Sitting.objects.filter(round=exam_round).values_list("pk", flat=True)
    ordered = sorted(ids, key=lambda pk: _blind_key(exam_round.pk, pk))
    return {pk: n for n, pk in enumerate(ordered, start=1)}


# ---- re-sit -----------------------------------------------------------------------------------


def resit_from(sitting: Sitting) -> date | None:
    """The first day a failed candidate may be tested again: the round's date plus
    ``exam.resit_min_days`` (seed 000 [U]); ``None`` unless the signed result is a fail.
    The registration code enforces it (with ``exam.max_attempts``)."""
    exam_round = sitting.round
    if exam_round.status != RoundStatus.SIGNED or sitting.passed is not False:
        return None
    days = rule("exam.resit_min_days", on=exam_round.held_on, organisation=exam_round.organisation)
    return exam_round.held_on + timedelta(days=int(days))


# ---- the results list ------------------------------------------------------------------------


@dataclass
class ResultRow:
    sitting: Sitting
    number: int | None  # số phách: only once signed ("ghép phách" after marking)
    open_disputes: int
    waiting_answers: int
    resit_from: date | None

    @property
    def person_name(self) -> str:
        return self.sitting.person.full_name


@dataclass
class RoundResults:
    exam_round: ExamRound
    rows: list[ResultRow]
    total: int = 0
    absent: int = 0
    marked: int = 0
    waiting: int = 0
    passed: int = 0
    failed: int = 0
    open_disputes: int = 0

    @property
    def can_sign(self) -> bool:
        """What ``sign_off`` will check, for the page's button."""
        return (
            self.exam_round.status == RoundStatus.MARKING
            and self.marked > 0
            and self.waiting == 0
            and self.open_disputes == 0
        )


def results(exam_round: ExamRound, *, within: QuerySet[Sitting] | None = None) -> RoundResults:
    """The round's results list, sorted by name (Vietnamese order): scores, pass/fail,
    open disputes and answers still without points per sitting, and the totals. ``within``
    narrows the rows to the sittings a reader may see (a branch secretary: their people);
    three queries whatever the number of rows.

    The blind number (số phách) is given only once the round is signed: while marking goes
    on, a results list with names beside numbers would undo the blind marking of essays
    (numbers and names are matched after marking, "ghép phách")."""
    rows = Sitting.objects.filter(round=exam_round)
    if within is not None:
        rows = rows.filter(pk__in=within.values("pk"))
    rows = (
        rows.select_related("person", "paper", "round", "round__organisation")
        .annotate(
            n_disputes=Count(
                "answers",
                filter=Q(answers__disputed=True, answers__resolved_by__isnull=True),
            ),
            n_waiting=Count("answers", filter=Q(answers__points__isnull=True)),
        )
        .order_by("person__sort_key", "pk")
    )
    signed = exam_round.status == RoundStatus.SIGNED
    numbers = blind_numbers(exam_round) if signed else {}
    resit_days = None
    if exam_round.status == RoundStatus.SIGNED:
        resit_days = int(
            rule("exam.resit_min_days", on=exam_round.held_on, organisation=exam_round.organisation)
        )
    out = RoundResults(exam_round=exam_round, rows=[])
    for sitting in rows:
        resit = None
        if resit_days is not None and sitting.passed is False:
            resit = exam_round.held_on + timedelta(days=resit_days)
        out.rows.append(
            ResultRow(
                sitting=sitting,
                number=numbers.get(sitting.pk),
                open_disputes=sitting.n_disputes,
                waiting_answers=sitting.n_waiting,
                resit_from=resit,
            )
        )
        out.total += 1
        out.open_disputes += sitting.n_disputes
        if sitting.status == SittingStatus.ABSENT:
            out.absent += 1
        elif sitting.status == SittingStatus.MARKED:
            out.marked += 1
            if sitting.passed:
                out.passed += 1
            else:
                out.failed += 1
        else:
            out.waiting += 1
    return out


# ---- a person's results -----------------------------------------------------------------------


def results_of(person: Any) -> QuerySet[Sitting]:
    """Every sitting of ``person`` with its round, newest first (for the candidate's page).
    Scores are official only once ``sitting.round.status`` is signed; ``resit_from`` gives
    the re-sit date of a fail."""
    return (
        Sitting.objects.filter(person=person)
        .select_related("round", "round__organisation", "paper")
        .order_by("-round__held_on", "-pk")
    )


def latest_pass(person: Any, on: date) -> Sitting | None:
    """The newest pass of ``person`` in a signed round held within
    ``exam.result_validity_months`` (seed 000 [U], per province) before ``on``: what the
    branch vote needs where the test is required (``admission.knowledge_test_required``).
    A result of the very day ``on`` counts, as does one held exactly N months before."""
    passes = (
        Sitting.objects.filter(
            person=person,
            passed=True,
            round__status=RoundStatus.SIGNED,
            round__held_on__lte=on,
        )
        .select_related("round", "round__organisation")
        .order_by("-round__held_on", "-pk")
    )
    for sitting in passes:
        months = rule("exam.result_validity_months", on=on, organisation=sitting.round.organisation)
        if sitting.round.held_on >= add_months(on, -int(months)):
            return sitting
    return None


# ---- the marker's queue ----------------------------------------------------------------------


@dataclass
class QueueAnswer:
    answer: Answer
    number: int
    person_name: str
    own: Mark | None = None
    marks: int = 0


@dataclass
class QueueGroup:
    """One question (version) across every variant and candidate."""

    version: QuestionVersion
    part: str
    positions: list[tuple[str, int]] = field(default_factory=list)
    answers: list[QueueAnswer] = field(default_factory=list)

    @property
    def type(self) -> str:
        return self.version.question.type

    @property
    def is_oral(self) -> bool:
        return self.type == QuestionType.ORAL

    @property
    def pending(self) -> int:
        return sum(1 for a in self.answers if a.own is None)


def _hand_marked(exam_round: ExamRound) -> QuerySet[Answer]:
    return Answer.objects.filter(
        sitting__round=exam_round,
        sitting__status__in=MARKABLE,
        item__version__question__type__in=HAND_MARKED,
    )


def _group(exam_round: ExamRound, answers: QuerySet[Answer], marker: Any) -> list[QueueGroup]:
    numbers = blind_numbers(exam_round)
    rows = list(
        answers.select_related(
            "item__paper", "item__version__question", "sitting__person"
        ).annotate(n_marks=Count("marks"))
    )
    own = {
        m.answer_id: m for m in Mark.objects.filter(answer__in=[a.pk for a in rows], marker=marker)
    }
    groups: dict[int, QueueGroup] = {}
    for answer in rows:
        version = answer.item.version
        group = groups.get(version.pk)
        if group is None:
            group = groups[version.pk] = QueueGroup(version=version, part=answer.item.part)
        place = (answer.item.paper.code, answer.item.position)
        if place not in group.positions:
            group.positions.append(place)
        group.answers.append(
            QueueAnswer(
                answer=answer,
                number=numbers.get(answer.sitting_id, 0),
                person_name=answer.sitting.person.full_name,
                own=own.get(answer.pk),
                marks=answer.n_marks,
            )
        )
    out = list(groups.values())
    for group in out:
        group.positions.sort()
        if group.is_oral:  # face to face: by name, and no number that would give the phách away
            group.answers.sort(key=lambda a: (a.answer.sitting.person.sort_key, a.answer.pk))
        else:
            group.answers.sort(key=lambda a: a.number)
    # Written essays first, then the oral part; within a part, by the first position.
    out.sort(key=lambda g: (g.part != Part.WRITTEN, min(p for _c, p in g.positions), g.version.pk))
    return out


def marking_queue(exam_round: ExamRound, marker: Any) -> list[QueueGroup]:
    """Essay and oral answers still needing ``marker``'s score, grouped by question (one
    item across all candidates, every variant): not yet marked by them, fewer than two
    marks by others, not settled by the chair."""
    answers = (
        _hand_marked(exam_round)
        .filter(resolved_by__isnull=True)
        .exclude(marks__marker=marker)
        .annotate(n_all=Count("marks"))
        .filter(n_all__lt=2)
    )
    return _group(exam_round, answers, marker)


def item_for_marker(exam_round: ExamRound, marker: Any, version_id: int) -> QueueGroup | None:
    """One question's answers as ``marker`` works on them: those still to mark and those
    they have marked (to re-score until sign-off); answers two other members marked are
    left out. ``None`` when the question is not an essay or oral question of the round."""
    answers = (
        _hand_marked(exam_round)
        .filter(item__version_id=version_id)
        .annotate(
            n_others=Count("marks", filter=~Q(marks__marker=marker)),
        )
        .filter(n_others__lt=2)
    )
    groups = _group(exam_round, answers, marker)
    if groups:
        return groups[0]
    item = (
        PaperItem.objects.filter(paper__round=exam_round, version_id=version_id)
        .select_related("paper", "version__question")
        .order_by("paper__number", "position")
        .first()
    )
    if item is None or item.version.question.type not in HAND_MARKED:
        return None  # not a hand-marked question of this round
    return QueueGroup(
        version=item.version, part=item.part, positions=[(item.paper.code, item.position)]
    )


def marking_progress(exam_round: ExamRound) -> dict[str, int]:
    """Counts for the marking page: hand-marked answers, with two marks, disputed (open),
    settled, and handed-in sittings still missing objective points."""
    hand = _hand_marked(exam_round).annotate(n=Count("marks"))
    objective_waiting = (
        Answer.objects.filter(sitting__round=exam_round, sitting__status__in=MARKABLE)
        .exclude(item__version__question__type__in=HAND_MARKED)
        .filter(points__isnull=True)
        .count()
    )
    sittings = Sitting.objects.filter(round=exam_round, status__in=MARKABLE)
    without_answers = sittings.annotate(n=Count("answers")).filter(n=0).count()
    return {
        "hand_answers": hand.count(),
        "double_marked": hand.filter(n__gte=2).count(),
        "open_disputes": hand.filter(disputed=True, resolved_by__isnull=True).count(),
        "resolved": hand.filter(resolved_by__isnull=False).count(),
        "objective_waiting": objective_waiting + without_answers,
        "sittings": sittings.count(),
    }


@dataclass
class DisputeRow:
    answer: Answer
    number: int
    marks: list[Mark]
    rubric: list[dict[str, Any]]
    lines: list[tuple[str, str, list[Decimal | None]]] = field(default_factory=list)
    note: str = ""

    @property
    def gap(self) -> Decimal | None:
        """How far apart the two marks are."""
        if len(self.marks) != 2:
            return None
        return abs(self.marks[0].points - self.marks[1].points)


def disputes(exam_round: ExamRound) -> list[DisputeRow]:
    """Answers the two markers disagree on (open first, then settled), with both marks
    criterion by criterion for the chair."""
    numbers = blind_numbers(exam_round)
    answers = (
        Answer.objects.filter(sitting__round=exam_round, disputed=True)
        .select_related("item__version__question", "item__paper", "sitting__person", "resolved_by")
        .prefetch_related("marks__marker")
    )
    rows = list(answers)
    out = []
    for answer in rows:
        marks = sorted(answer.marks.all(), key=lambda m: m.at)
        rubric = [line for line in answer.item.version.rubric or [] if isinstance(line, dict)]
        row = DisputeRow(
            answer=answer,
            number=numbers.get(answer.sitting_id, 0),
            marks=marks,
            rubric=rubric,
            note=answer.resolution_note,
        )
        names = [str(line.get("criterion", "")) for line in rubric] or ["Điểm câu hỏi"]
        maxima = [str(line.get("points", "")) for line in rubric] or [str(answer.item.points)]
        for index, (name, most) in enumerate(zip(names, maxima, strict=True)):
            given: list[Decimal | None] = []
            for mark in marks:
                criteria = mark.criteria if isinstance(mark.criteria, list) else []
                value = criteria[index].get("points") if index < len(criteria) else None
                given.append(Decimal(str(value)) if value is not None else None)
            row.lines.append((name, most, given))
        out.append(row)
    out.sort(key=lambda r: (r.answer.resolved_by_id is not None, r.number, r.answer.item_id))
    return out
