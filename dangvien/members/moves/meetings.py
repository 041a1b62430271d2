"""Moves of the meetings area (registered in moves/__init__.py): a member's dues basis and
dues relief (Quy định 01-QĐ/TW 3/2/2026, DOMAIN.md §7), made by the branch."""

from typing import Any

from dangvien.accounts.models import User
from dangvien.members.actions import meetings as actions
from dangvien.members.forms.meetings import DuesBasisForm, DuesReliefForm
from dangvien.members.models import ACTIVE_STATUSES, DuesBasis, Member, ReliefKind
from dangvien.members.moves import BRANCH, Move, register
from dangvien.members.queries.meetings import month_text


def _basis_form(member: Member, data: Any) -> DuesBasisForm:
    return DuesBasisForm(data, prefix="set-dues-basis")


def _set_basis(member: Member, data: dict[str, Any], user: User) -> str:
    account = actions.set_dues_basis(
        member,
        from_month=data["from_month"],
        basis=data["basis"],
        base_amount=data.get("base_amount") or 0,
        by=user,
    )
    return (
        f"Đã ghi căn cứ đóng đảng phí từ tháng {month_text(account.from_month)}: "
        f"{DuesBasis(account.basis).label}."
    )


def _relief_form(member: Member, data: Any) -> DuesReliefForm:
    return DuesReliefForm(data, prefix="grant-dues-relief")


def _grant_relief(member: Member, data: dict[str, Any], user: User) -> str:
    relief = actions.grant_dues_relief(
        member,
        kind=data["kind"],
        percent=data.get("percent") or 100,
        from_month=data["from_month"],
        until_month=data.get("until_month"),
        reason=data["reason"],
        social_pension=bool(data.get("social_pension")),
        by=user,
    )
    what = "miễn" if relief.kind == ReliefKind.EXEMPT else f"giảm {relief.percent}%"
    return f"Đã ghi {what} đảng phí từ tháng {month_text(relief.from_month)}."


register(
    Move(
        "set-dues-basis",
        "Ghi căn cứ đóng đảng phí",
        ACTIVE_STATUSES,
        _basis_form,
        _set_basis,
        role=BRANCH,
        side=True,
    ),
    Move(
        "grant-dues-relief",
        "Miễn, giảm đảng phí",
        ACTIVE_STATUSES,
        _relief_form,
        _grant_relief,
        role=BRANCH,
        side=True,
    ),
)
