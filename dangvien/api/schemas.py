"""Request and response bodies of the JSON API (API.md).

Input checks here are about shape only (types, formats, lengths that fit the columns);
business rules stay in the actions and answer 409.
"""

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, field_validator

from dangvien.candidates.models import BackgroundOutcome, Stage, Union
from dangvien.core.dates import FIRST_DAY, LAST_DAY
from dangvien.core.errors import DomainError
from dangvien.members.models import Status
from dangvien.organisations.models import Kind, Sector, VillageKind
from dangvien.people.actions import split_full_name
from dangvien.people.models import Education, OccupationGroup, PoliticalTheory, Sex

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: Any) -> Any:
    """Dates travel as ``YYYY-MM-DD`` strings only (no timestamps, no other orders)."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DAY.fullmatch(value.strip()):
        raise ValueError("Ngày không hợp lệ: dùng dạng YYYY-MM-DD, ví dụ 2025-03-05.")
    return value.strip()


def _in_range(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"Ngày phải từ {FIRST_DAY:%d/%m/%Y} đến {LAST_DAY:%d/%m/%Y}.")
    return value


# The range of ``_in_range`` in the OpenAPI schema too, so clients (and schemathesis)
# know it: a year from 1900 to 2100 (``core.dates.FIRST_DAY``/``LAST_DAY``).
DAY_PATTERN = rf"^(19\d\d|20\d\d|{LAST_DAY.year})-\d\d-\d\d$"
Day = Annotated[
    date,
    BeforeValidator(_iso_day),
    AfterValidator(_in_range),
    Field(json_schema_extra={"pattern": DAY_PATTERN}),
]
Text = Annotated[str, Field(max_length=1000)]
Count = Annotated[int, Field(ge=0, le=100000)]


def _required(max_length: int) -> Any:
    return Field(..., min_length=1, max_length=max_length)


def _choices(choices: Any) -> str:
    """The choices of a field and their Vietnamese labels, for the OpenAPI description."""
    return "; ".join(f"`{value}` = {label}" for value, label in choices.choices)


SECTOR_DOC = f"Loại hình tổ chức cơ sở đảng (rỗng: chưa xác định): {_choices(Sector)}"
POLITICAL_THEORY_DOC = f"Trình độ lý luận chính trị: {_choices(PoliticalTheory)}"
OCCUPATION_GROUP_DOC = f"Nhóm nghề nghiệp (rỗng: chưa chọn): {_choices(OccupationGroup)}"
VILLAGE_KIND_DOC = f"Loại: {_choices(VillageKind)}"


# ---- common ----------------------------------------------------------------------------


class Page(Schema):
    limit: int = Field(50, ge=1, le=500, description="Số dòng tối đa (mặc định 50, tối đa 500)")
    offset: int = Field(0, ge=0, le=10**9, description="Bỏ qua bao nhiêu dòng đầu")


# ---- auth ------------------------------------------------------------------------------


class Credentials(Schema):
    username: str = _required(150)
    password: str = _required(256)


class TokenOut(Schema):
    token: str
    expires_at: datetime


# ---- organisations ---------------------------------------------------------------------


class OrganisationFilters(Page):
    parent: int | None = Field(None, description="Chỉ các tổ chức trực thuộc tổ chức này")
    kind: Kind | None = None
    sector: Sector | None = Field(None, description=SECTOR_DOC)
    q: str = Field("", max_length=200, description="Tìm theo tên, không phân biệt dấu")


class OrganisationItem(Schema):
    id: int
    name: str
    kind: Kind
    kind_label: str
    parent_id: int | None
    level: int = Field(..., description="Độ sâu trong cây: 0 là tỉnh ủy / thành ủy")
    sector: Sector | Literal[""] = Field(
        ...,
        description=SECTOR_DOC
        + ". Đặt ở tổ chức cơ sở đảng (hoặc đảng bộ xã: `commune_ward`), chép xuống mọi "
        "tổ chức trực thuộc.",
    )
    sector_label: str


class OrganisationOut(OrganisationItem):
    path_names: list[str] = Field(..., description="Tên các cấp, từ gốc đến tổ chức này")
    code: str
    authorised_to_admit: bool
    official_members: int
    probationary_members: int
    candidates: int = Field(..., description="Quần chúng ưu tú đang trong quy trình")
    document_name: str = Field("", description="Tên cơ quan ban hành văn bản đã khai báo")
    document_symbol: str = Field("", description="Chữ viết tắt trong ký hiệu văn bản")
    place_name: str = Field("", description="Địa danh ghi trên văn bản")
    term_started_on: date | None = Field(None, description="Ngày bắt đầu nhiệm kỳ cấp ủy")


class OrganisationPage(Schema):
    count: int
    items: list[OrganisationItem]


class OrganisationPatch(Schema):
    """Only the fields sent change."""

    sector: Sector | Literal[""] | None = Field(
        None,
        description=SECTOR_DOC
        + ". Chỉ đặt được ở chi bộ cơ sở, đảng bộ cơ sở; chép xuống mọi tổ chức trực thuộc.",
    )
    document_name: str | None = Field(
        None, max_length=200, description="Tên cơ quan ban hành văn bản (trống: theo tên)"
    )
    document_symbol: str | None = Field(
        None, max_length=20, description="Chữ viết tắt trong ký hiệu văn bản, ví dụ “ĐU”"
    )
    place_name: str | None = Field(None, max_length=100, description="Địa danh ghi trên văn bản")
    term_started_on: Day | None = Field(None, description="Ngày bắt đầu nhiệm kỳ cấp ủy")


# ---- villages --------------------------------------------------------------------------


class VillageFilters(Page):
    active: bool | None = Field(
        None, description="`true`: đang tồn tại; `false`: đã đóng; bỏ trống: tất cả"
    )


class VillageIn(Schema):
    name: str = _required(120)
    kind: VillageKind = Field(VillageKind.VILLAGE, description=VILLAGE_KIND_DOC)
    branch_id: int | None = Field(None, description="Chi bộ phụ trách (thuộc cùng đảng bộ xã)")


class VillagePatch(Schema):
    """Only the fields sent change; ``branch_id: null`` removes the chi bộ in charge."""

    name: str | None = Field(None, min_length=1, max_length=120)
    kind: VillageKind | None = Field(None, description=VILLAGE_KIND_DOC)
    branch_id: int | None = Field(None, description="Chi bộ phụ trách (thuộc cùng đảng bộ xã)")
    active: bool | None = Field(
        None, description="`false`: đóng (không còn để chọn, người đang cư trú vẫn giữ)"
    )


class VillageOut(Schema):
    id: int
    organisation_id: int
    organisation_name: str
    name: str
    kind: VillageKind
    kind_label: str
    branch_id: int | None
    branch_name: str | None
    active: bool
    members: int = Field(..., description="Đảng viên (chính thức, dự bị) cư trú tại đây")
    candidates: int = Field(..., description="Quần chúng ưu tú đang trong quy trình cư trú tại đây")


class VillagePage(Schema):
    count: int
    items: list[VillageOut]


# ---- people ----------------------------------------------------------------------------


class PersonOut(Schema):
    id: int
    full_name: str
    family_name: str
    middle_name: str
    given_name: str
    birth_date: date
    sex: Sex
    citizen_id: str
    ethnicity: str
    religion: str
    education_level: Education
    occupation: str
    hometown: str
    address: str
    phone: str
    youth_union_member: bool
    trade_union_member: bool
    political_theory: PoliticalTheory = Field(..., description=POLITICAL_THEORY_DOC)
    occupation_group: OccupationGroup | Literal[""] = Field(..., description=OCCUPATION_GROUP_DOC)
    village_id: int | None = Field(
        ..., description="Thôn, tổ dân phố nơi cư trú (`GET /organisations/{id}/villages`)"
    )
    family_background: str = Field(
        ..., description="Hoàn cảnh, lịch sử gia đình (2-KNĐ); dữ liệu nhạy cảm, mã hóa khi lưu"
    )


class DeadlineOut(Schema):
    what: str
    due_on: date
    overdue: bool


# ---- candidates ------------------------------------------------------------------------


class CandidateIn(Schema):
    full_name: str = _required(120)
    birth_date: Day
    sex: Sex
    citizen_id: str = Field(..., pattern=r"^\d{12}$", description="Số CCCD, 12 chữ số")
    ethnicity: str = _required(40)
    religion: str = _required(40)
    education_level: Education
    branch_id: int
    phone: str = Field("", max_length=20)
    address: str = Field("", max_length=250)
    occupation: str = Field("", max_length=120)
    hometown: str = Field("", max_length=200)
    youth_union_member: bool = False
    trade_union_member: bool = False
    family_background: str = Field("", max_length=5000)
    political_theory: PoliticalTheory = Field(
        PoliticalTheory.NONE, description=POLITICAL_THEORY_DOC
    )
    occupation_group: OccupationGroup | Literal[""] = Field("", description=OCCUPATION_GROUP_DOC)
    village_id: int | None = Field(
        None,
        description="Thôn, tổ dân phố nơi cư trú: một thôn của đảng bộ xã có chi bộ theo dõi "
        "(`GET /organisations/{id}/villages`)",
    )
    listed_on: Day | None = None
    helper_id: int | None = Field(None, description="Đảng viên giúp đỡ (cùng chi bộ)")

    @field_validator("full_name")
    @classmethod
    def _name_parts_fit(cls, value: str) -> str:
        try:
            family, middle, given = split_full_name(value)
        except DomainError as error:
            raise ValueError(str(error)) from error
        if len(family) > 50 or len(middle) > 80 or len(given) > 50:
            raise ValueError("Họ và tên quá dài.")
        return value


# The stage filter: one stage, or "active" for every stage not yet finished.
StageFilter = StrEnum(  # type: ignore[misc]
    "StageFilter", {**{value: value for value in Stage.values}, "active": "active"}
)


class CandidateFilters(Page):
    branch: int | None = Field(None, description="Tổ chức (chi bộ hoặc cấp trên): cả cây con")
    stage: StageFilter | None = Field(
        None, description="Một bước, hoặc `active` cho mọi bước chưa kết thúc"
    )
    q: str = Field("", max_length=200, description="Tên hoặc số CCCD, không phân biệt dấu")


class CandidateItem(Schema):
    id: int
    stage: Stage
    stage_label: str
    person: PersonOut
    branch_id: int
    branch_name: str
    listed_on: date
    decision_due_on: date | None
    ceremony_due_on: date | None
    member_id: int | None


class CandidatePage(Schema):
    count: int
    items: list[CandidateItem]


class HistoryOut(Schema):
    from_stage: Stage
    to_stage: Stage
    on: date = Field(description="Ngày diễn ra bước (họp, quyết định, lễ)")
    at: datetime = Field(description="Thời điểm ghi nhận vào hệ thống")
    by: str | None
    by_id: int | None
    note: str


class IntroducerOut(Schema):
    id: int
    member_id: int | None
    member_name: str | None
    union: Union | Literal[""]
    resolution_no: str
    known_since: date


class BackgroundCheckOut(Schema):
    id: int
    completed_on: date
    outcome: BackgroundOutcome
    note: str


class VoteOut(Schema):
    id: int
    body: str
    organisation_id: int
    held_on: date
    in_favour: int
    against: int
    denominator: int
    passed: bool
    resolution_no: str


class CheckOut(Schema):
    key: str
    ok: bool
    message: str


class MoveOut(Schema):
    name: str
    label: str


class CandidateOut(CandidateItem):
    helper_id: int | None
    course_name: str
    course_started_on: date | None
    certificate_no: str
    certificate_issued_on: date | None
    application_on: date | None
    declaration_on: date | None
    over_age_decision_no: str
    over_age_decided_on: date | None
    decision_extended: bool
    decision_no: str
    decided_on: date | None
    ceremony_on: date | None
    endorser_id: int | None = Field(
        ..., description="Đảng ủy cơ sở xét giữa chi bộ và cấp quyết định"
    )
    decider_id: int
    decider: str
    deadlines: list[DeadlineOut]
    history: list[HistoryOut]
    introducers: list[IntroducerOut]
    background_checks: list[BackgroundCheckOut]
    votes: list[VoteOut]
    eligibility: list[CheckOut] = Field(
        ..., description="Điều kiện khi chi bộ xét (chỉ trước khi chi bộ biểu quyết)"
    )
    allowed_moves: list[MoveOut] = Field(..., description="Các bước người dùng này được làm")


class CandidateVoteOut(CandidateOut):
    denominator: int
    passed: bool


# ---- moves -----------------------------------------------------------------------------


class StartCourseIn(Schema):
    course_name: str = _required(200)
    started_on: Day


class CertifyIn(Schema):
    certificate_no: str = _required(50)
    issued_on: Day


class OpenDossierIn(Schema):
    application_on: Day
    declaration_on: Day


class BackgroundCheckIn(Schema):
    completed_on: Day
    outcome: BackgroundOutcome
    note: Text = ""


class IntroducerIn(Schema):
    member_id: int | None = None
    union: Union | None = None
    resolution_no: str = Field("", max_length=50)
    known_since: Day


class OverAgeApprovalIn(Schema):
    decision_no: str = _required(50)
    decided_on: Day


class BranchVoteIn(Schema):
    held_on: Day
    in_favour: Count
    against: Count
    resolution_no: str = _required(50)
    exempted_present: Count = Field(0, description="Số đảng viên được miễn sinh hoạt có mặt")


class GrassrootsVoteIn(Schema):
    held_on: Day
    in_favour: Count
    committee_size: Annotated[int, Field(ge=1, le=1000)]
    resolution_no: str = _required(50)
    against: Count = 0


class ExtendDeadlineIn(Schema):
    reason: str = Field(..., min_length=1, max_length=1000)


class DecideAdmissionIn(Schema):
    decision_no: str = _required(50)
    decided_on: Day
    admitted: bool
    note: Text = ""
    in_favour: Count | None = None
    committee_size: Annotated[int, Field(ge=1, le=1000)] | None = None
    late_reason: Text = ""


class HoldCeremonyIn(Schema):
    held_on: Day
    late_approval_no: str = Field("", max_length=50)


class AssignHelperIn(Schema):
    helper_id: int = Field(..., ge=1, le=2**62, description="Đảng viên của chi bộ")


class EducationExceptionIn(Schema):
    basis: str = Field(..., min_length=1, max_length=250, description="Căn cứ áp dụng ngoại lệ")


class WithdrawalIn(Schema):
    reason: str = Field(..., min_length=1, max_length=1000)


# ---- members ---------------------------------------------------------------------------


class MemberFilters(Page):
    organisation: int | None = Field(None, description="Tổ chức: cả cây con")
    status: Status | None = None
    q: str = Field("", max_length=200, description="Tên hoặc số CCCD, không phân biệt dấu")


class MemberItem(Schema):
    id: int
    person: PersonOut
    branch_id: int
    branch_name: str
    status: Status
    status_label: str
    admitted_on: date | None
    probation_started_on: date | None
    probation_ends_on: date | None
    official_on: date | None


class MemberPage(Schema):
    count: int
    items: list[MemberItem]
    capped: bool = Field(
        False,
        description="Tìm theo tên khớp hơn 10.000 đảng viên: count và items chỉ gồm "
        "10.000 người trong số đó; hãy thu hẹp tìm kiếm",
    )
    notice: str = Field("", description="Lời nhắc cho người dùng khi capped (tiếng Việt)")


class StatusChangeOut(Schema):
    what: str
    from_status: Status | Literal[""]
    to_status: Status
    on: date
    at: datetime
    by: str | None
    by_id: int | None
    note: str


class MemberOut(MemberItem):
    admission_decision_no: str
    party_age_years: int | None
    exempted_since: date | None
    temporarily_away_since: date | None
    card_number: str
    card_issued_on: date | None
    first_admitted_on: date | None
    readmitted_on: date | None
    left_on: date | None
    far_away_since: date | None
    far_away_place: str
    moves: list[str] = Field(description="Các việc người dùng này được làm lúc này")
    candidate_id: int | None
    deadlines: list[DeadlineOut]
    history: list[StatusChangeOut]
