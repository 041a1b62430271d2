"""Access log: who read or exported whose personal data (issue 9; Nghị định 13/2023)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccessKind(models.TextChoices):
    VIEW = "view", _("Xem hồ sơ")
    EXPORT = "export", _("Xuất dữ liệu")
    DOWNLOAD = "download", _("Tải văn bản")
    API = "api", _("Đọc qua API")


class AccessEvent(models.Model):
    """One read or export of personal data. Insert only; written by ``log_access``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.DO_NOTHING, null=True, db_constraint=False
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=10, choices=AccessKind)
    # The person whose data was read, if it was one person; a list export has none.
    person = models.ForeignKey(
        "people.Person", models.DO_NOTHING, null=True, db_constraint=False, related_name="+"
    )
    # Path of the organisation whose data it was (scopes the auditor's search).
    org_path = models.CharField(max_length=255, blank=True, db_index=True)
    what = models.CharField(max_length=200)  # "Hồ sơ quần chúng", "Danh sách đảng viên (xlsx)"
    path = models.CharField(max_length=500, blank=True)  # request path
    address = models.GenericIPAddressField(null=True)
    rows = models.PositiveIntegerField(null=True)  # exports: how many rows left

    class Meta:
        verbose_name = _("nhật ký truy cập")
        verbose_name_plural = _("nhật ký truy cập")
        ordering = ["-id"]
        indexes = [models.Index(fields=["person", "at"], name="access_person_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.what}"
