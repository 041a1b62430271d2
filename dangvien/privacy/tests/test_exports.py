"""Every export and downloaded document is logged and watermarked with the user and the
time (issue 9): one test per format (XLSX, CSV, PDF, DOCX), the access-log row of a list
export, of a document download and of a dossier ZIP."""

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, RequestFactory
from docx import Document
from openpyxl import load_workbook

from dangvien.accounts.models import Role
from dangvien.api.tests.conftest import Api
from dangvien.auditlog.models import AccessEvent
from dangvien.candidates.models import Candidate, Stage
from dangvien.core import listexport
from dangvien.core.listexport import Column
from dangvien.core.tests.exportread import csv_rows
from dangvien.documents.render import current_watermark, render_blocks, watermarked
from dangvien.documents.render.markup import Block
from dangvien.documents.tests.helpers import branch_vote
from dangvien.factories import make_candidate, make_user, user_with_role

STAMP = re.compile(r"^Trích xuất bởi Trần Văn Bí \(xuat\.an\) lúc \d\d/\d\d/\d{4} \d\d:\d\d$")


@pytest.fixture(autouse=True)
def _settings(settings: Any, tmp_path: Path) -> None:
    settings.SECOND_FACTOR_REQUIRED = False
    settings.UPLOADS_DIR = tmp_path


@pytest.fixture
def secretary(tree: Any) -> Any:
    return user_with_role(
        Role.BRANCH_SECRETARY, tree["village"], username="xuat.an", display_name="Trần Văn Bí"
    )


ROWS = [{"name": "Nguyễn Thị Ánh Tuyết", "n": 1}, {"name": "Lê Văn Tám", "n": 2}]
COLUMNS = [Column("Họ và tên", lambda r: r["name"]), Column("Số", lambda r: r["n"])]


def _respond(fmt: str, user: Any, node: Any = None) -> Any:
    request = RequestFactory().get("/x/", {"export": fmt})
    request.user = user
    return listexport.respond(
        fmt, iter(ROWS), COLUMNS, request=request, title="Danh sách thử", node=node
    )


# ---- lists -----------------------------------------------------------------------------


def test_the_watermark_names_the_user_the_account_and_the_minute(db: Any) -> None:
    user = make_user(username="xuat.an", display_name="Trần Văn Bí")
    assert STAMP.match(listexport.watermark(user))
    plain = make_user(username="khong.ten")
    assert listexport.watermark(plain).startswith("Trích xuất bởi khong.ten (khong.ten) lúc ")


def test_an_xlsx_export_carries_the_watermark_in_its_header_line_and_on_every_page(
    secretary: Any, tree: Any
) -> None:
    response = _respond("xlsx", secretary, tree["village"])
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet.cell(4, 1).value.startswith("Trích xuất lúc ")
    assert sheet.cell(4, 1).value.endswith("bởi Trần Văn Bí (xuat.an)")
    assert STAMP.match(sheet.oddHeader.right.text)
    assert STAMP.match(sheet.oddFooter.left.text)
    assert "_xuat.an.xlsx" in response["Content-Disposition"]


def test_a_csv_export_stays_one_table_and_carries_the_watermark_in_its_name(
    secretary: Any, tree: Any
) -> None:
    """Decided: no comment line in the CSV (importers read exports back)."""
    response = _respond("csv", secretary, tree["village"])
    assert csv_rows(response) == [
        ["Họ và tên", "Số"],
        ["Nguyễn Thị Ánh Tuyết", "1"],
        ["Lê Văn Tám", "2"],
    ]
    disposition = response["Content-Disposition"]
    assert re.search(r'filename="danh-sach-thu_\d{4}-\d\d-\d\d_\d{4}_xuat\.an\.csv"', disposition)
    assert "xuat.an.csv" in disposition.split("filename*=")[1]


def test_a_list_export_is_logged_once_with_its_rows_and_node(secretary: Any, tree: Any) -> None:
    _respond("csv", secretary, tree["village"])
    (event,) = AccessEvent.objects.all()
    assert (event.kind, event.rows, event.org_path, event.user_id) == (
        "export",
        2,
        tree["village"].path,
        secretary.pk,
    )
    assert event.what == "Danh sách thử (csv)" and event.person_id is None


def test_an_export_without_a_node_is_logged_under_the_users_scope(tree: Any) -> None:
    both = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    from dangvien.accounts.models import RoleAssignment

    RoleAssignment.objects.create(user=both, organisation=tree["school_branch"], role=Role.LEADER)
    _respond("xlsx", both)
    assert AccessEvent.objects.get().org_path == tree["commune"].path


def test_a_page_export_logs_the_rows_that_left(client: Client, tree: Any, secretary: Any) -> None:
    for _ in range(3):
        make_candidate(branch=tree["village"])
    client.force_login(secretary)
    response = client.get("/quan-chung/", {"export": "xlsx", "organisation": tree["village"].pk})
    assert response.status_code == 200
    event = AccessEvent.objects.get(kind="export")
    assert event.rows == 3 and event.org_path == tree["village"].path


# ---- documents -------------------------------------------------------------------------

BLOCKS = [Block(kind="title", line=1, text="Biên bản thử")] + [
    Block(kind="paragraph", line=n, text="Nội dung dài " * 60) for n in range(2, 40)
]


def _pdf_pages(pdf: bytes, tmp_path: Path) -> list[str]:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) không có")
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return [page for page in text.stdout.decode().split("\f") if page.strip()]


def test_a_pdf_made_for_a_download_has_the_watermark_on_every_page(tmp_path: Path) -> None:
    stamp = "Trích xuất bởi Trần Văn Bí (xuat.an) lúc 24/11/2026 09:15"
    with watermarked(stamp):
        pdf = render_blocks(BLOCKS, {}, "pdf")
    assert current_watermark() == ""
    pages = _pdf_pages(pdf, tmp_path)
    assert len(pages) >= 3
    assert all(stamp in " ".join(page.split()) for page in pages)
    plain = _pdf_pages(render_blocks(BLOCKS, {}, "pdf"), tmp_path)
    assert not any("Trích xuất" in page for page in plain)


def test_a_docx_made_for_a_download_has_the_watermark_in_both_footers() -> None:
    stamp = "Trích xuất bởi Trần Văn Bí (xuat.an) lúc 24/11/2026 09:15"
    with watermarked(stamp):
        data = render_blocks(BLOCKS, {}, "docx")
    section = Document(io.BytesIO(data)).sections[0]
    assert section.different_first_page_header_footer
    assert section.first_page_footer.paragraphs[0].text == stamp
    assert section.footer.paragraphs[0].text == stamp
    plain = Document(io.BytesIO(render_blocks(BLOCKS, {}, "docx"))).sections[0]
    assert plain.footer.paragraphs[0].text == ""


@pytest.fixture
def proposed(tree: Any) -> Candidate:
    candidate = make_candidate(branch=tree["village"], stage=Stage.BRANCH_PROPOSED)
    branch_vote(candidate)
    return candidate


def test_a_document_download_is_watermarked_and_logged(
    client: Client, proposed: Candidate, secretary: Any
) -> None:
    client.force_login(secretary)
    url = f"/van-ban/quan-chung/{proposed.pk}/mau/6-KND/"
    response = client.get(url, {"format": "docx"})
    assert response.status_code == 200
    footer = Document(io.BytesIO(response.content)).sections[0].first_page_footer
    assert STAMP.match(footer.paragraphs[0].text)
    (event,) = AccessEvent.objects.all()
    assert (event.kind, event.person_id, event.org_path) == (
        "download",
        proposed.person_id,
        proposed.org_path,
    )
    assert event.what == "Văn bản: 6-KNĐ (docx)"


def test_a_dossier_zip_is_watermarked_inside_and_logged_once(
    client: Client, proposed: Candidate, secretary: Any
) -> None:
    client.force_login(secretary)
    response = client.get(f"/van-ban/quan-chung/{proposed.pk}/ho-so.zip", {"format": "docx"})
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    documents = [n for n in archive.namelist() if n.endswith(".docx")]
    assert documents
    for name in documents:
        footer = Document(io.BytesIO(archive.read(name))).sections[0].footer
        assert STAMP.match(footer.paragraphs[0].text), name
    assert AccessEvent.objects.filter(kind="download").count() == 1


def test_a_document_through_the_api_is_watermarked_and_logged(
    client: Client, proposed: Candidate, secretary: Any
) -> None:
    api = Api(client, secretary)
    response = client.get(
        f"/api/v1/candidates/{proposed.pk}/documents/6-KNĐ",
        {"format": "docx"},
        headers=api.headers,
    )
    assert response.status_code == 200, response.content[:300]
    footer = Document(io.BytesIO(response.content)).sections[0].first_page_footer
    assert STAMP.match(footer.paragraphs[0].text)
    (event,) = AccessEvent.objects.all()
    assert event.kind == "download" and event.user_id == secretary.pk
