from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


class PeopleConfig(AppConfig):
    name = "dangvien.people"
    label = "people"
    verbose_name = "Nhân thân"

    def ready(self) -> None:
        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="dv_search_names")


def _after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """The name dictionary's triggers are put back after every ``migrate``: SQLite drops a
    table's triggers when a migration rebuilds it (an AlterField of ``people_person``), and
    the dictionary would quietly stop learning new names (idempotent)."""
    from dangvien.people import names

    conn = connections[using]
    if {names.TABLE, names.PERSON} <= set(conn.introspection.table_names()):
        names.install_triggers(conn)
