"""The review sheet and the decision list: content, order, and a fixed number of queries."""

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangvien.factories import make_member, make_person, org
from dangvien.members.models import Member, Status
from dangvien.organisations.models import Kind, Organisation
from dangvien.reviews.models import Discipline, Rating, Stage
from dangvien.reviews.queries.access import member_rating_decider
from dangvien.reviews.queries.sheets import (
    decided_scope,
    decides,
    deciding_below,
    decision_rows,
    sheet_rows,
)
from dangvien.reviews.tests.factories import make_period, make_review

pytestmark = pytest.mark.django_db


def named(branch: Organisation, given: str, **kw: Any) -> Member:
    return make_member(branch=branch, person=make_person(given_name=given), **kw)


def test_the_sheet_lists_every_active_member_by_name_with_their_review(
    tree: dict[str, Organisation],
) -> None:
    period = make_period(tree["province"], 2026)
    village = tree["village"]
    yen = named(village, "Yến")
    named(village, "An", exempted_since=date(2026, 2, 1))
    binh = named(village, "Bình")
    named(village, "Cúc", status=Status.REMOVED)
    named(tree["other_branch"], "Dung")
    review = make_review(period, binh, Rating.GOOD, Stage.SELF_ASSESSED, "75")
    Discipline.objects.create(
        member=yen,
        org_path=village.path,
        penalty="reprimand",
        decided_on=date(2026, 3, 1),
        decision_no="1",
        body="Đảng ủy xã",
        reason="Vi phạm",
    )
    lines = sheet_rows(period, village, on=date(2026, 12, 20))
    assert [line.name for line in lines] == ["Nguyễn Văn An", "Nguyễn Văn Bình", "Nguyễn Văn Yến"]
    assert [line.exempted for line in lines] == [True, False, False]
    assert [line.disciplined for line in lines] == [False, False, True]
    assert lines[1].review == review and lines[0].review is None
    assert (lines[1].highest, lines[0].highest) == (Rating.GOOD, "")
    assert lines[1].why.startswith(
        "Chưa đủ điều kiện “Hoàn thành xuất sắc nhiệm vụ”: điểm 75 dưới 90"
    )


def test_an_exemption_later_than_the_sheet_day_is_not_counted(
    tree: dict[str, Organisation],
) -> None:
    period = make_period(tree["province"], 2026)
    named(tree["village"], "An", exempted_since=date(2026, 12, 1))
    assert sheet_rows(period, tree["village"], on=date(2026, 11, 30))[0].exempted is False
    assert sheet_rows(period, tree["village"], on=date(2026, 12, 1))[0].exempted is True


def test_the_sheet_takes_the_same_queries_whatever_the_size(
    tree: dict[str, Organisation],
) -> None:
    period = make_period(tree["province"], 2026)
    counts = []
    for size in (2, 12):
        branch = org(Kind.BRANCH, tree["commune"])
        for n in range(size):
            member = make_member(branch=branch, exempted_since=date(2026, 1, 1) if n == 0 else None)
            if n % 2:
                make_review(period, member, stage=Stage.BRANCH_PROPOSED)
        with CaptureQueriesContext(connection) as captured:
            assert len(sheet_rows(period, branch)) == size
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1] <= 5


def test_the_decision_list_holds_the_reviews_the_committee_decides(
    tree: dict[str, Organisation],
) -> None:
    period = make_period(tree["province"], 2026)
    proposed = make_review(period, named(tree["village"], "Bình"), stage=Stage.BRANCH_PROPOSED)
    decided = make_review(period, named(tree["village"], "An"), stage=Stage.DECIDED)
    make_review(period, named(tree["village"], "Cúc"), stage=Stage.SELF_ASSESSED)
    make_review(period, named(tree["school_branch"], "Dung"), stage=Stage.BRANCH_PROPOSED)
    make_review(period, named(tree["clinic"], "Em"), stage=Stage.BRANCH_PROPOSED)
    lines = decision_rows(period, tree["commune"])
    assert [line.review_id for line in lines] == [decided.pk, proposed.pk]
    line = lines[1]
    assert (line.member_name, line.branch_name, line.proposed_rating, line.awaiting) == (
        "Nguyễn Văn Bình",
        "Chi bộ thôn Đông",
        Rating.GOOD,
        True,
    )
    assert (line.highest, line.proposal_allowed) == (Rating.GOOD, True)
    assert [line.member_name for line in decision_rows(period, tree["school"])] == [
        "Nguyễn Văn Dung"
    ]
    assert [line.member_name for line in decision_rows(period, tree["clinic"])] == ["Nguyễn Văn Em"]
    assert decision_rows(period, tree["village"]) == []


def test_the_decision_list_takes_the_same_queries_whatever_the_size(
    tree: dict[str, Organisation],
) -> None:
    period = make_period(tree["province"], 2026)
    counts = []
    for size in (1, 10):
        for _ in range(size):
            branch = org(Kind.BRANCH, tree["commune"])
            make_review(period, make_member(branch=branch), stage=Stage.BRANCH_PROPOSED)
        with CaptureQueriesContext(connection) as captured:
            decision_rows(period, tree["commune"])
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1] <= 5


def test_who_decides_agrees_with_member_rating_decider(tree: dict[str, Organisation]) -> None:
    sub = org(Kind.SUB_COMMITTEE, tree["school"], name="Đảng bộ bộ phận")
    deep = org(Kind.BRANCH, sub, name="Chi bộ trong đảng bộ bộ phận")
    nodes = [*tree.values(), sub, deep]
    branches = [n for n in nodes if n.kind in (Kind.BRANCH, Kind.GRASSROOTS_BRANCH)]
    for decider in nodes:
        below = deciding_below(decider)
        for branch in branches:
            expected = member_rating_decider(branch) == decider
            assert decides(decider, branch.path, below) == expected, (decider, branch)
        scoped = set(
            Organisation.objects.filter(
                decided_scope(decider, "path"), kind__in=[Kind.BRANCH, Kind.GRASSROOTS_BRANCH]
            )
        )
        assert scoped == {b for b in branches if member_rating_decider(b) == decider}
