"""Marking pages: wiring (login, scope, role, response), not the rules again."""

from io import BytesIO
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from dangvien.auditlog.models import AccessEvent
from dangvien.exams.actions.marking import mark_objective, score_answer
from dangvien.exams.models import Answer, RoundStatus, Sitting, SittingStatus
from dangvien.exams.tests.factories_marking import Marking, marking_round
from dangvien.organisations.models import Organisation


@pytest.fixture
def m(tree: dict[str, Organisation]) -> Marking:
    return marking_round(tree, name="Đợt kiểm tra tháng 11")


@pytest.fixture
def sitting(m: Marking) -> Sitting:
    sitting = m.sitting({1: "B", 2: "Đảng ra đời ngày 3/2/1930."})
    mark_objective(m.round, by=m.first)
    return sitting


def _as(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def _essay(m: Marking, sitting: Sitting) -> Answer:
    return Answer.objects.get(sitting=sitting, item=m.item(2))


def _oral(m: Marking, sitting: Sitting) -> Answer:
    return Answer.objects.get(sitting=sitting, item=m.item(3))


def _score(answer: Answer, marker: Any, *criteria: str) -> None:
    score_answer(answer, marker=marker, criteria=list(criteria), note="", by=marker)


PAGES = ["exams:mark", "exams:mark-disputes", "exams:results", "exams:results-xlsx", "exams:stats"]


@pytest.mark.parametrize("name", PAGES)
def test_a_round_outside_the_users_scope_answers_404(client: Client, m: Marking, name: str) -> None:
    response = _as(client, m.outsider).get(reverse(name, args=[m.round.pk]))
    assert response.status_code == 404


def test_the_pages_need_a_login(client: Client, m: Marking) -> None:
    response = client.get(reverse("exams:results", args=[m.round.pk]))
    assert response.status_code == 302
    assert "/login" in response["Location"] or "dang-nhap" in response["Location"]


def test_committee_staff_off_the_board_see_the_round_but_not_the_answers(
    client: Client, m: Marking, sitting: Sitting
) -> None:
    staff = _as(client, m.staff)
    assert staff.get(reverse("exams:mark", args=[m.round.pk])).status_code == 200
    assert staff.get(reverse("exams:results", args=[m.round.pk])).status_code == 200
    item = reverse("exams:mark-item", args=[m.round.pk, m.item(2).version_id])
    assert staff.get(item).status_code == 403
    assert staff.get(reverse("exams:mark-disputes", args=[m.round.pk])).status_code == 403


def test_the_queue_lists_the_questions_waiting_for_the_marker(
    client: Client, m: Marking, sitting: Sitting
) -> None:
    response = _as(client, m.first).get(reverse("exams:mark", args=[m.round.pk]))
    assert response.status_code == 200
    assert reverse("exams:mark-item", args=[m.round.pk, m.item(2).version_id]) in response.text


def test_the_essay_page_shows_the_blind_number_and_not_the_name(
    client: Client, m: Marking, sitting: Sitting
) -> None:
    page = _as(client, m.first).get(
        reverse("exams:mark-item", args=[m.round.pk, m.item(2).version_id])
    )
    assert page.status_code == 200
    assert "Bài số" in page.text
    assert "Đảng ra đời ngày 3/2/1930." in page.text
    assert sitting.person.full_name not in page.text
    assert "Nêu đúng nội dung chính" in page.text


def test_the_oral_page_shows_the_candidates_name(
    client: Client, m: Marking, sitting: Sitting
) -> None:
    page = _as(client, m.first).get(
        reverse("exams:mark-item", args=[m.round.pk, m.item(3).version_id])
    )
    assert sitting.person.full_name in page.text
    assert "Bài số" not in page.text  # a number beside a name would give the phách away


def test_scoring_through_htmx_answers_the_answers_card(
    client: Client, m: Marking, sitting: Sitting
) -> None:
    answer = _essay(m, sitting)
    url = reverse("exams:mark-answer", args=[m.round.pk, answer.pk])
    response = _as(client, m.first).post(
        url, {"c0": "1,5", "c1": "1", "note": "Khá"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "Đã lưu điểm" in response.text
    assert f'id="answer-{answer.pk}"' in response.text
    assert "<html" not in response.text
    mark = answer.marks.get()
    assert (str(mark.points), mark.note) == ("2.50", "Khá")


def test_a_refused_score_answers_409_with_the_reason(
    client: Client, m: Marking, sitting: Sitting
) -> None:
    answer = _essay(m, sitting)
    url = reverse("exams:mark-answer", args=[m.round.pk, answer.pk])
    response = _as(client, m.first).post(
        url, {"c0": "3", "c1": "1"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 409
    assert "phải từ 0 đến 2,00" in response.text
    assert not answer.marks.exists()


def test_scoring_without_htmx_goes_back_to_the_question(
    client: Client, m: Marking, sitting: Sitting
) -> None:
    answer = _essay(m, sitting)
    url = reverse("exams:mark-answer", args=[m.round.pk, answer.pk])
    response = _as(client, m.first).post(url, {"c0": "1", "c1": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "exams:mark-item", args=[m.round.pk, m.item(2).version_id]
    )


def test_objective_marking_from_the_page(client: Client, m: Marking) -> None:
    m.sitting({1: "B"})
    response = _as(client, m.first).post(reverse("exams:mark-objective", args=[m.round.pk]))
    assert response.status_code == 302
    assert Answer.objects.get(item=m.item(1)).points is not None


@pytest.fixture
def disputed(m: Marking, sitting: Sitting) -> Answer:
    _score(_essay(m, sitting), m.first, "0.5", "0.5")
    _score(_essay(m, sitting), m.second, "2", "2")
    return _essay(m, sitting)


def test_the_disputes_page_shows_both_marks_side_by_side(
    client: Client, m: Marking, disputed: Answer
) -> None:
    page = _as(client, m.chair).get(reverse("exams:mark-disputes", args=[m.round.pk]))
    assert page.status_code == 200
    assert "Giám khảo 1" in page.text and "Giám khảo 2" in page.text
    assert "1,00" in page.text and "4,00" in page.text
    assert "Quyết định điểm" in page.text


def test_the_chair_resolves_from_the_page_and_a_member_may_not(
    client: Client, m: Marking, disputed: Answer
) -> None:
    url = reverse("exams:mark-resolve", args=[m.round.pk, disputed.pk])
    assert _as(client, m.first).post(url, {"points": "2"}).status_code == 403
    response = _as(client, m.chair).post(url, {"points": "2,5", "note": "Thống nhất"})
    assert response.status_code == 302
    assert str(Answer.objects.get(pk=disputed.pk).points) == "2.50"


def test_sign_off_needs_the_confirmation_and_a_fully_marked_round(
    client: Client, m: Marking, disputed: Answer
) -> None:
    url = reverse("exams:results-sign", args=[m.round.pk])
    chair = _as(client, m.chair)
    unconfirmed = chair.post(url, {})
    assert unconfirmed.status_code == 409
    assert "đánh dấu xác nhận" in unconfirmed.text
    refused = chair.post(url, {"confirm": "yes"})
    assert refused.status_code == 409
    assert "chênh lệch chưa được chủ tịch hội đồng quyết định" in refused.text
    m.round.refresh_from_db()
    assert m.round.status == RoundStatus.MARKING


def test_the_chair_signs_off_and_a_member_may_not(
    client: Client, m: Marking, sitting: Sitting
) -> None:
    for answer in (_essay(m, sitting), _oral(m, sitting)):
        _score(answer, m.first, "1", "1")
        _score(answer, m.second, "1", "1")
    url = reverse("exams:results-sign", args=[m.round.pk])
    assert _as(client, m.first).post(url, {"confirm": "yes"}).status_code == 403
    page = _as(client, m.chair).get(reverse("exams:results", args=[m.round.pk]))
    assert "Ký duyệt kết quả" in page.text
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    m.round.refresh_from_db()
    assert m.round.status == RoundStatus.SIGNED


def test_the_results_page_shows_scores_with_a_decimal_comma(
    client: Client, m: Marking, sitting: Sitting
) -> None:
    for marker in (m.first, m.second):
        _score(_essay(m, sitting), marker, "1.5", "1.5")
        _score(_oral(m, sitting), marker, "1", "0.1")
    page = _as(client, m.staff).get(reverse("exams:results", args=[m.round.pk]))
    # written 10 × 4 / 5 = 8,00; oral 10 × 1.1 / 2 = 5,50; final 8 × 0.7 + 5.5 × 0.3 = 7,25
    assert "8,00" in page.text and "5,50" in page.text and "7,25" in page.text
    assert 'badge ok">Đạt<' in page.text
    assert "Ký duyệt kết quả</button>" not in page.text  # staff are not the chair


def test_a_failed_candidate_sees_the_resit_date_once_signed(
    client: Client, m: Marking, sitting: Sitting
) -> None:
    Sitting.objects.filter(pk=sitting.pk).update(
        status=SittingStatus.MARKED, final_score="3.00", passed=False
    )
    m.round.status = RoundStatus.SIGNED
    m.round.save()
    page = _as(client, m.staff).get(reverse("exams:results", args=[m.round.pk]))
    assert "Được kiểm tra lại từ ngày 20/12/2026" in page.text  # 20/11/2026 + 30 days


def test_the_results_page_query_count_does_not_grow_with_rows(client: Client, m: Marking) -> None:
    _as(client, m.staff)
    url = reverse("exams:results", args=[m.round.pk])
    m.sitting({1: "B"})
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(6):
        m.sitting({1: "A"})
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_excel_export_has_the_committee_round_and_date(
    client: Client, m: Marking, sitting: Sitting
) -> None:
    response = _as(client, m.staff).get(reverse("exams:results-xlsx", args=[m.round.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    header = [sheet.cell(row=r, column=1).value for r in range(1, 6)]
    assert header[0] == m.round.organisation.name.upper()
    assert header[2] == "KẾT QUẢ ĐỢT KIỂM TRA THÁNG 11"
    assert "Ngày kiểm tra: 20/11/2026" in header[3]
    assert "CHƯA KÝ DUYỆT" in header[4]
    assert sheet.cell(row=8, column=2).value == sitting.person.full_name
    assert sheet.oddHeader.right.text.startswith("Trích xuất bởi ")  # issue 9
    event = AccessEvent.objects.get(kind="export")
    assert (event.rows, event.user_id, event.org_path) == (
        1,
        m.staff.pk,
        m.round.organisation.path,
    )


def test_the_statistics_page_draws_its_charts_as_inline_svg(
    client: Client, m: Marking, sitting: Sitting
) -> None:
    for answer in (_essay(m, sitting), _oral(m, sitting)):
        _score(answer, m.first, "1", "1")
        _score(answer, m.second, "1", "1")
    page = _as(client, m.first).get(reverse("exams:stats", args=[m.round.pk]))
    assert page.status_code == 200
    assert page.text.count("<svg") >= 2
    assert "<script" not in page.text.split("<main", 1)[1]
    assert 'class="review"' in page.text  # one candidate: every item is "too easy" or not


def test_the_statistics_page_is_for_the_board_and_staff(
    client: Client, m: Marking, tree: dict[str, Organisation]
) -> None:
    from dangvien.accounts.models import Role
    from dangvien.factories import user_with_role

    leader = user_with_role(Role.LEADER, tree["province"])
    assert _as(client, leader).get(reverse("exams:stats", args=[m.round.pk])).status_code == 403
    assert client.get(reverse("exams:results", args=[m.round.pk])).status_code == 200


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_question_and_disputes_pages_query_count_does_not_grow_with_rows(
    client: Client, m: Marking
) -> None:
    from dangvien.exams.actions.marking import resolve_dispute

    def add_disputed_and_settled() -> None:
        sitting = m.sitting({1: "B", 2: "Bài làm"})
        mark_objective(m.round, by=m.first)
        _score(_essay(m, sitting), m.first, "0", "0")
        _score(_essay(m, sitting), m.second, "2", "2")
        resolve_dispute(_essay(m, sitting), points="2", note="Thống nhất", by=m.chair)
        other = m.sitting({1: "B", 2: "Bài làm"})
        mark_objective(m.round, by=m.first)
        _score(_essay(m, other), m.first, "0", "0")
        _score(_essay(m, other), m.second, "2", "2")

    item = reverse("exams:mark-item", args=[m.round.pk, m.item(2).version_id])
    disputes = reverse("exams:mark-disputes", args=[m.round.pk])
    add_disputed_and_settled()
    few = (_queries(_as(client, m.first), item), _queries(_as(client, m.chair), disputes))
    for _ in range(3):
        add_disputed_and_settled()
    many = (_queries(_as(client, m.first), item), _queries(_as(client, m.chair), disputes))
    assert many == few
    assert "Thống nhất" in client.get(disputes).text
