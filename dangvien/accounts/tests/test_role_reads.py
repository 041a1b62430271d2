"""A page reads the user's roles once: the permission checks, the data scope and the
auditor's menu answer from that one read (accounts.queries._roles; issue 9: CPU per
request)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangvien.accounts.models import Role, RoleAssignment
from dangvien.accounts.queries import can
from dangvien.auditlog.queries import may_audit
from dangvien.factories import user_with_role
from dangvien.organisations.queries import scope_paths

pytestmark = pytest.mark.django_db


def _role_reads(captured: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in captured.captured_queries
        # the row-level security statement of PostgreSQL computes the scope in SQL
        if '"accounts_roleassignment"' in q["sql"] and "set_config" not in q["sql"]
    ]


@pytest.mark.parametrize("name", ["candidates:list", "members:list", "home"])
def test_a_page_reads_the_users_roles_once(client, tree, name):
    client.force_login(user_with_role(Role.GRASSROOTS_STAFF, tree["school"]))
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse(name)).status_code == 200
    assert len(_role_reads(captured)) == 1, _role_reads(captured)


def test_the_scope_leaves_out_the_auditors_node_which_opens_the_logs(tree):
    user = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    RoleAssignment.objects.create(user=user, organisation=tree["province"], role=Role.AUDITOR)
    RoleAssignment.objects.create(
        user=user, organisation=tree["other_branch"], role=Role.LEADER, active=False
    )
    assert scope_paths(user) == [tree["village"].path]
    assert may_audit(user)
    assert can(user, "branch_moves", tree["village"].path)
    assert not can(user, "view", tree["other_branch"].path)
