"""Forms of the training pages: input shape only; every rule lives in ``actions.py``."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import timezone

from dangvien.candidates.forms import date_field
from dangvien.organisations.models import Organisation
from dangvien.training.models import CourseKind, Enrolment, Session
from dangvien.training.queries import DEFAULT_PATTERN


class MarkField(forms.Field):
    """A mark on the 10-point scale typed as offices write it: "7,5" (or "7.5")."""

    default_error_messages = {
        "invalid": "Điểm phải là một số từ 0 đến 10, ví dụ 7,5.",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"inputmode": "decimal", "autocomplete": "off", "size": 5, "maxlength": 8}
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:
        text = str(value or "").strip()
        if not text:
            return None
        if len(text) > 8:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not number.is_finite() or number < 0 or number > 10:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return f"{value:.2f}".replace(".", ",")
        return value


class CourseForm(forms.Form):
    kind = forms.ChoiceField(label="Loại lớp", choices=CourseKind.choices, widget=forms.RadioSelect)
    name = forms.CharField(
        label="Tên lớp",
        max_length=200,
        help_text="Ví dụ: Lớp bồi dưỡng nhận thức về Đảng khóa I năm 2026.",
    )
    organiser = forms.ModelChoiceField(
        label="Đơn vị tổ chức (cấp ủy)", queryset=Organisation.objects.none(), empty_label=None
    )
    organiser_name = forms.CharField(
        label="Cơ sở đào tạo",
        max_length=200,
        required=False,
        help_text="Ví dụ: Trung tâm Chính trị phường Hạ Long.",
    )
    starts_on = date_field("Ngày khai giảng")
    ends_on = date_field("Ngày bế giảng")
    venue = forms.CharField(label="Địa điểm", max_length=250, required=False)
    lecturers = forms.CharField(
        label="Giảng viên",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Mỗi dòng một người.",
    )
    pass_mark = MarkField(label="Điểm đạt (thang 10)", required=False)
    min_attendance_percent = forms.IntegerField(
        label="Tỷ lệ dự học tối thiểu (%)", min_value=1, max_value=100, required=False
    )

    def __init__(self, *args: Any, organisers: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organiser"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisers]).order_by(
            "path"
        )
        if len(organisers) == 1:
            field.initial = organisers[0].pk

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "Ngày bế giảng phải sau ngày khai giảng.")
        return data


class SessionForm(forms.Form):
    held_on = date_field("Ngày học")
    topic = forms.CharField(label="Chuyên đề", max_length=250)
    lecturer = forms.CharField(label="Giảng viên", max_length=120, required=False)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="Lý do thôi học", max_length=250)


class CloseForm(forms.Form):
    first_number = forms.RegexField(
        label="Số giấy chứng nhận bắt đầu từ",
        regex=r"^\d{1,9}$",
        error_messages={"invalid": "Số bắt đầu phải là số nguyên dương, ví dụ 125."},
        help_text="Giữ số 0 ở đầu nếu muốn số có độ dài cố định (ví dụ 007).",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    pattern = forms.CharField(
        label="Mẫu số",
        max_length=50,
        initial=DEFAULT_PATTERN,
        help_text="{n} là số thứ tự. Ví dụ {n}-CN/TTCT cho ra 125-CN/TTCT, 126-CN/TTCT…",
    )
    issued_on = date_field("Ngày cấp giấy chứng nhận")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issued_on"].initial = timezone.localdate()

    def clean_pattern(self) -> str:
        pattern = self.cleaned_data["pattern"]
        if "{n}" not in pattern:
            raise forms.ValidationError("Mẫu số phải có {n} ở chỗ số thứ tự.")
        return pattern


class AttendanceForm(forms.Form):
    """The grid: one checkbox per learner and session, named ``p_<session>_<enrolment>``.

    Every cell of a session already held is posted as the grid shows it: unticked means
    absent, so the whole grid is saved at once."""

    def __init__(
        self,
        *args: Any,
        sessions: list[Session],
        enrolments: list[Enrolment],
        present: dict[tuple[int, int], bool],
        today: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sessions, self.enrolments, self.today = sessions, enrolments, today
        for s in sessions:
            for e in enrolments:
                self.fields[f"p_{s.pk}_{e.pk}"] = forms.BooleanField(
                    required=False,
                    initial=present.get((s.pk, e.pk), False),
                    disabled=s.held_on > today,
                    label=f"{e.person.full_name}, buổi {s.held_on:%d/%m/%Y}",
                )

    def cells(self) -> list[tuple[int, int, bool]]:
        return [
            (s.pk, e.pk, bool(self.cleaned_data.get(f"p_{s.pk}_{e.pk}")))
            for s in self.sessions
            if s.held_on <= self.today
            for e in self.enrolments
        ]

    def rows(self) -> list[tuple[Enrolment, list[tuple[Session, Any]]]]:
        """Per learner: each session with its bound checkbox, in column order."""
        return [
            (e, [(s, self[f"p_{s.pk}_{e.pk}"]) for s in self.sessions]) for e in self.enrolments
        ]


class MarksForm(forms.Form):
    """The marks grid: one mark per learner, ``mark_<enrolment>``; empty clears it."""

    def __init__(self, *args: Any, enrolments: list[Enrolment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.enrolments = enrolments
        for e in enrolments:
            self.fields[f"mark_{e.pk}"] = MarkField(
                label=f"Điểm của {e.person.full_name}", required=False, initial=e.mark
            )

    def marks(self) -> dict[int, Decimal | None]:
        return {e.pk: self.cleaned_data.get(f"mark_{e.pk}") for e in self.enrolments}

    def rows(self) -> list[tuple[Enrolment, Any]]:
        return [(e, self[f"mark_{e.pk}"]) for e in self.enrolments]
