"""Members failing their yearly rating several years running: a ground for removal
(xóa tên) the chi ủy must consider (Charter Art. 8; 24/294-QĐ/TW §8.1 [C]: "2 năm liền
không hoàn thành nhiệm vụ"; ``review.failed_years_for_removal``). Nothing changes by
itself: the member shows in the secretary's removal to-do until a removal proceeding is
opened."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet

from dangvien.members.models import (
    ACTIVE_STATUSES,
    Member,
    Proceeding,
    ProceedingKind,
    Step,
    Transfer,
    TransferKind,
    TransferState,
)
from dangvien.organisations.models import Organisation
from dangvien.organisations.queries import under
from dangvien.reviews.models import MemberReview, PeriodKind, Rating, Stage
from dangvien.reviews.rating import thresholds_for
from dangvien.rowsecurity.scope import unrestricted

DONE = (Stage.DECIDED, Stage.PUBLISHED)
OPEN_STEPS = (Step.OPEN, Step.BRANCH_PROPOSED, Step.GRASSROOTS_ENDORSED)


@dataclass(frozen=True)
class FailedRunning:
    """A member whose decided yearly ratings were "failed" in each of ``years`` (running,
    oldest first, the last one this year or last year)."""

    member: Member
    years: list[int]


@dataclass(frozen=True)
class FailedList:
    """The first members of the list (all of them without a limit), and how many in all."""

    rows: list[FailedRunning]
    total: int


def _runs(
    rows: list[tuple[int, int, str, date | None]], on: date
) -> dict[int, tuple[list[int], date | None]]:
    """Per member: the consecutive failed years ending at their latest decided yearly
    rating up to ``on.year`` (empty when that rating is not "failed"), and the date the
    latest one was decided. A year counts as failed only if all its decided yearly
    ratings are."""
    ratings: dict[int, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    decided: dict[int, dict[int, date | None]] = defaultdict(dict)
    for member_id, year, rating, decided_on in rows:
        if year <= on.year:
            ratings[member_id][year].add(rating)
            decided[member_id][year] = max(
                filter(None, [decided[member_id].get(year), decided_on]), default=None
            )
    runs: dict[int, tuple[list[int], date | None]] = {}
    for member_id, years in ratings.items():
        latest = max(years)
        run: list[int] = []
        year = latest
        while years.get(year) == {Rating.FAILED}:
            run.append(year)
            year -= 1
        runs[member_id] = (sorted(run), decided[member_id].get(latest))
    return runs


def _history(member_ids: object, on: date) -> list[tuple[int, int, str, date | None]]:
    return list(
        MemberReview.objects.filter(
            member_id__in=member_ids,
            period__kind=PeriodKind.YEARLY,
            period__year__lte=on.year,
            stage__in=DONE,
        ).values_list("member_id", "period__year", "decided_rating", "decided_on")
    )


def failed_years(member: Member, on: date) -> list[int]:
    """The consecutive years, oldest first, whose decided yearly rating was "failed",
    ending at the member's latest decided yearly rating up to ``on.year`` ([] when that
    rating is not "failed"); one query. For the removal ground check (Charter Art. 8)."""
    run, _decided = _runs(_history([member.pk], on), on).get(member.pk, ([], None))
    return run


def failed_running(
    rows: QuerySet[Member], on: date, *, paths: Sequence[str] | None = None
) -> list[FailedRunning]:
    """Every member of ``failed_running_first``'s list (see there)."""
    return failed_running_first(rows, on, paths=paths).rows


def failed_running_first(
    rows: QuerySet[Member],
    on: date,
    *,
    paths: Sequence[str] | None = None,
    limit: int | None = None,
) -> FailedList:
    """Active members of ``rows`` whose latest ``review.failed_years_for_removal`` (2)
    decided yearly ratings, up to this year or last year, are "failed" in consecutive
    years (Charter Art. 8; 24/294-QĐ/TW §8.1 [C]), sorted by name.

    Left out: members with a removal proceeding open, or one opened (whatever its end)
    since the latest failed rating was decided: the ground is being or was dealt with.
    Built for a whole scope's to-do: seven queries whatever its size (candidates, their
    yearly ratings, the members' ids and branches, the branches, rule parameters, the
    removal proceedings of those the rule keeps, the members shown; with ``paths``, one
    more for the members who came in). ``limit``: read in full only the first ones by
    name; ``total`` still counts them all.

    ``paths``: where ``rows`` lie (the user's scope, or the node the list is filtered to).
    The failed ratings are then found from their side: those given by a branch under
    ``paths`` (``MemberReview.org_path``, a partial index of the few "failed" rows), and
    those of members who came in by a transfer (``Transfer.to_path``: a member's branch
    changes only by a permanent transfer received, and a subtree moved carries its ratings'
    paths along, ``organisations.actions.path_copies``). Without ``paths`` every member of
    ``rows`` is looked up: a province has 350,000 of them, which took 2–4 s on the
    6-million nation (issue 9) against 10–30 ms from the ratings' side.
    """
    open_removal = Proceeding.objects.filter(
        member=OuterRef("member_id"), kind=ProceedingKind.REMOVAL, step__in=OPEN_STEPS
    )
    failed = (
        MemberReview.objects.filter(
            period__kind=PeriodKind.YEARLY,
            period__year__in=[on.year - 1, on.year],
            stage__in=DONE,
            decided_rating=Rating.FAILED,
        )
        .exclude(Exists(open_removal))
        .order_by()  # the model's order would join the DISTINCT: one row per review, sorted
        .values_list("member_id", flat=True)
        .distinct()
    )
    if paths is None:
        candidates = list(failed.filter(member__in=rows.filter(status__in=ACTIVE_STATUSES)))
    else:
        if not paths:
            return FailedList([], 0)
        given_here = under(paths, "org_path")
        # From outside ``paths`` only (a move inside them left the rating under them); still
        # open, or received since the ratings looked at could have been given (a year's
        # margin). Read without the row-level security check, like the transfer register
        # (``members.queries.transfers.scope_transfers``): only member ids come back, and
        # they only narrow ``rows``, which are read under it. Through the check, a
        # province's 32,000 transfers took 0.5–0.8 s.
        with unrestricted(rows.db):
            came_in = list(
                Transfer.objects.filter(under(paths, "to_path"))
                .filter(
                    Q(state=TransferState.IN_FLIGHT)
                    | Q(state=TransferState.RECEIVED, kind=TransferKind.TEMPORARY)
                    | Q(received_on__gte=date(on.year - 2, 1, 1))
                )
                .exclude(under(paths, "from_branch__path"))
                .order_by()
                .values_list("member_id", flat=True)
                .distinct()
            )
        given = set(failed.filter(given_here))
        if came_in:
            # Their ratings by member (``review_member_idx``), "failed" picked out here:
            # with that condition in the query, PostgreSQL chose the partial index of the
            # whole country's failed ratings instead (75 ms for a commune, against 3 ms).
            given.update(
                member_id
                for member_id, stage, rating in MemberReview.objects.filter(
                    member_id__in=came_in,
                    period__kind=PeriodKind.YEARLY,
                    period__year__in=[on.year - 1, on.year],
                )
                .exclude(Exists(open_removal))
                .values_list("member_id", "stage", "decided_rating")
                if stage in DONE and rating == Rating.FAILED
            )
        candidates = list(
            rows.filter(pk__in=given, status__in=ACTIVE_STATUSES).values_list("pk", flat=True)
        )
    if not candidates:
        return FailedList([], 0)
    runs = {
        member_id: run
        for member_id, run in _runs(_history(candidates, on), on).items()
        if run[0] and run[0][-1] >= on.year - 1
    }
    if not runs:
        return FailedList([], 0)
    # The rule, then the proceedings, decide from ids and branches; only the members shown
    # are read in full. A province's 6,800 runs (most of one year) come down to 150 by
    # the rule before their proceedings are read.
    ordered = list(
        Member.objects.filter(pk__in=list(runs))
        .order_by("person__sort_key", "pk")
        .values_list("pk", "branch_id")
    )
    branches = Organisation.objects.in_bulk({branch_id for _pk, branch_id in ordered})
    rules = thresholds_for(branches.values(), on=on)
    long_enough = [
        member_id
        for member_id, branch_id in ordered
        if len(runs[member_id][0]) >= rules[branch_id].failed_years_for_removal
    ]
    since: dict[int, date] = {}
    for member_id, opened_on in Proceeding.objects.filter(
        member_id__in=long_enough, kind=ProceedingKind.REMOVAL
    ).values_list("member_id", "opened_on"):
        since[member_id] = max(opened_on, since.get(member_id, opened_on))
    kept = []
    for member_id in long_enough:
        decided_on = runs[member_id][1]
        opened = since.get(member_id)
        if opened is not None and decided_on is not None and opened >= decided_on:
            continue
        kept.append(member_id)
    shown = kept if limit is None else kept[:limit]
    members = Member.objects.select_related("person", "branch").in_bulk(shown)
    return FailedList([FailedRunning(members[pk], runs[pk][0]) for pk in shown], len(kept))
