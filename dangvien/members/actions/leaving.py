"""Leaving the party's list: removal (xóa tên), voluntary exit (xin ra khỏi Đảng),
expulsion (khai trừ, recorded only) and death (DOMAIN.md §2–3).

Removal runs as a proceeding: the chi ủy asks the member for a self-review (up to three
times), the chi bộ votes (at least 2/3), the grassroots đảng ủy resolves where one sits
between, the committee competent to admit decides; the removed member may complain within
a window. Exit is only for members without a violation. Expulsion is never turned into
removal or exit (30-QĐ/TW Art. 35). Members who leave hand their badges back; the family
of a deceased member keeps them (HD 01-HD/TW §18).
"""

from datetime import date
from typing import Any

from dangvien.core import calendar
from dangvien.core.actions import action
from dangvien.core.dates import add_months
from dangvien.core.errors import NotEligible, StageNotAllowed
from dangvien.core.rules import rule
from dangvien.members.actions import proceedings
from dangvien.members.actions.base import locked, log, not_future, set_status, text
from dangvien.members.models import (
    Badge,
    Event,
    Member,
    MemberVote,
    NeverReadmit,
    Proceeding,
    ProceedingKind,
    RemovalTrigger,
    Status,
    Step,
)
from dangvien.members.queries.leaving import removal_evidence

ACTIVE = (Status.PROBATIONARY, Status.OFFICIAL)

# Grounds an expulsion decision may give for never readmitting (294-QĐ/TW §3.5); asking to
# leave belongs to exit only.
EXPULSION_NEVER_READMIT = tuple(r for r in NeverReadmit if r != NeverReadmit.ASKED_TO_LEAVE)


def _day(value: date) -> str:
    return f"{value:%d/%m/%Y}"


def _open_removal(row: Member) -> Proceeding:
    proceeding = proceedings.current(row, ProceedingKind.REMOVAL)
    if proceeding is None:
        raise StageNotAllowed("Đảng viên không có việc xem xét xóa tên nào đang mở.")
    return proceeding


def _trigger(value: str, row: Member) -> str:
    """A ground of removal from the list of Charter Art. 8; 24/294-QĐ/TW §8.1; HD 01-HD/TW
    §11.1. "Not fit for recognition" applies to probationary members only (Charter
    Art. 5.2: there is no extension of probation)."""
    if not value:
        raise NotEligible("Cần chọn căn cứ xem xét xóa tên.", field="trigger")
    if value not in RemovalTrigger.values:
        raise NotEligible("Căn cứ xem xét xóa tên không hợp lệ.", field="trigger")
    if value == RemovalTrigger.NOT_RECOGNISED and row.status != Status.PROBATIONARY:
        raise NotEligible(
            "Căn cứ “không đủ tư cách công nhận chính thức” chỉ áp dụng với đảng viên dự bị "
            "(Điều lệ Đảng Điều 5).",
            field="trigger",
        )
    return value


def _return_badges(row: Member, *, on: date, by: Any) -> None:
    """Members who leave hand their badge back (HD 01-HD/TW §18)."""
    for badge in Badge.objects.select_for_update().filter(member=row, returned_on__isnull=True):
        badge.returned_on = on
        badge.save(update_fields=["returned_on"])
        log(
            row,
            what=Event.BADGE,
            on=on,
            by=by,
            note=f"Thu hồi Huy hiệu {badge.years} năm tuổi Đảng (đảng viên ra khỏi Đảng nộp lại)",
        )


# ---- removal (xóa tên) ------------------------------------------------------------------


@action
def request_self_review(
    member: Member,
    *,
    by: Any,
    requested_on: date,
    trigger: str = "",
    reason: str = "",
) -> Proceeding:
    """The chi ủy asks the member to write a self-review and review themselves before the
    chi bộ; after the third request unanswered the chi bộ proceeds anyway
    (HD 01-HD/TW §11.1a; ``removal.self_review_requests``).

    The first request opens the removal proceeding with its ground (``trigger``) and
    reason; later requests are counted on it.
    """
    row = locked(member, *ACTIVE)
    not_future(requested_on, "Ngày yêu cầu tự kiểm điểm", "requested_on")
    proceeding = proceedings.current(row, ProceedingKind.REMOVAL)
    if proceeding is None:
        trigger = _trigger(trigger, row)
        reason = text(reason, what="lý do xem xét xóa tên", field="reason", max_length=1000)
        proceeding = proceedings.open_proceeding(
            row,
            kind=ProceedingKind.REMOVAL,
            on=requested_on,
            by=by,
            trigger=trigger,
            reason=reason,
        )
        log(
            row,
            what=Event.PROCEEDING,
            on=requested_on,
            by=by,
            note=f"Bắt đầu xem xét xóa tên – căn cứ: {RemovalTrigger(trigger).label}. {reason}",
        )
    elif proceeding.step != Step.OPEN:
        raise StageNotAllowed("Chi bộ đã có nghị quyết đề nghị xóa tên: không yêu cầu thêm.")
    elif proceeding.self_reviewed_on:
        raise StageNotAllowed(
            f"Đảng viên đã tự kiểm điểm ngày {_day(proceeding.self_reviewed_on)}."
        )
    elif requested_on < proceeding.opened_on:
        raise NotEligible(
            f"Ngày yêu cầu trước ngày bắt đầu xem xét ({_day(proceeding.opened_on)}).",
            field="requested_on",
        )
    proceeding.self_review_requests += 1
    proceeding.save(update_fields=["self_review_requests"])
    log(
        row,
        what=Event.PROCEEDING,
        on=requested_on,
        by=by,
        note=f"Chi ủy yêu cầu đảng viên tự kiểm điểm (lần {proceeding.self_review_requests})",
    )
    return proceeding


@action
def record_self_review(member: Member, *, by: Any, reviewed_on: date, note: str = "") -> Proceeding:
    """The member wrote the self-review and reviewed themselves before the chi bộ
    (HD 01-HD/TW §11.1a)."""
    row = locked(member, *ACTIVE)
    proceeding = _open_removal(row)
    if proceeding.step != Step.OPEN:
        raise StageNotAllowed("Chi bộ đã có nghị quyết đề nghị xóa tên.")
    if proceeding.self_reviewed_on:
        raise StageNotAllowed(f"Đã ghi tự kiểm điểm ngày {_day(proceeding.self_reviewed_on)}.")
    not_future(reviewed_on, "Ngày tự kiểm điểm", "reviewed_on")
    if reviewed_on < proceeding.opened_on:
        raise NotEligible(
            f"Ngày tự kiểm điểm trước ngày bắt đầu xem xét ({_day(proceeding.opened_on)}).",
            field="reviewed_on",
        )
    note = text(note, what="ghi chú", field="note", max_length=1000, required=False)
    proceeding.self_reviewed_on = reviewed_on
    proceeding.save(update_fields=["self_reviewed_on"])
    log(
        row,
        what=Event.REPORT,
        on=reviewed_on,
        by=by,
        note="Đảng viên tự kiểm điểm trước chi bộ" + (f": {note}" if note else ""),
    )
    return proceeding


def _self_review_done(row: Member, proceeding: Proceeding, held_on: date) -> None:
    """The chi bộ considers removal once the member has reviewed themselves, or after the
    chi ủy asked ``removal.self_review_requests`` (3) times in vain (HD 01-HD/TW §11.1a)."""
    if proceeding.self_reviewed_on and proceeding.self_reviewed_on <= held_on:
        return
    required = rule("removal.self_review_requests", on=held_on, organisation=row.branch)
    if proceeding.self_review_requests < required:
        raise NotEligible(
            f"Đảng viên chưa tự kiểm điểm và chi ủy mới yêu cầu "
            f"{proceeding.self_review_requests} lần: cần yêu cầu đủ {required} lần thì chi bộ "
            "mới xem xét xóa tên (HD 01-HD/TW §11.1a)."
        )


def _grounds(row: Member, trigger: str, held_on: date, educated_since: date | None) -> str:
    """Check what can be checked of the ground, and describe it for the timeline.

    - missed meetings or unpaid dues: at least ``removal.missed_months`` months inside the
      window (Charter Art. 8; 24/294-QĐ/TW §8.1; 01-QĐ/TW 2026), from the meeting and dues
      records (``queries.leaving.removal_evidence``);
    - lost commitment: ``removal.education_months`` (12) months after the chi bộ began
      educating the member without progress (Charter Art. 8; 24/294-QĐ/TW §8.1).
    """
    label = str(RemovalTrigger(trigger).label)
    if trigger in (RemovalTrigger.MISSED_MEETINGS, RemovalTrigger.UNPAID_DUES):
        evidence = removal_evidence(row, held_on)
        found = evidence.months_for(trigger)
        months = (
            evidence.missed_months
            if trigger == RemovalTrigger.MISSED_MEETINGS
            else evidence.unpaid_months
        )
        what = (
            "bỏ sinh hoạt chi bộ"
            if trigger == RemovalTrigger.MISSED_MEETINGS
            else "không đóng đảng phí"
        )
        if found < evidence.threshold:
            raise NotEligible(
                f"Sổ sách chỉ ghi {found} tháng {what} không có lý do từ "
                f"{_day(evidence.window_start)} đến {_day(evidence.window_end)}; cần ít nhất "
                f"{evidence.threshold} tháng trong năm (Điều lệ Đảng Điều 8).",
                field="trigger",
            )
        listed = ", ".join(f"{m:%m/%Y}" for m in months)
        return f"{label} – {found} tháng ({listed})"
    if trigger == RemovalTrigger.LOST_COMMITMENT:
        if educated_since is None:
            raise NotEligible(
                "Cần ghi ngày chi bộ bắt đầu giáo dục, giúp đỡ đảng viên "
                "(Điều lệ Đảng Điều 8; 24/294-QĐ/TW §8.1).",
                field="educated_since",
            )
        months = rule("removal.education_months", on=held_on, organisation=row.branch)
        earliest = add_months(educated_since, months)
        if held_on < earliest:
            raise NotEligible(
                f"Chi bộ giáo dục từ {_day(educated_since)}: chỉ xem xét xóa tên sau {months} "
                f"tháng không tiến bộ, tức từ {_day(earliest)} "
                "(Điều lệ Đảng Điều 8; 24/294-QĐ/TW §8.1).",
                field="educated_since",
            )
        return f"{label} – chi bộ giáo dục từ {_day(educated_since)}"
    if trigger == RemovalTrigger.FAILED_STANDARDS:
        return f"{label} – {_failed_years(row, held_on)}"
    return label


def _failed_years(row: Member, held_on: date) -> str:
    """Failing membership standards two years running (Charter Art. 8; 24/294-QĐ/TW §8.1;
    ``review.failed_years_for_removal``), checked against the yearly ratings the committees
    decided (issue 7). A year with no rating on record (reviewed on paper before the
    system) does not block the proposal, and the timeline says so; a year decided as
    anything but "failed" does."""
    from dangvien.reviews.models import MemberReview, PeriodKind, Rating

    needed = rule("review.failed_years_for_removal", on=held_on, organisation=row.branch)
    decided = dict(
        MemberReview.objects.filter(
            member=row, period__kind=PeriodKind.YEARLY, period__year__lte=held_on.year
        )
        .exclude(decided_rating="")
        .values_list("period__year", "decided_rating")
    )
    last = max(decided, default=held_on.year - 1)
    years = list(range(last - needed + 1, last + 1))
    passed = [y for y in years if y in decided and decided[y] != Rating.FAILED]
    if passed:
        shown = ", ".join(f"năm {y}: {Rating(decided[y]).label.lower()}" for y in passed)
        raise NotEligible(
            f"Kết quả xếp loại đã quyết định không phải {needed} năm liền không hoàn thành "
            f"nhiệm vụ ({shown}) (Điều lệ Đảng Điều 8).",
            field="trigger",
        )
    missing = [y for y in years if y not in decided]
    text = ", ".join(str(y) for y in years)
    if missing:
        return f"năm {text} (năm {', '.join(map(str, missing))} chưa có kết quả trong hệ thống)"
    return f"năm {text}, theo kết quả xếp loại cấp ủy đã quyết định"


@action
def propose_removal(
    member: Member,
    *,
    by: Any,
    held_on: date,
    in_favour: int,
    against: int,
    resolution_no: str,
    trigger: str,
    reason: str,
    exempted_present: int = 0,
    educated_since: date | None = None,
) -> MemberVote:
    """The chi bộ votes to propose removal (xóa tên): at least 2/3 of the vote denominator
    (Charter Art. 8; 24 §8; HD 01-HD/TW §11.1b; DOMAIN.md §2), once the member reviewed
    themselves or was asked three times (HD 01-HD/TW §11.1a), on a ground of Charter
    Art. 8 whose evidence is checked where the records hold it (``_grounds``).

    A vote short of 2/3 is recorded and the proceeding stays open; after three such votes
    the superior committee decides (QĐ 29 §4.2c). A passing vote starts the committee's
    deadline (``deadline.removal_decision_working_days``).
    """
    row = locked(member, *ACTIVE)
    proceeding = _open_removal(row)
    if proceeding.step != Step.OPEN:
        raise StageNotAllowed("Chi bộ đã có nghị quyết đề nghị xóa tên.")
    trigger = _trigger(trigger, row)
    reason = text(reason, what="lý do đề nghị xóa tên", field="reason", max_length=1000)
    not_future(held_on, "Ngày họp chi bộ", "held_on")
    _self_review_done(row, proceeding, held_on)
    grounds = _grounds(row, trigger, held_on, educated_since)
    if (proceeding.trigger, proceeding.reason) != (trigger, reason):
        proceeding.trigger, proceeding.reason = trigger, reason
        proceeding.save(update_fields=["trigger", "reason"])
    log(
        row,
        what=Event.PROCEEDING,
        on=held_on,
        by=by,
        note=f"Chi bộ xem xét đề nghị xóa tên – căn cứ: {grounds}. {reason}",
    )
    return proceedings.branch_vote(
        row,
        proceeding,
        held_on=held_on,
        in_favour=in_favour,
        against=against,
        resolution_no=resolution_no,
        by=by,
        exempted_present=exempted_present,
        decision_days_key="deadline.removal_decision_working_days",
    )


@action
def record_grassroots_removal_vote(
    member: Member,
    *,
    by: Any,
    held_on: date,
    in_favour: int,
    committee_size: int,
    resolution_no: str,
    against: int = 0,
) -> MemberVote:
    """The grassroots đảng ủy's resolution on the chi bộ's removal proposal, at least 2/3
    of its committee, where one sits between branch and deciding committee (HD 01-HD/TW
    §11.1b; 24/294-QĐ/TW [R])."""
    row = locked(member, *ACTIVE)
    return proceedings.grassroots_vote(
        row,
        _open_removal(row),
        held_on=held_on,
        in_favour=in_favour,
        committee_size=committee_size,
        resolution_no=resolution_no,
        by=by,
        against=against,
    )


@action
def decide_removal(
    member: Member,
    *,
    by: Any,
    decision_no: str,
    decided_on: date,
    removed: bool,
    late_reason: str = "",
    in_favour: int | None = None,
    committee_size: int | None = None,
    note: str = "",
) -> Proceeding:
    """The committee competent to admit decides the removal (24 §8; HD 01-HD/TW §11.1b;
    BTV more than 1/2, DOMAIN.md §2). After the deadline it needs the reason for the delay.

    Yes: the member leaves the list on the decision date, may complain within
    ``removal.complaint_working_days`` working days (HD 01-HD/TW §11.1c [U]), hands the
    badge back (HD 01-HD/TW §18); one removed for leaving party meetings may never be
    readmitted (294-QĐ/TW §3.5). No: the matter is closed and the member stays.
    """
    row = locked(member, *ACTIVE)
    proceeding = _open_removal(row)
    note = text(note, what="ghi chú", field="note", max_length=1000, required=False)
    proceedings.decide(
        row,
        proceeding,
        decision_no=decision_no,
        decided_on=decided_on,
        yes=removed,
        by=by,
        late_reason=late_reason,
        in_favour=in_favour,
        committee_size=committee_size,
    )
    decision = f"quyết định số {proceeding.decision_no} ngày {_day(decided_on)}"
    if not removed:
        log(
            row,
            what=Event.PROCEEDING,
            on=decided_on,
            by=by,
            note=f"Cấp ủy quyết định không xóa tên ({decision})" + (f": {note}" if note else ""),
        )
        return proceeding
    days = rule("removal.complaint_working_days", on=decided_on, organisation=row.branch)
    proceeding.complaint_until = calendar.add_working_days(decided_on, days)
    proceeding.save(update_fields=["complaint_until"])
    changes: dict[str, Any] = {"left_on": decided_on}
    if proceeding.trigger == RemovalTrigger.MISSED_MEETINGS:
        changes["never_readmit"] = NeverReadmit.LEFT_MEETINGS
    set_status(
        row,
        to=Status.REMOVED,
        on=decided_on,
        by=by,
        note=f"Xóa tên trong danh sách đảng viên theo {decision} – "
        f"{RemovalTrigger(proceeding.trigger).label}"
        + (f". {note}" if note else "")
        + f". Khiếu nại đến hết ngày {_day(proceeding.complaint_until)}",
        **changes,
    )
    proceedings.close_open(row, on=decided_on, by=by, why="đảng viên đã bị xóa tên")
    _return_badges(row, on=decided_on, by=by)
    return proceeding


# ---- voluntary exit (xin ra khỏi Đảng) --------------------------------------------------


def exit_refusal(row: Member) -> str:
    """Why the member may not be let go on request ("" when they may): only a member
    without a violation; a violator is dealt with first (HD 01-HD/TW §11.2a). Expulsion is
    never turned into exit (30-QĐ/TW Art. 35).

    The violations on record here are an open removal proceeding and an expulsion; the
    system keeps no disciplinary cases yet.
    """
    if row.status == Status.EXPELLED:
        return "Đảng viên đã bị khai trừ: không chuyển thành cho ra khỏi Đảng (30-QĐ/TW Điều 35)."
    if Proceeding.objects.filter(
        member=row, kind=ProceedingKind.REMOVAL, step__in=proceedings.OPEN_STEPS
    ).exists():
        return (
            "Đảng viên đang bị xem xét xóa tên: chỉ xem xét cho ra khỏi Đảng khi đảng viên "
            "chưa vi phạm tư cách; phải giải quyết việc vi phạm trước (HD 01-HD/TW §11.2a)."
        )
    return ""


@action
def request_exit(member: Member, *, by: Any, requested_on: date, reason: str) -> Proceeding:
    """The member asks in writing, with the reason, to leave the party; the chi bộ and the
    đảng ủy consider it and the competent committee decides (HD 01-HD/TW §11.2a)."""
    row = locked(member, *ACTIVE)
    if proceedings.current(row, ProceedingKind.EXIT):
        raise StageNotAllowed("Đã có đơn xin ra khỏi Đảng đang chờ xem xét.")
    refusal = exit_refusal(row)
    if refusal:
        raise NotEligible(refusal)
    not_future(requested_on, "Ngày làm đơn", "requested_on")
    reason = text(reason, what="lý do xin ra khỏi Đảng", field="reason", max_length=1000)
    proceeding = proceedings.open_proceeding(
        row,
        kind=ProceedingKind.EXIT,
        on=requested_on,
        by=by,
        requested_on=requested_on,
        reason=reason,
    )
    log(row, what=Event.PROCEEDING, on=requested_on, by=by, note=f"Đơn xin ra khỏi Đảng: {reason}")
    return proceeding


@action
def record_exit(
    member: Member,
    *,
    by: Any,
    decision_no: str,
    decided_on: date,
    family_hardship: bool = False,
    note: str = "",
) -> Member:
    """The competent committee lets the member leave and removes the name from the list
    (HD 01-HD/TW §11.2a). One who asked to leave may never be readmitted, unless for
    extreme family hardship (294-QĐ/TW §3.5). The badge is handed back (HD 01-HD/TW §18).
    """
    row = locked(member, *ACTIVE)
    proceeding = proceedings.current(row, ProceedingKind.EXIT)
    if proceeding is None:
        raise StageNotAllowed("Chưa có đơn xin ra khỏi Đảng.")
    refusal = exit_refusal(row)
    if refusal:
        raise NotEligible(refusal)
    decision_no = text(decision_no, what="số quyết định", field="decision_no", max_length=50)
    not_future(decided_on, "Ngày quyết định", "decided_on")
    if decided_on < proceeding.opened_on:
        raise NotEligible(
            f"Ngày quyết định trước ngày làm đơn ({_day(proceeding.opened_on)}).",
            field="decided_on",
        )
    note = text(note, what="ghi chú", field="note", max_length=1000, required=False)
    proceeding.step = Step.DECIDED
    proceeding.outcome = True
    proceeding.decision_no = decision_no
    proceeding.decided_on = decided_on
    proceeding.save(update_fields=["step", "outcome", "decision_no", "decided_on"])
    set_status(
        row,
        to=Status.EXITED,
        on=decided_on,
        by=by,
        note=f"Cho ra khỏi Đảng theo quyết định số {decision_no} ngày {_day(decided_on)}"
        + (" (hoàn cảnh gia đình đặc biệt khó khăn)" if family_hardship else "")
        + (f". {note}" if note else ""),
        left_on=decided_on,
        never_readmit="" if family_hardship else NeverReadmit.ASKED_TO_LEAVE,
    )
    proceedings.close_open(row, on=decided_on, by=by, why="đảng viên đã ra khỏi Đảng")
    _return_badges(row, on=decided_on, by=by)
    return row


# ---- expulsion and death ----------------------------------------------------------------


@action
def record_expulsion(
    member: Member,
    *,
    by: Any,
    decision_no: str,
    decided_on: date,
    body: str,
    reason: str,
    never_readmit: str = "",
) -> Member:
    """Record the disciplinary decision expelling the member (khai trừ; 296-QĐ/TW [R]).

    Open proceedings (removal, exit, recognition) are closed, not decided: an expulsion is
    never converted into removal or exit (30-QĐ/TW Art. 35), and an expelled member cannot
    be removed or let go afterwards (members.actions.base.NEXT_STATUS). ``never_readmit``
    records a ground of 294-QĐ/TW §3.5 (disunity, corruption, serious crime…). The badge
    is handed back (HD 01-HD/TW §18).
    """
    row = locked(member, *ACTIVE)
    decision_no = text(decision_no, what="số quyết định", field="decision_no", max_length=50)
    body = text(body, what="cơ quan ra quyết định", field="body", max_length=200)
    reason = text(reason, what="lý do khai trừ", field="reason", max_length=1000)
    not_future(decided_on, "Ngày quyết định", "decided_on")
    if never_readmit and never_readmit not in EXPULSION_NEVER_READMIT:
        raise NotEligible("Lý do không kết nạp lại không hợp lệ.", field="never_readmit")
    proceedings.close_open(
        row, on=decided_on, by=by, why="đảng viên bị khai trừ (30-QĐ/TW Điều 35)"
    )
    set_status(
        row,
        to=Status.EXPELLED,
        on=decided_on,
        by=by,
        note=f"Khai trừ ra khỏi Đảng theo quyết định số {decision_no} ngày {_day(decided_on)} "
        f"của {body}: {reason}",
        left_on=decided_on,
        never_readmit=never_readmit,
    )
    _return_badges(row, on=decided_on, by=by)
    return row


@action
def record_death(member: Member, *, by: Any, died_on: date, note: str = "") -> Member:
    """Close the record of a member who died (HD 01-HD/TW §18): open proceedings are
    closed; the family keeps any badge."""
    row = locked(member, *ACTIVE)
    not_future(died_on, "Ngày từ trần", "died_on")
    if row.probation_started_on and died_on < row.probation_started_on:
        raise NotEligible(
            f"Ngày từ trần trước ngày kết nạp ({_day(row.probation_started_on)}).",
            field="died_on",
        )
    note = text(note, what="ghi chú", field="note", max_length=1000, required=False)
    proceedings.close_open(row, on=died_on, by=by, why="đảng viên từ trần")
    set_status(
        row,
        to=Status.DECEASED,
        on=died_on,
        by=by,
        note="Từ trần" + (f": {note}" if note else ""),
        left_on=died_on,
    )
    return row
