"""The Content-Security-Policy in Chromium (settings.py, "Content-Security-Policy and
transport security"; OWASP ASVS 5.0 V3.4.3): the main pages — login, home, candidate list
and page, member list and page, organisation, review sheet, statistics and targets, a
course and its enrolment and attendance, the question form, the exam monitor and code
slips, an online sitting — load and work with the policy enforced, and not
one ``securitypolicyviolation`` event, console error or script error shows up. The
behaviour moved from inline handlers to static/js/app.js still works: confirm dialogs
(cancel stops, OK goes on, htmx-polled parts too), select-all boxes, print buttons and the
select that submits its form."""

from typing import Any

import pytest
from django.urls import get_resolver
from django.utils import timezone
from playwright.sync_api import Page, expect

from dangvien.accounts.models import Role
from dangvien.browser_steps import login, settle, submit
from dangvien.candidates.models import Stage
from dangvien.exams.models import QuestionType, RoundStatus, SittingStatus
from dangvien.exams.tests.factories_sittings import online_sitting, paper_sitting, round_with_paper
from dangvien.factories import (
    make_candidate,
    make_member,
    make_user,
    tree_2025,
    user_with_role,
)
from dangvien.reviews.tests.factories import make_period
from dangvien.training.models import CourseStatus
from dangvien.training.tests.factories import make_course

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Runs before any script of each page (Playwright injects it outside the page's policy).
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
    " at " + (e.sourceFile || "?") + ":" + e.lineNumber + " " + (e.sample || ""));
});
window.__printed = 0;
window.print = function () { window.__printed += 1; };
"""


class Watch:
    """Collects what went wrong on the pages: policy violations, console errors (Chromium
    reports refused inline code there too) and uncaught script errors."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.problems: list[str] = []
        self.pages: list[str] = []
        page.add_init_script(LISTEN)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: {error}"))

    def _console(self, message: Any) -> None:
        source = message.location.get("url", "")
        # The browser asks every site for /favicon.ico; the admin's pages name no icon.
        if message.type == "error" and not source.endswith("/favicon.ico"):
            self.problems.append(f"{self.page.url}: console: {message.text} ({source})")

    def check(self) -> None:
        """Read the violations of the page now shown (before leaving it), once it has
        settled and the events of what it refused have been dispatched (the browser
        queues them as tasks: a short timer lets them run first)."""
        settle(self.page)
        self.page.evaluate("() => new Promise(done => setTimeout(done, 50))")
        for violation in self.page.evaluate("window.__violations"):
            self.problems.append(f"{self.page.url}: {violation}")

    def open(self, path: str) -> None:
        response = self.page.goto(path)
        assert response is not None and response.status == 200, (path, response)
        self.pages.append(path)
        self.check()


def test_the_main_pages_work_with_the_policy_and_break_no_rule(
    browser_page: Page, screenshot: Any, settings: Any
) -> None:
    settings.SECOND_FACTOR_REQUIRED = False  # the second factor has its own tests (accounts)
    # The live server runs in this process: load the URLconf (the API's schemas take
    # seconds) here, so the browser's first page does not wait for it.
    assert get_resolver().url_patterns
    page = browser_page
    watch = Watch(page)
    today = timezone.localdate()
    tree = tree_2025()
    commune, village = tree["commune"], tree["village"]
    members = [make_member(branch=village) for _ in range(3)]
    candidate = make_candidate(branch=village, stage=Stage.BRANCH_PROPOSED)
    learners = [make_candidate(branch=village) for _ in range(3)]
    period = make_period(tree["province"], today.year)
    course = make_course(commune, sessions=2)
    setup = round_with_paper(commune, name="Đợt kiểm tra nhận thức tháng 11")
    online = online_sitting(setup, village, code="K7QM-2XPA")
    on_paper = paper_sitting(setup, village)
    user_with_role(Role.BOARD_STAFF, commune, username="bantochuc")
    user_with_role(Role.BRANCH_SECRETARY, village, username="bithu")

    # Anonymous: the login page, then a candidate sits online (sitting.js saves by fetch).
    watch.open("/dang-nhap/")
    watch.open("/thi/")
    page.fill("#id_code", "k7qm 2xpa")
    page.click("button[type=submit]")
    page.wait_for_url("**/thi/bai-lam/")
    single = setup.item(QuestionType.SINGLE)
    page.check(f"#item-{single.pk} input[value='{single.option_order[1]}']")
    expect(page.locator(f"#item-{single.pk} [data-saved]")).to_contain_text("Đã lưu lúc")
    watch.check()

    # The chi bộ secretary's review sheet (reviews.js).
    login(page, "bithu")
    watch.open(f"/danh-gia/{period.pk}/chi-bo/{village.pk}/")
    name = members[0].person.full_name
    page.get_by_label(f"Điểm tự chấm của {name}").fill("92")
    watch.check()

    login(page, "bantochuc")
    for path in (
        "/",
        "/quan-chung/",
        f"/quan-chung/{candidate.pk}/",
        "/dang-vien/",
        f"/dang-vien/{members[0].pk}/",
        f"/to-chuc/{commune.pk}/",
    ):
        watch.open(path)
        if path == f"/quan-chung/{candidate.pk}/":
            screenshot("candidate")
    # A search swapped in by htmx.
    page.goto("/quan-chung/")
    with page.expect_response(lambda r: "q=" in r.url):
        page.fill("input[name=q]", learners[0].person.given_name)
    watch.check()

    # Statistics: the print button (data-print) and the year that submits itself.
    watch.open(f"/thong-ke/{commune.pk}/")
    screenshot("statistics")
    page.get_by_role("button", name="In", exact=True).click()
    assert page.evaluate("window.__printed") == 1
    watch.open(f"/thong-ke/{commune.pk}/chi-tieu/?year={today.year}")
    page.select_option("select[name=year]", str(today.year - 1))
    page.wait_for_url(f"**/chi-tieu/?year={today.year - 1}")
    watch.check()

    # The course: enrol everyone with the select-all box, then the confirm dialog.
    watch.open(f"/boi-duong/{course.pk}/ghi-danh/")
    picks = page.locator("#eligible input[name=pick]")
    assert picks.count() > 1 and not any(box.is_checked() for box in picks.all())
    page.check("#eligible thead input[type=checkbox]")
    assert all(box.is_checked() for box in picks.all())
    page.uncheck("#eligible thead input[type=checkbox]")
    assert not any(box.is_checked() for box in picks.all())
    page.check("#eligible thead input[type=checkbox]")
    picks_count = picks.count()
    page.click("#picks button[type=submit]")
    page.wait_for_selector("#learners")
    watch.check()
    asked: list[str] = []

    def cancel(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", cancel)
    page.click("text=Bắt đầu lớp")
    page.wait_for_timeout(300)
    assert asked and asked[0].startswith("Bắt đầu lớp?")
    course.refresh_from_db()
    assert course.status == CourseStatus.PLANNED  # "Cancel" sent nothing
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("text=Bắt đầu lớp")
    page.wait_for_selector("text=Kết thúc lớp, cấp giấy chứng nhận")
    course.refresh_from_db()
    assert course.status == CourseStatus.RUNNING
    watch.check()
    # Attendance: "cả buổi" ticks the whole session's column.
    watch.open(f"/boi-duong/{course.pk}/diem-danh/")
    first = course.sessions.order_by("held_on", "pk").first()
    assert first is not None
    column = page.locator(f"#attendance-grid input[data-session='{first.pk}']")
    assert column.count() == picks_count > 1
    page.locator("#attendance-grid thead input[type=checkbox]").first.check()
    assert all(box.is_checked() for box in column.all())
    watch.check()

    # The question form (bank_form.js): the type shows its part, a rubric row is added.
    watch.open("/kiem-tra/cau-hoi/moi/")
    page.select_option("#id_type", QuestionType.ESSAY)
    assert page.locator("#rubric-rows").is_visible()
    page.fill("[name=rubric-0-points]", "2")
    page.click("[data-add=rubric]")
    page.fill("[name=rubric-2-points]", "0,5")
    assert page.locator("#rubric-sum").inner_text() == "2,50"
    watch.check()

    # The exam monitor (polled by htmx): cancel "close the round", confirm an absence.
    watch.open(f"/kiem-tra/dot/{setup.round.pk}/lam-bai/")
    asked.clear()
    page.once("dialog", cancel)
    page.click("#close-round")
    page.wait_for_timeout(300)
    assert asked and asked[0].startswith("Kết thúc làm bài?")
    setup.round.refresh_from_db()
    assert setup.round.status == RoundStatus.OPEN
    page.once("dialog", lambda dialog: dialog.accept())
    submit(
        page,
        page.locator(f"tr[data-sitting='{on_paper.pk}']").get_by_role("button", name="Vắng mặt"),
    )
    on_paper.refresh_from_db()
    assert on_paper.status == SittingStatus.ABSENT
    watch.check()

    # Code slips, and their print button.
    watch.open(f"/kiem-tra/dot/{setup.round.pk}/ma-du-thi/")
    page.click("#issue-all button[type=submit]")
    page.wait_for_selector("text=In trang này")
    page.click("text=In trang này")
    assert page.evaluate("window.__printed") == 1
    watch.check()
    issued = online.code_digest
    online.refresh_from_db()
    assert online.code_digest != issued  # a new code, printed once on the slips

    # The site administration (Django's admin).
    make_user(username="quantri", is_staff=True, is_superuser=True)
    login(page, "quantri")
    watch.open("/quan-tri/")
    watch.open("/quan-tri/accounts/user/")

    assert len(watch.pages) >= 12
    assert not watch.problems, "\n".join(watch.problems)


def test_the_api_docs_run_swagger_ui_under_the_policy(browser_page: Page) -> None:
    """Swagger UI (served from the app, api/docs.py) builds its page without breaking the
    policy. Only violations count here: whether the schema it reads parses is the API's
    own matter (its tests)."""
    assert get_resolver().url_patterns
    page = browser_page
    watch = Watch(page)
    # The page reads the schema, built on its first request (seconds on a busy machine).
    with page.expect_response(lambda r: "openapi.json" in r.url, timeout=60_000):
        watch.open("/api/v1/docs")
    # Drawn: the operations' blocks (a CI run once drew them all without the icons' SVG
    # sprite this looked for before). Drawing 213 operations takes seconds on a busy machine.
    page.wait_for_selector(".swagger-ui .opblock", state="attached", timeout=30_000)
    watch.check()
    refused = [p for p in watch.problems if "Content Security Policy" in p or " blocked " in p]
    assert not refused, "\n".join(refused)


def test_the_watch_sees_a_refused_inline_script(browser_page: Page) -> None:
    """The check above waits for less than the network's silence: it still reads what the
    policy refused on the page (an inline script added by hand)."""
    page = browser_page
    watch = Watch(page)
    watch.open("/dang-nhap/")
    assert watch.problems == []
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__ran = 1'; document.body.append(s); }"
    )
    watch.check()
    assert page.evaluate("window.__ran") is None
    assert any("script-src" in problem for problem in watch.problems), watch.problems
