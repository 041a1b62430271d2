"""The person facts the statistics count (issue 6; DOMAIN.md §9): political theory level,
occupation group beside the free-text occupation, and the village (thôn, tổ dân phố) the
person lives in, which must lie in the commune of their chi bộ. Entered where users already
work: the candidate form, the person edit page, shown on the candidate and member pages."""

from datetime import date

import pytest

from dangvien.accounts.models import Role
from dangvien.candidates.actions import nominate_candidate
from dangvien.candidates.models import Candidate
from dangvien.core.errors import NotEligible
from dangvien.factories import make_candidate, make_member, make_person, user_with_role
from dangvien.organisations.actions import add_village, close_village
from dangvien.organisations.models import Organisation, Village
from dangvien.people.actions import (
    checked_village,
    create_person,
    edit_person,
    person_branch,
    refresh_person,
)
from dangvien.people.models import OccupationGroup, Person, PoliticalTheory
from dangvien.privacy.actions import ConsentGiven

TODAY = date(2026, 11, 23)
CONSENT = ConsentGiven(given_on=date(2025, 1, 2), method="paper")


def fields(**overrides):
    values = {
        "full_name": "Nguyễn Văn An",
        "birth_date": date(2000, 1, 2),
        "sex": "male",
        "citizen_id": "001200012345",
        "education_level": "upper_secondary",
        "today": TODAY,
    }
    values.update(overrides)
    return values


@pytest.fixture
def villages(tree: dict[str, Organisation]) -> dict[str, Village]:
    return {
        "east": add_village(tree["commune"], name="Thôn Đông", branch=tree["village"], by=None),
        "north": add_village(tree["commune"], name="Thôn Bắc", by=None),
        "west": add_village(tree["other_commune"], name="Thôn Tây", by=None),
    }


# ---- the actions -----------------------------------------------------------------------


def test_a_new_person_has_no_political_theory_training_and_no_group_or_village(db):
    person = create_person(**fields())
    assert person.political_theory == PoliticalTheory.NONE
    assert person.occupation_group == ""
    assert person.village is None


def test_political_theory_and_occupation_group_are_saved(db):
    person = create_person(
        **fields(political_theory="intermediate", occupation_group=OccupationGroup.STUDENT)
    )
    person.refresh_from_db()
    assert person.get_political_theory_display() == "Trung cấp"
    assert person.get_occupation_group_display() == "Học sinh, sinh viên"


def test_an_unknown_political_theory_level_is_refused(db):
    with pytest.raises(NotEligible) as refused:
        create_person(**fields(political_theory="doctor"))
    assert str(refused.value) == "Trình độ lý luận chính trị không hợp lệ."
    assert refused.value.field == "political_theory"
    assert not Person.objects.exists()


def test_an_unknown_occupation_group_is_refused(db):
    with pytest.raises(NotEligible) as refused:
        create_person(**fields(occupation_group="pilot"))
    assert str(refused.value) == "Nhóm nghề nghiệp không hợp lệ."
    assert refused.value.field == "occupation_group"


def test_a_person_lives_in_a_village_of_their_branchs_commune(tree, villages):
    person = create_person(**fields(village_id=villages["east"].pk, branch=tree["school_branch"]))
    assert person.village == villages["east"]


def test_a_village_outside_the_branchs_commune_is_refused(tree, villages):
    with pytest.raises(NotEligible) as refused:
        create_person(**fields(village_id=villages["west"].pk, branch=tree["village"]))
    assert str(refused.value) == (
        "Thôn, tổ dân phố “Thôn Tây” không thuộc địa bàn xã, phường của Chi bộ thôn Đông."
    )
    assert refused.value.field == "village_id"
    assert not Person.objects.exists()


def test_an_unknown_village_is_refused(tree):
    with pytest.raises(NotEligible) as refused:
        checked_village(999999, branch=tree["village"])
    assert str(refused.value) == "Không tìm thấy thôn, tổ dân phố này."


def test_a_closed_village_is_refused_for_someone_new_but_kept_for_its_residents(tree, villages):
    close_village(villages["north"], by=None)
    with pytest.raises(NotEligible) as refused:
        checked_village(villages["north"].pk, branch=tree["village"])
    assert str(refused.value) == "Thôn, tổ dân phố “Thôn Bắc” đã đóng, không chọn được nữa."
    kept = checked_village(
        villages["north"].pk, branch=tree["village"], current=villages["north"].pk
    )
    assert kept == villages["north"]


def test_relisting_someone_brings_the_statistics_fields_up_to_date(tree, villages):
    person = create_person(**fields())
    refresh_person(
        person,
        **fields(
            political_theory="primary",
            occupation_group="farmer",
            village_id=villages["east"].pk,
            branch=tree["village"],
        ),
    )
    person.refresh_from_db()
    assert (person.political_theory, person.occupation_group, person.village) == (
        "primary",
        "farmer",
        villages["east"],
    )


def test_a_persons_branch_is_their_member_branch_else_their_latest_candidacy(tree):
    candidate = make_candidate(branch=tree["village"])
    assert person_branch(candidate.person) == tree["village"]
    member = make_member(branch=tree["clinic"])
    assert person_branch(member.person) == tree["clinic"]
    assert person_branch(make_person()) is None


def test_editing_a_person_changes_only_the_given_fields(tree, villages):
    member = make_member(branch=tree["village"], person=make_person(occupation="Giáo viên"))
    edit_person(
        member.person,
        political_theory="advanced",
        occupation_group="public_employee",
        village_id=villages["east"].pk,
        by=None,
    )
    person = Person.objects.get(pk=member.person.pk)
    assert (person.political_theory, person.occupation_group, person.village) == (
        "advanced",
        "public_employee",
        villages["east"],
    )
    assert person.occupation == "Giáo viên"


def test_editing_a_person_refuses_a_village_outside_their_branchs_commune(tree, villages):
    member = make_member(branch=tree["school_branch"])
    with pytest.raises(NotEligible) as refused:
        edit_person(member.person, village_id=villages["west"].pk, by=None)
    assert "không thuộc địa bàn xã, phường của Chi bộ Tổ Toán" in str(refused.value)
    assert Person.objects.get(pk=member.person.pk).village is None


def test_editing_a_person_refuses_bad_choices(tree):
    member = make_member(branch=tree["village"])
    with pytest.raises(NotEligible):
        edit_person(member.person, political_theory="", by=None)
    with pytest.raises(NotEligible):
        edit_person(member.person, occupation_group="astronaut", by=None)
    with pytest.raises(NotEligible):
        edit_person(member.person, sex="other", by=None)


def test_a_resident_of_a_closed_village_keeps_it_when_other_details_change(tree, villages):
    member = make_member(branch=tree["village"], person=make_person(village=villages["north"]))
    close_village(villages["north"], by=None)
    edit_person(member.person, village_id=villages["north"].pk, phone=" 0912 ", by=None)
    person = Person.objects.get(pk=member.person.pk)
    assert (person.village, person.phone) == (villages["north"], "0912")


def test_the_identity_is_not_changed_by_a_person_edit(tree):
    member = make_member(branch=tree["village"])
    with pytest.raises(TypeError):
        edit_person(member.person, citizen_id="001200099999", by=None)


def test_nominating_a_candidate_checks_the_village_against_the_branch(tree, villages):
    person_fields = fields(village_id=villages["west"].pk)
    del person_fields["today"]  # the action passes its own
    with pytest.raises(NotEligible) as refused:
        nominate_candidate(branch=tree["village"], by=None, consent=CONSENT, **person_fields)
    assert refused.value.field == "village_id"
    assert not Candidate.objects.exists()


# ---- the candidate form and pages ------------------------------------------------------


def candidate_post(branch: Organisation, **extra):
    return {
        "full_name": "Phạm Thu Hà",
        "birth_date": "05/03/2001",
        "sex": "female",
        "citizen_id": "001301005555",
        "ethnicity": "Kinh",
        "religion": "Không",
        "education_level": "university",
        "branch": branch.pk,
        "consent": "on",  # the notice of processing agreed to (privacy, issue 9)
        "consent_given_on": "02/01/2025",
        "consent_method": "paper",
        **extra,
    }


def test_the_candidate_form_offers_the_villages_of_the_branchs_commune(client, tree, villages):
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    page = client.get("/quan-chung/them/").content.decode()
    assert "Lý luận chính trị" in page and "Nhóm nghề nghiệp" in page
    assert "Thôn, tổ dân phố nơi cư trú" in page
    assert "Thôn Đông" in page and "Thôn Bắc" in page
    assert "Thôn Tây" not in page


def test_the_candidate_form_saves_the_statistics_fields(client, tree, villages):
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    response = client.post(
        "/quan-chung/them/",
        candidate_post(
            tree["village"],
            political_theory="primary",
            occupation_group="student",
            village_id=villages["east"].pk,
        ),
    )
    assert response.status_code == 302
    person = Person.objects.get(citizen_id="001301005555")
    assert (person.political_theory, person.occupation_group, person.village) == (
        "primary",
        "student",
        villages["east"],
    )


def test_the_candidate_form_refuses_a_village_of_another_commune(client, tree, villages):
    # Staff of the province see both communes' villages; the action checks the branch.
    client.force_login(user_with_role(Role.GRASSROOTS_STAFF, tree["province"]))
    response = client.post(
        "/quan-chung/them/", candidate_post(tree["village"], village_id=villages["west"].pk)
    )
    assert response.status_code == 200
    assert (
        "Thôn, tổ dân phố “Thôn Tây” không thuộc địa bàn xã, phường của Chi bộ thôn Đông."
        in response.content.decode()
    )
    assert not Person.objects.exists()


def test_the_candidate_page_shows_the_statistics_fields(client, tree, villages):
    person = make_person(
        political_theory="intermediate", occupation_group="worker", village=villages["east"]
    )
    candidate = make_candidate(branch=tree["village"], person=person)
    client.force_login(user_with_role(Role.LEADER, tree["province"]))
    page = client.get(f"/quan-chung/{candidate.pk}/").content.decode()
    assert "Trung cấp" in page
    assert "(Công nhân, người lao động)" in page
    assert "Thôn Đông" in page
    assert "Sửa nhân thân" not in page  # a leader only sees


def test_the_member_page_shows_the_statistics_fields_and_the_edit_link(client, tree, villages):
    person = make_person(political_theory="advanced", village=villages["north"])
    member = make_member(branch=tree["village"], person=person)
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    page = client.get(f"/dang-vien/{member.pk}/").content.decode()
    assert "Cao cấp, cử nhân" in page
    assert "Thôn Bắc" in page
    assert f'href="/nhan-than/{person.pk}/sua/"' in page


# ---- the person edit page --------------------------------------------------------------


def test_the_secretary_edits_a_members_statistics_fields(client, tree, villages):
    member = make_member(branch=tree["village"])
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    url = f"/nhan-than/{member.person.pk}/sua/"
    page = client.get(url).content.decode()
    assert "Thôn Đông" in page and "Thôn Tây" not in page
    response = client.post(
        url,
        {
            "sex": "male",
            "ethnicity": "Tày",
            "religion": "Không",
            "education_level": "university",
            "political_theory": "primary",
            "occupation_group": "farmer",
            "village_id": villages["east"].pk,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/dang-vien/{member.pk}/"
    person = Person.objects.get(pk=member.person.pk)
    assert (person.ethnicity, person.political_theory, person.village) == (
        "Tày",
        "primary",
        villages["east"],
    )


def test_the_person_edit_page_outside_the_scope_answers_404(client, tree):
    member = make_member(branch=tree["other_branch"])
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    assert client.get(f"/nhan-than/{member.person.pk}/sua/").status_code == 404


def test_a_leader_may_not_edit_a_person(client, tree):
    candidate = make_candidate(branch=tree["village"])
    client.force_login(user_with_role(Role.LEADER, tree["province"]))
    assert client.get(f"/nhan-than/{candidate.person.pk}/sua/").status_code == 403


def test_a_village_forged_into_the_edit_form_is_refused(client, tree, villages):
    candidate = make_candidate(branch=tree["village"])
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    response = client.post(
        f"/nhan-than/{candidate.person.pk}/sua/",
        {
            "sex": "male",
            "ethnicity": "Kinh",
            "religion": "Không",
            "education_level": "university",
            "political_theory": "none",
            "village_id": villages["west"].pk,
        },
    )
    assert response.status_code == 400  # not among the choices offered
    assert Person.objects.get(pk=candidate.person.pk).village is None
