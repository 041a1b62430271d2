"""JSON API: the audit trail of writes, the access log and the state of their hash chains,
for the auditor role (issue 9). Mounted at the API root; full paths under ``/audit``.

The same queries as the pages (``dangvien.auditlog.queries``): only superusers and users
holding ``Capability.AUDIT`` get answers, everyone else 404; an auditor at a node reads the
access events of its subtree and the writes of the users holding a role there.

Lists answer ``{count, count_capped, next_before_id, items}``, newest first. ``count``
stops at ``AUDIT_COUNT_CAP`` (10,000 by default; ``count_capped`` says there are more):
an exact count over tens of millions of rows would take seconds. ``limit``/``offset``
work as everywhere; for deep paging pass ``before_id`` (the ``next_before_id`` of the
previous answer), which costs the same at any depth.
"""

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from dangvien.api.auth import user_of
from dangvien.api.errors import ApiError, responses
from dangvien.api.schemas import Day, Page
from dangvien.auditlog import queries
from dangvien.auditlog.models import AccessEvent, AccessKind, Log
from dangvien.core.models import AuditEvent

router = Router(tags=["Nhật ký, giám sát"])

READ_ERRORS = responses(400, 401, 404)
OPS_DOC = "; ".join(f"`{k}` = {v}" for k, v in queries.OPS.items())
KINDS_DOC = "; ".join(f"`{v}` = {label}" for v, label in AccessKind.choices)


# ---- input -----------------------------------------------------------------------------


class LogFilters(Page):
    date_from: Day | None = Field(None, description="Từ ngày (YYYY-MM-DD, giờ Việt Nam)")
    date_to: Day | None = Field(None, description="Đến hết ngày (YYYY-MM-DD)")
    user_id: int | None = Field(None, ge=1, le=2**62, description="Tài khoản đã thực hiện")
    username: str = Field("", max_length=150, description="Hoặc tên đăng nhập của tài khoản")
    before_id: int | None = Field(
        None,
        ge=1,
        le=2**62,
        description="Phân trang theo con trỏ: các bản ghi cũ hơn bản ghi có mã này "
        "(`next_before_id` của trang trước)",
    )


class EventFilters(LogFilters):
    table: str = Field("", max_length=80, description="Bảng dữ liệu, ví dụ `people_person`")
    row_id: str = Field("", max_length=40, description="Mã dòng trong bảng")
    op: str = Field("", max_length=1, description=f"Thao tác: {OPS_DOC}")


class AccessFilters(LogFilters):
    person_id: int | None = Field(None, ge=1, le=2**62, description="Người có dữ liệu")
    kind: AccessKind | None = Field(None, description=f"Loại truy cập: {KINDS_DOC}")


# ---- output ----------------------------------------------------------------------------


class ChangeOut(Schema):
    field: str = Field(description="Tên cột")
    label: str = Field(description="Tên trường bằng tiếng Việt")
    before: str = Field(description="Giá trị trước (đã mã hóa / ẩn: ghi chú thay giá trị)")
    after: str


class EventOut(Schema):
    id: int
    seq: int | None = Field(description="Số thứ tự trong chuỗi băm; null: chờ niêm phong")
    hash: str
    at: datetime
    table: str
    table_label: str
    row_id: str
    op: str
    op_label: str
    actor_id: int | None
    actor: str = Field(description="Người thực hiện (họ tên và tên đăng nhập)")
    changes: list[ChangeOut]


class AccessOut(Schema):
    id: int
    seq: int | None
    hash: str
    at: datetime
    user_id: int | None
    user: str
    kind: AccessKind
    kind_label: str
    what: str
    person_id: int | None
    person_name: str | None
    org_path: str
    organisation_name: str | None
    rows: int | None
    address: str | None
    path: str


class EventPage(Schema):
    count: int
    count_capped: bool
    next_before_id: int | None
    items: list[EventOut]


class AccessPage(Schema):
    count: int
    count_capped: bool
    next_before_id: int | None
    items: list[AccessOut]


class ChainOut(Schema):
    log: str = Field(description="`audit`: nhật ký thay đổi; `access`: nhật ký truy cập")
    label: str
    head_seq: int = Field(description="Bản ghi cuối đã niêm phong")
    head_hash: str
    sealed_at: datetime | None
    unsealed: int = Field(description="Số bản ghi mới chờ niêm phong")
    anchor_seq: int = Field(description="Bản ghi cuối đã xóa theo thời hạn lưu trữ (mốc neo)")
    anchor_hash: str
    purged_at: datetime | None
    verified_at: datetime | None = Field(description="Lần kiểm tra toàn chuỗi gần nhất")
    verified_seq: int
    intact: bool | None = Field(description="null: chưa kiểm tra")
    broken_seq: int | None
    problem: str
    message: str = Field(description="Tình trạng, bằng tiếng Việt")


class ChainsOut(Schema):
    chains: list[ChainOut]


# ---- helpers ---------------------------------------------------------------------------


def _auditor(request: HttpRequest) -> Any:
    user = user_of(request)
    if not queries.may_audit(user):
        raise Http404
    return user


def _account(filters: LogFilters) -> Any:
    """The account filtered on, or None; a name that matches nobody → 400."""
    from dangvien.accounts.models import User

    if filters.user_id is not None:
        return User(pk=filters.user_id)
    if filters.username.strip():
        user = queries.user_named(filters.username)
        if user is None:
            raise ApiError(
                400,
                f"Không có tài khoản “{filters.username.strip()}”.",
                fields={"username": "Không có tài khoản này."},
            )
        return user
    return None


def _page(rows: Any, filters: LogFilters) -> tuple[Any, dict[str, Any]]:
    page = queries.page_of(
        rows, cursor=filters.before_id, size=filters.limit, offset=filters.offset
    )
    count, capped = queries.capped_count(rows)
    return page, {"count": count, "count_capped": capped, "next_before_id": page.next_cursor}


def event_out(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "seq": event.seq,
        "hash": event.hash,
        "at": timezone.localtime(event.at),
        "table": event.table,
        "table_label": queries.table_label(event.table),
        "row_id": event.row_id,
        "op": event.op,
        "op_label": queries.OPS.get(event.op, event.op),
        "actor_id": event.actor_id,
        "actor": queries.user_label(event.actor),
        "changes": [
            {"field": c.column, "label": c.label, "before": c.before, "after": c.after}
            for c in queries.changes(event)
        ],
    }


def access_out(item: AccessEvent, names: dict[str, str]) -> dict[str, Any]:
    return {
        "id": item.pk,
        "seq": item.seq,
        "hash": item.hash,
        "at": timezone.localtime(item.at),
        "user_id": item.user_id,
        "user": queries.user_label(item.user),
        "kind": item.kind,
        "kind_label": item.get_kind_display(),
        "what": item.what,
        "person_id": item.person_id,
        "person_name": item.person.full_name if item.person else None,
        "org_path": item.org_path,
        "organisation_name": names.get(item.org_path),
        "rows": item.rows,
        "address": item.address,
        "path": item.path,
    }


def _message(status: queries.ChainStatus) -> str:
    s = status.state
    if s.intact is None:
        return f"Chưa kiểm tra toàn chuỗi; đã niêm phong đến bản ghi #{s.head_seq}."
    if s.intact:
        return f"Chuỗi băm toàn vẹn đến bản ghi #{s.verified_seq}."
    return f"Chuỗi băm bị đứt tại bản ghi #{s.broken_seq}."


# ---- endpoints -------------------------------------------------------------------------


@router.get("/audit/events", response={200: EventPage, **READ_ERRORS}, url_name="audit-events")
def list_events(request: HttpRequest, filters: Query[EventFilters]) -> dict[str, Any]:
    """The audit trail of writes (every insert, update and delete, written by database
    triggers), newest first, each with the fields it changed before and after; encrypted
    values read "(đã mã hóa)", secrets "(ẩn)". Filters: dates, the acting account
    (`user_id` or `username`), `table`, `row_id`, `op`. Not an auditor → 404."""
    user = _auditor(request)
    if filters.op and filters.op not in queries.OPS:
        raise ApiError(400, fields={"op": "Thao tác phải là I, U hoặc D."})
    rows = queries.filter_audit_events(
        queries.visible_audit_events(user),
        date_from=filters.date_from,
        date_to=filters.date_to,
        actor=_account(filters),
        table=filters.table.strip(),
        row_id=filters.row_id.strip(),
        op=filters.op,
    )
    page, head = _page(rows, filters)
    return {**head, "items": [event_out(e) for e in page.items]}


@router.get("/audit/access", response={200: AccessPage, **READ_ERRORS}, url_name="audit-access")
def list_access(request: HttpRequest, filters: Query[AccessFilters]) -> dict[str, Any]:
    """The access log: who read, exported or downloaded whose personal data, newest first.
    Filters: dates, the account (`user_id` or `username`), `person_id`, `kind`. An
    auditor at a node sees the events whose organisation lies in its subtree. Not an
    auditor → 404."""
    user = _auditor(request)
    rows = queries.filter_access_events(
        queries.visible_access_events(user),
        date_from=filters.date_from,
        date_to=filters.date_to,
        user=_account(filters),
        person_id=filters.person_id,
        kind=filters.kind or "",
    )
    page, head = _page(rows, filters)
    names = queries.organisation_names({a.org_path for a in page.items if a.org_path})
    return {**head, "items": [access_out(a, names) for a in page.items]}


@router.get(
    "/audit/chain", response={200: ChainsOut, **responses(401, 404)}, url_name="audit-chain"
)
def chain(request: HttpRequest) -> dict[str, Any]:
    """The state of the hash chains over both logs: the last sealed row (sealing runs every
    minute), the anchor left by the retention purge, and the outcome of the last full
    verification (`manage.py verify_audit`, nightly): intact up to `verified_seq`, or
    broken at `broken_seq` with the `problem`. Not an auditor → 404."""
    _auditor(request)
    out = []
    for status in queries.chain_status():
        s = status.state
        out.append(
            {
                "log": status.log,
                "label": str(Log(status.log).label),
                "head_seq": s.head_seq,
                "head_hash": s.head_hash,
                "sealed_at": s.sealed_at,
                "unsealed": status.unsealed,
                "anchor_seq": s.anchor_seq,
                "anchor_hash": s.anchor_hash,
                "purged_at": s.purged_at,
                "verified_at": s.verified_at,
                "verified_seq": s.verified_seq,
                "intact": s.intact,
                "broken_seq": s.broken_seq,
                "problem": s.problem,
                "message": _message(status),
            }
        )
    return {"chains": out}
