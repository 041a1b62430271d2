"""One organisation's full data as JSON, to move it from one server to another (issue 8).

``export_organisation(org)`` gathers every row of the organisation's subtree: its
organisations and villages, the people, candidates with their history, votes,
introducers and checks, members with every member table, training, exams, targets,
reviews, screening and document rows. ``import_organisation(data)`` writes them into a
database that does not hold them yet, in one transaction, keeping the ids.

Decisions, documented:
- **Which tables.** ``OWNED`` names, per model, the lookups from the row to the
  organisation(s) it belongs to; a row is exported when one of them lies in the subtree.
  Every other model of the project is in ``EXCLUDED`` with the reason. A test fails when a
  model is in neither list, so a new table cannot be forgotten.
- **References.** A row of the subtree may point outside it: the ancestors (the stubs that
  place the subtree in the tree), the deciding committee above a chi bộ, a course
  organised by the commune, a province's exam question, a seeded exam topic. Such rows are
  exported too, marked ``"ref": true`` (with what they point at, recursively). On import a
  reference that exists with the same id is used as it is (an organisation must then have
  the same ``path``, or the import is refused); a missing one is created.
- **Ids.** Kept as they are, so the rows keep pointing at each other and the organisation
  paths stay valid. A row of the subtree whose id is already used on the receiving server
  is refused with a clear message and nothing is written (move into an empty database, or
  one that holds only the tree above). Sequences are reset after the import (PostgreSQL).
- **Users are not exported**, nor their passwords, roles or API tokens: accounts are made
  again on the new server. Every nullable "by" column (who recorded the row) is exported
  as null — an id would point at another person's account there. The audit trail stays on
  the old server. Tables that cannot live without a user (an exam board's members, each
  marker's marks) are excluded; the settled points stay on the answers.
- **Files** (signed scans) are not in the JSON: copy ``UPLOADS_DIR/scans/`` along.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from dangvien.core.audit import acting_as
from dangvien.core.errors import DomainError
from dangvien.core.text import fold
from dangvien.organisations.models import Organisation

FORMAT = "dangvien.organisation"
VERSION = 1
BATCH = 1000

# Per model: lookups from a row to an Organisation. "" is the organisation itself.
OWNED: dict[str, tuple[str, ...]] = {
    "organisations.organisation": ("",),
    "organisations.village": ("organisation",),
    "core.ruleparameter": ("organisation",),
    "people.person": ("village__organisation", "member__branch", "candidacies__branch"),
    "members.member": ("branch",),
    "members.statuschange": ("member__branch",),
    "members.mentorship": ("member__branch",),
    "members.probationreport": ("member__branch",),
    "members.proceeding": ("member__branch",),
    "members.membervote": ("proceeding__member__branch",),
    "members.gap": ("member__branch",),
    "members.exemption": ("member__branch",),
    "members.transfer": ("member__branch",),
    "members.meeting": ("organisation",),
    "members.attendance": ("meeting__organisation",),
    "members.duesaccount": ("member__branch",),
    "members.duesrelief": ("member__branch",),
    "members.duespayment": ("member__branch",),
    "members.badge": ("member__branch",),
    "candidates.candidate": ("branch",),
    "candidates.stagechange": ("candidate__branch",),
    "candidates.backgroundcheck": ("candidate__branch",),
    "candidates.introducer": ("candidate__branch",),
    "candidates.vote": ("candidate__branch",),
    "training.course": ("organiser",),
    "training.session": ("course__organiser",),
    "training.enrolment": ("course__organiser", "candidate__branch", "member__branch"),
    "training.attendance": (
        "session__course__organiser",
        "enrolment__candidate__branch",
        "enrolment__member__branch",
    ),
    "training.certificate": (
        "issuer",
        "enrolment__candidate__branch",
        "enrolment__member__branch",
    ),
    "exams.question": ("owner",),
    "exams.questionversion": ("question__owner",),
    "exams.examround": ("organisation",),
    "exams.blueprintline": ("round__organisation",),
    "exams.paper": ("round__organisation",),
    "exams.paperitem": ("paper__round__organisation",),
    "exams.sitting": ("round__organisation", "candidate__branch"),
    "exams.answer": ("sitting__round__organisation", "sitting__candidate__branch"),
    "stats.target": ("organisation",),
    "stats.targetrevision": ("target__organisation",),
    "stats.poolsurvey": ("organisation",),
    "reviews.reviewperiod": ("organisation",),
    "reviews.memberreview": ("branch",),
    "reviews.organisationreview": ("organisation",),
    "reviews.discipline": ("member__branch",),
    "screening.screeningcase": ("branch",),
    "screening.casechange": ("case__branch",),
    "documents.register": ("organisation",),
    "documents.issueddocument": ("register__organisation", "candidate__branch", "member__branch"),
    "documents.scan": ("candidate__branch", "member__branch"),
    "documents.formtemplate": ("province",),
    "privacy.consent": ("person__member__branch", "person__candidacies__branch"),
    "privacy.subjectrequest": ("person__member__branch", "person__candidacies__branch"),
}

# Excluded tables seeded at install time whose rows still travel as references.
SEEDED = {"exams.topic", "privacy.notice"}

# Models not exported, with the reason. An app label alone excludes the whole app.
EXCLUDED: dict[str, str] = {
    "accounts.user": "Tài khoản người dùng không chuyển theo: tạo lại ở máy chủ mới.",
    "accounts.roleassignment": "Vai trò gắn với tài khoản người dùng (không chuyển).",
    "accounts.apitoken": "Mã truy cập API gắn với tài khoản, chỉ dùng ở máy chủ cũ.",
    "accounts.authenticatorapp": "Ứng dụng xác thực gắn với tài khoản (không chuyển): người "
    "dùng đăng ký lại ở máy chủ mới.",
    "core.auditevent": "Nhật ký kiểm toán ở lại máy chủ cũ (ghi theo tài khoản ở đó).",
    "auditlog": "Nhật ký truy cập và chuỗi băm ở lại máy chủ cũ (ghi theo tài khoản ở đó).",
    "core.calendarday": "Lịch ngày làm việc chung toàn quốc, không thuộc tổ chức nào.",
    "organisations.parentrule": "Quy tắc cấp trên – cấp dưới chung cho mọi cây tổ chức.",
    "exams.topic": "Danh mục chủ đề chung (nạp sẵn khi cài đặt); chỉ đi theo như tham chiếu.",
    "exams.boardmember": "Thành viên hội đồng là tài khoản người dùng (không chuyển).",
    "exams.mark": "Điểm của từng giám khảo gắn với tài khoản; điểm đã chốt nằm ở bài làm.",
    "imports": "Lượt nhập tệp là việc tạm thời, gắn với tệp tải lên và tài khoản.",
    "privacy.notice": "Thông báo xử lý dữ liệu chung, nạp sẵn khi cài đặt (tham chiếu).",
    "accounts.demodatabase": "Dấu cơ sở dữ liệu mẫu thuộc về máy chủ, không thuộc tổ chức nào.",
    "stats.admissionfact": "Số liệu kết nạp dẫn xuất: máy chủ mới tự dựng lại từ các dòng "
    "được nhập (stats.admission_facts).",
    "stats.admissionstale": "Hàng đợi nội bộ của số liệu kết nạp, không phải dữ liệu.",
    "stats.structurerollup": "Số liệu cơ cấu đảng viên dẫn xuất theo ngày: máy chủ mới tự "
    "dựng lại (stats.rollup).",
    "stats.structurestale": "Hàng đợi nội bộ của số liệu cơ cấu, không phải dữ liệu.",
    "people.searchname": "Từ điển tên để tìm kiếm: máy chủ mới tự điền khi nhập nhân thân "
    "(people.names).",
}


class _Encoder(DjangoJSONEncoder):
    """Timestamps to the microsecond (Django's encoder stops at the millisecond, and the
    round trip must give back the very same values)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime):
            return o.isoformat()
        return super().default(o)


class ImportRefused(DomainError):
    """The file cannot be imported here; nothing was written."""


@dataclass(frozen=True)
class _Row:
    label: str
    pk: Any


def project_models() -> list[type[models.Model]]:
    """Every model of the project's own apps."""
    return [m for m in apps.get_models() if m.__module__.startswith("dangvien.")]


def is_excluded(model: type[models.Model]) -> bool:
    return model._meta.label_lower in EXCLUDED or model._meta.app_label in EXCLUDED


def _is_user_fk(field: Any) -> bool:
    return field.related_model is apps.get_model(settings.AUTH_USER_MODEL)


def _foreign_keys(model: type[models.Model]) -> list[Any]:
    return [f for f in model._meta.concrete_fields if f.is_relation and f.many_to_one]


def _owned_rows(model: type[models.Model], root: Organisation) -> models.QuerySet[Any]:
    lookups = OWNED[model._meta.label_lower]
    q = reduce(
        or_, (Q(**{(f"{lk}__" if lk else "") + "path__startswith": root.path}) for lk in lookups)
    )
    return model._default_manager.filter(q).distinct().order_by("pk")


def export_organisation(org: Organisation) -> dict[str, Any]:
    """Everything of ``org``'s subtree as JSON-ready data (see the module's docstring)."""
    found: dict[str, dict[Any, dict[str, Any]]] = {}
    refs: set[_Row] = set()
    for model in project_models():
        if is_excluded(model):
            continue
        label = model._meta.label_lower
        rows = found.setdefault(label, {})
        for obj in _owned_rows(model, org).iterator(chunk_size=BATCH):
            rows[obj.pk] = _serialise(obj)
    # The references: whatever the rows point at and is not in the set yet, recursively.
    pending = [(label, fields) for label, rows in found.items() for fields in rows.values()]
    while pending:
        wanted: dict[type[models.Model], set[Any]] = {}
        for label, record in pending:
            model = apps.get_model(label)
            for field in _foreign_keys(model):
                value = record["fields"].get(field.name)
                target = field.related_model
                if value is None or _is_user_fk(field):
                    continue
                if value not in found.get(target._meta.label_lower, {}):
                    wanted.setdefault(target, set()).add(value)
        pending = []
        for target, pks in wanted.items():
            label = target._meta.label_lower
            rows = found.setdefault(label, {})
            for obj in target._default_manager.filter(pk__in=pks).order_by("pk"):
                record = _serialise(obj)
                record["ref"] = True
                rows[obj.pk] = record
                refs.add(_Row(label, obj.pk))
                pending.append((label, record))
    out_rows = []
    order = _order()
    for label in sorted(found, key=order.index):
        for pk in sorted(found[label]):
            out_rows.append(found[label][pk])
    data = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "organisation": {"id": org.pk, "name": org.name, "path": org.path},
        "users": "Không xuất tài khoản người dùng; cột người ghi (by) để trống.",
        "rows": out_rows,
    }
    return json.loads(json.dumps(data, cls=_Encoder))


def _serialise(obj: models.Model) -> dict[str, Any]:
    (record,) = serializers.serialize("python", [obj])
    for field in _foreign_keys(type(obj)):
        if _is_user_fk(field):
            record["fields"][field.name] = None
    return {"model": record["model"], "pk": record["pk"], "fields": record["fields"]}


def _order() -> list[str]:
    """Project models, each after the models its required foreign keys point at."""
    from graphlib import TopologicalSorter

    graph: dict[str, set[str]] = {}
    for model in project_models():
        deps = {
            f.related_model._meta.label_lower
            for f in _foreign_keys(model)
            if not f.null and f.related_model is not model
        }
        graph[model._meta.label_lower] = deps
    return list(TopologicalSorter(graph).static_order())


def import_organisation(data: dict[str, Any], *, by: Any = None) -> dict[str, int]:
    """Write an ``export_organisation`` file into this database, all or nothing.

    Refused (``ImportRefused``, nothing written) for an unknown format or version, a row of
    the organisation whose id is already used here, or a reference organisation here at
    another place in the tree. Answers the number of rows created per model label.
    """
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportRefused("Tệp không phải dữ liệu tổ chức xuất từ hệ thống này.")
    if data.get("version") != VERSION:
        raise ImportRefused(
            f"Phiên bản định dạng “{data.get('version')}” không được hỗ trợ (cần {VERSION})."
        )
    by_model: dict[str, list[dict[str, Any]]] = {}
    for record in data.get("rows", []):
        by_model.setdefault(record["model"], []).append(record)
    unknown = [label for label in by_model if not _known(label)]
    if unknown:
        raise ImportRefused("Tệp có bảng không có ở máy chủ này: " + ", ".join(sorted(unknown)))
    created: dict[str, int] = {}
    with transaction.atomic(), acting_as(by):
        to_insert = _check_collisions(by_model)
        for label in [lb for lb in _order() if lb in to_insert]:
            records = to_insert[label]
            objects = [d.object for d in serializers.deserialize("python", records)]
            model = apps.get_model(label)
            for node in objects:  # derived from the name, whatever the file says
                if isinstance(node, Organisation):
                    node.search_text = fold(node.name)
            try:
                with transaction.atomic():
                    for start in range(0, len(objects), BATCH):
                        model._default_manager.bulk_create(objects[start : start + BATCH])
            except IntegrityError as error:
                raise ImportRefused(
                    f"Không nhập được bảng {model._meta.verbose_name}: trùng với dữ liệu đã có "
                    f"ở máy chủ này ({error})."
                ) from error
            created[label] = len(objects)
        try:
            connection.check_constraints()
        except IntegrityError as error:
            raise ImportRefused(f"Dữ liệu trong tệp không liền mạch: {error}") from error
        _reset_sequences([apps.get_model(label) for label in created])
    return created


def _known(label: str) -> bool:
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return False
    return model in project_models() and not (is_excluded(model) and label not in SEEDED)


def _check_collisions(by_model: dict[str, list[dict[str, Any]]]) -> dict[str, list[Any]]:
    """The records to insert: the subtree's rows (refused if their id is taken) and the
    references missing here."""
    clashes: list[str] = []
    to_insert: dict[str, list[Any]] = {}
    for label, records in by_model.items():
        model = apps.get_model(label)
        pks = [r["pk"] for r in records]
        existing: dict[Any, Any] = {}
        for start in range(0, len(pks), BATCH):
            chunk = pks[start : start + BATCH]
            for pk, path in _existing(model, chunk):
                existing[pk] = path
        own_taken = [r["pk"] for r in records if not r.get("ref") and r["pk"] in existing]
        if own_taken:
            sample = ", ".join(str(pk) for pk in own_taken[:5])
            clashes.append(
                f"{model._meta.verbose_name}: {len(own_taken)} mã đã có ở máy chủ này ({sample}…)"
            )
        for r in records:
            moved = (
                label == "organisations.organisation"
                and r.get("ref")
                and r["pk"] in existing
                and existing[r["pk"]] != r["fields"]["path"]
            )
            if moved:
                clashes.append(
                    f"Tổ chức “{r['fields']['name']}” (mã {r['pk']}) ở máy chủ này nằm ở "
                    "vị trí khác trong cây tổ chức"
                )
        to_insert[label] = [r for r in records if r["pk"] not in existing]
    if clashes:
        raise ImportRefused("Không nhập: trùng mã với dữ liệu đã có. " + "; ".join(clashes) + ".")
    return {label: rows for label, rows in to_insert.items() if rows}


def _existing(model: type[models.Model], pks: list[Any]) -> Iterable[tuple[Any, Any]]:
    if model is Organisation:
        return Organisation.objects.filter(pk__in=pks).values_list("pk", "path")
    return (
        (pk, None) for pk in model._default_manager.filter(pk__in=pks).values_list("pk", flat=True)
    )


def _reset_sequences(model_list: list[type[models.Model]]) -> None:
    """Explicit ids leave PostgreSQL's sequences behind: move them past the new rows."""
    statements = connection.ops.sequence_reset_sql(no_style(), model_list)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def dumps(data: dict[str, Any]) -> str:
    """The file's text: UTF-8 JSON, Vietnamese kept readable."""
    return json.dumps(data, ensure_ascii=False, indent=1)
