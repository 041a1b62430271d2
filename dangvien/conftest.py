"""Fixtures shared by the apps' tests."""

from typing import Any

import pytest

from dangvien.factories import ensure_seeds, in_own_thread, tree_2025
from dangvien.organisations.models import Organisation


@pytest.fixture
def frozen_today(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """``timezone.localdate()`` answers the test module's ``TODAY`` (modules take it with
    ``pytestmark = pytest.mark.usefixtures("frozen_today")``)."""
    from django.utils import timezone

    day = request.module.TODAY
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)


@pytest.fixture
def tree(db: Any) -> dict[str, Organisation]:
    """The 2025-style test tree of ``factories.tree_2025`` (province, two communes, …)."""
    return tree_2025()


def _transactional(request: pytest.FixtureRequest) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
        or (marker and marker.kwargs.get("transaction"))
    )


_flushed = False  # a transactional test has run in this process: its flush emptied the seeds


@pytest.fixture(autouse=True)
def _seeded_rows(request: pytest.FixtureRequest) -> None:
    """Put the seeded rows back for a transactional test (browser tests, live server), and
    for any database test that runs after one in the same process.

    A transactional test ends with a flush that empties every table, seeded ones included;
    ``serialized_rollback`` cannot restore them under ``--reuse-db``, because Django keeps
    the serialized copy only when it creates the test database. The seed functions are
    idempotent (get_or_create), so running them again is harmless. Run alone, the browser
    tests come last; under pytest-xdist a worker may run them before others, whose
    seeds are then put back inside each test's own transaction (rolled back with it).
    """
    global _flushed
    transactional = _transactional(request)
    if request.node.get_closest_marker("commits_in_threads") is not None:
        # Helper threads commit rows on their own connections: seeds put back inside this
        # test's open transaction would make them wait on its unique keys until it ends.
        if _flushed:
            _commit_seeds_on_a_thread()
        return
    if not transactional and not (_flushed and "_django_db_helper" in request.fixturenames):
        return
    request.getfixturevalue("_django_db_helper")
    if transactional:
        _flushed = True
    ensure_seeds(force=transactional)


def _commit_seeds_on_a_thread() -> None:
    """``ensure_seeds`` committed on a connection of its own (a helper thread)."""
    in_own_thread(lambda: ensure_seeds(force=True))
