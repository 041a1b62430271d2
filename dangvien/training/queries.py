"""Reads of the training area: who sees which course, enrolment and certificate; who may
join a course; the pass rule; the validity of an awareness certificate.

Scope (brief of issue 5): committee staff see the courses organised in their subtree
(``Course.org_path``); anyone sees the enrolments and certificates of the people of their
own subtree (``Enrolment.org_path`` / ``Certificate.org_path``, the person's unit when
enrolled), so a branch secretary follows their candidates' courses read-only.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from dangvien.accounts.models import Capability
from dangvien.accounts.queries import can
from dangvien.candidates.models import Candidate, Stage
from dangvien.core.dates import add_months
from dangvien.core.rules import rule
from dangvien.core.text import is_number
from dangvien.members.models import Member, Status
from dangvien.organisations.models import MEMBER_HOLDING, Organisation
from dangvien.organisations.queries import in_scope, units_managed_by, visible_organisations
from dangvien.people.models import Person
from dangvien.people.queries import search_filter
from dangvien.training.models import (
    Attendance,
    Certificate,
    Course,
    CourseKind,
    CourseStatus,
    Enrolment,
    Result,
    Session,
)

if TYPE_CHECKING:
    from dangvien.accounts.models import User

# Candidates who may join an awareness course: the pool, someone whose earlier course did
# not end in a certificate, and (for a retake) a certified candidate whose certificate
# lapses before the branch can vote (HD 06 §5.4).
AWARENESS_STAGES = (Stage.CANDIDATE, Stage.IN_AWARENESS_COURSE)
RETAKE_STAGES = (Stage.CERTIFIED, Stage.DOSSIER_OPEN, Stage.BACKGROUND_CHECKED)

DEFAULT_PATTERN = "{n}-CN/TTCT"


# ---- access ----------------------------------------------------------------------------


def can_run(user: "User", org_path: str) -> bool:
    """Committee staff at the node or above (they may endorse or decide there): the same
    people who run the exam rounds (``exams.queries.access.can_manage``)."""
    return can(user, Capability.ENDORSE, org_path) or can(user, Capability.DECIDE, org_path)


def can_run_course(user: "User", course: Course) -> bool:
    return can_run(user, course.org_path)


def organisers_for(user: "User") -> list[Organisation]:
    """The committees a user may organise a course for: nodes in their scope, above the
    chi bộ level, where they are committee staff. A political centre is a unit of its
    commune committee (QĐ 360), so the course belongs to that committee."""
    rows = visible_organisations(user).exclude(kind__in=MEMBER_HOLDING).order_by("path")
    return [org for org in rows if can_run(user, org.path)]


def visible_courses(user: "User") -> QuerySet[Course]:
    """Courses organised in the user's subtree, and courses with people of the subtree."""
    if not user.is_authenticated:
        return Course.objects.none()
    own_people = Enrolment.objects.filter(in_scope(user, "org_path"), course=OuterRef("pk"))
    return Course.objects.filter(in_scope(user, "org_path") | Q(Exists(own_people))).select_related(
        "organiser"
    )


def visible_enrolments(user: "User") -> QuerySet[Enrolment]:
    if not user.is_authenticated:
        return Enrolment.objects.none()
    return Enrolment.objects.filter(
        in_scope(user, "org_path") | in_scope(user, "course__org_path")
    ).select_related("person", "course")


def visible_certificates(user: "User") -> QuerySet[Certificate]:
    if not user.is_authenticated:
        return Certificate.objects.none()
    return (
        Certificate.objects.filter(
            in_scope(user, "org_path") | in_scope(user, "enrolment__course__org_path")
        )
        .select_related("person", "issuer", "enrolment__course")
        .order_by("-issued_on", "-pk")
    )


# ---- for other areas -------------------------------------------------------------------


def enrolments_of(person: Person) -> QuerySet[Enrolment]:
    """A person's courses, latest first, with the certificate when there is one."""
    return (
        Enrolment.objects.filter(person=person)
        .select_related("course", "certificate")
        .order_by("-course__starts_on", "-pk")
    )


def certificates_of(person: Person) -> QuerySet[Certificate]:
    return (
        Certificate.objects.filter(person=person)
        .select_related("issuer", "enrolment__course")
        .order_by("-issued_on", "-pk")
    )


# ---- lists -----------------------------------------------------------------------------


def filter_courses(
    rows: QuerySet[Course],
    *,
    kind: str = "",
    status: str = "",
    year: int | None = None,
    organisation: Organisation | None = None,
    q: str = "",
) -> QuerySet[Course]:
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    if year:
        rows = rows.filter(starts_on__year=year)
    if organisation is not None:
        rows = rows.filter(org_path__startswith=organisation.path)
    if q:
        rows = rows.filter(name__icontains=q)
    return rows


def with_counts(rows: QuerySet[Course]) -> QuerySet[Course]:
    """Learners (withdrawn ones aside) and passes per course, in the list's one query."""
    return rows.annotate(
        learners=Count("enrolments", filter=~Q(enrolments__result=Result.WITHDRAWN), distinct=True),
        passes=Count("enrolments", filter=Q(enrolments__result=Result.PASSED), distinct=True),
        session_count=Count("sessions", distinct=True),
    ).order_by("-starts_on", "name", "pk")  # Meta.ordering is dropped with GROUP BY


def course_years(rows: QuerySet[Course]) -> list[int]:
    return sorted({d.year for d in rows.order_by().dates("starts_on", "year")}, reverse=True)


# ---- the pass rule ---------------------------------------------------------------------


def attendance_met(attended: int, sessions: int, min_percent: int) -> bool:
    """At least ``min_percent`` of the sessions, in exact integers: 4 of 5 meets 80%."""
    return sessions > 0 and attended * 100 >= min_percent * sessions


def passes(
    *, attended: int, sessions: int, mark: Decimal | None, min_percent: int, pass_mark: Decimal
) -> bool:
    """Pass rule of a course (practice of the political centres [U]; values from the
    course, defaulting to the rules ``course.min_attendance_percent`` and
    ``course.pass_mark``): attendance at least the minimum and the mark at least the pass
    mark."""
    return (
        attendance_met(attended, sessions, min_percent) and mark is not None and mark >= pass_mark
    )


def percent(attended: int, sessions: int) -> Decimal | None:
    if sessions == 0:
        return None
    return (Decimal(attended * 100) / sessions).quantize(Decimal("0.1"))


@dataclass
class Standing:
    """One learner's figures on a course page or grid."""

    enrolment: Enrolment
    attended: int
    sessions: int
    percent: Decimal | None
    attendance_ok: bool
    would_pass: bool


def enrolment_rows(course: Course, user: "User") -> QuerySet[Enrolment]:
    """The course's learners the user may see (all of them for its staff), in name order,
    with their presences counted."""
    rows = Enrolment.objects.filter(course=course)
    if not can_run_course(user, course):
        rows = rows.filter(in_scope(user, "org_path"))
    return (
        rows.select_related(
            "person", "candidate__branch", "member__branch", "certificate", "course"
        )
        .annotate(attended=Count("attendances", filter=Q(attendances__present=True)))
        .order_by("person__sort_key", "pk")
    )


def standings(course: Course, enrolments: Any) -> list[Standing]:
    sessions = course.sessions.count()
    out = []
    for e in enrolments:
        attended = getattr(e, "attended", None)
        if attended is None:
            attended = e.attendances.filter(present=True).count()
        ok = attendance_met(attended, sessions, course.min_attendance_percent)
        out.append(
            Standing(
                enrolment=e,
                attended=attended,
                sessions=sessions,
                percent=percent(attended, sessions),
                attendance_ok=ok,
                would_pass=passes(
                    attended=attended,
                    sessions=sessions,
                    mark=e.mark,
                    min_percent=course.min_attendance_percent,
                    pass_mark=course.pass_mark,
                ),
            )
        )
    return out


def attendance_map(course: Course) -> dict[tuple[int, int], bool]:
    """``(session_id, enrolment_id) → present`` for the whole course, in one query."""
    rows = Attendance.objects.filter(session__course=course).values_list(
        "session_id", "enrolment_id", "present"
    )
    return {(s, e): p for s, e, p in rows}


def sessions_of(course: Course) -> QuerySet[Session]:
    return course.sessions.order_by("held_on", "pk")


def unit_name(enrolment: Enrolment) -> str:
    if enrolment.candidate_id and enrolment.candidate:
        return enrolment.candidate.branch.name
    if enrolment.member_id and enrolment.member:
        return enrolment.member.branch.name
    return ""


# ---- who may join ----------------------------------------------------------------------


def certificate_validity(organisation: Organisation | None, on: date) -> int:
    return int(rule("admission.certificate_validity_months", on=on, organisation=organisation))


def retake_window(organisation: Organisation | None, on: date) -> int:
    return int(rule("course.retake_window_months", on=on, organisation=organisation))


def retake_before(course: Course, today: date) -> date:
    """A certificate expiring before this day may be renewed on ``course``: one that would
    lapse before the branch votes (HD 06 §5.4), taking the vote within
    ``course.retake_window_months`` after the course ends [U]."""
    return add_months(course.ends_on, retake_window(course.organiser, today))


def _pending_elsewhere(course: Course, person_ids: list[int]) -> dict[int, str]:
    """People learning on another open course of the same kind: person id → course name."""
    rows = (
        Enrolment.objects.filter(
            person_id__in=person_ids,
            result=Result.PENDING,
            course__kind=course.kind,
        )
        .exclude(course=course)
        .exclude(course__status=CourseStatus.CLOSED)
        .values_list("person_id", "course__name")
    )
    return dict(rows)


def _on_this_course(course: Course, person_ids: list[int]) -> dict[int, str]:
    return dict(
        Enrolment.objects.filter(course=course, person_id__in=person_ids).values_list(
            "person_id", "result"
        )
    )


def awareness_refusal(
    candidate: Candidate,
    course: Course,
    *,
    validity: int,
    retake_by: date,
    elsewhere: dict[int, str],
    here: dict[int, str],
) -> str:
    """Why ``candidate`` may not join the awareness ``course`` ("" when they may)."""
    name = candidate.person.full_name
    if not candidate.org_path.startswith(course.org_path):
        return f"{name} thuộc {candidate.branch.name}, ngoài phạm vi của {course.organiser.name}."
    if here.get(candidate.person_id) not in (None, Result.WITHDRAWN):
        return f"{name} đã có trong danh sách lớp này."
    if candidate.stage in RETAKE_STAGES:
        issued = candidate.certificate_issued_on
        if issued is not None:
            expiry = add_months(issued, validity)
            if expiry >= retake_by:
                return (
                    f"{name} có giấy chứng nhận còn hạn đến {expiry:%d/%m/%Y}: chỉ học lại khi "
                    f"giấy chứng nhận hết hạn trước {retake_by:%d/%m/%Y} (HD 06 §5.4)."
                )
    elif candidate.stage not in AWARENESS_STAGES:
        return (
            f"{name} đang ở bước “{Stage(candidate.stage).label}”: không ghi danh lớp "
            "bồi dưỡng nhận thức về Đảng."
        )
    if candidate.person_id in elsewhere:
        return f"{name} đang học lớp “{elsewhere[candidate.person_id]}”."
    return ""


def new_member_refusal(
    member: Member, course: Course, *, elsewhere: dict[int, str], here: dict[int, str]
) -> str:
    """Why ``member`` may not join the new-member ``course`` ("" when they may): only
    probationary members without the certificate (294-QĐ/TW §4.2: it is in the
    recognition file)."""
    name = member.person.full_name
    if not member.org_path.startswith(course.org_path):
        return f"{name} thuộc {member.branch.name}, ngoài phạm vi của {course.organiser.name}."
    if here.get(member.person_id) not in (None, Result.WITHDRAWN):
        return f"{name} đã có trong danh sách lớp này."
    if member.status != Status.PROBATIONARY:
        return f"{name} không phải đảng viên dự bị ({Status(member.status).label.lower()})."
    if member.new_member_course_no:
        return (
            f"{name} đã có giấy chứng nhận lớp bồi dưỡng đảng viên mới số "
            f"{member.new_member_course_no}."
        )
    if member.person_id in elsewhere:
        return f"{name} đang học lớp “{elsewhere[member.person_id]}”."
    return ""


@dataclass
class Pick:
    """One row of the enrolment page: a person and why they may not join ("" if they may)."""

    pk: int
    person: Person
    unit: str
    situation: str
    refusal: str


def refusals(course: Course, people: list[Any], today: date) -> list[str]:
    """The refusal of each candidate (awareness course) or member (new-member course)."""
    ids = [p.person_id for p in people]
    elsewhere = _pending_elsewhere(course, ids)
    here = _on_this_course(course, ids)
    if course.kind == CourseKind.AWARENESS:
        validity = certificate_validity(course.organiser, today)
        retake_by = retake_before(course, today)
        return [
            awareness_refusal(
                c, course, validity=validity, retake_by=retake_by, elsewhere=elsewhere, here=here
            )
            for c in people
        ]
    return [new_member_refusal(m, course, elsewhere=elsewhere, here=here) for m in people]


PICK_LIMIT = 500


def pickable(
    course: Course,
    user: "User",
    today: date,
    *,
    q: str = "",
    unit: Organisation | None = None,
) -> tuple[list[Pick], list[Pick]]:
    """The enrolment page's two lists, eligible and refused, over the people of the
    organiser's subtree the user sees: open candidacies (awareness course) or probationary
    members (new-member course)."""
    people: list[Any]
    if course.kind == CourseKind.AWARENESS:
        rows: Any = Candidate.objects.filter(
            in_scope(user, "org_path"),
            org_path__startswith=course.org_path,
            stage__in=[*AWARENESS_STAGES, *RETAKE_STAGES],
        )
    else:
        rows = Member.objects.filter(
            in_scope(user, "org_path"),
            org_path__startswith=course.org_path,
            status=Status.PROBATIONARY,
        )
    if q:
        rows = rows.filter(search_filter(q, via="person"))
    if unit is not None:
        rows = rows.filter(org_path__startswith=unit.path)
    people = list(
        rows.select_related("person", "branch").order_by("person__sort_key", "pk")[:PICK_LIMIT]
    )
    eligible: list[Pick] = []
    refused: list[Pick] = []
    validity = certificate_validity(course.organiser, today)
    for person, refusal in zip(people, refusals(course, people, today), strict=True):
        if isinstance(person, Candidate):
            situation = str(Stage(person.stage).label)
            if person.certificate_issued_on:
                expiry = add_months(person.certificate_issued_on, validity)
                situation += f" · giấy chứng nhận hết hạn {expiry:%d/%m/%Y}"
        elif person.probation_started_on:
            situation = f"Kết nạp ngày {person.probation_started_on:%d/%m/%Y}"
        else:
            situation = str(Status(person.status).label)
        pick = Pick(person.pk, person.person, person.branch.name, situation, refusal)
        (refused if refusal else eligible).append(pick)
    return eligible, refused


# ---- certificates ----------------------------------------------------------------------


class Validity:
    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    LABELS = {
        VALID: "Còn hạn",
        EXPIRING: "Sắp hết hạn",
        EXPIRED: "Đã hết hạn",
    }


def _first_issue_reaching(target: date, months: int) -> date:
    """The earliest issue day whose expiry (issue + ``months``) is on or after ``target``.

    ``add_months`` clips the 31st to the month's end, so it is monotone but not one to one;
    a few steps around the naive inverse find the exact boundary.
    """
    day = add_months(target, -months)
    while add_months(day - timedelta(days=1), months) >= target:
        day -= timedelta(days=1)
    while add_months(day, months) < target:
        day += timedelta(days=1)
    return day


def validity_for(user: "User", today: date) -> tuple[int, int]:
    """Validity and warning window (months) for a user's certificate list: the values in
    force for the user's top unit (a province's own setting included)."""
    top = units_managed_by(user).first()
    return certificate_validity(top, today), retake_window(top, today)


def certificate_status(issued_on: date, *, validity: int, window: int, today: date) -> str:
    """Valid through issue + ``validity`` months (HD 06 §5.4); "expiring" within the
    window of ``course.retake_window_months``, when a retake may start."""
    expiry = add_months(issued_on, validity)
    if expiry < today:
        return Validity.EXPIRED
    if expiry <= add_months(today, window):
        return Validity.EXPIRING
    return Validity.VALID


def filter_certificates(
    rows: QuerySet[Certificate],
    *,
    q: str = "",
    kind: str = "",
    status: str = "",
    person: int | None = None,
    validity: int = 60,
    window: int = 6,
    today: date | None = None,
) -> QuerySet[Certificate]:
    """``q`` finds a name without diacritics ("nguyen van an") or a certificate number;
    ``status`` (awareness certificates only) is valid / expiring / expired on ``today``."""
    if q:
        rows = rows.filter(search_filter(q, via="person") | Q(number__icontains=q))
    if kind:
        rows = rows.filter(kind=kind)
    if person is not None:
        rows = rows.filter(person_id=person)
    if status and today is not None:
        lapsed_before = _first_issue_reaching(today, validity)
        warn_until = add_months(today, window)
        long_valid_from = _first_issue_reaching(warn_until + timedelta(days=1), validity)
        rows = rows.filter(kind=CourseKind.AWARENESS)
        if status == Validity.EXPIRED:
            rows = rows.filter(issued_on__lt=lapsed_before)
        elif status == Validity.EXPIRING:
            rows = rows.filter(issued_on__gte=lapsed_before, issued_on__lt=long_valid_from)
        elif status == Validity.VALID:
            rows = rows.filter(issued_on__gte=long_valid_from)
    return rows


def certificate_candidate(certificate: Certificate) -> Candidate | None:
    return certificate.enrolment.candidate


def blocking(course: Course) -> list[str]:
    """Learners whose file can no longer take the course's certificate: a candidacy that
    ended (withdrawn, rejected, admitted meanwhile) or a member no longer probationary.
    Closing refuses while any is still on the list (their enrolment is withdrawn first)."""
    problems = []
    rows = (
        Enrolment.objects.filter(course=course, result=Result.PENDING)
        .select_related("person", "candidate", "member")
        .order_by("person__sort_key", "pk")
    )
    for e in rows:
        name = e.person.full_name
        if course.kind == CourseKind.AWARENESS:
            c = e.candidate
            if c is None or c.stage not in (*AWARENESS_STAGES, *RETAKE_STAGES):
                label = Stage(c.stage).label if c else "không còn trong nguồn"
                problems.append(f"{name} ({str(label).lower()})")
        else:
            m = e.member
            if m is None or m.status != Status.PROBATIONARY:
                label = Status(m.status).label if m else "không còn là đảng viên"
                problems.append(f"{name} ({str(label).lower()})")
    return problems


def next_number(course: Course) -> int:
    """A first number to suggest when closing: one after the largest number the issuer
    has given for this kind (the leading digits of each number), or 1."""
    numbers = Certificate.objects.filter(issuer_id=course.organiser_id, kind=course.kind)
    best = 0
    for number in numbers.values_list("number", flat=True):
        digits = ""
        for ch in number:
            if not is_number(ch):
                break
            digits += ch
        if digits:
            best = max(best, int(digits))
    return best + 1
