"""Working days in Vietnam: weekends, statutory holidays (Tết included), announced swaps.

Deadlines in the regulations count working days (ngày làm việc), e.g. 294-QĐ/TW: the
admission decision within 60 working days of the branch resolution.
"""

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _statutory(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """The year's statutory days off, and the weekend days worked in exchange.

    When the government bridges a holiday (e.g. 31/08/2026 off, worked on Saturday
    22/08/2026), the library lists the weekday off as a holiday and the Saturday in
    ``weekend_workdays``; both halves of the swap must count.
    """
    calendar = holidays.country_holidays("VN", years=year)
    workdays = frozenset(d for d in calendar.weekend_workdays if d.year == year)
    return frozenset(calendar.keys()), workdays


def _overrides(start: date, end: date) -> dict[date, bool]:
    from dangvien.core.models import CalendarDay

    rows = CalendarDay.objects.filter(day__range=(start, end)).values_list("day", "is_working_day")
    return dict(rows)


def _is_working(day: date, overrides: dict[date, bool]) -> bool:
    if day in overrides:
        return overrides[day]
    days_off, weekend_workdays = _statutory(day.year)
    if day in weekend_workdays:
        return True
    return day.weekday() < 5 and day not in days_off


def is_working_day(day: date) -> bool:
    return _is_working(day, _overrides(day, day))


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted)."""
    # Generous window for the override lookup: 3 calendar days per working day plus Tết.
    overrides = _overrides(start, start + timedelta(days=days * 3 + 30))
    current, left = start, days
    while left > 0:
        current += timedelta(days=1)
        if _is_working(current, overrides):
            left -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative if before)."""
    if end < start:
        return -working_days_between(end, start)
    overrides = _overrides(start, end)
    count, current = 0, start
    while current < end:
        current += timedelta(days=1)
        if _is_working(current, overrides):
            count += 1
    return count
