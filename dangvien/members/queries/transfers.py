"""Reads of the transfers area."""

from datetime import date
from typing import Any

from dangvien.members.models import Member


def deadlines(member: Member, today: date) -> list[dict[str, Any]]:
    """This area's deadlines for the member: ``{what, due_on, overdue}`` (API.md)."""
    return []
