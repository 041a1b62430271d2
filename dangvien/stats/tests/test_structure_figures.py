"""The member structure of a node on a date (stats.queries.structure; issue 6 "Statistics
of record"; DOMAIN.md §9)."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangvien.core.dates import full_years_between
from dangvien.factories import make_member, make_person, org
from dangvien.members.models import (
    Exemption,
    ExemptionReason,
    Member,
    Status,
    Transfer,
    TransferKind,
    TransferState,
)
from dangvien.organisations.models import Kind, Organisation
from dangvien.people.models import Education, OccupationGroup, PoliticalTheory
from dangvien.stats.queries.facts import AGE_BANDS, latest_birth
from dangvien.stats.queries.structure import age_key, structure

Tree = dict[str, Organisation]
D = date(2026, 5, 31)


def permanent_move(member: Member, to: Organisation, received_on: date) -> Transfer:
    """A permanent transfer received on ``received_on``: the member now belongs to ``to``
    (what ``members.actions.receive_transfer`` leaves behind)."""
    transfer = Transfer.objects.create(
        member=member,
        kind=TransferKind.PERMANENT,
        state=TransferState.RECEIVED,
        from_branch=member.branch,
        to_organisation=to,
        to_path=to.path,
        to_name=to.name,
        letter_no=f"GT-{member.pk}-{received_on:%Y%m%d}",
        issued_on=received_on - timedelta(days=5),
        present_by=received_on + timedelta(days=30),
        received_on=received_on,
    )
    Member.objects.filter(pk=member.pk).update(branch=to, org_path=to.path)
    member.refresh_from_db()
    return transfer


def temporary_stay(
    member: Member,
    to: Organisation,
    *,
    issued_on: date,
    received_on: date | None,
    returned_on: date | None = None,
    state: str = TransferState.RECEIVED,
) -> Transfer:
    return Transfer.objects.create(
        member=member,
        kind=TransferKind.TEMPORARY,
        state=state,
        from_branch=member.branch,
        to_organisation=to,
        to_path=to.path,
        to_name=to.name,
        letter_no=f"TT-{member.pk}-{issued_on:%Y%m%d}",
        issued_on=issued_on,
        present_by=issued_on + timedelta(days=30),
        received_on=received_on,
        returned_on=returned_on,
        until_on=issued_on + timedelta(days=200),
    )


def child(result: Any, node: Organisation) -> Any:
    return next(c for c in result.children if c.organisation == node and not c.direct)


# ---- who is a member on the day, and where --------------------------------------------


def test_a_member_is_counted_at_the_old_branch_before_a_permanent_transfer_and_at_the_new_one_after(
    tree: Tree,
) -> None:
    member = make_member(branch=tree["village"])
    permanent_move(member, tree["other_branch"], date(2026, 3, 1))

    before = date(2026, 2, 28)
    assert structure(tree["commune"], before).figures.total == 1
    assert child(structure(tree["commune"], before), tree["village"]).total == 1
    assert structure(tree["other_commune"], before).figures.total == 0
    assert child(structure(tree["province"], before), tree["commune"]).total == 1

    after = date(2026, 3, 1)
    assert structure(tree["commune"], after).figures.total == 0
    assert structure(tree["other_commune"], after).figures.total == 1
    assert child(structure(tree["province"], after), tree["other_commune"]).total == 1
    assert structure(tree["province"], before).figures.total == 1
    assert structure(tree["province"], after).figures.total == 1


def test_a_member_who_moved_twice_is_counted_where_they_were_on_each_day(tree: Tree) -> None:
    member = make_member(branch=tree["village"])
    permanent_move(member, tree["other_branch"], date(2026, 2, 1))
    permanent_move(member, tree["school_branch"], date(2026, 4, 1))

    on_jan = structure(tree["province"], date(2026, 1, 15))
    on_mar = structure(tree["province"], date(2026, 3, 15))
    on_may = structure(tree["province"], date(2026, 5, 15))
    assert child(on_jan, tree["commune"]).total == 1
    assert child(on_mar, tree["other_commune"]).total == 1
    assert child(on_mar, tree["commune"]).total == 0
    assert child(on_may, tree["commune"]).total == 1
    assert child(structure(tree["commune"], date(2026, 5, 15)), tree["school"]).total == 1
    assert child(structure(tree["commune"], date(2026, 1, 15)), tree["village"]).total == 1
    assert structure(tree["commune"], date(2026, 3, 15)).figures.total == 0


def test_a_moved_member_carries_their_breakdowns_to_the_node_they_were_at(tree: Tree) -> None:
    person = make_person(sex="female", ethnicity="Tày", religion="Phật giáo")
    member = make_member(branch=tree["village"], person=person)
    Exemption.objects.create(
        member=member, reason=ExemptionReason.ILL_HEALTH, from_on=date(2026, 1, 1)
    )
    permanent_move(member, tree["other_branch"], date(2026, 3, 1))

    village = child(structure(tree["commune"], date(2026, 2, 1)), tree["village"])
    assert village["sex:female"] == 1
    assert village["eth:minority"] == 1
    assert village["eth:g:tày"] == 1
    assert village["rel:religious"] == 1
    assert village.exempted == 1
    assert structure(tree["other_commune"], date(2026, 2, 1)).figures["sex:female"] == 0


def test_a_member_who_left_is_counted_before_and_not_on_or_after_the_day_they_left(
    tree: Tree,
) -> None:
    make_member(branch=tree["village"], status=Status.DECEASED, left_on=date(2026, 4, 10))
    make_member(branch=tree["village"])

    assert structure(tree["commune"], date(2026, 4, 9)).figures.total == 2
    assert structure(tree["commune"], date(2026, 4, 10)).figures.total == 1
    assert structure(tree["commune"], date(2027, 1, 1)).figures.total == 1


def test_a_member_counts_from_the_ceremony_or_without_one_from_the_decision(tree: Tree) -> None:
    make_member(
        branch=tree["village"],
        status=Status.PROBATIONARY,
        admitted_on=date(2026, 3, 1),
        probation_started_on=date(2026, 3, 20),
        official_on=None,
    )
    make_member(
        branch=tree["village"],
        admitted_on=date(2026, 4, 1),
        probation_started_on=None,
        official_on=None,
        status=Status.PROBATIONARY,
    )
    assert structure(tree["village"], date(2026, 3, 19)).figures.total == 0
    assert structure(tree["village"], date(2026, 3, 20)).figures.total == 1
    assert structure(tree["village"], date(2026, 4, 1)).figures.total == 2


def test_a_member_is_probationary_until_the_official_day_and_official_from_it(
    tree: Tree,
) -> None:
    make_member(
        branch=tree["village"],
        admitted_on=date(2025, 5, 10),
        probation_started_on=date(2025, 6, 1),
        official_on=date(2026, 6, 1),
    )
    make_member(branch=tree["village"])  # official since 2011

    on_eve = structure(tree["village"], date(2026, 5, 31)).figures
    assert (on_eve.total, on_eve.official, on_eve.probationary) == (2, 1, 1)
    on_day = structure(tree["village"], date(2026, 6, 1)).figures
    assert (on_day.total, on_day.official, on_day.probationary) == (2, 2, 0)


def test_a_member_with_a_letter_out_of_the_system_leaves_the_roll_the_day_it_is_issued(
    tree: Tree,
) -> None:
    member = make_member(branch=tree["village"])
    Transfer.objects.create(
        member=member,
        kind=TransferKind.PERMANENT,
        from_branch=tree["village"],
        to_name="Đảng bộ Công an tỉnh (ngoài hệ thống)",
        letter_no="GT-ngoai",
        issued_on=date(2026, 3, 1),
        present_by=date(2026, 4, 1),
    )
    assert structure(tree["commune"], date(2026, 2, 28)).figures.total == 1
    assert structure(tree["commune"], date(2026, 3, 1)).figures.total == 0
    assert structure(tree["province"], date(2026, 5, 1)).figures.total == 0


# ---- exempted, temporarily out and in ---------------------------------------------------


def test_a_member_is_exempted_only_on_the_days_the_exemption_covers(tree: Tree) -> None:
    member = make_member(branch=tree["village"])
    Exemption.objects.create(
        member=member,
        reason=ExemptionReason.MATERNITY,
        from_on=date(2026, 2, 1),
        until_on=date(2026, 3, 31),
    )
    make_member(branch=tree["village"], exempted_since=date(2026, 3, 15))

    assert structure(tree["commune"], date(2026, 1, 31)).figures.exempted == 0
    assert structure(tree["commune"], date(2026, 2, 1)).figures.exempted == 1
    assert structure(tree["commune"], date(2026, 3, 31)).figures.exempted == 2
    assert structure(tree["commune"], date(2026, 4, 1)).figures.exempted == 1
    assert structure(tree["commune"], date(2026, 4, 1)).figures.total == 2


def test_a_temporary_stay_counts_out_at_home_and_in_at_the_host_while_it_lasts(
    tree: Tree,
) -> None:
    member = make_member(branch=tree["village"])
    temporary_stay(
        member,
        tree["other_branch"],
        issued_on=date(2026, 1, 10),
        received_on=date(2026, 1, 15),
        returned_on=date(2026, 5, 1),
        state=TransferState.RETURNED,
    )

    letter_only = date(2026, 1, 12)
    assert structure(tree["commune"], letter_only).figures.temporarily_out == 1
    assert structure(tree["other_commune"], letter_only).figures.temporarily_in == 0

    away = date(2026, 2, 1)
    home = structure(tree["commune"], away).figures
    host = structure(tree["other_commune"], away).figures
    assert (home.total, home.temporarily_out, home.temporarily_in) == (1, 1, 0)
    assert (host.total, host.temporarily_out, host.temporarily_in) == (0, 0, 1)
    assert child(structure(tree["province"], away), tree["other_commune"]).temporarily_in == 1

    back = date(2026, 5, 1)
    assert structure(tree["commune"], back).figures.temporarily_out == 0
    assert structure(tree["other_commune"], back).figures.temporarily_in == 0


def test_a_cancelled_temporary_letter_never_counts(tree: Tree) -> None:
    member = make_member(branch=tree["village"])
    temporary_stay(
        member,
        tree["other_branch"],
        issued_on=date(2026, 1, 10),
        received_on=None,
        state=TransferState.CANCELLED,
    )
    assert structure(tree["commune"], date(2026, 1, 12)).figures.temporarily_out == 0


# ---- the tables ------------------------------------------------------------------------


def test_ages_fall_in_their_bands_exactly_at_the_birthdays(tree: Tree) -> None:
    def band_of(birth: date, on: date) -> str:
        make_member(branch=tree["clinic"], person=make_person(birth_date=birth))
        figures = structure(tree["clinic"], on).figures
        keys = [age_key(band.low, band.high) for band in AGE_BANDS]
        found = [key for key in keys if figures[key]]
        Member.objects.filter(branch=tree["clinic"]).delete()
        assert len(found) == 1
        return found[0]

    assert band_of(date(1995, 5, 31), date(2026, 5, 30)) == "age:18-30"  # 30 the day before
    assert band_of(date(1995, 5, 31), date(2026, 5, 31)) == "age:31-40"  # 31 on the birthday
    assert band_of(date(1996, 5, 31), date(2026, 5, 31)) == "age:18-30"
    assert band_of(date(1985, 6, 1), date(2026, 5, 31)) == "age:31-40"  # 41 tomorrow
    assert band_of(date(1985, 5, 31), date(2026, 5, 31)) == "age:41-50"
    assert band_of(date(1955, 5, 31), date(2026, 5, 31)) == "age:71-"  # trên 70
    assert band_of(date(1955, 6, 1), date(2026, 5, 31)) == "age:61-70"
    # Born 29/02: a year older on 28/02 of a common year, as core.dates counts age.
    assert band_of(date(1996, 2, 29), date(2027, 2, 28)) == "age:31-40"
    assert band_of(date(1996, 2, 29), date(2027, 2, 27)) == "age:18-30"


def test_latest_birth_agrees_with_the_age_everywhere_in_a_leap_cycle() -> None:
    start = date(2023, 12, 25)
    for offset in range(0, 800, 3):
        on = start + timedelta(days=offset)
        for years in (18, 31, 71):
            limit = latest_birth(on, years)
            assert full_years_between(limit, on) >= years
            assert full_years_between(limit + timedelta(days=1), on) < years


def test_ethnicity_is_kinh_or_a_minority_with_its_main_groups_named(tree: Tree) -> None:
    for ethnicity in ("Kinh", "kinh ", "Tày", "Tày", "Tày", "Mường", "Mường", "Thái"):
        make_member(branch=tree["village"], person=make_person(ethnicity=ethnicity))
    make_member(branch=tree["village"], person=make_person(ethnicity=""))

    result = structure(tree["commune"], D)
    lines = {
        line.category.label: line for line in result.lines(result.dimension("ethnicity").categories)
    }
    assert lines["Dân tộc Kinh"].count == 2
    assert lines["Dân tộc thiểu số"].count == 6
    assert lines["Dân tộc thiểu số"].percent == 66.7
    assert [
        (line.category.label, line.count)
        for line in result.lines(result.dimension("ethnicity").categories)
        if line.category.sub
    ] == [("Tày", 3), ("Mường", 2), ("Thái", 1)]
    assert lines["Chưa ghi dân tộc"].count == 1


def test_religion_is_none_or_each_religion(tree: Tree) -> None:
    for religion in ("Không", "", "Công giáo", "Công giáo", "Phật giáo"):
        make_member(branch=tree["village"], person=make_person(religion=religion))

    result = structure(tree["commune"], D)
    lines = [
        (line.category.label, line.count, line.percent)
        for line in result.lines(result.dimension("religion").categories)
    ]
    assert lines == [
        ("Không theo tôn giáo", 2, 40.0),
        ("Theo tôn giáo", 3, 60.0),
        ("Công giáo", 2, 40.0),
        ("Phật giáo", 1, 20.0),
    ]


def test_education_theory_and_occupation_follow_the_choice_order_with_unclassified_last(
    tree: Tree,
) -> None:
    make_member(
        branch=tree["village"],
        person=make_person(
            education_level=Education.UNIVERSITY,
            political_theory=PoliticalTheory.INTERMEDIATE,
            occupation_group=OccupationGroup.FARMER,
        ),
    )
    make_member(branch=tree["village"], person=make_person(occupation_group=""))

    result = structure(tree["commune"], D)
    education = result.lines(result.dimension("education").categories)
    assert [line.category.label for line in education] == [str(label) for label in Education.labels]
    assert {line.category.column: line.count for line in education}["edu:university"] == 1
    theory = {
        line.category.column: line.count
        for line in result.lines(result.dimension("political_theory").categories)
    }
    assert theory == {"pol:none": 1, "pol:primary": 0, "pol:intermediate": 1, "pol:advanced": 0}
    occupation = result.lines(result.dimension("occupation").categories)
    assert occupation[-1].category.label == "Chưa phân loại"
    assert occupation[-1].count == 1
    assert {line.category.column: line.count for line in occupation}["occ:farmer"] == 1


def test_every_table_adds_up_to_the_total(tree: Tree) -> None:
    for i in range(12):
        make_member(
            branch=[tree["village"], tree["school_branch"], tree["clinic"]][i % 3],
            person=make_person(
                sex=["male", "female"][i % 2],
                birth_date=date(1940 + 6 * i, 1 + i % 12, 1 + i),
                ethnicity=["Kinh", "Tày", "Mường"][i % 3],
                religion=["Không", "Công giáo"][i % 2],
                education_level=Education.values[i % len(Education.values)],
                occupation_group=([*OccupationGroup.values, ""])[i % 10],
            ),
        )
    result = structure(tree["commune"], D)
    for dimension in result.dimensions:
        top_level = [c for c in dimension.categories if not c.sub]
        assert sum(result.figures[c.column] for c in top_level) == 12, dimension.key


# ---- per child -------------------------------------------------------------------------


@pytest.fixture
def busy(tree: Tree) -> Tree:
    """Members of every kind under the commune and elsewhere, with moves and stays."""
    people = [
        dict(sex="female", ethnicity="Tày", religion="Phật giáo", birth_date=date(2000, 1, 1)),
        dict(sex="male", ethnicity="Kinh", religion="Không", birth_date=date(1960, 7, 1)),
        dict(sex="female", ethnicity="Mường", religion="Không", birth_date=date(1950, 3, 3)),
    ]
    branches = [tree["village"], tree["school_branch"], tree["clinic"], tree["other_branch"]]
    members = []
    for i in range(16):
        members.append(
            make_member(
                branch=branches[i % 4],
                person=make_person(**people[i % 3]),
                status=Status.PROBATIONARY if i % 5 == 0 else Status.OFFICIAL,
                probation_started_on=date(2025, 9, 1) if i % 5 == 0 else date(2010, 3, 20),
                official_on=None if i % 5 == 0 else date(2011, 3, 20),
                exempted_since=date(2026, 1, 1) if i % 7 == 0 else None,
            )
        )
    permanent_move(members[0], tree["other_branch"], date(2026, 6, 10))  # after D
    permanent_move(members[1], tree["village"], date(2026, 6, 20))  # inside, after D
    permanent_move(members[3], tree["clinic"], date(2026, 2, 1))  # in, before D
    temporary_stay(
        members[2], tree["other_branch"], issued_on=date(2026, 4, 1), received_on=date(2026, 4, 5)
    )
    temporary_stay(
        members[7], tree["school_branch"], issued_on=date(2026, 4, 1), received_on=date(2026, 4, 5)
    )
    return tree


def test_the_children_figures_add_up_to_the_node_and_equal_each_child_on_its_own(
    busy: Tree,
) -> None:
    for node in (busy["province"], busy["commune"]):
        result = structure(node, D)
        columns = set(result.figures.counts)
        for column in columns:
            assert sum(c[column] for c in result.children) == result.figures[column], column
        for item in result.children:
            alone = structure(item.organisation, D).figures
            for column in columns - {"eth:other", "rel:other"}:
                assert item[column] == alone[column], (item.label, column)
    assert structure(busy["province"], D).figures.total == 16


def test_the_figures_match_a_count_member_by_member(busy: Tree) -> None:
    """Brute force: each member's node on the day from their transfers, one by one."""
    for on in (date(2026, 1, 15), D, date(2026, 6, 15), date(2026, 7, 1)):
        expected: dict[str, int] = {}
        for member in Member.objects.select_related("person"):
            began = member.probation_started_on or member.admitted_on
            if began is None or began > on or (member.left_on and member.left_on <= on):
                continue
            later = member.transfers.filter(
                kind=TransferKind.PERMANENT, state=TransferState.RECEIVED, received_on__gt=on
            ).order_by("received_on")
            node = later[0].from_branch.path if later else member.org_path
            for name in ("village", "school", "clinic", "other_commune"):
                if node.startswith(busy[name].path):
                    expected[name] = expected.get(name, 0) + 1
        commune = structure(busy["commune"], on)
        for name in ("village", "school", "clinic"):
            assert child(commune, busy[name]).total == expected.get(name, 0), (on, name)
        assert structure(busy["other_commune"], on).figures.total == expected.get(
            "other_commune", 0
        )


def test_a_node_holding_members_shows_them_as_its_own_row(tree: Tree) -> None:
    make_member(branch=tree["clinic"])
    result = structure(tree["clinic"], D)
    assert [(c.label, c.total) for c in result.children] == [
        ("Chi bộ Trạm Y tế (trực thuộc trực tiếp)", 1)
    ]


# ---- queries ---------------------------------------------------------------------------


def queries(call: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def test_the_query_count_does_not_grow_with_the_tree_or_the_members(tree: Tree) -> None:
    make_member(branch=tree["village"])
    small = queries(lambda: structure(tree["province"], D))

    for i in range(6):
        commune = org(Kind.COMMUNE, tree["province"])
        branch = org(Kind.BRANCH, commune)
        for _ in range(4):
            make_member(branch=branch, person=make_person(ethnicity=f"Dân tộc {i}"))
    larger = queries(lambda: structure(tree["province"], D))
    assert larger == small == 4  # moves, grouped counts, temporary stays in, children

    moved = make_member(branch=tree["village"])
    permanent_move(moved, tree["other_branch"], date(2026, 7, 1))
    assert queries(lambda: structure(tree["province"], D)) == 5  # and the moved members
    assert queries(lambda: structure(tree["province"], date(2026, 7, 1))) == 4


def test_a_readmitted_member_counts_in_their_first_membership_and_again_after_readmission(
    tree: Tree,
) -> None:
    """readmit() rewrites the current dates; the first membership stays countable through
    first_admitted_on and the readmission gap (294-QĐ/TW §3.5)."""
    from dangvien.members.models import Gap
    from dangvien.members.queries.records import READMISSION_GAP

    branch = tree["village"]
    member = make_member(
        branch=branch,
        status=Status.PROBATIONARY,
        first_admitted_on=date(2001, 1, 1),
        admitted_on=date(2026, 2, 1),
        readmitted_on=date(2026, 2, 1),
        probation_started_on=date(2026, 2, 15),
        official_on=None,
    )
    Gap.objects.create(
        member=member, from_on=date(2020, 5, 1), until_on=date(2026, 2, 1), reason=READMISSION_GAP
    )
    during_first = structure(branch, date(2015, 6, 1)).figures
    assert (during_first.total, during_first.official) == (1, 1)
    assert structure(branch, date(2022, 6, 1)).figures.total == 0
    after = structure(branch, date(2026, 6, 1)).figures
    assert (after.total, after.probationary) == (1, 1)
