"""Members failing their yearly rating years running: the removal to-do (Charter Art. 8;
24/294-QĐ/TW §8.1 [C])."""

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangvien.accounts.models import Role
from dangvien.core.models import RuleParameter
from dangvien.factories import make_member, start_transfer, user_with_role
from dangvien.members.models import (
    Member,
    Proceeding,
    ProceedingKind,
    RemovalTrigger,
    Status,
    Step,
    TransferKind,
)
from dangvien.members.queries import visible_members
from dangvien.organisations.models import Organisation
from dangvien.reviews.models import PeriodKind, Rating, ReviewPeriod, Stage
from dangvien.reviews.queries.removal import failed_running, failed_running_first, failed_years
from dangvien.reviews.tests.factories import make_period, make_review

pytestmark = pytest.mark.django_db

ON = date(2026, 11, 23)


def rated(
    tree: dict[str, Organisation],
    member: Member,
    year: int,
    rating: str = Rating.FAILED,
    stage: str = Stage.DECIDED,
) -> None:
    period = ReviewPeriod.objects.filter(year=year, kind=PeriodKind.YEARLY).first()
    if period is None:
        period = make_period(tree["province"], year)
    make_review(
        period,
        member,
        rating,
        stage,
        "40" if rating == Rating.FAILED else "80",
        decided_on=date(year + 1, 1, 15) if stage != Stage.SELF_ASSESSED else None,
    )


def members(tree: dict[str, Organisation], n: int) -> list[Member]:
    return [make_member(branch=tree["village"]) for _ in range(n)]


def test_two_failed_years_running_up_to_last_year_or_this_year(
    tree: dict[str, Organisation],
) -> None:
    last, this, three, recovered, old, gap = members(tree, 6)
    rated(tree, last, 2024)
    rated(tree, last, 2025)
    rated(tree, this, 2025)
    rated(tree, this, 2026)
    for year in (2024, 2025, 2026):
        rated(tree, three, year)
    rated(tree, recovered, 2024)
    rated(tree, recovered, 2025)
    rated(tree, recovered, 2026, Rating.GOOD)
    rated(tree, old, 2023)
    rated(tree, old, 2024)  # nothing decided since: not running up to 2025 or 2026
    rated(tree, gap, 2024)
    rated(tree, gap, 2026)
    found = failed_running(Member.objects.all(), ON)
    by_member = {f.member.pk: f.years for f in found}
    assert by_member == {
        last.pk: [2024, 2025],
        this.pk: [2025, 2026],
        three.pk: [2024, 2025, 2026],
    }
    assert failed_years(recovered, ON) == []
    assert failed_years(old, ON) == [2023, 2024]
    assert failed_years(gap, ON) == [2026]
    assert failed_years(this, date(2025, 6, 1)) == [2025]


def test_only_decided_yearly_ratings_count(tree: dict[str, Organisation]) -> None:
    proposed, quarterly = members(tree, 2)
    rated(tree, proposed, 2025)
    rated(tree, proposed, 2026, stage=Stage.BRANCH_PROPOSED)
    rated(tree, quarterly, 2025)
    quarter = make_period(
        tree["province"],
        2026,
        kind=PeriodKind.QUARTERLY,
        quarter=1,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 3, 31),
    )
    make_review(quarter, quarterly, Rating.FAILED, Stage.DECIDED, "40")
    assert failed_running(Member.objects.all(), ON) == []
    assert failed_years(proposed, ON) == [2025]


def test_a_removal_proceeding_takes_the_member_off_the_to_do(
    tree: dict[str, Organisation],
) -> None:
    opened, closed_before, closed_after, left = members(tree, 4)
    for member in (opened, closed_before, closed_after, left):
        rated(tree, member, 2025)
        rated(tree, member, 2026)
    Proceeding.objects.create(
        member=opened,
        kind=ProceedingKind.REMOVAL,
        opened_on=date(2027, 1, 20),
        trigger=RemovalTrigger.FAILED_STANDARDS,
    )
    Proceeding.objects.create(
        member=closed_before,
        kind=ProceedingKind.REMOVAL,
        step=Step.CLOSED,
        opened_on=date(2026, 3, 1),
    )
    Proceeding.objects.create(
        member=closed_after,
        kind=ProceedingKind.REMOVAL,
        step=Step.CLOSED,
        opened_on=date(2027, 2, 1),
        outcome=False,
    )
    Member.objects.filter(pk=left.pk).update(status=Status.REMOVED)
    found = failed_running(Member.objects.all(), date(2027, 3, 1))
    assert [f.member for f in found] == [closed_before]


def test_the_number_of_years_is_a_rule_per_subtree(tree: dict[str, Organisation]) -> None:
    village, school = make_member(branch=tree["village"]), make_member(branch=tree["school_branch"])
    for member in (village, school):
        rated(tree, member, 2025)
        rated(tree, member, 2026)
    RuleParameter.objects.create(
        key="review.failed_years_for_removal",
        value=3,
        effective_from=date(2026, 1, 1),
        organisation=tree["school"],
        source="thử",
    )
    assert [f.member for f in failed_running(Member.objects.all(), ON)] == [village]


def test_the_to_do_takes_the_same_queries_whatever_the_size(
    tree: dict[str, Organisation],
) -> None:
    counts = []
    for size in (1, 8):
        for member in members(tree, size):
            rated(tree, member, 2025)
            rated(tree, member, 2026)
        with CaptureQueriesContext(connection) as captured:
            found = failed_running(
                Member.objects.filter(org_path__startswith=tree["commune"].path), ON
            )
            assert [f.member.branch.name for f in found]
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1] <= 7


def _moved(member: Member, to: Organisation, issued_on: date, kind: str) -> None:
    from dangvien.members.actions import transfers

    until = date(2026, 12, 31) if kind == TransferKind.TEMPORARY else None
    transfer = start_transfer(member, to, kind, issued_on, until_on=until)
    transfers.receive_transfer(member, received_on=transfer.present_by, by=None)


def test_read_from_the_ratings_side_the_list_is_the_one_read_from_the_members_side(
    tree: dict[str, Organisation],
) -> None:
    """``paths`` (the user's scope) finds the failed ratings given under it and those of the
    members who came in by a transfer: the same members as looking up every member of
    the scope, including those who left it (not listed) and those who came in."""
    commune = tree["commune"]
    stays, came, left, visiting = (
        make_member(branch=tree["village"]),
        make_member(branch=tree["other_branch"]),
        make_member(branch=tree["school_branch"]),
        make_member(branch=tree["other_branch"]),
    )
    elsewhere = make_member(branch=tree["other_branch"])
    for member in (stays, came, left, visiting, elsewhere):
        rated(tree, member, 2025)
        rated(tree, member, 2026)
    _moved(came, tree["village"], date(2026, 3, 2), TransferKind.PERMANENT)
    _moved(left, tree["other_branch"], date(2026, 3, 2), TransferKind.PERMANENT)
    _moved(visiting, tree["clinic"], date(2026, 3, 2), TransferKind.TEMPORARY)
    user = user_with_role(Role.GRASSROOTS_STAFF, commune)
    rows = visible_members(user)

    by_ratings = failed_running(rows, ON, paths=[commune.path])
    by_members = failed_running(rows, ON)

    assert {f.member for f in by_ratings} == {stays, came, visiting}
    assert [f.member for f in by_ratings] == [f.member for f in by_members]
    assert failed_running(rows, ON, paths=[]) == []


def test_the_removal_to_do_page_of_a_commune_lists_a_member_rated_failed_before_coming_in(
    tree: dict[str, Organisation], client: Client
) -> None:
    came = make_member(branch=tree["other_branch"])
    rated(tree, came, 2025)
    rated(tree, came, 2026)
    _moved(came, tree["village"], date(2026, 3, 2), TransferKind.PERMANENT)
    client.force_login(user_with_role(Role.GRASSROOTS_STAFF, tree["commune"]))

    page = client.get(reverse("members:removal-todo")).content.decode()
    home = client.get("/").content.decode()

    name = str(came.person)
    assert name in page
    assert name in home


def test_with_a_limit_only_the_first_by_name_are_read_and_all_are_counted(
    tree: dict[str, Organisation],
) -> None:
    """The home page shows 50 and counts them all (a province has thousands)."""
    three = members(tree, 3)
    for member in three:
        rated(tree, member, 2025)
        rated(tree, member, 2026)
    everyone = failed_running(Member.objects.all(), ON)

    first = failed_running_first(Member.objects.all(), ON, limit=2)

    assert first.total == 3
    assert [f.member for f in first.rows] == [f.member for f in everyone[:2]]
    assert [f.years for f in first.rows] == [[2025, 2026], [2025, 2026]]
