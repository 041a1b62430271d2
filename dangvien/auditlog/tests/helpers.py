"""What the auditlog tests share: rows in both logs, and a way around the append-only
guard (for playing the intruder). The cast is in conftest.py."""

from typing import Any

from django.db import connection

from dangvien.accounts.models import User
from dangvien.auditlog.access import log_access
from dangvien.auditlog.models import AccessEvent
from dangvien.core.audit import GUARD_TRIGGERS
from dangvien.factories import make_person
from dangvien.organisations.models import Organisation


def view(user: User | None, org: Organisation, **kw: Any) -> AccessEvent:
    person = kw.pop("person", None) or make_person()
    return log_access(
        None, kind=kw.pop("kind", "view"), what="Hồ sơ quần chúng", person=person,
        org_path=org.path, user=user, **kw,
    )  # fmt: skip


def last_id(model: Any) -> int:
    return model.objects.order_by("-id").values_list("id", flat=True).first() or 0


def drop_guard(model: Any) -> None:
    """What an intruder with the owner's SQL rights would do first. DDL is transactional
    on both databases: the test's rollback puts the triggers back."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        for name in GUARD_TRIGGERS:
            if connection.vendor == "postgresql":
                cursor.execute(f'DROP TRIGGER IF EXISTS "dv_log_guard_{name}" ON "{table}"')
            else:
                cursor.execute(f'DROP TRIGGER IF EXISTS "dv_log_guard_{table}_{name}"')


def raw(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
