"""The member's self-assessment and the chi bộ's review sheet (366-QĐ/TW; 124-QĐ/TW Art.
12 [C]): who may write, who is rated, the rating limits, the chi bộ's quota, all or
nothing."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from dangvien.accounts.models import Role, User
from dangvien.core.errors import NotAllowed, NotEligible, StageNotAllowed
from dangvien.factories import make_member, user_with_role
from dangvien.members.models import Member, Status
from dangvien.organisations.models import Organisation
from dangvien.reviews.actions import (
    BulkRefused,
    SheetRow,
    record_discipline,
    record_self_assessment,
    save_branch_sheet,
)
from dangvien.reviews.models import MemberReview, Rating, ReviewPeriod, Stage
from dangvien.reviews.tests.factories import make_period, make_review

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 20)
HELD = date(2026, 12, 10)
EXEMPTED = (
    "Đảng viên được miễn công tác và sinh hoạt đảng không xếp loại chất lượng (366-QĐ/TW [U])"
)


def assess(period: ReviewPeriod, member: Member, by: User, **kw: Any) -> MemberReview:
    fields: dict[str, Any] = {
        "self_score": Decimal("80"),
        "self_rating": Rating.GOOD,
        "assessed_on": HELD,
    }
    fields.update(kw)
    return record_self_assessment(period, member, by=by, **fields)


def row(member: Member, rating: str = Rating.GOOD, score: str = "80", **kw: Any) -> SheetRow:
    fields: dict[str, Any] = {
        "member_id": member.pk,
        "self_score": Decimal(score),
        "self_rating": rating,
        "branch_score": Decimal(score),
        "proposed_rating": rating,
    }
    if rating == Rating.EXCELLENT:
        fields["beyond_percent"] = 40
    fields.update(kw)
    return SheetRow(**fields)


def save(period: ReviewPeriod, branch: Organisation, by: User, rows: list[SheetRow]) -> Any:
    return save_branch_sheet(
        period, branch, by=by, held_on=HELD, resolution_no="12-NQ/CB", rows=rows
    )


# ---- self-assessment ------------------------------------------------------------------


def test_a_self_assessment_creates_the_review_and_can_be_corrected(
    tree: dict[str, Organisation], period: ReviewPeriod, secretary: User
) -> None:
    member = make_member(branch=tree["village"])
    review = assess(period, member, secretary, self_scores={"Chính trị tư tưởng": "18.5"})
    assert (review.stage, review.self_rating, review.self_score) == (
        Stage.SELF_ASSESSED,
        Rating.GOOD,
        Decimal("80.0"),
    )
    assert review.branch == tree["village"] and review.org_path == tree["village"].path
    assert review.self_scores == {"Chính trị tư tưởng": 18.5}
    again = assess(period, member, secretary, self_score=Decimal("72.5"))
    assert again.pk == review.pk and again.self_score == Decimal("72.5")


def test_a_self_rating_above_what_the_score_allows_is_refused(
    tree: dict[str, Organisation], period: ReviewPeriod, secretary: User
) -> None:
    member = make_member(branch=tree["village"])
    with pytest.raises(NotEligible, match="điểm 85 dưới 90") as error:
        assess(period, member, secretary, self_score=Decimal("85"), self_rating=Rating.EXCELLENT)
    assert error.value.field == "self_rating"
    assert not MemberReview.objects.exists()


@pytest.mark.parametrize(
    ("score", "message"),
    [("100.1", "phải từ 0 đến 100"), ("-1", "phải từ 0 đến 100"), ("80.25", "một chữ số")],
)
def test_a_score_outside_0_to_100_with_one_decimal_is_refused(
    tree: dict[str, Organisation],
    period: ReviewPeriod,
    secretary: User,
    score: str,
    message: str,
) -> None:
    member = make_member(branch=tree["village"])
    with pytest.raises(NotEligible, match=message) as error:
        assess(period, member, secretary, self_score=Decimal(score), self_rating=Rating.FAILED)
    assert error.value.field == "self_score"


def test_an_exempted_member_is_not_rated(
    tree: dict[str, Organisation], period: ReviewPeriod, secretary: User
) -> None:
    member = make_member(branch=tree["village"], exempted_since=date(2026, 3, 1))
    with pytest.raises(NotEligible) as error:
        assess(period, member, secretary)
    assert str(error.value) == EXEMPTED


def test_an_exemption_starting_after_the_sheet_day_does_not_count(
    tree: dict[str, Organisation], period: ReviewPeriod, secretary: User
) -> None:
    member = make_member(branch=tree["village"], exempted_since=date(2026, 12, 15))
    assert assess(period, member, secretary).pk


def test_a_probationary_member_is_rated_and_a_removed_one_is_not(
    tree: dict[str, Organisation], period: ReviewPeriod, secretary: User
) -> None:
    probationary = make_member(branch=tree["village"], status=Status.PROBATIONARY)
    assert assess(period, probationary, secretary).pk
    removed = make_member(branch=tree["village"], status=Status.REMOVED)
    with pytest.raises(NotEligible, match="không còn sinh hoạt đảng"):
        assess(period, removed, secretary)


def test_a_member_outside_the_period_or_the_users_branch_is_refused(
    tree: dict[str, Organisation], secretary: User
) -> None:
    period = make_period(tree["other_commune"], 2026)
    member = make_member(branch=tree["village"])
    with pytest.raises(NotEligible, match="không thuộc phạm vi kỳ"):
        assess(period, member, secretary)
    other = make_member(branch=tree["school_branch"])
    with pytest.raises(NotAllowed):
        assess(make_period(tree["province"], 2026), other, secretary)


def test_the_self_assessment_is_closed_once_the_chi_bo_reviewed_it(
    tree: dict[str, Organisation], period: ReviewPeriod, secretary: User
) -> None:
    member = make_member(branch=tree["village"])
    make_review(period, member, stage=Stage.BRANCH_PROPOSED)
    with pytest.raises(StageNotAllowed, match="không sửa bản tự đánh giá"):
        assess(period, member, secretary)


def test_a_closed_period_takes_no_assessment(
    tree: dict[str, Organisation], secretary: User
) -> None:
    period = make_period(tree["province"], 2026, closed_on=date(2026, 12, 15))
    with pytest.raises(StageNotAllowed, match="đã kết thúc ngày 15/12/2026"):
        assess(period, make_member(branch=tree["village"]), secretary)


# ---- the chi bộ's sheet -----------------------------------------------------------------


def test_the_sheet_proposes_ratings_for_the_whole_branch(
    tree: dict[str, Organisation], period: ReviewPeriod, secretary: User
) -> None:
    assessed, fresh, skipped = (make_member(branch=tree["village"]) for _ in range(3))
    assess(period, assessed, secretary, self_score=Decimal("78"))
    results = save(
        period,
        tree["village"],
        secretary,
        [
            row(assessed, Rating.GOOD, "82", self_score=Decimal("99")),
            row(fresh, Rating.COMPLETE, "65", on_time_percent=90, branch_comment="Còn chậm"),
            SheetRow(skipped.pk, None, "", None, ""),
        ],
    )
    # One result per row, in the order given; the empty row is skipped.
    assert [(r.member_id, r.ok) for r in results] == [
        (assessed.pk, True),
        (fresh.pk, True),
        (skipped.pk, True),
    ]
    assert results[0].message == "Đã lưu: chi bộ đề xuất “Hoàn thành tốt nhiệm vụ”."
    assert results[2].message == "Dòng trống: bỏ qua."
    assert [r.skipped for r in results] == [False, False, True]
    first = MemberReview.objects.get(member=assessed)
    # The member's own self-assessment stays; the chi bộ's part is the sheet's.
    assert (first.self_score, first.branch_score, first.proposed_rating) == (
        Decimal("78.0"),
        Decimal("82.0"),
        Rating.GOOD,
    )
    assert (first.stage, first.branch_reviewed_on, first.branch_resolution_no) == (
        Stage.BRANCH_PROPOSED,
        HELD,
        "12-NQ/CB",
    )
    second = MemberReview.objects.get(member=fresh)
    assert (second.self_score, second.self_rating, second.self_assessed_on) == (
        Decimal("65.0"),
        Rating.COMPLETE,
        HELD,
    )
    assert (second.on_time_percent, second.branch_comment) == (90, "Còn chậm")
    assert not MemberReview.objects.filter(member=skipped).exists()


def test_one_bad_row_saves_nothing_and_says_which_row_and_why(
    tree: dict[str, Organisation], period: ReviewPeriod, secretary: User
) -> None:
    good, bad = make_member(branch=tree["village"]), make_member(branch=tree["village"])
    with pytest.raises(BulkRefused) as error:
        save(
            period,
            tree["village"],
            secretary,
            [row(good), row(bad, Rating.EXCELLENT, "85", self_rating=Rating.GOOD)],
        )
    results = error.value.results
    assert [(r.member_id, r.ok) for r in results] == [(good.pk, True), (bad.pk, False)]
    assert results[1].field == "proposed_rating"
    assert "điểm 85 dưới 90" in results[1].message
    assert results[1].name == str(bad.person)
    assert "chưa lưu" in results[0].message
    assert str(error.value).startswith("Không lưu gì: 1/2 dòng có lỗi.")
    assert not MemberReview.objects.exists()


def test_the_sheet_refuses_members_not_rated_there(
    tree: dict[str, Organisation], period: ReviewPeriod, secretary: User
) -> None:
    elsewhere = make_member(branch=tree["school_branch"])
    exempted = make_member(branch=tree["village"], exempted_since=date(2025, 1, 1))
    removed = make_member(branch=tree["village"], status=Status.REMOVED)
    decided = make_member(branch=tree["village"])
    make_review(period, decided, stage=Stage.DECIDED)
    fine = make_member(branch=tree["village"])
    with pytest.raises(BulkRefused) as error:
        save(
            period,
            tree["village"],
            secretary,
            [row(elsewhere), row(exempted), row(removed), row(decided), row(fine), row(fine)],
        )
    messages = [r.message for r in error.value.results]
    assert messages[0] == "Không tìm thấy đảng viên trong Chi bộ thôn Đông."
    assert error.value.results[0].name == ""
    assert messages[1] == EXEMPTED + "."
    assert "không còn sinh hoạt đảng" in messages[2]
    assert "Cấp ủy đã quyết định xếp loại" in messages[3]
    assert error.value.results[4].ok
    assert messages[5] == "Đảng viên có hai dòng trong phiếu."
    assert MemberReview.objects.count() == 1


def test_a_row_without_the_self_part_is_refused_when_the_member_did_not_self_assess(
    tree: dict[str, Organisation], period: ReviewPeriod, secretary: User
) -> None:
    member = make_member(branch=tree["village"])
    with pytest.raises(BulkRefused) as error:
        save(period, tree["village"], secretary, [row(member, self_score=None)])
    assert (error.value.results[0].field, error.value.results[0].message) == (
        "self_score",
        "Cần ghi điểm tự chấm.",
    )


def test_a_disciplined_member_cannot_be_proposed_above_the_cap(
    tree: dict[str, Organisation], period: ReviewPeriod, secretary: User
) -> None:
    member = make_member(branch=tree["village"])
    record_discipline(
        member,
        by=secretary,
        penalty="reprimand",
        decided_on=date(2026, 5, 4),
        decision_no="07-QĐ/ĐU",
        body="Đảng ủy xã An Bình",
        reason="Vi phạm quy định sinh hoạt",
    )
    with pytest.raises(BulkRefused) as error:
        save(period, tree["village"], secretary, [row(member, self_rating=Rating.FAILED)])
    assert "bị kỷ luật trong kỳ" in error.value.results[0].message
    save(period, tree["village"], secretary, [row(member, Rating.FAILED, "80")])
    assert MemberReview.objects.get(member=member).proposed_rating == Rating.FAILED


def test_degradation_fails_the_proposal(
    tree: dict[str, Organisation], period: ReviewPeriod, secretary: User
) -> None:
    member = make_member(branch=tree["village"])
    with pytest.raises(BulkRefused) as error:
        save(period, tree["village"], secretary, [row(member, degraded=True)])
    assert "suy thoái" in error.value.results[0].message


def branch_of(tree: dict[str, Organisation], n: int) -> list[Member]:
    return [make_member(branch=tree["village"]) for _ in range(n)]


def test_two_excellent_among_ten_good_or_better_is_within_the_branch_quota(
    tree: dict[str, Organisation], period: ReviewPeriod, secretary: User
) -> None:
    members = branch_of(tree, 10)
    rows = [row(m, Rating.EXCELLENT, "95") for m in members[:2]]
    rows += [row(m) for m in members[2:]]
    assert all(r.ok for r in save(period, tree["village"], secretary, rows))
    assert MemberReview.objects.filter(proposed_rating=Rating.EXCELLENT).count() == 2


def test_three_excellent_among_ten_good_or_better_is_over_the_branch_quota(
    tree: dict[str, Organisation], period: ReviewPeriod, secretary: User
) -> None:
    members = branch_of(tree, 10)
    rows = [row(m, Rating.EXCELLENT, "95") for m in members[:3]]
    rows += [row(m) for m in members[3:]]
    with pytest.raises(BulkRefused) as error:
        save(period, tree["village"], secretary, rows)
    quota = (
        "Chi bộ thôn Đông đề xuất 3 đảng viên hoàn thành xuất sắc trên 10 đảng viên hoàn "
        "thành tốt trở lên: vượt tỷ lệ 20% (tối đa 2)."
    )
    results = error.value.results
    assert [r.message for r in results[:3]] == [quota] * 3
    assert all(not r.ok for r in results[:3]) and all(r.ok for r in results[3:])
    assert not MemberReview.objects.exists()


def test_the_branch_quota_counts_the_ratings_already_proposed_or_decided(
    tree: dict[str, Organisation], period: ReviewPeriod, secretary: User
) -> None:
    members = branch_of(tree, 10)
    for m in members[:2]:
        make_review(period, m, Rating.EXCELLENT, Stage.DECIDED, "95", beyond_percent=40)
    for m in members[2:9]:
        make_review(period, m, Rating.GOOD, Stage.BRANCH_PROPOSED)
    with pytest.raises(BulkRefused, match="đề xuất 3 đảng viên hoàn thành xuất sắc trên 10"):
        save(period, tree["village"], secretary, [row(members[9], Rating.EXCELLENT, "95")])
    save(period, tree["village"], secretary, [row(members[9], Rating.GOOD, "95")])


def test_the_sheet_needs_branch_moves_at_the_branch(
    tree: dict[str, Organisation], period: ReviewPeriod
) -> None:
    member = make_member(branch=tree["village"])
    for user in (
        user_with_role(Role.BRANCH_SECRETARY, tree["other_branch"]),
        user_with_role(Role.BOARD_STAFF, tree["province"]),
        user_with_role(Role.LEADER, tree["commune"]),
    ):
        with pytest.raises(NotAllowed):
            save(period, tree["village"], user, [row(member)])
    staff = user_with_role(Role.GRASSROOTS_STAFF, tree["commune"])
    assert save(period, tree["village"], staff, [row(member)])[0].ok


def test_a_sheet_with_only_empty_rows_is_refused(
    tree: dict[str, Organisation], period: ReviewPeriod, secretary: User
) -> None:
    member = make_member(branch=tree["village"])
    with pytest.raises(NotEligible, match="chưa có dòng nào") as error:
        save(period, tree["village"], secretary, [SheetRow(member.pk, None, "", None, "")])
    assert error.value.field == "rows"


def test_the_sheet_meeting_cannot_be_in_the_future_or_before_the_period(
    tree: dict[str, Organisation], period: ReviewPeriod, secretary: User
) -> None:
    member = make_member(branch=tree["village"])
    for held_on, message in (
        (date(2026, 12, 21), "sau ngày hôm nay"),
        (date(2025, 12, 1), "trước ngày bắt đầu"),
    ):
        with pytest.raises(NotEligible, match=message) as error:
            save_branch_sheet(
                period,
                tree["village"],
                by=secretary,
                held_on=held_on,
                resolution_no="",
                rows=[row(member)],
            )
        assert error.value.field == "held_on"


# ---- who may be named on a sheet ------------------------------------------------------------


def test_a_row_naming_someone_outside_the_chi_bo_is_refused_without_their_name(
    tree: dict[str, Organisation], period: ReviewPeriod, secretary: User
) -> None:
    stranger = make_member(branch=tree["other_branch"])  # another commune
    neighbour = make_member(branch=tree["school_branch"])  # same period, other chi bộ
    fine = make_member(branch=tree["village"])
    with pytest.raises(BulkRefused) as error:
        save(
            period,
            tree["village"],
            secretary,
            [row(fine), row(neighbour), SheetRow(stranger.pk, None, "", None, "")],
        )
    results = error.value.results
    assert [(r.member_id, r.ok, r.name) for r in results] == [
        (fine.pk, True, str(fine.person)),
        (neighbour.pk, False, ""),
        (stranger.pk, False, ""),
    ]
    assert [r.message for r in results[1:]] == [
        "Không tìm thấy đảng viên trong Chi bộ thôn Đông."
    ] * 2
    assert results[2].field == "member_id"
    for person in (stranger.person, neighbour.person):
        assert str(person) not in str(error.value)
        assert all(str(person) not in r.message for r in results)
    assert not MemberReview.objects.exists()


def spy_locks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The models locked with ``select_for_update``, in order."""
    from django.db.models.query import QuerySet

    locked: list[str] = []
    original = QuerySet.select_for_update

    def spy(self: QuerySet, *args: Any, **kwargs: Any) -> QuerySet:
        locked.append(self.model.__name__)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", spy)
    return locked


def test_the_sheet_locks_the_chi_bo_first_so_two_sheets_of_it_queue(
    tree: dict[str, Organisation],
    period: ReviewPeriod,
    secretary: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    member = make_member(branch=tree["village"])
    locked = spy_locks(monkeypatch)
    save(period, tree["village"], secretary, [row(member)])
    assert locked[:2] == ["Organisation", "Member"]


def test_a_date_of_year_one_is_written_with_four_digits(
    tree: dict[str, Organisation], period: ReviewPeriod, secretary: User
) -> None:
    member = make_member(branch=tree["village"])
    with pytest.raises(NotEligible) as error:
        save_branch_sheet(
            period,
            tree["village"],
            by=secretary,
            held_on=date(1, 1, 1),
            resolution_no="",
            rows=[row(member)],
        )
    assert str(error.value) == (
        "Ngày chi bộ họp (01/01/0001) trước ngày bắt đầu kỳ đánh giá (01/01/2026)."
    )


# ---- the chi bộ's vote on each proposal ----------------------------------------------------


def officials(tree: dict[str, Organisation], n: int) -> list[Member]:
    return [
        make_member(branch=tree["village"], status=Status.OFFICIAL, official_on=date(2020, 1, 1))
        for _ in range(n)
    ]


def test_the_vote_on_a_proposal_is_stored_with_who_counted_on_the_meeting_day(
    tree: dict[str, Organisation], period: ReviewPeriod, secretary: User
) -> None:
    people = officials(tree, 9)
    # Official only after the meeting: does not count yet.
    make_member(branch=tree["village"], status=Status.OFFICIAL, official_on=date(2026, 12, 15))
    results = save(
        period, tree["village"], secretary, [row(people[0], in_favour=5), row(people[1])]
    )
    assert all(r.ok for r in results)
    voted = MemberReview.objects.get(member=people[0])
    assert (voted.branch_in_favour, voted.branch_denominator) == (5, 9)
    silent = MemberReview.objects.get(member=people[1])
    assert (silent.branch_in_favour, silent.branch_denominator) == (None, None)
    # Saved again without a vote: the old counts go.
    save(period, tree["village"], secretary, [row(people[0])])
    voted.refresh_from_db()
    assert (voted.branch_in_favour, voted.branch_denominator) == (None, None)


def test_a_proposal_without_more_than_half_in_favour_is_refused(
    tree: dict[str, Organisation], period: ReviewPeriod, secretary: User
) -> None:
    people = officials(tree, 10)
    with pytest.raises(BulkRefused) as error:
        save(
            period,
            tree["village"],
            secretary,
            [row(people[0], in_favour=5), row(people[1], in_favour=6)],
        )
    bad, fine = error.value.results
    assert (bad.ok, bad.field, bad.message) == (
        False,
        "in_favour",
        "Chi bộ biểu quyết 5/10 tán thành mức đề xuất: chưa đạt trên 1/2 (366-QĐ/TW [U]).",
    )
    assert fine.ok
    assert not MemberReview.objects.exists()


def test_vote_counts_below_zero_or_above_who_counts_are_refused(
    tree: dict[str, Organisation], period: ReviewPeriod, secretary: User
) -> None:
    people = officials(tree, 3)
    with pytest.raises(BulkRefused) as error:
        save(
            period,
            tree["village"],
            secretary,
            [
                row(people[0], in_favour=-1),
                row(people[1], in_favour=4),
                row(people[2], in_favour=3),
            ],
        )
    messages = [r.message for r in error.value.results]
    assert messages[0] == "Số phiếu không thể âm."
    assert messages[1] == ("Số tán thành (4) vượt quá số đảng viên được tính tỷ lệ biểu quyết (3).")
    assert error.value.results[2].ok


def test_the_vote_is_refused_when_nobody_counts(
    tree: dict[str, Organisation], period: ReviewPeriod, secretary: User
) -> None:
    member = make_member(branch=tree["village"], status=Status.PROBATIONARY)
    with pytest.raises(BulkRefused) as error:
        save(period, tree["village"], secretary, [row(member, in_favour=0)])
    assert error.value.results[0].message == "Chi bộ không có ai được tính tỷ lệ biểu quyết."
