"""Organisations carry their name folded (``Organisation.search_text``, ``core.text.fold``),
so the chi bộ search of a transfer's destination finds "Chi bộ Thôn Đông" typed as "thon
dong" (issue 9).

The fold is Python's, so the existing names are folded here once per distinct name, put
in a temporary table keyed by name and copied across in one UPDATE: about 300,000 nodes
at national size, most of their names shared ("Chi bộ 1"). A derived value, not a user's
write: no audit event (``core.audit.derived_write``).
"""

from django.db import migrations, models

from dangvien.core.audit import derived_write
from dangvien.core.text import fold

TABLE = "organisations_organisation"


def fold_names(apps, schema_editor):
    with derived_write(schema_editor, TABLE) as cursor:
        cursor.execute(f"SELECT DISTINCT name FROM {TABLE}")
        names = [(name, fold(name)) for (name,) in cursor.fetchall()]
        if not names:
            return
        cursor.execute("CREATE TEMPORARY TABLE dv_folded (name text PRIMARY KEY, folded text)")
        cursor.executemany("INSERT INTO dv_folded (name, folded) VALUES (%s, %s)", names)
        cursor.execute(
            f"UPDATE {TABLE} SET search_text = "
            f"(SELECT f.folded FROM dv_folded f WHERE f.name = {TABLE}.name)"
        )
        cursor.execute("DROP TABLE dv_folded")


class Migration(migrations.Migration):

    dependencies = [
        ("organisations", "0004_document_signing"),
    ]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="search_text",
            field=models.CharField(default="", editable=False, max_length=200),
        ),
        migrations.RunPython(fold_names, migrations.RunPython.noop, elidable=True),
    ]
