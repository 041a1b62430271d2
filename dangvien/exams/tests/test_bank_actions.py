"""The question bank's writes: each type's rules refusing with their Vietnamese message,
versioning against the papers, sharing down the tree, archive, restore and copy."""

from decimal import Decimal
from typing import Any

import pytest

from dangvien.accounts.models import Role
from dangvien.core.errors import Conflict, NotAllowed
from dangvien.exams.actions.bank import (
    InvalidQuestion,
    archive_question,
    copy_question,
    create_question,
    edit_question,
    restore_question,
)
from dangvien.exams.models import PaperItem, Question, QuestionType, QuestionVersion, Topic
from dangvien.exams.queries import access
from dangvien.exams.queries.bank import bank_rows, key_visible_ids
from dangvien.exams.tests.factories import (
    add_board,
    age_question,
    cur,
    make_paper,
    make_question,
    make_round,
)
from dangvien.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def province_staff(tree):
    return user_with_role(Role.BOARD_STAFF, tree["province"])


def charter() -> Topic:
    return Topic.objects.get(code="dieu-le-dang")


def single(**over: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "topic": charter(),
        "difficulty": 1,
        "type": QuestionType.SINGLE,
        **age_question(),
    }
    fields.update(over)
    return fields


def essay(**over: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "topic": Topic.objects.get(code="dong-co-vao-dang"),
        "type": QuestionType.ESSAY,
        "text": "Trình bày động cơ phấn đấu vào Đảng của bản thân.",
        "rubric": [
            {"criterion": "Nêu đúng động cơ", "points": "2"},
            {"criterion": "Liên hệ bản thân", "points": "1"},
        ],
        "points": 3,
    }
    fields.update(over)
    return fields


def refused(owner, by, **fields) -> InvalidQuestion:
    with pytest.raises(InvalidQuestion) as caught:
        create_question(owner, by=by, **fields)
    assert not Question.objects.exists()
    return caught.value


# ---- creating, and each rule refusing ------------------------------------------------------


def test_committee_staff_add_a_single_choice_question_with_its_first_version(tree, staff):
    question = create_question(tree["commune"], by=staff, tags=["kết nạp", " Kết nạp "], **single())
    version = cur(question)
    assert version.number == 1 and version.answer == "B" and version.points == Decimal("1.00")
    assert question.org_path == tree["commune"].path and question.created_by == staff
    assert question.tags == ["kết nạp"]  # trimmed, duplicates dropped ignoring case


def test_a_branch_secretary_may_not_add_to_a_bank(tree):
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    with pytest.raises(NotAllowed, match="không có quyền quản lý ngân hàng câu hỏi") as caught:
        create_question(tree["commune"], by=secretary, **single())
    assert caught.value.field == "owner"


def test_staff_may_not_add_to_the_bank_of_the_province_above_them(tree, staff):
    with pytest.raises(NotAllowed):
        create_question(tree["province"], by=staff, **single())


def test_the_text_may_not_be_empty(tree, staff):
    error = refused(tree["commune"], staff, **single(text="   "))
    assert str(error) == "Nội dung câu hỏi không được để trống." and error.field == "text"


def test_the_points_must_be_above_zero(tree, staff):
    error = refused(tree["commune"], staff, **single(points=0))
    assert str(error) == "Điểm tối đa của câu phải lớn hơn 0." and error.field == "points"


def test_a_single_choice_question_needs_two_options(tree, staff):
    error = refused(
        tree["commune"], staff, **single(options=[{"key": "A", "text": "18 tuổi"}], answer="A")
    )
    assert str(error) == "Câu hỏi trắc nghiệm cần ít nhất 2 phương án." and error.field == "options"


def test_option_keys_must_be_unique(tree, staff):
    options = [{"key": "A", "text": "16 tuổi"}, {"key": "a", "text": "18 tuổi"}]
    error = refused(tree["commune"], staff, **single(options=options, answer="A"))
    assert str(error) == "Ký hiệu phương án “a” bị trùng."


def test_option_keys_and_texts_may_not_be_empty(tree, staff):
    options = [{"key": "", "text": "16 tuổi"}, {"key": "B", "text": " "}]
    error = refused(tree["commune"], staff, **single(options=options))
    messages = [p.message for p in error.problems]
    assert "Phương án thứ 1 chưa có ký hiệu." in messages
    assert "Phương án B chưa có nội dung." in messages


def test_two_options_may_not_say_the_same(tree, staff):
    options = [{"key": "A", "text": "18 tuổi"}, {"key": "B", "text": "18 TUỔI"}]
    error = refused(tree["commune"], staff, **single(options=options))
    assert str(error) == "Hai phương án có cùng nội dung “18 TUỔI”."


def test_the_single_choice_key_must_be_among_the_options(tree, staff):
    error = refused(tree["commune"], staff, **single(answer="D"))
    assert str(error) == "Đáp án “D” không có trong các phương án." and error.field == "answer"


def test_a_single_choice_question_has_exactly_one_key(tree, staff):
    error = refused(tree["commune"], staff, **single(answer=["A", "B"]))
    assert str(error) == "Câu hỏi một lựa chọn có đúng một đáp án, không hơn."
    error = refused(tree["commune"], staff, **single(answer=None))
    assert str(error) == "Chưa chọn đáp án đúng cho câu hỏi một lựa chọn."


def test_a_multiple_choice_question_needs_a_correct_key_among_the_options(tree, staff):
    error = refused(tree["commune"], staff, **single(type=QuestionType.MULTIPLE, answer=[]))
    assert str(error) == "Câu hỏi nhiều lựa chọn cần ít nhất một đáp án đúng."
    error = refused(tree["commune"], staff, **single(type=QuestionType.MULTIPLE, answer=["A", "E"]))
    assert str(error) == "Đáp án “E” không có trong các phương án."


def test_a_multiple_choice_key_is_kept_in_the_options_order(tree, staff):
    question = create_question(
        tree["commune"], by=staff, **single(type=QuestionType.MULTIPLE, answer=["c", "A", "A"])
    )
    assert cur(question).answer == ["A", "C"]


def test_a_true_false_key_is_a_boolean(tree, staff):
    fields = single(type=QuestionType.TRUE_FALSE, options=[], answer="Đúng")
    error = refused(tree["commune"], staff, **fields)
    assert str(error) == "Câu Đúng / Sai cần đáp án là Đúng hoặc Sai." and error.field == "answer"
    question = create_question(tree["commune"], by=staff, **{**fields, "answer": False})
    assert cur(question).answer is False


def test_a_true_false_question_has_no_options(tree, staff):
    error = refused(tree["commune"], staff, **single(type=QuestionType.TRUE_FALSE, answer=True))
    assert str(error) == "Câu Đúng / Sai không có phương án lựa chọn."


def test_a_short_answer_needs_an_accepted_answer(tree, staff):
    fields = single(type=QuestionType.SHORT, options=[], answer=["", "  "])
    error = refused(tree["commune"], staff, **fields)
    assert str(error) == "Câu trả lời ngắn cần ít nhất một đáp án được chấp nhận."
    question = create_question(tree["commune"], by=staff, **{**fields, "answer": "năm 1930"})
    assert cur(question).answer == ["năm 1930"]


def test_an_essay_needs_a_rubric(tree, staff):
    error = refused(tree["commune"], staff, **essay(rubric=[]))
    assert str(error).startswith("Câu tự luận, vấn đáp cần thang điểm chấm") and (
        error.field == "rubric"
    )


def test_the_rubric_points_must_add_up_to_the_question_points(tree, staff):
    error = refused(tree["commune"], staff, **essay(points="3.5"))
    assert str(error) == "Tổng điểm các tiêu chí (3) phải bằng điểm tối đa của câu (3,5)."


def test_each_rubric_criterion_has_a_text_and_positive_points(tree, staff):
    rubric = [{"criterion": "", "points": "3"}, {"criterion": "Liên hệ", "points": "0"}]
    error = refused(tree["commune"], staff, **essay(rubric=rubric))
    messages = [p.message for p in error.problems]
    assert "Tiêu chí thứ 1 chưa có nội dung." in messages
    assert "Điểm của tiêu chí “Liên hệ” phải lớn hơn 0." in messages


def test_an_oral_question_has_no_options_and_no_key(tree, staff):
    fields = essay(type=QuestionType.ORAL, options=[{"key": "A", "text": "x"}], answer="A")
    error = refused(tree["commune"], staff, **fields)
    messages = [p.message for p in error.problems]
    assert "Câu tự luận, vấn đáp không có phương án lựa chọn." in messages
    assert any(m.startswith("Câu tự luận, vấn đáp không có đáp án lựa chọn") for m in messages)


def test_an_objective_question_has_no_rubric(tree, staff):
    error = refused(tree["commune"], staff, **single(rubric=[{"criterion": "x", "points": 1}]))
    assert str(error) == "Chỉ câu tự luận và vấn đáp mới có thang điểm chấm (tiêu chí)."


def test_an_essay_rubric_is_stored_with_two_decimals(tree, staff):
    question = create_question(tree["commune"], by=staff, **essay(points="3"))
    assert cur(question).rubric == [
        {"criterion": "Nêu đúng động cơ", "points": "2.00"},
        {"criterion": "Liên hệ bản thân", "points": "1.00"},
    ]
    assert cur(question).answer is None


# ---- versioning ------------------------------------------------------------------------------


def test_editing_an_unused_question_keeps_version_one(tree, staff):
    question = create_question(tree["commune"], by=staff, **single())
    edited = edit_question(question, text="Tuổi đời tối thiểu khi vào Đảng?", answer="B", by=staff)
    assert cur(edited).number == 1 and edited.versions.count() == 1
    assert cur(edited).text == "Tuổi đời tối thiểu khi vào Đảng?"


def test_editing_a_question_on_a_paper_makes_version_two_and_the_paper_keeps_version_one(
    tree, staff
):
    question = make_question(tree["commune"])
    make_paper(make_round(tree["commune"]), [question])
    old = cur(question)
    old_text = old.text
    options = [{"key": o["key"], "text": o["text"]} for o in old.options]
    edited = edit_question(question, text="Câu hỏi đã sửa?", options=options, answer="C", by=staff)
    assert cur(edited).number == 2 and cur(edited).answer == "C"
    item = PaperItem.objects.get()
    assert item.version_id == old.pk
    item.version.refresh_from_db()
    assert item.version.text == old_text and item.version.answer == "B"


def test_an_unchanged_content_makes_no_new_version_even_when_used(tree, staff):
    question = make_question(tree["commune"])
    make_paper(make_round(tree["commune"]), [question])
    edited = edit_question(question, text=cur(question).text, by=staff)
    assert cur(edited).number == 1


def test_metadata_edits_of_a_used_question_need_no_version(tree, staff):
    question = make_question(tree["commune"])
    make_paper(make_round(tree["commune"]), [question])
    history = Topic.objects.get(code="lich-su-dang")
    edited = edit_question(
        question, topic=history, difficulty=3, tags=["Đại hội XIII"], shared_down=False, by=staff
    )
    assert edited.versions.count() == 1
    assert (edited.topic, edited.difficulty, edited.tags, edited.shared_down) == (
        history,
        3,
        ["Đại hội XIII"],
        False,
    )


def test_a_type_change_of_a_used_question_is_refused(tree, staff):
    question = make_question(tree["commune"])
    make_paper(make_round(tree["commune"]), [question])
    with pytest.raises(Conflict, match="không đổi được loại câu hỏi") as caught:
        edit_question(question, type=QuestionType.TRUE_FALSE, options=[], answer=True, by=staff)
    assert caught.value.field == "type"
    question.refresh_from_db()
    assert question.type == QuestionType.SINGLE and question.versions.count() == 1


def test_an_unused_question_may_change_type_in_place(tree, staff):
    question = create_question(tree["commune"], by=staff, **single())
    edited = edit_question(
        question, type=QuestionType.TRUE_FALSE, options=[], answer=True, by=staff
    )
    assert edited.type == QuestionType.TRUE_FALSE and cur(edited).number == 1
    assert cur(edited).options == [] and cur(edited).answer is True


def test_an_edit_is_checked_against_the_rules_of_its_type(tree, staff):
    question = create_question(tree["commune"], by=staff, **single())
    with pytest.raises(InvalidQuestion, match="không có trong các phương án"):
        edit_question(question, answer="Z", by=staff)
    cur(question).refresh_from_db()
    assert cur(question).answer == "B"


def test_the_third_edit_of_a_question_used_twice_makes_version_three(tree, staff):
    question = make_question(tree["commune"])
    round_ = make_round(tree["commune"])
    make_paper(round_, [question], number=1)
    question = edit_question(question, text="Lần sửa thứ nhất?", by=staff)
    make_paper(round_, [question], number=2)
    question = edit_question(question, text="Lần sửa thứ hai?", by=staff)
    assert list(question.versions.values_list("number", flat=True)) == [1, 2, 3]
    assert cur(question).text == "Lần sửa thứ hai?"


def test_staff_of_a_commune_may_not_edit_the_province_question_shared_to_them(
    tree, staff, province_staff
):
    question = create_question(tree["province"], by=province_staff, **single())
    with pytest.raises(NotAllowed):
        edit_question(question, text="Sửa trộm?", by=staff)


# ---- sharing down ----------------------------------------------------------------------------


def test_a_commune_may_use_the_province_shared_question_but_not_an_unshared_one(
    tree, province_staff
):
    shared = create_question(tree["province"], by=province_staff, **single())
    unshared = create_question(
        tree["province"],
        by=province_staff,
        **single(text="Câu chỉ tỉnh dùng?", shared_down=False),
    )
    usable = set(access.usable_questions(tree["commune"]))
    assert shared in usable and unshared not in usable


def test_a_commune_may_not_use_a_sibling_communes_question(tree):
    other_staff = user_with_role(Role.BOARD_STAFF, tree["other_commune"])
    sibling = create_question(tree["other_commune"], by=other_staff, **single())
    assert sibling not in access.usable_questions(tree["commune"])


def test_commune_staff_see_the_shared_province_question_without_its_key(
    tree, staff, province_staff
):
    shared = create_question(tree["province"], by=province_staff, **single())
    assert shared in access.visible_questions(staff)
    assert not access.can_see_key(staff, shared)
    assert access.can_see_key(province_staff, shared)


def test_an_archived_question_is_no_longer_usable_and_comes_back_when_restored(tree, staff):
    question = create_question(tree["commune"], by=staff, **single())
    archive_question(question, by=staff)
    assert question not in access.usable_questions(tree["commune"])
    with pytest.raises(Conflict, match="đã được lưu trữ"):
        archive_question(question, by=staff)
    restore_question(question, by=staff)
    assert question in access.usable_questions(tree["commune"])
    with pytest.raises(Conflict, match="không cần khôi phục"):
        restore_question(question, by=staff)


def test_a_branch_secretary_may_not_archive(tree, staff):
    question = create_question(tree["commune"], by=staff, **single())
    with pytest.raises(NotAllowed):
        archive_question(question, by=user_with_role(Role.BRANCH_SECRETARY, tree["village"]))


# ---- copying ---------------------------------------------------------------------------------


def test_a_commune_copies_a_shared_province_question_into_its_own_bank(tree, staff, province_staff):
    source = create_question(tree["province"], by=province_staff, tags=["Điều lệ"], **single())
    copy = copy_question(source, to_owner=tree["commune"], by=staff)
    assert copy.pk != source.pk and copy.owner == tree["commune"]
    assert cur(copy).number == 1 and cur(copy).answer == "B" and copy.tags == ["Điều lệ"]
    edit_question(copy, text="Bản của xã?", by=staff)
    cur(source).refresh_from_db()
    assert cur(source).text == "Người vào Đảng phải từ đủ bao nhiêu tuổi đời?"


def test_a_commune_may_not_copy_an_unshared_province_question(tree, staff, province_staff):
    source = create_question(tree["province"], by=province_staff, **single(shared_down=False))
    with pytest.raises(NotAllowed, match="không được chia sẻ"):
        copy_question(source, to_owner=tree["commune"], by=staff)
    assert Question.objects.count() == 1


def test_nobody_copies_into_a_bank_they_do_not_manage(tree, staff, province_staff):
    source = create_question(tree["province"], by=province_staff, **single())
    with pytest.raises(NotAllowed):
        copy_question(source, to_owner=tree["other_commune"], by=staff)
    assert QuestionVersion.objects.count() == 1


def test_the_lists_key_check_agrees_with_can_see_key(tree, staff, province_staff):
    own = make_question(tree["commune"])
    shared = make_question(tree["province"])
    on_board = make_question(tree["province"], text="Câu hội đồng xã dùng?")
    exam_round = make_round(tree["commune"])
    make_paper(exam_round, [on_board])
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    add_board(exam_round, secretary)
    for user in (staff, province_staff, secretary):
        rows = list(bank_rows(user))
        expected = {q.pk for q in rows if access.can_see_key(user, q)}
        assert key_visible_ids(user, rows) == expected
    assert key_visible_ids(secretary, list(bank_rows(secretary))) == {on_board.pk}
    assert own.pk in key_visible_ids(staff, list(bank_rows(staff)))
    assert shared.pk not in key_visible_ids(staff, list(bank_rows(staff)))
