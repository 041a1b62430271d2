"""Member moves of the transfers area over JSON, on the members router (API.md "Members"):
exemption, transfers of party activity (294-QĐ/TW §6.3) and members working far away.

Reads that do not sit under /members go on ``extra``, mounted at the API root:
``GET /transfers`` (both ends of the user's scope) and ``GET /far-away``.
"""

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from dangvien.api.auth import user_of
from dangvien.api.errors import ApiError, responses
from dangvien.api.members import MOVE_ERRORS, answer, ready_for, router
from dangvien.api.schemas import MemberOut, Page
from dangvien.core.errors import DomainError
from dangvien.members.actions import transfers as actions
from dangvien.members.models import ExemptionReason, Transfer, TransferKind
from dangvien.members.queries import transfers as q
from dangvien.organisations.models import MEMBER_HOLDING, Organisation
from dangvien.organisations.queries import visible_organisations
from dangvien.rowsecurity.scope import unrestricted

extra = Router(tags=["Đảng viên"])


# ---- bodies ----------------------------------------------------------------------------


class ExemptIn(Schema):
    reason: ExemptionReason = Field(description="Lý do miễn (Điều lệ Đảng Điều 7)")
    from_on: date
    until_on: date | None = None
    note: str = Field("", max_length=1000)


class EndExemptionIn(Schema):
    until_on: date = Field(description="Ngày cuối cùng được miễn; hôm sau trở lại sinh hoạt")
    note: str = Field("", max_length=1000)


class StartTransferIn(Schema):
    kind: TransferKind
    to_organisation_id: int = Field(description="Chi bộ nơi đến (bất kỳ chi bộ nào)")
    letter_no: str = Field(min_length=1, max_length=50, description="Số giấy giới thiệu")
    issued_on: date = Field(description="Ngày cấp giấy giới thiệu")
    cause_on: date | None = Field(
        None, description="Ngày có quyết định / chuyển nơi ở (bắt buộc khi chuyển chính thức)"
    )
    for_study: bool = Field(False, description="Đi học tập trung (tạm thời, tối đa 24 tháng)")
    until_on: date | None = Field(None, description="Sinh hoạt tạm thời đến ngày")
    late_reason: str = Field("", max_length=1000, description="Lý do làm thủ tục chậm")


class ReceiveTransferIn(Schema):
    received_on: date
    late_reason: str = Field("", max_length=1000, description="Lý do nộp giấy giới thiệu chậm")


class ReturnTransferIn(Schema):
    returned_on: date
    note: str = Field("", max_length=1000)


class CancelTransferIn(Schema):
    reason: str = Field(min_length=1, max_length=1000)


class FlagFarAwayIn(Schema):
    since: date
    place: str = Field(min_length=1, max_length=200)
    note: str = Field("", max_length=1000)


class RecordContactIn(Schema):
    contacted_on: date
    note: str = Field("", max_length=1000)


class ClearFarAwayIn(Schema):
    back_on: date
    note: str = Field("", max_length=1000)


# ---- moves -----------------------------------------------------------------------------


@router.post("/{member_id}/exempt", response={200: MemberOut, **MOVE_ERRORS})
def exempt(request: HttpRequest, member_id: int, payload: ExemptIn) -> dict[str, Any]:
    """Miễn công tác và sinh hoạt đảng theo đơn của đảng viên (tuổi cao, sức khỏe yếu, điều
    trị dài ngày, ra nước ngoài việc riêng, làm việc lưu động, nghỉ thai sản): Điều lệ Đảng
    Điều 7; 27-HD/BTCTW §1; 12-HD/BTCTW 2022 §IV.1.2. Mỗi lúc một lần miễn; 409 nếu trùng
    thời gian với lần miễn khác."""
    member = ready_for(request, member_id, "exempt")
    actions.exempt(
        member,
        reason=payload.reason,
        from_on=payload.from_on,
        until_on=payload.until_on,
        note=payload.note,
        by=user_of(request),
    )
    return answer(request, member_id)


@router.post("/{member_id}/end-exemption", response={200: MemberOut, **MOVE_ERRORS})
def end_exemption(request: HttpRequest, member_id: int, payload: EndExemptionIn) -> dict[str, Any]:
    """Kết thúc miễn công tác và sinh hoạt đảng: đảng viên trở lại sinh hoạt."""
    member = ready_for(request, member_id, "end-exemption")
    actions.end_exemption(member, until_on=payload.until_on, note=payload.note, by=user_of(request))
    return answer(request, member_id)


@router.post("/{member_id}/start-transfer", response={200: MemberOut, **MOVE_ERRORS})
def start_transfer(
    request: HttpRequest, member_id: int, payload: StartTransferIn
) -> dict[str, Any]:
    """Cấp giấy giới thiệu chuyển sinh hoạt đảng (294-QĐ/TW §6.3). Chính thức: làm thủ tục
    trong 60 ngày làm việc kể từ `cause_on` (chậm thì cần `late_reason`); nộp giấy trong 30
    ngày làm việc kể từ ngày cấp. Tạm thời: từ 3 tháng đến dưới 12 tháng, đi học tập trung
    đến 24 tháng. Nơi đến là một chi bộ bất kỳ (có thể ngoài phạm vi của bạn), không phải
    chi bộ hiện tại; mỗi lúc một lần chuyển."""
    member = ready_for(request, member_id, "start-transfer")
    destination = Organisation.objects.filter(
        pk=payload.to_organisation_id, kind__in=MEMBER_HOLDING
    ).first()
    if destination is None:
        raise ApiError(400, fields={"to_organisation_id": "Không tìm thấy chi bộ này."})
    try:
        actions.start_transfer(
            member,
            kind=payload.kind,
            to_organisation=destination,
            letter_no=payload.letter_no,
            issued_on=payload.issued_on,
            cause_on=payload.cause_on,
            for_study=payload.for_study,
            until_on=payload.until_on,
            late_reason=payload.late_reason,
            by=user_of(request),
        )
    except DomainError as error:
        if error.field == "to_organisation":  # the body names it by its id
            error.field = "to_organisation_id"
        raise
    return answer(request, member_id)


@router.post("/{member_id}/receive-transfer", response={200: MemberOut, **MOVE_ERRORS})
def receive_transfer(
    request: HttpRequest, member_id: int, payload: ReceiveTransferIn
) -> dict[str, Any]:
    """Chi bộ nơi đến tiếp nhận giấy giới thiệu (294-QĐ/TW §6.3). Chỉ cán bộ của nơi đến
    (403 với người khác). Nộp sau hạn 30 ngày làm việc thì cần `late_reason`. Chuyển chính
    thức: đảng viên thuộc chi bộ nơi đến. Tạm thời: vẫn thuộc chi bộ nhà, không tính vào
    đảng số nơi đến, không tính vào tổng số biểu quyết của chi bộ nhà."""
    member = ready_for(request, member_id, "receive-transfer")
    actions.receive_transfer(
        member,
        received_on=payload.received_on,
        late_reason=payload.late_reason,
        by=user_of(request),
    )
    return answer(request, member_id)


@router.post("/{member_id}/return-transfer", response={200: MemberOut, **MOVE_ERRORS})
def return_transfer(
    request: HttpRequest, member_id: int, payload: ReturnTransferIn
) -> dict[str, Any]:
    """Đảng viên trở về chi bộ nhà sau sinh hoạt tạm thời (294-QĐ/TW §6.3.2)."""
    member = ready_for(request, member_id, "return-transfer")
    actions.return_transfer(
        member, returned_on=payload.returned_on, note=payload.note, by=user_of(request)
    )
    return answer(request, member_id)


@router.post("/{member_id}/cancel-transfer", response={200: MemberOut, **MOVE_ERRORS})
def cancel_transfer(
    request: HttpRequest, member_id: int, payload: CancelTransferIn
) -> dict[str, Any]:
    """Hủy giấy giới thiệu chưa được nơi đến tiếp nhận; lý do ghi vào quá trình."""
    member = ready_for(request, member_id, "cancel-transfer")
    actions.cancel_transfer(member, reason=payload.reason, by=user_of(request))
    return answer(request, member_id)


@router.post("/{member_id}/flag-far-away", response={200: MemberOut, **MOVE_ERRORS})
def flag_far_away(request: HttpRequest, member_id: int, payload: FlagFarAwayIn) -> dict[str, Any]:
    """Ghi đảng viên đi làm ăn xa để theo dõi (HD 01-HD/TW §10.3)."""
    member = ready_for(request, member_id, "flag-far-away")
    actions.flag_far_away(
        member, since=payload.since, place=payload.place, note=payload.note, by=user_of(request)
    )
    return answer(request, member_id)


@router.post("/{member_id}/record-contact", response={200: MemberOut, **MOVE_ERRORS})
def record_contact(
    request: HttpRequest, member_id: int, payload: RecordContactIn
) -> dict[str, Any]:
    """Ghi lần liên lạc với đảng viên đi làm ăn xa."""
    member = ready_for(request, member_id, "record-contact")
    actions.record_contact(
        member, contacted_on=payload.contacted_on, note=payload.note, by=user_of(request)
    )
    return answer(request, member_id)


@router.post("/{member_id}/clear-far-away", response={200: MemberOut, **MOVE_ERRORS})
def clear_far_away(request: HttpRequest, member_id: int, payload: ClearFarAwayIn) -> dict[str, Any]:
    """Đảng viên đi làm ăn xa đã về địa phương."""
    member = ready_for(request, member_id, "clear-far-away")
    actions.clear_far_away(member, back_on=payload.back_on, note=payload.note, by=user_of(request))
    return answer(request, member_id)


# ---- lists -----------------------------------------------------------------------------


class TransferFilters(Page):
    direction: Literal["all", "in", "out"] = Field(
        "all", description="out: chuyển đi khỏi phạm vi; in: chuyển đến; all: cả hai"
    )
    state: Literal["open", "in_flight", "received", "returned", "cancelled", "all"] = Field(
        "open", description="open (mặc định): đang chuyển hoặc đang sinh hoạt tạm thời"
    )
    kind: TransferKind | None = None
    organisation: int | None = Field(None, description="Tổ chức: cả cây con, ở cả hai đầu")


class TransferOut(Schema):
    id: int
    member_id: int
    full_name: str
    kind: TransferKind
    state: str
    state_label: str
    outgoing: bool = Field(description="Nơi đi nằm trong phạm vi của bạn")
    incoming: bool = Field(description="Nơi đến nằm trong phạm vi của bạn")
    from_branch_id: int
    from_branch_name: str
    to_organisation_id: int | None
    to_name: str
    letter_no: str
    cause_on: date | None
    issued_on: date
    present_by: date
    for_study: bool
    until_on: date | None
    received_on: date | None
    returned_on: date | None
    late_reason: str
    overdue: bool


class TransferPage(Schema):
    count: int
    items: list[TransferOut]


class FarAwayFilters(Page):
    organisation: int | None = Field(None, description="Tổ chức: cả cây con")
    no_contact: bool = Field(False, description="Chỉ những người quá hạn chưa liên lạc")


class FarAwayOut(Schema):
    member_id: int
    full_name: str
    branch_id: int
    branch_name: str
    since: date
    place: str
    last_contact_on: date | None
    contact_due_on: date
    no_contact: bool


class FarAwayPage(Schema):
    count: int
    contact_months: int
    items: list[FarAwayOut]


def _transfer_out(t: Transfer) -> dict[str, Any]:
    return {
        "id": t.pk,
        "member_id": t.member_id,
        "full_name": t.member.person.full_name,
        "kind": t.kind,
        "state": t.state,
        "state_label": t.get_state_display(),
        "outgoing": t.outgoing,  # type: ignore[attr-defined]
        "incoming": t.incoming,  # type: ignore[attr-defined]
        "from_branch_id": t.from_branch_id,
        "from_branch_name": t.from_branch.name,
        "to_organisation_id": t.to_organisation_id,
        "to_name": q.destination_name(t),
        "letter_no": t.letter_no,
        "cause_on": t.cause_on,
        "issued_on": t.issued_on,
        "present_by": t.present_by,
        "for_study": t.for_study,
        "until_on": t.until_on,
        "received_on": t.received_on,
        "returned_on": t.returned_on,
        "late_reason": t.late_reason,
        "overdue": t.overdue,  # type: ignore[attr-defined]
    }


def _organisation(request: HttpRequest, pk: int | None) -> Organisation | None:
    if pk is None:
        return None
    return get_object_or_404(visible_organisations(user_of(request)), pk=pk)


@extra.get(
    "/transfers", response={200: TransferPage, **responses(400, 401, 404)}, url_name="transfers"
)
def list_transfers(request: HttpRequest, filters: Query[TransferFilters]) -> dict[str, Any]:
    """Chuyển sinh hoạt đảng ở cả hai đầu phạm vi của bạn (294-QĐ/TW §6.3): chuyển đi (chi
    bộ nơi đi trong phạm vi) và chuyển đến (nơi đến trong phạm vi), quá hạn lên đầu."""
    rows = q.scope_transfers(
        user_of(request),
        today=timezone.localdate(),
        direction=filters.direction,
        state=filters.state,
        kind=filters.kind or "",
        organisation=_organisation(request, filters.organisation),
    )
    with unrestricted():  # the register names members who have left: q.scope_transfers
        page = rows[filters.offset : filters.offset + filters.limit]
        return {"count": rows.count(), "items": [_transfer_out(t) for t in page]}


@extra.get(
    "/far-away", response={200: FarAwayPage, **responses(400, 401, 404)}, url_name="far-away"
)
def list_far_away(request: HttpRequest, filters: Query[FarAwayFilters]) -> dict[str, Any]:
    """Đảng viên đi làm ăn xa trong phạm vi của bạn, lâu chưa liên lạc lên đầu; cảnh báo khi
    quá `far_away.contact_months` (mặc định 3) tháng chưa liên lạc."""
    user = user_of(request)
    today = timezone.localdate()
    organisation = _organisation(request, filters.organisation)
    months = q.contact_months(q.rule_organisation(user, organisation), today)
    rows = q.far_away_members(
        user,
        today=today,
        months=months,
        organisation=organisation,
        no_contact_only=filters.no_contact,
    )
    page = rows[filters.offset : filters.offset + filters.limit]
    items = [
        {
            "member_id": m.pk,
            "full_name": m.person.full_name,
            "branch_id": m.branch_id,
            "branch_name": m.branch.name,
            "since": m.far_away_since,
            "place": m.far_away_place,
            "last_contact_on": m.far_away_contact_on,
            "contact_due_on": q.contact_due_on(m, months),
            "no_contact": m.no_contact,  # type: ignore[attr-defined]
        }
        for m in page
    ]
    return {"count": rows.count(), "contact_months": months, "items": items}
