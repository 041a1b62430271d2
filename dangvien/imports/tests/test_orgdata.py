"""Moving one organisation between servers as JSON (imports/orgdata.py): every table is
accounted for, and export → empty database → import → export gives the same data."""

import json
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from dangvien.accounts.models import User
from dangvien.auditlog.models import AccessEvent, Chain
from dangvien.candidates.models import Candidate
from dangvien.core import demo
from dangvien.core.models import AuditEvent
from dangvien.core.text import fold
from dangvien.exams.models import Sitting
from dangvien.factories import built_once
from dangvien.imports import orgdata
from dangvien.imports.orgdata import EXCLUDED, OWNED, ImportRefused
from dangvien.members.models import Member
from dangvien.organisations.models import Kind, Organisation
from dangvien.people.models import Person

pytestmark = pytest.mark.django_db

CORE = {"organisations.organisation", "people.person", "candidates.candidate", "members.member"}


def _points_at_core(model: Any, seen: frozenset[str] = frozenset()) -> bool:
    label = model._meta.label_lower
    if label in CORE:
        return True
    for field in model._meta.concrete_fields:
        target = field.related_model
        if (
            field.is_relation
            and target is not None
            and target._meta.label_lower not in seen
            and _points_at_core(target, seen | {label})
        ):
            return True
    return False


def test_every_table_pointing_at_the_organisation_tree_is_exported_or_excluded_with_a_reason():
    forgotten = [
        m._meta.label_lower
        for m in orgdata.project_models()
        if _points_at_core(m) and m._meta.label_lower not in OWNED and not orgdata.is_excluded(m)
    ]
    assert forgotten == [], f"Thêm vào OWNED hoặc EXCLUDED (kèm lý do): {forgotten}"
    assert all(reason.strip() for reason in EXCLUDED.values())
    assert not set(OWNED) & set(EXCLUDED)


def test_every_project_model_is_classified():
    labels = {m._meta.label_lower for m in orgdata.project_models()}
    assert set(OWNED) <= labels, set(OWNED) - labels
    unclassified = [
        m._meta.label_lower
        for m in orgdata.project_models()
        if m._meta.label_lower not in OWNED and not orgdata.is_excluded(m)
    ]
    assert unclassified == []


def _wipe() -> None:
    """An empty database (accounts and the audit trail aside), as on a new server."""
    keep = {
        User._meta.db_table,
        AuditEvent._meta.db_table,
        AccessEvent._meta.db_table,
        Chain._meta.db_table,
    }
    with connection.cursor() as cursor:
        for model in reversed(orgdata.project_models()):
            if model._meta.db_table not in keep:
                cursor.execute(f'DELETE FROM "{model._meta.db_table}"')


def _comparable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "exported_at"}


@pytest.fixture(scope="module")
def demo_province(django_db_setup: None, django_db_blocker: Any) -> Iterator[int]:
    """The demo province, built once for the module (about 15 s) and rolled back at its
    end; each test runs in a savepoint inside it, so a wipe and an import undo themselves."""

    def build() -> int:
        demo.build(members=100, out=lambda _line: None)
        return Organisation.objects.get(kind=Kind.PROVINCE).pk

    yield from built_once(django_db_blocker, build)


@pytest.fixture
def province(demo_province: int, db: None) -> Organisation:
    return Organisation.objects.get(pk=demo_province)


def test_a_province_round_trips_through_an_empty_database(province):
    first = orgdata.export_organisation(province)
    counts: dict[str, int] = {}
    for row in first["rows"]:
        counts[row["model"]] = counts.get(row["model"], 0) + 1
    # The demo fills the procedure's tables: they are all in the file.
    for label in (
        "candidates.vote",
        "candidates.introducer",
        "members.statuschange",
        "training.certificate",
        "exams.answer",
        "reviews.memberreview",
        "stats.target",
        "people.person",
    ):
        assert counts.get(label, 0) > 0, label
    assert counts["members.member"] == Member.objects.count()
    # Only rows seeded at install time travel as references: topics and the notice.
    seeded = {"exams.topic", "privacy.notice"}
    assert not any(r.get("ref") for r in first["rows"] if r["model"] not in seeded)
    assert all(r["fields"].get("by") is None for r in first["rows"])

    _wipe()
    assert not Person.objects.exists() and not Organisation.objects.exists()
    created = orgdata.import_organisation(json.loads(orgdata.dumps(first)))
    assert created["members.member"] == counts["members.member"]
    again = orgdata.export_organisation(Organisation.objects.get(pk=province.pk))
    assert _comparable(again) == _comparable(first)


def test_an_import_folds_the_names_itself_whatever_the_file_says(province):
    """``search_text`` is derived from the name: a file written before the column existed
    (or edited by hand) still gives the chi bộ search what it needs."""
    data = json.loads(orgdata.dumps(orgdata.export_organisation(province)))
    for row in data["rows"]:
        if row["model"] == "organisations.organisation" and row["pk"] % 2:
            del row["fields"]["search_text"]  # an older file
        elif row["model"] == "organisations.organisation":
            row["fields"]["search_text"] = "sai"  # edited by hand
    _wipe()
    orgdata.import_organisation(data)
    nodes = list(Organisation.objects.all())
    assert nodes and all(node.search_text == fold(node.name) for node in nodes)


def test_a_commune_moves_with_its_ancestors_as_stubs_and_what_it_points_at(province):
    commune = Organisation.objects.filter(kind=Kind.COMMUNE).order_by("pk").first()
    assert commune is not None
    first = orgdata.export_organisation(commune)
    refs = {(r["model"], r["pk"]) for r in first["rows"] if r.get("ref")}
    assert ("organisations.organisation", province.pk) in refs
    own_orgs = [
        r for r in first["rows"] if r["model"] == "organisations.organisation" and not r.get("ref")
    ]
    assert all(r["fields"]["path"].startswith(commune.path) for r in own_orgs)
    members = {
        r["pk"] for r in first["rows"] if r["model"] == "members.member" and not r.get("ref")
    }
    assert members == set(
        Member.objects.filter(org_path__startswith=commune.path).values_list("pk", flat=True)
    )

    _wipe()
    orgdata.import_organisation(first)
    stub = Organisation.objects.get(pk=province.pk)
    assert stub.path == province.path
    again = orgdata.export_organisation(Organisation.objects.get(pk=commune.pk))
    assert _comparable(again) == _comparable(first)


def test_an_import_over_existing_rows_is_refused_and_writes_nothing(province):
    data = orgdata.export_organisation(province)
    before = Candidate.objects.count(), Sitting.objects.count()
    with pytest.raises(ImportRefused, match="trùng mã với dữ liệu đã có"):
        orgdata.import_organisation(data)
    assert (Candidate.objects.count(), Sitting.objects.count()) == before


def test_an_unknown_format_or_version_is_refused_with_a_clear_message():
    with pytest.raises(ImportRefused, match="không phải dữ liệu tổ chức"):
        orgdata.import_organisation({"format": "khác", "rows": []})
    with pytest.raises(ImportRefused, match="Phiên bản định dạng “99” không được hỗ trợ"):
        orgdata.import_organisation({"format": orgdata.FORMAT, "version": 99, "rows": []})


def test_the_commands_write_and_read_the_file(province, tmp_path):
    target = tmp_path / "to-chuc.json"
    call_command("export_organisation", str(province.pk), "-o", str(target), stderr=StringIO())
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["organisation"]["name"] == province.name
    assert "Không xuất tài khoản" in data["users"]
    with pytest.raises(CommandError, match="trùng mã"):
        call_command("import_organisation", str(target))
    _wipe()
    out = StringIO()
    call_command("import_organisation", str(target), stdout=out)
    assert out.getvalue().startswith("Đã nhập ")
    assert Member.objects.count() == sum(1 for r in data["rows"] if r["model"] == "members.member")
