"""Vietnamese conventions: dates typed and shown as dd/mm/yyyy, numbers as 1.318 and 30,7
(the project format module ``dangvien/formats/vi`` replaces Django's ``vi`` locale)."""

from datetime import date

import pytest
from django import forms
from django.template import Context, Template
from django.utils import formats, translation

from dangvien.core.templatetags.vn import ngay, so


@pytest.fixture(autouse=True)
def vietnamese():
    with translation.override("vi"):
        yield


def test_a_date_field_reads_05_03_2024_as_the_fifth_of_march():
    assert forms.DateField().clean("05/03/2024") == date(2024, 3, 5)


def test_a_date_field_still_accepts_iso_dates_from_date_pickers():
    assert forms.DateField().clean("2024-03-05") == date(2024, 3, 5)


def test_a_date_field_refuses_a_month_thirteen():
    with pytest.raises(forms.ValidationError):
        forms.DateField().clean("05/13/2024")


def test_dates_are_shown_as_day_month_year():
    assert formats.date_format(date(2024, 3, 5)) == "05/03/2024"
    assert formats.date_format(date(2024, 3, 5), "SHORT_DATE_FORMAT") == "05/03/2024"


def test_a_template_shows_a_date_as_day_month_year():
    rendered = Template("{{ d }}|{{ d|date }}").render(Context({"d": date(2024, 3, 5)}))
    assert rendered == "05/03/2024|05/03/2024"


def test_so_groups_thousands_with_a_dot_and_uses_a_decimal_comma():
    assert so(1318) == "1.318"
    assert so(30.7) == "30,7"
    assert so(5_600_000) == "5.600.000"
    assert so(None) == ""


def test_so_works_in_a_template_without_load():
    rendered = Template("{{ n|so }} {{ x|so }}").render(Context({"n": 1318, "x": 30.7}))
    assert rendered == "1.318 30,7"


def test_ngay_is_day_month_year_in_any_locale():
    assert ngay(date(2024, 3, 5)) == "05/03/2024"
    assert ngay(None) == ""
    with translation.override("en"):
        assert ngay(date(2024, 3, 5)) == "05/03/2024"


def test_so_rounds_rather_than_cuts_decimals():
    with translation.override("vi"):
        assert so(66.67, 1) == "66,7"
        assert so(2 / 3 * 100, 1) == "66,7"
