"""Marking actions: objective marking, two markers with disagreement, the chair's
resolution, results and sign-off."""

from decimal import Decimal
from typing import Any

import pytest

from dangvien.core.errors import Conflict, NotAllowed, StageNotAllowed
from dangvien.exams.actions.marking import (
    InvalidScore,
    compute_results,
    mark_objective,
    resolve_dispute,
    score_answer,
    sign_off,
)
from dangvien.exams.models import (
    Answer,
    Mark,
    QuestionType,
    RoundStatus,
    Sitting,
    SittingStatus,
)
from dangvien.exams.tests.factories_marking import Marking, marking_round
from dangvien.factories import make_user
from dangvien.organisations.models import Organisation

D = Decimal
T = QuestionType


@pytest.fixture
def m(tree: dict[str, Organisation]) -> Marking:
    """Positions: 1 single (1 point, key B), 2 essay (4 points, rubric 2 + 2), 3 oral (2
    points, rubric 1 + 1); weights 70/30; disagreement 20 %."""
    return marking_round(tree)


def essay(m: Marking, sitting: Sitting) -> Answer:
    return Answer.objects.get(sitting=sitting, item=m.item(2))


def oral(m: Marking, sitting: Sitting) -> Answer:
    return Answer.objects.get(sitting=sitting, item=m.item(3))


def score(answer: Answer, marker: Any, *criteria: Any, by: Any = None) -> Answer:
    return score_answer(answer, marker=marker, criteria=list(criteria), note="", by=by or marker)


def refresh(sitting: Sitting) -> Sitting:
    return Sitting.objects.get(pk=sitting.pk)


# ---- objective marking ---------------------------------------------------------------------


def test_objective_marking_scores_every_type_from_the_key(tree: dict[str, Organisation]) -> None:
    m = marking_round(tree, [T.SINGLE, T.MULTIPLE, T.TRUE_FALSE, T.SHORT, T.SHORT])
    right = m.sitting({1: "B", 2: ["C", "A"], 3: True, 4: "dai hoi", 5: "ĐẠI HỘI."})
    wrong = m.sitting({1: "A", 2: ["A"], 3: False, 4: "Hội nghị"})

    done = mark_objective(m.round, by=m.first)

    assert done.sittings == 2
    assert [a.points for a in right.answers.order_by("item__position")] == [D("1.00")] * 5
    assert [a.points for a in wrong.answers.order_by("item__position")] == [D("0.00")] * 5


def test_objective_marking_creates_the_missing_answers(m: Marking) -> None:
    sitting = m.sitting({1: "B"})  # essay and oral never saved

    done = mark_objective(m.round, by=m.first)

    assert done.answers_created == 2
    assert essay(m, sitting).points is None
    assert oral(m, sitting).points is None
    other = m.sitting({2: "Bài làm"})  # the objective item left blank earns 0
    mark_objective(m.round, by=m.first)
    assert Answer.objects.get(sitting=other, item=m.item(1)).points == D("0.00")


def test_objective_marking_again_changes_nothing(m: Marking) -> None:
    m.sitting({1: "B"})
    mark_objective(m.round, by=m.first)

    again = mark_objective(m.round, by=m.first)

    assert again.answers_changed == 0
    assert again.answers_created == 0


def test_objective_marking_skips_absent_and_unsubmitted_sittings(m: Marking) -> None:
    absent = m.sitting({1: "B"}, status=SittingStatus.ABSENT)
    registered = m.sitting({1: "B"}, status=SittingStatus.REGISTERED)

    done = mark_objective(m.round, by=m.first)

    assert done.sittings == 0
    assert absent.answers.get().points is None
    assert registered.answers.get().points is None


def test_committee_staff_may_run_objective_marking(m: Marking) -> None:
    m.sitting({1: "B"})
    assert mark_objective(m.round, by=m.staff).sittings == 1


def test_objective_marking_refuses_someone_neither_on_the_board_nor_staff(m: Marking) -> None:
    with pytest.raises(NotAllowed, match="thành viên hội đồng"):
        mark_objective(m.round, by=make_user())


def test_objective_marking_refuses_a_round_not_yet_marking(tree: dict[str, Organisation]) -> None:
    m = marking_round(tree, status=RoundStatus.OPEN)
    with pytest.raises(StageNotAllowed, match="chưa chuyển sang giai đoạn chấm"):
        mark_objective(m.round, by=m.first)


# ---- two markers ---------------------------------------------------------------------------


@pytest.fixture
def handed_in(m: Marking) -> Sitting:
    sitting = m.sitting({1: "B", 2: "Đảng Cộng sản Việt Nam ra đời ngày 3/2/1930."})
    mark_objective(m.round, by=m.first)
    return sitting


def test_one_mark_leaves_the_answer_without_points(m: Marking, handed_in: Sitting) -> None:
    answer = score(essay(m, handed_in), m.first, "1.5", "1")
    assert answer.points is None
    assert not answer.disputed
    mark = Mark.objects.get(answer=answer)
    assert mark.points == D("2.50")
    assert mark.criteria == [
        {"criterion": "Nêu đúng nội dung chính", "points": "1.50"},
        {"criterion": "Liên hệ bản thân", "points": "1.00"},
    ]


def test_two_markers_who_agree_give_the_mean(m: Marking, handed_in: Sitting) -> None:
    score(essay(m, handed_in), m.first, "1.5", "1")  # 2.50
    answer = score(essay(m, handed_in), m.second, "2", "1.25")  # 3.25: 0.75 apart, ≤ 0.80

    assert not answer.disputed
    assert answer.points == D("2.88")  # (2.50 + 3.25) / 2 = 2.875 → 2.88


def test_marks_exactly_at_the_threshold_are_not_flagged(m: Marking, handed_in: Sitting) -> None:
    score(essay(m, handed_in), m.first, "1", "1")  # 2.00
    answer = score(essay(m, handed_in), m.second, "1.8", "1")  # 2.80: 20 % of 4 = 0.80

    assert not answer.disputed
    assert answer.points == D("2.40")


def test_marks_over_the_threshold_are_flagged_disputed(m: Marking, handed_in: Sitting) -> None:
    score(essay(m, handed_in), m.first, "1", "1")  # 2.00
    answer = score(essay(m, handed_in), m.second, "1.81", "1")  # 2.81

    assert answer.disputed
    assert answer.points is None


def test_a_third_marker_is_refused(m: Marking, handed_in: Sitting) -> None:
    score(essay(m, handed_in), m.first, "1", "1")
    score(essay(m, handed_in), m.second, "1", "1")

    with pytest.raises(Conflict, match="đủ hai giám khảo chấm"):
        score(essay(m, handed_in), m.chair, "2", "2")
    assert Mark.objects.filter(answer__sitting=handed_in).count() == 2


def test_rescoring_replaces_the_markers_own_mark(m: Marking, handed_in: Sitting) -> None:
    score(essay(m, handed_in), m.first, "1", "1")
    score(essay(m, handed_in), m.second, "2", "2")  # disputed: 2.00 vs 4.00
    answer = score(essay(m, handed_in), m.first, "2", "1.5")  # now 3.50 vs 4.00

    assert Mark.objects.filter(answer=answer).count() == 2
    assert not answer.disputed
    assert answer.points == D("3.75")


def test_a_marker_outside_the_board_is_refused(m: Marking, handed_in: Sitting) -> None:
    stranger = make_user()
    with pytest.raises(NotAllowed, match="không phải là thành viên hội đồng"):
        score(essay(m, handed_in), stranger, "1", "1")


def test_committee_staff_off_the_board_may_not_score(m: Marking, handed_in: Sitting) -> None:
    with pytest.raises(NotAllowed):
        score(essay(m, handed_in), m.staff, "1", "1")


def test_the_chair_may_key_in_a_members_score_but_a_member_may_not(
    m: Marking, handed_in: Sitting
) -> None:
    answer = score(essay(m, handed_in), m.first, "1", "1", by=m.chair)
    assert Mark.objects.get(answer=answer).marker == m.first
    with pytest.raises(NotAllowed, match="tự nhập điểm"):
        score(essay(m, handed_in), m.chair, "1", "1", by=m.second)


def test_a_criterion_above_its_rubric_points_is_refused(m: Marking, handed_in: Sitting) -> None:
    with pytest.raises(InvalidScore, match="“Nêu đúng nội dung chính” phải từ 0 đến 2,00") as err:
        score(essay(m, handed_in), m.first, "2.5", "1")
    assert err.value.field == "criteria"


def test_a_negative_or_missing_criterion_is_refused(m: Marking, handed_in: Sitting) -> None:
    with pytest.raises(InvalidScore, match="phải từ 0"):
        score(essay(m, handed_in), m.first, "-1", "1")
    with pytest.raises(InvalidScore, match="đủ 2 tiêu chí"):
        score(essay(m, handed_in), m.first, "1")
    with pytest.raises(InvalidScore, match="không phải là một số"):
        score(essay(m, handed_in), m.first, "một", "1")
    assert not Mark.objects.exists()


def test_an_objective_item_is_not_scored_by_hand(m: Marking, handed_in: Sitting) -> None:
    single = Answer.objects.get(sitting=handed_in, item=m.item(1))
    with pytest.raises(Conflict, match="chấm tự động"):
        score(single, m.first, "1")


def test_oral_items_are_scored_by_both_markers_without_a_response(
    m: Marking, handed_in: Sitting
) -> None:
    score(oral(m, handed_in), m.first, "1", "0.5")
    answer = score(oral(m, handed_in), m.second, "1", "0.75")
    assert answer.response is None
    assert answer.points == D("1.63")  # (1.50 + 1.75) / 2 = 1.625


def test_the_last_mark_computes_the_sittings_result(m: Marking, handed_in: Sitting) -> None:
    # single right: 1 of 1, essay 3 of 4 → written 10 × 4 / 5 = 8.00; oral 1.2 of 2 → 6.00
    score(essay(m, handed_in), m.first, "1.5", "1.5")
    score(essay(m, handed_in), m.second, "1.5", "1.5")
    score(oral(m, handed_in), m.first, "0.6", "0.6")
    assert refresh(handed_in).status == SittingStatus.SUBMITTED
    score(oral(m, handed_in), m.second, "0.6", "0.6")

    sitting = refresh(handed_in)
    assert sitting.status == SittingStatus.MARKED
    assert (sitting.written_score, sitting.oral_score) == (D("8.00"), D("6.00"))
    assert sitting.final_score == D("7.40")  # (8 × 70 + 6 × 30) / 100
    assert sitting.passed


# ---- the chair's resolution ----------------------------------------------------------------


@pytest.fixture
def disputed(m: Marking, handed_in: Sitting) -> Answer:
    score(essay(m, handed_in), m.first, "0.5", "0.5")
    return score(essay(m, handed_in), m.second, "2", "2")


def test_the_chair_settles_a_disagreement(m: Marking, disputed: Answer) -> None:
    answer = resolve_dispute(disputed, points="2.5", note="Theo đáp án gợi ý", by=m.chair)
    assert answer.points == D("2.50")
    assert answer.resolved_by == m.chair
    assert answer.disputed  # the flag stays: it records that the markers disagreed
    answer.refresh_from_db()
    assert answer.resolution_note == "Theo đáp án gợi ý"


def test_a_member_cannot_settle_a_disagreement(m: Marking, disputed: Answer) -> None:
    with pytest.raises(NotAllowed, match="Chỉ chủ tịch hội đồng"):
        resolve_dispute(disputed, points="2.5", note="", by=m.first)
    assert Answer.objects.get(pk=disputed.pk).points is None


def test_the_chairs_points_stay_within_the_item(m: Marking, disputed: Answer) -> None:
    with pytest.raises(InvalidScore, match="từ 0 đến 4,00") as err:
        resolve_dispute(disputed, points="4.5", note="", by=m.chair)
    assert err.value.field == "points"


def test_an_answer_without_disagreement_needs_no_resolution(m: Marking, handed_in: Sitting) -> None:
    with pytest.raises(Conflict, match="không có chênh lệch"):
        resolve_dispute(essay(m, handed_in), points="2", note="", by=m.chair)


def test_markers_cannot_rescore_after_the_chair_decided(m: Marking, disputed: Answer) -> None:
    resolve_dispute(disputed, points="2.5", note="", by=m.chair)
    with pytest.raises(Conflict, match="đã quyết định"):
        score(disputed, m.first, "1", "1")


# ---- results -------------------------------------------------------------------------------


def _one_item_round(tree: dict[str, Organisation], **fields: Any) -> Marking:
    return marking_round(tree, [T.ESSAY], points={1: 100}, **fields)


def _with_points(m: Marking, points: str) -> Sitting:
    sitting = m.sitting({1: "Bài làm"})
    Answer.objects.filter(sitting=sitting).update(points=D(points))
    return sitting


def test_exactly_the_pass_mark_passes(tree: dict[str, Organisation]) -> None:
    m = _one_item_round(tree, pass_mark=D(5))
    at, below = _with_points(m, "50"), _with_points(m, "49.9")

    done = compute_results(m.round, by=m.chair)

    assert done.marked == 2
    assert (refresh(at).final_score, refresh(at).passed) == (D("5.00"), True)
    assert (refresh(below).final_score, refresh(below).passed) == (D("4.99"), False)


def test_weights_70_30_give_7_40_for_written_8_and_oral_6(tree: dict[str, Organisation]) -> None:
    m = marking_round(tree, [T.ESSAY, T.ORAL], points={1: 10, 2: 10})
    sitting = m.sitting({1: "Bài làm", 2: None})
    Answer.objects.filter(sitting=sitting, item=m.item(1)).update(points=D(8))
    Answer.objects.filter(sitting=sitting, item=m.item(2)).update(points=D(6))

    compute_results(m.round)

    assert refresh(sitting).final_score == D("7.40")


def test_a_sitting_still_waiting_for_points_is_not_marked(m: Marking, handed_in: Sitting) -> None:
    done = compute_results(m.round, by=m.chair)
    assert (done.marked, done.waiting) == (0, 1)
    assert refresh(handed_in).final_score is None


def test_a_weighted_part_without_questions_is_refused(tree: dict[str, Organisation]) -> None:
    m = marking_round(tree, [T.ESSAY], written_weight=70, oral_weight=30)
    _with_points(m, "3")
    with pytest.raises(Conflict, match="Phần vấn đáp có trọng số 30%"):
        compute_results(m.round)


# ---- sign-off ------------------------------------------------------------------------------


def _fully_marked(m: Marking) -> Sitting:
    sitting = m.sitting({1: "B", 2: "Bài làm"})
    mark_objective(m.round, by=m.first)
    for answer in (essay(m, sitting), oral(m, sitting)):
        score(answer, m.first, "1", "1")
        score(answer, m.second, "1", "1")
    return refresh(sitting)


def test_the_chair_signs_off_a_fully_marked_round(m: Marking) -> None:
    _fully_marked(m)
    m.sitting(status=SittingStatus.ABSENT)

    sign_off(m.round, by=m.chair)

    m.round.refresh_from_db()
    assert m.round.status == RoundStatus.SIGNED
    assert m.round.signed_by == m.chair
    assert m.round.signed_at is not None


def test_a_member_cannot_sign_off(m: Marking) -> None:
    _fully_marked(m)
    with pytest.raises(NotAllowed, match="Chỉ chủ tịch hội đồng được ký duyệt"):
        sign_off(m.round, by=m.first)


def test_sign_off_is_refused_while_a_disagreement_is_open(m: Marking, disputed: Answer) -> None:
    with pytest.raises(Conflict, match="Còn 1 câu trả lời hai giám khảo chênh lệch"):
        sign_off(m.round, by=m.chair)
    m.round.refresh_from_db()
    assert m.round.status == RoundStatus.MARKING


def test_sign_off_is_refused_with_unmarked_sittings(m: Marking) -> None:
    _fully_marked(m)
    m.sitting({1: "B"})
    with pytest.raises(Conflict, match="Còn 1 bài chưa chấm xong"):
        sign_off(m.round, by=m.chair)


def test_sign_off_is_refused_without_any_sitting(m: Marking) -> None:
    with pytest.raises(Conflict, match="chưa có bài nào"):
        sign_off(m.round, by=m.chair)


def test_after_sign_off_every_marking_action_refuses(m: Marking) -> None:
    sitting = _fully_marked(m)
    sign_off(m.round, by=m.chair)
    answer = essay(m, sitting)

    for attempt in (
        lambda: score(answer, m.first, "2", "2"),
        lambda: mark_objective(m.round, by=m.first),
        lambda: compute_results(m.round, by=m.chair),
        lambda: resolve_dispute(answer, points="1", note="", by=m.chair),
        lambda: sign_off(m.round, by=m.chair),
    ):
        with pytest.raises(StageNotAllowed, match="đã được chủ tịch hội đồng ký duyệt"):
            attempt()
    assert refresh(sitting).final_score == sitting.final_score
    assert Answer.objects.get(pk=answer.pk).points == D("2.00")
