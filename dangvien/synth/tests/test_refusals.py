"""What ``generate_nation`` refuses before touching anything."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the refusal of SQLite")
def test_the_command_refuses_sqlite_with_a_clear_message() -> None:
    with pytest.raises(CommandError, match="chỉ chạy trên PostgreSQL"):
        call_command("generate_nation", "--members", "1000", "--password", "mat-khau-dai")


def test_the_command_needs_a_password() -> None:
    with pytest.raises(CommandError, match="password"):
        call_command("generate_nation", "--members", "1000")
