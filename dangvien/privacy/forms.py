"""Forms of the personal-data pages: input shape only; the rules live in the actions."""

from django import forms

from dangvien.candidates.forms import date_field
from dangvien.privacy.models import ConsentMethod, RequestKind, RequestState


class ConsentForm(forms.Form):
    given_on = date_field("Ngày đồng ý")
    method = forms.ChoiceField(
        label="Hình thức đồng ý",
        choices=ConsentMethod.choices,
        initial=ConsentMethod.PAPER,
        widget=forms.RadioSelect,
    )


class WithdrawConsentForm(forms.Form):
    withdrawn_on = date_field("Ngày rút lại")
    note = forms.CharField(
        label="Ghi chú",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Ví dụ: đơn đề nghị ngày …, người đó nêu lý do …",
    )


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label="Loại yêu cầu", choices=RequestKind.choices)
    received_on = date_field("Ngày tiếp nhận")
    detail = forms.CharField(
        label="Nội dung yêu cầu",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AnswerForm(forms.Form):
    state = forms.ChoiceField(
        label="Kết quả",
        choices=[
            (RequestState.DONE.value, RequestState.DONE.label),
            (RequestState.REFUSED.value, RequestState.REFUSED.label),
        ],
        initial=RequestState.DONE,
        widget=forms.RadioSelect,
    )
    answered_on = date_field("Ngày trả lời")
    answer = forms.CharField(
        label="Nội dung trả lời",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Bắt buộc khi từ chối: nêu lý do (ví dụ hồ sơ Đảng phải lưu giữ theo quy định).",
    )
