"""Benchmark: the full admission dossier of one candidate as one ZIP (issue 8: "Generating
a full admission dossier (8 documents) takes under 2 seconds").

Builds a candidate of a village chi bộ directly under a commune (so no 7-KNĐ or 8-KNĐ)
whose procedure is recorded up to the admission decision: awareness certificate,
application and declaration, background check, two member introducers, the chi bộ's
vote, the decision. Its admission dossier then holds 8 documents (CN-NTVĐ, 1-KNĐ, 2-KNĐ,
3-KNĐ × 2, 5-KNĐ, 6-KNĐ, 9-KNĐ). Times ``generate_dossier`` in PDF and in DOCX: the first
call of the process (fonts and templates loaded) and the median of 5 more.

    DEBUG=1 .venv/bin/python bench/dossier.py [--runs 5]
    scripts/with-postgres .venv/bin/python bench/dossier.py

Runs on a scratch SQLite database in a temporary folder unless ``DATABASE_URL`` is set
(then that database must be empty or disposable: the script migrates it and adds data).
"""

import argparse
import io
import statistics
import time
import zipfile
from datetime import date
from typing import Any

from _common import count_queries, setup_django

TARGET_SECONDS = 2.0


def build() -> Any:
    from dangvien.candidates.models import BackgroundCheck, Introducer, Stage
    from dangvien.documents.tests.helpers import branch_vote
    from dangvien.factories import make_candidate, make_member, tree_2025

    tree = tree_2025()
    branch = tree["village"]
    members = [make_member(branch=branch) for _ in range(3)]
    candidate = make_candidate(
        branch=branch,
        stage=Stage.ADMITTED,
        course_name="Lớp bồi dưỡng nhận thức về Đảng khóa 1/2026",
        course_started_on=date(2026, 1, 5),
        certificate_no="125-GCN/TTCT",
        certificate_issued_on=date(2026, 1, 20),
        application_on=date(2026, 2, 1),
        declaration_on=date(2026, 2, 5),
        decision_no="127-QĐ/ĐU",
        decided_on=date(2026, 5, 20),
    )
    BackgroundCheck.objects.create(
        candidate=candidate, completed_on=date(2026, 3, 20), outcome="clear"
    )
    for member in members[:2]:
        Introducer.objects.create(candidate=candidate, member=member, known_since=date(2024, 1, 1))
    branch_vote(candidate)
    return candidate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    setup_django("dangvien-bench-dossier-")
    from dangvien.documents.generate import generate_dossier

    candidate = build()
    verdicts = []
    for fmt in ("pdf", "docx"):
        start = time.perf_counter()
        (data, name), queries = count_queries(
            lambda fmt=fmt: generate_dossier(candidate, "admission", fmt)
        )
        first = time.perf_counter() - start
        documents = [n for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if n != "DANH-MUC.txt"]
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            generate_dossier(candidate, "admission", fmt)
            times.append(time.perf_counter() - start)
        median = statistics.median(times)
        ok = max(first, median) < TARGET_SECONDS
        verdicts.append(ok)
        print(
            f"{fmt.upper():4} {len(documents)} documents, {len(data) / 1024:.0f} KB ({name}), "
            f"{queries} queries: first call {first:.2f} s, median of {args.runs} "
            f"{median:.2f} s (max {max(times):.2f} s) — target < {TARGET_SECONDS:.0f} s: "
            f"{'OK' if ok else 'TOO SLOW'}"
        )
        print("     " + ", ".join(sorted(documents)))
    raise SystemExit(0 if all(verdicts) else 1)


if __name__ == "__main__":
    main()
