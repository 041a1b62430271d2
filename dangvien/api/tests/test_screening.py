"""Screening cases over JSON (API.md: the list shape, 400 invalid, 403 role, 404 scope,
409 rule with nothing changed; a move answers the updated case)."""

from datetime import date
from typing import Any

from dangvien.api.tests.conftest import official_members
from dangvien.factories import make_member
from dangvien.members.models import Member, Proceeding, ProceedingKind, Status, Step
from dangvien.screening.models import CaseChange, ScreeningCase, State
from dangvien.screening.tests.factories import make_case

BALLOT = {
    "ballot_on": "2026-03-10",
    "in_favour": 4,
    "against": 1,
    "invalid": 1,
    "resolution_no": "05-NQ/CB",
    "criteria": ["duties", "meetings_dues"],
    "grounds": "Không thực hiện nhiệm vụ chi bộ phân công",
}


def village(tree: Any) -> list[Member]:
    return official_members(tree["village"], 6)


def test_a_ballot_answers_201_with_the_denominator_and_the_result(
    as_user: Any, secretary: Any, tree: Any
) -> None:
    """02-HD/BTCTW §1: exactly 2/3 of the officials, exempted ones out, lists the member."""
    members = village(tree)
    make_member(branch=tree["village"], exempted_since=date(2025, 1, 1))
    answer = as_user(secretary).post("/screening-cases", {**BALLOT, "member_id": members[0].pk})
    assert answer.status == 201, answer.body
    assert answer.body["state"] == "listed"
    assert answer.body["ballot"] == {
        "held_on": "2026-03-10",
        "in_favour": 4,
        "against": 1,
        "invalid": 1,
        "denominator": 6,
        "rule": [2, 3, "at_least"],
        "rule_text": "ít nhất 2/3",
        "passed": True,
    }
    assert answer.body["criteria"] == ["duties", "meetings_dues"]
    assert answer.body["history"][0]["to_state"] == "listed"
    assert answer.body["moves"] == ["assign-helper"]


def test_a_ballot_one_vote_short_is_kept_as_not_listed(
    as_user: Any, secretary: Any, tree: Any
) -> None:
    members = village(tree)
    answer = as_user(secretary).post(
        "/screening-cases", {**BALLOT, "member_id": members[0].pk, "in_favour": 3}
    )
    assert answer.status == 201
    assert (answer.body["state"], answer.body["ballot"]["passed"]) == ("not_listed", False)
    assert answer.body["moves"] == []


def test_ballot_refusals(
    as_user: Any, secretary: Any, leader: Any, outsider: Any, tree: Any
) -> None:
    members = village(tree)
    body = {**BALLOT, "member_id": members[0].pk}
    assert as_user(outsider).post("/screening-cases", body).status == 404
    forbidden = as_user(leader).post("/screening-cases", body)
    assert (forbidden.status, forbidden.error["code"]) == (403, "forbidden")
    over = as_user(secretary).post("/screening-cases", {**body, "against": 2})
    assert (over.status, over.error["code"]) == (409, "vote_invalid")
    assert "vượt quá số đảng viên được tính tỷ lệ (6" in over.error["fields"]["in_favour"]
    none = as_user(secretary).post("/screening-cases", {**body, "criteria": []})
    assert (none.status, none.error["code"]) == (409, "not_eligible")
    assert "criteria" in none.error["fields"]
    unknown = as_user(secretary).post("/screening-cases", {**body, "criteria": ["gambling"]})
    assert unknown.status == 400 and unknown.error["code"] == "invalid"
    bad_day = as_user(secretary).post("/screening-cases", {**body, "ballot_on": "10/03/2026"})
    assert bad_day.status == 400 and "ballot_on" in bad_day.error["fields"]
    assert not ScreeningCase.objects.exists()


def test_a_branch_under_three_officials_may_not_vote(
    as_user: Any, secretary: Any, tree: Any
) -> None:
    two = official_members(tree["village"], 2)
    answer = as_user(secretary).post(
        "/screening-cases",
        {**BALLOT, "member_id": two[0].pk, "in_favour": 2, "against": 0, "invalid": 0},
    )
    assert answer.status == 409
    assert "chỉ có 2 đảng viên chính thức" in answer.error["message"]


def test_the_list_has_the_list_shape_and_filters(
    as_user: Any, secretary: Any, leader: Any, tree: Any
) -> None:
    members = village(tree)
    make_case(members[0], State.HELPING, ballot_on=date(2026, 3, 1))
    make_case(members[1], State.IMPROVED, ballot_on=date(2025, 3, 1))
    make_case(make_member(branch=tree["other_branch"]), State.LISTED)
    mine = as_user(secretary).get("/screening-cases")
    assert mine.status == 200
    assert mine.body["count"] == 2
    assert {i["member_id"] for i in mine.body["items"]} == {members[0].pk, members[1].pk}
    everyone = as_user(leader)
    assert everyone.get("/screening-cases").body["count"] == 3
    assert everyone.get("/screening-cases", state="open").body["count"] == 2
    assert everyone.get("/screening-cases", year=2025).body["count"] == 1
    assert everyone.get("/screening-cases", organisation=tree["commune"].pk).body["count"] == 2
    page = everyone.get("/screening-cases", limit=1, offset=1).body
    assert (page["count"], len(page["items"])) == (3, 1)
    name = members[1].person.full_name.lower()
    assert everyone.get("/screening-cases", q=name).body["count"] == 1
    outside = as_user(secretary).get("/screening-cases", organisation=tree["other_branch"].pk)
    assert outside.status == 404
    assert as_user(secretary).get("/screening-cases", state="lost").status == 400


def test_one_case_with_history_and_404_outside_the_scope(
    as_user: Any, secretary: Any, outsider: Any, tree: Any
) -> None:
    members = village(tree)
    created = as_user(secretary).post("/screening-cases", {**BALLOT, "member_id": members[0].pk})
    case_id = created.body["id"]
    answer = as_user(secretary).get(f"/screening-cases/{case_id}")
    assert answer.status == 200
    assert answer.body["grounds"] == BALLOT["grounds"]
    assert answer.body["proceeding"] is None
    assert [h["to_state"] for h in answer.body["history"]] == ["listed"]
    assert as_user(outsider).get(f"/screening-cases/{case_id}").status == 404
    assert as_user(secretary).get("/screening-cases/999999").status == 404


def test_the_helper_and_the_conclusion_over_json(as_user: Any, secretary: Any, tree: Any) -> None:
    members = village(tree)
    api = as_user(secretary)
    case_id = api.post("/screening-cases", {**BALLOT, "member_id": members[0].pk}).body["id"]
    before_ballot = api.post(
        f"/screening-cases/{case_id}/assign-helper",
        {"helper_id": members[1].pk, "help_from": "2025-03-15", "help_until": "2026-03-16"},
    )
    assert before_ballot.status == 409 and "help_from" in before_ballot.error["fields"]
    itself = api.post(
        f"/screening-cases/{case_id}/assign-helper",
        {"helper_id": members[0].pk, "help_from": "2026-03-15", "help_until": "2026-09-15"},
    )
    assert itself.status == 409 and "helper_id" in itself.error["fields"]
    helped = api.post(
        f"/screening-cases/{case_id}/assign-helper",
        {"helper_id": members[1].pk, "help_from": "2026-03-15", "help_until": "2026-09-15"},
    )
    assert helped.status == 200, helped.body
    assert (helped.body["state"], helped.body["helper_id"]) == ("helping", members[1].pk)
    assert set(helped.body["moves"]) == {"record-improved", "record-outcome"}
    early = api.post(
        f"/screening-cases/{case_id}/record-outcome",
        {"outcome": "proposed_removal", "on": "2026-09-14", "note": "Không tiến bộ"},
    )
    assert early.status == 409 and "on" in early.error["fields"]
    removal = api.post(
        f"/screening-cases/{case_id}/record-outcome",
        {"outcome": "proposed_removal", "on": "2026-09-15", "note": "Không tiến bộ"},
    )
    assert removal.status == 200, removal.body
    assert removal.body["state"] == "proposed_removal"
    assert removal.body["proceeding"]["kind"] == ProceedingKind.REMOVAL
    assert removal.body["proceeding"]["step"] == Step.OPEN


def test_a_helper_outside_the_scope_is_400(as_user: Any, secretary: Any, tree: Any) -> None:
    members = village(tree)
    case = make_case(members[0], State.LISTED)
    stranger = make_member(branch=tree["other_branch"])
    answer = as_user(secretary).post(
        f"/screening-cases/{case.pk}/assign-helper",
        {"helper_id": stranger.pk, "help_from": "2026-03-15", "help_until": "2026-09-15"},
    )
    assert answer.status == 400 and "helper_id" in answer.error["fields"]


def test_record_improved_and_illegal_moves(as_user: Any, secretary: Any, tree: Any) -> None:
    members = village(tree)
    case = make_case(
        members[0],
        State.HELPING,
        helper=members[1],
        help_from=date(2026, 3, 15),
        help_until=date(2026, 9, 15),
    )
    api = as_user(secretary)
    done = api.post(f"/screening-cases/{case.pk}/record-improved", {"on": "2026-06-01"})
    assert done.status == 200 and done.body["state"] == "improved"
    again = api.post(f"/screening-cases/{case.pk}/record-improved", {"on": "2026-06-02"})
    assert (again.status, again.error["code"]) == (409, "stage_not_allowed")
    assert "Hồ sơ rà soát đang ở bước “Đã tiến bộ" in again.error["message"]


def test_deciding_an_expulsion_records_it_on_the_member(
    as_user: Any, secretary: Any, board: Any, tree: Any
) -> None:
    members = village(tree)
    case = make_case(
        members[0], State.PROPOSED_EXPULSION, outcome_on=date(2026, 3, 1), outcome_note="Vi phạm"
    )
    body = {
        "decision_no": "31-QĐ/UBKT",
        "decided_on": "2026-04-02",
        "upheld": True,
        "body": "Ủy ban Kiểm tra Đảng ủy xã",
        "never_readmit": "disunity",
    }
    assert as_user(secretary).post(f"/screening-cases/{case.pk}/decide", body).status == 403
    missing = as_user(board).post(f"/screening-cases/{case.pk}/decide", {**body, "upheld": None})
    assert missing.status == 409 and "upheld" in missing.error["fields"]
    answer = as_user(board).post(f"/screening-cases/{case.pk}/decide", body)
    assert answer.status == 200, answer.body
    assert (answer.body["state"], answer.body["decision_upheld"]) == ("decided", True)
    members[0].refresh_from_db()
    assert (members[0].status, members[0].never_readmit) == (Status.EXPELLED, "disunity")


def test_a_removal_decision_is_copied_once_decided_on_the_member_page(
    as_user: Any, board: Any, tree: Any
) -> None:
    members = village(tree)
    proceeding = Proceeding.objects.create(
        member=members[0], kind=ProceedingKind.REMOVAL, opened_on=date(2026, 3, 1)
    )
    case = make_case(members[0], State.PROPOSED_REMOVAL, proceeding=proceeding)
    api = as_user(board)
    assert "decide" not in api.get(f"/screening-cases/{case.pk}").body["moves"]
    early = api.post(f"/screening-cases/{case.pk}/decide", {})
    assert early.status == 409 and "Cấp ủy chưa quyết định" in early.error["message"]
    assert not CaseChange.objects.exists()
    Proceeding.objects.filter(pk=proceeding.pk).update(
        step=Step.DECIDED, outcome=True, decision_no="215-QĐ", decided_on=date(2026, 4, 20)
    )
    answer = api.post(f"/screening-cases/{case.pk}/decide", {"note": "Đã xóa tên"})
    assert answer.status == 200
    assert (answer.body["decision_no"], answer.body["decided_on"]) == ("215-QĐ", "2026-04-20")


def test_the_endpoints_are_in_the_openapi_schema(as_user: Any, secretary: Any) -> None:
    paths = as_user(secretary).get("/openapi.json").body["paths"]
    for suffix in (
        "",
        "/{case_id}",
        "/{case_id}/assign-helper",
        "/{case_id}/record-improved",
        "/{case_id}/record-outcome",
        "/{case_id}/decide",
    ):
        assert f"/api/v1/screening-cases{suffix}" in paths
    create = paths["/api/v1/screening-cases"]["post"]
    assert create["description"]
    assert "201" in create["responses"] and "409" in create["responses"]
