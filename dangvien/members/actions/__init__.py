"""Every write to member records, one module per area (STYLE.md: past ~500 lines,
``actions.py`` becomes a package). Callers import the area module they need."""

from dangvien.members.actions.base import add_probationary_member

__all__ = ["add_probationary_member"]
