from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from dangvien.candidates import queries as candidate_queries
from dangvien.candidates.moves import can_create_in
from dangvien.core.http import AuthedRequest
from dangvien.members import queries as member_queries
from dangvien.organisations import queries


@login_required
def index(request: AuthedRequest) -> HttpResponse:
    units = list(queries.units_managed_by(request.user))
    if len(units) == 1:
        return redirect("organisations:detail", units[0].pk)
    return render(request, "organisations/index.html", {"nav": "orgs", "units": units})


@login_required
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(queries.visible_organisations(request.user), pk=pk)
    children = list(queries.children(org))
    members = member_queries.counts_by_child(org)
    candidates = candidate_queries.counts_by_child(org)
    empty = {"official": 0, "probationary": 0}
    rows = [
        {
            "org": child,
            "official": members.get(child.path, empty)["official"],
            "probationary": members.get(child.path, empty)["probationary"],
            "candidates": candidates.get(child.path, 0),
        }
        for child in children
    ]
    totals = member_queries.subtree_counts(org)
    context = {
        "nav": "orgs",
        "org": org,
        "breadcrumbs": [
            a for a in queries.ancestors(org) if queries.path_within(a.path, request.user)
        ],
        "rows": rows,
        "totals": totals,
        "candidate_total": candidate_queries.subtree_count(org),
        "chain": queries.admission_chain(org) if org.holds_members else None,
        "pipeline": list(
            candidate_queries.filter_candidates(
                candidate_queries.visible_candidates(request.user), stage="active", branch=org
            )[:100]
        )
        if org.holds_members
        else [],
        "can_create": org.holds_members and can_create_in(request.user, org.path),
    }
    return render(request, "organisations/detail.html", context)
