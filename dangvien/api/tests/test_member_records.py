"""The records moves and lists over JSON: success answers the updated member; 403 for a
role that may not, 404 outside the scope, 409 when a rule refuses, 400 for bad input."""

from datetime import date
from typing import Any

import pytest

from dangvien.accounts.models import Role, User
from dangvien.factories import make_member, make_person, user_with_role
from dangvien.members.models import Badge, Gap, Member, NeverReadmit, Status


@pytest.fixture
def province_board(tree: dict[str, Any]) -> User:
    """Organisation board of the provincial committee: readmission consent, badges."""
    return user_with_role(Role.BOARD_STAFF, tree["province"])


def left(tree: Any, **fields: Any) -> Member:
    values: dict[str, Any] = {
        "branch": tree["village"],
        "status": Status.REMOVED,
        "left_on": date(2020, 5, 10),
    }
    values.update(fields)
    return make_member(**values)


READMIT = {
    "applied_on": "2023-05-10",
    "consent_no": "123-CV/TU",
    "consent_on": "2023-08-01",
    "decision_no": "45-QĐ/ĐU",
    "decided_on": "2023-09-01",
    "ceremony_on": "2023-09-20",
}


def test_readmit_answers_the_probationary_member(
    as_user: Any, province_board: User, tree: Any
) -> None:
    member = left(tree, admitted_on=date(1990, 3, 1))
    answer = as_user(province_board).post(f"/members/{member.pk}/readmit", READMIT)
    assert answer.status == 200, answer.body
    body = answer.body
    assert body["status"] == "probationary"
    assert body["readmitted_on"] == "2023-09-01"
    assert body["first_admitted_on"] == "1990-03-01"
    assert body["probation_started_on"] == "2023-09-20"
    assert body["left_on"] is None
    assert any("Kết nạp lại" in h["note"] for h in body["history"])


def test_readmit_too_early_answers_409_with_the_field(
    as_user: Any, province_board: User, tree: Any
) -> None:
    member = left(tree)
    answer = as_user(province_board).post(
        f"/members/{member.pk}/readmit", {**READMIT, "applied_on": "2023-04-10"}
    )
    assert answer.status == 409
    assert answer.error["code"] == "not_eligible"
    assert "Chưa đủ 36 tháng" in answer.error["message"]
    assert "applied_on" in answer.error["fields"]


def test_readmit_of_someone_on_the_never_readmit_list_says_why(
    as_user: Any, province_board: User, tree: Any
) -> None:
    member = left(tree, never_readmit=NeverReadmit.SERIOUS_CRIME)
    answer = as_user(province_board).post(f"/members/{member.pk}/readmit", READMIT)
    assert answer.status == 409
    assert answer.error["message"] == (
        "Không xem xét kết nạp lại: bị kết án về tội nghiêm trọng trở lên (294-QĐ/TW §3.5.2)."
    )


def test_readmit_a_second_time_answers_409(as_user: Any, province_board: User, tree: Any) -> None:
    member = left(tree, readmitted_on=date(2010, 1, 1))
    answer = as_user(province_board).post(f"/members/{member.pk}/readmit", READMIT)
    assert answer.status == 409
    assert "chỉ được kết nạp lại một lần" in answer.error["message"]


def test_readmit_by_the_commune_answers_403_and_outside_the_scope_404(
    as_user: Any, board: User, outsider: User, tree: Any
) -> None:
    member = left(tree)
    assert as_user(board).post(f"/members/{member.pk}/readmit", READMIT).status == 403
    assert as_user(outsider).post(f"/members/{member.pk}/readmit", READMIT).status == 404


def test_readmit_with_a_bad_date_answers_400(as_user: Any, province_board: User, tree: Any) -> None:
    member = left(tree)
    answer = as_user(province_board).post(
        f"/members/{member.pk}/readmit", {**READMIT, "decided_on": "01/09/2023"}
    )
    assert answer.status == 400
    assert "decided_on" in answer.error["fields"]


def test_readmit_of_an_active_member_answers_409(
    as_user: Any, province_board: User, tree: Any
) -> None:
    member = make_member(branch=tree["village"])
    answer = as_user(province_board).post(f"/members/{member.pk}/readmit", READMIT)
    assert answer.status == 409
    assert answer.error["code"] == "stage_not_allowed"


def test_mark_never_readmit_by_the_deciding_committee(
    as_user: Any, board: User, secretary: User, tree: Any
) -> None:
    member = left(tree, status=Status.EXITED)
    path = f"/members/{member.pk}/mark-never-readmit"
    assert as_user(secretary).post(path, {"reason": "asked_to_leave"}).status == 403
    assert as_user(board).post(path, {"reason": "no_such_reason"}).status == 400
    answer = as_user(board).post(path, {"reason": "asked_to_leave", "note": "Đơn ngày 1/3"})
    assert answer.status == 200
    member.refresh_from_db()
    assert member.never_readmit == NeverReadmit.ASKED_TO_LEAVE
    assert "mark-never-readmit" not in answer.body["moves"]
    again = as_user(board).post(path, {"reason": "disunity"})
    assert again.status == 409


def test_award_badge_answers_the_member_and_refuses_a_duplicate(
    as_user: Any, province_board: User, tree: Any
) -> None:
    member = make_member(branch=tree["village"], admitted_on=date(1976, 9, 2))
    api = as_user(province_board)
    body = {"years": 50, "awarded_on": "2026-09-02", "decision_no": "1234-QĐ/TU"}
    answer = api.post(f"/members/{member.pk}/award-badge", body)
    assert answer.status == 200, answer.body
    assert any("Huy hiệu 50 năm" in h["note"] for h in answer.body["history"])
    again = api.post(f"/members/{member.pk}/award-badge", body)
    assert again.status == 409
    assert again.error["code"] == "conflict"
    assert again.error["fields"] == {"years": again.error["message"]}


def test_award_badge_too_early_answers_409_and_early_ill_is_accepted(
    as_user: Any, province_board: User, tree: Any
) -> None:
    member = make_member(branch=tree["village"], admitted_on=date(1976, 12, 1))
    api = as_user(province_board)
    body = {"years": 50, "awarded_on": "2026-09-02", "decision_no": "1234-QĐ/TU"}
    early = api.post(f"/members/{member.pk}/award-badge", body)
    assert early.status == 409
    assert "chưa đủ để tặng Huy hiệu 50 năm" in early.error["message"]
    ill = api.post(f"/members/{member.pk}/award-badge", {**body, "kind": "early_ill"})
    assert ill.status == 200
    assert Badge.objects.get(member=member).kind == "early_ill"


def test_award_badge_by_the_commune_answers_403(as_user: Any, board: User, tree: Any) -> None:
    member = make_member(branch=tree["village"], admitted_on=date(1970, 1, 1))
    body = {"years": 50, "awarded_on": "2026-09-02", "decision_no": "1"}
    assert as_user(board).post(f"/members/{member.pk}/award-badge", body).status == 403


def test_reissue_badge(as_user: Any, province_board: User, tree: Any) -> None:
    member = make_member(branch=tree["village"], admitted_on=date(1970, 1, 1))
    Badge.objects.create(member=member, years=50, awarded_on=date(2020, 2, 3), decision_no="1")
    api = as_user(province_board)
    answer = api.post(
        f"/members/{member.pk}/reissue-badge",
        {"years": 50, "reissued_on": "2026-10-01", "reason": "Mất khi chuyển nhà"},
    )
    assert answer.status == 200
    assert Badge.objects.get(member=member).reissued_on == date(2026, 10, 1)
    missing = api.post(f"/members/{member.pk}/reissue-badge", {"years": 50})
    assert missing.status == 400


def test_issue_card_refusals_and_success(as_user: Any, board: User, tree: Any) -> None:
    make_member(branch=tree["school_branch"], card_number="0999888777")
    member = make_member(branch=tree["village"], person=make_person(citizen_id="001095012345"))
    api = as_user(board)
    path = f"/members/{member.pk}/issue-card"
    duplicate = api.post(path, {"card_number": "0999888777", "issued_on": "2025-09-01"})
    assert duplicate.status == 409
    assert duplicate.error["message"] == "Số thẻ 0999888777 đã cấp cho một đảng viên khác."
    same_as_id = api.post(path, {"card_number": "001095012345", "issued_on": "2025-09-01"})
    assert same_as_id.status == 409
    assert "card_number" in same_as_id.error["fields"]
    answer = api.post(path, {"card_number": "0123456789", "issued_on": "2025-09-01"})
    assert answer.status == 200
    assert answer.body["card_number"] == "0123456789"
    assert answer.body["card_issued_on"] == "2025-09-01"


def test_issue_card_for_a_probationary_member_answers_409(
    as_user: Any, board: User, tree: Any
) -> None:
    member = make_member(branch=tree["village"], status=Status.PROBATIONARY, official_on=None)
    answer = as_user(board).post(
        f"/members/{member.pk}/issue-card", {"card_number": "1", "issued_on": "2025-09-01"}
    )
    assert answer.status == 409
    assert answer.error["code"] == "stage_not_allowed"


def test_issue_card_by_a_secretary_answers_403(as_user: Any, secretary: User, tree: Any) -> None:
    member = make_member(branch=tree["village"])
    answer = as_user(secretary).post(
        f"/members/{member.pk}/issue-card", {"card_number": "1", "issued_on": "2025-09-01"}
    )
    assert answer.status == 403


def test_member_records_explain_party_age(as_user: Any, secretary: User, tree: Any) -> None:
    member = make_member(
        branch=tree["village"],
        admitted_on=date(2004, 1, 1),
        first_admitted_on=date(1990, 3, 1),
        readmitted_on=date(2004, 1, 1),
    )
    Gap.objects.create(
        member=member, from_on=date(2000, 1, 1), until_on=date(2004, 1, 1), reason="Kết nạp lại"
    )
    answer = as_user(secretary).get(f"/members/{member.pk}/records")
    assert answer.status == 200
    body = answer.body
    assert body["first_admitted_on"] == "1990-03-01"
    assert body["gap_days"] == 1461
    assert body["gaps"][0]["days"] == 1461
    assert body["party_age_years"] == member.party_age_years()
    assert body["badges"] == []
    other = make_member(branch=tree["other_branch"])
    assert as_user(secretary).get(f"/members/{other.pk}/records").status == 404


def test_badges_due_lists_the_scope_at_the_award_day(as_user: Any, board: User, tree: Any) -> None:
    due = make_member(branch=tree["village"], admitted_on=date(1997, 1, 15))
    make_member(branch=tree["village"], admitted_on=date(1997, 3, 1))
    make_member(branch=tree["other_branch"], admitted_on=date(1970, 1, 1))
    api = as_user(board)
    answer = api.get("/badges-due", award_day="2027-02-03")
    assert answer.status == 200
    assert answer.body["award_day"] == "2027-02-03"
    assert answer.body["count"] == 1
    (item,) = answer.body["items"]
    assert (item["member_id"], item["years"], item["party_age_years"]) == (due.pk, 30, 30)
    assert item["reaches_on"] == "2027-01-15"
    assert api.get("/badges-due", award_day="2027-02-03", years=40).body["count"] == 0
    assert api.get("/badges-due", organisation=tree["other_branch"].pk).status == 404
    assert api.get("/badges-due", award_day="3/2/2027").status == 400
    assert api.get("/badges-due").body["award_day"] >= "2026-11-07"


def test_never_readmit_lists_the_scope(as_user: Any, board: User, tree: Any) -> None:
    listed = left(tree, never_readmit=NeverReadmit.DISUNITY)
    left(tree)
    left(tree, branch=tree["other_branch"], never_readmit=NeverReadmit.CORRUPTION)
    api = as_user(board)
    answer = api.get("/never-readmit")
    assert answer.status == 200
    assert answer.body["count"] == 1
    (item,) = answer.body["items"]
    assert item["member_id"] == listed.pk
    assert item["reason_label"] == "Gây mất đoàn kết nghiêm trọng"
    assert api.get("/never-readmit", organisation=tree["other_commune"].pk).status == 404
    assert as_user(None).get("/never-readmit").status == 401


def test_the_records_endpoints_are_in_the_openapi_schema(as_user: Any, board: User) -> None:
    schema = as_user(board).get("/openapi.json").body
    for path in (
        "/api/v1/members/{member_id}/readmit",
        "/api/v1/members/{member_id}/mark-never-readmit",
        "/api/v1/members/{member_id}/award-badge",
        "/api/v1/members/{member_id}/reissue-badge",
        "/api/v1/members/{member_id}/issue-card",
        "/api/v1/members/{member_id}/records",
        "/api/v1/badges-due",
        "/api/v1/never-readmit",
    ):
        assert path in schema["paths"], path
