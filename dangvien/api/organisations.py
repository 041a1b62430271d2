"""Organisations the user may see, with member and candidate counts (API.md)."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router

from dangvien.api.auth import user_of
from dangvien.api.errors import responses
from dangvien.api.schemas import OrganisationFilters, OrganisationOut, OrganisationPage
from dangvien.candidates import queries as candidate_queries
from dangvien.core.text import fold
from dangvien.members import queries as member_queries
from dangvien.organisations.models import Kind, Organisation
from dangvien.organisations.queries import ancestors, path_within, visible_organisations

router = Router(tags=["Tổ chức đảng"])


def organisation_item(org: Organisation) -> dict[str, Any]:
    return {
        "id": org.pk,
        "name": org.name,
        "kind": org.kind,
        "kind_label": str(Kind(org.kind).label),
        "parent_id": org.parent_id,
        "level": org.depth,
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
    if filters.q.strip():
        rows = matching_name(rows, filters.q)
    rows = rows.order_by("depth", "sort_key", "pk")
    page = rows[filters.offset : filters.offset + filters.limit]
    return {"count": rows.count(), "items": [organisation_item(org) for org in page]}


@router.get(
    "/{organisation_id}",
    response={200: OrganisationOut, **responses(401, 404)},
    url_name="organisation",
)
def get_organisation(request: HttpRequest, organisation_id: int) -> dict[str, Any]:
    """One organisation with counts over its whole subtree. Outside the user's scope: 404."""
    user = user_of(request)
    org = get_object_or_404(visible_organisations(user), pk=organisation_id)
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
    }
