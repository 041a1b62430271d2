"""Who sees what at the database level, and the prefix lookup (any database)."""

from typing import Any

import pytest
from django.apps import apps
from django.db import connection

from dangvien.accounts.models import Role
from dangvien.factories import make_member, make_user, user_with_role
from dangvien.members.models import Member
from dangvien.people.models import Person
from dangvien.rowsecurity import lookups, policies, scope
from dangvien.rowsecurity.lookups import successor


def test_a_superuser_sees_every_row():
    user = make_user(is_superuser=True)
    assert scope.scope_for(user) == "*"


def test_an_anonymous_or_inactive_user_or_nobody_sees_nothing(db):
    from django.contrib.auth.models import AnonymousUser

    assert scope.scope_for(None) == ""
    assert scope.scope_for(AnonymousUser()) == ""
    user = user_with_role(Role.LEADER, _root(), is_active=False)
    assert scope.scope_for(user) == ""


def test_a_user_without_a_role_sees_nothing(db):
    assert scope.scope_for(make_user()) == ""


def test_commune_staff_see_their_commune(tree):
    user = user_with_role(Role.GRASSROOTS_STAFF, tree["commune"])
    assert scope.scope_for(user) == tree["commune"].path


def test_a_branch_secretary_sees_the_grassroots_organisation_around_the_branch(tree):
    """An introducer may sit in another chi bộ of the same grassroots organisation."""
    user = user_with_role(Role.BRANCH_SECRETARY, tree["school_branch"])
    assert scope.paths_for(user) == [tree["school"].path]


def test_a_branch_directly_under_a_commune_widens_to_the_commune(tree):
    """No grassroots organisation between: the commune decides, its chi bộ are siblings."""
    user = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    assert scope.paths_for(user) == [tree["commune"].path]


def test_a_grassroots_branch_is_its_own_grassroots_organisation(tree):
    user = user_with_role(Role.BRANCH_SECRETARY, tree["clinic"])
    assert scope.paths_for(user) == [tree["clinic"].path]


def test_nested_and_inactive_roles_are_dropped(tree):
    user = user_with_role(Role.GRASSROOTS_STAFF, tree["commune"])
    user.roles.create(organisation=tree["school"], role=Role.LEADER)
    user.roles.create(organisation=tree["other_commune"], role=Role.LEADER, active=False)
    assert scope.paths_for(user) == [tree["commune"].path]


def test_an_auditor_reads_the_people_of_the_audited_subtree(tree):
    """The access log names people: their rows must be readable for the auditor's page."""
    user = user_with_role(Role.AUDITOR, tree["province"])
    assert scope.paths_for(user) == [tree["province"].path]


def test_two_subtrees_are_joined_with_a_comma(tree):
    user = user_with_role(Role.LEADER, tree["commune"])
    user.roles.create(organisation=tree["other_commune"], role=Role.LEADER)
    assert scope.scope_for(user) == f"{tree['commune'].path},{tree['other_commune'].path}"


def test_the_successor_of_a_prefix_bounds_every_string_starting_with_it():
    assert successor("00000001/") == "000000010"
    assert successor("ab") == "ac"
    assert successor("\ud7ff") == "\ue000"
    assert successor("\U0010ffff") is None
    assert successor("") is None
    upper = "000000010"
    for text in ("00000001/", "00000001/00000002/", "00000001/z"):
        assert "00000001/" <= text < upper
    assert not ("00000001/" <= "000000010/" < upper)


def test_scope_filters_on_path_columns_become_ranges_on_postgresql(tree):
    query = str(Member.objects.filter(org_path__startswith=tree["commune"].path).query)
    other = str(Person.objects.filter(search_text__startswith="nguyen").query)
    if connection.vendor == "postgresql":
        assert "~>=~" in query and "~<~" in query and "LIKE" not in query
    else:
        assert "LIKE" in query
    assert "LIKE" in other  # other columns keep Django's lookup


def test_the_range_finds_exactly_the_rows_the_prefix_finds(tree):
    inside = make_member(branch=tree["village"])
    make_member(branch=tree["other_branch"])
    found = Member.objects.filter(org_path__startswith=tree["commune"].path)
    assert list(found) == [inside]
    assert not Member.objects.filter(org_path__startswith=tree["commune"].path + "9")
    prefix = tree["commune"].path
    assert set(found) == {m for m in Member.objects.all() if m.org_path.startswith(prefix)}


def test_every_table_with_personal_data_is_protected_or_excused():
    """A new table with an org_path, or about a person, member or candidate, cannot escape:
    it goes into ``policies.PROTECTED`` or ``policies.EXCUSED`` with a reason."""
    subjects = {"people.person", "members.member", "candidates.candidate"}
    covered = {p.table for p in policies.PROTECTED} | set(policies.EXCUSED)
    missing = []
    for model in apps.get_models():
        fields = model._meta.concrete_fields
        about = any(_label(f.related_model) in subjects for f in fields if f.is_relation)
        has_path = any(f.name == "org_path" for f in fields)
        if (about or has_path) and model._meta.db_table not in covered:
            missing.append(model._meta.db_table)
    assert missing == []


def test_the_prefix_lookup_is_registered_on_every_protected_path_column():
    tables = {p.table for p in policies.PROTECTED}
    for model in apps.get_models():
        if model._meta.db_table not in tables:
            continue
        for field in model._meta.concrete_fields:
            if field.name in lookups.PATH_COLUMNS:
                assert field.get_lookup("startswith") is lookups.PrefixRange, model


def _label(model: Any) -> str:
    return str(model._meta.label_lower) if hasattr(model, "_meta") else ""


def _root() -> Any:
    from dangvien.factories import org
    from dangvien.organisations.models import Kind

    return org(Kind.PROVINCE, name="Tỉnh ủy")


pytestmark = [pytest.mark.django_db, pytest.mark.as_owner]
