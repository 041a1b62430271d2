from dangvien.core.text import collation_key, fold, nfc


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
