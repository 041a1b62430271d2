"""Periods a user sees, a member's review history, progress per child."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangvien.accounts.models import Role
from dangvien.factories import make_member, org, user_with_role
from dangvien.organisations.models import Kind, Organisation
from dangvien.reviews.models import PeriodKind, Rating, Stage
from dangvien.reviews.queries.history import member_history
from dangvien.reviews.queries.periods import periods_for
from dangvien.reviews.queries.progress import period_progress
from dangvien.reviews.tests.factories import make_period, make_review

pytestmark = pytest.mark.django_db


def test_periods_for_a_user_are_those_opened_in_their_scope_or_above(
    tree: dict[str, Organisation],
) -> None:
    province = make_period(tree["province"], 2026)
    commune = make_period(tree["commune"], 2026, kind=PeriodKind.QUARTERLY, quarter=2, name="Quý 2")
    school = make_period(tree["school"], 2025, kind=PeriodKind.AD_HOC, name="Đột xuất")
    other = make_period(tree["other_commune"], 2026, kind=PeriodKind.AD_HOC, name="Khác")
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    assert periods_for(secretary) == [province, commune]
    staff = user_with_role(Role.GRASSROOTS_STAFF, tree["commune"])
    assert set(periods_for(staff)) == {province, commune, school}
    assert set(periods_for(staff, tree["school"])) == {province, commune, school}
    assert set(periods_for(staff, tree["village"])) == {province, commune}
    board = user_with_role(Role.BOARD_STAFF, tree["province"])
    assert set(periods_for(board, tree["other_branch"])) == {province, other}
    assert periods_for(board)[0].year == 2026


def test_member_history_lists_the_reviews_latest_first(tree: dict[str, Organisation]) -> None:
    member = make_member(branch=tree["village"])
    old = make_review(make_period(tree["province"], 2024), member, Rating.COMPLETE, Stage.DECIDED)
    new = make_review(make_period(tree["province"], 2026), member, Rating.GOOD, Stage.PUBLISHED)
    mid = make_review(make_period(tree["commune"], 2025), member, Rating.FAILED, Stage.DECIDED)
    make_review(make_period(tree["other_commune"], 2026), make_member(branch=tree["other_branch"]))
    with CaptureQueriesContext(connection) as captured:
        history = member_history(member)
        assert [r.period.year for r in history] == [2026, 2025, 2024]
        assert history[0].branch.name == "Chi bộ thôn Đông"
    assert len(captured.captured_queries) == 1
    assert history == [new, mid, old]


def test_progress_counts_each_step_per_child(tree: dict[str, Organisation]) -> None:
    period = make_period(tree["province"], 2026)
    village = tree["village"]
    members = [make_member(branch=village) for _ in range(6)]
    make_member(branch=village, exempted_since=date(2026, 3, 1))
    for member, stage in zip(
        members,
        [Stage.SELF_ASSESSED, Stage.BRANCH_PROPOSED, Stage.DECIDED, Stage.PUBLISHED],
        strict=False,
    ):
        make_review(period, member, stage=stage)
    make_review(period, make_member(branch=tree["school_branch"]), stage=Stage.DECIDED)
    lines = {
        line.organisation.name: line
        for line in period_progress(period, tree["commune"], on=date(2026, 12, 20))
    }
    assert set(lines) == {"Chi bộ thôn Đông", "Đảng bộ Trường THPT An Bình", "Chi bộ Trạm Y tế"}
    line = lines["Chi bộ thôn Đông"]
    assert (line.active, line.exempted, line.to_rate) == (7, 1, 6)
    assert (line.self_assessed, line.proposed, line.decided, line.published) == (4, 3, 2, 1)
    assert line.not_started == 2
    school = lines["Đảng bộ Trường THPT An Bình"]
    assert (school.active, school.decided) == (1, 1)
    (own,) = period_progress(period, village, on=date(2026, 12, 20))
    assert own.organisation == village and own.active == 7


def test_progress_takes_the_same_queries_whatever_the_size(tree: dict[str, Organisation]) -> None:
    period = make_period(tree["province"], 2026)
    counts = []
    for size in (1, 5):
        for _ in range(size):
            branch = org(Kind.BRANCH, tree["commune"])
            make_review(period, make_member(branch=branch), stage=Stage.DECIDED)
            make_member(branch=branch, exempted_since=date(2026, 1, 1))
        with CaptureQueriesContext(connection) as captured:
            period_progress(period, tree["commune"])
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1] <= 3
