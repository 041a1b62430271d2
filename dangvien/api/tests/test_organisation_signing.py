"""PATCH /organisations/{id} with the document signing fields (issue 8)."""

import json

import pytest

from dangvien.accounts.models import Role
from dangvien.factories import user_with_role

pytestmark = pytest.mark.django_db


def test_the_api_patch_sets_the_signing_fields(as_user, tree):
    api = as_user(user_with_role(Role.GRASSROOTS_STAFF, tree["commune"]))
    response = api.client.patch(
        f"/api/v1/organisations/{tree['commune'].pk}",
        json.dumps(
            {"document_symbol": "ĐU", "place_name": "An Bình", "term_started_on": "2025-08-15"}
        ),
        content_type="application/json",
        headers=api.headers,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["document_symbol"], body["place_name"]) == ("ĐU", "An Bình")
    assert body["term_started_on"] == "2025-08-15"


def test_a_bad_symbol_answers_409_with_the_field(as_user, tree):
    api = as_user(user_with_role(Role.GRASSROOTS_STAFF, tree["commune"]))
    response = api.client.patch(
        f"/api/v1/organisations/{tree['commune'].pk}",
        json.dumps({"document_symbol": "QĐ/ĐU"}),
        content_type="application/json",
        headers=api.headers,
    )
    assert response.status_code == 409
    assert response.json()["error"]["fields"] == {
        "document_symbol": response.json()["error"]["fields"]["document_symbol"]
    }
