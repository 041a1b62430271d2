"""The pool survey pages (``/thong-ke/<org_pk>/khao-sat-nguon/`` and one quarter's page):
wiring, who may freeze and write, scope, exports."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from dangvien.accounts.models import Role, User
from dangvien.api.tests.conftest import queries_used
from dangvien.factories import make_candidate, org, user_with_role
from dangvien.organisations.models import Kind, Organisation
from dangvien.stats.actions.surveys import take_pool_survey
from dangvien.stats.models import PoolSurvey

Tree = dict[str, Organisation]
TODAY = date(2026, 8, 15)


pytestmark = pytest.mark.usefixtures("frozen_today")  # TODAY above (conftest.py)


@pytest.fixture
def staff(tree: Tree) -> User:
    return user_with_role(Role.BOARD_STAFF, tree["commune"])


@pytest.fixture
def secretary(tree: Tree) -> User:
    return user_with_role(Role.BRANCH_SECRETARY, tree["village"])


@pytest.fixture
def pooled(tree: Tree) -> Tree:
    for branch in ("village", "village", "school_branch", "other_branch"):
        make_candidate(branch=tree[branch], listed_on=date(2026, 1, 5))
    return tree


def surveys_url(node: Organisation, query: str = "") -> str:
    return reverse("stats:surveys", args=[node.pk]) + (f"?{query}" if query else "")


def survey_url(node: Organisation, year: int, quarter: int, query: str = "") -> str:
    path = reverse("stats:survey", args=[node.pk, year, quarter])
    return path + (f"?{query}" if query else "")


def take_url(node: Organisation) -> str:
    return reverse("stats:survey-take", args=[node.pk])


def test_the_surveys_page_shows_today_s_pool_and_the_freeze_button(
    client: Client, pooled: Tree, staff: User
) -> None:
    take_pool_survey(pooled["commune"], year=2026, quarter=2, by=staff)
    client.force_login(staff)
    response = client.get(surveys_url(pooled["commune"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Khảo sát nguồn quần chúng ưu tú theo quý" in page
    assert "Quý II/2026" in page
    assert "Hiện nay (15/08/2026)" in page
    assert "Chốt số liệu khảo sát quý III/2026" in page
    assert "Theo độ tuổi" in page and "Đoàn viên thanh niên" in page
    assert "<svg" in page
    assert reverse("stats:survey", args=[pooled["village"].pk, 2026, 2]) in page  # drill down
    assert response.context["live"]["total"] == 3


def test_a_branch_secretary_sees_the_page_without_the_button(
    client: Client, pooled: Tree, secretary: User
) -> None:
    client.force_login(secretary)
    page = client.get(surveys_url(pooled["village"])).content.decode()
    assert "Quần chúng trong nguồn hôm nay" in page
    assert "Chốt số liệu khảo sát quý" not in page


def test_a_branch_secretary_cannot_freeze_the_survey(
    client: Client, pooled: Tree, secretary: User
) -> None:
    client.force_login(secretary)
    response = client.post(take_url(pooled["village"]), {"year": 2026, "quarter": 3})
    assert response.status_code == 403
    assert not PoolSurvey.objects.exists()


def test_staff_freeze_the_quarter_from_the_page(client: Client, pooled: Tree, staff: User) -> None:
    client.force_login(staff)
    response = client.post(take_url(pooled["commune"]), {"year": 2026, "quarter": 3}, follow=True)
    assert response.redirect_chain[-1][0] == surveys_url(pooled["commune"], "year=2026")
    assert "Đã chốt số liệu khảo sát nguồn quý III/2026 của Đảng bộ xã An Bình" in (
        response.content.decode()
    )
    assert PoolSurvey.objects.get(organisation=pooled["commune"], quarter=3).data["total"] == 3


def test_a_future_quarter_is_refused_on_the_page_with_its_message(
    client: Client, pooled: Tree, staff: User
) -> None:
    client.force_login(staff)
    response = client.post(take_url(pooled["commune"]), {"year": 2026, "quarter": 4})
    assert response.status_code == 409
    assert "Quý IV/2026 chưa bắt đầu." in response.content.decode()


def test_a_malformed_quarter_answers_400(client: Client, pooled: Tree, staff: User) -> None:
    client.force_login(staff)
    response = client.post(take_url(pooled["commune"]), {"year": 2026, "quarter": "x"})
    assert response.status_code == 400


def test_one_quarter_s_page_compares_it_with_the_quarter_before(
    client: Client, pooled: Tree, staff: User
) -> None:
    take_pool_survey(pooled["commune"], year=2026, quarter=2, by=staff)
    make_candidate(branch=pooled["clinic"], listed_on=date(2026, 8, 1))
    take_pool_survey(pooled["commune"], year=2026, quarter=3, by=staff)
    client.force_login(staff)
    response = client.get(survey_url(pooled["commune"], 2026, 3))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Khảo sát nguồn quần chúng ưu tú quý III/2026" in page
    assert "Số liệu chốt tại ngày 15/08/2026" in page
    total = response.context["blocks"][0].lines[0].cells
    assert [(c.value, c.change) for c in total] == [(3, None), (4, 1)]
    assert "+1" in page


def test_a_quarter_not_yet_frozen_says_so(client: Client, pooled: Tree, staff: User) -> None:
    client.force_login(staff)
    page = client.get(survey_url(pooled["commune"], 2026, 1)).content.decode()
    assert "Chưa chốt số liệu khảo sát quý I/2026 cho Đảng bộ xã An Bình." in page
    assert "Chốt số liệu khảo sát quý I/2026" in page  # an ended quarter never frozen


def test_a_quarter_outside_one_to_four_answers_404(
    client: Client, pooled: Tree, staff: User
) -> None:
    client.force_login(staff)
    assert client.get(survey_url(pooled["commune"], 2026, 5)).status_code == 404


def test_the_committee_writes_the_assessment_on_the_quarter_s_page(
    client: Client, pooled: Tree, staff: User
) -> None:
    take_pool_survey(pooled["commune"], year=2026, quarter=3, by=staff)
    client.force_login(staff)
    path = reverse("stats:survey-assessment", args=[pooled["commune"].pk, 2026, 3])
    response = client.post(path, {"text": "Nguồn trẻ, chủ yếu đoàn viên."})
    assert response.status_code == 302
    survey = PoolSurvey.objects.get(organisation=pooled["commune"], quarter=3)
    assert survey.assessment == "Nguồn trẻ, chủ yếu đoàn viên."
    page = client.get(survey_url(pooled["commune"], 2026, 3)).content.decode()
    assert "Nguồn trẻ, chủ yếu đoàn viên." in page


def test_a_branch_secretary_cannot_write_the_assessment(
    client: Client, pooled: Tree, staff: User, secretary: User
) -> None:
    take_pool_survey(pooled["village"], year=2026, quarter=3, by=staff)
    client.force_login(secretary)
    path = reverse("stats:survey-assessment", args=[pooled["village"].pk, 2026, 3])
    assert client.post(path, {"text": "Tốt."}).status_code == 403


def test_pages_outside_the_user_s_subtree_answer_404(
    client: Client, pooled: Tree, staff: User
) -> None:
    take_pool_survey(pooled["commune"], year=2026, quarter=3, by=staff)
    outsider = user_with_role(Role.BOARD_STAFF, pooled["other_commune"])
    client.force_login(outsider)
    commune = pooled["commune"]
    assert client.get(surveys_url(commune)).status_code == 404
    assert client.get(survey_url(commune, 2026, 3)).status_code == 404
    assert client.post(take_url(commune), {"year": 2026, "quarter": 3}).status_code == 404
    path = reverse("stats:survey-assessment", args=[commune.pk, 2026, 3])
    assert client.post(path, {"text": "x"}).status_code == 404


@pytest.mark.parametrize(
    ("fmt", "mime"),
    [
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("pdf", "application/pdf"),
    ],
)
def test_the_survey_pages_export_to_a_file(
    client: Client, pooled: Tree, staff: User, fmt: str, mime: str
) -> None:
    take_pool_survey(pooled["commune"], year=2026, quarter=3, by=staff, assessment="Khá.")
    client.force_login(staff)
    response = client.get(surveys_url(pooled["commune"], f"year=2026&format={fmt}"))
    assert response.status_code == 200
    assert response["Content-Type"] == mime
    assert (
        f'filename="khao-sat-nguon-2026-dang-bo-xa-an-binh.{fmt}"'
        in (response["Content-Disposition"])
    )
    response = client.get(survey_url(pooled["commune"], 2026, 3, f"format={fmt}"))
    assert response.status_code == 200
    assert response["Content-Type"] == mime
    assert len(response.content) > 500


def test_the_page_s_query_count_does_not_grow_with_candidates_or_children(
    client: Client, pooled: Tree, staff: User
) -> None:
    take_pool_survey(pooled["commune"], year=2026, quarter=3, by=staff)
    client.force_login(staff)
    client.get(surveys_url(pooled["commune"]))  # warm the session
    few = queries_used(lambda: client.get(surveys_url(pooled["commune"])))
    for n in range(3):
        branch = org(Kind.BRANCH, pooled["commune"], name=f"Chi bộ mới {n}")
        for _ in range(3):
            make_candidate(branch=branch, listed_on=date(2026, 4, 1))
    take_pool_survey(pooled["commune"], year=2026, quarter=3, by=staff)
    assert queries_used(lambda: client.get(surveys_url(pooled["commune"]))) == few
