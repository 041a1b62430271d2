"""Word lists, shapes and proportions of the synthetic nation.

Names, ethnic profiles, settings and unit templates are the demo's (``core/demo.py``), so
the national data reads like the demo province. Proportions that nobody publishes exactly
are marked [U]: they give a believable shape, not statistics.
"""

import random
from collections.abc import Callable, Mapping
from typing import Any

from dangvien.candidates.models import Stage
from dangvien.core.demo import (  # noqa: F401 (re-exported for the generator)
    BLOC_GOV_GBS,
    BLOC_PARTY_GBS,
    EDUCATION_MIX,
    ETHNICITIES,
    FEMALE_MIDDLE,
    GB_TEMPLATES,
    GC_TEMPLATES,
    HIGHLAND_PLACES,
    MALE_MIDDLE,
    OCCUPATION_GROUPS,
    OCCUPATIONS,
    OFFICES,
    PLACE_WORDS,
    PROFILES,
    SETTING_AGES,
    SETTING_MALE,
    SETTING_SECTORS,
    THEORY_MIX,
    WITHDRAW_REASONS,
)
from dangvien.members.models import Status
from dangvien.reviews.models import Rating


class Draw(random.Random):
    """``random.Random`` with cheaper ``randint``, ``randrange`` and ``choice`` (one
    ``random()`` call each instead of bit fiddling): millions of draws, same seed, same
    nation. Their results differ from the standard library's for a given seed."""

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        if stop is None:
            start, stop = 0, start
        return start + step * int(self.random() * ((stop - start + step - 1) // step))

    def choice(self, seq: Any) -> Any:
        return seq[int(self.random() * len(seq))]


SLOTS = 4096


class Pick:
    """A weighted choice that is cheap to draw many times: ``pick(rng.random)`` looks the
    draw up in a table of 4,096 slots filled in proportion to the weights (a weight gets
    at least one slot); hot loops draw ``pick.slots[int(random() * SLOTS)]`` themselves."""

    __slots__ = ("items", "slots")

    def __init__(self, table: Mapping[Any, float]) -> None:
        self.items = [item for item, weight in table.items() if weight > 0]
        total = sum(table[item] for item in self.items)
        counts = [max(1, round(table[item] / total * SLOTS)) for item in self.items]
        counts[counts.index(max(counts))] += SLOTS - sum(counts)
        self.slots = [
            item for item, count in zip(self.items, counts, strict=True) for _ in range(count)
        ]

    def __call__(self, random: Callable[[], float]) -> Any:
        return self.slots[int(random() * SLOTS)]


# The 34 provinces and centrally-run cities of 2025 (Nghị quyết 202/2025/QH15), with the
# citizen-ID code of one of their former provinces (Thông tư 07/2016/TT-BCA, codes of
# 2016; which code a merged province issues now is [U]) and the terrain that decides the
# ethnic profile of their communes [U].
PROVINCES: list[tuple[str, str, str, bool]] = [  # (name, ID code, terrain, city)
    ("Hà Nội", "001", "lowland", True),
    ("Cao Bằng", "004", "highland", False),
    ("Tuyên Quang", "008", "highland", False),
    ("Điện Biên", "011", "highland", False),
    ("Lai Châu", "012", "highland", False),
    ("Sơn La", "014", "highland", False),
    ("Lào Cai", "015", "highland", False),
    ("Thái Nguyên", "019", "midland", False),
    ("Lạng Sơn", "020", "highland", False),
    ("Quảng Ninh", "022", "midland", False),
    ("Bắc Ninh", "024", "lowland", False),
    ("Phú Thọ", "025", "midland", False),
    ("Hải Phòng", "031", "lowland", True),
    ("Hưng Yên", "033", "lowland", False),
    ("Ninh Bình", "037", "lowland", False),
    ("Thanh Hóa", "038", "midland", False),
    ("Nghệ An", "040", "midland", False),
    ("Hà Tĩnh", "042", "lowland", False),
    ("Quảng Trị", "045", "midland", False),
    ("Huế", "046", "lowland", True),
    ("Đà Nẵng", "048", "lowland", True),
    ("Quảng Ngãi", "051", "midland", False),
    ("Gia Lai", "052", "highland", False),
    ("Khánh Hòa", "056", "midland", False),
    ("Đắk Lắk", "066", "highland", False),
    ("Lâm Đồng", "068", "highland", False),
    ("Đồng Nai", "075", "lowland", False),
    ("Hồ Chí Minh", "079", "lowland", True),
    ("Tây Ninh", "080", "lowland", False),
    ("Đồng Tháp", "082", "lowland", False),
    ("Vĩnh Long", "086", "lowland", False),
    ("An Giang", "089", "lowland", False),
    ("Cần Thơ", "092", "lowland", True),
    ("Cà Mau", "096", "lowland", False),
]
# Relative size of a province's membership [U]: the two largest cities weigh most.
BIG = {"Hà Nội": 3.0, "Hồ Chí Minh": 2.6, "Thanh Hóa": 1.6, "Nghệ An": 1.6}
# Share of a commune's profile by the province's terrain [U].
TERRAIN_PROFILES = {
    "lowland": {"lowland": 90, "midland": 10},
    "midland": {"lowland": 45, "midland": 40, "highland": 15},
    "highland": {"lowland": 10, "midland": 30, "highland": 60},
}
WARD_SHARE = {"lowland": 0.3, "midland": 0.15, "highland": 0.08}  # phường among communes [U]
CITY_WARD_SHARE = 0.6
BLOC_SHARE = 0.12  # members in the province's blocs and forces [U]

# Sizes (active members) by kind of unit: (low, high, mode) of a triangular draw, then
# scaled to the target; a chi bộ holds 3 to 60 (a chi bộ cơ sở under 30: at 30 it becomes a
# đảng bộ, Điều lệ Điều 21).
VILLAGE_SHAPE = {"lowland": (10, 60, 30), "midland": (8, 55, 24), "highland": (5, 45, 16)}
WARD_SHAPE = (8, 60, 26)
WORKPLACE_SHAPE = (3, 35, 9)
BLOC_BRANCH_SHAPE = (3, 30, 9)
BLOC_GB_SHAPE = (5, 29, 13)
CAP_BRANCH = 60
CAP_GRASSROOTS_BRANCH = 29
FLOOR = 3

# Grassroots committees of the provincial blocs: (name with {n}, setting, branch names).
BLOC_GC_TEMPLATES: list[tuple[str, str, list[str]]] = [
    (
        "Đảng bộ Sở {dept}",
        "agency",
        [
            "Chi bộ Văn phòng Sở",
            "Chi bộ Thanh tra Sở",
            "Chi bộ Phòng Kế hoạch – Tài chính",
            "Chi bộ Phòng Tổ chức cán bộ",
            "Chi bộ Phòng Nghiệp vụ 1",
            "Chi bộ Phòng Nghiệp vụ 2",
            "Chi bộ Chi cục trực thuộc",
        ],
    ),
    (
        "Đảng bộ Bệnh viện {hospital}",
        "health",
        [
            "Chi bộ Khoa Nội",
            "Chi bộ Khoa Ngoại",
            "Chi bộ Khoa Sản",
            "Chi bộ Khoa Nhi",
            "Chi bộ Khoa Hồi sức cấp cứu",
            "Chi bộ Khối Cận lâm sàng",
            "Chi bộ Phòng Hành chính",
            "Chi bộ Khoa Dược",
        ],
    ),
    (
        "Đảng bộ Trường {school}",
        "school",
        [
            "Chi bộ Khoa Cơ bản",
            "Chi bộ Khoa Kinh tế",
            "Chi bộ Khoa Kỹ thuật",
            "Chi bộ Phòng Đào tạo",
            "Chi bộ Sinh viên",
            "Chi bộ Văn phòng",
        ],
    ),
    (
        "Đảng bộ Công ty {company}",
        "enterprise",
        [
            "Chi bộ Văn phòng Công ty",
            "Chi bộ Phòng Kỹ thuật",
            "Chi bộ Xí nghiệp 1",
            "Chi bộ Xí nghiệp 2",
            "Chi bộ Xí nghiệp 3",
            "Chi bộ Phòng Kinh doanh",
        ],
    ),
]
DEPARTMENTS = [
    "Y tế",
    "Giáo dục và Đào tạo",
    "Nông nghiệp và Môi trường",
    "Tài chính",
    "Xây dựng",
    "Công Thương",
    "Nội vụ",
    "Tư pháp",
    "Khoa học và Công nghệ",
    "Văn hóa, Thể thao và Du lịch",
    "Dân tộc và Tôn giáo",
]
HOSPITALS = ["Đa khoa tỉnh", "Sản – Nhi", "Y học cổ truyền", "Phổi", "Tâm thần", "Mắt"]
SCHOOLS = ["Cao đẳng Y tế", "Cao đẳng Sư phạm", "Cao đẳng Nghề", "Chính trị", "Đại học"]
COMPANIES = [
    "Cổ phần Cấp nước",
    "TNHH MTV Xổ số kiến thiết",
    "Cổ phần Môi trường đô thị",
    "Điện lực",
    "Cổ phần Xây dựng giao thông",
    "TNHH Lâm nghiệp",
    "Cổ phần Dược phẩm",
    "Cổ phần May",
]
# The armed forces' đảng bộ directly under the province, with đảng bộ bộ phận.
FORCES = [
    ("Đảng bộ Công an {province}", ["Phòng Tham mưu", "Phòng Cảnh sát", "Phòng An ninh"]),
    ("Đảng bộ Quân sự {province}", ["Cơ quan Bộ Chỉ huy", "Ban Chỉ huy khu vực"]),
]

# Members (per year and per member) [U]: about 3% of the membership is admitted each
# year; deaths are frequent in the old residential chi bộ; removals and exits are rare.
PROBATIONARY_SHARE = 0.032  # admitted in the last 12 months
YEARLY_ADMISSION = 0.03  # share admitted in each earlier year of the window
EXEMPT_OLD = 0.35  # of members aged 72 and over (Điều lệ Điều 7)
TRANSFERRED = 0.09  # moved branch once during the window (chuyển sinh hoạt chính thức)
AWAY = 0.012  # working away on a temporary transfer (under 55)
FAR_AWAY = 0.004
READMITTED = 0.001
LEFT_RATES: dict[str, dict[str, float]] = {  # per active member, over the whole window [U]
    Status.DECEASED: {"village": 0.09, "ward": 0.07, "other": 0.01},
    Status.REMOVED: {"village": 0.004, "ward": 0.004, "other": 0.003},
    Status.EXITED: {"village": 0.0015, "ward": 0.0015, "other": 0.001},
    Status.EXPELLED: {"village": 0.0008, "ward": 0.0008, "other": 0.001},
}
LEFT_NOTES: dict[str, str] = {
    Status.DECEASED: "Từ trần",
    Status.REMOVED: "Xóa tên trong danh sách đảng viên",
    Status.EXITED: "Cho ra khỏi Đảng",
    Status.EXPELLED: "Khai trừ ra khỏi Đảng",
}

# Candidates: the pool still in the pipeline is about 5% of the membership [U]; these are
# the stages' weights in it and how long ago each stage's last step was (days).
POOL_SHARE = 0.05
WITHDRAWN_SHARE = 0.012
REJECTED_SHARE = 0.003
POOL_STAGES: dict[str, float] = {
    Stage.CANDIDATE: 34,
    Stage.IN_AWARENESS_COURSE: 7,
    Stage.CERTIFIED: 18,
    Stage.DOSSIER_OPEN: 14,
    Stage.BACKGROUND_CHECKED: 8,
    Stage.BRANCH_PROPOSED: 9,
    Stage.GRASSROOTS_ENDORSED: 5,
    Stage.ADMITTED: 5,
}
POOL_AGO: dict[str, tuple[int, int]] = {  # (low, high) days since the candidate's last step
    Stage.CANDIDATE: (3, 420),
    Stage.IN_AWARENESS_COURSE: (1, 25),
    Stage.CERTIFIED: (3, 240),
    Stage.DOSSIER_OPEN: (3, 60),
    Stage.BACKGROUND_CHECKED: (1, 45),
    Stage.BRANCH_PROPOSED: (5, 95),
    Stage.GRASSROOTS_ENDORSED: (5, 80),
    Stage.ADMITTED: (2, 55),
    Stage.WITHDRAWN: (5, 700),
    Stage.REJECTED: (5, 700),
}
# Days between a candidate's steps: (low, high) before reaching the stage.
STEP_GAPS: dict[str, tuple[int, int]] = {
    Stage.IN_AWARENESS_COURSE: (20, 200),
    Stage.CERTIFIED: (5, 12),
    Stage.DOSSIER_OPEN: (10, 90),
    Stage.BACKGROUND_CHECKED: (20, 60),
    Stage.BRANCH_PROPOSED: (5, 30),
    Stage.GRASSROOTS_ENDORSED: (5, 25),
    Stage.ADMITTED: (10, 45),
    Stage.MEMBER: (5, 28),
    Stage.WITHDRAWN: (5, 200),
    Stage.REJECTED: (10, 45),
}
NO_COURSE_GAP = (30, 250)  # listed, then certified from an earlier course
ADMITTED_WITH_CANDIDACY_DAYS = 730  # members admitted this recently have their candidacy

FAMILY_BACKGROUNDS = [
    "Bố mẹ làm nông nghiệp, chấp hành tốt chủ trương của Đảng, chính sách của Nhà nước.",
    "Bố là cựu chiến binh, mẹ là giáo viên đã nghỉ hưu; anh trai là đảng viên.",
    "Bố mẹ buôn bán nhỏ tại địa phương; gia đình không có ai vi phạm pháp luật.",
    "Ông nội là liệt sĩ; bố mẹ là công nhân; các em đang đi học.",
    "Bố mẹ là công chức đã nghỉ hưu; chị gái đang công tác tại thành phố.",
]

# Yearly reviews (366-QĐ/TW): ratings and their score ranges (as the demo's).
MEMBER_RATINGS = {Rating.EXCELLENT: 12, Rating.GOOD: 72, Rating.COMPLETE: 14, Rating.FAILED: 2}
ORG_RATINGS = {Rating.EXCELLENT: 14, Rating.GOOD: 66, Rating.COMPLETE: 17, Rating.FAILED: 3}
SCORES = {  # (low, high) of the score, on-time %, (low, high) of beyond-requirement %
    Rating.EXCELLENT: (90, 97, 100, (30, 55)),
    Rating.GOOD: (72, 89, 100, (0, 25)),
    Rating.COMPLETE: (52, 69, 85, (0, 0)),
    Rating.FAILED: (38, 49, 60, (0, 0)),
}
TARGET_SHARE = 0.032  # a yearly admission target of about 3% of the members below [U]
