"""The home page's transfers to handle are read one end of the scope at a time
(accounts/todo.py, issue 9: CPU per request): the same rows, flags and order as the one
query over both ends, checked by brute force over every user, day and limit."""

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangvien.accounts.models import Role
from dangvien.accounts.todo import transfers_to_handle
from dangvien.factories import make_member, start_transfer, user_with_role
from dangvien.members.actions import transfers as actions
from dangvien.members.models import TransferKind, TransferState
from dangvien.members.queries.transfers import scope_transfers

pytestmark = pytest.mark.django_db


def _row(t: Any) -> tuple[Any, ...]:
    return (t.pk, t.outgoing, t.incoming, t.overdue, t.member_visible, t.from_branch.name)


def _one_query(user: Any, today: date, limit: int) -> list[tuple[Any, ...]]:
    """What the home page read before: both ends joined by OR in one query."""
    rows = scope_transfers(user, today=today, state="open").filter(
        Q(overdue=True) | Q(incoming=True, state=TransferState.IN_FLIGHT)
    )[:limit]
    return [_row(t) for t in rows]


_transfer = start_transfer


@pytest.fixture
def transfers(tree: dict[str, Any]) -> None:
    """Open transfers out of, into, within and outside the commune, on their way or
    staying temporarily, with deadlines before and after the days the test looks from;
    and a finished one, which is never listed."""
    village, school, clinic, other = (
        tree["village"],
        tree["school_branch"],
        tree["clinic"],
        tree["other_branch"],
    )
    permanent, temporary = TransferKind.PERMANENT, TransferKind.TEMPORARY
    for source, to, issued in [
        (village, school, date(2026, 1, 5)),  # within the commune: both ends
        (village, other, date(2026, 3, 2)),  # out of it
        (other, village, date(2026, 2, 2)),  # into it
        (other, clinic, date(2026, 5, 4)),
        (clinic, village, date(2026, 5, 4)),  # same deadline as the one above: id decides
        (school, other, date(2025, 11, 3)),
    ]:
        _transfer(make_member(branch=source), to, permanent, issued)
    for source, to, issued, until in [
        (clinic, other, date(2025, 12, 1), date(2026, 4, 30)),
        (other, school, date(2026, 1, 12), date(2026, 9, 30)),
        (village, clinic, date(2026, 2, 9), date(2026, 6, 30)),
    ]:
        member = make_member(branch=source)
        moved = _transfer(member, to, temporary, issued, until_on=until)
        actions.receive_transfer(member, received_on=moved.present_by, by=None)
    member = make_member(branch=village)
    done = _transfer(member, other, permanent, date(2026, 1, 19))
    actions.receive_transfer(member, received_on=done.present_by, by=None)


def test_the_home_list_of_transfers_equals_the_one_query_over_both_ends(tree, transfers):
    users = [
        user_with_role(Role.BRANCH_SECRETARY, tree["village"]),
        user_with_role(Role.BRANCH_SECRETARY, tree["school_branch"]),
        user_with_role(Role.GRASSROOTS_STAFF, tree["school"]),
        user_with_role(Role.BRANCH_SECRETARY, tree["other_branch"]),
        user_with_role(Role.BOARD_STAFF, tree["commune"]),
        user_with_role(Role.LEADER, tree["other_commune"]),
        user_with_role(Role.BOARD_STAFF, tree["province"]),
    ]
    days = [date(2026, 1, 6), date(2026, 3, 20), date(2026, 5, 15), date(2026, 7, 1)]
    listed = 0
    for user in users:
        for today in days:
            for limit in (1, 2, 3, 50):
                expected = _one_query(user, today, limit)
                got = [_row(t) for t in transfers_to_handle(user, today, limit)]
                assert got == expected, (user.roles.get().organisation.name, today, limit)
                listed += len(got)
    assert listed > 100  # the cases above do list rows: the comparison is not empty


def test_the_home_page_lists_a_transfer_coming_in_and_one_overdue_going_out(
    client, tree, transfers
):
    client.force_login(user_with_role(Role.BOARD_STAFF, tree["commune"]))
    text = client.get(reverse("home")).content.decode()
    assert 'id="todo-transfers"' in text
    assert "Chuyển đến" in text and "Quá hạn" in text


def test_the_home_page_reads_the_users_top_nodes_once_and_names_them(client, tree):
    client.force_login(user_with_role(Role.BOARD_STAFF, tree["commune"]))
    with CaptureQueriesContext(connection) as captured:
        text = client.get(reverse("home")).content.decode()
    reads = [
        q["sql"]
        for q in captured.captured_queries
        if '"organisations_organisation"."path" IN' in q["sql"]
    ]
    assert len(reads) == 1, reads
    assert f">{tree['commune'].name}</a>" in text


def test_a_user_over_several_provinces_gets_links_to_them_instead_of_every_members_to_dos(
    client, tree
):
    """Above a province the home page does not read each dossier's and member's deadlines
    (about a minute for the whole country, issue 9); it points to the provinces."""
    from dangvien.accounts.models import RoleAssignment
    from dangvien.factories import org
    from dangvien.organisations.models import Kind

    other = org(Kind.PROVINCE, None, "Tỉnh ủy Hải Đảo")
    member = make_member(branch=tree["village"], person__given_name="Quyết")
    user = user_with_role(Role.BOARD_STAFF, tree["province"])
    client.force_login(user)
    with CaptureQueriesContext(connection) as one_province:
        text = client.get(reverse("home")).content.decode()
    assert 'id="todo-wide"' not in text and 'id="todo-recognition"' in text
    RoleAssignment.objects.create(user=user, organisation=other, role=Role.BOARD_STAFF)
    with CaptureQueriesContext(connection) as two_provinces:
        text = client.get(reverse("home")).content.decode()
    assert 'id="todo-wide"' in text and "Việc của từng hồ sơ, từng đảng viên" in text
    assert 'id="todo-recognition"' not in text and 'id="todo-removal"' not in text
    assert reverse("stats:dashboard", args=[other.pk]) in text
    assert reverse("stats:dashboard", args=[tree["province"].pk]) in text
    assert len(two_provinces) < len(one_province)
    assert member.person.given_name  # the member exists in the scope all along


def test_a_user_over_one_province_and_a_commune_elsewhere_keeps_the_full_list(client, tree):
    from dangvien.accounts.views import spans_provinces

    assert not spans_provinces([tree["province"], tree["commune"]])
    assert spans_provinces([tree["province"], tree["province"]])
