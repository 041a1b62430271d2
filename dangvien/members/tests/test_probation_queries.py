"""Reads of the probation area: report periods and which are overdue (seed 000), the
deadlines (294-QĐ/TW §4.2; QĐ 29 §4.3.1), the list of members due for recognition and
the monthly report, without a query per row."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangvien.core.models import RuleParameter
from dangvien.factories import MemberFactory, make_member, make_person
from dangvien.members.actions.base import add_probationary_member
from dangvien.members.models import (
    Member,
    Mentorship,
    ProbationReport,
    Proceeding,
    ProceedingKind,
    ReportKind,
    Status,
    Step,
)
from dangvien.members.queries import deadlines, visible_members
from dangvien.members.queries import probation as q

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)


def probationer(branch, ceremony_on, **fields):
    member = add_probationary_member(
        make_person(),
        branch=branch,
        admitted_on=ceremony_on,
        decision_no="QĐ-1",
        ceremony_on=ceremony_on,
        by=None,
    )
    if fields:
        Member.objects.filter(pk=member.pk).update(**fields)
        member.refresh_from_db()
    return member


def mentor(member, from_on):
    helper = make_member(branch=member.branch)
    return Mentorship.objects.create(member=member, mentor=helper, from_on=from_on)


def report(member, kind, period, filed_on=None, assessment="good"):
    return ProbationReport.objects.create(
        member=member,
        kind=kind,
        period=period,
        filed_on=filed_on or period,
        text="…",
        assessment=assessment,
    )


def count_queries(call):
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries)


# ---- report periods ----------------------------------------------------------------------


def test_reports_missing_for_past_months_are_overdue(tree):
    """Seed 000: a monthly report by the mentor and a self-review; the month's report is
    due by its last day. The month in course is not overdue yet."""
    member = probationer(tree["village"], date(2026, 8, 20))
    mentor(member, date(2026, 8, 20))
    report(member, ReportKind.MENTOR, date(2026, 8, 1))
    report(member, ReportKind.SELF, date(2026, 8, 1))
    report(member, ReportKind.MENTOR, date(2026, 10, 1))
    rows = q.report_rows(member, TODAY)
    assert [r.label for r in rows] == ["08/2026", "09/2026", "10/2026", "11/2026"]
    assert [r.mentor_overdue for r in rows] == [False, True, False, False]
    assert [r.self_overdue for r in rows] == [False, True, True, False]
    assert rows[1].due_on == date(2026, 9, 30)


def test_periods_are_followed_from_the_mentors_assignment(tree):
    """The ceremony assigns a mentor; periods before any assignment are not counted
    overdue (the missing mentor shows instead)."""
    member = probationer(tree["village"], date(2026, 6, 3))
    assert q.overdue_reports(q.report_rows(member, TODAY)) == {"mentor": [], "self": []}
    mentor(member, date(2026, 9, 15))
    rows = q.report_rows(member, TODAY)
    late = q.overdue_reports(rows)
    assert [r.label for r in late["mentor"]] == ["09/2026", "10/2026"]


def test_report_periods_stop_with_the_12_months(tree):
    member = probationer(tree["village"], date(2025, 6, 1))
    rows = q.report_rows(member, TODAY)
    assert rows[0].label == "06/2025" and rows[-1].label == "05/2026"
    assert len(rows) == 12


def test_a_province_may_set_a_longer_report_interval(tree):
    """``probation.report_interval_months`` per province (seed 000), the most specific
    organisation first, as ``core.rules.rule`` reads it."""
    RuleParameter.objects.create(
        key="probation.report_interval_months",
        value=3,
        effective_from=date(2020, 1, 1),
        organisation=tree["province"],
        source="Tỉnh ủy",
    )
    RuleParameter.objects.create(
        key="probation.report_interval_months",
        value=2,
        effective_from=date(2020, 1, 1),
        organisation=tree["school"],
        source="Đảng ủy trường",
    )
    village = probationer(tree["village"], date(2026, 1, 10))
    school = probationer(tree["school_branch"], date(2026, 1, 10))
    assert q.report_interval(village) == 3
    assert q.report_interval(school) == 2
    many = q.IntervalRule()
    assert (many(village), many(school)) == (3, 2)
    labels = [r.label for r in q.report_rows(village, TODAY)]
    assert labels == ["01/2026–03/2026", "04/2026–06/2026", "07/2026–09/2026", "10/2026–12/2026"]


# ---- deadlines ---------------------------------------------------------------------------


def test_deadlines_follow_the_recognition_proceeding(tree):
    """294-QĐ/TW §4.2: the chi bộ votes within 30 working days after the 12 months; once
    it has proposed, the committee's 30 working days (QĐ 29 §4.3.1) take its place."""
    member = probationer(tree["village"], date(2025, 6, 2))
    (vote_due,) = deadlines(member, TODAY)
    assert vote_due["what"] == "Chi bộ xét công nhận đảng viên chính thức"
    assert (vote_due["due_on"], vote_due["overdue"]) == (date(2026, 7, 14), True)
    Proceeding.objects.create(
        member=member,
        kind=ProceedingKind.RECOGNITION,
        opened_on=date(2026, 6, 2),
        step=Step.BRANCH_PROPOSED,
        decision_due_on=date(2026, 12, 1),
        extended=True,
    )
    (decision,) = deadlines(member, TODAY)
    assert decision["what"] == "Cấp ủy quyết định công nhận đảng viên chính thức (đã gia hạn)"
    assert (decision["due_on"], decision["overdue"]) == (date(2026, 12, 1), False)


def test_overdue_reports_are_deadlines_one_line_per_kind(tree):
    member = probationer(tree["village"], date(2026, 8, 20))
    mentor(member, date(2026, 8, 20))
    report(member, ReportKind.MENTOR, date(2026, 8, 1))
    rows = deadlines(member, TODAY)
    texts = {r["what"]: r for r in rows}
    mentor_line = texts["Nhận xét của đảng viên giúp đỡ chưa nộp: 2 kỳ (09/2026, 10/2026)"]
    assert (mentor_line["due_on"], mentor_line["overdue"]) == (date(2026, 9, 30), True)
    assert "Bản tự kiểm điểm của đảng viên dự bị chưa nộp: 3 kỳ (08/2026, 09/2026, 10/2026)" in (
        texts
    )


def test_an_official_member_has_no_probation_deadlines(tree):
    assert deadlines(make_member(branch=tree["village"]), TODAY) == []


# ---- due for recognition ------------------------------------------------------------------


def test_the_due_list_keeps_the_window_soonest_first_with_days_left(tree):
    """Days left to the vote due date (294-QĐ/TW §4.2), negative when overdue."""
    overdue = probationer(tree["village"], date(2025, 9, 2))  # vote due 14/10/2026
    soon = probationer(tree["village"], date(2025, 12, 1))  # vote due in January 2027
    later = probationer(tree["school_branch"], date(2026, 6, 1))  # due in 2027
    probationer(tree["other_branch"], date(2025, 10, 1))
    MemberFactory(branch=tree["village"])  # official
    rows = Member.objects.filter(org_path__startswith=tree["commune"].path)
    assert list(q.recognition_due(rows, TODAY, 60)) == [overdue, soon]
    assert list(q.recognition_due(rows, TODAY, None)) == [overdue, soon, later]
    first, second = (q.due_row(m, TODAY) for m in q.recognition_due(rows, TODAY, 60))
    assert (first.vote_due_on, first.days_left, first.overdue) == (date(2026, 10, 14), -40, True)
    assert first.step == "Chưa xét"
    assert second.days_left == (second.vote_due_on - TODAY).days > 0


def test_after_the_branch_proposes_the_due_row_counts_to_the_decision(tree):
    member = probationer(tree["village"], date(2025, 9, 2))
    Proceeding.objects.create(
        member=member,
        kind=ProceedingKind.RECOGNITION,
        opened_on=date(2026, 9, 2),
        step=Step.BRANCH_PROPOSED,
        decision_due_on=date(2026, 12, 3),
    )
    (row,) = [q.due_row(m, TODAY) for m in q.recognition_due(Member.objects.all(), TODAY, 60)]
    assert (row.next_what, row.next_due_on, row.days_left) == (
        "Cấp ủy quyết định",
        date(2026, 12, 3),
        10,
    )
    assert row.step == "Chi bộ đã đề nghị"


def test_the_due_list_runs_the_same_queries_for_2_or_12_rows(tree):
    def run():
        rows = q.recognition_due(Member.objects.all(), TODAY, None)
        return [q.due_row(m, TODAY).step for m in rows]

    for _ in range(2):
        member = probationer(tree["village"], date(2025, 12, 1))
        Proceeding.objects.create(
            member=member, kind=ProceedingKind.RECOGNITION, opened_on=date(2026, 12, 1)
        )
    few = count_queries(run)
    for n in range(10):
        member = probationer(tree["school_branch"], date(2025, 11, 1 + n))
        Proceeding.objects.create(
            member=member, kind=ProceedingKind.RECOGNITION, opened_on=date(2026, 11, 1)
        )
    assert count_queries(run) == few


# ---- the monthly report ------------------------------------------------------------------


def test_the_monthly_report_shows_each_members_month(tree):
    """Seed 000: to the superior committee, each month: mentor, the month's reports (or
    "chưa nộp"), the course, months done of 12, the vote due date."""
    member = probationer(tree["village"], date(2026, 3, 10), new_member_course_no="ĐVM-3")
    old = mentor(member, date(2026, 3, 10))
    Mentorship.objects.filter(pk=old.pk).update(until_on=date(2026, 8, 15))
    new = mentor(member, date(2026, 8, 15))
    report(member, ReportKind.MENTOR, date(2026, 9, 1), assessment="fair")
    rows = q.probationary_in_month(Member.objects.all(), date(2026, 9, 1))
    (row,) = q.month_rows(rows, date(2026, 9, 1), TODAY)
    assert row.mentor == new.mentor
    assert row.mentor_report is not None
    assert row.mentor_report.get_assessment_display() == "Khá"
    assert row.self_review is None
    assert row.months_done == 6  # 10/3 → 10/9
    assert row.course == "Số ĐVM-3"
    assert row.period_label == "09/2026"
    (july,) = q.month_rows(
        q.probationary_in_month(Member.objects.all(), date(2026, 7, 1)), date(2026, 7, 1), TODAY
    )
    assert july.mentor == old.mentor
    assert july.months_done == 4


def test_the_monthly_report_lists_who_was_on_probation_that_month(tree):
    on_probation = probationer(tree["village"], date(2025, 12, 1))
    recognised = probationer(
        tree["village"], date(2025, 8, 1), status=Status.OFFICIAL, official_on=date(2026, 8, 1)
    )
    removed = probationer(
        tree["village"], date(2025, 8, 1), status=Status.REMOVED, left_on=date(2026, 9, 30)
    )
    probationer(tree["village"], date(2026, 10, 1))  # not yet admitted in September
    make_member(branch=tree["village"])  # official long ago
    september = q.probationary_in_month(Member.objects.all(), date(2026, 9, 1))
    assert set(september) == {on_probation, removed}
    august = q.probationary_in_month(Member.objects.all(), date(2026, 8, 1))
    assert set(august) == {on_probation, recognised, removed}


def test_the_monthly_report_runs_the_same_queries_for_2_or_12_rows(tree):
    def run():
        rows = q.probationary_in_month(Member.objects.all(), date(2026, 10, 1))
        return [r.mentor for r in q.month_rows(rows, date(2026, 10, 1), TODAY)]

    for _ in range(2):
        member = probationer(tree["village"], date(2026, 2, 1))
        mentor(member, date(2026, 2, 1))
        report(member, ReportKind.SELF, date(2026, 10, 1))
    few = count_queries(run)
    for n in range(10):
        member = probationer(tree["school_branch"], date(2026, 1, 1 + n))
        mentor(member, date(2026, 2, 1))
        report(member, ReportKind.MENTOR, date(2026, 10, 1))
    assert count_queries(run) == few


def test_visible_members_scope_the_lists(tree):
    from dangvien.accounts.models import Role
    from dangvien.factories import user_with_role

    mine = probationer(tree["village"], date(2025, 12, 1))
    probationer(tree["other_branch"], date(2025, 12, 1))
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    assert list(q.recognition_due(visible_members(secretary), TODAY, None)) == [mine]
