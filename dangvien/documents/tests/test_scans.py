"""Signed scans: PDF or JPEG judged by content, size-limited, active PDF content refused,
JPEGs re-encoded, stored outside the web root (issue 8)."""

import io
import zlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dangvien.accounts.models import Role, User
from dangvien.candidates.models import Candidate, Introducer, Stage
from dangvien.core.errors import NotAllowed, NotEligible
from dangvien.core.models import RuleParameter
from dangvien.documents.actions.scans import active_content, delete_scan, upload_scan
from dangvien.documents.models import Scan
from dangvien.factories import make_candidate, make_member, user_with_role
from dangvien.organisations.models import Organisation

Tree = dict[str, Organisation]

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


def pdf_with(body: bytes) -> bytes:
    return b"%PDF-1.4\n" + body + b"\ntrailer <</Root 1 0 R>>\n%%EOF\n"


def jpeg(extra: bytes = b"") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue() + extra


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture(autouse=True)
def _uploads(settings: Any, tmp_path: Path) -> None:
    settings.UPLOADS_DIR = tmp_path


@pytest.fixture
def secretary(tree: Tree) -> User:
    return user_with_role(Role.BRANCH_SECRETARY, tree["village"])


@pytest.fixture
def candidate(tree: Tree) -> Candidate:
    return make_candidate(branch=tree["village"], stage=Stage.DOSSIER_OPEN)


def stored(scan: Scan, tmp_path: Path) -> bytes:
    return (tmp_path / "scans" / scan.stored_name).read_bytes()


def test_a_signed_pdf_is_kept_outside_the_web_root_under_a_random_name(
    candidate: Candidate, secretary: User, tmp_path: Path
) -> None:
    scan = upload_scan(candidate, "1-KNĐ", "", upload("Đơn xin vào Đảng.pdf", PDF), by=secretary)
    assert (scan.form, scan.content_type, scan.size) == ("1-KNĐ", "application/pdf", len(PDF))
    assert scan.original_name == "Đơn xin vào Đảng.pdf"
    assert scan.stored_name.endswith(".pdf") and "Đơn" not in scan.stored_name
    assert stored(scan, tmp_path) == PDF
    assert len(scan.sha256) == 64 and scan.by == secretary


def test_the_content_decides_not_the_name(candidate: Candidate, secretary: User) -> None:
    scan = upload_scan(candidate, "1-KNĐ", "", upload("scan.exe", PDF), by=secretary)
    assert scan.content_type == "application/pdf"
    png = io.BytesIO()
    Image.new("RGB", (5, 5)).save(png, "PNG")
    with pytest.raises(NotEligible, match="Chỉ nhận bản quét dạng PDF hoặc ảnh JPEG") as error:
        upload_scan(candidate, "1-KNĐ", "", upload("scan.pdf", png.getvalue()), by=secretary)
    assert error.value.field == "file"


def test_a_jpeg_is_encoded_again_so_anything_appended_is_dropped(
    candidate: Candidate, secretary: User, tmp_path: Path
) -> None:
    payload = b"<?php system($_GET['c']); ?>"
    scan = upload_scan(candidate, "2-KNĐ", "", upload("ly-lich.jpg", jpeg(payload)), by=secretary)
    kept = stored(scan, tmp_path)
    assert scan.content_type == "image/jpeg" and scan.stored_name.endswith(".jpg")
    assert payload not in kept
    with Image.open(io.BytesIO(kept)) as image:
        assert (image.format, image.size) == ("JPEG", (40, 30))


def test_a_broken_jpeg_is_refused(candidate: Candidate, secretary: User) -> None:
    with pytest.raises(NotEligible, match="JPEG bị hỏng"):
        upload_scan(
            candidate, "2-KNĐ", "", upload("x.jpg", b"\xff\xd8\xff\xe0garbage"), by=secretary
        )
    assert not Scan.objects.exists()


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (
            b"1 0 obj <</OpenAction 2 0 R>> endobj 2 0 obj <</S /JavaScript /JS (app.alert(1))>>",
            "JavaScript",
        ),
        (b"1 0 obj <</S /J#61vaScript /J#53 (x)>> endobj", "JavaScript"),
        (b"1 0 obj <</S /Launch /F (cmd.exe)>> endobj", "/Launch"),
        (b"1 0 obj <</Names <</EmbeddedFiles 2 0 R>>>> endobj", "tệp đính kèm"),
    ],
)
def test_a_pdf_with_active_content_is_refused_saying_what(
    candidate: Candidate, secretary: User, tmp_path: Path, body: bytes, said: str
) -> None:
    with pytest.raises(NotEligible, match="có thể tự chạy khi mở") as error:
        upload_scan(candidate, "1-KNĐ", "", upload("don.pdf", pdf_with(body)), by=secretary)
    assert said in str(error.value)
    assert not Scan.objects.exists()
    assert not any((tmp_path / "scans").glob("*"))  # nothing left behind


def test_javascript_hidden_in_a_compressed_object_stream_is_found() -> None:
    hidden = zlib.compress(b"<</S /JavaScript /JS (app.alert(1))>>")
    data = pdf_with(
        b"5 0 obj <</Type /ObjStm /Filter /FlateDecode>> stream\n" + hidden + b"\nendstream endobj"
    )
    assert "JavaScript" in active_content(data)
    assert active_content(PDF) == []


def test_a_pdf_of_many_small_inflation_bombs_is_refused_quickly() -> None:
    import time

    bomb = zlib.compress(b"\0" * (8 * 1024 * 1024), 9)  # about 8 KB that inflate to 8 MB
    body = b"".join(
        b"%d 0 obj <</Filter /FlateDecode>> stream\n" % n + bomb + b"\nendstream endobj\n"
        for n in range(1, 201)
    )
    began = time.monotonic()
    with pytest.raises(NotEligible, match="quá phức tạp để kiểm tra an toàn"):
        active_content(pdf_with(body))
    assert time.monotonic() - began < 5


def test_javascript_hidden_behind_an_ascii_hex_layer_is_refused(
    candidate: Candidate, secretary: User
) -> None:
    hidden = zlib.compress(b"<</S /JavaScript /JS (app.alert(1))>>").hex().encode() + b">"
    data = pdf_with(
        b"5 0 obj <</Type /ObjStm /Filter [/ASCIIHexDecode /FlateDecode]>> stream\n"
        + hidden
        + b"\nendstream endobj"
    )
    assert "JavaScript" in active_content(data)
    with pytest.raises(NotEligible, match="có thể tự chạy khi mở"):
        upload_scan(candidate, "1-KNĐ", "", upload("don.pdf", data), by=secretary)


def test_javascript_hidden_behind_an_ascii85_layer_is_found() -> None:
    import base64

    hidden = base64.a85encode(zlib.compress(b"<</S /JavaScript /JS (x)>>")) + b"~>"
    data = pdf_with(
        b"5 0 obj <</Type /ObjStm /Filter [/A85 /Fl]>> stream\n" + hidden + b"\nendstream endobj"
    )
    assert "JavaScript" in active_content(data)


def test_a_stream_with_a_filter_the_check_cannot_undo_is_refused() -> None:
    data = pdf_with(b"5 0 obj <</Type /ObjStm /Filter /LZWDecode>> stream\nxyz\nendstream endobj")
    with pytest.raises(NotEligible, match="bộ lọc không hỗ trợ"):
        active_content(data)


def test_a_flate_picture_is_not_inflated_nor_counted() -> None:
    picture = zlib.compress(b"\0" * (80 * 1024 * 1024), 9)
    data = pdf_with(
        b"5 0 obj <</Type /XObject /Subtype /Image /Width 10 /Height 10 /Filter /FlateDecode>>"
        b" stream\n" + picture + b"\nendstream endobj"
    )
    assert active_content(data) == []


def test_an_open_action_without_a_script_is_harmless() -> None:
    assert active_content(pdf_with(b"1 0 obj <</OpenAction [3 0 R /Fit]>> endobj")) == []


def test_a_truncated_pdf_is_refused(candidate: Candidate, secretary: User) -> None:
    with pytest.raises(NotEligible, match="không đầy đủ"):
        upload_scan(candidate, "1-KNĐ", "", upload("x.pdf", b"%PDF-1.4\n1 0 obj"), by=secretary)


def test_a_scan_larger_than_the_rule_allows_is_refused(
    tree: Tree, candidate: Candidate, secretary: User
) -> None:
    RuleParameter.objects.create(
        key="documents.scan_max_mb",
        value=1,
        effective_from=date(2020, 1, 1),
        organisation=tree["province"],
        source="Thử",
    )
    big = PDF[:-7] + b"%" + b"0" * (1024 * 1024) + b"\n%%EOF\n"
    with pytest.raises(NotEligible, match="Tệp quá lớn: tối đa 1 MB") as error:
        upload_scan(candidate, "1-KNĐ", "", upload("big.pdf", big), by=secretary)
    assert error.value.field == "file"


def test_an_empty_file_is_refused(candidate: Candidate, secretary: User) -> None:
    with pytest.raises(NotEligible, match="Tệp rỗng"):
        upload_scan(candidate, "1-KNĐ", "", upload("x.pdf", b""), by=secretary)


def test_a_form_outside_the_subjects_dossier_is_refused(
    candidate: Candidate, secretary: User
) -> None:
    with pytest.raises(NotEligible, match="Không có mẫu “10-KNĐ”") as error:
        upload_scan(candidate, "10-KNĐ", "", upload("x.pdf", PDF), by=secretary)
    assert error.value.field == "form"
    with pytest.raises(NotEligible, match="không áp dụng"):
        upload_scan(candidate, "8-KNĐ", "", upload("x.pdf", PDF), by=secretary)


def test_a_per_introducer_scan_names_its_introducer(
    tree: Tree, candidate: Candidate, secretary: User
) -> None:
    introducer = Introducer.objects.create(
        candidate=candidate,
        member=make_member(branch=tree["village"]),
        known_since=date(2024, 1, 1),
    )
    scan = upload_scan(
        candidate, "3-KNĐ", f"introducer:{introducer.pk}", upload("gt.pdf", PDF), by=secretary
    )
    assert scan.item == f"introducer:{introducer.pk}"
    with pytest.raises(NotEligible, match="Chọn văn bản nào") as error:
        upload_scan(candidate, "3-KNĐ", "", upload("gt.pdf", PDF), by=secretary)
    assert error.value.field == "item"


def test_a_leader_and_an_outsider_may_not_upload(tree: Tree, candidate: Candidate) -> None:
    for user in (
        user_with_role(Role.LEADER, tree["province"]),
        user_with_role(Role.BRANCH_SECRETARY, tree["other_branch"]),
    ):
        with pytest.raises(NotAllowed, match="không được tải bản quét"):
            upload_scan(candidate, "1-KNĐ", "", upload("x.pdf", PDF), by=user)
    assert not Scan.objects.exists()


def test_the_deciding_committee_may_upload_to_a_branch_below(
    tree: Tree, candidate: Candidate
) -> None:
    board = user_with_role(Role.BOARD_STAFF, tree["commune"])
    assert upload_scan(candidate, "9-KNĐ", "", upload("qd.pdf", PDF), by=board).pk


def test_deleting_a_scan_removes_its_row_and_then_its_file(
    candidate: Candidate,
    secretary: User,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    scan = upload_scan(candidate, "1-KNĐ", "", upload("x.pdf", PDF), by=secretary)
    path = tmp_path / "scans" / scan.stored_name
    with django_capture_on_commit_callbacks(execute=True):
        delete_scan(scan, by=secretary)
    assert not Scan.objects.exists()
    assert not path.exists()


def test_a_leader_may_not_delete_a_scan(tree: Tree, candidate: Candidate, secretary: User) -> None:
    scan = upload_scan(candidate, "1-KNĐ", "", upload("x.pdf", PDF), by=secretary)
    with pytest.raises(NotAllowed, match="không được xóa"):
        delete_scan(scan, by=user_with_role(Role.LEADER, tree["province"]))
    assert Scan.objects.filter(pk=scan.pk).exists()
