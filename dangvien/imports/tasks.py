"""The background tasks of the imports (Django's tasks API; the database backend's worker
``manage.py db_worker`` runs them, ``make run`` starts it beside the server).

Each task runs in the row-level security scope of the job's user (issue 9,
``dangvien.rowsecurity``): the worker has no request, and a connection nobody scoped sees
no personal data. The job row itself is not protected, so it can be read first.
"""

from typing import Any

from django_tasks import task

from dangvien.imports import actions
from dangvien.imports.models import ImportJob
from dangvien.rowsecurity.scope import scoped


def _user(job_id: int, *, committing: bool = False) -> Any:
    job = ImportJob.objects.select_related("created_by", "committed_by").filter(pk=job_id).first()
    if job is None:
        return None
    return (job.committed_by if committing else None) or job.created_by


@task()
def check_import(job_id: int) -> None:
    """The dry run of an import job."""
    with scoped(_user(job_id)):
        actions.run_dry_run(job_id)


@task()
def commit_import(job_id: int) -> None:
    """The all-or-nothing commit of an import job."""
    with scoped(_user(job_id, committing=True)):
        actions.run_commit(job_id)
