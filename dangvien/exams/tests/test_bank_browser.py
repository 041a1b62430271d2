"""The question form in Chromium: it adapts to the type (option rows for choice questions,
rubric rows with their running total for essays), adds rows, keeps one correct option
for single choice, and saves."""

import pytest
from playwright.sync_api import expect

from dangvien.accounts.models import Role
from dangvien.browser_steps import login
from dangvien.exams.models import Question, QuestionType
from dangvien.factories import tree_2025, user_with_role

# serialized_rollback: see candidates/tests/test_browser.py.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_staff_write_an_essay_and_a_single_choice_question_in_the_form(browser_page, screenshot):
    page = browser_page
    tree = tree_2025()
    user_with_role(Role.BOARD_STAFF, tree["commune"], username="nganhang")
    login(page, "nganhang")

    page.goto("/kiem-tra/cau-hoi/moi/")
    assert page.locator("#option-rows").is_visible()
    assert not page.locator("#rubric-rows").is_visible()
    page.select_option("#id_topic", label="Động cơ, phương hướng phấn đấu vào Đảng")
    page.select_option("#id_type", QuestionType.ESSAY)
    assert not page.locator("#option-rows").is_visible()
    assert page.locator("#rubric-rows").is_visible()
    page.fill("#id_text", "Trình bày động cơ phấn đấu vào Đảng của bản thân.")
    page.fill("#id_points", "3,5")
    page.fill("[name=rubric-0-criterion]", "Nêu đúng động cơ")
    page.fill("[name=rubric-0-points]", "2")
    page.fill("[name=rubric-1-criterion]", "Liên hệ bản thân")
    page.fill("[name=rubric-1-points]", "1")
    page.click("[data-add=rubric]")
    page.fill("[name=rubric-2-criterion]", "Trình bày mạch lạc")
    page.fill("[name=rubric-2-points]", "0,5")
    assert page.locator("#rubric-sum").inner_text() == "3,50"
    screenshot("essay-form")
    page.click("button:text('Lưu và thêm câu khác')")
    page.wait_for_selector("text=Đã thêm câu hỏi số")
    essay = Question.objects.get()
    assert essay.type == QuestionType.ESSAY and essay.current is not None
    assert [c["points"] for c in essay.current.rubric] == ["2.00", "1.00", "0.50"]

    # Back on a blank form: a single choice question with a fifth option added.
    page.select_option("#id_topic", label="Điều lệ Đảng")
    page.fill("#id_text", "Người vào Đảng phải từ đủ bao nhiêu tuổi đời?")
    for row, text in enumerate(["16 tuổi", "17 tuổi", "18 tuổi", "19 tuổi"]):
        page.fill(f"[name=options-{row}-text]", text)
    page.click("[data-add=options]")
    assert page.input_value("[name=options-4-key]") == "E"
    page.fill("[name=options-4-text]", "20 tuổi")
    page.check("[name=options-0-correct]")
    page.check("[name=options-2-correct]")
    assert not page.is_checked("[name=options-0-correct]")  # one key for single choice
    screenshot("single-form")
    page.click("button:text('Lưu câu hỏi')")
    page.wait_for_selector("text=Đáp án đúng")
    screenshot("question-page")
    single = Question.objects.exclude(pk=essay.pk).get()
    assert single.current is not None
    assert single.current.answer == "C" and len(single.current.options) == 5

    page.goto("/kiem-tra/cau-hoi/")
    page.fill("input[name=q]", "dong co")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    assert "Trình bày động cơ" in page.inner_text("#results")
    screenshot("list")
