"""One seed, one nation: a province's rows depend on the seed and the province only (not
on which worker made it or when), apart from the encryption's random nonces."""

from collections import defaultdict

import pytest

from dangvien.core import crypto
from dangvien.synth.nation import Generator, Options, Plan

pytestmark = pytest.mark.django_db

ENCRYPTED = {"people_person": (6, 18)}  # citizen_id, family_background


def rows_of(plan: Plan, index: int) -> dict[str, list[list[str]]]:
    emitted: dict[str, list[str]] = defaultdict(list)
    Generator(plan, index, emit=lambda name, data: emitted[name].append(data)).run()
    tables: dict[str, list[list[str]]] = {}
    for name, chunks in emitted.items():
        rows = [line.split("\t") for line in "".join(chunks).splitlines()]
        for row in rows:
            for column in ENCRYPTED.get(name, ()):
                row[column] = crypto.decrypt(row[column]) if row[column] else ""
        tables[name] = rows
    return tables


def test_a_province_comes_out_the_same_from_the_same_seed() -> None:
    plan = Plan.make(Options(members=3_000, provinces=3, seed=11, password="mat-khau-dai"))
    first, again = rows_of(plan, 2), rows_of(plan, 2)
    assert first == again
    assert len(first["members_member"]) > 500


def test_another_seed_gives_another_province() -> None:
    one = Plan.make(Options(members=3_000, provinces=3, seed=11, password="mat-khau-dai"))
    other = Plan.make(Options(members=3_000, provinces=3, seed=12, password="mat-khau-dai"))
    assert rows_of(one, 2)["people_person"] != rows_of(other, 2)["people_person"]
