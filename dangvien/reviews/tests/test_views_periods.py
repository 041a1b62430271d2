"""Wiring of the periods list and the period page: login, who may open or close a period,
the refusal of a second yearly period (409 with the message), progress per child, the
links to the sheets and the decision page, scope 404."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from dangvien.accounts.models import Role, User
from dangvien.factories import make_member, user_with_role
from dangvien.organisations.models import Organisation
from dangvien.reviews.models import PeriodKind, Rating, ReviewPeriod, Stage
from dangvien.reviews.tests.factories import make_period, make_review

pytestmark = pytest.mark.django_db

Tree = dict[str, Organisation]
TODAY = date(2026, 12, 15)  # timezone.localdate() in these tests (conftest.py)
PERIODS = "/danh-gia/"


@pytest.fixture
def province_staff(tree: Tree) -> User:
    return user_with_role(Role.BOARD_STAFF, tree["province"])


def page_of(period: ReviewPeriod, node: Organisation | None = None) -> str:
    url = reverse("reviews:period", args=[period.pk])
    return f"{url}?node={node.pk}" if node else url


def test_the_periods_url_is_danh_gia() -> None:
    assert reverse("reviews:periods") == PERIODS


def test_the_periods_list_needs_a_login(client: Client) -> None:
    assert client.get(PERIODS).status_code == 302


def test_a_secretary_sees_the_province_period_but_no_form_to_open_one(
    client: Client, tree: Tree
) -> None:
    period = make_period(tree["province"], 2026)
    hidden = make_period(tree["other_commune"], 2025)
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    body = client.get(PERIODS).content.decode()
    assert period.name in body
    assert hidden.name not in body
    assert "Mở kỳ kiểm điểm mới" not in body
    assert client.post(PERIODS, {"organisation": tree["village"].pk}).status_code == 403


def test_a_committee_opens_a_yearly_period_and_lands_on_its_page(
    client: Client, tree: Tree, province_staff: User
) -> None:
    client.force_login(province_staff)
    assert "Mở kỳ kiểm điểm mới" in client.get(PERIODS).content.decode()
    answer = client.post(
        PERIODS, {"organisation": tree["province"].pk, "kind": PeriodKind.YEARLY, "year": 2026}
    )
    period = ReviewPeriod.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("reviews:period", args=[period.pk])
    assert (period.starts_on, period.ends_on) == (date(2026, 1, 1), date(2026, 12, 31))
    assert "Đã mở kỳ" in client.get(answer["Location"]).content.decode()


def test_a_second_yearly_period_is_refused_beside_the_year(
    client: Client, tree: Tree, province_staff: User
) -> None:
    make_period(tree["commune"], 2026)
    client.force_login(province_staff)
    answer = client.post(
        PERIODS, {"organisation": tree["province"].pk, "kind": PeriodKind.YEARLY, "year": 2026}
    )
    assert answer.status_code == 409
    assert (
        "Cấp dưới là Đảng bộ xã An Bình đã mở kỳ kiểm điểm, đánh giá năm 2026"
        in answer.content.decode()
    )
    assert "mỗi đảng viên chỉ được kiểm điểm, xếp loại một lần mỗi năm" in (answer.content.decode())
    assert ReviewPeriod.objects.count() == 1


def test_an_invalid_year_answers_400(client: Client, tree: Tree, province_staff: User) -> None:
    client.force_login(province_staff)
    answer = client.post(
        PERIODS, {"organisation": tree["province"].pk, "kind": PeriodKind.YEARLY, "year": "x"}
    )
    assert answer.status_code == 400
    assert not ReviewPeriod.objects.exists()


def test_the_period_page_shows_progress_per_child_and_the_links_to_act(
    client: Client, tree: Tree
) -> None:
    period = make_period(tree["province"], 2026)
    for _ in range(3):
        make_review(period, make_member(branch=tree["village"]), Rating.GOOD, Stage.SELF_ASSESSED)
    make_member(branch=tree["village"], exempted_since=date(2026, 2, 1))
    client.force_login(user_with_role(Role.GRASSROOTS_STAFF, tree["commune"]))
    answer = client.get(page_of(period))
    body = answer.content.decode()
    assert answer.status_code == 200
    # The commune staff lands on their commune (the period was opened above them).
    assert "Đảng bộ xã An Bình" in body
    assert "Chi bộ thôn Đông" in body
    assert reverse("reviews:sheet", args=[period.pk, tree["village"].pk]) in body
    assert reverse("reviews:decide", args=[period.pk, tree["commune"].pk]) in body
    assert "Quyết định xếp loại đảng viên" in body
    village_row = body[body.index("Chi bộ thôn Đông") :]
    assert '<td data-label="Đảng viên" class="num">4</td>' in village_row
    assert '<td data-label="Miễn sinh hoạt" class="num">1</td>' in village_row
    assert '<td data-label="Đã tự đánh giá" class="num">3</td>' in village_row


def test_a_chi_bo_sees_its_own_quota_line_on_the_period_page(
    client: Client, tree: Tree, period: ReviewPeriod
) -> None:
    for _ in range(2):
        make_review(period, make_member(branch=tree["village"]), Rating.GOOD)
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    body = client.get(page_of(period, tree["village"])).content.decode()
    assert "Chưa có đề xuất xếp loại nào." not in body
    assert f'data-quota="{tree["village"].pk}"' in body


def test_a_node_outside_the_scope_or_the_period_answers_404(client: Client, tree: Tree) -> None:
    period = make_period(tree["commune"], 2026)
    client.force_login(user_with_role(Role.BOARD_STAFF, tree["province"]))
    assert client.get(page_of(period, tree["other_commune"])).status_code == 404
    assert client.get(page_of(period, tree["school"])).status_code == 200
    client.force_login(user_with_role(Role.BOARD_STAFF, tree["other_commune"]))
    assert client.get(page_of(period)).status_code == 404


def test_the_committee_that_opened_the_period_closes_it(
    client: Client, tree: Tree, province_staff: User
) -> None:
    period = make_period(tree["province"], 2026)
    client.force_login(user_with_role(Role.GRASSROOTS_STAFF, tree["commune"]))
    assert "Kết thúc kỳ kiểm điểm" not in client.get(page_of(period)).content.decode()
    assert client.post(page_of(period), {"closed_on": "15/12/2026"}).status_code == 403
    client.force_login(province_staff)
    answer = client.post(page_of(period), {"closed_on": "15/12/2026"})
    assert answer.status_code == 302
    period.refresh_from_db()
    assert period.closed_on == date(2026, 12, 15)
    assert "Kết thúc kỳ kiểm điểm" not in client.get(page_of(period)).content.decode()
    again = client.post(page_of(period), {"closed_on": "15/12/2026"})
    assert again.status_code == 409
    assert "đã kết thúc ngày 15/12/2026" in again.content.decode()
