"""Writes to a person's identity."""

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from dangvien.core.actions import action
from dangvien.core.errors import Conflict, NotEligible
from dangvien.core.text import collation_key, fold, nfc
from dangvien.people.models import (
    EDUCATION_ORDER,
    OccupationGroup,
    Person,
    PoliticalTheory,
    Sex,
)

if TYPE_CHECKING:
    from dangvien.organisations.models import Organisation, Village

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
    political_theory: str = PoliticalTheory.NONE,
    occupation_group: str = "",
    village_id: int | None = None,
    branch: "Organisation | None" = None,
    today: date | None = None,
    allow_existing: bool = False,
) -> Person:
    """A new, unsaved person, checked and normalised (NFC, name parts, keys).

    ``branch`` is the chi bộ the person is attached to: the village they live in must lie
    in its commune (issue 6). ``allow_existing`` skips the duplicate check for a caller
    that refreshes a known person.
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
    _check_statistics_fields(political_theory, occupation_group)
    village = checked_village(village_id, branch=branch)
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
        political_theory=political_theory,
        occupation_group=occupation_group or "",
        village=village,
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
    for name in CHANGEABLE:
        setattr(person, name, getattr(fresh, name))
    person.save()
    return person


# The details that change over a life (the identity, name, birth date and citizen ID, does
# not change this way).
CHANGEABLE = (
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
    "political_theory",
    "occupation_group",
    "village_id",
)


def _check_statistics_fields(political_theory: str, occupation_group: str) -> None:
    """The fields the member statistics group by take their listed values only (DOMAIN.md
    §9: political theory level and occupation; issue 6)."""
    if political_theory not in PoliticalTheory.values:
        raise NotEligible("Trình độ lý luận chính trị không hợp lệ.", field="political_theory")
    if occupation_group and occupation_group not in OccupationGroup.values:
        raise NotEligible("Nhóm nghề nghiệp không hợp lệ.", field="occupation_group")


def checked_village(
    village_id: "int | Village | None",
    *,
    branch: "Organisation | None",
    current: int | None = None,
) -> "Village | None":
    """The village (thôn, tổ dân phố) a person lives in, checked (issue 6).

    It must exist and be open (a closed one stays only on the people who already had it:
    ``current``), and lie in the commune above ``branch``, the chi bộ the person is attached
    to: the commune's path is a prefix of the branch's.
    """
    from dangvien.organisations.models import Village

    if village_id is None or village_id == "":
        return None
    pk = village_id.pk if isinstance(village_id, Village) else village_id
    village = Village.objects.filter(pk=pk).first()
    if village is None:
        raise NotEligible("Không tìm thấy thôn, tổ dân phố này.", field="village_id")
    if not village.active and village.pk != current:
        raise NotEligible(
            f"Thôn, tổ dân phố “{village.name}” đã đóng, không chọn được nữa.",
            field="village_id",
        )
    if branch is not None and not branch.path.startswith(village.org_path):
        raise NotEligible(
            f"Thôn, tổ dân phố “{village.name}” không thuộc địa bàn xã, phường của {branch.name}.",
            field="village_id",
        )
    return village


def person_branch(person: Person) -> "Organisation | None":
    """The chi bộ a person is attached to now: their member record's branch, else their
    latest candidacy's; None for someone with neither."""
    from dangvien.candidates.models import Candidate
    from dangvien.members.models import Member

    member = Member.objects.filter(person=person).select_related("branch").first()
    if member is not None:
        return member.branch
    candidacy = (
        Candidate.objects.filter(person=person)
        .select_related("branch")
        .order_by("-listed_on", "-pk")
        .first()
    )
    return candidacy.branch if candidacy is not None else None


@action
def edit_person(person: Person, *, by: Any, **changes: Any) -> Person:
    """Bring a person's changeable details up to date: the facts the member statistics
    count (political theory level, occupation group, village; DOMAIN.md §9, issue 6) and
    the other details that change over a life. Name, birth date and citizen ID are the
    identity and do not change here.

    Only the given fields change. The village must lie in the commune of the chi bộ the
    person is attached to (``person_branch``).
    """
    unknown = set(changes) - set(CHANGEABLE)
    if unknown:
        raise TypeError(f"edit_person cannot change {sorted(unknown)}")
    row = Person.objects.select_for_update(of=("self",)).get(pk=person.pk)
    values = {name: getattr(row, name) for name in CHANGEABLE} | changes
    if values["sex"] not in Sex.values:
        raise NotEligible("Giới tính không hợp lệ.", field="sex")
    if values["education_level"] not in EDUCATION_ORDER:
        raise NotEligible("Trình độ học vấn không hợp lệ.", field="education_level")
    _check_statistics_fields(values["political_theory"], values["occupation_group"] or "")
    if "village_id" in changes:
        village = checked_village(
            changes["village_id"], branch=person_branch(row), current=row.village_id
        )
        values["village_id"] = village.pk if village is not None else None
    for name in ("ethnicity", "religion", "occupation", "hometown", "address"):
        values[name] = nfc(values[name] or "")
    values["ethnicity"] = values["ethnicity"] or "Kinh"
    values["religion"] = values["religion"] or "Không"
    values["phone"] = (values["phone"] or "").strip()
    values["occupation_group"] = values["occupation_group"] or ""
    for name, value in values.items():
        setattr(row, name, value)
    _check_lengths(row)
    row.save(update_fields=[name.removesuffix("_id") for name in CHANGEABLE])
    person.refresh_from_db()
    return person


def create_person(**fields: Any) -> Person:
    """Check and save a new person. Called inside the caller's action transaction."""
    person = build_person(**fields)
    person.save()
    return person
