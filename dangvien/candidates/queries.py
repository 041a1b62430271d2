"""Reads of the admission pipeline: scope, eligibility, deadlines, to-do lists."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, QuerySet

from dangvien.candidates.models import (
    ACTIVE,
    BackgroundOutcome,
    Candidate,
    Introducer,
    Stage,
    StageChange,
    Union,
)
from dangvien.core.dates import add_months, full_months_between, full_years_between
from dangvien.core.rules import rule
from dangvien.members.models import Status
from dangvien.organisations.models import Organisation
from dangvien.organisations.queries import count_per_child, in_scope, same_grassroots
from dangvien.people.models import EDUCATION_ORDER, Education
from dangvien.people.queries import search_filter

if TYPE_CHECKING:
    from dangvien.accounts.models import User


def visible_candidates(user: "User") -> QuerySet[Candidate]:
    """Candidates under the user's nodes, in name order: the candidate's copy of the
    person's sort key, then id (the ``cand_stage_name_idx``/``cand_name_idx`` order;
    issue 9)."""
    return (
        Candidate.objects.filter(in_scope(user, "org_path"))
        .select_related("person", "branch")
        .order_by("sort_key", "pk")
    )


def filter_candidates(
    rows: QuerySet[Candidate],
    *,
    q: str = "",
    stage: str = "",
    branch: Organisation | None = None,
) -> QuerySet[Candidate]:
    """Text filter ignores case and diacritics ("nguyen van an" finds "Nguyễn Văn An"); a
    12-digit query is a citizen ID, found exactly through its keyed index (issue 9)."""
    if q:
        rows = rows.filter(search_filter(q, via="person"))
    if stage == "active":
        rows = rows.filter(stage__in=ACTIVE)
    elif stage:
        rows = rows.filter(stage=stage)
    if branch is not None:
        rows = rows.filter(org_path__startswith=branch.path)
    return rows


def candidate_detail(rows: QuerySet[Candidate]) -> QuerySet[Candidate]:
    return rows.select_related("helper__person", "member").prefetch_related(
        Prefetch("changes", queryset=StageChange.objects.select_related("by"), to_attr="history"),
        Prefetch(
            "introducers",
            queryset=Introducer.objects.filter(active=True).select_related(
                "member__person", "member__branch"
            ),
            to_attr="active_introducers",
        ),
        "background_checks",
        "votes",
    )


# ---- eligibility -----------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    key: str
    ok: bool
    message: str


def _introducer_problems(candidate: Candidate, on: date) -> list[str]:
    """Charter Art. 4; 294-QĐ/TW §3.2.1: two official members who have known the candidate
    12 months in the same grassroots organisation, or a union's executive plus one member.
    There is no minimum party age for introducers."""
    known_months = rule("admission.introducer_known_months", on=on, organisation=candidate.branch)
    introducers = list(
        candidate.introducers.filter(active=True).select_related("member__branch", "member__person")
    )
    problems, members, unions = [], 0, 0
    for intro in introducers:
        if intro.member_id:
            member = intro.member
            assert member is not None
            if member.status != Status.OFFICIAL:
                problems.append(
                    f"Người giới thiệu {member.person} không còn là đảng viên chính thức."
                )
                continue
            if add_months(intro.known_since, known_months) > on:
                problems.append(
                    f"Người giới thiệu {member.person} chưa đủ {known_months} tháng cùng công tác, "
                    "học tập, cư trú với người vào Đảng."
                )
                continue
            if not same_grassroots(member.branch, candidate.branch):
                problems.append(
                    f"Người giới thiệu {member.person} nay sinh hoạt ở tổ chức cơ sở đảng khác."
                )
                continue
            members += 1
        elif intro.union == Union.YOUTH_UNION:
            max_age = rule("admission.youth_union_max_age", on=on, organisation=candidate.branch)
            if full_years_between(candidate.person.birth_date, on) > max_age:
                problems.append(
                    f"Người vào Đảng đã quá {max_age} tuổi đoàn vào ngày họp: Đoàn không còn "
                    "giới thiệu được."
                )
                continue
            unions += 1
        else:
            unions += 1
    if not ((members >= 2) or (members >= 1 and unions >= 1)):
        problems.append(
            "Cần hai đảng viên chính thức giới thiệu, hoặc tổ chức Đoàn / Công đoàn và một "
            "đảng viên chính thức."
        )
    return problems


def eligibility_checks(candidate: Candidate, on: date) -> list[Check]:
    """Everything the branch vote requires (DOMAIN.md §3 "Eligibility", "Introducers")."""
    person = candidate.person
    branch = candidate.branch
    checks: list[Check] = []

    months = full_months_between(person.birth_date, on)
    min_months = rule("admission.min_age_months", on=on, organisation=branch)
    max_months = rule("admission.max_age_months", on=on, organisation=branch)
    if months < min_months:
        checks.append(
            Check(
                "age",
                False,
                f"Chưa đủ {min_months // 12} tuổi (tính theo tháng) tại ngày chi bộ xét.",
            )
        )
    elif months > max_months and not (
        candidate.over_age_decision_no
        and candidate.over_age_decided_on
        and candidate.over_age_decided_on <= on
    ):
        checks.append(
            Check(
                "age",
                False,
                f"Trên {max_months // 12} tuổi: cần văn bản đồng ý của cấp ủy trực thuộc "
                "Trung ương (294-QĐ/TW §1.1.2).",
            )
        )
    else:
        checks.append(Check("age", True, f"Tuổi: {months // 12} tuổi {months % 12} tháng."))

    minimum = rule("admission.min_education", on=on, organisation=branch)
    if EDUCATION_ORDER.index(person.education_level) >= EDUCATION_ORDER.index(minimum):
        checks.append(Check("education", True, "Đủ tiêu chuẩn học vấn."))
    elif candidate.education_exception:
        checks.append(
            Check("education", True, f"Ngoại lệ học vấn: {candidate.education_exception}.")
        )
    else:
        checks.append(
            Check(
                "education",
                False,
                f"Chưa tốt nghiệp {Education(minimum).label.lower()} (294-QĐ/TW §1.2).",
            )
        )

    validity = rule("admission.certificate_validity_months", on=on, organisation=branch)
    issued = candidate.certificate_issued_on
    if issued is not None and issued > on:
        checks.append(Check("certificate", False, "Giấy chứng nhận cấp sau ngày chi bộ họp."))
    elif issued is None:
        checks.append(
            Check("certificate", False, "Chưa có giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng.")
        )
    elif add_months(issued, validity) < on:
        checks.append(
            Check(
                "certificate",
                False,
                f"Giấy chứng nhận lớp nhận thức về Đảng đã quá {validity} tháng: "
                "cần học lại (HD 06 §5.4).",
            )
        )
    else:
        checks.append(
            Check(
                "certificate",
                True,
                f"Giấy chứng nhận còn hạn đến {add_months(issued, validity):%d/%m/%Y}.",
            )
        )

    if rule("admission.knowledge_test_required", on=on, organisation=branch):
        checks.append(_knowledge_test_check(candidate, on))

    if candidate.application_on and candidate.declaration_on:
        checks.append(Check("dossier", True, "Có đơn xin vào Đảng và lý lịch."))
    else:
        checks.append(Check("dossier", False, "Chưa có đơn xin vào Đảng và lý lịch."))

    # The result known at the meeting: a check completed later cannot support the vote.
    latest = (
        candidate.background_checks.filter(completed_on__lte=on)
        .order_by("-completed_on", "-id")
        .first()
    )
    bg_months = rule("admission.background_validity_months", on=on, organisation=branch)
    if latest is None or latest.outcome != BackgroundOutcome.CLEAR:
        checks.append(Check("background", False, "Chưa có kết quả thẩm tra lý lịch đạt."))
    elif add_months(latest.completed_on, bg_months) < on:
        checks.append(
            Check("background", False, f"Kết quả thẩm tra lý lịch đã quá {bg_months} tháng.")
        )
    else:
        checks.append(Check("background", True, "Đã thẩm tra lý lịch, kết quả đạt."))

    problems = _introducer_problems(candidate, on)
    checks.append(Check("introducers", not problems, " ".join(problems) or "Đủ người giới thiệu."))
    return checks


def _knowledge_test_check(candidate: Candidate, on: date) -> Check:
    """Where the province requires it (``admission.knowledge_test_required``, DOMAIN.md §3;
    seed 000, Hạ Long 2020: "kết quả là cơ sở để xem xét kết nạp"), the branch vote needs a
    pass in a signed-off knowledge test still valid on the day (``exam.result_validity_months``)."""
    from dangvien.exams.queries.results import latest_pass

    months = rule("exam.result_validity_months", on=on, organisation=candidate.branch)
    sitting = latest_pass(candidate.person, on)
    if sitting is None:
        return Check(
            "knowledge_test",
            False,
            "Chưa đạt kiểm tra nhận thức về Đảng (tỉnh quy định bắt buộc trước khi chi bộ "
            f"xét), hoặc kết quả đạt đã quá {months} tháng.",
        )
    return Check(
        "knowledge_test",
        True,
        f"Đạt kiểm tra nhận thức về Đảng: {str(sitting.final_score).replace('.', ',')} điểm "
        f"({sitting.round.name}, ngày {sitting.round.held_on:%d/%m/%Y}).",
    )


def introducer_problem(
    candidate: Candidate, *, member: object | None, union: str, today: date
) -> str:
    """Why this introducer cannot be added now ("" when they can)."""
    from dangvien.members.models import Member

    current = list(candidate.introducers.filter(active=True))
    if len(current) >= 2:
        return "Đã đủ hai người giới thiệu."
    if isinstance(member, Member):
        if member.status != Status.OFFICIAL:
            return "Người giới thiệu phải là đảng viên chính thức (Điều lệ Điều 4)."
        if any(i.member_id == member.pk for i in current):
            return "Đảng viên này đã là người giới thiệu."
        if not same_grassroots(member.branch, candidate.branch):
            return (
                "Người giới thiệu phải sinh hoạt trong cùng tổ chức cơ sở đảng với người vào Đảng."
            )
        return ""
    if any(i.union for i in current):
        return "Chỉ một tổ chức (Đoàn hoặc Công đoàn) được giới thiệu."
    person = candidate.person
    if union == Union.YOUTH_UNION:
        max_age = rule("admission.youth_union_max_age", on=today, organisation=candidate.branch)
        if not person.youth_union_member:
            return "Người vào Đảng không phải đoàn viên nên Đoàn không thể giới thiệu."
        if full_years_between(person.birth_date, today) > max_age:
            return f"Người vào Đảng đã quá {max_age} tuổi đoàn: cần hai đảng viên giới thiệu."
    elif union == Union.TRADE_UNION:
        if not person.trade_union_member:
            return "Người vào Đảng không phải công đoàn viên nên Công đoàn không thể giới thiệu."
    else:
        return "Chưa chọn người giới thiệu."
    return ""


# ---- deadlines -------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    what: str
    due_on: date
    overdue: bool


def deadlines(candidate: Candidate, today: date) -> list[Deadline]:
    items: list[Deadline] = []
    if (
        candidate.stage in (Stage.BRANCH_PROPOSED, Stage.GRASSROOTS_ENDORSED)
        and candidate.decision_due_on
    ):
        items.append(
            Deadline(
                "Quyết định kết nạp", candidate.decision_due_on, candidate.decision_due_on < today
            )
        )
    if candidate.stage == Stage.ADMITTED and candidate.ceremony_due_on:
        items.append(
            Deadline(
                "Tổ chức lễ kết nạp", candidate.ceremony_due_on, candidate.ceremony_due_on < today
            )
        )
    if (
        candidate.stage in (Stage.CERTIFIED, Stage.DOSSIER_OPEN, Stage.BACKGROUND_CHECKED)
        and candidate.certificate_issued_on
    ):
        validity = rule(
            "admission.certificate_validity_months", on=today, organisation=candidate.branch
        )
        expiry = add_months(candidate.certificate_issued_on, validity)
        items.append(Deadline("Giấy chứng nhận lớp nhận thức hết hạn", expiry, expiry < today))
    return items


CERTIFICATE_WARNING_DAYS = 60


def todo(
    user: "User", today: date, horizon_days: int = 15, validity: int | None = None
) -> dict[str, QuerySet[Candidate]]:
    """ "Việc cần làm": decisions and ceremonies near or past their deadline, and awareness
    certificates that lapse before the branch has voted (HD 06 §5.4: then the course must
    be taken again), in the user's scope.

    The certificate list uses the nationwide validity (``validity``: the caller has read
    it already); a province-specific value shows on the candidate's own page.
    """
    soon = today + timedelta(days=horizon_days)
    rows = visible_candidates(user)
    if validity is None:
        validity = rule("admission.certificate_validity_months", on=today)
    lapse_by = add_months(today + timedelta(days=CERTIFICATE_WARNING_DAYS), -validity)
    return {
        "certificates": rows.filter(
            stage__in=[Stage.CERTIFIED, Stage.DOSSIER_OPEN, Stage.BACKGROUND_CHECKED],
            certificate_issued_on__lte=lapse_by,
        ).order_by("certificate_issued_on", "pk"),
        "decisions": rows.filter(
            stage__in=[Stage.BRANCH_PROPOSED, Stage.GRASSROOTS_ENDORSED], decision_due_on__lte=soon
        ).order_by("decision_due_on", "pk"),
        "ceremonies": rows.filter(stage=Stage.ADMITTED, ceremony_due_on__lte=soon).order_by(
            "ceremony_due_on", "pk"
        ),
    }


# ---- counts ----------------------------------------------------------------------------


def counts_by_child(org: Organisation) -> dict[str, int]:
    """Candidates still in the pipeline under each child of ``org``, in one query."""
    return count_per_child(Candidate.objects.filter(stage__in=ACTIVE), org)


def subtree_count(org: Organisation) -> int:
    return Candidate.objects.filter(org_path__startswith=org.path, stage__in=ACTIVE).count()


def stage_counts(rows: QuerySet[Candidate]) -> dict[str, int]:
    return dict(
        rows.order_by().values_list("stage").annotate(n=Count("pk")).values_list("stage", "n")
    )
