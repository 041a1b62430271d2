# Encrypt the citizen IDs and family backgrounds already stored, fill the blind index, and
# take the citizen ID out of search_text (it was "<folded name> <citizen id>").
#
# Raw SQL on purpose: the model would try to decrypt the plaintext still in the column.
# Idempotent (a value that is already a token is left as it is) and reversible. The audit
# triggers of people_person are switched off for the rewrite, so it does not copy every
# plaintext once more into the audit trail as the "before" of an update; on SQLite they
# are dropped and come back with the audit module's post_migrate hook.

from django.db import migrations

BATCH = 2000
TOKEN_PREFIX = "v1:"


def _triggers_off(connection):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Checks of deferred foreign keys still pending would forbid the ALTER TABLE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE people_person DISABLE TRIGGER USER")
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'people_person'"
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')


def _triggers_on(connection):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE people_person ENABLE TRIGGER USER")


def _rewrite(schema_editor, convert):
    connection = schema_editor.connection
    _triggers_off(connection)
    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, citizen_id, citizen_id_hmac, family_background, search_text "
                "FROM people_person WHERE id > %s ORDER BY id LIMIT %s",
                [last, BATCH],
            )
            rows = cursor.fetchall()
            if not rows:
                break
            cursor.executemany(
                "UPDATE people_person SET citizen_id = %s, citizen_id_hmac = %s, "
                "family_background = %s, search_text = %s WHERE id = %s",
                [convert(*row) for row in rows],
            )
        last = rows[-1][0]
    _triggers_on(connection)


def encrypt_rows(apps, schema_editor):
    from dangvien.core import crypto

    def convert(pk, citizen_id, index, family_background, search_text):
        if citizen_id.startswith(TOKEN_PREFIX):
            plain, token = crypto.decrypt(citizen_id), citizen_id
        else:
            plain, token = citizen_id, crypto.encrypt(citizen_id)
        background = family_background or ""
        if background and not background.startswith(TOKEN_PREFIX):
            background = crypto.encrypt(background)
        search = search_text.removesuffix(f" {plain}") if plain else search_text
        return token, crypto.blind_index(plain, purpose="citizen_id"), background, search, pk

    _rewrite(schema_editor, convert)


def decrypt_rows(apps, schema_editor):
    from dangvien.core import crypto

    def convert(pk, citizen_id, index, family_background, search_text):
        plain = crypto.decrypt(citizen_id) if citizen_id.startswith(TOKEN_PREFIX) else citizen_id
        background = family_background or ""
        if background.startswith(TOKEN_PREFIX):
            background = crypto.decrypt(background)
        search = search_text if search_text.endswith(f" {plain}") else f"{search_text} {plain}"
        return plain, index, background, search, pk  # the index column goes with 0004

    _rewrite(schema_editor, convert)


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0004_encrypted_personal_fields"),
    ]

    operations = [
        migrations.RunPython(encrypt_rows, decrypt_rows, elidable=False),
    ]
