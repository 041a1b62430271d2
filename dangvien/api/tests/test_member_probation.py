"""The probation moves and reads over JSON (API.md "Members"): each endpoint answers the
updated member, 403 for a role that may not, 404 outside the scope, 409 when a rule
refuses (nothing changed), 400 for malformed input."""

from datetime import date
from typing import Any

from dangvien.accounts.models import Role
from dangvien.factories import MemberFactory, make_member, make_person, user_with_role
from dangvien.members.actions.base import add_probationary_member
from dangvien.members.models import (
    Member,
    Mentorship,
    ProbationReport,
    Proceeding,
    ReportKind,
    Status,
    Step,
)
from dangvien.organisations.models import Organisation

CEREMONY = date(2025, 6, 2)  # 12 months end 2/6/2026; vote due 14/7/2026


def probationer(branch: Organisation, ceremony_on: date = CEREMONY, officials: int = 6) -> Member:
    MemberFactory.create_batch(officials, branch=branch)
    return add_probationary_member(
        make_person(),
        branch=branch,
        admitted_on=date(2025, 5, 15),
        decision_no="QĐ-5",
        ceremony_on=ceremony_on,
        by=None,
    )


def an_official(member: Member) -> Member:
    return Member.objects.filter(branch=member.branch, status=Status.OFFICIAL).first()  # type: ignore[return-value]


VOTE = {"held_on": "2026-06-10", "in_favour": 6, "against": 0, "resolution_no": "NQ-01"}
DECISION = {"decision_no": "QĐ-88", "decided_on": "2026-06-20", "recognised": True}


def with_course(api: Any, member: Member) -> None:
    answer = api.post(
        f"/members/{member.pk}/record-new-member-course",
        {"certificate_no": "ĐVM-7", "issued_on": "2025-09-15"},
    )
    assert answer.status == 200, answer.body


# ---- moves -------------------------------------------------------------------------------


def test_assign_mentor_answers_the_member_with_the_timeline(
    as_user: Any, secretary: Any, tree: Any
) -> None:
    member = probationer(tree["village"])
    helper = an_official(member)
    answer = as_user(secretary).post(
        f"/members/{member.pk}/assign-mentor", {"mentor_id": helper.pk, "from_on": "2025-06-02"}
    )
    assert answer.status == 200, answer.body
    assert answer.body["id"] == member.pk
    assert answer.body["history"][-1]["what"] == "mentor"
    assert Mentorship.objects.get(member=member).mentor == helper
    assert "assign-mentor" in answer.body["moves"]


def test_assign_mentor_refuses_a_mentor_of_another_branch_or_outside_the_scope(
    as_user: Any, secretary: Any, tree: Any
) -> None:
    """12-HD/BTCTW 2022: an official member of the same chi bộ."""
    member = probationer(tree["village"])
    school = make_member(branch=tree["school_branch"])
    commune_staff = user_with_role(Role.GRASSROOTS_STAFF, tree["commune"])
    answer = as_user(commune_staff).post(
        f"/members/{member.pk}/assign-mentor", {"mentor_id": school.pk}
    )
    assert answer.status == 409
    assert answer.error["code"] == "not_eligible"
    assert "cùng chi bộ" in answer.error["message"]
    assert answer.error["fields"] == {"mentor_id": answer.error["message"]}
    # Not visible to the village secretary: not found, on the field.
    answer = as_user(secretary).post(
        f"/members/{member.pk}/assign-mentor", {"mentor_id": school.pk}
    )
    assert answer.status == 400
    assert "mentor_id" in answer.error["fields"]
    assert not Mentorship.objects.exists()


def test_reports_are_filed_by_month_and_a_duplicate_is_409(
    as_user: Any, secretary: Any, tree: Any
) -> None:
    """Seed 000: one report a period; ``period`` is ``YYYY-MM``."""
    member = probationer(tree["village"])
    api = as_user(secretary)
    api.post(f"/members/{member.pk}/assign-mentor", {"mentor_id": an_official(member).pk})
    body = {"period": "2025-07", "text": "Tích cực", "assessment": "good", "filed_on": "2025-07-31"}
    assert api.post(f"/members/{member.pk}/file-mentor-report", body).status == 409
    Mentorship.objects.filter(member=member).update(from_on=CEREMONY)
    answer = api.post(f"/members/{member.pk}/file-mentor-report", body)
    assert answer.status == 200, answer.body
    again = api.post(f"/members/{member.pk}/file-mentor-report", {**body, "period": "2025-07-20"})
    assert again.status == 409
    assert again.error["code"] == "conflict"
    assert again.error["message"] == "Đã có nhận xét của đảng viên giúp đỡ kỳ 07/2025."
    review = api.post(
        f"/members/{member.pk}/file-self-review",
        {"period": "2025-07", "text": "Tự nhận xét", "assessment": "fair"},
    )
    assert review.status == 200
    assert ProbationReport.objects.filter(member=member).count() == 2
    assert ProbationReport.objects.get(kind=ReportKind.SELF).period == date(2025, 7, 1)


def test_a_report_with_a_malformed_period_is_400(as_user: Any, secretary: Any, tree: Any) -> None:
    member = probationer(tree["village"])
    answer = as_user(secretary).post(
        f"/members/{member.pk}/file-self-review",
        {"period": "07/2025", "text": "x", "assessment": "good"},
    )
    assert answer.status == 400
    assert "period" in answer.error["fields"]
    bad = as_user(secretary).post(
        f"/members/{member.pk}/file-self-review",
        {"period": "2025-07", "text": "x", "assessment": "excellent"},
    )
    assert bad.status == 400 and "assessment" in bad.error["fields"]


def test_the_recognition_vote_answers_denominator_and_passed(
    as_user: Any, secretary: Any, tree: Any
) -> None:
    """Charter Art. 5; DOMAIN.md §2: at least 2/3 of the denominator; a member on temporary
    transfer is not counted (294-QĐ/TW §9.3.2)."""
    member = probationer(tree["village"], officials=6)
    make_member(branch=tree["village"], temporarily_away_since=date(2026, 1, 5))
    answer = as_user(secretary).post(
        f"/members/{member.pk}/record-recognition-vote", {**VOTE, "in_favour": 4, "against": 2}
    )
    assert answer.status == 200, answer.body
    assert (answer.body["denominator"], answer.body["passed"]) == (6, True)
    (deadline,) = [d for d in answer.body["deadlines"] if d["what"].startswith("Cấp ủy")]
    assert deadline["due_on"] == "2026-07-22"


def test_a_failed_recognition_vote_is_recorded_with_passed_false(
    as_user: Any, secretary: Any, tree: Any
) -> None:
    member = probationer(tree["village"], officials=9)
    answer = as_user(secretary).post(
        f"/members/{member.pk}/record-recognition-vote", {**VOTE, "in_favour": 5, "against": 4}
    )
    assert answer.status == 200
    assert (answer.body["denominator"], answer.body["passed"]) == (9, False)
    assert Proceeding.objects.get(member=member).step == Step.OPEN


def test_a_recognition_vote_before_the_12_months_end_is_409(
    as_user: Any, secretary: Any, tree: Any
) -> None:
    member = probationer(tree["village"], date(2026, 3, 2))
    answer = as_user(secretary).post(
        f"/members/{member.pk}/record-recognition-vote", {**VOTE, "held_on": "2026-11-02"}
    )
    assert answer.status == 409
    assert answer.error["code"] == "not_eligible"
    assert answer.error["message"].startswith("Chưa hết 12 tháng dự bị (đến 02/03/2027)")
    assert not Proceeding.objects.exists()


def test_the_grassroots_recognition_vote_where_a_committee_sits_between(
    as_user: Any, school_secretary: Any, school_staff: Any, tree: Any
) -> None:
    """24/294-QĐ/TW: the đảng ủy cơ sở resolves (2/3 of its 9 members)."""
    member = probationer(tree["school_branch"])
    path = f"/members/{member.pk}/record-grassroots-recognition-vote"
    body = {"held_on": "2026-06-15", "in_favour": 6, "committee_size": 9, "resolution_no": "NQ-3"}
    assert as_user(school_staff).post(path, body).status == 409  # the branch has not voted
    assert (
        as_user(school_secretary)
        .post(f"/members/{member.pk}/record-recognition-vote", VOTE)
        .body["passed"]
    )
    assert as_user(school_secretary).post(path, body).status == 403
    answer = as_user(school_staff).post(path, body)
    assert answer.status == 200, answer.body
    assert (answer.body["denominator"], answer.body["passed"]) == (9, True)
    assert Proceeding.objects.get(member=member).step == Step.GRASSROOTS_ENDORSED


def test_the_grassroots_vote_is_409_where_none_sits_between(
    as_user: Any, secretary: Any, board: Any, tree: Any
) -> None:
    member = probationer(tree["village"])
    as_user(secretary).post(f"/members/{member.pk}/record-recognition-vote", VOTE)
    answer = as_user(board).post(
        f"/members/{member.pk}/record-grassroots-recognition-vote",
        {"held_on": "2026-06-15", "in_favour": 6, "committee_size": 9, "resolution_no": "NQ"},
    )
    assert answer.status == 409


def test_extend_recognition_deadline_once(
    as_user: Any, secretary: Any, board: Any, tree: Any
) -> None:
    """QĐ 29 §4.3.1: extendable once by 30 working days, by the deciding committee."""
    member = probationer(tree["village"])
    path = f"/members/{member.pk}/extend-recognition-deadline"
    assert as_user(board).post(path, {"reason": "Chờ"}).status == 409  # nothing to extend yet
    as_user(secretary).post(f"/members/{member.pk}/record-recognition-vote", VOTE)
    assert as_user(secretary).post(path, {"reason": "Chờ"}).status == 403
    answer = as_user(board).post(path, {"reason": "Chờ xác minh"})
    assert answer.status == 200
    assert Proceeding.objects.get(member=member).extended
    assert as_user(board).post(path, {"reason": "Lần nữa"}).status == 409
    assert as_user(board).post(path, {}).status == 400


def test_decide_recognition_makes_the_member_official_from_the_end_of_the_12_months(
    as_user: Any, secretary: Any, board: Any, tree: Any
) -> None:
    """Charter Art. 5; 294-QĐ/TW §4.2: ``official_on`` is the end of the 12 months."""
    member = probationer(tree["village"])
    with_course(as_user(secretary), member)
    as_user(secretary).post(f"/members/{member.pk}/record-recognition-vote", VOTE)
    assert (
        as_user(secretary).post(f"/members/{member.pk}/decide-recognition", DECISION).status == 403
    )
    answer = as_user(board).post(
        f"/members/{member.pk}/decide-recognition", {**DECISION, "decided_on": "2026-07-10"}
    )
    assert answer.status == 200, answer.body
    assert answer.body["status"] == "official"
    assert answer.body["official_on"] == "2026-06-02"
    assert answer.body["deadlines"] == []
    assert answer.body["history"][-1]["to_status"] == "official"


def test_decide_recognition_without_the_course_is_409(
    as_user: Any, secretary: Any, board: Any, tree: Any
) -> None:
    """294-QĐ/TW §4.2: the new-member course certificate is required."""
    member = probationer(tree["village"])
    as_user(secretary).post(f"/members/{member.pk}/record-recognition-vote", VOTE)
    answer = as_user(board).post(f"/members/{member.pk}/decide-recognition", DECISION)
    assert answer.status == 409
    assert "lớp bồi dưỡng" in answer.error["message"]
    assert Member.objects.get(pk=member.pk).status == Status.PROBATIONARY


def test_a_late_decision_needs_late_reason(
    as_user: Any, secretary: Any, board: Any, tree: Any
) -> None:
    """QĐ 29 §4.3.1: due 22/7/2026; on 23/7 only with ``late_reason``."""
    member = probationer(tree["village"])
    with_course(as_user(secretary), member)
    as_user(secretary).post(f"/members/{member.pk}/record-recognition-vote", VOTE)
    path = f"/members/{member.pk}/decide-recognition"
    late = {**DECISION, "decided_on": "2026-07-23"}
    answer = as_user(board).post(path, late)
    assert answer.status == 409
    assert answer.error["code"] == "deadline"
    assert "late_reason" in answer.error["fields"]
    answer = as_user(board).post(path, {**late, "late_reason": "Bổ sung hồ sơ"})
    assert answer.status == 200
    assert answer.body["official_on"] == "2026-06-02"


def test_not_recognised_removes_the_member(
    as_user: Any, secretary: Any, board: Any, tree: Any
) -> None:
    """Charter Art. 5.2: no extension of probation; xóa tên."""
    member = probationer(tree["village"])
    as_user(secretary).post(f"/members/{member.pk}/record-recognition-vote", VOTE)
    answer = as_user(board).post(
        f"/members/{member.pk}/decide-recognition",
        {**DECISION, "recognised": False, "note": "Không đủ tư cách"},
    )
    assert answer.status == 200
    assert (answer.body["status"], answer.body["left_on"]) == ("removed", "2026-06-20")
    assert answer.body["official_on"] is None


def test_moves_outside_the_scope_are_404_and_on_official_members_409(
    as_user: Any, secretary: Any, outsider: Any, tree: Any
) -> None:
    member = probationer(tree["village"])
    answer = as_user(outsider).post(f"/members/{member.pk}/record-recognition-vote", VOTE)
    assert answer.status == 404
    official = make_member(branch=tree["village"])
    answer = as_user(secretary).post(
        f"/members/{official.pk}/assign-mentor", {"mentor_id": an_official(member).pk}
    )
    assert answer.status == 409
    assert answer.error["code"] == "stage_not_allowed"
    assert as_user(None).post(f"/members/{member.pk}/assign-mentor", {"mentor_id": 1}).status == 401


def test_the_moves_are_in_the_openapi_schema(as_user: Any, secretary: Any) -> None:
    paths = as_user(secretary).get("/openapi.json").body["paths"]
    for move in (
        "assign-mentor",
        "file-mentor-report",
        "file-self-review",
        "record-new-member-course",
        "record-recognition-vote",
        "record-grassroots-recognition-vote",
        "extend-recognition-deadline",
        "decide-recognition",
    ):
        assert f"/api/v1/members/{{member_id}}/{move}" in paths
    assert "/api/v1/recognition-due" in paths
    assert "/api/v1/probation-report" in paths


# ---- reads -------------------------------------------------------------------------------


def test_recognition_due_lists_the_scope_with_days_left(
    as_user: Any, secretary: Any, board: Any, tree: Any
) -> None:
    """294-QĐ/TW §4.2: the vote due 30 working days after the 12 months end."""
    late = probationer(tree["village"])
    probationer(tree["village"], date(2026, 6, 2))  # due in 2027
    probationer(tree["school_branch"])
    answer = as_user(secretary).get("/recognition-due")
    assert answer.status == 200
    assert answer.body["count"] == 1
    (item,) = answer.body["items"]
    assert item["member_id"] == late.pk
    assert (item["vote_due_on"], item["probation_ends_on"]) == ("2026-07-14", "2026-06-02")
    assert item["overdue"] and item["days_left"] < 0
    assert (item["step"], item["step_label"]) == ("", "Chưa xét")
    assert as_user(secretary).get("/recognition-due", all="true").body["count"] == 2
    assert as_user(board).get("/recognition-due").body["count"] == 2
    assert as_user(board).get("/recognition-due", organisation=tree["school"].pk).body["count"] == 1


def test_recognition_due_404_outside_and_400_for_bad_input(
    as_user: Any, secretary: Any, tree: Any
) -> None:
    api = as_user(secretary)
    assert api.get("/recognition-due", organisation=tree["other_commune"].pk).status == 404
    assert api.get("/recognition-due", within_days=-1).status == 400
    assert api.get("/recognition-due", within_days="soon").status == 400
    assert as_user(None).get("/recognition-due").status == 401


def test_probation_report_gives_each_members_month(as_user: Any, secretary: Any, tree: Any) -> None:
    """Seed 000: the monthly progress report (null report: chưa nộp)."""
    member = probationer(tree["village"], date(2026, 3, 2))
    helper = an_official(member)
    Mentorship.objects.create(member=member, mentor=helper, from_on=date(2026, 3, 2))
    ProbationReport.objects.create(
        member=member,
        kind=ReportKind.MENTOR,
        period=date(2026, 9, 1),
        filed_on=date(2026, 9, 28),
        text="…",
        assessment="good",
    )
    answer = as_user(secretary).get("/probation-report", month="2026-09")
    assert answer.status == 200
    assert (answer.body["month"], answer.body["count"]) == ("2026-09", 1)
    (item,) = answer.body["items"]
    assert item["member_id"] == member.pk
    assert (item["mentor_id"], item["months_done"], item["period"]) == (helper.pk, 6, "09/2026")
    assert item["mentor_report"] == {
        "assessment": "good",
        "assessment_label": "Tốt",
        "filed_on": "2026-09-28",
    }
    assert item["self_review"] is None
    assert item["vote_due_on"] is not None


def test_probation_report_400_404(as_user: Any, secretary: Any, tree: Any) -> None:
    api = as_user(secretary)
    assert api.get("/probation-report", month="2026-9").status == 400
    assert api.get("/probation-report", month="2026-13").status == 400
    assert api.get("/probation-report", month="2999-01").status == 400
    assert api.get("/probation-report", organisation=tree["other_branch"].pk).status == 404
    assert api.get("/probation-report").status == 200
