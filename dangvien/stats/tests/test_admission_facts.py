"""The admission facts stay exact (stats.admission_facts; issue 9: "precomputed rollups refreshed
on write are fine if they are always exact"): after every kind of write, the counts read
from the facts equal the counts taken live from the three sources."""

from datetime import date
from typing import Any

import pytest

from dangvien.candidates.models import Candidate, Stage
from dangvien.factories import make_member, make_person, make_user, org
from dangvien.members.models import Member, Status
from dangvien.organisations.actions import move_organisation
from dangvien.organisations.models import Kind, Organisation, Sector, Village
from dangvien.people.models import OccupationGroup, Person, Sex
from dangvien.stats.admission_facts import (
    COLUMNS,
    live_facts,
    rebuild_admissions,
    refresh_admissions,
)
from dangvien.stats.models import AdmissionFact, AdmissionStale
from dangvien.stats.queries import facts
from dangvien.stats.tests.factories import make_admission

Tree = dict[str, Organisation]
NATION = Organisation(name="Toàn quốc", path="", depth=-1)
YEAR = (date(2026, 1, 1), date(2026, 12, 31))
# What ``live_facts`` selects, in the order of the facts' ``COLUMNS``.
LIVE_COLUMNS = ("_source", "_object", "_path", "_day", "_code")


def assert_facts_equal_live(tree: Tree) -> None:
    """The facts, once a count has refreshed them, are row for row the ones the live
    definition gives (``live_facts``): the same admissions with the same unit, day and
    breakdown code. And the statistics read from them equal the ones taken live, for every
    grouping they use (totals, months, to-date counts, breakdowns, villages), for the
    nation and the commune."""
    start, end = YEAR
    for node in (NATION, tree["commune"]):
        buckets: list[dict[str, Any]] = [{}, {"bucket": node}]
        for grouped in buckets:
            kept = facts.profile(node.path, start, end, by_month=True, **grouped)
            live = facts.profile(node.path, start, end, by_month=True, live=True, **grouped)
            assert kept == live, (node.path, grouped)
            options: dict[str, Any] = {"by_month": True, "to_date": date(start.year, 6, 30)}
            kept = facts.tally(node.path, start, end, **options, **grouped)
            live = facts.tally(node.path, start, end, live=True, **options, **grouped)
            assert kept == live, (node.path, grouped)
    assert not AdmissionStale.objects.exists()
    live_rows = {row for rows in live_facts() for row in rows.values_list(*LIVE_COLUMNS)}
    assert set(AdmissionFact.objects.values_list(*COLUMNS)) == live_rows


def direct_member(branch: Organisation, admitted_on: date, **fields: Any) -> Member:
    return make_member(
        branch=branch,
        status=Status.PROBATIONARY,
        admitted_on=admitted_on,
        probation_started_on=admitted_on,
        official_on=None,
        **fields,
    )


@pytest.fixture
def admitted(tree: Tree) -> dict[str, Any]:
    """Admissions of the three kinds in two years, in two communes."""
    hamlet = Village.objects.create(
        organisation=tree["commune"], org_path=tree["commune"].path, name="Thôn Đông"
    )
    rows = {
        "decided": make_admission(
            tree["village"], date(2026, 3, 2), person=make_person(village=hamlet, sex=Sex.FEMALE)
        ),
        "last_year": make_admission(tree["school_branch"], date(2025, 9, 2)),
        "elsewhere": make_admission(tree["other_branch"], date(2026, 5, 19)),
        "direct": direct_member(tree["clinic"], date(2026, 2, 3)),
        "readmitted": direct_member(
            tree["village"],
            date(2026, 6, 1),
            readmitted_on=date(2026, 6, 1),
            first_admitted_on=date(2001, 1, 1),
        ),
    }
    refresh_admissions()  # the facts as they stand (checked against live by the first test)
    return rows


def test_the_first_count_takes_every_queued_write_into_the_facts(
    tree: Tree, admitted: dict[str, Any]
) -> None:
    assert_facts_equal_live(tree)
    # The readmitted member counts twice: their first admission (2001) and the readmission.
    assert AdmissionFact.objects.count() == 6
    assert facts.admission_count(tree["commune"].path, date(2026, 1, 1), date(2026, 12, 31)) == 3


def test_a_decision_changed_rejected_or_deleted_is_counted_as_it_now_stands(
    tree: Tree, admitted: dict[str, Any]
) -> None:
    decided = admitted["decided"]
    Candidate.objects.filter(pk=decided.pk).update(decided_on=date(2025, 12, 31))
    assert_facts_equal_live(tree)
    Candidate.objects.filter(pk=decided.pk).update(stage=Stage.REJECTED)
    assert_facts_equal_live(tree)
    admitted["elsewhere"].delete()
    assert_facts_equal_live(tree)
    make_admission(tree["school_branch"], date(2026, 8, 19))
    assert_facts_equal_live(tree)


def test_a_member_who_gets_a_candidacy_is_no_longer_a_direct_admission(
    tree: Tree, admitted: dict[str, Any]
) -> None:
    direct = admitted["direct"]
    candidacy = make_admission(tree["clinic"], date(2026, 1, 20), stage=Stage.MEMBER)
    candidacy.member = direct
    candidacy.save(update_fields=["member"])
    assert_facts_equal_live(tree)
    assert not AdmissionFact.objects.filter(source="member", object_id=direct.pk).exists()
    candidacy.member = None
    candidacy.save(update_fields=["member"])
    assert_facts_equal_live(tree)
    assert AdmissionFact.objects.filter(source="member", object_id=direct.pk).exists()


def test_a_readmission_and_a_member_leaving_the_system_are_counted_as_they_now_stand(
    tree: Tree, admitted: dict[str, Any]
) -> None:
    member = admitted["direct"]
    Member.objects.filter(pk=member.pk).update(readmitted_on=date(2026, 10, 1))
    assert_facts_equal_live(tree)
    admitted["readmitted"].delete()
    assert_facts_equal_live(tree)


@pytest.mark.parametrize(
    "change",
    [
        {"sex": Sex.MALE},
        {"youth_union_member": True},
        {"ethnicity": "Tày"},
        {"religion": "Phật giáo"},
        {"occupation_group": OccupationGroup.STUDENT},
        {"village": None},
    ],
)
def test_a_persons_breakdown_fields_changed_in_bulk_move_the_breakdowns(
    tree: Tree, admitted: dict[str, Any], change: dict[str, Any]
) -> None:
    people = [admitted[key].person_id for key in ("decided", "direct", "readmitted")]
    Person.objects.filter(pk__in=people).update(**change)
    assert_facts_equal_live(tree)


def test_a_branch_changing_sector_moves_its_private_sector_admissions(
    tree: Tree, admitted: dict[str, Any]
) -> None:
    Organisation.objects.filter(pk=tree["village"].pk).update(sector=Sector.NON_STATE_ENTERPRISE)
    assert_facts_equal_live(tree)
    private = facts.admission_breakdown(tree["commune"].path, date(2026, 1, 1), date(2026, 12, 31))
    assert private["private_sector"] == 2


def test_a_subtree_moved_to_another_commune_takes_its_admissions_along(
    tree: Tree, admitted: dict[str, Any]
) -> None:
    moved = tree["village"]
    move_organisation(moved, new_parent=tree["other_commune"], by=make_user(is_superuser=True))
    assert_facts_equal_live(tree)
    moved.refresh_from_db()
    assert facts.admission_count(moved.path, date(2026, 1, 1), date(2026, 12, 31)) == 2


def test_a_save_that_changes_nothing_counted_queues_nothing(
    tree: Tree, admitted: dict[str, Any]
) -> None:
    member = admitted["direct"]
    member.official_on = date(2027, 2, 3)
    member.save()
    person = Person.objects.get(pk=member.person_id)
    person.phone = "0912345678"
    person.save()
    assert not AdmissionStale.objects.exists()


def test_a_rebuild_gives_the_facts_the_refresh_keeps(tree: Tree, admitted: dict[str, Any]) -> None:
    Person.objects.filter(pk=admitted["decided"].person_id).update(youth_union_member=True)
    refresh_admissions()
    kept = set(
        AdmissionFact.objects.values_list(*("source", "object_id", "org_path", "day", "code"))
    )
    assert rebuild_admissions() == len(kept) == 6
    rebuilt = set(
        AdmissionFact.objects.values_list("source", "object_id", "org_path", "day", "code")
    )
    assert rebuilt == kept


def test_the_code_from_a_join_on_the_person_is_the_code_looked_up_per_row(
    tree: Tree, admitted: dict[str, Any]
) -> None:
    """The full rebuild reads the person by a join (``live_facts(joined=True)``), the
    refresh by one look-up per admission: every breakdown bit and the village the same."""
    student = make_person(
        youth_union_member=True,
        ethnicity=" Tày ",
        religion="Phật giáo",
        occupation_group=OccupationGroup.STUDENT,
        sex=Sex.FEMALE,
    )
    private = org(Kind.BRANCH, tree["commune"], name="Chi bộ công ty")
    Organisation.objects.filter(pk=private.pk).update(sector=Sector.NON_STATE_ENTERPRISE)
    direct_member(private, date(2026, 4, 4), person=student)
    looked_up = {row for rows in live_facts() for row in rows.values_list(*LIVE_COLUMNS)}
    joined = {row for rows in live_facts(joined=True) for row in rows.values_list(*LIVE_COLUMNS)}
    assert joined == looked_up
    assert len(joined) == 7  # the readmitted member twice: first admission, readmission
    assert 63 in {code % 64 for *_rest, code in joined}  # every breakdown bit at once


def test_a_new_branch_added_under_the_province_is_counted_once_it_admits(
    tree: Tree, admitted: dict[str, Any]
) -> None:
    commune = org(Kind.COMMUNE, tree["province"])
    branch = org(Kind.BRANCH, commune)
    make_admission(branch, date(2026, 11, 3))
    direct_member(branch, date(2026, 11, 4))
    assert_facts_equal_live(tree)
