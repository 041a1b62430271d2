"""Members: the member record with ten years of history (admissions, recognitions,
moves, exemptions, readmissions, departures), mentors, and the yearly review results.

Dates follow the Charter: probation of 12 months from the ceremony
(``Member.probation_ends_on``), the recognition vote due 30 working days after it
(``members.actions.base.recognition_vote_due``), party age from the first admission
decision.
"""

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from dangvien.members.models import (
    Event,
    ExemptionReason,
    ProceedingKind,
    RemovalTrigger,
    Status,
    Step,
    TransferKind,
    TransferState,
)
from dangvien.organisations.models import Kind
from dangvien.reviews.models import Rating
from dangvien.reviews.models import Stage as ReviewStage
from dangvien.synth import vocab
from dangvien.synth.copyio import text
from dangvien.synth.persons import DAYS_A_YEAR, N, Person, PersonMaker
from dangvien.synth.vocab import SLOTS, Pick

if TYPE_CHECKING:
    from dangvien.synth.nation import Generator
    from dangvien.synth.tree import Node, Province

FAR_PLACES = ["Thành phố Hồ Chí Minh", "Tỉnh Đồng Nai", "Hàn Quốc", "Nhật Bản"]
# Plain strings for the hot loops (choices' members are str subclasses, slower to use).
E_EXEMPTION = str(Event.EXEMPTION.value)
E_FAR_AWAY = str(Event.FAR_AWAY.value)
E_STATUS = str(Event.STATUS.value)
E_TRANSFER = str(Event.TRANSFER.value)
S_DECEASED = str(Status.DECEASED.value)
S_EXITED = str(Status.EXITED.value)
S_OFFICIAL = str(Status.OFFICIAL.value)
S_PROBATIONARY = str(Status.PROBATIONARY.value)
S_REMOVED = str(Status.REMOVED.value)
K_PROVINCE = str(Kind.PROVINCE.value)
PUBLISHED = str(ReviewStage.PUBLISHED.value)
FAILED = str(Rating.FAILED.value)
# A review's scores, 0.0 to 100.0, as text: scores are drawn in tenths.
SCORE_TEXT = [f"{tenths // 10}.{tenths % 10}" for tenths in range(1001)]
SELF_BONUS = (0, 0, 10, 20)  # a self-assessment's score above the branch's, in tenths


@dataclass(frozen=True, slots=True)
class Rated:
    """What a member review takes from its rating (``vocab.SCORES``), partly as text."""

    low: int  # lowest score, in tenths
    high: int
    beyond: int  # lowest beyond-requirement %
    beyond_span: int  # how many values it takes
    rating: str
    rated: str  # the columns from the self rating to the on-time %
    proposed: str  # the columns from the proposed rating to the branch's comment

    @classmethod
    def of(cls, rating: Rating) -> "Rated":
        low, high, on_time, beyond = vocab.SCORES[rating]
        comment = "Không hoàn thành nhiệm vụ được giao" if rating == FAILED else ""
        value = str(rating.value)
        return cls(
            low * 10,
            high * 10,
            beyond[0],
            beyond[1] - beyond[0] + 1,
            value,
            f"\t{value}\t{on_time}\t",
            f"\t{value}\tf\t{comment}",
        )


@dataclass(slots=True)
class Member:
    """What the candidacy and review steps need to know of a member just written."""

    id: int
    person: Person
    unit: "Node"
    status: str
    decided: int
    ceremony: int
    official: int | None
    left: int | None = None
    exempt_from: int | None = None
    moved_on: int | None = None  # received in this unit on that day, from ``moved_from``
    moved_from: "Node | None" = None
    gap: tuple[int, int] | None = None  # outside the Party between these days
    decision_no: str = ""


class MemberMaker:
    """Writes members with their timeline, departures and yearly reviews."""

    def __init__(self, nation: "Generator", persons: PersonMaker) -> None:
        self.n = nation
        self.rng = nation.rng
        self.t = nation.timeline
        self.persons = persons
        self.tables = nation.tables
        # The slots of Pick(vocab.MEMBER_RATINGS), each rating as a Rated: the same draws.
        self.member_ratings = Pick(
            {Rated.of(rating): weight for rating, weight in vocab.MEMBER_RATINGS.items()}
        ).slots
        self.org_ratings = Pick(vocab.ORG_RATINGS)
        self.window_n = self.t.today_n - int(nation.years * DAYS_A_YEAR)
        self._unit_year: dict[tuple[int, int], tuple[str, str, str, str, str]] = {}
        self._decisions: dict[tuple[int, int], tuple[int, str, int]] = {}
        self.year_ends = {y: date(y, 12, 31).toordinal() for y in nation.review_years}

    # -- dates ---------------------------------------------------------------------------

    def _recent_dates(self, unit: "Node", ceremony: int) -> tuple[int, int]:
        """Decision date and birth date of someone whose ceremony was on ``ceremony``."""
        rng = self.rng
        decided = ceremony - rng.randint(3, 30)
        high = vocab.SETTING_AGES[unit.setting][1]
        age = rng.triangular(18.5, min(45.0, high - 1.0), min(26.0, high - 2.0))
        return decided, decided - int(age * DAYS_A_YEAR) - rng.randrange(200)

    def _decision_no(self, unit: "Node") -> str:
        decider = unit.decider
        symbol = "TU" if decider is not None and decider.kind == K_PROVINCE else "ĐU"
        return f"{self.rng.randint(1, 999)}-QĐ/{symbol}"

    # -- members -------------------------------------------------------------------------

    def active(self, unit: "Node", province: "Province") -> Member:
        """One active member of ``unit``: probationary (admitted in the last 12 months),
        admitted during the window, or admitted before it."""
        rng, t = self.rng, self.t
        random = rng.random
        today = t.today_n
        years = self.n.years
        r = random()
        exempt_from = None
        if r < vocab.PROBATIONARY_SHARE:
            ceremony = today - rng.randint(5, 360)
            decided, birth = self._recent_dates(unit, ceremony)
            person = self.persons.make(unit, province, birth=birth)
            status, official = S_PROBATIONARY, None
        elif r < vocab.PROBATIONARY_SHARE + vocab.YEARLY_ADMISSION * (years - 1):
            ceremony = today - rng.randint(366, int(years * DAYS_A_YEAR))
            decided, birth = self._recent_dates(unit, ceremony)
            person = self.persons.make(unit, province, birth=birth)
            status, official = S_OFFICIAL, t.a_year_after(ceremony)
        else:
            person = self.persons.make(unit, province)
            latest = max(person.years - years - 1.2, 18.3)
            at = rng.triangular(18.2, min(45.0, latest) + 0.01, min(24.0, latest))
            decided = person.birth + int(at * DAYS_A_YEAR)
            ceremony = decided + rng.randint(5, 35)
            official = t.a_year_after(ceremony)
            if official > today:  # too young for this cohort: admitted within the window
                ceremony = today - rng.randint(366, 700)
                decided = ceremony - rng.randint(3, 30)
                official = t.a_year_after(ceremony)
            status = S_OFFICIAL
            if person.years >= 72 and random() < vocab.EXEMPT_OLD:
                since = person.birth + int(rng.uniform(70, person.years) * DAYS_A_YEAR)
                exempt_from = min(since, today)
        member = Member(
            self.n.new_id("member"), person, unit, status, decided, ceremony, official,
            exempt_from=exempt_from,
        )  # fmt: skip
        self._write(member, province)
        return member

    def departed(self, unit: "Node", province: "Province", status: str) -> Member:
        """A member who died, was removed, left or was expelled during the window."""
        rng, t = self.rng, self.t
        age = vocab.SETTING_AGES[unit.setting]
        if status == S_DECEASED:
            age = (max(age[0], 45), 92, max(age[2], 75))
        person = self.persons.make(unit, province, age=age)
        latest = max(person.years - 2.5, 18.5)
        at = rng.triangular(18.2, min(45.0, latest) + 0.01, min(24.0, latest))
        decided = person.birth + int(at * DAYS_A_YEAR)
        ceremony = decided + rng.randint(5, 35)
        official = t.a_year_after(ceremony)
        left = rng.randint(max(self.window_n, official + 30), t.today_n - 3)
        member = Member(
            self.n.new_id("member"), person, unit, status, decided, ceremony, official, left=left
        )
        self._write(member, province)
        return member

    def _write(self, m: Member, province: "Province") -> None:
        rng, t, tables = self.rng, self.t, self.tables
        random = rng.random
        iso, stamp = t.iso, t.stamp
        unit = m.unit
        status_rows = tables["status_change"]
        first_admitted = m.decided
        readmitted = None
        # History before the member's current record: admitted before the window, one row
        # with the status they had when the record was first kept; in the window, the
        # ceremony and the recognition.
        if m.official is not None and m.official < self.window_n:
            status_rows.add((
                str(m.id), E_STATUS, "", S_OFFICIAL, iso(m.official), N,
                stamp(m.official), "Đảng viên chính thức (số liệu đầu kỳ)",
            ))  # fmt: skip
        else:
            status_rows.add((
                str(m.id), E_STATUS, "", S_PROBATIONARY, iso(m.ceremony), N,
                stamp(m.ceremony), "Lễ kết nạp",
            ))  # fmt: skip
            if m.official is not None:
                status_rows.add((
                    str(m.id), E_STATUS, S_PROBATIONARY, S_OFFICIAL,
                    iso(m.official), N, stamp(m.official), "Công nhận đảng viên chính thức",
                ))  # fmt: skip
        active = m.left is None
        if (
            active
            and m.official is not None
            and m.official < self.window_n
            and m.exempt_from is None
            and random() < vocab.READMITTED
        ):
            self._readmit(m)
            if m.gap is not None:
                readmitted = m.gap[1]  # first_admitted_on keeps the first decision
        if m.exempt_from is not None:
            tables["exemption"].add((
                str(m.id), ExemptionReason.OLD_AGE, iso(m.exempt_from), N, "", N,
                stamp(m.exempt_from),
            ))  # fmt: skip
            status_rows.add((
                str(m.id), E_EXEMPTION, S_OFFICIAL, S_OFFICIAL, iso(m.exempt_from),
                N, stamp(m.exempt_from), "Miễn công tác và sinh hoạt đảng (tuổi cao)",
            ))  # fmt: skip
        if m.official is not None and random() < vocab.TRANSFERRED:
            self._moved_in(m, province)
        far_since = far_place = far_contact = N
        if active and m.official is not None and m.exempt_from is None and m.person.years < 55:
            if random() < vocab.AWAY:
                self._away(m)
            elif random() < vocab.FAR_AWAY:
                since = t.today_n - rng.randint(60, 900)
                far_since, far_place = iso(since), rng.choice(FAR_PLACES)
                far_contact = iso(min(t.today_n, since + rng.randint(20, 400)))
                status_rows.add((
                    str(m.id), E_FAR_AWAY, m.status, m.status, iso(since), N, stamp(since),
                    f"Đi làm ăn xa: {far_place}",
                ))  # fmt: skip
        if m.left is not None:
            self._leave(m)
        probationary = m.status == S_PROBATIONARY
        recognition_due = N
        course_no = course_on = N
        if probationary:
            ends = t.a_year_after(m.ceremony)
            days = t.rule("deadline.recognition_vote_working_days", ends)
            recognition_due = iso(t.add_working_days(ends, days))
        if m.ceremony >= self.window_n:
            course_day = m.ceremony + rng.randint(20, 150)
            if course_day <= t.today_n and random() < 0.85:
                course_no, course_on = f"{rng.randint(1, 9999)}-CN/TTCT", iso(course_day)
        admitted_on = iso(readmitted) if readmitted is not None else iso(m.decided)
        card = card_on = N
        if m.official is not None:
            card = f"{province.id_code}{m.id:09d}"
            issued = m.official + rng.randint(60, 400)
            card_on = iso(issued) if issued <= (m.left or t.today_n) else N
            if card_on == N:
                card = ""
        else:
            card = ""
        ceremony = m.gap[1] + 20 if m.gap else m.ceremony
        m.decision_no = self._decision_no(unit)
        tables["member"].add((
            str(m.id),
            str(m.person.id),
            str(unit.id),
            unit.path,
            m.person.search_text,
            m.person.sort_key,
            m.status,
            admitted_on,
            m.decision_no,
            iso(first_admitted),
            iso(readmitted) if readmitted is not None else N,
            iso(ceremony),
            iso(m.official) if m.official is not None else N,
            recognition_due,
            course_no if course_no != N else "",
            course_on,
            iso(m.left) if m.left is not None else N,
            "asked_to_leave" if m.status == S_EXITED else "",
            card,
            card_on,
            far_since,
            far_place if far_place != N else "",
            far_contact,
        ))  # fmt: skip
        for year in self.n.review_years:
            self._review(m, year, province)

    def mentors(self, unit: "Node", active: list[Member]) -> None:
        """Each probationary member is helped by an official member of the chi bộ from the
        ceremony on (294-QĐ/TW §4.1: the chi bộ assigns one at the ceremony)."""
        officials = unit.officials
        if not officials:
            return
        table, t = self.tables["mentorship"], self.t
        for m in active:
            if m.status == S_PROBATIONARY:
                mentor = officials[int(self.rng.random() * len(officials))]
                table.add((str(m.id), str(mentor), t.iso(m.ceremony), N, N, t.stamp(m.ceremony)))

    def _readmit(self, m: Member) -> None:
        """Removed early in the window and readmitted later (294-QĐ/TW §3.5): the gap is
        outside party life (DOMAIN.md §8)."""
        rng, t = self.rng, self.t
        left = self.window_n + rng.randint(0, 3 * 365)
        decided = left + rng.randint(365, 4 * 365)
        ceremony = decided + 20
        official = t.a_year_after(ceremony)
        if official >= t.today_n:
            return
        rows = self.tables["status_change"]
        rows.add((
            str(m.id), E_STATUS, S_OFFICIAL, S_REMOVED, t.iso(left), N,
            t.stamp(left), "Xóa tên trong danh sách đảng viên",
        ))  # fmt: skip
        rows.add((
            str(m.id), E_STATUS, S_REMOVED, S_PROBATIONARY, t.iso(ceremony), N,
            t.stamp(ceremony), "Kết nạp lại: lễ kết nạp",
        ))  # fmt: skip
        rows.add((
            str(m.id), E_STATUS, S_PROBATIONARY, S_OFFICIAL, t.iso(official), N,
            t.stamp(official), "Công nhận đảng viên chính thức",
        ))  # fmt: skip
        self.tables["gap"].add((
            str(m.id), t.iso(left), t.iso(decided),
            "Thời gian ra khỏi Đảng trước khi được kết nạp lại", t.stamp(decided),
        ))  # fmt: skip
        m.gap = (left, decided)
        m.official = official

    def _moved_in(self, m: Member, province: "Province") -> None:
        """Transferred in from another chi bộ of the province (chuyển sinh hoạt đảng chính
        thức, 294-QĐ/TW §6.3), received within the deadline."""
        rng, t = self.rng, self.t
        assert m.official is not None
        start = max(self.window_n, m.official + 30)
        end = (m.left or t.today_n) - 40
        if start >= end:
            return
        units = province.units
        source = units[rng.randrange(len(units))]
        if source is m.unit:
            return
        issued = rng.randint(start, end)
        received = issued + rng.randint(3, 25)
        letter = f"{rng.randint(1, 999)}-GGT/ĐU"
        self.tables["transfer"].add((
            str(m.id), TransferKind.PERMANENT, TransferState.RECEIVED, str(source.id),
            str(m.unit.id), m.unit.path, "", "f", t.iso(issued - rng.randint(1, 20)), letter,
            t.iso(issued), t.iso(issued + 30), N, t.iso(received), N, "", N, t.stamp(received),
        ))  # fmt: skip
        self.tables["status_change"].add((
            str(m.id), E_TRANSFER, S_OFFICIAL, S_OFFICIAL, t.iso(received), N,
            t.stamp(received),
            text(f"Chuyển sinh hoạt đảng chính thức từ {source.name} đến {m.unit.name}"),
        ))  # fmt: skip
        m.moved_on, m.moved_from = received, source

    def _away(self, m: Member) -> None:
        """Working away on a temporary transfer (chuyển sinh hoạt tạm thời), as the demo."""
        rng, t = self.rng, self.t
        since = t.today_n - rng.randint(20, 700)
        self.tables["transfer"].add((
            str(m.id), TransferKind.TEMPORARY, TransferState.RECEIVED, str(m.unit.id), N, "",
            "Chi bộ nơi làm việc tạm thời", "f", N, f"{rng.randint(100, 999)}-GGT/ĐU",
            t.iso(since), t.iso(since), t.iso(t.a_year_after(since)), t.iso(since), N, "", N,
            t.stamp(since),
        ))  # fmt: skip
        self.tables["status_change"].add((
            str(m.id), E_TRANSFER, m.status, m.status, t.iso(since), N, t.stamp(since),
            "Chuyển sinh hoạt đảng tạm thời",
        ))  # fmt: skip

    def _leave(self, m: Member) -> None:
        rng, t = self.rng, self.t
        assert m.left is not None
        self.tables["status_change"].add((
            str(m.id), E_STATUS, S_OFFICIAL, m.status, t.iso(m.left), N,
            t.stamp(m.left), vocab.LEFT_NOTES[m.status],
        ))  # fmt: skip
        if m.status in (S_REMOVED, S_EXITED):
            removal = m.status == S_REMOVED
            opened = m.left - rng.randint(30, 90)
            trigger = (
                rng.choice([RemovalTrigger.MISSED_MEETINGS, RemovalTrigger.UNPAID_DUES])
                if removal
                else ""
            )
            reason = (
                "Bỏ sinh hoạt đảng nhiều tháng không có lý do chính đáng"
                if removal
                else "Đảng viên có đơn xin ra khỏi Đảng vì hoàn cảnh gia đình"
            )
            self.tables["proceeding"].add((
                str(m.id), ProceedingKind.REMOVAL if removal else ProceedingKind.EXIT,
                Step.DECIDED, t.iso(opened), trigger, reason, N if removal else t.iso(opened),
                "0", N, N, "f", "", f"{rng.randint(1, 999)}-QĐ/ĐU", t.iso(m.left), "t", "",
                t.iso(m.left + 30), N, t.stamp(m.left),
            ))  # fmt: skip

    # -- reviews -------------------------------------------------------------------------

    def _unit_year_fields(
        self, unit: "Node", year: int, province: "Province"
    ) -> tuple[str, str, str, str, str]:
        """What every review of ``unit``'s members in ``year`` shares: dates, the chi bộ's
        resolution and count, the decision (366-QĐ/TW: reviewed in December, decided and
        published by the committee); as the runs of columns ``_review`` puts together."""
        key = (unit.id, year)
        fields = self._unit_year.get(key)
        if fields is None:
            rng, t = self.rng, self.t
            december = date(year, 12, 1).toordinal()
            decider = unit.grassroots or unit.decider
            assert decider is not None
            decision = self._decisions.get((decider.id, year))
            if decision is None:
                decided = december + rng.randint(17, 27)
                decision = (decided, f"{rng.randint(1, 999)}-QĐ/ĐU", decided + rng.randint(2, 12))
                self._decisions[(decider.id, year)] = decision
            decided, decision_no, published = decision
            denominator = max(unit.size, 3)
            self_on = t.iso(december + rng.randint(0, 7))
            branch_on = t.iso(december + rng.randint(9, 14))
            resolution = f"{rng.randint(10, 99)}-BB/CB"
            in_favour = denominator - rng.randint(0, denominator // 6)
            period = self.n.periods[(province.index, year)]
            fields = self._unit_year[key] = (
                f"{period}\t",  # then the member
                f"\t{unit.id}\t{unit.path}\t{PUBLISHED}\t{{}}\t",  # then the self score
                f"\t\t{self_on}\t",  # then the branch's score
                f"\t{branch_on}\t{resolution}\t{in_favour}\t{denominator}\t",
                f"\t{decider.id}\t{decision_no}\t{t.iso(decided)}\t\t{t.iso(published)}"
                f"\t{N}\t{t.stamp(published)}",
            )
        return fields

    def _review(self, m: Member, year: int, province: "Province") -> None:
        """The member's published rating for ``year``: members in probation by the end of
        September and not exempted are rated (366-QĐ/TW; exempted members get no row)."""
        end = self.year_ends[year]
        if m.ceremony > end - 92 or (m.left is not None and m.left <= end):
            return
        if m.exempt_from is not None and m.exempt_from <= end:
            return
        if m.gap is not None and m.gap[0] <= end and m.gap[1] + 400 >= end:
            return
        unit = m.moved_from if m.moved_on is not None and m.moved_on > end else m.unit
        assert unit is not None
        # About two rows per member: the row is one f-string of the member's values and
        # the runs of columns its rating and its unit's year share (MEMBER_REVIEW_COLUMNS),
        # and the draws are written out: ``a + int(random() * span)`` is ``rng.randint``
        # (vocab.Draw), ``seq[int(random() * len(seq))]`` its ``choice``.
        random = self.rng.random
        rated: Rated = self.member_ratings[int(random() * SLOTS)]
        score = rated.low + int(random() * (rated.high - rated.low + 1))
        self_score = min(score + SELF_BONUS[int(random() * 4)], rated.high)
        period, unit_part, self_on, branch, decision = self._unit_year.get(
            (unit.id, year)
        ) or self._unit_year_fields(unit, year, province)
        beyond = rated.beyond + int(random() * rated.beyond_span)
        self.tables["member_review"].add_joined(
            f"{period}{m.id}{unit_part}{SCORE_TEXT[self_score]}{rated.rated}{beyond}"
            f"{self_on}{SCORE_TEXT[score]}{rated.proposed}{branch}{rated.rating}{decision}"
        )

    def organisation_reviews(self, province: "Province") -> None:
        """Chi bộ and grassroots organisations rated each review year (366-QĐ/TW)."""
        rng, t = self.rng, self.t
        table = self.tables["org_review"]
        rated = [*province.units, *province.grassroots_committees]
        for year in self.n.review_years:
            december = date(year, 12, 1).toordinal()
            period = str(self.n.periods[(province.index, year)])
            for org in rated:
                decider = org.rating_decider
                if decider is None:
                    continue
                rating = self.org_ratings(rng.random)
                low, high, on_time, beyond = vocab.SCORES[rating]
                decided = december + rng.randint(18, 28)
                table.add((
                    period, str(org.id), org.path, ReviewStage.PUBLISHED,
                    f"{rng.randint(low, high)}.{rng.randint(0, 9)}", rating, str(on_time),
                    str(rng.randint(*beyond)), "t" if rating != Rating.FAILED else "f", "f", "",
                    t.iso(december + rng.randint(0, 10)), rating, str(decider.id),
                    f"{rng.randint(1, 999)}-QĐ/ĐU", t.iso(decided), "",
                    t.iso(decided + rng.randint(2, 10)), N, t.stamp(decided),
                ))  # fmt: skip


MEMBER_COLUMNS = [
    "id",
    "person_id",
    "branch_id",
    "org_path",
    "search_text",
    "sort_key",
    "status",
    "admitted_on",
    "admission_decision_no",
    "first_admitted_on",
    "readmitted_on",
    "probation_started_on",
    "official_on",
    "recognition_vote_due_on",
    "new_member_course_no",
    "new_member_course_on",
    "left_on",
    "never_readmit",
    "card_number",
    "card_issued_on",
    "far_away_since",
    "far_away_place",
    "far_away_contact_on",
]
MENTORSHIP_COLUMNS = ["member_id", "mentor_id", "from_on", "until_on", "by_id", "at"]
STATUS_CHANGE_COLUMNS = [
    "member_id",
    "what",
    "from_status",
    "to_status",
    "on",
    "by_id",
    "at",
    "note",
]
EXEMPTION_COLUMNS = ["member_id", "reason", "from_on", "until_on", "note", "by_id", "at"]
GAP_COLUMNS = ["member_id", "from_on", "until_on", "reason", "at"]
TRANSFER_COLUMNS = [
    "member_id",
    "kind",
    "state",
    "from_branch_id",
    "to_organisation_id",
    "to_path",
    "to_name",
    "for_study",
    "cause_on",
    "letter_no",
    "issued_on",
    "present_by",
    "until_on",
    "received_on",
    "returned_on",
    "late_reason",
    "by_id",
    "at",
]
PROCEEDING_COLUMNS = [
    "member_id",
    "kind",
    "step",
    "opened_on",
    "trigger",
    "reason",
    "requested_on",
    "self_review_requests",
    "self_reviewed_on",
    "decision_due_on",
    "extended",
    "extension_reason",
    "decision_no",
    "decided_on",
    "outcome",
    "late_reason",
    "complaint_until",
    "by_id",
    "at",
]
MEMBER_REVIEW_COLUMNS = [
    "period_id",
    "member_id",
    "branch_id",
    "org_path",
    "stage",
    "self_scores",
    "self_score",
    "self_rating",
    "on_time_percent",
    "beyond_percent",
    "self_comment",
    "self_assessed_on",
    "branch_score",
    "proposed_rating",
    "degraded",
    "branch_comment",
    "branch_reviewed_on",
    "branch_resolution_no",
    "branch_in_favour",
    "branch_denominator",
    "decided_rating",
    "decider_id",
    "decision_no",
    "decided_on",
    "decision_note",
    "published_on",
    "by_id",
    "at",
]
ORG_REVIEW_COLUMNS = [
    "period_id",
    "organisation_id",
    "org_path",
    "stage",
    "self_score",
    "self_rating",
    "on_time_percent",
    "beyond_percent",
    "shortcomings_fixed",
    "disciplined",
    "self_comment",
    "self_assessed_on",
    "decided_rating",
    "decider_id",
    "decision_no",
    "decided_on",
    "decision_note",
    "published_on",
    "by_id",
    "at",
]
