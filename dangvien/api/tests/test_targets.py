"""The targets over JSON: ``GET /targets``, ``PUT /targets/{organisation_id}/{year}``,
``GET /targets/{organisation_id}/{year}/history`` (API.md; issue 6)."""

import json
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dangvien.accounts.models import Role, User
from dangvien.api.tests.conftest import Answer, Api
from dangvien.factories import user_with_role
from dangvien.organisations.models import Organisation
from dangvien.stats.models import Target, TargetRevision
from dangvien.stats.tests.factories import make_target

pytestmark = pytest.mark.django_db

Tree = dict[str, Organisation]
YEAR = 2026


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *a: date(2026, 6, 15))


@pytest.fixture
def province_staff(tree: Tree) -> User:
    return user_with_role(Role.BOARD_STAFF, tree["province"], display_name="Lê Văn Tỉnh")


def put(api: Api, org: Organisation, body: Any, year: int = YEAR) -> Answer:
    response = api.client.put(
        f"/api/v1/targets/{org.pk}/{year}",
        json.dumps(body),
        content_type="application/json",
        headers=api.headers,
    )
    return Answer(response.status_code, json.loads(response.content))


def test_listing_gives_the_node_and_its_children_with_the_shortfall(
    as_user: Any, tree: Tree, leader: User
) -> None:
    make_target(tree["commune"], YEAR, 20, women=8)
    make_target(tree["school"], YEAR, 12)
    make_target(tree["school_branch"], YEAR, 4)
    answer = as_user(leader).get("/targets", year=YEAR, organisation=tree["commune"].pk)
    assert answer.status == 200
    assert answer.body["count"] == 4
    own, *kids = answer.body["items"]
    assert own["organisation_id"] == tree["commune"].pk
    assert own["organisation_name"] == "Đảng bộ xã An Bình"
    assert (own["year"], own["target"], own["breakdown"], own["revision"]) == (
        YEAR,
        20,
        {"women": 8},
        1,
    )
    assert (own["children_total"], own["shortfall"], own["children_without_target"]) == (12, 8, 2)
    assert own["can_set"] is False  # a leader only views
    by_name = {k["organisation_name"]: k for k in kids}
    school = by_name["Đảng bộ Trường THPT An Bình"]
    assert (school["target"], school["children_total"], school["shortfall"]) == (12, 4, 8)
    village = by_name["Chi bộ thôn Đông"]
    assert (village["target"], village["revision"], village["children_total"]) == (None, 0, None)
    assert set(own) >= {
        "organisation_id",
        "organisation_name",
        "year",
        "target",
        "breakdown",
        "revision",
        "reason",
        "set_by",
        "set_at",
        "children_total",
        "shortfall",
    }


def test_listing_defaults_to_the_users_top_node_and_this_year(
    as_user: Any, tree: Tree, board: User
) -> None:
    make_target(tree["commune"], YEAR, 450)
    answer = as_user(board).get("/targets")
    assert answer.status == 200
    assert answer.body["items"][0]["organisation_id"] == tree["commune"].pk
    assert answer.body["items"][0]["target"] == 450


def test_listing_outside_the_users_scope_answers_404(
    as_user: Any, tree: Tree, outsider: User
) -> None:
    answer = as_user(outsider).get("/targets", organisation=tree["commune"].pk)
    assert answer.status == 404
    assert answer.error["code"] == "not_found"


def test_listing_needs_a_token(as_user: Any, tree: Tree) -> None:
    assert as_user(None).get("/targets").status == 401


def test_the_first_put_creates_the_target_201(
    as_user: Any, tree: Tree, province_staff: User
) -> None:
    api = as_user(province_staff)
    answer = put(
        api, tree["commune"], {"target": 450, "reason": "KH 01", "breakdown": {"women": 100}}
    )
    assert answer.status == 201
    body = answer.body
    assert (body["target"], body["revision"], body["reason"], body["set_by"]) == (
        450,
        1,
        "KH 01",
        "Lê Văn Tỉnh",
    )
    assert body["breakdown"] == {"women": 100}
    assert body["set_at"] is not None
    assert Target.objects.get().target == 450


def test_a_revising_put_answers_200_and_keeps_the_breakdown_when_not_sent(
    as_user: Any, tree: Tree, province_staff: User
) -> None:
    make_target(tree["commune"], YEAR, 450, women=100)
    answer = put(as_user(province_staff), tree["commune"], {"target": 500, "reason": "Bổ sung"})
    assert answer.status == 200
    assert (answer.body["target"], answer.body["revision"]) == (500, 2)
    assert answer.body["breakdown"] == {"women": 100}


def test_putting_the_same_values_again_changes_nothing(
    as_user: Any, tree: Tree, province_staff: User
) -> None:
    make_target(tree["commune"], YEAR, 450)
    answer = put(as_user(province_staff), tree["commune"], {"target": 450})
    assert (answer.status, answer.body["revision"]) == (200, 1)
    assert TargetRevision.objects.count() == 1


def test_a_revision_without_a_reason_answers_400_with_the_field(
    as_user: Any, tree: Tree, province_staff: User
) -> None:
    make_target(tree["commune"], YEAR, 450)
    answer = put(as_user(province_staff), tree["commune"], {"target": 460})
    assert answer.status == 400
    assert answer.error == {
        "code": "invalid",
        "message": "Điều chỉnh chỉ tiêu cần ghi lý do.",
        "fields": {"reason": "Điều chỉnh chỉ tiêu cần ghi lý do."},
    }
    assert Target.objects.get().target == 450


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"target": -1}, "target", "Chỉ tiêu kết nạp không được âm."),
        (
            {"target": 20, "breakdown": {"women": 30}},
            "breakdown.women",
            "Chỉ tiêu nữ (30) lớn hơn chỉ tiêu kết nạp (20).",
        ),
        (
            {"target": 20, "breakdown": {"veterans": 1}},
            "breakdown",
            "Không có loại chỉ tiêu cụ thể “veterans”.",
        ),
    ],
)
def test_bad_values_answer_400_in_the_error_shape(
    as_user: Any, tree: Tree, province_staff: User, body: Any, field: str, message: str
) -> None:
    answer = put(as_user(province_staff), tree["commune"], body)
    assert answer.status == 400
    assert answer.error["code"] == "invalid"
    assert answer.error["fields"] == {field: message}
    assert not Target.objects.exists()


def test_a_target_that_is_not_a_number_answers_400(
    as_user: Any, tree: Tree, province_staff: User
) -> None:
    answer = put(as_user(province_staff), tree["commune"], {"target": "nhiều"})
    assert answer.status == 400
    assert answer.error["fields"] == {"target": "Phải là một số nguyên."}


def test_a_year_beyond_next_year_answers_400(
    as_user: Any, tree: Tree, province_staff: User
) -> None:
    answer = put(as_user(province_staff), tree["commune"], {"target": 5}, year=2030)
    assert answer.status == 400
    assert answer.error["fields"] == {"year": "Năm giao chỉ tiêu phải từ 2000 đến 2027."}


def test_a_user_who_sees_but_may_not_set_the_target_gets_403(
    as_user: Any, tree: Tree, secretary: User, board: User
) -> None:
    assert put(as_user(secretary), tree["village"], {"target": 3}).status == 403
    # The commune's own staff may not set the commune's target: the province does.
    answer = put(as_user(board), tree["commune"], {"target": 3})
    assert (answer.status, answer.error["code"]) == (403, "forbidden")
    assert not Target.objects.exists()


def test_putting_outside_the_users_scope_answers_404(as_user: Any, tree: Tree, board: User) -> None:
    assert put(as_user(board), tree["other_branch"], {"target": 3}).status == 404


def test_the_history_lists_the_revisions_newest_first(
    as_user: Any, tree: Tree, province_staff: User
) -> None:
    api = as_user(province_staff)
    put(api, tree["commune"], {"target": 150})
    put(api, tree["commune"], {"target": 170, "reason": "Bổ sung"})
    answer = api.get(f"/targets/{tree['commune'].pk}/{YEAR}/history")
    assert answer.status == 200
    assert answer.body["count"] == 2
    assert [
        (r["revision"], r["previous"], r["value"], r["reason"]) for r in answer.body["items"]
    ] == [
        (2, 150, 170, "Bổ sung"),
        (1, None, 150, ""),
    ]
    assert answer.body["items"][0]["by"] == "Lê Văn Tỉnh"


def test_the_history_outside_the_users_scope_answers_404(
    as_user: Any, tree: Tree, outsider: User
) -> None:
    make_target(tree["commune"], YEAR, 5)
    answer = as_user(outsider).get(f"/targets/{tree['commune'].pk}/{YEAR}/history")
    assert answer.status == 404


def test_the_endpoints_are_in_the_openapi_schema(client: Client) -> None:
    schema = json.loads(client.get("/api/v1/openapi.json").content)
    paths = schema["paths"]
    assert "get" in paths["/api/v1/targets"]
    assert "put" in paths["/api/v1/targets/{organisation_id}/{year}"]
    assert "get" in paths["/api/v1/targets/{organisation_id}/{year}/history"]
    put_op = paths["/api/v1/targets/{organisation_id}/{year}"]["put"]
    assert {"200", "201", "400", "403", "404"} <= set(put_op["responses"])
    assert put_op["description"]


def test_a_boolean_is_not_a_target(tree) -> None:
    from django.test import Client

    from dangvien.accounts.models import Role
    from dangvien.api.tests.conftest import Api
    from dangvien.factories import user_with_role

    api = Api(Client(), user_with_role(Role.BOARD_STAFF, tree["province"]))
    answer = put(api, tree["commune"], {"target": True, "reason": ""})
    assert answer.status in (400, 422)
    assert "target" in str(answer.body)
