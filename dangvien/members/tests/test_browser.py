"""A probationary member taken to recognition through the pages, in Chromium: the
secretary assigns the mentor, records the new-member course and the chi bộ's vote; the
commune's board decides; the member is official from the end of the 12 months
(Charter Art. 5; 294-QĐ/TW §4.2)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from dangvien.accounts.models import Role
from dangvien.browser_steps import login, move, settle
from dangvien.core.dates import add_months
from dangvien.factories import make_member, make_person, tree_2025, user_with_role
from dangvien.members.actions import add_probationary_member
from dangvien.members.models import Status

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_probationary_member_is_recognised_through_the_pages(browser_page, screenshot):
    page = browser_page
    today = timezone.localdate()
    tree = tree_2025()
    village = tree["village"]
    officials = [make_member(branch=village, official_on=date(2010, 1, 1)) for _ in range(6)]
    user_with_role(Role.BRANCH_SECRETARY, village, username="bithu")
    user_with_role(Role.BOARD_STAFF, tree["commune"], username="bantochuc")
    ceremony = add_months(today, -12) - timedelta(days=3)
    person = make_person()
    member = add_probationary_member(
        person,
        branch=village,
        admitted_on=ceremony - timedelta(days=10),
        decision_no="12-QĐ/ĐU",
        ceremony_on=ceremony,
        by=None,
    )
    ends = member.probation_ends_on
    day = f"{today:%d/%m/%Y}"

    login(page, "bithu")
    page.goto("/dang-vien/du-bi/")
    page.get_by_role("link", name=person.full_name).click()
    move(page, "assign-mentor", {"mentor_id": str(officials[0].pk), "from_on": day})
    assert "Phân công đảng viên giúp đỡ" in page.locator("#timeline").inner_text()
    move(
        page,
        "record-recognition-vote",
        {"held_on": day, "in_favour": "5", "against": "1", "resolution_no": "07-NQ/CB"},
    )
    # Without the new-member course the committee may not recognise: record it first.
    move(page, "record-new-member-course", {"certificate_no": "CN-88", "issued_on": day})
    screenshot("secretary-after-vote")

    login(page, "bantochuc")
    page.goto(f"/dang-vien/{member.pk}/")
    move(
        page,
        "decide-recognition",
        {"recognised": "1", "decision_no": "30-QĐ/ĐU", "decided_on": day},
    )
    screenshot("member-recognised")
    assert page.locator("#status-badge").get_attribute("data-status") == Status.OFFICIAL
    member.refresh_from_db()
    assert member.official_on == ends  # the end of the 12 months, not the decision day
    assert f"{ends:%d/%m/%Y}" in page.locator("#member-body").inner_text()

    for path, title in [
        ("/dang-vien/du-bi/bao-cao/", "Báo cáo"),
        ("/dang-vien/sinh-hoat/", "Sinh hoạt chi bộ"),
        ("/dang-vien/dang-phi/", "Đảng phí"),
        ("/dang-vien/chuyen-sinh-hoat/", "Chuyển sinh hoạt"),
        ("/dang-vien/huy-hieu/", "Huy hiệu"),
        ("/dang-vien/ra-khoi-dang/", "Ra khỏi Đảng"),
    ]:
        answer = page.goto(path)
        assert answer is not None and answer.status == 200, path
        assert title.lower() in page.locator("main").inner_text().lower(), path


def test_a_transfer_destination_is_found_by_typing_its_name(browser_page, screenshot):
    """The destination chi bộ is searched (any chi bộ of the country), not picked from a
    list of all of them (issue 9), and the choice is sent with the form."""
    from dangvien.members.models import Transfer

    page = browser_page
    tree = tree_2025()
    member = make_member(branch=tree["village"])
    user_with_role(Role.BRANCH_SECRETARY, tree["village"], username="bithu")
    day = f"{timezone.localdate():%d/%m/%Y}"
    destination = tree["school_branch"]

    login(page, "bithu")
    page.goto(f"/dang-vien/{member.pk}/")
    panel = page.locator("details[data-move='start-transfer']")
    panel.locator("summary").click()
    panel.locator("input[name='to_organisation__tim']").fill(destination.name)
    option = panel.locator(f"input[name='to_organisation'][value='{destination.pk}']")
    option.wait_for()
    option.check()
    screenshot("transfer-destination-found")
    panel.locator("[name='letter_no']").fill("15-GT/ĐU")
    panel.locator("[name='issued_on']").fill(day)
    panel.locator("[name='cause_on']").fill(day)
    with page.expect_response(lambda r: "/start-transfer/" in r.url):
        panel.locator("button[type=submit]").click()
    settle(page)
    assert Transfer.objects.get(member=member).to_organisation == destination
