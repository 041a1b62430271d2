"""Wiring of the question bank pages: login, scope (404), role (403), rules refused with
their Vietnamese message (409), keys hidden from those who may not see them, import and
export, and a list whose query count does not grow with its rows."""

import io
import re

import pytest
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from dangvien.accounts.models import Role
from dangvien.exams.models import Question, QuestionType, Topic
from dangvien.exams.spreadsheet import SHEET
from dangvien.exams.tests.factories import (
    GOOD_ROW,
    LABELS,
    cur,
    make_paper,
    make_question,
    make_round,
    xlsx,
)
from dangvien.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretary(tree):
    return user_with_role(Role.BRANCH_SECRETARY, tree["village"])


def login(client, user):
    client.force_login(user)
    return client


def form_data(**over):
    """A single choice question as the form posts it, options and rubric rows included."""
    data = {
        "owner": "",
        "topic": Topic.objects.get(code="dieu-le-dang").pk,
        "difficulty": "1",
        "type": "single",
        "text": "Người vào Đảng phải từ đủ bao nhiêu tuổi đời?",
        "points": "1",
        "truth": "",
        "accepted": "",
        "explanation": "Điều lệ Đảng, Điều 1.",
        "tags": "kết nạp, tuổi đời",
        "shared_down": "on",
        "options-TOTAL_FORMS": "3",
        "options-INITIAL_FORMS": "0",
        "options-MIN_NUM_FORMS": "0",
        "options-MAX_NUM_FORMS": "26",
        "options-0-key": "A",
        "options-0-text": "16 tuổi",
        "options-1-key": "B",
        "options-1-text": "18 tuổi",
        "options-1-correct": "on",
        "options-2-key": "",
        "options-2-text": "20 tuổi",
        "rubric-TOTAL_FORMS": "1",
        "rubric-INITIAL_FORMS": "0",
        "rubric-MIN_NUM_FORMS": "0",
        "rubric-MAX_NUM_FORMS": "20",
        "rubric-0-criterion": "ô trống của loại khác: bị bỏ qua",
        "rubric-0-points": "",
    }
    data.update(over)
    return data


# ---- the list --------------------------------------------------------------------------------


def test_the_list_asks_for_a_login(client):
    response = client.get(reverse("exams:bank"))
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_the_list_finds_a_question_ignoring_case_and_diacritics(client, tree, staff):
    make_question(tree["commune"], text="Điều lệ Đảng quy định thời gian dự bị bao lâu?")
    make_question(tree["commune"], text="Cương lĩnh năm 1991 được thông qua ở Đại hội nào?")
    response = login(client, staff).get(reverse("exams:bank"), {"q": "dieu le DANG"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "thời gian dự bị" in body and "Cương lĩnh năm 1991" not in body
    assert response.context["page"].paginator.count == 1


def test_the_list_filters_by_type_topic_and_owner(client, tree, staff):
    province_staff = user_with_role(Role.BOARD_STAFF, tree["province"])
    make_question(tree["province"], type=QuestionType.ESSAY, topic_code="lich-su-dang")
    make_question(tree["commune"], type=QuestionType.ESSAY)
    make_question(tree["commune"])
    login(client, province_staff)
    history = Topic.objects.get(code="lich-su-dang")
    assert client.get(reverse("exams:bank"), {"type": "essay"}).context["page"].paginator.count == 2
    assert (
        client.get(reverse("exams:bank"), {"topic": history.pk}).context["page"].paginator.count
        == 1
    )
    commune = client.get(reverse("exams:bank"), {"owner": tree["commune"].pk})
    assert commune.context["page"].paginator.count == 2


def test_the_list_counts_questions_per_topic_and_difficulty(client, tree, staff):
    make_question(tree["commune"], topic_code="dieu-le-dang", difficulty=1)
    make_question(tree["commune"], topic_code="dieu-le-dang", difficulty=3)
    make_question(tree["commune"], topic_code="cuong-linh", difficulty=3)
    response = login(client, staff).get(reverse("exams:bank"), {"difficulty": "1"})
    grid = {row.topic.code: row.by_difficulty for row in response.context["grid"]}
    assert grid["dieu-le-dang"] == [1, 0, 1] and grid["cuong-linh"] == [0, 0, 1]
    assert response.context["grid_totals"] == [1, 0, 2] and response.context["grid_total"] == 3


def test_archived_questions_show_only_when_asked(client, tree, staff):
    question = make_question(tree["commune"])
    Question.objects.filter(pk=question.pk).update(active=False)
    login(client, staff)
    assert client.get(reverse("exams:bank")).context["page"].paginator.count == 0
    assert client.get(reverse("exams:bank"), {"active": "0"}).context["page"].paginator.count == 1


def test_the_list_pages_and_keeps_its_filters(client, tree, staff):
    for _ in range(32):
        make_question(tree["commune"], type=QuestionType.TRUE_FALSE)
    response = login(client, staff).get(reverse("exams:bank"), {"type": "true_false"})
    assert response.context["page"].paginator.num_pages == 2
    assert "type=true_false&amp;page=2" in response.content.decode()


def test_the_list_reads_a_fixed_number_of_queries(client, tree, staff):
    login(client, staff)
    url = reverse("exams:bank")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    make_question(tree["commune"])
    few = queries()
    for _ in range(12):
        make_question(tree["commune"], type=QuestionType.ESSAY)
    assert queries() == few


def test_an_htmx_filter_answers_the_results_and_the_counts(client, tree, staff):
    make_question(tree["commune"])
    response = login(client, staff).get(reverse("exams:bank"), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert 'id="results"' in body and 'hx-swap-oob="true"' in body and "<html" not in body


# ---- one question ----------------------------------------------------------------------------


def test_staff_see_the_key_and_rubric_on_the_question_page(client, tree, staff):
    question = make_question(tree["commune"], type=QuestionType.ESSAY, points=2)
    single = make_question(tree["commune"])
    login(client, staff)
    body = client.get(reverse("exams:bank-question", args=[question.pk])).content.decode()
    assert "Thang điểm chấm" in body and "Liên hệ bản thân" in body
    body = client.get(reverse("exams:bank-question", args=[single.pk])).content.decode()
    assert "Đáp án đúng" in body


def test_a_branch_secretary_never_sees_a_key_or_rubric(client, tree, secretary):
    essay = make_question(tree["commune"], type=QuestionType.ESSAY, points=2)
    single = make_question(tree["commune"])
    short = make_question(tree["commune"], type=QuestionType.SHORT)
    login(client, secretary)
    for question in (essay, single, short):
        response = client.get(reverse("exams:bank-question", args=[question.pk]))
        body = response.content.decode()
        assert response.status_code == 200 and not response.context["show_key"]
        assert "Liên hệ bản thân" not in body and "Đáp án đúng" not in body
        assert "Đại hội" not in body and "Thang điểm chấm</h3>" not in body
    assert "Sửa câu hỏi" not in body


def test_a_question_of_another_commune_answers_404(client, tree, staff):
    question = make_question(tree["other_commune"])
    response = login(client, staff).get(reverse("exams:bank-question", args=[question.pk]))
    assert response.status_code == 404
    assert (
        login(client, staff).get(reverse("exams:bank-edit", args=[question.pk])).status_code == 404
    )


def test_an_unshared_province_question_answers_404_to_a_commune(client, tree, staff):
    question = make_question(tree["province"], shared_down=False)
    shared = make_question(tree["province"])
    login(client, staff)
    assert client.get(reverse("exams:bank-question", args=[question.pk])).status_code == 404
    assert client.get(reverse("exams:bank-question", args=[shared.pk])).status_code == 200


def test_the_question_page_lists_every_version_and_the_rounds_using_them(client, tree, staff):
    question = make_question(tree["commune"])
    exam_round = make_round(tree["commune"], name="Đợt tháng 3")
    make_paper(exam_round, [question])
    login(client, staff)
    response = client.post(
        reverse("exams:bank-edit", args=[question.pk]),
        form_data(text="Câu hỏi đã sửa sau đợt tháng 3?", **{"options-1-correct": "on"}),
    )
    assert response.status_code == 302
    response = client.get(reverse("exams:bank-question", args=[question.pk]))
    assert [v.number for v in response.context["versions"]] == [2, 1]
    body = response.content.decode()
    assert "Đợt tháng 3" in body and "Phiên bản 1" in body and "Hiện hành" in body


# ---- create and edit -------------------------------------------------------------------------


def test_staff_add_a_question_through_the_form(client, tree, staff):
    login(client, staff)
    assert client.get(reverse("exams:bank-new")).status_code == 200
    response = client.post(reverse("exams:bank-new"), form_data(owner=tree["commune"].pk))
    question = Question.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "exams:bank-question", args=[question.pk]
    )
    version = cur(question)
    assert version.answer == "B" and [o["key"] for o in version.options] == ["A", "B", "C"]
    assert version.rubric == [] and question.tags == ["kết nạp", "tuổi đời"]


def test_the_form_answers_409_with_the_rule_that_refused(client, tree, staff):
    data = form_data(owner=tree["commune"].pk)
    del data["options-1-correct"]
    response = login(client, staff).post(reverse("exams:bank-new"), data)
    assert response.status_code == 409
    assert "Chưa chọn đáp án đúng cho câu hỏi một lựa chọn." in response.content.decode()
    assert not Question.objects.exists()


def test_the_form_keeps_an_essays_rubric_and_checks_its_sum(client, tree, staff):
    data = form_data(
        owner=tree["commune"].pk,
        type="essay",
        points="3",
        **{
            "rubric-TOTAL_FORMS": "2",
            "rubric-0-criterion": "Nêu đúng động cơ",
            "rubric-0-points": "2",
            "rubric-1-criterion": "Liên hệ bản thân",
            "rubric-1-points": "0,5",
        },
    )
    login(client, staff)
    response = client.post(reverse("exams:bank-new"), data)
    assert response.status_code == 409
    assert "Tổng điểm các tiêu chí (2,5) phải bằng điểm tối đa của câu (3)." in (
        response.content.decode()
    )
    data["rubric-1-points"] = "1"
    assert client.post(reverse("exams:bank-new"), data).status_code == 302
    question = Question.objects.get()
    assert cur(question).options == [] and cur(question).answer is None
    assert len(cur(question).rubric) == 2


def test_a_branch_secretary_may_not_open_the_new_question_form(client, secretary):
    assert login(client, secretary).get(reverse("exams:bank-new")).status_code == 403


def test_staff_of_the_commune_may_not_edit_a_shared_province_question(client, tree, staff):
    question = make_question(tree["province"])
    response = login(client, staff).get(reverse("exams:bank-edit", args=[question.pk]))
    assert response.status_code == 403


def test_the_edit_form_refuses_a_type_change_of_a_used_question(client, tree, staff):
    question = make_question(tree["commune"])
    make_paper(make_round(tree["commune"]), [question])
    login(client, staff)
    page = client.get(reverse("exams:bank-edit", args=[question.pk]))
    assert "sẽ tạo <strong>phiên bản mới</strong>" in page.content.decode()
    response = client.post(
        reverse("exams:bank-edit", args=[question.pk]), form_data(type="true_false", truth="true")
    )
    assert response.status_code == 409
    assert "không đổi được loại câu hỏi" in response.content.decode()


def test_staff_archive_and_restore_a_question(client, tree, staff):
    question = make_question(tree["commune"])
    login(client, staff)
    assert client.post(reverse("exams:bank-archive", args=[question.pk])).status_code == 302
    question.refresh_from_db()
    assert not question.active
    response = client.post(reverse("exams:bank-archive", args=[question.pk]))
    assert response.status_code == 409 and "đã được lưu trữ" in response.content.decode()
    assert client.post(reverse("exams:bank-restore", args=[question.pk])).status_code == 302
    question.refresh_from_db()
    assert question.active


def test_a_secretary_may_not_archive(client, tree, secretary):
    question = make_question(tree["commune"])
    response = login(client, secretary).post(reverse("exams:bank-archive", args=[question.pk]))
    assert response.status_code == 403


def test_the_commune_copies_a_shared_province_question(client, tree, staff):
    question = make_question(tree["province"])
    response = login(client, staff).post(
        reverse("exams:bank-copy", args=[question.pk]), {"to_owner": tree["commune"].pk}
    )
    copy = Question.objects.exclude(pk=question.pk).get()
    assert response.status_code == 302 and copy.owner == tree["commune"]


# ---- import, export, template ----------------------------------------------------------------


def xlsx_upload(*rows):
    """The workbook of ``rows`` as the file the import form posts."""
    buffer = io.BytesIO(xlsx(*rows))
    buffer.name = "cau-hoi.xlsx"
    return buffer


def test_the_import_dry_run_lists_errors_and_imports_nothing(client, tree, staff):
    upload = xlsx_upload(GOOD_ROW, {**GOOD_ROW, "Chủ đề": "Kinh tế"})
    response = login(client, staff).post(
        reverse("exams:bank-import"),
        {"owner": tree["commune"].pk, "file": upload, "step": "check"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'id="row-errors"' in body
    assert re.search(r'<td class="num">3</td><td>Chủ đề</td><td>Không có chủ đề “Kinh tế”', body)
    assert not Question.objects.exists()


def test_a_checked_file_is_imported_from_the_page_without_uploading_it_again(client, tree, staff):
    login(client, staff)
    checked = client.post(
        reverse("exams:bank-import"),
        {"owner": tree["commune"].pk, "file": xlsx_upload(GOOD_ROW, GOOD_ROW), "step": "check"},
    )
    assert checked.status_code == 200 and "2 câu hỏi sẵn sàng nhập" in checked.content.decode()
    response = client.post(
        reverse("exams:bank-import"),
        {
            "owner": tree["commune"].pk,
            "content": checked.context["content"],
            "filename": "cau-hoi.xlsx",
            "step": "commit",
        },
    )
    assert response.status_code == 302 and Question.objects.count() == 2


def test_a_commit_with_one_bad_row_answers_409_and_imports_nothing(client, tree, staff):
    response = login(client, staff).post(
        reverse("exams:bank-import"),
        {
            "owner": tree["commune"].pk,
            "file": xlsx_upload(GOOD_ROW, {**GOOD_ROW, "Đáp án": "Có lẽ"}),
            "step": "commit",
        },
    )
    assert response.status_code == 409 and "Không nhập câu hỏi nào" in response.content.decode()
    assert not Question.objects.exists()


def test_a_secretary_may_not_import(client, secretary):
    assert login(client, secretary).get(reverse("exams:bank-import")).status_code == 403


def test_the_template_downloads_as_xlsx(client, secretary):
    response = login(client, secretary).get(reverse("exams:bank-template"))
    book = load_workbook(io.BytesIO(response.content))
    assert response.status_code == 200 and [c.value for c in book[SHEET][1]] == LABELS


def export_rows(client, user, **params):
    response = login(client, user).get(reverse("exams:bank-export"), params)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))[SHEET]
    return [
        dict(zip(LABELS, [c.value for c in row], strict=True)) for row in sheet.iter_rows(min_row=2)
    ]


def test_the_export_carries_keys_for_staff_but_not_for_a_branch_secretary(
    client, tree, staff, secretary
):
    make_question(tree["commune"], type=QuestionType.ESSAY, points=2)
    make_question(tree["commune"])
    staff_rows = export_rows(client, staff, active="1")
    assert {r["Đáp án"] for r in staff_rows} == {None, "B"}
    assert any("Liên hệ bản thân" in (r["Thang điểm chấm"] or "") for r in staff_rows)
    secretary_rows = export_rows(client, secretary)
    assert len(secretary_rows) == 2
    assert all(r["Đáp án"] is None and r["Thang điểm chấm"] is None for r in secretary_rows)


def test_the_export_follows_the_lists_filters(client, tree, staff):
    make_question(tree["commune"], type=QuestionType.ESSAY, points=2)
    make_question(tree["commune"])
    rows = export_rows(client, staff, type="essay")
    assert [r["Loại câu hỏi"] for r in rows] == ["Tự luận"]


def test_the_list_filters_by_tag_ignoring_case(client, tree, staff):
    tagged = make_question(tree["commune"])
    Question.objects.filter(pk=tagged.pk).update(tags=["Đại hội XIII", "ôn tập"])
    make_question(tree["commune"])
    response = login(client, staff).get(reverse("exams:bank"), {"tag": "đại hội xiii"})
    assert [q.pk for q in response.context["page"]] == [tagged.pk]
    assert response.context["tags"] == ["Đại hội XIII", "ôn tập"]


def test_the_admin_shows_questions_read_only(admin_client, tree):
    question = make_question(tree["commune"])
    assert admin_client.get(reverse("admin:exams_question_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:exams_question_change", args=[question.pk]))
    assert page.status_code == 200 and "Câu hỏi thử số" in page.content.decode()
    assert admin_client.get(reverse("admin:exams_question_add")).status_code == 403
    assert admin_client.get(reverse("admin:exams_topic_changelist")).status_code == 200
