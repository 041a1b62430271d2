"""Member records (API.md "Members"): the list, one member, and one POST per move.

The moves live in the area modules beside this one (``api/member_probation.py`` …), which
add their endpoints to this router. Each does what the candidate moves do: fetch within
the user's scope (404), check the role (403) and the state (409), call the one action,
answer the updated member.
"""

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router

from dangvien.accounts.models import User
from dangvien.api.auth import user_of
from dangvien.api.errors import ApiError, responses
from dangvien.api.schemas import MemberFilters, MemberOut, MemberPage
from dangvien.api.serialise import person_out, user_name
from dangvien.auditlog.access import log_access
from dangvien.auditlog.models import AccessKind
from dangvien.core.errors import StageNotAllowed
from dangvien.core.paging import IdsFirst
from dangvien.members import moves
from dangvien.members.models import Member, Status, StatusChange
from dangvien.members.queries import (
    capped_notice,
    deadlines,
    find_members,
    visible_members,
    with_situation,
)
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


MOVE_ERRORS = responses(400, 401, 403, 404, 409)


def ready_for(request: HttpRequest, member_id: int, move: str) -> Member:
    """The member, if the user sees them (404), the role covers ``move`` (403) and the
    state allows it (409)."""
    user = user_of(request)
    member = get_object_or_404(visible_members(user), pk=member_id)
    label = moves.MOVES[move].label.lower()
    if not moves.role_allows(user, member, move):
        raise ApiError(403, f"Vai trò của bạn không được “{label}”.")
    if not moves.state_allows(member, move):
        raise StageNotAllowed(
            f"Không thể “{label}” khi đảng viên ở trạng thái “{Status(member.status).label}”."
        )
    return member


def in_scope_member(request: HttpRequest, member_id: int, field: str) -> Member:
    """Another member named in a body (a mentor, …): 400 on ``field`` when not visible."""
    member = visible_members(user_of(request)).filter(pk=member_id).first()
    if member is None:
        raise ApiError(400, fields={field: "Không tìm thấy đảng viên này."})
    return member


@router.get("", response={200: MemberPage, **responses(400, 401, 404)}, url_name="members")
def list_members(request: HttpRequest, filters: Query[MemberFilters]) -> dict[str, Any]:
    """Members in the user's scope; ``q`` ignores case and diacritics. A name search
    lists at most ``NAME_SEARCH_LIMIT`` (10,000) matches: beyond that ``capped`` is true
    and ``notice`` says (in Vietnamese) to narrow the search (issue 9)."""
    user = user_of(request)
    organisation = None
    if filters.organisation is not None:
        organisation = get_object_or_404(visible_organisations(user), pk=filters.organisation)
    found = find_members(
        visible_members(user),
        q=filters.q.strip(),
        status=filters.status or "",
        organisation=organisation,
    )
    pages = IdsFirst(found.rows, found.ids)
    page = pages[filters.offset : filters.offset + filters.limit]
    return {
        "count": pages.count(),
        "items": [member_item(m) for m in page],
        "capped": found.capped,
        "notice": capped_notice() if found.capped else "",
    }


@router.get(
    "/{member_id}", response={200: MemberOut, **responses(400, 401, 404)}, url_name="member"
)
def get_member(request: HttpRequest, member_id: int) -> dict[str, Any]:
    """One member record with its deadlines and status history. Logged in the access log
    (issue 9)."""
    member = _detail(request, member_id)
    log_access(
        request,
        kind=AccessKind.API,
        what="Hồ sơ đảng viên",
        person=member.person_id,
        org_path=member.org_path,
        user=user_of(request),
    )
    return member_out(member, user_of(request))


def _detail(request: HttpRequest, member_id: int) -> Member:
    rows = (
        with_situation(visible_members(user_of(request)), timezone.localdate())
        .select_related("candidacy")
        .prefetch_related(
            Prefetch(
                "changes", queryset=StatusChange.objects.select_related("by"), to_attr="history"
            )
        )
    )
    return get_object_or_404(rows, pk=member_id)


def answer(request: HttpRequest, member_id: int) -> dict[str, Any]:
    """The member as ``GET /members/{id}`` shows them, after a move."""
    return member_out(_detail(request, member_id), user_of(request))


def member_out(member: Member, user: User) -> dict[str, Any]:
    candidacy = getattr(member, "candidacy", None)
    today = timezone.localdate()
    return {
        **member_item(member),
        "admission_decision_no": member.admission_decision_no,
        "party_age_years": member.party_age_years(),
        "exempted_since": member.exempted_since,  # type: ignore[attr-defined]
        "temporarily_away_since": member.away_since,  # type: ignore[attr-defined]
        "card_number": member.card_number,
        "candidate_id": candidacy.pk if candidacy else None,
        "first_admitted_on": member.first_admitted_on,
        "readmitted_on": member.readmitted_on,
        "left_on": member.left_on,
        "card_issued_on": member.card_issued_on,
        "far_away_since": member.far_away_since,
        "far_away_place": member.far_away_place,
        "deadlines": deadlines(member, today),
        "moves": [m.name for m in moves.allowed_moves(user, member)],
        "history": [
            {
                "what": change.what,
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
