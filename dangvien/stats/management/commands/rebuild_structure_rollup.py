"""``manage.py rebuild_structure_rollup [--quiet]``: count the structure rollup of every tree
again for today (``stats.rollup.rebuild_all``; issue 9).

Run it once after ``migrate`` creates the rollup (or after ``generate_nation``, which runs
it), and every night just after midnight (``deploy/systemd/dangvien-rebuild-structure
.timer``): the kept figures hold for one day, and without the nightly run the first
reader of each province after midnight waits for its count (about a second or two on a
province of the 6.4-million nation). One transaction per tree, so readers never wait
for more than one tree; prints the time of each tree unless ``--quiet``. Exits non-zero
on any error (SCALE.md: a nightly job never reports success after a failure).

Between two nightly runs, ``manage.py refresh_structure_rollup`` counts every minute what
was written to.
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from dangvien.organisations.models import Organisation
from dangvien.stats import rollup


class Command(BaseCommand):
    help = "Tính lại số liệu tổng hợp cơ cấu đảng viên của mọi cây tổ chức cho hôm nay."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="Chỉ in dòng tổng kết.")

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["quiet"]
        day = timezone.localdate()
        started = time.perf_counter()
        last = [started]

        def done(top: Organisation) -> None:
            now = time.perf_counter()
            if not quiet:
                self.stdout.write(f"{top.name}: {now - last[0]:.1f} s")
            last[0] = now

        count = rollup.rebuild_all(day, done)
        self.stdout.write(
            self.style.SUCCESS(
                f"Xong: {count} cây, ngày {day:%d/%m/%Y}, {time.perf_counter() - started:.1f} s."
            )
        )
