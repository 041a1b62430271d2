"""A member's self-assessment and the chi bộ's review sheet (366-QĐ/TW; order of the steps
124-QĐ/TW Art. 12 [C]; DOMAIN.md §4)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from dangvien.core.actions import action
from dangvien.core.errors import NotEligible
from dangvien.core.rules import ratio_met, ratio_text, rule
from dangvien.core.text import checked_text, nfc
from dangvien.members.models import ACTIVE_STATUSES, Member
from dangvien.members.queries import vote_denominator
from dangvien.organisations.models import MEMBER_HOLDING, Organisation
from dangvien.reviews.actions._common import (
    COMMENT_MAX,
    DONE,
    EXEMPTED,
    RowResult,
    allowed,
    checked_score,
    checked_self_comment,
    checked_self_part,
    counts,
    exempted_on,
    exemptions_of,
    in_period,
    not_before_period,
    not_future,
    percent_problem,
    period_open,
    rating_day,
    rating_value_problem,
    refused,
    save_self_assessment,
    score_problem,
    user_of,
)
from dangvien.reviews.models import MemberReview, Rating, ReviewPeriod, Stage
from dangvien.reviews.queries.access import can_fill_sheet
from dangvien.reviews.queries.sheets import disciplined_ids
from dangvien.reviews.rating import label, problem, quota_text, thresholds_for

SKIPPED = "Dòng trống: bỏ qua."
VOTE_SOURCE = "366-QĐ/TW [U]"


def _self_scores(value: dict[str, Any] | None) -> dict[str, Any]:
    """Points per criterion of the 100-point framework, as the member gave them."""
    if not value:
        return {}
    if not isinstance(value, dict):
        raise NotEligible("Điểm theo tiêu chí không hợp lệ.", field="self_scores")
    scores: dict[str, Any] = {}
    for key, points in value.items():
        name = nfc(str(key))
        if not name or len(name) > 200:
            raise NotEligible("Tên tiêu chí không hợp lệ.", field="self_scores")
        checked = checked_score(points, what=f"điểm tiêu chí “{name}”", field="self_scores")
        scores[name] = float(checked)
    return scores


@action
def record_self_assessment(
    period: ReviewPeriod,
    member: Member,
    *,
    by: Any,
    self_score: Decimal,
    self_rating: str,
    assessed_on: date,
    on_time_percent: int = 100,
    beyond_percent: int = 0,
    self_scores: dict[str, Any] | None = None,
    self_comment: str = "",
) -> MemberReview:
    """The member's self-assessment on the 100-point framework (366-QĐ/TW Art. 11 [C]),
    recorded by the chi bộ (``can_fill_sheet``). Creates the review, or updates it while
    the chi bộ has not reviewed it yet.

    The member must be active, in the period's subtree and not exempted on the rating day
    (366-QĐ/TW [U]); the self-rating may not exceed what the score allows (disciplined in
    the period: capped, 16-HD/BTCTW 2018, 124-QĐ/TW [C]).
    """
    allowed(
        by,
        can_fill_sheet,
        member.branch,
        message=f"Bạn không được ghi kiểm điểm cho đảng viên của {member.branch.name}.",
    )
    period_open(period)
    row = Member.objects.select_for_update(of=("self",)).select_related("branch").get(pk=member.pk)
    if row.status not in ACTIVE_STATUSES:
        raise NotEligible(
            f"{member} không còn sinh hoạt đảng: không kiểm điểm, xếp loại.", field="member"
        )
    in_period(period, row.branch, "member")
    not_future(assessed_on, "Ngày tự đánh giá", "assessed_on")
    not_before_period(assessed_on, period, "Ngày tự đánh giá", "assessed_on")
    if exempted_on(
        exemptions_of([row.pk], until=period.ends_on).get(row.pk, []),
        rating_day(period, assessed_on),
    ):
        raise NotEligible(EXEMPTED, field="member")
    score, on_time, beyond = checked_self_part(
        self_score, self_rating, on_time_percent, beyond_percent
    )
    t = thresholds_for([row.branch], on=period.ends_on)[row.branch.pk]
    message = problem(
        self_rating,
        t,
        score=score,
        on_time_percent=on_time,
        beyond_percent=beyond,
        disciplined=bool(disciplined_ids([row.pk], period)),
    )
    if message:
        raise NotEligible(message, field="self_rating")
    scores = _self_scores(self_scores)
    comment = checked_self_comment(self_comment)
    values: dict[str, Any] = {
        "branch": row.branch,
        "org_path": row.org_path,
        "self_scores": scores,
        "self_score": score,
        "self_rating": self_rating,
        "on_time_percent": on_time,
        "beyond_percent": beyond,
        "self_comment": comment,
        "self_assessed_on": assessed_on,
        "by": user_of(by),
    }
    return save_self_assessment(
        MemberReview,
        values,
        locked=lambda review: f"{Stage(review.stage).label}: không sửa bản tự đánh giá được nữa.",
        field="member",
        period=period,
        member=row,
    )


@dataclass
class SheetRow:
    """One member's line of the chi bộ's review sheet. A row with no proposed rating and
    no scores is skipped. The self part (score, rating) is used only when the member did
    not self-assess. ``in_favour``: how many of the chi bộ voted for the proposed rating
    (None: the vote is not recorded)."""

    member_id: int
    self_score: Decimal | None
    self_rating: str
    branch_score: Decimal | None
    proposed_rating: str
    on_time_percent: int = 100
    beyond_percent: int = 0
    degraded: bool = False
    branch_comment: str = ""
    in_favour: int | None = None

    @property
    def empty(self) -> bool:
        return not self.proposed_rating and self.self_score is None and self.branch_score is None


@dataclass
class _Checked:
    member: Member
    row: SheetRow
    review: MemberReview | None
    self_score: Decimal | None
    self_rating: str
    branch_score: Decimal
    on_time: int
    beyond: int
    comment: str
    in_favour: int | None


@dataclass(frozen=True)
class _Vote:
    """The chi bộ's vote on the proposals: who counts on the meeting day and the ratio
    rule in force (``vote.review``)."""

    denominator: int
    ratio: list[Any]


def _vote_problem(in_favour: Any, vote: _Vote | None) -> str:
    """The chi bộ votes on each member's proposed rating (124-QĐ/TW Art. 12 [C]; ratio
    ``vote.review``, more than 1/2 [U]; who counts: ``members.queries.vote_denominator``,
    DOMAIN.md §2). "" when the count is fine and meets the ratio."""
    if in_favour is None:
        return ""
    assert vote is not None
    if isinstance(in_favour, bool) or not isinstance(in_favour, int):
        return "Số tán thành phải là một số nguyên."
    if in_favour < 0:
        return "Số phiếu không thể âm."
    if vote.denominator <= 0:
        return "Chi bộ không có ai được tính tỷ lệ biểu quyết."
    if in_favour > vote.denominator:
        return (
            f"Số tán thành ({in_favour}) vượt quá số đảng viên được tính tỷ lệ biểu quyết "
            f"({vote.denominator})."
        )
    if not ratio_met(in_favour, vote.denominator, vote.ratio):
        return (
            f"Chi bộ biểu quyết {in_favour}/{vote.denominator} tán thành mức đề xuất: chưa "
            f"đạt {ratio_text(vote.ratio)} ({VOTE_SOURCE})."
        )
    return ""


def _row_problem(
    row: SheetRow,
    *,
    member: Member | None,
    branch: Organisation,
    review: MemberReview | None,
    exempted: bool,
    disciplined: bool,
    t: Any,
    vote: _Vote | None,
    seen: set[int],
) -> tuple[str, str, _Checked | None]:
    """(message, field, checked values) for one sheet row; "" when it is fine. ``member``
    is None for anyone not in ``branch``."""
    if row.member_id in seen:
        return "Đảng viên có hai dòng trong phiếu.", "member_id", None
    seen.add(row.member_id)
    if member is None or member.branch_id != branch.pk:
        return not_found(branch), "member_id", None
    if member.status not in ACTIVE_STATUSES:
        return "Đảng viên không còn sinh hoạt đảng: không kiểm điểm, xếp loại.", "member_id", None
    if exempted:
        return EXEMPTED + ".", "member_id", None
    if review is not None and review.stage in DONE:
        return (
            f"Cấp ủy đã quyết định xếp loại “{label(review.decided_rating)}”: không sửa được.",
            "proposed_rating",
            None,
        )
    on_time, message = percent_problem(row.on_time_percent, "tỷ lệ nhiệm vụ đúng tiến độ")
    if message:
        return message, "on_time_percent", None
    beyond, message = percent_problem(row.beyond_percent, "tỷ lệ nhiệm vụ vượt yêu cầu")
    if message:
        return message, "beyond_percent", None
    assert on_time is not None and beyond is not None
    self_score: Decimal | None = None
    self_rating = ""
    if review is None:  # the member did not self-assess: the sheet carries the self part
        self_score, message = score_problem(row.self_score, "điểm tự chấm")
        if message:
            return message, "self_score", None
        message = rating_value_problem(row.self_rating, "mức tự xếp loại")
        if message:
            return message, "self_rating", None
        assert self_score is not None
        self_rating = row.self_rating
        message = problem(
            self_rating,
            t,
            score=self_score,
            on_time_percent=on_time,
            beyond_percent=beyond,
            disciplined=disciplined,
        )
        if message:
            return message, "self_rating", None
    branch_score, message = score_problem(row.branch_score, "điểm chi bộ chấm")
    if message:
        return message, "branch_score", None
    assert branch_score is not None
    message = rating_value_problem(row.proposed_rating, "mức chi bộ đề xuất")
    if message:
        return message, "proposed_rating", None
    message = problem(
        row.proposed_rating,
        t,
        score=branch_score,
        on_time_percent=on_time,
        beyond_percent=beyond,
        disciplined=disciplined,
        degraded=bool(row.degraded),
    )
    if message:
        return message, "proposed_rating", None
    message = _vote_problem(row.in_favour, vote)
    if message:
        return message, "in_favour", None
    comment = nfc(row.branch_comment or "")
    if len(comment) > COMMENT_MAX:
        return f"Nhận xét quá dài (tối đa {COMMENT_MAX} ký tự).", "branch_comment", None
    checked = _Checked(
        member,
        row,
        review,
        self_score,
        self_rating,
        branch_score,
        on_time,
        beyond,
        comment,
        row.in_favour,
    )
    return "", "", checked


def not_found(branch: Organisation) -> str:
    """The refusal of a sheet row naming someone who is not a member of ``branch``: it
    says nothing about who they are."""
    return f"Không tìm thấy đảng viên trong {branch.name}."


@action
def save_branch_sheet(
    period: ReviewPeriod,
    branch: Organisation,
    *,
    by: Any,
    held_on: date,
    resolution_no: str,
    rows: list[SheetRow],
) -> list[RowResult]:
    """The chi bộ's review of many members at once: score, proposed rating, comments
    (366-QĐ/TW; 124-QĐ/TW Art. 12 [C]). Each review moves to ``branch_proposed`` (created,
    with the self part from the row, when the member did not self-assess).

    Each row is checked: an active member of this chi bộ, not exempted (366-QĐ/TW [U]),
    not decided yet, scores 0–100 with one decimal, ratings within what the scores allow
    (366-QĐ/TW Art. 11 [C]; the discipline cap, 16-HD/BTCTW 2018, 124-QĐ/TW [C]); when
    the row gives ``in_favour``, the chi bộ's vote on the proposal counted against
    ``vote_denominator`` on the meeting day and meeting ``vote.review`` (more than 1/2,
    366-QĐ/TW [U]). Then the chi bộ's quota on "excellent" among its ratings in the period
    (132/124-QĐ/TW [U]). All or nothing: any problem raises ``BulkRefused`` with a result
    per row. Only the chi bộ's own members are read: a row naming anyone else is refused
    without their name.
    """
    allowed(
        by,
        can_fill_sheet,
        branch,
        message=f"Bạn không được ghi phiếu kiểm điểm của {branch.name}.",
    )
    period_open(period)
    if branch.kind not in MEMBER_HOLDING:
        raise NotEligible(f"{branch.name} không phải là chi bộ.", field="branch")
    in_period(period, branch, "branch")
    not_future(held_on, "Ngày chi bộ họp", "held_on")
    not_before_period(held_on, period, "Ngày chi bộ họp", "held_on")
    resolution_no = checked_text(
        resolution_no,
        what="số nghị quyết, biên bản",
        field="resolution_no",
        max_length=50,
        required=False,
    )
    if not any(not row.empty for row in rows):
        raise NotEligible("Phiếu chưa có dòng nào được chấm điểm, đề xuất.", field="rows")
    ids = [row.member_id for row in rows if not row.empty]
    # The chi bộ's row first: two sheets of the same chi bộ (whatever their members) queue
    # one behind the other, so each sees the other's ratings in the quota.
    Organisation.objects.select_for_update(of=("self",)).filter(pk=branch.pk).first()
    # Locking the members queues this sheet behind a self-assessment or another sheet for
    # the same members (and the other way round). Only the chi bộ's own members.
    members = (
        Member.objects.select_for_update(of=("self",))
        .select_related("person")
        .filter(branch=branch)
        .in_bulk([row.member_id for row in rows])
    )
    reviews = {
        r.member_id: r
        for r in MemberReview.objects.select_for_update(of=("self",)).filter(
            period=period, member_id__in=ids
        )
    }
    day = rating_day(period, held_on)
    spans = exemptions_of(ids, until=day)
    disciplined = disciplined_ids(ids, period)
    t = thresholds_for([branch], on=period.ends_on)[branch.pk]
    vote: _Vote | None = None
    if any(row.in_favour is not None for row in rows if not row.empty):
        vote = _Vote(
            denominator=vote_denominator(branch, on=held_on),
            ratio=rule("vote.review", on=held_on, organisation=branch),
        )

    # One result per row, in the order given (empty rows: skipped).
    results: list[RowResult] = []
    checked: list[_Checked | None] = []
    seen: set[int] = set()
    for row in rows:
        member = members.get(row.member_id)
        name = str(member.person) if member is not None else ""
        if row.empty:
            if member is None:
                results.append(RowResult(row.member_id, "", False, not_found(branch), "member_id"))
            else:
                results.append(RowResult(row.member_id, name, True, SKIPPED, skipped=True))
            checked.append(None)
            continue
        message, field, ok = _row_problem(
            row,
            member=member,
            branch=branch,
            review=reviews.get(row.member_id),
            exempted=exempted_on(spans.get(row.member_id, []), day),
            disciplined=row.member_id in disciplined,
            t=t,
            vote=vote,
            seen=seen,
        )
        checked.append(ok)
        if ok is None:
            results.append(RowResult(row.member_id, name, False, message, field))
        else:
            results.append(
                RowResult(
                    row.member_id,
                    name,
                    True,
                    f"Chi bộ đề xuất “{label(ok.row.proposed_rating)}”.",
                )
            )
    if any(not r.ok for r in results):
        raise refused(results, what="dòng")

    # The chi bộ's quota among its ratings in the period once these are applied.
    saved = [c for c in checked if c is not None]
    ratings = [c.row.proposed_rating for c in saved]
    others = (
        MemberReview.objects.filter(period=period, branch=branch)
        .exclude(member_id__in=ids)
        .values_list("stage", "proposed_rating", "decided_rating")
    )
    for stage, proposed, decided in others:
        if stage in DONE:
            ratings.append(decided)
        elif stage == Stage.BRANCH_PROPOSED:
            ratings.append(proposed)
    excellent, good_or_better = counts(ratings)
    message = quota_text(excellent, good_or_better, t.excellent_quota_percent, where=branch.name)
    if message:
        results = [
            RowResult(r.member_id, r.name, False, message, "proposed_rating")
            if c is not None and c.row.proposed_rating == Rating.EXCELLENT
            else r
            for r, c in zip(results, checked, strict=True)
        ]
        raise refused(results, what="dòng")

    user = user_of(by)
    new: list[MemberReview] = []
    changed: list[MemberReview] = []
    for c in saved:
        review = c.review
        if review is None:
            assert c.self_score is not None  # checked with the row
            review = MemberReview(
                period=period,
                member=c.member,
                self_score=c.self_score,
                self_rating=c.self_rating,
                self_assessed_on=held_on,
            )
            new.append(review)
        else:
            changed.append(review)
        review.branch = branch
        review.org_path = branch.path
        review.stage = Stage.BRANCH_PROPOSED
        review.on_time_percent = c.on_time
        review.beyond_percent = c.beyond
        review.branch_score = c.branch_score
        review.proposed_rating = c.row.proposed_rating
        review.degraded = bool(c.row.degraded)
        review.branch_comment = c.comment
        review.branch_reviewed_on = held_on
        review.branch_resolution_no = resolution_no
        review.branch_in_favour = c.in_favour
        review.branch_denominator = vote.denominator if vote and c.in_favour is not None else None
        review.by = user
    MemberReview.objects.bulk_create(new, batch_size=500)
    MemberReview.objects.bulk_update(
        changed,
        [
            "branch",
            "org_path",
            "stage",
            "on_time_percent",
            "beyond_percent",
            "branch_score",
            "proposed_rating",
            "degraded",
            "branch_comment",
            "branch_reviewed_on",
            "branch_resolution_no",
            "branch_in_favour",
            "branch_denominator",
            "by",
        ],
        batch_size=500,
    )
    return [
        RowResult(r.member_id, r.name, True, f"Đã lưu: {r.message[:1].lower()}{r.message[1:]}")
        if c is not None
        else r
        for r, c in zip(results, checked, strict=True)
    ]
