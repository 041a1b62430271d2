from dangvien.exams.models import QuestionType
from dangvien.exams.tests.factories import (
    add_board,
    make_paper,
    make_question,
    make_round,
    make_sitting,
)
from dangvien.factories import make_candidate, make_user


def test_factories_build_a_round_with_a_paper(tree):
    qs = [make_question(tree["commune"], type=t) for t in QuestionType.values]
    r = make_round(tree["commune"])
    add_board(r, make_user(), make_user())
    p = make_paper(r, qs, shuffle=True)
    s = make_sitting(r, make_candidate(branch=tree["village"]), paper=p)
    assert p.items.count() == 6 and s.paper == p and r.board.filter(is_chair=True).count() == 1
