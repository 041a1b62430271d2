"""The person edit page: the details the statistics count (issue 6) and the others that
change over a life, reached from a member's or candidate's page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from dangvien.auditlog.access import log_access
from dangvien.core.errors import DomainError
from dangvien.core.http import AuthedRequest
from dangvien.organisations.queries import village_choices, villages_above
from dangvien.people import actions, queries
from dangvien.people.forms import PersonForm
from dangvien.people.models import Person


def _back_url(person: Person) -> str:
    """The member's page, else the latest candidacy's."""
    member = getattr(person, "member", None)
    if member is not None:
        return reverse("members:detail", args=[member.pk])
    candidacy = person.candidacies.order_by("-listed_on", "-pk").first()
    return reverse("candidates:detail", args=[candidacy.pk]) if candidacy else "/"


@login_required
def edit(request: AuthedRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(queries.visible_people(request.user), pk=pk)
    branch = actions.person_branch(person)
    if branch is None or not queries.can_edit_people_at(request.user, branch.path):
        raise PermissionDenied
    choices = village_choices(villages_above(branch), keep=person.village_id)
    initial = {name: getattr(person, name) for name in actions.CHANGEABLE}
    form = PersonForm(request.POST or None, initial=initial, village_choices=choices)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.edit_person(person, by=request.user, **form.cleaned_data)
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
                status = 409
            else:
                messages.success(request, f"Đã cập nhật nhân thân của {person.full_name}.")
                return redirect(_back_url(person))
        else:
            status = 400
    else:
        log_access(
            request,
            kind="view",
            what="Nhân thân (trang sửa)",
            person=person.pk,
            org_path=branch.path,
        )
    context = {
        "nav": "members" if hasattr(person, "member") else "candidates",
        "person": person,
        "branch": branch,
        "form": form,
        "back_url": _back_url(person),
    }
    return render(request, "people/edit.html", context, status=status)
