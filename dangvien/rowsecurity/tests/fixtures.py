"""The application's database role for the row-level security tests."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from dangvien.rowsecurity import roles


@pytest.fixture
def as_app(db: Any) -> Callable[[], Any]:
    """``with as_app():`` runs the block as ``settings.DB_APP_ROLE`` (created NOLOGIN for
    the test, with the grants of ``manage.py grant_app_role``): the role the policies bind.
    The test's transaction rolls the role and its grants back afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    role = settings.DB_APP_ROLE
    roles.grant(connection, role, create=True)
    assert roles.role_is_restricted(connection, role)

    @contextmanager
    def run() -> Iterator[None]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('role', %s, false)", [role])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET ROLE")

    return run
