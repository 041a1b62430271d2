"""Demo data: a fictional province (Tỉnh ủy Sơn Lâm) with a 2025-style tree, about 20,000
members and a few hundred candidates in every stage of the admission pipeline.

Organisations are created through ``create_organisation`` (so paths are right) and every
candidate moves through the pipeline actions, so history rows, votes and deadlines are
real. Members and their persons are bulk-inserted for speed (the audit triggers still
record every row). Everything is drawn from one seeded ``random.Random``, so the same seed
gives the same province; the dates follow ``timezone.localdate()``.
"""

import math
import random
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from dangvien.accounts.actions import assign_role, exempt_from_second_factor, mark_demo_database
from dangvien.accounts.models import Role, User
from dangvien.candidates import actions as pipeline
from dangvien.candidates.models import Candidate, Stage, Union
from dangvien.core.audit import acting_as
from dangvien.core.dates import add_months
from dangvien.core.demo_documents import build_documents
from dangvien.core.demo_exams import build_training_and_exams
from dangvien.core.demo_lifecycle import build_lifecycle
from dangvien.core.demo_reviews import build_reviews_and_screening
from dangvien.core.demo_stats import build_targets_and_surveys
from dangvien.core.sizing import scale_sizes
from dangvien.members.actions.base import recognition_vote_due
from dangvien.members.models import (
    Exemption,
    ExemptionReason,
    Member,
    Status,
    StatusChange,
    Transfer,
    TransferKind,
    TransferState,
)
from dangvien.members.queries import vote_denominator
from dangvien.organisations.actions import add_village, create_organisation
from dangvien.organisations.models import Kind, Organisation, Sector, Village, VillageKind
from dangvien.organisations.queries import AdmissionChain, admission_chain
from dangvien.people.actions import derived_keys
from dangvien.people.models import Education, OccupationGroup, Person, PoliticalTheory, Sex
from dangvien.privacy.actions import ConsentGiven
from dangvien.privacy.models import ConsentMethod

PASSWORD = "demo-dangvien"
PROVINCE = "Sơn Lâm"
# Citizen IDs start with the code of the province of birth registration. Sơn Lâm is
# fictional, so it borrows a code; a few people were born elsewhere.
PROVINCE_CODE = "042"
OTHER_CODES = ["001", "079", "038", "040", "031"]
BATCH = 2000
DEFAULT_MEMBERS = 20_000
DEFAULT_SEED = 2025


class AlreadyPopulated(Exception):
    """The database already holds organisations: the demo never mixes with real data."""


class _DryRun(Exception):
    pass


# ---- names and people --------------------------------------------------------------------

# Family names with roughly their national frequency (per cent).
KINH_FAMILIES = {
    "Nguyễn": 38,
    "Trần": 11,
    "Lê": 9.5,
    "Phạm": 7,
    "Hoàng": 3.5,
    "Huỳnh": 1.6,
    "Phan": 4.5,
    "Vũ": 2.2,
    "Võ": 1.7,
    "Đặng": 2.1,
    "Bùi": 2,
    "Đỗ": 1.4,
    "Hồ": 1.3,
    "Ngô": 1.3,
    "Dương": 1,
    "Lý": 0.5,
    "Đinh": 0.8,
    "Trịnh": 0.6,
    "Mai": 0.5,
    "Đoàn": 0.5,
    "Lương": 0.4,
    "Cao": 0.4,
    "Hà": 0.4,
    "Lâm": 0.3,
    "Tạ": 0.3,
    "Chu": 0.2,
    "Kiều": 0.2,
    "Tô": 0.2,
    "Lưu": 0.2,
    "Quách": 0.1,
    "Thái": 0.1,
    "Khúc": 0.1,
}
MALE_MIDDLE = {
    "Văn": 40,
    "Đức": 10,
    "Minh": 9,
    "Quang": 6,
    "Hữu": 6,
    "Công": 5,
    "Xuân": 4,
    "Thanh": 4,
    "Ngọc": 3,
    "Trọng": 3,
    "Đình": 5,
    "Quốc": 4,
    "Mạnh": 2,
    "Tiến": 2,
    "Duy": 2,
    "Anh": 2,
    "Huy": 1,
    "Bá": 1,
    "Thế": 2,
}
FEMALE_MIDDLE = {
    "Thị": 55,
    "Thu": 6,
    "Thanh": 6,
    "Ngọc": 6,
    "Minh": 3,
    "Hồng": 4,
    "Thùy": 3,
    "Kim": 3,
    "Phương": 3,
    "Bích": 2,
    "Thúy": 2,
    "Hải": 2,
    "Mai": 2,
    "Diệu": 1,
    "Khánh": 2,
}
MALE_GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Đạt",
    "Đông",
    "Hải",
    "Hùng",
    "Hưng",
    "Huy",
    "Khánh",
    "Khoa",
    "Kiên",
    "Long",
    "Lâm",
    "Mạnh",
    "Nam",
    "Nghĩa",
    "Phong",
    "Phúc",
    "Quân",
    "Quang",
    "Sơn",
    "Tài",
    "Thắng",
    "Thành",
    "Thịnh",
    "Toàn",
    "Trung",
    "Tuấn",
    "Tùng",
    "Việt",
    "Vinh",
    "Hoàng",
    "Hiếu",
    "Đức",
    "Tâm",
    "Tiến",
    "Thái",
    "Hòa",
    "Lợi",
    "Lực",
    "Chiến",
    "Công",
    "Hậu",
    "Hiển",
    "Hoan",
    "Khải",
    "Lộc",
    "Luân",
    "Nhân",
    "Phát",
    "Quý",
    "Sang",
    "Thạch",
    "Thuận",
    "Trí",
    "Trường",
    "Tú",
    "Vũ",
    "Vương",
    "Bảo",
    "Duy",
    "Hào",
]
FEMALE_GIVEN = [
    "Anh",
    "Châu",
    "Chi",
    "Dung",
    "Giang",
    "Hà",
    "Hạnh",
    "Hằng",
    "Hiền",
    "Hoa",
    "Hồng",
    "Huệ",
    "Hương",
    "Lan",
    "Liên",
    "Linh",
    "Loan",
    "Mai",
    "Minh",
    "My",
    "Nga",
    "Ngân",
    "Ngọc",
    "Nhung",
    "Oanh",
    "Phượng",
    "Quyên",
    "Quỳnh",
    "Tâm",
    "Thảo",
    "Thanh",
    "Thủy",
    "Trang",
    "Tuyết",
    "Uyên",
    "Vân",
    "Xuân",
    "Yến",
    "Duyên",
    "Hậu",
    "Hoài",
    "Huyền",
    "Khuyên",
    "Lý",
    "Nhàn",
    "Phương",
    "Sen",
    "Thơm",
    "Thu",
    "Thư",
    "Trâm",
    "Vy",
]


@dataclass(frozen=True)
class Ethnic:
    families: Mapping[str, float]
    male_middle: Mapping[str, float]
    female_middle: Mapping[str, float]
    male_given: list[str]
    female_given: list[str]
    religions: Mapping[str, float]


ETHNICITIES: dict[str, Ethnic] = {
    "Kinh": Ethnic(
        KINH_FAMILIES,
        MALE_MIDDLE,
        FEMALE_MIDDLE,
        MALE_GIVEN,
        FEMALE_GIVEN,
        {"Không": 95, "Phật giáo": 3, "Công giáo": 1.8, "Cao Đài": 0.2},
    ),
    "Thái": Ethnic(
        {"Lò": 5, "Cầm": 3, "Lường": 3, "Quàng": 2, "Vi": 2, "Hà": 2},
        {"Văn": 1},
        {"Thị": 1},
        ["Pấng", "Khăm", "Pọm", "Xuân", "Hoan", "Thưởng", "Inh", "Phong", "Minh"],
        ["Ín", "Ban", "Pằn", "Hương", "Ánh", "Xuân", "Lả", "Hoa"],
        {"Không": 99, "Phật giáo": 1},
    ),
    "Mường": Ethnic(
        {"Bùi": 5, "Đinh": 4, "Quách": 2, "Hà": 2, "Bạch": 1},
        {"Văn": 1},
        {"Thị": 1},
        MALE_GIVEN[:30],
        FEMALE_GIVEN[:30],
        {"Không": 1},
    ),
    "Tày": Ethnic(
        {"Hoàng": 4, "Nông": 4, "Ma": 2, "Lục": 1, "Triệu": 1, "La": 1, "Hà": 1},
        {"Văn": 3, "Đức": 1},
        {"Thị": 1},
        MALE_GIVEN[:30],
        FEMALE_GIVEN[:30],
        {"Không": 1},
    ),
    "H'Mông": Ethnic(
        {"Giàng": 4, "Sùng": 3, "Thào": 3, "Vàng": 3, "Lầu": 2, "Mùa": 2, "Hạng": 1, "Lý": 1},
        {"A": 4, "Seo": 1, "Chứ": 1},
        {"Thị": 4, "Seo": 1},
        ["Páo", "Chứ", "Dế", "Sếnh", "Chô", "Pó", "Lềnh", "Tủa", "Dình", "Sử"],
        ["Mỷ", "Súa", "Dở", "Chía", "Pà", "Mai", "Dua", "Xá"],
        {"Không": 80, "Tin lành": 20},
    ),
    "Dao": Ethnic(
        {"Triệu": 4, "Bàn": 4, "Đặng": 3, "Lý": 2, "Phùng": 1, "Chảo": 1},
        {"Văn": 2, "Tài": 1, "Kim": 1},
        {"Thị": 2, "Mùi": 1},
        ["Tòn", "Phin", "Sài", "Quẩy", "Chàn", "Phấu", "Kiều", "Vần"],
        ["Mẩy", "Sinh", "Nái", "Chòi", "Mùi", "Slinh"],
        {"Không": 1},
    ),
}

PROFILES: dict[str, dict[str, float]] = {
    "lowland": {"Kinh": 97, "Mường": 2, "Tày": 1},
    "midland": {"Kinh": 68, "Mường": 16, "Tày": 10, "Thái": 6},
    "highland": {"Thái": 34, "H'Mông": 28, "Dao": 14, "Kinh": 16, "Tày": 8},
}

# Each unit's setting decides the members' age band, sex ratio, education and occupation.
SETTING_AGES = {  # (min, max, mode) in years
    "village": (22, 85, 60),
    "ward": (23, 85, 55),
    "agency": (25, 60, 42),
    "school": (24, 60, 38),
    "health": (25, 60, 40),
    "enterprise": (23, 58, 36),
    "forces": (22, 50, 32),
    "province": (26, 60, 44),
}
SETTING_MALE = {
    "village": 0.66,
    "ward": 0.58,
    "agency": 0.6,
    "school": 0.3,
    "health": 0.4,
    "enterprise": 0.55,
    "forces": 0.92,
    "province": 0.58,
}
OCCUPATIONS = {
    "village": {
        "Nông dân": 45,
        "Kinh doanh": 10,
        "Công nhân": 10,
        "Giáo viên": 6,
        "Lao động tự do": 10,
        "Cán bộ thôn": 5,
        "Buôn bán": 8,
        "Thợ xây": 6,
    },
    "ward": {
        "Kinh doanh": 25,
        "Công chức": 12,
        "Viên chức": 15,
        "Công nhân": 15,
        "Lao động tự do": 13,
        "Nhân viên văn phòng": 12,
        "Buôn bán": 8,
    },
    "agency": {"Công chức": 80, "Viên chức": 20},
    "school": {"Giáo viên": 88, "Nhân viên văn phòng": 6, "Cán bộ quản lý giáo dục": 6},
    "health": {"Bác sĩ": 40, "Điều dưỡng": 35, "Dược sĩ": 10, "Kỹ thuật viên y tế": 15},
    "enterprise": {"Công nhân": 55, "Kỹ sư": 20, "Nhân viên văn phòng": 20, "Quản lý": 5},
    "forces": {"Công an": 55, "Quân nhân": 45},
    "province": {"Công chức": 85, "Viên chức": 15},
}
EDUCATION_MIX = {
    "office": {
        Education.UNIVERSITY: 62,
        Education.POSTGRADUATE: 18,
        Education.COLLEGE: 12,
        Education.VOCATIONAL: 8,
    },
    "young": {
        Education.UPPER_SECONDARY: 38,
        Education.UNIVERSITY: 24,
        Education.VOCATIONAL: 14,
        Education.COLLEGE: 10,
        Education.LOWER_SECONDARY: 14,
    },
    "old": {
        Education.LOWER_SECONDARY: 40,
        Education.UPPER_SECONDARY: 28,
        Education.PRIMARY: 14,
        Education.VOCATIONAL: 10,
        Education.UNIVERSITY: 8,
    },
    "highland": {
        Education.LOWER_SECONDARY: 45,
        Education.UPPER_SECONDARY: 35,
        Education.VOCATIONAL: 10,
        Education.PRIMARY: 5,
        Education.COLLEGE: 5,
    },
}

PLACE_WORDS = [
    "Đông",
    "Tây",
    "Nam",
    "Bắc",
    "Trung",
    "Thượng",
    "Hạ",
    "An",
    "Phú",
    "Yên",
    "Tân",
    "Hòa",
    "Thịnh",
    "Lộc",
    "Phúc",
    "Mỹ",
    "Quang",
    "Xuân",
    "Hưng",
    "Long",
    "Thành",
    "Sơn",
    "Lâm",
    "Hải",
    "Vinh",
    "Đồng",
    "Cát",
    "Kim",
    "Ngọc",
    "Thái",
    "Bình",
    "Minh",
    "Tiến",
    "Lạc",
    "Phong",
    "Hội",
    "Khê",
]
HIGHLAND_PLACES = [
    "Nà Lào",
    "Pá Khoang",
    "Huổi Lếch",
    "Tà Sùng",
    "Nậm Cang",
    "Sín Chải",
    "Hồ Thầu",
    "Khe Mạ",
    "Bản Vược",
    "Co Phầy",
    "Lũng Pủ",
    "Mường Khoa",
    "Phìn Hồ",
    "Làng Mô",
    "Nà Cạn",
    "Púng Bon",
    "Hua Pe",
    "Cang Tùng",
]
COMMUNES = [  # (kind of unit, name, ethnic profile)
    ("xã", "Tân Lập", "lowland"),
    ("phường", "Bắc Thành", "lowland"),
    ("xã", "Đông Hưng", "lowland"),
    ("xã", "Yên Phú", "midland"),
    ("phường", "Nam Thành", "lowland"),
    ("xã", "Phú Lộc", "lowland"),
    ("xã", "Mường Lâm", "highland"),
    ("xã", "Thanh Xuân", "lowland"),
    ("phường", "Hòa Phú", "lowland"),
    ("xã", "Mỹ Hòa", "lowland"),
    ("xã", "Cao Sơn", "highland"),
    ("xã", "An Thịnh", "midland"),
    ("xã", "Quảng Phú", "lowland"),
    ("phường", "Sơn Lâm", "lowland"),
    ("xã", "Vĩnh Hòa", "lowland"),
    ("xã", "Thượng Lâm", "midland"),
    ("xã", "Kim Sơn", "lowland"),
    ("xã", "Hưng Đạo", "lowland"),
    ("xã", "Phong Vân", "highland"),
    ("phường", "Đồng Tiến", "lowland"),
]
GC_TEMPLATES = [  # (name, setting, branch names)
    (
        "Đảng bộ Trường THPT {place}",
        "school",
        [
            "Chi bộ Tổ Toán – Tin",
            "Chi bộ Tổ Ngữ văn",
            "Chi bộ Tổ Khoa học tự nhiên",
            "Chi bộ Tổ Khoa học xã hội",
            "Chi bộ Tổ Ngoại ngữ",
            "Chi bộ Văn phòng",
        ],
    ),
    (
        "Đảng bộ Trung tâm Y tế khu vực {place}",
        "health",
        [
            "Chi bộ Khoa Nội",
            "Chi bộ Khoa Ngoại",
            "Chi bộ Khoa Sản – Nhi",
            "Chi bộ Khoa Cận lâm sàng",
            "Chi bộ Phòng Hành chính",
            "Chi bộ Khoa Y tế công cộng",
        ],
    ),
    (
        "Đảng bộ Công ty Cổ phần May {place}",
        "enterprise",
        [
            "Chi bộ Phân xưởng Cắt",
            "Chi bộ Phân xưởng May 1",
            "Chi bộ Phân xưởng May 2",
            "Chi bộ Phòng Kỹ thuật",
            "Chi bộ Phòng Kế hoạch – Kinh doanh",
            "Chi bộ Văn phòng",
        ],
    ),
    (
        "Đảng bộ Cơ quan Ủy ban nhân dân xã {place}",
        "agency",
        [
            "Chi bộ Văn phòng HĐND – UBND",
            "Chi bộ Phòng Kinh tế",
            "Chi bộ Phòng Văn hóa – Xã hội",
            "Chi bộ Trung tâm Phục vụ hành chính công",
        ],
    ),
]
GB_TEMPLATES = [  # grassroots branches directly under a commune
    ("Chi bộ Công an xã {place}", "forces", (6, 22, 12)),
    ("Chi bộ Quân sự xã {place}", "forces", (4, 14, 7)),
    ("Chi bộ Trạm Y tế xã {place}", "health", (3, 10, 5)),
    ("Chi bộ Trường Tiểu học {place}", "school", (4, 18, 9)),
    ("Chi bộ Trường THCS {place}", "school", (5, 22, 11)),
    ("Chi bộ Trường Mầm non {place}", "school", (3, 14, 7)),
    ("Chi bộ Cơ quan Đảng – Mặt trận – Đoàn thể xã {place}", "agency", (8, 26, 16)),
]
BLOC_GOV_GCS = [
    (
        "Đảng bộ Sở Y tế",
        "health",
        [
            "Chi bộ Văn phòng Sở",
            "Chi bộ Phòng Nghiệp vụ Y",
            "Chi bộ Phòng Kế hoạch – Tài chính",
            "Chi bộ Chi cục Dân số",
            "Chi bộ Thanh tra Sở",
        ],
    ),
    (
        "Đảng bộ Sở Giáo dục và Đào tạo",
        "agency",
        [
            "Chi bộ Văn phòng Sở",
            "Chi bộ Phòng Giáo dục phổ thông",
            "Chi bộ Phòng Tổ chức cán bộ",
            "Chi bộ Phòng Khảo thí",
        ],
    ),
    (
        "Đảng bộ Sở Nông nghiệp và Môi trường",
        "agency",
        [
            "Chi bộ Văn phòng Sở",
            "Chi bộ Chi cục Kiểm lâm",
            "Chi bộ Chi cục Thủy lợi",
            "Chi bộ Phòng Đất đai",
            "Chi bộ Chi cục Chăn nuôi và Thú y",
        ],
    ),
    (
        "Đảng bộ Sở Tài chính",
        "agency",
        ["Chi bộ Văn phòng Sở", "Chi bộ Phòng Ngân sách", "Chi bộ Phòng Đầu tư"],
    ),
]
BLOC_GOV_GBS = [
    "Chi bộ Sở Tư pháp",
    "Chi bộ Sở Nội vụ",
    "Chi bộ Sở Khoa học và Công nghệ",
    "Chi bộ Thanh tra tỉnh",
    "Chi bộ Sở Công Thương",
    "Chi bộ Sở Văn hóa, Thể thao và Du lịch",
    "Chi bộ Sở Xây dựng",
    "Chi bộ Văn phòng UBND tỉnh",
    "Chi bộ Sở Dân tộc và Tôn giáo",
]
BLOC_PARTY_GBS = [
    "Chi bộ Văn phòng Tỉnh ủy",
    "Chi bộ Ban Tổ chức Tỉnh ủy",
    "Chi bộ Ban Tuyên giáo và Dân vận Tỉnh ủy",
    "Chi bộ Ủy ban Kiểm tra Tỉnh ủy",
    "Chi bộ Trường Chính trị tỉnh",
    "Chi bộ Báo và Phát thanh, Truyền hình Sơn Lâm",
    "Chi bộ Ban Nội chính Tỉnh ủy",
    "Chi bộ Cơ quan Ủy ban MTTQ Việt Nam tỉnh",
]

# Statistics data (issue 6): the grassroots organisation's type by setting, the occupation
# group of each occupation, and the political theory mix of members.
SETTING_SECTORS = {
    "agency": Sector.AGENCY,
    "province": Sector.AGENCY,
    "school": Sector.PUBLIC_SERVICE,
    "health": Sector.PUBLIC_SERVICE,
    "enterprise": Sector.NON_STATE_ENTERPRISE,
    "forces": Sector.ARMED_FORCES,
}
OCCUPATION_GROUPS = {
    "Nông dân": OccupationGroup.FARMER,
    "Kinh doanh": OccupationGroup.BUSINESS,
    "Buôn bán": OccupationGroup.BUSINESS,
    "Quản lý": OccupationGroup.BUSINESS,
    "Công nhân": OccupationGroup.WORKER,
    "Thợ xây": OccupationGroup.WORKER,
    "Lao động tự do": OccupationGroup.WORKER,
    "Nhân viên văn phòng": OccupationGroup.WORKER,
    "Kỹ sư": OccupationGroup.WORKER,
    "Công chức": OccupationGroup.OFFICIAL,
    "Cán bộ thôn": OccupationGroup.OFFICIAL,
    "Viên chức": OccupationGroup.PUBLIC_EMPLOYEE,
    "Giáo viên": OccupationGroup.PUBLIC_EMPLOYEE,
    "Cán bộ quản lý giáo dục": OccupationGroup.PUBLIC_EMPLOYEE,
    "Bác sĩ": OccupationGroup.PUBLIC_EMPLOYEE,
    "Điều dưỡng": OccupationGroup.PUBLIC_EMPLOYEE,
    "Dược sĩ": OccupationGroup.PUBLIC_EMPLOYEE,
    "Kỹ thuật viên y tế": OccupationGroup.PUBLIC_EMPLOYEE,
    "Công an": OccupationGroup.ARMED_FORCES,
    "Quân nhân": OccupationGroup.ARMED_FORCES,
    "Hưu trí": OccupationGroup.RETIRED,
    "Sinh viên": OccupationGroup.STUDENT,
}
OFFICES = ("agency", "province", "school", "health", "forces")
THEORY_MIX = {
    "office": {
        PoliticalTheory.PRIMARY: 35,
        PoliticalTheory.INTERMEDIATE: 40,
        PoliticalTheory.ADVANCED: 12,
        PoliticalTheory.NONE: 13,
    },
    "other": {
        PoliticalTheory.NONE: 48,
        PoliticalTheory.PRIMARY: 45,
        PoliticalTheory.INTERMEDIATE: 7,
    },
}

WITHDRAW_REASONS = [
    "Chuyển nơi cư trú ra ngoài tỉnh.",
    "Đi lao động có thời hạn ở nước ngoài.",
    "Bản thân xin rút khỏi danh sách vì hoàn cảnh gia đình.",
    "Chuyển công tác, chi bộ nơi mới tiếp tục theo dõi.",
    "Chưa đủ tiêu chuẩn, chi bộ tiếp tục bồi dưỡng ở đợt sau.",
]
CONCERNS = [
    "Cần xác minh thêm quá trình công tác của bố đẻ ở tỉnh khác.",
    "Lý lịch khai chưa khớp với hồ sơ hộ khẩu, đề nghị khai lại.",
    "Cần làm rõ thời gian đi lao động ở nước ngoài của anh trai.",
    "Chưa có xác nhận của nơi cư trú về gia đình bên vợ/chồng.",
]


def _weighted(rng: random.Random, table: Mapping[Any, float]) -> Any:
    return rng.choices(list(table), weights=list(table.values()))[0]


def _years_ago(today: date, years: float, rng: random.Random) -> date:
    return today - timedelta(days=int(years * 365.25) + rng.randint(0, 364))


# ---- plan --------------------------------------------------------------------------------


@dataclass
class Unit:
    """A member-holding organisation (chi bộ or chi bộ cơ sở) and what its people are like."""

    org: Organisation
    setting: str
    top: Organisation  # commune or bloc
    place: str  # for addresses: "xã Tân Lập"
    profile: str
    base: float  # drawn size before scaling
    cap: int = 60
    floor: int = 3
    size: int = 0
    ceremonies: int = 0
    officials: list[Member] = field(default_factory=list)  # can introduce and help

    @property
    def capacity(self) -> int:
        """Members the bulk may add: room is kept for the ceremonies planned here."""
        return self.cap - self.ceremonies


@dataclass
class Plan:
    unit: Unit
    stage: str
    ago: int  # days before today of the candidate's last event
    fail_branch_vote: bool = False
    concerns: bool = False
    fail_grassroots_vote: bool = False
    late: bool = False
    extend: bool = False
    over_age: bool = False
    no_course: bool = False
    withdraw_from: str = ""
    reject_by_vote: bool = False
    introducers: int = -1  # -1: as many as the stage needs


@dataclass
class Demo:
    rng: random.Random
    today: date
    target_members: int
    out: Callable[[str], None]
    units: list[Unit] = field(default_factory=list)
    province: Organisation | None = None
    demo_commune: Organisation | None = None
    demo_branch: Unit | None = None
    demo_gc: Organisation | None = None
    demo_gc_unit: Unit | None = None
    authorised_unit: Unit | None = None
    users: dict[str, User] = field(default_factory=dict)
    used_ids: set[str] = field(default_factory=set)
    counters: Counter[str] = field(default_factory=Counter)
    chains: dict[int, AdmissionChain] = field(default_factory=dict)
    # Draws for the statistics data (issue 6) come from their own generator, so the rest
    # of the demo stays what it was for a given seed.
    side: random.Random = field(default_factory=lambda: random.Random(6))
    village_of_branch: dict[int, Village] = field(default_factory=dict)
    commune_villages: dict[int, list[Village]] = field(default_factory=dict)
    empty_villages: dict[int, list[Village]] = field(default_factory=dict)

    # -- tree -------------------------------------------------------------------------

    def org(self, name: str, kind: str, parent: Organisation | None, **kw: Any) -> Organisation:
        self.counters[f"code:{parent.pk if parent else 0}"] += 1
        number = self.counters[f"code:{parent.pk if parent else 0}"]
        code = f"{parent.code}.{number:02d}" if parent and parent.code else "SL"
        return create_organisation(name=name, kind=kind, parent=parent, by=None, code=code, **kw)

    def unit(
        self,
        name: str,
        kind: str,
        parent: Organisation,
        *,
        setting: str,
        top: Organisation,
        place: str,
        profile: str,
        shape: tuple[float, float, float],
        **kw: Any,
    ) -> Unit:
        low, high, mode = shape
        cap = 29 if kind == Kind.GRASSROOTS_BRANCH else 60  # ≥ 30 makes a đảng bộ (Art. 21)
        if kind == Kind.GRASSROOTS_BRANCH:
            kw.setdefault("sector", SETTING_SECTORS[setting])
        unit = Unit(
            org=self.org(name, kind, parent, **kw),
            setting=setting,
            top=top,
            place=place,
            profile=profile,
            base=self.rng.triangular(low, high, mode),
            cap=cap,
        )
        self.units.append(unit)
        return unit

    def odd(self, low: int, high: int) -> int:
        return self.rng.choice([n for n in range(low, high + 1) if n % 2])

    def build_tree(self) -> None:
        scale = min(1.0, self.target_members / DEFAULT_MEMBERS)
        province = self.province = self.org(
            f"Tỉnh ủy {PROVINCE}",
            Kind.PROVINCE,
            None,
            committee_size=53,
            standing_committee_size=15,
        )
        place = f"tỉnh {PROVINCE}"
        party = self.org(
            "Đảng bộ Các cơ quan Đảng tỉnh",
            Kind.BLOC,
            province,
            committee_size=25,
            standing_committee_size=7,
        )
        gov = self.org(
            "Đảng bộ Ủy ban nhân dân tỉnh",
            Kind.BLOC,
            province,
            committee_size=33,
            standing_committee_size=9,
        )
        n_gbs = max(2, round(len(BLOC_PARTY_GBS) * scale))
        for name in BLOC_PARTY_GBS[:n_gbs]:
            self.unit(
                name,
                Kind.GRASSROOTS_BRANCH,
                party,
                setting="province",
                top=party,
                place=place,
                profile="lowland",
                shape=(6, 29, 15),
            )
        n_gcs = max(1, round(len(BLOC_GOV_GCS) * scale))
        for name, setting, branches in BLOC_GOV_GCS[:n_gcs]:
            gc = self.org(
                name,
                Kind.GRASSROOTS_COMMITTEE,
                gov,
                committee_size=self.odd(7, 11),
                sector=SETTING_SECTORS[setting],
            )
            for branch in branches[: max(2, round(len(branches) * scale))]:
                self.unit(
                    branch,
                    Kind.BRANCH,
                    gc,
                    setting=setting,
                    top=gov,
                    place=place,
                    profile="lowland",
                    shape=(4, 30, 10),
                )
        for name in BLOC_GOV_GBS[: max(2, round(len(BLOC_GOV_GBS) * scale))]:
            self.unit(
                name,
                Kind.GRASSROOTS_BRANCH,
                gov,
                setting="province",
                top=gov,
                place=place,
                profile="lowland",
                shape=(6, 29, 14),
            )
        # Communes until the drawn sizes reach the target: the scale-up afterwards stays
        # small, so sizes keep their shape instead of piling up at 60.
        index = 0
        while index < 2 or (
            sum(u.base for u in self.units) < self.target_members and index < len(COMMUNES)
        ):
            self.build_commune(index, scale)
            index += 1

    def build_commune(self, index: int, scale: float) -> None:
        rng = self.rng
        assert self.province is not None
        word, name, profile = COMMUNES[index]
        place = f"{word} {name}"
        commune = self.org(
            f"Đảng bộ {place}",
            Kind.COMMUNE,
            self.province,
            committee_size=self.odd(15, 33),
            standing_committee_size=self.odd(5, 9),
        )
        highland = profile == "highland"
        # Villages (thôn, bản) or residential groups (tổ dân phố) have their own chi bộ
        # directly under the commune đảng bộ.
        n_villages = max(3, round(rng.randint(18, 32) * scale))
        if index == 0:
            n_villages = max(n_villages, 4)
        names: list[str] = []
        while len(names) < n_villages:
            if word == "phường":
                label = f"Chi bộ Tổ dân phố số {len(names) + 1}"
            elif highland and rng.random() < 0.7:
                label = f"Chi bộ bản {rng.choice(HIGHLAND_PLACES)}"
            else:
                label = f"Chi bộ thôn {rng.choice(PLACE_WORDS)} {rng.choice(PLACE_WORDS)}"
            if label not in names and label.split()[-1] != label.split()[-2]:
                names.append(label)
        setting = "ward" if word == "phường" else "village"
        shape = (8, 45, 20) if highland else (15, 60, 38) if setting == "village" else (10, 60, 34)
        residential: list[Unit] = []
        for i, label in enumerate(names):
            unit = self.unit(
                label,
                Kind.BRANCH,
                commune,
                setting=setting,
                top=commune,
                place=place,
                profile=profile,
                shape=shape,
            )
            residential.append(unit)
            if index == 0 and i == 0:
                self.demo_branch = unit
                unit.floor = 42
        self.add_villages(commune, residential, ward=word == "phường")
        # Đảng bộ cơ sở: schools, health centres, enterprises, the commune's agencies.
        n_gcs = 1 if scale < 0.3 else rng.randint(2, 4)
        templates = rng.sample(GC_TEMPLATES, k=min(n_gcs, len(GC_TEMPLATES)))
        if index == 1:
            templates[0] = GC_TEMPLATES[2]  # the enterprise is authorised to admit
        for g, (gc_name, gc_setting, branch_names) in enumerate(templates):
            authorised = index == 1 and g == 0
            gc = self.org(
                gc_name.format(place=name),
                Kind.GRASSROOTS_COMMITTEE,
                commune,
                committee_size=15 if authorised else self.odd(5, 11),
                authorised_to_admit=authorised,
                sector=SETTING_SECTORS[gc_setting],
            )
            if index == 0 and g == 0:
                self.demo_gc = gc
            n_branches = max(2, round(rng.randint(3, len(branch_names)) * max(scale, 0.5)))
            parents = [gc]
            if authorised or (index > 1 and rng.random() < 0.2):
                # A large đảng bộ cơ sở with a đảng bộ bộ phận level (Art. 21).
                sub = self.org(
                    "Đảng bộ bộ phận "
                    + ("Nhà máy số 1" if gc_setting == "enterprise" else "Khối chuyên môn"),
                    Kind.SUB_COMMITTEE,
                    gc,
                    committee_size=self.odd(3, 5),
                )
                parents = [sub, gc]
            for b, branch_name in enumerate(branch_names[:n_branches]):
                parent = parents[b % len(parents)]
                unit = self.unit(
                    branch_name,
                    Kind.BRANCH,
                    parent,
                    setting=gc_setting,
                    top=commune,
                    place=place,
                    profile=profile,
                    shape=(4, 35, 12),
                )
                if index == 0 and g == 0 and b == 0:
                    self.demo_gc_unit = unit
                    unit.floor = 12
                if authorised and b == 0:
                    self.authorised_unit = unit
                    unit.floor = 14
        n_gbs = max(1, round(rng.randint(3, 6) * scale))
        for gb_name, gb_setting, gb_shape in rng.sample(GB_TEMPLATES, k=n_gbs):
            self.unit(
                gb_name.format(place=name),
                Kind.GRASSROOTS_BRANCH,
                commune,
                setting=gb_setting,
                top=commune,
                place=place,
                profile=profile,
                shape=gb_shape,
            )
        if index == 0:
            self.demo_commune = commune

    # -- sizes ------------------------------------------------------------------------

    def size_units(self) -> None:
        """Scale the drawn sizes to the target, each unit within [floor, capacity]."""
        units = self.units
        sizes = scale_sizes(
            [u.base for u in units],
            self.target_members,
            [u.floor for u in units],
            [u.capacity for u in units],
            self.rng,
        )
        for u, size in zip(units, sizes, strict=True):
            u.size = size

    # -- people -----------------------------------------------------------------------

    def citizen_id(self, birth: date, sex: str) -> str:
        century = 0 if birth.year < 2000 else 2
        digit = century + (1 if sex == Sex.FEMALE else 0)
        prefix = PROVINCE_CODE if self.rng.random() < 0.88 else self.rng.choice(OTHER_CODES)
        while True:
            value = f"{prefix}{digit}{birth.year % 100:02d}{self.rng.randrange(10**6):06d}"
            if value not in self.used_ids:
                self.used_ids.add(value)
                return value

    def name(self, ethnicity: str, sex: str) -> tuple[str, str, str]:
        rng = self.rng
        e = ETHNICITIES[ethnicity]
        family = _weighted(rng, e.families)
        if sex == Sex.MALE:
            middle, given = _weighted(rng, e.male_middle), rng.choice(e.male_given)
        else:
            middle, given = _weighted(rng, e.female_middle), rng.choice(e.female_given)
        if ethnicity == "Kinh" and rng.random() < 0.12:  # "Nguyễn Thị Thu Hà"
            extra = _weighted(rng, FEMALE_MIDDLE if sex == Sex.FEMALE else MALE_MIDDLE)
            if extra != middle and extra not in ("Văn", "Thị"):
                middle = f"{middle} {extra}"
        if given == middle.split()[-1]:
            given = rng.choice(e.male_given if sex == Sex.MALE else e.female_given)
        return family, middle, given

    def village_for(self, unit: Unit, candidate: bool) -> Village | None:
        """The village a person lives in: their residential chi bộ's, or one of the
        commune's for people whose branch is at work; a few candidates live in a village
        with no member yet (the "villages without members" target, issue 6)."""
        rng = self.side
        empty = self.empty_villages.get(unit.top.pk, [])
        if candidate and empty and rng.random() < 0.12:
            return rng.choice(empty)
        if unit.org.pk in self.village_of_branch:
            return self.village_of_branch[unit.org.pk]
        served = self.commune_villages.get(unit.top.pk, [])
        return rng.choice(served) if served and rng.random() < 0.85 else None

    def add_villages(self, commune: Organisation, units: list[Unit], ward: bool) -> None:
        """One village (thôn) or residential group per residential chi bộ; in some communes a
        chi bộ serves a second village (chi bộ ghép) and a village has no member yet."""
        rng = self.side
        kind = VillageKind.RESIDENTIAL_GROUP if ward else VillageKind.VILLAGE
        served: list[Village] = []
        for unit in units:
            name = unit.org.name.removeprefix("Chi bộ ")
            village = add_village(commune, name=name, kind=kind, branch=unit.org, by=None)
            self.village_of_branch[unit.org.pk] = village
            served.append(village)
        self.commune_villages[commune.pk] = served
        if not ward and rng.random() < 0.4:
            extra = add_village(
                commune, name="Thôn Tân Hợp", kind=kind, branch=rng.choice(units).org, by=None
            )
            served.append(extra)
        if rng.random() < 0.5:
            label = "Tổ dân phố Tân Sơn" if ward else "Bản Nậm Cang"
            self.empty_villages[commune.pk] = [add_village(commune, name=label, kind=kind, by=None)]

    def village_of(self, unit: Unit) -> str:
        if unit.setting in ("village", "ward"):
            return unit.org.name.removeprefix("Chi bộ ").replace("Tổ dân phố", "tổ dân phố")
        return self.rng.choice(["thôn Đông", "thôn Trung", "tổ dân phố số 2", "khu phố Mới"])

    def person(
        self,
        unit: Unit,
        *,
        age: tuple[float, float, float],
        male_share: float,
        occupation: str | None = None,
        candidate: bool = False,
    ) -> Person:
        rng = self.rng
        ethnicity = _weighted(rng, PROFILES[unit.profile])
        sex = Sex.MALE if rng.random() < male_share else Sex.FEMALE
        years = rng.triangular(*age)
        birth = _years_ago(self.today, years, rng)
        family, middle, given = self.name(ethnicity, sex)
        if unit.setting in ("agency", "school", "health", "province"):
            education = _weighted(rng, EDUCATION_MIX["office"])
        elif unit.profile == "highland" and ethnicity != "Kinh":
            education = _weighted(rng, EDUCATION_MIX["highland"])
        else:
            education = _weighted(rng, EDUCATION_MIX["old" if years >= 60 else "young"])
        if candidate and education in (Education.NONE, Education.PRIMARY):
            education = Education.LOWER_SECONDARY  # 294-QĐ/TW §1.2
        if occupation is None:
            if years >= 61 and unit.setting in ("village", "ward"):
                occupation = "Hưu trí" if rng.random() < 0.6 else "Nông dân"
            else:
                occupation = _weighted(rng, OCCUPATIONS[unit.setting])
        if rng.random() < 0.7:
            hometown_place = unit.place
        else:
            word, name, _profile = rng.choice(COMMUNES)
            hometown_place = f"{word} {name}"
        person = Person(
            family_name=family,
            middle_name=middle,
            given_name=given,
            birth_date=birth,
            sex=sex,
            citizen_id=self.citizen_id(birth, sex),
            ethnicity=ethnicity,
            religion=_weighted(rng, ETHNICITIES[ethnicity].religions),
            education_level=education,
            occupation=occupation,
            hometown=hometown_place
            if hometown_place.endswith(f"tỉnh {PROVINCE}")
            else f"{hometown_place}, tỉnh {PROVINCE}",
            address=f"{self.village_of(unit)}, {unit.place}"
            + ("" if unit.place.endswith(f"tỉnh {PROVINCE}") else f", tỉnh {PROVINCE}"),
            phone=f"09{rng.randrange(10**8):08d}" if rng.random() < 0.8 else "",
            youth_union_member=years <= 30 and rng.random() < 0.75,
            trade_union_member=unit.setting
            in ("agency", "school", "health", "enterprise", "province"),
            occupation_group=OCCUPATION_GROUPS.get(occupation, OccupationGroup.OTHER),
            political_theory=PoliticalTheory.NONE
            if candidate
            else _weighted(self.side, THEORY_MIX["office" if unit.setting in OFFICES else "other"]),
            village=self.village_for(unit, candidate),
        )
        derived_keys(person)
        return person

    def member_dates(self, birth: date, probationary: bool) -> dict[str, Any]:
        """Admission, ceremony and official dates consistent with the birth date."""
        rng, today = self.rng, self.today
        if probationary:
            ceremony = today - timedelta(days=rng.randint(5, 355))
            decided = ceremony - timedelta(days=rng.randint(3, 35))
            return {
                "status": Status.PROBATIONARY,
                "admitted_on": decided,
                "first_admitted_on": decided,
                "probation_started_on": ceremony,
            }
        age = (today - birth).days / 365.25
        latest = max(18.5, age - 1.2)
        at = min(latest, rng.triangular(18.2, min(45, latest) + 0.01, 24))
        decided = birth + timedelta(days=int(at * 365.25))
        ceremony = decided + timedelta(days=rng.randint(5, 35))
        official = add_months(ceremony, 12)
        if official > today:  # a very young member: pull the dates back
            shift = (official - today).days + rng.randint(5, 60)
            decided -= timedelta(days=shift)
            ceremony -= timedelta(days=shift)
            official = add_months(ceremony, 12)
        return {
            "status": Status.OFFICIAL,
            "admitted_on": decided,
            "first_admitted_on": decided,
            "probation_started_on": ceremony,
            "official_on": official,
        }

    def build_members(self) -> None:
        rng, today = self.rng, self.today
        persons: list[Person] = []
        specs: list[tuple[Unit, dict[str, Any]]] = []
        for unit in self.units:
            small = unit.size <= 5
            for _ in range(unit.size):
                probationary = not small and rng.random() < 0.04
                age = SETTING_AGES[unit.setting]
                if probationary:
                    age = (21, min(45, age[1]), 28)
                person = self.person(unit, age=age, male_share=SETTING_MALE[unit.setting])
                fields = self.member_dates(person.birth_date, probationary)
                years = (today - person.birth_date).days / 365.25
                if not probationary and not small:
                    if years >= 72 and rng.random() < 0.35:  # Charter Art. 7: old age
                        since = person.birth_date + timedelta(
                            days=int(rng.uniform(70, years) * 365.25)
                        )
                        fields["exempted_since"] = min(since, today)  # an Exemption row
                    elif years < 55 and rng.random() < 0.02:
                        fields["temporarily_away_since"] = today - timedelta(
                            days=rng.randint(20, 700)
                        )
                persons.append(person)
                specs.append((unit, fields))
        for start in range(0, len(persons), BATCH):
            Person.objects.bulk_create(persons[start : start + BATCH])
        exempted = [fields.pop("exempted_since", None) for _unit, fields in specs]
        away = [fields.pop("temporarily_away_since", None) for _unit, fields in specs]
        members = [
            Member(
                person=p,
                branch=unit.org,
                org_path=unit.org.path,
                search_text=p.search_text,
                sort_key=p.sort_key,
                **fields,
            )
            for p, (unit, fields) in zip(persons, specs, strict=True)
        ]
        for member, (unit, _fields) in zip(members, specs, strict=True):
            if member.status == Status.PROBATIONARY and member.probation_started_on:
                member.recognition_vote_due_on = recognition_vote_due(
                    member.probation_started_on, unit.org
                )
        for start in range(0, len(members), BATCH):
            Member.objects.bulk_create(members[start : start + BATCH])
        Exemption.objects.bulk_create(
            Exemption(member=m, reason=ExemptionReason.OLD_AGE, from_on=since)
            for m, since in zip(members, exempted, strict=True)
            if since
        )
        Transfer.objects.bulk_create(
            Transfer(
                member=m,
                kind=TransferKind.TEMPORARY,
                state=TransferState.RECEIVED,
                from_branch=m.branch,
                to_name="Chi bộ nơi làm việc tạm thời",
                letter_no=f"{100 + i}-GGT/ĐU",
                issued_on=since,
                present_by=since,
                received_on=since,
                until_on=add_months(since, 12),
            )
            for i, (m, since) in enumerate(zip(members, away, strict=True))
            if since
        )
        excluded = {m.pk for m, e, a in zip(members, exempted, away, strict=True) if e or a}
        history: list[StatusChange] = []
        for member, (unit, _fields) in zip(members, specs, strict=True):
            assert member.probation_started_on is not None
            history.append(
                StatusChange(
                    member=member,
                    from_status="",
                    to_status=Status.PROBATIONARY,
                    on=member.probation_started_on,
                    note="Lễ kết nạp",
                )
            )
            if member.status == Status.OFFICIAL:
                assert member.official_on is not None
                history.append(
                    StatusChange(
                        member=member,
                        from_status=Status.PROBATIONARY,
                        to_status=Status.OFFICIAL,
                        on=member.official_on,
                        note="Công nhận đảng viên chính thức",
                    )
                )
                if member.pk not in excluded:
                    unit.officials.append(member)
        for start in range(0, len(history), BATCH):
            StatusChange.objects.bulk_create(history[start : start + BATCH])

    # -- users ------------------------------------------------------------------------

    def build_users(self) -> None:
        assert self.province and self.demo_commune and self.demo_branch and self.demo_gc
        commune, branch, gc = self.demo_commune, self.demo_branch.org, self.demo_gc
        # Demo users sign in with the password alone, and only in a database marked demo
        # (issue 9: the exemption is ignored anywhere else).
        mark_demo_database(by=None)
        specs = [
            (
                "demo.tinh",
                "Nguyễn Thị Thanh Hương (Ban Tổ chức Tỉnh ủy)",
                Role.BOARD_STAFF,
                self.province,
            ),
            ("demo.xa", f"Phạm Văn Hùng (Ban Tổ chức {commune.name})", Role.BOARD_STAFF, commune),
            ("demo.chibo", f"Lê Văn Bình (Bí thư {branch.name})", Role.BRANCH_SECRETARY, branch),
            ("demo.lanhdao", "Hoàng Minh Quân (Phó Bí thư Tỉnh ủy)", Role.LEADER, self.province),
            ("demo.coso", f"Đỗ Thị Lan (Văn phòng {gc.name})", Role.GRASSROOTS_STAFF, gc),
        ]
        for username, display_name, role, organisation in specs:
            user = User.objects.filter(username=username).first() or User(username=username)
            user.display_name = display_name
            user.set_password(PASSWORD)
            user.save()
            assign_role(user, organisation=organisation, role=role, by=None)
            exempt_from_second_factor(user, by=None)
            self.users[username] = user
        # The commune's office also keeps the records of the chi bộ directly under it (their
        # review sheets and screening ballots, issue 7), as commune offices do.
        assign_role(
            self.users["demo.xa"], organisation=commune, role=Role.GRASSROOTS_STAFF, by=None
        )
        if User.objects.filter(username="admin").exists():
            self.out("Đã có tài khoản admin: giữ nguyên mật khẩu.")
        else:
            User.objects.create_superuser(
                "admin", password=PASSWORD, display_name="Quản trị hệ thống"
            )
        exempt_from_second_factor(User.objects.get(username="admin"), by=None)

    # -- candidates -------------------------------------------------------------------

    def chain(self, unit: Unit) -> AdmissionChain:
        if unit.org.pk not in self.chains:
            self.chains[unit.org.pk] = admission_chain(unit.org)
        return self.chains[unit.org.pk]

    def actor(self, unit: Unit, what: str = "branch") -> User:
        chain = self.chain(unit)
        if what == "decide":
            return self.users["demo.xa" if chain.decider == self.demo_commune else "demo.tinh"]
        if what == "endorse":
            if chain.endorser == self.demo_gc:
                return self.users["demo.coso"]
            return self.users["demo.xa" if unit.top == self.demo_commune else "demo.tinh"]
        if unit is self.demo_branch:
            return self.users["demo.chibo"]
        if chain.grassroots is not None and chain.grassroots == self.demo_gc:
            return self.users["demo.coso"]
        return self.users["demo.xa" if unit.top == self.demo_commune else "demo.tinh"]

    def number(self, key: str) -> int:
        self.counters[key] += 1
        return self.counters[key]

    def plan_candidates(self, total: int) -> list[Plan]:
        """The special cases the demo users need, then a random spread over every stage."""
        rng = self.rng
        assert self.demo_branch and self.demo_gc_unit and self.authorised_unit
        demo, gcu, auth = self.demo_branch, self.demo_gc_unit, self.authorised_unit
        plans = [
            Plan(demo, Stage.CANDIDATE, 40),
            Plan(demo, Stage.CANDIDATE, 200),
            Plan(demo, Stage.IN_AWARENESS_COURSE, 6),
            Plan(demo, Stage.CERTIFIED, 60),
            Plan(demo, Stage.DOSSIER_OPEN, 25, introducers=1),
            Plan(demo, Stage.DOSSIER_OPEN, 70, concerns=True),
            Plan(demo, Stage.BACKGROUND_CHECKED, 8),  # ready for the branch vote
            Plan(demo, Stage.BACKGROUND_CHECKED, 30, fail_branch_vote=True),
            Plan(demo, Stage.BRANCH_PROPOSED, 76),  # the decision is due soon
            Plan(demo, Stage.BRANCH_PROPOSED, 20),
            Plan(demo, Stage.ADMITTED, 37),  # the ceremony is due soon
            Plan(demo, Stage.ADMITTED, 9),
            Plan(demo, Stage.MEMBER, 120),
            Plan(demo, Stage.MEMBER, 260, fail_branch_vote=True),
            Plan(demo, Stage.WITHDRAWN, 90, withdraw_from=Stage.CERTIFIED),
            Plan(demo, Stage.REJECTED, 150, reject_by_vote=True),
            Plan(gcu, Stage.BACKGROUND_CHECKED, 12),
            Plan(gcu, Stage.BRANCH_PROPOSED, 35),  # awaiting the đảng ủy cơ sở
            Plan(gcu, Stage.BRANCH_PROPOSED, 60, fail_grassroots_vote=True),
            Plan(gcu, Stage.GRASSROOTS_ENDORSED, 25),
            Plan(gcu, Stage.GRASSROOTS_ENDORSED, 80),
            Plan(gcu, Stage.MEMBER, 200),
            Plan(auth, Stage.BRANCH_PROPOSED, 15),
            Plan(auth, Stage.ADMITTED, 20),
            Plan(auth, Stage.MEMBER, 100),
        ]
        # An over-60 candidate needs the provincial committee's consent (294-QĐ/TW §1.1.2).
        others = [
            u
            for u in self.units
            if u.top == self.demo_commune and u.setting == "village" and u is not demo
        ]
        plans.append(Plan(others[0] if others else demo, Stage.BRANCH_PROPOSED, 45, over_age=True))
        weights: dict[str, int] = {
            Stage.CANDIDATE: 18,
            Stage.IN_AWARENESS_COURSE: 8,
            Stage.CERTIFIED: 12,
            Stage.DOSSIER_OPEN: 12,
            Stage.BACKGROUND_CHECKED: 8,
            Stage.BRANCH_PROPOSED: 8,
            Stage.GRASSROOTS_ENDORSED: 4,
            Stage.ADMITTED: 6,
            Stage.MEMBER: 15,
            Stage.WITHDRAWN: 6,
            Stage.REJECTED: 2,
        }
        rest = max(0, total - len(plans))
        eligible = [u for u in self.units if u.size >= 8]
        endorsed = [u for u in eligible if self.chain(u).endorser is not None]
        unit_weight = [u.size * (3 if u.top == self.demo_commune else 1) for u in eligible]
        for stage, weight in weights.items():
            for _ in range(max(1, round(rest * weight / sum(weights.values())))):
                pool, pool_w = eligible, unit_weight
                if stage == Stage.GRASSROOTS_ENDORSED and endorsed:
                    pool, pool_w = endorsed, [u.size for u in endorsed]
                unit = rng.choices(pool, weights=pool_w)[0]
                plans.append(self.random_plan(unit, stage))
        # Room for the probationary members the ceremonies create (a chi bộ ≤ 60 here).
        for plan in plans:
            if plan.stage == Stage.MEMBER:
                for _attempt in range(100):
                    if plan.unit.size + plan.unit.ceremonies < plan.unit.cap:
                        break
                    plan.unit = rng.choice(eligible)
                plan.unit.ceremonies += 1
        return plans

    def random_plan(self, unit: Unit, stage: str) -> Plan:
        rng = self.rng
        days_ago: dict[str, int] = {
            Stage.CANDIDATE: rng.randint(3, 420),
            Stage.IN_AWARENESS_COURSE: rng.randint(1, 25),
            Stage.CERTIFIED: rng.randint(3, 240),
            Stage.DOSSIER_OPEN: rng.randint(3, 60),
            Stage.BACKGROUND_CHECKED: rng.randint(1, 45),
            # Branch resolutions 10–100 days ago: decisions due from now to a bit overdue.
            Stage.BRANCH_PROPOSED: rng.choice([rng.randint(10, 70), rng.randint(65, 100)]),
            Stage.GRASSROOTS_ENDORSED: rng.randint(20, 95),
            # Decisions 2–55 days ago: ceremonies due soon, a few overdue.
            Stage.ADMITTED: rng.choice([rng.randint(2, 30), rng.randint(28, 55)]),
            Stage.MEMBER: rng.randint(3, 330),
            Stage.REJECTED: rng.randint(5, 240),
            Stage.WITHDRAWN: rng.randint(5, 200),
        }
        ago = days_ago[stage]
        plan = Plan(unit, stage, ago)
        if stage == Stage.WITHDRAWN:
            plan.withdraw_from = rng.choice(
                [
                    Stage.CANDIDATE,
                    Stage.CANDIDATE,
                    Stage.IN_AWARENESS_COURSE,
                    Stage.CERTIFIED,
                    Stage.DOSSIER_OPEN,
                    Stage.BACKGROUND_CHECKED,
                    Stage.BRANCH_PROPOSED,
                ]
            )
        plan.no_course = rng.random() < 0.1 and Stage.IN_AWARENESS_COURSE not in (
            stage,
            plan.withdraw_from,
        )
        plan.fail_branch_vote = rng.random() < 0.05
        plan.concerns = stage == Stage.DOSSIER_OPEN and ago > 20 and rng.random() < 0.25
        plan.late = stage in (Stage.MEMBER, Stage.REJECTED) and rng.random() < 0.06
        plan.extend = stage == Stage.BRANCH_PROPOSED and ago > 80 and rng.random() < 0.4
        plan.fail_grassroots_vote = (
            stage == Stage.BRANCH_PROPOSED
            and self.chain(unit).endorser is not None
            and rng.random() < 0.2
        )
        plan.reject_by_vote = stage == Stage.REJECTED and rng.random() < 0.5
        return plan

    def run_plan(self, plan: Plan) -> Candidate:
        """Walk one candidate through the pipeline actions up to the planned stage."""
        rng, today, unit = self.rng, self.today, plan.unit
        chain = self.chain(unit)
        by = self.actor(unit)
        stage = plan.withdraw_from or plan.stage
        order: list[str] = [
            Stage.CANDIDATE,
            Stage.IN_AWARENESS_COURSE,
            Stage.CERTIFIED,
            Stage.DOSSIER_OPEN,
            Stage.BACKGROUND_CHECKED,
            Stage.BRANCH_PROPOSED,
            Stage.GRASSROOTS_ENDORSED,
            Stage.ADMITTED,
            Stage.MEMBER,
        ]
        reach = order.index(stage if stage != Stage.REJECTED else Stage.ADMITTED)
        if chain.endorser is None and stage == Stage.GRASSROOTS_ENDORSED:
            reach = order.index(Stage.BRANCH_PROPOSED)

        def reached(s: str) -> bool:
            if s == Stage.GRASSROOTS_ENDORSED and chain.endorser is None:
                return False
            return order.index(s) <= reach

        # Gaps (calendar days) between events; the last event lands ``ago`` days ago.
        gaps: dict[str, int] = {
            Stage.IN_AWARENESS_COURSE: 0 if plan.no_course else rng.randint(20, 150),
            Stage.CERTIFIED: rng.randint(20, 120) if plan.no_course else rng.randint(4, 12),
            Stage.DOSSIER_OPEN: rng.randint(10, 90),
            Stage.BACKGROUND_CHECKED: rng.randint(20, 75),
            Stage.BRANCH_PROPOSED: rng.randint(5, 40) + (30 if plan.fail_branch_vote else 0),
            Stage.GRASSROOTS_ENDORSED: rng.randint(5, 25),
            Stage.ADMITTED: rng.randint(95, 115) if plan.late else rng.randint(15, 50),
            Stage.MEMBER: rng.randint(50, 65) if plan.late else rng.randint(5, 35),
        }
        events = [s for s in order[1:] if reached(s)]
        anchor = today - timedelta(days=plan.ago)
        listed = anchor - timedelta(days=sum(gaps[s] for s in events))
        when: dict[str, date] = {Stage.CANDIDATE: listed}
        current = listed
        for s in events:
            current += timedelta(days=gaps[s])
            when[s] = current

        # The person: of working age at the branch vote, or over 60 with consent.
        age = (
            (61.5, 62.5, 62)
            if plan.over_age
            else ((18.3, 32, 21) if reach <= 2 else (20.5, 42, 26))
        )
        person = self.person(
            unit,
            age=age,
            male_share=0.52,
            candidate=True,
            occupation="Nông dân" if plan.over_age else None,
        )
        helper = rng.choice(unit.officials) if unit.officials and rng.random() < 0.8 else None
        candidate = pipeline.nominate_candidate(
            branch=unit.org,
            by=by,
            listed_on=listed,
            helper=helper,
            consent=ConsentGiven(
                given_on=max(listed, date(2023, 7, 1)), method=ConsentMethod.PAPER
            ),
            full_name=person.full_name,
            birth_date=person.birth_date,
            sex=person.sex,
            citizen_id=person.citizen_id,
            education_level=person.education_level,
            ethnicity=person.ethnicity,
            religion=person.religion,
            occupation=person.occupation,
            hometown=person.hometown,
            address=person.address,
            phone=person.phone,
            youth_union_member=person.youth_union_member,
            trade_union_member=person.trade_union_member,
            political_theory=person.political_theory,
            occupation_group=person.occupation_group,
            village_id=person.village_id,
        )
        top = unit.top.name.removeprefix("Đảng bộ ")
        if reached(Stage.IN_AWARENESS_COURSE) and not plan.no_course:
            started = when[Stage.IN_AWARENESS_COURSE]
            school = (
                f"Trung tâm Chính trị {top}"
                if unit.top.kind == Kind.COMMUNE
                else f"Trường Chính trị tỉnh {PROVINCE}"
            )
            pipeline.start_awareness_course(
                candidate,
                by=by,
                started_on=started,
                course_name=f"Lớp bồi dưỡng nhận thức về Đảng khóa "
                f"{started.month:02d}/{started.year} – {school}",
            )
        if reached(Stage.CERTIFIED):
            issued = when[Stage.CERTIFIED]
            if plan.no_course:  # certificate from an earlier course (at school, at work)
                issued = listed - timedelta(days=rng.randint(30, 500))
            pipeline.certify(
                candidate,
                by=by,
                issued_on=issued,
                certificate_no=f"{self.number('certificate'):04d}/GCN-TTCT",
            )
        vote_on = when.get(Stage.BRANCH_PROPOSED, today)
        known_since = min(listed, vote_on - timedelta(days=420)) - timedelta(
            days=rng.randint(0, 900)
        )
        wanted = (
            plan.introducers
            if plan.introducers >= 0
            else (
                2
                if reached(Stage.BACKGROUND_CHECKED)
                else rng.choice([0, 1, 2])
                if stage == Stage.DOSSIER_OPEN
                else 1
                if stage == Stage.CERTIFIED and rng.random() < 0.2
                else 0
            )
        )
        if plan.over_age:
            pipeline.record_over_age_approval(
                candidate,
                by=self.users["demo.tinh"],
                decision_no=f"{self.number('over_age')}-CV/TU",
                decided_on=when[Stage.CERTIFIED],
            )
        if reached(Stage.DOSSIER_OPEN):
            declared = when[Stage.DOSSIER_OPEN]
            pipeline.open_dossier(
                candidate,
                by=by,
                declaration_on=declared,
                application_on=declared - timedelta(days=rng.randint(0, 10)),
            )
            if plan.concerns or (reached(Stage.BACKGROUND_CHECKED) and rng.random() < 0.08):
                pipeline.record_background_check(
                    candidate,
                    by=by,
                    outcome="concerns",
                    note=rng.choice(CONCERNS),
                    completed_on=min(today, declared + timedelta(days=rng.randint(10, 19))),
                )
        self.add_introducers(candidate, plan, unit, wanted, known_since, by)
        if reached(Stage.BACKGROUND_CHECKED):
            pipeline.record_background_check(
                candidate,
                by=by,
                outcome="clear",
                completed_on=when[Stage.BACKGROUND_CHECKED],
                note="Lý lịch rõ ràng, gia đình chấp hành tốt chủ trương, chính sách.",
            )
        if plan.fail_branch_vote:
            checked = when.get(Stage.BACKGROUND_CHECKED)
            failed_on = (
                vote_on - timedelta(days=rng.randint(14, 28))
                if reached(Stage.BRANCH_PROPOSED)
                else min(today, checked + timedelta(days=rng.randint(3, 20)))
                if checked
                else None
            )
            if failed_on:
                self.branch_vote(candidate, unit, failed_on, by, passing=False)
        if reached(Stage.BRANCH_PROPOSED):
            self.branch_vote(candidate, unit, vote_on, by, passing=True)
            if plan.extend:
                pipeline.extend_decision_deadline(
                    candidate,
                    by=self.actor(unit, "decide"),
                    reason="Chờ kết quả thẩm tra bổ sung lý lịch người thân ở tỉnh ngoài.",
                )
        if plan.fail_grassroots_vote and chain.endorser is not None:
            held = min(today, vote_on + timedelta(days=rng.randint(5, 20)))
            self.grassroots_vote(candidate, chain, held, passing=False, unit=unit)
        if reached(Stage.GRASSROOTS_ENDORSED):
            self.grassroots_vote(
                candidate, chain, when[Stage.GRASSROOTS_ENDORSED], passing=True, unit=unit
            )
        if reached(Stage.ADMITTED):
            self.decide(candidate, plan, chain, when[Stage.ADMITTED], unit)
        if reached(Stage.MEMBER):
            candidate.refresh_from_db()
            held = when[Stage.MEMBER]
            late = ""
            if candidate.ceremony_due_on and held > candidate.ceremony_due_on:
                suffix = "TU" if chain.decider.kind == Kind.PROVINCE else "ĐU"
                late = f"{self.number('late')}-CV/{suffix}"
            pipeline.hold_ceremony(candidate, by=by, held_on=held, late_approval_no=late)
        if plan.withdraw_from:
            pipeline.withdraw(candidate, by=by, reason=rng.choice(WITHDRAW_REASONS))
        return candidate

    def add_introducers(
        self,
        candidate: Candidate,
        plan: Plan,
        unit: Unit,
        wanted: int,
        known_since: date,
        by: User,
    ) -> None:
        if not wanted:
            return
        person = candidate.person
        youth = person.youth_union_member and (self.today - person.birth_date).days < 29 * 365
        use_union = ""
        if youth and self.rng.random() < 0.35:
            use_union = Union.YOUTH_UNION
        elif person.trade_union_member and self.rng.random() < 0.2:
            use_union = Union.TRADE_UNION
        sponsors = self.rng.sample(unit.officials, k=min(2, len(unit.officials)))
        for i in range(wanted):
            if use_union and i == 1:
                suffix = "ĐTN" if use_union == Union.YOUTH_UNION else "CĐCS"
                pipeline.add_introducer(
                    candidate,
                    by=by,
                    union=use_union,
                    known_since=known_since,
                    resolution_no=f"{self.number('union'):02d}-NQ/{suffix}",
                )
            elif i < len(sponsors):
                pipeline.add_introducer(
                    candidate, by=by, member=sponsors[i], known_since=known_since
                )

    def branch_vote(
        self, candidate: Candidate, unit: Unit, held_on: date, by: User, *, passing: bool
    ) -> None:
        total = vote_denominator(unit.org, on=held_on)
        need = math.ceil(total * 2 / 3)
        if passing:
            in_favour = max(need, total - self.rng.choice([0, 0, 0, 1, 1, 2, 3]))
        else:
            in_favour = max(0, need - self.rng.randint(1, 3))
        against = (
            self.rng.randint(0, total - in_favour)
            if passing
            else total - in_favour - (self.rng.randint(0, min(2, total - in_favour)))
        )
        pipeline.record_branch_vote(
            candidate,
            by=by,
            held_on=held_on,
            in_favour=in_favour,
            against=against,
            resolution_no=f"{self.number(f'nq:{unit.org.pk}'):02d}-NQ/CB",
        )

    def grassroots_vote(
        self,
        candidate: Candidate,
        chain: AdmissionChain,
        held_on: date,
        *,
        passing: bool,
        unit: Unit,
    ) -> None:
        assert chain.endorser is not None
        size = chain.endorser.committee_size or 9
        need = math.ceil(size * 2 / 3)
        in_favour = (
            max(need, size - self.rng.randint(0, 2)) if passing else need - self.rng.randint(1, 2)
        )
        pipeline.record_grassroots_vote(
            candidate,
            by=self.actor(unit, "endorse"),
            held_on=held_on,
            in_favour=in_favour,
            committee_size=size,
            against=size - in_favour if not passing else 0,
            resolution_no=f"{self.number(f'nqdu:{chain.endorser.pk}')}-NQ/ĐU",
        )

    def decide(
        self,
        candidate: Candidate,
        plan: Plan,
        chain: AdmissionChain,
        decided_on: date,
        unit: Unit,
    ) -> None:
        decider = chain.decider
        authorised = chain.decider_rule == "vote.authorised_grassroots"
        size = (decider.committee_size if authorised else decider.standing_committee_size) or 7
        need = math.ceil(size * 2 / 3) if authorised else size // 2 + 1
        admitted = plan.stage != Stage.REJECTED
        if admitted:
            in_favour = max(need, size - self.rng.randint(0, 2))
        else:
            in_favour = need - 1 if plan.reject_by_vote else 0
        candidate.refresh_from_db()
        late = ""
        if candidate.decision_due_on and decided_on > candidate.decision_due_on:
            late = "Chờ ý kiến của cơ quan công an về người thân đang lao động ở nước ngoài."
        suffix = "TU" if decider.kind == Kind.PROVINCE else "ĐU"
        note = (
            ""
            if admitted
            else (
                "Chưa đủ số phiếu tán thành của cấp ủy."
                if plan.reject_by_vote
                else "Thẩm tra bổ sung cho thấy chưa đủ tiêu chuẩn chính trị (58-QĐ/TW)."
            )
        )
        pipeline.decide_admission(
            candidate,
            by=self.actor(unit, "decide"),
            decided_on=decided_on,
            admitted=admitted,
            decision_no=f"{self.number(f'qd:{decider.pk}')}-QĐ/{suffix}",
            in_favour=in_favour if (admitted or plan.reject_by_vote) else None,
            committee_size=size if (admitted or plan.reject_by_vote) else None,
            late_reason=late,
            note=note,
        )


# ---- entry point -------------------------------------------------------------------------


def build(
    *,
    members: int = DEFAULT_MEMBERS,
    seed: int = DEFAULT_SEED,
    candidates: int | None = None,
    dry_run: bool = False,
    out: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Build the demo province. Refuses (``AlreadyPopulated``) if organisations exist."""
    if Organisation.objects.exists():
        raise AlreadyPopulated("Cơ sở dữ liệu đã có tổ chức đảng: không tạo dữ liệu mẫu.")
    if members < 100:
        raise ValueError("--members must be at least 100")
    started = time.monotonic()
    demo = Demo(
        rng=random.Random(seed), today=timezone.localdate(), target_members=members, out=out
    )
    total_candidates = candidates if candidates is not None else max(40, round(members / 55))
    timings: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        now = time.monotonic()
        timings[name] = now - since
        return now

    try:
        with transaction.atomic(), acting_as(None):
            t = time.monotonic()
            demo.build_tree()
            demo.size_units()
            t = lap("tree", t)
            plans = demo.plan_candidates(total_candidates)
            demo.size_units()  # again: the ceremonies planned need room in their chi bộ
            demo.build_members()
            t = lap("members", t)
            demo.build_users()
            t = lap("users", t)
            for plan in plans:
                demo.run_plan(plan)
            t = lap("candidates", t)
            build_lifecycle(demo)
            t = lap("lifecycle", t)
            exams = build_training_and_exams(demo)
            t = lap("exams", t)
            statistics = build_targets_and_surveys(demo)
            t = lap("statistics", t)
            quality = build_reviews_and_screening(demo)
            t = lap("reviews", t)
            documents = build_documents(demo)
            t = lap("documents", t)
            summary = _summary(demo, time.monotonic() - started, timings)
            summary.update(exams)
            summary.update(statistics)
            summary.update(quality)
            summary.update(documents)
            if dry_run:
                raise _DryRun
    except _DryRun:
        summary["dry_run"] = True
    return summary


def _summary(demo: Demo, seconds: float, timings: dict[str, float]) -> dict[str, Any]:
    kinds = dict(
        Organisation.objects.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n")
    )
    statuses = dict(
        Member.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    stages = dict(
        Candidate.objects.values_list("stage").annotate(n=Count("pk")).values_list("stage", "n")
    )
    return {
        "organisations": {k: kinds.get(k, 0) for k in Kind.values if kinds.get(k)},
        "members": statuses,
        "candidates": {s: stages.get(s, 0) for s in Stage.values},
        "users": sorted(demo.users),
        "demo_commune": demo.demo_commune.name if demo.demo_commune else "",
        "demo_branch": demo.demo_branch.org.name if demo.demo_branch else "",
        "seconds": seconds,
        "timings": timings,
    }
