"""Shortcuts to build exam data in tests, straight into the tables (factories may save;
the code under test goes through the actions)."""

import io
import itertools
import random
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

from dangvien.candidates.models import Candidate
from dangvien.exams.models import (
    OBJECTIVE,
    BlueprintLine,
    BoardMember,
    Difficulty,
    ExamRound,
    Paper,
    PaperItem,
    Part,
    Question,
    QuestionType,
    QuestionVersion,
    Sitting,
    Topic,
)
from dangvien.exams.spreadsheet import COLUMNS, SHEET
from dangvien.organisations.models import Organisation

_n = itertools.count(1)

LABELS = [c.label for c in COLUMNS]
"""The import sheet's header, in order."""

GOOD_ROW = {
    "Chủ đề": "Điều lệ Đảng",
    "Loại câu hỏi": "Đúng / Sai",
    "Nội dung câu hỏi": "Thời gian dự bị là 12 tháng.",
    "Đáp án": "Đúng",
}
"""A row of the import sheet that imports: a true/false question, by header label."""


def topic(code: str = "dieu-le-dang") -> Topic:
    found, _ = Topic.objects.get_or_create(
        code=code, defaults={"name": code.replace("-", " ").capitalize(), "position": 9}
    )
    return found


def cur(question: Question) -> QuestionVersion:
    """The question's current version (every question here has one)."""
    assert question.current is not None
    return question.current


def age_question() -> dict[str, Any]:
    """Text, options, key and points of a single choice question: the age to join the
    Party."""
    return {
        "text": "Người vào Đảng phải từ đủ bao nhiêu tuổi đời?",
        "options": [
            {"key": "A", "text": "16 tuổi"},
            {"key": "B", "text": "18 tuổi"},
            {"key": "C", "text": "20 tuổi"},
        ],
        "answer": "B",
        "points": 1,
    }


def xlsx(*rows: dict[str, Any], header: list[str] | None = None) -> bytes:
    """A workbook with the template's header (or ``header``) and ``rows`` given by header
    label."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    header = header or LABELS
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(label) for label in header])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def make_question(
    owner: Organisation,
    *,
    type: str = QuestionType.SINGLE,
    topic_code: str = "dieu-le-dang",
    difficulty: int = Difficulty.MEDIUM,
    points: Decimal | int | str = 1,
    text: str | None = None,
    shared_down: bool = True,
    **version: Any,
) -> Question:
    """A question with its first version. Defaults per type: four options with key "B"
    (single), key ["A", "C"] (multiple), true (true/false), ["Đại hội"] (short), a two-line
    rubric adding up to ``points`` (essay, oral)."""
    n = next(_n)
    points = Decimal(str(points))
    defaults: dict[str, Any] = {"options": [], "answer": None, "rubric": []}
    if type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        defaults["options"] = [
            {"key": key, "text": f"Phương án {key} của câu {n}"} for key in "ABCD"
        ]
        defaults["answer"] = "B" if type == QuestionType.SINGLE else ["A", "C"]
    elif type == QuestionType.TRUE_FALSE:
        defaults["answer"] = True
    elif type == QuestionType.SHORT:
        defaults["answer"] = ["Đại hội"]
    else:
        half = (points / 2).quantize(Decimal("0.01"))
        defaults["rubric"] = [
            {"criterion": "Nêu đúng nội dung chính", "points": str(half)},
            {"criterion": "Liên hệ bản thân", "points": str(points - half)},
        ]
    defaults.update(version)
    question = Question.objects.create(
        owner=owner,
        org_path=owner.path,
        shared_down=shared_down,
        topic=topic(topic_code),
        difficulty=difficulty,
        type=type,
    )
    current = QuestionVersion.objects.create(
        question=question,
        number=1,
        text=text or f"Câu hỏi thử số {n} về Điều lệ Đảng?",
        points=points,
        **defaults,
    )
    question.current = current
    question.save(update_fields=["current"])
    return question


def make_round(organisation: Organisation, **fields: Any) -> ExamRound:
    fields.setdefault("name", f"Đợt kiểm tra số {next(_n)}")
    fields.setdefault("held_on", date(2026, 11, 20))
    return ExamRound.objects.create(organisation=organisation, org_path=organisation.path, **fields)


def add_board(exam_round: ExamRound, *users: Any) -> None:
    """The first user chairs."""
    for i, user in enumerate(users):
        BoardMember.objects.create(round=exam_round, user=user, is_chair=i == 0)


def make_paper(
    exam_round: ExamRound, questions: list[Question], *, number: int = 1, shuffle: bool = False
) -> Paper:
    """A paper with the questions in order (oral ones in the oral part); option order as
    written unless ``shuffle``."""
    paper = Paper.objects.create(round=exam_round, number=number, seed=number)
    rng = random.Random(number)
    for position, question in enumerate(questions, start=1):
        version = question.current
        assert version is not None
        keys = [o["key"] for o in version.options]
        if shuffle:
            rng.shuffle(keys)
        PaperItem.objects.create(
            paper=paper,
            position=position,
            part=Part.ORAL if question.type == QuestionType.ORAL else Part.WRITTEN,
            version=version,
            option_order=keys,
            points=version.points,
        )
    return paper


def make_sitting(
    exam_round: ExamRound, candidate: Candidate, *, paper: Paper | None = None, **fields: Any
) -> Sitting:
    return Sitting.objects.create(
        round=exam_round,
        person=candidate.person,
        candidate=candidate,
        org_path=candidate.org_path,
        paper=paper,
        **fields,
    )


def blueprint(exam_round: ExamRound, *lines: tuple[str, str, int, int]) -> None:
    """Lines of (part, topic code, difficulty, count)."""
    for part, code, difficulty, count in lines:
        BlueprintLine.objects.create(
            round=exam_round, part=part, topic=topic(code), difficulty=difficulty, count=count
        )


__all__ = [
    "OBJECTIVE",
    "add_board",
    "blueprint",
    "make_paper",
    "make_question",
    "make_round",
    "make_sitting",
    "topic",
]
