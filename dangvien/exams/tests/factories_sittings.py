"""Test shortcuts for the sittings: a round with one paper holding one item of each type,
and online or paper sittings with their one-time codes (stored as the digest only)."""

from dataclasses import dataclass
from typing import Any

from dangvien.exams.models import (
    ExamRound,
    Paper,
    PaperItem,
    QuestionType,
    RoundStatus,
    Sitting,
    SittingMode,
)
from dangvien.exams.queries.sittings import digest_of_code
from dangvien.exams.tests.factories import make_paper, make_question, make_round, make_sitting
from dangvien.factories import make_candidate
from dangvien.organisations.models import Organisation

TYPES = (
    QuestionType.SINGLE,
    QuestionType.MULTIPLE,
    QuestionType.TRUE_FALSE,
    QuestionType.SHORT,
    QuestionType.ESSAY,
    QuestionType.ORAL,
)


@dataclass
class Setup:
    round: ExamRound
    paper: Paper

    def item(self, qtype: str) -> PaperItem:
        return PaperItem.objects.select_related("version__question").get(
            paper=self.paper, version__question__type=qtype
        )


def round_with_paper(
    organisation: Organisation,
    *,
    status: str = RoundStatus.OPEN,
    duration: int = 45,
    types: tuple[str, ...] = TYPES,
    **fields: Any,
) -> Setup:
    """A round (open by default) with paper 001: one item of each type, options shuffled."""
    exam_round = make_round(organisation, status=status, duration_minutes=duration, **fields)
    questions = [make_question(organisation, type=t) for t in types]
    return Setup(exam_round, make_paper(exam_round, questions, shuffle=True))


def online_sitting(
    setup: Setup, branch: Organisation, *, code: str = "ABCD-2345", **fields: Any
) -> Sitting:
    candidate = make_candidate(branch=branch)
    fields.setdefault("paper", setup.paper)
    return make_sitting(
        setup.round,
        candidate,
        mode=SittingMode.ONLINE,
        code_digest=digest_of_code(code) if code else "",
        **fields,
    )


def paper_sitting(setup: Setup, branch: Organisation, **fields: Any) -> Sitting:
    candidate = make_candidate(branch=branch)
    fields.setdefault("paper", setup.paper)
    return make_sitting(setup.round, candidate, mode=SittingMode.PAPER, **fields)
