"""Wiring of the round pages: login, scope (404), role (403), forms posting to the
actions, downloads (STYLE.md: the rules are tested on the actions)."""

import io
import re
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document

from dangvien.accounts.models import Role
from dangvien.exams.models import Difficulty, ExamRound, Part, RoundStatus, Sitting
from dangvien.exams.tests.factories import make_round, topic
from dangvien.exams.tests.factories_rounds import (
    bank,
    new_round,
    ready_round,
    round_with_papers,
    staff,
)
from dangvien.factories import make_candidate, user_with_role


@pytest.fixture
def outsider(tree):
    return staff(tree["other_commune"])


@pytest.fixture
def leader(tree):
    return user_with_role(Role.LEADER, tree["province"])


@pytest.fixture
def with_papers(tree, committee, board):
    return round_with_papers(tree, committee, board=board)


ROUND_PAGES = [
    "round",
    "round-board",
    "round-blueprint",
    "round-candidates",
    "round-papers",
    "round-codes",
]


def test_the_pages_need_a_login(client, tree, committee):
    exam_round = new_round(tree["commune"], committee)
    assert client.get(reverse("exams:rounds")).status_code == 302
    for name in ROUND_PAGES:
        assert client.get(reverse(f"exams:{name}", args=[exam_round.pk])).status_code == 302


def test_pages_of_a_round_outside_the_scope_answer_404(client, with_papers, outsider):
    client.force_login(outsider)
    for name in [*ROUND_PAGES, "round-edit", "round-paper-zip"]:
        url = reverse(f"exams:{name}", args=[with_papers.pk])
        assert client.get(url).status_code == 404, name
    for name in ("round-paper", "round-paper-docx", "round-paper-pdf"):
        url = reverse(f"exams:{name}", args=[with_papers.pk, 1])
        assert client.get(url).status_code == 404, name
    assert client.post(reverse("exams:round-papers", args=[with_papers.pk])).status_code == 404


def test_the_list_shows_rounds_in_scope_with_filters(client, tree, committee, outsider):
    mine = new_round(tree["commune"], committee, name="Đợt của xã An Bình")
    theirs = make_round(tree["other_commune"], name="Đợt của xã Hòa Lạc")
    client.force_login(committee)
    page = client.get(reverse("exams:rounds")).content.decode()
    assert f'data-round="{mine.pk}"' in page and f'data-round="{theirs.pk}"' not in page
    assert "Tạo đợt kiểm tra" in page
    filtered = client.get(reverse("exams:rounds"), {"status": "signed", "year": "2026"})
    assert f'data-round="{mine.pk}"' not in filtered.content.decode()
    other = client.get(reverse("exams:rounds"), {"organisation": tree["other_commune"].pk})
    assert other.status_code == 404


def test_the_list_takes_the_same_queries_for_more_rounds(client, tree, committee):
    new_round(tree["commune"], committee)
    client.force_login(committee)
    client.get(reverse("exams:rounds"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("exams:rounds"))
    for _ in range(5):
        new_round(tree["commune"], committee)
    with CaptureQueriesContext(connection) as six:
        client.get(reverse("exams:rounds"))
    assert len(six.captured_queries) == len(one.captured_queries)


def test_staff_create_a_round_through_the_form(client, tree, committee):
    client.force_login(committee)
    form = client.get(reverse("exams:round-new"))
    assert form.status_code == 200 and "Đảng bộ xã An Bình" in form.content.decode()
    data = {
        "organisation": tree["commune"].pk,
        "name": "Đợt kiểm tra tháng 12",
        "held_on": "2026-12-10",
        "venue": "Hội trường",
        "duration_minutes": "45",
        "pass_mark": "5,5",
        "written_weight": "60",
        "oral_weight": "30",
        "variants": "4",
        "disagreement_percent": "20",
    }
    refused = client.post(reverse("exams:round-new"), data)
    assert refused.status_code == 409 and "cộng lại bằng 100%" in refused.content.decode()
    data["oral_weight"] = "40"
    created = client.post(reverse("exams:round-new"), data)
    exam_round = ExamRound.objects.get(name="Đợt kiểm tra tháng 12")
    assert created.status_code == 302 and created["Location"] == reverse(
        "exams:round", args=[exam_round.pk]
    )
    assert str(exam_round.pass_mark) == "5.50"


def test_a_secretary_may_not_create_rounds(client, tree):
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    assert client.get(reverse("exams:round-new")).status_code == 403


def test_the_round_page_shows_each_step_and_what_is_missing(client, tree, committee):
    exam_round = new_round(tree["commune"], committee)
    client.force_login(committee)
    page = client.get(reverse("exams:round", args=[exam_round.pk])).content.decode()
    assert "Cần ít nhất 2 thành viên (hiện có 0)" in page
    assert "Chưa có dòng nào trong ma trận đề." in page
    assert "Chưa đăng ký thí sinh nào." in page
    assert "Chưa tạo đề." in page
    assert reverse("exams:round-board", args=[exam_round.pk]) in page


def test_a_leader_above_sees_the_round_but_may_not_change_it(client, with_papers, leader):
    client.force_login(leader)
    assert client.get(reverse("exams:round", args=[with_papers.pk])).status_code == 200
    assert client.post(reverse("exams:round-papers", args=[with_papers.pk])).status_code == 403
    assert client.get(reverse("exams:round-edit", args=[with_papers.pk])).status_code == 403
    key = reverse("exams:round-paper-docx", args=[with_papers.pk, 1]) + "?key=1"
    assert client.get(key).status_code == 403
    assert client.get(reverse("exams:round-paper-zip", args=[with_papers.pk])).status_code == 403


def test_the_board_form_sets_the_board(client, tree, committee, board):
    exam_round = new_round(tree["commune"], committee)
    client.force_login(committee)
    url = reverse("exams:round-board", args=[exam_round.pk])
    refused = client.post(url, {"members": [board[0].pk], "chair": board[0].pk})
    assert refused.status_code == 409 and "ít nhất 2 thành viên" in refused.content.decode()
    done = client.post(url, {"members": [b.pk for b in board], "chair": board[1].pk})
    assert done.status_code == 302
    assert exam_round.board.get(is_chair=True).user == board[1]


def test_the_blueprint_form_shows_the_bank_shortage(client, tree, committee):
    exam_round = new_round(tree["commune"], committee, written_weight=100, oral_weight=0)
    bank(tree["commune"], n=2, difficulty=Difficulty.EASY)
    client.force_login(committee)
    url = reverse("exams:round-blueprint", args=[exam_round.pk])
    data = {
        "line-TOTAL_FORMS": "2",
        "line-INITIAL_FORMS": "0",
        "line-0-part": Part.WRITTEN,
        "line-0-topic": topic("dieu-le-dang").pk,
        "line-0-difficulty": "1",
        "line-0-count": "3",
        "line-1-part": Part.WRITTEN,
        "line-1-topic": "",
        "line-1-difficulty": "2",
        "line-1-count": "",
    }
    refused = client.post(url, data)
    assert refused.status_code == 409
    assert "độ khó “Dễ”" in refused.content.decode()
    data["line-0-count"] = "2"
    assert client.post(url, data).status_code == 302
    assert exam_round.blueprint.get().count == 2


def test_the_candidates_page_registers_and_lists_refusals(client, tree, committee):
    exam_round = new_round(tree["commune"], committee)
    fine = make_candidate(branch=tree["village"])
    client.force_login(committee)
    url = reverse("exams:round-candidates", args=[exam_round.pk])
    page = client.get(url).content.decode()
    assert f'value="{fine.pk}"' in page
    outside = make_candidate(branch=tree["other_branch"])
    assert f'value="{outside.pk}"' not in page
    response = client.post(url, {"candidates": [fine.pk], "mode": "online"})
    assert response.status_code == 200
    sitting = Sitting.objects.get(round=exam_round)
    assert f'data-sitting="{sitting.pk}"' in response.content.decode()
    unregister = reverse("exams:round-unregister", args=[exam_round.pk, sitting.pk])
    assert client.post(unregister).status_code == 302
    assert not exam_round.sittings.exists()


def test_the_papers_page_generates_and_downloads(client, tree, committee, board):
    exam_round = ready_round(tree["commune"], committee, board=board)
    client.force_login(committee)
    url = reverse("exams:round-papers", args=[exam_round.pk])
    assert client.post(url).status_code == 302
    exam_round.refresh_from_db()
    assert exam_round.status == RoundStatus.PAPERS
    assert 'data-paper="4"' in client.get(url).content.decode()
    docx = client.get(reverse("exams:round-paper-docx", args=[exam_round.pk, 2]))
    assert docx["Content-Disposition"].endswith('"de-kiem-tra-ma-de-002.docx"')
    document = Document(io.BytesIO(docx.content))
    header = document.tables[0].rows[0].cells[1].text
    assert "Mã đề 002" in header
    pdf = client.get(reverse("exams:round-paper-pdf", args=[exam_round.pk, 2]) + "?key=1")
    assert pdf.content.startswith(b"%PDF")
    bundle = client.get(reverse("exams:round-paper-zip", args=[exam_round.pk]))
    with zipfile.ZipFile(io.BytesIO(bundle.content)) as archive:
        assert len(archive.namelist()) == 16
    assert client.get(reverse("exams:round-paper", args=[exam_round.pk, 9])).status_code == 404


def test_a_board_member_sees_the_paper_with_its_keys(client, with_papers, board):
    client.force_login(board[1])
    page = client.get(reverse("exams:round-paper", args=[with_papers.pk, 1]))
    assert page.status_code == 200 and "Đáp án:" in page.content.decode()
    assert "Phần vấn đáp (dành cho hội đồng)" in page.content.decode()


def test_the_slips_show_the_codes_once(client, with_papers, committee):
    client.force_login(committee)
    url = reverse("exams:round-codes", args=[with_papers.pk])
    slips = client.post(url)
    assert slips.status_code == 200 and slips["Cache-Control"] == "private, no-store"
    codes = re.findall(r"[2-9A-Z]{4}-[2-9A-Z]{4}", slips.content.decode())
    assert len(set(codes)) == 3
    assert "data:application/pdf;base64," in slips.content.decode()
    later = client.get(url).content.decode()
    assert not any(code in later for code in codes) and "Đã cấp" in later
