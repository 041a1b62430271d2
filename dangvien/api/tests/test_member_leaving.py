"""The leaving area over JSON: removal (xóa tên), exit, expulsion, death, and the lists
(API.md: 400 invalid, 403 role, 404 scope, 409 rule; the answer is the updated member)."""

from datetime import date
from typing import Any

from django.utils import timezone

from dangvien.api.tests.conftest import official_members, queries_used
from dangvien.core import calendar
from dangvien.factories import make_member
from dangvien.members.actions import leaving as actions
from dangvien.members.models import Badge, Member, Proceeding, RemovalTrigger, Status, Step
from dangvien.members.tests.test_leaving_actions import absent, asked, propose

BODY = {
    "held_on": "2026-09-15",
    "in_favour": 4,
    "against": 2,
    "resolution_no": "NQ-05",
    "trigger": "failed_standards",
    "reason": "Hai năm liền không hoàn thành nhiệm vụ",
}


def path(member: Member, move: str) -> str:
    return f"/members/{member.pk}/{move}"


def test_request_self_review_opens_the_removal_and_answers_the_member(
    as_user: Any, secretary: Any, tree: Any
) -> None:
    """HD 01-HD/TW §11.1a."""
    member = make_member(branch=tree["village"])
    api = as_user(secretary)
    answer = api.post(
        path(member, "request-self-review"),
        {"requested_on": "2026-08-03", "trigger": "unpaid_dues", "reason": "Không đóng đảng phí"},
    )
    assert answer.status == 200, answer.body
    assert answer.body["id"] == member.pk
    assert "record-self-review" in answer.body["moves"]
    assert "propose-removal" in answer.body["moves"]
    assert "tự kiểm điểm (lần 1)" in answer.body["history"][-1]["note"]
    again = api.post(path(member, "request-self-review"), {"requested_on": "2026-08-10"})
    assert again.status == 200
    assert Proceeding.objects.get().self_review_requests == 2


def test_request_self_review_refusals(
    as_user: Any, secretary: Any, leader: Any, outsider: Any, tree: Any
) -> None:
    member = make_member(branch=tree["village"])
    body = {"requested_on": "2026-08-03", "trigger": "unpaid_dues", "reason": "x"}
    assert as_user(leader).post(path(member, "request-self-review"), body).status == 403
    assert as_user(outsider).post(path(member, "request-self-review"), body).status == 404
    bad = as_user(secretary).post(
        path(member, "request-self-review"), {**body, "trigger": "laziness"}
    )
    assert bad.status == 400 and "trigger" in bad.error["fields"]
    no_ground = as_user(secretary).post(
        path(member, "request-self-review"), {"requested_on": "2026-08-03"}
    )
    assert no_ground.status == 409
    assert no_ground.error["code"] == "not_eligible"
    assert no_ground.error["fields"] == {"trigger": "Cần chọn căn cứ xem xét xóa tên."}
    assert not Proceeding.objects.exists()


def test_record_self_review_needs_an_open_removal(as_user: Any, secretary: Any, tree: Any) -> None:
    member = make_member(branch=tree["village"])
    api = as_user(secretary)
    refused = api.post(path(member, "record-self-review"), {"reviewed_on": "2026-08-20"})
    assert refused.status == 409
    assert refused.error["code"] == "stage_not_allowed"
    asked(member, secretary, times=1)
    done = api.post(path(member, "record-self-review"), {"reviewed_on": "2026-08-20"})
    assert done.status == 200
    assert Proceeding.objects.get().self_reviewed_on == date(2026, 8, 20)
    assert "record-self-review" not in done.body["moves"]


def test_propose_removal_after_three_requests_answers_the_vote(
    as_user: Any, secretary: Any, board: Any, tree: Any
) -> None:
    """HD 01-HD/TW §11.1a–b; 4 of 6 is exactly 2/3 and passes (Charter Art. 8)."""
    member = make_member(branch=tree["village"])
    official_members(tree["village"], 5)
    api = as_user(secretary)
    asked(member, secretary, times=2)
    refused = api.post(path(member, "propose-removal"), BODY)
    assert refused.status == 409
    assert "cần yêu cầu đủ 3 lần" in refused.error["message"]
    api.post(path(member, "request-self-review"), {"requested_on": "2026-08-24"})
    assert as_user(board).post(path(member, "propose-removal"), BODY).status == 403
    answer = api.post(path(member, "propose-removal"), BODY)
    assert answer.status == 200, answer.body
    assert (answer.body["denominator"], answer.body["passed"]) == (6, True)
    due = calendar.add_working_days(date(2026, 9, 15), 30)
    assert answer.body["deadlines"] == [
        {
            "what": "Cấp ủy quyết định xóa tên",
            "due_on": due.isoformat(),
            "overdue": due < timezone.localdate(),
        }
    ]
    board_moves = as_user(board).get(f"/members/{member.pk}").body["moves"]
    assert "decide-removal" in board_moves and "record-exit" not in board_moves


def test_propose_removal_checks_the_meeting_records(
    as_user: Any, secretary: Any, tree: Any
) -> None:
    """Charter Art. 8: 3 months in a year; the answer names the months found."""
    member = make_member(branch=tree["village"])
    official_members(tree["village"], 5)
    absent(member, date(2026, 3, 10))
    absent(member, date(2026, 6, 10))
    asked(member, secretary, trigger=RemovalTrigger.MISSED_MEETINGS)
    body = {**BODY, "trigger": "missed_meetings"}
    refused = as_user(secretary).post(path(member, "propose-removal"), body)
    assert refused.status == 409
    assert "chỉ ghi 2 tháng bỏ sinh hoạt chi bộ" in refused.error["fields"]["trigger"]
    bad = as_user(secretary).post(path(member, "propose-removal"), {**body, "in_favour": -1})
    assert bad.status == 400 and "in_favour" in bad.error["fields"]


def test_decide_removal_late_needs_a_reason_and_then_removes(
    as_user: Any, secretary: Any, board: Any, tree: Any
) -> None:
    """QĐ 29 §4.3.1 (late decision); HD 01-HD/TW §11.1c (complaint window); §18 (badge)."""
    member = make_member(branch=tree["village"])
    official_members(tree["village"], 5)
    Badge.objects.create(member=member, years=30, awarded_on=date(2025, 2, 3), decision_no="H")
    asked(member, secretary)
    propose(member, secretary)
    late = calendar.add_working_days(calendar.add_working_days(date(2026, 9, 15), 30), 1)
    body = {"decision_no": "QĐ-77", "decided_on": late.isoformat(), "removed": True}
    assert as_user(secretary).post(path(member, "decide-removal"), body).status == 403
    refused = as_user(board).post(path(member, "decide-removal"), body)
    assert refused.status == 409
    assert refused.error["code"] == "deadline"
    assert "late_reason" in refused.error["fields"]
    assert as_user(board).post(path(member, "decide-removal"), {"removed": True}).status == 400
    answer = as_user(board).post(
        path(member, "decide-removal"), {**body, "late_reason": "Chờ thẩm định"}
    )
    assert answer.status == 200, answer.body
    assert answer.body["status"] == "removed"
    assert answer.body["left_on"] == late.isoformat()
    (window,) = answer.body["deadlines"]
    assert window["due_on"] == calendar.add_working_days(late, 30).isoformat()
    assert Badge.objects.get().returned_on == late
    assert not {"decide-removal", "request-exit", "record-expulsion"} & set(answer.body["moves"])


def test_a_grassroots_resolution_is_recorded_under_a_grassroots_committee(
    as_user: Any, school_secretary: Any, school_staff: Any, tree: Any
) -> None:
    member = make_member(branch=tree["school_branch"])
    official_members(tree["school_branch"], 5)
    asked(member, school_secretary)
    propose(member, school_secretary)
    body = {
        "held_on": "2026-09-20",
        "in_favour": 6,
        "committee_size": 9,
        "resolution_no": "NQ-ĐU-1",
    }
    move = "record-grassroots-removal-vote"
    assert as_user(school_secretary).post(path(member, move), body).status == 403
    wrong = as_user(school_staff).post(path(member, move), {**body, "committee_size": 7})
    assert wrong.status == 409 and wrong.error["code"] == "vote_invalid"
    answer = as_user(school_staff).post(path(member, move), body)
    assert answer.status == 200, answer.body
    assert answer.body["passed"] is True
    assert Proceeding.objects.get().step == Step.GRASSROOTS_ENDORSED


def test_request_exit_is_refused_while_a_removal_is_open(
    as_user: Any, secretary: Any, board: Any, tree: Any
) -> None:
    """HD 01-HD/TW §11.2a."""
    member = make_member(branch=tree["village"])
    asked(member, secretary, times=1)
    body = {"requested_on": "2026-08-03", "reason": "Gia đình"}
    refused = as_user(secretary).post(path(member, "request-exit"), body)
    assert refused.status == 409
    assert "đang bị xem xét xóa tên" in refused.error["message"]
    other = make_member(branch=tree["village"])
    assert as_user(secretary).post(path(other, "request-exit"), {"reason": "x"}).status == 400
    answer = as_user(secretary).post(path(other, "request-exit"), body)
    assert answer.status == 200
    assert "record-exit" in as_user(board).get(f"/members/{other.pk}").body["moves"]


def test_record_exit_lets_the_member_go(
    as_user: Any, secretary: Any, board: Any, outsider: Any, tree: Any
) -> None:
    """HD 01-HD/TW §11.2a; 294-QĐ/TW §3.5."""
    member = make_member(branch=tree["village"])
    actions.request_exit(member, by=secretary, requested_on=date(2026, 8, 3), reason="Gia đình")
    body = {"decision_no": "QĐ-91", "decided_on": "2026-10-01"}
    assert as_user(secretary).post(path(member, "record-exit"), body).status == 403
    assert as_user(outsider).post(path(member, "record-exit"), body).status == 404
    early = as_user(board).post(path(member, "record-exit"), {**body, "decided_on": "2026-07-01"})
    assert early.status == 409 and "decided_on" in early.error["fields"]
    answer = as_user(board).post(path(member, "record-exit"), body)
    assert answer.status == 200
    assert (answer.body["status"], answer.body["left_on"]) == ("exited", "2026-10-01")
    assert Member.objects.get(pk=member.pk).never_readmit == "asked_to_leave"


def test_record_expulsion_closes_the_removal_and_is_never_converted(
    as_user: Any, secretary: Any, board: Any, tree: Any
) -> None:
    """30-QĐ/TW Art. 35: no removal or exit move on an expelled member."""
    member = make_member(branch=tree["village"])
    asked(member, secretary, times=1)
    body = {
        "decision_no": "QĐ-KL-4",
        "decided_on": "2026-10-20",
        "body": "Ban Thường vụ Đảng ủy xã An Bình",
        "reason": "Vi phạm nghiêm trọng",
        "never_readmit": "corruption",
    }
    assert as_user(secretary).post(path(member, "record-expulsion"), body).status == 403
    bad = as_user(board).post(
        path(member, "record-expulsion"), {**body, "never_readmit": "asked_to_leave"}
    )
    assert bad.status == 400 and "never_readmit" in bad.error["fields"]
    answer = as_user(board).post(path(member, "record-expulsion"), body)
    assert answer.status == 200, answer.body
    assert answer.body["status"] == "expelled"
    assert Proceeding.objects.get().step == Step.CLOSED
    for move, user, payload in (
        ("request-self-review", secretary, {"requested_on": "2026-10-21"}),
        ("propose-removal", secretary, BODY),
        ("request-exit", secretary, {"requested_on": "2026-10-21", "reason": "x"}),
        (
            "decide-removal",
            board,
            {"decision_no": "Q", "decided_on": "2026-10-21", "removed": True},
        ),
        ("record-exit", board, {"decision_no": "Q", "decided_on": "2026-10-21"}),
    ):
        refused = as_user(user).post(path(member, move), payload)
        assert refused.status == 409, move
        assert refused.error["code"] == "stage_not_allowed"
        assert "Đã khai trừ" in refused.error["message"]
    assert Member.objects.get(pk=member.pk).status == Status.EXPELLED


def test_record_death_closes_the_record(
    as_user: Any, secretary: Any, outsider: Any, tree: Any
) -> None:
    member = make_member(branch=tree["village"])
    asked(member, secretary, times=1)
    api = as_user(secretary)
    assert api.post(path(member, "record-death"), {"died_on": "02/10/2026"}).status == 400
    assert (
        as_user(outsider).post(path(member, "record-death"), {"died_on": "2026-10-02"}).status
        == 404
    )
    future = api.post(path(member, "record-death"), {"died_on": "2099-01-01"})
    assert future.status == 409 and "died_on" in future.error["fields"]
    answer = api.post(path(member, "record-death"), {"died_on": "2026-10-02", "note": "Tuổi cao"})
    assert answer.status == 200
    assert answer.body["status"] == "deceased"
    assert Proceeding.objects.get().step == Step.CLOSED
    assert api.post(path(member, "record-death"), {"died_on": "2026-10-02"}).status == 409


def test_departures_are_listed_within_the_scope(
    as_user: Any, secretary: Any, board: Any, tree: Any, client: Any
) -> None:
    member = make_member(branch=tree["village"])
    actions.record_death(member, by=secretary, died_on=date(2026, 6, 1), note="Tuổi cao")
    school = make_member(branch=tree["school_branch"])
    actions.request_exit(school, by=board, requested_on=date(2025, 3, 1), reason="Gia đình")
    actions.record_exit(school, by=board, decision_no="QĐ-9", decided_on=date(2025, 4, 1))
    make_member(branch=tree["other_branch"], status=Status.REMOVED, left_on=date(2026, 1, 5))
    api = as_user(board)
    everyone = api.get("/departures")
    assert everyone.status == 200
    assert everyone.body["count"] == 2
    assert [i["member_id"] for i in everyone.body["items"]] == [member.pk, school.pk]
    item = everyone.body["items"][0]
    assert (item["kind"], item["kind_label"], item["left_on"]) == (
        "deceased",
        "Đã từ trần",
        "2026-06-01",
    )
    assert item["decision"] == "Từ trần: Tuổi cao"
    assert api.get("/departures", year=2025).body["items"][0]["never_readmit"] == "asked_to_leave"
    assert api.get("/departures", kind="exited").body["count"] == 1
    assert api.get("/departures", organisation=tree["school"].pk).body["count"] == 1
    assert as_user(secretary).get("/departures").body["count"] == 1
    assert api.get("/departures", organisation=tree["other_commune"].pk).status == 404
    assert api.get("/departures", kind="retired").status == 400
    assert as_user(None).get("/departures").status == 401


def test_removal_proceedings_are_listed_with_their_step_and_votes(
    as_user: Any, secretary: Any, board: Any, tree: Any
) -> None:
    member = make_member(branch=tree["village"])
    official_members(tree["village"], 5)
    asked(member, secretary)
    propose(member, secretary)
    other = make_member(branch=tree["other_branch"])
    asked(other, secretary, times=1)
    api = as_user(board)
    answer = api.get("/removal-proceedings")
    assert answer.status == 200
    (item,) = answer.body["items"]
    assert item["member_id"] == member.pk
    assert (item["step"], item["trigger"], item["self_review_requests"]) == (
        "branch_proposed",
        "failed_standards",
        3,
    )
    assert item["votes"][0]["passed"] is True
    assert api.get("/removal-proceedings", organisation=tree["other_branch"].pk).status == 404
    assert api.get("/removal-proceedings", limit=0).status == 400


def test_the_removal_list_runs_the_same_queries_for_3_or_30_rows(
    as_user: Any, secretary: Any, board: Any, tree: Any
) -> None:
    api = as_user(board)
    for _ in range(3):
        asked(make_member(branch=tree["village"]), secretary, times=1)
    few = queries_used(lambda: api.get("/removal-proceedings", limit=100))
    for _ in range(27):
        asked(make_member(branch=tree["school_branch"]), secretary, times=1)
    many = queries_used(lambda: api.get("/removal-proceedings", limit=100))
    assert api.get("/removal-proceedings", limit=100).body["count"] == 30
    assert many == few
    for member in Member.objects.all()[:5]:
        actions.record_death(member, by=secretary, died_on=date(2026, 6, 1))
    few = queries_used(lambda: api.get("/departures", limit=100))
    for member in Member.objects.filter(status=Status.OFFICIAL)[:20]:
        actions.record_death(member, by=secretary, died_on=date(2026, 6, 1))
    assert queries_used(lambda: api.get("/departures", limit=100)) == few


def test_the_endpoints_are_in_the_openapi_schema(as_user: Any, secretary: Any) -> None:
    schema = as_user(secretary).get("/openapi.json").body
    for move in (
        "request-self-review",
        "record-self-review",
        "propose-removal",
        "record-grassroots-removal-vote",
        "decide-removal",
        "request-exit",
        "record-exit",
        "record-expulsion",
        "record-death",
    ):
        assert f"/api/v1/members/{{member_id}}/{move}" in schema["paths"], move
    assert "/api/v1/departures" in schema["paths"]
    assert "/api/v1/removal-proceedings" in schema["paths"]
