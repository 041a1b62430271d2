"""Personal-data obligations (issue 9): the notice shown to a person, their consent, and
the requests they make about their data.

Sources: Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân (Điều 9 rights, Điều 11 consent,
Điều 12 withdrawal, Điều 13 notice, Điều 14–16 access, correction, deletion); Luật Bảo vệ
dữ liệu cá nhân 2025 [U] (in force 1/1/2026, same rights; its decrees not yet read).
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notice(models.Model):
    """The notice of processing (thông báo xử lý dữ liệu cá nhân, NĐ 13/2023 Điều 13): what
    is processed, why, by whom, for how long, and the person's rights. Versioned: a
    consent names the version the person was shown; a new text is a new row."""

    version = models.CharField(_("phiên bản"), max_length=20, unique=True)
    title = models.CharField(_("tiêu đề"), max_length=200)
    text = models.TextField(_("nội dung"))
    from_on = models.DateField(_("áp dụng từ ngày"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("thông báo xử lý dữ liệu cá nhân")
        verbose_name_plural = _("thông báo xử lý dữ liệu cá nhân")
        ordering = ["-from_on", "-id"]

    def __str__(self) -> str:
        return f"{self.title} (phiên bản {self.version})"


class ConsentMethod(models.TextChoices):
    """How the consent was expressed: in a form that can be printed or copied (NĐ 13/2023
    Điều 11 khoản 3, 4)."""

    PAPER = "paper", _("Ký phiếu đồng ý (bản giấy)")
    IN_PERSON = "in_person", _("Trực tiếp với chi bộ, có biên bản")


class Consent(models.Model):
    """A person's consent to the processing described by ``notice``, recorded by the chi bộ
    when their dossier opens; withdrawing it is recorded, never deleted (Điều 12)."""

    person = models.ForeignKey(
        "people.Person", models.PROTECT, related_name="consents", verbose_name=_("người")
    )
    notice = models.ForeignKey(
        Notice, models.PROTECT, related_name="consents", verbose_name=_("thông báo")
    )
    given_on = models.DateField(_("ngày đồng ý"))
    method = models.CharField(_("hình thức"), max_length=12, choices=ConsentMethod)
    # The chi bộ that recorded it: the scope of who sees it (and row-level security).
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("người ghi nhận"),
    )
    recorded_at = models.DateTimeField(_("ghi nhận lúc"), default=timezone.now)
    withdrawn_on = models.DateField(_("ngày rút lại"), null=True, blank=True)
    withdrawal_note = models.TextField(_("ghi chú khi rút lại"), blank=True)
    withdrawal_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người ghi nhận rút lại"),
    )

    class Meta:
        verbose_name = _("sự đồng ý xử lý dữ liệu cá nhân")
        verbose_name_plural = _("sự đồng ý xử lý dữ liệu cá nhân")
        ordering = ["-given_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=F("given_on")),
                name="consent_withdrawn_after_given",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.notice.version} – {self.given_on:%d/%m/%Y}"

    @property
    def active(self) -> bool:
        return self.withdrawn_on is None


class RequestKind(models.TextChoices):
    """The rights a person exercises by asking (NĐ 13/2023 Điều 9)."""

    ACCESS = "access", _("Xem, nhận bản sao dữ liệu")  # Điều 9 khoản 3, 7; Điều 14
    CORRECTION = "correction", _("Chỉnh sửa dữ liệu")  # Điều 9 khoản 3; Điều 15
    DELETION = "deletion", _("Xóa dữ liệu")  # Điều 9 khoản 5; Điều 16
    RESTRICTION = "restriction", _("Hạn chế xử lý")  # Điều 9 khoản 6
    OBJECTION = "objection", _("Phản đối xử lý")  # Điều 9 khoản 8
    WITHDRAWAL = "withdrawal", _("Rút lại sự đồng ý")  # Điều 9 khoản 4; Điều 12


class RequestState(models.TextChoices):
    RECEIVED = "received", _("Đã tiếp nhận")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    DONE = "done", _("Đã giải quyết")
    REFUSED = "refused", _("Từ chối")


OPEN_STATES = (RequestState.RECEIVED, RequestState.IN_PROGRESS)

# Every legal move; anything else is refused (privacy.actions).
NEXT_STATES: dict[str, set[str]] = {
    RequestState.RECEIVED: {RequestState.IN_PROGRESS, RequestState.DONE, RequestState.REFUSED},
    RequestState.IN_PROGRESS: {RequestState.DONE, RequestState.REFUSED},
    RequestState.DONE: set(),
    RequestState.REFUSED: set(),
}


class SubjectRequest(models.Model):
    """A request of a person about their data (yêu cầu của chủ thể dữ liệu), its deadline
    and its answer. Handling it does not delete anything by itself: correction goes
    through the person's page, and what the Party must keep is kept (the answer says so)."""

    person = models.ForeignKey(
        "people.Person", models.PROTECT, related_name="data_requests", verbose_name=_("người")
    )
    kind = models.CharField(_("loại yêu cầu"), max_length=12, choices=RequestKind)
    detail = models.TextField(_("nội dung yêu cầu"), blank=True)
    received_on = models.DateField(_("ngày tiếp nhận"))
    due_on = models.DateField(_("hạn trả lời"))
    state = models.CharField(
        _("trạng thái"), max_length=12, choices=RequestState, default=RequestState.RECEIVED
    )
    # The chi bộ the person belonged to when the request came: who sees and handles it.
    org_path = models.CharField(max_length=255, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("người tiếp nhận"),
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người xử lý"),
    )
    answered_on = models.DateField(_("ngày trả lời"), null=True, blank=True)
    answer = models.TextField(_("trả lời"), blank=True)

    class Meta:
        verbose_name = _("yêu cầu của chủ thể dữ liệu")
        verbose_name_plural = _("yêu cầu của chủ thể dữ liệu")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["org_path", "state", "due_on"], name="subject_request_scope_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=F("received_on")), name="subject_request_due_after"
            ),
            models.CheckConstraint(
                condition=~Q(state="refused") | ~Q(answer=""), name="subject_request_refusal_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.person}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def overdue(self, today: date | None = None) -> bool:
        return self.is_open and self.due_on < (today or timezone.localdate())
