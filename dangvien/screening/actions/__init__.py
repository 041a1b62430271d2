"""Every write of a screening case (rà soát, sàng lọc: Directive 28-CT/TW 2019; Hướng dẫn
02-HD/BTCTW 12/4/2021; DOMAIN.md §5).

1. The chi bộ votes by secret ballot, one member at a time; the member is listed for
   education and help when at least 2/3 of the official members, exempted ones excluded,
   agree. Only the counts are kept. A ballot short of 2/3 stays as history (``not_listed``).
2. The chi bộ assigns a helper and sets the help period.
3. The chi bộ concludes: improved (taken off the list), or proposes removal (xóa tên) or
   expulsion (khai trừ), or the member asks to leave (exit).
4. The competent committee decides. Removal and exit run as the member's proceeding on the
   member's page (``members.actions.leaving``); the case copies that decision. Expulsion is
   decided on the case, which records it on the member (``record_expulsion``).

``NEXT_STATES`` is the only authority on legal moves. Every move writes a ``CaseChange`` and
a row on the member's timeline, in one transaction with everything it causes: a refusal
half way leaves nothing. Each action checks the user's permission itself (``NotAllowed``):
the chi bộ's steps need ``branch_moves`` at the branch, the decision ``decide`` at the
committee that decides the member's rating or above (``member_rating_decider``).
"""

from dangvien.screening.actions._common import OUTCOMES, VERDICTS
from dangvien.screening.actions.branch import (
    assign_helper,
    list_for_screening,
    record_improved,
    record_outcome,
)
from dangvien.screening.actions.decision import decide_case

__all__ = [
    "OUTCOMES",
    "VERDICTS",
    "assign_helper",
    "decide_case",
    "list_for_screening",
    "record_improved",
    "record_outcome",
]
