"""The scoring rules as pure functions: objective points, part and final scores, pass,
two-marker agreement."""

import unicodedata
from decimal import Decimal

import pytest

from dangvien.exams import scoring

D = Decimal


@pytest.mark.parametrize(
    ("response", "earned"),
    [("B", "1.00"), ("b", "1.00"), ("A", "0.00"), (["B"], "1.00"), (None, "0.00"), ("", "0.00")],
)
def test_single_choice_earns_the_points_only_for_the_key(response: object, earned: str) -> None:
    assert scoring.objective_points("single", "B", response, 1) == D(earned)


def test_single_choice_with_two_ticks_earns_nothing() -> None:
    assert scoring.objective_points("single", "B", ["B", "C"], 1) == D("0.00")


@pytest.mark.parametrize(
    ("response", "earned"),
    [
        (["A", "C"], "2.00"),
        (["C", "A"], "2.00"),
        (["A"], "0.00"),
        (["A", "B", "C"], "0.00"),
        (["A", "B", "C", "D"], "0.00"),
        ([], "0.00"),
    ],
)
def test_multiple_choice_is_all_or_nothing(response: object, earned: str) -> None:
    assert scoring.objective_points("multiple", ["A", "C"], response, 2) == D(earned)


@pytest.mark.parametrize(
    ("key", "response", "earned"),
    [
        (True, True, "1.00"),
        (True, False, "0.00"),
        (False, False, "1.00"),
        (False, True, "0.00"),
        (True, "Đúng", "1.00"),
        (False, "sai", "1.00"),
        (True, None, "0.00"),
    ],
)
def test_true_false_matches_the_key(key: bool, response: object, earned: str) -> None:
    assert scoring.objective_points("true_false", key, response, 1) == D(earned)


@pytest.mark.parametrize(
    "response",
    [
        "Đại hội",
        "đại hội",
        "ĐẠI HỘI",
        "Dai hoi",
        "dai hoi",
        "  Đại   hội. ",
        "Đại-hội!",
        unicodedata.normalize("NFD", "Đại hội"),
    ],
)
def test_short_answer_ignores_case_diacritics_punctuation_and_spaces(response: str) -> None:
    assert scoring.objective_points("short", ["Đại hội"], response, 1) == D("1.00")


def test_short_answer_accepts_any_of_the_keys_and_refuses_other_words() -> None:
    key = ["Hồ Chí Minh", "Nguyễn Ái Quốc"]
    assert scoring.is_correct("short", key, "nguyen ai quoc")
    assert not scoring.is_correct("short", key, "Hồ Chí")
    assert not scoring.is_correct("short", key, "")
    assert not scoring.is_correct("short", key, "...")


def test_an_essay_is_never_marked_from_a_key() -> None:
    assert scoring.objective_points("essay", None, "Bài làm", 4) == D("0.00")


def test_part_score_is_ten_times_earned_over_available_rounded_half_up() -> None:
    assert scoring.part_score([D(1), D(1), D(0)], [D(1), D(1), D(1)]) == D("6.67")
    assert scoring.part_score([D("2.5")], [D(4)]) == D("6.25")
    # 10 × 1 / 8 = 1.25 exactly; 10 × 1 / 16 = 0.625 → 0.63 (half up, not to even)
    assert scoring.part_score([D(1)], [D(16)]) == D("0.63")


def test_a_part_without_points_has_no_score() -> None:
    assert scoring.part_score([], []) is None


def test_final_score_weighs_written_70_and_oral_30_by_hand() -> None:
    # (8 × 70 + 6 × 30) / 100 = (560 + 180) / 100 = 7.40
    assert scoring.final_score(D(8), D(6), 70, 30) == D("7.40")


def test_final_score_with_one_part_of_weight_zero_ignores_it() -> None:
    assert scoring.final_score(D("6.25"), None, 100, 0) == D("6.25")


def test_final_score_refuses_a_weighted_part_without_score() -> None:
    with pytest.raises(ValueError):
        scoring.final_score(D(8), None, 70, 30)


def test_exactly_at_the_pass_mark_passes_and_one_hundredth_below_fails() -> None:
    assert scoring.has_passed(D("5.00"), D("5.00"))
    assert not scoring.has_passed(D("4.99"), D("5.00"))


def test_two_marks_within_the_threshold_agree_on_their_mean() -> None:
    assert not scoring.disagree(D(3), D("2.5"), D(4), 20)
    assert scoring.agreed_points(D(3), D("2.5")) == D("2.75")
    assert scoring.agreed_points(D("2.25"), D("2.50")) == D("2.38")


def test_marks_exactly_at_the_threshold_agree_and_just_over_disagree() -> None:
    # 20 % of 4 points = 0.80
    assert not scoring.disagree(D("3.00"), D("2.20"), D(4), 20)
    assert scoring.disagree(D("3.00"), D("2.19"), D(4), 20)


def test_a_mark_is_scaled_when_the_paper_weighs_the_question_differently() -> None:
    assert scoring.mark_total([D(1), D("1.5")], D(4), D(4)) == D("2.50")
    assert scoring.mark_total([D(1), D("1.5")], D(4), D(2)) == D("1.25")


def test_normalised_short_answers_keep_letters_and_digits_only() -> None:
    assert (
        scoring.normalise_short("Ngày 3/2/1930 — thành lập Đảng") == "ngay 3 2 1930 thanh lap dang"
    )
