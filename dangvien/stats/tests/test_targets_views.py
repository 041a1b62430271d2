"""Wiring of the targets pages: login, scope 404, who gets inputs, the one-form save of
all children, the shortfall warning, the history, the exports, flat query counts."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dangvien.accounts.models import Role, User
from dangvien.factories import org, user_with_role
from dangvien.organisations.models import Kind, Organisation
from dangvien.stats.actions.targets import set_target
from dangvien.stats.models import Target, TargetRevision
from dangvien.stats.tests.factories import make_target

pytestmark = pytest.mark.django_db

Tree = dict[str, Organisation]
YEAR = 2026


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *a: date(2026, 6, 15))


@pytest.fixture
def province_staff(tree: Tree) -> User:
    return user_with_role(Role.BOARD_STAFF, tree["province"], display_name="Lê Văn Tỉnh")


@pytest.fixture
def commune_staff(tree: Tree) -> User:
    return user_with_role(Role.BOARD_STAFF, tree["commune"])


def page_of(node: Organisation, **params: object) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"year": YEAR, **params}.items())
    return f"{reverse('stats:targets', args=[node.pk])}?{query}"


def history_of(node: Organisation, year: int = YEAR) -> str:
    return reverse("stats:target-history", args=[node.pk, year])


def test_the_page_needs_a_login(client: Client, tree: Tree) -> None:
    answer = client.get(page_of(tree["commune"]))
    assert answer.status_code == 302
    assert "/login" in answer["Location"] or "dang-nhap" in answer["Location"]


def test_a_node_outside_the_users_scope_answers_404(client: Client, tree: Tree) -> None:
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["other_branch"]))
    assert client.get(page_of(tree["commune"])).status_code == 404
    assert client.get(history_of(tree["commune"])).status_code == 404
    assert client.get(page_of(tree["other_branch"])).status_code == 200


def test_the_province_page_warns_when_the_communes_targets_fall_short(
    client: Client, tree: Tree, province_staff: User
) -> None:
    """Seed 003 (Hòa Bình 2022): the province plans 1,600 and assigns the rest below."""
    make_target(tree["province"], YEAR, 1600, reason="Nghị quyết Đại hội")
    make_target(tree["commune"], YEAR, 1000)
    make_target(tree["other_commune"], YEAR, 450)
    client.force_login(province_staff)
    body = client.get(page_of(tree["province"])).content.decode()
    assert (
        "Tổng chỉ tiêu giao cho cấp dưới (1.450) thấp hơn chỉ tiêu của Tỉnh ủy Thử Nghiệm "
        "(1.600): còn thiếu 150." in body
    )
    assert "Nghị quyết Đại hội" in body


def test_no_warning_when_the_children_add_up_to_the_parent(
    client: Client, tree: Tree, province_staff: User
) -> None:
    make_target(tree["province"], YEAR, 1600)
    make_target(tree["commune"], YEAR, 1000)
    make_target(tree["other_commune"], YEAR, 600)
    client.force_login(province_staff)
    body = client.get(page_of(tree["province"])).content.decode()
    assert "còn thiếu" not in body
    assert 'id="shortfall"' not in body


def test_children_without_a_target_are_highlighted(
    client: Client, tree: Tree, commune_staff: User
) -> None:
    make_target(tree["school"], YEAR, 12)
    client.force_login(commune_staff)
    body = client.get(page_of(tree["commune"])).content.decode()
    assert body.count('class="targets-missing"') == 2  # the village and the clinic
    assert body.count("Chưa giao</span>") == 2
    assert "2/3 tổ chức trực thuộc chưa được giao chỉ tiêu." in body


def test_staff_of_the_committee_get_one_input_per_child_but_not_for_its_own_target(
    client: Client, tree: Tree, commune_staff: User
) -> None:
    client.force_login(commune_staff)
    body = client.get(page_of(tree["commune"])).content.decode()
    for child in ("village", "school", "clinic"):
        assert f'name="child_{tree[child].pk}"' in body
    assert 'value="children"' in body
    assert 'value="own"' not in body  # the province sets the commune's target


def test_the_committee_above_may_revise_the_nodes_own_target(
    client: Client, tree: Tree, province_staff: User
) -> None:
    make_target(tree["commune"], YEAR, 20)
    client.force_login(province_staff)
    body = client.get(page_of(tree["commune"])).content.decode()
    assert 'value="own"' in body
    assert "Điều chỉnh</summary>" in body


def test_a_read_only_user_sees_the_same_figures_without_inputs(client: Client, tree: Tree) -> None:
    make_target(tree["commune"], YEAR, 1600)
    make_target(tree["school"], YEAR, 1200)
    client.force_login(user_with_role(Role.LEADER, tree["province"]))
    body = client.get(page_of(tree["commune"])).content.decode()
    assert "1.200" in body and "1.600" in body
    assert "<input" not in body.split('class="filters"', 1)[1].split("</form>", 1)[1]
    assert 'name="child_' not in body


def test_each_child_links_to_its_own_targets_page_and_history(
    client: Client, tree: Tree, commune_staff: User
) -> None:
    make_target(tree["school"], YEAR, 12)
    client.force_login(commune_staff)
    body = client.get(page_of(tree["commune"])).content.decode()
    assert f'href="{page_of(tree["school"])}"' in body
    assert f'href="{history_of(tree["school"])}"' in body


def test_a_branch_page_shows_only_its_own_target(
    client: Client, tree: Tree, commune_staff: User
) -> None:
    make_target(tree["village"], YEAR, 3, women=1)
    client.force_login(commune_staff)
    body = client.get(page_of(tree["village"])).content.decode()
    assert 'id="own"' in body
    assert 'id="children"' not in body
    assert "Trong đó: Nữ" in body


def test_saving_all_children_in_one_form(client: Client, tree: Tree, commune_staff: User) -> None:
    client.force_login(commune_staff)
    data = {
        "form": "children",
        f"child_{tree['village'].pk}": "3",
        f"child_{tree['school'].pk}": "12",
        f"child_{tree['clinic'].pk}": "",
        "reason": "KH 03-KH/ĐU",
    }
    answer = client.post(page_of(tree["commune"]), data)
    assert answer.status_code == 302
    assert answer["Location"] == page_of(tree["commune"])
    assert dict(Target.objects.values_list("organisation__name", "target")) == {
        "Chi bộ thôn Đông": 3,
        "Đảng bộ Trường THPT An Bình": 12,
    }


def test_an_error_on_one_child_saves_nothing_and_shows_beside_that_child(
    client: Client, tree: Tree, commune_staff: User
) -> None:
    make_target(tree["school"], YEAR, 10, youth_union=8)
    client.force_login(commune_staff)
    data = {
        "form": "children",
        f"child_{tree['village'].pk}": "3",
        f"child_{tree['school'].pk}": "5",  # below its youth union target of 8
        "reason": "Giảm",
    }
    answer = client.post(page_of(tree["commune"]), data)
    assert answer.status_code == 409
    body = answer.content.decode()
    assert (
        "Đảng bộ Trường THPT An Bình: Chỉ tiêu đoàn viên thanh niên (8) lớn hơn chỉ tiêu "
        "kết nạp (5)." in body
    )
    assert "Chưa lưu chỉ tiêu nào" in body
    assert list(Target.objects.values_list("target", flat=True)) == [10]


def test_a_child_that_had_a_target_cannot_be_emptied(
    client: Client, tree: Tree, commune_staff: User
) -> None:
    make_target(tree["school"], YEAR, 10)
    client.force_login(commune_staff)
    answer = client.post(
        page_of(tree["commune"]), {"form": "children", f"child_{tree['school'].pk}": ""}
    )
    assert answer.status_code == 400
    assert "không xóa (nhập 0 nếu không giao)" in answer.content.decode()


def test_revising_the_own_target_without_a_reason_is_refused_on_the_page(
    client: Client, tree: Tree, province_staff: User
) -> None:
    make_target(tree["commune"], YEAR, 20)
    client.force_login(province_staff)
    answer = client.post(page_of(tree["commune"]), {"form": "own", "target": "25", "reason": ""})
    assert answer.status_code == 409
    assert "Điều chỉnh chỉ tiêu cần ghi lý do." in answer.content.decode()
    assert Target.objects.get().target == 20


def test_revising_the_own_target_with_a_breakdown(
    client: Client, tree: Tree, province_staff: User
) -> None:
    make_target(tree["commune"], YEAR, 20)
    client.force_login(province_staff)
    answer = client.post(
        page_of(tree["commune"]),
        {"form": "own", "target": "25", "women": "10", "reason": "Văn bản 15-CV/TU"},
    )
    assert answer.status_code == 302
    target = Target.objects.get()
    assert (target.target, target.breakdown, target.revision) == (25, {"women": 10}, 2)


def test_a_breakdown_above_the_target_is_shown_beside_its_input(
    client: Client, tree: Tree, province_staff: User
) -> None:
    client.force_login(province_staff)
    answer = client.post(page_of(tree["commune"]), {"form": "own", "target": "20", "women": "30"})
    assert answer.status_code == 409
    assert "Chỉ tiêu nữ (30) lớn hơn chỉ tiêu kết nạp (20)." in answer.content.decode()
    assert not Target.objects.exists()


def test_a_user_who_may_not_set_targets_is_refused_403(client: Client, tree: Tree) -> None:
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["commune"]))
    own = client.post(page_of(tree["village"]), {"form": "own", "target": "3"})
    children = client.post(
        page_of(tree["commune"]), {"form": "children", f"child_{tree['village'].pk}": "3"}
    )
    assert (own.status_code, children.status_code) == (403, 403)
    assert not Target.objects.exists()


def test_the_history_page_lists_every_revision(
    client: Client, tree: Tree, province_staff: User
) -> None:
    set_target(tree["commune"], year=YEAR, target=150, reason="KH 12-KH/TU", by=province_staff)
    set_target(tree["commune"], year=YEAR, target=170, reason="Bổ sung", by=province_staff)
    client.force_login(province_staff)
    body = client.get(history_of(tree["commune"])).content.decode()
    assert "Giao lần đầu: 150" in body
    assert "150 → 170" in body
    assert "(+20)" in body
    table = body.split('id="history"', 1)[1]
    assert table.count("Lê Văn Tỉnh") == 2
    assert body.index("Bổ sung") < body.index("KH 12-KH/TU")  # newest first
    assert timezone.localtime().strftime("%d/%m/%Y") in body


def test_the_history_of_a_year_without_a_target_says_so(
    client: Client, tree: Tree, commune_staff: User
) -> None:
    client.force_login(commune_staff)
    body = client.get(history_of(tree["school"], 2025)).content.decode()
    assert "chưa được giao chỉ tiêu kết nạp năm 2025" in body


def test_the_year_parameter_chooses_the_year(
    client: Client, tree: Tree, commune_staff: User
) -> None:
    make_target(tree["school"], 2025, 77)
    make_target(tree["school"], YEAR, 12)
    client.force_login(commune_staff)
    # The figure as a cell's text: a bare "77" can be part of an id in a link.
    figure = re.compile(r">\s*77\s*<")
    assert figure.search(client.get(page_of(tree["commune"], year=2025)).content.decode())
    assert not figure.search(client.get(page_of(tree["commune"])).content.decode())


def test_the_page_takes_the_same_queries_for_3_or_30_children(
    client: Client, tree: Tree, commune_staff: User
) -> None:
    client.force_login(commune_staff)
    url = page_of(tree["commune"])
    client.get(url)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    for n in range(27):
        kid = org(Kind.GRASSROOTS_COMMITTEE, tree["commune"], name=f"Đảng bộ {n}")
        make_target(kid, YEAR, n + 1, women=1)
    assert queries() == few


@pytest.mark.parametrize(
    ("fmt", "mime"),
    [
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("pdf", "application/pdf"),
    ],
)
def test_the_page_exports_its_tables(
    client: Client, tree: Tree, commune_staff: User, fmt: str, mime: str
) -> None:
    make_target(tree["commune"], YEAR, 20)
    make_target(tree["school"], YEAR, 12)
    client.force_login(commune_staff)
    answer = client.get(page_of(tree["commune"], format=fmt))
    assert answer.status_code == 200
    assert answer["Content-Type"] == mime
    assert f'filename="chi-tieu-{YEAR}-dang-bo-xa-an-binh.{fmt}"' in answer["Content-Disposition"]
    assert len(answer.content) > 100


def test_the_export_report_holds_the_children_table_as_the_page_shows_it(tree: Tree) -> None:
    from dangvien.stats.queries.targets import targets_page
    from dangvien.stats.report import Table
    from dangvien.stats.views.targets import build_report

    make_target(tree["commune"], YEAR, 20)
    make_target(tree["school"], YEAR, 12, women=4)
    report = build_report(targets_page(tree["commune"], YEAR))
    assert (report.organisation, report.period) == ("Đảng bộ xã An Bình", "Năm 2026")
    children = report.sections[1]
    assert isinstance(children, Table)
    assert [row[0] for row in children.rows] == [
        "Chi bộ thôn Đông",
        "Chi bộ Trạm Y tế",
        "Đảng bộ Trường THPT An Bình",
    ]
    # Only the breakdowns some child has get a column: here women.
    assert [c.title for c in children.columns[1:3]] == ["Chỉ tiêu kết nạp", "Nữ"]
    assert children.rows[2][1:3] == [12, 4]
    assert children.rows[0][1:3] == [None, None]
    assert children.total is not None and children.total[1] == 12
    assert children.highlight == [True, True, False]
    assert "còn thiếu 8" in children.note


def test_the_history_exports_too(client: Client, tree: Tree, province_staff: User) -> None:
    set_target(tree["commune"], year=YEAR, target=150, by=province_staff)
    client.force_login(province_staff)
    answer = client.get(history_of(tree["commune"]) + "?format=xlsx")
    assert answer.status_code == 200
    assert TargetRevision.objects.count() == 1
