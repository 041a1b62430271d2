"""The scope of each request, and the app's pages under the application's role (PostgreSQL).

The test client runs the request on the test's own connection, so after ``as_app()`` every
query of the request runs as ``settings.DB_APP_ROLE`` with the scope the middleware sets.
"""

import json
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from dangvien.accounts.actions import issue_api_token
from dangvien.accounts.models import Role
from dangvien.candidates.models import Introducer
from dangvien.factories import make_candidate, make_member, user_with_role
from dangvien.members.models import Transfer, TransferKind
from dangvien.rowsecurity import scope
from dangvien.rowsecurity.tests import fixtures

pytestmark = [pytest.mark.postgres, pytest.mark.django_db, pytest.mark.as_owner]
as_app = fixtures.as_app

TEST_PAGES = "dangvien.rowsecurity.tests.urls"


@pytest.fixture(autouse=True)
def _no_second_factor(settings: Any) -> None:
    """The second factor has its own tests (accounts); here the pages behind it matter."""
    settings.SECOND_FACTOR_REQUIRED = False


@pytest.fixture
def cast(tree: dict[str, Any]) -> dict[str, Any]:
    """Members and candidates in both communes, and a viewer at the first one."""
    here = [make_member(branch=tree["village"]), make_member(branch=tree["school_branch"])]
    there = make_member(branch=tree["other_branch"])
    return {
        "here": here,
        "there": there,
        "candidate": make_candidate(branch=tree["village"]),
        "candidate_there": make_candidate(branch=tree["other_branch"]),
        "viewer": user_with_role(Role.LEADER, tree["commune"]),
    }


def _scope_setting() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('dangvien.scope', true)")
        return str(cursor.fetchone()[0] or "")


@pytest.mark.urls(TEST_PAGES)
def test_a_view_that_forgot_its_filter_shows_only_the_users_subtree(client, cast, as_app):
    client.force_login(cast["viewer"])
    with as_app():
        names = client.get("/every-member/").json()["names"]
    assert names == sorted(str(m.person) for m in cast["here"])


@pytest.mark.urls(TEST_PAGES)
def test_an_anonymous_request_sees_nothing(client, cast, as_app):
    with as_app():
        assert client.get("/every-member/").json()["names"] == []


@pytest.mark.urls(TEST_PAGES)
def test_the_scope_is_set_during_the_request_and_cleared_after(client, cast, tree):
    client.force_login(cast["viewer"])
    assert client.get("/scope-now/").json()["scope"] == tree["commune"].path
    assert _scope_setting() == ""
    assert scope.current() == ""


@pytest.mark.urls(TEST_PAGES)
def test_the_scope_is_cleared_when_the_view_fails(cast):
    client = Client(raise_request_exception=False)
    client.force_login(cast["viewer"])
    assert client.get("/fails/").status_code == 500
    assert _scope_setting() == ""


@pytest.mark.urls(TEST_PAGES)
def test_a_streamed_response_reads_in_the_users_scope(client, cast, as_app):
    client.force_login(cast["viewer"])
    with as_app():
        response = client.get("/streamed/")
        body = b"".join(response.streaming_content).decode()
    assert sorted(body.splitlines()) == sorted(str(m.person) for m in cast["here"])
    assert _scope_setting() == ""


@pytest.mark.urls(TEST_PAGES)
def test_a_superuser_request_sees_every_row(client, cast, as_app, django_user_model):
    admin = django_user_model.objects.create_user("quantri", is_superuser=True, is_staff=True)
    client.force_login(admin)
    with as_app():
        names = client.get("/every-member/").json()["names"]
    assert len(names) == 3


def test_an_api_call_with_a_bearer_token_is_scoped(client, cast, as_app):
    raw, _token = issue_api_token(cast["viewer"], by=cast["viewer"])
    with as_app():
        response = client.get("/api/v1/members", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["count"] == 2
    assert {item["id"] for item in body["items"]} == {m.pk for m in cast["here"]}


def test_the_pages_work_under_the_app_role_with_the_right_counts(client, cast, tree, as_app):
    """A commune user: member and candidate lists and pages, the structure statistics."""
    client.force_login(cast["viewer"])
    member, candidate = cast["here"][0], cast["candidate"]
    with as_app():
        members = client.get("/dang-vien/")
        one = client.get(f"/dang-vien/{member.pk}/")
        other = client.get(f"/dang-vien/{cast['there'].pk}/")
        candidates = client.get("/quan-chung/")
        dossier = client.get(f"/quan-chung/{candidate.pk}/")
        structure = client.get(f"/thong-ke/{tree['commune'].pk}/co-cau/")
        searched = client.get("/dang-vien/", {"q": member.person.given_name})
    assert members.status_code == 200
    assert members.context["page"].paginator.count == 2
    assert one.status_code == 200 and str(member.person) in one.content.decode()
    assert other.status_code == 404
    assert candidates.status_code == 200
    assert candidates.context["page"].paginator.count == 1
    assert dossier.status_code == 200 and str(candidate.person) in dossier.content.decode()
    assert structure.status_code == 200
    assert structure.context["result"].figures.total == 2
    assert searched.status_code == 200
    assert member in searched.context["page"].object_list


def test_a_member_coming_from_another_commune_shows_at_the_destination(client, cast, tree, as_app):
    there = cast["there"]
    Transfer.objects.create(
        member=there,
        kind=TransferKind.PERMANENT,
        from_branch=tree["other_branch"],
        to_organisation=tree["village"],
        to_path=tree["village"].path,
        to_name=tree["village"].name,
        letter_no="GT-7",
        issued_on=date(2025, 1, 2),
        present_by=date(2025, 2, 14),
    )
    client.force_login(cast["viewer"])
    with as_app():
        page = client.get(f"/dang-vien/{there.pk}/")
    assert page.status_code == 200
    assert str(there.person) in page.content.decode()


def test_an_introducer_from_a_sibling_branch_shows_on_the_candidate_page(client, tree, as_app):
    """A branch secretary reads the member of the other chi bộ who introduced the candidate."""
    candidate = make_candidate(branch=tree["village"])
    commune_branch = _sibling_branch(tree)
    introducer = make_member(branch=commune_branch)
    Introducer.objects.create(candidate=candidate, member=introducer, known_since=date(2024, 1, 1))
    secretary = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    client.force_login(secretary)
    with as_app():
        page = client.get(f"/quan-chung/{candidate.pk}/")
    assert page.status_code == 200
    assert str(introducer.person) in page.content.decode()


def _sibling_branch(tree: dict[str, Any]) -> Any:
    from dangvien.factories import org
    from dangvien.organisations.models import Kind

    return org(Kind.BRANCH, tree["commune"], name="Chi bộ thôn Bắc")
