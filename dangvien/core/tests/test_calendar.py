"""Working days (ngày làm việc): weekends, statutory holidays from the ``holidays`` library
(Tết included), the library's announced weekend swaps, and ``CalendarDay`` overrides."""

from datetime import date

from dangvien.core.calendar import add_working_days, is_working_day, working_days_between
from dangvien.core.models import CalendarDay


def test_weekends_are_not_working_days(db):
    assert is_working_day(date(2026, 3, 13))  # Friday
    assert not is_working_day(date(2026, 3, 14))  # Saturday
    assert not is_working_day(date(2026, 3, 15))  # Sunday


def test_tet_2026_days_are_not_working_days(db):
    # Tết Bính Ngọ: the lunar new year falls on Tuesday 17/02/2026; the statutory days off
    # are Monday 16/02 to Friday 20/02.
    for day in range(16, 21):
        assert not is_working_day(date(2026, 2, day))
    assert is_working_day(date(2026, 2, 13))
    assert is_working_day(date(2026, 2, 23))


def test_counting_starts_the_day_after_the_start(db):
    assert add_working_days(date(2026, 3, 9), 1) == date(2026, 3, 10)  # Mon → Tue
    assert add_working_days(date(2026, 3, 13), 1) == date(2026, 3, 16)  # Fri → Mon


def test_ten_working_days_across_tet_2026_skip_the_whole_holiday_week(db):
    # From Friday 13/02/2026: Mon 16 to Fri 20 are Tết, so the days are counted
    # 23, 24, 25, 26, 27/02 (1–5) and 2, 3, 4, 5, 6/03 (6–10).
    # Without Tết the tenth day would be Friday 27/02.
    assert add_working_days(date(2026, 2, 13), 10) == date(2026, 3, 6)


def test_sixty_working_days_across_tet_2026(db):
    # From Thursday 15/01/2026: 16/01 (1); 19–23/01 (2–6); 26–30/01 (7–11); 2–6/02 (12–16);
    # 9–13/02 (17–21); 16–20/02 Tết, not counted; 23–27/02 (22–26); 2–6/03 (27–31);
    # 9–13/03 (32–36); 16–20/03 (37–41); 23–27/03 (42–46); 30/03–3/04 (47–51);
    # 6–10/04 (52–56); 13, 14, 15, 16/04 (57–60). Without Tết it would be 09/04.
    assert add_working_days(date(2026, 1, 15), 60) == date(2026, 4, 16)


def test_a_saturday_made_a_working_day_by_calendar_day_shortens_the_count(db):
    start = date(2026, 3, 13)  # Friday
    assert add_working_days(start, 5) == date(2026, 3, 20)
    CalendarDay.objects.create(day=date(2026, 3, 14), is_working_day=True, note="Làm bù")
    assert is_working_day(date(2026, 3, 14))
    assert add_working_days(start, 5) == date(2026, 3, 19)


def test_a_weekday_made_a_day_off_by_calendar_day_lengthens_the_count(db):
    CalendarDay.objects.create(day=date(2026, 3, 16), is_working_day=False, note="Nghỉ bù")
    assert add_working_days(date(2026, 3, 13), 1) == date(2026, 3, 17)


def test_a_weekend_workday_announced_in_the_library_counts_as_working(db):
    """The government moved Saturday 22/08/2026 to Monday 31/08/2026 (bridge to 2/9); the
    ``holidays`` library knows both halves of the swap, so the Saturday is worked."""
    assert is_working_day(date(2026, 8, 22))
    assert not is_working_day(date(2026, 8, 31))
    assert add_working_days(date(2026, 8, 21), 1) == date(2026, 8, 22)


def test_a_calendar_day_override_wins_over_the_library(db):
    CalendarDay.objects.create(day=date(2026, 2, 20), is_working_day=True, note="Thử")
    assert is_working_day(date(2026, 2, 20))


def test_working_days_between_counts_after_start_up_to_end_and_is_signed(db):
    assert working_days_between(date(2026, 2, 13), date(2026, 3, 6)) == 10
    assert working_days_between(date(2026, 3, 6), date(2026, 2, 13)) == -10
    assert working_days_between(date(2026, 3, 9), date(2026, 3, 9)) == 0
