"""The audit trail and the access log are append-only (core/audit.py): the database itself
refuses UPDATE and DELETE of their rows, on SQLite and PostgreSQL, except the sealing
(seq and hash of an unsealed row) and the retention purge (sealed rows), each under its
maintenance mode; Django's flush still empties them."""

import pytest
from django.core.management.color import no_style
from django.db import IntegrityError, connection, transaction

from dangvien.auditlog.actions import seal_logs
from dangvien.auditlog.models import AccessEvent
from dangvien.core.audit import maintenance
from dangvien.core.models import AuditEvent
from dangvien.factories import make_person

from .helpers import raw, view

# The guarantees the owner itself cannot get around (triggers), and the owner's sealing
# and purge: in production only management commands, connected as the owner, do these
# (docs/deploy.md §5; the application role may not even try: ``rowsecurity.roles``).
pytestmark = pytest.mark.as_owner


def refused(call):
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        call()


def test_an_audit_row_cannot_be_updated_through_the_orm_nor_raw_sql(db):
    person = make_person()
    rows = AuditEvent.objects.filter(table="people_person", row_id=str(person.pk), op="I")
    event = rows.get()
    refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(op="D"))
    refused(lambda: raw("UPDATE core_auditevent SET after = NULL WHERE id = %s", [event.pk]))
    event.refresh_from_db()
    assert event.op == "I"
    assert isinstance(event.after, dict)
    assert event.after["id"] == person.pk


def test_an_audit_row_cannot_be_deleted(db):
    make_person()
    event = AuditEvent.objects.order_by("-id")[0]
    refused(lambda: AuditEvent.objects.filter(pk=event.pk).delete())
    refused(lambda: raw("DELETE FROM core_auditevent WHERE id = %s", [event.pk]))
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_an_access_row_cannot_be_updated_nor_deleted(tree):
    event = view(None, tree["village"])
    refused(lambda: AccessEvent.objects.filter(pk=event.pk).update(what="Không có gì"))
    refused(lambda: AccessEvent.objects.filter(pk=event.pk).delete())
    event.refresh_from_db()
    assert event.what == "Hồ sơ quần chúng"


def test_sealing_may_set_only_the_chain_columns_of_an_unsealed_row(tree):
    event = view(None, tree["village"])
    with maintenance("seal"):
        AccessEvent.objects.filter(pk=event.pk).update(seq=1, hash="a" * 64)
    event.refresh_from_db()
    assert (event.seq, event.hash) == (1, "a" * 64)
    # Once sealed, not even the sealing may touch it again; and never another column.
    other = view(None, tree["village"])
    for change in (
        lambda: AccessEvent.objects.filter(pk=event.pk).update(hash="b" * 64),
        lambda: AccessEvent.objects.filter(pk=other.pk).update(seq=2, what="Khác"),
    ):
        with pytest.raises(IntegrityError, match="append-only"), maintenance("seal"):
            change()


def test_the_purge_may_delete_sealed_rows_only(tree):
    sealed_event = view(None, tree["village"])
    seal_logs()
    fresh = view(None, tree["village"])
    with pytest.raises(IntegrityError, match="append-only"), maintenance("purge"):
        AccessEvent.objects.filter(pk=fresh.pk).delete()
    with maintenance("purge"):
        AccessEvent.objects.filter(pk=sealed_event.pk).delete()
    assert list(AccessEvent.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_the_maintenance_mode_ends_with_its_block(tree):
    event = view(None, tree["village"])
    seal_logs()
    with maintenance("purge"):
        pass
    refused(lambda: AccessEvent.objects.filter(pk=event.pk).delete())


def test_an_unknown_maintenance_mode_is_refused(db):
    with pytest.raises(ValueError), maintenance("anything"):
        pass


def test_django_flush_still_empties_both_logs(tree):
    """The test runner empties the database after each transactional test this way."""
    view(None, tree["village"])
    seal_logs()
    tables = [AuditEvent._meta.db_table, AccessEvent._meta.db_table]
    connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables))
    assert not AuditEvent.objects.exists()
    assert not AccessEvent.objects.exists()


@pytest.mark.postgres
def test_truncate_is_refused_on_postgresql(tree):
    view(None, tree["village"])
    refused(lambda: raw("TRUNCATE auditlog_accessevent"))
    refused(lambda: raw("TRUNCATE core_auditevent"))
    assert AccessEvent.objects.exists()


def test_writes_to_other_tables_are_still_audited_and_free(db):
    person = make_person(occupation="Nông dân")
    pk = person.pk
    person.occupation = "Giáo viên"
    person.save()
    person.delete()
    ops = AuditEvent.objects.filter(table="people_person", row_id=str(pk))
    assert set(ops.values_list("op", flat=True)) == {"D", "I", "U"}
