"""Percentages as Vietnamese reports write them: one decimal, a comma as the decimal mark
("30,7%", seed: Kim Bôi "46 of 150 after five months, 30.7%"). One rounding for pages,
API, XLSX and PDF: half up, on the exact fraction (never a float rounded twice)."""

from decimal import ROUND_HALF_UP, Decimal

Number = int | float | Decimal


def percent(part: Number | None, whole: Number | None) -> float | None:
    """``part`` as a percentage of ``whole``, rounded half up to one decimal; None when
    there is no whole to compare with (no target set, or a target of 0)."""
    if part is None or not whole:
        return None
    value = Decimal(str(part)) * 100 / Decimal(str(whole))
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def percent_text(value: float | Decimal | None, empty: str = "—") -> str:
    """30.7 → "30,7%"; 100 → "100,0%"; None → the ``empty`` mark."""
    if value is None:
        return empty
    rounded = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    whole, _, tenth = f"{rounded:.1f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    grouped = f"{int(digits):,}".replace(",", ".")
    return f"{sign}{grouped},{tenth}%"
