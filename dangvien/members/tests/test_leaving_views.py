"""Wiring of the leaving area's pages: the member's panel and moves, the departures page
(login, scope 404, role 403, flat query counts)."""

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangvien.accounts.models import Role
from dangvien.factories import make_member, user_with_role
from dangvien.members.actions import leaving as actions
from dangvien.members.models import Member, NeverReadmit, Proceeding, RemovalTrigger, Status
from dangvien.members.tests.test_leaving_actions import asked, branch_with, propose, staff

pytestmark = pytest.mark.django_db


def test_the_member_page_shows_the_removal_under_way(client: Client, tree: Any) -> None:
    by = staff(tree)
    member, *_others = branch_with(tree["village"], 6)
    asked(member, by, times=2, trigger=RemovalTrigger.RETURNED_CARD)
    client.force_login(by)
    page = client.get(reverse("members:detail", args=[member.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="leaving-panel"' in body
    assert "Tự trả lại hoặc hủy thẻ đảng viên" in body
    assert "chi ủy đã yêu cầu 2/3 lần" in body
    assert 'data-move="propose-removal"' in body
    assert 'data-move="record-self-review"' in body
    assert 'data-move="decide-removal"' not in body  # the secretary does not decide


def test_the_member_page_of_an_active_member_without_proceedings_has_no_panel(
    client: Client, tree: Any
) -> None:
    member = make_member(branch=tree["village"])
    client.force_login(staff(tree))
    body = client.get(reverse("members:detail", args=[member.pk])).content.decode()
    assert 'id="leaving-panel"' not in body
    assert 'data-move="request-self-review"' in body
    assert 'data-move="record-death"' in body


def test_a_removed_member_shows_the_complaint_window_and_never_readmit(
    client: Client, tree: Any
) -> None:
    by = staff(tree)
    member, *_others = branch_with(tree["village"], 6)
    asked(member, by)
    propose(member, by)
    board = user_with_role(Role.BOARD_STAFF, tree["commune"])
    actions.decide_removal(
        member, by=board, decision_no="QĐ-1", decided_on=date(2026, 10, 1), removed=True
    )
    Member.objects.filter(pk=member.pk).update(never_readmit=NeverReadmit.LEFT_MEETINGS)
    client.force_login(board)
    body = client.get(reverse("members:detail", args=[member.pk])).content.decode()
    assert "Hạn khiếu nại" in body
    assert 'id="never-readmit"' in body and "Tự ý bỏ sinh hoạt đảng" in body
    assert "Số QĐ-1, ngày 01/10/2026" in body


def test_the_self_review_request_posts_from_the_member_page(client: Client, tree: Any) -> None:
    member = make_member(branch=tree["village"])
    client.force_login(staff(tree))
    url = reverse("members:move", args=[member.pk, "request-self-review"])
    response = client.post(
        url,
        {
            "request-self-review-requested_on": "03/08/2026",
            "request-self-review-trigger": RemovalTrigger.FAILED_STANDARDS,
            "request-self-review-reason": "Hai năm liền không hoàn thành nhiệm vụ",
        },
    )
    assert response.status_code == 302
    assert Proceeding.objects.get(member=member).self_review_requests == 1


def test_a_refused_exit_shows_its_message_in_the_htmx_panel(client: Client, tree: Any) -> None:
    by = staff(tree)
    member = make_member(branch=tree["village"])
    asked(member, by, times=1)
    client.force_login(by)
    response = client.post(
        reverse("members:move", args=[member.pk, "request-exit"]),
        {"request-exit-requested_on": "03/08/2026", "request-exit-reason": "Gia đình"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    assert "đang bị xem xét xóa tên" in response.content.decode()


def test_the_secretary_may_not_record_an_expulsion(client: Client, tree: Any) -> None:
    member = make_member(branch=tree["village"])
    client.force_login(staff(tree))
    response = client.post(
        reverse("members:move", args=[member.pk, "record-expulsion"]),
        {"record-expulsion-decision_no": "QĐ", "record-expulsion-decided_on": "01/10/2026"},
    )
    assert response.status_code == 403
    assert Member.objects.get(pk=member.pk).status == Status.OFFICIAL


def test_the_departures_page_lists_who_left_and_the_open_proceedings(
    client: Client, tree: Any
) -> None:
    by = staff(tree)
    gone = make_member(branch=tree["village"])
    actions.record_death(gone, by=by, died_on=date(2026, 6, 1), note="Tuổi cao")
    pending, *_others = branch_with(tree["village"], 6)
    asked(pending, by)
    propose(pending, by)
    client.force_login(user_with_role(Role.BOARD_STAFF, tree["commune"]))
    page = client.get(reverse("members:leaving"), {"year": "2026"})
    assert page.status_code == 200
    body = page.content.decode()
    assert gone.person.full_name in body and "01/06/2026" in body
    assert "Từ trần: Tuổi cao" in body
    assert "Chi bộ đã đề nghị" in body and pending.person.full_name in body
    assert "(5/6, 15/09/2026)" in body
    assert reverse("members:leaving") == "/dang-vien/ra-khoi-dang/"
    assert (
        gone.person.full_name
        not in client.get(reverse("members:leaving"), {"year": "2025"}).content.decode()
    )
    assert (
        gone.person.full_name
        not in client.get(
            reverse("members:leaving"), {"year": "all", "kind": "expelled"}
        ).content.decode()
    )
    partial = client.get(reverse("members:leaving"), HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="results">')


def test_the_departures_page_answers_404_for_an_organisation_outside_the_scope(
    client: Client, tree: Any
) -> None:
    client.force_login(staff(tree))
    response = client.get(reverse("members:leaving"), {"organisation": tree["other_branch"].pk})
    assert response.status_code == 404
    assert (
        client.get(reverse("members:leaving"), {"organisation": tree["village"].pk}).status_code
        == 200
    )


def test_the_departures_page_asks_for_login(client: Client) -> None:
    response = client.get(reverse("members:leaving"))
    assert response.status_code == 302


def test_the_departures_page_runs_the_same_queries_for_3_or_30_rows(
    client: Client, tree: Any
) -> None:
    by = staff(tree)
    client.force_login(user_with_role(Role.BOARD_STAFF, tree["commune"]))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("members:leaving"), {"year": "all"}).status_code == 200
        return len(ctx.captured_queries)

    def add(n: int) -> None:
        for _ in range(n):
            actions.record_death(
                make_member(branch=tree["village"]), by=by, died_on=date(2026, 6, 1)
            )
            asked(make_member(branch=tree["school_branch"]), by, times=1)

    add(3)
    few = count()
    add(27)
    assert count() == few
