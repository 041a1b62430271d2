"""The quality review over JSON (issue 7; DOMAIN.md §4): review periods, member reviews,
the chi bộ's sheet, the committee's decision, organisations' ratings, disciplines.

The cast: the commune opens the yearly period 2026; the village chi bộ (directly under
the commune, so the commune decides its members' ratings) fills its sheet; the commune's
board decides. The secretary of a branch of another commune sees none of it."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from dangvien.accounts.models import User
from dangvien.api.tests.conftest import queries_used
from dangvien.factories import make_member, make_person
from dangvien.members.models import Member
from dangvien.organisations.models import Organisation
from dangvien.reviews.models import (
    Discipline,
    MemberReview,
    OrganisationReview,
    Rating,
    ReviewPeriod,
    Stage,
)
from dangvien.reviews.tests.factories import make_period, make_review

pytestmark = pytest.mark.django_db

Tree = dict[str, Organisation]
TODAY = date(2027, 1, 20)
EXEMPTED = (
    "Đảng viên được miễn công tác và sinh hoạt đảng không xếp loại chất lượng (366-QĐ/TW [U])"
)


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *a: TODAY)


@pytest.fixture
def period(tree: Tree) -> ReviewPeriod:
    return make_period(tree["commune"], 2026)


def member(branch: Organisation, given: str = "An", **fields: Any) -> Member:
    person = make_person(family_name="Nguyễn", middle_name="Văn", given_name=given)
    return make_member(branch=branch, person=person, **fields)


def village_members(tree: Tree, n: int) -> list[Member]:
    names = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Khánh", "Lan", "Minh", "Nga", "Oanh"]
    return [
        member(tree["village"], names[i % len(names)] + ("" if i < 11 else str(i)))
        for i in range(n)
    ]


def sheet_row(m: Member, rating: str = "good", score: str = "80", **fields: Any) -> dict[str, Any]:
    return {
        "member_id": m.pk,
        "self_score": score,
        "self_rating": rating,
        "branch_score": score,
        "proposed_rating": rating,
        **fields,
    }


def sheet(rows: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return {"held_on": "2026-12-15", "resolution_no": "05-NQ/CB", "rows": rows, **fields}


def assessment(period: ReviewPeriod, m: Member, **fields: Any) -> dict[str, Any]:
    """A member's self-assessment: "good" at 80 points unless ``fields`` say otherwise."""
    return {
        "period_id": period.pk,
        "member_id": m.pk,
        "self_score": 80,
        "self_rating": "good",
        "assessed_on": "2026-12-01",
        **fields,
    }


def village_sheet(period: ReviewPeriod, tree: Tree) -> str:
    return f"/review-periods/{period.pk}/sheets/{tree['village'].pk}"


def decision(
    org: Organisation, reviews: list[MemberReview] | list[OrganisationReview], **fields: Any
) -> dict[str, Any]:
    return {
        "organisation_id": org.pk,
        "decision_no": "12-QĐ/ĐU",
        "decided_on": "2027-01-10",
        "items": [{"review_id": r.pk} for r in reviews],
        **fields,
    }


def stages(reviews: list[MemberReview]) -> list[str]:
    return [MemberReview.objects.get(pk=r.pk).stage for r in reviews]


# ---- periods -------------------------------------------------------------------------------


def test_a_branch_secretary_sees_the_period_the_commune_opened(
    as_user: Any, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    make_period(tree["commune"], 2025)
    answer = as_user(secretary).get("/review-periods", year=2026)
    assert answer.status == 200
    assert answer.body["count"] == 1
    item = answer.body["items"][0]
    assert item["id"] == period.pk
    assert (item["organisation_id"], item["kind"], item["year"]) == (
        tree["commune"].pk,
        "yearly",
        2026,
    )
    assert (item["starts_on"], item["ends_on"], item["closed_on"]) == (
        "2026-01-01",
        "2026-12-31",
        None,
    )
    assert item["kind_label"] == "Hằng năm"
    assert as_user(secretary).get("/review-periods").body["count"] == 2
    assert as_user(secretary).get("/review-periods", kind="quarterly").body["count"] == 0


def test_periods_of_another_commune_are_not_listed_and_its_node_answers_404(
    as_user: Any, tree: Tree, period: ReviewPeriod, outsider: User
) -> None:
    assert as_user(outsider).get("/review-periods").body["count"] == 0
    answer = as_user(outsider).get("/review-periods", organisation=tree["commune"].pk)
    assert answer.status == 404
    assert answer.error["code"] == "not_found"
    assert as_user(outsider).get(f"/review-periods/{period.pk}").status == 404


def test_listing_periods_needs_a_token(as_user: Any, tree: Tree) -> None:
    answer = as_user(None).get("/review-periods")
    assert answer.status == 401
    assert answer.error["code"] == "unauthenticated"


def test_a_year_outside_1900_to_2100_is_refused_400(as_user: Any, tree: Tree, board: User) -> None:
    answer = as_user(board).get("/review-periods", year=2101)
    assert answer.status == 400
    assert answer.error["code"] == "invalid"
    assert "year" in answer.error["fields"]


def test_the_commune_opens_a_yearly_period_201(as_user: Any, tree: Tree, board: User) -> None:
    answer = as_user(board).post(
        "/review-periods", {"organisation_id": tree["commune"].pk, "kind": "yearly", "year": 2026}
    )
    assert answer.status == 201
    assert (answer.body["starts_on"], answer.body["ends_on"]) == ("2026-01-01", "2026-12-31")
    period = ReviewPeriod.objects.get()
    assert answer.body["id"] == period.pk
    assert period.organisation == tree["commune"]


def test_a_second_yearly_period_under_the_same_tree_is_refused_409(
    as_user: Any, tree: Tree, period: ReviewPeriod, board: User
) -> None:
    answer = as_user(board).post(
        "/review-periods", {"organisation_id": tree["school"].pk, "kind": "yearly", "year": 2026}
    )
    assert answer.status == 409
    assert answer.error["code"] == "conflict"
    assert answer.error["message"].startswith(
        "Cấp trên là Đảng bộ xã An Bình đã mở kỳ kiểm điểm, đánh giá năm 2026"
    )
    assert "year" in answer.error["fields"]
    assert ReviewPeriod.objects.count() == 1


def test_periods_are_filtered_by_organisation(
    as_user: Any, tree: Tree, period: ReviewPeriod, board: User
) -> None:
    school = make_period(tree["school"], 2025)
    api = as_user(board)
    assert [
        p["id"] for p in api.get("/review-periods", organisation=tree["school"].pk).body["items"]
    ] == [period.pk, school.pk]
    assert [
        p["id"] for p in api.get("/review-periods", organisation=tree["village"].pk).body["items"]
    ] == [period.pk]


def test_the_commune_closes_its_period_and_a_secretary_may_not(
    as_user: Any, tree: Tree, period: ReviewPeriod, board: User, secretary: User
) -> None:
    refused = as_user(secretary).post(
        f"/review-periods/{period.pk}/close", {"closed_on": "2027-01-15"}
    )
    assert refused.status == 403
    answer = as_user(board).post(f"/review-periods/{period.pk}/close", {"closed_on": "2027-01-15"})
    assert answer.status == 200
    assert answer.body["closed_on"] == "2027-01-15"
    period.refresh_from_db()
    assert period.closed_on == date(2027, 1, 15)
    bad = as_user(board).post(f"/review-periods/{period.pk}/close", {"closed_on": "15-01-2027"})
    assert bad.status == 400


def test_a_branch_secretary_may_not_open_a_period_403(
    as_user: Any, tree: Tree, secretary: User
) -> None:
    answer = as_user(secretary).post(
        "/review-periods", {"organisation_id": tree["village"].pk, "year": 2026}
    )
    assert answer.status == 403
    assert answer.error["code"] == "forbidden"
    assert not ReviewPeriod.objects.exists()


def test_opening_a_period_in_another_commune_answers_404(
    as_user: Any, tree: Tree, board: User
) -> None:
    answer = as_user(board).post(
        "/review-periods", {"organisation_id": tree["other_commune"].pk, "year": 2026}
    )
    assert answer.status == 404
    assert not ReviewPeriod.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("starts_on", "01/03/2026"),
        ("starts_on", "2026-02-30"),
        ("starts_on", "1899-12-31"),
        ("ends_on", "2101-01-01"),
        ("year", "hai nghìn"),
        ("year", 1899),
        ("kind", "monthly"),
        ("quarter", 5),
    ],
)
def test_malformed_period_input_answers_400_naming_the_field(
    as_user: Any, tree: Tree, board: User, field: str, value: Any
) -> None:
    body = {"organisation_id": tree["commune"].pk, "kind": "ad_hoc", "year": 2026}
    body |= {"starts_on": "2026-03-01", "ends_on": "2026-04-30", field: value}
    answer = as_user(board).post("/review-periods", body)
    assert answer.status == 400
    assert answer.error["code"] == "invalid"
    assert field in answer.error["fields"]
    assert not ReviewPeriod.objects.exists()


def test_a_date_before_1900_is_explained_in_vietnamese(
    as_user: Any, tree: Tree, board: User
) -> None:
    body = {"organisation_id": tree["commune"].pk, "kind": "ad_hoc", "year": 2026}
    body |= {"starts_on": "1899-12-31", "ends_on": "2026-04-30"}
    answer = as_user(board).post("/review-periods", body)
    assert answer.error["fields"]["starts_on"] == "Ngày phải từ 01/01/1900 đến 31/12/2100."


def test_the_period_shows_progress_per_child(
    as_user: Any, tree: Tree, period: ReviewPeriod, board: User
) -> None:
    first = village_members(tree, 2)[0]
    make_review(period, first, stage=Stage.BRANCH_PROPOSED)
    answer = as_user(board).get(f"/review-periods/{period.pk}")
    assert answer.status == 200
    assert answer.body["progress_organisation_id"] == tree["commune"].pk
    assert answer.body["can_open"] is True
    village = next(p for p in answer.body["progress"] if p["organisation_id"] == tree["village"].pk)
    assert (village["active"], village["proposed"], village["decided"]) == (2, 1, 0)


def test_a_secretary_sees_the_progress_of_their_own_branch(
    as_user: Any, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    village_members(tree, 1)
    answer = as_user(secretary).get(f"/review-periods/{period.pk}")
    assert answer.status == 200
    assert answer.body["progress_organisation_id"] == tree["village"].pk
    assert answer.body["can_open"] is False
    other = as_user(secretary).get(f"/review-periods/{period.pk}", organisation=tree["school"].pk)
    assert other.status == 404


def test_quota_usage_counts_proposals_per_branch(
    as_user: Any, tree: Tree, period: ReviewPeriod, board: User
) -> None:
    people = village_members(tree, 10)
    for i, m in enumerate(people):
        make_review(period, m, Rating.EXCELLENT if i < 3 else Rating.GOOD, score="95")
    answer = as_user(board).get(f"/review-periods/{period.pk}/quotas")
    assert answer.status == 200
    village = next(q for q in answer.body["items"] if q["organisation_id"] == tree["village"].pk)
    assert village["committee"] is False
    assert village["percent"] == 20
    assert village["proposed"] == {
        "good_or_better": 10,
        "excellent": 3,
        "allowed": 2,
        "over": True,
    }
    assert village["decided"]["excellent"] == 0
    assert village["over"] is True
    commune = answer.body["items"][0]
    assert (commune["organisation_id"], commune["committee"]) == (tree["commune"].pk, True)


def test_a_chi_bo_gets_its_own_quota_line(
    as_user: Any, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    people = village_members(tree, 10)
    for i, m in enumerate(people):
        make_review(period, m, Rating.EXCELLENT if i < 2 else Rating.GOOD, score="95")
    answer = as_user(secretary).get(f"/review-periods/{period.pk}/quotas")
    assert answer.status == 200
    assert answer.body["count"] == 1
    (line,) = answer.body["items"]
    assert (line["organisation_id"], line["committee"]) == (tree["village"].pk, False)
    assert line["proposed"] == {"good_or_better": 10, "excellent": 2, "allowed": 2, "over": False}


def test_quotas_of_a_node_outside_the_scope_answer_404(
    as_user: Any, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    answer = as_user(secretary).get(
        f"/review-periods/{period.pk}/quotas", organisation=tree["commune"].pk
    )
    assert answer.status == 404


# ---- member reviews --------------------------------------------------------------------------


def test_reviews_are_listed_with_filters_and_a_search_without_diacritics(
    as_user: Any, tree: Tree, period: ReviewPeriod, board: User
) -> None:
    an, binh = village_members(tree, 2)
    make_review(period, an, Rating.GOOD, stage=Stage.DECIDED)
    make_review(period, binh, Rating.COMPLETE, score="60")
    school = member(tree["school_branch"], "Cường")
    make_review(period, school, Rating.EXCELLENT, score="95", stage=Stage.SELF_ASSESSED)
    api = as_user(board)
    everything = api.get("/reviews", period=period.pk)
    assert everything.status == 200
    assert everything.body["count"] == 3
    assert api.get("/reviews", organisation=tree["village"].pk).body["count"] == 2
    assert api.get("/reviews", stage="decided").body["count"] == 1
    assert api.get("/reviews", rating="complete").body["items"][0]["member_id"] == binh.pk
    # The rating as far as the steps went: decided, else proposed, else self-rated.
    MemberReview.objects.filter(member=an).update(self_rating="excellent")
    assert [r["member_id"] for r in api.get("/reviews", rating="good").body["items"]] == [an.pk]
    excellent = api.get("/reviews", rating="excellent").body["items"]
    assert [r["member_id"] for r in excellent] == [school.pk]
    found = api.get("/reviews", q="nguyen van binh")
    assert [r["member_id"] for r in found.body["items"]] == [binh.pk]
    item = found.body["items"][0]
    assert (item["full_name"], item["branch_name"], item["stage"]) == (
        "Nguyễn Văn Bình",
        "Chi bộ thôn Đông",
        "branch_proposed",
    )
    assert (item["self_score"], item["proposed_rating"], item["rating_label"]) == (
        60.0,
        "complete",
        "Hoàn thành nhiệm vụ",
    )
    assert api.get("/reviews", limit=1, offset=1).body["count"] == 3
    assert len(api.get("/reviews", limit=1, offset=1).body["items"]) == 1


def test_reviews_outside_the_scope_are_not_listed_nor_shown(
    as_user: Any, tree: Tree, period: ReviewPeriod, outsider: User
) -> None:
    review = make_review(period, village_members(tree, 1)[0])
    api = as_user(outsider)
    assert api.get("/reviews").body["count"] == 0
    assert api.get(f"/reviews/{review.pk}").status == 404
    assert api.get("/reviews", period=period.pk).status == 404
    assert api.get("/reviews", organisation=tree["village"].pk).status == 404


@pytest.mark.parametrize(
    "params", [{"limit": 501}, {"stage": "done"}, {"rating": "best"}, {"period": "abc"}]
)
def test_malformed_review_filters_answer_400(
    as_user: Any, tree: Tree, board: User, params: dict[str, Any]
) -> None:
    answer = as_user(board).get("/reviews", **params)
    assert answer.status == 400
    assert set(answer.error["fields"]) == set(params)


def test_one_review_shows_every_step(
    as_user: Any, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    m = village_members(tree, 1)[0]
    review = make_review(
        period, m, Rating.GOOD, stage=Stage.DECIDED, score="82.5", decider=tree["commune"]
    )
    answer = as_user(secretary).get(f"/reviews/{review.pk}")
    assert answer.status == 200
    body = answer.body
    assert (body["self_score"], body["branch_score"], body["decided_rating"]) == (
        82.5,
        82.5,
        "good",
    )
    assert (body["decider_id"], body["decider_name"], body["decision_no"]) == (
        tree["commune"].pk,
        "Đảng bộ xã An Bình",
        "01-QĐ/ĐU",
    )
    assert body["decided_on"] == "2026-12-31"


def test_a_self_assessment_is_recorded_201_then_updated_200(
    as_user: Any, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    m = village_members(tree, 1)[0]
    body = assessment(
        period,
        m,
        self_score=85.5,
        self_scores={"chính trị tư tưởng": 18.5},
        self_comment="Hoàn thành tốt các nhiệm vụ được giao.",
    )
    api = as_user(secretary)
    first = api.post("/reviews/self-assessments", body)
    assert first.status == 201
    assert (first.body["stage"], first.body["self_score"], first.body["self_rating"]) == (
        "self_assessed",
        85.5,
        "good",
    )
    assert first.body["self_assessed_on"] == "2026-12-01"
    second = api.post("/reviews/self-assessments", body | {"self_score": 72})
    assert second.status == 200
    assert second.body["id"] == first.body["id"]
    assert MemberReview.objects.get().self_score == Decimal("72")


def test_a_self_rating_above_what_the_score_allows_is_refused_409(
    as_user: Any, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    m = village_members(tree, 1)[0]
    answer = as_user(secretary).post(
        "/reviews/self-assessments", assessment(period, m, self_score=75, self_rating="excellent")
    )
    assert answer.status == 409
    assert answer.error["message"].startswith(
        "Không thể xếp loại “Hoàn thành xuất sắc nhiệm vụ” (điểm 75): điểm 75 dưới 90"
    )
    assert "self_rating" in answer.error["fields"]
    assert not MemberReview.objects.exists()


def test_an_exempted_member_is_not_rated_409(
    as_user: Any, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    m = member(tree["village"], exempted_since=date(2025, 6, 1))
    answer = as_user(secretary).post("/reviews/self-assessments", assessment(period, m))
    assert answer.status == 409
    assert answer.error["message"] == EXEMPTED
    assert not MemberReview.objects.exists()


def test_a_leader_may_not_record_a_self_assessment_403(
    as_user: Any, tree: Tree, period: ReviewPeriod, leader: User
) -> None:
    m = village_members(tree, 1)[0]
    body = assessment(period, m)
    answer = as_user(leader).post("/reviews/self-assessments", body)
    assert answer.status == 403
    assert not MemberReview.objects.exists()


def test_a_self_assessment_for_a_member_outside_the_scope_answers_404(
    as_user: Any, tree: Tree, period: ReviewPeriod, outsider: User
) -> None:
    m = village_members(tree, 1)[0]
    body = assessment(period, m)
    assert as_user(outsider).post("/reviews/self-assessments", body).status == 404


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("self_score", 101),
        ("self_score", -1),
        ("self_score", 85.55),
        ("self_score", "tám mươi"),
        ("self_rating", "very_good"),
        ("assessed_on", "2026-12-01T08:00:00"),
        ("assessed_on", "1899-01-01"),
        ("on_time_percent", 120),
        ("beyond_percent", "nhiều"),
        ("member_id", "một"),
    ],
)
def test_malformed_self_assessments_answer_400(
    as_user: Any, tree: Tree, period: ReviewPeriod, secretary: User, field: str, value: Any
) -> None:
    m = village_members(tree, 1)[0]
    body = assessment(period, m, **{field: value})
    answer = as_user(secretary).post("/reviews/self-assessments", body)
    assert answer.status == 400
    assert field in answer.error["fields"]
    assert not MemberReview.objects.exists()


def test_a_score_with_two_decimals_is_explained(
    as_user: Any, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    m = village_members(tree, 1)[0]
    body = assessment(period, m, self_score=85.55)
    answer = as_user(secretary).post("/reviews/self-assessments", body)
    assert answer.error["fields"]["self_score"] == (
        "Điểm chỉ có tối đa một chữ số thập phân, ví dụ 85,5."
    )


def test_a_members_reviews_are_listed_on_the_member(
    as_user: Any, tree: Tree, period: ReviewPeriod, secretary: User, outsider: User
) -> None:
    m = village_members(tree, 1)[0]
    make_review(make_period(tree["commune"], 2025), m, Rating.COMPLETE, stage=Stage.DECIDED)
    make_review(period, m, Rating.GOOD)
    answer = as_user(secretary).get(f"/members/{m.pk}/reviews")
    assert answer.status == 200
    assert answer.body["count"] == 2
    assert {r["period_id"] for r in answer.body["items"]} >= {period.pk}
    assert as_user(outsider).get(f"/members/{m.pk}/reviews").status == 404


# ---- the branch sheet ------------------------------------------------------------------------


def test_the_sheet_lists_every_active_member_and_greys_the_exempted(
    as_user: Any, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    an, binh = village_members(tree, 2)
    exempted = member(tree["village"], "Yến", exempted_since=date(2025, 6, 1))
    make_review(period, an, Rating.GOOD, score="80", stage=Stage.SELF_ASSESSED)
    answer = as_user(secretary).get(village_sheet(period, tree))
    assert answer.status == 200
    assert answer.body["can_fill"] is True
    lines = {line["member_id"]: line for line in answer.body["lines"]}
    assert set(lines) == {an.pk, binh.pk, exempted.pk}
    assert lines[exempted.pk]["exempted"] is True
    assert lines[an.pk]["exempted"] is False
    assert lines[an.pk]["review"]["self_rating"] == "good"
    assert lines[an.pk]["highest"] == "good"
    assert lines[binh.pk]["review"] is None


def test_the_sheet_of_a_branch_outside_the_scope_or_the_period_answers_404(
    as_user: Any, tree: Tree, secretary: User, outsider: User, board: User
) -> None:
    period = make_period(tree["school"], 2026)
    assert (
        as_user(outsider)
        .get(f"/review-periods/{period.pk}/sheets/{tree['school_branch'].pk}")
        .status
        == 404
    )
    assert as_user(board).get(village_sheet(period, tree)).status == 404


def test_the_chi_bo_saves_its_whole_sheet_at_once(
    as_user: Any, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    people = village_members(tree, 5)
    rows = [sheet_row(m) for m in people[:4]] + [sheet_row(people[4], "complete", "60")]
    answer = as_user(secretary).post(village_sheet(period, tree), sheet(rows))
    assert answer.status == 200, answer.body
    assert answer.body["count"] == 5
    assert all(r["ok"] for r in answer.body["results"])
    assert {r["member_id"] for r in answer.body["results"]} == {m.pk for m in people}
    saved = MemberReview.objects.filter(period=period)
    assert saved.count() == 5
    assert set(saved.values_list("stage", flat=True)) == {"branch_proposed"}
    assert saved.get(member=people[4]).proposed_rating == "complete"
    assert saved.get(member=people[0]).branch_resolution_no == "05-NQ/CB"


def test_a_refused_sheet_says_which_member_and_why_and_saves_nothing(
    as_user: Any, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    people = village_members(tree, 3)
    earlier = make_review(period, people[0], Rating.COMPLETE, score="60", stage=Stage.SELF_ASSESSED)
    rows = [
        sheet_row(people[0], "good", "80"),
        sheet_row(people[1], "good", "75", proposed_rating="excellent"),  # "good" at most
        sheet_row(people[2]),
    ]
    answer = as_user(secretary).post(village_sheet(period, tree), sheet(rows))
    assert answer.status == 409
    error = answer.error
    assert error["code"] == "bulk_refused"
    assert error["message"].startswith("Không lưu gì: 1/3 dòng có lỗi. Nguyễn Văn Bình: ")
    results = {r["member_id"]: r for r in error["results"]}
    bad = results[people[1].pk]
    assert (bad["ok"], bad["name"], bad["field"]) == (False, "Nguyễn Văn Bình", "proposed_rating")
    assert bad["message"].startswith(
        "Không thể xếp loại “Hoàn thành xuất sắc nhiệm vụ” (điểm 75): điểm 75 dưới 90"
    )
    assert results[people[0].pk]["ok"] is True
    assert results[people[2].pk]["ok"] is True
    assert error["fields"]["rows.1.proposed_rating"] == bad["message"]
    assert not any(k.startswith(("rows.0", "rows.2")) for k in error["fields"])
    assert MemberReview.objects.count() == 1
    earlier.refresh_from_db()
    assert (earlier.stage, earlier.proposed_rating) == ("self_assessed", "")


def test_three_excellent_of_ten_in_a_branch_is_over_the_quota_409(
    as_user: Any, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    people = village_members(tree, 10)
    rows = [sheet_row(m, "excellent" if i < 3 else "good", "95") for i, m in enumerate(people)]
    rows = [r | {"beyond_percent": 40} for r in rows]
    answer = as_user(secretary).post(village_sheet(period, tree), sheet(rows))
    assert answer.status == 409
    assert "3 đảng viên hoàn thành xuất sắc trên 10 đảng viên hoàn thành tốt trở lên" in str(
        answer.error
    )
    assert "vượt tỷ lệ 20% (tối đa 2)" in str(answer.error)
    assert not MemberReview.objects.exists()


def test_two_excellent_of_ten_in_a_branch_is_exactly_the_quota(
    as_user: Any, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    people = village_members(tree, 10)
    rows = [sheet_row(m, "excellent" if i < 2 else "good", "95") for i, m in enumerate(people)]
    rows = [r | {"beyond_percent": 40} for r in rows]
    answer = as_user(secretary).post(village_sheet(period, tree), sheet(rows))
    assert answer.status == 200, answer.body
    assert MemberReview.objects.filter(proposed_rating="excellent").count() == 2


def test_a_sheet_row_for_an_exempted_member_is_refused_with_the_rule(
    as_user: Any, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    an = village_members(tree, 1)[0]
    exempted = member(tree["village"], "Yến", exempted_since=date(2025, 6, 1))
    answer = as_user(secretary).post(
        village_sheet(period, tree),
        sheet([sheet_row(an), sheet_row(exempted)]),
    )
    assert answer.status == 409
    result = next(r for r in answer.error["results"] if r["member_id"] == exempted.pk)
    assert result["message"].startswith(EXEMPTED)
    assert result["field"] == "member_id"
    assert not MemberReview.objects.exists()


def test_the_commune_board_may_not_fill_a_branch_sheet_403(
    as_user: Any, tree: Tree, period: ReviewPeriod, board: User
) -> None:
    people = village_members(tree, 1)
    answer = as_user(board).post(village_sheet(period, tree), sheet([sheet_row(people[0])]))
    assert answer.status == 403
    assert not MemberReview.objects.exists()


def test_saving_the_sheet_of_a_branch_outside_the_scope_answers_404(
    as_user: Any, tree: Tree, period: ReviewPeriod, outsider: User
) -> None:
    people = village_members(tree, 1)
    answer = as_user(outsider).post(village_sheet(period, tree), sheet([sheet_row(people[0])]))
    assert answer.status == 404
    assert not MemberReview.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"held_on": "2026-13-01"}, "held_on"),
        ({"held_on": "15/12/2026"}, "held_on"),
        ({"held_on": "2101-01-01"}, "held_on"),
        ({"resolution_no": ""}, "resolution_no"),
        ({"rows": []}, "rows"),
        ({"rows": "tất cả"}, "rows"),
    ],
)
def test_a_malformed_sheet_answers_400(
    as_user: Any,
    tree: Tree,
    period: ReviewPeriod,
    secretary: User,
    change: dict[str, Any],
    field: str,
) -> None:
    people = village_members(tree, 1)
    answer = as_user(secretary).post(
        village_sheet(period, tree),
        sheet([sheet_row(people[0])]) | change,
    )
    assert answer.status == 400
    assert field in answer.error["fields"]
    assert not MemberReview.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"proposed_rating": "tot"}, "rows.0.proposed_rating"),
        ({"branch_score": 100.5}, "rows.0.branch_score"),
        ({"on_time_percent": -5}, "rows.0.on_time_percent"),
        ({"degraded": "có lẽ"}, "rows.0.degraded"),
    ],
)
def test_a_malformed_sheet_row_answers_400_naming_the_row(
    as_user: Any,
    tree: Tree,
    period: ReviewPeriod,
    secretary: User,
    change: dict[str, Any],
    field: str,
) -> None:
    people = village_members(tree, 1)
    answer = as_user(secretary).post(
        village_sheet(period, tree),
        sheet([sheet_row(people[0], **change)]),
    )
    assert answer.status == 400
    assert field in answer.error["fields"]


def test_a_member_twice_on_one_sheet_answers_400(
    as_user: Any, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    m = village_members(tree, 1)[0]
    answer = as_user(secretary).post(
        village_sheet(period, tree),
        sheet([sheet_row(m), sheet_row(m)]),
    )
    assert answer.status == 400
    assert "xuất hiện nhiều lần" in answer.error["fields"]["rows"]


def test_the_count_of_a_saved_sheet_leaves_out_the_empty_rows(
    as_user: Any, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    people = village_members(tree, 3)
    rows = [sheet_row(people[0]), sheet_row(people[1]), {"member_id": people[2].pk}]
    answer = as_user(secretary).post(village_sheet(period, tree), sheet(rows))
    assert answer.status == 200, answer.body
    assert answer.body["count"] == 2
    assert [r["message"] for r in answer.body["results"]][2] == "Dòng trống: bỏ qua."


def test_a_sheet_row_for_someone_outside_the_branch_answers_without_their_name(
    as_user: Any, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    mine = village_members(tree, 1)[0]
    stranger = member(tree["other_branch"], "Xuân")
    rows = [sheet_row(mine), {"member_id": stranger.pk}]
    answer = as_user(secretary).post(village_sheet(period, tree), sheet(rows))
    assert answer.status == 409
    result = answer.error["results"][1]
    assert (result["member_id"], result["name"], result["ok"]) == (stranger.pk, "", False)
    assert result["message"] == "Không tìm thấy đảng viên trong Chi bộ thôn Đông."
    assert answer.error["fields"]["rows.1.member_id"] == result["message"]
    assert "Xuân" not in str(answer.body)
    assert not MemberReview.objects.exists()


def test_the_chi_bo_vote_on_each_proposal_is_stored_and_shown(
    as_user: Any, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    people = village_members(tree, 4)
    rows = [sheet_row(people[0], in_favour=3), sheet_row(people[1])]
    api = as_user(secretary)
    answer = api.post(village_sheet(period, tree), sheet(rows))
    assert answer.status == 200, answer.body
    voted = MemberReview.objects.get(member=people[0])
    shown = api.get(f"/reviews/{voted.pk}").body
    assert (shown["branch_in_favour"], shown["branch_denominator"]) == (3, 4)
    listed = {i["member_id"]: i for i in api.get("/reviews").body["items"]}
    assert listed[people[1].pk]["branch_in_favour"] is None
    lines = api.get(village_sheet(period, tree)).body["lines"]
    line = next(ln for ln in lines if ln["member_id"] == people[0].pk)
    assert line["review"]["branch_denominator"] == 4


def test_a_vote_short_of_half_refuses_the_sheet_409(
    as_user: Any, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    people = village_members(tree, 4)
    answer = as_user(secretary).post(
        village_sheet(period, tree), sheet([sheet_row(people[0], in_favour=2)])
    )
    assert answer.status == 409
    assert answer.error["fields"]["rows.0.in_favour"] == (
        "Chi bộ biểu quyết 2/4 tán thành mức đề xuất: chưa đạt trên 1/2 (366-QĐ/TW [U])."
    )
    negative = as_user(secretary).post(
        village_sheet(period, tree), sheet([sheet_row(people[0], in_favour=-1)])
    )
    assert negative.status == 400
    assert not MemberReview.objects.exists()


# ---- the committee's decision ----------------------------------------------------------------


def proposed(period: ReviewPeriod, people: list[Member], **fields: Any) -> list[MemberReview]:
    return [make_review(period, m, Rating.GOOD, score="80", **fields) for m in people]


def test_the_commune_decides_many_members_at_once_and_publishes(
    as_user: Any, tree: Tree, period: ReviewPeriod, board: User
) -> None:
    reviews = proposed(period, village_members(tree, 4))
    body = decision(tree["commune"], reviews)
    body["items"][3]["rating"] = "complete"  # the committee may rate lower than proposed
    api = as_user(board)
    answer = api.post(f"/review-periods/{period.pk}/decisions", body)
    assert answer.status == 200, answer.body
    assert answer.body["count"] == 4
    assert all(r["ok"] for r in answer.body["results"])
    assert stages(reviews) == ["decided"] * 4
    decided = MemberReview.objects.get(pk=reviews[3].pk)
    assert (decided.decided_rating, decided.decision_no, decided.decided_on) == (
        "complete",
        "12-QĐ/ĐU",
        date(2027, 1, 10),
    )
    assert MemberReview.objects.get(pk=reviews[0].pk).decided_rating == "good"
    published = api.post(
        f"/review-periods/{period.pk}/publish",
        {"organisation_id": tree["commune"].pk, "published_on": "2027-01-15"},
    )
    assert published.status == 200
    assert published.body == {"published": 4}
    assert stages(reviews) == ["published"] * 4


def test_the_decision_page_lists_what_awaits_the_committee(
    as_user: Any, tree: Tree, period: ReviewPeriod, board: User
) -> None:
    reviews = proposed(period, village_members(tree, 2))
    answer = as_user(board).get(
        f"/review-periods/{period.pk}/decisions", organisation=tree["commune"].pk
    )
    assert answer.status == 200
    assert answer.body["can_decide"] is True
    assert {i["review_id"] for i in answer.body["items"]} == {r.pk for r in reviews}
    item = answer.body["items"][0]
    assert (item["branch_name"], item["proposed_rating"], item["decided_rating"]) == (
        "Chi bộ thôn Đông",
        "good",
        "",
    )


def test_one_bad_item_refuses_the_whole_decision_with_per_member_results(
    as_user: Any, tree: Tree, period: ReviewPeriod, board: User
) -> None:
    reviews = proposed(period, village_members(tree, 3))
    body = decision(tree["commune"], reviews)
    body["items"][1]["rating"] = "excellent"  # 80 points: "good" at most
    answer = as_user(board).post(f"/review-periods/{period.pk}/decisions", body)
    assert answer.status == 409
    error = answer.error
    results = {r["member_id"]: r for r in error["results"]}
    bad = results[reviews[1].member_id]
    assert (bad["ok"], bad["field"]) == (False, "rating")
    assert bad["message"].startswith(
        "Không thể xếp loại “Hoàn thành xuất sắc nhiệm vụ” (điểm 80): điểm 80 dưới 90"
    )
    assert results[reviews[0].member_id]["ok"] is True
    assert error["code"] == "bulk_refused"
    assert error["fields"]["items.1.rating"] == bad["message"]
    assert not any(k.startswith(("items.0", "items.2")) for k in error["fields"])
    assert stages(reviews) == ["branch_proposed"] * 3
    assert not MemberReview.objects.exclude(decided_rating="").exists()


def test_the_committee_quota_refuses_three_excellent_of_ten(
    as_user: Any, tree: Tree, period: ReviewPeriod, board: User
) -> None:
    people = village_members(tree, 10)
    reviews = [make_review(period, m, Rating.GOOD, score="95", beyond_percent=40) for m in people]
    body = decision(tree["commune"], reviews)
    for item in body["items"][:3]:
        item["rating"] = "excellent"
    answer = as_user(board).post(f"/review-periods/{period.pk}/decisions", body)
    assert answer.status == 409
    assert "vượt tỷ lệ 20% (tối đa 2)" in str(answer.error)
    assert stages(reviews) == ["branch_proposed"] * 10


def test_a_review_of_another_commune_answers_without_its_members_name(
    as_user: Any, tree: Tree, board: User
) -> None:
    period = make_period(tree["province"], 2026)
    mine = proposed(period, village_members(tree, 1))
    far = proposed(period, [member(tree["other_branch"], "Xuân")])
    answer = as_user(board).post(
        f"/review-periods/{period.pk}/decisions", decision(tree["commune"], mine + far)
    )
    assert answer.status == 409
    result = answer.error["results"][1]
    assert (result["member_id"], result["name"]) == (0, "")
    assert result["message"] == f"Không có bản kiểm điểm số {far[0].pk} trong kỳ “{period.name}”."
    assert "Xuân" not in str(answer.body)
    assert stages(mine + far) == ["branch_proposed"] * 2


def decide_one(api: Any, period: ReviewPeriod, tree: Tree, committee: str) -> tuple[int, str]:
    """``committee`` decides one village member's proposal: the answer's status and the
    review's stage afterwards."""
    reviews = proposed(period, village_members(tree, 1))
    answer = api.post(f"/review-periods/{period.pk}/decisions", decision(tree[committee], reviews))
    return answer.status, stages(reviews)[0]


def test_a_branch_secretary_may_not_decide_ratings_403(
    as_user: Any, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    assert decide_one(as_user(secretary), period, tree, "village") == (403, "branch_proposed")


def test_a_leader_may_not_decide_ratings_403(
    as_user: Any, tree: Tree, period: ReviewPeriod, leader: User
) -> None:
    assert decide_one(as_user(leader), period, tree, "commune") == (403, "branch_proposed")


def test_deciding_for_a_committee_outside_the_scope_answers_404(
    as_user: Any, tree: Tree, period: ReviewPeriod, outsider: User
) -> None:
    assert decide_one(as_user(outsider), period, tree, "commune") == (404, "branch_proposed")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"decided_on": "2027-02-31"}, "decided_on"),
        ({"decided_on": "1800-01-01"}, "decided_on"),
        ({"decided_on": 20270110}, "decided_on"),
        ({"decision_no": ""}, "decision_no"),
        ({"items": []}, "items"),
        ({"items": [{"review_id": "một"}]}, "items.0.review_id"),
        ({"items": [{"review_id": 1, "rating": "xuất sắc"}]}, "items.0.rating"),
        ({"organisation_id": None}, "organisation_id"),
    ],
)
def test_a_malformed_decision_answers_400(
    as_user: Any,
    tree: Tree,
    period: ReviewPeriod,
    board: User,
    change: dict[str, Any],
    field: str,
) -> None:
    reviews = proposed(period, village_members(tree, 1))
    answer = as_user(board).post(
        f"/review-periods/{period.pk}/decisions", decision(tree["commune"], reviews) | change
    )
    assert answer.status == 400
    assert field in answer.error["fields"]
    assert stages(reviews) == ["branch_proposed"]


def test_a_review_twice_in_one_decision_answers_400(
    as_user: Any, tree: Tree, period: ReviewPeriod, board: User
) -> None:
    reviews = proposed(period, village_members(tree, 1))
    answer = as_user(board).post(
        f"/review-periods/{period.pk}/decisions", decision(tree["commune"], reviews * 2)
    )
    assert answer.status == 400
    assert "items" in answer.error["fields"]


def test_a_secretary_may_not_publish_403(
    as_user: Any, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    reviews = proposed(period, village_members(tree, 1), stage=Stage.DECIDED)
    answer = as_user(secretary).post(
        f"/review-periods/{period.pk}/publish",
        {"organisation_id": tree["village"].pk, "published_on": "2027-01-15"},
    )
    assert answer.status == 403
    assert stages(reviews) == ["decided"]


# ---- organisations -------------------------------------------------------------------------


def org_body(period: ReviewPeriod, org: Organisation, **fields: Any) -> dict[str, Any]:
    return {
        "period_id": period.pk,
        "organisation_id": org.pk,
        "self_score": 92,
        "self_rating": "excellent",
        "assessed_on": "2026-12-10",
        "beyond_percent": 35,
        **fields,
    }


def org_decision(org: Organisation, reviews: list[OrganisationReview]) -> dict[str, Any]:
    return decision(org, reviews, decision_no="15-QĐ/ĐU", decided_on="2027-01-12")


def test_a_chi_bo_records_its_self_assessment_and_the_commune_decides(
    as_user: Any, tree: Tree, period: ReviewPeriod, secretary: User, board: User
) -> None:
    created = as_user(secretary).post("/organisation-reviews", org_body(period, tree["village"]))
    assert created.status == 201, created.body
    assert (created.body["organisation_id"], created.body["self_rating"]) == (
        tree["village"].pk,
        "excellent",
    )
    again = as_user(secretary).post(
        "/organisation-reviews", org_body(period, tree["village"], self_rating="good")
    )
    assert again.status == 200
    listed = as_user(board).get("/organisation-reviews", period=period.pk)
    assert listed.body["count"] == 1
    review = OrganisationReview.objects.get()
    answer = as_user(board).post(
        f"/review-periods/{period.pk}/organisation-decisions",
        org_decision(tree["commune"], [review]),
    )
    assert answer.status == 200, answer.body
    review.refresh_from_db()
    assert (review.stage, review.decided_rating) == ("decided", "good")
    decided = as_user(board).get("/organisation-reviews", rating="good", stage="decided")
    assert decided.body["count"] == 1


def org_review(
    period: ReviewPeriod, org: Organisation, rating: str, score: str
) -> OrganisationReview:
    return OrganisationReview.objects.create(
        period=period,
        organisation=org,
        org_path=org.path,
        self_score=Decimal(score),
        self_rating=rating,
        self_assessed_on=date(2026, 12, 10),
    )


def test_one_bad_organisation_refuses_the_whole_organisation_decision(
    as_user: Any, tree: Tree, period: ReviewPeriod, board: User
) -> None:
    village = org_review(period, tree["village"], "good", "80")
    clinic = org_review(period, tree["clinic"], "complete", "60")
    body = org_decision(tree["commune"], [village, clinic])
    body["items"][1]["rating"] = "good"
    answer = as_user(board).post(f"/review-periods/{period.pk}/organisation-decisions", body)
    assert answer.status == 409
    results = {r["member_id"]: r for r in answer.error["results"]}
    assert results[tree["clinic"].pk]["ok"] is False
    assert results[tree["clinic"].pk]["name"] == "Chi bộ Trạm Y tế"
    assert "(điểm 60)" in results[tree["clinic"].pk]["message"]
    assert results[tree["village"].pk]["ok"] is True
    assert "items.1.rating" in answer.error["fields"]
    assert set(OrganisationReview.objects.values_list("stage", flat=True)) == {"self_assessed"}


def test_a_secretary_may_not_decide_organisations_ratings_403(
    as_user: Any, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    village = org_review(period, tree["village"], "good", "80")
    answer = as_user(secretary).post(
        f"/review-periods/{period.pk}/organisation-decisions",
        org_decision(tree["village"], [village]),
    )
    assert answer.status == 403
    village.refresh_from_db()
    assert village.stage == "self_assessed"


def test_an_organisation_with_shortcomings_not_fixed_is_not_excellent_409(
    as_user: Any, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    answer = as_user(secretary).post(
        "/organisation-reviews", org_body(period, tree["village"], shortcomings_fixed=False)
    )
    assert answer.status == 409
    assert answer.error["message"]
    assert not OrganisationReview.objects.exists()


def test_organisation_reviews_outside_the_scope_answer_404(
    as_user: Any, tree: Tree, period: ReviewPeriod, outsider: User
) -> None:
    assert (
        as_user(outsider).post("/organisation-reviews", org_body(period, tree["village"])).status
        == 404
    )
    assert as_user(outsider).get("/organisation-reviews", period=period.pk).status == 404
    assert not OrganisationReview.objects.exists()


def test_a_leader_may_not_record_an_organisations_assessment_403(
    as_user: Any, tree: Tree, period: ReviewPeriod, leader: User
) -> None:
    answer = as_user(leader).post("/organisation-reviews", org_body(period, tree["village"]))
    assert answer.status == 403
    assert not OrganisationReview.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("assessed_on", "2026/12/10"), ("shortcomings_fixed", "chưa"), ("self_score", 100.1)],
)
def test_a_malformed_organisation_assessment_answers_400(
    as_user: Any, tree: Tree, period: ReviewPeriod, secretary: User, field: str, value: Any
) -> None:
    answer = as_user(secretary).post(
        "/organisation-reviews", org_body(period, tree["village"], **{field: value})
    )
    assert answer.status == 400
    assert field in answer.error["fields"]


# ---- disciplines ---------------------------------------------------------------------------


DISCIPLINE = {
    "penalty": "warning",
    "decided_on": "2026-09-10",
    "decision_no": "07-QĐ/UBKT",
    "body": "Ủy ban kiểm tra Đảng ủy xã An Bình",
    "reason": "Vi phạm quy định sinh hoạt chi bộ.",
}


def test_a_discipline_is_recorded_201_and_listed_on_the_member(
    as_user: Any, tree: Tree, board: User
) -> None:
    m = village_members(tree, 1)[0]
    api = as_user(board)
    answer = api.post(f"/members/{m.pk}/disciplines", DISCIPLINE)
    assert answer.status == 201, answer.body
    assert (answer.body["penalty"], answer.body["penalty_label"]) == ("warning", "Cảnh cáo")
    assert answer.body["decided_on"] == "2026-09-10"
    listed = api.get(f"/members/{m.pk}/disciplines")
    assert listed.body["count"] == 1
    assert listed.body["items"][0]["decision_no"] == "07-QĐ/UBKT"
    assert Discipline.objects.get().member == m


def test_a_leader_may_not_record_a_discipline_403(as_user: Any, tree: Tree, leader: User) -> None:
    m = village_members(tree, 1)[0]
    answer = as_user(leader).post(f"/members/{m.pk}/disciplines", DISCIPLINE)
    assert answer.status == 403
    assert not Discipline.objects.exists()


def test_disciplines_of_a_member_outside_the_scope_answer_404(
    as_user: Any, tree: Tree, outsider: User
) -> None:
    m = village_members(tree, 1)[0]
    assert as_user(outsider).get(f"/members/{m.pk}/disciplines").status == 404
    assert as_user(outsider).post(f"/members/{m.pk}/disciplines", DISCIPLINE).status == 404
    assert not Discipline.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("penalty", "expulsion"),
        ("decided_on", "10/09/2026"),
        ("decided_on", "2200-01-01"),
        ("decision_no", ""),
        ("self_reported", "không biết"),
    ],
)
def test_a_malformed_discipline_answers_400(
    as_user: Any, tree: Tree, board: User, field: str, value: Any
) -> None:
    m = village_members(tree, 1)[0]
    answer = as_user(board).post(f"/members/{m.pk}/disciplines", DISCIPLINE | {field: value})
    assert answer.status == 400
    assert field in answer.error["fields"]
    assert not Discipline.objects.exists()


def test_a_discipline_in_the_period_caps_the_rating_on_the_sheet(
    as_user: Any, tree: Tree, period: ReviewPeriod, board: User, secretary: User
) -> None:
    m = village_members(tree, 1)[0]
    assert as_user(board).post(f"/members/{m.pk}/disciplines", DISCIPLINE).status == 201
    answer = as_user(secretary).post(village_sheet(period, tree), sheet([sheet_row(m)]))
    assert answer.status == 409
    assert answer.error["results"][0]["ok"] is False
    assert not MemberReview.objects.exists()


def test_the_lists_take_the_same_number_of_queries_whatever_the_rows(
    as_user: Any, tree: Tree, period: ReviewPeriod, board: User
) -> None:
    api = as_user(board)
    paths = [
        "/reviews",
        village_sheet(period, tree),
        f"/review-periods/{period.pk}/decisions",
        "/organisation-reviews",
    ]
    proposed(period, village_members(tree, 2))
    assert [api.get(p).status for p in paths] == [200] * 4
    few = [queries_used(lambda p=p: api.get(p)) for p in paths]
    proposed(period, [member(tree["village"], f"Thêm {i}") for i in range(8)])
    many = [queries_used(lambda p=p: api.get(p)) for p in paths]
    assert many == few


# ---- schema --------------------------------------------------------------------------------


def test_the_endpoints_are_in_the_openapi_schema(as_user: Any, board: User) -> None:
    schema = as_user(board).get("/openapi.json").body
    paths = schema["paths"]
    expected = {
        "/api/v1/review-periods": {"get", "post"},
        "/api/v1/review-periods/{period_id}": {"get"},
        "/api/v1/review-periods/{period_id}/close": {"post"},
        "/api/v1/review-periods/{period_id}/quotas": {"get"},
        "/api/v1/review-periods/{period_id}/sheets/{branch_id}": {"get", "post"},
        "/api/v1/review-periods/{period_id}/decisions": {"get", "post"},
        "/api/v1/review-periods/{period_id}/publish": {"post"},
        "/api/v1/review-periods/{period_id}/organisation-decisions": {"post"},
        "/api/v1/reviews": {"get"},
        "/api/v1/reviews/{review_id}": {"get"},
        "/api/v1/reviews/self-assessments": {"post"},
        "/api/v1/organisation-reviews": {"get", "post"},
        "/api/v1/members/{member_id}/disciplines": {"get", "post"},
        "/api/v1/members/{member_id}/reviews": {"get"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert methods <= set(paths[path]), path
        for method in methods:
            assert paths[path][method].get("description"), (path, method)
    sheet_save = paths["/api/v1/review-periods/{period_id}/sheets/{branch_id}"]["post"]
    assert "409" in sheet_save["responses"]
    assert "results" in str(schema["components"]["schemas"]["BulkErrorDetail"])
