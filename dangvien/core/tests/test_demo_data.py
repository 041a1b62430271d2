"""The demo command builds a small province once per module (rolled back at the end)."""

from collections import Counter
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.utils import timezone

from dangvien.accounts.models import RoleAssignment, User
from dangvien.candidates.models import Candidate, Stage, StageChange, Vote
from dangvien.candidates.queries import eligibility_checks
from dangvien.core.models import AuditEvent
from dangvien.factories import built_once
from dangvien.members.models import Member
from dangvien.organisations.models import MEMBER_HOLDING, Kind, Organisation
from dangvien.people.models import Person

PASSWORD = "demo-dangvien"


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo_data", "--members", "600", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: object) -> Iterator[str]:
    yield from built_once(django_db_blocker, run_demo)


def role_of(username: str) -> RoleAssignment:
    """The user's first role (demo.xa's second role, at the same commune, comes later)."""
    rows = RoleAssignment.objects.select_related("organisation").filter(user__username=username)
    return rows.order_by("pk")[0]


def test_every_candidate_stage_has_candidates(demo: str, db: None) -> None:
    stages = Counter(Candidate.objects.values_list("stage", flat=True))
    assert {s for s in Stage.values if not stages[s]} == set()
    assert "Xong trong" in demo


def test_candidates_moved_through_the_actions(demo: str, db: None) -> None:
    assert StageChange.objects.count() > Candidate.objects.count() * 2
    assert Vote.objects.filter(passed=False).exists()
    member_stage = Candidate.objects.filter(stage=Stage.MEMBER)
    assert member_stage.filter(member__isnull=False).count() == member_stage.count()


def test_demo_users_have_their_roles_and_password(demo: str, db: None) -> None:
    expected = {
        "demo.tinh": ("board_staff", Kind.PROVINCE),
        "demo.xa": ("board_staff", Kind.COMMUNE),
        "demo.chibo": ("branch_secretary", Kind.BRANCH),
        "demo.lanhdao": ("leader", Kind.PROVINCE),
        "demo.coso": ("grassroots_staff", Kind.GRASSROOTS_COMMITTEE),
    }
    for username, (role, kind) in expected.items():
        user = User.objects.get(username=username)
        assert user.check_password(PASSWORD), username
        assert user.display_name
        assignment = role_of(username)
        assert (assignment.role, assignment.organisation.kind) == (role, kind)
    commune = role_of("demo.xa").organisation
    # The commune's office also keeps the records of the chi bộ directly under it.
    assert set(
        RoleAssignment.objects.filter(user__username="demo.xa").values_list("role", "organisation")
    ) == {("board_staff", commune.pk), ("grassroots_staff", commune.pk)}
    assert role_of("demo.chibo").organisation.parent == commune
    assert role_of("demo.coso").organisation.path.startswith(commune.path)
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(PASSWORD)


def test_every_demo_member_and_candidate_carries_the_keys_of_its_person(
    demo: str, db: None
) -> None:
    """The copies the lists read (``Member.search_text``, ``Member.sort_key``,
    ``Candidate.sort_key``; issue 9), set by the demo's bulk insert as ``save`` sets them."""
    same = Q(search_text=F("person__search_text"), sort_key=F("person__sort_key"))
    assert Member.objects.exists() and not Member.objects.exclude(same).exists()
    keyed = Candidate.objects.exclude(sort_key=F("person__sort_key"))
    assert Candidate.objects.exists() and not keyed.exists()


def test_the_demo_commune_has_the_most_candidates(demo: str, db: None) -> None:
    commune = role_of("demo.xa").organisation
    per_commune = {
        c.pk: Candidate.objects.filter(org_path__startswith=c.path).count()
        for c in Organisation.objects.filter(kind=Kind.COMMUNE)
    }
    assert per_commune[commune.pk] == max(per_commune.values())


def test_the_secretary_branch_has_work_at_every_step(demo: str, db: None) -> None:
    branch = role_of("demo.chibo").organisation
    stages = Counter(Candidate.objects.filter(branch=branch).values_list("stage", flat=True))
    for stage in (Stage.BACKGROUND_CHECKED, Stage.BRANCH_PROPOSED, Stage.ADMITTED):
        assert stages[stage] >= 1, stage
    ready = [
        c
        for c in Candidate.objects.filter(branch=branch, stage=Stage.BACKGROUND_CHECKED)
        if all(check.ok for check in eligibility_checks(c, timezone.localdate()))
    ]
    assert ready, "a candidate ready for the branch vote"


def test_every_branch_has_3_to_60_members(demo: str, db: None) -> None:
    sizes = (
        Organisation.objects.filter(kind__in=MEMBER_HOLDING)
        .annotate(n=Count("members"))
        .values_list("name", "n")
    )
    assert sizes
    assert [(name, n) for name, n in sizes if not 3 <= n <= 60] == []
    assert 550 <= Member.objects.count() <= 700


def test_a_second_run_changes_nothing(demo: str, db: None) -> None:
    tables: list[Any] = [Organisation, Person, Member, Candidate, StageChange, User, AuditEvent]
    before = [model.objects.count() for model in tables]
    output = run_demo()
    assert "không tạo dữ liệu mẫu" in output
    assert [model.objects.count() for model in tables] == before


def test_the_demo_chi_bo_has_members_in_every_state_of_party_life(demo: str, db: None) -> None:
    """Every member status, and each page of the members area, has something to show."""
    from dangvien.members.models import (
        Badge,
        DuesPayment,
        Exemption,
        Meeting,
        Mentorship,
        ProbationReport,
        Proceeding,
        Status,
        Transfer,
    )

    statuses = set(Member.objects.values_list("status", flat=True))
    assert statuses == set(Status.values)
    assert Member.objects.filter(readmitted_on__isnull=False, gaps__isnull=False).exists()
    assert Member.objects.exclude(never_readmit="").exists()
    assert Member.objects.exclude(far_away_since=None).count() >= 3
    assert Member.objects.exclude(card_number="").exists()
    for model in (Mentorship, ProbationReport, Proceeding, Exemption, Transfer, Meeting, Badge):
        assert model.objects.exists(), model.__name__
    assert Proceeding.objects.filter(step="branch_proposed").exists()
    assert DuesPayment.objects.filter(amount_paid=0, amount_due__gt=0).exists()
    assert Transfer.objects.filter(state="in_flight").exists()


def test_courses_and_exams_were_built_by_their_actions(demo: str, db: None) -> None:
    """A closed course certified its learners, a signed round has results with a fail, an
    open round prints a code that really starts a sitting."""
    from dangvien.exams.actions.sittings import start_sitting
    from dangvien.exams.models import ExamRound, RoundStatus
    from dangvien.training.models import Certificate, Course, CourseStatus

    assert Course.objects.filter(status=CourseStatus.CLOSED).count() == 2
    assert Course.objects.filter(status=CourseStatus.RUNNING).exists()
    awareness = Certificate.objects.filter(kind="awareness").select_related("enrolment")
    assert awareness.exists()
    assert all(
        c.enrolment.candidate and c.enrolment.candidate.certificate_no == c.number
        for c in awareness
    )
    signed = ExamRound.objects.get(status=RoundStatus.SIGNED)
    assert set(signed.sittings.values_list("passed", flat=True)) == {True, False}
    code = demo.split("làm bài tại /thi/): ")[1].split()[0]
    sitting = start_sitting(code)
    assert sitting.round.status == RoundStatus.OPEN
