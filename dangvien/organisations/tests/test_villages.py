"""Villages and residential groups (thôn, tổ dân phố) of a commune: names unique in the
commune, the chi bộ in charge under it, closing only hides them from the choices, and the
commune's page lists them with who lives there (issue 6; DOMAIN.md §9)."""

import pytest

from dangvien.accounts.models import Role
from dangvien.candidates.models import Stage
from dangvien.core.errors import Conflict, NotEligible
from dangvien.factories import make_candidate, make_member, make_person, org, user_with_role
from dangvien.members.models import Status
from dangvien.organisations.actions import (
    add_village,
    close_village,
    edit_village,
    move_organisation,
    reopen_village,
)
from dangvien.organisations.models import Kind, Sector, Village, VillageKind
from dangvien.organisations.queries import (
    village_choices,
    village_rows,
    villages_above,
    visible_villages,
)


@pytest.fixture
def staff(tree):
    """Organisation board staff of the An Bình commune."""
    return user_with_role(Role.BOARD_STAFF, tree["commune"])


# ---- add -------------------------------------------------------------------------------


def test_a_village_belongs_to_its_commune_and_copies_its_path(tree, staff):
    village = add_village(tree["commune"], name="Thôn  Đông", branch=tree["village"], by=staff)
    assert village.organisation == tree["commune"]
    assert village.org_path == tree["commune"].path
    assert village.name == "Thôn Đông"  # NFC, spaces squeezed
    assert village.kind == VillageKind.VILLAGE
    assert village.branch == tree["village"]
    assert village.active


def test_a_residential_group_is_a_kind_of_village(tree, staff):
    group = add_village(
        tree["commune"], name="Tổ dân phố 3", kind=VillageKind.RESIDENTIAL_GROUP, by=staff
    )
    assert group.get_kind_display() == "Tổ dân phố, khu phố"


def test_a_village_name_already_used_in_the_commune_is_refused_ignoring_case_and_accents(
    tree, staff
):
    add_village(tree["commune"], name="Thôn Đông", by=staff)
    with pytest.raises(Conflict) as refused:
        add_village(tree["commune"], name="thon dong", by=staff)
    assert str(refused.value) == "Đảng bộ xã An Bình đã có thôn, tổ dân phố “Thôn Đông”."
    assert refused.value.field == "name"
    assert Village.objects.count() == 1


def test_the_same_name_in_another_commune_is_fine(tree, staff):
    add_village(tree["commune"], name="Thôn Đông", by=staff)
    add_village(tree["other_commune"], name="Thôn Đông", by=None)
    assert Village.objects.count() == 2


def test_a_closed_village_still_holds_its_name_and_the_refusal_says_so(tree, staff):
    village = add_village(tree["commune"], name="Thôn Đông", by=staff)
    close_village(village, by=staff)
    with pytest.raises(Conflict) as refused:
        add_village(tree["commune"], name="Thôn Đông", by=staff)
    assert "(đã đóng: mở lại thay vì thêm mới)" in str(refused.value)


def test_a_village_needs_a_name(tree, staff):
    with pytest.raises(NotEligible) as refused:
        add_village(tree["commune"], name="  ", by=staff)
    assert str(refused.value) == "Cần ghi tên thôn, tổ dân phố."


def test_an_unknown_village_kind_is_refused(tree, staff):
    with pytest.raises(NotEligible) as refused:
        add_village(tree["commune"], name="Thôn Bắc", kind="hamlet", by=staff)
    assert str(refused.value) == "Loại thôn, tổ dân phố không hợp lệ."


def test_the_branch_in_charge_must_be_a_chi_bo_under_the_same_commune(tree, staff):
    with pytest.raises(NotEligible) as refused:
        add_village(tree["commune"], name="Thôn Bắc", branch=tree["other_branch"], by=staff)
    assert str(refused.value) == "Chi bộ phụ trách phải là một chi bộ thuộc Đảng bộ xã An Bình."
    assert refused.value.field == "branch_id"
    with pytest.raises(NotEligible):
        add_village(tree["commune"], name="Thôn Bắc", branch=tree["school"], by=staff)
    assert not Village.objects.exists()


def test_a_chi_bo_co_so_may_be_in_charge_of_a_village(tree, staff):
    village = add_village(tree["commune"], name="Thôn Bắc", branch=tree["clinic"], by=staff)
    assert village.branch == tree["clinic"]


def test_one_branch_may_serve_several_villages(tree, staff):
    add_village(tree["commune"], name="Thôn Đông", branch=tree["village"], by=staff)
    add_village(tree["commune"], name="Thôn Đoài", branch=tree["village"], by=staff)
    assert tree["village"].served_villages.count() == 2


def test_villages_belong_to_a_commune_not_to_a_branch_or_a_grassroots_organisation(tree, staff):
    for node in (tree["village"], tree["school"]):
        with pytest.raises(NotEligible) as refused:
            add_village(node, name="Thôn Bắc", by=staff)
        assert str(refused.value) == (
            "Thôn, tổ dân phố thuộc đảng bộ xã, phường, đặc khu (hoặc cấp ủy cấp trên)."
        )


def test_in_the_older_layout_a_commune_grassroots_committee_holds_villages(db):
    district = org(Kind.DISTRICT, org(Kind.PROVINCE))
    commune = org(Kind.GRASSROOTS_COMMITTEE, district, sector=Sector.COMMUNE_WARD)
    branch = org(Kind.BRANCH, commune)
    village = add_village(commune, name="Thôn 1", branch=branch, by=None)
    assert village.org_path == commune.path


# ---- edit, close, reopen ---------------------------------------------------------------


def test_a_village_is_renamed_and_given_another_branch(tree, staff):
    village = add_village(tree["commune"], name="Thôn Đông", by=staff)
    edit_village(
        village,
        name="Thôn Đông Hạ",
        kind=VillageKind.RESIDENTIAL_GROUP,
        branch=tree["clinic"],
        by=staff,
    )
    village.refresh_from_db()
    assert (village.name, village.kind, village.branch) == (
        "Thôn Đông Hạ",
        VillageKind.RESIDENTIAL_GROUP,
        tree["clinic"],
    )


def test_a_rename_onto_another_villages_name_is_refused_but_keeping_its_own_is_fine(tree, staff):
    add_village(tree["commune"], name="Thôn Đông", by=staff)
    west = add_village(tree["commune"], name="Thôn Tây", by=staff)
    with pytest.raises(Conflict):
        edit_village(west, name="THÔN ĐÔNG", kind=west.kind, branch=None, by=staff)
    edit_village(west, name="Thôn Tây", kind=west.kind, branch=tree["village"], by=staff)
    assert Village.objects.get(pk=west.pk).branch == tree["village"]


def test_an_edit_with_a_branch_outside_the_commune_is_refused(tree, staff):
    village = add_village(tree["commune"], name="Thôn Đông", by=staff)
    with pytest.raises(NotEligible):
        edit_village(
            village, name="Thôn Đông", kind=village.kind, branch=tree["other_branch"], by=staff
        )
    assert Village.objects.get(pk=village.pk).branch is None


def test_closing_a_village_hides_it_from_the_choices_but_its_residents_keep_it(tree, staff):
    village = add_village(tree["commune"], name="Thôn Đông", by=staff)
    resident = make_member(branch=tree["village"], person=make_person(village=village))
    close_village(village, by=staff)
    assert not Village.objects.get(pk=village.pk).active
    resident.person.refresh_from_db()
    assert resident.person.village == village
    choices = village_choices(villages_above(tree["village"]))
    assert village.pk not in [value for value, _label in choices]
    kept = village_choices(villages_above(tree["village"]), keep=village.pk)
    assert (village.pk, "Thôn Đông (đã đóng)") in kept


def test_a_closed_village_cannot_be_closed_again_and_can_be_reopened(tree, staff):
    village = add_village(tree["commune"], name="Thôn Đông", by=staff)
    close_village(village, by=staff)
    with pytest.raises(Conflict) as refused:
        close_village(village, by=staff)
    assert str(refused.value) == "Thôn, tổ dân phố “Thôn Đông” đã đóng."
    reopen_village(village, by=staff)
    assert Village.objects.get(pk=village.pk).active
    with pytest.raises(Conflict):
        reopen_village(village, by=staff)


def test_a_moved_commune_takes_its_villages_paths_along(tree, staff):
    village = add_village(tree["commune"], name="Thôn Đông", by=staff)
    other_province = org(Kind.PROVINCE)
    move_organisation(tree["commune"], new_parent=other_province, by=None)
    tree["commune"].refresh_from_db()
    assert Village.objects.get(pk=village.pk).org_path == tree["commune"].path


# ---- queries ---------------------------------------------------------------------------


def test_the_villages_above_a_branch_are_those_of_its_commune(tree, staff):
    east = add_village(tree["commune"], name="Thôn Đông", by=staff)
    add_village(tree["other_commune"], name="Thôn Tây", by=None)
    assert list(villages_above(tree["school_branch"])) == [east]
    assert list(villages_above(tree["village"])) == [east]


def test_choices_are_grouped_by_commune_when_there_are_several(tree, staff):
    east = add_village(tree["commune"], name="Thôn Đông", by=staff)
    west = add_village(tree["other_commune"], name="Thôn Tây", by=None)
    choices = village_choices(Village.objects.all())
    assert choices == [
        ("", "— Chưa chọn —"),
        ("Đảng bộ xã An Bình", [(east.pk, "Thôn Đông")]),
        ("Đảng bộ xã Hòa Lạc", [(west.pk, "Thôn Tây")]),
    ]


def test_a_village_row_counts_active_members_and_candidates_in_the_pipeline(tree, staff):
    east = add_village(tree["commune"], name="Thôn Đông", by=staff)
    add_village(tree["commune"], name="Thôn Đoài", by=staff)
    make_member(branch=tree["village"], person=make_person(village=east))
    make_member(
        branch=tree["school_branch"], person=make_person(village=east), status=Status.PROBATIONARY
    )
    make_member(branch=tree["village"], person=make_person(village=east), status=Status.DECEASED)
    make_candidate(branch=tree["village"], person=make_person(village=east))
    make_candidate(branch=tree["village"], person=make_person(village=east), stage=Stage.WITHDRAWN)
    rows = {row.village.name: row for row in village_rows(tree["commune"])}
    assert (rows["Thôn Đông"].members, rows["Thôn Đông"].candidates) == (2, 1)
    assert (rows["Thôn Đoài"].members, rows["Thôn Đoài"].candidates) == (0, 0)


def test_village_rows_take_three_queries_whatever_the_number_of_villages(
    tree, staff, django_assert_num_queries
):
    for n in range(6):
        village = add_village(tree["commune"], name=f"Thôn {n}", branch=tree["village"], by=staff)
        make_member(branch=tree["village"], person=make_person(village=village))
    with django_assert_num_queries(3):
        rows = village_rows(tree["commune"])
        assert [row.village.branch for row in rows] == [tree["village"]] * 6
        assert [row.members for row in rows] == [1] * 6


def test_visible_villages_are_those_of_communes_in_the_users_scope(tree, staff):
    east = add_village(tree["commune"], name="Thôn Đông", by=staff)
    add_village(tree["other_commune"], name="Thôn Tây", by=None)
    assert list(visible_villages(staff)) == [east]
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    assert not visible_villages(secretary).exists()


# ---- pages -----------------------------------------------------------------------------


def test_the_commune_page_lists_its_villages_with_residents(client, tree, staff):
    east = add_village(tree["commune"], name="Thôn Đông", branch=tree["village"], by=staff)
    add_village(tree["commune"], name="Tổ dân phố 2", kind=VillageKind.RESIDENTIAL_GROUP, by=staff)
    make_member(branch=tree["village"], person=make_person(village=east))
    client.force_login(staff)
    page = client.get(f"/to-chuc/{tree['commune'].pk}/").content.decode()
    assert "Thôn, tổ dân phố" in page
    assert "Thôn Đông" in page and "Tổ dân phố 2" in page
    assert "Chưa có đảng viên" in page  # Tổ dân phố 2
    assert f'action="/to-chuc/{tree["commune"].pk}/thon/them/"' in page
    assert f"/to-chuc/thon/{east.pk}/sua/" in page


def test_a_leader_sees_the_villages_but_not_the_forms(client, tree, staff):
    add_village(tree["commune"], name="Thôn Đông", by=staff)
    client.force_login(user_with_role(Role.LEADER, tree["province"]))
    page = client.get(f"/to-chuc/{tree['commune'].pk}/").content.decode()
    assert "Thôn Đông" in page
    assert "thon/them" not in page and "/sua/" not in page


def test_a_branch_page_has_no_village_section(client, tree, staff):
    client.force_login(staff)
    page = client.get(f"/to-chuc/{tree['village'].pk}/").content.decode()
    assert 'id="villages"' not in page


def test_staff_add_a_village_from_the_page(client, tree, staff):
    client.force_login(staff)
    response = client.post(
        f"/to-chuc/{tree['commune'].pk}/thon/them/",
        {"name": "Thôn Nam", "kind": VillageKind.VILLAGE, "branch": tree["village"].pk},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#villages")
    assert Village.objects.get().branch == tree["village"]


def test_a_duplicate_village_from_the_page_answers_409_with_the_message(client, tree, staff):
    add_village(tree["commune"], name="Thôn Nam", by=staff)
    client.force_login(staff)
    response = client.post(
        f"/to-chuc/{tree['commune'].pk}/thon/them/", {"name": "thôn nam", "kind": "village"}
    )
    assert response.status_code == 409
    assert "Đảng bộ xã An Bình đã có thôn, tổ dân phố “Thôn Nam”." in response.content.decode()
    assert Village.objects.count() == 1


def test_the_village_pages_outside_the_scope_answer_404(client, tree, staff):
    west = add_village(tree["other_commune"], name="Thôn Tây", by=None)
    client.force_login(staff)
    assert client.get(f"/to-chuc/thon/{west.pk}/sua/").status_code == 404
    assert client.post(f"/to-chuc/thon/{west.pk}/dong/").status_code == 404
    response = client.post(
        f"/to-chuc/{tree['other_commune'].pk}/thon/them/", {"name": "Thôn X", "kind": "village"}
    )
    assert response.status_code == 404
    assert Village.objects.get(pk=west.pk).active


def test_a_branch_secretary_cannot_reach_the_communes_villages(client, tree, staff):
    east = add_village(tree["commune"], name="Thôn Đông", by=staff)
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    assert client.get(f"/to-chuc/thon/{east.pk}/sua/").status_code == 404


def test_a_leader_may_not_change_a_village(client, tree, staff):
    east = add_village(tree["commune"], name="Thôn Đông", by=staff)
    client.force_login(user_with_role(Role.LEADER, tree["province"]))
    assert client.post(f"/to-chuc/thon/{east.pk}/dong/").status_code == 403
    assert Village.objects.get(pk=east.pk).active


def test_staff_edit_close_and_reopen_a_village_from_the_pages(client, tree, staff):
    east = add_village(tree["commune"], name="Thôn Đông", by=staff)
    client.force_login(staff)
    form = client.get(f"/to-chuc/thon/{east.pk}/sua/")
    assert form.status_code == 200
    assert 'value="Thôn Đông"' in form.content.decode()
    response = client.post(
        f"/to-chuc/thon/{east.pk}/sua/",
        {"name": "Thôn Đông Thượng", "kind": "village", "branch": tree["clinic"].pk},
    )
    assert response.status_code == 302
    east.refresh_from_db()
    assert (east.name, east.branch) == ("Thôn Đông Thượng", tree["clinic"])
    assert client.post(f"/to-chuc/thon/{east.pk}/dong/").status_code == 302
    assert not Village.objects.get(pk=east.pk).active
    page = client.get(f"/to-chuc/{tree['commune'].pk}/").content.decode()
    assert "Đã đóng" in page and f"/to-chuc/thon/{east.pk}/mo-lai/" in page
    assert client.post(f"/to-chuc/thon/{east.pk}/mo-lai/").status_code == 302
    assert Village.objects.get(pk=east.pk).active


def test_a_refused_village_edit_answers_409_with_the_message(client, tree, staff):
    add_village(tree["commune"], name="Thôn Đông", by=staff)
    west = add_village(tree["commune"], name="Thôn Tây", by=staff)
    client.force_login(staff)
    response = client.post(
        f"/to-chuc/thon/{west.pk}/sua/", {"name": "Thôn Đông", "kind": "village"}
    )
    assert response.status_code == 409
    assert "đã có thôn, tổ dân phố “Thôn Đông”" in response.content.decode()


def test_the_commune_page_query_count_does_not_grow_with_villages(client, tree, staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(staff)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/to-chuc/{tree['commune'].pk}/").status_code == 200
        return len(ctx.captured_queries)

    add_village(tree["commune"], name="Thôn 1", branch=tree["village"], by=staff)
    before = count()
    for n in range(2, 7):
        add_village(tree["commune"], name=f"Thôn {n}", branch=tree["clinic"], by=staff)
    assert count() == before
