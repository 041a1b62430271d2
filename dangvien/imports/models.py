"""Import jobs (issue 8): a file of members, candidates or organisations taken in through a
column mapping, a dry run and an all-or-nothing commit, both run as background tasks.

A job moves ``uploaded`` (columns read, mapping proposed) → ``queued`` → ``checking`` →
``checked`` (problems listed; commit allowed only when there are none) → ``committing`` →
``done``; ``failed`` when a task stops on an unexpected error. Changing the mapping sends a
checked job back to ``uploaded``: the dry run must be run again.

The file itself is kept under ``UPLOADS_DIR/imports`` (``core.uploads``), never in the web
root; the problems of the last dry run are rows of ``ImportProblem`` so the page and the API
can page through them.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    MEMBERS = "members", _("Đảng viên")
    CANDIDATES = "candidates", _("Quần chúng ưu tú")
    ORGANISATIONS = "organisations", _("Tổ chức đảng (cây tổ chức)")


class JobState(models.TextChoices):
    UPLOADED = "uploaded", _("Đã tải lên, chờ kiểm tra")
    QUEUED = "queued", _("Đang chờ kiểm tra")
    CHECKING = "checking", _("Đang kiểm tra")
    CHECKED = "checked", _("Đã kiểm tra")
    COMMIT_QUEUED = "commit_queued", _("Đang chờ ghi")
    COMMITTING = "committing", _("Đang ghi vào hệ thống")
    DONE = "done", _("Đã ghi xong")
    FAILED = "failed", _("Lỗi")


RUNNING = (JobState.QUEUED, JobState.CHECKING, JobState.COMMIT_QUEUED, JobState.COMMITTING)


class ImportJob(models.Model):
    kind = models.CharField(_("loại dữ liệu"), max_length=20, choices=ImportKind)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        models.PROTECT,
        related_name="import_jobs",
        verbose_name=_("nhập vào tổ chức"),
    )
    # The organisation's path, copied (SCALE.md): the scope filter of the jobs list, and
    # rewritten by ``move_organisation`` like every ``org_path``.
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    file_name = models.CharField(_("tên tệp"), max_length=255)
    stored_name = models.CharField(max_length=64, editable=False)
    file_format = models.CharField(max_length=4)  # "xlsx" or "csv"
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    headers = models.JSONField(default=list)  # the file's header row, as read
    # One field key per column ("" = column ignored), in the order of ``headers``.
    mapping = models.JSONField(default=list)
    state = models.CharField(
        _("trạng thái"), max_length=20, choices=JobState, default=JobState.UPLOADED
    )
    total_rows = models.PositiveIntegerField(_("số dòng"), default=0)
    error_rows = models.PositiveIntegerField(_("số dòng có lỗi"), default=0)
    error_count = models.PositiveIntegerField(_("số lỗi"), default=0)
    added = models.PositiveIntegerField(_("thêm mới"), default=0)
    updated = models.PositiveIntegerField(_("cập nhật"), default=0)
    unchanged = models.PositiveIntegerField(_("không đổi"), default=0)
    # What a dry run would do (the same counts, before the commit).
    planned_added = models.PositiveIntegerField(default=0)
    planned_updated = models.PositiveIntegerField(default=0)
    planned_unchanged = models.PositiveIntegerField(default=0)
    message = models.TextField(_("thông báo"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    checked_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("lượt nhập dữ liệu")
        verbose_name_plural = _("lượt nhập dữ liệu")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["org_path", "created_at"], name="import_scope_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.file_name}"

    @property
    def is_running(self) -> bool:
        return self.state in RUNNING


class ImportProblem(models.Model):
    """One problem the dry run found: the row number as the spreadsheet shows it (the
    header is row 1) and the column's header; row 0 for a problem of the whole file."""

    job = models.ForeignKey(ImportJob, models.CASCADE, related_name="problems")
    row = models.PositiveIntegerField()
    column = models.CharField(max_length=200, blank=True)
    message = models.TextField()

    class Meta:
        ordering = ["row", "id"]
        indexes = [models.Index(fields=["job", "row"], name="import_problem_idx")]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """ "Dòng 14, Ngày sinh: …" as the page and the API show it."""
        where = f"Dòng {self.row}" if self.row else "Tệp"
        if self.column:
            where += f", {self.column}"
        return f"{where}: {self.message}"
