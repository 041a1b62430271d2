"""Demo data, part two: members of the demo chi bộ taken through the member lifecycle by
the member actions themselves (mentors and reports, recognition, removal, exit,
expulsion, death, readmission, badges, cards, exemptions, transfers both ways, members
working far away, meetings, resolution study and dues), so that every page of the
members area has something true to show.

Called by ``core.demo.build`` after the candidates; everything is dated from today.
"""

import math
from datetime import date, timedelta
from typing import TYPE_CHECKING

from dangvien.core import calendar
from dangvien.core.dates import add_months
from dangvien.members import queries as member_queries
from dangvien.members.actions import (
    add_probationary_member,
    leaving,
    meetings,
    probation,
    records,
    transfers,
)
from dangvien.members.models import (
    Assessment,
    BadgeKind,
    DuesBasis,
    DuesChannel,
    ExemptionReason,
    MeetingKind,
    Member,
    NeverReadmit,
    RemovalTrigger,
    TransferKind,
)
from dangvien.members.queries import meetings as meeting_queries
from dangvien.members.queries.records import AWARD_DAYS, BADGE_YEARS
from dangvien.organisations.models import Organisation

if TYPE_CHECKING:
    from dangvien.core.demo import Demo, Unit

REPORT_TEXTS = {
    "mentor": [
        "Chấp hành tốt chủ trương của Đảng; tích cực trong công tác đoàn thể ở thôn.",
        "Sinh hoạt đầy đủ, đóng đảng phí đúng hạn; cần mạnh dạn phát biểu hơn trong họp.",
        "Hoàn thành tốt nhiệm vụ được giao; gương mẫu trong phong trào xây dựng nông thôn mới.",
    ],
    "self": [
        "Thực hiện đúng Điều lệ Đảng, tham gia đầy đủ sinh hoạt chi bộ.",
        "Đã học xong các chuyên đề được giao; còn hạn chế về thời gian nghiên cứu nghị quyết.",
    ],
}


def _pick(rows: list[Member], taken: set[int]) -> Member:
    for row in rows:
        if row.pk not in taken:
            taken.add(row.pk)
            return row
    raise RuntimeError("demo: the demo chi bộ has too few members for the lifecycle")


def _votes_for(branch: Organisation, on: date) -> tuple[int, int]:
    """A comfortable 2/3 majority of the chi bộ's denominator on ``on``."""
    denominator = member_queries.vote_denominator(branch, on=on)
    in_favour = min(denominator, math.ceil(denominator * 2 / 3) + 2)
    return in_favour, 0


def _last_award_day(today: date) -> date:
    days = [date(year, m, d) for year in (today.year - 1, today.year) for m, d in AWARD_DAYS]
    return max(d for d in days if d <= today)


class Lifecycle:
    """One pass over the demo chi bộ; ``demo`` gives the users, numbers and people."""

    def __init__(self, demo: "Demo") -> None:
        assert demo.demo_branch is not None
        self.demo = demo
        self.today = demo.today
        self.unit: Unit = demo.demo_branch
        self.branch = demo.demo_branch.org
        self.secretary = demo.users["demo.chibo"]
        self.commune = demo.users["demo.xa"]
        self.province = demo.users["demo.tinh"]
        self.taken: set[int] = set()

    # -- helpers ---------------------------------------------------------------------

    def number(self, kind: str) -> str:
        return f"{self.demo.number(f'lc:{kind}')}-{kind}"

    def officials(self) -> list[Member]:
        on = self.today
        return list(
            member_queries.official_members(self.branch, on)
            .exclude(pk__in=member_queries.temporarily_away_ids(on))
            .order_by("official_on", "pk")
        )

    def newcomer(self, ceremony_on: date) -> Member:
        """A new probationary member whose ceremony was on ``ceremony_on``."""
        person = self.demo.person(self.unit, age=(22, 40, 28), male_share=0.55)
        person.save()
        decided_on = calendar.add_working_days(ceremony_on, -12)
        return add_probationary_member(
            person,
            branch=self.branch,
            admitted_on=decided_on,
            decision_no=self.number("QĐ/ĐU"),
            ceremony_on=ceremony_on,
            by=self.commune,
        )

    def working_day(self, day: date) -> date:
        while not calendar.is_working_day(day):
            day -= timedelta(days=1)
        return day

    def follow(self, member: Member, mentor: Member, *, months: int, skip_last: bool) -> None:
        """Mentor from the ceremony, monthly reports from both sides up to last month."""
        start = member.probation_started_on
        assert start is not None
        probation.assign_mentor(member, mentor=mentor, from_on=start, by=self.secretary)
        rng = self.demo.rng
        for i in range(months):
            period = add_months(date(start.year, start.month, 1), i)
            end = add_months(period, 1) - timedelta(days=1)
            if end >= self.today:
                break
            filed = min(end, self.today)
            if not (skip_last and i == months - 1):
                probation.file_mentor_report(
                    member,
                    period=period,
                    text=rng.choice(REPORT_TEXTS["mentor"]),
                    assessment=rng.choice([Assessment.GOOD, Assessment.GOOD, Assessment.FAIR]),
                    filed_on=filed,
                    by=self.secretary,
                )
            probation.file_self_review(
                member,
                period=period,
                text=rng.choice(REPORT_TEXTS["self"]),
                assessment=Assessment.GOOD,
                filed_on=filed,
                by=self.secretary,
            )

    # -- the scenarios ---------------------------------------------------------------

    def run(self) -> None:
        officials = self.officials()
        mentor = _pick(officials, self.taken)
        self.probation(mentor)
        self.leaving(officials)
        self.records(officials)
        self.transfers(officials)
        self.meetings(officials)

    def probation(self, mentor: Member) -> None:
        today = self.today
        # Four months in: reports on time but the mentor's last one is missing (overdue).
        young = self.newcomer(self.working_day(add_months(today, -4)))
        self.follow(young, mentor, months=4, skip_last=True)
        # The 12 months ended a week ago: course done, the chi bộ has yet to vote.
        due = self.newcomer(self.working_day(add_months(today, -12) - timedelta(days=7)))
        self.follow(due, mentor, months=12, skip_last=False)
        self.course(due)
        # Ended six weeks ago: the chi bộ voted, the committee's decision is pending.
        voted = self.newcomer(self.working_day(add_months(today, -12) - timedelta(days=42)))
        self.follow(voted, mentor, months=12, skip_last=False)
        self.course(voted)
        self.vote(voted, self.working_day(today - timedelta(days=20)))
        # Ended three months ago: voted late and recognised, official from the 12 months.
        done = self.newcomer(self.working_day(add_months(today, -15)))
        self.follow(done, mentor, months=12, skip_last=False)
        self.course(done)
        vote_day = self.working_day(add_months(today, -2))
        self.vote(done, vote_day)
        probation.decide_recognition(
            done,
            recognised=True,
            decision_no=self.number("QĐ/ĐU"),
            decided_on=self.working_day(vote_day + timedelta(days=14)),
            by=self.commune,
        )
        # Not recognised: two chi bộ votes short of 2/3, then the committee says no.
        failed = self.newcomer(self.working_day(add_months(today, -14)))
        self.follow(failed, mentor, months=12, skip_last=False)
        self.course(failed)
        denominator = member_queries.vote_denominator(self.branch, on=today)
        first = self.working_day(add_months(today, -1))
        probation.record_recognition_vote(
            failed,
            held_on=first,
            in_favour=denominator // 2,
            against=denominator - denominator // 2,
            resolution_no=self.number("NQ/CB"),
            by=self.secretary,
        )
        probation.decide_recognition(
            failed,
            recognised=False,
            decision_no=self.number("QĐ/ĐU"),
            decided_on=self.working_day(first + timedelta(days=10)),
            note="Vi phạm quy định về sinh hoạt đảng trong thời gian dự bị.",
            by=self.commune,
        )

    def course(self, member: Member) -> None:
        start = member.probation_started_on
        assert start is not None
        probation.record_new_member_course(
            member,
            certificate_no=self.number("CN-LLCT"),
            issued_on=self.working_day(add_months(start, 5)),
            by=self.secretary,
        )

    def vote(self, member: Member, held_on: date) -> None:
        in_favour, against = _votes_for(self.branch, held_on)
        probation.record_recognition_vote(
            member,
            held_on=held_on,
            in_favour=in_favour,
            against=against,
            resolution_no=self.number("NQ/CB"),
            by=self.secretary,
        )

    def leaving(self, officials: list[Member]) -> None:
        today = self.today
        # A removal on its way: asked for a self-review, reviewed, the chi bộ proposes.
        slipping = _pick(officials, self.taken)
        asked = self.working_day(today - timedelta(days=40))
        leaving.request_self_review(
            slipping,
            requested_on=asked,
            trigger=RemovalTrigger.LOST_COMMITMENT,
            reason="Giảm sút ý chí, không tham gia công việc của chi bộ sau 12 tháng giáo dục.",
            by=self.secretary,
        )
        leaving.record_self_review(
            slipping, reviewed_on=asked + timedelta(days=7), by=self.secretary
        )
        held_on = self.working_day(today - timedelta(days=10))
        in_favour, against = _votes_for(self.branch, held_on)
        leaving.propose_removal(
            slipping,
            held_on=held_on,
            in_favour=in_favour,
            against=against,
            resolution_no=self.number("NQ/CB"),
            trigger=RemovalTrigger.LOST_COMMITMENT,
            reason="Không tiến bộ sau 12 tháng chi bộ giúp đỡ, giáo dục.",
            educated_since=add_months(held_on, -14),
            by=self.secretary,
        )
        # Left four years ago by removal; readmitted last year (probation again, a gap).
        returning = _pick(officials, self.taken)
        self.removed(returning, add_months(today, -50))
        applied = self.working_day(add_months(today, -10))
        ceremony = self.working_day(add_months(today, -7))
        records.readmit(
            returning,
            applied_on=applied,
            consent_no=self.number("CV/TU"),
            consent_on=self.working_day(applied + timedelta(days=45)),
            decision_no=self.number("QĐ/ĐU"),
            decided_on=self.working_day(ceremony - timedelta(days=14)),
            ceremony_on=ceremony,
            note="Đã khắc phục khuyết điểm, được nhân dân nơi cư trú tín nhiệm.",
            by=self.province,
        )
        # Removed last year, still within no readmission wait.
        self.removed(_pick(officials, self.taken), add_months(today, -10))
        # Voluntary exit: on the never-readmit list.
        quitting = _pick(officials, self.taken)
        leaving.request_exit(
            quitting,
            requested_on=self.working_day(add_months(today, -3)),
            reason="Xin ra khỏi Đảng vì lý do cá nhân.",
            by=self.secretary,
        )
        leaving.record_exit(
            quitting,
            decision_no=self.number("QĐ/ĐU"),
            decided_on=self.working_day(add_months(today, -2)),
            by=self.commune,
        )
        # Expelled (a disciplinary decision, never turned into removal).
        leaving.record_expulsion(
            _pick(officials, self.taken),
            decision_no=self.number("QĐ-UBKT"),
            decided_on=self.working_day(add_months(today, -5)),
            body="Ủy ban Kiểm tra Đảng ủy xã",
            reason="Vi phạm nghiêm trọng quy định về quản lý đất đai.",
            never_readmit=NeverReadmit.CORRUPTION,
            by=self.commune,
        )
        # Deceased: the oldest official.
        eldest = min(
            (m for m in officials if m.pk not in self.taken), key=lambda m: m.person.birth_date
        )
        self.taken.add(eldest.pk)
        leaving.record_death(
            eldest,
            died_on=self.working_day(add_months(today, -1)),
            note="Từ trần do bệnh nặng; chi bộ và gia đình tổ chức lễ tang.",
            by=self.secretary,
        )

    def removed(self, member: Member, when: date) -> None:
        asked = self.working_day(add_months(when, -1))
        leaving.request_self_review(
            member,
            requested_on=asked,
            trigger=RemovalTrigger.LOST_COMMITMENT,
            reason="Không tham gia sinh hoạt, không tiến bộ sau thời gian giáo dục.",
            by=self.secretary,
        )
        leaving.record_self_review(member, reviewed_on=asked + timedelta(days=5), by=self.secretary)
        held_on = self.working_day(asked + timedelta(days=14))
        in_favour, against = _votes_for(self.branch, held_on)
        leaving.propose_removal(
            member,
            held_on=held_on,
            in_favour=in_favour,
            against=against,
            resolution_no=self.number("NQ/CB"),
            trigger=RemovalTrigger.LOST_COMMITMENT,
            reason="Không tiến bộ sau 12 tháng chi bộ giúp đỡ, giáo dục.",
            educated_since=add_months(held_on, -13),
            by=self.secretary,
        )
        leaving.decide_removal(
            member,
            removed=True,
            decision_no=self.number("QĐ/ĐU"),
            decided_on=self.working_day(when),
            by=self.commune,
        )

    def records(self, officials: list[Member]) -> None:
        today = self.today
        last = _last_award_day(today)
        awarded = 0
        for member in officials:
            if member.pk in self.taken or awarded >= 4:
                continue
            age = member.party_age_years(on=last)
            steps = [y for y in BADGE_YEARS if age is not None and y <= age]
            if not steps:
                continue
            records.award_badge(
                member,
                years=steps[-1],
                kind=BadgeKind.REGULAR,
                awarded_on=last,
                decision_no=self.number("QĐ/TU"),
                by=self.province,
            )
            awarded += 1
        for member in officials[-6:]:
            if member.pk in self.taken:
                continue
            records.issue_card(
                member,
                card_number=f"{self.demo.number('lc:card'):03d}.{member.pk:06d}",
                issued_on=self.working_day(today - timedelta(days=30)),
                by=self.commune,
            )

    def transfers(self, officials: list[Member]) -> None:
        today = self.today
        others = [u.org for u in self.demo.units if u.top == self.unit.top and u is not self.unit]
        far = [u.org for u in self.demo.units if u.top != self.unit.top]
        # Permanent move out, letter issued 40 working days ago: not presented yet (late).
        leaving_for = _pick(officials, self.taken)
        issued = calendar.add_working_days(today, -40)
        transfers.start_transfer(
            leaving_for,
            kind=TransferKind.PERMANENT,
            to_organisation=far[0],
            letter_no=self.number("GGT/ĐU"),
            issued_on=issued,
            cause_on=issued - timedelta(days=20),
            by=self.commune,
        )
        # Temporary stay elsewhere for work, received there.
        away = _pick(officials, self.taken)
        issued = self.working_day(add_months(today, -2))
        transfers.start_transfer(
            away,
            kind=TransferKind.TEMPORARY,
            to_organisation=others[0],
            letter_no=self.number("GGT/ĐU"),
            issued_on=issued,
            until_on=add_months(issued, 8),
            by=self.secretary,
        )
        transfers.receive_transfer(
            away, received_on=self.working_day(issued + timedelta(days=5)), by=self.secretary
        )
        # Coming in: a member of another chi bộ of the commune moving here permanently.
        incoming = member_queries.official_members(others[-1], today).order_by("pk").first()
        if incoming is not None:
            issued = calendar.add_working_days(today, -6)
            transfers.start_transfer(
                incoming,
                kind=TransferKind.PERMANENT,
                to_organisation=self.branch,
                letter_no=self.number("GGT/ĐU"),
                issued_on=issued,
                cause_on=issued - timedelta(days=10),
                by=self.commune,
            )
        # Exempted for ill health.
        transfers.exempt(
            _pick(officials, self.taken),
            reason=ExemptionReason.ILL_HEALTH,
            from_on=self.working_day(add_months(today, -3)),
            note="Điều trị bệnh dài ngày tại nhà.",
            by=self.secretary,
        )
        # Working far away (seed: Nam Viêm follows its members đi làm ăn xa).
        places = [
            ("Khu công nghiệp Bắc Thăng Long, Hà Nội", 1),
            ("Thành phố Thủ Dầu Một, Bình Dương", 5),
            ("Tỉnh Đồng Nai", 2),
        ]
        for place, months_since_contact in places:
            member = _pick(officials, self.taken)
            since = self.working_day(add_months(today, -8))
            transfers.flag_far_away(
                member,
                since=since,
                place=place,
                note="Đi làm công nhân, liên lạc qua điện thoại và gia đình.",
                by=self.secretary,
            )
            transfers.record_contact(
                member,
                contacted_on=add_months(today, -months_since_contact),
                note="Chi ủy gọi điện hỏi thăm, nhắc đóng đảng phí.",
                by=self.secretary,
            )

    def meetings(self, officials: list[Member]) -> None:
        """Six months of regular meetings and dues, a resolution-study session; one member
        misses three meetings and three months of dues without reason (on the secretary's
        list of members to consider for removal), another pays late."""
        today, rng = self.today, self.demo.rng
        drifting = _pick(officials, self.taken)
        month_one = date(today.year, today.month, 1)
        members = list(meeting_queries.expected_members(self.branch, today))
        for member in members:
            years = (today - member.person.birth_date).days / 365.25
            basis, amount = (
                (DuesBasis.OTHER_RETIRED_AGE, 0)
                if years >= 60
                else (DuesBasis.INSURED_SALARY, rng.choice([5_850_000, 7_020_000, 8_190_000]))
                if rng.random() < 0.3
                else (DuesBasis.OTHER_WORKING_AGE, 0)
            )
            start = member.probation_started_on or today
            meetings.set_dues_basis(
                member,
                from_month=max(add_months(month_one, -6), date(start.year, start.month, 1)),
                basis=basis,
                base_amount=amount,
                by=self.secretary,
            )
        for back in range(6, 0, -1):
            month = add_months(month_one, -back)
            held_on = self.working_day(month + timedelta(days=4))
            rows = []
            for member in meeting_queries.expected_members(self.branch, held_on):
                if member.away:  # type: ignore[attr-defined]
                    rows.append((member, False, True, "Sinh hoạt tạm thời nơi khác"))
                elif member.pk == drifting.pk and back <= 3:
                    rows.append((member, False, False, ""))
                elif member.exempted or rng.random() < 0.06:  # type: ignore[attr-defined]
                    rows.append((member, False, True, "Ốm, có báo cáo chi ủy"))
                else:
                    rows.append((member, True, False, ""))
            meetings.record_meeting(
                self.branch,
                kind=MeetingKind.REGULAR,
                held_on=held_on,
                topic=f"Sinh hoạt chi bộ thường kỳ tháng {month.month}/{month.year}",
                attendance=rows,
                by=self.secretary,
            )
            payers: list[tuple[Member, int, date | None, str, bool, str]] = []
            for line in meeting_queries.dues_grid(self.branch, month).lines:
                member = line.member
                if line.amount_due is None:
                    continue
                if line.amount_due == 0 or (member.pk == drifting.pk and back <= 3):
                    payers.append((member, 0, None, "", False, ""))
                else:
                    channel = DuesChannel.PORTAL if rng.random() < 0.4 else DuesChannel.CASH
                    payers.append((member, line.amount_due, held_on, channel, False, ""))
            meetings.record_dues(self.branch, month=month, payments=payers, by=self.secretary)
        study_on = self.working_day(add_months(month_one, -1) + timedelta(days=15))
        rows = [
            (m, not m.away and rng.random() < 0.93, bool(m.away), "")  # type: ignore[attr-defined]
            for m in meeting_queries.expected_members(self.branch, study_on)
        ]
        meetings.record_meeting(
            self.branch,
            kind=MeetingKind.STUDY,
            held_on=study_on,
            topic="Học tập, quán triệt Nghị quyết Đại hội XIV của Đảng",
            attendance=rows,
            by=self.secretary,
        )


def build_lifecycle(demo: "Demo") -> None:
    Lifecycle(demo).run()
