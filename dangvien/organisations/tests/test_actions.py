"""Writes to the organisation tree: which kind may sit under which is data (ParentRule),
and a move rewrites the materialised paths of the subtree and of the facts under it."""

import pytest

from dangvien.auditlog.access import log_access
from dangvien.auditlog.models import AccessEvent
from dangvien.candidates.models import Candidate
from dangvien.factories import make_candidate, make_member, org, tree_2025
from dangvien.members.models import Member
from dangvien.organisations.actions import TreeRuleBroken, create_organisation, move_organisation
from dangvien.organisations.models import Kind, Organisation, ParentRule, path_segment
from dangvien.organisations.queries import admission_chain, descendants


def test_a_node_gets_its_parents_path_plus_its_own_segment(tree):
    province, commune, village = tree["province"], tree["commune"], tree["village"]
    assert province.path == path_segment(province.pk)
    assert commune.path == province.path + path_segment(commune.pk)
    assert village.path == commune.path + path_segment(village.pk)
    assert (province.depth, commune.depth, village.depth) == (0, 1, 2)


def test_a_branch_directly_under_a_province_is_refused_by_the_parent_rules(tree):
    before = Organisation.objects.count()
    with pytest.raises(TreeRuleBroken) as refused:
        create_organisation(name="Chi bộ lạc", kind=Kind.BRANCH, parent=tree["province"], by=None)
    assert str(refused.value) == "Không thể đặt Chi bộ dưới Tỉnh ủy / Thành ủy."
    assert Organisation.objects.count() == before


def test_a_branch_as_a_tree_root_is_refused(db):
    with pytest.raises(TreeRuleBroken) as refused:
        create_organisation(name="Chi bộ mồ côi", kind=Kind.BRANCH, parent=None, by=None)
    assert "cấp cao nhất" in str(refused.value)
    assert not Organisation.objects.exists()


def test_the_parent_rules_are_data_an_administrator_can_change(tree):
    ParentRule.objects.create(parent_kind=Kind.PROVINCE, child_kind=Kind.BRANCH)
    branch = create_organisation(
        name="Chi bộ trực thuộc", kind=Kind.BRANCH, parent=tree["province"], by=None
    )
    assert branch.parent == tree["province"]
    ParentRule.objects.filter(parent_kind=Kind.COMMUNE, child_kind=Kind.BRANCH).delete()
    with pytest.raises(TreeRuleBroken):
        create_organisation(
            name="Chi bộ thôn Nam", kind=Kind.BRANCH, parent=tree["commune"], by=None
        )


def test_only_a_grassroots_committee_may_be_authorised_to_admit(tree):
    with pytest.raises(TreeRuleBroken) as refused:
        create_organisation(
            name="Chi bộ",
            kind=Kind.BRANCH,
            parent=tree["commune"],
            by=None,
            authorised_to_admit=True,
        )
    assert "Chỉ đảng ủy cơ sở" in str(refused.value)


def test_names_are_stored_in_nfc(tree):
    branch = create_organisation(
        name="Chi bo\u0302\u0323  tho\u0302n Ba\u0306\u0301c",
        kind=Kind.BRANCH,
        parent=tree["commune"],
        by=None,
    )
    assert branch.name == "Chi bộ thôn Bắc"


def test_a_long_name_fits_its_sort_key(tree):
    """A 200-character name (the column's maximum) must save on PostgreSQL too."""
    name = ("Chi bộ Khoa Khám bệnh Trung tâm Y tế khu vực " * 5)[:200]
    branch = create_organisation(name=name, kind=Kind.BRANCH, parent=tree["commune"], by=None)
    branch.refresh_from_db()
    assert branch.name == name.strip()
    assert len(branch.sort_key) <= 300  # Organisation.sort_key max_length


def test_a_four_level_tree_with_districts_works(db):
    """Before 7/2025: province → district → đảng bộ cơ sở (xã) → chi bộ."""
    province = org(Kind.PROVINCE)
    district = org(Kind.DISTRICT, province)
    commune_committee = org(Kind.GRASSROOTS_COMMITTEE, district, name="Đảng bộ xã Tân Lập")
    branch = org(Kind.BRANCH, commune_committee)
    assert branch.depth == 3
    assert branch.path.startswith(district.path)
    assert list(descendants(province)) == [province, district, commune_committee, branch]
    chain = admission_chain(branch)
    assert (chain.endorser, chain.decider) == (commune_committee, district)


def test_moving_a_subtree_rewrites_node_paths_and_depths(tree):
    school, school_branch = tree["school"], tree["school_branch"]
    other_commune = tree["other_commune"]
    move_organisation(school, new_parent=other_commune, by=None)
    school.refresh_from_db()
    school_branch.refresh_from_db()
    assert school.parent == other_commune
    assert school.path == other_commune.path + path_segment(school.pk)
    assert school_branch.path == school.path + path_segment(school_branch.pk)
    assert (school.depth, school_branch.depth) == (2, 3)
    assert school_branch in descendants(other_commune)
    assert school_branch not in descendants(tree["commune"])


def test_moving_a_subtree_rewrites_the_paths_copied_onto_members_and_candidates(tree):
    school_branch, other_commune = tree["school_branch"], tree["other_commune"]
    member = make_member(branch=school_branch)
    candidate = make_candidate(branch=school_branch)
    bystander = make_member(branch=tree["village"])
    move_organisation(tree["school"], new_parent=other_commune, by=None)
    school_branch.refresh_from_db()
    assert Member.objects.get(pk=member.pk).org_path == school_branch.path
    assert Candidate.objects.get(pk=candidate.pk).org_path == school_branch.path
    assert Member.objects.get(pk=bystander.pk).org_path == tree["village"].path
    assert Member.objects.filter(org_path__startswith=other_commune.path).get() == member


def test_moving_a_subtree_after_a_record_was_read_there_leaves_the_access_log_as_it_was(tree):
    """The access log is append-only (``core.audit``): it keeps the path a record had when
    it was read, and a move does not try to rewrite it (the database would refuse)."""
    member = make_member(branch=tree["school_branch"])
    old_path = tree["school_branch"].path
    read = log_access(
        None, kind="view", what="Hồ sơ đảng viên", person=member.person, org_path=old_path
    )
    move_organisation(tree["school"], new_parent=tree["other_commune"], by=None)
    assert AccessEvent.objects.get(pk=read.pk).org_path == old_path
    assert Member.objects.get(pk=member.pk).org_path != old_path


def test_moving_a_deeper_subtree_up_a_level_keeps_every_path_consistent(db):
    province = org(Kind.PROVINCE)
    district = org(Kind.DISTRICT, province)
    committee = org(Kind.GRASSROOTS_COMMITTEE, district)
    sub = org(Kind.SUB_COMMITTEE, committee)
    branch = org(Kind.BRANCH, sub)
    member = make_member(branch=branch)
    move_organisation(committee, new_parent=province, by=None)
    for node in Organisation.objects.all():
        expected = (node.parent.path if node.parent else "") + path_segment(node.pk)
        assert node.path == expected
        assert node.depth == (node.parent.depth + 1 if node.parent else 0)
    branch.refresh_from_db()
    assert branch.depth == 3
    assert Member.objects.get(pk=member.pk).org_path == branch.path


def test_a_node_cannot_move_into_its_own_subtree(tree):
    school, school_branch = tree["school"], tree["school_branch"]
    before = dict(Organisation.objects.values_list("pk", "path"))
    with pytest.raises(TreeRuleBroken) as refused:
        move_organisation(school, new_parent=school_branch, by=None)
    assert "chính cấp dưới" in str(refused.value)
    assert dict(Organisation.objects.values_list("pk", "path")) == before


def test_a_move_the_parent_rules_forbid_is_refused_and_changes_nothing(tree):
    before = dict(Organisation.objects.values_list("pk", "path"))
    member = make_member(branch=tree["village"])
    with pytest.raises(TreeRuleBroken):
        move_organisation(tree["village"], new_parent=tree["province"], by=None)
    assert dict(Organisation.objects.values_list("pk", "path")) == before
    assert Member.objects.get(pk=member.pk).org_path == tree["village"].path


def test_renaming_a_node_refreshes_its_sort_key_and_keeps_its_place(db):
    from dangvien.organisations.actions import update_organisation

    tree = tree_2025()
    village = update_organisation(tree["village"], by=None, name="Chi bộ thôn Ấp Mới")
    from dangvien.core.text import collation_key

    assert village.sort_key == collation_key("Chi bộ thôn Ấp Mới")
    assert village.path == tree["village"].path
    assert village.name == "Chi bộ thôn Ấp Mới"


def test_only_a_grassroots_committee_can_be_authorised_to_admit_294_4_3_2a(db):
    from dangvien.organisations.actions import TreeRuleBroken, update_organisation

    tree = tree_2025()
    with pytest.raises(TreeRuleBroken, match="Chỉ đảng ủy cơ sở"):
        update_organisation(tree["village"], by=None, name="X", authorised_to_admit=True)
    tree["village"].refresh_from_db()
    assert not tree["village"].authorised_to_admit


def test_the_admin_cannot_change_a_nodes_kind_or_parent(admin_client, db):
    tree = tree_2025()
    village = tree["village"]
    url = f"/quan-tri/organisations/organisation/{village.pk}/change/"
    response = admin_client.post(
        url,
        {
            "name": "Chi bộ thôn Đông Mới",
            "code": "",
            "kind": "province",
            "parent": tree["other_commune"].pk,
        },
    )
    assert response.status_code == 302
    village.refresh_from_db()
    assert (village.name, village.kind, village.parent_id) == (
        "Chi bộ thôn Đông Mới",
        "branch",
        tree["commune"].pk,
    )
