"""``log_access``: the one call that records a read or export of personal data (issue 9).

Callers: detail pages and API reads of a candidate/member/person, dossier and document
downloads, list exports. One INSERT; the rows are append-only (guard triggers,
``core/audit.py``) and chained by the sealing step (``auditlog/chain.py``).
"""

from typing import Any

from django.http import HttpRequest

from dangvien.auditlog.models import AccessEvent


def client_address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def log_access(
    request: HttpRequest | None,
    *,
    kind: str,
    what: str,
    person: Any = None,
    org_path: str = "",
    rows: int | None = None,
    user: Any = None,
) -> AccessEvent:
    """Record one access. ``user`` defaults to the request's user."""
    if user is None and request is not None:
        user = getattr(request, "user", None)
    user_id = getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None
    return AccessEvent.objects.create(
        user_id=user_id,
        kind=kind,
        what=what[:200],
        person_id=getattr(person, "pk", person),
        org_path=org_path,
        path=(request.get_full_path()[:500] if request is not None else ""),
        address=client_address(request),
        rows=rows,
    )
