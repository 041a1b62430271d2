"""Reads that walk the tree: descendants by path, who decides admission (DOMAIN.md §2,
294-QĐ/TW §4.3.2), and each user's scope."""

from typing import cast

import pytest
from django.contrib.auth.models import AnonymousUser

from dangvien.accounts.models import Role, RoleAssignment, User
from dangvien.core.text import fold
from dangvien.factories import make_user, org, user_with_role
from dangvien.organisations.models import Kind, Organisation
from dangvien.organisations.queries import (
    admission_chain,
    ancestors,
    children,
    descendants,
    in_scope,
    path_within,
    same_grassroots,
    scope_paths,
    units_managed_by,
    visible_organisations,
)


def anonymous() -> User:
    """request.user before login: the queries take it as well (typed User for callers)."""
    return cast(User, AnonymousUser())


# ---- tree walks ------------------------------------------------------------------------


def test_descendants_are_the_subtree_by_path(tree):
    commune = tree["commune"]
    expected = {"commune", "village", "school", "school_branch", "clinic"}
    assert set(descendants(commune)) == {tree[k] for k in expected}
    assert set(descendants(commune, include_self=False)) == {
        tree[k] for k in expected - {"commune"}
    }
    assert tree["other_branch"] not in descendants(commune)


def test_descendants_of_a_node_do_not_include_a_node_whose_id_shares_a_prefix(tree):
    """Fixed-width segments: node 1's subtree must not catch node 10, 11, …"""
    for node in descendants(tree["school"]):
        assert node.path.startswith(tree["school"].path)
    assert set(descendants(tree["school"])) == {tree["school"], tree["school_branch"]}


def test_ancestors_are_listed_root_first(tree):
    assert ancestors(tree["school_branch"]) == [tree["province"], tree["commune"], tree["school"]]
    assert ancestors(tree["school_branch"], include_self=True)[-1] == tree["school_branch"]
    assert ancestors(tree["province"]) == []


def test_children_are_the_direct_children_in_vietnamese_order(tree):
    names = [o.name for o in children(tree["commune"])]
    assert names == ["Chi bộ thôn Đông", "Chi bộ Trạm Y tế", "Đảng bộ Trường THPT An Bình"]


# ---- admission chain -------------------------------------------------------------------


def test_a_branch_directly_under_a_commune_goes_straight_to_the_commune(tree):
    chain = admission_chain(tree["village"])
    assert chain.grassroots is None
    assert chain.endorser is None
    assert chain.decider == tree["commune"]
    assert chain.decider_rule == "vote.decider"
    assert chain.decider_label == "Ban Thường vụ Đảng bộ xã An Bình"


def test_a_branch_of_a_grassroots_committee_is_endorsed_by_it_and_decided_by_the_commune(tree):
    chain = admission_chain(tree["school_branch"])
    assert chain.grassroots == tree["school"]
    assert chain.endorser == tree["school"]
    assert chain.decider == tree["commune"]
    assert chain.decider_rule == "vote.decider"


def test_an_authorised_grassroots_committee_decides_itself(tree):
    committee = org(Kind.GRASSROOTS_COMMITTEE, tree["commune"], authorised_to_admit=True)
    branch = org(Kind.BRANCH, committee)
    chain = admission_chain(branch)
    assert chain.endorser is None
    assert chain.decider == committee
    assert chain.decider_rule == "vote.authorised_grassroots"
    assert "(được ủy quyền)" in chain.decider_label


def test_a_grassroots_branch_directly_under_a_commune_is_decided_by_the_commune(tree):
    chain = admission_chain(tree["clinic"])
    assert chain.grassroots == tree["clinic"]
    assert chain.endorser is None
    assert chain.decider == tree["commune"]


def test_a_branch_under_a_sub_committee_in_an_older_district_tree(db):
    """province → district → đảng bộ cơ sở → đảng bộ bộ phận → chi bộ: the đảng bộ cơ sở
    endorses, the district standing committee decides."""
    province = org(Kind.PROVINCE)
    district = org(Kind.DISTRICT, province)
    committee = org(Kind.GRASSROOTS_COMMITTEE, district)
    sub = org(Kind.SUB_COMMITTEE, committee)
    branch = org(Kind.BRANCH, sub)
    chain = admission_chain(branch)
    assert chain.grassroots == committee
    assert chain.endorser == committee
    assert chain.decider == district


def test_a_grassroots_branch_in_a_bloc_is_decided_by_the_bloc(db):
    province = org(Kind.PROVINCE)
    bloc = org(Kind.BLOC, province)
    branch = org(Kind.GRASSROOTS_BRANCH, bloc)
    assert admission_chain(branch).decider == bloc


# ---- same grassroots organisation (introducers) ----------------------------------------


def test_branches_under_one_commune_share_their_grassroots_organisation(tree):
    village2 = org(Kind.BRANCH, tree["commune"])
    assert same_grassroots(tree["village"], village2)


def test_branches_of_different_communes_do_not(tree):
    assert not same_grassroots(tree["village"], tree["other_branch"])


def test_branches_under_one_grassroots_committee_share_it_but_not_with_the_commune(tree):
    second = org(Kind.BRANCH, tree["school"])
    assert same_grassroots(tree["school_branch"], second)
    assert not same_grassroots(tree["school_branch"], tree["village"])


# ---- scope -----------------------------------------------------------------------------


def test_a_commune_user_sees_the_commune_subtree_only(tree):
    user = user_with_role(Role.GRASSROOTS_STAFF, tree["commune"])
    visible = set(visible_organisations(user))
    assert visible == set(descendants(tree["commune"]))
    assert tree["province"] not in visible
    assert tree["other_branch"] not in visible
    assert path_within(tree["school_branch"].path, user)
    assert not path_within(tree["other_branch"].path, user)


def test_a_user_with_roles_at_two_nodes_sees_both_subtrees(tree):
    user = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    RoleAssignment.objects.create(user=user, organisation=tree["other_commune"], role=Role.LEADER)
    visible = set(visible_organisations(user))
    assert visible == {tree["village"], tree["other_commune"], tree["other_branch"]}
    assert list(units_managed_by(user)) == [tree["village"], tree["other_commune"]]


def test_a_role_nested_under_another_adds_nothing(tree):
    user = user_with_role(Role.LEADER, tree["commune"])
    RoleAssignment.objects.create(user=user, organisation=tree["village"], role=Role.LEADER)
    assert scope_paths(user) == [tree["commune"].path]


def test_an_inactive_role_gives_no_scope(tree):
    user = user_with_role(Role.LEADER, tree["commune"])
    user.roles.update(active=False)
    user = type(user).objects.get(pk=user.pk)  # scope is cached per user object
    assert not visible_organisations(user).exists()


def test_a_user_without_roles_or_logged_out_sees_nothing(tree):
    assert not visible_organisations(make_user()).exists()
    assert scope_paths(anonymous()) == []
    assert not Organisation.objects.filter(in_scope(anonymous(), "path")).exists()


@pytest.mark.as_owner  # a migration: switching the audit trigger off is the owner's
def test_the_migration_folds_the_names_already_there_without_an_audit_event(tree):
    """organisations.0005 fills ``search_text`` for nodes made before it: every node gets
    its own name folded, names shared by many nodes included, and nothing is audited."""
    import importlib
    from types import SimpleNamespace

    from django.db import connection

    from dangvien.core.models import AuditEvent

    org(Kind.BRANCH, parent=tree["other_branch"].parent, name="Chi bộ Thôn Đông")
    org(Kind.BRANCH, parent=tree["village"].parent, name="Chi bộ Thôn Đông")
    Organisation.objects.update(search_text="")
    events = AuditEvent.objects.count()
    migration = importlib.import_module("dangvien.organisations.migrations.0005_search_text")
    if connection.vendor == "postgresql":  # as at a migration: no foreign-key check pending
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    migration.fold_names(None, SimpleNamespace(connection=connection))
    assert {o.search_text for o in Organisation.objects.filter(name="Chi bộ Thôn Đông")} == {
        "chi bo thon dong"
    }
    assert all(o.search_text == fold(o.name) for o in Organisation.objects.all())
    assert AuditEvent.objects.count() == events
