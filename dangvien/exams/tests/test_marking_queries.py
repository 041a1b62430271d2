"""Reads about marks and results: the last valid pass, a person's results, the results
list, the marker's queue and the blind numbers."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from dangvien.candidates.models import Candidate
from dangvien.core.models import RuleParameter
from dangvien.exams.actions.marking import mark_objective, score_answer
from dangvien.exams.models import Answer, QuestionType, RoundStatus, Sitting, SittingStatus
from dangvien.exams.queries.results import (
    blind_numbers,
    item_for_marker,
    latest_pass,
    marking_queue,
    resit_from,
    results,
    results_of,
)
from dangvien.exams.tests.factories import make_round, make_sitting
from dangvien.exams.tests.factories_marking import Marking, marking_round
from dangvien.factories import make_candidate
from dangvien.organisations.models import Organisation
from dangvien.people.models import Person

T = QuestionType


def _sat(
    tree: dict[str, Organisation],
    person: Person,
    held_on: date,
    *,
    passed: bool | None = True,
    status: str = RoundStatus.SIGNED,
) -> Sitting:
    exam_round = make_round(tree["commune"], held_on=held_on, status=status)
    candidate = Candidate.objects.get(person=person)
    return make_sitting(
        exam_round,
        candidate,
        status=SittingStatus.MARKED,
        final_score=Decimal("7.00") if passed else Decimal("3.00"),
        passed=passed,
    )


@pytest.fixture
def person(tree: dict[str, Organisation]) -> Person:
    return make_candidate(branch=tree["village"]).person


def test_a_pass_counts_up_to_exactly_the_validity_months_later(
    tree: dict[str, Organisation], person: Person
) -> None:
    sitting = _sat(tree, person, date(2025, 11, 20))  # validity: 12 months by default
    assert latest_pass(person, date(2025, 11, 20)) == sitting
    assert latest_pass(person, date(2026, 11, 20)) == sitting
    assert latest_pass(person, date(2026, 11, 21)) is None


def test_a_pass_before_it_was_held_does_not_count(
    tree: dict[str, Organisation], person: Person
) -> None:
    _sat(tree, person, date(2025, 11, 20))
    assert latest_pass(person, date(2025, 11, 19)) is None


def test_a_pass_in_a_round_not_signed_or_a_fail_does_not_count(
    tree: dict[str, Organisation], person: Person
) -> None:
    _sat(tree, person, date(2025, 11, 20), status=RoundStatus.MARKING)
    _sat(tree, person, date(2025, 12, 20), passed=False)
    assert latest_pass(person, date(2026, 1, 5)) is None


def test_the_newest_valid_pass_is_returned(tree: dict[str, Organisation], person: Person) -> None:
    _sat(tree, person, date(2025, 3, 1))
    newer = _sat(tree, person, date(2025, 9, 1))
    assert latest_pass(person, date(2026, 1, 5)) == newer


def test_a_province_may_shorten_the_validity(tree: dict[str, Organisation], person: Person) -> None:
    sitting = _sat(tree, person, date(2025, 11, 20))
    RuleParameter.objects.create(
        key="exam.result_validity_months",
        value=6,
        effective_from=date(2020, 1, 1),
        organisation=tree["province"],
        source="Hướng dẫn của tỉnh (thử)",
    )
    assert latest_pass(person, date(2026, 5, 20)) == sitting
    assert latest_pass(person, date(2026, 5, 21)) is None


def test_results_of_lists_a_persons_sittings_newest_first(
    tree: dict[str, Organisation], person: Person
) -> None:
    old = _sat(tree, person, date(2025, 3, 1), passed=False)
    new = _sat(tree, person, date(2025, 9, 1))
    assert list(results_of(person)) == [new, old]


def test_a_failed_candidate_may_sit_again_after_the_resit_days(
    tree: dict[str, Organisation], person: Person
) -> None:
    failed = _sat(tree, person, date(2025, 3, 1), passed=False)
    assert resit_from(failed) == date(2025, 3, 1) + timedelta(days=30)
    passed = _sat(tree, person, date(2025, 9, 1))
    assert resit_from(passed) is None


# ---- the results list and the queue --------------------------------------------------------


@pytest.fixture
def m(tree: dict[str, Organisation]) -> Marking:
    return marking_round(tree)


def _essay(m: Marking, sitting: Sitting) -> Answer:
    return Answer.objects.get(sitting=sitting, item=m.item(2))


def _score(answer: Answer, marker: Any, *criteria: str) -> None:
    score_answer(answer, marker=marker, criteria=list(criteria), note="", by=marker)


def test_blind_numbers_run_from_one_and_do_not_follow_registration(m: Marking) -> None:
    sittings = [m.sitting() for _ in range(12)]
    numbers = blind_numbers(m.round)
    assert sorted(numbers.values()) == list(range(1, 13))
    assert [numbers[s.pk] for s in sittings] != list(range(1, 13))


def test_the_results_list_counts_passes_disputes_and_waiting(m: Marking) -> None:
    first, second = m.sitting({1: "B", 2: "Bài làm"}), m.sitting({1: "A", 2: "Bài làm"})
    m.sitting(status=SittingStatus.ABSENT)
    mark_objective(m.round, by=m.first)
    _score(_essay(m, first), m.first, "0", "0")
    _score(_essay(m, first), m.second, "2", "2")  # disputed

    listing = results(m.round)

    assert (listing.total, listing.absent, listing.waiting, listing.marked) == (3, 1, 2, 0)
    assert listing.open_disputes == 1
    row = next(r for r in listing.rows if r.sitting == first)
    assert (row.open_disputes, row.waiting_answers) == (1, 2)  # the essay and the oral
    assert not listing.can_sign
    assert second in [r.sitting for r in listing.rows]


def test_the_queue_holds_what_the_marker_has_still_to_score(m: Marking) -> None:
    one, two = m.sitting({1: "B", 2: "Bài một"}), m.sitting({1: "B", 2: "Bài hai"})
    mark_objective(m.round, by=m.first)
    _score(_essay(m, one), m.first, "1", "1")

    queue = marking_queue(m.round, m.first)

    essay, oral = queue
    assert essay.type == T.ESSAY and oral.type == T.ORAL  # written part first
    assert [a.answer.sitting_id for a in essay.answers] == [two.pk]
    assert len(oral.answers) == 2
    assert essay.positions == [("001", 2)]


def test_an_answer_two_others_marked_leaves_a_third_members_queue(m: Marking) -> None:
    sitting = m.sitting({1: "B", 2: "Bài làm"})
    mark_objective(m.round, by=m.first)
    _score(_essay(m, sitting), m.first, "1", "1")
    _score(_essay(m, sitting), m.second, "1", "1")

    chairs = marking_queue(m.round, m.chair)

    assert [g.type for g in chairs] == [T.ORAL]
    nothing_left = item_for_marker(m.round, m.chair, m.item(2).version_id)
    assert nothing_left is not None and nothing_left.answers == []
    assert item_for_marker(m.round, m.chair, m.item(1).version_id) is None  # objective
    mine = item_for_marker(m.round, m.first, m.item(2).version_id)
    assert mine is not None and mine.answers[0].own is not None


def test_the_results_list_matches_numbers_to_names_only_once_signed(m: Marking) -> None:
    sitting = m.sitting({1: "B"})
    assert results(m.round).rows[0].number is None
    m.round.status = RoundStatus.SIGNED
    m.round.save()
    assert results(m.round).rows[0].number == blind_numbers(m.round)[sitting.pk]
