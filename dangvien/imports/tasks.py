"""The background tasks of the imports (Django's tasks API; the database backend's worker
``manage.py db_worker`` runs them, ``make run`` starts it beside the server)."""

from django_tasks import task

from dangvien.imports import actions


@task()
def check_import(job_id: int) -> None:
    """The dry run of an import job."""
    actions.run_dry_run(job_id)


@task()
def commit_import(job_id: int) -> None:
    """The all-or-nothing commit of an import job."""
    actions.run_commit(job_id)
