"""``manage.py purge_audit``: delete the sealed rows of the audit trail and the access log
older than their retention periods (settings ``AUDIT_RETENTION_DAYS``,
``ACCESS_LOG_RETENTION_DAYS``), keeping the hash of the last deleted row as the chain's
anchor. Refuses (exit status 1) when the part to delete does not verify.

Run weekly by the deployment, e.g.::

    30 3 * * 0  dangvien  cd /srv/dangvien && .venv/bin/python manage.py purge_audit
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from dangvien.auditlog.actions import purge_logs
from dangvien.auditlog.models import Log


class Command(BaseCommand):
    help = "Xóa các bản ghi nhật ký đã quá thời hạn lưu trữ (giữ mốc neo của chuỗi băm)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be deleted; delete nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        outcome = purge_logs(dry_run=options["dry_run"])
        verb = "sẽ xóa" if options["dry_run"] else "đã xóa"
        for purge in outcome:
            label = Log(purge.log).label
            cutoff = timezone.localtime(purge.cutoff)
            if purge.refused:
                self.stderr.write(self.style.ERROR(f"{label}: {purge.refused}"))
            else:
                self.stdout.write(
                    f"{label}: {verb} {purge.rows} bản ghi trước {cutoff:%d/%m/%Y %H:%M}; "
                    f"mốc neo: bản ghi #{purge.anchor_seq}."
                )
        if any(p.refused for p in outcome):
            raise SystemExit(1)
