"""A realistic made-up context for every form: what a template is checked and previewed
against (``templating.check_template``, ``manage.py render_forms``), without a database.

The sample has every key ``contexts.context_for`` can answer for any form (a superset,
so a province's template may use any of them), in the same shape; the header, the signer
and the number follow the form's issuer as they would for a real subject. All names,
places and numbers are invented.
"""

from copy import deepcopy
from typing import Any

from dangvien.documents import forms as f
from dangvien.documents.forms import Form

# The body that issues each kind of document in the sample tree: province "Tỉnh ủy Thử
# Nghiệm" → commune "Đảng bộ xã An Bình" → grassroots "Đảng bộ Trường THPT An Bình" →
# sub-committee "Đảng bộ bộ phận Khối Chuyên môn" → "Chi bộ Tổ Toán – Tin".
_BODIES: dict[str, dict[str, str]] = {
    f.BRANCH: {
        "parent_body": "ĐẢNG BỘ BỘ PHẬN KHỐI CHUYÊN MÔN",
        "issuing_body": "CHI BỘ TỔ TOÁN – TIN",
        "label": "Chi bộ Tổ Toán – Tin",
        "symbol": "CB",
        "on_behalf": "T/M CHI BỘ",
        "name": "Trần Thị Thu Hương",
    },
    f.SUB_COMMITTEE: {
        "parent_body": "ĐẢNG BỘ TRƯỜNG THPT AN BÌNH",
        "issuing_body": "ĐẢNG ỦY BỘ PHẬN KHỐI CHUYÊN MÔN",
        "label": "Đảng ủy bộ phận Khối Chuyên môn",
        "symbol": "ĐUBP",
        "on_behalf": "T/M ĐẢNG ỦY",
        "name": "Lê Văn Đức",
    },
    f.GRASSROOTS: {
        "parent_body": "ĐẢNG BỘ XÃ AN BÌNH",
        "issuing_body": "ĐẢNG ỦY TRƯỜNG THPT AN BÌNH",
        "label": "Đảng ủy Trường THPT An Bình",
        "symbol": "ĐU",
        "on_behalf": "T/M ĐẢNG ỦY",
        "name": "Phạm Quốc Việt",
    },
    f.DECIDER: {
        "parent_body": "ĐẢNG BỘ TỈNH THỬ NGHIỆM",
        "issuing_body": "ĐẢNG ỦY XÃ AN BÌNH",
        "label": "Đảng ủy xã An Bình",
        "symbol": "ĐU",
        "on_behalf": "T/M BAN THƯỜNG VỤ",
        "name": "Hoàng Minh Khôi",
    },
}
_BODIES[f.COMMITTEE] = {**_BODIES[f.GRASSROOTS], "on_behalf": "T/M ĐẢNG ỦY"}

_NUMBERS = {"QĐ": "127", "NQ": "15", "BC": "08", "GCN": "342", "GGT": "21", "GXN": "05"}

_PERSONAL_SIGNERS = {
    "1-KNĐ": "Nguyễn Thị Ánh Tuyết",
    "2-KNĐ": "Nguyễn Thị Ánh Tuyết",
    "3-KNĐ": "Đặng Văn Hùng",
    "10-KNĐ": "Vũ Thị Bích Ngọc",
    "11-KNĐ": "Đỗ Mạnh Cường",
    "BC-DB": "Đỗ Mạnh Cường",
}
_PERSONAL_TITLES = {
    "1-KNĐ": "NGƯỜI LÀM ĐƠN",
    "2-KNĐ": "NGƯỜI KHAI LÝ LỊCH",
    "3-KNĐ": "NGƯỜI GIỚI THIỆU",
    "4-KNĐ": "BÍ THƯ",
    "10-KNĐ": "NGƯỜI TỰ KIỂM ĐIỂM",
    "11-KNĐ": "ĐẢNG VIÊN ĐƯỢC PHÂN CÔNG GIÚP ĐỠ",
    "BC-DB": "NGƯỜI BÁO CÁO",
}

_CANDIDATE = {
    "full_name": "Nguyễn Thị Ánh Tuyết",
    "full_name_upper": "NGUYỄN THỊ ÁNH TUYẾT",
    "birth_date": "14/08/1998",
    "birth_year": "1998",
    "sex": "Nữ",
    "citizen_id": "036198004512",
    "ethnicity": "Kinh",
    "religion": "Không",
    "education": "Đại học",
    "political_theory": "Sơ cấp",
    "occupation": "Giáo viên Toán",
    "hometown": "Xã Yên Thịnh, tỉnh Thử Nghiệm",
    "address": "Thôn Đông, xã An Bình, tỉnh Thử Nghiệm",
    "phone": "0912 345 678",
    "village": "Thôn Đông",
    "youth_union": "Có",
    "trade_union": "Có",
}
_MEMBER_PERSON = {
    **_CANDIDATE,
    "full_name": "Vũ Thị Bích Ngọc",
    "full_name_upper": "VŨ THỊ BÍCH NGỌC",
    "birth_date": "02/03/1997",
    "birth_year": "1997",
    "citizen_id": "036197001289",
    "occupation": "Giáo viên Ngữ văn",
    "hometown": "Xã Hòa Lạc, tỉnh Thử Nghiệm",
}


def _vote(
    number: str, held_on: str, held_long: str, yes: int, no: int, total: int, body: str
) -> dict[str, Any]:
    pct = round(yes * 100 / total, 1)
    against = round(no * 100 / total, 1)
    return {
        "held_on": held_on,
        "held_on_long": held_long,
        "in_favour": yes,
        "against": no,
        "denominator": total,
        "percent": f"{pct:g}".replace(".", ","),
        "against_percent": f"{against:g}".replace(".", ","),
        "resolution_no": number,
        "body": body,
    }


_BRANCH_VOTE = _vote(
    "15-NQ/CB", "12/09/2026", "ngày 12 tháng 9 năm 2026", 11, 1, 12, "Chi bộ Tổ Toán – Tin"
)
_GRASSROOTS_VOTE = _vote(
    "42-NQ/ĐU",
    "25/09/2026",
    "ngày 25 tháng 9 năm 2026",
    8,
    0,
    9,
    "Đảng bộ Trường THPT An Bình",
)

_COMMON: dict[str, Any] = {
    "branch": {
        "name": "Chi bộ Tổ Toán – Tin",
        "body": "CHI BỘ TỔ TOÁN – TIN",
        "label": "Chi bộ Tổ Toán – Tin",
        "parent_body": "ĐẢNG BỘ BỘ PHẬN KHỐI CHUYÊN MÔN",
        "place": "An Bình",
    },
    "today": "ngày 20 tháng 11 năm 2026",
    "candidate": {
        "stage": "Đã thẩm tra lý lịch",
        "listed_on": "10/01/2025",
        "helper": "Đặng Văn Hùng",
        "course_name": "Lớp bồi dưỡng nhận thức về Đảng khóa 3 năm 2025",
        "course_started_on": "03/03/2025",
        "certificate_no": "342-GCN/TTCT",
        "certificate_issued_on": "21/03/2025",
        "application_on": "05/05/2026",
        "declaration_on": "12/05/2026",
        "decision_no": "127-QĐ/ĐU",
        "decided_on": "05/10/2026",
        "ceremony_on": "",
        "education_exception": "",
    },
    "member": {
        "status": "Đảng viên dự bị",
        "admitted_on": "10/10/2025",
        "first_admitted_on": "10/10/2025",
        "admission_decision_no": "98-QĐ/ĐU",
        "probation_started_on": "25/10/2025",
        "probation_ends_on": "25/10/2026",
        "official_on": "",
        "card_number": "036197001289",
        "new_member_course_no": "57-GCN/TTCT",
        "new_member_course_on": "14/03/2026",
    },
    "course": {
        "name": "Lớp bồi dưỡng nhận thức về Đảng khóa 3 năm 2025",
        "centre": "Trung tâm Chính trị xã An Bình",
        "starts_on": "03/03/2025",
        "ends_on": "14/03/2025",
    },
    "certificate": {
        "number": "342-GCN/TTCT",
        "issued_on": "21/03/2025",
        "valid_months": 60,
        "mark": "8,50",
    },
    "grassroots": {"name": "Đảng bộ Trường THPT An Bình", "body": "ĐẢNG ỦY TRƯỜNG THPT AN BÌNH"},
    "introducer": {
        "known_since": "01/09/2023",
        "resolution_no": "07-NQ/ĐTN",
        "union": "Đoàn TNCS Hồ Chí Minh",
        "full_name": "Đặng Văn Hùng",
        "birth_date": "19/11/1985",
        "hometown": "Xã An Bình, tỉnh Thử Nghiệm",
        "admitted_on": "03/02/2010",
        "official_on": "03/02/2011",
        "branch": "Chi bộ Tổ Toán – Tin",
        "card_number": "036185000731",
    },
    "introducers": ["Đặng Văn Hùng", "Đoàn TNCS Hồ Chí Minh (nghị quyết số 07-NQ/ĐTN)"],
    "residence": {"village": "Thôn Đông", "branch": "Chi bộ thôn Đông"},
    "background_check": {"completed_on": "28/08/2026", "outcome": "Đạt, không có vấn đề"},
    "vote": _BRANCH_VOTE,
    "branch_vote": _BRANCH_VOTE,
    "grassroots_vote": _GRASSROOTS_VOTE,
    "endorser": {
        "name": "Đảng bộ Trường THPT An Bình",
        "body": "ĐẢNG ỦY TRƯỜNG THPT AN BÌNH",
        "label": "Đảng ủy Trường THPT An Bình",
    },
    "decider": {
        "name": "Đảng bộ xã An Bình",
        "body": "ĐẢNG ỦY XÃ AN BÌNH",
        "label": "Đảng ủy xã An Bình",
        "decides_as": "BAN THƯỜNG VỤ ĐẢNG ỦY XÃ AN BÌNH",
        "decides_as_label": "Ban Thường vụ Đảng ủy xã An Bình",
    },
    "decision": {"number": "127-QĐ/ĐU", "decided_on": "05/10/2026"},
    "probation_months": 12,
    "mentor": {
        "full_name": "Đỗ Mạnh Cường",
        "from_on": "25/10/2025",
        "branch": "Chi bộ Tổ Toán – Tin",
    },
    "reports": [
        {
            "period": "09/2026",
            "assessment": "Tốt",
            "text": "Hoàn thành tốt nhiệm vụ giảng dạy; tích cực tham gia phong trào của trường.",
        },
        {
            "period": "10/2026",
            "assessment": "Tốt",
            "text": "Gương mẫu trong sinh hoạt chi bộ, đóng đảng phí đầy đủ.",
        },
    ],
    "report": {
        "period": "10/2026",
        "filed_on": "31/10/2026",
        "kind": "mentor",
        "kind_label": "Nhận xét của đảng viên giúp đỡ (mẫu 11-KNĐ)",
        "assessment": "Tốt",
        "paragraphs": [
            "Đồng chí Ngọc chấp hành tốt chủ trương của Đảng, chính sách, pháp luật của Nhà nước.",
            "Trong tháng, đồng chí hoàn thành tốt nhiệm vụ chuyên môn, tham gia đầy đủ sinh "
            "hoạt chi bộ và đóng đảng phí đúng hạn.",
        ],
        "author": "Đỗ Mạnh Cường",
    },
    "transfer": {
        "kind": "Chuyển sinh hoạt đảng chính thức",
        "to_name": "Chi bộ Trường THCS Hòa Lạc",
        "to_body": "CHI BỘ TRƯỜNG THCS HÒA LẠC",
        "from_branch": "Chi bộ Tổ Toán – Tin",
        "letter_no": "21-GGT/ĐU",
        "issued_on": "02/11/2026",
        "present_by": "14/12/2026",
        "until_on": "30/06/2027",
        "for_study": "",
    },
    "proceeding": {
        "trigger": "Bỏ sinh hoạt đảng 3 tháng trong năm không lý do",
        "reason": "Vắng sinh hoạt chi bộ các tháng 4, 5 và 7 năm 2026 không báo cáo lý do.",
        "opened_on": "10/08/2026",
        "complaint_until": "20/12/2026",
    },
    "party_age": {
        "years": 16,
        "counted_to": "20/11/2026",
        "gaps": [
            {
                "from_on": "01/06/2015",
                "until_on": "30/09/2015",
                "reason": "Chậm nộp giấy giới thiệu",
            }
        ],
        "left_on": "",
    },
}


def sample_context(form: Form) -> dict[str, Any]:
    """A made-up context for ``form``: every key any form's context may carry, with the
    header, signer and number of this form's issuer."""
    context = deepcopy(_COMMON)
    context["form"] = {"code": form.code, "title": form.title}
    context["person"] = dict(_MEMBER_PERSON if form.subject == f.MEMBER else _CANDIDATE)
    place_date = "An Bình, ngày 20 tháng 11 năm 2026"
    if form.issuer == f.PERSONAL:
        number = "07-NQ/ĐTN" if form.code == "4-KNĐ" else ""
        context["header"] = {
            "parent_body": "",
            "issuing_body": "",
            "number": f"Số {number}" if number else "",
            "place_date": place_date,
            "symbol": "",
        }
        name = _PERSONAL_SIGNERS.get(form.code, "")
        context["issuer"] = {
            "name": name,
            "name_upper": name.upper(),
            "on_behalf": "T/M BAN CHẤP HÀNH" if form.code == "4-KNĐ" else "",
            "title": _PERSONAL_TITLES.get(form.code, ""),
            "body": "",
            "label": "",
            "org_name": "",
        }
    else:
        body = _BODIES[form.issuer]
        number = f"{_NUMBERS.get(form.series, '01')}-{form.series}/{body['symbol']}"
        context["header"] = {
            "parent_body": body["parent_body"],
            "issuing_body": body["issuing_body"],
            "number": f"Số {number}",
            "place_date": place_date,
            "symbol": body["symbol"],
        }
        context["issuer"] = {
            "name": body["name"],
            "name_upper": body["name"].upper(),
            "on_behalf": body["on_behalf"],
            "title": "BÍ THƯ",
            "body": body["issuing_body"],
            "label": body["label"],
            "org_name": body["label"],
        }
    context["document"] = {
        "number": number,
        "date": "20/11/2026",
        "date_long": "ngày 20 tháng 11 năm 2026",
        "draft": False,
    }
    if form.code == "GGT-TT":
        context["transfer"] |= {"kind": "Chuyển sinh hoạt đảng tạm thời", "for_study": "Có"}
    if form.subject == f.MEMBER and form.dossier == f.RECORDS and form.code != "BC-DB":
        context["member"] |= {"status": "Đảng viên chính thức", "official_on": "25/10/2011"}
        context["member"] |= {"admitted_on": "10/10/2010", "first_admitted_on": "10/10/2010"}
    return context
