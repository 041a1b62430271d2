"""``manage.py grant_app_role``: give the application's database role what it needs.

Run as the tables' owner after ``migrate`` (docs/row-level-security.md). ``--create``
creates the role (NOLOGIN) when missing; the DBA gives it LOGIN and a password.
``--print`` only shows the statements.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from dangvien.rowsecurity import roles


class Command(BaseCommand):
    help = "Cấp quyền cho vai trò cơ sở dữ liệu của ứng dụng (PostgreSQL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--role", default=settings.DB_APP_ROLE)
        parser.add_argument("--create", action="store_true", help="create the role if missing")
        parser.add_argument("--print", action="store_true", help="show the SQL, run nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("Chỉ dùng với PostgreSQL (SQLite không có vai trò, không có RLS).")
        role = options["role"]
        if options["print"]:
            with connection.cursor() as cursor:
                statements = ([roles.create_statement(role)] if options["create"] else []) + (
                    roles.grant_statements(role)
                )
                for statement in statements:
                    self.stdout.write(statement.as_string(cursor.cursor) + ";")
            return
        for text in roles.grant(connection, role, create=options["create"]):
            self.stdout.write(text + ";")
        if not roles.role_is_restricted(connection, role):
            raise CommandError(
                f"Vai trò {role} là superuser, có BYPASSRLS hoặc sở hữu bảng: "
                "chính sách bảo mật theo dòng không áp dụng cho nó."
            )
        self.stdout.write(self.style.SUCCESS(f"Đã cấp quyền cho {role}."))
