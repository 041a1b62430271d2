"""The exam rounds API (``/exam-rounds``, ``/exam-rounds/{id}/papers``): shapes, scope
(404), role (403), rules (409), files."""

import io

import pytest
from docx import Document

from dangvien.accounts.models import Role
from dangvien.exams.models import QuestionType, Sitting
from dangvien.exams.queries.rounds import code_digest
from dangvien.exams.tests.factories import topic
from dangvien.exams.tests.factories_rounds import (
    bank,
    grassroots_board,
    new_round,
    round_with_papers,
    staff,
)
from dangvien.factories import make_candidate, user_with_role


@pytest.fixture
def members(tree):
    return grassroots_board(tree["school"])


@pytest.fixture
def api(as_user, committee):
    return as_user(committee)


@pytest.fixture
def with_papers(tree, committee, members):
    return round_with_papers(tree, committee, board=members)


ROUND = {
    "name": "Đợt kiểm tra nhận thức tháng 12",
    "held_on": "2026-12-10",
    "venue": "Hội trường Đảng ủy xã",
    "duration_minutes": 45,
    "pass_mark": 5,
    "written_weight": 70,
    "oral_weight": 30,
    "variants": 3,
}


def test_staff_create_and_list_rounds(api, tree):
    created = api.post("/exam-rounds", {**ROUND, "organisation_id": tree["commune"].pk})
    assert created.status == 201, created.body
    body = created.body
    assert body["status"] == "draft" and body["pass_mark"] == 5.0
    assert [s["key"] for s in body["steps"]] == [
        "board",
        "blueprint",
        "candidates",
        "papers",
        "codes",
    ]
    listed = api.get("/exam-rounds", year=2026)
    assert listed.body["count"] == 1 and listed.body["items"][0]["id"] == body["id"]
    assert api.get("/exam-rounds", year=2025).body["count"] == 0


def test_weights_not_adding_up_answer_409_naming_the_field(api, tree):
    answer = api.post(
        "/exam-rounds", {**ROUND, "organisation_id": tree["commune"].pk, "oral_weight": 40}
    )
    assert answer.status == 409
    assert answer.error["code"] == "not_eligible"
    assert "cộng lại bằng 100%" in answer.error["fields"]["oral_weight"]


def test_a_secretary_may_not_create_a_round(as_user, secretary, tree):
    answer = as_user(secretary).post(
        "/exam-rounds", {**ROUND, "organisation_id": tree["commune"].pk}
    )
    assert answer.status in (403, 404)
    answer = as_user(secretary).post(
        "/exam-rounds", {**ROUND, "organisation_id": tree["village"].pk}
    )
    assert answer.status == 403 and answer.error["code"] == "forbidden"


def test_rounds_outside_the_scope_answer_404(as_user, tree, outsider, with_papers):
    above = as_user(staff(tree["province"]))
    assert above.get(f"/exam-rounds/{with_papers.pk}").status == 200
    api = as_user(outsider)
    for path in (
        f"/exam-rounds/{with_papers.pk}",
        f"/exam-rounds/{with_papers.pk}/papers",
        f"/exam-rounds/{with_papers.pk}/papers/1",
        f"/exam-rounds/{with_papers.pk}/candidates",
    ):
        answer = api.get(path)
        assert answer.status == 404 and answer.error["code"] == "not_found", path
    assert api.post(f"/exam-rounds/{with_papers.pk}/papers").status == 404
    assert api.post(f"/exam-rounds/{with_papers.pk}/codes", {}).status == 404
    assert api.get("/exam-rounds").body["count"] == 0


def test_board_blueprint_candidates_and_papers_through_the_api(api, tree, committee, members):
    exam_round = new_round(tree["commune"], committee, variants=2)
    base = f"/exam-rounds/{exam_round.pk}"
    refused = put(api, f"{base}/board", {"member_ids": [members[0].pk], "chair_id": members[0].pk})
    assert refused.status_code == 409
    assert "ít nhất 2 thành viên" in refused.json()["error"]["message"]
    outsider = user_with_role(Role.GRASSROOTS_STAFF, tree["other_commune"])
    stranger = put(
        api,
        f"{base}/board",
        {"member_ids": [members[0].pk, outsider.pk], "chair_id": members[0].pk},
    )
    assert stranger.status_code == 409 and "member_ids" in stranger.json()["error"]["fields"]
    board = put(
        api, f"{base}/board", {"member_ids": [m.pk for m in members], "chair_id": members[1].pk}
    )
    assert board.status_code == 200
    assert [m["is_chair"] for m in board.json()["board"]] == [True, False]

    bank(tree["commune"], n=3)
    bank(tree["commune"], topic_code="lich-su-dang", types=(QuestionType.ORAL,), n=1)
    lines = [
        {"part": "written", "topic_id": topic("dieu-le-dang").pk, "difficulty": 2, "count": 4},
        {"part": "oral", "topic_id": topic("lich-su-dang").pk, "difficulty": 2, "count": 1},
    ]
    short = put(api, f"{base}/blueprint", {"lines": lines})
    assert short.status_code == 409
    message = short.json()["error"]["message"]
    assert "Điều lệ Đảng" in message and "Trung bình" in message
    lines[0]["count"] = 3
    shaped = put(api, f"{base}/blueprint", {"lines": lines})
    assert shaped.status_code == 200
    assert [(ln["count"], ln["available"]) for ln in shaped.json()["blueprint"]] == [(3, 3), (1, 1)]

    fine = make_candidate(branch=tree["village"])
    outside_tree = make_candidate(branch=tree["other_branch"])
    assert (
        api.post(f"{base}/candidates", {"candidate_ids": [fine.pk, outside_tree.pk]}).status == 404
    )
    registered = api.post(f"{base}/candidates", {"candidate_ids": [fine.pk], "mode": "online"})
    assert registered.body["registered"] == 1
    [result] = registered.body["results"]
    assert result["attempt"] == 1 and result["message"] == ""
    again = api.post(f"{base}/candidates", {"candidate_ids": [fine.pk]})
    assert again.body["refused"] == 1 and "Đã có tên" in again.body["results"][0]["message"]

    papers = api.post(f"{base}/papers")
    assert papers.status == 200 and papers.body["count"] == 2 and papers.body["keys_included"]
    item = papers.body["items"][0]["items"][0]
    assert [o["letter"] for o in item["options"]] == ["A", "B", "C", "D"]
    assert item["key"] in "ABCD" and item["part"] == "written"
    listed = api.get(f"{base}/candidates")
    assert listed.body["items"][0]["paper"] in ("001", "002")


def test_a_candidate_of_another_commune_visible_to_the_user_is_refused_per_candidate(
    as_user, tree, with_papers
):
    province = as_user(staff(tree["province"]))
    other = make_candidate(branch=tree["other_branch"])
    answer = province.post(
        f"/exam-rounds/{with_papers.pk}/candidates", {"candidate_ids": [other.pk]}
    )
    assert answer.status == 200 and answer.body["refused"] == 1
    assert "Không thuộc phạm vi" in answer.body["results"][0]["message"]


def test_keys_reach_only_the_board_and_the_staff(as_user, leader, members, with_papers):
    base = f"/exam-rounds/{with_papers.pk}/papers"
    as_leader = as_user(leader).get(base)
    assert as_leader.status == 200 and not as_leader.body["keys_included"]
    assert all(i["key"] is None and i["rubric"] == [] for i in as_leader.body["items"][0]["items"])
    assert {i["part"] for i in as_leader.body["items"][0]["items"]} == {"written"}
    assert as_user(leader).get(f"{base}/1", format="pdf", key="true").status == 403
    as_member = as_user(members[0]).get(base)
    assert as_member.body["keys_included"]
    oral = [i for i in as_member.body["items"][0]["items"] if i["part"] == "oral"]
    assert oral and oral[0]["rubric"]


def test_a_variant_downloads_as_docx_and_pdf(api, with_papers):
    base = f"/exam-rounds/{with_papers.pk}/papers/2"
    docx = api.client.get(f"/api/v1{base}", {"format": "docx"}, headers=api.headers)
    assert docx.status_code == 200
    document = Document(io.BytesIO(docx.content))
    assert "Mã đề 002" in document.tables[0].rows[0].cells[1].text
    assert any("ĐỀ KIỂM TRA NHẬN THỨC VỀ ĐẢNG" in p.text for p in document.paragraphs)
    key = api.client.get(f"/api/v1{base}", {"format": "pdf", "key": "true"}, headers=api.headers)
    assert key.status_code == 200 and key.content.startswith(b"%PDF")
    assert key["Content-Disposition"].endswith('"dap-an-ma-de-002.pdf"')
    assert api.get(f"/exam-rounds/{with_papers.pk}/papers/9").status == 404
    as_json = api.get(base, format="json")
    assert as_json.body["code"] == "002"


def test_codes_are_answered_once_and_stored_as_digests(api, with_papers):
    base = f"/exam-rounds/{with_papers.pk}"
    answer = api.post(f"{base}/codes", {})
    assert answer.status == 200 and answer.body["count"] == 3
    for row in answer.body["items"]:
        sitting = Sitting.objects.get(pk=row["sitting_id"])
        assert sitting.code_digest == code_digest(row["code"])
    one = answer.body["items"][0]["sitting_id"]
    again = api.post(f"{base}/codes", {"sitting_id": one})
    assert again.body["count"] == 1 and again.body["items"][0]["sitting_id"] == one
    listed = api.get(f"{base}/candidates")
    assert all(row["has_code"] for row in listed.body["items"])


def test_unregister_and_patch(api, tree, committee, with_papers):
    base = f"/exam-rounds/{with_papers.pk}"
    sitting = with_papers.sittings.order_by("pk")[0]
    assert api.delete(f"{base}/candidates/{sitting.pk}").status == 204
    assert not Sitting.objects.filter(pk=sitting.pk).exists()
    patched = api_patch(api, base, {"venue": "Nơi khác"})
    assert patched.status_code == 409
    assert "Chỉ sửa đợt kiểm tra khi chưa tạo đề" in patched.json()["error"]["message"]
    draft = new_round(tree["commune"], committee)
    done = api_patch(api, f"/exam-rounds/{draft.pk}", {"venue": "Nhà văn hóa", "variants": 6})
    assert done.status_code == 200 and done.json()["variants"] == 6


def test_rounds_appear_in_the_openapi_schema(api):
    paths = api.get("/openapi.json").body["paths"]
    assert "/api/v1/exam-rounds" in paths
    assert "/api/v1/exam-rounds/{round_id}/papers" in paths
    assert "/api/v1/exam-rounds/{round_id}/papers/{number}" in paths


# ---- helpers -----------------------------------------------------------------------------


def put(api, path, body):
    return api.client.put(
        f"/api/v1{path}", body, content_type="application/json", headers=api.headers
    )


def api_patch(api, path, body):
    return api.client.patch(
        f"/api/v1{path}", body, content_type="application/json", headers=api.headers
    )


def test_commune_staff_off_the_board_get_no_keys_of_the_province_bank(as_user, committee, tree):
    """Keys stay with the board (seed 000): staff running a commune round that draws the
    province's shared questions do not see the province bank's keys unless on the board."""
    from dangvien.exams.tests.factories import make_paper, make_question, make_round

    exam_round = make_round(tree["commune"])
    make_paper(exam_round, [make_question(tree["province"], type=QuestionType.ORAL)])
    base = f"/exam-rounds/{exam_round.pk}/papers"
    answer = as_user(committee).get(base)
    assert answer.status == 200 and not answer.body["keys_included"]
    assert as_user(committee).get(f"{base}/1", format="pdf", key="true").status == 403
    assert (
        as_user(user_with_role(Role.BOARD_STAFF, tree["province"])).get(base).body["keys_included"]
    )
