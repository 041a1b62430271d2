"""Forms of the screening pages: input shape only; every rule lives in
``screening.actions``."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from dangvien.candidates.forms import date_field
from dangvien.members.models import Member, NeverReadmit, RemovalTrigger
from dangvien.screening.models import Criterion, State

ROWS = {"rows": 3}


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        member: Member = obj
        return f"{member.person.full_name} ({member.get_status_display().lower()})"


class BallotForm(forms.Form):
    """The chi bộ's secret ballot on one member (02-HD/BTCTW §1): counts only."""

    member = MemberChoice(
        label="Đảng viên được rà soát",
        queryset=Member.objects.none(),
        empty_label="— Chọn đảng viên —",
    )
    criteria = forms.MultipleChoiceField(
        label="Biểu hiện",
        choices=Criterion.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="02-HD/BTCTW §II.1.",
    )
    grounds = forms.CharField(
        label="Nhận xét, căn cứ của chi ủy",
        max_length=4000,
        widget=forms.Textarea(attrs=ROWS),
        help_text="Ý kiến của chi ủy, của Ban công tác Mặt trận nơi cư trú hoặc đoàn thể nơi "
        "làm việc, ý kiến của cấp ủy cấp trên.",
    )
    ballot_on = date_field("Ngày chi bộ bỏ phiếu kín")
    in_favour = forms.IntegerField(label="Số phiếu đồng ý", min_value=0, max_value=100_000)
    against = forms.IntegerField(
        label="Số phiếu không đồng ý", initial=0, min_value=0, max_value=100_000
    )
    invalid = forms.IntegerField(
        label="Số phiếu không hợp lệ", initial=0, min_value=0, max_value=100_000
    )
    resolution_no = forms.CharField(
        label="Số nghị quyết / biên bản kiểm phiếu", max_length=50, required=False
    )

    def __init__(self, *args: Any, members: QuerySet[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members  # type: ignore[attr-defined]


class HelperForm(forms.Form):
    helper = MemberChoice(
        label="Đảng viên giúp đỡ", queryset=Member.objects.none(), empty_label="— Chọn đảng viên —"
    )
    help_from = date_field("Giúp đỡ từ ngày")
    help_until = date_field("Đến ngày", help_text="Tối đa 12 tháng (24/294-QĐ/TW §8.1).")

    def __init__(self, *args: Any, helpers: QuerySet[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["helper"].queryset = helpers  # type: ignore[attr-defined]


class ImprovedForm(forms.Form):
    on = date_field("Ngày chi bộ kết luận")
    note = forms.CharField(
        label="Nhận xét về sự tiến bộ",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs=ROWS),
    )


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Kết luận",
        choices=[
            (State.PROPOSED_REMOVAL.value, "Chi bộ đề nghị xóa tên"),
            (State.PROPOSED_EXPULSION.value, "Chi bộ đề nghị khai trừ"),
            (State.EXIT_REQUESTED.value, "Đảng viên làm đơn xin ra khỏi Đảng"),
        ],
        widget=forms.RadioSelect,
    )
    on = date_field(
        "Ngày chi bộ kết luận",
        help_text="Đề nghị xóa tên, khai trừ: sau khi hết thời gian giúp đỡ. Xin ra khỏi "
        "Đảng: ngày làm đơn.",
    )
    note = forms.CharField(
        label="Nhận xét, lý do", max_length=1000, widget=forms.Textarea(attrs=ROWS)
    )
    trigger = forms.ChoiceField(
        label="Căn cứ xem xét xóa tên",
        choices=RemovalTrigger.choices,
        initial=RemovalTrigger.LOST_COMMITMENT,
        required=False,
        help_text="Chỉ dùng khi đề nghị xóa tên (Điều lệ Đảng Điều 8).",
    )


class ExpulsionDecisionForm(forms.Form):
    """The committee's decision on a proposed expulsion."""

    upheld = forms.TypedChoiceField(
        label="Quyết định",
        choices=[("yes", "Khai trừ ra khỏi Đảng"), ("no", "Không khai trừ")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    decision_no = forms.CharField(label="Số quyết định", max_length=50)
    decided_on = date_field("Ngày quyết định")
    body = forms.CharField(
        label="Cơ quan ra quyết định",
        max_length=200,
        required=False,
        help_text="Bắt buộc khi khai trừ.",
    )
    note = forms.CharField(
        label="Lý do, ghi chú",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs=ROWS),
        help_text="Để trống thì lấy nhận xét của chi bộ làm lý do khai trừ.",
    )
    never_readmit = forms.ChoiceField(
        label="Không kết nạp lại",
        choices=[("", "— Không —")]
        + [(r.value, r.label) for r in NeverReadmit if r != NeverReadmit.ASKED_TO_LEAVE],
        required=False,
        help_text="294-QĐ/TW §3.5.",
    )


class CopyDecisionForm(forms.Form):
    """Removal or exit: the decision is copied from the member's proceeding."""

    note = forms.CharField(
        label="Ghi chú", max_length=1000, required=False, widget=forms.Textarea(attrs=ROWS)
    )
