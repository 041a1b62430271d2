from dataclasses import dataclass
from datetime import date

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from dangvien.candidates import queries as candidate_queries
from dangvien.candidates.models import Candidate, Stage
from dangvien.core.dates import add_months
from dangvien.core.http import AuthedRequest
from dangvien.core.rules import rule
from dangvien.exams.queries import todo as exam_todo
from dangvien.members import queries as member_queries
from dangvien.members.models import TransferState
from dangvien.members.queries import meetings as meeting_queries
from dangvien.members.queries import probation as probation_queries
from dangvien.members.queries import transfers as transfer_queries
from dangvien.organisations.queries import units_managed_by
from dangvien.reviews.queries import todo as review_todo
from dangvien.reviews.queries.removal import failed_running
from dangvien.screening.queries import cases as screening_queries
from dangvien.stats.queries import todo as stats_todo
from dangvien.stats.queries.access import home_node
from dangvien.stats.queries.achievement import achievement


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@dataclass(frozen=True)
class Due:
    """A row of the to-do list; the queries only return rows whose date is set."""

    candidate: Candidate
    due_on: date | None

    @property
    def overdue(self) -> bool:
        return self.due_on is not None and self.due_on < timezone.localdate()


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    """ "Việc cần làm": what is near or past a deadline in the user's scope."""
    today = timezone.localdate()
    todo = candidate_queries.todo(request.user, today)
    validity = rule("admission.certificate_validity_months", on=today)
    lists = {
        "decisions": [Due(c, c.decision_due_on) for c in todo["decisions"][:50]],
        "ceremonies": [Due(c, c.ceremony_due_on) for c in todo["ceremonies"][:50]],
        "certificates": [
            Due(c, c.certificate_issued_on and add_months(c.certificate_issued_on, validity))
            for c in todo["certificates"][:50]
        ],
    }
    members = member_queries.visible_members(request.user)
    recognition = [
        probation_queries.due_row(m, today)
        for m in probation_queries.recognition_due(members, today, within_days=30)[:50]
    ]
    removal = meeting_queries.removal_candidates(members, today)
    failed = failed_running(members, today)
    transfers = list(
        transfer_queries.scope_transfers(request.user, today=today, state="open").filter(
            Q(overdue=True) | Q(incoming=True, state=TransferState.IN_FLIGHT)
        )[:50]
    )
    exam_tasks = exam_todo.tasks(request.user, today)
    stats_tasks = stats_todo.tasks(request.user, today)
    quality_tasks = review_todo.tasks(request.user, today) + screening_queries.tasks(
        request.user, today
    )
    node = home_node(request.user)
    achieved = achievement(node, today.year, on=today) if node is not None else None
    counts = candidate_queries.stage_counts(candidate_queries.visible_candidates(request.user))
    context = {
        "nav": "home",
        "today": today,
        **lists,
        "recognition": recognition,
        "removal": removal[:50],
        "failed_running": failed[:50],
        "removal_count": len(removal) + len(failed),
        "transfers": transfers,
        "exam_tasks": exam_tasks,
        "stats_tasks": stats_tasks,
        "quality_tasks": quality_tasks,
        "achieved": achieved,
        "overdue": sum(1 for rows in lists.values() for row in rows if row.overdue)
        + sum(1 for row in recognition if row.overdue)
        + sum(1 for row in transfers if getattr(row, "overdue", False))
        + sum(1 for task in exam_tasks if task.overdue)
        + sum(1 for task in stats_tasks if task.overdue)
        + sum(1 for task in quality_tasks if task.overdue),
        "pipeline": [(stage, counts.get(stage.value, 0)) for stage in Stage],
        "units": units_managed_by(request.user),
    }
    return render(request, "accounts/home.html", context)
