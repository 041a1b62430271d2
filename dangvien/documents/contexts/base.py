"""What every form's context shares: the formatting of dates, numbers and names, the
person, the votes, and the header and signature of the issuing body (issue 8, "the
document contract"; 36-HD/VPTW 2018 [C]).

Contexts are plain data (dicts, lists, str, int): a template must not reach a model.
Free text typed by users is made safe for the line markup (``line``): one line, no
leading markup character, no ``|`` or ``*`` that would split a table or start emphasis.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dangvien.core.text import nfc
from dangvien.documents import issuers
from dangvien.organisations.models import Organisation
from dangvien.organisations.queries import admission_chain
from dangvien.people.models import Person


class MissingData(Exception):
    """The document states something the procedure has not recorded yet. ``message`` is
    Vietnamese and says what is missing ("Chưa ghi kết quả biểu quyết của chi bộ.")."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Part:
    """What a form's own builder answers: its keys, the number and date the procedure
    recorded for the document, who signs it when a person does, and the chi bộ whose
    bodies issue it when it is not the subject's current one (a transfer's)."""

    keys: dict[str, Any] = field(default_factory=dict)
    number: str = ""
    day: date | None = None
    signer: str = ""
    branch: Any = None


# ---- text ------------------------------------------------------------------------------

_LEAD = re.compile(r"^[\s@#>|*\-]+")


def line(value: object) -> str:
    """User text made safe for one markup line: NFC, whitespace collapsed, no ``|``
    (table cells, signature lines) or ``*`` (emphasis), no leading ``@ # > -``."""
    if value is None:
        return ""
    text = " ".join(nfc(str(value)).split())
    text = text.replace("|", "/").replace("*", "")
    return _LEAD.sub("", text)


def paragraphs(value: object) -> list[str]:
    """Multi-line user text as safe paragraphs, empty lines dropped."""
    if not value:
        return []
    return [p for p in (line(part) for part in str(value).splitlines()) if p]


def upper(value: str) -> str:
    return nfc(value).upper()


# ---- dates and numbers -----------------------------------------------------------------


def dmy(day: date | None) -> str:
    """dd/mm/yyyy, "" when unknown."""
    return day.strftime("%d/%m/%Y") if day else ""


def long_day(day: date | None) -> str:
    """ "ngày 05 tháng 02 năm 2026": a day below 10 and the months 1 and 2 with a leading
    zero (the usual rule for the date of a document; 36-HD/VPTW 2018 [U: the state rule of
    Nghị định 30/2020, the party guide reads the same in its samples])."""
    if day is None:
        return "ngày ...... tháng ...... năm ........"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def month_text(day: date | None) -> str:
    return f"{day.month:02d}/{day.year}" if day else ""


def percent(part: int, whole: int) -> str:
    """ "85,7" (one decimal, comma; "100", "66,7")."""
    if not whole:
        return ""
    value = round(part * 100 / whole, 1)
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def printed_number(number: str) -> str:
    """A recorded number as printed after "Số" ("Số 05-NQ/CB" typed in full → "05-NQ/CB")."""
    number = line(number)
    if number.casefold().startswith("số"):
        number = number[2:].lstrip(" :.")
    return number


# ---- people and votes ------------------------------------------------------------------


def person_data(person: Person) -> dict[str, str]:
    full_name = nfc(person.full_name)
    return {
        "full_name": full_name,
        "full_name_upper": upper(full_name),
        "birth_date": dmy(person.birth_date),
        "birth_year": str(person.birth_date.year) if person.birth_date else "",
        "sex": str(person.get_sex_display()),
        "citizen_id": person.citizen_id,
        "ethnicity": line(person.ethnicity),
        "religion": line(person.religion),
        "education": str(person.get_education_level_display()),
        "political_theory": str(person.get_political_theory_display()),
        "occupation": line(person.occupation),
        "hometown": line(person.hometown),
        "address": line(person.address),
        "phone": line(person.phone),
        "village": line(person.village.name) if person.village_id and person.village else "",
        "youth_union": "Có" if person.youth_union_member else "Không",
        "trade_union": "Có" if person.trade_union_member else "Không",
    }


def vote_data(vote: Any) -> dict[str, Any]:
    """A body's vote as the resolution states it (a ``candidates.Vote`` or a
    ``members.MemberVote``); the empty shape when there is none, so templates may test
    ``{% if vote.held_on %}``."""
    if vote is None:
        return {
            "held_on": "",
            "held_on_long": "",
            "in_favour": "",
            "against": "",
            "denominator": "",
            "percent": "",
            "against_percent": "",
            "resolution_no": "",
            "body": "",
        }
    return {
        "held_on": dmy(vote.held_on),
        "held_on_long": long_day(vote.held_on),
        "in_favour": vote.in_favour,
        "against": vote.against,
        "denominator": vote.denominator,
        "percent": percent(vote.in_favour, vote.denominator),
        "against_percent": percent(vote.against, vote.denominator),
        "resolution_no": printed_number(vote.resolution_no),
        "body": line(vote.organisation.name),
    }


def last_vote(votes: Any, body: str, *, passed: bool | None = True) -> Any:
    """The latest vote of ``body`` (passed ones only by default)."""
    rows = votes.filter(body=body)
    if passed is not None:
        rows = rows.filter(passed=passed)
    return rows.select_related("organisation").order_by("-held_on", "-id").first()


def chain_keys(branch: Organisation) -> dict[str, Any]:
    """``endorser`` (the grassroots đảng ủy between, if any) and ``decider`` (the competent
    committee, and the body that signs its decision: its standing committee, or the whole
    đảng ủy when authorised to admit) of the chi bộ (294-QĐ/TW §4.3.2 [C])."""
    chain = admission_chain(branch)
    endorser = chain.endorser
    decider = chain.decider
    body, label = issuers.body_name(decider), issuers.body_label(decider)
    standing = chain.decider_rule != "vote.authorised_grassroots"
    return {
        "endorser": {
            "name": line(endorser.name) if endorser else "",
            "body": issuers.body_name(endorser) if endorser else "",
            "label": issuers.body_label(endorser) if endorser else "",
        },
        "decider": {
            "name": line(decider.name),
            "body": body,
            "label": label,
            "decides_as": f"BAN THƯỜNG VỤ {body}" if standing else body,
            "decides_as_label": f"Ban Thường vụ {label}" if standing else label,
        },
    }
