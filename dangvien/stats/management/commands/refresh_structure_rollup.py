"""``manage.py refresh_structure_rollup [--quiet]``: count again the slices of the structure
rollup written to since the last refresh, in every tree that has some
(``stats.rollup.refresh_queued``; issue 9).

Run every minute (``deploy/systemd/dangvien-refresh-structure.timer``): a reader always
counts what is still queued before it answers, so the figures are exact without this job;
the job keeps the queue short, so that a province's page seldom has more than the last
minute's writes to count (writes in ten communes of a province: about a second). Prints
how many trees it refreshed (nothing with ``--quiet`` when there were none). Exits
non-zero on any error.
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from dangvien.stats import rollup


class Command(BaseCommand):
    help = "Tính lại số liệu tổng hợp cơ cấu đảng viên ở những đơn vị có thay đổi."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--quiet", action="store_true", help="Không in gì khi không có thay đổi."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        count = rollup.refresh_queued(timezone.localdate())
        if count or not options["quiet"]:
            self.stdout.write(f"Đã cập nhật {count} cây, {time.perf_counter() - started:.1f} s.")
