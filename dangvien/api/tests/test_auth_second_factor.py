"""``POST /auth/token`` and the second factor (issue 9): users whose role decides get a
token only with a valid ``otp``; a wrong code counts as a failed login."""

from typing import Any

import pytest
from django.utils import timezone

from dangvien.accounts.models import ApiToken, AuthenticatorApp, Role
from dangvien.accounts.tests.helpers import (  # noqa: F401 (fixture)
    PASSWORD,
    app_code,
    enrol,
    second_factor_on,
)
from dangvien.factories import user_with_role

pytestmark = pytest.mark.usefixtures("second_factor_on")


def _token(as_user: Any, user: Any, **extra: Any) -> Any:
    return as_user(None).post(
        "/auth/token", {"username": user.username, "password": PASSWORD, **extra}
    )


def test_without_the_code_a_secretary_gets_401_second_factor_required(
    as_user: Any, secretary: Any
) -> None:
    enrol(secretary)
    answer = _token(as_user, secretary)
    assert answer.status == 401
    assert answer.error["code"] == "second_factor_required"
    assert "xác thực hai lớp" in answer.error["message"]
    assert answer.error["fields"] == {"otp": "Thiếu mã xác thực hai lớp."}
    assert not ApiToken.objects.exists()


def test_with_the_code_of_the_app_the_token_is_issued_and_opens_the_api(
    as_user: Any, secretary: Any
) -> None:
    device, _codes = enrol(secretary)
    answer = _token(as_user, secretary, otp=app_code(device))
    assert answer.status == 200
    api = as_user(None)
    api.headers["Authorization"] = f"Bearer {answer.body['token']}"
    assert api.get("/candidates").status == 200


def test_a_backup_code_works_once(as_user: Any, secretary: Any) -> None:
    _device, codes = enrol(secretary)
    assert _token(as_user, secretary, otp=codes[0]).status == 200
    assert _token(as_user, secretary, otp=codes[0]).error["code"] == "second_factor_invalid"


def test_a_wrong_code_answers_401_second_factor_invalid_in_vietnamese(
    as_user: Any, secretary: Any
) -> None:
    enrol(secretary)
    answer = _token(as_user, secretary, otp="000000")
    assert answer.status == 401
    assert answer.error["code"] == "second_factor_invalid"
    assert answer.error["message"] == "Mã xác thực hai lớp không đúng hoặc đã hết hạn."
    assert not ApiToken.objects.exists()


def test_while_the_device_is_throttled_even_the_right_code_waits(
    as_user: Any, secretary: Any
) -> None:
    device, _codes = enrol(secretary)
    AuthenticatorApp.objects.filter(pk=device.pk).update(
        throttling_failure_count=4, throttling_failure_timestamp=timezone.now()
    )
    answer = _token(as_user, secretary, otp=app_code(device))
    assert answer.status == 401
    assert answer.error["code"] == "second_factor_invalid"
    assert "chờ" in answer.error["message"]


def test_wrong_codes_count_towards_the_lockout(as_user: Any, secretary: Any, settings: Any) -> None:
    device, _codes = enrol(secretary)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        AuthenticatorApp.objects.filter(pk=device.pk).update(throttling_failure_count=0)
        assert _token(as_user, secretary, otp="000000").status == 401
    AuthenticatorApp.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    answer = _token(as_user, secretary, otp="000000")
    assert answer.status == 403
    assert answer.error["code"] == "locked_out"
    assert _token(as_user, secretary, otp=app_code(device)).status == 403


def test_a_user_who_must_and_has_no_device_is_told_to_set_it_up_on_the_site(
    as_user: Any, secretary: Any
) -> None:
    answer = _token(as_user, secretary, otp="123456")
    assert answer.status == 401
    assert answer.error["code"] == "second_factor_required"
    assert "thiết lập" in answer.error["message"]


def test_a_leader_without_a_device_still_gets_a_token_with_the_password(
    as_user: Any, leader: Any
) -> None:
    assert _token(as_user, leader).status == 200


def test_the_token_request_documents_the_otp_field(client: Any, tree: Any) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    body = schema["paths"]["/api/v1/auth/token"]["post"]["requestBody"]["content"]
    ref = body["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "otp" in schema["components"]["schemas"][ref]["properties"]


def test_a_superuser_needs_the_code_too(as_user: Any, tree: Any) -> None:
    admin = user_with_role(Role.LEADER, tree["province"], is_superuser=True)
    device, _codes = enrol(admin)
    assert _token(as_user, admin).error["code"] == "second_factor_required"
    assert _token(as_user, admin, otp=app_code(device)).status == 200
