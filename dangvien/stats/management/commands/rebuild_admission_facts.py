"""``manage.py rebuild_admission_facts``: insert every admission fact again from the live
definition (``stats.admission_facts.rebuild_admissions``). After a migration on a large database,
after a restore, or after a bulk load that set the triggers aside (the generator calls it)."""

import time
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Dựng lại bảng số liệu kết nạp (AdmissionFact) từ dữ liệu gốc."

    def handle(self, *args: Any, **options: Any) -> None:
        from dangvien.stats.admission_facts import rebuild_admissions

        began = time.perf_counter()
        count = rebuild_admissions()
        seconds = time.perf_counter() - began
        self.stdout.write(f"Đã dựng lại {count:,} dòng số liệu kết nạp trong {seconds:.1f} giây.")
