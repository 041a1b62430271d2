"""The targets page of a node (``/thong-ke/<org_pk>/chi-tieu/``) and the history of one
target (``…/chi-tieu/<year>/lich-su/``). Issue 6 "Targets": each committee sets the
targets of its children (seeds 001/003), sees when their sum falls short of its own, and
revises with a reason kept in the history."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from dangvien.core.errors import DomainError
from dangvien.core.http import AuthedRequest
from dangvien.organisations.models import Organisation
from dangvien.stats.actions.targets import (
    FIRST_YEAR,
    TargetsRefused,
    breakdown_label,
    set_children_targets,
    set_target,
)
from dangvien.stats.forms_targets import ChildrenTargetsForm, OwnTargetForm, child_field
from dangvien.stats.models import Breakdown
from dangvien.stats.queries import targets as queries
from dangvien.stats.queries.access import can_set_target, visible_node
from dangvien.stats.report import Column, Report, Table, Text
from dangvien.stats.views.common import export_or_none, file_slug, page_context, year_param

HEADING = "Giao chỉ tiêu kết nạp đảng viên"


def _n(value: int | None) -> str:
    return "—" if value is None else f"{value:,}".replace(",", ".")


def shortfall_text(data: queries.TargetsPage) -> str:
    """Issue 6: "show when the children's targets add up to less than the parent's"."""
    shortfall = data.shortfall
    if shortfall is None:
        return ""
    return (
        f"Tổng chỉ tiêu giao cho cấp dưới ({_n(data.below.total)}) thấp hơn chỉ tiêu của "
        f"{data.org.name} ({_n(data.own_value)}): còn thiếu {_n(shortfall)}."
    )


def missing_text(data: queries.TargetsPage) -> str:
    missing = data.below.missing
    if not missing:
        return ""
    return f"{_n(missing)}/{_n(data.below.count)} tổ chức trực thuộc chưa được giao chỉ tiêu."


def build_report(data: queries.TargetsPage) -> Report:
    """The page's tables, from the same ``targets_page`` data."""
    labels = [str(label) for _key, label in Breakdown.choices]
    keys = data.used_keys
    org, year = data.org, data.year
    report = Report(
        title=f"{HEADING} năm {year}",
        organisation=org.name,
        period=f"Năm {year}",
        filename=f"chi-tieu-{year}-{file_slug(org)}",
    )
    report.sections.append(
        Table(
            title=f"Chỉ tiêu của {org.name}",
            columns=[Column("Chỉ tiêu kết nạp", "int"), *(Column(t, "int") for t in labels)],
            rows=[[data.own_value, *(v for _l, v in data.own_breakdown)]],
            note=(
                f"Lần điều chỉnh {data.own.revision}. Căn cứ, lý do: {data.own.reason or '—'}"
                if data.own
                else "Chưa được giao chỉ tiêu."
            ),
        )
    )
    if data.has_children:
        report.sections.append(
            Table(
                title="Chỉ tiêu giao cho các tổ chức trực thuộc",
                columns=[
                    Column("Tổ chức đảng", width=40),
                    Column("Chỉ tiêu kết nạp", "int"),
                    *(Column(str(Breakdown(k).label), "int") for k in keys),
                    Column("Đã giao cho cấp dưới", "int"),
                    Column("Cấp dưới còn thiếu", "int"),
                ],
                rows=[
                    [
                        r.org.name,
                        r.value,
                        *r.breakdown_of(keys),
                        r.below.total if r.below.count else None,
                        r.shortfall,
                    ]
                    for r in data.rows
                ],
                total=[
                    "Tổng cộng",
                    data.below.total,
                    *data.breakdown_totals.values(),
                    None,
                    None,
                ],
                highlight=[r.target is None for r in data.rows],
                note=" ".join(t for t in (shortfall_text(data), missing_text(data)) if t),
            )
        )
    return report


def _context(
    request: AuthedRequest,
    data: queries.TargetsPage,
    *,
    own_form: OwnTargetForm | None = None,
    children_form: ChildrenTargetsForm | None = None,
) -> dict[str, Any]:
    user, org, year = request.user, data.org, data.year
    labels = [str(Breakdown(key).label) for key in data.used_keys]
    can_own = can_set_target(user, org)
    can_children = data.has_children and can_set_target(user, data.rows[0].org)
    if can_own and own_form is None:
        own_form = OwnTargetForm(current=data.own)
    if can_children and children_form is None:
        children_form = ChildrenTargetsForm(rows=data.rows)
    return page_context(
        request,
        org,
        "targets",
        heading=HEADING,
        subtitle=(
            f"Năm {year} · Mỗi cấp ủy giao chỉ tiêu cho các tổ chức trực thuộc; "
            "điều chỉnh phải ghi lý do."
        ),
        exportable=True,
        year=year,
        data=data,
        breakdown_labels=[str(Breakdown(key).label) for key in data.used_keys],
        breakdown_totals=list(data.breakdown_totals.values()),
        own_form=own_form if can_own else None,
        children_form=children_form if can_children else None,
        rows=[
            (
                row,
                children_form.field_of(row.org.pk) if can_children and children_form else None,
                list(zip(labels, row.breakdown_of(data.used_keys), strict=True)),
            )
            for row in data.rows
        ],
        shortfall_text=shortfall_text(data),
        missing_text=missing_text(data),
        history_url=reverse("stats:target-history", args=[org.pk, year]),
    )


def _again(org: Organisation, year: int) -> HttpResponse:
    return redirect(f"{reverse('stats:targets', args=[org.pk])}?year={year}")


def _save_own(
    request: AuthedRequest, data: queries.TargetsPage
) -> tuple[HttpResponse | None, OwnTargetForm, int]:
    form = OwnTargetForm(request.POST, current=data.own)
    if not form.is_valid():
        return None, form, 400
    try:
        set_target(data.org, year=data.year, by=request.user, **form.values())
    except DomainError as error:
        field = (error.field or "").removeprefix("breakdown.")
        form.add_error(field if field in form.fields else None, str(error))
        return None, form, 409
    messages.success(request, f"Đã lưu chỉ tiêu năm {data.year} của {data.org.name}.")
    return _again(data.org, data.year), form, 302


def _save_children(
    request: AuthedRequest, data: queries.TargetsPage
) -> tuple[HttpResponse | None, ChildrenTargetsForm, int]:
    form = ChildrenTargetsForm(request.POST, rows=data.rows)
    if not form.is_valid():
        return None, form, 400
    try:
        saved = set_children_targets(
            data.org,
            year=data.year,
            targets=form.targets(),
            reason=form.cleaned_data.get("reason") or "",
            by=request.user,
        )
    except TargetsRefused as error:
        for key, text in error.errors.items():
            name = "reason" if key == "reason" else child_field(int(key))
            form.add_error(name if name in form.fields else None, text)
        form.add_error(None, "Chưa lưu chỉ tiêu nào: sửa các ô báo lỗi rồi lưu lại.")
        return None, form, 409
    except DomainError as error:
        form.add_error(None, str(error))
        return None, form, 409
    messages.success(
        request,
        f"Đã lưu chỉ tiêu năm {data.year} của {len(saved)} tổ chức trực thuộc."
        if saved
        else "Không có chỉ tiêu nào thay đổi.",
    )
    return _again(data.org, data.year), form, 302


@login_required
def targets(request: AuthedRequest, org_pk: int) -> HttpResponse:
    """The node's target, its children's targets (one form for all of them) and the
    shortfall; ``?year=``; ``?format=xlsx|pdf`` exports the same tables."""
    org = visible_node(request.user, org_pk)
    year = year_param(request)
    data = queries.targets_page(org, year)
    if request.method == "POST":
        if request.POST.get("form") == "children":
            if not (data.has_children and can_set_target(request.user, data.rows[0].org)):
                raise PermissionDenied
            answer, children_form, status = _save_children(request, data)
            if answer is not None:
                return answer
            context = _context(request, data, children_form=children_form)
        else:
            if not can_set_target(request.user, org):
                raise PermissionDenied
            answer, own_form, status = _save_own(request, data)
            if answer is not None:
                return answer
            context = _context(request, data, own_form=own_form)
        return render(request, "stats/targets.html", context, status=status)
    export = export_or_none(request, lambda: build_report(data))
    if export is not None:
        return export
    return render(request, "stats/targets.html", _context(request, data))


def history_rows(org: Organisation, year: int) -> list[dict[str, Any]]:
    """The revisions, newest first, as the history page and its export show them."""
    return [
        {
            "revision": r.revision,
            "at": timezone.localtime(r.at),
            "by": str(r.by) if r.by else "",
            "previous": r.previous,
            "value": r.value,
            "change": None if r.previous is None else r.value - r.previous,
            "breakdown": "; ".join(
                f"{breakdown_label(key)}: {_n(r.breakdown[key])}"
                for key in Breakdown.values
                if (r.breakdown or {}).get(key) is not None
            ),
            "reason": r.reason,
        }
        for r in queries.history(org, year)
    ]


def history_report(org: Organisation, year: int, revisions: list[dict[str, Any]]) -> Report:
    return Report(
        title=f"Lịch sử chỉ tiêu kết nạp năm {year}",
        organisation=org.name,
        period=f"Năm {year}",
        filename=f"lich-su-chi-tieu-{year}-{file_slug(org)}",
        sections=[
            Table(
                title="Các lần giao, điều chỉnh chỉ tiêu",
                columns=[
                    Column("Lần", "int"),
                    Column("Ngày giờ", width=18),
                    Column("Người thực hiện", width=24),
                    Column("Chỉ tiêu trước", "int"),
                    Column("Chỉ tiêu sau", "int"),
                    Column("Chỉ tiêu cụ thể", width=40),
                    Column("Căn cứ, lý do", width=50),
                ],
                rows=[
                    [
                        r["revision"],
                        f"{r['at']:%d/%m/%Y %H:%M}",
                        r["by"],
                        r["previous"],
                        r["value"],
                        r["breakdown"],
                        r["reason"],
                    ]
                    for r in revisions
                ],
            )
        ]
        if revisions
        else [Text("Lịch sử", "Chưa giao chỉ tiêu năm này.")],
    )


@login_required
def target_history(request: AuthedRequest, org_pk: int, year: int) -> HttpResponse:
    """Every setting of the node's target for the year: when, by whom, before → after, why."""
    org = visible_node(request.user, org_pk)
    if not FIRST_YEAR <= year <= timezone.localdate().year + 1:
        raise Http404
    revisions = history_rows(org, year)
    export = export_or_none(request, lambda: history_report(org, year, revisions))
    if export is not None:
        return export
    context = page_context(
        request,
        org,
        "targets",
        heading=f"Lịch sử chỉ tiêu kết nạp năm {year}",
        subtitle=(
            f"{org.name} · Mỗi lần giao hoặc điều chỉnh chỉ tiêu, với người thực hiện và lý do."
        ),
        exportable=True,
        year=year,
        revisions=revisions,
        back_url=f"{reverse('stats:targets', args=[org.pk])}?year={year}",
    )
    context["query"] = f"year={year}"  # the tabs and the breadcrumb keep the year
    return render(request, "stats/targets_history.html", context)


urlpatterns: list[URLPattern] = [
    path("<int:org_pk>/chi-tieu/", targets, name="targets"),
    path("<int:org_pk>/chi-tieu/<int:year>/lich-su/", target_history, name="target-history"),
]
