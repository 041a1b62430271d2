"""Member records, read-only for now (API.md "Members"; the moves come with probation
follow-up and recognition)."""

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router

from dangvien.api.auth import user_of
from dangvien.api.errors import responses
from dangvien.api.schemas import MemberFilters, MemberOut, MemberPage
from dangvien.api.serialise import person_out, user_name
from dangvien.members.models import Member, Status, StatusChange
from dangvien.members.queries import filter_members, visible_members, with_situation
from dangvien.organisations.queries import visible_organisations

router = Router(tags=["Đảng viên"])


def member_item(member: Member) -> dict[str, Any]:
    return {
        "id": member.pk,
        "person": person_out(member.person),
        "branch_id": member.branch_id,
        "branch_name": member.branch.name,
        "status": member.status,
        "status_label": str(Status(member.status).label),
        "admitted_on": member.admitted_on,
        "probation_started_on": member.probation_started_on,
        "probation_ends_on": member.probation_ends_on,
        "official_on": member.official_on,
    }


def member_deadlines(member: Member) -> list[dict[str, Any]]:
    """A probationary member is due for recognition when the 12 months end."""
    due = member.probation_ends_on
    if member.status != Status.PROBATIONARY or due is None:
        return []
    today = timezone.localdate()
    return [{"what": "Xét công nhận đảng viên chính thức", "due_on": due, "overdue": due < today}]


@router.get("", response={200: MemberPage, **responses(400, 401, 404)}, url_name="members")
def list_members(request: HttpRequest, filters: Query[MemberFilters]) -> dict[str, Any]:
    """Members in the user's scope; ``q`` ignores case and diacritics."""
    user = user_of(request)
    organisation = None
    if filters.organisation is not None:
        organisation = get_object_or_404(visible_organisations(user), pk=filters.organisation)
    rows = filter_members(
        visible_members(user),
        q=filters.q.strip(),
        status=filters.status or "",
        organisation=organisation,
    )
    page = rows[filters.offset : filters.offset + filters.limit]
    return {"count": rows.count(), "items": [member_item(m) for m in page]}


@router.get("/{member_id}", response={200: MemberOut, **responses(401, 404)}, url_name="member")
def get_member(request: HttpRequest, member_id: int) -> dict[str, Any]:
    """One member record with its deadlines and status history."""
    rows = (
        with_situation(visible_members(user_of(request)), timezone.localdate())
        .select_related("candidacy")
        .prefetch_related(
            Prefetch(
                "changes", queryset=StatusChange.objects.select_related("by"), to_attr="history"
            )
        )
    )
    member = get_object_or_404(rows, pk=member_id)
    candidacy = getattr(member, "candidacy", None)
    return {
        **member_item(member),
        "admission_decision_no": member.admission_decision_no,
        "party_age_years": member.party_age_years(),
        "exempted_since": member.exempted_since,  # type: ignore[attr-defined]
        "temporarily_away_since": member.away_since,  # type: ignore[attr-defined]
        "card_number": member.card_number,
        "candidate_id": candidacy.pk if candidacy else None,
        "deadlines": member_deadlines(member),
        "history": [
            {
                "from_status": change.from_status,
                "to_status": change.to_status,
                "on": change.on,
                "at": timezone.localtime(change.at),
                "by": user_name(change.by),
                "by_id": change.by_id,
                "note": change.note,
            }
            for change in member.history  # type: ignore[attr-defined]
        ],
    }
