"""Outgoing documents: the number register, numbered documents, signed scans and the
per-province replacement templates (issue 8; DOMAIN.md §10).

The forms themselves (codes, titles, who issues them, which dossier they belong to) are
code, in ``dangvien.documents.forms``; their default templates are files shipped with the
app (``dangvien/documents/forms/``). A province replaces a template by uploading a
``FormTemplate``; nothing here needs a code change.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Register(models.Model):
    """Sổ đăng ký văn bản đi of one issuing body: one row per series (QĐ, NQ, BC, GGT…)
    and committee term. Numbers run consecutively from 1 for each type of document within
    a committee term (36-HD/VPTW 2018 §II.1 [C]); ``last_number`` is the last one handed
    out, and the row is locked while the next one is taken, so no number is ever given
    twice (``dangvien.documents.actions.register``)."""

    organisation = models.ForeignKey(
        "organisations.Organisation", models.PROTECT, related_name="registers"
    )
    series = models.CharField(_("loại văn bản (viết tắt)"), max_length=10)
    term_from = models.DateField(_("nhiệm kỳ từ ngày"))
    last_number = models.PositiveIntegerField(_("số cuối đã cấp"), default=0)

    class Meta:
        verbose_name = _("sổ đăng ký văn bản đi")
        verbose_name_plural = _("sổ đăng ký văn bản đi")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "series", "term_from"], name="uniq_register"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.series} {self.term_from:%Y}"


class IssuedDocument(models.Model):
    """One number taken from a register: the outgoing document it was given to.

    ``form`` is a code of ``dangvien.documents.forms`` ("9-KNĐ"), or blank for a number
    taken for a document made outside the system. The subject is a candidate or a member;
    ``item`` tells several documents of one form apart for one subject (an introducer,
    a transfer, a proceeding, a month's report: ``"transfer:12"``)."""

    register = models.ForeignKey(Register, models.PROTECT, related_name="documents")
    number = models.PositiveIntegerField(_("số"))
    symbol = models.CharField(_("ký hiệu"), max_length=40)  # "QĐ/ĐU"
    form = models.CharField(_("mẫu"), max_length=20, blank=True)
    item = models.CharField(max_length=40, blank=True)
    candidate = models.ForeignKey(
        "candidates.Candidate",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="issued_documents",
    )
    member = models.ForeignKey(
        "members.Member", models.PROTECT, null=True, blank=True, related_name="issued_documents"
    )
    issued_on = models.DateField(_("ngày ban hành"))
    summary = models.CharField(_("trích yếu"), max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("văn bản đã cấp số")
        verbose_name_plural = _("văn bản đã cấp số")
        ordering = ["register", "number"]
        constraints = [
            models.UniqueConstraint(fields=["register", "number"], name="uniq_register_number"),
            models.UniqueConstraint(
                fields=["form", "item", "candidate"],
                condition=models.Q(candidate__isnull=False),
                name="one_number_per_candidate_form",
            ),
            models.UniqueConstraint(
                fields=["form", "item", "member"],
                condition=models.Q(member__isnull=False),
                name="one_number_per_member_form",
            ),
        ]

    def __str__(self) -> str:
        return self.number_text

    @property
    def number_text(self) -> str:
        """ "127-QĐ/ĐU": the number and symbol as printed after "Số" (36-HD/VPTW)."""
        return f"{self.number:02d}-{self.symbol}"


class Scan(models.Model):
    """A signed scan of one dossier document (PDF or JPEG), stored outside the web root
    under ``settings.UPLOADS_DIR / "scans" / stored_name`` and served only through a view
    that checks the subject is in the user's scope."""

    candidate = models.ForeignKey(
        "candidates.Candidate", models.PROTECT, null=True, blank=True, related_name="scans"
    )
    member = models.ForeignKey(
        "members.Member", models.PROTECT, null=True, blank=True, related_name="scans"
    )
    form = models.CharField(_("mẫu"), max_length=20)
    item = models.CharField(max_length=40, blank=True)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    stored_name = models.CharField(max_length=80, unique=True, editable=False)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(max_length=64)
    note = models.CharField(_("ghi chú"), max_length=200, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("bản quét hồ sơ")
        verbose_name_plural = _("bản quét hồ sơ")
        ordering = ["form", "item", "at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(candidate__isnull=False, member__isnull=True)
                | models.Q(candidate__isnull=True, member__isnull=False),
                name="scan_candidate_or_member",
            )
        ]

    def __str__(self) -> str:
        return f"{self.form} {self.original_name}"


class FormTemplate(models.Model):
    """A province's replacement for the default template of one form (issue 8: "templates
    are files an administrator can replace per province without code changes").

    ``province`` is a root of the organisation tree; every node under it uses this text
    instead of the shipped file. Deleting the row goes back to the default."""

    province = models.ForeignKey(
        "organisations.Organisation", models.PROTECT, related_name="form_templates"
    )
    form = models.CharField(_("mẫu"), max_length=20)
    text = models.TextField(_("nội dung mẫu"))
    original_name = models.CharField(_("tên tệp tải lên"), max_length=255, blank=True)
    note = models.CharField(_("ghi chú"), max_length=200, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("mẫu văn bản của tỉnh")
        verbose_name_plural = _("mẫu văn bản của tỉnh")
        constraints = [
            models.UniqueConstraint(fields=["province", "form"], name="uniq_form_template")
        ]

    def __str__(self) -> str:
        return f"{self.form} ({self.province})"
