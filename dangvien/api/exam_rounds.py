"""Exam rounds up to their papers over JSON (API.md "Training and exams": ``/exam-rounds``,
``/exam-rounds/{id}/papers``): settings, board, blueprint, candidates, paper variants and
their DOCX/PDF, one-time codes.

Rounds outside the user's scope (and not on their board) answer 404; writes need the
round committee's staff (403); a rule that refuses answers 409 with its Vietnamese
message. Answer keys and rubrics only reach the board and the staff.
"""

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from dangvien.api.auth import user_of
from dangvien.api.errors import ApiError, responses
from dangvien.candidates.queries import visible_candidates
from dangvien.core.errors import NotEligible
from dangvien.exams import printing
from dangvien.exams.actions import rounds as actions
from dangvien.exams.models import (
    Difficulty,
    ExamRound,
    Paper,
    Part,
    RoundStatus,
    Sitting,
    SittingMode,
    Topic,
)
from dangvien.exams.queries import access
from dangvien.exams.queries import rounds as queries
from dangvien.organisations.queries import visible_organisations

router = Router(tags=["Kiểm tra nhận thức"])

ERRORS = responses(400, 401, 403, 404, 409)


# ---- input -------------------------------------------------------------------------------


class RoundIn(Schema):
    organisation_id: int = Field(description="Cấp ủy tổ chức đợt kiểm tra")
    name: str = Field(min_length=1, max_length=200)
    held_on: date = Field(description="Ngày kiểm tra")
    venue: str = Field("", max_length=250)
    duration_minutes: int = Field(45, description="Thời gian làm bài, 5–240 phút")
    pass_mark: Decimal = Field(Decimal(5), description="Điểm đạt, thang 10")
    written_weight: int = Field(70, description="Trọng số phần viết (%)")
    oral_weight: int = Field(30, description="Trọng số phần vấn đáp (%); cộng với phần viết = 100")
    variants: int = Field(4, description="Số mã đề, 1–50")
    disagreement_percent: int = Field(
        20, description="Chênh lệch tối đa giữa hai giám khảo (% điểm của câu)"
    )


class RoundPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    held_on: date | None = None
    venue: str | None = Field(None, max_length=250)
    duration_minutes: int | None = None
    pass_mark: Decimal | None = None
    written_weight: int | None = None
    oral_weight: int | None = None
    variants: int | None = None
    disagreement_percent: int | None = None


class BoardIn(Schema):
    member_ids: list[int] = Field(description="Người dùng vào hội đồng (ít nhất 2)")
    chair_id: int = Field(description="Chủ tịch hội đồng, một trong các thành viên")


class LineIn(Schema):
    part: Part = Field(description='"written" (viết) hoặc "oral" (vấn đáp)')
    topic_id: int = Field(description="Chủ đề (GET /topics)")
    difficulty: Difficulty = Field(description="1 dễ, 2 trung bình, 3 khó")
    count: int = Field(ge=1, le=actions.MAX_LINE_COUNT, description="Số câu mỗi mã đề")


class BlueprintIn(Schema):
    lines: list[LineIn]


class RegisterIn(Schema):
    candidate_ids: list[int] = Field(min_length=1, description="Quần chúng ưu tú (id)")
    mode: SittingMode = Field(SittingMode.ONLINE, description='"online" hoặc "paper"')


class CodesIn(Schema):
    sitting_id: int | None = Field(
        None, description="Chỉ cấp lại mã cho bài này; bỏ trống: cấp cho mọi thí sinh trực tuyến"
    )


class RoundFilters(Schema):
    year: int | None = None
    status: RoundStatus | None = None
    organisation: int | None = Field(None, description="Trong cây của tổ chức này")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


class PaperFileQuery(Schema):
    format: Literal["docx", "pdf", "json"] = "docx"
    key: bool = Field(False, description="Đáp án và thang điểm (chỉ hội đồng, cán bộ cấp ủy)")


# ---- output ------------------------------------------------------------------------------


class RoundItemOut(Schema):
    id: int
    name: str
    held_on: date
    venue: str
    status: str
    status_label: str
    organisation_id: int
    organisation_name: str
    sitting_count: int
    paper_count: int


class RoundPage(Schema):
    count: int
    items: list[RoundItemOut]


class BoardMemberOut(Schema):
    user_id: int
    name: str
    username: str
    is_chair: bool


class LineOut(Schema):
    part: str
    topic_id: int
    topic_code: str
    topic_name: str
    difficulty: int
    count: int
    available: int = Field(description="Câu hỏi dùng được trong ngân hàng cho dòng này")


class StepOut(Schema):
    key: str
    label: str
    done: bool
    missing: list[str]


class RoundOut(RoundItemOut):
    duration_minutes: int
    pass_mark: float
    written_weight: int
    oral_weight: int
    variants: int
    disagreement_percent: int
    board: list[BoardMemberOut]
    blueprint: list[LineOut]
    questions_per_paper: int
    steps: list[StepOut]


class RegistrationOut(Schema):
    candidate_id: int
    registered: bool
    sitting_id: int | None
    attempt: int | None
    message: str = Field(description="Lý do không đăng ký được (trống khi đã đăng ký)")


class RegisterOut(Schema):
    registered: int
    refused: int
    results: list[RegistrationOut]


class SittingOut(Schema):
    id: int
    candidate_id: int | None
    person_id: int
    full_name: str
    birth_date: date
    branch_name: str
    attempt: int
    mode: str
    status: str
    paper: str | None = Field(description="Mã đề được giao, vd 001")
    has_code: bool


class SittingPage(Schema):
    count: int
    items: list[SittingOut]


class OptionOut(Schema):
    letter: str
    text: str


class CriterionOut(Schema):
    criterion: str
    points: float


class ItemOut(Schema):
    position: int
    number: int = Field(description="Số thứ tự trong phần")
    part: str
    question_id: int
    version_id: int
    type: str
    text: str
    options: list[OptionOut] = Field(description="Theo thứ tự của mã đề, đánh lại A, B, C…")
    points: float
    key: str | None = Field(description="Đáp án theo chữ cái in trên đề (chỉ hội đồng)")
    rubric: list[CriterionOut] = Field(description="Thang điểm chấm (chỉ hội đồng)")


class PaperOut(Schema):
    number: int
    code: str
    sitting_count: int
    items: list[ItemOut]


class PapersOut(Schema):
    round_id: int
    status: str
    keys_included: bool
    count: int
    items: list[PaperOut]


class CodeOut(Schema):
    sitting_id: int
    candidate_id: int | None
    full_name: str
    paper: str | None
    code: str = Field(description="Mã dùng một lần, dạng K7QM-2XPA; chỉ trả về lần này")


class CodesOut(Schema):
    count: int
    items: list[CodeOut]


# ---- helpers -----------------------------------------------------------------------------


def _round(request: HttpRequest, round_id: int) -> ExamRound:
    rows = ExamRound.objects.filter(pk__in=access.reachable_rounds(user_of(request)).values("pk"))
    return get_object_or_404(rows.select_related("organisation"), pk=round_id)


def _item(exam_round: ExamRound) -> dict[str, Any]:
    sittings = getattr(exam_round, "sitting_count", None)  # annotated by the list
    papers = getattr(exam_round, "paper_count", None)
    return {
        "id": exam_round.pk,
        "name": exam_round.name,
        "held_on": exam_round.held_on,
        "venue": exam_round.venue,
        "status": exam_round.status,
        "status_label": str(RoundStatus(exam_round.status).label),
        "organisation_id": exam_round.organisation_id,
        "organisation_name": exam_round.organisation.name,
        "sitting_count": exam_round.sittings.count() if sittings is None else sittings,
        "paper_count": exam_round.papers.count() if papers is None else papers,
    }


def _detail(exam_round: ExamRound) -> dict[str, Any]:
    exam_round.refresh_from_db()
    lines = queries.blueprint_view(exam_round)
    return {
        **_item(exam_round),
        "duration_minutes": exam_round.duration_minutes,
        "pass_mark": float(exam_round.pass_mark),
        "written_weight": exam_round.written_weight,
        "oral_weight": exam_round.oral_weight,
        "variants": exam_round.variants,
        "disagreement_percent": exam_round.disagreement_percent,
        "board": [
            {
                "user_id": m.user_id,
                "name": str(m.user),
                "username": m.user.username,
                "is_chair": m.is_chair,
            }
            for m in exam_round.board.select_related("user").order_by("-is_chair", "pk")
        ],
        "blueprint": [
            {
                "part": lv.line.part,
                "topic_id": lv.line.topic_id,
                "topic_code": lv.line.topic.code,
                "topic_name": lv.line.topic.name,
                "difficulty": lv.line.difficulty,
                "count": lv.line.count,
                "available": lv.available,
            }
            for lv in lines
        ],
        "questions_per_paper": sum(lv.line.count for lv in lines),
        "steps": [vars(step) for step in queries.round_steps(exam_round)],
    }


def _paper(paper: Paper, *, keys: bool) -> dict[str, Any]:
    items = sorted(paper.items.all(), key=lambda i: i.position)
    printed = printing.print_items(paper)
    return {
        "number": paper.number,
        "code": paper.code,
        "sitting_count": getattr(paper, "sitting_count", 0),
        "items": [
            {
                "position": item.position,
                "number": shown.number,
                "part": item.part,
                "question_id": item.version.question_id,
                "version_id": item.version_id,
                "type": shown.type,
                "text": shown.text,
                "options": [{"letter": letter, "text": text} for letter, text in shown.options],
                "points": float(item.points),
                "key": shown.key if keys else None,
                "rubric": [
                    {"criterion": criterion, "points": float(points)}
                    for criterion, points in shown.rubric
                ]
                if keys
                else [],
            }
            for item, shown in zip(items, printed, strict=True)
            if keys or item.part == Part.WRITTEN  # the oral part stays with the board
        ],
    }


def _papers(request: HttpRequest, exam_round: ExamRound) -> dict[str, Any]:
    keys = queries.can_see_keys(user_of(request), exam_round)
    papers = list(queries.papers_with_items(exam_round))
    return {
        "round_id": exam_round.pk,
        "status": exam_round.status,
        "keys_included": keys,
        "count": len(papers),
        "items": [_paper(p, keys=keys) for p in papers],
    }


def _sitting(sitting: Sitting) -> dict[str, Any]:
    return {
        "id": sitting.pk,
        "candidate_id": sitting.candidate_id,
        "person_id": sitting.person_id,
        "full_name": sitting.person.full_name,
        "birth_date": sitting.person.birth_date,
        "branch_name": sitting.candidate.branch.name if sitting.candidate else "",
        "attempt": sitting.attempt,
        "mode": sitting.mode,
        "status": sitting.status,
        "paper": sitting.paper.code if sitting.paper else None,
        "has_code": bool(sitting.code_digest),
    }


# ---- rounds ------------------------------------------------------------------------------


@router.get("/exam-rounds", response={200: RoundPage, **ERRORS}, url_name="exam-rounds")
def list_rounds(request: HttpRequest, filters: Query[RoundFilters]) -> dict[str, Any]:
    """Đợt kiểm tra the user may open (in their subtree, or whose board they sit on),
    newest first; filters: year, status, organisation (its subtree)."""
    organisation = None
    if filters.organisation is not None:
        organisation = get_object_or_404(
            visible_organisations(user_of(request)), pk=filters.organisation
        )
    rows = queries.filter_rounds(
        queries.round_list(user_of(request)),
        year=filters.year,
        status=filters.status or "",
        organisation=organisation,
    )
    page = rows[filters.offset : filters.offset + filters.limit]
    return {"count": rows.count(), "items": [_item(r) for r in page]}


@router.post("/exam-rounds", response={201: RoundOut, **ERRORS}, url_name="exam-round-create")
def create_round(request: HttpRequest, payload: RoundIn) -> Status[Any]:
    """Tạo đợt kiểm tra (seed 000: the committee's Hội đồng kiểm tra, đánh giá nhận thức
    tests its candidates in writing and orally). Committee staff of the organisation or
    above (403); weights add up to 100, pass mark 0–10, 1–50 variants, 5–240 minutes
    (409 otherwise)."""
    organisation = get_object_or_404(
        visible_organisations(user_of(request)), pk=payload.organisation_id
    )
    values = payload.dict(exclude={"organisation_id"})
    exam_round = actions.create_round(organisation, by=user_of(request), **values)
    return Status(201, _detail(exam_round))


@router.get(
    "/exam-rounds/{int:round_id}", response={200: RoundOut, **ERRORS}, url_name="exam-round"
)
def get_round(request: HttpRequest, round_id: int) -> dict[str, Any]:
    """One round: its settings, board, blueprint (with the bank's available questions per
    line) and what each set-up step still lacks."""
    return _detail(_round(request, round_id))


@router.patch("/exam-rounds/{int:round_id}", response={200: RoundOut, **ERRORS})
def update_round(request: HttpRequest, round_id: int, payload: RoundPatch) -> dict[str, Any]:
    """Change a round's settings while it is being prepared (status ``draft``; 409 after
    the papers are drawn). Only the fields sent change."""
    exam_round = _round(request, round_id)
    changes = payload.dict(exclude_unset=True)
    if any(value is None for value in changes.values()):
        raise ApiError(
            400, fields={k: "Không được để trống." for k, v in changes.items() if v is None}
        )
    actions.update_round(exam_round, by=user_of(request), **changes)
    return _detail(exam_round)


@router.put("/exam-rounds/{int:round_id}/board", response={200: RoundOut, **ERRORS})
def set_board(request: HttpRequest, round_id: int, payload: BoardIn) -> dict[str, Any]:
    """Hội đồng kiểm tra, đánh giá nhận thức (seed 000): at least 2 members so every essay
    and oral answer gets two markers, and a chair among them. Members hold a role at the
    round's organisation, in its subtree or above. Replaces the board (until marking)."""
    exam_round = _round(request, round_id)
    ids = list(dict.fromkeys(payload.member_ids))
    found = {u.pk: u for u in queries.board_candidates(exam_round).filter(pk__in=ids)}
    missing = [str(pk) for pk in ids if pk not in found]
    if missing:
        raise NotEligible(
            f"Người dùng số {', '.join(missing)} không có vai trò tại "
            f"{exam_round.organisation.name}, cấp trên hay các tổ chức trực thuộc.",
            field="member_ids",
        )
    if payload.chair_id not in found:
        raise NotEligible("Chủ tịch hội đồng phải là một trong các thành viên.", field="chair_id")
    actions.set_board(
        exam_round,
        members=[found[pk] for pk in ids],
        chair=found[payload.chair_id],
        by=user_of(request),
    )
    return _detail(exam_round)


@router.put("/exam-rounds/{int:round_id}/blueprint", response={200: RoundOut, **ERRORS})
def set_blueprint(request: HttpRequest, round_id: int, payload: BlueprintIn) -> dict[str, Any]:
    """Ma trận đề: lines of (part, topic, difficulty, count). Written lines draw every
    type but oral, oral lines oral questions; a part with weight > 0 needs a line, a part
    with weight 0 none. 409 naming the topic and difficulty when the usable bank is short.
    Only while the round is being prepared; replaces the lines."""
    exam_round = _round(request, round_id)
    topics = Topic.objects.in_bulk({line.topic_id for line in payload.lines})
    unknown = sorted({line.topic_id for line in payload.lines} - set(topics))
    if unknown:
        raise ApiError(400, fields={"lines": f"Không có chủ đề số {unknown[0]} (xem GET /topics)."})
    lines = [
        actions.Line(line.part, topics[line.topic_id], int(line.difficulty), line.count)
        for line in payload.lines
    ]
    actions.set_blueprint(exam_round, lines=lines, by=user_of(request))
    return _detail(exam_round)


# ---- candidates --------------------------------------------------------------------------


@router.get(
    "/exam-rounds/{int:round_id}/candidates",
    response={200: SittingPage, **ERRORS},
    url_name="exam-round-candidates",
)
def list_candidates(request: HttpRequest, round_id: int) -> dict[str, Any]:
    """The round's registered candidates with their attempt number, mode, variant and
    whether a one-time code was issued."""
    exam_round = _round(request, round_id)
    rows = list(queries.round_sittings(exam_round))
    return {"count": len(rows), "items": [_sitting(s) for s in rows]}


@router.post("/exam-rounds/{int:round_id}/candidates", response={200: RegisterOut, **ERRORS})
def register(request: HttpRequest, round_id: int, payload: RegisterIn) -> dict[str, Any]:
    """Register candidates, each on their own: ``results`` says per candidate whether a
    sitting was created (with its attempt number) or why not: outside the round
    organisation's subtree, past the branch vote, registered already, a result pending in
    another round, a pass still valid (``exam.result_validity_months``), too many
    attempts (``exam.max_attempts``) or too soon after a failed one
    (``exam.resit_min_days``). A candidate id the user cannot see answers 404 and nothing
    is registered."""
    exam_round = _round(request, round_id)
    ids = list(dict.fromkeys(payload.candidate_ids))
    found = visible_candidates(user_of(request)).in_bulk(ids)
    if len(found) != len(ids):
        raise ApiError(404)
    results = actions.register_candidates(
        exam_round, candidates=[found[pk] for pk in ids], mode=payload.mode, by=user_of(request)
    )
    return {
        "registered": sum(1 for r in results if r.registered),
        "refused": sum(1 for r in results if not r.registered),
        "results": [
            {
                "candidate_id": r.candidate.pk,
                "registered": r.registered,
                "sitting_id": r.sitting.pk if r.sitting else None,
                "attempt": r.sitting.attempt if r.sitting else None,
                "message": r.message,
            }
            for r in results
        ],
    }


@router.delete(
    "/exam-rounds/{int:round_id}/candidates/{int:sitting_id}",
    response={204: None, **ERRORS},
)
def unregister(request: HttpRequest, round_id: int, sitting_id: int) -> Status[Any]:
    """Take a candidate off the round while their paper is not started (409 after)."""
    exam_round = _round(request, round_id)
    sitting = get_object_or_404(exam_round.sittings.select_related("person"), pk=sitting_id)
    actions.unregister(sitting, by=user_of(request))
    return Status(204, None)


# ---- papers ------------------------------------------------------------------------------


@router.post("/exam-rounds/{int:round_id}/papers", response={200: PapersOut, **ERRORS})
def generate(request: HttpRequest, round_id: int) -> dict[str, Any]:
    """Draw the round's variants from the blueprint (random questions per line, shuffled
    within each part, options shuffled; seeds kept for reproducibility), give the
    candidates their variants round robin, and move the round to ``papers``. Again while
    no sitting has started: the old variants are replaced. Needs the board and the
    blueprint (409)."""
    exam_round = _round(request, round_id)
    actions.generate_papers(exam_round, by=user_of(request))
    exam_round.refresh_from_db()
    return _papers(request, exam_round)


@router.get(
    "/exam-rounds/{int:round_id}/papers",
    response={200: PapersOut, **ERRORS},
    url_name="exam-round-papers",
)
def list_papers(request: HttpRequest, round_id: int) -> dict[str, Any]:
    """The variants with their items in printed order (options relabelled A, B, C… as on
    the paper). Keys and rubrics only for the board and the committee's staff
    (``keys_included``)."""
    return _papers(request, _round(request, round_id))


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FILE_RESPONSES = {
    200: {  # the status as a number, as ninja keys it: "200" would be a second key
        "description": "The paper (or with ``key=true`` its answer key) as a file, or JSON.",
        "content": {
            DOCX_TYPE: {},
            "application/pdf": {},
            "application/json": {},
        },
    }
}


@router.get(
    "/exam-rounds/{int:round_id}/papers/{int:number}",
    response={200: PaperOut, **ERRORS},
    openapi_extra={"responses": FILE_RESPONSES},
)
def get_paper(
    request: HttpRequest, round_id: int, number: int, params: Query[PaperFileQuery]
) -> Any:
    """One variant: ``format=docx`` (default) or ``pdf`` answers the printable file, the
    candidate's paper (written part) or with ``key=true`` the board's answer key with the
    rubric and the oral part (403 for others); ``format=json`` the items."""
    exam_round = _round(request, round_id)
    if params.key and not queries.can_see_keys(user_of(request), exam_round):
        raise ApiError(403)
    paper = queries.paper_with_items(exam_round, number)
    if paper is None:
        raise ApiError(404)
    if params.format == "json":
        return _paper(paper, keys=params.key)
    if params.format == "pdf":
        content = printing.key_pdf(paper) if params.key else printing.paper_pdf(paper)
        content_type = "application/pdf"
    else:
        content = printing.key_docx(paper) if params.key else printing.paper_docx(paper)
        content_type = DOCX_TYPE
    response = HttpResponse(content, content_type=content_type)
    name = printing.file_name(paper, key=params.key, ext=params.format)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@router.post("/exam-rounds/{int:round_id}/codes", response={200: CodesOut, **ERRORS})
def issue_codes(request: HttpRequest, round_id: int, payload: CodesIn) -> dict[str, Any]:
    """One-time codes for the online sittings (all of them, or ``sitting_id`` again): the
    raw codes are in this answer only; the server keeps their SHA-256. Once papers exist
    and before marking (409)."""
    exam_round = _round(request, round_id)
    sitting = None
    if payload.sitting_id is not None:
        sitting = get_object_or_404(exam_round.sittings, pk=payload.sitting_id)
    codes = actions.issue_codes(exam_round, sitting=sitting, by=user_of(request))
    rows = (
        exam_round.sittings.filter(pk__in=list(codes))
        .select_related("person", "paper")
        .order_by("person__sort_key", "pk")
    )
    return {
        "count": len(codes),
        "items": [
            {
                "sitting_id": s.pk,
                "candidate_id": s.candidate_id,
                "full_name": s.person.full_name,
                "paper": s.paper.code if s.paper else None,
                "code": codes[s.pk],
            }
            for s in rows
        ],
    }
