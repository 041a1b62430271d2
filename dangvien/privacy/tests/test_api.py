"""The personal-data API (issue 9): the candidate create endpoint asks for the consent,
the detail endpoints log the read, the requests and consents under ``/privacy``; outside
the subtree 404, a lesser role 403, a refused rule 409, bad input 400."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dangvien.accounts.models import Role
from dangvien.api.tests.conftest import Api
from dangvien.auditlog.models import AccessEvent
from dangvien.candidates.models import Candidate
from dangvien.factories import make_candidate, make_member, user_with_role
from dangvien.privacy import actions
from dangvien.privacy.actions import NO_CONSENT
from dangvien.privacy.models import Consent, RequestKind, SubjectRequest

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def consent_required(settings: Any) -> None:
    settings.PERSONAL_DATA_CONSENT_REQUIRED = True
    settings.SECOND_FACTOR_REQUIRED = False


@pytest.fixture
def secretary(tree: Any) -> Any:
    return user_with_role(Role.BRANCH_SECRETARY, tree["village"], display_name="Trần Văn Bí")


@pytest.fixture
def api(client: Client, secretary: Any) -> Api:
    return Api(client, secretary)


@pytest.fixture
def candidate(tree: Any) -> Candidate:
    return make_candidate(branch=tree["village"])


def body(tree: Any, **changes: Any) -> dict[str, Any]:
    return {
        "full_name": "Trần Thị Minh Khai",
        "birth_date": "1998-04-12",
        "sex": "female",
        "citizen_id": "001198012345",
        "ethnicity": "Kinh",
        "religion": "Không",
        "education_level": "university",
        "branch_id": tree["village"].pk,
        **changes,
    }


# ---- creating a candidate --------------------------------------------------------------


def test_creating_a_candidate_without_consent_is_409_on_the_consent_field(
    api: Api, tree: Any
) -> None:
    answer = api.post("/candidates", body(tree))
    assert answer.status == 409
    assert answer.error["code"] == "not_eligible"
    assert answer.error["message"] == NO_CONSENT
    assert answer.error["fields"] == {"consent": NO_CONSENT}
    assert not Candidate.objects.exists()


def test_creating_a_candidate_with_consent_answers_it(api: Api, tree: Any) -> None:
    consent = {"given_on": f"{TODAY:%Y-%m-%d}", "method": "paper"}
    answer = api.post("/candidates", body(tree, consent=consent))
    assert answer.status == 201, answer.body
    shown = answer.body["consent"]
    assert shown["notice_version"] == "1.0" and shown["given_on"] == f"{TODAY:%Y-%m-%d}"
    assert shown["active"] is True and shown["recorded_by"] == "Trần Văn Bí"
    assert Consent.objects.get().person_id == answer.body["person"]["id"]


def test_a_bad_consent_body_is_400_and_an_unknown_notice_version_too(api: Api, tree: Any) -> None:
    bad = api.post("/candidates", body(tree, consent={"given_on": "2026-02-30", "method": "x"}))
    assert bad.status == 400
    assert set(bad.error["fields"]) == {"consent.given_on", "consent.method"}
    unknown = api.post(
        "/candidates",
        body(
            tree,
            consent={"given_on": f"{TODAY:%Y-%m-%d}", "method": "paper", "notice_version": "7"},
        ),
    )
    assert unknown.status == 400
    assert unknown.error["fields"] == {
        "consent.notice_version": "Không có thông báo phiên bản này."
    }
    assert not Candidate.objects.exists()


def test_a_consent_given_tomorrow_is_409(api: Api, tree: Any) -> None:
    tomorrow = TODAY + timedelta(days=1)
    answer = api.post(
        "/candidates", body(tree, consent={"given_on": f"{tomorrow:%Y-%m-%d}", "method": "paper"})
    )
    assert answer.status == 409
    assert answer.error["fields"]["consent_given_on"] == "Ngày đồng ý không thể sau ngày hôm nay."


# ---- reads are logged ------------------------------------------------------------------


def test_reading_a_candidate_or_a_member_is_logged_once_per_request(
    api: Api, tree: Any, candidate: Candidate, secretary: Any
) -> None:
    member = make_member(branch=tree["village"])
    assert api.get(f"/candidates/{candidate.pk}").status == 200
    assert api.get(f"/members/{member.pk}").status == 200
    events = list(
        AccessEvent.objects.order_by("id").values_list("kind", "person_id", "user_id", "org_path")
    )
    assert events == [
        ("api", candidate.person_id, secretary.pk, candidate.org_path),
        ("api", member.person_id, secretary.pk, member.org_path),
    ]


def test_a_read_outside_the_subtree_is_404_and_not_logged(
    client: Client, tree: Any, candidate: Candidate
) -> None:
    outsider = Api(client, user_with_role(Role.BRANCH_SECRETARY, tree["other_branch"]))
    assert outsider.get(f"/candidates/{candidate.pk}").status == 404
    assert not AccessEvent.objects.exists()


# ---- consents --------------------------------------------------------------------------


def test_consents_are_recorded_listed_and_withdrawn(api: Api, candidate: Candidate) -> None:
    url = f"/privacy/persons/{candidate.person_id}/consents"
    made = api.post(url, {"given_on": f"{TODAY:%Y-%m-%d}", "method": "in_person"})
    assert made.status == 201 and made.body["method_label"] == "Trực tiếp với chi bộ, có biên bản"
    again = api.post(
        f"/privacy/consents/{made.body['id']}/withdraw", {"withdrawn_on": f"{TODAY:%Y-%m-%d}"}
    )
    assert again.status == 200 and again.body["active"] is False
    twice = api.post(
        f"/privacy/consents/{made.body['id']}/withdraw", {"withdrawn_on": f"{TODAY:%Y-%m-%d}"}
    )
    assert twice.status == 409 and "đã được rút lại" in twice.error["message"]
    assert [c["withdrawn_on"] for c in api.get(url).body] == [f"{TODAY:%Y-%m-%d}"]


def test_consent_endpoints_are_404_outside_and_403_for_a_viewer(
    client: Client, tree: Any, candidate: Candidate
) -> None:
    url = f"/privacy/persons/{candidate.person_id}/consents"
    data = {"given_on": f"{TODAY:%Y-%m-%d}", "method": "paper"}
    outsider = Api(client, user_with_role(Role.BRANCH_SECRETARY, tree["other_branch"]))
    assert outsider.get(url).status == 404
    assert outsider.post(url, data).status == 404
    viewer = Api(client, user_with_role(Role.LEADER, tree["commune"]))
    assert viewer.get(url).status == 200
    assert viewer.post(url, data).status == 403
    assert not Consent.objects.exists()


def test_the_notice_is_served(api: Api) -> None:
    answer = api.get("/privacy/notice")
    assert answer.status == 200 and answer.body["version"] == "1.0"
    assert api.get("/privacy/notice", version="8").status == 404


# ---- requests --------------------------------------------------------------------------


def test_a_request_goes_from_received_to_done(api: Api, candidate: Candidate) -> None:
    made = api.post(
        "/privacy/requests",
        {"person_id": candidate.person_id, "kind": "access", "received_on": f"{TODAY:%Y-%m-%d}"},
    )
    assert made.status == 201
    assert made.body["due_on"] == f"{TODAY + timedelta(days=3):%Y-%m-%d}"
    request_id = made.body["id"]
    assert api.post(f"/privacy/requests/{request_id}/start").body["state"] == "in_progress"
    listed = api.get("/privacy/requests", state="open")
    assert listed.body["count"] == 1 and listed.body["items"][0]["person_id"] == candidate.person_id
    data = api.get(f"/privacy/requests/{request_id}/data")
    assert data.status == 200 and data.body["extracted"].startswith("Trích xuất bởi Trần Văn Bí")
    assert AccessEvent.objects.filter(kind="api", person=candidate.person).count() == 1
    done = api.post(
        f"/privacy/requests/{request_id}/answer", {"state": "done", "answer": "Đã giao."}
    )
    assert done.status == 200 and done.body["state"] == "done"
    assert api.get("/privacy/requests", state="open").body["count"] == 0


def test_request_rules_answer_409_and_bad_input_400(api: Api, candidate: Candidate) -> None:
    made = actions.record_request(
        candidate.person, kind=RequestKind.DELETION, received_on=TODAY, by=api_user(api)
    )
    refused = api.post(f"/privacy/requests/{made.pk}/answer", {"state": "refused"})
    assert refused.status == 409 and refused.error["fields"] == {
        "answer": "Phải nêu lý do từ chối yêu cầu."
    }
    assert api.post(f"/privacy/requests/{made.pk}/answer", {"state": "maybe"}).status == 400
    assert api.get(f"/privacy/requests/{made.pk}/data").status == 409
    again = api.post(
        "/privacy/requests",
        {"person_id": candidate.person_id, "kind": "deletion", "received_on": f"{TODAY:%Y-%m-%d}"},
    )
    assert again.status == 409 and again.error["fields"].keys() == {"kind"}
    bad = api.post("/privacy/requests", {"person_id": candidate.person_id, "kind": "complain"})
    assert bad.status == 400 and {"kind", "received_on"} <= bad.error["fields"].keys()
    assert SubjectRequest.objects.count() == 1


def api_user(api: Api) -> Any:
    from dangvien.accounts.queries import user_for_token

    return user_for_token(api.headers["Authorization"].removeprefix("Bearer "))


def test_requests_are_404_outside_and_403_for_a_viewer(
    client: Client, tree: Any, candidate: Candidate, secretary: Any
) -> None:
    made = actions.record_request(
        candidate.person, kind=RequestKind.ACCESS, received_on=TODAY, by=secretary
    )
    outsider = Api(client, user_with_role(Role.BRANCH_SECRETARY, tree["other_branch"]))
    assert outsider.get(f"/privacy/requests/{made.pk}").status == 404
    assert outsider.get("/privacy/requests").body["count"] == 0
    new = {
        "person_id": candidate.person_id,
        "kind": "objection",
        "received_on": f"{TODAY:%Y-%m-%d}",
    }
    assert outsider.post("/privacy/requests", new).status == 404
    viewer = Api(client, user_with_role(Role.LEADER, tree["province"]))
    assert viewer.get(f"/privacy/requests/{made.pk}").status == 200
    assert viewer.post(f"/privacy/requests/{made.pk}/start").status == 403
    assert viewer.get(f"/privacy/requests/{made.pk}/data").status == 403
    assert viewer.post("/privacy/requests", new).status == 403
    assert not AccessEvent.objects.exists()
