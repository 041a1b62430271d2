"""The sector (loại hình) of a grassroots organisation: set on the grassroots organisation
(or a commune: always "commune_ward"), copied onto every node below it, kept in step when a
subtree moves (DOMAIN.md §9, grassroots organisations by type; issue 6)."""

import pytest

from dangvien.accounts.models import Role
from dangvien.core.errors import NotEligible
from dangvien.factories import org, user_with_role
from dangvien.organisations.actions import create_organisation, move_organisation, set_sector
from dangvien.organisations.models import Kind, Organisation, Sector
from dangvien.organisations.queries import sector_owner


def sector_of(node: Organisation) -> str:
    return Organisation.objects.get(pk=node.pk).sector


# ---- inheritance at creation -----------------------------------------------------------


def test_a_commune_is_always_of_the_commune_ward_sector(tree):
    assert tree["commune"].sector == Sector.COMMUNE_WARD
    assert tree["province"].sector == ""


def test_a_new_node_without_a_sector_takes_its_parents(tree):
    assert tree["village"].sector == Sector.COMMUNE_WARD
    assert tree["school_branch"].sector == tree["school"].sector
    company = org(Kind.GRASSROOTS_COMMITTEE, tree["commune"], sector=Sector.NON_STATE_ENTERPRISE)
    workshop = org(Kind.SUB_COMMITTEE, company)
    team = org(Kind.BRANCH, workshop)
    assert (workshop.sector, team.sector) == (Sector.NON_STATE_ENTERPRISE,) * 2


def test_a_grassroots_organisation_without_a_sector_is_unknown_not_its_communes(tree):
    assert tree["school"].sector == tree["clinic"].sector == ""


def test_a_grassroots_organisation_may_be_created_with_its_own_sector(tree):
    clinic = org(Kind.GRASSROOTS_BRANCH, tree["commune"], sector=Sector.PUBLIC_SERVICE)
    assert clinic.sector == Sector.PUBLIC_SERVICE


def test_a_branch_created_with_a_sector_other_than_its_grassroots_organisations_is_refused(tree):
    with pytest.raises(NotEligible) as refused:
        create_organisation(
            name="Chi bộ Tổ Văn",
            kind=Kind.BRANCH,
            parent=tree["school"],
            sector=Sector.AGENCY,
            by=None,
        )
    assert str(refused.value) == (
        "Loại hình do tổ chức cơ sở đảng Đảng bộ Trường THPT An Bình quyết định."
    )
    assert refused.value.field == "sector"
    assert not Organisation.objects.filter(name="Chi bộ Tổ Văn").exists()


def test_a_commune_created_with_another_sector_is_refused(tree):
    with pytest.raises(NotEligible) as refused:
        create_organisation(
            name="Đảng bộ phường Nam",
            kind=Kind.COMMUNE,
            parent=tree["province"],
            sector=Sector.AGENCY,
            by=None,
        )
    assert str(refused.value) == ("Đảng bộ xã, phường, đặc khu có loại hình “Xã, phường, đặc khu”.")


def test_an_unknown_sector_is_refused(tree):
    with pytest.raises(NotEligible) as refused:
        create_organisation(
            name="Chi bộ cơ sở X",
            kind=Kind.GRASSROOTS_BRANCH,
            parent=tree["commune"],
            sector="bank",
            by=None,
        )
    assert str(refused.value) == "Loại hình không hợp lệ."


# ---- set_sector copies down ------------------------------------------------------------


def test_setting_a_grassroots_organisations_sector_copies_it_onto_every_node_below(tree):
    school = tree["school"]
    workshop = org(Kind.SUB_COMMITTEE, school)
    deep_branch = org(Kind.BRANCH, workshop)
    user = user_with_role(Role.BOARD_STAFF, tree["commune"])
    set_sector(school, Sector.PUBLIC_SERVICE, by=user)
    assert school.sector == Sector.PUBLIC_SERVICE
    for node in (school, tree["school_branch"], workshop, deep_branch):
        assert sector_of(node) == Sector.PUBLIC_SERVICE
    # Beside it nothing changed.
    assert sector_of(tree["village"]) == Sector.COMMUNE_WARD
    assert sector_of(tree["clinic"]) == ""
    assert sector_of(tree["commune"]) == Sector.COMMUNE_WARD


def test_the_copy_runs_as_one_update_whatever_the_number_of_branches(
    tree, django_assert_max_num_queries
):
    for _ in range(5):
        org(Kind.BRANCH, tree["school"])
    # 8, and 2 more on PostgreSQL: the action's row-level security scope set and put back.
    with django_assert_max_num_queries(10):
        set_sector(tree["school"], Sector.STATE_ENTERPRISE, by=None)
    assert set(
        Organisation.objects.filter(path__startswith=tree["school"].path).values_list(
            "sector", flat=True
        )
    ) == {Sector.STATE_ENTERPRISE}


def test_setting_a_sector_on_a_branch_under_a_grassroots_organisation_is_refused(tree):
    with pytest.raises(NotEligible) as refused:
        set_sector(tree["school_branch"], Sector.AGENCY, by=None)
    assert str(refused.value) == (
        "Loại hình do tổ chức cơ sở đảng Đảng bộ Trường THPT An Bình quyết định."
    )
    assert refused.value.field == "sector"
    assert sector_of(tree["school_branch"]) == ""


def test_setting_a_sector_on_a_branch_directly_under_a_commune_names_the_commune(tree):
    with pytest.raises(NotEligible) as refused:
        set_sector(tree["village"], Sector.AGENCY, by=None)
    assert str(refused.value) == "Loại hình do Đảng bộ xã An Bình quyết định."


def test_a_province_carries_no_sector(tree):
    with pytest.raises(NotEligible) as refused:
        set_sector(tree["province"], Sector.AGENCY, by=None)
    assert "Chỉ đặt loại hình cho tổ chức cơ sở đảng" in str(refused.value)
    assert sector_of(tree["province"]) == ""


def test_a_communes_sector_cannot_be_changed(tree):
    with pytest.raises(NotEligible):
        set_sector(tree["commune"], Sector.AGENCY, by=None)
    assert sector_of(tree["commune"]) == Sector.COMMUNE_WARD


def test_a_communes_sector_copied_down_leaves_its_grassroots_organisations_alone(tree):
    set_sector(tree["school"], Sector.PUBLIC_SERVICE, by=None)
    Organisation.objects.filter(pk=tree["village"].pk).update(sector="")  # an old, blank row
    set_sector(tree["commune"], Sector.COMMUNE_WARD, by=None)
    assert sector_of(tree["village"]) == Sector.COMMUNE_WARD
    assert sector_of(tree["school"]) == Sector.PUBLIC_SERVICE
    assert sector_of(tree["school_branch"]) == Sector.PUBLIC_SERVICE


def test_an_empty_sector_means_not_known_yet_and_is_copied_down_too(tree):
    set_sector(tree["school"], "", by=None)
    assert sector_of(tree["school"]) == sector_of(tree["school_branch"]) == ""


def test_the_sector_owner_is_the_nearest_grassroots_organisation_or_commune(tree):
    assert sector_owner(tree["school_branch"]) == tree["school"]
    assert sector_owner(tree["clinic"]) == tree["clinic"]
    assert sector_owner(tree["village"]) == tree["commune"]
    assert sector_owner(tree["province"]) is None


# ---- moves -----------------------------------------------------------------------------


def test_a_branch_moved_to_another_grassroots_organisation_takes_its_sector(tree):
    company = org(Kind.GRASSROOTS_COMMITTEE, tree["commune"], sector=Sector.NON_STATE_ENTERPRISE)
    set_sector(tree["school"], Sector.PUBLIC_SERVICE, by=None)
    workshop = org(Kind.SUB_COMMITTEE, tree["school"])
    team = org(Kind.BRANCH, workshop)
    move_organisation(workshop, new_parent=company, by=None)
    assert sector_of(workshop) == sector_of(team) == Sector.NON_STATE_ENTERPRISE


def test_a_branch_moved_under_a_commune_takes_commune_ward(tree):
    set_sector(tree["school"], Sector.PUBLIC_SERVICE, by=None)
    move_organisation(tree["school_branch"], new_parent=tree["commune"], by=None)
    assert sector_of(tree["school_branch"]) == Sector.COMMUNE_WARD


def test_a_grassroots_organisation_moved_keeps_its_own_sector_and_its_branches_too(tree):
    set_sector(tree["school"], Sector.PUBLIC_SERVICE, by=None)
    move_organisation(tree["school"], new_parent=tree["other_commune"], by=None)
    assert sector_of(tree["school"]) == Sector.PUBLIC_SERVICE
    assert sector_of(tree["school_branch"]) == Sector.PUBLIC_SERVICE


def test_a_grassroots_organisation_without_a_sector_stays_unknown_when_moved(tree):
    move_organisation(tree["school"], new_parent=tree["other_commune"], by=None)
    assert sector_of(tree["school"]) == sector_of(tree["school_branch"]) == ""


def test_a_district_moved_keeps_the_sectors_of_the_grassroots_organisations_under_it(db):
    province = org(Kind.PROVINCE)
    other_province = org(Kind.PROVINCE)
    district = org(Kind.DISTRICT, province)
    factory = org(Kind.GRASSROOTS_BRANCH, district, sector=Sector.STATE_ENTERPRISE)
    move_organisation(district, new_parent=other_province, by=None)
    assert sector_of(district) == ""
    assert sector_of(factory) == Sector.STATE_ENTERPRISE


# ---- the page --------------------------------------------------------------------------


def test_the_organisation_page_shows_the_sector_and_who_decides_it(client, tree):
    set_sector(tree["school"], Sector.PUBLIC_SERVICE, by=None)
    client.force_login(user_with_role(Role.LEADER, tree["province"]))
    page = client.get(f"/to-chuc/{tree['school_branch'].pk}/").content.decode()
    assert "Đơn vị sự nghiệp" in page
    assert "(theo Đảng bộ Trường THPT An Bình)" in page
    assert "loai-hinh" not in page  # a leader only sees it


def test_grassroots_staff_set_the_sector_from_the_page(client, tree):
    client.force_login(user_with_role(Role.GRASSROOTS_STAFF, tree["school"]))
    page = client.get(f"/to-chuc/{tree['school'].pk}/").content.decode()
    assert f'action="/to-chuc/{tree["school"].pk}/loai-hinh/"' in page
    response = client.post(
        f"/to-chuc/{tree['school'].pk}/loai-hinh/", {"sector": Sector.PUBLIC_SERVICE}
    )
    assert response.status_code == 302
    assert sector_of(tree["school_branch"]) == Sector.PUBLIC_SERVICE


def test_a_branch_secretary_may_not_set_the_sector(client, tree):
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["school_branch"]))
    response = client.post(f"/to-chuc/{tree['school'].pk}/loai-hinh/", {"sector": "agency"})
    assert response.status_code == 404  # the school is above her scope
    response = client.post(f"/to-chuc/{tree['school_branch'].pk}/loai-hinh/", {"sector": "agency"})
    assert response.status_code == 403
    assert sector_of(tree["school_branch"]) == ""


def test_a_leader_may_not_set_the_sector(client, tree):
    client.force_login(user_with_role(Role.LEADER, tree["province"]))
    response = client.post(f"/to-chuc/{tree['school'].pk}/loai-hinh/", {"sector": "agency"})
    assert response.status_code == 403


def test_the_sector_page_outside_the_scope_answers_404(client, tree):
    client.force_login(user_with_role(Role.GRASSROOTS_STAFF, tree["school"]))
    response = client.post(f"/to-chuc/{tree['clinic'].pk}/loai-hinh/", {"sector": "agency"})
    assert response.status_code == 404
    assert sector_of(tree["clinic"]) == ""


def test_a_refused_sector_is_shown_on_the_page_with_409(client, tree):
    client.force_login(user_with_role(Role.BOARD_STAFF, tree["commune"]))
    response = client.post(f"/to-chuc/{tree['school_branch'].pk}/loai-hinh/", {"sector": "agency"})
    assert response.status_code == 409
    assert "Loại hình do tổ chức cơ sở đảng Đảng bộ Trường THPT An Bình quyết định." in (
        response.content.decode()
    )
