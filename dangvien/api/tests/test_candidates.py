import unicodedata
from datetime import date
from typing import Any

import pytest

from dangvien.accounts.models import Role
from dangvien.api.tests.conftest import (
    candidate_ready_for_branch_vote,
    official_members,
    queries_used,
)
from dangvien.candidates.models import Candidate, Stage, StageChange, Vote
from dangvien.factories import make_candidate, make_member, make_person, user_with_role
from dangvien.members.models import Member, Status
from dangvien.people.models import Person

BRANCH_VOTE = {"held_on": "2026-05-04", "in_favour": 3, "against": 0, "resolution_no": "05-NQ/CB"}


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
        "phone": "0912345678",
        "youth_union_member": True,
        **changes,
    }


# ---- creating and reading -----------------------------------------------------------------


def test_decomposed_vietnamese_text_is_stored_in_nfc(
    as_user: Any, secretary: Any, tree: Any
) -> None:
    decomposed = unicodedata.normalize("NFD", "Trần Thị Minh Khai")
    body = new_candidate(tree["village"], full_name=decomposed, occupation="Giáo viên")
    body["occupation"] = unicodedata.normalize("NFD", "Giáo viên")
    answer = as_user(secretary).post("/candidates", body)
    assert answer.status == 201
    person = Person.objects.get(pk=answer.body["person"]["id"])
    assert person.full_name == unicodedata.normalize("NFC", "Trần Thị Minh Khai")
    assert person.occupation == unicodedata.normalize("NFC", "Giáo viên")


def test_a_branch_secretary_lists_a_new_candidate_in_their_branch(
    as_user: Any, secretary: Any, tree: Any
) -> None:
    answer = as_user(secretary).post("/candidates", new_candidate(tree["village"]))
    assert answer.status == 201
    body = answer.body
    assert body["stage"] == "candidate"
    assert body["branch_id"] == tree["village"].pk
    person = body["person"]
    assert (person["family_name"], person["middle_name"], person["given_name"]) == (
        "Trần",
        "Thị Minh",
        "Khai",
    )
    assert person["birth_date"] == "1998-04-12"
    assert [h["to_stage"] for h in body["history"]] == ["candidate"]
    assert body["history"][0]["by_id"] == secretary.pk
    assert {m["name"] for m in body["allowed_moves"]} == {
        "start-course",
        "certify",
        "withdraw",
        "assign-helper",
        "education-exception",
    }
    assert body["decider_id"] == tree["commune"].pk
    assert body["endorser_id"] is None


def test_creating_a_candidate_in_a_branch_outside_the_scope_answers_404(
    as_user: Any, outsider: Any, tree: Any
) -> None:
    answer = as_user(outsider).post("/candidates", new_candidate(tree["village"]))
    assert answer.status == 404
    assert answer.error["code"] == "not_found"
    assert not Person.objects.exists()


def test_a_read_only_leader_may_not_list_a_candidate(as_user: Any, leader: Any, tree: Any) -> None:
    answer = as_user(leader).post("/candidates", new_candidate(tree["village"]))
    assert answer.status == 403
    assert answer.error["code"] == "forbidden"
    assert not Person.objects.exists()


def test_malformed_candidate_fields_answer_400_each_named_in_vietnamese(
    as_user: Any, secretary: Any, tree: Any
) -> None:
    body = new_candidate(tree["village"], birth_date="12/04/1998", citizen_id="12345", sex="nam")
    del body["full_name"]
    answer = as_user(secretary).post("/candidates", body)
    assert answer.status == 400
    assert answer.error["code"] == "invalid"
    fields = answer.error["fields"]
    assert set(fields) == {"full_name", "birth_date", "citizen_id", "sex"}
    assert fields["full_name"] == "Thiếu thông tin bắt buộc."
    assert "YYYY-MM-DD" in fields["birth_date"]
    assert not Person.objects.exists()


def test_an_impossible_date_and_a_one_word_name_answer_400(
    as_user: Any, secretary: Any, tree: Any
) -> None:
    answer = as_user(secretary).post(
        "/candidates", new_candidate(tree["village"], birth_date="1998-02-30", full_name="Khai")
    )
    assert answer.status == 400
    assert set(answer.error["fields"]) == {"birth_date", "full_name"}
    assert answer.error["fields"]["full_name"] == "Họ và tên phải có ít nhất họ và tên."


def test_a_body_that_is_not_json_answers_400(as_user: Any, secretary: Any) -> None:
    answer = as_user(secretary).post("/candidates", raw="{not json")
    assert answer.status == 400
    assert answer.error["code"] == "invalid"
    assert "body" in answer.error["fields"]


def test_a_citizen_id_already_known_answers_409_duplicate_and_creates_nothing(
    as_user: Any, secretary: Any, tree: Any
) -> None:
    make_person(citizen_id="001198012345")
    answer = as_user(secretary).post("/candidates", new_candidate(tree["village"]))
    assert answer.status == 409
    assert answer.error["code"] == "duplicate"
    # The citizen ID belongs to someone else (another name): never take over their record.
    assert answer.error["message"].startswith("Số CCCD 001198012345 đã thuộc về ")
    assert answer.error["fields"] == {"citizen_id": answer.error["message"]}
    assert not Candidate.objects.exists()


def test_a_database_uniqueness_race_answers_409_conflict_not_500(
    as_user: Any, secretary: Any, tree: Any, monkeypatch: Any
) -> None:
    # The duplicate check passes (another request has not committed yet), then the
    # unique index refuses.
    make_person(citizen_id="001198012345")
    monkeypatch.setattr(
        "dangvien.people.actions.Person.objects.filter",
        lambda **kw: Person.objects.none(),
    )
    answer = as_user(secretary).post("/candidates", new_candidate(tree["village"]))
    assert answer.status == 409
    assert answer.error["code"] == "conflict"
    assert not Candidate.objects.exists()


def test_a_candidate_listed_in_a_committee_not_a_branch_answers_409(
    as_user: Any, school_staff: Any, tree: Any
) -> None:
    answer = as_user(school_staff).post("/candidates", new_candidate(tree["school"]))
    assert answer.status == 409
    assert answer.error["code"] == "not_eligible"
    assert "branch_id" in answer.error["fields"]


def test_the_candidate_list_filters_by_stage_branch_and_accent_free_text(
    as_user: Any, board: Any, tree: Any
) -> None:
    an = make_candidate(
        branch=tree["village"], person=make_person(given_name="An", middle_name="Văn")
    )
    make_candidate(
        branch=tree["school_branch"],
        stage=Stage.CERTIFIED,
        person=make_person(family_name="Lê", middle_name="Thị", given_name="Hà"),
    )
    make_candidate(branch=tree["clinic"], stage=Stage.WITHDRAWN)
    make_candidate(branch=tree["other_branch"])
    api = as_user(board)

    everything = api.get("/candidates")
    assert everything.status == 200
    assert everything.body["count"] == 3
    assert [c["id"] for c in api.get("/candidates", q="nguyen van an").body["items"]] == [an.pk]
    assert api.get("/candidates", q="NGUYỄN VĂN AN").body["count"] == 1
    assert api.get("/candidates", q="le thi ha").body["items"][0]["stage"] == "certified"
    assert api.get("/candidates", stage="certified").body["count"] == 1
    assert api.get("/candidates", stage="active").body["count"] == 2
    assert api.get("/candidates", branch=tree["school"].pk).body["count"] == 1
    page = api.get("/candidates", limit=2, offset=2).body
    assert (page["count"], len(page["items"])) == (3, 1)


def test_list_filters_outside_the_scope_or_malformed_are_refused(
    as_user: Any, board: Any, tree: Any
) -> None:
    api = as_user(board)
    assert api.get("/candidates", branch=tree["other_branch"].pk).status == 404
    bad = api.get("/candidates", stage="elected", limit=501)
    assert bad.status == 400
    assert set(bad.error["fields"]) == {"stage", "limit"}


def test_the_candidate_list_runs_the_same_queries_for_3_or_30_rows(
    as_user: Any, board: Any, tree: Any
) -> None:
    api = as_user(board)
    for _ in range(3):
        make_candidate(branch=tree["village"])
    few = queries_used(lambda: api.get("/candidates", q="nguyen", limit=100))
    for _ in range(27):
        make_candidate(branch=tree["school_branch"])
    many = queries_used(lambda: api.get("/candidates", q="nguyen", limit=100))
    assert api.get("/candidates", limit=100).body["count"] == 30
    assert many == few


def test_a_candidate_outside_the_scope_answers_404_to_reads_and_moves(
    as_user: Any, outsider: Any, tree: Any
) -> None:
    candidate = make_candidate(branch=tree["village"])
    api = as_user(outsider)
    assert api.get(f"/candidates/{candidate.pk}").status == 404
    answer = api.post(f"/candidates/{candidate.pk}/withdraw", {"reason": "Chuyển đi nơi khác"})
    assert answer.status == 404
    assert answer.error["code"] == "not_found"
    candidate.refresh_from_db()
    assert candidate.stage == Stage.CANDIDATE
    assert not StageChange.objects.exists()


def test_a_missing_candidate_and_an_unknown_path_answer_404_in_the_error_shape(
    as_user: Any, secretary: Any
) -> None:
    api = as_user(secretary)
    assert api.get("/candidates/999999").error["code"] == "not_found"
    unknown = api.get("/nothing-here")
    assert unknown.status == 404
    assert unknown.error["code"] == "not_found"


# ---- refusals change nothing -------------------------------------------------------------


def test_a_move_the_stage_does_not_allow_answers_409_and_changes_nothing(
    as_user: Any, secretary: Any, tree: Any
) -> None:
    candidate = make_candidate(branch=tree["village"])
    answer = as_user(secretary).post(
        f"/candidates/{candidate.pk}/hold-ceremony", {"held_on": "2026-06-15"}
    )
    assert answer.status == 409
    assert answer.error["code"] == "stage_not_allowed"
    assert "Quần chúng ưu tú" in answer.error["message"]
    assert not StageChange.objects.exists()
    assert not Member.objects.exists()


def test_a_move_the_role_does_not_cover_answers_403_and_changes_nothing(
    as_user: Any, secretary: Any, leader: Any, tree: Any
) -> None:
    candidate = make_candidate(branch=tree["village"])
    answer = as_user(leader).post(
        f"/candidates/{candidate.pk}/certify",
        {"certificate_no": "CN-1", "issued_on": "2026-02-10"},
    )
    assert answer.status == 403
    assert answer.error["code"] == "forbidden"

    proposed = candidate_ready_for_branch_vote(tree["clinic"])
    proposed.stage = Stage.BRANCH_PROPOSED
    proposed.save()
    clinic_secretary = user_with_role(Role.BRANCH_SECRETARY, tree["clinic"])
    decide = {"decision_no": "12-QĐ/ĐU", "decided_on": "2026-06-01", "admitted": True}
    answer = as_user(clinic_secretary).post(f"/candidates/{proposed.pk}/decide-admission", decide)
    assert answer.status == 403
    assert not StageChange.objects.exists()


def test_a_broken_rule_answers_409_in_vietnamese_naming_the_field_and_changes_nothing(
    as_user: Any, secretary: Any, tree: Any
) -> None:
    candidate = make_candidate(branch=tree["village"], stage=Stage.CERTIFIED)
    answer = as_user(secretary).post(
        f"/candidates/{candidate.pk}/open-dossier",
        {"application_on": "2026-03-05", "declaration_on": "2026-03-01"},
    )
    assert answer.status == 409
    assert answer.error["code"] == "not_eligible"
    assert answer.error["message"] == (
        "Đơn xin vào Đảng phải làm trước khi khai lý lịch (HD 06-HD/TW §3)."
    )
    assert answer.error["fields"] == {"declaration_on": answer.error["message"]}
    candidate.refresh_from_db()
    assert candidate.stage == Stage.CERTIFIED
    assert candidate.application_on is None
    assert not StageChange.objects.exists()


def test_a_branch_vote_on_an_ineligible_candidate_answers_409_and_records_no_vote(
    as_user: Any, secretary: Any, tree: Any
) -> None:
    candidate = candidate_ready_for_branch_vote(
        tree["village"], person=make_person(birth_date=date(2010, 1, 1))
    )
    answer = as_user(secretary).post(f"/candidates/{candidate.pk}/record-branch-vote", BRANCH_VOTE)
    assert answer.status == 409
    assert answer.error["code"] == "not_eligible"
    assert "Chưa đủ 18 tuổi" in answer.error["message"]
    assert not Vote.objects.exists()
    assert not StageChange.objects.exists()


def test_more_votes_than_members_answers_409_vote_invalid_and_records_no_vote(
    as_user: Any, secretary: Any, tree: Any
) -> None:
    candidate = candidate_ready_for_branch_vote(tree["village"])
    answer = as_user(secretary).post(
        f"/candidates/{candidate.pk}/record-branch-vote", {**BRANCH_VOTE, "in_favour": 4}
    )
    assert answer.status == 409
    assert answer.error["code"] == "vote_invalid"
    assert answer.error["fields"] == {"in_favour": answer.error["message"]}
    assert not Vote.objects.exists()


def test_negative_votes_answer_400(as_user: Any, secretary: Any, tree: Any) -> None:
    candidate = candidate_ready_for_branch_vote(tree["village"])
    answer = as_user(secretary).post(
        f"/candidates/{candidate.pk}/record-branch-vote", {**BRANCH_VOTE, "against": -1}
    )
    assert answer.status == 400
    assert answer.error["fields"] == {"against": "Phải lớn hơn hoặc bằng 0."}


def test_a_failed_branch_vote_is_recorded_and_leaves_the_stage(
    as_user: Any, secretary: Any, tree: Any
) -> None:
    candidate = candidate_ready_for_branch_vote(tree["village"])
    answer = as_user(secretary).post(
        f"/candidates/{candidate.pk}/record-branch-vote",
        {**BRANCH_VOTE, "in_favour": 1, "against": 2},
    )
    assert answer.status == 200
    assert (answer.body["passed"], answer.body["denominator"]) == (False, 3)
    assert answer.body["stage"] == "background_checked"
    assert [v["passed"] for v in answer.body["votes"]] == [False]
    assert not StageChange.objects.exists()


def test_a_decision_after_the_deadline_needs_a_late_reason(
    as_user: Any, board: Any, tree: Any
) -> None:
    candidate = candidate_ready_for_branch_vote(tree["village"], decision_due_on=date(2026, 5, 29))
    candidate.stage = Stage.BRANCH_PROPOSED
    candidate.save()
    decide = {"decision_no": "12-QĐ/ĐU", "decided_on": "2026-06-01", "admitted": True}
    api = as_user(board)
    late = api.post(f"/candidates/{candidate.pk}/decide-admission", decide)
    assert late.status == 409
    assert late.error["code"] == "deadline"
    assert "late_reason" in late.error["fields"]
    assert not StageChange.objects.exists()

    answer = api.post(
        f"/candidates/{candidate.pk}/decide-admission",
        {**decide, "late_reason": "Ban Thường vụ họp chậm do bão"},
    )
    assert answer.status == 200
    assert answer.body["stage"] == "admitted"
    assert answer.body["deadlines"][0]["what"] == "Tổ chức lễ kết nạp"


def test_a_decision_vote_short_of_a_majority_answers_409_and_records_nothing(
    as_user: Any, board: Any, tree: Any
) -> None:
    candidate = candidate_ready_for_branch_vote(tree["village"])
    candidate.stage = Stage.BRANCH_PROPOSED
    candidate.save()
    answer = as_user(board).post(
        f"/candidates/{candidate.pk}/decide-admission",
        {
            "decision_no": "12-QĐ/ĐU",
            "decided_on": "2026-06-01",
            "admitted": True,
            "in_favour": 2,
            "committee_size": 4,
        },
    )
    assert answer.status == 409
    assert answer.error["code"] == "vote_failed"
    assert not Vote.objects.exists()
    assert not StageChange.objects.exists()


def test_the_decision_deadline_extends_only_once(as_user: Any, board: Any, tree: Any) -> None:
    candidate = candidate_ready_for_branch_vote(tree["village"], decision_due_on=date(2026, 7, 29))
    candidate.stage = Stage.BRANCH_PROPOSED
    candidate.save()
    api = as_user(board)
    first = api.post(f"/candidates/{candidate.pk}/extend-deadline", {"reason": "Chờ xác minh"})
    assert first.status == 200
    assert first.body["decision_extended"] is True
    assert first.body["decision_due_on"] > "2026-07-29"
    second = api.post(f"/candidates/{candidate.pk}/extend-deadline", {"reason": "Lần nữa"})
    assert second.status == 409
    assert second.error["code"] == "deadline"
    assert StageChange.objects.count() == 1


def test_a_late_ceremony_needs_the_superior_approval(
    as_user: Any, secretary: Any, tree: Any
) -> None:
    candidate = make_candidate(
        branch=tree["village"],
        stage=Stage.ADMITTED,
        decision_no="12-QĐ/ĐU",
        decided_on=date(2026, 6, 1),
        ceremony_due_on=date(2026, 7, 13),
    )
    api = as_user(secretary)
    late = api.post(f"/candidates/{candidate.pk}/hold-ceremony", {"held_on": "2026-08-03"})
    assert late.status == 409
    assert late.error["code"] == "deadline"
    assert not Member.objects.exists()
    answer = api.post(
        f"/candidates/{candidate.pk}/hold-ceremony",
        {"held_on": "2026-08-03", "late_approval_no": "45-CV/ĐU"},
    )
    assert answer.status == 200
    assert answer.body["stage"] == "member"


def test_over_age_approval_is_for_the_provincial_level(as_user: Any, board: Any, tree: Any) -> None:
    candidate = make_candidate(branch=tree["village"], stage=Stage.CERTIFIED)
    body = {"decision_no": "88-CV/TU", "decided_on": "2026-04-01"}
    assert as_user(board).post(f"/candidates/{candidate.pk}/over-age-approval", body).status == 403
    province = user_with_role(Role.BOARD_STAFF, tree["province"])
    answer = as_user(province).post(f"/candidates/{candidate.pk}/over-age-approval", body)
    assert answer.status == 200
    assert answer.body["over_age_decision_no"] == "88-CV/TU"


def test_an_introducer_is_a_member_or_a_union_never_both_nor_neither(
    as_user: Any, secretary: Any, tree: Any
) -> None:
    candidate = make_candidate(
        branch=tree["village"],
        stage=Stage.CERTIFIED,
        person=make_person(youth_union_member=True, birth_date=date(2000, 1, 1)),
    )
    member = official_members(tree["village"], 1)[0]
    api = as_user(secretary)
    path = f"/candidates/{candidate.pk}/introducers"
    neither = api.post(path, {"known_since": "2025-01-01"})
    assert neither.status == 400
    assert "member_id" in neither.error["fields"]
    both = api.post(
        path, {"member_id": member.pk, "union": "youth_union", "known_since": "2025-01-01"}
    )
    assert both.status == 400

    union = api.post(
        path, {"union": "youth_union", "resolution_no": "03-NQ/ĐTN", "known_since": "2025-01-01"}
    )
    assert union.status == 200
    added = api.post(path, {"member_id": member.pk, "known_since": "2025-01-01"})
    assert [i["member_id"] for i in added.body["introducers"]] == [None, member.pk]
    third = api.post(path, {"member_id": member.pk, "known_since": "2025-01-01"})
    assert third.status == 409
    assert third.error["message"] == "Đã đủ hai người giới thiệu."

    removed = api.delete(f"{path}/{added.body['introducers'][0]['id']}")
    assert [i["member_id"] for i in removed.body["introducers"]] == [member.pk]


def test_an_introducer_from_another_grassroots_organisation_is_not_found(
    as_user: Any, secretary: Any, tree: Any
) -> None:
    candidate = make_candidate(branch=tree["village"], stage=Stage.CERTIFIED)
    stranger = official_members(tree["other_branch"], 1)[0]
    answer = as_user(secretary).post(
        f"/candidates/{candidate.pk}/introducers",
        {"member_id": stranger.pk, "known_since": "2025-01-01"},
    )
    assert answer.status == 400
    assert answer.error["fields"] == {"member_id": "Không tìm thấy đảng viên này."}


def test_a_branch_without_a_grassroots_committee_skips_the_grassroots_vote(
    as_user: Any, board: Any, tree: Any
) -> None:
    candidate = candidate_ready_for_branch_vote(tree["village"])
    candidate.stage = Stage.BRANCH_PROPOSED
    candidate.save()
    answer = as_user(board).post(
        f"/candidates/{candidate.pk}/record-grassroots-vote",
        {"held_on": "2026-05-20", "in_favour": 6, "committee_size": 9, "resolution_no": "1"},
    )
    assert answer.status == 409
    assert answer.error["code"] == "stage_not_allowed"


def test_withdrawing_needs_a_reason(as_user: Any, secretary: Any, tree: Any) -> None:
    candidate = make_candidate(branch=tree["village"])
    api = as_user(secretary)
    empty = api.post(f"/candidates/{candidate.pk}/withdraw", {"reason": ""})
    assert empty.status == 400
    assert empty.error["fields"] == {"reason": "Không được để trống."}
    answer = api.post(f"/candidates/{candidate.pk}/withdraw", {"reason": "Chuyển công tác"})
    assert answer.body["stage"] == "withdrawn"
    assert answer.body["allowed_moves"] == []


# ---- the whole pipeline ------------------------------------------------------------------


@pytest.mark.parametrize("outcome", ["concerns"])
def test_a_background_check_with_concerns_keeps_the_dossier_open(
    as_user: Any, secretary: Any, tree: Any, outcome: str
) -> None:
    candidate = make_candidate(
        branch=tree["village"], stage=Stage.DOSSIER_OPEN, declaration_on=date(2026, 3, 5)
    )
    answer = as_user(secretary).post(
        f"/candidates/{candidate.pk}/record-background-check",
        {"completed_on": "2026-04-01", "outcome": outcome, "note": "Chưa rõ quá trình công tác"},
    )
    assert answer.status == 200
    assert answer.body["stage"] == "dossier_open"
    assert answer.body["background_checks"][0]["outcome"] == "concerns"


def test_one_candidate_walks_from_the_pool_to_the_ceremony_through_the_api(
    as_user: Any, school_secretary: Any, school_staff: Any, board: Any, tree: Any
) -> None:
    branch = tree["school_branch"]
    sponsors = official_members(branch, 3)
    secretary, staff, decider = as_user(school_secretary), as_user(school_staff), as_user(board)

    created = secretary.post("/candidates", new_candidate(branch))
    assert created.status == 201
    pk = created.body["id"]
    assert created.body["endorser_id"] == tree["school"].pk

    def move(api: Any, name: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = api.post(f"/candidates/{pk}/{name}", body)
        assert answer.status == 200, answer.body
        return answer.body

    move(
        secretary,
        "start-course",
        {"course_name": "Lớp NTVĐ khóa 1/2026", "started_on": "2026-01-05"},
    )
    move(secretary, "certify", {"certificate_no": "CN-0042", "issued_on": "2026-02-10"})
    move(
        secretary, "open-dossier", {"application_on": "2026-03-01", "declaration_on": "2026-03-05"}
    )
    checked = move(
        secretary, "record-background-check", {"completed_on": "2026-04-01", "outcome": "clear"}
    )
    assert checked["stage"] == "background_checked"
    for sponsor in sponsors[:2]:
        move(secretary, "introducers", {"member_id": sponsor.pk, "known_since": "2025-01-01"})
    before_vote = secretary.get(f"/candidates/{pk}").body
    assert all(check["ok"] for check in before_vote["eligibility"]), before_vote["eligibility"]

    voted = move(
        secretary,
        "record-branch-vote",
        {"held_on": "2026-05-04", "in_favour": 2, "against": 1, "resolution_no": "05-NQ/CB"},
    )
    assert (voted["stage"], voted["passed"], voted["denominator"]) == ("branch_proposed", True, 3)
    assert voted["deadlines"][0]["what"] == "Quyết định kết nạp"
    assert voted["deadlines"][0]["overdue"] is True  # the decision is still pending today

    # The secretary may not make the grassroots đảng ủy's move.
    grassroots_vote = {
        "held_on": "2026-05-20",
        "in_favour": 6,
        "committee_size": 9,
        "resolution_no": "12-NQ/ĐU",
    }
    assert secretary.post(f"/candidates/{pk}/record-grassroots-vote", grassroots_vote).status == 403
    endorsed = move(staff, "record-grassroots-vote", grassroots_vote)
    assert endorsed["stage"] == "grassroots_endorsed"
    assert "decide-admission" not in {m["name"] for m in endorsed["allowed_moves"]}

    decided = move(
        decider,
        "decide-admission",
        {"decision_no": "145-QĐ/ĐU", "decided_on": "2026-06-01", "admitted": True},
    )
    assert decided["stage"] == "admitted"
    assert decided["decided_on"] == "2026-06-01"

    held = move(secretary, "hold-ceremony", {"held_on": "2026-06-15"})
    assert held["stage"] == "member"
    assert held["member_id"] is not None
    assert [h["to_stage"] for h in held["history"]] == [
        "candidate",
        "in_awareness_course",
        "certified",
        "dossier_open",
        "background_checked",
        "branch_proposed",
        "grassroots_endorsed",
        "admitted",
        "member",
    ]

    member = secretary.get(f"/members/{held['member_id']}").body
    assert member["status"] == "probationary"
    assert member["admitted_on"] == "2026-06-01"
    assert member["probation_started_on"] == "2026-06-15"
    assert member["probation_ends_on"] == "2027-06-15"
    assert member["candidate_id"] == pk
    assert Member.objects.get(pk=held["member_id"]).status == Status.PROBATIONARY


def test_a_write_through_the_api_is_audited_as_the_token_user(
    as_user: Any, secretary: Any, tree: Any
) -> None:
    from dangvien.core.models import AuditEvent

    answer = as_user(secretary).post("/candidates", new_candidate(tree["village"]))
    row = AuditEvent.objects.get(table="candidates_candidate", row_id=str(answer.body["id"]))
    assert row.op == "I"
    assert row.actor_id == secretary.pk


def test_a_read_only_leader_gets_403_for_any_move_whatever_the_stage(
    as_user: Any, tree: Any
) -> None:
    from dangvien.accounts.models import Role

    leader = user_with_role(Role.LEADER, tree["province"])
    candidate = make_candidate(branch=tree["village"])  # hold-ceremony is illegal here too
    answer = as_user(leader).post(
        f"/candidates/{candidate.pk}/hold-ceremony", {"held_on": "2026-10-01"}
    )
    assert answer.status == 403
    assert answer.error["code"] == "forbidden"


def test_a_huge_offset_answers_400(as_user: Any, board: Any) -> None:
    answer = as_user(board).get("/candidates", offset=10**25)
    assert answer.status == 400
    assert "offset" in answer.error["fields"]


def test_helper_and_education_exception_moves_through_the_api(
    as_user: Any, secretary: Any, tree: Any
) -> None:
    candidate = make_candidate(branch=tree["village"])
    helper = make_member(branch=tree["village"])
    api = as_user(secretary)
    answer = api.post(f"/candidates/{candidate.pk}/assign-helper", {"helper_id": helper.pk})
    assert answer.status == 200
    outsider = make_member(branch=tree["school_branch"])
    answer = api.post(f"/candidates/{candidate.pk}/assign-helper", {"helper_id": outsider.pk})
    assert answer.status == 400
    answer = api.post(f"/candidates/{candidate.pk}/education-exception", {"basis": "Xã vùng cao"})
    assert answer.status == 200
    candidate.refresh_from_db()
    assert (candidate.helper_id, candidate.education_exception) == (helper.pk, "Xã vùng cao")
