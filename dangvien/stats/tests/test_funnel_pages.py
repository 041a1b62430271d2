"""The funnel page (``/thong-ke/<org_pk>/pheu/``): wiring, filters, scope, exports."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from dangvien.accounts.models import Role, User
from dangvien.api.tests.conftest import queries_used
from dangvien.candidates.models import Stage, StageChange
from dangvien.factories import make_candidate, org, user_with_role
from dangvien.organisations.models import Kind, Organisation

Tree = dict[str, Organisation]
TODAY = date(2026, 8, 15)


pytestmark = pytest.mark.usefixtures("frozen_today")  # TODAY above (conftest.py)


@pytest.fixture
def leader(tree: Tree) -> User:
    return user_with_role(Role.LEADER, tree["commune"])


@pytest.fixture
def pipeline(tree: Tree) -> Tree:
    for branch, listed_on in (("village", date(2026, 2, 1)), ("clinic", date(2026, 3, 1))):
        candidate = make_candidate(branch=tree[branch], listed_on=listed_on, stage=Stage.CERTIFIED)
        StageChange.objects.create(
            candidate=candidate,
            from_stage=Stage.CANDIDATE,
            to_stage=Stage.CERTIFIED,
            on=date(2026, 4, 1),
        )
    make_candidate(branch=tree["village"], listed_on=date(2025, 5, 1), stage=Stage.CANDIDATE)
    return tree


def url(node: Organisation, query: str = "") -> str:
    return reverse("stats:funnel", args=[node.pk]) + (f"?{query}" if query else "")


def test_the_funnel_page_shows_the_steps_and_the_children(
    client: Client, pipeline: Tree, leader: User
) -> None:
    client.force_login(leader)
    response = client.get(url(pipeline["commune"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Phễu phát triển đảng viên" in page
    assert "Từ 01/01/2026 đến 15/08/2026" in page
    for heading in ("Bước", "Số lượng", "Tỷ lệ chuyển tiếp", "Số ngày trung vị"):
        assert heading in page
    assert "Có giấy chứng nhận" in page
    assert "100,0%" in page  # certified 2 of the 2 who reached the course step
    assert reverse("stats:funnel", args=[pipeline["village"].pk]) in page  # drill down
    assert "<svg" in page
    assert "có thể vượt 100%" in page  # flow mode says so


def test_the_cohort_mode_and_a_year_are_read_from_the_query(
    client: Client, pipeline: Tree, leader: User
) -> None:
    client.force_login(leader)
    page = client.get(url(pipeline["commune"], "mode=cohort&year=2025")).content.decode()
    assert "Năm 2025 · Theo lứa đưa vào nguồn trong kỳ" in page
    assert "Còn đang theo dõi (chưa kết nạp)" in page


def test_a_period_typed_as_dates_is_used(client: Client, pipeline: Tree, leader: User) -> None:
    client.force_login(leader)
    response = client.get(url(pipeline["commune"], "from=01/03/2026&to=31/03/2026"))
    assert response.context["result"].steps[0].count == 1  # only the clinic's candidate
    assert "Từ 01/03/2026 đến 31/03/2026" in response.content.decode()


def test_an_unreadable_date_shows_a_message_and_the_default_period(
    client: Client, pipeline: Tree, leader: User
) -> None:
    client.force_login(leader)
    response = client.get(url(pipeline["commune"], "from=40/01/2026"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ngày không hợp lệ: dùng dạng dd/mm/yyyy" in page
    assert "từ 01/01/2026 đến 15/08/2026" in page


def test_a_node_outside_the_user_s_subtree_answers_404(
    client: Client, pipeline: Tree, leader: User
) -> None:
    client.force_login(leader)
    assert client.get(url(pipeline["other_commune"])).status_code == 404
    assert client.get(url(pipeline["province"])).status_code == 404


def test_the_funnel_page_needs_a_login(client: Client, pipeline: Tree) -> None:
    response = client.get(url(pipeline["commune"]))
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("fmt", "mime"),
    [
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("pdf", "application/pdf"),
    ],
)
def test_the_funnel_exports_to_a_file(
    client: Client, pipeline: Tree, leader: User, fmt: str, mime: str
) -> None:
    client.force_login(leader)
    response = client.get(url(pipeline["commune"], f"mode=cohort&format={fmt}"))
    assert response.status_code == 200
    assert response["Content-Type"] == mime
    assert (
        f'filename="pheu-cohort-20260101-20260815-dang-bo-xa-an-binh.{fmt}"'
        in response["Content-Disposition"]
    )
    assert len(response.content) > 500


def test_the_page_s_query_count_does_not_grow_with_candidates_or_children(
    client: Client, pipeline: Tree, leader: User
) -> None:
    client.force_login(leader)
    client.get(url(pipeline["commune"]))  # warm the session
    few = queries_used(lambda: client.get(url(pipeline["commune"])))
    for n in range(3):
        branch = org(Kind.BRANCH, pipeline["commune"], name=f"Chi bộ mới {n}")
        for _ in range(3):
            make_candidate(branch=branch, listed_on=date(2026, 4, 1), stage=Stage.CANDIDATE)
    assert queries_used(lambda: client.get(url(pipeline["commune"]))) == few
