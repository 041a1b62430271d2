"""Wiring of the screening pages: login, scope 404, role 403, the forms of the next legal
moves only, refusals shown with 409, flat query counts. The rules themselves are in
``test_actions.py``."""

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangvien.accounts.models import Role, User
from dangvien.factories import make_member, user_with_role
from dangvien.members.models import Member, Proceeding, ProceedingKind
from dangvien.organisations.models import Organisation
from dangvien.screening.models import ScreeningCase, State
from dangvien.screening.tests.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(tree: dict[str, Organisation]) -> list[Member]:
    return [make_member(branch=tree["village"]) for _ in range(6)]


def ballot_data(member: Member, **kw: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "member": member.pk,
        "criteria": ["duties", "meetings_dues"],
        "grounds": "Không thực hiện nhiệm vụ chi bộ phân công",
        "ballot_on": "10/03/2026",
        "in_favour": 4,
        "against": 2,
        "invalid": 0,
        "resolution_no": "05-NQ/CB",
    }
    data.update(kw)
    return data


def helper_data(helper: Member, help_from: str) -> dict[str, Any]:
    """The helper move: ``helper`` from ``help_from`` until 05/09/2026."""
    return {
        "move": "helper",
        "helper": helper.pk,
        "help_from": help_from,
        "help_until": "05/09/2026",
    }


# ---- list ------------------------------------------------------------------------------


def test_the_list_needs_a_login(client: Client) -> None:
    response = client.get(reverse("screening:list"))
    assert response.status_code == 302
    assert "/login" in response["Location"] or "dang-nhap" in response["Location"]


def test_the_list_shows_the_cases_in_scope_and_the_ballot_button(
    client: Client, tree: dict[str, Organisation], secretary: User, members: list[Member]
) -> None:
    make_case(members[0], State.LISTED)
    outside = make_member(branch=tree["other_branch"])
    make_case(outside, State.HELPING)
    client.force_login(secretary)
    response = client.get(reverse("screening:list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert members[0].person.full_name in body
    assert outside.person.full_name not in body
    assert reverse("screening:new", args=[tree["village"].pk]) in body
    assert "Phân công đảng viên giúp đỡ (rà soát, sàng lọc)" in body  # the to-do


def test_the_list_of_a_node_outside_the_scope_is_404(
    client: Client, tree: dict[str, Organisation], secretary: User
) -> None:
    client.force_login(secretary)
    response = client.get(reverse("screening:list"), {"node": tree["other_commune"].pk})
    assert response.status_code == 404


def test_the_list_filters_by_state_and_year(
    client: Client, tree: dict[str, Organisation], secretary: User, members: list[Member]
) -> None:
    make_case(members[0], State.IMPROVED, ballot_on=date(2025, 3, 1))
    make_case(members[1], State.LISTED, ballot_on=date(2026, 3, 1))
    client.force_login(secretary)

    def results(**params: str) -> str:
        body = client.get(reverse("screening:list"), params).content.decode()
        return body.split('id="results"')[1]

    body = results(state="improved")
    assert members[0].person.full_name in body and members[1].person.full_name not in body
    body = results(year="2026")
    assert members[1].person.full_name in body and members[0].person.full_name not in body


def test_the_list_query_count_does_not_grow_with_the_cases(
    client: Client, tree: dict[str, Organisation], secretary: User
) -> None:
    client.force_login(secretary)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("screening:list")).status_code == 200
        return len(captured.captured_queries)

    helper = make_member(branch=tree["village"])
    for _ in range(2):
        make_case(make_member(branch=tree["village"]), State.HELPING, helper=helper)
    few = count()
    for _ in range(15):
        make_case(make_member(branch=tree["village"]), State.HELPING, helper=helper)
    assert count() == few


# ---- new ballot --------------------------------------------------------------------------


def test_the_ballot_page_shows_the_denominator_and_the_votes_needed(
    client: Client, tree: dict[str, Organisation], secretary: User, members: list[Member]
) -> None:
    make_member(branch=tree["village"], exempted_since=date(2025, 1, 1))
    client.force_login(secretary)
    response = client.get(reverse("screening:new", args=[tree["village"].pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert '<strong id="denominator">6</strong>' in body
    assert '<strong id="needed">4</strong>' in body
    assert members[0].person.full_name in body


def test_the_ballot_base_refreshes_for_the_date_typed(
    client: Client, tree: dict[str, Organisation], secretary: User, members: list[Member]
) -> None:
    client.force_login(secretary)
    response = client.get(
        reverse("screening:new", args=[tree["village"].pk]),
        {"ballot_on": "01/01/2011"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<section class="card screening-base"')
    assert "ngày 01/01/2011" in body
    assert '<strong id="denominator">0</strong>' in body  # recognised in March 2011
    assert "phải có ít nhất 3 đảng viên chính thức" in body


def test_the_ballot_page_of_a_branch_outside_the_scope_is_404(
    client: Client, tree: dict[str, Organisation], secretary: User
) -> None:
    client.force_login(secretary)
    for node in (tree["other_branch"], tree["commune"]):
        assert client.get(reverse("screening:new", args=[node.pk])).status_code == 404


def test_the_ballot_page_is_403_for_a_role_without_the_chi_bo_s_moves(
    client: Client, tree: dict[str, Organisation]
) -> None:
    client.force_login(user_with_role(Role.LEADER, tree["province"]))
    assert client.get(reverse("screening:new", args=[tree["village"].pk])).status_code == 403


def test_posting_a_ballot_records_it_and_opens_the_case(
    client: Client, tree: dict[str, Organisation], secretary: User, members: list[Member]
) -> None:
    client.force_login(secretary)
    response = client.post(
        reverse("screening:new", args=[tree["village"].pk]), ballot_data(members[0])
    )
    case = ScreeningCase.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("screening:case", args=[case.pk])
    assert (case.state, case.ballot_denominator, case.criteria) == (
        State.LISTED,
        6,
        ["duties", "meetings_dues"],
    )


def test_a_refused_ballot_shows_the_rule_and_keeps_nothing(
    client: Client, tree: dict[str, Organisation], secretary: User, members: list[Member]
) -> None:
    client.force_login(secretary)
    response = client.post(
        reverse("screening:new", args=[tree["village"].pk]),
        ballot_data(members[0], in_favour=5, against=2),
    )
    assert response.status_code == 409
    assert "vượt quá số đảng viên được tính tỷ lệ" in response.content.decode()
    assert not ScreeningCase.objects.exists()


def test_a_ballot_without_criteria_is_refused_with_the_rule(
    client: Client, tree: dict[str, Organisation], secretary: User, members: list[Member]
) -> None:
    client.force_login(secretary)
    data = ballot_data(members[0])
    del data["criteria"]
    response = client.post(reverse("screening:new", args=[tree["village"].pk]), data)
    assert response.status_code == 409
    assert "Cần chọn ít nhất một biểu hiện" in response.content.decode()


def test_a_malformed_ballot_answers_400(
    client: Client, tree: dict[str, Organisation], secretary: User, members: list[Member]
) -> None:
    client.force_login(secretary)
    data = ballot_data(members[0], in_favour="")
    response = client.post(reverse("screening:new", args=[tree["village"].pk]), data)
    assert response.status_code == 400
    assert not ScreeningCase.objects.exists()


# ---- the case ----------------------------------------------------------------------------


def test_the_case_page_offers_the_next_legal_moves_the_user_may_make(
    client: Client, tree: dict[str, Organisation], secretary: User, members: list[Member]
) -> None:
    case = make_case(members[0], State.LISTED)
    client.force_login(secretary)
    body = client.get(reverse("screening:case", args=[case.pk])).content.decode()
    assert 'data-move="helper"' in body
    assert 'data-move="improved"' not in body and 'data-move="decide"' not in body
    board = user_with_role(Role.BOARD_STAFF, tree["commune"])  # decides only
    client.force_login(board)
    body = client.get(reverse("screening:case", args=[case.pk])).content.decode()
    assert 'data-move="' not in body
    assert "Tài khoản của bạn chỉ được xem hồ sơ này." in body


def test_the_case_page_shows_the_ballot_and_history(
    client: Client, tree: dict[str, Organisation], secretary: User, members: list[Member]
) -> None:
    client.force_login(secretary)
    client.post(reverse("screening:new", args=[tree["village"].pk]), ballot_data(members[0]))
    case = ScreeningCase.objects.get()
    body = client.get(reverse("screening:case", args=[case.pk])).content.decode()
    assert "<strong>4/6</strong> phiếu đồng ý" in body
    assert "Đạt ít nhất 2/3" in body
    assert 'data-state="listed"' in body
    assert reverse("members:detail", args=[members[0].pk]) in body


def test_the_case_page_outside_the_scope_is_404(
    client: Client, tree: dict[str, Organisation], secretary: User
) -> None:
    case = make_case(make_member(branch=tree["other_branch"]))
    client.force_login(secretary)
    assert client.get(reverse("screening:case", args=[case.pk])).status_code == 404
    response = client.post(reverse("screening:case", args=[case.pk]), {"move": "helper"})
    assert response.status_code == 404


def test_posting_a_helper_moves_the_case_on(
    client: Client, secretary: User, members: list[Member]
) -> None:
    case = make_case(members[0], State.LISTED, ballot_on=date(2026, 3, 1))
    client.force_login(secretary)
    response = client.post(
        reverse("screening:case", args=[case.pk]),
        helper_data(members[1], help_from="05/03/2026"),
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.helper) == (State.HELPING, members[1])


def test_a_refused_move_shows_the_rule_beside_the_form(
    client: Client, secretary: User, members: list[Member]
) -> None:
    case = make_case(members[0], State.LISTED, ballot_on=date(2026, 3, 1))
    client.force_login(secretary)
    response = client.post(
        reverse("screening:case", args=[case.pk]),
        helper_data(members[1], help_from="05/03/2025"),
    )
    assert response.status_code == 409
    assert "Ngày bắt đầu giúp đỡ trước ngày chi bộ bỏ phiếu" in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.LISTED


def test_a_move_the_state_does_not_allow_answers_409(
    client: Client, secretary: User, members: list[Member]
) -> None:
    case = make_case(members[0], State.LISTED)
    client.force_login(secretary)
    response = client.post(
        reverse("screening:case", args=[case.pk]), {"move": "improved", "on": "01/06/2026"}
    )
    assert response.status_code == 409
    assert "khi hồ sơ ở bước “Đưa vào diện giáo dục, giúp đỡ”" in response.content.decode()


def test_a_move_the_role_does_not_cover_answers_403(
    client: Client, tree: dict[str, Organisation], members: list[Member]
) -> None:
    case = make_case(members[0], State.LISTED)
    client.force_login(user_with_role(Role.LEADER, tree["province"]))
    response = client.post(reverse("screening:case", args=[case.pk]), {"move": "helper"})
    assert response.status_code == 403


def test_an_unknown_move_is_404(client: Client, secretary: User, members: list[Member]) -> None:
    case = make_case(members[0], State.LISTED)
    client.force_login(secretary)
    response = client.post(reverse("screening:case", args=[case.pk]), {"move": "delete"})
    assert response.status_code == 404


def test_a_removal_waiting_for_the_member_page_offers_no_decision_form(
    client: Client, tree: dict[str, Organisation], members: list[Member]
) -> None:
    proceeding = Proceeding.objects.create(
        member=members[0], kind=ProceedingKind.REMOVAL, opened_on=date(2026, 3, 1)
    )
    case = make_case(members[0], State.PROPOSED_REMOVAL, proceeding=proceeding)
    client.force_login(user_with_role(Role.GRASSROOTS_STAFF, tree["commune"]))
    body = client.get(reverse("screening:case", args=[case.pk])).content.decode()
    assert 'data-move="decide"' not in body
    assert "Tiếp tục trên trang đảng viên; khi cấp ủy đã quyết định" in body


def test_deciding_an_expulsion_from_the_page_records_it_on_the_member(
    client: Client, tree: dict[str, Organisation], members: list[Member]
) -> None:
    case = make_case(
        members[0],
        State.PROPOSED_EXPULSION,
        outcome_on=date(2026, 3, 1),
        outcome_note="Vi phạm nghiêm trọng",
    )
    client.force_login(user_with_role(Role.BOARD_STAFF, tree["commune"]))
    url = reverse("screening:case", args=[case.pk])
    assert 'data-move="decide"' in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "move": "decide",
            "upheld": "yes",
            "decision_no": "31-QĐ/UBKT",
            "decided_on": "02/04/2026",
            "body": "Ủy ban Kiểm tra Đảng ủy xã",
            "never_readmit": "",
        },
    )
    assert response.status_code == 302
    members[0].refresh_from_db()
    assert members[0].status == "expelled"


def test_a_case_whose_member_has_left_offers_no_chi_bo_step(
    client: Client, secretary: User, members: list[Member]
) -> None:
    case = make_case(members[0], State.LISTED)
    Member.objects.filter(pk=members[0].pk).update(status="deceased")
    client.force_login(secretary)
    body = client.get(reverse("screening:case", args=[case.pk])).content.decode()
    assert 'data-move="' not in body
    assert "Đảng viên không còn sinh hoạt đảng (đã từ trần): hồ sơ không tiếp tục." in body
