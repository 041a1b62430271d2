from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from dangvien.candidates import queries as candidate_queries
from dangvien.candidates.models import Stage
from dangvien.core.http import AuthedRequest
from dangvien.organisations.queries import units_managed_by


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    """ "Việc cần làm": what is near or past a deadline in the user's scope."""
    today = timezone.localdate()
    todo = candidate_queries.todo(request.user, today)
    decisions = list(todo["decisions"][:50])
    ceremonies = list(todo["ceremonies"][:50])
    counts = candidate_queries.stage_counts(candidate_queries.visible_candidates(request.user))
    pipeline = [(stage, counts.get(stage.value, 0)) for stage in Stage]
    context = {
        "nav": "home",
        "today": today,
        "decisions": decisions,
        "ceremonies": ceremonies,
        "overdue": sum(1 for c in decisions if c.decision_due_on and c.decision_due_on < today)
        + sum(1 for c in ceremonies if c.ceremony_due_on and c.ceremony_due_on < today),
        "pipeline": pipeline,
        "units": units_managed_by(request.user),
    }
    return render(request, "accounts/home.html", context)
