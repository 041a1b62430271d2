"""Counting a body's vote: the checks and the ratio rule shared by every vote the system
records (admission, recognition, removal, exit). DOMAIN.md §2."""

from datetime import date
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from dangvien.core.errors import VoteInvalid
from dangvien.core.rules import ratio_met, rule

MAX_COUNT = 100_000  # larger than any branch or committee; keeps bad input off the database


class Body(models.TextChoices):
    BRANCH = "branch", _("Chi bộ")
    GRASSROOTS = "grassroots", _("Đảng ủy cơ sở")
    DECIDER = "decider", _("Cấp ủy có thẩm quyền")


def check_counts(in_favour: int, against: int, total: int, what: str) -> None:
    if in_favour < 0 or against < 0:
        raise VoteInvalid("Số phiếu không thể âm.", field="in_favour")
    if max(in_favour, against, total) > MAX_COUNT:
        raise VoteInvalid(f"Số phiếu quá lớn (tối đa {MAX_COUNT:,}).".replace(",", "."))
    if total <= 0:
        raise VoteInvalid(f"{what} không có ai được tính tỷ lệ biểu quyết.", field="in_favour")
    if in_favour + against > total:
        raise VoteInvalid(
            f"Tổng số tán thành và không tán thành ({in_favour + against}) vượt quá "
            f"{what.lower()} ({total}).",
            field="in_favour",
        )


def check_size(given: int, recorded: int | None, body: str) -> None:
    """The vote counts against the body's recorded size: typing a smaller committee must not
    turn a minority into two thirds (24/294-QĐ/TW; DOMAIN.md §2)."""
    if recorded and given != recorded:
        raise VoteInvalid(
            f"{body} có {recorded} ủy viên theo dữ liệu tổ chức, không phải {given}. "
            "Nếu số ủy viên đã thay đổi, cần cập nhật thông tin tổ chức trước.",
            field="committee_size",
        )


def tally(
    *,
    rule_key: str,
    organisation: Any,
    held_on: date,
    in_favour: int,
    against: int,
    denominator: int,
    counted: str,
) -> dict[str, Any]:
    """Check the counts and apply the ratio rule in force that day for ``organisation``.

    Answers the fields every vote row stores (``rule``, ``passed`` and the counts);
    ``counted`` names the denominator in refusal messages.
    """
    check_counts(in_favour, against, denominator, counted)
    ratio = rule(rule_key, on=held_on, organisation=organisation)
    return {
        "held_on": held_on,
        "in_favour": in_favour,
        "against": against,
        "denominator": denominator,
        "rule": ratio,
        "passed": ratio_met(in_favour, denominator, ratio),
    }
