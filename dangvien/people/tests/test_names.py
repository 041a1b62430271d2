"""The dictionary of folded names and the name search that reads it first (issue 9:
accent-insensitive name search over 6 million people under 150 ms; ``people.names``)."""

from typing import Any

import pytest
from django.db import connection

from dangvien.accounts.models import Role
from dangvien.candidates.queries import filter_candidates, visible_candidates
from dangvien.core.text import fold
from dangvien.factories import CandidateFactory, PersonFactory, make_member, user_with_role
from dangvien.members.models import Member
from dangvien.members.queries import find_members, visible_members
from dangvien.people import names
from dangvien.people.models import Person, SearchName
from dangvien.people.queries import name_filter

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Thế", "", "Ngọc"]
GIVEN = ["An", "Anh", "Thanh", "Quý", "Quyên", "Đạt", "Oanh", "Tuấn Anh"]


def _held() -> set[str]:
    return set(Person.objects.exclude(search_text="").values_list("search_text", flat=True))


def _dictionary() -> set[str]:
    return set(SearchName.objects.values_list("name", flat=True))


def _people(tree: dict[str, Any], count: int = 60) -> list[Member]:
    branches = ["village", "school_branch", "clinic", "other_branch"]
    made = []
    for n in range(count):
        made.append(
            make_member(
                branch=tree[branches[n % len(branches)]],
                person__family_name=FAMILY[n % len(FAMILY)],
                person__middle_name=MIDDLE[(n // 3) % len(MIDDLE)],
                person__given_name=GIVEN[(n // 2) % len(GIVEN)],
            )
        )
    return made


def test_every_name_a_person_holds_is_in_the_dictionary_whoever_writes_it(tree):
    _people(tree, 12)
    assert _dictionary() >= _held()
    # a bulk insert and a queryset update bypass the models' save: the triggers see them
    Person.objects.bulk_create(
        [
            PersonFactory.build(
                family_name="Hoàng",
                middle_name="Ngọc",
                given_name="Bích",
                citizen_id="079099000001",
            )
        ]
    )
    Person.objects.filter(search_text="hoang ngoc bich").update(search_text="hoang ngoc bich ngan")
    assert {"hoang ngoc bich", "hoang ngoc bich ngan"} <= _dictionary()
    assert _dictionary() >= _held()


def test_a_name_nobody_holds_any_more_is_pruned_and_the_others_stay(tree):
    members = _people(tree, 6)
    person = members[0].person
    old = person.search_text
    holders = Person.objects.filter(search_text=old).count()
    Person.objects.filter(pk=person.pk).update(search_text="ten da sua")
    removed = names.prune_search_names()
    assert ("ten da sua" in _dictionary()) and _dictionary() == _held()
    assert (old in _dictionary()) == (holders > 1)
    assert removed == (0 if holders > 1 else 1)


def test_a_rebuild_puts_back_the_names_of_every_person_whatever_the_scope(tree):
    from dangvien.rowsecurity.scope import scoped

    _people(tree, 10)
    SearchName.objects.all().delete()
    with scoped(user_with_role(Role.BRANCH_SECRETARY, tree["other_branch"])):
        added = names.rebuild_search_names()
    assert _dictionary() == _held() and added == len(_held())


@pytest.mark.parametrize("limit", [names.NAME_LIST_LIMIT, 3])
def test_a_name_search_finds_the_same_members_as_a_scan_of_every_name(tree, monkeypatch, limit):
    """Brute force: for every fragment of every name (and some that match nobody), with the
    dictionary path (a list of names) and with the scan it falls back to when too many
    names match (limit 3), the matches equal ``LIKE '%fragment%'`` over the members."""
    monkeypatch.setattr(names, "NAME_LIST_LIMIT", limit)
    _people(tree)
    user = user_with_role(Role.BOARD_STAFF, tree["province"])
    texts = set(Member.objects.values_list("search_text", flat=True))
    fragments = {t[i:j] for t in texts for i in range(0, len(t), 3) for j in (i + 2, i + 5)}
    fragments |= {"Nguyễn Thế Quý", "THANH", "xyz", "anh  oanh", "a%", "_"}
    for typed in sorted(fragments):
        found = find_members(visible_members(user), q=typed)
        expected = visible_members(user).filter(search_text__contains=fold(typed))
        assert sorted(found.rows.values_list("pk", flat=True)) == sorted(
            expected.values_list("pk", flat=True)
        ), typed


def test_the_candidate_search_reads_the_same_dictionary(tree):
    for given in ["Quý", "Quyên", "Thanh"]:
        CandidateFactory(branch=tree["village"], person__given_name=given, person__middle_name="")
    user = user_with_role(Role.BOARD_STAFF, tree["province"])
    got = filter_candidates(visible_candidates(user), q="quy")
    assert sorted(c.person.given_name for c in got) == ["Quyên", "Quý"]
    assert str(name_filter("quy", "search_text")).count("__in") == 1  # read by exact names


def test_a_too_common_text_falls_back_to_a_scan(tree, monkeypatch):
    monkeypatch.setattr(names, "NAME_LIST_LIMIT", 2)
    _people(tree, 20)
    assert names.matching_names("n") is None  # more than 2 names contain an "n"
    assert names.matching_names("") is None
    assert names.matching_names("khong ai ten nay") == []
    assert "__contains" in str(name_filter("n", "search_text"))


def test_on_postgresql_the_members_of_each_matching_name_are_read_through_the_name_index(
    tree,
):
    """The second step probes (search_text, org_path) once per name: no walk over the
    province's rows (issue 9: 190 ms for a province of 358,000 before)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    _people(tree, 30)
    user = user_with_role(Role.BOARD_STAFF, tree["province"])
    found = find_members(visible_members(user), q="the quy")
    assert found.rows.exists()
    with connection.cursor() as cursor:
        # The test's tables are tiny: bitmap scans only, which need an index condition
        # (a plain index scan may walk a whole small index that merely holds the column).
        for kind in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{kind} = off")
    plan = Member.objects.filter(name_filter("the quy", "search_text")).explain()
    assert "member_name_search_idx" in plan, plan
    dictionary = SearchName.objects.filter(name__contains="the quy").explain()
    assert "people_searchname_trgm" in dictionary, dictionary


def test_the_prune_command_removes_the_names_nobody_holds_and_says_how_many(tree):
    from io import StringIO

    from django.core.management import call_command

    _people(tree, 4)
    SearchName.objects.create(name="khong con ai mang ten nay")
    out = StringIO()
    call_command("prune_search_names", stdout=out)
    assert "Đã xóa 1 tên" in out.getvalue()
    assert _dictionary() == _held()


def test_pruning_in_a_narrow_scope_still_sees_every_holder(tree):
    """Run by the application role with a user's scope (row-level security on PostgreSQL),
    the prune must not take the names of people outside that scope for unheld ones."""
    from dangvien.rowsecurity.scope import scoped

    _people(tree, 8)
    before = _dictionary()
    with scoped(user_with_role(Role.BRANCH_SECRETARY, tree["other_branch"])):
        assert names.prune_search_names() == 0
    assert _dictionary() == before


def test_a_name_added_twice_at_once_is_read_once_and_its_second_row_pruned(tree):
    """Two writers adding the same new name at once do not wait for each other (no
    unique key), so a name may stand twice: the search reads it once, the prune keeps
    one row."""
    _people(tree, 3)
    SearchName.objects.bulk_create([SearchName(name="vi thi ngoc"), SearchName(name="vi thi ngoc")])
    assert names.matching_names("vi thi ng") == ["vi thi ngoc"]
    Person.objects.filter(pk=Person.objects.values_list("pk", flat=True)[0]).update(
        search_text="vi thi ngoc"
    )
    assert names.prune_search_names() >= 1
    assert SearchName.objects.filter(name="vi thi ngoc").count() == 1
