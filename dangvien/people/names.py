"""The dictionary of folded names (``people.SearchName``) and the name search built on it
(issue 9: accent-insensitive name search over 6 million people under 150 ms).

A name search keeps its meaning, the folded text contained anywhere in the folded name
(``LIKE '%<text>%'``); it is answered in two steps: the distinct names containing the
text, from the dictionary (a few thousand rows, with a trigram index on PostgreSQL), then
the rows holding exactly one of those names, through the B-tree on the name. When more
names match than ``NAME_LIST_LIMIT`` the text is so common that a scan of the scope finds
its matches early, and the caller scans as before (``matching_names`` returns None).

The dictionary is kept by triggers on ``people_person`` (insert, and update of
``search_text``), on PostgreSQL and SQLite alike, so it holds every name a person holds
(an empty one excepted: no search looks for it),
whoever writes (actions, imports, bulk updates, the generator's rebuild).
"""

from typing import Any

from django.db import connection, transaction

from dangvien.core.sql import execute_all
from dangvien.people.models import SearchName

TABLE = "people_searchname"
PERSON = "people_person"

# Above this many distinct names containing the text, a list search scans its scope
# instead (the text is common: the scan reaches the list's cap early). [U]
NAME_LIST_LIMIT = 2_000

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION dv_search_name() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.search_text <> '' AND NOT EXISTS (
        SELECT 1 FROM public.{TABLE} WHERE name = NEW.search_text
    ) THEN
        INSERT INTO public.{TABLE} (name) VALUES (NEW.search_text);
    END IF;
    RETURN NULL;
END $$;
"""

TRIGGERS = (("ins", "INSERT"), ("upd", "UPDATE OF search_text"))


def trigger_statements(vendor: str) -> list[str]:
    """The SQL that (re)installs the triggers filling the dictionary (idempotent)."""
    out = [PG_FUNCTION] if vendor == "postgresql" else []
    for suffix, event in TRIGGERS:
        name = f"people_searchname_{suffix}"
        head = f'CREATE TRIGGER {name} AFTER {event} ON "{PERSON}" FOR EACH ROW'
        if vendor == "postgresql":
            out.append(f'DROP TRIGGER IF EXISTS {name} ON "{PERSON}"')
            out.append(f"{head} EXECUTE FUNCTION dv_search_name()")
        else:
            out.append(f"DROP TRIGGER IF EXISTS {name}")
            out.append(
                f"{head} WHEN NEW.search_text <> '' AND NOT EXISTS "
                f"(SELECT 1 FROM {TABLE} WHERE name = NEW.search_text) "
                f"BEGIN INSERT INTO {TABLE} (name) VALUES (NEW.search_text); END"
            )
    return out


def drop_statements(vendor: str) -> list[str]:
    on = f' ON "{PERSON}"' if vendor == "postgresql" else ""
    out = [f"DROP TRIGGER IF EXISTS people_searchname_{suffix}{on}" for suffix, _e in TRIGGERS]
    if vendor == "postgresql":
        out.append("DROP FUNCTION IF EXISTS dv_search_name()")
    return out


def install_triggers(conn: Any) -> None:
    execute_all(conn, trigger_statements(conn.vendor))


def uninstall_triggers(conn: Any) -> None:
    execute_all(conn, drop_statements(conn.vendor))


def rebuild_search_names(conn: Any = connection) -> int:
    """Fill the dictionary from the people (after a load with the triggers set aside, as
    ``manage.py generate_nation`` does); returns the number of names added."""
    from dangvien.rowsecurity.scope import unrestricted

    # Every person's name, whatever the connection's scope (as ``prune_search_names``).
    with unrestricted(conn.alias), conn.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (name) SELECT DISTINCT p.search_text FROM {PERSON} p "
            f"WHERE p.search_text <> '' AND NOT EXISTS "
            f"(SELECT 1 FROM {TABLE} d WHERE d.name = p.search_text)"
        )
        return max(cursor.rowcount, 0)


def prune_search_names() -> int:
    """Remove the names no person holds any more (a name corrected, a person deleted),
    and a name's second row (two writers added it at once); returns how many rows.

    The people table is locked against writes meanwhile (SHARE conflicts with the ROW
    EXCLUSIVE of an insert or update), so the statement's snapshot is taken once every
    writer of a person has committed, and none writes until it is done: a person named at
    that moment cannot lose the name from the dictionary. SQLite writes one at a time
    anyway. Every person is looked at (``unrestricted``): run in a scope, or with none,
    the row policy would hide the holders and the names of everyone else would go."""
    from dangvien.rowsecurity.scope import unrestricted

    with transaction.atomic(), unrestricted(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {PERSON} IN SHARE MODE")
        cursor.execute(
            f"DELETE FROM {TABLE} WHERE NOT EXISTS "
            f"(SELECT 1 FROM {PERSON} p WHERE p.search_text = {TABLE}.name) "
            f"OR id > (SELECT min(d.id) FROM {TABLE} d WHERE d.name = {TABLE}.name)"
        )
        return max(cursor.rowcount, 0)


def matching_names(text: str) -> list[str] | None:
    """The distinct folded names containing ``text`` (already folded), or None when more
    than ``NAME_LIST_LIMIT`` do (or the text is empty): the caller then matches with
    ``LIKE`` over its rows."""
    if not text:
        return None
    names = list(
        SearchName.objects.filter(name__contains=text)
        .order_by()
        .values_list("name", flat=True)
        .distinct()[: NAME_LIST_LIMIT + 1]
    )
    return None if len(names) > NAME_LIST_LIMIT else names
