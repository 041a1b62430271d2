"""Passkeys (WebAuthn) as a second factor, on django-otp-webauthn's JSON endpoints.

The library's views, with three changes (issue 9): a passkey is never a way in on its own
(``OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False`` and the ceremony needs the password
session); a user who must use a second factor registers a passkey only after passing it
(the first device is an authenticator app, set up with its backup codes); and passing the
second factor with a passkey gives the session a new key (OWASP ASVS 5.0 V7.2.4), as the
code form does. Browsers offer passkeys only on HTTPS or localhost; the page script is
static/js/passkeys.js.
"""

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone
from django_otp_webauthn import exceptions
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import AbstractWebAuthnCredential
from django_otp_webauthn.views import (
    BeginCredentialAuthenticationView,
    BeginCredentialRegistrationView,
    CompleteCredentialAuthenticationView,
    CompleteCredentialRegistrationView,
)

from dangvien.accounts.queries import must_use_second_factor


class PasskeyHelper(WebAuthnHelper):
    """Names each new passkey after the day it was added ("Khóa truy cập 24/11/2026")."""

    def create_credential(self, user: AbstractBaseUser, *args: Any, **kwargs: Any) -> Any:
        device = super().create_credential(user, *args, **kwargs)
        device.name = f"Khóa truy cập {timezone.localdate():%d/%m/%Y}"
        return device


class _RegistrationRules:
    def check_can_register(self) -> None:
        user: Any = self.get_user()  # type: ignore[attr-defined]
        if must_use_second_factor(user) and not user.is_verified():
            raise exceptions.NotVerified(
                detail="Cần xác thực hai lớp bằng mã trước khi thêm khóa truy cập."
            )


class RegisterBegin(_RegistrationRules, BeginCredentialRegistrationView):
    pass


class RegisterComplete(_RegistrationRules, CompleteCredentialRegistrationView):
    pass


class _NeedsPassword:
    def check_can_authenticate(self) -> None:
        user: Any = self.get_user()  # type: ignore[attr-defined]
        if user is None or not user.is_active:
            raise exceptions.NotAuthenticated(detail="Cần đăng nhập bằng mật khẩu trước.")


class AuthenticateBegin(_NeedsPassword, BeginCredentialAuthenticationView):
    pass


class AuthenticateComplete(_NeedsPassword, CompleteCredentialAuthenticationView):
    def complete_auth(self, device: AbstractWebAuthnCredential) -> Any:
        result = super().complete_auth(device)
        self.request.session.cycle_key()
        return result
