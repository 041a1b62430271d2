"""``manage.py rotate_field_keys``: rewrite encrypted personal data under the current key.

Rotation, step by step (docs/deploy.md, secrets):
1. put a new key FIRST in FIELD_ENCRYPTION_KEYS, keep the old ones after it, restart;
2. ``manage.py rotate_field_keys`` (safe on a live system; run again if interrupted);
3. ``manage.py rotate_field_keys --dry-run`` says 0 to rewrite: drop the old keys, restart.
After changing BLIND_INDEX_KEY: ``rotate_field_keys --reindex`` at once (until it is done,
searching by citizen ID finds nobody and the duplicate check cannot see old rows).
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dangvien.core import crypto
from dangvien.people.actions import rotate_field_keys


class Command(BaseCommand):
    help = (
        "Mã hóa lại dữ liệu cá nhân đã mã hóa bằng khóa hiện hành (khóa đầu tiên của "
        "FIELD_ENCRYPTION_KEYS); --reindex tính lại chỉ mục tìm kiếm số CCCD."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reindex",
            action="store_true",
            help="Also write every blind index again (after BLIND_INDEX_KEY changed).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would change, write nothing."
        )
        parser.add_argument(
            "--batch", type=int, default=1000, help="Rows per transaction (default 1000)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch"] < 1:
            self.stderr.write("--batch phải là số dương.")
            raise SystemExit(2)
        counts = rotate_field_keys(
            reindex=options["reindex"], dry_run=options["dry_run"], batch=options["batch"]
        )
        verb = "cần mã hóa lại" if options["dry_run"] else "đã mã hóa lại"
        self.stdout.write(f"Khóa hiện hành: {crypto.primary_key_id()}")
        for count in counts:
            line = f"{count.label}: {count.rows} dòng, {verb} {count.reencrypted}"
            if options["reindex"]:
                line += f", chỉ mục tính lại {count.reindexed}"
            if count.skipped:
                line += f", {count.skipped} dòng vừa được sửa nên bỏ qua (đã dùng khóa mới)"
            self.stdout.write(line)
        if options["dry_run"]:
            self.stdout.write(self.style.WARNING("--dry-run: không ghi gì."))
