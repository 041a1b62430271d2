"""Shared pieces of the accounts tests: the second factor switched on, a user with an
authenticator app and backup codes, the code the app would show."""

import time
from typing import Any

import pytest
from django.test import Client
from django_otp.oath import TOTP

from dangvien.accounts.actions import issue_backup_codes
from dangvien.accounts.models import AuthenticatorApp, User

PASSWORD = "mat-khau-thu-nghiem"  # dangvien.factories.UserFactory


@pytest.fixture
def second_factor_on(settings: Any) -> Any:
    """The suite runs with SECOND_FACTOR_REQUIRED off (settings_test); these tests not."""
    settings.SECOND_FACTOR_REQUIRED = True
    return settings


def app_code(device: AuthenticatorApp, *, steps_ahead: int = 0) -> str:
    """The 6 digits the authenticator app shows now (or ``steps_ahead`` × 30 s later:
    a code is accepted once only, so a second login in the same 30 s needs the next)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enrol(user: User) -> tuple[AuthenticatorApp, list[str]]:
    """An authenticator app and ten backup codes, as the set-up page leaves them."""
    device = AuthenticatorApp.objects.create(user=user, name="Ứng dụng xác thực", confirmed=True)
    return device, issue_backup_codes(user, by=user)


def log_in(client: Client, user: User, **extra: Any) -> Any:
    """The password step, through the login page (``extra``: e.g. REMOTE_ADDR)."""
    return client.post("/dang-nhap/", {"username": user.username, "password": PASSWORD}, **extra)
