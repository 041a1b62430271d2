"""Opening and closing a review period (366-QĐ/TW 2025: per term, yearly, quarterly or ad
hoc [C]; DOMAIN.md §4)."""

from datetime import date
from typing import Any

from django.db.models import Q

from dangvien.core.actions import action
from dangvien.core.dates import add_months
from dangvien.core.errors import Conflict, NotEligible, StageNotAllowed
from dangvien.core.text import checked_text
from dangvien.organisations.models import SUPERIOR, Kind, Organisation
from dangvien.reviews.actions._common import allowed, day_text, not_future, today, user_of
from dangvien.reviews.models import PeriodKind, ReviewPeriod
from dangvien.reviews.queries.access import can_open_period

FIRST_YEAR = 2000
FIRST_DAY = date(1900, 1, 1)
TERM_YEARS = 5  # a party congress term lasts at most 5 years (Party Charter) [U]
# Yearly and quarterly reviews cover a whole organisation: opened by a committee that has
# member organisations under it (a superior committee or a grassroots đảng bộ cơ sở) or by
# the top of a tree, never by a chi bộ, a chi bộ cơ sở or a đảng bộ bộ phận, which would
# keep the committee above from opening the year for everyone [U].
PERIODIC_KINDS = SUPERIOR | {Kind.GRASSROOTS_COMMITTEE}
QUARTER_MONTHS = {1: (1, 3, 31), 2: (4, 6, 30), 3: (7, 9, 30), 4: (10, 12, 31)}


def _prefixes(path: str) -> list[str]:
    return [path[:end] for end in range(9, len(path) + 1, 9)]


def _default_name(kind: str, year: int, quarter: int | None) -> str:
    if kind == PeriodKind.YEARLY:
        return f"Kiểm điểm, đánh giá, xếp loại chất lượng năm {year}"
    if kind == PeriodKind.QUARTERLY:
        return f"Kiểm điểm, đánh giá, xếp loại chất lượng quý {quarter} năm {year}"
    if kind == PeriodKind.TERM:
        return f"Kiểm điểm, đánh giá, xếp loại chất lượng nhiệm kỳ (đến năm {year})"
    return f"Kiểm điểm, đánh giá, xếp loại chất lượng đột xuất năm {year}"


def _dates(
    kind: str, year: int, quarter: int | None, starts_on: date | None, ends_on: date | None
) -> tuple[date, date]:
    if kind == PeriodKind.YEARLY:
        return date(year, 1, 1), date(year, 12, 31)
    if kind == PeriodKind.QUARTERLY:
        first, last, day = QUARTER_MONTHS[quarter or 0]
        return date(year, first, 1), date(year, last, day)
    if starts_on is None:
        raise NotEligible("Cần ghi ngày bắt đầu kỳ đánh giá.", field="starts_on")
    if ends_on is None:
        raise NotEligible("Cần ghi ngày kết thúc kỳ đánh giá.", field="ends_on")
    if starts_on < FIRST_DAY:
        raise NotEligible(
            f"Ngày bắt đầu kỳ đánh giá không thể trước {day_text(FIRST_DAY)}.", field="starts_on"
        )
    if ends_on < starts_on:
        raise NotEligible("Ngày kết thúc kỳ đánh giá trước ngày bắt đầu.", field="ends_on")
    latest = add_months(today(), 12)
    if ends_on > latest:
        raise NotEligible(
            f"Ngày kết thúc kỳ đánh giá không thể sau {day_text(latest)} (quá một năm kể từ "
            "hôm nay).",
            field="ends_on",
        )
    span = f"{day_text(starts_on)}–{day_text(ends_on)}"
    if kind == PeriodKind.TERM:
        if ends_on.year != year:
            raise NotEligible(
                f"Kỳ đánh giá theo nhiệm kỳ ({span}) phải kết thúc trong năm {year}.",
                field="year",
            )
        if ends_on >= add_months(starts_on, 12 * TERM_YEARS):
            raise NotEligible(
                f"Kỳ đánh giá theo nhiệm kỳ ({span}) dài quá {TERM_YEARS} năm (một nhiệm kỳ "
                "đại hội, Điều lệ Đảng [U]).",
                field="ends_on",
            )
    elif not starts_on.year == ends_on.year == year:
        raise NotEligible(
            f"Kỳ đánh giá đột xuất ({span}) phải nằm trong năm {year}.",
            field="ends_on" if starts_on.year == year else "starts_on",
        )
    return starts_on, ends_on


def _clash_text(clash: ReviewPeriod, organisation: Organisation) -> str:
    """Why a second yearly (quarterly) period is refused, told from where it is opened:
    the same node, a committee above that already covers it, or one below it."""
    yearly = clash.kind == PeriodKind.YEARLY
    what = f"năm {clash.year}" if yearly else f"quý {clash.quarter} năm {clash.year}"
    once = (
        "mỗi đảng viên chỉ được kiểm điểm, xếp loại một lần mỗi "
        f"{'năm' if yearly else 'quý'} (366-QĐ/TW [C])."
    )
    opened = f"kỳ kiểm điểm, đánh giá {what} (“{clash.name}”)"
    if clash.organisation_id == organisation.pk:
        return f"{organisation.name} đã mở {opened}: {once}"
    if organisation.path.startswith(clash.org_path):
        return (
            f"Cấp trên là {clash.organisation.name} đã mở {opened} cho cả {organisation.name}: "
            f"các chi bộ, đảng viên của {organisation.name} kiểm điểm trong kỳ đó; {once}"
        )
    return (
        f"Cấp dưới là {clash.organisation.name} đã mở {opened}: mở kỳ tại "
        f"{organisation.name} sẽ kiểm điểm hai lần các đảng viên của {clash.organisation.name}"
        f"; {once}"
    )


@action
def open_period(
    organisation: Organisation,
    *,
    by: Any,
    kind: str,
    year: int,
    quarter: int | None = None,
    name: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> ReviewPeriod:
    """A committee opens a review for its whole subtree (366-QĐ/TW [C]: per term, yearly,
    quarterly or ad hoc). Yearly: 1/1–31/12; quarterly: the quarter's dates; per term and
    ad hoc: the dates given.

    A member is reviewed once a year (and once a quarter): a second yearly (quarterly)
    period for the same year (quarter) is refused on the node, an ancestor or a
    descendant, the refusal naming the one already open. Yearly and quarterly periods are
    opened only by the top of a tree, a superior committee or a đảng bộ cơ sở (never by a
    chi bộ, which would block the year for the committee above) [U]. A term period lasts
    at most 5 years and ends in ``year``; an ad hoc one lies within ``year``; no period
    starts before 1900 or ends more than a year from today. Needs ``decide`` at the node
    (``can_open_period``).
    """
    allowed(
        by,
        can_open_period,
        organisation,
        message=f"Bạn không được mở kỳ kiểm điểm, đánh giá cho {organisation.name}.",
    )
    if kind not in PeriodKind.values:
        raise NotEligible(f"Loại kỳ đánh giá “{kind}” không hợp lệ.", field="kind")
    last = today().year + 1
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= last:
        raise NotEligible(f"Năm đánh giá phải từ {FIRST_YEAR} đến {last}.", field="year")
    if kind == PeriodKind.QUARTERLY:
        if quarter not in QUARTER_MONTHS:
            raise NotEligible("Quý phải từ 1 đến 4.", field="quarter")
    elif quarter is not None:
        raise NotEligible("Chỉ kỳ đánh giá hằng quý mới ghi quý.", field="quarter")
    periodic = kind in (PeriodKind.YEARLY, PeriodKind.QUARTERLY)
    if periodic and organisation.parent_id is not None and organisation.kind not in PERIODIC_KINDS:
        raise NotEligible(
            f"{organisation.name} không mở kỳ kiểm điểm, đánh giá hằng năm, hằng quý: kỳ đó "
            "do cấp ủy cấp trên (đảng bộ xã, huyện, tỉnh) hoặc đảng ủy cơ sở mở cho cả đảng "
            "bộ. Tổ chức này chỉ mở được kỳ theo nhiệm kỳ hoặc đột xuất.",
            field="kind",
        )
    first, last_day = _dates(kind, year, quarter, starts_on, ends_on)
    name = checked_text(name, what="tên kỳ đánh giá", field="name", max_length=200, required=False)
    # One opening at a time per tree: the checks below then see every period opened.
    root_id = organisation.ancestor_ids(include_self=True)[0]
    Organisation.objects.select_for_update().filter(pk=root_id).first()
    if periodic:
        clash = (
            ReviewPeriod.objects.filter(kind=kind, year=year, quarter=quarter)
            .filter(
                Q(org_path__in=_prefixes(organisation.path))
                | Q(org_path__startswith=organisation.path)
            )
            .select_related("organisation")
            .order_by("org_path")  # the highest first: the one that covers this node
            .first()
        )
        if clash is not None:
            raise Conflict(_clash_text(clash, organisation), field="year")
    return ReviewPeriod.objects.create(
        organisation=organisation,
        org_path=organisation.path,
        kind=kind,
        year=year,
        quarter=quarter,
        name=name or _default_name(kind, year, quarter),
        starts_on=first,
        ends_on=last_day,
        by=user_of(by),
    )


@action
def close_period(period: ReviewPeriod, *, by: Any, closed_on: date) -> ReviewPeriod:
    """The committee that opened the period closes it: no more self-assessments, sheets
    or decisions in it (publishing decided ratings stays possible)."""
    allowed(
        by,
        can_open_period,
        period.organisation,
        message=f"Bạn không được kết thúc kỳ “{period.name}”.",
    )
    row = ReviewPeriod.objects.select_for_update().get(pk=period.pk)
    if row.closed_on is not None:
        raise StageNotAllowed(f"Kỳ “{row.name}” đã kết thúc ngày {day_text(row.closed_on)}.")
    not_future(closed_on, "Ngày kết thúc kỳ đánh giá", "closed_on")
    if closed_on < row.starts_on:
        raise NotEligible(
            f"Ngày kết thúc ({day_text(closed_on)}) trước ngày bắt đầu kỳ đánh giá "
            f"({day_text(row.starts_on)}).",
            field="closed_on",
        )
    row.closed_on = period.closed_on = closed_on
    row.save(update_fields=["closed_on"])
    return row
