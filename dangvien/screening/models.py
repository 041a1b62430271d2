"""Screening (rà soát, sàng lọc) of members who may no longer qualify (Directive 28-CT/TW
2019; Hướng dẫn 02-HD/BTCTW 12/4/2021; DOMAIN.md §5).

One ``ScreeningCase`` per member each time the chi bộ considers them: the secret ballot
(counts only; individual votes are never stored), the helper and the help period, the
outcome, the committee's decision. Every move leaves a ``CaseChange`` row. Screening is
never a quota ("không vì chỉ tiêu, số lượng mà coi nhẹ chất lượng").
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    """DOMAIN.md §5: listed → helping → improved | proposed_removal | proposed_expulsion |
    exit_requested → decided; a ballot short of 2/3 leaves the case ``not_listed``."""

    NOT_LISTED = "not_listed", _("Không đủ 2/3 – không đưa vào diện giúp đỡ")
    LISTED = "listed", _("Đưa vào diện giáo dục, giúp đỡ")
    HELPING = "helping", _("Đang giáo dục, giúp đỡ")
    IMPROVED = "improved", _("Đã tiến bộ – đưa ra khỏi danh sách")
    PROPOSED_REMOVAL = "proposed_removal", _("Đề nghị xóa tên")
    PROPOSED_EXPULSION = "proposed_expulsion", _("Đề nghị khai trừ")
    EXIT_REQUESTED = "exit_requested", _("Xin ra khỏi Đảng")
    DECIDED = "decided", _("Cấp ủy đã quyết định")


OPEN_STATES = (
    State.LISTED,
    State.HELPING,
    State.PROPOSED_REMOVAL,
    State.PROPOSED_EXPULSION,
    State.EXIT_REQUESTED,
)

# Every legal move; anything else is refused (STYLE.md).
NEXT_STATES: dict[str, set[str]] = {
    State.NOT_LISTED: set(),
    State.LISTED: {State.HELPING},
    State.HELPING: {
        State.IMPROVED,
        State.PROPOSED_REMOVAL,
        State.PROPOSED_EXPULSION,
        State.EXIT_REQUESTED,
    },
    State.IMPROVED: set(),
    State.PROPOSED_REMOVAL: {State.DECIDED},
    State.PROPOSED_EXPULSION: {State.DECIDED},
    State.EXIT_REQUESTED: {State.DECIDED},
    State.DECIDED: set(),
}


class Criterion(models.TextChoices):
    """What the chi bộ found (02-HD/BTCTW §II.1 [C as groups; detailed list U])."""

    POLITICS = "politics", _("Suy thoái về tư tưởng chính trị")
    ETHICS = "ethics", _("Suy thoái về đạo đức, lối sống")
    SELF_EVOLUTION = "self_evolution", _("Biểu hiện “tự diễn biến”, “tự chuyển hóa”")
    DUTIES = "duties", _("Không thực hiện nhiệm vụ đảng viên")
    MEETINGS_DUES = "meetings_dues", _("Vi phạm quy định sinh hoạt đảng, đóng đảng phí")


class ScreeningCase(models.Model):
    member = models.ForeignKey("members.Member", models.PROTECT, related_name="screenings")
    branch = models.ForeignKey("organisations.Organisation", models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    state = models.CharField(_("trạng thái"), max_length=20, choices=State)
    criteria = models.JSONField(_("biểu hiện"), default=list)
    grounds = models.TextField(_("nhận xét, căn cứ"))
    # The secret ballot: counts only (02-HD/BTCTW §1 [C]).
    ballot_on = models.DateField(_("ngày bỏ phiếu kín"))
    ballot_in_favour = models.PositiveIntegerField(_("số phiếu đồng ý"))
    ballot_against = models.PositiveIntegerField(_("số phiếu không đồng ý"))
    ballot_invalid = models.PositiveIntegerField(_("số phiếu không hợp lệ"), default=0)
    ballot_denominator = models.PositiveIntegerField(_("số đảng viên tính tỷ lệ"))
    ballot_rule = models.JSONField()
    ballot_passed = models.BooleanField()
    resolution_no = models.CharField(_("số nghị quyết / biên bản"), max_length=50, blank=True)
    # Education and help.
    helper = models.ForeignKey(
        "members.Member", models.PROTECT, null=True, blank=True, related_name="screening_helped"
    )
    help_from = models.DateField(_("giúp đỡ từ ngày"), null=True, blank=True)
    help_until = models.DateField(_("giúp đỡ đến ngày"), null=True, blank=True)
    # Outcome and decision.
    outcome_on = models.DateField(_("ngày chi bộ kết luận"), null=True, blank=True)
    outcome_note = models.TextField(blank=True)
    proceeding = models.ForeignKey(
        "members.Proceeding", models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_no = models.CharField(_("số quyết định"), max_length=50, blank=True)
    decided_on = models.DateField(_("ngày quyết định"), null=True, blank=True)
    decision_upheld = models.BooleanField(null=True)  # True: removed / expelled / let go
    decision_note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("hồ sơ rà soát, sàng lọc")
        verbose_name_plural = _("hồ sơ rà soát, sàng lọc")
        ordering = ["-ballot_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(
                    state__in=[
                        "listed",
                        "helping",
                        "proposed_removal",
                        "proposed_expulsion",
                        "exit_requested",
                    ]
                ),
                name="one_open_screening_case",
            )
        ]
        indexes = [models.Index(fields=["org_path", "ballot_on"], name="screening_path_idx")]

    def __str__(self) -> str:
        return f"{self.member} ({self.get_state_display()})"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class CaseChange(models.Model):
    """A case's history: insert only."""

    case = models.ForeignKey(ScreeningCase, models.PROTECT, related_name="changes")
    from_state = models.CharField(max_length=20, choices=State, blank=True)
    to_state = models.CharField(max_length=20, choices=State)
    on = models.DateField()
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["on", "at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state or '—'} → {self.to_state}"
