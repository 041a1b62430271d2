"""Calendar arithmetic in months, as the regulations count ages and validity periods."""

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later; the 31st becomes the month's last day when needed."""
    month_index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def full_months_between(start: date, end: date) -> int:
    """Completed months from ``start`` to ``end`` (age in months on ``end``)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if add_months(start, months) > end:
        months -= 1
    return months


def full_years_between(start: date, end: date) -> int:
    return full_months_between(start, end) // 12
