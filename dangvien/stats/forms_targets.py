"""Forms of the targets page: the node's own target, and one form for all its children.

Shape only (whole numbers, lengths); the rules live in ``stats.actions.targets``.
"""

from typing import Any

from django import forms

from dangvien.stats.actions.targets import MAX_TARGET, REASON_MAX
from dangvien.stats.models import Breakdown, Target
from dangvien.stats.queries.targets import ChildRow


def _number(label: str, *, required: bool) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=0,
        max_value=MAX_TARGET,
        widget=forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "numeric"}),
    )


def _reason(help_text: str) -> forms.CharField:
    return forms.CharField(
        label="Căn cứ, lý do",
        required=False,
        max_length=REASON_MAX,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class OwnTargetForm(forms.Form):
    """The node's own target with its optional breakdown (a first setting or a revision)."""

    target = _number("Chỉ tiêu kết nạp", required=True)

    def __init__(self, *args: Any, current: Target | None = None, **kwargs: Any) -> None:
        if current is not None and not args and "data" not in kwargs:
            kwargs["initial"] = {"target": current.target, **(current.breakdown or {})}
        super().__init__(*args, **kwargs)
        for key, label in Breakdown.choices:
            self.fields[key] = _number(f"Trong đó: {label}", required=False)
        self.fields["reason"] = _reason(
            "Bắt buộc khi điều chỉnh chỉ tiêu đã giao (ví dụ: số, ngày văn bản của cấp ủy)."
            if current is not None
            else "Ví dụ: Nghị quyết, kế hoạch của cấp ủy giao chỉ tiêu."
        )

    def breakdown_fields(self) -> list[forms.BoundField]:
        return [self[key] for key in Breakdown.values]

    def values(self) -> dict[str, Any]:
        """The action's keywords: ``target``, ``breakdown`` (filled keys only), ``reason``."""
        data = self.cleaned_data
        return {
            "target": data["target"],
            "breakdown": {k: data[k] for k in Breakdown.values if data.get(k) is not None},
            "reason": data.get("reason") or "",
        }


def child_field(pk: int) -> str:
    return f"child_{pk}"


class ChildrenTargetsForm(forms.Form):
    """One input per child and one reason for the whole save. A child that already has a
    target must keep one (a target is revised, never erased); an empty input for a child
    without a target leaves it without."""

    def __init__(self, *args: Any, rows: list[ChildRow], **kwargs: Any) -> None:
        if not args and "data" not in kwargs:
            kwargs["initial"] = {child_field(r.org.pk): r.value for r in rows}
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            number = _number(row.org.name, required=row.target is not None)
            number.widget.attrs["aria-label"] = f"Chỉ tiêu của {row.org.name}"
            number.widget.attrs["class"] = "targets-input"
            number.error_messages["required"] = (
                "Đã giao chỉ tiêu thì chỉ điều chỉnh, không xóa (nhập 0 nếu không giao)."
            )
            self.fields[child_field(row.org.pk)] = number
        self.fields["reason"] = _reason(
            "Bắt buộc khi điều chỉnh chỉ tiêu đã giao; dùng chung cho cả lần lưu này."
        )

    def field_of(self, pk: int) -> forms.BoundField:
        return self[child_field(pk)]

    def targets(self) -> dict[int, int]:
        """The filled inputs, by child id."""
        data = self.cleaned_data
        return {
            r.org.pk: data[child_field(r.org.pk)]
            for r in self.rows
            if data.get(child_field(r.org.pk)) is not None
        }
