"""The admission pipeline, rule by rule (DOMAIN.md §2–§3; STYLE.md: every rule and refusal).

Each refusal is checked twice: the error carries a Vietnamese message, and nothing was
written (no history row, vote, introducer or background check; the stage unchanged).
"Today" is frozen on Monday 23/11/2026 so boundary days stay boundary days.
"""

import importlib
import re
import threading
from contextlib import contextmanager
from datetime import date
from unittest.mock import patch

import pytest
from django.db import connection, connections
from django.forms.models import model_to_dict

from dangvien.candidates import actions
from dangvien.candidates.models import (
    ACTIVE,
    FINISHED,
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
from dangvien.core.audit import maintenance
from dangvien.core.errors import (
    Conflict,
    DeadlinePassed,
    DomainError,
    NotEligible,
    StageNotAllowed,
    VoteFailed,
    VoteInvalid,
)
from dangvien.core.models import AuditEvent, CalendarDay, RuleParameter
from dangvien.factories import (
    MemberFactory,
    in_own_thread,
    make_candidate,
    make_member,
    make_person,
    make_user,
    org,
    tree_2025,
)
from dangvien.members.models import Member, Status, StatusChange
from dangvien.organisations.models import Kind, ParentRule
from dangvien.people.models import Education, Person

TODAY = date(2026, 11, 23)  # Monday
VOTE_DAY = date(2026, 10, 15)  # Thursday
VIETNAMESE = re.compile(
    r"[ăâđêôơưàáạảãầấậẩẫằắặẳẵèéẹẻẽềếệểễìíịỉĩòóọỏõồốộổỗờớợởỡùúụủũừứựửữỳýỵỷỹ]", re.I
)


@pytest.fixture(autouse=True)
def frozen_today():
    with patch("dangvien.candidates.actions._today", return_value=TODAY):
        yield


@pytest.fixture
def user(db):
    return make_user()


# ---- helpers ---------------------------------------------------------------------------


def state(candidate):
    """Everything a refused action must leave as it was."""
    row = Candidate.objects.get(pk=candidate.pk)
    return {
        "candidate": model_to_dict(row),
        "changes": StageChange.objects.filter(candidate=row).count(),
        "votes": Vote.objects.filter(candidate=row).count(),
        "introducers": list(Introducer.objects.filter(candidate=row).values_list("pk", "active")),
        "checks": BackgroundCheck.objects.filter(candidate=row).count(),
        "members": Member.objects.count(),
    }


@contextmanager
def refused(candidate, error=DomainError):
    before = state(candidate)
    with pytest.raises(error) as info:
        yield info
    assert VIETNAMESE.search(str(info.value)), str(info.value)
    assert state(candidate) == before


def officials(branch, n, **kw):
    return MemberFactory.create_batch(n, branch=branch, **kw)


def ready(
    branch,
    *,
    vote_day=VOTE_DAY,
    members=3,
    introducers=2,
    known_since=date(2020, 1, 1),
    certificate_issued_on=None,
    background_on=None,
    background_outcome=BackgroundOutcome.CLEAR,
    **person,
):
    """A candidate at ``background_checked`` with everything the branch vote needs on
    ``vote_day``, in a branch of ``members`` official members (the first introduce)."""
    crew = officials(branch, members)
    person.setdefault("birth_date", date(1996, 5, 17))
    candidate = make_candidate(
        branch=branch,
        person=make_person(**person),
        stage=Stage.BACKGROUND_CHECKED,
        certificate_no="CN-01",
        certificate_issued_on=certificate_issued_on or date(vote_day.year - 1, 12, 1),
        application_on=date(vote_day.year - 1, 9, 1),
        declaration_on=date(vote_day.year - 1, 9, 5),
    )
    BackgroundCheck.objects.create(
        candidate=candidate,
        completed_on=background_on or date(vote_day.year - 1, 12, 10),
        outcome=background_outcome,
        note="" if background_outcome == BackgroundOutcome.CLEAR else "Cần làm rõ",
    )
    for member in crew[:introducers]:
        Introducer.objects.create(candidate=candidate, member=member, known_since=known_since)
    return candidate


def branch_vote(candidate, user, *, held_on=VOTE_DAY, in_favour=None, against=0, **kw):
    if in_favour is None:
        in_favour = Member.objects.filter(branch=candidate.branch, status=Status.OFFICIAL).count()
    return actions.record_branch_vote(
        candidate,
        held_on=held_on,
        in_favour=in_favour,
        against=against,
        resolution_no="NQ-01",
        by=user,
        **kw,
    )


def proposed(branch, user, *, vote_day=VOTE_DAY, **kw):
    """A candidate the branch has just proposed on ``vote_day``."""
    candidate = ready(branch, vote_day=vote_day, **kw)
    vote = branch_vote(candidate, user, held_on=vote_day)
    assert vote.passed
    candidate.refresh_from_db()
    return candidate


def decide(candidate, user, *, decided_on, **kw):
    kw.setdefault("admitted", True)
    return actions.decide_admission(
        candidate, decision_no="QĐ-15", decided_on=decided_on, by=user, **kw
    )


# ---- the pool and the state machine (DOMAIN.md §3; STYLE.md "State machines") -----------


def test_nominating_creates_the_person_the_candidate_and_one_history_row(tree, user):
    """12-HD/BTCTW: the chi bộ lists the person and may assign a member to help."""
    helper = make_member(branch=tree["village"])
    candidate = actions.nominate_candidate(
        branch=tree["village"],
        by=user,
        helper=helper,
        full_name="Lê Thị Hồng",
        birth_date=date(2000, 4, 1),
        sex="female",
        citizen_id="001300012345",
        education_level=Education.UNIVERSITY,
    )
    assert candidate.stage == Stage.CANDIDATE
    assert candidate.org_path == tree["village"].path
    assert candidate.listed_on == TODAY
    assert candidate.helper == helper
    assert candidate.person.given_name == "Hồng"
    (change,) = candidate.changes.all()
    assert (change.from_stage, change.to_stage, change.by) == (
        Stage.CANDIDATE,
        Stage.CANDIDATE,
        user,
    )


def test_only_a_branch_can_nominate(tree, user):
    with pytest.raises(NotEligible) as info:
        actions.nominate_candidate(
            branch=tree["commune"],
            by=user,
            full_name="Lê Thị Hồng",
            birth_date=date(2000, 4, 1),
            sex="female",
            citizen_id="001300012345",
            education_level=Education.UNIVERSITY,
        )
    assert "chi bộ" in str(info.value)
    assert not Person.objects.exists()
    assert not Candidate.objects.exists()


def test_a_helper_from_another_branch_is_refused(tree, user):
    outsider = make_member(branch=tree["school_branch"])
    with pytest.raises(NotEligible) as info:
        actions.nominate_candidate(
            branch=tree["village"],
            by=user,
            helper=outsider,
            full_name="Lê Thị Hồng",
            birth_date=date(2000, 4, 1),
            sex="female",
            citizen_id="001300012345",
            education_level=Education.UNIVERSITY,
        )
    assert "Đảng viên giúp đỡ" in str(info.value)
    assert not Candidate.objects.exists()


def test_the_whole_pipeline_writes_one_history_row_per_move(tree, user):
    """DOMAIN.md §3, from the pool to the ceremony, through a grassroots đảng ủy."""
    branch = tree["school_branch"]
    first, second, *_ = officials(branch, 3)
    candidate = actions.nominate_candidate(
        branch=branch,
        by=user,
        full_name="Phạm Minh Tuấn",
        birth_date=date(2001, 2, 3),
        sex="male",
        citizen_id="001201012345",
        education_level=Education.UPPER_SECONDARY,
        listed_on=date(2025, 9, 1),
    )
    actions.start_awareness_course(
        candidate,
        course_name="Lớp nhận thức về Đảng khóa 3/2026",
        started_on=date(2026, 3, 2),
        by=user,
    )
    actions.certify(candidate, certificate_no="CN-123", issued_on=date(2026, 3, 20), by=user)
    actions.open_dossier(
        candidate, application_on=date(2026, 4, 1), declaration_on=date(2026, 4, 6), by=user
    )
    for member in (first, second):
        actions.add_introducer(candidate, member=member, known_since=date(2024, 9, 1), by=user)
    actions.record_background_check(
        candidate, completed_on=date(2026, 6, 15), outcome=BackgroundOutcome.CLEAR, by=user
    )
    branch_vote(candidate, user, held_on=date(2026, 7, 2))
    actions.record_grassroots_vote(
        candidate,
        held_on=date(2026, 7, 9),
        in_favour=7,
        committee_size=9,
        resolution_no="NQ-ĐU-05",
        by=user,
    )
    decide(candidate, user, decided_on=date(2026, 8, 3), in_favour=5, committee_size=7)
    member = actions.hold_ceremony(candidate, held_on=date(2026, 8, 20), by=user)

    candidate.refresh_from_db()
    assert candidate.stage == Stage.MEMBER
    assert candidate.member == member
    moves = list(candidate.changes.values_list("from_stage", "to_stage"))
    assert moves == [
        (Stage.CANDIDATE, Stage.CANDIDATE),
        (Stage.CANDIDATE, Stage.IN_AWARENESS_COURSE),
        (Stage.IN_AWARENESS_COURSE, Stage.CERTIFIED),
        (Stage.CERTIFIED, Stage.DOSSIER_OPEN),
        (Stage.DOSSIER_OPEN, Stage.BACKGROUND_CHECKED),
        (Stage.BACKGROUND_CHECKED, Stage.BRANCH_PROPOSED),
        (Stage.BRANCH_PROPOSED, Stage.GRASSROOTS_ENDORSED),
        (Stage.GRASSROOTS_ENDORSED, Stage.ADMITTED),
        (Stage.ADMITTED, Stage.MEMBER),
    ]
    assert set(candidate.changes.values_list("by", flat=True)) == {user.pk}
    assert list(candidate.votes.values_list("body", "passed")) == [
        (Body.BRANCH, True),
        (Body.GRASSROOTS, True),
        (Body.DECIDER, True),
    ]


ILLEGAL = [
    (Stage.CANDIDATE, "open_dossier"),
    (Stage.CANDIDATE, "record_background_check"),
    (Stage.IN_AWARENESS_COURSE, "start_awareness_course"),
    (Stage.ADMITTED, "certify"),
    (Stage.CERTIFIED, "record_branch_vote"),
    (Stage.DOSSIER_OPEN, "record_branch_vote"),
    (Stage.BACKGROUND_CHECKED, "open_dossier"),
    (Stage.BACKGROUND_CHECKED, "decide_admission"),
    (Stage.BACKGROUND_CHECKED, "hold_ceremony"),
    (Stage.BRANCH_PROPOSED, "hold_ceremony"),
    (Stage.BRANCH_PROPOSED, "add_introducer"),
    (Stage.ADMITTED, "decide_admission"),
]


def attempt(name, candidate, user, member):
    calls = {
        "start_awareness_course": lambda: actions.start_awareness_course(
            candidate, course_name="Lớp 1", started_on=date(2026, 1, 5), by=user
        ),
        "certify": lambda: actions.certify(
            candidate, certificate_no="CN-9", issued_on=date(2026, 2, 2), by=user
        ),
        "open_dossier": lambda: actions.open_dossier(
            candidate, application_on=date(2026, 3, 2), declaration_on=date(2026, 3, 3), by=user
        ),
        "record_background_check": lambda: actions.record_background_check(
            candidate, completed_on=date(2026, 4, 1), outcome=BackgroundOutcome.CLEAR, by=user
        ),
        "add_introducer": lambda: actions.add_introducer(
            candidate, member=member, known_since=date(2020, 1, 1), by=user
        ),
        "record_branch_vote": lambda: branch_vote(candidate, user, in_favour=1),
        "decide_admission": lambda: decide(candidate, user, decided_on=date(2026, 10, 20)),
        "hold_ceremony": lambda: actions.hold_ceremony(
            candidate, held_on=date(2026, 10, 21), by=user
        ),
        "withdraw": lambda: actions.withdraw(candidate, reason="Chuyển công tác", by=user),
    }
    return calls[name]()


@pytest.mark.parametrize(("stage", "name"), ILLEGAL)
def test_a_move_the_state_machine_does_not_allow_is_refused(tree, user, stage, name):
    """STYLE.md: every legal move is listed in NEXT_STAGES; anything else is refused."""
    candidate = make_candidate(branch=tree["village"], stage=stage, decided_on=date(2026, 10, 1))
    member = make_member(branch=tree["village"])
    with refused(candidate, StageNotAllowed):
        attempt(name, candidate, user, member)


@pytest.mark.parametrize("stage", ACTIVE)
def test_a_candidate_can_be_withdrawn_from_every_open_stage(tree, user, stage):
    """DOMAIN.md §3: exits from every pre-admission state."""
    candidate = make_candidate(branch=tree["village"], stage=stage)
    actions.withdraw(candidate, reason="Chuyển đi nơi khác", by=user)
    assert candidate.stage == Stage.WITHDRAWN
    (change,) = candidate.changes.all()
    assert (change.from_stage, change.to_stage) == (stage, Stage.WITHDRAWN)
    assert change.note == "Chuyển đi nơi khác"


def test_withdrawing_needs_a_reason(tree, user):
    candidate = make_candidate(branch=tree["village"])
    with refused(candidate, NotEligible):
        actions.withdraw(candidate, reason="  ", by=user)


@pytest.mark.parametrize("stage", FINISHED)
@pytest.mark.parametrize("name", ["withdraw", "start_awareness_course", "certify"])
def test_nothing_follows_member_withdrawn_or_rejected(tree, user, stage, name):
    candidate = make_candidate(branch=tree["village"], stage=stage)
    with refused(candidate, StageNotAllowed):
        attempt(name, candidate, user, member=None)


def test_a_course_needs_a_name_and_a_past_start(tree, user):
    candidate = make_candidate(branch=tree["village"])
    with refused(candidate, NotEligible):
        actions.start_awareness_course(candidate, course_name=" ", started_on=TODAY, by=user)
    with refused(candidate, NotEligible) as info:
        actions.start_awareness_course(
            candidate, course_name="Lớp 1", started_on=date(2026, 11, 24), by=user
        )
    assert "sau ngày hôm nay" in str(info.value)


# ---- certificate (HD 06 §5.4 [R]: valid 60 months) ---------------------------------------


def test_certify_accepts_a_certificate_issued_exactly_60_months_ago(tree, user):
    candidate = make_candidate(branch=tree["village"], stage=Stage.IN_AWARENESS_COURSE)
    actions.certify(candidate, certificate_no="CN-1", issued_on=date(2021, 11, 23), by=user)
    assert candidate.stage == Stage.CERTIFIED
    assert candidate.certificate_issued_on == date(2021, 11, 23)


def test_certify_refuses_an_already_expired_certificate_hd06_5_4(tree, user):
    candidate = make_candidate(branch=tree["village"], stage=Stage.IN_AWARENESS_COURSE)
    with refused(candidate, NotEligible) as info:
        actions.certify(candidate, certificate_no="CN-1", issued_on=date(2021, 11, 22), by=user)
    assert "học lại" in str(info.value)


def test_certify_refuses_a_certificate_before_the_course_started(tree, user):
    candidate = make_candidate(
        branch=tree["village"],
        stage=Stage.IN_AWARENESS_COURSE,
        course_started_on=date(2026, 3, 1),
    )
    with refused(candidate, NotEligible):
        actions.certify(candidate, certificate_no="CN-1", issued_on=date(2026, 2, 1), by=user)


def test_certify_needs_a_number(tree, user):
    candidate = make_candidate(branch=tree["village"], stage=Stage.IN_AWARENESS_COURSE)
    with refused(candidate, NotEligible):
        actions.certify(candidate, certificate_no=" ", issued_on=date(2026, 2, 1), by=user)


def test_a_certificate_expired_the_day_before_the_vote_is_refused_hd06_5_4(tree, user):
    # Issued 14/10/2021: the 60 months end on 14/10/2026, the vote is on 15/10/2026.
    candidate = ready(tree["village"], certificate_issued_on=date(2021, 10, 14))
    with refused(candidate, NotEligible) as info:
        branch_vote(candidate, user)
    assert "quá 60 tháng" in str(info.value)


def test_a_certificate_exactly_60_months_old_on_the_vote_day_is_accepted(tree, user):
    candidate = ready(tree["village"], certificate_issued_on=date(2021, 10, 15))
    assert branch_vote(candidate, user).passed


def test_a_province_may_shorten_the_certificate_validity(tree, user):
    """A RuleParameter for one province (DOMAIN.md §0) applies to its branches."""
    RuleParameter.objects.create(
        key="admission.certificate_validity_months",
        value=36,
        effective_from=date(2025, 1, 1),
        organisation=tree["province"],
        source="Hướng dẫn của Tỉnh ủy",
    )
    candidate = ready(tree["village"], certificate_issued_on=date(2023, 10, 14))
    with refused(candidate, NotEligible) as info:
        branch_vote(candidate, user)
    assert "quá 36 tháng" in str(info.value)


# ---- dossier (HD 06 §3 [R]) ------------------------------------------------------------------


def test_the_application_must_come_before_the_declaration_hd06_3(tree, user):
    candidate = make_candidate(branch=tree["village"], stage=Stage.CERTIFIED)
    with refused(candidate, NotEligible) as info:
        actions.open_dossier(
            candidate, application_on=date(2026, 3, 10), declaration_on=date(2026, 3, 9), by=user
        )
    assert "Đơn xin vào Đảng phải làm trước" in str(info.value)


def test_application_and_declaration_on_the_same_day_open_the_dossier(tree, user):
    candidate = make_candidate(branch=tree["village"], stage=Stage.CERTIFIED)
    actions.open_dossier(
        candidate, application_on=date(2026, 3, 10), declaration_on=date(2026, 3, 10), by=user
    )
    assert candidate.stage == Stage.DOSSIER_OPEN
    assert candidate.changes.count() == 1


def test_a_dossier_dated_in_the_future_is_refused(tree, user):
    candidate = make_candidate(branch=tree["village"], stage=Stage.CERTIFIED)
    with refused(candidate, NotEligible):
        actions.open_dossier(
            candidate, application_on=TODAY, declaration_on=date(2026, 11, 24), by=user
        )


# ---- background check (HD 06 §3.4 [R]) ---------------------------------------------------


def dossier(tree):
    return make_candidate(
        branch=tree["village"],
        stage=Stage.DOSSIER_OPEN,
        application_on=date(2026, 3, 1),
        declaration_on=date(2026, 3, 5),
    )


def test_a_clear_background_check_moves_the_candidate_on(tree, user):
    candidate = dossier(tree)
    actions.record_background_check(
        candidate, completed_on=date(2026, 5, 4), outcome=BackgroundOutcome.CLEAR, by=user
    )
    assert candidate.stage == Stage.BACKGROUND_CHECKED
    assert candidate.background_checks.get().outcome == BackgroundOutcome.CLEAR


def test_a_background_check_with_concerns_needs_a_note_hd06_3_4(tree, user):
    candidate = dossier(tree)
    with refused(candidate, NotEligible) as info:
        actions.record_background_check(
            candidate, completed_on=date(2026, 5, 4), outcome=BackgroundOutcome.CONCERNS, by=user
        )
    assert info.value.field == "note"


def test_a_background_check_with_concerns_is_kept_and_the_dossier_stays_open(tree, user):
    candidate = dossier(tree)
    actions.record_background_check(
        candidate,
        completed_on=date(2026, 5, 4),
        outcome=BackgroundOutcome.CONCERNS,
        note="Cha đẻ chưa rõ quá trình công tác 1990-1995",
        by=user,
    )
    candidate.refresh_from_db()
    assert candidate.stage == Stage.DOSSIER_OPEN
    assert not candidate.changes.exists()
    assert candidate.background_checks.get().outcome == BackgroundOutcome.CONCERNS


def test_a_background_check_before_the_declaration_is_refused(tree, user):
    candidate = dossier(tree)
    with refused(candidate, NotEligible):
        actions.record_background_check(
            candidate, completed_on=date(2026, 3, 4), outcome=BackgroundOutcome.CLEAR, by=user
        )


def test_an_unknown_background_outcome_is_refused(tree, user):
    candidate = dossier(tree)
    with refused(candidate, NotEligible):
        actions.record_background_check(
            candidate, completed_on=date(2026, 5, 4), outcome="maybe", by=user
        )


def test_a_background_result_older_than_12_months_is_refused_at_the_vote_hd06_3_4(tree, user):
    # Completed 14/10/2025: 12 months end on 14/10/2026, the vote is on 15/10/2026.
    candidate = ready(tree["village"], background_on=date(2025, 10, 14))
    with refused(candidate, NotEligible) as info:
        branch_vote(candidate, user)
    assert "quá 12 tháng" in str(info.value)


def test_a_background_result_exactly_12_months_old_is_accepted(tree, user):
    candidate = ready(tree["village"], background_on=date(2025, 10, 15))
    assert branch_vote(candidate, user).passed


# ---- eligibility at the branch vote (294-QĐ/TW §1.1–1.2) -----------------------------------


def test_a_candidate_aged_17_years_11_months_on_the_vote_day_is_refused_294_1_1(tree, user):
    candidate = ready(tree["village"], birth_date=date(2008, 11, 15))
    with refused(candidate, NotEligible) as info:
        branch_vote(candidate, user)
    assert "Chưa đủ 18 tuổi" in str(info.value)


def test_a_candidate_turning_18_on_the_vote_day_is_accepted_294_1_1(tree, user):
    candidate = ready(tree["village"], birth_date=date(2008, 10, 15))
    assert branch_vote(candidate, user).passed


def test_a_candidate_exactly_60_is_accepted_without_a_provincial_decision(tree, user):
    candidate = ready(tree["village"], birth_date=date(1966, 10, 15))
    assert branch_vote(candidate, user).passed


def test_a_candidate_over_60_needs_a_provincial_decision_294_1_1_2(tree, user):
    # 60 years and 1 month (721 months) on the vote day.
    candidate = ready(tree["village"], birth_date=date(1966, 9, 15))
    with refused(candidate, NotEligible) as info:
        branch_vote(candidate, user)
    assert "Trên 60 tuổi" in str(info.value)


def test_a_candidate_over_60_with_the_provincial_decision_recorded_is_accepted(tree, user):
    candidate = ready(tree["village"], birth_date=date(1966, 9, 15))
    actions.record_over_age_approval(
        candidate, decision_no="123-CV/TU", decided_on=date(2026, 9, 20), by=user
    )
    assert branch_vote(candidate, user).passed


def test_an_over_age_approval_needs_a_number(tree, user):
    candidate = ready(tree["village"], birth_date=date(1966, 9, 15))
    with refused(candidate, NotEligible):
        actions.record_over_age_approval(
            candidate, decision_no=" ", decided_on=date(2026, 9, 20), by=user
        )


def test_education_below_lower_secondary_is_refused_294_1_2(tree, user):
    candidate = ready(tree["village"], education_level=Education.PRIMARY)
    with refused(candidate, NotEligible) as info:
        branch_vote(candidate, user)
    assert "Chưa tốt nghiệp trung học cơ sở" in str(info.value)


def test_lower_secondary_education_is_enough(tree, user):
    candidate = ready(tree["village"], education_level=Education.LOWER_SECONDARY)
    assert branch_vote(candidate, user).passed


def test_an_education_exception_admits_a_primary_graduate_294_1_2(tree, user):
    candidate = ready(tree["village"], education_level=Education.PRIMARY)
    Candidate.objects.filter(pk=candidate.pk).update(
        education_exception="Xã đặc biệt khó khăn vùng cao (Hướng dẫn của Ban Bí thư)"
    )
    assert branch_vote(candidate, user).passed


def test_a_vote_before_the_declaration_is_refused(tree, user):
    candidate = ready(tree["village"])
    with refused(candidate, NotEligible):
        branch_vote(candidate, user, held_on=date(2025, 9, 4))


def test_a_vote_in_the_future_is_refused(tree, user):
    candidate = ready(tree["village"])
    with refused(candidate, NotEligible):
        branch_vote(candidate, user, held_on=date(2026, 11, 24))


# ---- introducers (Charter Art. 4; 294-QĐ/TW §3.2.1) ---------------------------------------


def dossier_for_introducers(branch, **person):
    return make_candidate(
        branch=branch,
        stage=Stage.DOSSIER_OPEN,
        person=make_person(**person),
        application_on=date(2026, 3, 1),
        declaration_on=date(2026, 3, 5),
    )


def test_an_official_member_of_the_same_commune_can_introduce(tree, user):
    candidate = dossier_for_introducers(tree["village"])
    member = make_member(branch=org(Kind.BRANCH, tree["commune"]))
    introducer = actions.add_introducer(
        candidate, member=member, known_since=date(2024, 1, 1), by=user
    )
    assert introducer.member == member
    assert introducer.by == user


def test_a_probationary_member_cannot_introduce_charter_art_4(tree, user):
    candidate = dossier_for_introducers(tree["village"])
    member = make_member(branch=tree["village"], status=Status.PROBATIONARY)
    with refused(candidate, NotEligible) as info:
        actions.add_introducer(candidate, member=member, known_since=date(2024, 1, 1), by=user)
    assert "chính thức" in str(info.value)


def test_a_member_of_another_commune_cannot_introduce_294_3_2_1(tree, user):
    candidate = dossier_for_introducers(tree["village"])
    member = make_member(branch=tree["other_branch"])
    with refused(candidate, NotEligible) as info:
        actions.add_introducer(candidate, member=member, known_since=date(2024, 1, 1), by=user)
    assert "cùng tổ chức cơ sở đảng" in str(info.value)


def test_a_third_introducer_is_refused(tree, user):
    candidate = dossier_for_introducers(tree["village"])
    first, second, third = officials(tree["village"], 3)
    for member in (first, second):
        actions.add_introducer(candidate, member=member, known_since=date(2024, 1, 1), by=user)
    with refused(candidate, NotEligible) as info:
        actions.add_introducer(candidate, member=third, known_since=date(2024, 1, 1), by=user)
    assert "Đã đủ hai người giới thiệu" in str(info.value)


def test_the_same_member_cannot_introduce_twice(tree, user):
    candidate = dossier_for_introducers(tree["village"])
    member = make_member(branch=tree["village"])
    actions.add_introducer(candidate, member=member, known_since=date(2024, 1, 1), by=user)
    with refused(candidate, NotEligible) as info:
        actions.add_introducer(candidate, member=member, known_since=date(2024, 1, 1), by=user)
    assert "đã là người giới thiệu" in str(info.value)


def test_a_removed_introducer_frees_the_place(tree, user):
    candidate = dossier_for_introducers(tree["village"])
    first, second, third = officials(tree["village"], 3)
    actions.add_introducer(candidate, member=first, known_since=date(2024, 1, 1), by=user)
    leaving = actions.add_introducer(
        candidate, member=second, known_since=date(2024, 1, 1), by=user
    )
    actions.remove_introducer(leaving, by=user)
    actions.add_introducer(candidate, member=third, known_since=date(2024, 1, 1), by=user)
    assert list(candidate.introducers.filter(active=True).values_list("member", flat=True)) == [
        first.pk,
        third.pk,
    ]


def test_an_introducer_known_11_months_at_the_vote_is_refused_charter_art_4(tree, user):
    candidate = ready(tree["village"], known_since=date(2025, 11, 15))
    with refused(candidate, NotEligible) as info:
        branch_vote(candidate, user)
    assert "chưa đủ 12 tháng" in str(info.value)


def test_an_introducer_known_exactly_12_months_at_the_vote_is_accepted(tree, user):
    candidate = ready(tree["village"], known_since=date(2025, 10, 15))
    assert branch_vote(candidate, user).passed


def test_an_introducer_who_is_no_longer_official_at_the_vote_is_refused(tree, user):
    """The introducer must be official now (294-QĐ/TW §3.2.1), not only when added."""
    candidate = ready(tree["village"], members=4)
    introducer = candidate.introducers.first().member
    Member.objects.filter(pk=introducer.pk).update(status=Status.REMOVED)
    with refused(candidate, NotEligible) as info:
        branch_vote(candidate, user, in_favour=3)
    assert "không còn là đảng viên chính thức" in str(info.value)


def test_one_member_alone_is_not_enough(tree, user):
    candidate = ready(tree["village"], introducers=1)
    with refused(candidate, NotEligible) as info:
        branch_vote(candidate, user)
    assert "Cần hai đảng viên chính thức giới thiệu" in str(info.value)


def test_the_youth_union_plus_one_member_is_enough_charter_art_4(tree, user):
    # Born 24/11/1995: 30 years old on 23/11/2026, still of youth age.
    candidate = ready(
        tree["village"], introducers=1, youth_union_member=True, birth_date=date(1995, 11, 24)
    )
    Candidate.objects.filter(pk=candidate.pk).update(stage=Stage.DOSSIER_OPEN)
    introducer = actions.add_introducer(
        candidate,
        union=Union.YOUTH_UNION,
        resolution_no="NQ-ĐTN-07",
        known_since=date(2020, 1, 1),
        by=user,
    )
    assert (introducer.member, introducer.union) == (None, Union.YOUTH_UNION)
    Candidate.objects.filter(pk=candidate.pk).update(stage=Stage.BACKGROUND_CHECKED)
    assert branch_vote(candidate, user).passed


def test_the_youth_union_cannot_introduce_a_non_member(tree, user):
    candidate = dossier_for_introducers(
        tree["village"], youth_union_member=False, birth_date=date(2000, 1, 1)
    )
    with refused(candidate, NotEligible) as info:
        actions.add_introducer(
            candidate,
            union=Union.YOUTH_UNION,
            resolution_no="NQ-1",
            known_since=date(2024, 1, 1),
            by=user,
        )
    assert "không phải đoàn viên" in str(info.value)


def test_the_youth_union_cannot_introduce_someone_over_30(tree, user):
    # Born 23/11/1995: 31 on 23/11/2026.
    candidate = dossier_for_introducers(
        tree["village"], youth_union_member=True, birth_date=date(1995, 11, 23)
    )
    with refused(candidate, NotEligible) as info:
        actions.add_introducer(
            candidate,
            union=Union.YOUTH_UNION,
            resolution_no="NQ-1",
            known_since=date(2024, 1, 1),
            by=user,
        )
    assert "quá 30 tuổi" in str(info.value)


def test_the_trade_union_introduces_only_its_members(tree, user):
    outsider = dossier_for_introducers(tree["village"], trade_union_member=False)
    with refused(outsider, NotEligible) as info:
        actions.add_introducer(
            outsider,
            union=Union.TRADE_UNION,
            resolution_no="NQ-CĐ-2",
            known_since=date(2024, 1, 1),
            by=user,
        )
    assert "không phải công đoàn viên" in str(info.value)
    worker = dossier_for_introducers(tree["village"], trade_union_member=True)
    introducer = actions.add_introducer(
        worker,
        union=Union.TRADE_UNION,
        resolution_no="NQ-CĐ-2",
        known_since=date(2024, 1, 1),
        by=user,
    )
    assert introducer.union == Union.TRADE_UNION


def test_a_union_introduction_needs_its_resolution_number(tree, user):
    candidate = dossier_for_introducers(tree["village"], trade_union_member=True)
    with refused(candidate, NotEligible) as info:
        actions.add_introducer(
            candidate, union=Union.TRADE_UNION, known_since=date(2024, 1, 1), by=user
        )
    assert info.value.field == "resolution_no"


def test_only_one_union_may_introduce(tree, user):
    candidate = dossier_for_introducers(
        tree["village"],
        trade_union_member=True,
        youth_union_member=True,
        birth_date=date(2000, 1, 1),
    )
    actions.add_introducer(
        candidate,
        union=Union.TRADE_UNION,
        resolution_no="NQ-CĐ-2",
        known_since=date(2024, 1, 1),
        by=user,
    )
    with refused(candidate, NotEligible) as info:
        actions.add_introducer(
            candidate,
            union=Union.YOUTH_UNION,
            resolution_no="NQ-ĐTN-3",
            known_since=date(2024, 1, 1),
            by=user,
        )
    assert "Chỉ một tổ chức" in str(info.value)


def test_introducers_cannot_be_added_after_the_branch_vote(tree, user):
    candidate = proposed(tree["village"], user)
    member = make_member(branch=tree["village"])
    with refused(candidate, StageNotAllowed):
        actions.add_introducer(candidate, member=member, known_since=date(2024, 1, 1), by=user)


# ---- branch vote (Charter Art. 4–5; 294-QĐ/TW §9.3.2 [R]) ----------------------------------


def test_exactly_two_thirds_of_the_branch_passes(tree, user):
    candidate = ready(tree["village"], members=9)
    vote = branch_vote(candidate, user, in_favour=6, against=3)
    candidate.refresh_from_db()
    assert (vote.passed, vote.denominator, vote.rule) == (True, 9, [2, 3, "at_least"])
    assert candidate.stage == Stage.BRANCH_PROPOSED
    (change,) = candidate.changes.all()
    assert change.to_stage == Stage.BRANCH_PROPOSED
    assert "6/9" in change.note


def test_one_vote_short_of_two_thirds_is_recorded_as_failed_and_the_stage_stays(tree, user):
    candidate = ready(tree["village"], members=9)
    vote = branch_vote(candidate, user, in_favour=5, against=4)
    candidate.refresh_from_db()
    assert Vote.objects.get(pk=vote.pk).passed is False
    assert candidate.stage == Stage.BACKGROUND_CHECKED
    assert not candidate.changes.exists()
    assert candidate.decision_due_on is None


def test_after_a_failed_vote_the_branch_may_vote_again(tree, user):
    candidate = ready(tree["village"], members=9)
    branch_vote(candidate, user, in_favour=5)
    assert branch_vote(candidate, user, in_favour=7).passed
    assert list(candidate.votes.values_list("passed", flat=True)) == [False, True]


def test_the_denominator_leaves_out_members_away_absent_exempted_and_probationary(tree, user):
    """DOMAIN.md §2: official members, minus those on temporary transfer, minus absent
    exempted members; an exempted member present counts; probationary never count."""
    branch = tree["village"]
    candidate = ready(branch, members=5)
    officials(branch, 2, temporarily_away_since=date(2026, 6, 1))
    officials(branch, 2, exempted_since=date(2025, 1, 1))
    officials(branch, 3, status=Status.PROBATIONARY)
    vote = branch_vote(candidate, user, in_favour=4)
    assert (vote.denominator, vote.passed) == (5, True)


def test_exempted_members_present_count_back_into_the_denominator(tree, user):
    branch = tree["village"]
    candidate = ready(branch, members=5)
    officials(branch, 2, exempted_since=date(2025, 1, 1))
    vote = branch_vote(candidate, user, in_favour=4, exempted_present=2)
    # 4 of 7 is short of 2/3: the exempted members present count.
    assert (vote.denominator, vote.passed) == (7, False)


def test_more_votes_than_the_denominator_are_refused(tree, user):
    candidate = ready(tree["village"], members=3)
    with refused(candidate, VoteInvalid) as info:
        branch_vote(candidate, user, in_favour=3, against=1)
    assert "vượt quá" in str(info.value)


def test_negative_votes_are_refused(tree, user):
    candidate = ready(tree["village"], members=3)
    with refused(candidate, VoteInvalid):
        branch_vote(candidate, user, in_favour=3, against=-1)


def test_the_branch_vote_sets_the_decision_deadline_60_working_days_later_qd29_4_3_1(tree, user):
    # Vote on Thursday 15/01/2026. Counting from 16/01: Tết (16–20/02/2026) is skipped,
    # so the 60th working day is Thursday 16/04/2026 (without Tết: 09/04/2026).
    candidate = proposed(tree["village"], user, vote_day=date(2026, 1, 15))
    assert candidate.decision_due_on == date(2026, 4, 16)


# ---- grassroots vote (24/294-QĐ/TW [R]) ----------------------------------------------------


def test_the_grassroots_committee_endorses_with_two_thirds_of_its_members(tree, user):
    candidate = proposed(tree["school_branch"], user)
    vote = actions.record_grassroots_vote(
        candidate,
        held_on=date(2026, 10, 22),
        in_favour=6,
        committee_size=9,
        resolution_no="NQ-ĐU-1",
        by=user,
    )
    candidate.refresh_from_db()
    assert (vote.passed, vote.organisation, vote.body) == (True, tree["school"], Body.GRASSROOTS)
    assert candidate.stage == Stage.GRASSROOTS_ENDORSED


def test_a_grassroots_vote_one_short_is_recorded_and_the_stage_stays(tree, user):
    candidate = proposed(tree["school_branch"], user)
    vote = actions.record_grassroots_vote(
        candidate,
        held_on=date(2026, 10, 22),
        in_favour=5,
        committee_size=9,
        resolution_no="NQ-ĐU-1",
        by=user,
    )
    candidate.refresh_from_db()
    assert vote.passed is False
    assert candidate.stage == Stage.BRANCH_PROPOSED
    assert candidate.changes.count() == 1


@pytest.mark.parametrize("branch", ["village", "clinic"])
def test_there_is_no_grassroots_vote_without_a_grassroots_committee_between(tree, user, branch):
    """A branch directly under a commune, or a chi bộ cơ sở, goes straight to the decider."""
    candidate = proposed(tree[branch], user)
    with refused(candidate, StageNotAllowed) as info:
        actions.record_grassroots_vote(
            candidate,
            held_on=date(2026, 10, 22),
            in_favour=9,
            committee_size=9,
            resolution_no="NQ-ĐU-1",
            by=user,
        )
    assert "Ban Thường vụ Đảng bộ xã An Bình" in str(info.value)


def test_a_grassroots_vote_before_the_branch_vote_is_refused(tree, user):
    candidate = proposed(tree["school_branch"], user)
    with refused(candidate, NotEligible):
        actions.record_grassroots_vote(
            candidate,
            held_on=date(2026, 10, 14),
            in_favour=9,
            committee_size=9,
            resolution_no="NQ-ĐU-1",
            by=user,
        )


def test_a_grassroots_vote_above_the_committee_size_is_refused(tree, user):
    candidate = proposed(tree["school_branch"], user)
    with refused(candidate, VoteInvalid):
        actions.record_grassroots_vote(
            candidate,
            held_on=date(2026, 10, 22),
            in_favour=8,
            against=2,
            committee_size=9,
            resolution_no="NQ-ĐU-1",
            by=user,
        )


# ---- decision (QĐ 29/24/294 §4.3.2) --------------------------------------------------------


def test_more_than_half_of_the_standing_committee_decides_admission(tree, user):
    candidate = proposed(tree["village"], user)
    decide(candidate, user, decided_on=date(2026, 11, 2), in_favour=4, committee_size=7)
    assert candidate.stage == Stage.ADMITTED
    assert (candidate.decision_no, candidate.decided_on) == ("QĐ-15", date(2026, 11, 2))
    vote = candidate.votes.get(body=Body.DECIDER)
    assert (vote.organisation, vote.passed, vote.rule) == (
        tree["commune"],
        True,
        [1, 2, "more_than"],
    )


def test_exactly_half_of_the_standing_committee_is_refused_qd29_4_3_2(tree, user):
    candidate = proposed(tree["village"], user)
    with refused(candidate, VoteFailed) as info:
        decide(candidate, user, decided_on=date(2026, 11, 2), in_favour=4, committee_size=8)
    assert "chưa đạt trên 1/2" in str(info.value)


def test_an_authorised_grassroots_committee_needs_two_thirds_of_all_members_4_3_2a(tree, user):
    committee = org(Kind.GRASSROOTS_COMMITTEE, tree["commune"], authorised_to_admit=True)
    branch = org(Kind.BRANCH, committee)
    candidate = proposed(branch, user)
    with refused(candidate, VoteFailed) as info:
        decide(candidate, user, decided_on=date(2026, 11, 2), in_favour=5, committee_size=9)
    assert "ít nhất 2/3" in str(info.value)
    decide(candidate, user, decided_on=date(2026, 11, 2), in_favour=6, committee_size=9)
    assert candidate.stage == Stage.ADMITTED
    vote = candidate.votes.get(body=Body.DECIDER)
    assert (vote.organisation, vote.rule) == (committee, [2, 3, "at_least"])


def test_the_decider_waits_for_the_grassroots_endorsement_where_one_exists(tree, user):
    candidate = proposed(tree["school_branch"], user)
    with refused(candidate, StageNotAllowed) as info:
        decide(candidate, user, decided_on=date(2026, 11, 2))
    assert "Đảng ủy Đảng bộ Trường THPT An Bình" in str(info.value)


def test_a_decision_with_only_part_of_the_count_is_refused(tree, user):
    candidate = proposed(tree["village"], user)
    with refused(candidate, VoteInvalid):
        decide(candidate, user, decided_on=date(2026, 11, 2), in_favour=4)


def test_a_decision_needs_its_number(tree, user):
    candidate = proposed(tree["village"], user)
    with refused(candidate, NotEligible):
        actions.decide_admission(
            candidate, decision_no=" ", decided_on=date(2026, 11, 2), admitted=True, by=user
        )


def test_a_decision_before_the_branch_resolution_is_refused(tree, user):
    candidate = proposed(tree["village"], user)
    with refused(candidate, NotEligible):
        decide(candidate, user, decided_on=date(2026, 10, 14))


def test_a_decision_not_to_admit_rejects_the_candidate(tree, user):
    candidate = proposed(tree["village"], user)
    decide(candidate, user, decided_on=date(2026, 11, 2), admitted=False, note="Chưa đủ điều kiện")
    assert candidate.stage == Stage.REJECTED
    assert candidate.ceremony_due_on is None
    assert "Quyết định không kết nạp" in candidate.changes.last().note


# ---- deadlines (QĐ 29 §4.3.1; Charter Art. 5; 294-QĐ/TW §4.1) -------------------------------
# Branch vote on 15/01/2026, decision due 16/04/2026 (see the Tết test above).


@pytest.fixture
def january(tree, user):
    return proposed(tree["village"], user, vote_day=date(2026, 1, 15))


def test_a_decision_on_the_due_date_is_on_time(january, user):
    decide(january, user, decided_on=date(2026, 4, 16))
    assert january.stage == Stage.ADMITTED
    assert january.decision_late_reason == ""


def test_a_decision_after_the_due_date_is_refused_without_a_reason_qd29_4_3_1(january, user):
    with refused(january, DeadlinePassed) as info:
        decide(january, user, decided_on=date(2026, 4, 17))
    assert "Quá hạn ra quyết định (16/04/2026" in str(info.value)


def test_a_late_decision_with_its_reason_recorded_is_accepted(january, user):
    decide(january, user, decided_on=date(2026, 4, 17), late_reason="Chờ xác minh bổ sung")
    assert january.stage == Stage.ADMITTED
    assert january.decision_late_reason == "Chờ xác minh bổ sung"


def test_the_decision_deadline_extends_once_by_30_working_days_qd29_4_3_1(january, user):
    # From 16/04/2026: 17/04 (1); 20–24/04 (2–6); 27/04 is the observed Hùng Kings day;
    # 28, 29/04 (7, 8); 30/04 and 01/05 are holidays; 04–08/05 (9–13); 11–15/05 (14–18);
    # 18–22/05 (19–23); 25–29/05 (24–28); 01, 02/06 (29, 30).
    actions.extend_decision_deadline(january, reason="Chờ kết quả thẩm tra bổ sung", by=user)
    assert january.decision_due_on == date(2026, 6, 2)
    assert january.decision_extended
    assert january.stage == Stage.BRANCH_PROPOSED
    assert "Gia hạn" in january.changes.last().note
    decide(january, user, decided_on=date(2026, 6, 2))
    assert january.stage == Stage.ADMITTED


def test_a_second_extension_is_refused(january, user):
    actions.extend_decision_deadline(january, reason="Lần một", by=user)
    with refused(january, DeadlinePassed) as info:
        actions.extend_decision_deadline(january, reason="Lần hai", by=user)
    assert "chỉ được gia hạn một lần" in str(info.value)


def test_an_extension_needs_a_reason(january, user):
    with refused(january, NotEligible):
        actions.extend_decision_deadline(january, reason="  ", by=user)


def test_the_ceremony_is_due_30_working_days_after_the_decision(january, user):
    # From 16/04/2026, 30 working days: 02/06/2026 (same count as the extension above).
    decide(january, user, decided_on=date(2026, 4, 16))
    assert january.ceremony_due_on == date(2026, 6, 2)


def test_a_ceremony_deadline_across_tet_2026(tree, user):
    # Decision on Friday 06/02/2026: 09–13/02 (1–5); 16–20/02 Tết, not counted;
    # 23–27/02 (6–10); 02–06/03 (11–15); 09–13/03 (16–20); 16–20/03 (21–25);
    # 23–27/03 (26–30). Due Friday 27/03/2026 (without Tết: 20/03).
    candidate = proposed(tree["village"], user, vote_day=date(2026, 1, 15))
    decide(candidate, user, decided_on=date(2026, 2, 6))
    assert candidate.ceremony_due_on == date(2026, 3, 27)


def test_a_saturday_made_a_working_day_brings_the_ceremony_deadline_forward(tree, user):
    CalendarDay.objects.create(day=date(2026, 3, 14), is_working_day=True, note="Làm bù")
    candidate = proposed(tree["village"], user, vote_day=date(2026, 1, 15))
    decide(candidate, user, decided_on=date(2026, 2, 6))
    assert candidate.ceremony_due_on == date(2026, 3, 26)


def test_a_late_ceremony_is_refused_without_the_superiors_approval_294_4_1(january, user):
    decide(january, user, decided_on=date(2026, 4, 16))
    with refused(january, DeadlinePassed) as info:
        actions.hold_ceremony(january, held_on=date(2026, 6, 3), by=user)
    assert "cần văn bản đồng ý" in str(info.value)


def test_a_late_ceremony_with_the_superiors_approval_is_accepted(january, user):
    decide(january, user, decided_on=date(2026, 4, 16))
    actions.hold_ceremony(january, held_on=date(2026, 6, 3), late_approval_no="45-CV/ĐU", by=user)
    january.refresh_from_db()
    assert january.stage == Stage.MEMBER
    assert january.ceremony_late_approval_no == "45-CV/ĐU"


# ---- the ceremony (Charter Art. 5; DOMAIN.md §3, §8) --------------------------------------


def test_the_ceremony_makes_a_probationary_member(january, user):
    decide(january, user, decided_on=date(2026, 4, 16))
    member = actions.hold_ceremony(january, held_on=date(2026, 5, 19), by=user)
    january.refresh_from_db()
    assert member.status == Status.PROBATIONARY
    assert member.person == january.person
    assert member.branch == january.branch
    assert member.org_path == january.branch.path
    assert member.probation_started_on == date(2026, 5, 19)  # from the ceremony
    assert member.admitted_on == date(2026, 4, 16)  # party age will count from the decision
    assert member.admission_decision_no == "QĐ-15"
    assert member.probation_ends_on == date(2027, 5, 19)
    assert member.party_age_years(on=date(2030, 1, 1)) is None  # not while probationary
    assert january.member == member
    assert january.ceremony_on == date(2026, 5, 19)
    (status,) = StatusChange.objects.filter(member=member)
    assert (status.to_status, status.on, status.by) == (
        Status.PROBATIONARY,
        date(2026, 5, 19),
        user,
    )


def test_the_candidates_helper_becomes_the_first_mentor_at_the_ceremony_294_4_1(january, user):
    helper = make_member(branch=january.branch, official_on=date(2015, 1, 1))
    Candidate.objects.filter(pk=january.pk).update(helper=helper)
    decide(january, user, decided_on=date(2026, 4, 16))
    member = actions.hold_ceremony(january, held_on=date(2026, 5, 19), by=user)
    (mentorship,) = member.mentorships.all()
    assert (mentorship.mentor, mentorship.from_on, mentorship.until_on) == (
        helper,
        date(2026, 5, 19),
        None,
    )
    assert member.changes.filter(what="mentor").exists()


def test_a_helper_who_left_the_branch_is_not_made_mentor(january, user, tree):
    helper = make_member(branch=tree["school_branch"])
    Candidate.objects.filter(pk=january.pk).update(helper=helper)
    decide(january, user, decided_on=date(2026, 4, 16))
    member = actions.hold_ceremony(january, held_on=date(2026, 5, 19), by=user)
    assert not member.mentorships.exists()


def test_party_age_counts_from_the_decision_once_official(january, user):
    decide(january, user, decided_on=date(2026, 4, 16))
    member = actions.hold_ceremony(january, held_on=date(2026, 5, 19), by=user)
    Member.objects.filter(pk=member.pk).update(status=Status.OFFICIAL)
    member.refresh_from_db()
    assert member.party_age_years(on=date(2036, 4, 15)) == 9
    assert member.party_age_years(on=date(2036, 4, 16)) == 10


def test_a_ceremony_before_the_decision_is_refused(january, user):
    decide(january, user, decided_on=date(2026, 4, 16))
    with refused(january, NotEligible):
        actions.hold_ceremony(january, held_on=date(2026, 4, 15), by=user)


def test_a_ceremony_for_someone_already_a_member_is_refused(january, user):
    decide(january, user, decided_on=date(2026, 4, 16))
    make_member(person=january.person, branch=january.branch)
    with refused(january, Conflict):
        actions.hold_ceremony(january, held_on=date(2026, 5, 19), by=user)


# ---- concurrency (issue 3: one wins, the other is refused, no duplicate rows) -----------


def _committed_candidate():
    # The tree rules come from a data migration; a transactional test elsewhere in the run
    # may have flushed them. Put back the migrated state.
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    seed = importlib.import_module("dangvien.organisations.migrations.0002_seed_parent_rules")
    for parent_kind, child_kind in seed.RULES:
        ParentRule.objects.get_or_create(parent_kind=parent_kind, child_kind=child_kind)
    tree = tree_2025()
    candidate = make_candidate(branch=tree["village"], stage=Stage.CERTIFIED)
    return start, tree, candidate, [make_user(), make_user()]


def _delete_committed(start, tree, candidate, users):
    StageChange.objects.filter(candidate=candidate).delete()
    Candidate.objects.filter(pk=candidate.pk).delete()
    Person.objects.filter(pk=candidate.person_id).delete()
    for node in sorted(tree.values(), key=lambda o: -o.depth):
        node.delete()
    for user in users:
        user.delete()
    with maintenance("flush"):
        AuditEvent.objects.filter(id__gt=start).delete()


@pytest.mark.postgres
@pytest.mark.commits_in_threads
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_staff_opening_the_same_dossier_at_once_one_wins(db):
    """Issue 3: one wins, the other gets a clear refusal, no duplicate history rows.

    The rows are committed for real on a helper thread so both staff threads see them,
    and removed afterwards. (A ``transaction=True`` test would flush every table when it
    ends, the migration-seeded tree rules included, breaking later transactional tests.)
    """
    start, tree, candidate, users = in_own_thread(_committed_candidate)
    try:
        barrier = threading.Barrier(2)
        outcomes: list[object] = []

        def staff(user):
            try:
                barrier.wait(timeout=10)
                actions.open_dossier(
                    Candidate.objects.get(pk=candidate.pk),
                    application_on=date(2026, 3, 2),
                    declaration_on=date(2026, 3, 3),
                    by=user,
                )
                outcomes.append("ok")
            except DomainError as error:
                outcomes.append(error)
            finally:
                connections.close_all()  # this thread's connections only

        threads = [threading.Thread(target=staff, args=(u,)) for u in users]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

        assert outcomes.count("ok") == 1
        (loser,) = [o for o in outcomes if o != "ok"]
        assert isinstance(loser, StageNotAllowed)
        assert VIETNAMESE.search(str(loser))
        moves = StageChange.objects.filter(candidate=candidate, to_stage=Stage.DOSSIER_OPEN)
        assert moves.count() == 1
        assert Candidate.objects.get(pk=candidate.pk).stage == Stage.DOSSIER_OPEN
    finally:
        in_own_thread(lambda: _delete_committed(start, tree, candidate, users))


# ---- second passes: retaking the course, renewing checks, listing again ----------------


def test_a_lapsed_certificate_is_replaced_after_retaking_the_course_hd06_5_4(tree, user):
    candidate = ready(tree["village"], certificate_issued_on=date(2021, 1, 4))
    actions.certify(candidate, certificate_no="CN-2026", issued_on=date(2026, 9, 1), by=user)
    candidate.refresh_from_db()
    assert (candidate.stage, candidate.certificate_no) == (Stage.BACKGROUND_CHECKED, "CN-2026")
    assert candidate.changes.filter(note__contains="Học lại").count() == 1
    assert branch_vote(candidate, user).passed


def test_a_new_certificate_must_be_newer_than_the_old_one(tree, user):
    candidate = ready(tree["village"], certificate_issued_on=date(2025, 12, 1))
    with refused(candidate, NotEligible):
        actions.certify(candidate, certificate_no="CN-X", issued_on=date(2025, 11, 1), by=user)


def test_a_renewed_background_check_with_concerns_reopens_the_dossier_hd06_3_4(tree, user):
    candidate = ready(tree["village"])
    actions.record_background_check(
        candidate,
        completed_on=date(2026, 10, 1),
        outcome=BackgroundOutcome.CONCERNS,
        note="Cần xác minh thêm",
        by=user,
    )
    candidate.refresh_from_db()
    assert candidate.stage == Stage.DOSSIER_OPEN
    actions.record_background_check(
        candidate, completed_on=date(2026, 10, 10), outcome=BackgroundOutcome.CLEAR, by=user
    )
    candidate.refresh_from_db()
    assert candidate.stage == Stage.BACKGROUND_CHECKED


def test_a_renewed_clear_background_check_keeps_the_stage_and_renews_the_result(tree, user):
    candidate = ready(tree["village"], background_on=date(2025, 6, 1))
    with refused(candidate, NotEligible):  # 16 months old at the vote
        branch_vote(candidate, user)
    actions.record_background_check(
        candidate, completed_on=date(2026, 9, 1), outcome=BackgroundOutcome.CLEAR, by=user
    )
    assert branch_vote(candidate, user).passed


def test_someone_withdrawn_is_listed_again_with_the_same_identity(tree, user):
    first = make_candidate(branch=tree["village"], stage=Stage.WITHDRAWN)
    person = first.person
    again = actions.nominate_candidate(
        branch=tree["village"],
        by=user,
        full_name=person.full_name,
        birth_date=person.birth_date,
        sex=person.sex,
        citizen_id=person.citizen_id,
        education_level=Education.UNIVERSITY,
        address="Thôn Đông",
    )
    assert again.person_id == person.pk
    person.refresh_from_db()
    assert (person.education_level, person.address) == (Education.UNIVERSITY, "Thôn Đông")
    assert Person.objects.count() == 1


def test_someone_still_followed_cannot_be_listed_twice(tree, user):
    first = make_candidate(branch=tree["village"], stage=Stage.DOSSIER_OPEN)
    person = first.person
    with pytest.raises(Conflict, match="đang được Chi bộ thôn Đông theo dõi"):
        actions.nominate_candidate(
            branch=tree["school_branch"],
            by=user,
            full_name=person.full_name,
            birth_date=person.birth_date,
            sex=person.sex,
            citizen_id=person.citizen_id,
            education_level=person.education_level,
        )
    assert Candidate.objects.count() == 1


def test_a_member_cannot_be_listed_as_a_candidate(tree, user):
    member = make_member(branch=tree["village"])
    person = member.person
    with pytest.raises(Conflict, match="đã là đảng viên"):
        actions.nominate_candidate(
            branch=tree["village"],
            by=user,
            full_name=person.full_name,
            birth_date=person.birth_date,
            sex=person.sex,
            citizen_id=person.citizen_id,
            education_level=person.education_level,
        )
    assert not Candidate.objects.exists()


def test_a_known_citizen_id_with_another_name_is_refused(tree, user):
    first = make_candidate(branch=tree["village"], stage=Stage.WITHDRAWN)
    with pytest.raises(Conflict, match="đã thuộc về"):
        actions.nominate_candidate(
            branch=tree["village"],
            by=user,
            full_name="Hoàng Thị Mai",
            birth_date=date(2001, 1, 1),
            sex="female",
            citizen_id=first.person.citizen_id,
            education_level=Education.UNIVERSITY,
        )
    first.person.refresh_from_db()
    assert first.person.full_name != "Hoàng Thị Mai"


def test_a_name_too_long_for_its_column_is_refused_with_a_message(tree, user):
    with pytest.raises(NotEligible, match="Họ quá dài"):
        actions.nominate_candidate(
            branch=tree["village"],
            by=user,
            full_name="X" * 60 + " Văn An",
            birth_date=date(2000, 1, 1),
            sex="male",
            citizen_id="001200000001",
            education_level=Education.UNIVERSITY,
        )
    assert not Person.objects.exists()


def test_a_helper_is_a_member_of_the_candidates_branch_12_hd_btctw(tree, user):
    candidate = make_candidate(branch=tree["village"])
    outsider = make_member(branch=tree["school_branch"])
    with refused(candidate, NotEligible):
        actions.assign_helper(candidate, helper=outsider, by=user)
    helper = make_member(branch=tree["village"])
    actions.assign_helper(candidate, helper=helper, by=user)
    candidate.refresh_from_db()
    assert candidate.helper == helper


def test_an_education_exception_needs_its_basis_and_then_counts_at_the_vote_294_1_2(tree, user):
    candidate = ready(tree["village"], education_level=Education.PRIMARY)
    with refused(candidate, NotEligible):
        actions.record_education_exception(candidate, basis="  ", by=user)
    actions.record_education_exception(
        candidate, basis="Xã đặc biệt khó khăn, đồng bào dân tộc thiểu số", by=user
    )
    assert branch_vote(candidate, user).passed


# ---- the vote must rest on facts known at the meeting ----------------------------------


def test_a_vote_before_the_background_check_was_completed_is_refused(tree, user):
    candidate = ready(tree["village"], background_on=date(2026, 10, 20))
    with refused(candidate, NotEligible):
        branch_vote(candidate, user, held_on=date(2026, 10, 15))


def test_a_vote_before_the_certificate_was_issued_is_refused(tree, user):
    candidate = ready(tree["village"], certificate_issued_on=date(2026, 10, 20))
    with refused(candidate, NotEligible):
        branch_vote(candidate, user, held_on=date(2026, 10, 15))


def test_an_over_60_approval_dated_after_the_vote_does_not_count_294_1_1_2(tree, user):
    candidate = ready(tree["village"], birth_date=date(1960, 1, 1))
    actions.record_over_age_approval(
        candidate, decision_no="CV-99", decided_on=date(2026, 11, 1), by=user
    )
    with refused(candidate, NotEligible):
        branch_vote(candidate, user, held_on=date(2026, 10, 15))


def test_an_introducer_who_moved_to_another_commune_no_longer_counts_294_3_2_1(tree, user):
    candidate = ready(tree["village"])
    mover = candidate.introducers.first().member
    Member.objects.filter(pk=mover.pk).update(
        branch=tree["other_branch"], org_path=tree["other_branch"].path
    )
    with refused(candidate, NotEligible):
        branch_vote(candidate, user)


def test_the_youth_union_cannot_introduce_someone_past_youth_age_on_the_vote_day(tree, user):
    candidate = ready(
        tree["village"], introducers=1, birth_date=date(1995, 10, 1), youth_union_member=True
    )
    Introducer.objects.create(
        candidate=candidate,
        union=Union.YOUTH_UNION,
        resolution_no="NQ-ĐTN",
        known_since=date(2020, 1, 1),
    )
    with refused(candidate, NotEligible):  # 31 on 15/10/2026
        branch_vote(candidate, user)


def test_a_branch_with_fewer_than_3_official_members_cannot_vote_charter(tree, user):
    candidate = ready(tree["village"], members=2)
    with refused(candidate, NotEligible):
        branch_vote(candidate, user)


# ---- the bodies' sizes come from the organisation data ----------------------------------


def test_a_grassroots_vote_against_a_smaller_committee_than_recorded_is_refused(tree, user):
    candidate = proposed(tree["school_branch"], user)  # the school's committee has 9 members
    with refused(candidate, VoteInvalid):
        actions.record_grassroots_vote(
            candidate,
            held_on=date(2026, 10, 20),
            in_favour=2,
            committee_size=3,
            resolution_no="NQ-ĐU",
            by=user,
        )


def test_a_decision_against_a_smaller_standing_committee_than_recorded_is_refused(tree, user):
    tree["commune"].standing_committee_size = 7
    tree["commune"].save(update_fields=["standing_committee_size"])
    candidate = proposed(tree["village"], user)
    with refused(candidate, VoteInvalid):
        decide(candidate, user, decided_on=date(2026, 10, 20), in_favour=2, committee_size=3)
    decide(candidate, user, decided_on=date(2026, 10, 20), in_favour=4, committee_size=7)
    candidate.refresh_from_db()
    assert candidate.stage == Stage.ADMITTED


def test_the_decider_may_record_a_refusal_before_the_grassroots_endorsement(tree, user):
    candidate = proposed(tree["school_branch"], user)
    with refused(candidate, StageNotAllowed):
        decide(candidate, user, decided_on=date(2026, 10, 20))
    decide(candidate, user, decided_on=date(2026, 10, 20), admitted=False)
    candidate.refresh_from_db()
    assert candidate.stage == Stage.REJECTED
