"""The person rows' shortcuts give what the people actions and the crypto contract give:
the name keys put together from their parts, the batch encryption, the keyed index."""

import random
import re

import pytest

from dangvien.core import crypto
from dangvien.people.actions import derived_keys
from dangvien.synth import vocab
from dangvien.synth.persons import citizen_id_index, encrypt_all, name_keys


class Name:
    """Enough of a Person for ``derived_keys``."""

    def __init__(self, family: str, middle: str, given: str) -> None:
        self.family_name, self.middle_name, self.given_name = family, middle, given
        self.search_text = self.sort_key = ""

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.family_name, self.middle_name, self.given_name) if p)


def vocabulary_names(count: int) -> list[tuple[str, str, str]]:
    """Names as ``PersonMaker.make`` composes them, extra middle names included."""
    draw = random.Random(3)
    names = []
    for _ in range(count):
        ethnic = vocab.ETHNICITIES[draw.choice(list(vocab.ETHNICITIES))]
        male = draw.random() < 0.5
        middle = draw.choice(list(ethnic.male_middle if male else ethnic.female_middle))
        if draw.random() < 0.3:
            middle = (
                f"{middle} {draw.choice(list(vocab.MALE_MIDDLE if male else vocab.FEMALE_MIDDLE))}"
            )
        given = draw.choice(ethnic.male_given if male else ethnic.female_given)
        names.append((draw.choice(list(ethnic.families)), middle, given))
    return names


def test_name_keys_are_those_of_the_people_actions() -> None:
    names = [
        *vocabulary_names(3_000),
        ("Nguyễn", "", "An"),
        ("Σίσυφος", "", "Đạt"),
        ("Lò", " Văn ", "Ă"),
    ]
    for family, middle, given in names:
        person = Name(family, middle, given)
        derived_keys(person)  # type: ignore[arg-type]
        assert name_keys(family, middle, given) == (person.search_text, person.sort_key)


@pytest.mark.django_db
def test_batch_encryption_makes_the_contract_s_tokens_with_fresh_nonces() -> None:
    values = ["001090123456", "", "Gia đình cơ sở cách mạng", "001090123456"]
    tokens = encrypt_all(values)
    assert [crypto.decrypt(token) for token in tokens] == values
    assert tokens[1] == ""
    header = f"{crypto.VERSION}:{crypto.primary_key_id()}:"
    assert all(re.fullmatch(re.escape(header) + r"[A-Za-z0-9_-]+=*", t) for t in tokens if t)
    assert tokens[0] != tokens[3]  # same value, another nonce
    nonces = {t.split(":", 2)[2][:16] for t in encrypt_all(["1"] * 500)}  # 12 bytes, base64
    assert len(nonces) == 500


@pytest.mark.django_db
def test_the_citizen_id_index_is_the_blind_index() -> None:
    index = citizen_id_index()
    for value in ("001090123456", "079301000001"):
        assert index(value) == crypto.blind_index(value, purpose="citizen_id")
