"""Award days, badges due and the badge deadline (HD 01-HD/TW 2021 §18; DOMAIN.md §8)."""

from datetime import date
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangvien.accounts.models import Role
from dangvien.factories import make_member, user_with_role
from dangvien.members.models import Badge, Gap, Member, Status
from dangvien.members.queries import deadlines, visible_members
from dangvien.members.queries.records import (
    badges_due,
    next_award_day,
    next_badge,
    party_age_months,
    upcoming_award_days,
)

AWARD_DAY = date(2027, 2, 3)


def test_the_next_award_day_is_the_next_of_3_2_19_5_2_9_7_11() -> None:
    """HD 01-HD/TW 2021 §18; an award day itself still counts as the next one."""
    assert next_award_day(date(2026, 11, 23)) == date(2027, 2, 3)
    assert next_award_day(date(2026, 11, 7)) == date(2026, 11, 7)
    assert next_award_day(date(2026, 11, 8)) == date(2027, 2, 3)
    assert next_award_day(date(2027, 2, 4)) == date(2027, 5, 19)
    assert next_award_day(date(2027, 5, 20)) == date(2027, 9, 2)
    assert next_award_day(date(2027, 9, 3)) == date(2027, 11, 7)
    assert upcoming_award_days(date(2026, 11, 23)) == [
        date(2027, 2, 3),
        date(2027, 5, 19),
        date(2027, 9, 2),
        date(2027, 11, 7),
    ]


def test_party_age_of_a_member_who_died_stops_at_death(tree: Any) -> None:
    member = make_member(
        branch=tree["village"],
        status=Status.DECEASED,
        admitted_on=date(1970, 1, 1),
        left_on=date(2020, 7, 1),
    )
    assert party_age_months(member, date(2026, 11, 23)) == 50 * 12 + 6


def badge_cast(tree: Any) -> dict[str, Member]:
    village = tree["village"]
    cast = {
        # 30 years on 15/1/2027, before the award day of 3/2/2027.
        "turns_30": make_member(branch=village, admitted_on=date(1997, 1, 15)),
        # 30 years only on 1/3/2027.
        "not_yet": make_member(branch=village, admitted_on=date(1997, 3, 1)),
        # 47 years, holds 45: nothing due.
        "holds_45": make_member(branch=village, admitted_on=date(1980, 1, 1)),
        # 47 years, holds only 40: 45 due.
        "holds_40": make_member(branch=village, admitted_on=date(1980, 1, 1)),
        # 42 years, never given a badge: 40 due (missed at earlier award days).
        "missed_40": make_member(branch=village, admitted_on=date(1985, 1, 1)),
        # 31 years from the decision but two years outside the party: 29.
        "gap": make_member(branch=village, admitted_on=date(1996, 1, 1)),
        # Readmitted: first admission 1990, four years out: 33 years, 30 due.
        "readmitted": make_member(
            branch=village,
            admitted_on=date(2004, 1, 1),
            first_admitted_on=date(1990, 3, 1),
            readmitted_on=date(2004, 1, 1),
        ),
        "probationary": make_member(
            branch=village, status=Status.PROBATIONARY, admitted_on=date(1980, 1, 1)
        ),
        "elsewhere": make_member(branch=tree["other_branch"], admitted_on=date(1980, 1, 1)),
    }
    Badge.objects.create(
        member=cast["holds_45"], years=45, awarded_on=date(2025, 2, 3), decision_no="1"
    )
    Badge.objects.create(
        member=cast["holds_40"], years=40, awarded_on=date(2020, 2, 3), decision_no="2"
    )
    Gap.objects.create(
        member=cast["gap"],
        from_on=date(2000, 1, 1),
        until_on=date(2002, 1, 1),
        reason="Mất liên lạc",
    )
    Gap.objects.create(
        member=cast["readmitted"],
        from_on=date(2000, 1, 1),
        until_on=date(2004, 1, 1),
        reason="Thời gian ra khỏi Đảng đến khi kết nạp lại",
    )
    return cast


def test_badges_due_picks_the_right_people_for_the_award_day(tree: Any) -> None:
    cast = badge_cast(tree)
    board = user_with_role(Role.BOARD_STAFF, tree["commune"])
    due = {row.member.pk: row for row in badges_due(visible_members(board), AWARD_DAY)}
    names = {pk: name for name, m in cast.items() for pk in [m.pk]}
    assert sorted(names[pk] for pk in due) == ["holds_40", "missed_40", "readmitted", "turns_30"]
    assert due[cast["turns_30"].pk].years == 30
    assert due[cast["turns_30"].pk].reaches_on == date(2027, 1, 15)
    assert not due[cast["turns_30"].pk].overdue
    assert due[cast["holds_40"].pk].years == 45
    assert due[cast["missed_40"].pk].years == 40
    assert due[cast["missed_40"].pk].overdue
    assert due[cast["missed_40"].pk].due_on == date(2025, 2, 3)
    readmitted = due[cast["readmitted"].pk]
    assert (readmitted.years, readmitted.gap_days, readmitted.age_years) == (30, 1461, 32)
    assert readmitted.start == date(1990, 3, 1)


def test_badges_due_can_keep_one_step(tree: Any) -> None:
    cast = badge_cast(tree)
    rows = Member.objects.filter(branch=tree["village"])
    assert [row.member.pk for row in badges_due(rows, AWARD_DAY, years=45)] == [cast["holds_40"].pk]


def test_badges_due_runs_the_same_queries_for_3_or_30_members(tree: Any) -> None:
    def add(n: int) -> None:
        for i in range(n):
            member = make_member(branch=tree["clinic"], admitted_on=date(1980, 1, 1 + i % 28))
            Gap.objects.create(
                member=member, from_on=date(1990, 1, 1), until_on=date(1991, 1, 1), reason="x"
            )
            Badge.objects.create(
                member=member, years=30, awarded_on=date(2010, 2, 3), decision_no="1"
            )

    def count(n: int) -> int:
        rows = Member.objects.filter(branch=tree["clinic"]).select_related("person", "branch")
        with CaptureQueriesContext(connection) as captured:
            result = badges_due(rows, AWARD_DAY)
        assert len(result) == n
        assert all(r.years == 45 and r.gap_days == 365 for r in result)
        return len(captured.captured_queries)

    add(3)
    few = count(3)
    add(27)
    assert few == count(30) == 1


def test_the_member_deadline_is_the_next_badge_due(tree: Any) -> None:
    today = date(2026, 11, 23)
    turns_30 = make_member(branch=tree["village"], admitted_on=date(1997, 1, 15))
    assert next_badge(turns_30, today) == {
        "years": 30,
        "due_on": date(2027, 2, 3),
        "overdue": False,
    }
    (deadline,) = [d for d in deadlines(turns_30, today) if "Huy hiệu" in d["what"]]
    assert deadline == {
        "what": "Xét tặng Huy hiệu 30 năm tuổi Đảng",
        "due_on": date(2027, 2, 3),
        "overdue": False,
    }
    missed = make_member(branch=tree["village"], admitted_on=date(1985, 1, 1))
    assert next_badge(missed, today) == {"years": 40, "due_on": date(2025, 2, 3), "overdue": True}


def test_no_badge_deadline_for_young_probationary_or_awarded_members(tree: Any) -> None:
    today = date(2026, 11, 23)
    assert next_badge(make_member(branch=tree["village"]), today) is None
    probationary = make_member(
        branch=tree["village"], status=Status.PROBATIONARY, admitted_on=date(1980, 1, 1)
    )
    assert next_badge(probationary, today) is None
    awarded = make_member(branch=tree["village"], admitted_on=date(1997, 1, 15))
    Badge.objects.create(member=awarded, years=30, awarded_on=date(2027, 2, 3), decision_no="1")
    assert next_badge(awarded, today) is None
