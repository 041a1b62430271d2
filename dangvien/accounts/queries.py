"""Who may do what, where. A role at a node covers the node's whole subtree."""

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp_webauthn.models import WebAuthnCredential

from dangvien.accounts.models import (
    ROLE_CAPABILITIES,
    ApiToken,
    AuthenticatorApp,
    Capability,
    DemoDatabase,
    User,
)

if TYPE_CHECKING:
    from dangvien.organisations.models import Organisation


def _roles(user: User) -> list[tuple[str, str, int]]:
    """(role, node path, node depth) of the user's active roles, read once and kept on the
    user object (the request's user): the permission checks here, the data scope
    (``organisations.queries.scope_paths``) and the auditor's reach
    (``auditlog.queries``) all answer from this one read (issue 9: CPU per request)."""
    if not user.is_authenticated:  # an AnonymousUser has no roles relation
        return []
    cached = getattr(user, "_role_rows", None)
    if cached is None:
        cached = list(
            user.roles.filter(active=True).values_list(
                "role", "organisation__path", "organisation__depth"
            )
        )
        user._role_rows = cached  # type: ignore[attr-defined]
    return cached


def can(user: User, capability: str, org_path: str) -> bool:
    """Whether ``user`` holds ``capability`` at a node whose subtree holds ``org_path``."""
    if not user.is_authenticated:
        return False
    return any(
        capability in ROLE_CAPABILITIES.get(role, set()) and org_path.startswith(path)
        for role, path, _depth in _roles(user)
    )


def can_decide_for(user: User, decider: "Organisation") -> bool:
    return can(user, Capability.DECIDE, decider.path)


def can_endorse_for(user: User, endorser: "Organisation") -> bool:
    return can(user, Capability.ENDORSE, endorser.path)


def can_approve_as_province(user: User, org_path: str) -> bool:
    """Approvals reserved to the provincial level (a tree's top node), e.g. admitting
    someone over 60 (294-QĐ/TW §1.1.2)."""
    return any(
        Capability.APPROVE in ROLE_CAPABILITIES.get(role, set())
        and depth == 0
        and org_path.startswith(path)
        for role, path, depth in _roles(user)
    )


def has_any_role(user: User) -> bool:
    return bool(_roles(user))


def digest(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


def user_for_token(raw_token: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest(raw_token), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token.user


_TOKEN_USER = "_dangvien_token_user"


def user_for_request_token(request: HttpRequest, raw_token: str) -> User | None:
    """``user_for_token`` once per request: the row-level security middleware looks the
    bearer token up to set the scope before the view, and django-ninja's authentication
    asks again inside it; the second asking reuses the first answer (one query fewer on
    every API call). The answer is kept with the token it was for."""
    known = getattr(request, _TOKEN_USER, None)
    if known is not None and known[0] == raw_token:
        return known[1]
    user = user_for_token(raw_token)
    setattr(request, _TOKEN_USER, (raw_token, user))
    return user


# ---- second factor (issue 9) ------------------------------------------------------------


def is_demo_database() -> bool:
    """Whether this database is marked as holding demonstration data only."""
    return DemoDatabase.objects.exists()


def must_use_second_factor(user: User) -> bool:
    """Whether ``user`` must pass a second factor after the password (issue 9; OWASP ASVS
    5.0 V6.3.2): superusers, staff (the admin site writes anything) and every active role
    holding one of ``SECOND_FACTOR_CAPABILITIES``. A user flagged ``second_factor_exempt``
    is let off only while the database is marked as a demo."""
    if not settings.SECOND_FACTOR_REQUIRED or not user.is_authenticated:
        return False
    required = set(settings.SECOND_FACTOR_CAPABILITIES)
    needed = (
        user.is_superuser
        or user.is_staff
        or any(
            required & ROLE_CAPABILITIES.get(role, set()) for role, _path, _depth in _roles(user)
        )
    )
    if needed and user.second_factor_exempt:
        return not is_demo_database()
    return needed


@dataclass(frozen=True)
class SecondFactors:
    """A user's confirmed second factors, for the security page and the login flow."""

    apps: list[AuthenticatorApp]
    passkeys: list[WebAuthnCredential]
    backup: StaticDevice | None
    backup_left: int

    @property
    def primary(self) -> list[Device]:
        """The devices that are not backup codes."""
        return [*self.apps, *self.passkeys]

    @property
    def any(self) -> bool:
        """Whether the user can pass the second factor at all."""
        return bool(self.apps or self.passkeys or self.backup_left)


def second_factors(user: User) -> SecondFactors:
    backup = (
        StaticDevice.objects.filter(user=user, confirmed=True)
        .annotate(left=Count("token_set"))
        .order_by("-left")
        .first()
    )
    return SecondFactors(
        apps=list(AuthenticatorApp.objects.filter(user=user, confirmed=True).order_by("pk")),
        passkeys=list(WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("pk")),
        backup=backup,
        backup_left=getattr(backup, "left", 0),
    )


def has_second_factor(user: User) -> bool:
    """Whether the user has any confirmed device (a spent set of backup codes aside)."""
    return second_factors(user).any


def second_factor_wait(user: User) -> int:
    """Seconds before another code may be tried: django-otp doubles the wait after each
    wrong code on a device (1, 2, 4, … s). 0 when a code may be tried now."""
    now = timezone.now()
    wait = 0
    for model in (AuthenticatorApp, StaticDevice):
        for device in model.objects.filter(user=user, confirmed=True):
            allowed, data = device.verify_is_allowed()
            if not allowed and data and data.get("locked_until"):
                wait = max(wait, int((data["locked_until"] - now).total_seconds()) + 1)
    return wait
