"""Who sees and who runs what in the exams area. Every page and endpoint fetches through
these: anything outside the user's organisation subtree is "not found" (404).

- The question bank of a node is managed by committee staff there (who may endorse or
  decide, i.e. grassroots đảng ủy staff and the organisation boards above); a bank
  ``shared_down`` is usable by every node below its owner.
- Answer keys and rubrics are shown only to those who manage the owning bank and to the
  board members of a round that uses the question (seed 000: "đáp án … chỉ hội đồng").
- A round is seen by users whose scope holds its organisation; its board marks it and
  only its chair signs the results off.
"""

from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q, QuerySet

from dangvien.accounts.models import Capability
from dangvien.accounts.queries import can
from dangvien.exams.models import BoardMember, ExamRound, Question, Sitting
from dangvien.organisations.models import Organisation
from dangvien.organisations.queries import in_scope, scope_paths


def can_manage(user: Any, organisation: Organisation) -> bool:
    """Committee staff at ``organisation`` or above: may keep its bank and run its rounds."""
    return can(user, Capability.ENDORSE, organisation.path) or can(
        user, Capability.DECIDE, organisation.path
    )


def usable_questions(organisation: Organisation) -> QuerySet[Question]:
    """Active questions a round of ``organisation`` may draw: its own bank and the banks
    its ancestors share down (a province bank used by its communes)."""
    ancestor_paths = [organisation.path[: (depth + 1) * 9] for depth in range(organisation.depth)]
    shared = Q(org_path__in=ancestor_paths, shared_down=True) if ancestor_paths else Q(pk__in=[])
    return Question.objects.filter(Q(org_path=organisation.path) | shared, active=True)


def visible_questions(user: Any) -> QuerySet[Question]:
    """Questions the user may see: those owned in their subtree, and those shared down to
    it from above."""
    paths = scope_paths(user)
    if not paths:
        return Question.objects.none()
    above: set[str] = set()
    for path in paths:
        depth = len(path) // 9
        above.update(path[: (d + 1) * 9] for d in range(depth - 1))
    shared = Q(org_path__in=sorted(above), shared_down=True) if above else Q(pk__in=[])
    return Question.objects.filter(in_scope(user, "org_path") | shared)


def can_edit_question(user: Any, question: Question) -> bool:
    return can_manage(user, question.owner)


def can_see_key(user: Any, question: Question) -> bool:
    """The key and rubric: the owning bank's managers, or a board using the question."""
    if can_edit_question(user, question):
        return True
    return BoardMember.objects.filter(
        user=user, round__papers__items__version__question=question
    ).exists()


def visible_rounds(user: Any) -> QuerySet[ExamRound]:
    return ExamRound.objects.filter(in_scope(user, "org_path")).select_related("organisation")


def rounds_on_board(user: Any) -> QuerySet[ExamRound]:
    """Rounds the user sits on the board of (they may be outside their role's subtree)."""
    return ExamRound.objects.filter(board__user=user).select_related("organisation")


def reachable_rounds(user: Any) -> QuerySet[ExamRound]:
    """Rounds in scope or on the user's board: what a page may fetch by id."""
    if not getattr(user, "is_authenticated", False):
        return ExamRound.objects.none()
    return ExamRound.objects.filter(
        reduce(or_, [in_scope(user, "org_path"), Q(board__user=user)])
    ).distinct()


def is_board_member(user: Any, exam_round: ExamRound) -> bool:
    return BoardMember.objects.filter(round=exam_round, user=user).exists()


def is_chair(user: Any, exam_round: ExamRound) -> bool:
    return BoardMember.objects.filter(round=exam_round, user=user, is_chair=True).exists()


def can_run_round(user: Any, exam_round: ExamRound) -> bool:
    """Set up the round (board, blueprint, candidates, papers): staff of its committee."""
    return can_manage(user, exam_round.organisation)


def visible_sittings(user: Any) -> QuerySet[Sitting]:
    """Sittings of people in the user's subtree, and of rounds the user is on the board of."""
    if not getattr(user, "is_authenticated", False):
        return Sitting.objects.none()
    return Sitting.objects.filter(
        in_scope(user, "org_path") | Q(round__board__user=user)
    ).distinct()
