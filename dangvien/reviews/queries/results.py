"""Rating results of a node for a year (issue 7 "Results per node: counts and shares per
rating, compared with last year, exportable"; 366-QĐ/TW; DOMAIN.md §4).

What is counted, for a node and a year Y (and the same for Y − 1):

- **Members rated**: the DECIDED ratings (stage ``decided`` or ``published``) of the
  YEARLY periods of year Y, for the reviews made in a chi bộ under the node
  (``MemberReview.org_path``: the branch that reviewed the member, where they were then).
  Whoever opened the period (the node, a committee above it or one below it) does not
  matter: a member is reviewed once a year (``reviews.actions.open_period`` refuses a
  second yearly period over the same members). Reviews not decided yet (self-assessed,
  proposed by the chi bộ) are not ratings: they are shown apart as "awaiting a decision".
  Shares are of the members rated (one decimal, ``stats.formatting.percent``).
- **Not rated (exempted)**: members exempted from party work and meetings are not rated
  (366-QĐ/TW [U]; DOMAIN.md §4): the members under the node (their branch now) who were
  members on the last day of the year (today for the current year) with an exemption in
  force that day and no decided rating in the year, counted only where a yearly period
  of the year covers their branch (no period, no rating round to be left out of).
- **Organisations rated**: the decided ratings of the party organisations under the node
  (the node itself excluded: its own rating belongs to the committee above), in the same
  periods, split into grassroots organisations (đảng bộ cơ sở, chi bộ cơ sở), sub-committees
  and branches (đảng bộ bộ phận, chi bộ trực thuộc) and committees above grassroots level.

Per direct child too, in a fixed number of queries whatever the size: the periods (1),
the member reviews grouped by child, year and rating (1), the exempted members grouped by
branch (1), the organisation reviews grouped by child, year, kind and rating (1), the
children (1).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from dangvien.members.models import Exemption, Member
from dangvien.organisations.models import SEGMENT, Kind, Organisation
from dangvien.organisations.queries import child_bucket
from dangvien.reviews.models import (
    RATING_ORDER,
    MemberReview,
    OrganisationReview,
    PeriodKind,
    Rating,
    ReviewPeriod,
    Stage,
)
from dangvien.stats.formatting import percent
from dangvien.stats.queries.facts import member_on
from dangvien.stats.queries.structure import per_child

DECIDED_STAGES = (Stage.DECIDED, Stage.PUBLISHED)
DECIDED = Q(stage__in=DECIDED_STAGES) & ~Q(decided_rating="")

# The organisations' groups, as the yearly reports list them (kind → group).
ORG_GROUPS: tuple[tuple[str, str], ...] = (
    ("grassroots", "Tổ chức cơ sở đảng"),
    ("branches", "Đảng bộ bộ phận, chi bộ trực thuộc"),
    ("superior", "Đảng bộ cấp trên cơ sở"),
)
ORG_GROUP_OF: dict[str, str] = {
    Kind.GRASSROOTS_COMMITTEE: "grassroots",
    Kind.GRASSROOTS_BRANCH: "grassroots",
    Kind.SUB_COMMITTEE: "branches",
    Kind.BRANCH: "branches",
}


def rating_label(rating: str) -> str:
    return str(Rating(rating).label)


# ---- the result ------------------------------------------------------------------------


@dataclass
class YearCounts:
    """The ratings of one set (members or organisations) in one year: decided rating →
    number; ``pending``: reviews of the year not decided yet; ``not_rated``: exempted
    members (members only)."""

    year: int
    ratings: dict[str, int] = field(default_factory=dict)
    pending: int = 0
    not_rated: int = 0

    @property
    def rated(self) -> int:
        return sum(self.ratings.values())

    def count(self, rating: str) -> int:
        return self.ratings.get(rating, 0)

    def share(self, rating: str) -> float | None:
        """The rating's share of those rated, one decimal (None when nobody was rated)."""
        return percent(self.count(rating), self.rated)

    def add(self, other: "YearCounts") -> None:
        for rating, n in other.ratings.items():
            self.ratings[rating] = self.ratings.get(rating, 0) + n
        self.pending += other.pending
        self.not_rated += other.not_rated


def share_change(part: int, whole: int, last_part: int, last_whole: int) -> float | None:
    """The change of a share in percentage points, one decimal, from the exact fractions
    (not from the rounded shares): 3 of 10 after 1 of 4 → +5.0. None when either year has
    nobody rated."""
    if not whole or not last_whole:
        return None
    value = Decimal(part) * 100 / Decimal(whole) - Decimal(last_part) * 100 / Decimal(last_whole)
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class RatingLine:
    """One rating as a results table shows it: this year's number and share, last
    year's, and the change (number; share in percentage points)."""

    rating: str
    label: str
    count: int
    share: float | None
    last_count: int
    last_share: float | None
    change: int
    share_change: float | None


@dataclass
class Ratings:
    """One set's ratings this year and last year."""

    this_year: YearCounts
    last_year: YearCounts

    def lines(self) -> list[RatingLine]:
        now, last = self.this_year, self.last_year
        return [
            RatingLine(
                rating=rating,
                label=rating_label(rating),
                count=now.count(rating),
                share=now.share(rating),
                last_count=last.count(rating),
                last_share=last.share(rating),
                change=now.count(rating) - last.count(rating),
                share_change=share_change(
                    now.count(rating), now.rated, last.count(rating), last.rated
                ),
            )
            for rating in RATING_ORDER
        ]

    @property
    def rated_change(self) -> int:
        return self.this_year.rated - self.last_year.rated

    @property
    def not_rated_change(self) -> int:
        return self.this_year.not_rated - self.last_year.not_rated

    @property
    def empty(self) -> bool:
        """Nothing to show in either year."""
        return not any(
            (y.rated, y.pending, y.not_rated) != (0, 0, 0) for y in (self.this_year, self.last_year)
        )

    def add(self, other: "Ratings") -> None:
        self.this_year.add(other.this_year)
        self.last_year.add(other.last_year)


def _ratings(year: int) -> Ratings:
    return Ratings(YearCounts(year), YearCounts(year - 1))


@dataclass
class ChildRatings:
    """A direct child's figures (``direct``: members reviewed at the node itself, not under
    a child — a chi bộ cơ sở's own members)."""

    organisation: Organisation
    members: Ratings
    organisations: Ratings
    direct: bool = False

    @property
    def label(self) -> str:
        if self.direct:
            return f"{self.organisation.name} (trực thuộc trực tiếp)"
        return self.organisation.name


@dataclass
class RatingResults:
    organisation: Organisation
    year: int
    members: Ratings
    organisations: Ratings
    organisation_groups: list[tuple[str, str, Ratings]]  # (key, label, ratings), groups met
    children: list[ChildRatings]
    periods: list[ReviewPeriod]  # the yearly periods of the year over the node
    last_periods: list[ReviewPeriod]
    exempted_on: date  # the day "exempted" is read on, this year and last year
    last_exempted_on: date


# ---- the queries -----------------------------------------------------------------------


def exempted_day(year: int, today: date | None = None) -> date:
    """The day a year's exemptions are read on: the last day of the yearly period (31/12),
    or today while the year is not over."""
    today = today or timezone.localdate()
    return min(date(year, 12, 31), today)


def yearly_periods(org: Organisation, years: list[int]) -> list[ReviewPeriod]:
    """The yearly periods of ``years`` that reach members under ``org``: opened at the node,
    a committee above it (covering all of it), or one below it (covering part of it)."""
    prefixes = [org.path[:i] for i in range(SEGMENT, len(org.path) + 1, SEGMENT)]
    return list(
        ReviewPeriod.objects.filter(kind=PeriodKind.YEARLY, year__in=years)
        .filter(Q(org_path__in=prefixes) | Q(org_path__startswith=org.path))
        .select_related("organisation")
        .order_by("year", "org_path")
    )


def covered(path: str, period_paths: set[str]) -> bool:
    """Whether a branch path lies under one of the periods' nodes."""
    return any(path[:i] in period_paths for i in range(SEGMENT, len(path) + 1, SEGMENT))


def _exempted_not_rated(year: int, day: date) -> Q:
    """A member on ``day``, exempted that day, without a decided rating of ``year``."""
    exempted = Exemption.objects.filter(member=OuterRef("pk"), from_on__lte=day).filter(
        Q(until_on__isnull=True) | Q(until_on__gte=day)
    )
    rated = MemberReview.objects.filter(
        DECIDED, member=OuterRef("pk"), period__kind=PeriodKind.YEARLY, period__year=year
    )
    return member_on(day) & Q(Exists(exempted)) & ~Q(Exists(rated))


def rating_results(org: Organisation, year: int, today: date | None = None) -> RatingResults:
    """The rating results of ``org``'s subtree for ``year`` and the year before, per direct
    child too (see the module docstring)."""
    today = today or timezone.localdate()
    years = [year - 1, year]
    length = (org.depth + 2) * SEGMENT
    periods = yearly_periods(org, years)
    period_paths = {y: {p.org_path for p in periods if p.year == y} for y in years}
    days = {y: exempted_day(y, today) for y in years}

    members: dict[str, Ratings] = defaultdict(lambda: _ratings(year))
    organisations: dict[str, Ratings] = defaultdict(lambda: _ratings(year))
    groups: dict[str, Ratings] = defaultdict(lambda: _ratings(year))

    def counts(target: Ratings, y: int) -> YearCounts:
        return target.this_year if y == year else target.last_year

    # Member reviews: one grouped query over both years.
    under, bucket = child_bucket(org, "org_path")
    rows = (
        MemberReview.objects.filter(under, period__kind=PeriodKind.YEARLY, period__year__in=years)
        .annotate(_bucket=bucket)
        .values_list("_bucket", "period__year", "decided_rating")
        .annotate(
            decided=Count("pk", filter=DECIDED),
            pending=Count("pk", filter=~Q(stage__in=DECIDED_STAGES)),
        )
        .order_by()
    )
    for child, y, rating, decided, pending in rows:
        item = counts(members[child], y)
        if decided:
            item.ratings[rating] = item.ratings.get(rating, 0) + decided
        item.pending += pending

    # Exempted members not rated: grouped by branch, the years' coverage checked in Python.
    wanted = {y: _exempted_not_rated(y, days[y]) for y in years if period_paths[y]}
    if wanted:
        exempted_rows = (
            Member.objects.filter(org_path__startswith=org.path)
            .filter(
                Exists(
                    Exemption.objects.filter(member=OuterRef("pk"), from_on__lte=max(days.values()))
                )
            )
            .values("org_path")
            .annotate(**{f"y{y}": Count("pk", filter=q) for y, q in wanted.items()})
            .order_by()
        )
        for row in exempted_rows:
            for y in wanted:
                n = row[f"y{y}"]
                if n and covered(row["org_path"], period_paths[y]):
                    counts(members[row["org_path"][:length]], y).not_rated += n

    # Organisation reviews: grouped by child, year, kind and rating (the node excluded).
    org_rows = (
        OrganisationReview.objects.filter(
            under, period__kind=PeriodKind.YEARLY, period__year__in=years
        )
        .exclude(organisation_id=org.pk)
        .annotate(_bucket=bucket)
        .values_list("_bucket", "period__year", "organisation__kind", "decided_rating")
        .annotate(
            decided=Count("pk", filter=DECIDED),
            pending=Count("pk", filter=~Q(stage__in=DECIDED_STAGES)),
        )
        .order_by()
    )
    for child, y, kind, rating, decided, pending in org_rows:
        group = ORG_GROUP_OF.get(kind, "superior")
        for target in (counts(organisations[child], y), counts(groups[group], y)):
            if decided:
                target.ratings[rating] = target.ratings.get(rating, 0) + decided
            target.pending += pending

    total_members, total_orgs = _ratings(year), _ratings(year)
    for child_ratings in members.values():
        total_members.add(child_ratings)
    for child_ratings in organisations.values():
        total_orgs.add(child_ratings)

    def make(node: Organisation, own: bool) -> ChildRatings:
        return ChildRatings(
            node,
            members.get(node.path) or _ratings(year),
            organisations.get(node.path) or _ratings(year),
            direct=own,
        )

    own = org.path in members and not members[org.path].empty
    return RatingResults(
        organisation=org,
        year=year,
        members=total_members,
        organisations=total_orgs,
        organisation_groups=[
            (key, label, groups[key]) for key, label in ORG_GROUPS if key in groups
        ],
        children=per_child(org, make, own=own),
        periods=[p for p in periods if p.year == year],
        last_periods=[p for p in periods if p.year == year - 1],
        exempted_on=days[year],
        last_exempted_on=days[year - 1],
    )
