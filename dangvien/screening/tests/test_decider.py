"""Who may close a screening case proposed for expulsion: the committee competent to
admit, as on the member page (296-QĐ/TW Art. 10 [R]; DOMAIN.md §2), never a lower one."""

from datetime import date
from typing import Any

import pytest

from dangvien.accounts.models import Role
from dangvien.core.errors import NotAllowed
from dangvien.factories import make_member, user_with_role
from dangvien.members.models import Status
from dangvien.members.moves import role_allows
from dangvien.screening.actions import decide_case
from dangvien.screening.models import State
from dangvien.screening.queries.cases import case_decider, may_decide
from dangvien.screening.tests.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("branch", "staff_at"), [("school_branch", "school"), ("clinic", "clinic")]
)
def test_grassroots_staff_cannot_expel_through_screening(
    tree: Any, branch: str, staff_at: str
) -> None:
    member = make_member(branch=tree[branch])
    case = make_case(
        member, State.PROPOSED_EXPULSION, outcome_on=date(2026, 6, 1), help_until=date(2026, 5, 1)
    )
    staff = user_with_role(Role.GRASSROOTS_STAFF, tree[staff_at])
    assert not role_allows(staff, member, "record-expulsion")
    assert not may_decide(staff, case)
    with pytest.raises(NotAllowed, match="hoặc cấp ủy cấp trên quyết định"):
        decide_case(
            case,
            by=staff,
            decided_on=date(2026, 6, 10),
            decision_no="01-QĐ/UBKT",
            upheld=True,
            body="Đảng ủy",
        )
    member.refresh_from_db()
    case.refresh_from_db()
    assert member.status == Status.OFFICIAL and case.state == State.PROPOSED_EXPULSION


def test_the_committee_competent_to_admit_may_close_an_expulsion_case(tree: Any) -> None:
    member = make_member(branch=tree["school_branch"])
    case = make_case(member, State.PROPOSED_EXPULSION, outcome_on=date(2026, 6, 1))
    assert case_decider(member.branch, case.state) == tree["commune"]
    board = user_with_role(Role.BOARD_STAFF, tree["commune"])
    assert may_decide(board, case)
    decide_case(
        case,
        by=board,
        decided_on=date(2026, 6, 10),
        decision_no="01-QĐ/ĐU",
        upheld=True,
        body="Ban Thường vụ Đảng ủy xã",
        note="Vi phạm nghiêm trọng tư cách đảng viên",
    )
    member.refresh_from_db()
    assert member.status == Status.EXPELLED
