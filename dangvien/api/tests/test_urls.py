from typing import Any


def test_an_unknown_path_under_the_api_answers_404_in_the_error_shape(
    as_user: Any, secretary: Any
) -> None:
    answer = as_user(secretary).get("/no-such-thing")
    assert answer.status == 404
    assert answer.error["code"] == "not_found"


def test_a_wrong_method_answers_405_in_the_error_shape(client: Any, secretary: Any) -> None:
    response = client.put("/api/v1/candidates")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert set(response["Allow"].split(", ")) == {"GET", "POST"}
