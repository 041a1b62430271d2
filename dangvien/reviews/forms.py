"""Forms of the quality review pages: input shape only (numbers, dates, lengths). Every
rule (rating bands, quota, who may act, exempted members) lives in ``reviews.actions``.

The sheet and the decision page carry one group of inputs per member. They are rendered
by hand in the templates (a Django widget per input would be slow for a thousand rows) and
read back here, one small form per row, named ``m<member id>-<field>`` on the sheet and
``r<review id>-<field>`` on the decision pages.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.http import QueryDict

from dangvien.candidates.forms import date_field
from dangvien.reviews.models import Penalty, PeriodKind, Rating

RATING_CHOICES = [("", "—"), *Rating.choices]

# Short rating labels for narrow columns; the pages give the full wording in a legend.
SHORT: dict[str, str] = {
    Rating.EXCELLENT: "Xuất sắc",
    Rating.GOOD: "Tốt",
    Rating.COMPLETE: "Hoàn thành",
    Rating.FAILED: "Không hoàn thành",
}
# The badge class of each rating (green for excellent, red for failed).
BADGES: dict[str, str] = {
    Rating.EXCELLENT: "ok",
    Rating.GOOD: "info",
    Rating.COMPLETE: "",
    Rating.FAILED: "bad",
}
COMMENT_MAX = 1000


class ScoreField(forms.DecimalField):
    """A score on the 100-point framework, one decimal; "85,5" and "85.5" both read."""

    def __init__(self, label: str, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        )
        super().__init__(
            label=label,
            min_value=Decimal(0),
            max_value=Decimal(100),
            max_digits=4,
            decimal_places=1,
            **kwargs,
        )
        self.error_messages.update(
            {
                "invalid": "Điểm là một số từ 0 đến 100 (một chữ số thập phân, ví dụ 85,5).",
                "min_value": "Điểm không được âm.",
                "max_value": "Điểm tối đa là 100.",
                "max_decimal_places": "Điểm chỉ lấy một chữ số thập phân (ví dụ 85,5).",
                "max_digits": "Điểm là một số từ 0 đến 100 (một chữ số thập phân).",
                "max_whole_digits": "Điểm tối đa là 100.",
            }
        )

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


class PercentField(forms.IntegerField):
    def __init__(self, label: str, **kwargs: Any) -> None:
        super().__init__(label=label, min_value=0, max_value=100, **kwargs)
        self.error_messages.update(
            {
                "invalid": "Nhập một số nguyên từ 0 đến 100.",
                "min_value": "Tỷ lệ không được âm.",
                "max_value": "Tỷ lệ tối đa là 100%%.",
                "required": "Nhập tỷ lệ (0–100).",
            }
        )


def score_text(value: Decimal | None) -> str:
    """A stored score as typed in a Vietnamese form: 85,5 (85 when whole)."""
    if value is None:
        return ""
    text = f"{value.normalize():f}" if value == value.to_integral() else f"{value:.1f}"
    return text.replace(".", ",")


# ---- periods ------------------------------------------------------------------------


class OpenPeriodForm(forms.Form):
    organisation = forms.TypedChoiceField(label="Cấp ủy mở kỳ", coerce=int)
    kind = forms.ChoiceField(label="Loại kỳ", choices=PeriodKind.choices)
    year = forms.IntegerField(label="Năm", min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label="Quý",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), (1, "Quý I"), (2, "Quý II"), (3, "Quý III"), (4, "Quý IV")],
        help_text="Chỉ cho kỳ hằng quý.",
    )
    name = forms.CharField(
        label="Tên kỳ",
        required=False,
        max_length=200,
        help_text="Để trống để đặt tên theo năm (ví dụ: Kiểm điểm, đánh giá, xếp loại năm 2026).",
    )
    starts_on = date_field(
        "Từ ngày", required=False, help_text="Bắt buộc cho kỳ nhiệm kỳ, đột xuất."
    )
    ends_on = date_field("Đến ngày", required=False)

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = organisations  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "year": data["year"],
            "quarter": data.get("quarter"),
            "name": data.get("name") or "",
            "starts_on": data.get("starts_on"),
            "ends_on": data.get("ends_on"),
        }


class ClosePeriodForm(forms.Form):
    closed_on = date_field("Ngày kết thúc kỳ")


# ---- the branch sheet ---------------------------------------------------------------


class SheetHeadForm(forms.Form):
    """The chi bộ meeting that reviewed the members: one date and resolution for all."""

    held_on = date_field("Ngày chi bộ họp kiểm điểm")
    resolution_no = forms.CharField(label="Số nghị quyết / biên bản", max_length=50, required=False)


class SheetRowForm(forms.Form):
    """One member's line on the sheet (prefix ``m<member id>``)."""

    self_score = ScoreField("Điểm tự chấm")
    self_rating = forms.ChoiceField(label="Tự xếp loại", choices=RATING_CHOICES, required=False)
    branch_score = ScoreField("Điểm chi bộ chấm")
    proposed_rating = forms.ChoiceField(
        label="Chi bộ đề xuất", choices=RATING_CHOICES, required=False
    )
    on_time_percent = PercentField("% nhiệm vụ đúng hạn", required=False)
    beyond_percent = PercentField("% nhiệm vụ vượt yêu cầu", required=False)
    degraded = forms.BooleanField(label="Bị kết luận suy thoái", required=False)
    branch_comment = forms.CharField(
        label="Nhận xét của chi bộ", max_length=COMMENT_MAX, required=False
    )
    in_favour = forms.IntegerField(
        label="Số tán thành",
        required=False,
        min_value=0,
        max_value=100_000,
        error_messages={
            "invalid": "Số tán thành là một số nguyên.",
            "min_value": "Số phiếu không thể âm.",
            "max_value": "Số tán thành quá lớn.",
        },
    )

    INPUTS = (
        "self_score",
        "self_rating",
        "branch_score",
        "proposed_rating",
        "on_time_percent",
        "beyond_percent",
        "degraded",
        "branch_comment",
        "in_favour",
    )


# A share left blank for a member who did not self-assess: nothing to fall back on.
SHARE_NEEDED = {
    "on_time_percent": "Cần nhập % nhiệm vụ đúng tiến độ (0–100): đảng viên chưa tự đánh giá.",
    "beyond_percent": "Cần nhập % nhiệm vụ vượt yêu cầu (0–100): đảng viên chưa tự đánh giá.",
}


def sheet_prefix(member_id: int) -> str:
    return f"m{member_id}"


def sheet_initial(review: Any) -> dict[str, Any]:
    """The inputs of a line as the stored review fills them (empty for no review)."""
    if review is None:
        return {"on_time_percent": 100, "beyond_percent": 0, "degraded": False}
    return {
        "self_score": score_text(review.self_score),
        "self_rating": review.self_rating,
        "branch_score": score_text(review.branch_score),
        "proposed_rating": review.proposed_rating,
        "on_time_percent": review.on_time_percent,
        "beyond_percent": review.beyond_percent,
        "degraded": review.degraded,
        "branch_comment": review.branch_comment,
        "in_favour": review.branch_in_favour,
    }


@dataclass
class ReadRow:
    """What one line of a posted sheet says: the typed values (kept to show again), the
    shape errors by input, and whether the line asks for a save at all."""

    member_id: int
    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    cleaned: dict[str, Any] = field(default_factory=dict)
    filled: bool = False


def read_sheet_row(data: QueryDict, member_id: int, review: Any) -> ReadRow:
    """One posted line. A line is sent to the action when the chi bộ's part (branch score
    or proposed rating) is filled, or when there was no self-assessment and one is typed;
    an untouched self-assessment with nothing from the chi bộ is left as it is. A share of
    tasks left blank keeps the self-assessment's; with no self-assessment it must be
    typed (a blank is not read as 100% on time or 0% beyond)."""
    prefix = sheet_prefix(member_id)
    form = SheetRowForm(data, prefix=prefix)
    values = {
        name: (
            f"{prefix}-{name}" in data
            if name == "degraded"
            else data.get(f"{prefix}-{name}", "").strip()
        )
        for name in SheetRowForm.INPUTS
    }
    row = ReadRow(member_id=member_id, values=values)
    if not form.is_valid():
        row.errors = {name: " ".join(str(e) for e in errs) for name, errs in form.errors.items()}
        row.filled = True
        return row
    cleaned = form.cleaned_data
    branch_part = cleaned["branch_score"] is not None or bool(cleaned["proposed_rating"])
    self_part = cleaned["self_score"] is not None or bool(cleaned["self_rating"])
    row.cleaned = cleaned
    row.filled = branch_part or (self_part and review is None)
    for name, needed in SHARE_NEEDED.items():
        if cleaned[name] is not None:
            continue
        if review is not None:
            cleaned[name] = getattr(review, name)
        elif row.filled:
            row.errors[name] = needed
    return row


# ---- decisions ----------------------------------------------------------------------


class DecisionHeadForm(forms.Form):
    decision_no = forms.CharField(label="Số quyết định / thông báo", max_length=50)
    decided_on = date_field("Ngày quyết định")
    note = forms.CharField(
        label="Ghi chú",
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PublishForm(forms.Form):
    published_on = date_field("Ngày công khai kết quả")


def decision_prefix(review_id: int) -> str:
    return f"r{review_id}"


@dataclass
class ReadItem:
    review_id: int
    picked: bool
    rating: str
    error: str = ""


def read_decision_items(data: QueryDict, review_ids: list[int]) -> list[ReadItem]:
    """The ticked lines and the rating chosen on each (unknown ratings are an error)."""
    picked = set(data.getlist("pick"))
    items = []
    for review_id in review_ids:
        rating = data.get(f"{decision_prefix(review_id)}-rating", "").strip()
        error = ""
        if rating and rating not in Rating.values:
            error = "Xếp loại không hợp lệ."
        items.append(ReadItem(review_id, str(review_id) in picked, rating, error))
    return items


# ---- organisations ------------------------------------------------------------------


class OrgAssessmentForm(forms.Form):
    """An organisation's own review (its committee fills it)."""

    organisation = forms.TypedChoiceField(label="Tổ chức đảng", coerce=int)
    self_score = ScoreField("Điểm tự chấm", required=True)
    self_rating = forms.ChoiceField(label="Tự xếp loại", choices=RATING_CHOICES)
    on_time_percent = PercentField("% nhiệm vụ đúng tiến độ", initial=100)
    beyond_percent = PercentField("% nhiệm vụ vượt yêu cầu", initial=0)
    shortcomings_fixed = forms.BooleanField(
        label="Đã khắc phục 100% hạn chế, khuyết điểm được chỉ ra", required=False, initial=True
    )
    disciplined = forms.BooleanField(
        label="Tập thể, tổ chức trực thuộc hoặc cán bộ chủ chốt bị kỷ luật trong kỳ",
        required=False,
    )
    assessed_on = date_field("Ngày tự đánh giá")
    self_comment = forms.CharField(
        label="Tự nhận xét",
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = organisations  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("organisation")
        data["self_comment"] = data.get("self_comment") or ""
        return data


# ---- disciplines --------------------------------------------------------------------


class DisciplineForm(forms.Form):
    penalty = forms.ChoiceField(label="Hình thức kỷ luật", choices=Penalty.choices)
    decided_on = date_field("Ngày quyết định")
    decision_no = forms.CharField(label="Số quyết định", max_length=50)
    body = forms.CharField(
        label="Cấp quyết định", max_length=200, help_text="Ví dụ: Chi bộ thôn Đông, Đảng ủy xã."
    )
    reason = forms.CharField(
        label="Nội dung vi phạm", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    self_reported = forms.BooleanField(
        label="Đảng viên tự phát hiện, tự báo cáo và đã khắc phục xong (không tính khi xếp loại)",
        required=False,
    )
    already_counted = forms.BooleanField(
        label="Vi phạm này đã được tính khi xếp loại kỳ trước (một vi phạm chỉ tính một lần)",
        required=False,
    )
