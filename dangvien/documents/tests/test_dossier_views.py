"""The dossier pages: wiring, scope (404 outside), permissions and the refusals shown on
the page (issue 8)."""

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dangvien.accounts.models import Role, User
from dangvien.candidates.models import Candidate, Stage
from dangvien.documents.models import IssuedDocument, Scan
from dangvien.documents.tests.helpers import branch_vote
from dangvien.factories import make_candidate, make_member, user_with_role
from dangvien.members.models import Status
from dangvien.organisations.models import Organisation

Tree = dict[str, Organisation]
PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _uploads(settings: Any, tmp_path: Path) -> None:
    settings.UPLOADS_DIR = tmp_path


@pytest.fixture
def candidate(tree: Tree) -> Candidate:
    candidate = make_candidate(branch=tree["village"], stage=Stage.BRANCH_PROPOSED)
    branch_vote(candidate)
    return candidate


def as_user(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def page(candidate: Candidate) -> str:
    return f"/van-ban/quan-chung/{candidate.pk}/"


def test_the_dossier_page_shows_each_document_and_what_is_missing(
    client: Client, tree: Tree, candidate: Candidate
) -> None:
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    answer = as_user(client, secretary).get(page(candidate))
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "Còn thiếu cho bước tiếp theo: cấp ủy quyết định kết nạp" in html
    assert "6-KNĐ (Nghị quyết đề nghị kết nạp đảng viên)" in html
    assert "Có thể lập" in html and "05-NQ/CB" in html
    assert "Chưa đủ dữ liệu: Chưa ghi giấy chứng nhận" in html
    assert "Không áp dụng" in html  # 7-KNĐ, 8-KNĐ under a commune
    assert "Tải cả hồ sơ (ZIP" in html
    assert f"/van-ban/quan-chung/{candidate.pk}/mau/6-KND/?format=docx" in html
    # The chi bộ numbers its own report; the decision's number is the committee's.
    assert f"/van-ban/quan-chung/{candidate.pk}/mau/5-KND/cap-so/" in html
    assert f"/van-ban/quan-chung/{candidate.pk}/mau/9-KND/cap-so/" not in html


def test_the_candidate_page_links_to_the_dossier(
    client: Client, tree: Tree, candidate: Candidate
) -> None:
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    html = as_user(client, secretary).get(f"/quan-chung/{candidate.pk}/").content.decode()
    assert f'href="/van-ban/quan-chung/{candidate.pk}/"' in html and "Hồ sơ, văn bản" in html


def test_everything_outside_the_subtree_is_not_found(
    client: Client, tree: Tree, candidate: Candidate
) -> None:
    scan_id = Scan.objects.create(
        candidate=candidate,
        form="6-KNĐ",
        original_name="x.pdf",
        stored_name="abc.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
    ).pk
    outsider = as_user(client, user_with_role(Role.BRANCH_SECRETARY, tree["other_branch"]))
    base = page(candidate)
    for path in (
        base,
        f"{base}mau/6-KND/?format=pdf",
        f"{base}ho-so.zip",
        f"/van-ban/ban-quet/{scan_id}/",
    ):
        assert outsider.get(path).status_code == 404, path
    for path in (
        f"{base}mau/9-KND/cap-so/",
        f"{base}mau/6-KND/ban-quet/",
        f"/van-ban/ban-quet/{scan_id}/xoa/",
    ):
        assert outsider.post(path).status_code == 404, path


def test_a_document_downloads_and_a_bad_format_or_missing_data_is_explained(
    client: Client, tree: Tree, candidate: Candidate
) -> None:
    viewer = as_user(client, user_with_role(Role.LEADER, tree["province"]))
    pdf = viewer.get(f"{page(candidate)}mau/6-KND/?format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf["Content-Disposition"].startswith("attachment;")
    assert viewer.get(f"{page(candidate)}mau/6-KND/?format=odt").status_code == 400
    missing = viewer.get(f"{page(candidate)}mau/CN-NTVD/?format=pdf")
    assert missing.status_code == 409
    assert "Chưa ghi giấy chứng nhận" in missing.content.decode()
    assert viewer.get(f"{page(candidate)}mau/13-KND/?format=pdf").status_code == 404


def test_the_committee_takes_the_decisions_number_from_the_page(
    client: Client, tree: Tree, candidate: Candidate
) -> None:
    board = as_user(client, user_with_role(Role.BOARD_STAFF, tree["commune"]))
    assert "Cấp số" in board.get(page(candidate)).content.decode()
    answer = board.post(f"{page(candidate)}mau/9-KND/cap-so/", follow=True)
    assert answer.status_code == 200
    assert "9-KNĐ: đã cấp số 01-QĐ/ĐU." in answer.content.decode()
    assert IssuedDocument.objects.get().number_text == "01-QĐ/ĐU"


def test_a_secretary_posting_the_decisions_number_is_refused_with_403(
    client: Client, tree: Tree, candidate: Candidate
) -> None:
    secretary = as_user(client, user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    answer = secretary.post(f"{page(candidate)}mau/9-KND/cap-so/")
    assert answer.status_code == 403
    assert "không được cấp số" in answer.content.decode()
    assert not IssuedDocument.objects.exists()


def test_a_scan_uploads_from_the_page_and_a_bad_one_is_refused_with_the_reason(
    client: Client, tree: Tree, candidate: Candidate
) -> None:
    secretary = as_user(client, user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    url = f"{page(candidate)}mau/6-KND/ban-quet/"
    bad = secretary.post(url, {"file": SimpleUploadedFile("nq.pdf", b"GIF89a")})
    assert bad.status_code == 409
    assert "Chỉ nhận bản quét dạng PDF hoặc ảnh JPEG" in bad.content.decode()
    assert secretary.post(url, {}).status_code == 400
    good = secretary.post(url, {"file": SimpleUploadedFile("Nghị quyết.pdf", PDF)}, follow=True)
    assert "đã lưu bản quét “Nghị quyết.pdf”" in good.content.decode()
    scan = Scan.objects.get()
    served = secretary.get(f"/van-ban/ban-quet/{scan.pk}/")
    assert served.status_code == 200 and served.content == PDF
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"] == "sandbox"
    assert served["Content-Disposition"].startswith('attachment; filename="Nghi-quyet.pdf"')
    deleted = secretary.post(f"/van-ban/ban-quet/{scan.pk}/xoa/", follow=True)
    assert "Đã xóa bản quét" in deleted.content.decode()
    assert not Scan.objects.exists()


def test_a_leader_sees_the_dossier_without_upload_forms(
    client: Client, tree: Tree, candidate: Candidate
) -> None:
    leader = as_user(client, user_with_role(Role.LEADER, tree["province"]))
    html = leader.get(page(candidate)).content.decode()
    assert 'type="file"' not in html
    refused = leader.post(
        f"{page(candidate)}mau/6-KND/ban-quet/", {"file": SimpleUploadedFile("x.pdf", PDF)}
    )
    assert refused.status_code == 403


def test_the_zip_of_the_dossier_downloads(client: Client, tree: Tree, candidate: Candidate) -> None:
    viewer = as_user(client, user_with_role(Role.LEADER, tree["province"]))
    answer = viewer.get(f"{page(candidate)}ho-so.zip?format=docx")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/zip"
    assert 'filename="Ho-so-ket-nap_Nguyen-Van-' in answer["Content-Disposition"]


def test_a_members_page_shows_the_recognition_dossier(client: Client, tree: Tree) -> None:
    member = make_member(
        branch=tree["village"],
        status=Status.PROBATIONARY,
        admitted_on=date(2025, 3, 1),
        probation_started_on=date(2025, 3, 20),
        official_on=None,
    )
    secretary = as_user(client, user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    html = secretary.get(f"/van-ban/dang-vien/{member.pk}/").content.decode()
    assert "Hồ sơ công nhận đảng viên chính thức" in html
    assert "chi bộ xét công nhận đảng viên chính thức" in html
    detail = secretary.get(f"/dang-vien/{member.pk}/").content.decode()
    assert f'href="/van-ban/dang-vien/{member.pk}/"' in detail
