"""Organisations rate themselves and the committee above decides (366-QĐ/TW [C]; the
collective's conditions for "excellent", 124-QĐ/TW [C]; quota 132/124-QĐ/TW [U])."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from dangvien.accounts.models import Role, User
from dangvien.core.errors import NotAllowed, NotEligible, StageNotAllowed
from dangvien.factories import org, user_with_role
from dangvien.organisations.models import Kind, Organisation
from dangvien.reviews.actions import (
    BulkRefused,
    DecisionItem,
    decide_org_ratings,
    record_org_assessment,
)
from dangvien.reviews.actions.organisations import org_deciders
from dangvien.reviews.models import OrganisationReview, Rating, ReviewPeriod, Stage
from dangvien.reviews.queries.access import org_rating_decider
from dangvien.reviews.tests.factories import make_period

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 20)
ON = date(2026, 12, 12)


def assess(
    period: ReviewPeriod, organisation: Organisation, by: User, **kw: Any
) -> OrganisationReview:
    fields: dict[str, Any] = {
        "self_score": Decimal("85"),
        "self_rating": Rating.GOOD,
        "assessed_on": ON,
    }
    fields.update(kw)
    return record_org_assessment(period, organisation, by=by, **fields)


def test_a_chi_bo_records_its_self_assessment_through_its_secretary(
    tree: dict[str, Organisation], period: ReviewPeriod
) -> None:
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    review = assess(period, tree["village"], secretary, self_comment="Sinh hoạt đều đặn")
    assert (review.stage, review.self_rating, review.org_path) == (
        Stage.SELF_ASSESSED,
        Rating.GOOD,
        tree["village"].path,
    )
    again = assess(period, tree["village"], secretary, self_score=Decimal("80"))
    assert again.pk == review.pk and again.self_score == Decimal("80.0")
    with pytest.raises(NotAllowed):
        assess(period, tree["school"], secretary)


def test_a_grassroots_organisation_needs_its_committee(
    tree: dict[str, Organisation], period: ReviewPeriod
) -> None:
    with pytest.raises(NotAllowed):
        assess(period, tree["school"], user_with_role(Role.BRANCH_SECRETARY, tree["school"]))
    assert assess(period, tree["school"], user_with_role(Role.GRASSROOTS_STAFF, tree["school"]))


def test_excellent_for_an_organisation_needs_shortcomings_fixed_and_no_discipline(
    tree: dict[str, Organisation], period: ReviewPeriod, commune_staff: User
) -> None:
    fields: dict[str, Any] = {
        "self_score": Decimal("95"),
        "self_rating": Rating.EXCELLENT,
        "beyond_percent": 40,
    }
    with pytest.raises(NotEligible, match="chưa khắc phục xong 100% hạn chế") as error:
        assess(period, tree["village"], commune_staff, shortcomings_fixed=False, **fields)
    assert error.value.field == "self_rating"
    with pytest.raises(NotEligible, match="bị kỷ luật trong kỳ"):
        assess(period, tree["village"], commune_staff, disciplined=True, **fields)
    assert assess(period, tree["village"], commune_staff, **fields).self_rating == Rating.EXCELLENT


def test_the_top_of_the_period_has_no_committee_to_rate_it_within_the_period(
    tree: dict[str, Organisation], commune_staff: User
) -> None:
    period = make_period(tree["commune"], 2026)
    with pytest.raises(NotEligible, match="ngoài phạm vi kỳ"):
        assess(period, tree["commune"], commune_staff)


def decide(period: ReviewPeriod, decider: Organisation, by: User, items: list[DecisionItem]) -> Any:
    return decide_org_ratings(
        period, decider, by=by, decision_no="20-QĐ/ĐU", decided_on=TODAY, items=items
    )


def test_the_committee_decides_the_organisations_it_rates(
    tree: dict[str, Organisation], period: ReviewPeriod, commune_staff: User
) -> None:
    village = assess(period, tree["village"], commune_staff)
    school = assess(period, tree["school"], commune_staff, self_rating=Rating.COMPLETE)
    results = decide(
        period,
        tree["commune"],
        commune_staff,
        [DecisionItem(village.pk), DecisionItem(school.pk, Rating.GOOD)],
    )
    assert [(r.member_id, r.name, r.ok) for r in results] == [
        (tree["village"].pk, "Chi bộ thôn Đông", True),
        (tree["school"].pk, "Đảng bộ Trường THPT An Bình", True),
    ]
    assert set(
        OrganisationReview.objects.values_list("organisation__name", "stage", "decided_rating")
    ) == {
        ("Chi bộ thôn Đông", Stage.DECIDED, Rating.GOOD),
        ("Đảng bộ Trường THPT An Bình", Stage.DECIDED, Rating.GOOD),
    }
    with pytest.raises(StageNotAllowed, match="không sửa tự đánh giá"):
        assess(period, tree["village"], commune_staff)


def test_an_organisation_rated_by_another_committee_refuses_the_batch(
    tree: dict[str, Organisation], period: ReviewPeriod, commune_staff: User
) -> None:
    village = assess(period, tree["village"], commune_staff)
    school_branch = assess(period, tree["school_branch"], commune_staff)
    with pytest.raises(BulkRefused) as error:
        decide(
            period,
            tree["commune"],
            commune_staff,
            [DecisionItem(village.pk), DecisionItem(school_branch.pk)],
        )
    assert error.value.results[1].message == (
        "Xếp loại Chi bộ Tổ Toán không do Đảng bộ xã An Bình quyết định."
    )
    assert not OrganisationReview.objects.filter(stage=Stage.DECIDED).exists()


def test_the_quota_applies_among_the_organisations_one_committee_rates(
    tree: dict[str, Organisation], period: ReviewPeriod, commune_staff: User
) -> None:
    branches = [org(Kind.BRANCH, tree["commune"], name=f"Chi bộ thôn {n}") for n in range(9)]
    reviews = [
        assess(
            period,
            branch,
            commune_staff,
            self_score=Decimal("95"),
            self_rating=Rating.EXCELLENT,
            beyond_percent=40,
        )
        for branch in branches[:3]
    ]
    reviews += [assess(period, b, commune_staff) for b in [*branches[3:], tree["village"]]]
    with pytest.raises(BulkRefused) as error:
        decide(period, tree["commune"], commune_staff, [DecisionItem(r.pk) for r in reviews])
    assert error.value.results[0].message == (
        "Đảng bộ xã An Bình có 3 tổ chức đảng hoàn thành xuất sắc trên 10 tổ chức đảng "
        "hoàn thành tốt trở lên: vượt tỷ lệ 20% (tối đa 2)."
    )
    items = [DecisionItem(r.pk) for r in reviews]
    items[2] = DecisionItem(reviews[2].pk, Rating.GOOD)
    assert all(r.ok for r in decide(period, tree["commune"], commune_staff, items))


def test_the_organisations_quota_does_not_depend_on_the_order_of_the_decisions(
    tree: dict[str, Organisation], period: ReviewPeriod, commune_staff: User
) -> None:
    branches = [org(Kind.BRANCH, tree["commune"], name=f"Chi bộ thôn {n}") for n in range(9)]
    excellent = [
        assess(
            period,
            branch,
            commune_staff,
            self_score=Decimal("95"),
            self_rating=Rating.EXCELLENT,
            beyond_percent=40,
        )
        for branch in branches[:2]
    ]
    good = [assess(period, b, commune_staff) for b in [*branches[2:], tree["village"]]]
    # 2 excellent among the 10 organisations the commune rates: deciding them first is fine.
    assert all(
        r.ok
        for r in decide(
            period, tree["commune"], commune_staff, [DecisionItem(r.pk) for r in excellent]
        )
    )
    assert all(
        r.ok
        for r in decide(period, tree["commune"], commune_staff, [DecisionItem(r.pk) for r in good])
    )


def test_an_organisation_outside_the_committee_is_answered_as_unknown_without_a_name(
    tree: dict[str, Organisation], period: ReviewPeriod, commune_staff: User
) -> None:
    mine = assess(period, tree["village"], commune_staff)
    far = assess(
        period, tree["other_branch"], user_with_role(Role.GRASSROOTS_STAFF, tree["other_commune"])
    )
    with pytest.raises(BulkRefused) as error:
        decide(
            period, tree["commune"], commune_staff, [DecisionItem(mine.pk), DecisionItem(far.pk)]
        )
    result = error.value.results[1]
    assert (result.member_id, result.name, result.message) == (
        0,
        "",
        f"Không có bản tự đánh giá số {far.pk} trong kỳ “{period.name}”.",
    )
    assert tree["other_branch"].name not in str(error.value)


def test_org_deciders_agree_with_the_access_rule(tree: dict[str, Organisation]) -> None:
    orgs = list(tree.values())
    found = org_deciders(orgs)
    for node in orgs:
        decider = org_rating_decider(node)
        assert found[node.pk] == (decider.pk if decider else None), node.name
