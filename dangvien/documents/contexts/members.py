"""A member's documents: the recognition dossier (10-KNĐ … 16-KNĐ and the new-member
course certificate; 294-QĐ/TW §4.2, 12-HD/BTCTW 2022 [C]) and the records (monthly
probation reports, transfer letters 294-QĐ/TW §6.3, the removal decision, the party-age
certificate; DOMAIN.md §6, §8).

When a document can be drafted:
- 10-KNĐ, 11-KNĐ, 12-KNĐ once probation has started (the ceremony date is recorded);
  11-KNĐ also needs the mentor assigned;
- GCN-ĐVM once the new-member course certificate is recorded;
- 13-KNĐ and 14-KNĐ after the chi bộ's recognition vote that passed; 15-KNĐ after the
  grassroots đảng ủy's; 16-KNĐ needs the resolutions it cites, drafted before the
  decision, not once the committee decided not to recognise;
- BC-DB per report, GGT-CT / GGT-TT per transfer of that kind, QĐ-XT per removal
  proceeding with the chi bộ's vote to remove that passed (or the decision recorded);
- GXN-TĐ for a member who has been official (party age counts from the first admission
  decision minus the gaps, Charter Art. 5.4; 24/294 §4.5 [C]).
"""

from datetime import date, timedelta
from typing import Any

from dangvien.core.dates import full_years_between
from dangvien.core.votes import Body
from dangvien.documents import issuers
from dangvien.documents.contexts.base import (
    MissingData,
    Part,
    chain_keys,
    dmy,
    last_vote,
    line,
    month_text,
    paragraphs,
    printed_number,
    vote_data,
)
from dangvien.documents.forms import PER_PROCEEDING, PER_REPORT, PER_TRANSFER
from dangvien.members.models import (
    Member,
    ProbationReport,
    Proceeding,
    ProceedingKind,
    ReportKind,
    Step,
    Transfer,
    TransferKind,
    TransferState,
)
from dangvien.training.models import Certificate, CourseKind

NO_PROBATION = "Chưa có ngày lễ kết nạp: thời kỳ dự bị chưa bắt đầu."
NO_MENTOR = "Chưa phân công đảng viên giúp đỡ đảng viên dự bị."
NO_RECOGNITION_VOTE = (
    "Chưa ghi kết quả biểu quyết của chi bộ đề nghị công nhận đảng viên chính thức."
)
RECOGNITION_VOTE_FAILED = (
    "Chi bộ biểu quyết chưa đạt tỷ lệ đề nghị công nhận đảng viên chính thức: "
    "chưa có nghị quyết đề nghị."
)
NO_GRASSROOTS_RECOGNITION = (
    "Chưa ghi kết quả biểu quyết của đảng ủy cơ sở đề nghị công nhận đảng viên chính thức."
)
NOT_RECOGNISED = "Cấp ủy đã quyết định không công nhận đảng viên chính thức."


def member_data(m: Member) -> dict[str, Any]:
    return {
        "status": str(m.get_status_display()),
        "admitted_on": dmy(m.admitted_on),
        "first_admitted_on": dmy(m.first_admitted_on or m.admitted_on),
        "admission_decision_no": printed_number(m.admission_decision_no),
        "probation_started_on": dmy(m.probation_started_on),
        "probation_ends_on": dmy(m.probation_ends_on),
        "official_on": dmy(m.official_on),
        "card_number": line(m.card_number),
        "new_member_course_no": printed_number(m.new_member_course_no),
        "new_member_course_on": dmy(m.new_member_course_on),
    }


def _on_probation(m: Member) -> None:
    if m.probation_started_on is None:
        raise MissingData(NO_PROBATION)


def _mentor(m: Member) -> dict[str, str]:
    ship = m.mentorships.select_related("mentor__person", "mentor__branch").order_by(
        "-from_on", "-id"
    )
    current = ship.first()
    if current is None:
        return {"full_name": "", "from_on": "", "branch": ""}
    return {
        "full_name": line(current.mentor.person.full_name),
        "from_on": dmy(current.from_on),
        "branch": line(current.mentor.branch.name),
    }


def _report_rows(m: Member, kind: str) -> list[dict[str, str]]:
    return [
        {
            "period": month_text(r.period),
            "assessment": str(r.get_assessment_display()) if r.assessment else "",
            "text": line(r.text),
        }
        for r in m.reports.filter(kind=kind).order_by("period", "id")
    ]


def _residence(m: Member) -> dict[str, str]:
    village = m.person.village
    serving = village.branch if village and village.branch_id else None
    return {
        "village": line(village.name) if village else "",
        "branch": line(serving.name) if serving else "",
    }


def _recognition(m: Member) -> Proceeding | None:
    return (
        m.proceedings.filter(kind=ProceedingKind.RECOGNITION).order_by("-opened_on", "-id").first()
    )


def _recognition_branch_vote(m: Member) -> tuple[Proceeding, Any]:
    proceeding = _recognition(m)
    if proceeding is None:
        raise MissingData(NO_RECOGNITION_VOTE)
    vote = last_vote(proceeding.votes, Body.BRANCH)
    if vote is None:
        if proceeding.votes.filter(body=Body.BRANCH).exists():
            raise MissingData(RECOGNITION_VOTE_FAILED)
        raise MissingData(NO_RECOGNITION_VOTE)
    return proceeding, vote


def _certificate(m: Member, kind: str) -> Certificate | None:
    return (
        Certificate.objects.filter(person=m.person, kind=kind)
        .select_related("enrolment__course")
        .order_by("-issued_on", "-id")
        .first()
    )


# ---- recognition -----------------------------------------------------------------------


def self_review(m: Member, item: str) -> Part:
    """Bản tự kiểm điểm của đảng viên dự bị (10-KNĐ): written by the member at the end of
    probation; the monthly self-reviews recorded are listed for reference."""
    _on_probation(m)
    keys = {"mentor": _mentor(m), "reports": _report_rows(m, ReportKind.SELF)}
    return Part(keys, signer=m.person.full_name)


def mentor_report(m: Member, item: str) -> Part:
    """Bản nhận xét của đảng viên được phân công giúp đỡ (11-KNĐ)."""
    _on_probation(m)
    mentor = _mentor(m)
    if not mentor["full_name"]:
        raise MissingData(NO_MENTOR)
    keys = {"mentor": mentor, "reports": _report_rows(m, ReportKind.MENTOR)}
    return Part(keys, signer=mentor["full_name"])


def member_comments(m: Member, item: str) -> Part:
    """Summary of the comments on the probationary member (12-KNĐ), by the chi ủy."""
    _on_probation(m)
    return Part({"residence": _residence(m), "mentor": _mentor(m)})


def new_member_certificate(m: Member, item: str) -> Part:
    """Certificate of the political course for new members (recognition file, 294-QĐ/TW
    §4.2 [C])."""
    cert = _certificate(m, CourseKind.NEW_MEMBER)
    number = m.new_member_course_no or (cert.number if cert else "")
    issued = m.new_member_course_on or (cert.issued_on if cert else None)
    if not number:
        raise MissingData(
            "Chưa ghi giấy chứng nhận học lớp bồi dưỡng lý luận chính trị cho đảng viên mới."
        )
    course = cert.enrolment.course if cert else None
    keys = {
        "course": {
            "name": line(course.name) if course else "",
            "centre": line(course.organiser_name) if course else "",
            "starts_on": dmy(course.starts_on) if course else "",
            "ends_on": dmy(course.ends_on) if course else "",
        },
        "certificate": {"number": printed_number(number), "issued_on": dmy(issued)},
    }
    return Part(keys, number=number, day=issued)


def recognition_resolution(m: Member, item: str) -> Part:
    """The chi bộ's resolution proposing recognition (13-KNĐ): voted as for admission
    (Charter Art. 5), official from the end of the 12 months (294-QĐ/TW §4.2)."""
    _on_probation(m)
    _, vote = _recognition_branch_vote(m)
    keys = chain_keys(m.branch) | {"vote": vote_data(vote), "mentor": _mentor(m)}
    return Part(keys, number=vote.resolution_no, day=vote.held_on)


def recognition_report(m: Member, item: str) -> Part:
    """The đảng ủy bộ phận's appraisal of the recognition proposal (14-KNĐ [U])."""
    _on_probation(m)
    _, vote = _recognition_branch_vote(m)
    return Part(chain_keys(m.branch) | {"branch_vote": vote_data(vote)})


def recognition_grassroots(m: Member, item: str) -> Part:
    """The grassroots đảng ủy's resolution proposing recognition (15-KNĐ)."""
    _on_probation(m)
    proceeding, branch_vote = _recognition_branch_vote(m)
    vote = last_vote(proceeding.votes, Body.GRASSROOTS)
    if vote is None:
        raise MissingData(NO_GRASSROOTS_RECOGNITION)
    keys = chain_keys(m.branch) | {"vote": vote_data(vote), "branch_vote": vote_data(branch_vote)}
    return Part(keys, number=vote.resolution_no, day=vote.held_on)


def recognition_decision(m: Member, item: str) -> Part:
    """The decision recognising an official member (16-KNĐ [U]): cites the chi bộ's and
    (where one sits between) the grassroots đảng ủy's resolutions; the official date is
    the end of the 12 months even when the decision is late (294-QĐ/TW §4.2 [C])."""
    _on_probation(m)
    proceeding, branch_vote = _recognition_branch_vote(m)
    if proceeding.step == Step.DECIDED and proceeding.outcome is False:
        raise MissingData(NOT_RECOGNISED)
    keys = chain_keys(m.branch)
    grassroots_vote = None
    if keys["endorser"]["name"]:
        grassroots_vote = last_vote(proceeding.votes, Body.GRASSROOTS)
        if grassroots_vote is None:
            raise MissingData(NO_GRASSROOTS_RECOGNITION)
    decided = proceeding.step == Step.DECIDED and bool(proceeding.outcome)
    keys |= {
        "branch_vote": vote_data(branch_vote),
        "grassroots_vote": vote_data(grassroots_vote),
        "decision": {
            "number": printed_number(proceeding.decision_no) if decided else "",
            "decided_on": dmy(proceeding.decided_on) if decided else "",
        },
    }
    return Part(
        keys,
        number=proceeding.decision_no if decided else "",
        day=proceeding.decided_on if decided else None,
    )


# ---- records ---------------------------------------------------------------------------


def _row_of(rows: Any, per: str, item: str, what: str) -> Any:
    if not item:
        raise MissingData(f"Chưa chọn {what}.")
    for row in rows:
        if item == f"{per}:{row.pk}":
            return row
    raise MissingData(f"Không có {what} này trong hồ sơ.")


def _reports(m: Member) -> list[ProbationReport]:
    return list(m.reports.select_related("author__person").order_by("period", "kind", "id"))


def report_items(m: Member) -> list[tuple[str, str]]:
    return [
        (f"{PER_REPORT}:{r.pk}", f"Tháng {month_text(r.period)} – {r.get_kind_display()}")
        for r in _reports(m)
    ]


def monthly_report(m: Member, item: str) -> Part:
    """A periodic report on the probationary member (seed 000: monthly by default)."""
    r = _row_of(_reports(m), PER_REPORT, item, "báo cáo")
    if r.kind == ReportKind.SELF:
        author = m.person.full_name
    elif r.author_id and r.author:
        author = r.author.person.full_name
    else:
        author = _mentor(m)["full_name"]
    keys = {
        "report": {
            "period": month_text(r.period),
            "filed_on": dmy(r.filed_on),
            "kind": "self" if r.kind == ReportKind.SELF else "mentor",
            "kind_label": str(r.get_kind_display()),
            "assessment": str(r.get_assessment_display()) if r.assessment else "",
            "paragraphs": paragraphs(r.text),
            "author": line(author),
        },
        "mentor": _mentor(m),
    }
    return Part(keys, day=r.filed_on, signer=author)


TRANSFER_KINDS = {"GGT-CT": TransferKind.PERMANENT, "GGT-TT": TransferKind.TEMPORARY}


def _transfers(m: Member, code: str) -> list[Transfer]:
    return list(
        m.transfers.filter(kind=TRANSFER_KINDS[code])
        .exclude(state=TransferState.CANCELLED)
        .select_related("from_branch", "to_organisation")
        .order_by("issued_on", "id")
    )


def transfer_items(m: Member, code: str) -> list[tuple[str, str]]:
    return [
        (
            f"{PER_TRANSFER}:{t.pk}",
            f"Số {printed_number(t.letter_no)} ngày {dmy(t.issued_on)} – đến "
            f"{t.to_organisation.name if t.to_organisation else t.to_name}",
        )
        for t in _transfers(m, code)
    ]


def transfer_letter(m: Member, item: str, code: str) -> Part:
    """Giấy giới thiệu sinh hoạt đảng (chính thức / tạm thời; 294-QĐ/TW §6.3 [C]): issued by
    the committee above the chi bộ the member leaves; to be presented by ``present_by``."""
    t = _row_of(_transfers(m, code), PER_TRANSFER, item, "lần chuyển sinh hoạt đảng")
    to = t.to_organisation
    keys = {
        "transfer": {
            "kind": str(t.get_kind_display()),
            "to_name": line(to.name if to else t.to_name),
            "to_body": issuers.body_name(to) if to else line(t.to_name).upper(),
            "from_branch": line(t.from_branch.name),
            "letter_no": printed_number(t.letter_no),
            "issued_on": dmy(t.issued_on),
            "present_by": dmy(t.present_by),
            "until_on": dmy(t.until_on),
            "for_study": "Có" if t.for_study else "",
        }
    }
    return Part(keys, number=t.letter_no, day=t.issued_on, branch=t.from_branch)


def _removals(m: Member) -> list[Proceeding]:
    return list(m.proceedings.filter(kind=ProceedingKind.REMOVAL).order_by("opened_on", "id"))


def removal_items(m: Member) -> list[tuple[str, str]]:
    return [
        (
            f"{PER_PROCEEDING}:{p.pk}",
            f"Xóa tên – mở ngày {dmy(p.opened_on)} ({p.get_step_display()})",
        )
        for p in _removals(m)
    ]


def removal_decision(m: Member, item: str) -> Part:
    """The decision removing a member's name (xóa tên; Charter Art. 8, 24 §8.1, HD 01 §11.1
    [C]): cites the chi bộ's vote to remove (at least 2/3), or the superior's own decision
    after three failed votes (29 §4.2c); complaint allowed within the recorded term."""
    p = _row_of(_removals(m), PER_PROCEEDING, item, "việc xóa tên")
    decided = p.step == Step.DECIDED
    if decided and p.outcome is False:
        raise MissingData("Cấp ủy đã quyết định không xóa tên đảng viên này.")
    vote = last_vote(p.votes, Body.BRANCH)
    if vote is None and not decided:
        raise MissingData("Chưa ghi kết quả biểu quyết của chi bộ đề nghị xóa tên.")
    keys = chain_keys(m.branch) | {
        "proceeding": {
            "trigger": str(p.get_trigger_display()) if p.trigger else "",
            "reason": line(p.reason),
            "opened_on": dmy(p.opened_on),
            "complaint_until": dmy(p.complaint_until),
        },
        "branch_vote": vote_data(vote),
        "grassroots_vote": vote_data(last_vote(p.votes, Body.GRASSROOTS)),
        "decision": {
            "number": printed_number(p.decision_no) if decided else "",
            "decided_on": dmy(p.decided_on) if decided else "",
        },
    }
    return Part(
        keys, number=p.decision_no if decided else "", day=p.decided_on if decided else None
    )


def party_age(m: Member, item: str, on: date) -> Part:
    """Giấy xác nhận tuổi đảng: from the first admission decision, minus the periods
    outside party life, once official (Charter Art. 5.4; 24/294 §4.5; HD 01 §11.2 on exit
    [C]); counted up to the day the member left, if they did."""
    start = m.first_admitted_on or m.admitted_on
    if start is None:
        raise MissingData("Chưa có ngày quyết định kết nạp của đảng viên.")
    if m.official_on is None:
        raise MissingData(
            "Đảng viên chưa được công nhận chính thức: tuổi đảng chỉ tính khi là đảng viên "
            "chính thức."
        )
    gaps = list(m.gaps.order_by("from_on", "id"))
    end = min(m.left_on, on) if m.left_on else on
    years = full_years_between(start + timedelta(days=sum(g.days for g in gaps)), end)
    keys = {
        "party_age": {
            "years": years,
            "counted_to": dmy(end),
            "gaps": [
                {"from_on": dmy(g.from_on), "until_on": dmy(g.until_on), "reason": line(g.reason)}
                for g in gaps
            ],
            "left_on": dmy(m.left_on),
        }
    }
    return Part(keys)


BUILDERS = {
    "10-KNĐ": self_review,
    "11-KNĐ": mentor_report,
    "12-KNĐ": member_comments,
    "GCN-ĐVM": new_member_certificate,
    "13-KNĐ": recognition_resolution,
    "14-KNĐ": recognition_report,
    "15-KNĐ": recognition_grassroots,
    "16-KNĐ": recognition_decision,
    "BC-DB": monthly_report,
    "QĐ-XT": removal_decision,
}
