"""A trigram index on ``Person.search_text`` (PostgreSQL only; issue 9: "accent-insensitive
name search over 6 million people" under 150 ms).

``people.queries.search_filter`` looks names up with ``search_text LIKE '%<folded>%'``
(the text is already folded: lower case, no diacritics). A B-tree cannot serve a
pattern with a leading wildcard; pg_trgm's GIN operator class can (PostgreSQL manual,
F.35 pg_trgm, "Index Support"). pg_trgm is a trusted extension since PostgreSQL 13, so
the database owner may create it. SQLite keeps its plain index: the demo and test data
are small.
"""

from django.db import migrations

CREATE = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS people_person_search_trgm "
    "ON people_person USING gin (search_text gin_trgm_ops)",
)
DROP = ("DROP INDEX IF EXISTS people_person_search_trgm",)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in CREATE:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("people", "0006_citizen_id_hmac_required")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
