from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RowsecurityConfig(AppConfig):
    name = "dangvien.rowsecurity"
    label = "rowsecurity"
    verbose_name = "Bảo mật theo dòng (PostgreSQL)"

    def ready(self) -> None:
        from dangvien.rowsecurity import lookups

        lookups.register()
        post_migrate.connect(_reinstall, sender=self)


def _reinstall(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """Keep the policies in step with ``policies.PROTECTED`` after every ``migrate`` (as
    ``core.audit`` does with its triggers): a table whose migration ran after ours, or a
    changed rule, is covered without a new migration. Only once our migration is applied."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from dangvien.rowsecurity import policies

    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    applied = MigrationRecorder(connection).applied_migrations()
    if ("rowsecurity", "0001_install_policies") in applied:
        policies.install(connection)
