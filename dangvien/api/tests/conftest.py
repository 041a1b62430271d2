"""The cast for API tests: a small 2025-style tree, users at several levels, and a client
that speaks JSON with a bearer token."""

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from dangvien.accounts.actions import issue_api_token
from dangvien.accounts.models import Role, User
from dangvien.candidates.models import Candidate

# Fixtures of the exams tests the exams API tests share (pytest finds them by name here).
from dangvien.exams.tests.fixtures import clear_cache, committee, staff  # noqa: F401
from dangvien.factories import (
    make_candidate,
    make_member,
    user_with_role,
)
from dangvien.members.models import Member
from dangvien.organisations.models import Organisation


# Typed front doors to the factories (factory_boy's calls are untyped).
@dataclass
class Answer:
    status: int
    body: Any

    @property
    def error(self) -> dict[str, Any]:
        return self.body["error"]


class Api:
    """JSON in, JSON out, as one user (or anonymous)."""

    def __init__(self, client: Client, user: User | None = None) -> None:
        self.client = client
        self.headers = {}
        if user is not None:
            raw, _token = issue_api_token(user, by=user)
            self.headers["Authorization"] = f"Bearer {raw}"

    def _answer(self, response: Any) -> Answer:
        body = json.loads(response.content) if response.content else None
        return Answer(response.status_code, body)

    def get(self, path: str, **params: Any) -> Answer:
        return self._answer(self.client.get(f"/api/v1{path}", params, headers=self.headers))

    def post(self, path: str, body: Any = None, raw: str | None = None) -> Answer:
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        response = self.client.post(
            f"/api/v1{path}", data, content_type="application/json", headers=self.headers
        )
        return self._answer(response)

    def delete(self, path: str) -> Answer:
        return self._answer(self.client.delete(f"/api/v1{path}", headers=self.headers))


@pytest.fixture
def as_user(client: Client) -> Any:
    def make(user: User | None) -> Api:
        return Api(client, user)

    return make


@pytest.fixture
def secretary(tree: dict[str, Organisation]) -> User:
    """Secretary of the village branch (directly under the commune: no grassroots đảng ủy)."""
    return user_with_role(Role.BRANCH_SECRETARY, tree["village"])


@pytest.fixture
def school_secretary(tree: dict[str, Organisation]) -> User:
    """Secretary of a branch under a đảng bộ cơ sở (the school)."""
    return user_with_role(Role.BRANCH_SECRETARY, tree["school_branch"])


@pytest.fixture
def school_staff(tree: dict[str, Organisation]) -> User:
    return user_with_role(Role.GRASSROOTS_STAFF, tree["school"])


@pytest.fixture
def board(tree: dict[str, Organisation]) -> User:
    """Organisation board staff of the commune committee: decides admissions."""
    return user_with_role(Role.BOARD_STAFF, tree["commune"])


@pytest.fixture
def leader(tree: dict[str, Organisation]) -> User:
    return user_with_role(Role.LEADER, tree["province"])


@pytest.fixture
def outsider(tree: dict[str, Organisation]) -> User:
    """Secretary of a branch in another commune."""
    return user_with_role(Role.BRANCH_SECRETARY, tree["other_branch"])


def official_members(branch: Organisation, n: int) -> list[Member]:
    return [make_member(branch=branch) for _ in range(n)]


def queries_used(call: Any) -> int:
    """How many SQL queries ``call()`` runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def candidate_ready_for_branch_vote(branch: Organisation, **fields: Any) -> Candidate:
    """A candidate with everything the branch vote needs, in a branch of 3 official
    members, two of whom introduce them."""
    from datetime import date

    from dangvien.candidates.models import BackgroundCheck, Introducer, Stage

    members = official_members(branch, 3)
    candidate = make_candidate(
        branch=branch,
        stage=Stage.BACKGROUND_CHECKED,
        certificate_no="CN-01",
        certificate_issued_on=date(2026, 2, 10),
        application_on=date(2026, 3, 1),
        declaration_on=date(2026, 3, 5),
        **fields,
    )
    BackgroundCheck.objects.create(
        candidate=candidate, completed_on=date(2026, 4, 1), outcome="clear"
    )
    for member in members[:2]:
        Introducer.objects.create(candidate=candidate, member=member, known_since=date(2025, 1, 1))
    return candidate
