"""The steps every proceeding on a member shares: the chi bộ's vote, the grassroots đảng
ủy's resolution where one sits between, the competent committee's decision, and the
deadline extension (DOMAIN.md §2). Recognition, removal and exit build on these; each
public action names its own rule.

These helpers run inside the caller's ``@action`` transaction on a ``locked`` member row.
"""

from datetime import date
from typing import Any

from dangvien.core import calendar
from dangvien.core.errors import DeadlinePassed, NotEligible, StageNotAllowed, VoteFailed
from dangvien.core.rules import ratio_text, rule
from dangvien.core.text import nfc
from dangvien.core.votes import Body, check_size, tally
from dangvien.members import queries
from dangvien.members.actions.base import log, not_future, text, today, user_of
from dangvien.members.models import Event, Member, MemberVote, Proceeding, Step
from dangvien.organisations.queries import admission_chain

OPEN_STEPS = (Step.OPEN, Step.BRANCH_PROPOSED, Step.GRASSROOTS_ENDORSED)


def current(row: Member, kind: str) -> Proceeding | None:
    """The member's open proceeding of ``kind``, locked; None when there is none."""
    return (
        Proceeding.objects.select_for_update()
        .filter(member=row, kind=kind, step__in=OPEN_STEPS)
        .first()
    )


def open_proceeding(row: Member, *, kind: str, on: date, by: Any, **fields: Any) -> Proceeding:
    return Proceeding.objects.create(member=row, kind=kind, opened_on=on, by=user_of(by), **fields)


def failed_branch_votes(proceeding: Proceeding) -> int:
    return proceeding.votes.filter(body=Body.BRANCH, passed=False).count()


def superior_may_decide(proceeding: Proceeding, row: Member) -> bool:
    """After three chi bộ votes short of 2/3, the matter goes to the superior committee,
    which decides (QĐ 29 §4.2c)."""
    attempts = rule(
        "vote.failed_attempts_to_superior", on=proceeding.opened_on, organisation=row.branch
    )
    return failed_branch_votes(proceeding) >= attempts


def _vote(
    proceeding: Proceeding,
    *,
    body: str,
    organisation: Any,
    rule_key: str,
    counted: str,
    resolution_no: str,
    by: Any,
    **counts: Any,
) -> MemberVote:
    fields = tally(
        rule_key=rule_key, organisation=proceeding.member.branch, counted=counted, **counts
    )
    return MemberVote.objects.create(
        proceeding=proceeding,
        body=body,
        organisation=organisation,
        resolution_no=nfc(resolution_no),
        by=user_of(by),
        **fields,
    )


def branch_vote(
    row: Member,
    proceeding: Proceeding,
    *,
    held_on: date,
    in_favour: int,
    against: int,
    resolution_no: str,
    by: Any,
    exempted_present: int = 0,
    decision_days_key: str = "",
) -> MemberVote:
    """The chi bộ votes: at least 2/3 of the denominator of DOMAIN.md §2, with at least 3
    official members (Charter Art. 5, 8; 24 §8). A vote short of 2/3 is recorded and the
    proceeding stays open; a passing one moves it to the chi bộ's proposal and, with
    ``decision_days_key``, starts the committee's deadline."""
    if proceeding.step != Step.OPEN:
        raise StageNotAllowed("Chi bộ đã có nghị quyết đề nghị cho việc này.")
    not_future(held_on, "Ngày họp chi bộ", "held_on")
    if held_on < proceeding.opened_on:
        raise NotEligible(
            f"Ngày họp chi bộ trước ngày bắt đầu xem xét ({proceeding.opened_on:%d/%m/%Y}).",
            field="held_on",
        )
    text(resolution_no, what="số nghị quyết", field="resolution_no", max_length=50)
    official = queries.official_members(row.branch, held_on).count()
    minimum = rule("branch.min_official_members", on=held_on, organisation=row.branch)
    if official < minimum:
        raise NotEligible(
            f"Chi bộ chỉ có {official} đảng viên chính thức; chi bộ phải có ít nhất "
            f"{minimum} đảng viên chính thức để biểu quyết (Điều lệ Đảng)."
        )
    denominator = queries.vote_denominator(
        row.branch, on=held_on, exempted_present=exempted_present
    )
    vote = _vote(
        proceeding,
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
    result = "đạt" if vote.passed else f"chưa đạt {ratio_text(vote.rule)}"
    log(
        row,
        what=Event.VOTE,
        on=held_on,
        by=by,
        note=f"Chi bộ biểu quyết ({proceeding.get_kind_display().lower()}), nghị quyết "
        f"{vote.resolution_no}: {in_favour}/{denominator} tán thành – {result}",
    )
    if vote.passed:
        proceeding.step = Step.BRANCH_PROPOSED
        fields = ["step"]
        if decision_days_key:
            days = rule(decision_days_key, on=held_on, organisation=row.branch)
            proceeding.decision_due_on = calendar.add_working_days(held_on, days)
            fields.append("decision_due_on")
        proceeding.save(update_fields=fields)
    return vote


def grassroots_vote(
    row: Member,
    proceeding: Proceeding,
    *,
    held_on: date,
    in_favour: int,
    committee_size: int,
    resolution_no: str,
    by: Any,
    against: int = 0,
) -> MemberVote:
    """The grassroots đảng ủy's resolution: at least 2/3 of its committee members
    (24/294-QĐ/TW [R]), only where one sits between branch and deciding committee."""
    chain = admission_chain(row.branch)
    if chain.endorser is None:
        raise StageNotAllowed(
            "Chi bộ này không có đảng ủy cơ sở xét giữa: chuyển thẳng lên "
            f"{chain.decider_label} quyết định."
        )
    if proceeding.step != Step.BRANCH_PROPOSED:
        raise StageNotAllowed("Cần nghị quyết đề nghị của chi bộ trước.")
    not_future(held_on, "Ngày họp đảng ủy", "held_on")
    branch = proceeding.votes.filter(body=Body.BRANCH, passed=True).order_by("-held_on").first()
    if branch and held_on < branch.held_on:
        raise NotEligible("Đảng ủy họp trước ngày chi bộ biểu quyết.", field="held_on")
    text(resolution_no, what="số nghị quyết", field="resolution_no", max_length=50)
    check_size(committee_size, chain.endorser.committee_size, chain.endorser.name)
    vote = _vote(
        proceeding,
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
    result = "đạt" if vote.passed else f"chưa đạt {ratio_text(vote.rule)}"
    log(
        row,
        what=Event.VOTE,
        on=held_on,
        by=by,
        note=f"Đảng ủy {chain.endorser.name}, nghị quyết {vote.resolution_no}: "
        f"{in_favour}/{committee_size} tán thành – {result}",
    )
    if vote.passed:
        proceeding.step = Step.GRASSROOTS_ENDORSED
        proceeding.save(update_fields=["step"])
    return vote


def extend(
    row: Member, proceeding: Proceeding, *, reason: str, by: Any, days_key: str
) -> Proceeding:
    """The committee's decision may be extended once (QĐ 29 §4.3.1)."""
    if proceeding.extended:
        raise DeadlinePassed("Thời hạn ra quyết định chỉ được gia hạn một lần (QĐ 29 §4.3.1).")
    reason = text(reason, what="lý do gia hạn", field="reason")
    if proceeding.decision_due_on is None:
        raise DeadlinePassed("Chưa có hạn ra quyết định để gia hạn.")
    days = rule(days_key, on=proceeding.decision_due_on, organisation=row.branch)
    proceeding.decision_due_on = calendar.add_working_days(proceeding.decision_due_on, days)
    proceeding.extended = True
    proceeding.extension_reason = reason
    proceeding.save(update_fields=["decision_due_on", "extended", "extension_reason"])
    log(
        row,
        what=Event.DEADLINE,
        on=today(),
        by=by,
        note=f"Gia hạn quyết định đến {proceeding.decision_due_on:%d/%m/%Y}: {reason}",
    )
    return proceeding


def ready_to_decide(row: Member, proceeding: Proceeding) -> str:
    """Why the committee cannot yet decide "yes" ("" when it can): the chi bộ's proposal,
    and the grassroots đảng ủy's where one sits between; or three failed chi bộ votes,
    after which the superior committee decides (QĐ 29 §4.2c)."""
    chain = admission_chain(row.branch)
    if proceeding.step == Step.GRASSROOTS_ENDORSED:
        return ""
    if proceeding.step == Step.BRANCH_PROPOSED:
        if chain.endorser is None:
            return ""
        return f"Cần nghị quyết của Đảng ủy {chain.endorser.name} trước khi cấp trên quyết định."
    if superior_may_decide(proceeding, row):
        return ""
    return "Cần nghị quyết đề nghị của chi bộ trước khi cấp ủy quyết định."


def decide(
    row: Member,
    proceeding: Proceeding,
    *,
    decision_no: str,
    decided_on: date,
    yes: bool,
    by: Any,
    late_reason: str = "",
    in_favour: int | None = None,
    committee_size: int | None = None,
) -> Proceeding:
    """The competent committee decides: the body and its rule come from the tree (BTV more
    than 1/2; an authorised đảng ủy at least 2/3 of all members; 294-QĐ/TW §4.3.2). A late
    decision needs its reason recorded. "No" needs at least one chi bộ vote on record."""
    decision_no = text(decision_no, what="số quyết định", field="decision_no", max_length=50)
    not_future(decided_on, "Ngày quyết định", "decided_on")
    if yes:
        problem = ready_to_decide(row, proceeding)
        if problem:
            raise StageNotAllowed(problem)
    elif not proceeding.votes.exists():
        raise StageNotAllowed("Cần biểu quyết của chi bộ trước khi cấp ủy quyết định.")
    last = proceeding.votes.order_by("-held_on").first()
    if last and decided_on < last.held_on:
        raise NotEligible("Ngày quyết định trước ngày nghị quyết đề nghị.", field="decided_on")
    late_reason = nfc(late_reason)
    due = proceeding.decision_due_on
    if due and decided_on > due and not late_reason:
        raise DeadlinePassed(
            f"Quá hạn ra quyết định ({due:%d/%m/%Y}, "
            f"{'đã gia hạn' if proceeding.extended else 'chưa gia hạn'}): cần ghi lý do chậm.",
            field="late_reason",
        )
    if in_favour is not None or committee_size is not None:
        if in_favour is None or committee_size is None:
            raise NotEligible("Cần cả số tán thành và tổng số ủy viên.", field="committee_size")
        chain = admission_chain(row.branch)
        decider = chain.decider
        check_size(
            committee_size,
            decider.committee_size
            if decider.authorised_to_admit
            else decider.standing_committee_size,
            decider.name,
        )
        vote = _vote(
            proceeding,
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
        if yes and not vote.passed:
            raise VoteFailed(
                f"Chỉ {in_favour}/{committee_size} tán thành, chưa đạt {ratio_text(vote.rule)}."
            )
    proceeding.step = Step.DECIDED
    proceeding.outcome = yes
    proceeding.decision_no = decision_no
    proceeding.decided_on = decided_on
    proceeding.late_reason = late_reason
    proceeding.save(update_fields=["step", "outcome", "decision_no", "decided_on", "late_reason"])
    return proceeding


def close_open(row: Member, *, on: date, by: Any, why: str) -> None:
    """Close every open proceeding of a member whose party life ended another way (death,
    expulsion): they are not decided, only closed, with the reason on the timeline."""
    for proceeding in Proceeding.objects.select_for_update().filter(
        member=row, step__in=OPEN_STEPS
    ):
        proceeding.step = Step.CLOSED
        proceeding.save(update_fields=["step"])
        log(
            row,
            what=Event.PROCEEDING,
            on=on,
            by=by,
            note=f"Dừng xem xét {proceeding.get_kind_display().lower()}: {why}",
        )
