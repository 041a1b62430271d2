"""The question bank over JSON (API.md "Later areas": ``/questions``), plus ``/topics``.

The same actions and queries as the pages (``exams.actions.bank``, ``exams.queries.bank``):
a question outside the user's subtree (and not shared down to it) answers 404; a role
that may not keep the owning bank answers 403; content that breaks its type's rules
answers 400 ``invalid`` with every problem in ``fields``; a state refusal (a type change
of a question used on a paper, archiving twice) answers 409. Keys, rubrics and
explanations are ``null`` unless ``key_visible`` (``access.can_see_key``).
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from dangvien.accounts.models import User
from dangvien.api.auth import user_of
from dangvien.api.errors import ApiError, ErrorDetail, responses
from dangvien.api.schemas import Page
from dangvien.exams.actions import bank as actions
from dangvien.exams.models import Difficulty, Question, QuestionType, QuestionVersion, Topic
from dangvien.exams.queries import access
from dangvien.exams.queries import bank as queries
from dangvien.exams.spreadsheet import (
    MAX_ROWS,
    XLSX_TYPE,
    SpreadsheetUnreadable,
    export_workbook,
    read_questions,
)
from dangvien.organisations.models import Organisation
from dangvien.organisations.queries import visible_organisations

router = Router(tags=["Kiểm tra nhận thức"])

ANSWER_DOC = (
    'Đáp án: "B" (một lựa chọn), ["A", "C"] (nhiều lựa chọn), true/false (đúng/sai), '
    '["đáp án 1", …] (trả lời ngắn), null (tự luận, vấn đáp)'
)

# ---- schemas -----------------------------------------------------------------------------


class OptionSchema(Schema):
    key: str = Field(description="Ký hiệu phương án, vd A")
    text: str = Field(description="Nội dung phương án")


class CriterionSchema(Schema):
    criterion: str = Field(description="Tiêu chí chấm")
    points: Decimal = Field(description="Điểm của tiêu chí (> 0)")


class QuestionIn(Schema):
    owner_id: int = Field(description="Tổ chức giữ ngân hàng (cấp ủy quản lý được)")
    topic_id: int = Field(description="Chủ đề (GET /topics)")
    difficulty: Difficulty = Field(Difficulty.MEDIUM, description="1 dễ, 2 trung bình, 3 khó")
    type: QuestionType
    text: str = Field(description="Nội dung câu hỏi")
    options: list[OptionSchema] = Field(
        default_factory=list, description="Phương án (một lựa chọn, nhiều lựa chọn)"
    )
    answer: bool | str | list[str] | None = Field(None, description=ANSWER_DOC)
    rubric: list[CriterionSchema] = Field(
        default_factory=list, description="Thang điểm chấm (tự luận, vấn đáp): tổng = points"
    )
    points: Decimal = Field(Decimal(1), description="Điểm tối đa của câu (> 0)")
    tags: list[str] = Field(default_factory=list, description="Nhãn")
    explanation: str = Field("", description="Giải thích đáp án (chỉ hội đồng xem)")
    shared_down: bool = Field(True, description="Chia sẻ cho các tổ chức cấp dưới")


class QuestionEditIn(Schema):
    """Only the fields sent change; content changes of a question used on a paper make a
    new version."""

    topic_id: int | None = None
    difficulty: Difficulty | None = None
    type: QuestionType | None = None
    text: str | None = None
    options: list[OptionSchema] | None = None
    answer: bool | str | list[str] | None = Field(None, description=ANSWER_DOC)
    rubric: list[CriterionSchema] | None = None
    points: Decimal | None = None
    tags: list[str] | None = None
    explanation: str | None = None
    shared_down: bool | None = None


class CopyIn(Schema):
    owner_id: int = Field(description="Ngân hàng nhận bản sao (cấp ủy quản lý được)")


class VersionOut(Schema):
    number: int
    text: str
    options: list[OptionSchema]
    points: Decimal
    answer: bool | str | list[str] | None = Field(description="null khi không được xem đáp án")
    rubric: list[CriterionSchema] | None
    explanation: str | None
    created_at: datetime
    used: bool = Field(description="Đã dùng trong đề kiểm tra (không sửa được nữa)")


class QuestionOut(Schema):
    id: int
    owner_id: int
    owner_name: str
    topic_id: int
    topic_code: str
    topic_name: str
    difficulty: int
    difficulty_label: str
    type: str
    type_label: str
    tags: list[str]
    shared_down: bool
    active: bool
    created_at: datetime
    current_version: int | None = Field(description="Số phiên bản hiện hành")
    text: str
    options: list[OptionSchema]
    points: Decimal
    key_visible: bool = Field(description="Người dùng được xem đáp án, thang điểm chấm")
    answer: bool | str | list[str] | None
    rubric: list[CriterionSchema] | None
    explanation: str | None
    versions: list[VersionOut] | None = Field(
        None, description="Lịch sử phiên bản, khi hỏi với versions=true"
    )


class QuestionPage(Schema):
    count: int
    items: list[QuestionOut]


class QuestionFilters(Page):
    topic: int | None = Field(None, description="Mã số chủ đề")
    difficulty: Difficulty | None = None
    type: QuestionType | None = None
    tag: str = Field("", max_length=40, description="Một nhãn")
    owner: int | None = Field(None, description="Ngân hàng của tổ chức này và cấp dưới")
    active: bool | None = Field(
        None, description="true đang dùng, false đã lưu trữ; bỏ trống: cả hai"
    )
    q: str = Field("", max_length=200, description="Tìm trong nội dung, không phân biệt dấu")


class ExportFilters(Schema):
    topic: int | None = None
    difficulty: Difficulty | None = None
    type: QuestionType | None = None
    tag: str = Field("", max_length=40)
    owner: int | None = None
    active: bool | None = None
    q: str = Field("", max_length=200)


class RowErrorOut(Schema):
    row: int = Field(description="Số dòng trong bảng tính (dòng tiêu đề là 1; 0: cả tệp)")
    column: str
    message: str


class ImportOut(Schema):
    dry_run: bool
    rows: int = Field(description="Số dòng câu hỏi đọc được")
    valid: bool = Field(description="Không có dòng nào lỗi")
    imported: int
    question_ids: list[int]
    errors: list[RowErrorOut]


class ImportRefusedDetail(ErrorDetail):
    rows: list[RowErrorOut] = Field(description="Các lỗi theo dòng")


class ImportRefusedOut(Schema):
    error: ImportRefusedDetail


class TopicOut(Schema):
    id: int
    code: str
    name: str
    position: int


class TopicPage(Schema):
    count: int
    items: list[TopicOut]


# ---- answers -----------------------------------------------------------------------------


def _version_out(version: QuestionVersion, *, show_key: bool, used: bool) -> dict[str, Any]:
    return {
        "number": version.number,
        "text": version.text,
        "options": version.options,
        "points": version.points,
        "answer": version.answer if show_key else None,
        "rubric": version.rubric if show_key else None,
        "explanation": version.explanation if show_key else None,
        "created_at": version.created_at,
        "used": used,
    }


def question_out(
    question: Question, *, show_key: bool, versions: list[QuestionVersion] | None = None
) -> dict[str, Any]:
    current = question.current
    return {
        "id": question.pk,
        "owner_id": question.owner_id,
        "owner_name": question.owner.name,
        "topic_id": question.topic_id,
        "topic_code": question.topic.code,
        "topic_name": question.topic.name,
        "difficulty": question.difficulty,
        "difficulty_label": str(Difficulty(question.difficulty).label),
        "type": question.type,
        "type_label": str(QuestionType(question.type).label),
        "tags": question.tags or [],
        "shared_down": question.shared_down,
        "active": question.active,
        "created_at": question.created_at,
        "current_version": current.number if current else None,
        "text": current.text if current else "",
        "options": current.options if current else [],
        "points": current.points if current else Decimal(0),
        "key_visible": show_key,
        "answer": current.answer if current and show_key else None,
        "rubric": current.rubric if current and show_key else None,
        "explanation": current.explanation if current and show_key else None,
        "versions": (
            [
                _version_out(v, show_key=show_key, used=bool(v.used))  # type: ignore[attr-defined]
                for v in versions
            ]
            if versions is not None
            else None
        ),
    }


def _fetch(user: User, question_id: int) -> Question:
    return get_object_or_404(queries.bank_rows(user), pk=question_id)


def _answer(user: User, question_id: int, *, with_versions: bool = False) -> dict[str, Any]:
    question = _fetch(user, question_id)
    versions = list(queries.versions_of(question)) if with_versions else None
    return question_out(question, show_key=access.can_see_key(user, question), versions=versions)


def _owner(user: User, owner_id: int) -> Organisation:
    """An organisation the user sees (404 otherwise); the action checks they manage it."""
    return get_object_or_404(visible_organisations(user), pk=owner_id)


def _topic(topic_id: int) -> Topic:
    topic = Topic.objects.filter(pk=topic_id).first()
    if topic is None:
        raise ApiError(400, fields={"topic_id": "Không có chủ đề này (xem GET /topics)."})
    return topic


def _invalid(error: actions.InvalidQuestion) -> ApiError:
    fields: dict[str, str] = {}
    for problem in error.problems:
        fields.setdefault(problem.field or "body", problem.message)
    return ApiError(400, str(error), code="invalid", fields=fields)


def _content(payload: Schema, names: set[str]) -> dict[str, Any]:
    """The action's arguments among ``names`` from the payload (plain dicts and lists)."""
    data = payload.model_dump(include=names)
    for name in ("options", "rubric"):
        if name in data and data[name] is not None:
            data[name] = [dict(item) for item in data[name]]
    return data


def _filters(user: User, filters: QuestionFilters | ExportFilters) -> queries.BankFilters:
    topic = None
    if filters.topic is not None:
        topic = Topic.objects.filter(pk=filters.topic).first()
        if topic is None:
            raise ApiError(400, fields={"topic": "Không có chủ đề này (xem GET /topics)."})
    owner = None
    if filters.owner is not None:
        owner = queries.owners_in_view(user).filter(pk=filters.owner).first() or _owner(
            user, filters.owner
        )
    return queries.BankFilters(
        topic=topic,
        difficulty=int(filters.difficulty) if filters.difficulty else None,
        type=str(filters.type or ""),
        tag=filters.tag.strip(),
        owner=owner,
        active=filters.active,
        q=filters.q.strip(),
    )


# ---- the bank ----------------------------------------------------------------------------


@router.get("/topics", response={200: TopicPage, **responses(401)}, url_name="topics")
def list_topics(request: HttpRequest) -> dict[str, Any]:
    """The topics of the question bank (the seed's five: Party history, the Charter, the
    Platform, Hồ Chí Minh's thought, the motive for joining)."""
    topics = list(Topic.objects.all())
    return {"count": len(topics), "items": topics}


@router.get(
    "/questions", response={200: QuestionPage, **responses(400, 401, 404)}, url_name="questions"
)
def list_questions(request: HttpRequest, filters: Query[QuestionFilters]) -> dict[str, Any]:
    """Questions the user sees: their subtree's banks and those shared down to it.

    ``q`` ignores case and Vietnamese diacritics; keys only where ``key_visible``."""
    user = user_of(request)
    rows = queries.filter_questions(queries.bank_rows(user), _filters(user, filters))
    page = list(rows[filters.offset : filters.offset + filters.limit])
    keys = queries.key_visible_ids(user, page)
    return {
        "count": rows.count(),
        "items": [question_out(q, show_key=q.pk in keys) for q in page],
    }


@router.post("/questions", response={201: QuestionOut, **responses(400, 401, 403, 404, 409)})
def create_question(request: HttpRequest, payload: QuestionIn) -> Status[dict[str, Any]]:
    """Add a question with its first version to the bank of ``owner_id``.

    Each type's rules (seed 000: question bank, answer keys, scoring rubric) refuse with
    400 ``invalid`` and every problem in ``fields``."""
    user = user_of(request)
    owner = _owner(user, payload.owner_id)
    topic = _topic(payload.topic_id)
    names = {"text", "options", "answer", "rubric", "points", "tags", "explanation"}
    try:
        question = actions.create_question(
            owner,
            topic=topic,
            difficulty=int(payload.difficulty),
            type=str(payload.type),
            shared_down=payload.shared_down,
            by=user,
            **_content(payload, names),
        )
    except actions.InvalidQuestion as error:
        raise _invalid(error) from error
    return Status(201, _answer(user, question.pk))


@router.get(
    "/questions/export",
    response={200: None, **responses(400, 401, 404)},
    openapi_extra={
        "responses": {
            200: {  # a number, as ninja keys it ("200" would be a second key)
                "description": "Tệp Excel cùng các cột với tệp mẫu nhập (nhập lại được)",
                "content": {XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def export_questions(request: HttpRequest, filters: Query[ExportFilters]) -> HttpResponse:
    """The filtered questions as XLSX, in the import template's columns (at most 5000).

    Keys, rubrics and explanations are written only for the questions whose key the user
    may see; for the others those columns stay empty."""
    user = user_of(request)
    rows = queries.filter_questions(queries.bank_rows(user), _filters(user, filters))
    questions = [q for q in rows[:MAX_ROWS] if q.current is not None]
    content = export_workbook(questions, key_ids=queries.key_visible_ids(user, questions))
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="ngan-hang-cau-hoi.xlsx"'
    return response


@router.post(
    "/questions/import",
    response={
        200: ImportOut,
        201: ImportOut,
        409: ImportRefusedOut,
        **responses(400, 401, 403, 404),
    },
)
def import_questions(
    request: HttpRequest,
    file: File[UploadedFile],
    owner_id: Form[int],
    dry_run: Form[bool] = True,
) -> Any:
    """Import questions from an XLSX (the template of ``exams:bank-template``) or a CSV in
    UTF-8 with or without BOM, into the bank of ``owner_id``.

    ``dry_run`` (default true) checks every row and answers 200 with the errors, writing
    nothing. A commit imports all rows or none: 201 with the new ids, or 409 with every
    row's errors in ``error.rows``."""
    user = user_of(request)
    owner = _owner(user, owner_id)
    if not access.can_manage(user, owner):
        raise ApiError(403, f"Bạn không có quyền quản lý ngân hàng câu hỏi của {owner.name}.")
    try:
        rows = read_questions(file.read())
    except SpreadsheetUnreadable as error:
        raise ApiError(400, str(error), fields={"file": str(error)}) from error
    if dry_run:
        errors = actions.import_problems(rows)
        return {
            "dry_run": True,
            "rows": len(rows),
            "valid": not errors,
            "imported": 0,
            "question_ids": [],
            "errors": errors,
        }
    try:
        created = actions.import_questions(owner, rows=rows, by=user)
    except actions.ImportRefused as refused:
        body = {
            "error": {
                "code": refused.code,
                "message": str(refused),
                "fields": {"file": str(refused)},
                "rows": refused.errors,
            }
        }
        return Status(409, body)
    return Status(
        201,
        {
            "dry_run": False,
            "rows": len(rows),
            "valid": True,
            "imported": len(created),
            "question_ids": [q.pk for q in created],
            "errors": [],
        },
    )


@router.get(
    "/questions/{int:question_id}",
    response={200: QuestionOut, **responses(400, 401, 404)},
    url_name="question",
)
def get_question(request: HttpRequest, question_id: int, versions: bool = False) -> dict[str, Any]:
    """One question with its current version; ``versions=true`` adds the version history.

    Keys, rubrics and explanations only where ``key_visible``."""
    return _answer(user_of(request), question_id, with_versions=versions)


@router.put(
    "/questions/{int:question_id}",
    response={200: QuestionOut, **responses(400, 401, 403, 404, 409)},
)
def edit_question(
    request: HttpRequest, question_id: int, payload: QuestionEditIn
) -> dict[str, Any]:
    """Change a question; fields not sent stay as they are.

    If the current version is on a paper, a content change makes version n + 1 (the
    answer's ``current_version``) and the papers keep the old one; otherwise the version
    is edited in place. Topic, difficulty, tags and sharing never make a version. A type
    change of a question used on a paper answers 409."""
    user = user_of(request)
    question = _fetch(user, question_id)
    sent = set(payload.model_fields_set)
    changes = _content(
        payload,
        sent & {"type", "text", "options", "answer", "rubric", "points", "tags", "explanation"},
    )
    for name in ("type", "text", "options", "rubric", "points", "tags", "explanation"):
        if name in changes and changes[name] is None:
            del changes[name]  # null means "unchanged", except for the key
    if "type" in changes:
        changes["type"] = str(changes["type"])
    if "difficulty" in sent and payload.difficulty is not None:
        changes["difficulty"] = int(payload.difficulty)
    if "shared_down" in sent and payload.shared_down is not None:
        changes["shared_down"] = payload.shared_down
    if "topic_id" in sent and payload.topic_id is not None:
        changes["topic"] = _topic(payload.topic_id)
    try:
        actions.edit_question(question, by=user, **changes)
    except actions.InvalidQuestion as error:
        raise _invalid(error) from error
    return _answer(user, question_id)


@router.post(
    "/questions/{int:question_id}/archive",
    response={200: QuestionOut, **responses(401, 403, 404, 409)},
)
def archive_question(request: HttpRequest, question_id: int) -> dict[str, Any]:
    """Take the question out of use: new papers no longer draw it; past ones keep it."""
    user = user_of(request)
    actions.archive_question(_fetch(user, question_id), by=user)
    return _answer(user, question_id)


@router.post(
    "/questions/{int:question_id}/restore",
    response={200: QuestionOut, **responses(401, 403, 404, 409)},
)
def restore_question(request: HttpRequest, question_id: int) -> dict[str, Any]:
    """Bring an archived question back into use."""
    user = user_of(request)
    actions.restore_question(_fetch(user, question_id), by=user)
    return _answer(user, question_id)


@router.post(
    "/questions/{int:question_id}/copy",
    response={201: QuestionOut, **responses(400, 401, 403, 404, 409)},
)
def copy_question(
    request: HttpRequest, question_id: int, payload: CopyIn
) -> Status[dict[str, Any]]:
    """Copy a question shared down to the user (or of their own bank) into the bank of
    ``owner_id`` as a new question, to adapt it there."""
    user = user_of(request)
    question = _fetch(user, question_id)
    owner = _owner(user, payload.owner_id)
    copy = actions.copy_question(question, to_owner=owner, by=user)
    return Status(201, _answer(user, copy.pk))
