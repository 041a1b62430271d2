"""Every write of the personal-data records: consent and its withdrawal, data-subject
requests and their answers (issue 9). Each refuses with a Vietnamese message naming the
field; each checks who may act."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.utils import timezone

from dangvien.core.actions import action
from dangvien.core.errors import Conflict, NotAllowed, NotEligible, StageNotAllowed
from dangvien.core.text import nfc_lines
from dangvien.people.models import Person
from dangvien.privacy.models import (
    NEXT_STATES,
    OPEN_STATES,
    Consent,
    ConsentMethod,
    Notice,
    RequestKind,
    RequestState,
    SubjectRequest,
)
from dangvien.privacy.queries import (
    may_handle_personal_data,
    notice_in_force,
    person_org_path,
    request_due_on,
)

NO_CONSENT = "Chưa ghi nhận sự đồng ý xử lý dữ liệu cá nhân của người này."
NOT_YOURS = "Chỉ chi bộ và cấp ủy quản lý hồ sơ của người này mới được ghi nhận."


@dataclass(frozen=True)
class ConsentGiven:
    """The consent recorded with a new candidate (what the create page and API send)."""

    given_on: date | None
    method: str
    notice: Notice | None = None  # None: the notice in force on ``given_on``


def _today() -> date:
    return timezone.localdate()


def _user(by: Any) -> Any:
    return by if getattr(by, "pk", None) else None


def _check_may(by: Any, org_path: str) -> None:
    if not org_path or not may_handle_personal_data(by, org_path):
        raise NotAllowed(NOT_YOURS)


# ---- consent ---------------------------------------------------------------------------


def check_consent_given(consent: ConsentGiven | None) -> Notice | None:
    """Refuse a new dossier without the person's consent (Nghị định 13/2023/NĐ-CP Điều 11
    khoản 1: processing needs the subject's consent; Điều 13: after the notice), unless
    ``PERSONAL_DATA_CONSENT_REQUIRED`` is off [U]. Answers the notice consented to.

    Called before anything is written, so a refusal leaves nothing behind.
    """
    if consent is None:
        if settings.PERSONAL_DATA_CONSENT_REQUIRED:
            raise NotEligible(NO_CONSENT, field="consent")
        return None
    if consent.given_on is None:
        raise NotEligible("Nhập ngày người đó đồng ý.", field="consent_given_on")
    if consent.given_on > _today():
        raise NotEligible("Ngày đồng ý không thể sau ngày hôm nay.", field="consent_given_on")
    if consent.method not in ConsentMethod.values:
        raise NotEligible(
            "Chọn hình thức đồng ý: ký phiếu đồng ý hoặc trực tiếp có biên bản.",
            field="consent_method",
        )
    notice = consent.notice or notice_in_force(consent.given_on)
    if notice is None:
        raise NotEligible(
            f"Chưa có thông báo xử lý dữ liệu cá nhân áp dụng vào ngày "
            f"{consent.given_on:%d/%m/%Y}: người đó chưa thể được thông báo trước khi đồng ý.",
            field="consent_given_on",
        )
    if notice.from_on > consent.given_on:
        raise NotEligible(
            f"Thông báo phiên bản {notice.version} áp dụng từ ngày {notice.from_on:%d/%m/%Y}, "
            f"sau ngày đồng ý.",
            field="consent_given_on",
        )
    return notice


def _save_consent(
    person: Person, consent: ConsentGiven, notice: Notice, *, org_path: str, by: Any
) -> Consent:
    assert consent.given_on is not None  # check_consent_given refused otherwise
    return Consent.objects.create(
        person=person,
        notice=notice,
        given_on=consent.given_on,
        method=consent.method,
        org_path=org_path,
        recorded_by=_user(by),
    )


def consent_for_new_dossier(
    person: Person, consent: ConsentGiven | None, *, org_path: str, by: Any
) -> Consent | None:
    """Record the consent given when the person's dossier opens (called by the candidate
    action inside its own transaction, after ``check_consent_given``)."""
    notice = check_consent_given(consent)
    if consent is None or notice is None:
        return None
    return _save_consent(person, consent, notice, org_path=org_path, by=by)


@action
def record_consent(
    person: Person,
    *,
    given_on: date | None,
    method: str,
    by: Any,
    notice: Notice | None = None,
) -> Consent:
    """Record a consent afterwards, e.g. for a person listed before consent was asked, or
    imported from a spreadsheet (Nghị định 13/2023/NĐ-CP Điều 11)."""
    org_path = person_org_path(person)
    _check_may(by, org_path)
    given = ConsentGiven(given_on=given_on, method=method, notice=notice)
    checked = check_consent_given(given)
    assert checked is not None
    return _save_consent(person, given, checked, org_path=org_path, by=by)


@action
def withdraw_consent(consent: Consent, *, withdrawn_on: date, note: str = "", by: Any) -> Consent:
    """The person takes their consent back (Nghị định 13/2023/NĐ-CP Điều 9 khoản 4, Điều
    12). The withdrawal is recorded and shown; nothing is deleted: records the Party must
    keep stay, and it does not make earlier processing unlawful (Điều 12 khoản 2). Whether
    it ends the candidacy is for the chi bộ to decide [U]."""
    row = Consent.objects.select_for_update().select_related("person").get(pk=consent.pk)
    _check_may(by, person_org_path(row.person) or row.org_path)
    if row.withdrawn_on is not None:
        raise Conflict(
            f"Sự đồng ý này đã được rút lại ngày {row.withdrawn_on:%d/%m/%Y}.", field="consent"
        )
    if withdrawn_on > _today():
        raise NotEligible("Ngày rút lại không thể sau ngày hôm nay.", field="withdrawn_on")
    if withdrawn_on < row.given_on:
        raise NotEligible(
            f"Ngày rút lại phải từ ngày đồng ý ({row.given_on:%d/%m/%Y}) trở đi.",
            field="withdrawn_on",
        )
    row.withdrawn_on = withdrawn_on
    row.withdrawal_note = nfc_lines(note)
    row.withdrawal_recorded_by = _user(by)
    row.save(update_fields=["withdrawn_on", "withdrawal_note", "withdrawal_recorded_by"])
    consent.refresh_from_db()
    return consent


# ---- data-subject requests -------------------------------------------------------------


@action
def record_request(
    person: Person, *, kind: str, received_on: date, detail: str = "", by: Any
) -> SubjectRequest:
    """A person asks about their data (Nghị định 13/2023/NĐ-CP Điều 9): the request is
    recorded with its deadline (``privacy.queries.request_due_on``: 72 hours [U]). One
    open request of a kind per person: a second one joins the first."""
    org_path = person_org_path(person)
    _check_may(by, org_path)
    if kind not in RequestKind.values:
        raise NotEligible("Chọn loại yêu cầu.", field="kind")
    if received_on > _today():
        raise NotEligible("Ngày tiếp nhận không thể sau ngày hôm nay.", field="received_on")
    Person.objects.select_for_update().filter(pk=person.pk).first()  # one writer at a time
    pending = (
        SubjectRequest.objects.filter(person=person, kind=kind, state__in=OPEN_STATES)
        .order_by("due_on")
        .first()
    )
    if pending is not None:
        raise Conflict(
            f"{person.full_name} đã có yêu cầu “{RequestKind(kind).label.lower()}” đang xử lý "
            f"(hạn {pending.due_on:%d/%m/%Y}).",
            field="kind",
        )
    return SubjectRequest.objects.create(
        person=person,
        kind=kind,
        detail=nfc_lines(detail),
        received_on=received_on,
        due_on=request_due_on(kind, received_on),
        org_path=org_path,
        recorded_by=_user(by),
    )


def _locked(request: SubjectRequest, to: str, by: Any) -> SubjectRequest:
    row = SubjectRequest.objects.select_for_update().select_related("person").get(pk=request.pk)
    _check_may(by, row.org_path)
    if to not in NEXT_STATES[row.state]:
        raise StageNotAllowed(
            f"Yêu cầu đang ở trạng thái “{RequestState(row.state).label}”, không thể chuyển "
            f"sang “{RequestState(to).label}”.",
            field="state",
        )
    return row


@action
def start_request(request: SubjectRequest, *, by: Any) -> SubjectRequest:
    """The chi bộ starts handling the request: it becomes the handler's."""
    row = _locked(request, RequestState.IN_PROGRESS, by)
    row.state = RequestState.IN_PROGRESS
    row.handled_by = _user(by)
    row.save(update_fields=["state", "handled_by"])
    request.refresh_from_db()
    return request


@action
def answer_request(
    request: SubjectRequest,
    *,
    state: str,
    answer: str,
    by: Any,
    answered_on: date | None = None,
) -> SubjectRequest:
    """Close a request: done, or refused with the reason (Nghị định 13/2023/NĐ-CP Điều 9:
    a refusal must be explained; e.g. records the Party must keep are not deleted, Điều 16
    khoản 2 [U]). A withdrawal of consent that is done withdraws the person's consents on
    the day answered."""
    if state not in (RequestState.DONE, RequestState.REFUSED):
        raise NotEligible("Chọn kết quả: đã giải quyết hoặc từ chối.", field="state")
    row = _locked(request, state, by)
    answer = nfc_lines(answer)
    if state == RequestState.REFUSED and not answer:
        raise NotEligible("Phải nêu lý do từ chối yêu cầu.", field="answer")
    day = answered_on or _today()
    if day > _today():
        raise NotEligible("Ngày trả lời không thể sau ngày hôm nay.", field="answered_on")
    if day < row.received_on:
        raise NotEligible(
            f"Ngày trả lời phải từ ngày tiếp nhận ({row.received_on:%d/%m/%Y}) trở đi.",
            field="answered_on",
        )
    row.state = state
    row.answer = answer
    row.answered_on = day
    row.handled_by = _user(by)
    row.save(update_fields=["state", "answer", "answered_on", "handled_by"])
    if row.kind == RequestKind.WITHDRAWAL and state == RequestState.DONE:
        note = f"Theo yêu cầu tiếp nhận ngày {row.received_on:%d/%m/%Y}."
        for consent in Consent.objects.filter(person=row.person, withdrawn_on__isnull=True):
            consent.withdrawn_on = max(day, consent.given_on)
            consent.withdrawal_note = note
            consent.withdrawal_recorded_by = _user(by)
            consent.save(
                update_fields=["withdrawn_on", "withdrawal_note", "withdrawal_recorded_by"]
            )
    request.refresh_from_db()
    return request
