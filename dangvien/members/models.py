"""The member record from the ceremony to the end of party life (DOMAIN.md §3, §6, §7, §8).

One ``Member`` row per person; everything that happens to them leaves a ``StatusChange``
row (``what`` says which kind of event), so the member's page shows one timeline. The
detail tables (mentors, reports, proceedings and their votes, exemptions, transfers,
meetings, dues, badges, gaps) keep the facts each rule needs.
"""

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangvien.core.dates import add_months, full_years_between
from dangvien.core.votes import Body


class Status(models.TextChoices):
    PROBATIONARY = "probationary", _("Đảng viên dự bị")
    OFFICIAL = "official", _("Đảng viên chính thức")
    REMOVED = "removed", _("Đã xóa tên")
    EXPELLED = "expelled", _("Đã khai trừ")
    EXITED = "exited", _("Đã ra khỏi Đảng")
    DECEASED = "deceased", _("Đã từ trần")


ACTIVE_STATUSES = (Status.PROBATIONARY, Status.OFFICIAL)
LEFT_STATUSES = (Status.REMOVED, Status.EXPELLED, Status.EXITED)

PROBATION_MONTHS = 12  # Charter Art. 5: probation lasts 12 months from the ceremony.


class NeverReadmit(models.TextChoices):
    """Who may never be readmitted (294-QĐ/TW §3.5 [C])."""

    LEFT_MEETINGS = "left_meetings", _("Tự ý bỏ sinh hoạt đảng")
    ASKED_TO_LEAVE = "asked_to_leave", _("Xin ra khỏi Đảng (trừ hoàn cảnh gia đình đặc biệt)")
    DISUNITY = "disunity", _("Gây mất đoàn kết nghiêm trọng")
    CORRUPTION = "corruption", _("Bị kết án về tội tham nhũng")
    SERIOUS_CRIME = "serious_crime", _("Bị kết án về tội nghiêm trọng trở lên")


class Member(models.Model):
    person = models.OneToOneField("people.Person", models.PROTECT, related_name="member")
    # Indexed by member_branch_idx (branch, status), whose first column serves the
    # foreign key too.
    branch = models.ForeignKey(
        "organisations.Organisation",
        models.PROTECT,
        related_name="members",
        verbose_name=_("chi bộ"),
        db_index=False,
    )
    # The unit's path, copied (SCALE.md). LIKE 'prefix%' scope filters read
    # member_scope_idx (varchar_pattern_ops); member_path_idx serves equality and order.
    org_path = models.CharField(max_length=255, editable=False)
    # The person's folded name (``Person.search_text``), copied so a name search within a
    # province reads one index, (search_text, org_path), instead of joining millions of
    # people (issue 9, national scale). Set by ``save`` from the person; bulk writers
    # (imports, demo data, generate_nation) set it themselves. Names do not change after a
    # person is created: an import refuses a known citizen ID under another name.
    search_text = models.CharField(max_length=250, editable=False, default="")
    # The person's sort key (``Person.sort_key``), copied likewise: lists are ordered by
    # it, and a province's page of 50 is then read in order from one index of this table
    # instead of walking millions of people (issue 9, national scale). Set with
    # ``search_text``, by ``save`` and by the bulk writers.
    sort_key = models.CharField(max_length=300, editable=False, default="")
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status)
    # Admission: the decision date of the current membership; the first one stays in
    # first_admitted_on across a readmission (party age counts from it, DOMAIN.md §8).
    admitted_on = models.DateField(_("ngày quyết định kết nạp"), null=True, blank=True)
    admission_decision_no = models.CharField(_("số quyết định kết nạp"), max_length=50, blank=True)
    first_admitted_on = models.DateField(
        _("ngày quyết định kết nạp lần đầu"), null=True, blank=True
    )
    readmitted_on = models.DateField(_("ngày quyết định kết nạp lại"), null=True, blank=True)
    probation_started_on = models.DateField(_("ngày kết nạp (lễ)"), null=True, blank=True)
    official_on = models.DateField(_("ngày chính thức"), null=True, blank=True)
    # Recognition deadlines, set at the ceremony (294-QĐ/TW §4.2; QĐ 29 §4.3.1).
    recognition_vote_due_on = models.DateField(
        _("hạn chi bộ xét công nhận chính thức"), null=True, blank=True
    )
    new_member_course_no = models.CharField(
        _("số giấy chứng nhận lớp đảng viên mới"), max_length=50, blank=True
    )
    new_member_course_on = models.DateField(
        _("ngày cấp giấy chứng nhận lớp đảng viên mới"), null=True, blank=True
    )
    left_on = models.DateField(_("ngày ra khỏi Đảng / xóa tên / từ trần"), null=True, blank=True)
    never_readmit = models.CharField(
        _("không kết nạp lại"), max_length=20, choices=NeverReadmit, blank=True
    )
    card_number = models.CharField(_("số thẻ đảng viên"), max_length=20, blank=True)
    card_issued_on = models.DateField(_("ngày cấp thẻ"), null=True, blank=True)
    # Working far away (đi làm ăn xa): flagged and followed (seed 004; HD 01 §10.3).
    far_away_since = models.DateField(_("đi làm ăn xa từ"), null=True, blank=True)
    far_away_place = models.CharField(_("nơi làm ăn xa"), max_length=200, blank=True)
    far_away_contact_on = models.DateField(_("liên lạc gần nhất"), null=True, blank=True)

    class Meta:
        verbose_name = _("đảng viên")
        verbose_name_plural = _("đảng viên")
        indexes = [
            # varchar_pattern_ops: LIKE 'prefix%' (the scope filter) reads these indexes on
            # a database whose collation is not C (PostgreSQL manual, 11.10 "Operator
            # Classes"); other backends ignore opclasses.
            models.Index(
                fields=["org_path", "status"],
                name="member_scope_idx",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            # A name search reads each matching name within the scope (people.names):
            # the name first, for the exact match, then the path's range.
            models.Index(
                fields=["search_text", "org_path"],
                name="member_name_search_idx",
                opclasses=["varchar_ops", "varchar_pattern_ops"],
            ),
            # The lists' order (``visible_members``: name, then id), read from the index:
            # a province's first page of one status, or of all, is the first few
            # thousand entries, not a sort of its 100,000–380,000 rows (issue 9). The
            # path comes last (after the unique id it never changes the order), so the
            # ids of a page are read from the index alone, the scope filter included
            # (``core.paging.IdsFirst``). A key column rather than INCLUDE: SQLite has no
            # covering indexes.
            models.Index(
                fields=["status", "sort_key", "id", "org_path"], name="member_status_name_idx"
            ),
            models.Index(fields=["sort_key", "id", "org_path"], name="member_name_idx"),
            models.Index(fields=["branch", "status"], name="member_branch_idx"),
            models.Index(fields=["org_path"], name="member_path_idx"),
            models.Index(fields=["status", "probation_started_on"], name="member_probation_idx"),
            models.Index(
                fields=["first_admitted_on", "org_path"], name="member_first_admitted_idx"
            ),
            models.Index(fields=["readmitted_on", "org_path"], name="member_readmitted_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["card_number"], condition=~Q(card_number=""), name="member_card_unique"
            )
        ]

    def __str__(self) -> str:
        return str(self.person)

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A new row, or one whose person changes, copies the person's ``search_text``
        and ``sort_key``."""
        update_fields = kwargs.get("update_fields")
        if self._state.adding or (update_fields is not None and "person" in update_fields):
            self.search_text, self.sort_key = person_keys(self)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "search_text", "sort_key"}
        super().save(*args, **kwargs)

    @property
    def probation_ends_on(self) -> date | None:
        """End of the 12 months, counted from the ceremony (Charter Art. 5; DOMAIN.md §3)."""
        if self.probation_started_on is None:
            return None
        return add_months(self.probation_started_on, PROBATION_MONTHS)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def party_age_years(self, on: date | None = None, gap_days: int | None = None) -> int | None:
        """Party age in full years: from the first admission decision, minus the days spent
        outside party life, once official (Charter Art. 5.4; 24/294 §4.5; DOMAIN.md §8).

        ``gap_days`` may be passed when already known (lists); otherwise it is read.
        """
        start = self.first_admitted_on or self.admitted_on
        if self.status != Status.OFFICIAL or start is None:
            return None
        if gap_days is None:
            gap_days = sum(g.days for g in self.gaps.all())
        return full_years_between(start + timedelta(days=gap_days), on or timezone.localdate())


class Event(models.TextChoices):
    """What a timeline row records."""

    STATUS = "status", _("Thay đổi trạng thái")
    MENTOR = "mentor", _("Phân công đảng viên giúp đỡ")
    REPORT = "report", _("Nhận xét, tự kiểm điểm")
    COURSE = "course", _("Lớp bồi dưỡng đảng viên mới")
    VOTE = "vote", _("Biểu quyết, nghị quyết")
    DEADLINE = "deadline", _("Gia hạn")
    PROCEEDING = "proceeding", _("Xem xét xóa tên / ra khỏi Đảng")
    EXEMPTION = "exemption", _("Miễn công tác và sinh hoạt")
    TRANSFER = "transfer", _("Chuyển sinh hoạt đảng")
    FAR_AWAY = "far_away", _("Đi làm ăn xa")
    DUES = "dues", _("Đảng phí")
    BADGE = "badge", _("Huy hiệu Đảng")
    CARD = "card", _("Thẻ đảng viên")
    REVIEW = "review", _("Kiểm điểm, xếp loại chất lượng")
    SCREENING = "screening", _("Rà soát, sàng lọc")
    DISCIPLINE = "discipline", _("Kỷ luật")
    OTHER = "other", _("Khác")


class StatusChange(models.Model):
    """The member's timeline: every event, insert only. ``from_status == to_status`` for
    events that do not change the status."""

    member = models.ForeignKey(Member, models.PROTECT, related_name="changes")
    what = models.CharField(max_length=12, choices=Event, default=Event.STATUS)
    from_status = models.CharField(max_length=20, choices=Status, blank=True)
    to_status = models.CharField(max_length=20, choices=Status)
    on = models.DateField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["on", "at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"


# ---- probation -------------------------------------------------------------------------


class Mentorship(models.Model):
    """Đảng viên giúp đỡ: an official member of the same branch (seed practice; 12-HD/BTCTW)."""

    member = models.ForeignKey(Member, models.PROTECT, related_name="mentorships")
    mentor = models.ForeignKey(Member, models.PROTECT, related_name="mentoring")
    from_on = models.DateField(_("từ ngày"))
    until_on = models.DateField(_("đến ngày"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["from_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(until_on__isnull=True), name="one_current_mentor"
            )
        ]

    def __str__(self) -> str:
        return f"{self.mentor} → {self.member}"


class ReportKind(models.TextChoices):
    MENTOR = "mentor", _("Nhận xét của đảng viên giúp đỡ (mẫu 11-KNĐ)")
    SELF = "self", _("Tự kiểm điểm của đảng viên dự bị (mẫu 10-KNĐ)")


class Assessment(models.TextChoices):
    GOOD = "good", _("Tốt")
    FAIR = "fair", _("Khá")
    AVERAGE = "average", _("Trung bình")
    WEAK = "weak", _("Yếu")


class ProbationReport(models.Model):
    """A periodic report on a probationary member, by the mentor or by the member (seed 000:
    monthly by default; ``probation.report_interval_months`` per province)."""

    member = models.ForeignKey(Member, models.PROTECT, related_name="reports")
    kind = models.CharField(max_length=10, choices=ReportKind)
    period = models.DateField(_("kỳ (tháng)"))  # first day of the month it covers
    filed_on = models.DateField(_("ngày lập"))
    text = models.TextField(_("nội dung"))
    assessment = models.CharField(_("đánh giá"), max_length=10, choices=Assessment, blank=True)
    author = models.ForeignKey(
        Member, models.PROTECT, null=True, blank=True, related_name="reports_written"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["period", "kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "kind", "period"], name="one_report_a_period")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period:%m/%Y}"


# ---- proceedings: recognition, removal, exit --------------------------------------------


class ProceedingKind(models.TextChoices):
    RECOGNITION = "recognition", _("Công nhận đảng viên chính thức")
    REMOVAL = "removal", _("Xóa tên trong danh sách đảng viên")
    EXIT = "exit", _("Cho ra khỏi Đảng")


class Step(models.TextChoices):
    OPEN = "open", _("Đang xem xét")
    BRANCH_PROPOSED = "branch_proposed", _("Chi bộ đã đề nghị")
    GRASSROOTS_ENDORSED = "grassroots_endorsed", _("Đảng ủy cơ sở đã đề nghị")
    DECIDED = "decided", _("Đã quyết định")
    CLOSED = "closed", _("Đã đóng (không tiếp tục)")


class RemovalTrigger(models.TextChoices):
    """Grounds for xóa tên (Charter Art. 8; 24 §8.1; HD 01 §11.1; 01-QĐ/TW 2026)."""

    NOT_RECOGNISED = "not_recognised", _("Không đủ tư cách công nhận chính thức")
    MISSED_MEETINGS = "missed_meetings", _("Bỏ sinh hoạt đảng 3 tháng trong năm không lý do")
    UNPAID_DUES = "unpaid_dues", _("Không đóng đảng phí 3 tháng trong năm không lý do")
    RETURNED_CARD = "returned_card", _("Tự trả lại hoặc hủy thẻ đảng viên")
    LOST_COMMITMENT = "lost_commitment", _("Giảm sút ý chí, không tiến bộ sau 12 tháng giáo dục")
    FAILED_STANDARDS = "failed_standards", _("Không hoàn thành nhiệm vụ 2 năm liền")
    POLITICAL_STANDARD = "political_standard", _("Không bảo đảm tiêu chuẩn chính trị")


class Proceeding(models.Model):
    """A matter decided by the chi bộ's vote, (where one sits between) the grassroots đảng
    ủy's resolution, and the competent committee's decision: recognition as official,
    removal (xóa tên), or exit on request (DOMAIN.md §2–3)."""

    member = models.ForeignKey(Member, models.PROTECT, related_name="proceedings")
    kind = models.CharField(max_length=12, choices=ProceedingKind)
    step = models.CharField(max_length=20, choices=Step, default=Step.OPEN)
    opened_on = models.DateField()
    trigger = models.CharField(max_length=20, choices=RemovalTrigger, blank=True)
    reason = models.TextField(_("lý do"), blank=True)
    requested_on = models.DateField(_("ngày đơn"), null=True, blank=True)  # exit letter
    self_review_requests = models.PositiveSmallIntegerField(default=0)
    self_reviewed_on = models.DateField(_("ngày tự kiểm điểm"), null=True, blank=True)
    decision_due_on = models.DateField(null=True, blank=True)
    extended = models.BooleanField(default=False)
    extension_reason = models.TextField(blank=True)
    decision_no = models.CharField(_("số quyết định"), max_length=50, blank=True)
    decided_on = models.DateField(_("ngày quyết định"), null=True, blank=True)
    outcome = models.BooleanField(null=True)  # True: recognised / removed / allowed to exit
    late_reason = models.TextField(blank=True)
    complaint_until = models.DateField(_("hạn khiếu nại"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["opened_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "kind"],
                condition=Q(step__in=["open", "branch_proposed", "grassroots_endorsed"]),
                name="one_open_proceeding_a_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_step_display()})"

    @property
    def is_open(self) -> bool:
        return self.step in (Step.OPEN, Step.BRANCH_PROPOSED, Step.GRASSROOTS_ENDORSED)


class MemberVote(models.Model):
    """A body's vote on a proceeding with its count, recorded whether it passed or not."""

    proceeding = models.ForeignKey(Proceeding, models.PROTECT, related_name="votes")
    body = models.CharField(max_length=12, choices=Body)
    organisation = models.ForeignKey("organisations.Organisation", models.PROTECT)
    held_on = models.DateField(_("ngày họp"))
    in_favour = models.PositiveIntegerField(_("số tán thành"))
    against = models.PositiveIntegerField(_("số không tán thành"), default=0)
    denominator = models.PositiveIntegerField(_("tổng số tính tỷ lệ"))
    rule = models.JSONField()
    passed = models.BooleanField()
    resolution_no = models.CharField(_("số nghị quyết"), max_length=50, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"{self.body} {self.held_on:%d/%m/%Y}: {self.in_favour}/{self.denominator}"


# ---- gaps, exemptions, transfers ---------------------------------------------------------


class Gap(models.Model):
    """A period outside party life, subtracted from party age (DOMAIN.md §8): between
    leaving and readmission, lost contact, an unexplained gap in a transfer."""

    member = models.ForeignKey(Member, models.PROTECT, related_name="gaps")
    from_on = models.DateField()
    until_on = models.DateField()
    reason = models.CharField(max_length=200)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["from_on", "id"]

    def __str__(self) -> str:
        return f"{self.from_on:%d/%m/%Y}–{self.until_on:%d/%m/%Y}"

    @property
    def days(self) -> int:
        return max((self.until_on - self.from_on).days, 0)


class ExemptionReason(models.TextChoices):
    """Miễn công tác và sinh hoạt đảng (Charter Art. 7; 12-HD/BTCTW 2022 §IV.1.2 [R])."""

    OLD_AGE = "old_age", _("Tuổi cao")
    ILL_HEALTH = "ill_health", _("Sức khỏe yếu")
    LONG_TREATMENT = "long_treatment", _("Điều trị bệnh dài ngày")
    PRIVATE_ABROAD = "private_abroad", _("Ra nước ngoài việc riêng")
    MOBILE_WORK = "mobile_work", _("Làm việc lưu động, nơi không có tổ chức đảng")
    MATERNITY = "maternity", _("Nghỉ thai sản")


class Exemption(models.Model):
    member = models.ForeignKey(Member, models.PROTECT, related_name="exemptions")
    reason = models.CharField(_("lý do"), max_length=20, choices=ExemptionReason)
    from_on = models.DateField(_("từ ngày"))
    until_on = models.DateField(_("đến ngày"), null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["from_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} từ {self.from_on:%d/%m/%Y}"


class TransferKind(models.TextChoices):
    PERMANENT = "permanent", _("Chuyển sinh hoạt đảng chính thức")
    TEMPORARY = "temporary", _("Chuyển sinh hoạt đảng tạm thời")


class TransferState(models.TextChoices):
    IN_FLIGHT = "in_flight", _("Đang chuyển (chưa nộp giấy giới thiệu)")
    RECEIVED = "received", _("Đã tiếp nhận")
    RETURNED = "returned", _("Đã trở về nơi sinh hoạt chính thức")
    CANCELLED = "cancelled", _("Đã hủy")


class Transfer(models.Model):
    """Chuyển sinh hoạt đảng (294-QĐ/TW §6.3). The destination may be in the system
    (``to_organisation``) or outside it (``to_name`` only)."""

    member = models.ForeignKey(Member, models.PROTECT, related_name="transfers")
    kind = models.CharField(max_length=10, choices=TransferKind)
    state = models.CharField(max_length=10, choices=TransferState, default=TransferState.IN_FLIGHT)
    from_branch = models.ForeignKey(
        "organisations.Organisation", models.PROTECT, related_name="transfers_out"
    )
    to_organisation = models.ForeignKey(
        "organisations.Organisation",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers_in",
    )
    to_path = models.CharField(max_length=255, blank=True, db_index=True)
    to_name = models.CharField(_("nơi đến"), max_length=200, blank=True)
    for_study = models.BooleanField(_("đi học tập trung"), default=False)
    cause_on = models.DateField(_("ngày có quyết định / chuyển nơi ở"), null=True, blank=True)
    letter_no = models.CharField(_("số giấy giới thiệu"), max_length=50)
    issued_on = models.DateField(_("ngày cấp giấy giới thiệu"))
    present_by = models.DateField(_("hạn nộp giấy giới thiệu"))
    until_on = models.DateField(_("sinh hoạt tạm thời đến"), null=True, blank=True)
    received_on = models.DateField(_("ngày tiếp nhận"), null=True, blank=True)
    returned_on = models.DateField(_("ngày trở về"), null=True, blank=True)
    late_reason = models.TextField(_("lý do chậm"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["issued_on", "id"]
        indexes = [
            # The open transfers towards a scope (``visible_members`` reads them on every
            # member page): a few rows of this index instead of intersecting the open
            # transfers of the country with those towards the scope (10 ms → under 1 ms
            # for a province of the 6-million nation; issue 9).
            models.Index(
                fields=["to_path"],
                name="transfer_open_to_idx",
                opclasses=["varchar_pattern_ops"],
                condition=Q(state="in_flight") | Q(state="received", kind="temporary"),
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(state="in_flight") | Q(state="received", kind="temporary"),
                name="one_open_transfer",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.letter_no}"


# ---- meetings, study sessions, dues ------------------------------------------------------


class MeetingKind(models.TextChoices):
    REGULAR = "regular", _("Sinh hoạt chi bộ thường kỳ")
    THEMATIC = "thematic", _("Sinh hoạt chuyên đề")
    STUDY = "study", _("Học tập, quán triệt nghị quyết")


class Meeting(models.Model):
    """A branch meeting (monthly, Charter Art. 24) or a resolution-study session."""

    organisation = models.ForeignKey(
        "organisations.Organisation", models.PROTECT, related_name="meetings"
    )
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    kind = models.CharField(max_length=10, choices=MeetingKind)
    held_on = models.DateField(_("ngày họp"))
    topic = models.CharField(_("nội dung / nghị quyết"), max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on:%d/%m/%Y}"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="attendance")
    member = models.ForeignKey(Member, models.PROTECT, related_name="attendance")
    present = models.BooleanField(_("có mặt"))
    excused = models.BooleanField(_("vắng có lý do"), default=False)
    reason = models.CharField(_("lý do vắng"), max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="one_attendance_a_meeting")
        ]

    def __str__(self) -> str:
        return f"{self.member} {'có mặt' if self.present else 'vắng'}"


class DuesBasis(models.TextChoices):
    """What the monthly dues are computed from (01-QĐ/TW 2026 [C])."""

    INSURED_SALARY = "insured_salary", _("Tiền lương đóng BHXH (1%)")
    INSURANCE_BENEFIT = "insurance_benefit", _("Trợ cấp ốm đau, thai sản (1%)")
    PENSION = "pension", _("Lương hưu ngoài BHXH (0,5%)")
    STUDENT = "student", _("Học sinh, sinh viên (mức cố định)")
    OTHER_WORKING_AGE = (
        "other_working_age",
        _("Khác, dưới tuổi nghỉ hưu (theo lương tối thiểu vùng)"),
    )
    OTHER_RETIRED_AGE = "other_retired_age", _("Khác, từ tuổi nghỉ hưu (theo lương tối thiểu vùng)")


class DuesChannel(models.TextChoices):
    PORTAL = "portal", _("Cổng Dịch vụ công Quốc gia")
    CASH = "cash", _("Tiền mặt nộp chi bộ")


class DuesAccount(models.Model):
    """How a member's dues are computed from a month on; the latest row in force applies."""

    member = models.ForeignKey(Member, models.PROTECT, related_name="dues_accounts")
    from_month = models.DateField(_("từ tháng"))
    basis = models.CharField(_("căn cứ"), max_length=20, choices=DuesBasis)
    base_amount = models.PositiveBigIntegerField(_("lương / trợ cấp / lương hưu (đồng)"), default=0)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["from_month", "id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "from_month"], name="one_dues_basis_a_month")
        ]

    def __str__(self) -> str:
        return f"{self.get_basis_display()} từ {self.from_month:%m/%Y}"


class ReliefKind(models.TextChoices):
    EXEMPT = "exempt", _("Miễn đóng")
    REDUCED = "reduced", _("Giảm")


class DuesRelief(models.Model):
    """Exemption or reduction (30/50/70%) of dues, up to 12 months at a time (01-QĐ/TW)."""

    member = models.ForeignKey(Member, models.PROTECT, related_name="dues_reliefs")
    kind = models.CharField(max_length=10, choices=ReliefKind)
    percent = models.PositiveSmallIntegerField(_("mức giảm (%)"), default=100)
    from_month = models.DateField(_("từ tháng"))
    until_month = models.DateField(_("đến tháng"), null=True, blank=True)
    reason = models.CharField(_("lý do"), max_length=200)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["from_month", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.percent}% từ {self.from_month:%m/%Y}"


class DuesPayment(models.Model):
    """One member's dues for one month: what was due, on what basis, what was paid."""

    member = models.ForeignKey(Member, models.PROTECT, related_name="dues")
    month = models.DateField(_("tháng"))  # first day of the month
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    basis = models.CharField(max_length=20, choices=DuesBasis, blank=True)
    amount_due = models.PositiveBigIntegerField(_("phải nộp (đồng)"))
    amount_paid = models.PositiveBigIntegerField(_("đã nộp (đồng)"), default=0)
    paid_on = models.DateField(_("ngày nộp"), null=True, blank=True)
    channel = models.CharField(max_length=10, choices=DuesChannel, blank=True)
    excused = models.BooleanField(_("chưa nộp có lý do"), default=False)
    note = models.CharField(_("ghi chú"), max_length=200, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["month", "id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "month"], name="one_dues_row_a_month")
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.month:%m/%Y}: {self.amount_paid}/{self.amount_due}"


# ---- badges -----------------------------------------------------------------------------


class BadgeKind(models.TextChoices):
    REGULAR = "regular", _("Trao đúng hạn")
    EARLY_ILL = "early_ill", _("Trao sớm (ốm nặng)")
    POSTHUMOUS = "posthumous", _("Truy tặng")


class Badge(models.Model):
    """Huy hiệu Đảng (HD 01-HD/TW 2021 §18 [C])."""

    member = models.ForeignKey(Member, models.PROTECT, related_name="badges")
    years = models.PositiveSmallIntegerField(_("huy hiệu (năm tuổi đảng)"))
    kind = models.CharField(max_length=12, choices=BadgeKind, default=BadgeKind.REGULAR)
    awarded_on = models.DateField(_("ngày trao"))
    decision_no = models.CharField(_("số quyết định"), max_length=50)
    reissued_on = models.DateField(_("ngày cấp lại"), null=True, blank=True)
    returned_on = models.DateField(_("ngày thu hồi / nộp lại"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["years", "id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "years"], name="one_badge_a_milestone")
        ]

    def __str__(self) -> str:
        return f"Huy hiệu {self.years} năm tuổi Đảng"


def person_keys(member: Member) -> tuple[str, str]:
    """The folded name and the sort key of the member's person (the cached person when
    loaded)."""
    if Member.person.is_cached(member):
        return member.person.search_text, member.person.sort_key
    from dangvien.people.models import Person

    found = Person.objects.filter(pk=member.person_id).values_list("search_text", "sort_key")
    return next(iter(found), ("", ""))
