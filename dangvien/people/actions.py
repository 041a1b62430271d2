"""Writes to a person's identity."""

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import connection, transaction
from django.db.models import TextField
from django.db.models.functions import Cast

from dangvien.core import crypto
from dangvien.core.actions import action
from dangvien.core.errors import Conflict, NotEligible
from dangvien.core.fields import EncryptedTextField
from dangvien.core.text import collation_key, fold, nfc, nfc_lines
from dangvien.people import queries
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
    """Fill the search and sort keys from the name parts. The citizen ID is not in the
    search text: it is encrypted at rest and found through its keyed index instead
    (``people.queries.search_filter``; issue 9)."""
    person.search_text = fold(person.full_name)
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
    family_background: str = "",
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
    if not allow_existing and queries.by_citizen_id(citizen_id).exists():
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
        family_background=_background(family_background),
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
        if name == "family_background" and not fresh.family_background:
            continue  # not asked again when listing someone known: keep what was declared
        setattr(person, name, getattr(fresh, name))
    person.save()
    return person


# Family background is free text from the lý lịch (2-KNĐ, mục hoàn cảnh gia đình); a cap
# keeps a pasted document out of one field (a technical limit, not a rule).
FAMILY_BACKGROUND_MAX = 5000


def _background(text: str | None) -> str:
    """Family background as typed: NFC, line breaks kept (``nfc_lines``), length capped."""
    value = nfc_lines(text or "")
    if len(value) > FAMILY_BACKGROUND_MAX:
        raise NotEligible(
            f"Hoàn cảnh, lịch sử gia đình quá dài (tối đa {FAMILY_BACKGROUND_MAX} ký tự).",
            field="family_background",
        )
    return value


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
    "family_background",
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
    values["family_background"] = _background(values["family_background"])
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


# ---- key rotation (issue 9) ------------------------------------------------------------


@dataclass
class RotationCount:
    """What ``rotate_field_keys`` did to one encrypted column."""

    label: str  # "people.Person.citizen_id"
    rows: int = 0  # rows read
    reencrypted: int = 0  # tokens rewritten under the current key
    reindexed: int = 0  # blind indexes written again
    skipped: int = 0  # rows changed by someone else meanwhile (left as they are)


def encrypted_columns() -> dict[Any, list[EncryptedTextField]]:
    """Every encrypted column of the project, by model."""
    found: dict[Any, list[EncryptedTextField]] = {}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                found.setdefault(model, []).append(field)
    return found


def rotate_field_keys(
    *, reindex: bool = False, dry_run: bool = False, batch: int = 1000
) -> list[RotationCount]:
    """Rewrite every encrypted value not made with the current key (the first of
    ``FIELD_ENCRYPTION_KEYS``) under it; with ``reindex``, write every blind index again
    (after ``BLIND_INDEX_KEY`` changed). Key rotation as OWASP ASVS 5.0 V11.2 and NIST SP
    800-57 expect; the old keys stay configured until this has run.

    Per model, batches of ``batch`` rows in primary-key order, each in its own transaction,
    so it can run on a live system, be interrupted and run again; one UPDATE per changed
    row for all its encrypted columns. A row is rewritten only if it still holds the tokens
    read (``WHERE col = old token``): a user's save in between wins (it wrote tokens under
    the current key already). The writes go through the audit trail like any other
    (ciphertext only). ``dry_run`` counts what would change.
    """
    primary = crypto.primary_key_id()
    counts: list[RotationCount] = []
    for model, fields in encrypted_columns().items():
        indexes = [field.index_field() if reindex else None for field in fields]
        tally = [RotationCount(f"{model._meta.label}.{field.name}") for field in fields]
        counts.extend(tally)
        raw = {
            f"_raw{n}": Cast(field.name, output_field=TextField()) for n, field in enumerate(fields)
        }
        last = None
        while True:
            rows = model._base_manager.order_by("pk")
            if last is not None:
                rows = rows.filter(pk__gt=last)
            chunk = list(rows.annotate(**raw).values_list("pk", *raw)[:batch])
            if not chunk:
                break
            last = chunk[-1][0]
            writes: list[tuple[Any, ...]] = []
            for pk, *tokens in chunk:
                new_values: list[Any] = []
                changed = False
                for n, token in enumerate(tokens):
                    tally[n].rows += 1
                    stale = bool(token) and crypto.key_id_of(token) != primary
                    index = indexes[n]
                    plain = crypto.decrypt(token) if (stale or index is not None) and token else ""
                    new_values.append(crypto.encrypt(plain) if stale else token)
                    tally[n].reencrypted += stale
                    changed = changed or stale
                    if index is not None:
                        new_values.append(index.index_of(plain if token else ""))
                        tally[n].reindexed += 1
                        changed = True
                if changed:
                    writes.append((*new_values, pk, *tokens))
            if writes and not dry_run:
                skipped = _write_tokens(model, fields, indexes, writes)
                for count in tally:
                    count.skipped += skipped
    return counts


def _write_tokens(
    model: Any,
    fields: list[EncryptedTextField],
    indexes: list[Any],
    writes: list[tuple[Any, ...]],
) -> int:
    """One batch of rewritten rows, one transaction; answers how many rows were left as
    they are because someone changed them after they were read."""
    qn = connection.ops.quote_name
    sets = []
    for field, index in zip(fields, indexes, strict=True):
        sets.append(f"{qn(field.column)} = %s")
        if index is not None:
            sets.append(f"{qn(index.column)} = %s")
    same = " AND ".join(f"{qn(field.column)} = %s" for field in fields)
    sql = (
        f"UPDATE {qn(model._meta.db_table)} SET {', '.join(sets)} "
        f"WHERE {qn(model._meta.pk.column)} = %s AND {same}"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, writes)
        written = cursor.rowcount
    return len(writes) - written if written >= 0 else 0
