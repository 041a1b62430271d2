"""Setting and revising yearly admission targets (issue 6 "Targets"; DOMAIN.md §2 "Set
yearly admission targets: each committee for its subordinates", seeds 001/003: the
province plans "1,600 new members or more" and assigns a target to each subordinate đảng
bộ, Hòa Bình 2022).

Every setting, the first included, writes a ``TargetRevision`` row (insert only) and
updates the ``Target`` row that holds the current values. The target row is locked while
it changes, so two committee staff revising at once queue and each gets its own revision
number. Only values that change make a revision: saving the same numbers again does
nothing.
"""

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from dangvien.core.actions import action
from dangvien.core.errors import DomainError, NotAllowed
from dangvien.core.text import checked_text
from dangvien.organisations.models import Organisation
from dangvien.stats.models import Breakdown, Target, TargetRevision
from dangvien.stats.queries.access import can_set_target

if TYPE_CHECKING:
    from dangvien.accounts.models import User

FIRST_YEAR = 2000  # the same range the pages' ``?year=`` accepts (stats.views.common)
MAX_TARGET = (
    1_000_000  # far above a province's yearly admissions (DOMAIN.md §9: ~200k/year nationally)
)
REASON_MAX = 1000
_INTEGER = re.compile(r"-?\d+")
_GROUPED = re.compile(r"-?\d{1,3}(\.\d{3})+")


class InvalidTarget(DomainError):
    """A value the target cannot take (negative, not a whole number, a breakdown above the
    target, a revision without its reason). The API answers 400 ``invalid``."""

    code = "invalid"


class TargetsRefused(InvalidTarget):
    """Saving the targets of several children refused: ``errors`` maps a child's id (or
    ``"reason"``) to its message. Nothing was saved."""

    def __init__(self, message: str, *, errors: dict[int | str, str]) -> None:
        super().__init__(message, field="targets")
        self.errors = errors


def breakdown_label(key: str) -> str:
    """``women`` → "nữ": the breakdown's name inside a sentence."""
    label = str(Breakdown(key).label)
    return label[:1].lower() + label[1:]


def _integral(value: float | Decimal) -> bool:
    if isinstance(value, float):
        return value.is_integer()
    return value.is_finite() and value == value.to_integral_value()


def _whole(value: Any, *, what: str, field: str) -> int:
    """A whole number ≥ 0 (ints, digit strings, integral floats or decimals), or a
    refusal naming ``what``."""
    number: int | None = None
    if isinstance(value, bool) or value is None:
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float | Decimal) and _integral(value):
        number = int(value)
    elif isinstance(value, str):
        text = value.strip()
        if _GROUPED.fullmatch(text):  # "1.600", as Vietnamese write thousands
            text = text.replace(".", "")
        if _INTEGER.fullmatch(text):
            number = int(text)
    if number is None:
        raise InvalidTarget(f"{what} phải là một số nguyên.", field=field)
    if number < 0:
        raise InvalidTarget(f"{what} không được âm.", field=field)
    if number > MAX_TARGET:
        raise InvalidTarget(
            f"{what} quá lớn (tối đa {MAX_TARGET:,}).".replace(",", "."), field=field
        )
    return number


def _checked_year(year: Any) -> int:
    """From 2000 to next year: targets are planned for the coming year at the latest."""
    last = timezone.localdate().year + 1
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= last:
        raise InvalidTarget(f"Năm giao chỉ tiêu phải từ {FIRST_YEAR} đến {last}.", field="year")
    return year


def _checked_breakdown(breakdown: dict[str, Any], target: int) -> dict[str, int]:
    """Keys from ``Breakdown`` only (DOMAIN.md §9 names the admission breakdowns); each a
    whole number no larger than the target itself. A key with an empty value has no
    breakdown target and is dropped."""
    if not isinstance(breakdown, dict):
        raise InvalidTarget("Chỉ tiêu cụ thể không hợp lệ.", field="breakdown")
    checked: dict[str, int] = {}
    for key, value in breakdown.items():
        if key not in Breakdown.values:
            raise InvalidTarget(f"Không có loại chỉ tiêu cụ thể “{key}”.", field="breakdown")
        if value is None or value == "":
            continue
        label = breakdown_label(key)
        number = _whole(value, what=f"Chỉ tiêu {label}", field=f"breakdown.{key}")
        if number > target:
            raise InvalidTarget(
                f"Chỉ tiêu {label} ({_n(number)}) lớn hơn chỉ tiêu kết nạp ({_n(target)}).",
                field=f"breakdown.{key}",
            )
        checked[key] = number
    # Stored in the order the statistics list them, so equal breakdowns compare equal.
    return {key: checked[key] for key in Breakdown.values if key in checked}


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _allowed(by: "User", org: Organisation) -> None:
    """Seeds 001/003: the committee above sets the target; a tree's top node records the
    one the Centre gave it (``stats.queries.access.can_set_target``)."""
    if not can_set_target(by, org):
        raise NotAllowed(
            f"Bạn không được giao chỉ tiêu kết nạp cho {org.name}: chỉ tiêu do cấp ủy cấp "
            "trên giao."
        )


@dataclass
class _Setting:
    """One target's checked new values, before anything is written."""

    org: Organisation
    row: Target | None  # the current target (locked), None for a first setting
    target: int
    breakdown: dict[str, int]
    reason: str

    @property
    def unchanged(self) -> bool:
        return (
            self.row is not None
            and self.row.target == self.target
            and (self.row.breakdown or {}) == self.breakdown
        )


def _check(
    org: Organisation,
    row: Target | None,
    *,
    target: Any,
    breakdown: dict[str, Any] | None,
    reason: str,
) -> _Setting:
    """Every rule on the values, no writes. ``breakdown=None`` keeps the current one (it
    must still fit under the new target)."""
    value = _whole(target, what="Chỉ tiêu kết nạp", field="target")
    current = dict(row.breakdown or {}) if row is not None else {}
    wanted = _checked_breakdown(current if breakdown is None else breakdown, value)
    text = checked_text(
        reason or "", what="lý do", field="reason", max_length=REASON_MAX, required=False
    )
    setting = _Setting(org=org, row=row, target=value, breakdown=wanted, reason=text)
    # A revision changes what the committee above already decided: say why (issue 6
    # "allow a target to be revised with history and a reason"). The first setting may
    # cite nothing beyond the plan itself.
    if row is not None and not setting.unchanged and not text:
        raise InvalidTarget("Điều chỉnh chỉ tiêu cần ghi lý do.", field="reason")
    return setting


def _write(setting: _Setting, *, year: int, by: "User") -> Target:
    """The revision row and the current values. A no-op when nothing changes."""
    now = timezone.now()
    actor = by if getattr(by, "pk", None) else None
    row = setting.row
    if row is not None and setting.unchanged:
        return row
    if row is None:
        row = Target(organisation=setting.org, year=year, revision=0)
        previous = None
    else:
        previous = row.target
    row.revision += 1
    row.target = setting.target
    row.breakdown = setting.breakdown
    row.reason = setting.reason
    row.by = actor
    row.at = now
    row.save()
    TargetRevision.objects.create(
        target=row,
        revision=row.revision,
        value=setting.target,
        breakdown=setting.breakdown,
        previous=previous,
        reason=setting.reason,
        by=actor,
        at=now,
    )
    return row


def _locked_rows(orgs: list[Organisation], year: int) -> dict[int, Target]:
    rows = Target.objects.select_for_update(of=("self",)).filter(
        organisation__in=[o.pk for o in orgs], year=year
    )
    return {row.organisation_id: row for row in rows}


def _create_first(setting: _Setting, *, year: int, by: "User") -> Target:
    """A first setting, unless another user's first setting got in just before: then
    this one is checked again as a revision of theirs."""
    try:
        with transaction.atomic():
            return _write(setting, year=year, by=by)
    except IntegrityError:
        row = _locked_rows([setting.org], year)[setting.org.pk]
        again = _check(
            setting.org,
            row,
            target=setting.target,
            breakdown=setting.breakdown,
            reason=setting.reason,
        )
        return _write(again, year=year, by=by)


@action
def set_target(
    org: Organisation,
    *,
    year: int,
    target: Any,
    reason: str = "",
    breakdown: dict[str, Any] | None = None,
    by: "User",
) -> Target:
    """Set or revise the yearly admission target of ``org`` (seeds 001/003; DOMAIN.md §2:
    each committee sets the targets of its subordinates; issue 6: revisions keep their
    history and reason).

    Refused when ``by`` may not set it (``NotAllowed``), when the target is not a whole
    number ≥ 0, when a breakdown key is unknown or its value exceeds the target, when the
    year is before 2000 or after next year, and when a revision has no reason
    (``InvalidTarget``). ``breakdown=None`` keeps the current breakdown; ``{}`` clears it.
    Saving the values already in force changes nothing and writes no revision.
    """
    _allowed(by, org)
    year = _checked_year(year)
    row = _locked_rows([org], year).get(org.pk)
    setting = _check(org, row, target=target, breakdown=breakdown, reason=reason)
    if row is None:
        return _create_first(setting, year=year, by=by)
    return _write(setting, year=year, by=by)


@action
def set_children_targets(
    parent: Organisation,
    *,
    year: int,
    targets: dict[int, Any],
    reason: str = "",
    by: "User",
) -> list[Target]:
    """Set the targets of several direct children of ``parent`` in one save (the targets
    page's one form; seeds 001/003: the committee assigns a target to each subordinate).

    All or nothing: each child's values are checked as ``set_target`` checks them (the
    one ``reason`` serves every child whose target is revised); if any child is refused,
    ``TargetsRefused`` names each child at fault (``errors`` by child id) and nothing is
    saved. Breakdowns are kept as they are. Answers the targets that changed.
    """
    year = _checked_year(year)
    errors: dict[int | str, str] = {}
    wanted: dict[int, Any] = {}
    for key, value in targets.items():
        try:
            wanted[int(key)] = value
        except (TypeError, ValueError):
            raise InvalidTarget(f"Mã tổ chức “{key}” không hợp lệ.", field="targets") from None
    ids = list(wanted)
    children = {
        o.pk: o for o in Organisation.objects.filter(parent=parent, pk__in=ids).order_by("sort_key")
    }
    for pk in ids:
        if pk not in children:
            errors[pk] = f"Tổ chức (mã {pk}) không trực thuộc {parent.name}."
    for child in children.values():
        _allowed(by, child)  # the same committee sets every child: refuse the whole save
    rows = _locked_rows(list(children.values()), year)
    settings: list[_Setting] = []
    for child in children.values():
        try:
            settings.append(
                _check(
                    child,
                    rows.get(child.pk),
                    target=wanted[child.pk],
                    breakdown=None,
                    reason=reason,
                )
            )
        except DomainError as error:
            if error.field == "reason":
                errors.setdefault("reason", str(error))
            errors[child.pk] = f"{child.name}: {error}"
    if errors:
        messages = [text for key, text in errors.items() if key != "reason"]
        raise TargetsRefused("Chưa lưu chỉ tiêu nào. " + " ".join(messages), errors=errors)
    saved = []
    for setting in settings:
        if setting.unchanged:
            continue
        if setting.row is None:
            saved.append(_create_first(setting, year=year, by=by))
        else:
            saved.append(_write(setting, year=year, by=by))
    return saved
