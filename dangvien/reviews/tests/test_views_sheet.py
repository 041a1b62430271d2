"""Wiring of the chi bộ's review sheet: login, scope 404, who gets inputs, the save of the
whole branch at once, refusals beside the row at fault with the typed values kept, and a
query count that does not grow with the members."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangvien.accounts.models import Role, User
from dangvien.factories import make_member, user_with_role
from dangvien.members.models import Member, Status
from dangvien.organisations.models import Organisation
from dangvien.reviews.models import Discipline, MemberReview, Penalty, Rating, ReviewPeriod, Stage
from dangvien.reviews.tests.factories import make_period, make_review

pytestmark = pytest.mark.django_db

Tree = dict[str, Organisation]
TODAY = date(2026, 12, 15)


def sheet_of(period: ReviewPeriod, branch: Organisation) -> str:
    return reverse("reviews:sheet", args=[period.pk, branch.pk])


def members(branch: Organisation, n: int) -> list[Member]:
    return [make_member(branch=branch) for _ in range(n)]


def row(member: Member, **values: str) -> dict[str, str]:
    fields = {
        "self_score": "",
        "self_rating": "",
        "branch_score": "",
        "proposed_rating": "",
        "on_time_percent": "100",
        "beyond_percent": "0",
        "branch_comment": "",
        **values,
    }
    return {f"m{member.pk}-{k}": v for k, v in fields.items()}


def filled(member: Member, **values: str) -> dict[str, str]:
    """A row whose self part and chi bộ part are both "good" at 80 points."""
    good = {
        "self_score": "80",
        "self_rating": "good",
        "branch_score": "80",
        "proposed_rating": "good",
    }
    return row(member, **{**good, **values})


def posted(*rows: dict[str, str], held_on: str = "10/12/2026") -> dict[str, str]:
    data = {"held_on": held_on, "resolution_no": "05-NQ/CB"}
    for r in rows:
        data.update(r)
    return data


def save(
    client: Client, period: ReviewPeriod, tree: Tree, *rows: dict[str, str], **head: str
) -> Any:
    """POST the village chi bộ's sheet with ``rows`` (``head``: see ``posted``)."""
    return client.post(sheet_of(period, tree["village"]), posted(*rows, **head))


def test_the_sheet_needs_a_login(client: Client, tree: Tree, period: ReviewPeriod) -> None:
    answer = client.get(sheet_of(period, tree["village"]))
    assert answer.status_code == 302


def test_a_branch_outside_the_users_scope_answers_404(
    client: Client, tree: Tree, period: ReviewPeriod
) -> None:
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["other_branch"]))
    assert client.get(sheet_of(period, tree["village"])).status_code == 404
    assert save(client, period, tree).status_code == 404
    assert client.get(sheet_of(period, tree["other_branch"])).status_code == 200


def test_a_branch_the_period_does_not_cover_answers_404(client: Client, tree: Tree) -> None:
    commune_period = make_period(tree["commune"], 2026)
    client.force_login(user_with_role(Role.BOARD_STAFF, tree["province"]))
    assert client.get(sheet_of(commune_period, tree["other_branch"])).status_code == 404


def test_a_committee_is_not_a_sheet(client: Client, tree: Tree, period: ReviewPeriod) -> None:
    client.force_login(user_with_role(Role.BOARD_STAFF, tree["province"]))
    assert client.get(sheet_of(period, tree["commune"])).status_code == 404


def test_the_sheet_lists_every_active_member_and_greys_the_exempted(
    client: Client, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    active = members(tree["village"], 3)
    exempted = make_member(branch=tree["village"], exempted_since=date(2026, 3, 1))
    gone = make_member(branch=tree["village"], status=Status.EXPELLED)
    client.force_login(secretary)
    answer = client.get(sheet_of(period, tree["village"]))
    body = answer.content.decode()
    assert answer.status_code == 200
    for member in active:
        assert f'name="m{member.pk}-branch_score"' in body
    assert f'name="m{exempted.pk}-branch_score"' not in body
    assert "Không xếp loại (miễn sinh hoạt)" in body
    assert exempted.person.full_name in body
    assert gone.person.full_name not in body
    assert "Lưu phiếu tổng hợp của chi bộ" in body
    assert 'id="review-rules"' in body and "js/reviews.js" in body


def test_the_sheet_shows_the_highest_rating_a_stored_score_allows(
    client: Client, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    member = make_member(branch=tree["village"])
    make_review(period, member, Rating.GOOD, Stage.SELF_ASSESSED, score="75")
    client.force_login(secretary)
    body = client.get(sheet_of(period, tree["village"])).content.decode()
    assert 'value="75"' in body
    assert '<span class="js-highest badge">Tốt</span>' in body


def test_a_disciplined_member_is_marked_on_the_sheet(
    client: Client, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    member = make_member(branch=tree["village"])
    Discipline.objects.create(
        member=member,
        org_path=member.org_path,
        penalty=Penalty.REPRIMAND,
        decided_on=date(2026, 5, 4),
        decision_no="12-QĐ/ĐU",
        body="Đảng ủy xã An Bình",
        reason="Vi phạm quy định sinh hoạt",
    )
    client.force_login(secretary)
    body = client.get(sheet_of(period, tree["village"])).content.decode()
    assert 'data-disciplined="1"' in body
    assert "Kỷ luật" in body


def test_saving_the_sheet_proposes_every_filled_row_at_once(
    client: Client, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    a, b, untouched = members(tree["village"], 3)
    client.force_login(secretary)
    answer = save(
        client,
        period,
        tree,
        row(
            a,
            self_score="85",
            self_rating="good",
            branch_score="84,5",
            proposed_rating="good",
            branch_comment="Gương mẫu",
        ),
        row(
            b,
            self_score="60",
            self_rating="complete",
            branch_score="58",
            proposed_rating="complete",
        ),
        row(untouched),
    )
    assert answer.status_code == 302
    assert answer["Location"] == sheet_of(period, tree["village"])
    saved = {r.member_id: r for r in MemberReview.objects.filter(period=period)}
    assert set(saved) == {a.pk, b.pk}
    assert saved[a.pk].stage == Stage.BRANCH_PROPOSED
    assert saved[a.pk].branch_score == Decimal("84.5")
    assert saved[a.pk].proposed_rating == Rating.GOOD
    assert saved[a.pk].branch_resolution_no == "05-NQ/CB"
    assert saved[a.pk].branch_comment == "Gương mẫu"
    page = client.get(answer["Location"]).content.decode()
    assert "Chi bộ thôn Đông: đã lưu kết quả kiểm điểm của 2 đảng viên." in page
    assert "chi bộ Chi bộ" not in page


def test_a_refused_row_keeps_every_typed_value_and_saves_nothing(
    client: Client, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    good, bad = members(tree["village"], 2)
    client.force_login(secretary)
    answer = save(
        client,
        period,
        tree,
        filled(good, branch_comment="Nhận xét giữ lại"),
        filled(bad, self_score="75", branch_score="75", proposed_rating="excellent"),
    )
    body = answer.content.decode()
    assert answer.status_code == 409
    assert not MemberReview.objects.exists()
    assert "Chưa lưu dòng nào: 1 dòng bị từ chối" in body
    assert "Không thể xếp loại “Hoàn thành xuất sắc nhiệm vụ” (điểm 75)" in body
    assert 'value="Nhận xét giữ lại"' in body
    assert f'name="m{bad.pk}-branch_score" value="75"' in body
    assert '<option value="excellent" title="Hoàn thành xuất sắc nhiệm vụ" selected>' in body
    # The message stands right under the row at fault, whose rating is outlined.
    note = body[body.index(f'data-note-for="{bad.pk}"') :]
    assert "Không thể xếp loại" in note[: note.index("</tr>")]
    assert f'data-note-for="{good.pk}"' not in body
    assert f'name="m{bad.pk}-proposed_rating" aria-invalid="true"' in body


def test_a_score_out_of_range_answers_400_beside_its_input(
    client: Client, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    member = make_member(branch=tree["village"])
    client.force_login(secretary)
    answer = save(client, period, tree, filled(member, self_score="120"))
    body = answer.content.decode()
    assert answer.status_code == 400
    assert "Điểm tối đa là 100." in body
    assert 'value="120"' in body
    assert not MemberReview.objects.exists()


def test_a_share_over_100_percent_answers_400_beside_its_input(
    client: Client, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    member = make_member(branch=tree["village"])
    client.force_login(secretary)
    answer = save(client, period, tree, filled(member, on_time_percent="120"))
    assert answer.status_code == 400
    assert "Tỷ lệ tối đa là 100%." in answer.content.decode()


def test_a_meeting_date_in_the_future_answers_409(
    client: Client, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    member = make_member(branch=tree["village"])
    client.force_login(secretary)
    answer = save(client, period, tree, filled(member), held_on="20/12/2026")
    assert answer.status_code == 409
    assert "không thể sau ngày hôm nay" in answer.content.decode()
    assert not MemberReview.objects.exists()


def test_an_empty_sheet_is_not_saved(
    client: Client, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    member = make_member(branch=tree["village"])
    client.force_login(secretary)
    answer = save(client, period, tree, row(member))
    assert answer.status_code == 400
    assert "Chưa có dòng nào được nhập" in answer.content.decode()


def test_a_viewer_sees_the_sheet_without_inputs_and_may_not_post(
    client: Client, tree: Tree, period: ReviewPeriod
) -> None:
    member = make_member(branch=tree["village"])
    client.force_login(user_with_role(Role.LEADER, tree["commune"]))
    body = client.get(sheet_of(period, tree["village"])).content.decode()
    assert "chỉ được xem" in body
    assert f'name="m{member.pk}-branch_score"' not in body
    assert "Lưu phiếu tổng hợp" not in body
    answer = save(client, period, tree, filled(member))
    assert answer.status_code == 403
    assert not MemberReview.objects.exists()


def test_a_decided_review_is_shown_but_not_editable(
    client: Client, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    member = make_member(branch=tree["village"])
    make_review(period, member, Rating.GOOD, Stage.DECIDED)
    client.force_login(secretary)
    body = client.get(sheet_of(period, tree["village"])).content.decode()
    assert f'name="m{member.pk}-branch_score"' not in body
    assert "Cấp ủy đã quyết định" in body


def test_the_sheet_query_count_does_not_grow_with_the_members(
    client: Client, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    client.force_login(secretary)
    url = sheet_of(period, tree["village"])

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    for member in members(tree["village"], 2):
        make_review(period, member, Rating.GOOD, Stage.SELF_ASSESSED)
    few = count()
    for member in members(tree["village"], 12):
        make_review(period, member, Rating.COMPLETE, Stage.BRANCH_PROPOSED, score="60")
    make_member(branch=tree["village"], exempted_since=date(2026, 1, 5))
    assert count() == few


def test_a_closed_period_shows_the_sheet_read_only_and_refuses_a_save_with_409(
    client: Client, tree: Tree, secretary: User
) -> None:
    period = make_period(tree["province"], 2026, closed_on=date(2026, 12, 1))
    member = make_member(branch=tree["village"])
    client.force_login(secretary)
    body = client.get(sheet_of(period, tree["village"])).content.decode()
    assert "đã kết thúc ngày 01/12/2026" in body
    assert f'name="m{member.pk}-branch_score"' not in body
    answer = save(client, period, tree, filled(member))
    assert answer.status_code == 409
    assert "không ghi thêm kiểm điểm, đánh giá được nữa" in answer.content.decode()
    assert not MemberReview.objects.exists()


def test_the_sheet_judges_exemptions_on_the_meeting_day_not_today(
    client: Client, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    reviewed = make_member(branch=tree["village"])
    make_review(
        period, reviewed, Rating.GOOD, Stage.BRANCH_PROPOSED, branch_reviewed_on=date(2026, 12, 10)
    )
    # Exempted since 12/12: after the meeting of 10/12, before today (15/12).
    later = make_member(branch=tree["village"], exempted_since=date(2026, 12, 12))
    client.force_login(secretary)
    body = client.get(sheet_of(period, tree["village"])).content.decode()
    assert 'value="10/12/2026"' in body
    assert f'name="m{later.pk}-branch_score"' in body
    assert "Không xếp loại (miễn sinh hoạt)" not in body
    # A refused save on 10/12 shows the sheet of that day too (and the action agrees).
    answer = save(
        client,
        period,
        tree,
        filled(later),
        filled(reviewed, proposed_rating="excellent"),
    )
    assert answer.status_code == 409
    body = answer.content.decode()
    assert f'name="m{later.pk}-branch_score"' in body
    assert f'data-note-for="{later.pk}"' not in body


def test_a_blank_share_of_tasks_is_required_when_the_member_did_not_self_assess(
    client: Client, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    member = make_member(branch=tree["village"])
    client.force_login(secretary)
    answer = save(client, period, tree, filled(member, on_time_percent="", beyond_percent=""))
    body = answer.content.decode()
    assert answer.status_code == 400
    assert "Cần nhập % nhiệm vụ đúng tiến độ (0–100): đảng viên chưa tự đánh giá." in body
    assert "Cần nhập % nhiệm vụ vượt yêu cầu (0–100): đảng viên chưa tự đánh giá." in body
    assert f'name="m{member.pk}-on_time_percent" aria-invalid="true"' in body
    assert not MemberReview.objects.exists()


def test_a_blank_share_of_tasks_keeps_the_self_assessments(
    client: Client, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    member = make_member(branch=tree["village"])
    make_review(
        period,
        member,
        Rating.COMPLETE,
        Stage.SELF_ASSESSED,
        score="60",
        on_time_percent=90,
        beyond_percent=10,
    )
    client.force_login(secretary)
    answer = save(
        client,
        period,
        tree,
        row(
            member,
            branch_score="60",
            proposed_rating="complete",
            on_time_percent="",
            beyond_percent="",
        ),
    )
    assert answer.status_code == 302
    review = MemberReview.objects.get(member=member)
    assert (review.on_time_percent, review.beyond_percent) == (90, 10)
    assert review.stage == Stage.BRANCH_PROPOSED


def test_the_vote_on_each_proposal_is_typed_in_its_column_and_stored(
    client: Client, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    a, b, _third = members(tree["village"], 3)
    client.force_login(secretary)
    body = client.get(sheet_of(period, tree["village"])).content.decode()
    assert "Số tán thành" in body
    assert (
        "Biểu quyết mức đề xuất: ngày 15/12/2026 chi bộ có <strong>3</strong> đảng viên được "
        "tính tỷ lệ biểu quyết"
    ) in body
    assert "cần trên 1/2 số đó tán thành" in body
    assert f'name="m{a.pk}-in_favour"' in body
    answer = save(client, period, tree, filled(a, in_favour="2"), filled(b))
    assert answer.status_code == 302
    voted = MemberReview.objects.get(member=a)
    assert (voted.branch_in_favour, voted.branch_denominator) == (2, 3)
    page = client.get(answer["Location"]).content.decode()
    assert f'name="m{a.pk}-in_favour" value="2"' in page
    assert "ngày 10/12/2026 chi bộ có <strong>3</strong>" in page


def test_a_vote_short_of_half_is_refused_beside_the_row(
    client: Client, tree: Tree, period: ReviewPeriod, secretary: User
) -> None:
    people = members(tree["village"], 4)
    client.force_login(secretary)
    answer = save(client, period, tree, filled(people[0], in_favour="2"))
    body = answer.content.decode()
    assert answer.status_code == 409
    assert "Chi bộ biểu quyết 2/4 tán thành mức đề xuất: chưa đạt trên 1/2 (366-QĐ/TW [U])." in body
    assert f'name="m{people[0].pk}-in_favour" aria-invalid="true" value="2"' in body
    assert not MemberReview.objects.exists()
