"""The register of outgoing documents (sổ đăng ký văn bản đi): numbers that are never
handed out twice (issue 8; 36-HD/VPTW 2018 §II.1 [C]).

Numbers run from 01 for each series (QĐ, NQ, BC, GGT…) of one issuing body within one
committee term. The register row of (body, series, term) is created on first use and
locked (``SELECT … FOR UPDATE``) while the next number is taken, so two requests at once
queue on the row and get consecutive numbers; the row's unique constraint settles two
first uses at once (the loser's insert fails inside a savepoint and it locks the winner's
row instead).
"""

from datetime import date
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from dangvien.candidates.models import Candidate
from dangvien.core.actions import action
from dangvien.core.errors import Conflict, NotAllowed, NotEligible
from dangvien.core.text import checked_text
from dangvien.documents import issuers
from dangvien.documents.forms import Form, find_form
from dangvien.documents.models import IssuedDocument, Register
from dangvien.documents.queries.access import Subject, may_number, subject_kind
from dangvien.members.models import Member
from dangvien.organisations.models import Organisation

if TYPE_CHECKING:
    from dangvien.accounts.models import User

MAX_SERIES = 10  # Register.series


def _series(value: str) -> str:
    """The series as printed before the body's symbol: "QĐ", "NQ", "CV", "GGT"… (letters,
    at most 10, upper case; 36-HD/VPTW 2018 Phụ lục 1 [C])."""
    series = checked_text(value, what="loại văn bản (viết tắt)", field="series", max_length=10)
    series = series.upper()
    if not all(ch.isalpha() for ch in series):
        raise NotEligible(
            "Loại văn bản viết tắt chỉ gồm chữ cái, ví dụ QĐ, NQ, BC, CV, TB.", field="series"
        )
    return series


def _locked_register(organisation: Organisation, series: str, term_from: date) -> Register:
    """The register row of (body, series, term), created if missing, locked until the end
    of the transaction."""
    rows = Register.objects.select_for_update(of=("self",)).filter(
        organisation=organisation, series=series, term_from=term_from
    )
    row = rows.first()
    if row is None:
        try:
            with transaction.atomic():  # a savepoint: a lost race leaves the outer one usable
                Register.objects.create(
                    organisation=organisation, series=series, term_from=term_from
                )
        except IntegrityError:
            pass  # another request created it first: lock theirs
        row = rows.get()
    return row


def _existing(
    form: str, item: str, candidate: Candidate | None, member: Member | None
) -> IssuedDocument | None:
    if not form or (candidate is None and member is None):
        return None
    rows = IssuedDocument.objects.select_related("register__organisation").filter(
        form=form, item=item
    )
    rows = rows.filter(candidate=candidate) if candidate is not None else rows.filter(member=member)
    return rows.first()


@action
def take_number(
    organisation: Organisation,
    series: str,
    *,
    on: date,
    by: "User",
    form: str = "",
    item: str = "",
    candidate: Candidate | None = None,
    member: Member | None = None,
    summary: str = "",
) -> IssuedDocument:
    """Take the next number of ``organisation``'s register of ``series`` for the term in
    force on ``on`` (36-HD/VPTW 2018 §II.1: numbered from 01 within a committee term [C];
    the term's start is ``issuers.term_from``, else the rule ``documents.term_start``).

    One number per document: taking a number again for the same form, item and subject
    answers the number already taken, unchanged (idempotent: a double click or a retried
    request must not burn a number, and a number once printed stays the document's).
    Permission: see ``queries.access.number_capabilities`` (a number for a document made
    outside the system, ``form=""``: any numbering capability at the body). A document
    made outside the system needs its trích yếu (``summary``).
    """
    issuer = ""
    if form:
        found = find_form(form)
        if found is None:
            raise NotEligible(f"Không có mẫu “{form}”.", field="form")
        form, issuer = found.code, found.issuer
        if not found.numbered:
            raise Conflict(f"Mẫu {found.code} không lấy số văn bản.", field="form")
    if not may_number(by, issuer, organisation):
        raise NotAllowed(f"Bạn không được cấp số văn bản của {organisation.name}.")
    series = _series(series)
    summary = checked_text(
        summary, what="trích yếu", field="summary", max_length=300, required=not form
    )
    if len(item) > 40:
        raise NotEligible("Mã mục quá dài.", field="item")
    register = _locked_register(organisation, series, issuers.term_from(organisation, on))
    # Looked up after the lock: a second request for the same document waits for the
    # first and then finds its number.
    existing = _existing(form, item, candidate, member)
    if existing is not None:
        return existing
    register.last_number += 1
    register.save(update_fields=["last_number"])
    symbol = f"{series}/{issuers.symbol(organisation)}"
    return IssuedDocument.objects.create(
        register=register,
        number=register.last_number,
        symbol=symbol[:40],
        form=form,
        item=item,
        candidate=candidate,
        member=member,
        issued_on=on,
        summary=summary,
        by=by,
        at=timezone.now(),
    )


def issuer_for(form: Form, subject: Subject, item: str = "") -> Organisation:
    """The body that numbers ``form`` for ``subject`` (``issuers.issuer_of`` on the chi bộ
    that issues it: the subject's, or for a transfer letter the chi bộ the member left,
    ``contexts.issuing_branch``); Conflict when the form has no issuer there."""
    from dangvien.documents.contexts import issuing_branch

    if not form.numbered:
        raise Conflict(f"Mẫu {form.code} không lấy số văn bản.", field="form")
    if form.subject != subject_kind(subject):
        raise NotEligible(f"Mẫu {form.code} không thuộc hồ sơ này.", field="form")
    branch = issuing_branch(form, subject, item)
    if not issuers.applicable(form, branch):
        raise Conflict(f"Mẫu {form.code} không áp dụng cho {branch.name}.", field="form")
    organisation = issuers.issuer_of(form, branch)
    if organisation is None:
        raise Conflict(f"Mẫu {form.code} không áp dụng cho {branch.name}.", field="form")
    return organisation


def number_document(
    form: Form,
    subject: Subject,
    *,
    item: str = "",
    on: date | None = None,
    by: "User",
) -> IssuedDocument:
    """Number one dossier document of ``subject`` from its issuer's register (the body
    ``issuers.issuer_of`` names: the chi bộ for its resolutions, the deciding committee for
    the decision…). ``item`` names which one of a per-item form (``contexts.items``);
    refused for an item the subject does not have."""
    from dangvien.documents.contexts import items

    organisation = issuer_for(form, subject, item)
    if not may_number(by, form.issuer, organisation):
        raise NotAllowed(f"Bạn không được cấp số văn bản của {organisation.name}.")
    if form.per:
        keys = dict(items(form, subject))
        if item not in keys:
            raise NotEligible(f"Chọn văn bản nào của mẫu {form.code} cần cấp số.", field="item")
        label = keys[item]
    elif item:
        raise NotEligible(f"Mẫu {form.code} chỉ có một văn bản.", field="item")
    else:
        label = ""
    summary = f"{form.title}: {subject.person.full_name}" + (f" ({label})" if label else "")
    return take_number(
        organisation,
        form.series,
        on=on or timezone.localdate(),
        by=by,
        form=form.code,
        item=item,
        candidate=subject if isinstance(subject, Candidate) else None,
        member=subject if isinstance(subject, Member) else None,
        summary=summary[:300],
    )
