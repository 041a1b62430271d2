"""Wiring of the discipline form and of the member page's review card
(``{% member_reviews member %}``): login, scope 404, permission, the save and its
refusal, the ratings by period and the link for those who may record a discipline."""

from datetime import date

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse

from dangvien.accounts.models import Role, User
from dangvien.factories import make_member, user_with_role
from dangvien.members.models import Member
from dangvien.organisations.models import Organisation
from dangvien.reviews.models import Discipline, Penalty, Rating, Stage
from dangvien.reviews.tests.factories import make_period, make_review

pytestmark = pytest.mark.django_db

Tree = dict[str, Organisation]
TODAY = date(2026, 12, 15)  # timezone.localdate() in these tests (conftest.py)


@pytest.fixture
def member(tree: Tree) -> Member:
    return make_member(branch=tree["village"])


def form_of(member: Member) -> str:
    return reverse("reviews:discipline-new", args=[member.pk])


FILLED = {
    "penalty": Penalty.WARNING,
    "decided_on": "02/06/2026",
    "decision_no": "15-QĐ/ĐU",
    "body": "Đảng ủy xã An Bình",
    "reason": "Vi phạm quy định về những điều đảng viên không được làm",
}


def test_the_form_needs_a_login(client: Client, member: Member) -> None:
    assert client.get(form_of(member)).status_code == 302


def test_a_member_outside_the_scope_answers_404(client: Client, tree: Tree, member: Member) -> None:
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["other_branch"]))
    assert client.get(form_of(member)).status_code == 404
    assert client.post(form_of(member), FILLED).status_code == 404


def test_a_leader_may_not_record_a_discipline(client: Client, tree: Tree, member: Member) -> None:
    client.force_login(user_with_role(Role.LEADER, tree["commune"]))
    assert client.get(form_of(member)).status_code == 403
    assert client.post(form_of(member), FILLED).status_code == 403
    assert not Discipline.objects.exists()


def test_the_secretary_records_a_discipline_and_returns_to_the_member(
    client: Client, tree: Tree, member: Member
) -> None:
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    assert "Ghi nhận quyết định kỷ luật" in client.get(form_of(member)).content.decode()
    answer = client.post(form_of(member), FILLED)
    assert answer.status_code == 302
    assert answer["Location"] == reverse("members:detail", args=[member.pk])
    discipline = Discipline.objects.get()
    assert (discipline.member, discipline.penalty, discipline.decided_on) == (
        member,
        Penalty.WARNING,
        date(2026, 6, 2),
    )


def test_a_decision_dated_in_the_future_answers_409_and_keeps_the_form(
    client: Client, tree: Tree, member: Member
) -> None:
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    answer = client.post(form_of(member), {**FILLED, "decided_on": "20/12/2026"})
    body = answer.content.decode()
    assert answer.status_code == 409
    assert "không thể sau ngày hôm nay" in body
    assert "15-QĐ/ĐU" in body
    assert not Discipline.objects.exists()


def test_a_missing_reason_answers_400(client: Client, tree: Tree, member: Member) -> None:
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    answer = client.post(form_of(member), {**FILLED, "reason": ""})
    assert answer.status_code == 400
    assert not Discipline.objects.exists()


def render_card(member: Member, user: User) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load reviews_tags %}{% member_reviews member %}")
    return template.render(Context({"member": member, "request": request}))


def test_the_member_card_lists_ratings_and_disciplines_with_the_link(
    tree: Tree, member: Member
) -> None:
    last = make_period(tree["province"], 2025)
    this = make_period(tree["province"], 2026)
    make_review(last, member, Rating.FAILED, Stage.PUBLISHED, score="40")
    make_review(this, member, Rating.GOOD, Stage.BRANCH_PROPOSED)
    Discipline.objects.create(
        member=member,
        org_path=member.org_path,
        penalty=Penalty.REPRIMAND,
        decided_on=date(2026, 3, 3),
        decision_no="07-QĐ/CB",
        body="Chi bộ thôn Đông",
        reason="Bỏ sinh hoạt không lý do",
    )
    html = render_card(member, user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    assert html.index(this.name) < html.index(last.name)  # newest first
    assert "Không hoàn thành" in html
    assert "Chưa quyết định" in html
    assert "Khiển trách" in html and "07-QĐ/CB" in html
    assert reverse("reviews:discipline-new", args=[member.pk]) in html


def test_a_viewer_sees_the_card_without_the_link(tree: Tree, member: Member) -> None:
    html = render_card(member, user_with_role(Role.LEADER, tree["commune"]))
    assert "Chưa có kết quả kiểm điểm" in html
    assert reverse("reviews:discipline-new", args=[member.pk]) not in html
