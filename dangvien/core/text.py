"""Vietnamese text: NFC on the way in, accent-free search keys, and collation keys.

PyICU would give ICU's Vietnamese collation, but it has no wheels and needs the ICU
headers to build, which breaks "Python and nothing else" set-up. The alphabet and tone
order below are short and fixed by the Vietnamese orthography, so we compute the key in
Python and store it in an indexed column: the same order on SQLite and PostgreSQL, and an
index-only sort at national scale.
"""

import re
import unicodedata

from dangvien.core.errors import NotEligible

_SPACES = re.compile(r"\s+")


def nfc(value: str) -> str:
    """Normalise to NFC and squeeze spaces: the form every stored text takes."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


_BLANK_RUN = re.compile(r"\n{3,}")
_LINE_SPACES = re.compile(r"[^\S\n]+")


def nfc_lines(value: str) -> str:
    """NFC, spaces squeezed within each line, line breaks kept (at most one blank line in
    a row): the form multi-line text (question wording, essays, notes) takes."""
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    lines = [_LINE_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_RUN.sub("\n\n", "\n".join(lines)).strip()


def checked_text(
    value: str, *, what: str, field: str, max_length: int = 250, required: bool = True
) -> str:
    """Normalised text input (``nfc``), refused when required and empty or too long."""
    value = nfc(value or "")
    if required and not value:
        raise NotEligible(f"Cần ghi {what}.", field=field)
    if len(value) > max_length:
        raise NotEligible(
            f"{what[:1].upper()}{what[1:]} quá dài (tối đa {max_length} ký tự).", field=field
        )
    return value


def fold(value: str) -> str:
    """Lower case without diacritics: "Nguyễn Văn Đạt" → "nguyen van dat" (search key)."""
    decomposed = unicodedata.normalize("NFD", value.lower().replace("đ", "d").replace("Đ", "d"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip()


# Vietnamese alphabet order (29 letters); letters outside it (f, j, w, z in foreign names)
# sort after the letter they resemble in Latin order.
_ALPHABET = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()  # noqa: SIM905
# The key is digits only, so any database collation orders it the same way (a linguistic
# collation such as en_US.UTF-8 ignores punctuation, which would merge word boundaries).
# Two digits per symbol: 00 ends a word, 01 ends a part (both sort before any letter, so
# "An" comes before "Anh" and "Chi bộ" before "Chi bộ 1"), 10-19 are the digits 0-9, and
# letters start at 20.
KEY_LENGTH = 300  # the indexed ``sort_key`` columns; only ties beyond this are lost
_WORD_END = "00"
_PART_END = "01"
_BASE_RANK = {letter: f"{index + 20:02d}" for index, letter in enumerate(_ALPHABET)}
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
        elif "0" <= char <= "9":
            primary.append(f"1{char}")
        else:
            continue
        tones.append("0")
    return "".join(primary), "".join(tones)


def collation_key(*parts: str) -> str:
    """Sort key in Vietnamese order for the parts given, most significant first.

    Each part is compared in full before the next one, as ``ORDER BY given, middle,
    family`` with an ICU Vietnamese collation would: within a part, letters first (a < ă
    < â < b … đ after d), word by word, then tones (ngang < huyền < hỏi < ngã < sắc <
    nặng). Names sort by given name, then middle, then family, so callers pass ``(given,
    middle, family)``.
    """
    key = []
    for part in parts:
        primaries, tones = [], []
        for word in nfc(part).split(" ") if part and part.strip() else []:
            primary, tone = _letters(word)
            primaries.append(primary + _WORD_END)
            tones.append(tone)
        # Equal letters mean equal lengths, so the tone digits of two parts always align.
        key.append("".join(primaries) + _PART_END + "".join(tones))
    return "".join(key)[:KEY_LENGTH]


def is_number(value: str) -> bool:
    """Whether ``value`` is a run of ASCII digits, as ``int()`` reads it. ``str.isdigit``
    alone also accepts "²" and "１", which ``int()`` refuses (a 500 on a query string)."""
    return value.isascii() and value.isdigit()
