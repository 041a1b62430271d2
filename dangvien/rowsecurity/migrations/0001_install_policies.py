"""Install the row-level security functions and policies (PostgreSQL only; a no-op on
SQLite). The rules live in ``dangvien.rowsecurity.policies``; ``apps.py`` reinstalls them
after every ``migrate`` so tables created by later migrations are covered too."""

from typing import Any

from django.db import migrations


def install(apps: Any, schema_editor: Any) -> None:
    from dangvien.rowsecurity import policies

    if schema_editor.connection.vendor == "postgresql":
        policies.install(schema_editor.connection)


def uninstall(apps: Any, schema_editor: Any) -> None:
    from dangvien.rowsecurity import policies

    if schema_editor.connection.vendor == "postgresql":
        policies.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_family_background"),
        ("members", "0004_review_events"),
        ("candidates", "0002_decided_index"),
        ("training", "0001_initial"),
        ("exams", "0002_seed_topics"),
        ("reviews", "0001_quality_review"),
        ("screening", "0001_screening_cases"),
        ("documents", "0001_registers_scans_templates"),
    ]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
