"""The admission facts and their queue (``stats.admission_facts``): the tables, the triggers that
queue every write an admission depends on, and every existing admission queued (plain SQL,
so this migration does not depend on the models as they will later be). The first count
read afterwards builds the facts; on a large database run ``manage.py
rebuild_admission_facts`` right after ``migrate`` instead (docs/deploy.md)."""

from typing import Any

from django.db import migrations, models

QUEUE_EXISTING = (
    "INSERT INTO stats_admissionstale (kind, row_id) SELECT 'candidate', id"
    " FROM candidates_candidate WHERE decided_on IS NOT NULL",
    "INSERT INTO stats_admissionstale (kind, row_id) SELECT 'member', id"
    " FROM members_member WHERE first_admitted_on IS NOT NULL OR readmitted_on IS NOT NULL",
)


def install(apps: Any, schema_editor: Any) -> None:
    from dangvien.stats import admission_facts

    admission_facts.install_triggers(schema_editor.connection)
    with schema_editor.connection.cursor() as cursor:
        for statement in QUEUE_EXISTING:
            cursor.execute(statement)


def uninstall(apps: Any, schema_editor: Any) -> None:
    from dangvien.stats import admission_facts

    admission_facts.uninstall_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("stats", "0001_targets_and_pool_surveys"),
        ("candidates", "0002_decided_index"),
        ("members", "0005_member_search_text"),
        ("people", "0007_search_text_trigram_index"),
        ("organisations", "0004_document_signing"),
    ]

    operations = [
        migrations.CreateModel(
            name="AdmissionStale",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=12)),
                ("row_id", models.BigIntegerField()),
            ],
        ),
        migrations.CreateModel(
            name="AdmissionFact",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("source", models.CharField(max_length=12)),
                ("object_id", models.BigIntegerField()),
                ("org_path", models.CharField(max_length=255)),
                ("day", models.DateField()),
                ("code", models.BigIntegerField()),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["day", "org_path"],
                        include=("code",),
                        name="admission_fact_day_idx",
                        opclasses=["date_ops", "varchar_pattern_ops"],
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("source", "object_id"), name="one_fact_an_admission"
                    )
                ],
            },
        ),
        migrations.RunPython(install, uninstall, elidable=False),
    ]
