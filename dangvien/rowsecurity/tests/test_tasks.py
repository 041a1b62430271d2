"""Background work runs in the scope of the user who asked for it (PostgreSQL)."""

from typing import Any

import pytest
from django.db import connection

from dangvien.accounts.models import Role
from dangvien.factories import make_member, user_with_role
from dangvien.imports import actions, tasks
from dangvien.imports.models import ImportJob, ImportKind
from dangvien.imports.tests.helpers import MEMBER_HEADER, checked, member_row, problems, uploaded
from dangvien.rowsecurity.tests import fixtures

pytestmark = [pytest.mark.postgres, pytest.mark.django_db, pytest.mark.as_owner]
as_app = fixtures.as_app


def _setting() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('dangvien.scope', true)")
        return str(cursor.fetchone()[0] or "")


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The scope each import step ran with."""
    scopes: list[str] = []
    monkeypatch.setattr(actions, "run_dry_run", lambda job_id: scopes.append(_setting()))
    monkeypatch.setattr(actions, "run_commit", lambda job_id: scopes.append(_setting()))
    return scopes


def _job(tree: dict[str, Any], **fields: Any) -> ImportJob:
    return ImportJob.objects.create(
        kind=ImportKind.MEMBERS,
        organisation=tree["commune"],
        org_path=tree["commune"].path,
        file_name="danh-sach.csv",
        stored_name="x",
        file_format="csv",
        sha256="0" * 64,
        **fields,
    )


def test_an_import_runs_in_its_users_scope_and_leaves_none_behind(tree, seen):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    staff = user_with_role(Role.GRASSROOTS_STAFF, tree["commune"])
    board = user_with_role(Role.BOARD_STAFF, tree["province"])
    job = _job(tree, created_by=staff, committed_by=board)
    tasks.check_import.call(job.pk)
    tasks.commit_import.call(job.pk)
    assert seen == [tree["commune"].path, tree["province"].path]
    assert _setting() == ""


def test_a_job_without_a_user_sees_nothing(tree, seen):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    tasks.check_import.call(_job(tree).pk)
    assert seen == [""]


def test_an_import_in_its_users_scope_still_refuses_a_citizen_id_or_card_held_elsewhere(
    tree, as_app, settings, tmp_path
):
    """The import's duplicate checks look at the whole country (``imports.plan``, in
    ``unrestricted()``): under the commune user's scope the holder in another commune is
    hidden by the database, and the row would look new until the unique index refused the
    commit. The problem names nobody."""
    settings.UPLOADS_DIR = tmp_path
    elsewhere = make_member(branch=tree["other_branch"], card_number="12345678")
    holder = elsewhere.person
    staff = user_with_role(Role.GRASSROOTS_STAFF, tree["commune"])
    rows = [member_row(1, cid=holder.citizen_id), member_row(2, card="12345678")]
    with as_app():
        job = checked(
            uploaded(ImportKind.MEMBERS, tree["commune"], staff, MEMBER_HEADER, rows), staff
        )
    found = problems(job)
    assert found == [
        "Dòng 2, Số CCCD: số CCCD đã có trong hệ thống ở đơn vị ngoài phạm vi nhập; liên hệ "
        "cấp trên để chuyển sinh hoạt / kiểm tra.",
        "Dòng 3, Số thẻ đảng viên: số thẻ đảng viên đã được dùng.",
    ]
    assert holder.full_name not in " ".join(found)
