"""Forms for the pipeline pages: input shape only; every rule lives in the actions."""

from typing import Any

from django import forms

from dangvien.candidates.models import BackgroundOutcome, Union
from dangvien.members.models import Member
from dangvien.organisations.models import Organisation
from dangvien.organisations.queries import village_choices, villages_for_branches
from dangvien.people.forms import PersonDetailsForm
from dangvien.privacy.actions import ConsentGiven
from dangvien.privacy.models import ConsentMethod


class DateInput(forms.DateInput):
    """dd/mm/yyyy as typed in Vietnamese offices (not the browser's locale date picker)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            format="%d/%m/%Y",
            attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"},
            **kwargs,
        )


def date_field(label: str, **kw: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(), **kw)


class CandidateForm(PersonDetailsForm):
    """A new candidate: the person's identity and details, and the branch that follows
    them."""

    full_name = forms.CharField(label="Họ và tên", max_length=180)
    birth_date = date_field("Ngày sinh")
    citizen_id = forms.CharField(label="Số CCCD (12 chữ số)", max_length=12, min_length=12)
    branch = forms.ModelChoiceField(label="Chi bộ theo dõi", queryset=Organisation.objects.none())
    # The consent to the notice of processing (Nghị định 13/2023/NĐ-CP Điều 11): the action
    # refuses without it; the fields only carry what was typed.
    consent = forms.BooleanField(
        label="Người này đã được đọc thông báo xử lý dữ liệu cá nhân và đồng ý",
        required=False,
    )
    consent_given_on = date_field("Ngày đồng ý", required=False)
    consent_method = forms.ChoiceField(
        label="Hình thức đồng ý",
        choices=ConsentMethod.choices,
        initial=ConsentMethod.PAPER,
        widget=forms.RadioSelect,
        required=False,
    )

    def consent_given(self) -> ConsentGiven | None:
        """Take the consent fields out of ``cleaned_data``: what the action receives."""
        data = self.cleaned_data
        given = data.pop("consent", False)
        on, method = data.pop("consent_given_on", None), data.pop("consent_method", "")
        return ConsentGiven(given_on=on, method=method) if given else None

    def __init__(self, *args: Any, branches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches  # type: ignore[attr-defined]
        # The villages of the communes above the branches offered (grouped by commune when
        # there are several); the action refuses one outside the chosen branch's commune.
        paths = list(branches.values_list("path", flat=True))
        self.fields["village_id"].choices = village_choices(  # type: ignore[attr-defined]
            villages_for_branches(paths)
        )


class StartCourseForm(forms.Form):
    course_name = forms.CharField(label="Lớp bồi dưỡng", max_length=200)
    started_on = date_field("Ngày bắt đầu học")


class CertifyForm(forms.Form):
    certificate_no = forms.CharField(label="Số giấy chứng nhận", max_length=50)
    issued_on = date_field("Ngày cấp")


class OpenDossierForm(forms.Form):
    application_on = date_field("Ngày làm đơn xin vào Đảng")
    declaration_on = date_field("Ngày khai lý lịch", help_text="Phải sau ngày làm đơn.")


class BackgroundCheckForm(forms.Form):
    completed_on = date_field("Ngày hoàn thành thẩm tra")
    outcome = forms.ChoiceField(
        label="Kết quả",
        choices=BackgroundOutcome.choices,
        widget=forms.RadioSelect,
        initial=BackgroundOutcome.CLEAR,
    )
    note = forms.CharField(
        label="Nhận xét", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class IntroducerForm(forms.Form):
    member = forms.ModelChoiceField(
        label="Đảng viên giới thiệu",
        queryset=Member.objects.none(),
        required=False,
        empty_label="— Chọn đảng viên chính thức —",
    )
    union = forms.ChoiceField(
        label="Hoặc tổ chức giới thiệu",
        required=False,
        choices=[("", "— Không —"), *Union.choices],
    )
    resolution_no = forms.CharField(
        label="Số nghị quyết của tổ chức", max_length=50, required=False
    )
    known_since = date_field("Cùng công tác, học tập, cư trú từ ngày")

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["member"]
        field.queryset = members  # type: ignore[attr-defined]
        field.label_from_instance = lambda m: f"{m.person.full_name} – {m.branch.name}"  # type: ignore[attr-defined]


class AssignHelperForm(forms.Form):
    helper = forms.ModelChoiceField(
        label="Đảng viên giúp đỡ",
        queryset=Member.objects.none(),
        empty_label="— Chọn đảng viên của chi bộ —",
    )

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["helper"]
        field.queryset = members  # type: ignore[attr-defined]
        field.label_from_instance = lambda m: m.person.full_name  # type: ignore[attr-defined]


class EducationExceptionForm(forms.Form):
    basis = forms.CharField(
        label="Căn cứ áp dụng ngoại lệ",
        max_length=250,
        help_text="Vùng cao, hải đảo, đồng bào dân tộc thiểu số... và văn bản hướng dẫn áp dụng.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class OverAgeForm(forms.Form):
    decision_no = forms.CharField(label="Số văn bản đồng ý của cấp tỉnh", max_length=50)
    decided_on = date_field("Ngày văn bản")


class BranchVoteForm(forms.Form):
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


class GrassrootsVoteForm(forms.Form):
    held_on = date_field("Ngày họp đảng ủy")
    in_favour = forms.IntegerField(label="Số cấp ủy viên tán thành", min_value=0, max_value=100_000)
    committee_size = forms.IntegerField(label="Tổng số cấp ủy viên", min_value=1, max_value=1_000)
    resolution_no = forms.CharField(label="Số nghị quyết", max_length=50)


class ExtendForm(forms.Form):
    reason = forms.CharField(label="Lý do gia hạn", widget=forms.Textarea(attrs={"rows": 2}))


class DecideForm(forms.Form):
    admitted = forms.TypedChoiceField(
        label="Kết quả",
        choices=[("1", "Kết nạp"), ("0", "Không kết nạp")],
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
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(
        label="Ghi chú", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CeremonyForm(forms.Form):
    held_on = date_field("Ngày tổ chức lễ kết nạp")
    late_approval_no = forms.CharField(
        label="Văn bản đồng ý của cấp trên (nếu quá hạn)", max_length=50, required=False
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="Lý do", widget=forms.Textarea(attrs={"rows": 2}))
