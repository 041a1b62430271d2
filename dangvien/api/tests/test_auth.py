from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from dangvien.accounts.models import ApiToken, Role
from dangvien.factories import user_with_role

PASSWORD = "mat-khau-thu-nghiem"  # dangvien.factories.UserFactory


def test_a_right_password_gets_a_token_that_opens_the_api(as_user: Any, secretary: Any) -> None:
    anonymous = as_user(None)
    answer = anonymous.post("/auth/token", {"username": secretary.username, "password": PASSWORD})
    assert answer.status == 200
    expires_at = datetime.fromisoformat(answer.body["expires_at"])
    assert expires_at.utcoffset() is not None
    assert timedelta(hours=7) < expires_at - timezone.now() <= timedelta(hours=8)

    anonymous.headers["Authorization"] = f"Bearer {answer.body['token']}"
    assert anonymous.get("/organisations").status == 200


def test_a_wrong_password_answers_401_in_the_error_shape(as_user: Any, secretary: Any) -> None:
    answer = as_user(None).post("/auth/token", {"username": secretary.username, "password": "sai"})
    assert answer.status == 401
    assert answer.error["code"] == "unauthenticated"
    assert answer.error["message"] == "Sai tên đăng nhập hoặc mật khẩu."
    assert answer.error["fields"] == {}
    assert not ApiToken.objects.exists()


def test_a_missing_password_answers_400_naming_the_field(as_user: Any, secretary: Any) -> None:
    answer = as_user(None).post("/auth/token", {"username": secretary.username})
    assert answer.status == 400
    assert answer.error["code"] == "invalid"
    assert answer.error["fields"] == {"password": "Thiếu thông tin bắt buộc."}


def test_an_inactive_user_gets_no_token(as_user: Any, tree: Any) -> None:
    user = user_with_role(Role.LEADER, tree["province"], is_active=False)
    answer = as_user(None).post("/auth/token", {"username": user.username, "password": PASSWORD})
    assert answer.status == 401


def test_requests_without_a_token_answer_401(as_user: Any, tree: Any) -> None:
    answer = as_user(None).get("/candidates")
    assert answer.status == 401
    assert answer.error["code"] == "unauthenticated"


def test_a_made_up_token_answers_401(as_user: Any, tree: Any) -> None:
    api = as_user(None)
    api.headers["Authorization"] = "Bearer not-a-real-token"
    assert api.get("/members").status == 401


def test_an_expired_token_answers_401(as_user: Any, secretary: Any) -> None:
    api = as_user(secretary)
    assert api.get("/candidates").status == 200
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    answer = api.get("/candidates")
    assert answer.status == 401
    assert answer.error["code"] == "unauthenticated"


def test_a_revoked_token_answers_401_and_others_keep_working(as_user: Any, secretary: Any) -> None:
    first, second = as_user(secretary), as_user(secretary)
    answer = first.post("/auth/token/revoke")
    assert answer.status == 204
    assert first.get("/candidates").status == 401
    assert second.get("/candidates").status == 200


def test_repeated_failures_lock_the_account_with_403_never_500(
    as_user: Any, secretary: Any, settings: Any
) -> None:
    anonymous = as_user(None)
    wrong = {"username": secretary.username, "password": "sai"}
    statuses = [
        anonymous.post("/auth/token", wrong).status for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses[:-1] == [401] * (settings.AXES_FAILURE_LIMIT - 1)
    assert statuses[-1] == 403

    answer = anonymous.post("/auth/token", {"username": secretary.username, "password": PASSWORD})
    assert answer.status == 403
    assert answer.error["code"] == "locked_out"
    assert "khóa" in answer.error["message"]
    assert not ApiToken.objects.exists()


def test_the_login_session_also_opens_the_api(client: Any, secretary: Any) -> None:
    client.force_login(secretary)
    assert client.get("/api/v1/candidates").status_code == 200


def test_a_session_write_without_its_csrf_token_answers_403(secretary: Any, tree: Any) -> None:
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(secretary)
    response = browser.post(
        "/api/v1/candidates/1/withdraw", {"reason": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]


def test_a_bearer_call_looks_its_token_up_once(as_user: Any, secretary: Any) -> None:
    """The row-level security middleware (PostgreSQL) and the API's authentication both
    need the token's user: the second asks the request, not the database."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    anonymous = as_user(None)
    answer = anonymous.post("/auth/token", {"username": secretary.username, "password": PASSWORD})
    anonymous.headers["Authorization"] = f"Bearer {answer.body['token']}"
    table = ApiToken._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        assert anonymous.get("/organisations").status == 200
    lookups = [q["sql"] for q in queries if f'FROM "{table}"' in q["sql"]]
    assert len(lookups) == 1, lookups
