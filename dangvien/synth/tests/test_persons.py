"""The person rows' name keys, put together from their parts, are what the people
actions derive."""

import random

from dangvien.people.actions import derived_keys
from dangvien.synth import vocab
from dangvien.synth.persons import name_keys


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
