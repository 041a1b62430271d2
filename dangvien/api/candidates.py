"""The admission pipeline over JSON (API.md "Candidates"): the pool, and one POST per move.

Each move endpoint does the same four things: fetch within the user's scope (404),
check that the stage allows the move (409) and that the role does (403), call the one
action, answer the updated candidate. The action re-checks everything under a row lock.
"""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Status

from dangvien.accounts.models import User
from dangvien.api.auth import user_of
from dangvien.api.errors import ApiError, responses
from dangvien.api.privacy import ConsentIn, ConsentOut, consent_given, latest_consent
from dangvien.api.schemas import (
    AssignHelperIn,
    BackgroundCheckIn,
    BranchVoteIn,
    CandidateFilters,
    CandidateIn,
    CandidateOut,
    CandidatePage,
    CandidateVoteOut,
    CertifyIn,
    DecideAdmissionIn,
    EducationExceptionIn,
    ExtendDeadlineIn,
    GrassrootsVoteIn,
    HoldCeremonyIn,
    IntroducerIn,
    OpenDossierIn,
    OverAgeApprovalIn,
    StartCourseIn,
    WithdrawalIn,
)
from dangvien.api.serialise import person_out, user_name
from dangvien.auditlog.access import log_access
from dangvien.auditlog.models import AccessKind
from dangvien.candidates import actions, moves
from dangvien.candidates.models import Candidate, Introducer, Stage, StageChange
from dangvien.candidates.queries import (
    deadlines,
    eligibility_checks,
    filter_candidates,
    visible_candidates,
)
from dangvien.core.errors import StageNotAllowed
from dangvien.core.paging import IdsFirst
from dangvien.members.models import Member
from dangvien.members.queries import visible_members
from dangvien.organisations.queries import (
    admission_chain,
    path_within,
    same_grassroots,
    visible_organisations,
)

router = Router(tags=["Quần chúng ưu tú (kết nạp)"])

MOVE_ERRORS = responses(400, 401, 403, 404, 409)


# ---- answers ---------------------------------------------------------------------------


def detail_rows(user: User) -> QuerySet[Candidate]:
    """Visible candidates with everything the detail answer shows, in a fixed few queries.

    Like ``candidates.queries.candidate_detail``, plus the history's users (see report).
    """
    return (
        visible_candidates(user)
        .select_related("member")
        .prefetch_related(
            Prefetch(
                "changes",
                queryset=StageChange.objects.select_related("by").order_by("at", "id"),
                to_attr="history",
            ),
            Prefetch(
                "introducers",
                queryset=Introducer.objects.filter(active=True).select_related("member__person"),
                to_attr="active_introducers",
            ),
            "background_checks",
            "votes",
        )
    )


def candidate_item(candidate: Candidate) -> dict[str, Any]:
    return {
        "id": candidate.pk,
        "stage": candidate.stage,
        "stage_label": str(Stage(candidate.stage).label),
        "person": person_out(candidate.person),
        "branch_id": candidate.branch_id,
        "branch_name": candidate.branch.name,
        "listed_on": candidate.listed_on,
        "decision_due_on": candidate.decision_due_on,
        "ceremony_due_on": candidate.ceremony_due_on,
        "member_id": candidate.member_id,
    }


def candidate_out(candidate: Candidate, user: User) -> dict[str, Any]:
    today = timezone.localdate()
    chain = admission_chain(candidate.branch)
    pre_vote = candidate.stage in moves.PRE_VOTE
    return {
        **candidate_item(candidate),
        "helper_id": candidate.helper_id,
        "course_name": candidate.course_name,
        "course_started_on": candidate.course_started_on,
        "certificate_no": candidate.certificate_no,
        "certificate_issued_on": candidate.certificate_issued_on,
        "application_on": candidate.application_on,
        "declaration_on": candidate.declaration_on,
        "over_age_decision_no": candidate.over_age_decision_no,
        "over_age_decided_on": candidate.over_age_decided_on,
        "decision_extended": candidate.decision_extended,
        "decision_no": candidate.decision_no,
        "decided_on": candidate.decided_on,
        "ceremony_on": candidate.ceremony_on,
        "endorser_id": chain.endorser.pk if chain.endorser else None,
        "decider_id": chain.decider.pk,
        "decider": chain.decider_label,
        "deadlines": [vars(d) for d in deadlines(candidate, today)],
        "history": [
            {
                "from_stage": change.from_stage,
                "to_stage": change.to_stage,
                "on": change.on,
                "at": timezone.localtime(change.at),
                "by": user_name(change.by),
                "by_id": change.by_id,
                "note": change.note,
            }
            for change in candidate.history  # type: ignore[attr-defined]
        ],
        "introducers": [
            {
                "id": intro.pk,
                "member_id": intro.member_id,
                "member_name": intro.member.person.full_name if intro.member else None,
                "union": intro.union,
                "resolution_no": intro.resolution_no,
                "known_since": intro.known_since,
            }
            for intro in candidate.active_introducers  # type: ignore[attr-defined]
        ],
        "background_checks": [
            {"id": c.pk, "completed_on": c.completed_on, "outcome": c.outcome, "note": c.note}
            for c in candidate.background_checks.all()
        ],
        "votes": [
            {
                "id": v.pk,
                "body": v.body,
                "organisation_id": v.organisation_id,
                "held_on": v.held_on,
                "in_favour": v.in_favour,
                "against": v.against,
                "denominator": v.denominator,
                "passed": v.passed,
                "resolution_no": v.resolution_no,
            }
            for v in candidate.votes.all()
        ],
        "eligibility": [vars(c) for c in eligibility_checks(candidate, today)] if pre_vote else [],
        "allowed_moves": [
            {"name": m.name, "label": m.label} for m in moves.allowed_moves(user, candidate)
        ],
    }


def answer(request: HttpRequest, candidate_id: int) -> dict[str, Any]:
    user = user_of(request)
    return candidate_out(get_object_or_404(detail_rows(user), pk=candidate_id), user)


def ready_for(request: HttpRequest, candidate_id: int, move: str) -> Candidate:
    """The candidate, if the user sees it (404), the user's role covers ``move`` (403) and
    the stage allows it (409)."""
    user = user_of(request)
    candidate = get_object_or_404(visible_candidates(user), pk=candidate_id)
    if not moves.role_allows(user, candidate, move):
        raise ApiError(403, f"Vai trò của bạn không được “{moves.MOVES[move].label.lower()}”.")
    if not moves.stage_allows(candidate, move):
        raise StageNotAllowed(
            f"Không thể “{moves.MOVES[move].label.lower()}” ở bước "
            f"“{Stage(candidate.stage).label}”."
        )
    return candidate


# ---- the pool --------------------------------------------------------------------------


class NewCandidateIn(CandidateIn):
    consent: ConsentIn | None = Field(
        None,
        description="Sự đồng ý xử lý dữ liệu cá nhân của người này (Nghị định 13/2023/NĐ-CP "
        "Điều 11): bắt buộc; thiếu thì 409 `not_eligible`, trường `consent`",
    )


class CandidateDetailOut(CandidateOut):
    consent: ConsentOut | None = Field(
        None, description="Sự đồng ý đang có hiệu lực, nếu không có thì lần rút lại gần nhất"
    )


def detail_answer(request: HttpRequest, candidate_id: int) -> tuple[dict[str, Any], Candidate]:
    """The candidate with their consent (the detail and the create answers), and the row."""
    user = user_of(request)
    candidate = get_object_or_404(detail_rows(user), pk=candidate_id)
    body = candidate_out(candidate, user)
    body["consent"] = latest_consent(candidate.person)
    return body, candidate


@router.post("", response={201: CandidateDetailOut, **MOVE_ERRORS}, url_name="candidates")
def create_candidate(request: HttpRequest, payload: NewCandidateIn) -> Status[dict[str, Any]]:
    """List a promising person (quần chúng ưu tú) in a branch, with their consent."""
    user = user_of(request)
    branch = get_object_or_404(visible_organisations(user), pk=payload.branch_id)
    if not moves.can_create_in(user, branch.path):
        raise ApiError(403, "Vai trò của bạn không được thêm quần chúng ưu tú ở tổ chức này.")
    helper = None
    if payload.helper_id is not None:
        helper = visible_members(user).filter(pk=payload.helper_id).first()
        if helper is None:
            raise ApiError(400, fields={"helper_id": "Không tìm thấy đảng viên này."})
    person_fields = payload.model_dump(exclude={"branch_id", "helper_id", "listed_on", "consent"})
    candidate = actions.nominate_candidate(
        branch=branch,
        by=user,
        listed_on=payload.listed_on,
        helper=helper,
        consent=consent_given(payload.consent),
        **person_fields,
    )
    return Status(201, detail_answer(request, candidate.pk)[0])


@router.get("", response={200: CandidatePage, **responses(400, 401, 404)})
def list_candidates(request: HttpRequest, filters: Query[CandidateFilters]) -> dict[str, Any]:
    """Candidates in the user's scope; ``q`` ignores case and diacritics."""
    user = user_of(request)
    branch = None
    if filters.branch is not None:
        branch = get_object_or_404(visible_organisations(user), pk=filters.branch)
    rows = filter_candidates(
        visible_candidates(user), q=filters.q.strip(), stage=filters.stage or "", branch=branch
    )
    pages = IdsFirst(rows)
    page = pages[filters.offset : filters.offset + filters.limit]
    return {"count": pages.count(), "items": [candidate_item(c) for c in page]}


@router.get(
    "/{candidate_id}",
    response={200: CandidateDetailOut, **responses(400, 401, 404)},
    url_name="candidate",
)
def get_candidate(request: HttpRequest, candidate_id: int) -> dict[str, Any]:
    """One candidate: dossier, deadlines, history, consent, and the moves this user may
    make. Logged in the access log (issue 9)."""
    body, candidate = detail_answer(request, candidate_id)
    log_access(
        request,
        kind=AccessKind.API,
        what="Hồ sơ quần chúng ưu tú",
        person=candidate.person_id,
        org_path=candidate.org_path,
        user=user_of(request),
    )
    return body


# ---- moves -----------------------------------------------------------------------------


@router.post("/{candidate_id}/start-course", response={200: CandidateOut, **MOVE_ERRORS})
def start_course(request: HttpRequest, candidate_id: int, payload: StartCourseIn) -> dict[str, Any]:
    """Send the candidate to the awareness course (lớp bồi dưỡng nhận thức về Đảng)."""
    candidate = ready_for(request, candidate_id, "start-course")
    actions.start_awareness_course(candidate, by=user_of(request), **payload.model_dump())
    return answer(request, candidate_id)


@router.post("/{candidate_id}/certify", response={200: CandidateOut, **MOVE_ERRORS})
def certify(request: HttpRequest, candidate_id: int, payload: CertifyIn) -> dict[str, Any]:
    """Record the awareness-course certificate (valid 60 months)."""
    candidate = ready_for(request, candidate_id, "certify")
    actions.certify(candidate, by=user_of(request), **payload.model_dump())
    return answer(request, candidate_id)


@router.post("/{candidate_id}/open-dossier", response={200: CandidateOut, **MOVE_ERRORS})
def open_dossier(request: HttpRequest, candidate_id: int, payload: OpenDossierIn) -> dict[str, Any]:
    """Receive the application and the background declaration (application first)."""
    candidate = ready_for(request, candidate_id, "open-dossier")
    actions.open_dossier(candidate, by=user_of(request), **payload.model_dump())
    return answer(request, candidate_id)


@router.post("/{candidate_id}/record-background-check", response={200: CandidateOut, **MOVE_ERRORS})
def record_background_check(
    request: HttpRequest, candidate_id: int, payload: BackgroundCheckIn
) -> dict[str, Any]:
    """Record the background check; only a "clear" outcome moves the stage."""
    candidate = ready_for(request, candidate_id, "record-background-check")
    actions.record_background_check(candidate, by=user_of(request), **payload.model_dump())
    return answer(request, candidate_id)


@router.post("/{candidate_id}/introducers", response={200: CandidateOut, **MOVE_ERRORS})
def add_introducer(
    request: HttpRequest, candidate_id: int, payload: IntroducerIn
) -> dict[str, Any]:
    """Add an introducer: an official member (``member_id``) or a union's executive
    (``union`` + ``resolution_no``). Two are needed before the branch vote."""
    user = user_of(request)
    if (payload.member_id is None) == (payload.union is None):
        raise ApiError(
            400, fields={"member_id": "Chọn một đảng viên (member_id) hoặc một tổ chức (union)."}
        )
    candidate = ready_for(request, candidate_id, "introducers")
    member = None
    if payload.member_id is not None:
        member = introducer_member(user, candidate, payload.member_id)
    actions.add_introducer(
        candidate,
        by=user,
        known_since=payload.known_since,
        member=member,
        union=payload.union or "",
        resolution_no=payload.resolution_no,
    )
    return answer(request, candidate_id)


def introducer_member(user: User, candidate: Candidate, member_id: int) -> Member:
    """The member named as introducer. It may sit in another branch of the same grassroots
    organisation, outside a branch secretary's scope; anyone else is "not found"."""
    member = Member.objects.select_related("person", "branch").filter(pk=member_id).first()
    if member is None or not (
        path_within(member.org_path, user) or same_grassroots(member.branch, candidate.branch)
    ):
        raise ApiError(400, fields={"member_id": "Không tìm thấy đảng viên này."})
    return member


@router.delete(
    "/{candidate_id}/introducers/{introducer_id}", response={200: CandidateOut, **MOVE_ERRORS}
)
def remove_introducer(
    request: HttpRequest, candidate_id: int, introducer_id: int
) -> dict[str, Any]:
    """Remove an introducer added by mistake (before the branch vote)."""
    candidate = ready_for(request, candidate_id, "introducers")
    introducer = get_object_or_404(candidate.introducers.filter(active=True), pk=introducer_id)
    actions.remove_introducer(introducer, by=user_of(request))
    return answer(request, candidate_id)


@router.post("/{candidate_id}/assign-helper", response={200: CandidateOut, **MOVE_ERRORS})
def assign_helper(
    request: HttpRequest, candidate_id: int, payload: AssignHelperIn
) -> dict[str, Any]:
    """Assign the member of the branch who helps the candidate (12-HD/BTCTW)."""
    candidate = ready_for(request, candidate_id, "assign-helper")
    helper = Member.objects.filter(pk=payload.helper_id, branch=candidate.branch).first()
    if helper is None:
        raise ApiError(400, fields={"helper_id": "Không tìm thấy đảng viên này trong chi bộ."})
    actions.assign_helper(candidate, helper=helper, by=user_of(request))
    return answer(request, candidate_id)


@router.post("/{candidate_id}/education-exception", response={200: CandidateOut, **MOVE_ERRORS})
def education_exception(
    request: HttpRequest, candidate_id: int, payload: EducationExceptionIn
) -> dict[str, Any]:
    """Record the basis for admitting without the THCS diploma (294-QĐ/TW §1.2)."""
    candidate = ready_for(request, candidate_id, "education-exception")
    actions.record_education_exception(candidate, basis=payload.basis, by=user_of(request))
    return answer(request, candidate_id)


@router.post("/{candidate_id}/over-age-approval", response={200: CandidateOut, **MOVE_ERRORS})
def over_age_approval(
    request: HttpRequest, candidate_id: int, payload: OverAgeApprovalIn
) -> dict[str, Any]:
    """Record the provincial committee's consent to admit someone over 60."""
    candidate = ready_for(request, candidate_id, "over-age-approval")
    actions.record_over_age_approval(candidate, by=user_of(request), **payload.model_dump())
    return answer(request, candidate_id)


@router.post("/{candidate_id}/record-branch-vote", response={200: CandidateVoteOut, **MOVE_ERRORS})
def record_branch_vote(
    request: HttpRequest, candidate_id: int, payload: BranchVoteIn
) -> dict[str, Any]:
    """The branch votes (at least 2/3 of the denominator). A failed vote is recorded and
    answered 200 with ``passed: false``; the stage stays."""
    candidate = ready_for(request, candidate_id, "record-branch-vote")
    vote = actions.record_branch_vote(candidate, by=user_of(request), **payload.model_dump())
    return {**answer(request, candidate_id), "denominator": vote.denominator, "passed": vote.passed}


@router.post(
    "/{candidate_id}/record-grassroots-vote", response={200: CandidateVoteOut, **MOVE_ERRORS}
)
def record_grassroots_vote(
    request: HttpRequest, candidate_id: int, payload: GrassrootsVoteIn
) -> dict[str, Any]:
    """The grassroots đảng ủy endorses (at least 2/3 of its committee), where one sits
    between the branch and the deciding committee."""
    candidate = ready_for(request, candidate_id, "record-grassroots-vote")
    vote = actions.record_grassroots_vote(candidate, by=user_of(request), **payload.model_dump())
    return {**answer(request, candidate_id), "denominator": vote.denominator, "passed": vote.passed}


@router.post("/{candidate_id}/extend-deadline", response={200: CandidateOut, **MOVE_ERRORS})
def extend_deadline(
    request: HttpRequest, candidate_id: int, payload: ExtendDeadlineIn
) -> dict[str, Any]:
    """Extend the decision deadline once, by 30 working days."""
    candidate = ready_for(request, candidate_id, "extend-deadline")
    actions.extend_decision_deadline(candidate, by=user_of(request), reason=payload.reason)
    return answer(request, candidate_id)


@router.post("/{candidate_id}/decide-admission", response={200: CandidateOut, **MOVE_ERRORS})
def decide_admission(
    request: HttpRequest, candidate_id: int, payload: DecideAdmissionIn
) -> dict[str, Any]:
    """The competent committee decides: ``admitted`` or ``rejected``. A decision after the
    deadline needs ``late_reason``."""
    candidate = ready_for(request, candidate_id, "decide-admission")
    actions.decide_admission(candidate, by=user_of(request), **payload.model_dump())
    return answer(request, candidate_id)


@router.post("/{candidate_id}/hold-ceremony", response={200: CandidateOut, **MOVE_ERRORS})
def hold_ceremony(
    request: HttpRequest, candidate_id: int, payload: HoldCeremonyIn
) -> dict[str, Any]:
    """The ceremony makes a probationary member (answer carries ``member_id``). Later than
    30 working days after the decision needs ``late_approval_no``."""
    candidate = ready_for(request, candidate_id, "hold-ceremony")
    actions.hold_ceremony(candidate, by=user_of(request), **payload.model_dump())
    return answer(request, candidate_id)


@router.post("/{candidate_id}/withdraw", response={200: CandidateOut, **MOVE_ERRORS})
def withdraw(request: HttpRequest, candidate_id: int, payload: WithdrawalIn) -> dict[str, Any]:
    """Take the person out of the pool."""
    candidate = ready_for(request, candidate_id, "withdraw")
    actions.withdraw(candidate, by=user_of(request), reason=payload.reason)
    return answer(request, candidate_id)
