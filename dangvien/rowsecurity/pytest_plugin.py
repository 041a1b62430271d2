"""Run a test suite as the application's database role, under row-level security.

    scripts/with-postgres .venv/bin/pytest --create-db -p dangvien.rowsecurity.pytest_plugin

Each test that uses the database (in a transaction: the transactional ones are left as
they are, their flush needs the owner) then runs as ``settings.DB_APP_ROLE``: the test's
own code (factories, assertions) with the scope ``*``, and every request through the
middleware with its user's scope, put back to ``*`` afterwards instead of cleared. A page,
an API endpoint or an action that breaks under the policies fails its test. PostgreSQL
only; on SQLite the plugin does nothing.

Tests marked ``as_owner`` are left as they are, as the tables' owner: the row-level
security tests (they switch to the role themselves, and check the clearing, the owner's
view and anonymous requests), and the tests of what only the owner runs in production
(sealing, verifying and purging the append-only logs, data migrations, the COPY of
``generate_nation``: migrations and management commands, docs/deploy.md §5). So the
whole suite passes under the plugin: CI runs it this way on PostgreSQL (``.ci/run``, on
two processes with pytest-xdist: the role is created once, see ``_application_role``).
"""

from collections.abc import Iterator
from typing import Any

import pytest

DB_FIXTURES = {"db", "client", "admin_client", "django_user_model", "rf"}


def _uses_database(request: pytest.FixtureRequest) -> bool:
    if request.node.get_closest_marker("as_owner") is not None:
        return False
    marker = request.node.get_closest_marker("django_db")
    if marker is not None:
        return not marker.kwargs.get("transaction", False)
    names = set(request.fixturenames)
    if {"transactional_db", "live_server"} & names:
        return False
    return bool(DB_FIXTURES & names) or "tree" in names


@pytest.fixture(scope="session", autouse=True)
def _application_role(django_db_setup: Any, django_db_blocker: Any) -> str:
    """The role, created if missing and granted on the test database ONCE, committed: a
    role belongs to the whole cluster, and an uncommitted ``CREATE ROLE`` in one test would
    make the same statement of every other process (pytest-xdist) wait for that test's
    end. Two processes racing to create it: the loser only grants.

    Autouse, so it runs before the first test of the session: requested first by a test of
    a module whose fixture holds a transaction open for the module (the permission matrix's
    world), the grants would be rolled back with that transaction at the module's end."""
    from django.conf import settings
    from django.db import DatabaseError, connection

    from dangvien.rowsecurity import roles

    role = str(settings.DB_APP_ROLE)
    if connection.vendor != "postgresql":
        return role
    with django_db_blocker.unblock():
        assert not connection.in_atomic_block, "the grants must be committed"
        try:
            roles.grant(connection, role, create=True)
        except DatabaseError:  # created by another process meanwhile
            roles.grant(connection, role)
    return role


def _forget_cached_scope(request: pytest.FixtureRequest) -> None:
    """Make the next scope statement run whatever this process remembers: the scope this
    plugin set inside the last test's transaction was rolled back with it, so the value
    ``scope.current`` remembers is no longer the connection's (a ``with_scope`` that
    skips "the same value" or puts it back on exit would act on a stale one)."""
    if "_django_db_helper" not in request.fixturenames:
        return
    from django.db import connection

    from dangvien.rowsecurity import scope

    setattr(connection, scope._STATE, None)
    setattr(connection, scope._USER, None)


@pytest.fixture(autouse=True)
def _as_application_role(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    _forget_cached_scope(request)
    if not _uses_database(request):
        yield
        return
    from django.db import connection

    if connection.vendor != "postgresql":
        request.getfixturevalue("db")
        yield
        return
    role = request.getfixturevalue("_application_role")
    request.getfixturevalue("db")
    from dangvien.rowsecurity import scope

    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('role', %s, false)", [role])
    scope.apply(scope.ALL)

    def back_to_all(using: str = "default", **kwargs: Any) -> None:
        if scope.current(using) == scope.ALL and scope.current_user_id(using) is None:
            return  # already: no statement (a test may have closed the connection)
        scope.apply(scope.ALL, using)

    monkeypatch.setattr(scope, "clear", back_to_all)
    yield
    # The test's transaction is rolled back next: the role setting and the scope go with
    # it, back to the owner.
