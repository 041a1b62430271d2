"""Which tables PostgreSQL row-level security protects, and the SQL that installs it.

Organisation scope is enforced twice (issue 9): by every query (``visible_members`` and
friends, unchanged) and here, by the database itself, for every role but the tables'
owner, so a query that forgot its scope filter still returns nothing outside the user's
subtrees. OWASP ASVS 5.0 V8.2.2 ("data-specific access restricted to consumers with
explicit permissions"), V8.4.1 (multi-tenant isolation); Nghị định 13/2023/NĐ-CP Điều 26
(measures protecting sensitive personal data: political affiliation, family background).

The scope is the connection setting ``dangvien.scope`` (``scope.py`` sets it):

- a comma-separated list of organisation path prefixes: rows under them are visible;
- ``*``: every row (superusers, system jobs);
- unset or empty: nothing (fail closed: a connection nobody scoped sees no personal data).

A row is visible when:

- ``ORG_PATH`` tables: its ``org_path`` lies under the scope, or the person / member /
  candidate it is about is visible (a certificate issued by the province school is seen by
  the commune of its holder: ``training.queries`` and the eligibility checks read it);
- ``members_member``: its ``org_path`` lies under the scope, or a transfer towards the
  scope is open (in flight, or a temporary stay received: ``visible_members`` shows the
  member at both ends);
- ``people_person``: a visible member or candidate row is theirs, or no member or
  candidate row is theirs at all (a person just inserted, before their candidacy: Django
  reads the new id back with ``RETURNING``, which PostgreSQL checks against the policy),
  or they sat an exam of a round the scope's user is on the board of;
- ``exams_sitting``: as the ``ORG_PATH`` tables, or its round has the scope's user
  (``dangvien.user``) on its board: the board marks candidates from several units
  (``exams.queries.access.visible_sittings``);
- the other tables: the member, candidate or person row they hang off is visible.

The policies apply to ``PUBLIC``: every role except the owner (who runs migrations and
management commands), superusers and roles with ``BYPASSRLS``. The application's role
(``settings.DB_APP_ROLE``) is one of them, and so is any other (a reporting role on a
replica sees nothing until it sets a scope). The same expression checks writes: an
update or delete reaches visible rows only, and a row written must be visible afterwards
(PostgreSQL checks the new row of an UPDATE against the read policy anyway). Moving a row
out of the writer's scope (a transfer received elsewhere, a subtree moved) therefore runs
``unrestricted()``: the actions check permissions themselves (STYLE.md), see
``docs/row-level-security.md``.

The expressions are written so that PostgreSQL evaluates the scope once per query
(``(SELECT dv_scope_all())`` and ``(SELECT dv_scope_paths())`` become InitPlans) and the
per-row test is a prefix comparison (``^@``) against a short array. Cross-table tests go
through ``EXISTS`` on the parent table, to which its own policy applies in turn; the two
that would recurse (member ↔ transfer) and the "no record at all" test call SECURITY
DEFINER functions owned by the tables' owner.
"""

from dataclasses import dataclass
from typing import Any

SCOPE_SETTING = "dangvien.scope"
# The id of the user the scope is for (empty: none): an exam board member marks the
# sittings of their round wherever the candidates come from (``exams.queries.access``).
USER_SETTING = "dangvien.user"
POLICY = "dv_scope"

# The per-query constants (InitPlans) and the per-row prefix test.
ALL = "(SELECT dv_scope_all())"


def under_scope(column: str) -> str:
    # The cast makes ANY read an array, not the rows of a sub-select.
    return f"{column}::text ^@ ANY ((SELECT dv_scope_paths())::text[])"


def visible(table: str, column: str, key: str = "id") -> str:
    """The row of ``table`` that ``column`` points at is visible (its own policy applies).

    ``OFFSET 0`` keeps the test a probe of ``key``'s index for each row checked: without it
    PostgreSQL may turn the ``EXISTS`` into a hash of every visible row of ``table``, built
    before the first row is returned (measured: a province's member list page went from 22
    to 160 ms, hashing every candidate of the province to check 50 people)."""
    return f"EXISTS (SELECT 1 FROM {table} v WHERE v.{key} = {column} OFFSET 0)"


MEMBER = "members_member"
CANDIDATE = "candidates_candidate"
PERSON = "people_person"
SITTING = "exams_sitting"
BOARD = "exams_boardmember"

# The round of the sitting has the scope's user on its board (``exams.queries.access.
# visible_sittings``: "sittings of rounds the user is on the board of"). The user id is an
# InitPlan; without one the test is false at once.
ON_BOARD = (
    f"((SELECT dv_user()) IS NOT NULL AND EXISTS (SELECT 1 FROM {BOARD} b"
    " WHERE b.round_id = @.round_id AND b.user_id = (SELECT dv_user())))"
)


@dataclass(frozen=True)
class Protected:
    table: str
    # SQL, true for a visible row; "@." stands for the table (its columns are qualified, so
    # a sub-select on another table cannot capture them).
    visible_when: str
    why: str  # what personal data the table holds


def _org_path_or(*subjects: str) -> str:
    return " OR ".join([under_scope("@.org_path"), *subjects])


PROTECTED: tuple[Protected, ...] = (
    Protected(
        PERSON,
        f"{visible(MEMBER, '@.id', 'person_id')}"
        f" OR {visible(CANDIDATE, '@.id', 'person_id')}"
        " OR dv_person_unlinked(@.id)"
        " OR ((SELECT dv_user()) IS NOT NULL AND dv_person_on_my_board(@.id))",
        "identity, citizen ID, family background (Nghị định 13/2023 Điều 2.4: sensitive)",
    ),
    Protected(
        MEMBER,
        f"{under_scope('@.org_path')} OR @.id IN (SELECT dv_members_coming())",
        "party membership: political affiliation (sensitive)",
    ),
    Protected(CANDIDATE, under_scope("@.org_path"), "candidacy for party membership"),
    # Rows about a member, candidate or person, with the unit's path copied on them.
    Protected(
        "members_duespayment",
        _org_path_or(visible(MEMBER, "@.member_id")),
        "a member's dues payments",
    ),
    Protected(
        "training_enrolment",
        _org_path_or(visible(PERSON, "@.person_id")),
        "a person's enrolment in political training",
    ),
    Protected(
        "training_certificate",
        _org_path_or(visible(PERSON, "@.person_id")),
        "a person's training certificates",
    ),
    Protected(
        SITTING,
        _org_path_or(visible(PERSON, "@.person_id"), ON_BOARD),
        "a person's exam answers and scores",
    ),
    Protected(
        "reviews_memberreview",
        _org_path_or(visible(MEMBER, "@.member_id")),
        "a member's yearly quality rating",
    ),
    Protected(
        "reviews_discipline",
        _org_path_or(visible(MEMBER, "@.member_id")),
        "a member's disciplinary measures",
    ),
    Protected(
        "screening_screeningcase",
        _org_path_or(visible(MEMBER, "@.member_id")),
        "screening (rà soát) of a member",
    ),
    Protected(
        "privacy_consent",
        _org_path_or(visible(PERSON, "@.person_id")),
        "a person's consent to processing",
    ),
    Protected(
        "privacy_subjectrequest",
        _org_path_or(visible(PERSON, "@.person_id")),
        "a data subject's requests and the answers",
    ),
    Protected(
        "stats_admissionfact",
        under_scope("@.org_path"),
        "each admission with its breakdowns (religion, ethnicity: stats.admission_facts)",
    ),
    # A member's history and records.
    Protected("members_statuschange", visible(MEMBER, "@.member_id"), "a member's history"),
    Protected(
        "members_mentorship", visible(MEMBER, "@.member_id"), "who mentors a probationary member"
    ),
    Protected(
        "members_probationreport", visible(MEMBER, "@.member_id"), "probation reports on a member"
    ),
    Protected("members_proceeding", visible(MEMBER, "@.member_id"), "exit and removal proceedings"),
    Protected("members_gap", visible(MEMBER, "@.member_id"), "gaps in a member's party age"),
    Protected("members_exemption", visible(MEMBER, "@.member_id"), "exemptions (health, age)"),
    Protected("members_transfer", "dv_member_visible(@.member_id)", "transfers"),
    Protected("members_attendance", visible(MEMBER, "@.member_id"), "meeting attendance"),
    Protected("members_duesaccount", visible(MEMBER, "@.member_id"), "a member's dues account"),
    Protected("members_duesrelief", visible(MEMBER, "@.member_id"), "dues relief (hardship)"),
    Protected("members_badge", visible(MEMBER, "@.member_id"), "party badges awarded"),
    # A candidate's dossier.
    Protected("candidates_stagechange", visible(CANDIDATE, "@.candidate_id"), "dossier history"),
    Protected(
        "candidates_backgroundcheck",
        visible(CANDIDATE, "@.candidate_id"),
        "background checks (thẩm tra lý lịch)",
    ),
    Protected("candidates_introducer", visible(CANDIDATE, "@.candidate_id"), "who introduced whom"),
    Protected("candidates_vote", visible(CANDIDATE, "@.candidate_id"), "votes on admission"),
    # Documents about a candidate or a member, and every number taken from a register of
    # the scope (the register page lists them all; the subject's name stays hidden when
    # the subject has left the scope).
    Protected(
        "documents_issueddocument",
        f"{visible(CANDIDATE, '@.candidate_id')} OR {visible(MEMBER, '@.member_id')}"
        " OR EXISTS (SELECT 1 FROM documents_register r"
        " JOIN organisations_organisation o ON o.id = r.organisation_id"
        f" WHERE r.id = @.register_id AND {under_scope('o.path')})",
        "documents issued about a person (decisions, letters)",
    ),
    Protected(
        "documents_scan",
        f"{visible(CANDIDATE, '@.candidate_id')} OR {visible(MEMBER, '@.member_id')}",
        "signed scans of dossier documents",
    ),
    # Counts per unit, but by ethnicity, religion, age and sex, per commune: a small group
    # can single a member out (Nghị định 13/2023 Điều 2.4: ethnic origin and religion are
    # sensitive). Read and written under ``unrestricted()`` (``stats.rollup``), so the
    # policy binds only a query that forgot it.
    Protected(
        "stats_structurerollup",
        under_scope("@.slice_path"),
        "member counts of a unit by sex, age, ethnicity, religion (stats.rollup)",
    ),
)


# Tables with an ``org_path`` column (or a link to a person) that are NOT protected, and
# why. The test ``test_every_personal_table_is_protected_or_excused`` keeps this list
# honest: a new table with personal data must be added to PROTECTED or explained here.
EXCUSED: dict[str, str] = {
    "organisations_village": "villages of a commune: no personal data",
    "members_meeting": "a branch's meetings (dates, agenda); attendance is protected",
    "training_course": "courses are seen by the organiser's subtree and by the units of "
    "the people enrolled (visible_courses): no personal data",
    "exams_question": "question banks are shared down the tree: no personal data",
    "exams_examround": "exam rounds are seen by the units above and below: no personal data",
    "stats_poolsurvey": "counts per unit: no personal data",
    "reviews_reviewperiod": "review periods are set above and seen below: no personal data",
    "reviews_organisationreview": "the rating of a unit, read by the units above",
    "imports_importjob": "the file's metadata and counts; the background task runs in the "
    "job user's scope, so the rows it reads and writes are protected",
    "auditlog_accessevent": "the access log: read by auditors, whose data scope is empty "
    "(H4); append-only, hash-chained",
    "stats_structurestale": "which units' structure figures must be counted again: paths "
    "only; written by triggers in any writer's transaction, whatever the writer's scope "
    "(stats.triggers), so a policy would refuse a transfer received from another province",
}


FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION dv_scope_all() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(current_setting('{SCOPE_SETTING}', true), '') = '*'
$$;

CREATE OR REPLACE FUNCTION dv_user() RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT nullif(coalesce(current_setting('{USER_SETTING}', true), ''), '')::bigint
$$;

CREATE OR REPLACE FUNCTION dv_scope_paths() RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN coalesce(current_setting('{SCOPE_SETTING}', true), '') IN ('', '*')
            THEN '{{}}'::text[]
        ELSE array_remove(string_to_array(current_setting('{SCOPE_SETTING}', true), ','), '')
    END
$$;

-- The SECURITY DEFINER functions below run as the tables' owner, so the policies of the
-- tables they read do not apply (no recursion between member and transfer, and "no row
-- at all" means no row, visible or not). No SET search_path clause: it would cost a
-- settings save and restore on every call (these run once per row checked); every name is
-- schema-qualified instead, and the application's role cannot create objects in public.

-- Members with a transfer towards the scope still open (members.queries.open_transfers:
-- in flight, or a temporary stay received).
CREATE OR REPLACE FUNCTION dv_members_coming() RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT t.member_id FROM public.members_transfer t
    WHERE (t.state = 'in_flight' OR (t.state = 'received' AND t.kind = 'temporary'))
      AND t.to_path::text ^@ ANY (public.dv_scope_paths())
$$;

-- Whether the member is visible (the same test as the member's policy), for the
-- transfers' policy: in the scope, or with a transfer towards it still open
-- (dv_members_coming's rows, for this one member). Called once per transfer row: the
-- member's own transfers are read through their index, not the scope's whole set of
-- incoming transfers each time (that made a province's transfer list quadratic: over
-- ten minutes for a province of 376,000 members, issue 9).
CREATE OR REPLACE FUNCTION dv_member_visible(member bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT public.dv_scope_all() OR EXISTS (
        SELECT 1 FROM public.members_member m
        WHERE m.id = member AND m.org_path::text ^@ ANY (public.dv_scope_paths())
    ) OR EXISTS (
        SELECT 1 FROM public.members_transfer t
        WHERE t.member_id = member
          AND (t.state = 'in_flight' OR (t.state = 'received' AND t.kind = 'temporary'))
          AND t.to_path::text ^@ ANY (public.dv_scope_paths())
    )
$$;

-- The person sat an exam of a round the scope's user is on the board of (the sittings'
-- policy reads the person: a function, so the two policies do not recurse).
CREATE OR REPLACE FUNCTION dv_person_on_my_board(person bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT EXISTS (
        SELECT 1 FROM public.exams_sitting s
        JOIN public.exams_boardmember b ON b.round_id = s.round_id
        WHERE s.person_id = person AND b.user_id = public.dv_user()
    )
$$;

-- No member or candidate row is the person's: a person just inserted, before the row
-- that links them to a unit.
CREATE OR REPLACE FUNCTION dv_person_unlinked(person bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT NOT EXISTS (SELECT 1 FROM public.members_member WHERE person_id = person)
       AND NOT EXISTS (SELECT 1 FROM public.candidates_candidate WHERE person_id = person)
$$;
"""

DROP_FUNCTIONS = """
DROP FUNCTION IF EXISTS dv_person_on_my_board(bigint);
DROP FUNCTION IF EXISTS dv_person_unlinked(bigint);
DROP FUNCTION IF EXISTS dv_member_visible(bigint);
DROP FUNCTION IF EXISTS dv_members_coming();
DROP FUNCTION IF EXISTS dv_scope_paths();
DROP FUNCTION IF EXISTS dv_scope_all();
DROP FUNCTION IF EXISTS dv_user();
"""


def _table_exists(cursor: Any, table: str) -> bool:
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
    return bool(cursor.fetchone()[0])


def policy_sql(spec: Protected) -> list[str]:
    using = f"{ALL} OR {spec.visible_when}".replace("@.", f'"{spec.table}".')
    return [
        f'ALTER TABLE "{spec.table}" ENABLE ROW LEVEL SECURITY',
        f'DROP POLICY IF EXISTS {POLICY} ON "{spec.table}"',
        f'CREATE POLICY {POLICY} ON "{spec.table}" AS PERMISSIVE FOR ALL TO PUBLIC USING ({using})',
    ]


def install(connection: Any) -> list[str]:
    """Create the functions and (re)create every policy; PostgreSQL only, idempotent.
    Returns the tables protected (a table that does not exist yet is skipped)."""
    if connection.vendor != "postgresql":
        return []
    done = []
    with connection.cursor() as cursor:
        missing = [s.table for s in PROTECTED if not _table_exists(cursor, s.table)]
        # The functions name these tables: create them only once they all exist.
        if any(t in missing for t in (PERSON, MEMBER, CANDIDATE, "members_transfer", SITTING)) or (
            not _table_exists(cursor, BOARD)
        ):
            return []
        cursor.execute(FUNCTIONS)
        for spec in PROTECTED:
            if spec.table in missing:
                continue
            for statement in policy_sql(spec):
                cursor.execute(statement)
            done.append(spec.table)
    return done


def uninstall(connection: Any) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for spec in PROTECTED:
            if _table_exists(cursor, spec.table):
                cursor.execute(f'DROP POLICY IF EXISTS {POLICY} ON "{spec.table}"')
                cursor.execute(f'ALTER TABLE "{spec.table}" DISABLE ROW LEVEL SECURITY')
        cursor.execute(DROP_FUNCTIONS)
