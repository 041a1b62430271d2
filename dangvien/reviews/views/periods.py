"""Review periods: the list with the form to open one (``periods``, ``/danh-gia/``) and a
period seen from one node (``period``, ``/danh-gia/<pk>/?node=``): progress per child,
the quota on "excellent", the links to the sheets and decision pages the user may use.

The helpers at the top (the node of a page, its breadcrumb) serve the other review pages
too."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from dangvien.core import listexport
from dangvien.core.errors import DomainError, NotAllowed
from dangvien.core.http import AuthedRequest
from dangvien.core.text import is_number
from dangvien.organisations.models import GRASSROOTS, MEMBER_HOLDING, SUPERIOR, Organisation
from dangvien.organisations.queries import units_managed_by, visible_organisations
from dangvien.reviews.actions import close_period, open_period
from dangvien.reviews.forms import ClosePeriodForm, OpenPeriodForm
from dangvien.reviews.models import ReviewPeriod
from dangvien.reviews.queries.access import (
    can_decide_ratings,
    can_fill_sheet,
    can_open_period,
    covers,
    visible_period,
)
from dangvien.reviews.queries.periods import periods_for
from dangvien.reviews.queries.progress import period_progress
from dangvien.reviews.queries.quotas import quota_usage

COMMITTEES = GRASSROOTS | SUPERIOR  # nodes that decide ratings of the members below them

PERIOD_COLUMNS = (
    listexport.Column("Kỳ kiểm điểm", lambda p: p.name, 36),
    listexport.Column("Loại", lambda p: p.get_kind_display(), 12),
    listexport.Column("Năm", lambda p: p.year, 8),
    listexport.Column("Quý", lambda p: p.quarter, 6),
    listexport.Column("Cấp ủy mở kỳ", lambda p: p.organisation.name, 30),
    listexport.Column("Từ ngày", lambda p: p.starts_on, 12),
    listexport.Column("Đến ngày", lambda p: p.ends_on, 12),
    listexport.Column(
        "Trạng thái", lambda p: "Đã kết thúc" if p.closed_on else "Đang thực hiện", 16
    ),
    listexport.Column("Ngày kết thúc", lambda p: p.closed_on, 12),
)


# ---- helpers shared by the review pages ---------------------------------------------


def node_in_period(user: Any, period: ReviewPeriod, pk: int | str) -> Organisation:
    """A node of the user's scope that the period covers, or 404."""
    node = get_object_or_404(visible_organisations(user), pk=pk)
    if not covers(period, node):
        raise Http404
    return node


def default_node(user: Any, period: ReviewPeriod) -> Organisation:
    """Where a period page opens: the period's own node when the user sees it, else the
    top node of the user's scope inside the period (a secretary under a province period)."""
    if visible_organisations(user).filter(pk=period.organisation_id).exists():
        return period.organisation
    for node in units_managed_by(user):
        if covers(period, node):
            return node
    raise Http404


def crumbs(user: Any, period: ReviewPeriod, node: Organisation) -> list[Organisation]:
    """The nodes from the period's top (or the user's top) down to ``node``, parents
    only, each a link back to the period page."""
    ids = node.ancestor_ids(include_self=False)
    rows = visible_organisations(user).filter(pk__in=ids, path__startswith=period.org_path)
    by_id = {o.pk: o for o in rows}
    return [by_id[i] for i in ids if i in by_id]


def period_url(period: ReviewPeriod, node: Organisation | None = None) -> str:
    url = reverse("reviews:period", args=[period.pk])
    return f"{url}?node={node.pk}" if node is not None else url


def refused(form: Any, error: DomainError) -> None:
    """Put an action's refusal beside its input, or at the top of the form."""
    name = error.field if error.field and error.field in form.fields else None
    form.add_error(name, str(error))


# ---- the list -----------------------------------------------------------------------


def _openable(user: Any) -> list[tuple[int, str]]:
    return [(o.pk, o.name) for o in units_managed_by(user) if can_open_period(user, o)]


@login_required
def periods(request: AuthedRequest) -> HttpResponse:
    """Periods opened in the user's scope or above it; the form to open one for those who
    may (``decide`` at the node)."""
    if request.method == "GET" and (export := listexport.requested(request)):
        return listexport.respond(
            export,
            periods_for(request.user),
            PERIOD_COLUMNS,
            request=request,
            title="Kỳ kiểm điểm, đánh giá, xếp loại",
        )
    openable = _openable(request.user)
    status = 200
    form = None
    if openable:
        today = timezone.localdate()
        form = OpenPeriodForm(
            request.POST if request.method == "POST" else None,
            organisations=openable,
            initial={"kind": "yearly", "year": today.year, "organisation": openable[0][0]},
        )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            org = get_object_or_404(
                visible_organisations(request.user), pk=form.cleaned_data["organisation"]
            )
            try:
                period = open_period(org, by=request.user, **form.values())
            except NotAllowed:
                raise PermissionDenied from None
            except DomainError as error:
                refused(form, error)
                status = 409
            else:
                messages.success(request, f"Đã mở kỳ “{period.name}” cho {org.name}.")
                return redirect("reviews:period", period.pk)
        else:
            status = 400
    rows = periods_for(request.user)
    context = {"nav": "reviews", "rows": rows, "form": form}
    return render(request, "reviews/periods.html", context, status=status)


# ---- one period ---------------------------------------------------------------------


def _child_links(
    user: Any, period: ReviewPeriod, lines: list[Any], line_parent: int
) -> list[dict[str, Any]]:
    rows = []
    for line in lines:
        org = line.organisation
        holds_members = org.kind in MEMBER_HOLDING
        rows.append(
            {
                "line": line,
                "org": org,
                "sheet_url": reverse("reviews:sheet", args=[period.pk, org.pk])
                if holds_members
                else "",
                "may_fill": holds_members and can_fill_sheet(user, org),
                # A chi bộ cơ sở decides its members' ratings: its own page has both links.
                "drill_url": period_url(period, org)
                if (not holds_members or org.kind in GRASSROOTS) and org.pk != line_parent
                else "",
            }
        )
    return rows


@login_required
def period(request: AuthedRequest, pk: int) -> HttpResponse:
    """The period from one node: progress per child, quota usage, the links to act."""
    review_period = visible_period(request.user, pk)
    user = request.user
    node_pk = request.GET.get("node", "")
    node = (
        node_in_period(user, review_period, node_pk)
        if is_number(node_pk)
        else default_node(user, review_period)
    )
    close_form = None
    status = 200
    may_close = can_open_period(user, review_period.organisation)
    if may_close:
        close_form = ClosePeriodForm(
            request.POST if request.method == "POST" else None,
            initial={"closed_on": timezone.localdate()},
        )
    if request.method == "POST":
        if close_form is None:
            raise PermissionDenied
        if close_form.is_valid():
            try:
                close_period(review_period, by=user, **close_form.cleaned_data)
            except NotAllowed:
                raise PermissionDenied from None
            except DomainError as error:
                refused(close_form, error)
                status = 409
            else:
                messages.success(request, f"Đã kết thúc kỳ “{review_period.name}”.")
                return redirect(period_url(review_period, node))
        else:
            status = 400
    holds_members = node.kind in MEMBER_HOLDING
    is_committee = node.kind in COMMITTEES
    progress = period_progress(review_period, node)
    context = {
        "nav": "reviews",
        "period": review_period,
        "node": node,
        "crumbs": crumbs(user, review_period, node),
        "children": _child_links(user, review_period, progress, node.pk),
        "progress_total": _total(progress),
        **_quotas(quota_usage(review_period, node)),
        "holds_members": holds_members,
        "sheet_url": reverse("reviews:sheet", args=[review_period.pk, node.pk])
        if holds_members
        else "",
        "may_fill": holds_members and can_fill_sheet(user, node),
        "decide_url": reverse("reviews:decide", args=[review_period.pk, node.pk])
        if is_committee
        else "",
        "may_decide": is_committee and can_decide_ratings(user, node),
        "organisations_url": reverse("reviews:organisations", args=[review_period.pk, node.pk])
        if not holds_members or node.kind in GRASSROOTS
        else "",
        "close_form": close_form if not review_period.closed_on or status != 200 else None,
    }
    return render(request, "reviews/period.html", context, status=status)


QUOTA_ROWS = 40


def _quotas(lines: list[Any]) -> dict[str, Any]:
    """Every chi bộ's quota when they are few; else the committee and the chi bộ over it."""
    branches = [q for q in lines if not q.committee]
    if len(branches) <= QUOTA_ROWS:
        return {"quotas": lines, "quotas_hidden": 0}
    shown = [q for q in lines if q.committee or q.over]
    return {"quotas": shown, "quotas_hidden": len(lines) - len(shown)}


def _total(lines: list[Any]) -> dict[str, int]:
    keys = ("active", "exempted", "self_assessed", "proposed", "decided", "published")
    return {key: sum(getattr(line, key, 0) or 0 for line in lines) for key in keys}


urlpatterns: list[URLPattern] = [
    path("", periods, name="periods"),
    path("<int:pk>/", period, name="period"),
]
