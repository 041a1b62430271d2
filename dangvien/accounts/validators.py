"""Password rules (OWASP ASVS 5.0 V6.2): length only, no composition rules, and no
password found in a list of breached or easily guessed ones.

- V6.2.1: at least 8 characters (``PASSWORD_MIN_LENGTH``).
- V6.2.9: passwords of at least 64 characters are permitted; ``PASSWORD_MAX_LENGTH``
  (128) only bounds the work of hashing an absurdly long input.
- V6.2.5: no rule about upper case, digits or symbols (no NumericPasswordValidator).
- V6.2.4 and V6.2.12: checked against breached passwords: Django's list of 20,000 common
  passwords, the 474,743 passwords of 8 to 128 characters in SecLists' "10 million
  password list, top 1,000,000" (``data/breached-passwords.txt.gz``, see data/README.md),
  and Vietnamese passwords and this application's words (``data/vietnamese-passwords.txt``,
  V6.1.2 and V6.2.11) with their usual endings, plus birthdays written ddmmyyyy.
- V6.2.8: the password itself is stored and checked exactly as typed; only the look-up
  in the lists folds case, diacritics and spaces, so "Mật Khẩu 123" is refused like
  "matkhau123".
"""

import array
import gzip
import hashlib
from bisect import bisect_left
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError

from dangvien.core.text import fold

DATA = Path(__file__).resolve().parent / "data"
BREACHED = DATA / "breached-passwords.txt.gz"
VIETNAMESE = DATA / "vietnamese-passwords.txt"

# Endings people add to a word to pass a length rule ("matkhau" + "123").
SUFFIXES = (
    ["", "1", "12", "123", "1234", "12345", "123456", "1234567", "12345678"]
    + ["@", "@123", "@1234", "@12345", "!", "!@#", "123@", "123!", ".123", "#123", "@@"]
    + [str(year) for year in range(1950, 2036)]
    + [f"@{year}" for year in range(2015, 2036)]
)
BIRTH_YEARS = (1940, 2015)


class MinimumLengthValidator:
    """At least ``PASSWORD_MIN_LENGTH`` characters (OWASP ASVS 5.0 V6.2.1)."""

    def __init__(self, min_length: int | None = None) -> None:
        self.min_length = min_length or settings.PASSWORD_MIN_LENGTH

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                f"Mật khẩu quá ngắn: cần ít nhất {self.min_length} ký tự.",
                code="password_too_short",
            )

    def get_help_text(self) -> str:
        return (
            f"Ít nhất {self.min_length} ký tự; không bắt buộc chữ hoa, chữ số hay ký hiệu. "
            "Nên dùng một cụm từ dài mà chỉ bạn nhớ."
        )


class MaximumLengthValidator:
    """At most ``PASSWORD_MAX_LENGTH`` characters: at least 64 must stay allowed (OWASP
    ASVS 5.0 V6.2.9); the bound only caps the hashing work of a huge input."""

    def __init__(self, max_length: int | None = None) -> None:
        self.max_length = max_length or settings.PASSWORD_MAX_LENGTH

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                f"Mật khẩu quá dài: tối đa {self.max_length} ký tự.", code="password_too_long"
            )

    def get_help_text(self) -> str:
        return f"Tối đa {self.max_length} ký tự."


def _key(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


@cache
def _breached() -> "array.array[int]":
    """The breached list as sorted 64-bit hashes: about 4 MB in memory instead of 45 MB
    for a set of the strings; loaded once per process, on the first password check."""
    with gzip.open(BREACHED, "rb") as f:
        lines = f.read().split(b"\n")
    keys = sorted(
        int.from_bytes(hashlib.blake2b(line, digest_size=8).digest(), "big")
        for line in lines
        if line
    )
    return array.array("Q", keys)


@cache
def _guessable() -> frozenset[str]:
    """Django's common passwords, the Vietnamese words with their endings, birthdays."""
    words = set(CommonPasswordValidator().passwords)
    for line in VIETNAMESE.read_text(encoding="utf-8").splitlines():
        base = line.strip()
        if base and not base.startswith("#"):
            words.update(base + suffix for suffix in SUFFIXES)
    day, last = date(BIRTH_YEARS[0], 1, 1), date(BIRTH_YEARS[1], 12, 31)
    while day <= last:
        words.add(day.strftime("%d%m%Y"))
        day += timedelta(days=1)
    return frozenset(words)


def _forms(password: str) -> set[str]:
    """What the lists are searched for: as typed (lower case), folded, without spaces."""
    lowered = password.strip().lower()
    folded = fold(password)
    return {lowered, folded, folded.replace(" ", ""), lowered.replace(" ", "")}


def is_breached(password: str) -> bool:
    """Whether ``password`` is in one of the lists (any of its folded forms)."""
    forms = _forms(password)
    if forms & _guessable():
        return True
    keys = _breached()
    for form in forms:
        key = _key(form)
        at = bisect_left(keys, key)
        if at < len(keys) and keys[at] == key:
            return True
    return False


class BreachedPasswordValidator:
    """Refuses passwords found in the breached and guessable lists (OWASP ASVS 5.0
    V6.2.4, V6.2.11, V6.2.12)."""

    def validate(self, password: str, user: Any = None) -> None:
        if is_breached(password):
            raise ValidationError(
                "Mật khẩu này nằm trong danh sách mật khẩu đã bị lộ hoặc dễ đoán "
                "(như “matkhau123”, “anhyeuem”, ngày sinh). Hãy chọn mật khẩu khác.",
                code="password_breached",
            )

    def get_help_text(self) -> str:
        return "Không dùng mật khẩu đã bị lộ hoặc dễ đoán (ngày sinh, “matkhau123”, …)."
