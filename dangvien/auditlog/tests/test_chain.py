"""The hash chains over both logs (auditlog/chain.py, auditlog/actions.py): sealing chains
the committed rows in id order, ``verify_audit`` walks the chain and names the first
broken link (a row edited, a row deleted, the tail cut), ``purge_audit`` deletes rows past
their retention and leaves an anchor from which the rest still verifies."""

import hashlib
import json
from datetime import UTC, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from dangvien.auditlog.actions import purge_logs, seal_logs, verify_logs
from dangvien.auditlog.chain import verify
from dangvien.auditlog.models import GENESIS, AccessEvent, Chain, Log
from dangvien.core.models import AuditEvent
from dangvien.factories import make_person
from dangvien.people.models import Person

from .helpers import drop_guard, raw, view

# Sealing, verifying and purging are the owner's: management commands on a timer,
# connected as the owner (docs/deploy.md §5; the application role may only insert).
pytestmark = pytest.mark.as_owner


def run(command, *args):
    out, err = StringIO(), StringIO()
    status: object = 0
    try:
        call_command(command, *args, stdout=out, stderr=err)
    except SystemExit as exit:
        status = exit.code
    return status, out.getvalue() + err.getvalue()


def test_sealing_numbers_every_row_in_id_order_and_chains_the_hashes(tree):
    first, second = view(None, tree["village"]), view(None, tree["commune"])
    sealed = seal_logs()
    assert sealed["access"] == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.seq, second.seq) == (1, 2)
    row = {
        "id": first.pk,
        "seq": 1,
        "user_id": None,
        "at": first.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "kind": "view",
        "person_id": first.person_id,
        "org_path": tree["village"].path,
        "what": "Hồ sơ quần chúng",
        "path": "",
        "address": None,
        "rows": None,
    }
    text = json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert first.hash == hashlib.sha256((GENESIS + text).encode()).hexdigest()
    chain = Chain.objects.get(log="access")
    assert (chain.head_seq, chain.head_hash) == (2, second.hash)
    assert chain.sealed_at is not None


def test_every_audit_event_gets_sealed_too(db):
    make_person()
    seal_logs()
    assert not AuditEvent.objects.filter(seq__isnull=True).exists()
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True)[0]
    assert last == AuditEvent.objects.count()


def test_sealing_again_seals_only_the_new_rows(tree):
    view(None, tree["village"])
    seal_logs()
    newer = view(None, tree["village"])
    assert seal_logs()["access"] == 1
    assert seal_logs()["access"] == 0
    newer.refresh_from_db()
    assert newer.seq == 2


def test_small_batches_give_the_same_chain_as_one_batch(tree):
    for _ in range(7):
        view(None, tree["village"])
    seal_logs(batch=3)
    assert verify("access").intact
    assert Chain.objects.get(log="access").head_seq == 7


def test_a_row_committed_late_with_a_lower_id_is_chained_by_the_next_seal(tree):
    """Ids are taken at insert, rows are seen at commit: a long transaction's row can
    appear after rows with higher ids were sealed. It joins the chain next time."""
    view(None, tree["village"])
    later = view(None, tree["village"])
    seal_logs()
    late = AccessEvent.objects.create(pk=later.pk - 1000, kind="view", what="Hồ sơ đảng viên")
    assert seal_logs()["access"] == 1
    late.refresh_from_db()
    assert late.seq == 3
    assert verify("access").intact


def test_an_intact_chain_verifies_with_exit_status_0(tree):
    make_person()
    view(None, tree["village"])
    status, output = run("verify_audit")
    assert status == 0
    assert "Nhật ký thay đổi: chuỗi băm toàn vẹn đến bản ghi #" in output
    assert "Nhật ký truy cập: chuỗi băm toàn vẹn đến bản ghi #1 " in output


def test_an_audit_row_edited_after_sealing_is_named_with_the_field_that_changed(db):
    person = make_person(occupation="Nông dân")
    Person.objects.filter(pk=person.pk).update(occupation="Giáo viên")
    Person.objects.filter(pk=person.pk).update(occupation="Bác sĩ")
    seal_logs()
    middle = AuditEvent.objects.filter(table="people_person", row_id=str(person.pk), op="U")
    edited = middle.order_by("id")[len(middle) - 2]
    assert isinstance(edited.after, dict)
    assert edited.after["occupation"] == "Giáo viên"
    drop_guard(AuditEvent)
    after = dict(edited.after, occupation="Kỹ sư")
    raw("UPDATE core_auditevent SET after = %s WHERE id = %s", [json.dumps(after), edited.pk])

    status, output = run("verify_audit")

    assert status == 1
    assert f"Chuỗi băm bị đứt tại bản ghi #{edited.seq} (mã {edited.pk})" in output
    assert "Nội dung bản ghi đã bị sửa sau khi niêm phong" in output
    assert 'Trường “occupation”: bản ghi ghi "Kỹ sư", bản ghi sau của cùng dòng ghi' in output
    chain = Chain.objects.get(log="audit")
    assert (chain.intact, chain.broken_seq) == (False, edited.seq)


def test_an_access_row_edited_after_sealing_is_named(tree):
    rows = [view(None, tree["village"]) for _ in range(3)]
    seal_logs()
    drop_guard(AccessEvent)
    raw("UPDATE auditlog_accessevent SET what = 'Không xem gì' WHERE id = %s", [rows[1].pk])
    verdict = verify("access")
    assert not verdict.intact
    assert (verdict.broken_seq, verdict.broken_id, verdict.verified_seq) == (2, rows[1].pk, 1)


def test_an_edit_that_also_rewrites_the_rows_hash_breaks_the_next_link(tree):
    from dangvien.auditlog.chain import SPECS, link

    rows = [view(None, tree["village"]) for _ in range(3)]
    seal_logs()
    drop_guard(AccessEvent)
    raw("UPDATE auditlog_accessevent SET what = 'Không xem gì' WHERE id = %s", [rows[1].pk])
    spec = SPECS[Log.ACCESS]
    values = dict(
        zip(
            spec.columns,
            AccessEvent.objects.values_list(*spec.columns).get(pk=rows[1].pk),
            strict=True,
        )
    )
    forged = link(AccessEvent.objects.get(pk=rows[0].pk).hash, spec, values)
    raw("UPDATE auditlog_accessevent SET hash = %s WHERE id = %s", [forged, rows[1].pk])
    verdict = verify("access")
    assert (verdict.intact, verdict.broken_seq) == (False, 3)


def test_a_deleted_row_is_detected(tree):
    rows = [view(None, tree["village"]) for _ in range(4)]
    seal_logs()
    drop_guard(AccessEvent)
    raw("DELETE FROM auditlog_accessevent WHERE id = %s", [rows[1].pk])
    status, output = run("verify_audit")
    assert status == 1
    assert "Chuỗi băm bị đứt: thiếu bản ghi #2." in output


def test_rows_cut_from_the_end_are_detected(tree):
    rows = [view(None, tree["village"]) for _ in range(4)]
    seal_logs()
    drop_guard(AccessEvent)
    raw("DELETE FROM auditlog_accessevent WHERE id >= %s", [rows[2].pk])
    verdict = verify("access")
    assert not verdict.intact
    assert verdict.problem == "Chuỗi băm bị đứt: thiếu các bản ghi #3 đến #4."


def test_the_verification_is_recorded_for_the_auditors_pages(tree):
    view(None, tree["village"])
    verify_logs()
    chain = Chain.objects.get(log="access")
    assert (chain.intact, chain.verified_seq, chain.broken_seq) == (True, 1, None)
    assert chain.verified_at is not None


def test_the_seal_command_says_how_many_rows_it_sealed(tree):
    view(None, tree["village"])
    status, output = run("seal_audit")
    assert status == 0
    assert "Nhật ký truy cập: niêm phong 1 bản ghi mới." in output


def test_the_seal_task_seals(tree):
    from dangvien.auditlog.tasks import seal_audit_logs

    view(None, tree["village"])
    result = seal_audit_logs.enqueue()
    sealed = result.return_value or {}
    assert sealed["access"] == 1
    assert sealed["audit"] >= 1  # the person viewed was written, and audited


# ---- retention -------------------------------------------------------------------------


def old_and_new_access_rows(tree, settings):
    """Three rows 11 years old, two recent ones; 10 years kept."""
    settings.ACCESS_LOG_RETENTION_DAYS = 3650
    now = timezone.now()
    old = [
        AccessEvent.objects.create(kind="view", what="Cũ", at=now - timedelta(days=4020 + i))
        for i in range(3)
    ]
    new = [view(None, tree["village"]) for _ in range(2)]
    return old, new


def test_the_purge_deletes_rows_past_retention_and_the_rest_still_verifies(tree, settings):
    _old, new = old_and_new_access_rows(tree, settings)
    status, output = run("purge_audit")
    assert status == 0
    assert "Nhật ký truy cập: đã xóa 3 bản ghi trước" in output
    assert "mốc neo: bản ghi #3." in output
    assert set(AccessEvent.objects.values_list("pk", flat=True)) == {e.pk for e in new}
    chain = Chain.objects.get(log="access")
    assert chain.anchor_seq == 3
    assert chain.anchor_hash != GENESIS
    assert verify("access").intact
    # New rows keep chaining after the purge.
    view(None, tree["village"])
    seal_logs()
    assert verify("access").intact


def test_a_dry_run_purges_nothing(tree, settings):
    old_and_new_access_rows(tree, settings)
    status, output = run("purge_audit", "--dry-run")
    assert status == 0
    assert "Nhật ký truy cập: sẽ xóa 3 bản ghi" in output
    assert AccessEvent.objects.count() == 5
    assert Chain.objects.get(log="access").anchor_seq == 0


def test_a_row_sealed_late_keeps_the_older_rows_after_it(tree, settings):
    """Rows go in chain order up to the first one still within the period."""
    settings.ACCESS_LOG_RETENTION_DAYS = 3650
    now = timezone.now()
    AccessEvent.objects.create(kind="view", what="Cũ", at=now - timedelta(days=4000))
    view(None, tree["village"])
    AccessEvent.objects.create(kind="view", what="Cũ nhưng sau", at=now - timedelta(days=4000))
    outcome = {p.log: p for p in purge_logs()}
    assert outcome["access"].rows == 1
    assert AccessEvent.objects.count() == 2
    assert verify("access").intact


def test_the_purge_refuses_a_broken_chain_and_deletes_nothing(tree, settings):
    old, _new = old_and_new_access_rows(tree, settings)
    seal_logs()
    drop_guard(AccessEvent)
    raw("UPDATE auditlog_accessevent SET what = 'Sửa' WHERE id = %s", [old[1].pk])
    status, output = run("purge_audit")
    assert status == 1
    assert "Chuỗi băm bị đứt" in output
    assert AccessEvent.objects.count() == 5


def test_retention_comes_from_settings(tree, settings):
    settings.ACCESS_LOG_RETENTION_DAYS = 1
    settings.AUDIT_RETENTION_DAYS = 100_000
    AccessEvent.objects.create(kind="view", what="Hôm kia", at=timezone.now() - timedelta(days=2))
    view(None, tree["village"])
    make_person()
    outcome = {p.log: p.rows for p in purge_logs()}
    assert outcome == {"audit": 0, "access": 1}


@pytest.mark.parametrize("name", ["AUDIT_RETENTION_DAYS", "ACCESS_LOG_RETENTION_DAYS"])
def test_retention_below_one_day_stops_the_start(name, monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import dangvien.settings as project_settings

    monkeypatch.setenv(name, "0")
    with pytest.raises(ImproperlyConfigured, match="must be ≥ 1"):
        importlib.reload(project_settings)
    monkeypatch.delenv(name)
    importlib.reload(project_settings)
