"""Moves of the transfers area (registered in moves/__init__.py): exemption, transfers of
party activity (294-QĐ/TW §6.3) and members working far away.

The home branch's staff (BRANCH) exempt, start, cancel and close transfers and follow
members working far away; the destination's staff (RECEIVE) receive the letter.
"""

from typing import Any

from django import forms

from dangvien.accounts.models import User
from dangvien.members.actions import transfers as actions
from dangvien.members.actions.base import today
from dangvien.members.forms import transfers as f
from dangvien.members.models import ACTIVE_STATUSES, Member, TransferKind, TransferState
from dangvien.members.moves import BRANCH, RECEIVE, Move, once, register
from dangvien.members.queries import open_transfers
from dangvien.members.queries import transfers as q


def _exempt(member: Member, data: Any) -> forms.Form:
    return f.ExemptForm(data)


def _run_exempt(member: Member, c: dict[str, Any], user: User) -> str:
    actions.exempt(
        member,
        reason=c["reason"],
        from_on=c["from_on"],
        until_on=c.get("until_on"),
        note=c.get("note", ""),
        by=user,
    )
    return "Đã ghi miễn công tác và sinh hoạt đảng."


def _end_exemption(member: Member, data: Any) -> forms.Form:
    return f.EndExemptionForm(data)


def _run_end_exemption(member: Member, c: dict[str, Any], user: User) -> str:
    actions.end_exemption(member, until_on=c["until_on"], note=c.get("note", ""), by=user)
    return "Đã ghi kết thúc miễn công tác và sinh hoạt đảng."


def _start(member: Member, data: Any) -> forms.Form:
    return f.StartTransferForm(data, member=member)


def _run_start(member: Member, c: dict[str, Any], user: User) -> str:
    transfer = actions.start_transfer(
        member,
        kind=c["kind"],
        to_organisation=c["to_organisation"],
        cause_on=c.get("cause_on"),
        letter_no=c["letter_no"],
        issued_on=c["issued_on"],
        for_study=bool(c.get("for_study")),
        until_on=c.get("until_on"),
        late_reason=c.get("late_reason", ""),
        by=user,
    )
    return (
        f"Đã ghi giấy giới thiệu số {transfer.letter_no}; hạn nộp cho "
        f"{transfer.to_name}: {transfer.present_by:%d/%m/%Y}."
    )


def _receive(member: Member, data: Any) -> forms.Form:
    form = f.ReceiveTransferForm(data)
    transfer = q.open_transfer(member)
    if transfer is not None:
        form.fields["received_on"].help_text = (
            f"Giấy giới thiệu số {transfer.letter_no} từ {transfer.from_branch.name}; "
            f"hạn nộp {transfer.present_by:%d/%m/%Y}."
        )
    return form


def _run_receive(member: Member, c: dict[str, Any], user: User) -> str:
    transfer = actions.receive_transfer(
        member, received_on=c["received_on"], late_reason=c.get("late_reason", ""), by=user
    )
    if transfer.kind == TransferKind.PERMANENT:
        return f"{transfer.to_name} đã tiếp nhận sinh hoạt đảng chính thức."
    return f"{transfer.to_name} đã tiếp nhận sinh hoạt đảng tạm thời."


def _return(member: Member, data: Any) -> forms.Form:
    return f.ReturnTransferForm(data, initial={"returned_on": today()})


def _run_return(member: Member, c: dict[str, Any], user: User) -> str:
    actions.return_transfer(member, returned_on=c["returned_on"], note=c.get("note", ""), by=user)
    return "Đảng viên đã trở về sinh hoạt tại chi bộ."


def _cancel(member: Member, data: Any) -> forms.Form:
    return f.CancelTransferForm(data)


def _run_cancel(member: Member, c: dict[str, Any], user: User) -> str:
    actions.cancel_transfer(member, reason=c["reason"], by=user)
    return "Đã hủy giấy giới thiệu sinh hoạt đảng."


def _flag(member: Member, data: Any) -> forms.Form:
    return f.FlagFarAwayForm(data)


def _run_flag(member: Member, c: dict[str, Any], user: User) -> str:
    actions.flag_far_away(
        member, since=c["since"], place=c["place"], note=c.get("note", ""), by=user
    )
    return "Đã ghi đảng viên đi làm ăn xa."


def _contact(member: Member, data: Any) -> forms.Form:
    return f.RecordContactForm(data, initial={"contacted_on": today()})


def _run_contact(member: Member, c: dict[str, Any], user: User) -> str:
    actions.record_contact(member, contacted_on=c["contacted_on"], note=c.get("note", ""), by=user)
    return "Đã ghi lần liên lạc."


def _clear(member: Member, data: Any) -> forms.Form:
    return f.ClearFarAwayForm(data)


def _run_clear(member: Member, c: dict[str, Any], user: User) -> str:
    actions.clear_far_away(member, back_on=c["back_on"], note=c.get("note", ""), by=user)
    return "Đảng viên đã trở về địa phương."


def _has_open_exemption(member: Member) -> bool:
    on = today()
    return once(("open_exemption", member.pk, on), lambda: q.has_open_exemption(member, on))


def _no_open_exemption(member: Member) -> bool:
    return not _has_open_exemption(member)


def _open_exemption(member: Member) -> bool:
    return _has_open_exemption(member)


def _open_transfer(member: Member) -> tuple[str, str] | None:
    """(state, kind) of the member's open transfer, None without one: there is at most one
    (the ``one_open_transfer`` constraint), so one read answers ``q.in_flight``,
    ``q.staying_temporarily`` and ``q.has_open_transfer`` alike."""
    return once(
        ("open_transfer", member.pk),
        lambda: open_transfers().filter(member=member).values_list("state", "kind").first(),
    )


def _in_flight(member: Member) -> bool:
    """``q.in_flight``: every transfer in flight is open."""
    found = _open_transfer(member)
    return found is not None and found[0] == TransferState.IN_FLIGHT


def _staying_temporarily(member: Member) -> bool:
    """``q.staying_temporarily``: a temporary transfer received is open."""
    return _open_transfer(member) == (TransferState.RECEIVED, TransferKind.TEMPORARY)


def _no_open_transfer(member: Member) -> bool:
    return _open_transfer(member) is None


def _far_away(member: Member) -> bool:
    return member.far_away_since is not None


def _not_far_away(member: Member) -> bool:
    return member.far_away_since is None


register(
    Move(
        "receive-transfer",
        "Tiếp nhận sinh hoạt đảng",
        ACTIVE_STATUSES,
        _receive,
        _run_receive,
        role=RECEIVE,
        when=_in_flight,
    ),
    Move(
        "return-transfer",
        "Trở về sau sinh hoạt tạm thời",
        ACTIVE_STATUSES,
        _return,
        _run_return,
        role=BRANCH,
        when=_staying_temporarily,
    ),
    Move(
        "start-transfer",
        "Chuyển sinh hoạt đảng",
        ACTIVE_STATUSES,
        _start,
        _run_start,
        role=BRANCH,
        when=_no_open_transfer,
        side=True,
    ),
    Move(
        "cancel-transfer",
        "Hủy giấy giới thiệu",
        ACTIVE_STATUSES,
        _cancel,
        _run_cancel,
        role=BRANCH,
        when=_in_flight,
        side=True,
    ),
    Move(
        "exempt",
        "Miễn công tác và sinh hoạt đảng",
        ACTIVE_STATUSES,
        _exempt,
        _run_exempt,
        role=BRANCH,
        when=_no_open_exemption,
        side=True,
    ),
    Move(
        "end-exemption",
        "Kết thúc miễn công tác, sinh hoạt",
        ACTIVE_STATUSES,
        _end_exemption,
        _run_end_exemption,
        role=BRANCH,
        when=_open_exemption,
        side=True,
    ),
    Move(
        "flag-far-away",
        "Ghi đi làm ăn xa",
        ACTIVE_STATUSES,
        _flag,
        _run_flag,
        role=BRANCH,
        when=_not_far_away,
        side=True,
    ),
    Move(
        "record-contact",
        "Ghi liên lạc (làm ăn xa)",
        ACTIVE_STATUSES,
        _contact,
        _run_contact,
        role=BRANCH,
        when=_far_away,
        side=True,
    ),
    Move(
        "clear-far-away",
        "Đã về địa phương",
        ACTIVE_STATUSES,
        _clear,
        _run_clear,
        role=BRANCH,
        when=_far_away,
        side=True,
    ),
)
