"""What an import file would do: every row checked, and the writes it implies.

The dry run and the commit share this code: the dry run stores the problems it finds, the
commit plans again inside its transaction (the data may have changed since the dry run)
and writes only when there is no problem at all.

Bulk by design (issue 8: 100,000 rows in under 2 minutes): the branches of the chosen
node are read once, the people already known are read by citizen ID in chunks, and the
writes are ``bulk_create``/``bulk_update`` in batches; no query per row.

Rules checked on each row (the row number is the spreadsheet's, the header is row 1):
- the cells: dates dd/mm/yyyy, choices by their label, citizen ID of 12 digits, name of at
  least two words (``people.actions.build_person``);
- the chi bộ: a code or exact name of a chi bộ inside the chosen node ("ngoài phạm vi"
  when it exists elsewhere);
- a citizen ID at most once in the file (both rows named);
- age: a member was at least ``admission.min_age_months`` old on the admission decision
  (Điều lệ Đảng Điều 4; 294-QĐ/TW §1.1 [C]); a candidate is at least that old on the day
  listed [U: the Charter fixes the age at the chi bộ vote; offices list from that age];
- dates not in the future, and in order (admission ≤ ceremony ≤ official);
- the person already known: same identity (name and birth date) or refused, so a mistyped
  citizen ID cannot take over another record (as ``people.actions.refresh_person``); a
  person already a member cannot be listed as a candidate; a member or candidate followed
  by another chi bộ is refused (a transfer is a move of its own); a member's recorded
  facts (status, dates) are not rewritten by an import: a difference is a row problem.

Idempotent by citizen ID: a row whose person and record hold the same data changes
nothing ("không đổi"); a row that differs only in the person's changeable details updates
them ("sửa"). Empty optional cells never blank out what is recorded.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.utils import timezone

from dangvien.candidates.models import ACTIVE, Candidate
from dangvien.core.dates import full_months_between
from dangvien.core.errors import DomainError
from dangvien.core.models import RuleParameter
from dangvien.core.rules import DEFAULTS
from dangvien.core.text import fold
from dangvien.imports import fields as f
from dangvien.imports.models import ImportJob, ImportKind
from dangvien.imports.reading import data_rows
from dangvien.members.models import Member, Status
from dangvien.organisations.models import MEMBER_HOLDING, Organisation
from dangvien.people.actions import build_person
from dangvien.people.models import Person
from dangvien.people.queries import people_by_citizen_id
from dangvien.rowsecurity.scope import unrestricted

CHUNK = 2000
Progress = Callable[[int, int], None]

# Person details an import may change on a known person (the identity, name, birth date
# and citizen ID, never changes this way): people.actions.CHANGEABLE minus what the files
# do not carry.
PERSON_DETAILS = (
    "sex",
    "ethnicity",
    "religion",
    "education_level",
    "political_theory",
    "occupation",
    "hometown",
    "address",
    "phone",
    "youth_union_member",
    "trade_union_member",
)
DEFAULT_BLANK = {"ethnicity": "Kinh", "religion": "Không", "political_theory": "none"}
PERSON_ARGS = {
    "full_name",
    "birth_date",
    "sex",
    "citizen_id",
    "education_level",
    "ethnicity",
    "religion",
    "occupation",
    "hometown",
    "address",
    "phone",
    "political_theory",
    "youth_union_member",
    "trade_union_member",
}


@dataclass
class Problem:
    row: int
    column: str
    message: str


@dataclass
class PersonRow:
    """A checked row of a members or candidates file and what it will write."""

    row: int
    values: dict[str, Any]  # parsed cells, only the mapped and non-empty ones
    person: Person  # new (unsaved) or the known one, with the file's details applied
    branch: Organisation
    new_person: bool = True
    changed: list[str] = field(default_factory=list)  # person details that differ
    member: Member | None = None  # members: the known record (None: a new one)
    card_to_fill: str = ""  # members: a card number to record where none was
    candidate: Candidate | None = None  # candidates: the open candidacy in this branch


@dataclass
class OrgRow:
    row: int
    code: str
    name: str
    kind: str
    parent_code: str
    sector: str | None
    committee_size: int | None
    existing: Organisation | None = None
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass
class Plan:
    total: int = 0
    problems: list[Problem] = field(default_factory=list)
    people: list[PersonRow] = field(default_factory=list)
    organisations: list[OrgRow] = field(default_factory=list)
    added: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def error_rows(self) -> int:
        return len({p.row for p in self.problems})


# ---- reading the mapped cells ---------------------------------------------------------


def mapped_rows(job: ImportJob, path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, {field: cell text}) for the mapped columns of every data row."""
    keys = [(i, key) for i, key in enumerate(job.mapping) if key]
    for number, cells in data_rows(path, job.file_format):
        yield number, {key: (cells[i] if i < len(cells) else "") for i, key in keys}


class RuleCache:
    """``core.rules.rule`` for many rows: the versions of a key read once, then the same
    precedence (the most specific organisation first, then the latest date)."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.versions = list(
            RuleParameter.objects.filter(key=key).values_list(
                "organisation_id", "organisation__depth", "effective_from", "value"
            )
        )
        self.memo: dict[tuple[int, date], Any] = {}

    def value(self, on: date, organisation: Organisation) -> Any:
        memo_key = (organisation.pk, on)
        if memo_key not in self.memo:
            ancestors = set(organisation.ancestor_ids(include_self=True))
            best = None
            for org_id, depth, since, value in self.versions:
                if since > on or (org_id is not None and org_id not in ancestors):
                    continue
                rank = (depth if org_id is not None else -1, since)
                if best is None or rank > best[0]:
                    best = (rank, value)
            self.memo[memo_key] = DEFAULTS[self.key].on(on) if best is None else best[1]
        return self.memo[memo_key]


def _labels(kind: str) -> dict[str, str]:
    return {c.key: c.label for c in f.columns_for(kind)}


# ---- branches --------------------------------------------------------------------------


class Branches:
    """The chi bộ a row names, by code or exact name (case and diacritics as typed,
    compared ``fold``ed), inside the chosen node."""

    def __init__(self, node: Organisation) -> None:
        self.node = node
        self.by_code: dict[str, list[Organisation]] = defaultdict(list)
        self.by_name: dict[str, list[Organisation]] = defaultdict(list)
        rows = Organisation.objects.filter(
            path__startswith=node.path, kind__in=list(MEMBER_HOLDING)
        ).only("id", "name", "code", "kind", "path", "depth", "parent_id")
        for org in rows:
            if org.code:
                self.by_code[fold(org.code)].append(org)
            self.by_name[fold(org.name)].append(org)
        self.memo: dict[str, Organisation | str] = {}

    def find(self, text: str) -> Organisation | str:
        """The branch, or the problem (Vietnamese) when there is none or several."""
        key = fold(text)
        if key not in self.memo:
            self.memo[key] = self._find(text, key)
        return self.memo[key]

    def _find(self, text: str, key: str) -> Organisation | str:
        found = self.by_code.get(key) or self.by_name.get(key) or []
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            return f"có {len(found)} chi bộ cùng tên “{text}”; ghi mã tổ chức thay cho tên."
        elsewhere = Organisation.objects.filter(code__iexact=text) | Organisation.objects.filter(
            name__iexact=text
        )
        for org in elsewhere[:5]:
            if not org.path.startswith(self.node.path):
                return f"“{text}” ngoài phạm vi {self.node.name}."
            if org.kind not in MEMBER_HOLDING:
                return f"“{text}” không phải là chi bộ."
        return f"không tìm thấy chi bộ “{text}” trong {self.node.name}."


# ---- members and candidates -------------------------------------------------------------


def _parse_person_row(
    kind: str, number: int, cells: dict[str, str], labels: dict[str, str], problems: list[Problem]
) -> dict[str, Any]:
    """The row's cells as values; a problem per bad cell. Empty cells are left out."""
    parsers: dict[str, Callable[[str], Any]] = {
        "birth_date": f.parse_date,
        "listed_on": f.parse_date,
        "admitted_on": f.parse_date,
        "probation_started_on": f.parse_date,
        "official_on": f.parse_date,
        "sex": f.parse_sex,
        "education_level": f.parse_education,
        "political_theory": f.parse_theory,
        "status": f.parse_status,
        "youth_union_member": f.parse_bool,
        "trade_union_member": f.parse_bool,
        "citizen_id": f.parse_citizen_id,
    }
    values: dict[str, Any] = {}
    for key, text in cells.items():
        if not text:
            continue
        parse = parsers.get(key)
        try:
            values[key] = parse(text) if parse else text
        except f.BadValue as error:
            problems.append(Problem(number, labels[key], str(error)))
    for column in f.columns_for(kind):
        if column.required and not cells.get(column.key):
            problems.append(Problem(number, column.label, "chưa ghi (bắt buộc)."))
    return values


def _known_people(citizen_ids: Iterable[str]) -> dict[str, Person]:
    """The people already known, by citizen ID, in the WHOLE country: looked up through the
    keyed index, outside the job user's row-level security scope on purpose
    (``rowsecurity.scope.unrestricted``, docs/row-level-security.md).

    A citizen ID names one person nationally (Luật Căn cước 2023 Điều 12: one personal
    identification number per citizen, never repeated [U: article number]; the unique
    ``Person.citizen_id_hmac``): a person known elsewhere must be refused as outside the
    job's node (``OUTSIDE_PERSON``, which names nobody), not look new and then hit the
    unique index when the commit writes. Under the job user's scope the database would
    hide them (issue 9)."""
    with unrestricted():
        return people_by_citizen_id(citizen_ids)


def _records_of(model: Any, person_ids: list[int], **filters: Any) -> dict[int, Any]:
    """The member (or candidate) rows of the known people, wherever they are in the
    country, outside the job user's row-level security scope on purpose
    (``unrestricted()``): a person has one member record (``Member.person`` is one-to-one)
    and one open candidacy at a time, and a member cannot be listed as a candidate
    (``candidates.actions.nominate_candidate``; Điều lệ Đảng Điều 4). A record outside the
    job's node makes the row ``OUTSIDE_PERSON`` (``_outside_people``), and nothing of it is
    printed; in the node, the row is checked against it. Under the scope a member
    elsewhere would be hidden and the person taken for a new candidate (issue 9)."""
    found: dict[int, Any] = {}
    with unrestricted():
        for start in range(0, len(person_ids), CHUNK):
            rows = model.objects.filter(person_id__in=person_ids[start : start + CHUNK], **filters)
            for row in rows.select_related("branch"):
                found[row.person_id] = row
    return found


OUTSIDE_PERSON = (
    "số CCCD đã có trong hệ thống ở đơn vị ngoài phạm vi nhập; liên hệ cấp trên để chuyển "
    "sinh hoạt / kiểm tra."
)
CARD_USED = "số thẻ đảng viên đã được dùng."


def _outside_people(
    node_path: str,
    ids: list[int],
    members: dict[int, Member],
    candidacies: dict[int, Candidate],
) -> set[int]:
    """The known people the importer may not hear about: their member record, else their
    active candidacy, else every record they have (none at all counts as outside) lies
    outside the job's node. Nothing about them (name, birth date, chi bộ) may be printed."""
    outside: set[int] = set()
    rest: list[int] = []
    for pk in ids:
        record = members.get(pk) or candidacies.get(pk)
        if record is None:
            rest.append(pk)
        elif not record.org_path.startswith(node_path):
            outside.add(pk)
    inside: set[int] = set()
    for start in range(0, len(rest), CHUNK):
        inside.update(
            Candidate.objects.filter(
                person_id__in=rest[start : start + CHUNK], org_path__startswith=node_path
            ).values_list("person_id", flat=True)
        )
    outside.update(pk for pk in rest if pk not in inside)
    return outside


def _identity_problem(known: Person, fresh: Person) -> str:
    if (fresh.full_name, fresh.birth_date) == (known.full_name, known.birth_date):
        return ""
    return (
        f"số CCCD {known.citizen_id} đã thuộc về {known.full_name}, sinh ngày "
        f"{known.birth_date:%d/%m/%Y}; kiểm tra lại số CCCD, họ tên và ngày sinh."
    )


def _apply_details(known: Person, fresh: Person, given: set[str]) -> list[str]:
    """Copy the details the file gives (non-empty cells) onto ``known``; which changed."""
    changed = []
    for name in PERSON_DETAILS:
        if name in given and getattr(known, name) != getattr(fresh, name):
            setattr(known, name, getattr(fresh, name))
            changed.append(name)
    return changed


def _person_args(values: dict[str, Any]) -> dict[str, Any]:
    args = {k: v for k, v in values.items() if k in PERSON_ARGS}
    args.setdefault("education_level", "")
    args.setdefault("sex", "")
    return args


# The cells a person cannot be built without (reported as missing when empty).
IDENTITY = ("full_name", "birth_date", "sex", "citizen_id", "education_level")


def _member_problems(
    number: int,
    values: dict[str, Any],
    person: Person,
    branch: Organisation,
    labels: dict[str, str],
    min_age: RuleCache,
    today: date,
) -> list[Problem]:
    """Dates of a member row: not in the future, in order, age at admission (Điều lệ Đảng
    Điều 4; 294-QĐ/TW §1.1), the date each status needs."""
    problems = []
    status = values.get("status")
    admitted = values.get("admitted_on")
    ceremony = values.get("probation_started_on")
    official = values.get("official_on")
    for key in ("admitted_on", "probation_started_on", "official_on"):
        day = values.get(key)
        if day is not None and day > today:
            problems.append(
                Problem(number, labels[key], f"{day:%d/%m/%Y} là ngày trong tương lai.")
            )
    if status == Status.PROBATIONARY and ceremony is None:
        problems.append(
            Problem(
                number,
                labels["probation_started_on"],
                "đảng viên dự bị phải có ngày lễ kết nạp (thời gian dự bị tính từ ngày này).",
            )
        )
    if status == Status.PROBATIONARY and official is not None:
        problems.append(
            Problem(number, labels["official_on"], "đảng viên dự bị chưa có ngày chính thức.")
        )
    if status == Status.OFFICIAL and official is None:
        problems.append(
            Problem(number, labels["official_on"], "đảng viên chính thức phải có ngày chính thức.")
        )
    if admitted and ceremony and ceremony < admitted:
        problems.append(
            Problem(number, labels["probation_started_on"], "ngày lễ kết nạp trước ngày kết nạp.")
        )
    if official and (ceremony or admitted) and official < (ceremony or admitted):
        problems.append(
            Problem(
                number,
                labels["official_on"],
                "ngày chính thức trước ngày " + ("lễ kết nạp." if ceremony else "kết nạp."),
            )
        )
    if admitted:
        months = min_age.value(admitted, branch)
        if person.birth_date and full_months_between(person.birth_date, admitted) < months:
            problems.append(
                Problem(
                    number,
                    labels["admitted_on"],
                    f"chưa đủ {_age(months)} tuổi vào ngày kết nạp {admitted:%d/%m/%Y} "
                    "(Điều lệ Đảng Điều 4).",
                )
            )
    return problems


def _age(months: int) -> str:
    return str(months // 12) if months % 12 == 0 else f"{months // 12} năm {months % 12} tháng"


def _member_same(member: Member, values: dict[str, Any]) -> list[str]:
    """The recorded member facts the row contradicts (labels)."""
    differs = []
    for key, label in (
        ("status", "trạng thái"),
        ("admitted_on", "ngày kết nạp"),
        ("probation_started_on", "ngày lễ kết nạp"),
        ("official_on", "ngày chính thức"),
    ):
        if key in values and getattr(member, key) != values[key]:
            differs.append(label)
    card = values.get("card_number", "")
    if card and member.card_number and card != member.card_number:
        differs.append("số thẻ đảng viên")
    return differs


def plan_people(job: ImportJob, rows: list[tuple[int, dict[str, str]]], progress: Progress) -> Plan:
    """Check every row of a members or candidates file; the writes it implies."""
    kind = job.kind
    labels = _labels(kind)
    today = timezone.localdate()
    plan = Plan()
    branches = Branches(job.organisation)
    min_age = RuleCache("admission.min_age_months")
    parsed: list[tuple[int, dict[str, Any], Person, Organisation]] = []
    first_row: dict[str, list[int]] = defaultdict(list)
    card_rows: dict[str, list[int]] = defaultdict(list)

    plan.total = len(rows)
    for done, (number, cells) in enumerate(rows, start=1):
        if done % 1000 == 0:
            progress(done, plan.total * 2)
        row_problems: list[Problem] = []
        values = _parse_person_row(kind, number, cells, labels, row_problems)
        branch: Organisation | None = None
        if cells.get("branch"):
            found = branches.find(cells["branch"])
            if isinstance(found, str):
                row_problems.append(Problem(number, labels["branch"], found))
            else:
                branch = found
        person: Person | None = None
        if all(values.get(k) for k in IDENTITY):
            try:
                person = build_person(
                    **_person_args(values), branch=None, today=today, allow_existing=True
                )
            except DomainError as error:
                column = labels.get(error.field or "", "")
                row_problems.append(Problem(number, column, _lower(str(error))))
        if person is not None and branch is not None:
            if kind == ImportKind.MEMBERS:
                row_problems += _member_problems(
                    number, values, person, branch, labels, min_age, today
                )
            else:
                row_problems += _candidate_problems(
                    number, values, person, branch, labels, min_age, today
                )
        if values.get("citizen_id"):
            first_row[values["citizen_id"]].append(number)
        if values.get("card_number"):
            card_rows[values["card_number"]].append(number)
        plan.problems += row_problems
        if not row_problems and person is not None and branch is not None:
            parsed.append((number, values, person, branch))

    for citizen_id, numbers in first_row.items():
        if len(numbers) > 1:
            for number in numbers:
                others = ", ".join(str(n) for n in numbers if n != number)
                plan.problems.append(
                    Problem(
                        number,
                        labels["citizen_id"],
                        f"số CCCD {citizen_id} trùng với dòng {others}.",
                    )
                )
    for card, numbers in card_rows.items():
        if len(numbers) > 1:
            for number in numbers:
                others = ", ".join(str(n) for n in numbers if n != number)
                plan.problems.append(
                    Problem(
                        number, labels["card_number"], f"số thẻ {card} trùng với dòng {others}."
                    )
                )

    known = _known_people(p.citizen_id for _n, _v, p, _b in parsed)
    ids = [p.pk for p in known.values()]
    members = _records_of(Member, ids)
    candidacies = _records_of(Candidate, ids, stage__in=ACTIVE)
    outside = _outside_people(job.org_path, ids, members, candidacies)
    cards = _cards_taken(card_rows, job.org_path) if kind == ImportKind.MEMBERS else {}
    bad_rows = {p.row for p in plan.problems}
    for done, (number, values, fresh, branch) in enumerate(parsed, start=1):
        if done % 1000 == 0:
            progress(plan.total + done, plan.total * 2)
        if number in bad_rows:
            continue
        person = known.get(fresh.citizen_id)
        item = PersonRow(number, values, fresh, branch)
        problem = ""
        if person is not None and person.pk in outside:
            problem = OUTSIDE_PERSON
        elif person is not None:
            problem = _identity_problem(person, fresh)
            item.person, item.new_person = person, False
            if not problem:
                item.changed = _apply_details(person, fresh, set(values))
        if not problem and kind == ImportKind.MEMBERS:
            problem = _member_row(item, members, candidacies, cards)
        elif not problem:
            problem = _candidate_row(item, members, candidacies)
        if problem:
            column = labels["branch"] if problem.startswith("đang") else labels["citizen_id"]
            if problem == CARD_USED:
                column = labels["card_number"]
            plan.problems.append(Problem(number, column, problem))
            continue
        plan.people.append(item)
        record = item.member if kind == ImportKind.MEMBERS else item.candidate
        if item.new_person or record is None:
            plan.added += 1
        elif item.changed or item.card_to_fill:
            plan.updated += 1
        else:
            plan.unchanged += 1
    progress(plan.total * 2, plan.total * 2)
    plan.problems.sort(key=lambda p: p.row)
    return plan


def _lower(message: str) -> str:
    return message[:1].lower() + message[1:]


def _candidate_problems(
    number: int,
    values: dict[str, Any],
    person: Person,
    branch: Organisation,
    labels: dict[str, str],
    min_age: RuleCache,
    today: date,
) -> list[Problem]:
    listed = values.get("listed_on") or today
    if listed > today:
        return [Problem(number, labels["listed_on"], f"{listed:%d/%m/%Y} là ngày trong tương lai.")]
    months = min_age.value(listed, branch)
    if full_months_between(person.birth_date, listed) < months:
        return [
            Problem(
                number,
                labels["birth_date"],
                f"chưa đủ {_age(months)} tuổi vào ngày đưa vào nguồn {listed:%d/%m/%Y} "
                "(Điều lệ Đảng Điều 4).",
            )
        ]
    return []


def _cards_taken(card_rows: dict[str, list[int]], node_path: str) -> dict[str, tuple[int, bool]]:
    """Card number → the person holding it already, and whether that member lies inside
    the job's node (outside, the card is only said to be taken: ``CARD_USED`` names nobody).

    Looked up in the WHOLE country, outside the job user's row-level security scope on
    purpose (``rowsecurity.scope.unrestricted``): a membership card number is issued to one
    member only (29/24-QĐ/TW §6.1; Chỉ thị 51-CT/TW; the unique ``member_card_unique``),
    so a number held by a member elsewhere must be refused here rather than hidden by the
    scope and then refused by the unique index at commit (issue 9)."""
    taken: dict[str, tuple[int, bool]] = {}
    numbers = list(card_rows)
    with unrestricted():
        for start in range(0, len(numbers), CHUNK):
            rows = Member.objects.filter(card_number__in=numbers[start : start + CHUNK])
            for card, person_id, path in rows.values_list("card_number", "person_id", "org_path"):
                taken[card] = (person_id, path.startswith(node_path))
    return taken


def _member_row(
    item: PersonRow,
    members: dict[int, Member],
    candidacies: dict[int, Candidate],
    cards: dict[str, tuple[int, bool]],
) -> str:
    values, person = item.values, item.person
    card = values.get("card_number", "")
    if card and card in cards and cards[card][0] != person.pk:
        if not cards[card][1]:
            return CARD_USED
        return f"số thẻ đảng viên {card} đã là của một đảng viên khác."
    if item.new_person:
        return ""
    member = members.get(person.pk)
    if member is None:
        candidacy = candidacies.get(person.pk)
        if candidacy is not None:
            return (
                f"{person.full_name} đang là quần chúng ưu tú của {candidacy.branch.name}; "
                "kết nạp theo quy trình trên trang quần chúng."
            )
        return ""
    if member.branch_id != item.branch.pk:
        return (
            f"đang sinh hoạt tại {member.branch.name}; chuyển sinh hoạt đảng trên trang "
            "đảng viên, không qua nhập tệp."
        )
    if member.status not in (Status.OFFICIAL, Status.PROBATIONARY):
        return f"hồ sơ đảng viên đang ở trạng thái “{Status(member.status).label}”."
    differs = _member_same(member, values)
    if differs:
        return (
            "khác với hồ sơ đang có (" + ", ".join(differs) + "); sửa trên trang đảng viên, "
            "không qua nhập tệp."
        )
    item.member = member
    if card and not member.card_number:
        item.card_to_fill = card
    return ""


def _candidate_row(
    item: PersonRow, members: dict[int, Member], candidacies: dict[int, Candidate]
) -> str:
    if item.new_person:
        return ""
    person = item.person
    if person.pk in members:
        return f"{person.full_name} đã là đảng viên."
    candidacy = candidacies.get(person.pk)
    if candidacy is None:
        return ""
    if candidacy.branch_id != item.branch.pk:
        return f"đang được {candidacy.branch.name} theo dõi."
    item.candidate = candidacy
    return ""


# ---- organisations ---------------------------------------------------------------------


def plan_organisations(
    job: ImportJob, rows: list[tuple[int, dict[str, str]]], progress: Progress
) -> Plan:
    """Check an organisation tree file: codes unique in the file, each parent an earlier
    row or a node inside the chosen one, each kind allowed under its parent's kind
    (``ParentRule``), the type (loại hình) only on a grassroots organisation or commune.
    A code already inside the chosen node is the same organisation: its name, committee
    size and type are brought up to date; its kind and place are not changed here."""
    from dangvien.organisations.models import Kind, ParentRule, Sector
    from dangvien.organisations.queries import SECTOR_OWNERS

    labels = _labels(job.kind)
    node = job.organisation
    plan = Plan()
    allowed = set(ParentRule.objects.values_list("parent_kind", "child_kind"))
    existing: dict[str, list[Organisation]] = defaultdict(list)
    for org in Organisation.objects.filter(path__startswith=node.path).exclude(code=""):
        existing[fold(org.code)].append(org)
    kinds: dict[str, str] = {}  # folded code → kind, rows read so far and existing
    seen: dict[str, int] = {}
    plan.total = len(rows)
    for done, (number, cells) in enumerate(rows, start=1):
        if done % 200 == 0:
            progress(done, plan.total)
        problems: list[Problem] = []
        for column in f.columns_for(job.kind):
            if column.required and not cells.get(column.key):
                problems.append(Problem(number, column.label, "chưa ghi (bắt buộc)."))
        code, name = cells.get("code", ""), cells.get("name", "")
        kind = sector = size = None
        try:
            kind = f.parse_kind(cells["kind"]) if cells.get("kind") else None
        except f.BadValue as error:
            problems.append(Problem(number, labels["kind"], str(error)))
        try:
            sector = f.parse_sector(cells.get("sector", "")) if "sector" in cells else None
        except f.BadValue as error:
            problems.append(Problem(number, labels["sector"], str(error)))
        try:
            size = f.parse_count(cells.get("committee_size", ""))
        except f.BadValue as error:
            problems.append(Problem(number, labels["committee_size"], str(error)))
        if len(name) > 200:
            problems.append(Problem(number, labels["name"], "quá dài (tối đa 200 ký tự)."))
        if len(code) > 20:
            problems.append(Problem(number, labels["code"], "quá dài (tối đa 20 ký tự)."))
        key = fold(code)
        if code and key in seen:
            problems.append(
                Problem(number, labels["code"], f"mã “{code}” trùng với dòng {seen[key]}.")
            )
        elif code:
            seen[key] = number
        parent_code = cells.get("parent_code", "")
        parent_kind = node.kind
        if parent_code:
            pkey = fold(parent_code)
            if pkey in kinds:
                parent_kind = kinds[pkey]
            elif len(existing.get(pkey, [])) == 1:
                parent_kind = existing[pkey][0].kind
            elif len(existing.get(pkey, [])) > 1:
                problems.append(
                    Problem(number, labels["parent_code"], f"có nhiều tổ chức mã “{parent_code}”.")
                )
            elif Organisation.objects.filter(code__iexact=parent_code).exists():
                problems.append(
                    Problem(
                        number, labels["parent_code"], f"“{parent_code}” ngoài phạm vi {node.name}."
                    )
                )
            else:
                problems.append(
                    Problem(
                        number,
                        labels["parent_code"],
                        f"không tìm thấy mã “{parent_code}” (trong tệp, tổ chức cấp trên "
                        "phải ở dòng phía trên).",
                    )
                )
        if kind and (parent_kind, kind) not in allowed:
            problems.append(
                Problem(
                    number,
                    labels["kind"],
                    f"không thể đặt {Kind(kind).label} dưới {Kind(parent_kind).label}.",
                )
            )
        if kind and sector:
            if kind not in SECTOR_OWNERS:
                problems.append(
                    Problem(
                        number,
                        labels["sector"],
                        "chỉ ghi loại hình cho tổ chức cơ sở đảng và đảng bộ xã, phường.",
                    )
                )
            elif kind == Kind.COMMUNE and sector != Sector.COMMUNE_WARD:
                problems.append(
                    Problem(
                        number,
                        labels["sector"],
                        f"đảng bộ xã có loại hình “{Sector.COMMUNE_WARD.label}”.",
                    )
                )
        item = OrgRow(number, code, name, kind or "", parent_code, sector, size)
        matches = existing.get(key, []) if code else []
        if len(matches) > 1:
            problems.append(Problem(number, labels["code"], f"có nhiều tổ chức mã “{code}”."))
        elif matches and kind:
            org = matches[0]
            item.existing = org
            parent_ok = (
                org.parent_id == node.pk
                if not parent_code
                else _parent_code_of(org) == fold(parent_code)
            )
            if org.kind != kind:
                problems.append(
                    Problem(
                        number,
                        labels["kind"],
                        f"“{org.name}” đã có với loại “{Kind(org.kind).label}”; không đổi "
                        "loại qua nhập tệp.",
                    )
                )
            elif not parent_ok:
                problems.append(
                    Problem(
                        number,
                        labels["parent_code"],
                        f"“{org.name}” đang trực thuộc tổ chức khác; chuyển tổ chức trên "
                        "trang cây tổ chức.",
                    )
                )
            else:
                if name and name != org.name:
                    item.changes["name"] = name
                if size is not None and size != org.committee_size:
                    item.changes["committee_size"] = size
                if sector and sector != org.sector:
                    item.changes["sector"] = sector
        if code and kind:
            kinds[key] = kind
        plan.problems += problems
        if not problems:
            plan.organisations.append(item)
            if item.existing is None:
                plan.added += 1
            elif item.changes:
                plan.updated += 1
            else:
                plan.unchanged += 1
    progress(plan.total, plan.total)
    return plan


def _parent_code_of(org: Organisation) -> str:
    if org.parent_id is None:
        return ""
    parent = Organisation.objects.filter(pk=org.parent_id).values_list("code", flat=True).first()
    return fold(parent or "")


def make_plan(job: ImportJob, path: Path, progress: Progress, limit: int) -> Plan:
    """Check ``job``'s file (at most ``limit`` data rows: the rule ``import.max_rows``)."""
    rows = list(mapped_rows(job, path))
    if len(rows) > limit:
        message = (
            f"tệp có {rows_text(len(rows))} dòng, quá {rows_text(limit)} dòng cho một lần "
            "nhập; chia thành nhiều tệp."
        )
        return Plan(total=len(rows), problems=[Problem(0, "", message)])
    if job.kind == ImportKind.ORGANISATIONS:
        return plan_organisations(job, rows, progress)
    return plan_people(job, rows, progress)


def rows_text(n: int) -> str:
    return f"{n:,}".replace(",", ".")
