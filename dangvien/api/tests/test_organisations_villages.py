"""The organisation API's issue-6 data: the sector (read, filter, PATCH), the villages of a
commune (GET, POST, PATCH /villages/{id}), and the person statistics fields in and out."""

from typing import Any

import pytest

from dangvien.accounts.models import Role
from dangvien.api.tests.conftest import queries_used
from dangvien.factories import make_candidate, make_member, make_person, user_with_role
from dangvien.organisations.actions import add_village, close_village, set_sector
from dangvien.organisations.models import Organisation, Sector, Village
from dangvien.people.models import Person


def patch(api: Any, path: str, body: Any) -> Any:
    response = api.client.patch(
        f"/api/v1{path}", body, content_type="application/json", headers=api.headers
    )
    return api._answer(response)


@pytest.fixture
def villages(tree: dict[str, Organisation]) -> dict[str, Village]:
    return {
        "east": add_village(tree["commune"], name="Thôn Đông", branch=tree["village"], by=None),
        "north": add_village(tree["commune"], name="Thôn Bắc", by=None),
        "west": add_village(tree["other_commune"], name="Thôn Tây", by=None),
    }


# ---- sector ----------------------------------------------------------------------------


def test_an_organisation_answers_its_sector_and_label(as_user: Any, board: Any, tree: Any) -> None:
    set_sector(tree["school"], Sector.PUBLIC_SERVICE, by=None)
    answer = as_user(board).get(f"/organisations/{tree['school_branch'].pk}")
    assert answer.status == 200
    assert (answer.body["sector"], answer.body["sector_label"]) == (
        "public_service",
        "Đơn vị sự nghiệp",
    )


def test_the_list_filters_by_sector(as_user: Any, board: Any, tree: Any) -> None:
    set_sector(tree["school"], Sector.PUBLIC_SERVICE, by=None)
    answer = as_user(board).get("/organisations", sector="public_service")
    assert sorted(item["name"] for item in answer.body["items"]) == [
        "Chi bộ Tổ Toán",
        "Đảng bộ Trường THPT An Bình",
    ]


def test_staff_patch_the_sector_of_a_grassroots_organisation_and_it_is_copied_down(
    as_user: Any, school_staff: Any, tree: Any
) -> None:
    answer = patch(
        as_user(school_staff), f"/organisations/{tree['school'].pk}", {"sector": "agency"}
    )
    assert answer.status == 200
    assert answer.body["sector"] == "agency"
    assert Organisation.objects.get(pk=tree["school_branch"].pk).sector == Sector.AGENCY


def test_patching_the_sector_of_a_branch_answers_409_naming_its_grassroots_organisation(
    as_user: Any, board: Any, tree: Any
) -> None:
    answer = patch(
        as_user(board), f"/organisations/{tree['school_branch'].pk}", {"sector": "agency"}
    )
    assert answer.status == 409
    assert answer.error["message"] == (
        "Loại hình do tổ chức cơ sở đảng Đảng bộ Trường THPT An Bình quyết định."
    )
    assert answer.error["fields"] == {"sector": answer.error["message"]}


def test_an_unknown_sector_answers_400(as_user: Any, board: Any, tree: Any) -> None:
    answer = patch(as_user(board), f"/organisations/{tree['school'].pk}", {"sector": "bank"})
    assert answer.status == 400
    assert "sector" in answer.error["fields"]


def test_a_leader_may_not_patch_an_organisation(as_user: Any, leader: Any, tree: Any) -> None:
    answer = patch(as_user(leader), f"/organisations/{tree['school'].pk}", {"sector": "agency"})
    assert answer.status == 403
    assert Organisation.objects.get(pk=tree["school"].pk).sector == ""


def test_patching_an_organisation_outside_the_scope_answers_404(
    as_user: Any, school_staff: Any, tree: Any
) -> None:
    answer = patch(
        as_user(school_staff), f"/organisations/{tree['clinic'].pk}", {"sector": "agency"}
    )
    assert answer.status == 404


# ---- villages --------------------------------------------------------------------------


def test_the_villages_of_a_commune_with_their_residents(
    as_user: Any, board: Any, tree: Any, villages: Any
) -> None:
    make_member(branch=tree["village"], person=make_person(village=villages["east"]))
    make_candidate(branch=tree["village"], person=make_person(village=villages["east"]))
    close_village(villages["north"], by=None)
    answer = as_user(board).get(f"/organisations/{tree['commune'].pk}/villages")
    assert answer.status == 200
    assert answer.body["count"] == 2
    east, north = answer.body["items"]
    assert east == {
        "id": villages["east"].pk,
        "organisation_id": tree["commune"].pk,
        "organisation_name": "Đảng bộ xã An Bình",
        "name": "Thôn Đông",
        "kind": "village",
        "kind_label": "Thôn, bản, ấp, buôn, làng",
        "branch_id": tree["village"].pk,
        "branch_name": "Chi bộ thôn Đông",
        "active": True,
        "members": 1,
        "candidates": 1,
    }
    assert (north["name"], north["active"]) == ("Thôn Bắc", False)
    open_only = as_user(board).get(f"/organisations/{tree['commune'].pk}/villages", active=True)
    assert [item["name"] for item in open_only.body["items"]] == ["Thôn Đông"]


def test_the_village_list_takes_the_same_queries_whatever_their_number(
    as_user: Any, board: Any, tree: Any, villages: Any
) -> None:
    api = as_user(board)
    path = f"/organisations/{tree['commune'].pk}/villages"
    before = queries_used(lambda: api.get(path))
    for n in range(5):
        add_village(tree["commune"], name=f"Tổ {n}", branch=tree["clinic"], by=None)
    assert queries_used(lambda: api.get(path)) == before


def test_the_villages_of_a_commune_outside_the_scope_answer_404(
    as_user: Any, board: Any, tree: Any, villages: Any
) -> None:
    answer = as_user(board).get(f"/organisations/{tree['other_commune'].pk}/villages")
    assert answer.status == 404
    answer = as_user(board).post(
        f"/organisations/{tree['other_commune'].pk}/villages", {"name": "Thôn Mới"}
    )
    assert answer.status == 404
    answer = patch(as_user(board), f"/villages/{villages['west'].pk}", {"name": "Thôn Tây Hạ"})
    assert answer.status == 404
    assert Village.objects.get(pk=villages["west"].pk).name == "Thôn Tây"


def test_staff_add_a_village_to_their_commune(as_user: Any, board: Any, tree: Any) -> None:
    answer = as_user(board).post(
        f"/organisations/{tree['commune'].pk}/villages",
        {"name": "Tổ dân phố 5", "kind": "residential_group", "branch_id": tree["clinic"].pk},
    )
    assert answer.status == 201
    assert answer.body["kind_label"] == "Tổ dân phố, khu phố"
    assert answer.body["branch_name"] == "Chi bộ Trạm Y tế"
    assert (answer.body["members"], answer.body["candidates"]) == (0, 0)
    assert Village.objects.get(pk=answer.body["id"]).org_path == tree["commune"].path


def test_a_duplicate_village_name_answers_409(
    as_user: Any, board: Any, tree: Any, villages: Any
) -> None:
    answer = as_user(board).post(
        f"/organisations/{tree['commune'].pk}/villages", {"name": "THÔN ĐÔNG"}
    )
    assert answer.status == 409
    assert answer.error["message"] == "Đảng bộ xã An Bình đã có thôn, tổ dân phố “Thôn Đông”."
    assert answer.error["fields"] == {"name": answer.error["message"]}


def test_a_branch_of_another_commune_answers_409(as_user: Any, tree: Any, villages: Any) -> None:
    staff = user_with_role(Role.BOARD_STAFF, tree["province"])
    answer = as_user(staff).post(
        f"/organisations/{tree['commune'].pk}/villages",
        {"name": "Thôn Mới", "branch_id": tree["other_branch"].pk},
    )
    assert answer.status == 409
    assert answer.error["fields"] == {
        "branch_id": "Chi bộ phụ trách phải là một chi bộ thuộc Đảng bộ xã An Bình."
    }


def test_a_branch_outside_the_scope_answers_400(as_user: Any, board: Any, tree: Any) -> None:
    answer = as_user(board).post(
        f"/organisations/{tree['commune'].pk}/villages",
        {"name": "Thôn Mới", "branch_id": tree["other_branch"].pk},
    )
    assert answer.status == 400
    assert answer.error["fields"] == {"branch_id": "Không tìm thấy chi bộ này."}


def test_a_village_without_a_name_answers_400(as_user: Any, board: Any, tree: Any) -> None:
    answer = as_user(board).post(f"/organisations/{tree['commune'].pk}/villages", {"name": ""})
    assert answer.status == 400
    assert "name" in answer.error["fields"]


def test_a_leader_may_not_add_a_village(as_user: Any, leader: Any, tree: Any) -> None:
    answer = as_user(leader).post(
        f"/organisations/{tree['commune'].pk}/villages", {"name": "Thôn Mới"}
    )
    assert answer.status == 403
    assert not Village.objects.exists()


def test_patching_a_village_renames_it_and_closes_it(
    as_user: Any, board: Any, tree: Any, villages: Any
) -> None:
    api = as_user(board)
    east = villages["east"]
    answer = patch(api, f"/villages/{east.pk}", {"name": "Thôn Đông Thượng", "branch_id": None})
    assert answer.status == 200
    assert (answer.body["name"], answer.body["branch_id"]) == ("Thôn Đông Thượng", None)
    answer = patch(api, f"/villages/{east.pk}", {"active": False})
    assert answer.body["active"] is False
    assert Village.objects.get(pk=east.pk).name == "Thôn Đông Thượng"
    answer = patch(api, f"/villages/{east.pk}", {"active": True})
    assert answer.body["active"] is True


def test_a_refused_village_patch_changes_nothing(
    as_user: Any, board: Any, tree: Any, villages: Any
) -> None:
    answer = patch(
        as_user(board), f"/villages/{villages['north'].pk}", {"name": "Thôn Đông", "active": False}
    )
    assert answer.status == 409
    north = Village.objects.get(pk=villages["north"].pk)
    assert (north.name, north.active) == ("Thôn Bắc", True)


def test_a_leader_may_not_patch_a_village(
    as_user: Any, leader: Any, tree: Any, villages: Any
) -> None:
    answer = patch(as_user(leader), f"/villages/{villages['east'].pk}", {"active": False})
    assert answer.status == 403


def test_the_village_endpoints_are_in_the_openapi_schema(as_user: Any, board: Any) -> None:
    schema = as_user(board).get("/openapi.json").body
    assert "/api/v1/organisations/{organisation_id}/villages" in schema["paths"]
    assert "patch" in schema["paths"]["/api/v1/villages/{village_id}"]
    assert "patch" in schema["paths"]["/api/v1/organisations/{organisation_id}"]


# ---- person fields ---------------------------------------------------------------------


def new_candidate(branch: Any, **changes: Any) -> dict[str, Any]:
    return {
        "full_name": "Trần Thị Minh Khai",
        "birth_date": "1998-04-12",
        "sex": "female",
        "citizen_id": "001198012345",
        "ethnicity": "Kinh",
        "religion": "Không",
        "education_level": "university",
        "branch_id": branch.pk,
        **changes,
    }


def test_a_candidate_is_listed_with_the_statistics_fields(
    as_user: Any, secretary: Any, tree: Any, villages: Any
) -> None:
    answer = as_user(secretary).post(
        "/candidates",
        new_candidate(
            tree["village"],
            political_theory="primary",
            occupation_group="student",
            village_id=villages["east"].pk,
        ),
    )
    assert answer.status == 201
    person = answer.body["person"]
    assert (person["political_theory"], person["occupation_group"], person["village_id"]) == (
        "primary",
        "student",
        villages["east"].pk,
    )


def test_the_statistics_fields_are_optional(as_user: Any, secretary: Any, tree: Any) -> None:
    answer = as_user(secretary).post("/candidates", new_candidate(tree["village"]))
    assert answer.status == 201
    person = answer.body["person"]
    assert (person["political_theory"], person["occupation_group"], person["village_id"]) == (
        "none",
        "",
        None,
    )


def test_an_unknown_occupation_group_answers_400(as_user: Any, secretary: Any, tree: Any) -> None:
    answer = as_user(secretary).post(
        "/candidates", new_candidate(tree["village"], occupation_group="pilot")
    )
    assert answer.status == 400
    assert "occupation_group" in answer.error["fields"]


def test_a_village_of_another_commune_answers_409(
    as_user: Any, secretary: Any, tree: Any, villages: Any
) -> None:
    answer = as_user(secretary).post(
        "/candidates", new_candidate(tree["village"], village_id=villages["west"].pk)
    )
    assert answer.status == 409
    assert answer.error["fields"] == {
        "village_id": (
            "Thôn, tổ dân phố “Thôn Tây” không thuộc địa bàn xã, phường của Chi bộ thôn Đông."
        )
    }
    assert not Person.objects.exists()


def test_a_members_person_carries_the_statistics_fields(
    as_user: Any, secretary: Any, tree: Any, villages: Any
) -> None:
    person = make_person(political_theory="advanced", village=villages["north"])
    member = make_member(branch=tree["village"], person=person)
    answer = as_user(secretary).get(f"/members/{member.pk}")
    assert answer.status == 200
    assert answer.body["person"]["political_theory"] == "advanced"
    assert answer.body["person"]["village_id"] == villages["north"].pk
