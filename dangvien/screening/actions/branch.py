"""The chi bộ's steps: the secret ballot, the helper and the help period, the conclusion
(02-HD/BTCTW §1–3; DOMAIN.md §5)."""

from datetime import date
from typing import Any

from dangvien.core.actions import action
from dangvien.core.dates import add_months
from dangvien.core.errors import DomainError, NotEligible, StageNotAllowed, VoteInvalid
from dangvien.core.rules import ratio_text, rule
from dangvien.core.text import checked_text
from dangvien.core.votes import tally
from dangvien.members.actions.base import locked, log, not_future, user_of
from dangvien.members.actions.leaving import request_exit, request_self_review
from dangvien.members.models import (
    ACTIVE_STATUSES,
    Event,
    Member,
    Proceeding,
    ProceedingKind,
    RemovalTrigger,
    Status,
)
from dangvien.members.queries.leaving import OPEN_STEPS
from dangvien.screening.actions._common import (
    COUNTED,
    OUTCOMES,
    _active_member,
    _branch_step_allowed,
    _check_move,
    _criteria,
    _day,
    _label,
    _locked,
    _move,
)
from dangvien.screening.models import CaseChange, Criterion, ScreeningCase, State
from dangvien.screening.queries.cases import (
    ballot_base,
    open_case_of,
)


@action
def list_for_screening(
    member: Member,
    *,
    by: Any,
    ballot_on: date,
    in_favour: int,
    against: int,
    invalid: int = 0,
    resolution_no: str = "",
    criteria: list[str],
    grounds: str,
) -> ScreeningCase:
    """The chi bộ's secret ballot on one member (02-HD/BTCTW §1 [C]; ``vote.screening``).

    The denominator is the branch's official members on the ballot day minus the exempted
    ones, whether present or not; probationary members never count. In favour + against
    + invalid may not exceed it. The chi bộ needs at least ``branch.min_official_members``
    official members to vote (Charter). Passed (at least 2/3 of the denominator): the
    member is ``listed`` for education and help; short of it: the case is kept as
    ``not_listed`` history and nothing else happens. Only the counts are stored.
    """
    row = locked(member)
    _branch_step_allowed(by, row.org_path, row.branch)
    if row.status not in ACTIVE_STATUSES:
        raise StageNotAllowed(
            "Chỉ rà soát, sàng lọc đảng viên đang sinh hoạt đảng; đảng viên này ở trạng thái "
            f"“{Status(row.status).label}”."
        )
    current = open_case_of(row)
    if current is not None:
        raise StageNotAllowed(
            f"Đảng viên đang có hồ sơ rà soát, sàng lọc chưa kết thúc (bỏ phiếu ngày "
            f"{_day(current.ballot_on)}, “{_label(current.state)}”)."
        )
    criteria = _criteria(criteria)
    grounds = checked_text(
        grounds, what="nhận xét, căn cứ của chi ủy", field="grounds", max_length=4000
    )
    resolution_no = checked_text(
        resolution_no,
        what="số nghị quyết / biên bản",
        field="resolution_no",
        max_length=50,
        required=False,
    )
    not_future(ballot_on, "Ngày bỏ phiếu kín", "ballot_on")
    if row.probation_started_on and ballot_on < row.probation_started_on:
        raise NotEligible(
            f"Ngày bỏ phiếu trước ngày kết nạp đảng viên ({_day(row.probation_started_on)}).",
            field="ballot_on",
        )
    base = ballot_base(row.branch, ballot_on)
    if not base.enough_members:
        raise NotEligible(
            f"{row.branch.name} chỉ có {base.official} đảng viên chính thức ngày "
            f"{_day(ballot_on)}; chi bộ phải có ít nhất {base.minimum} đảng viên chính thức "
            "để bỏ phiếu (Điều lệ Đảng).",
            field="ballot_on",
        )
    if min(in_favour, against, invalid) < 0:
        raise VoteInvalid("Số phiếu không thể âm.", field="in_favour")
    cast = in_favour + against + invalid
    if cast > base.denominator:
        raise VoteInvalid(
            f"Tổng số phiếu ({cast}: {in_favour} đồng ý, {against} không đồng ý, {invalid} "
            f"không hợp lệ) vượt quá số đảng viên được tính tỷ lệ ({base.denominator}: "
            f"{base.official} đảng viên chính thức, trừ {base.exempted} đảng viên được miễn "
            "sinh hoạt).",
            field="in_favour",
        )
    vote = tally(
        rule_key="vote.screening",
        organisation=row.branch,
        held_on=ballot_on,
        in_favour=in_favour,
        against=against,
        denominator=base.denominator,
        counted=COUNTED,
    )
    state = State.LISTED if vote["passed"] else State.NOT_LISTED
    case = ScreeningCase.objects.create(
        member=row,
        branch=row.branch,
        org_path=row.org_path,
        state=state,
        criteria=criteria,
        grounds=grounds,
        ballot_on=ballot_on,
        ballot_in_favour=in_favour,
        ballot_against=against,
        ballot_invalid=invalid,
        ballot_denominator=base.denominator,
        ballot_rule=vote["rule"],
        ballot_passed=vote["passed"],
        resolution_no=resolution_no,
        by=user_of(by),
    )
    count = f"{in_favour}/{base.denominator} phiếu đồng ý"
    result = (
        f"{count} – đưa vào diện giáo dục, giúp đỡ"
        if vote["passed"]
        else f"{count}, chưa đạt {ratio_text(vote['rule'])} – không đưa vào diện giáo dục, giúp đỡ"
    )
    CaseChange.objects.create(
        case=case, from_state="", to_state=state, on=ballot_on, note=result, by=user_of(by)
    )
    found = ", ".join(str(Criterion(c).label).lower() for c in criteria)
    log(
        row,
        what=Event.SCREENING,
        on=ballot_on,
        by=by,
        note="Chi bộ bỏ phiếu kín rà soát, sàng lọc"
        + (f" (nghị quyết {resolution_no})" if resolution_no else "")
        + f": {result}. Biểu hiện: {found}.",
    )
    return case


# ---- 2. education and help -----------------------------------------------------------------


def _check_helper(helper: Member, member: Member, help_from: date) -> Member:
    """The helper is an official member of the same chi bộ, not the member, and not under
    screening themselves (02-HD/BTCTW §2 [U: who may help])."""
    row = Member.objects.select_related("person").get(pk=helper.pk)
    name = row.person.full_name
    if row.pk == member.pk:
        raise NotEligible(
            "Đảng viên không thể tự giúp đỡ chính mình: chọn một đảng viên chính thức khác "
            "của chi bộ.",
            field="helper",
        )
    if row.branch_id != member.branch_id:
        raise NotEligible(
            f"Đồng chí {name} không sinh hoạt ở {member.branch.name}: người giúp đỡ phải là "
            "đảng viên chính thức cùng chi bộ (02-HD/BTCTW [U]).",
            field="helper",
        )
    if row.status != Status.OFFICIAL or (row.official_on and row.official_on > help_from):
        raise NotEligible(
            f"Đồng chí {name} chưa là đảng viên chính thức ngày {_day(help_from)}: người giúp "
            "đỡ phải là đảng viên chính thức cùng chi bộ (02-HD/BTCTW [U]).",
            field="helper",
        )
    if open_case_of(row) is not None:
        raise NotEligible(
            f"Đồng chí {name} đang trong diện rà soát, sàng lọc: không phân công giúp đỡ "
            "đảng viên khác.",
            field="helper",
        )
    return row


@action
def assign_helper(
    case: ScreeningCase, *, by: Any, helper: Member, help_from: date, help_until: date
) -> ScreeningCase:
    """The chi bộ assigns a helper and sets the help period: ``listed`` → ``helping``
    (02-HD/BTCTW §2 [C]). The period ends after it starts and lasts at most
    ``screening.max_help_months`` (12: 24/294-QĐ/TW §8.1 for lost commitment [U for the
    other cases])."""
    row = _locked(case)
    _branch_step_allowed(by, row.org_path, row.branch)
    _check_move(row, State.HELPING)
    member = _active_member(row)
    not_future(help_from, "Ngày bắt đầu giúp đỡ", "help_from")
    if help_from < row.ballot_on:
        raise NotEligible(
            f"Ngày bắt đầu giúp đỡ trước ngày chi bộ bỏ phiếu ({_day(row.ballot_on)}).",
            field="help_from",
        )
    if help_until <= help_from:
        raise NotEligible(
            f"Ngày kết thúc giúp đỡ phải sau ngày bắt đầu ({_day(help_from)}).",
            field="help_until",
        )
    months = rule("screening.max_help_months", on=help_from, organisation=member.branch)
    latest = add_months(help_from, months)
    if help_until > latest:
        raise NotEligible(
            f"Thời gian giáo dục, giúp đỡ tối đa {months} tháng: từ {_day(help_from)} đến "
            f"chậm nhất {_day(latest)} (24/294-QĐ/TW §8.1 [U]).",
            field="help_until",
        )
    helper_row = _check_helper(helper, member, help_from)
    period = f"từ {_day(help_from)} đến {_day(help_until)}"
    return _move(
        row,
        to=State.HELPING,
        on=help_from,
        by=by,
        member=member,
        note=f"Đồng chí {helper_row.person.full_name} giúp đỡ {period}",
        timeline=f"Chi bộ phân công đồng chí {helper_row.person.full_name} giáo dục, giúp đỡ "
        f"{period} (rà soát, sàng lọc)",
        helper=helper_row,
        help_from=help_from,
        help_until=help_until,
    )


# ---- 3. the chi bộ's conclusion ------------------------------------------------------------


def _conclusion_day(row: ScreeningCase, on: date) -> None:
    not_future(on, "Ngày chi bộ kết luận", "on")
    if row.help_from and on < row.help_from:
        raise NotEligible(
            f"Ngày kết luận trước ngày bắt đầu giúp đỡ ({_day(row.help_from)}).", field="on"
        )


@action
def record_improved(case: ScreeningCase, *, by: Any, on: date, note: str = "") -> ScreeningCase:
    """The member improved: taken off the list, ``helping`` → ``improved`` (02-HD/BTCTW §3
    [C]). Progress may be found before the help period ends."""
    row = _locked(case)
    _branch_step_allowed(by, row.org_path, row.branch)
    _check_move(row, State.IMPROVED)
    member = _active_member(row)
    _conclusion_day(row, on)
    note = checked_text(note, what="nhận xét", field="note", max_length=1000, required=False)
    return _move(
        row,
        to=State.IMPROVED,
        on=on,
        by=by,
        member=member,
        note=note,
        timeline="Chi bộ kết luận đảng viên đã tiến bộ: đưa ra khỏi danh sách rà soát, sàng lọc"
        + (f". {note}" if note else ""),
        outcome_on=on,
        outcome_note=note,
    )


def _open_proceeding(member: Member, kind: str) -> Proceeding | None:
    return (
        Proceeding.objects.select_for_update()
        .filter(member=member, kind=kind, step__in=OPEN_STEPS)
        .first()
    )


@action
def record_outcome(
    case: ScreeningCase,
    *,
    by: Any,
    outcome: str,
    on: date,
    note: str,
    trigger: str = RemovalTrigger.LOST_COMMITMENT,
) -> ScreeningCase:
    """The member did not improve: the chi bộ proposes removal (xóa tên) or expulsion
    (khai trừ), or the member asks in writing to leave (02-HD/BTCTW §3 [C as outcomes]).

    Removal and expulsion only once the help period has ended (``on`` ≥ ``help_until``)
    [U]; exit at any time on the member's request. A proposed removal opens the member's
    removal proceeding (``request_self_review`` with ``trigger``; lost commitment by
    default, Charter Art. 8) and an exit request the exit proceeding (``request_exit``);
    the case is linked to it (an open one of that kind is linked as it is). Their rules
    apply: a refusal there leaves the case as it was.
    """
    row = _locked(case)
    _branch_step_allowed(by, row.org_path, row.branch)
    if outcome not in OUTCOMES:
        raise NotEligible(
            "Kết luận phải là đề nghị xóa tên, đề nghị khai trừ, hoặc đảng viên xin ra khỏi "
            "Đảng (đảng viên tiến bộ: ghi “đã tiến bộ”).",
            field="outcome",
        )
    _check_move(row, outcome)
    member = _active_member(row)
    _conclusion_day(row, on)
    note = checked_text(note, what="nhận xét, lý do của chi bộ", field="note", max_length=1000)
    if outcome != State.EXIT_REQUESTED and row.help_until and on < row.help_until:
        raise NotEligible(
            f"Thời gian giáo dục, giúp đỡ đến ngày {_day(row.help_until)}: chỉ đề nghị "
            f"{'xóa tên' if outcome == State.PROPOSED_REMOVAL else 'khai trừ'} khi hết thời "
            "gian giúp đỡ mà đảng viên không tiến bộ (02-HD/BTCTW §3 [U]).",
            field="on",
        )
    what = {
        State.PROPOSED_REMOVAL: "chi bộ đề nghị xóa tên",
        State.PROPOSED_EXPULSION: "chi bộ đề nghị khai trừ",
        State.EXIT_REQUESTED: "đảng viên làm đơn xin ra khỏi Đảng",
    }[State(outcome)]
    _move(
        row,
        to=outcome,
        on=on,
        by=by,
        member=member,
        note=note,
        timeline=f"Kết quả rà soát, sàng lọc: {what}. {note}",
        outcome_on=on,
        outcome_note=note,
    )
    proceeding = None
    try:
        if outcome == State.PROPOSED_REMOVAL:
            proceeding = _open_proceeding(member, ProceedingKind.REMOVAL) or request_self_review(
                member, by=by, requested_on=on, trigger=trigger, reason=note
            )
        elif outcome == State.EXIT_REQUESTED:
            proceeding = _open_proceeding(member, ProceedingKind.EXIT) or request_exit(
                member, by=by, requested_on=on, reason=note
            )
    except DomainError as error:  # name this action's inputs, not the member action's
        error.field = {"reason": "note", "requested_on": "on"}.get(error.field or "", error.field)
        raise
    if proceeding is not None:
        row.proceeding = proceeding
        row.save(update_fields=["proceeding"])
    return row


# ---- 4. the committee's decision -----------------------------------------------------------
