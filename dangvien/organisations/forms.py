"""Forms of the organisation page: input shape only; the rules live in the actions."""

from typing import Any

from django import forms

from dangvien.organisations.models import Organisation, Sector, VillageKind


class SectorForm(forms.Form):
    sector = forms.ChoiceField(
        label="Loại hình tổ chức cơ sở đảng",
        choices=[("", "— Chưa xác định —"), *Sector.choices],
        required=False,
    )


class VillageForm(forms.Form):
    name = forms.CharField(label="Tên thôn, tổ dân phố", max_length=120)
    kind = forms.ChoiceField(label="Loại", choices=VillageKind.choices, initial=VillageKind.VILLAGE)
    branch = forms.ModelChoiceField(
        label="Chi bộ phụ trách",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="— Chưa phân công —",
    )

    def __init__(self, *args: Any, branches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches  # type: ignore[attr-defined]


class SigningForm(forms.Form):
    """How the node signs its documents (36-HD/VPTW); blank: derived."""

    document_name = forms.CharField(
        label="Tên cơ quan ban hành văn bản", max_length=200, required=False
    )
    document_symbol = forms.CharField(
        label="Chữ viết tắt trong ký hiệu (ví dụ ĐU, CB)", max_length=20, required=False
    )
    place_name = forms.CharField(label="Địa danh ghi trên văn bản", max_length=100, required=False)
    term_started_on = forms.DateField(
        label="Ngày bắt đầu nhiệm kỳ cấp ủy (dd/mm/yyyy)",
        required=False,
        widget=forms.DateInput(format="%d/%m/%Y"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages={"invalid": "Ngày không hợp lệ: ghi theo dạng dd/mm/yyyy."},
    )
