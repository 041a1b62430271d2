"""Branch meetings, resolution study and dues over JSON (Charter Art. 24; Quy định
01-QĐ/TW 3/2/2026), and the removal candidates they raise (Charter Art. 8).

On the members router: ``POST /members/{id}/set-dues-basis`` and
``POST /members/{id}/grant-dues-relief``. On ``extra``, mounted at the API root:
``/meetings``, ``/meetings/{id}``, ``/dues``, ``/statistics/resolution-study`` and
``/removal-candidates``. Outside the user's scope: 404; a role without the branch-moves
capability: 403; a rule refusing: 409 and nothing written.
"""

import re
from datetime import date
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator

from dangvien.accounts import queries as access
from dangvien.accounts.models import Capability
from dangvien.api.auth import user_of
from dangvien.api.errors import ApiError, responses
from dangvien.api.members import MOVE_ERRORS, answer, ready_for, router
from dangvien.api.schemas import Day, MemberOut, Page
from dangvien.core.dates import parse_month
from dangvien.members.actions import meetings as actions
from dangvien.members.models import (
    Attendance,
    DuesBasis,
    DuesChannel,
    Meeting,
    MeetingKind,
    Member,
    ReliefKind,
)
from dangvien.members.queries import meetings as q
from dangvien.members.queries import visible_members
from dangvien.organisations.models import MEMBER_HOLDING, Organisation
from dangvien.organisations.queries import visible_organisations

extra = Router(tags=["Sinh hoạt chi bộ, đảng phí"])

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
MONTH_HELP = "Tháng dạng YYYY-MM, ví dụ 2026-03"


def _month(value: Any) -> Any:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _MONTH.fullmatch(value.strip()):
        raise ValueError("Tháng không hợp lệ: dùng dạng YYYY-MM, ví dụ 2026-03.")
    return value.strip()


def _month_date(value: str) -> date:
    parsed = parse_month(value)
    assert parsed is not None  # checked by the schema
    return parsed


# ---- bodies ------------------------------------------------------------------------------


class MonthBody(Schema):
    @field_validator("month", "from_month", "until_month", mode="before", check_fields=False)
    @classmethod
    def month_shape(cls, value: Any) -> Any:
        return _month(value)


class PresenceIn(Schema):
    member_id: int
    present: bool
    excused: bool = False
    reason: str = Field("", max_length=200, description="Lý do vắng (bắt buộc khi vắng có lý do)")


class MeetingIn(Schema):
    branch_id: int = Field(description="Chi bộ")
    kind: MeetingKind = Field(
        description="regular: thường kỳ; thematic: chuyên đề; study: học tập nghị quyết"
    )
    held_on: Day
    topic: str = Field("", max_length=300, description="Nội dung; bắt buộc với chuyên đề, học tập")
    attendance: list[PresenceIn] = Field(
        description="Mỗi đảng viên của chi bộ một dòng; đảng viên sinh hoạt tạm thời nơi khác "
        "và được miễn sinh hoạt có thể bỏ qua (được ghi vắng có lý do)"
    )


class AttendanceIn(Schema):
    attendance: list[PresenceIn] = Field(min_length=1)


class PaymentIn(Schema):
    member_id: int
    amount_paid: int = Field(0, ge=0, le=10**12, description="Số tiền đã nộp (đồng); 0: chưa nộp")
    paid_on: Day | None = None
    channel: DuesChannel | None = Field(
        None, description="portal: Cổng DVC quốc gia; cash: tiền mặt"
    )
    excused: bool = Field(False, description="Chưa nộp có lý do (ghi lý do vào note)")
    note: str = Field("", max_length=200)


class DuesIn(MonthBody):
    branch_id: int
    month: str = Field(description=MONTH_HELP)
    payments: list[PaymentIn] = Field(min_length=1)


class DuesBasisIn(MonthBody):
    from_month: str = Field(description=MONTH_HELP)
    basis: DuesBasis
    base_amount: int = Field(
        0, ge=0, le=10**12, description="Tiền lương BHXH / trợ cấp / lương hưu (đồng)"
    )


class DuesReliefIn(MonthBody):
    kind: ReliefKind = Field(description="exempt: miễn; reduced: giảm")
    percent: int = Field(100, description="Mức giảm: 30, 50 hoặc 70 (khi giảm)")
    from_month: str = Field(description=MONTH_HELP)
    until_month: str | None = Field(None, description=MONTH_HELP)
    reason: str = Field(min_length=1, max_length=200)
    social_pension: bool = Field(
        False, description="Hưởng trợ cấp hưu trí xã hội: miễn không thời hạn"
    )


# ---- answers -----------------------------------------------------------------------------


class PresenceOut(Schema):
    member_id: int
    full_name: str
    branch_id: int
    present: bool
    excused: bool
    reason: str


class MeetingItem(Schema):
    id: int
    organisation_id: int
    organisation_name: str
    kind: MeetingKind
    kind_label: str
    held_on: date
    topic: str
    attended: int
    expected: int = Field(description="Số dòng điểm danh")
    absent_unexcused: int


class MeetingOut(MeetingItem):
    attendance: list[PresenceOut]


class MeetingPage(Schema):
    count: int
    items: list[MeetingItem]


class MeetingFilters(Page):
    organisation: int | None = Field(None, description="Tổ chức: cả cây con")
    month: str | None = Field(None, description=MONTH_HELP)
    kind: MeetingKind | None = None

    @field_validator("month", mode="before")
    @classmethod
    def month_shape(cls, value: Any) -> Any:
        return _month(value)


class DuesRowOut(Schema):
    member_id: int
    full_name: str
    status: str
    basis: str
    base_amount: int | None
    amount_due: int | None = Field(description="Đã ghi: số phải nộp đã ghi; chưa ghi: số tính được")
    recorded: bool
    amount_paid: int
    paid_on: date | None
    channel: str
    excused: bool
    unpaid: bool = Field(description="Đã ghi là chưa nộp (đủ) và không có lý do")
    note: str
    relief: str = Field(description="Miễn, giảm áp dụng (nếu có)")


class DuesOut(Schema):
    branch_id: int
    branch_name: str
    month: str
    total_due: int
    total_paid: int
    unpaid: int
    without_basis: int
    rows: list[DuesRowOut]


class DuesFilters(Schema):
    branch: int
    month: str | None = Field(None, description=MONTH_HELP + " (mặc định tháng này)")

    @field_validator("month", mode="before")
    @classmethod
    def month_shape(cls, value: Any) -> Any:
        return _month(value)


class StudyFilters(Schema):
    organisation: int | None = Field(None, description="Mặc định: tổ chức cao nhất được giao")
    since: Day | None = Field(None, alias="from", description="Từ ngày (mặc định 1/1 năm nay)")
    until: Day | None = Field(None, alias="to", description="Đến ngày (mặc định hôm nay)")
    topic: str = Field("", max_length=200, description="Nội dung / nghị quyết có chứa")


class StudyRowOut(Schema):
    organisation_id: int
    name: str
    expected: int
    attended: int
    percent: float | None = Field(description="Tỷ lệ %, một chữ số thập phân; null khi không có ai")
    below_target: bool


class StudyOut(Schema):
    organisation_id: int
    target_percent: int
    since: date = Field(alias="from")
    until: date = Field(alias="to")
    total: StudyRowOut
    rows: list[StudyRowOut]


class RemovalFilters(Schema):
    organisation: int | None = Field(None, description="Tổ chức: cả cây con")


class RemovalItem(Schema):
    member_id: int
    full_name: str
    branch_id: int
    branch_name: str
    missed_meetings: list[str] = Field(description="Các tháng bỏ sinh hoạt không lý do (YYYY-MM)")
    unpaid_dues: list[str] = Field(description="Các tháng không đóng đảng phí không lý do")
    grounds: list[str] = Field(description="missed_meetings / unpaid_dues")


class RemovalPage(Schema):
    count: int
    since: str = Field(description="Tháng đầu của khoảng tính (YYYY-MM)")
    threshold: int
    items: list[RemovalItem]


# ---- helpers -----------------------------------------------------------------------------


def _branch_for_writing(request: HttpRequest, branch_id: int) -> Organisation:
    """The branch if the user sees it (404) and may record for it (403)."""
    user = user_of(request)
    branch = get_object_or_404(visible_organisations(user), pk=branch_id)
    if not access.can(user, Capability.BRANCH_MOVES, branch.path):
        raise ApiError(403, "Vai trò của bạn không được ghi sinh hoạt, đảng phí của chi bộ này.")
    return branch


def _members(request: HttpRequest, ids: list[int], field: str) -> dict[int, Member]:
    """Members named in a body, in one query; 400 on ``field`` for any not visible."""
    found = {m.pk: m for m in visible_members(user_of(request)).filter(pk__in=ids)}
    missing = [str(pk) for pk in ids if pk not in found]
    if missing:
        raise ApiError(400, fields={field: f"Không tìm thấy đảng viên: {', '.join(missing)}."})
    return found


def _meeting_item(meeting: Meeting) -> dict[str, Any]:
    return {
        "id": meeting.pk,
        "organisation_id": meeting.organisation_id,
        "organisation_name": meeting.organisation.name,
        "kind": meeting.kind,
        "kind_label": str(MeetingKind(meeting.kind).label),
        "held_on": meeting.held_on,
        "topic": meeting.topic,
        "attended": meeting.attended,  # type: ignore[attr-defined]
        "expected": meeting.rows,  # type: ignore[attr-defined]
        "absent_unexcused": meeting.absent_unexcused,  # type: ignore[attr-defined]
    }


def _presence(row: Attendance) -> dict[str, Any]:
    return {
        "member_id": row.member_id,
        "full_name": row.member.person.full_name,
        "branch_id": row.member.branch_id,
        "present": row.present,
        "excused": row.excused,
        "reason": row.reason,
    }


def _meeting_out(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    meeting = get_object_or_404(q.visible_meetings(user_of(request)), pk=meeting_id)
    return {
        **_meeting_item(meeting),
        "attendance": [_presence(r) for r in q.attendance_of(meeting)],
    }


def _dues_out(branch: Organisation, month: date) -> dict[str, Any]:
    grid = q.dues_grid(branch, month)
    rows = []
    for line in grid.lines:
        p = line.payment
        rows.append(
            {
                "member_id": line.member.pk,
                "full_name": line.member.person.full_name,
                "status": line.member.status,
                "basis": p.basis if p else line.basis,
                "base_amount": line.account.base_amount if line.account else None,
                "amount_due": p.amount_due if p else line.amount_due,
                "recorded": p is not None,
                "amount_paid": p.amount_paid if p else 0,
                "paid_on": p.paid_on if p else None,
                "channel": p.channel if p else "",
                "excused": bool(p and p.excused),
                "unpaid": line.unpaid,
                "note": p.note if p else "",
                "relief": line.why,
            }
        )
    return {
        "branch_id": branch.pk,
        "branch_name": branch.name,
        "month": f"{grid.month:%Y-%m}",
        "total_due": grid.total_due,
        "total_paid": grid.total_paid,
        "unpaid": grid.unpaid,
        "without_basis": grid.without_basis,
        "rows": rows,
    }


def _study_row(row: q.StudyRow) -> dict[str, Any]:
    return {
        "organisation_id": row.organisation.pk,
        "name": row.organisation.name,
        "expected": row.expected,
        "attended": row.attended,
        "percent": float(row.percent) if row.percent is not None else None,
        "below_target": row.below_target,
    }


# ---- meetings ----------------------------------------------------------------------------


@extra.get(
    "/meetings", response={200: MeetingPage, **responses(400, 401, 404)}, url_name="meetings"
)
def list_meetings(request: HttpRequest, filters: Query[MeetingFilters]) -> dict[str, Any]:
    """Branch meetings and resolution-study sessions in the user's scope, newest first
    (sinh hoạt chi bộ thường kỳ mỗi tháng một lần: Điều lệ Đảng Điều 24)."""
    user = user_of(request)
    organisation = None
    if filters.organisation is not None:
        organisation = get_object_or_404(visible_organisations(user), pk=filters.organisation)
    rows = q.filter_meetings(
        q.visible_meetings(user),
        organisation=organisation,
        month=parse_month(filters.month) if filters.month else None,
        kind=filters.kind or "",
    )
    page = rows[filters.offset : filters.offset + filters.limit]
    return {"count": rows.count(), "items": [_meeting_item(m) for m in page]}


@extra.post("/meetings", response={201: MeetingOut, **MOVE_ERRORS}, url_name="meetings-new")
def create_meeting(request: HttpRequest, payload: MeetingIn) -> Status[dict[str, Any]]:
    """Record a branch meeting or a resolution-study session with its attendance.

    One regular meeting per branch and month (Điều lệ Đảng Điều 24), not in the future;
    attendance covers every active member of the branch on that day; members on
    temporary transfer out (294-QĐ/TW §6.3.2) and exempted members (Điều lệ Điều 7) may
    be left out and are written as excused. Topic required for thematic and study."""
    branch = _branch_for_writing(request, payload.branch_id)
    members = _members(request, [p.member_id for p in payload.attendance], "attendance")
    meeting = actions.record_meeting(
        branch,
        kind=payload.kind,
        held_on=payload.held_on,
        topic=payload.topic,
        attendance=[
            actions.Presence(members[p.member_id], p.present, p.excused, p.reason)
            for p in payload.attendance
        ],
        by=user_of(request),
    )
    return Status(201, _meeting_out(request, meeting.pk))


@extra.get(
    "/meetings/{meeting_id}",
    response={200: MeetingOut, **responses(400, 401, 404)},
    url_name="meeting",
)
def get_meeting(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    """One meeting with its attendance."""
    return _meeting_out(request, meeting_id)


@extra.post("/meetings/{meeting_id}/attendance", response={200: MeetingOut, **MOVE_ERRORS})
def correct_attendance(
    request: HttpRequest, meeting_id: int, payload: AttendanceIn
) -> dict[str, Any]:
    """Correct the attendance of a recorded meeting (the rows given replace those members'
    rows; same checks as when recording)."""
    meeting = get_object_or_404(q.visible_meetings(user_of(request)), pk=meeting_id)
    _branch_for_writing(request, meeting.organisation_id)
    members = _members(request, [p.member_id for p in payload.attendance], "attendance")
    actions.update_attendance(
        meeting,
        attendance=[
            actions.Presence(members[p.member_id], p.present, p.excused, p.reason)
            for p in payload.attendance
        ],
        by=user_of(request),
    )
    return _meeting_out(request, meeting_id)


# ---- dues --------------------------------------------------------------------------------


@extra.get("/dues", response={200: DuesOut, **responses(400, 401, 404)}, url_name="dues")
def get_dues(request: HttpRequest, filters: Query[DuesFilters]) -> dict[str, Any]:
    """A branch's dues for one month, one row per member, with totals (Quy định 01-QĐ/TW
    ngày 3/2/2026): what is due on each member's basis after exemptions and reductions,
    what was paid, when and how."""
    branch = get_object_or_404(
        visible_organisations(user_of(request)).filter(kind__in=MEMBER_HOLDING),
        pk=filters.branch,
    )
    month = parse_month(filters.month) if filters.month else q.month_start(timezone.localdate())
    return _dues_out(branch, month)  # type: ignore[arg-type]


@extra.post("/dues", response={200: DuesOut, **MOVE_ERRORS}, url_name="dues-record")
def record_dues(request: HttpRequest, payload: DuesIn) -> dict[str, Any]:
    """Record dues paid (or unpaid, with or without a reason) for one month; the amount due
    is computed (01-QĐ/TW 2026). Refused for a month after this one or before the
    member's admission; a payment needs its day and channel (portal / cash)."""
    branch = _branch_for_writing(request, payload.branch_id)
    month = _month_date(payload.month)
    members = _members(request, [p.member_id for p in payload.payments], "payments")
    actions.record_dues(
        branch,
        month=month,
        payments=[
            actions.Payment(
                members[p.member_id],
                p.amount_paid,
                p.paid_on,
                p.channel or "",
                p.excused,
                p.note,
            )
            for p in payload.payments
        ],
        by=user_of(request),
    )
    return _dues_out(branch, month)


# ---- statistics and to-do ----------------------------------------------------------------


@extra.get(
    "/statistics/resolution-study",
    response={200: StudyOut, **responses(400, 401, 404)},
    url_name="resolution-study",
    by_alias=True,
)
def resolution_study(request: HttpRequest, filters: Query[StudyFilters]) -> dict[str, Any]:
    """Participation in resolution study (học tập, quán triệt nghị quyết) per child of the
    organisation and in total, against the target (rule
    ``study.participation_target_percent``, seed: “trên 90%”). Expected: each member at
    each session, less members on temporary transfer out and exempted members absent."""
    user = user_of(request)
    today = timezone.localdate()
    if filters.organisation is not None:
        organisation = get_object_or_404(visible_organisations(user), pk=filters.organisation)
    else:
        from dangvien.organisations.queries import units_managed_by

        found = units_managed_by(user).first()
        if found is None:
            raise ApiError(404)
        organisation = found
    since = filters.since or date(today.year, 1, 1)
    until = filters.until or today
    rows, total = q.study_participation(
        organisation, since=since, until=until, topic=filters.topic.strip(), on=today
    )
    return {
        "organisation_id": organisation.pk,
        "target_percent": total.target,
        "from": since,
        "to": until,
        "total": _study_row(total),
        "rows": [_study_row(r) for r in rows],
    }


@extra.get(
    "/removal-candidates",
    response={200: RemovalPage, **responses(400, 401, 404)},
    url_name="removal-candidates",
)
def removal_candidates(request: HttpRequest, filters: Query[RemovalFilters]) -> dict[str, Any]:
    """Members to consider for removal (xóa tên): 3 months or more, within the last 12, of
    regular meetings missed or dues unpaid without a good reason (Điều lệ Đảng Điều 8;
    HD 01-HD/TW §11.1; 01-QĐ/TW 2026; rules ``removal.missed_months``,
    ``removal.window_months``)."""
    user = user_of(request)
    today = timezone.localdate()
    rows = visible_members(user)
    organisation = None
    if filters.organisation is not None:
        organisation = get_object_or_404(visible_organisations(user), pk=filters.organisation)
        rows = rows.filter(org_path__startswith=organisation.path)
    found = q.removal_candidates(rows, today)
    since, threshold = q.removal_window(today, organisation)
    return {
        "count": len(found),
        "since": f"{since:%Y-%m}",
        "threshold": threshold,
        "items": [
            {
                "member_id": c.member.pk,
                "full_name": c.member.person.full_name,
                "branch_id": c.member.branch_id,
                "branch_name": c.member.branch.name,
                "missed_meetings": [f"{m:%Y-%m}" for m in c.meetings],
                "unpaid_dues": [f"{m:%Y-%m}" for m in c.dues],
                "grounds": c.grounds,
            }
            for c in found
        ],
    }


# ---- member moves ------------------------------------------------------------------------


@router.post("/{member_id}/set-dues-basis", response={200: MemberOut, **MOVE_ERRORS})
def set_dues_basis(request: HttpRequest, member_id: int, payload: DuesBasisIn) -> dict[str, Any]:
    """What the member's dues are computed from, from a month on (Quy định 01-QĐ/TW
    2026): 1% of the insured salary or benefit, 0.5% of a pension outside social
    insurance, the students' 5,000 đ, or a share of the regional minimum wage."""
    member = ready_for(request, member_id, "set-dues-basis")
    actions.set_dues_basis(
        member,
        from_month=_month_date(payload.from_month),
        basis=payload.basis,
        base_amount=payload.base_amount,
        by=user_of(request),
    )
    return answer(request, member_id)


@router.post("/{member_id}/grant-dues-relief", response={200: MemberOut, **MOVE_ERRORS})
def grant_dues_relief(
    request: HttpRequest, member_id: int, payload: DuesReliefIn
) -> dict[str, Any]:
    """Exempt the member from dues or reduce them by 30, 50 or 70% (01-QĐ/TW 2026): at
    most 12 months at a time (``dues.relief_max_months``) except the social-pension
    exemption; reliefs do not overlap."""
    member = ready_for(request, member_id, "grant-dues-relief")
    actions.grant_dues_relief(
        member,
        kind=payload.kind,
        percent=payload.percent,
        from_month=_month_date(payload.from_month),
        until_month=_month_date(payload.until_month) if payload.until_month else None,
        reason=payload.reason,
        social_pension=payload.social_pension,
        by=user_of(request),
    )
    return answer(request, member_id)
