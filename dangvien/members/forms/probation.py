"""Forms of the probation moves: input shape only; every rule lives in the actions
(``members/actions/probation.py``). Each form carries its move's name as prefix, so the
member's page can hold them all."""

import re
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from dangvien.candidates.forms import date_field
from dangvien.members.models import Assessment, Member
from dangvien.members.queries import probation as q
from dangvien.organisations.queries import admission_chain

_MONTH = re.compile(r"^\s*(?:(\d{1,2})/)?(\d{1,2})/(\d{4})\s*$")
_ISO_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})(?:-(\d{1,2}))?\s*$")


def parse_period(value: str) -> date | None:
    """A report period as typed: ``mm/yyyy``, ``dd/mm/yyyy`` or ``yyyy-mm(-dd)``; any day
    of the month stands for the month."""
    match = _MONTH.match(value or "")
    if match:
        day, month, year = match.group(1) or "1", match.group(2), match.group(3)
    else:
        match = _ISO_MONTH.match(value or "")
        if not match:
            return None
        year, month, day = match.group(1), match.group(2), match.group(3) or "1"
    try:
        return date(int(year), int(month), int(day)).replace(day=1)
    except ValueError:
        return None


class PeriodField(forms.CharField):
    """Kỳ báo cáo: a month (``mm/yyyy``) or any day in it (``dd/mm/yyyy``)."""

    def __init__(self, **kwargs: Any) -> None:
        # No max_length: CharField would check the length of the cleaned date (TypeError).
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"placeholder": "mm/yyyy", "maxlength": "10"})
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        period = parse_period(value)
        if period is None:
            raise forms.ValidationError("Nhập tháng dạng mm/yyyy, ví dụ 03/2026.")
        return period


def _today() -> date:
    return timezone.localdate()


class AssignMentorForm(forms.Form):
    # Named as in the API (and the actions' refusals), so an error lands on the field.
    mentor_id = forms.ModelChoiceField(
        label="Đảng viên giúp đỡ",
        queryset=Member.objects.none(),
        empty_label="— Chọn đảng viên chính thức của chi bộ —",
        help_text="Đảng viên chính thức cùng chi bộ. Phân công mới thay người đang giúp đỡ.",
    )
    from_on = date_field("Từ ngày")

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["mentor_id"]
        field.queryset = q.mentor_choices(member)  # type: ignore[attr-defined]
        field.label_from_instance = lambda m: m.person.full_name  # type: ignore[attr-defined]
        self.fields["from_on"].initial = _today()


class ReportForm(forms.Form):
    period = PeriodField(label="Kỳ báo cáo (tháng)", help_text="Tháng mm/yyyy, ví dụ 03/2026.")
    filed_on = date_field("Ngày lập")
    assessment = forms.ChoiceField(
        label="Đánh giá", choices=[("", "— Chọn —"), *Assessment.choices]
    )
    text = forms.CharField(
        label="Nội dung", max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].initial = f"{_today():%m/%Y}"
        self.fields["filed_on"].initial = _today()


class CourseForm(forms.Form):
    certificate_no = forms.CharField(label="Số giấy chứng nhận", max_length=50)
    issued_on = date_field("Ngày cấp")


class RecognitionVoteForm(forms.Form):
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
    resolution_no = forms.CharField(label="Số nghị quyết", max_length=50)

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ends, due = member.probation_ends_on, member.recognition_vote_due_on
        if ends:
            help_text = f"Xét sau khi hết 12 tháng dự bị ({ends:%d/%m/%Y})"
            if due:
                help_text += f", hạn {due:%d/%m/%Y}"
            self.fields["held_on"].help_text = help_text + "."


class GrassrootsVoteForm(forms.Form):
    held_on = date_field("Ngày họp đảng ủy")
    in_favour = forms.IntegerField(label="Số cấp ủy viên tán thành", min_value=0, max_value=100_000)
    committee_size = forms.IntegerField(label="Tổng số cấp ủy viên", min_value=1, max_value=1_000)
    resolution_no = forms.CharField(label="Số nghị quyết", max_length=50)

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        endorser = admission_chain(member.branch).endorser
        if endorser and endorser.committee_size:
            self.fields["committee_size"].initial = endorser.committee_size


class ExtendForm(forms.Form):
    reason = forms.CharField(
        label="Lý do gia hạn", max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecideRecognitionForm(forms.Form):
    recognised = forms.TypedChoiceField(
        label="Kết quả",
        choices=[
            ("1", "Công nhận đảng viên chính thức"),
            ("0", "Không công nhận (xóa tên trong danh sách đảng viên)"),
        ],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
        help_text="Không có việc kéo dài thời gian dự bị (Điều lệ Đảng Điều 5).",
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
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(
        label="Ghi chú", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


# The moves' form factories: (member, POST data or None) -> form.


def assign_mentor(member: Member, data: Any) -> forms.Form:
    return AssignMentorForm(data, member=member, prefix="assign-mentor")


def mentor_report(member: Member, data: Any) -> forms.Form:
    return ReportForm(data, prefix="file-mentor-report")


def self_review(member: Member, data: Any) -> forms.Form:
    return ReportForm(data, prefix="file-self-review")


def course(member: Member, data: Any) -> forms.Form:
    return CourseForm(data, prefix="record-new-member-course")


def recognition_vote(member: Member, data: Any) -> forms.Form:
    return RecognitionVoteForm(data, member=member, prefix="record-recognition-vote")


def grassroots_vote(member: Member, data: Any) -> forms.Form:
    return GrassrootsVoteForm(data, member=member, prefix="record-grassroots-recognition-vote")


def extend(member: Member, data: Any) -> forms.Form:
    return ExtendForm(data, prefix="extend-recognition-deadline")


def decide(member: Member, data: Any) -> forms.Form:
    return DecideRecognitionForm(data, prefix="decide-recognition")
