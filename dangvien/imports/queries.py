"""Reads of the imports: whose jobs a user sees, who may import where, a job's progress."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from dangvien.accounts.models import Capability
from dangvien.accounts.queries import can
from dangvien.imports import progress as progress_file
from dangvien.imports.models import ImportJob, ImportKind, JobState
from dangvien.organisations.models import Organisation
from dangvien.organisations.queries import in_scope, visible_organisations


def visible_jobs(user: Any) -> QuerySet[ImportJob]:
    """The jobs on nodes inside the user's subtree (others: 404)."""
    return ImportJob.objects.filter(in_scope(user, "org_path")).select_related(
        "organisation", "created_by"
    )


def can_import(user: Any, kind: str, organisation: Organisation) -> bool:
    """Who may import (issue 8): members and candidates — the chi bộ's moves (BRANCH_MOVES)
    or the deciding committee's (DECIDE) on the chosen node; the organisation tree — the
    organisation board of a committee above (BOARD_STAFF: the APPROVE capability) or a
    superuser."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    if kind == ImportKind.ORGANISATIONS:
        return can(user, Capability.APPROVE, organisation.path)
    return can(user, Capability.BRANCH_MOVES, organisation.path) or can(
        user, Capability.DECIDE, organisation.path
    )


def import_targets(user: Any, kind: str) -> list[Organisation]:
    """The nodes the user may import ``kind`` into (for the new-import form)."""
    nodes = visible_organisations(user).order_by("path")[:2000]
    return [org for org in nodes if can_import(user, kind, org)]


@dataclass
class Progress:
    percent: int
    done: int
    total: int
    phase: str


def job_progress(job: ImportJob) -> Progress:
    """How far a job is: from the progress file while a task runs, else from its state."""
    if job.state in (JobState.CHECKING, JobState.COMMITTING):
        data = progress_file.read(job.pk) or {}
        done, total = int(data.get("done", 0)), int(data.get("total", 0))
        percent = min(99, done * 100 // total) if total else 0
        return Progress(percent, done, total, str(data.get("phase", job.state)))
    if job.state in (JobState.CHECKED, JobState.DONE):
        return Progress(100, job.total_rows, job.total_rows, job.state)
    return Progress(0, 0, job.total_rows, job.state)


def may_commit(job: ImportJob) -> bool:
    return job.state == JobState.CHECKED and job.error_count == 0 and job.total_rows > 0
