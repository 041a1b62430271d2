"""Login, lockout and the production settings guard."""

import os
import subprocess
import sys

import pytest

from dangvien.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_login_with_the_right_password_opens_the_todo_page(client):
    UserFactory(username="bithu")
    response = client.post("/dang-nhap/", {"username": "bithu", "password": "mat-khau-thu-nghiem"})
    assert response.status_code == 302
    assert "Việc cần làm" in client.get("/").content.decode()


def test_a_wrong_password_is_refused_in_vietnamese(client):
    UserFactory(username="bithu")
    response = client.post("/dang-nhap/", {"username": "bithu", "password": "sai"})
    assert response.status_code == 200
    assert "mật khẩu chính xác" in response.content.decode()


def test_repeated_failures_lock_the_account_even_with_the_right_password(client):
    UserFactory(username="bithu")
    for _ in range(3):  # AXES_FAILURE_LIMIT in settings_test
        client.post("/dang-nhap/", {"username": "bithu", "password": "sai"})
    response = client.post("/dang-nhap/", {"username": "bithu", "password": "mat-khau-thu-nghiem"})
    assert "Tài khoản tạm khóa" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_passwords_are_hashed_with_argon2_in_production_settings():
    from dangvien import settings

    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def _import_settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "DANGVIEN_ENV")
    }
    return subprocess.run(
        [sys.executable, "-c", "import dangvien.settings"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_with_the_development_secret_key():
    result = _import_settings(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is the development key" in result.stderr


def test_production_starts_with_its_own_secret_key():
    assert _import_settings(DEBUG="0", SECRET_KEY="x" * 50).returncode == 0


def test_a_malformed_boolean_setting_stops_start_up_loudly():
    result = _import_settings(DEBUG="perhaps")
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_production_refuses_to_start_with_debug_on():
    result = _import_settings(DANGVIEN_ENV="production", DEBUG="1", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "DEBUG is on in production" in result.stderr
