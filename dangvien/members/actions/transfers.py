"""Writes of the transfers area: exemption from duties and meetings, transfers of party
activity (chuyển sinh hoạt đảng) and members working far away (đi làm ăn xa).

Sources: Charter Art. 7 and 27-HD/BTCTW 2009 §1 / 12-HD/BTCTW 2022 §IV.1.2 [R]
(exemption); 294-QĐ/TW §6.3.1 (permanent transfer), §6.3.2 (temporary transfer);
HD 01-HD/TW §10.3 and seed 004 (members working far away). Deadlines are rule parameters
(``core/rules.py``), read for the member's branch on the day they start.
"""

from datetime import date
from typing import Any

from dangvien.core import calendar
from dangvien.core.actions import action
from dangvien.core.dates import add_months
from dangvien.core.errors import Conflict, DeadlinePassed, NotEligible, StageNotAllowed
from dangvien.core.rules import rule
from dangvien.members.actions.base import locked, log, not_future, save, text, today, user_of
from dangvien.members.models import (
    ACTIVE_STATUSES,
    Event,
    Exemption,
    ExemptionReason,
    Member,
    Mentorship,
    Transfer,
    TransferKind,
    TransferState,
)
from dangvien.members.queries import open_transfers
from dangvien.members.queries import transfers as queries
from dangvien.organisations.models import Organisation


def _d(day: date) -> str:
    return day.strftime("%d/%m/%Y")


# ---- exemption -------------------------------------------------------------------------


@action
def exempt(
    member: Member,
    *,
    reason: str,
    from_on: date,
    until_on: date | None = None,
    note: str = "",
    by: Any,
) -> Exemption:
    """The chi bộ exempts a member from duties and meetings (miễn công tác và sinh hoạt
    đảng), on the member's request: old age, ill health, long treatment, a private stay
    abroad, mobile work without a party organisation, maternity leave (Charter Art. 7;
    27-HD/BTCTW 2009 §1; 12-HD/BTCTW 2022 §IV.1.2 [R]). The member stays a member.

    One exemption at a time: a period that meets another one is refused.
    """
    row = locked(member, *ACTIVE_STATUSES)
    if reason not in ExemptionReason.values:
        raise NotEligible("Lý do miễn công tác và sinh hoạt đảng không hợp lệ.", field="reason")
    if until_on is not None and until_on < from_on:
        raise NotEligible(
            f"Ngày kết thúc miễn ({_d(until_on)}) trước ngày bắt đầu ({_d(from_on)}).",
            field="until_on",
        )
    note = text(note, what="ghi chú", field="note", max_length=1000, required=False)
    other = queries.overlapping_exemption(row, from_on, until_on)
    if other is not None:
        end = f" đến {_d(other.until_on)}" if other.until_on else " (chưa kết thúc)"
        raise Conflict(
            f"Đảng viên đã được miễn công tác và sinh hoạt đảng từ {_d(other.from_on)}{end}; "
            "mỗi lúc chỉ có một lần miễn.",
            field="from_on",
        )
    exemption = Exemption.objects.create(
        member=row,
        reason=reason,
        from_on=from_on,
        until_on=until_on,
        note=note,
        by=user_of(by),
    )
    period = f"từ {_d(from_on)}" + (f" đến {_d(until_on)}" if until_on else "")
    log(
        row,
        what=Event.EXEMPTION,
        on=from_on,
        by=by,
        note=f"Miễn công tác và sinh hoạt đảng ({ExemptionReason(reason).label}) {period}"
        + (f". {note}" if note else ""),
    )
    return exemption


@action
def end_exemption(member: Member, *, until_on: date, note: str = "", by: Any) -> Exemption:
    """The member returns to duties and meetings: the open exemption ends on ``until_on``,
    its last day (on the member's request, the chi bộ decides: 27-HD/BTCTW 2009 §1.1). A
    known end may be recorded ahead."""
    row = locked(member, *ACTIVE_STATUSES)
    exemption = (
        queries.open_exemptions(until_on)
        .select_for_update(of=("self",))
        .filter(member=row)
        .order_by("-from_on")
        .first()
    )
    if exemption is None:
        raise StageNotAllowed("Đảng viên không có lần miễn công tác và sinh hoạt đảng nào đang mở.")
    if until_on < exemption.from_on:
        raise NotEligible(
            f"Ngày kết thúc ({_d(until_on)}) trước ngày bắt đầu miễn ({_d(exemption.from_on)}).",
            field="until_on",
        )
    note = text(note, what="ghi chú", field="note", max_length=1000, required=False)
    exemption.until_on = until_on
    exemption.save(update_fields=["until_on"])
    log(
        row,
        what=Event.EXEMPTION,
        on=until_on,
        by=by,
        note=f"Kết thúc miễn công tác và sinh hoạt đảng (miễn đến hết {_d(until_on)})"
        + (f". {note}" if note else ""),
    )
    return exemption


# ---- transfers -------------------------------------------------------------------------


def _check_temporary_length(
    *, issued_on: date, until_on: date | None, for_study: bool, branch: Organisation
) -> None:
    """3 months to under 1 year for work or residence; 3 months to 2 years for full-time
    study in Vietnam (294-QĐ/TW §6.3.2; DOMAIN.md §6 [C])."""
    if until_on is None:
        raise NotEligible("Cần ghi ngày hết thời hạn sinh hoạt tạm thời.", field="until_on")
    least = rule("transfer.temporary_min_months", on=issued_on, organisation=branch)
    if until_on < add_months(issued_on, least):
        raise NotEligible(
            f"Sinh hoạt đảng tạm thời phải từ {least} tháng trở lên (294-QĐ/TW §6.3.2); "
            f"từ {_d(issued_on)} đến {_d(until_on)} chưa đủ {least} tháng.",
            field="until_on",
        )
    if for_study:
        most = rule("transfer.study_max_months", on=issued_on, organisation=branch)
        if until_on > add_months(issued_on, most):
            raise NotEligible(
                f"Đi học tập trung chỉ sinh hoạt đảng tạm thời tối đa {most} tháng "
                f"(294-QĐ/TW §6.3.2); từ {_d(issued_on)} đến {_d(until_on)} quá {most} tháng.",
                field="until_on",
            )
        return
    most = rule("transfer.temporary_max_months", on=issued_on, organisation=branch)
    if until_on >= add_months(issued_on, most):
        raise NotEligible(
            f"Sinh hoạt đảng tạm thời vì công tác, nơi ở chỉ dưới {most} tháng "
            f"(294-QĐ/TW §6.3.2); đi từ {most} tháng trở lên thì chuyển sinh hoạt đảng "
            "chính thức.",
            field="until_on",
        )


@action
def start_transfer(
    member: Member,
    *,
    kind: str,
    to_organisation: Organisation,
    letter_no: str,
    issued_on: date,
    cause_on: date | None = None,
    for_study: bool = False,
    until_on: date | None = None,
    late_reason: str = "",
    by: Any,
) -> Transfer:
    """The introduction letter (giấy giới thiệu sinh hoạt đảng) is issued: the transfer is
    in flight and shows at both ends until the destination receives it.

    - Permanent (294-QĐ/TW §6.3.1): on a new job, retirement, resignation, demobilisation
      or a lasting move, the member must ask within ``transfer.request_working_days`` (60)
      working days of ``cause_on``; later needs a reason. The letter must be presented
      within ``transfer.present_working_days`` (30) working days of issue.
    - Temporary (§6.3.2): 3 months to under 1 year, or up to 2 years for full-time study;
      the member comes back afterwards. The same presentation deadline applies [U: the
      30 working days are written for permanent transfers].
    - One open transfer at a time; the destination is a chi bộ anywhere in the system,
      never the member's own.
    """
    row = locked(member, *ACTIVE_STATUSES)
    if kind not in TransferKind.values:
        raise NotEligible("Loại chuyển sinh hoạt đảng không hợp lệ.", field="kind")
    if queries.has_open_transfer(row):
        raise Conflict(
            "Đảng viên đang có một lần chuyển sinh hoạt đảng chưa kết thúc; "
            "mỗi lúc chỉ có một lần chuyển."
        )
    if not to_organisation.holds_members:
        raise NotEligible(
            f"“{to_organisation.name}” không phải là chi bộ: giấy giới thiệu phải gửi đến "
            "chi bộ nơi đảng viên sinh hoạt.",
            field="to_organisation",
        )
    if to_organisation.pk == row.branch_id:
        raise NotEligible(
            "Nơi chuyển đến là chi bộ đảng viên đang sinh hoạt.", field="to_organisation"
        )
    letter_no = text(letter_no, what="số giấy giới thiệu", field="letter_no", max_length=50)
    not_future(issued_on, "Ngày cấp giấy giới thiệu", "issued_on")
    late_reason = text(
        late_reason, what="lý do chậm", field="late_reason", max_length=1000, required=False
    )
    branch = row.branch
    notes: list[str] = []
    if kind == TransferKind.PERMANENT:
        if until_on is not None:
            raise NotEligible(
                "Chuyển sinh hoạt đảng chính thức không có thời hạn trở về.", field="until_on"
            )
        if for_study:
            raise NotEligible(
                "Đi học tập trung thì chuyển sinh hoạt đảng tạm thời.", field="for_study"
            )
        if cause_on is None:
            raise NotEligible(
                "Cần ghi ngày có quyết định (nghỉ hưu, chuyển công tác…) hoặc ngày chuyển nơi ở.",
                field="cause_on",
            )
        if cause_on > issued_on:
            raise NotEligible(
                f"Ngày có quyết định hoặc chuyển nơi ở ({_d(cause_on)}) sau ngày cấp giấy "
                f"giới thiệu ({_d(issued_on)}).",
                field="cause_on",
            )
        days = rule("transfer.request_working_days", on=cause_on, organisation=branch)
        due = calendar.add_working_days(cause_on, days)
        if issued_on > due and not late_reason:
            raise DeadlinePassed(
                f"Phải làm thủ tục chuyển sinh hoạt đảng chính thức trong {days} ngày làm việc "
                f"kể từ {_d(cause_on)} (hạn {_d(due)}, 294-QĐ/TW §6.3.1); làm chậm thì cần "
                "ghi lý do chậm.",
                field="late_reason",
            )
        if issued_on > due:
            notes.append(f"Làm thủ tục chậm (hạn {_d(due)}): {late_reason}")
    else:
        if cause_on is not None and cause_on > issued_on:
            raise NotEligible(
                f"Ngày có quyết định ({_d(cause_on)}) sau ngày cấp giấy giới thiệu "
                f"({_d(issued_on)}).",
                field="cause_on",
            )
        _check_temporary_length(
            issued_on=issued_on, until_on=until_on, for_study=for_study, branch=branch
        )
    present_days = rule("transfer.present_working_days", on=issued_on, organisation=branch)
    present_by = calendar.add_working_days(issued_on, present_days)
    transfer = Transfer.objects.create(
        member=row,
        kind=kind,
        from_branch=branch,
        to_organisation=to_organisation,
        to_path=to_organisation.path,
        to_name=to_organisation.name,
        for_study=for_study and kind == TransferKind.TEMPORARY,
        cause_on=cause_on,
        letter_no=letter_no,
        issued_on=issued_on,
        present_by=present_by,
        until_on=until_on,
        late_reason="; ".join(notes),
        by=user_of(by),
    )
    what = TransferKind(kind).label
    stay = f", đến {_d(until_on)}" if until_on else ""
    study = " (đi học tập trung)" if transfer.for_study else ""
    log(
        row,
        what=Event.TRANSFER,
        on=issued_on,
        by=by,
        note=f"{what}{study} từ {branch.name} đến {to_organisation.name}{stay}; giấy giới "
        f"thiệu số {letter_no} ngày {_d(issued_on)}, hạn nộp {_d(present_by)}"
        + (f". {notes[0]}" if notes else ""),
    )
    return transfer


def _open_transfer(row: Member, *states: str) -> Transfer:
    transfer = (
        open_transfers()
        .select_for_update(of=("self",))  # PostgreSQL: not the outer-joined destination
        .filter(member=row, state__in=states)
        .select_related("from_branch", "to_organisation")
        .first()
    )
    if transfer is None:
        raise StageNotAllowed("Đảng viên không có lần chuyển sinh hoạt đảng phù hợp đang mở.")
    return transfer


@action
def receive_transfer(
    member: Member, *, received_on: date, late_reason: str = "", by: Any
) -> Transfer:
    """The destination's chi ủy receives the introduction letter (294-QĐ/TW §6.3.1–2).

    Presented after ``present_by`` (30 working days from issue): the reason is recorded
    for handling. Permanent: the member now belongs to the destination chi bộ. Temporary:
    the member stays on the home branch's roll (not in the host's headcount, §6.3.2) and
    out of its vote denominator while away (294-QĐ/TW §9.3.2 [R]).
    """
    row = locked(member, *ACTIVE_STATUSES)
    transfer = _open_transfer(row, TransferState.IN_FLIGHT)
    destination = transfer.to_organisation
    if destination is None:
        raise StageNotAllowed("Nơi chuyển đến nằm ngoài hệ thống: không tiếp nhận tại đây.")
    if received_on < transfer.issued_on:
        raise NotEligible(
            f"Ngày tiếp nhận trước ngày cấp giấy giới thiệu ({_d(transfer.issued_on)}).",
            field="received_on",
        )
    not_future(received_on, "Ngày tiếp nhận", "received_on")
    late_reason = text(
        late_reason, what="lý do chậm", field="late_reason", max_length=1000, required=False
    )
    late = received_on > transfer.present_by
    if late and not late_reason:
        raise DeadlinePassed(
            f"Giấy giới thiệu phải nộp trước {_d(transfer.present_by)} (30 ngày làm việc kể "
            "từ ngày cấp, 294-QĐ/TW §6.3.1); nộp chậm thì cần ghi lý do chậm để xem xét.",
            field="late_reason",
        )
    fields = ["state", "received_on"]
    transfer.state = TransferState.RECEIVED
    transfer.received_on = received_on
    if late:
        lateness = f"Nộp giấy giới thiệu chậm (hạn {_d(transfer.present_by)}): {late_reason}"
        transfer.late_reason = "; ".join(p for p in (transfer.late_reason, lateness) if p)
        fields.append("late_reason")
    transfer.save(update_fields=fields)
    suffix = f". {late_reason}" if late else ""
    if transfer.kind == TransferKind.PERMANENT:
        home = row.branch
        log(
            row,
            what=Event.TRANSFER,
            on=received_on,
            by=by,
            note=f"Chuyển đi khỏi {home.name} (giấy giới thiệu số {transfer.letter_no})",
        )
        save(row, branch=destination, org_path=destination.path)
        # A mentor belongs to the member's branch: the old one stops here.
        Mentorship.objects.filter(member=row, until_on__isnull=True).update(until_on=received_on)
        log(
            row,
            what=Event.TRANSFER,
            on=received_on,
            by=by,
            note=f"{destination.name} tiếp nhận sinh hoạt đảng chính thức{suffix}",
        )
    else:
        log(
            row,
            what=Event.TRANSFER,
            on=received_on,
            by=by,
            note=f"{destination.name} tiếp nhận sinh hoạt đảng tạm thời"
            + (f" đến {_d(transfer.until_on)}" if transfer.until_on else "")
            + suffix,
        )
    return transfer


@action
def return_transfer(member: Member, *, returned_on: date, note: str = "", by: Any) -> Transfer:
    """The member comes back from a temporary stay to the home branch (294-QĐ/TW §6.3.2:
    temporary transfer "with return afterwards"); from that day they count again."""
    row = locked(member, *ACTIVE_STATUSES)
    transfer = _open_transfer(row, TransferState.RECEIVED)
    if transfer.kind != TransferKind.TEMPORARY:
        raise StageNotAllowed("Chỉ sinh hoạt đảng tạm thời mới có việc trở về.")
    start = transfer.received_on or transfer.issued_on
    if returned_on < start:
        raise NotEligible(
            f"Ngày trở về trước ngày tiếp nhận sinh hoạt tạm thời ({_d(start)}).",
            field="returned_on",
        )
    not_future(returned_on, "Ngày trở về", "returned_on")
    note = text(note, what="ghi chú", field="note", max_length=1000, required=False)
    transfer.state = TransferState.RETURNED
    transfer.returned_on = returned_on
    transfer.save(update_fields=["state", "returned_on"])
    log(
        row,
        what=Event.TRANSFER,
        on=returned_on,
        by=by,
        note=f"Trở về sinh hoạt tại {transfer.from_branch.name} sau thời gian sinh hoạt tạm "
        f"thời tại {queries.destination_name(transfer)}" + (f". {note}" if note else ""),
    )
    return transfer


@action
def cancel_transfer(member: Member, *, reason: str, by: Any, on: date | None = None) -> Transfer:
    """A transfer in flight is withdrawn before the destination receives it (the member
    stays, or the letter was wrong); the reason goes on the timeline."""
    row = locked(member, *ACTIVE_STATUSES)
    transfer = _open_transfer(row, TransferState.IN_FLIGHT)
    reason = text(reason, what="lý do hủy", field="reason", max_length=1000)
    day = on or today()
    if day < transfer.issued_on:
        raise NotEligible(
            f"Ngày hủy trước ngày cấp giấy giới thiệu ({_d(transfer.issued_on)}).", field="on"
        )
    transfer.state = TransferState.CANCELLED
    transfer.save(update_fields=["state"])
    log(
        row,
        what=Event.TRANSFER,
        on=day,
        by=by,
        note=f"Hủy giấy giới thiệu số {transfer.letter_no} đến "
        f"{queries.destination_name(transfer)}: {reason}",
    )
    return transfer


# ---- working far away -----------------------------------------------------------------


@action
def flag_far_away(member: Member, *, since: date, place: str, note: str = "", by: Any) -> Member:
    """A member goes to work far away (đi làm ăn xa): the branch flags and follows them
    (HD 01-HD/TW §10.3; seed 004). If there is no party organisation where they work,
    exemption or a temporary transfer applies (DOMAIN.md §6)."""
    row = locked(member, *ACTIVE_STATUSES)
    if row.far_away_since is not None:
        raise Conflict(f"Đảng viên đã được ghi đi làm ăn xa từ {_d(row.far_away_since)}.")
    not_future(since, "Ngày đi làm ăn xa", "since")
    place = text(place, what="nơi làm ăn xa", field="place", max_length=200)
    note = text(note, what="ghi chú", field="note", max_length=1000, required=False)
    save(row, far_away_since=since, far_away_place=place, far_away_contact_on=None)
    log(
        row,
        what=Event.FAR_AWAY,
        on=since,
        by=by,
        note=f"Đi làm ăn xa tại {place}" + (f". {note}" if note else ""),
    )
    return row


@action
def record_contact(member: Member, *, contacted_on: date, note: str = "", by: Any) -> Member:
    """The branch was in touch with a member working far away (seed 004: followed up)."""
    row = locked(member, *ACTIVE_STATUSES)
    if row.far_away_since is None:
        raise StageNotAllowed("Đảng viên không được ghi là đi làm ăn xa.")
    if contacted_on < row.far_away_since:
        raise NotEligible(
            f"Ngày liên lạc trước ngày đi làm ăn xa ({_d(row.far_away_since)}).",
            field="contacted_on",
        )
    if row.far_away_contact_on and contacted_on < row.far_away_contact_on:
        raise NotEligible(
            f"Đã ghi lần liên lạc ngày {_d(row.far_away_contact_on)}, sau ngày này.",
            field="contacted_on",
        )
    not_future(contacted_on, "Ngày liên lạc", "contacted_on")
    note = text(note, what="ghi chú", field="note", max_length=1000, required=False)
    save(row, far_away_contact_on=contacted_on)
    log(
        row,
        what=Event.FAR_AWAY,
        on=contacted_on,
        by=by,
        note="Liên lạc với đảng viên đi làm ăn xa" + (f": {note}" if note else ""),
    )
    return row


@action
def clear_far_away(member: Member, *, back_on: date, note: str = "", by: Any) -> Member:
    """The member working far away is back home: the flag is cleared (history stays on
    the timeline)."""
    row = locked(member, *ACTIVE_STATUSES)
    if row.far_away_since is None:
        raise StageNotAllowed("Đảng viên không được ghi là đi làm ăn xa.")
    if back_on < row.far_away_since:
        raise NotEligible(
            f"Ngày trở về trước ngày đi làm ăn xa ({_d(row.far_away_since)}).", field="back_on"
        )
    not_future(back_on, "Ngày trở về", "back_on")
    note = text(note, what="ghi chú", field="note", max_length=1000, required=False)
    place = row.far_away_place
    save(row, far_away_since=None, far_away_place="", far_away_contact_on=None)
    log(
        row,
        what=Event.FAR_AWAY,
        on=back_on,
        by=by,
        note=f"Trở về địa phương sau thời gian làm ăn xa tại {place}"
        + (f". {note}" if note else ""),
    )
    return row
