"""The row-level security scope of a database connection (issue 9; see ``policies.py``).

PostgreSQL reads the scope from the session setting ``dangvien.scope``: path prefixes
joined with commas, ``*`` for every row, empty for none. This module computes a user's
scope and sets it for a block:

- ``apply_user(user)``: the user's scope, computed from their roles and set by one
  statement (the middleware, at the start of every request; ``clear()`` at the end);
- ``scoped(user)``: a block in the user's scope (background tasks);
- ``unrestricted()``: every row, for code that must look outside the user's subtrees on
  purpose (the citizen-ID check against the whole country, system jobs);
- ``with_scope(value)``: a given value.

Beside the paths, the same statement sets ``dangvien.user``: the id of the user the scope
is for (empty for none). One kind of access is not a subtree: an exam board member marks
the sittings of their round wherever the candidates come from (``exams.queries.access``),
and the policies of the sittings and of their people read it (``policies.py``).

The blocks set the value with one statement and put the previous one back on the way out
(also after an error). A session-level setting (``set_config(…, false)``) and not ``SET
LOCAL``: the app runs in autocommit between its actions, so a transaction-local value
would vanish after the first statement. That is why the connection must stay with one
request from start to end: no pgbouncer in transaction pooling mode in front of the app
(``docs/row-level-security.md``); the audit actor (``core.audit.acting_as``) already needs
the same. On SQLite, and when ``ROW_SECURITY_ENABLED`` is off, everything here is a no-op.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connections
from django.db.backends.signals import connection_created

from dangvien.organisations.models import GRASSROOTS, SUPERIOR, Kind
from dangvien.rowsecurity.policies import SCOPE_SETTING, USER_SETTING

if TYPE_CHECKING:
    from dangvien.accounts.models import User

ALL = "*"
NOTHING = ""
SET_SQL = "SELECT set_config(%s, %s, false), set_config(%s, %s, false)"

# The attributes on Django's connection wrapper that remember the values last set (None:
# not known, e.g. a fresh session, where PostgreSQL has them unset, which means nothing).
_STATE = "_dv_row_scope"
_USER = "_dv_row_user"


def set_params(value: str, user_id: int | None) -> list[Any]:
    """The parameters of ``SET_SQL``: the scope and the user id (empty for none)."""
    return [SCOPE_SETTING, value, USER_SETTING, "" if user_id is None else str(user_id)]


def enabled(using: str = "default") -> bool:
    return bool(getattr(settings, "ROW_SECURITY_ENABLED", True)) and (
        connections[using].vendor == "postgresql"
    )


# ---- what a user may see ---------------------------------------------------------------

# Nodes under a grassroots organisation whose users also see its other chi bộ: a member
# of another chi bộ of the same grassroots organisation may introduce a candidate
# (Điều lệ Đảng Điều 4; ``organisations.queries.same_grassroots``), and the candidate's
# page, the eligibility check and the dossier documents read that member.
_WIDENED = {Kind.BRANCH, Kind.SUB_COMMITTEE}


def _paths_sql() -> str:
    """One query: the path of each node where the user holds an active role, a chi bộ or
    đảng bộ bộ phận replaced by the nearest grassroots organisation above it before a
    superior committee, else that committee (``organisations.queries.admission_chain``).
    The ancestors' paths are the fixed-width prefixes of the node's path, so the lookup is
    an index probe on ``path``."""
    from dangvien.accounts.models import RoleAssignment
    from dangvien.organisations.models import SEGMENT, Organisation

    stop = ", ".join(f"'{kind}'" for kind in sorted(GRASSROOTS | SUPERIOR))
    widened = ", ".join(f"'{kind}'" for kind in sorted(_WIDENED))
    orgs = Organisation._meta.db_table
    return f"""
        SELECT CASE WHEN o.kind IN ({widened}) THEN coalesce((
                   SELECT a.path FROM {orgs} a
                   WHERE a.path IN (SELECT left(o.path, n)
                                    FROM generate_series({SEGMENT}, length(o.path) - {SEGMENT},
                                                         {SEGMENT}) AS n)
                     AND a.kind IN ({stop})
                   ORDER BY a.depth DESC LIMIT 1), o.path)
               ELSE o.path END
        FROM {RoleAssignment._meta.db_table} r JOIN {orgs} o ON o.id = r.organisation_id
        WHERE r.user_id = %s AND r.active
    """


def paths_for(user: "User") -> list[str]:
    """The path prefixes ``user`` may read at the database level, nested ones dropped.

    Every node where the user holds an active role (auditors included: their pages name the
    people in the access log), and for a chi bộ or đảng bộ bộ phận the grassroots
    organisation above it (or the commune, when there is none), so an introducer from a
    sibling chi bộ can be read. The query level stays narrower (``scope_paths``).

    The same rule as ``_paths_sql``, which the middleware runs (a test holds them equal),
    written with the ORM so that it runs on any database.
    """
    from dangvien.accounts.models import RoleAssignment
    from dangvien.organisations.models import SEGMENT, Organisation

    nodes = list(
        RoleAssignment.objects.filter(user_id=user.pk, active=True).values_list(
            "organisation__path", "organisation__kind"
        )
    )
    paths = {path for path, kind in nodes if kind not in _WIDENED}
    low = [path for path, kind in nodes if kind in _WIDENED]
    if low:
        above = {p[:end] for p in low for end in range(SEGMENT, len(p), SEGMENT)}
        kinds = dict(Organisation.objects.filter(path__in=above).values_list("path", "kind"))
        for path in low:
            paths.add(_grassroots_or_top(path, kinds))
    minimal: list[str] = []
    for path in sorted(paths):
        if not any(path.startswith(kept) for kept in minimal):
            minimal.append(path)
    return minimal


def _grassroots_or_top(path: str, kinds: dict[str, str]) -> str:
    """The nearest ancestor of ``path`` that is a grassroots organisation or a superior
    committee (``kinds``: the ancestors' kinds by path); ``path`` itself when none is."""
    from dangvien.organisations.models import SEGMENT

    for end in range(len(path) - SEGMENT, 0, -SEGMENT):
        if kinds.get(path[:end]) in GRASSROOTS | SUPERIOR:
            return path[:end]
    return path


def scope_for(user: Any) -> str:
    """The value of ``dangvien.scope`` for ``user``: ``*`` for a superuser, nothing for an
    anonymous or inactive user."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return ALL
    return ",".join(paths_for(user))


# ---- setting it on the connection ------------------------------------------------------


def current(using: str = "default") -> str | None:
    """The value this process last set on the connection (None: never set)."""
    return getattr(connections[using], _STATE, None)


def current_user_id(using: str = "default") -> int | None:
    """The user id this process last set on the connection (None: none)."""
    return getattr(connections[using], _USER, None)


def _usable(conn: Any) -> bool:
    """Whether a statement may run now (not after an error inside a transaction: the
    rollback that follows undoes the ``set_config`` made inside it anyway)."""
    if conn.connection is None or conn.needs_rollback:
        return False
    from psycopg import pq

    return bool(conn.connection.info.transaction_status != pq.TransactionStatus.INERROR)


def apply(value: str, using: str = "default", user_id: int | None = None) -> None:
    """Set the scope of the connection (and the user it is for) now: one statement."""
    conn = connections[using]
    with conn.cursor() as cursor:
        cursor.execute(SET_SQL, set_params(value, user_id))
    setattr(conn, _STATE, value)
    setattr(conn, _USER, user_id)


def apply_user(user: Any, using: str = "default") -> str:
    """Set the scope of ``user`` on the connection now, computed and set by one statement
    (the middleware's, once per request); returns it. Nested prefixes are kept: they cost
    a comparison per row, not a wrong answer."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        apply(NOTHING, using)
        return NOTHING
    if user.is_superuser:
        apply(ALL, using, user.pk)
        return ALL
    conn = connections[using]
    with conn.cursor() as cursor:
        cursor.execute(
            f"SELECT set_config(%s, coalesce((SELECT string_agg(DISTINCT p, ',') "
            f"FROM ({_paths_sql()}) AS s (p)), ''), false), set_config(%s, %s, false)",
            [SCOPE_SETTING, user.pk, USER_SETTING, str(user.pk)],
        )
        value = str(cursor.fetchone()[0])
    setattr(conn, _STATE, value)
    setattr(conn, _USER, user.pk)
    return value


def clear(using: str = "default") -> None:
    """Unset the scope (nothing visible). If the connection cannot take the statement, it
    is closed: a new session starts with no scope."""
    conn = connections[using]
    if conn.connection is None:
        setattr(conn, _STATE, None)
        setattr(conn, _USER, None)
        return
    try:
        if _usable(conn):
            apply(NOTHING, using)
            return
    except Exception:  # whatever went wrong, the session must not keep the scope
        pass
    conn.close()
    setattr(conn, _STATE, None)
    setattr(conn, _USER, None)


_KEEP: Any = object()


@contextmanager
def with_scope(value: str, using: str = "default", user_id: Any = _KEEP) -> Iterator[None]:
    """Run the block with ``value`` as the scope (and ``user_id`` as its user; by default
    the user already set), then put the previous ones back."""
    if not enabled(using):
        yield
        return
    previous, previous_user = current(using), current_user_id(using)
    user = previous_user if user_id is _KEEP else user_id
    if (value, user) == (previous, previous_user):  # e.g. an action inside an action
        yield
        return
    apply(value, using, user)
    try:
        yield
    finally:
        conn = connections[using]
        if _usable(conn):
            apply(previous or NOTHING, using, previous_user)
        else:
            # A rollback is coming and will restore the values from before the
            # transaction (or savepoint) in which ``value`` was set.
            setattr(conn, _STATE, previous)
            setattr(conn, _USER, previous_user)


def scoped(user: Any, using: str = "default") -> Any:
    """The block runs with ``user``'s scope (a background task, a management command)."""
    if not enabled(using):
        return with_scope(NOTHING, using)
    active = user is not None and getattr(user, "is_authenticated", False) and user.is_active
    return with_scope(scope_for(user), using, user.pk if active else None)


def unrestricted(using: str = "default") -> Any:
    """Every row is visible in the block: only for reads that must look outside the user's
    subtrees on purpose, e.g. the citizen-ID check against the whole country before a
    person is listed again (the caller then says no without naming anyone outside)."""
    return with_scope(ALL, using)


def _forget(sender: Any, connection: Any, **kwargs: Any) -> None:
    """A new session: PostgreSQL has no scope on it."""
    setattr(connection, _STATE, None)
    setattr(connection, _USER, None)


connection_created.connect(_forget)
