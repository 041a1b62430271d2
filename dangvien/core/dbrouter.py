"""Database router: the reads of report pages go to a read replica when one is configured
(issue 9, docs/deploy.md "Read replicas").

A replica is configured when ``settings.DATABASES`` has the alias ``"replica"`` (the
environment variable ``DATABASE_REPLICA_URL`` adds it: a PostgreSQL streaming standby).
Then:

- reads inside ``reporting()`` (a context manager, or a view decorator:
  ``@reporting()``) go to the replica;
- every other read, and every write anywhere, goes to ``"default"`` (the primary);
- once a ``reporting()`` block has written something, the rest of the block reads from
  the primary too, so a page never misses its own write because of replication lag;
- a transaction opened inside the block (an action: ``@action`` is atomic) reads on the
  primary, so a write never rests on a lagging copy;
- who may see what (users, roles, sessions, second-factor devices, lockout) is always read
  on the primary: a role withdrawn a second ago must not still open a report on a
  standby that lags;
- migrations run on ``"default"`` only (a standby is read-only and follows the primary).

Without a replica every query goes to ``"default"``, inside ``reporting()`` or not.

A report read on the replica may be behind the primary by the replication lag (normally
under a second on a streaming standby in the same data centre; docs/deploy.md says how to
watch it). Pages that write and then show what they wrote (setting targets, taking a
survey) therefore stay on the primary: only read-only report pages use ``reporting()``.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

PRIMARY = DEFAULT_DB_ALIAS
REPLICA = "replica"

# Apps whose rows decide access or hold the login state: read on the primary always.
PRIMARY_ONLY_APPS = frozenset(
    {
        "accounts",
        "auth",
        "axes",
        "contenttypes",
        "django_otp_webauthn",
        "django_tasks_db",
        "otp_static",
        "otp_totp",  # empty since accounts.0004 (AuthenticatorApp), kept for its migrations
        "sessions",
    }
)

# How many ``reporting()`` blocks the current thread or task is in, and whether the
# outermost one has written (then its reads stay on the primary).
_depth: ContextVar[int] = ContextVar("dangvien_reporting_depth", default=0)
_wrote: ContextVar[bool] = ContextVar("dangvien_reporting_wrote", default=False)
# How many transactions were open on the primary when the outermost block began (one with
# ATOMIC_REQUESTS, or in a test case): a transaction opened inside the block (an action)
# reads on the primary, so what it decides on is what it writes against.
_open_before: ContextVar[int] = ContextVar("dangvien_reporting_open_before", default=0)


def replica_configured() -> bool:
    """True when ``settings.DATABASES`` has a ``"replica"`` alias."""
    return REPLICA in connections.settings


def in_reporting() -> bool:
    return _depth.get() > 0


@contextmanager
def reporting() -> Iterator[None]:
    """Send the reads of the block (or of the decorated view) to the replica, if any.

    ``with reporting(): …`` or ``@reporting()`` on a view, inside ``@login_required``
    so the user and the session are read before, on the primary. Blocks nest; the
    outermost one decides (a write anywhere inside pins the rest of it to the primary).
    """
    depth = _depth.get()
    depth_token = _depth.set(depth + 1)
    outermost = depth == 0
    wrote_token = _wrote.set(False) if outermost else None
    open_token = _open_before.set(_open_transactions()) if outermost else None
    try:
        yield
    finally:
        if open_token is not None:
            _open_before.reset(open_token)
        if wrote_token is not None:
            _wrote.reset(wrote_token)
        _depth.reset(depth_token)


def _open_transactions() -> int:
    return len(connections[PRIMARY].atomic_blocks)


class ReportRouter:
    """``DATABASE_ROUTERS`` entry: see the module's docstring for the rules."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        if (
            in_reporting()
            and not _wrote.get()
            and model._meta.app_label not in PRIMARY_ONLY_APPS
            and replica_configured()
            and _open_transactions() <= _open_before.get()
        ):
            return REPLICA
        # Explicitly the primary, not None: Django would otherwise follow the database an
        # instance came from, and a row read in a report would drag later reads along.
        return PRIMARY

    def db_for_write(self, model: Any, **hints: Any) -> str:
        if in_reporting():
            _wrote.set(True)
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        """A row read on the replica may be linked to one of the primary: same data."""
        pool = {PRIMARY, REPLICA}
        if obj1._state.db in pool and obj2._state.db in pool:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        """Only the primary is migrated; a standby replays the primary's changes."""
        return db == PRIMARY
