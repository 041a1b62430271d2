"""The admission dossier's documents: what each one states about the candidate, and which
recorded step it needs before it can be written (12-HD/BTCTW 2022 §1.1 and its forms
1-KNĐ … 9-KNĐ [C]; DOMAIN.md §3, §10).

When a document can be drafted:
- CN-NTVĐ once the certificate is recorded (its number and date are what it states);
- 1-KNĐ, 2-KNĐ, 5-KNĐ at any time (filled by hand, or a summary the chi bộ writes);
- 3-KNĐ / 4-KNĐ for each introducer recorded;
- 6-KNĐ and 7-KNĐ after the chi bộ's vote that passed (they state its count);
- 8-KNĐ after the grassroots đảng ủy's vote that passed;
- 9-KNĐ is drafted *before* the decision: it needs the resolutions it cites (the chi bộ's
  and, where one sits between, the grassroots đảng ủy's); the decision's number and date
  are printed once recorded. Not once the committee decided not to admit.
"""

from datetime import date
from typing import Any

from django.utils import timezone

from dangvien.candidates.models import Candidate, Introducer, Stage
from dangvien.core.rules import rule
from dangvien.core.votes import Body
from dangvien.documents import issuers
from dangvien.documents.contexts.base import (
    MissingData,
    Part,
    chain_keys,
    dmy,
    last_vote,
    line,
    printed_number,
    vote_data,
)
from dangvien.documents.forms import PER_INTRODUCER, PER_UNION_INTRODUCER
from dangvien.members.models import PROBATION_MONTHS
from dangvien.organisations.queries import admission_chain
from dangvien.training.models import Certificate, CourseKind

NO_BRANCH_VOTE = "Chưa ghi kết quả biểu quyết của chi bộ đề nghị kết nạp."
BRANCH_VOTE_FAILED = (
    "Chi bộ biểu quyết chưa đạt tỷ lệ đề nghị kết nạp: chưa có nghị quyết đề nghị kết nạp."
)
NO_GRASSROOTS_VOTE = "Chưa ghi kết quả biểu quyết của đảng ủy cơ sở đề nghị kết nạp."
REJECTED = "Cấp ủy đã quyết định không kết nạp người này."


def candidate_data(c: Candidate) -> dict[str, Any]:
    helper = c.helper.person.full_name if c.helper_id and c.helper else ""
    return {
        "stage": str(c.get_stage_display()),
        "listed_on": dmy(c.listed_on),
        "helper": line(helper),
        "course_name": line(c.course_name),
        "course_started_on": dmy(c.course_started_on),
        "certificate_no": printed_number(c.certificate_no),
        "certificate_issued_on": dmy(c.certificate_issued_on),
        "application_on": dmy(c.application_on),
        "declaration_on": dmy(c.declaration_on),
        "decision_no": printed_number(c.decision_no),
        "decided_on": dmy(c.decided_on),
        "ceremony_on": dmy(c.ceremony_on),
        "education_exception": line(c.education_exception),
    }


def introducer_data(row: Introducer) -> dict[str, Any]:
    """A member introducer (3-KNĐ) or a union's executive (4-KNĐ)."""
    data: dict[str, Any] = {
        "known_since": dmy(row.known_since),
        "resolution_no": printed_number(row.resolution_no),
        "union": str(row.get_union_display()) if row.union else "",
        "full_name": "",
        "birth_date": "",
        "hometown": "",
        "admitted_on": "",
        "official_on": "",
        "branch": "",
        "card_number": "",
    }
    if row.member_id and row.member:
        m = row.member
        data.update(
            full_name=line(m.person.full_name),
            birth_date=dmy(m.person.birth_date),
            hometown=line(m.person.hometown),
            admitted_on=dmy(m.first_admitted_on or m.admitted_on),
            official_on=dmy(m.official_on),
            branch=line(m.branch.name),
            card_number=line(m.card_number),
        )
    return data


def _introducers(c: Candidate, per: str) -> list[Introducer]:
    rows = c.introducers.filter(active=True).select_related("member__person", "member__branch")
    if per == PER_INTRODUCER:
        rows = rows.filter(member__isnull=False)
    else:
        rows = rows.filter(member__isnull=True)
    return list(rows.order_by("id"))


def introducer_items(c: Candidate, per: str) -> list[tuple[str, str]]:
    out = []
    for row in _introducers(c, per):
        if row.member_id and row.member:
            label = f"Người giới thiệu: {row.member.person.full_name}"
        else:
            label = f"{row.get_union_display()} (nghị quyết {row.resolution_no})"
        out.append((f"{per}:{row.pk}", label))
    return out


def _introducer(c: Candidate, per: str, item: str) -> Introducer:
    what = "người giới thiệu" if per == PER_INTRODUCER else "nghị quyết giới thiệu của đoàn thể"
    if not item:
        raise MissingData(f"Chưa chọn {what}.")
    for row in _introducers(c, per):
        if item == f"{per}:{row.pk}":
            return row
    raise MissingData(f"Không có {what} này trong hồ sơ.")


def _introducer_names(c: Candidate) -> list[str]:
    names = []
    for row in _introducers(c, PER_INTRODUCER):
        assert row.member is not None
        names.append(line(row.member.person.full_name))
    for row in _introducers(c, PER_UNION_INTRODUCER):
        names.append(
            f"{row.get_union_display()} (nghị quyết số {printed_number(row.resolution_no)})"
        )
    return names


def _residence(c: Candidate) -> dict[str, str]:
    village = c.person.village
    serving = village.branch if village and village.branch_id else None
    return {
        "village": line(village.name) if village else "",
        "branch": line(serving.name) if serving else "",
    }


def _branch_vote(c: Candidate) -> Any:
    vote = last_vote(c.votes, Body.BRANCH)
    if vote is None:
        if c.votes.filter(body=Body.BRANCH).exists():
            raise MissingData(BRANCH_VOTE_FAILED)
        raise MissingData(NO_BRANCH_VOTE)
    return vote


# ---- the forms -------------------------------------------------------------------------


def cn_ntvd(c: Candidate, item: str) -> Part:
    """Certificate of the awareness course (CN-NTVĐ; HD 06 §5.4, valid 60 months [R])."""
    cert = (
        Certificate.objects.filter(person=c.person, kind=CourseKind.AWARENESS)
        .select_related("enrolment__course")
        .order_by("-issued_on", "-id")
        .first()
    )
    number = c.certificate_no or (cert.number if cert else "")
    issued = c.certificate_issued_on or (cert.issued_on if cert else None)
    if not number:
        raise MissingData("Chưa ghi giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng.")
    course = cert.enrolment.course if cert else None
    keys = {
        "course": {
            "name": line(course.name if course else c.course_name),
            "centre": line(course.organiser_name if course else ""),
            "starts_on": dmy(course.starts_on if course else c.course_started_on),
            "ends_on": dmy(course.ends_on if course else None),
        },
        "certificate": {
            "number": printed_number(number),
            "issued_on": dmy(issued),
            "valid_months": rule(
                "admission.certificate_validity_months",
                on=issued or timezone.localdate(),
                organisation=c.branch,
            ),
            "mark": f"{cert.enrolment.mark:.2f}".replace(".", ",")
            if cert and cert.enrolment.mark is not None
            else "",
        },
    }
    return Part(keys, number=number, day=issued)


def application(c: Candidate, item: str) -> Part:
    """Đơn xin vào Đảng (1-KNĐ): handwritten by the applicant; the file is a guide."""
    return Part({}, day=c.application_on, signer=c.person.full_name)


def declaration(c: Candidate, item: str) -> Part:
    """Lý lịch của người xin vào Đảng (2-KNĐ): declared by the applicant, checked by the
    chi ủy, certified by the grassroots committee."""
    grassroots = admission_chain(c.branch).grassroots
    keys = {
        "grassroots": {
            "name": line(grassroots.name) if grassroots else "",
            "body": issuers.body_name(grassroots) if grassroots else "",
        }
    }
    return Part(keys, day=c.declaration_on, signer=c.person.full_name)


def introduction(c: Candidate, item: str) -> Part:
    """Giấy giới thiệu người vào Đảng (3-KNĐ), one per member introducer (Charter Art. 4)."""
    row = _introducer(c, PER_INTRODUCER, item)
    data = introducer_data(row)
    return Part({"introducer": data}, signer=data["full_name"])


def union_introduction(c: Candidate, item: str) -> Part:
    """The union's resolution introducing the candidate (4-KNĐ Youth Union, 4A-KNĐ trade
    union): the union's own document, so its number is the one it recorded."""
    row = _introducer(c, PER_UNION_INTRODUCER, item)
    return Part({"introducer": introducer_data(row)}, number=row.resolution_no)


def comments_summary(c: Candidate, item: str) -> Part:
    """Summary of the comments of the mass organisations at work and of the residence chi
    ủy (5-KNĐ): written by the chi ủy before the chi bộ votes (12-HD/BTCTW 2022 §1.1)."""
    return Part({"residence": _residence(c), "introducers": _introducer_names(c)})


def branch_resolution(c: Candidate, item: str) -> Part:
    """The chi bộ's resolution proposing admission (6-KNĐ): states the vote's count."""
    vote = _branch_vote(c)
    check = c.background_checks.order_by("-completed_on", "-id").first()
    keys = chain_keys(c.branch) | {
        "vote": vote_data(vote),
        "introducers": _introducer_names(c),
        "background_check": {
            "completed_on": dmy(check.completed_on) if check else "",
            "outcome": str(check.get_outcome_display()) if check else "",
        },
    }
    return Part(keys, number=vote.resolution_no, day=vote.held_on)


def sub_committee_report(c: Candidate, item: str) -> Part:
    """The đảng ủy bộ phận's appraisal of the chi bộ's resolution (7-KNĐ)."""
    vote = _branch_vote(c)
    keys = chain_keys(c.branch) | {
        "branch_vote": vote_data(vote),
        "introducers": _introducer_names(c),
    }
    return Part(keys)


def grassroots_resolution(c: Candidate, item: str) -> Part:
    """The grassroots đảng ủy's resolution proposing admission (8-KNĐ): at least 2/3 of
    its committee members (24/294-QĐ/TW [R])."""
    branch_vote = _branch_vote(c)
    vote = last_vote(c.votes, Body.GRASSROOTS)
    if vote is None:
        raise MissingData(NO_GRASSROOTS_VOTE)
    keys = chain_keys(c.branch) | {
        "vote": vote_data(vote),
        "branch_vote": vote_data(branch_vote),
    }
    return Part(keys, number=vote.resolution_no, day=vote.held_on)


def decision(c: Candidate, item: str) -> Part:
    """The admission decision (9-KNĐ), drafted before the committee decides: it cites the
    chi bộ's resolution and, where one sits between, the grassroots đảng ủy's (294-QĐ/TW
    §4.3.2 [C]). Probation runs 12 months from the ceremony (Charter Art. 5)."""
    if c.stage == Stage.REJECTED:
        raise MissingData(REJECTED)
    branch_vote = _branch_vote(c)
    chain = admission_chain(c.branch)
    grassroots_vote = None
    if chain.endorser is not None:
        grassroots_vote = last_vote(c.votes, Body.GRASSROOTS)
        if grassroots_vote is None:
            raise MissingData(NO_GRASSROOTS_VOTE)
    decided = c.stage in (Stage.ADMITTED, Stage.MEMBER) and bool(c.decision_no)
    keys = chain_keys(c.branch) | {
        "branch_vote": vote_data(branch_vote),
        "grassroots_vote": vote_data(grassroots_vote),
        "probation_months": PROBATION_MONTHS,
        "decision": {
            "number": printed_number(c.decision_no) if decided else "",
            "decided_on": dmy(c.decided_on) if decided else "",
        },
    }
    day: date | None = c.decided_on if decided else None
    return Part(keys, number=c.decision_no if decided else "", day=day)


BUILDERS = {
    "CN-NTVĐ": cn_ntvd,
    "1-KNĐ": application,
    "2-KNĐ": declaration,
    "3-KNĐ": introduction,
    "4-KNĐ": union_introduction,
    "5-KNĐ": comments_summary,
    "6-KNĐ": branch_resolution,
    "7-KNĐ": sub_committee_report,
    "8-KNĐ": grassroots_resolution,
    "9-KNĐ": decision,
}
