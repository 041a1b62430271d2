"""The dictionary of folded names (``people.SearchName``; issue 9: name search over 6
million people under 150 ms, read ``people.names``).

Creates the table, installs the triggers that fill it from ``people_person`` (PostgreSQL
and SQLite), fills it with the names held today and, on PostgreSQL, indexes it with
pg_trgm's GIN operator class so ``LIKE '%…%'`` reads the index (PostgreSQL manual, F.35
pg_trgm, "Index Support"; the extension comes from 0007).

It also drops 0007's trigram index on ``people_person.search_text``: under row-level
security the application's role cannot use it (``LIKE`` is not leakproof, so the policy
keeps it out of index conditions), and every write of a person paid for it.
"""

from django.db import migrations, models

PG_CREATE = (
    "CREATE INDEX IF NOT EXISTS people_searchname_trgm "
    "ON people_searchname USING gin (name gin_trgm_ops)",
    "DROP INDEX IF EXISTS people_person_search_trgm",
)
PG_DROP = (
    "DROP INDEX IF EXISTS people_searchname_trgm",
    "CREATE INDEX IF NOT EXISTS people_person_search_trgm "
    "ON people_person USING gin (search_text gin_trgm_ops)",
)


def forwards(apps, schema_editor):
    from dangvien.people import names

    connection = schema_editor.connection
    names.install_triggers(connection)
    names.rebuild_search_names(connection)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for sql in PG_CREATE:
                cursor.execute(sql)


def backwards(apps, schema_editor):
    from dangvien.people import names

    connection = schema_editor.connection
    names.uninstall_triggers(connection)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for sql in PG_DROP:
                cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("people", "0007_search_text_trigram_index")]

    operations = [
        migrations.CreateModel(
            name="SearchName",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(db_index=True, max_length=250)),
            ],
            options={
                "verbose_name": "tên dùng để tìm kiếm",
                "verbose_name_plural": "tên dùng để tìm kiếm",
            },
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
