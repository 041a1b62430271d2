"""The structure rollup (stats.rollup, stats.triggers; issue 9): a top node's table and the
whole country's come from kept figures, and they are always the live count's figures.

Each test makes one kind of write after the rollup was built, then compares the table read
through the rollup with the live count (``_structure``: every column, every child row, the
tables and the named groups), and the rollup's rows with a fresh count of every slice."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dangvien.accounts.models import Role
from dangvien.core.tests import test_dbrouter
from dangvien.factories import make_member, make_person, org, tree_2025, user_with_role
from dangvien.members.models import (
    Exemption,
    ExemptionReason,
    Gap,
    Member,
    Transfer,
    TransferKind,
    TransferState,
)
from dangvien.members.queries.records import READMISSION_GAP
from dangvien.organisations.actions import move_organisation
from dangvien.organisations.models import Kind, Organisation
from dangvien.people.models import Education, Person
from dangvien.rowsecurity import scope
from dangvien.rowsecurity.tests import fixtures
from dangvien.stats import rollup
from dangvien.stats.models import StructureRollup, StructureStale
from dangvien.stats.queries.structure import (
    Structure,
    _structure,
    national_structure,
    slices,
    structure,
)
from dangvien.stats.tests.test_structure_figures import permanent_move, temporary_stay
from dangvien.stats.triggers import SLICE

Tree = dict[str, Organisation]
D = date(2026, 5, 31)
as_app = fixtures.as_app
replica = test_dbrouter.replica


class Clock:
    """``timezone.localdate()`` for the test: ``D`` until moved on."""

    def __init__(self) -> None:
        self.today = D

    def __call__(self, *args: Any) -> date:
        return self.today


@pytest.fixture(autouse=True)
def empty_queue(request: pytest.FixtureRequest) -> None:
    """Each test starts with an empty queue: rows written and committed by other modules'
    fixtures (set up once for a module, outside any test's transaction) would otherwise
    stand in it, and these tests check what a write queues. A transactional test starts
    from a flushed database already, and must not be given the ``db`` fixture (its flush
    and the seeds put back after it follow the ``transactional_db`` path)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("db")
    StructureStale.objects.all().delete()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    now = Clock()
    monkeypatch.setattr(timezone, "localdate", now)
    return now


@pytest.fixture
def nation(tree: Tree, clock: Clock) -> Tree:
    """Two provinces with members of every kind, and the rollup built for today."""
    second = org(Kind.PROVINCE, name="Tỉnh ủy Thứ Hai")
    far = org(Kind.COMMUNE, second, name="Đảng bộ xã Xa")
    far_branch = org(Kind.BRANCH, far, name="Chi bộ thôn Xa")
    people: list[dict[str, Any]] = [
        dict(sex="female", ethnicity="Tày", religion="Phật giáo"),
        dict(sex="male", ethnicity="Kinh", religion="Không", birth_date=date(1950, 1, 2)),
        dict(sex="female", ethnicity="tày", religion="Công giáo", birth_date=date(2000, 6, 1)),
        dict(sex="male", ethnicity="Mường", religion="", education_level=Education.UNIVERSITY),
        dict(sex="female", ethnicity="", religion="Cao Đài", birth_date=date(1960, 5, 31)),
    ]
    branches = [tree["village"], tree["school_branch"], tree["clinic"], tree["other_branch"]]
    for i, fields in enumerate(people * 2):
        make_member(person=make_person(**fields), branch=[*branches, far_branch][i % 5])
    make_member(branch=tree["village"], official_on=None, probation_started_on=D - timedelta(100))
    make_member(branch=tree["clinic"], exempted_since=D - timedelta(30))
    make_member(branch=far_branch, temporarily_away_since=D - timedelta(10))
    make_member(branch=tree["village"], left_on=D - timedelta(5))
    for top in (tree["province"], second):
        rollup.rebuild(top, D)
    return {**tree, "second": second, "far": far, "far_branch": far_branch}


def same(kept: Structure, live: Structure) -> None:
    """Two tables are the same: the figures, each child row, the tables, the names."""
    assert kept.figures.counts == live.figures.counts
    assert [(c.organisation.pk, c.direct, c.counts) for c in kept.children] == [
        (c.organisation.pk, c.direct, c.counts) for c in live.children
    ]
    assert kept.dimensions == live.dimensions
    assert kept.names == live.names


def counted(figures: Any) -> dict[str, int]:
    """A row's counts without the two columns derived from the named groups of the table
    it is shown in (``eth:other``, ``rel:other``): a province's row in the country's table
    counts them against the country's named groups, its own page against its own."""
    return {k: n for k, n in figures.counts.items() if k not in ("eth:other", "rel:other")}


def someone(node: Organisation) -> Member:
    """A member counted under ``node`` today (with a person of a minority, to be seen in
    every table)."""
    member = (
        Member.objects.filter(org_path__startswith=node.path, left_on__isnull=True)
        .order_by("pk")
        .first()
    )
    assert member is not None
    return member


def rows_of(top: Organisation) -> dict[str, Any]:
    return {
        r.slice_path: (r.day, r.counts)
        for r in StructureRollup.objects.filter(top=top.path, subtree=False)
    }


def exact(top: Organisation, on: date = D) -> Structure:
    """Read ``top``'s table through the rollup and check it against the live count, and
    every kept slice against a fresh count of that slice."""
    kept = structure(top, on)
    same(kept, _structure(top, on))
    counts, _names = slices(top.path, on, SLICE)
    assert rows_of(top) == {path: (on, figures) for path, figures in counts.items()}
    assert not StructureStale.objects.filter(top=top.path).exists()
    return kept


def test_the_rollup_answers_with_the_live_figures(nation: Tree) -> None:
    kept = exact(nation["province"])
    assert kept.figures.total == 10
    assert kept.figures["eth:g:tày"] == 4
    assert kept.group_name("eth", "tày") == "Tày"
    exact(nation["second"])


def test_the_table_is_read_from_the_rollup_without_counting_the_members(
    nation: Tree, django_assert_max_num_queries: Any
) -> None:
    exact(nation["province"])
    with django_assert_max_num_queries(4):  # the rows, the children, the scope set and reset
        structure(nation["province"], D)


def test_a_new_member_is_counted_at_once(nation: Tree) -> None:
    exact(nation["province"])
    make_member(branch=nation["other_branch"], person=make_person(sex="female"))
    assert StructureStale.objects.filter(top=nation["province"].path).exists()
    assert exact(nation["province"]).figures.total == 11


def test_a_member_who_leaves_is_no_longer_counted(nation: Tree) -> None:
    exact(nation["province"])
    member = someone(nation["commune"])
    Member.objects.filter(pk=member.pk).update(left_on=D)
    assert exact(nation["province"]).figures.total == 9


def test_a_member_record_deleted_is_no_longer_counted(nation: Tree) -> None:
    exact(nation["province"])
    Member.objects.filter(pk=make_member(branch=nation["clinic"]).pk).delete()
    assert exact(nation["province"]).figures.total == 10
    Member.objects.filter(pk=someone(nation["other_commune"]).pk).delete()
    assert exact(nation["province"]).figures.total == 9


def test_a_member_whose_official_date_comes_is_official_the_next_day(
    nation: Tree, clock: Clock
) -> None:
    make_member(branch=nation["village"], official_on=D + timedelta(1))
    assert exact(nation["province"]).figures.probationary == 2
    clock.today = D + timedelta(1)
    assert exact(nation["province"], D + timedelta(1)).figures.probationary == 1
    assert {day for day, _c in rows_of(nation["province"]).values()} == {D + timedelta(1)}


def test_a_permanent_transfer_received_moves_the_member_between_communes(nation: Tree) -> None:
    exact(nation["province"])
    member = someone(nation["commune"])
    permanent_move(member, nation["other_branch"], D)
    exact(nation["province"])


def test_a_transfer_between_provinces_moves_the_member_in_the_national_table(
    nation: Tree,
) -> None:
    tops = [nation["province"], nation["second"]]
    before = national_structure(tops, D)
    member = someone(nation["far"])
    permanent_move(member, nation["village"], D)
    after = national_structure(tops, D)
    assert after.figures.total == before.figures.total
    assert [c.total for c in after.children] == [
        before.children[0].total + 1,
        before.children[1].total - 1,
    ]
    assert [counted(c) for c in after.children] == [
        counted(_structure(top, D).figures) for top in tops
    ]


def test_a_member_received_after_today_is_counted_where_they_come_from(nation: Tree) -> None:
    """A transfer received after the day leaves the member at the branch they come from
    (``Moved.node_on``): a change to them, or a move of that branch, is that branch's,
    although no member row is there any more."""
    leaving = org(Kind.COMMUNE, nation["province"], name="Đảng bộ xã Sắp Chuyển")
    member = make_member(branch=org(Kind.BRANCH, leaving, name="Chi bộ thôn Sắp Chuyển"))
    permanent_move(member, nation["far_branch"], D + timedelta(5))
    assert exact(nation["province"]).figures.total == 11
    exact(nation["second"])
    Person.objects.filter(pk=member.person_id).update(sex="female", ethnicity="Dao")
    assert exact(nation["province"]).figures["eth:g:dao"] == 1
    move_organisation(leaving, new_parent=nation["second"], by=None)
    assert exact(nation["province"]).figures.total == 10
    assert exact(nation["second"]).figures["eth:g:dao"] == 1


def test_a_letter_out_of_the_system_takes_the_member_off_the_roll(nation: Tree) -> None:
    exact(nation["province"])
    member = someone(nation["other_commune"])
    Transfer.objects.create(
        member=member,
        kind=TransferKind.PERMANENT,
        state=TransferState.IN_FLIGHT,
        from_branch=member.branch,
        to_name="Đảng bộ Ngoài nước",
        letter_no="GT-ngoai",
        issued_on=D,
        present_by=D + timedelta(30),
    )
    assert exact(nation["province"]).figures.total == 9


def test_a_temporary_stay_received_is_counted_where_it_is_received(nation: Tree) -> None:
    exact(nation["province"])
    member = someone(nation["commune"])
    stay = temporary_stay(member, nation["other_branch"], issued_on=D, received_on=D)
    kept = exact(nation["province"])
    assert kept.figures.temporarily_in == 1
    Transfer.objects.filter(pk=stay.pk).update(returned_on=D, state=TransferState.RETURNED)
    assert exact(nation["province"]).figures.temporarily_in == 0
    Transfer.objects.filter(pk=stay.pk).update(returned_on=None, state=TransferState.RECEIVED)
    assert exact(nation["province"]).figures.temporarily_in == 1
    Transfer.objects.filter(pk=stay.pk).delete()
    assert exact(nation["province"]).figures.temporarily_in == 0


def test_an_exemption_is_counted_and_its_end_too(nation: Tree) -> None:
    exact(nation["province"])
    member = someone(nation["other_commune"])
    exemption = Exemption.objects.create(
        member=member, reason=ExemptionReason.ILL_HEALTH, from_on=D - timedelta(1)
    )
    assert exact(nation["province"]).figures.exempted == 2
    Exemption.objects.filter(pk=exemption.pk).update(until_on=D - timedelta(1))
    assert exact(nation["province"]).figures.exempted == 1
    Exemption.objects.filter(pk=exemption.pk).update(until_on=None)
    assert exact(nation["province"]).figures.exempted == 2
    Exemption.objects.filter(pk=exemption.pk).delete()
    assert exact(nation["province"]).figures.exempted == 1


@pytest.mark.parametrize(
    "change",
    [
        {"sex": "female"},
        {"ethnicity": "Ê Đê"},
        {"religion": "Tin Lành"},
        {"birth_date": date(1940, 1, 1)},
        {"education_level": Education.UNIVERSITY},
    ],
)
def test_a_person_edited_is_counted_with_the_new_values(
    nation: Tree, change: dict[str, Any]
) -> None:
    exact(nation["province"])
    member = someone(nation["commune"])
    Person.objects.filter(pk=member.person_id).update(**change)
    exact(nation["province"])


def test_a_person_saved_without_a_change_that_matters_queues_nothing(nation: Tree) -> None:
    exact(nation["province"])
    member = someone(nation["commune"])
    Person.objects.filter(pk=member.person_id).update(phone="0912345678")
    Member.objects.filter(pk=member.pk).update(card_number="123456")
    assert not StructureStale.objects.exists()


def test_a_commune_moved_to_another_province_moves_its_members(nation: Tree) -> None:
    exact(nation["province"])
    exact(nation["second"])
    move_organisation(nation["other_commune"], new_parent=nation["second"], by=None)
    exact(nation["province"])
    exact(nation["second"])
    tops = [nation["province"], nation["second"]]
    assert [counted(c) for c in national_structure(tops, D).children] == [
        counted(_structure(top, D).figures) for top in tops
    ]


def test_a_branch_moved_between_communes_moves_its_members(nation: Tree) -> None:
    exact(nation["province"])
    move_organisation(nation["clinic"], new_parent=nation["other_commune"], by=None)
    exact(nation["province"])


def test_a_readmission_gap_is_watched(nation: Tree) -> None:
    """A readmitted member counts within their first membership until the gap that starts
    when they left (``facts.first_membership_on``): the gap's row decides."""
    exact(nation["province"])
    member = make_member(
        branch=nation["village"],
        readmitted_on=D - timedelta(2),
        admitted_on=D - timedelta(2),
        probation_started_on=D + timedelta(3),
        official_on=None,
    )
    assert exact(nation["province"]).figures.total == 10
    Gap.objects.create(
        member=member, from_on=D + timedelta(1), until_on=D + timedelta(2), reason=READMISSION_GAP
    )
    assert exact(nation["province"]).figures.total == 11


def test_a_member_whose_branch_is_corrected_in_place_moves(nation: Tree) -> None:
    exact(nation["province"])
    member = someone(nation["commune"])
    Member.objects.filter(pk=member.pk).update(
        branch=nation["other_branch"], org_path=nation["other_branch"].path
    )
    exact(nation["province"])


def test_members_held_by_the_top_node_itself_are_its_own_row(nation: Tree) -> None:
    exact(nation["province"])
    make_member(branch=nation["province"], person=make_person(ethnicity="Nùng"))
    kept = exact(nation["province"])
    assert kept.children[0].direct and kept.children[0].total == 1


def test_many_writes_in_many_communes_are_counted_in_one_pass(nation: Tree) -> None:
    exact(nation["province"])
    for n in range(rollup.REBUILD_ABOVE + 1):
        commune = org(Kind.COMMUNE, nation["province"], name=f"Đảng bộ xã Mới {n}")
        make_member(branch=org(Kind.BRANCH, commune, name=f"Chi bộ Mới {n}"))
    assert exact(nation["province"]).figures.total == 10 + rollup.REBUILD_ABOVE + 1


def test_a_refresh_counts_again_only_the_slices_that_changed(nation: Tree) -> None:
    exact(nation["province"])
    StructureRollup.objects.filter(slice_path=nation["other_commune"].path).update(
        counts={"total": 99}
    )
    make_member(branch=nation["village"])
    structure(nation["province"], D)
    assert rows_of(nation["province"])[nation["other_commune"].path][1] == {"total": 99}
    assert not StructureStale.objects.exists()


def test_the_queue_of_a_province_is_drained_by_its_read_only(nation: Tree) -> None:
    make_member(branch=nation["village"])
    make_member(branch=nation["far_branch"])
    structure(nation["province"], D)
    assert set(StructureStale.objects.values_list("top", flat=True)) == {nation["second"].path}
    national_structure([nation["province"], nation["second"]], D)
    assert not StructureStale.objects.exists()


def test_a_past_day_is_counted_live_and_leaves_the_rollup_alone(nation: Tree) -> None:
    StructureRollup.objects.filter(top=nation["province"].path).update(counts={"total": 99})
    past = D - timedelta(1)
    assert structure(nation["province"], past).figures.total == 10
    assert all(c == {"total": 99} for _d, c in rows_of(nation["province"]).values())


def test_rows_kept_for_another_day_are_not_used_but_counted_again(nation: Tree) -> None:
    StructureRollup.objects.filter(top=nation["province"].path).update(
        day=D - timedelta(1), counts={"total": 99}
    )
    exact(nation["province"])


def test_a_reader_of_another_day_never_rebuilds_the_rollup(nation: Tree) -> None:
    """A request that began just before midnight asks for yesterday: it must not turn the
    rows built for today back into yesterday's."""
    yesterday = D - timedelta(1)
    make_member(branch=nation["village"])
    rollup.refresh([nation["province"]], yesterday)
    assert rollup.top_slices(nation["province"], yesterday) is None
    assert {day for day, _c in rows_of(nation["province"]).values()} == {D}
    assert StructureStale.objects.filter(top=nation["province"].path).exists()
    exact(nation["province"])


def test_the_command_rebuilds_every_tree_for_today(nation: Tree, clock: Clock) -> None:
    from io import StringIO

    from django.core.management import call_command

    clock.today = D + timedelta(1)
    out = StringIO()
    call_command("rebuild_structure_rollup", stdout=out)
    assert "Xong: 2 cây, ngày 01/06/2026" in out.getvalue()
    assert "Tỉnh ủy Thứ Hai:" in out.getvalue()
    assert set(StructureRollup.objects.values_list("day", flat=True)) == {D + timedelta(1)}
    exact(nation["province"], D + timedelta(1))


def test_the_minutely_job_counts_the_queued_slices_ahead_of_the_readers(
    nation: Tree, django_assert_max_num_queries: Any
) -> None:
    from io import StringIO

    from django.core.management import call_command

    make_member(branch=nation["village"])
    make_member(branch=nation["far_branch"])
    out = StringIO()
    call_command("refresh_structure_rollup", stdout=out)
    assert "Đã cập nhật 2 cây" in out.getvalue()
    assert not StructureStale.objects.exists()
    with django_assert_max_num_queries(4):  # the rows, the children: nothing to count
        structure(nation["province"], D)
    assert exact(nation["province"]).figures.total == 11


def test_a_province_never_built_is_built_by_its_first_read(tree: Tree, clock: Clock) -> None:
    make_member(branch=tree["village"])
    assert not StructureRollup.objects.exists()
    exact(tree["province"])
    assert StructureRollup.objects.filter(top=tree["province"].path, subtree=True).exists()


def test_the_whole_country_counted_in_one_pass_gives_the_rows_of_the_rebuild_top_by_top(
    nation: Tree,
) -> None:
    """``rebuild_all_together`` (the generator's: one count of the root shared out to the
    top nodes) writes exactly the rows ``rebuild_all`` writes, moves between provinces,
    temporary stays and members held by a top node itself included."""
    permanent_move(someone(nation["far"]), nation["village"], D + timedelta(3))
    permanent_move(someone(nation["commune"]), nation["far_branch"], D - timedelta(2))
    temporary_stay(
        someone(nation["commune"]), nation["far_branch"], issued_on=D - timedelta(9),
        received_on=D - timedelta(8),
    )  # fmt: skip
    make_member(branch=nation["second"])
    empty = org(Kind.PROVINCE, name="Tỉnh ủy Chưa Có Ai")

    def kept() -> list[tuple[Any, ...]]:
        return sorted(
            (r.top, r.slice_path, r.subtree, r.day, r.counts, r.names)
            for r in StructureRollup.objects.all()
        )

    assert rollup.rebuild_all(D) == 3
    top_by_top = kept()
    StructureStale.objects.create(top=nation["second"].path, slice_path=nation["second"].path)
    assert rollup.rebuild_all_together(D) == 3
    assert kept() == top_by_top
    assert not StructureStale.objects.exists()
    assert StructureRollup.objects.filter(top=empty.path, subtree=True).count() == 1
    exact(nation["province"])
    exact(nation["second"])


def test_a_node_below_the_top_is_counted_live(nation: Tree) -> None:
    StructureRollup.objects.update(counts={"total": 99})
    assert structure(nation["commune"], D).figures.total == 8


def test_the_national_table_is_the_provinces_tables_side_by_side(nation: Tree) -> None:
    tops = [nation["province"], nation["second"]]
    kept = national_structure(tops, D)
    each = [_structure(top, D) for top in tops]
    assert [counted(c) for c in kept.children] == [counted(e.figures) for e in each]
    assert kept.figures.total == sum(e.figures.total for e in each)
    assert kept.figures["eth:g:tày"] == sum(e.figures["eth:g:tày"] for e in each)
    past = national_structure(tops, D - timedelta(1))
    assert [counted(c) for c in past.children] == [
        counted(_structure(top, D - timedelta(1)).figures) for top in tops
    ]


def test_a_province_row_counts_its_other_groups_against_the_countrys_named_groups(
    nation: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dangvien.stats.queries import structure as module

    monkeypatch.setattr(module, "MAIN_GROUPS", 1)
    make_member(branch=nation["far_branch"], person=make_person(ethnicity="Dao"))
    own = structure(nation["second"], D)
    assert own.figures["eth:g:dao"] == 1 and own.figures["eth:other"] == 0
    row = national_structure([nation["province"], nation["second"]], D).children[1]
    assert row.organisation == nation["second"]
    assert row["eth:minority"] == 1 and row["eth:other"] == 1  # the country names only Tày


def test_the_national_table_of_nodes_below_the_top_counts_them_live(nation: Tree) -> None:
    tops = [nation["commune"], nation["far"]]
    kept = national_structure(tops, D)
    assert [counted(c) for c in kept.children] == [
        counted(_structure(top, D).figures) for top in tops
    ]


def test_rebuilding_everything_drops_the_rows_of_nodes_that_are_no_longer_top(
    nation: Tree,
) -> None:
    StructureRollup.objects.create(top="99999999/", slice_path="99999999/", day=D, subtree=True)
    StructureStale.objects.create(top="99999999/", slice_path="99999999/00000001/")
    assert rollup.rebuild_all(D) == 2
    assert set(StructureRollup.objects.values_list("top", flat=True)) == {
        nation["province"].path,
        nation["second"].path,
    }
    assert not StructureStale.objects.exists()
    exact(nation["province"])


# ---- PostgreSQL: the application's role, row-level security, the refresh lock -------------


@pytest.mark.postgres
@pytest.mark.as_owner
def test_the_application_role_queues_its_writes_and_refreshes_the_rollup(
    nation: Tree, as_app: Any
) -> None:
    """As the application's role, in a commune's scope: the triggers write the queue (not
    under row-level security) and the read refreshes the rollup (under ``unrestricted``),
    whose rows the commune's scope would hide."""
    member = someone(nation["other_commune"])
    with as_app(), scope.with_scope(nation["other_commune"].path):
        Person.objects.filter(pk=member.person_id).update(religion="Hòa Hảo")
        Exemption.objects.create(member=member, reason=ExemptionReason.ILL_HEALTH, from_on=D)
        assert set(StructureStale.objects.values_list("slice_path", flat=True)) == {
            nation["other_commune"].path
        }
        kept = structure(nation["province"], D)
        assert not StructureStale.objects.exists()
    same(kept, _structure(nation["province"], D))
    assert kept.figures["rel:g:hòa hảo"] == 1


@pytest.mark.postgres
@pytest.mark.as_owner
def test_the_rollup_rows_are_protected_like_the_members(nation: Tree, as_app: Any) -> None:
    with as_app(), scope.with_scope(nation["commune"].path):
        assert set(StructureRollup.objects.values_list("slice_path", flat=True)) == {
            nation["commune"].path
        }
    with as_app(), scope.with_scope(""):
        assert not StructureRollup.objects.exists()


@pytest.mark.postgres
def test_a_refresh_holds_the_top_nodes_lock_until_it_commits(nation: Tree) -> None:
    """Two readers never refresh one top at once: the second waits for the first's
    commit (here the test's transaction, which the refresh runs inside)."""
    import psycopg

    make_member(branch=nation["village"])
    structure(nation["province"], D)
    with psycopg.connect(**connection.get_connection_params()) as other:
        taken = other.execute(
            "SELECT pg_try_advisory_lock(%s, %s), pg_try_advisory_lock(%s, %s)",
            [rollup.LOCK_CLASS, nation["province"].pk, rollup.LOCK_CLASS, nation["commune"].pk],
        ).fetchone()
    assert taken == (False, True)  # the province's lock is held; another id's is free


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_a_refresh_inside_a_report_counts_on_the_primary(replica: str, clock: Clock) -> None:
    """Report pages read on the replica (``core.dbrouter``), which may lag: the refresh
    empties the queue on the primary, so it must count there too, or it would keep
    yesterday's figures with nothing left to say so."""
    from dangvien.core.dbrouter import PRIMARY, REPLICA, reporting
    from dangvien.core.tests.test_dbrouter import tables

    tree = tree_2025()
    make_member(branch=tree["village"])
    rollup.rebuild(tree["province"], D)
    make_member(branch=tree["other_branch"])
    with (
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
        CaptureQueriesContext(connections[PRIMARY]) as on_primary,
        reporting(),
    ):
        kept = structure(tree["province"], D)
    assert kept.figures.total == 2
    assert not [q for q in on_replica if "members_member" in tables(q["sql"])]
    assert [q for q in on_primary if "members_member" in tables(q["sql"])]
    same(kept, _structure(tree["province"], D))


def test_the_page_and_the_api_answer_as_they_did_with_the_live_count(
    nation: Tree, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dangvien.accounts.actions import issue_api_token
    from dangvien.stats.queries import structure as module

    user = user_with_role(Role.BOARD_STAFF, nation["province"])
    client.force_login(user)
    token, _row = issue_api_token(user, by=user)
    lives: list[Any] = []
    live_count = module._structure

    def live(*args: Any) -> Any:
        lives.append(args)
        return live_count(*args)

    monkeypatch.setattr(module, "_structure", live)

    def answers() -> list[Any]:
        out = []
        for by in ("", "ethnicity", "religion", "age"):
            page = client.get(reverse("stats:structure", args=[nation["province"].pk]), {"by": by})
            assert page.status_code == 200
            out.append([page.context[k] for k in ("children", "tables", "totals", "columns")])
        api = client.get(
            "/api/v1/statistics/structure",
            {"organisation": nation["province"].pk},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert api.status_code == 200
        return [out, api.json()]

    kept = answers()
    assert lives == []  # every answer came from the rollup
    monkeypatch.setattr(rollup, "top_slices", lambda *a: None)
    assert answers() == kept
    assert len(lives) == 5
