"""The auditor's reads: who may read the logs, which rows, filtered and paged newest first,
shown as readable changes; and the state of the hash chains (issue 9).

Who: superusers and users holding ``Capability.AUDIT`` (the AUDITOR role). An auditor at
a node sees the access events whose ``org_path`` lies in the node's subtree, and the
audit events written by users who hold (or held) a role in that subtree; an auditor whose
nodes cover every top-level node, or a superuser, sees everything, rows without an
organisation or an actor included. Everyone else gets 404 (pages and API).

Paging: newest first on ``(at, id)`` with a keyset cursor (the id of the last row shown),
one index per filter that narrows a lot (``core.AuditEvent`` / ``AccessEvent`` Meta), so a
page costs the same at row 50 and at row 50 million. Counts stop at
``settings.AUDIT_COUNT_CAP``.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any

from django.conf import settings
from django.db.models import Model, QuerySet
from django.utils import timezone

from dangvien.accounts.models import ROLE_CAPABILITIES, Capability, RoleAssignment, User
from dangvien.accounts.queries import _roles
from dangvien.auditlog.chain import chain_state
from dangvien.auditlog.models import AccessEvent, Chain, Log
from dangvien.core.audit import audited_models
from dangvien.core.models import AuditEvent
from dangvien.organisations.models import Organisation
from dangvien.organisations.queries import under

OPS = {"I": "Thêm", "U": "Sửa", "D": "Xóa"}

# ---- who -------------------------------------------------------------------------------


def _audit_roles(user: Any) -> list[str]:
    """The nodes where ``user`` holds an active auditing role, nested ones dropped (kept on
    the user object for the request, as ``scope_paths`` does)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_audit_paths", None)
    if cached is not None:
        return list(cached)
    audit_roles = {r for r, caps in ROLE_CAPABILITIES.items() if Capability.AUDIT in caps}
    # The user's active roles, read once a request for every check (``accounts.queries``).
    paths = sorted({path for role, path, _depth in _roles(user) if role in audit_roles})
    minimal: list[str] = []
    for path in paths:
        if not any(path.startswith(kept) for kept in minimal):
            minimal.append(path)
    user._audit_paths = minimal
    return list(minimal)


def may_audit(user: Any) -> bool:
    """Whether ``user`` may open the logs at all."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return bool(_audit_roles(user))


def audit_scope(user: Any) -> list[str] | None:
    """The organisation paths whose logs ``user`` reads; None: all of them (superuser, or
    an auditor whose nodes cover every top-level node)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return None
    paths = _audit_roles(user)
    if paths:
        tops = Organisation.objects.filter(depth=0).values_list("path", flat=True)
        if all(any(top.startswith(p) for p in paths) for top in tops):
            return None
    return paths


def visible_audit_events(user: Any) -> QuerySet[AuditEvent]:
    paths = audit_scope(user)
    rows = AuditEvent.objects.select_related("actor")
    if paths is None:
        return rows
    writers = RoleAssignment.objects.filter(under(paths, "organisation__path")).values("user_id")
    return rows.filter(actor_id__in=writers)


def visible_access_events(user: Any) -> QuerySet[AccessEvent]:
    paths = audit_scope(user)
    rows = AccessEvent.objects.select_related("user", "person")
    if paths is None:
        return rows
    return rows.filter(under(paths, "org_path"))


# ---- filters ---------------------------------------------------------------------------


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _dates(rows: QuerySet[Any], date_from: date | None, date_to: date | None) -> QuerySet[Any]:
    if date_from:
        rows = rows.filter(at__gte=_day_start(date_from))
    if date_to:
        rows = rows.filter(at__lt=_day_start(date_to + timedelta(days=1)))
    return rows


def filter_audit_events(
    rows: QuerySet[AuditEvent],
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    actor: User | None = None,
    table: str = "",
    row_id: str = "",
    op: str = "",
) -> QuerySet[AuditEvent]:
    rows = _dates(rows, date_from, date_to)
    if actor is not None:
        rows = rows.filter(actor_id=actor.pk)
    if table:
        rows = rows.filter(table=table)
    if row_id:
        rows = rows.filter(row_id=row_id)
    if op:
        rows = rows.filter(op=op)
    return rows


def filter_access_events(
    rows: QuerySet[AccessEvent],
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    user: User | None = None,
    person_id: int | None = None,
    kind: str = "",
) -> QuerySet[AccessEvent]:
    rows = _dates(rows, date_from, date_to)
    if user is not None:
        rows = rows.filter(user_id=user.pk)
    if person_id is not None:
        rows = rows.filter(person_id=person_id)
    if kind:
        rows = rows.filter(kind=kind)
    return rows


def user_named(username: str) -> User | None:
    """The account typed in a filter (user name, any case)."""
    username = username.strip()
    if not username:
        return None
    return User.objects.filter(username__iexact=username).first()


# ---- paging ----------------------------------------------------------------------------


def newest_first(rows: QuerySet[Any]) -> QuerySet[Any]:
    return rows.order_by("-at", "-id")


def before(rows: QuerySet[Any], cursor: int | None) -> QuerySet[Any]:
    """The rows after the one with id ``cursor`` in newest-first order (keyset: the index
    on (at, id) is read from that point, whatever the depth)."""
    if cursor is None:
        return rows
    at = rows.model.objects.filter(pk=cursor).values_list("at", flat=True).first()
    if at is None:
        return rows.filter(id__lt=cursor)
    return rows.filter(at__lte=at).exclude(at=at, id__gte=cursor)


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next_cursor: int | None  # the id to pass as ``before`` for the next page


def page_of(rows: QuerySet[Any], *, cursor: int | None, size: int, offset: int = 0) -> Page:
    window = list(newest_first(before(rows, cursor))[offset : offset + size + 1])
    more = len(window) > size
    items = window[:size]
    return Page(items, items[-1].pk if more and items else None)


def capped_count(rows: QuerySet[Any]) -> tuple[int, bool]:
    """How many rows match, up to ``AUDIT_COUNT_CAP``; and whether there are more."""
    cap = int(settings.AUDIT_COUNT_CAP)
    found = rows.order_by()[: cap + 1].count()
    return min(found, cap), found > cap


# ---- showing a change ------------------------------------------------------------------

# A token of core/crypto.py: "v1:<key id>:<base64url(nonce+ciphertext+tag)>".
_TOKEN = re.compile(r"^v\d+:[A-Za-z0-9_.-]{1,64}:[A-Za-z0-9_-]{16,}={0,2}$")
# Secrets that have no business on an auditor's screen even hashed.
HIDDEN_COLUMNS = {"password", "digest", "secret", "key", "token", "bin_key"}
# Keys derived from the other columns (search, sorting): they change with them, and
# listing them too only hides the change that matters.
DERIVED_COLUMNS = {"search_text", "sort_key"}
ENCRYPTED = "(đã mã hóa)"
HIDDEN = "(ẩn)"
INDEX = "(chỉ mục tìm kiếm)"
LONG = 300


@dataclass(frozen=True)
class Change:
    column: str
    label: str
    before: str
    after: str


@cache
def _tables() -> dict[str, tuple[str, dict[str, str]]]:
    """Each audited table: its Vietnamese name and its columns' labels."""
    found: dict[str, tuple[str, dict[str, str]]] = {}
    for model in audited_models():
        meta = model._meta
        labels = {f.column: str(f.verbose_name) for f in meta.concrete_fields}
        found[meta.db_table] = (str(meta.verbose_name_plural), labels)
    return found


def table_choices() -> list[tuple[str, str]]:
    """(table, Vietnamese name) of every audited table, by name."""
    rows = [(table, f"{name[:1].upper()}{name[1:]}") for table, (name, _l) in _tables().items()]
    return sorted(rows, key=lambda pair: pair[1])


def table_label(table: str) -> str:
    name = _tables().get(table, (table, {}))[0]
    return f"{name[:1].upper()}{name[1:]}"


def shown(column: str, value: Any) -> str:
    """One value as the auditor sees it: secrets hidden, ciphertext named, long text cut."""
    if value is None or value == "":
        return "—"
    if column in HIDDEN_COLUMNS:
        return HIDDEN
    if column.endswith("_hmac"):
        return INDEX
    text = value if isinstance(value, str) else str(value)
    if isinstance(value, str) and _TOKEN.match(value):
        return ENCRYPTED
    return text if len(text) <= LONG else text[: LONG - 1] + "…"


def changes(event: AuditEvent) -> list[Change]:
    """The fields an event touched, before and after: the changed ones for an update, the
    filled ones for an insert or a delete."""
    labels = _tables().get(event.table, ("", {}))[1]
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    out = []
    # In the model's field order (PostgreSQL's jsonb keeps its own key order).
    present = set(after) | set(before)
    columns = [c for c in labels if c in present] + sorted(present - set(labels))
    for column in columns:
        if column in DERIVED_COLUMNS:
            continue
        old, new = before.get(column), after.get(column)
        if event.op == "U" and old == new:
            continue
        if event.op != "U" and old in (None, "") and new in (None, ""):
            continue
        label = labels.get(column) or column
        out.append(Change(column, label, shown(column, old), shown(column, new)))
    return out


def changes_text(event: AuditEvent) -> str:
    """The changes on one line, for exports."""
    parts = []
    for change in changes(event):
        if event.op == "U":
            parts.append(f"{change.label}: {change.before} → {change.after}")
        else:
            parts.append(f"{change.label}: {change.after if event.op == 'I' else change.before}")
    return "; ".join(parts)


def user_label(user: Model | None) -> str:
    if user is None:
        return "Hệ thống"
    name = getattr(user, "display_name", "") or ""
    username = user.get_username()  # type: ignore[attr-defined]
    return f"{name} ({username})" if name else username


def organisation_names(paths: set[str]) -> dict[str, str]:
    return dict(Organisation.objects.filter(path__in=paths).values_list("path", "name"))


# ---- the chains ------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainStatus:
    log: str
    label: str
    state: Chain
    unsealed: int

    @property
    def up_to_date(self) -> bool:
        """Whether the last verification reached the head as it is now."""
        return bool(self.state.intact) and self.state.verified_seq == self.state.head_seq


def chain_status() -> list[ChainStatus]:
    """Both chains: head, anchor, the last verification, and the rows awaiting sealing
    (counted through the partial index on unsealed rows)."""
    out = []
    for log, model in ((Log.AUDIT, AuditEvent), (Log.ACCESS, AccessEvent)):
        unsealed = model.objects.filter(seq__isnull=True).count()
        out.append(ChainStatus(str(log), str(log.label), chain_state(log), unsealed))
    return out
