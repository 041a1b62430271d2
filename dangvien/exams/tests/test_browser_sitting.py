"""One candidate takes an online sitting in Chromium: enters the one-time code, answers
some items, loses the connection for one answer, reloads the page in the middle and finds
every answer kept, answers the rest and submits after the list of unanswered items. Then
the board looks at the live monitor and the keying grid of a paper sitting."""

import re

import pytest
from playwright.sync_api import expect

from dangvien.accounts.models import Role
from dangvien.browser_steps import login
from dangvien.exams.models import Answer, QuestionType, Sitting, SittingStatus
from dangvien.exams.tests.factories_sittings import (
    online_sitting,
    paper_sitting,
    round_with_paper,
)
from dangvien.factories import tree_2025, user_with_role

SAVES = "**/thi/bai-lam/cau/**"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _saved(page, item_id: int) -> None:
    expect(page.locator(f"#item-{item_id} [data-saved]")).to_contain_text("Đã lưu lúc")


def test_a_candidate_sits_online_reloads_in_the_middle_and_loses_no_answer(
    browser_page, screenshot
):
    page = browser_page
    tree = tree_2025()
    setup = round_with_paper(tree["commune"], name="Đợt kiểm tra nhận thức tháng 11/2026")
    sitting = online_sitting(setup, tree["village"], code="K7QM-2XPA")
    paper_sitting(setup, tree["village"])
    user_with_role(Role.BOARD_STAFF, tree["commune"], username="bantochuc")
    single = setup.item(QuestionType.SINGLE)
    multiple = setup.item(QuestionType.MULTIPLE)
    true_false = setup.item(QuestionType.TRUE_FALSE)
    short = setup.item(QuestionType.SHORT)
    essay = setup.item(QuestionType.ESSAY)

    page.goto("/thi/")
    page.fill("#id_code", "k7qm 2xpa")
    screenshot("code")
    page.click("button[type=submit]")
    page.wait_for_url("**/thi/bai-lam/")
    assert re.fullmatch(r"4[45]:\d\d", page.locator("#countdown").inner_text())
    assert setup.item(QuestionType.ORAL).version.text not in page.content()

    # Some answers, each saved at once.
    page.check(f"#item-{single.pk} input[value='{single.option_order[1]}']")
    _saved(page, single.pk)
    page.check(f"#item-{multiple.pk} input[value='A']")
    page.check(f"#item-{multiple.pk} input[value='C']")
    _saved(page, multiple.pk)

    # The connection drops: the answers wait in the browser and are said to be unsaved.
    page.context.set_offline(True)
    page.check(f"#item-{true_false.pk} input[value='false']")
    expect(page.locator(f"#item-{true_false.pk} [data-saved]")).to_contain_text("Chưa lưu")
    page.fill(f"#item-{short.pk} input", "Đại hội đại biểu toàn quốc")
    expect(page.locator(f"#item-{short.pk} [data-saved]")).to_contain_text("Chưa lưu")
    expect(page.locator("#connection")).to_be_visible()
    screenshot("offline")

    # The page is reloaded in the middle while saving still fails: the two answers the
    # server does not have yet come back from the browser's storage.
    page.route(SAVES, lambda route: route.abort("internetdisconnected"))
    page.context.set_offline(False)
    page.reload()
    expect(page.locator(f"#item-{true_false.pk} input[value='false']")).to_be_checked()
    expect(page.locator(f"#item-{short.pk} input")).to_have_value("Đại hội đại biểu toàn quốc")
    expect(page.locator(f"#item-{short.pk} [data-saved]")).to_contain_text("Chưa lưu")
    assert Answer.objects.get(sitting=sitting, item=true_false).response is None

    # The connection returns: they are sent, and a reload shows every answer from the server.
    page.unroute(SAVES)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    for item in (true_false, short):
        _saved(page, item.pk)
    assert Answer.objects.get(sitting=sitting, item=true_false).response is False
    assert Answer.objects.get(sitting=sitting, item=short).response == "Đại hội đại biểu toàn quốc"
    page.reload()
    for item in (single, multiple, true_false, short):
        _saved(page, item.pk)
    chosen = single.option_order[1]
    expect(page.locator(f"#item-{single.pk} input[value='{chosen}']")).to_be_checked()
    expect(page.locator(f"#item-{multiple.pk} input[value='A']")).to_be_checked()
    expect(page.locator(f"#item-{multiple.pk} input[value='C']")).to_be_checked()
    expect(page.locator(f"#item-{multiple.pk} input[value='B']")).not_to_be_checked()
    expect(page.locator(f"#item-{true_false.pk} input[value='false']")).to_be_checked()
    expect(page.locator(f"#item-{short.pk} input")).to_have_value("Đại hội đại biểu toàn quốc")
    expect(page.locator("#answered-count")).to_have_text("4")
    screenshot("after-reload")

    # Submitting lists what is still unanswered; the candidate goes back and finishes.
    page.click("#submit-open")
    expect(page.locator("#submit-unanswered")).to_have_text("Bạn còn 1 câu chưa trả lời: câu 5.")
    screenshot("unanswered")
    page.click("#submit-cancel")
    page.fill(
        f"#item-{essay.pk} textarea",
        "Phấn đấu vào Đảng để được rèn luyện, cống hiến.\n"
        "Liên hệ bản thân: học tập và làm theo Bác.",
    )
    _saved(page, essay.pk)
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("phone")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.click("#submit-bottom")
    expect(page.locator("#submit-unanswered")).to_have_text("Bạn đã trả lời tất cả 5 câu.")
    page.click("#submit-confirm")
    page.wait_for_url("**/thi/da-nop/")
    expect(page.locator("#done")).to_contain_text("Cảm ơn bạn đã hoàn thành bài kiểm tra")
    screenshot("done")
    assert "điểm" not in page.locator("#done").inner_text().lower()  # no score shown

    sitting.refresh_from_db()
    assert sitting.status == SittingStatus.SUBMITTED and not sitting.timed_out
    kept = Answer.objects.filter(sitting=sitting, response__isnull=False).count()
    assert kept == 5

    # The board's live monitor and the keying grid of the paper sitting.
    login(page, "bantochuc")
    page.goto(f"/kiem-tra/dot/{setup.round.pk}/lam-bai/")
    expect(page.locator(f"tr[data-sitting='{sitting.pk}']")).to_contain_text("Đã nộp bài")
    expect(page.locator(f"tr[data-sitting='{sitting.pk}']")).to_contain_text("5/5")
    screenshot("monitor")
    page.get_by_role("link", name="Nhập bài làm").click()
    page.check(f"#key-{single.pk} input[value='B']")
    screenshot("keying")
    page.click("#key-form button[type=submit]")
    page.wait_for_url(f"**/kiem-tra/dot/{setup.round.pk}/lam-bai/")
    assert Sitting.objects.filter(round=setup.round, status=SittingStatus.SUBMITTED).count() == 2
