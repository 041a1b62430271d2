"""What the review actions share: the bulk refusal and per-row result, the decision item,
input checks (scores, percentages, dates), and exemptions read for many members at once."""

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.db.models import QuerySet
from django.utils import timezone

from dangvien.core.errors import DomainError, NotAllowed, NotEligible, StageNotAllowed
from dangvien.core.text import checked_text
from dangvien.members.models import Exemption
from dangvien.organisations.models import Organisation
from dangvien.reviews.models import (
    RATING_ORDER,
    MemberReview,
    OrganisationReview,
    Rating,
    ReviewPeriod,
    Stage,
)
from dangvien.reviews.queries.access import can_decide_ratings, covers
from dangvien.reviews.rating import label

# 366-QĐ/TW [U] (DOMAIN.md §4: exempted members are not rated).
EXEMPTED = (
    "Đảng viên được miễn công tác và sinh hoạt đảng không xếp loại chất lượng (366-QĐ/TW [U])"
)
GOOD_OR_BETTER = (Rating.EXCELLENT, Rating.GOOD)
DONE = (Stage.DECIDED, Stage.PUBLISHED)
NOTE_MAX = 1000
COMMENT_MAX = 4000
ONE_DECIMAL = Decimal("0.1")

AnyReview = TypeVar("AnyReview", MemberReview, OrganisationReview)


@dataclass(frozen=True)
class RowResult:
    """What happened to one row of a bulk write. For organisation decisions
    ``member_id`` holds the organisation's id and ``name`` its name."""

    member_id: int
    name: str
    ok: bool
    message: str
    field: str = ""
    skipped: bool = False  # an empty row left as it was: ``ok`` but nothing written


@dataclass(frozen=True)
class DecisionItem:
    """One review in a bulk decision: ``rating`` "" confirms the chi bộ's proposal. For
    ``decide_org_ratings`` ``review_id`` is an ``OrganisationReview`` id."""

    review_id: int
    rating: str = ""


class BulkRefused(DomainError):
    """A bulk write refused as a whole: nothing was saved. ``results`` says per row what is
    wrong (``ok=False``, with the field at fault) and which rows were fine."""

    code = "bulk_refused"

    def __init__(self, message: str, *, results: list[RowResult]) -> None:
        super().__init__(message, field="rows")
        self.results = results


FINE_BUT_NOT_SAVED = "Không có lỗi; chưa lưu vì có dòng khác bị lỗi."


def refused(results: list[RowResult], *, what: str) -> BulkRefused:
    """The refusal of a whole batch: the rows at fault keep their message, the others say
    they were fine but nothing was saved."""
    bad = [r for r in results if not r.ok]
    first = bad[0]
    return BulkRefused(
        f"Không lưu gì: {len(bad)}/{len(results)} {what} có lỗi. "
        f"{first.name + ': ' if first.name else ''}{first.message}",
        results=[r if not r.ok else replace(r, message=FINE_BUT_NOT_SAVED) for r in results],
    )


def day_text(day: date) -> str:
    """dd/mm/yyyy with a four-digit year whatever the year (``strftime`` prints year 1 as
    "1")."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def today() -> date:
    return timezone.localdate()


def user_of(by: Any) -> Any:
    return by if getattr(by, "pk", None) else None


def allowed(by: Any, check: Any, *args: Any, message: str) -> None:
    """Refuse (API 403) unless ``check(by, *args)``; no user at all is refused too."""
    if not getattr(by, "is_authenticated", False) or not check(by, *args):
        raise NotAllowed(message)


def not_future(day: date, what: str, field: str) -> None:
    if day > today():
        raise NotEligible(f"{what} không thể sau ngày hôm nay.", field=field)


def period_open(period: ReviewPeriod) -> None:
    """A closed period takes no more assessments, sheets or decisions."""
    if period.closed_on is not None:
        raise StageNotAllowed(
            f"Kỳ “{period.name}” đã kết thúc ngày {day_text(period.closed_on)}: không ghi "
            "thêm kiểm điểm, đánh giá được nữa."
        )


def in_period(period: ReviewPeriod, organisation: Organisation, field: str) -> None:
    """``organisation`` lies in the period's subtree (``covers``), else refused."""
    if not covers(period, organisation):
        raise NotEligible(
            f"{organisation.name} không thuộc phạm vi kỳ “{period.name}”.", field=field
        )


def not_before_period(day: date, period: ReviewPeriod, what: str, field: str) -> None:
    if day < period.starts_on:
        raise NotEligible(
            f"{what} ({day_text(day)}) trước ngày bắt đầu kỳ đánh giá "
            f"({day_text(period.starts_on)}).",
            field=field,
        )


def score_problem(value: Any, what: str) -> tuple[Decimal | None, str]:
    """A score on the 100-point framework, one decimal (366-QĐ/TW Art. 11 [C])."""
    if value is None or value == "" or isinstance(value, bool):
        return None, f"Cần ghi {what}."
    try:
        score = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        return None, f"{what[:1].upper()}{what[1:]} phải là một số."
    if not score.is_finite() or not Decimal(0) <= score <= Decimal(100):
        return None, f"{what[:1].upper()}{what[1:]} phải từ 0 đến 100."
    if score != score.quantize(ONE_DECIMAL):
        return None, f"{what[:1].upper()}{what[1:]} chỉ lấy một chữ số thập phân."
    return score.quantize(ONE_DECIMAL), ""


def checked_score(value: Any, *, what: str, field: str) -> Decimal:
    score, message = score_problem(value, what)
    if message:
        raise NotEligible(message, field=field)
    assert score is not None
    return score


def percent_problem(value: Any, what: str) -> tuple[int | None, str]:
    """A whole percentage from 0 to 100."""
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, AttributeError):
            return None, f"{what[:1].upper()}{what[1:]} phải là một số nguyên."
        if not number.is_finite() or number != number.to_integral_value():
            return None, f"{what[:1].upper()}{what[1:]} phải là một số nguyên."
        value = int(number)
    if not 0 <= value <= 100:
        return None, f"{what[:1].upper()}{what[1:]} phải từ 0 đến 100."
    return value, ""


def checked_percent(value: Any, *, what: str, field: str) -> int:
    number, message = percent_problem(value, what)
    if message:
        raise NotEligible(message, field=field)
    assert number is not None
    return number


def rating_value_problem(value: Any, what: str) -> str:
    if not value:
        return f"Cần chọn {what}."
    if value not in RATING_ORDER:
        return f"{what[:1].upper()}{what[1:]} “{value}” không hợp lệ."
    return ""


def rating_day(period: ReviewPeriod, day: date | None) -> date:
    """The day exemptions are judged on: the period's end, or the sheet's day if earlier
    (366-QĐ/TW [U])."""
    return min(period.ends_on, day) if day else period.ends_on


def exemptions_of(members: QuerySet[Any] | Iterable[int], *, until: date) -> dict[int, list]:
    """Exemption spans (from, until) of ``members`` (a queryset of ids or ids) that began
    by ``until``; one query."""
    spans: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
    rows = Exemption.objects.filter(member_id__in=members, from_on__lte=until).values_list(
        "member_id", "from_on", "until_on"
    )
    for member_id, start, end in rows:
        spans[member_id].append((start, end))
    return spans


def exempted_on(spans: list[tuple[date, date | None]], day: date) -> bool:
    return any(start <= day and (end is None or end >= day) for start, end in spans)


def counts(ratings: Iterable[str]) -> tuple[int, int]:
    """(excellent, good or better) among ``ratings``."""
    excellent = good_or_better = 0
    for rating in ratings:
        if rating == Rating.EXCELLENT:
            excellent += 1
        if rating in GOOD_OR_BETTER:
            good_or_better += 1
    return excellent, good_or_better


@dataclass(frozen=True)
class Decision:
    """The head of a bulk decision, checked: the committee, the number, day and note."""

    decider: Organisation
    decision_no: str
    decided_on: date
    note: str


def decision_head(
    period: ReviewPeriod,
    decider: Organisation,
    *,
    by: Any,
    decision_no: str,
    decided_on: date,
    items: list[DecisionItem],
    note: str,
) -> Decision:
    """Checks shared by both bulk decisions; returns the head with the number and the note
    cleaned."""
    allowed(
        by,
        can_decide_ratings,
        decider,
        message=f"Bạn không được quyết định xếp loại thay cho {decider.name}.",
    )
    period_open(period)
    in_period(period, decider, "organisation")
    decision_no = checked_text(
        decision_no, what="số quyết định, thông báo", field="decision_no", max_length=50
    )
    not_future(decided_on, "Ngày quyết định", "decided_on")
    not_before_period(decided_on, period, "Ngày quyết định", "decided_on")
    note = checked_text(note, what="ghi chú", field="note", max_length=NOTE_MAX, required=False)
    if not items:
        raise NotEligible("Chưa chọn bản kiểm điểm nào để quyết định.", field="items")
    # The committee's row first: two decisions of the same committee queue one behind the
    # other, so each sees the other's ratings in the committee's quota.
    Organisation.objects.select_for_update(of=("self",)).filter(pk=decider.pk).first()
    return Decision(decider, decision_no, decided_on, note)


def item_rating(item: DecisionItem, proposed: str) -> tuple[str, str]:
    """(rating, problem) for an item: "" confirms the proposal."""
    rating = item.rating or proposed
    if not rating:
        return "", "Chi bộ chưa đề xuất mức xếp loại: cần chọn mức xếp loại."
    if rating not in Rating.values:
        return "", f"Mức xếp loại “{rating}” không hợp lệ."
    return rating, ""


def checked_self_part(
    self_score: Any, self_rating: str, on_time_percent: Any, beyond_percent: Any
) -> tuple[Decimal, int, int]:
    """The self-assessment's score, shares of tasks and rating, checked in that order, as
    (score, on time, beyond); the rating's limit is checked by the caller."""
    score = checked_score(self_score, what="điểm tự chấm", field="self_score")
    on_time = checked_percent(
        on_time_percent, what="tỷ lệ nhiệm vụ đúng tiến độ", field="on_time_percent"
    )
    beyond = checked_percent(
        beyond_percent, what="tỷ lệ nhiệm vụ vượt yêu cầu", field="beyond_percent"
    )
    message = rating_value_problem(self_rating, "mức tự xếp loại")
    if message:
        raise NotEligible(message, field="self_rating")
    return score, on_time, beyond


def checked_self_comment(value: str) -> str:
    return checked_text(
        value, what="tự nhận xét", field="self_comment", max_length=COMMENT_MAX, required=False
    )


def save_self_assessment(
    model: type[AnyReview],
    values: dict[str, Any],
    *,
    locked: Callable[[AnyReview], str],
    field: str,
    **about: Any,
) -> AnyReview:
    """Create the self-assessment ``about`` (the period and whom it is about) with
    ``values``, or update it while nobody has reviewed it past ``self_assessed``; past it,
    ``StageNotAllowed`` on ``field`` saying ``locked(review)``. Locks the row it updates."""
    review = model.objects.select_for_update(of=("self",)).filter(**about).first()
    if review is None:
        return model.objects.create(**about, **values)
    if review.stage != Stage.SELF_ASSESSED:
        raise StageNotAllowed(locked(review), field=field)
    for name, value in values.items():
        setattr(review, name, value)
    review.save(update_fields=[*values])
    return review


def checked_items(
    items: list[DecisionItem],
    reviews: Mapping[int, Any],
    *,
    period: ReviewPeriod,
    what: str,
    rows: str,
    about: Callable[[Any], tuple[int, str]],
    check: Callable[[Any, DecisionItem], tuple[str, str, str]],
) -> tuple[list[RowResult], dict[int, str]]:
    """The items of a bulk decision checked one by one, in the order given: each names a
    review of the period (``reviews`` by id; ``what`` names one) at most once, then
    ``check(review, item)`` gives (rating, refusal, field at fault), the refusal "" when
    the rating may be decided; ``about(review)`` is whom the review is about (id, name).
    Returns each item's result and the rating chosen per review id. All or nothing: a
    refused item raises ``BulkRefused`` with every row's result (``rows`` names them)."""
    results: list[RowResult] = []
    chosen: dict[int, str] = {}
    seen: set[int] = set()
    for item in items:
        review = reviews.get(item.review_id)
        if review is None:
            results.append(
                RowResult(
                    0,
                    "",
                    False,
                    f"Không có {what} số {item.review_id} trong kỳ “{period.name}”.",
                    "review_id",
                )
            )
            continue
        owner, name = about(review)
        if item.review_id in seen:
            rating, message = "", f"{what[:1].upper()}{what[1:]} có hai lần trong danh sách."
            field = "review_id"
        else:
            seen.add(item.review_id)
            rating, message, field = check(review, item)
        if message:
            results.append(RowResult(owner, name, False, message, field))
        else:
            chosen[item.review_id] = rating
            results.append(RowResult(owner, name, True, f"Quyết định “{label(rating)}”."))
    if any(not r.ok for r in results):
        raise refused(results, what=rows)
    return results, chosen


def over_quota(
    results: list[RowResult], items: list[DecisionItem], over: dict[int, str], *, what: str
) -> BulkRefused:
    """The refusal of a bulk decision over the quota on "excellent" (132/124-QĐ/TW [U]):
    the items in ``over`` (review id → refusal) refused on their rating, the others as
    they were."""
    return refused(
        [
            RowResult(r.member_id, r.name, False, over[item.review_id], "rating")
            if item.review_id in over
            else r
            for r, item in zip(results, items, strict=True)
        ],
        what=what,
    )


def write_decisions(
    model: type[MemberReview] | type[OrganisationReview],
    chosen: dict[int, str],
    decision: Decision,
    *,
    by: Any,
) -> None:
    """Move the reviews ``chosen`` (review id → rating) to ``decided`` with their rating
    and the ``decision``: one UPDATE per distinct rating."""
    user = user_of(by)
    by_rating: dict[str, list[int]] = defaultdict(list)
    for pk, rating in chosen.items():
        by_rating[rating].append(pk)
    for rating, pks in by_rating.items():
        model.objects.filter(pk__in=pks).update(
            stage=Stage.DECIDED,
            decided_rating=rating,
            decider=decision.decider,
            decision_no=decision.decision_no,
            decided_on=decision.decided_on,
            decision_note=decision.note,
            by=user,
        )
