"""Who reads which log rows (auditlog/queries.py), how a change reads, and the keyset
paging that stays fast at any depth."""

from datetime import timedelta

from django.utils import timezone

from dangvien.accounts.models import Role
from dangvien.auditlog import queries
from dangvien.auditlog.models import AccessEvent
from dangvien.core import audit
from dangvien.core.models import AuditEvent
from dangvien.factories import make_person, make_user, user_with_role
from dangvien.members.queries import visible_members
from dangvien.organisations.queries import scope_paths
from dangvien.people.models import Person

from .helpers import last_id, view


def ids(rows):
    return {r.pk for r in rows}


def test_only_superusers_and_auditors_may_audit(tree, commune_auditor):
    assert queries.may_audit(commune_auditor)
    assert queries.may_audit(make_user(is_superuser=True))
    for role in (Role.BOARD_STAFF, Role.LEADER, Role.GRASSROOTS_STAFF, Role.BRANCH_SECRETARY):
        assert not queries.may_audit(user_with_role(role, tree["province"]))
    assert not queries.may_audit(make_user())


def test_an_inactive_auditor_role_gives_nothing(tree, commune_auditor):
    commune_auditor.roles.update(active=False)
    assert not queries.may_audit(commune_auditor)


def test_the_auditor_role_gives_no_data_scope(tree, commune_auditor):
    """The auditor reads the logs, not the dossiers (issue 9)."""
    from dangvien.factories import make_member

    make_member(branch=tree["village"])
    assert scope_paths(commune_auditor) == []
    assert not visible_members(commune_auditor).exists()


def test_an_auditor_with_another_role_keeps_that_roles_scope(tree, commune_auditor):
    from dangvien.accounts.models import RoleAssignment

    RoleAssignment.objects.create(
        user=commune_auditor, organisation=tree["village"], role=Role.BRANCH_SECRETARY
    )
    assert scope_paths(commune_auditor) == [tree["village"].path]


def test_an_auditor_at_a_commune_reads_the_access_events_of_its_subtree(tree, commune_auditor):
    inside = [view(None, tree["village"]), view(None, tree["school_branch"])]
    view(None, tree["other_branch"])
    view(None, tree["province"])
    AccessEvent.objects.create(kind="export", what="Danh sách", org_path="")
    assert ids(queries.visible_access_events(commune_auditor)) == ids(inside)


def test_a_national_auditor_or_a_superuser_reads_every_access_event(tree, province_auditor):
    view(None, tree["village"])
    AccessEvent.objects.create(kind="export", what="Danh sách", org_path="")
    everything = ids(AccessEvent.objects.all())
    assert ids(queries.visible_access_events(province_auditor)) == everything
    superuser = make_user(is_superuser=True)
    assert ids(queries.visible_access_events(superuser)) == everything


def test_an_auditor_at_a_commune_reads_the_writes_of_the_users_holding_a_role_there(
    tree, commune_auditor
):
    ours = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    theirs = user_with_role(Role.BRANCH_SECRETARY, tree["other_branch"])
    start = last_id(AuditEvent)
    for user in (ours, theirs, None):
        with audit.acting_as(user):
            make_person()
    seen = queries.visible_audit_events(commune_auditor).filter(id__gt=start)
    assert {e.actor_id for e in seen} == {ours.pk}
    province = user_with_role(Role.AUDITOR, tree["province"])
    everyone = queries.visible_audit_events(province).filter(id__gt=start)
    assert {e.actor_id for e in everyone} == {ours.pk, theirs.pk, None}


def test_filters_narrow_the_audit_events(tree):
    staff = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    with audit.acting_as(staff):
        person = make_person(occupation="Nông dân")
        Person.objects.filter(pk=person.pk).update(occupation="Giáo viên")
    rows = AuditEvent.objects.all()

    def found(**kw):
        return list(queries.filter_audit_events(rows, **kw).values_list("op", flat=True))

    assert set(found(actor=staff, table="people_person", row_id=str(person.pk))) == {"I", "U"}
    assert set(found(actor=staff, table="people_person", row_id=str(person.pk), op="U")) == {"U"}
    today = timezone.localdate()
    assert found(date_from=today + timedelta(days=1)) == []
    assert found(date_to=today - timedelta(days=1)) == []
    assert "U" in found(date_from=today, date_to=today, op="U")


def test_filters_narrow_the_access_events(tree):
    reader = make_user()
    person = make_person()
    mine = view(reader, tree["village"], person=person, kind="export")
    view(reader, tree["village"], kind="view")
    view(None, tree["village"], person=person, kind="export")
    rows = AccessEvent.objects.all()
    found = queries.filter_access_events(rows, user=reader, person_id=person.pk, kind="export")
    assert ids(found) == {mine.pk}


def test_keyset_pages_cover_every_row_once_newest_first(tree):
    made = [view(None, tree["village"]) for _ in range(7)]
    # Two rows share a timestamp: the id breaks the tie.
    rows = AccessEvent.objects.all()
    first = queries.page_of(rows, cursor=None, size=3)
    second = queries.page_of(rows, cursor=first.next_cursor, size=3)
    third = queries.page_of(rows, cursor=second.next_cursor, size=3)
    seen = [e.pk for e in first.items + second.items + third.items]
    assert seen == [e.pk for e in reversed(made)]
    assert third.next_cursor is None


def test_rows_with_the_same_time_page_by_id(tree):
    at = timezone.now()
    made = [AccessEvent.objects.create(kind="view", what="x", at=at) for _ in range(5)]
    rows = AccessEvent.objects.all()
    first = queries.page_of(rows, cursor=None, size=2)
    rest = queries.page_of(rows, cursor=first.next_cursor, size=10)
    assert [e.pk for e in first.items + rest.items] == [e.pk for e in reversed(made)]


def test_counts_stop_at_the_cap(tree, settings):
    settings.AUDIT_COUNT_CAP = 3
    for _ in range(5):
        view(None, tree["village"])
    assert queries.capped_count(AccessEvent.objects.all()) == (3, True)
    assert queries.capped_count(AccessEvent.objects.filter(kind="api")) == (0, False)


def test_a_change_lists_the_changed_fields_with_their_labels(db):
    person = make_person(occupation="Nông dân")
    Person.objects.filter(pk=person.pk).update(occupation="Giáo viên")
    event = AuditEvent.objects.filter(table="people_person", op="U").order_by("-id")[0]
    (change,) = [c for c in queries.changes(event) if c.column == "occupation"]
    assert (change.label, change.before, change.after) == ("nghề nghiệp", "Nông dân", "Giáo viên")
    assert all(c.before != c.after for c in queries.changes(event))


def test_encrypted_values_and_secrets_are_not_shown():
    event = AuditEvent(
        table="people_person",
        op="U",
        before={"citizen_id": "v1:k2025:" + "A" * 40, "citizen_id_hmac": "ab" * 32},
        after={"citizen_id": "v1:k2025:" + "B" * 40, "citizen_id_hmac": "cd" * 32},
    )
    shown = {c.column: (c.before, c.after) for c in queries.changes(event)}
    assert shown["citizen_id"] == ("(đã mã hóa)", "(đã mã hóa)")
    assert shown["citizen_id_hmac"] == ("(chỉ mục tìm kiếm)", "(chỉ mục tìm kiếm)")
    user_event = AuditEvent(
        table="accounts_user", op="U", before={"password": "md5$x"}, after={"password": "md5$y"}
    )
    assert [(c.before, c.after) for c in queries.changes(user_event)] == [("(ẩn)", "(ẩn)")]


def test_an_insert_shows_the_filled_fields_and_a_delete_what_was_there():
    insert = AuditEvent(table="people_person", op="I", before=None, after={"phone": "09", "a": ""})
    assert [(c.column, c.after) for c in queries.changes(insert)] == [("phone", "09")]
    delete = AuditEvent(table="people_person", op="D", before={"phone": "09"}, after=None)
    assert queries.changes_text(delete) == "điện thoại: 09"


def test_the_tables_carry_vietnamese_names():
    choices = dict(queries.table_choices())
    assert choices["people_person"] == "Nhân thân"
    assert "core_auditevent" not in choices
