"""Item and round statistics after a round (classical test theory).

Per item (a question version, pooled across the variants it appears on):

- facility index p = mean points / maximum points (the share of the item's points the
  candidates earned; for a right/wrong item, the share who got it right);
- discrimination index D = mean share earned by the upper group minus that of the lower
  group, the groups being the 27 % of candidates with the highest and the lowest total
  (final) score among those who took the item (Kelley, T. L. 1939, "The selection of upper
  and lower groups for the validation of test items", J. Educ. Psychol. 30:17–24);
- for choice items, how often each option was chosen, by its original key, the key
  marked;
- "cần xem lại" (to review) when p < 0.20 (too hard) or p > 0.90 (too easy), or D < 0.20
  (Ebel, R. L. & Frisbie, D. A. 1991, Essentials of Educational Measurement, 5th ed.,
  ch. 13: D below 0.20 is a poor item, to be discarded or revised).

Per round: the number of marked sittings, mean, median, standard deviation (population:
the round is the whole group, not a sample), minimum, maximum, a distribution over ten
one-point bins (the last one takes 10) and the pass rate.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from dangvien.exams.models import (
    WITH_OPTIONS,
    Answer,
    ExamRound,
    PaperItem,
    QuestionType,
    QuestionVersion,
    Sitting,
    SittingStatus,
)
from dangvien.exams.scoring import is_correct, q2

# Kelley (1939): the upper and lower 27 % of candidates by total score.
KELLEY_SHARE = Decimal("0.27")
# Ebel & Frisbie (1991) ch. 13: discrimination below 0.20 marks a poor item.
MIN_DISCRIMINATION = Decimal("0.20")
# Classical test theory practice (the band most item-analysis guides use, e.g. Ebel &
# Frisbie 1991 ch. 13): an item nearly everyone fails or passes tells candidates apart
# poorly.
MIN_FACILITY = Decimal("0.20")
MAX_FACILITY = Decimal("0.90")
BINS = 10
FOUR = Decimal("0.0001")


@dataclass
class Choice:
    key: str
    label: str
    count: int
    is_key: bool

    @property
    def display(self) -> str:
        """ "A. Đại hội" for an option (text cut at 40 characters); the label otherwise."""
        if self.key in ("true", "false", "right", "wrong"):
            return self.label
        text = self.label if len(self.label) <= 40 else self.label[:39] + "…"
        return f"{self.key}. {text}" if text else self.key


@dataclass
class ItemStats:
    version: QuestionVersion
    positions: list[tuple[str, int]]
    taken: int
    facility: Decimal | None
    discrimination: Decimal | None
    choices: list[Choice] = field(default_factory=list)
    blank: int = 0
    reasons: list[str] = field(default_factory=list)
    label: str = ""

    @property
    def type(self) -> str:
        return self.version.question.type

    @property
    def review(self) -> bool:
        return bool(self.reasons)


@dataclass
class Bin:
    lower: int
    upper: int
    count: int

    @property
    def label(self) -> str:
        return f"{self.lower}–{self.upper}"


@dataclass
class RoundStats:
    count: int
    mean: Decimal | None
    median: Decimal | None
    sd: Decimal | None
    low: Decimal | None
    high: Decimal | None
    bins: list[Bin]
    passed: int
    pass_rate: Decimal | None  # percent, one decimal
    pass_mark: Decimal


def _mean(values: list[Decimal]) -> Decimal:
    return sum(values, Decimal(0)) / len(values)


def _group_size(n: int) -> int:
    """27 % of ``n``, rounded half-up, at least 1 (Kelley 1939)."""
    return max(1, int((KELLEY_SHARE * n).to_integral_value(rounding=ROUND_HALF_UP)))


def discrimination(pairs: list[tuple[Decimal, Decimal]]) -> Decimal | None:
    """D from (total score, share of the item earned) pairs: upper 27 % minus lower 27 % by
    total score (ties broken by the given order). ``None`` with fewer than two
    candidates."""
    if len(pairs) < 2:
        return None
    ranked = sorted(range(len(pairs)), key=lambda i: (pairs[i][0], i))
    size = min(_group_size(len(pairs)), len(pairs) // 2)
    lower = [pairs[i][1] for i in ranked[:size]]
    upper = [pairs[i][1] for i in ranked[-size:]]
    return (_mean(upper) - _mean(lower)).quantize(FOUR, rounding=ROUND_HALF_UP)


def facility(shares: list[Decimal]) -> Decimal | None:
    """p: the mean share of the item's points earned."""
    if not shares:
        return None
    return _mean(shares).quantize(FOUR, rounding=ROUND_HALF_UP)


def review_reasons(p: Decimal | None, d: Decimal | None) -> list[str]:
    reasons = []
    if p is not None and p < MIN_FACILITY:
        reasons.append("Quá khó (độ khó p < 0,20)")
    if p is not None and p > MAX_FACILITY:
        reasons.append("Quá dễ (độ khó p > 0,90)")
    if d is not None and d < MIN_DISCRIMINATION:
        reasons.append("Phân biệt kém (D < 0,20)")
    return reasons


def _choices(version: QuestionVersion, responses: list[Any]) -> tuple[list[Choice], int]:
    kind = version.question.type
    if kind == QuestionType.ORAL:  # no response: scored at the oral session
        return [], 0
    blank = sum(1 for r in responses if r is None or r == "" or r == [])
    given = [r for r in responses if not (r is None or r == "" or r == [])]
    if kind in WITH_OPTIONS:
        key = version.answer if isinstance(version.answer, list) else [version.answer]
        keys = {str(k).upper() for k in key}
        counts: dict[str, int] = defaultdict(int)
        for response in given:
            for chosen in {
                str(r).upper() for r in (response if isinstance(response, list) else [response])
            }:
                counts[chosen] += 1
        return [
            Choice(
                key=str(o.get("key", "")),
                label=str(o.get("text", "")),
                count=counts.get(str(o.get("key", "")).upper(), 0),
                is_key=str(o.get("key", "")).upper() in keys,
            )
            for o in version.options or []
            if isinstance(o, dict)
        ], blank
    if kind == QuestionType.TRUE_FALSE:
        true = sum(1 for r in given if is_correct(kind, True, r))
        false = sum(1 for r in given if is_correct(kind, False, r))
        return [
            Choice("true", "Đúng", true, version.answer is True),
            Choice("false", "Sai", false, version.answer is False),
        ], blank
    if kind == QuestionType.SHORT:
        right = sum(1 for r in given if is_correct(kind, version.answer, r))
        return [
            Choice("right", "Trả lời khớp đáp án", right, True),
            Choice("wrong", "Trả lời khác", len(given) - right, False),
        ], blank
    return [], blank


def item_statistics(exam_round: ExamRound) -> list[ItemStats]:
    """Facility, discrimination and choice counts of every question of the round, over the
    marked sittings, in the order of the first variant's positions."""
    finals: dict[int, Decimal] = {
        pk: score
        for pk, score in Sitting.objects.filter(
            round=exam_round, status=SittingStatus.MARKED, final_score__isnull=False
        ).values_list("pk", "final_score")
        if score is not None
    }
    items = {
        item.pk: item
        for item in PaperItem.objects.filter(paper__round=exam_round).select_related(
            "paper", "version__question__topic"
        )
    }
    per_version: dict[int, list[tuple[int, Decimal, Any]]] = defaultdict(list)
    answers = Answer.objects.filter(sitting_id__in=list(finals), points__isnull=False)
    for sitting_id, item_id, points, response in answers.values_list(
        "sitting_id", "item_id", "points", "response"
    ).iterator(chunk_size=2000):
        item = items[item_id]
        if points is None:
            continue
        share = points / item.points if item.points else Decimal(0)
        per_version[item.version_id].append((sitting_id, share, response))

    versions: dict[int, QuestionVersion] = {}
    positions: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for item in sorted(items.values(), key=lambda i: (i.paper.number, i.position)):
        versions.setdefault(item.version_id, item.version)
        positions[item.version_id].append((item.paper.code, item.position))

    out = []
    for number, (version_id, version) in enumerate(versions.items(), start=1):
        rows = per_version.get(version_id, [])
        shares = [share for _s, share, _r in rows]
        p = facility(shares)
        d = discrimination([(finals[s], share) for s, share, _r in rows])
        choices, blank = _choices(version, [r for _s, _share, r in rows])
        out.append(
            ItemStats(
                version=version,
                positions=positions[version_id],
                taken=len(rows),
                facility=p,
                discrimination=d,
                choices=choices,
                blank=blank,
                reasons=review_reasons(p, d),
                label=f"C{number}",
            )
        )
    return out


def round_statistics(exam_round: ExamRound) -> RoundStats:
    """Count, mean, median, standard deviation, minimum, maximum, the ten-bin distribution
    and the pass rate of the round's final scores (marked sittings)."""
    rows = [
        (score, passed)
        for score, passed in Sitting.objects.filter(
            round=exam_round, status=SittingStatus.MARKED, final_score__isnull=False
        ).values_list("final_score", "passed")
        if score is not None
    ]
    scores = [score for score, _passed in rows]
    bins = [Bin(lower=i, upper=i + 1, count=0) for i in range(BINS)]
    for score in scores:
        bins[min(int(score), BINS - 1)].count += 1
    passed = sum(1 for _s, ok in rows if ok)
    if not scores:
        return RoundStats(0, None, None, None, None, None, bins, 0, None, exam_round.pass_mark)
    return RoundStats(
        count=len(scores),
        mean=q2(_mean(scores)),
        median=q2(statistics.median(scores)),
        sd=q2(statistics.pstdev(scores)),
        low=min(scores),
        high=max(scores),
        bins=bins,
        passed=passed,
        pass_rate=(Decimal(100) * passed / len(scores)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        ),
        pass_mark=exam_round.pass_mark,
    )
