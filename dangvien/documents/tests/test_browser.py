"""Issue 8 in Chromium: a chi bộ secretary opens a candidate's dossier, numbers the chi
bộ's report and uploads a signed scan; the commune staff sees the register; the province
board opens the form templates; members are imported from a CSV with a dry run that
shows a row's error, then the corrected file is committed."""

from pathlib import Path
from typing import Any

import pytest

from dangvien.accounts.models import Role
from dangvien.browser_steps import login, submit
from dangvien.candidates.models import Stage
from dangvien.documents.models import IssuedDocument, Scan
from dangvien.documents.tests.helpers import branch_vote
from dangvien.factories import make_candidate, tree_2025, user_with_role
from dangvien.imports.tests.helpers import MEMBER_HEADER, member_row
from dangvien.members.models import Member

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


def _csv(path: Path, rows: list[list[str]]) -> Path:
    lines = [";".join(MEMBER_HEADER), *(";".join(row) for row in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def test_dossier_register_templates_and_an_import_in_the_browser(
    browser_page: Any, screenshot: Any, settings: Any, tmp_path: Path
) -> None:
    settings.UPLOADS_DIR = tmp_path / "uploads"
    page = browser_page
    tree = tree_2025()
    branch, commune, province = tree["village"], tree["commune"], tree["province"]
    candidate = make_candidate(branch=branch, stage=Stage.BRANCH_PROPOSED)
    branch_vote(candidate)
    user_with_role(Role.BRANCH_SECRETARY, branch, username="bithu")
    user_with_role(Role.GRASSROOTS_STAFF, commune, username="canboxa")
    user_with_role(Role.BOARD_STAFF, province, username="bantinh")

    # The secretary opens the dossier from the candidate's page.
    login(page, "bithu")
    page.goto(f"/quan-chung/{candidate.pk}/")
    page.get_by_role("link", name="Hồ sơ, văn bản").first.click()
    page.wait_for_url(f"**/van-ban/quan-chung/{candidate.pk}/")
    assert page.get_by_text("Nghị quyết đề nghị kết nạp đảng viên").first.is_visible()
    screenshot("dossier")

    # The chi bộ's report (5-KNĐ) gets its number from the chi bộ's register.
    row = page.locator("tr", has_text="5-KNĐ").first
    submit(page, row.get_by_role("button", name="Cấp số"))
    issued = IssuedDocument.objects.get(candidate=candidate, form="5-KNĐ")
    assert page.get_by_text(issued.number_text).first.is_visible()

    # The signed application is uploaded as a PDF scan.
    scan_file = tmp_path / "don-xin-vao-dang.pdf"
    scan_file.write_bytes(PDF)
    row = page.locator("tr", has_text="1-KNĐ").first
    row.locator("input[type=file]").set_input_files(str(scan_file))
    submit(page, row.get_by_role("button", name="Tải lên"))
    assert Scan.objects.filter(candidate=candidate, form="1-KNĐ").exists()
    screenshot("dossier-numbered-and-scanned")

    # The commune's staff sees the register of outgoing documents, and the card where
    # the commune sets how it signs them.
    login(page, "canboxa")
    page.goto(f"/to-chuc/{commune.pk}/")
    assert page.get_by_role("heading", name="Thể thức văn bản").is_visible()
    screenshot("organisation-signing")
    page.goto("/van-ban/so-van-ban/")
    assert page.get_by_text(issued.number_text).first.is_visible()
    screenshot("register")

    # The province board opens the templates and one form's page.
    login(page, "bantinh")
    page.goto("/van-ban/mau/")
    assert page.get_by_text("Quyết định kết nạp đảng viên").first.is_visible()
    screenshot("templates")
    page.goto("/van-ban/mau/9-KND/")
    screenshot("template-9-KND")

    # Members from a CSV: the dry run shows the bad date, the fixed file goes in.
    login(page, "canboxa")
    page.goto("/nhap-du-lieu/")
    screenshot("imports")
    bad = _csv(
        tmp_path / "dang-vien.csv",
        [
            member_row(1, branch=branch.name),
            member_row(2, branch=branch.name, birth="31/02/1980"),
        ],
    )
    page.get_by_label("Loại dữ liệu").select_option("members")
    page.get_by_label("Nhập vào tổ chức").select_option(str(commune.pk))
    page.get_by_label("Tệp dữ liệu (.xlsx hoặc .csv, tối đa 50 MB)").set_input_files(str(bad))
    submit(page, page.get_by_role("button", name="Tải lên"))
    screenshot("import-mapping")
    submit(page, page.get_by_role("button", name="Chạy thử (kiểm tra từng dòng)"))
    assert page.get_by_text("31/02/1980").first.is_visible()
    assert not page.get_by_role("button", name="Ghi vào hệ thống").count()
    screenshot("import-dry-run-errors")

    good = _csv(
        tmp_path / "dang-vien-da-sua.csv",
        [member_row(1, branch=branch.name), member_row(2, branch=branch.name)],
    )
    page.goto("/nhap-du-lieu/")
    page.get_by_label("Loại dữ liệu").select_option("members")
    page.get_by_label("Nhập vào tổ chức").select_option(str(commune.pk))
    page.get_by_label("Tệp dữ liệu (.xlsx hoặc .csv, tối đa 50 MB)").set_input_files(str(good))
    submit(page, page.get_by_role("button", name="Tải lên"))
    submit(page, page.get_by_role("button", name="Chạy thử (kiểm tra từng dòng)"))
    submit(page, page.get_by_role("button", name="Ghi vào hệ thống"))
    assert Member.objects.filter(branch=branch).count() == 2
    screenshot("import-done")
