"""The application's database role: what it may do (issue 9; docs/row-level-security.md).

The app runs as ``settings.DB_APP_ROLE``: neither the tables' owner, nor a superuser, nor
``BYPASSRLS``, so the row-level security policies bind it. Migrations, ``generate_nation``,
the audit sealing and purge, and the other management commands run as the owner.

The role may read and write the tables (the policies decide which rows), use the sequences
and call the functions; it may only add to the append-only logs (``core.audit``: the
sealing and the purge run as the owner). OWASP ASVS 5.0 V13.2.2 (least privilege for the
application's database account).
"""

from typing import Any

from psycopg import sql

APPEND_ONLY = ("core_auditevent", "auditlog_accessevent")


def grant_statements(role: str) -> list[Any]:
    """The statements that give ``role`` what the app needs, as ``psycopg.sql`` objects."""
    name = sql.Identifier(role)
    statements = [
        # Nobody but the owner creates objects in public (PostgreSQL 15's default, made
        # sure of): the SECURITY DEFINER functions of the policies rely on it.
        sql.SQL("REVOKE CREATE ON SCHEMA public FROM PUBLIC"),
        sql.SQL("REVOKE CREATE ON SCHEMA public FROM {}"),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}"),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}"),
        sql.SQL("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {}"),
        sql.SQL("GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {}"),
        # Tables and sequences created later by migrations (run as the owner).
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
            "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
        ),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
            "GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {}"
        ),
    ]
    composed: list[Any] = [s.format(name) if "{}" in s.as_string(None) else s for s in statements]
    for table in APPEND_ONLY:
        composed.append(
            sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {} FROM {}").format(
                sql.Identifier(table), name
            )
        )
    return composed


def create_statement(role: str) -> Any:
    """A role that cannot log in (the DBA gives the real one LOGIN and a password)."""
    return sql.SQL(
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {}) THEN "
        "CREATE ROLE {} NOLOGIN NOSUPERUSER NOBYPASSRLS; END IF; END $$"
    ).format(sql.Literal(role), sql.Identifier(role))


def grant(connection: Any, role: str, *, create: bool = False) -> list[str]:
    """Run the grants (and the creation) on ``connection``; the statements as text."""
    done = []
    with connection.cursor() as cursor:
        raw = cursor.cursor
        for statement in ([create_statement(role)] if create else []) + grant_statements(role):
            raw.execute(statement)
            done.append(statement.as_string(raw))
    return done


def role_is_restricted(connection: Any, role: str) -> bool:
    """Whether the policies bind ``role``: not a superuser, no BYPASSRLS, owns no table."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = %s", [role])
        row = cursor.fetchone()
        if row is None or row[0]:
            return False
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = %s",
            [role],
        )
        return cursor.fetchone()[0] == 0
