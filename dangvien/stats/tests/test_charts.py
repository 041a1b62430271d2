"""The server-drawn charts: standalone, well-formed SVG with Vietnamese numbers, escaped
names, and a plain message when there is nothing to draw."""

import re
import xml.etree.ElementTree as ET
from datetime import date

from dangvien.stats.charts import (
    EMPTY,
    BarItem,
    FunnelStep,
    achievement_bars,
    funnel,
    grouped_bars,
    monthly_admissions,
    number_text,
)

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def texts(svg: str) -> list[str]:
    """Every visible label of the chart (the <text> elements), as read back from XML."""
    return ["".join(t.itertext()) for t in parse(svg).iter(f"{SVG}text")]


def points(root: ET.Element) -> list[ET.Element]:
    """The data points of the year's line (the legend's marker has no tooltip)."""
    return [c for c in root.iter(f"{SVG}circle") if c.find(f"{SVG}title") is not None]


def test_numbers_are_written_with_dots_for_thousands_and_a_comma_for_decimals() -> None:
    assert number_text(1318) == "1.318"
    assert number_text(12.5) == "12,5"
    assert number_text(30.0) == "30"
    assert number_text(0) == "0"


# ---- monthly admissions ------------------------------------------------------------------


def test_the_monthly_chart_is_a_standalone_svg_with_a_title_and_no_script() -> None:
    svg = monthly_admissions([30, 25, 40, 0, 0, 0, 0, 0, 0, 0, 0, 0], 450, 2026, date(2026, 3, 20))
    root = parse(svg)
    for attribute in ("viewBox", "width", "height", "aria-label"):
        assert root.get(attribute)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title") is not None
    assert "<script" not in svg and "@import" not in svg and "href" not in svg
    assert "Liberation Serif" in svg


def test_the_monthly_chart_draws_the_current_year_up_to_this_month_only() -> None:
    svg = monthly_admissions(
        [30, 25, 40, 35, 50, 45, 40, 0, 0, 0, 0, 0], 450, 2026, date(2026, 3, 20)
    )
    root = parse(svg)
    labels = texts(svg)
    assert [f"T{m}" for m in range(1, 13)] == [t for t in labels if re.fullmatch(r"T\d+", t)]
    # Three months of points (plus the origin) on the year's line: 30, 55, 95.
    assert len(points(root)) == 3
    assert "95" in labels
    assert "Chỉ tiêu 450" in labels
    assert "Tiến độ theo chỉ tiêu" in labels


def test_a_past_year_is_drawn_in_full_with_thousands_grouped() -> None:
    months = [110] * 11 + [108]  # 1.318 in all, as Vĩnh Linh counted
    svg = monthly_admissions(months, 1600, 2025, date(2026, 5, 1))
    assert len(points(parse(svg))) == 12
    labels = texts(svg)
    assert "1.318" in labels
    assert "Chỉ tiêu 1.600" in labels
    assert "1.318 đảng viên" in parse(svg).get("aria-label", "")


def test_last_year_is_drawn_dotted_and_named_in_the_legend() -> None:
    svg = monthly_admissions([10] * 12, 200, 2026, date(2026, 6, 30), last_year=[15] * 12)
    assert any(t == "Năm 2025 (lũy kế): 180" for t in texts(svg))
    dotted = [p for p in parse(svg).iter(f"{SVG}polyline") if p.get("stroke-dasharray")]
    assert len(dotted) == 1


def test_the_pro_rata_line_runs_from_zero_to_the_target_across_the_year() -> None:
    svg = monthly_admissions([5] * 12, 120, 2026, date(2026, 12, 31))
    dashed = [
        line
        for line in parse(svg).iter(f"{SVG}line")
        if line.get("stroke-dasharray") == "8 5" and line.get("x2") != "28"
    ]
    assert len(dashed) == 1
    line = dashed[0]
    # From the bottom-left corner (0 admissions on 1 January) upwards to the right.
    assert float(line.get("y1", 0)) > float(line.get("y2", 0))
    assert float(line.get("x1", 0)) < float(line.get("x2", 0))


def test_a_year_without_admissions_target_or_history_says_there_is_no_data() -> None:
    svg = monthly_admissions([0] * 12, None, 2026, date(2026, 4, 1))
    assert EMPTY in texts(svg)
    assert EMPTY == "Chưa có số liệu"


def test_a_target_without_admissions_yet_still_draws_the_pace() -> None:
    svg = monthly_admissions([], 150, 2026, date(2026, 1, 10))
    assert EMPTY not in texts(svg)
    assert "Chỉ tiêu 150" in texts(svg)


# ---- achievement bars --------------------------------------------------------------------


def test_achievement_bars_show_the_percentage_and_the_count_over_the_target() -> None:
    svg = achievement_bars(
        [
            BarItem("Đảng bộ huyện Kim Bôi", 46, 150, True),
            BarItem("Đảng bộ thành phố Hạ Long", 265, 450, False),
        ]
    )
    labels = texts(svg)
    assert "30,7%" in labels and "46/150" in labels
    assert "58,9%" in labels and "265/450" in labels
    assert "100%" in labels
    assert "Đảng bộ huyện Kim Bôi" in labels


def test_children_behind_the_pace_are_hatched_in_the_warning_colour() -> None:
    behind = achievement_bars([BarItem("Xã An Bình", 10, 100, True)])
    on_pace = achievement_bars([BarItem("Xã An Bình", 10, 100, False)])
    assert "#f2c46d" in behind and "#f2c46d" not in on_pace.split("</title>", 1)[1]
    # The hatching (lines inside the bar) keeps them apart in black-and-white print.
    assert len(list(parse(behind).iter(f"{SVG}line"))) > len(
        list(parse(on_pace).iter(f"{SVG}line"))
    )
    assert "Chậm so với tiến độ" in texts(behind)
    assert "Chậm so với tiến độ" not in texts(on_pace)


def test_a_child_without_a_target_shows_its_count_only() -> None:
    labels = texts(achievement_bars([BarItem("Chi bộ Trường THPT", 1318, None, False)]))
    assert "1.318 (chưa giao chỉ tiêu)" in labels
    assert [t for t in labels if t.endswith("%")] == ["0%", "50%", "100%", "100%"]  # axis only
    assert not any("/" in t for t in labels)


def test_the_pace_mark_is_drawn_when_given() -> None:
    svg = achievement_bars([BarItem("Xã An Bình", 10, 100, False)], pace=61.6)
    assert "Tiến độ 61,6%" in texts(svg)


def test_long_names_are_cut_with_an_ellipsis_and_kept_whole_in_the_tooltip() -> None:
    name = "Đảng bộ Khối các cơ quan và doanh nghiệp tỉnh Hòa Bình"
    svg = achievement_bars([BarItem(name, 5, 10, False)])
    shown = [t for t in texts(svg) if t.startswith("Đảng bộ Khối")]
    assert shown and shown[0].endswith("…") and len(shown[0]) <= 30
    titles = ["".join(t.itertext()) for t in parse(svg).iter(f"{SVG}title")]
    assert name in titles


def test_names_with_markup_characters_are_escaped() -> None:
    name = 'Chi bộ "A" & <Thôn 3>'
    svg = achievement_bars([BarItem(name, 1, 2, False)])
    assert "<Thôn 3>" not in svg
    assert "&lt;Thôn 3&gt;" in svg
    assert name in texts(svg)


def test_no_children_means_no_data() -> None:
    assert EMPTY in texts(achievement_bars([]))


# ---- funnel ------------------------------------------------------------------------------


def test_the_funnel_shows_counts_conversions_and_median_days() -> None:
    svg = funnel(
        [
            FunnelStep("Nguồn kết nạp", 1318, None, None),
            FunnelStep("Đang học lớp nhận thức", 198, 15.0, 30),
            FunnelStep("Đã kết nạp", 179, 90.4, 12.5),
        ]
    )
    labels = texts(svg)
    assert {"Nguồn kết nạp", "1.318", "198", "179"} <= set(labels)
    assert "→ 15,0%" in labels and "→ 90,4%" in labels
    assert "30 ngày" in labels and "12,5 ngày" in labels
    assert len(list(parse(svg).iter(f"{SVG}rect"))) >= 4  # background and one per step


def test_a_step_nobody_passed_shows_a_dash_for_conversion_and_time() -> None:
    labels = texts(
        funnel([FunnelStep("Nguồn", 5, None, None), FunnelStep("Đã kết nạp", 0, None, None)])
    )
    assert "→ —" in labels and "—" in labels


def test_an_empty_funnel_says_there_is_no_data() -> None:
    assert EMPTY in texts(funnel([]))
    assert EMPTY in texts(funnel([FunnelStep("Nguồn", 0, None, None)]))


# ---- grouped bars ------------------------------------------------------------------------


def test_grouped_bars_name_categories_series_and_values() -> None:
    svg = grouped_bars(
        ["Quý I/2026", "Quý II/2026"],
        [("Nam", [120, 1318]), ("Nữ & khác", [80, 95])],
    )
    labels = texts(svg)
    assert {"Quý I/2026", "Quý II/2026", "Nam", "Nữ & khác", "120", "1.318", "95"} <= set(labels)
    assert "Nữ &amp; khác" in svg


def test_series_differ_by_fill_style_not_only_colour() -> None:
    svg = grouped_bars(["Q1"], [("Nam", [10]), ("Nữ", [8]), ("Đoàn viên", [6])])
    rects = [r for r in parse(svg).iter(f"{SVG}rect")]
    fills = {r.get("fill") for r in rects}
    assert "#1a4f9c" in fills  # solid
    assert any(r.get("fill") == "#ffffff" and r.get("stroke") == "#b3261e" for r in rects)
    assert len(list(parse(svg).iter(f"{SVG}line"))) > 3  # hatching of the second series


def test_grouped_bars_without_values_say_there_is_no_data() -> None:
    assert EMPTY in texts(grouped_bars([], []))
    assert EMPTY in texts(grouped_bars(["Q1"], [("Nam", [0])]))


def test_the_same_input_gives_the_same_drawing() -> None:
    items = [BarItem("A", 3, 7, True), BarItem("B", 9, None, False)]
    assert achievement_bars(items) == achievement_bars(items)
    months = [1, 2, 3]
    assert monthly_admissions(months, 10, 2026, date(2026, 3, 3)) == monthly_admissions(
        months, 10, 2026, date(2026, 3, 3)
    )
