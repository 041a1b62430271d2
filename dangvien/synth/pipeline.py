"""Candidates in every stage of the admission pipeline, with the history the pipeline
actions would have left (``candidates.actions``): one ``StageChange`` per move dated by
its step, the listing row first; the branch's and the grassroots committee's votes; the
introducers and the background check; the decision deadline of 60 working days after the
branch resolution and the ceremony deadline of 30 working days after the decision, from the
same rule parameters and working calendar (294-QĐ/TW §4.1, QĐ 29 §4.3.1).

Members admitted in the last two years have the candidacy that led to their ceremony;
older members were recorded directly (imported), as the statistics expect
(``stats.queries.facts``: an admission is a decided candidate, or a member without one).
"""

import json
from functools import cache
from typing import TYPE_CHECKING

from dangvien.candidates.models import BackgroundOutcome, Stage, Union
from dangvien.core.votes import Body
from dangvien.synth import vocab
from dangvien.synth.copyio import text
from dangvien.synth.persons import year_of
from dangvien.synth.vocab import Pick

if TYPE_CHECKING:
    from dangvien.synth.members import Member
    from dangvien.synth.nation import Generator
    from dangvien.synth.persons import PersonMaker
    from dangvien.synth.tree import Node, Province

N = "\\N"
# Plain strings for the hot loops (each ``Stage.X`` is an enum lookup, and choices' members
# are str subclasses, slower to use).
S_CANDIDATE = str(Stage.CANDIDATE.value)
S_COURSE = str(Stage.IN_AWARENESS_COURSE.value)
S_CERTIFIED = str(Stage.CERTIFIED.value)
S_DOSSIER_OPEN = str(Stage.DOSSIER_OPEN.value)
S_CHECKED = str(Stage.BACKGROUND_CHECKED.value)
S_PROPOSED = str(Stage.BRANCH_PROPOSED.value)
S_ENDORSED = str(Stage.GRASSROOTS_ENDORSED.value)
S_ADMITTED = str(Stage.ADMITTED.value)
S_REJECTED = str(Stage.REJECTED.value)
S_MEMBER = str(Stage.MEMBER.value)
S_WITHDRAWN = str(Stage.WITHDRAWN.value)
B_BRANCH, B_GRASSROOTS = str(Body.BRANCH.value), str(Body.GRASSROOTS.value)
CLEAR = str(BackgroundOutcome.CLEAR.value)
FULL_PATH: list[str] = [
    S_COURSE,
    S_CERTIFIED,
    S_DOSSIER_OPEN,
    S_CHECKED,
    S_PROPOSED,
    S_ENDORSED,
    S_ADMITTED,
    S_MEMBER,
]
WITHDRAW_FROM = [
    S_CANDIDATE,
    S_CANDIDATE,
    S_COURSE,
    S_CERTIFIED,
    S_DOSSIER_OPEN,
    S_CHECKED,
    S_PROPOSED,
]
EXTENSION_REASON = "Cần xác minh thêm lý lịch của người thân ở địa phương khác"


class CandidateMaker:
    def __init__(self, nation: "Generator", persons: "PersonMaker") -> None:
        self.n = nation
        self.rng = nation.rng
        self.t = nation.timeline
        self.persons = persons
        self.tables = nation.tables
        self.pool = Pick(vocab.POOL_STAGES)
        self.seen: set[str] = set()  # stages written in the current province

    def count(self, expected: float) -> int:
        whole = int(expected)
        return whole + (self.rng.random() < expected - whole)

    def for_unit(self, unit: "Node", province: "Province", admitted: list["Member"]) -> None:
        rng = self.rng
        for member in admitted:
            self.write(member.moved_from or unit, province, S_MEMBER, member=member)
        for _ in range(self.count(unit.size * vocab.POOL_SHARE)):
            self.write(unit, province, self.pool(rng.random))
        for _ in range(self.count(unit.size * vocab.WITHDRAWN_SHARE)):
            self.write(unit, province, S_WITHDRAWN)
        for _ in range(self.count(unit.size * vocab.REJECTED_SHARE)):
            self.write(unit, province, S_REJECTED)

    def complete(self, province: "Province") -> None:
        """Every stage at least once in each province (where its tree allows it)."""
        endorsed = [u for u in province.units if u.endorser is not None]
        for stage in [*vocab.POOL_STAGES, S_WITHDRAWN, S_REJECTED]:
            if stage in self.seen:
                continue
            units = endorsed if stage == S_ENDORSED else province.units
            if units:
                self.write(units[0], province, stage)
        self.seen.clear()

    def write(
        self, unit: "Node", province: "Province", final: str, *, member: "Member | None" = None
    ) -> None:
        rng, t, tables = self.rng, self.t, self.tables
        random = rng.random
        iso, stamp, stamp_at = t.iso, t.stamp, t.stamp_at
        if final == S_ENDORSED and unit.endorser is None:
            final = S_PROPOSED
        self.seen.add(final)
        withdraw_from = rng.choice(WITHDRAW_FROM) if final == S_WITHDRAWN else ""
        course = random() >= 0.1 or S_COURSE in (final, withdraw_from)
        steps = moves(
            final, endorsed=unit.endorser is not None, course=course, withdraw_from=withdraw_from
        )
        # Dates, from the last step back to the listing.
        dates: dict[str, int] = {}
        if member is not None:
            dates[S_MEMBER] = member.ceremony
            dates[S_ADMITTED] = member.decided
            day = member.decided
            backwards = steps[:-2]
        else:
            low, high = vocab.POOL_AGO[final]
            day = t.today_n - rng.randint(low, high)
            dates[steps[-1] if steps else S_CANDIDATE] = day
            backwards = steps[:-1]
        later = steps[len(backwards)] if steps else S_CANDIDATE
        for stage in reversed(backwards):
            day -= rng.randint(*vocab.STEP_GAPS[later])
            dates[stage] = day
            later = stage
        if steps and steps[0] == S_CERTIFIED:
            listed = day - rng.randint(*vocab.NO_COURSE_GAP)
        elif steps:
            listed = day - rng.randint(*vocab.STEP_GAPS[later])
        else:
            listed = day
        if member is not None:
            person_id, sort_key = member.person.id, member.person.sort_key
            young = member.person.years < 31
        else:
            person = self.persons.make(unit, province, age=(18.5, 45.0, 24.0), candidate=True)
            person_id, sort_key, young = person.id, person.sort_key, person.youth
        cid = self.n.new_id("candidate")
        scid = str(cid)
        changes = tables["stage_change"]
        changes.add((
            scid, S_CANDIDATE, S_CANDIDATE, iso(listed), N, stamp_at(listed, 8),
            "Đưa vào danh sách quần chúng ưu tú",
        ))  # fmt: skip
        officials = unit.officials
        helper = str(rng.choice(officials)) if officials and random() < 0.8 else N
        fields = dict.fromkeys(CANDIDATE_DATES, N)
        texts = dict.fromkeys(CANDIDATE_TEXTS, "")
        extended = "f"
        previous: str = S_CANDIDATE
        decision_due = None
        for stage in steps:
            on = dates.get(stage, listed)
            note = ""
            if stage == S_COURSE:
                texts["course_name"] = (
                    f"Lớp bồi dưỡng nhận thức về Đảng khóa {rng.randint(1, 9)} năm {year_of(on)}"
                )
                fields["course_started_on"] = iso(on)
                note = texts["course_name"]
            elif stage == S_CERTIFIED:
                texts["certificate_no"] = f"{rng.randint(1, 9999)}-CN/TTCT"
                fields["certificate_issued_on"] = iso(on)
                note = f"Giấy chứng nhận số {texts['certificate_no']}"
            elif stage == S_DOSSIER_OPEN:
                fields["application_on"] = iso(on - rng.randint(1, 10))
                fields["declaration_on"] = iso(on)
                note = "Đơn xin vào Đảng và lý lịch"
                self._introducers(scid, unit, listed, young)
            elif stage == S_CHECKED:
                tables["background_check"].add((scid, iso(on), CLEAR, "", N, stamp(on)))
            elif stage == S_PROPOSED:
                size = max(unit.size, 3)
                in_favour, resolution = self._vote(scid, B_BRANCH, unit, on, size, "vote.branch")
                days = t.rule("deadline.decision_working_days", on)
                decision_due = t.add_working_days(on, days)
                note = f"Nghị quyết chi bộ {resolution}: {in_favour}/{size} tán thành"
            elif stage == S_ENDORSED:
                endorser = unit.endorser
                assert endorser is not None and endorser.committee_size
                size = endorser.committee_size
                in_favour, resolution = self._vote(
                    scid, B_GRASSROOTS, endorser, on, size, "vote.grassroots"
                )
                note = f"Nghị quyết đảng ủy {resolution}: {in_favour}/{size} tán thành"
            elif stage in (S_ADMITTED, S_REJECTED):
                number = member.decision_no if member else f"{rng.randint(1, 999)}-QĐ/ĐU"
                texts["decision_no"] = number
                fields["decided_on"] = iso(on)
                if stage == S_ADMITTED:
                    days = t.rule("deadline.ceremony_working_days", on)
                    fields["ceremony_due_on"] = iso(t.add_working_days(on, days))
                    note = f"Quyết định kết nạp số {number}."
                else:
                    note = f"Quyết định không kết nạp số {number}."
            elif stage == S_MEMBER:
                fields["ceremony_on"] = iso(on)
                note = f"Lễ kết nạp ngày {t.vn(on)}"
            elif stage == S_WITHDRAWN:
                note = rng.choice(vocab.WITHDRAW_REASONS)
            changes.add((scid, previous, stage, iso(on), N, stamp_at(on, 10), text(note)))
            previous = stage
        if decision_due is not None and final in (S_PROPOSED, S_ENDORSED):
            last = dates[final]
            if t.today_n - last > 50 and random() < 0.3:  # extended once (QĐ 29 §4.3.1)
                days = t.rule("deadline.decision_extension_working_days", t.today_n)
                decision_due = t.add_working_days(decision_due, days)
                extended = "t"
                texts["decision_extension_reason"] = EXTENSION_REASON
                on = min(t.today_n, last + 40)
                changes.add((
                    scid, final, final, iso(on), N, stamp_at(on, 11),
                    f"Gia hạn quyết định đến {t.vn(decision_due)}: {EXTENSION_REASON}",
                ))  # fmt: skip
        if decision_due is not None:
            fields["decision_due_on"] = iso(decision_due)
        if self.n.plan.notice_id is not None:  # consent when the dossier opens (NĐ 13/2023)
            tables["consent"].add((
                str(person_id), str(self.n.plan.notice_id), iso(listed), "paper", unit.path, N,
                stamp_at(listed, 8), N, "", N,
            ))  # fmt: skip
        tables["candidate"].add((
            scid, str(person_id), str(unit.id), unit.path, final, iso(listed), helper,
            texts["course_name"], fields["course_started_on"], texts["certificate_no"],
            fields["certificate_issued_on"], fields["application_on"], fields["declaration_on"],
            "", "", N, fields["decision_due_on"], extended, texts["decision_extension_reason"],
            texts["decision_no"], fields["decided_on"], "", fields["ceremony_due_on"],
            fields["ceremony_on"], "", str(member.id) if member else N, stamp_at(listed, 8),
            sort_key,
        ))  # fmt: skip

    def _vote(
        self, scid: str, body: str, organisation: "Node", on: int, size: int, rule_key: str
    ) -> tuple[int, str]:
        """A passed vote with its count: at least the rule's ratio of ``size``."""
        rng, t = self.rng, self.t
        numerator, denominator, kind = t.rule(rule_key, on)
        needed = -(-size * numerator // denominator)
        if kind == "more_than" and needed * denominator == size * numerator:
            needed += 1
        in_favour = rng.randint(min(needed, size), size)
        resolution = f"{rng.randint(1, 99)}-NQ/{'CB' if body == B_BRANCH else 'ĐU'}"
        self.tables["vote"].add((
            scid, body, str(organisation.id), t.iso(on), str(in_favour), str(size - in_favour),
            str(size), _rule_text(numerator, denominator, kind), "t", resolution, N,
            t.stamp_at(on, 10),
        ))  # fmt: skip
        return in_favour, resolution

    def _introducers(self, scid: str, unit: "Node", listed: int, young: bool) -> None:
        """Two official members, or the Youth Union plus one member (Điều lệ Điều 4)."""
        rng, t = self.rng, self.t
        table = self.tables["introducer"]
        known = t.iso(listed - rng.randint(365, 3 * 365))
        officials = unit.officials
        picked = rng.sample(officials, 2) if len(officials) >= 2 else list(officials)
        if young and picked and rng.random() < 0.5:
            picked = picked[:1]
        for member_id in picked:
            table.add((scid, str(member_id), "", "", known, "t", N, t.stamp(listed)))
        if len(picked) < 2:
            resolution = f"{rng.randint(1, 99)}-NQ/ĐTN"
            table.add((scid, N, Union.YOUTH_UNION, resolution, known, "t", N, t.stamp(listed)))


@cache
def moves(final: str, *, endorsed: bool, course: bool, withdraw_from: str) -> tuple[str, ...]:
    """The moves from the listing to ``final``, as ``NEXT_STAGES`` allows them, in a chi bộ
    whose grassroots committee endorses (``endorsed``) or not: a few dozen paths in all,
    so each is worked out once."""
    path = [s for s in FULL_PATH if (course or s != S_COURSE) and (endorsed or s != S_ENDORSED)]
    if final == S_WITHDRAWN:
        if withdraw_from == S_CANDIDATE:
            return (S_WITHDRAWN,)
        return (*path[: path.index(withdraw_from) + 1], S_WITHDRAWN)
    if final == S_REJECTED:
        last = S_ENDORSED if endorsed else S_PROPOSED
        return (*path[: path.index(last) + 1], S_REJECTED)
    if final == S_CANDIDATE:
        return ()
    return tuple(path[: path.index(final) + 1])


@cache
def _rule_text(numerator: int, denominator: int, kind: str) -> str:
    """A vote's rule as its JSON column holds it (a handful of distinct rules)."""
    return json.dumps([numerator, denominator, kind])


CANDIDATE_DATES = [
    "course_started_on",
    "certificate_issued_on",
    "application_on",
    "declaration_on",
    "decision_due_on",
    "decided_on",
    "ceremony_due_on",
    "ceremony_on",
]
CANDIDATE_TEXTS = ["course_name", "certificate_no", "decision_extension_reason", "decision_no"]
CANDIDATE_COLUMNS = [
    "id",
    "person_id",
    "branch_id",
    "org_path",
    "stage",
    "listed_on",
    "helper_id",
    "course_name",
    "course_started_on",
    "certificate_no",
    "certificate_issued_on",
    "application_on",
    "declaration_on",
    "education_exception",
    "over_age_decision_no",
    "over_age_decided_on",
    "decision_due_on",
    "decision_extended",
    "decision_extension_reason",
    "decision_no",
    "decided_on",
    "decision_late_reason",
    "ceremony_due_on",
    "ceremony_on",
    "ceremony_late_approval_no",
    "member_id",
    "created_at",
    "sort_key",
]
CONSENT_COLUMNS = [
    "person_id",
    "notice_id",
    "given_on",
    "method",
    "org_path",
    "recorded_by_id",
    "recorded_at",
    "withdrawn_on",
    "withdrawal_note",
    "withdrawal_recorded_by_id",
]
STAGE_CHANGE_COLUMNS = ["candidate_id", "from_stage", "to_stage", "on", "by_id", "at", "note"]
VOTE_COLUMNS = [
    "candidate_id",
    "body",
    "organisation_id",
    "held_on",
    "in_favour",
    "against",
    "denominator",
    "rule",
    "passed",
    "resolution_no",
    "by_id",
    "at",
]
INTRODUCER_COLUMNS = [
    "candidate_id",
    "member_id",
    "union",
    "resolution_no",
    "known_since",
    "active",
    "by_id",
    "at",
]
BACKGROUND_CHECK_COLUMNS = ["candidate_id", "completed_on", "outcome", "note", "by_id", "at"]
