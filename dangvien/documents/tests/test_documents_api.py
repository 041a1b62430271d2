"""The documents API (API.md "Documents"; issue 8): the dossier, each document's file,
numbers, scans and the registers, with the error shape and the scope (404 outside)."""

import io
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dangvien.accounts.actions import issue_api_token
from dangvien.accounts.models import Role, User
from dangvien.candidates.models import Candidate, Stage
from dangvien.documents.models import IssuedDocument, Scan
from dangvien.documents.tests.helpers import branch_vote
from dangvien.factories import make_candidate, make_member, user_with_role
from dangvien.organisations.models import Organisation

Tree = dict[str, Organisation]
PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _uploads(settings: Any, tmp_path: Path) -> None:
    settings.UPLOADS_DIR = tmp_path


@pytest.fixture
def candidate(tree: Tree) -> Candidate:
    candidate = make_candidate(
        branch=tree["village"],
        stage=Stage.BRANCH_PROPOSED,
        application_on=date(2026, 3, 1),
        declaration_on=date(2026, 3, 5),
    )
    branch_vote(candidate)
    return candidate


def bearer(user: User) -> dict[str, str]:
    raw, _token = issue_api_token(user, by=user)
    return {"Authorization": f"Bearer {raw}"}


def get(client: Client, user: User, path: str, **params: Any) -> Any:
    return client.get(f"/api/v1{path}", params, headers=bearer(user))


def post(client: Client, user: User, path: str, body: dict[str, Any]) -> Any:
    return client.post(
        f"/api/v1{path}", body, content_type="application/json", headers=bearer(user)
    )


def upload(client: Client, user: User, path: str, name: str, content: bytes, item: str = "") -> Any:
    data = {"file": SimpleUploadedFile(name, content), "item": item}
    return client.post(f"/api/v1{path}", data, headers=bearer(user))


def test_the_dossier_lists_every_form_with_what_it_needs(
    client: Client, tree: Tree, candidate: Candidate
) -> None:
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    answer = get(client, secretary, f"/candidates/{candidate.pk}/documents")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["candidate_id"], body["dossier"], body["next_step"]) == (
        candidate.pk,
        "admission",
        "cấp ủy quyết định kết nạp",
    )
    assert body["missing"] == ["6-KNĐ"]
    by_form = {i["form"]: i for i in body["items"] if not i["item"]}
    six = by_form["6-KNĐ"]
    assert (six["available"], six["number"], six["status"]) == (True, "05-NQ/CB", "ready")
    assert six["download"]["pdf"] == f"/api/v1/candidates/{candidate.pk}/documents/6-KND?format=pdf"
    assert by_form["8-KNĐ"]["applicable"] is False
    nine = by_form["9-KNĐ"]
    assert nine["can_take_number"] is True and nine["numbered"] is True


def test_a_candidate_outside_the_subtree_is_not_found(
    client: Client, tree: Tree, candidate: Candidate
) -> None:
    outsider = user_with_role(Role.BRANCH_SECRETARY, tree["other_branch"])
    for path in (
        f"/candidates/{candidate.pk}/documents",
        f"/candidates/{candidate.pk}/documents/6-KND?format=pdf",
    ):
        answer = get(client, outsider, path)
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "not_found"
    answer = post(client, outsider, f"/candidates/{candidate.pk}/documents/9-KND/number", {})
    assert answer.status_code == 404


def test_a_document_downloads_as_pdf_and_docx_with_its_file_name(
    client: Client, tree: Tree, candidate: Candidate
) -> None:
    leader = user_with_role(Role.LEADER, tree["province"])
    pdf = get(client, leader, f"/candidates/{candidate.pk}/documents/6-KNĐ", format="pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert pdf["Content-Disposition"].startswith('attachment; filename="6-KND_Nguyen-Van-')
    assert "filename*=UTF-8''6-KND_Nguyen-Van-" in pdf["Content-Disposition"]
    docx = get(client, leader, f"/candidates/{candidate.pk}/documents/6-KND", format="docx")
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    assert docx["Content-Disposition"].endswith(".docx")


def test_a_bad_format_is_invalid_and_an_unknown_form_not_found(
    client: Client, tree: Tree, candidate: Candidate
) -> None:
    leader = user_with_role(Role.LEADER, tree["province"])
    bad = get(client, leader, f"/candidates/{candidate.pk}/documents/6-KND", format="odt")
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "invalid" and "format" in bad.json()["error"]["fields"]
    unknown = get(client, leader, f"/candidates/{candidate.pk}/documents/99-KND", format="pdf")
    assert unknown.status_code == 404
    member_form = get(client, leader, f"/candidates/{candidate.pk}/documents/13-KND", format="pdf")
    assert member_form.status_code == 404


def test_a_document_whose_data_is_missing_answers_409_missing_data(
    client: Client, tree: Tree
) -> None:
    early = make_candidate(branch=tree["village"], stage=Stage.BACKGROUND_CHECKED)
    leader = user_with_role(Role.LEADER, tree["province"])
    answer = get(client, leader, f"/candidates/{early.pk}/documents/6-KND", format="pdf")
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert error["code"] == "missing_data"
    assert error["message"].startswith("Chưa ghi kết quả biểu quyết của chi bộ")
    na = get(client, leader, f"/candidates/{early.pk}/documents/8-KND", format="pdf")
    assert (na.status_code, na.json()["error"]["code"]) == (409, "not_applicable")


def test_the_deciding_committee_numbers_the_decision_once(
    client: Client, tree: Tree, candidate: Candidate
) -> None:
    board = user_with_role(Role.BOARD_STAFF, tree["commune"])
    path = f"/candidates/{candidate.pk}/documents/9-KNĐ/number"
    first = post(client, board, path, {"issued_on": "2026-05-02"})
    assert first.status_code == 201
    body = first.json()
    assert (body["number_text"], body["organisation_id"], body["issued_on"]) == (
        "01-QĐ/ĐU",
        tree["commune"].pk,
        "2026-05-02",
    )
    again = post(client, board, path, {})
    assert (again.status_code, again.json()["id"]) == (201, body["id"])
    assert IssuedDocument.objects.count() == 1
    pdf = get(client, board, f"/candidates/{candidate.pk}/documents/9-KND", format="pdf")
    assert pdf.status_code == 200


def test_a_secretary_may_not_number_the_decision(
    client: Client, tree: Tree, candidate: Candidate
) -> None:
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    answer = post(client, secretary, f"/candidates/{candidate.pk}/documents/9-KND/number", {})
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "forbidden"
    assert not IssuedDocument.objects.exists()


def test_a_scan_uploads_downloads_and_deletes_through_the_scope(
    client: Client, tree: Tree, candidate: Candidate
) -> None:
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    answer = upload(
        client,
        secretary,
        f"/candidates/{candidate.pk}/documents/6-KND/scans",
        "Nghị quyết.pdf",
        PDF,
    )
    assert answer.status_code == 201, answer.content
    scan = answer.json()
    assert (scan["form"], scan["name"], scan["size"]) == ("6-KNĐ", "Nghị quyết.pdf", len(PDF))
    listed = get(client, secretary, f"/candidates/{candidate.pk}/documents").json()
    assert listed["missing"] == []
    served = get(client, secretary, f"/scans/{scan['id']}")
    assert served.status_code == 200 and served.content == PDF
    assert served["Content-Disposition"].startswith("attachment;")
    assert "Ngh%E1%BB%8B%20quy%E1%BA%BFt.pdf" in served["Content-Disposition"]
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"] == "sandbox"
    outsider = user_with_role(Role.BRANCH_SECRETARY, tree["other_branch"])
    assert get(client, outsider, f"/scans/{scan['id']}").status_code == 404
    assert client.delete(f"/api/v1/scans/{scan['id']}", headers=bearer(outsider)).status_code == 404
    leader = user_with_role(Role.LEADER, tree["province"])
    assert client.delete(f"/api/v1/scans/{scan['id']}", headers=bearer(leader)).status_code == 403
    gone = client.delete(f"/api/v1/scans/{scan['id']}", headers=bearer(secretary))
    assert gone.status_code == 204
    assert not Scan.objects.exists()


def test_a_branch_secretary_uploading_the_committees_decision_scan_is_refused(
    client: Client, tree: Tree, candidate: Candidate
) -> None:
    from dangvien.documents.models import Scan

    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    path = f"/candidates/{candidate.pk}/documents/9-KND/scans"
    refused = upload(client, secretary, path, "qd.pdf", PDF)
    assert refused.status_code == 403
    assert not Scan.objects.exists()
    board = user_with_role(Role.BOARD_STAFF, tree["commune"])
    kept = upload(client, board, path, "qd.pdf", PDF)
    assert kept.status_code == 201, kept.content
    scan_id = kept.json()["id"]
    gone = client.delete(f"/api/v1/scans/{scan_id}", headers=bearer(secretary))
    assert gone.status_code == 403
    assert Scan.objects.filter(pk=scan_id).exists()


def test_a_scan_that_is_neither_pdf_nor_jpeg_is_refused(
    client: Client, tree: Tree, candidate: Candidate
) -> None:
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    answer = upload(
        client, secretary, f"/candidates/{candidate.pk}/documents/6-KND/scans", "x.pdf", b"MZ\x90"
    )
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert error["code"] == "not_eligible" and "file" in error["fields"]
    missing_file = client.post(
        f"/api/v1/candidates/{candidate.pk}/documents/6-KND/scans", {}, headers=bearer(secretary)
    )
    assert missing_file.status_code == 400


def test_the_whole_dossier_comes_as_one_zip_with_its_list(
    client: Client, tree: Tree, candidate: Candidate
) -> None:
    leader = user_with_role(Role.LEADER, tree["province"])
    answer = get(client, leader, f"/candidates/{candidate.pk}/dossier", format="pdf")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    names = archive.namelist()
    assert "DANH-MUC.txt" in names
    assert any(n.startswith("6-KND_") and n.endswith(".pdf") for n in names)
    listing = archive.read("DANH-MUC.txt").decode("utf-8-sig")
    assert "Chưa lập được" in listing and "3-KNĐ" in listing


def test_member_documents_answer_the_same_shape(client: Client, tree: Tree) -> None:
    member = make_member(branch=tree["village"])
    leader = user_with_role(Role.LEADER, tree["province"])
    body = get(client, leader, f"/members/{member.pk}/documents").json()
    assert (body["member_id"], body["dossier"], body["next_step"]) == (member.pk, "records", "")
    assert {"GXN-TĐ", "13-KNĐ"} <= {i["form"] for i in body["items"]}
    outsider = user_with_role(Role.BRANCH_SECRETARY, tree["other_branch"])
    assert get(client, outsider, f"/members/{member.pk}/documents").status_code == 404


def test_the_register_lists_numbers_and_takes_one_for_an_outside_document(
    client: Client, tree: Tree
) -> None:
    board = user_with_role(Role.BOARD_STAFF, tree["commune"])
    taken = post(
        client,
        board,
        "/registers/numbers",
        {"organisation_id": tree["commune"].pk, "series": "CV", "summary": "Về việc rà soát"},
    )
    assert taken.status_code == 201
    assert taken.json()["number_text"] == "01-CV/ĐU" and taken.json()["form"] == ""
    listed = get(client, board, "/registers", organisation=tree["commune"].pk, series="CV")
    assert listed.json()["count"] == 1
    assert listed.json()["items"][0]["summary"] == "Về việc rà soát"
    other_year = get(client, board, "/registers", year=2001).json()
    assert other_year["count"] == 0
    outside = get(client, board, "/registers", organisation=tree["other_commune"].pk)
    assert outside.status_code == 404
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    refused = post(
        client,
        secretary,
        "/registers/numbers",
        {"organisation_id": tree["commune"].pk, "series": "CV", "summary": "x"},
    )
    assert refused.status_code == 404  # the commune lies above the secretary's subtree
    bad = post(
        client,
        board,
        "/registers/numbers",
        {"organisation_id": tree["commune"].pk, "series": "C-V", "summary": "x"},
    )
    assert bad.status_code == 409 and "series" in bad.json()["error"]["fields"]
