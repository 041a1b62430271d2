"""Vietnamese display helpers, loaded in every template (``builtins``)."""

from datetime import date
from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def so(value: Any, decimals: int | None = None) -> str:
    """Numbers as Vietnamese reports write them: 1.318 and 30,7."""
    if value is None or value == "":
        return ""
    if decimals is not None:
        value = round(float(value), int(decimals))  # number_format would cut, not round
    return number_format(value, decimal_pos=decimals, force_grouping=True, use_l10n=True)


@register.filter
def ngay(value: date | None) -> str:
    """dd/mm/yyyy, whatever the active locale."""
    return value.strftime("%d/%m/%Y") if value else ""


@register.filter
def phantram(value: Any) -> str:
    """A percentage already rounded to one decimal, as "30,7%" ("—" when there is none)."""
    from dangvien.stats.formatting import percent_text

    if value == "":
        value = None
    return percent_text(value)
