"""The columns of each import kind: what the published templates hold, how headers are
recognised (by their ``fold``ed name and known synonyms), and how a cell's text becomes a
value. Values are written as staff write them in Excel: dates dd/mm/yyyy, choices by
their Vietnamese label ("Nam", "Đại học", "Chính thức"), with or without diacritics.
"""

import re
from dataclasses import dataclass
from datetime import date

from dangvien.core.dates import FIRST_DAY, LAST_DAY
from dangvien.core.text import fold, is_number
from dangvien.imports.models import ImportKind
from dangvien.members.models import Status
from dangvien.organisations.models import Kind, Sector
from dangvien.people.models import Education, PoliticalTheory, Sex


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the header in the template
    required: bool
    help: str  # meaning and allowed values (sheet "Hướng dẫn")
    example: str
    synonyms: tuple[str, ...] = ()

    @property
    def names(self) -> set[str]:
        return {fold(self.label), *(fold(s) for s in self.synonyms)}


def _labels(choices: type) -> str:
    return ", ".join(f"“{label}”" for label in choices.labels)  # type: ignore[attr-defined]


PERSON = [
    Column(
        "full_name",
        "Họ và tên",
        True,
        "Họ, tên đệm và tên, có dấu.",
        "Nguyễn Thị Minh Khai",
        ("họ tên", "ho va ten khai sinh", "họ và tên khai sinh", "ten"),
    ),
    Column(
        "birth_date",
        "Ngày sinh",
        True,
        "Ngày/tháng/năm, ví dụ 05/03/1990.",
        "05/03/1990",
        ("ngày tháng năm sinh", "sinh ngày", "ngay sinh (dd/mm/yyyy)"),
    ),
    Column("sex", "Giới tính", True, "“Nam” hoặc “Nữ”.", "Nữ", ("phái", "gioi")),
    Column(
        "citizen_id",
        "Số CCCD",
        True,
        "Số định danh cá nhân (căn cước công dân): đúng 12 chữ số. Định dạng ô là văn bản "
        "để không mất số 0 ở đầu.",
        "001190012345",
        ("cccd", "số căn cước", "căn cước công dân", "số định danh", "số định danh cá nhân"),
    ),
    Column(
        "education_level",
        "Trình độ học vấn",
        True,
        f"Một trong: {_labels(Education)}; cũng nhận “THCS”, “THPT”, “9/12”, “12/12”.",
        "Đại học",
        ("trình độ", "học vấn", "trình độ chuyên môn", "giáo dục phổ thông"),
    ),
    Column("ethnicity", "Dân tộc", False, "Để trống: Kinh.", "Kinh"),
    Column("religion", "Tôn giáo", False, "Để trống: Không.", "Không"),
    Column(
        "political_theory",
        "Lý luận chính trị",
        False,
        f"Một trong: {_labels(PoliticalTheory)}. Để trống: chưa qua đào tạo.",
        "Sơ cấp",
        ("trình độ lý luận chính trị", "lý luận"),
    ),
    Column("occupation", "Nghề nghiệp", False, "Nghề nghiệp, chức vụ.", "Giáo viên"),
    Column("hometown", "Quê quán", False, "Quê quán.", "Xã An Bình, tỉnh Thử Nghiệm"),
    Column(
        "address",
        "Nơi ở hiện nay",
        False,
        "Nơi ở hiện nay.",
        "Thôn Đông, xã An Bình",
        ("nơi ở", "địa chỉ", "chỗ ở hiện nay", "nơi cư trú"),
    ),
    Column("phone", "Điện thoại", False, "Số điện thoại.", "0912345678", ("số điện thoại", "sđt")),
    Column(
        "branch",
        "Chi bộ",
        True,
        "Mã tổ chức của chi bộ, hoặc tên chi bộ đúng như trong hệ thống; phải thuộc tổ chức "
        "được chọn khi nhập.",
        "Chi bộ thôn Đông",
        ("mã chi bộ", "tên chi bộ", "chi bộ sinh hoạt", "đơn vị"),
    ),
]

CANDIDATE = [
    *PERSON,
    Column(
        "listed_on",
        "Ngày đưa vào nguồn",
        False,
        "Ngày chi bộ đưa vào danh sách quần chúng ưu tú (dd/mm/yyyy). Để trống: hôm nay.",
        "15/01/2026",
        ("ngày vào nguồn", "ngày đưa vào danh sách"),
    ),
    Column(
        "youth_union_member",
        "Đoàn viên",
        False,
        "“Có” nếu là đoàn viên Đoàn TNCS Hồ Chí Minh; để trống hoặc “Không” nếu không.",
        "Có",
        ("đoàn viên thanh niên", "là đoàn viên"),
    ),
    Column(
        "trade_union_member",
        "Công đoàn viên",
        False,
        "“Có” nếu là công đoàn viên; để trống hoặc “Không” nếu không.",
        "Không",
    ),
]

MEMBER = [
    *PERSON,
    Column(
        "status",
        "Trạng thái",
        True,
        "“Chính thức” hoặc “Dự bị”.",
        "Chính thức",
        ("đảng viên chính thức/dự bị", "loại đảng viên", "chính thức/dự bị"),
    ),
    Column(
        "admitted_on",
        "Ngày kết nạp",
        True,
        "Ngày quyết định kết nạp (dd/mm/yyyy); tuổi đảng tính từ ngày này.",
        "03/02/2015",
        ("ngày vào đảng", "ngày quyết định kết nạp"),
    ),
    Column(
        "probation_started_on",
        "Ngày lễ kết nạp",
        False,
        "Ngày tổ chức lễ kết nạp (dd/mm/yyyy); bắt buộc với đảng viên dự bị (thời gian dự "
        "bị tính từ ngày này); có thể để trống với đảng viên chính thức nếu không rõ.",
        "20/02/2015",
        ("ngày lễ", "ngày tổ chức lễ kết nạp"),
    ),
    Column(
        "official_on",
        "Ngày chính thức",
        False,
        "Ngày được công nhận đảng viên chính thức (dd/mm/yyyy); bắt buộc với đảng viên chính thức.",
        "20/02/2016",
        ("ngày công nhận chính thức", "ngày chuyển chính thức"),
    ),
    Column(
        "card_number",
        "Số thẻ đảng viên",
        False,
        "Số thẻ đảng viên, nếu đã có.",
        "01234567",
        ("số thẻ", "thẻ đảng"),
    ),
]

ORGANISATION = [
    Column(
        "code",
        "Mã",
        True,
        "Mã tổ chức, không trùng trong tệp; dùng để nhận lại tổ chức khi nhập lại tệp.",
        "CB01",
        ("mã tổ chức", "mã đơn vị"),
    ),
    Column("name", "Tên", True, "Tên tổ chức đảng, có dấu.", "Chi bộ thôn Bắc", ("tên tổ chức",)),
    Column(
        "kind",
        "Loại",
        True,
        f"Một trong: {_labels(Kind)}; cũng nhận “Chi bộ”, “Chi bộ cơ sở”, “Đảng bộ cơ sở”, "
        "“Đảng bộ bộ phận”, “Đảng bộ xã”, “Đảng bộ phường”.",
        "Chi bộ",
        ("loại tổ chức", "cấp"),
    ),
    Column(
        "parent_code",
        "Mã cấp trên",
        False,
        "Mã của tổ chức cấp trên: một dòng phía trên trong tệp, hoặc một tổ chức đã có. Để "
        "trống: trực thuộc tổ chức được chọn khi nhập.",
        "DBX01",
        ("mã tổ chức cấp trên", "cấp trên"),
    ),
    Column(
        "sector",
        "Loại hình",
        False,
        f"Chỉ với tổ chức cơ sở đảng và đảng bộ xã: {_labels(Sector)}.",
        "",
        ("loại hình tổ chức",),
    ),
    Column(
        "committee_size",
        "Số cấp ủy viên",
        False,
        "Số ủy viên cấp ủy (số nguyên).",
        "",
        ("số ủy viên", "số ủy viên cấp ủy"),
    ),
]

COLUMNS: dict[str, list[Column]] = {
    ImportKind.MEMBERS: MEMBER,
    ImportKind.CANDIDATES: CANDIDATE,
    ImportKind.ORGANISATIONS: ORGANISATION,
}


def columns_for(kind: str) -> list[Column]:
    return COLUMNS[kind]


def column_by_key(kind: str) -> dict[str, Column]:
    return {c.key: c for c in COLUMNS[kind]}


def propose_mapping(kind: str, headers: list[str]) -> list[str]:
    """Each header's field ("" when none): by folded name or synonym, each field once."""
    taken: set[str] = set()
    mapping = []
    for header in headers:
        name = fold(header).strip(" :*.")
        found = ""
        for column in COLUMNS[kind]:
            if column.key not in taken and name in column.names:
                found = column.key
                break
        if found:
            taken.add(found)
        mapping.append(found)
    return mapping


def mapping_problems(kind: str, headers: list[str], mapping: list[str]) -> list[str]:
    """Why a mapping cannot be used (Vietnamese; empty when it can)."""
    problems = []
    if len(mapping) != len(headers):
        return [f"Cần chọn trường cho đúng {len(headers)} cột của tệp."]
    known = column_by_key(kind)
    seen: dict[str, int] = {}
    for index, key in enumerate(mapping):
        if not key:
            continue
        if key not in known:
            problems.append(f"Cột {index + 1} (“{headers[index]}”): không có trường “{key}”.")
        elif key in seen:
            problems.append(
                f"Trường “{known[key].label}” được chọn cho hai cột: "
                f"“{headers[seen[key]]}” và “{headers[index]}”."
            )
        else:
            seen[key] = index
    for column in COLUMNS[kind]:
        if column.required and column.key not in seen:
            problems.append(f"Chưa có cột nào cho trường bắt buộc “{column.label}”.")
    return problems


# ---- cell values -----------------------------------------------------------------------


class BadValue(ValueError):
    """A cell that cannot be read; ``str()`` is the Vietnamese message (without the row)."""


def _day_parts(text: str) -> tuple[int, int, int] | None:
    for sep in ("/", "-", "."):
        parts = text.split(sep)
        if len(parts) == 3 and all(is_number(p) for p in parts):
            if len(parts[0]) == 4:
                return int(parts[0]), int(parts[1]), int(parts[2])
            if len(parts[2]) == 4:
                return int(parts[2]), int(parts[1]), int(parts[0])
    return None


def parse_date(text: str) -> date:
    """dd/mm/yyyy (also d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy, and yyyy-mm-dd)."""
    parts = _day_parts(text)
    try:
        if parts is None:
            raise ValueError
        day = date(*parts)
    except ValueError:
        raise BadValue(f"“{text}” không phải ngày hợp lệ (dd/mm/yyyy).") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise BadValue(f"“{text}” không phải ngày hợp lệ (dd/mm/yyyy).")
    return day


def _choice(text: str, table: dict[str, str], allowed: str) -> str:
    value = table.get(fold(text))
    if value is None:
        raise BadValue(f"“{text}” không hợp lệ: chọn {allowed}.")
    return value


def _table(choices: type, **extra: str) -> dict[str, str]:
    table = {fold(str(label)): value for value, label in choices.choices}  # type: ignore[attr-defined]
    table.update({fold(str(value)): value for value in choices.values})  # type: ignore[attr-defined]
    table.update({fold(k.replace("_", " ")): v for k, v in extra.items()})
    return table


SEX = _table(Sex)
EDUCATION = _table(
    Education,
    thcs="lower_secondary",
    thpt="upper_secondary",
    cap_2="lower_secondary",
    cap_3="upper_secondary",
    cao_hoc="postgraduate",
    thac_si="postgraduate",
    tien_si="postgraduate",
    trung_cap_chuyen_nghiep="vocational",
)
EDUCATION["9/12"] = "lower_secondary"
EDUCATION["12/12"] = "upper_secondary"
THEORY = _table(PoliticalTheory, cao_cap="advanced", cu_nhan="advanced", khong="none")
THEORY[""] = PoliticalTheory.NONE
STATUS: dict[str, str] = {
    "chinh thuc": Status.OFFICIAL,
    "dang vien chinh thuc": Status.OFFICIAL,
    "official": Status.OFFICIAL,
    "du bi": Status.PROBATIONARY,
    "dang vien du bi": Status.PROBATIONARY,
    "probationary": Status.PROBATIONARY,
}
KIND = _table(
    Kind,
    chi_bo=Kind.BRANCH,
    chi_bo_truc_thuoc=Kind.BRANCH,
    chi_bo_co_so=Kind.GRASSROOTS_BRANCH,
    dang_bo_co_so=Kind.GRASSROOTS_COMMITTEE,
    dang_bo_bo_phan=Kind.SUB_COMMITTEE,
    dang_bo_xa=Kind.COMMUNE,
    dang_bo_phuong=Kind.COMMUNE,
    dang_bo_dac_khu=Kind.COMMUNE,
    tinh_uy=Kind.PROVINCE,
    thanh_uy=Kind.PROVINCE,
    huyen_uy=Kind.DISTRICT,
    dang_bo_khoi=Kind.BLOC,
)
SECTOR = _table(Sector)
YES = {"co", "x", "1", "true", "yes", "phai", "dung", "la doan vien", "doan vien"}
NO = {"", "khong", "0", "false", "no", "-"}


EDUCATION_LABELS = _labels(Education)
THEORY_LABELS = _labels(PoliticalTheory)
KIND_LABELS = _labels(Kind)
SECTOR_LABELS = _labels(Sector)


def parse_sex(text: str) -> str:
    return _choice(text, SEX, "“Nam” hoặc “Nữ”")


def parse_education(text: str) -> str:
    return _choice(text, EDUCATION, EDUCATION_LABELS)


def parse_theory(text: str) -> str:
    return _choice(text, THEORY, THEORY_LABELS)


def parse_status(text: str) -> str:
    return _choice(text, STATUS, "“Chính thức” hoặc “Dự bị”")


def parse_kind(text: str) -> str:
    return _choice(text, KIND, KIND_LABELS)


def parse_sector(text: str) -> str:
    if not text:
        return ""
    return _choice(text, SECTOR, SECTOR_LABELS)


def parse_bool(text: str) -> bool:
    folded = fold(text)
    if folded in YES:
        return True
    if folded in NO:
        return False
    raise BadValue(f"“{text}” không hợp lệ: ghi “Có” hoặc “Không”.")


_CITIZEN_ID = re.compile(r"[0-9]{12}")


def parse_citizen_id(text: str) -> str:
    if not _CITIZEN_ID.fullmatch(text):
        hint = " (Excel làm mất số 0 ở đầu: định dạng cột là văn bản)" if text.isdigit() else ""
        raise BadValue(f"“{text}” không phải 12 chữ số{hint}.")
    return text


def parse_count(text: str) -> int | None:
    if not text:
        return None
    if not is_number(text) or int(text) > 999:
        raise BadValue(f"“{text}” không phải số nguyên hợp lệ.")
    return int(text)
