"""Person rows: what ``people.actions.build_person`` would store. The name parts, with
``derived_keys`` (search text and Vietnamese sort key) computed by that very function; the
citizen ID encrypted with ``core.crypto.encrypt`` and indexed with ``blind_index(value,
purpose="citizen_id")`` (issue 9); draws as the demo's (``core/demo.py``: ``Demo.person``).
"""

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from dangvien.core import crypto
from dangvien.people.actions import derived_keys
from dangvien.people.models import Education, OccupationGroup, PoliticalTheory, Sex
from dangvien.synth import vocab
from dangvien.synth.vocab import Pick

if TYPE_CHECKING:
    from dangvien.synth.nation import Generator
    from dangvien.synth.tree import Node, Province

DAYS_A_YEAR = 365.25
N = "\\N"
ADDRESS_WORDS = ["thôn Đông", "thôn Trung", "tổ dân phố số 2", "khu phố Mới", "thôn Bắc"]


class _Name:
    """Enough of a Person for ``people.actions.derived_keys``."""

    __slots__ = ("family_name", "given_name", "middle_name", "search_text", "sort_key")

    def __init__(self, family: str, middle: str, given: str) -> None:
        self.family_name, self.middle_name, self.given_name = family, middle, given
        self.search_text = self.sort_key = ""

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.family_name, self.middle_name, self.given_name) if p)


@lru_cache(maxsize=500_000)
def name_keys(family: str, middle: str, given: str) -> tuple[str, str]:
    """(search_text, sort_key) as ``derived_keys`` computes them; names repeat, so cached."""
    stub = _Name(family, middle, given)
    derived_keys(stub)  # type: ignore[arg-type]
    return stub.search_text, stub.sort_key


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
    """Writes person rows. Draws follow the demo's (``core/demo.py``: ``Demo.person``)."""

    def __init__(self, nation: "Generator") -> None:
        self.n = nation
        self.rng = nation.rng
        self.table = nation.tables["person"]
        self.profiles = {name: Pick(mix) for name, mix in vocab.PROFILES.items()}
        self.ethnic = {
            name: (
                Pick(e.families),
                Pick(e.male_middle),
                Pick(e.female_middle),
                e.male_given,
                e.female_given,
                Pick(e.religions),
            )
            for name, e in vocab.ETHNICITIES.items()
        }
        self.extra_middle = {True: Pick(vocab.MALE_MIDDLE), False: Pick(vocab.FEMALE_MIDDLE)}
        self.education = {k: Pick(v) for k, v in vocab.EDUCATION_MIX.items()}
        self.old_education, self.young_education = self.education["old"], self.education["young"]
        self._styles: dict[int, Style] = {}
        self.pending: list[list[str]] = []
        self.seal, self.index = citizen_id_sealer()
        self.occupations = {k: Pick(v) for k, v in vocab.OCCUPATIONS.items()}
        self.theory = {k: Pick(v) for k, v in vocab.THEORY_MIX.items()}
        self.serials: dict[str, int] = {}
        self.other_codes = [code for _n, code, _t, _c in vocab.PROVINCES]

    def citizen_id(self, home_code: str, birth_year: int, sex: str) -> str:
        """Province code of birth registration, century-and-sex digit, year of birth, six
        digits (Thông tư 07/2016/TT-BCA Điều 7). The six digits walk a permutation of
        000000–999999 per prefix, so no two people share an ID."""
        rng = self.rng
        code = home_code if rng.random() < 0.88 else rng.choice(self.other_codes)
        digit = (0 if birth_year < 2000 else 2) + (1 if sex == Sex.FEMALE else 0)
        prefix = f"{code}{digit}{birth_year % 100:02d}"
        k = self.serials.get(prefix, 0)
        self.serials[prefix] = k + 1
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
        style = self.style(unit, province)
        ethnicity = style.profile(random)
        families, male_middle, female_middle, male_given, female_given, religions = self.ethnic[
            ethnicity
        ]
        male = random() < style.male_share
        if birth is None:
            years = rng.triangular(*(age or style.ages))
            birth = t.today_n - int(years * DAYS_A_YEAR) - int(random() * 365)
        years = (t.today_n - birth) / DAYS_A_YEAR
        family = families(random)
        givens = male_given if male else female_given
        middle = (male_middle if male else female_middle)(random)
        given = givens[int(random() * len(givens))]
        if ethnicity == "Kinh" and random() < 0.12:
            extra = self.extra_middle[male](random)
            if extra != middle and extra not in ("Văn", "Thị"):
                middle = f"{middle} {extra}"
        if given == middle.rsplit(" ", 1)[-1]:
            given = givens[int(random() * len(givens))]
        if style.office_education is not None:
            education = style.office_education(random)
        elif style.highland and ethnicity != "Kinh":
            education = self.education["highland"](random)
        else:
            education = (self.old_education if years >= 60 else self.young_education)(random)
        if candidate and education in LOW_EDUCATION:
            education = LOWER_SECONDARY  # 294-QĐ/TW §1.2
        if years >= 61 and style.residential:
            occupation = "Hưu trí" if random() < 0.6 else "Nông dân"
        elif candidate and years < 23 and random() < 0.5:
            occupation = "Sinh viên"
        else:
            occupation = style.occupation(random)
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
        cid = self.citizen_id(style.id_code, _year(birth), sex)
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
                religions(random),
                education,
                occupation,
                hometown,
                address,
                f"09{int(random() * 10**8):08d}" if random() < 0.8 else "",
                NO_THEORY if candidate else style.theory(random),
                OCCUPATION_GROUPS.get(occupation, OTHER_GROUP),
                str(village) if village else N,
                encrypt(rng.choice(vocab.FAMILY_BACKGROUNDS)) if candidate else "",
                "t" if youth else "f",
                style.trade_union,
                search_text,
                sort_key,
            ]
        )
        return Person(pid, birth, sex, years, youth, search_text, sort_key)

    def flush(self) -> None:
        """Encrypt and index the citizen IDs of the rows made so far, then write them. In
        one tight loop the cipher and the HMAC run several times faster than interleaved
        with the rest of the generation (measured: CPU caches)."""
        seal, index, add = self.seal, self.index, self.table.add
        for row in self.pending:
            cid = row[6]
            row[6] = seal(cid)
            row[7] = index(cid)
            add(row)
        self.pending.clear()


@dataclass(slots=True)
class Style:
    """A unit's people: settings, profile and places (``PersonMaker.style``)."""

    profile: Pick
    male_share: float
    ages: tuple[float, float, float]
    office_education: Pick | None
    highland: bool
    occupation: Pick
    theory: Pick
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
encrypt = crypto.encrypt


def citizen_id_sealer() -> tuple[Callable[[str], str], Callable[[str], str]]:
    """``crypto.encrypt`` and ``crypto.blind_index(…, purpose="citizen_id")`` for millions
    of values. The index reuses one keyed HMAC state (``copy()``), which skips OpenSSL's
    per-call key set-up: 1.5 µs instead of 2.5 µs a value, same digest (the tests look
    people up through ``Person.objects.filter(citizen_id=…)``). The cipher is
    ``crypto.encrypt`` itself, so tokens are the contract's."""
    state = hmac.new(crypto._purpose_key("citizen_id"), digestmod=hashlib.sha256)

    def index(value: str) -> str:
        digest = state.copy()
        digest.update(value.encode())
        return digest.hexdigest()

    return crypto.encrypt, index


@lru_cache(maxsize=100_000)
def _year(ordinal: int) -> int:
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
