"""A person's identity: 12-digit unique citizen ID, name parts, NFC text, search and sort
keys (issue 3, "People, users, roles, scope" and "Vietnamese conventions")."""

import unicodedata
from datetime import date

import pytest

from dangvien.core.errors import NotEligible
from dangvien.people.actions import DuplicateCitizenId, build_person, create_person
from dangvien.people.models import Person

TODAY = date(2026, 11, 23)


def fields(**overrides):
    values = {
        "full_name": "Nguyễn Văn An",
        "birth_date": date(2000, 1, 2),
        "sex": "male",
        "citizen_id": "001200012345",
        "education_level": "upper_secondary",
        "today": TODAY,
    }
    values.update(overrides)
    return values


@pytest.mark.parametrize(
    "citizen_id",
    [
        "00120001234",  # 11 digits
        "0012000123456",  # 13 digits
        "00120001234a",
        "",
        "００１２０００１２３４５",  # full-width digits
        "00120001234²",  # a superscript counts as a digit for str.isdigit()
    ],
)
def test_a_citizen_id_must_be_exactly_twelve_ascii_digits(db, citizen_id):
    with pytest.raises(NotEligible) as refused:
        create_person(**fields(citizen_id=citizen_id))
    assert "12 chữ số" in str(refused.value)
    assert refused.value.field == "citizen_id"
    assert not Person.objects.exists()


def test_a_citizen_id_with_surrounding_spaces_is_trimmed(db):
    person = create_person(**fields(citizen_id=" 001200012345 "))
    assert person.citizen_id == "001200012345"


def test_a_citizen_id_already_recorded_is_refused(db):
    create_person(**fields())
    with pytest.raises(DuplicateCitizenId) as refused:
        create_person(**fields(full_name="Trần Thị Bình"))
    assert "đã có trong hệ thống" in str(refused.value)
    assert Person.objects.count() == 1


def test_a_full_name_is_split_into_family_middle_and_given(db):
    person = create_person(**fields(full_name="Nguyễn Thị Minh Khai"))
    assert (person.family_name, person.middle_name, person.given_name) == (
        "Nguyễn",
        "Thị Minh",
        "Khai",
    )
    assert person.full_name == "Nguyễn Thị Minh Khai"


def test_a_two_word_name_has_no_middle_name(db):
    person = create_person(**fields(full_name="Lò  Pả"))
    assert (person.family_name, person.middle_name, person.given_name) == ("Lò", "", "Pả")


def test_a_single_word_name_is_refused(db):
    with pytest.raises(NotEligible) as refused:
        create_person(**fields(full_name="Khai"))
    assert refused.value.field == "full_name"
    assert not Person.objects.exists()


def test_decomposed_input_is_stored_in_nfc(db):
    decomposed = unicodedata.normalize("NFD", "Nguyễn Văn Đạt")
    assert decomposed != "Nguyễn Văn Đạt"
    person = create_person(
        **fields(full_name=decomposed, address=unicodedata.normalize("NFD", "Thôn Đông"))
    )
    assert person.family_name == "Nguyễn"
    assert person.given_name == "Đạt"
    assert person.address == "Thôn Đông"
    assert unicodedata.is_normalized("NFC", person.full_name)


def test_search_text_is_accent_free_and_leaves_the_encrypted_citizen_id_out(db):
    person = create_person(**fields(full_name="Nguyễn Văn Đạt"))
    assert person.search_text == "nguyen van dat"
    assert Person.objects.filter(search_text__contains="van dat").get() == person


def test_people_sort_by_given_then_middle_then_family_name(db):
    for citizen_id, name in enumerate(
        [
            "Trần Văn Bình",
            "Nguyễn Văn An",
            "Lê Thị An",
            "Vũ Đức Anh",
            "Phạm Ánh",
            "Đỗ An",
            "Bùi Văn An",
        ],
        start=1,
    ):
        create_person(**fields(full_name=name, citizen_id=f"{citizen_id:012d}"))
    names = [p.full_name for p in Person.objects.order_by("sort_key")]
    assert names == [
        "Đỗ An",  # no middle name first
        "Lê Thị An",  # Thị < Văn
        "Bùi Văn An",  # same given and middle: Bùi < Nguyễn
        "Nguyễn Văn An",
        "Vũ Đức Anh",  # An < Anh < Ánh
        "Phạm Ánh",
        "Trần Văn Bình",
    ]


def test_the_given_name_decides_before_the_family_name_even_on_a_tone(db):
    """ICU-style: given name compared fully (tone included) first, then middle, then family."""
    create_person(**fields(full_name="Nguyễn Văn Á", citizen_id="000000000001"))
    create_person(**fields(full_name="Trần Văn A", citizen_id="000000000002"))
    names = [p.full_name for p in Person.objects.order_by("sort_key")]
    assert names == ["Trần Văn A", "Nguyễn Văn Á"]


def test_the_middle_name_decides_before_the_family_name(db):
    create_person(**fields(full_name="Lê Thị Minh Anh", citizen_id="000000000001"))
    create_person(**fields(full_name="Trần Thị Anh", citizen_id="000000000002"))
    names = [p.full_name for p in Person.objects.order_by("sort_key")]
    assert names == ["Trần Thị Anh", "Lê Thị Minh Anh"]


def test_a_birth_date_today_or_later_is_refused(db):
    with pytest.raises(NotEligible):
        create_person(**fields(birth_date=TODAY))
    assert not Person.objects.exists()


def test_an_unknown_sex_or_education_is_refused(db):
    with pytest.raises(NotEligible):
        create_person(**fields(sex="x"))
    with pytest.raises(NotEligible):
        create_person(**fields(education_level="phd"))
    assert not Person.objects.exists()


def test_build_person_does_not_save(db):
    person = build_person(**fields())
    assert person.pk is None
    assert not Person.objects.exists()
