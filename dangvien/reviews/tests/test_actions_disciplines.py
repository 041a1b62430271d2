"""Recording a discipline for the rating rule (16-HD/BTCTW 2018, 124-QĐ/TW [C])."""

from datetime import date
from typing import Any

import pytest

from dangvien.accounts.models import Role
from dangvien.core.errors import NotAllowed, NotEligible, StageNotAllowed
from dangvien.factories import make_member, user_with_role
from dangvien.members.models import Event, Member, Status, StatusChange
from dangvien.organisations.models import Organisation
from dangvien.reviews.actions import record_discipline
from dangvien.reviews.models import Discipline, Penalty

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 20)


def record(member: Member, by: Any, **kw: Any) -> Discipline:
    fields: dict[str, Any] = {
        "penalty": Penalty.WARNING,
        "decided_on": date(2026, 6, 12),
        "decision_no": "07-QĐ/UBKT",
        "body": "Ủy ban kiểm tra Đảng ủy xã An Bình",
        "reason": "Vi phạm quy định về những điều đảng viên không được làm",
    }
    fields.update(kw)
    return record_discipline(member, by=by, **fields)


def test_a_discipline_is_recorded_with_a_timeline_row(tree: dict[str, Organisation]) -> None:
    member = make_member(branch=tree["village"])
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    discipline = record(member, secretary, self_reported=True)
    assert (discipline.penalty, discipline.org_path, discipline.self_reported) == (
        Penalty.WARNING,
        tree["village"].path,
        True,
    )
    row = StatusChange.objects.get(member=member, what=Event.DISCIPLINE)
    assert row.on == date(2026, 6, 12)
    assert row.note == (
        "Kỷ luật cảnh cáo (quyết định số 07-QĐ/UBKT ngày 12/06/2026 của Ủy ban kiểm tra Đảng ủy "
        "xã An Bình): Vi phạm quy định về những điều đảng viên không được làm (tự phát hiện, "
        "khắc phục: không tính khi xếp loại)"
    )


def test_the_chi_bo_or_a_committee_over_the_member_may_record_it(
    tree: dict[str, Organisation],
) -> None:
    member = make_member(branch=tree["village"])
    assert record(member, user_with_role(Role.BOARD_STAFF, tree["province"]))
    for user in (
        user_with_role(Role.LEADER, tree["commune"]),
        user_with_role(Role.BRANCH_SECRETARY, tree["other_branch"]),
    ):
        with pytest.raises(NotAllowed):
            record(member, user)


def test_a_discipline_needs_its_decision_and_a_known_penalty(
    tree: dict[str, Organisation],
) -> None:
    member = make_member(branch=tree["village"])
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    with pytest.raises(NotEligible, match="Hình thức kỷ luật “expulsion” không hợp lệ"):
        record(member, secretary, penalty="expulsion")
    with pytest.raises(NotEligible, match="sau ngày hôm nay"):
        record(member, secretary, decided_on=date(2026, 12, 21))
    with pytest.raises(NotEligible, match="Cần ghi số quyết định kỷ luật"):
        record(member, secretary, decision_no="")
    with pytest.raises(NotEligible, match="Cần ghi nội dung vi phạm"):
        record(member, secretary, reason="  ")
    assert not Discipline.objects.exists()


def test_a_member_who_left_cannot_be_disciplined_here(tree: dict[str, Organisation]) -> None:
    member = make_member(branch=tree["village"], status=Status.EXITED)
    with pytest.raises(StageNotAllowed):
        record(member, user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
