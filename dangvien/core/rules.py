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
    # Later versions fixed by the same regulation: ((effective_from, value), ...).
    later: tuple[tuple[date, Any], ...] = ()

    def on(self, day: date) -> Any:
        value = self.value
        for since, later_value in self.later:
            if day >= since:
                value = later_value
        return value


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
    "course.pass_mark": Default(
        5, "Thực tiễn các trung tâm chính trị [U]", "Điểm bài thu hoạch đạt (thang 10)"
    ),
    "course.min_attendance_percent": Default(
        80, "Thực tiễn các trung tâm chính trị [U]", "Tỷ lệ số buổi dự học tối thiểu (%)"
    ),
    "targets.pace_warning_percent": Default(
        80,
        "Thực tiễn theo dõi tiến độ (seed 000, 003) [U]",
        "Cảnh báo khi số kết nạp dưới (%) mức tiến độ bình quân theo thời gian trong năm",
    ),
    "targets.projection_min_base": Default(
        20,
        "Issue 6 (dự báo cả năm theo mùa vụ năm trước) [U]",
        "Số kết nạp cùng kỳ năm trước tối thiểu để dự báo theo mùa vụ (dưới mức này: "
        "dự báo tuyến tính theo số ngày)",
    ),
    "course.retake_window_months": Default(
        6,
        "HD 06-HD/TW §5.4 [R] (hết hạn trước khi chi bộ xét thì học lại); khoảng báo trước [U]",
        "Giấy chứng nhận lớp nhận thức hết hạn trong vòng (tháng) thì được học lại",
    ),
    "exam.result_validity_months": Default(
        12,
        "Thực tiễn địa phương (seed 000) [U]",
        "Kết quả kiểm tra nhận thức dùng được khi chi bộ xét (tháng)",
    ),
    "exam.resit_min_days": Default(
        30, "Thực tiễn địa phương (seed 000) [U]", "Số ngày tối thiểu trước khi kiểm tra lại"
    ),
    "exam.max_attempts": Default(
        3, "Thực tiễn địa phương (seed 000) [U]", "Số lần kiểm tra tối đa của một người"
    ),
    "exam.autosave_grace_seconds": Default(
        60,
        "Kỹ thuật (issue 5): bù độ trễ mạng khi lưu câu trả lời sát giờ [U]",
        "Thời gian chờ nhận câu trả lời sau khi hết giờ làm bài trực tuyến (giây)",
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
    "probation.report_interval_months": Default(
        1,
        "Thực tiễn (seed 000): nhận xét hằng tháng; cấu hình theo tỉnh",
        "Chu kỳ nhận xét đảng viên dự bị (tháng)",
    ),
    "deadline.recognition_vote_working_days": Default(
        30,
        "294-QĐ/TW §4.2",
        "Hạn chi bộ xét công nhận chính thức sau khi hết 12 tháng dự bị (ngày làm việc)",
    ),
    "deadline.recognition_decision_working_days": Default(
        30,
        "QĐ 29 §4.3.1; 294-QĐ/TW §4.2",
        "Hạn cấp ủy quyết định công nhận chính thức sau nghị quyết chi bộ (ngày làm việc)",
    ),
    "deadline.recognition_extension_working_days": Default(
        30, "QĐ 29 §4.3.1", "Gia hạn quyết định công nhận chính thức (ngày làm việc)"
    ),
    "vote.failed_attempts_to_superior": Default(
        3,
        "QĐ 29 §4.2c",
        "Số lần chi bộ biểu quyết không đạt 2/3 thì báo cáo cấp trên quyết định",
    ),
    "removal.self_review_requests": Default(
        3, "HD 01-HD/TW §11.1", "Số lần yêu cầu tự kiểm điểm trước khi chi bộ xem xét xóa tên"
    ),
    "removal.missed_months": Default(
        3,
        "Điều lệ Đảng Điều 8; 01-QĐ/TW 2026",
        "Số tháng trong năm bỏ sinh hoạt hoặc không đóng đảng phí thì xem xét xóa tên",
    ),
    "removal.window_months": Default(
        12,
        "Điều lệ Đảng Điều 8 (“trong năm”) [U: năm dương lịch hay 12 tháng liền]",
        "Khoảng thời gian tính số tháng vi phạm (tháng)",
    ),
    "removal.complaint_working_days": Default(
        30, "HD 01-HD/TW §11.1 [U]", "Thời hạn khiếu nại quyết định xóa tên (ngày làm việc)"
    ),
    "removal.education_months": Default(
        12,
        "Điều lệ Đảng Điều 8; 24/294-QĐ/TW §8.1",
        "Thời gian chi bộ giáo dục đảng viên giảm sút ý chí trước khi xem xét xóa tên (tháng)",
    ),
    "deadline.removal_decision_working_days": Default(
        30,
        "HD 01-HD/TW §11.1b (theo điểm 4.6) [U: lấy theo hạn công nhận chính thức, QĐ 29 §4.3.1]",
        "Hạn cấp ủy quyết định xóa tên sau nghị quyết chi bộ (ngày làm việc)",
    ),
    "readmission.wait_months": Default(
        36, "294-QĐ/TW §3.5", "Thời gian tối thiểu từ khi ra khỏi Đảng đến khi kết nạp lại (tháng)"
    ),
    "readmission.wait_after_conviction_months": Default(
        60,
        "294-QĐ/TW §3.5",
        "Thời gian tối thiểu sau khi được xóa án tích (tội ít nghiêm trọng) (tháng)",
    ),
    "badge.early_ill_months": Default(
        12,
        "HD 01-HD/TW 2021 §18; 24/294-QĐ/TW (huy hiệu 30–65 năm) [C; văn bản sau: U]",
        "Trao sớm Huy hiệu Đảng cho đảng viên bị bệnh nặng: tối đa (tháng)",
    ),
    "badge.early_ill_long_months": Default(
        24,
        "HD 01-HD/TW 2021 §18; 24/294-QĐ/TW (huy hiệu 70–90 năm) [C; văn bản sau: U]",
        "Trao sớm Huy hiệu 70 năm trở lên cho đảng viên bị bệnh nặng: tối đa (tháng)",
    ),
    "badge.early_ill_long_from_years": Default(
        70,
        "HD 01-HD/TW 2021 §18 [C; văn bản sau: U]",
        "Mốc huy hiệu (năm) từ đó được trao sớm tối đa theo thời hạn dài",
    ),
    "badge.posthumous_early_months": Default(
        12,
        "HD 01-HD/TW 2021 §18; 24/294-QĐ/TW [C; văn bản sau: U]",
        "Truy tặng Huy hiệu Đảng sớm cho đảng viên từ trần: tối đa (tháng)",
    ),
    "transfer.request_working_days": Default(
        60, "294-QĐ/TW §6.3.1", "Hạn làm thủ tục chuyển sinh hoạt chính thức (ngày làm việc)"
    ),
    "transfer.present_working_days": Default(
        30, "294-QĐ/TW §6.3.1", "Hạn nộp giấy giới thiệu sinh hoạt đảng (ngày làm việc)"
    ),
    "transfer.temporary_min_months": Default(
        3, "294-QĐ/TW §6.3.2", "Sinh hoạt tạm thời: thời gian tối thiểu (tháng)"
    ),
    "transfer.temporary_max_months": Default(
        12, "294-QĐ/TW §6.3.2", "Sinh hoạt tạm thời: thời gian tối đa (tháng, không kể đi học)"
    ),
    "transfer.study_max_months": Default(
        24, "294-QĐ/TW §6.3.2", "Sinh hoạt tạm thời khi đi học tập trung: tối đa (tháng)"
    ),
    "far_away.contact_months": Default(
        3,
        "Thực tiễn (seed 004: theo dõi đảng viên đi làm ăn xa) [U]",
        "Số tháng không liên lạc với đảng viên đi làm ăn xa thì cảnh báo",
    ),
    "dues.insured_rate_bp": Default(
        100, "01-QĐ/TW 2026", "Đảng phí theo tiền lương BHXH (phần vạn: 100 = 1%)"
    ),
    "dues.pension_rate_bp": Default(
        50, "01-QĐ/TW 2026", "Đảng phí theo lương hưu ngoài BHXH (phần vạn: 50 = 0,5%)"
    ),
    "dues.student_amount": Default(
        5000, "01-QĐ/TW 2026", "Đảng phí học sinh, sinh viên (đồng/tháng)"
    ),
    "dues.other_working_age_rate_bp": Default(
        30,
        "01-QĐ/TW 2026 (0,3% năm 2026–2027; 0,5% từ 2028)",
        "Đảng phí đối tượng khác dưới tuổi nghỉ hưu (phần vạn lương tối thiểu vùng)",
        later=((date(2028, 1, 1), 50),),
    ),
    "dues.other_retired_age_rate_bp": Default(
        20,
        "01-QĐ/TW 2026 (0,2% năm 2026–2027; 0,3% từ 2028)",
        "Đảng phí đối tượng khác từ tuổi nghỉ hưu (phần vạn lương tối thiểu vùng)",
        later=((date(2028, 1, 1), 30),),
    ),
    "dues.regional_minimum_wage": Default(
        3_700_000,
        "NĐ 293/2025/NĐ-CP, vùng IV từ 1/1/2026 [R]; đặt theo từng địa bàn",
        "Lương tối thiểu vùng nơi sinh hoạt (đồng/tháng)",
    ),
    "dues.rounding_unit": Default(
        1000,
        "[R] thực tiễn thu nộp đảng phí; DOMAIN.md §7 không nêu cách làm tròn",
        "Làm tròn số đảng phí phải nộp đến (đồng; 0 hoặc 1: không làm tròn)",
    ),
    "dues.exempt_party_age_years": Default(
        50, "01-QĐ/TW 2026", "Tuổi đảng được miễn đóng đảng phí (năm)"
    ),
    "dues.relief_max_months": Default(
        12, "01-QĐ/TW 2026 [C, thông báo của trường]", "Miễn, giảm đảng phí mỗi lần tối đa (tháng)"
    ),
    "review.excellent_min_score": Default(
        90,
        "366-QĐ/TW Điều 11 (khung 100 điểm) [C]",
        "Điểm tối thiểu để xếp loại hoàn thành xuất sắc",
    ),
    "review.good_min_score": Default(
        70, "366-QĐ/TW Điều 11 [C]", "Điểm tối thiểu để xếp loại hoàn thành tốt nhiệm vụ"
    ),
    "review.complete_min_score": Default(
        50,
        "366-QĐ/TW Điều 11 [C]; dưới mức này: không hoàn thành [U]",
        "Điểm tối thiểu để xếp loại hoàn thành nhiệm vụ",
    ),
    "review.excellent_beyond_percent": Default(
        30,
        "366-QĐ/TW Điều 11 [C]",
        "Tỷ lệ nhiệm vụ vượt yêu cầu tối thiểu (%) để xếp loại hoàn thành xuất sắc",
    ),
    "review.complete_max_late_percent": Default(
        20,
        "366-QĐ/TW Điều 11 [C với tập thể; U với cá nhân]",
        "Tỷ lệ nhiệm vụ chậm tiến độ tối đa (%) để xếp loại hoàn thành nhiệm vụ",
    ),
    "review.excellent_quota_percent": Default(
        20,
        "132-QĐ/TW, 124-QĐ/TW (không quá 20% số được xếp loại hoàn thành tốt nhiệm vụ) "
        "[U: 366-QĐ/TW chưa rõ còn giữ]",
        "Tỷ lệ tối đa (%) hoàn thành xuất sắc trên số được xếp loại hoàn thành tốt trở lên, "
        "trong từng chi bộ và từng cấp ủy quyết định",
    ),
    "review.disciplined_max_rating": Default(
        "failed",
        "16-HD/BTCTW 2018; 124-QĐ/TW (bị kỷ luật trong năm: không hoàn thành nhiệm vụ) "
        "[U: 366-QĐ/TW]",
        "Mức xếp loại cao nhất của đảng viên bị kỷ luật trong kỳ "
        "(excellent, good, complete, failed)",
    ),
    "review.failed_years_for_removal": Default(
        2,
        "Điều lệ Đảng Điều 8; 24/294-QĐ/TW §8.1 (2 năm liền không hoàn thành nhiệm vụ) [C]",
        "Số năm liền xếp loại không hoàn thành nhiệm vụ thì xem xét xóa tên",
    ),
    "vote.review": Default(
        [1, 2, "more_than"],
        "366-QĐ/TW; 124-QĐ/TW Điều 12 (chi bộ biểu quyết đề xuất mức xếp loại từng đảng viên) "
        "[U: tỷ lệ]",
        "Tỷ lệ tán thành để chi bộ đề xuất mức xếp loại một đảng viên",
    ),
    "vote.screening": Default(
        [2, 3, "at_least"],
        "02-HD/BTCTW 2021 §1 (bỏ phiếu kín từng đảng viên, trừ đảng viên miễn sinh hoạt) [C]",
        "Tỷ lệ phiếu kín để đưa đảng viên vào diện giáo dục, giúp đỡ",
    ),
    "screening.max_help_months": Default(
        12,
        "24/294-QĐ/TW §8.1 (12 tháng với trường hợp giảm sút ý chí) [U với các trường hợp khác]",
        "Thời gian giáo dục, giúp đỡ tối đa (tháng)",
    ),
    "documents.term_start": Default(
        "2025-07-01",
        "36-HD/VPTW 2018 §II.1 (số văn bản ghi liên tục từ 01 cho mỗi loại văn bản trong một "
        "nhiệm kỳ cấp ủy) [C]; ngày bắt đầu nhiệm kỳ 2025–2030 của cấp ủy chưa khai báo [U]",
        "Ngày bắt đầu nhiệm kỳ cấp ủy dùng khi tổ chức chưa khai báo (YYYY-MM-DD)",
    ),
    "documents.scan_max_mb": Default(
        10,
        "Thực tiễn (bản quét hồ sơ PDF/JPEG) [U]",
        "Dung lượng tối đa một bản quét hồ sơ (MB)",
    ),
    "import.max_rows": Default(
        200000,
        "Thực tiễn (issue 8: 100.000 dòng trong 2 phút) [U]",
        "Số dòng tối đa của một tệp nhập dữ liệu",
    ),
    "study.participation_target_percent": Default(
        90, "Thực tiễn (seed 004: “trên 90%”)", "Tỷ lệ đảng viên tham gia học tập nghị quyết (%)"
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
    return DEFAULTS[key].on(on) if best is None else best[1]


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
