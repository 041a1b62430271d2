"""Achievement of the yearly admission target (stats.queries.achievement; issue 6)."""

import random
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangvien.candidates.models import Candidate, Stage
from dangvien.core.models import RuleParameter
from dangvien.factories import make_member, make_person, org
from dangvien.members.models import Member, Status
from dangvien.organisations.models import Kind, Organisation
from dangvien.stats.admission_facts import refresh_admissions
from dangvien.stats.queries.achievement import achievement, projection, same_day_last_year
from dangvien.stats.tests.factories import make_admission, make_target

Tree = dict[str, Organisation]


def admissions(branch: Organisation, n: int, day: date) -> None:
    for _ in range(n):
        make_admission(branch, day)


def direct_member(branch: Organisation, admitted_on: date, **fields: Any) -> Member:
    fields.setdefault("status", Status.PROBATIONARY)
    return make_member(
        branch=branch,
        admitted_on=admitted_on,
        probation_started_on=admitted_on,
        official_on=None,
        **fields,
    )


# ---- the seed figures ----------------------------------------------------------------


def test_46_admitted_of_a_target_of_150_is_30_7_percent(tree: Tree) -> None:
    """Kim Bôi: 46 of 150 after five months, "30.7%"."""
    district = tree["commune"]
    make_target(district, 2026, 150)
    admissions(tree["village"], 46, date(2026, 3, 15))
    result = achievement(district, 2026, on=date(2026, 5, 31))
    assert (result.target, result.admitted, result.percent) == (150, 46, 30.7)


def test_a_node_without_a_target_has_no_percentage_nor_pace(tree: Tree) -> None:
    admissions(tree["village"], 3, date(2026, 2, 1))
    result = achievement(tree["commune"], 2026, on=date(2026, 6, 30))
    assert result.target is None
    assert (result.percent, result.expected_by_now, result.pace, result.behind) == (
        None,
        None,
        None,
        False,
    )
    assert result.admitted == 3


# ---- pace and projection -------------------------------------------------------------


def test_expected_by_now_is_the_target_pro_rata_of_the_days_elapsed_today_included(
    tree: Tree,
) -> None:
    make_target(tree["commune"], 2026, 365)
    result = achievement(tree["commune"], 2026, on=date(2026, 2, 1))  # day 32
    assert result.expected_by_now == 32.0
    assert result.pace == 0.0


def test_a_node_under_80_percent_of_the_pro_rata_pace_is_behind(tree: Tree) -> None:
    """targets.pace_warning_percent = 80: 365 a year → 100 expected on 10/4 (day 100)."""
    make_target(tree["commune"], 2026, 365)
    admissions(tree["village"], 79, date(2026, 3, 1))
    result = achievement(tree["commune"], 2026, on=date(2026, 4, 10))
    assert (result.expected_by_now, result.pace, result.behind) == (100.0, 79.0, True)
    make_admission(tree["village"], date(2026, 4, 10))
    result = achievement(tree["commune"], 2026, on=date(2026, 4, 10))
    assert (result.admitted, result.pace, result.behind) == (80, 80.0, False)


def test_the_warning_fraction_is_a_rule_a_province_may_change(tree: Tree) -> None:
    RuleParameter.objects.create(
        key="targets.pace_warning_percent",
        value=50,
        effective_from=date(2026, 1, 1),
        organisation=tree["province"],
    )
    make_target(tree["commune"], 2026, 365)
    admissions(tree["village"], 60, date(2026, 3, 1))
    assert not achievement(tree["commune"], 2026, on=date(2026, 4, 10)).behind


def test_the_projection_follows_last_years_season_when_last_year_had_enough(
    tree: Tree,
) -> None:
    """Last year 30 by 31/5 and 90 in all: 40 this year by 31/5 project to 40 × 90/30."""
    admissions(tree["village"], 30, date(2025, 5, 10))
    admissions(tree["village"], 60, date(2025, 9, 2))
    admissions(tree["village"], 40, date(2026, 5, 10))
    result = achievement(tree["commune"], 2026, on=date(2026, 5, 31))
    assert (result.last_year_admitted, result.last_year_to_date) == (90, 30)
    assert result.projected == 120


def test_the_projection_is_linear_by_days_when_last_year_had_too_few(tree: Tree) -> None:
    """targets.projection_min_base = 20: with 5 last year to date, 73 by day 73 → 365."""
    admissions(tree["village"], 5, date(2025, 2, 1))
    admissions(tree["village"], 73, date(2026, 3, 1))
    result = achievement(tree["commune"], 2026, on=date(2026, 3, 14))  # day 73
    assert result.last_year_to_date == 5
    assert result.projected == 365


def test_a_past_year_is_taken_at_31_december_and_projects_its_own_count(tree: Tree) -> None:
    make_target(tree["commune"], 2025, 10)
    admissions(tree["village"], 7, date(2025, 11, 30))
    result = achievement(tree["commune"], 2025, on=date(2026, 3, 1))
    assert result.on == date(2025, 12, 31)
    assert (result.admitted, result.projected, result.expected_by_now) == (7, 7, 10.0)
    assert result.behind  # 7 < 80 % of 10


def test_a_year_not_begun_has_no_projection_and_is_not_behind(tree: Tree) -> None:
    make_target(tree["commune"], 2027, 10)
    result = achievement(tree["commune"], 2027, on=date(2026, 12, 1))
    assert (result.admitted, result.projected, result.behind) == (0, None, False)
    assert result.expected_by_now == 0.0


def test_projection_rounds_half_up() -> None:
    assert (
        projection(
            admitted=1,
            year=2026,
            on=date(2026, 1, 2),
            last_year=0,
            last_year_to_date=0,
            min_base=20,
        )
        == 183
    )  # 1 × 365 / 2 = 182.5
    assert (
        projection(
            admitted=3,
            year=2026,
            on=date(2026, 6, 1),
            last_year=50,
            last_year_to_date=20,
            min_base=20,
        )
        == 8
    )  # 3 × 50 / 20 = 7.5


def test_the_same_day_last_year_of_29_february_is_28_february() -> None:
    assert same_day_last_year(date(2028, 2, 29)) == date(2027, 2, 28)


def test_last_years_figures_are_its_full_year_and_its_count_to_the_same_day(tree: Tree) -> None:
    admissions(tree["village"], 2, date(2025, 6, 30))
    admissions(tree["village"], 3, date(2025, 7, 1))
    admissions(tree["village"], 4, date(2025, 12, 31))
    result = achievement(tree["commune"], 2026, on=date(2026, 6, 30))
    assert (result.last_year_admitted, result.last_year_to_date) == (9, 2)
    assert result.last_year_per_month[5:7] == [2, 3]


def test_counts_per_month_cover_the_year_to_the_day(tree: Tree) -> None:
    admissions(tree["village"], 2, date(2026, 1, 31))
    admissions(tree["school_branch"], 1, date(2026, 3, 1))
    admissions(tree["village"], 5, date(2026, 3, 20))  # after ``on``: not yet counted
    result = achievement(tree["commune"], 2026, on=date(2026, 3, 10))
    assert result.per_month == [2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]


def test_breakdown_targets_are_compared_with_the_breakdown_counts(tree: Tree) -> None:
    make_target(tree["commune"], 2026, 10, women=4, youth_union=5)
    make_admission(tree["village"], date(2026, 2, 1), person=make_person(sex="female"))
    make_admission(tree["village"], date(2026, 2, 1), person=make_person(youth_union_member=True))
    result = achievement(tree["commune"], 2026, on=date(2026, 6, 1))
    women, youth = result.breakdown["women"], result.breakdown["youth_union"]
    assert (women.target, women.admitted, women.percent) == (4, 1, 25.0)
    assert (youth.target, youth.admitted, youth.percent) == (5, 1, 20.0)
    assert result.breakdown["student"].target is None
    assert list(result.breakdown) == [
        "youth_union",
        "women",
        "ethnic_minority",
        "religious",
        "student",
        "private_sector",
        "villages_without_members",
    ]


def test_children_carry_their_own_target_and_pace(tree: Tree) -> None:
    commune = tree["commune"]
    make_target(commune, 2026, 100)
    make_target(tree["village"], 2026, 40)
    make_target(tree["school"], 2026, 40)
    admissions(tree["village"], 30, date(2026, 3, 1))
    admissions(tree["school_branch"], 5, date(2026, 3, 1))
    result = achievement(commune, 2026, on=date(2026, 7, 2))  # day 183: 20 expected of 40
    by_name = {c.organisation.name: c for c in result.children}
    assert list(by_name) == ["Chi bộ thôn Đông", "Chi bộ Trạm Y tế", "Đảng bộ Trường THPT An Bình"]
    village, school, clinic = (
        by_name["Chi bộ thôn Đông"],
        by_name["Đảng bộ Trường THPT An Bình"],
        by_name["Chi bộ Trạm Y tế"],
    )
    assert (village.admitted, village.percent, village.behind) == (30, 75.0, False)
    assert (school.admitted, school.percent, school.behind) == (5, 12.5, True)
    assert (clinic.target, clinic.admitted, clinic.behind) == (None, 0, False)
    assert result.admitted == 35
    assert all(c.children == [] for c in result.children)


# ---- exact counts --------------------------------------------------------------------


def brute_force(org: Organisation, start: date, end: date) -> int:
    """Every row read in Python, the definition applied literally."""
    n = 0
    for c in Candidate.objects.all():
        decided = c.decided_on is not None and start <= c.decided_on <= end
        if c.org_path.startswith(org.path) and c.stage in ("admitted", "member") and decided:
            n += 1
    for m in Member.objects.all():
        has_candidacy = Candidate.objects.filter(member=m).exists()
        admitted = m.admitted_on is not None and start <= m.admitted_on <= end
        counted = not has_candidacy or m.readmitted_on == m.admitted_on
        if m.org_path.startswith(org.path) and admitted and counted:
            n += 1
    return n


@pytest.fixture
def spread(tree: Tree) -> Tree:
    """Admissions spread over a deeper tree, two years, both sources, with rejected and
    withdrawn candidates and members admitted through a candidacy."""
    rng = random.Random(6)
    extra = org(Kind.SUB_COMMITTEE, tree["school"], name="Đảng bộ bộ phận Khối THCS")
    deep = org(Kind.BRANCH, extra, name="Chi bộ Tổ Văn")
    branches = [tree["village"], tree["school_branch"], tree["clinic"], tree["other_branch"], deep]
    for _ in range(90):
        branch = rng.choice(branches)
        day = date(rng.choice([2025, 2026]), 1, 1) + timedelta(days=rng.randrange(365))
        kind = rng.random()
        if kind < 0.55:
            make_admission(branch, day, stage=rng.choice([Stage.ADMITTED, Stage.MEMBER]))
        elif kind < 0.7:
            make_admission(branch, day, stage=rng.choice([Stage.REJECTED, Stage.WITHDRAWN]))
        elif kind < 0.8:  # admitted through a candidacy, ceremony held: one admission
            cand = make_admission(branch, day, stage=Stage.MEMBER)
            cand.member = direct_member(branch, day, person=cand.person)
            cand.save(update_fields=["member"])
        elif kind < 0.9:
            direct_member(branch, day)
        else:  # readmitted, with the old candidacy
            member = direct_member(
                branch, day, readmitted_on=day, first_admitted_on=date(2000, 1, 1)
            )
            old = make_admission(branch, date(2000, 1, 1), stage=Stage.MEMBER, person=member.person)
            old.member = member
            old.save(update_fields=["member"])
    return tree


@pytest.mark.parametrize("on", [date(2026, 6, 30), date(2026, 12, 31)])
def test_every_nodes_figure_equals_a_brute_force_count(spread: Tree, on: date) -> None:
    for node in Organisation.objects.all():
        result = achievement(node, 2026, on=on)
        for item in [result, *result.children]:
            target = item.organisation
            assert item.admitted == brute_force(target, date(2026, 1, 1), on), target.name
            assert item.last_year_admitted == brute_force(
                target, date(2025, 1, 1), date(2025, 12, 31)
            ), target.name
            assert item.last_year_to_date == brute_force(
                target, date(2025, 1, 1), same_day_last_year(on)
            ), target.name
            assert sum(item.per_month) == item.admitted


def test_the_queries_do_not_grow_with_the_number_of_children(tree: Tree) -> None:
    commune = tree["commune"]

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            achievement(commune, 2026, on=date(2026, 6, 30))
        return len(captured.captured_queries)

    make_target(commune, 2026, 100)
    admissions(tree["village"], 2, date(2026, 3, 1))
    refresh_admissions()  # the writes are taken into the facts once (stats.admission_facts)
    few = queries()
    for _ in range(27):
        branch = org(Kind.BRANCH, commune)
        make_target(branch, 2026, 3)
        admissions(branch, 1, date(2026, 2, 1))
        direct_member(branch, date(2025, 4, 1))
    assert len(achievement(commune, 2026, on=date(2026, 6, 30)).children) == 30
    assert queries() == few <= 12
