"""Who may do what, where: a role at a node covers its subtree; deciding is limited to the
deciding committee or above, province approvals to a tree's top node."""

from typing import cast

from django.contrib.auth.models import AnonymousUser

from dangvien.accounts.models import Capability, Role, RoleAssignment, User
from dangvien.accounts.queries import (
    can,
    can_approve_as_province,
    can_decide_for,
    can_endorse_for,
    has_any_role,
)
from dangvien.factories import make_user, org, user_with_role
from dangvien.organisations.models import Kind


def anonymous() -> User:
    """request.user before login: the queries take it as well (typed User for callers)."""
    return cast(User, AnonymousUser())


def test_a_branch_secretary_moves_candidates_in_the_branch_only(tree):
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    assert can(secretary, Capability.BRANCH_MOVES, tree["village"].path)
    assert not can(secretary, Capability.BRANCH_MOVES, tree["school_branch"].path)
    assert not can(secretary, Capability.BRANCH_MOVES, tree["commune"].path)
    assert not can(secretary, Capability.DECIDE, tree["village"].path)


def test_a_role_covers_the_whole_subtree(tree):
    staff = user_with_role(Role.GRASSROOTS_STAFF, tree["commune"])
    for key in ("commune", "village", "school", "school_branch", "clinic"):
        assert can(staff, Capability.VIEW, tree[key].path)
    assert not can(staff, Capability.VIEW, tree["other_branch"].path)
    assert not can(staff, Capability.VIEW, tree["province"].path)


def test_a_leader_only_views(tree):
    leader = user_with_role(Role.LEADER, tree["province"])
    assert can(leader, Capability.VIEW, tree["village"].path)
    for capability in (Capability.BRANCH_MOVES, Capability.DECIDE, Capability.APPROVE):
        assert not can(leader, capability, tree["village"].path)


def test_a_user_with_roles_at_two_nodes_holds_each_role_in_its_own_subtree(tree):
    user = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    RoleAssignment.objects.create(user=user, organisation=tree["other_commune"], role=Role.LEADER)
    user = type(user).objects.get(pk=user.pk)
    assert can(user, Capability.BRANCH_MOVES, tree["village"].path)
    assert can(user, Capability.VIEW, tree["other_branch"].path)
    assert not can(user, Capability.BRANCH_MOVES, tree["other_branch"].path)


def test_the_commune_staff_decide_for_the_commune_but_not_for_another(tree):
    staff = user_with_role(Role.GRASSROOTS_STAFF, tree["commune"])
    assert can_decide_for(staff, tree["commune"])
    assert not can_decide_for(staff, tree["other_commune"])


def test_the_province_board_decides_for_every_committee_below(tree):
    board = user_with_role(Role.BOARD_STAFF, tree["province"])
    assert can_decide_for(board, tree["commune"])
    assert can_decide_for(board, tree["other_commune"])


def test_staff_of_a_grassroots_committee_cannot_decide_for_the_commune_above(tree):
    staff = user_with_role(Role.GRASSROOTS_STAFF, tree["school"])
    assert not can_decide_for(staff, tree["commune"])
    assert can_endorse_for(staff, tree["school"])


def test_a_branch_secretary_neither_endorses_nor_decides(tree):
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["school_branch"])
    assert not can_endorse_for(secretary, tree["school"])
    assert not can_decide_for(secretary, tree["commune"])


def test_only_the_board_at_the_top_of_the_tree_approves_as_province(tree):
    province_board = user_with_role(Role.BOARD_STAFF, tree["province"])
    commune_board = user_with_role(Role.BOARD_STAFF, tree["commune"])
    commune_staff = user_with_role(Role.GRASSROOTS_STAFF, tree["commune"])
    leader = user_with_role(Role.LEADER, tree["province"])
    path = tree["village"].path
    assert can_approve_as_province(province_board, path)
    assert not can_approve_as_province(commune_board, path)
    assert not can_approve_as_province(commune_staff, path)
    assert not can_approve_as_province(leader, path)


def test_a_province_board_does_not_approve_for_another_province(tree):
    other = org(Kind.PROVINCE)
    board = user_with_role(Role.BOARD_STAFF, other)
    assert not can_approve_as_province(board, tree["village"].path)


def test_inactive_roles_and_anonymous_users_can_do_nothing(tree):
    user = user_with_role(Role.BOARD_STAFF, tree["province"])
    user.roles.update(active=False)
    user = type(user).objects.get(pk=user.pk)
    assert not can(user, Capability.VIEW, tree["village"].path)
    assert not has_any_role(user)
    assert not can(anonymous(), Capability.VIEW, tree["village"].path)
    assert not can_approve_as_province(anonymous(), tree["village"].path)
    assert not has_any_role(anonymous())
    assert not has_any_role(make_user())
