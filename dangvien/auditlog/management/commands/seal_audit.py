"""``manage.py seal_audit``: chain the new rows of the audit trail and the access log.

Run every minute by the deployment (cron or a systemd timer; docs/deploy.md), e.g.::

    * * * * *  dangvien  cd /srv/dangvien && .venv/bin/python manage.py seal_audit --quiet
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dangvien.auditlog.actions import seal_logs
from dangvien.auditlog.models import Log


class Command(BaseCommand):
    help = "Niêm phong (nối chuỗi băm) các bản ghi mới của nhật ký thay đổi và nhật ký truy cập."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=None, help="Rows per transaction.")
        parser.add_argument("--quiet", action="store_true", help="Print nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        sealed = seal_logs(batch=options["batch"])
        if not options["quiet"]:
            for log, rows in sealed.items():
                self.stdout.write(f"{Log(log).label}: niêm phong {rows} bản ghi mới.")
