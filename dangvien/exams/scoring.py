"""Scoring rules of the knowledge test, as pure functions (no database).

Every figure is a ``Decimal`` on the 10-point scale rounded half-up to two places
(brief of issue 5; the usual way Vietnamese results sheets write scores, "7,50").

- Objective items (seed 000, Hạ Long 2020: "đáp án" kept by the board) earn the item's
  points when the response matches the key and nothing otherwise. Multiple choice is
  all-or-nothing too: partial credit without a penalty for wrong ticks rewards ticking
  every box (Moodle's multiple-answer questions need negative option grades for that
  reason), and no regulation or local practice we hold gives a partial-credit rule.
- Short answers match when they agree after ignoring case, Vietnamese diacritics (đ = d),
  punctuation and extra spaces.
- A part's score is 10 × points earned / points available over the part's items; the
  final score is (written × written weight + oral × oral weight) / 100, computed from the
  part scores as printed (two places), so a results sheet can be checked by hand:
  written 8, oral 6, weights 70/30 → 7,40. Pass: final ≥ the round's pass mark.
- Two markers score each essay and oral answer (seed 000: "hai giám khảo"); they disagree
  when their marks differ by more than the round's ``disagreement_percent`` of the item's
  points; otherwise the answer gets the mean of the two marks.
"""

import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from dangvien.core.text import fold

CENT = Decimal("0.01")
TEN = Decimal(10)
HUNDRED = Decimal(100)

# Punctuation and symbols become spaces before comparing short answers.
_NOT_WORD = re.compile(r"[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"\s+")


def q2(value: Decimal | int | str) -> Decimal:
    """Two decimal places, half-up (7.405 → 7.41)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def normalise_short(text: str) -> str:
    """The comparison key of a short answer: "  Đại  hội  Đảng! " → "dai hoi dang"."""
    folded = fold(unicodedata.normalize("NFC", text))
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", folded).replace("_", " ")).strip()


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        key = normalise_short(value)
        if key in ("true", "dung", "d"):
            return True
        if key in ("false", "sai", "s"):
            return False
    return None


def _as_keys(value: Any) -> set[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        return set()
    return {str(v).strip().upper() for v in value if str(v).strip()}


def is_correct(kind: str, key: Any, response: Any) -> bool:
    """Whether ``response`` matches the version's ``key`` for an objective ``kind``
    (``QuestionType`` value). An empty response is wrong; so is any unknown kind."""
    if response is None or response == "" or response == []:
        return False
    if kind == "single":
        keys = _as_keys(response)
        return len(keys) == 1 and keys == _as_keys(key)
    if kind == "multiple":
        return bool(_as_keys(key)) and _as_keys(response) == _as_keys(key)
    if kind == "true_false":
        answer = _as_bool(response)
        return answer is not None and answer == _as_bool(key)
    if kind == "short":
        if not isinstance(response, str):
            return False
        given = normalise_short(response)
        accepted = key if isinstance(key, list) else [key]
        return bool(given) and any(
            isinstance(a, str) and normalise_short(a) == given for a in accepted
        )
    return False


def objective_points(kind: str, key: Any, response: Any, points: Decimal | int | str) -> Decimal:
    """The item's points when the response is right, else 0 (all or nothing)."""
    return q2(points) if is_correct(kind, key, response) else q2(0)


def part_score(earned: Iterable[Decimal], available: Iterable[Decimal]) -> Decimal | None:
    """10 × earned / available, or ``None`` when the part has no points to earn."""
    total = sum(available, Decimal(0))
    if total <= 0:
        return None
    return q2(TEN * sum(earned, Decimal(0)) / total)


def final_score(
    written: Decimal | None, oral: Decimal | None, written_weight: int, oral_weight: int
) -> Decimal:
    """(written × written weight + oral × oral weight) / 100. A part of weight 0 may be
    missing (``None``); a weighted part may not."""
    total = Decimal(0)
    for score, weight in ((written, written_weight), (oral, oral_weight)):
        if weight == 0:
            continue
        if score is None:
            raise ValueError("A weighted part has no score.")
        total += score * weight
    return q2(total / HUNDRED)


def has_passed(final: Decimal, pass_mark: Decimal | int | str) -> bool:
    """Pass = final ≥ the pass mark (exactly at the mark passes)."""
    return q2(final) >= q2(pass_mark)


def mark_total(
    criteria: Sequence[Decimal], rubric_points: Decimal, item_points: Decimal
) -> Decimal:
    """A marker's points for the item: the criteria's sum, scaled to the item's points on
    the paper when the paper weighs the question differently from its rubric."""
    total = sum((q2(c) for c in criteria), Decimal(0))
    if rubric_points > 0 and q2(rubric_points) != q2(item_points):
        total = total * item_points / rubric_points
    return q2(total)


def disagree(
    first: Decimal, second: Decimal, item_points: Decimal, disagreement_percent: int
) -> bool:
    """Two markers disagree when their marks differ by MORE than ``disagreement_percent``
    % of the item's points (exactly at the threshold they agree)."""
    return abs(first - second) * HUNDRED > item_points * disagreement_percent


def agreed_points(first: Decimal, second: Decimal) -> Decimal:
    """The points of an answer the two markers agree on: the mean of their marks."""
    return q2((first + second) / 2)
