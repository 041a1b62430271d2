"""Everything the system holds about one person, for an access request (Nghị định
13/2023/NĐ-CP Điều 9 khoản 3, 7 and Điều 14: the person may see and receive a copy of
their data).

Found by walking the relations rather than by a hand-kept list, so a table added later
is included without anyone remembering to: the person row; every row that points at the
person (candidacies, member record, enrolments, certificates, sittings, consents,
requests…); and every row that points at one of the person's candidacies or member
record (stage history, votes, transfers, reviews, dues…). Only relations whose field is
the subject itself (``person``, ``candidate``, ``member``) are followed: a row where the
person appears in another role (mentor of someone else, author of a report on someone
else) is that other person's data. Links to other rows are given as ids, except to
organisations, villages and users, named; derived keys (search text, sort key, blind
indexes) and encrypted tokens are left out, decrypted values are shown.

Not included: the audit trail and the access log (records of the staff's work, kept by
the auditor), the stored scan files themselves (their names and sizes are listed).
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from dangvien.people.models import Person

SUBJECT_FIELDS = {"person", "candidate", "member"}
NAMED_MODELS = {"organisations.organisation", "organisations.village", "accounts.user"}
SKIPPED_FIELDS = {"search_text", "sort_key", "org_path"}  # derived keys, the tree's path
# Plain names for the columns many tables share and few name in Vietnamese.
COMMON_TITLES = {
    "id": "mã",
    "by": "người ghi",
    "at": "ghi lúc",
    "on": "ngày",
    "note": "ghi chú",
    "what": "nội dung",
    "person": "mã người",
    "member": "mã đảng viên",
    "candidate": "mã hồ sơ quần chúng",
}


@dataclass
class Table:
    """The rows of one table: ``label`` (app.model), ``title`` (its Vietnamese name),
    ``columns`` as (field name, verbose name), ``rows`` as lists in that order."""

    label: str
    title: str
    columns: list[tuple[str, str]] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)


def _skipped(f: models.Field) -> bool:
    return f.name in SKIPPED_FIELDS or f.name.endswith("_hmac")


def _columns(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not _skipped(f)]


def _value(obj: models.Model, f: models.Field) -> Any:
    if f.is_relation:
        target = f.related_model._meta.label_lower  # type: ignore[union-attr]
        if target in NAMED_MODELS and getattr(obj, f.attname) is not None:
            return str(getattr(obj, f.name))
        return getattr(obj, f.attname)
    if f.choices:
        return getattr(obj, f"get_{f.name}_display")()
    value = getattr(obj, f.attname)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    return value


def _title(f: models.Field) -> str:
    """The field's Vietnamese name, or a plain one for a field named only in English."""
    title = str(f.verbose_name)
    if title.lower() in (f.name.replace("_", " "), "id"):
        return COMMON_TITLES.get(f.name, title)
    return title


def _table(model: type[models.Model], rows: list[models.Model]) -> Table:
    columns = _columns(model)
    return Table(
        label=model._meta.label_lower,
        title=str(model._meta.verbose_name_plural),
        columns=[(f.name, _title(f)) for f in columns],
        rows=[[_value(obj, f) for f in columns] for obj in rows],
    )


def _subject_relations(model: type[models.Model]) -> list[Any]:
    return [
        r
        for r in model._meta.related_objects
        if r.field.name in SUBJECT_FIELDS and r.related_model._meta.managed  # type: ignore[union-attr]
    ]


def holdings(person: Person) -> list[Table]:
    """The person's row, then the tables that hold rows about them, in a fixed order."""
    tables: dict[str, Table] = {}
    seen: set[tuple[str, Any]] = set()

    def add(model: type[models.Model], rows: list[models.Model]) -> None:
        fresh = [r for r in rows if (model._meta.label_lower, r.pk) not in seen]
        seen.update((model._meta.label_lower, r.pk) for r in fresh)
        if not fresh:
            return
        table = tables.get(model._meta.label_lower)
        if table is None:
            tables[model._meta.label_lower] = _table(model, fresh)
        else:
            table.rows += _table(model, fresh).rows

    add(Person, [person])
    owners: list[models.Model] = []
    for relation in _subject_relations(Person):
        model = relation.related_model
        rows = list(model._default_manager.filter(**{relation.field.name: person}).order_by("pk"))
        add(model, rows)
        if model._meta.label_lower in ("candidates.candidate", "members.member"):
            owners += rows
    for owner in owners:
        for relation in _subject_relations(type(owner)):
            model = relation.related_model
            rows = list(
                model._default_manager.filter(**{relation.field.name: owner}).order_by("pk")
            )
            add(model, rows)
    return list(tables.values())


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def as_json(person: Person, tables: list[Table], *, watermark: str) -> dict[str, Any]:
    """The JSON answer: who, when extracted and by whom, and every table as a list of
    objects keyed by field name (machine-readable, Điều 9 khoản 7 [U] on the format)."""
    return {
        "person_id": person.pk,
        "full_name": person.full_name,
        "extracted": watermark,
        "tables": [
            {
                "table": t.label,
                "title": t.title,
                "fields": {name: title for name, title in t.columns},
                "rows": [
                    {name: _plain(v) for (name, _t), v in zip(t.columns, row, strict=True)}
                    for row in t.rows
                ],
            }
            for t in tables
        ],
    }
