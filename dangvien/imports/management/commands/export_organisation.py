"""``manage.py export_organisation <id> -o file.json``: one organisation's full data."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangvien.imports.orgdata import dumps, export_organisation
from dangvien.organisations.models import Organisation


class Command(BaseCommand):
    help = "Xuất toàn bộ dữ liệu của một tổ chức (cả cây bên dưới) ra tệp JSON để chuyển máy chủ."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organisation", type=int, help="mã (id) của tổ chức")
        parser.add_argument("-o", "--output", required=True, help="tệp JSON ghi ra ('-': màn hình)")

    def handle(self, *args: Any, **options: Any) -> None:
        org = Organisation.objects.filter(pk=options["organisation"]).first()
        if org is None:
            raise CommandError(f"Không có tổ chức mã {options['organisation']}.")
        text = dumps(export_organisation(org))
        if options["output"] == "-":
            self.stdout.write(text)
            return
        with open(options["output"], "w", encoding="utf-8") as out:
            out.write(text)
        self.stderr.write(f"Đã xuất {org.name} vào {options['output']}.")
