"""Member moves of the probation area over JSON, on the members router (API.md "Members"):
the mentor, the periodic reports, the new-member course and the recognition steps.

Reads that do not sit under /members go on ``extra``, mounted at the API root:
``GET /recognition-due`` and ``GET /probation-report``.
"""

from datetime import date
from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from pydantic import BeforeValidator

from dangvien.api.auth import user_of
from dangvien.api.errors import ApiError, responses
from dangvien.api.members import MOVE_ERRORS, answer, in_scope_member, ready_for, router
from dangvien.api.schemas import (
    BranchVoteIn,
    Count,
    Day,
    ExtendDeadlineIn,
    GrassrootsVoteIn,
    MemberOut,
    Page,
    Text,
)
from dangvien.core.dates import parse_month
from dangvien.members import queries
from dangvien.members.actions import probation as actions
from dangvien.members.models import Assessment
from dangvien.members.queries import probation as q
from dangvien.organisations.queries import visible_organisations

extra = Router(tags=["Đảng viên"])


# ---- bodies ------------------------------------------------------------------------------


def _period(value: Any) -> Any:
    """``YYYY-MM`` (API.md) or any day of the month as ``YYYY-MM-DD``."""
    if isinstance(value, date):
        return value
    month = parse_month(value) if isinstance(value, str) else None
    if month is None:
        raise ValueError("Kỳ không hợp lệ: dùng dạng YYYY-MM, ví dụ 2026-03.")
    return month


Period = Annotated[date, BeforeValidator(_period)]


class AssignMentorIn(Schema):
    mentor_id: int = Field(..., ge=1, le=2**62, description="Đảng viên chính thức cùng chi bộ")
    from_on: Day | None = Field(None, description="Từ ngày (mặc định hôm nay)")


class ReportIn(Schema):
    period: Period = Field(
        ..., description="Tháng của kỳ báo cáo: YYYY-MM (hoặc một ngày trong tháng)"
    )
    filed_on: Day | None = Field(None, description="Ngày lập (mặc định hôm nay)")
    text: str = Field(..., min_length=1, max_length=5000)
    assessment: Assessment


class ProbationCourseIn(Schema):
    certificate_no: str = Field(..., min_length=1, max_length=50)
    issued_on: Day


class DecideRecognitionIn(Schema):
    decision_no: str = Field(..., min_length=1, max_length=50)
    decided_on: Day
    recognised: bool
    note: Text = ""
    in_favour: Count | None = None
    committee_size: Annotated[int, Field(ge=1, le=1000)] | None = None
    late_reason: Text = ""


class MemberVoteOut(MemberOut):
    denominator: int
    passed: bool


# ---- moves -------------------------------------------------------------------------------


@router.post("/{member_id}/assign-mentor", response={200: MemberOut, **MOVE_ERRORS})
def assign_mentor(request: HttpRequest, member_id: int, payload: AssignMentorIn) -> dict[str, Any]:
    """Phân công đảng viên giúp đỡ: an official member of the same branch, not the member
    (294-QĐ/TW §4.1; 12-HD/BTCTW 2022). The current assignment ends that day; history kept."""
    member = ready_for(request, member_id, "assign-mentor")
    mentor = in_scope_member(request, payload.mentor_id, "mentor_id")
    actions.assign_mentor(
        member,
        mentor=mentor,
        from_on=payload.from_on or timezone.localdate(),
        by=user_of(request),
    )
    return answer(request, member_id)


@router.post("/{member_id}/file-mentor-report", response={200: MemberOut, **MOVE_ERRORS})
def file_mentor_report(request: HttpRequest, member_id: int, payload: ReportIn) -> dict[str, Any]:
    """Nhận xét của đảng viên giúp đỡ for one period (monthly unless the province sets
    ``probation.report_interval_months``; seed 000). Refused (409) before the ceremony's
    month, for a period to come, or when that period already has one."""
    member = ready_for(request, member_id, "file-mentor-report")
    actions.file_mentor_report(member, by=user_of(request), **payload.model_dump())
    return answer(request, member_id)


@router.post("/{member_id}/file-self-review", response={200: MemberOut, **MOVE_ERRORS})
def file_self_review(request: HttpRequest, member_id: int, payload: ReportIn) -> dict[str, Any]:
    """Bản tự kiểm điểm of the probationary member for one period, under the same rules as
    the mentor's report (seed 000)."""
    member = ready_for(request, member_id, "file-self-review")
    actions.file_self_review(member, by=user_of(request), **payload.model_dump())
    return answer(request, member_id)


@router.post("/{member_id}/record-new-member-course", response={200: MemberOut, **MOVE_ERRORS})
def record_new_member_course(
    request: HttpRequest, member_id: int, payload: ProbationCourseIn
) -> dict[str, Any]:
    """The new-member political course certificate, required before recognition
    (294-QĐ/TW §4.2)."""
    member = ready_for(request, member_id, "record-new-member-course")
    actions.record_new_member_course(member, by=user_of(request), **payload.model_dump())
    return answer(request, member_id)


@router.post("/{member_id}/record-recognition-vote", response={200: MemberVoteOut, **MOVE_ERRORS})
def record_recognition_vote(
    request: HttpRequest, member_id: int, payload: BranchVoteIn
) -> dict[str, Any]:
    """The chi bộ votes on recognition: at least 2/3 of the vote denominator (Charter Art. 5;
    294-QĐ/TW §4.2, §9.3.2), not before the 12 months end (409). A vote short of 2/3 is
    recorded and answered 200 with ``passed: false``; a late vote is recorded too."""
    member = ready_for(request, member_id, "record-recognition-vote")
    vote = actions.record_recognition_vote(member, by=user_of(request), **payload.model_dump())
    return {**answer(request, member_id), "denominator": vote.denominator, "passed": vote.passed}


@router.post(
    "/{member_id}/record-grassroots-recognition-vote",
    response={200: MemberVoteOut, **MOVE_ERRORS},
)
def record_grassroots_recognition_vote(
    request: HttpRequest, member_id: int, payload: GrassrootsVoteIn
) -> dict[str, Any]:
    """The grassroots đảng ủy's resolution on recognition: at least 2/3 of its committee
    (24/294-QĐ/TW), only where one sits between the branch and the deciding committee."""
    member = ready_for(request, member_id, "record-grassroots-recognition-vote")
    vote = actions.record_grassroots_recognition_vote(
        member, by=user_of(request), **payload.model_dump()
    )
    return {**answer(request, member_id), "denominator": vote.denominator, "passed": vote.passed}


@router.post("/{member_id}/extend-recognition-deadline", response={200: MemberOut, **MOVE_ERRORS})
def extend_recognition_deadline(
    request: HttpRequest, member_id: int, payload: ExtendDeadlineIn
) -> dict[str, Any]:
    """Extend the committee's 30 working days to decide, once, by 30 (QĐ 29 §4.3.1)."""
    member = ready_for(request, member_id, "extend-recognition-deadline")
    actions.extend_recognition_deadline(member, reason=payload.reason, by=user_of(request))
    return answer(request, member_id)


@router.post("/{member_id}/decide-recognition", response={200: MemberOut, **MOVE_ERRORS})
def decide_recognition(
    request: HttpRequest, member_id: int, payload: DecideRecognitionIn
) -> dict[str, Any]:
    """The competent committee decides (294-QĐ/TW §4.2). ``recognised: true``: official
    with ``official_on`` = the end of the 12 months, even when late (the course certificate
    is required). ``false``: removal (xóa tên); there is no extension of probation. A
    decision after the due date needs ``late_reason``."""
    member = ready_for(request, member_id, "decide-recognition")
    actions.decide_recognition(member, by=user_of(request), **payload.model_dump())
    return answer(request, member_id)


# ---- reads -------------------------------------------------------------------------------


class DueFilters(Page):
    organisation: int | None = Field(None, description="Tổ chức: cả cây con")
    within_days: int | None = Field(
        60, ge=0, le=3650, description="Hạn trong vòng bao nhiêu ngày tới (kể cả quá hạn)"
    )
    all: bool = Field(False, description="true: mọi đảng viên dự bị, không giới hạn hạn")


class DueItem(Schema):
    member_id: int
    full_name: str
    branch_id: int
    branch_name: str
    probation_started_on: date
    probation_ends_on: date
    vote_due_on: date
    step: str = Field(description='open | branch_proposed | grassroots_endorsed | ""')
    step_label: str
    next_what: str
    next_due_on: date
    days_left: int = Field(description="Số ngày còn lại đến hạn tiếp theo; âm là quá hạn")
    overdue: bool


class DuePage(Schema):
    count: int
    items: list[DueItem]


class ReportFilters(Page):
    month: str = Field("", pattern=r"^(\d{4}-\d{2})?$", description="YYYY-MM (mặc định tháng này)")
    organisation: int | None = Field(None, description="Tổ chức: cả cây con")


class ReportOut(Schema):
    assessment: str
    assessment_label: str
    filed_on: date


class ReportItem(Schema):
    member_id: int
    full_name: str
    branch_id: int
    branch_name: str
    status: str
    probation_started_on: date
    probation_ends_on: date
    months_done: int = Field(description="Số tháng dự bị đã qua (trên 12)")
    mentor_id: int | None
    mentor_name: str | None
    period: str
    mentor_report: ReportOut | None = Field(description="null: chưa nộp")
    self_review: ReportOut | None = Field(description="null: chưa nộp")
    new_member_course_no: str
    new_member_course_on: date | None
    vote_due_on: date | None
    step_label: str


class ReportPage(Schema):
    month: str
    count: int
    items: list[ReportItem]


def _scope(request: HttpRequest, organisation_id: int | None) -> Any:
    user = user_of(request)
    organisation = None
    if organisation_id is not None:
        organisation = get_object_or_404(visible_organisations(user), pk=organisation_id)
    return queries.filter_members(queries.visible_members(user), organisation=organisation)


@extra.get(
    "/recognition-due",
    response={200: DuePage, **responses(400, 401, 404)},
    url_name="recognition-due",
)
def recognition_due(request: HttpRequest, filters: Query[DueFilters]) -> dict[str, Any]:
    """Đảng viên dự bị sắp đến hạn công nhận in the user's scope, soonest first: the chi bộ
    votes within 30 working days after the 12 months end (294-QĐ/TW §4.2), then the
    committee decides within 30 (QĐ 29 §4.3.1). ``days_left`` is negative when overdue."""
    today = timezone.localdate()
    within = None if filters.all else filters.within_days
    rows = q.recognition_due(_scope(request, filters.organisation), today, within)
    page = rows[filters.offset : filters.offset + filters.limit]
    items = []
    for member in page:
        row = q.due_row(member, today)
        items.append(
            {
                "member_id": member.pk,
                "full_name": member.person.full_name,
                "branch_id": member.branch_id,
                "branch_name": member.branch.name,
                "probation_started_on": member.probation_started_on,
                "probation_ends_on": row.ends_on,
                "vote_due_on": row.vote_due_on,
                "step": row.proceeding.step if row.proceeding else "",
                "step_label": row.step,
                "next_what": row.next_what,
                "next_due_on": row.next_due_on,
                "days_left": row.days_left,
                "overdue": row.overdue,
            }
        )
    return {"count": rows.count(), "items": items}


def _report_out(report: Any) -> dict[str, Any] | None:
    if report is None:
        return None
    return {
        "assessment": report.assessment,
        "assessment_label": report.get_assessment_display(),
        "filed_on": report.filed_on,
    }


@extra.get(
    "/probation-report",
    response={200: ReportPage, **responses(400, 401, 404)},
    url_name="probation-report",
)
def probation_report(request: HttpRequest, filters: Query[ReportFilters]) -> dict[str, Any]:
    """The monthly report to the superior committee on each probationary member's
    progress (seed 000; 294-QĐ/TW §4.2): the mentor, the month's mentor report and
    self-review (null: chưa nộp), the course, months done of 12, the vote due date."""
    today = timezone.localdate()
    month = parse_month(filters.month) if filters.month else q.month_start(today)
    if month is None or month > q.month_start(today):
        raise ApiError(400, fields={"month": "Tháng không hợp lệ hoặc chưa đến."})
    rows = q.probationary_in_month(_scope(request, filters.organisation), month)
    page = list(rows[filters.offset : filters.offset + filters.limit])
    items = [
        {
            "member_id": r.member.pk,
            "full_name": r.member.person.full_name,
            "branch_id": r.member.branch_id,
            "branch_name": r.member.branch.name,
            "status": r.member.status,
            "probation_started_on": r.member.probation_started_on,
            "probation_ends_on": r.ends_on,
            "months_done": r.months_done,
            "mentor_id": r.mentor.pk if r.mentor else None,
            "mentor_name": r.mentor.person.full_name if r.mentor else None,
            "period": r.period_label,
            "mentor_report": _report_out(r.mentor_report),
            "self_review": _report_out(r.self_review),
            "new_member_course_no": r.member.new_member_course_no,
            "new_member_course_on": r.member.new_member_course_on,
            "vote_due_on": r.vote_due_on,
            "step_label": r.step,
        }
        for r in q.month_rows(page, month, today)
    ]
    return {"month": f"{month:%Y-%m}", "count": rows.count(), "items": items}
