"""Forms of the records area: input shape only; the rules live in actions/records.py."""

from typing import Any

from django import forms
from django.utils import timezone

from dangvien.candidates.forms import date_field
from dangvien.members.models import BadgeKind, Member, NeverReadmit, Status
from dangvien.members.queries.records import (
    BADGE_YEARS,
    due_step,
    next_award_day,
    party_age_months,
)

BADGE_CHOICES = [(str(years), f"{years} năm tuổi Đảng") for years in BADGE_YEARS]


class ReadmitForm(forms.Form):
    applied_on = date_field("Ngày làm đơn xin kết nạp lại")
    convicted = forms.BooleanField(
        label="Từng bị án hình sự về tội ít nghiêm trọng, đã được xóa án tích", required=False
    )
    conviction_cleared_on = date_field(
        "Ngày được xóa án tích",
        required=False,
        help_text="Phải sau ít nhất 60 tháng kể từ ngày này mới được làm đơn.",
    )
    consent_no = forms.CharField(
        label="Số văn bản đồng ý của Ban Thường vụ Tỉnh ủy, Thành ủy", max_length=50
    )
    consent_on = date_field("Ngày văn bản đồng ý")
    decision_no = forms.CharField(label="Số quyết định kết nạp lại", max_length=50)
    decided_on = date_field("Ngày quyết định kết nạp lại")
    ceremony_on = date_field("Ngày lễ kết nạp lại", help_text="Thời gian dự bị tính từ ngày này.")
    note = forms.CharField(
        label="Ghi chú", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=250
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("convicted") and not data.get("conviction_cleared_on"):
            self.add_error("conviction_cleared_on", "Cần ghi ngày được xóa án tích.")
        if not data.get("convicted"):
            data["conviction_cleared_on"] = None
        return data


class NeverReadmitForm(forms.Form):
    reason = forms.ChoiceField(
        label="Lý do không xem xét kết nạp lại", choices=NeverReadmit.choices
    )
    note = forms.CharField(
        label="Ghi chú", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=250
    )


class AwardBadgeForm(forms.Form):
    years = forms.TypedChoiceField(label="Huy hiệu", choices=BADGE_CHOICES, coerce=int)
    kind = forms.ChoiceField(label="Hình thức", choices=BadgeKind.choices)
    awarded_on = date_field("Ngày trao", help_text="3/2, 19/5, 2/9 hoặc 7/11.")
    occasion = forms.CharField(
        label="Dịp kỷ niệm khác",
        max_length=150,
        required=False,
        help_text="Chỉ khi trao vào ngày khác các dịp trên (Ban Thường vụ cấp tỉnh quyết định).",
    )
    decision_no = forms.CharField(label="Số quyết định", max_length=50)


class ReissueBadgeForm(forms.Form):
    years = forms.TypedChoiceField(label="Huy hiệu", choices=(), coerce=int)
    reissued_on = date_field("Ngày cấp lại")
    reason = forms.CharField(label="Lý do cấp lại", max_length=250)


class IssueCardForm(forms.Form):
    card_number = forms.CharField(
        label="Số thẻ đảng viên",
        max_length=20,
        help_text="Số in trên thẻ; quản lý riêng với số căn cước công dân.",
    )
    issued_on = date_field("Ngày cấp thẻ")


def readmit_form(member: Member, data: Any) -> forms.Form:
    return ReadmitForm(data)


def never_readmit_form(member: Member, data: Any) -> forms.Form:
    return NeverReadmitForm(data)


def award_badge_form(member: Member, data: Any) -> forms.Form:
    """Proposes the step the member is due at the next award day, if any."""
    today = timezone.localdate()
    award_day = next_award_day(today)
    initial: dict[str, Any] = {"awarded_on": award_day}
    if member.status == Status.DECEASED:
        initial["kind"] = BadgeKind.POSTHUMOUS
    if data is None:
        held = member.badges.order_by("-years").values_list("years", flat=True).first()
        step = due_step(party_age_months(member, award_day), held)
        if step is not None:
            initial["years"] = str(step)
    return AwardBadgeForm(data, initial=initial)


def reissue_badge_form(member: Member, data: Any) -> forms.Form:
    form = ReissueBadgeForm(data)
    held = member.badges.filter(returned_on__isnull=True).values_list("years", flat=True)
    form.fields["years"].choices = [  # type: ignore[attr-defined]
        (str(years), f"{years} năm tuổi Đảng") for years in held
    ]
    return form


def issue_card_form(member: Member, data: Any) -> forms.Form:
    return IssueCardForm(data)
