"""Vietnamese text: NFC on the way in, accent-free search keys, and collation keys.

PyICU would give ICU's Vietnamese collation, but it has no wheels and needs the ICU
headers to build, which breaks "Python and nothing else" set-up. The alphabet and tone
order below are short and fixed by the Vietnamese orthography, so we compute the key in
Python and store it in an indexed column: the same order on SQLite and PostgreSQL, and an
index-only sort at national scale.
"""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def nfc(value: str) -> str:
    """Normalise to NFC and squeeze spaces: the form every stored text takes."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def fold(value: str) -> str:
    """Lower case without diacritics: "Nguyễn Văn Đạt" → "nguyen van dat" (search key)."""
    decomposed = unicodedata.normalize("NFD", value.lower().replace("đ", "d").replace("Đ", "d"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip()


# Vietnamese alphabet order (29 letters); letters outside it (f, j, w, z in foreign names)
# sort after the letter they resemble in Latin order.
_ALPHABET = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()
# Two digits per letter, from 10 so that digits (00-09) sort before every letter.
_BASE_RANK = {letter: f"{index + 10:02d}" for index, letter in enumerate(_ALPHABET)}
_RANK_LETTER = {rank: letter for letter, rank in _BASE_RANK.items()}
# Tones are a secondary difference: ngang, huyền, hỏi, ngã, sắc, nặng (traditional order).
_TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}
_MARKED = {
    ("a", "\u0306"): "ă",
    ("a", "\u0302"): "â",
    ("e", "\u0302"): "ê",
    ("o", "\u0302"): "ô",
    ("o", "\u031b"): "ơ",
    ("u", "\u031b"): "ư",
}


def _letters(word: str) -> tuple[str, str]:
    """Primary (letters) and secondary (tone per letter) keys of one word."""
    primary: list[str] = []
    tones: list[str] = []
    for char in unicodedata.normalize("NFD", word.lower()):
        if unicodedata.combining(char):
            if char in _TONES and tones:
                tones[-1] = _TONES[char]
            elif primary:
                marked = _MARKED.get((_RANK_LETTER.get(primary[-1], ""), char))
                if marked:
                    primary[-1] = _BASE_RANK[marked]
            continue
        if char in _BASE_RANK:
            primary.append(_BASE_RANK[char])
        elif char.isdigit():
            primary.append(f"0{char}")
        else:
            continue
        tones.append("0")
    return "".join(primary), "".join(tones)


def collation_key(*words: str) -> str:
    """Sort key in Vietnamese order for the words given, most significant first.

    Letters compare first (a < ă < â < b … đ after d), then tones (ngang < huyền < hỏi <
    ngã < sắc < nặng), word by word. Names sort by given name, then middle, then family,
    so callers pass ``(given, middle, family)``.
    """
    primaries, secondaries = [], []
    for word in words:
        for part in nfc(word).split(" ") if word else [""]:
            primary, tone = _letters(part)
            primaries.append(primary)
            secondaries.append(tone)
    # "!" sorts before every digit: ending each word with it puts "An" before "Anh".
    return "".join(p + "!" for p in primaries) + "|" + "".join(s + "!" for s in secondaries)
