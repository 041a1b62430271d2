"""The admission facts (``AdmissionFact``): every admission with its breakdown code, kept
exact by database triggers and a refresh before every read (issue 9: "national dashboard
under 1 s; precomputed rollups refreshed on write are fine if they are always exact").

Why: the achievement of a province or of the country counts a year's admissions with
their breakdowns. Counted live (``facts._sources``), each admission looks its person up
among six million to read the breakdown fields: 4–6 s for the whole country
(bench/national.py). From the fact table the same counts are one index-only scan.

How it stays exact:

1. **Triggers queue every write that can change an admission** (``AdmissionStale``), on
   PostgreSQL and SQLite alike, so bulk and raw writes are covered as the audit trail is
   (``core/audit.py``). What an admission depends on (``facts._sources`` and
   ``facts._admission_code``):

   - a candidate: ``decided_on``, ``stage``, ``org_path``, ``branch_id``, ``person_id``
     (inserted decided, updated, deleted), and its ``member_id``: a member with a
     candidacy is not a direct admission, so the members on both sides are queued;
   - a member: ``first_admitted_on``, ``readmitted_on``, ``org_path``, ``branch_id``,
     ``person_id`` (inserted admitted, updated, deleted);
   - a person: the breakdown fields ``youth_union_member``, ``sex``, ``ethnicity``,
     ``religion``, ``occupation_group``, ``village_id``;
   - an organisation: ``sector`` (the branch's sector is the private-sector breakdown).

   An update queues only when one of those columns really changed (the trigger's
   ``WHEN``), so the many saves that touch other fields cost nothing.

2. **``refresh_admissions()`` runs before every count** (``facts.tally`` and
   ``facts.profile`` call it): it locks and takes the queue, works out which candidates
   and members are concerned (a person's, a branch's), deletes their facts and inserts
   them again from the live definition (``facts._sources`` with ``_admission_code``): the
   one definition of an admission, so the table cannot drift from it. Two readers do not
   race: the second waits on the queue rows' lock, then finds them gone. An empty queue
   costs one indexed read.

3. **The villages without members stay live**: whether a village had a member on the day
   before the period depends on every member of that village, not on the admissions; the
   facts only carry each admission's village, and ``facts.profile`` checks the villages
   reached (a few hundred for the whole country) as before.

The initial fill and a full rebuild (``rebuild_admissions``: the migration, the generator
after its COPY with triggers set aside, ``manage.py rebuild_admission_facts``) insert every
fact from the live definition in one statement.

Row-level security: the facts carry ``org_path`` and are protected like the candidates and
members they come from (``rowsecurity.policies``); the refresh runs ``unrestricted()``
because a write in one unit may be read first by a user of another (a member who moved).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connections, transaction
from django.db.models import F, QuerySet

from dangvien.candidates.models import Candidate
from dangvien.core.sql import execute_all
from dangvien.members.models import Member
from dangvien.rowsecurity.scope import unrestricted
from dangvien.stats.models import AdmissionFact, AdmissionStale

FACTS = AdmissionFact._meta.db_table
QUEUE = AdmissionStale._meta.db_table
COLUMNS = ("source", "object_id", "org_path", "day", "code")


# What the triggers watch: the table, the queue's ``kind``, the column holding the queued
# id, the columns an admission depends on, the condition on a new row for an INSERT to
# matter (None: inserts are not watched: a new person or organisation has no admission
# yet), and whether a DELETE matters.
@dataclass(frozen=True)
class Watch:
    table: str
    kind: str
    id_column: str
    columns: tuple[str, ...]
    inserted: str | None
    deleted: bool

    @property
    def name(self) -> str:
        return f"dv_facts_{self.table}_{self.id_column}"


WATCHED: tuple[Watch, ...] = (
    Watch(
        "candidates_candidate",
        "candidate",
        "id",
        ("decided_on", "stage", "org_path", "branch_id", "person_id"),
        "NEW.decided_on IS NOT NULL",
        True,
    ),
    # A member admitted through a candidacy is not a direct admission (``direct_members``):
    # linking or unlinking a candidacy changes the member's facts.
    Watch(
        "candidates_candidate",
        "member",
        "member_id",
        ("member_id",),
        "NEW.member_id IS NOT NULL",
        True,
    ),
    Watch(
        "members_member",
        "member",
        "id",
        ("first_admitted_on", "readmitted_on", "org_path", "branch_id", "person_id"),
        "NEW.first_admitted_on IS NOT NULL OR NEW.readmitted_on IS NOT NULL",
        True,
    ),
    Watch(
        "people_person",
        "person",
        "id",
        ("youth_union_member", "sex", "ethnicity", "religion", "occupation_group", "village_id"),
        None,
        False,
    ),
    Watch("organisations_organisation", "branch", "id", ("sector",), None, False),
)

# Rows per statement when refreshing (bound parameters stay far under SQLite's limit).
CHUNK = 2000

# PostgreSQL: one function for every watched table; the arguments are the queue's kind and
# the column holding the id. The old row's id is queued too when that column is not the
# primary key (a candidacy moved from one member to another changes both).
PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION dv_admission_stale() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    queued bigint;
BEGIN
    -- The old row's id: on a DELETE, and on an UPDATE when the id is not the key.
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND TG_ARGV[1] <> 'id') THEN
        queued := (to_jsonb(OLD) ->> TG_ARGV[1])::bigint;
        IF queued IS NOT NULL THEN
            INSERT INTO {QUEUE} (kind, row_id) VALUES (TG_ARGV[0], queued);
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        queued := (to_jsonb(NEW) ->> TG_ARGV[1])::bigint;
        IF queued IS NOT NULL THEN
            INSERT INTO {QUEUE} (kind, row_id) VALUES (TG_ARGV[0], queued);
        END IF;
    END IF;
    RETURN NULL;
END $$;
"""


def _changed(columns: Iterable[str], vendor: str) -> str:
    differ = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    return " OR ".join(f"OLD.{c} {differ} NEW.{c}" for c in columns)


def _events(watch: Watch, vendor: str) -> list[tuple[str, str, str | None, list[str]]]:
    """(suffix, event, WHEN condition, rows whose id column is queued on SQLite)."""
    rows_on_update = ["NEW"] if watch.id_column == "id" else ["OLD", "NEW"]
    out: list[tuple[str, str, str | None, list[str]]] = [
        (
            "upd",
            f"UPDATE OF {', '.join(watch.columns)}",
            _changed(watch.columns, vendor),
            rows_on_update,
        )
    ]
    if watch.inserted is not None:
        out.append(("ins", "INSERT", watch.inserted, ["NEW"]))
    if watch.deleted:
        out.append(("del", "DELETE", None, ["OLD"]))
    return out


def trigger_statements(vendor: str) -> list[str]:
    """The SQL that (re)installs the queueing triggers (idempotent)."""
    out: list[str] = []
    if vendor == "postgresql":
        out.append(PG_FUNCTION)
    for watch in WATCHED:
        for suffix, event, when, rows in _events(watch, vendor):
            name = f"{watch.name}_{suffix}"
            condition = f" WHEN ({when})" if when else ""
            head = f'CREATE TRIGGER {name} AFTER {event} ON "{watch.table}" FOR EACH ROW{condition}'
            if vendor == "postgresql":
                out.append(f'DROP TRIGGER IF EXISTS {name} ON "{watch.table}"')
                arguments = f"'{watch.kind}', '{watch.id_column}'"
                out.append(f"{head} EXECUTE FUNCTION dv_admission_stale({arguments})")
            else:
                selects = " UNION ALL ".join(
                    f"SELECT '{watch.kind}', {row}.{watch.id_column}"
                    f" WHERE {row}.{watch.id_column} IS NOT NULL"
                    for row in rows
                )
                out.append(f"DROP TRIGGER IF EXISTS {name}")
                out.append(f"{head} BEGIN INSERT INTO {QUEUE} (kind, row_id) {selects}; END")
    return out


def drop_statements(vendor: str) -> list[str]:
    out = []
    for watch in WATCHED:
        for suffix, *_rest in _events(watch, vendor):
            on = f' ON "{watch.table}"' if vendor == "postgresql" else ""
            out.append(f"DROP TRIGGER IF EXISTS {watch.name}_{suffix}{on}")
    if vendor == "postgresql":
        out.append("DROP FUNCTION IF EXISTS dv_admission_stale()")
    return out


def install_triggers(connection: Any) -> None:
    execute_all(connection, trigger_statements(connection.vendor))


def uninstall_triggers(connection: Any) -> None:
    execute_all(connection, drop_statements(connection.vendor))


# ---- the facts from the live definition ------------------------------------------------

EVER = (date(1, 1, 1), date(9999, 12, 31))


def live_facts(
    candidates: list[int] | None = None,
    members: list[int] | None = None,
    *,
    joined: bool = False,
) -> list[QuerySet[Any]]:
    """The facts as the live definition gives them (``facts._sources`` with the code), one
    queryset a source, each selecting ``COLUMNS`` as ``_source``, ``_object``, ``_path``,
    ``_day``, ``_code``. ``candidates`` / ``members``: only these ids of that source (an
    empty list leaves the source out); None: all. ``joined``: the code from a join on the
    person (``facts._admission_code(joined=True)``, the same number) rather than a look-up
    per row: for a pass over every admission."""
    from dangvien.stats.queries import facts

    out = []
    for rows in facts._sources("", *EVER):
        wanted = candidates if rows.model is Candidate else members
        if wanted is not None:
            if not wanted:
                continue
            rows = rows.filter(pk__in=wanted)
        if joined:
            rows = facts._with_folded(rows)
        out.append(
            rows.annotate(
                _object=F("pk"),
                _path=F("org_path"),
                _code=facts._admission_code(joined=joined),
            )
            .values("_source", "_object", "_path", "_day", "_code")
            .order_by()
        )
    return out


def _insert(rows: QuerySet[Any]) -> int:
    """``INSERT INTO facts SELECT …`` of one ``live_facts`` queryset, in the database.
    Returns the number of rows inserted."""
    sql, params = rows.query.sql_with_params()
    columns = ", ".join(COLUMNS)
    with connections[rows.db].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {FACTS} ({columns}) SELECT s._source, s._object, s._path, s._day,"
            f" s._code FROM ({sql}) s",
            params,
        )
        return max(cursor.rowcount, 0)


# The full rebuild reads every admission of the country once: on PostgreSQL its statements
# run with hash joins (the planner's estimate of the direct members, an anti-join, is a
# single row, and leads it to nested loops with one index look-up per admission) and with
# the memory to keep the person table's hash in memory (bench/README.md, generator).
REBUILD_WORK_MEM = "512MB"


def rebuild_admissions(using: str = "default") -> int:
    """Empty the facts and the queue and insert every fact again (one transaction), with
    the person's part of the code from a join (``live_facts(joined=True)``). Returns how
    many facts there are."""
    with transaction.atomic(using), unrestricted():
        AdmissionStale.objects.using(using).all().delete()
        AdmissionFact.objects.using(using).all().delete()
        connection = connections[using]
        if connection.vendor != "postgresql":
            return sum(_insert(rows.using(using)) for rows in live_facts(joined=True))
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('enable_nestloop'), current_setting('work_mem')")
            before = cursor.fetchone()
            cursor.execute(
                "SELECT set_config('enable_nestloop', 'off', true),"
                " set_config('work_mem', %s, true)",
                [REBUILD_WORK_MEM],
            )
        inserted = sum(_insert(rows.using(using)) for rows in live_facts(joined=True))
        with connection.cursor() as cursor:  # the caller's settings again
            cursor.execute(
                "SELECT set_config('enable_nestloop', %s, true), set_config('work_mem', %s, true)",
                before,
            )
        return inserted


def refresh_admissions(using: str = "default") -> int:
    """Bring the facts up to date with every queued write (see the module docstring).
    Returns how many queued writes were taken (0: the facts were exact already). An empty
    queue costs one query and no transaction."""
    if not AdmissionStale.objects.using(using).exists():  # the queue is not scoped
        return 0
    with transaction.atomic(using), unrestricted():
        queued = list(
            AdmissionStale.objects.using(using)
            .select_for_update()
            .order_by()
            .values_list("pk", "kind", "row_id")
        )
        if not queued:
            return 0
        ids: dict[str, set[int]] = defaultdict(set)
        for _pk, kind, row_id in queued:
            ids[kind].add(row_id)
        candidates, members = ids["candidate"], ids["member"]
        for field, key in (("person_id", "person"), ("branch_id", "branch")):
            for chunk in _chunks(ids[key]):
                candidates.update(
                    Candidate.objects.using(using)
                    .filter(**{f"{field}__in": chunk})
                    .values_list("pk", flat=True)
                )
                members.update(
                    Member.objects.using(using)
                    .filter(**{f"{field}__in": chunk})
                    .values_list("pk", flat=True)
                )
        facts = AdmissionFact.objects.using(using)
        for chunk in _chunks(candidates):
            facts.filter(source="candidate", object_id__in=chunk).delete()
            for rows in live_facts(candidates=chunk, members=[]):
                _insert(rows.using(using))
        for chunk in _chunks(members):
            facts.filter(source__in=("member", "readmission"), object_id__in=chunk).delete()
            for rows in live_facts(candidates=[], members=chunk):
                _insert(rows.using(using))
        for chunk in _chunks({pk for pk, _kind, _row in queued}):
            AdmissionStale.objects.using(using).filter(pk__in=chunk).delete()
        return len(queued)


def _chunks(values: Iterable[int]) -> list[list[int]]:
    items = sorted(values)
    return [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]
