"""Authenticator-app secrets encrypted at rest (issue 9): the column, the codes, the
migration that moved django-otp's plain devices, and key rotation."""

import importlib
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangvien.accounts.actions import verify_second_factor
from dangvien.accounts.models import AuthenticatorApp, Role
from dangvien.accounts.tests.helpers import (  # noqa: F401 (fixture)
    app_code,
    log_in,
    second_factor_on,
)
from dangvien.core import crypto
from dangvien.factories import user_with_role

pytestmark = pytest.mark.django_db

migration = importlib.import_module(
    "dangvien.accounts.migrations.0004_authenticator_app_encrypted_key"
)

KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test secret


def stored_key(device: Any) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM accounts_authenticatorapp WHERE id = %s", [device.pk])
        return str(cursor.fetchone()[0])


def test_the_column_holds_no_secret_and_a_code_from_the_secret_verifies(tree):
    user = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    device = AuthenticatorApp.objects.create(user=user, name="Điện thoại", confirmed=True)
    secret = str(device.key)
    assert len(secret) == 40 and bytes.fromhex(secret)  # 20 random bytes, as hex

    column = stored_key(device)
    assert column.startswith(f"v1:{crypto.primary_key_id()}:")
    assert secret not in column
    again = AuthenticatorApp.objects.get(pk=device.pk)
    assert again.key == secret
    assert verify_second_factor(user, app_code(again)) == again


def test_a_wrong_code_is_refused_and_counts_on_the_throttle(tree):
    user = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    device = AuthenticatorApp.objects.create(user=user, name="Điện thoại", key=KEY)
    wrong = f"{(int(app_code(device)) + 1) % 10**6:06d}"
    assert verify_second_factor(user, wrong) is None
    assert AuthenticatorApp.objects.get(pk=device.pk).throttling_failure_count == 1


def test_saving_a_device_read_back_keeps_its_token(tree):
    """Verifying saves the device (last step, drift): the secret is not encrypted anew
    each time, so the audit trail records no change of it."""
    user = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    device = AuthenticatorApp.objects.create(user=user, name="Điện thoại", key=KEY)
    before = stored_key(device)
    read = AuthenticatorApp.objects.get(pk=device.pk)
    assert read.verify_token(app_code(read))
    assert stored_key(device) == before


@pytest.mark.usefixtures("second_factor_on")
def test_the_migration_moves_a_plain_device_and_its_user_logs_in_with_the_same_app(
    client: Client, tree: Any
) -> None:
    user = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    made = timezone.now() - timedelta(days=400)
    plain = TOTPDevice.objects.create(user=user, name="Điện thoại cũ", key=KEY, confirmed=True)
    TOTPDevice.objects.filter(pk=plain.pk).update(created_at=made)

    migration.move_to_authenticator_apps(apps, None)

    assert not TOTPDevice.objects.exists()
    moved = AuthenticatorApp.objects.get(user=user)
    assert (moved.name, moved.key, moved.confirmed) == ("Điện thoại cũ", KEY, True)
    assert moved.created_at == made
    assert KEY not in stored_key(moved)
    log_in(client, user)
    answer = client.post("/xac-thuc/", {"code": app_code(moved), "next": "/"})
    assert answer["Location"] == "/"


def test_the_migration_keeps_the_last_step_so_a_code_used_before_is_still_refused(tree):
    user = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    plain = TOTPDevice.objects.create(user=user, name="Điện thoại", key=KEY, confirmed=True)
    code = app_code(plain)
    assert plain.verify_token(code)

    migration.move_to_authenticator_apps(apps, None)

    assert verify_second_factor(user, code) is None


def test_the_migration_reversed_gives_the_plain_device_back(tree):
    user = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    AuthenticatorApp.objects.create(user=user, name="Điện thoại", key=KEY, confirmed=True)

    migration.move_back_to_totp_devices(apps, None)

    assert not AuthenticatorApp.objects.exists()
    assert TOTPDevice.objects.get(user=user).key == KEY


def test_key_rotation_rewrites_the_secrets_under_the_new_key(tree, settings):
    old, new = crypto.new_key(), crypto.new_key()
    settings.FIELD_ENCRYPTION_KEYS = [f"old={old}"]
    user = user_with_role(Role.BRANCH_SECRETARY, tree["village"])
    device = AuthenticatorApp.objects.create(user=user, name="Điện thoại", key=KEY)
    assert stored_key(device).startswith("v1:old:")

    settings.FIELD_ENCRYPTION_KEYS = [f"new={new}", f"old={old}"]
    out = StringIO()
    call_command("rotate_field_keys", stdout=out)
    assert "accounts.AuthenticatorApp.key: 1 dòng, đã mã hóa lại 1" in out.getvalue()
    assert stored_key(device).startswith("v1:new:")
    settings.FIELD_ENCRYPTION_KEYS = [f"new={new}"]
    assert verify_second_factor(user, app_code(device)) is not None
