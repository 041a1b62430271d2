"""Every write leaves an audit row, written by a database trigger (core/audit.py): creates,
bulk ``.update()``, raw SQL and deletes alike, with the acting user when one is known.

Written for both SQLite and PostgreSQL: JSON values are compared as text and numbers, never
as booleans (SQLite's ``json_object`` stores 0/1).
"""

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from dangvien.candidates.actions import withdraw
from dangvien.candidates.models import Stage
from dangvien.core import audit, crypto
from dangvien.core.models import AuditEvent
from dangvien.factories import (
    make_candidate,
    make_person,
    make_user,
    tree_2025,
)
from dangvien.people.models import Person


def mark():
    """The last audit row so far: factories write several rows while building objects."""
    last = AuditEvent.objects.order_by("-id").first()
    return last.id if last else 0


def events(model, pk, op=None, after=0):
    rows = AuditEvent.objects.filter(table=model._meta.db_table, row_id=str(pk), id__gt=after)
    if op:
        rows = rows.filter(op=op)
    return list(rows.order_by("id"))


def test_a_create_leaves_an_insert_event_with_the_new_row(db):
    person = make_person(given_name="Lan")
    (event,) = events(Person, person.pk, "I")
    assert event.before is None
    assert event.after["given_name"] == "Lan"
    assert crypto.decrypt(event.after["citizen_id"]) == person.citizen_id
    assert event.actor_id is None


def test_a_bulk_queryset_update_leaves_one_event_per_row_with_before_and_after(db):
    first, second = make_person(occupation="Nông dân"), make_person(occupation="Nông dân")
    start = mark()
    Person.objects.filter(pk__in=[first.pk, second.pk]).update(occupation="Giáo viên")
    for person in (first, second):
        (event,) = events(Person, person.pk, "U", after=start)
        assert event.before["occupation"] == "Nông dân"
        assert event.after["occupation"] == "Giáo viên"


def test_a_raw_sql_update_is_audited_too(db):
    person = make_person(address="Thôn Đông")
    start = mark()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE people_person SET address = %s WHERE id = %s", ["Thôn Tây", person.pk]
        )
    (event,) = events(Person, person.pk, "U", after=start)
    assert event.before["address"] == "Thôn Đông"
    assert event.after["address"] == "Thôn Tây"


def test_a_delete_leaves_the_row_as_it_was(db):
    person = make_person(given_name="Minh")
    pk = person.pk
    person.delete()
    (event,) = events(Person, pk, "D")
    assert event.before["given_name"] == "Minh"
    assert event.after is None


def test_writes_inside_acting_as_are_attributed_to_the_user(db):
    user = make_user()
    person = make_person()
    start = mark()
    with audit.acting_as(user):
        Person.objects.filter(pk=person.pk).update(phone="0912345678")
    (event,) = events(Person, person.pk, "U", after=start)
    assert event.actor_id == user.pk


def test_the_actor_is_forgotten_after_the_block(db):
    user = make_user()
    person = make_person()
    with audit.acting_as(user):
        pass
    start = mark()
    Person.objects.filter(pk=person.pk).update(phone="0912345678")
    (event,) = events(Person, person.pk, "U", after=start)
    assert event.actor_id is None
    assert audit.current_actor_id() is None


def test_an_anonymous_actor_counts_as_none(db):
    from django.contrib.auth.models import AnonymousUser

    person = make_person()
    start = mark()
    with audit.acting_as(AnonymousUser()):
        Person.objects.filter(pk=person.pk).update(phone="0912345678")
    (event,) = events(Person, person.pk, "U", after=start)
    assert event.actor_id is None


def test_an_action_run_by_a_user_attributes_its_writes_to_that_user(db):
    user = make_user()
    candidate = make_candidate(branch=tree_2025()["village"], stage=Stage.CANDIDATE)
    start = mark()
    withdraw(candidate, reason="Chuyển đi nơi khác", by=user)
    (event,) = events(type(candidate), candidate.pk, "U", after=start)
    assert event.before["stage"] == Stage.CANDIDATE
    assert event.after["stage"] == Stage.WITHDRAWN
    assert event.actor_id == user.pk
    (history,) = AuditEvent.objects.filter(table="candidates_stagechange", id__gt=start)
    assert history.actor_id == user.pk


def test_nested_acting_as_restores_the_outer_actor(db):
    outer, inner = make_user(), make_user()
    person = make_person()
    start = mark()
    with audit.acting_as(outer):
        with audit.acting_as(inner):
            Person.objects.filter(pk=person.pk).update(phone="1")
        Person.objects.filter(pk=person.pk).update(phone="2")
    first, second = events(Person, person.pk, "U", after=start)
    assert (first.actor_id, second.actor_id) == (inner.pk, outer.pk)


def test_a_database_error_inside_acting_as_propagates_unchanged(db):
    """The actor reset must not run a query in a broken transaction (PostgreSQL) and hide
    the real error behind "current transaction is aborted"."""
    user = make_user()
    existing = make_person()
    with pytest.raises(IntegrityError), transaction.atomic(), audit.acting_as(user):
        make_person(citizen_id=existing.citizen_id)
    # The connection is usable afterwards and the actor is gone.
    start = mark()
    Person.objects.filter(pk=existing.pk).update(phone="0912345678")
    (event,) = events(Person, existing.pk, "U", after=start)
    assert event.actor_id is None


def test_an_update_that_changes_nothing_may_be_skipped_but_never_invents_a_change(db):
    person = make_person(occupation="Nông dân")
    start = mark()
    Person.objects.filter(pk=person.pk).update(occupation="Nông dân")
    for event in events(Person, person.pk, "U", after=start):
        assert event.before["occupation"] == event.after["occupation"] == "Nông dân"


def test_dates_are_stored_as_iso_text(db):
    person = make_person(birth_date=date(2001, 2, 3))
    (event,) = events(Person, person.pk, "I")
    assert event.after["birth_date"] == "2001-02-03"
