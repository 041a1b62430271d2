"""JSON API: personal-data obligations (issue 9; Nghị định 13/2023/NĐ-CP). Mounted at the
API root; full paths under ``/privacy``.

- ``GET /privacy/notice``: the notice of processing in force (or ``?version=``).
- ``GET/POST /privacy/persons/{id}/consents``, ``POST /privacy/consents/{id}/withdraw``.
- ``GET/POST /privacy/requests``, ``GET /privacy/requests/{id}``,
  ``POST /privacy/requests/{id}/start``, ``POST /privacy/requests/{id}/answer``,
  ``GET /privacy/requests/{id}/data``: everything held about the person of an access
  request (logged, watermarked).

The same actions and queries as the pages (``dangvien.privacy``): a person or request
outside the user's subtree → 404; a step the role may not take → 403; a rule refused →
409 and nothing changed; malformed input → 400 ``invalid`` with ``fields``.
"""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from dangvien.api.auth import user_of
from dangvien.api.errors import ApiError, responses
from dangvien.api.schemas import Day, Page
from dangvien.api.serialise import user_name
from dangvien.auditlog.access import log_access
from dangvien.auditlog.models import AccessKind
from dangvien.core import listexport
from dangvien.people.models import Person
from dangvien.people.queries import visible_people
from dangvien.privacy import actions, holdings, queries
from dangvien.privacy.models import (
    Consent,
    ConsentMethod,
    Notice,
    RequestKind,
    RequestState,
    SubjectRequest,
)

router = Router(tags=["Dữ liệu cá nhân"])

READ_ERRORS = responses(400, 401, 404)
WRITE_ERRORS = responses(400, 401, 403, 404, 409)

KIND_DOC = "; ".join(f"`{v}` = {label}" for v, label in RequestKind.choices)
STATE_DOC = "; ".join(f"`{v}` = {label}" for v, label in RequestState.choices)
METHOD_DOC = "; ".join(f"`{v}` = {label}" for v, label in ConsentMethod.choices)
Id = Annotated[int, Field(ge=1, le=2**62)]  # an id the database column can hold


# ---- schemas ---------------------------------------------------------------------------


class NoticeOut(Schema):
    version: str
    title: str
    text: str
    from_on: date


class ConsentIn(Schema):
    """The person's consent to the notice of processing (Nghị định 13/2023/NĐ-CP Điều 11)."""

    given_on: Day = Field(description="Ngày người đó đồng ý")
    method: ConsentMethod = Field(description=f"Hình thức: {METHOD_DOC}")
    notice_version: str | None = Field(
        None,
        max_length=20,
        description="Phiên bản thông báo người đó đã đọc; bỏ trống: phiên bản áp dụng ngày đồng ý",
    )


class ConsentOut(Schema):
    id: int
    notice_version: str
    given_on: date
    method: str
    method_label: str
    recorded_by: str | None
    recorded_at: datetime
    withdrawn_on: date | None
    withdrawal_note: str
    active: bool


class WithdrawIn(Schema):
    withdrawn_on: Day
    note: str = Field("", max_length=2000)


class RequestFilters(Page):
    state: RequestState | Literal["open"] | None = Field(
        None, description=f"Trạng thái, hoặc `open`: chưa giải quyết. {STATE_DOC}"
    )
    kind: RequestKind | None = Field(None, description=KIND_DOC)
    person: Id | None = Field(None, description="Chỉ yêu cầu của người này")
    overdue: bool = Field(False, description="Chỉ yêu cầu chưa giải quyết đã quá hạn")
    q: str = Field("", max_length=200, description="Tìm theo họ tên, không phân biệt dấu")


class RequestIn(Schema):
    person_id: Id
    kind: RequestKind = Field(description=KIND_DOC)
    received_on: Day = Field(description="Ngày tiếp nhận; hạn trả lời tính từ ngày này")
    detail: str = Field("", max_length=4000, description="Nội dung yêu cầu")


class AnswerIn(Schema):
    state: Literal["done", "refused"] = Field(description="`done` đã giải quyết; `refused` từ chối")
    answer: str = Field("", max_length=4000, description="Bắt buộc khi từ chối: lý do")
    answered_on: Day | None = Field(None, description="Mặc định: hôm nay")


class RequestOut(Schema):
    id: int
    person_id: int
    person_name: str
    kind: str
    kind_label: str
    detail: str
    received_on: date
    due_on: date
    overdue: bool
    state: str
    state_label: str
    recorded_by: str | None
    handled_by: str | None
    answered_on: date | None
    answer: str


class RequestPage(Schema):
    count: int
    items: list[RequestOut]


class HoldingsTable(Schema):
    table: str
    title: str
    fields: dict[str, str]
    rows: list[dict[str, Any]]


class HoldingsOut(Schema):
    person_id: int
    full_name: str
    extracted: str = Field(description="Trích xuất bởi <tên> (<tài khoản>) lúc <thời điểm>")
    tables: list[HoldingsTable]


# ---- answers ---------------------------------------------------------------------------


def consent_out(consent: Consent) -> dict[str, Any]:
    return {
        "id": consent.pk,
        "notice_version": consent.notice.version,
        "given_on": consent.given_on,
        "method": consent.method,
        "method_label": consent.get_method_display(),
        "recorded_by": user_name(consent.recorded_by),
        "recorded_at": timezone.localtime(consent.recorded_at),
        "withdrawn_on": consent.withdrawn_on,
        "withdrawal_note": consent.withdrawal_note,
        "active": consent.withdrawn_on is None,
    }


def latest_consent(person: Any) -> dict[str, Any] | None:
    """The consent a person's record shows: the one in force, else the latest withdrawn."""
    consents = queries.consents_of(person)
    shown = next((c for c in consents if c.withdrawn_on is None), None) or next(
        iter(consents), None
    )
    return consent_out(shown) if shown else None


def request_out(item: SubjectRequest) -> dict[str, Any]:
    return {
        "id": item.pk,
        "person_id": item.person_id,
        "person_name": item.person.full_name,
        "kind": item.kind,
        "kind_label": item.get_kind_display(),
        "detail": item.detail,
        "received_on": item.received_on,
        "due_on": item.due_on,
        "overdue": item.overdue(),
        "state": item.state,
        "state_label": item.get_state_display(),
        "recorded_by": user_name(item.recorded_by),
        "handled_by": user_name(item.handled_by),
        "answered_on": item.answered_on,
        "answer": item.answer,
    }


def consent_given(payload: ConsentIn | None) -> actions.ConsentGiven | None:
    """The action's consent from the body's; an unknown notice version → 400."""
    if payload is None:
        return None
    notice = None
    if payload.notice_version:
        notice = Notice.objects.filter(version=payload.notice_version).first()
        if notice is None:
            raise ApiError(
                400, fields={"consent.notice_version": "Không có thông báo phiên bản này."}
            )
    return actions.ConsentGiven(given_on=payload.given_on, method=payload.method, notice=notice)


def _person(request: HttpRequest, person_id: int) -> Person:
    return get_object_or_404(visible_people(user_of(request)), pk=person_id)


def _request(request: HttpRequest, request_id: int) -> SubjectRequest:
    return get_object_or_404(queries.visible_requests(user_of(request)), pk=request_id)


# ---- notice and consent ----------------------------------------------------------------


@router.get("/privacy/notice", response={200: NoticeOut, **READ_ERRORS}, url_name="privacy-notice")
def get_notice(
    request: HttpRequest, version: str = Query("", max_length=20)
) -> dict[str, Any] | Notice:
    """The notice of processing in force today, or the one of ``version``."""
    notice = (
        Notice.objects.filter(version=version).first()
        if version
        else queries.notice_in_force(timezone.localdate())
    )
    if notice is None:
        raise ApiError(404, "Không có thông báo này.")
    return notice


@router.get(
    "/privacy/persons/{person_id}/consents",
    response={200: list[ConsentOut], **READ_ERRORS},
    url_name="privacy-consents",
)
def list_consents(request: HttpRequest, person_id: int) -> list[dict[str, Any]]:
    """Every consent of the person, the newest first."""
    return [consent_out(c) for c in queries.consents_of(_person(request, person_id))]


@router.post(
    "/privacy/persons/{person_id}/consents",
    response={201: ConsentOut, **WRITE_ERRORS},
    url_name="privacy-consent-record",
)
def record_consent(
    request: HttpRequest, person_id: int, payload: ConsentIn
) -> Status[dict[str, Any]]:
    """Record a consent afterwards (a person listed or imported without one)."""
    person = _person(request, person_id)
    given = consent_given(payload)
    assert given is not None
    consent = actions.record_consent(
        person,
        given_on=given.given_on,
        method=given.method,
        notice=given.notice,
        by=user_of(request),
    )
    return Status(201, consent_out(Consent.objects.select_related("notice").get(pk=consent.pk)))


@router.post(
    "/privacy/consents/{consent_id}/withdraw",
    response={200: ConsentOut, **WRITE_ERRORS},
    url_name="privacy-consent-withdraw",
)
def withdraw_consent(request: HttpRequest, consent_id: int, payload: WithdrawIn) -> dict[str, Any]:
    """The person takes their consent back: recorded, nothing deleted."""
    user = user_of(request)
    rows = Consent.objects.filter(person__in=visible_people(user)).select_related("notice")
    consent = get_object_or_404(rows, pk=consent_id)
    actions.withdraw_consent(consent, withdrawn_on=payload.withdrawn_on, note=payload.note, by=user)
    return consent_out(rows.get(pk=consent_id))


# ---- data-subject requests -------------------------------------------------------------


@router.get(
    "/privacy/requests", response={200: RequestPage, **READ_ERRORS}, url_name="privacy-requests"
)
def list_requests(request: HttpRequest, filters: Query[RequestFilters]) -> dict[str, Any]:
    """Requests of people in the user's subtrees, the earliest due first."""
    today = timezone.localdate()
    rows = queries.filter_requests(
        queries.visible_requests(user_of(request)),
        state=filters.state or "",
        kind=filters.kind or "",
        q=filters.q.strip(),
        overdue_on=today if filters.overdue else None,
    )
    if filters.person is not None:
        rows = rows.filter(person_id=filters.person)
    rows = rows.order_by("due_on", "pk")
    page = rows[filters.offset : filters.offset + filters.limit]
    return {"count": rows.count(), "items": [request_out(r) for r in page]}


@router.post("/privacy/requests", response={201: RequestOut, **WRITE_ERRORS})
def create_request(request: HttpRequest, payload: RequestIn) -> Status[dict[str, Any]]:
    """Record a request a person made; the answer is due 72 hours [U] after reception."""
    person = _person(request, payload.person_id)
    made = actions.record_request(
        person,
        kind=payload.kind,
        received_on=payload.received_on,
        detail=payload.detail,
        by=user_of(request),
    )
    return Status(201, request_out(_request(request, made.pk)))


@router.get(
    "/privacy/requests/{request_id}",
    response={200: RequestOut, **READ_ERRORS},
    url_name="privacy-request",
)
def get_request(request: HttpRequest, request_id: int) -> dict[str, Any]:
    return request_out(_request(request, request_id))


@router.post(
    "/privacy/requests/{request_id}/start",
    response={200: RequestOut, **WRITE_ERRORS},
    url_name="privacy-request-start",
)
def start_request(request: HttpRequest, request_id: int) -> dict[str, Any]:
    """Start handling: the request becomes the user's."""
    actions.start_request(_request(request, request_id), by=user_of(request))
    return request_out(_request(request, request_id))


@router.post(
    "/privacy/requests/{request_id}/answer",
    response={200: RequestOut, **WRITE_ERRORS},
    url_name="privacy-request-answer",
)
def answer_request(request: HttpRequest, request_id: int, payload: AnswerIn) -> dict[str, Any]:
    """Close the request: done, or refused with the reason."""
    actions.answer_request(
        _request(request, request_id),
        state=payload.state,
        answer=payload.answer,
        answered_on=payload.answered_on,
        by=user_of(request),
    )
    return request_out(_request(request, request_id))


@router.get(
    "/privacy/requests/{request_id}/data",
    response={200: HoldingsOut, **responses(400, 401, 403, 404, 409)},
    url_name="privacy-request-data",
)
def request_data(request: HttpRequest, request_id: int) -> dict[str, Any]:
    """Everything held about the person of an access request (Điều 14), for the one who
    handles it; logged as an export, marked with who extracted it and when."""
    user = user_of(request)
    item = _request(request, request_id)
    if not queries.may_handle_personal_data(user, item.org_path):
        raise ApiError(403, "Chỉ chi bộ và cấp ủy quản lý hồ sơ của người này mới được tải.")
    if item.kind != RequestKind.ACCESS or item.state == RequestState.REFUSED:
        raise ApiError(
            409,
            "Chỉ yêu cầu xem, nhận bản sao dữ liệu (chưa bị từ chối) mới tải được dữ liệu.",
            code="not_access_request",
        )
    tables = holdings.holdings(item.person)
    log_access(
        request,
        kind=AccessKind.API,
        what="Toàn bộ dữ liệu của một người (json)",
        person=item.person_id,
        org_path=item.org_path,
        rows=sum(len(t.rows) for t in tables),
        user=user,
    )
    return holdings.as_json(item.person, tables, watermark=listexport.watermark(user))
