"""Key rotation (``manage.py rotate_field_keys``) and the migration that encrypted the rows
already stored (issue 9)."""

import importlib
from datetime import date
from io import StringIO
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from dangvien.core import crypto
from dangvien.people.actions import create_person
from dangvien.people.models import Person
from dangvien.people.queries import by_citizen_id

CID = "001200012345"
OLD, NEW = crypto.new_key(), crypto.new_key()

migration = importlib.import_module("dangvien.people.migrations.0005_encrypt_existing_rows")


def raw(person):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT citizen_id, citizen_id_hmac, family_background, search_text "
            "FROM people_person WHERE id = %s",
            [person.pk],
        )
        return cursor.fetchone()


def person(**overrides):
    values = {
        "full_name": "Nguyễn Văn Đạt",
        "birth_date": date(2000, 1, 2),
        "sex": "male",
        "citizen_id": CID,
        "education_level": "upper_secondary",
        "family_background": "Bố mẹ làm ruộng.",
    } | overrides
    return create_person(**values)


def rotate(*args):
    out = StringIO()
    call_command("rotate_field_keys", *args, stdout=out)
    return out.getvalue()


def test_rotation_rewrites_old_tokens_under_the_new_key_and_old_tokens_still_open(db, settings):
    settings.FIELD_ENCRYPTION_KEYS = [f"old={OLD}"]
    someone = person()
    old_token = raw(someone)[0]
    assert old_token.startswith("v1:old:")

    settings.FIELD_ENCRYPTION_KEYS = [f"new={NEW}", f"old={OLD}"]
    assert crypto.decrypt(old_token) == CID  # before the rotation: still readable
    assert rotate("--dry-run").count("cần mã hóa lại 1") == 2  # citizen ID, background
    assert raw(someone)[0] == old_token
    output = rotate()
    assert "people.Person.citizen_id: 1 dòng, đã mã hóa lại 1" in output
    citizen_id, _index, background, _search = raw(someone)
    assert citizen_id.startswith("v1:new:") and background.startswith("v1:new:")
    assert Person.objects.get(pk=someone.pk).family_background == "Bố mẹ làm ruộng."
    assert crypto.decrypt(old_token) == CID  # old tokens (backups) still open
    assert "đã mã hóa lại 0" in rotate()  # nothing left: the old key may go

    settings.FIELD_ENCRYPTION_KEYS = [f"new={NEW}"]
    assert by_citizen_id(CID).get().citizen_id == CID


def test_a_new_blind_index_key_needs_a_reindex_to_find_people_again(db, settings):
    settings.BLIND_INDEX_KEY = OLD
    someone = person()
    settings.BLIND_INDEX_KEY = NEW
    assert not by_citizen_id(CID).exists()
    assert "chỉ mục tính lại 1" in rotate("--reindex")
    assert by_citizen_id(CID).get() == someone


def test_a_row_changed_during_the_rotation_keeps_the_users_change(db, settings):
    from dangvien.people.actions import _write_tokens

    settings.FIELD_ENCRYPTION_KEYS = [f"old={OLD}"]
    someone = person()
    stale = raw(someone)[2]
    settings.FIELD_ENCRYPTION_KEYS = [f"new={NEW}", f"old={OLD}"]
    someone.family_background = "Đã sửa."
    someone.save()  # a user's save between the rotation's read and write
    fields = [Person._meta.get_field("citizen_id"), Person._meta.get_field("family_background")]
    citizen_id = raw(someone)[0]
    write = (citizen_id, crypto.encrypt("Bố mẹ làm ruộng."), someone.pk, citizen_id, stale)
    skipped = _write_tokens(Person, fields, [None, None], [write])
    assert skipped == 1
    assert Person.objects.get(pk=someone.pk).family_background == "Đã sửa."


# ---- the data migration ----------------------------------------------------------------


def plaintext_row(someone):
    """Put the row back as it was before issue 9: plaintext, the ID in the search text."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE people_person SET citizen_id = %s, family_background = %s, "
            "search_text = %s, citizen_id_hmac = %s WHERE id = %s",
            [CID, "Bố mẹ làm ruộng.", f"nguyen van dat {CID}", "x", someone.pk],
        )


@pytest.mark.as_owner  # a migration: run by the tables' owner
def test_the_migration_encrypts_rows_stored_in_plaintext_and_can_be_run_twice(db):
    someone = person()
    plaintext_row(someone)
    editor = SimpleNamespace(connection=connection)
    migration.encrypt_rows(apps, editor)
    citizen_id, index, background, search_text = raw(someone)
    assert citizen_id.startswith("v1:") and background.startswith("v1:")
    assert index == crypto.blind_index(CID, purpose="citizen_id")
    assert search_text == "nguyen van dat"
    migration.encrypt_rows(apps, editor)  # idempotent: tokens left as they are
    assert raw(someone) == (citizen_id, index, background, search_text)
    loaded = Person.objects.get(pk=someone.pk)
    assert (loaded.citizen_id, loaded.family_background) == (CID, "Bố mẹ làm ruộng.")


@pytest.mark.as_owner  # a migration: run by the tables' owner
def test_the_migration_reversed_gives_the_plaintext_back(db):
    someone = person()
    index = raw(someone)[1]
    migration.decrypt_rows(apps, SimpleNamespace(connection=connection))
    assert raw(someone) == (CID, index, "Bố mẹ làm ruộng.", f"nguyen van dat {CID}")


@pytest.mark.parametrize("batch", ["0", "-5"])
def test_a_batch_size_below_one_is_refused(db, batch):
    with pytest.raises(SystemExit):
        rotate("--batch", batch)
