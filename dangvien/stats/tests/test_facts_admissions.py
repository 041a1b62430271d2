"""The one definition of an admission (stats.queries.facts; issue 6 brief, "What counts")."""

from datetime import date
from typing import Any

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangvien.candidates.models import Stage
from dangvien.factories import make_candidate, make_member, make_person, org
from dangvien.members.models import Member, Status
from dangvien.organisations.models import Kind, Organisation, Sector, Village
from dangvien.people.models import OccupationGroup
from dangvien.stats.admission_facts import refresh_admissions
from dangvien.stats.queries import facts
from dangvien.stats.tests.factories import make_admission

Tree = dict[str, Organisation]
START, END = date(2026, 1, 1), date(2026, 12, 31)


def direct_member(branch: Organisation, admitted_on: date, **person: Any) -> Member:
    """A member recorded directly (imported): no candidacy."""
    return make_member(
        branch=branch,
        person=make_person(**person),
        status=Status.PROBATIONARY,
        admitted_on=admitted_on,
        probation_started_on=admitted_on,
        official_on=None,
    )


def village(commune: Organisation, name: str) -> Village:
    return Village.objects.create(organisation=commune, org_path=commune.path, name=name)


@pytest.fixture
def mixed(tree: Tree) -> Tree:
    """Admissions of every kind in 2026 under the commune, and some that do not count."""
    branch, school_branch = tree["village"], tree["school_branch"]
    make_admission(branch, date(2026, 3, 2))  # decision, no ceremony yet: counts
    ceremony = make_admission(school_branch, date(2026, 4, 10), stage=Stage.MEMBER)
    member = make_member(
        branch=school_branch,
        person=ceremony.person,
        status=Status.PROBATIONARY,
        admitted_on=date(2026, 4, 10),
        probation_started_on=date(2026, 4, 20),
        official_on=None,
    )
    ceremony.member = member
    ceremony.save(update_fields=["member"])  # counted once, as the candidate's decision
    make_admission(branch, date(2026, 3, 5), stage=Stage.REJECTED)
    make_admission(branch, date(2026, 3, 6), stage=Stage.WITHDRAWN)
    make_candidate(branch=branch, stage=Stage.BRANCH_PROPOSED)
    make_admission(branch, date(2025, 12, 31))  # last year
    make_admission(tree["other_branch"], date(2026, 5, 1))  # another commune
    direct_member(tree["clinic"], date(2026, 5, 20))  # recorded directly: counts
    readmitted = make_member(
        branch=branch,
        status=Status.PROBATIONARY,
        admitted_on=date(2026, 6, 1),
        readmitted_on=date(2026, 6, 1),
        first_admitted_on=date(2001, 1, 1),
        probation_started_on=date(2026, 6, 15),
        official_on=None,
    )
    old = make_admission(branch, date(2001, 1, 1), stage=Stage.MEMBER, person=readmitted.person)
    old.member = readmitted
    old.save(update_fields=["member"])  # readmitted: counts again, at the member's branch
    return tree


def test_admissions_are_decided_candidates_plus_members_recorded_directly_or_readmitted(
    mixed: Tree,
) -> None:
    commune = mixed["commune"]
    assert facts.admission_count(commune.path, START, END) == 4
    found = facts.admissions(commune.path, START, END)
    assert found.candidates.count() == 2
    assert found.members.count() == 1
    assert found.readmissions.count() == 1
    assert found.count() == 4


def test_a_readmission_leaves_the_first_admission_of_a_directly_recorded_member_in_its_year(
    tree: Tree,
) -> None:
    """readmit() rewrites admitted_on; the first admission stays in first_admitted_on."""
    member = direct_member(tree["village"], date(2020, 3, 1))
    member.first_admitted_on = date(2020, 3, 1)
    member.admitted_on = member.readmitted_on = date(2026, 2, 1)
    member.save()
    path = tree["commune"].path
    assert facts.admission_count(path, date(2020, 1, 1), date(2020, 12, 31)) == 1
    assert facts.admission_count(path, START, END) == 1
    rows = [facts.readable(r) for r in facts.admission_rows(path, START, END)]
    assert [(r.day, r.readmission, r.source) for r in rows] == [(date(2026, 2, 1), True, "member")]
    first = [facts.readable(r) for r in facts.admission_rows(path, date(2020, 1, 1), END)]
    assert [(r.day, r.readmission) for r in first] == [
        (date(2020, 3, 1), False),
        (date(2026, 2, 1), True),
    ]


def test_rejected_and_withdrawn_candidates_are_not_admissions(tree: Tree) -> None:
    make_admission(tree["village"], date(2026, 3, 5), stage=Stage.REJECTED)
    make_admission(tree["village"], date(2026, 3, 6), stage=Stage.WITHDRAWN)
    assert facts.admission_count(tree["province"].path, START, END) == 0


def test_the_period_includes_both_ends(tree: Tree) -> None:
    make_admission(tree["village"], date(2026, 1, 1))
    make_admission(tree["village"], date(2026, 12, 31))
    make_admission(tree["village"], date(2027, 1, 1))
    assert facts.admission_count(tree["commune"].path, START, END) == 2
    assert facts.admission_count(tree["commune"].path, START, START) == 1


def test_admissions_count_under_the_child_they_fall_under(mixed: Tree) -> None:
    commune = mixed["commune"]
    assert facts.admissions_by_child(commune, START, END) == {
        mixed["village"].path: 2,
        mixed["school"].path: 1,
        mixed["clinic"].path: 1,
    }
    province = mixed["province"]
    assert facts.admissions_by_child(province, START, END) == {
        commune.path: 4,
        mixed["other_commune"].path: 1,
    }


def test_admissions_count_per_month_of_the_decision(mixed: Tree) -> None:
    assert facts.admissions_by_month(mixed["commune"].path, START, END) == {
        (2026, 3): 1,
        (2026, 4): 1,
        (2026, 5): 1,
        (2026, 6): 1,
    }


def test_breakdowns_compare_ethnicity_and_religion_without_case_or_accents(tree: Tree) -> None:
    branch = tree["village"]
    for ethnicity, religion in (
        ("Kinh", "Không"),
        ("KINH", "KHÔNG"),
        ("kinh", "khong"),
        (" Kinh ", ""),
        ("Tày", "Không"),
        ("Mường", "Phật giáo"),
        ("H'Mông", "Công giáo"),
    ):
        make_admission(
            branch, date(2026, 2, 1), person=make_person(ethnicity=ethnicity, religion=religion)
        )
    counts = facts.admission_breakdown(tree["commune"].path, START, END)
    assert counts["total"] == 7
    assert counts["ethnic_minority"] == 3
    assert counts["religious"] == 2


def test_breakdowns_count_youth_union_women_students_and_private_sector(tree: Tree) -> None:
    company = org(Kind.GRASSROOTS_BRANCH, tree["commune"], name="Chi bộ Công ty May Hòa Bình")
    Organisation.objects.filter(pk=company.pk).update(sector=Sector.NON_STATE_ENTERPRISE)
    make_admission(tree["village"], date(2026, 2, 1), person=make_person(youth_union_member=True))
    make_admission(tree["village"], date(2026, 2, 1), person=make_person(sex="female"))
    make_admission(
        tree["village"],
        date(2026, 2, 1),
        person=make_person(sex="female", occupation_group=OccupationGroup.STUDENT),
    )
    make_admission(company, date(2026, 2, 1))
    direct_member(company, date(2026, 3, 1), youth_union_member=True)
    counts = facts.admission_breakdown(tree["commune"].path, START, END)
    assert counts == {
        "total": 5,
        "youth_union": 2,
        "women": 2,
        "ethnic_minority": 0,
        "religious": 0,
        "student": 1,
        "private_sector": 2,
        "villages_without_members": 0,
    }


def test_villages_without_members_are_those_with_no_member_the_day_before_the_period(
    tree: Tree,
) -> None:
    commune = tree["commune"]
    empty = village(commune, "Thôn Khe Rỗ")
    with_member = village(commune, "Thôn Đông")
    member_left = village(commune, "Thôn Nà Lìa")
    joined_in_year = village(commune, "Thôn Bản Mới")
    make_member(branch=tree["village"], person=make_person(village=with_member))
    make_member(
        branch=tree["village"],
        person=make_person(village=member_left),
        status=Status.DECEASED,
        left_on=date(2025, 12, 31),  # left on the day before: no member that day
    )
    make_member(
        branch=tree["village"],
        person=make_person(village=joined_in_year),
        admitted_on=date(2026, 1, 10),
        probation_started_on=date(2026, 1, 15),
        official_on=None,
        status=Status.PROBATIONARY,
    )
    for place in (empty, empty, with_member, member_left, joined_in_year):
        make_admission(tree["village"], date(2026, 3, 1), person=make_person(village=place))
    direct_member(tree["clinic"], date(2026, 4, 1), village=empty)  # the same village again
    make_admission(tree["village"], date(2026, 3, 1))  # no village recorded
    counts = facts.admission_breakdown(commune.path, START, END)
    assert counts["villages_without_members"] == 3  # Khe Rỗ, Nà Lìa, Bản Mới
    by_child = facts.admission_breakdown_by_child(commune, START, END)
    assert by_child[tree["village"].path]["villages_without_members"] == 3
    assert by_child[tree["clinic"].path]["villages_without_members"] == 1


def test_a_village_whose_only_member_has_a_chi_bo_outside_the_readers_subtree_has_a_member(
    tree: Tree,
) -> None:
    """Whether a village had a member does not depend on who reads the count: with the
    reader's scope applied (row-level security on PostgreSQL), the member living there
    but belonging to a chi bộ of another commune is still seen."""
    from dangvien.accounts.models import Role
    from dangvien.factories import user_with_role
    from dangvien.rowsecurity.scope import scoped

    commune = tree["commune"]
    place = village(commune, "Thôn Giữa")
    other = org(Kind.COMMUNE, tree["province"], "Đảng bộ xã Bình Minh")
    far_branch = org(Kind.BRANCH, other, "Chi bộ thôn Bắc")
    make_member(branch=far_branch, person=make_person(village=place))
    make_admission(tree["village"], date(2026, 3, 1), person=make_person(village=place))
    reader = user_with_role(Role.GRASSROOTS_STAFF, commune)
    with scoped(reader):
        assert not Member.objects.filter(branch=far_branch).exists() or (
            connection.vendor != "postgresql"
        )  # the member is out of the reader's sight on PostgreSQL
        counts = facts.admission_breakdown(commune.path, START, END)
    assert counts["villages_without_members"] == 0


def test_the_people_behind_a_count_are_listed_by_decision_date_with_their_breakdowns(
    mixed: Tree,
) -> None:
    rows = [facts.readable(r) for r in facts.admission_rows(mixed["commune"].path, START, END)]
    assert [(r.source, r.day) for r in rows] == [
        ("candidate", date(2026, 3, 2)),
        ("candidate", date(2026, 4, 10)),
        ("member", date(2026, 5, 20)),
        ("member", date(2026, 6, 1)),
    ]
    assert [r.readmission for r in rows] == [False, False, False, True]
    assert rows[0].branch_name == "Chi bộ thôn Đông"
    assert rows[0].number == "0203-QĐ/ĐU"
    assert rows[0].flags == []


def test_the_people_list_filters_one_breakdown_and_pages(tree: Tree) -> None:
    for day in range(1, 8):
        make_admission(tree["village"], date(2026, 2, day), person=make_person(sex="female"))
    direct_member(tree["clinic"], date(2026, 2, 3), sex="female")
    make_admission(tree["village"], date(2026, 2, 9))
    rows = facts.admission_rows(tree["commune"].path, START, END, breakdown="women")
    page = Paginator(rows, 5).get_page(2)
    assert page.paginator.count == 8
    assert [facts.readable(r).day for r in page] == [
        date(2026, 2, 5),
        date(2026, 2, 6),
        date(2026, 2, 7),
    ]
    assert all("women" in facts.readable(r).flags for r in page)


def test_an_unknown_breakdown_is_refused() -> None:
    with pytest.raises(ValueError):
        facts.admission_rows("00000001/", START, END, breakdown="tall")


def test_counting_per_child_takes_the_same_queries_for_3_or_30_children(tree: Tree) -> None:
    commune = tree["commune"]

    def queries() -> int:
        refresh_admissions()  # the writes are taken into the facts once (stats.admission_facts)
        with CaptureQueriesContext(connection) as captured:
            facts.admission_breakdown_by_child(commune, START, END)
            facts.admissions_by_child(commune, START, END)
        return len(captured.captured_queries)

    for n in range(3):
        branch = org(Kind.BRANCH, commune)
        make_admission(
            branch, date(2026, 2, 1), person=make_person(village=village(commune, f"T{n}"))
        )
    few = queries()
    for n in range(27):
        branch = org(Kind.BRANCH, commune)
        make_admission(
            branch, date(2026, 2, 1), person=make_person(village=village(commune, f"U{n}"))
        )
        direct_member(branch, date(2026, 3, 1))
    assert queries() == few == 5
