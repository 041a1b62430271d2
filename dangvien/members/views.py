from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from dangvien.core.http import AuthedRequest
from dangvien.members import queries
from dangvien.members.models import Status
from dangvien.organisations.queries import visible_organisations

PAGE_SIZE = 50


@login_required
def member_list(request: AuthedRequest) -> HttpResponse:
    organisation = None
    if request.GET.get("organisation", "").isdigit():
        organisation = get_object_or_404(
            visible_organisations(request.user), pk=request.GET["organisation"]
        )
    status = request.GET.get("status", "")
    if status not in Status.values:
        status = ""
    q = request.GET.get("q", "").strip()
    rows = queries.filter_members(
        queries.visible_members(request.user), q=q, status=status, organisation=organisation
    )
    rows = queries.with_situation(rows, timezone.localdate())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "nav": "members",
        "page": page,
        "q": q,
        "status": status,
        "statuses": Status.choices,
        "organisation": organisation,
    }
    template = "members/list.html#results" if request.htmx else "members/list.html"
    return render(request, template, context)


@login_required
def member_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(
        queries.with_situation(
            queries.visible_members(request.user), timezone.localdate()
        ).select_related("candidacy"),
        pk=pk,
    )
    context = {
        "nav": "members",
        "member": member,
        "person": member.person,
        "today": timezone.localdate(),
        "party_age": member.party_age_years(),
        "history": member.changes.select_related("by"),
    }
    return render(request, "members/detail.html", context)
