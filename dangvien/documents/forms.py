"""The standard forms and documents the system generates (DOMAIN.md §10; numbering per
09-HD/BTCTW 2017, kept by 12-HD/BTCTW 2022 [R]; 3-KNĐ confirmed under the 2022 guide).

Each ``Form`` says what the document is, whose it is (a candidate's or a member's), which
dossier lists it, which body issues it (and so whose number register it draws on) and
before which step of the procedure it is needed. Contexts are built by
``dangvien.documents.contexts``; templates live in ``dangvien/documents/forms/<slug>.txt``
(replaceable per province: ``FormTemplate``).
"""

import unicodedata
from dataclasses import dataclass

CANDIDATE = "candidate"
MEMBER = "member"

ADMISSION = "admission"  # hồ sơ kết nạp (the candidate)
RECOGNITION = "recognition"  # hồ sơ công nhận đảng viên chính thức (probationary member)
RECORDS = "records"  # other member documents (transfers, removal, party age, reports)

# Issuers: whose register numbers the document, and whose name heads it.
PERSONAL = ""  # written and signed by a person (applicant, introducer, mentor)
BRANCH = "branch"  # the subject's chi bộ
SUB_COMMITTEE = "sub_committee"  # the đảng ủy bộ phận above the chi bộ, if any
GRASSROOTS = "grassroots"  # the grassroots đảng ủy between chi bộ and the deciding body
DECIDER = "decider"  # the committee competent to admit / recognise / remove
COMMITTEE = "committee"  # the nearest committee above the chi bộ (letters, certificates)

# Several documents of one form per subject: which rows they follow.
PER_INTRODUCER = "introducer"
PER_UNION_INTRODUCER = "union_introducer"
PER_TRANSFER = "transfer"
PER_PROCEEDING = "proceeding"
PER_REPORT = "report"


@dataclass(frozen=True)
class Form:
    code: str  # "9-KNĐ", as printed on the form
    slug: str  # ASCII, for file names and URLs: "9-KND"
    title: str
    subject: str  # CANDIDATE | MEMBER
    dossier: str  # ADMISSION | RECOGNITION | RECORDS
    issuer: str = PERSONAL
    series: str = ""  # register series when the issuer numbers it: QĐ, NQ, BC, GGT, GCN
    per: str = ""  # several per subject (PER_*); "" = one per subject
    needed_for: str = ""  # the step it must exist before, as the dossier page says it
    handwritten: bool = False  # the generated file is a guide; the signed scan counts
    note: str = ""

    @property
    def numbered(self) -> bool:
        return bool(self.series)


FORMS: tuple[Form, ...] = (
    # ---- admission dossier (candidate) -------------------------------------------------
    Form(
        "CN-NTVĐ",
        "CN-NTVD",
        "Giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng",
        CANDIDATE,
        ADMISSION,
        issuer=COMMITTEE,
        series="GCN",
        needed_for="lập hồ sơ xin vào Đảng",
    ),
    Form(
        "1-KNĐ",
        "1-KND",
        "Đơn xin vào Đảng",
        CANDIDATE,
        ADMISSION,
        needed_for="thẩm tra lý lịch",
        handwritten=True,
        note="Người vào Đảng tự viết tay; bản in là mẫu hướng dẫn.",
    ),
    Form(
        "2-KNĐ",
        "2-KND",
        "Lý lịch của người xin vào Đảng",
        CANDIDATE,
        ADMISSION,
        needed_for="thẩm tra lý lịch",
        note="Người vào Đảng tự khai; chi ủy kiểm tra, cấp ủy cơ sở chứng nhận.",
    ),
    Form(
        "3-KNĐ",
        "3-KND",
        "Giấy giới thiệu người vào Đảng",
        CANDIDATE,
        ADMISSION,
        per=PER_INTRODUCER,
        needed_for="chi bộ xét kết nạp",
    ),
    Form(
        "4-KNĐ",
        "4-KND",
        "Nghị quyết giới thiệu đoàn viên ưu tú vào Đảng",
        CANDIDATE,
        ADMISSION,
        per=PER_UNION_INTRODUCER,
        needed_for="chi bộ xét kết nạp",
        note="Của ban chấp hành đoàn cơ sở (4A-KNĐ: công đoàn cơ sở).",
    ),
    Form(
        "5-KNĐ",
        "5-KND",
        "Tổng hợp ý kiến nhận xét của đoàn thể chính trị - xã hội nơi làm việc "
        "và chi ủy nơi cư trú đối với người xin vào Đảng",
        CANDIDATE,
        ADMISSION,
        issuer=BRANCH,
        series="BC",
        needed_for="chi bộ xét kết nạp",
    ),
    Form(
        "6-KNĐ",
        "6-KND",
        "Nghị quyết đề nghị kết nạp đảng viên",
        CANDIDATE,
        ADMISSION,
        issuer=BRANCH,
        series="NQ",
        needed_for="cấp ủy quyết định kết nạp",
    ),
    Form(
        "7-KNĐ",
        "7-KND",
        "Báo cáo thẩm định của đảng ủy bộ phận về việc kết nạp đảng viên",
        CANDIDATE,
        ADMISSION,
        issuer=SUB_COMMITTEE,
        series="BC",
        needed_for="cấp ủy quyết định kết nạp",
        note="Chỉ khi chi bộ trực thuộc đảng ủy bộ phận.",
    ),
    Form(
        "8-KNĐ",
        "8-KND",
        "Nghị quyết của đảng ủy cơ sở đề nghị kết nạp đảng viên",
        CANDIDATE,
        ADMISSION,
        issuer=GRASSROOTS,
        series="NQ",
        needed_for="cấp ủy quyết định kết nạp",
        note="Chỉ khi có đảng ủy cơ sở giữa chi bộ và cấp ủy quyết định.",
    ),
    Form(
        "9-KNĐ",
        "9-KND",
        "Quyết định kết nạp đảng viên",
        CANDIDATE,
        ADMISSION,
        issuer=DECIDER,
        series="QĐ",
        needed_for="tổ chức lễ kết nạp",
    ),
    # ---- recognition dossier (probationary member) --------------------------------------
    Form(
        "10-KNĐ",
        "10-KND",
        "Bản tự kiểm điểm của đảng viên dự bị",
        MEMBER,
        RECOGNITION,
        needed_for="chi bộ xét công nhận đảng viên chính thức",
    ),
    Form(
        "11-KNĐ",
        "11-KND",
        "Bản nhận xét đảng viên dự bị của đảng viên được phân công giúp đỡ",
        MEMBER,
        RECOGNITION,
        needed_for="chi bộ xét công nhận đảng viên chính thức",
    ),
    Form(
        "12-KNĐ",
        "12-KND",
        "Tổng hợp ý kiến nhận xét của đoàn thể chính trị - xã hội nơi làm việc "
        "và chi ủy nơi cư trú đối với đảng viên dự bị",
        MEMBER,
        RECOGNITION,
        issuer=BRANCH,
        series="BC",
        needed_for="chi bộ xét công nhận đảng viên chính thức",
    ),
    Form(
        "GCN-ĐVM",
        "GCN-DVM",
        "Giấy chứng nhận học lớp bồi dưỡng đảng viên mới",
        MEMBER,
        RECOGNITION,
        issuer=COMMITTEE,
        series="GCN",
        needed_for="chi bộ xét công nhận đảng viên chính thức",
    ),
    Form(
        "13-KNĐ",
        "13-KND",
        "Nghị quyết đề nghị công nhận đảng viên chính thức",
        MEMBER,
        RECOGNITION,
        issuer=BRANCH,
        series="NQ",
        needed_for="cấp ủy quyết định công nhận đảng viên chính thức",
    ),
    Form(
        "14-KNĐ",
        "14-KND",
        "Báo cáo thẩm định của đảng ủy bộ phận về việc công nhận đảng viên chính thức",
        MEMBER,
        RECOGNITION,
        issuer=SUB_COMMITTEE,
        series="BC",
        needed_for="cấp ủy quyết định công nhận đảng viên chính thức",
        note="Chỉ khi chi bộ trực thuộc đảng ủy bộ phận [U].",
    ),
    Form(
        "15-KNĐ",
        "15-KND",
        "Nghị quyết của đảng ủy cơ sở đề nghị công nhận đảng viên chính thức",
        MEMBER,
        RECOGNITION,
        issuer=GRASSROOTS,
        series="NQ",
        needed_for="cấp ủy quyết định công nhận đảng viên chính thức",
        note="Chỉ khi có đảng ủy cơ sở giữa chi bộ và cấp ủy quyết định.",
    ),
    Form(
        "16-KNĐ",
        "16-KND",
        "Quyết định công nhận đảng viên chính thức",
        MEMBER,
        RECOGNITION,
        issuer=DECIDER,
        series="QĐ",
        note="Số hiệu mẫu [U].",
    ),
    # ---- member records ----------------------------------------------------------------
    Form(
        "BC-DB",
        "BC-DB",
        "Báo cáo hằng tháng về đảng viên dự bị",
        MEMBER,
        RECORDS,
        per=PER_REPORT,
        note="Nhận xét của đảng viên giúp đỡ theo từng tháng.",
    ),
    Form(
        "GGT-CT",
        "GGT-CT",
        "Giấy giới thiệu sinh hoạt đảng chính thức",
        MEMBER,
        RECORDS,
        issuer=COMMITTEE,
        series="GGT",
        per=PER_TRANSFER,
        note="Số hiệu mẫu [U].",
    ),
    Form(
        "GGT-TT",
        "GGT-TT",
        "Giấy giới thiệu sinh hoạt đảng tạm thời",
        MEMBER,
        RECORDS,
        issuer=COMMITTEE,
        series="GGT",
        per=PER_TRANSFER,
        note="Số hiệu mẫu [U].",
    ),
    Form(
        "QĐ-XT",
        "QD-XT",
        "Quyết định xóa tên đảng viên",
        MEMBER,
        RECORDS,
        issuer=DECIDER,
        series="QĐ",
        per=PER_PROCEEDING,
    ),
    Form(
        "GXN-TĐ",
        "GXN-TD",
        "Giấy xác nhận tuổi đảng",
        MEMBER,
        RECORDS,
        issuer=COMMITTEE,
        series="GXN",
    ),
)

BY_CODE: dict[str, Form] = {form.code: form for form in FORMS}
BY_SLUG: dict[str, Form] = {form.slug: form for form in FORMS}


def _ascii(text: str) -> str:
    text = text.replace("Đ", "D").replace("đ", "d")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().upper()


def find_form(code: str) -> Form | None:
    """The form named by ``code`` as printed ("9-KNĐ") or in ASCII ("9-KND", "9-knd")."""
    code = unicodedata.normalize("NFC", code.strip())
    return BY_CODE.get(code) or BY_SLUG.get(_ascii(code))


def forms_for(subject: str, dossier: str | None = None) -> list[Form]:
    return [f for f in FORMS if f.subject == subject and (dossier is None or f.dossier == dossier)]
