"""Resolution-study participation (seed 004: “trên 90%”, rule
``study.participation_target_percent``) and the removal grounds of missed meetings and
unpaid dues (Charter Art. 8: “bỏ sinh hoạt đảng hoặc không đóng đảng phí 3 tháng trong
năm mà không có lý do chính đáng”; 24-QĐ/TW §8.1; HD 01-HD/TW §11.1; 01-QĐ/TW 2026)."""

from datetime import date
from decimal import Decimal

import pytest

from dangvien.core.models import RuleParameter
from dangvien.core.templatetags.vn import so
from dangvien.factories import make_member
from dangvien.members.models import (
    Attendance,
    DuesPayment,
    Meeting,
    MeetingKind,
    Member,
    Proceeding,
    ProceedingKind,
    Status,
)
from dangvien.members.queries.meetings import (
    missed_months,
    percent_of,
    removal_candidates,
    study_participation,
)

ON = date(2026, 11, 20)


def _meeting(branch, kind, held_on, rows, topic="Nghị quyết Đại hội XIV"):
    """``rows``: (member, present, excused) without going through the action's checks."""
    meeting = Meeting.objects.create(
        organisation=branch, org_path=branch.path, kind=kind, held_on=held_on, topic=topic
    )
    for member, present, excused in rows:
        Attendance.objects.create(meeting=meeting, member=member, present=present, excused=excused)
    return meeting


# ---- participation rate --------------------------------------------------------------------


def test_percent_has_one_decimal_half_up_and_shows_with_a_comma():
    assert percent_of(37, 40) == Decimal("92.5")
    assert percent_of(2, 3) == Decimal("66.7")
    assert percent_of(0, 0) is None
    assert so(percent_of(37, 40), 1) == "92,5"


def test_participation_is_counted_per_child_with_subtree_totals(tree):
    village, school_branch = tree["village"], tree["school_branch"]
    villagers = [make_member(branch=village) for _ in range(4)]
    teachers = [make_member(branch=school_branch) for _ in range(2)]
    _meeting(
        village,
        MeetingKind.STUDY,
        date(2026, 3, 5),
        [(m, i < 3, False) for i, m in enumerate(villagers)],
    )
    _meeting(
        school_branch, MeetingKind.STUDY, date(2026, 3, 6), [(m, True, False) for m in teachers]
    )
    _meeting(village, MeetingKind.REGULAR, date(2026, 3, 5), [(m, False, False) for m in villagers])
    rows, total = study_participation(tree["commune"], on=ON)
    by_org = {r.organisation.pk: r for r in rows}
    assert (by_org[village.pk].attended, by_org[village.pk].expected) == (3, 4)
    assert by_org[village.pk].percent == Decimal("75.0") and by_org[village.pk].below_target
    school = by_org[tree["school"].pk]
    assert (school.attended, school.expected, school.below_target) == (2, 2, False)
    assert by_org[tree["clinic"].pk].percent is None
    assert (total.attended, total.expected, total.percent) == (5, 6, Decimal("83.3"))
    assert total.target == 90


def test_exactly_the_target_is_not_below_it(tree):
    members = [make_member(branch=tree["village"]) for _ in range(10)]
    _meeting(
        tree["village"],
        MeetingKind.STUDY,
        date(2026, 4, 2),
        [(m, i < 9, False) for i, m in enumerate(members)],
    )
    _rows, total = study_participation(tree["village"], on=ON)
    assert total.percent == Decimal("90.0") and not total.below_target


def test_members_away_on_temporary_transfer_and_exempted_absentees_are_not_expected(tree):
    """294-QĐ/TW §6.3.2: they study at the host; Charter Art. 7: exempted members."""
    village = tree["village"]
    here = make_member(branch=village)
    away = make_member(branch=village, temporarily_away_since=date(2026, 1, 10))
    exempted = make_member(branch=village, exempted_since=date(2025, 1, 1))
    exempted_present = make_member(branch=village, exempted_since=date(2025, 1, 1))
    _meeting(
        village,
        MeetingKind.STUDY,
        date(2026, 3, 5),
        [
            (here, True, False),
            (away, False, True),
            (exempted, False, True),
            (exempted_present, True, False),
        ],
    )
    _rows, total = study_participation(village, on=ON)
    assert (total.attended, total.expected) == (2, 2)


def test_the_period_and_topic_filters_apply(tree):
    members = [make_member(branch=tree["village"]) for _ in range(2)]
    _meeting(
        tree["village"],
        MeetingKind.STUDY,
        date(2026, 2, 5),
        [(m, False, False) for m in members],
        "Nghị quyết 57",
    )
    _meeting(
        tree["village"],
        MeetingKind.STUDY,
        date(2026, 6, 5),
        [(m, True, False) for m in members],
        "Nghị quyết Đại hội XIV",
    )
    _r, march_on = study_participation(
        tree["commune"], since=date(2026, 3, 1), until=date(2026, 12, 31), on=ON
    )
    assert (march_on.attended, march_on.expected) == (2, 2)
    _r, nq57 = study_participation(tree["commune"], topic="57", on=ON)
    assert (nq57.attended, nq57.expected) == (0, 2)


def test_a_province_may_set_its_own_target(tree):
    RuleParameter.objects.create(
        key="study.participation_target_percent",
        value=95,
        effective_from=date(2026, 1, 1),
        organisation=tree["province"],
        source="thử",
    )
    _rows, total = study_participation(tree["commune"], on=ON)
    assert total.target == 95


def test_participation_is_one_query_however_many_children(tree, django_assert_max_num_queries):
    for branch in (tree["village"], tree["school_branch"], tree["clinic"]):
        _meeting(
            branch, MeetingKind.STUDY, date(2026, 3, 5), [(make_member(branch=branch), True, False)]
        )
    with django_assert_max_num_queries(3):  # the rule, the aggregate, the children
        _rows, total = study_participation(tree["commune"], on=ON)
    assert total.attended == 3


# ---- removal grounds -----------------------------------------------------------------------


def _missed_meetings(member, months, excused=False):
    for month in months:
        branch = member.branch
        meeting = Meeting.objects.filter(
            organisation=branch,
            kind=MeetingKind.REGULAR,
            held_on__month=month.month,
            held_on__year=month.year,
        ).first() or Meeting.objects.create(
            organisation=branch, org_path=branch.path, kind=MeetingKind.REGULAR, held_on=month
        )
        Attendance.objects.create(meeting=meeting, member=member, present=False, excused=excused)


def _unpaid(member, months, excused=False, paid=0):
    for month in months:
        DuesPayment.objects.create(
            member=member,
            month=month,
            org_path=member.org_path,
            amount_due=11_000,
            amount_paid=paid,
            excused=excused,
        )


MONTHS = [date(2026, m, 1) for m in (3, 6, 9)]


def _candidates(tree):
    return removal_candidates(Member.objects.filter(org_path__startswith=tree["province"].path), ON)


def test_two_missed_months_are_not_enough(tree):
    member = make_member(branch=tree["village"])
    _missed_meetings(member, MONTHS[:2])
    _unpaid(member, MONTHS[:2])
    assert _candidates(tree) == []


def test_three_months_of_missed_meetings_raise_removal(tree):
    """Charter Art. 8: bỏ sinh hoạt đảng 3 tháng trong năm không có lý do chính đáng."""
    member = make_member(branch=tree["village"])
    make_member(branch=tree["village"])
    _missed_meetings(member, MONTHS)
    [found] = _candidates(tree)
    assert found.member == member
    assert found.meetings == MONTHS and found.dues == []
    assert found.grounds == ["missed_meetings"]


def test_three_months_of_unpaid_dues_raise_removal(tree):
    """Charter Art. 8; 01-QĐ/TW 2026: không đóng đảng phí 3 tháng trong năm."""
    member = make_member(branch=tree["village"])
    _unpaid(member, MONTHS)
    [found] = _candidates(tree)
    assert found.dues == MONTHS and found.grounds == ["unpaid_dues"]


def test_three_months_with_a_good_reason_are_not_listed(tree):
    member = make_member(branch=tree["village"])
    _missed_meetings(member, MONTHS, excused=True)
    _unpaid(member, MONTHS, excused=True)
    assert _candidates(tree) == []


def test_partial_payments_and_nothing_due_do_not_count(tree):
    member = make_member(branch=tree["village"])
    _unpaid(member, MONTHS, paid=5_000)
    other = make_member(branch=tree["village"])
    for month in MONTHS:
        DuesPayment.objects.create(member=other, month=month, org_path=other.org_path, amount_due=0)
    assert _candidates(tree) == []


def test_months_outside_the_window_are_not_counted(tree):
    """The window is the last 12 months counting this one (``removal.window_months``)."""
    member = make_member(branch=tree["village"])
    _missed_meetings(member, [date(2025, 11, 1), date(2026, 3, 1), date(2026, 6, 1)])
    _unpaid(member, [date(2025, 10, 1), date(2026, 1, 1), date(2026, 2, 1)])
    assert _candidates(tree) == []
    _missed_meetings(member, [date(2026, 11, 1)])
    [found] = _candidates(tree)
    assert found.meetings == [date(2026, 3, 1), date(2026, 6, 1), date(2026, 11, 1)]
    assert found.since == date(2025, 12, 1) and found.dues == [date(2026, 1, 1), date(2026, 2, 1)]


def test_the_two_grounds_are_counted_separately(tree):
    """Each is its own trigger (RemovalTrigger) [U]: 2 missed meetings + 1 unpaid month is
    not 3."""
    member = make_member(branch=tree["village"])
    _missed_meetings(member, MONTHS[:2])
    _unpaid(member, MONTHS[2:])
    assert _candidates(tree) == []


def test_former_members_and_those_with_an_open_removal_are_left_out(tree):
    removed = make_member(branch=tree["village"], status=Status.REMOVED)
    proposed = make_member(branch=tree["village"])
    for member in (removed, proposed):
        _missed_meetings(member, MONTHS)
    Proceeding.objects.create(member=proposed, kind=ProceedingKind.REMOVAL, opened_on=ON)
    assert _candidates(tree) == []


def test_a_province_may_count_more_months(tree):
    RuleParameter.objects.create(
        key="removal.missed_months",
        value=4,
        effective_from=date(2026, 1, 1),
        organisation=tree["province"],
        source="thử",
    )
    member = make_member(branch=tree["village"])
    _missed_meetings(member, MONTHS)
    assert _candidates(tree) == []
    _missed_meetings(member, [date(2026, 10, 1)])
    assert len(_candidates(tree)) == 1


@pytest.mark.parametrize("size", [3, 12])
def test_removal_candidates_over_a_scope_take_a_fixed_number_of_queries(
    tree, size, django_assert_max_num_queries
):
    """The home page's to-do: the rules check, two aggregates, one fetch."""
    for i in range(size):
        member = make_member(branch=tree["village"] if i % 2 else tree["school_branch"])
        _missed_meetings(member, MONTHS)
    scope = Member.objects.filter(org_path__startswith=tree["province"].path)
    with django_assert_max_num_queries(4):
        found = removal_candidates(scope, ON)
    assert len(found) == size


def test_missed_months_answers_every_id_asked(tree):
    member = make_member(branch=tree["village"])
    quiet = make_member(branch=tree["village"])
    _missed_meetings(member, MONTHS[:1])
    _unpaid(member, MONTHS[1:2])
    found = missed_months([member.pk, quiet.pk], date(2026, 1, 1), ON)
    assert found[member.pk] == {"meetings": [MONTHS[0]], "dues": [MONTHS[1]]}
    assert found[quiet.pk] == {"meetings": [], "dues": []}
