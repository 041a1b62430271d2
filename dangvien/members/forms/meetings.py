"""Forms of the meetings area: input shape only; the rules live in ``actions/meetings.py``."""

import re
from datetime import date
from typing import Any

from django import forms

from dangvien.candidates.forms import date_field
from dangvien.members.actions.meetings import REDUCTION_PERCENTS, Payment, Presence
from dangvien.members.models import DuesBasis, DuesChannel, MeetingKind, Member, ReliefKind
from dangvien.members.queries.meetings import DuesLine

_MONTH = re.compile(r"^\s*(?:(\d{1,2})\s*/\s*(\d{4})|(\d{4})-(\d{1,2}))\s*$")


def to_month(value: str) -> date | None:
    """``"03/2026"``, ``"3/2026"`` or ``"2026-03"`` → 1/3/2026; None otherwise."""
    found = _MONTH.match(value or "")
    if not found:
        return None
    month, year = (found[1], found[2]) if found[1] else (found[4], found[3])
    try:
        return date(int(year), int(month), 1)
    except ValueError:
        return None


class MonthField(forms.Field):
    """A month typed as mm/yyyy (the first day of the month, as the models store it)."""

    default_error_messages = {"invalid": "Tháng không hợp lệ: dùng dạng mm/yyyy, ví dụ 03/2026."}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"placeholder": "mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value.replace(day=1)
        month = to_month(str(value))
        if month is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return month

    def prepare_value(self, value: Any) -> Any:
        return f"{value:%m/%Y}" if isinstance(value, date) else value


# ---- member moves ------------------------------------------------------------------------


class DuesBasisForm(forms.Form):
    from_month = MonthField(label="Áp dụng từ tháng")
    basis = forms.ChoiceField(label="Căn cứ đóng đảng phí", choices=DuesBasis.choices)
    base_amount = forms.IntegerField(
        label="Tiền lương đóng BHXH / trợ cấp / lương hưu (đồng)",
        min_value=0,
        max_value=10**12,
        required=False,
        help_text="Chỉ cần với căn cứ theo tiền lương, trợ cấp hoặc lương hưu.",
    )

    def clean_base_amount(self) -> int:
        return self.cleaned_data.get("base_amount") or 0


class DuesReliefForm(forms.Form):
    kind = forms.ChoiceField(
        label="Hình thức", choices=ReliefKind.choices, widget=forms.RadioSelect
    )
    percent = forms.TypedChoiceField(
        label="Mức giảm",
        choices=[(p, f"{p}%") for p in REDUCTION_PERCENTS],
        coerce=int,
        required=False,
        help_text="Chỉ khi giảm.",
    )
    from_month = MonthField(label="Từ tháng")
    until_month = MonthField(label="Đến tháng", required=False)
    social_pension = forms.BooleanField(
        label="Hưởng trợ cấp hưu trí xã hội (miễn, không thời hạn)", required=False
    )
    reason = forms.CharField(label="Lý do", max_length=200)

    def clean_percent(self) -> int:
        return self.cleaned_data.get("percent") or 100


# ---- meetings ----------------------------------------------------------------------------

PRESENT, EXCUSED, ABSENT = "present", "excused", "absent"
PRESENCE_CHOICES = [(PRESENT, "Có mặt"), (EXCUSED, "Vắng có lý do"), (ABSENT, "Vắng")]


class MeetingForm(forms.Form):
    """A meeting with one row per member: present / excused with a reason / absent.

    ``members`` are the branch's expected members (annotated ``away`` / ``exempted``) and
    any guests (``visiting``); away members and those marked ``optional`` need no answer
    (the action fills in away members: they attend at the host).
    """

    kind = forms.ChoiceField(label="Loại", choices=MeetingKind.choices)
    held_on = date_field("Ngày họp")
    topic = forms.CharField(
        label="Nội dung / nghị quyết được học tập",
        max_length=300,
        required=False,
        help_text="Bắt buộc với sinh hoạt chuyên đề và học tập nghị quyết.",
    )

    def __init__(self, *args: Any, members: list[Member], with_meeting: bool = True, **kw: Any):
        super().__init__(*args, **kw)
        self.members = members
        if not with_meeting:
            for name in ("kind", "held_on", "topic"):
                del self.fields[name]
        for m in members:
            self.fields[f"status_{m.pk}"] = forms.ChoiceField(
                label=m.person.full_name,
                choices=PRESENCE_CHOICES,
                widget=forms.RadioSelect,
                required=not (getattr(m, "away", False) or getattr(m, "optional", False)),
                error_messages={"required": "Chọn có mặt, vắng có lý do hoặc vắng."},
            )
            self.fields[f"reason_{m.pk}"] = forms.CharField(
                label=f"Lý do vắng của {m.person.full_name}", max_length=200, required=False
            )

    def rows(self) -> list[dict[str, Any]]:
        """For the template: each member with their two fields."""
        return [
            {"member": m, "status": self[f"status_{m.pk}"], "reason": self[f"reason_{m.pk}"]}
            for m in self.members
        ]

    def attendance(self) -> list[Presence]:
        """The grid as the action takes it; rows left blank (away members, guests) are
        left out for the action to fill in."""
        rows = []
        for m in self.members:
            status = self.cleaned_data.get(f"status_{m.pk}")
            if not status:
                continue
            reason = self.cleaned_data.get(f"reason_{m.pk}", "")
            rows.append(Presence(m, status == PRESENT, status == EXCUSED, reason))
        return rows


# ---- dues --------------------------------------------------------------------------------


# The grid's narrow column: the same two channels, short (01-QĐ/TW 2026).
SHORT_CHANNELS = [(DuesChannel.PORTAL, "Cổng DVC quốc gia"), (DuesChannel.CASH, "Tiền mặt")]


class DuesGridForm(forms.Form):
    """The month's dues of a branch, one row per member. Rows left empty are not written
    unless ``close`` asks to record them as unpaid."""

    close = forms.BooleanField(
        label="Chốt sổ tháng: ghi nhận đảng viên chưa nộp (các dòng để trống)", required=False
    )

    def __init__(self, *args: Any, lines: list[DuesLine], paid_on: date, **kw: Any):
        super().__init__(*args, **kw)
        self.lines = lines
        for line in lines:
            pk, p, name = line.member.pk, line.payment, line.member.person.full_name
            due = "" if line.amount_due is None else str(line.amount_due)
            self.fields[f"paid_{pk}"] = forms.IntegerField(
                label=f"Số tiền nộp của {name}",
                min_value=0,
                max_value=10**12,
                required=False,
                initial=p.amount_paid if p and (p.amount_paid or p.excused) else None,
                widget=forms.NumberInput(
                    attrs={
                        "step": 1000,
                        "placeholder": due,
                        "aria-label": f"Số tiền nộp của {name}",
                    }
                ),
            )
            self.fields[f"paid_on_{pk}"] = date_field(
                f"Ngày nộp của {name}",
                required=False,
                initial=p.paid_on if p and p.paid_on else paid_on,
            )
            self.fields[f"paid_on_{pk}"].widget.attrs.update(
                {"aria-label": f"Ngày nộp của {name}", "class": "w-8rem"}
            )
            self.fields[f"channel_{pk}"] = forms.ChoiceField(
                label=f"Hình thức nộp của {name}",
                choices=SHORT_CHANNELS,
                initial=p.channel if p and p.channel else DuesChannel.CASH,
                widget=forms.Select(
                    attrs={"aria-label": f"Hình thức nộp của {name}", "class": "w-auto"}
                ),
            )
            self.fields[f"excused_{pk}"] = forms.BooleanField(
                label=f"Chưa nộp có lý do ({name})", required=False, initial=bool(p and p.excused)
            )
            self.fields[f"note_{pk}"] = forms.CharField(
                label=f"Ghi chú / lý do ({name})",
                max_length=200,
                required=False,
                initial=p.note if p else "",
                widget=forms.TextInput(
                    attrs={
                        "placeholder": "Ghi chú / lý do",
                        "aria-label": f"Ghi chú ({name})",
                        "class": "w-10rem",
                    }
                ),
            )

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "line": line,
                "paid": self[f"paid_{line.member.pk}"],
                "paid_on": self[f"paid_on_{line.member.pk}"],
                "channel": self[f"channel_{line.member.pk}"],
                "excused": self[f"excused_{line.member.pk}"],
                "note": self[f"note_{line.member.pk}"],
            }
            for line in self.lines
        ]

    def payments(self) -> list[Payment]:
        data, close = self.cleaned_data, self.cleaned_data.get("close")
        rows = []
        for line in self.lines:
            pk = line.member.pk
            paid = data.get(f"paid_{pk}")
            excused = bool(data.get(f"excused_{pk}"))
            if paid is None and not excused and (not close or line.amount_due is None):
                continue  # not entered this time (or no basis to record it on)
            rows.append(
                Payment(
                    line.member,
                    paid or 0,
                    data.get(f"paid_on_{pk}") if paid else None,
                    data.get(f"channel_{pk}", "") if paid else "",
                    excused,
                    data.get(f"note_{pk}", ""),
                )
            )
        return rows
