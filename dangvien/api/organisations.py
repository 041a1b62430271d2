"""Organisations the user may see, with member and candidate counts, their sector and
their villages (API.md; issue 6)."""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status

from dangvien.api.auth import user_of
from dangvien.api.errors import ApiError, responses
from dangvien.api.schemas import (
    OrganisationFilters,
    OrganisationOut,
    OrganisationPage,
    OrganisationPatch,
    VillageFilters,
    VillageIn,
    VillageOut,
    VillagePage,
    VillagePatch,
)
from dangvien.candidates import queries as candidate_queries
from dangvien.core.text import fold
from dangvien.members import queries as member_queries
from dangvien.organisations import actions
from dangvien.organisations.models import Kind, Organisation, Sector, Village, VillageKind
from dangvien.organisations.queries import (
    VillageRow,
    ancestors,
    can_edit_organisation,
    path_within,
    village_rows,
    visible_organisations,
    visible_villages,
)

router = Router(tags=["Tổ chức đảng"])
# Endpoints outside /organisations (``PATCH /villages/{id}``), mounted at the API root.
extra = Router(tags=["Tổ chức đảng"])

WRITE = responses(400, 401, 403, 404, 409)


def organisation_item(org: Organisation) -> dict[str, Any]:
    return {
        "id": org.pk,
        "name": org.name,
        "kind": org.kind,
        "kind_label": str(Kind(org.kind).label),
        "parent_id": org.parent_id,
        "level": org.depth,
        "sector": org.sector,
        "sector_label": str(Sector(org.sector).label) if org.sector else "",
    }


def matching_name(rows: QuerySet[Organisation], q: str) -> QuerySet[Organisation]:
    """Names containing ``q``, ignoring case and diacritics.

    Organisations carry no folded search column, so the fold happens here over the names
    in scope (a province has a few thousand nodes); see the report for the proposed column.
    """
    key = fold(q)
    ids = [pk for pk, name in rows.values_list("pk", "name") if key in fold(name)]
    return rows.filter(pk__in=ids)


@router.get(
    "", response={200: OrganisationPage, **responses(400, 401, 404)}, url_name="organisations"
)
def list_organisations(request: HttpRequest, filters: Query[OrganisationFilters]) -> dict[str, Any]:
    """The organisations the user may see (their subtrees), filtered."""
    rows = visible_organisations(user_of(request))
    if filters.parent is not None:
        parent = get_object_or_404(rows, pk=filters.parent)
        rows = rows.filter(parent=parent)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.sector:
        rows = rows.filter(sector=filters.sector)
    if filters.q.strip():
        rows = matching_name(rows, filters.q)
    rows = rows.order_by("depth", "sort_key", "pk")
    page = rows[filters.offset : filters.offset + filters.limit]
    return {"count": rows.count(), "items": [organisation_item(org) for org in page]}


@router.get(
    "/{organisation_id}",
    response={200: OrganisationOut, **responses(400, 401, 404)},
    url_name="organisation",
)
def get_organisation(request: HttpRequest, organisation_id: int) -> dict[str, Any]:
    """One organisation with counts over its whole subtree. Outside the user's scope: 404."""
    user = user_of(request)
    org = get_object_or_404(visible_organisations(user), pk=organisation_id)
    return organisation_out(org, user)


def organisation_out(org: Organisation, user: Any) -> dict[str, Any]:
    members = member_queries.subtree_counts(org)
    return {
        **organisation_item(org),
        # Within the user's scope only, as the pages' breadcrumbs.
        "path_names": [
            node.name for node in ancestors(org, include_self=True) if path_within(node.path, user)
        ],
        "code": org.code,
        "authorised_to_admit": org.authorised_to_admit,
        "official_members": members["official"] or 0,
        "probationary_members": members["probationary"] or 0,
        "candidates": candidate_queries.subtree_count(org),
        "document_name": org.document_name,
        "document_symbol": org.document_symbol,
        "place_name": org.place_name,
        "term_started_on": org.term_started_on,
    }


def _editable(user: Any, organisation_id: int) -> Organisation:
    """404 outside the user's scope; 403 for a role that only sees the organisation."""
    org = get_object_or_404(visible_organisations(user), pk=organisation_id)
    if not can_edit_organisation(user, org):
        raise ApiError(403, "Vai trò của bạn không được sửa thông tin tổ chức này.")
    return org


@router.patch(
    "/{organisation_id}",
    response={200: OrganisationOut, **WRITE},
    url_name="organisation-patch",
)
def patch_organisation(
    request: HttpRequest, organisation_id: int, payload: OrganisationPatch
) -> dict[str, Any]:
    """Change an organisation: its ``sector`` (loại hình), set on a grassroots
    organisation and copied onto every node below it (refused, 409, on a node below one);
    how it signs its documents (``document_name``, ``document_symbol``, ``place_name``,
    ``term_started_on``; 36-HD/VPTW).
    For the organisation staff (cán bộ đảng ủy cơ sở, ban tổ chức) at the node or above."""
    user = user_of(request)
    org = _editable(user, organisation_id)
    if "sector" in payload.model_fields_set:
        actions.set_sector(org, payload.sector or "", by=user)
    signing = {
        field: getattr(payload, field)
        for field in actions.SIGNING_FIELDS
        if field in payload.model_fields_set
    }
    if signing:
        org = actions.set_document_signing(org, by=user, **signing)
    return organisation_out(org, user)


# ---- villages (thôn, tổ dân phố) -------------------------------------------------------


def village_out(row: VillageRow) -> dict[str, Any]:
    village = row.village
    return {
        "id": village.pk,
        "organisation_id": village.organisation_id,
        "organisation_name": village.organisation.name,
        "name": village.name,
        "kind": village.kind,
        "kind_label": str(VillageKind(village.kind).label),
        "branch_id": village.branch_id,
        "branch_name": village.branch.name if village.branch else None,
        "active": village.active,
        "members": row.members,
        "candidates": row.candidates,
    }


def _answer(village: Village) -> dict[str, Any]:
    org = village.organisation
    return village_out(village_rows(org, village_id=village.pk)[0])


def _branch(user: Any, branch_id: int | None) -> Organisation | None:
    if branch_id is None:
        return None
    branch = visible_organisations(user).filter(pk=branch_id).first()
    if branch is None:
        raise ApiError(400, fields={"branch_id": "Không tìm thấy chi bộ này."})
    return branch


@router.get(
    "/{organisation_id}/villages",
    response={200: VillagePage, **responses(400, 401, 404)},
    url_name="organisation-villages",
)
def list_villages(
    request: HttpRequest, organisation_id: int, filters: Query[VillageFilters]
) -> dict[str, Any]:
    """The villages and residential groups (thôn, tổ dân phố) of a commune, open ones first,
    with the active members and candidates living in each. Outside the scope: 404."""
    org = get_object_or_404(visible_organisations(user_of(request)), pk=organisation_id)
    rows = village_rows(org, active=filters.active)
    page = rows[filters.offset : filters.offset + filters.limit]
    return {"count": len(rows), "items": [village_out(row) for row in page]}


@router.post(
    "/{organisation_id}/villages",
    response={201: VillageOut, **WRITE},
    url_name="organisation-villages-add",
)
def add_village(
    request: HttpRequest, organisation_id: int, payload: VillageIn
) -> Status[dict[str, Any]]:
    """Add a village or residential group to a commune. The name must be new in the commune
    (ignoring case and diacritics) and the chi bộ in charge must lie under it (409)."""
    user = user_of(request)
    org = _editable(user, organisation_id)
    village = actions.add_village(
        org,
        name=payload.name,
        kind=payload.kind,
        branch=_branch(user, payload.branch_id),
        by=user,
    )
    return Status(201, _answer(village))


@extra.patch("/villages/{village_id}", response={200: VillageOut, **WRITE}, url_name="village")
def patch_village(request: HttpRequest, village_id: int, payload: VillagePatch) -> dict[str, Any]:
    """Rename a village, change its kind or chi bộ in charge, or close (``active: false``)
    or reopen it. Closing only hides it from the choices: the people living there keep it.
    Outside the scope: 404."""
    user = user_of(request)
    village = get_object_or_404(
        visible_villages(user).select_related("organisation", "branch"), pk=village_id
    )
    if not can_edit_organisation(user, village.organisation):
        raise ApiError(403, "Vai trò của bạn không được sửa thông tin tổ chức này.")
    sent = payload.model_fields_set
    with transaction.atomic():  # the edit and the closing stand or fall together
        if sent & {"name", "kind", "branch_id"}:
            actions.edit_village(
                village,
                name=payload.name if payload.name is not None else village.name,
                kind=payload.kind or village.kind,
                branch=_branch(user, payload.branch_id) if "branch_id" in sent else village.branch,
                by=user,
            )
        if payload.active is False and village.active:
            actions.close_village(village, by=user)
        elif payload.active is True and not village.active:
            actions.reopen_village(village, by=user)
    return _answer(village)
