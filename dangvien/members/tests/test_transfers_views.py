"""Pages of the transfers area: the member page's panel and moves, the transfers page at
both ends of a scope (294-QĐ/TW §6.3) and the list of members working far away
(seed 004). Wiring only: the rules are in test_transfers_actions.py."""

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangvien.accounts.models import Role
from dangvien.core.calendar import add_working_days
from dangvien.factories import make_member, org, user_with_role
from dangvien.members.actions import transfers as actions
from dangvien.members.models import ExemptionReason, Transfer, TransferKind, TransferState
from dangvien.organisations.actions import update_organisation
from dangvien.organisations.models import Kind

ISSUED = date(2026, 6, 1)


@pytest.fixture
def cast(tree: Any) -> dict[str, Any]:
    return {
        "home": user_with_role(Role.BRANCH_SECRETARY, tree["village"]),
        "host": user_with_role(Role.BRANCH_SECRETARY, tree["school_branch"]),
        "outsider": user_with_role(Role.BRANCH_SECRETARY, tree["other_branch"]),
    }


def in_flight(member: Any, to: Any, issued_on: date = ISSUED, letter_no: str = "GT-9") -> Any:
    return actions.start_transfer(
        member,
        kind=TransferKind.PERMANENT,
        to_organisation=to,
        letter_no=letter_no,
        issued_on=issued_on,
        cause_on=issued_on,
        by=None,
    )


# ---- the member page -------------------------------------------------------------------


def test_the_member_page_shows_the_transfer_at_both_ends_and_404_elsewhere(client, tree, cast):
    member = make_member(branch=tree["village"])
    transfer = in_flight(member, tree["school_branch"])
    url = reverse("members:detail", args=[member.pk])
    for who in ("home", "host"):
        client.force_login(cast[who])
        page = client.get(url)
        assert page.status_code == 200
        text = page.content.decode()
        assert 'id="open-transfer"' in text
        assert "Giấy giới thiệu số GT-9" in text
        assert transfer.present_by.strftime("%d/%m/%Y") in text
        assert "Quá hạn" in text  # present_by is in the past
    client.force_login(cast["outsider"])
    assert client.get(url).status_code == 404


def test_the_destination_is_offered_only_the_receive_move(client, tree, cast):
    member = make_member(branch=tree["village"])
    in_flight(member, tree["school_branch"])
    url = reverse("members:detail", args=[member.pk])
    client.force_login(cast["host"])
    text = client.get(url).content.decode()
    assert 'data-move="receive-transfer"' in text
    assert 'data-move="cancel-transfer"' not in text
    client.force_login(cast["home"])
    text = client.get(url).content.decode()
    assert 'data-move="cancel-transfer"' in text
    assert 'data-move="receive-transfer"' not in text


def test_the_panel_is_left_out_when_there_is_nothing_to_show(client, tree, cast):
    member = make_member(branch=tree["village"])
    client.force_login(cast["home"])
    text = client.get(reverse("members:detail", args=[member.pk])).content.decode()
    assert 'id="transfers-panel"' not in text
    assert 'data-move="start-transfer"' in text


def test_a_transfer_started_on_the_page_and_received_by_the_destination(client, tree, cast):
    member = make_member(branch=tree["village"])
    client.force_login(cast["home"])
    response = client.post(
        reverse("members:move", args=[member.pk, "start-transfer"]),
        {
            "kind": "permanent",
            "to_organisation": tree["school_branch"].pk,
            "cause_on": "01/09/2026",
            "letter_no": "15-GT/ĐU",
            "issued_on": "15/09/2026",
        },
    )
    assert response.status_code == 302
    transfer = Transfer.objects.get(member=member)
    assert transfer.letter_no == "15-GT/ĐU"
    # The home end may not receive: 403.
    receive = reverse("members:move", args=[member.pk, "receive-transfer"])
    assert client.post(receive, {"received_on": "01/10/2026"}).status_code == 403
    client.force_login(cast["host"])
    assert client.post(receive, {"received_on": "01/10/2026"}).status_code == 302
    member.refresh_from_db()
    assert member.branch == tree["school_branch"]
    # The old branch's secretary no longer sees the member.
    client.force_login(cast["home"])
    assert client.get(reverse("members:detail", args=[member.pk])).status_code == 404


def test_a_late_receive_on_the_page_asks_for_the_reason(client, tree, cast):
    member = make_member(branch=tree["village"])
    transfer = in_flight(member, tree["school_branch"])
    late = add_working_days(transfer.present_by, 1).strftime("%d/%m/%Y")
    client.force_login(cast["host"])
    response = client.post(
        reverse("members:move", args=[member.pk, "receive-transfer"]), {"received_on": late}
    )
    assert response.status_code == 409
    assert "nộp chậm thì cần ghi lý do" in response.content.decode()


def test_the_panel_shows_the_exemption_and_far_away_status(client, tree, cast):
    member = make_member(branch=tree["village"])
    actions.exempt(member, reason=ExemptionReason.OLD_AGE, from_on=date(2026, 1, 5), by=None)
    actions.flag_far_away(member, since=date(2026, 2, 1), place="Cà Mau", by=None)
    client.force_login(cast["home"])
    text = client.get(reverse("members:detail", args=[member.pk])).content.decode()
    assert 'id="current-exemption"' in text and "Tuổi cao" in text
    assert 'id="far-away"' in text and "Cà Mau" in text
    assert "Quá 3 tháng chưa liên lạc" in text
    assert 'data-move="end-exemption"' in text and 'data-move="record-contact"' in text


# ---- the transfers page -----------------------------------------------------------------


def test_the_transfers_page_shows_both_ends_of_the_scope(client, tree, cast):
    member = make_member(branch=tree["village"])
    in_flight(member, tree["school_branch"])
    url = reverse("members:transfers")
    client.force_login(cast["home"])
    text = client.get(url).content.decode()
    assert member.person.full_name in text and "Chuyển đi" in text
    assert 'class="overdue"' in text and "Quá hạn nộp" in text
    client.force_login(cast["host"])
    text = client.get(url, {"direction": "in"}).content.decode()
    assert member.person.full_name in text and "Chuyển đến" in text
    assert member.person.full_name not in client.get(url, {"direction": "out"}).content.decode()
    client.force_login(cast["outsider"])
    assert member.person.full_name not in client.get(url).content.decode()


def test_the_transfers_page_filters_by_kind_and_state(client, tree, cast):
    a = make_member(branch=tree["village"])
    b = make_member(branch=tree["village"])
    in_flight(a, tree["school_branch"])
    done = in_flight(b, tree["other_branch"], letter_no="GT-10")
    actions.receive_transfer(b, received_on=done.present_by, by=None)
    client.force_login(cast["home"])
    url = reverse("members:transfers")
    text = client.get(url).content.decode()
    assert a.person.full_name in text and b.person.full_name not in text
    text = client.get(url, {"state": TransferState.RECEIVED}).content.decode()
    assert b.person.full_name in text and a.person.full_name not in text
    assert "GT-10" in text
    text = client.get(url, {"kind": TransferKind.TEMPORARY}).content.decode()
    assert a.person.full_name not in text


def test_the_transfers_page_answers_404_for_an_organisation_outside_the_scope(client, tree, cast):
    client.force_login(cast["home"])
    url = reverse("members:transfers")
    assert client.get(url, {"organisation": tree["other_commune"].pk}).status_code == 404
    assert client.get(url, {"organisation": tree["village"].pk}).status_code == 200


def test_the_transfers_page_needs_a_login(client):
    assert client.get(reverse("members:transfers")).status_code == 302


def test_the_transfers_page_runs_the_same_queries_for_2_or_12_rows(client, tree, cast):
    def count() -> int:
        client.force_login(cast["home"])
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("members:transfers")).status_code == 200
        return len(captured.captured_queries)

    for _ in range(2):
        in_flight(make_member(branch=tree["village"]), tree["school_branch"])
    few = count()
    for _ in range(10):
        in_flight(make_member(branch=tree["village"]), tree["other_branch"])
    assert count() == few


# ---- members working far away -----------------------------------------------------------


def test_the_far_away_page_lists_members_and_flags_long_silences(client, tree, cast):
    quiet = make_member(branch=tree["village"])
    recent = make_member(branch=tree["village"])
    actions.flag_far_away(quiet, since=date(2026, 1, 10), place="Bình Dương", by=None)
    actions.flag_far_away(recent, since=date(2026, 1, 10), place="Đà Nẵng", by=None)
    actions.record_contact(recent, contacted_on=date.today(), by=None)
    make_member(branch=tree["village"])  # at home: not listed
    client.force_login(cast["home"])
    url = reverse("members:far-away")
    text = client.get(url).content.decode()
    assert "Bình Dương" in text and "Đà Nẵng" in text
    assert text.count('class="overdue"') == 1
    text = client.get(url, {"no_contact": "1"}).content.decode()
    assert "Bình Dương" in text and "Đà Nẵng" not in text
    client.force_login(cast["outsider"])
    assert "Bình Dương" not in client.get(url).content.decode()
    assert client.get(url, {"organisation": tree["commune"].pk}).status_code == 404


# ---- the destination is searched, not listed (issue 9: 280,000 chi bộ nationally) -------


def test_the_transfer_form_asks_for_a_search_not_a_list_of_every_branch(client, tree, cast):
    member = make_member(branch=tree["village"])
    client.force_login(cast["home"])
    page = client.get(reverse("members:detail", args=[member.pk])).content.decode()
    assert 'name="to_organisation__tim"' in page
    assert tree["other_branch"].name not in page.split('name="to_organisation__tim"', 1)[1][:2000]
    assert '<select name="to_organisation"' not in page


def test_the_search_finds_branches_anywhere_by_their_name_or_their_superiors(client, tree, cast):
    client.force_login(cast["home"])
    url = reverse("organisations:branch-search")
    word = tree["other_branch"].name.split()[-1]
    found = client.get(url, {"field": "to_organisation", "to_organisation__tim": word}).content
    assert f'value="{tree["other_branch"].pk}"'.encode() in found  # outside the user's scope
    both = f"{tree['school_branch'].name.split()[-1]} {tree['school_branch'].parent.name}"
    found = client.get(url, {"field": "to_organisation", "to_organisation__tim": both}).content
    assert f'value="{tree["school_branch"].pk}"'.encode() in found


def test_the_search_finds_a_branch_typed_without_diacritics_or_in_capitals(client, tree, cast):
    """Office keyboards often have no Vietnamese input: "thon dong" finds "Chi bộ Thôn
    Đông", and so does "THÔN ĐÔNG"; the whole name typed comes first."""
    near = org(Kind.BRANCH, parent=tree["other_branch"].parent, name="Chi bộ Thôn Đông Hải")
    exact = org(Kind.BRANCH, parent=tree["other_branch"].parent, name="Chi bộ Thôn Đông")
    other = org(Kind.BRANCH, parent=tree["other_branch"].parent, name="Chi bộ Thôn Tây")
    client.force_login(cast["home"])
    url = reverse("organisations:branch-search")
    for typed in ("thon dong", "THÔN ĐÔNG", "Thôn Đong"):
        found = client.get(url, {"field": "to_organisation", "to_organisation__tim": typed})
        page = found.content.decode()
        assert f'value="{exact.pk}"' in page and f'value="{near.pk}"' in page, typed
        assert f'value="{other.pk}"' not in page
    found = client.get(
        url, {"field": "to_organisation", "to_organisation__tim": "chi bo thon dong"}
    )
    page = found.content.decode()
    assert page.index(f'value="{exact.pk}"') < page.index(f'value="{near.pk}"')


def test_a_renamed_branch_is_found_by_its_new_name_only(client, tree, cast):
    branch = org(Kind.BRANCH, parent=tree["other_branch"].parent, name="Chi bộ Khu phố Một")
    update_organisation(branch, by=None, name="Chi bộ Khu phố Hòa Bình")
    client.force_login(cast["home"])
    url = reverse("organisations:branch-search")
    new = client.get(url, {"field": "to_organisation", "to_organisation__tim": "hoa binh"})
    old = client.get(url, {"field": "to_organisation", "to_organisation__tim": "khu pho mot"})
    assert f'value="{branch.pk}"' in new.content.decode()
    assert f'value="{branch.pk}"' not in old.content.decode()


def test_the_search_leaves_out_the_members_own_branch_and_says_when_nothing_matches(
    client, tree, cast
):
    client.force_login(cast["home"])
    url = reverse("organisations:branch-search")
    own = tree["village"]
    params = {"field": "to_organisation", "to_organisation__tim": own.name, "exclude": own.pk}
    assert f'value="{own.pk}"'.encode() not in client.get(url, params).content
    params["to_organisation__tim"] = "không có chi bộ nào tên này"
    assert "Không tìm thấy chi bộ nào" in client.get(url, params).content.decode()
    assert client.get(url, {"field": "x y"}).status_code == 404


def test_a_form_sent_back_with_an_error_keeps_the_chosen_destination(client, tree, cast):
    member = make_member(branch=tree["village"])
    client.force_login(cast["home"])
    response = client.post(
        reverse("members:move", args=[member.pk, "start-transfer"]),
        {"kind": "permanent", "to_organisation": tree["school_branch"].pk, "letter_no": ""},
    )
    assert response.status_code == 400
    assert f'value="{tree["school_branch"].pk}" checked'.encode() in response.content
