"""Issue 9 in Chromium: an auditor opens the change log, filters it to one table and
reads the before/after of a change; then the access log, and narrows it to one person by
clicking the name."""

import pytest

from dangvien.accounts.models import Role
from dangvien.auditlog.actions import verify_logs
from dangvien.browser_steps import login
from dangvien.core import audit
from dangvien.factories import make_person, make_user, tree_2025, user_with_role
from dangvien.people.models import Person

from .helpers import view

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_auditor_reads_both_logs(browser_page, screenshot) -> None:
    page = browser_page
    tree = tree_2025()
    user_with_role(Role.AUDITOR, tree["commune"], username="kiemtra")
    staff = user_with_role(
        Role.BRANCH_SECRETARY, tree["village"], username="bithu", display_name="Lê Thị Hoa"
    )
    reader = make_user(username="canbo.xa", display_name="Trần Văn Bình")
    with audit.acting_as(staff):
        person = make_person(
            family_name="Nguyễn", middle_name="Văn", given_name="An", occupation="Nông dân"
        )
        Person.objects.filter(pk=person.pk).update(occupation="Giáo viên", phone="0912345678")
        other = make_person(family_name="Đỗ", middle_name="Thị", given_name="Bích")
    view(reader, tree["village"], person=person)
    view(reader, tree["village"], person=other, kind="download")
    view(staff, tree["village"], person=person, kind="export", rows=25)
    verify_logs()

    # The first request imports every URL module (seconds on a busy machine): not in the
    # 10 s allowed to each step.
    page.goto("/dang-nhap/", timeout=120_000)
    login(page, "kiemtra")
    page.goto("/giam-sat/")
    box = page.locator("#chains")
    assert "Chuỗi băm toàn vẹn đến bản ghi" in box.inner_text()
    page.select_option("select[name=table]", "people_person")
    page.select_option("select[name=op]", "U")
    page.fill("input[name=row]", str(person.pk))
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**table=people_person**")
    row = page.locator("#events tbody > tr").first
    assert "Lê Thị Hoa" in row.inner_text()
    assert "Giáo viên" in row.locator("td.after").first.inner_text()  # field order
    assert "0912345678" in row.inner_text()
    screenshot("nhat-ky-thay-doi")

    page.click("nav.audit-tabs >> text=Nhật ký truy cập")
    page.wait_for_url("**/giam-sat/truy-cap/")
    assert page.locator("#accesses tbody tr").count() == 3
    page.click("#accesses >> text=Nguyễn Văn An")
    page.wait_for_url(f"**person={person.pk}**")
    assert page.locator("#accesses tbody tr").count() == 2
    screenshot("nhat-ky-truy-cap")
