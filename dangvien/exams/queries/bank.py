"""Reads of the question bank: the filtered list, the topic × difficulty counts a
blueprint is built from, a question's versions, and whose keys a user may see.

Scope comes from ``exams.queries.access``: a user sees the banks of their subtree and the
banks shared down to it; keys and rubrics only where ``can_see_key`` says so.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from dangvien.core.text import fold, is_number
from dangvien.exams.models import (
    Difficulty,
    PaperItem,
    Question,
    QuestionVersion,
    Topic,
)
from dangvien.exams.queries import access
from dangvien.organisations.models import Kind, Organisation
from dangvien.organisations.queries import units_managed_by, visible_organisations

# Kinds that keep a bank: committees and grassroots organisations, not a plain chi bộ.
BANK_KINDS = (
    Kind.PROVINCE,
    Kind.BLOC,
    Kind.DISTRICT,
    Kind.COMMUNE,
    Kind.GRASSROOTS_COMMITTEE,
    Kind.GRASSROOTS_BRANCH,
)


@dataclass(frozen=True)
class BankFilters:
    """The list's filters; empty values filter nothing."""

    topic: Topic | None = None
    difficulty: int | None = None
    type: str = ""
    tag: str = ""
    owner: Organisation | None = None
    active: bool | None = True
    q: str = ""


def bank_rows(user: Any) -> QuerySet[Question]:
    """The questions the user sees, with what a list row shows, newest first."""
    return (
        access.visible_questions(user)
        .select_related("current", "topic", "owner")
        .order_by("-created_at", "-pk")
    )


def matching_text(rows: QuerySet[Question], q: str) -> QuerySet[Question]:
    """Rows whose current wording, options or tags hold ``q``, ignoring case and
    Vietnamese diacritics ("dieu le" finds "Điều lệ").

    Nothing is stored for it: the folding runs in Python over the (id, text) pairs of the
    rows already filtered, which a bank of a few thousand questions affords. A number
    also finds the question with that id.
    """
    needle = fold(q)
    if not needle:
        return rows
    hits = [
        pk
        for pk, text, options, tags in rows.values_list(
            "pk", "current__text", "current__options", "tags"
        )
        if needle
        in fold(
            " ".join([text or "", *(str(o.get("text", "")) for o in options or []), *(tags or [])])
        )
    ]
    condition = Q(pk__in=hits)
    if is_number(q.strip()):
        condition |= Q(pk=int(q.strip()))
    return rows.filter(condition)


def filter_questions(rows: QuerySet[Question], filters: BankFilters) -> QuerySet[Question]:
    if filters.topic is not None:
        rows = rows.filter(topic=filters.topic)
    if filters.difficulty:
        rows = rows.filter(difficulty=filters.difficulty)
    if filters.type:
        rows = rows.filter(type=filters.type)
    if filters.owner is not None:
        rows = rows.filter(org_path__startswith=filters.owner.path)
    if filters.active is not None:
        rows = rows.filter(active=filters.active)
    if filters.tag:
        wanted = filters.tag.casefold()
        ids = [
            pk
            for pk, tags in rows.values_list("pk", "tags")
            if any(str(t).casefold() == wanted for t in tags or [])
        ]
        rows = rows.filter(pk__in=ids)
    if filters.q:
        rows = matching_text(rows, filters.q)
    return rows


@dataclass(frozen=True)
class CountRow:
    topic: Topic
    by_difficulty: list[int]  # in ``Difficulty`` order
    total: int


def counts_by_topic(rows: QuerySet[Question]) -> tuple[list[CountRow], list[int], int]:
    """Questions per topic × difficulty (one query): what a blueprint can draw from.

    Answers the rows (every topic, zeros included), the totals per difficulty and the
    grand total.
    """
    found = {
        (r["topic"], r["difficulty"]): r["n"]
        for r in rows.order_by().values("topic", "difficulty").annotate(n=Count("pk"))
    }
    levels = list(Difficulty.values)
    table = []
    for topic in Topic.objects.all():
        cells = [found.get((topic.pk, level), 0) for level in levels]
        table.append(CountRow(topic, cells, sum(cells)))
    totals = [sum(r.by_difficulty[i] for r in table) for i in range(len(levels))]
    return table, totals, sum(totals)


def all_tags(rows: QuerySet[Question]) -> list[str]:
    """The tags in use among ``rows``, sorted, for the filter's list."""
    seen: dict[str, str] = {}
    for tags in rows.order_by().values_list("tags", flat=True):
        for tag in tags or []:
            seen.setdefault(str(tag).casefold(), str(tag))
    return sorted(seen.values(), key=fold)


def owners_in_view(user: Any) -> QuerySet[Organisation]:
    """The organisations whose banks the user sees questions of."""
    owner_ids = access.visible_questions(user).order_by().values("owner")
    return Organisation.objects.filter(pk__in=owner_ids).order_by("depth", "sort_key")


def may_keep_a_bank(user: Any) -> bool:
    """Whether the user manages any bank (cheap: their role nodes only, no tree walk)."""
    return any(access.can_manage(user, org) for org in units_managed_by(user))


def bank_owners(user: Any) -> list[Organisation]:
    """The banks the user may add questions to: committees in their scope they manage."""
    rows = visible_organisations(user).filter(kind__in=BANK_KINDS).order_by("depth", "sort_key")
    return [org for org in rows if access.can_manage(user, org)]


def key_visible_ids(user: Any, questions: list[Question]) -> set[int]:
    """The ids among ``questions`` whose key and rubric the user may see, in two queries
    at most (``access.can_see_key`` for a whole list)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    ids = {q.pk for q in questions if access.can_manage(user, q.owner)}
    rest = [q.pk for q in questions if q.pk not in ids]
    if rest:
        ids |= set(
            Question.objects.filter(
                pk__in=rest,
                versions__paper_items__paper__round__board__user=user,
            ).values_list("pk", flat=True)
        )
    return ids


def versions_of(question: Question) -> QuerySet[QuestionVersion]:
    """The question's versions, newest first, each with how many papers carry it."""
    return (
        QuestionVersion.objects.filter(question=question)
        .annotate(
            papers=Count("paper_items__paper", distinct=True),
            used=Exists(PaperItem.objects.filter(version=OuterRef("pk"))),
        )
        .select_related("created_by")
        .order_by("-number")
    )


def rounds_using(question: Question) -> list[dict[str, Any]]:
    """The rounds whose papers carry a version of the question (name, date, versions)."""
    rows = (
        PaperItem.objects.filter(version__question=question)
        .values("paper__round", "paper__round__name", "paper__round__held_on", "version__number")
        .distinct()
        .order_by("-paper__round__held_on")
    )
    rounds: dict[int, dict[str, Any]] = {}
    for row in rows:
        entry = rounds.setdefault(
            row["paper__round"],
            {
                "id": row["paper__round"],
                "name": row["paper__round__name"],
                "held_on": row["paper__round__held_on"],
                "versions": set(),
            },
        )
        entry["versions"].add(row["version__number"])
    return [{**r, "versions": sorted(r["versions"])} for r in rounds.values()]
