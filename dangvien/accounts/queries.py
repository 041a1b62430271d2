"""Who may do what, where. A role at a node covers the node's whole subtree."""

import hashlib
from typing import TYPE_CHECKING

from django.utils import timezone

from dangvien.accounts.models import ROLE_CAPABILITIES, ApiToken, Capability, User

if TYPE_CHECKING:
    from dangvien.organisations.models import Organisation


def _roles(user: User) -> list[tuple[str, str, int]]:
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
