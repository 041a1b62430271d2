"""Member moves of the leaving area over JSON, on the members router (API.md "Members"):
removal (xóa tên), voluntary exit, expulsion, death.

Reads that do not sit under /members go on ``extra``, mounted at the API root:
``GET /departures`` and ``GET /removal-proceedings``."""

from datetime import date
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from dangvien.api.auth import user_of
from dangvien.api.errors import responses
from dangvien.api.members import MOVE_ERRORS, answer, ready_for, router
from dangvien.api.schemas import Count, Day, MemberOut, Page, Text
from dangvien.members.actions import leaving as actions
from dangvien.members.models import ProceedingKind, RemovalTrigger, Status
from dangvien.members.queries import leaving, visible_members
from dangvien.organisations.queries import visible_organisations

extra = Router(tags=["Đảng viên"])

Size = Annotated[int, Field(ge=1, le=1000)]


# ---- bodies ------------------------------------------------------------------------------


class RequestSelfReviewIn(Schema):
    requested_on: Day
    trigger: RemovalTrigger | None = Field(
        None, description="Căn cứ xem xét xóa tên; bắt buộc ở lần yêu cầu đầu tiên"
    )
    reason: Text = Field("", description="Lý do; bắt buộc ở lần yêu cầu đầu tiên")


class RecordSelfReviewIn(Schema):
    reviewed_on: Day
    note: Text = ""


class ProposeRemovalIn(Schema):
    held_on: Day
    in_favour: Count
    against: Count
    resolution_no: str = Field(..., min_length=1, max_length=50)
    trigger: RemovalTrigger
    reason: str = Field(..., min_length=1, max_length=1000)
    exempted_present: Count = Field(0, description="Số đảng viên được miễn sinh hoạt có mặt")
    educated_since: Day | None = Field(
        None, description="Ngày chi bộ bắt đầu giáo dục (căn cứ giảm sút ý chí)"
    )


class GrassrootsRemovalVoteIn(Schema):
    held_on: Day
    in_favour: Count
    committee_size: Size
    resolution_no: str = Field(..., min_length=1, max_length=50)
    against: Count = 0


class DecideRemovalIn(Schema):
    decision_no: str = Field(..., min_length=1, max_length=50)
    decided_on: Day
    removed: bool
    in_favour: Count | None = None
    committee_size: Size | None = None
    late_reason: Text = ""
    note: Text = ""


class RequestExitIn(Schema):
    requested_on: Day
    reason: str = Field(..., min_length=1, max_length=1000)


class RecordExitIn(Schema):
    decision_no: str = Field(..., min_length=1, max_length=50)
    decided_on: Day
    family_hardship: bool = Field(
        False,
        description="Vì hoàn cảnh gia đình đặc biệt khó khăn: không ghi vào diện "
        "không kết nạp lại (294-QĐ/TW §3.5)",
    )
    note: Text = ""


class RecordExpulsionIn(Schema):
    decision_no: str = Field(..., min_length=1, max_length=50)
    decided_on: Day
    body: str = Field(..., min_length=1, max_length=200, description="Cơ quan ra quyết định")
    reason: str = Field(..., min_length=1, max_length=1000)
    never_readmit: Literal["left_meetings", "disunity", "corruption", "serious_crime"] | None = (
        Field(None, description="Diện không kết nạp lại (294-QĐ/TW §3.5)")
    )


class RecordDeathIn(Schema):
    died_on: Day
    note: Text = ""


class RemovalVoteOut(MemberOut):
    denominator: int
    passed: bool


# ---- moves -------------------------------------------------------------------------------


@router.post("/{member_id}/request-self-review", response={200: MemberOut, **MOVE_ERRORS})
def request_self_review(
    request: HttpRequest, member_id: int, payload: RequestSelfReviewIn
) -> dict[str, Any]:
    """Chi ủy yêu cầu đảng viên tự kiểm điểm trước khi xem xét xóa tên; yêu cầu đến lần
    thứ 3 mà đảng viên không kiểm điểm thì chi bộ vẫn xem xét (HD 01-HD/TW §11.1a). Lần
    đầu mở việc xem xét xóa tên với căn cứ (``trigger``) và lý do."""
    member = ready_for(request, member_id, "request-self-review")
    actions.request_self_review(
        member,
        by=user_of(request),
        requested_on=payload.requested_on,
        trigger=payload.trigger or "",
        reason=payload.reason,
    )
    return answer(request, member_id)


@router.post("/{member_id}/record-self-review", response={200: MemberOut, **MOVE_ERRORS})
def record_self_review(
    request: HttpRequest, member_id: int, payload: RecordSelfReviewIn
) -> dict[str, Any]:
    """Đảng viên đã làm bản tự kiểm điểm và kiểm điểm trước chi bộ (HD 01-HD/TW §11.1a)."""
    member = ready_for(request, member_id, "record-self-review")
    actions.record_self_review(member, by=user_of(request), **payload.model_dump())
    return answer(request, member_id)


@router.post("/{member_id}/propose-removal", response={200: RemovalVoteOut, **MOVE_ERRORS})
def propose_removal(
    request: HttpRequest, member_id: int, payload: ProposeRemovalIn
) -> dict[str, Any]:
    """Chi bộ biểu quyết đề nghị xóa tên: ít nhất 2/3 (Điều lệ Đảng Điều 8; HD 01-HD/TW
    §11.1). Chỉ xét khi đảng viên đã tự kiểm điểm hoặc đã được yêu cầu đủ 3 lần. Căn cứ bỏ
    sinh hoạt / không đóng đảng phí: sổ sách phải có ít nhất 3 tháng trong năm. Biểu quyết
    không đạt vẫn được ghi (``passed: false``)."""
    member = ready_for(request, member_id, "propose-removal")
    vote = actions.propose_removal(member, by=user_of(request), **payload.model_dump())
    return {**answer(request, member_id), "denominator": vote.denominator, "passed": vote.passed}


@router.post(
    "/{member_id}/record-grassroots-removal-vote", response={200: RemovalVoteOut, **MOVE_ERRORS}
)
def record_grassroots_removal_vote(
    request: HttpRequest, member_id: int, payload: GrassrootsRemovalVoteIn
) -> dict[str, Any]:
    """Nghị quyết của đảng ủy cơ sở về đề nghị xóa tên (ít nhất 2/3 cấp ủy viên), nơi có
    đảng ủy cơ sở giữa chi bộ và cấp quyết định (HD 01-HD/TW §11.1b)."""
    member = ready_for(request, member_id, "record-grassroots-removal-vote")
    vote = actions.record_grassroots_removal_vote(
        member, by=user_of(request), **payload.model_dump()
    )
    return {**answer(request, member_id), "denominator": vote.denominator, "passed": vote.passed}


@router.post("/{member_id}/decide-removal", response={200: MemberOut, **MOVE_ERRORS})
def decide_removal(
    request: HttpRequest, member_id: int, payload: DecideRemovalIn
) -> dict[str, Any]:
    """Cấp ủy có thẩm quyền quyết định xóa tên (``removed``) hoặc không. Quá hạn cần
    ``late_reason``. Xóa tên: ``status`` thành ``removed``, hạn khiếu nại 30 ngày làm việc
    (HD 01-HD/TW §11.1c), thu hồi huy hiệu."""
    member = ready_for(request, member_id, "decide-removal")
    actions.decide_removal(member, by=user_of(request), **payload.model_dump())
    return answer(request, member_id)


@router.post("/{member_id}/request-exit", response={200: MemberOut, **MOVE_ERRORS})
def request_exit(request: HttpRequest, member_id: int, payload: RequestExitIn) -> dict[str, Any]:
    """Đơn xin ra khỏi Đảng, nói rõ lý do. Chỉ xem xét khi đảng viên chưa vi phạm tư cách
    (HD 01-HD/TW §11.2a): bị từ chối khi đang xem xét xóa tên."""
    member = ready_for(request, member_id, "request-exit")
    actions.request_exit(member, by=user_of(request), **payload.model_dump())
    return answer(request, member_id)


@router.post("/{member_id}/record-exit", response={200: MemberOut, **MOVE_ERRORS})
def record_exit(request: HttpRequest, member_id: int, payload: RecordExitIn) -> dict[str, Any]:
    """Quyết định cho ra khỏi Đảng (HD 01-HD/TW §11.2a): ``status`` thành ``exited``; ghi
    diện không kết nạp lại trừ khi vì hoàn cảnh gia đình đặc biệt (294-QĐ/TW §3.5)."""
    member = ready_for(request, member_id, "record-exit")
    actions.record_exit(member, by=user_of(request), **payload.model_dump())
    return answer(request, member_id)


@router.post("/{member_id}/record-expulsion", response={200: MemberOut, **MOVE_ERRORS})
def record_expulsion(
    request: HttpRequest, member_id: int, payload: RecordExpulsionIn
) -> dict[str, Any]:
    """Ghi quyết định kỷ luật khai trừ (296-QĐ/TW): ``status`` thành ``expelled``; các việc
    xem xét đang mở bị dừng. Khai trừ không chuyển thành xóa tên hay cho ra khỏi Đảng
    (30-QĐ/TW Điều 35)."""
    member = ready_for(request, member_id, "record-expulsion")
    data = payload.model_dump()
    data["never_readmit"] = data["never_readmit"] or ""
    actions.record_expulsion(member, by=user_of(request), **data)
    return answer(request, member_id)


@router.post("/{member_id}/record-death", response={200: MemberOut, **MOVE_ERRORS})
def record_death(request: HttpRequest, member_id: int, payload: RecordDeathIn) -> dict[str, Any]:
    """Đảng viên từ trần: đóng hồ sơ, dừng các việc xem xét đang mở; gia đình giữ huy hiệu
    (HD 01-HD/TW §18)."""
    member = ready_for(request, member_id, "record-death")
    actions.record_death(member, by=user_of(request), **payload.model_dump())
    return answer(request, member_id)


# ---- reads -------------------------------------------------------------------------------

DepartureKind = Literal["removed", "exited", "expelled", "deceased"]


class DepartureFilters(Page):
    year: int | None = Field(None, ge=1930, le=2200, description="Năm ra khỏi danh sách")
    kind: DepartureKind | None = Field(None, description="Hình thức")
    organisation: int | None = Field(None, description="Tổ chức: cả cây con")


class DepartureOut(Schema):
    member_id: int
    full_name: str
    branch_id: int
    branch_name: str
    kind: DepartureKind
    kind_label: str
    left_on: date | None
    decision: str = Field(description="Ghi chú của quyết định (số, ngày, cơ quan, lý do)")
    never_readmit: str


class DeparturePage(Schema):
    count: int
    items: list[DepartureOut]


class RemovalProceedingFilters(Page):
    organisation: int | None = Field(None, description="Tổ chức: cả cây con")


class RemovalProceedingVoteOut(Schema):
    body: str
    held_on: date
    in_favour: int
    against: int
    denominator: int
    passed: bool
    resolution_no: str


class RemovalProceedingOut(Schema):
    id: int
    member_id: int
    full_name: str
    branch_id: int
    branch_name: str
    step: str
    step_label: str
    trigger: str
    trigger_label: str
    reason: str
    opened_on: date
    self_review_requests: int
    self_reviewed_on: date | None
    decision_due_on: date | None
    votes: list[RemovalProceedingVoteOut]


class RemovalProceedingPage(Schema):
    count: int
    items: list[RemovalProceedingOut]


@extra.get(
    "/departures",
    response={200: DeparturePage, **responses(400, 401, 404)},
    url_name="departures",
)
def list_departures(request: HttpRequest, filters: Query[DepartureFilters]) -> dict[str, Any]:
    """Đảng viên đã ra khỏi danh sách trong phạm vi: bị xóa tên, ra khỏi Đảng, bị khai
    trừ, từ trần (DOMAIN.md §3), mới nhất trước; lọc theo năm, hình thức, tổ chức."""
    user = user_of(request)
    rows = visible_members(user)
    if filters.organisation is not None:
        organisation = get_object_or_404(visible_organisations(user), pk=filters.organisation)
        rows = rows.filter(org_path__startswith=organisation.path)
    rows = leaving.departures(rows, year=filters.year, kind=filters.kind or "")
    page = rows[filters.offset : filters.offset + filters.limit]
    return {
        "count": rows.count(),
        "items": [
            {
                "member_id": m.pk,
                "full_name": m.person.full_name,
                "branch_id": m.branch_id,
                "branch_name": m.branch.name,
                "kind": m.status,
                "kind_label": str(Status(m.status).label),
                "left_on": m.left_on,
                "decision": m.decision_note or "",  # type: ignore[attr-defined]
                "never_readmit": m.never_readmit,
            }
            for m in page
        ],
    }


@extra.get(
    "/removal-proceedings",
    response={200: RemovalProceedingPage, **responses(400, 401, 404)},
    url_name="removal-proceedings",
)
def list_removal_proceedings(
    request: HttpRequest, filters: Query[RemovalProceedingFilters]
) -> dict[str, Any]:
    """Các việc xem xét xóa tên đang mở trong phạm vi, cũ nhất trước: căn cứ, số lần yêu
    cầu tự kiểm điểm, các lần biểu quyết, hạn cấp ủy quyết định (HD 01-HD/TW §11.1)."""
    user = user_of(request)
    organisation = None
    if filters.organisation is not None:
        organisation = get_object_or_404(visible_organisations(user), pk=filters.organisation)
    rows = leaving.open_proceedings(
        user, kinds=(ProceedingKind.REMOVAL,), organisation=organisation
    )
    page = rows[filters.offset : filters.offset + filters.limit]
    return {
        "count": rows.count(),
        "items": [
            {
                "id": p.pk,
                "member_id": p.member_id,
                "full_name": p.member.person.full_name,
                "branch_id": p.member.branch_id,
                "branch_name": p.member.branch.name,
                "step": p.step,
                "step_label": p.get_step_display(),
                "trigger": p.trigger,
                "trigger_label": p.get_trigger_display() if p.trigger else "",
                "reason": p.reason,
                "opened_on": p.opened_on,
                "self_review_requests": p.self_review_requests,
                "self_reviewed_on": p.self_reviewed_on,
                "decision_due_on": p.decision_due_on,
                "votes": [
                    {
                        "body": v.body,
                        "held_on": v.held_on,
                        "in_favour": v.in_favour,
                        "against": v.against,
                        "denominator": v.denominator,
                        "passed": v.passed,
                        "resolution_no": v.resolution_no,
                    }
                    for v in p.vote_list  # type: ignore[attr-defined]
                ],
            }
            for p in page
        ],
    }
