"""A subject's dossier: which documents can be made, which are numbered, which have their
signed scan, and what is still missing for the next step (issue 8; DOMAIN.md §3, §10).

One row per applicable form and item. Whether a document "can be made" is asked of the
form's context builder (``contexts.context_for``): it answers the context, or
``MissingData`` saying what the procedure has not recorded yet.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.utils import timezone

from dangvien.candidates.models import Stage
from dangvien.documents import issuers
from dangvien.documents.contexts import MissingData, context_for, items
from dangvien.documents.forms import (
    ADMISSION,
    CANDIDATE,
    PER_INTRODUCER,
    PER_PROCEEDING,
    PER_REPORT,
    PER_TRANSFER,
    PER_UNION_INTRODUCER,
    RECOGNITION,
    RECORDS,
    Form,
    forms_for,
)
from dangvien.documents.models import IssuedDocument, Scan
from dangvien.documents.queries.access import Subject, subject_kind
from dangvien.members.models import ProceedingKind, Status, Step

if TYPE_CHECKING:
    from dangvien.members.models import Member

# The step each candidate stage waits for, worded as the forms' ``needed_for`` (DOMAIN.md
# §3: certificate → dossier → background check → chi bộ vote → decision → ceremony).
LODGE = "lập hồ sơ xin vào Đảng"
CHECK = "thẩm tra lý lịch"
BRANCH_VOTE = "chi bộ xét kết nạp"
DECISION = "cấp ủy quyết định kết nạp"
CEREMONY = "tổ chức lễ kết nạp"
RECOGNITION_VOTE = "chi bộ xét công nhận đảng viên chính thức"
RECOGNITION_DECISION = "cấp ủy quyết định công nhận đảng viên chính thức"

CANDIDATE_NEXT_STEP: dict[str, str] = {
    Stage.CANDIDATE: LODGE,
    Stage.IN_AWARENESS_COURSE: LODGE,
    Stage.CERTIFIED: LODGE,
    Stage.DOSSIER_OPEN: CHECK,
    Stage.BACKGROUND_CHECKED: BRANCH_VOTE,
    Stage.BRANCH_PROPOSED: DECISION,
    Stage.GRASSROOTS_ENDORSED: DECISION,
    Stage.ADMITTED: CEREMONY,
}

# Per-item forms the dossier does without when there is no item: the union's resolution
# stands in for one member introducer only when a union introduces (Charter Art. 4) [C].
OPTIONAL_WITHOUT_ITEMS = {PER_UNION_INTRODUCER}

# What a per-item form needs before its first document exists.
NO_ITEMS: dict[str, str] = {
    PER_INTRODUCER: "Chưa ghi đảng viên giới thiệu.",
    PER_UNION_INTRODUCER: "Không có đoàn thể giới thiệu (chỉ cần khi Đoàn, Công đoàn giới thiệu).",
    PER_TRANSFER: "Chưa có lần chuyển sinh hoạt đảng nào.",
    PER_PROCEEDING: "Chưa có việc xóa tên nào.",
    PER_REPORT: "Chưa có báo cáo tháng nào.",
}

SIGNED, READY, MISSING, NOT_APPLICABLE = "signed", "ready", "missing", "not_applicable"
STATUS_LABELS = {
    SIGNED: "Đã có bản ký",
    READY: "Có thể lập",
    MISSING: "Chưa đủ dữ liệu",
    NOT_APPLICABLE: "Không áp dụng",
}


@dataclass
class Row:
    form: Form
    item: str = ""
    item_label: str = ""
    applicable: bool = True
    available: bool = False
    missing_reason: str = ""
    issued: IssuedDocument | None = None
    recorded_number: str = ""  # the number the procedure recorded (vote, decision, letter)
    scans: list[Scan] = field(default_factory=list)
    optional: bool = False  # not missing for the next step even without a scan

    @property
    def number(self) -> str:
        return self.issued.number_text if self.issued else self.recorded_number

    @property
    def can_take_number(self) -> bool:
        """Numbered by its issuer, and no number yet (taken here or recorded)."""
        return (
            self.form.numbered
            and self.applicable
            and self.issued is None
            and not self.recorded_number
            and (bool(self.item) or not self.form.per)
        )

    @property
    def status(self) -> str:
        if not self.applicable:
            return NOT_APPLICABLE
        if self.scans:
            return SIGNED
        return READY if self.available else MISSING

    @property
    def status_label(self) -> str:
        if self.status == MISSING and self.missing_reason:
            return f"{STATUS_LABELS[MISSING]}: {self.missing_reason}"
        return STATUS_LABELS[self.status]


@dataclass
class Dossier:
    subject: Subject
    kind: str  # forms.CANDIDATE | forms.MEMBER
    dossier: str  # forms.ADMISSION | RECOGNITION | RECORDS
    next_step: str
    rows: list[Row]

    @property
    def missing(self) -> list[str]:
        """Codes of the forms the next step needs that have no signed scan yet (for a
        per-item form: one of its documents lacks it, or none exists)."""
        codes: list[str] = []
        for row in self.rows:
            needed = self.next_step and row.form.needed_for == self.next_step
            wanted = needed and row.applicable and not row.optional and not row.scans
            if wanted and row.form.code not in codes:
                codes.append(row.form.code)
        return codes

    @property
    def missing_titles(self) -> list[str]:
        titles = {row.form.code: row.form.title for row in self.rows}
        return [f"{code} ({titles[code]})" for code in self.missing]


def member_next_step(member: "Member") -> str:
    """A probationary member waits for the chi bộ's vote on recognition, then (once the
    chi bộ, and where one sits between the grassroots đảng ủy, proposed it) for the
    committee's decision (Charter Art. 5; 294-QĐ/TW §4.4 [C]). Others: no next step."""
    if member.status != Status.PROBATIONARY:
        return ""
    proposed = member.proceedings.filter(
        kind=ProceedingKind.RECOGNITION,
        step__in=[Step.BRANCH_PROPOSED, Step.GRASSROOTS_ENDORSED],
    ).exists()
    return RECOGNITION_DECISION if proposed else RECOGNITION_VOTE


def next_step(subject: Subject) -> str:
    if subject_kind(subject) == CANDIDATE:
        return CANDIDATE_NEXT_STEP.get(subject.stage, "")  # type: ignore[union-attr]
    return member_next_step(subject)  # type: ignore[arg-type]


def _recorded(context: dict[str, object]) -> str:
    """The number the procedure recorded for the document, as the context prints it
    (``document.number``: "05-NQ/CB"; "" for a draft whose number is left blank)."""
    document = context.get("document")
    return str(document.get("number") or "") if isinstance(document, dict) else ""


def _row(form: Form, subject: Subject, item: str, label: str, on: date) -> Row:
    row = Row(form, item, label)
    try:
        context = context_for(form, subject, item=item, on=on)
    except MissingData as missing:
        row.missing_reason = missing.message
    else:
        row.available = True
        row.recorded_number = _recorded(context) if form.numbered else ""
    return row


def dossier_of(subject: Subject, *, on: date | None = None) -> Dossier:
    """Every document of the subject's dossier: a candidate's admission dossier, a
    member's recognition dossier and other records (DOMAIN.md §10)."""
    on = on or timezone.localdate()
    kind = subject_kind(subject)
    forms = forms_for(kind)
    if kind == CANDIDATE:
        dossier = ADMISSION
    else:
        dossier = RECOGNITION if subject.status == Status.PROBATIONARY else RECORDS  # type: ignore[union-attr]
    subject_filter = {"candidate": subject} if kind == CANDIDATE else {"member": subject}
    issued = {
        (d.form, d.item): d
        for d in IssuedDocument.objects.filter(**subject_filter).select_related("register")
    }
    scans: dict[tuple[str, str], list[Scan]] = {}
    for scan in Scan.objects.filter(**subject_filter).order_by("at", "id"):
        scans.setdefault((scan.form, scan.item), []).append(scan)
    rows: list[Row] = []
    for form in forms:
        if not issuers.applicable(form, subject.branch):
            rows.append(Row(form, applicable=False))
            continue
        if form.per:
            keyed = items(form, subject)
            if not keyed:
                rows.append(
                    Row(
                        form,
                        missing_reason=NO_ITEMS.get(form.per, ""),
                        optional=form.per in OPTIONAL_WITHOUT_ITEMS,
                    )
                )
            for item, label in keyed:
                rows.append(_row(form, subject, item, label, on))
        else:
            rows.append(_row(form, subject, "", "", on))
    for row in rows:
        row.issued = issued.get((row.form.code, row.item))
        row.scans = scans.get((row.form.code, row.item), [])
    return Dossier(subject, kind, dossier, next_step(subject), rows)
