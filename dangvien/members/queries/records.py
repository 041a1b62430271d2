"""Reads of the records area: party age across gaps, badges due, the never-readmit list
(DOMAIN.md §3 readmission, §8 party age and badges)."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import (
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from dangvien.core.dates import add_months, full_months_between
from dangvien.members.models import Badge, Gap, Member, Status

# Badge steps in years of party age (HD 01-HD/TW 2021 §18; 24/294-QĐ/TW [C]). A fixed list
# in the regulation, not a threshold: kept here rather than as a rule parameter.
BADGE_YEARS = (30, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90)

# Award days (month, day): 3/2, 19/5, 2/9, 7/11 (HD 01-HD/TW 2021 §18 [C]). Other major
# anniversaries are special cases decided by the provincial standing committee.
AWARD_DAYS = ((2, 3), (5, 19), (9, 2), (11, 7))

# The reason written on the Gap row a readmission leaves (294-QĐ/TW §3.5; DOMAIN.md §8).
READMISSION_GAP = "Thời gian ra khỏi Đảng đến khi kết nạp lại"


def lower_first(label: Any) -> str:
    """A choice label inside a sentence: only its first letter lowered ("Đảng" stays)."""
    label = str(label)
    return label[:1].lower() + label[1:]


def is_award_day(day: date) -> bool:
    return (day.month, day.day) in AWARD_DAYS


def next_award_day(today: date) -> date:
    """The next award day on or after ``today`` (today counts when it is one): the day
    the next badges are handed out (HD 01-HD/TW 2021 §18)."""
    for year in (today.year, today.year + 1):
        for month, day in AWARD_DAYS:
            candidate = date(year, month, day)
            if candidate >= today:
                return candidate
    raise AssertionError("unreachable")


def award_day_on_or_after(day: date) -> date:
    return next_award_day(day)


def upcoming_award_days(today: date, count: int = 4) -> list[date]:
    days = [next_award_day(today)]
    while len(days) < count:
        days.append(next_award_day(days[-1] + timedelta(days=1)))
    return days


def start_of_party_age(member: Member) -> date | None:
    """Party age counts from the first admission decision (Charter Art. 5.4; 24/294-QĐ/TW
    §4.5; a readmitted member keeps the first one: DOMAIN.md §8)."""
    return member.first_admitted_on or member.admitted_on


def gap_days(member: Member) -> int:
    """Days outside party life on record (the member's Gap rows)."""
    return sum(g.days for g in member.gaps.all())


def party_age_months(member: Member, on: date, gaps: int | None = None) -> int | None:
    """Completed months of party age on ``on``: from the first admission decision, minus the
    gaps, and for a member who died or left, only up to that day (DOMAIN.md §8; Charter
    Art. 5.4; 24/294-QĐ/TW §4.5). None without an admission date.

    Callers decide whether party age applies (it does once the member is official).
    """
    start = start_of_party_age(member)
    if start is None:
        return None
    end = on
    if member.status not in (Status.PROBATIONARY, Status.OFFICIAL) and member.left_on:
        end = min(end, member.left_on)
    shifted = start + timedelta(days=gap_days(member) if gaps is None else gaps)
    if shifted >= end:
        return 0
    return full_months_between(shifted, end)


def reaches_on(member: Member, years: int, gaps: int) -> date | None:
    """The day the member's party age reaches ``years`` (gaps included)."""
    start = start_of_party_age(member)
    if start is None:
        return None
    return add_months(start + timedelta(days=gaps), years * 12)


def due_step(age_months: int | None, held: int | None) -> int | None:
    """The badge a member is due: the highest step reached, when no badge of that step or
    a higher one is held (HD 01-HD/TW 2021 §18; a higher badge already given makes the
    lower ones moot)."""
    if age_months is None:
        return None
    reached = [years for years in BADGE_YEARS if years * 12 <= age_months]
    if not reached:
        return None
    step = reached[-1]
    if held is not None and held >= step:
        return None
    return step


def with_records(rows: QuerySet[Member]) -> QuerySet[Member]:
    """Annotate ``gap_total`` (a timedelta or None: the sum of the member's gaps) and
    ``top_badge`` (the highest badge held, None when none), one query for any number of
    rows."""
    gaps = (
        Gap.objects.filter(member=OuterRef("pk"))
        .order_by()
        .values("member")
        .annotate(
            total=Sum(ExpressionWrapper(F("until_on") - F("from_on"), output_field=DurationField()))
        )
        .values("total")
    )
    top = Badge.objects.filter(member=OuterRef("pk")).order_by("-years").values("years")[:1]
    return rows.annotate(
        gap_total=Subquery(gaps, output_field=DurationField()), top_badge=Subquery(top)
    )


def _gap_days_of(row: Member) -> int:
    total = getattr(row, "gap_total", None)
    if total is None:
        return 0
    if isinstance(total, timedelta):
        return max(total.days, 0)
    return max(int(total) // 86_400_000_000, 0)  # a backend answering microseconds


@dataclass(frozen=True)
class BadgeDue:
    """A member due for a badge at an award day, with how their party age was counted."""

    member: Member
    years: int
    age_months: int
    gap_days: int
    reaches_on: date
    due_on: date  # the first award day on or after the day the step is reached
    overdue: bool  # due at an earlier award day and missed

    @property
    def age_years(self) -> int:
        return self.age_months // 12

    @property
    def age_rest_months(self) -> int:
        return self.age_months % 12

    @property
    def start(self) -> date | None:
        return start_of_party_age(self.member)


def badges_due(
    rows: QuerySet[Member], award_day: date, *, years: int | None = None
) -> list[BadgeDue]:
    """Official members in ``rows`` whose party age (first admission minus gaps) reaches a
    badge step by ``award_day`` and who hold neither that badge nor a higher one
    (HD 01-HD/TW 2021 §18; DOMAIN.md §8). Gaps and badges are read in the same query as
    the members; no query per row. ``years`` keeps one step only."""
    # Narrowed in SQL before party age is counted here: a member may be due only for a
    # step their first admission reaches by the award day (gaps only shorten party age)
    # and that no badge held already covers.
    could_be_due = Q(pk__in=[])
    for badge_years in BADGE_YEARS:
        could_be_due |= Q(age_start__lte=add_months(award_day, -badge_years * 12)) & (
            Q(top_badge__isnull=True) | Q(top_badge__lt=badge_years)
        )
    candidates = (
        with_records(rows.filter(status=Status.OFFICIAL))
        .annotate(age_start=Coalesce("first_admitted_on", "admitted_on"))
        .filter(could_be_due)
    )
    due: list[BadgeDue] = []
    for member in candidates:
        gaps = _gap_days_of(member)
        age = party_age_months(member, award_day, gaps)
        step = due_step(age, member.top_badge)  # type: ignore[attr-defined]
        if step is None or age is None or (years is not None and step != years):
            continue
        reached = reaches_on(member, step, gaps) or award_day
        due_on = award_day_on_or_after(reached)
        due.append(
            BadgeDue(
                member=member,
                years=step,
                age_months=age,
                gap_days=gaps,
                reaches_on=reached,
                due_on=due_on,
                overdue=due_on < award_day,
            )
        )
    return due


def readmission_barrier(member: Member) -> str:
    """Why this member may not be readmitted at all ("" when nothing bars it): the
    never-readmit list (294-QĐ/TW §3.5.2) or an earlier readmission, since readmission
    happens once only (294-QĐ/TW §3.5.1)."""
    if member.never_readmit:
        return (
            "Không xem xét kết nạp lại: "
            f"{lower_first(member.get_never_readmit_display())} (294-QĐ/TW §3.5.2)."
        )
    if member.readmitted_on is not None:
        return (
            f"Đã được kết nạp lại ngày {member.readmitted_on:%d/%m/%Y}; "
            "chỉ được kết nạp lại một lần (294-QĐ/TW §3.5.1)."
        )
    earlier = member.gaps.filter(reason__icontains="kết nạp lại").order_by("until_on").first()
    if earlier is not None:
        return (
            f"Đã được kết nạp lại ngày {earlier.until_on:%d/%m/%Y}; "
            "chỉ được kết nạp lại một lần (294-QĐ/TW §3.5.1)."
        )
    return ""


def never_readmit_list(rows: QuerySet[Member]) -> QuerySet[Member]:
    """Members on the never-readmit list (294-QĐ/TW §3.5.2), most recently left first."""
    return rows.exclude(never_readmit="").order_by(
        F("left_on").desc(nulls_last=True), "person__sort_key", "pk"
    )


def next_badge(member: Member, today: date) -> dict[str, Any] | None:
    """The badge this official member is due at the next award day, if any
    (HD 01-HD/TW 2021 §18): ``{years, due_on, overdue}``, due at the first award day after
    the step is reached, so a badge missed at an earlier award day shows as overdue."""
    if member.status != Status.OFFICIAL:
        return None
    start = start_of_party_age(member)
    if start is None or start > add_months(today, -(BADGE_YEARS[0] - 1) * 12):
        return None  # too young in the party for any badge soon: no query
    award_day = next_award_day(today)
    gaps = gap_days(member)
    step = due_step(
        party_age_months(member, award_day, gaps),
        member.badges.order_by("-years").values_list("years", flat=True).first(),
    )
    if step is None:
        return None
    due_on = award_day_on_or_after(reaches_on(member, step, gaps) or award_day)
    return {"years": step, "due_on": due_on, "overdue": due_on < today}


def deadlines(member: Member, today: date) -> list[dict[str, Any]]:
    """The next badge due for the member, if any (``next_badge``), as a deadline."""
    due = next_badge(member, today)
    if due is None:
        return []
    return [
        {
            "what": f"Xét tặng Huy hiệu {due['years']} năm tuổi Đảng",
            "due_on": due["due_on"],
            "overdue": due["overdue"],
        }
    ]
