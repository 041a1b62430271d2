"""The person edit form: input shape only; the rules live in ``people.actions``."""

from typing import Any

from django import forms

from dangvien.people.actions import FAMILY_BACKGROUND_MAX
from dangvien.people.models import Education, OccupationGroup, PoliticalTheory, Sex


class PersonDetailsForm(forms.Form):
    """The details of a person that change over a life (``people.actions.CHANGEABLE``), as
    the person edit page and the new-candidate page ask for them. The initial values are a
    new person's (the edit page passes the person's own as ``initial``); ``village_id``
    choices are set by each form."""

    sex = forms.ChoiceField(label="Giới tính", choices=Sex.choices)
    ethnicity = forms.CharField(label="Dân tộc", max_length=40, initial="Kinh")
    religion = forms.CharField(label="Tôn giáo", max_length=40, initial="Không")
    education_level = forms.ChoiceField(
        label="Trình độ học vấn", choices=Education.choices, initial=Education.UPPER_SECONDARY
    )
    political_theory = forms.ChoiceField(
        label="Lý luận chính trị",
        choices=PoliticalTheory.choices,
        initial=PoliticalTheory.NONE,
        required=False,  # not sent: "none" (chưa qua đào tạo), the default
    )
    occupation = forms.CharField(label="Nghề nghiệp", max_length=120, required=False)
    occupation_group = forms.ChoiceField(
        label="Nhóm nghề nghiệp",
        choices=[("", "— Chưa chọn —"), *OccupationGroup.choices],
        required=False,
    )
    hometown = forms.CharField(label="Quê quán", max_length=200, required=False)
    address = forms.CharField(label="Nơi ở hiện nay", max_length=250, required=False)
    village_id = forms.TypedChoiceField(
        label="Thôn, tổ dân phố nơi cư trú", coerce=int, empty_value=None, required=False
    )
    phone = forms.CharField(label="Điện thoại", max_length=20, required=False)
    youth_union_member = forms.BooleanField(label="Là đoàn viên", required=False)
    trade_union_member = forms.BooleanField(label="Là công đoàn viên", required=False)
    # Sensitive personal data (Nghị định 13/2023/NĐ-CP Điều 2 khoản 4), encrypted at rest.
    family_background = forms.CharField(
        label="Hoàn cảnh, lịch sử gia đình",
        help_text="Theo lý lịch người xin vào Đảng (mẫu 2-KNĐ); dữ liệu cá nhân nhạy cảm, "
        "được mã hóa khi lưu.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=FAMILY_BACKGROUND_MAX,
        required=False,
        strip=False,
    )

    def clean_political_theory(self) -> str:
        return self.cleaned_data["political_theory"] or PoliticalTheory.NONE


class PersonForm(PersonDetailsForm):
    """The person edit form."""

    def __init__(self, *args: Any, village_choices: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village_id"].choices = village_choices  # type: ignore[attr-defined]
