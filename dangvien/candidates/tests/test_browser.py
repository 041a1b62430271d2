"""One candidate walked from creation to the ceremony through the pages, in Chromium."""

from datetime import date

import pytest

from dangvien.accounts.models import Role
from dangvien.browser_steps import login, move
from dangvien.candidates.models import Candidate, Stage
from dangvien.factories import make_member, tree_2025, user_with_role
from dangvien.members.models import Member, Status

# serialized_rollback: the flush after a transactional test would also wipe the rows seeded
# by data migrations (parent rules), which later tests and a reused database need.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _stage(page) -> str:
    return page.locator("#stage-badge").get_attribute("data-stage")


def test_a_secretary_and_the_commune_take_a_candidate_from_creation_to_ceremony(
    browser_page, screenshot
):
    page = browser_page
    tree = tree_2025()
    village = tree["village"]
    members = [make_member(branch=village) for _ in range(9)]
    secretary = user_with_role(Role.BRANCH_SECRETARY, village, username="bithu")
    user_with_role(Role.BOARD_STAFF, tree["commune"], username="bantochuc")
    assert secretary.pk

    login(page, "bithu")
    screenshot("home")
    page.goto("/quan-chung/them/")
    page.fill("#id_full_name", "Lê  Hoàng   Yến")
    page.fill("#id_birth_date", "12/09/1999")
    page.select_option("#id_sex", "female")
    page.fill("#id_citizen_id", "001199012345")
    page.select_option("#id_education_level", "university")
    screenshot("new-candidate")
    page.click("form.card button[type=submit]")
    page.wait_for_selector("#stage-badge")
    candidate = Candidate.objects.get(person__citizen_id="001199012345")
    assert candidate.person.full_name == "Lê Hoàng Yến"  # spaces squeezed, NFC
    assert candidate.person.birth_date == date(1999, 9, 12)  # typed as dd/mm/yyyy

    move(page, "certify", {"certificate_no": "", "issued_on": "01/02/2026"})
    assert "bắt buộc" in page.locator("details[data-move='certify']").inner_text()
    move(page, "certify", {"certificate_no": "CN-123", "issued_on": "01/02/2026"})
    assert _stage(page) == Stage.CERTIFIED

    move(page, "open-dossier", {"application_on": "10/03/2026", "declaration_on": "05/03/2026"})
    assert "Đơn xin vào Đảng phải làm trước" in page.inner_text("#candidate-body")
    assert _stage(page) == Stage.CERTIFIED
    move(page, "open-dossier", {"application_on": "01/03/2026", "declaration_on": "05/03/2026"})
    move(page, "record-background-check", {"completed_on": "10/06/2026", "outcome": "clear"})
    assert _stage(page) == Stage.BACKGROUND_CHECKED
    for member in members[:2]:
        move(page, "introducers", {"member": str(member.pk), "known_since": "01/01/2020"})
    screenshot("ready-for-vote")

    move(
        page,
        "record-branch-vote",
        {"held_on": "15/07/2026", "in_favour": "5", "against": "4", "resolution_no": "NQ-01"},
    )
    assert _stage(page) == Stage.BACKGROUND_CHECKED  # 5/9 is short of 2/3: recorded only
    assert "chưa đạt 2/3" in page.inner_text("#candidate-body")
    move(
        page,
        "record-branch-vote",
        {"held_on": "16/07/2026", "in_favour": "6", "against": "3", "resolution_no": "NQ-02"},
    )
    assert _stage(page) == Stage.BRANCH_PROPOSED  # 6/9 is exactly 2/3
    assert page.locator("details[data-move='decide-admission']").count() == 0  # not hers

    login(page, "bantochuc")
    page.goto(f"/quan-chung/{candidate.pk}/")
    move(
        page,
        "decide-admission",
        {"admitted": "1", "decision_no": "QĐ-77", "decided_on": "20/08/2026"},
    )
    assert _stage(page) == Stage.ADMITTED
    screenshot("admitted")

    login(page, "bithu")
    page.goto(f"/quan-chung/{candidate.pk}/")
    move(page, "hold-ceremony", {"held_on": "01/09/2026"})
    assert _stage(page) == Stage.MEMBER
    screenshot("member")
    member = Member.objects.get(person=candidate.person)
    assert member.status == Status.PROBATIONARY
    assert member.probation_started_on == date(2026, 9, 1)
    assert member.admitted_on == date(2026, 8, 20)
    page.click("text=Xem hồ sơ đảng viên")
    page.wait_for_selector("text=Hết thời gian dự bị")
    screenshot("member-detail")
