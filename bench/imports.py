"""Benchmark: importing 100,000 members from one file, dry run + commit (issue 8: "100,000
rows import in under 2 minutes on PostgreSQL (benchmark prints the figure)").

Builds a province with communes and chi bộ (about 200 members each), writes a members file
of ``--rows`` rows in the published template's columns (CSV by default, ``--xlsx`` for an
Excel workbook; realistic Vietnamese names, official and probationary members, some with a
card number), then runs what the background tasks run, timed:

1. upload (store the file, read the header, propose the mapping);
2. the dry run (every row checked; must find no problem);
3. the commit (one transaction; the audit triggers fire per row, as in production);
4. the same file again: dry run + commit, which must report "0 thêm, 0 sửa, N không đổi".

It prints the seconds and rows per second of each step, the rows written (people, members,
timeline rows, audit events) and the verdict against the 120 s target (dry run + commit).

    scripts/with-postgres .venv/bin/python bench/imports.py [--rows 100000] [--xlsx]
    DEBUG=1 .venv/bin/python bench/imports.py --rows 5000   # SQLite, smaller

Tasks run in the benchmark's process (the immediate backend), so the figures are the
task's work without the worker's polling delay.
"""

import argparse
import csv
import io
import os
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ["TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"

from _common import setup_django

TARGET_SECONDS = 120.0
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Bùi", "Đinh", "Hà", "Quách", "Vũ", "Đặng"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Ngọc", "Thu", "Hữu", "Quốc", "Thanh"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Lan", "Mai", "Nam", "Quang", "Tùng", "Yến"]
HEADER = [
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Số CCCD",
    "Trình độ học vấn",
    "Dân tộc",
    "Tôn giáo",
    "Nghề nghiệp",
    "Quê quán",
    "Nơi ở hiện nay",
    "Điện thoại",
    "Chi bộ",
    "Trạng thái",
    "Ngày kết nạp",
    "Ngày lễ kết nạp",
    "Ngày chính thức",
    "Số thẻ đảng viên",
]
EDUCATION = ["Trung học cơ sở", "Trung học phổ thông", "Trung cấp", "Cao đẳng", "Đại học"]


def build_tree(branches: int) -> tuple[Any, list[Any]]:
    """Province → communes (20 chi bộ each) → chi bộ with codes CB00001…"""
    from dangvien.core.text import collation_key
    from dangvien.organisations.models import Kind, Organisation, Sector, path_segment

    def add(parent: Any, name: str, kind: str, code: str = "", **extra: Any) -> Any:
        org = Organisation.objects.create(
            name=name,
            kind=kind,
            parent=parent,
            path="tmp",
            depth=(parent.depth + 1) if parent else 0,
            sort_key=collation_key(name),
            code=code,
            **extra,
        )
        org.path = (parent.path if parent else "") + path_segment(org.pk)
        org.save(update_fields=["path"])
        return org

    province = add(None, "Tỉnh ủy Thử Nghiệm", Kind.PROVINCE)
    units = []
    commune = None
    for i in range(branches):
        if i % 20 == 0:
            commune = add(
                province, f"Đảng bộ xã Số {i // 20 + 1}", Kind.COMMUNE, sector=Sector.COMMUNE_WARD
            )
        units.append(
            add(
                commune,
                f"Chi bộ thôn {i + 1}",
                Kind.BRANCH,
                code=f"CB{i + 1:05d}",
                sector=Sector.COMMUNE_WARD,
            )
        )
    return province, units


def member_rows(n: int, branches: list[Any], seed: int = 8) -> list[list[str]]:
    from dangvien.core.dates import add_months

    rng = random.Random(seed)
    today = date.today()
    rows = []
    for i in range(n):
        sex = rng.choice(["Nam", "Nữ"])
        middle = "Thị" if sex == "Nữ" else rng.choice(MIDDLE)
        birth = date(rng.randint(1945, 2000), rng.randint(1, 12), rng.randint(1, 28))
        admitted = birth + timedelta(days=rng.randint(19 * 365, 30 * 365))
        admitted = min(admitted, today - timedelta(days=400))
        probationary = rng.random() < 0.04
        if probationary:
            admitted = today - timedelta(days=rng.randint(40, 330))
        ceremony = admitted + timedelta(days=rng.randint(5, 30))
        official = "" if probationary else f"{add_months(ceremony, 12):%d/%m/%Y}"
        branch = branches[i % len(branches)]
        rows.append(
            [
                " ".join((rng.choice(FAMILY), middle, rng.choice(GIVEN))),
                f"{birth:%d/%m/%Y}",
                sex,
                f"{1_000_000_000 + i:012d}",
                rng.choice(EDUCATION),
                rng.choice(["Kinh"] * 8 + ["Tày", "Mường"]),
                "Không",
                rng.choice(["Giáo viên", "Nông dân", "Công chức", "Hưu trí", "Kỹ sư"]),
                f"Xã Số {rng.randint(1, 99)}, tỉnh Thử Nghiệm",
                f"Thôn {rng.randint(1, 30)}",
                f"09{rng.randint(10_000_000, 99_999_999)}",
                branch.code if i % 3 else branch.name,
                "Dự bị" if probationary else "Chính thức",
                f"{admitted:%d/%m/%Y}",
                f"{ceremony:%d/%m/%Y}",
                official,
                f"{i + 1:08d}" if rng.random() < 0.5 else "",
            ]
        )
    return rows


def write_file(rows: list[list[str]], xlsx: bool, folder: str) -> Path:
    if xlsx:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(HEADER)
        for row in rows:
            sheet.append(row)
        path = Path(folder) / "dang-vien.xlsx"
        book.save(path)
        return path
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    path = Path(folder) / "dang-vien.csv"
    path.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode())
    return path


def counts() -> dict[str, int]:
    from dangvien.core.models import AuditEvent
    from dangvien.members.models import Member, StatusChange
    from dangvien.people.models import Person

    return {
        "người": Person.objects.count(),
        "đảng viên": Member.objects.count(),
        "dòng lịch sử": StatusChange.objects.count(),
        "sự kiện kiểm toán": AuditEvent.objects.count(),
    }


def run_import(path: Path, node: Any, user: Any, label: str) -> tuple[Any, dict[str, float]]:
    from django.core.files import File

    from dangvien.imports import actions

    seconds: dict[str, float] = {}
    start = time.perf_counter()
    with open(path, "rb") as handle:
        job = actions.create_job("members", node, File(handle, name=path.name), by=user)
    seconds["tải lên"] = time.perf_counter() - start
    start = time.perf_counter()
    actions.start_dry_run(job, by=user)
    job.refresh_from_db()
    seconds["chạy thử"] = time.perf_counter() - start
    assert job.state == "checked", (job.state, job.message)
    if job.error_count:
        for problem in job.problems.all()[:10]:
            print("   ", problem.text)
        raise SystemExit(f"{label}: the dry run found {job.error_count} problems")
    start = time.perf_counter()
    actions.start_commit(job, by=user)
    job.refresh_from_db()
    seconds["ghi"] = time.perf_counter() - start
    assert job.state == "done", (job.state, job.message)
    return job, seconds


def report(label: str, job: Any, seconds: dict[str, float]) -> float:
    rows = job.total_rows
    print(f"\n{label}: {rows:,} dòng".replace(",", "."))
    for step, value in seconds.items():
        print(f"  {step:<10} {value:7.1f} s  ({rows / value:,.0f} dòng/s)".replace(",", "."))
    total = seconds["chạy thử"] + seconds["ghi"]
    print(f"  chạy thử + ghi: {total:.1f} s ({rows / total:,.0f} dòng/s)".replace(",", "."))
    print(f"  kết quả: {job.added} thêm, {job.updated} sửa, {job.unchanged} không đổi")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--xlsx", action="store_true", help="an Excel file instead of CSV")
    args = parser.parse_args()

    scratch = setup_django("dangvien-bench-imports-")
    folder = scratch or tempfile.mkdtemp(prefix="dangvien-bench-imports-")
    from django.conf import settings
    from django.db import connection

    settings.UPLOADS_DIR = Path(folder) / "uploads"
    from dangvien.accounts.models import Role, RoleAssignment, User

    print(f"Cơ sở dữ liệu: {connection.vendor}")
    province, branches = build_tree(max(1, args.rows // 200))
    user = User.objects.create(username="bench-imports")
    RoleAssignment.objects.create(user=user, organisation=province, role=Role.BOARD_STAFF)
    start = time.perf_counter()
    path = write_file(member_rows(args.rows, branches), args.xlsx, folder)
    size = path.stat().st_size / 1024 / 1024
    rows_text = f"{args.rows:,}".replace(",", ".")
    print(f"Tệp {path.name}: {rows_text} dòng, {size:.1f} MB", end="")
    print(f" (tạo trong {time.perf_counter() - start:.1f} s); {len(branches)} chi bộ")

    before = counts()
    job, seconds = run_import(path, province, user, "lần đầu")
    first = report("Lần nhập đầu", job, seconds)
    after = counts()
    print(
        "  đã ghi: " + ", ".join(f"{after[k] - before[k]:,} {k}".replace(",", ".") for k in after)
    )

    job, seconds = run_import(path, province, user, "lần hai")
    report("Nhập lại cùng tệp", job, seconds)
    again = counts()
    changed = {k: again[k] - after[k] for k in again}
    print("  thay đổi: " + ", ".join(f"{v} {k}" for k, v in changed.items()))
    assert (job.added, job.updated) == (0, 0) and job.unchanged == args.rows
    assert changed["người"] == changed["đảng viên"] == changed["dòng lịch sử"] == 0

    verdict = "ĐẠT" if first < TARGET_SECONDS else "KHÔNG ĐẠT"
    print(
        f"\nMục tiêu: chạy thử + ghi {args.rows:,} dòng dưới {TARGET_SECONDS:.0f} s: ".replace(
            ",", "."
        )
        + f"{first:.1f} s — {verdict}"
    )


if __name__ == "__main__":
    main()
