"""The registers of outgoing documents as the register page and the API list them
(sổ đăng ký văn bản đi; 36-HD/VPTW 2018 §II.1 [C])."""

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from dangvien.accounts.queries import can
from dangvien.documents.models import IssuedDocument
from dangvien.documents.queries.access import NUMBERING
from dangvien.organisations.models import Organisation
from dangvien.organisations.queries import in_scope, visible_organisations

if TYPE_CHECKING:
    from dangvien.accounts.models import User


def issued_documents(
    user: "User",
    *,
    organisation: Organisation | None = None,
    series: str = "",
    year: int | None = None,
) -> QuerySet[IssuedDocument]:
    """Numbers taken by the bodies the user sees, newest first; ``organisation`` keeps
    that body's register only (not its subtree: each body keeps its own register)."""
    rows = IssuedDocument.objects.filter(in_scope(user, "register__organisation__path"))
    if organisation is not None:
        rows = rows.filter(register__organisation=organisation)
    if series:
        rows = rows.filter(register__series=series.upper())
    if year is not None:
        rows = rows.filter(issued_on__year=year)
    return rows.select_related(
        "register__organisation", "candidate__person", "member__person", "by"
    ).order_by("-issued_on", "-register__term_from", "register__series", "-number", "-pk")


def registering_bodies(user: "User", *, limit: int = 500) -> list[Organisation]:
    """The bodies whose register the user may take numbers from (outside documents):
    nodes of the user's scope where a numbering capability applies, top first."""
    rows = visible_organisations(user).order_by("depth", "sort_key")[:limit]
    return [org for org in rows if any(can(user, c, org.path) for c in NUMBERING)]


def series_in_use(user: "User") -> list[str]:
    rows = (
        IssuedDocument.objects.filter(in_scope(user, "register__organisation__path"))
        .values_list("register__series", flat=True)
        .distinct()
        .order_by("register__series")
    )
    return list(rows)
