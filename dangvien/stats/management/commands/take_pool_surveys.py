"""``manage.py take_pool_surveys --year Y --quarter Q [--organisation PK]``: freeze the
quarterly survey of the candidate pool (seed 003: "định kỳ hằng quý khảo sát"; issue 6) for
every tree top, or for one node, and every node below it.

Meant for a scheduled run at the end of each quarter. It prints what it wrote per tree and
fails loudly: any refusal makes the command exit non-zero (after the other trees were
tried), so a scheduler never reports success after a failure (SCALE.md).
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangvien.core.errors import DomainError
from dangvien.organisations.models import Organisation
from dangvien.stats.actions.surveys import describe, take_pool_survey


class Command(BaseCommand):
    help = "Chốt số liệu khảo sát nguồn quần chúng ưu tú của một quý."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="Năm, ví dụ 2026.")
        parser.add_argument("--quarter", type=int, required=True, choices=[1, 2, 3, 4])
        parser.add_argument(
            "--organisation",
            type=int,
            default=None,
            help="Id của tổ chức (mặc định: mọi tổ chức cấp cao nhất, tức từng cây).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        year, quarter = options["year"], options["quarter"]
        if options["organisation"] is not None:
            tops = list(Organisation.objects.filter(pk=options["organisation"]))
            if not tops:
                raise CommandError(f"Không có tổ chức id {options['organisation']}.")
        else:
            tops = list(Organisation.objects.filter(parent=None).order_by("sort_key"))
            if not tops:
                raise CommandError("Chưa có tổ chức đảng nào.")
        failures = []
        for top in tops:
            try:
                taken = take_pool_survey(top, year=year, quarter=quarter, by=None)
            except DomainError as error:
                failures.append(f"{top.name}: {error}")
                self.stderr.write(f"{top.name}: {error}")
                continue
            self.stdout.write(describe(taken))
        if failures:
            raise CommandError(
                f"{len(failures)}/{len(tops)} cây không chốt được số liệu: " + "; ".join(failures)
            )
        self.stdout.write(self.style.SUCCESS(f"Xong: {len(tops)} cây."))
