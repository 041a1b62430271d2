"""Dates for millions of rows: days as ordinals, their COPY text cached, working days and
rule parameters read from the database once.

While the writer thread streams COPY data, the generator may not query the database (the
connection is busy), so the working calendar (``core.calendar`` with the announced
``CalendarDay`` overrides) and the nationwide rule parameters (``core.rules``) are loaded
before the load starts. The database holds no organisation yet, so only nationwide rule
versions can exist: ``value`` gives what ``rule(key, on=day)`` gives.
"""

from bisect import bisect_right
from collections.abc import Callable
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
        # ``iso(n)``, a day's COPY text ("2024-03-05"), is the dict's own lookup: called a
        # dozen times per member, a C call costs a fraction of a Python method's.
        end_n = (today + timedelta(days=800)).toordinal()
        self.days = {
            n: date.fromordinal(n).isoformat()
            for n in range(date(1900, 1, 1).toordinal(), end_n + 1)
        }
        self.iso: Callable[[int], str] = self.days.__getitem__
        self._moments = {9: Moments(self.days, 9)}
        # ``stamp(n)``: 9 o'clock that day, for ``at`` columns (a dict lookup, as ``iso``).
        self.stamp: Callable[[int], str] = self._moments[9].__getitem__
        self._vn: dict[int, str] = {}
        # ``a_year_after(n)``: 12 months after day ``n`` (``core.dates.add_months``), the end
        # of a probation or of a temporary transfer; a dict lookup, as ``iso``.
        self.a_year_after: Callable[[int], int] = AYearAfter().__getitem__
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

    def stamp_at(self, n: int, hour: int) -> str:
        """A moment on that day at ``hour``, Vietnam time, for ``at`` columns."""
        moments = self._moments.get(hour)
        if moments is None:
            moments = self._moments[hour] = Moments(self.days, hour)
        return moments[n]

    def vn(self, n: int) -> str:
        """dd/mm/yyyy, as notes write dates."""
        text = self._vn.get(n)
        if text is None:
            text = self._vn[n] = date.fromordinal(n).strftime("%d/%m/%Y")
        return text

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


class Moments(dict[int, str]):
    """Day (ordinal) → "2024-03-05 09:00:00+07": a moment at one hour of each day, Vietnam
    time, made on first use."""

    def __init__(self, days: dict[int, str], hour: int) -> None:
        super().__init__()
        self.days = days
        self.suffix = f" {hour:02d}:00:00+07"

    def __missing__(self, n: int) -> str:
        text = self[n] = self.days[n] + self.suffix
        return text


class AYearAfter(dict[int, int]):
    """Day (ordinal) → the day 12 months later (``core.dates.add_months``), made on first
    use."""

    def __missing__(self, n: int) -> int:
        later = self[n] = add_months(date.fromordinal(n), 12).toordinal()
        return later
