"""Rating results of a node (reviews.queries.results.rating_results): exact counts, checked
against a plain count over every row of a small tree."""

import random
from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangvien.factories import make_member
from dangvien.members.models import Exemption, ExemptionReason, Member, Status
from dangvien.organisations.models import Organisation
from dangvien.reviews.models import (
    RATING_ORDER,
    MemberReview,
    OrganisationReview,
    PeriodKind,
    Rating,
    ReviewPeriod,
    Stage,
)
from dangvien.reviews.queries.results import (
    RatingResults,
    YearCounts,
    rating_results,
    share_change,
)
from dangvien.reviews.tests.factories import make_period, make_review

Tree = dict[str, Organisation]
TODAY = date(2026, 5, 31)
DECIDED = (Stage.DECIDED, Stage.PUBLISHED)
BRANCHES = ("village", "school_branch", "clinic", "other_branch")


pytestmark = pytest.mark.usefixtures("frozen_today")  # TODAY above (conftest.py)


# ---- a random small tree ---------------------------------------------------------------


def _exempt(member: Member, from_on: date, until_on: date | None = None) -> None:
    Exemption.objects.create(
        member=member, reason=ExemptionReason.OLD_AGE, from_on=from_on, until_on=until_on
    )


def _org_review(period: ReviewPeriod, org: Organisation, stage: str, rating: str) -> None:
    OrganisationReview.objects.create(
        period=period,
        organisation=org,
        org_path=org.path,
        stage=stage,
        self_score=Decimal("80"),
        self_rating=rating,
        self_assessed_on=period.ends_on,
        decided_rating=rating if stage in DECIDED else "",
    )


@pytest.fixture
def random_tree(tree: Tree) -> Tree:
    """Three years of yearly periods (2024 and 2025 opened by the province, 2026 by one
    commune only), a quarterly period whose decided ratings must not count, members with
    reviews at every stage, exempted members (in force, ended, starting after the day
    read, left the party), and organisation reviews."""
    rng = random.Random(7)
    periods = [
        make_period(tree["province"], 2024),
        make_period(tree["province"], 2025),
        make_period(tree["commune"], 2026),
        make_period(
            tree["commune"],
            2026,
            kind=PeriodKind.QUARTERLY,
            quarter=1,
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 3, 31),
        ),
    ]
    exemptions = [
        None,
        None,
        None,
        (date(2025, 12, 1), None),  # in force on both days read
        (date(2026, 3, 1), None),  # 2026 only
        (date(2025, 2, 1), date(2025, 6, 30)),  # ended before the end of 2025
        (date(2026, 6, 15), None),  # after "today": not in force on 31/05/2026
        (date(2024, 1, 1), date(2026, 1, 31)),  # 2025 only
    ]
    stages: list[str | None] = [
        None,
        Stage.SELF_ASSESSED,
        Stage.BRANCH_PROPOSED,
        Stage.DECIDED,
        Stage.PUBLISHED,
    ]
    for i in range(70):
        branch = tree[rng.choice(BRANCHES)]
        fields: dict[str, Any] = {"branch": branch}
        if i % 17 == 5:  # left the party in 2025
            fields.update(status=Status.REMOVED, left_on=date(2025, 8, 1))
        if i % 23 == 3:  # admitted in 2026
            fields.update(
                status=Status.PROBATIONARY,
                admitted_on=date(2026, 2, 1),
                first_admitted_on=date(2026, 2, 1),
                probation_started_on=date(2026, 2, 20),
                official_on=None,
            )
        member = make_member(**fields)
        exemption = rng.choice(exemptions)
        if exemption:
            _exempt(member, *exemption)
        for period in periods:
            stage = rng.choice(stages)
            if stage is None:
                continue
            if period.organisation_id == tree["commune"].pk and branch == tree["other_branch"]:
                continue  # the commune's periods do not reach the other commune
            make_review(period, member, rating=rng.choice(RATING_ORDER), stage=stage)
    for period in periods:
        for key in ("commune", "village", "school", "school_branch", "clinic", "other_branch"):
            if rng.random() < 0.8:
                _org_review(
                    period, tree[key], rng.choice(stages[1:]) or "", rng.choice(RATING_ORDER)
                )
    return tree


# ---- the plain count -------------------------------------------------------------------


def _under(path: str, node: Organisation) -> bool:
    return path.startswith(node.path)


def _member_on(member: Member, day: date) -> bool:
    started = member.probation_started_on or member.admitted_on
    return bool(started and started <= day and (member.left_on is None or member.left_on > day))


def plain_members(node: Organisation, year: int) -> YearCounts:
    """Every review and member looked at one by one."""
    counts = YearCounts(year)
    decided_members = set()
    for review in MemberReview.objects.select_related("period"):
        if review.period.kind != PeriodKind.YEARLY or review.period.year != year:
            continue
        if review.stage in DECIDED:
            decided_members.add(review.member_id)
        if not _under(review.org_path, node):
            continue
        if review.stage in DECIDED:
            counts.ratings[review.decided_rating] = counts.ratings.get(review.decided_rating, 0) + 1
        else:
            counts.pending += 1
    day = min(date(year, 12, 31), TODAY)
    period_paths = [
        p.org_path for p in ReviewPeriod.objects.filter(kind=PeriodKind.YEARLY, year=year)
    ]
    for member in Member.objects.all():
        if not _under(member.org_path, node) or not _member_on(member, day):
            continue
        if member.pk in decided_members:
            continue
        if not any(member.org_path.startswith(p) for p in period_paths):
            continue
        if any(
            e.from_on <= day and (e.until_on is None or e.until_on >= day)
            for e in member.exemptions.all()
        ):
            counts.not_rated += 1
    return counts


def plain_organisations(node: Organisation, year: int, kinds: set[str] | None = None) -> YearCounts:
    counts = YearCounts(year)
    for review in OrganisationReview.objects.select_related("period", "organisation"):
        if review.period.kind != PeriodKind.YEARLY or review.period.year != year:
            continue
        if not _under(review.org_path, node) or review.organisation_id == node.pk:
            continue
        if kinds is not None and review.organisation.kind not in kinds:
            continue
        if review.stage in DECIDED:
            counts.ratings[review.decided_rating] = counts.ratings.get(review.decided_rating, 0) + 1
        else:
            counts.pending += 1
    return counts


def as_tuple(counts: YearCounts) -> tuple[Any, ...]:
    return (
        counts.year,
        {r: n for r, n in counts.ratings.items() if n},
        counts.pending,
        counts.not_rated,
    )


def direct_members(node: Organisation, year: int) -> YearCounts:
    """The members reviewed at the node itself (a chi bộ cơ sở's own)."""
    counts = plain_members(node, year)
    for child in Organisation.objects.filter(parent=node):
        below = plain_members(child, year)
        for rating, n in below.ratings.items():
            counts.ratings[rating] -= n
        counts.pending -= below.pending
        counts.not_rated -= below.not_rated
    return counts


# ---- the tests -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key", ["province", "commune", "school", "clinic", "village", "other_commune"]
)
@pytest.mark.parametrize("year", [2026, 2025])
def test_rating_results_match_a_plain_count_of_every_row(
    random_tree: Tree, key: str, year: int
) -> None:
    node = random_tree[key]
    result = rating_results(node, year)
    for got, y in ((result.members.this_year, year), (result.members.last_year, year - 1)):
        assert as_tuple(got) == as_tuple(plain_members(node, y))
    for got, y in (
        (result.organisations.this_year, year),
        (result.organisations.last_year, year - 1),
    ):
        assert as_tuple(got) == as_tuple(plain_organisations(node, y))
    for child in result.children:
        if child.direct:
            expected = direct_members(node, year)
        else:
            expected = plain_members(child.organisation, year)
        assert as_tuple(child.members.this_year) == as_tuple(expected), child.label
        if not child.direct:
            expected_orgs = plain_organisations(child.organisation, year)
            # The child's row counts the child itself too.
            own = OrganisationReview.objects.filter(
                organisation=child.organisation,
                period__kind=PeriodKind.YEARLY,
                period__year=year,
            ).first()
            if own is not None:
                if own.stage in DECIDED:
                    expected_orgs.ratings[own.decided_rating] = (
                        expected_orgs.ratings.get(own.decided_rating, 0) + 1
                    )
                else:
                    expected_orgs.pending += 1
            assert as_tuple(child.organisations.this_year) == as_tuple(expected_orgs)


def test_the_plain_count_finds_every_kind_of_row_the_results_must_handle(
    random_tree: Tree,
) -> None:
    """The random tree is not trivial: ratings, undecided reviews, exempted members not
    rated and exempted members rated all occur."""
    province = random_tree["province"]
    now, last = plain_members(province, 2026), plain_members(province, 2025)
    assert now.rated and last.rated and now.pending and last.pending
    assert now.not_rated and last.not_rated
    quarterly_decided = MemberReview.objects.filter(
        period__kind=PeriodKind.QUARTERLY, stage__in=DECIDED
    )
    assert quarterly_decided.exists()
    assert rating_results(province, 2026).members.this_year.rated == now.rated


def test_the_children_add_up_to_the_node(random_tree: Tree) -> None:
    result = rating_results(random_tree["province"], 2026)
    total: Counter[str] = Counter()
    for child in result.children:
        total.update(child.members.this_year.ratings)
    assert {r: n for r, n in total.items() if n} == {
        r: n for r, n in result.members.this_year.ratings.items() if n
    }


def test_undecided_reviews_and_quarterly_ratings_are_not_counted(tree: Tree) -> None:
    yearly = make_period(tree["commune"], 2026)
    quarterly = make_period(
        tree["commune"],
        2026,
        kind=PeriodKind.QUARTERLY,
        quarter=1,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 3, 31),
    )
    decided = make_member(branch=tree["village"])
    make_review(yearly, decided, Rating.GOOD, Stage.DECIDED)
    make_review(quarterly, decided, Rating.EXCELLENT, Stage.DECIDED)
    make_review(
        yearly, make_member(branch=tree["village"]), Rating.EXCELLENT, Stage.BRANCH_PROPOSED
    )
    make_review(yearly, make_member(branch=tree["village"]), Rating.FAILED, Stage.SELF_ASSESSED)
    result = rating_results(tree["commune"], 2026)
    assert result.members.this_year.ratings == {Rating.GOOD: 1}
    assert result.members.this_year.pending == 2


def test_an_exempted_member_is_counted_not_rated_only_where_a_period_covers_them(
    tree: Tree,
) -> None:
    make_period(tree["commune"], 2026)
    make_member(branch=tree["village"], exempted_since=date(2026, 1, 10))
    make_member(branch=tree["other_branch"], exempted_since=date(2026, 1, 10))
    province = rating_results(tree["province"], 2026)
    assert province.members.this_year.not_rated == 1
    assert province.exempted_on == TODAY
    assert province.last_exempted_on == date(2025, 12, 31)
    assert [p.organisation for p in province.periods] == [tree["commune"]]


def test_a_member_rated_before_being_exempted_is_counted_once(tree: Tree) -> None:
    period = make_period(tree["commune"], 2025)
    member = make_member(branch=tree["village"], exempted_since=date(2025, 12, 10))
    make_review(period, member, Rating.COMPLETE, Stage.PUBLISHED)
    result = rating_results(tree["commune"], 2026)
    assert result.members.last_year.ratings == {Rating.COMPLETE: 1}
    assert result.members.last_year.not_rated == 0


def test_shares_and_the_change_from_last_year_are_side_by_side(tree: Tree) -> None:
    """3 excellent of 10 this year (30,0%) after 1 of 4 last year (25,0%): +2, +5,0 points."""
    last, now = make_period(tree["province"], 2025), make_period(tree["province"], 2026)
    ratings_now = [Rating.EXCELLENT] * 3 + [Rating.GOOD] * 6 + [Rating.FAILED]
    ratings_last = [Rating.EXCELLENT, Rating.GOOD, Rating.GOOD, Rating.COMPLETE]
    for period, ratings in ((now, ratings_now), (last, ratings_last)):
        for rating in ratings:
            make_review(period, make_member(branch=tree["village"]), rating, Stage.DECIDED)
    lines = {line.rating: line for line in rating_results(tree["commune"], 2026).members.lines()}
    excellent = lines[Rating.EXCELLENT]
    assert (excellent.count, excellent.share, excellent.last_count, excellent.last_share) == (
        3,
        30.0,
        1,
        25.0,
    )
    assert (excellent.change, excellent.share_change) == (2, 5.0)
    good = lines[Rating.GOOD]
    assert (good.share, good.last_share, good.share_change) == (60.0, 50.0, 10.0)
    assert (lines[Rating.COMPLETE].change, lines[Rating.COMPLETE].share_change) == (-1, -25.0)
    assert lines[Rating.FAILED].last_share == 0.0


def test_the_change_of_a_share_is_worked_out_from_the_exact_fractions() -> None:
    # 1/3 = 33,333…% and 1/6 = 16,666…%: 16,7 points, not 33,3 − 16,7 = 16,6.
    assert share_change(1, 3, 1, 6) == 16.7
    assert share_change(1, 3, 0, 0) is None


def test_organisations_are_grouped_by_kind_and_the_node_itself_is_left_out(tree: Tree) -> None:
    period = make_period(tree["province"], 2026)
    for key, rating in (
        ("commune", Rating.EXCELLENT),
        ("school", Rating.GOOD),
        ("clinic", Rating.GOOD),
        ("village", Rating.COMPLETE),
        ("school_branch", Rating.FAILED),
    ):
        _org_review(period, tree[key], Stage.DECIDED, rating)
    result: RatingResults = rating_results(tree["commune"], 2026)
    assert result.organisations.this_year.ratings == {
        Rating.GOOD: 2,
        Rating.COMPLETE: 1,
        Rating.FAILED: 1,
    }
    groups = {key: r.this_year.ratings for key, _label, r in result.organisation_groups}
    assert groups == {
        "grassroots": {Rating.GOOD: 2},
        "branches": {Rating.COMPLETE: 1, Rating.FAILED: 1},
    }
    by_child = {c.organisation.pk: c.organisations.this_year.rated for c in result.children}
    assert by_child[tree["school"].pk] == 2  # the school and its branch
    province = rating_results(tree["province"], 2026)
    assert province.organisations.this_year.rated == 5
    assert {k for k, _l, _r in province.organisation_groups} == {
        "grassroots",
        "branches",
        "superior",
    }


def test_the_query_count_does_not_grow_with_the_rows(tree: Tree) -> None:
    period = make_period(tree["province"], 2026)
    make_period(tree["province"], 2025)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            rating_results(tree["province"], 2026)
        return len(captured.captured_queries)

    before = queries()
    for key in BRANCHES:
        for rating in RATING_ORDER:
            member = make_member(branch=tree[key], exempted_since=date(2026, 1, 1))
            make_review(period, member, rating, Stage.DECIDED)
            make_review(period, make_member(branch=tree[key]), rating, Stage.BRANCH_PROPOSED)
    for key in ("commune", "school", "village"):
        _org_review(period, tree[key], Stage.DECIDED, Rating.GOOD)
    assert queries() == before <= 6


def test_a_year_without_any_period_has_nothing_rated_and_nobody_left_out(tree: Tree) -> None:
    make_member(branch=tree["village"], exempted_since=date(2020, 1, 1))
    result = rating_results(tree["province"], 2026)
    assert result.members.this_year.rated == 0
    assert result.members.this_year.not_rated == 0
    assert result.periods == []
    lines = result.members.lines()
    assert [line.share for line in lines] == [None] * 4
