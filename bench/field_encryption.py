"""Benchmark: the cost of field encryption and the citizen-ID index (issue 9).

Prints, per call / per row:
1. ``encrypt``, ``decrypt`` (a 12-digit citizen ID and a 300-character family background)
   and ``blind_index``, in microseconds;
2. ``bulk_create`` of ``--rows`` people (each: two encryptions, one index), and loading
   them back with the two encrypted fields vs. with those fields deferred: the difference
   is the decryption cost per row on a list page;
3. finding a person by citizen ID through the index (``people.queries.by_citizen_id``),
   per lookup;
4. ``rotate_field_keys`` after a new key is put first: rows per second.

    DEBUG=1 .venv/bin/python bench/field_encryption.py [--rows 20000]
    scripts/with-postgres .venv/bin/python bench/field_encryption.py --rows 100000
"""

import argparse
import random
import time
from datetime import date
from typing import Any

from _common import setup_django

BACKGROUND = (
    "Bố: Nguyễn Văn Bình, sinh năm 1960, nông dân, đảng viên. Mẹ: Trần Thị Lan, sinh năm "
    "1963, giáo viên tiểu học đã nghỉ hưu. Anh trai: Nguyễn Văn Cường, sinh năm 1985, bộ "
    "đội. Gia đình chấp hành tốt chủ trương của Đảng, chính sách, pháp luật của Nhà nước."
)


def per_call(label: str, call: Any, n: int) -> float:
    """CPU time of this process per call: on a machine shared with other work the wall
    clock measures the neighbours too."""
    start = time.process_time()
    for _ in range(n):
        call()
    micro = (time.process_time() - start) / n * 1e6
    print(f"  {label:<52} {micro:8.2f} µs CPU")
    return micro


class Clock:
    """Wall and CPU time of a block (on PostgreSQL the server's work is in the wall only)."""

    def __enter__(self) -> "Clock":
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu

    def per(self, n: int, unit: float = 1e6) -> str:
        return f"{self.wall / n * unit:8.1f} wall, {self.cpu / n * unit:8.1f} CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20000)
    options = parser.parse_args()
    setup_django("dv-crypto-")

    from django.conf import settings
    from django.db import connection, transaction

    from dangvien.core import crypto
    from dangvien.people.actions import derived_keys, rotate_field_keys
    from dangvien.people.models import Person
    from dangvien.people.queries import by_citizen_id

    old_key = crypto.new_key()
    settings.FIELD_ENCRYPTION_KEYS = [f"old={old_key}"]
    crypto.reset_keys()
    print(f"Database: {connection.vendor}; rows: {options.rows:,}")
    print("1. Primitives (per call)")
    cid = "001200012345"
    token, long_token = crypto.encrypt(cid), crypto.encrypt(BACKGROUND)
    n = 50000
    per_call("encrypt(citizen ID)", lambda: crypto.encrypt(cid), n)
    per_call("decrypt(citizen ID)", lambda: crypto.decrypt(token), n)
    per_call(
        f"encrypt(family background, {len(BACKGROUND)} chars)",
        lambda: crypto.encrypt(BACKGROUND),
        n,
    )
    per_call("decrypt(family background)", lambda: crypto.decrypt(long_token), n)
    per_call("blind_index(citizen ID)", lambda: crypto.blind_index(cid, purpose="citizen_id"), n)

    rng = random.Random(1)
    ids = rng.sample(range(10**11, 10**12), options.rows)
    people = []
    for n_row, value in enumerate(ids):
        person = Person(
            family_name="Nguyễn",
            middle_name="Văn",
            given_name=f"An{n_row}",
            birth_date=date(1990, 1, 1),
            sex="male",
            citizen_id=f"{value:012d}",
            education_level="university",
            family_background=BACKGROUND,
        )
        derived_keys(person)
        people.append(person)
    print(f"2. Rows ({options.rows:,} people)")
    with Clock() as clock, transaction.atomic():
        for at in range(0, len(people), 2000):
            Person.objects.bulk_create(people[at : at + 2000])
    print(f"  {'bulk_create (2 encryptions + 1 index a row)':<52} {clock.per(options.rows)} µs/row")

    def load(rows: Any) -> Clock:
        with Clock() as clock:
            for _ in rows.iterator(chunk_size=2000):
                pass
        return clock

    plain = load(Person.objects.defer("citizen_id", "family_background"))
    full = load(Person.objects.all())
    print(f"  {'load, encrypted fields deferred':<52} {plain.per(options.rows)} µs/row")
    print(f"  {'load, both fields decrypted':<52} {full.per(options.rows)} µs/row")
    extra = (full.cpu - plain.cpu) / options.rows * 1e6
    print(f"  {'→ decryption on read':<52} {extra:8.1f} µs CPU/row")

    print("3. Lookup by citizen ID through the index")
    sample = [f"{v:012d}" for v in rng.sample(ids, 1000)]
    with Clock() as clock:
        for value in sample:
            assert by_citizen_id(value).get().citizen_id == value
    print(f"  {'by_citizen_id(…).get()':<52} {clock.per(len(sample), 1e3)} ms/lookup")

    print("4. Key rotation")
    settings.FIELD_ENCRYPTION_KEYS = [f"new={crypto.new_key()}", f"old={old_key}"]
    crypto.reset_keys()
    with Clock() as clock:
        counts = rotate_field_keys()
    done = sum(c.reencrypted for c in counts)
    print(
        f"  rotate_field_keys: {done:,} values in {clock.wall:.1f} s wall ({clock.cpu:.1f} s CPU)"
    )
    print(f"  {'':<52} {clock.per(done)} µs/value")


if __name__ == "__main__":
    main()
