"""Calendar arithmetic in months, as the regulations count ages and validity periods."""

import calendar
from datetime import date, timedelta

from dangvien.core.text import is_number


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


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return add_months(month_start(day), 1) - timedelta(days=1)


def parse_month(value: str) -> date | None:
    """``YYYY-MM`` (or a full ``YYYY-MM-DD``) → the first day of that month; None if bad."""
    value = (value or "").strip()
    parts = value.split("-")
    if len(parts) not in (2, 3) or not all(is_number(p) for p in parts):
        return None
    try:
        day = date(int(parts[0]), int(parts[1]), int(parts[2]) if len(parts) == 3 else 1)
    except ValueError:
        return None
    return day.replace(day=1)


class BadDate(ValueError):
    """A day or period typed by the user that cannot be used; ``str()`` is the Vietnamese
    message and ``field`` names the input at fault."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


# The days the system reasons about: anything outside is a typing slip (and dates near
# year 1 or 9999 overflow the arithmetic on them).
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2100, 12, 31)


def parse_day(value: str, *, label: str, field: str) -> date:
    """A day typed as dd/mm/yyyy (also d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy), or yyyy-mm-dd as
    links and the API write it; ``BadDate`` (naming ``label`` and ``field``) otherwise."""
    text = value.strip()
    for sep in ("/", "-", "."):
        parts = text.split(sep)
        if len(parts) == 3 and all(is_number(p) for p in parts):
            if len(parts[0]) == 4:
                year, month, day = parts
            else:
                day, month, year = parts
            if len(year) == 4:
                try:
                    parsed = date(int(year), int(month), int(day))
                except ValueError:
                    break
                if not FIRST_DAY <= parsed <= LAST_DAY:
                    raise BadDate(
                        f"{label} phải từ {FIRST_DAY:%d/%m/%Y} đến {LAST_DAY:%d/%m/%Y}.", field
                    )
                return parsed
            break
    raise BadDate(
        f"{label} “{text}” không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 31/12/2025.",
        field,
    )
