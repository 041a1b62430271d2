"""``manage.py generate_nation --members 6000000 --password … [--seed 1] [--provinces 34]
[--years 10]``: load a synthetic nation into an empty PostgreSQL database for load and
scale tests (issue 9; ``dangvien.synth.nation``).

Refuses on SQLite and on a database that already holds organisations, people, members or
candidates. Prints each province as it goes, then rows and seconds per table.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangvien.synth.nation import NationRefused, Options, Summary, generate


class Command(BaseCommand):
    help = "Tạo dữ liệu tổng hợp quy mô toàn quốc (PostgreSQL, cơ sở dữ liệu trống)."

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = Options()
        parser.add_argument("--members", type=int, default=defaults.members)
        parser.add_argument("--seed", type=int, default=defaults.seed)
        parser.add_argument("--provinces", type=int, default=defaults.provinces)
        parser.add_argument("--years", type=int, default=defaults.years)
        parser.add_argument(
            "--password", required=True, help="Mật khẩu của mọi tài khoản được tạo."
        )
        parser.add_argument(
            "--prefix", default=defaults.prefix, help="Tiền tố tên tài khoản (mặc định nation)."
        )
        parser.add_argument(
            "--commune-users",
            type=int,
            default=defaults.commune_users,
            help="Số xã/phường mỗi tỉnh có tài khoản (mặc định 3).",
        )
        parser.add_argument(
            "--users-file", default="", help="Ghi danh sách tài khoản (CSV) vào tệp này."
        )
        parser.add_argument(
            "--totp-key",
            default="",
            help="Khóa TOTP (hex) gắn cho mọi tài khoản được tạo, để kịch bản tải tính mã.",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=defaults.jobs,
            help="Số tiến trình sinh dữ liệu (mặc định 2; 1: trong tiến trình chính).",
        )
        parser.add_argument(
            "--no-surveys", action="store_true", help="Không chốt khảo sát nguồn quý hiện tại."
        )
        parser.add_argument(
            "--maintenance-work-mem",
            default=defaults.maintenance_work_mem,
            help="Bộ nhớ PostgreSQL khi dựng lại chỉ mục (mặc định 1GB).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = generate(
                Options(
                    members=options["members"],
                    seed=options["seed"],
                    provinces=options["provinces"],
                    years=options["years"],
                    password=options["password"],
                    prefix=options["prefix"],
                    commune_users=options["commune_users"],
                    users_file=options["users_file"],
                    totp_key=options["totp_key"],
                    surveys=not options["no_surveys"],
                    jobs=options["jobs"],
                    maintenance_work_mem=options["maintenance_work_mem"],
                ),
                out=self.stdout.write,
            )
        except NationRefused as error:
            raise CommandError(str(error)) from None
        self.report(summary)

    def report(self, summary: Summary) -> None:
        write = self.stdout.write
        write("")
        write(f"{'bảng':<32} {'số dòng':>12} {'COPY (s)':>9} {'chỉ mục (s)':>12}")
        write("(COPY: thời gian luồng ghi chờ máy chủ nhận; chỉ mục: dựng lại sau khi nạp)")
        for table in summary.tables:
            write(
                f"{table.name:<32} {table.rows:>12,} {table.seconds_copying:>9.1f} "
                f"{table.seconds_indexing:>12.1f}".replace(",", ".")
            )
        write("")
        write("Các bước (giây):              thực tế   CPU tiến trình   CPU máy chủ CSDL")
        for step, (wall, cpu, server) in summary.steps.items():
            write(f"  {step:<30} {wall:8.1f} {_s(cpu):>16} {_s(server):>18}")
        write("Trong đó sinh dữ liệu (CPU, giây): " + ", ".join(
            f"{part} {seconds:.1f}" for part, seconds in summary.parts.items()
        ))  # fmt: skip
        organisations = summary.counts["organisations"]
        write(f"Tổ chức đảng: {sum(organisations.values()):,}".replace(",", "."))
        members = summary.counts["members"]
        write(
            "Đảng viên: "
            + ", ".join(f"{k} {v:,}".replace(",", ".") for k, v in sorted(members.items()))
        )
        write(f"Tài khoản: {len(summary.users)} (ví dụ {summary.users[0][0]})")
        write(self.style.SUCCESS(f"Xong trong {summary.seconds:.1f} giây."))


def _s(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds:.1f}"
