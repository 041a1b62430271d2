"""Every write of the training area: courses, sessions, enrolments, attendance, marks and
the closing of a course with its certificates (DOMAIN.md §1, §3).

Each public action runs in one transaction (``@action``) and refuses with a Vietnamese
``DomainError``. The course row is locked (``select_for_update``) by every action that
changes a course's learners or results, so two staff working on one course queue. The
candidate's stage and the member's record are written only by their own actions
(``candidates.actions.start_awareness_course`` / ``certify``,
``members.actions.probation.record_new_member_course``).
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from dangvien.candidates import actions as candidate_actions
from dangvien.candidates.models import Candidate, Stage
from dangvien.core.actions import action
from dangvien.core.errors import Conflict, DomainError, NotEligible, StageNotAllowed
from dangvien.core.rules import rule
from dangvien.core.text import checked_text as _text
from dangvien.core.text import is_number, nfc
from dangvien.members.actions import probation
from dangvien.members.models import Member
from dangvien.organisations.models import MEMBER_HOLDING, Organisation
from dangvien.training import queries
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

TEN = Decimal(10)
CENT = Decimal("0.01")


def _today() -> date:
    return timezone.localdate()


def _user(by: Any) -> Any:
    return by if getattr(by, "pk", None) else None


def _lines(value: str) -> str:
    """Lecturers, one per line: each line NFC, blank lines dropped."""
    return "\n".join(nfc(line) for line in (value or "").splitlines() if nfc(line))


def _locked(course: Course, *statuses: str) -> Course:
    row = (
        Course.objects.select_for_update(of=("self",)).select_related("organiser").get(pk=course.pk)
    )
    if statuses and row.status not in statuses:
        raise StageNotAllowed(
            f"Lớp {CourseStatus(row.status).label.lower()}: không thể thực hiện thao tác này."
        )
    return row


def score(value: Any, *, field: str = "mark") -> Decimal:
    """A mark on the 10-point scale, two decimals, ROUND_HALF_UP (brief of issue 5)."""
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise NotEligible("Điểm phải là một số, ví dụ 7,5.", field=field) from None
    if not number.is_finite() or number < 0 or number > TEN:
        raise NotEligible("Điểm phải từ 0 đến 10.", field=field)
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def _check_organiser(organiser: Organisation) -> None:
    if organiser.kind in MEMBER_HOLDING:
        raise NotEligible(
            "Lớp bồi dưỡng do cấp ủy (trung tâm chính trị của cấp ủy) tổ chức, không do chi bộ.",
            field="organiser_id",
        )


def _check_dates(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise NotEligible("Ngày bế giảng phải sau ngày khai giảng.", field="ends_on")


def _check_rules(pass_mark: Decimal, min_attendance_percent: int) -> None:
    if not 0 < min_attendance_percent <= 100:
        raise NotEligible(
            "Tỷ lệ dự học tối thiểu phải từ 1 đến 100%.", field="min_attendance_percent"
        )
    if pass_mark <= 0:
        raise NotEligible("Điểm đạt phải lớn hơn 0.", field="pass_mark")


# ---- courses ---------------------------------------------------------------------------


@action
def create_course(
    *,
    kind: str,
    name: str,
    organiser: Organisation,
    starts_on: date,
    ends_on: date,
    by: Any,
    organiser_name: str = "",
    venue: str = "",
    lecturers: str = "",
    pass_mark: Any = None,
    min_attendance_percent: int | None = None,
) -> Course:
    """Open a course (planned). The organiser is a committee whose political centre runs
    it (QĐ 360; 154-HD/BTGTW). The pass mark and minimum attendance default to the rules
    ``course.pass_mark`` and ``course.min_attendance_percent`` in force at the start date
    for the organiser's area."""
    if kind not in CourseKind.values:
        raise NotEligible("Loại lớp không hợp lệ.", field="kind")
    _check_organiser(organiser)
    _check_dates(starts_on, ends_on)
    if pass_mark is None or pass_mark == "":
        pass_mark = rule("course.pass_mark", on=starts_on, organisation=organiser)
    mark = score(pass_mark, field="pass_mark")
    if min_attendance_percent is None:
        min_attendance_percent = int(
            rule("course.min_attendance_percent", on=starts_on, organisation=organiser)
        )
    _check_rules(mark, min_attendance_percent)
    return Course.objects.create(
        kind=kind,
        name=_text(name, what="tên lớp", field="name", max_length=200),
        organiser=organiser,
        org_path=organiser.path,
        organiser_name=_text(
            organiser_name,
            what="cơ sở đào tạo",
            field="organiser_name",
            max_length=200,
            required=False,
        ),
        starts_on=starts_on,
        ends_on=ends_on,
        venue=_text(venue, what="địa điểm", field="venue", max_length=250, required=False),
        lecturers=_lines(lecturers),
        pass_mark=mark,
        min_attendance_percent=min_attendance_percent,
        status=CourseStatus.PLANNED,
        created_by=_user(by),
    )


EDITABLE = (
    "name",
    "organiser",
    "organiser_name",
    "kind",
    "starts_on",
    "ends_on",
    "venue",
    "lecturers",
    "pass_mark",
    "min_attendance_percent",
)


@action
def update_course(course: Course, *, by: Any, **changes: Any) -> Course:
    """Correct a course before it closes. Kind and organiser are fixed once someone is
    enrolled (learners come from the organiser's area); the dates must still hold every
    session."""
    row = _locked(course, CourseStatus.PLANNED, CourseStatus.RUNNING)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise NotEligible(f"Không sửa được: {', '.join(sorted(unknown))}.")
    has_learners = row.enrolments.exists()
    if "kind" in changes and changes["kind"] != row.kind:
        if changes["kind"] not in CourseKind.values:
            raise NotEligible("Loại lớp không hợp lệ.", field="kind")
        if has_learners:
            raise Conflict("Lớp đã có học viên: không đổi được loại lớp.", field="kind")
        row.kind = changes["kind"]
    if "organiser" in changes and changes["organiser"].pk != row.organiser_id:
        organiser = changes["organiser"]
        _check_organiser(organiser)
        if has_learners:
            raise Conflict(
                "Lớp đã có học viên: không đổi được đơn vị tổ chức.", field="organiser_id"
            )
        row.organiser, row.org_path = organiser, organiser.path
    if "name" in changes:
        row.name = _text(changes["name"], what="tên lớp", field="name", max_length=200)
    if "organiser_name" in changes:
        row.organiser_name = _text(
            changes["organiser_name"],
            what="cơ sở đào tạo",
            field="organiser_name",
            max_length=200,
            required=False,
        )
    if "venue" in changes:
        row.venue = _text(
            changes["venue"], what="địa điểm", field="venue", max_length=250, required=False
        )
    if "lecturers" in changes:
        row.lecturers = _lines(changes["lecturers"])
    row.starts_on = changes.get("starts_on") or row.starts_on
    row.ends_on = changes.get("ends_on") or row.ends_on
    _check_dates(row.starts_on, row.ends_on)
    outside = row.sessions.exclude(held_on__gte=row.starts_on, held_on__lte=row.ends_on).first()
    if outside is not None:
        raise Conflict(
            f"Buổi học ngày {outside.held_on:%d/%m/%Y} nằm ngoài thời gian mới của lớp.",
            field="starts_on",
        )
    if row.status == CourseStatus.RUNNING and row.starts_on > _today():
        raise NotEligible("Lớp đang học: ngày khai giảng không thể sau hôm nay.", field="starts_on")
    if changes.get("pass_mark") not in (None, ""):
        row.pass_mark = score(changes["pass_mark"], field="pass_mark")
    if changes.get("min_attendance_percent") is not None:
        row.min_attendance_percent = int(changes["min_attendance_percent"])
    _check_rules(row.pass_mark, row.min_attendance_percent)
    row.save()
    course.refresh_from_db()
    return course


@action
def add_session(
    course: Course, *, held_on: date, topic: str, by: Any, lecturer: str = ""
) -> Session:
    """A teaching session (buổi học), within the course's dates."""
    row = _locked(course, CourseStatus.PLANNED, CourseStatus.RUNNING)
    if not row.starts_on <= held_on <= row.ends_on:
        raise NotEligible(
            f"Ngày học phải trong thời gian của lớp (từ {row.starts_on:%d/%m/%Y} "
            f"đến {row.ends_on:%d/%m/%Y}).",
            field="held_on",
        )
    return Session.objects.create(
        course=row,
        held_on=held_on,
        topic=_text(topic, what="chuyên đề", field="topic", max_length=250),
        lecturer=_text(
            lecturer, what="giảng viên", field="lecturer", max_length=120, required=False
        ),
    )


@action
def remove_session(session: Session, *, by: Any) -> None:
    """Remove a session entered by mistake; one with presences recorded stays (the
    attendance would be lost)."""
    _locked(session.course, CourseStatus.PLANNED, CourseStatus.RUNNING)
    if session.attendances.filter(present=True).exists():
        raise Conflict("Buổi học đã có điểm danh: không xóa được.")
    session.delete()


# ---- enrolment -------------------------------------------------------------------------


def _joined_on(course: Course) -> date:
    """The day a late joiner starts: today, within the course's dates."""
    return max(course.starts_on, min(_today(), course.ends_on))


def _join_awareness(course: Course, candidate: Candidate, *, started_on: date, by: Any) -> None:
    """A candidate of the pool on a course that has begun is now learning (stage
    candidate → in_awareness_course, QĐ 360; 154-HD/BTGTW)."""
    if course.status == CourseStatus.RUNNING and candidate.stage == Stage.CANDIDATE:
        candidate_actions.start_awareness_course(
            candidate, course_name=course.name, started_on=started_on, by=by
        )


def _enrol_one(course: Course, *, person: Any, refusal: str, by: Any) -> Enrolment:
    if refusal:
        raise NotEligible(refusal)
    existing = Enrolment.objects.filter(course=course, person=person.person).first()
    is_candidate = isinstance(person, Candidate)
    if existing is not None:  # withdrawn earlier: back on the list
        existing.result = Result.PENDING
        existing.note = ""
        existing.enrolled_on = _today()
        existing.by = _user(by)
        existing.org_path = person.org_path
        # The person may have been listed again since (a new candidacy): follow the live one.
        existing.candidate = person if is_candidate else None
        existing.member = None if is_candidate else person
        existing.save(
            update_fields=["result", "note", "enrolled_on", "by", "org_path", "candidate", "member"]
        )
        enrolment = existing
    else:
        enrolment = Enrolment.objects.create(
            course=course,
            person=person.person,
            candidate=person if is_candidate else None,
            member=None if is_candidate else person,
            org_path=person.org_path,
            enrolled_on=_today(),
            by=_user(by),
        )
    if is_candidate:
        _join_awareness(course, person, started_on=_joined_on(course), by=by)
    return enrolment


@dataclass
class Outcome:
    """One person's answer on a many-person enrolment."""

    pk: int  # the candidate's or member's id, as picked
    person_id: int
    full_name: str
    enrolment: Enrolment | None
    reason: str

    @property
    def enrolled(self) -> bool:
        return self.enrolment is not None


def _kind_check(course: Course, people: list[Any]) -> None:
    wanted = Candidate if course.kind == CourseKind.AWARENESS else Member
    if any(not isinstance(p, wanted) for p in people):
        if wanted is Candidate:
            raise NotEligible(
                "Lớp nhận thức về Đảng chỉ ghi danh quần chúng ưu tú.", field="candidate_ids"
            )
        raise NotEligible("Lớp đảng viên mới chỉ ghi danh đảng viên dự bị.", field="member_ids")


@action
def enrol_many(course: Course, *, people: list[Any], by: Any) -> list[Outcome]:
    """Enrol several people at once; each is refused alone with the reason, the others go
    on. Awareness course: candidates of the organiser's area in the pool, or certified ones
    whose certificate lapses before the branch can vote (HD 06 §5.4, retake). New-member
    course: probationary members without the certificate (294-QĐ/TW §4.2). A candidate
    joining a course that has begun moves to ``in_awareness_course``."""
    row = _locked(course, CourseStatus.PLANNED, CourseStatus.RUNNING)
    _kind_check(row, people)
    outcomes = []
    reasons = queries.refusals(row, people, _today())
    for person, refusal in zip(people, reasons, strict=True):
        try:
            with transaction.atomic():  # a savepoint: one refusal undoes only its own writes
                enrolment = _enrol_one(row, person=person, refusal=refusal, by=by)
        except DomainError as error:
            outcomes.append(
                Outcome(person.pk, person.person_id, person.person.full_name, None, str(error))
            )
        except IntegrityError:  # enrolled by someone else a moment ago
            outcomes.append(
                Outcome(
                    person.pk,
                    person.person_id,
                    person.person.full_name,
                    None,
                    f"{person.person.full_name} đã có trong danh sách lớp này.",
                )
            )
        else:
            outcomes.append(
                Outcome(person.pk, person.person_id, person.person.full_name, enrolment, "")
            )
    return outcomes


@action
def enrol(course: Course, *, person: Candidate | Member, by: Any) -> Enrolment:
    """Enrol one candidate or member; refused with the reason (see ``enrol_many``)."""
    row = _locked(course, CourseStatus.PLANNED, CourseStatus.RUNNING)
    _kind_check(row, [person])
    [refusal] = queries.refusals(row, [person], _today())
    return _enrol_one(row, person=person, refusal=refusal, by=by)


@action
def withdraw_enrolment(enrolment: Enrolment, *, reason: str, by: Any) -> Enrolment:
    """A learner leaves the course (thôi học) with the reason; the candidate's stage is not
    touched (they may join another course later)."""
    _locked(enrolment.course, CourseStatus.PLANNED, CourseStatus.RUNNING)
    row = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if row.result != Result.PENDING:
        raise StageNotAllowed(f"Học viên đã ở trạng thái “{Result(row.result).label.lower()}”.")
    row.result = Result.WITHDRAWN
    row.note = _text(reason, what="lý do thôi học", field="reason", max_length=250)
    row.by = _user(by)
    row.save(update_fields=["result", "note", "by"])
    enrolment.refresh_from_db()
    return enrolment


@action
def start_course(course: Course, *, by: Any) -> Course:
    """The course begins (planned → running): every candidate of the pool on it moves to
    ``in_awareness_course`` (candidates.actions.start_awareness_course). A learner whose
    candidacy has ended meanwhile is named and nothing is written until their enrolment
    is withdrawn."""
    row = _locked(course, CourseStatus.PLANNED)
    if row.starts_on > _today():
        raise NotEligible(
            f"Lớp khai giảng ngày {row.starts_on:%d/%m/%Y}: chưa thể bắt đầu.", field="starts_on"
        )
    blocked = queries.blocking(row)
    if blocked:
        raise StageNotAllowed(
            "Không thể bắt đầu lớp: " + "; ".join(blocked) + ". Hãy cho thôi học trước."
        )
    row.status = CourseStatus.RUNNING
    row.save(update_fields=["status"])
    if row.kind == CourseKind.AWARENESS:
        pending = (
            Enrolment.objects.filter(course=row, result=Result.PENDING)
            .select_related("candidate", "person")
            .order_by("person__sort_key", "pk")
        )
        for e in pending:
            if e.candidate is not None:
                try:
                    _join_awareness(row, e.candidate, started_on=row.starts_on, by=by)
                except DomainError as error:
                    raise type(error)(f"{e.person.full_name}: {error}") from error
    course.refresh_from_db()
    return course


# ---- attendance and marks --------------------------------------------------------------


def _pending_ids(course: Course) -> set[int]:
    return set(
        Enrolment.objects.filter(course=course, result=Result.PENDING).values_list("pk", flat=True)
    )


@action
def record_attendance(course: Course, *, cells: list[tuple[int, int, bool]], by: Any) -> int:
    """Attendance of a running course, many cells at once: ``(session_id, enrolment_id,
    present)``. Only learners still on the course; nobody is present at a session that
    has not been held yet. Answers how many cells changed."""
    row = _locked(course, CourseStatus.RUNNING)
    sessions = {s.pk: s for s in row.sessions.all()}
    pending = _pending_ids(row)
    today = _today()
    for session_id, enrolment_id, present in cells:
        if session_id not in sessions:
            raise NotEligible(f"Buổi học {session_id} không thuộc lớp này.", field="session_id")
        if enrolment_id not in pending:
            raise NotEligible(
                f"Học viên {enrolment_id} không còn trong danh sách lớp.", field="enrolment_id"
            )
        if present and sessions[session_id].held_on > today:
            raise NotEligible(
                f"Buổi học ngày {sessions[session_id].held_on:%d/%m/%Y} chưa diễn ra.",
                field="session_id",
            )
    existing = {
        (a.session_id, a.enrolment_id): a
        for a in Attendance.objects.filter(session__course=row, enrolment_id__in=pending)
    }
    new, changed = [], []
    for session_id, enrolment_id, present in _last_wins(cells):
        found = existing.get((session_id, enrolment_id))
        if found is None:
            new.append(
                Attendance(session_id=session_id, enrolment_id=enrolment_id, present=present)
            )
        elif found.present != present:
            found.present = present
            changed.append(found)
    Attendance.objects.bulk_create(new)
    Attendance.objects.bulk_update(changed, ["present"])
    return len(new) + len(changed)


def _last_wins(cells: list[tuple[int, int, bool]]) -> list[tuple[int, int, bool]]:
    """A cell named twice keeps its last value."""
    last: dict[tuple[int, int], bool] = {}
    for session_id, enrolment_id, present in cells:
        last[(session_id, enrolment_id)] = bool(present)
    return [(s, e, p) for (s, e), p in last.items()]


@action
def record_marks(course: Course, *, marks: dict[int, Any], by: Any) -> int:
    """Final marks (bài thu hoạch / kiểm tra) of a running course, ``enrolment id → mark``
    on the 10-point scale (two decimals, ROUND_HALF_UP); ``None`` clears a mark. Answers
    how many changed."""
    row = _locked(course, CourseStatus.RUNNING)
    pending = {e.pk: e for e in Enrolment.objects.filter(course=row, result=Result.PENDING)}
    changed = []
    for enrolment_id, value in marks.items():
        if enrolment_id not in pending:
            raise NotEligible(
                f"Học viên {enrolment_id} không còn trong danh sách lớp.", field="enrolment_id"
            )
        enrolment = pending[enrolment_id]
        mark = None if value is None or value == "" else score(value, field=f"mark_{enrolment_id}")
        if enrolment.mark != mark:
            enrolment.mark = mark
            changed.append(enrolment)
    Enrolment.objects.bulk_update(changed, ["mark"])
    return len(changed)


# ---- closing ---------------------------------------------------------------------------


def certificate_number(pattern: str, n: int, width: int = 0) -> str:
    """``{n}`` in the pattern replaced by the number (zero-padded to ``width``)."""
    return pattern.replace("{n}", str(n).zfill(width))


def _parse_first(first_number: Any) -> tuple[int, int]:
    text = str(first_number).strip()
    if not is_number(text) or int(text) <= 0:
        raise NotEligible(
            "Số bắt đầu phải là một số nguyên dương, ví dụ 125.", field="first_number"
        )
    return int(text), len(text) if text.startswith("0") else 0


@dataclass
class Closing:
    course: Course
    passed: list[Enrolment]
    failed: list[Enrolment]
    certificates: list[Certificate]


@action
def close_course(
    course: Course,
    *,
    first_number: Any,
    issued_on: date,
    by: Any,
    pattern: str = queries.DEFAULT_PATTERN,
) -> Closing:
    """Close a running course in one transaction: each learner passes with attendance at
    least the course's minimum and a mark at least its pass mark (``queries.passes``),
    otherwise fails. Each pass gets a certificate numbered from ``first_number`` in name
    order (``pattern`` with ``{n}``; unique per issuer and kind), dated ``issued_on``:
    mẫu CN-NTVĐ moves the candidate to ``certified`` (candidates.actions.certify, HD 06
    §5.4); the new-member certificate goes onto the member for recognition
    (members.actions.probation.record_new_member_course, 294-QĐ/TW §4.2).

    Refused, writing nothing, when a learner meeting the attendance has no mark, when a
    learner's candidacy ended or a member is no longer probationary (their enrolment is
    withdrawn first: a certificate cannot land on a closed file, and staff decide), or
    when a number is already used. A refusal from the candidate or member action names
    the person."""
    row = _locked(course, CourseStatus.RUNNING)
    pattern = nfc(pattern or queries.DEFAULT_PATTERN)
    if "{n}" not in pattern:
        raise NotEligible("Mẫu số phải có {n} ở chỗ số thứ tự, ví dụ {n}-CN/TTCT.", field="pattern")
    if len(certificate_number(pattern, 10**9)) > 50:
        raise NotEligible("Mẫu số quá dài.", field="pattern")
    start, width = _parse_first(first_number)
    today = _today()
    if issued_on > today:
        raise NotEligible("Ngày cấp giấy chứng nhận không thể sau hôm nay.", field="issued_on")
    sessions = list(row.sessions.all())
    if not sessions:
        raise StageNotAllowed("Lớp chưa có buổi học nào: chưa thể xét kết quả.")
    last_session = max(s.held_on for s in sessions)
    if issued_on < last_session:
        raise NotEligible(
            f"Ngày cấp phải từ buổi học cuối ({last_session:%d/%m/%Y}) trở đi.", field="issued_on"
        )
    blocked = queries.blocking(row)
    if blocked:
        raise StageNotAllowed(
            "Không thể kết thúc lớp: " + "; ".join(blocked) + ". Hãy cho thôi học trước."
        )
    rows = (
        Enrolment.objects.filter(course=row, result=Result.PENDING)
        .select_related("person", "candidate", "member")
        .annotate(attended=Count("attendances", filter=Q(attendances__present=True)))
        .order_by("person__sort_key", "pk")
    )
    standing = queries.standings(row, rows)
    missing = [
        s.enrolment.person.full_name
        for s in standing
        if s.attendance_ok and s.enrolment.mark is None
    ]
    if missing:
        raise NotEligible(
            "Chưa nhập điểm cho: " + ", ".join(missing) + " (hoặc cho thôi học).", field="marks"
        )
    passed = [s.enrolment for s in standing if s.would_pass]
    failed = [s.enrolment for s in standing if not s.would_pass]
    numbers = [certificate_number(pattern, start + i, width) for i in range(len(passed))]
    taken = (
        Certificate.objects.filter(issuer=row.organiser, kind=row.kind, number__in=numbers)
        .select_related("person")
        .first()
    )
    if taken is not None:
        raise Conflict(
            f"Số giấy chứng nhận {taken.number} đã cấp cho {taken.person.full_name} ngày "
            f"{taken.issued_on:%d/%m/%Y}: chọn số bắt đầu khác.",
            field="first_number",
        )
    certificates = []
    for enrolment, number in zip(passed, numbers, strict=True):
        certificates.append(_certify(row, enrolment, number=number, issued_on=issued_on, by=by))
    Enrolment.objects.filter(pk__in=[e.pk for e in passed]).update(result=Result.PASSED)
    Enrolment.objects.filter(pk__in=[e.pk for e in failed]).update(result=Result.FAILED)
    row.status = CourseStatus.CLOSED
    row.closed_on = issued_on
    row.save(update_fields=["status", "closed_on"])
    course.refresh_from_db()
    return Closing(course, passed, failed, certificates)


def _certify(
    course: Course, enrolment: Enrolment, *, number: str, issued_on: date, by: Any
) -> Certificate:
    try:
        with transaction.atomic():
            certificate = Certificate.objects.create(
                enrolment=enrolment,
                person=enrolment.person,
                kind=course.kind,
                number=number,
                issued_on=issued_on,
                issuer=course.organiser,
                org_path=enrolment.org_path,
                by=_user(by),
            )
    except IntegrityError:  # the same number taken by a course closed a moment ago
        raise Conflict(
            f"Số giấy chứng nhận {number} vừa được cấp ở lớp khác: chọn số bắt đầu khác.",
            field="first_number",
        ) from None
    try:
        if course.kind == CourseKind.AWARENESS:
            assert enrolment.candidate is not None
            candidate_actions.certify(
                enrolment.candidate, certificate_no=number, issued_on=issued_on, by=by
            )
        else:
            assert enrolment.member is not None
            probation.record_new_member_course(
                enrolment.member, certificate_no=number, issued_on=issued_on, by=by
            )
    except DomainError as error:
        raise type(error)(f"{enrolment.person.full_name}: {error}", field=error.field) from error
    return certificate
