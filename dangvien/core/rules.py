"""Versioned rule parameters: every threshold and deadline, with its source.

``DOMAIN.md`` §0 asks that thresholds be data with an effective date, not constants. The
defaults below are the values in force from the regulation named beside each; a
``RuleParameter`` row overrides one from its ``effective_from`` date, nationwide or for
one subtree (the most specific organisation wins, then the latest date). Values marked
[R]/[U] in DOMAIN.md are exactly the ones a client may need to change.
"""

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dangvien.organisations.models import Organisation


@dataclass(frozen=True)
class Default:
    value: Any
    source: str
    label: str


DEFAULTS: dict[str, Default] = {
    "admission.min_age_months": Default(
        18 * 12, "Điều lệ Đảng Điều 4; 294-QĐ/TW §1.1", "Tuổi tối thiểu (tháng) khi chi bộ xét"
    ),
    "admission.max_age_months": Default(
        60 * 12,
        "294-QĐ/TW §1.1.2 [ranh giới 60 tuổi + N tháng chưa xác định: U]",
        "Tuổi tối đa (tháng) không cần cấp tỉnh quyết định",
    ),
    "admission.min_education": Default(
        "lower_secondary", "294-QĐ/TW §1.2 (tốt nghiệp THCS)", "Trình độ học vấn tối thiểu"
    ),
    "admission.certificate_validity_months": Default(
        60, "HD 06-HD/TW §5.4 [R]", "Hiệu lực giấy chứng nhận lớp nhận thức (tháng)"
    ),
    "admission.background_validity_months": Default(
        12, "HD 06-HD/TW §3.4 [U]", "Hiệu lực kết quả thẩm tra lý lịch (tháng)"
    ),
    "admission.introducer_known_months": Default(
        12,
        "Điều lệ Đảng Điều 4; 294-QĐ/TW §3.2.1",
        "Thời gian người giới thiệu biết người vào Đảng (tháng)",
    ),
    "admission.youth_union_max_age": Default(
        30, "Điều lệ Đoàn TNCS Hồ Chí Minh [U]", "Tuổi đoàn viên tối đa để Đoàn giới thiệu"
    ),
    "admission.knowledge_test_required": Default(
        False,
        "Thực tiễn địa phương (seed 000); cấu hình theo tỉnh",
        "Bắt buộc kiểm tra nhận thức trước khi chi bộ xét",
    ),
    "branch.min_official_members": Default(
        3, "Điều lệ Đảng (DOMAIN.md §2)", "Số đảng viên chính thức tối thiểu của một chi bộ"
    ),
    "vote.branch": Default(
        [2, 3, "at_least"], "Điều lệ Đảng Điều 4–5; HD 06 §3.6b [R]", "Chi bộ: tỷ lệ tán thành"
    ),
    "vote.grassroots": Default(
        [2, 3, "at_least"], "24/294-QĐ/TW [R]", "Đảng ủy cơ sở: tỷ lệ tán thành"
    ),
    "vote.decider": Default(
        [1, 2, "more_than"], "QĐ 29/24/294 §4.3.2", "Ban thường vụ cấp ủy cấp trên: tỷ lệ tán thành"
    ),
    "vote.authorised_grassroots": Default(
        [2, 3, "at_least"],
        "§4.3.2a; HD 06 §3.7a [R]",
        "Đảng ủy cơ sở được ủy quyền: tỷ lệ trên tổng số cấp ủy viên",
    ),
    "deadline.decision_working_days": Default(
        60, "QĐ 29 §4.3.1 (giữ trong 294 [U])", "Hạn ra quyết định kết nạp (ngày làm việc)"
    ),
    "deadline.decision_extension_working_days": Default(
        30, "QĐ 29 §4.3.1", "Gia hạn một lần tối đa (ngày làm việc)"
    ),
    "deadline.ceremony_working_days": Default(
        30, "Điều lệ Điều 5; 294-QĐ/TW §4.1", "Hạn tổ chức lễ kết nạp (ngày làm việc)"
    ),
}


def value_problem(key: str, value: Any) -> str:
    """Why ``value`` cannot stand for ``key`` ("" when it can): same shape as the default."""
    if key not in DEFAULTS:
        return f"Không có tham số “{key}”."
    default = DEFAULTS[key].value
    if isinstance(default, bool):
        return "" if isinstance(value, bool) else "Giá trị phải là true hoặc false."
    if isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        return "" if ok else "Giá trị phải là một số nguyên không âm."
    if isinstance(default, str):
        return "" if isinstance(value, str) and value else "Giá trị phải là một chuỗi."
    ok = (
        isinstance(value, list)
        and len(value) == 3
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value[:2])
        and 0 < value[0] <= value[1]
        and value[2] in ("at_least", "more_than")
    )
    return "" if ok else 'Tỷ lệ phải có dạng [tử số, mẫu số, "at_least" hoặc "more_than"].'


def rule(key: str, *, on: date, organisation: "Organisation | None" = None) -> Any:
    """The value of ``key`` in force on ``on`` for ``organisation``'s subtree.

    Precedence: the most specific organisation's versions first, then the latest date among
    them. A province's own setting therefore stands until the province changes it, even
    when a later nationwide version appears; a province follows a national change by
    adding its own version or removing its setting.
    """
    from dangvien.core.models import RuleParameter

    if key not in DEFAULTS:
        raise KeyError(key)
    versions = RuleParameter.objects.filter(key=key, effective_from__lte=on)
    if organisation is None:
        versions = versions.filter(organisation__isnull=True)
    else:
        ancestor_ids = organisation.ancestor_ids(include_self=True)
        versions = versions.filter(organisation_id__in=[*ancestor_ids]) | versions.filter(
            organisation__isnull=True
        )
    best = None
    for version in versions.select_related("organisation"):
        rank = (version.organisation.depth if version.organisation else -1, version.effective_from)
        if best is None or rank > best[0]:
            best = (rank, version.value)
    return DEFAULTS[key].value if best is None else best[1]


def ratio_met(votes: int, total: int, ratio: list[Any]) -> bool:
    """Whether ``votes`` of ``total`` meets a ratio rule ``[num, den, at_least|more_than]``.

    Exact integer arithmetic: 2 of 3 meets "at least 2/3"; 2 of 4 does not meet "more than
    1/2".
    """
    numerator, denominator, kind = ratio
    if total <= 0:
        return False
    if kind == "at_least":
        return votes * denominator >= total * numerator
    return votes * denominator > total * numerator


def ratio_text(ratio: list[Any]) -> str:
    numerator, denominator, kind = ratio
    prefix = "ít nhất" if kind == "at_least" else "trên"
    return f"{prefix} {numerator}/{denominator}"
