"""The rating rules: the highest rating a review allows, and the quota on "excellent".

Bands (366-QĐ/TW Art. 11 [C]; thresholds are rule parameters, ``core.rules``):

- ``excellent``: score ≥ ``review.excellent_min_score`` (90), 100% of tasks on time and
  at least ``review.excellent_beyond_percent`` (30%) beyond requirements; for an
  organisation also the shortcomings pointed out earlier 100% fixed and nobody disciplined
  (124-QĐ/TW [C]);
- ``good``: score ≥ ``review.good_min_score`` (70) and 100% of tasks on time;
- ``complete``: score ≥ ``review.complete_min_score`` (50) and at most
  ``review.complete_max_late_percent`` (20%) of tasks late (366-QĐ/TW [C] for a
  collective, [U] for a member);
- otherwise ``failed`` [U].

A member disciplined in the period is capped at ``review.disciplined_max_rating``
("failed"; 16-HD/BTCTW 2018, 124-QĐ/TW [C]; 366-QĐ/TW [U]); a conclusion of degradation
fails the rating (16-HD/BTCTW 2018; 124-QĐ/TW [C]). A rating may be lower than the highest
allowed (the chi bộ or the committee judges), never higher.

Quota (132-QĐ/TW, 124-QĐ/TW [U]; ``review.excellent_quota_percent``): among ratings of
"good" or better, at most floor(n × 20 / 100) "excellent".

The rule parameters are read for many organisations at once by ``thresholds_for``: one
query, the same precedence as ``core.rules.rule`` (most specific organisation first, then
the latest date), so a bulk decision does not read each rule once per member.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypedDict, Unpack

from django.db.models import Q
from django.utils.translation import get_language

from dangvien.core.rules import DEFAULTS
from dangvien.organisations.models import Organisation
from dangvien.reviews.models import RATING_ORDER, Rating

SOURCE = "366-QĐ/TW Điều 11 [C]"
DISCIPLINE_SOURCE = "16-HD/BTCTW 2018; 124-QĐ/TW [C]; 366-QĐ/TW [U]"
DEGRADED_SOURCE = "16-HD/BTCTW 2018; 124-QĐ/TW [C]"

KEYS = (
    "review.excellent_min_score",
    "review.good_min_score",
    "review.complete_min_score",
    "review.excellent_beyond_percent",
    "review.complete_max_late_percent",
    "review.excellent_quota_percent",
    "review.disciplined_max_rating",
    "review.failed_years_for_removal",
)


@dataclass(frozen=True)
class Thresholds:
    """The review rule parameters in force for one organisation on one day."""

    excellent_min_score: Decimal
    good_min_score: Decimal
    complete_min_score: Decimal
    excellent_beyond_percent: int
    complete_max_late_percent: int
    excellent_quota_percent: int
    disciplined_max_rating: str
    failed_years_for_removal: int

    @classmethod
    def of(cls, values: dict[str, Any]) -> "Thresholds":
        cap = values["review.disciplined_max_rating"]
        if cap not in RATING_ORDER:  # a misconfigured cap: the strictest reading
            cap = Rating.FAILED
        return cls(
            excellent_min_score=Decimal(str(values["review.excellent_min_score"])),
            good_min_score=Decimal(str(values["review.good_min_score"])),
            complete_min_score=Decimal(str(values["review.complete_min_score"])),
            excellent_beyond_percent=int(values["review.excellent_beyond_percent"]),
            complete_max_late_percent=int(values["review.complete_max_late_percent"]),
            excellent_quota_percent=int(values["review.excellent_quota_percent"]),
            disciplined_max_rating=str(cap),
            failed_years_for_removal=max(int(values["review.failed_years_for_removal"]), 1),
        )


def thresholds_for(organisations: Iterable[Organisation], *, on: date) -> dict[int, Thresholds]:
    """The thresholds in force on ``on`` for each organisation (key: its id), in one query.

    Same precedence as ``core.rules.rule``: among the versions set for the organisation,
    one of its ancestors or nationwide, the most specific organisation wins, then the
    latest ``effective_from``.
    """
    from dangvien.core.models import RuleParameter

    orgs = {org.pk: org for org in organisations}
    if not orgs:
        return {}
    ancestor_ids = {pk for org in orgs.values() for pk in org.ancestor_ids(include_self=True)}
    versions = list(
        RuleParameter.objects.filter(key__in=KEYS, effective_from__lte=on)
        .filter(Q(organisation__isnull=True) | Q(organisation_id__in=sorted(ancestor_ids)))
        .values_list("key", "value", "effective_from", "organisation_id", "organisation__depth")
    )
    defaults = {key: DEFAULTS[key].on(on) for key in KEYS}
    found: dict[int, Thresholds] = {}
    by_values: dict[tuple[Any, ...], Thresholds] = {}
    for pk, org in orgs.items():
        mine = set(org.ancestor_ids(include_self=True))
        best: dict[str, tuple[tuple[int, date], Any]] = {}
        for key, value, since, org_id, depth in versions:
            if org_id is not None and org_id not in mine:
                continue
            rank = (depth if org_id is not None else -1, since)
            if key not in best or rank > best[key][0]:
                best[key] = (rank, value)
        values = {key: best[key][1] if key in best else defaults[key] for key in KEYS}
        signature = tuple(repr(values[key]) for key in KEYS)
        if signature not in by_values:
            by_values[signature] = Thresholds.of(values)
        found[pk] = by_values[signature]
    return found


def thresholds(*, on: date, organisation: Organisation) -> Thresholds:
    """The thresholds in force for one organisation (one query)."""
    return thresholds_for([organisation], on=on)[organisation.pk]


# ---- texts -----------------------------------------------------------------------------


def label(rating: str) -> str:
    """The rating's name (cached per language: bulk decisions name it 10,000 times)."""
    return _label(rating, get_language())


@lru_cache(maxsize=64)
def _label(rating: str, language: str | None) -> str:
    return str(Rating(rating).label)


def number_text(value: Decimal | int) -> str:
    """89.9 → "89,9"; 90 → "90" (scores and thresholds as Vietnamese write them)."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(int(value))
    return f"{value:.1f}".replace(".", ",")


class _Circumstances(TypedDict, total=False):
    disciplined: bool
    degraded: bool
    collective: bool
    shortcomings_fixed: bool


class Facts(_Circumstances):
    """What a review is rated on: the ``score`` on the 100-point framework, the shares of
    tasks ``on_time_percent`` and ``beyond_percent`` (366-QĐ/TW Art. 11 [C]); and, when
    given (else ``CIRCUMSTANCES``): ``disciplined`` in the period (16-HD/BTCTW 2018,
    124-QĐ/TW [C]), ``degraded`` (a conclusion of degradation), ``collective`` (an
    organisation's review: ``disciplined`` then bars "excellent" instead of capping) and
    ``shortcomings_fixed`` (a collective's, for "excellent")."""

    score: Decimal
    on_time_percent: int
    beyond_percent: int


CIRCUMSTANCES = _Circumstances(
    disciplined=False, degraded=False, collective=False, shortcomings_fixed=True
)


def _all_of(facts: Facts) -> Facts:
    """``facts`` with ``CIRCUMSTANCES`` for those left out, the score as a ``Decimal``."""
    return {**CIRCUMSTANCES, **facts, "score": Decimal(facts["score"])}


def _missed(target: str, t: Thresholds, facts: Facts) -> list[str]:
    """The conditions of ``target`` that the review misses (366-QĐ/TW Art. 11 [C]);
    ``facts`` complete (``_all_of``)."""
    score, on_time_percent = facts["score"], facts["on_time_percent"]
    beyond_percent, collective = facts["beyond_percent"], facts["collective"]
    missed: list[str] = []
    late = 100 - on_time_percent
    if target == Rating.EXCELLENT:
        if score < t.excellent_min_score:
            missed.append(f"điểm {number_text(score)} dưới {number_text(t.excellent_min_score)}")
        if on_time_percent < 100:
            missed.append(f"{late}% nhiệm vụ không đúng tiến độ (cần 100% đúng tiến độ)")
        if beyond_percent < t.excellent_beyond_percent:
            missed.append(
                f"nhiệm vụ vượt yêu cầu {beyond_percent}% dưới {t.excellent_beyond_percent}%"
            )
        if collective and not facts["shortcomings_fixed"]:
            missed.append("chưa khắc phục xong 100% hạn chế, khuyết điểm đã được chỉ ra")
        if collective and facts["disciplined"]:
            missed.append("tập thể, tổ chức trực thuộc hoặc cán bộ chủ chốt bị kỷ luật trong kỳ")
    elif target == Rating.GOOD:
        if score < t.good_min_score:
            missed.append(f"điểm {number_text(score)} dưới {number_text(t.good_min_score)}")
        if on_time_percent < 100:
            missed.append(f"{late}% nhiệm vụ không đúng tiến độ (cần 100% đúng tiến độ)")
    elif target == Rating.COMPLETE:
        if score < t.complete_min_score:
            missed.append(f"điểm {number_text(score)} dưới {number_text(t.complete_min_score)}")
        if late > t.complete_max_late_percent:
            missed.append(f"{late}% nhiệm vụ chậm tiến độ, quá {t.complete_max_late_percent}%")
    return missed


def _cap_text(t: Thresholds) -> str:
    return (
        "bị kỷ luật trong kỳ: mức xếp loại cao nhất là "
        f"“{label(t.disciplined_max_rating)}” ({DISCIPLINE_SOURCE})"
    )


DEGRADED_TEXT = (
    "bị kết luận suy thoái về tư tưởng chính trị, đạo đức, lối sống, “tự diễn biến”, "
    f"“tự chuyển hóa”: không hoàn thành nhiệm vụ ({DEGRADED_SOURCE})"
)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def evaluate(t: Thresholds, **facts: Unpack[Facts]) -> tuple[str, str]:
    """``highest_rating`` with the thresholds already read (bulk use)."""
    f = _all_of(facts)
    base = next(r for r in RATING_ORDER if not _missed(r, t, f))
    if f["degraded"] and base != Rating.FAILED:
        return Rating.FAILED, _capitalised(DEGRADED_TEXT) + "."
    if f["disciplined"] and not f["collective"]:
        cap = t.disciplined_max_rating
        if RATING_ORDER.index(base) < RATING_ORDER.index(cap):
            return cap, _capitalised(_cap_text(t)) + "."
    if base == Rating.EXCELLENT:
        return base, ""
    above = RATING_ORDER[RATING_ORDER.index(base) - 1]
    missed = _missed(above, t, f)
    return base, f"Chưa đủ điều kiện “{label(above)}”: {'; '.join(missed)} ({SOURCE})."


def problem(rating: str, t: Thresholds, **facts: Unpack[Facts]) -> str:
    """``rating_problem`` with the thresholds already read (bulk use)."""
    if rating not in RATING_ORDER:
        return f"Xếp loại “{rating}” không hợp lệ."
    f = _all_of(facts)
    highest, _why = evaluate(t, **f)
    if RATING_ORDER.index(rating) >= RATING_ORDER.index(highest):
        return ""
    missed = _missed(rating, t, f)
    if missed:
        reason = f"{'; '.join(missed)} ({SOURCE})"
    elif f["degraded"]:
        reason = DEGRADED_TEXT
    else:
        reason = _cap_text(t)
    return (
        f"Không thể xếp loại “{label(rating)}” (điểm {number_text(f['score'])}): {reason}. "
        f"Mức cao nhất được xếp: “{label(highest)}”."
    )


# ---- the public rule functions -------------------------------------------------------------


def highest_rating(
    *, on: date, organisation: Organisation, **facts: Unpack[Facts]
) -> tuple[str, str]:
    """The highest rating the review (``Facts``) allows and, below "excellent", why not
    the one above it (Vietnamese, names the condition missed and the rule; "" for
    "excellent"), with the thresholds in force for ``organisation`` ``on`` that day.

    366-QĐ/TW Art. 11 [C] (bands); 16-HD/BTCTW 2018, 124-QĐ/TW [C] (discipline cap,
    degradation). ``collective``: an organisation's review (``disciplined`` then bars
    "excellent" instead of capping).
    """
    return evaluate(thresholds(on=on, organisation=organisation), **facts)


def rating_problem(
    rating: str, *, on: date, organisation: Organisation, **facts: Unpack[Facts]
) -> str:
    """Why ``rating`` is above what the review (``Facts``) allows ("" when it is allowed):
    the score, the condition missed and the rule (366-QĐ/TW Art. 11 [C]; a rating may be
    lower than the highest allowed, never higher)."""
    return problem(rating, thresholds(on=on, organisation=organisation), **facts)


def allowed_excellent(good_or_better: int, percent: int) -> int:
    """floor(n × percent / 100), in integers (132-QĐ/TW, 124-QĐ/TW [U])."""
    return max(good_or_better, 0) * percent // 100


def excellent_allowed(good_or_better: int, *, on: date, organisation: Organisation) -> int:
    """How many "excellent" ratings ``good_or_better`` ratings of "good" or better allow:
    floor(n × ``review.excellent_quota_percent`` / 100) (132-QĐ/TW, 124-QĐ/TW [U])."""
    t = thresholds(on=on, organisation=organisation)
    return allowed_excellent(good_or_better, t.excellent_quota_percent)


def quota_text(
    excellent: int,
    good_or_better: int,
    percent: int,
    *,
    where: str,
    verb: str = "đề xuất",
    noun: str = "đảng viên",
) -> str:
    """``quota_problem`` with the percentage already read (bulk use)."""
    allowed = allowed_excellent(good_or_better, percent)
    if excellent <= allowed:
        return ""
    return (
        f"{where} {verb} {excellent} {noun} hoàn thành xuất sắc trên {good_or_better} {noun} "
        f"hoàn thành tốt trở lên: vượt tỷ lệ {percent}% (tối đa {allowed})."
    )


def quota_problem(
    excellent: int,
    good_or_better: int,
    *,
    where: str,
    on: date,
    organisation: Organisation,
    verb: str = "đề xuất",
    noun: str = "đảng viên",
) -> str:
    """The refusal when ``excellent`` ratings exceed the quota among ``good_or_better``
    (those rated good or better, the excellent ones included); "" within it.
    132-QĐ/TW, 124-QĐ/TW [U]; ``review.excellent_quota_percent``. ``where`` names the chi
    bộ or committee ("Chi bộ thôn Đông"), ``verb`` what it did, ``noun`` what is rated.
    """
    t = thresholds(on=on, organisation=organisation)
    return quota_text(
        excellent, good_or_better, t.excellent_quota_percent, where=where, verb=verb, noun=noun
    )
