from decimal import Decimal

from dangvien.stats.formatting import percent, percent_text


def test_the_kim_boi_figure_reads_thirty_point_seven_with_a_comma() -> None:
    assert percent(46, 150) == 30.7
    assert percent_text(percent(46, 150)) == "30,7%"


def test_halves_round_up_on_the_exact_fraction() -> None:
    assert percent(1, 8) == 12.5
    assert percent(1, 16) == 6.3  # 6.25 → 6.3, where float rounding would give 6.2
    assert percent_text(Decimal("0.05")) == "0,1%"


def test_no_target_gives_no_percentage_and_a_dash() -> None:
    assert percent(5, 0) is None
    assert percent(5, None) is None
    assert percent_text(None) == "—"


def test_thousands_are_grouped_with_dots() -> None:
    assert percent_text(1234.5) == "1.234,5%"
    assert percent_text(100) == "100,0%"
