"""The sitting pages: the candidate's code, paper, autosave and submit under /thi/, and the
staff's monitor, open/close, keying grid and absence under /kiem-tra/dot/<pk>/lam-bai/."""

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dangvien.accounts.models import Role
from dangvien.exams.actions import sittings as actions
from dangvien.exams.models import (
    Answer,
    QuestionType,
    RoundStatus,
    Sitting,
    SittingStatus,
)
from dangvien.exams.tests.factories import add_board
from dangvien.exams.tests.factories_sittings import (
    Setup,
    online_sitting,
    paper_sitting,
    round_with_paper,
)
from dangvien.factories import make_user, user_with_role

pytestmark = pytest.mark.usefixtures("clear_cache")


@pytest.fixture
def setup(tree: dict[str, Any]) -> Setup:
    return round_with_paper(tree["commune"])


def enter(client: Client, code: str = "ABCD-2345") -> Any:
    return client.post(reverse("sitting:enter"), {"code": code})


def save(client: Client, item_id: int, response: Any) -> Any:
    return client.post(
        reverse("sitting:save", args=[item_id]),
        json.dumps({"response": response}),
        content_type="application/json",
    )


# ---- the candidate -----------------------------------------------------------------------


def test_the_candidate_enters_the_code_and_gets_the_written_items_in_the_variant_order(
    client, setup, tree
):
    sitting = online_sitting(setup, tree["village"])
    answer = enter(client, "abcd 2345")
    assert answer.status_code == 302 and answer.url == reverse("sitting:paper")
    page = client.get(reverse("sitting:paper"))
    html = page.content.decode()
    assert page.status_code == 200
    assert sitting.person.full_name in html
    single = setup.item(QuestionType.SINGLE)
    assert single.version.text in html
    assert setup.item(QuestionType.ORAL).version.text not in html  # asked in person
    # Options in the variant's order, lettered A, B, C, D as printed.
    texts = {o["key"]: o["text"] for o in single.version.options}
    positions = [html.index(texts[key]) for key in single.option_order]
    assert positions == sorted(positions)
    first = single.option_order[0]
    letter_a = f'name="item-{single.pk}" value="{first}"> <span class="sit-letter">A.</span>'
    assert letter_a in html
    # The countdown comes from the server's deadline.
    sitting.refresh_from_db()
    assert 'data-seconds-left="' in html
    left = int(html.split('data-seconds-left="')[1].split('"')[0])
    assert 45 * 60 - 5 <= left <= 45 * 60


def test_a_wrong_code_answers_409_with_the_vague_message(client, setup, tree):
    online_sitting(setup, tree["village"])
    answer = enter(client, "ZZZZ-0000")
    assert answer.status_code == 409
    assert "Mã dự thi không đúng, đã được sử dụng" in answer.content.decode()
    assert enter(client, "").status_code == 400


def test_too_many_wrong_codes_from_one_address_answer_429(client, setup, tree, monkeypatch):
    monkeypatch.setattr(actions, "CODE_FAILURE_LIMIT", 2)
    online_sitting(setup, tree["village"])
    enter(client, "ZZZZ-0000")
    enter(client, "ZZZZ-0001")
    answer = enter(client, "ABCD-2345")
    assert answer.status_code == 429
    assert "nhập sai mã quá nhiều lần" in answer.content.decode()


def test_every_answer_is_saved_at_once_and_shown_again_after_a_reload(client, setup, tree):
    online_sitting(setup, tree["village"])
    enter(client)
    single, multiple = setup.item(QuestionType.SINGLE), setup.item(QuestionType.MULTIPLE)
    first = save(client, single.pk, "C")
    assert first.status_code == 200
    body = first.json()
    assert body["ok"] is True and len(body["saved_at"]) == 8  # "10:32:05"
    assert save(client, multiple.pk, ["D", "A"]).status_code == 200
    assert save(client, setup.item(QuestionType.SHORT).pk, "Đại hội").status_code == 200
    html = client.get(reverse("sitting:paper")).content.decode()
    assert f'name="item-{single.pk}" value="C" checked' in html
    assert f'name="item-{multiple.pk}" value="A" checked' in html
    assert f'name="item-{multiple.pk}" value="D" checked' in html
    assert f'name="item-{multiple.pk}" value="B"> ' in html  # not ticked
    assert 'value="Đại hội"' in html
    assert html.count("Đã lưu lúc") == 3
    assert '<span id="answered-count">3</span>/5' in html


def test_a_response_of_the_wrong_shape_answers_400_with_the_reason(client, setup, tree):
    online_sitting(setup, tree["village"])
    enter(client)
    answer = save(client, setup.item(QuestionType.TRUE_FALSE).pk, "maybe")
    assert answer.status_code == 400
    assert answer.json()["message"] == "Trả lời “Đúng” hoặc “Sai”."
    bad_json = client.post(
        reverse("sitting:save", args=[setup.item(QuestionType.SINGLE).pk]),
        "{",
        content_type="application/json",
    )
    assert bad_json.status_code == 400


def test_the_candidate_cannot_reach_an_item_of_another_sitting(client, setup, tree):
    other = round_with_paper(tree["commune"])
    online_sitting(other, tree["village"], code="OTHE-R001")
    online_sitting(setup, tree["village"])
    enter(client)
    answer = save(client, other.item(QuestionType.SINGLE).pk, "A")
    assert answer.status_code == 404
    assert save(client, setup.item(QuestionType.ORAL).pk, "A").status_code == 404
    assert not Answer.objects.filter(response__isnull=False).exists()


def test_without_a_code_the_paper_and_autosave_are_closed(client, setup, tree):
    online_sitting(setup, tree["village"])
    assert client.get(reverse("sitting:paper")).url == reverse("sitting:enter")
    answer = save(client, setup.item(QuestionType.SINGLE).pk, "A")
    assert answer.status_code == 403 and answer.json()["closed"] is True


def test_submitting_leads_to_a_thank_you_page_that_shows_no_score(client, setup, tree):
    sitting = online_sitting(setup, tree["village"])
    enter(client)
    answer = client.post(reverse("sitting:submit"), {"auto": "0"})
    assert answer.url == reverse("sitting:done")
    Sitting.objects.filter(pk=sitting.pk).update(
        written_score=Decimal("7.25"), final_score=Decimal("7.25"), passed=True
    )
    page = client.get(reverse("sitting:done"))
    html = page.content.decode()
    assert "Cảm ơn bạn đã hoàn thành bài kiểm tra" in html
    assert "7,25" not in html and "7.25" not in html and "Đạt" not in html
    # The paper is closed now; saving is refused with the page told to leave.
    assert client.get(reverse("sitting:paper")).url == reverse("sitting:done")
    refused = save(client, setup.item(QuestionType.SINGLE).pk, "A")
    assert refused.status_code == 409 and refused.json()["closed"] is True


def test_the_auto_submit_at_time_out_is_recorded_as_timed_out(client, setup, tree):
    sitting = online_sitting(setup, tree["village"])
    enter(client)
    Sitting.objects.filter(pk=sitting.pk).update(deadline_at=timezone.now() - timedelta(seconds=5))
    client.post(reverse("sitting:submit"), {"auto": "1"})
    sitting.refresh_from_db()
    assert sitting.status == SittingStatus.SUBMITTED and sitting.timed_out


def test_a_sitting_past_its_time_is_submitted_when_the_page_is_read(client, setup, tree):
    sitting = online_sitting(setup, tree["village"])
    enter(client)
    Sitting.objects.filter(pk=sitting.pk).update(deadline_at=timezone.now() - timedelta(minutes=5))
    assert client.get(reverse("sitting:paper")).url == reverse("sitting:done")
    sitting.refresh_from_db()
    assert sitting.status == SittingStatus.SUBMITTED and sitting.timed_out


def test_entering_the_code_again_in_a_new_browser_resumes_the_same_paper(client, setup, tree):
    sitting = online_sitting(setup, tree["village"])
    enter(client)
    save(client, setup.item(QuestionType.SINGLE).pk, "D")
    other_browser = Client()
    assert enter(other_browser).status_code == 302
    html = other_browser.get(reverse("sitting:paper")).content.decode()
    assert f'name="item-{setup.item(QuestionType.SINGLE).pk}" value="D" checked' in html
    assert Sitting.objects.get(pk=sitting.pk).status == SittingStatus.IN_PROGRESS


# ---- staff -------------------------------------------------------------------------------


def monitor_url(setup: Setup) -> str:
    return reverse("exams:sit-monitor", args=[setup.round.pk])


def test_the_monitor_shows_who_started_time_left_and_answers(client, setup, tree, staff):
    working = online_sitting(setup, tree["village"])
    waiting = online_sitting(setup, tree["village"], code="WAIT-0001")
    sitting = actions.start_sitting("ABCD-2345")
    actions.save_answer(sitting, item=setup.item(QuestionType.SINGLE), response="A")
    actions.save_answer(sitting, item=setup.item(QuestionType.SHORT), response="Đại hội")
    client.force_login(staff)
    page = client.get(monitor_url(setup))
    html = page.content.decode()
    assert page.status_code == 200
    assert working.person.full_name in html and waiting.person.full_name in html
    assert "2/5" in html
    assert "Đang làm bài" in html and "Kết thúc làm bài" in html
    assert 'hx-trigger="every 10s"' in html
    # The htmx poll gets the table alone.
    part = client.get(monitor_url(setup), headers={"HX-Request": "true"}).content.decode()
    assert part.lstrip().startswith('<div id="monitor"') and "<html" not in part


def test_the_monitor_is_not_found_outside_the_scope(client, setup, tree):
    client.force_login(user_with_role(Role.BOARD_STAFF, tree["other_commune"]))
    assert client.get(monitor_url(setup)).status_code == 404


def test_the_monitor_query_count_does_not_grow_with_the_sittings(client, setup, tree, staff):
    client.force_login(staff)
    online_sitting(setup, tree["village"], code="AAAA-0001")
    client.get(monitor_url(setup))
    with CaptureQueriesContext(connection) as few:
        client.get(monitor_url(setup))
    for n in range(6):
        online_sitting(setup, tree["village"], code=f"BBBB-000{n}")
    with CaptureQueriesContext(connection) as many:
        client.get(monitor_url(setup))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_staff_open_and_close_the_round_from_the_monitor(client, tree, staff):
    setup = round_with_paper(tree["commune"], status=RoundStatus.PAPERS)
    no_show = online_sitting(setup, tree["village"])
    client.force_login(staff)
    assert "Mở đợt kiểm tra" in client.get(monitor_url(setup)).content.decode()
    opened = client.post(reverse("exams:sit-open", args=[setup.round.pk]))
    assert opened.status_code == 302
    setup.round.refresh_from_db()
    assert setup.round.status == RoundStatus.OPEN
    closed = client.post(reverse("exams:sit-close", args=[setup.round.pk]))
    assert closed.status_code == 302
    setup.round.refresh_from_db()
    no_show.refresh_from_db()
    assert setup.round.status == RoundStatus.MARKING
    assert no_show.status == SittingStatus.ABSENT


def test_a_refused_opening_answers_409_with_the_reason(client, tree, staff):
    setup = round_with_paper(tree["commune"], status=RoundStatus.PAPERS)
    online_sitting(setup, tree["village"], code="")
    client.force_login(staff)
    answer = client.post(reverse("exams:sit-open", args=[setup.round.pk]))
    assert answer.status_code == 409
    assert "chưa được cấp mã dự thi" in answer.content.decode()


def test_a_viewer_may_not_open_the_round(client, tree):
    setup = round_with_paper(tree["commune"], status=RoundStatus.PAPERS)
    online_sitting(setup, tree["village"])
    client.force_login(user_with_role(Role.LEADER, tree["province"]))
    html = client.get(monitor_url(setup)).content.decode()
    assert "Mở đợt kiểm tra" not in html
    assert client.post(reverse("exams:sit-open", args=[setup.round.pk])).status_code == 403


def test_a_board_member_keys_a_paper_sitting_through_the_grid(client, setup, tree):
    member = make_user()
    add_board(setup.round, make_user(), member)
    sitting = paper_sitting(setup, tree["village"])
    url = reverse("exams:sit-key", args=[setup.round.pk, sitting.pk])
    client.force_login(member)
    grid = client.get(url)
    assert grid.status_code == 200
    assert setup.item(QuestionType.ORAL).version.text not in grid.content.decode()
    single, multiple = setup.item(QuestionType.SINGLE), setup.item(QuestionType.MULTIPLE)
    tf = setup.item(QuestionType.TRUE_FALSE)
    answer = client.post(
        url,
        {
            f"item-{single.pk}": "B",
            f"item-{multiple.pk}": ["A", "C"],
            f"item-{tf.pk}": "true",
            f"item-{setup.item(QuestionType.SHORT).pk}": "Đại hội",
        },
    )
    assert answer.status_code == 302
    sitting.refresh_from_db()
    assert sitting.status == SittingStatus.SUBMITTED
    assert Answer.objects.get(sitting=sitting, item=tf).response is True
    assert Answer.objects.get(sitting=sitting, item=multiple).response is not None


def test_a_wrong_key_in_the_grid_answers_409_and_keeps_what_was_typed(client, setup, tree, staff):
    sitting = paper_sitting(setup, tree["village"])
    client.force_login(staff)
    short = setup.item(QuestionType.SHORT)
    answer = client.post(
        reverse("exams:sit-key", args=[setup.round.pk, sitting.pk]),
        {f"item-{short.pk}": "x" * 501, f"item-{setup.item(QuestionType.SINGLE).pk}": "C"},
    )
    html = answer.content.decode()
    assert answer.status_code == 409
    assert f"Câu {short.position}: Câu trả lời ngắn tối đa 500 ký tự." in html
    assert f'name="item-{setup.item(QuestionType.SINGLE).pk}" value="C" checked' in html


def test_the_keying_grid_is_not_found_for_an_outsider_and_forbidden_to_a_viewer(
    client, setup, tree
):
    sitting = paper_sitting(setup, tree["village"])
    url = reverse("exams:sit-key", args=[setup.round.pk, sitting.pk])
    client.force_login(user_with_role(Role.BOARD_STAFF, tree["other_commune"]))
    assert client.get(url).status_code == 404
    client.force_login(user_with_role(Role.LEADER, tree["province"]))
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403


def test_the_board_records_an_absent_candidate_from_the_monitor(client, setup, tree, staff):
    sitting = paper_sitting(setup, tree["village"])
    client.force_login(staff)
    answer = client.post(reverse("exams:sit-absent", args=[setup.round.pk, sitting.pk]))
    assert answer.status_code == 302
    sitting.refresh_from_db()
    assert sitting.status == SittingStatus.ABSENT
    again = client.post(reverse("exams:sit-absent", args=[setup.round.pk, sitting.pk]))
    assert again.status_code == 409
    assert "Chỉ ghi vắng mặt cho thí sinh chưa làm bài." in again.content.decode()


def test_staff_pages_need_a_login(client, setup):
    answer = client.get(monitor_url(setup))
    assert answer.status_code == 302 and "dang-nhap" in answer.url
