"""The question bank as a spreadsheet: the import template, reading an import, the export.

One layout serves all three, so an export can be imported again (into the same or another
bank): one question per row on the sheet "Câu hỏi", a header row in Vietnamese, the options
in the columns "Phương án A" … "Phương án F". Reading is lenient about how a cell is
written (topic by name or code, "Đúng"/"Sai" or true/false, "1,5" or 1.5) and strict
about what it means; the rules themselves live in ``exams.actions.bank``.

Source: issue 5 (import and export of questions, with per-row errors, nothing imported
when any row is bad); seed 000 (Hạ Long 2020): the board's question bank and answer keys.
"""

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from dangvien.core.errors import DomainError
from dangvien.core.text import fold, nfc
from dangvien.exams.models import Difficulty, Question, QuestionType, Topic

SHEET = "Câu hỏi"
HELP_SHEET = "Hướng dẫn"
LISTS_SHEET = "Danh mục"
OPTION_KEYS = "ABCDEF"
MAX_ROWS = 5000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    name: str  # the field it fills
    label: str  # the header, as written in the template
    width: int
    help: str
    required: bool = False


COLUMNS: list[Column] = [
    Column("topic", "Chủ đề", 28, "Tên hoặc mã chủ đề (xem sheet “Danh mục”).", True),
    Column(
        "difficulty", "Độ khó", 12, "Dễ, Trung bình hoặc Khó (hoặc 1, 2, 3). Để trống: Trung bình."
    ),
    Column(
        "type",
        "Loại câu hỏi",
        16,
        "Một lựa chọn, Nhiều lựa chọn, Đúng / Sai, Trả lời ngắn, Tự luận hoặc Vấn đáp.",
        True,
    ),
    Column("text", "Nội dung câu hỏi", 60, "Không được để trống.", True),
    *[
        Column(
            f"option_{key}",
            f"Phương án {key}",
            28,
            "Chỉ với câu một lựa chọn và nhiều lựa chọn: ít nhất 2 phương án, "
            "nội dung không trùng nhau."
            if key == "A"
            else f"Như Phương án A (phương án {key}).",
        )
        for key in OPTION_KEYS
    ],
    Column(
        "answer",
        "Đáp án",
        18,
        "Một lựa chọn: một chữ cái (B). Nhiều lựa chọn: các chữ "
        "cái cách nhau dấu phẩy (A, C). Đúng / Sai: Đúng hoặc Sai. Trả lời ngắn: các đáp án "
        "được chấp nhận, cách nhau dấu chấm phẩy. Tự luận, vấn đáp: để trống.",
    ),
    Column(
        "rubric",
        "Thang điểm chấm",
        40,
        "Chỉ với tự luận, vấn đáp: mỗi tiêu chí một dòng "
        "(Alt+Enter) hoặc cách nhau dấu chấm phẩy, dạng “Nội dung tiêu chí: điểm”. Tổng "
        "điểm các tiêu chí phải bằng cột Điểm.",
    ),
    Column("points", "Điểm", 8, "Điểm tối đa của câu, lớn hơn 0 (vd 1 hoặc 2,5). Để trống: 1."),
    Column("tags", "Nhãn", 20, "Tùy chọn, cách nhau dấu phẩy (vd: Đại hội XIII, kết nạp)."),
    Column("explanation", "Giải thích đáp án", 40, "Tùy chọn: căn cứ, trích dẫn văn bản."),
    Column("shared_down", "Chia sẻ cho cấp dưới", 12, "Có hoặc Không. Để trống: Có."),
]
COLUMN_OF_FIELD: dict[str, str] = {c.name: c.label for c in COLUMNS} | {
    "options": "Phương án",
    "owner": "",
}
# Hidden in an export for a user who may not see the key.
KEY_COLUMNS = {"answer", "rubric", "explanation"}


class SpreadsheetUnreadable(DomainError):
    code = "unreadable_file"


@dataclass(frozen=True)
class RowError:
    """One problem of one row: ``row`` as the spreadsheet numbers it (the header is 1; 0
    means the whole file), ``column`` the header it is under."""

    row: int
    column: str
    message: str


@dataclass
class SheetRow:
    """One data row read: ``values`` are ``create_question``'s arguments that could be
    read; ``unread`` the fields whose cell could not be read (its error is in ``errors``)."""

    row: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    unread: set[str] = field(default_factory=set)


# ---- reading -----------------------------------------------------------------------------


def _word(value: Any) -> str:
    """A cell compared loosely: no case, diacritics, spaces or punctuation."""
    return re.sub(r"[^a-z0-9]", "", fold(str(value)))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _table(content: bytes) -> list[list[Any]]:
    """The rows of the first sheet (or "Câu hỏi") of an XLSX, or of a CSV in UTF-8 with or
    without BOM, separated by commas, semicolons or tabs."""
    if content[:2] == b"PK":
        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            raise SpreadsheetUnreadable(
                "Không đọc được tệp Excel: tệp bị hỏng hoặc không phải .xlsx."
            ) from error
        sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        book.close()
        return rows
    if content[:4] == b"\xd0\xcf\x11\xe0":
        raise SpreadsheetUnreadable(
            "Tệp Excel 97-2003 (.xls) không được hỗ trợ: hãy lưu lại thành .xlsx hoặc CSV UTF-8."
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SpreadsheetUnreadable(
            "Không đọc được tệp: hãy dùng tệp Excel (.xlsx) theo mẫu, hoặc CSV mã hóa UTF-8."
        ) from error
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _header(cells: list[Any]) -> dict[int, Column]:
    by_word = {_word(c.label): c for c in COLUMNS} | {_word(c.name): c for c in COLUMNS}
    found: dict[int, Column] = {}
    for index, cell in enumerate(cells):
        column = by_word.get(_word(cell)) if cell is not None else None
        if column is not None and column not in found.values():
            found[index] = column
    return found


def _topics() -> dict[str, Topic]:
    topics: dict[str, Topic] = {}
    for topic in Topic.objects.all():
        topics[_word(topic.code)] = topic
        topics[_word(topic.name)] = topic
    return topics


DIFFICULTIES = {_word(label): value for value, label in Difficulty.choices} | {
    str(value): value for value in Difficulty.values
}
TYPES = {_word(label): value for value, label in QuestionType.choices} | {
    _word(value): value for value in QuestionType.values
}
TRUE_WORDS = {"dung", "d", "true", "1"}
FALSE_WORDS = {"sai", "s", "false", "0"}
YES_WORDS = {"co", "c", "x", "1", "true", "yes"}
NO_WORDS = {"khong", "k", "0", "false", "no"}


def _split(text: str, separators: str) -> list[str]:
    return [part.strip() for part in re.split(separators, text) if part.strip()]


def _read_row(number: int, cells: dict[str, Any], topics: dict[str, Topic]) -> SheetRow:
    row = SheetRow(number)
    values = row.values

    def refuse(name: str, message: str) -> None:
        row.errors.append(RowError(number, COLUMN_OF_FIELD[name], message))
        row.unread.add(name)

    topic_cell = _text(cells.get("topic"))
    if not topic_cell:
        refuse("topic", "Chưa ghi chủ đề.")
    elif _word(topic_cell) not in topics:
        refuse("topic", f"Không có chủ đề “{topic_cell}” (xem danh sách ở sheet “Danh mục”).")
    else:
        values["topic"] = topics[_word(topic_cell)]

    difficulty = _text(cells.get("difficulty"))
    if not difficulty:
        values["difficulty"] = Difficulty.MEDIUM
    elif _word(difficulty) in DIFFICULTIES:
        values["difficulty"] = DIFFICULTIES[_word(difficulty)]
    else:
        refuse("difficulty", f"Độ khó “{difficulty}” không hợp lệ: ghi Dễ, Trung bình hoặc Khó.")

    kind = _text(cells.get("type"))
    if not kind:
        refuse("type", "Chưa ghi loại câu hỏi.")
    elif _word(kind) not in TYPES:
        refuse(
            "type",
            f"Loại câu hỏi “{kind}” không hợp lệ: ghi Một lựa chọn, Nhiều lựa chọn, "
            "Đúng / Sai, Trả lời ngắn, Tự luận hoặc Vấn đáp.",
        )
    else:
        values["type"] = TYPES[_word(kind)]

    values["text"] = nfc_lines(_text(cells.get("text")))
    values["options"] = [
        {"key": key, "text": nfc_lines(_text(cells.get(f"option_{key}")))}
        for key in OPTION_KEYS
        if _text(cells.get(f"option_{key}"))
    ]

    answer_cell = cells.get("answer")
    answer = _text(answer_cell)
    kind_value = values.get("type")
    if kind_value == QuestionType.SINGLE:
        values["answer"] = answer.upper() or None
    elif kind_value == QuestionType.MULTIPLE:
        values["answer"] = [k.upper() for k in _split(answer, r"[,;\s]+")]
    elif kind_value == QuestionType.TRUE_FALSE:
        if isinstance(answer_cell, bool):
            values["answer"] = answer_cell
        elif not answer:
            values["answer"] = None
        elif _word(answer) in TRUE_WORDS:
            values["answer"] = True
        elif _word(answer) in FALSE_WORDS:
            values["answer"] = False
        else:
            refuse("answer", f"Đáp án “{answer}” không hợp lệ: câu Đúng / Sai ghi Đúng hoặc Sai.")
    elif kind_value == QuestionType.SHORT:
        separator = r"\n" if "\n" in answer else r"[;\n]"
        values["answer"] = _split(answer, separator)
    else:
        values["answer"] = answer or None

    points_cell = cells.get("points")
    points_text = _text(points_cell)
    if not points_text:
        values["points"] = Decimal(1)
    else:
        try:
            values["points"] = Decimal(points_text.replace(",", "."))
        except InvalidOperation:
            refuse("points", f"Điểm “{points_text}” không phải là một số.")

    rubric_text = _text(cells.get("rubric"))
    rubric: list[dict[str, Any]] = []
    separator = r"\n" if "\n" in rubric_text else r"[;\n]"
    for line in _split(rubric_text, separator):
        criterion, colon, points = line.rpartition(":")
        if not colon:
            refuse("rubric", f"Tiêu chí “{line}” thiếu điểm: ghi dạng “Nội dung tiêu chí: 1,5”.")
            continue
        try:
            value = Decimal(points.strip().replace(",", "."))
        except InvalidOperation:
            refuse("rubric", f"Điểm của tiêu chí “{criterion.strip()}” không phải là một số.")
            continue
        rubric.append({"criterion": criterion.strip(), "points": value})
    values["rubric"] = rubric

    values["tags"] = _split(_text(cells.get("tags")), r"[,;]")
    values["explanation"] = nfc_lines(_text(cells.get("explanation")))

    shared_cell = cells.get("shared_down")
    shared = _text(shared_cell)
    if isinstance(shared_cell, bool):
        values["shared_down"] = shared_cell
    elif not shared or _word(shared) in YES_WORDS:
        values["shared_down"] = True
    elif _word(shared) in NO_WORDS:
        values["shared_down"] = False
    else:
        refuse("shared_down", f"“{shared}” không hợp lệ: ghi Có hoặc Không.")
    return row


def nfc_lines(value: str) -> str:
    return "\n".join(nfc(line) for line in value.split("\n")).strip("\n")


def read_questions(content: bytes) -> list[SheetRow]:
    """The data rows of an import file, each with what could be read and its errors.

    A header that lacks a required column answers one error on row 1 and no data rows.
    Blank rows are skipped; row numbers stay those the spreadsheet shows.
    """
    table = _table(content)
    if not table:
        return []
    header = _header(table[0])
    missing = [c.label for c in COLUMNS if c.required and c not in header.values()]
    if missing:
        return [
            SheetRow(
                1,
                errors=[
                    RowError(1, label, f"Thiếu cột “{label}” ở dòng tiêu đề: hãy dùng tệp mẫu.")
                    for label in missing
                ],
            )
        ]
    topics = _topics()
    rows: list[SheetRow] = []
    for number, cells in enumerate(table[1:], start=2):
        named = {header[i].name: value for i, value in enumerate(cells) if i in header}
        if not any(_text(v) for v in named.values()):
            continue
        if len(rows) >= MAX_ROWS:
            raise SpreadsheetUnreadable(f"Mỗi lần nhập tối đa {MAX_ROWS} câu hỏi.")
        rows.append(_read_row(number, named, topics))
    return rows


# ---- writing -----------------------------------------------------------------------------


def _points_text(value: Any) -> str:
    text = f"{Decimal(str(value)).quantize(Decimal('0.01')):f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def question_cells(question: Question, *, with_key: bool) -> list[Any]:
    """One row of the sheet for ``question``'s current version, in ``COLUMNS`` order."""
    version = question.current
    assert version is not None
    letters = {o["key"]: OPTION_KEYS[i] for i, o in enumerate(version.options[: len(OPTION_KEYS)])}
    answer: Any = ""
    if question.type == QuestionType.SINGLE:
        answer = letters.get(str(version.answer), "")
    elif question.type == QuestionType.MULTIPLE:
        answer = ", ".join(letters.get(k, "") for k in version.answer or [])
    elif question.type == QuestionType.TRUE_FALSE:
        answer = "" if version.answer is None else ("Đúng" if version.answer else "Sai")
    elif question.type == QuestionType.SHORT:
        answer = "; ".join(version.answer or [])
    rubric = "\n".join(
        f"{c['criterion']}: {_points_text(c['points'])}" for c in version.rubric or []
    )
    values: dict[str, Any] = {
        "topic": question.topic.name,
        "difficulty": str(Difficulty(question.difficulty).label),
        "type": str(QuestionType(question.type).label),
        "text": version.text,
        "answer": answer,
        "rubric": rubric,
        "points": version.points,
        "tags": ", ".join(question.tags or []),
        "explanation": version.explanation,
        "shared_down": "Có" if question.shared_down else "Không",
    }
    for i, option in enumerate(version.options[: len(OPTION_KEYS)]):
        values[f"option_{OPTION_KEYS[i]}"] = option["text"]
    if not with_key:
        for name in KEY_COLUMNS:
            values[name] = ""
    return [values.get(c.name, "") for c in COLUMNS]


HEAD_FONT = Font(bold=True, color="FFFFFF")
HEAD_FILL = PatternFill("solid", fgColor="A3201B")
WRAP = Alignment(wrap_text=True, vertical="top")


def _questions_sheet(book: Workbook, rows: Iterable[list[Any]]) -> None:
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    sheet.append([c.label for c in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = HEAD_FONT
        cell.fill = HEAD_FILL
        cell.alignment = WRAP
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    count = 1
    for values in rows:
        sheet.append(values)
        count += 1
        for cell in sheet[count]:
            cell.alignment = WRAP
    sheet.freeze_panes = "A2"
    # Drop-down lists from the "Danh mục" sheet (a topic name may hold commas).
    last = max(count, 1) + 500
    for name, list_column in (
        ("topic", "A"),
        ("difficulty", "B"),
        ("type", "C"),
        ("shared_down", "D"),
    ):
        position = next(i for i, c in enumerate(COLUMNS, start=1) if c.name == name)
        size = {"A": Topic.objects.count(), "B": 3, "C": 6, "D": 2}[list_column]
        check = DataValidation(
            type="list",
            formula1=f"'{LISTS_SHEET}'!${list_column}$2:${list_column}${size + 1}",
            allow_blank=True,
            showErrorMessage=False,
        )
        sheet.add_data_validation(check)
        letter = get_column_letter(position)
        check.add(f"{letter}2:{letter}{last}")


def _lists_sheet(book: Workbook) -> None:
    sheet = book.create_sheet(LISTS_SHEET)
    sheet.append(["Chủ đề", "Độ khó", "Loại câu hỏi", "Chia sẻ", "Mã chủ đề"])
    topics = list(Topic.objects.all())
    difficulties = [str(label) for _v, label in Difficulty.choices]
    types = [str(label) for _v, label in QuestionType.choices]
    for i in range(max(len(topics), len(types))):
        sheet.append(
            [
                topics[i].name if i < len(topics) else None,
                difficulties[i] if i < len(difficulties) else None,
                types[i] if i < len(types) else None,
                ["Có", "Không"][i] if i < 2 else None,
                topics[i].code if i < len(topics) else None,
            ]
        )
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDE", (60, 14, 18, 10, 24), strict=True):
        sheet.column_dimensions[letter].width = width


EXAMPLES: list[dict[str, str]] = [
    {
        "topic": "Điều lệ Đảng",
        "difficulty": "Dễ",
        "type": "Một lựa chọn",
        "text": "Người vào Đảng phải từ đủ bao nhiêu tuổi đời?",
        "option_A": "16 tuổi",
        "option_B": "18 tuổi",
        "option_C": "20 tuổi",
        "answer": "B",
        "points": "1",
    },
    {
        "topic": "Lịch sử Đảng Cộng sản Việt Nam",
        "difficulty": "Trung bình",
        "type": "Nhiều lựa chọn",
        "text": "Hội nghị thành lập Đảng (đầu năm 1930) hợp nhất những tổ chức nào?",
        "option_A": "Đông Dương Cộng sản Đảng",
        "option_B": "An Nam Cộng sản Đảng",
        "option_C": "Việt Nam Quốc dân Đảng",
        "answer": "A, B",
        "points": "1",
    },
    {
        "topic": "Điều lệ Đảng",
        "difficulty": "Dễ",
        "type": "Đúng / Sai",
        "text": "Thời gian dự bị của đảng viên là 12 tháng.",
        "answer": "Đúng",
        "points": "0,5",
    },
    {
        "topic": "Lịch sử Đảng Cộng sản Việt Nam",
        "difficulty": "Dễ",
        "type": "Trả lời ngắn",
        "text": "Đảng Cộng sản Việt Nam ra đời năm nào?",
        "answer": "1930; năm 1930",
        "points": "1",
    },
    {
        "topic": "Động cơ, phương hướng phấn đấu vào Đảng",
        "difficulty": "Khó",
        "type": "Tự luận",
        "text": "Trình bày động cơ phấn đấu vào Đảng của bản thân.",
        "rubric": "Nêu đúng động cơ: 2\nLiên hệ bản thân: 1",
        "points": "3",
    },
]


def _help_sheet(book: Workbook, *, keys_hidden: bool) -> None:
    sheet = book.create_sheet(HELP_SHEET)
    lines: list[list[Any]] = [
        ["Hướng dẫn nhập ngân hàng câu hỏi"],
        [],
        ["Mỗi câu hỏi ghi trên một dòng của sheet “Câu hỏi”; không đổi tên các cột ở dòng 1."],
        ["Nhập bằng tệp Excel (.xlsx) này, hoặc lưu thành CSV UTF-8 (có hoặc không có BOM)."],
        ["Hãy bấm “Kiểm tra” trước: hệ thống liệt kê mọi lỗi theo số dòng và cột."],
        [
            "Nếu còn bất kỳ dòng nào lỗi thì không câu hỏi nào được nhập; "
            "sửa hết rồi nhập lại cả tệp."
        ],
        ["Đáp án và thang điểm chấm chỉ hội đồng kiểm tra được xem: giữ tệp này theo chế độ mật."],
        [],
        ["Cột", "Cách ghi"],
        *[[c.label + (" (bắt buộc)" if c.required else ""), c.help] for c in COLUMNS],
        [],
        ["Ví dụ (chép sang sheet “Câu hỏi” nếu muốn dùng)"],
        [c.label for c in COLUMNS],
        *[[example.get(c.name, "") for c in COLUMNS] for example in EXAMPLES],
    ]
    if keys_hidden:
        lines.insert(
            2,
            [
                "Tệp xuất này không có đáp án, thang điểm chấm và giải thích "
                "(bạn không có quyền xem)."
            ],
        )
    for line in lines:
        sheet.append(line)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 100
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = WRAP
    for row in sheet.iter_rows():
        if row and row[0].value in ("Cột", "Chủ đề"):
            for cell in row:
                cell.font = Font(bold=True)


def _save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def template_workbook() -> bytes:
    """The empty import template: the header row, the instructions, the lists."""
    book = Workbook()
    _questions_sheet(book, [])
    _help_sheet(book, keys_hidden=False)
    _lists_sheet(book)
    return _save(book)


def export_workbook(questions: Iterable[Question], *, key_ids: set[int]) -> bytes:
    """The questions in the template's columns; keys, rubrics and explanations only for
    the questions in ``key_ids`` (those the user may see the key of)."""
    book = Workbook()
    hidden = False
    rows = []
    for question in questions:
        with_key = question.pk in key_ids
        hidden = hidden or not with_key
        rows.append(question_cells(question, with_key=with_key))
    _questions_sheet(book, rows)
    _help_sheet(book, keys_hidden=hidden)
    _lists_sheet(book)
    return _save(book)
