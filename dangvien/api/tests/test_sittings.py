"""/sittings over JSON: the staff's list, detail, open/close, paper keying and absence; the
candidate's start with the one-time code, autosave and submit with a sitting token."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dangvien.accounts.models import Role
from dangvien.api.tests.conftest import Answer as Reply
from dangvien.api.tests.conftest import Api
from dangvien.exams.models import (
    QuestionType,
    RoundStatus,
    Sitting,
    SittingStatus,
)
from dangvien.exams.tests.factories import add_board
from dangvien.exams.tests.factories_sittings import (
    Setup,
    online_sitting,
    paper_sitting,
    round_with_paper,
)
from dangvien.factories import make_user, user_with_role

pytestmark = pytest.mark.usefixtures("clear_cache")


@pytest.fixture
def setup(tree: dict[str, Any]) -> Setup:
    return round_with_paper(tree["commune"])


def put(api: Api, path: str, body: Any, headers: dict[str, str] | None = None) -> Reply:
    response = api.client.put(
        f"/api/v1{path}",
        json.dumps(body),
        content_type="application/json",
        headers={**api.headers, **(headers or {})},
    )
    return Reply(response.status_code, json.loads(response.content) if response.content else None)


class Candidate:
    """The candidate's side: no account, a sitting token after the code."""

    def __init__(self, client: Client) -> None:
        self.api = Api(client)
        self.token = ""

    def start(self, code: str = "ABCD-2345") -> Reply:
        answer = self.api.post("/sittings/start", {"code": code})
        if answer.status == 200:
            self.token = answer.body["token"]
        return answer

    @property
    def headers(self) -> dict[str, str]:
        return {"X-Sitting-Token": self.token}

    def save(self, item_id: int, response: Any) -> Reply:
        return put(
            self.api, f"/sittings/current/answers/{item_id}", {"response": response}, self.headers
        )

    def submit(self) -> Reply:
        response = self.api.client.post(
            "/api/v1/sittings/current/submit",
            "{}",
            content_type="application/json",
            headers=self.headers,
        )
        return Reply(response.status_code, json.loads(response.content))


# ---- staff -------------------------------------------------------------------------------


def test_the_list_answers_count_and_items_filtered_by_round_and_status(as_user, setup, tree, staff):
    online_sitting(setup, tree["village"])
    paper_sitting(setup, tree["village"])
    other = round_with_paper(tree["commune"])
    online_sitting(other, tree["village"], code="OTHE-R001")
    api = as_user(staff)
    everything = api.get("/sittings")
    assert everything.status == 200 and everything.body["count"] == 3
    mine = api.get("/sittings", round=setup.round.pk)
    assert mine.body["count"] == 2
    item = mine.body["items"][0]
    assert item["round_id"] == setup.round.pk and item["items"] == 5 and item["answered"] == 0
    assert item["status"] == "registered" and item["status_label"] == "Chưa làm bài"
    online = api.get("/sittings", round=setup.round.pk, status="registered", limit=1)
    assert online.body["count"] == 2 and len(online.body["items"]) == 1
    assert api.get("/sittings", status="nonsense").status == 400


def test_the_list_of_a_round_out_of_reach_is_not_found(as_user, setup, tree):
    api = as_user(user_with_role(Role.BOARD_STAFF, tree["other_commune"]))
    assert api.get("/sittings", round=setup.round.pk).status == 404
    assert api.get("/sittings").body["count"] == 0


def test_one_sitting_shows_its_answers_and_never_the_keys(as_user, setup, tree, staff):
    sitting = online_sitting(setup, tree["village"])
    candidate = Candidate(Client())
    candidate.start()
    candidate.save(setup.item(QuestionType.SINGLE).pk, "B")
    answer = as_user(staff).get(f"/sittings/{sitting.pk}")
    assert answer.status == 200
    body = answer.body
    assert body["status"] == "in_progress" and body["answered"] == 1
    assert len(body["answers"]) == 6  # the oral item too
    single = next(a for a in body["answers"] if a["type"] == "single")
    assert single["response"] == "B"
    assert [c["letter"] for c in single["choices"]] == ["A", "B", "C", "D"]
    assert all("answer" not in a and "rubric" not in a for a in body["answers"])
    assert '"rubric"' not in json.dumps(body) and "Nêu đúng nội dung chính" not in json.dumps(body)


def test_one_sitting_is_not_found_outside_the_scope(as_user, setup, tree, outsider):
    sitting = online_sitting(setup, tree["village"])
    assert as_user(outsider).get(f"/sittings/{sitting.pk}").status == 404


def test_the_staff_open_and_close_a_round(as_user, tree, staff):
    setup = round_with_paper(tree["commune"], status=RoundStatus.PAPERS)
    online_sitting(setup, tree["village"])
    api = as_user(staff)
    opened = api.post(f"/exam-rounds/{setup.round.pk}/open")
    assert opened.status == 200 and opened.body["status"] == "open"
    assert opened.body["sittings"]["registered"] == 1
    again = api.post(f"/exam-rounds/{setup.round.pk}/open")
    assert again.status == 409 and again.error["code"] == "stage_not_allowed"
    closed = api.post(f"/exam-rounds/{setup.round.pk}/close")
    assert closed.status == 200 and closed.body["status"] == "marking"
    assert closed.body["sittings"]["absent"] == 1


def test_opening_is_refused_with_the_reason_and_to_a_viewer(as_user, tree, staff, leader):
    setup = round_with_paper(tree["commune"], status=RoundStatus.PAPERS)
    online_sitting(setup, tree["village"], code="")
    refused = as_user(staff).post(f"/exam-rounds/{setup.round.pk}/open")
    assert refused.status == 409 and refused.error["code"] == "not_eligible"
    assert "chưa được cấp mã dự thi" in refused.error["message"]
    forbidden = as_user(leader).post(f"/exam-rounds/{setup.round.pk}/open")
    assert forbidden.status == 403 and forbidden.error["code"] == "forbidden"
    outsider = as_user(user_with_role(Role.BOARD_STAFF, tree["other_commune"]))
    assert outsider.post(f"/exam-rounds/{setup.round.pk}/close").status == 404


def test_a_board_member_keys_a_paper_sitting(as_user, setup, tree):
    member = make_user()
    add_board(setup.round, make_user(), member)
    sitting = paper_sitting(setup, tree["village"])
    body = {
        "responses": [
            {"item_id": setup.item(QuestionType.SINGLE).pk, "response": "C"},
            {"item_id": setup.item(QuestionType.TRUE_FALSE).pk, "response": False},
            {"item_id": setup.item(QuestionType.MULTIPLE).pk, "response": ["B", "D"]},
        ]
    }
    answer = put(as_user(member), f"/sittings/{sitting.pk}/responses", body)
    assert answer.status == 200
    assert answer.body["status"] == "submitted" and answer.body["answered"] == 3
    responses = {a["type"]: a["response"] for a in answer.body["answers"]}
    assert responses["single"] == "C" and responses["true_false"] is False


def test_paper_keying_is_not_found_for_an_outsider_and_forbidden_to_a_non_board_viewer(
    as_user, setup, tree, secretary, outsider
):
    sitting = paper_sitting(setup, tree["village"])
    body = {"responses": [{"item_id": setup.item(QuestionType.SINGLE).pk, "response": "C"}]}
    assert put(as_user(outsider), f"/sittings/{sitting.pk}/responses", body).status == 404
    # The village's secretary sees their candidate's sitting but is not on the board.
    forbidden = put(as_user(secretary), f"/sittings/{sitting.pk}/responses", body)
    assert forbidden.status == 403 and "Chỉ thành viên hội đồng" in forbidden.error["message"]
    assert Sitting.objects.get(pk=sitting.pk).status == SittingStatus.REGISTERED


def test_paper_keying_names_the_item_at_fault(as_user, setup, tree, staff):
    sitting = paper_sitting(setup, tree["village"])
    item = setup.item(QuestionType.SINGLE)
    body = {"responses": [{"item_id": item.pk, "response": "Q"}]}
    answer = put(as_user(staff), f"/sittings/{sitting.pk}/responses", body)
    assert answer.status == 409 and answer.error["code"] == "not_eligible"
    assert answer.error["fields"] == {
        f"responses.{item.pk}": f"Câu {item.position}: Chọn một phương án của câu hỏi."
    }


def test_an_absent_candidate_is_recorded(as_user, setup, tree, staff):
    sitting = paper_sitting(setup, tree["village"])
    answer = as_user(staff).post(f"/sittings/{sitting.pk}/absent")
    assert answer.status == 200 and answer.body["status"] == "absent"
    again = as_user(staff).post(f"/sittings/{sitting.pk}/absent")
    assert again.status == 409


# ---- the candidate -----------------------------------------------------------------------


def test_the_candidate_starts_with_the_code_and_gets_the_written_items_without_keys(
    client, setup, tree
):
    sitting = online_sitting(setup, tree["village"])
    candidate = Candidate(client)
    answer = candidate.start("abcd-2345")
    assert answer.status == 200
    body = answer.body
    assert body["token"] and body["sitting"]["id"] == sitting.pk
    assert body["sitting"]["status"] == "in_progress"
    assert 44 * 60 <= body["sitting"]["seconds_left"] <= 45 * 60
    items = body["sitting"]["items"]
    assert len(items) == 5 and all(i["part"] == "written" for i in items)
    assert all("answer" not in i for i in items)
    # Same code again before the deadline: the same sitting, the same deadline.
    again = Candidate(Client()).start("ABCD2345")
    assert again.body["sitting"]["id"] == sitting.pk
    assert again.body["sitting"]["deadline_at"] == body["sitting"]["deadline_at"]


def test_a_refused_code_answers_one_vague_409_and_a_missing_one_400(client, setup, tree):
    online_sitting(setup, tree["village"])
    candidate = Candidate(client)
    refused = candidate.start("WRON-G000")
    assert refused.status == 409 and refused.error["code"] == "not_eligible"
    assert refused.error["message"].startswith("Mã dự thi không đúng")
    assert refused.error["fields"] == {"code": refused.error["message"]}
    missing = candidate.api.post("/sittings/start", {})
    assert missing.status == 400 and "code" in missing.error["fields"]


def test_too_many_refused_codes_answer_429(client, setup, tree, monkeypatch):
    from dangvien.exams.actions import sittings as actions

    monkeypatch.setattr(actions, "CODE_FAILURE_LIMIT", 1)
    online_sitting(setup, tree["village"])
    candidate = Candidate(client)
    candidate.start("WRON-G000")
    throttled = candidate.start("ABCD-2345")
    assert throttled.status == 429 and throttled.error["code"] == "throttled"


def test_the_candidate_saves_answers_and_submits_with_the_token(client, setup, tree):
    sitting = online_sitting(setup, tree["village"])
    candidate = Candidate(client)
    candidate.start()
    saved = candidate.save(setup.item(QuestionType.MULTIPLE).pk, ["C", "A"])
    assert saved.status == 200 and saved.body["item_id"] == setup.item(QuestionType.MULTIPLE).pk
    current = client.get("/api/v1/sittings/current", headers=candidate.headers).json()
    multiple = next(i for i in current["items"] if i["type"] == "multiple")
    assert sorted(multiple["response"]) == ["A", "C"]
    submitted = candidate.submit()
    assert submitted.status == 200 and submitted.body["status"] == "submitted"
    assert submitted.body["timed_out"] is False
    assert "final_score" not in submitted.body
    late = candidate.save(setup.item(QuestionType.SINGLE).pk, "A")
    assert late.status == 409 and late.error["code"] == "conflict"
    assert Sitting.objects.get(pk=sitting.pk).status == SittingStatus.SUBMITTED


def test_a_response_of_the_wrong_shape_answers_400(client, setup, tree):
    online_sitting(setup, tree["village"])
    candidate = Candidate(client)
    candidate.start()
    answer = candidate.save(setup.item(QuestionType.SINGLE).pk, ["A", "B"])
    assert answer.status == 400 and answer.error["code"] == "invalid"
    assert answer.error["fields"] == {"response": "Chọn một phương án của câu hỏi."}


def test_without_a_valid_token_the_candidate_endpoints_answer_401(client, setup, tree):
    online_sitting(setup, tree["village"])
    candidate = Candidate(client)
    assert candidate.save(setup.item(QuestionType.SINGLE).pk, "A").status == 401
    candidate.token = "1:forged"
    assert candidate.save(setup.item(QuestionType.SINGLE).pk, "A").status == 401
    assert candidate.submit().status == 401


def test_the_candidate_cannot_reach_another_sitting(client, setup, tree):
    other = round_with_paper(tree["commune"])
    online_sitting(other, tree["village"], code="OTHE-R001")
    online_sitting(setup, tree["village"])
    candidate = Candidate(client)
    candidate.start()
    assert candidate.save(other.item(QuestionType.SINGLE).pk, "A").status == 404
    assert candidate.save(setup.item(QuestionType.ORAL).pk, "A").status == 404
    # Staff endpoints stay closed to a sitting token.
    answer = client.get(f"/api/v1/sittings/{other.round.pk}", headers=candidate.headers)
    assert answer.status_code == 401


def test_a_token_of_a_sitting_past_its_time_finds_it_submitted(client, setup, tree):
    sitting = online_sitting(setup, tree["village"])
    candidate = Candidate(client)
    candidate.start()
    Sitting.objects.filter(pk=sitting.pk).update(deadline_at=timezone.now() - timedelta(minutes=5))
    answer = candidate.save(setup.item(QuestionType.SINGLE).pk, "A")
    assert answer.status == 409
    sitting.refresh_from_db()
    assert sitting.status == SittingStatus.SUBMITTED and sitting.timed_out


def test_the_endpoints_are_in_the_openapi_schema(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/sittings",
        "/api/v1/sittings/{sitting_id}",
        "/api/v1/sittings/{sitting_id}/responses",
        "/api/v1/sittings/{sitting_id}/absent",
        "/api/v1/exam-rounds/{round_id}/open",
        "/api/v1/exam-rounds/{round_id}/close",
        "/api/v1/sittings/start",
        "/api/v1/sittings/current/answers/{item_id}",
        "/api/v1/sittings/current/submit",
    ):
        assert path in paths, path


def test_before_sign_off_a_marker_from_elsewhere_sees_no_name_and_a_secretary_no_score(
    as_user, setup, tree, secretary
):
    """Essays are marked blind (số phách) and scores are official only once the chair
    signs: a board member outside the candidate's subtree gets no name, the branch
    secretary no score, until the round is signed off."""
    member = make_user()
    add_board(setup.round, make_user(), member)
    sitting = paper_sitting(setup, tree["village"])
    Sitting.objects.filter(pk=sitting.pk).update(final_score="7.50", passed=True)
    as_marker = as_user(member).get(f"/sittings/{sitting.pk}")
    assert as_marker.body["full_name"] is None and as_marker.body["final_score"] == "7.50"
    as_secretary = as_user(secretary).get(f"/sittings/{sitting.pk}")
    assert as_secretary.body["full_name"] and as_secretary.body["final_score"] is None
    setup.round.status = RoundStatus.SIGNED
    setup.round.save(update_fields=["status"])
    assert as_user(member).get(f"/sittings/{sitting.pk}").body["full_name"]
    assert as_user(secretary).get(f"/sittings/{sitting.pk}").body["passed"] is True


def test_a_re_issued_code_ends_what_the_old_code_opened(client, setup, tree):
    """``issue_codes`` for one sitting says the old code stops working: the token and the
    page session won with it stop too, and the new code resumes the same sitting."""
    from dangvien.exams.queries.sittings import digest_of_code

    sitting = online_sitting(setup, tree["village"])
    candidate = Candidate(client)
    candidate.start()
    client.post("/thi/", {"code": "ABCD-2345"})
    assert client.get("/thi/bai-lam/").status_code == 200
    Sitting.objects.filter(pk=sitting.pk).update(code_digest=digest_of_code("WXYZ-6789"))
    assert candidate.save(setup.item(QuestionType.SINGLE).pk, "A").status == 401
    assert client.get("/thi/bai-lam/").status_code == 302
    assert client.post("/thi/", {"code": "WXYZ-6789"}).status_code == 302
    assert client.get("/thi/bai-lam/").status_code == 200
