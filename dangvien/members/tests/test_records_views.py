"""Pages of the records area: the badges-due list, the never-readmit list, the member's
panel and the moves posted from the member's page (wiring, not the rules again)."""

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangvien.accounts.models import Role, User
from dangvien.factories import make_member, user_with_role
from dangvien.members.models import Badge, Gap, NeverReadmit, Status


@pytest.fixture
def province_board(tree: dict[str, Any]) -> User:
    return user_with_role(Role.BOARD_STAFF, tree["province"])


@pytest.fixture
def board(tree: dict[str, Any]) -> User:
    return user_with_role(Role.BOARD_STAFF, tree["commune"])


def test_the_badges_due_page_lists_the_members_due_at_the_award_day(
    client: Client, tree: Any, board: User
) -> None:
    due = make_member(branch=tree["village"], admitted_on=date(1997, 1, 15))
    make_member(branch=tree["village"], admitted_on=date(2000, 1, 1))
    elsewhere = make_member(branch=tree["other_branch"], admitted_on=date(1997, 1, 15))
    client.force_login(board)
    response = client.get(reverse("members:badges-due"), {"award_day": "2027-02-03"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Đảng viên được xét tặng Huy hiệu Đảng" in page
    assert "Dịp 03/02/2027" in page
    assert reverse("members:detail", args=[due.pk]) in page
    assert reverse("members:detail", args=[elsewhere.pk]) not in page
    assert "30 năm" in page
    assert "15/01/1997" in page


def test_the_badges_due_page_defaults_to_the_next_award_day_and_filters(
    client: Client, tree: Any, board: User
) -> None:
    make_member(branch=tree["school_branch"], admitted_on=date(1970, 1, 1))
    client.force_login(board)
    response = client.get(
        reverse("members:badges-due"), {"organisation": tree["village"].pk, "years": "55"}
    )
    assert response.status_code == 200
    assert "Không có đảng viên nào đến mốc" in response.content.decode()
    fragment = client.get(
        reverse("members:badges-due"),
        {"award_day": "03/02/2027", "organisation": tree["school"].pk},
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200
    assert "<html" not in fragment.content.decode()
    assert "55 năm" in fragment.content.decode()


def test_the_badges_due_page_answers_404_for_an_organisation_outside_the_scope(
    client: Client, tree: Any, board: User
) -> None:
    client.force_login(board)
    response = client.get(reverse("members:badges-due"), {"organisation": tree["other_branch"].pk})
    assert response.status_code == 404
    response = client.get(
        reverse("members:never-readmit"), {"organisation": tree["other_branch"].pk}
    )
    assert response.status_code == 404


def test_the_badges_due_page_runs_the_same_queries_for_3_or_30_rows(
    client: Client, tree: Any, board: User
) -> None:
    client.force_login(board)

    def add(n: int) -> None:
        for _ in range(n):
            member = make_member(branch=tree["village"], admitted_on=date(1980, 1, 1))
            Gap.objects.create(
                member=member, from_on=date(1990, 1, 1), until_on=date(1991, 1, 1), reason="x"
            )

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("members:badges-due")).status_code == 200
        return len(captured.captured_queries)

    add(3)
    few = count()
    add(27)
    assert count() == few


def test_the_never_readmit_page_lists_the_list_in_scope(
    client: Client, tree: Any, board: User
) -> None:
    listed = make_member(
        branch=tree["village"],
        status=Status.REMOVED,
        left_on=date(2022, 1, 1),
        never_readmit=NeverReadmit.LEFT_MEETINGS,
    )
    make_member(branch=tree["village"], status=Status.REMOVED, left_on=date(2022, 1, 1))
    outside = make_member(
        branch=tree["other_branch"],
        status=Status.EXPELLED,
        left_on=date(2022, 1, 1),
        never_readmit=NeverReadmit.CORRUPTION,
    )
    client.force_login(board)
    response = client.get(reverse("members:never-readmit"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Danh sách không xem xét kết nạp lại" in page
    assert reverse("members:detail", args=[listed.pk]) in page
    assert "Tự ý bỏ sinh hoạt đảng" in page
    assert reverse("members:detail", args=[outside.pk]) not in page
    assert "1 người" in page


def test_the_member_page_explains_party_age_with_gaps_and_badges(
    client: Client, tree: Any, board: User
) -> None:
    member = make_member(
        branch=tree["village"],
        admitted_on=date(2004, 1, 1),
        first_admitted_on=date(1990, 3, 1),
        readmitted_on=date(2004, 1, 1),
        card_number="0123456789",
        card_issued_on=date(2025, 9, 1),
    )
    Gap.objects.create(
        member=member,
        from_on=date(2000, 1, 1),
        until_on=date(2004, 1, 1),
        reason="Thời gian ra khỏi Đảng đến khi kết nạp lại",
    )
    Badge.objects.create(member=member, years=30, awarded_on=date(2024, 5, 19), decision_no="77")
    client.force_login(board)
    response = client.get(reverse("members:detail", args=[member.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="records-panel"' in page
    assert "Kết nạp lần đầu" in page
    assert "01/03/1990" in page
    assert "01/01/2000 – 01/01/2004: 1.461 ngày" in page
    assert "30 năm tuổi Đảng" in page
    assert "19/05/2024" in page


def test_a_probationary_member_without_records_has_no_panel(
    client: Client, tree: Any, board: User
) -> None:
    member = make_member(
        branch=tree["village"], status=Status.PROBATIONARY, admitted_on=date(2026, 1, 5)
    )
    client.force_login(board)
    page = client.get(reverse("members:detail", args=[member.pk])).content.decode()
    assert 'id="records-panel"' not in page


def test_the_province_is_offered_readmission_and_badges_not_the_commune(
    client: Client, tree: Any, board: User, province_board: User
) -> None:
    left = make_member(branch=tree["village"], status=Status.REMOVED, left_on=date(2020, 1, 1))
    official = make_member(branch=tree["village"], admitted_on=date(1970, 1, 1))
    client.force_login(province_board)
    assert (
        'data-move="readmit"'
        in client.get(reverse("members:detail", args=[left.pk])).content.decode()
    )
    page = client.get(reverse("members:detail", args=[official.pk])).content.decode()
    assert 'data-move="award-badge"' in page
    client.force_login(board)
    page = client.get(reverse("members:detail", args=[official.pk])).content.decode()
    assert 'data-move="award-badge"' not in page
    assert 'data-move="issue-card"' in page
    left_page = client.get(reverse("members:detail", args=[left.pk])).content.decode()
    assert 'data-move="readmit"' not in left_page
    assert 'data-move="mark-never-readmit"' in left_page


def test_readmission_is_not_offered_to_someone_on_the_never_readmit_list(
    client: Client, tree: Any, province_board: User
) -> None:
    member = make_member(
        branch=tree["village"],
        status=Status.REMOVED,
        left_on=date(2020, 1, 1),
        never_readmit=NeverReadmit.DISUNITY,
    )
    client.force_login(province_board)
    page = client.get(reverse("members:detail", args=[member.pk])).content.decode()
    assert 'data-move="readmit"' not in page
    assert "Gây mất đoàn kết nghiêm trọng" in page
    response = client.post(reverse("members:move", args=[member.pk, "readmit"]), {})
    assert response.status_code == 409


def test_issuing_a_card_from_the_member_page(client: Client, tree: Any, board: User) -> None:
    member = make_member(branch=tree["village"])
    client.force_login(board)
    url = reverse("members:move", args=[member.pk, "issue-card"])
    bad = client.post(url, {"card_number": member.person.citizen_id, "issued_on": "01/09/2025"})
    assert bad.status_code == 409
    assert "trùng số căn cước công dân" in bad.content.decode()
    response = client.post(url, {"card_number": "0123456789", "issued_on": "01/09/2025"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.card_number == "0123456789"
    missing = client.post(url, {"card_number": "", "issued_on": "01/09/2025"})
    assert missing.status_code == 400


def test_readmitting_from_the_member_page(client: Client, tree: Any, province_board: User) -> None:
    member = make_member(branch=tree["village"], status=Status.EXITED, left_on=date(2020, 5, 10))
    client.force_login(province_board)
    url = reverse("members:move", args=[member.pk, "readmit"])
    data = {
        "applied_on": "10/05/2023",
        "consent_no": "12-CV/TU",
        "consent_on": "01/08/2023",
        "decision_no": "45-QĐ/ĐU",
        "decided_on": "01/09/2023",
        "ceremony_on": "20/09/2023",
        "convicted": "on",
    }
    missing_date = client.post(url, data)
    assert missing_date.status_code == 400
    assert "Cần ghi ngày được xóa án tích." in missing_date.content.decode()
    data.pop("convicted")
    response = client.post(url, data)
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.status == Status.PROBATIONARY


def test_a_member_page_outside_the_scope_answers_404(
    client: Client, tree: Any, board: User
) -> None:
    member = make_member(branch=tree["other_branch"])
    client.force_login(board)
    assert client.get(reverse("members:detail", args=[member.pk])).status_code == 404
    url = reverse("members:move", args=[member.pk, "issue-card"])
    assert client.post(url, {"card_number": "1", "issued_on": "01/09/2025"}).status_code == 404
