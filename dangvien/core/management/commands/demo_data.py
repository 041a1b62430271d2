"""``manage.py demo_data``: build the fictional province of the demo (dangvien.core.demo).

Safe to run on every start (``make run`` does): if the database already holds
organisations it says so and changes nothing.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dangvien.candidates.models import Stage
from dangvien.core import demo
from dangvien.members.models import Status
from dangvien.organisations.models import Kind


class Command(BaseCommand):
    help = "Tạo dữ liệu mẫu: một tỉnh giả định với khoảng 20.000 đảng viên và các tài khoản demo."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--members",
            type=int,
            default=demo.DEFAULT_MEMBERS,
            help=f"Number of members to create (default {demo.DEFAULT_MEMBERS}).",
        )
        parser.add_argument(
            "--candidates",
            type=int,
            default=None,
            help="Number of candidates (default: about one per 55 members, at least 40).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=demo.DEFAULT_SEED,
            help=f"Random seed: one seed, one province (default {demo.DEFAULT_SEED}).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Build everything, then roll it back."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = demo.build(
                members=options["members"],
                seed=options["seed"],
                candidates=options["candidates"],
                dry_run=options["dry_run"],
                out=self.stdout.write,
            )
        except demo.AlreadyPopulated as error:
            self.stdout.write(str(error))
            return
        self.report(summary)

    def report(self, summary: dict[str, Any]) -> None:
        write = self.stdout.write
        if summary.get("dry_run"):
            write(self.style.WARNING("--dry-run: mọi thay đổi đã được hoàn tác."))
        write("Tổ chức đảng:")
        for kind, count in summary["organisations"].items():
            write(f"  {Kind(kind).label}: {count}")
        members = summary["members"]
        by_status = ", ".join(f"{Status(k).label.lower()} {v}" for k, v in members.items())
        write(f"Đảng viên: {sum(members.values())} ({by_status})")
        write("Quần chúng ưu tú theo bước:")
        for stage, count in summary["candidates"].items():
            write(f"  {Stage(stage).label}: {count}")
        write(f"Tài khoản demo (mật khẩu “{demo.PASSWORD}”): {', '.join(summary['users'])}, admin")
        write(f"  demo.xa: {summary['demo_commune']}; demo.chibo: {summary['demo_branch']}")
        if summary.get("exam_code"):
            write(
                f"Mã dự thi thử (đợt kiểm tra đang mở, làm bài tại /thi/): {summary['exam_code']}"
            )
        timings = ", ".join(f"{k} {v:.1f}s" for k, v in summary["timings"].items())
        write(self.style.SUCCESS(f"Xong trong {summary['seconds']:.1f} giây ({timings})."))
