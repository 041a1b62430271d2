import pytest

from dangvien.core.text import collation_key, fold, nfc, nfc_lines


def test_fold_removes_diacritics_and_case_including_d_stroke():
    assert fold("Nguyễn Văn Đạt") == "nguyen van dat"


def test_nfc_composes_decomposed_input_and_squeezes_spaces():
    decomposed = "Nguye\u0302\u0303n  Va\u0306n"
    assert nfc(decomposed) == "Nguyễn Văn"


def test_vietnamese_order_puts_short_words_first_and_d_stroke_after_d():
    names = ["Đức", "Dũng", "Anh", "An", "Ánh", "Ăn", "Ân", "Bình", "Ý", "Yến"]
    assert sorted(names, key=collation_key) == [
        "An",
        "Anh",
        "Ánh",
        "Ăn",
        "Ân",
        "Bình",
        "Dũng",
        "Đức",
        "Ý",
        "Yến",
    ]


def test_tones_order_ngang_huyen_hoi_nga_sac_nang():
    words = ["má", "mạ", "mả", "ma", "mã", "mà"]
    assert sorted(words, key=collation_key) == ["ma", "mà", "mả", "mã", "má", "mạ"]


def test_multi_line_text_keeps_its_line_breaks_and_squeezes_the_rest():
    decomposed = "Điều le\u0302\u0323  Đảng \r\n\r\n\r\n  quy   định\t rõ"
    assert nfc_lines(decomposed) == "Điều lệ Đảng\n\nquy định rõ"


def test_posted_form_text_keeps_line_breaks_for_essays(client):
    """The middleware normalises form text to NFC but no longer joins lines, so an essay
    or a question's wording keeps its paragraphs."""
    from django.test import RequestFactory

    from dangvien.core.middleware import NormaliseTextMiddleware

    seen = {}

    def view(request):
        seen.update(request.POST)
        from django.http import HttpResponse

        return HttpResponse()

    request = RequestFactory().post("/", {"text": "Dòng một\r\nDòng  hai"})
    NormaliseTextMiddleware(view)(request)
    assert seen["text"] == ["Dòng một\nDòng hai"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12", True), ("", False), ("²", False), ("１２", False), ("1a", False), ("-1", False)],
)
def test_is_number_accepts_only_what_int_reads_as_ascii_digits(value: str, expected: bool) -> None:
    from dangvien.core.text import is_number

    assert is_number(value) is expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/sang-loc/?node=%C2%B2",
        "/sang-loc/?year=%C2%B2",
        "/dang-vien/?organisation=%C2%B2",
        "/quan-chung/?organisation=%C2%B2",
    ],
)
def test_a_superscript_digit_in_a_query_string_is_ignored_not_a_500(client, tree, url: str) -> None:
    from dangvien.accounts.models import Role
    from dangvien.factories import user_with_role

    client.force_login(user_with_role(Role.BOARD_STAFF, tree["commune"]))
    assert client.get(url).status_code == 200
