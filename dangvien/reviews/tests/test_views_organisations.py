"""Wiring of the organisations' rating page: which organisations a committee rates (the
same answer as ``org_rating_decider``), recording a self-assessment, the bulk decision
and its all-or-nothing refusal, scope 404 and permissions."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from dangvien.accounts.models import Role, User
from dangvien.factories import org, user_with_role
from dangvien.organisations.models import Kind, Organisation
from dangvien.reviews.models import OrganisationReview, Rating, ReviewPeriod, Stage
from dangvien.reviews.queries.access import org_rating_decider
from dangvien.reviews.views.organisations import rated_by

pytestmark = pytest.mark.django_db

Tree = dict[str, Organisation]
TODAY = date(2026, 12, 15)  # timezone.localdate() in these tests (conftest.py)


def page_of(period: ReviewPeriod, node: Organisation) -> str:
    return reverse("reviews:organisations", args=[period.pk, node.pk])


def self_review(
    period: ReviewPeriod, node: Organisation, rating: str = Rating.GOOD, score: str = "80"
) -> OrganisationReview:
    return OrganisationReview.objects.create(
        period=period,
        organisation=node,
        org_path=node.path,
        self_score=Decimal(score),
        self_rating=rating,
        beyond_percent=40,
        self_assessed_on=date(2026, 12, 1),
    )


def assessment(node: Organisation, **values: object) -> dict[str, object]:
    """The self-assessment form of ``node`` (all tasks on time, 10% beyond requirements,
    shortcomings not fixed unless ``values`` say so)."""
    return {
        "form": "assess",
        "organisation": node.pk,
        "on_time_percent": "100",
        "beyond_percent": "10",
        "assessed_on": "10/12/2026",
        **values,
    }


def decision(ratings: dict[OrganisationReview, str]) -> dict[str, object]:
    """The decision form ticking the reviews of ``ratings``, each with its rating."""
    data: dict[str, object] = {
        "form": "decide",
        "decision_no": "30-QĐ/ĐU",
        "decided_on": "14/12/2026",
        "pick": [str(r.pk) for r in ratings],
    }
    for review, rating in ratings.items():
        data[f"r{review.pk}-rating"] = rating
    return data


def test_the_organisations_each_committee_rates_match_org_rating_decider(tree: Tree) -> None:
    sub = org(Kind.SUB_COMMITTEE, tree["school"], name="Đảng bộ bộ phận Khối 10")
    org(Kind.BRANCH, sub, name="Chi bộ lớp 10A")
    nodes = list(Organisation.objects.all())
    for committee in nodes:
        expected = {
            n.pk for n in nodes if n.pk != committee.pk and org_rating_decider(n) == committee
        }
        assert {n.pk for n in rated_by(committee)} == expected, committee.name


def test_the_page_needs_a_login(client: Client, tree: Tree, period: ReviewPeriod) -> None:
    assert client.get(page_of(period, tree["commune"])).status_code == 302


def test_a_committee_outside_the_scope_answers_404(
    client: Client, tree: Tree, period: ReviewPeriod
) -> None:
    client.force_login(user_with_role(Role.GRASSROOTS_STAFF, tree["other_commune"]))
    assert client.get(page_of(period, tree["commune"])).status_code == 404
    assert client.get(page_of(period, tree["other_commune"])).status_code == 200


def test_the_commune_lists_the_organisations_it_rates(
    client: Client, tree: Tree, period: ReviewPeriod, commune_staff: User
) -> None:
    self_review(period, tree["village"])
    client.force_login(commune_staff)
    body = client.get(page_of(period, tree["commune"])).content.decode()
    for name in ("Chi bộ thôn Đông", "Đảng bộ Trường THPT An Bình", "Chi bộ Trạm Y tế"):
        assert name in body
    assert "Chi bộ Tổ Toán" not in body  # rated by the school's đảng ủy
    assert "Chưa tự đánh giá" in body
    review = OrganisationReview.objects.get()
    assert f'name="pick" value="{review.pk}" checked' in body


def test_a_chi_bo_records_its_self_assessment(
    client: Client, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    client.force_login(secretary)
    answer = client.post(
        page_of(period, tree["village"]),
        assessment(
            tree["village"], self_score="86,5", self_rating=Rating.GOOD, shortcomings_fixed="on"
        ),
    )
    assert answer.status_code == 302
    review = OrganisationReview.objects.get()
    assert (review.organisation, review.self_score, review.self_rating) == (
        tree["village"],
        Decimal("86.5"),
        Rating.GOOD,
    )


def test_a_self_rating_above_the_score_answers_409_beside_the_rating(
    client: Client, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    client.force_login(secretary)
    answer = client.post(
        page_of(period, tree["village"]),
        assessment(tree["village"], self_score="75", self_rating=Rating.EXCELLENT),
    )
    assert answer.status_code == 409
    assert "Không thể xếp loại “Hoàn thành xuất sắc nhiệm vụ” (điểm 75)" in answer.content.decode()
    assert not OrganisationReview.objects.exists()


def test_the_commune_decides_the_ticked_organisations(
    client: Client, tree: Tree, period: ReviewPeriod, commune_staff: User
) -> None:
    village = self_review(period, tree["village"])
    clinic = self_review(period, tree["clinic"], Rating.COMPLETE, "60")
    client.force_login(commune_staff)
    answer = client.post(
        page_of(period, tree["commune"]),
        decision({village: Rating.COMPLETE, clinic: Rating.COMPLETE}),
    )
    assert answer.status_code == 302
    village.refresh_from_db()
    clinic.refresh_from_db()
    assert (village.stage, village.decided_rating) == (Stage.DECIDED, Rating.COMPLETE)
    assert clinic.decided_rating == Rating.COMPLETE


def test_one_refused_organisation_decides_none(
    client: Client, tree: Tree, period: ReviewPeriod, commune_staff: User
) -> None:
    village = self_review(period, tree["village"])
    clinic = self_review(period, tree["clinic"], Rating.COMPLETE, "60")
    client.force_login(commune_staff)
    answer = client.post(
        page_of(period, tree["commune"]),
        decision({village: Rating.GOOD, clinic: Rating.EXCELLENT}),
    )
    body = answer.content.decode()
    assert answer.status_code == 409
    assert "Chưa quyết định cho tổ chức nào" in body
    assert "Chi bộ Trạm Y tế: Không thể xếp loại “Hoàn thành xuất sắc nhiệm vụ”" in body
    assert not OrganisationReview.objects.filter(stage=Stage.DECIDED).exists()


def test_a_secretary_may_not_decide_organisations(
    client: Client, tree: Tree, period: ReviewPeriod
) -> None:
    village = self_review(period, tree["village"])
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["commune"]))
    body = client.get(page_of(period, tree["commune"])).content.decode()
    assert 'name="pick"' not in body
    answer = client.post(
        page_of(period, tree["commune"]),
        {"form": "decide", "decision_no": "1", "decided_on": "14/12/2026", "pick": [village.pk]},
    )
    assert answer.status_code == 403
