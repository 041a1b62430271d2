"""Reads of the admission pipeline: scope, search, counts per child node, eligibility
summary, deadlines and the to-do list."""

from datetime import date

import pytest
from django.db import connection

from dangvien.accounts.models import Role, RoleAssignment
from dangvien.candidates.models import ACTIVE, BackgroundCheck, Candidate, Introducer, Stage
from dangvien.candidates.queries import (
    counts_by_child,
    deadlines,
    eligibility_checks,
    filter_candidates,
    stage_counts,
    subtree_count,
    todo,
    visible_candidates,
)
from dangvien.factories import (
    CandidateFactory,
    MemberFactory,
    make_candidate,
    make_person,
    org,
    user_with_role,
)
from dangvien.organisations.models import Kind
from dangvien.organisations.queries import children

TODAY = date(2026, 11, 23)


# ---- scope and search ------------------------------------------------------------------


def test_a_commune_user_sees_the_candidates_of_its_subtree_only(tree):
    inside = [make_candidate(branch=tree[k]) for k in ("village", "school_branch", "clinic")]
    make_candidate(branch=tree["other_branch"])
    user = user_with_role(Role.GRASSROOTS_STAFF, tree["commune"])
    assert set(visible_candidates(user)) == set(inside)


def test_a_branch_secretary_sees_the_branch_only(tree):
    mine = make_candidate(branch=tree["village"])
    make_candidate(branch=tree["school_branch"])
    user = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    assert list(visible_candidates(user)) == [mine]


def test_a_user_with_roles_at_two_nodes_sees_both(tree):
    village = make_candidate(branch=tree["village"])
    other = make_candidate(branch=tree["other_branch"])
    make_candidate(branch=tree["clinic"])
    user = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    RoleAssignment.objects.create(user=user, organisation=tree["other_commune"], role=Role.LEADER)
    assert set(visible_candidates(user)) == {village, other}


def test_candidates_are_listed_by_given_name_then_middle_then_family(tree):
    for family, middle, given in [
        ("Trần", "Văn", "Bình"),
        ("Nguyễn", "Thị", "An"),
        ("Lê", "Văn", "An"),
    ]:
        make_candidate(
            branch=tree["village"],
            person=make_person(family_name=family, middle_name=middle, given_name=given),
        )
    user = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    names = [c.person.full_name for c in visible_candidates(user)]
    assert names == ["Nguyễn Thị An", "Lê Văn An", "Trần Văn Bình"]


def test_the_list_query_count_does_not_grow_with_rows(tree, django_assert_num_queries):
    user = user_with_role(Role.GRASSROOTS_STAFF, tree["commune"])
    CandidateFactory.create_batch(2, branch=tree["village"])
    with django_assert_num_queries(2):  # the user's roles, then the rows
        [(c.person.full_name, c.branch.name) for c in visible_candidates(user)]
    CandidateFactory.create_batch(10, branch=tree["school_branch"])
    user = type(user).objects.get(pk=user.pk)
    with django_assert_num_queries(2):
        [(c.person.full_name, c.branch.name) for c in visible_candidates(user)]


def test_search_ignores_case_and_diacritics(tree):
    dat = make_candidate(
        branch=tree["village"],
        person=make_person(family_name="Nguyễn", middle_name="Văn", given_name="Đạt"),
    )
    make_candidate(branch=tree["village"], person=make_person(given_name="Lan"))
    rows = Candidate.objects.all()
    assert list(filter_candidates(rows, q="NGUYEN van dat")) == [dat]
    assert list(filter_candidates(rows, q="Đạt")) == [dat]
    assert list(filter_candidates(rows, q=dat.person.citizen_id)) == [dat]


def test_filters_by_stage_active_and_branch(tree):
    open_ = make_candidate(branch=tree["village"], stage=Stage.CERTIFIED)
    done = make_candidate(branch=tree["village"], stage=Stage.WITHDRAWN)
    school = make_candidate(branch=tree["school_branch"], stage=Stage.CERTIFIED)
    rows = Candidate.objects.all()
    assert set(filter_candidates(rows, stage="active")) == {open_, school}
    assert list(filter_candidates(rows, stage=Stage.WITHDRAWN)) == [done]
    assert set(filter_candidates(rows, branch=tree["village"])) == {open_, done}
    assert set(filter_candidates(rows, branch=tree["school"])) == {school}


# ---- counts ----------------------------------------------------------------------------


def _populate(tree):
    extra = org(Kind.BRANCH, tree["school"])
    plan = {
        "village": [Stage.CANDIDATE, Stage.CERTIFIED, Stage.ADMITTED, Stage.WITHDRAWN],
        "school_branch": [Stage.DOSSIER_OPEN, Stage.MEMBER],
        "clinic": [Stage.BRANCH_PROPOSED, Stage.REJECTED],
        "other_branch": [Stage.CANDIDATE],
    }
    for key, stages in plan.items():
        for stage in stages:
            make_candidate(branch=tree[key], stage=stage)
    CandidateFactory.create_batch(3, branch=extra, stage=Stage.IN_AWARENESS_COURSE)


def _brute_force(node):
    result = {}
    for child in children(node):
        n = sum(
            c.stage in ACTIVE and c.branch.path.startswith(child.path)
            for c in Candidate.objects.all()
        )
        if n:
            result[child.path] = n
    return result


@pytest.mark.parametrize("node", ["province", "commune", "school", "other_commune"])
def test_counts_by_child_equal_a_brute_force_count(tree, node):
    _populate(tree)
    assert counts_by_child(tree[node]) == _brute_force(tree[node])


def test_counts_by_child_on_the_commune(tree):
    _populate(tree)
    assert counts_by_child(tree["commune"]) == {
        tree["village"].path: 3,
        tree["school"].path: 4,
        tree["clinic"].path: 1,
    }
    assert subtree_count(tree["commune"]) == 8


def test_stage_counts(tree):
    _populate(tree)
    counts = stage_counts(Candidate.objects.filter(org_path__startswith=tree["commune"].path))
    assert counts[Stage.IN_AWARENESS_COURSE] == 3
    assert counts[Stage.MEMBER] == 1
    assert Stage.BACKGROUND_CHECKED not in counts


# ---- eligibility summary ----------------------------------------------------------------


def test_eligibility_lists_every_check_and_says_which_fail(tree):
    candidate = make_candidate(
        branch=tree["village"],
        stage=Stage.BACKGROUND_CHECKED,
        person=make_person(birth_date=date(2000, 1, 1)),
        certificate_issued_on=date(2026, 1, 5),
        application_on=date(2026, 2, 1),
        declaration_on=date(2026, 2, 2),
    )
    BackgroundCheck.objects.create(
        candidate=candidate, completed_on=date(2026, 3, 1), outcome="clear"
    )
    checks = {c.key: c for c in eligibility_checks(candidate, date(2026, 10, 15))}
    assert list(checks) == [
        "age",
        "education",
        "certificate",
        "dossier",
        "background",
        "introducers",
    ]
    assert all(checks[k].ok for k in ("age", "education", "certificate", "dossier", "background"))
    assert not checks["introducers"].ok
    for member in MemberFactory.create_batch(2, branch=tree["village"]):
        Introducer.objects.create(candidate=candidate, member=member, known_since=date(2020, 1, 1))
    assert all(c.ok for c in eligibility_checks(candidate, date(2026, 10, 15)))


def test_eligibility_without_certificate_or_dossier(tree):
    candidate = make_candidate(branch=tree["village"], stage=Stage.CANDIDATE)
    checks = {c.key: c for c in eligibility_checks(candidate, date(2026, 10, 15))}
    assert not checks["certificate"].ok
    assert not checks["dossier"].ok
    assert not checks["background"].ok


# ---- deadlines and to-do ---------------------------------------------------------------


def test_deadlines_show_what_is_due_and_whether_it_is_overdue(tree):
    pending = make_candidate(
        branch=tree["village"], stage=Stage.BRANCH_PROPOSED, decision_due_on=date(2026, 11, 20)
    )
    (item,) = deadlines(pending, TODAY)
    assert (item.what, item.due_on, item.overdue) == (
        "Quyết định kết nạp",
        date(2026, 11, 20),
        True,
    )
    admitted = make_candidate(
        branch=tree["village"], stage=Stage.ADMITTED, ceremony_due_on=date(2026, 12, 1)
    )
    (item,) = deadlines(admitted, TODAY)
    assert (item.what, item.overdue) == ("Tổ chức lễ kết nạp", False)


def test_the_certificate_expiry_is_a_deadline_while_the_dossier_is_prepared(tree):
    candidate = make_candidate(
        branch=tree["village"], stage=Stage.DOSSIER_OPEN, certificate_issued_on=date(2021, 11, 22)
    )
    (item,) = deadlines(candidate, TODAY)
    assert (item.due_on, item.overdue) == (date(2026, 11, 22), True)


def test_todo_lists_decisions_and_ceremonies_near_or_past_their_deadline_in_scope(tree):
    late = make_candidate(
        branch=tree["village"], stage=Stage.BRANCH_PROPOSED, decision_due_on=date(2026, 11, 1)
    )
    soon = make_candidate(
        branch=tree["school_branch"],
        stage=Stage.GRASSROOTS_ENDORSED,
        decision_due_on=date(2026, 12, 1),
    )
    make_candidate(
        branch=tree["village"], stage=Stage.BRANCH_PROPOSED, decision_due_on=date(2027, 3, 1)
    )
    make_candidate(
        branch=tree["other_branch"], stage=Stage.BRANCH_PROPOSED, decision_due_on=date(2026, 11, 1)
    )
    ceremony = make_candidate(
        branch=tree["clinic"], stage=Stage.ADMITTED, ceremony_due_on=date(2026, 11, 25)
    )
    make_candidate(  # decided long ago but already a member: nothing to do
        branch=tree["clinic"], stage=Stage.MEMBER, ceremony_due_on=date(2026, 11, 25)
    )
    user = user_with_role(Role.GRASSROOTS_STAFF, tree["commune"])
    items = todo(user, TODAY)
    assert list(items["decisions"]) == [late, soon]
    assert list(items["ceremonies"]) == [ceremony]


def test_the_todo_deadlines_are_read_from_indexes_of_their_stage_only_on_postgresql(tree):
    """The deadline indexes hold only the stages the to-do reads (candidates.0005): the
    to-do's own filters must be ones PostgreSQL can prove them by, or it could not use
    them at all."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    user = user_with_role(Role.BOARD_STAFF, tree["province"])
    with connection.cursor() as cursor:
        # The test's tables are tiny, and CI's planner once read the scope index and
        # sorted: with sorting priced out, only an index in deadline order serves.
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
    items = todo(user, TODAY)
    assert "cand_decision_due_idx" in items["decisions"][:50].explain()
    assert "cand_ceremony_due_idx" in items["ceremonies"][:50].explain()


# ---- the list's order on the candidate's own copy of the sort key (issue 9) --------------

NAMES = [
    ("Trần", "Thị", "Ánh"),
    ("Nguyễn", "Văn", "An"),
    ("Lê", "", "Ân"),
    ("Phạm", "Văn", "Ăn"),
    ("Võ", "Văn", "Đức"),
    ("Bùi", "Thị", "Anh"),
    ("Nguyễn", "Văn", "An"),
]


def _many_candidates(tree):
    branches = ["village", "school_branch", "clinic", "other_branch"]
    stages = [Stage.CANDIDATE, Stage.CERTIFIED, Stage.DOSSIER_OPEN, Stage.WITHDRAWN]
    for n, (family, middle, given) in enumerate(NAMES * 4):
        make_candidate(
            branch=tree[branches[n % len(branches)]],
            stage=stages[n % len(stages)],
            person=make_person(family_name=family, middle_name=middle, given_name=given),
        )


def test_a_new_candidate_carries_the_sort_key_of_its_person(tree):
    candidate = make_candidate(branch=tree["village"], person=make_person(given_name="Ánh"))
    assert candidate.person.sort_key != ""
    assert Candidate.objects.get(pk=candidate.pk).sort_key == candidate.person.sort_key
    bare = Candidate(person_id=make_person().pk, branch=tree["village"], org_path="x")
    bare.save()
    assert Candidate.objects.get(pk=bare.pk).sort_key == bare.person.sort_key != ""


def test_the_candidate_list_has_the_rows_and_order_of_the_people_names_for_every_filter(tree):
    """Brute force: ordered by the candidate's copy of the sort key, the list equals the
    list ordered by the person's own key (the query it replaces), for every stage filter,
    scope and name search, and each page read ids first is its slice."""
    from dangvien.core.paging import IdsFirst

    _many_candidates(tree)
    users = [
        user_with_role(Role.BOARD_STAFF, tree["province"]),
        user_with_role(Role.GRASSROOTS_STAFF, tree["commune"]),
        user_with_role(Role.BRANCH_SECRETARY, tree["village"]),
    ]
    for user in users:
        for stage in ["", "active", *Stage.values]:
            for q in ["", "anh"]:
                rows = filter_candidates(visible_candidates(user), stage=stage, q=q)
                got = list(rows.values_list("pk", flat=True))
                live = rows.order_by("person__sort_key", "pk")
                assert got == list(live.values_list("pk", flat=True))
                pages = IdsFirst(rows)
                assert [c.pk for s in range(0, 30, 4) for c in pages[s : s + 4]] == got


def test_the_candidate_lists_order_is_served_by_an_index_on_postgresql(tree):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    _many_candidates(tree)
    user = user_with_role(Role.BOARD_STAFF, tree["province"])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")  # the test's tables are tiny
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
    # With sorting priced out, a plan without a Sort node reads the order from an
    # index; which of the two name indexes the planner picks for one stage depends on
    # its statistics of the tiny test table (CI once chose the other), so either serves.
    one = filter_candidates(visible_candidates(user), stage=Stage.CERTIFIED)
    plan = one.values_list("pk", flat=True)[:50].explain()
    assert "Sort" not in plan and "people_person" not in plan, plan
    assert "cand_stage_name_idx" in plan or "cand_name_idx" in plan, plan
    every = filter_candidates(visible_candidates(user)).values_list("pk", flat=True)[:50]
    plan = every.explain()
    assert "Sort" not in plan and "cand_name_idx" in plan, plan
