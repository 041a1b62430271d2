"""Meetings, resolution study, dues and removal candidates over JSON (API.md: one error
shape; 400 input, 403 role, 404 outside the scope, 409 a rule)."""

from datetime import date

import pytest

from dangvien.factories import make_member
from dangvien.members.actions.meetings import Presence, record_meeting, set_dues_basis
from dangvien.members.models import DuesBasis, DuesPayment, Meeting, MeetingKind


@pytest.fixture
def villagers(tree):
    return [make_member(branch=tree["village"]) for _ in range(3)]


def _body(tree, members, **extra):
    return {
        "branch_id": tree["village"].pk,
        "kind": "regular",
        "held_on": "2026-03-10",
        "topic": "",
        "attendance": [
            {"member_id": m.pk, "present": i != 1, "excused": False, "reason": ""}
            for i, m in enumerate(members)
        ],
        **extra,
    }


def test_recording_a_meeting_answers_201_with_its_attendance(as_user, secretary, tree, villagers):
    answer = as_user(secretary).post("/meetings", _body(tree, villagers))
    assert answer.status == 201
    assert answer.body["kind"] == "regular" and answer.body["attended"] == 2
    assert {r["member_id"] for r in answer.body["attendance"]} == {m.pk for m in villagers}
    got = as_user(secretary).get(f"/meetings/{answer.body['id']}")
    assert got.status == 200 and got.body["absent_unexcused"] == 1


def test_a_second_regular_meeting_in_the_month_answers_409(as_user, secretary, tree, villagers):
    api = as_user(secretary)
    assert api.post("/meetings", _body(tree, villagers)).status == 201
    again = api.post("/meetings", _body(tree, villagers, held_on="2026-03-25"))
    assert again.status == 409 and again.error["code"] == "conflict"
    assert again.error["fields"] == {"held_on": again.error["message"]}


def test_missing_attendance_answers_409_and_writes_nothing(as_user, secretary, tree, villagers):
    body = _body(tree, villagers)
    body["attendance"] = body["attendance"][:1]
    answer = as_user(secretary).post("/meetings", body)
    assert answer.status == 409 and "Chưa điểm danh" in answer.error["message"]
    assert not Meeting.objects.exists()


def test_a_bad_date_or_kind_answers_400(as_user, secretary, tree, villagers):
    answer = as_user(secretary).post(
        "/meetings", _body(tree, villagers, held_on="10/03/2026", kind="x")
    )
    assert answer.status == 400
    assert set(answer.error["fields"]) == {"held_on", "kind"}


def test_an_unknown_member_in_the_attendance_answers_400(as_user, secretary, tree, villagers):
    stranger = make_member(branch=tree["other_branch"])
    body = _body(tree, [*villagers, stranger])
    answer = as_user(secretary).post("/meetings", body)
    assert answer.status == 400 and "attendance" in answer.error["fields"]


def test_a_leader_may_read_but_not_record(as_user, leader, tree, villagers):
    answer = as_user(leader).post("/meetings", _body(tree, villagers))
    assert answer.status == 403 and answer.error["code"] == "forbidden"


def test_outside_the_scope_answers_404(as_user, outsider, secretary, tree, villagers):
    assert as_user(outsider).post("/meetings", _body(tree, villagers)).status == 404
    meeting = as_user(secretary).post("/meetings", _body(tree, villagers)).body
    assert as_user(outsider).get(f"/meetings/{meeting['id']}").status == 404
    assert as_user(outsider).get("/meetings", organisation=tree["village"].pk).status == 404
    assert as_user(outsider).get("/dues", branch=tree["village"].pk).status == 404
    listed = as_user(outsider).get("/meetings")
    assert listed.status == 200 and listed.body["count"] == 0


def test_meetings_are_listed_by_organisation_and_month(as_user, secretary, tree, villagers):
    api = as_user(secretary)
    api.post("/meetings", _body(tree, villagers))
    assert api.get("/meetings", organisation=tree["village"].pk, month="2026-03").body["count"] == 1
    assert api.get("/meetings", month="2026-04").body["count"] == 0
    assert api.get("/meetings", month="2026-13").status == 400


def test_dues_read_and_record(as_user, secretary, tree, villagers):
    a, b, c = villagers
    for m in villagers:
        set_dues_basis(
            m, from_month=date(2026, 1, 1), basis=DuesBasis.OTHER_WORKING_AGE, by=secretary
        )
    api = as_user(secretary)
    grid = api.get("/dues", branch=tree["village"].pk, month="2026-03")
    assert grid.status == 200 and grid.body["total_due"] == 33_000
    assert {r["amount_due"] for r in grid.body["rows"]} == {11_000}
    answer = api.post(
        "/dues",
        {
            "branch_id": tree["village"].pk,
            "month": "2026-03",
            "payments": [
                {
                    "member_id": a.pk,
                    "amount_paid": 11000,
                    "paid_on": "2026-03-05",
                    "channel": "portal",
                },
                {"member_id": b.pk, "amount_paid": 0},
            ],
        },
    )
    assert answer.status == 200
    rows = {r["member_id"]: r for r in answer.body["rows"]}
    assert rows[a.pk]["recorded"] and rows[a.pk]["channel"] == "portal"
    assert rows[b.pk]["unpaid"] and not rows[c.pk]["recorded"]
    assert answer.body["total_paid"] == 11_000 and answer.body["unpaid"] == 1


def test_dues_errors_answer_400_403_409(as_user, secretary, leader, tree, villagers):
    a = villagers[0]
    set_dues_basis(a, from_month=date(2026, 1, 1), basis=DuesBasis.STUDENT, by=secretary)
    body = {"branch_id": tree["village"].pk, "month": "2026-3", "payments": [{"member_id": a.pk}]}
    assert as_user(secretary).post("/dues", body).status == 400
    body["month"] = "2026-03"
    assert as_user(leader).post("/dues", body).status == 403
    body["payments"] = [{"member_id": a.pk, "amount_paid": 5000, "channel": "cash"}]
    refused = as_user(secretary).post("/dues", body)
    assert refused.status == 409 and "Cần ghi ngày nộp" in refused.error["message"]
    assert not DuesPayment.objects.exists()


def test_resolution_study_statistics(as_user, secretary, board, tree, villagers):
    record_meeting(
        tree["village"],
        kind=MeetingKind.STUDY,
        held_on=date(2026, 3, 10),
        topic="Nghị quyết Đại hội XIV",
        attendance=[Presence(m, i < 2) for i, m in enumerate(villagers)],
        by=secretary,
    )
    answer = as_user(board).get(
        "/statistics/resolution-study",
        organisation=tree["commune"].pk,
        **{"from": "2026-01-01", "to": "2026-12-31"},
    )
    assert answer.status == 200
    assert answer.body["target_percent"] == 90 and answer.body["from"] == "2026-01-01"
    rows = {r["organisation_id"]: r for r in answer.body["rows"]}
    village = rows[tree["village"].pk]
    assert (village["expected"], village["attended"], village["percent"]) == (3, 2, 66.7)
    assert village["below_target"] and answer.body["total"]["percent"] == 66.7
    assert as_user(board).get("/statistics/resolution-study", **{"from": "x"}).status == 400


def test_removal_candidates(as_user, secretary, outsider, tree, villagers):
    late = villagers[0]
    for month in (2, 5, 8):
        record_meeting(
            tree["village"],
            kind=MeetingKind.REGULAR,
            held_on=date(2026, month, 3),
            attendance=[Presence(m, m != late) for m in villagers],
            by=secretary,
        )
    answer = as_user(secretary).get("/removal-candidates")
    assert answer.status == 200 and answer.body["count"] == 1
    [item] = answer.body["items"]
    assert item["member_id"] == late.pk
    assert item["missed_meetings"] == ["2026-02", "2026-05", "2026-08"]
    assert item["grounds"] == ["missed_meetings"]
    assert as_user(outsider).get("/removal-candidates").body["count"] == 0
    assert (
        as_user(outsider).get("/removal-candidates", organisation=tree["village"].pk).status == 404
    )


def test_the_dues_moves(as_user, secretary, leader, outsider, tree, villagers):
    member = villagers[0]
    api = as_user(secretary)
    answer = api.post(
        f"/members/{member.pk}/set-dues-basis",
        {"from_month": "2026-03", "basis": "pension", "base_amount": 4_000_000},
    )
    assert answer.status == 200 and "set-dues-basis" in answer.body["moves"]
    assert member.dues_accounts.get().base_amount == 4_000_000
    relief = {
        "kind": "reduced",
        "percent": 40,
        "from_month": "2026-03",
        "until_month": "2026-06",
        "reason": "Khó khăn",
    }
    refused = api.post(f"/members/{member.pk}/grant-dues-relief", relief)
    assert refused.status == 409 and refused.error["fields"] == {
        "percent": refused.error["message"]
    }
    relief["percent"] = 30
    assert api.post(f"/members/{member.pk}/grant-dues-relief", relief).status == 200
    assert member.dues_reliefs.get().percent == 30
    assert (
        api.post(
            f"/members/{member.pk}/set-dues-basis", {"from_month": "03/2026", "basis": "pension"}
        ).status
        == 400
    )
    assert (
        as_user(leader)
        .post(f"/members/{member.pk}/set-dues-basis", {"from_month": "2026-03", "basis": "student"})
        .status
        == 403
    )
    assert (
        as_user(outsider)
        .post(f"/members/{member.pk}/set-dues-basis", {"from_month": "2026-03", "basis": "student"})
        .status
        == 404
    )


def test_the_endpoints_are_in_the_openapi_schema(as_user, secretary):
    schema = as_user(secretary).get("/openapi.json").body
    for path in (
        "/api/v1/meetings",
        "/api/v1/meetings/{meeting_id}",
        "/api/v1/dues",
        "/api/v1/statistics/resolution-study",
        "/api/v1/removal-candidates",
        "/api/v1/members/{member_id}/set-dues-basis",
        "/api/v1/members/{member_id}/grant-dues-relief",
    ):
        assert path in schema["paths"], path


def test_attendance_is_corrected_over_the_api(as_user, secretary, leader, tree, villagers):
    meeting = as_user(secretary).post("/meetings", _body(tree, villagers)).body
    absent = villagers[1]
    path = f"/meetings/{meeting['id']}/attendance"
    fix = {
        "attendance": [{"member_id": absent.pk, "present": False, "excused": True, "reason": "Ốm"}]
    }
    assert as_user(leader).post(path, fix).status == 403
    answer = as_user(secretary).post(path, fix)
    assert answer.status == 200 and answer.body["absent_unexcused"] == 0
    fix["attendance"][0]["reason"] = ""
    refused = as_user(secretary).post(path, fix)
    assert refused.status == 409 and "Cần ghi lý do vắng" in refused.error["message"]
    assert as_user(secretary).post(path, {"attendance": []}).status == 400
