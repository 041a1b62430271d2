"""``manage.py verify_audit``: walk the hash chains of the audit trail and the access log
from their anchors to their heads and report the first broken link (which row, what
changed). Exit status 1 when a chain is broken. Seals the new rows first.

Run nightly by the deployment, e.g.::

    15 2 * * *  dangvien  cd /srv/dangvien && .venv/bin/python manage.py verify_audit
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dangvien.auditlog.actions import verify_logs


class Command(BaseCommand):
    help = "Kiểm tra toàn vẹn chuỗi băm của nhật ký thay đổi và nhật ký truy cập."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-seal", action="store_true", help="Do not seal the new rows first."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verdicts = verify_logs(seal=not options["no_seal"])
        for verdict in verdicts:
            if verdict.intact:
                self.stdout.write(self.style.SUCCESS(verdict.describe()))
            else:
                self.stderr.write(self.style.ERROR(verdict.describe()))
        if not all(v.intact for v in verdicts):
            raise SystemExit(1)
