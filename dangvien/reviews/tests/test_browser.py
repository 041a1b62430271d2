"""Issue 7 in Chromium: a chi bộ secretary fills the review sheet for the whole branch,
the commune's committee decides the ratings at once and publishes them, the results tab
counts them; a screening ballot is recorded and the case page offers the next step."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from dangvien.accounts.models import Role
from dangvien.browser_steps import login, submit
from dangvien.factories import make_member, tree_2025, user_with_role
from dangvien.reviews.models import MemberReview, Rating, Stage
from dangvien.reviews.tests.factories import make_period
from dangvien.screening.models import ScreeningCase, State

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_branch_sheet_and_a_bulk_decision_show_up_in_the_results(
    browser_page, screenshot
) -> None:
    page = browser_page
    tree = tree_2025()
    branch, commune = tree["village"], tree["commune"]
    today = timezone.localdate()
    period = make_period(tree["province"], today.year)
    members = sorted(
        (make_member(branch=branch) for _ in range(6)), key=lambda m: m.person.sort_key
    )
    user_with_role(Role.BRANCH_SECRETARY, branch, username="bithu")
    user_with_role(Role.BOARD_STAFF, commune, username="banxa")

    # The secretary types the chi bộ's scores and proposals for everyone, then saves once.
    login(page, "bithu")
    page.goto(f"/danh-gia/{period.pk}/chi-bo/{branch.pk}/")
    page.get_by_label("Ngày chi bộ họp kiểm điểm").fill(today.strftime("%d/%m/%Y"))
    page.get_by_label("Số nghị quyết / biên bản").fill("12-BB/CB")
    # One "excellent" among five rated good or better: within the 20% quota.
    plan = [
        ("92", "100", "40", Rating.EXCELLENT),
        ("85", "100", "0", Rating.GOOD),
        ("78", "100", "0", Rating.GOOD),
        ("80,5", "100", "10", Rating.GOOD),
        ("75", "100", "0", Rating.GOOD),
        ("45", "60", "0", Rating.FAILED),
    ]
    for member, (score, on_time, beyond, rating) in zip(members, plan, strict=True):
        name = member.person.full_name
        page.get_by_label(f"Điểm tự chấm của {name}").fill(score)
        page.get_by_label(f"Tự xếp loại của {name}").select_option(rating)
        page.get_by_label(f"% nhiệm vụ đúng tiến độ của {name}").fill(on_time)
        page.get_by_label(f"% nhiệm vụ vượt yêu cầu của {name}").fill(beyond)
        page.get_by_label(f"Điểm chi bộ chấm cho {name}").fill(score)
        page.get_by_label(f"Mức chi bộ đề xuất cho {name}").select_option(rating)
    # Rating the second member "excellent" is above what 85 points allow: refused, kept.
    second = members[1].person.full_name
    page.get_by_label(f"Mức chi bộ đề xuất cho {second}").select_option(Rating.EXCELLENT)
    submit(page, page.get_by_role("button", name="Lưu phiếu tổng hợp của chi bộ"))
    assert page.get_by_text(re.compile("dưới 90")).first.is_visible()
    assert not MemberReview.objects.exists()
    screenshot("sheet-refused")
    page.get_by_label(f"Mức chi bộ đề xuất cho {second}").select_option(Rating.GOOD)
    submit(page, page.get_by_role("button", name="Lưu phiếu tổng hợp của chi bộ"))
    assert MemberReview.objects.filter(stage=Stage.BRANCH_PROPOSED).count() == 6
    page.goto(f"/danh-gia/{period.pk}/chi-bo/{branch.pk}/")
    screenshot("sheet")

    # The commune's committee decides all six at once, then publishes.
    login(page, "banxa")
    page.goto(f"/danh-gia/{period.pk}/?node={commune.pk}")
    screenshot("period")
    page.goto(f"/danh-gia/{period.pk}/quyet-dinh/{commune.pk}/")
    page.get_by_label("Số quyết định / thông báo").fill("152-QĐ/ĐU")
    page.get_by_label("Ngày quyết định").fill(today.strftime("%d/%m/%Y"))
    submit(page, page.get_by_role("button", name=re.compile("Quyết định xếp loại cho 6 đảng viên")))
    assert MemberReview.objects.filter(stage=Stage.DECIDED).count() == 6
    assert page.get_by_text(members[0].person.full_name).first.is_visible()
    screenshot("decided")
    submit(page, page.get_by_role("button", name="Công khai kết quả xếp loại"))
    assert MemberReview.objects.filter(stage=Stage.PUBLISHED).count() == 6

    # The results tab counts them, with shares of those rated.
    page.goto(f"/thong-ke/{commune.pk}/xep-loai/?year={today.year}")
    table = page.locator("table").first.inner_text()
    assert "16,7%" in table and "66,7%" in table
    screenshot("results")

    # The member page shows the rating.
    page.goto(f"/dang-vien/{members[0].pk}/")
    assert page.get_by_text("Hoàn thành xuất sắc nhiệm vụ").first.is_visible()
    screenshot("member")


def test_a_screening_ballot_lists_a_member_and_the_case_offers_a_helper(
    browser_page, screenshot
) -> None:
    page = browser_page
    tree = tree_2025()
    branch = tree["village"]
    officials = [make_member(branch=branch) for _ in range(6)]
    user_with_role(Role.BRANCH_SECRETARY, branch, username="bithu")
    login(page, "bithu")
    page.goto(f"/sang-loc/chi-bo/{branch.pk}/moi/")
    page.get_by_label("Đảng viên được rà soát").select_option(str(officials[0].pk))
    page.get_by_label("Không thực hiện nhiệm vụ đảng viên").check()
    page.get_by_label("Nhận xét, căn cứ của chi ủy").fill("Nhiều tháng không dự sinh hoạt")
    day = timezone.localdate() - timedelta(days=1)
    page.get_by_label("Ngày chi bộ bỏ phiếu kín").fill(day.strftime("%d/%m/%Y"))
    page.get_by_label("Số phiếu đồng ý").fill("4")
    page.get_by_label("Số phiếu không đồng ý").fill("2")
    screenshot("screening-new")
    submit(page, page.get_by_role("button", name="Ghi kết quả bỏ phiếu"))
    case = ScreeningCase.objects.get()
    assert case.state == State.LISTED and case.ballot_denominator == 6
    assert page.get_by_text("Đưa vào diện giáo dục, giúp đỡ").first.is_visible()
    screenshot("screening-case")
    page.goto("/sang-loc/")
    screenshot("screening-list")
