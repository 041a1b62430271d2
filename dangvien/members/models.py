"""The member record. Issue 3 creates it at the admission ceremony; probation follow-up,
recognition, transfers and exits come with the member-lifecycle work."""

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangvien.core.dates import add_months, full_years_between


class Status(models.TextChoices):
    PROBATIONARY = "probationary", _("Đảng viên dự bị")
    OFFICIAL = "official", _("Đảng viên chính thức")
    REMOVED = "removed", _("Đã xóa tên")
    EXPELLED = "expelled", _("Đã khai trừ")
    EXITED = "exited", _("Đã ra khỏi Đảng")
    DECEASED = "deceased", _("Đã từ trần")


ACTIVE_STATUSES = (Status.PROBATIONARY, Status.OFFICIAL)

PROBATION_MONTHS = 12  # Charter Art. 5: probation lasts 12 months from the ceremony.


class Member(models.Model):
    person = models.OneToOneField("people.Person", models.PROTECT, related_name="member")
    branch = models.ForeignKey(
        "organisations.Organisation",
        models.PROTECT,
        related_name="members",
        verbose_name=_("chi bộ"),
    )
    # The unit's path, copied (SCALE.md). db_index also gives PostgreSQL its
    # varchar_pattern_ops "_like" index, which LIKE 'prefix%' scope filters need.
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status)
    admitted_on = models.DateField(_("ngày quyết định kết nạp"), null=True, blank=True)
    admission_decision_no = models.CharField(_("số quyết định kết nạp"), max_length=50, blank=True)
    probation_started_on = models.DateField(_("ngày kết nạp (lễ)"), null=True, blank=True)
    official_on = models.DateField(_("ngày chính thức"), null=True, blank=True)
    exempted_since = models.DateField(_("miễn công tác và sinh hoạt từ"), null=True, blank=True)
    temporarily_away_since = models.DateField(
        _("sinh hoạt tạm thời nơi khác từ"), null=True, blank=True
    )
    card_number = models.CharField(_("số thẻ đảng viên"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("đảng viên")
        verbose_name_plural = _("đảng viên")
        indexes = [
            models.Index(fields=["org_path", "status"], name="member_scope_idx"),
            models.Index(fields=["branch", "status"], name="member_branch_idx"),
        ]

    def __str__(self) -> str:
        return str(self.person)

    @property
    def probation_ends_on(self) -> date | None:
        """End of the 12 months, counted from the ceremony (Charter Art. 5; DOMAIN.md §3)."""
        if self.probation_started_on is None:
            return None
        return add_months(self.probation_started_on, PROBATION_MONTHS)

    def party_age_years(self, on: date | None = None) -> int | None:
        """Party age counts from the admission decision, once official (DOMAIN.md §8)."""
        if self.status != Status.OFFICIAL or self.admitted_on is None:
            return None
        return full_years_between(self.admitted_on, on or timezone.localdate())


class StatusChange(models.Model):
    """History of a member's status: insert only."""

    member = models.ForeignKey(Member, models.PROTECT, related_name="changes")
    from_status = models.CharField(max_length=20, choices=Status, blank=True)
    to_status = models.CharField(max_length=20, choices=Status)
    on = models.DateField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"
