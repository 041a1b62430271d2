"""Setting and revising yearly admission targets: every rule and its Vietnamese refusal
(issue 6; seeds 001/003: each committee sets the targets of its subordinates)."""

import importlib
import threading
from datetime import date
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone

from dangvien.accounts.models import Role, User
from dangvien.core.audit import maintenance
from dangvien.core.errors import NotAllowed
from dangvien.core.models import AuditEvent
from dangvien.factories import in_own_thread, tree_2025, user_with_role
from dangvien.organisations.models import Organisation, ParentRule
from dangvien.stats.actions.targets import (
    InvalidTarget,
    TargetsRefused,
    set_children_targets,
    set_target,
)
from dangvien.stats.models import Target, TargetRevision

pytestmark = pytest.mark.django_db

Tree = dict[str, Organisation]
YEAR = 2026


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *a: date(2026, 6, 15))


@pytest.fixture
def province_staff(tree: Tree) -> User:
    """Organisation board of the province: sets the targets of the communes."""
    return user_with_role(Role.BOARD_STAFF, tree["province"])


@pytest.fixture
def commune_staff(tree: Tree) -> User:
    """Organisation board of the commune: sets the targets of its grassroots organisations."""
    return user_with_role(Role.BOARD_STAFF, tree["commune"])


def refusal(call: Any) -> InvalidTarget:
    with pytest.raises(InvalidTarget) as caught:
        call()
    return caught.value


def test_the_committee_above_sets_a_first_target_without_a_reason(
    tree: Tree, province_staff: User
) -> None:
    target = set_target(tree["commune"], year=YEAR, target=450, reason="", by=province_staff)
    assert (target.target, target.revision, target.reason, target.by) == (
        450,
        1,
        "",
        province_staff,
    )
    [first] = TargetRevision.objects.filter(target=target)
    assert (first.revision, first.value, first.previous, first.by) == (1, 450, None, province_staff)


def test_a_revision_keeps_the_previous_value_and_its_reason_in_the_history(
    tree: Tree, province_staff: User
) -> None:
    commune = tree["commune"]
    set_target(commune, year=YEAR, target=150, reason="KH 12-KH/TU", by=province_staff)
    target = set_target(
        commune, year=YEAR, target=180, reason="Bổ sung theo NQ 05", by=province_staff
    )
    assert (target.target, target.revision, target.reason) == (180, 2, "Bổ sung theo NQ 05")
    rows = list(TargetRevision.objects.filter(target=target).order_by("revision"))
    assert [(r.revision, r.previous, r.value, r.reason) for r in rows] == [
        (1, None, 150, "KH 12-KH/TU"),
        (2, 150, 180, "Bổ sung theo NQ 05"),
    ]


def test_a_revision_without_a_reason_is_refused(tree: Tree, province_staff: User) -> None:
    set_target(tree["commune"], year=YEAR, target=150, reason="", by=province_staff)
    error = refusal(
        lambda: set_target(tree["commune"], year=YEAR, target=160, reason="  ", by=province_staff)
    )
    assert str(error) == "Điều chỉnh chỉ tiêu cần ghi lý do."
    assert error.field == "reason"
    assert Target.objects.get().target == 150
    assert TargetRevision.objects.count() == 1


def test_setting_the_same_values_again_writes_no_revision(tree: Tree, province_staff: User) -> None:
    commune = tree["commune"]
    set_target(commune, year=YEAR, target=150, breakdown={"women": 40}, by=province_staff)
    again = set_target(
        commune, year=YEAR, target=150, breakdown={"women": 40}, reason="", by=province_staff
    )
    assert again.revision == 1
    assert TargetRevision.objects.count() == 1


def test_a_negative_target_is_refused(tree: Tree, province_staff: User) -> None:
    error = refusal(lambda: set_target(tree["commune"], year=YEAR, target=-5, by=province_staff))
    assert (str(error), error.field) == ("Chỉ tiêu kết nạp không được âm.", "target")
    assert not Target.objects.exists()


@pytest.mark.parametrize("value", ["mười", 12.5, None, True, "12,5"])
def test_a_target_that_is_not_a_whole_number_is_refused(
    tree: Tree, province_staff: User, value: Any
) -> None:
    error = refusal(lambda: set_target(tree["commune"], year=YEAR, target=value, by=province_staff))
    assert (str(error), error.field) == ("Chỉ tiêu kết nạp phải là một số nguyên.", "target")


def test_a_target_written_with_a_thousands_dot_is_read_as_vietnamese_write_it(
    tree: Tree, province_staff: User
) -> None:
    target = set_target(tree["commune"], year=YEAR, target="1.600", by=province_staff)
    assert target.target == 1600


def test_a_breakdown_above_the_target_is_refused_naming_the_breakdown(
    tree: Tree, province_staff: User
) -> None:
    error = refusal(
        lambda: set_target(
            tree["commune"], year=YEAR, target=20, breakdown={"women": 30}, by=province_staff
        )
    )
    assert str(error) == "Chỉ tiêu nữ (30) lớn hơn chỉ tiêu kết nạp (20)."
    assert error.field == "breakdown.women"


def test_lowering_the_target_below_a_kept_breakdown_is_refused(
    tree: Tree, province_staff: User
) -> None:
    commune = tree["commune"]
    set_target(commune, year=YEAR, target=100, breakdown={"youth_union": 60}, by=province_staff)
    error = refusal(
        lambda: set_target(commune, year=YEAR, target=50, reason="Giảm", by=province_staff)
    )
    assert str(error) == "Chỉ tiêu đoàn viên thanh niên (60) lớn hơn chỉ tiêu kết nạp (50)."


def test_a_negative_breakdown_is_refused(tree: Tree, province_staff: User) -> None:
    error = refusal(
        lambda: set_target(
            tree["commune"],
            year=YEAR,
            target=20,
            breakdown={"ethnic_minority": -1},
            by=province_staff,
        )
    )
    assert str(error) == "Chỉ tiêu người dân tộc thiểu số không được âm."
    assert error.field == "breakdown.ethnic_minority"


def test_an_unknown_breakdown_key_is_refused(tree: Tree, province_staff: User) -> None:
    error = refusal(
        lambda: set_target(
            tree["commune"], year=YEAR, target=20, breakdown={"veterans": 2}, by=province_staff
        )
    )
    assert str(error) == "Không có loại chỉ tiêu cụ thể “veterans”."
    assert error.field == "breakdown"


def test_the_breakdown_is_stored_in_the_statistics_order_and_empty_values_dropped(
    tree: Tree, province_staff: User
) -> None:
    target = set_target(
        tree["commune"],
        year=YEAR,
        target=100,
        breakdown={"villages_without_members": 3, "women": 30, "youth_union": None},
        by=province_staff,
    )
    assert list(target.breakdown.items()) == [("women", 30), ("villages_without_members", 3)]


def test_an_empty_breakdown_clears_it_and_counts_as_a_revision(
    tree: Tree, province_staff: User
) -> None:
    commune = tree["commune"]
    set_target(commune, year=YEAR, target=100, breakdown={"women": 30}, by=province_staff)
    target = set_target(
        commune, year=YEAR, target=100, breakdown={}, reason="Bỏ chỉ tiêu nữ", by=province_staff
    )
    assert (target.breakdown, target.revision) == ({}, 2)
    assert TargetRevision.objects.get(revision=2).previous == 100


@pytest.mark.parametrize("year", [1999, 2028])
def test_a_year_before_2000_or_beyond_next_year_is_refused(
    tree: Tree, province_staff: User, year: int
) -> None:
    error = refusal(lambda: set_target(tree["commune"], year=year, target=5, by=province_staff))
    assert (str(error), error.field) == ("Năm giao chỉ tiêu phải từ 2000 đến 2027.", "year")


def test_next_years_target_may_be_planned(tree: Tree, province_staff: User) -> None:
    assert set_target(tree["commune"], year=2027, target=5, by=province_staff).year == 2027


def test_a_branch_secretary_may_not_set_a_target(tree: Tree) -> None:
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["commune"])
    with pytest.raises(NotAllowed) as caught:
        set_target(tree["village"], year=YEAR, target=3, by=secretary)
    assert str(caught.value) == (
        "Bạn không được giao chỉ tiêu kết nạp cho Chi bộ thôn Đông: chỉ tiêu do cấp ủy cấp "
        "trên giao."
    )
    assert not Target.objects.exists()


def test_a_leader_only_views(tree: Tree) -> None:
    leader = user_with_role(Role.LEADER, tree["province"])
    with pytest.raises(NotAllowed):
        set_target(tree["commune"], year=YEAR, target=3, by=leader)


def test_a_committee_may_not_set_its_own_target(tree: Tree, commune_staff: User) -> None:
    with pytest.raises(NotAllowed) as caught:
        set_target(tree["commune"], year=YEAR, target=500, by=commune_staff)
    assert "chỉ tiêu do cấp ủy cấp trên giao" in str(caught.value)


def test_a_committee_sets_the_targets_of_the_nodes_below_it(
    tree: Tree, commune_staff: User
) -> None:
    assert set_target(tree["school"], year=YEAR, target=12, by=commune_staff).target == 12
    assert set_target(tree["school_branch"], year=YEAR, target=4, by=commune_staff).target == 4


def test_a_committee_may_not_set_targets_outside_its_subtree(
    tree: Tree, commune_staff: User
) -> None:
    with pytest.raises(NotAllowed):
        set_target(tree["other_branch"], year=YEAR, target=3, by=commune_staff)


def test_the_top_node_records_the_target_the_centre_gave_it(
    tree: Tree, province_staff: User
) -> None:
    target = set_target(
        tree["province"], year=YEAR, target=1600, reason="Seed 003", by=province_staff
    )
    assert target.target == 1600


def test_the_reason_is_stored_in_nfc_with_spaces_squeezed(tree: Tree, province_staff: User) -> None:
    decomposed = "Nghi\u0323 quyê\u0301t   05"
    target = set_target(tree["commune"], year=YEAR, target=1, reason=decomposed, by=province_staff)
    assert target.reason == "Nghị quyết 05"


def test_revisions_are_numbered_one_after_another(tree: Tree, province_staff: User) -> None:
    commune = tree["commune"]
    for value in (10, 12, 15, 15, 11):
        set_target(commune, year=YEAR, target=value, reason=f"Lần {value}", by=province_staff)
    rows = TargetRevision.objects.order_by("revision")
    assert [(r.revision, r.previous, r.value) for r in rows] == [
        (1, None, 10),
        (2, 10, 12),
        (3, 12, 15),
        (4, 15, 11),
    ]
    assert Target.objects.get().revision == 4


# ---- all the children in one save ------------------------------------------------------


def test_the_committee_sets_all_its_childrens_targets_in_one_save(
    tree: Tree, commune_staff: User
) -> None:
    village, school, clinic = tree["village"], tree["school"], tree["clinic"]
    saved = set_children_targets(
        tree["commune"],
        year=YEAR,
        targets={village.pk: 3, school.pk: 12, clinic.pk: 2},
        reason="KH 03-KH/ĐU",
        by=commune_staff,
    )
    assert len(saved) == 3
    assert dict(Target.objects.values_list("organisation_id", "target")) == {
        village.pk: 3,
        school.pk: 12,
        clinic.pk: 2,
    }


def test_an_error_on_one_child_saves_no_child_and_names_it(tree: Tree, commune_staff: User) -> None:
    village, school = tree["village"], tree["school"]
    with pytest.raises(TargetsRefused) as caught:
        set_children_targets(
            tree["commune"],
            year=YEAR,
            targets={village.pk: 3, school.pk: -1},
            reason="",
            by=commune_staff,
        )
    assert caught.value.errors == {
        school.pk: "Đảng bộ Trường THPT An Bình: Chỉ tiêu kết nạp không được âm."
    }
    assert "Đảng bộ Trường THPT An Bình" in str(caught.value)
    assert not Target.objects.exists()


def test_revising_a_child_in_the_one_save_needs_the_reason(tree: Tree, commune_staff: User) -> None:
    village, school = tree["village"], tree["school"]
    set_target(school, year=YEAR, target=10, by=commune_staff)
    with pytest.raises(TargetsRefused) as caught:
        set_children_targets(
            tree["commune"],
            year=YEAR,
            targets={village.pk: 3, school.pk: 11},
            reason="",
            by=commune_staff,
        )
    assert caught.value.errors["reason"] == "Điều chỉnh chỉ tiêu cần ghi lý do."
    assert caught.value.errors[school.pk] == (
        "Đảng bộ Trường THPT An Bình: Điều chỉnh chỉ tiêu cần ghi lý do."
    )
    assert list(Target.objects.values_list("organisation_id", "target")) == [(school.pk, 10)]


def test_unchanged_children_in_the_one_save_write_no_revision(
    tree: Tree, commune_staff: User
) -> None:
    village, school = tree["village"], tree["school"]
    set_target(school, year=YEAR, target=10, by=commune_staff)
    saved = set_children_targets(
        tree["commune"],
        year=YEAR,
        targets={village.pk: 3, school.pk: 10},
        reason="",
        by=commune_staff,
    )
    assert [t.organisation_id for t in saved] == [village.pk]
    assert TargetRevision.objects.filter(target__organisation=school).count() == 1


def test_a_node_that_is_not_a_child_is_refused_in_the_one_save(
    tree: Tree, commune_staff: User
) -> None:
    branch = tree["school_branch"]  # a grandchild of the commune
    with pytest.raises(TargetsRefused) as caught:
        set_children_targets(
            tree["commune"], year=YEAR, targets={branch.pk: 3}, reason="", by=commune_staff
        )
    assert caught.value.errors == {
        branch.pk: f"Tổ chức (mã {branch.pk}) không trực thuộc Đảng bộ xã An Bình."
    }


def test_a_user_who_may_not_set_the_children_changes_nothing(tree: Tree) -> None:
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["commune"])
    with pytest.raises(NotAllowed):
        set_children_targets(
            tree["commune"],
            year=YEAR,
            targets={tree["village"].pk: 3},
            reason="",
            by=secretary,
        )
    assert not Target.objects.exists()


# ---- two committee staff at once (PostgreSQL row locks) --------------------------------


def _committed_tree() -> tuple[int, Tree, list[User]]:
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    seed = importlib.import_module("dangvien.organisations.migrations.0002_seed_parent_rules")
    for parent_kind, child_kind in seed.RULES:
        ParentRule.objects.get_or_create(parent_kind=parent_kind, child_kind=child_kind)
    tree = tree_2025()
    users = [user_with_role(Role.BOARD_STAFF, tree["province"]) for _ in range(2)]
    return start, tree, users


def _delete_committed(start: int, tree: Tree, users: list[User]) -> None:
    TargetRevision.objects.filter(target__organisation__in=tree.values()).delete()
    Target.objects.filter(organisation__in=tree.values()).delete()
    for user in users:
        user.roles.all().delete()
        user.delete()
    for node in sorted(tree.values(), key=lambda o: -o.depth):
        node.delete()
    with maintenance("flush"):
        AuditEvent.objects.filter(id__gt=start).delete()


def _at_once(users: list[User], call: Any) -> list[Any]:
    barrier = threading.Barrier(len(users))
    outcomes: list[Any] = []

    def staff(user: User) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(call(user))
        except Exception as error:
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=staff, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.postgres
@pytest.mark.commits_in_threads
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_staff_revising_one_target_at_once_get_consecutive_revisions() -> None:
    start, tree, users = in_own_thread(_committed_tree)
    commune = tree["commune"]
    try:
        in_own_thread(lambda: set_target(commune, year=YEAR, target=100, by=users[0]))
        outcomes = _at_once(
            users,
            lambda user: set_target(
                commune, year=YEAR, target=100 + user.pk % 7 + 1, reason=f"{user}", by=user
            ),
        )
        assert all(isinstance(o, Target) for o in outcomes), outcomes
        rows = list(
            TargetRevision.objects.filter(target__organisation=commune).order_by("revision")
        )
        assert [r.revision for r in rows] == [1, 2, 3]
        assert rows[2].previous == rows[1].value  # the second saw the first's value
        assert Target.objects.get(organisation=commune).revision == 3
    finally:
        in_own_thread(lambda: _delete_committed(start, tree, users))


@pytest.mark.postgres
@pytest.mark.commits_in_threads
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_first_settings_at_once_make_one_target_and_a_revision() -> None:
    start, tree, users = in_own_thread(_committed_tree)
    commune = tree["commune"]
    try:
        outcomes = _at_once(
            users,
            lambda user: set_target(
                commune, year=YEAR, target=200 + users.index(user), reason="KH", by=user
            ),
        )
        assert all(isinstance(o, Target) for o in outcomes), outcomes
        rows = list(
            TargetRevision.objects.filter(target__organisation=commune).order_by("revision")
        )
        assert [(r.revision, r.previous is None) for r in rows] == [(1, True), (2, False)]
    finally:
        in_own_thread(lambda: _delete_committed(start, tree, users))
