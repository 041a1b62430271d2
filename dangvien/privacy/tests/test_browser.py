"""Issue 9 in Chromium: a chi bộ secretary lists a candidate with the person's consent,
sees it on the candidate's page, records the person's access request, downloads the copy
of their data, answers the request; the notice is readable. Screenshots of each page."""

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from dangvien.accounts.models import Role
from dangvien.auditlog.models import AccessEvent
from dangvien.browser_steps import login, submit
from dangvien.candidates.models import Candidate
from dangvien.factories import tree_2025, user_with_role
from dangvien.privacy.models import Consent, RequestState, SubjectRequest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_consent_request_and_copy_of_the_data_in_the_browser(
    browser_page: Any, screenshot: Any, settings: Any
) -> None:
    settings.PERSONAL_DATA_CONSENT_REQUIRED = True
    settings.SECOND_FACTOR_REQUIRED = False
    # A transactional test starts from empty tables: put the shipped notice back.
    importlib.import_module("dangvien.privacy.migrations.0002_default_notice").seed(apps, None)
    page = browser_page
    errors: list[tuple[str, str]] = []
    page.on("console", lambda m: errors.append((page.url, m.text)) if m.type == "error" else None)
    page.set_default_timeout(30_000)  # a machine shared with other runs is slow to warm up
    page.goto("/dang-nhap/", timeout=90_000)
    tree = tree_2025()
    user_with_role(Role.BRANCH_SECRETARY, tree["village"], username="bithu")
    today = f"{timezone.localdate():%d/%m/%Y}"

    # Without the consent ticked, the page says what is missing.
    login(page, "bithu")
    page.goto("/quan-chung/them/")
    page.fill("#id_full_name", "Phạm Thu Hà")
    page.fill("#id_birth_date", "05/03/2001")
    page.fill("#id_citizen_id", "001301005555")
    submit(page, page.locator("button[type=submit]:has-text('Lưu')"))
    assert page.get_by_text("Chưa ghi nhận sự đồng ý xử lý dữ liệu cá nhân").first.is_visible()
    assert not Candidate.objects.exists()
    page.locator("#consent").scroll_into_view_if_needed()
    screenshot("new-candidate-consent-refused")

    # Ticked, with the day and the signed form: the candidate is listed.
    page.check("#id_consent")
    page.fill("#id_consent_given_on", today)
    page.check("input[name=consent_method][value=paper]")
    page.click("button[type=submit]:has-text('Lưu')")
    page.wait_for_url("**/quan-chung/*/")
    candidate = Candidate.objects.get()
    assert Consent.objects.get().person == candidate.person
    card = page.locator("#personal-data")
    assert card.get_by_text("Đã đồng ý").is_visible()
    card.scroll_into_view_if_needed()
    screenshot("candidate-consent-card")

    # The person asks for a copy of their data.
    card.get_by_role("link", name="Ghi nhận yêu cầu của người này về dữ liệu cá nhân").click()
    page.wait_for_url("**/yeu-cau/")
    page.select_option("#id_kind", "access")
    page.fill("#id_detail", "Xin bản sao hồ sơ của mình.")
    screenshot("request-new")
    page.click("button[type=submit]:has-text('Ghi nhận yêu cầu')")
    page.wait_for_url("**/du-lieu-ca-nhan/yeu-cau/*/")
    made = SubjectRequest.objects.get()
    assert page.locator("#request-state").inner_text() == "Đã tiếp nhận"
    screenshot("request-detail")

    with page.expect_download() as download:
        page.get_by_role("link", name="Tải bản đọc được (Excel)").click()
    assert download.value.suggested_filename.endswith("_bithu.xlsx")
    assert AccessEvent.objects.filter(kind="export", person=candidate.person).exists()

    submit(page, page.get_by_role("button", name="Nhận xử lý"))
    page.fill("#id_answer-answer", "Đã giao bản sao cho người yêu cầu.")
    submit(page, page.get_by_role("button", name="Ghi kết quả"))
    made.refresh_from_db()
    assert made.state == RequestState.DONE

    page.goto("/du-lieu-ca-nhan/?state=")
    assert page.locator("#requests").get_by_text("Phạm Thu Hà").is_visible()
    screenshot("requests")
    page.goto("/du-lieu-ca-nhan/thong-bao/")
    assert page.get_by_role(
        "heading", name="Thông báo về việc xử lý dữ liệu cá nhân"
    ).first.is_visible()
    screenshot("notice")
    # Nothing these pages add to what the login page (the shared base) already logs.
    base = {text for url, text in errors if url.endswith("/dang-nhap/")}
    added = [f"{url}: {text}" for url, text in errors if text not in base]
    assert added == [], "\n".join(added)
