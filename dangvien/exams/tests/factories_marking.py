"""A round ready for marking, for the marking, results and statistics tests: built on the
shared exam factories, answers written straight into the table (the sitting flow is
another area's)."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dangvien.accounts.models import Role, User
from dangvien.exams.models import (
    Answer,
    ExamRound,
    Paper,
    PaperItem,
    Question,
    QuestionType,
    RoundStatus,
    Sitting,
    SittingStatus,
)
from dangvien.exams.tests.factories import (
    add_board,
    make_paper,
    make_question,
    make_round,
    make_sitting,
)
from dangvien.factories import make_candidate, make_user, user_with_role
from dangvien.organisations.models import Organisation


@dataclass
class Marking:
    """A commune round in status MARKING: a board (chair and two members), committee
    staff, an outsider, and one paper of the questions given."""

    round: ExamRound
    paper: Paper
    chair: User
    first: User
    second: User
    staff: User
    outsider: User
    branch: Organisation
    questions: list[Question] = field(default_factory=list)

    def item(self, position: int) -> PaperItem:
        return self.paper.items.get(position=position)

    def sitting(
        self, responses: dict[int, Any] | None = None, *, status: str = SittingStatus.SUBMITTED
    ) -> Sitting:
        """A candidate's sitting with an answer row per position given (``responses``:
        position → response)."""
        candidate = make_candidate(branch=self.branch)
        sitting = make_sitting(self.round, candidate, paper=self.paper, status=status)
        for position, response in (responses or {}).items():
            Answer.objects.create(sitting=sitting, item=self.item(position), response=response)
        return sitting


def marking_round(
    tree: dict[str, Organisation],
    types: list[str] | None = None,
    *,
    points: dict[int, Decimal | int | str] | None = None,
    **round_fields: Any,
) -> Marking:
    """``types``: the question type at each position (default: one single-choice, one
    essay of 4 points, one oral of 2 points). ``points``: position → points."""
    types = types or [QuestionType.SINGLE, QuestionType.ESSAY, QuestionType.ORAL]
    points = points or {}
    defaults: dict[int, Decimal | int | str] = {}
    for position, kind in enumerate(types, start=1):
        if kind == QuestionType.ESSAY:
            defaults[position] = 4
        elif kind == QuestionType.ORAL:
            defaults[position] = 2
        else:
            defaults[position] = 1
    defaults.update(points)
    commune = tree["commune"]
    round_fields.setdefault("status", RoundStatus.MARKING)
    if QuestionType.ORAL not in types:
        round_fields.setdefault("written_weight", 100)
        round_fields.setdefault("oral_weight", 0)
    exam_round = make_round(commune, **round_fields)
    questions = [
        make_question(commune, type=kind, points=defaults[position])
        for position, kind in enumerate(types, start=1)
    ]
    paper = make_paper(exam_round, questions)
    chair, first, second = make_user(), make_user(), make_user()
    add_board(exam_round, chair, first, second)
    return Marking(
        round=exam_round,
        paper=paper,
        chair=chair,
        first=first,
        second=second,
        staff=user_with_role(Role.BOARD_STAFF, commune),
        outsider=user_with_role(Role.BOARD_STAFF, tree["other_commune"]),
        branch=tree["village"],
        questions=questions,
    )
