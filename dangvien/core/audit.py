"""Audit trail written by database triggers, so bulk and raw writes are recorded too.

Why not django-pghistory: it is PostgreSQL-only (django-pgtrigger), and the app must run
on SQLite for development and demos. The job is small: one generic PL/pgSQL function on
PostgreSQL (``to_jsonb(OLD)`` / ``to_jsonb(NEW)``), and per-table triggers on SQLite
built from the model's columns. Triggers are (re)installed after every ``migrate``.

Who acted: ``acting_as(user)`` sets the actor for the block. PostgreSQL triggers read it
from the ``dangvien.actor`` setting; SQLite triggers call ``dv_actor()``, a function
registered on each connection that reads the same context variable.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.apps import apps
from django.db import connection, connections
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate

AUDITED_APPS = {
    "core",
    "accounts",
    "organisations",
    "people",
    "candidates",
    "members",
    "training",
    "exams",
    "stats",
    "reviews",
    "screening",
    "documents",
    "imports",
}
SKIPPED_MODELS = {"core.auditevent"}

_actor: ContextVar[int | None] = ContextVar("dangvien_actor", default=None)


def audited_models() -> list[Any]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in AUDITED_APPS
        and model._meta.label_lower not in SKIPPED_MODELS
        and not model._meta.proxy
        and model._meta.managed
    ]


@contextmanager
def acting_as(user: Any) -> Iterator[None]:
    """Attribute every write in the block to ``user`` (an anonymous user counts as none)."""
    user_id = getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None
    token = _actor.set(user_id)
    pg = connection.vendor == "postgresql"
    previous = None
    if pg:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('dangvien.actor', true), "
                "set_config('dangvien.actor', %s, false)",
                [str(user_id or "")],
            )
            previous = cursor.fetchone()[0]
    try:
        yield
    finally:
        _actor.reset(token)
        if pg and _usable(connection):
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('dangvien.actor', %s, false)", [previous or ""])


def _usable(conn: Any) -> bool:
    """Whether a query may run now. After a database error inside a transaction it may not:
    trying would hide the real error, and the rollback that follows undoes ``set_config``
    made inside the transaction anyway."""
    if conn.connection is None or conn.needs_rollback:
        return False
    from psycopg import pq

    return conn.connection.info.transaction_status != pq.TransactionStatus.INERROR


def current_actor_id() -> int | None:
    return _actor.get()


def _register_sqlite_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("dv_actor", 0, current_actor_id)


PG_FUNCTION = """
CREATE OR REPLACE FUNCTION dv_audit() RETURNS trigger AS $$
DECLARE
    actor bigint := nullif(current_setting('dangvien.actor', true), '')::bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO core_auditevent ("table", row_id, op, before, after, actor_id, at)
        VALUES (TG_TABLE_NAME, NEW.id::text, 'I', NULL, to_jsonb(NEW), actor, now());
        RETURN NEW;
    ELSIF TG_OP = 'UPDATE' THEN
        IF to_jsonb(OLD) = to_jsonb(NEW) THEN
            RETURN NEW;
        END IF;
        INSERT INTO core_auditevent ("table", row_id, op, before, after, actor_id, at)
        VALUES (TG_TABLE_NAME, NEW.id::text, 'U', to_jsonb(OLD), to_jsonb(NEW), actor, now());
        RETURN NEW;
    ELSE
        INSERT INTO core_auditevent ("table", row_id, op, before, after, actor_id, at)
        VALUES (TG_TABLE_NAME, OLD.id::text, 'D', to_jsonb(OLD), NULL, actor, now());
        RETURN OLD;
    END IF;
END;
$$ LANGUAGE plpgsql;
"""


def _sqlite_triggers(table: str, columns: list[str]) -> list[str]:
    def obj(prefix: str) -> str:
        pairs = ", ".join(f"'{c}', {prefix}.\"{c}\"" for c in columns)
        return f"json_object({pairs})"

    insert = (
        'INSERT INTO core_auditevent ("table", row_id, op, before, after, actor_id, at) '
        "VALUES ('{table}', {ref}.id, '{op}', {before}, {after}, dv_actor(), "
        "strftime('%Y-%m-%d %H:%M:%f', 'now'))"
    )
    statements = []
    for op, event, ref, before, after in (
        ("I", "INSERT", "NEW", "NULL", obj("NEW")),
        ("U", "UPDATE", "NEW", obj("OLD"), obj("NEW")),
        ("D", "DELETE", "OLD", obj("OLD"), "NULL"),
    ):
        name = f"dv_audit_{table}_{op.lower()}"
        body = insert.format(table=table, ref=ref, op=op, before=before, after=after)
        statements.append(f'DROP TRIGGER IF EXISTS "{name}"')
        statements.append(
            f'CREATE TRIGGER "{name}" AFTER {event} ON "{table}" FOR EACH ROW BEGIN {body}; END'
        )
    return statements


def install_triggers(using: str = "default") -> None:
    """(Re)install the audit triggers on every audited table. Idempotent."""
    conn = connections[using]
    existing = set(conn.introspection.table_names())
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(PG_FUNCTION)
        for model in audited_models():
            table = model._meta.db_table
            if table not in existing:
                continue
            if conn.vendor == "postgresql":
                cursor.execute(f'DROP TRIGGER IF EXISTS dv_audit ON "{table}"')
                cursor.execute(
                    f'CREATE TRIGGER dv_audit AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
                    "FOR EACH ROW EXECUTE FUNCTION dv_audit()"
                )
            elif conn.vendor == "sqlite":
                columns = [f.column for f in model._meta.concrete_fields]
                for statement in _sqlite_triggers(table, columns):
                    cursor.execute(statement)


def _after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    if sender.label == "core":
        install_triggers(using)


def connect() -> None:
    connection_created.connect(_register_sqlite_function, dispatch_uid="dv_audit_sqlite_fn")
    post_migrate.connect(_after_migrate, dispatch_uid="dv_audit_install")
