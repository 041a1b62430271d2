"""A subject's dossier: one row per applicable form and item, whether it can be made,
its number, its scans, and what the next step still misses (issue 8; DOMAIN.md §3, §10)."""

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dangvien.accounts.models import Role, User
from dangvien.candidates.models import Introducer, Stage
from dangvien.documents.actions.register import number_document
from dangvien.documents.actions.scans import upload_scan
from dangvien.documents.forms import find_form
from dangvien.documents.queries.dossier import (
    BRANCH_VOTE,
    CHECK,
    RECOGNITION_DECISION,
    RECOGNITION_VOTE,
    Row,
    dossier_of,
)
from dangvien.documents.tests.helpers import branch_vote
from dangvien.factories import make_candidate, make_member, user_with_role
from dangvien.members.models import Proceeding, ProceedingKind, Status, Step
from dangvien.organisations.models import Organisation

Tree = dict[str, Organisation]
PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
DAY = date(2026, 4, 20)


@pytest.fixture(autouse=True)
def _uploads(settings: Any, tmp_path: Path) -> None:
    settings.UPLOADS_DIR = tmp_path


@pytest.fixture
def secretary(tree: Tree) -> User:
    return user_with_role(Role.BRANCH_SECRETARY, tree["village"])


def rows_of(rows: list[Row], code: str) -> list[Row]:
    return [r for r in rows if r.form.code == code]


def row_of(rows: list[Row], code: str) -> Row:
    (row,) = rows_of(rows, code)
    return row


def test_an_open_dossier_misses_the_application_and_declaration_for_the_check(
    tree: Tree, secretary: User
) -> None:
    candidate = make_candidate(branch=tree["village"], stage=Stage.DOSSIER_OPEN)
    dossier = dossier_of(candidate, on=DAY)
    assert (dossier.dossier, dossier.next_step) == ("admission", CHECK)
    assert dossier.missing == ["1-KNĐ", "2-KNĐ"]
    upload_scan(candidate, "1-KNĐ", "", SimpleUploadedFile("don.pdf", PDF), by=secretary)
    dossier = dossier_of(candidate, on=DAY)
    assert dossier.missing == ["2-KNĐ"]
    signed = row_of(dossier.rows, "1-KNĐ")
    assert (signed.status, signed.status_label) == ("signed", "Đã có bản ký")
    assert [s.original_name for s in signed.scans] == ["don.pdf"]
    assert "2-KNĐ (Lý lịch của người xin vào Đảng)" in dossier.missing_titles


def test_forms_of_bodies_the_branch_does_not_have_do_not_apply(tree: Tree) -> None:
    village = dossier_of(make_candidate(branch=tree["village"]), on=DAY)
    school = dossier_of(make_candidate(branch=tree["school_branch"]), on=DAY)
    for code in ("7-KNĐ", "8-KNĐ"):
        row = row_of(village.rows, code)
        assert (row.applicable, row.status, row.status_label) == (
            False,
            "not_applicable",
            "Không áp dụng",
        )
    assert row_of(school.rows, "8-KNĐ").applicable
    assert not row_of(school.rows, "7-KNĐ").applicable  # no đảng ủy bộ phận in the tree


def test_a_resolution_before_the_vote_cannot_be_made_and_says_why(tree: Tree) -> None:
    candidate = make_candidate(branch=tree["village"], stage=Stage.BACKGROUND_CHECKED)
    row = row_of(dossier_of(candidate, on=DAY).rows, "6-KNĐ")
    assert (row.available, row.status) == (False, "missing")
    assert row.missing_reason.startswith("Chưa ghi kết quả biểu quyết của chi bộ")
    assert row.status_label.startswith("Chưa đủ dữ liệu: Chưa ghi kết quả biểu quyết")


def test_the_number_the_procedure_recorded_is_shown_and_no_new_one_offered(tree: Tree) -> None:
    candidate = make_candidate(branch=tree["village"], stage=Stage.BRANCH_PROPOSED)
    branch_vote(candidate, "05-NQ/CB")
    rows = dossier_of(candidate, on=DAY).rows
    resolution = row_of(rows, "6-KNĐ")
    assert (resolution.available, resolution.number, resolution.can_take_number) == (
        True,
        "05-NQ/CB",
        False,
    )
    decision = row_of(rows, "9-KNĐ")
    assert decision.available and decision.number == "" and decision.can_take_number


def test_a_number_taken_from_the_register_is_the_documents_number(tree: Tree) -> None:
    board = user_with_role(Role.BOARD_STAFF, tree["commune"])
    candidate = make_candidate(branch=tree["village"], stage=Stage.BRANCH_PROPOSED)
    branch_vote(candidate)
    number_document(find_form("9-KNĐ"), candidate, on=DAY, by=board)  # type: ignore[arg-type]
    decision = row_of(dossier_of(candidate, on=DAY).rows, "9-KNĐ")
    assert (decision.number, decision.can_take_number) == ("01-QĐ/ĐU", False)


def test_each_introducer_has_its_own_letter_row(tree: Tree) -> None:
    candidate = make_candidate(branch=tree["village"], stage=Stage.DOSSIER_OPEN)
    none_yet = row_of(dossier_of(candidate, on=DAY).rows, "3-KNĐ")
    assert (none_yet.item, none_yet.available) == ("", False)
    assert none_yet.missing_reason == "Chưa ghi đảng viên giới thiệu."
    assert not none_yet.can_take_number
    members = [make_member(branch=tree["village"]) for _ in range(2)]
    introducers = [
        Introducer.objects.create(candidate=candidate, member=m, known_since=date(2024, 1, 1))
        for m in members
    ]
    rows = rows_of(dossier_of(candidate, on=DAY).rows, "3-KNĐ")
    assert [r.item for r in rows] == [f"introducer:{i.pk}" for i in introducers]
    assert all(r.available for r in rows)
    assert members[0].person.full_name in rows[0].item_label


def test_the_next_step_follows_the_stage(tree: Tree) -> None:
    candidate = make_candidate(branch=tree["village"], stage=Stage.BACKGROUND_CHECKED)
    dossier = dossier_of(candidate, on=DAY)
    assert dossier.next_step == BRANCH_VOTE
    assert set(dossier.missing) == {"3-KNĐ", "5-KNĐ"}  # 4-KNĐ has no union introducer row
    assert (
        dossier_of(make_candidate(branch=tree["village"], stage=Stage.MEMBER), on=DAY).missing == []
    )


def test_a_probationary_member_waits_for_the_recognition_vote_then_the_decision(
    tree: Tree,
) -> None:
    member = make_member(
        branch=tree["village"],
        status=Status.PROBATIONARY,
        admitted_on=date(2025, 3, 1),
        probation_started_on=date(2025, 3, 20),
        official_on=None,
    )
    dossier = dossier_of(member, on=DAY)
    assert (dossier.dossier, dossier.next_step) == ("recognition", RECOGNITION_VOTE)
    assert {"10-KNĐ", "11-KNĐ", "12-KNĐ", "GCN-ĐVM"} <= set(dossier.missing)
    Proceeding.objects.create(
        member=member,
        kind=ProceedingKind.RECOGNITION,
        step=Step.BRANCH_PROPOSED,
        opened_on=date(2026, 3, 21),
    )
    dossier = dossier_of(member, on=DAY)
    assert dossier.next_step == RECOGNITION_DECISION
    assert dossier.missing == ["13-KNĐ"]


def test_an_official_member_has_records_and_no_next_step(tree: Tree) -> None:
    dossier = dossier_of(make_member(branch=tree["village"]), on=DAY)
    assert (dossier.dossier, dossier.next_step, dossier.missing) == ("records", "", [])
    assert {r.form.code for r in dossier.rows} >= {"GXN-TĐ", "GGT-CT", "16-KNĐ"}
