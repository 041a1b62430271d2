"""The targets and statistics part of the home page ("Việc cần làm").

- A committee that sets targets sees the children still without this year's target
  (seeds 001/003: each committee assigns the year's target to every subordinate), and a
  tree's top node without its own target.
- The quarterly survey of the candidate pool (seed 003: "định kỳ hằng quý khảo sát") is a
  task in the last month of the quarter, and overdue when the previous quarter closed
  without it.
- The line on the year's target of the user's node (``home_achievement``).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from dangvien.accounts.models import Capability
from dangvien.accounts.queries import can
from dangvien.core.rules import rule
from dangvien.core.todo import Task
from dangvien.organisations.models import Organisation
from dangvien.organisations.queries import units_managed_by
from dangvien.stats.formatting import percent
from dangvien.stats.models import PoolSurvey, Target
from dangvien.stats.queries import facts
from dangvien.stats.queries.access import can_set_target, can_take_survey
from dangvien.stats.queries.achievement import _pace, year_day
from dangvien.stats.queries.surveys import (
    previous_quarter,
    quarter_bounds,
    quarter_label,
    quarter_of,
)
from dangvien.stats.queries.targets import below, targets_for

if TYPE_CHECKING:
    from dangvien.accounts.models import User

SURVEY_NOTICE_DAYS = 30  # the survey shows as a task in the quarter's last month


def tasks(user: "User", today: date, units: list[Organisation] | None = None) -> list[Task]:
    """The tasks of the user's top nodes (the first 20 of ``units_managed_by``; ``units``:
    that list when the caller has it already)."""
    out: list[Task] = []
    year = today.year
    for org in (units_managed_by(user) if units is None else units)[:20]:
        if (
            org.parent_id is None
            and can_set_target(user, org)
            and not Target.objects.filter(organisation=org, year=year).exists()
        ):
            out.append(
                Task(
                    f"Chưa nhập chỉ tiêu kết nạp năm {year}",
                    "stats:targets",
                    org.pk,
                    org.name,
                    None,
                    query=f"year={year}",
                )
            )
        missing = below(org, year).missing if _sets_children(user, org) else 0
        if missing:
            out.append(
                Task(
                    f"Chưa giao chỉ tiêu kết nạp năm {year} cho {missing} tổ chức trực thuộc",
                    "stats:targets",
                    org.pk,
                    org.name,
                    None,
                    query=f"year={year}",
                )
            )
        if can_take_survey(user, org):
            out.extend(_survey_tasks(org, today))
    return out


def _sets_children(user: "User", org: Organisation) -> bool:
    """The ``targets`` capability at the node: its committee sets its children's targets."""
    return can(user, Capability.TARGETS, org.path)


def _survey_tasks(org: Organisation, today: date) -> list[Task]:
    year, quarter = quarter_of(today)
    taken = set(
        PoolSurvey.objects.filter(organisation=org, year__gte=year - 1).values_list(
            "year", "quarter"
        )
    )
    out: list[Task] = []
    before = previous_quarter(year, quarter)
    if before not in taken:
        out.append(
            Task(
                f"Chưa chốt khảo sát nguồn {quarter_label(*before, capital=False)}",
                "stats:surveys",
                org.pk,
                org.name,
                quarter_bounds(*before)[1],
                overdue=True,
            )
        )
    last_day = quarter_bounds(year, quarter)[1]
    if (year, quarter) not in taken and last_day - today < timedelta(days=SURVEY_NOTICE_DAYS):
        out.append(
            Task(
                f"Khảo sát nguồn quần chúng {quarter_label(year, quarter, capital=False)}",
                "stats:surveys",
                org.pk,
                org.name,
                last_day,
            )
        )
    return out


@dataclass(frozen=True)
class HomeAchievement:
    """The home page's line on the node's target for the year: what it shows of
    ``achievement.achievement`` (admitted, target, percentage, behind the pace)."""

    organisation: Organisation
    year: int
    admitted: int
    target: int | None
    percent: float | None
    behind: bool


def home_achievement(org: Organisation, today: date) -> HomeAchievement:
    """``achievement(org, today.year, on=today)``'s ``admitted``, ``target``, ``percent``
    and ``behind``, the same figures (a test holds them equal), without what the home page
    does not show: the children, the breakdowns with their look-up of every admitted
    person, last year's counts and the projection. The count of the year to date (one
    count a source, as ``facts.admission_count``), the node's target and, when it has
    one, the pace rule: about 5 queries instead of 11, a tenth of the server's CPU on
    the 6-million nation (issue 9: CPU per request)."""
    year = today.year
    day = year_day(year, today)
    start, end = date(year, 1, 1), date(year, 12, 31)
    admitted = facts.admission_count(org.path, start, min(day, end)) if day >= start else 0
    row = targets_for([org], year).get(org.pk)
    target = row.target if row is not None else None
    behind = False
    if target is not None:  # without a target there is no pace (``_pace``)
        warning = int(rule("targets.pace_warning_percent", on=min(day, end), organisation=org))
        behind = _pace(target, admitted, year, day, warning)[2]
    return HomeAchievement(org, year, admitted, target, percent(admitted, target), behind)
