"""The register page (/van-ban/so-van-ban/): the numbers of the user's bodies, filters,
and a number for a document made outside the system (issue 8)."""

from datetime import date
from typing import Any

from django.test import Client

from dangvien.accounts.models import Role
from dangvien.documents.actions.register import take_number
from dangvien.documents.models import IssuedDocument
from dangvien.factories import user_with_role
from dangvien.organisations.models import Organisation

Tree = dict[str, Organisation]
URL = "/van-ban/so-van-ban/"


def queries_used(call: Any) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def test_the_register_lists_the_numbers_of_the_users_bodies_only(
    client: Client, tree: Tree
) -> None:
    board = user_with_role(Role.BOARD_STAFF, tree["commune"])
    other = user_with_role(Role.BOARD_STAFF, tree["other_commune"])
    take_number(tree["commune"], "CV", on=date(2026, 2, 1), by=board, summary="Về việc A")
    take_number(tree["other_commune"], "CV", on=date(2026, 2, 1), by=other, summary="Về việc B")
    client.force_login(board)
    html = client.get(URL).content.decode()
    assert "01-CV/ĐU" in html and "Về việc A" in html and "Về việc B" not in html
    assert "01/02/2026" in html
    assert client.get(URL, {"year": "2025"}).content.decode().count("Về việc A") == 0
    assert client.get(URL, {"organisation": tree["other_commune"].pk}).status_code == 404


def test_a_number_for_an_outside_document_is_taken_from_the_page(
    client: Client, tree: Tree
) -> None:
    board = user_with_role(Role.BOARD_STAFF, tree["commune"])
    client.force_login(board)
    data = {
        "organisation": tree["commune"].pk,
        "series": "tb",
        "summary": "Thông báo lịch sinh hoạt",
        "issued_on": "15/03/2026",
    }
    answer = client.post(URL, data, follow=True)
    assert "Đã cấp số 01-TB/ĐU của Đảng bộ xã An Bình." in answer.content.decode()
    issued = IssuedDocument.objects.get()
    assert (issued.issued_on, issued.form, issued.by) == (date(2026, 3, 15), "", board)


def test_a_bad_date_or_a_bad_series_is_refused_on_the_page(client: Client, tree: Tree) -> None:
    client.force_login(user_with_role(Role.BOARD_STAFF, tree["commune"]))
    base = {"organisation": tree["commune"].pk, "series": "CV", "summary": "x"}
    bad_day = client.post(URL, {**base, "issued_on": "31/02/2026"})
    assert bad_day.status_code == 400
    assert "Ngày ban hành “31/02/2026” không hợp lệ" in bad_day.content.decode()
    bad_series = client.post(URL, {**base, "series": "C1", "issued_on": "01/03/2026"})
    assert bad_series.status_code == 409
    assert "chỉ gồm chữ cái" in bad_series.content.decode()
    assert not IssuedDocument.objects.exists()


def test_a_body_outside_the_users_registers_cannot_be_chosen(client: Client, tree: Tree) -> None:
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    answer = client.post(
        URL,
        {
            "organisation": tree["commune"].pk,
            "series": "CV",
            "summary": "x",
            "issued_on": "01/03/2026",
        },
    )
    assert answer.status_code == 400
    assert not IssuedDocument.objects.exists()


def test_a_leader_reads_the_register_without_the_form(client: Client, tree: Tree) -> None:
    client.force_login(user_with_role(Role.LEADER, tree["province"]))
    html = client.get(URL).content.decode()
    assert "Sổ đăng ký văn bản đi" in html and "soạn ngoài hệ thống" not in html


def test_the_register_pages_query_count_does_not_grow_with_rows(client: Client, tree: Tree) -> None:
    board = user_with_role(Role.BOARD_STAFF, tree["commune"])
    client.force_login(board)
    take_number(tree["commune"], "CV", on=date(2026, 2, 1), by=board, summary="Một")
    few = queries_used(lambda: client.get(URL))
    for n in range(6):
        take_number(tree["village"], "BC", on=date(2026, 2, 1), by=board, summary=f"Báo cáo {n}")
    assert queries_used(lambda: client.get(URL)) == few
