"""Exam rounds from set-up to papers: every rule refusing bad input with its message."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangvien.accounts.models import Role
from dangvien.candidates.models import Stage
from dangvien.core.errors import NotAllowed, NotEligible, StageNotAllowed
from dangvien.core.models import RuleParameter
from dangvien.exams.actions import rounds as actions
from dangvien.exams.models import (
    BoardMember,
    Difficulty,
    Paper,
    PaperItem,
    Part,
    QuestionType,
    QuestionVersion,
    RoundStatus,
    Sitting,
    SittingMode,
    SittingStatus,
)
from dangvien.exams.queries import rounds as queries
from dangvien.exams.tests.factories import make_round, make_sitting, topic
from dangvien.exams.tests.factories_rounds import HELD_ON, bank, new_round, ready_round, staff
from dangvien.factories import make_candidate, user_with_role


@pytest.fixture
def board(tree):
    """Two grassroots staff of the school (in the commune's subtree) and one of the
    province (above)."""
    return [
        user_with_role(Role.GRASSROOTS_STAFF, tree["school"], display_name="Lê Văn Chủ Tịch"),
        user_with_role(Role.GRASSROOTS_STAFF, tree["school"], display_name="Phạm Thị Ủy Viên"),
        user_with_role(Role.BOARD_STAFF, tree["province"], display_name="Hoàng Văn Tỉnh"),
    ]


# ---- settings ----------------------------------------------------------------------------


def test_a_committee_creates_a_round_with_its_settings(tree, committee):
    exam_round = new_round(tree["commune"], committee, name="  Đợt   tháng 11 ")
    assert exam_round.status == RoundStatus.DRAFT
    assert exam_round.name == "Đợt tháng 11"
    assert exam_round.org_path == tree["commune"].path
    assert exam_round.pass_mark == Decimal("5.00") and exam_round.created_by == committee


def test_the_two_weights_must_add_up_to_100(tree, committee):
    with pytest.raises(NotEligible, match="cộng lại bằng 100%") as refused:
        new_round(tree["commune"], committee, written_weight=70, oral_weight=20)
    assert refused.value.field == "oral_weight"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("pass_mark", "10.5", "Điểm đạt phải từ 0 đến 10"),
        ("pass_mark", "-1", "Điểm đạt phải từ 0 đến 10"),
        ("variants", 0, "Số mã đề phải từ 1 đến 50"),
        ("variants", 51, "Số mã đề phải từ 1 đến 50"),
        ("duration_minutes", 4, "Thời gian làm bài phải từ 5 đến 240 phút"),
        ("duration_minutes", 241, "Thời gian làm bài phải từ 5 đến 240 phút"),
        ("name", "   ", "Chưa nhập tên đợt kiểm tra"),
    ],
)
def test_settings_out_of_range_are_refused(tree, committee, field, value, message):
    with pytest.raises(NotEligible, match=message) as refused:
        new_round(tree["commune"], committee, **{field: value})
    assert refused.value.field == field


def test_only_committee_staff_set_up_a_round(tree):
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    with pytest.raises(NotAllowed):
        new_round(tree["commune"], secretary)
    with pytest.raises(NotAllowed):
        new_round(tree["other_commune"], staff(tree["commune"]))


def test_a_round_is_edited_while_in_draft_only(tree, committee, board):
    exam_round = ready_round(tree["commune"], committee, board=board)
    actions.update_round(exam_round, venue="Nhà văn hóa thôn Đông", by=committee)
    assert exam_round.venue == "Nhà văn hóa thôn Đông"
    with pytest.raises(NotEligible, match="cộng lại bằng 100%"):
        actions.update_round(exam_round, oral_weight=50, by=committee)
    actions.generate_papers(exam_round, by=committee)
    with pytest.raises(StageNotAllowed, match="Chỉ sửa đợt kiểm tra khi chưa tạo đề"):
        actions.update_round(exam_round, venue="Nơi khác", by=committee)


# ---- board -------------------------------------------------------------------------------


def test_the_board_needs_at_least_two_members(tree, committee, board):
    exam_round = new_round(tree["commune"], committee)
    with pytest.raises(NotEligible, match="ít nhất 2 thành viên") as refused:
        actions.set_board(exam_round, members=[board[0], board[0]], chair=board[0], by=committee)
    assert refused.value.field == "members"
    assert not exam_round.board.exists()


def test_the_chair_is_one_of_the_members(tree, committee, board):
    exam_round = new_round(tree["commune"], committee)
    with pytest.raises(NotEligible, match="Chủ tịch hội đồng phải là một trong các thành viên"):
        actions.set_board(exam_round, members=board[:2], chair=board[2], by=committee)


def test_the_board_has_exactly_one_chair_and_is_replaced_when_set_again(tree, committee, board):
    exam_round = new_round(tree["commune"], committee)
    actions.set_board(exam_round, members=board, chair=board[2], by=committee)
    assert exam_round.board.count() == 3
    assert list(exam_round.board.filter(is_chair=True).values_list("user", flat=True)) == [
        board[2].pk
    ]
    actions.set_board(exam_round, members=board[:2], chair=board[1], by=committee)
    assert set(BoardMember.objects.filter(round=exam_round).values_list("user", "is_chair")) == {
        (board[0].pk, False),
        (board[1].pk, True),
    }


def test_board_members_hold_a_role_in_the_subtree_or_above(tree, committee, board):
    exam_round = new_round(tree["commune"], committee)
    stranger = user_with_role(Role.GRASSROOTS_STAFF, tree["other_commune"], display_name="Người Lạ")
    with pytest.raises(NotEligible, match="Người Lạ không có vai trò") as refused:
        actions.set_board(exam_round, members=[board[0], stranger], chair=board[0], by=committee)
    assert refused.value.field == "members"


def test_only_the_rounds_committee_sets_the_board(tree, committee, board):
    exam_round = new_round(tree["commune"], committee)
    with pytest.raises(NotAllowed):
        actions.set_board(exam_round, members=board[:2], chair=board[0], by=board[0])


# ---- blueprint ---------------------------------------------------------------------------


def _line(part: str, code: str, difficulty: int, count: int) -> actions.Line:
    return actions.Line(part, topic(code), difficulty, count)


def test_the_blueprint_is_refused_when_the_bank_is_short_naming_topic_and_difficulty(
    tree, committee
):
    exam_round = new_round(tree["commune"], committee, written_weight=100, oral_weight=0)
    bank(tree["commune"], topic_code="cuong-linh", difficulty=Difficulty.HARD, n=3)
    with pytest.raises(NotEligible) as refused:
        actions.set_blueprint(
            exam_round, lines=[_line(Part.WRITTEN, "cuong-linh", Difficulty.HARD, 4)], by=committee
        )
    message = str(refused.value)
    assert "Cương lĩnh xây dựng đất nước" in message
    assert "độ khó “Khó”" in message
    assert "chỉ có 3 câu dùng được, ma trận cần 4" in message
    assert not exam_round.blueprint.exists()


def test_a_part_with_weight_needs_a_line_and_a_part_without_weight_none(tree, committee):
    bank(tree["commune"], n=2)
    bank(tree["commune"], topic_code="lich-su-dang", types=(QuestionType.ORAL,), n=1)
    written = _line(Part.WRITTEN, "dieu-le-dang", Difficulty.MEDIUM, 2)
    oral = _line(Part.ORAL, "lich-su-dang", Difficulty.MEDIUM, 1)
    weighted = new_round(tree["commune"], committee)
    with pytest.raises(NotEligible, match="Phần vấn đáp có trọng số 30%: cần ít nhất một dòng"):
        actions.set_blueprint(weighted, lines=[written], by=committee)
    written_only = new_round(tree["commune"], committee, written_weight=100, oral_weight=0)
    with pytest.raises(NotEligible, match="Phần vấn đáp có trọng số 0%: không được có câu hỏi"):
        actions.set_blueprint(written_only, lines=[written, oral], by=committee)
    actions.set_blueprint(weighted, lines=[written, oral], by=committee)
    assert weighted.blueprint.count() == 2


def test_oral_questions_do_not_fill_written_lines_and_the_reverse(tree, committee):
    exam_round = new_round(tree["commune"], committee)
    bank(tree["commune"], types=(QuestionType.ORAL,), n=3)
    bank(tree["commune"], topic_code="lich-su-dang", types=(QuestionType.ESSAY,), n=3)
    with pytest.raises(NotEligible, match="phần viết, chủ đề “Điều lệ Đảng”"):
        actions.set_blueprint(
            exam_round,
            lines=[
                _line(Part.WRITTEN, "dieu-le-dang", Difficulty.MEDIUM, 1),
                _line(Part.ORAL, "lich-su-dang", Difficulty.MEDIUM, 1),
            ],
            by=committee,
        )


def test_a_province_bank_shared_down_counts_and_a_private_one_does_not(tree, committee):
    exam_round = new_round(tree["commune"], committee, written_weight=100, oral_weight=0)
    bank(tree["province"], n=2, shared_down=True)
    bank(tree["province"], n=5, shared_down=False)
    bank(tree["other_commune"], n=5)
    line = _line(Part.WRITTEN, "dieu-le-dang", Difficulty.MEDIUM, 3)
    with pytest.raises(NotEligible, match="chỉ có 2 câu"):
        actions.set_blueprint(exam_round, lines=[line], by=committee)


def test_duplicate_blueprint_lines_are_refused(tree, committee):
    exam_round = new_round(tree["commune"], committee, written_weight=100, oral_weight=0)
    bank(tree["commune"], n=4)
    line = _line(Part.WRITTEN, "dieu-le-dang", Difficulty.MEDIUM, 2)
    with pytest.raises(NotEligible, match="Trùng dòng"):
        actions.set_blueprint(exam_round, lines=[line, line], by=committee)


# ---- registration and the re-sit rules ---------------------------------------------------


@pytest.fixture
def open_round(tree, committee):
    return new_round(tree["commune"], committee)


def _earlier(tree, candidate, *, days_before: int, passed: bool | None, status=RoundStatus.SIGNED):
    previous = make_round(
        tree["commune"], held_on=HELD_ON - timedelta(days=days_before), status=status
    )
    return make_sitting(
        previous,
        candidate,
        status=SittingStatus.MARKED if passed is not None else SittingStatus.ABSENT,
        passed=passed,
    )


def _refusal(exam_round, candidate, committee) -> str:
    [result] = actions.register_candidates(exam_round, candidates=[candidate], by=committee)
    assert result.sitting is None
    return result.message


def test_candidates_of_the_subtree_before_the_vote_are_registered(tree, committee, open_round):
    first = make_candidate(branch=tree["village"], stage=Stage.CERTIFIED)
    second = make_candidate(branch=tree["school_branch"], stage=Stage.IN_AWARENESS_COURSE)
    results = actions.register_candidates(
        open_round, candidates=[first, second, first], mode=SittingMode.PAPER, by=committee
    )
    assert [r.registered for r in results] == [True, True]
    sitting = Sitting.objects.get(round=open_round, candidate=first)
    assert (sitting.attempt, sitting.mode, sitting.person_id) == (1, "paper", first.person_id)
    assert sitting.org_path == tree["village"].path and sitting.paper is None


def test_a_candidate_outside_the_rounds_subtree_is_refused(tree, committee, open_round):
    outside = make_candidate(branch=tree["other_branch"])
    assert "Không thuộc phạm vi Đảng bộ xã An Bình" in _refusal(open_round, outside, committee)
    assert not open_round.sittings.exists()


def test_a_candidate_past_the_branch_vote_is_refused(tree, committee, open_round):
    proposed = make_candidate(branch=tree["village"], stage=Stage.BRANCH_PROPOSED)
    assert "chỉ kiểm tra nhận thức trước khi chi bộ xét" in _refusal(
        open_round, proposed, committee
    )


def test_a_resit_too_soon_after_a_failed_round_is_refused(tree, committee, open_round):
    candidate = make_candidate(branch=tree["village"])
    _earlier(tree, candidate, days_before=20, passed=False)
    message = _refusal(open_round, candidate, committee)
    allowed = (HELD_ON - timedelta(days=20) + timedelta(days=30)).strftime("%d/%m/%Y")
    assert "phải cách ít nhất 30 ngày" in message and allowed in message


def test_a_resit_after_the_waiting_days_is_the_second_attempt(tree, committee, open_round):
    candidate = make_candidate(branch=tree["village"])
    _earlier(tree, candidate, days_before=30, passed=False)
    _earlier(tree, candidate, days_before=200, passed=None)  # absent: not an attempt
    [result] = actions.register_candidates(open_round, candidates=[candidate], by=committee)
    assert result.sitting is not None and result.sitting.attempt == 2


def test_too_many_attempts_are_refused(tree, committee, open_round):
    candidate = make_candidate(branch=tree["village"])
    for days in (300, 200, 100):
        _earlier(tree, candidate, days_before=days, passed=False)
    assert "Đã kiểm tra 3 lần, tối đa 3 lần" in _refusal(open_round, candidate, committee)


def test_the_province_may_allow_fewer_attempts(tree, committee, open_round):
    RuleParameter.objects.create(
        key="exam.max_attempts",
        value=1,
        effective_from=date(2020, 1, 1),
        organisation=tree["province"],
    )
    candidate = make_candidate(branch=tree["village"])
    _earlier(tree, candidate, days_before=100, passed=False)
    assert "tối đa 1 lần" in _refusal(open_round, candidate, committee)


def test_a_pass_still_valid_is_refused_and_an_expired_one_is_not(tree, committee, open_round):
    recent = make_candidate(branch=tree["village"])
    _earlier(tree, recent, days_before=100, passed=True)
    assert "Đã đạt kiểm tra nhận thức" in _refusal(open_round, recent, committee)
    assert "còn hiệu lực 12 tháng" in _refusal(open_round, recent, committee)
    old = make_candidate(branch=tree["village"])
    _earlier(tree, old, days_before=400, passed=True)
    [result] = actions.register_candidates(open_round, candidates=[old], by=committee)
    assert result.registered and result.sitting is not None and result.sitting.attempt == 2


def test_a_result_pending_in_another_round_is_refused(tree, committee, open_round):
    candidate = make_candidate(branch=tree["village"])
    _earlier(tree, candidate, days_before=40, passed=None, status=RoundStatus.MARKING)
    Sitting.objects.filter(candidate=candidate).update(status=SittingStatus.SUBMITTED)
    assert "chưa ký duyệt kết quả" in _refusal(open_round, candidate, committee)


def test_a_candidate_registered_twice_is_refused_the_second_time(tree, committee, open_round):
    candidate = make_candidate(branch=tree["village"])
    actions.register_candidates(open_round, candidates=[candidate], by=committee)
    assert "Đã có tên trong đợt kiểm tra này" in _refusal(open_round, candidate, committee)


def test_registration_is_closed_once_the_round_is_open(tree, committee):
    exam_round = make_round(tree["commune"], status=RoundStatus.OPEN)
    with pytest.raises(StageNotAllowed, match="Chỉ đăng ký thí sinh trước khi bắt đầu"):
        actions.register_candidates(
            exam_round, candidates=[make_candidate(branch=tree["village"])], by=committee
        )


def test_a_candidate_leaves_the_round_only_before_starting(tree, committee, open_round):
    first, second = (make_candidate(branch=tree["village"]) for _ in range(2))
    actions.register_candidates(open_round, candidates=[first, second], by=committee)
    one, two = open_round.sittings.order_by("pk")
    actions.unregister(one, by=committee)
    assert not Sitting.objects.filter(pk=one.pk).exists()
    Sitting.objects.filter(pk=two.pk).update(status=SittingStatus.IN_PROGRESS)
    with pytest.raises(StageNotAllowed, match="đã bắt đầu làm bài"):
        actions.unregister(two, by=committee)


# ---- papers ------------------------------------------------------------------------------


@pytest.fixture
def prepared(tree, committee, board):
    """A round with 5 written and 2 oral questions per paper, the bank exactly that large,
    and six candidates."""
    exam_round = ready_round(tree["commune"], committee, board=board[:2], written=5, oral=2)
    candidates = [make_candidate(branch=tree["village"]) for _ in range(6)]
    actions.register_candidates(exam_round, candidates=candidates, by=committee)
    return exam_round


def _items(paper: Paper) -> list[PaperItem]:
    return list(paper.items.select_related("version__question").order_by("position"))


def test_papers_are_drawn_for_every_variant_and_the_round_moves_on(prepared, committee):
    papers = actions.generate_papers(prepared, by=committee)
    prepared.refresh_from_db()
    assert prepared.status == RoundStatus.PAPERS
    assert [p.number for p in papers] == [1, 2, 3, 4]
    for paper in papers:
        items = _items(paper)
        assert [i.position for i in items] == list(range(1, 8))
        assert [i.part for i in items] == [Part.WRITTEN] * 5 + [Part.ORAL] * 2
        for item in items:
            assert item.version_id == item.version.question.current_id
            assert item.points == item.version.points


def test_variants_hold_the_same_questions_per_line_in_different_orders(prepared, committee):
    papers = actions.generate_papers(prepared, by=committee)
    orders = [[i.version_id for i in _items(p) if i.part == Part.WRITTEN] for p in papers]
    assert all(sorted(order) == sorted(orders[0]) for order in orders)
    assert len({tuple(order) for order in orders}) > 1


def test_options_are_shuffled_per_item_and_keep_every_option(prepared, committee):
    papers = actions.generate_papers(prepared, by=committee)
    orders = [i.option_order for p in papers for i in _items(p) if i.part == Part.WRITTEN]
    assert all(sorted(order) == ["A", "B", "C", "D"] for order in orders)
    assert any(order != ["A", "B", "C", "D"] for order in orders)


def test_a_paper_is_reproduced_from_its_seed(prepared, committee):
    papers = actions.generate_papers(prepared, by=committee)
    for paper in papers:
        stored = [(i.position, i.part, i.version_id, i.option_order) for i in _items(paper)]
        again = [(d.position, d.part, d.version_id, d.option_order) for d in queries.redraw(paper)]
        assert stored == again
    assert len({p.seed for p in papers}) == len(papers)


def test_the_draw_is_a_function_of_the_seed():
    pool = [
        queries.PoolQuestion(n, 1, 2, "single", 100 + n, Decimal(1), ("A", "B", "C", "D"))
        for n in range(1, 21)
    ]
    lines = [queries.LineSpec(Part.WRITTEN, 1, 2, 8)]
    assert queries.draw(lines, pool, 42) == queries.draw(lines, list(reversed(pool)), 42)
    assert queries.draw(lines, pool, 42) != queries.draw(lines, pool, 43)


def test_sittings_get_the_variants_round_robin(prepared, committee):
    actions.generate_papers(prepared, by=committee)
    per_paper = sorted(
        prepared.sittings.values_list("paper__number", flat=True).order_by("paper__number")
    )
    assert per_paper == [1, 1, 2, 2, 3, 4]


def test_a_candidate_registered_after_the_papers_gets_the_least_used_variant(
    tree, prepared, committee
):
    actions.generate_papers(prepared, by=committee)
    late = make_candidate(branch=tree["clinic"])
    [result] = actions.register_candidates(prepared, candidates=[late], by=committee)
    assert result.sitting is not None and result.sitting.paper is not None
    assert result.sitting.paper.number == 3


def test_papers_are_drawn_again_while_no_sitting_has_started(prepared, committee):
    first = {p.pk for p in actions.generate_papers(prepared, by=committee)}
    second = {p.pk for p in actions.generate_papers(prepared, by=committee)}
    assert not first & second
    assert Paper.objects.filter(round=prepared).count() == 4
    assert not prepared.sittings.filter(paper__isnull=True).exists()
    Sitting.objects.filter(round=prepared).filter(pk=prepared.sittings.order_by("pk")[0].pk).update(
        status=SittingStatus.IN_PROGRESS
    )
    with pytest.raises(StageNotAllowed, match="Đã có thí sinh bắt đầu làm bài"):
        actions.generate_papers(prepared, by=committee)


def test_papers_need_the_board_and_the_blueprint(tree, committee, board):
    bare = new_round(tree["commune"], committee)
    with pytest.raises(StageNotAllowed, match="Chưa lập hội đồng kiểm tra"):
        actions.generate_papers(bare, by=committee)
    actions.set_board(bare, members=board[:2], chair=board[0], by=committee)
    with pytest.raises(StageNotAllowed, match="Chưa có ma trận đề"):
        actions.generate_papers(bare, by=committee)


def test_a_bank_that_shrank_after_the_blueprint_refuses_the_papers(prepared, committee):
    question = QuestionVersion.objects.filter(
        question__topic__code="dieu-le-dang", question__org_path=prepared.org_path
    ).first()
    assert question is not None
    question.question.active = False
    question.question.save(update_fields=["active"])
    with pytest.raises(NotEligible, match="chỉ có 4 câu dùng được, ma trận cần 5"):
        actions.generate_papers(prepared, by=committee)


def test_discarding_the_papers_returns_the_round_to_draft(prepared, committee):
    actions.generate_papers(prepared, by=committee)
    actions.discard_papers(prepared, by=committee)
    prepared.refresh_from_db()
    assert prepared.status == RoundStatus.DRAFT and not prepared.papers.exists()


def _generation_queries(tree, committee, board, variants: int) -> int:
    exam_round = ready_round(
        tree["commune"], committee, board=board[:2], written=5, oral=2, variants=variants
    )
    candidates = [make_candidate(branch=tree["village"]) for _ in range(variants * 2)]
    actions.register_candidates(exam_round, candidates=candidates, by=committee)
    with CaptureQueriesContext(connection) as captured:
        actions.generate_papers(exam_round, by=committee)
    return len(captured.captured_queries)


def test_generating_papers_takes_a_few_queries_whatever_the_number_of_variants(
    tree, committee, board
):
    few = _generation_queries(tree, committee, board, 2)
    many = _generation_queries(tree, committee, board, 12)
    assert few == many
    assert many <= 25


# ---- one-time codes ----------------------------------------------------------------------

CODE = re.compile(r"^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}$")


def test_codes_are_issued_to_online_sittings_and_stored_only_as_digests(tree, prepared, committee):
    paper_sitter = make_candidate(branch=tree["clinic"])
    actions.register_candidates(
        prepared, candidates=[paper_sitter], mode=SittingMode.PAPER, by=committee
    )
    actions.generate_papers(prepared, by=committee)
    codes = actions.issue_codes(prepared, by=committee)
    online = prepared.sittings.filter(mode=SittingMode.ONLINE)
    assert set(codes) == set(online.values_list("pk", flat=True))
    assert all(CODE.match(code) for code in codes.values())
    assert len(set(codes.values())) == len(codes)
    for sitting in prepared.sittings.all():
        if sitting.mode == SittingMode.PAPER:
            assert sitting.code_digest == ""
            continue
        raw = codes[sitting.pk]
        assert sitting.code_digest == queries.code_digest(raw)
        assert len(sitting.code_digest) == 64 and raw.replace("-", "") not in sitting.code_digest
    stored = " ".join(str(v) for row in Sitting.objects.values_list() for v in row if v is not None)
    assert not any(code.replace("-", "") in stored or code in stored for code in codes.values())


def test_a_code_is_recognised_however_it_is_typed():
    assert queries.code_digest("k7qm 2xpa") == queries.code_digest("K7QM-2XPA")
    assert queries.code_digest(" K7QM–2XPA ") == queries.code_digest("K7QM2XPA")


def test_reissuing_one_code_replaces_only_that_one(prepared, committee):
    actions.generate_papers(prepared, by=committee)
    first = actions.issue_codes(prepared, by=committee)
    target = prepared.sittings.order_by("pk")[0]
    again = actions.issue_codes(prepared, sitting=target, by=committee)
    assert list(again) == [target.pk] and again[target.pk] != first[target.pk]
    digests = dict(prepared.sittings.values_list("pk", "code_digest"))
    assert digests[target.pk] == queries.code_digest(again[target.pk])
    assert digests[target.pk] != queries.code_digest(first[target.pk])
    for pk, raw in first.items():
        if pk != target.pk:
            assert digests[pk] == queries.code_digest(raw)


def test_codes_wait_for_the_papers(prepared, committee):
    with pytest.raises(StageNotAllowed, match="Chỉ cấp mã dự thi sau khi tạo đề"):
        actions.issue_codes(prepared, by=committee)
