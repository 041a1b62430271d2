"""Audit trail written by database triggers, so bulk and raw writes are recorded too.

Why not django-pghistory: it is PostgreSQL-only (django-pgtrigger), and the app must run
on SQLite for development and demos. The job is small: one generic PL/pgSQL function on
PostgreSQL (``to_jsonb(OLD)`` / ``to_jsonb(NEW)``), and per-table triggers on SQLite
built from the model's columns. Triggers are (re)installed after every ``migrate``.

Who acted: ``acting_as(user)`` sets the actor for the block. PostgreSQL triggers read it
from the ``dangvien.actor`` setting; SQLite triggers call ``dv_actor()``, a function
registered on each connection that reads the same context variable.

Append-only (issue 9; OWASP ASVS 5.0 V16.4.2 "logs are protected from unauthorised
modification"): guard triggers on the audit trail (``core_auditevent``) and the access log
(``auditlog_accessevent``) refuse every UPDATE and DELETE, and on PostgreSQL every
TRUNCATE, unless the block runs under ``maintenance(mode)``:

- ``"seal"``: only ``seq`` and ``hash`` of a row not sealed yet may be set (the hash chain,
  ``auditlog/chain.py``); an UPDATE naming any other column is refused, even then;
- ``"purge"``: sealed rows may be deleted (the retention purge keeps an anchor);
- ``"flush"``: everything may go: Django's ``flush`` (``manage.py flush``, and the test
  runner emptying the database after a transactional test) runs under it.

The mode is a transaction-local setting on PostgreSQL (``dangvien.log_maintenance``) and
the SQL function ``dv_log_mode()`` on SQLite. Anyone who can run SQL as the tables' owner
can set it too, or drop the triggers: the guard stops the application's own mistakes and
casual edits; the hash chain makes any other change visible (``manage.py verify_audit``);
the application's database role should hold only INSERT and SELECT on both tables
(docs/deploy.md).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.apps import apps
from django.db import connection, connections, transaction
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
    "privacy",
}
# Not audited: the audit trail itself, and derived rows rewritten by their refresh from
# audited ones (their writes are recorded where they come from): the admission facts
# (``stats.admission_facts``) and the structure rollup (``stats.rollup``), with their queues,
# and the dictionary of names filled from the people (``people.names``). Nor the
# authenticator apps: login state like django-otp's and the passkeys' tables (outside the
# audited apps), rewritten at every code tried (last step, throttle); and the append-only
# trail would keep copies of each encrypted secret that ``rotate_field_keys`` cannot
# rewrite, so an old key could never be retired.
SKIPPED_MODELS = {
    "accounts.authenticatorapp",
    "core.auditevent",
    "people.searchname",
    "stats.admissionfact",
    "stats.admissionstale",
    "stats.structurerollup",
    "stats.structurestale",
}

_actor: ContextVar[int | None] = ContextVar("dangvien_actor", default=None)
_log_mode: ContextVar[str] = ContextVar("dangvien_log_mode", default="")

# The append-only logs and what may happen to them (see the module docstring).
GUARDED_MODELS = ("core.auditevent", "auditlog.accessevent")
MAINTENANCE_MODES = ("seal", "purge", "flush")
CHAIN_COLUMNS = ("seq", "hash")


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


def current_log_mode() -> str:
    return _log_mode.get()


@contextmanager
def maintenance(mode: str, using: str = "default") -> Iterator[None]:
    """Run the block in one transaction (or savepoint) in which the guard of the
    append-only logs lets ``mode`` through ("seal", "purge" or "flush"; see the module
    docstring). The mode ends with the block, even inside a longer transaction."""
    if mode not in MAINTENANCE_MODES:
        raise ValueError(f"unknown maintenance mode {mode!r}")
    conn = connections[using]
    pg = conn.vendor == "postgresql"
    token = _log_mode.set(mode)
    try:
        with transaction.atomic(using=using):
            if pg:
                _set_log_mode(conn, mode)
            try:
                yield
            finally:
                # A transaction-local setting outlives a savepoint that is released: clear
                # it. After a database error the savepoint's rollback clears it anyway.
                if pg and _usable(conn):
                    _set_log_mode(conn, "")
    finally:
        _log_mode.reset(token)


@contextmanager
def derived_write(schema_editor: Any, table: str) -> Iterator[Any]:
    """A cursor for a migration that fills a derived column of ``table`` (a copy or a
    key computed from what is already there): not a user's write, so no audit event.

    PostgreSQL: the table's audit trigger is switched off around the block (inside the
    migration's transaction). SQLite: its update trigger is dropped; ``migrate``
    reinstalls the audit triggers at its end (``_after_migrate``)."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        audited = False
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT 1 FROM pg_trigger WHERE tgname = 'dv_audit' AND tgrelid = %s::regclass",
                [table],
            )
            audited = cursor.fetchone() is not None
            if audited:
                cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER dv_audit')
        elif connection.vendor == "sqlite":
            cursor.execute(f'DROP TRIGGER IF EXISTS "dv_audit_{table}_u"')
        yield cursor
        if audited:
            cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER dv_audit')


def _set_log_mode(conn: Any, mode: str) -> None:
    with conn.cursor() as cursor:
        cursor.execute("SELECT set_config('dangvien.log_maintenance', %s, true)", [mode])


def _register_sqlite_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("dv_actor", 0, current_actor_id)
        connection.connection.create_function("dv_log_mode", 0, current_log_mode)


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


PG_GUARD_FUNCTION = """
CREATE OR REPLACE FUNCTION dv_log_guard() RETURNS trigger AS $$
DECLARE
    mode text := coalesce(current_setting('dangvien.log_maintenance', true), '');
BEGIN
    -- TG_ARGV[0]: 'chain' (an UPDATE naming seq or hash), 'content' (naming any other
    -- column), 'delete', 'truncate'.
    IF TG_ARGV[0] = 'chain' THEN
        IF mode = 'seal' AND OLD.seq IS NULL THEN
            RETURN NEW;
        END IF;
    ELSIF TG_ARGV[0] = 'delete' THEN
        IF (mode = 'purge' AND OLD.seq IS NOT NULL) OR mode = 'flush' THEN
            RETURN OLD;
        END IF;
    ELSIF TG_ARGV[0] = 'truncate' THEN
        IF mode = 'flush' THEN
            RETURN NULL;
        END IF;
    END IF;
    RAISE EXCEPTION 'dangvien: % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""

# Names of the guard triggers of one table, old ones included (dropped on reinstall).
GUARD_TRIGGERS = ("content", "chain", "delete", "truncate")


def _content_columns(columns: list[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns if c not in CHAIN_COLUMNS)


def _pg_guards(table: str, columns: list[str]) -> list[str]:
    """An UPDATE is refused by the trigger on the columns it sets: any content column,
    always; ``seq``/``hash``, unless sealing an unsealed row. Per-column triggers keep the
    sealing cheap (comparing whole rows halved its speed)."""
    statements = [f'DROP TRIGGER IF EXISTS "dv_log_guard" ON "{table}"']
    statements += [
        f'DROP TRIGGER IF EXISTS "dv_log_guard_{name}" ON "{table}"' for name in GUARD_TRIGGERS
    ]
    for name, event, level in (
        ("content", f"UPDATE OF {_content_columns(columns)}", "ROW"),
        ("chain", "UPDATE OF seq, hash", "ROW"),
        ("delete", "DELETE", "ROW"),
        ("truncate", "TRUNCATE", "STATEMENT"),
    ):
        statements.append(
            f'CREATE TRIGGER "dv_log_guard_{name}" BEFORE {event} ON "{table}" '
            f"FOR EACH {level} EXECUTE FUNCTION dv_log_guard('{name}')"
        )
    return statements


def _sqlite_guards(table: str, columns: list[str]) -> list[str]:
    refuse = "SELECT RAISE(ABORT, 'dangvien: {table} is append-only: {op} refused')"
    statements = [f'DROP TRIGGER IF EXISTS "dv_log_guard_{table}_u"']
    for name, event, allowed in (
        ("content", f"UPDATE OF {_content_columns(columns)}", "0"),
        ("chain", "UPDATE OF seq, hash", "dv_log_mode() = 'seal' AND OLD.seq IS NULL"),
        (
            "delete",
            "DELETE",
            "(dv_log_mode() = 'purge' AND OLD.seq IS NOT NULL) OR dv_log_mode() = 'flush'",
        ),
    ):
        trigger = f"dv_log_guard_{table}_{name}"
        op = "DELETE" if name == "delete" else "UPDATE"
        statements.append(f'DROP TRIGGER IF EXISTS "{trigger}"')
        statements.append(
            f'CREATE TRIGGER "{trigger}" BEFORE {event} ON "{table}" FOR EACH ROW '
            f"WHEN NOT ({allowed}) BEGIN {refuse.format(table=table, op=op)}; END"
        )
    return statements


def install_guards(using: str = "default") -> None:
    """(Re)install the append-only guards on the audit trail and the access log."""
    conn = connections[using]
    existing = set(conn.introspection.table_names())
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(PG_GUARD_FUNCTION)
        for label in GUARDED_MODELS:
            model = apps.get_model(label)
            table = model._meta.db_table
            if table not in existing:
                continue
            columns = [f.column for f in model._meta.concrete_fields]
            if conn.vendor == "postgresql":
                statements = _pg_guards(table, columns)
            elif conn.vendor == "sqlite":
                statements = _sqlite_guards(table, columns)
            else:
                statements = []
            for statement in statements:
                cursor.execute(statement)


def install_triggers(using: str = "default") -> None:
    """(Re)install the audit triggers on every audited table, and the guards of the logs.
    Idempotent."""
    conn = connections[using]
    existing = set(conn.introspection.table_names())
    install_guards(using)
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


def _flush_under_maintenance() -> None:
    """Let Django's ``flush`` empty the logs too (see the module docstring): every backend's
    ``execute_sql_flush`` runs under ``maintenance("flush")``. Django offers no hook around
    the flush, hence the wrapper."""
    from django.db.backends.base.operations import BaseDatabaseOperations

    original = BaseDatabaseOperations.execute_sql_flush
    if getattr(original, "_dv_wrapped", False):
        return

    def execute_sql_flush(self: Any, sql_list: list[str]) -> None:
        with maintenance("flush", using=self.connection.alias):
            original(self, sql_list)

    execute_sql_flush._dv_wrapped = True  # type: ignore[attr-defined]
    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush  # type: ignore[method-assign,assignment]


def connect() -> None:
    connection_created.connect(_register_sqlite_function, dispatch_uid="dv_audit_sqlite_fn")
    post_migrate.connect(_after_migrate, dispatch_uid="dv_audit_install")
    _flush_under_maintenance()
