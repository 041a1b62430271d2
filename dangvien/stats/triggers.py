"""Database triggers that mark the structure rollup out of date (``stats.rollup``).

Every write that can change a figure of ``queries.structure`` inserts, in the writer's own
transaction, the slice(s) it touches into ``stats_structurestale``: the first two segments
of the path of the member's node (``rollup.SLICE`` characters; one segment for a member
held directly by a top node), and ``top``, the first segment. Triggers and not Django
signals, so that bulk updates, raw SQL, imports and subtree moves are caught too, the way
``core.audit`` records every write. Installed after every ``migrate`` on PostgreSQL and
SQLite (idempotent), like the audit triggers.

What the structure reads, and so what is watched (``queries.structure.slices``):

- ``members_member``: the node (``org_path``), the person, the dates of a membership
  (admission, ceremony, official, left, readmission, first admission);
- ``people_person``: sex, birth date, ethnicity, religion, education, political theory,
  occupation group (any of the member's slices);
- ``members_transfer``: any change; a temporary stay counts where it is received
  (``to_path``), a permanent move places the member at ``from_branch`` until received;
- ``members_exemption`` and ``members_gap`` (a readmitted member's first membership);
- ``organisations_organisation``: a changed ``path`` (a subtree moved: the members'
  ``org_path`` is rewritten as well, and a transfer's ``from_branch`` path moves with it).

The slices of a member are those of their ``org_path``, of the ``from_branch`` and the
``to_path`` of each of their transfers: wherever the member may be counted on a day.
More than needed is harmless (a slice recounted for nothing), fewer would not be: the
tests compare the rollup with a live count after each kind of write.

On PostgreSQL the trigger functions are ``SECURITY DEFINER`` (owned by the tables' owner,
every name schema-qualified, as ``rowsecurity.policies`` does): under row-level security a
writer may not see all the rows that say which slices a change touches (a transfer received
from another province), and the stale table is written whatever the writer's scope.
"""

from typing import Any

from django.db import connections

from dangvien.organisations.models import SEGMENT

SLICE = 2 * SEGMENT
STALE = "stats_structurestale"

# The columns whose change matters, per table (an UPDATE touching none of them is ignored).
MEMBER_COLUMNS = (
    "org_path",
    "person_id",
    "admitted_on",
    "first_admitted_on",
    "readmitted_on",
    "probation_started_on",
    "official_on",
    "left_on",
)
PERSON_COLUMNS = (
    "sex",
    "birth_date",
    "ethnicity",
    "religion",
    "education_level",
    "political_theory",
    "occupation_group",
)
# Tables whose every row is about one member (``member_id``): any write counts.
MEMBER_ROWS = ("members_transfer", "members_exemption", "members_gap")

TRIGGER = "dv_structure"


def _names(pg: bool) -> dict[str, str]:
    schema = "public." if pg else ""
    return {
        "stale": f"{schema}{STALE}",
        "member": f"{schema}members_member",
        "transfer": f"{schema}members_transfer",
        "org": f"{schema}organisations_organisation",
    }


def _a_path(column: str, pg: bool) -> str:
    """``column`` is a tree path (segments of 8 digits and a slash): skips blanks and the
    temporary path a node has for a moment while it is created."""
    if pg:
        return f"{column} ~ '^[0-9]{{{SEGMENT - 1}}}/'"
    return f"{column} GLOB '{'[0-9]' * (SEGMENT - 1)}/*'"


def queue(paths: str, pg: bool) -> str:
    """The INSERT that marks the slices of the paths ``paths`` (a SELECT of one column
    ``p``) out of date."""
    n = _names(pg)
    return (
        f"INSERT INTO {n['stale']} (slice_path, top) "
        f"SELECT DISTINCT substr(p, 1, {SLICE}), substr(p, 1, {SEGMENT}) "
        f"FROM ({paths}) AS touched WHERE {_a_path('p', pg)}"
    )


def member_paths(member: str, pg: bool) -> str:
    """Every path where the member ``member`` (an SQL expression: its id) may be counted:
    their node, and each transfer's origin and destination."""
    n = _names(pg)
    return (
        f"SELECT org_path AS p FROM {n['member']} WHERE id = {member} "
        f"UNION SELECT o.path FROM {n['transfer']} t JOIN {n['org']} o "
        f"ON o.id = t.from_branch_id WHERE t.member_id = {member} "
        f"UNION SELECT to_path FROM {n['transfer']} WHERE member_id = {member}"
    )


def _one(value: str) -> str:
    return f"SELECT {value} AS p"


def _union(*selects: str) -> str:
    return " UNION ".join(selects)


def _changed(columns: tuple[str, ...], pg: bool) -> str:
    op = "IS DISTINCT FROM" if pg else "IS NOT"
    return " OR ".join(f'OLD."{c}" {op} NEW."{c}"' for c in columns)


def statements(pg: bool) -> dict[str, dict[str, list[str]]]:
    """Per table, per operation (INSERT, UPDATE, DELETE): the statements a trigger runs."""
    n = _names(pg)
    person_member = f"(SELECT id FROM {n['member']} WHERE person_id = {{row}}.id)"
    out: dict[str, dict[str, list[str]]] = {
        "members_member": {
            "INSERT": [queue(member_paths("NEW.id", pg), pg)],
            "UPDATE": [queue(_union(member_paths("NEW.id", pg), _one("OLD.org_path")), pg)],
            "DELETE": [queue(_one("OLD.org_path"), pg)],
        },
        # A person with a member row cannot be deleted (PROTECT): only updates matter.
        "people_person": {
            "UPDATE": [queue(member_paths(person_member.format(row="NEW"), pg), pg)],
        },
        "organisations_organisation": {
            "UPDATE": [queue(_union(_one("OLD.path"), _one("NEW.path")), pg)],
        },
    }
    for table in MEMBER_ROWS:
        old = [member_paths("OLD.member_id", pg)]
        if table == "members_transfer":
            # The row is gone (or changed): its own origin and destination are named here.
            old += [
                _one("OLD.to_path"),
                f"SELECT path AS p FROM {n['org']} WHERE id = OLD.from_branch_id",
            ]
        out[table] = {
            "INSERT": [queue(member_paths("NEW.member_id", pg), pg)],
            "UPDATE": [queue(_union(member_paths("NEW.member_id", pg), *old), pg)],
            "DELETE": [queue(_union(*old), pg)],
        }
    return out


# An UPDATE fires only when one of these changed (None: any UPDATE).
WHEN_UPDATED: dict[str, tuple[str, ...] | None] = {
    "members_member": MEMBER_COLUMNS,
    "people_person": PERSON_COLUMNS,
    "organisations_organisation": ("path",),
    **dict.fromkeys(MEMBER_ROWS, None),
}


def _pg_function(table: str, by_op: dict[str, list[str]]) -> str:
    branches = []
    for op, body in by_op.items():
        branches.append(f"IF TG_OP = '{op}' THEN\n" + "".join(f"    {s};\n" for s in body))
    return (
        f"CREATE OR REPLACE FUNCTION dv_structure_{table}() RETURNS trigger\n"
        "LANGUAGE plpgsql SECURITY DEFINER AS $$\nBEGIN\n"
        + "END IF;\n".join(branches)
        + "END IF;\nRETURN NULL;\nEND;\n$$"
    )


def pg_statements() -> list[str]:
    out = []
    for table, by_op in statements(pg=True).items():
        out.append(_pg_function(table, by_op))
        for suffix in ("", "_u", "_w"):
            out.append(f'DROP TRIGGER IF EXISTS {TRIGGER}{suffix} ON "{table}"')
        plain = [op for op in by_op if op != "UPDATE" or WHEN_UPDATED[table] is None]
        if plain:
            out.append(
                f'CREATE TRIGGER {TRIGGER}_w AFTER {" OR ".join(plain)} ON "{table}" '
                f"FOR EACH ROW EXECUTE FUNCTION dv_structure_{table}()"
            )
        columns = WHEN_UPDATED[table]
        if "UPDATE" in by_op and columns is not None:
            out.append(
                f'CREATE TRIGGER {TRIGGER}_u AFTER UPDATE ON "{table}" FOR EACH ROW '
                f"WHEN ({_changed(columns, pg=True)}) "
                f"EXECUTE FUNCTION dv_structure_{table}()"
            )
    return out


def sqlite_statements() -> list[str]:
    out = []
    for table, by_op in statements(pg=False).items():
        for op in ("INSERT", "UPDATE", "DELETE"):
            name = f"{TRIGGER}_{table}_{op[0].lower()}"
            out.append(f'DROP TRIGGER IF EXISTS "{name}"')
            if op not in by_op:
                continue
            columns = WHEN_UPDATED[table] if op == "UPDATE" else None
            when = f" WHEN {_changed(columns, pg=False)}" if columns else ""
            body = "".join(f"{s}; " for s in by_op[op])
            out.append(
                f'CREATE TRIGGER "{name}" AFTER {op} ON "{table}" FOR EACH ROW{when} '
                f"BEGIN {body}END"
            )
    return out


def install(using: str = "default") -> None:
    """(Re)install the triggers, once every table they name exists. Idempotent."""
    conn = connections[using]
    tables = set(conn.introspection.table_names())
    needed = {STALE, "members_member", "members_transfer", "organisations_organisation"}
    if not needed <= tables or not set(statements(pg=False)) <= tables:
        return
    if conn.vendor == "postgresql":
        sql = pg_statements()
    elif conn.vendor == "sqlite":
        sql = sqlite_statements()
    else:
        return
    with conn.cursor() as cursor:
        for statement in sql:
            cursor.execute(statement)


def _after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    if sender.label == "stats":
        install(using)
