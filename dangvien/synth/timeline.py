"""Dates for millions of rows: days as ordinals, their COPY text cached, working days and
rule parameters read from the database once.

While the writer thread streams COPY data, the generator may not query the database (the
connection is busy), so the working calendar (``core.calendar`` with the announced
``CalendarDay`` overrides) and the nationwide rule parameters (``core.rules``) are loaded
before the load starts. The database holds no organisation yet, so only nationwide rule
versions can exist: ``value`` gives what ``rule(key, on=day)`` gives.
"""

from bisect import bisect_right
from datetime import date, timedelta
from typing import Any

from dangvien.core import calendar
from dangvien.core.dates import add_months
from dangvien.core.models import CalendarDay, RuleParameter
from dangvien.core.rules import DEFAULTS


class Timeline:
    def __init__(self, today: date, first: date) -> None:
        self.today = today
        self.today_n = today.toordinal()
        self.first_n = first.toordinal()
        # Every day's text from 1900 to the end of the deadlines, looked up by ordinal.
        self._base = date(1900, 1, 1).toordinal()
        end_n = (today + timedelta(days=800)).toordinal()
        self.days = [date.fromordinal(n).isoformat() for n in range(self._base, end_n + 1)]
        self._stamp: dict[int, str] = {}
        self._months: dict[tuple[int, int], int] = {}
        self._rules: dict[tuple[str, int], Any] = {}
        self._versions: dict[str, list[tuple[date, Any]]] = {}
        for row in RuleParameter.objects.filter(organisation__isnull=True).order_by(
            "effective_from", "id"
        ):
            self._versions.setdefault(row.key, []).append((row.effective_from, row.value))
        end = today + timedelta(days=800)  # deadlines run past today
        overrides = dict(
            CalendarDay.objects.filter(day__range=(first, end)).values_list("day", "is_working_day")
        )
        self._working = [
            n
            for n in range(self.first_n, end.toordinal() + 1)
            if calendar._is_working(date.fromordinal(n), overrides)
        ]

    def iso(self, n: int) -> str:
        """A day's COPY text ("2024-03-05")."""
        return self.days[n - self._base]

    def stamp(self, n: int, hour: int = 9) -> str:
        """A moment on that day, Vietnam time, for ``at`` columns."""
        key = n * 24 + hour
        text = self._stamp.get(key)
        if text is None:
            text = self._stamp[key] = f"{self.iso(n)} {hour:02d}:00:00+07"
        return text

    def vn(self, n: int) -> str:
        """dd/mm/yyyy, as notes write dates."""
        return date.fromordinal(n).strftime("%d/%m/%Y")

    def add_months(self, n: int, months: int) -> int:
        key = (n, months)
        value = self._months.get(key)
        if value is None:
            value = self._months[key] = add_months(date.fromordinal(n), months).toordinal()
        return value

    def add_working_days(self, n: int, days: int) -> int:
        """As ``core.calendar.add_working_days``: ``days`` working days after day ``n``."""
        if n < self.first_n:  # before the loaded window: statutory days only
            current, left = n, days
            while left > 0:
                current += 1
                left -= calendar._is_working(date.fromordinal(current), {})
            return current
        index = bisect_right(self._working, n) + days - 1
        return self._working[index]

    def rule(self, key: str, n: int) -> Any:
        """``core.rules.rule(key, on=day)`` with no organisation-specific version."""
        cached = self._rules.get((key, n))
        if cached is None:
            day = date.fromordinal(n)
            value = DEFAULTS[key].on(day)
            for since, version in self._versions.get(key, []):
                if since <= day:
                    value = version
            cached = self._rules[(key, n)] = value
        return cached
