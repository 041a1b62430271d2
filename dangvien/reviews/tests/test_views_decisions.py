"""Wiring of the committee's decision page: login, scope 404, who gets the checkboxes, the
decision of many members at once with a per-member result table, the all-or-nothing
refusal (409, message beside the member, nothing decided), publishing, and a query count
that does not grow with the members."""

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangvien.accounts.models import Role, User
from dangvien.factories import make_member, org, user_with_role
from dangvien.members.models import Member
from dangvien.organisations.models import Kind, Organisation
from dangvien.reviews.models import MemberReview, Rating, ReviewPeriod, Stage
from dangvien.reviews.tests.factories import make_period, make_review

pytestmark = pytest.mark.django_db

Tree = dict[str, Organisation]
TODAY = date(2026, 12, 20)


def decide_of(period: ReviewPeriod, org: Organisation) -> str:
    return reverse("reviews:decide", args=[period.pk, org.pk])


def proposed(
    period: ReviewPeriod, branch: Organisation, n: int, rating: str = Rating.GOOD
) -> list[MemberReview]:
    scores: dict[str, str] = {Rating.EXCELLENT: "95", Rating.GOOD: "80", Rating.COMPLETE: "60"}
    score = scores.get(rating, "40")
    return [
        make_review(
            period,
            make_member(branch=branch),
            rating,
            Stage.BRANCH_PROPOSED,
            score=score,
            beyond_percent=40,
            branch_reviewed_on=date(2026, 12, 10),
        )
        for _ in range(n)
    ]


def decision(*reviews: MemberReview, **ratings: str) -> dict[str, object]:
    data: dict[str, object] = {
        "form": "decide",
        "decision_no": "125-QĐ/ĐU",
        "decided_on": "18/12/2026",
        "pick": [str(r.pk) for r in reviews],
    }
    for r in reviews:
        data[f"r{r.pk}-rating"] = ratings.get(f"r{r.pk}", r.proposed_rating)
    return data


def test_the_decision_page_needs_a_login(client: Client, tree: Tree, period: ReviewPeriod) -> None:
    assert client.get(decide_of(period, tree["commune"])).status_code == 302


def test_a_committee_outside_the_users_scope_answers_404(
    client: Client, tree: Tree, period: ReviewPeriod
) -> None:
    client.force_login(user_with_role(Role.GRASSROOTS_STAFF, tree["other_commune"]))
    assert client.get(decide_of(period, tree["commune"])).status_code == 404
    assert client.post(decide_of(period, tree["commune"]), {}).status_code == 404
    assert client.get(decide_of(period, tree["other_commune"])).status_code == 200


def test_a_chi_bo_has_no_decision_page(client: Client, tree: Tree, period: ReviewPeriod) -> None:
    client.force_login(user_with_role(Role.BOARD_STAFF, tree["commune"]))
    assert client.get(decide_of(period, tree["village"])).status_code == 404


def test_every_proposed_member_is_ticked_with_the_proposal_preselected(
    client: Client, tree: Tree, period: ReviewPeriod, commune_staff: User
) -> None:
    good, complete = proposed(period, tree["village"], 1) + proposed(
        period, tree["village"], 1, Rating.COMPLETE
    )
    client.force_login(commune_staff)
    body = client.get(decide_of(period, tree["commune"])).content.decode()
    assert f'name="pick" value="{good.pk}" checked' in body
    assert f'name="pick" value="{complete.pk}" checked' in body
    good_select = body[body.index(f'name="r{good.pk}-rating"') :]
    assert 'value="good" title="Hoàn thành tốt nhiệm vụ" selected' in good_select[:900]
    complete_select = body[body.index(f'name="r{complete.pk}-rating"') :]
    assert 'value="complete" title="Hoàn thành nhiệm vụ" selected' in complete_select[:900]
    assert 'id="pick-all" checked' in body
    assert "Chi bộ thôn Đông" in body
    assert "Tỷ lệ hoàn thành xuất sắc nhiệm vụ" in body


def test_deciding_the_ticked_members_shows_a_result_per_member(
    client: Client, tree: Tree, period: ReviewPeriod, commune_staff: User
) -> None:
    a, b, left_out = proposed(period, tree["village"], 3)
    client.force_login(commune_staff)
    answer = client.post(
        decide_of(period, tree["commune"]), decision(a, b, **{f"r{b.pk}": "complete"})
    )
    body = answer.content.decode()
    assert answer.status_code == 200
    a.refresh_from_db()
    b.refresh_from_db()
    left_out.refresh_from_db()
    assert (a.stage, a.decided_rating, a.decision_no) == (
        Stage.DECIDED,
        Rating.GOOD,
        "125-QĐ/ĐU",
    )
    assert b.decided_rating == Rating.COMPLETE
    assert left_out.stage == Stage.BRANCH_PROPOSED
    assert "Kết quả từng đảng viên" in body
    assert "Đã quyết định xếp loại 2 đảng viên" in body
    assert "Quyết định “Hoàn thành nhiệm vụ”." in body
    assert str(a.member.person) in body


def test_a_rating_above_what_the_score_allows_refuses_the_whole_batch(
    client: Client, tree: Tree, period: ReviewPeriod, commune_staff: User
) -> None:
    fine, wrong = proposed(period, tree["village"], 2)
    client.force_login(commune_staff)
    answer = client.post(
        decide_of(period, tree["commune"]), decision(fine, wrong, **{f"r{wrong.pk}": "excellent"})
    )
    body = answer.content.decode()
    assert answer.status_code == 409
    assert not MemberReview.objects.filter(stage=Stage.DECIDED).exists()
    assert "Chưa quyết định cho ai: 1 đảng viên bị từ chối" in body
    assert "Không thể xếp loại “Hoàn thành xuất sắc nhiệm vụ” (điểm 80)" in body
    # The changed rating stays chosen, the decision number stays typed.
    wrong_select = body[body.index(f'name="r{wrong.pk}-rating"') :]
    assert 'value="excellent" title="Hoàn thành xuất sắc nhiệm vụ" selected' in wrong_select[:900]
    assert 'value="125-QĐ/ĐU"' in body


def test_the_committee_quota_refusal_names_the_rule(
    client: Client, tree: Tree, period: ReviewPeriod, commune_staff: User
) -> None:
    """3 excellent among 10 good or better: over 20% (at most 2)."""
    reviews = proposed(period, tree["village"], 3, Rating.EXCELLENT) + proposed(
        period, tree["village"], 7
    )
    client.force_login(commune_staff)
    answer = client.post(decide_of(period, tree["commune"]), decision(*reviews))
    assert answer.status_code == 409
    assert "vượt tỷ lệ 20% (tối đa 2)" in answer.content.decode()
    assert not MemberReview.objects.filter(stage=Stage.DECIDED).exists()


def test_nothing_ticked_answers_400(
    client: Client, tree: Tree, period: ReviewPeriod, commune_staff: User
) -> None:
    (review,) = proposed(period, tree["village"], 1)
    client.force_login(commune_staff)
    data = decision(review)
    data["pick"] = []
    answer = client.post(decide_of(period, tree["commune"]), data)
    assert answer.status_code == 400
    assert "Chưa chọn đảng viên nào" in answer.content.decode()


def test_a_secretary_sees_the_decisions_but_may_not_decide(
    client: Client, tree: Tree, period: ReviewPeriod
) -> None:
    (review,) = proposed(period, tree["village"], 1)
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["commune"]))
    body = client.get(decide_of(period, tree["commune"])).content.decode()
    assert 'name="pick"' not in body
    assert "chỉ được xem" in body
    assert client.post(decide_of(period, tree["commune"]), decision(review)).status_code == 403
    review.refresh_from_db()
    assert review.stage == Stage.BRANCH_PROPOSED


def test_publishing_moves_the_decided_ratings_to_published(
    client: Client, tree: Tree, period: ReviewPeriod, commune_staff: User
) -> None:
    member: Member = make_member(branch=tree["village"])
    review = make_review(
        period,
        member,
        Rating.GOOD,
        Stage.DECIDED,
        decider=tree["commune"],
        decided_on=date(2026, 12, 18),
    )
    client.force_login(commune_staff)
    assert (
        "Công khai kết quả xếp loại"
        in client.get(decide_of(period, tree["commune"])).content.decode()
    )
    answer = client.post(
        decide_of(period, tree["commune"]), {"form": "publish", "published_on": "19/12/2026"}
    )
    assert answer.status_code == 302
    review.refresh_from_db()
    assert review.stage == Stage.PUBLISHED
    assert (
        "Đã công khai kết quả xếp loại của 1 đảng viên"
        in client.get(answer["Location"]).content.decode()
    )


def test_publishing_counts_members_and_organisations_apart(
    client: Client, tree: Tree, period: ReviewPeriod, commune_staff: User
) -> None:
    from decimal import Decimal

    from dangvien.reviews.models import OrganisationReview

    for _ in range(2):
        make_review(
            period,
            make_member(branch=tree["village"]),
            Rating.GOOD,
            Stage.DECIDED,
            decider=tree["commune"],
            decided_on=date(2026, 12, 18),
        )
    OrganisationReview.objects.create(
        period=period,
        organisation=tree["village"],
        org_path=tree["village"].path,
        stage=Stage.DECIDED,
        self_score=Decimal("85"),
        self_rating=Rating.GOOD,
        self_assessed_on=date(2026, 12, 12),
        decided_rating=Rating.GOOD,
        decider=tree["commune"],
        decided_on=date(2026, 12, 18),
    )
    client.force_login(commune_staff)
    answer = client.post(
        decide_of(period, tree["commune"]), {"form": "publish", "published_on": "19/12/2026"}
    )
    assert answer.status_code == 302
    page = client.get(answer["Location"]).content.decode()
    assert "Đã công khai kết quả xếp loại của 2 đảng viên và 1 tổ chức đảng." in page


def test_publishing_nothing_answers_409_with_the_reason(
    client: Client, tree: Tree, period: ReviewPeriod, commune_staff: User
) -> None:
    client.force_login(commune_staff)
    proposed(period, tree["village"], 1)
    answer = client.post(
        decide_of(period, tree["commune"]), {"form": "publish", "published_on": "19/12/2026"}
    )
    assert answer.status_code == 409
    assert "chờ công khai" in answer.content.decode()


def test_the_decision_page_query_count_does_not_grow_with_the_members(
    client: Client, tree: Tree, period: ReviewPeriod, commune_staff: User
) -> None:
    client.force_login(commune_staff)
    url = decide_of(period, tree["commune"])

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    proposed(period, tree["village"], 2)
    few = count()
    proposed(period, tree["village"], 10)
    north = org(Kind.BRANCH, tree["commune"], name="Chi bộ thôn Bắc")
    proposed(period, north, 5, Rating.COMPLETE)  # a second chi bộ
    make_review(period, make_member(branch=tree["village"]), Rating.GOOD, Stage.DECIDED)
    assert count() == few


def test_a_closed_period_refuses_decisions_but_still_publishes(
    client: Client, tree: Tree, commune_staff: User
) -> None:
    period = make_period(tree["province"], 2026, closed_on=date(2026, 12, 19))
    (awaiting,) = proposed(period, tree["village"], 1)
    decided = make_review(
        period,
        make_member(branch=tree["village"]),
        Rating.GOOD,
        Stage.DECIDED,
        decider=tree["commune"],
        decided_on=date(2026, 12, 18),
    )
    client.force_login(commune_staff)
    body = client.get(decide_of(period, tree["commune"])).content.decode()
    assert 'name="pick"' not in body
    assert "Công khai kết quả xếp loại" in body
    answer = client.post(decide_of(period, tree["commune"]), decision(awaiting))
    assert answer.status_code == 409
    assert "đã kết thúc ngày 19/12/2026" in answer.content.decode()
    answer = client.post(
        decide_of(period, tree["commune"]), {"form": "publish", "published_on": "20/12/2026"}
    )
    assert answer.status_code == 302
    decided.refresh_from_db()
    assert decided.stage == Stage.PUBLISHED
