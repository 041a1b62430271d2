"""PostgreSQL row-level security under the application's role (issue 9).

Each test builds its rows as the owner (the test runner's role), then switches the
connection to ``settings.DB_APP_ROLE`` with ``as_app()`` and reads what the policies let
through. Skipped on SQLite (no roles, no policies).
"""

from datetime import date
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from dangvien.accounts.models import Role
from dangvien.candidates.models import Candidate, StageChange
from dangvien.exams.models import Sitting
from dangvien.exams.tests.factories import add_board
from dangvien.exams.tests.factories_sittings import paper_sitting, round_with_paper
from dangvien.factories import make_candidate, make_member, user_with_role
from dangvien.members.models import (
    Event,
    Member,
    StatusChange,
    Transfer,
    TransferKind,
    TransferState,
)
from dangvien.members.queries import visible_members
from dangvien.people.models import Person
from dangvien.rowsecurity import policies, scope
from dangvien.rowsecurity.tests import fixtures

pytestmark = [pytest.mark.postgres, pytest.mark.django_db, pytest.mark.as_owner]
as_app = fixtures.as_app


@pytest.fixture
def rows(tree: dict[str, Any]) -> dict[str, Any]:
    """A member and a candidate in each commune, with some history."""
    here = make_member(branch=tree["village"])
    there = make_member(branch=tree["other_branch"])
    for member in (here, there):
        StatusChange.objects.create(
            member=member, what=Event.STATUS, to_status="official", on=date(2020, 1, 1)
        )
    candidates = {
        "candidate_here": make_candidate(branch=tree["school_branch"]),
        "candidate_there": make_candidate(branch=tree["other_branch"]),
    }
    for candidate in candidates.values():
        StageChange.objects.create(
            candidate=candidate, from_stage="candidate", to_stage="candidate"
        )
    return {"here": here, "there": there, **candidates}


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        return int(cursor.fetchone()[0])


def test_the_app_role_sees_only_the_rows_in_its_scope(tree, rows, as_app):
    with as_app(), scope.with_scope(tree["commune"].path):
        assert list(Member.objects.all()) == [rows["here"]]
        assert list(Candidate.objects.all()) == [rows["candidate_here"]]
        people = {rows["here"].person_id, rows["candidate_here"].person_id}
        assert set(Person.objects.values_list("pk", flat=True)) == people
        assert set(StatusChange.objects.values_list("member", flat=True)) == {rows["here"].pk}
        assert _count("members_member") == 1  # raw SQL too: the database filters


def test_a_forgotten_filter_leaks_nothing_from_another_commune(tree, rows, as_app):
    """The query a careless view would run: no scope filter at all."""
    with as_app(), scope.with_scope(tree["other_commune"].path):
        names = set(Member.objects.values_list("person__given_name", flat=True))
        assert names == {rows["there"].person.given_name}
        assert not Member.objects.filter(pk=rows["here"].pk).exists()
        assert not Person.objects.filter(pk=rows["candidate_here"].person_id).exists()


def test_star_sees_every_row(tree, rows, as_app):
    with as_app(), scope.unrestricted():
        assert Member.objects.count() == 2
        assert Candidate.objects.count() == 2
        assert Person.objects.count() == 4


def test_a_connection_nobody_scoped_sees_nothing(tree, rows, as_app):
    """Fail closed: the setting unset (a fresh session) or empty."""
    with as_app():
        with connection.cursor() as cursor:
            cursor.execute("RESET dangvien.scope")
        for spec in policies.PROTECTED:
            assert _count(spec.table) == 0, spec.table
        with scope.with_scope(""):
            assert not Member.objects.exists()
            assert not Person.objects.exists()


def test_the_owner_is_not_restricted(tree, rows):
    """Migrations and management commands run as the tables' owner."""
    with scope.with_scope(""):
        assert Member.objects.count() == 2


def test_a_scope_of_several_subtrees_sees_each(tree, rows, as_app):
    both = f"{tree['village'].path},{tree['other_branch'].path}"
    with as_app(), scope.with_scope(both):
        assert set(Member.objects.all()) == {rows["here"], rows["there"]}
        assert set(Candidate.objects.all()) == {rows["candidate_there"]}


def test_a_member_in_flight_towards_the_scope_is_seen_at_both_ends(tree, rows, as_app):
    """``visible_members``: the destination follows a transfer it has not received yet."""
    there = rows["there"]
    transfer = Transfer.objects.create(
        member=there,
        kind=TransferKind.PERMANENT,
        from_branch=tree["other_branch"],
        to_organisation=tree["village"],
        to_path=tree["village"].path,
        to_name=tree["village"].name,
        letter_no="GT-1",
        issued_on=date(2025, 1, 2),
        present_by=date(2025, 2, 14),
    )
    with as_app(), scope.with_scope(tree["commune"].path):
        assert set(Member.objects.all()) == {rows["here"], there}
        assert Person.objects.filter(pk=there.person_id).exists()
        assert list(Transfer.objects.all()) == [transfer]
        assert StatusChange.objects.filter(member=there).exists()
    Transfer.objects.filter(pk=transfer.pk).update(state="cancelled")
    with as_app(), scope.with_scope(tree["commune"].path):
        assert list(Member.objects.all()) == [rows["here"]]
        assert not Transfer.objects.exists()


def test_a_member_on_a_temporary_stay_is_seen_by_the_host_until_they_return(tree, rows, as_app):
    """``visible_members``: the host follows a member on a received temporary stay; the
    policy lets the same member through, and no longer once the member is back."""
    there = rows["there"]
    stay = Transfer.objects.create(
        member=there,
        kind=TransferKind.TEMPORARY,
        state=TransferState.RECEIVED,
        from_branch=tree["other_branch"],
        to_organisation=tree["village"],
        to_path=tree["village"].path,
        to_name=tree["village"].name,
        letter_no="GT-2",
        issued_on=date(2025, 1, 2),
        present_by=date(2025, 2, 14),
    )
    host = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    with as_app(), scope.scoped(host):
        assert set(visible_members(host)) == {rows["here"], there}
        assert set(Member.objects.all()) == {rows["here"], there}
    Transfer.objects.filter(pk=stay.pk).update(state=TransferState.RETURNED)
    with as_app(), scope.scoped(host):
        assert list(visible_members(host)) == [rows["here"]]
        assert list(Member.objects.all()) == [rows["here"]]


def test_an_exam_board_member_reads_the_sittings_of_their_round_and_nothing_else(tree, as_app):
    """``exams.queries.access.visible_sittings``: a board marks candidates from several
    units. The scope's user (``dangvien.user``) opens the round's sittings and the people
    who sat them, not their member or candidate rows, and no other round's sittings."""
    setup = round_with_paper(tree["commune"])
    other = round_with_paper(tree["commune"])
    sitting = paper_sitting(setup, tree["village"])
    paper_sitting(other, tree["village"])
    marker = user_with_role(Role.GRASSROOTS_STAFF, tree["other_commune"])
    add_board(setup.round, marker)
    with as_app(), scope.scoped(marker):
        assert list(Sitting.objects.all()) == [sitting]
        assert list(Person.objects.all()) == [sitting.person]
        assert not Candidate.objects.filter(person=sitting.person).exists()
    with as_app(), scope.with_scope(tree["other_commune"].path, user_id=None):
        assert not Sitting.objects.exists()


def test_the_child_tables_follow_their_parent(tree, rows, as_app):
    with as_app(), scope.with_scope(tree["commune"].path):
        assert list(StatusChange.objects.values_list("member", flat=True)) == [rows["here"].pk]
        assert list(StageChange.objects.values_list("candidate", flat=True)) == [
            rows["candidate_here"].pk
        ]


def test_a_person_inserted_before_their_candidacy_can_be_read_back(tree, as_app):
    """Django reads the new id back with RETURNING, which the policy checks."""
    with as_app(), scope.with_scope(tree["commune"].path):
        person = Person.objects.create(
            family_name="Lê",
            given_name="Hoa",
            birth_date=date(2000, 1, 1),
            sex="female",
            citizen_id="001200000999",
            education_level="upper_secondary",
        )
        Candidate.objects.create(
            person=person, branch=tree["village"], org_path=tree["village"].path
        )
        assert Person.objects.filter(pk=person.pk).exists()


def test_rows_out_of_scope_cannot_be_updated_or_deleted(tree, rows, as_app):
    with as_app(), scope.with_scope(tree["commune"].path):
        assert Member.objects.filter(pk=rows["there"].pk).update(card_number="X") == 0
        assert Person.objects.filter(pk=rows["there"].person_id).update(phone="1") == 0
    rows["there"].refresh_from_db()
    assert rows["there"].card_number == ""


def test_a_write_cannot_move_a_row_out_of_the_writers_scope(tree, rows, as_app):
    """A row written must stay visible; moving it elsewhere is for ``unrestricted()``."""
    here = Member.objects.filter(pk=rows["here"].pk)
    elsewhere = {"org_path": tree["other_branch"].path, "branch": tree["other_branch"]}
    with as_app(), scope.with_scope(tree["commune"].path):
        with pytest.raises(DatabaseError), transaction.atomic():
            here.update(**elsewhere)
        with scope.unrestricted():
            assert here.update(**elsewhere) == 1
        assert not Member.objects.exists()


def test_scope_blocks_nest_and_put_the_previous_scope_back(tree, rows, as_app):
    with as_app(), scope.with_scope(tree["commune"].path):
        with scope.unrestricted():
            assert Member.objects.count() == 2
        assert Member.objects.count() == 1
        assert scope.current() == tree["commune"].path


def test_a_failed_statement_inside_the_block_still_puts_the_scope_back(tree, rows, as_app):
    with as_app(), scope.with_scope(tree["commune"].path):
        with (
            pytest.raises(DatabaseError),
            transaction.atomic(),
            scope.unrestricted(),
            connection.cursor() as cursor,
        ):
            cursor.execute("SELECT 1/0")
        assert Member.objects.count() == 1
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('dangvien.scope')")
            assert cursor.fetchone()[0] == tree["commune"].path


def test_a_user_scope_block_for_background_work(tree, rows, as_app):
    user = user_with_role(Role.GRASSROOTS_STAFF, tree["other_commune"])
    with as_app(), scope.scoped(user):
        assert list(Member.objects.all()) == [rows["there"]]


def test_the_middlewares_single_statement_sets_the_scope_scope_for_computes(tree, as_app):
    """The request's scope is computed and set by one statement; the same paths as
    ``scope_for`` (which drops nested ones)."""
    users = [
        user_with_role(Role.GRASSROOTS_STAFF, tree["commune"]),
        user_with_role(Role.BRANCH_SECRETARY, tree["school_branch"]),
        user_with_role(Role.BRANCH_SECRETARY, tree["village"]),
        user_with_role(Role.AUDITOR, tree["province"]),
    ]
    users[0].roles.create(organisation=tree["other_branch"], role=Role.LEADER)
    for user in users:
        value = scope.apply_user(user)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('dangvien.scope'), current_setting('dangvien.user')"
            )
            assert cursor.fetchone() == (value, str(user.pk))
        assert sorted(value.split(",")) == sorted(scope.scope_for(user).split(","))
    scope.clear()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('dangvien.scope'), current_setting('dangvien.user')")
        assert cursor.fetchone() == ("", "")


def test_every_protected_table_has_its_policy(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_policy p ON p.polrelid = c.oid "
            "WHERE c.relrowsecurity AND p.polname = %s",
            [policies.POLICY],
        )
        installed = {row[0] for row in cursor.fetchall()}
    assert installed == {p.table for p in policies.PROTECTED}
