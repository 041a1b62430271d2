"""The competent committee's decision that closes a case (02-HD/BTCTW §4; DOMAIN.md §2)."""

from datetime import date
from typing import Any

from dangvien.core.actions import action
from dangvien.core.errors import NotEligible, StageNotAllowed
from dangvien.core.text import checked_text
from dangvien.members.actions.base import locked, not_future
from dangvien.members.actions.leaving import record_expulsion
from dangvien.members.models import (
    Proceeding,
    ProceedingKind,
    Step,
)
from dangvien.screening.actions._common import (
    VERDICTS,
    _check_move,
    _day,
    _decision_allowed,
    _locked,
    _move,
)
from dangvien.screening.models import ScreeningCase, State
from dangvien.screening.queries.cases import (
    PROCEEDING_OUTCOMES,
)


def _decided_proceeding(row: ScreeningCase) -> Proceeding:
    """The linked removal or exit proceeding, decided on the member's page."""
    kind = ProceedingKind(PROCEEDING_OUTCOMES[State(row.state)])
    what = str(kind.label).lower()
    proceeding = (
        Proceeding.objects.filter(pk=row.proceeding_id).first() if row.proceeding_id else None
    )
    if proceeding is None:
        raise StageNotAllowed(f"Hồ sơ chưa gắn với việc xem xét “{what}” của đảng viên.")
    if proceeding.step == Step.CLOSED:
        raise StageNotAllowed(
            f"Việc xem xét “{what}” đã dừng mà không có quyết định (xem quá trình trên trang "
            "đảng viên)."
        )
    if proceeding.step != Step.DECIDED:
        raise StageNotAllowed(
            f"Cấp ủy chưa quyết định việc “{what}”: quyết định trên trang đảng viên, rồi ghi "
            "kết quả vào hồ sơ này."
        )
    return proceeding


@action
def decide_case(
    case: ScreeningCase,
    *,
    by: Any,
    decided_on: date | None = None,
    decision_no: str = "",
    upheld: bool | None = None,
    note: str = "",
    body: str = "",
    never_readmit: str = "",
) -> ScreeningCase:
    """The competent committee's decision closes the case: → ``decided`` (02-HD/BTCTW §4;
    DOMAIN.md §2).

    - Removal and exit: decided on the member's page (the removal or exit proceeding,
      ``members.actions.leaving``); only once that proceeding is decided, the case copies
      its number, date and outcome (``decided_on``, ``decision_no`` and ``upheld`` given
      here are not used).
    - Expulsion: the decision number, date and whether it is upheld are required; upheld,
      the expulsion is recorded on the member (``record_expulsion`` with ``body``, the
      reason ``note`` or else the chi bộ's, and ``never_readmit``: 294-QĐ/TW §3.5).
    """
    row = _locked(case)
    _decision_allowed(by, row.branch, row.state)
    _check_move(row, State.DECIDED)
    note = checked_text(note, what="ghi chú", field="note", max_length=1000, required=False)
    member = locked(row.member)
    proposed = row.state
    if proposed in PROCEEDING_OUTCOMES:
        proceeding = _decided_proceeding(row)
        decided_on = proceeding.decided_on or proceeding.opened_on
        decision_no, upheld = proceeding.decision_no, bool(proceeding.outcome)
    else:
        decision_no = checked_text(
            decision_no, what="số quyết định", field="decision_no", max_length=50
        )
        if decided_on is None:
            raise NotEligible("Cần ghi ngày quyết định.", field="decided_on")
        not_future(decided_on, "Ngày quyết định", "decided_on")
        if row.outcome_on and decided_on < row.outcome_on:
            raise NotEligible(
                f"Ngày quyết định trước ngày chi bộ đề nghị ({_day(row.outcome_on)}).",
                field="decided_on",
            )
        if upheld is None:
            raise NotEligible("Cần ghi cấp ủy có quyết định khai trừ hay không.", field="upheld")
    verdict = VERDICTS[(State(proposed), upheld)]
    decision = f"quyết định số {decision_no} ngày {_day(decided_on)}"
    _move(
        row,
        to=State.DECIDED,
        on=decided_on,
        by=by,
        member=member,
        note=f"{verdict[:1].upper()}{verdict[1:]} ({decision})" + (f". {note}" if note else ""),
        timeline=f"Kết thúc hồ sơ rà soát, sàng lọc: cấp ủy quyết định {verdict} ({decision})"
        + (f". {note}" if note else ""),
        decided_on=decided_on,
        decision_no=decision_no,
        decision_upheld=upheld,
        decision_note=note,
    )
    if proposed == State.PROPOSED_EXPULSION and upheld:
        record_expulsion(
            member,
            by=by,
            decision_no=decision_no,
            decided_on=decided_on,
            body=body,
            reason=note or row.outcome_note,
            never_readmit=never_readmit,
        )
    return row
