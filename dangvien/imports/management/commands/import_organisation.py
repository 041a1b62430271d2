"""``manage.py import_organisation file.json``: write an exported organisation here."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangvien.imports.orgdata import ImportRefused, import_organisation


class Command(BaseCommand):
    help = (
        "Nhập dữ liệu một tổ chức từ tệp JSON của export_organisation (tất cả hoặc không; "
        "không chồng lên dữ liệu đã có)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="tệp JSON của export_organisation")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with open(options["file"], encoding="utf-8") as source:
                data = json.load(source)
        except (OSError, ValueError) as error:
            raise CommandError(f"Không đọc được tệp: {error}") from error
        try:
            created = import_organisation(data)
        except ImportRefused as error:
            raise CommandError(str(error)) from error
        total = sum(created.values())
        self.stdout.write(f"Đã nhập {total} dòng vào {len(created)} bảng.")
