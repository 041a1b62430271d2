"""The API survives schemathesis against its own OpenAPI schema (issue 9): no answer is a
500, and every answer matches what the schema declares (status code, content type, body).

Every operation gets schemathesis' coverage cases and a few generated requests, valid and
invalid (derandomized, so CI sees the same ones; about two minutes on SQLite, on one
test process: every operation is its own item, see the root conftest.py), sent
in-process to the WSGI app with the bearer token of a commune's grassroots staff who
has a candidate and a member in their subtree. The data lives in a module-wide
transaction rolled back at the end.

On PostgreSQL only (``make pg-test``, and CI's PostgreSQL step): the database the API
runs on in production, and the stricter of the two (integer ranges, text lengths,
row-level security under the application's role), so a 500 that SQLite alone would give
is none a user can meet. On SQLite the operations are not even collected (building
their cases takes about 13 s in every test process) and one skipped test says so; the
whole check cost a minute of every CI run twice.
"""

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from hypothesis import HealthCheck, Phase, settings

from dangvien.accounts.actions import issue_api_token
from dangvien.accounts.models import Role
from dangvien.api.api import api
from dangvien.api.schemas import DAY_PATTERN
from dangvien.factories import (
    built_once,
    make_candidate,
    make_member,
    tree_2025,
    user_with_role,
)
from dangvien.wsgi import application

# Both phases, valid and invalid requests alike: the coverage phase (each parameter's
# boundaries and wrong types, once) and a few generated requests per operation.
# The coverage phase also sends each path the methods it does not declare: DELETE and PUT
# only (the writing ones), not all eight, which would add a third to the run's time.
CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"max-examples": 3},
        "phases": {"coverage": {"unexpected-methods": ["delete", "put"]}},
    }
)
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(), config=CONFIG)
schema.app = application

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]


@pytest.fixture(scope="module")
def bearer(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """The Authorization header of the staff user, over a small tree with some data.

    Django's test client keeps the connection open across requests by disconnecting
    ``close_old_connections``; the WSGI app is called directly here, so this does the same
    (else the end of a request would close the connection inside the open transaction).
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)

    def build() -> str:
        tree = tree_2025()
        user = user_with_role(Role.GRASSROOTS_STAFF, tree["commune"])
        make_candidate(branch=tree["village"])
        make_member(branch=tree["village"])
        raw, _token = issue_api_token(user, by=user)
        return f"Bearer {raw}"

    try:
        yield from built_once(django_db_blocker, build)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


ON_POSTGRES = connection.vendor == "postgresql"

if ON_POSTGRES:

    @schema.parametrize()
    @settings(
        max_examples=3,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def test_the_api_answers_as_its_schema_says(case: Any, bearer: str, db: None) -> None:
        case.call_and_validate(headers={"Authorization": bearer}, checks=CHECKS)

else:

    @pytest.mark.postgres
    def test_the_api_answers_as_its_schema_says() -> None:
        """Not collected on SQLite (see the module docstring): the marker skips it."""
        raise AssertionError("runs on PostgreSQL only")


def test_no_response_is_declared_twice_under_the_same_status() -> None:
    """A status both as the number ninja writes and as a string from ``openapi_extra``
    becomes a duplicated key in the JSON, which breaks the docs page."""
    twice: list[str] = []

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _value in pairs]
        twice.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(pairs)

    json.loads(json.dumps(api.get_openapi_schema()), object_pairs_hook=no_duplicates)
    assert twice == []


def test_the_date_range_is_in_the_schema() -> None:
    fields = api.get_openapi_schema()["components"]["schemas"]["NewCandidateIn"]["properties"]
    assert fields["birth_date"]["pattern"] == DAY_PATTERN
    assert re.fullmatch(DAY_PATTERN, "2100-12-31") and not re.fullmatch(DAY_PATTERN, "2101-01-01")
    assert not re.fullmatch(DAY_PATTERN, "1899-12-31")


@pytest.mark.postgres
def test_every_operation_is_an_item_of_its_own(request: pytest.FixtureRequest) -> None:
    """One id an operation: under pytest-xdist items sharing an id run once for all (the
    root conftest.py puts the operation back into the id that schemathesis loses)."""
    ids = [
        item.nodeid
        for item in request.session.items
        if "test_schemathesis.py::test_the_api_answers_as_its_schema_says" in item.nodeid
    ]
    assert ids or request.config.getoption("keyword"), "no schemathesis item collected"
    assert len(ids) == len(set(ids))
    assert all(re.search(r"\[[A-Z]+ /api/v1/[^]]*\]$", nodeid) for nodeid in ids), ids[:3]
