"""Every write to the question bank: questions, their versions, archive, copy, import.

Source: seed 000 (Hạ Long 2020), local practice [U]: the city committee's examination
board (Hội đồng kiểm tra, đánh giá nhận thức) kept a **question bank, answer keys and a
scoring rubric**, tested candidates in writing and orally, and the board alone held the
keys. The rules below make that bank trustworthy:

- each question type has a well-formed key (single choice: exactly one option; multiple
  choice: at least one; true/false: a boolean; short answer: accepted answers) or, for
  essay and oral questions, a rubric whose criteria add up to the question's points, so
  two markers score against the same scale;
- a version that sits on a paper (``PaperItem``) is never changed again: editing makes a
  new version, and past papers and answers keep the one they were graded against;
- only committee staff of the owning organisation keep its bank (``access.can_manage``).
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Max

from dangvien.core.actions import action
from dangvien.core.errors import Conflict, DomainError, NotAllowed
from dangvien.core.text import nfc
from dangvien.exams.models import (
    WITH_OPTIONS,
    Difficulty,
    PaperItem,
    Question,
    QuestionType,
    QuestionVersion,
    Topic,
)
from dangvien.exams.queries import access
from dangvien.exams.spreadsheet import COLUMN_OF_FIELD, RowError, SheetRow
from dangvien.organisations.models import Organisation

MAX_OPTIONS = 6  # the import template's columns "Phương án A" … "Phương án F"
MAX_TAGS = 10
MAX_TAG_LENGTH = 40
MAX_POINTS = Decimal("100")
CENT = Decimal("0.01")


class InvalidQuestion(DomainError):
    """The question's content breaks a rule of its type; ``problems`` lists them all."""

    code = "invalid_question"

    def __init__(self, problems: list["Problem"]) -> None:
        super().__init__(problems[0].message, field=problems[0].field)
        self.problems = problems


class ImportRefused(DomainError):
    """A spreadsheet had bad rows: nothing was imported. ``errors`` lists them by row."""

    code = "import_refused"

    def __init__(self, errors: list[RowError]) -> None:
        rows = len({e.row for e in errors})
        super().__init__(
            f"Không nhập câu hỏi nào: tệp có {len(errors)} lỗi ở {rows} dòng. "
            "Sửa các dòng lỗi rồi nhập lại cả tệp."
        )
        self.errors = errors


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


@dataclass
class Content:
    """A version's content, normalised: what ``QuestionVersion`` stores."""

    text: str
    options: list[dict[str, str]] = field(default_factory=list)
    answer: Any = None
    rubric: list[dict[str, str]] = field(default_factory=list)
    points: Decimal = Decimal("1.00")
    explanation: str = ""

    def same_as(self, other: "Content") -> bool:
        return (
            self.text,
            self.options,
            self.answer,
            self.rubric,
            self.points,
            self.explanation,
        ) == (
            other.text,
            other.options,
            other.answer,
            other.rubric,
            other.points,
            other.explanation,
        )


# ---- checks (pure: no database) ----------------------------------------------------------


def _multiline(value: Any) -> str:
    """NFC line by line: a question's wording keeps its line breaks."""
    lines = [nfc(line) for line in str(value or "").splitlines()]
    return "\n".join(lines).strip("\n")


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def show_points(value: Decimal) -> str:
    """Points as Vietnamese write them: 1,5 and 10 (decimal comma, no trailing zeros)."""
    text = f"{value.quantize(CENT):f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _points(value: Any, problems: list[Problem]) -> Decimal:
    number = _decimal(value)
    if number is None:
        problems.append(Problem("points", "Điểm tối đa của câu phải là một số."))
        return Decimal("0.00")
    if number <= 0:
        problems.append(Problem("points", "Điểm tối đa của câu phải lớn hơn 0."))
    elif number > MAX_POINTS:
        problems.append(Problem("points", "Điểm tối đa của câu không quá 100."))
    elif number != number.quantize(CENT):
        problems.append(Problem("points", "Điểm chỉ lấy tối đa hai chữ số thập phân."))
    return number.quantize(CENT) if 0 < number <= MAX_POINTS else Decimal("0.00")


def _options(raw: Any, problems: list[Problem]) -> list[dict[str, str]]:
    if not isinstance(raw, list):
        problems.append(Problem("options", "Phương án phải là một danh sách."))
        return []
    options: list[dict[str, str]] = []
    keys: set[str] = set()
    texts: set[str] = set()
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            problems.append(Problem("options", f"Phương án thứ {number} không hợp lệ."))
            continue
        key = nfc(str(item.get("key") or ""))
        text = _multiline(item.get("text"))
        if not key:
            problems.append(Problem("options", f"Phương án thứ {number} chưa có ký hiệu."))
        elif key.casefold() in keys:
            problems.append(Problem("options", f"Ký hiệu phương án “{key}” bị trùng."))
        if not text:
            problems.append(
                Problem("options", f"Phương án {key or f'thứ {number}'} chưa có nội dung.")
            )
        elif text.casefold() in texts:
            problems.append(Problem("options", f"Hai phương án có cùng nội dung “{text}”."))
        keys.add(key.casefold())
        texts.add(text.casefold())
        options.append({"key": key, "text": text})
    if len(options) > MAX_OPTIONS:
        problems.append(Problem("options", f"Mỗi câu có tối đa {MAX_OPTIONS} phương án."))
    return options


def _key_of(options: list[dict[str, str]], wanted: Any) -> str | None:
    """The option key matching ``wanted`` (case aside), as written in the options."""
    target = nfc(str(wanted)).casefold()
    return next((o["key"] for o in options if o["key"].casefold() == target), None)


def _no_options(raw: Any, label: str, problems: list[Problem]) -> None:
    if raw:
        problems.append(Problem("options", f"Câu {label} không có phương án lựa chọn."))


def _no_rubric(raw: Any, problems: list[Problem]) -> None:
    if raw:
        problems.append(
            Problem("rubric", "Chỉ câu tự luận và vấn đáp mới có thang điểm chấm (tiêu chí).")
        )


def _rubric(raw: Any, points: Decimal, problems: list[Problem]) -> list[dict[str, str]]:
    if not isinstance(raw, list) or not raw:
        problems.append(
            Problem(
                "rubric",
                "Câu tự luận, vấn đáp cần thang điểm chấm: ít nhất một tiêu chí và điểm của nó.",
            )
        )
        return []
    rubric: list[dict[str, str]] = []
    total = Decimal("0")
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            problems.append(Problem("rubric", f"Tiêu chí thứ {number} không hợp lệ."))
            continue
        criterion = _multiline(item.get("criterion"))
        if not criterion:
            problems.append(Problem("rubric", f"Tiêu chí thứ {number} chưa có nội dung."))
        value = _decimal(item.get("points"))
        name = f"“{criterion}”" if criterion else f"thứ {number}"
        if value is None:
            problems.append(Problem("rubric", f"Điểm của tiêu chí {name} phải là một số."))
            value = Decimal("0")
        elif value <= 0:
            problems.append(Problem("rubric", f"Điểm của tiêu chí {name} phải lớn hơn 0."))
        elif value != value.quantize(CENT):
            problems.append(
                Problem("rubric", f"Điểm của tiêu chí {name} lấy tối đa hai chữ số thập phân.")
            )
        value = value.quantize(CENT) if 0 < value <= MAX_POINTS else Decimal("0.00")
        total += value
        rubric.append({"criterion": criterion, "points": f"{value:f}"})
    if total != points and points > 0 and not any(p.field == "rubric" for p in problems):
        problems.append(
            Problem(
                "rubric",
                f"Tổng điểm các tiêu chí ({show_points(total)}) phải bằng điểm tối đa "
                f"của câu ({show_points(points)}).",
            )
        )
    return rubric


def check_content(
    type: str,
    *,
    text: Any,
    options: Any = None,
    answer: Any = None,
    rubric: Any = None,
    points: Any = 1,
    explanation: Any = "",
) -> tuple[Content, list[Problem]]:
    """The version's content normalised, and every rule of its type it breaks.

    Rules (seed 000: question bank, answer keys and scoring rubric kept by the board):
    text non-empty; points > 0; single choice ≥ 2 options with unique, non-empty keys and
    texts and exactly one key among them; multiple choice ≥ 1 correct key, all among the
    options; true/false a boolean key; short answer ≥ 1 accepted answer; essay and oral no
    options and no key but a rubric whose criteria have positive points adding up exactly
    to the question's points. Objective questions have no rubric.
    """
    problems: list[Problem] = []
    content = Content(text=_multiline(text), explanation=_multiline(explanation))
    if not content.text:
        problems.append(Problem("text", "Nội dung câu hỏi không được để trống."))
    content.points = _points(points, problems)
    options = options or []
    if type in WITH_OPTIONS:
        content.options = _options(options, problems)
        if len(content.options) < 2:
            problems.append(Problem("options", "Câu hỏi trắc nghiệm cần ít nhất 2 phương án."))
    if type not in (QuestionType.ESSAY, QuestionType.ORAL):
        _no_rubric(rubric, problems)

    if type == QuestionType.SINGLE:
        wanted = answer
        if isinstance(answer, list):
            if len(answer) > 1:
                problems.append(
                    Problem("answer", "Câu hỏi một lựa chọn có đúng một đáp án, không hơn.")
                )
            wanted = answer[0] if answer else None
        if wanted is None or not str(wanted).strip():
            problems.append(Problem("answer", "Chưa chọn đáp án đúng cho câu hỏi một lựa chọn."))
        else:
            key = _key_of(content.options, wanted)
            if key is None:
                problems.append(
                    Problem("answer", f"Đáp án “{nfc(str(wanted))}” không có trong các phương án.")
                )
            content.answer = key
    elif type == QuestionType.MULTIPLE:
        wanted_keys = answer if isinstance(answer, list) else ([answer] if answer else [])
        wanted_keys = [k for k in wanted_keys if k is not None and str(k).strip()]
        if not wanted_keys:
            problems.append(
                Problem("answer", "Câu hỏi nhiều lựa chọn cần ít nhất một đáp án đúng.")
            )
        found: list[str] = []
        for wanted in wanted_keys:
            key = _key_of(content.options, wanted)
            if key is None:
                problems.append(
                    Problem("answer", f"Đáp án “{nfc(str(wanted))}” không có trong các phương án.")
                )
            elif key not in found:
                found.append(key)
        # In the options' order, so two equal keys compare equal.
        content.answer = [o["key"] for o in content.options if o["key"] in found]
    elif type == QuestionType.TRUE_FALSE:
        _no_options(options, "Đúng / Sai", problems)
        if not isinstance(answer, bool):
            problems.append(Problem("answer", "Câu Đúng / Sai cần đáp án là Đúng hoặc Sai."))
        content.answer = answer if isinstance(answer, bool) else None
    elif type == QuestionType.SHORT:
        _no_options(options, "trả lời ngắn", problems)
        accepted = answer if isinstance(answer, list) else ([answer] if answer else [])
        cleaned: list[str] = []
        for item in accepted:
            value = nfc(str(item)) if item is not None and not isinstance(item, bool) else ""
            if value and value.casefold() not in {c.casefold() for c in cleaned}:
                cleaned.append(value)
        if not cleaned:
            problems.append(
                Problem("answer", "Câu trả lời ngắn cần ít nhất một đáp án được chấp nhận.")
            )
        content.answer = cleaned
    elif type in (QuestionType.ESSAY, QuestionType.ORAL):
        _no_options(options, "tự luận, vấn đáp", problems)
        if answer not in (None, "", []):
            problems.append(
                Problem(
                    "answer",
                    "Câu tự luận, vấn đáp không có đáp án lựa chọn: chấm theo thang điểm "
                    "(tiêu chí và điểm).",
                )
            )
        content.rubric = _rubric(rubric, content.points, problems)
    else:
        problems.append(Problem("type", "Loại câu hỏi không hợp lệ."))
    return content, problems


def check_metadata(*, difficulty: Any, tags: Any) -> tuple[list[str], list[Problem]]:
    """The tags normalised, and the difficulty's and tags' problems."""
    problems: list[Problem] = []
    if difficulty not in Difficulty.values or isinstance(difficulty, bool):
        problems.append(Problem("difficulty", "Độ khó phải là Dễ, Trung bình hoặc Khó."))
    if tags is None:
        tags = []
    if not isinstance(tags, list):
        problems.append(Problem("tags", "Nhãn phải là một danh sách."))
        tags = []
    cleaned: list[str] = []
    for tag in tags:
        value = nfc(str(tag or ""))
        if not value or value.casefold() in {c.casefold() for c in cleaned}:
            continue
        if len(value) > MAX_TAG_LENGTH:
            problems.append(Problem("tags", f"Nhãn “{value}” dài quá {MAX_TAG_LENGTH} ký tự."))
        cleaned.append(value)
    if len(cleaned) > MAX_TAGS:
        problems.append(Problem("tags", f"Mỗi câu có tối đa {MAX_TAGS} nhãn."))
    return cleaned, problems


def content_of(version: QuestionVersion, type: str) -> Content:
    """A stored version's content, normalised as ``check_content`` would."""
    content, _problems = check_content(
        type,
        text=version.text,
        options=version.options,
        answer=version.answer,
        rubric=version.rubric,
        points=version.points,
        explanation=version.explanation,
    )
    return content


# ---- helpers -----------------------------------------------------------------------------


def _require_manager(by: Any, owner: Organisation) -> None:
    if not access.can_manage(by, owner):
        raise NotAllowed(
            f"Bạn không có quyền quản lý ngân hàng câu hỏi của {owner.name}.", field="owner"
        )


def _check(type: str, difficulty: Any, tags: Any, **content: Any) -> tuple[Content, list[str]]:
    if type not in QuestionType.values:
        raise InvalidQuestion([Problem("type", "Loại câu hỏi không hợp lệ.")])
    clean_tags, problems = check_metadata(difficulty=difficulty, tags=tags)
    clean, content_problems = check_content(type, **content)
    problems += content_problems
    if problems:
        raise InvalidQuestion(problems)
    return clean, clean_tags


def _new_version(question: Question, content: Content, number: int, by: Any) -> QuestionVersion:
    return QuestionVersion.objects.create(
        question=question,
        number=number,
        text=content.text,
        options=content.options,
        answer=content.answer,
        rubric=content.rubric,
        points=content.points,
        explanation=content.explanation,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )


def _create(
    owner: Organisation,
    *,
    topic: Topic,
    difficulty: int,
    type: str,
    content: Content,
    tags: list[str],
    shared_down: bool,
    by: Any,
) -> Question:
    question = Question.objects.create(
        owner=owner,
        org_path=owner.path,
        shared_down=bool(shared_down),
        topic=topic,
        difficulty=difficulty,
        type=type,
        tags=tags,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    question.current = _new_version(question, content, 1, by)
    question.save(update_fields=["current"])
    return question


def is_used(version: QuestionVersion | None) -> bool:
    """Whether the version sits on any paper: then it is never changed again."""
    return version is not None and PaperItem.objects.filter(version=version).exists()


def question_used(question: Question) -> bool:
    return PaperItem.objects.filter(version__question=question).exists()


# ---- actions -----------------------------------------------------------------------------


@action
def create_question(
    owner: Organisation,
    *,
    topic: Topic,
    difficulty: int = Difficulty.MEDIUM,
    type: str,
    text: str,
    options: list[dict[str, Any]] | None = None,
    answer: Any = None,
    rubric: list[dict[str, Any]] | None = None,
    points: Decimal | int | str = 1,
    tags: list[str] | None = None,
    explanation: str = "",
    shared_down: bool = True,
    by: Any,
) -> Question:
    """Add a question to ``owner``'s bank, with its first version.

    Seed 000 (Hạ Long 2020), local practice [U]: the board keeps the question bank with
    its answer keys and scoring rubric. The owner's committee staff keep the bank
    (``access.can_manage``); the content must follow its type's rules (``check_content``).
    """
    _require_manager(by, owner)
    content, clean_tags = _check(
        type,
        difficulty,
        tags,
        text=text,
        options=options,
        answer=answer,
        rubric=rubric,
        points=points,
        explanation=explanation,
    )
    return _create(
        owner,
        topic=topic,
        difficulty=difficulty,
        type=type,
        content=content,
        tags=clean_tags,
        shared_down=shared_down,
        by=by,
    )


class _Keep:
    """Marks an argument of ``edit_question`` the caller did not give (``None`` is a key)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()


@action
def edit_question(
    question: Question,
    *,
    topic: Topic = KEEP,
    difficulty: int = KEEP,
    type: str = KEEP,
    text: str = KEEP,
    options: list[dict[str, Any]] = KEEP,
    answer: Any = KEEP,
    rubric: list[dict[str, Any]] = KEEP,
    points: Decimal | int | str = KEEP,
    tags: list[str] = KEEP,
    explanation: str = KEEP,
    shared_down: bool = KEEP,
    by: Any,
) -> Question:
    """Change a question; arguments not given stay as they are.

    Versioning (issue 5; seed 000: results are graded against the key of the paper the
    candidate sat): if the current version sits on any paper, new content makes version
    n + 1 and ``current`` moves to it, and the papers keep pointing at the old one;
    otherwise the current version is edited in place. Topic, difficulty, tags and sharing
    belong to the question and never need a version. A question used on a paper cannot
    change type: its past answers were given to the old type.
    """
    row = (
        Question.objects.select_for_update(of=("self",))
        .select_related("current", "owner")
        .get(pk=question.pk)
    )
    if not access.can_edit_question(by, row):
        raise NotAllowed(
            f"Bạn không có quyền sửa câu hỏi của ngân hàng {row.owner.name}.", field="owner"
        )
    new_type = row.type if type is KEEP else type
    if new_type != row.type and question_used(row):
        raise Conflict(
            "Câu hỏi đã dùng trong đề kiểm tra nên không đổi được loại câu hỏi; "
            "hãy tạo câu hỏi mới.",
            field="type",
        )
    current = row.current
    given = {
        "text": text,
        "options": options,
        "answer": answer,
        "rubric": rubric,
        "points": points,
        "explanation": explanation,
    }
    old = {
        "text": current.text if current else "",
        "options": current.options if current else [],
        "answer": current.answer if current else None,
        "rubric": current.rubric if current else [],
        "points": current.points if current else 1,
        "explanation": current.explanation if current else "",
    }
    merged = {name: old[name] if value is KEEP else value for name, value in given.items()}
    content, clean_tags = _check(
        new_type,
        row.difficulty if difficulty is KEEP else difficulty,
        row.tags if tags is KEEP else tags,
        **merged,
    )
    if current is None:
        row.current = _new_version(row, content, 1, by)
    elif not content.same_as(content_of(current, row.type)) or new_type != row.type:
        if is_used(current):
            last = row.versions.aggregate(last=Max("number"))["last"] or 0
            row.current = _new_version(row, content, last + 1, by)
        else:
            current.text = content.text
            current.options = content.options
            current.answer = content.answer
            current.rubric = content.rubric
            current.points = content.points
            current.explanation = content.explanation
            current.save(
                update_fields=["text", "options", "answer", "rubric", "points", "explanation"]
            )
    row.type = new_type
    if topic is not KEEP:
        row.topic = topic
    if difficulty is not KEEP:
        row.difficulty = difficulty
    row.tags = clean_tags
    if shared_down is not KEEP:
        row.shared_down = bool(shared_down)
    row.save(update_fields=["type", "topic", "difficulty", "tags", "shared_down", "current"])
    question.refresh_from_db()
    return question


@action
def archive_question(question: Question, *, by: Any) -> Question:
    """Take a question out of use: new papers no longer draw it; past papers keep it.

    Seed 000 (Hạ Long 2020): the board reviews its bank between rounds [U].
    """
    row = (
        Question.objects.select_for_update(of=("self",)).select_related("owner").get(pk=question.pk)
    )
    if not access.can_edit_question(by, row):
        raise NotAllowed(f"Bạn không có quyền lưu trữ câu hỏi của {row.owner.name}.")
    if not row.active:
        raise Conflict("Câu hỏi này đã được lưu trữ.")
    row.active = question.active = False
    row.save(update_fields=["active"])
    return question


@action
def restore_question(question: Question, *, by: Any) -> Question:
    """Bring an archived question back into use (the reverse of ``archive_question``)."""
    row = (
        Question.objects.select_for_update(of=("self",)).select_related("owner").get(pk=question.pk)
    )
    if not access.can_edit_question(by, row):
        raise NotAllowed(f"Bạn không có quyền khôi phục câu hỏi của {row.owner.name}.")
    if row.active:
        raise Conflict("Câu hỏi này đang được dùng, không cần khôi phục.")
    row.active = question.active = True
    row.save(update_fields=["active"])
    return question


@action
def copy_question(question: Question, *, to_owner: Organisation, by: Any) -> Question:
    """Take a question into ``to_owner``'s bank as a new question (version 1 = the source's
    current version), to adapt it without touching the source.

    Issue 5: a province bank is shared down to its communes. A commune may copy what is
    shared down to it (which its boards may draw, keys included, anyway) and what its
    staff may edit; nothing else.
    """
    _require_manager(by, to_owner)
    source = Question.objects.select_related("current", "topic", "owner").get(pk=question.pk)
    shared = access.usable_questions(to_owner).filter(pk=source.pk).exists()
    if not shared and not access.can_edit_question(by, source):
        raise NotAllowed(f"Câu hỏi này không được chia sẻ cho {to_owner.name}.", field="to_owner")
    if source.current is None:
        raise Conflict("Câu hỏi chưa có nội dung để sao chép.")
    return _create(
        to_owner,
        topic=source.topic,
        difficulty=source.difficulty,
        type=source.type,
        content=content_of(source.current, source.type),
        tags=list(source.tags or []),
        shared_down=source.shared_down,
        by=by,
    )


# ---- import ------------------------------------------------------------------------------


def import_problems(rows: list[SheetRow]) -> list[RowError]:
    """Every error of every row, in Vietnamese, with its row number and column: the dry run.

    Each row is read by ``spreadsheet.read_questions`` (unknown topic, bad type, number
    that is not a number …) and checked against the same rules as ``create_question``.
    """
    if not rows:
        return [RowError(0, "", "Tệp không có dòng câu hỏi nào (dòng đầu là dòng tiêu đề).")]
    errors: list[RowError] = []
    for row in rows:
        errors.extend(row.errors)
        values = row.values
        if "type" not in values:
            continue  # the type is unreadable: its own error is listed, the rest depends on it
        seen = {(e.column, e.message) for e in row.errors}
        _tags, problems = check_metadata(
            difficulty=values.get("difficulty", Difficulty.MEDIUM), tags=values.get("tags")
        )
        _content, content_problems = check_content(
            values["type"],
            text=values.get("text"),
            options=values.get("options"),
            answer=values.get("answer"),
            rubric=values.get("rubric"),
            points=values.get("points", 1),
            explanation=values.get("explanation"),
        )
        for problem in problems + content_problems:
            column = COLUMN_OF_FIELD.get(problem.field, "")
            if problem.field in row.unread or (column, problem.message) in seen:
                continue  # the cell was unreadable and already reported
            if problem.field == "rubric" and "points" in row.unread:
                continue  # the sum is compared with a number that could not be read
            errors.append(RowError(row.row, column, problem.message))
            seen.add((column, problem.message))
    return errors


@action
def import_questions(owner: Organisation, *, rows: list[SheetRow], by: Any) -> list[Question]:
    """Add every row of a spreadsheet to ``owner``'s bank, or none of them.

    Issue 5: import with per-row errors, nothing imported when any row is bad. All rows
    are checked first (``import_problems``); one bad row refuses the whole file, and the
    action runs in one transaction, so a failure half way leaves nothing behind.
    """
    _require_manager(by, owner)
    errors = import_problems(rows)
    if errors:
        raise ImportRefused(errors)
    created = []
    for row in rows:
        values = row.values
        content, tags = _check(
            values["type"],
            values.get("difficulty", Difficulty.MEDIUM),
            values.get("tags"),
            text=values.get("text"),
            options=values.get("options"),
            answer=values.get("answer"),
            rubric=values.get("rubric"),
            points=values.get("points", 1),
            explanation=values.get("explanation"),
        )
        created.append(
            _create(
                owner,
                topic=values["topic"],
                difficulty=values.get("difficulty", Difficulty.MEDIUM),
                type=values["type"],
                content=content,
                tags=tags,
                shared_down=values.get("shared_down", True),
                by=by,
            )
        )
    return created
