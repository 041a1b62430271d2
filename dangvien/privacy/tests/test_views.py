"""The personal-data pages, wiring only (the rules are in test_actions): login, scope (404
outside), role (403), the consent asked on the new-candidate page, the card on the
candidate's page, and every read of a dossier leaving one access-log row."""

import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from dangvien.accounts.models import Role
from dangvien.auditlog.models import AccessEvent
from dangvien.candidates.models import Candidate
from dangvien.factories import make_candidate, make_member, user_with_role
from dangvien.privacy import actions
from dangvien.privacy.actions import NO_CONSENT
from dangvien.privacy.models import Consent, RequestKind, RequestState, SubjectRequest

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def consent_required(settings: Any) -> None:
    settings.PERSONAL_DATA_CONSENT_REQUIRED = True
    settings.SECOND_FACTOR_REQUIRED = False


@pytest.fixture
def secretary(tree: Any) -> Any:
    return user_with_role(Role.BRANCH_SECRETARY, tree["village"], display_name="Trần Văn Bí")


@pytest.fixture
def candidate(tree: Any) -> Candidate:
    return make_candidate(branch=tree["village"])


def new_candidate(tree: Any, **extra: Any) -> dict[str, Any]:
    return {
        "full_name": "Phạm Thu Hà",
        "birth_date": "05/03/2001",
        "sex": "female",
        "citizen_id": "001301005555",
        "ethnicity": "Kinh",
        "religion": "Không",
        "education_level": "university",
        "branch": tree["village"].pk,
        **extra,
    }


# ---- the new-candidate page ------------------------------------------------------------


def test_the_new_candidate_page_asks_for_the_consent_and_names_the_notice(
    client: Any, secretary: Any
) -> None:
    client.force_login(secretary)
    page = client.get("/quan-chung/them/").content.decode()
    assert "Thông báo và sự đồng ý xử lý dữ liệu cá nhân" in page
    assert "phiên bản 1.0" in page
    assert 'name="consent"' in page and 'name="consent_given_on"' in page
    assert f'value="{TODAY:%d/%m/%Y}"' in page


def test_the_new_candidate_page_refuses_without_consent(
    client: Any, tree: Any, secretary: Any
) -> None:
    client.force_login(secretary)
    response = client.post("/quan-chung/them/", new_candidate(tree))
    assert response.status_code == 200
    assert NO_CONSENT in response.content.decode()
    assert not Candidate.objects.exists()


def test_the_new_candidate_page_records_the_consent(client: Any, tree: Any, secretary: Any) -> None:
    client.force_login(secretary)
    response = client.post(
        "/quan-chung/them/",
        new_candidate(
            tree,
            consent="on",
            consent_given_on=f"{TODAY:%d/%m/%Y}",
            consent_method="in_person",
        ),
    )
    assert response.status_code == 302
    (consent,) = Consent.objects.all()
    assert consent.method == "in_person" and consent.given_on == TODAY
    assert consent.person.candidacies.get().branch == tree["village"]


def test_a_consent_dated_tomorrow_is_refused_on_its_field(
    client: Any, tree: Any, secretary: Any
) -> None:
    client.force_login(secretary)
    tomorrow = TODAY + timedelta(days=1)
    response = client.post(
        "/quan-chung/them/",
        new_candidate(
            tree, consent="on", consent_given_on=f"{tomorrow:%d/%m/%Y}", consent_method="paper"
        ),
    )
    assert "Ngày đồng ý không thể sau ngày hôm nay." in response.content.decode()
    assert not Candidate.objects.exists()


# ---- the candidate's page: the card and the access log ----------------------------------


def test_the_candidate_page_shows_the_consent_and_logs_the_read(
    client: Any, candidate: Candidate, secretary: Any
) -> None:
    actions.record_consent(candidate.person, given_on=TODAY, method="paper", by=secretary)
    client.force_login(secretary)
    page = client.get(f"/quan-chung/{candidate.pk}/").content.decode()
    assert "Đã đồng ý" in page and "phiên bản" in page
    assert "Người này rút lại sự đồng ý" in page
    (event,) = AccessEvent.objects.all()
    assert (event.kind, event.person_id, event.user_id) == (
        "view",
        candidate.person_id,
        secretary.pk,
    )
    assert event.org_path == candidate.org_path and event.what == "Hồ sơ quần chúng ưu tú"


def test_a_candidate_without_consent_shows_the_warning_and_the_form(
    client: Any, candidate: Candidate, secretary: Any
) -> None:
    client.force_login(secretary)
    page = client.get(f"/quan-chung/{candidate.pk}/").content.decode()
    assert "Chưa ghi nhận sự đồng ý xử lý dữ liệu cá nhân của người này." in page
    assert f"/du-lieu-ca-nhan/nhan-than/{candidate.person_id}/dong-y/" in page


def test_a_leader_sees_the_consent_but_no_form(
    client: Any, tree: Any, candidate: Candidate
) -> None:
    client.force_login(user_with_role(Role.LEADER, tree["province"]))
    page = client.get(f"/quan-chung/{candidate.pk}/").content.decode()
    assert "Chưa ghi nhận sự đồng ý" in page
    assert "/dong-y/" not in page and "/yeu-cau/" not in page


def test_a_withdrawn_consent_is_a_warning_on_the_page(
    client: Any, candidate: Candidate, secretary: Any
) -> None:
    consent = actions.record_consent(
        candidate.person, given_on=TODAY - timedelta(days=3), method="paper", by=secretary
    )
    client.force_login(secretary)
    response = client.post(
        f"/du-lieu-ca-nhan/dong-y/{consent.pk}/rut-lai/",
        {"withdraw-withdrawn_on": f"{TODAY:%d/%m/%Y}", "withdraw-note": "Có đơn"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/quan-chung/{candidate.pk}/"
    page = client.get(f"/quan-chung/{candidate.pk}/").content.decode()
    assert f"Đã rút lại sự đồng ý ngày {TODAY:%d/%m/%Y}." in page
    assert Candidate.objects.filter(pk=candidate.pk).exists()


def test_a_withdrawal_refused_by_a_rule_answers_409_with_the_message(
    client: Any, candidate: Candidate, secretary: Any
) -> None:
    consent = actions.record_consent(candidate.person, given_on=TODAY, method="paper", by=secretary)
    client.force_login(secretary)
    yesterday = TODAY - timedelta(days=1)
    response = client.post(
        f"/du-lieu-ca-nhan/dong-y/{consent.pk}/rut-lai/",
        {"withdraw-withdrawn_on": f"{yesterday:%d/%m/%Y}"},
    )
    assert response.status_code == 409
    assert "Ngày rút lại phải từ ngày đồng ý" in response.content.decode()


def test_consent_pages_answer_404_outside_the_scope_and_403_to_a_lesser_role(
    client: Any, tree: Any, candidate: Candidate, secretary: Any
) -> None:
    consent = actions.record_consent(candidate.person, given_on=TODAY, method="paper", by=secretary)
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["other_branch"]))
    data = {"consent-given_on": f"{TODAY:%d/%m/%Y}", "consent-method": "paper"}
    url = f"/du-lieu-ca-nhan/nhan-than/{candidate.person_id}/dong-y/"
    assert client.post(url, data).status_code == 404
    withdraw = f"/du-lieu-ca-nhan/dong-y/{consent.pk}/rut-lai/"
    assert client.post(withdraw, {"withdraw-withdrawn_on": f"{TODAY:%d/%m/%Y}"}).status_code == 404
    client.force_login(user_with_role(Role.LEADER, tree["commune"]))
    assert client.post(url, data).status_code == 403
    assert Consent.objects.count() == 1


def test_a_consent_recorded_afterwards_from_the_page(
    client: Any, candidate: Candidate, secretary: Any
) -> None:
    client.force_login(secretary)
    response = client.post(
        f"/du-lieu-ca-nhan/nhan-than/{candidate.person_id}/dong-y/",
        {"consent-given_on": f"{TODAY:%d/%m/%Y}", "consent-method": "paper"},
    )
    assert response.status_code == 302
    assert Consent.objects.get().recorded_by == secretary


def test_member_and_person_pages_log_the_read(client: Any, tree: Any, secretary: Any) -> None:
    member = make_member(branch=tree["village"])
    client.force_login(secretary)
    assert client.get(f"/dang-vien/{member.pk}/").status_code == 200
    assert client.get(f"/nhan-than/{member.person_id}/sua/").status_code == 200
    events = list(AccessEvent.objects.order_by("id").values_list("kind", "person_id", "what"))
    assert events == [
        ("view", member.person_id, "Hồ sơ đảng viên"),
        ("view", member.person_id, "Nhân thân (trang sửa)"),
    ]


# ---- requests --------------------------------------------------------------------------


def test_a_request_is_recorded_from_the_person_and_listed(
    client: Any, candidate: Candidate, secretary: Any
) -> None:
    client.force_login(secretary)
    url = f"/du-lieu-ca-nhan/nhan-than/{candidate.person_id}/yeu-cau/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"kind": "correction", "received_on": f"{TODAY:%d/%m/%Y}", "detail": "Sai quê quán"},
    )
    made = SubjectRequest.objects.get()
    assert (
        response.status_code == 302
        and response["Location"] == f"/du-lieu-ca-nhan/yeu-cau/{made.pk}/"
    )
    listing = client.get("/du-lieu-ca-nhan/").content.decode()
    assert candidate.person.full_name in listing and "Chỉnh sửa dữ liệu" in listing


def test_an_overdue_request_is_flagged_in_the_list(
    client: Any, candidate: Candidate, secretary: Any
) -> None:
    actions.record_request(
        candidate.person,
        kind=RequestKind.ACCESS,
        received_on=TODAY - timedelta(days=5),
        by=secretary,
    )
    client.force_login(secretary)
    page = client.get("/du-lieu-ca-nhan/").content.decode()
    assert "1 yêu cầu đã quá hạn trả lời" in page
    assert "Quá hạn" in page
    assert client.get("/du-lieu-ca-nhan/", {"overdue": "1", "state": ""}).status_code == 200


def test_a_refused_request_page_answers_409_without_a_reason(
    client: Any, candidate: Candidate, secretary: Any
) -> None:
    made = actions.record_request(
        candidate.person, kind=RequestKind.DELETION, received_on=TODAY, by=secretary
    )
    client.force_login(secretary)
    url = f"/du-lieu-ca-nhan/yeu-cau/{made.pk}/tra-loi/"
    response = client.post(
        url, {"answer-state": "refused", "answer-answered_on": f"{TODAY:%d/%m/%Y}"}
    )
    assert response.status_code == 409
    assert "Phải nêu lý do từ chối yêu cầu." in response.content.decode()
    start = client.post(f"/du-lieu-ca-nhan/yeu-cau/{made.pk}/xu-ly/")
    assert start.status_code == 302
    response = client.post(
        url,
        {
            "answer-state": "refused",
            "answer-answered_on": f"{TODAY:%d/%m/%Y}",
            "answer-answer": "Hồ sơ phải lưu giữ theo quy định.",
        },
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.state == RequestState.REFUSED and made.handled_by == secretary


def test_request_pages_answer_404_outside_and_403_to_a_viewer(
    client: Any, tree: Any, candidate: Candidate, secretary: Any
) -> None:
    made = actions.record_request(
        candidate.person, kind=RequestKind.ACCESS, received_on=TODAY, by=secretary
    )
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["other_branch"]))
    assert client.get(f"/du-lieu-ca-nhan/yeu-cau/{made.pk}/").status_code == 404
    assert (
        client.get(f"/du-lieu-ca-nhan/nhan-than/{candidate.person_id}/yeu-cau/").status_code == 404
    )
    assert candidate.person.full_name not in client.get("/du-lieu-ca-nhan/").content.decode()
    leader = user_with_role(Role.LEADER, tree["province"])
    client.force_login(leader)
    assert client.get(f"/du-lieu-ca-nhan/yeu-cau/{made.pk}/").status_code == 200
    assert client.post(f"/du-lieu-ca-nhan/yeu-cau/{made.pk}/xu-ly/").status_code == 403
    assert client.get(f"/du-lieu-ca-nhan/yeu-cau/{made.pk}/du-lieu.json").status_code == 403
    assert (
        client.get(f"/du-lieu-ca-nhan/nhan-than/{candidate.person_id}/yeu-cau/").status_code == 403
    )


def test_an_access_request_gives_everything_held_as_json_and_xlsx_logged_and_stamped(
    client: Any, candidate: Candidate, secretary: Any
) -> None:
    """Nghị định 13/2023/NĐ-CP Điều 14: the person receives a copy of their data."""
    actions.record_consent(candidate.person, given_on=TODAY, method="paper", by=secretary)
    made = actions.record_request(
        candidate.person, kind=RequestKind.ACCESS, received_on=TODAY, by=secretary
    )
    client.force_login(secretary)
    response = client.get(f"/du-lieu-ca-nhan/yeu-cau/{made.pk}/du-lieu.json")
    assert response.status_code == 200 and "attachment;" in response["Content-Disposition"]
    body = json.loads(response.content)
    assert body["extracted"].startswith(f"Trích xuất bởi Trần Văn Bí ({secretary.username}) lúc ")
    tables = {t["table"]: t for t in body["tables"]}
    assert tables["people.person"]["rows"][0]["given_name"] == candidate.person.given_name
    assert "search_text" not in tables["people.person"]["fields"]
    assert tables["candidates.candidate"]["rows"][0]["id"] == candidate.pk
    assert "privacy.consent" in tables and "privacy.subjectrequest" in tables

    response = client.get(f"/du-lieu-ca-nhan/yeu-cau/{made.pk}/du-lieu.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    first = book.worksheets[0]
    assert first.cell(1, 1).value == f"Dữ liệu của {candidate.person.full_name}"
    assert first.cell(3, 1).value.startswith("Trích xuất bởi Trần Văn Bí")
    assert first.oddFooter.left.text.startswith("Trích xuất bởi Trần Văn Bí")
    events = AccessEvent.objects.filter(kind="export", person=candidate.person)
    assert events.count() == 2 and all(e.rows and e.rows >= 4 for e in events)


def test_only_an_access_request_gives_the_copy(
    client: Any, candidate: Candidate, secretary: Any
) -> None:
    made = actions.record_request(
        candidate.person, kind=RequestKind.DELETION, received_on=TODAY, by=secretary
    )
    client.force_login(secretary)
    response = client.get(f"/du-lieu-ca-nhan/yeu-cau/{made.pk}/du-lieu.json")
    assert response.status_code == 409
    assert client.get(f"/du-lieu-ca-nhan/yeu-cau/{made.pk}/du-lieu.pdf").status_code == 404
    assert not AccessEvent.objects.filter(kind="export").exists()


def test_the_request_list_exports_and_logs_the_export(
    client: Any, tree: Any, candidate: Candidate, secretary: Any
) -> None:
    actions.record_request(
        candidate.person, kind=RequestKind.ACCESS, received_on=TODAY, by=secretary
    )
    client.force_login(secretary)
    response = client.get("/du-lieu-ca-nhan/", {"export": "xlsx"})
    assert response.status_code == 200
    (event,) = AccessEvent.objects.filter(kind="export")
    assert event.rows == 1 and event.org_path == tree["village"].path


def test_the_notice_page_shows_the_text_and_an_unknown_version_is_404(
    client: Any, secretary: Any
) -> None:
    client.force_login(secretary)
    page = client.get("/du-lieu-ca-nhan/thong-bao/").content.decode()
    assert "Thông báo về việc xử lý dữ liệu cá nhân" in page and "Phiên bản 1.0" in page
    assert client.get("/du-lieu-ca-nhan/thong-bao/", {"version": "9.9"}).status_code == 404


def test_the_pages_need_a_login(client: Any, candidate: Candidate) -> None:
    for url in ("/du-lieu-ca-nhan/", "/du-lieu-ca-nhan/thong-bao/"):
        assert client.get(url).status_code == 302


def test_the_list_query_count_stays_flat(client: Any, tree: Any, secretary: Any) -> None:
    def load() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/du-lieu-ca-nhan/").status_code == 200
        return len(ctx.captured_queries)

    client.force_login(secretary)
    person = make_candidate(branch=tree["village"]).person
    actions.record_request(person, kind=RequestKind.ACCESS, received_on=TODAY, by=secretary)
    few = load()
    for _ in range(5):
        person = make_candidate(branch=tree["village"]).person
        actions.record_request(person, kind=RequestKind.ACCESS, received_on=TODAY, by=secretary)
    assert load() == few


def test_dates_use_the_vietnamese_format(client: Any, candidate: Candidate, secretary: Any) -> None:
    received = TODAY - timedelta(days=1)
    made = actions.record_request(
        candidate.person, kind=RequestKind.ACCESS, received_on=received, by=secretary
    )
    client.force_login(secretary)
    page = client.get(f"/du-lieu-ca-nhan/yeu-cau/{made.pk}/").content.decode()
    assert f"{received:%d/%m/%Y}" in page and f"{made.due_on:%d/%m/%Y}" in page
