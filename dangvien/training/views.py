"""Pages of the training area (URL names in ``urls.py``).

Every page fetches through ``queries.visible_courses`` / ``visible_certificates``:
anything outside the user's subtree is 404. Writes need committee staff of the course's
organiser (``queries.can_run_course``, 403 otherwise); a refused rule re-renders the page
with its Vietnamese message and answers 409.
"""

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangvien.auditlog.models import AccessKind
from dangvien.core import listexport
from dangvien.core.errors import DomainError
from dangvien.core.http import AuthedRequest
from dangvien.core.text import is_number
from dangvien.organisations.models import MEMBER_HOLDING
from dangvien.organisations.queries import visible_organisations
from dangvien.training import actions, queries
from dangvien.training.forms import (
    AttendanceForm,
    CloseForm,
    CourseForm,
    MarksForm,
    SessionForm,
    WithdrawForm,
)
from dangvien.training.models import Course, CourseKind, CourseStatus, Result
from dangvien.training.printing import certificate_pdf

PAGE_SIZE = 50
KIND_NAMES = {CourseKind.AWARENESS: "Nhận thức về Đảng", CourseKind.NEW_MEMBER: "Đảng viên mới"}
COURSE_COLUMNS = (
    listexport.Column("Tên lớp", lambda c: c.name, 36),
    listexport.Column("Loại lớp", lambda c: KIND_NAMES.get(c.kind, c.kind), 18),
    listexport.Column("Đơn vị tổ chức", lambda c: c.organiser.name, 30),
    listexport.Column("Cơ sở đào tạo", lambda c: c.organiser_name, 24),
    listexport.Column("Địa điểm", lambda c: c.venue, 20),
    listexport.Column("Từ ngày", lambda c: c.starts_on, 12),
    listexport.Column("Đến ngày", lambda c: c.ends_on, 12),
    listexport.Column("Buổi học", lambda c: c.session_count, 9),
    listexport.Column("Học viên", lambda c: c.learners, 9),
    listexport.Column("Hoàn thành", lambda c: c.passes if c.status == "closed" else None, 10),
    listexport.Column("Tình trạng", lambda c: c.get_status_display(), 12),
)
RACE = "Dữ liệu vừa bị thay đổi bởi một thao tác khác; vui lòng tải lại trang và thử lại."


def _course(request: AuthedRequest, pk: int) -> Course:
    return get_object_or_404(queries.visible_courses(request.user), pk=pk)


def _managed(request: AuthedRequest, pk: int) -> Course:
    """The course, if the user sees it (404) and is its committee's staff (403)."""
    course = _course(request, pk)
    if not queries.can_run_course(request.user, course):
        raise PermissionDenied
    return course


def _int(value: str) -> int | None:
    return int(value) if is_number(value) else None


# ---- courses ---------------------------------------------------------------------------


@login_required
def course_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    organisation = None
    if _int(request.GET.get("organisation", "")):
        organisation = get_object_or_404(
            visible_organisations(user), pk=request.GET["organisation"]
        )
    kind = request.GET.get("kind", "")
    kind = kind if kind in CourseKind.values else ""
    status = request.GET.get("status", "")
    status = status if status in CourseStatus.values else ""
    year = _int(request.GET.get("year", ""))
    q = request.GET.get("q", "").strip()[:100]
    visible = queries.visible_courses(user)
    rows = queries.with_counts(
        queries.filter_courses(
            visible, kind=kind, status=status, year=year, organisation=organisation, q=q
        )
    )
    if export := listexport.requested(request):
        return listexport.respond(
            export,
            rows,
            COURSE_COLUMNS,
            request=request,
            title="Lớp bồi dưỡng",
            node=organisation,
            filters=[
                ("Tên lớp", q),
                ("Loại lớp", CourseKind(kind).label if kind else ""),
                ("Tình trạng", CourseStatus(status).label if status else ""),
                ("Năm", year),
            ],
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "nav": "training",
        "page": page,
        "kind": kind,
        "kinds": CourseKind.choices,
        "status": status,
        "statuses": CourseStatus.choices,
        "year": year,
        "years": queries.course_years(visible),
        "q": q,
        "organisation": organisation,
        "organisations": visible_organisations(user)
        .exclude(kind__in=MEMBER_HOLDING)
        .order_by("path")
        .only("pk", "name", "depth"),
        "may_create": bool(queries.organisers_for(user)),
    }
    template = "training/course_list.html#results" if request.htmx else "training/course_list.html"
    return render(request, template, context)


def _form_error(form: Any, error: DomainError) -> None:
    field = error.field if error.field in form.fields else None
    if error.field == "organiser_id":
        field = "organiser"
    form.add_error(field, str(error))


@login_required
def course_new(request: AuthedRequest) -> HttpResponse:
    organisers = queries.organisers_for(request.user)
    if not organisers:
        raise PermissionDenied
    kind = request.GET.get("kind", "")
    initial = {"kind": kind if kind in CourseKind.values else CourseKind.AWARENESS}
    form = CourseForm(request.POST or None, organisers=organisers, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                course = actions.create_course(by=request.user, **form.cleaned_data)
            except DomainError as error:
                _form_error(form, error)
                status = 409
            else:
                messages.success(request, f"Đã mở lớp “{course.name}”.")
                return redirect("training:course", course.pk)
        else:
            status = 400
    defaults = _defaults(organisers[0])
    context = {"nav": "training", "form": form, "defaults": defaults, "course": None}
    return render(request, "training/course_form.html", context, status=status)


def _defaults(organisation: Any) -> dict[str, Any]:
    from dangvien.core.rules import rule

    today = timezone.localdate()
    return {
        "pass_mark": rule("course.pass_mark", on=today, organisation=organisation),
        "min_attendance_percent": rule(
            "course.min_attendance_percent", on=today, organisation=organisation
        ),
    }


@login_required
def course_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    course = _managed(request, pk)
    if course.status == CourseStatus.CLOSED:
        messages.error(request, "Lớp đã kết thúc: không sửa được.")
        return redirect("training:course", course.pk)
    organisers = queries.organisers_for(request.user)
    if course.organiser not in organisers:
        organisers.insert(0, course.organiser)
    initial = {
        "kind": course.kind,
        "name": course.name,
        "organiser": course.organiser_id,
        "organiser_name": course.organiser_name,
        "starts_on": course.starts_on,
        "ends_on": course.ends_on,
        "venue": course.venue,
        "lecturers": course.lecturers,
        "pass_mark": course.pass_mark,
        "min_attendance_percent": course.min_attendance_percent,
    }
    form = CourseForm(request.POST or None, organisers=organisers, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.update_course(course, by=request.user, **form.cleaned_data)
            except DomainError as error:
                _form_error(form, error)
                status = 409
            else:
                messages.success(request, "Đã lưu thông tin lớp.")
                return redirect("training:course", course.pk)
        else:
            status = 400
    context = {
        "nav": "training",
        "form": form,
        "course": course,
        "defaults": _defaults(course.organiser),
    }
    return render(request, "training/course_form.html", context, status=status)


def _detail_context(request: AuthedRequest, course: Course, **extra: Any) -> dict[str, Any]:
    user = request.user
    manages = queries.can_run_course(user, course)
    rows = list(queries.enrolment_rows(course, user))
    standing = queries.standings(course, rows)
    for s in standing:
        s.unit = queries.unit_name(s.enrolment)  # type: ignore[attr-defined]
    active = [s for s in standing if s.enrolment.result != Result.WITHDRAWN]
    context = {
        "nav": "training",
        "course": course,
        "manages": manages,
        "sessions": list(queries.sessions_of(course)),
        "standing": standing,
        "counts": {
            "learners": len(active),
            "passed": sum(s.enrolment.result == Result.PASSED for s in standing),
            "failed": sum(s.enrolment.result == Result.FAILED for s in standing),
            "withdrawn": len(standing) - len(active),
        },
        "lecturers": [line for line in course.lecturers.splitlines() if line],
        "session_form": SessionForm(initial={"held_on": _session_day(course)}),
        "withdraw_form": WithdrawForm(),
        "blocked": queries.blocking(course) if manages and course.status != "closed" else [],
        "today": timezone.localdate(),
    }
    context.update(extra)
    return context


def _session_day(course: Course) -> date:
    today = timezone.localdate()
    return min(max(today, course.starts_on), course.ends_on)


@login_required
def course_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    course = _course(request, pk)
    return render(request, "training/course_detail.html", _detail_context(request, course))


@login_required
@require_POST
def session_add(request: AuthedRequest, pk: int) -> HttpResponse:
    course = _managed(request, pk)
    form = SessionForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            session = actions.add_session(course, by=request.user, **form.cleaned_data)
        except DomainError as error:
            _form_error(form, error)
            status = 409
        else:
            messages.success(request, f"Đã thêm buổi học ngày {session.held_on:%d/%m/%Y}.")
            return redirect("training:course", course.pk)
    context = _detail_context(request, course, session_form=form, open_session=True)
    return render(request, "training/course_detail.html", context, status=status)


@login_required
@require_POST
def session_remove(request: AuthedRequest, pk: int, session_pk: int) -> HttpResponse:
    course = _managed(request, pk)
    session = get_object_or_404(course.sessions, pk=session_pk)
    try:
        actions.remove_session(session, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Đã xóa buổi học ngày {session.held_on:%d/%m/%Y}.")
    return redirect("training:course", course.pk)


@login_required
@require_POST
def course_start(request: AuthedRequest, pk: int) -> HttpResponse:
    course = _managed(request, pk)
    try:
        actions.start_course(course, by=request.user)
    except DomainError as error:
        context = _detail_context(request, course, error=str(error))
        return render(request, "training/course_detail.html", context, status=409)
    messages.success(request, "Lớp đã bắt đầu; học viên là quần chúng ưu tú chuyển sang đang học.")
    return redirect("training:course", course.pk)


@login_required
@require_POST
def enrolment_withdraw(request: AuthedRequest, pk: int, enrolment_pk: int) -> HttpResponse:
    course = _managed(request, pk)
    enrolment = get_object_or_404(course.enrolments.select_related("person"), pk=enrolment_pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        error = f"Cần ghi lý do thôi học của {enrolment.person.full_name}."
        context = _detail_context(request, course, error=error)
        return render(request, "training/course_detail.html", context, status=400)
    try:
        actions.withdraw_enrolment(enrolment, reason=form.cleaned_data["reason"], by=request.user)
    except DomainError as error:
        context = _detail_context(request, course, error=str(error))
        return render(request, "training/course_detail.html", context, status=409)
    messages.success(request, f"{enrolment.person.full_name} đã thôi học.")
    return redirect("training:course", course.pk)


# ---- enrolment -------------------------------------------------------------------------


@login_required
def enrol(request: AuthedRequest, pk: int) -> HttpResponse:
    """Pick many people at once from the organiser's area; refused ones keep their reason."""
    course = _managed(request, pk)
    today = timezone.localdate()
    source = request.POST if request.method == "POST" else request.GET
    q = source.get("q", "").strip()[:100]
    unit = None
    if _int(source.get("unit", "")):
        unit = get_object_or_404(visible_organisations(request.user), pk=source["unit"])
    outcomes: list[actions.Outcome] = []
    status = 200
    error = ""
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("pick") if is_number(v)]
        people = _picked(request, course, ids)
        if not people:
            error = "Chưa chọn người nào."
            status = 400
        else:
            try:
                outcomes = actions.enrol_many(course, people=people, by=request.user)
            except DomainError as exc:
                error, status = str(exc), 409
            else:
                done = sum(o.enrolled for o in outcomes)
                if done:
                    messages.success(request, f"Đã ghi danh {done} người.")
                if done == len(outcomes):
                    return redirect("training:course", course.pk)
                status = 200 if done else 409
        course.refresh_from_db()
    eligible: list[queries.Pick] = []
    refused: list[queries.Pick] = []
    if course.status != CourseStatus.CLOSED:
        eligible, refused = queries.pickable(course, request.user, today, q=q, unit=unit)
    units = (
        visible_organisations(request.user)
        .filter(path__startswith=course.org_path)
        .order_by("path")
        .only("pk", "name", "depth")
    )
    context = {
        "nav": "training",
        "course": course,
        "eligible": eligible,
        "refused": refused,
        "limit": queries.PICK_LIMIT,
        "q": q,
        "unit": unit,
        "units": units,
        "outcomes": outcomes,
        "refusals": [o for o in outcomes if not o.enrolled],
        "error": error,
    }
    template = (
        "training/enrol.html#picks"
        if request.htmx and request.method == "GET"
        else ("training/enrol.html")
    )
    return render(request, template, context, status=status)


def _picked(request: AuthedRequest, course: Course, ids: list[int]) -> list[Any]:
    """The picked candidates or members, among those the user sees (others are ignored:
    a hand-made id outside the scope must not reveal anything)."""
    from dangvien.candidates.queries import visible_candidates
    from dangvien.members.queries import visible_members

    found: dict[int, Any]
    if course.kind == CourseKind.AWARENESS:
        found = {c.pk: c for c in visible_candidates(request.user).filter(pk__in=ids)}
    else:
        found = {m.pk: m for m in visible_members(request.user).filter(pk__in=ids)}
    return [found[i] for i in dict.fromkeys(ids) if i in found]


# ---- attendance and marks --------------------------------------------------------------


def _learners(course: Course, user: Any) -> list[Any]:
    return list(queries.enrolment_rows(course, user).filter(result=Result.PENDING))


@login_required
def attendance(request: AuthedRequest, pk: int) -> HttpResponse:
    course = _managed(request, pk)
    today = timezone.localdate()
    sessions = list(queries.sessions_of(course))
    learners = _learners(course, request.user)
    form = AttendanceForm(
        request.POST or None,
        sessions=sessions,
        enrolments=learners,
        present=queries.attendance_map(course),
        today=today,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                changed = actions.record_attendance(course, cells=form.cells(), by=request.user)
            except DomainError as error:
                form.add_error(None, str(error))
                status = 409
            except IntegrityError:
                form.add_error(None, RACE)
                status = 409
            else:
                messages.success(request, f"Đã lưu điểm danh ({changed} ô thay đổi).")
                return redirect("training:attendance", course.pk)
        else:
            status = 400
    context = {
        "nav": "training",
        "course": course,
        "form": form,
        "sessions": sessions,
        "today": today,
        "editable": course.status == CourseStatus.RUNNING,
    }
    return render(request, "training/attendance.html", context, status=status)


@login_required
def marks(request: AuthedRequest, pk: int) -> HttpResponse:
    course = _managed(request, pk)
    learners = _learners(course, request.user)
    standing = {s.enrolment.pk: s for s in queries.standings(course, learners)}
    form = MarksForm(request.POST or None, enrolments=learners)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                changed = actions.record_marks(course, marks=form.marks(), by=request.user)
            except DomainError as error:
                form.add_error(None, str(error))
                status = 409
            else:
                messages.success(request, f"Đã lưu điểm ({changed} học viên thay đổi).")
                return redirect("training:marks", course.pk)
        else:
            status = 400
    rows = [(e, field, standing[e.pk]) for e, field in form.rows()]
    context = {
        "nav": "training",
        "course": course,
        "form": form,
        "rows": rows,
        "editable": course.status == CourseStatus.RUNNING,
    }
    return render(request, "training/marks.html", context, status=status)


# ---- closing ---------------------------------------------------------------------------


@login_required
def close(request: AuthedRequest, pk: int) -> HttpResponse:
    course = _managed(request, pk)
    form = CloseForm(request.POST or None, initial={"first_number": queries.next_number(course)})
    status = 200
    if request.method == "POST":
        if course.status != CourseStatus.RUNNING:
            form.is_valid()
            form.add_error(None, "Chỉ kết thúc được lớp đang học.")
            status = 409
        elif form.is_valid():
            try:
                closing = actions.close_course(course, by=request.user, **form.cleaned_data)
            except DomainError as error:
                _form_error(form, error)
                status = 409
            except IntegrityError:
                form.add_error(None, RACE)
                status = 409
            else:
                messages.success(
                    request,
                    f"Đã kết thúc lớp: {len(closing.passed)} hoàn thành, "
                    f"{len(closing.failed)} không đạt; đã cấp {len(closing.certificates)} "
                    "giấy chứng nhận.",
                )
                return redirect("training:course", course.pk)
        else:
            status = 400
    learners = _learners(course, request.user)
    standing = queries.standings(course, learners)
    context = {
        "nav": "training",
        "course": course,
        "form": form,
        "standing": standing,
        "passing": sum(s.would_pass for s in standing),
        "missing": [s for s in standing if s.attendance_ok and s.enrolment.mark is None],
        "blocked": queries.blocking(course),
        "sessions": course.sessions.count(),
    }
    return render(request, "training/close.html", context, status=status)


# ---- certificates ----------------------------------------------------------------------


@login_required
def certificate_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    validity, window = queries.validity_for(user, today)
    kind = request.GET.get("kind", "")
    kind = kind if kind in CourseKind.values else ""
    state = request.GET.get("status", "")
    state = state if state in queries.Validity.LABELS else ""
    q = request.GET.get("q", "").strip()[:100]
    rows = queries.filter_certificates(
        queries.visible_certificates(user),
        q=q,
        kind=kind,
        status=state,
        validity=validity,
        window=window,
        today=today,
    ).select_related("enrolment__candidate", "enrolment__member")
    if export := listexport.requested(request):
        return listexport.respond(
            export,
            rows,
            _certificate_columns(validity=validity, window=window, today=today),
            request=request,
            title="Giấy chứng nhận",
            filters=[
                ("Tên hoặc số giấy", q),
                ("Loại lớp", CourseKind(kind).label if kind else ""),
                ("Hiệu lực", queries.Validity.LABELS.get(state, "")),
            ],
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for c in page.object_list:
        _decorate(c, validity=validity, window=window, today=today)
    context = {
        "nav": "training",
        "page": page,
        "q": q,
        "kind": kind,
        "kinds": CourseKind.choices,
        "status": state,
        "statuses": list(queries.Validity.LABELS.items()),
        "validity": validity,
        "window": window,
    }
    template = (
        "training/certificate_list.html#results"
        if request.htmx
        else "training/certificate_list.html"
    )
    return render(request, template, context)


def _certificate_columns(*, validity: int, window: int, today: date) -> list[listexport.Column]:
    """The certificate list's export columns; the validity is computed per row as
    ``_decorate`` does for the page (awareness certificates only)."""
    from dangvien.core.dates import add_months

    def valid_until(c: Any) -> date | None:
        return add_months(c.issued_on, validity) if c.kind == CourseKind.AWARENESS else None

    def state(c: Any) -> str:
        if c.kind != CourseKind.AWARENESS:
            return "Không thời hạn"
        key = queries.certificate_status(c.issued_on, validity=validity, window=window, today=today)
        return queries.Validity.LABELS[key]

    return [
        listexport.Column("Số", lambda c: c.number, 14),
        listexport.Column("Họ và tên", lambda c: c.person.full_name, 28),
        listexport.Column("Ngày sinh", lambda c: c.person.birth_date, 12),
        listexport.Column("Loại lớp", lambda c: KIND_NAMES.get(c.kind, c.kind), 18),
        listexport.Column("Lớp", lambda c: c.enrolment.course.name, 36),
        listexport.Column("Đơn vị cấp", lambda c: c.issuer.name, 30),
        listexport.Column("Ngày cấp", lambda c: c.issued_on, 12),
        listexport.Column("Hiệu lực đến", valid_until, 12),
        listexport.Column("Hiệu lực", state, 14),
    ]


def _decorate(certificate: Any, *, validity: int, window: int, today: date) -> None:
    from dangvien.core.dates import add_months

    if certificate.kind == CourseKind.AWARENESS:
        certificate.valid_until = add_months(certificate.issued_on, validity)
        certificate.state = queries.certificate_status(
            certificate.issued_on, validity=validity, window=window, today=today
        )
        certificate.state_label = queries.Validity.LABELS[certificate.state]
    else:
        certificate.valid_until = certificate.state = certificate.state_label = None


def _certificate(request: AuthedRequest, pk: int) -> Any:
    return get_object_or_404(
        queries.visible_certificates(request.user).select_related(
            "enrolment__candidate__branch", "enrolment__member__branch"
        ),
        pk=pk,
    )


@login_required
def certificate_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    certificate = _certificate(request, pk)
    today = timezone.localdate()
    validity = queries.certificate_validity(certificate.issuer, today)
    window = queries.retake_window(certificate.issuer, today)
    _decorate(certificate, validity=validity, window=window, today=today)
    enrolment = certificate.enrolment
    context = {
        "nav": "training",
        "certificate": certificate,
        "course": enrolment.course,
        "enrolment": enrolment,
        "unit": queries.unit_name(enrolment),
        "validity": validity,
    }
    return render(request, "training/certificate_detail.html", context)


@login_required
def certificate_print(request: AuthedRequest, pk: int) -> HttpResponse:
    certificate = _certificate(request, pk)
    data = certificate_pdf(certificate, stamp=listexport.watermark(request.user))
    prefix = "CN-NTVĐ" if certificate.kind == CourseKind.AWARENESS else "CN-ĐVM"
    response = listexport.send(
        request,
        data,
        content_type="application/pdf",
        title=f"{prefix} {certificate.number}",
        fmt="pdf",
        org_path=certificate.issuer.path,
        kind=AccessKind.DOWNLOAD,
        person=certificate.person_id,
        inline=True,
    )
    return response
