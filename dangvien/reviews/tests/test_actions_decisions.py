"""The committee's bulk decision and publication (366-QĐ/TW; 124-QĐ/TW Art. 12 [C]): who
decides, the rating limit, the quota per chi bộ and per committee (132/124-QĐ/TW 20%
[U]), two failed years running (Charter Art. 8), all or nothing, few queries."""

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangvien.accounts.models import Role, User
from dangvien.core.errors import NotAllowed, NotEligible
from dangvien.factories import make_member, org, user_with_role
from dangvien.members.models import Event, Exemption, ExemptionReason, Member, StatusChange
from dangvien.organisations.models import Kind, Organisation
from dangvien.reviews.actions import BulkRefused, DecisionItem, decide_ratings, publish_ratings
from dangvien.reviews.models import MemberReview, PeriodKind, Rating, ReviewPeriod, Stage
from dangvien.reviews.tests.factories import make_period, make_review

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 20)
HELD = date(2026, 12, 10)
DECIDED = date(2026, 12, 18)


def propose(
    period: ReviewPeriod, member: Member, rating: str = Rating.GOOD, score: str = "80", **kw: Any
) -> MemberReview:
    kw.setdefault("branch_reviewed_on", HELD)
    if rating == Rating.EXCELLENT:
        kw.setdefault("beyond_percent", 40)
    return make_review(period, member, rating, Stage.BRANCH_PROPOSED, score, **kw)


def proposals(
    period: ReviewPeriod, branch: Organisation, excellent: int, good: int
) -> list[MemberReview]:
    reviews = [
        propose(period, make_member(branch=branch), Rating.EXCELLENT, "95")
        for _ in range(excellent)
    ]
    return reviews + [propose(period, make_member(branch=branch)) for _ in range(good)]


def decide(
    period: ReviewPeriod, decider: Organisation, by: User, items: list[DecisionItem], **kw: Any
) -> Any:
    fields: dict[str, Any] = {"decision_no": "15-QĐ/ĐU", "decided_on": DECIDED}
    fields.update(kw)
    return decide_ratings(period, decider, by=by, items=items, **fields)


def items_of(reviews: list[MemberReview]) -> list[DecisionItem]:
    return [DecisionItem(r.pk) for r in reviews]


def unchanged(reviews: list[MemberReview]) -> bool:
    rows = MemberReview.objects.filter(pk__in=[r.pk for r in reviews])
    return (
        all(
            r.stage == Stage.BRANCH_PROPOSED and r.decided_rating == "" and r.decider_id is None
            for r in rows
        )
        and not StatusChange.objects.filter(what=Event.REVIEW).exists()
    )


def test_the_committee_confirms_the_proposals_and_each_member_gets_a_timeline_row(
    tree: dict[str, Organisation], period: ReviewPeriod, commune_staff: User
) -> None:
    reviews = proposals(period, tree["village"], 1, 4)
    results = decide(period, tree["commune"], commune_staff, items_of(reviews), note="Họp BTV")
    assert [r.ok for r in results] == [True] * 5
    assert results[0].message == "Quyết định “Hoàn thành xuất sắc nhiệm vụ”."
    assert results[0].member_id == reviews[0].member_id
    first = MemberReview.objects.get(pk=reviews[0].pk)
    assert (first.stage, first.decided_rating, first.decider, first.decision_no) == (
        Stage.DECIDED,
        Rating.EXCELLENT,
        tree["commune"],
        "15-QĐ/ĐU",
    )
    assert (first.decided_on, first.decision_note, first.by) == (DECIDED, "Họp BTV", commune_staff)
    rows = StatusChange.objects.filter(what=Event.REVIEW)
    assert rows.count() == 5
    row = rows.get(member_id=reviews[1].member_id)
    assert row.note == (
        "Kiểm điểm, đánh giá, xếp loại năm 2026: cấp ủy quyết định xếp loại “Hoàn thành tốt "
        "nhiệm vụ” (quyết định số 15-QĐ/ĐU ngày 18/12/2026 của Đảng bộ xã An Bình)"
    )
    assert (row.on, row.by) == (DECIDED, commune_staff)


def test_the_committee_may_rate_lower_or_higher_than_proposed_within_the_score(
    tree: dict[str, Organisation], period: ReviewPeriod, commune_staff: User
) -> None:
    lower = propose(period, make_member(branch=tree["village"]), Rating.GOOD, "80")
    higher = propose(period, make_member(branch=tree["village"]), Rating.COMPLETE, "80")
    decide(
        period,
        tree["commune"],
        commune_staff,
        [DecisionItem(lower.pk, Rating.COMPLETE), DecisionItem(higher.pk, Rating.GOOD)],
    )
    assert MemberReview.objects.get(pk=lower.pk).decided_rating == Rating.COMPLETE
    assert MemberReview.objects.get(pk=higher.pk).decided_rating == Rating.GOOD


def test_one_rating_above_the_score_refuses_the_whole_batch_and_changes_nothing(
    tree: dict[str, Organisation], period: ReviewPeriod, commune_staff: User
) -> None:
    reviews = proposals(period, tree["village"], 0, 6)
    items = items_of(reviews)
    items[3] = DecisionItem(reviews[3].pk, Rating.EXCELLENT)
    with pytest.raises(BulkRefused) as error:
        decide(period, tree["commune"], commune_staff, items)
    results = error.value.results
    assert [r.ok for r in results] == [True, True, True, False, True, True]
    assert results[3].member_id == reviews[3].member_id
    assert results[3].field == "rating"
    assert results[3].message.startswith(
        "Không thể xếp loại “Hoàn thành xuất sắc nhiệm vụ” (điểm 80): điểm 80 dưới 90"
    )
    assert results[0].message == "Không có lỗi; chưa lưu vì có dòng khác bị lỗi."
    assert unchanged(reviews)


def test_reviews_the_committee_may_not_decide_are_refused_one_by_one(
    tree: dict[str, Organisation], period: ReviewPeriod, commune_staff: User
) -> None:
    fine = propose(period, make_member(branch=tree["village"]))
    school = propose(period, make_member(branch=tree["school_branch"]))
    clinic = propose(period, make_member(branch=tree["clinic"]))
    outside = propose(period, make_member(branch=tree["other_branch"]))
    assessed = make_review(period, make_member(branch=tree["village"]), stage=Stage.SELF_ASSESSED)
    decided = make_review(period, make_member(branch=tree["village"]), stage=Stage.DECIDED)
    items = [
        DecisionItem(fine.pk),
        DecisionItem(school.pk),
        DecisionItem(clinic.pk),
        DecisionItem(outside.pk),
        DecisionItem(assessed.pk),
        DecisionItem(decided.pk),
        DecisionItem(fine.pk),
        DecisionItem(999999),
    ]
    with pytest.raises(BulkRefused) as error:
        decide(period, tree["commune"], commune_staff, items)
    messages = [r.message for r in error.value.results]
    assert error.value.results[0].ok
    assert messages[1] == (
        "Xếp loại đảng viên của Chi bộ Tổ Toán không do Đảng bộ xã An Bình quyết định."
    )
    assert messages[2] == (
        "Xếp loại đảng viên của Chi bộ Trạm Y tế không do Đảng bộ xã An Bình quyết định."
    )
    assert messages[3] == f"Không có bản kiểm điểm số {outside.pk} trong kỳ “{period.name}”."
    assert (error.value.results[3].member_id, error.value.results[3].name) == (0, "")
    assert messages[4] == "Chi bộ chưa họp xem xét, đề xuất xếp loại đảng viên này."
    assert messages[5] == "Đã có quyết định xếp loại “Hoàn thành tốt nhiệm vụ”."
    assert messages[6] == "Bản kiểm điểm có hai lần trong danh sách."
    assert messages[7].startswith("Không có bản kiểm điểm số 999999")
    assert MemberReview.objects.get(pk=fine.pk).stage == Stage.BRANCH_PROPOSED


def test_the_grassroots_committee_decides_its_own_branches(
    tree: dict[str, Organisation], period: ReviewPeriod
) -> None:
    review = propose(period, make_member(branch=tree["school_branch"]))
    staff = user_with_role(Role.GRASSROOTS_STAFF, tree["school"])
    assert decide(period, tree["school"], staff, [DecisionItem(review.pk)])[0].ok


def test_a_member_exempted_since_before_the_sheet_is_refused_at_the_decision(
    tree: dict[str, Organisation], period: ReviewPeriod, commune_staff: User
) -> None:
    review = propose(period, make_member(branch=tree["village"]))
    Exemption.objects.create(
        member=review.member, reason=ExemptionReason.OLD_AGE, from_on=date(2026, 11, 1)
    )
    with pytest.raises(BulkRefused) as error:
        decide(period, tree["commune"], commune_staff, [DecisionItem(review.pk)])
    assert error.value.results[0].message.startswith(
        "Đảng viên được miễn công tác và sinh hoạt đảng không xếp loại chất lượng"
    )


def test_a_discipline_in_the_period_caps_the_decision_unless_self_reported_or_counted(
    tree: dict[str, Organisation], period: ReviewPeriod, commune_staff: User
) -> None:
    from dangvien.reviews.models import Discipline

    capped, reported, counted, earlier = (
        propose(period, make_member(branch=tree["village"])) for _ in range(4)
    )
    for review, fields in (
        (capped, {}),
        (reported, {"self_reported": True}),
        (counted, {"already_counted": True}),
        (earlier, {"decided_on": date(2025, 12, 30)}),  # before the period
    ):
        values: dict[str, Any] = {
            "penalty": "warning",
            "decided_on": date(2026, 4, 2),
            "decision_no": "03-QĐ/UBKT",
            "body": "Ủy ban kiểm tra Đảng ủy xã",
            "reason": "Vi phạm",
        }
        values.update(fields)
        Discipline.objects.create(member=review.member, org_path=review.org_path, **values)
    with pytest.raises(BulkRefused) as error:
        decide(
            period, tree["commune"], commune_staff, items_of([capped, reported, counted, earlier])
        )
    assert [r.ok for r in error.value.results] == [False, True, True, True]
    assert "bị kỷ luật trong kỳ" in error.value.results[0].message
    decide(
        period,
        tree["commune"],
        commune_staff,
        [DecisionItem(capped.pk, Rating.FAILED), *items_of([reported, counted, earlier])],
    )


# ---- the quota on "excellent" -------------------------------------------------------------


def test_two_excellent_among_ten_in_a_branch_is_accepted_at_the_decision(
    tree: dict[str, Organisation], period: ReviewPeriod, commune_staff: User
) -> None:
    reviews = proposals(period, tree["village"], 2, 8)
    results = decide(period, tree["commune"], commune_staff, items_of(reviews))
    assert all(r.ok for r in results)
    assert MemberReview.objects.filter(decided_rating=Rating.EXCELLENT).count() == 2


def test_three_excellent_among_ten_in_a_branch_is_refused_at_the_decision(
    tree: dict[str, Organisation], period: ReviewPeriod, commune_staff: User
) -> None:
    reviews = proposals(period, tree["village"], 2, 8)
    reviews[2].beyond_percent = 40
    reviews[2].branch_score = 95
    reviews[2].save()
    items = items_of(reviews)
    items[2] = DecisionItem(reviews[2].pk, Rating.EXCELLENT)
    with pytest.raises(BulkRefused) as error:
        decide(period, tree["commune"], commune_staff, items)
    results = error.value.results
    message = (
        "Chi bộ thôn Đông có 3 đảng viên hoàn thành xuất sắc trên 10 đảng viên hoàn thành "
        "tốt trở lên: vượt tỷ lệ 20% (tối đa 2)."
    )
    assert [r.message for r in results if not r.ok] == [message] * 3
    assert [r.ok for r in results[3:]] == [True] * 7
    assert unchanged(reviews)


def test_the_committee_quota_is_checked_even_when_each_branch_is_within_its_own(
    tree: dict[str, Organisation], period: ReviewPeriod, commune_staff: User
) -> None:
    from dangvien.core.models import RuleParameter

    # The village's own quota is 30%; the commune deciding for it keeps 20%.
    RuleParameter.objects.create(
        key="review.excellent_quota_percent",
        value=30,
        effective_from=date(2026, 1, 1),
        organisation=tree["village"],
        source="thử",
    )
    reviews = proposals(period, tree["village"], 3, 7)
    with pytest.raises(BulkRefused) as error:
        decide(period, tree["commune"], commune_staff, items_of(reviews))
    message = (
        "Đảng bộ xã An Bình có 3 đảng viên hoàn thành xuất sắc trên 10 đảng viên "
        "hoàn thành tốt trở lên: vượt tỷ lệ 20% (tối đa 2)."
    )
    results = error.value.results
    assert [r.message for r in results[:3]] == [message] * 3
    assert all(r.ok for r in results[3:])
    assert unchanged(reviews)


def test_the_committee_quota_does_not_depend_on_the_order_of_the_decisions(
    tree: dict[str, Organisation], period: ReviewPeriod, commune_staff: User
) -> None:
    second = org(Kind.BRANCH, tree["commune"], name="Chi bộ thôn Nam")
    first_reviews = proposals(period, tree["village"], 2, 8)
    second_reviews = proposals(period, second, 2, 8)
    # The excellent ones first: 2 of 10 proposed in the village, 4 of 20 under the commune.
    assert all(
        r.ok for r in decide(period, tree["commune"], commune_staff, items_of(first_reviews[:2]))
    )
    assert all(
        r.ok for r in decide(period, tree["commune"], commune_staff, items_of(second_reviews[:2]))
    )
    rest = first_reviews[2:] + second_reviews[2:]
    assert all(r.ok for r in decide(period, tree["commune"], commune_staff, items_of(rest)))
    assert MemberReview.objects.filter(decided_rating=Rating.EXCELLENT).count() == 4


def test_a_review_outside_the_committee_is_answered_as_unknown_without_a_name(
    tree: dict[str, Organisation], period: ReviewPeriod, commune_staff: User
) -> None:
    mine = propose(period, make_member(branch=tree["village"]))
    far = propose(period, make_member(branch=tree["other_branch"]))
    with pytest.raises(BulkRefused) as error:
        decide(period, tree["commune"], commune_staff, items_of([mine, far]))
    stranger = str(far.member.person)
    assert stranger not in str(error.value)
    far_result = error.value.results[1]
    assert (far_result.member_id, far_result.name, far_result.message) == (
        0,
        "",
        f"Không có bản kiểm điểm số {far.pk} trong kỳ “{period.name}”.",
    )
    assert all(stranger not in r.message for r in error.value.results)


def test_the_decision_locks_the_committee_first_so_two_decisions_of_it_queue(
    tree: dict[str, Organisation],
    period: ReviewPeriod,
    commune_staff: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.db.models.query import QuerySet

    review = propose(period, make_member(branch=tree["village"]))
    locked: list[str] = []
    original = QuerySet.select_for_update

    def spy(self: QuerySet, *args: Any, **kwargs: Any) -> QuerySet:
        locked.append(self.model.__name__)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", spy)
    decide(period, tree["commune"], commune_staff, [DecisionItem(review.pk)])
    assert locked[:2] == ["Organisation", "MemberReview"]


# ---- two failed years running -------------------------------------------------------------


REMOVAL_NOTE = (
    "Không hoàn thành nhiệm vụ 2 năm liền (2025, 2026): chi ủy xem xét xóa tên "
    "(Điều lệ Đảng Điều 8)"
)


def failed_in(year: int, member: Member, tree: dict[str, Organisation], **kw: Any) -> None:
    period = ReviewPeriod.objects.filter(year=year, kind=PeriodKind.YEARLY).first() or make_period(
        tree["province"], year
    )
    kw.setdefault("stage", Stage.DECIDED)
    make_review(period, member, Rating.FAILED, score="40", **kw)


def removal_rows(member: Member) -> list[str]:
    return list(
        StatusChange.objects.filter(
            member=member, what=Event.REVIEW, note__contains="năm liền"
        ).values_list("note", flat=True)
    )


def test_the_second_failed_year_running_writes_the_removal_row(
    tree: dict[str, Organisation], period: ReviewPeriod, commune_staff: User
) -> None:
    member = make_member(branch=tree["village"])
    failed_in(2025, member, tree)
    review = propose(period, member, Rating.FAILED, "40")
    results = decide(period, tree["commune"], commune_staff, [DecisionItem(review.pk)])
    assert removal_rows(member) == [REMOVAL_NOTE]
    assert results[0].message.endswith(REMOVAL_NOTE)


def test_an_earlier_failed_year_decided_late_writes_the_removal_row(
    tree: dict[str, Organisation], commune_staff: User
) -> None:
    member = make_member(branch=tree["village"])
    failed_in(2026, member, tree)  # 2026 decided first
    period_2025 = make_period(tree["province"], 2025)
    review = propose(
        period_2025, member, Rating.FAILED, "40", branch_reviewed_on=date(2025, 12, 10)
    )
    results = decide(period_2025, tree["commune"], commune_staff, [DecisionItem(review.pk)])
    assert removal_rows(member) == [REMOVAL_NOTE]
    assert results[0].message.endswith(REMOVAL_NOTE)


def test_no_removal_row_after_a_gap_or_a_year_not_failed(
    tree: dict[str, Organisation], period: ReviewPeriod, commune_staff: User
) -> None:
    gap, recovered, undecided = (make_member(branch=tree["village"]) for _ in range(3))
    failed_in(2024, gap, tree)  # 2024 failed, no rating in 2025
    failed_in(2024, recovered, tree)
    make_review(make_period(tree["province"], 2025), recovered, Rating.GOOD, Stage.DECIDED)
    failed_in(2024, undecided, tree)
    period_2025 = ReviewPeriod.objects.get(year=2025)
    make_review(period_2025, undecided, Rating.FAILED, Stage.BRANCH_PROPOSED, "40")
    reviews = [propose(period, m, Rating.FAILED, "40") for m in (gap, recovered, undecided)]
    decide(period, tree["commune"], commune_staff, items_of(reviews))
    for member in (gap, recovered, undecided):
        assert removal_rows(member) == []


def test_a_failed_quarter_does_not_count_as_a_year(
    tree: dict[str, Organisation], commune_staff: User
) -> None:
    member = make_member(branch=tree["village"])
    failed_in(2025, member, tree)
    quarter = make_period(
        tree["province"],
        2026,
        kind=PeriodKind.QUARTERLY,
        quarter=3,
        starts_on=date(2026, 7, 1),
        ends_on=date(2026, 9, 30),
    )
    review = propose(quarter, member, Rating.FAILED, "40", branch_reviewed_on=date(2026, 10, 5))
    decide(quarter, tree["commune"], commune_staff, [DecisionItem(review.pk)])
    assert removal_rows(member) == []


def test_three_years_needed_when_the_rule_says_so(
    tree: dict[str, Organisation], period: ReviewPeriod, commune_staff: User
) -> None:
    from dangvien.core.models import RuleParameter

    RuleParameter.objects.create(
        key="review.failed_years_for_removal",
        value=3,
        effective_from=date(2026, 1, 1),
        organisation=tree["commune"],
        source="thử",
    )
    two, three = make_member(branch=tree["village"]), make_member(branch=tree["village"])
    failed_in(2025, two, tree)
    failed_in(2024, three, tree)
    failed_in(2025, three, tree)
    reviews = [propose(period, m, Rating.FAILED, "40") for m in (two, three)]
    decide(period, tree["commune"], commune_staff, items_of(reviews))
    assert removal_rows(two) == []
    assert removal_rows(three) == [
        "Không hoàn thành nhiệm vụ 3 năm liền (2024, 2025, 2026): chi ủy xem xét xóa tên "
        "(Điều lệ Đảng Điều 8)"
    ]


# ---- permission, head, queries ------------------------------------------------------------


def test_deciding_needs_decide_at_the_committee(
    tree: dict[str, Organisation], period: ReviewPeriod
) -> None:
    review = propose(period, make_member(branch=tree["village"]))
    for user in (
        user_with_role(Role.BRANCH_SECRETARY, tree["village"]),
        user_with_role(Role.GRASSROOTS_STAFF, tree["school"]),
        user_with_role(Role.LEADER, tree["province"]),
    ):
        with pytest.raises(NotAllowed):
            decide(period, tree["commune"], user, [DecisionItem(review.pk)])


def test_the_decision_needs_its_number_and_a_date_not_in_the_future(
    tree: dict[str, Organisation], period: ReviewPeriod, commune_staff: User
) -> None:
    review = propose(period, make_member(branch=tree["village"]))
    with pytest.raises(NotEligible, match="Cần ghi số quyết định") as error:
        decide(period, tree["commune"], commune_staff, [DecisionItem(review.pk)], decision_no=" ")
    assert error.value.field == "decision_no"
    with pytest.raises(NotEligible, match="sau ngày hôm nay"):
        decide(
            period,
            tree["commune"],
            commune_staff,
            [DecisionItem(review.pk)],
            decided_on=date(2026, 12, 21),
        )
    with pytest.raises(BulkRefused) as bulk:
        decide(
            period,
            tree["commune"],
            commune_staff,
            [DecisionItem(review.pk)],
            decided_on=date(2026, 12, 9),
        )
    assert bulk.value.results[0].message == "Ngày quyết định trước ngày chi bộ họp (10/12/2026)."
    with pytest.raises(NotEligible, match="Chưa chọn"):
        decide(period, tree["commune"], commune_staff, [])


def test_the_number_of_queries_does_not_grow_with_the_number_of_reviews(
    tree: dict[str, Organisation], period: ReviewPeriod, commune_staff: User
) -> None:
    second = org(Kind.BRANCH, tree["commune"], name="Chi bộ thôn Nam")

    def batch(branch: Organisation, size: int) -> list[DecisionItem]:
        reviews = proposals(period, branch, 0, size - 1)
        member = make_member(branch=branch)
        failed_in(2025, member, tree)
        reviews.append(propose(period, member, Rating.FAILED, "40"))
        return items_of(reviews)

    small = batch(tree["village"], 3)
    large = batch(second, 40) + batch(tree["village"], 20)
    counts = []
    for items in (small, large):
        user = User.objects.get(pk=commune_staff.pk)  # its roles not read yet either time
        with CaptureQueriesContext(connection) as captured:
            decide(period, tree["commune"], user, items)
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 25


# ---- publication ------------------------------------------------------------------------


def test_publishing_moves_the_committees_decided_ratings_to_published(
    tree: dict[str, Organisation], period: ReviewPeriod, commune_staff: User
) -> None:
    reviews = proposals(period, tree["village"], 0, 3)
    decide(period, tree["commune"], commune_staff, items_of(reviews))
    waiting = propose(period, make_member(branch=tree["village"]))
    with pytest.raises(NotEligible, match="trước ngày quyết định"):
        publish_ratings(period, tree["commune"], by=commune_staff, published_on=date(2026, 12, 17))
    assert publish_ratings(period, tree["commune"], by=commune_staff, published_on=TODAY) == 3
    assert set(
        MemberReview.objects.filter(pk__in=[r.pk for r in reviews]).values_list(
            "stage", "published_on"
        )
    ) == {(Stage.PUBLISHED, TODAY)}
    assert MemberReview.objects.get(pk=waiting.pk).stage == Stage.BRANCH_PROPOSED
    with pytest.raises(NotEligible, match="chờ công khai"):
        publish_ratings(period, tree["commune"], by=commune_staff, published_on=TODAY)
    with pytest.raises(NotAllowed):
        publish_ratings(
            period,
            tree["commune"],
            by=user_with_role(Role.BRANCH_SECRETARY, tree["village"]),
            published_on=TODAY,
        )
