"""Courses on the Party: the awareness course for candidates (lớp bồi dưỡng nhận thức về
Đảng, certificate CN-NTVĐ) and the political course for new members (lớp bồi dưỡng lý luận
chính trị cho đảng viên mới). DOMAIN.md §1 and §3.

A course is run by a political centre or an authorised committee (``organiser``) for the
people of its area; each enrolment keeps its attendance per session, its final mark and,
when passed, one certificate. A passed awareness course moves the candidate to
``certified`` (candidates.actions.certify); a new-member certificate is written onto the
member for recognition (members.actions.probation.record_new_member_course).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CourseKind(models.TextChoices):
    AWARENESS = "awareness", _("Bồi dưỡng nhận thức về Đảng")
    NEW_MEMBER = "new_member", _("Bồi dưỡng lý luận chính trị cho đảng viên mới")


class CourseStatus(models.TextChoices):
    PLANNED = "planned", _("Đang chuẩn bị")
    RUNNING = "running", _("Đang học")
    CLOSED = "closed", _("Đã kết thúc")


class Course(models.Model):
    kind = models.CharField(_("loại lớp"), max_length=20, choices=CourseKind)
    name = models.CharField(_("tên lớp"), max_length=200)
    # The committee whose area the course serves (a commune đảng bộ with its political
    # centre, or an authorised committee); enrolments come from under it.
    organiser = models.ForeignKey(
        "organisations.Organisation",
        models.PROTECT,
        related_name="courses",
        verbose_name=_("đơn vị tổ chức"),
    )
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    organiser_name = models.CharField(
        _("cơ sở đào tạo"),
        max_length=200,
        blank=True,
        help_text=_("Ví dụ: Trung tâm Chính trị phường Hạ Long."),
    )
    starts_on = models.DateField(_("ngày khai giảng"))
    ends_on = models.DateField(_("ngày bế giảng"))
    venue = models.CharField(_("địa điểm"), max_length=250, blank=True)
    lecturers = models.TextField(_("giảng viên"), blank=True, help_text=_("Mỗi dòng một người."))
    pass_mark = models.DecimalField(
        _("điểm đạt (thang 10)"), max_digits=4, decimal_places=2, default=5
    )
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("tỷ lệ dự học tối thiểu (%)"), default=80
    )
    status = models.CharField(
        _("tình trạng"), max_length=10, choices=CourseStatus, default=CourseStatus.PLANNED
    )
    closed_on = models.DateField(_("ngày kết thúc xét kết quả"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("lớp bồi dưỡng")
        verbose_name_plural = _("lớp bồi dưỡng")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="course_dates_order"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Session(models.Model):
    """One teaching session (buổi học); attendance is taken per session."""

    course = models.ForeignKey(Course, models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("ngày học"))
    topic = models.CharField(_("chuyên đề"), max_length=250)
    lecturer = models.CharField(_("giảng viên"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("buổi học")
        verbose_name_plural = _("buổi học")
        ordering = ["held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.held_on:%d/%m/%Y} – {self.topic}"


class Result(models.TextChoices):
    PENDING = "pending", _("Đang học")
    PASSED = "passed", _("Hoàn thành")
    FAILED = "failed", _("Không đạt")
    WITHDRAWN = "withdrawn", _("Thôi học")


class Enrolment(models.Model):
    """A person on a course: a candidate (awareness) or a probationary member (new member)."""

    course = models.ForeignKey(Course, models.PROTECT, related_name="enrolments")
    person = models.ForeignKey("people.Person", models.PROTECT, related_name="enrolments")
    candidate = models.ForeignKey(
        "candidates.Candidate", models.PROTECT, null=True, blank=True, related_name="enrolments"
    )
    member = models.ForeignKey(
        "members.Member", models.PROTECT, null=True, blank=True, related_name="enrolments"
    )
    # The person's unit path at enrolment, for the scope of who may see the row.
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    enrolled_on = models.DateField(_("ngày ghi danh"), default=timezone.localdate)
    mark = models.DecimalField(
        _("điểm bài thu hoạch / kiểm tra"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    result = models.CharField(_("kết quả"), max_length=10, choices=Result, default=Result.PENDING)
    note = models.CharField(_("ghi chú"), max_length=250, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)

    class Meta:
        verbose_name = _("học viên")
        verbose_name_plural = _("học viên")
        constraints = [
            models.UniqueConstraint(fields=["course", "person"], name="uniq_enrolment"),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.course}"


class Attendance(models.Model):
    session = models.ForeignKey(Session, models.CASCADE, related_name="attendances")
    enrolment = models.ForeignKey(Enrolment, models.CASCADE, related_name="attendances")
    present = models.BooleanField(_("có mặt"), default=True)

    class Meta:
        verbose_name = _("điểm danh")
        verbose_name_plural = _("điểm danh")
        constraints = [
            models.UniqueConstraint(fields=["session", "enrolment"], name="uniq_course_attendance"),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} – {self.session}"


class Certificate(models.Model):
    """Giấy chứng nhận: mẫu CN-NTVĐ for the awareness course (valid 60 months, HD 06 §5.4),
    or the new-member course certificate (recognition file, 294-QĐ/TW §4.2)."""

    enrolment = models.OneToOneField(Enrolment, models.PROTECT, related_name="certificate")
    person = models.ForeignKey("people.Person", models.PROTECT, related_name="certificates")
    kind = models.CharField(_("loại lớp"), max_length=20, choices=CourseKind)
    number = models.CharField(_("số giấy chứng nhận"), max_length=50)
    issued_on = models.DateField(_("ngày cấp"))
    issuer = models.ForeignKey(
        "organisations.Organisation", models.PROTECT, related_name="certificates_issued"
    )
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("giấy chứng nhận")
        verbose_name_plural = _("giấy chứng nhận")
        ordering = ["-issued_on", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "kind", "number"], name="uniq_certificate_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.issued_on:%d/%m/%Y})"
