"""The pipeline funnel (stats.queries.funnel; issue 6 "the pipeline funnel for a period")."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangvien.candidates.models import Candidate, Stage, StageChange
from dangvien.core.dates import BadDate
from dangvien.factories import make_candidate, make_member
from dangvien.members.models import Status
from dangvien.organisations.models import Organisation
from dangvien.stats.queries.funnel import (
    STEP_KEYS,
    Funnel,
    default_period,
    funnel,
    period_between,
    year_period,
)

Tree = dict[str, Organisation]
TODAY = date(2026, 8, 15)
STAGE_OF = {
    "in_course": Stage.IN_AWARENESS_COURSE,
    "certified": Stage.CERTIFIED,
    "dossier": Stage.DOSSIER_OPEN,
    "proposed": Stage.BRANCH_PROPOSED,
    "admitted": Stage.ADMITTED,
    "withdrawn": Stage.WITHDRAWN,
    "rejected": Stage.REJECTED,
}


pytestmark = pytest.mark.usefixtures("frozen_today")  # TODAY above (conftest.py)


def walked(
    branch: Organisation,
    listed_on: date,
    stage: str,
    *,
    recognised: date | None = None,
    **steps: date,
) -> Candidate:
    """A candidate with its stage history: one StageChange per step given, on that day."""
    candidate = make_candidate(branch=branch, listed_on=listed_on, stage=stage)
    StageChange.objects.create(
        candidate=candidate, from_stage=Stage.CANDIDATE, to_stage=Stage.CANDIDATE, on=listed_on
    )
    previous = Stage.CANDIDATE
    for key, day in steps.items():
        StageChange.objects.create(
            candidate=candidate, from_stage=previous, to_stage=STAGE_OF[key], on=day
        )
        previous = STAGE_OF[key]
    if recognised is not None:
        candidate.member = make_member(
            branch=branch,
            person=candidate.person,
            status=Status.OFFICIAL,
            admitted_on=steps["admitted"],
            probation_started_on=recognised.replace(year=recognised.year - 1),
            official_on=recognised,
        )
        candidate.save(update_fields=["member"])
    return candidate


@pytest.fixture
def pipeline(tree: Tree) -> Tree:
    """Five candidates under the commune, one under the other commune (never counted)."""
    d = date
    # A: the whole way to an admission decision in 2026.
    walked(
        tree["village"],
        d(2026, 1, 10),
        Stage.ADMITTED,
        in_course=d(2026, 2, 1),
        certified=d(2026, 3, 1),
        dossier=d(2026, 3, 20),
        proposed=d(2026, 5, 1),
        admitted=d(2026, 6, 1),
    )
    # B: certified without the course in the system (a skipped step).
    walked(tree["village"], d(2026, 2, 1), Stage.CERTIFIED, certified=d(2026, 4, 2))
    # C: listed and certified in 2025, dossier and proposal in 2026.
    walked(
        tree["school_branch"],
        d(2025, 6, 1),
        Stage.BRANCH_PROPOSED,
        in_course=d(2025, 9, 1),
        certified=d(2025, 10, 1),
        dossier=d(2026, 1, 15),
        proposed=d(2026, 3, 1),
    )
    # D: listed in 2026, withdrew in 2026.
    walked(tree["clinic"], d(2026, 3, 1), Stage.WITHDRAWN, withdrawn=d(2026, 4, 1))
    # E: admitted in 2025, recognised official in 2026.
    walked(
        tree["clinic"],
        d(2024, 5, 1),
        Stage.MEMBER,
        in_course=d(2024, 6, 1),
        certified=d(2024, 7, 1),
        dossier=d(2024, 8, 1),
        proposed=d(2024, 12, 1),
        admitted=d(2025, 2, 1),
        recognised=d(2026, 3, 1),
    )
    walked(tree["other_branch"], d(2026, 1, 5), Stage.CERTIFIED, certified=d(2026, 2, 5))
    return tree


def counts(result: Funnel) -> dict[str, int]:
    return {s.key: s.count for s in result.steps}


def child_counts(result: Funnel) -> dict[str, dict[str, int]]:
    return {
        (c.organisation.name if c.organisation else "(trực tiếp)"): dict(
            zip(STEP_KEYS, c.counts, strict=True)
        )
        for c in result.children
    }


def test_flow_counts_who_reached_each_step_within_the_period(pipeline: Tree) -> None:
    result = funnel(pipeline["commune"], mode="flow", period=year_period(2026))
    assert counts(result) == {
        "pool": 3,  # A, B, D listed in 2026
        "in_course": 2,  # A, and B who skipped it on the way to the certificate
        "certified": 2,  # A, B (C was certified in 2025)
        "dossier": 2,  # A, C
        "proposed": 2,  # A, C
        "admitted": 1,  # A
        "recognised": 1,  # E, admitted in 2025
    }
    assert (result.withdrawn, result.rejected, result.active) == (1, 0, None)


def test_flow_conversion_is_the_share_of_the_previous_step_to_one_decimal(pipeline: Tree) -> None:
    result = funnel(pipeline["commune"], mode="flow", period=year_period(2026))
    assert [s.conversion for s in result.steps] == [None, 66.7, 100.0, 100.0, 100.0, 50.0, 100.0]


def test_median_days_count_only_people_with_both_dates_of_their_own(pipeline: Tree) -> None:
    result = funnel(pipeline["commune"], mode="flow", period=year_period(2026))
    medians = {s.key: s.median_days for s in result.steps}
    assert medians == {
        "pool": None,
        "in_course": 22.0,  # A only: B skipped the course
        "certified": 28.0,  # A only: B has no course date of its own
        "dossier": 62.5,  # A 19 days, C 106 days
        "proposed": 43.5,  # A 42, C 45
        "admitted": 31.0,
        "recognised": 393.0,  # E: decision 01/02/2025, official 01/03/2026
    }


def test_cohort_follows_the_candidates_listed_in_the_period_to_today(pipeline: Tree) -> None:
    result = funnel(pipeline["commune"], mode="cohort", period=year_period(2026))
    assert counts(result) == {
        "pool": 3,  # A, B, D
        "in_course": 2,
        "certified": 2,
        "dossier": 1,
        "proposed": 1,
        "admitted": 1,
        "recognised": 0,
    }
    assert (result.withdrawn, result.rejected, result.active) == (1, 0, 2)
    assert [s.conversion for s in result.steps] == [None, 66.7, 100.0, 50.0, 100.0, 100.0, 0.0]
    assert result.steps[3].median_days == 19.0


def test_cohort_ignores_steps_dated_after_today(tree: Tree) -> None:
    walked(tree["village"], date(2026, 1, 10), Stage.CERTIFIED, certified=date(2026, 9, 1))
    result = funnel(tree["commune"], mode="cohort", period=year_period(2026))
    # The stage itself says the certificate was reached; its future date gives no median.
    assert counts(result)["certified"] == 1
    assert result.steps[2].median_days is None


def test_a_stage_reached_without_its_history_still_counts_in_the_cohort(tree: Tree) -> None:
    make_candidate(branch=tree["village"], listed_on=date(2026, 5, 1), stage=Stage.DOSSIER_OPEN)
    result = funnel(tree["commune"], mode="cohort", period=year_period(2026))
    assert counts(result) == {
        "pool": 1,
        "in_course": 1,
        "certified": 1,
        "dossier": 1,
        "proposed": 0,
        "admitted": 0,
        "recognised": 0,
    }


def test_a_decision_recorded_without_history_dates_the_admitted_step(tree: Tree) -> None:
    make_candidate(
        branch=tree["village"],
        listed_on=date(2025, 3, 1),
        stage=Stage.ADMITTED,
        decided_on=date(2026, 4, 1),
    )
    make_candidate(
        branch=tree["village"],
        listed_on=date(2025, 3, 1),
        stage=Stage.REJECTED,
        decided_on=date(2026, 4, 2),
    )
    result = funnel(tree["commune"], mode="flow", period=year_period(2026))
    assert counts(result)["admitted"] == 1
    assert counts(result)["proposed"] == 1  # reaching the decision passes the proposal
    assert result.rejected == 1  # a side count, never an admission


def test_flow_conversion_can_exceed_one_hundred_percent(tree: Tree) -> None:
    for _ in range(2):
        walked(
            tree["village"],
            date(2025, 2, 1),
            Stage.BRANCH_PROPOSED,
            certified=date(2025, 5, 1),
            dossier=date(2025, 6, 1),
            proposed=date(2026, 2, 1),
        )
    walked(
        tree["village"],
        date(2025, 2, 1),
        Stage.DOSSIER_OPEN,
        certified=date(2025, 5, 1),
        dossier=date(2026, 1, 20),
    )
    result = funnel(tree["commune"], mode="flow", period=year_period(2026))
    assert counts(result)["dossier"] == 1
    assert counts(result)["proposed"] == 2
    assert result.steps[4].conversion == 200.0
    assert result.exceeds_previous


def test_the_period_bounds_are_inclusive(pipeline: Tree) -> None:
    period = period_between(date(2026, 1, 10), date(2026, 2, 1))
    result = funnel(pipeline["commune"], mode="flow", period=period)
    assert counts(result)["pool"] == 2  # A on 10/01 and B on 01/02
    assert counts(result)["in_course"] == 1  # A on 01/02


def test_each_child_counts_its_own_subtree_and_the_children_add_up(pipeline: Tree) -> None:
    result = funnel(pipeline["commune"], mode="flow", period=year_period(2026))
    by_child = child_counts(result)
    assert by_child["Chi bộ thôn Đông"] == {
        "pool": 2,
        "in_course": 2,
        "certified": 2,
        "dossier": 1,
        "proposed": 1,
        "admitted": 1,
        "recognised": 0,
    }
    assert by_child["Đảng bộ Trường THPT An Bình"]["dossier"] == 1  # C, in its chi bộ
    assert by_child["Chi bộ Trạm Y tế"]["pool"] == 1
    assert by_child["Chi bộ Trạm Y tế"]["recognised"] == 1
    for k, key in enumerate(STEP_KEYS):
        assert sum(c.counts[k] for c in result.children) == counts(result)[key]


def test_a_branch_has_no_per_child_rows(pipeline: Tree) -> None:
    result = funnel(pipeline["village"], mode="flow", period=year_period(2026))
    assert counts(result)["pool"] == 2
    assert result.children == []


def test_the_funnel_reads_a_fixed_number_of_queries(tree: Tree) -> None:
    def queries_for() -> int:
        with CaptureQueriesContext(connection) as captured:
            funnel(tree["province"], mode="flow", period=year_period(2026))
        return len(captured.captured_queries)

    walked(tree["village"], date(2026, 1, 10), Stage.CERTIFIED, certified=date(2026, 3, 1))
    few = queries_for()
    for branch in ("village", "school_branch", "clinic", "other_branch"):
        for _ in range(3):
            walked(
                tree[branch],
                date(2026, 2, 1),
                Stage.DOSSIER_OPEN,
                in_course=date(2026, 3, 1),
                certified=date(2026, 4, 1),
                dossier=date(2026, 5, 1),
            )
    assert queries_for() == few == 2


def test_the_default_period_is_this_year_up_to_today() -> None:
    period = default_period()
    assert (period.start, period.end, period.label) == (
        date(2026, 1, 1),
        TODAY,
        "Từ 01/01/2026 đến 15/08/2026",
    )
    assert year_period(2025).label == "Năm 2025"


def test_a_period_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(BadDate, match=re.escape("Ngày kết thúc phải sau ngày bắt đầu.")):
        period_between(date(2026, 5, 1), date(2026, 4, 1))


def test_an_unknown_mode_is_a_programming_error(tree: Tree) -> None:
    with pytest.raises(ValueError):
        funnel(tree["commune"], mode="sideways", period=year_period(2026))
