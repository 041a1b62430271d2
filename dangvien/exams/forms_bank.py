"""Forms of the question bank pages: input shape only; the rules live in
``exams.actions.bank`` (their Vietnamese messages come back on the form).

The question form adapts to the type: option rows (key, text, correct) for single and
multiple choice, Đúng/Sai for true/false, accepted answers for short answer, rubric rows
(criterion, points) for essay and oral. Rows of the other types' sections are ignored,
so switching the type in the page loses nothing the user typed until they save.
"""

import re
import string
from typing import Any

from django import forms
from django.db.models import QuerySet

from dangvien.exams.models import (
    WITH_OPTIONS,
    Difficulty,
    Question,
    QuestionType,
    Topic,
)
from dangvien.organisations.models import Organisation

LETTERS = string.ascii_uppercase
MAX_UPLOAD_BYTES = 1_500_000  # the commit step carries the file back in the page (base64)


class QuestionForm(forms.Form):
    owner = forms.ModelChoiceField(
        label="Ngân hàng của",
        queryset=Organisation.objects.none(),
        help_text="Cấp ủy giữ câu hỏi này.",
    )
    topic = forms.ModelChoiceField(label="Chủ đề", queryset=Topic.objects.all())
    difficulty = forms.TypedChoiceField(
        label="Độ khó", choices=Difficulty.choices, coerce=int, initial=Difficulty.MEDIUM
    )
    type = forms.ChoiceField(
        label="Loại câu hỏi", choices=QuestionType.choices, initial=QuestionType.SINGLE
    )
    text = forms.CharField(label="Nội dung câu hỏi", widget=forms.Textarea(attrs={"rows": 4}))
    points = forms.DecimalField(
        label="Điểm tối đa", max_digits=5, decimal_places=2, initial=1, localize=True
    )
    truth = forms.ChoiceField(
        label="Đáp án",
        choices=[("true", "Đúng"), ("false", "Sai")],
        widget=forms.RadioSelect,
        required=False,
    )
    accepted = forms.CharField(
        label="Các đáp án được chấp nhận",
        required=False,
        help_text="Cách nhau dấu chấm phẩy (vd: 1930; năm 1930); khi chấm không phân biệt "
        "hoa thường, dấu và khoảng trắng thừa.",
    )
    explanation = forms.CharField(
        label="Giải thích đáp án",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Căn cứ, trích dẫn văn bản; chỉ hội đồng được xem.",
    )
    tags = forms.CharField(
        label="Nhãn", required=False, help_text="Cách nhau dấu phẩy, vd: Đại hội XIII, kết nạp."
    )
    shared_down = forms.BooleanField(
        label="Chia sẻ cho các tổ chức cấp dưới", required=False, initial=True
    )

    def __init__(
        self, *args: Any, owners: QuerySet[Organisation] | list[Organisation] | None, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        if owners is None:  # editing: the owner does not change
            del self.fields["owner"]
        else:
            ids = [o.pk for o in owners]
            self.fields["owner"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
                pk__in=ids
            ).order_by("depth", "sort_key")
            if ids and not self.is_bound:
                self.fields["owner"].initial = ids[0]


# A row's text: one line high, growing if the user drags it.
ONE_LINE = forms.Textarea(attrs={"rows": 1, "class": "one-line"})


class OptionForm(forms.Form):
    key = forms.CharField(label="Ký hiệu", max_length=5, required=False)
    text = forms.CharField(label="Nội dung phương án", widget=ONE_LINE, required=False)
    correct = forms.BooleanField(label="Đúng", required=False)


class RubricForm(forms.Form):
    criterion = forms.CharField(label="Tiêu chí", widget=ONE_LINE, required=False)
    points = forms.DecimalField(
        label="Điểm", max_digits=5, decimal_places=2, required=False, localize=True
    )


OptionFormSet = forms.formset_factory(OptionForm, extra=0, max_num=26, absolute_max=26)
RubricFormSet = forms.formset_factory(RubricForm, extra=0, max_num=20, absolute_max=20)


def question_forms(
    data: Any, *, owners: list[Organisation] | None, question: Question | None = None
) -> tuple[QuestionForm, Any, Any]:
    """The form and its two row sets, bound to ``data`` or filled from ``question``."""
    if data is not None:
        return (
            QuestionForm(data, owners=owners),
            OptionFormSet(data, prefix="options"),
            RubricFormSet(data, prefix="rubric"),
        )
    if question is None or question.current is None:
        blank_options = [{"key": k} for k in "ABCD"]
        return (
            QuestionForm(owners=owners),
            OptionFormSet(initial=blank_options, prefix="options"),
            RubricFormSet(initial=[{}, {}], prefix="rubric"),
        )
    version = question.current
    answer = version.answer
    correct = set(answer if isinstance(answer, list) else [answer])
    initial = {
        "topic": question.topic_id,
        "difficulty": question.difficulty,
        "type": question.type,
        "text": version.text,
        "points": version.points,
        "explanation": version.explanation,
        "tags": ", ".join(question.tags or []),
        "shared_down": question.shared_down,
        "truth": ("true" if answer else "false")
        if question.type == QuestionType.TRUE_FALSE and answer is not None
        else "",
        "accepted": "; ".join(answer or []) if question.type == QuestionType.SHORT else "",
    }
    options = [
        {"key": o["key"], "text": o["text"], "correct": o["key"] in correct}
        for o in version.options
    ] or [{"key": k} for k in "ABCD"]
    rubric = [{"criterion": c["criterion"], "points": c["points"]} for c in version.rubric] or [
        {},
        {},
    ]
    return (
        QuestionForm(initial=initial, owners=owners),
        OptionFormSet(initial=options, prefix="options"),
        RubricFormSet(initial=rubric, prefix="rubric"),
    )


def question_payload(form: QuestionForm, options: Any, rubric: Any) -> dict[str, Any]:
    """The action's arguments from valid forms: only the section of the chosen type."""
    data = form.cleaned_data
    kind = data["type"]
    payload: dict[str, Any] = {
        "topic": data["topic"],
        "difficulty": data["difficulty"],
        "type": kind,
        "text": data["text"],
        "points": data["points"],
        "explanation": data["explanation"],
        "tags": [t for t in (s.strip() for s in data["tags"].split(",")) if t],
        "shared_down": data["shared_down"],
        "options": [],
        "answer": None,
        "rubric": [],
    }
    if kind in WITH_OPTIONS:
        rows = [r for r in options.cleaned_data if r and (r.get("key") or r.get("text"))]
        used = {(r.get("key") or "").strip() for r in rows}
        spare = (letter for letter in LETTERS if letter not in used)
        for row in rows:
            key = (row.get("key") or "").strip() or next(spare, "")
            payload["options"].append({"key": key, "text": row.get("text") or ""})
            row["key"] = key
        correct = [r["key"] for r in rows if r.get("correct")]
        payload["answer"] = (
            correct
            if kind == QuestionType.MULTIPLE or len(correct) > 1
            else (correct[0] if correct else None)
        )
    elif kind == QuestionType.TRUE_FALSE:
        payload["answer"] = {"true": True, "false": False}.get(data["truth"])
    elif kind == QuestionType.SHORT:
        payload["answer"] = [part.strip() for part in re.split(r"[;\n]", data["accepted"])]
    else:
        payload["rubric"] = [
            {"criterion": r.get("criterion") or "", "points": r.get("points")}
            for r in rubric.cleaned_data
            if r and (r.get("criterion") or r.get("points") is not None)
        ]
    return payload


# Where an action's ``field=`` lands on the page.
FORM_FIELD = {
    "topic": "topic",
    "difficulty": "difficulty",
    "type": "type",
    "text": "text",
    "points": "points",
    "tags": "tags",
    "explanation": "explanation",
    "owner": "owner",
}


def answer_field(kind: str) -> str | None:
    if kind == QuestionType.TRUE_FALSE:
        return "truth"
    if kind == QuestionType.SHORT:
        return "accepted"
    return None


class ImportForm(forms.Form):
    owner = forms.ModelChoiceField(
        label="Nhập vào ngân hàng của", queryset=Organisation.objects.none()
    )
    file = forms.FileField(
        label="Tệp câu hỏi (.xlsx hoặc .csv UTF-8)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    content = forms.CharField(widget=forms.HiddenInput, required=False)
    filename = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, owners: list[Organisation], **kw: Any) -> None:
        super().__init__(*args, **kw)
        ids = [o.pk for o in owners]
        self.fields["owner"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=ids
        ).order_by("depth", "sort_key")
        if ids and not self.is_bound:
            self.fields["owner"].initial = ids[0]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is None and not data.get("content"):
            raise forms.ValidationError("Hãy chọn tệp câu hỏi.")
        if upload is not None and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("Tệp quá lớn: tối đa 1,5 MB mỗi lần nhập.")
        return data


class CopyForm(forms.Form):
    to_owner = forms.ModelChoiceField(
        label="Chép vào ngân hàng của", queryset=Organisation.objects.none()
    )

    def __init__(self, *args: Any, owners: list[Organisation], **kw: Any) -> None:
        super().__init__(*args, **kw)
        ids = [o.pk for o in owners]
        self.fields["to_owner"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=ids
        ).order_by("depth", "sort_key")
        if ids and not self.is_bound:
            self.fields["to_owner"].initial = ids[0]
