"""Benchmark: a round of 300 candidates with 40-question papers (issue 5).

Builds a bank of about 400 questions across the five topics and three difficulties, a
round with its board and a 40-question blueprint (35 written, 5 oral), registers 300
candidates, then times paper generation and the DOCX (and PDF) of every variant and its
answer key. Target: generating all variants and their DOCX files in under 30 s.

    DEBUG=1 .venv/bin/python bench/exam_papers.py [--variants 50] [--candidates 300]
    DEBUG=1 .venv/bin/python bench/exam_papers.py --sample docs/exams   # keep variant 001

Runs on a scratch SQLite database in a temporary folder unless ``DATABASE_URL`` is set
(then that database must be empty or disposable: the script migrates it and adds data).
"""

import argparse
import os
import shutil
from pathlib import Path
from typing import Any

from _common import count_queries, setup_django, timed


def build_bank(owner: Any) -> int:
    """27 questions per topic and difficulty: 24 written of every objective type and
    essays, 3 oral (5 topics × 3 difficulties × 27 = 405)."""
    from dangvien.exams.models import Difficulty, QuestionType, Topic
    from dangvien.exams.tests.factories import make_question

    written_types = [
        QuestionType.SINGLE,
        QuestionType.SINGLE,
        QuestionType.MULTIPLE,
        QuestionType.TRUE_FALSE,
        QuestionType.SHORT,
        QuestionType.ESSAY,
    ]
    made = 0
    for topic in Topic.objects.all():
        for difficulty in Difficulty.values:
            for i in range(24):
                make_question(
                    owner,
                    type=written_types[i % len(written_types)],
                    topic_code=topic.code,
                    difficulty=difficulty,
                    text=f"Câu hỏi {i + 1} về {topic.name.lower()} (độ khó {difficulty}): "
                    "theo Điều lệ Đảng, đảng viên có những nhiệm vụ và quyền gì?",
                )
                made += 1
            for i in range(3):
                make_question(
                    owner,
                    type=QuestionType.ORAL,
                    topic_code=topic.code,
                    difficulty=difficulty,
                    points=2,
                    text=f"Vấn đáp {i + 1}: trình bày hiểu biết của đồng chí về {topic.name}.",
                )
                made += 1
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=300)
    parser.add_argument("--variants", type=int, default=50, help="mã đề (1–50)")
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF timings")
    parser.add_argument("--sample", type=Path, help="write variant 001 (paper, key) here")
    args = parser.parse_args()

    scratch = setup_django("bench-exam-papers-")

    from datetime import date

    from dangvien.accounts.models import Role
    from dangvien.exams import printing
    from dangvien.exams.actions import rounds as actions
    from dangvien.exams.models import Difficulty, Part, Topic
    from dangvien.exams.queries.rounds import papers_with_items
    from dangvien.factories import make_candidate, tree_2025, user_with_role

    figures: dict[str, float] = {}
    tree = tree_2025()
    commune = tree["commune"]
    staff = user_with_role(Role.BOARD_STAFF, commune, display_name="Cán bộ Ban Tổ chức")
    board = [user_with_role(Role.GRASSROOTS_STAFF, tree["school"]) for _ in range(3)]
    with timed("bank", figures):
        questions = build_bank(commune)
    branches = [tree["village"], tree["school_branch"], tree["clinic"]]
    candidates = [make_candidate(branch=branches[i % 3]) for i in range(args.candidates)]

    exam_round = actions.create_round(
        commune,
        name="Đợt kiểm tra nhận thức về Đảng (thử tải)",
        held_on=date(2026, 11, 20),
        venue="Hội trường Đảng ủy xã",
        duration_minutes=60,
        pass_mark=5,
        written_weight=70,
        oral_weight=30,
        variants=args.variants,
        disagreement_percent=20,
        by=staff,
    )
    actions.set_board(exam_round, members=board, chair=board[0], by=staff)
    topics = list(Topic.objects.all())
    lines = []
    for topic in topics:  # 5 × (2 easy + 3 medium + 2 hard) written + 5 × 1 oral = 40
        for difficulty in Difficulty.values:
            count = 3 if difficulty == Difficulty.MEDIUM else 2
            lines.append(actions.Line(Part.WRITTEN, topic, difficulty, count))
        lines.append(actions.Line(Part.ORAL, topic, Difficulty.MEDIUM, 1))
    actions.set_blueprint(exam_round, lines=lines, by=staff)
    per_paper = sum(line.count for line in lines)

    with timed("register", figures):
        results, register_queries = count_queries(
            lambda: actions.register_candidates(
                exam_round, candidates=candidates, mode="online", by=staff
            )
        )
    registered = sum(1 for r in results if r.registered)

    with timed("generate", figures):
        _papers, generate_queries = count_queries(
            lambda: actions.generate_papers(exam_round, by=staff)
        )
    with timed("load", figures):
        papers, load_queries = count_queries(lambda: list(papers_with_items(exam_round)))
    docx_bytes = 0
    with timed("docx", figures):
        for paper in papers:
            docx_bytes += len(printing.paper_docx(paper)) + len(printing.key_docx(paper))
    pdf_bytes = 0
    if not args.no_pdf:
        with timed("pdf", figures):
            for paper in papers:
                pdf_bytes += len(printing.paper_pdf(paper)) + len(printing.key_pdf(paper))
    with timed("codes", figures):
        codes = actions.issue_codes(exam_round, by=staff)

    if args.sample:
        args.sample.mkdir(parents=True, exist_ok=True)
        first = papers[0]
        for key in (False, True):
            make = (
                (printing.key_docx, printing.key_pdf)
                if key
                else (printing.paper_docx, printing.paper_pdf)
            )
            (args.sample / printing.file_name(first, key=key, ext="docx")).write_bytes(
                make[0](first)
            )
            (args.sample / printing.file_name(first, key=key, ext="pdf")).write_bytes(
                make[1](first)
            )

    target = figures["generate"] + figures["load"] + figures["docx"]
    if scratch:
        from django.db import connection

        connection.close()
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"Bank: {questions} questions ({figures['bank']:.1f} s to build)")
    print(
        f"Round: {registered} candidates registered of {len(candidates)}, "
        f"{len(papers)} variants × {per_paper} questions ({len(lines)} blueprint lines)"
    )
    print(
        f"register_candidates ({registered}): {figures['register']:.2f} s, "
        f"{register_queries} queries"
    )
    print(
        f"generate_papers ({len(papers)} variants, {len(papers) * per_paper} items): "
        f"{figures['generate']:.2f} s, {generate_queries} queries"
    )
    print(f"load papers with items: {figures['load']:.2f} s, {load_queries} queries")
    print(
        f"DOCX of {len(papers)} papers + {len(papers)} keys: {figures['docx']:.2f} s "
        f"({docx_bytes / 1024:.0f} KiB)"
    )
    if not args.no_pdf:
        print(
            f"PDF of {len(papers)} papers + {len(papers)} keys: {figures['pdf']:.2f} s "
            f"({pdf_bytes / 1024:.0f} KiB)"
        )
    print(f"issue_codes ({len(codes)} codes): {figures['codes']:.2f} s")
    verdict = "OK" if target < 30 else "TOO SLOW"
    print(f"Generate + DOCX of all variants and keys: {target:.2f} s (target < 30 s): {verdict}")
    database = "a scratch SQLite database (removed)" if scratch else os.environ["DATABASE_URL"]
    print(f"(on {database})")


if __name__ == "__main__":
    main()
