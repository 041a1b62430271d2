"""Opening and closing a review period (366-QĐ/TW 2025: per term, yearly, quarterly or ad
hoc [C]; DOMAIN.md §4)."""

from datetime import date
from typing import Any

from django.db.models import Q

from dangvien.core.actions import action
from dangvien.core.errors import Conflict, NotEligible, StageNotAllowed
from dangvien.core.text import checked_text
from dangvien.organisations.models import Organisation
from dangvien.reviews.actions._common import allowed, day_text, not_future, today, user_of
from dangvien.reviews.models import PeriodKind, ReviewPeriod
from dangvien.reviews.queries.access import can_open_period

FIRST_YEAR = 2000
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
    if ends_on < starts_on:
        raise NotEligible("Ngày kết thúc kỳ đánh giá trước ngày bắt đầu.", field="ends_on")
    if not starts_on.year <= year <= ends_on.year:
        raise NotEligible(
            f"Năm {year} nằm ngoài thời gian của kỳ đánh giá "
            f"({day_text(starts_on)}–{day_text(ends_on)}).",
            field="year",
        )
    return starts_on, ends_on


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
    descendant. Needs ``decide`` at the node (``can_open_period``).
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
    first, last_day = _dates(kind, year, quarter, starts_on, ends_on)
    name = checked_text(name, what="tên kỳ đánh giá", field="name", max_length=200, required=False)
    # One opening at a time per tree: the checks below then see every period opened.
    root_id = organisation.ancestor_ids(include_self=True)[0]
    Organisation.objects.select_for_update().filter(pk=root_id).first()
    if kind in (PeriodKind.YEARLY, PeriodKind.QUARTERLY):
        clash = (
            ReviewPeriod.objects.filter(kind=kind, year=year, quarter=quarter)
            .filter(
                Q(org_path__in=_prefixes(organisation.path))
                | Q(org_path__startswith=organisation.path)
            )
            .select_related("organisation")
            .first()
        )
        if clash is not None:
            what = f"năm {year}" if kind == PeriodKind.YEARLY else f"quý {quarter} năm {year}"
            raise Conflict(
                f"{clash.organisation.name} đã mở kỳ kiểm điểm, đánh giá {what} (“{clash.name}”)"
                " bao trùm hoặc nằm trong tổ chức này: mỗi đảng viên chỉ được kiểm điểm, xếp "
                f"loại một lần mỗi kỳ {'năm' if kind == PeriodKind.YEARLY else 'quý'} "
                "(366-QĐ/TW [C]).",
                field="year",
            )
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
