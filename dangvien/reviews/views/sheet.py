"""The chi bộ's review sheet (``sheet``, ``/danh-gia/<pk>/chi-bo/<branch>/``): every active
member of the branch on one page, saved all at once through ``save_branch_sheet`` (all or
nothing: on a refusal each row's message stands beside it and the typed values stay).

Each row shows the highest rating its score allows; ``static/js/reviews.js`` recomputes
it while the secretary types, from the same rule parameters the action reads (366-QĐ/TW
Art. 11 [C]); the action alone decides."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone

from dangvien.core.errors import DomainError, NotAllowed
from dangvien.core.http import AuthedRequest
from dangvien.core.rules import ratio_text, rule
from dangvien.members.queries import vote_denominator
from dangvien.organisations.models import MEMBER_HOLDING, Organisation
from dangvien.reviews.actions import BulkRefused, SheetRow, save_branch_sheet
from dangvien.reviews.forms import (
    SHORT,
    ReadRow,
    SheetHeadForm,
    SheetRowForm,
    read_sheet_row,
    sheet_initial,
    sheet_prefix,
)
from dangvien.reviews.models import Rating, ReviewPeriod, Stage
from dangvien.reviews.queries.access import (
    can_fill_sheet,
    member_rating_decider,
    visible_period,
)
from dangvien.reviews.queries.quotas import quota_usage
from dangvien.reviews.queries.sheets import sheet_meeting, sheet_rows
from dangvien.reviews.rating import thresholds
from dangvien.reviews.views.periods import crumbs, node_in_period

EDITABLE = {Stage.SELF_ASSESSED, Stage.BRANCH_PROPOSED}


def rating_rules(on: date, organisation: Organisation) -> dict[str, Any]:
    """The parameters of the rating bands and the quota, for the page's live hints
    (366-QĐ/TW Art. 11 [C]; quota 132/124-QĐ/TW [U]): the same ``Thresholds`` the action
    reads, in one query."""
    t = thresholds(on=on, organisation=organisation)
    return {
        "excellent_min_score": float(t.excellent_min_score),
        "good_min_score": float(t.good_min_score),
        "complete_min_score": float(t.complete_min_score),
        "excellent_beyond_percent": t.excellent_beyond_percent,
        "complete_max_late_percent": t.complete_max_late_percent,
        "excellent_quota_percent": t.excellent_quota_percent,
        "disciplined_max_rating": t.disciplined_max_rating,
        "order": list(Rating.values),
        "labels": {str(k): str(v) for k, v in Rating.choices},
    }


def rating_context(on: date, organisation: Organisation) -> dict[str, Any]:
    """What every review page with rating inputs shows: ``rules`` (``rating_rules``, for
    the live hints), the ratings as (value, short name, full name) and the short names."""
    return {
        "rules": rating_rules(on, organisation),
        "ratings": [(value, SHORT[value], label) for value, label in Rating.choices],
        "short": SHORT,
    }


@dataclass
class Line:
    """One row of the sheet as the template shows it."""

    source: Any  # reviews.queries.sheets.SheetLine
    editable: bool
    prefix: str
    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    message: str = ""  # the action's refusal of this row, shown on a line of its own
    fault: str = ""  # the input it names, outlined in red

    @property
    def member(self) -> Any:
        return self.source.member

    @property
    def review(self) -> Any:
        return self.source.review

    @property
    def shown_rating(self) -> str:
        """For the live quota count: the rating the row stands at when it is not edited."""
        review = self.review
        if review is None:
            return ""
        return review.decided_rating or review.proposed_rating


def _lines(
    rows: list[Any], reads: dict[int, ReadRow] | None = None, closed: bool = False
) -> list[Line]:
    lines = []
    for row in rows:
        review = row.review
        editable = not closed and not row.exempted and (review is None or review.stage in EDITABLE)
        member_id = row.member.pk
        read = (reads or {}).get(member_id)
        values = read.values if read is not None else sheet_initial(review)
        lines.append(
            Line(
                source=row,
                editable=editable,
                prefix=sheet_prefix(member_id),
                values=values,
                errors=dict(read.errors) if read is not None else {},
            )
        )
    return lines


def _sheet_row(read: ReadRow) -> SheetRow:
    """The action's row from a posted line; the shares of tasks are there (typed, or the
    self-assessment's: ``read_sheet_row``)."""
    data = read.cleaned
    return SheetRow(
        member_id=read.member_id,
        self_score=data.get("self_score"),
        self_rating=data.get("self_rating") or "",
        branch_score=data.get("branch_score"),
        proposed_rating=data.get("proposed_rating") or "",
        on_time_percent=data["on_time_percent"],
        beyond_percent=data["beyond_percent"],
        degraded=bool(data.get("degraded")),
        branch_comment=data.get("branch_comment") or "",
        in_favour=data.get("in_favour"),
    )


def _meeting_initial(period: ReviewPeriod, branch: Organisation, today: date) -> dict[str, Any]:
    """The meeting already recorded on the sheet (a second save keeps it), else today."""
    held_on, resolution_no = sheet_meeting(period, branch)
    if held_on is None:
        return {"held_on": today}
    return {"held_on": held_on, "resolution_no": resolution_no}


def _apply_results(lines: list[Line], results: list[Any], head: SheetHeadForm) -> int:
    """Put each refused row's message beside it; return how many rows were refused."""
    by_member = {line.member.pk: line for line in lines}
    bad = 0
    for result in results:
        line = by_member.get(result.member_id)
        if line is None:
            if not result.ok and result.message:
                head.add_error(None, result.message)
            continue
        if result.ok:
            continue
        bad += 1
        line.message = result.message
        line.fault = result.field if result.field in SheetRowForm.INPUTS else ""
    return bad


@login_required
def sheet(request: AuthedRequest, pk: int, branch_pk: int) -> HttpResponse:
    """The whole branch on one sheet; POST saves every filled row at once."""
    user = request.user
    period = visible_period(user, pk)
    branch = node_in_period(user, period, branch_pk)
    if branch.kind not in MEMBER_HOLDING:
        raise Http404
    today = timezone.localdate()
    closed = bool(period.closed_on)
    # A closed period is refused by the action (409); the permission is checked here too.
    may_fill = can_fill_sheet(user, branch)
    if request.method == "POST" and not may_fill:
        raise PermissionDenied
    initial = _meeting_initial(period, branch, today)
    head = (
        SheetHeadForm(request.POST) if request.method == "POST" else SheetHeadForm(initial=initial)
    )
    # Who is exempted and who votes, judged on the meeting day as the action judges them.
    held_on = (
        head.cleaned_data["held_on"] if head.is_bound and head.is_valid() else initial["held_on"]
    )
    rows = sheet_rows(period, branch, on=held_on)
    status = 200
    if request.method == "POST":
        reads = {
            row.member.pk: read_sheet_row(request.POST, row.member.pk, row.review)
            for row in rows
            if not row.exempted and (row.review is None or row.review.stage in EDITABLE)
        }
        lines = _lines(rows, reads)
        shape_errors = sum(1 for r in reads.values() if r.errors)
        filled = [r for r in reads.values() if r.filled and not r.errors]
        if not head.is_valid() or shape_errors:
            status = 400
            if shape_errors:
                head.add_error(
                    None,
                    f"Chưa lưu: {shape_errors} dòng nhập chưa đúng (báo đỏ bên cạnh). "
                    "Sửa rồi lưu lại.",
                )
        elif not filled:
            status = 400
            head.add_error(
                None, "Chưa có dòng nào được nhập điểm chi bộ chấm hoặc mức chi bộ đề xuất."
            )
        else:
            try:
                results = save_branch_sheet(
                    period,
                    branch,
                    by=user,
                    held_on=head.cleaned_data["held_on"],
                    resolution_no=head.cleaned_data.get("resolution_no") or "",
                    rows=[_sheet_row(r) for r in filled],
                )
            except BulkRefused as error:
                status = 409
                bad = _apply_results(lines, error.results, head)
                head.add_error(
                    None,
                    f"Chưa lưu dòng nào: {bad} dòng bị từ chối (lý do bên cạnh từng đảng viên). "
                    "Sửa các dòng đó rồi lưu lại."
                    if bad
                    else str(error),
                )
            except NotAllowed:
                raise PermissionDenied from None
            except DomainError as error:
                status = 409
                name = error.field if error.field in head.fields else None
                head.add_error(name, str(error))
            else:
                saved = sum(1 for r in results if r.ok and not r.skipped)
                messages.success(
                    request, f"{branch.name}: đã lưu kết quả kiểm điểm của {saved} đảng viên."
                )
                return redirect("reviews:sheet", period.pk, branch.pk)
    else:
        lines = _lines(rows, closed=closed or not may_fill)
    return render(
        request,
        "reviews/sheet.html",
        _context(request, period, branch, lines, head, may_fill and not closed, today, held_on),
        status=status,
    )


def _context(
    request: AuthedRequest,
    period: ReviewPeriod,
    branch: Organisation,
    lines: list[Line],
    head: SheetHeadForm,
    may_fill: bool,
    today: date,
    held_on: date,
) -> dict[str, Any]:
    on = min(period.ends_on, today)
    decider = member_rating_decider(branch)
    return {
        "nav": "reviews",
        "period": period,
        "node": branch,
        "crumbs": crumbs(request.user, period, branch),
        "decider": decider,
        "lines": lines,
        "head": head,
        "may_fill": may_fill,
        "rated": sum(1 for line in lines if not line.source.exempted),
        "exempted": sum(1 for line in lines if line.source.exempted),
        "quotas": quota_usage(period, branch),
        # The chi bộ's vote on each proposal counts against this on the meeting day
        # (``vote.review``; DOMAIN.md §2).
        "vote_day": held_on,
        "vote_denominator": vote_denominator(branch, on=held_on),
        "vote_rule": ratio_text(rule("vote.review", on=held_on, organisation=branch)),
        **rating_context(on, branch),
    }


urlpatterns: list[URLPattern] = [
    path("<int:pk>/chi-bo/<int:branch_pk>/", sheet, name="sheet"),
]
