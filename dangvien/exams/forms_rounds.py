"""Forms of the round pages: they parse input; the rules are in ``actions.rounds``."""

from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from dangvien.accounts.models import User
from dangvien.candidates.models import Candidate
from dangvien.exams.actions.rounds import Line
from dangvien.exams.models import Difficulty, ExamRound, Part, SittingMode, Topic
from dangvien.organisations.models import Organisation

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RoundForm(forms.Form):
    """A round's settings; ``organisations`` given only when creating."""

    organisation = forms.ModelChoiceField(
        label="Cấp ủy tổ chức", queryset=Organisation.objects.none(), required=False
    )
    name = forms.CharField(label="Tên đợt kiểm tra", max_length=200)
    held_on = forms.DateField(label="Ngày kiểm tra", widget=DATE)
    venue = forms.CharField(label="Địa điểm", max_length=250, required=False)
    duration_minutes = forms.IntegerField(
        label="Thời gian làm bài (phút)", initial=45, help_text="Từ 5 đến 240 phút."
    )
    pass_mark = forms.DecimalField(
        label="Điểm đạt (thang 10)",
        initial=5,
        max_digits=4,
        decimal_places=2,
        localize=True,
        help_text="Đạt khi điểm tổng hợp từ mức này trở lên.",
    )
    written_weight = forms.IntegerField(label="Trọng số phần viết (%)", initial=70)
    oral_weight = forms.IntegerField(
        label="Trọng số phần vấn đáp (%)", initial=30, help_text="Hai trọng số cộng lại bằng 100."
    )
    variants = forms.IntegerField(label="Số mã đề", initial=4, help_text="Từ 1 đến 50 mã đề.")
    disagreement_percent = forms.IntegerField(
        label="Chênh lệch tối đa giữa hai giám khảo (% điểm câu)",
        initial=20,
        help_text="Hai giám khảo chấm lệch nhau quá mức này thì chủ tịch hội đồng quyết định.",
    )

    def __init__(
        self,
        *args: Any,
        organisations: list[Organisation] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if organisations is None:
            del self.fields["organisation"]
        else:
            field = self.fields["organisation"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])
            field.required = True
            if len(organisations) == 1:
                field.initial = organisations[0].pk

    @classmethod
    def of(cls, exam_round: ExamRound, data: Any = None) -> "RoundForm":
        initial = {
            "name": exam_round.name,
            "held_on": exam_round.held_on,
            "venue": exam_round.venue,
            "duration_minutes": exam_round.duration_minutes,
            "pass_mark": exam_round.pass_mark,
            "written_weight": exam_round.written_weight,
            "oral_weight": exam_round.oral_weight,
            "variants": exam_round.variants,
            "disagreement_percent": exam_round.disagreement_percent,
        }
        return cls(data, initial=initial)

    def settings(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "organisation"}


class UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.username})"


class UserChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.username})"


class BoardForm(forms.Form):
    members = UserChoices(
        label="Thành viên hội đồng",
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Ít nhất 2 người, để mỗi bài tự luận và vấn đáp có hai giám khảo chấm.",
    )
    chair = UserChoice(
        label="Chủ tịch hội đồng",
        queryset=User.objects.none(),
        widget=forms.RadioSelect,
        help_text="Một trong các thành viên; ký duyệt kết quả.",
    )

    def __init__(self, *args: Any, users: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("members", "chair"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = users


class LineForm(forms.Form):
    """One blueprint line; a row left without a count is ignored."""

    part = forms.ChoiceField(label="Phần", choices=Part.choices, initial=Part.WRITTEN)
    topic = forms.ModelChoiceField(label="Chủ đề", queryset=Topic.objects.all(), required=False)
    difficulty = forms.TypedChoiceField(
        label="Độ khó", choices=Difficulty.choices, coerce=int, initial=Difficulty.MEDIUM
    )
    count = forms.IntegerField(label="Số câu", min_value=0, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("count") and not data.get("topic"):
            self.add_error("topic", "Chọn chủ đề cho dòng có số câu.")
        return data

    def line(self) -> Line | None:
        data = getattr(self, "cleaned_data", None)
        if not data or not data.get("count") or not data.get("topic"):
            return None
        return Line(data["part"], data["topic"], data["difficulty"], data["count"])


class BaseLineFormSet(forms.BaseFormSet):
    def lines(self) -> list[Line]:
        return [line for form in self.forms if (line := form.line()) is not None]


LineFormSet = forms.formset_factory(LineForm, formset=BaseLineFormSet, extra=3, max_num=60)


def line_formset(exam_round: ExamRound, data: Any = None) -> BaseLineFormSet:
    initial = [
        {"part": ln.part, "topic": ln.topic_id, "difficulty": ln.difficulty, "count": ln.count}
        for ln in exam_round.blueprint.all().order_by("part", "topic__position", "difficulty")
    ]
    return cast(BaseLineFormSet, LineFormSet(data, initial=initial, prefix="line"))


class CandidateChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.person.full_name} – {obj.branch.name}"


class RegisterForm(forms.Form):
    candidates = CandidateChoices(
        label="Quần chúng ưu tú",
        queryset=Candidate.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    mode = forms.ChoiceField(
        label="Hình thức",
        choices=SittingMode.choices,
        initial=SittingMode.ONLINE,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, candidates: QuerySet[Candidate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["candidates"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = candidates
