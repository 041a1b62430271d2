"""The question bank over JSON: list and filters, create (201) and its 400s, versioning on
PUT, archive and restore, import (dry run, all-or-nothing commit with 409), export, topics;
keys hidden from a branch secretary; 404 outside the subtree."""

import io
import json
from typing import Any

import pytest
from openpyxl import load_workbook

from dangvien.accounts.models import Role
from dangvien.api.tests.conftest import Answer, Api
from dangvien.exams.models import PaperItem, Question, QuestionType, Topic
from dangvien.exams.spreadsheet import SHEET
from dangvien.exams.tests.factories import (
    GOOD_ROW,
    LABELS,
    age_question,
    cur,
    make_paper,
    make_question,
    make_round,
    xlsx,
)
from dangvien.factories import user_with_role

pytestmark = pytest.mark.django_db


def put(api: Api, path: str, body: Any) -> Answer:
    response = api.client.put(
        f"/api/v1{path}", json.dumps(body), content_type="application/json", headers=api.headers
    )
    return Answer(response.status_code, json.loads(response.content))


def upload(api: Api, content: bytes, name: str = "cau-hoi.xlsx", **fields: Any) -> Answer:
    file = io.BytesIO(content)
    file.name = name
    response = api.client.post(
        "/api/v1/questions/import", {"file": file, **fields}, headers=api.headers
    )
    return Answer(response.status_code, json.loads(response.content))


def body(tree, **over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "owner_id": tree["commune"].pk,
        "topic_id": Topic.objects.get(code="dieu-le-dang").pk,
        "difficulty": 1,
        "type": "single",
        **age_question(),
        "tags": ["tuổi đời"],
        "explanation": "Điều lệ Đảng, Điều 1.",
    }
    data.update(over)
    return data


# ---- create and read -------------------------------------------------------------------------


def test_staff_create_a_question_and_get_it_back_with_its_key(as_user, tree, staff):
    api = as_user(staff)
    created = api.post("/questions", body(tree))
    assert created.status == 201
    item = created.body
    assert item["current_version"] == 1 and item["key_visible"] and item["answer"] == "B"
    assert item["owner_id"] == tree["commune"].pk and item["topic_code"] == "dieu-le-dang"
    assert item["type_label"] == "Một lựa chọn" and item["tags"] == ["tuổi đời"]
    again = api.get(f"/questions/{item['id']}")
    assert again.status == 200 and again.body["explanation"] == "Điều lệ Đảng, Điều 1."


def test_a_rule_refusal_answers_400_with_every_problem_by_field(as_user, tree, staff):
    answer = as_user(staff).post("/questions", body(tree, text=" ", answer="E"))
    assert answer.status == 400 and answer.error["code"] == "invalid"
    assert answer.error["fields"] == {
        "text": "Nội dung câu hỏi không được để trống.",
        "answer": "Đáp án “E” không có trong các phương án.",
    }
    assert not Question.objects.exists()


def test_an_essay_whose_rubric_does_not_add_up_is_refused(as_user, tree, staff):
    answer = as_user(staff).post(
        "/questions",
        body(
            tree,
            type="essay",
            options=[],
            answer=None,
            points="3",
            rubric=[{"criterion": "Nêu đúng động cơ", "points": 2}],
        ),
    )
    assert answer.status == 400
    assert answer.error["fields"]["rubric"] == (
        "Tổng điểm các tiêu chí (2) phải bằng điểm tối đa của câu (3)."
    )


def test_a_bad_type_is_malformed_input(as_user, tree, staff):
    answer = as_user(staff).post("/questions", body(tree, type="fill_in"))
    assert answer.status == 400 and "type" in answer.error["fields"]


def test_a_branch_secretary_may_not_create_in_their_branch_and_gets_403(as_user, tree, secretary):
    answer = as_user(secretary).post("/questions", body(tree, owner_id=tree["village"].pk))
    assert answer.status == 403 and answer.error["code"] == "forbidden"


def test_creating_in_a_bank_outside_the_subtree_answers_404(as_user, tree, staff):
    answer = as_user(staff).post("/questions", body(tree, owner_id=tree["other_commune"].pk))
    assert answer.status == 404


def test_a_question_outside_the_subtree_answers_404(as_user, tree, staff):
    question = make_question(tree["other_commune"])
    api = as_user(staff)
    assert api.get(f"/questions/{question.pk}").status == 404
    assert put(api, f"/questions/{question.pk}", {"text": "x?"}).status == 404
    assert api.post(f"/questions/{question.pk}/archive").status == 404


# ---- keys ------------------------------------------------------------------------------------


def test_a_branch_secretary_never_sees_keys_rubrics_or_explanations(as_user, tree, secretary):
    essay = make_question(tree["commune"], type=QuestionType.ESSAY, points=2)
    single = make_question(tree["commune"], explanation="Điều 1.")
    api = as_user(secretary)
    listed = api.get("/questions")
    assert listed.status == 200 and listed.body["count"] == 2
    for item in listed.body["items"]:
        assert not item["key_visible"]
        assert item["answer"] is None and item["rubric"] is None and item["explanation"] is None
    one = api.get(f"/questions/{single.pk}", versions="true").body
    assert one["answer"] is None and one["versions"][0]["answer"] is None
    assert one["options"][1]["key"] == "B"  # the options themselves are not secret
    assert api.get(f"/questions/{essay.pk}").body["rubric"] is None


def test_a_board_member_of_a_round_using_the_question_sees_its_key(as_user, tree):
    question = make_question(tree["province"])
    member = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    exam_round = make_round(tree["commune"])
    make_paper(exam_round, [question])
    exam_round.board.create(user=member, is_chair=True)
    assert as_user(member).get(f"/questions/{question.pk}").body["answer"] == "B"


# ---- list --------------------------------------------------------------------------------------


def test_the_list_filters_and_pages(as_user, tree, staff):
    for _ in range(3):
        make_question(tree["commune"], type=QuestionType.TRUE_FALSE)
    make_question(tree["commune"], text="Điều lệ Đảng quy định thời gian dự bị bao lâu?")
    api = as_user(staff)
    page = api.get("/questions", type="true_false", limit=2, offset=0)
    assert page.body["count"] == 3 and len(page.body["items"]) == 2
    found = api.get("/questions", q="THOI GIAN du bi")
    assert found.body["count"] == 1
    assert found.body["items"][0]["text"].startswith("Điều lệ Đảng quy định")


def test_the_list_shows_a_commune_the_shared_province_questions_only(as_user, tree, staff):
    shared = make_question(tree["province"])
    make_question(tree["province"], shared_down=False)
    make_question(tree["other_commune"])
    items = as_user(staff).get("/questions").body["items"]
    assert [i["id"] for i in items] == [shared.pk]
    assert items[0]["key_visible"] is False


def test_filtering_by_an_owner_outside_view_answers_404(as_user, tree, staff):
    assert as_user(staff).get("/questions", owner=tree["other_commune"].pk).status == 404


# ---- edit and versions -----------------------------------------------------------------------


def test_put_on_an_unused_question_keeps_version_one(as_user, tree, staff):
    api = as_user(staff)
    question_id = api.post("/questions", body(tree)).body["id"]
    answer = put(api, f"/questions/{question_id}", {"text": "Tuổi đời tối thiểu?"})
    assert answer.status == 200 and answer.body["current_version"] == 1
    assert answer.body["text"] == "Tuổi đời tối thiểu?" and answer.body["answer"] == "B"


def test_put_on_a_question_used_on_a_paper_answers_version_two(as_user, tree, staff):
    question = make_question(tree["commune"])
    make_paper(make_round(tree["commune"]), [question])
    api = as_user(staff)
    answer = put(api, f"/questions/{question.pk}", {"answer": "C", "difficulty": 3})
    assert answer.status == 200 and answer.body["current_version"] == 2
    assert answer.body["answer"] == "C" and answer.body["difficulty"] == 3
    assert PaperItem.objects.get().version.number == 1
    history = api.get(f"/questions/{question.pk}", versions=True).body["versions"]
    assert [(v["number"], v["answer"], v["used"]) for v in history] == [
        (2, "C", False),
        (1, "B", True),
    ]


def test_put_changing_the_type_of_a_used_question_answers_409(as_user, tree, staff):
    question = make_question(tree["commune"])
    make_paper(make_round(tree["commune"]), [question])
    answer = put(
        as_user(staff),
        f"/questions/{question.pk}",
        {"type": "true_false", "options": [], "answer": True},
    )
    assert answer.status == 409 and answer.error["code"] == "conflict"
    assert answer.error["fields"] == {"type": answer.error["message"]}


def test_commune_staff_may_not_put_a_shared_province_question(as_user, tree, staff):
    question = make_question(tree["province"])
    assert put(as_user(staff), f"/questions/{question.pk}", {"text": "x?"}).status == 403


def test_archive_and_restore(as_user, tree, staff):
    question = make_question(tree["commune"])
    api = as_user(staff)
    archived = api.post(f"/questions/{question.pk}/archive")
    assert archived.status == 200 and archived.body["active"] is False
    assert api.post(f"/questions/{question.pk}/archive").status == 409
    assert api.post(f"/questions/{question.pk}/restore").body["active"] is True


def test_copy_a_shared_province_question(as_user, tree, staff):
    question = make_question(tree["province"])
    answer = as_user(staff).post(f"/questions/{question.pk}/copy", {"owner_id": tree["commune"].pk})
    assert answer.status == 201 and answer.body["owner_id"] == tree["commune"].pk
    assert answer.body["key_visible"] and answer.body["answer"] == "B"


# ---- import and export -----------------------------------------------------------------------


def test_the_import_dry_run_answers_every_rows_errors_and_writes_nothing(as_user, tree, staff):
    answer = upload(
        as_user(staff),
        xlsx(
            GOOD_ROW,
            {**GOOD_ROW, "Loại câu hỏi": "Điền khuyết"},
            {**GOOD_ROW, "Nội dung câu hỏi": ""},
        ),
        owner_id=tree["commune"].pk,
    )
    assert answer.status == 200 and answer.body["dry_run"] and not answer.body["valid"]
    assert [(e["row"], e["column"]) for e in answer.body["errors"]] == [
        (3, "Loại câu hỏi"),
        (4, "Nội dung câu hỏi"),
    ]
    assert not Question.objects.exists()


def test_an_import_commit_with_a_bad_row_answers_409_with_the_rows(as_user, tree, staff):
    answer = upload(
        as_user(staff),
        xlsx(GOOD_ROW, {**GOOD_ROW, "Đáp án": "Có lẽ"}),
        owner_id=tree["commune"].pk,
        dry_run="false",
    )
    assert answer.status == 409 and answer.error["code"] == "import_refused"
    assert answer.error["rows"] == [
        {
            "row": 3,
            "column": "Đáp án",
            "message": "Đáp án “Có lẽ” không hợp lệ: câu Đúng / Sai ghi Đúng hoặc Sai.",
        }
    ]
    assert not Question.objects.exists()


def test_an_import_commit_of_a_good_csv_with_bom_answers_201(as_user, tree, staff):
    csv = (
        "\ufeffChủ đề,Loại câu hỏi,Nội dung câu hỏi,Đáp án\n"
        "Điều lệ Đảng,Đúng / Sai,Dự bị 12 tháng.,Sai\n"
    )
    answer = upload(
        as_user(staff),
        csv.encode(),
        name="cau-hoi.csv",
        owner_id=tree["commune"].pk,
        dry_run="false",
    )
    assert answer.status == 201 and answer.body["imported"] == 1
    question = Question.objects.get(pk=answer.body["question_ids"][0])
    assert cur(question).answer is False and question.owner == tree["commune"]


def test_an_unreadable_file_answers_400(as_user, tree, staff):
    answer = upload(as_user(staff), b"\xff\xfe garbage", owner_id=tree["commune"].pk)
    assert answer.status == 400 and "file" in answer.error["fields"]


def test_a_branch_secretary_may_not_import(as_user, tree, secretary):
    api = as_user(secretary)
    assert upload(api, xlsx(GOOD_ROW), owner_id=tree["village"].pk).status == 403
    assert upload(api, xlsx(GOOD_ROW), owner_id=tree["commune"].pk).status == 404  # above them


def test_the_export_is_an_xlsx_without_keys_for_a_branch_secretary(as_user, tree, secretary):
    make_question(tree["commune"])
    api = as_user(secretary)
    response = api.client.get("/api/v1/questions/export", headers=api.headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content))[SHEET]
    row = dict(zip(LABELS, [c.value for c in sheet[2]], strict=True))
    assert row["Phương án B"] and row["Đáp án"] is None


def test_the_export_re_imports_through_the_api(as_user, tree, staff):
    province_staff = user_with_role(Role.BOARD_STAFF, tree["province"])
    for kind in QuestionType.values:
        make_question(tree["province"], type=kind, points=2)
    api = as_user(province_staff)
    exported = api.client.get("/api/v1/questions/export", headers=api.headers).content
    answer = upload(as_user(staff), exported, owner_id=tree["commune"].pk, dry_run="false")
    assert answer.status == 201 and answer.body["imported"] == len(QuestionType.values)


def test_topics_are_listed(as_user, staff):
    answer = as_user(staff).get("/topics")
    assert answer.status == 200 and answer.body["count"] == 5
    assert [t["code"] for t in answer.body["items"]][:2] == ["lich-su-dang", "dieu-le-dang"]


def test_the_endpoints_are_in_the_openapi_schema(client):
    paths = json.loads(client.get("/api/v1/openapi.json").content)["paths"]
    for path in (
        "/api/v1/questions",
        "/api/v1/questions/{question_id}",
        "/api/v1/questions/{question_id}/archive",
        "/api/v1/questions/{question_id}/restore",
        "/api/v1/questions/import",
        "/api/v1/questions/export",
        "/api/v1/topics",
    ):
        assert path in paths, path
