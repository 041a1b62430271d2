"""Marking, results and statistics over JSON: 404 outside the scope and board, 403 for a
role that may not act, 409 when a rule refuses, 400 for malformed input."""

from typing import Any

import pytest

from dangvien.exams.models import Answer, RoundStatus, Sitting
from dangvien.exams.tests.factories_marking import Marking, marking_round
from dangvien.organisations.models import Organisation


@pytest.fixture
def m(tree: dict[str, Organisation]) -> Marking:
    return marking_round(tree)


@pytest.fixture
def sitting(m: Marking) -> Sitting:
    return m.sitting({1: "B", 2: "Đảng ra đời ngày 3/2/1930."})


def _essay(m: Marking, sitting: Sitting) -> Answer:
    return Answer.objects.get(sitting=sitting, item=m.item(2))


def _oral(m: Marking, sitting: Sitting) -> Answer:
    return Answer.objects.get(sitting=sitting, item=m.item(3))


def _marked(as_user: Any, m: Marking) -> None:
    assert as_user(m.first).post(f"/exam-rounds/{m.round.pk}/mark-objective").status == 200


def test_objective_marking_answers_its_counts(as_user: Any, m: Marking, sitting: Sitting) -> None:
    answer = as_user(m.staff).post(f"/exam-rounds/{m.round.pk}/mark-objective")
    assert answer.status == 200
    assert answer.body == {"sittings": 1, "answers_created": 1, "answers_changed": 1}


def test_a_round_outside_the_scope_answers_404(as_user: Any, m: Marking, sitting: Sitting) -> None:
    outsider = as_user(m.outsider)
    base = f"/exam-rounds/{m.round.pk}"
    assert outsider.post(f"{base}/mark-objective").status == 404
    assert outsider.get(f"{base}/marking-queue").status == 404
    assert outsider.get(f"{base}/results").status == 404
    assert outsider.post(f"{base}/results/sign").status == 404
    assert outsider.get(f"{base}/statistics").status == 404
    _marked(as_user, m)
    essay = _essay(m, sitting)
    assert outsider.post(f"/answers/{essay.pk}/marks", {"criteria": [1, 1]}).status == 404
    assert outsider.post(f"/answers/{essay.pk}/resolve", {"points": 1}).status == 404


def test_the_queue_groups_by_question_and_hides_essay_names(
    as_user: Any, m: Marking, sitting: Sitting
) -> None:
    _marked(as_user, m)
    answer = as_user(m.first).get(f"/exam-rounds/{m.round.pk}/marking-queue")
    assert answer.status == 200
    assert answer.body["count"] == 2
    essay, oral = answer.body["items"]
    assert essay["type"] == "essay"
    assert essay["rubric"] == [
        {"criterion": "Nêu đúng nội dung chính", "points": 2.0},
        {"criterion": "Liên hệ bản thân", "points": 2.0},
    ]
    assert essay["answers"][0]["candidate_name"] is None
    assert essay["answers"][0]["response"] == "Đảng ra đời ngày 3/2/1930."
    assert oral["answers"][0]["candidate_name"] == sitting.person.full_name


def test_the_queue_is_for_board_members(as_user: Any, m: Marking) -> None:
    answer = as_user(m.staff).get(f"/exam-rounds/{m.round.pk}/marking-queue")
    assert answer.status == 403
    assert answer.error["code"] == "forbidden"


def test_two_marks_give_the_mean(as_user: Any, m: Marking, sitting: Sitting) -> None:
    _marked(as_user, m)
    path = f"/answers/{_essay(m, sitting).pk}/marks"
    first = as_user(m.first).post(path, {"criteria": [1.5, "1"], "note": "Khá"})
    assert first.status == 200
    assert first.body["points"] is None
    assert first.body["my_mark"]["points"] == 2.5
    second = as_user(m.second).post(path, {"criteria": [2, 1]})
    assert (second.body["points"], second.body["disputed"], second.body["marks_count"]) == (
        2.75,
        False,
        2,
    )


def test_a_third_marker_answers_409(as_user: Any, m: Marking, sitting: Sitting) -> None:
    _marked(as_user, m)
    path = f"/answers/{_essay(m, sitting).pk}/marks"
    as_user(m.first).post(path, {"criteria": [1, 1]})
    as_user(m.second).post(path, {"criteria": [1, 1]})
    third = as_user(m.chair).post(path, {"criteria": [1, 1]})
    assert third.status == 409
    assert "đủ hai giám khảo" in third.error["message"]


def test_a_score_over_the_rubric_answers_409_naming_the_field(
    as_user: Any, m: Marking, sitting: Sitting
) -> None:
    _marked(as_user, m)
    answer = as_user(m.first).post(f"/answers/{_essay(m, sitting).pk}/marks", {"criteria": [3, 1]})
    assert answer.status == 409
    assert answer.error["code"] == "invalid_score"
    assert "criteria" in answer.error["fields"]


def test_malformed_marks_answer_400(as_user: Any, m: Marking, sitting: Sitting) -> None:
    _marked(as_user, m)
    answer = as_user(m.first).post(f"/answers/{_essay(m, sitting).pk}/marks", {"note": "x"})
    assert answer.status == 400
    assert "criteria" in answer.error["fields"]


def test_a_non_board_user_in_scope_may_not_mark(as_user: Any, m: Marking, sitting: Sitting) -> None:
    _marked(as_user, m)
    answer = as_user(m.staff).post(f"/answers/{_essay(m, sitting).pk}/marks", {"criteria": [1, 1]})
    assert answer.status == 403


def test_the_chair_resolves_and_a_member_may_not(
    as_user: Any, m: Marking, sitting: Sitting
) -> None:
    _marked(as_user, m)
    essay = _essay(m, sitting)
    as_user(m.first).post(f"/answers/{essay.pk}/marks", {"criteria": [0, 0]})
    flagged = as_user(m.second).post(f"/answers/{essay.pk}/marks", {"criteria": [2, 2]})
    assert flagged.body["disputed"] is True
    path = f"/answers/{essay.pk}/resolve"
    assert as_user(m.first).post(path, {"points": 2}).status == 403
    resolved = as_user(m.chair).post(path, {"points": "2.5", "note": "Thống nhất"})
    assert resolved.status == 200
    assert (resolved.body["points"], resolved.body["resolved"]) == (2.5, True)


def test_results_list_and_sign_off(as_user: Any, m: Marking, sitting: Sitting) -> None:
    _marked(as_user, m)
    for answer in (_essay(m, sitting), _oral(m, sitting)):
        for marker in (m.first, m.second):
            assert (
                as_user(marker).post(f"/answers/{answer.pk}/marks", {"criteria": [1, 1]}).status
                == 200
            )
    base = f"/exam-rounds/{m.round.pk}/results"
    listing = as_user(m.staff).get(base)
    assert listing.status == 200
    assert (listing.body["count"], listing.body["marked"], listing.body["can_sign"]) == (1, 1, True)
    row = listing.body["items"][0]
    # single 1 + essay 2 of 5 → written 6.00; oral 2 of 2 → 10.00; 6 × 0.7 + 10 × 0.3 = 7.20
    assert (row["written_score"], row["oral_score"], row["final_score"], row["passed"]) == (
        6.0,
        10.0,
        7.2,
        True,
    )
    assert as_user(m.first).post(f"{base}/sign").status == 403
    signed = as_user(m.chair).post(f"{base}/sign")
    assert signed.status == 200
    assert signed.body["status"] == RoundStatus.SIGNED
    again = as_user(m.first).post(f"/answers/{_essay(m, sitting).pk}/marks", {"criteria": [2, 2]})
    assert again.status == 409
    assert again.error["code"] == "stage_not_allowed"


def test_sign_off_with_an_unmarked_sitting_answers_409(
    as_user: Any, m: Marking, sitting: Sitting
) -> None:
    answer = as_user(m.chair).post(f"/exam-rounds/{m.round.pk}/results/sign")
    assert answer.status == 409
    assert "chưa chấm xong" in answer.error["message"]


def test_results_compute(as_user: Any, m: Marking, sitting: Sitting) -> None:
    answer = as_user(m.staff).post(f"/exam-rounds/{m.round.pk}/results/compute")
    assert answer.status == 200
    assert answer.body == {"marked": 0, "waiting": 1}


def test_statistics_for_the_board(as_user: Any, m: Marking, sitting: Sitting) -> None:
    _marked(as_user, m)
    for answer in (_essay(m, sitting), _oral(m, sitting)):
        for marker in (m.first, m.second):
            as_user(marker).post(f"/answers/{answer.pk}/marks", {"criteria": [1, 1]})
    answer = as_user(m.first).get(f"/exam-rounds/{m.round.pk}/statistics")
    assert answer.status == 200
    assert answer.body["round"]["count"] == 1
    assert answer.body["round"]["mean"] == 7.2
    single = answer.body["items"][0]
    assert single["facility"] == 1.0
    assert single["choices"][1] == {
        "key": "B",
        "label": single["choices"][1]["label"],
        "count": 1,
        "is_key": True,
    }
    assert single["review"] is True


def test_the_endpoints_are_in_the_openapi_schema(as_user: Any, m: Marking) -> None:
    schema = as_user(m.first).get("/openapi.json").body
    for path in (
        "/api/v1/exam-rounds/{round_id}/mark-objective",
        "/api/v1/exam-rounds/{round_id}/marking-queue",
        "/api/v1/answers/{answer_id}/marks",
        "/api/v1/answers/{answer_id}/resolve",
        "/api/v1/exam-rounds/{round_id}/results",
        "/api/v1/exam-rounds/{round_id}/results/sign",
        "/api/v1/exam-rounds/{round_id}/statistics",
    ):
        assert path in schema["paths"], path
