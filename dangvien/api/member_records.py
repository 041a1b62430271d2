"""Member moves of the records area over JSON, on the members router (API.md "Members"):
readmission, the never-readmit list, badges, the membership card; plus one member's
records (party age with its gaps, badges, card).

Reads that are not about one member (badges due, the never-readmit list) go on ``extra``,
mounted at the API root."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from dangvien.api.auth import user_of
from dangvien.api.errors import responses
from dangvien.api.members import MOVE_ERRORS, answer, ready_for, router
from dangvien.api.schemas import MemberOut
from dangvien.core.errors import NotEligible, StageNotAllowed
from dangvien.members.actions import records as actions
from dangvien.members.models import BadgeKind, Member, NeverReadmit, Status
from dangvien.members.queries import filter_members, visible_members
from dangvien.members.queries import records as queries
from dangvien.organisations.models import Organisation
from dangvien.organisations.queries import visible_organisations

extra = Router(tags=["Đảng viên"])


# ---- input -----------------------------------------------------------------------------


class ReadmitIn(Schema):
    applied_on: date = Field(description="Ngày làm đơn xin kết nạp lại")
    consent_no: str = Field(description="Số văn bản đồng ý của Ban Thường vụ cấp tỉnh")
    consent_on: date = Field(description="Ngày văn bản đồng ý")
    decision_no: str = Field(description="Số quyết định kết nạp lại")
    decided_on: date = Field(description="Ngày quyết định kết nạp lại")
    ceremony_on: date = Field(description="Ngày lễ kết nạp lại (dự bị tính từ ngày này)")
    conviction_cleared_on: date | None = Field(
        None, description="Ngày được xóa án tích (người từng bị án về tội ít nghiêm trọng)"
    )
    note: str = ""


class NeverReadmitIn(Schema):
    reason: NeverReadmit = Field(description="Lý do theo 294-QĐ/TW §3.5.2")
    note: str = ""


class AwardBadgeIn(Schema):
    years: int = Field(description="Mốc huy hiệu: 30, 40, 45, 50 … 90 năm tuổi đảng")
    kind: BadgeKind = BadgeKind.REGULAR
    awarded_on: date = Field(description="Ngày trao: 3/2, 19/5, 2/9 hoặc 7/11")
    decision_no: str
    occasion: str = Field("", description="Dịp kỷ niệm khác, khi trao vào ngày khác")


class ReissueBadgeIn(Schema):
    years: int
    reissued_on: date
    reason: str


class IssueCardIn(Schema):
    card_number: str = Field(description="Số thẻ đảng viên (khác số căn cước công dân)")
    issued_on: date


# ---- output ----------------------------------------------------------------------------


class GapOut(Schema):
    from_on: date
    until_on: date
    days: int
    reason: str


class BadgeOut(Schema):
    years: int
    kind: str
    kind_label: str
    awarded_on: date
    decision_no: str
    reissued_on: date | None
    returned_on: date | None


class RecordsOut(Schema):
    member_id: int
    status: str
    first_admitted_on: date | None
    admitted_on: date | None
    readmitted_on: date | None
    gaps: list[GapOut]
    gap_days: int
    party_age_years: int | None = Field(
        description="Tuổi đảng (năm tròn), khi đã là đảng viên chính thức"
    )
    party_age_months: int | None = Field(description="Tuổi đảng tính bằng tháng tròn")
    party_age_on: date = Field(description="Ngày tính tuổi đảng (hôm nay, hoặc ngày từ trần)")
    badges: list[BadgeOut]
    next_badge_years: int | None
    next_badge_on: date | None
    card_number: str
    card_issued_on: date | None
    never_readmit: str
    never_readmit_label: str


class BadgeDueOut(Schema):
    member_id: int
    full_name: str
    branch_id: int
    branch_name: str
    years: int = Field(description="Mốc huy hiệu được xét")
    party_age_years: int
    party_age_months: int = Field(description="Tuổi đảng đến ngày trao, tính bằng tháng")
    first_admitted_on: date | None
    readmitted_on: date | None
    gap_days: int
    reaches_on: date = Field(description="Ngày đủ tuổi đảng của mốc này")
    overdue: bool = Field(description="Đã đến hạn từ dịp trước mà chưa trao")


class BadgesDuePage(Schema):
    award_day: date
    count: int
    items: list[BadgeDueOut]


class BadgesDueFilters(Schema):
    award_day: date | None = Field(None, description="Mặc định: dịp trao gần nhất")
    organisation: int | None = None
    years: int | None = None
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


class NeverReadmitOut(Schema):
    member_id: int
    full_name: str
    branch_id: int
    branch_name: str
    status: str
    status_label: str
    left_on: date | None
    reason: str
    reason_label: str


class NeverReadmitPage(Schema):
    count: int
    items: list[NeverReadmitOut]


class NeverReadmitFilters(Schema):
    organisation: int | None = None
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


# ---- moves -----------------------------------------------------------------------------


@router.post("/{member_id}/readmit", response={200: MemberOut, **MOVE_ERRORS})
def readmit(request: HttpRequest, member_id: int, payload: ReadmitIn) -> dict[str, Any]:
    """Kết nạp lại (294-QĐ/TW §3.5.1): at least 36 months after leaving (60 after a
    cleared conviction for a minor offence), with the provincial standing committee's
    written consent; once only; never for the cases of §3.5.2. The member becomes
    probationary again from the ceremony; the time outside the party is a gap in party
    age. Role: provincial level."""
    try:
        member = ready_for(request, member_id, "readmit")
    except StageNotAllowed:
        # Say why when the member is barred for good (never-readmit list, once only).
        barred = visible_members(user_of(request)).filter(pk=member_id).first()
        if barred is not None and barred.status in (Status.REMOVED, Status.EXITED, Status.EXPELLED):
            barrier = queries.readmission_barrier(barred)
            if barrier:
                raise NotEligible(barrier) from None
        raise
    actions.readmit(
        member,
        applied_on=payload.applied_on,
        consent_no=payload.consent_no,
        consent_on=payload.consent_on,
        decision_no=payload.decision_no,
        decided_on=payload.decided_on,
        ceremony_on=payload.ceremony_on,
        conviction_cleared_on=payload.conviction_cleared_on,
        note=payload.note,
        by=user_of(request),
    )
    return answer(request, member_id)


@router.post("/{member_id}/mark-never-readmit", response={200: MemberOut, **MOVE_ERRORS})
def mark_never_readmit(
    request: HttpRequest, member_id: int, payload: NeverReadmitIn
) -> dict[str, Any]:
    """Ghi vào danh sách không xem xét kết nạp lại (294-QĐ/TW §3.5.2), for a member who
    was removed, left or was expelled. Role: the committee competent to admit."""
    member = ready_for(request, member_id, "mark-never-readmit")
    actions.mark_never_readmit(
        member, reason=payload.reason, note=payload.note, by=user_of(request)
    )
    return answer(request, member_id)


@router.post("/{member_id}/award-badge", response={200: MemberOut, **MOVE_ERRORS})
def award_badge(request: HttpRequest, member_id: int, payload: AwardBadgeIn) -> dict[str, Any]:
    """Tặng Huy hiệu Đảng (HD 01-HD/TW 2021 §18): 30, 40, 45 … 90 years of party age by the
    award day (3/2, 19/5, 2/9, 7/11); early for the gravely ill (up to 12 months, 24 from
    70 years), posthumously (up to 12 months). One badge per step. Role: provincial
    level."""
    member = ready_for(request, member_id, "award-badge")
    actions.award_badge(
        member,
        years=payload.years,
        kind=payload.kind,
        awarded_on=payload.awarded_on,
        decision_no=payload.decision_no,
        occasion=payload.occasion,
        by=user_of(request),
    )
    return answer(request, member_id)


@router.post("/{member_id}/reissue-badge", response={200: MemberOut, **MOVE_ERRORS})
def reissue_badge(request: HttpRequest, member_id: int, payload: ReissueBadgeIn) -> dict[str, Any]:
    """Cấp lại Huy hiệu Đảng bị mất, có lý do chính đáng (HD 01-HD/TW 2021 §18). Role:
    provincial level."""
    member = ready_for(request, member_id, "reissue-badge")
    actions.reissue_badge(
        member,
        years=payload.years,
        reissued_on=payload.reissued_on,
        reason=payload.reason,
        by=user_of(request),
    )
    return answer(request, member_id)


@router.post("/{member_id}/issue-card", response={200: MemberOut, **MOVE_ERRORS})
def issue_card(request: HttpRequest, member_id: int, payload: IssueCardIn) -> dict[str, Any]:
    """Cấp thẻ đảng viên (29/24-QĐ/TW §6.1; Chỉ thị 51-CT/TW): official members only; the
    number is unique and kept apart from the citizen ID. Role: the directly superior
    committee (competent to admit)."""
    member = ready_for(request, member_id, "issue-card")
    actions.issue_card(
        member, card_number=payload.card_number, issued_on=payload.issued_on, by=user_of(request)
    )
    return answer(request, member_id)


# ---- reads -----------------------------------------------------------------------------


@router.get("/{member_id}/records", response={200: RecordsOut, **responses(400, 401, 404)})
def member_records(request: HttpRequest, member_id: int) -> dict[str, Any]:
    """One member's party age explained (first admission, readmission, gaps: DOMAIN.md §8),
    badges, card and never-readmit mark."""
    member = get_object_or_404(visible_members(user_of(request)), pk=member_id)
    today = timezone.localdate()
    gaps = list(member.gaps.all())
    total = sum(g.days for g in gaps)
    counts = member.status == Status.OFFICIAL or (
        member.status != Status.PROBATIONARY and member.official_on is not None
    )
    months = queries.party_age_months(member, today, total) if counts else None
    age_on = today
    if member.status not in (Status.PROBATIONARY, Status.OFFICIAL) and member.left_on:
        age_on = min(today, member.left_on)
    due = queries.next_badge(member, today)
    return {
        "member_id": member.pk,
        "status": member.status,
        "first_admitted_on": queries.start_of_party_age(member),
        "admitted_on": member.admitted_on,
        "readmitted_on": member.readmitted_on,
        "gaps": [
            {"from_on": g.from_on, "until_on": g.until_on, "days": g.days, "reason": g.reason}
            for g in gaps
        ],
        "gap_days": total,
        "party_age_years": months // 12 if months is not None else None,
        "party_age_months": months,
        "party_age_on": age_on,
        "badges": [
            {
                "years": b.years,
                "kind": b.kind,
                "kind_label": str(BadgeKind(b.kind).label),
                "awarded_on": b.awarded_on,
                "decision_no": b.decision_no,
                "reissued_on": b.reissued_on,
                "returned_on": b.returned_on,
            }
            for b in member.badges.all()
        ],
        "next_badge_years": due["years"] if due else None,
        "next_badge_on": due["due_on"] if due else None,
        "card_number": member.card_number,
        "card_issued_on": member.card_issued_on,
        "never_readmit": member.never_readmit,
        "never_readmit_label": (
            str(NeverReadmit(member.never_readmit).label) if member.never_readmit else ""
        ),
    }


def _organisation(request: HttpRequest, pk: int | None) -> Organisation | None:
    if pk is None:
        return None
    return get_object_or_404(visible_organisations(user_of(request)), pk=pk)


@extra.get(
    "/badges-due",
    response={200: BadgesDuePage, **responses(400, 401, 404)},
    url_name="badges-due",
)
def badges_due(request: HttpRequest, filters: Query[BadgesDueFilters]) -> dict[str, Any]:
    """Đảng viên được xét tặng Huy hiệu Đảng at ``award_day`` (default: the next of 3/2,
    19/5, 2/9, 7/11): official members whose party age (first admission minus gaps)
    reaches a step and who hold neither it nor a higher badge (HD 01-HD/TW 2021 §18)."""
    organisation = _organisation(request, filters.organisation)
    award_day = filters.award_day or queries.next_award_day(timezone.localdate())
    rows = filter_members(visible_members(user_of(request)), organisation=organisation)
    due = queries.badges_due(rows, award_day, years=filters.years)
    page = due[filters.offset : filters.offset + filters.limit]
    return {
        "award_day": award_day,
        "count": len(due),
        "items": [
            {
                "member_id": row.member.pk,
                "full_name": row.member.person.full_name,
                "branch_id": row.member.branch_id,
                "branch_name": row.member.branch.name,
                "years": row.years,
                "party_age_years": row.age_years,
                "party_age_months": row.age_months,
                "first_admitted_on": row.start,
                "readmitted_on": row.member.readmitted_on,
                "gap_days": row.gap_days,
                "reaches_on": row.reaches_on,
                "overdue": row.overdue,
            }
            for row in page
        ],
    }


@extra.get(
    "/never-readmit",
    response={200: NeverReadmitPage, **responses(400, 401, 404)},
    url_name="never-readmit",
)
def never_readmit(request: HttpRequest, filters: Query[NeverReadmitFilters]) -> dict[str, Any]:
    """Danh sách không xem xét kết nạp lại (294-QĐ/TW §3.5.2) within the user's scope."""
    organisation = _organisation(request, filters.organisation)
    rows = queries.never_readmit_list(
        filter_members(visible_members(user_of(request)), organisation=organisation)
    )
    page: list[Member] = list(rows[filters.offset : filters.offset + filters.limit])
    return {
        "count": rows.count(),
        "items": [
            {
                "member_id": m.pk,
                "full_name": m.person.full_name,
                "branch_id": m.branch_id,
                "branch_name": m.branch.name,
                "status": m.status,
                "status_label": str(Status(m.status).label),
                "left_on": m.left_on,
                "reason": m.never_readmit,
                "reason_label": str(NeverReadmit(m.never_readmit).label),
            }
            for m in page
        ],
    }
