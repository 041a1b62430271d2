"""The data each form's template is rendered with (issue 8, "the document contract").

``context_for(form, subject, item, number, on)`` answers plain data: ``header`` (the
36-HD/VPTW 2018 header of the issuing body [C]), ``form``, ``person``, ``branch``,
``issuer`` (who signs, and on whose behalf), ``today``, ``document`` (its number and
date), the subject's ``candidate`` or ``member`` record, and the form's own keys, listed
at the top of each template file. Missing values are "".

The printed number: ``number`` when given (the register's, "127-QĐ/ĐU"); else the one
the procedure recorded (the vote's resolution number, the decision's, the transfer
letter's, the certificate's); else a draft's blank number with the symbol kept
("Số     -QĐ/ĐU"). The date: ``on`` when given; else the recorded date of the step the
document states (the meeting, the decision, the letter); else today for a body's
document, and dotted blanks for a form a person fills by hand.

``MissingData`` is raised when the document states a step not recorded yet; each form's
rule is in the docstring of ``contexts.admission`` and ``contexts.members``.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from django.utils import timezone

from dangvien.candidates.models import Candidate
from dangvien.documents import forms as f
from dangvien.documents import issuers
from dangvien.documents.contexts import admission, members
from dangvien.documents.contexts.base import (
    MissingData,
    Part,
    dmy,
    line,
    long_day,
    person_data,
    printed_number,
)
from dangvien.documents.forms import Form
from dangvien.members.models import Member
from dangvien.organisations.models import Organisation

__all__ = ["MissingData", "context_for", "issuing_branch", "items"]

DRAFT_GAP = "     "  # the blank left for the number on a draft ("Số     -QĐ/ĐU")

NOT_APPLICABLE = {
    f.SUB_COMMITTEE: "Chi bộ không trực thuộc đảng ủy bộ phận: hồ sơ không có mẫu {code}.",
    f.GRASSROOTS: "Không có đảng ủy cơ sở xét giữa chi bộ và cấp ủy quyết định: hồ sơ không "
    "có mẫu {code}.",
}


def _builder(form: Form, subject: Candidate | Member, on: date) -> Callable[[str], Part]:
    if isinstance(subject, Candidate):
        if form.subject != f.CANDIDATE:
            raise ValueError(f"{form.code} is a member's document")
        build = admission.BUILDERS[form.code]
        return lambda item: build(subject, item)
    if form.subject != f.MEMBER:
        raise ValueError(f"{form.code} is a candidate's document")
    if form.code in members.TRANSFER_KINDS:
        return lambda item: members.transfer_letter(subject, item, form.code)
    if form.code == "GXN-TĐ":
        return lambda item: members.party_age(subject, item, on)
    build_member = members.BUILDERS[form.code]
    return lambda item: build_member(subject, item)


def items(form: Form, subject: Candidate | Member) -> list[tuple[str, str]]:
    """(item key, label) of each document of a per-item form for ``subject`` ("" for a
    one-per-subject form is not listed: the answer is [])."""
    if form.per in (f.PER_INTRODUCER, f.PER_UNION_INTRODUCER):
        assert isinstance(subject, Candidate)
        return admission.introducer_items(subject, form.per)
    if form.per == f.PER_TRANSFER:
        assert isinstance(subject, Member)
        return members.transfer_items(subject, form.code)
    if form.per == f.PER_PROCEEDING:
        assert isinstance(subject, Member)
        return members.removal_items(subject)
    if form.per == f.PER_REPORT:
        assert isinstance(subject, Member)
        return members.report_items(subject)
    return []


def issuing_branch(form: Form, subject: Candidate | Member, item: str = "") -> Organisation:
    """The chi bộ whose bodies issue the document: the subject's, except for a transfer
    letter, which the committee above the chi bộ the member *left* issues (294-QĐ/TW §6.3
    [C]) — after a permanent move the member's branch is already the new one. Pass it to
    ``issuers.issuer_of`` to find the register that numbers the document."""
    if form.per == f.PER_TRANSFER and isinstance(subject, Member) and item:
        for transfer in subject.transfers.select_related("from_branch"):
            if item == f"{f.PER_TRANSFER}:{transfer.pk}":
                return transfer.from_branch
    return subject.branch


def _header(
    form: Form, org: Organisation | None, place_of: Organisation, number: str, day: date | None
) -> dict[str, str]:
    place_date = f"{issuers.place(place_of)}, {long_day(day)}"
    if org is None:  # a person's form: only the right column
        return {
            "parent_body": "",
            "issuing_body": "",
            "number": f"Số {number}" if number else "",
            "place_date": place_date,
            "symbol": "",
        }
    return {
        "parent_body": issuers.parent_body(org),
        "issuing_body": issuers.body_name(org),
        "number": f"Số {number}",
        "place_date": place_date,
        "symbol": issuers.symbol(org),
    }


def context_for(
    form: Form,
    subject: Candidate | Member,
    item: str = "",
    number: str = "",
    on: date | None = None,
) -> dict[str, Any]:
    """The template context of ``form`` for ``subject`` (see the module docstring).
    Raises ``MissingData`` when the document cannot be written yet, or does not apply to
    the subject's chi bộ (7/14-KNĐ without a đảng ủy bộ phận, 8/15-KNĐ without a
    grassroots đảng ủy between)."""
    today = on or timezone.localdate()
    if not issuers.applicable(form, subject.branch) and form.issuer in NOT_APPLICABLE:
        raise MissingData(NOT_APPLICABLE[form.issuer].format(code=form.code))
    part = _builder(form, subject, today)(item)
    branch: Organisation = part.branch or subject.branch
    org = issuers.issuer_of(form, branch)
    if form.issuer != f.PERSONAL and org is None:
        raise MissingData(f"Không xác định được cấp ủy ban hành mẫu {form.code} cho chi bộ này.")

    printed = line(number) or (printed_number(part.number) if part.number else "")
    draft = not printed
    if draft and org is not None:
        printed = f"{DRAFT_GAP}-{form.series}/{issuers.symbol(org)}"
    personal = form.issuer == f.PERSONAL
    day = on or part.day or (None if personal else today)

    on_behalf, title = issuers.signer_title(form, org)
    signer = line(part.signer)
    context: dict[str, Any] = {
        "form": {"code": form.code, "title": form.title},
        "header": _header(form, org, org or branch, printed, day),
        "person": person_data(subject.person),
        "branch": {
            "name": line(branch.name),
            "body": issuers.body_name(branch),
            "label": issuers.body_label(branch),
            "parent_body": issuers.parent_body(branch),
            "place": issuers.place(branch),
        },
        "issuer": {
            "name": signer,
            "name_upper": signer.upper(),
            "on_behalf": on_behalf,
            "title": title,
            "body": issuers.body_name(org) if org else "",
            "label": issuers.body_label(org) if org else "",
            "org_name": line(org.name) if org else "",
        },
        "today": long_day(today),
        "document": {
            "number": "" if draft else printed,
            "date": dmy(day),
            "date_long": long_day(day),
            "draft": draft,
        },
    }
    if isinstance(subject, Candidate):
        context["candidate"] = admission.candidate_data(subject)
    else:
        context["member"] = members.member_data(subject)
    context.update(part.keys)
    return context
