"""Courses, enrolments and certificates over JSON (API.md "Later areas": ``/courses``,
``/courses/{id}/enrolments``, ``/certificates``), on the same actions and queries as the
pages (``dangvien.training``).

Every endpoint fetches within the user's scope (404 outside it); writes need committee
staff of the course's organiser (403 otherwise); a refused rule answers 409 and changes
nothing; malformed input answers 400.
"""

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from dangvien.accounts.models import User
from dangvien.api.auth import user_of
from dangvien.api.errors import ApiError, responses
from dangvien.api.schemas import Day, Page
from dangvien.candidates.queries import visible_candidates
from dangvien.core.dates import add_months
from dangvien.members.queries import visible_members
from dangvien.organisations.queries import visible_organisations
from dangvien.training import actions, queries
from dangvien.training.models import (
    Certificate,
    Course,
    CourseKind,
    CourseStatus,
    Enrolment,
    Result,
    Session,
)

router = Router(tags=["Bồi dưỡng"])

READ_ERRORS = responses(400, 401, 404)
WRITE_ERRORS = responses(400, 401, 403, 404, 409)


# ---- input -----------------------------------------------------------------------------


class CourseIn(Schema):
    kind: CourseKind = Field(
        description="`awareness`: lớp nhận thức về Đảng; `new_member`: lớp đảng viên mới"
    )
    name: str = Field(..., min_length=1, max_length=200)
    organiser_id: int = Field(description="Cấp ủy tổ chức lớp (không phải chi bộ)")
    organiser_name: str = Field("", max_length=200, description="Cơ sở đào tạo")
    starts_on: Day
    ends_on: Day
    venue: str = Field("", max_length=250)
    lecturers: str = Field("", max_length=2000, description="Mỗi dòng một người")
    pass_mark: Decimal | None = Field(
        None, ge=0, le=10, description="Mặc định theo quy định `course.pass_mark`"
    )
    min_attendance_percent: int | None = Field(
        None, ge=1, le=100, description="Mặc định theo quy định `course.min_attendance_percent`"
    )


class CoursePatch(Schema):
    kind: CourseKind | None = None
    name: str | None = Field(None, min_length=1, max_length=200)
    organiser_id: int | None = None
    organiser_name: str | None = Field(None, max_length=200)
    starts_on: Day | None = None
    ends_on: Day | None = None
    venue: str | None = Field(None, max_length=250)
    lecturers: str | None = Field(None, max_length=2000)
    pass_mark: Decimal | None = Field(None, ge=0, le=10)
    min_attendance_percent: int | None = Field(None, ge=1, le=100)


class SessionIn(Schema):
    held_on: Day
    topic: str = Field(..., min_length=1, max_length=250)
    lecturer: str = Field("", max_length=120)


class EnrolIn(Schema):
    candidate_ids: list[int] | None = Field(
        None, max_length=1000, description="Lớp nhận thức về Đảng: quần chúng ưu tú"
    )
    member_ids: list[int] | None = Field(
        None, max_length=1000, description="Lớp đảng viên mới: đảng viên dự bị"
    )


class WithdrawEnrolmentIn(Schema):
    reason: str = Field(..., min_length=1, max_length=250)


class AttendanceCell(Schema):
    session_id: int
    enrolment_id: int
    present: bool


class TrainingMarkIn(Schema):
    enrolment_id: int
    mark: Decimal | None = Field(
        None, ge=0, le=10, description="Thang 10, làm tròn 2 chữ số; null để xóa điểm"
    )


class CloseIn(Schema):
    first_number: int = Field(..., ge=1, le=10**9, description="Số của giấy chứng nhận đầu tiên")
    pattern: str = Field(
        queries.DEFAULT_PATTERN,
        min_length=3,
        max_length=50,
        description="Mẫu số, `{n}` là số thứ tự: `{n}-CN/TTCT` → `125-CN/TTCT`",
    )
    issued_on: Day


class CourseFilters(Page):
    kind: CourseKind | None = None
    status: CourseStatus | None = None
    year: int | None = Field(None, ge=1900, le=2200, description="Năm khai giảng")
    organisation: int | None = Field(None, description="Lớp do tổ chức này hoặc cấp dưới mở")
    q: str = Field("", max_length=200, description="Tên lớp")


class CertificateFilters(Page):
    person: int | None = Field(None, description="Id của nhân thân (person)")
    kind: CourseKind | None = None
    q: str = Field("", max_length=200, description="Tên (không phân biệt dấu) hoặc số giấy")
    status: Literal["valid", "expiring", "expired"] | None = Field(
        None,
        description="Hiệu lực giấy chứng nhận lớp nhận thức: còn hạn, sắp hết hạn, đã hết hạn",
    )


# ---- output ----------------------------------------------------------------------------


class SessionOut(Schema):
    id: int
    held_on: date
    topic: str
    lecturer: str


class CourseOut(Schema):
    id: int
    kind: CourseKind
    kind_label: str
    name: str
    organiser_id: int
    organiser: str
    organiser_name: str
    starts_on: date
    ends_on: date
    venue: str
    lecturers: list[str]
    pass_mark: float
    min_attendance_percent: int
    status: CourseStatus
    status_label: str
    closed_on: date | None
    sessions: list[SessionOut]
    learners: int = Field(description="Học viên (trừ người thôi học)")
    passed: int
    failed: int
    withdrawn: int
    can_manage: bool = Field(description="Người dùng được quản lý lớp này")


class CourseItem(Schema):
    id: int
    kind: CourseKind
    name: str
    organiser_id: int
    organiser: str
    starts_on: date
    ends_on: date
    status: CourseStatus
    learners: int
    passed: int
    sessions: int


class CoursePage(Schema):
    count: int
    items: list[CourseItem]


class PersonBrief(Schema):
    id: int
    full_name: str
    birth_date: date


class CertificateBrief(Schema):
    id: int
    number: str
    issued_on: date


class EnrolmentOut(Schema):
    id: int
    person: PersonBrief
    candidate_id: int | None
    member_id: int | None
    unit: str = Field(description="Chi bộ của học viên")
    stage: str | None = Field(description="Bước của quần chúng ưu tú (lớp nhận thức)")
    enrolled_on: date
    attended: int
    sessions: int
    attendance_percent: float | None
    present_session_ids: list[int]
    mark: float | None
    result: Result
    result_label: str
    note: str
    certificate: CertificateBrief | None


class EnrolmentPage(Schema):
    count: int
    items: list[EnrolmentOut]


class EnrolResult(Schema):
    candidate_id: int | None
    member_id: int | None
    person_id: int | None
    full_name: str | None
    enrolled: bool
    enrolment_id: int | None
    reason: str = Field(description="Lý do không ghi danh được (rỗng khi đã ghi danh)")


class EnrolOut(Schema):
    enrolled: int
    refused: int
    results: list[EnrolResult]


class CertificateOut(Schema):
    id: int
    number: str
    kind: CourseKind
    kind_label: str
    issued_on: date
    person: PersonBrief
    candidate_id: int | None
    member_id: int | None
    issuer_id: int
    issuer: str
    course_id: int
    course_name: str
    organiser_name: str
    mark: float | None
    valid_until: date | None = Field(description="Lớp nhận thức: ngày cấp + thời hạn hiệu lực")
    status: Literal["valid", "expiring", "expired"] | None


class CertificatePage(Schema):
    count: int
    items: list[CertificateOut]


class CloseOut(Schema):
    course: CourseOut
    passed: int
    failed: int
    certificates: list[CertificateOut]


# ---- helpers ---------------------------------------------------------------------------


def _course(request: HttpRequest, course_id: int) -> Course:
    return get_object_or_404(queries.visible_courses(user_of(request)), pk=course_id)


def _managed(request: HttpRequest, course_id: int) -> Course:
    course = _course(request, course_id)
    if not queries.can_run_course(user_of(request), course):
        raise ApiError(403, "Chỉ cán bộ cấp ủy tổ chức lớp được thực hiện thao tác này.")
    return course


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def course_out(course: Course, user: User) -> dict[str, Any]:
    results = list(course.enrolments.values_list("result", flat=True))
    return {
        "id": course.pk,
        "kind": course.kind,
        "kind_label": str(CourseKind(course.kind).label),
        "name": course.name,
        "organiser_id": course.organiser_id,
        "organiser": course.organiser.name,
        "organiser_name": course.organiser_name,
        "starts_on": course.starts_on,
        "ends_on": course.ends_on,
        "venue": course.venue,
        "lecturers": [line for line in course.lecturers.splitlines() if line],
        "pass_mark": float(course.pass_mark),
        "min_attendance_percent": course.min_attendance_percent,
        "status": course.status,
        "status_label": str(CourseStatus(course.status).label),
        "closed_on": course.closed_on,
        "sessions": [
            {"id": s.pk, "held_on": s.held_on, "topic": s.topic, "lecturer": s.lecturer}
            for s in queries.sessions_of(course)
        ],
        "learners": sum(r != Result.WITHDRAWN for r in results),
        "passed": results.count(Result.PASSED),
        "failed": results.count(Result.FAILED),
        "withdrawn": results.count(Result.WITHDRAWN),
        "can_manage": queries.can_run_course(user, course),
    }


def _answer_course(request: HttpRequest, course_id: int) -> dict[str, Any]:
    return course_out(_course(request, course_id), user_of(request))


def _person(person: Any) -> dict[str, Any]:
    return {"id": person.pk, "full_name": person.full_name, "birth_date": person.birth_date}


def _enrolments(
    course: Course, user: User, page: Page | None = None, only: int | None = None
) -> dict[str, Any]:
    rows = queries.enrolment_rows(course, user)
    if only is not None:
        rows = rows.filter(pk=only)
    count = rows.count()
    if page is not None:
        rows = rows[page.offset : page.offset + page.limit]
    rows_list = list(rows)
    present: dict[int, list[int]] = {}
    for (session_id, enrolment_id), ok in queries.attendance_map(course).items():
        if ok:
            present.setdefault(enrolment_id, []).append(session_id)
    items = []
    for s in queries.standings(course, rows_list):
        e = s.enrolment
        certificate = getattr(e, "certificate", None)
        items.append(
            {
                "id": e.pk,
                "person": _person(e.person),
                "candidate_id": e.candidate_id,
                "member_id": e.member_id,
                "unit": queries.unit_name(e),
                "stage": e.candidate.stage if e.candidate_id and e.candidate else None,
                "enrolled_on": e.enrolled_on,
                "attended": s.attended,
                "sessions": s.sessions,
                "attendance_percent": _float(s.percent),
                "present_session_ids": sorted(present.get(e.pk, [])),
                "mark": _float(e.mark),
                "result": e.result,
                "result_label": str(Result(e.result).label),
                "note": e.note,
                "certificate": (
                    {
                        "id": certificate.pk,
                        "number": certificate.number,
                        "issued_on": certificate.issued_on,
                    }
                    if certificate
                    else None
                ),
            }
        )
    return {"count": count, "items": items}


def certificate_out(certificate: Certificate, *, validity: int, window: int) -> dict[str, Any]:
    today = timezone.localdate()
    enrolment = certificate.enrolment
    awareness = certificate.kind == CourseKind.AWARENESS
    return {
        "id": certificate.pk,
        "number": certificate.number,
        "kind": certificate.kind,
        "kind_label": str(CourseKind(certificate.kind).label),
        "issued_on": certificate.issued_on,
        "person": _person(certificate.person),
        "candidate_id": enrolment.candidate_id,
        "member_id": enrolment.member_id,
        "issuer_id": certificate.issuer_id,
        "issuer": certificate.issuer.name,
        "course_id": enrolment.course_id,
        "course_name": enrolment.course.name,
        "organiser_name": enrolment.course.organiser_name,
        "mark": _float(enrolment.mark),
        "valid_until": add_months(certificate.issued_on, validity) if awareness else None,
        "status": (
            queries.certificate_status(
                certificate.issued_on, validity=validity, window=window, today=today
            )
            if awareness
            else None
        ),
    }


def _certificates(user: User) -> QuerySet[Certificate]:
    return queries.visible_certificates(user)


# ---- courses ---------------------------------------------------------------------------


@router.get("/courses", response={200: CoursePage, **READ_ERRORS}, url_name="courses")
def list_courses(request: HttpRequest, filters: Query[CourseFilters]) -> dict[str, Any]:
    """Courses organised in the user's subtree, and courses with people of it; newest
    first."""
    user = user_of(request)
    organisation = None
    if filters.organisation is not None:
        organisation = get_object_or_404(visible_organisations(user), pk=filters.organisation)
    rows = queries.with_counts(
        queries.filter_courses(
            queries.visible_courses(user),
            kind=filters.kind or "",
            status=filters.status or "",
            year=filters.year,
            organisation=organisation,
            q=filters.q.strip(),
        )
    )
    page = rows[filters.offset : filters.offset + filters.limit]
    return {
        "count": rows.count(),
        "items": [
            {
                "id": c.pk,
                "kind": c.kind,
                "name": c.name,
                "organiser_id": c.organiser_id,
                "organiser": c.organiser.name,
                "starts_on": c.starts_on,
                "ends_on": c.ends_on,
                "status": c.status,
                "learners": c.learners,  # type: ignore[attr-defined]
                "passed": c.passes,  # type: ignore[attr-defined]
                "sessions": c.session_count,  # type: ignore[attr-defined]
            }
            for c in page
        ],
    }


@router.post("/courses", response={201: CourseOut, **WRITE_ERRORS})
def create_course(request: HttpRequest, payload: CourseIn) -> Status[dict[str, Any]]:
    """Open a course (status `planned`). The organiser is a committee in the user's scope
    where the user is committee staff; the pass mark and minimum attendance default to the
    rules in force."""
    user = user_of(request)
    organiser = get_object_or_404(visible_organisations(user), pk=payload.organiser_id)
    if not queries.can_run(user, organiser.path):
        raise ApiError(403, "Bạn không phải cán bộ cấp ủy của đơn vị này.")
    course = actions.create_course(
        by=user, organiser=organiser, **payload.model_dump(exclude={"organiser_id"})
    )
    return Status(201, _answer_course(request, course.pk))


@router.get("/courses/{course_id}", response={200: CourseOut, **READ_ERRORS}, url_name="course")
def get_course(request: HttpRequest, course_id: int) -> dict[str, Any]:
    """One course with its sessions and counts."""
    return _answer_course(request, course_id)


@router.patch("/courses/{course_id}", response={200: CourseOut, **WRITE_ERRORS})
def update_course(request: HttpRequest, course_id: int, payload: CoursePatch) -> dict[str, Any]:
    """Correct a course before it closes; only the fields sent change. Kind and organiser
    are fixed once someone is enrolled."""
    user = user_of(request)
    course = _managed(request, course_id)
    changes = payload.model_dump(exclude_unset=True)
    for key in ("name", "kind", "starts_on", "ends_on"):
        if key in changes and changes[key] is None:
            raise ApiError(400, fields={key: "Không được để trống."})
    if "organiser_id" in changes:
        organiser_id = changes.pop("organiser_id")
        if organiser_id is None:
            raise ApiError(400, fields={"organiser_id": "Không được để trống."})
        organiser = get_object_or_404(visible_organisations(user), pk=organiser_id)
        if not queries.can_run(user, organiser.path):
            raise ApiError(403, "Bạn không phải cán bộ cấp ủy của đơn vị này.")
        changes["organiser"] = organiser
    for key in ("organiser_name", "venue", "lecturers"):
        if key in changes and changes[key] is None:
            changes[key] = ""
    actions.update_course(course, by=user, **changes)
    return _answer_course(request, course_id)


@router.post("/courses/{course_id}/sessions", response={201: SessionOut, **WRITE_ERRORS})
def add_session(request: HttpRequest, course_id: int, payload: SessionIn) -> Status[Session]:
    """Add a teaching session (buổi học) within the course's dates."""
    course = _managed(request, course_id)
    session = actions.add_session(course, by=user_of(request), **payload.model_dump())
    return Status(201, session)


@router.post("/courses/{course_id}/start", response={200: CourseOut, **WRITE_ERRORS})
def start_course(request: HttpRequest, course_id: int) -> dict[str, Any]:
    """Begin a planned course: every candidate of the pool on it moves to
    `in_awareness_course`. Refused (409) while a learner's candidacy has ended."""
    course = _managed(request, course_id)
    actions.start_course(course, by=user_of(request))
    return _answer_course(request, course_id)


# ---- enrolments ------------------------------------------------------------------------


@router.get(
    "/courses/{course_id}/enrolments",
    response={200: EnrolmentPage, **READ_ERRORS},
    url_name="course-enrolments",
)
def list_enrolments(request: HttpRequest, course_id: int, page: Query[Page]) -> dict[str, Any]:
    """The course's learners in name order, with attendance, mark, result and certificate.
    A user who does not run the course sees only the people of their own subtree."""
    course = _course(request, course_id)
    return _enrolments(course, user_of(request), page)


@router.post("/courses/{course_id}/enrolments", response={200: EnrolOut, **WRITE_ERRORS})
def enrol(request: HttpRequest, course_id: int, payload: EnrolIn) -> dict[str, Any]:
    """Enrol many people at once: `candidate_ids` for an awareness course, `member_ids`
    for a new-member course. Each person is answered alone (`enrolled`, or `reason` in
    Vietnamese); the others go on. An id the user cannot see is refused as not found."""
    user = user_of(request)
    course = _managed(request, course_id)
    awareness = course.kind == CourseKind.AWARENESS
    wanted, other = (
        ("candidate_ids", "member_ids") if awareness else ("member_ids", "candidate_ids")
    )
    ids = getattr(payload, wanted)
    if getattr(payload, other):
        message = (
            "Lớp nhận thức về Đảng ghi danh quần chúng ưu tú (candidate_ids)."
            if awareness
            else "Lớp đảng viên mới ghi danh đảng viên dự bị (member_ids)."
        )
        raise ApiError(400, fields={other: message})
    if not ids:
        raise ApiError(400, fields={wanted: "Cần ít nhất một người."})
    ids = list(dict.fromkeys(ids))
    rows: Any = (visible_candidates(user) if awareness else visible_members(user)).filter(
        pk__in=ids
    )
    found = {p.pk: p for p in rows}
    people = [found[i] for i in ids if i in found]
    outcomes = (
        {o.pk: o for o in actions.enrol_many(course, people=people, by=user)} if people else {}
    )
    results = []
    for i in ids:
        key = "candidate_id" if awareness else "member_id"
        o = outcomes.get(i)
        if o is None:
            results.append(
                {
                    "candidate_id": None,
                    "member_id": None,
                    key: i,
                    "person_id": None,
                    "full_name": None,
                    "enrolled": False,
                    "enrolment_id": None,
                    "reason": "Không tìm thấy (hoặc nằm ngoài phạm vi bạn quản lý).",
                }
            )
            continue
        results.append(
            {
                "candidate_id": None,
                "member_id": None,
                key: i,
                "person_id": o.person_id,
                "full_name": o.full_name,
                "enrolled": o.enrolled,
                "enrolment_id": o.enrolment.pk if o.enrolment else None,
                "reason": o.reason,
            }
        )
    done = sum(r["enrolled"] for r in results)
    return {"enrolled": done, "refused": len(results) - done, "results": results}


@router.post(
    "/courses/{course_id}/enrolments/{enrolment_id}/withdraw",
    response={200: EnrolmentOut, **WRITE_ERRORS},
)
def withdraw_enrolment(
    request: HttpRequest, course_id: int, enrolment_id: int, payload: WithdrawEnrolmentIn
) -> dict[str, Any]:
    """A learner leaves the course (thôi học), with the reason. The candidate's stage does
    not change."""
    user = user_of(request)
    course = _managed(request, course_id)
    enrolment = get_object_or_404(Enrolment.objects.filter(course=course), pk=enrolment_id)
    actions.withdraw_enrolment(enrolment, reason=payload.reason, by=user)
    return _enrolments(course, user, only=enrolment_id)["items"][0]


@router.put("/courses/{course_id}/attendance", response={200: EnrolmentPage, **WRITE_ERRORS})
def record_attendance(
    request: HttpRequest, course_id: int, payload: list[AttendanceCell]
) -> dict[str, Any]:
    """Attendance of a running course: the cells sent are written (others stay). Nobody
    is present at a session not yet held. Answers the learners with their attendance."""
    user = user_of(request)
    course = _managed(request, course_id)
    cells = [(c.session_id, c.enrolment_id, c.present) for c in payload]
    actions.record_attendance(course, cells=cells, by=user)
    return _enrolments(course, user)


@router.put("/courses/{course_id}/marks", response={200: EnrolmentPage, **WRITE_ERRORS})
def record_marks(
    request: HttpRequest, course_id: int, payload: list[TrainingMarkIn]
) -> dict[str, Any]:
    """Final marks of a running course on the 10-point scale (two decimals, half up);
    `null` clears a mark. Answers the learners."""
    user = user_of(request)
    course = _managed(request, course_id)
    actions.record_marks(course, marks={m.enrolment_id: m.mark for m in payload}, by=user)
    return _enrolments(course, user)


@router.post("/courses/{course_id}/close", response={200: CloseOut, **WRITE_ERRORS})
def close_course(request: HttpRequest, course_id: int, payload: CloseIn) -> dict[str, Any]:
    """Close a running course in one transaction: pass = attendance ≥ the minimum and mark
    ≥ the pass mark. Each pass gets a certificate numbered from `first_number` in name
    order; an awareness certificate moves the candidate to `certified`, a new-member
    certificate is written onto the member. Refused (409), writing nothing, when a mark is
    missing, a learner's file has closed meanwhile, or a number is already used."""
    user = user_of(request)
    course = _managed(request, course_id)
    closing = actions.close_course(
        course,
        first_number=payload.first_number,
        pattern=payload.pattern,
        issued_on=payload.issued_on,
        by=user,
    )
    validity, window = queries.validity_for(user, timezone.localdate())
    certificates = _certificates(user).filter(pk__in=[c.pk for c in closing.certificates])
    return {
        "course": _answer_course(request, course_id),
        "passed": len(closing.passed),
        "failed": len(closing.failed),
        "certificates": [
            certificate_out(c, validity=validity, window=window)
            for c in certificates.order_by("pk")
        ],
    }


# ---- certificates ----------------------------------------------------------------------


@router.get(
    "/certificates", response={200: CertificatePage, **READ_ERRORS}, url_name="certificates"
)
def list_certificates(request: HttpRequest, filters: Query[CertificateFilters]) -> dict[str, Any]:
    """Certificates of the people of the user's subtree and of the courses organised in
    it; `q` finds a name without diacritics or a number; `status` applies to awareness
    certificates (valid 60 months, HD 06 §5.4; "expiring" within
    `course.retake_window_months`)."""
    user = user_of(request)
    today = timezone.localdate()
    validity, window = queries.validity_for(user, today)
    rows = queries.filter_certificates(
        _certificates(user),
        q=filters.q.strip(),
        kind=filters.kind or "",
        status=filters.status or "",
        person=filters.person,
        validity=validity,
        window=window,
        today=today,
    )
    page = rows[filters.offset : filters.offset + filters.limit]
    return {
        "count": rows.count(),
        "items": [certificate_out(c, validity=validity, window=window) for c in page],
    }


@router.get(
    "/certificates/{certificate_id}",
    response={200: CertificateOut, **READ_ERRORS},
    url_name="certificate",
)
def get_certificate(request: HttpRequest, certificate_id: int) -> dict[str, Any]:
    """One certificate, with its validity for an awareness certificate (in force for the
    issuer's area)."""
    certificate = get_object_or_404(_certificates(user_of(request)), pk=certificate_id)
    today = timezone.localdate()
    validity = queries.certificate_validity(certificate.issuer, today)
    window = queries.retake_window(certificate.issuer, today)
    return certificate_out(certificate, validity=validity, window=window)
