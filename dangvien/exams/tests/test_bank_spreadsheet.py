"""Import and export of the question bank: the template, the dry run's errors by row and
column, all-or-nothing commits, CSV with and without BOM, and the export → import round
trip with keys only for those who may see them."""

import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from dangvien.accounts.models import Role
from dangvien.core.errors import NotAllowed
from dangvien.exams.actions.bank import (
    ImportRefused,
    create_question,
    import_problems,
    import_questions,
)
from dangvien.exams.models import Question, QuestionType, Topic
from dangvien.exams.queries.bank import bank_rows, key_visible_ids
from dangvien.exams.spreadsheet import (
    HELP_SHEET,
    LISTS_SHEET,
    SHEET,
    SpreadsheetUnreadable,
    export_workbook,
    read_questions,
    template_workbook,
)
from dangvien.exams.tests.factories import LABELS, cur, make_question, xlsx
from dangvien.factories import user_with_role

pytestmark = pytest.mark.django_db


GOOD_SINGLE = {
    "Chủ đề": "Điều lệ Đảng",
    "Độ khó": "Dễ",
    "Loại câu hỏi": "Một lựa chọn",
    "Nội dung câu hỏi": "Người vào Đảng phải từ đủ bao nhiêu tuổi đời?",
    "Phương án A": "16 tuổi",
    "Phương án B": "18 tuổi",
    "Phương án C": "20 tuổi",
    "Đáp án": "B",
    "Điểm": 1,
}
GOOD_ESSAY = {
    "Chủ đề": "dong-co-vao-dang",  # by code
    "Độ khó": 3,
    "Loại câu hỏi": "tu luan",  # without diacritics
    "Nội dung câu hỏi": "Trình bày động cơ phấn đấu vào Đảng của bản thân.",
    "Thang điểm chấm": "Nêu đúng động cơ: 2\nLiên hệ bản thân: 1,5",
    "Điểm": "3,5",
    "Nhãn": "tự luận, động cơ",
    "Chia sẻ cho cấp dưới": "Không",
}


# ---- the template ----------------------------------------------------------------------------


def test_the_template_has_the_header_row_and_vietnamese_instructions():
    book = load_workbook(io.BytesIO(template_workbook()))
    assert book.sheetnames == [SHEET, HELP_SHEET, LISTS_SHEET]
    assert [c.value for c in book[SHEET][1]] == LABELS
    assert book[SHEET].max_row == 1
    help_text = " ".join(str(c.value) for row in book[HELP_SHEET].iter_rows() for c in row)
    assert "không câu hỏi nào được nhập" in help_text
    topics = [c.value for c in book[LISTS_SHEET]["A"][1:] if c.value]
    assert "Điều lệ Đảng" in topics and len(topics) == Topic.objects.count()


def test_the_empty_template_reads_as_a_file_without_questions():
    rows = read_questions(template_workbook())
    assert rows == []
    assert [e.message for e in import_problems(rows)] == [
        "Tệp không có dòng câu hỏi nào (dòng đầu là dòng tiêu đề)."
    ]


# ---- the dry run -----------------------------------------------------------------------------


def test_the_dry_run_lists_every_rows_errors_by_row_and_column(staff):
    content = xlsx(
        GOOD_SINGLE,
        {**GOOD_SINGLE, "Chủ đề": "Kinh tế học"},
        {**GOOD_SINGLE, "Loại câu hỏi": "Điền khuyết"},
        {**GOOD_SINGLE, "Đáp án": "E"},
        {**GOOD_ESSAY, "Điểm": 4},
        {**GOOD_SINGLE, "Nội dung câu hỏi": ""},
        {},  # a blank row is skipped, numbering continues
        {**GOOD_SINGLE, "Điểm": "một"},
    )
    errors = import_problems(read_questions(content))
    found = {(e.row, e.column, e.message) for e in errors}
    assert found == {
        (
            3,
            "Chủ đề",
            "Không có chủ đề “Kinh tế học” (xem danh sách ở sheet “Danh mục”).",
        ),
        (
            4,
            "Loại câu hỏi",
            "Loại câu hỏi “Điền khuyết” không hợp lệ: ghi Một lựa chọn, Nhiều lựa chọn, "
            "Đúng / Sai, Trả lời ngắn, Tự luận hoặc Vấn đáp.",
        ),
        (5, "Đáp án", "Đáp án “E” không có trong các phương án."),
        (
            6,
            "Thang điểm chấm",
            "Tổng điểm các tiêu chí (3,5) phải bằng điểm tối đa của câu (4).",
        ),
        (7, "Nội dung câu hỏi", "Nội dung câu hỏi không được để trống."),
        (9, "Điểm", "Điểm “một” không phải là một số."),
    }
    assert not Question.objects.exists()


def test_a_row_with_several_problems_lists_them_all():
    row = {**GOOD_SINGLE, "Nội dung câu hỏi": "", "Đáp án": "", "Độ khó": "rất khó"}
    errors = import_problems(read_questions(xlsx(row)))
    assert {(e.column, e.message) for e in errors} == {
        ("Độ khó", "Độ khó “rất khó” không hợp lệ: ghi Dễ, Trung bình hoặc Khó."),
        ("Nội dung câu hỏi", "Nội dung câu hỏi không được để trống."),
        ("Đáp án", "Chưa chọn đáp án đúng cho câu hỏi một lựa chọn."),
    }


def test_a_header_without_a_required_column_is_one_error_on_row_one():
    header = [label for label in LABELS if label != "Loại câu hỏi"]
    errors = import_problems(read_questions(xlsx(GOOD_SINGLE, header=header)))
    assert [(e.row, e.column, e.message) for e in errors] == [
        (1, "Loại câu hỏi", "Thiếu cột “Loại câu hỏi” ở dòng tiêu đề: hãy dùng tệp mẫu.")
    ]


def test_an_old_excel_file_or_garbage_is_refused_with_a_message():
    with pytest.raises(SpreadsheetUnreadable, match=r"\.xls"):
        read_questions(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    with pytest.raises(SpreadsheetUnreadable, match="UTF-8"):
        read_questions("Chủ đề;Loại".encode("cp1258", errors="replace") + b"\xff\xfe")
    with pytest.raises(SpreadsheetUnreadable, match="Excel"):
        read_questions(b"PK\x03\x04 not a zip")


# ---- the commit ------------------------------------------------------------------------------


def test_one_bad_row_imports_nothing_and_lists_the_errors_by_row(tree, staff):
    rows = read_questions(xlsx(GOOD_SINGLE, GOOD_ESSAY, {**GOOD_SINGLE, "Đáp án": "E"}))
    with pytest.raises(ImportRefused) as caught:
        import_questions(tree["commune"], rows=rows, by=staff)
    assert [(e.row, e.column) for e in caught.value.errors] == [(4, "Đáp án")]
    assert "Không nhập câu hỏi nào" in str(caught.value)
    assert not Question.objects.exists()


def test_a_good_file_imports_every_row(tree, staff):
    rows = read_questions(xlsx(GOOD_SINGLE, GOOD_ESSAY))
    created = import_questions(tree["commune"], rows=rows, by=staff)
    assert len(created) == 2 and Question.objects.count() == 2
    essay = created[1]
    assert essay.type == QuestionType.ESSAY and essay.difficulty == 3
    assert essay.topic.code == "dong-co-vao-dang" and essay.shared_down is False
    assert essay.tags == ["tự luận", "động cơ"]
    assert cur(essay).points == Decimal("3.50")
    assert cur(essay).rubric == [
        {"criterion": "Nêu đúng động cơ", "points": "2.00"},
        {"criterion": "Liên hệ bản thân", "points": "1.50"},
    ]


def test_only_committee_staff_import(tree):
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    with pytest.raises(NotAllowed):
        import_questions(tree["commune"], rows=read_questions(xlsx(GOOD_SINGLE)), by=secretary)
    assert not Question.objects.exists()


def csv_bytes(bom: bool, delimiter: str = ",") -> bytes:
    lines = [
        delimiter.join(["Chủ đề", "Loại câu hỏi", "Nội dung câu hỏi", "Đáp án", "Điểm"]),
        delimiter.join(["Điều lệ Đảng", "Đúng / Sai", "Thời gian dự bị là 12 tháng.", "Đúng", ""]),
        delimiter.join(
            [
                "Lịch sử Đảng Cộng sản Việt Nam",
                "Trả lời ngắn",
                "Đảng ra đời năm nào?",
                '"1930; năm 1930"',
                '"0,5"',
            ]
        ),
    ]
    text = "\r\n".join(lines) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


@pytest.mark.parametrize("bom", [True, False])
def test_a_csv_in_utf8_imports_with_or_without_bom(tree, staff, bom):
    created = import_questions(tree["commune"], rows=read_questions(csv_bytes(bom)), by=staff)
    truth, short = created
    assert truth.type == QuestionType.TRUE_FALSE and cur(truth).answer is True
    assert truth.topic.code == "dieu-le-dang" and cur(truth).points == Decimal("1.00")
    assert cur(short).answer == ["1930", "năm 1930"] and cur(short).points == Decimal("0.50")


def test_a_csv_separated_by_semicolons_imports_too(tree, staff):
    created = import_questions(tree["commune"], rows=read_questions(csv_bytes(True, ";")), by=staff)
    assert [q.type for q in created] == [QuestionType.TRUE_FALSE, QuestionType.SHORT]


# ---- the export ------------------------------------------------------------------------------


def one_of_each(owner) -> list[Question]:
    questions = [make_question(owner, type=t, points=2) for t in QuestionType.values]
    for question in questions:
        question.tags = ["ôn tập"]
        question.save(update_fields=["tags"])
        cur(question).explanation = "Điều lệ Đảng, Điều 1."
        cur(question).save(update_fields=["explanation"])
    return questions


def content_of(question: Question) -> tuple[Any, ...]:
    v = cur(question)
    return (
        question.type,
        question.topic_id,
        question.difficulty,
        question.tags,
        question.shared_down,
        v.text,
        [o["text"] for o in v.options],
        v.answer,
        v.rubric,
        v.points,
        v.explanation,
    )


def test_an_export_imports_again_into_another_bank_unchanged(tree, staff):
    province_staff = user_with_role(Role.BOARD_STAFF, tree["province"])
    originals = one_of_each(tree["province"])
    rows = list(bank_rows(province_staff).filter(owner=tree["province"]).order_by("pk"))
    content = export_workbook(rows, key_ids=key_visible_ids(province_staff, rows))
    assert import_problems(read_questions(content)) == []
    copies = import_questions(tree["commune"], rows=read_questions(content), by=staff)
    assert [content_of(c) for c in copies] == [content_of(o) for o in originals]


def test_the_export_leaves_out_keys_for_a_branch_secretary(tree, staff):
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    create_question(
        tree["commune"],
        by=staff,
        topic=Topic.objects.get(code="dieu-le-dang"),
        type=QuestionType.SINGLE,
        text="Người vào Đảng phải từ đủ bao nhiêu tuổi đời?",
        options=[{"key": "A", "text": "16 tuổi"}, {"key": "B", "text": "18 tuổi"}],
        answer="B",
        explanation="Điều lệ Đảng, Điều 1.",
    )
    rows = list(bank_rows(secretary))
    assert len(rows) == 1 and key_visible_ids(secretary, rows) == set()
    sheet = load_workbook(io.BytesIO(export_workbook(rows, key_ids=set())))[SHEET]
    values = dict(zip(LABELS, [c.value for c in sheet[2]], strict=True))
    assert values["Phương án B"] == "18 tuổi"
    assert values["Đáp án"] is None and values["Giải thích đáp án"] is None
    assert values["Thang điểm chấm"] is None
