"""Writes to a person's identity."""

import re
from datetime import date
from typing import Any

from dangvien.core.errors import Conflict, NotEligible
from dangvien.core.text import collation_key, fold, nfc
from dangvien.people.models import EDUCATION_ORDER, Person, Sex

_CITIZEN_ID = re.compile(r"[0-9]{12}")


class DuplicateCitizenId(Conflict):
    code = "duplicate"


def split_full_name(full_name: str) -> tuple[str, str, str]:
    """ "Nguyễn Thị Minh Khai" → ("Nguyễn", "Thị Minh", "Khai"): family first, given last."""
    words = nfc(full_name).split(" ")
    if len(words) < 2:
        raise NotEligible("Họ và tên phải có ít nhất họ và tên.", field="full_name")
    return words[0], " ".join(words[1:-1]), words[-1]


def derived_keys(person: Person) -> None:
    """Fill the search and sort keys from the name parts (and the citizen ID)."""
    person.search_text = fold(f"{person.full_name} {person.citizen_id}")
    person.sort_key = collation_key(person.given_name, person.middle_name, person.family_name)


def build_person(
    *,
    full_name: str,
    birth_date: date,
    sex: str,
    citizen_id: str,
    education_level: str,
    ethnicity: str = "Kinh",
    religion: str = "Không",
    occupation: str = "",
    hometown: str = "",
    address: str = "",
    phone: str = "",
    youth_union_member: bool = False,
    trade_union_member: bool = False,
    today: date | None = None,
    allow_existing: bool = False,
) -> Person:
    """A new, unsaved person, checked and normalised (NFC, name parts, keys).

    ``allow_existing`` skips the duplicate check for a caller that refreshes a known person.
    """
    citizen_id = citizen_id.strip()
    if not _CITIZEN_ID.fullmatch(citizen_id):  # not str.isdigit(): it accepts "²" and "１"
        raise NotEligible("Số CCCD phải gồm đúng 12 chữ số.", field="citizen_id")
    if not allow_existing and Person.objects.filter(citizen_id=citizen_id).exists():
        raise DuplicateCitizenId(f"Số CCCD {citizen_id} đã có trong hệ thống.", field="citizen_id")
    if sex not in Sex.values:
        raise NotEligible("Giới tính không hợp lệ.", field="sex")
    if education_level not in EDUCATION_ORDER:
        raise NotEligible("Trình độ học vấn không hợp lệ.", field="education_level")
    if birth_date >= (today or date.today()):
        raise NotEligible("Ngày sinh phải trước ngày hôm nay.", field="birth_date")
    family, middle, given = split_full_name(full_name)
    person = Person(
        family_name=family,
        middle_name=middle,
        given_name=given,
        birth_date=birth_date,
        sex=sex,
        citizen_id=citizen_id,
        ethnicity=nfc(ethnicity) or "Kinh",
        religion=nfc(religion) or "Không",
        education_level=education_level,
        occupation=nfc(occupation),
        hometown=nfc(hometown),
        address=nfc(address),
        phone=phone.strip(),
        youth_union_member=youth_union_member,
        trade_union_member=trade_union_member,
    )
    _check_lengths(person)
    derived_keys(person)
    return person


_LABELS = {
    "family_name": ("họ", "full_name"),
    "middle_name": ("tên đệm", "full_name"),
    "given_name": ("tên", "full_name"),
}


def _check_lengths(person: Person) -> None:
    """Every text fits its column: a clear refusal instead of a database error."""
    for field in Person._meta.concrete_fields:
        limit = getattr(field, "max_length", None)
        value = getattr(person, field.attname)
        if limit and isinstance(value, str) and len(value) > limit:
            label, form_field = _LABELS.get(field.name, (str(field.verbose_name), field.name))
            raise NotEligible(
                f"{label.capitalize()} quá dài (tối đa {limit} ký tự).", field=form_field
            )


def refresh_person(person: Person, **fields: Any) -> Person:
    """Someone already known (listed before, withdrawn) is listed again: the same identity,
    with the changeable details brought up to date. Name and birth date must match, so a
    mistyped citizen ID cannot take over another person's record."""
    fresh = build_person(**fields, allow_existing=True)
    if (fresh.full_name, fresh.birth_date) != (person.full_name, person.birth_date):
        raise DuplicateCitizenId(
            f"Số CCCD {person.citizen_id} đã thuộc về {person.full_name}, sinh ngày "
            f"{person.birth_date:%d/%m/%Y}. Kiểm tra lại số CCCD.",
            field="citizen_id",
        )
    for name in (
        "sex",
        "ethnicity",
        "religion",
        "education_level",
        "occupation",
        "hometown",
        "address",
        "phone",
        "youth_union_member",
        "trade_union_member",
    ):
        setattr(person, name, getattr(fresh, name))
    person.save()
    return person


def create_person(**fields: Any) -> Person:
    """Check and save a new person. Called inside the caller's action transaction."""
    person = build_person(**fields)
    person.save()
    return person
