from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangvien.candidates import queries as candidate_queries
from dangvien.candidates.moves import can_create_in
from dangvien.core import listexport
from dangvien.core.errors import DomainError
from dangvien.core.http import AuthedRequest
from dangvien.members import queries as member_queries
from dangvien.organisations import actions, queries
from dangvien.organisations.forms import SectorForm, SigningForm, VillageForm
from dangvien.organisations.models import Organisation, Village

CHILD_COLUMNS = (
    listexport.Column("Tên", lambda r: r["org"].name, 36),
    listexport.Column("Loại", lambda r: r["org"].get_kind_display(), 24),
    listexport.Column("Đảng viên chính thức", lambda r: r["official"], 12),
    listexport.Column("Đảng viên dự bị", lambda r: r["probationary"], 12),
    listexport.Column("Quần chúng ưu tú đang theo dõi", lambda r: r["candidates"], 14),
)


@login_required
def index(request: AuthedRequest) -> HttpResponse:
    units = list(queries.units_managed_by(request.user))
    if len(units) == 1:
        return redirect("organisations:detail", units[0].pk)
    return render(request, "organisations/index.html", {"nav": "orgs", "units": units})


def _detail_context(
    request: AuthedRequest,
    org: Organisation,
    *,
    sector_form: SectorForm | None = None,
    village_form: VillageForm | None = None,
) -> dict[str, Any]:
    rows = _child_rows(org)
    totals = member_queries.subtree_counts(org)
    can_edit = queries.can_edit_organisation(request.user, org)
    owner = queries.sector_owner(org)
    shows_villages = queries.shows_villages(org)
    return {
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
        # The sector: decided here (a grassroots organisation or a commune) or by the owner.
        "sector_owner": owner if owner is not None and owner.pk != org.pk else None,
        "sector_form": sector_form
        or (SectorForm(initial={"sector": org.sector}) if can_edit and org.is_grassroots else None),
        "can_edit": can_edit,
        "villages": queries.village_rows(org) if shows_villages else None,
        "village_form": (village_form or VillageForm(branches=queries.branches_under(org)))
        if can_edit and shows_villages
        else None,
        "signing_form": SigningForm(
            initial={field: getattr(org, field) for field in SigningForm.base_fields}
        )
        if can_edit
        else None,
    }


def _child_rows(org: Organisation) -> list[dict[str, Any]]:
    """The organisations directly under ``org`` with their members and candidates."""
    members = member_queries.counts_by_child(org)
    candidates = candidate_queries.counts_by_child(org)
    empty = {"official": 0, "probationary": 0}
    return [
        {
            "org": child,
            "official": members.get(child.path, empty)["official"],
            "probationary": members.get(child.path, empty)["probationary"],
            "candidates": candidates.get(child.path, 0),
        }
        for child in queries.children(org)
    ]


@login_required
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(queries.visible_organisations(request.user), pk=pk)
    if export := listexport.requested(request):
        title = f"Tổ chức trực thuộc {org.name}"
        return listexport.respond(
            export, _child_rows(org), CHILD_COLUMNS, request=request, title=title, node=org
        )
    return render(request, "organisations/detail.html", _detail_context(request, org))


def _editable(request: AuthedRequest, pk: int) -> Organisation:
    """The organisation, 404 outside the user's scope, 403 for a user who only sees it."""
    org = get_object_or_404(queries.visible_organisations(request.user), pk=pk)
    if not queries.can_edit_organisation(request.user, org):
        raise PermissionDenied
    return org


def org_url(org: Organisation) -> str:
    return reverse("organisations:detail", args=[org.pk])


def _refused(form: Any, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error))


@require_POST
@login_required
def sector(request: AuthedRequest, pk: int) -> HttpResponse:
    org = _editable(request, pk)
    form = SectorForm(request.POST)
    if form.is_valid():
        try:
            actions.set_sector(org, form.cleaned_data["sector"], by=request.user)
        except DomainError as error:
            _refused(form, error)
        else:
            messages.success(request, f"Đã cập nhật loại hình của {org.name}.")
            return redirect("organisations:detail", org.pk)
    context = _detail_context(request, org, sector_form=form)
    return render(request, "organisations/detail.html", context, status=409)


@require_POST
@login_required
def village_add(request: AuthedRequest, pk: int) -> HttpResponse:
    org = _editable(request, pk)
    form = VillageForm(request.POST, branches=queries.branches_under(org))
    if form.is_valid():
        try:
            village = actions.add_village(org, by=request.user, **form.cleaned_data)
        except DomainError as error:
            _refused(form, error)
        else:
            messages.success(request, f"Đã thêm {village.name}.")
            return redirect(f"{org_url(org)}#villages")
    context = _detail_context(request, org, village_form=form)
    return render(request, "organisations/detail.html", context, status=409)


def _editable_village(request: AuthedRequest, pk: int) -> Village:
    """The village, 404 outside the user's scope, 403 for a user who only sees it."""
    village = get_object_or_404(
        queries.visible_villages(request.user).select_related("organisation", "branch"), pk=pk
    )
    if not queries.can_edit_organisation(request.user, village.organisation):
        raise PermissionDenied
    return village


@login_required
def village_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    village = _editable_village(request, pk)
    org = village.organisation
    initial = {"name": village.name, "kind": village.kind, "branch": village.branch_id}
    form = VillageForm(request.POST or None, initial=initial, branches=queries.branches_under(org))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.edit_village(village, by=request.user, **form.cleaned_data)
            except DomainError as error:
                _refused(form, error)
                status = 409
            else:
                messages.success(request, f"Đã cập nhật {village.name}.")
                return redirect(f"{org_url(org)}#villages")
        else:
            status = 400
    context = {"nav": "orgs", "org": org, "village": village, "form": form}
    return render(request, "organisations/village_edit.html", context, status=status)


@require_POST
@login_required
def village_close(request: AuthedRequest, pk: int) -> HttpResponse:
    village = _editable_village(request, pk)
    try:
        actions.close_village(village, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Đã đóng {village.name}: không còn hiện trong danh sách chọn.")
    return redirect(f"{org_url(village.organisation)}#villages")


@require_POST
@login_required
def village_reopen(request: AuthedRequest, pk: int) -> HttpResponse:
    village = _editable_village(request, pk)
    try:
        actions.reopen_village(village, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Đã mở lại {village.name}.")
    return redirect(f"{org_url(village.organisation)}#villages")


BRANCH_SEARCH_LIMIT = 20


@login_required
def branch_search(request: AuthedRequest) -> HttpResponse:
    """The chi bộ whose name, or whose superior's name, holds every word typed
    (``?<field>__tim=``), at most ``BRANCH_SEARCH_LIMIT``: the options of
    ``BranchSearchWidget``. Any chi bộ of the country may be a transfer's destination
    (294-QĐ/TW §6.3.1), so the search is not limited to the user's scope; it shows names
    of organisations only, no personal data."""
    field = request.GET.get("field", "")
    if not field.isidentifier():
        raise Http404
    q = " ".join(request.GET.get(f"{field}__tim", "").split())[:100]
    exclude = request.GET.get("exclude", "")
    found: list[Organisation] = []
    if len(q) >= 2:
        rows = queries.branches_named(q)
        if exclude.isdigit():
            rows = rows.exclude(pk=int(exclude))
        found = list(rows[: BRANCH_SEARCH_LIMIT + 1])
    context = {
        "field": field,
        "q": q,
        "found": found[:BRANCH_SEARCH_LIMIT],
        "more": len(found) > BRANCH_SEARCH_LIMIT,
    }
    return render(request, "organisations/widgets/branch_options.html", context)
