"""Shortcuts for the rounds tests: a committee user, a board, a bank across topics and
difficulties, a round ready for papers (board and blueprint set through the actions), and
one with its candidates registered and papers generated."""

from datetime import date
from typing import Any

from dangvien.accounts.models import Role, User
from dangvien.exams.actions import rounds as actions
from dangvien.exams.models import Difficulty, ExamRound, Part, Question, QuestionType
from dangvien.exams.tests.factories import make_question, topic
from dangvien.factories import make_candidate, user_with_role
from dangvien.organisations.models import Organisation

HELD_ON = date(2026, 11, 20)

ROUND_SETTINGS: dict[str, Any] = {
    "name": "Đợt kiểm tra nhận thức tháng 11",
    "held_on": HELD_ON,
    "venue": "Hội trường Đảng ủy xã",
    "duration_minutes": 45,
    "pass_mark": "5",
    "written_weight": 70,
    "oral_weight": 30,
    "variants": 4,
    "disagreement_percent": 20,
}


def staff(organisation: Organisation) -> User:
    """Organisation board staff: may manage the committee's bank and rounds."""
    return user_with_role(Role.BOARD_STAFF, organisation, display_name="Trần Văn Tổ Chức")


def grassroots_board(organisation: Organisation, n: int = 2) -> list[User]:
    """``n`` grassroots staff of ``organisation``, to sit on a round's board."""
    return [user_with_role(Role.GRASSROOTS_STAFF, organisation) for _ in range(n)]


def bank(
    owner: Organisation,
    *,
    topic_code: str = "dieu-le-dang",
    difficulty: int = Difficulty.MEDIUM,
    types: tuple[str, ...] = (QuestionType.SINGLE,),
    n: int = 5,
    **version: Any,
) -> list[Question]:
    """``n`` questions of one topic and difficulty, cycling through ``types``."""
    return [
        make_question(
            owner,
            type=types[i % len(types)],
            topic_code=topic_code,
            difficulty=difficulty,
            **version,
        )
        for i in range(n)
    ]


def new_round(organisation: Organisation, by: User, **changes: Any) -> ExamRound:
    return actions.create_round(organisation, by=by, **{**ROUND_SETTINGS, **changes})


def ready_round(
    organisation: Organisation,
    by: User,
    *,
    board: list[User],
    written: int = 5,
    oral: int = 2,
    **changes: Any,
) -> ExamRound:
    """A round with its board (the first user chairs) and a blueprint of one written line
    (single choice, Điều lệ Đảng, medium) and one oral line, the bank exactly large
    enough."""
    bank(organisation, n=written)
    lines = [actions.Line(Part.WRITTEN, topic("dieu-le-dang"), Difficulty.MEDIUM, written)]
    if oral:
        bank(organisation, topic_code="lich-su-dang", types=(QuestionType.ORAL,), n=oral)
        lines.append(actions.Line(Part.ORAL, topic("lich-su-dang"), Difficulty.MEDIUM, oral))
    else:
        changes.setdefault("written_weight", 100)
        changes.setdefault("oral_weight", 0)
    exam_round = new_round(organisation, by, **changes)
    actions.set_board(exam_round, members=board, chair=board[0], by=by)
    actions.set_blueprint(exam_round, lines=lines, by=by)
    return exam_round


def round_with_papers(tree: dict[str, Organisation], by: User, *, board: list[User]) -> ExamRound:
    """A ready round of the commune with three candidates of the village registered and its
    papers generated."""
    exam_round = ready_round(tree["commune"], by, board=board)
    candidates = [make_candidate(branch=tree["village"]) for _ in range(3)]
    actions.register_candidates(exam_round, candidates=candidates, by=by)
    actions.generate_papers(exam_round, by=by)
    return exam_round
