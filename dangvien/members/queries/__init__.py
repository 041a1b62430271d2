"""Reads of member records."""

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from dangvien.core.paging import AnyOf
from dangvien.core.templatetags.vn import so
from dangvien.core.text import fold
from dangvien.members.models import (
    ACTIVE_STATUSES,
    Exemption,
    Member,
    Status,
    Transfer,
    TransferKind,
    TransferState,
)
from dangvien.organisations.models import Organisation
from dangvien.organisations.queries import child_bucket, in_scope
from dangvien.people.queries import is_citizen_id, name_filter, search_filter

if TYPE_CHECKING:
    from dangvien.accounts.models import User


def open_transfers() -> QuerySet[Transfer]:
    """Transfers still open at the receiving end: in flight, or a temporary stay going on."""
    return Transfer.objects.filter(
        Q(state=TransferState.IN_FLIGHT)
        | Q(state=TransferState.RECEIVED, kind=TransferKind.TEMPORARY)
    )


# The lists' order: the person's name (``Member.sort_key``, a copy of
# ``Person.sort_key``: digits only, so the database and Python order them alike), then id.
NAME_ORDER = ("sort_key", "pk")


def visible_members(user: "User") -> QuerySet[Member]:
    """Members whose branch lies in the user's scope, and members with a transfer open
    towards it: a transfer in flight shows at both ends (294-QĐ/TW §6.3), and a member
    on a temporary stay is followed by the host.

    The members with an incoming transfer are read first (a few rows, one small query)
    and added by id: an ``OR EXISTS (…)`` on every member row would stop PostgreSQL from
    using the ``org_path`` prefix index, and a province's list would scan 6 million rows
    (issue 9, national scale). The row-level security policy of ``members_member`` lets
    the same incoming members through (``dv_members_coming``, docs/row-level-security.md)."""
    where = in_scope(user, "org_path")
    incoming = list(
        open_transfers().filter(in_scope(user, "to_path")).values_list("member_id", flat=True)
    )
    if incoming:
        where |= Q(pk__in=incoming)
    return (
        Member.objects.filter(where).select_related("person", "branch").order_by("sort_key", "pk")
    )


def member_search_filter(q: str) -> Q:
    """``people.queries.search_filter`` for members: the name is matched on the member's
    own copy of the folded name (``Member.search_text``), whose (search_text, org_path)
    index finds each matching name within a scope (``people.queries.name_filter``); a
    citizen ID still goes through the person's keyed index."""
    if is_citizen_id(q):
        return search_filter(q, via="person")
    return name_filter(fold(q), "search_text")


# At most this many members match a name search (any of them); a name common enough
# to match more within a scope is better narrowed with a unit or a status. [U]
NAME_SEARCH_LIMIT = 10_000


@dataclass(frozen=True)
class FoundMembers:
    """The rows of a filtered list, and whether a name search stopped at
    ``NAME_SEARCH_LIMIT`` matches (``capped``): the rows are then that many of the
    matches, not all of them, and the page and the API say so (``capped_notice``)."""

    rows: QuerySet[Member]
    capped: bool = False
    # A name search's matches in the list's order (name, then id), when the rows are in
    # that order: the list's count and pages are read from it (``core.paging.IdsFirst``).
    ids: list[int] | None = None


def capped_notice() -> str:
    """What the member list and the API say when a name search matched more than
    ``NAME_SEARCH_LIMIT`` members (issue 9: a search must not stop silently)."""
    limit = so(NAME_SEARCH_LIMIT)
    return (
        f"Có hơn {limit} đảng viên khớp với từ khóa tìm kiếm; danh sách chỉ gồm {limit} "
        "người trong số đó. Hãy thu hẹp tìm kiếm: gõ thêm họ tên, chọn trạng thái hoặc "
        "tổ chức."
    )


def find_members(
    rows: QuerySet[Member],
    *,
    q: str = "",
    status: str = "",
    organisation: Organisation | None = None,
) -> FoundMembers:
    """The rows filtered by status, unit and name (without diacritics) or citizen ID.

    A name search is answered in two steps: the ids of the matching members (the
    (org_path, search_text) index, no ordering), then the rows by id. In one statement
    PostgreSQL may instead walk the people in name order until it has a page of matches,
    which for a rare name in a province reads millions of rows (issue 9: 33 s measured
    on the 6-million nation, against 0.1 s in two steps). At most ``NAME_SEARCH_LIMIT``
    ids are taken; one more is read to tell whether there were more (``capped``). The
    first step also reads each match's sort key, so the matches are put in the list's
    order here (``ids``): the count and a page's ids need no further statement carrying
    ten thousand ids (issue 9)."""
    if status:
        rows = rows.filter(status=status)
    if organisation is not None:
        rows = rows.filter(org_path__startswith=organisation.path)
    if q and is_citizen_id(q):  # its keyed index finds one row (issue 9)
        return FoundMembers(rows.filter(member_search_filter(q)))
    if q:
        matching = rows.filter(member_search_filter(q)).order_by()  # no order: the index
        keys = list(matching.values_list("sort_key", "pk")[: NAME_SEARCH_LIMIT + 1])
        capped = len(keys) > NAME_SEARCH_LIMIT
        ids = [pk for _key, pk in sorted(keys[:NAME_SEARCH_LIMIT])]
        in_order = tuple(rows.query.order_by) == NAME_ORDER
        return FoundMembers(rows.filter(AnyOf("pk", ids)), capped, ids if in_order else None)
    return FoundMembers(rows)


def filter_members(
    rows: QuerySet[Member],
    *,
    q: str = "",
    status: str = "",
    organisation: Organisation | None = None,
) -> QuerySet[Member]:
    """``find_members`` without the word on a capped name search (for callers that
    filter by unit or status only)."""
    return find_members(rows, q=q, status=status, organisation=organisation).rows


def official_members(branch: Organisation, on: date) -> QuerySet[Member]:
    """Official members of the branch on ``on`` (recognised later ones do not count yet)."""
    return Member.objects.filter(branch=branch, status=Status.OFFICIAL).exclude(official_on__gt=on)


def _exempted_ids(on: date) -> QuerySet[Exemption]:
    return Exemption.objects.filter(from_on__lte=on).filter(
        Q(until_on__isnull=True) | Q(until_on__gte=on)
    )


def temporarily_away_ids(on: date) -> QuerySet[Transfer]:
    """Temporary transfers out in force on ``on``: the letter issued, not yet back, not
    cancelled (294-QĐ/TW §6.3.2)."""
    return (
        Transfer.objects.filter(kind=TransferKind.TEMPORARY, issued_on__lte=on)
        .exclude(state=TransferState.CANCELLED)
        .filter(Q(returned_on__isnull=True) | Q(returned_on__gt=on))
    )


def vote_denominator(branch: Organisation, *, on: date, exempted_present: int = 0) -> int:
    """Who counts when a chi bộ votes (294-QĐ/TW §9.3.2 [R]; DOMAIN.md §2).

    All official members of the branch, minus those on temporary transfer to another
    organisation, minus exempted members who are absent. An exempted member who attends
    counts; absent non-exempted members still count; probationary members never count.
    """
    officials = official_members(branch, on)
    away = Exists(temporarily_away_ids(on).filter(member=OuterRef("pk")))
    exempted = Exists(_exempted_ids(on).filter(member=OuterRef("pk")))
    counts = officials.annotate(is_away=away, is_exempted=exempted).aggregate(
        total=Count("pk"),
        away=Count("pk", filter=Q(is_away=True)),
        exempted=Count("pk", filter=Q(is_exempted=True, is_away=False)),
    )
    present = min(max(exempted_present, 0), counts["exempted"])
    return counts["total"] - counts["away"] - (counts["exempted"] - present)


def exempted_count(branch: Organisation, on: date) -> int:
    """Official members exempted on ``on`` and not away: those who may attend and count."""
    return (
        official_members(branch, on)
        .filter(Exists(_exempted_ids(on).filter(member=OuterRef("pk"))))
        .exclude(Exists(temporarily_away_ids(on).filter(member=OuterRef("pk"))))
        .count()
    )


def counts_by_child(org: Organisation) -> dict[str, dict[str, int]]:
    """Official and probationary members under each child of ``org``, in one query."""
    under, bucket = child_bucket(org)
    rows = (
        Member.objects.filter(under, status__in=ACTIVE_STATUSES)
        .annotate(child=bucket)
        .values("child")
        .annotate(
            official=Count("pk", filter=Q(status=Status.OFFICIAL)),
            probationary=Count("pk", filter=Q(status=Status.PROBATIONARY)),
        )
    )
    return {
        r["child"]: {"official": r["official"], "probationary": r["probationary"]} for r in rows
    }


def subtree_counts(org: Organisation) -> dict[str, int]:
    return Member.objects.filter(org_path__startswith=org.path).aggregate(
        official=Count("pk", filter=Q(status=Status.OFFICIAL)),
        probationary=Count("pk", filter=Q(status=Status.PROBATIONARY)),
    )


def with_situation(rows: QuerySet[Member], on: date) -> QuerySet[Member]:
    """Annotate ``exempted_since`` and ``away_since``: the open exemption and temporary
    transfer out on ``on`` (None when none), for lists and the member's page."""
    exemption = _exempted_ids(on).filter(member=OuterRef("pk")).order_by("-from_on")
    away = temporarily_away_ids(on).filter(member=OuterRef("pk")).order_by("-issued_on")
    return rows.annotate(
        exempted_since=Subquery(exemption.values("from_on")[:1]),
        away_since=Subquery(away.values("issued_on")[:1]),
    )


def deadlines(member: Member, today: date) -> list[dict[str, Any]]:
    """Every open deadline of the member, soonest first: ``{what, due_on, overdue}``."""
    from dangvien.members.queries import leaving, meetings, probation, records, transfers

    rows: list[dict[str, Any]] = []
    for area in (probation, leaving, transfers, records, meetings):
        rows.extend(area.deadlines(member, today))
    return sorted(rows, key=lambda d: d["due_on"])
