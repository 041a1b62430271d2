"""The committee's decision on its members' ratings (``decide``,
``/danh-gia/<pk>/quyet-dinh/<org>/``): every review proposed by the chi bộ under the
committee, a checkbox per member (all ticked), the rating preset to the proposal and
changeable, one decision number and date; after submitting, a table says per member what
happened (``decide_ratings`` is all or nothing). Then the committee publishes.

Who decides: ``member_rating_decider`` (124-QĐ/TW Art. 12; 16-HD/BTCTW 2018 §II [C/U]);
the quota on "excellent" per branch and per committee (132/124-QĐ/TW, 20% [U])."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from dangvien.core.errors import DomainError, NotAllowed
from dangvien.core.http import AuthedRequest
from dangvien.organisations.models import Organisation
from dangvien.reviews.actions import (
    BulkRefused,
    DecisionItem,
    RowResult,
    decide_ratings,
    publish_ratings,
)
from dangvien.reviews.forms import (
    BADGES,
    SHORT,
    DecisionHeadForm,
    PublishForm,
    ReadItem,
    decision_prefix,
    read_decision_items,
    score_text,
)
from dangvien.reviews.models import Rating, ReviewPeriod, Stage
from dangvien.reviews.queries.access import can_decide_ratings, visible_period
from dangvien.reviews.queries.quotas import quota_usage
from dangvien.reviews.queries.sheets import awaiting_publication, decision_rows
from dangvien.reviews.views.periods import COMMITTEES, crumbs, node_in_period, refused
from dangvien.reviews.views.sheet import rating_context


@cache
def _options(selected: str) -> SafeString:
    """The rating select's options with ``selected`` chosen, built once per rating: a
    committee may decide 10,000 members on one page, and a template loop per row would
    cost seconds."""
    return mark_safe(
        "".join(
            format_html(
                '<option value="{}" title="{}"{}>{}</option>',
                value,
                label,
                mark_safe(" selected") if value == selected else "",
                SHORT[value],
            )
            for value, label in Rating.choices
        )
    )


@cache
def _badge(rating: str) -> SafeString:
    if not rating:
        return mark_safe("—")
    return format_html(
        '<span class="badge {}" title="{}">{}</span>',
        BADGES.get(rating, ""),
        Rating(rating).label,
        SHORT[rating],
    )


@dataclass
class Line:
    """One member on the decision page."""

    source: Any  # reviews.queries.sheets.DecisionLine
    awaiting: bool
    picked: bool
    rating: str
    error: str = ""
    result: Any = None  # the RowResult after a submit

    @property
    def prefix(self) -> str:
        return decision_prefix(self.source.review_id)


def rows_html(lines: list[Line], *, may_decide: bool, member_url: str) -> SafeString:
    """The table's rows, a group header per chi bộ. Built here with f-strings (every value
    through ``escape``) rather than in the template: a committee may decide 10,000 members
    on one page, which takes the template engine seconds and this a fraction of one."""
    pickable = may_decide and any(line.awaiting for line in lines)
    out: list[str] = []
    branch_id = None
    for n, line in enumerate(lines, start=1):
        s = line.source
        name = escape(s.member_name)
        if s.branch_id != branch_id:
            branch_id = s.branch_id
            branch = escape(s.branch_name)
            pick_all = (
                f'<input type="checkbox" class="js-pick-branch" data-branch="{s.branch_id}" '
                f'checked aria-label="Chọn cả {branch}">'
                if pickable
                else ""
            )
            out.append(
                f'<tr class="reviews-group"><th class="reviews-check">{pick_all}</th>'
                f'<th colspan="7">{branch}</th></tr>'
            )
        refused_row = line.result is not None and not line.result.ok
        css = " reviews-row-error" if line.error or refused_row else ""
        if line.result is not None and line.result.ok:
            css = " reviews-row-ok"
        if line.awaiting and may_decide:
            checked = " checked" if line.picked else ""
            pick = (
                f'<input type="checkbox" class="js-pick" name="pick" value="{s.review_id}"'
                f'{checked} aria-label="Chọn {name}">'
            )
            invalid = (
                ' aria-invalid="true"' if refused_row and line.result.field == "rating" else ""
            )
            decision = (
                f'<select class="js-rating" name="{line.prefix}-rating"{invalid} '
                f'aria-label="Mức quyết định cho {name}">{_options(line.rating)}</select>'
                '<div class="error small js-warn" hidden></div>'
            )
        else:
            pick = ""
            decision = (
                f'{_badge(s.decided_rating)} <span class="muted small">'
                f"{escape(s.review.get_stage_display())}</span>"
                if s.decided_rating
                else '<span class="muted">Chờ quyết định</span>'
            )
        decided = "" if line.awaiting else f' data-decided="{escape(s.decided_rating)}"'
        error = f'<div class="error small">{escape(line.error)}</div>' if line.error else ""
        why = f' title="{escape(s.why)}"' if s.why else ""
        out.append(
            f'<tr class="js-decide{css}" data-branch="{s.branch_id}" '
            f'data-highest="{escape(s.highest)}"{decided}>'
            f'<td class="reviews-check">{pick}</td><td class="num">{n}</td>'
            f'<td><a href="{member_url}{s.member_id}/">{name}</a>{error}</td>'
            f'<td class="num">{score_text(s.self_score) or "—"}</td>'
            f'<td class="num">{score_text(s.branch_score) or "—"}</td>'
            f"<td>{SHORT.get(s.proposed_rating, '—')}</td>"
            f"<td{why}>{_badge(s.highest)}</td><td>{decision}</td></tr>"
        )
        if refused_row:
            out.append(
                f'<tr class="reviews-row-error reviews-row-note" data-note-for="{s.review_id}">'
                '<td></td><td></td><td colspan="6" role="alert"><span class="error">'
                f"↳ {name}: {escape(line.result.message)}</span></td></tr>"
            )
    return mark_safe("".join(out))  # every value above went through escape()


def _lines(rows: list[Any], reads: dict[int, ReadItem] | None = None) -> list[Line]:
    lines = []
    for row in rows:
        awaiting = row.awaiting
        read = (reads or {}).get(row.review_id)
        if read is not None:
            rating = read.rating or row.proposed_rating  # an unticked row posts no rating
            lines.append(Line(row, awaiting, read.picked, rating, read.error))
        else:
            lines.append(Line(row, awaiting, awaiting, row.decided_rating or row.proposed_rating))
    return lines


def _results(lines: list[Line], results: list[Any], *, saved: bool) -> list[dict[str, Any]]:
    """The per-member result table with the branch of each member: every member once the
    decision is saved; on a refusal only the members refused (nothing was saved, so the
    others have no result to show)."""
    by_member = {line.source.member_id: line for line in lines}
    table = []
    for result in results:
        if not saved and result.ok:
            continue
        line = by_member.get(result.member_id)
        if line is not None:
            line.result = result
        table.append({"result": result, "line": line})
    return table


def _items(reads: list[ReadItem], rows: list[Any]) -> list[DecisionItem]:
    proposed = {row.review_id: row.proposed_rating for row in rows}
    return [
        DecisionItem(
            review_id=read.review_id,
            rating="" if read.rating == proposed.get(read.review_id) else read.rating,
        )
        for read in reads
        if read.picked
    ]


@dataclass
class Submitted:
    """What a bulk decision posted from a page came to: the answer's ``status``, the
    results when it was saved, the refusal when rows were refused (nothing saved)."""

    status: int
    answer: list[RowResult] | None = None
    refused: BulkRefused | None = None


def submit_decision(
    decide_ratings: Callable[..., list[RowResult]],
    period: ReviewPeriod,
    decider: Organisation,
    *,
    by: Any,
    head: DecisionHeadForm,
    reads: list[ReadItem],
    items: list[DecisionItem],
    none_picked: str,
) -> Submitted:
    """The POST of both decision pages (members' and organisations' ratings): the head
    form and the rows read, then ``decide_ratings`` (all or nothing). A bad input or
    nothing picked (``none_picked`` at the top of the form) → 400; a refusal → 409 (per
    row in ``Submitted.refused``, or beside the head's input); ``NotAllowed`` → 403."""
    if not head.is_valid() or any(r.error for r in reads):
        return Submitted(400)
    if not items:
        head.add_error(None, none_picked)
        return Submitted(400)
    try:
        answer = decide_ratings(
            period,
            decider,
            by=by,
            decision_no=head.cleaned_data["decision_no"],
            decided_on=head.cleaned_data["decided_on"],
            items=items,
            note=head.cleaned_data.get("note") or "",
        )
    except BulkRefused as error:
        return Submitted(409, refused=error)
    except NotAllowed:
        raise PermissionDenied from None
    except DomainError as error:
        refused(head, error)
        return Submitted(409)
    return Submitted(200, answer=answer)


def published_text(members: int, organisations: int) -> str:
    """What a publication made public, members and organisations counted apart."""
    parts = [f"{members} đảng viên"] if members else []
    if organisations:
        parts.append(f"{organisations} tổ chức đảng")
    return f"Đã công khai kết quả xếp loại của {' và '.join(parts) or '0 đảng viên'}."


@login_required
def decide(request: AuthedRequest, pk: int, org_pk: int) -> HttpResponse:
    """GET: the reviews to decide; POST ``form=decide`` decides the ticked ones at once,
    ``form=publish`` publishes the decided ones."""
    user = request.user
    period = visible_period(user, pk)
    decider = node_in_period(user, period, org_pk)
    if decider.kind not in COMMITTEES:
        raise Http404
    today = timezone.localdate()
    # A closed period still publishes; a decision in it is refused by the action (409).
    may_decide = can_decide_ratings(user, decider)
    rows = decision_rows(period, decider)
    head = DecisionHeadForm(initial={"decided_on": today})
    publish = PublishForm(initial={"published_on": today})
    status = 200
    results: list[dict[str, Any]] = []
    lines = _lines(rows)
    if request.method == "POST":
        if not may_decide:
            raise PermissionDenied
        if request.POST.get("form") == "publish":
            publish = PublishForm(request.POST)
            if publish.is_valid():
                members, organisations = awaiting_publication(period, decider)
                try:
                    publish_ratings(
                        period, decider, by=user, published_on=publish.cleaned_data["published_on"]
                    )
                except NotAllowed:
                    raise PermissionDenied from None
                except DomainError as error:
                    refused(publish, error)
                    status = 409
                else:
                    messages.success(request, published_text(members, organisations))
                    return redirect("reviews:decide", period.pk, decider.pk)
            else:
                status = 400
        else:
            head = DecisionHeadForm(request.POST)
            reads = read_decision_items(request.POST, [row.review_id for row in rows])
            reads = [
                r for r, row in zip(reads, rows, strict=True) if row.stage == Stage.BRANCH_PROPOSED
            ]
            lines = _lines(rows, {r.review_id: r for r in reads})
            done = submit_decision(
                decide_ratings,
                period,
                decider,
                by=user,
                head=head,
                reads=reads,
                items=_items(reads, rows),
                none_picked="Chưa chọn đảng viên nào để quyết định.",
            )
            status = done.status
            if done.refused is not None:
                results = _results(lines, done.refused.results, saved=False)
                bad = sum(1 for r in done.refused.results if not r.ok)
                head.add_error(
                    None,
                    f"Chưa quyết định cho ai: {bad} đảng viên bị từ chối (lý do bên cạnh). "
                    "Sửa hoặc bỏ chọn các dòng đó rồi quyết định lại."
                    if bad
                    else str(done.refused),
                )
            elif done.answer is not None:
                messages.success(
                    request,
                    f"Đã quyết định xếp loại {len(done.answer)} đảng viên "
                    f"(số {head.cleaned_data['decision_no']}).",
                )
                # Fresh rows: the decided ones now show their decision.
                lines = _lines(decision_rows(period, decider))
                results = _results(lines, done.answer, saved=True)
                head = DecisionHeadForm(initial={"decided_on": today})
    may_act = may_decide and not period.closed_on  # a closed period still publishes
    context = _context(request, period, decider, lines, head, publish, may_act, today)
    context["may_publish"] = may_decide
    context["results"] = results
    context["saved"] = status == 200
    return render(request, "reviews/decide.html", context, status=status)


def _context(
    request: AuthedRequest,
    period: ReviewPeriod,
    decider: Organisation,
    lines: list[Line],
    head: DecisionHeadForm,
    publish: PublishForm,
    may_decide: bool,
    today: date,
) -> dict[str, Any]:
    branches: dict[int, str] = {}
    for line in lines:
        branches.setdefault(line.source.branch_id, line.source.branch_name)
    awaiting = sum(1 for line in lines if line.awaiting)
    decided = sum(1 for line in lines if line.source.stage == Stage.DECIDED)
    return {
        "nav": "reviews",
        "period": period,
        "node": decider,
        "crumbs": crumbs(request.user, period, decider),
        "lines": lines,
        "head": head,
        "publish": publish,
        "may_decide": may_decide,
        "awaiting": awaiting,
        "decided": decided,
        "published": sum(1 for line in lines if line.source.stage == Stage.PUBLISHED),
        "branch_count": len(branches),
        "quotas": [
            q for q in quota_usage(period, decider) if q.committee or q.organisation.pk in branches
        ],
        **rating_context(min(period.ends_on, today), decider),
        "period_url": reverse("reviews:period", args=[period.pk]) + f"?node={decider.pk}",
        "rows_html": rows_html(
            lines,
            may_decide=may_decide,
            # "/dang-vien/<pk>/" without one reverse() per row.
            member_url=reverse("members:detail", args=[0]).removesuffix("0/"),
        ),
    }


urlpatterns: list[URLPattern] = [
    path("<int:pk>/quyet-dinh/<int:org_pk>/", decide, name="decide"),
]
