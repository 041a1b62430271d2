from typing import Any

from dangvien.api.api import api

FIXED_PATHS = {
    "/api/v1/auth/token": {"post"},
    "/api/v1/auth/token/revoke": {"post"},
    "/api/v1/organisations": {"get"},
    "/api/v1/organisations/{organisation_id}": {"get"},
    "/api/v1/candidates": {"get", "post"},
    "/api/v1/candidates/{candidate_id}": {"get"},
    "/api/v1/members": {"get"},
    "/api/v1/members/{member_id}": {"get"},
    **{
        f"/api/v1/candidates/{{candidate_id}}/{move}": {"post"}
        for move in [
            "start-course",
            "certify",
            "open-dossier",
            "record-background-check",
            "introducers",
            "over-age-approval",
            "record-branch-vote",
            "record-grassroots-vote",
            "extend-deadline",
            "decide-admission",
            "hold-ceremony",
            "withdraw",
        ]
    },
}


def test_the_schema_lists_every_path_with_its_body_and_answers(client: Any, db: Any) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    for path, methods in FIXED_PATHS.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), path
        for method in methods:
            codes = set(schema["paths"][path][method]["responses"])
            assert codes & {"200", "201", "204"}, (path, method)
            if path != "/api/v1/auth/token":
                assert "401" in codes, (path, method)
    vote = schema["paths"]["/api/v1/candidates/{candidate_id}/record-branch-vote"]["post"]
    assert "requestBody" in vote
    assert {"401", "403", "404", "409"} <= set(vote["responses"])
    assert "bearer" in str(schema["components"]["securitySchemes"]).lower()


def test_every_candidate_move_has_an_endpoint() -> None:
    from dangvien.candidates.moves import MOVES

    paths = api.get_openapi_schema()["paths"]
    for move in MOVES:
        assert f"/api/v1/candidates/{{candidate_id}}/{move}" in paths


def test_the_docs_page_works_offline(client: Any, db: Any) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/api/v1/openapi.json" in html
    assert "https://" not in html and "http://" not in html
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js"):
        assert f"/api/v1/docs/assets/{asset}" in html
        served = client.get(f"/api/v1/docs/assets/{asset}")
        assert served.status_code == 200
        served.close()
    assert client.get("/api/v1/docs/assets/..%2Fsettings.py").status_code == 404
