"""The real queue: with the database backend, the request only queues the task and the
worker (``manage.py db_worker --batch``) runs it."""

from typing import Any

import pytest
from django.core.management import call_command

from dangvien.accounts.models import Role
from dangvien.factories import user_with_role
from dangvien.imports import actions
from dangvien.imports.models import ImportKind, JobState
from dangvien.imports.tests.helpers import MEMBER_HEADER, member_row, uploaded
from dangvien.members.models import Member


@pytest.fixture
def database_queue(settings: Any, tmp_path: Any, monkeypatch: Any) -> None:
    settings.UPLOADS_DIR = tmp_path
    # The worker closes "old" connections between tasks; here it runs inside the test's
    # transaction on the test's own connection, which PostgreSQL would then lose. A real
    # worker is its own process with its own connection.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    # django_tasks resets its backends when TASKS changes (a setting_changed receiver).


def test_the_worker_runs_the_queued_dry_run_and_commit(tree, database_queue):
    staff = user_with_role(Role.GRASSROOTS_STAFF, tree["commune"])
    job = uploaded(ImportKind.MEMBERS, tree["commune"], staff, MEMBER_HEADER, [member_row(1)])
    actions.start_dry_run(job, by=staff)
    job.refresh_from_db()
    assert job.state == JobState.QUEUED  # the request returned at once
    call_command("db_worker", "--batch", verbosity=0)
    job.refresh_from_db()
    assert job.state == JobState.CHECKED and job.error_count == 0
    actions.start_commit(job, by=staff)
    assert not Member.objects.exists()
    call_command("db_worker", "--batch", verbosity=0)
    job.refresh_from_db()
    assert job.state == JobState.DONE and Member.objects.count() == 1
