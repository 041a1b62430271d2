"""JSON API: screening cases (rà soát, sàng lọc; 02-HD/BTCTW 2021; DOMAIN.md §5). Mounted
at the API root; full paths under ``/screening-cases``.

The same actions and queries as the pages (``dangvien.screening``): a case outside the
user's subtree → 404; a step the user's role may not take → 403; a rule refused (the
ballot rule, the state machine, the help period…) → 409 with the error's code and
nothing changed; malformed input → 400 ``invalid`` with ``fields``.
"""

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from dangvien.accounts.models import Capability
from dangvien.accounts.queries import can
from dangvien.api.auth import user_of
from dangvien.api.errors import ApiError, responses
from dangvien.api.schemas import Count, Day, Page, Text
from dangvien.api.serialise import user_name
from dangvien.core.errors import DomainError
from dangvien.core.rules import ratio_text
from dangvien.members.models import ACTIVE_STATUSES, RemovalTrigger
from dangvien.members.queries import visible_members
from dangvien.organisations.queries import visible_organisations
from dangvien.screening import actions
from dangvien.screening.models import NEXT_STATES, Criterion, ScreeningCase, State
from dangvien.screening.queries import cases as queries

router = Router(tags=["Kiểm điểm, xếp loại và sàng lọc"])

READ_ERRORS = responses(400, 401, 404)
WRITE_ERRORS = responses(400, 401, 403, 404, 409)

STATE_DOC = "; ".join(f"`{value}` = {label}" for value, label in State.choices)
CRITERIA_DOC = "; ".join(f"`{value}` = {label}" for value, label in Criterion.choices)


# ---- input -----------------------------------------------------------------------------


class CaseFilters(Page):
    organisation: int | None = Field(None, description="Chỉ các hồ sơ thuộc tổ chức này")
    state: State | Literal["open"] | None = Field(
        None, description=f"Trạng thái, hoặc `open`: đang giải quyết. {STATE_DOC}"
    )
    year: int | None = Field(None, ge=1930, le=2200, description="Năm bỏ phiếu kín")
    q: str = Field("", max_length=200, description="Tìm theo họ tên, không phân biệt dấu")


class BallotIn(Schema):
    member_id: int = Field(description="Đảng viên được rà soát")
    ballot_on: Day = Field(description="Ngày chi bộ bỏ phiếu kín")
    in_favour: Count = Field(description="Số phiếu đồng ý")
    against: Count = Field(description="Số phiếu không đồng ý")
    invalid: Count = Field(0, description="Số phiếu không hợp lệ")
    resolution_no: str = Field("", max_length=50, description="Số nghị quyết / biên bản")
    criteria: list[Criterion] = Field(
        description=f"Biểu hiện (ít nhất một; 02-HD/BTCTW §II.1): {CRITERIA_DOC}"
    )
    grounds: str = Field(..., min_length=1, max_length=4000, description="Nhận xét, căn cứ")


class HelperIn(Schema):
    helper_id: int = Field(description="Đảng viên chính thức cùng chi bộ giúp đỡ")
    help_from: Day
    help_until: Day = Field(description="Tối đa `screening.max_help_months` (12) tháng")


class ImprovedIn(Schema):
    on: Day = Field(description="Ngày chi bộ kết luận")
    note: Text = ""


class OutcomeIn(Schema):
    outcome: Literal["proposed_removal", "proposed_expulsion", "exit_requested"]
    on: Day = Field(description="Ngày chi bộ kết luận (xin ra khỏi Đảng: ngày làm đơn)")
    note: str = Field(..., min_length=1, max_length=1000, description="Nhận xét, lý do")
    trigger: RemovalTrigger = Field(
        RemovalTrigger.LOST_COMMITMENT,
        description="Căn cứ xem xét xóa tên (chỉ dùng khi `proposed_removal`)",
    )


class DecideIn(Schema):
    decision_no: str = Field(
        "", max_length=50, description="Số quyết định (khai trừ; xóa tên, ra khỏi Đảng: bỏ qua)"
    )
    decided_on: Day | None = Field(None, description="Ngày quyết định (khai trừ)")
    upheld: bool | None = Field(None, description="Khai trừ hay không (khai trừ)")
    body: str = Field("", max_length=200, description="Cơ quan ra quyết định khai trừ")
    note: Text = Field("", description="Ghi chú; lý do khai trừ (mặc định: nhận xét của chi bộ)")
    never_readmit: Literal["left_meetings", "disunity", "corruption", "serious_crime"] | None = (
        Field(None, description="Diện không kết nạp lại (294-QĐ/TW §3.5), khi khai trừ")
    )


# ---- output ----------------------------------------------------------------------------


class BallotOut(Schema):
    held_on: date
    in_favour: int
    against: int
    invalid: int
    denominator: int = Field(
        description="Đảng viên chính thức của chi bộ ngày bỏ phiếu, trừ đảng viên được miễn "
        "sinh hoạt (có mặt hay không); đảng viên dự bị không tính"
    )
    rule: list[Any] = Field(description='Tỷ lệ áp dụng, ví dụ `[2, 3, "at_least"]`')
    rule_text: str
    passed: bool


class ProceedingOut(Schema):
    id: int
    kind: str
    kind_label: str
    step: str
    step_label: str
    decision_no: str
    decided_on: date | None
    outcome: bool | None


class ScreeningChangeOut(Schema):
    from_state: str
    to_state: str
    on: date
    at: datetime
    by: str | None
    note: str


class CaseItem(Schema):
    id: int
    member_id: int
    member_name: str
    branch_id: int
    branch_name: str
    state: State
    state_label: str
    criteria: list[Criterion]
    ballot: BallotOut
    helper_id: int | None
    helper_name: str | None
    help_from: date | None
    help_until: date | None
    outcome_on: date | None
    decision_no: str
    decided_on: date | None
    decision_upheld: bool | None


class CaseOut(CaseItem):
    grounds: str
    resolution_no: str
    outcome_note: str
    decision_note: str
    proceeding: ProceedingOut | None = Field(
        description="Việc xóa tên / ra khỏi Đảng trên hồ sơ đảng viên, gắn với hồ sơ này"
    )
    history: list[ScreeningChangeOut]
    moves: list[str] = Field(description="Các bước người dùng này được làm lúc này")


class CasePage(Schema):
    count: int
    items: list[CaseItem]


def case_item(case: ScreeningCase) -> dict[str, Any]:
    helper = case.helper
    return {
        "id": case.pk,
        "member_id": case.member_id,
        "member_name": case.member.person.full_name,
        "branch_id": case.branch_id,
        "branch_name": case.branch.name,
        "state": case.state,
        "state_label": str(State(case.state).label),
        "criteria": [c for c in case.criteria if c in Criterion.values],
        "ballot": {
            "held_on": case.ballot_on,
            "in_favour": case.ballot_in_favour,
            "against": case.ballot_against,
            "invalid": case.ballot_invalid,
            "denominator": case.ballot_denominator,
            "rule": case.ballot_rule,
            "rule_text": ratio_text(case.ballot_rule),
            "passed": case.ballot_passed,
        },
        "helper_id": helper.pk if helper else None,
        "helper_name": helper.person.full_name if helper else None,
        "help_from": case.help_from,
        "help_until": case.help_until,
        "outcome_on": case.outcome_on,
        "decision_no": case.decision_no,
        "decided_on": case.decided_on,
        "decision_upheld": case.decision_upheld,
    }


def _moves(case: ScreeningCase, user: Any) -> list[str]:
    """The POST moves this user may make on the case now."""
    out: list[str] = []
    active = case.member.status in ACTIVE_STATUSES
    if active and can(user, Capability.BRANCH_MOVES, case.org_path):
        if case.state == State.LISTED:
            out.append("assign-helper")
        if case.state == State.HELPING:
            out += ["record-improved", "record-outcome"]
    if State.DECIDED in NEXT_STATES[case.state] and queries.may_decide(user, case):
        proceeding = case.proceeding
        if case.state not in queries.PROCEEDING_OUTCOMES or (
            proceeding is not None and proceeding.step == "decided"
        ):
            out.append("decide")
    return out


def case_out(case: ScreeningCase, user: Any) -> dict[str, Any]:
    proceeding = case.proceeding
    return {
        **case_item(case),
        "grounds": case.grounds,
        "resolution_no": case.resolution_no,
        "outcome_note": case.outcome_note,
        "decision_note": case.decision_note,
        "proceeding": {
            "id": proceeding.pk,
            "kind": proceeding.kind,
            "kind_label": proceeding.get_kind_display(),
            "step": proceeding.step,
            "step_label": proceeding.get_step_display(),
            "decision_no": proceeding.decision_no,
            "decided_on": proceeding.decided_on,
            "outcome": proceeding.outcome,
        }
        if proceeding
        else None,
        "history": [
            {
                "from_state": h.from_state,
                "to_state": h.to_state,
                "on": h.on,
                "at": timezone.localtime(h.at),
                "by": user_name(h.by),
                "note": h.note,
            }
            for h in queries.case_history(case)
        ],
        "moves": _moves(case, user),
    }


def _case(request: HttpRequest, case_id: int) -> ScreeningCase:
    return get_object_or_404(queries.visible_cases(user_of(request)), pk=case_id)


def _answer(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return case_out(_case(request, case_id), user_of(request))


# ---- endpoints -------------------------------------------------------------------------


@router.get("/screening-cases", response={200: CasePage, **READ_ERRORS}, url_name="screening-cases")
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> dict[str, Any]:
    """Screening cases in the user's scope, newest ballot first: under `organisation`
    (outside the scope → 404), in `state` (or `open`: listed, helping, or awaiting a
    decision), balloted in `year`, member's name matching `q` (case and diacritics
    ignored)."""
    user = user_of(request)
    organisation = None
    if filters.organisation is not None:
        organisation = get_object_or_404(visible_organisations(user), pk=filters.organisation)
    rows = queries.filter_cases(
        queries.visible_cases(user),
        organisation=organisation,
        state=filters.state or "",
        year=filters.year,
        q=filters.q,
    )
    page = rows[filters.offset : filters.offset + filters.limit]
    return {"count": rows.count(), "items": [case_item(c) for c in page]}


@router.post("/screening-cases", response={201: CaseOut, **WRITE_ERRORS})
def create_case(request: HttpRequest, payload: BallotIn) -> Status[dict[str, Any]]:
    """The chi bộ's secret ballot on one member (02-HD/BTCTW §1): only the counts are
    stored. The denominator is the branch's official members on `ballot_on` minus the
    exempted ones (whether present or not); probationary members never count; `in_favour
    + against + invalid` may not exceed it; the chi bộ needs at least 3 official members.
    At least 2/3 in favour (`vote.screening`): the case is `listed` for education and
    help; short of it: `not_listed`, kept as history. The answer carries
    `ballot.denominator` and `ballot.passed`. A member outside the scope → 404; a role
    without the chi bộ's moves → 403; a member not active or with a case under way, no
    criteria, counts over the denominator → 409."""
    user = user_of(request)
    member = get_object_or_404(visible_members(user), pk=payload.member_id)
    values = payload.model_dump(exclude={"member_id"})
    values["criteria"] = [str(c) for c in payload.criteria]
    case = actions.list_for_screening(member, by=user, **values)
    return Status(201, _answer(request, case.pk))


@router.get(
    "/screening-cases/{case_id}",
    response={200: CaseOut, **responses(400, 401, 404)},
    url_name="screening-case",
)
def get_case(request: HttpRequest, case_id: int) -> dict[str, Any]:
    """One screening case with its ballot, helper, outcome, the linked removal or exit
    proceeding, the decision, its `history` (every move) and the `moves` this user may
    make now."""
    return _answer(request, case_id)


@router.post("/screening-cases/{case_id}/assign-helper", response={200: CaseOut, **WRITE_ERRORS})
def assign_helper(request: HttpRequest, case_id: int, payload: HelperIn) -> dict[str, Any]:
    """The chi bộ assigns a helper and sets the help period: `listed` → `helping`
    (02-HD/BTCTW §2). The helper is an official member of the same chi bộ, not the member,
    not under screening; the period ends after it starts, at most 12 months
    (`screening.max_help_months`)."""
    user = user_of(request)
    case = _case(request, case_id)
    helper = visible_members(user).filter(pk=payload.helper_id).first()
    if helper is None:
        raise ApiError(400, fields={"helper_id": "Không tìm thấy đảng viên này."})
    try:
        actions.assign_helper(
            case, by=user, helper=helper, help_from=payload.help_from, help_until=payload.help_until
        )
    except DomainError as error:
        if error.field == "helper":
            error.field = "helper_id"
        raise
    return _answer(request, case_id)


@router.post("/screening-cases/{case_id}/record-improved", response={200: CaseOut, **WRITE_ERRORS})
def record_improved(request: HttpRequest, case_id: int, payload: ImprovedIn) -> dict[str, Any]:
    """The member improved: taken off the list, `helping` → `improved` (02-HD/BTCTW §3)."""
    actions.record_improved(_case(request, case_id), by=user_of(request), **payload.model_dump())
    return _answer(request, case_id)


@router.post("/screening-cases/{case_id}/record-outcome", response={200: CaseOut, **WRITE_ERRORS})
def record_outcome(request: HttpRequest, case_id: int, payload: OutcomeIn) -> dict[str, Any]:
    """The member did not improve: `helping` → `proposed_removal`, `proposed_expulsion`
    (both only once the help period has ended) or `exit_requested` (on the member's written
    request, any time). Removal opens the member's removal proceeding (with `trigger`), exit
    the exit proceeding; the case links it (`proceeding`), and their rules apply (a member
    under removal consideration may not be let go on request: 409)."""
    values = payload.model_dump()
    values["trigger"] = str(payload.trigger)
    actions.record_outcome(_case(request, case_id), by=user_of(request), **values)
    return _answer(request, case_id)


@router.post("/screening-cases/{case_id}/decide", response={200: CaseOut, **WRITE_ERRORS})
def decide(request: HttpRequest, case_id: int, payload: DecideIn) -> dict[str, Any]:
    """The committee's decision closes the case (`decided`). Removal and exit: once the
    linked proceeding is decided on the member's page, its number, date and outcome are
    copied (the body's `decision_no`, `decided_on`, `upheld` are not used; before → 409).
    Expulsion: `decision_no`, `decided_on`, `upheld` required; upheld records the expulsion
    on the member (`body`, reason `note` or the chi bộ's, `never_readmit`). Needs the
    `decide` capability at the committee deciding the member's rating or above (else 403).
    """
    values = payload.model_dump()
    values["never_readmit"] = payload.never_readmit or ""
    actions.decide_case(_case(request, case_id), by=user_of(request), **values)
    return _answer(request, case_id)
