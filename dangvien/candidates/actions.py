"""Every write of the admission pipeline. One public action per move (STYLE.md).

Each action runs in one transaction (``@action``); a refused rule raises a DomainError
and leaves nothing behind. Only ``_move`` writes ``stage``.
"""

from datetime import date
from typing import Any

from django.utils import timezone

from dangvien.candidates.models import (
    ACTIVE,
    NEXT_STAGES,
    BackgroundCheck,
    BackgroundOutcome,
    Body,
    Candidate,
    Introducer,
    Stage,
    StageChange,
    Union,
    Vote,
)
from dangvien.candidates.queries import eligibility_checks, introducer_problem
from dangvien.core import calendar
from dangvien.core.actions import action
from dangvien.core.dates import add_months
from dangvien.core.errors import (
    Conflict,
    DeadlinePassed,
    NotEligible,
    StageNotAllowed,
    VoteFailed,
    VoteInvalid,
)
from dangvien.core.rules import ratio_text, rule
from dangvien.core.text import nfc
from dangvien.core.votes import check_size, tally
from dangvien.members import actions as member_actions
from dangvien.members import queries as member_queries
from dangvien.members.actions import probation
from dangvien.members.models import Member
from dangvien.members.models import Status as MemberStatus
from dangvien.organisations.models import Organisation
from dangvien.organisations.queries import admission_chain
from dangvien.people import actions as people_actions
from dangvien.people import queries as people_queries
from dangvien.privacy import actions as privacy_actions
from dangvien.privacy.actions import ConsentGiven

RECERTIFIABLE = (Stage.CERTIFIED, Stage.DOSSIER_OPEN, Stage.BACKGROUND_CHECKED)
BEFORE_BRANCH_VOTE = (
    Stage.CANDIDATE,
    Stage.IN_AWARENESS_COURSE,
    Stage.CERTIFIED,
    Stage.DOSSIER_OPEN,
    Stage.BACKGROUND_CHECKED,
)


def _today() -> date:
    return timezone.localdate()


def _user(by: Any) -> Any:
    return by if getattr(by, "pk", None) else None


def _move(
    candidate: Candidate,
    *,
    to: str,
    by: Any,
    on: date | None = None,
    note: str = "",
    **changes: Any,
) -> Candidate:
    """The only code that writes ``stage``: locks the row, checks the move, writes history.

    The row lock makes two staff moving the same candidate at once queue; the second sees
    the new stage and is refused, so no duplicate history rows.
    """
    row = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if to not in NEXT_STAGES[row.stage]:
        raise StageNotAllowed(
            f"Không thể chuyển từ bước “{Stage(row.stage).label}” sang “{Stage(to).label}”."
        )
    StageChange.objects.create(
        candidate=row,
        from_stage=row.stage,
        to_stage=to,
        on=on or _today(),
        by=_user(by),
        note=note,
    )
    row.stage = to
    for field, value in changes.items():
        setattr(row, field, value)
    row.save(update_fields=["stage", *changes])
    candidate.refresh_from_db()
    return candidate


def _locked(candidate: Candidate, *stages: str) -> Candidate:
    """Lock the row for a write that keeps the stage, and check the stage allows it."""
    row = (
        Candidate.objects.select_for_update()
        .select_related("person", "branch")
        .get(pk=candidate.pk)
    )
    if row.stage not in stages:
        raise StageNotAllowed(f"Không thể thực hiện ở bước “{Stage(row.stage).label}”.")
    return row


def _record(
    row: Candidate,
    candidate: Candidate,
    *,
    by: Any,
    note: str,
    on: date | None = None,
    **changes: Any,
) -> Candidate:
    """A write that keeps the stage: save ``changes`` on the locked row and leave a history
    row at the same stage, so the candidate's page shows what was done and by whom."""
    for field, value in changes.items():
        setattr(row, field, value)
    if changes:
        row.save(update_fields=list(changes))
    StageChange.objects.create(
        candidate=row,
        from_stage=row.stage,
        to_stage=row.stage,
        on=on or _today(),
        by=_user(by),
        note=note,
    )
    candidate.refresh_from_db()
    return candidate


def _not_future(day: date, what: str, field: str) -> None:
    if day > _today():
        raise NotEligible(f"{what} không thể sau ngày hôm nay.", field=field)


# ---- the pool --------------------------------------------------------------------------


@action
def nominate_candidate(
    *,
    branch: Organisation,
    by: Any,
    listed_on: date | None = None,
    helper: Member | None = None,
    consent: ConsentGiven | None = None,
    **person_fields: Any,
) -> Candidate:
    """The chi bộ lists a promising person and may assign a member to help (12-HD/BTCTW).

    Someone listed before (withdrawn, or not admitted) keeps one identity: the person is
    found by citizen ID and listed again, never while still followed or already a member.
    The dossier opens with the person's consent to the notice of processing (Nghị định
    13/2023/NĐ-CP Điều 11, 13): refused without it (``privacy.actions``).
    """
    if not branch.holds_members:
        raise NotEligible("Quần chúng ưu tú phải do một chi bộ theo dõi.", field="branch_id")
    _check_helper(helper, branch)
    privacy_actions.check_consent_given(consent)
    known = people_queries.by_citizen_id(str(person_fields.get("citizen_id", "")))
    person = known.first()
    if person is None:
        person = people_actions.create_person(**person_fields, branch=branch, today=_today())
    else:
        if Member.objects.filter(person=person).exists():
            raise Conflict(f"{person.full_name} đã là đảng viên.", field="citizen_id")
        open_case = person.candidacies.filter(stage__in=ACTIVE).select_related("branch").first()
        if open_case is not None:
            raise Conflict(
                f"{person.full_name} đang được {open_case.branch.name} theo dõi.",
                field="citizen_id",
            )
        person = people_actions.refresh_person(
            person, **person_fields, branch=branch, today=_today()
        )
    candidate = Candidate.objects.create(
        person=person,
        branch=branch,
        org_path=branch.path,
        stage=Stage.CANDIDATE,
        listed_on=listed_on or _today(),
        helper=helper,
    )
    StageChange.objects.create(
        candidate=candidate,
        from_stage=Stage.CANDIDATE,
        to_stage=Stage.CANDIDATE,
        on=candidate.listed_on,
        by=_user(by),
        note="Đưa vào danh sách quần chúng ưu tú",
    )
    privacy_actions.consent_for_new_dossier(person, consent, org_path=branch.path, by=by)
    return candidate


def _check_helper(helper: Member | None, branch: Organisation) -> None:
    if helper is not None and (
        helper.branch_id != branch.pk or helper.status not in ("official", "probationary")
    ):
        raise NotEligible("Đảng viên giúp đỡ phải là đảng viên của chi bộ này.", field="helper_id")


@action
def assign_helper(candidate: Candidate, *, helper: Member, by: Any) -> Candidate:
    """The chi bộ assigns a member to help the candidate (12-HD/BTCTW 2022 §1.1)."""
    row = _locked(candidate, *ACTIVE)
    _check_helper(helper, row.branch)
    note = f"Phân công đảng viên giúp đỡ: {helper.person.full_name}"
    return _record(row, candidate, by=by, note=note, helper=helper)


@action
def record_education_exception(candidate: Candidate, *, basis: str, by: Any) -> Candidate:
    """Mountain, island, ethnic-minority and hardship areas may admit without the THCS
    diploma, under the Secretariat's guidance (294-QĐ/TW §1.2): the basis is recorded."""
    row = _locked(candidate, *BEFORE_BRANCH_VOTE)
    basis = nfc(basis)
    if not basis:
        raise NotEligible("Cần ghi căn cứ áp dụng ngoại lệ về học vấn.", field="basis")
    if len(basis) > 250:
        raise NotEligible("Căn cứ quá dài (tối đa 250 ký tự).", field="basis")
    note = f"Ngoại lệ về học vấn: {basis}"
    return _record(row, candidate, by=by, note=note, education_exception=basis)


@action
def start_awareness_course(
    candidate: Candidate, *, course_name: str, started_on: date, by: Any
) -> Candidate:
    """The candidate joins a lớp bồi dưỡng nhận thức về Đảng (QĐ 360; 154-HD/BTGTW)."""
    if not nfc(course_name):
        raise NotEligible("Cần ghi tên lớp bồi dưỡng.", field="course_name")
    _not_future(started_on, "Ngày bắt đầu học", "started_on")
    return _move(
        candidate,
        to=Stage.IN_AWARENESS_COURSE,
        by=by,
        on=started_on,
        note=nfc(course_name),
        course_name=nfc(course_name),
        course_started_on=started_on,
    )


@action
def certify(candidate: Candidate, *, certificate_no: str, issued_on: date, by: Any) -> Candidate:
    """Completed the awareness course: certificate CN-NTVĐ, valid 60 months (HD 06 §5.4)."""
    certificate_no = nfc(certificate_no)
    if not certificate_no:
        raise NotEligible("Cần ghi số giấy chứng nhận.", field="certificate_no")
    _not_future(issued_on, "Ngày cấp giấy chứng nhận", "issued_on")
    if candidate.course_started_on and issued_on < candidate.course_started_on:
        raise NotEligible("Ngày cấp giấy chứng nhận trước ngày bắt đầu học.", field="issued_on")
    validity = rule(
        "admission.certificate_validity_months", on=_today(), organisation=candidate.branch
    )
    if add_months(issued_on, validity) < _today():
        raise NotEligible(
            f"Giấy chứng nhận đã quá {validity} tháng: người vào Đảng phải học lại lớp "
            "bồi dưỡng nhận thức về Đảng (HD 06 §5.4).",
            field="issued_on",
        )
    note = f"Giấy chứng nhận số {certificate_no}"
    if candidate.stage in RECERTIFIABLE:
        # The course retaken after the certificate lapsed: the new certificate replaces the
        # old one and the dossier goes on from where it was.
        row = _locked(candidate, *RECERTIFIABLE)
        if row.certificate_issued_on and issued_on <= row.certificate_issued_on:
            raise NotEligible(
                "Giấy chứng nhận mới phải cấp sau giấy chứng nhận cũ.", field="issued_on"
            )
        return _record(
            row,
            candidate,
            by=by,
            on=issued_on,
            note=f"Học lại lớp nhận thức về Đảng. {note}",
            certificate_no=certificate_no,
            certificate_issued_on=issued_on,
        )
    return _move(
        candidate,
        to=Stage.CERTIFIED,
        by=by,
        on=issued_on,
        note=note,
        certificate_no=certificate_no,
        certificate_issued_on=issued_on,
    )


@action
def open_dossier(
    candidate: Candidate, *, application_on: date, declaration_on: date, by: Any
) -> Candidate:
    """The application comes before the background declaration (HD 06 §3 [R])."""
    _locked(candidate, Stage.CERTIFIED)
    _not_future(application_on, "Ngày làm đơn", "application_on")
    _not_future(declaration_on, "Ngày khai lý lịch", "declaration_on")
    if declaration_on < application_on:
        raise NotEligible(
            "Đơn xin vào Đảng phải làm trước khi khai lý lịch (HD 06-HD/TW §3).",
            field="declaration_on",
        )
    return _move(
        candidate,
        to=Stage.DOSSIER_OPEN,
        by=by,
        on=declaration_on,
        note="Đơn xin vào Đảng và lý lịch",
        application_on=application_on,
        declaration_on=declaration_on,
    )


@action
def record_background_check(
    candidate: Candidate, *, completed_on: date, outcome: str, note: str = "", by: Any
) -> Candidate:
    """Verification of the declaration (HD 06 §3.4 [R]). Only "clear" moves the stage; a
    check with concerns is kept and the dossier stays open.

    A dossier already checked may be checked again (the result is valid 12 months [U]): a
    clear result renews it, concerns send the dossier back to be cleared up.
    """
    row = _locked(candidate, Stage.DOSSIER_OPEN, Stage.BACKGROUND_CHECKED)
    if outcome not in BackgroundOutcome.values:
        raise NotEligible("Kết quả thẩm tra không hợp lệ.", field="outcome")
    _not_future(completed_on, "Ngày hoàn thành thẩm tra", "completed_on")
    if row.declaration_on and completed_on < row.declaration_on:
        raise NotEligible("Ngày thẩm tra phải sau ngày khai lý lịch.", field="completed_on")
    if outcome == BackgroundOutcome.CONCERNS and not nfc(note):
        raise NotEligible("Cần ghi rõ vấn đề phát hiện khi thẩm tra.", field="note")
    BackgroundCheck.objects.create(
        candidate=row, completed_on=completed_on, outcome=outcome, note=nfc(note), by=_user(by)
    )
    clear = outcome == BackgroundOutcome.CLEAR
    if row.stage == Stage.DOSSIER_OPEN and clear:
        return _move(candidate, to=Stage.BACKGROUND_CHECKED, by=by, on=completed_on, note=nfc(note))
    if row.stage == Stage.BACKGROUND_CHECKED and not clear:
        return _move(candidate, to=Stage.DOSSIER_OPEN, by=by, on=completed_on, note=nfc(note))
    if clear:
        note = f"Thẩm tra lại, kết quả đạt. {nfc(note)}".strip()
        return _record(row, candidate, by=by, on=completed_on, note=note)
    candidate.refresh_from_db()
    return candidate


@action
def add_introducer(
    candidate: Candidate,
    *,
    known_since: date,
    by: Any,
    member: Member | None = None,
    union: str = "",
    resolution_no: str = "",
) -> Introducer:
    """Two official members, or the Youth Union / trade union executive plus one member
    (Charter Art. 4; 294-QĐ/TW §3.2.1). The 12 months known are checked again at the vote."""
    row = _locked(candidate, Stage.CERTIFIED, Stage.DOSSIER_OPEN, Stage.BACKGROUND_CHECKED)
    _not_future(known_since, "Ngày bắt đầu cùng công tác", "known_since")
    if member is None and union not in Union.values:
        raise NotEligible("Chọn một đảng viên hoặc tổ chức Đoàn / Công đoàn.", field="member_id")
    if member is None and not nfc(resolution_no):
        raise NotEligible("Cần số nghị quyết giới thiệu của tổ chức.", field="resolution_no")
    problem = introducer_problem(row, member=member, union=union, today=_today())
    if problem:
        raise NotEligible(problem, field="member_id" if member else "union")
    return Introducer.objects.create(
        candidate=row,
        member=member,
        union="" if member else union,
        resolution_no=nfc(resolution_no),
        known_since=known_since,
        by=_user(by),
    )


@action
def remove_introducer(introducer: Introducer, *, by: Any) -> None:
    _locked(introducer.candidate, Stage.CERTIFIED, Stage.DOSSIER_OPEN, Stage.BACKGROUND_CHECKED)
    Introducer.objects.filter(pk=introducer.pk).update(active=False)


@action
def record_over_age_approval(
    candidate: Candidate, *, decision_no: str, decided_on: date, by: Any
) -> Candidate:
    """Admitting someone over 60 needs the provincial-level committee (294-QĐ/TW §1.1.2)."""
    row = _locked(candidate, *BEFORE_BRANCH_VOTE)
    if not nfc(decision_no):
        raise NotEligible("Cần số văn bản đồng ý.", field="decision_no")
    _not_future(decided_on, "Ngày văn bản", "decided_on")
    note = f"Cấp tỉnh đồng ý kết nạp người trên 60 tuổi: văn bản {nfc(decision_no)}"
    return _record(
        row,
        candidate,
        by=by,
        on=decided_on,
        note=note,
        over_age_decision_no=nfc(decision_no),
        over_age_decided_on=decided_on,
    )


# ---- votes and decision ----------------------------------------------------------------


def _count_vote(
    row: Candidate,
    *,
    body: str,
    organisation: Organisation,
    rule_key: str,
    held_on: date,
    in_favour: int,
    against: int,
    denominator: int,
    resolution_no: str,
    by: Any,
    counted: str,
) -> Vote:
    """Count the vote with the body's ratio rule in force that day and keep it."""
    counts = tally(
        rule_key=rule_key,
        organisation=row.branch,
        held_on=held_on,
        in_favour=in_favour,
        against=against,
        denominator=denominator,
        counted=counted,
    )
    return Vote.objects.create(
        candidate=row,
        body=body,
        organisation=organisation,
        resolution_no=nfc(resolution_no),
        by=_user(by),
        **counts,
    )


@action
def record_branch_vote(
    candidate: Candidate,
    *,
    held_on: date,
    in_favour: int,
    against: int,
    resolution_no: str,
    by: Any,
    exempted_present: int = 0,
) -> Vote:
    """The chi bộ votes to propose admission: at least 2/3 of the denominator of DOMAIN.md §2
    (Charter Art. 4–5; 294-QĐ/TW §9.3.2 [R]). Every eligibility rule is checked on the
    meeting date first. A failed vote is recorded and the stage does not move."""
    row = _locked(candidate, Stage.BACKGROUND_CHECKED)
    _not_future(held_on, "Ngày họp chi bộ", "held_on")
    if row.declaration_on and held_on < row.declaration_on:
        raise NotEligible("Ngày họp chi bộ phải sau ngày khai lý lịch.", field="held_on")
    failed = [c.message for c in eligibility_checks(row, held_on) if not c.ok]
    if failed:
        raise NotEligible(" ".join(failed))
    official = member_queries.official_members(row.branch, held_on).count()
    minimum = rule("branch.min_official_members", on=held_on, organisation=row.branch)
    if official < minimum:
        raise NotEligible(
            f"Chi bộ chỉ có {official} đảng viên chính thức; chi bộ phải có ít nhất "
            f"{minimum} đảng viên chính thức để biểu quyết (Điều lệ Đảng)."
        )
    denominator = member_queries.vote_denominator(
        row.branch, on=held_on, exempted_present=exempted_present
    )
    vote = _count_vote(
        row,
        body=Body.BRANCH,
        organisation=row.branch,
        rule_key="vote.branch",
        counted="Chi bộ",
        held_on=held_on,
        in_favour=in_favour,
        against=against,
        denominator=denominator,
        resolution_no=resolution_no,
        by=by,
    )
    if vote.passed:
        days = rule("deadline.decision_working_days", on=held_on, organisation=row.branch)
        _move(
            candidate,
            to=Stage.BRANCH_PROPOSED,
            by=by,
            on=held_on,
            note=f"Nghị quyết chi bộ {vote.resolution_no}: {in_favour}/{denominator} tán thành",
            decision_due_on=calendar.add_working_days(held_on, days),
        )
    return vote


@action
def record_grassroots_vote(
    candidate: Candidate,
    *,
    held_on: date,
    in_favour: int,
    committee_size: int,
    resolution_no: str,
    by: Any,
    against: int = 0,
) -> Vote:
    """The grassroots đảng ủy endorses the branch's proposal: at least 2/3 of its committee
    members (24/294-QĐ/TW [R]), only where one sits between branch and decider."""
    row = _locked(candidate, Stage.BRANCH_PROPOSED)
    chain = admission_chain(row.branch)
    if chain.endorser is None:
        raise StageNotAllowed(
            "Chi bộ này không có đảng ủy cơ sở xét giữa: chuyển thẳng lên "
            f"{chain.decider_label} quyết định."
        )
    _not_future(held_on, "Ngày họp đảng ủy", "held_on")
    branch_vote = row.votes.filter(body=Body.BRANCH, passed=True).order_by("-held_on").first()
    if branch_vote and held_on < branch_vote.held_on:
        raise NotEligible("Đảng ủy họp trước ngày chi bộ biểu quyết.", field="held_on")
    check_size(committee_size, chain.endorser.committee_size, chain.endorser.name)
    vote = _count_vote(
        row,
        body=Body.GRASSROOTS,
        organisation=chain.endorser,
        rule_key="vote.grassroots",
        counted="Số cấp ủy viên",
        held_on=held_on,
        in_favour=in_favour,
        against=against,
        denominator=committee_size,
        resolution_no=resolution_no,
        by=by,
    )
    if vote.passed:
        _move(
            candidate,
            to=Stage.GRASSROOTS_ENDORSED,
            by=by,
            on=held_on,
            note=f"Nghị quyết đảng ủy {vote.resolution_no}: {in_favour}/{committee_size} tán thành",
        )
    return vote


@action
def extend_decision_deadline(candidate: Candidate, *, reason: str, by: Any) -> Candidate:
    """The decision may be extended once, by at most 30 working days (QĐ 29 §4.3.1)."""
    row = _locked(candidate, Stage.BRANCH_PROPOSED, Stage.GRASSROOTS_ENDORSED)
    if row.decision_extended:
        raise DeadlinePassed("Thời hạn ra quyết định chỉ được gia hạn một lần (QĐ 29 §4.3.1).")
    if not nfc(reason):
        raise NotEligible("Cần ghi lý do gia hạn.", field="reason")
    if row.decision_due_on is None:
        raise DeadlinePassed("Hồ sơ chưa có hạn ra quyết định để gia hạn.")
    days = rule("deadline.decision_extension_working_days", on=_today(), organisation=row.branch)
    due = calendar.add_working_days(row.decision_due_on, days)
    note = f"Gia hạn quyết định đến {due:%d/%m/%Y}: {nfc(reason)}"
    return _record(
        row,
        candidate,
        by=by,
        note=note,
        decision_due_on=due,
        decision_extended=True,
        decision_extension_reason=nfc(reason),
    )


@action
def decide_admission(
    candidate: Candidate,
    *,
    decision_no: str,
    decided_on: date,
    admitted: bool,
    by: Any,
    note: str = "",
    in_favour: int | None = None,
    committee_size: int | None = None,
    late_reason: str = "",
) -> Candidate:
    """The competent committee decides within 60 working days of the branch resolution
    (QĐ 29 §4.3.1), extendable once. Deciding body and vote rule come from the tree
    (294-QĐ/TW §4.3.2: BTV more than 1/2; an authorised đảng ủy at least 2/3 of all its
    members). A late decision needs its reason recorded; it is never silently allowed."""
    row = _locked(candidate, Stage.BRANCH_PROPOSED, Stage.GRASSROOTS_ENDORSED)
    chain = admission_chain(row.branch)
    if admitted and chain.endorser is not None and row.stage != Stage.GRASSROOTS_ENDORSED:
        raise StageNotAllowed(
            f"Cần nghị quyết của Đảng ủy {chain.endorser.name} trước khi cấp trên quyết định."
        )
    decision_no = nfc(decision_no)
    if not decision_no:
        raise NotEligible("Cần số quyết định.", field="decision_no")
    _not_future(decided_on, "Ngày quyết định", "decided_on")
    last = row.votes.filter(passed=True).order_by("-held_on").first()
    if last and decided_on < last.held_on:
        raise NotEligible("Ngày quyết định trước ngày nghị quyết đề nghị.", field="decided_on")
    if row.decision_due_on and decided_on > row.decision_due_on and not nfc(late_reason):
        raise DeadlinePassed(
            f"Quá hạn ra quyết định ({row.decision_due_on:%d/%m/%Y}, "
            f"{'đã gia hạn' if row.decision_extended else 'chưa gia hạn'}): cần ghi lý do chậm.",
            field="late_reason",
        )
    if in_favour is not None or committee_size is not None:
        if in_favour is None or committee_size is None:
            raise VoteInvalid("Cần cả số tán thành và tổng số ủy viên.", field="committee_size")
        decider = chain.decider
        check_size(
            committee_size,
            decider.committee_size
            if decider.authorised_to_admit
            else decider.standing_committee_size,
            decider.name,
        )
        vote = _count_vote(
            row,
            body=Body.DECIDER,
            organisation=decider,
            rule_key=chain.decider_rule,
            counted="Số ủy viên",
            held_on=decided_on,
            in_favour=in_favour,
            against=0,
            denominator=committee_size,
            resolution_no=decision_no,
            by=by,
        )
        if admitted and not vote.passed:
            raise VoteFailed(
                f"Chỉ {in_favour}/{committee_size} tán thành, chưa đạt {ratio_text(vote.rule)}: "
                "không thể quyết định kết nạp."
            )
    fields: dict[str, Any] = {
        "decision_no": decision_no,
        "decided_on": decided_on,
        "decision_late_reason": nfc(late_reason),
    }
    if admitted:
        days = rule("deadline.ceremony_working_days", on=decided_on, organisation=row.branch)
        fields["ceremony_due_on"] = calendar.add_working_days(decided_on, days)
    label = "Quyết định kết nạp" if admitted else "Quyết định không kết nạp"
    return _move(
        candidate,
        to=Stage.ADMITTED if admitted else Stage.REJECTED,
        by=by,
        on=decided_on,
        note=f"{label} số {decision_no}. {nfc(note)}".strip(),
        **fields,
    )


@action
def hold_ceremony(
    candidate: Candidate, *, held_on: date, by: Any, late_approval_no: str = ""
) -> Member:
    """The chi bộ holds the ceremony within 30 working days of the decision; later needs the
    superior committee's approval (Charter Art. 5; 294-QĐ/TW §4.1). The person becomes a
    probationary member from this date; party age will count from the decision date."""
    row = _locked(candidate, Stage.ADMITTED)
    if row.decided_on is None:
        raise NotEligible("Chưa có ngày quyết định kết nạp.")
    _not_future(held_on, "Ngày lễ kết nạp", "held_on")
    if held_on < row.decided_on:
        raise NotEligible("Lễ kết nạp không thể trước ngày quyết định.", field="held_on")
    if row.ceremony_due_on and held_on > row.ceremony_due_on and not nfc(late_approval_no):
        raise DeadlinePassed(
            f"Quá hạn tổ chức lễ kết nạp ({row.ceremony_due_on:%d/%m/%Y}): cần văn bản đồng ý "
            "của cấp ủy cấp trên.",
            field="late_approval_no",
        )
    if Member.objects.filter(person=row.person).exists():
        raise Conflict("Người này đã có hồ sơ đảng viên.")
    member = member_actions.add_probationary_member(
        row.person,
        branch=row.branch,
        admitted_on=row.decided_on,
        decision_no=row.decision_no,
        ceremony_on=held_on,
        by=by,
    )
    _first_mentor(row, member, held_on=held_on, by=by)
    _move(
        candidate,
        to=Stage.MEMBER,
        by=by,
        on=held_on,
        note=f"Lễ kết nạp ngày {held_on:%d/%m/%Y}",
        ceremony_on=held_on,
        ceremony_late_approval_no=nfc(late_approval_no),
        member=member,
    )
    return member


def _first_mentor(candidate: Candidate, member: Member, *, held_on: date, by: Any) -> None:
    """At the ceremony the chi bộ assigns an official member to help the new member through
    probation (294-QĐ/TW §4.1); the member who helped the candidate carries on when they
    still can (official, same chi bộ). Otherwise the member's page asks for one."""
    helper = candidate.helper
    if (
        helper is not None
        and helper.status == MemberStatus.OFFICIAL
        and helper.branch_id == member.branch_id
    ):
        probation.assign_mentor(member, mentor=helper, from_on=held_on, by=by)


@action
def withdraw(candidate: Candidate, *, reason: str, by: Any) -> Candidate:
    """The person leaves the pool (own wish, moved away, no longer suitable)."""
    if not nfc(reason):
        raise NotEligible("Cần ghi lý do.", field="reason")
    return _move(candidate, to=Stage.WITHDRAWN, by=by, note=nfc(reason))
