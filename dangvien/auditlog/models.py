"""Access log: who read or exported whose personal data (issue 9; Nghị định 13/2023), and
the state of the hash chains over it and over the audit trail of writes."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The "previous hash" of the first row of a chain.
GENESIS = "0" * 64


class AccessKind(models.TextChoices):
    VIEW = "view", _("Xem hồ sơ")
    EXPORT = "export", _("Xuất dữ liệu")
    DOWNLOAD = "download", _("Tải văn bản")
    API = "api", _("Đọc qua API")


class AccessEvent(models.Model):
    """One read or export of personal data. Append-only (guard triggers, as on the audit
    trail: ``core/audit.py``); written by ``log_access``; ``seq`` and ``hash`` are filled
    by the sealing step (``auditlog/chain.py``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.DO_NOTHING, null=True, db_constraint=False, db_index=False
    )
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=10, choices=AccessKind)
    # The person whose data was read, if it was one person; a list export has none.
    person = models.ForeignKey(
        "people.Person",
        models.DO_NOTHING,
        null=True,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    # Path of the organisation whose data it was (scopes the auditor's search).
    org_path = models.CharField(max_length=255, blank=True, db_index=True)
    what = models.CharField(max_length=200)  # "Hồ sơ quần chúng", "Danh sách đảng viên (xlsx)"
    path = models.CharField(max_length=500, blank=True)  # request path
    address = models.GenericIPAddressField(null=True)
    rows = models.PositiveIntegerField(null=True)  # exports: how many rows left
    seq = models.BigIntegerField(null=True, unique=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, db_default="", editable=False)

    class Meta:
        verbose_name = _("nhật ký truy cập")
        verbose_name_plural = _("nhật ký truy cập")
        ordering = ["-id"]
        # Newest first with keyset paging on (at, id) for each filter that narrows a lot;
        # the partial index finds the rows not sealed yet.
        indexes = [
            models.Index(fields=["at", "id"], name="access_at_idx"),
            models.Index(fields=["user", "at", "id"], name="access_user_idx"),
            models.Index(fields=["person", "at", "id"], name="access_person_at_idx"),
            models.Index(
                fields=["id"], condition=models.Q(seq__isnull=True), name="access_unsealed_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.what}"


class Log(models.TextChoices):
    AUDIT = "audit", _("Nhật ký thay đổi")
    ACCESS = "access", _("Nhật ký truy cập")


class Chain(models.Model):
    """The state of one log's hash chain: its head (the last sealed row), its anchor (the
    last row the retention purge deleted) and the outcome of the last full verification.

    Written only by ``auditlog.actions`` (sealing, purge, verification).
    """

    log = models.CharField(max_length=10, choices=Log, primary_key=True)
    head_seq = models.BigIntegerField(default=0)
    head_hash = models.CharField(max_length=64, default=GENESIS)
    sealed_at = models.DateTimeField(null=True)
    anchor_seq = models.BigIntegerField(default=0)
    anchor_hash = models.CharField(max_length=64, default=GENESIS)
    purged_at = models.DateTimeField(null=True)
    verified_at = models.DateTimeField(null=True)
    verified_seq = models.BigIntegerField(default=0)  # the last row the verification reached
    intact = models.BooleanField(null=True)  # None: never verified
    broken_seq = models.BigIntegerField(null=True)
    problem = models.TextField(blank=True)

    class Meta:
        verbose_name = _("chuỗi băm")
        verbose_name_plural = _("chuỗi băm")

    def __str__(self) -> str:
        return f"{self.log} #{self.head_seq}"
