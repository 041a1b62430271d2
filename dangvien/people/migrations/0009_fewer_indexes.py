"""Indexes nobody reads are dropped (issue 9: at national size they cost every write and
a bulk load's index rebuild): the varchar_pattern_ops "_like" twins PostgreSQL gets for
an indexed or unique CharField, on the citizen ID's HMAC (only ever matched exactly,
618 MB) and on the collation key (only ever sorted). The HMAC stays unique, through a
named constraint; the sort key keeps one plain index.
"""

from django.db import migrations, models

import dangvien.core.fields


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0005_search_text"),
        ("people", "0008_search_names"),
    ]

    operations = [
        migrations.AlterField(
            model_name="person",
            name="citizen_id_hmac",
            field=dangvien.core.fields.BlindIndexField(of="citizen_id"),
        ),
        migrations.AlterField(
            model_name="person",
            name="sort_key",
            field=models.CharField(default="", editable=False, max_length=300),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["sort_key"], name="person_sort_key_idx"),
        ),
        migrations.AddConstraint(
            model_name="person",
            constraint=models.UniqueConstraint(
                fields=("citizen_id_hmac",), name="person_citizen_id_unique"
            ),
        ),
    ]
