"""What the screening actions share: the legal-move check, the row lock, the one place
that writes ``state`` with its history, permissions, and small input checks."""

from datetime import date
from typing import Any

from dangvien.accounts.models import Capability
from dangvien.accounts.queries import can
from dangvien.core.errors import NotAllowed, NotEligible, StageNotAllowed
from dangvien.members.actions.base import locked, log, user_of
from dangvien.members.models import (
    ACTIVE_STATUSES,
    Event,
    Member,
    Status,
)
from dangvien.organisations.models import Organisation
from dangvien.screening.models import NEXT_STATES, CaseChange, Criterion, ScreeningCase, State
from dangvien.screening.queries.cases import (
    case_decider,
)

# What the chi bộ may conclude after the help period besides "improved" (02-HD/BTCTW §3).
OUTCOMES = (State.PROPOSED_REMOVAL, State.PROPOSED_EXPULSION, State.EXIT_REQUESTED)

# The committee's verdict, by the outcome proposed and whether it was upheld.
VERDICTS: dict[tuple[str, bool], str] = {
    (State.PROPOSED_REMOVAL, True): "xóa tên trong danh sách đảng viên",
    (State.PROPOSED_REMOVAL, False): "không xóa tên",
    (State.PROPOSED_EXPULSION, True): "khai trừ ra khỏi Đảng",
    (State.PROPOSED_EXPULSION, False): "không khai trừ",
    (State.EXIT_REQUESTED, True): "cho ra khỏi Đảng",
    (State.EXIT_REQUESTED, False): "không cho ra khỏi Đảng",
}

COUNTED = "Số đảng viên chính thức (trừ đảng viên được miễn sinh hoạt)"


def _day(value: date) -> str:
    return f"{value:%d/%m/%Y}"


def _label(state: str) -> str:
    return str(State(state).label)


# ---- permissions, locks, the one place that writes ``state`` ------------------------------


def _branch_step_allowed(by: Any, org_path: str, branch: Organisation) -> None:
    """The chi bộ's steps (ballot, helper, conclusion): ``branch_moves`` over the branch
    (02-HD/BTCTW §1–3: done by the chi bộ)."""
    if not can(by, Capability.BRANCH_MOVES, org_path):
        raise NotAllowed(
            f"Bạn không được thực hiện bước này: rà soát, sàng lọc do {branch.name} "
            "(chi ủy, bí thư chi bộ) thực hiện (02-HD/BTCTW)."
        )


def _decision_allowed(by: Any, branch: Organisation, state: str) -> None:
    """The decision: ``decide`` at the committee ``case_decider`` names, or above
    (02-HD/BTCTW §4; DOMAIN.md §2)."""
    decider = case_decider(branch, state)
    if not can(by, Capability.DECIDE, decider.path):
        raise NotAllowed(
            f"Bạn không được ghi quyết định này: do {decider.name} hoặc cấp ủy cấp trên "
            "quyết định (02-HD/BTCTW)."
        )


def _locked(case: ScreeningCase) -> ScreeningCase:
    return (
        ScreeningCase.objects.select_for_update(of=("self",))
        .select_related("branch", "proceeding")
        .get(pk=case.pk)
    )


def _check_move(row: ScreeningCase, to: str) -> None:
    """``NEXT_STATES`` (DOMAIN.md §5) is the only authority on legal moves."""
    if to not in NEXT_STATES[row.state]:
        raise StageNotAllowed(
            f"Hồ sơ rà soát đang ở bước “{_label(row.state)}”: không thể chuyển sang "
            f"“{_label(to)}”."
        )


def _active_member(row: ScreeningCase) -> Member:
    """The member's row, locked; the chi bộ's steps need the member still in the party."""
    member = locked(row.member)
    if member.status not in ACTIVE_STATUSES:
        raise StageNotAllowed(
            f"Đảng viên ở trạng thái “{Status(member.status).label}”: hồ sơ rà soát, sàng "
            "lọc không tiếp tục được."
        )
    return member


def _move(
    row: ScreeningCase,
    *,
    to: str,
    on: date,
    by: Any,
    member: Member,
    note: str,
    timeline: str,
    **fields: Any,
) -> ScreeningCase:
    """The only code that writes ``state``: checks the move, saves, leaves history (a
    ``CaseChange`` and a timeline row on the member)."""
    _check_move(row, to)
    CaseChange.objects.create(
        case=row, from_state=row.state, to_state=to, on=on, note=note, by=user_of(by)
    )
    row.state = to
    for field, value in fields.items():
        setattr(row, field, value)
    row.save(update_fields=["state", *fields])
    log(member, what=Event.SCREENING, on=on, by=by, note=timeline)
    return row


# ---- 1. the secret ballot ------------------------------------------------------------------


def _criteria(values: list[str]) -> list[str]:
    """What the chi bộ found, from the groups of 02-HD/BTCTW §II.1 (``Criterion``)."""
    if not values:
        raise NotEligible(
            "Cần chọn ít nhất một biểu hiện đưa đảng viên vào diện rà soát (02-HD/BTCTW §II.1).",
            field="criteria",
        )
    unknown = [v for v in values if v not in Criterion.values]
    if unknown:
        raise NotEligible(
            f"Biểu hiện không có trong danh mục rà soát: {', '.join(map(str, unknown))}.",
            field="criteria",
        )
    return list(dict.fromkeys(values))
