"""The funnel and the pool survey over JSON (``dangvien.api.pool_surveys``; issue 6)."""

import json
from datetime import date
from typing import Any

import pytest
from django.test import Client

from dangvien.accounts.models import User
from dangvien.api.tests.conftest import Answer, Api
from dangvien.candidates.models import Stage, StageChange
from dangvien.factories import make_candidate
from dangvien.organisations.models import Organisation
from dangvien.stats.actions.surveys import take_pool_survey
from dangvien.stats.models import PoolSurvey

Tree = dict[str, Organisation]
TODAY = date(2026, 8, 15)


pytestmark = pytest.mark.usefixtures("frozen_today")  # TODAY above (conftest.py)


@pytest.fixture
def pooled(tree: Tree) -> Tree:
    for branch in ("village", "village", "school_branch", "other_branch"):
        candidate = make_candidate(branch=tree[branch], listed_on=date(2026, 1, 5))
        StageChange.objects.create(
            candidate=candidate,
            from_stage=Stage.CANDIDATE,
            to_stage=Stage.CANDIDATE,
            on=date(2026, 1, 5),
        )
    certified = make_candidate(
        branch=tree["village"], listed_on=date(2026, 2, 1), stage=Stage.CERTIFIED
    )
    StageChange.objects.create(
        candidate=certified,
        from_stage=Stage.CANDIDATE,
        to_stage=Stage.CERTIFIED,
        on=date(2026, 3, 11),
    )
    return tree


def patch(client: Client, user: User, path: str, body: Any) -> Answer:
    headers = Api(client, user).headers
    response = client.patch(
        f"/api/v1{path}", json.dumps(body), content_type="application/json", headers=headers
    )
    return Answer(response.status_code, json.loads(response.content))


# ---- funnel ----------------------------------------------------------------------------


def test_the_funnel_answers_the_steps_with_counts_conversion_and_medians(
    as_user: Any, pooled: Tree, board: User
) -> None:
    answer = as_user(board).get(
        "/statistics/funnel",
        organisation=pooled["commune"].pk,
        **{"from": "2026-01-01", "to": "2026-06-30"},
    )
    assert answer.status == 200
    body = answer.body
    assert (body["organisation_id"], body["mode"], body["from"], body["to"]) == (
        pooled["commune"].pk,
        "flow",
        "2026-01-01",
        "2026-06-30",
    )
    steps = {s["key"]: s for s in body["steps"]}
    assert [s["key"] for s in body["steps"]] == [
        "pool",
        "in_course",
        "certified",
        "dossier",
        "proposed",
        "admitted",
        "recognised",
    ]
    assert steps["pool"]["count"] == 4
    assert steps["certified"] == {
        "key": "certified",
        "label": "Có giấy chứng nhận",
        "count": 1,
        "conversion": 100.0,
        "median_days": None,  # the course step was skipped: no date of its own
    }
    assert steps["in_course"]["conversion"] == 25.0
    assert steps["in_course"]["median_days"] is None
    children = {c["name"]: c["counts"] for c in body["children"]}
    assert children["Chi bộ thôn Đông"]["pool"] == 3
    assert children["Đảng bộ Trường THPT An Bình"]["pool"] == 1
    assert body["active"] is None


def test_the_cohort_funnel_counts_who_is_still_followed(
    as_user: Any, pooled: Tree, board: User
) -> None:
    body = (
        as_user(board)
        .get("/statistics/funnel", organisation=pooled["commune"].pk, mode="cohort")
        .body
    )
    assert body["mode"] == "cohort"
    assert (body["from"], body["to"]) == ("2026-01-01", "2026-08-15")
    assert body["active"] == 4


def test_the_funnel_defaults_to_the_user_s_top_node(
    as_user: Any, pooled: Tree, board: User
) -> None:
    assert as_user(board).get("/statistics/funnel").body["organisation_id"] == pooled["commune"].pk


def test_a_funnel_that_ends_before_it_starts_answers_400(
    as_user: Any, pooled: Tree, board: User
) -> None:
    answer = as_user(board).get("/statistics/funnel", **{"from": "2026-05-01", "to": "2026-04-01"})
    assert answer.status == 400
    assert answer.error["fields"] == {"to": "Ngày kết thúc phải sau ngày bắt đầu."}


def test_an_unknown_mode_answers_400(as_user: Any, pooled: Tree, board: User) -> None:
    answer = as_user(board).get("/statistics/funnel", mode="sideways")
    assert answer.status == 400
    assert "mode" in answer.error["fields"]


def test_the_funnel_of_a_node_outside_the_subtree_answers_404(
    as_user: Any, pooled: Tree, board: User
) -> None:
    answer = as_user(board).get("/statistics/funnel", organisation=pooled["other_commune"].pk)
    assert answer.status == 404
    assert answer.error["code"] == "not_found"


# ---- pool surveys ----------------------------------------------------------------------


def test_taking_a_survey_answers_the_node_s_snapshot(
    as_user: Any, pooled: Tree, board: User
) -> None:
    answer = as_user(board).post(
        "/pool-surveys",
        {
            "organisation_id": pooled["commune"].pk,
            "year": 2026,
            "quarter": 3,
            "assessment": "Nguồn trẻ.",
        },
    )
    assert answer.status == 201
    body = answer.body
    assert (body["organisation_id"], body["year"], body["quarter"]) == (
        pooled["commune"].pk,
        2026,
        3,
    )
    assert body["taken_on"] == "2026-08-15"
    assert body["data"]["total"] == 4
    assert body["data"]["age_band"]["31_40"] == 4  # born 17/05/1995 (factories)
    assert body["assessment"] == "Nguồn trẻ."
    assert PoolSurvey.objects.filter(year=2026, quarter=3).count() == 5  # commune and below


def test_listing_the_snapshots_answers_count_and_items(
    as_user: Any, pooled: Tree, board: User
) -> None:
    for quarter in (1, 2, 3):
        take_pool_survey(pooled["commune"], year=2026, quarter=quarter, by=board)
    take_pool_survey(pooled["commune"], year=2025, quarter=4, by=board)
    answer = as_user(board).get("/pool-surveys", organisation=pooled["commune"].pk, year=2026)
    assert answer.status == 200
    assert answer.body["count"] == 3
    assert [(i["year"], i["quarter"]) for i in answer.body["items"]] == [
        (2026, 3),
        (2026, 2),
        (2026, 1),
    ]
    assert answer.body["items"][1]["taken_on"] == "2026-06-30"
    everything = as_user(board).get("/pool-surveys", organisation=pooled["commune"].pk)
    assert everything.body["count"] == 4


def test_a_future_quarter_answers_409_with_its_message(
    as_user: Any, pooled: Tree, board: User
) -> None:
    answer = as_user(board).post(
        "/pool-surveys", {"organisation_id": pooled["commune"].pk, "year": 2026, "quarter": 4}
    )
    assert answer.status == 409
    assert answer.error["message"] == "Quý IV/2026 chưa bắt đầu."
    assert answer.error["fields"] == {"quarter": "Quý IV/2026 chưa bắt đầu."}


def test_a_closed_quarter_taken_again_answers_409(as_user: Any, pooled: Tree, board: User) -> None:
    body = {"organisation_id": pooled["commune"].pk, "year": 2026, "quarter": 2}
    assert as_user(board).post("/pool-surveys", body).status == 201
    again = as_user(board).post("/pool-surveys", body)
    assert again.status == 409
    assert again.error["code"] == "conflict"


def test_a_quarter_out_of_range_answers_400(as_user: Any, pooled: Tree, board: User) -> None:
    answer = as_user(board).post(
        "/pool-surveys", {"organisation_id": pooled["commune"].pk, "year": 2026, "quarter": 5}
    )
    assert answer.status == 400
    assert "quarter" in answer.error["fields"]


def test_a_branch_secretary_cannot_take_a_survey(
    as_user: Any, pooled: Tree, secretary: User
) -> None:
    answer = as_user(secretary).post(
        "/pool-surveys", {"organisation_id": pooled["village"].pk, "year": 2026, "quarter": 3}
    )
    assert answer.status == 403
    assert answer.error["code"] == "forbidden"
    assert not PoolSurvey.objects.exists()


def test_surveys_outside_the_subtree_answer_404(
    as_user: Any, pooled: Tree, board: User, outsider: User
) -> None:
    survey = take_pool_survey(pooled["commune"], year=2026, quarter=3, by=board).survey
    api = as_user(outsider)
    assert api.get("/pool-surveys", organisation=pooled["commune"].pk).status == 404
    taken = api.post(
        "/pool-surveys", {"organisation_id": pooled["commune"].pk, "year": 2026, "quarter": 3}
    )
    assert taken.status == 404
    assert (
        patch(api.client, outsider, f"/pool-surveys/{survey.pk}", {"assessment": "x"}).status == 404
    )


def test_the_assessment_is_written_with_patch(
    client: Client, pooled: Tree, board: User, secretary: User
) -> None:
    survey = take_pool_survey(pooled["commune"], year=2026, quarter=3, by=board).survey
    answer = patch(client, board, f"/pool-surveys/{survey.pk}", {"assessment": "Khá, cần thêm nữ."})
    assert answer.status == 200
    assert answer.body["assessment"] == "Khá, cần thêm nữ."
    survey.refresh_from_db()
    assert survey.assessment == "Khá, cần thêm nữ."
    village = PoolSurvey.objects.get(organisation=pooled["village"], quarter=3)
    refused = patch(client, secretary, f"/pool-surveys/{village.pk}", {"assessment": "Tốt."})
    assert refused.status == 403


def test_the_endpoints_are_in_the_openapi_schema(client: Client) -> None:
    schema = json.loads(client.get("/api/v1/openapi.json").content)
    assert "/api/v1/statistics/funnel" in schema["paths"]
    assert {"get", "post"} <= set(schema["paths"]["/api/v1/pool-surveys"])
    assert "patch" in schema["paths"]["/api/v1/pool-surveys/{survey_id}"]
