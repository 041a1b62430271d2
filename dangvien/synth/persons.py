"""Person rows: what ``people.actions.build_person`` would store. The name parts, with
the search text and Vietnamese sort key of ``derived_keys`` (``name_keys``); the citizen
ID encrypted as ``core.crypto.encrypt`` does and indexed with ``blind_index(value,
purpose="citizen_id")`` (issue 9); draws as the demo's (``core/demo.py``: ``Demo.person``).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from dangvien.core import crypto
from dangvien.core.text import KEY_LENGTH, collation_key, fold
from dangvien.people.models import Education, OccupationGroup, PoliticalTheory, Sex
from dangvien.synth import vocab
from dangvien.synth.vocab import SLOTS, Pick

if TYPE_CHECKING:
    from dangvien.synth.nation import Generator
    from dangvien.synth.tree import Node, Province

DAYS_A_YEAR = 365.25
N = "\\N"
ADDRESS_WORDS = ["thôn Đông", "thôn Trung", "tổ dân phố số 2", "khu phố Mới", "thôn Bắc"]


@lru_cache(maxsize=500_000)
def name_keys(family: str, middle: str, given: str) -> tuple[str, str]:
    """(search_text, sort_key) as ``people.actions.derived_keys`` computes them: the folded
    full name, and ``collation_key(given, middle, family)``. Names repeat, so cached; but
    extra middle names make about a million combinations, so a new one is put together
    from its parts' keys, cached apart (the per-letter keys were a quarter of a person's
    CPU). The tests compare the two ways over the vocabulary's names. Why they agree:

    - ``collation_key`` of several parts is each part's own key end to end, cut at
      ``KEY_LENGTH``; a part's key cut at ``KEY_LENGTH`` changes nothing of the first
      ``KEY_LENGTH`` characters.
    - ``fold`` works character by character (lower case, đ, NFD, marks dropped) and then
      squeezes spaces; a space between parts is a starter, so NFD does not reorder across
      it, and parts with no outer spaces that fold to something leave single spaces
      between them. A part that does not qualify (``_part_fold`` gives "") is folded with
      the whole name."""
    parts = [p for p in (family, middle, given) if p]
    folded = [_part_fold(p) for p in parts]
    search_text = " ".join(folded) if all(folded) else fold(" ".join(parts))
    sort_key = _part_key(given) + _part_key(middle) + _part_key(family)
    return search_text, sort_key[:KEY_LENGTH]


@cache
def _part_key(part: str) -> str:
    """One name part's collation key (a few thousand distinct parts)."""
    return collation_key(part)


@cache
def _part_fold(part: str) -> str:
    """One name part's ``fold``, or "" when it cannot simply be joined to the others' (outer
    spaces, nothing left once folded, or a capital sigma, whose lower case depends on what
    follows)."""
    folded = fold(part)
    if part != part.strip() or not folded or "Σ" in part:
        return ""
    return folded


@dataclass(slots=True)
class Person:
    id: int
    birth: int  # ordinal
    sex: str
    years: float  # age today
    youth: bool
    search_text: str = ""  # copied onto the member row (Member.search_text)
    sort_key: str = ""  # copied onto the member row (Member.sort_key)


class PersonMaker:
    """Writes person rows. Draws follow the demo's (``core/demo.py``: ``Demo.person``).

    About ten weighted draws a person: ``make`` draws from the ``Pick`` tables' slots
    inline (``slots[int(random() * SLOTS)]``, what calling the ``Pick`` does), which saves
    a call each."""

    def __init__(self, nation: "Generator") -> None:
        self.n = nation
        self.rng = nation.rng
        self.table = nation.tables["person"]
        self.profiles = {name: slots(mix) for name, mix in vocab.PROFILES.items()}
        self.ethnic = {
            name: (
                slots(e.families),
                slots(e.male_middle),
                slots(e.female_middle),
                e.male_given,
                e.female_given,
                slots(e.religions),
            )
            for name, e in vocab.ETHNICITIES.items()
        }
        self.extra_middle = {True: slots(vocab.MALE_MIDDLE), False: slots(vocab.FEMALE_MIDDLE)}
        self.education = {k: slots(v) for k, v in vocab.EDUCATION_MIX.items()}
        self.old_education, self.young_education = self.education["old"], self.education["young"]
        self.highland_education = self.education["highland"]
        self._styles: dict[int, Style] = {}
        self.pending: list[list[str]] = []
        self.index = crypto.blind_indexer("citizen_id")
        self.occupations = {k: slots(v) for k, v in vocab.OCCUPATIONS.items()}
        self.theory = {k: slots(v) for k, v in vocab.THEORY_MIX.items()}
        self.serials: dict[tuple[str, int, str], list[Any]] = {}  # [prefix, people so far]
        self.other_codes = [code for _n, code, _t, _c in vocab.PROVINCES]

    def citizen_id(self, home_code: str, birth_year: int, sex: str) -> str:
        """Province code of birth registration, century-and-sex digit, year of birth, six
        digits (Thông tư 07/2016/TT-BCA Điều 7). The six digits walk a permutation of
        000000–999999 per prefix, so no two people share an ID."""
        rng = self.rng
        code = home_code if rng.random() < 0.88 else rng.choice(self.other_codes)
        # One prefix per (code, year, sex) (birth years 1900-2099), and its counter.
        serials = self.serials.get((code, birth_year, sex))
        if serials is None:
            digit = (0 if birth_year < 2000 else 2) + (1 if sex == FEMALE else 0)
            serials = self.serials[code, birth_year, sex] = [
                f"{code}{digit}{birth_year % 100:02d}",
                0,
            ]
        prefix, k = serials
        serials[1] = k + 1
        # Provinces share the prefixes of people born elsewhere: each takes every P-th
        # number (P provinces), walked in a scrambled order.
        count = self.n.province_count
        number = k * count + self.n.index
        if number >= 1_000_000:
            raise ValueError(f"more than {1_000_000 // count} people with prefix {prefix}")
        serial = (number * 7919 + self.n.serial_offset) % 1_000_000  # 7919 is prime to 10^6
        return f"{prefix}{serial:06d}"

    def style(self, unit: "Node", province: "Province") -> "Style":
        """What every person of ``unit`` draws from, worked out once per unit."""
        style = self._styles.get(unit.id)
        if style is None:
            setting = unit.setting
            office = setting in vocab.OFFICES
            residential = setting in ("village", "ward")
            empty = province.empty_villages.get(unit.commune.id if unit.commune else 0, [])
            style = self._styles[unit.id] = Style(
                profile=self.profiles[unit.profile],
                male_share=vocab.SETTING_MALE[setting],
                ages=vocab.SETTING_AGES[setting],
                office_education=self.education["office"] if office else None,
                highland=unit.profile == "highland",
                occupation=self.occupations[setting],
                theory=self.theory["office" if office else "other"],
                residential=residential,
                villages=unit.village_ids,
                empty_village=empty[0] if empty else None,
                addresses=[f"{unit.name.removeprefix('Chi bộ ')}, {unit.place}"]
                if residential
                else [f"{word}, {unit.place}" for word in ADDRESS_WORDS],
                hometowns=[f"xã {word} Hòa, {province.place}" for word in vocab.PLACE_WORDS],
                place=unit.place,
                trade_union="t"
                if setting in ("agency", "school", "health", "enterprise", "province")
                else "f",
                id_code=province.id_code,
            )
        return style

    def make(
        self,
        unit: "Node",
        province: "Province",
        *,
        birth: int | None = None,
        age: tuple[float, float, float] | None = None,
        candidate: bool = False,
    ) -> Person:
        rng = self.rng
        random = rng.random
        t = self.n.timeline
        style = self._styles.get(unit.id) or self.style(unit, province)
        ethnicity = style.profile[int(random() * SLOTS)]
        families, male_middle, female_middle, male_given, female_given, religions = self.ethnic[
            ethnicity
        ]
        male = random() < style.male_share
        if birth is None:
            years = rng.triangular(*(age or style.ages))
            birth = t.today_n - int(years * DAYS_A_YEAR) - int(random() * 365)
        years = (t.today_n - birth) / DAYS_A_YEAR
        family = families[int(random() * SLOTS)]
        givens = male_given if male else female_given
        middle = (male_middle if male else female_middle)[int(random() * SLOTS)]
        given = givens[int(random() * len(givens))]
        if ethnicity == "Kinh" and random() < 0.12:
            extra = self.extra_middle[male][int(random() * SLOTS)]
            if extra != middle and extra not in ("Văn", "Thị"):
                middle = f"{middle} {extra}"
        if given == middle.rsplit(" ", 1)[-1]:
            given = givens[int(random() * len(givens))]
        if style.office_education is not None:
            education = style.office_education[int(random() * SLOTS)]
        elif style.highland and ethnicity != "Kinh":
            education = self.highland_education[int(random() * SLOTS)]
        else:
            educations = self.old_education if years >= 60 else self.young_education
            education = educations[int(random() * SLOTS)]
        if candidate and education in LOW_EDUCATION:
            education = LOWER_SECONDARY  # 294-QĐ/TW §1.2
        if years >= 61 and style.residential:
            occupation = "Hưu trí" if random() < 0.6 else "Nông dân"
        elif candidate and years < 23 and random() < 0.5:
            occupation = "Sinh viên"
        else:
            occupation = style.occupation[int(random() * SLOTS)]
        villages = style.villages
        if style.residential:
            village = villages[0] if villages else None
            address = style.addresses[0]
        else:
            village = (
                villages[int(random() * len(villages))] if villages and random() < 0.85 else None
            )
            address = style.addresses[int(random() * len(style.addresses))]
        if candidate and style.empty_village and random() < 0.12:
            village = style.empty_village  # a candidate in a village with no member yet
        hometowns = style.hometowns
        hometown = style.place if random() < 0.7 else hometowns[int(random() * len(hometowns))]
        youth = years <= 30 and random() < 0.75
        sex = MALE if male else FEMALE
        cid = self.citizen_id(style.id_code, year_of(birth), sex)
        search_text, sort_key = name_keys(family, middle, given)
        pid = self.n.new_id("person")
        self.pending.append(
            [
                str(pid),
                family,
                middle,
                given,
                t.iso(birth),
                sex,
                cid,  # encrypted and indexed in ``flush``
                cid,
                ethnicity,
                religions[int(random() * SLOTS)],
                education,
                occupation,
                hometown,
                address,
                f"09{int(random() * 10**8):08d}" if random() < 0.8 else "",
                NO_THEORY if candidate else style.theory[int(random() * SLOTS)],
                OCCUPATION_GROUPS.get(occupation, OTHER_GROUP),
                str(village) if village else N,
                rng.choice(vocab.FAMILY_BACKGROUNDS) if candidate else "",  # ``flush``
                "t" if youth else "f",
                style.trade_union,
                search_text,
                sort_key,
            ]
        )
        return Person(pid, birth, sex, years, youth, search_text, sort_key)

    def flush(self) -> None:
        """Encrypt and index the citizen IDs of the rows made so far, encrypt the family
        backgrounds, then write them. In tight loops the cipher and the HMAC run several
        times faster than interleaved with the rest of the generation (measured: CPU
        caches), and the nonces come from one system call per batch."""
        index, add, rows = self.index, self.table.add, self.pending
        for row, token in zip(rows, crypto.encrypt_many([row[6] for row in rows]), strict=True):
            row[7] = index(row[6])
            row[6] = token
        told = [row for row in rows if row[18]]
        for row, token in zip(told, crypto.encrypt_many([row[18] for row in told]), strict=True):
            row[18] = token
        for row in rows:
            add(row)
        rows.clear()


@dataclass(slots=True)
class Style:
    """A unit's people: settings, profile and places (``PersonMaker.style``)."""

    profile: list[str]  # a Pick's slots, as all the lists of str below but the places
    male_share: float
    ages: tuple[float, float, float]
    office_education: list[str] | None
    highland: bool
    occupation: list[str]
    theory: list[str]
    residential: bool
    villages: list[int]
    empty_village: int | None
    addresses: list[str]
    hometowns: list[str]
    place: str
    trade_union: str
    id_code: str


# Plain strings for the hot loops (choices' members are str subclasses, slower to use).
MALE, FEMALE = str(Sex.MALE.value), str(Sex.FEMALE.value)
LOW_EDUCATION = (str(Education.NONE.value), str(Education.PRIMARY.value))
LOWER_SECONDARY = str(Education.LOWER_SECONDARY.value)
NO_THEORY = str(PoliticalTheory.NONE.value)
OTHER_GROUP = str(OccupationGroup.OTHER.value)
OCCUPATION_GROUPS = {k: str(v.value) for k, v in vocab.OCCUPATION_GROUPS.items()}


def slots(table: Mapping[Any, float]) -> list[Any]:
    """The slots of ``Pick(table)``: ``slots[int(random() * SLOTS)]`` is a weighted draw."""
    return Pick(table).slots


@lru_cache(maxsize=100_000)
def year_of(ordinal: int) -> int:
    return date.fromordinal(ordinal).year


PERSON_COLUMNS = [
    "id",
    "family_name",
    "middle_name",
    "given_name",
    "birth_date",
    "sex",
    "citizen_id",
    "citizen_id_hmac",
    "ethnicity",
    "religion",
    "education_level",
    "occupation",
    "hometown",
    "address",
    "phone",
    "political_theory",
    "occupation_group",
    "village_id",
    "family_background",
    "youth_union_member",
    "trade_union_member",
    "search_text",
    "sort_key",
]
