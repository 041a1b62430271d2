"""Wiring of the meetings, study, dues and removal pages: login, scope (404), role (403),
the forms posting to the actions (STYLE.md: the rules are tested on the actions)."""

from datetime import date

import pytest
from django.urls import reverse

from dangvien.accounts.models import Role
from dangvien.factories import make_member, user_with_role
from dangvien.members.actions.meetings import Presence, record_meeting, set_dues_basis
from dangvien.members.models import Attendance, DuesBasis, DuesPayment, Meeting, MeetingKind

HELD_ON = date(2026, 3, 10)


@pytest.fixture
def secretary(tree):
    return user_with_role(Role.BRANCH_SECRETARY, tree["village"])


@pytest.fixture
def outsider(tree):
    return user_with_role(Role.BRANCH_SECRETARY, tree["other_branch"])


@pytest.fixture
def leader(tree):
    return user_with_role(Role.LEADER, tree["province"])


@pytest.fixture
def members(tree):
    return [make_member(branch=tree["village"]) for _ in range(3)]


@pytest.fixture
def meeting(tree, members, secretary):
    return record_meeting(
        tree["village"],
        kind=MeetingKind.REGULAR,
        held_on=HELD_ON,
        attendance=[Presence(m, i > 0) for i, m in enumerate(members)],
        by=secretary,
    )


def test_the_pages_need_a_login(client):
    for name in ("meetings", "meeting-new", "study", "dues", "removal-todo"):
        response = client.get(reverse(f"members:{name}"))
        assert response.status_code == 302, name


def test_the_meeting_list_shows_the_meetings_in_scope(client, secretary, outsider, meeting):
    client.force_login(secretary)
    page = client.get(reverse("members:meetings"), {"month": "2026-03", "kind": "regular"})
    assert page.status_code == 200
    assert f'data-meeting="{meeting.pk}"' in page.content.decode()
    client.force_login(outsider)
    assert (
        f'data-meeting="{meeting.pk}"'
        not in client.get(reverse("members:meetings")).content.decode()
    )


def test_a_meeting_outside_the_scope_answers_404(client, outsider, meeting, tree):
    client.force_login(outsider)
    assert client.get(reverse("members:meeting", args=[meeting.pk])).status_code == 404
    url = reverse("members:meeting-new") + f"?branch={tree['village'].pk}"
    assert client.get(url).status_code == 404
    assert client.get(reverse("members:dues"), {"branch": tree["village"].pk}).status_code == 404
    assert (
        client.get(reverse("members:meetings"), {"branch": tree["village"].pk}).status_code == 404
    )
    assert (
        client.get(reverse("members:study"), {"organisation": tree["commune"].pk}).status_code
        == 404
    )


def test_the_new_meeting_page_offers_one_row_per_member(client, secretary, members, tree):
    client.force_login(secretary)
    page = client.get(reverse("members:meeting-new") + f"?branch={tree['village'].pk}")
    assert page.status_code == 200
    html = page.content.decode()
    for m in members:
        assert f'data-member="{m.pk}"' in html and f'name="status_{m.pk}"' in html


def test_posting_the_grid_records_the_meeting(client, secretary, members, tree):
    client.force_login(secretary)
    a, b, c = members
    data = {
        "kind": "regular",
        "held_on": "10/03/2026",
        "topic": "",
        f"status_{a.pk}": "present",
        f"status_{b.pk}": "excused",
        f"reason_{b.pk}": "Ốm",
        f"status_{c.pk}": "absent",
    }
    response = client.post(reverse("members:meeting-new") + f"?branch={tree['village'].pk}", data)
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "members:meeting", args=[meeting.pk]
    )
    assert Attendance.objects.get(member=b).reason == "Ốm"
    # The same month again: 409 with the rule's message, nothing written.
    again = client.post(reverse("members:meeting-new") + f"?branch={tree['village'].pk}", data)
    assert again.status_code == 409
    assert "mỗi tháng chỉ một buổi thường kỳ" in again.content.decode()
    assert Meeting.objects.count() == 1


def test_a_grid_with_a_member_unanswered_answers_400(client, secretary, members, tree):
    client.force_login(secretary)
    data = {"kind": "regular", "held_on": "10/03/2026", f"status_{members[0].pk}": "present"}
    response = client.post(reverse("members:meeting-new") + f"?branch={tree['village'].pk}", data)
    assert response.status_code == 400 and not Meeting.objects.exists()


def test_a_leader_sees_but_may_not_record(client, leader, meeting, tree):
    client.force_login(leader)
    assert client.get(reverse("members:meeting", args=[meeting.pk])).status_code == 200
    url = reverse("members:meeting-new") + f"?branch={tree['village'].pk}"
    assert client.get(url).status_code == 403
    assert client.post(reverse("members:meeting", args=[meeting.pk]), {}).status_code == 403


def test_the_secretary_corrects_attendance_on_the_meeting_page(client, secretary, meeting, members):
    client.force_login(secretary)
    page = client.get(reverse("members:meeting", args=[meeting.pk]))
    assert page.status_code == 200 and 'id="meeting-form"' in page.content.decode()
    a = members[0]
    response = client.post(
        reverse("members:meeting", args=[meeting.pk]),
        {f"status_{a.pk}": "excused", f"reason_{a.pk}": "Đi viện"},
    )
    assert response.status_code == 302
    row = Attendance.objects.get(meeting=meeting, member=a)
    assert (row.excused, row.reason) == (True, "Đi viện")


def test_the_study_page_shows_rates_with_a_comma(client, secretary, tree):
    client.force_login(secretary)
    members = [make_member(branch=tree["village"]) for _ in range(8)]
    record_meeting(
        tree["village"],
        kind=MeetingKind.STUDY,
        held_on=HELD_ON,
        topic="Nghị quyết Đại hội XIV",
        attendance=[Presence(m, i < 7) for i, m in enumerate(members)],
        by=secretary,
    )
    page = client.get(reverse("members:study"), {"from": "01/2026", "to": "12/2026"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "87,5%" in html and "badge bad" in html


def test_the_dues_grid_renders_and_records(client, secretary, members, tree):
    client.force_login(secretary)
    a, b, c = members
    for m in members:
        set_dues_basis(m, from_month=date(2026, 1, 1), basis=DuesBasis.STUDENT, by=secretary)
    url = reverse("members:dues") + f"?branch={tree['village'].pk}&month=2026-03"
    page = client.get(url)
    assert page.status_code == 200 and 'id="dues"' in page.content.decode()
    form = {
        f"paid_{a.pk}": "5000",
        f"paid_on_{a.pk}": "05/03/2026",
        f"channel_{a.pk}": "portal",
        f"channel_{b.pk}": "cash",
        f"channel_{c.pk}": "cash",
        f"excused_{b.pk}": "on",
        f"note_{b.pk}": "Đang nằm viện",
        "close": "on",
    }
    response = client.post(url, form)
    assert response.status_code == 302
    rows = {p.member_id: p for p in DuesPayment.objects.all()}
    assert rows[a.pk].amount_paid == 5000 and rows[a.pk].channel == "portal"
    assert rows[b.pk].excused and rows[c.pk].amount_paid == 0 and not rows[c.pk].excused
    html = client.get(url).content.decode()
    assert 'class="unpaid"' in html and "5.000 đ" in html


def test_a_leader_may_not_record_dues(client, leader, tree, members):
    client.force_login(leader)
    url = reverse("members:dues") + f"?branch={tree['village'].pk}&month=2026-03"
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 403


def test_the_removal_page_lists_the_months_and_links_the_member(client, secretary, tree, members):
    client.force_login(secretary)
    late = members[0]
    for month in (1, 4, 7):
        record_meeting(
            tree["village"],
            kind=MeetingKind.REGULAR,
            held_on=date(2026, month, 10),
            attendance=[Presence(m, m != late) for m in members],
            by=secretary,
        )
    page = client.get(reverse("members:removal-todo"))
    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-member="{late.pk}"' in html
    assert "01/2026, 04/2026, 07/2026" in html
    assert reverse("members:detail", args=[late.pk]) in html


def test_the_member_page_shows_the_meetings_and_dues_panel(client, secretary, meeting, members):
    client.force_login(secretary)
    member = members[1]
    set_dues_basis(
        member,
        from_month=date(2026, 1, 1),
        basis=DuesBasis.PENSION,
        base_amount=4_000_000,
        by=secretary,
    )
    html = client.get(reverse("members:detail", args=[member.pk])).content.decode()
    assert 'id="meetings-panel"' in html
    assert "Lương hưu ngoài BHXH" in html and "4.000.000 đ" in html
    assert 'data-move="set-dues-basis"' in html and 'data-move="grant-dues-relief"' in html


def test_the_dues_moves_post_from_the_member_page(client, secretary, members):
    client.force_login(secretary)
    member = members[0]
    url = reverse("members:move", args=[member.pk, "set-dues-basis"])
    response = client.post(
        url,
        {
            "set-dues-basis-from_month": "03/2026",
            "set-dues-basis-basis": "insured_salary",
            "set-dues-basis-base_amount": "",
        },
    )
    assert response.status_code == 409
    assert "Cần ghi số tiền lương" in response.content.decode()
    response = client.post(
        url,
        {
            "set-dues-basis-from_month": "03/2026",
            "set-dues-basis-basis": "insured_salary",
            "set-dues-basis-base_amount": "6000000",
        },
    )
    assert response.status_code == 302
    assert member.dues_accounts.get().base_amount == 6_000_000
    relief = reverse("members:move", args=[member.pk, "grant-dues-relief"])
    response = client.post(
        relief,
        {
            "grant-dues-relief-kind": "reduced",
            "grant-dues-relief-percent": "50",
            "grant-dues-relief-from_month": "2026-04",
            "grant-dues-relief-until_month": "09/2026",
            "grant-dues-relief-reason": "Hộ cận nghèo",
        },
    )
    assert response.status_code == 302
    assert member.dues_reliefs.get().percent == 50


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_list_pages_do_not_grow_in_queries_with_their_rows(client, secretary, tree):
    """STYLE.md: each list page's query count does not grow with the number of rows."""
    client.force_login(secretary)
    branch = tree["village"]
    members = [make_member(branch=branch) for _ in range(2)]
    for m in members:
        set_dues_basis(m, from_month=date(2026, 1, 1), basis=DuesBasis.STUDENT, by=secretary)
    for month in (1, 2, 3):  # the two are removal candidates already
        record_meeting(
            branch,
            kind=MeetingKind.REGULAR,
            held_on=date(2026, month, 5),
            attendance=[Presence(m, False) for m in members],
            by=secretary,
        )
    urls = [
        reverse("members:meetings"),
        reverse("members:dues") + f"?branch={branch.pk}&month=2026-01",
        reverse("members:removal-todo"),
        reverse("members:study"),
    ]
    before = [_queries(client, url) for url in urls]
    more = [make_member(branch=branch) for _ in range(6)]
    for m in more:
        set_dues_basis(m, from_month=date(2026, 1, 1), basis=DuesBasis.STUDENT, by=secretary)
    everyone = members + more
    for month in (4, 5, 6):
        record_meeting(
            branch,
            kind=MeetingKind.REGULAR,
            held_on=date(2026, month, 5),
            attendance=[Presence(m, False) for m in everyone],
            by=secretary,
        )
    assert [_queries(client, url) for url in urls] == before
