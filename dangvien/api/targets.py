"""Yearly admission targets over JSON (API.md "Targets and statistics": ``GET /targets``,
``PUT /targets/{organisation_id}/{year}``), on the same actions and queries as the targets
page (``dangvien.stats``). Mounted at the API root.

Issue 6 and seeds 001/003: each committee sets the targets of its subordinates; a
revision needs a reason and is kept in the history. Outside the user's subtree → 404;
a node the user sees but may not set → 403; a value the target cannot take → 400
``invalid`` with ``fields``; nothing changes on any refusal.
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from dangvien.api.auth import user_of
from dangvien.api.errors import ApiError, responses
from dangvien.api.serialise import user_name
from dangvien.api.stats_common import requested_node
from dangvien.organisations.models import Organisation
from dangvien.stats.actions.targets import InvalidTarget, set_target
from dangvien.stats.models import Breakdown, Target
from dangvien.stats.queries import targets as queries
from dangvien.stats.queries.access import can_set_target, visible_node

router = Router(tags=["Chỉ tiêu và thống kê"])

READ_ERRORS = responses(400, 401, 404)
WRITE_ERRORS = responses(400, 401, 403, 404, 409)

BREAKDOWN_HELP = "Chỉ tiêu cụ thể, khóa: " + ", ".join(
    f"`{key}` ({label})" for key, label in Breakdown.choices
)


# ---- input -----------------------------------------------------------------------------


class TargetFilters(Schema):
    year: int | None = Field(None, ge=1900, le=2200, description="Năm (mặc định: năm nay)")
    organisation: int | None = Field(
        None, description="Tổ chức (mặc định: tổ chức cao nhất trong phạm vi của người dùng)"
    )


class TargetIn(Schema):
    target: int = Field(description="Chỉ tiêu kết nạp: số nguyên ≥ 0", strict=True)
    reason: str = Field(
        "", max_length=1000, description="Căn cứ, lý do; bắt buộc khi điều chỉnh chỉ tiêu đã có"
    )
    breakdown: dict[str, int | None] | None = Field(
        None,
        description=(
            f"{BREAKDOWN_HELP}. Mỗi giá trị ≥ 0 và không lớn hơn `target`; `null` bỏ chỉ tiêu "
            "cụ thể đó. Bỏ trống trường này thì giữ nguyên chỉ tiêu cụ thể hiện có; `{}` xóa hết."
        ),
    )


# ---- output ----------------------------------------------------------------------------


class TargetOut(Schema):
    organisation_id: int
    organisation_name: str
    parent_id: int | None
    year: int
    target: int | None = Field(description="null: chưa được giao chỉ tiêu năm này")
    breakdown: dict[str, int]
    revision: int = Field(description="Số lần giao, điều chỉnh (0: chưa giao)")
    reason: str
    set_by: str | None
    set_at: datetime | None
    children_total: int | None = Field(
        description="Tổng chỉ tiêu đã giao cho các tổ chức trực thuộc (null: không có cấp dưới)"
    )
    children_without_target: int = Field(description="Số tổ chức trực thuộc chưa được giao")
    shortfall: int | None = Field(
        description="Chỉ tiêu còn thiếu khi tổng của cấp dưới thấp hơn chỉ tiêu (null: không thiếu)"
    )
    can_set: bool = Field(description="Người dùng được giao, điều chỉnh chỉ tiêu này")


class TargetPage(Schema):
    count: int
    items: list[TargetOut]


class RevisionOut(Schema):
    revision: int
    value: int
    previous: int | None
    breakdown: dict[str, int]
    reason: str
    by: str | None
    at: datetime


class RevisionPage(Schema):
    count: int
    items: list[RevisionOut]


# ---- answers ---------------------------------------------------------------------------


def target_out(
    org: Organisation, year: int, target: Target | None, below: queries.Below, user: Any
) -> dict[str, Any]:
    value = target.target if target else None
    return {
        "organisation_id": org.pk,
        "organisation_name": org.name,
        "parent_id": org.parent_id,
        "year": year,
        "target": value,
        "breakdown": dict(target.breakdown or {}) if target else {},
        "revision": target.revision if target else 0,
        "reason": target.reason if target else "",
        "set_by": user_name(target.by) if target else None,
        "set_at": timezone.localtime(target.at) if target else None,
        "children_total": below.total if below.count else None,
        "children_without_target": below.missing,
        "shortfall": below.shortfall(value),
        "can_set": can_set_target(user, org),
    }


def _page_items(org: Organisation, year: int, user: Any) -> list[dict[str, Any]]:
    data = queries.targets_page(org, year)
    items = [target_out(org, year, data.own, data.below, user)]
    items += [target_out(r.org, year, r.target, r.below, user) for r in data.rows]
    return items


def _year(year: int | None) -> int:
    return year if year is not None else timezone.localdate().year


# ---- endpoints -------------------------------------------------------------------------


@router.get("/targets", response={200: TargetPage, **READ_ERRORS}, url_name="targets")
def list_targets(request: HttpRequest, filters: Query[TargetFilters]) -> dict[str, Any]:
    """The yearly admission target of an organisation and of each of its direct children
    (the organisation first, then the children in name order). A child without a target
    is listed with `target: null`. `children_total` sums the targets its own children
    have; `shortfall` says by how much that sum falls short of its target (issue 6).
    The organisation defaults to the top node of the user's scope; outside it → 404."""
    user = user_of(request)
    org = requested_node(user, filters.organisation)
    items = _page_items(org, _year(filters.year), user)
    return {"count": len(items), "items": items}


@router.put(
    "/targets/{organisation_id}/{year}",
    response={200: TargetOut, 201: TargetOut, **WRITE_ERRORS},
    url_name="target",
)
def put_target(
    request: HttpRequest, organisation_id: int, year: int, payload: TargetIn
) -> Status[dict[str, Any]]:
    """Set (201, the first time) or revise (200) the yearly admission target of an
    organisation. Only the committee above may set it (a tree's top node records its own):
    otherwise 403. A revision needs `reason`; sending the values already in force changes
    nothing (200, no new revision). Refused values (negative, a breakdown above the
    target or with an unknown key, a revision without reason, a year before 2000 or after
    next year) → 400 `invalid` with `fields`."""
    user = user_of(request)
    org = visible_node(user, organisation_id)
    if not can_set_target(user, org):
        raise ApiError(403, "Bạn không được giao chỉ tiêu kết nạp cho tổ chức này.")
    existed = queries.target_of(org, year) is not None
    try:
        target = set_target(
            org,
            year=year,
            target=payload.target,
            reason=payload.reason,
            breakdown=payload.breakdown,
            by=user,
        )
    except InvalidTarget as error:
        field = error.field or "target"
        raise ApiError(400, str(error), code="invalid", fields={field: str(error)}) from None
    children = queries.below(org, year)
    return Status(201 if not existed else 200, target_out(org, year, target, children, user))


@router.get(
    "/targets/{organisation_id}/{year}/history",
    response={200: RevisionPage, **READ_ERRORS},
    url_name="target-history",
)
def target_history(request: HttpRequest, organisation_id: int, year: int) -> dict[str, Any]:
    """Every setting of the organisation's target for the year, newest first: revision
    number, new and previous value, breakdown, reason, who and when. Empty when no
    target was set."""
    org = visible_node(user_of(request), organisation_id)
    items = [
        {
            "revision": r.revision,
            "value": r.value,
            "previous": r.previous,
            "breakdown": dict(r.breakdown or {}),
            "reason": r.reason,
            "by": user_name(r.by),
            "at": timezone.localtime(r.at),
        }
        for r in queries.history(org, year)
    ]
    return {"count": len(items), "items": items}
