"""One awareness course run through the pages in Chromium: open it, add sessions, enrol
candidates, start, take attendance, key in marks, close; the candidate is certified."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dangvien.accounts.models import Role
from dangvien.browser_steps import login, settle
from dangvien.candidates.models import Candidate, Stage
from dangvien.factories import make_candidate, tree_2025, user_with_role
from dangvien.training.models import Certificate

# serialized_rollback: see candidates/tests/test_browser.py.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_committee_staff_run_an_awareness_course_through_the_pages(browser_page, screenshot):
    page = browser_page
    tree = tree_2025()
    today = timezone.localdate()
    an = make_candidate(branch=tree["village"], person__given_name="An")
    make_candidate(branch=tree["clinic"], person__given_name="Bình")
    make_candidate(branch=tree["village"], person__given_name="Dung", stage=Stage.BRANCH_PROPOSED)
    user_with_role(Role.BOARD_STAFF, tree["commune"], username="bantochuc")

    login(page, "bantochuc")
    page.goto("/boi-duong/moi/")
    page.fill("#id_name", "Lớp bồi dưỡng nhận thức về Đảng khóa I")
    page.fill("#id_organiser_name", "Trung tâm Chính trị xã An Bình")
    page.fill("#id_starts_on", (today - timedelta(days=10)).strftime("%d/%m/%Y"))
    page.fill("#id_ends_on", today.strftime("%d/%m/%Y"))
    page.fill("#id_venue", "Hội trường Đảng ủy xã")
    screenshot("new-course")
    page.click("form.card button[type=submit]")
    page.wait_for_selector("#sessions")
    for offset in (10, 5):
        page.click("#session-panel summary")
        page.fill("#id_held_on", (today - timedelta(days=offset)).strftime("%d/%m/%Y"))
        page.fill("#id_topic", f"Chuyên đề ngày {offset}")
        page.click("#session-form button[type=submit]")
        page.wait_for_selector("text=Đã thêm buổi học")

    page.click("text=Ghi danh học viên")
    page.wait_for_selector("#eligible")
    screenshot("enrol")
    page.check("#eligible thead input[type=checkbox]")  # everyone eligible
    page.click("#picks button[type=submit]")
    page.wait_for_selector("#learners")
    page.once("dialog", lambda dialog: dialog.accept())  # "Bắt đầu lớp?"
    page.click("text=Bắt đầu lớp")
    page.wait_for_selector("text=Kết thúc lớp, cấp giấy chứng nhận")
    assert Candidate.objects.get(pk=an.pk).stage == Stage.IN_AWARENESS_COURSE

    page.click("text=Điểm danh")
    page.wait_for_selector("#attendance-grid")
    for box in page.locator("#attendance-grid thead input[type=checkbox]").all():
        box.check()
    screenshot("attendance")
    page.click("text=Lưu điểm danh")
    page.wait_for_selector(".flash")

    page.goto(page.url.replace("diem-danh/", "diem/"))
    inputs = page.locator("#marks-grid tbody input")
    inputs.nth(0).fill("7,5")
    inputs.nth(1).fill("4")
    page.click("text=Lưu điểm")
    page.wait_for_selector(".flash")
    screenshot("marks")

    page.goto(page.url.replace("diem/", "ket-thuc/"))
    page.fill("#id_first_number", "125")
    screenshot("close")
    page.click("form.card button[type=submit]")
    page.wait_for_selector("text=Giấy CN số 125-CN/TTCT")
    screenshot("closed")
    candidate = Candidate.objects.get(pk=an.pk)
    assert candidate.stage == Stage.CERTIFIED and candidate.certificate_no == "125-CN/TTCT"
    assert Certificate.objects.count() == 1

    page.goto("/boi-duong/giay-chung-nhan/")
    with page.expect_response(lambda r: "q=nguyen" in r.url):
        page.fill("input[name=q]", "nguyen van an")
    settle(page)
    screenshot("certificates")
    assert page.locator("#certificates tbody tr").count() == 1
