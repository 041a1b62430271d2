"""Statistics of the party organisations under a node (stats.queries.organisations;
DOMAIN.md §9 "Organisations")."""

from datetime import date
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangvien.factories import make_member, make_person, org
from dangvien.members.models import Status
from dangvien.organisations.models import Kind, Organisation, Sector, Village
from dangvien.stats.queries.organisations import organisation_stats

Tree = dict[str, Organisation]
D = date(2026, 5, 31)


def child(result: Any, node: Organisation) -> Any:
    return next(c for c in result.children if c.organisation == node and not c.direct)


def village(
    commune: Organisation, name: str, branch: Organisation | None = None, **kw: Any
) -> Village:
    return Village.objects.create(
        organisation=commune, org_path=commune.path, name=name, branch=branch, **kw
    )


def set_sector(node: Organisation, sector: str) -> None:
    Organisation.objects.filter(pk=node.pk).update(sector=sector)


def test_grassroots_organisations_are_counted_by_sector_and_by_form(tree: Tree) -> None:
    set_sector(tree["school"], Sector.PUBLIC_SERVICE)
    set_sector(tree["clinic"], Sector.PUBLIC_SERVICE)
    company = org(Kind.GRASSROOTS_BRANCH, tree["other_commune"], name="Chi bộ Công ty May")
    set_sector(company, Sector.NON_STATE_ENTERPRISE)
    org(Kind.GRASSROOTS_BRANCH, tree["other_commune"], name="Chi bộ Hợp tác xã")  # no sector

    result = organisation_stats(tree["province"], D)
    f = result.figures
    assert f["grassroots"] == 4
    assert f["sector:public_service"] == 2
    assert f["sector:non_state_enterprise"] == 1
    assert f["sector:"] == 1
    assert (f["form:grassroots_committee"], f["form:grassroots_branch"]) == (1, 3)
    rows = {
        label: (n, share)
        for _c, label, n, share in result.rows((("sector:", "Chưa phân loại"),), "grassroots")
    }
    assert rows["Chưa phân loại"] == (1, 25.0)
    assert child(result, tree["commune"])["grassroots"] == 2
    assert child(result, tree["other_commune"])["sector:non_state_enterprise"] == 1


def test_branches_and_sub_committees_are_counted_apart(tree: Tree) -> None:
    part = org(Kind.SUB_COMMITTEE, tree["school"], name="Đảng bộ bộ phận Khối THPT")
    org(Kind.BRANCH, part, name="Chi bộ Khối 10")
    f = organisation_stats(tree["commune"], D).figures
    # village, school_branch, Khối 10; the clinic is a grassroots branch, not a chi bộ trực thuộc.
    assert (f["branches"], f["sub_committees"]) == (3, 1)


def test_villages_without_a_member_living_there_on_the_day_are_counted(tree: Tree) -> None:
    east = village(tree["commune"], "Thôn Đông", tree["village"])
    west = village(tree["commune"], "Thôn Tây", tree["village"])
    village(tree["commune"], "Thôn Bắc", tree["village"])
    village(tree["commune"], "Thôn cũ", active=False)
    make_member(branch=tree["village"], person=make_person(village=east))
    make_member(
        branch=tree["village"],
        person=make_person(village=west),
        status=Status.DECEASED,
        left_on=date(2026, 3, 1),
    )

    before = organisation_stats(tree["commune"], date(2026, 2, 28)).figures
    assert (before["villages"], before["villages_without_members"]) == (3, 1)
    after = organisation_stats(tree["commune"], D)
    assert (after.figures["villages"], after.figures["villages_without_members"]) == (3, 2)
    assert after.figures.share("villages_without_members", "villages") == 66.7
    # The commune's own villages are its own row in the per-child view.
    own = next(c for c in after.children if c.direct)
    assert own["villages"] == 3


def test_a_branch_serving_two_villages_or_more_is_a_shared_branch(tree: Tree) -> None:
    village(tree["commune"], "Thôn Đông", tree["village"])
    village(tree["commune"], "Thôn Tây", tree["village"])
    village(tree["commune"], "Thôn Nam", tree["clinic"])
    village(tree["other_commune"], "Thôn Thượng", tree["other_branch"])
    village(tree["other_commune"], "Thôn Hạ", tree["other_branch"], active=False)

    result = organisation_stats(tree["province"], D)
    assert result.figures["shared_branches"] == 1
    assert child(result, tree["commune"])["shared_branches"] == 1
    assert child(result, tree["other_commune"])["shared_branches"] == 0
    assert child(organisation_stats(tree["commune"], D), tree["village"])["shared_branches"] == 1


def test_the_children_figures_add_up_to_the_node(tree: Tree) -> None:
    village(tree["commune"], "Thôn Đông", tree["village"])
    village(tree["other_commune"], "Thôn Thượng", tree["other_branch"])
    set_sector(tree["school"], Sector.PUBLIC_SERVICE)
    result = organisation_stats(tree["province"], D)
    for column, n in result.figures.counts.items():
        assert sum(c[column] for c in result.children) == n, column
    for item in result.children:
        alone = organisation_stats(item.organisation, D).figures
        assert alone.counts == {k: v for k, v in item.counts.items()}, item.label


def test_the_query_count_does_not_grow_with_the_tree(tree: Tree) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            organisation_stats(tree["province"], D)
        return len(captured.captured_queries)

    before = queries()
    for i in range(5):
        commune = org(Kind.COMMUNE, tree["province"])
        branch = org(Kind.BRANCH, commune)
        village(commune, f"Thôn {i}", branch)
        village(commune, f"Xóm {i}", branch)
    assert queries() == before == 4
