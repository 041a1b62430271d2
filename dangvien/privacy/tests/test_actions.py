"""Consent, its withdrawal and data-subject requests, rule by rule (Nghị định 13/2023/NĐ-CP
Điều 9, 11–16). Each refusal carries its Vietnamese message and its field, and leaves
nothing behind."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from dangvien.accounts.models import Role
from dangvien.candidates import actions as candidate_actions
from dangvien.candidates.models import Candidate
from dangvien.core.errors import Conflict, NotAllowed, NotEligible, StageNotAllowed
from dangvien.factories import make_candidate, make_member, user_with_role
from dangvien.people.models import Education, Person
from dangvien.privacy import actions, queries
from dangvien.privacy.actions import NO_CONSENT, ConsentGiven
from dangvien.privacy.models import (
    Consent,
    ConsentMethod,
    Notice,
    RequestKind,
    RequestState,
    SubjectRequest,
)

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def consent_required(settings: Any) -> None:
    settings.PERSONAL_DATA_CONSENT_REQUIRED = True


@pytest.fixture
def secretary(tree: Any) -> Any:
    return user_with_role(Role.BRANCH_SECRETARY, tree["village"])


@pytest.fixture
def candidate(tree: Any) -> Candidate:
    return make_candidate(branch=tree["village"])


def nominate(tree: Any, by: Any, **kw: Any) -> Candidate:
    return candidate_actions.nominate_candidate(
        branch=tree["village"],
        by=by,
        full_name="Lê Thị Hồng",
        birth_date=date(2000, 4, 1),
        sex="female",
        citizen_id="001300012345",
        education_level=Education.UNIVERSITY,
        **kw,
    )


# ---- the notice ------------------------------------------------------------------------


def test_the_default_notice_is_shipped_and_in_force_today(db: Any) -> None:
    notice = queries.notice_in_force(TODAY)
    assert notice is not None and notice.version == "1.0"
    assert notice.from_on == date(2023, 7, 1)
    for part in ("Mục đích", "12-HD/BTCTW", "nhạy cảm", "Thời gian", "Quyền", "72 giờ"):
        assert part in notice.text
    assert queries.notice_in_force(date(2023, 6, 30)) is None


def test_a_newer_notice_applies_from_its_day(db: Any) -> None:
    newer = Notice.objects.create(
        version="2.0", title="Thông báo mới", text="…", from_on=TODAY + timedelta(days=10)
    )
    in_force = queries.notice_in_force(TODAY)
    assert in_force is not None and in_force.version == "1.0"
    assert queries.notice_in_force(TODAY + timedelta(days=10)) == newer


# ---- consent when the dossier opens ----------------------------------------------------


def test_listing_a_candidate_without_consent_is_refused_and_leaves_nothing(
    tree: Any, secretary: Any
) -> None:
    """Nghị định 13/2023/NĐ-CP Điều 11: no processing without the subject's consent."""
    with pytest.raises(NotEligible) as info:
        nominate(tree, secretary)
    assert str(info.value) == NO_CONSENT
    assert info.value.field == "consent"
    assert not Person.objects.exists()
    assert not Candidate.objects.exists()


def test_listing_a_candidate_records_the_consent_to_the_notice_in_force(
    tree: Any, secretary: Any
) -> None:
    given = ConsentGiven(given_on=TODAY - timedelta(days=2), method=ConsentMethod.PAPER)
    candidate = nominate(tree, secretary, consent=given)
    (consent,) = Consent.objects.all()
    assert consent.person == candidate.person
    assert consent.notice.version == "1.0"
    assert consent.given_on == TODAY - timedelta(days=2)
    assert consent.method == ConsentMethod.PAPER
    assert consent.org_path == tree["village"].path
    assert consent.recorded_by == secretary
    assert consent.active


def test_the_requirement_can_be_switched_off_for_tests_that_are_not_about_consent(
    tree: Any, secretary: Any, settings: Any
) -> None:
    settings.PERSONAL_DATA_CONSENT_REQUIRED = False
    candidate = nominate(tree, secretary)
    assert candidate.pk and not Consent.objects.exists()


@pytest.mark.parametrize(
    ("given", "field", "words"),
    [
        (ConsentGiven(given_on=None, method="paper"), "consent_given_on", "Nhập ngày"),
        (
            ConsentGiven(given_on=TODAY + timedelta(days=1), method="paper"),
            "consent_given_on",
            "sau ngày hôm nay",
        ),
        (ConsentGiven(given_on=TODAY, method="email"), "consent_method", "hình thức"),
        (
            ConsentGiven(given_on=date(2023, 6, 30), method="paper"),
            "consent_given_on",
            "Chưa có thông báo",
        ),
    ],
)
def test_a_consent_with_a_bad_day_or_method_is_refused(
    tree: Any, secretary: Any, given: ConsentGiven, field: str, words: str
) -> None:
    with pytest.raises(NotEligible) as info:
        nominate(tree, secretary, consent=given)
    assert words in str(info.value)
    assert info.value.field == field
    assert not Candidate.objects.exists() and not Consent.objects.exists()


def test_a_consent_to_a_notice_not_yet_in_force_that_day_is_refused(
    tree: Any, secretary: Any
) -> None:
    later = Notice.objects.create(version="2.0", title="Mới", text="…", from_on=TODAY)
    given = ConsentGiven(given_on=TODAY - timedelta(days=1), method="paper", notice=later)
    with pytest.raises(NotEligible) as info:
        nominate(tree, secretary, consent=given)
    assert "phiên bản 2.0 áp dụng từ ngày" in str(info.value)
    assert not Consent.objects.exists()


def test_a_consent_recorded_afterwards_needs_the_branch_that_keeps_the_records(
    tree: Any, candidate: Candidate, secretary: Any
) -> None:
    leader = user_with_role(Role.LEADER, tree["province"])
    other = user_with_role(Role.BRANCH_SECRETARY, tree["other_branch"])
    for user in (leader, other):
        with pytest.raises(NotAllowed) as info:
            actions.record_consent(candidate.person, given_on=TODAY, method="paper", by=user)
        assert "Chỉ chi bộ và cấp ủy" in str(info.value)
    assert not Consent.objects.exists()
    commune_staff = user_with_role(Role.GRASSROOTS_STAFF, tree["commune"])
    consent = actions.record_consent(
        candidate.person, given_on=TODAY, method="in_person", by=commune_staff
    )
    assert consent.recorded_by == commune_staff and consent.org_path == tree["village"].path


# ---- withdrawal ------------------------------------------------------------------------


def _consent(candidate: Candidate, by: Any, on: date | None = None) -> Consent:
    return actions.record_consent(
        candidate.person, given_on=on or TODAY - timedelta(days=30), method="paper", by=by
    )


def test_withdrawing_a_consent_is_recorded_and_deletes_nothing(
    candidate: Candidate, secretary: Any
) -> None:
    """Điều 12: recorded, earlier processing stays lawful, the Party's records stay."""
    consent = _consent(candidate, secretary)
    actions.withdraw_consent(
        consent, withdrawn_on=TODAY, note="Đơn đề nghị  ngày hôm nay", by=secretary
    )
    consent.refresh_from_db()
    assert consent.withdrawn_on == TODAY
    assert consent.withdrawal_note == "Đơn đề nghị ngày hôm nay"
    assert consent.withdrawal_recorded_by == secretary
    assert Candidate.objects.filter(pk=candidate.pk).exists()
    assert queries.active_consent(candidate.person) is None


@pytest.mark.parametrize(
    ("days", "words"),
    [(1, "sau ngày hôm nay"), (-40, "phải từ ngày đồng ý")],
)
def test_a_withdrawal_on_a_bad_day_is_refused(
    candidate: Candidate, secretary: Any, days: int, words: str
) -> None:
    consent = _consent(candidate, secretary)
    with pytest.raises(NotEligible) as info:
        actions.withdraw_consent(consent, withdrawn_on=TODAY + timedelta(days=days), by=secretary)
    assert words in str(info.value) and info.value.field == "withdrawn_on"
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


def test_a_consent_cannot_be_withdrawn_twice(candidate: Candidate, secretary: Any) -> None:
    consent = _consent(candidate, secretary)
    actions.withdraw_consent(consent, withdrawn_on=TODAY - timedelta(days=1), by=secretary)
    with pytest.raises(Conflict) as info:
        actions.withdraw_consent(consent, withdrawn_on=TODAY, by=secretary)
    assert "đã được rút lại ngày" in str(info.value)
    consent.refresh_from_db()
    assert consent.withdrawn_on == TODAY - timedelta(days=1)


def test_only_the_branch_that_keeps_the_records_records_a_withdrawal(
    tree: Any, candidate: Candidate, secretary: Any
) -> None:
    consent = _consent(candidate, secretary)
    leader = user_with_role(Role.LEADER, tree["commune"])
    with pytest.raises(NotAllowed):
        actions.withdraw_consent(consent, withdrawn_on=TODAY, by=leader)
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


# ---- data-subject requests -------------------------------------------------------------


def test_a_request_is_due_72_hours_after_it_was_received(
    candidate: Candidate, secretary: Any
) -> None:
    """Nghị định 13/2023/NĐ-CP Điều 14 khoản 3, Điều 15, Điều 16: 72 hours [U]."""
    received = TODAY - timedelta(days=1)
    made = actions.record_request(
        candidate.person, kind=RequestKind.ACCESS, received_on=received, by=secretary
    )
    assert made.due_on == received + timedelta(days=3)
    assert made.state == RequestState.RECEIVED
    assert made.org_path == candidate.org_path
    assert made.recorded_by == secretary


def test_the_hours_to_answer_are_a_setting_per_kind(
    candidate: Candidate, secretary: Any, settings: Any
) -> None:
    settings.PERSONAL_DATA_REQUEST_HOURS_BY_KIND = {"withdrawal": 24 * 10}
    made = actions.record_request(
        candidate.person, kind=RequestKind.WITHDRAWAL, received_on=TODAY, by=secretary
    )
    assert made.due_on == TODAY + timedelta(days=10)


def test_a_member_is_handled_by_the_branch_of_their_member_record(
    tree: Any, secretary: Any
) -> None:
    member = make_member(branch=tree["village"])
    made = actions.record_request(
        member.person, kind=RequestKind.CORRECTION, received_on=TODAY, by=secretary
    )
    assert made.org_path == tree["village"].path


@pytest.mark.parametrize(
    ("kind", "days", "field", "words"),
    [
        ("complaint", 0, "kind", "Chọn loại yêu cầu"),
        ("access", 1, "received_on", "sau ngày hôm nay"),
    ],
)
def test_a_request_of_an_unknown_kind_or_from_the_future_is_refused(
    candidate: Candidate, secretary: Any, kind: str, days: int, field: str, words: str
) -> None:
    with pytest.raises(NotEligible) as info:
        actions.record_request(
            candidate.person,
            kind=kind,
            received_on=TODAY + timedelta(days=days),
            by=secretary,
        )
    assert words in str(info.value) and info.value.field == field
    assert not SubjectRequest.objects.exists()


def test_a_second_open_request_of_the_same_kind_is_refused(
    candidate: Candidate, secretary: Any
) -> None:
    actions.record_request(
        candidate.person, kind=RequestKind.DELETION, received_on=TODAY, by=secretary
    )
    with pytest.raises(Conflict) as info:
        actions.record_request(
            candidate.person, kind=RequestKind.DELETION, received_on=TODAY, by=secretary
        )
    assert "đã có yêu cầu “xóa dữ liệu” đang xử lý" in str(info.value)
    assert SubjectRequest.objects.count() == 1
    actions.record_request(
        candidate.person, kind=RequestKind.OBJECTION, received_on=TODAY, by=secretary
    )
    assert SubjectRequest.objects.count() == 2


def test_only_those_who_keep_the_records_take_a_request(tree: Any, candidate: Candidate) -> None:
    leader = user_with_role(Role.LEADER, tree["commune"])
    with pytest.raises(NotAllowed):
        actions.record_request(
            candidate.person, kind=RequestKind.ACCESS, received_on=TODAY, by=leader
        )
    assert not SubjectRequest.objects.exists()


def _request(candidate: Candidate, by: Any, kind: str = RequestKind.ACCESS) -> SubjectRequest:
    return actions.record_request(
        candidate.person, kind=kind, received_on=TODAY - timedelta(days=1), by=by
    )


def test_a_request_is_taken_then_answered(candidate: Candidate, secretary: Any) -> None:
    made = _request(candidate, secretary)
    actions.start_request(made, by=secretary)
    assert made.state == RequestState.IN_PROGRESS and made.handled_by == secretary
    actions.answer_request(made, state="done", answer="Đã giao bản sao  dữ liệu.", by=secretary)
    assert made.state == RequestState.DONE
    assert made.answered_on == TODAY
    assert made.answer == "Đã giao bản sao dữ liệu."


def test_a_refusal_needs_its_reason(candidate: Candidate, secretary: Any) -> None:
    made = _request(candidate, secretary, RequestKind.DELETION)
    with pytest.raises(NotEligible) as info:
        actions.answer_request(made, state="refused", answer="  ", by=secretary)
    assert str(info.value) == "Phải nêu lý do từ chối yêu cầu."
    assert info.value.field == "answer"
    made.refresh_from_db()
    assert made.state == RequestState.RECEIVED
    actions.answer_request(
        made,
        state="refused",
        answer="Hồ sơ kết nạp phải lưu giữ theo quy định của Đảng.",
        by=secretary,
    )
    assert made.state == RequestState.REFUSED


@pytest.mark.parametrize(
    ("state", "days", "field", "words"),
    [
        ("received", 0, "state", "Chọn kết quả"),
        ("done", 1, "answered_on", "sau ngày hôm nay"),
        ("done", -5, "answered_on", "từ ngày tiếp nhận"),
    ],
)
def test_an_answer_with_a_bad_state_or_day_is_refused(
    candidate: Candidate, secretary: Any, state: str, days: int, field: str, words: str
) -> None:
    made = _request(candidate, secretary)
    with pytest.raises(NotEligible) as info:
        actions.answer_request(
            made,
            state=state,
            answer="x",
            answered_on=TODAY + timedelta(days=days),
            by=secretary,
        )
    assert words in str(info.value) and info.value.field == field
    made.refresh_from_db()
    assert made.state == RequestState.RECEIVED and made.answered_on is None


def test_a_closed_request_cannot_be_answered_or_taken_again(
    candidate: Candidate, secretary: Any
) -> None:
    made = _request(candidate, secretary)
    actions.answer_request(made, state="done", answer="", by=secretary)
    with pytest.raises(StageNotAllowed) as info:
        actions.answer_request(made, state="refused", answer="Lý do", by=secretary)
    assert "Đã giải quyết" in str(info.value)
    with pytest.raises(StageNotAllowed):
        actions.start_request(made, by=secretary)
    made.refresh_from_db()
    assert made.state == RequestState.DONE


def test_a_withdrawal_request_done_withdraws_the_consent(
    candidate: Candidate, secretary: Any
) -> None:
    consent = _consent(candidate, secretary)
    made = _request(candidate, secretary, RequestKind.WITHDRAWAL)
    actions.answer_request(made, state="done", answer="Đã ghi nhận.", by=secretary)
    consent.refresh_from_db()
    assert consent.withdrawn_on == TODAY
    assert "Theo yêu cầu tiếp nhận ngày" in consent.withdrawal_note


def test_overdue_means_open_and_past_its_day(candidate: Candidate, secretary: Any) -> None:
    made = actions.record_request(
        candidate.person,
        kind=RequestKind.ACCESS,
        received_on=TODAY - timedelta(days=4),
        by=secretary,
    )
    assert made.overdue(TODAY) and not made.overdue(TODAY - timedelta(days=1))
    assert queries.overdue_count(secretary, TODAY) == 1
    actions.answer_request(made, state="done", answer="", by=secretary)
    assert not made.overdue(TODAY)
    assert queries.overdue_count(secretary, TODAY) == 0


def test_requests_are_seen_within_the_subtree_only(tree: Any, candidate: Candidate) -> None:
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    _request(candidate, secretary)
    assert queries.visible_requests(user_with_role(Role.LEADER, tree["province"])).count() == 1
    assert queries.visible_requests(user_with_role(Role.LEADER, tree["commune"])).count() == 1
    outside = user_with_role(Role.BRANCH_SECRETARY, tree["other_branch"])
    assert queries.visible_requests(outside).count() == 0
    sibling = user_with_role(Role.BRANCH_SECRETARY, tree["school_branch"])
    assert queries.visible_requests(sibling).count() == 0


def test_the_home_page_lists_the_requests_to_answer_soonest_first_and_counts_the_overdue(
    client: Any, tree: Any, candidate: Candidate, secretary: Any
) -> None:
    late = actions.record_request(
        candidate.person,
        kind=RequestKind.ACCESS,
        received_on=TODAY - timedelta(days=5),
        by=secretary,
    )
    actions.record_request(
        candidate.person, kind=RequestKind.CORRECTION, received_on=TODAY, by=secretary
    )
    client.force_login(secretary)
    text = client.get("/").content.decode()
    assert 'id="todo-data-requests"' in text and "chờ trả lời (2)" in text
    assert text.index(str(RequestKind.ACCESS.label)) < text.index(str(RequestKind.CORRECTION.label))
    assert f"Quá hạn {late.due_on:%d/%m/%Y}" in text
    outside = user_with_role(Role.BRANCH_SECRETARY, tree["other_branch"])
    client.force_login(outside)
    assert 'id="todo-data-requests"' not in client.get("/").content.decode()
    actions.answer_request(late, state="done", answer="Đã gửi bản sao.", by=secretary)
    first, total = queries.requests_to_answer(secretary)
    assert [r.kind for r in first] == [RequestKind.CORRECTION] and total == 1
