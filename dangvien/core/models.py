from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """A government-announced change to the working calendar.

    The ``holidays`` library knows the statutory Vietnamese holidays (Tết included); each
    year the government also swaps days (a Saturday worked to bridge a holiday). Those
    announcements go here and win over the library.
    """

    day = models.DateField(_("ngày"), unique=True)
    is_working_day = models.BooleanField(_("là ngày làm việc"))
    note = models.CharField(_("ghi chú"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("ngày điều chỉnh lịch làm việc")
        verbose_name_plural = _("lịch làm việc điều chỉnh")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y}"


class RuleParameter(models.Model):
    """One version of a rule parameter (a threshold or deadline) from a date on.

    ``DOMAIN.md`` §0: the implementing regulations changed four times in five years, so
    every threshold is stored with the date it takes effect and the text that set it.
    ``organisation`` narrows a version to one subtree (for example one province's
    setting); empty means nationwide.
    """

    key = models.CharField(_("tham số"), max_length=80)
    value = models.JSONField(_("giá trị"))
    effective_from = models.DateField(_("hiệu lực từ"))
    organisation = models.ForeignKey(
        "organisations.Organisation",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="rule_parameters",
        verbose_name=_("áp dụng cho tổ chức"),
    )
    source = models.CharField(_("văn bản quy định"), max_length=200)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("tham số quy định")
        verbose_name_plural = _("tham số quy định")
        ordering = ["key", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "effective_from", "organisation"], name="uniq_rule_version"
            ),
            # NULLs are distinct in a unique index: nationwide versions need their own.
            models.UniqueConstraint(
                fields=["key", "effective_from"],
                condition=models.Q(organisation__isnull=True),
                name="uniq_national_rule_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} = {self.value} ({self.effective_from:%d/%m/%Y})"

    def clean(self) -> None:
        """A value of the wrong shape would break every vote: refuse it when entered."""
        from django.core.exceptions import ValidationError

        from dangvien.core.rules import value_problem

        problem = value_problem(self.key, self.value)
        if problem:
            raise ValidationError({"value": problem})


class AuditEvent(models.Model):
    """One row written by a database trigger for every insert, update and delete.

    Written by triggers (``core/audit.py``), not by Python, so bulk updates and raw SQL
    are recorded too. Append-only: guard triggers refuse UPDATE and DELETE, except the
    sealing (``seq`` and ``hash`` of a row not yet sealed) and the retention purge (sealed
    rows), each under an explicit maintenance mode (``audit.maintenance``).

    ``seq`` and ``hash`` are the row's place in the hash chain (``auditlog/chain.py``),
    filled by the sealing step a little after the row is committed; NULL until then.
    """

    table = models.CharField(max_length=80)
    row_id = models.CharField(max_length=40)
    op = models.CharField(max_length=1)  # I, U or D
    before = models.JSONField(null=True)
    after = models.JSONField(null=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.DO_NOTHING, null=True, db_constraint=False, db_index=False
    )
    at = models.DateTimeField(default=timezone.now)
    seq = models.BigIntegerField(null=True, unique=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, db_default="", editable=False)

    class Meta:
        verbose_name = _("nhật ký thay đổi")
        verbose_name_plural = _("nhật ký thay đổi")
        ordering = ["-id"]
        # The auditor's lists read newest first with keyset paging on (at, id), whatever
        # the filter: one index per filter that narrows a lot (issue 9, tens of millions of
        # rows). The partial index finds the rows the sealing step has not chained yet.
        indexes = [
            models.Index(fields=["at", "id"], name="auditevent_at_idx"),
            models.Index(fields=["actor", "at", "id"], name="auditevent_actor_idx"),
            models.Index(fields=["table", "row_id", "at", "id"], name="auditevent_row_idx"),
            models.Index(
                fields=["id"], condition=models.Q(seq__isnull=True), name="auditevent_unsealed_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.op} {self.table}#{self.row_id}"
