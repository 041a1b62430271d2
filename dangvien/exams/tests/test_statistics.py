"""Item and round statistics on a small set computed by hand."""

from decimal import Decimal

import pytest

from dangvien.exams.models import Answer, QuestionType, SittingStatus
from dangvien.exams.queries.statistics import (
    discrimination,
    facility,
    item_statistics,
    round_statistics,
)
from dangvien.exams.tests.factories_marking import Marking, marking_round
from dangvien.organisations.models import Organisation

D = Decimal
T = QuestionType

# Five candidates (final score; single-choice response; essay points of 4; true/false).
CANDIDATES = [
    ("9.00", "B", "2", True),
    ("8.00", "B", "4", True),
    ("6.00", "C", "4", True),
    ("4.00", "B", "4", True),
    ("2.00", "A", "4", True),
]


@pytest.fixture
def m(tree: dict[str, Organisation]) -> Marking:
    m = marking_round(tree, [T.SINGLE, T.ESSAY, T.TRUE_FALSE], pass_mark=D(5))
    for final, choice, essay, true_false in CANDIDATES:
        sitting = m.sitting({1: choice, 2: "Bài làm", 3: true_false}, status=SittingStatus.MARKED)
        sitting.final_score = D(final)
        sitting.passed = D(final) >= 5
        sitting.save()
        Answer.objects.filter(sitting=sitting, item=m.item(1)).update(
            points=D(1) if choice == "B" else D(0)
        )
        Answer.objects.filter(sitting=sitting, item=m.item(2)).update(points=D(essay))
        Answer.objects.filter(sitting=sitting, item=m.item(3)).update(points=D(1))
    m.sitting(status=SittingStatus.ABSENT)
    return m


def test_facility_is_the_mean_share_of_the_points(m: Marking) -> None:
    single, essay, true_false = item_statistics(m.round)
    assert single.facility == D("0.6000")  # 3 of 5 right
    assert essay.facility == D("0.9000")  # (0.5 + 1 + 1 + 1 + 1) / 5
    assert true_false.facility == D("1.0000")


def test_discrimination_takes_the_upper_and_lower_27_percent(m: Marking) -> None:
    # 27 % of 5 = 1.35 → 1 candidate in each group: the 9.00 and the 2.00.
    single, essay, true_false = item_statistics(m.round)
    assert single.discrimination == D("1.0000")  # 1 − 0
    assert essay.discrimination == D("-0.5000")  # 0.5 − 1
    assert true_false.discrimination == D("0.0000")


def test_discrimination_of_ten_candidates_uses_groups_of_three() -> None:
    # 27 % of 10 = 2.7 → 3; upper shares 1, 1, 0; lower 0, 0, 1 → 2/3 − 1/3.
    shares = [D(1), D(0), D(0), D(0), D(1), D(0), D(1), D(0), D(1), D(1)]
    pairs = [(D(score), share) for score, share in zip(range(1, 11), shares, strict=True)]
    assert discrimination(pairs) == D("0.3333")
    assert discrimination(pairs[:1]) is None
    assert facility([]) is None


def test_choice_counts_follow_the_original_keys_with_the_key_marked(m: Marking) -> None:
    single = item_statistics(m.round)[0]
    assert [(c.key, c.count, c.is_key) for c in single.choices] == [
        ("A", 1, False),
        ("B", 3, True),
        ("C", 1, False),
        ("D", 0, False),
    ]
    true_false = item_statistics(m.round)[2]
    assert [(c.label, c.count, c.is_key) for c in true_false.choices] == [
        ("Đúng", 5, True),
        ("Sai", 0, False),
    ]


def test_questions_to_review_are_too_easy_too_hard_or_poorly_discriminating(m: Marking) -> None:
    single, essay, true_false = item_statistics(m.round)
    assert not single.review
    assert essay.reasons == ["Phân biệt kém (D < 0,20)"]  # p = 0.90 exactly is not too easy
    assert true_false.reasons == ["Quá dễ (độ khó p > 0,90)", "Phân biệt kém (D < 0,20)"]


def test_round_statistics_by_hand(m: Marking) -> None:
    figures = round_statistics(m.round)
    assert figures.count == 5  # the absent candidate is left out
    assert figures.mean == D("5.80")
    assert figures.median == D("6.00")
    assert figures.sd == D("2.56")  # √(32.8 / 5) = 2.561…
    assert (figures.low, figures.high) == (D("2.00"), D("9.00"))
    assert [b.count for b in figures.bins] == [0, 0, 1, 0, 1, 0, 1, 0, 1, 1]
    assert (figures.passed, figures.pass_rate) == (3, D("60.0"))


def test_a_ten_falls_in_the_last_bin(tree: dict[str, Organisation]) -> None:
    m = marking_round(tree, [T.SINGLE])
    sitting = m.sitting(status=SittingStatus.MARKED)
    sitting.final_score, sitting.passed = D(10), True
    sitting.save()
    assert round_statistics(m.round).bins[-1].count == 1


def test_a_round_without_marked_sittings_has_empty_statistics(
    tree: dict[str, Organisation],
) -> None:
    m = marking_round(tree)
    figures = round_statistics(m.round)
    assert (figures.count, figures.mean, figures.pass_rate) == (0, None, None)
    assert [i.taken for i in item_statistics(m.round)] == [0, 0, 0]
