"""Writes of the records area: readmission and the never-readmit list (294-QĐ/TW §3.5),
Party badges (HD 01-HD/TW 2021 §18) and membership cards (29/24-QĐ/TW §6.1; Chỉ thị
51-CT/TW). Each public action is one transaction on a locked member row and leaves a
timeline row."""

import re
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction

from dangvien.core.actions import action
from dangvien.core.dates import add_months
from dangvien.core.errors import Conflict, NotEligible, StageNotAllowed
from dangvien.core.rules import rule
from dangvien.members.actions.base import (
    locked,
    log,
    not_future,
    recognition_vote_due,
    save,
    set_status,
    text,
    today,
    user_of,
)
from dangvien.members.models import (
    LEFT_STATUSES,
    Badge,
    BadgeKind,
    Event,
    Gap,
    Member,
    NeverReadmit,
    Status,
)
from dangvien.members.queries.records import (
    BADGE_YEARS,
    READMISSION_GAP,
    gap_days,
    is_award_day,
    lower_first,
    next_award_day,
    party_age_months,
    readmission_barrier,
)

CARD_NUMBER = re.compile(r"[0-9A-Za-z./-]+")


def _order(earlier: date, later: date, message: str, field: str) -> None:
    if later < earlier:
        raise NotEligible(message, field=field)


# ---- readmission ---------------------------------------------------------------------


@action
def readmit(
    member: Member,
    *,
    applied_on: date,
    consent_no: str,
    consent_on: date,
    decision_no: str,
    decided_on: date,
    ceremony_on: date,
    by: Any,
    conviction_cleared_on: date | None = None,
    note: str = "",
) -> Member:
    """Kết nạp lại (294-QĐ/TW §3.5.1): a member who was removed, left or was expelled
    applies at least ``readmission.wait_months`` (36) after leaving, or
    ``readmission.wait_after_conviction_months`` (60) after a criminal record for a minor
    offence is cleared; the provincial standing committee consents in writing; the
    competent committee decides; the chi bộ holds the ceremony. Once only; never for the
    cases of §3.5.2 (the never-readmit list).

    The member is probationary again from the ceremony (probation as for a first
    admission); party age keeps counting from the first admission decision, minus the
    time outside the party, which is recorded as a Gap (DOMAIN.md §8).
    """
    row = locked(member, *LEFT_STATUSES)
    barrier = readmission_barrier(row)
    if barrier:
        raise NotEligible(barrier)
    if row.left_on is None:
        raise NotEligible(
            "Hồ sơ chưa có ngày ra khỏi Đảng: cần ngày đó để tính thời gian chờ kết nạp lại."
        )
    consent_no = text(
        consent_no, what="số văn bản đồng ý của cấp tỉnh", field="consent_no", max_length=50
    )
    decision_no = text(
        decision_no, what="số quyết định kết nạp lại", field="decision_no", max_length=50
    )
    note = text(note, what="ghi chú", field="note", required=False)
    for day, what, field in (
        (applied_on, "Ngày làm đơn", "applied_on"),
        (consent_on, "Ngày văn bản đồng ý", "consent_on"),
        (decided_on, "Ngày quyết định kết nạp lại", "decided_on"),
        (ceremony_on, "Ngày lễ kết nạp lại", "ceremony_on"),
    ):
        not_future(day, what, field)
    _order(row.left_on, applied_on, "Ngày làm đơn trước ngày ra khỏi Đảng.", "applied_on")
    _order(applied_on, consent_on, "Văn bản đồng ý của cấp tỉnh trước ngày làm đơn.", "consent_on")
    _order(
        consent_on,
        decided_on,
        "Cấp ủy chỉ quyết định sau khi Ban Thường vụ cấp tỉnh đồng ý bằng văn bản "
        "(294-QĐ/TW §3.5.1).",
        "decided_on",
    )
    _order(decided_on, ceremony_on, "Lễ kết nạp trước ngày quyết định.", "ceremony_on")

    wait = rule("readmission.wait_months", on=applied_on, organisation=row.branch)
    earliest = add_months(row.left_on, wait)
    if applied_on < earliest:
        raise NotEligible(
            f"Chưa đủ {wait} tháng kể từ ngày ra khỏi Đảng ({row.left_on:%d/%m/%Y}): "
            f"chỉ được làm đơn xin kết nạp lại từ ngày {earliest:%d/%m/%Y} "
            "(294-QĐ/TW §3.5.1).",
            field="applied_on",
        )
    if conviction_cleared_on is not None:
        not_future(conviction_cleared_on, "Ngày được xóa án tích", "conviction_cleared_on")
        wait = rule(
            "readmission.wait_after_conviction_months", on=applied_on, organisation=row.branch
        )
        earliest = add_months(conviction_cleared_on, wait)
        if applied_on < earliest:
            raise NotEligible(
                f"Chưa đủ {wait} tháng kể từ ngày được xóa án tích "
                f"({conviction_cleared_on:%d/%m/%Y}): chỉ được làm đơn xin kết nạp lại từ "
                f"ngày {earliest:%d/%m/%Y} (294-QĐ/TW §3.5.1).",
                field="applied_on",
            )

    log(
        row,
        what=Event.OTHER,
        on=consent_on,
        by=by,
        note=f"Ban Thường vụ cấp tỉnh đồng ý kết nạp lại, văn bản số {consent_no} "
        f"(đơn ngày {applied_on:%d/%m/%Y})"
        + (
            f"; được xóa án tích ngày {conviction_cleared_on:%d/%m/%Y}"
            if conviction_cleared_on
            else ""
        ),
    )
    Gap.objects.create(member=row, from_on=row.left_on, until_on=decided_on, reason=READMISSION_GAP)
    if row.card_number:
        log(
            row,
            what=Event.CARD,
            on=decided_on,
            by=by,
            note=f"Thẻ đảng viên số {row.card_number} không còn giá trị khi kết nạp lại; "
            "cấp thẻ mới khi được công nhận chính thức.",
        )
    return set_status(
        row,
        to=Status.PROBATIONARY,
        on=ceremony_on,
        by=by,
        note=f"Kết nạp lại: quyết định số {decision_no} ngày {decided_on:%d/%m/%Y}; "
        f"lễ kết nạp ngày {ceremony_on:%d/%m/%Y}" + (f". {note}" if note else ""),
        first_admitted_on=row.first_admitted_on or row.admitted_on,
        admitted_on=decided_on,
        admission_decision_no=decision_no,
        readmitted_on=decided_on,
        probation_started_on=ceremony_on,
        official_on=None,
        recognition_vote_due_on=recognition_vote_due(ceremony_on, row.branch),
        left_on=None,
        card_number="",
        card_issued_on=None,
    )


@action
def mark_never_readmit(member: Member, *, reason: str, by: Any, note: str = "") -> Member:
    """Record that a member who left may never be readmitted, and why (294-QĐ/TW §3.5.2):
    left party meetings of their own accord; asked to leave (unless the family's
    circumstances were extremely hard: then do not mark); caused serious disunity;
    convicted of corruption; convicted of a serious or worse crime."""
    row = locked(member, *LEFT_STATUSES)
    if reason not in NeverReadmit.values:
        raise NotEligible("Chọn một lý do trong danh sách (294-QĐ/TW §3.5.2).", field="reason")
    if row.never_readmit:
        raise Conflict(
            "Đảng viên đã có trong danh sách không kết nạp lại: "
            f"{lower_first(row.get_never_readmit_display())}."
        )
    if reason == NeverReadmit.ASKED_TO_LEAVE and row.status != Status.EXITED:
        raise NotEligible(
            "Lý do “xin ra khỏi Đảng” chỉ dùng cho người đã được cho ra khỏi Đảng theo đơn.",
            field="reason",
        )
    note = text(note, what="ghi chú", field="note", required=False)
    save(row, never_readmit=reason)
    log(
        row,
        what=Event.OTHER,
        on=today(),
        by=by,
        note=f"Không xem xét kết nạp lại: {lower_first(NeverReadmit(reason).label)} "
        "(294-QĐ/TW §3.5.2)" + (f". {note}" if note else ""),
    )
    return row


# ---- badges --------------------------------------------------------------------------


def badge_window(kind: str, years: int, *, on: date, organisation: Any) -> int:
    """How many months early a badge of ``kind`` may be given (HD 01-HD/TW 2021 §18;
    24/294-QĐ/TW): none on time; a gravely ill member up to ``badge.early_ill_months``
    (12) for 30–65 years and ``badge.early_ill_long_months`` (24) from
    ``badge.early_ill_long_from_years`` (70); posthumously up to
    ``badge.posthumous_early_months`` (12)."""
    if kind == BadgeKind.EARLY_ILL:
        long_from = rule("badge.early_ill_long_from_years", on=on, organisation=organisation)
        key = "badge.early_ill_long_months" if years >= long_from else "badge.early_ill_months"
        return int(rule(key, on=on, organisation=organisation))
    if kind == BadgeKind.POSTHUMOUS:
        return int(rule("badge.posthumous_early_months", on=on, organisation=organisation))
    return 0


def _age_text(months: int) -> str:
    years, rest = divmod(months, 12)
    return f"{years} năm {rest} tháng" if rest else f"{years} năm"


@action
def award_badge(
    member: Member,
    *,
    years: int,
    kind: str,
    awarded_on: date,
    decision_no: str,
    by: Any,
    occasion: str = "",
) -> Badge:
    """Tặng Huy hiệu Đảng (HD 01-HD/TW 2021 §18; 24/294-QĐ/TW): at 30, 40, 45, 50 … 90
    years of party age (from the first admission decision, minus gaps: DOMAIN.md §8),
    awarded on 3/2, 19/5, 2/9 or 7/11 (another major anniversary is a special case of the
    provincial standing committee: name it in ``occasion``). A gravely ill member may
    receive it early within ``badge_window``; a member who died, posthumously, counting
    the party age at death. One badge per step."""
    row = locked(member, Status.OFFICIAL, Status.DECEASED)
    if years not in BADGE_YEARS:
        raise NotEligible(
            "Huy hiệu Đảng chỉ có các mốc "
            + ", ".join(str(y) for y in BADGE_YEARS)
            + " năm tuổi đảng (HD 01-HD/TW 2021 §18).",
            field="years",
        )
    if kind not in BadgeKind.values:
        raise NotEligible("Chọn hình thức trao tặng trong danh sách.", field="kind")
    if kind == BadgeKind.POSTHUMOUS and row.status != Status.DECEASED:
        raise StageNotAllowed("Chỉ truy tặng cho đảng viên đã từ trần.", field="kind")
    if kind != BadgeKind.POSTHUMOUS and row.status == Status.DECEASED:
        raise StageNotAllowed("Đảng viên đã từ trần: chọn hình thức “truy tặng”.", field="kind")
    if row.official_on is None:
        raise NotEligible(
            "Tuổi đảng chỉ tính khi đã là đảng viên chính thức (Điều lệ Đảng Điều 5)."
        )
    decision_no = text(decision_no, what="số quyết định", field="decision_no", max_length=50)
    occasion = text(
        occasion, what="dịp trao tặng", field="occasion", required=False, max_length=150
    )
    if not is_award_day(awarded_on) and not occasion:
        raise NotEligible(
            "Huy hiệu Đảng được trao vào dịp 3/2, 19/5, 2/9 hoặc 7/11; ngày khác cần ghi "
            "dịp kỷ niệm do Ban Thường vụ cấp tỉnh quyết định (HD 01-HD/TW 2021 §18).",
            field="awarded_on",
        )
    upcoming = next_award_day(today())
    if awarded_on > upcoming:
        raise NotEligible(
            f"Chỉ ghi quyết định trao tặng đến dịp gần nhất ({upcoming:%d/%m/%Y}).",
            field="awarded_on",
        )
    if kind == BadgeKind.POSTHUMOUS and row.left_on and awarded_on < row.left_on:
        raise NotEligible("Ngày truy tặng trước ngày từ trần.", field="awarded_on")
    held = Badge.objects.filter(member=row, years=years).first()
    if held is not None:
        raise Conflict(
            f"Đảng viên đã được tặng Huy hiệu {years} năm tuổi Đảng (quyết định số "
            f"{held.decision_no}, ngày {held.awarded_on:%d/%m/%Y}).",
            field="years",
        )
    age = party_age_months(row, awarded_on, gap_days(row)) or 0
    window = badge_window(kind, years, on=awarded_on, organisation=row.branch)
    if age < years * 12 - window:
        counted = (
            f"đến ngày từ trần ({row.left_on:%d/%m/%Y})"
            if kind == BadgeKind.POSTHUMOUS and row.left_on
            else f"đến ngày {awarded_on:%d/%m/%Y}"
        )
        early = (
            f", kể cả {window} tháng được {lower_first(BadgeKind(kind).label)}" if window else ""
        )
        raise NotEligible(
            f"Tuổi đảng {counted} là {_age_text(age)}, chưa đủ để tặng Huy hiệu {years} năm "
            f"tuổi Đảng{early} (HD 01-HD/TW 2021 §18).",
            field="years",
        )
    try:
        with transaction.atomic():
            badge = Badge.objects.create(
                member=row,
                years=years,
                kind=kind,
                awarded_on=awarded_on,
                decision_no=decision_no,
                by=user_of(by),
            )
    except IntegrityError as exc:  # the same badge recorded at the same moment
        raise Conflict(
            f"Đảng viên đã được tặng Huy hiệu {years} năm tuổi Đảng.", field="years"
        ) from exc
    log(
        row,
        what=Event.BADGE,
        on=awarded_on,
        by=by,
        note=f"{'Truy tặng' if kind == BadgeKind.POSTHUMOUS else 'Tặng'} Huy hiệu {years} năm "
        f"tuổi Đảng ({lower_first(BadgeKind(kind).label)}), quyết định số {decision_no}"
        + (f"; dịp {occasion}" if occasion else ""),
    )
    return badge


@action
def reissue_badge(member: Member, *, years: int, reissued_on: date, reason: str, by: Any) -> Badge:
    """Cấp lại Huy hiệu Đảng: a member who lost a badge for a good reason may have it
    reissued (HD 01-HD/TW 2021 §18)."""
    row = locked(member, Status.OFFICIAL)
    badge = Badge.objects.select_for_update().filter(member=row, years=years).first()
    if badge is None:
        raise NotEligible(
            f"Đảng viên chưa được tặng Huy hiệu {years} năm tuổi Đảng.", field="years"
        )
    if badge.returned_on is not None:
        raise StageNotAllowed(
            f"Huy hiệu đã nộp lại ngày {badge.returned_on:%d/%m/%Y}.", field="years"
        )
    reason = text(reason, what="lý do cấp lại", field="reason")
    not_future(reissued_on, "Ngày cấp lại", "reissued_on")
    _order(badge.awarded_on, reissued_on, "Ngày cấp lại trước ngày trao huy hiệu.", "reissued_on")
    badge.reissued_on = reissued_on
    badge.save(update_fields=["reissued_on"])
    log(
        row,
        what=Event.BADGE,
        on=reissued_on,
        by=by,
        note=f"Cấp lại Huy hiệu {years} năm tuổi Đảng: {reason}",
    )
    return badge


# ---- membership card -----------------------------------------------------------------


@action
def issue_card(member: Member, *, card_number: str, issued_on: date, by: Any) -> Member:
    """Cấp thẻ đảng viên: official members only, issued by the directly superior committee
    of the grassroots organisation (29/24-QĐ/TW §6.1; new cards from 8/2025 under Chỉ thị
    51-CT/TW). The card number is kept apart from the citizen ID (DOMAIN.md §8) and may not
    repeat another member's."""
    row = locked(member, Status.OFFICIAL)
    card_number = "".join((card_number or "").split())
    card_number = text(card_number, what="số thẻ đảng viên", field="card_number", max_length=20)
    if not CARD_NUMBER.fullmatch(card_number):
        raise NotEligible(
            "Số thẻ đảng viên chỉ gồm chữ số, chữ cái và dấu . / -.", field="card_number"
        )
    if card_number == row.person.citizen_id:
        raise NotEligible(
            "Số thẻ đảng viên trùng số căn cước công dân: hai số được quản lý riêng, hãy "
            "nhập số in trên thẻ đảng viên.",
            field="card_number",
        )
    if card_number == row.card_number:
        raise Conflict(f"Đảng viên đã được cấp thẻ số {card_number}.", field="card_number")
    if Member.objects.filter(card_number=card_number).exclude(pk=row.pk).exists():
        raise Conflict(f"Số thẻ {card_number} đã cấp cho một đảng viên khác.", field="card_number")
    not_future(issued_on, "Ngày cấp thẻ", "issued_on")
    if row.official_on and issued_on < row.official_on:
        raise NotEligible(
            f"Thẻ chỉ cấp cho đảng viên chính thức: ngày cấp trước ngày chính thức "
            f"({row.official_on:%d/%m/%Y}) (29/24-QĐ/TW §6.1).",
            field="issued_on",
        )
    old = row.card_number
    try:
        with transaction.atomic():
            save(row, card_number=card_number, card_issued_on=issued_on)
    except IntegrityError as exc:  # the same number given to someone else at that moment
        raise Conflict(
            f"Số thẻ {card_number} đã cấp cho một đảng viên khác.", field="card_number"
        ) from exc
    log(
        row,
        what=Event.CARD,
        on=issued_on,
        by=by,
        note=f"Cấp thẻ đảng viên số {card_number}" + (f" (thay thẻ số {old})" if old else ""),
    )
    return row
