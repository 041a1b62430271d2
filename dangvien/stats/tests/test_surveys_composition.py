"""The candidate pool's composition (stats.queries.surveys; issue 6 "a snapshot per node of
pool size and composition (age band, education, sex, ethnicity, Youth Union membership)")."""

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangvien.candidates.models import Candidate, Stage, StageChange
from dangvien.factories import make_candidate, make_person
from dangvien.organisations.models import Organisation
from dangvien.people.models import Education
from dangvien.stats.queries.surveys import (
    composition,
    compositions,
    pool,
    quarter_bounds,
    quarter_label,
    recent_quarters,
    side_by_side,
)

Tree = dict[str, Organisation]
TODAY = date(2026, 8, 15)


pytestmark = pytest.mark.usefixtures("frozen_today")  # TODAY above (conftest.py)


def listed(branch: Organisation, stage: str = Stage.CANDIDATE, **person: Any) -> Candidate:
    return make_candidate(
        branch=branch,
        stage=stage,
        listed_on=person.pop("listed_on", date(2026, 1, 5)),
        person=make_person(**person),
    )


@pytest.fixture
def pooled(tree: Tree) -> Tree:
    """Six candidates in the pool under the commune, three who left it, one elsewhere."""
    village, school_branch, clinic = tree["village"], tree["school_branch"], tree["clinic"]
    listed(village, birth_date=date(2000, 8, 16), youth_union_member=True)  # 25 on 15/08
    listed(
        village,
        Stage.CERTIFIED,
        birth_date=date(1990, 8, 15),  # 36
        sex="female",
        ethnicity="kinh",  # Kinh, whatever the case
        education_level=Education.UNIVERSITY,
    )
    listed(
        village,
        Stage.DOSSIER_OPEN,
        birth_date=date(1995, 1, 1),  # 31
        ethnicity="Tày",
        youth_union_member=True,
    )
    listed(school_branch, birth_date=date(1985, 3, 3), ethnicity="Mường", sex="female")  # 41
    listed(school_branch, Stage.ADMITTED, birth_date=date(2001, 2, 2), ethnicity="Tày")  # 25
    listed(clinic, Stage.IN_AWARENESS_COURSE, birth_date=date(1960, 1, 1))  # 66
    listed(village, Stage.WITHDRAWN)
    listed(village, Stage.REJECTED)
    listed(clinic, Stage.MEMBER)
    listed(tree["other_branch"])
    return tree


def test_the_pool_counts_only_candidates_still_in_the_pipeline(pooled: Tree) -> None:
    data = composition(pooled["commune"])
    assert data["total"] == 6
    assert data["stage"] == {
        "candidate": 2,
        "in_awareness_course": 1,
        "certified": 1,
        "dossier_open": 1,
        "background_checked": 0,
        "branch_proposed": 0,
        "grassroots_endorsed": 0,
        "admitted": 1,
    }


def test_ages_fall_into_the_statistics_bands_on_the_day(pooled: Tree) -> None:
    data = composition(pooled["commune"])
    assert data["age_band"] == {
        "18_30": 2,
        "31_40": 2,
        "41_50": 1,
        "51_60": 0,
        "61_70": 1,
        "over_70": 0,
    }


def test_a_birthday_on_the_day_moves_a_candidate_into_the_next_band(tree: Tree) -> None:
    listed(tree["village"], birth_date=date(1995, 8, 15))  # 31 on 15/08/2026
    assert composition(tree["commune"])["age_band"]["31_40"] == 1
    assert composition(tree["commune"], date(2026, 8, 14))["age_band"]["18_30"] == 1


def test_an_under_18_band_appears_only_when_someone_is_under_18(tree: Tree) -> None:
    listed(tree["village"], birth_date=date(2008, 8, 16))  # 17 on 15/08/2026
    assert composition(tree["commune"])["age_band"]["under_18"] == 1
    assert "under_18" not in composition(tree["other_commune"])["age_band"]


def test_sex_education_and_youth_union_are_counted(pooled: Tree) -> None:
    data = composition(pooled["commune"])
    assert data["sex"] == {"male": 4, "female": 2}
    assert data["education"][Education.UNIVERSITY] == 1
    assert data["education"][Education.UPPER_SECONDARY] == 5
    assert sum(data["education"].values()) == 6
    assert data["youth_union"] == {"yes": 2, "no": 4}


def test_ethnicity_is_kinh_or_minority_with_the_minorities_by_name(pooled: Tree) -> None:
    data = composition(pooled["commune"])
    assert data["ethnicity"] == {"kinh": 3, "minority": 3}
    assert data["ethnic_groups"] == {"Tày": 2, "Mường": 1}


def test_every_node_equals_the_sum_of_its_children(pooled: Tree) -> None:
    by_org = compositions(pooled["province"])
    nodes = {o.pk: o for o in Organisation.objects.filter(path__startswith=pooled["province"].path)}
    assert set(by_org) == set(nodes)
    for org_id, data in by_org.items():
        kids = [k for k in nodes.values() if k.parent_id == org_id]
        if not kids:
            continue
        for key in ("total",):
            assert data[key] == sum(by_org[k.pk][key] for k in kids)
        for key in ("stage", "age_band", "education", "sex", "ethnicity", "youth_union"):
            for value, n in data[key].items():
                assert n == sum(by_org[k.pk][key].get(value, 0) for k in kids), (org_id, key)
    assert by_org[pooled["province"].pk]["total"] == 7
    assert by_org[pooled["commune"].pk] == composition(pooled["commune"])
    assert by_org[pooled["school"].pk]["total"] == 2
    assert by_org[pooled["other_commune"].pk]["total"] == 1


def test_the_rollup_reads_two_queries_whatever_the_size(pooled: Tree) -> None:
    with CaptureQueriesContext(connection) as captured:
        compositions(pooled["province"])
    assert len(captured.captured_queries) == 2


def test_the_pool_on_a_past_day_is_read_from_the_stage_history(tree: Tree) -> None:
    village = tree["village"]
    left = listed(village, Stage.WITHDRAWN, listed_on=date(2026, 1, 5))
    StageChange.objects.create(
        candidate=left, from_stage="candidate", to_stage="candidate", on=date(2026, 1, 5)
    )
    StageChange.objects.create(
        candidate=left, from_stage="candidate", to_stage="withdrawn", on=date(2026, 7, 10)
    )
    moved = listed(village, Stage.CERTIFIED, listed_on=date(2026, 2, 1))
    StageChange.objects.create(
        candidate=moved, from_stage="candidate", to_stage="candidate", on=date(2026, 2, 1)
    )
    StageChange.objects.create(
        candidate=moved, from_stage="candidate", to_stage="certified", on=date(2026, 7, 20)
    )
    listed(village, listed_on=date(2026, 7, 1))  # listed after 30/06
    before = composition(tree["commune"], date(2026, 6, 30))
    assert before["total"] == 2  # the one who withdrew later was still in the pool
    assert before["stage"]["candidate"] == 2  # and the certificate came in July
    now = composition(tree["commune"])
    assert now["total"] == 2
    assert (now["stage"]["candidate"], now["stage"]["certified"]) == (1, 1)
    assert pool(tree["commune"], date(2026, 6, 30)).count() == 2


def test_quarters_have_their_bounds_and_roman_numerals() -> None:
    assert quarter_bounds(2026, 1) == (date(2026, 1, 1), date(2026, 3, 31))
    assert quarter_bounds(2026, 4) == (date(2026, 10, 1), date(2026, 12, 31))
    assert quarter_label(2026, 4) == "Quý IV/2026"
    assert quarter_label(2026, 2, capital=False) == "quý II/2026"


def test_the_recent_quarters_end_with_this_quarter_or_a_past_years_fourth() -> None:
    assert recent_quarters(2026, count=4) == [(2025, 4), (2026, 1), (2026, 2), (2026, 3)]
    assert recent_quarters(2024, count=2) == [(2024, 3), (2024, 4)]


def test_side_by_side_shows_the_change_from_the_column_before() -> None:
    q1 = {"total": 10, "sex": {"male": 6, "female": 4}, "ethnic_groups": {"Tày": 2}}
    q2 = {"total": 12, "sex": {"male": 6, "female": 6}, "ethnic_groups": {"Tày": 3}}
    blocks = {b.key: b for b in side_by_side([q1, None, q2])}
    total = blocks["total"].lines[0].cells
    assert [(c.value, c.change) for c in total] == [(10, None), (None, None), (12, None)]
    blocks = {b.key: b for b in side_by_side([q1, q2])}
    female = blocks["sex"].lines[1]
    assert female.label == "Nữ"
    assert [(c.value, c.change, c.share) for c in female.cells] == [(4, None, 40.0), (6, 2, 50.0)]
    tay = [line for line in blocks["ethnicity"].lines if line.sub]
    assert [(line.label, [c.value for c in line.cells]) for line in tay] == [("Tày", [2, 3])]
