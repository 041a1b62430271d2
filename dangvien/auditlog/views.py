"""The auditor's pages (issue 9), namespace ``auditlog`` under ``/giam-sat/``:

- ``events`` (``/giam-sat/?from=&to=&user=&table=&row=&op=&before=``): "Nhật ký thay
  đổi", every write newest first, each with its changed fields before and after;
- ``access`` (``/giam-sat/truy-cap/?from=&to=&user=&person=&kind=&before=``): "Nhật ký
  truy cập", who read or exported whose personal data.

Both show the state of the hash chains, page with a keyset cursor (``before``: the id of
the last row shown), and export their filtered rows (``?export=xlsx|csv``). Only
superusers and auditors (``Capability.AUDIT``) get them; everyone else 404.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone

from dangvien.auditlog import queries
from dangvien.auditlog.models import AccessKind
from dangvien.core import listexport
from dangvien.core.dates import BadDate, parse_day
from dangvien.core.http import AuthedRequest
from dangvien.core.text import is_number

PAGE_SIZE = 50


def _auditor(request: AuthedRequest) -> None:
    if not queries.may_audit(request.user):
        raise Http404


@dataclass
class Filters:
    """The common filters as typed, and what they mean."""

    from_text: str = ""
    to_text: str = ""
    date_from: date | None = None
    date_to: date | None = None
    username: str = ""
    user: Any = None
    error: str = ""
    error_field: str = ""
    cursor: int | None = None
    shown: list[tuple[str, Any]] = field(default_factory=list)


def _filters(request: AuthedRequest) -> Filters:
    get = request.GET
    found = Filters(
        from_text=get.get("from", "").strip()[:20],
        to_text=get.get("to", "").strip()[:20],
        username=get.get("user", "").strip()[:150],
    )
    try:
        if found.from_text:
            found.date_from = parse_day(found.from_text, label="Từ ngày", field="from")
        if found.to_text:
            found.date_to = parse_day(found.to_text, label="Đến ngày", field="to")
    except BadDate as error:
        found.error, found.error_field = str(error), error.field
    if found.username:
        found.user = queries.user_named(found.username)
        if found.user is None and not found.error:
            found.error = f"Không có tài khoản “{found.username}”."
            found.error_field = "user"
    before = get.get("before", "")
    found.cursor = int(before) if is_number(before) and len(before) < 19 else None
    found.shown = [
        ("Từ ngày", found.date_from.strftime("%d/%m/%Y") if found.date_from else ""),
        ("Đến ngày", found.date_to.strftime("%d/%m/%Y") if found.date_to else ""),
        ("Tài khoản", found.username),
    ]
    return found


def _export_rows(rows: Any) -> Any:
    return queries.newest_first(rows)[: int(settings.AUDIT_EXPORT_MAX_ROWS)]


def _export_note() -> tuple[str, str]:
    """Exports stop at ``AUDIT_EXPORT_MAX_ROWS`` rows, newest first: the header says so."""
    cap = int(settings.AUDIT_EXPORT_MAX_ROWS)
    return ("Giới hạn", f"{cap:,} dòng mới nhất".replace(",", "."))


# ---- Nhật ký thay đổi ----------------------------------------------------------------------

EVENT_COLUMNS = (
    listexport.Column("Thời điểm", lambda e: e.at, 18),
    listexport.Column("Người thực hiện", lambda e: queries.user_label(e.actor), 28),
    listexport.Column("Dữ liệu", lambda e: queries.table_label(e.table), 24),
    listexport.Column("Mã dòng", lambda e: e.row_id, 10),
    listexport.Column("Thao tác", lambda e: queries.OPS.get(e.op, e.op), 8),
    listexport.Column("Thay đổi", queries.changes_text, 80),
    listexport.Column("Số thứ tự trong chuỗi", lambda e: e.seq, 12),
    listexport.Column("Mã băm", lambda e: e.hash, 66),
)


@login_required
def events(request: AuthedRequest) -> HttpResponse:
    _auditor(request)
    filters = _filters(request)
    table = request.GET.get("table", "")
    tables = queries.table_choices()
    if table not in dict(tables):
        table = ""
    row_id = request.GET.get("row", "").strip()[:40]
    op = request.GET.get("op", "")
    op = op if op in queries.OPS else ""
    rows = queries.filter_audit_events(
        queries.visible_audit_events(request.user),
        date_from=filters.date_from,
        date_to=filters.date_to,
        actor=filters.user,
        table=table,
        row_id=row_id,
        op=op,
    )
    return _log_page(
        request,
        rows,
        filters,
        title="Nhật ký thay đổi",
        columns=EVENT_COLUMNS,
        shown=[
            ("Dữ liệu", queries.table_label(table) if table else ""),
            ("Mã dòng", row_id),
            ("Thao tác", queries.OPS.get(op, "")),
        ],
        decorate=_decorate_events,
        template="auditlog/events.html",
        context={
            "table": table,
            "tables": tables,
            "row_id": row_id,
            "op": op,
            "ops": list(queries.OPS.items()),
        },
    )


def _decorate_events(items: list[Any]) -> None:
    for event in items:
        event.local_at = timezone.localtime(event.at)
        event.op_label = queries.OPS.get(event.op, event.op)
        event.table_label = queries.table_label(event.table)
        event.actor_label = queries.user_label(event.actor)
        event.changes = queries.changes(event)


def _log_page(
    request: AuthedRequest,
    rows: Any,
    filters: Any,
    *,
    title: str,
    columns: Any,
    shown: list[tuple[str, Any]],
    decorate: Any,
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """What the two log pages share: no rows when a filter is wrong, the export (every
    row, the filters named), else one cursor page with its capped count."""
    if filters.error:
        rows = rows.none()
    if export := listexport.requested(request):
        return listexport.respond(
            export,
            _export_rows(rows),
            columns,
            request=request,
            title=title,
            filters=[*filters.shown, *shown, _export_note()],
        )
    page = queries.page_of(rows, cursor=filters.cursor, size=PAGE_SIZE)
    decorate(page.items)
    count, more = queries.capped_count(rows)
    base = {"nav": "audit", "f": filters, "page": page, "count": count, "more": more}
    return render(request, template, {**base, **context, "chains": queries.chain_status()})


# ---- Nhật ký truy cập ----------------------------------------------------------------------

ACCESS_COLUMNS = (
    listexport.Column("Thời điểm", lambda a: a.at, 18),
    listexport.Column("Người truy cập", lambda a: queries.user_label(a.user), 28),
    listexport.Column("Loại", lambda a: a.get_kind_display(), 14),
    listexport.Column("Nội dung", lambda a: a.what, 30),
    listexport.Column("Người có dữ liệu", lambda a: a.person.full_name if a.person else "", 26),
    listexport.Column("Mã người có dữ liệu", lambda a: a.person_id, 10),
    listexport.Column("Tổ chức (đường dẫn)", lambda a: a.org_path, 20),
    listexport.Column("Số dòng", lambda a: a.rows, 8),
    listexport.Column("Địa chỉ IP", lambda a: a.address, 16),
    listexport.Column("Đường dẫn", lambda a: a.path, 40),
    listexport.Column("Số thứ tự trong chuỗi", lambda a: a.seq, 12),
    listexport.Column("Mã băm", lambda a: a.hash, 66),
)


@login_required
def access(request: AuthedRequest) -> HttpResponse:
    _auditor(request)
    filters = _filters(request)
    person = request.GET.get("person", "").strip()
    person_id = int(person) if is_number(person) and len(person) < 19 else None
    kind = request.GET.get("kind", "")
    kind = kind if kind in AccessKind.values else ""
    rows = queries.filter_access_events(
        queries.visible_access_events(request.user),
        date_from=filters.date_from,
        date_to=filters.date_to,
        user=filters.user,
        person_id=person_id,
        kind=kind,
    )
    return _log_page(
        request,
        rows,
        filters,
        title="Nhật ký truy cập",
        columns=ACCESS_COLUMNS,
        shown=[
            ("Mã người có dữ liệu", person_id),
            ("Loại", AccessKind(kind).label if kind else ""),
        ],
        decorate=_decorate_access,
        template="auditlog/access.html",
        context={"person_id": person_id, "kind": kind, "kinds": AccessKind.choices},
    )


def _decorate_access(items: list[Any]) -> None:
    names = queries.organisation_names({a.org_path for a in items if a.org_path})
    for item in items:
        item.local_at = timezone.localtime(item.at)
        item.user_label = queries.user_label(item.user)
        item.org_name = names.get(item.org_path, "")


urlpatterns: list[URLPattern] = [
    path("", events, name="events"),
    path("truy-cap/", access, name="access"),
]
