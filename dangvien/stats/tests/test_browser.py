"""Issue 6 in Chromium: the province sets a commune's target, the commune's committee
records an admission decision, and the commune's dashboard shows the percentage change."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dangvien.accounts.models import Role
from dangvien.browser_steps import login, move, submit
from dangvien.candidates.models import Stage
from dangvien.factories import make_candidate, tree_2025, user_with_role

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _kpi(page, label: str) -> str:
    return page.locator(".dash-kpis .stat", has_text=label).locator(".n").inner_text().strip()


def test_a_target_set_and_an_admission_recorded_move_the_dashboard_percentage(
    browser_page, screenshot
) -> None:
    page = browser_page
    tree = tree_2025()
    commune = tree["commune"]
    user_with_role(Role.BOARD_STAFF, tree["province"], username="bantinh")
    today = timezone.localdate()
    candidate = make_candidate(branch=tree["village"], stage=Stage.BRANCH_PROPOSED)
    login(page, "bantinh")

    # The province gives the commune a target of 8.
    page.goto(f"/thong-ke/{tree['province'].pk}/chi-tieu/?year={today.year}")
    page.get_by_label(f"Chỉ tiêu của {commune.name}").fill("8")
    submit(page, page.get_by_role("button", name="Lưu chỉ tiêu các tổ chức trực thuộc"))
    screenshot("targets")

    page.goto(f"/thong-ke/{commune.pk}/?year={today.year}")
    assert _kpi(page, "Chỉ tiêu") == "8"
    assert _kpi(page, "Đã kết nạp") == "0"
    assert _kpi(page, "Tỷ lệ") == "0,0%"

    # The commune's standing committee decides to admit the candidate.
    page.goto(f"/quan-chung/{candidate.pk}/")
    move(
        page,
        "decide-admission",
        {
            "admitted": "1",
            "decision_no": "QĐ-15",
            "decided_on": (today - timedelta(days=0)).strftime("%d/%m/%Y"),
        },
    )
    candidate.refresh_from_db()
    assert candidate.stage == Stage.ADMITTED

    page.goto(f"/thong-ke/{commune.pk}/?year={today.year}")
    assert _kpi(page, "Đã kết nạp") == "1"
    assert _kpi(page, "Tỷ lệ") == "12,5%"
    screenshot("dashboard")

    # The person behind the number is one click away.
    page.locator(".dash-kpis .stat", has_text="Đã kết nạp").locator("a").click()
    assert page.get_by_role("link", name=candidate.person.full_name).is_visible()
