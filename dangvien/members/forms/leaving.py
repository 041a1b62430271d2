"""Forms of the leaving area: input shape only; every rule lives in
``members.actions.leaving``."""

from typing import Any

from django import forms

from dangvien.candidates.forms import date_field
from dangvien.members.models import Member, NeverReadmit, ProceedingKind, RemovalTrigger
from dangvien.members.queries.leaving import OPEN_STEPS

ROWS = {"rows": 2}


def _open_removal(member: Member) -> Any:
    return member.proceedings.filter(kind=ProceedingKind.REMOVAL, step__in=OPEN_STEPS).first()


def _trigger_field(**kw: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Căn cứ xem xét xóa tên",
        choices=[("", "— Chọn căn cứ —"), *RemovalTrigger.choices],
        help_text="Điều lệ Đảng Điều 8; HD 01-HD/TW §11.1.",
        **kw,
    )


class RequestSelfReviewForm(forms.Form):
    requested_on = date_field("Ngày chi ủy yêu cầu tự kiểm điểm")
    trigger = _trigger_field()
    reason = forms.CharField(
        label="Lý do xem xét xóa tên", max_length=1000, widget=forms.Textarea(attrs=ROWS)
    )

    def __init__(self, *args: Any, opened: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if opened:  # the ground was given when the matter was opened
            del self.fields["trigger"]
            del self.fields["reason"]


class SelfReviewForm(forms.Form):
    reviewed_on = date_field("Ngày đảng viên tự kiểm điểm trước chi bộ")
    note = forms.CharField(
        label="Ghi chú", max_length=1000, required=False, widget=forms.Textarea(attrs=ROWS)
    )


class ProposeRemovalForm(forms.Form):
    trigger = _trigger_field()
    reason = forms.CharField(
        label="Lý do đề nghị xóa tên", max_length=1000, widget=forms.Textarea(attrs=ROWS)
    )
    educated_since = date_field(
        "Chi bộ bắt đầu giáo dục, giúp đỡ từ ngày",
        required=False,
        help_text="Bắt buộc khi căn cứ là giảm sút ý chí: chỉ xét sau 12 tháng không tiến bộ.",
    )
    held_on = date_field("Ngày họp chi bộ")
    in_favour = forms.IntegerField(label="Số tán thành", min_value=0, max_value=100_000)
    against = forms.IntegerField(
        label="Số không tán thành", min_value=0, max_value=100_000, initial=0
    )
    exempted_present = forms.IntegerField(
        label="Đảng viên miễn sinh hoạt có mặt và biểu quyết",
        min_value=0,
        max_value=100_000,
        initial=0,
        help_text="Đảng viên được miễn có mặt biểu quyết thì được tính vào tổng số.",
    )
    resolution_no = forms.CharField(label="Số nghị quyết của chi bộ", max_length=50)


class GrassrootsRemovalVoteForm(forms.Form):
    held_on = date_field("Ngày họp đảng ủy")
    in_favour = forms.IntegerField(label="Số cấp ủy viên tán thành", min_value=0, max_value=1_000)
    committee_size = forms.IntegerField(label="Tổng số cấp ủy viên", min_value=1, max_value=1_000)
    resolution_no = forms.CharField(label="Số nghị quyết", max_length=50)


class DecideRemovalForm(forms.Form):
    removed = forms.TypedChoiceField(
        label="Kết quả",
        choices=[("1", "Xóa tên"), ("0", "Không xóa tên")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    decision_no = forms.CharField(label="Số quyết định", max_length=50)
    decided_on = date_field("Ngày quyết định")
    in_favour = forms.IntegerField(
        label="Số ủy viên tán thành", min_value=0, max_value=1_000, required=False
    )
    committee_size = forms.IntegerField(
        label="Tổng số ủy viên", min_value=1, max_value=1_000, required=False
    )
    late_reason = forms.CharField(
        label="Lý do quyết định chậm (nếu quá hạn)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs=ROWS),
    )
    note = forms.CharField(
        label="Ghi chú", max_length=1000, required=False, widget=forms.Textarea(attrs=ROWS)
    )


class RequestExitForm(forms.Form):
    requested_on = date_field("Ngày làm đơn")
    reason = forms.CharField(
        label="Lý do xin ra khỏi Đảng", max_length=1000, widget=forms.Textarea(attrs=ROWS)
    )


class RecordExitForm(forms.Form):
    decision_no = forms.CharField(label="Số quyết định cho ra khỏi Đảng", max_length=50)
    decided_on = date_field("Ngày quyết định")
    family_hardship = forms.BooleanField(
        label="Vì hoàn cảnh gia đình đặc biệt khó khăn (không đưa vào diện không kết nạp lại)",
        required=False,
    )
    note = forms.CharField(
        label="Ghi chú", max_length=1000, required=False, widget=forms.Textarea(attrs=ROWS)
    )


class ExpulsionForm(forms.Form):
    decision_no = forms.CharField(label="Số quyết định kỷ luật", max_length=50)
    decided_on = date_field("Ngày quyết định")
    body = forms.CharField(label="Cơ quan ra quyết định", max_length=200)
    reason = forms.CharField(
        label="Lý do khai trừ", max_length=1000, widget=forms.Textarea(attrs=ROWS)
    )
    never_readmit = forms.ChoiceField(
        label="Không kết nạp lại",
        required=False,
        choices=[
            ("", "— Không ghi —"),
            *[(v, label) for v, label in NeverReadmit.choices if v != NeverReadmit.ASKED_TO_LEAVE],
        ],
        help_text="294-QĐ/TW §3.5.",
    )


class DeathForm(forms.Form):
    died_on = date_field("Ngày từ trần")
    note = forms.CharField(
        label="Ghi chú", max_length=1000, required=False, widget=forms.Textarea(attrs=ROWS)
    )


def request_self_review_form(member: Member, data: Any) -> forms.Form:
    return RequestSelfReviewForm(
        data, prefix="request-self-review", opened=_open_removal(member) is not None
    )


def propose_removal_form(member: Member, data: Any) -> forms.Form:
    form = ProposeRemovalForm(data, prefix="propose-removal")
    proceeding = _open_removal(member) if data is None else None
    if proceeding is not None:
        form.initial.update(trigger=proceeding.trigger, reason=proceeding.reason)
    return form


def grassroots_removal_vote_form(member: Member, data: Any) -> forms.Form:
    from dangvien.organisations.queries import admission_chain

    form = GrassrootsRemovalVoteForm(data, prefix="record-grassroots-removal-vote")
    endorser = admission_chain(member.branch).endorser
    if data is None and endorser and endorser.committee_size:
        form.initial["committee_size"] = endorser.committee_size
    return form


def decide_removal_form(member: Member, data: Any) -> forms.Form:
    from dangvien.organisations.queries import admission_chain

    form = DecideRemovalForm(data, prefix="decide-removal")
    if data is None:
        decider = admission_chain(member.branch).decider
        size = (
            decider.committee_size
            if decider.authorised_to_admit
            else decider.standing_committee_size
        )
        if size:
            form.initial["committee_size"] = size
    return form


def simple(form_class: type[forms.Form], prefix: str) -> Any:
    """A ``Move.form`` for a form that needs nothing from the member."""

    def make(member: Member, data: Any) -> forms.Form:
        return form_class(data, prefix=prefix)

    return make
