"""Benchmark: marking 300 sittings of 40-question papers (issue 5).

Builds a round in status "marking" with four variants of 40 questions each (33 objective
of every type, 2 essays, 5 oral), 300 handed-in online sittings whose essay and oral
answers two board members have already scored (in agreement), and objective responses
about 70 % right, a few left blank (no answer row, as a candidate who never touched the
question). Then times ``mark_objective`` and ``compute_results``, the two steps that turn
handed-in sittings into results. Target: under 5 s for both together.

    DEBUG=1 .venv/bin/python bench/exam_marking.py [--candidates 300] [--questions 40]

Runs on a scratch SQLite database in a temporary folder unless ``DATABASE_URL`` is set
(then that database must be empty or disposable: the script migrates it and adds data).
"""

import argparse
import random
from decimal import Decimal
from typing import Any

from _common import count_queries, setup_django, timed

TARGET_SECONDS = 5.0


def wrong_response(kind: str, key: Any, rng: random.Random) -> Any:
    if kind == "single":
        return rng.choice([k for k in "ABCD" if k != key])
    if kind == "multiple":
        return rng.choice([["A"], ["A", "B", "C"], ["B", "D"]])
    if kind == "true_false":
        return not key
    return "Hội nghị Trung ương"


def right_response(kind: str, key: Any, rng: random.Random) -> Any:
    if kind == "short":  # as candidates type it: any case, with or without diacritics
        return rng.choice(["Đại hội", "đại hội", "DAI HOI", "dai hoi.", " Đại  hội "])
    return key


def build(args: argparse.Namespace) -> tuple[Any, Any, int, int]:
    """The round, a board member, the number of answer rows and of marks written."""
    from datetime import date

    from dangvien.accounts.models import Role
    from dangvien.candidates.models import Candidate
    from dangvien.exams.models import (
        OBJECTIVE,
        Answer,
        Mark,
        QuestionType,
        RoundStatus,
        Sitting,
        SittingStatus,
    )
    from dangvien.exams.tests.factories import add_board, make_paper, make_question, make_round
    from dangvien.factories import make_candidate, tree_2025, user_with_role

    rng = random.Random(2026)
    tree = tree_2025()
    commune = tree["commune"]
    board = [user_with_role(Role.GRASSROOTS_STAFF, tree["school"]) for _ in range(3)]
    exam_round = make_round(
        commune,
        name="Đợt kiểm tra nhận thức về Đảng (thử tải chấm bài)",
        held_on=date(2026, 11, 20),
        status=RoundStatus.MARKING,
        written_weight=70,
        oral_weight=30,
        pass_mark=5,
    )
    add_board(exam_round, *board)

    oral_n, essay_n = 5, 2
    objective_n = args.questions - oral_n - essay_n
    kinds = [QuestionType.SINGLE, QuestionType.SINGLE, QuestionType.MULTIPLE]
    kinds += [QuestionType.TRUE_FALSE, QuestionType.SHORT]
    objective = [
        make_question(commune, type=kinds[i % len(kinds)]) for i in range(objective_n + 12)
    ]
    essays = [make_question(commune, type=QuestionType.ESSAY, points=4) for _ in range(4)]
    orals = [make_question(commune, type=QuestionType.ORAL, points=2) for _ in range(7)]
    papers = []
    for number in range(1, args.variants + 1):
        chosen = rng.sample(objective, objective_n) + rng.sample(essays, essay_n)
        rng.shuffle(chosen)
        chosen += rng.sample(orals, oral_n)
        papers.append(make_paper(exam_round, chosen, number=number, shuffle=True))
    items = {
        paper.pk: list(paper.items.select_related("version__question").order_by("position"))
        for paper in papers
    }

    branches = [tree["village"], tree["school_branch"], tree["clinic"]]
    candidates: list[Candidate] = [
        make_candidate(branch=branches[i % 3]) for i in range(args.candidates)
    ]
    Sitting.objects.bulk_create(
        [
            Sitting(
                round=exam_round,
                person_id=c.person_id,
                candidate=c,
                org_path=c.org_path,
                paper=papers[i % len(papers)],
                status=SittingStatus.SUBMITTED,
            )
            for i, c in enumerate(candidates)
        ],
        batch_size=500,
    )
    answers: list[Answer] = []
    hand: list[tuple[Answer, Decimal, Decimal]] = []
    for sitting in Sitting.objects.filter(round=exam_round).order_by("pk"):
        ability = rng.uniform(0.35, 0.95)
        for item in items[sitting.paper_id]:  # type: ignore[index]
            kind, key = item.version.question.type, item.version.answer
            if kind in OBJECTIVE:
                if rng.random() < 0.03:
                    continue  # never answered: no row
                right = rng.random() < ability
                response = (right_response if right else wrong_response)(kind, key, rng)
                answers.append(Answer(sitting=sitting, item=item, response=response))
                continue
            most = item.points
            first = (most * Decimal(str(round(rng.uniform(ability - 0.2, ability), 2)))).quantize(
                Decimal("0.25")
            )
            first = max(Decimal(0), min(most, first))
            second = max(
                Decimal(0),
                min(most, first + rng.choice([Decimal("-0.25"), Decimal(0), Decimal("0.25")])),
            )
            answer = Answer(
                sitting=sitting,
                item=item,
                response=None if kind == QuestionType.ORAL else "Bài làm tự luận của thí sinh.",
                points=((first + second) / 2).quantize(Decimal("0.01")),
            )
            answers.append(answer)
            hand.append((answer, first, second))
    Answer.objects.bulk_create(answers, batch_size=1000)
    saved = {
        (a.sitting_id, a.item_id): a.pk
        for a in Answer.objects.filter(sitting__round=exam_round).only(
            "pk", "sitting_id", "item_id"
        )
    }
    marks = []
    for answer, first, second in hand:
        pk = saved[(answer.sitting_id, answer.item_id)]
        for marker, points in ((board[1], first), (board[2], second)):
            half = (points / 2).quantize(Decimal("0.01"))
            marks.append(
                Mark(
                    answer_id=pk,
                    marker=marker,
                    criteria=[
                        {"criterion": "Nêu đúng nội dung chính", "points": str(half)},
                        {"criterion": "Liên hệ bản thân", "points": str(points - half)},
                    ],
                    points=points,
                )
            )
    Mark.objects.bulk_create(marks, batch_size=1000)
    return exam_round, board[1], len(answers), len(marks)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--candidates", type=int, default=300)
    parser.add_argument("--questions", type=int, default=40, help="per paper (≥ 10)")
    parser.add_argument("--variants", type=int, default=4, help="mã đề")
    args = parser.parse_args()

    scratch = setup_django("bench-exam-marking-")

    from django.db import connection

    from dangvien.exams.actions.marking import compute_results, mark_objective
    from dangvien.exams.queries.results import results
    from dangvien.exams.queries.statistics import item_statistics, round_statistics

    figures: dict[str, float] = {}
    with timed("build", figures):
        exam_round, marker, answer_rows, mark_rows = build(args)

    with timed("objective", figures):
        marked, objective_queries = count_queries(lambda: mark_objective(exam_round, by=marker))
    with timed("results", figures):
        computed, results_queries = count_queries(lambda: compute_results(exam_round, by=marker))
    with timed("list", figures):
        listing, list_queries = count_queries(lambda: results(exam_round))
    with timed("stats", figures):
        (items, summary), stats_queries = count_queries(
            lambda: (item_statistics(exam_round), round_statistics(exam_round))
        )

    total = figures["objective"] + figures["results"]
    print(f"Database: {connection.vendor}" + (f" (scratch {scratch})" if scratch else ""))
    print(
        f"Round: {args.candidates} sittings × {args.questions} questions on {args.variants} "
        f"variants; {answer_rows} answer rows saved, {mark_rows} marks by two markers "
        f"(built in {figures['build']:.1f} s)"
    )
    print(
        f"mark_objective: {figures['objective']:.2f} s, {objective_queries} queries "
        f"({marked.sittings} sittings, {marked.answers_changed} answers marked, "
        f"{marked.answers_created} blank answers created)"
    )
    print(
        f"compute_results: {figures['results']:.2f} s, {results_queries} queries "
        f"({computed.marked} marked, {computed.waiting} waiting)"
    )
    verdict = "OK" if total < TARGET_SECONDS else "TOO SLOW"
    print(f"Marking total: {total:.2f} s (target < {TARGET_SECONDS:.0f} s): {verdict}")
    print(
        f"Results list: {figures['list']:.2f} s, {list_queries} queries; "
        f"{listing.passed} passed, {listing.failed} failed"
    )
    print(
        f"Statistics: {figures['stats']:.2f} s, {stats_queries} queries; mean {summary.mean}, "
        f"pass rate {summary.pass_rate} %, {sum(1 for i in items if i.review)} of "
        f"{len(items)} questions to review"
    )


if __name__ == "__main__":
    main()
