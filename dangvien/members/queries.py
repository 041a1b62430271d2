"""Reads of member records."""

from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet

from dangvien.core.text import fold
from dangvien.members.models import ACTIVE_STATUSES, Member, Status
from dangvien.organisations.models import Organisation
from dangvien.organisations.queries import child_bucket, in_scope

if TYPE_CHECKING:
    from dangvien.accounts.models import User


def visible_members(user: "User") -> QuerySet[Member]:
    return (
        Member.objects.filter(in_scope(user, "org_path"))
        .select_related("person", "branch")
        .order_by("person__sort_key", "pk")
    )


def filter_members(
    rows: QuerySet[Member],
    *,
    q: str = "",
    status: str = "",
    organisation: Organisation | None = None,
) -> QuerySet[Member]:
    if q:
        rows = rows.filter(person__search_text__contains=fold(q))
    if status:
        rows = rows.filter(status=status)
    if organisation is not None:
        rows = rows.filter(org_path__startswith=organisation.path)
    return rows


def official_members(branch: Organisation, on: date) -> QuerySet[Member]:
    """Official members of the branch on ``on`` (recognised later ones do not count yet)."""
    return Member.objects.filter(branch=branch, status=Status.OFFICIAL).exclude(official_on__gt=on)


def vote_denominator(branch: Organisation, *, on: date, exempted_present: int = 0) -> int:
    """Who counts when a chi bộ votes (294-QĐ/TW §9.3.2 [R]; DOMAIN.md §2).

    All official members of the branch, minus those on temporary transfer to another
    organisation, minus exempted members who are absent. An exempted member who attends
    counts; absent non-exempted members still count; probationary members never count.
    """
    counts = official_members(branch, on).aggregate(
        total=Count("pk"),
        away=Count("pk", filter=Q(temporarily_away_since__lte=on)),
        exempted=Count(
            "pk",
            filter=Q(exempted_since__lte=on) & ~Q(temporarily_away_since__lte=on),
        ),
    )
    present = min(max(exempted_present, 0), counts["exempted"])
    return counts["total"] - counts["away"] - (counts["exempted"] - present)


def exempted_count(branch: Organisation, on: date) -> int:
    return (
        official_members(branch, on)
        .filter(exempted_since__lte=on)
        .exclude(temporarily_away_since__lte=on)
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
