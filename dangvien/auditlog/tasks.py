"""Background task of the logs (Django's tasks API; ``manage.py db_worker`` runs it).

The deployment seals every minute with ``manage.py seal_audit`` from cron; the task is the
same step for a deployment that prefers to enqueue it (e.g. from a systemd timer calling
a small script, or after a large import)."""

from django_tasks import task

from dangvien.auditlog.actions import seal_logs


@task()
def seal_audit_logs() -> dict[str, int]:
    """Chain the new rows of both logs (``auditlog.actions.seal_logs``)."""
    return seal_logs()
