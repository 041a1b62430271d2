"""Writes to accounts: roles and API tokens."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from dangvien.accounts.models import ApiToken, RoleAssignment, User
from dangvien.accounts.queries import digest
from dangvien.core.actions import action
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
