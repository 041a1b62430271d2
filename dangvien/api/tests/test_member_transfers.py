"""The transfers area over JSON (API.md "Members"): exemption, start / receive / return /
cancel a transfer (294-QĐ/TW §6.3), members working far away, and the lists
``GET /transfers`` and ``GET /far-away``. Success, then 400 / 403 / 404 / 409."""

from datetime import date
from typing import Any

from dangvien.api.tests.conftest import queries_used
from dangvien.core.calendar import add_working_days
from dangvien.core.dates import add_months
from dangvien.factories import make_member
from dangvien.members.actions import transfers as actions
from dangvien.members.models import Transfer, TransferKind, TransferState

ISSUED = date(2026, 6, 1)


def body(to: Any, **fields: Any) -> dict[str, Any]:
    return {
        "kind": "permanent",
        "to_organisation_id": to.pk,
        "cause_on": "2026-05-20",
        "letter_no": "21-GT/ĐU",
        "issued_on": ISSUED.isoformat(),
        **fields,
    }


def in_flight(member: Any, to: Any, kind: str = TransferKind.PERMANENT) -> Transfer:
    return actions.start_transfer(
        member,
        kind=kind,
        to_organisation=to,
        letter_no="GT-5",
        issued_on=ISSUED,
        cause_on=ISSUED,
        until_on=add_months(ISSUED, 6) if kind == TransferKind.TEMPORARY else None,
        by=None,
    )


# ---- exemption --------------------------------------------------------------------------


def test_exempt_answers_the_member_exempted(as_user, secretary, tree):
    member = make_member(branch=tree["village"])
    answer = as_user(secretary).post(
        f"/members/{member.pk}/exempt",
        {"reason": "old_age", "from_on": "2026-05-01", "note": "Đơn ngày 20/4"},
    )
    assert answer.status == 200, answer.body
    assert answer.body["exempted_since"] == "2026-05-01"
    assert "end-exemption" in answer.body["moves"]
    assert answer.body["history"][-1]["what"] == "exemption"


def test_exempt_twice_answers_409_then_end_exemption_works(as_user, secretary, tree):
    member = make_member(branch=tree["village"])
    api = as_user(secretary)
    api.post(f"/members/{member.pk}/exempt", {"reason": "ill_health", "from_on": "2026-05-01"})
    again = api.post(f"/members/{member.pk}/exempt", {"reason": "old_age", "from_on": "2026-07-01"})
    assert again.status == 409
    end = api.post(f"/members/{member.pk}/end-exemption", {"until_on": "2026-09-30"})
    assert end.status == 200 and end.body["exempted_since"] is None


def test_exempt_with_an_unknown_reason_answers_400(as_user, secretary, tree):
    member = make_member(branch=tree["village"])
    answer = as_user(secretary).post(
        f"/members/{member.pk}/exempt", {"reason": "tired", "from_on": "2026-05-01"}
    )
    assert answer.status == 400
    assert "reason" in answer.error["fields"]


# ---- start-transfer ---------------------------------------------------------------------


def test_start_transfer_to_a_branch_outside_the_scope(as_user, secretary, tree):
    member = make_member(branch=tree["village"])
    answer = as_user(secretary).post(
        f"/members/{member.pk}/start-transfer", body(tree["other_branch"])
    )
    assert answer.status == 200, answer.body
    transfer = Transfer.objects.get(member=member)
    assert transfer.to_organisation == tree["other_branch"]
    assert transfer.present_by == add_working_days(ISSUED, 30)
    assert answer.body["deadlines"][0]["due_on"] == transfer.present_by.isoformat()
    assert "cancel-transfer" in answer.body["moves"]


def test_start_transfer_late_without_reason_answers_409_deadline(as_user, secretary, tree):
    member = make_member(branch=tree["village"])
    cause = date(2026, 1, 5)
    answer = as_user(secretary).post(
        f"/members/{member.pk}/start-transfer",
        body(
            tree["school_branch"],
            cause_on=cause.isoformat(),
            issued_on=add_working_days(cause, 61).isoformat(),
        ),
    )
    assert answer.status == 409
    assert answer.error["code"] == "deadline"
    assert "late_reason" in answer.error["fields"]
    assert not Transfer.objects.filter(member=member).exists()


def test_start_transfer_to_an_unknown_or_non_branch_organisation_answers_400(
    as_user, secretary, tree
):
    member = make_member(branch=tree["village"])
    api = as_user(secretary)
    for target in (999999, tree["school"].pk):
        answer = api.post(
            f"/members/{member.pk}/start-transfer",
            {**body(tree["school_branch"]), "to_organisation_id": target},
        )
        assert answer.status == 400
        assert "to_organisation_id" in answer.error["fields"]


def test_start_transfer_to_the_members_own_branch_answers_409(as_user, secretary, tree):
    member = make_member(branch=tree["village"])
    answer = as_user(secretary).post(f"/members/{member.pk}/start-transfer", body(tree["village"]))
    assert answer.status == 409
    assert answer.error["fields"] == {
        "to_organisation_id": "Nơi chuyển đến là chi bộ đảng viên đang sinh hoạt."
    }


def test_start_transfer_without_a_letter_number_answers_400(as_user, secretary, tree):
    member = make_member(branch=tree["village"])
    payload = body(tree["school_branch"])
    del payload["letter_no"]
    answer = as_user(secretary).post(f"/members/{member.pk}/start-transfer", payload)
    assert answer.status == 400
    assert "letter_no" in answer.error["fields"]


def test_a_temporary_transfer_of_13_months_answers_409(as_user, secretary, tree):
    member = make_member(branch=tree["village"])
    answer = as_user(secretary).post(
        f"/members/{member.pk}/start-transfer",
        body(
            tree["school_branch"],
            kind="temporary",
            until_on=add_months(ISSUED, 13).isoformat(),
        ),
    )
    assert answer.status == 409
    assert "until_on" in answer.error["fields"]


def test_a_second_transfer_answers_409(as_user, secretary, tree):
    member = make_member(branch=tree["village"])
    in_flight(member, tree["school_branch"])
    answer = as_user(secretary).post(
        f"/members/{member.pk}/start-transfer", body(tree["other_branch"])
    )
    assert answer.status == 409


def test_start_transfer_by_an_outsider_answers_404(as_user, outsider, tree):
    member = make_member(branch=tree["village"])
    answer = as_user(outsider).post(
        f"/members/{member.pk}/start-transfer", body(tree["other_branch"])
    )
    assert answer.status == 404


def test_a_board_member_without_branch_moves_answers_403(as_user, board, tree):
    member = make_member(branch=tree["village"])
    answer = as_user(board).post(
        f"/members/{member.pk}/start-transfer", body(tree["school_branch"])
    )
    assert answer.status == 403


# ---- receive-transfer ------------------------------------------------------------------


def test_the_destination_receives_a_permanent_transfer_and_the_member_moves(
    as_user, secretary, school_secretary, tree
):
    member = make_member(branch=tree["village"])
    transfer = in_flight(member, tree["school_branch"])
    answer = as_user(school_secretary).post(
        f"/members/{member.pk}/receive-transfer", {"received_on": transfer.present_by.isoformat()}
    )
    assert answer.status == 200, answer.body
    assert answer.body["branch_id"] == tree["school_branch"].pk
    assert as_user(secretary).get(f"/members/{member.pk}").status == 404


def test_receive_by_the_home_branch_answers_403(as_user, secretary, tree):
    member = make_member(branch=tree["village"])
    in_flight(member, tree["school_branch"])
    answer = as_user(secretary).post(
        f"/members/{member.pk}/receive-transfer", {"received_on": "2026-06-10"}
    )
    assert answer.status == 403


def test_receive_by_someone_outside_both_ends_answers_404(as_user, outsider, tree):
    member = make_member(branch=tree["village"])
    in_flight(member, tree["school_branch"])
    answer = as_user(outsider).post(
        f"/members/{member.pk}/receive-transfer", {"received_on": "2026-06-10"}
    )
    assert answer.status == 404


def test_receive_late_without_reason_answers_409(as_user, school_secretary, tree):
    member = make_member(branch=tree["village"])
    transfer = in_flight(member, tree["school_branch"])
    late = add_working_days(transfer.present_by, 1).isoformat()
    api = as_user(school_secretary)
    answer = api.post(f"/members/{member.pk}/receive-transfer", {"received_on": late})
    assert answer.status == 409 and "late_reason" in answer.error["fields"]
    answer = api.post(
        f"/members/{member.pk}/receive-transfer",
        {"received_on": late, "late_reason": "Chờ xác nhận của nơi làm việc"},
    )
    assert answer.status == 200


def test_receive_with_a_bad_date_answers_400(as_user, school_secretary, tree):
    member = make_member(branch=tree["village"])
    in_flight(member, tree["school_branch"])
    answer = as_user(school_secretary).post(
        f"/members/{member.pk}/receive-transfer", {"received_on": "10/06/2026"}
    )
    assert answer.status == 400 and "received_on" in answer.error["fields"]


def test_a_temporary_stay_is_received_then_returns_home(as_user, secretary, school_secretary, tree):
    member = make_member(branch=tree["village"])
    transfer = in_flight(member, tree["school_branch"], kind=TransferKind.TEMPORARY)
    received = as_user(school_secretary).post(
        f"/members/{member.pk}/receive-transfer", {"received_on": "2026-06-05"}
    )
    assert received.status == 200
    assert received.body["branch_id"] == tree["village"].pk
    assert received.body["temporarily_away_since"] == ISSUED.isoformat()
    # The host may not record the return: that is the home branch's move.
    host_return = as_user(school_secretary).post(
        f"/members/{member.pk}/return-transfer", {"returned_on": "2026-11-01"}
    )
    assert host_return.status == 403
    back = as_user(secretary).post(
        f"/members/{member.pk}/return-transfer", {"returned_on": "2026-11-01"}
    )
    assert back.status == 200
    transfer.refresh_from_db()
    assert transfer.state == TransferState.RETURNED


def test_return_without_a_stay_answers_409(as_user, secretary, tree):
    member = make_member(branch=tree["village"])
    answer = as_user(secretary).post(
        f"/members/{member.pk}/return-transfer", {"returned_on": "2026-11-01"}
    )
    assert answer.status == 409


def test_cancel_transfer(as_user, secretary, tree):
    member = make_member(branch=tree["village"])
    in_flight(member, tree["school_branch"])
    api = as_user(secretary)
    assert api.post(f"/members/{member.pk}/cancel-transfer", {"reason": ""}).status == 400
    answer = api.post(f"/members/{member.pk}/cancel-transfer", {"reason": "Ở lại địa phương"})
    assert answer.status == 200
    assert "start-transfer" in answer.body["moves"]
    assert api.post(f"/members/{member.pk}/cancel-transfer", {"reason": "x"}).status == 409


# ---- far away ---------------------------------------------------------------------------


def test_flag_contact_and_clear_far_away(as_user, secretary, tree):
    member = make_member(branch=tree["village"])
    api = as_user(secretary)
    flagged = api.post(
        f"/members/{member.pk}/flag-far-away", {"since": "2026-02-01", "place": "Bình Dương"}
    )
    assert flagged.status == 200
    assert flagged.body["far_away_place"] == "Bình Dương"
    early = api.post(f"/members/{member.pk}/record-contact", {"contacted_on": "2026-01-01"})
    assert early.status == 409 and "contacted_on" in early.error["fields"]
    assert (
        api.post(f"/members/{member.pk}/record-contact", {"contacted_on": "2026-08-01"}).status
        == 200
    )
    cleared = api.post(f"/members/{member.pk}/clear-far-away", {"back_on": "2026-10-01"})
    assert cleared.status == 200 and cleared.body["far_away_since"] is None


def test_flag_far_away_without_a_place_answers_400(as_user, secretary, tree):
    member = make_member(branch=tree["village"])
    answer = as_user(secretary).post(f"/members/{member.pk}/flag-far-away", {"since": "2026-02-01"})
    assert answer.status == 400 and "place" in answer.error["fields"]


# ---- lists -----------------------------------------------------------------------------


def test_transfers_list_shows_each_end_its_direction(
    as_user, secretary, school_secretary, outsider, tree
):
    member = make_member(branch=tree["village"])
    in_flight(member, tree["school_branch"])
    out = as_user(secretary).get("/transfers", direction="out")
    assert out.status == 200 and out.body["count"] == 1
    item = out.body["items"][0]
    assert item["member_id"] == member.pk and item["outgoing"] and not item["incoming"]
    assert item["overdue"] is True  # present_by passed long ago
    assert as_user(secretary).get("/transfers", direction="in").body["count"] == 0
    incoming = as_user(school_secretary).get("/transfers", direction="in")
    assert incoming.body["count"] == 1 and incoming.body["items"][0]["incoming"]
    assert as_user(outsider).get("/transfers").body["count"] == 0


def test_transfers_list_filters_by_state_and_kind(as_user, secretary, tree):
    a = make_member(branch=tree["village"])
    b = make_member(branch=tree["village"])
    in_flight(a, tree["school_branch"], kind=TransferKind.TEMPORARY)
    done = in_flight(b, tree["other_branch"])
    actions.cancel_transfer(b, reason="Không đi nữa", by=None)
    api = as_user(secretary)
    assert api.get("/transfers").body["count"] == 1
    assert api.get("/transfers", state="all").body["count"] == 2
    cancelled = api.get("/transfers", state="cancelled").body
    assert [i["id"] for i in cancelled["items"]] == [done.pk]
    assert api.get("/transfers", kind="permanent").body["count"] == 0
    assert api.get("/transfers", state="lost").status == 400


def test_transfers_list_answers_404_for_an_organisation_outside_the_scope(as_user, secretary, tree):
    answer = as_user(secretary).get("/transfers", organisation=tree["other_commune"].pk)
    assert answer.status == 404


def test_transfers_list_runs_the_same_queries_for_2_or_12_rows(as_user, secretary, tree):
    api = as_user(secretary)
    for _ in range(2):
        in_flight(make_member(branch=tree["village"]), tree["school_branch"])
    few = queries_used(lambda: api.get("/transfers"))
    for _ in range(10):
        in_flight(make_member(branch=tree["village"]), tree["other_branch"])
    assert queries_used(lambda: api.get("/transfers")) == few


def test_far_away_list(as_user, secretary, outsider, tree):
    member = make_member(branch=tree["village"])
    actions.flag_far_away(member, since=date(2026, 3, 1), place="Lâm Đồng", by=None)
    answer = as_user(secretary).get("/far-away")
    assert answer.status == 200
    assert answer.body["contact_months"] == 3
    (item,) = answer.body["items"]
    assert item["member_id"] == member.pk and item["no_contact"] is True
    assert item["contact_due_on"] == "2026-06-01"
    assert as_user(outsider).get("/far-away").body["count"] == 0
    assert as_user(secretary).get("/far-away", organisation=tree["other_branch"].pk).status == 404


def test_the_new_endpoints_are_in_the_openapi_schema(as_user, secretary):
    schema = as_user(secretary).get("/openapi.json").body
    paths = schema["paths"]
    for move in (
        "exempt",
        "end-exemption",
        "start-transfer",
        "receive-transfer",
        "return-transfer",
        "cancel-transfer",
        "flag-far-away",
        "record-contact",
        "clear-far-away",
    ):
        assert f"/api/v1/members/{{member_id}}/{move}" in paths
    assert "/api/v1/transfers" in paths and "/api/v1/far-away" in paths
