"""Reads for the sittings: the one-time code's digest, a paper as the candidate (or the
board keying it) sees it, and the live monitor of a round.

Answer keys and rubrics never leave this module: the rows below carry the wording and
the options in the variant's order, nothing else of the version.
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from dangvien.core.rules import rule
from dangvien.exams.models import (
    WITH_OPTIONS,
    Answer,
    ExamRound,
    PaperItem,
    Part,
    QuestionType,
    Sitting,
    SittingMode,
    SittingStatus,
)
from dangvien.exams.queries import access

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―_.]+")


def normalise_code(raw: str) -> str:
    """The code as issued: upper case, without the dashes, spaces (and dots, underscores)
    a candidate types or a printed slip shows ("abcd-efgh " → "ABCDEFGH"); the same rule
    as round setup's ``queries.rounds.normalise_code``."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or "")).upper()


def digest_of_code(raw: str) -> str:
    """SHA-256 hex of the normalised one-time code: only this is stored
    (``Sitting.code_digest``), so a leaked table does not reveal the codes. Round setup
    (``issue_codes``) hashes with the same rule."""
    return hashlib.sha256(normalise_code(raw).encode()).hexdigest()


def can_open_close(user: Any, exam_round: ExamRound) -> bool:
    """Open and close the round: its committee staff, or the board's chair."""
    return access.can_run_round(user, exam_round) or access.is_chair(user, exam_round)


def can_key(user: Any, exam_round: ExamRound) -> bool:
    """Key in paper answers and record absence: a board member or the round's staff."""
    return access.is_board_member(user, exam_round) or access.can_run_round(user, exam_round)


def sitting_with_code(raw: str) -> Sitting | None:
    code = normalise_code(raw)
    if not code:
        return None
    return Sitting.objects.filter(code_digest=digest_of_code(code)).first()


def grace_seconds(exam_round: ExamRound, *, on: datetime | None = None) -> int:
    """Seconds after the deadline an answer already on its way is still taken
    (``exam.autosave_grace_seconds``)."""
    day = timezone.localdate(on) if on else timezone.localdate()
    return int(rule("exam.autosave_grace_seconds", on=day, organisation=exam_round.organisation))


def seconds_left(sitting: Sitting, now: datetime | None = None) -> int:
    """Whole seconds until the deadline, from the server's clock (0 when past)."""
    if sitting.deadline_at is None:
        return 0
    now = now or timezone.now()
    return max(0, int((sitting.deadline_at - now).total_seconds()))


# ---- a paper as the candidate sees it ---------------------------------------------------


@dataclass(frozen=True)
class Choice:
    letter: str  # as printed on this variant: A, B, C …
    key: str  # the option's key in the version (what ``Answer.response`` holds)
    text: str


@dataclass
class ItemRow:
    """One item of a sitting's paper, with the candidate's response; no key, no rubric."""

    id: int
    number: int  # "Câu 1", counted within the part
    position: int
    part: str
    type: str
    type_label: str
    text: str
    points: Decimal
    choices: list[Choice]
    response: Any
    saved_at: datetime | None
    earned: Decimal | None = None

    @property
    def answered(self) -> bool:
        return self.response not in (None, "", [])

    @property
    def selected(self) -> set[str]:
        """The chosen option keys (single and multiple choice)."""
        if isinstance(self.response, list):
            return {str(v) for v in self.response}
        if isinstance(self.response, str) and self.type in WITH_OPTIONS:
            return {self.response}
        return set()

    @property
    def true_false(self) -> str:
        """ "true", "false" or "" for the true/false radios."""
        if self.response is True:
            return "true"
        if self.response is False:
            return "false"
        return ""

    @property
    def text_response(self) -> str:
        return self.response if isinstance(self.response, str) else ""

    @property
    def response_label(self) -> str:
        """The response as the paper prints it: letters of this variant, Đúng/Sai, text."""
        if not self.answered:
            return ""
        if self.type in WITH_OPTIONS:
            letters = {c.key: c.letter for c in self.choices}
            return ", ".join(sorted(letters.get(k, k) for k in self.selected))
        if self.type == QuestionType.TRUE_FALSE:
            return "Đúng" if self.response is True else "Sai"
        return str(self.response)


def choices_of(item: PaperItem) -> list[Choice]:
    """The options in the order printed on this variant, lettered A, B, C …"""
    options = {str(o["key"]): str(o.get("text", "")) for o in item.version.options or []}
    order = [str(k) for k in item.option_order or [] if str(k) in options]
    order += [k for k in options if k not in order]  # an order left short keeps the rest
    return [Choice(LETTERS[i], key, options[key]) for i, key in enumerate(order)]


def sitting_items(sitting: Sitting, *, part: str | None = None) -> list[ItemRow]:
    """The items of the sitting's paper in order (one part, or both), with the responses
    saved so far. Two queries whatever the paper's length."""
    if sitting.paper_id is None:
        return []
    items = PaperItem.objects.filter(paper_id=sitting.paper_id).select_related("version__question")
    if part:
        items = items.filter(part=part)
    answers = {a.item_id: a for a in Answer.objects.filter(sitting=sitting)}
    rows: list[ItemRow] = []
    numbers: dict[str, int] = {}
    for item in items.order_by("position"):
        numbers[item.part] = numbers.get(item.part, 0) + 1
        answer = answers.get(item.pk)
        qtype = item.version.question.type
        rows.append(
            ItemRow(
                id=item.pk,
                number=numbers[item.part],
                position=item.position,
                part=item.part,
                type=qtype,
                type_label=str(QuestionType(qtype).label),
                text=item.version.text,
                points=item.points,
                choices=choices_of(item) if qtype in WITH_OPTIONS else [],
                response=answer.response if answer else None,
                saved_at=answer.saved_at if answer and answer.response is not None else None,
                earned=answer.points if answer else None,
            )
        )
    return rows


def candidate_items(sitting: Sitting) -> list[ItemRow]:
    """What the candidate answers online: the written items (oral ones are asked by the
    board in person)."""
    return sitting_items(sitting, part=Part.WRITTEN)


def unanswered_numbers(sitting: Sitting) -> list[int]:
    return [row.number for row in candidate_items(sitting) if not row.answered]


# ---- staff: lists and the live monitor --------------------------------------------------


def with_progress(rows: QuerySet[Sitting]) -> QuerySet[Sitting]:
    """Each sitting with ``answered`` (written items with a response) and ``items`` (written
    items on its paper)."""
    return rows.annotate(
        answered=Count(
            "answers",
            filter=Q(answers__response__isnull=False, answers__item__part=Part.WRITTEN),
            distinct=True,
        ),
        items=Count("paper__items", filter=Q(paper__items__part=Part.WRITTEN), distinct=True),
    )


def filter_sittings(
    rows: QuerySet[Sitting], *, round_id: int | None = None, status: str = ""
) -> QuerySet[Sitting]:
    if round_id is not None:
        rows = rows.filter(round_id=round_id)
    if status:
        rows = rows.filter(status=status)
    return rows


def round_sittings(exam_round: ExamRound) -> QuerySet[Sitting]:
    """The round's sittings with their people and progress, by name."""
    return with_progress(
        Sitting.objects.filter(round=exam_round).select_related("person", "paper")
    ).order_by("person__sort_key", "pk")


@dataclass
class MonitorRow:
    sitting: Sitting
    seconds_left: int | None
    answered: int
    items: int

    @property
    def late(self) -> bool:
        return self.sitting.status == SittingStatus.IN_PROGRESS and self.seconds_left == 0

    @property
    def time_left(self) -> str:
        if self.seconds_left is None:
            return ""
        minutes, seconds = divmod(self.seconds_left, 60)
        return f"{minutes:02d}:{seconds:02d}"


@dataclass
class Monitor:
    rows: list[MonitorRow]
    counts: dict[str, int]
    online: int
    paper: int
    now: datetime


def monitor(exam_round: ExamRound, now: datetime | None = None) -> Monitor:
    """Who has started, how long they have left, how many items they answered, who has
    submitted: the board's view of a round in progress."""
    now = now or timezone.now()
    rows: list[MonitorRow] = []
    counts = {status: 0 for status in SittingStatus.values}
    online = paper = 0
    for sitting in round_sittings(exam_round):
        counts[sitting.status] += 1
        if sitting.mode == SittingMode.ONLINE:
            online += 1
        else:
            paper += 1
        left = seconds_left(sitting, now) if sitting.status == SittingStatus.IN_PROGRESS else None
        rows.append(
            MonitorRow(sitting, left, sitting.answered, sitting.items)  # type: ignore[attr-defined]
        )
    return Monitor(rows=rows, counts=counts, online=online, paper=paper, now=now)
