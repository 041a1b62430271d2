"""Forms of the transfers area (exemption, transfers, working far away): input shape
only; the rules live in ``members/actions/transfers.py``."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from dangvien.candidates.forms import date_field
from dangvien.members.models import ExemptionReason, Member, TransferKind
from dangvien.organisations.models import MEMBER_HOLDING, Organisation
from dangvien.organisations.widgets import BranchSearchWidget


def _note(label: str = "Ghi chú", required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label, widget=forms.Textarea(attrs={"rows": 2}), required=required, max_length=1000
    )


class ExemptForm(forms.Form):
    reason = forms.ChoiceField(label="Lý do miễn", choices=ExemptionReason.choices)
    from_on = date_field("Miễn từ ngày")
    until_on = date_field("Đến ngày", required=False, help_text="Để trống nếu chưa xác định.")
    note = _note("Ghi chú (nghị quyết chi bộ, đơn của đảng viên)")


class EndExemptionForm(forms.Form):
    until_on = date_field(
        "Miễn đến hết ngày", help_text="Từ ngày hôm sau đảng viên trở lại công tác, sinh hoạt."
    )
    note = _note()


def destination_branches(member: Member) -> QuerySet[Organisation]:
    """Every chi bộ in the system except the member's own: the destination may lie
    outside the user's scope (294-QĐ/TW §6.3.1)."""
    return (
        Organisation.objects.filter(kind__in=MEMBER_HOLDING)
        .exclude(pk=member.branch_id)
        .select_related("parent")
        .order_by("path")
    )


class StartTransferForm(forms.Form):
    kind = forms.ChoiceField(
        label="Loại",
        choices=TransferKind.choices,
        widget=forms.RadioSelect,
        initial=TransferKind.PERMANENT,
    )
    to_organisation = forms.ModelChoiceField(
        label="Chuyển đến chi bộ",
        queryset=Organisation.objects.none(),
        empty_label="— Chọn chi bộ nơi đến —",
    )
    cause_on = date_field(
        "Ngày có quyết định / chuyển nơi ở",
        required=False,
        help_text="Chuyển chính thức: phải làm thủ tục trong 60 ngày làm việc kể từ ngày này.",
    )
    letter_no = forms.CharField(label="Số giấy giới thiệu", max_length=50)
    issued_on = date_field("Ngày cấp giấy giới thiệu")
    for_study = forms.BooleanField(label="Đi học tập trung (tạm thời đến 2 năm)", required=False)
    until_on = date_field(
        "Sinh hoạt tạm thời đến ngày",
        required=False,
        help_text="Chỉ với chuyển tạm thời: từ 3 tháng đến dưới 1 năm (đi học: đến 2 năm).",
    )
    late_reason = _note("Lý do chậm (nếu quá 60 ngày làm việc)")

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_organisation"]
        field.queryset = destination_branches(member)  # type: ignore[attr-defined]
        # Searched, not listed: every chi bộ of the country is a choice (issue 9).
        field.widget = BranchSearchWidget(exclude=member.branch_id)


class ReceiveTransferForm(forms.Form):
    received_on = date_field("Ngày tiếp nhận giấy giới thiệu")
    late_reason = _note("Lý do nộp chậm (nếu quá hạn)")


class ReturnTransferForm(forms.Form):
    returned_on = date_field("Ngày trở về sinh hoạt")
    note = _note()


class CancelTransferForm(forms.Form):
    reason = _note("Lý do hủy", required=True)


class FlagFarAwayForm(forms.Form):
    since = date_field("Đi làm ăn xa từ ngày")
    place = forms.CharField(label="Nơi làm ăn", max_length=200)
    note = _note("Ghi chú (số điện thoại, cách liên lạc)")


class RecordContactForm(forms.Form):
    contacted_on = date_field("Ngày liên lạc")
    note = _note("Nội dung liên lạc")


class ClearFarAwayForm(forms.Form):
    back_on = date_field("Ngày trở về địa phương")
    note = _note()
