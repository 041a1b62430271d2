"""Writes to accounts: roles, API tokens, second factors, passwords."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp_webauthn.models import WebAuthnCredential

from dangvien.accounts.models import (
    ApiToken,
    AuthenticatorApp,
    DemoDatabase,
    RoleAssignment,
    User,
)
from dangvien.accounts.queries import (
    digest,
    must_use_second_factor,
    second_factor_wait,
    second_factors,
)
from dangvien.core import audit
from dangvien.core.actions import action
from dangvien.core.errors import NotEligible
from dangvien.organisations.models import Organisation


@action
def assign_role(
    user: User, *, organisation: Organisation, role: str, by: User | None
) -> RoleAssignment:
    assignment, _created = RoleAssignment.objects.update_or_create(
        user=user, organisation=organisation, role=role, defaults={"active": True}
    )
    return assignment


@action
def issue_api_token(user: User, *, by: User) -> tuple[str, ApiToken]:
    """A new bearer token (API.md: expires after ``API_TOKEN_HOURS``, default 8)."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        digest=digest(raw),
        expires_at=timezone.now() + timedelta(hours=settings.API_TOKEN_HOURS),
    )
    return raw, token


@action
def revoke_api_token(raw_token: str, *, by: User) -> int:
    return ApiToken.objects.filter(
        digest=digest(raw_token), user=by, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())


# ---- passwords ---------------------------------------------------------------------------


@action
def change_password(user: User, *, new_password: str, by: User) -> int:
    """Set a new password (OWASP ASVS 5.0 V6.2.2; the page checks the current one first,
    V6.2.3, and the validators of settings.AUTH_PASSWORD_VALIDATORS the new one). The
    user's other sessions end with the old password's hash (Django's session hash); their
    API tokens are revoked here (V7.4.3). Answers how many tokens were revoked."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


# ---- demo database (issue 9) -------------------------------------------------------------


@action
def mark_demo_database(*, by: User | None = None) -> DemoDatabase:
    """Mark this database as demonstration data: only then does ``second_factor_exempt``
    let a user in without a second factor. Called by the demo seeding (core/demo.py)."""
    mark, _created = DemoDatabase.objects.get_or_create(pk=1)
    return mark


@action
def exempt_from_second_factor(user: User, *, by: User | None = None) -> None:
    """Let a demo user log in with the password alone. Honoured only while the database
    is marked as a demo (``mark_demo_database``); in a real database the flag is inert."""
    User.objects.filter(pk=user.pk).update(second_factor_exempt=True)
    user.second_factor_exempt = True


# ---- second factor (issue 9) -------------------------------------------------------------

BACKUP_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
BACKUP_CODE_LENGTH = 10  # 10 × log2(31) ≈ 49.5 bits each (OWASP ASVS 5.0 V6.5.4: ≥ 20)


def normalise_code(code: str) -> str:
    """What a user types, ready to check: no spaces or dashes, lower case."""
    return "".join(ch for ch in code.lower() if ch.isalnum())


def backup_code_digest(code: str) -> str:
    """How a backup code is stored in django-otp's StaticToken (16 characters): a keyed
    HMAC of the code, so a copy of the database alone reveals no usable code (OWASP ASVS
    5.0 V6.5.2 asks for a salted password hash; a keyed hash is the nearest that
    django-otp's look-up by equality allows [U]). Changing SECRET_KEY voids the codes."""
    return salted_hmac("dangvien.accounts.backup-code", normalise_code(code)).hexdigest()[:16]


def _readable(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def _new_backup_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Mã dự phòng", confirmed=True)
    codes = [
        "".join(secrets.choice(BACKUP_CODE_ALPHABET) for _ in range(BACKUP_CODE_LENGTH))
        for _ in range(settings.BACKUP_CODE_COUNT)
    ]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=backup_code_digest(code)) for code in codes
    )
    return [_readable(code) for code in codes]


@action
def issue_backup_codes(user: User, *, by: User) -> list[str]:
    """A new set of single-use backup codes (``BACKUP_CODE_COUNT``, 10); the old set stops
    working. The codes are shown once and only their keyed hash is kept."""
    return _new_backup_codes(user)


@action
def start_totp_enrolment(user: User, *, by: User) -> AuthenticatorApp:
    """A new, not yet confirmed authenticator-app secret (RFC 6238, 30 s, 6 digits;
    OWASP ASVS 5.0 V6.5.3: 20 random bytes from the system's CSPRNG). An unconfirmed one
    left from an abandoned attempt is reused, so reloading the page keeps the QR code."""
    device = AuthenticatorApp.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = AuthenticatorApp.objects.create(
            user=user, name="Ứng dụng xác thực", confirmed=False
        )
    return device


WRONG_CODE = "Mã xác thực không đúng hoặc đã hết hạn."


class SecondFactorWait(NotEligible):
    """The device is still throttled after earlier wrong codes: nothing was tried."""

    code = "second_factor_wait"


def _wait(seconds: int) -> SecondFactorWait:
    return SecondFactorWait(
        f"Đã nhập sai nhiều lần liên tiếp: chờ {seconds} giây rồi thử lại.", field="code"
    )


def _device_wait(device: Device) -> int:
    allowed, data = device.verify_is_allowed()
    if allowed or not data or not data.get("locked_until"):
        return 0
    return int((data["locked_until"] - timezone.now()).total_seconds()) + 1


def confirm_totp_device(
    device: AuthenticatorApp, *, code: str, by: User, backup_codes: bool = True
) -> list[str]:
    """Confirm an authenticator app with the code it shows now and, with ``backup_codes``,
    issue a set of backup codes (answered; else ``[]``). A wrong code counts on the
    device's throttle (so it is committed, not rolled back with the refusal) and is
    refused with NotEligible on ``code``."""
    with transaction.atomic(), audit.acting_as(by):
        locked = AuthenticatorApp.objects.select_for_update().get(pk=device.pk)
        if locked.confirmed:
            raise NotEligible("Thiết bị này đã được thiết lập.", field="code")
        wait = _device_wait(locked)
        if wait:
            raise _wait(wait)
        verified = locked.verify_token(normalise_code(code))
        if verified:
            locked.confirmed = True
            locked.save(update_fields=["confirmed"])
            codes = _new_backup_codes(locked.user) if backup_codes else []
    if not verified:
        raise NotEligible(WRONG_CODE, field="code")
    device.confirmed = True
    return codes


def verify_second_factor(user: User, code: str) -> Device | None:
    """The device that accepts ``code``: a 6-digit code from an authenticator app, or one
    of the backup codes (used up on success). ``None`` when none does. Each wrong code
    counts on the device's throttle, which doubles the wait after every failure (OWASP
    ASVS 5.0 V6.3.1; the views also count it towards the django-axes lockout). A TOTP
    code is accepted once only (django-otp keeps the last time step; V6.5.1)."""
    code = normalise_code(code)
    if not code:
        return None
    with transaction.atomic(), audit.acting_as(user):
        if code.isdigit() and len(code) == 6:
            for app in AuthenticatorApp.objects.select_for_update().filter(
                user=user, confirmed=True
            ):
                if app.verify_token(code):
                    return app
            return None
        for backup in StaticDevice.objects.select_for_update().filter(user=user, confirmed=True):
            if backup.verify_token(backup_code_digest(code)):
                return backup
    return None


def check_second_factor(user: User, code: str) -> Device:
    """``verify_second_factor`` that refuses with a Vietnamese message on ``code``:
    SecondFactorWait while the devices are throttled (no code is tried then), else
    NotEligible for a wrong code (the caller counts it as a failed login)."""
    wait = second_factor_wait(user)
    if wait:
        raise _wait(wait)
    device = verify_second_factor(user, code)
    if device is None:
        raise NotEligible(WRONG_CODE, field="code")
    return device


def remove_second_factor_device(device: Device, *, code: str, by: User) -> None:
    """Remove an authenticator app or a passkey of ``by`` after a fresh code (OWASP ASVS
    5.0 V7.5.1: re-authentication before changing the second factor). A user who must use
    a second factor keeps at least one app or passkey."""
    if not isinstance(device, AuthenticatorApp | WebAuthnCredential) or device.user_id != by.pk:
        raise NotEligible("Không tìm thấy thiết bị này.", field="device")
    check_second_factor(by, code)
    _remove_device(device, by=by)


@action
def _remove_device(device: Device, *, by: User) -> None:
    if must_use_second_factor(by) and [d.persistent_id for d in second_factors(by).primary] == [
        device.persistent_id
    ]:
        raise NotEligible(
            "Đây là thiết bị xác thực cuối cùng của bạn: hãy thêm một ứng dụng xác thực "
            "hoặc khóa truy cập khác trước khi xóa.",
            field="device",
        )
    device.delete()


@action
def reset_second_factor(user: User, *, by: User) -> int:
    """Remove all of a user's second factors (lost phone, no backup code left), so the
    next login starts the set-up again. For the administrators, after checking who asks
    as carefully as when the account was opened (OWASP ASVS 5.0 V6.4.4). Answers how
    many devices were removed."""
    removed = 0
    for model in (AuthenticatorApp, StaticDevice, WebAuthnCredential):
        removed += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
    return removed
