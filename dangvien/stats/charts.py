"""Server-drawn charts of the statistics pages (issue 6: "charts people read at a glance:
monthly admissions against the pro-rata line, achievement by child as bars, the funnel.
Charts render offline (no CDN) and in the printed/exported report too").

Every function returns one complete, standalone ``<svg>`` document: no JavaScript, no
external font or stylesheet, every attribute inline, so the same string goes into a page
(``{{ svg|safe }}``), a print-out and the PDF export (fpdf2 draws SVG ``<text>`` with the
fonts the PDF registers: the family named first here, "Liberation Serif", is the one
``stats.exports`` registers). Text is escaped (names carry ``&``, ``<``, Vietnamese).

Print in black and white stays readable: series differ by dash or hatching as well as by
colour. Numbers are written as Vietnamese reports write them ("1.318", "30,7%"). The
output is deterministic (same input, same string). The visual language follows the exam
statistics charts (``exams/templates/exams/stats_round.html``): thin light grid, dark
axis, blue for the main series, red for the reference.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from dangvien.stats.formatting import percent, percent_text

FONT = "Liberation Serif, Times New Roman, serif"
EMPTY = "Chưa có số liệu"

INK = "#1d232b"
MUTED = "#5b6573"
GRID = "#e3e7ec"
AXIS = "#38424f"
BLUE = "#1a4f9c"
RED = "#b3261e"
GREEN = "#2e7d4f"
GREY = "#7a8491"
WARN = "#8a5300"
WARN_FILL = "#f2c46d"
TRACK = "#eef1f5"


# ---- small helpers -----------------------------------------------------------------------


def number_text(value: int | float | Decimal) -> str:
    """1318 → "1.318"; 12.5 → "12,5" (one decimal at most, half up)."""
    rounded = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    whole, _, tenth = f"{rounded:.1f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    grouped = f"{int(whole.lstrip('-')):,}".replace(",", ".")
    return f"{sign}{grouped}" if tenth == "0" else f"{sign}{grouped},{tenth}"


_SPECIAL = re.compile(r'[&<>"]')


def _esc(text: object) -> str:
    value = str(text)
    if _SPECIAL.search(value) is None:  # most labels and every number: nothing to do
        return value
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _f(value: float) -> str:
    """A coordinate with at most one decimal, no trailing ".0"."""
    text = f"{round(value, 1):.1f}"
    return text[:-2] if text.endswith(".0") else text


# keyword → attribute name ("stroke_width" → "stroke-width"), worked out once: a province's
# bar chart writes some 2,400 attributes (issue 9, the dashboard's time).
_NAMES: dict[str, str] = {}


def _attrs(**attrs: object) -> str:
    parts = []
    for key, value in attrs.items():
        if value is None:
            continue
        name = _NAMES.get(key)
        if name is None:
            name = _NAMES[key] = key.rstrip("_").replace("_", "-")
        text = _f(value) if isinstance(value, float) else str(value)
        parts.append(f'{name}="{_esc(text)}"')
    return " ".join(parts)


def _text(
    x: float,
    y: float,
    content: str,
    *,
    size: float = 12,
    anchor: str = "start",
    fill: str = INK,
    bold: bool = False,
    title: str | None = None,
) -> str:
    """A label; ``y`` is the baseline (no dominant-baseline: fpdf2 ignores it)."""
    attrs = _attrs(
        x=float(x),
        y=float(y),
        font_family=FONT,
        font_size=_f(size),
        text_anchor=None if anchor == "start" else anchor,
        fill=fill,
        font_weight="bold" if bold else None,
    )
    inner = _esc(content)
    if title:
        return f"<g><title>{_esc(title)}</title><text {attrs}>{inner}</text></g>"
    return f"<text {attrs}>{inner}</text>"


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str, **style: object) -> str:
    attrs = _attrs(x1=float(x1), y1=float(y1), x2=float(x2), y2=float(y2), stroke=stroke, **style)
    return f"<line {attrs}/>"


def _rect(x: float, y: float, w: float, h: float, **style: object) -> str:
    size = {"width": float(max(w, 0)), "height": float(max(h, 0))}
    return f"<rect {_attrs(x=float(x), y=float(y), **size, **style)}/>"


def _polyline(points: Sequence[tuple[float, float]], stroke: str, **style: object) -> str:
    coords = " ".join(f"{_f(x)},{_f(y)}" for x, y in points)
    return f"<polyline {_attrs(points=coords, fill='none', stroke=stroke, **style)}/>"


def _hatch(x: float, y: float, w: float, h: float, colour: str, *, step: float = 6) -> str:
    """Diagonal hatching inside a rectangle, drawn as clipped lines (fpdf2 has no SVG
    <pattern>), so a hatched bar stays distinct from a solid one in black and white."""
    if w <= 0 or h <= 0:
        return ""
    lines = []
    c = step
    while c < w + h:
        # Along u + v = c, u from the left edge, v up from the bottom edge.
        u1, v1 = min(c, w), c - min(c, w)
        u2, v2 = c - min(c, h), min(c, h)
        lines.append(_line(x + u1, y + h - v1, x + u2, y + h - v2, colour, stroke_width="1"))
        c += step
    return "".join(lines)


def _truncate(label: str, limit: int) -> str:
    label = " ".join(label.split())
    if len(label) <= limit:
        return label
    return label[: limit - 1].rstrip() + "…"


def _svg(width: float, height: float, label: str, body: Iterable[str]) -> str:
    head = _attrs(
        xmlns="http://www.w3.org/2000/svg",
        viewBox=f"0 0 {_f(width)} {_f(height)}",
        width=_f(width),
        height=_f(height),
        role="img",
        aria_label=label,
        font_family=FONT,
    )
    return f"<svg {head}><title>{_esc(label)}</title>{''.join(body)}</svg>"


def _empty(label: str, width: float = 640, height: float = 120) -> str:
    body = [
        _rect(0.5, 0.5, width - 1, height - 1, fill="#ffffff", stroke=GRID),
        _text(width / 2, height / 2 + 5, EMPTY, size=14, anchor="middle", fill=MUTED),
    ]
    return _svg(width, height, f"{label}: {EMPTY.lower()}", body)


def _nice_ticks(top: float, count: int = 5) -> list[int]:
    """Round tick values from 0 covering ``top`` (steps of 1, 2 or 5 × 10^k)."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(1, int(step))
    last = math.ceil(top / step) * step
    return list(range(0, last + 1, step))


def _legend(x: float, y: float, entries: Sequence[tuple[str, str]]) -> tuple[list[str], float]:
    """Legend entries (swatch markup drawn at (0, 0)–(28, 10), label) laid left to right;
    returns the markup and the width used."""
    out = []
    cursor = x
    for swatch, label in entries:
        out.append(f'<g transform="translate({_f(cursor)},{_f(y - 9)})">{swatch}</g>')
        out.append(_text(cursor + 34, y, label, size=12))
        cursor += 34 + 6.2 * len(label) + 22
    return out, cursor - x


# ---- monthly admissions ------------------------------------------------------------------


def _cumulative(values: Sequence[int]) -> list[int]:
    total, out = 0, []
    for v in values:
        total += int(v or 0)
        out.append(total)
    return out


def monthly_admissions(
    per_month: list[int],
    target: int | None,
    year: int,
    today: date,
    last_year: list[int] | None = None,
) -> str:
    """Cumulative admissions by month (T1…T12) against the pro-rata line from 0 to the
    target (issue 6: "monthly admissions against the pro-rata line"), last year's
    cumulative figure dotted, the target as a horizontal reference.

    ``per_month`` holds the admissions of each month (January first; missing months count
    0). The current year is drawn up to today (the last point sits at today's share of
    the year), a past year in full, a future year not at all."""
    label = f"Kết nạp đảng viên lũy kế theo tháng, năm {year}"
    months = (list(per_month) + [0] * 12)[:12]
    previous = (list(last_year) + [0] * 12)[:12] if last_year else None
    if not any(months) and not target and not (previous and any(previous)):
        return _empty(label)

    days_in_year = 366 if calendar.isleap(year) else 365
    if year < today.year:
        shown, end_share = 12, 1.0
    elif year > today.year:
        shown, end_share = 0, 0.0
    else:
        shown = today.month
        end_share = today.timetuple().tm_yday / days_in_year
    cumulative = _cumulative(months)[:shown]
    previous_cum = _cumulative(previous) if previous else None

    width, height = 720.0, 350.0
    left, right, top, base = 64.0, 696.0, 60.0, 312.0
    peak = max([*cumulative, target or 0, *(previous_cum or []), 1])
    ticks = _nice_ticks(peak * 1.05)
    ymax = ticks[-1]

    def sx(share: float) -> float:
        return left + (right - left) * share

    def sy(value: float) -> float:
        return base - (base - top) * value / ymax

    def month_end_share(m: int) -> float:
        # Share of the year elapsed at the end of month m (1..12).
        return sum(calendar.monthrange(year, k)[1] for k in range(1, m + 1)) / days_in_year

    body: list[str] = [_rect(0, 0, width, height, fill="#ffffff")]
    for t in ticks:
        body.append(_line(left, sy(t), right, sy(t), GRID))
        body.append(_text(left - 8, sy(t) + 4, number_text(t), anchor="end", fill=MUTED))
    body.append(_line(left, base, right, base, AXIS))
    body.append(_line(left, top - 6, left, base, AXIS))
    for m in range(1, 13):
        x = sx(month_end_share(m))
        body.append(_line(x, base, x, base + 4, AXIS))
        body.append(_text(x, base + 18, f"T{m}", anchor="middle", fill=MUTED))
    body.append(
        _text(left - 8, top - 14, "Số đảng viên (lũy kế)", anchor="start", size=11, fill=MUTED)
    )

    legend: list[tuple[str, str]] = [
        (
            _line(0, 5, 28, 5, BLUE, stroke_width="3")
            + '<circle cx="14" cy="5" r="3.5" fill="#1a4f9c"/>',
            f"Năm {year} (lũy kế)",
        )
    ]
    if target:
        # The pro-rata line: target × elapsed share of the year, from 0 to the target.
        body.append(
            _line(sx(0), sy(0), sx(1), sy(target), RED, stroke_width="2", stroke_dasharray="8 5")
        )
        body.append(
            _line(
                left,
                sy(target),
                right,
                sy(target),
                GREY,
                stroke_width="1",
                stroke_dasharray="2 3 8 3",
            )
        )
        body.append(
            _text(
                right - 4,
                sy(target) - 6,
                f"Chỉ tiêu {number_text(target)}",
                anchor="end",
                fill=RED,
                size=12,
            )
        )
        legend.append(
            (
                _line(0, 5, 28, 5, RED, stroke_width="2", stroke_dasharray="8 5"),
                "Tiến độ theo chỉ tiêu",
            )
        )
    if previous_cum is not None:
        points = [(sx(0), sy(0))] + [
            (sx(month_end_share(m)), sy(v)) for m, v in enumerate(previous_cum, start=1)
        ]
        body.append(
            _polyline(
                points, GREY, stroke_width="2", stroke_dasharray="2 4", stroke_linecap="round"
            )
        )
        legend.append(
            (
                _line(
                    0,
                    5,
                    28,
                    5,
                    GREY,
                    stroke_width="2",
                    stroke_dasharray="2 4",
                    stroke_linecap="round",
                ),
                f"Năm {year - 1} (lũy kế): {number_text(previous_cum[-1])}",
            )
        )
    if cumulative:
        shares = [month_end_share(m) for m in range(1, shown + 1)]
        if year == today.year:
            shares[-1] = end_share  # the current month so far, not its end
        points = [(sx(0), sy(0))] + [
            (sx(s), sy(v)) for s, v in zip(shares, cumulative, strict=True)
        ]
        body.append(_polyline(points, BLUE, stroke_width="3", stroke_linejoin="round"))
        for m, ((x, y), v) in enumerate(zip(points[1:], cumulative, strict=True), start=1):
            body.append(
                f"<circle {_attrs(cx=x, cy=y, r='3.5', fill=BLUE)}><title>"
                f"T{m}/{year}: {_esc(number_text(v))} đảng viên (lũy kế)</title></circle>"
            )
        x, y = points[-1]
        last = number_text(cumulative[-1])
        box = 7.5 * len(last) + 6
        # On a white plate, right of the last point (left of it when there is no room).
        bx = x - 8 - box if x + 8 + box > right else x + 8
        body.append(_rect(bx, y - 20, box, 17, fill="#ffffff"))
        body.append(
            _text(bx + box / 2, y - 7, last, anchor="middle", bold=True, fill=BLUE, size=13)
        )

    items, _used = _legend(left, 18, legend)
    body.extend(items)
    total = cumulative[-1] if cumulative else 0
    aria = f"{label}: {number_text(total)} đảng viên"
    if target:
        aria += f", chỉ tiêu {number_text(target)}"
    return _svg(width, height, aria, body)


# ---- achievement by child ----------------------------------------------------------------


@dataclass
class BarItem:
    """One child of the node: its name, admissions so far, its target (None when none was
    set) and whether it is behind the pro-rata pace."""

    label: str
    value: int
    target: int | None
    highlight: bool = False


def achievement_bars(items: list[BarItem], *, pace: float | None = None) -> str:
    """Horizontal bars of the percentage of target achieved per child, a line at 100%,
    optionally a dotted mark at the pro-rata ``pace`` (a percentage, e.g. 75.3); children
    behind the pace (``highlight``) hatched in the warning colour; a child without a target
    shows its count only (issue 6: "achievement by child as bars")."""
    label = "Tỷ lệ thực hiện chỉ tiêu kết nạp theo đơn vị"
    if not items:
        return _empty(label)

    width = 720.0
    name_w, left, right = 196.0, 206.0, 560.0
    row_h, top = 26.0, 40.0
    height = top + row_h * len(items) + 44
    shares = [percent(i.value, i.target) for i in items]
    peak = max([100.0, *(s for s in shares if s is not None), pace or 0])
    scale = min(200.0, math.ceil(peak / 25) * 25)

    def sx(pct: float) -> float:
        return left + (right - left) * min(pct, scale) / scale

    body: list[str] = [_rect(0, 0, width, height, fill="#ffffff")]
    bottom = top + row_h * len(items)
    for t in range(0, int(scale) + 1, 25):
        x = sx(t)
        body.append(_line(x, top - 4, x, bottom, GRID))
        if t % 50 == 0:
            body.append(_text(x, bottom + 16, f"{t}%", anchor="middle", fill=MUTED, size=11))
    for n, (item, share) in enumerate(zip(items, shares, strict=True)):
        y = top + row_h * n
        mid = y + row_h / 2
        full = " ".join(item.label.split())
        short = _truncate(full, 30)
        body.append(
            _text(name_w, mid + 4, short, anchor="end", title=full if short != full else None)
        )
        value = number_text(item.value)
        if share is None:
            body.append(_rect(left, mid - 1, 6, 2, fill=GREY))
            note = f"{value} (chưa giao chỉ tiêu)"
            body.append(_text(left + 12, mid + 4, note, fill=MUTED, size=11))
            tip = f"{full}: {value} đảng viên, chưa giao chỉ tiêu"
        else:
            target_text = number_text(item.target or 0)
            bar_w = sx(share) - left
            tip = f"{full}: {value}/{target_text}, đạt {percent_text(share)}"
            body.append(_rect(left, y + 5, right - left, row_h - 10, fill=TRACK))
            if item.highlight:
                tip += " — chậm so với tiến độ"
                body.append(
                    f"<g><title>{_esc(tip)}</title>"
                    + _rect(left, y + 5, bar_w, row_h - 10, fill=WARN_FILL, stroke=WARN)
                    + _hatch(left, y + 5, bar_w, row_h - 10, WARN)
                    + "</g>"
                )
            else:
                body.append(
                    f"<g><title>{_esc(tip)}</title>"
                    + _rect(left, y + 5, bar_w, row_h - 10, fill=BLUE)
                    + "</g>"
                )
            text_x = max(sx(share), sx(100 if share < 100 else share)) + 6
            body.append(
                _text(
                    min(text_x, right + 6),
                    mid + 4,
                    f"{percent_text(share)}",
                    bold=True,
                    fill=WARN if item.highlight else INK,
                )
            )
            body.append(
                _text(
                    min(text_x, right + 6) + 52,
                    mid + 4,
                    f"{value}/{target_text}",
                    fill=MUTED,
                    size=11,
                )
            )
    x100 = sx(100)
    body.append(_line(x100, top - 8, x100, bottom + 2, AXIS, stroke_width="1.5"))
    body.append(_text(x100, top - 12, "100%", anchor="middle", fill=AXIS, size=11, bold=True))
    body.append(_line(left, top - 4, left, bottom, AXIS))
    if pace is not None:
        xp = sx(pace)
        body.append(
            _line(xp, top - 4, xp, bottom + 2, RED, stroke_width="1.5", stroke_dasharray="3 3")
        )
        body.append(
            _text(
                xp, bottom + 32, f"Tiến độ {percent_text(pace)}", anchor="middle", fill=RED, size=11
            )
        )
    behind = sum(1 for i in items if i.highlight)
    if behind:
        swatch = _rect(0, 0, 28, 10, fill=WARN_FILL, stroke=WARN) + _hatch(0, 0, 28, 10, WARN)
        legend, _used = _legend(16, 20, [(swatch, "Chậm so với tiến độ")])
        body.extend(legend)
    aria = f"{label}: {len(items)} đơn vị"
    if behind:
        aria += f", {behind} đơn vị chậm so với tiến độ"
    return _svg(width, height, aria, body)


# ---- funnel ------------------------------------------------------------------------------


@dataclass
class FunnelStep:
    """One step of the admission pipeline: its name, the people who reached it, the
    conversion from the step before as a percentage rounded to one decimal (72.5, as
    ``formatting.percent`` gives it; None for the first step) and the median days the
    step took (None when nobody passed)."""

    label: str
    count: int
    conversion: float | None = None
    median_days: float | None = None


def funnel(steps: list[FunnelStep]) -> str:
    """The pipeline funnel: one centred bar per step, its width by the count, with the
    conversion from the step before and the median days (issue 6: "candidate pool → in
    course → certified → dossier → proposed → admitted → recognised, with conversion and
    median days per step")."""
    label = "Phễu phát triển đảng viên"
    if not steps or not any(s.count for s in steps):
        return _empty(label)

    width = 720.0
    name_w, left, right = 176.0, 186.0, 486.0
    row_h, top = 40.0, 34.0
    height = top + row_h * len(steps) + 16
    peak = max(s.count for s in steps) or 1
    centre = (left + right) / 2
    body: list[str] = [_rect(0, 0, width, height, fill="#ffffff")]
    body.append(_text(centre, 20, "Số người", anchor="middle", fill=MUTED, size=11))
    body.append(_text(right + 16, 20, "Chuyển tiếp", fill=MUTED, size=11))
    body.append(_text(right + 112, 20, "Thời gian (trung vị)", fill=MUTED, size=11))
    shades = ["#1a4f9c", "#2a5ea8", "#3b6db4", "#4d7cbf", "#5f8bca", "#729ad3", "#86a9dc"]
    for n, step in enumerate(steps):
        y = top + row_h * n
        mid = y + row_h / 2
        full = " ".join(step.label.split())
        short = _truncate(full, 28)
        body.append(
            _text(name_w, mid + 4, short, anchor="end", title=full if short != full else None)
        )
        w = max((right - left) * step.count / peak, 2 if step.count else 0)
        shade = shades[min(n, len(shades) - 1)]
        tip = f"{full}: {number_text(step.count)} người"
        if step.conversion is not None:
            tip += f", chuyển tiếp {percent_text(step.conversion)}"
        if step.median_days is not None:
            tip += f", trung vị {number_text(step.median_days)} ngày"
        body.append(
            f"<g><title>{_esc(tip)}</title>"
            + _rect(
                centre - w / 2, y + 6, w, row_h - 12, fill=shade, stroke=AXIS, stroke_width="0.5"
            )
            + "</g>"
        )
        count = number_text(step.count)
        inside = w > 7.5 * len(count) + 10
        body.append(
            _text(
                centre if inside else centre + w / 2 + 6,
                mid + 5,
                count,
                anchor="middle" if inside else "start",
                fill="#ffffff" if inside else INK,
                bold=True,
                size=13,
            )
        )
        if n:
            conv = percent_text(step.conversion)
            body.append(_text(right + 16, mid + 4, f"→ {conv}", fill=INK))
        if step.median_days is not None:
            body.append(
                _text(right + 112, mid + 4, f"{number_text(step.median_days)} ngày", fill=INK)
            )
        elif n:
            body.append(_text(right + 112, mid + 4, "—", fill=MUTED))
    first, last = steps[0], steps[-1]
    aria = (
        f"{label}: {first.label} {number_text(first.count)} người, "
        f"{last.label} {number_text(last.count)} người"
    )
    return _svg(width, height, aria, body)


# ---- grouped bars ------------------------------------------------------------------------

# Series styles: (colour, hatched?) — solid, hatched, light with outline, … so that the
# series stay apart in black and white.
SERIES = [
    (BLUE, "solid"),
    (RED, "hatch"),
    (GREEN, "light"),
    (WARN, "hatch"),
    (GREY, "solid"),
    ("#6b3fa0", "light"),
]


def _series_shape(x: float, y: float, w: float, h: float, k: int) -> str:
    colour, style = SERIES[k % len(SERIES)]
    if style == "solid":
        return _rect(x, y, w, h, fill=colour)
    if style == "light":
        return _rect(x, y, w, h, fill="#ffffff", stroke=colour, stroke_width="2")
    return _rect(x, y, w, h, fill="#ffffff", stroke=colour) + _hatch(x, y, w, h, colour, step=5)


def grouped_bars(categories: list[str], series: list[tuple[str, list[int]]]) -> str:
    """Vertical bars grouped by category, one bar per series (e.g. the candidate pool's
    composition per quarter: issue 6 "compared quarter to quarter"), values above bars."""
    label = "Biểu đồ so sánh theo nhóm"
    if not categories or not series or not any(v for _, vs in series for v in vs):
        return _empty(label)

    width = 720.0
    left, right, top, base = 64.0, 704.0, 50.0, 270.0
    height = base + 46
    values = [
        [int((vs + [0] * len(categories))[i] or 0) for i in range(len(categories))]
        for _, vs in series
    ]
    ticks = _nice_ticks(max(max(v) for v in values) * 1.1)
    ymax = ticks[-1]

    def sy(value: float) -> float:
        return base - (base - top) * value / ymax

    body: list[str] = [_rect(0, 0, width, height, fill="#ffffff")]
    for t in ticks:
        body.append(_line(left, sy(t), right, sy(t), GRID))
        body.append(_text(left - 8, sy(t) + 4, number_text(t), anchor="end", fill=MUTED))
    slot = (right - left) / len(categories)
    gap = min(24.0, slot * 0.2)
    bar_w = (slot - gap) / len(series)
    limit = max(4, int(slot / 6.5))
    for c, category in enumerate(categories):
        x0 = left + slot * c + gap / 2
        for k, (name, _vs) in enumerate(series):
            v = values[k][c]
            x = x0 + bar_w * k
            tip = f"{category} – {name}: {number_text(v)}"
            body.append(
                f"<g><title>{_esc(tip)}</title>"
                + _series_shape(x + 1, sy(v), bar_w - 2, base - sy(v), k)
                + "</g>"
            )
            if bar_w >= 16 or len(series) == 1:
                body.append(
                    _text(x + bar_w / 2, sy(v) - 4, number_text(v), anchor="middle", size=11)
                )
        full = " ".join(category.split())
        short = _truncate(full, limit)
        body.append(
            _text(
                left + slot * (c + 0.5),
                base + 18,
                short,
                anchor="middle",
                fill=INK,
                title=full if short != full else None,
            )
        )
    body.append(_line(left, base, right, base, AXIS))
    swatches = []
    for k, (name, _vs) in enumerate(series):
        swatches.append((_series_shape(0, 0, 28, 10, k), name))
    legend, _used = _legend(left, 22, swatches)
    body.extend(legend)
    aria = f"{label}: {len(categories)} nhóm, {', '.join(name for name, _ in series)}"
    return _svg(width, height, aria, body)
