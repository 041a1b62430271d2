"""Shortcuts to build training data in tests, straight into the tables (factories may
save; the code under test goes through the actions)."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from dangvien.accounts.models import Role, User
from dangvien.candidates.models import Candidate
from dangvien.factories import user_with_role
from dangvien.members.models import Member
from dangvien.organisations.models import Organisation
from dangvien.training.models import (
    Attendance,
    Course,
    CourseKind,
    CourseStatus,
    Enrolment,
    Session,
)


def today() -> date:
    return timezone.localdate()


def days_ago(n: int) -> date:
    return today() - timedelta(days=n)


def staff(organisation: Organisation) -> User:
    """Organisation-board staff of a committee: runs its courses."""
    return user_with_role(Role.BOARD_STAFF, organisation)


def make_course(
    organiser: Organisation,
    *,
    kind: str = CourseKind.AWARENESS,
    status: str = CourseStatus.PLANNED,
    sessions: int = 0,
    starts_on: date | None = None,
    ends_on: date | None = None,
    **fields: Any,
) -> Course:
    """A course over the last 30 days (ending yesterday) with ``sessions`` held in it."""
    course = Course.objects.create(
        kind=kind,
        name=fields.pop("name", "Lớp bồi dưỡng nhận thức về Đảng khóa I"),
        organiser=organiser,
        org_path=organiser.path,
        starts_on=starts_on or days_ago(30),
        ends_on=ends_on or days_ago(1),
        status=status,
        pass_mark=fields.pop("pass_mark", Decimal("5")),
        min_attendance_percent=fields.pop("min_attendance_percent", 80),
        **fields,
    )
    for i in range(sessions):
        Session.objects.create(
            course=course, held_on=course.starts_on + timedelta(days=i), topic=f"Chuyên đề {i + 1}"
        )
    return course


def enrol(course: Course, who: Candidate | Member, **fields: Any) -> Enrolment:
    return Enrolment.objects.create(
        course=course,
        person=who.person,
        candidate=who if isinstance(who, Candidate) else None,
        member=who if isinstance(who, Member) else None,
        org_path=who.org_path,
        **fields,
    )


def attend(enrolment: Enrolment, sessions: int) -> None:
    """Present at the first ``sessions`` sessions of the course, absent at the rest."""
    for i, session in enumerate(enrolment.course.sessions.order_by("held_on", "pk")):
        Attendance.objects.create(session=session, enrolment=enrolment, present=i < sessions)
