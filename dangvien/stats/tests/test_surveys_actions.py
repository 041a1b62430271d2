"""Freezing the quarterly pool survey and writing its assessment (stats.actions.surveys;
seed 003 "định kỳ hằng quý khảo sát, đánh giá phân tích chất lượng quần chúng"; issue 6)."""

import re
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dangvien.accounts.models import Role, User
from dangvien.candidates.models import Stage
from dangvien.core.errors import Conflict, NotAllowed, NotEligible
from dangvien.factories import make_candidate, org, user_with_role
from dangvien.organisations.models import Kind, Organisation
from dangvien.stats.actions.surveys import record_assessment, take_pool_survey
from dangvien.stats.models import PoolSurvey
from dangvien.stats.queries.surveys import composition

Tree = dict[str, Organisation]
TODAY = date(2026, 8, 15)  # in the third quarter


pytestmark = pytest.mark.usefixtures("frozen_today")  # TODAY above (conftest.py)


@pytest.fixture
def staff(tree: Tree) -> User:
    """The commune's organisation board: may take the survey for the commune and below."""
    return user_with_role(Role.BOARD_STAFF, tree["commune"])


@pytest.fixture
def pooled(tree: Tree) -> Tree:
    for branch in ("village", "village", "school_branch", "clinic", "other_branch"):
        make_candidate(branch=tree[branch], listed_on=date(2026, 1, 5))
    return tree


def nodes_under(node: Organisation) -> set[int]:
    return set(Organisation.objects.filter(path__startswith=node.path).values_list("pk", flat=True))


def test_taking_the_survey_writes_a_snapshot_for_the_node_and_every_node_below(
    pooled: Tree, staff: User
) -> None:
    taken = take_pool_survey(pooled["commune"], year=2026, quarter=3, by=staff)
    rows = PoolSurvey.objects.filter(year=2026, quarter=3)
    assert set(rows.values_list("organisation_id", flat=True)) == nodes_under(pooled["commune"])
    assert (taken.created, taken.updated, taken.kept) == (5, 0, 0)
    survey = taken.survey
    assert survey.organisation == pooled["commune"]
    assert survey.taken_on == TODAY
    assert survey.org_path == pooled["commune"].path
    assert survey.by == staff
    assert survey.data == composition(pooled["commune"])
    assert survey.data["total"] == 4
    village = rows.get(organisation=pooled["village"])
    assert (village.data["total"], village.org_path) == (2, pooled["village"].path)


def test_the_node_s_snapshot_equals_the_sum_of_its_childrens(pooled: Tree, staff: User) -> None:
    take_pool_survey(pooled["commune"], year=2026, quarter=3, by=staff)
    totals = dict(
        PoolSurvey.objects.filter(year=2026, quarter=3).values_list(
            "organisation__name", "data__total"
        )
    )
    assert totals["Đảng bộ xã An Bình"] == (
        totals["Chi bộ thôn Đông"]
        + totals["Đảng bộ Trường THPT An Bình"]
        + totals["Chi bộ Trạm Y tế"]
    )


def test_taking_again_while_the_quarter_runs_refreshes_and_keeps_the_assessment(
    pooled: Tree, staff: User
) -> None:
    first = take_pool_survey(
        pooled["commune"], year=2026, quarter=3, by=staff, assessment="Nguồn còn mỏng."
    )
    make_candidate(branch=pooled["village"], listed_on=date(2026, 8, 1))
    again = take_pool_survey(pooled["commune"], year=2026, quarter=3, by=staff)
    assert again.survey.pk == first.survey.pk
    assert (again.created, again.updated) == (0, 5)
    assert again.survey.data["total"] == 5
    assert again.survey.assessment == "Nguồn còn mỏng."
    assert PoolSurvey.objects.filter(year=2026, quarter=3).count() == 5


def test_a_quarter_that_has_not_started_is_refused(pooled: Tree, staff: User) -> None:
    with pytest.raises(NotEligible, match=f"^{re.escape('Quý IV/2026 chưa bắt đầu.')}$") as refused:
        take_pool_survey(pooled["commune"], year=2026, quarter=4, by=staff)
    assert refused.value.field == "quarter"
    assert not PoolSurvey.objects.exists()


def test_a_quarter_outside_one_to_four_is_refused(pooled: Tree, staff: User) -> None:
    with pytest.raises(NotEligible, match=re.escape("Quý phải là 1, 2, 3 hoặc 4.")):
        take_pool_survey(pooled["commune"], year=2026, quarter=5, by=staff)


def test_an_ended_quarter_is_taken_once_at_its_last_day(pooled: Tree, staff: User) -> None:
    taken = take_pool_survey(pooled["commune"], year=2026, quarter=2, by=staff)
    assert taken.survey.taken_on == date(2026, 6, 30)
    assert taken.survey.data["total"] == 4


def test_a_closed_quarter_s_survey_is_a_record_and_is_not_taken_again(
    pooled: Tree, staff: User
) -> None:
    take_pool_survey(pooled["commune"], year=2026, quarter=2, by=staff)
    make_candidate(branch=pooled["village"], listed_on=date(2026, 5, 1))
    with pytest.raises(Conflict, match="Quý II/2026 đã kết thúc") as refused:
        take_pool_survey(pooled["commune"], year=2026, quarter=2, by=staff)
    assert "đã chốt ngày 30/06/2026 là hồ sơ lưu, không chốt lại" in str(refused.value)
    assert PoolSurvey.objects.get(organisation=pooled["commune"], quarter=2).data["total"] == 4


def test_an_ended_quarter_keeps_the_snapshots_already_taken_below(
    pooled: Tree, staff: User
) -> None:
    board = user_with_role(Role.BOARD_STAFF, pooled["province"])
    take_pool_survey(pooled["school"], year=2026, quarter=2, by=staff)
    kept = PoolSurvey.objects.get(organisation=pooled["school"], quarter=2)
    taken = take_pool_survey(pooled["province"], year=2026, quarter=2, by=board)
    assert (taken.created, taken.kept) == (len(nodes_under(pooled["province"])) - 2, 2)
    assert PoolSurvey.objects.get(organisation=pooled["school"], quarter=2).at == kept.at


def test_a_branch_secretary_cannot_take_the_survey(pooled: Tree) -> None:
    secretary = user_with_role(Role.BRANCH_SECRETARY, pooled["village"])
    with pytest.raises(NotAllowed, match="Chỉ cán bộ cấp ủy"):
        take_pool_survey(pooled["village"], year=2026, quarter=3, by=secretary)
    assert not PoolSurvey.objects.exists()


def test_staff_of_a_node_cannot_take_the_survey_of_the_node_above(
    pooled: Tree, staff: User
) -> None:
    with pytest.raises(NotAllowed):
        take_pool_survey(pooled["province"], year=2026, quarter=3, by=staff)


def test_the_committee_writes_its_assessment(pooled: Tree, staff: User) -> None:
    survey = take_pool_survey(pooled["commune"], year=2026, quarter=3, by=staff).survey
    record_assessment(
        survey, text="  Chất lượng nguồn khá;\r\n\r\n\r\ncần tăng  đoàn viên.  ", by=staff
    )
    survey.refresh_from_db()
    assert survey.assessment == "Chất lượng nguồn khá;\n\ncần tăng đoàn viên."


def test_an_assessment_too_long_is_refused(pooled: Tree, staff: User) -> None:
    survey = take_pool_survey(pooled["commune"], year=2026, quarter=3, by=staff).survey
    with pytest.raises(NotEligible, match=re.escape("tối đa 10.000 ký tự")) as refused:
        record_assessment(survey, text="a" * 10_001, by=staff)
    assert refused.value.field == "assessment"


def test_a_branch_secretary_cannot_write_the_assessment(pooled: Tree, staff: User) -> None:
    survey = take_pool_survey(pooled["village"], year=2026, quarter=3, by=staff).survey
    secretary = user_with_role(Role.BRANCH_SECRETARY, pooled["village"])
    with pytest.raises(NotAllowed):
        record_assessment(survey, text="Tốt.", by=secretary)
    survey.refresh_from_db()
    assert survey.assessment == ""


# ---- the scheduled command -------------------------------------------------------------


def test_the_command_takes_the_quarter_for_every_tree(pooled: Tree) -> None:
    second = org(Kind.PROVINCE, name="Tỉnh ủy Thứ Hai")
    out = StringIO()
    call_command("take_pool_surveys", year=2026, quarter=2, stdout=out)
    tops = PoolSurvey.objects.filter(year=2026, quarter=2, organisation__parent=None)
    assert set(tops.values_list("organisation_id", flat=True)) == {pooled["province"].pk, second.pk}
    assert (
        PoolSurvey.objects.filter(year=2026, quarter=2).count()
        == len(nodes_under(pooled["province"])) + 1
    )
    text = out.getvalue()
    assert "Đã chốt số liệu khảo sát nguồn quý II/2026 của Tỉnh ủy Thử Nghiệm" in text
    assert "tại ngày 30/06/2026: 5 quần chúng trong nguồn" in text
    assert "Xong: 2 cây." in text


def test_the_command_takes_one_organisation_when_asked(pooled: Tree) -> None:
    call_command(
        "take_pool_surveys",
        "--year=2026",
        "--quarter=3",
        f"--organisation={pooled['commune'].pk}",
        stdout=StringIO(),
    )
    assert set(PoolSurvey.objects.values_list("organisation_id", flat=True)) == nodes_under(
        pooled["commune"]
    )


def test_the_command_fails_loudly_when_refused(pooled: Tree) -> None:
    err = StringIO()
    with pytest.raises(CommandError, match="1/1 cây không chốt được số liệu"):
        call_command("take_pool_surveys", year=2026, quarter=4, stdout=StringIO(), stderr=err)
    assert "Quý IV/2026 chưa bắt đầu." in err.getvalue()
    assert not PoolSurvey.objects.exists()


def test_the_command_fails_loudly_on_an_unknown_organisation(tree: Tree) -> None:
    with pytest.raises(CommandError, match=re.escape("Không có tổ chức id 999999.")):
        call_command("take_pool_surveys", year=2026, quarter=2, organisation=999999)


def test_the_command_fails_when_a_closed_quarter_is_taken_again(pooled: Tree) -> None:
    call_command("take_pool_surveys", year=2026, quarter=1, stdout=StringIO())
    with pytest.raises(CommandError):
        call_command(
            "take_pool_surveys", year=2026, quarter=1, stdout=StringIO(), stderr=StringIO()
        )


def test_stage_counts_exclude_candidates_who_left(pooled: Tree, staff: User) -> None:
    make_candidate(branch=pooled["village"], stage=Stage.WITHDRAWN, listed_on=date(2026, 1, 5))
    survey = take_pool_survey(pooled["commune"], year=2026, quarter=3, by=staff).survey
    assert survey.data["total"] == 4
