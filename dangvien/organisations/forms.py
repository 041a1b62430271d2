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
