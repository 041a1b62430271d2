"""Reads of member records: the branch vote denominator (294-QĐ/TW §9.3.2 [R], DOMAIN.md
§2), counts per child node, and each user's scope."""

from datetime import date
from typing import Any

import pytest
from django.db import connection

from dangvien.accounts.models import Role, RoleAssignment
from dangvien.factories import MemberFactory, make_member, org, user_with_role
from dangvien.members.models import (
    ACTIVE_STATUSES,
    Member,
    Status,
    Transfer,
    TransferKind,
    TransferState,
)
from dangvien.members.queries import (
    counts_by_child,
    exempted_count,
    filter_members,
    find_members,
    subtree_counts,
    visible_members,
    vote_denominator,
)
from dangvien.organisations.models import Kind
from dangvien.organisations.queries import children

ON = date(2026, 10, 15)


# ---- vote denominator ------------------------------------------------------------------


def test_the_denominator_is_the_official_members(tree):
    branch = tree["village"]
    MemberFactory.create_batch(5, branch=branch)
    assert vote_denominator(branch, on=ON) == 5


def test_probationary_members_never_count(tree):
    branch = tree["village"]
    MemberFactory.create_batch(4, branch=branch)
    MemberFactory.create_batch(3, branch=branch, status=Status.PROBATIONARY)
    assert vote_denominator(branch, on=ON) == 4


def test_a_member_recognised_official_after_the_meeting_does_not_count_yet(tree):
    branch = tree["village"]
    MemberFactory.create_batch(3, branch=branch)
    make_member(branch=branch, official_on=date(2026, 10, 20))
    make_member(branch=branch, official_on=ON)
    assert vote_denominator(branch, on=ON) == 4


def test_members_of_other_branches_and_former_members_do_not_count(tree):
    branch = tree["village"]
    MemberFactory.create_batch(3, branch=branch)
    make_member(branch=branch, status=Status.REMOVED)
    make_member(branch=branch, status=Status.DECEASED)
    make_member(branch=tree["school_branch"])
    assert vote_denominator(branch, on=ON) == 3


def test_members_on_temporary_transfer_out_do_not_count(tree):
    branch = tree["village"]
    MemberFactory.create_batch(6, branch=branch)
    make_member(branch=branch, temporarily_away_since=date(2026, 9, 1))
    # Leaving only after the meeting: still counted that day.
    make_member(branch=branch, temporarily_away_since=date(2026, 10, 16))
    assert vote_denominator(branch, on=ON) == 7


def test_absent_exempted_members_do_not_count_but_those_present_count_back_in(tree):
    branch = tree["village"]
    MemberFactory.create_batch(6, branch=branch)
    MemberFactory.create_batch(3, branch=branch, exempted_since=date(2025, 1, 1))
    assert exempted_count(branch, ON) == 3
    assert vote_denominator(branch, on=ON) == 6
    assert vote_denominator(branch, on=ON, exempted_present=1) == 7
    assert vote_denominator(branch, on=ON, exempted_present=3) == 9


def test_more_exempted_present_than_exist_is_capped(tree):
    branch = tree["village"]
    MemberFactory.create_batch(4, branch=branch)
    make_member(branch=branch, exempted_since=date(2025, 1, 1))
    assert vote_denominator(branch, on=ON, exempted_present=5) == 5
    assert vote_denominator(branch, on=ON, exempted_present=-2) == 4


def test_an_exempted_member_away_on_transfer_is_subtracted_once(tree):
    branch = tree["village"]
    MemberFactory.create_batch(4, branch=branch)
    make_member(
        branch=branch, exempted_since=date(2025, 1, 1), temporarily_away_since=date(2025, 6, 1)
    )
    assert exempted_count(branch, ON) == 0
    assert vote_denominator(branch, on=ON) == 4
    assert vote_denominator(branch, on=ON, exempted_present=1) == 4


def test_an_exemption_starting_after_the_meeting_does_not_apply(tree):
    branch = tree["village"]
    MemberFactory.create_batch(4, branch=branch)
    make_member(branch=branch, exempted_since=date(2026, 11, 1))
    assert vote_denominator(branch, on=ON) == 5


# ---- counts ----------------------------------------------------------------------------


def _populate(tree):
    extra_branch = org(Kind.BRANCH, tree["school"])
    plan = {
        "village": (5, 2, 1),  # official, probationary, removed
        "school_branch": (3, 1, 0),
        "clinic": (4, 0, 2),
        "other_branch": (2, 2, 0),
    }
    for key, (official, probationary, removed) in plan.items():
        MemberFactory.create_batch(official, branch=tree[key])
        MemberFactory.create_batch(probationary, branch=tree[key], status=Status.PROBATIONARY)
        MemberFactory.create_batch(removed, branch=tree[key], status=Status.REMOVED)
    MemberFactory.create_batch(2, branch=extra_branch)


def _brute_force(node):
    result = {}
    for child in children(node):
        rows = [m for m in Member.objects.all() if m.branch.path.startswith(child.path)]
        counts = {
            "official": sum(m.status == Status.OFFICIAL for m in rows),
            "probationary": sum(m.status == Status.PROBATIONARY for m in rows),
        }
        if any(m.status in ACTIVE_STATUSES for m in rows):
            result[child.path] = counts
    return result


@pytest.mark.parametrize("node", ["province", "commune", "school", "other_commune"])
def test_counts_by_child_equal_a_brute_force_count(tree, node):
    _populate(tree)
    assert counts_by_child(tree[node]) == _brute_force(tree[node])


def test_counts_by_child_on_the_commune(tree):
    _populate(tree)
    counts = counts_by_child(tree["commune"])
    assert counts[tree["village"].path] == {"official": 5, "probationary": 2}
    assert counts[tree["school"].path] == {"official": 5, "probationary": 1}
    assert counts[tree["clinic"].path] == {"official": 4, "probationary": 0}


def test_counts_by_child_is_one_query(tree, django_assert_num_queries):
    _populate(tree)
    with django_assert_num_queries(1):
        counts_by_child(tree["province"])


def test_subtree_counts(tree):
    _populate(tree)
    assert subtree_counts(tree["commune"]) == {"official": 14, "probationary": 3}


# ---- scope and filters -----------------------------------------------------------------


def test_a_commune_user_sees_the_members_of_its_subtree_only(tree):
    inside = [make_member(branch=tree[k]) for k in ("village", "school_branch", "clinic")]
    make_member(branch=tree["other_branch"])
    user = user_with_role(Role.GRASSROOTS_STAFF, tree["commune"])
    assert set(visible_members(user)) == set(inside)


def test_a_user_with_roles_at_two_nodes_sees_the_members_of_both(tree):
    village = make_member(branch=tree["village"])
    other = make_member(branch=tree["other_branch"])
    make_member(branch=tree["school_branch"])
    user = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    RoleAssignment.objects.create(user=user, organisation=tree["other_commune"], role=Role.LEADER)
    assert set(visible_members(user)) == {village, other}


def test_a_member_coming_from_elsewhere_is_seen_by_the_destination_until_received(tree):
    """294-QĐ/TW §6.3: a transfer in flight shows the member at both ends."""
    coming = make_member(branch=tree["other_branch"])
    here = make_member(branch=tree["village"])
    user = user_with_role(Role.GRASSROOTS_STAFF, tree["commune"])
    transfer = _transfer(coming, tree["village"])
    assert set(visible_members(user)) == {here, coming}
    Transfer.objects.filter(pk=transfer.pk).update(state=TransferState.CANCELLED)
    assert set(visible_members(user)) == {here}


@pytest.mark.postgres
def test_the_member_list_of_a_unit_reads_the_path_index_with_members_coming_in(tree):
    """The incoming members are added by id, so the path filter still drives an index
    (an ``OR EXISTS(transfer …)`` made PostgreSQL scan every member of the country)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    make_member(branch=tree["village"])
    _transfer(make_member(branch=tree["other_branch"]), tree["village"])
    user = user_with_role(Role.GRASSROOTS_STAFF, tree["commune"])
    rows = visible_members(user)
    assert "members_transfer" not in str(rows.query)  # the incoming ids are a literal list
    with connection.cursor() as cursor:
        # Bitmap scans only: they need an index condition, so the plan shows whether the
        # filter can drive an index. With plain index scans allowed, the planner may walk
        # a whole small index that merely holds org_path (it did in CI once), which
        # proves nothing either way; a filter no index serves falls back to a Seq Scan.
        for kind in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{kind} = off")
    plan = rows.order_by().values("pk").explain()  # the filter alone, not the name order
    assert "org_path" in "".join(line for line in plan.splitlines() if "Index Cond" in line)
    assert "Seq Scan on members_member" not in plan, plan


def _transfer(member: Member, to: Any) -> Transfer:
    return Transfer.objects.create(
        member=member,
        kind=TransferKind.PERMANENT,
        from_branch=member.branch,
        to_organisation=to,
        to_path=to.path,
        to_name=to.name,
        letter_no="GT-9",
        issued_on=date(2026, 1, 5),
        present_by=date(2026, 2, 16),
    )


def test_members_filter_by_accent_free_text_status_and_organisation(tree):
    dat = make_member(branch=tree["village"], person__given_name="Đạt", person__middle_name="Văn")
    make_member(branch=tree["village"], person__given_name="Lan", status=Status.PROBATIONARY)
    make_member(branch=tree["school_branch"], person__given_name="Đạt")
    rows = Member.objects.all()
    assert list(filter_members(rows, q="van dat", organisation=tree["village"])) == [dat]
    assert filter_members(rows, status=Status.PROBATIONARY).count() == 1
    assert filter_members(rows, organisation=tree["commune"]).count() == 3


# ---- name search on the member's own copy of the folded name (issue 9) -------------------


def test_a_new_member_carries_the_folded_name_of_its_person(tree):
    member = make_member(
        branch=tree["village"],
        person__family_name="Đặng",
        person__middle_name="Thị Ánh",
        person__given_name="Tuyết",
    )
    assert Member.objects.get(pk=member.pk).search_text == "dang thi anh tuyet"
    assert member.search_text == member.person.search_text


def test_a_member_saved_with_its_person_not_loaded_still_copies_the_name(tree):
    person = make_member(branch=tree["village"]).person
    Member.objects.filter(person=person).delete()
    member = Member(person_id=person.pk, branch=tree["village"], org_path=tree["village"].path)
    member.status = Status.OFFICIAL
    member.save()
    assert Member.objects.get(pk=member.pk).search_text == person.search_text != ""


def test_the_list_finds_a_name_typed_without_diacritics_within_the_scope_only(tree):
    here = make_member(branch=tree["village"], person__family_name="Lương", person__given_name="Hà")
    make_member(branch=tree["other_branch"], person__family_name="Lương", person__given_name="Hà")
    user = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    found = filter_members(visible_members(user), q="luong")
    assert list(found.filter(search_text__contains="luong")) == [here]
    assert list(filter_members(visible_members(user), q="LƯƠNG")) == [here]


# ---- the lists' order on the member's own copy of the sort key (issue 9) -----------------

# Names that sort apart only by tone or by letter (a < ă < â, d < đ), and twins that tie.
NAMES = [
    ("Trần", "Thị", "Ánh"),
    ("Nguyễn", "Văn", "An"),
    ("Lê", "", "Ân"),
    ("Phạm", "Văn", "Ăn"),
    ("Đỗ", "Thị", "Dung"),
    ("Võ", "Văn", "Đức"),
    ("Bùi", "Thị", "Anh"),
    ("Nguyễn", "Văn", "An"),
    ("Hoàng", "", "Ánh"),
    ("Trần", "Thị", "Ánh"),
]


def _many_members(tree: dict[str, Any]) -> list[Member]:
    """Members of every status in every branch, names repeating (ties break by id)."""
    branches = ["village", "school_branch", "clinic", "other_branch"]
    made = []
    for n, (family, middle, given) in enumerate(NAMES * 4):
        made.append(
            make_member(
                branch=tree[branches[n % len(branches)]],
                status=Status.values[n % len(Status.values)],
                person__family_name=family,
                person__middle_name=middle,
                person__given_name=given,
            )
        )
    return made


def test_a_new_member_carries_the_sort_key_of_its_person(tree):
    member = make_member(branch=tree["village"], person__given_name="Ánh")
    assert member.person.sort_key != ""
    assert Member.objects.get(pk=member.pk).sort_key == member.person.sort_key


def test_a_member_saved_with_its_person_not_loaded_still_copies_the_sort_key(tree):
    person = make_member(branch=tree["village"]).person
    Member.objects.filter(person=person).delete()
    member = Member(person_id=person.pk, branch=tree["village"], org_path=tree["village"].path)
    member.status = Status.OFFICIAL
    member.save()
    assert Member.objects.get(pk=member.pk).sort_key == person.sort_key != ""


def test_the_member_list_has_the_rows_and_order_of_the_people_names_for_every_filter(tree):
    """Brute force: the list ordered by the member's copy of the sort key equals the
    list ordered by the person's own key (the query it replaces), for every status,
    scope and name search, a member coming in by transfer included."""
    _many_members(tree)
    _transfer(make_member(branch=tree["other_branch"]), tree["village"])
    users = [
        user_with_role(Role.BOARD_STAFF, tree["province"]),
        user_with_role(Role.GRASSROOTS_STAFF, tree["commune"]),
        user_with_role(Role.BRANCH_SECRETARY, tree["village"]),
    ]
    for user in users:
        for status in ["", *Status.values]:
            for q in ["", "anh", "nguyen van an"]:
                found = find_members(visible_members(user), status=status, q=q)
                rows = found.rows
                live = rows.order_by("person__sort_key", "pk")
                got = list(rows.values_list("pk", flat=True))
                assert got == list(live.values_list("pk", flat=True))
                assert found.ids == (got if q else None)  # a search's order, made in Python
                members = [m for m in Member.objects.select_related("person") if m.pk in got]
                by_name = sorted(members, key=lambda m: (m.person.sort_key, m.pk))
                assert got == [m.pk for m in by_name]


def test_every_page_read_ids_first_is_the_slice_of_the_whole_list(tree):
    """``IdsFirst`` (ids of the page, then its rows; a late page read backwards) gives
    exactly the rows of each slice of the list, in order."""
    from dangvien.core.paging import IdsFirst

    _many_members(tree)
    user = user_with_role(Role.BOARD_STAFF, tree["province"])
    for status in ["", Status.OFFICIAL]:
        rows = filter_members(visible_members(user), status=status)
        whole = list(rows)
        pages = IdsFirst(rows)
        assert pages.count() == len(whole)
        for size in (1, 3, 7):
            read = [m for start in range(0, len(whole), size) for m in pages[start : start + size]]
            assert read == whole
        assert pages[len(whole) : len(whole) + 5] == []
        assert pages[2:] == whole[2:]


def test_the_pages_of_a_name_search_are_the_slices_of_its_list(tree, monkeypatch):
    """With the matches' ids in order (``find_members``), ``IdsFirst`` reads the count and
    the page's ids from them, and the rows without the long id filter: the same rows, in
    order, capped or not."""
    from dangvien.core.paging import IdsFirst
    from dangvien.members import queries

    _many_members(tree)
    user = user_with_role(Role.BOARD_STAFF, tree["province"])
    for limit in (1000, 5):
        monkeypatch.setattr(queries, "NAME_SEARCH_LIMIT", limit)
        found = find_members(visible_members(user), q="anh")
        whole = list(found.rows)
        assert found.capped == (limit == 5) and len(whole) == min(limit, 16)
        pages = IdsFirst(found.rows, found.ids)
        assert pages.count() == len(whole)
        assert [m for start in range(0, 20, 3) for m in pages[start : start + 3]] == whole


def test_the_members_lists_order_is_served_by_an_index_on_postgresql(tree):
    """On PostgreSQL a page of one status in a scope is read in order from
    a name index (``member_status_name_idx`` as a rule), with no sort; all statuses from
    ``member_name_idx`` (issue 9: no walk over the people, no sort of the province)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    _many_members(tree)
    user = user_with_role(Role.BOARD_STAFF, tree["province"])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")  # the test's tables are tiny
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
    # With sorting priced out, no Sort node means the order comes from an index; for
    # one status the planner may take either name index on the tiny test table.
    one = filter_members(visible_members(user), status=Status.OFFICIAL)
    plan = one.values_list("pk", flat=True)[:50].explain()
    assert "Sort" not in plan and "people_person" not in plan, plan
    assert "member_status_name_idx" in plan or "member_name_idx" in plan, plan
    every = filter_members(visible_members(user)).values_list("pk", flat=True)[:50].explain()
    assert "Sort" not in every and "member_name_idx" in every, every


# ---- a name search that matches too many (issue 9) -------------------------------------


def test_a_name_search_beyond_the_limit_is_capped_and_says_so(tree, monkeypatch):
    from dangvien.members import queries

    monkeypatch.setattr(queries, "NAME_SEARCH_LIMIT", 3)
    for _ in range(4):
        make_member(branch=tree["village"], person__family_name="Lương")
    found = queries.find_members(Member.objects.all(), q="luong")
    assert found.capped and found.rows.count() == 3
    assert queries.capped_notice().startswith("Có hơn 3 đảng viên khớp")
    assert "thu hẹp tìm kiếm" in queries.capped_notice()


def test_a_name_search_of_exactly_the_limit_or_fewer_is_not_capped(tree, monkeypatch):
    from dangvien.members import queries

    monkeypatch.setattr(queries, "NAME_SEARCH_LIMIT", 3)
    for _ in range(3):
        make_member(branch=tree["village"], person__family_name="Lương")
    make_member(branch=tree["village"], person__family_name="Trịnh")
    found = queries.find_members(Member.objects.all(), q="luong")
    assert not found.capped and found.rows.count() == 3
    assert not queries.find_members(Member.objects.all()).capped


def test_the_default_limit_reads_ten_thousand_in_the_notice():
    from dangvien.members import queries

    assert queries.NAME_SEARCH_LIMIT == 10_000
    assert "hơn 10.000 đảng viên" in queries.capped_notice()
