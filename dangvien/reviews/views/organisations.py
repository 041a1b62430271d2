"""Party organisations' ratings seen from one committee (``organisations``,
``/danh-gia/<pk>/to-chuc/<org>/``): the committee's own self-assessment, the
self-assessments of the organisations it rates, and their decision at once
(``decide_org_ratings``; same four ratings on the collective's criteria, 366-QĐ/TW [C];
quota among the organisations one committee rates, 132/124-QĐ/TW [U]).

Who rates an organisation: ``reviews.queries.access.org_rating_decider`` (the committee
directly above; for a chi bộ, the committee that decides its members' ratings)."""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models.functions import Length
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone

from dangvien.core.errors import DomainError, NotAllowed
from dangvien.core.http import AuthedRequest
from dangvien.core.text import is_number
from dangvien.organisations.models import SEGMENT, Organisation
from dangvien.reviews.actions import (
    DecisionItem,
    decide_org_ratings,
    record_org_assessment,
)
from dangvien.reviews.actions.organisations import can_assess, org_deciders
from dangvien.reviews.forms import (
    DecisionHeadForm,
    OrgAssessmentForm,
    ReadItem,
    decision_prefix,
    read_decision_items,
    score_text,
)
from dangvien.reviews.models import OrganisationReview, Rating, ReviewPeriod, Stage
from dangvien.reviews.queries.access import (
    can_decide_ratings,
    covers,
    visible_period,
)
from dangvien.reviews.rating import evaluate, excellent_allowed, thresholds_for
from dangvien.reviews.views.decisions import submit_decision
from dangvien.reviews.views.periods import crumbs, node_in_period, refused
from dangvien.reviews.views.sheet import rating_context


def rated_by(committee: Organisation) -> list[Organisation]:
    """The organisations whose rating ``committee`` decides (``org_rating_decider``), in
    tree order, in two queries: the nodes at most three levels below (a chi bộ under a
    đảng bộ bộ phận under a đảng bộ cơ sở is the deepest case), then their deciders."""
    depth = len(committee.path) // SEGMENT
    nodes = list(
        Organisation.objects.filter(path__startswith=committee.path)
        .exclude(pk=committee.pk)
        .annotate(path_length=Length("path"))
        .filter(path_length__lte=(depth + 3) * SEGMENT)
        .order_by("path")
    )
    deciders = org_deciders(nodes)
    return [node for node in nodes if deciders.get(node.pk) == committee.pk]


@dataclass
class Line:
    org: Organisation
    review: OrganisationReview | None
    awaiting: bool = False
    picked: bool = False
    rating: str = ""
    error: str = ""
    result: Any = None
    highest: str = ""
    why: str = ""
    may_assess: bool = False

    @property
    def prefix(self) -> str:
        return decision_prefix(self.review.pk) if self.review else ""


@login_required
def organisations(request: AuthedRequest, pk: int, org_pk: int) -> HttpResponse:
    """GET: the committee's own review and those of the organisations it rates. POST
    ``form=assess`` records one self-assessment, ``form=decide`` decides the ticked ones."""
    user = request.user
    period = visible_period(user, pk)
    committee = node_in_period(user, period, org_pk)
    today = timezone.localdate()
    closed = bool(period.closed_on)
    rated = rated_by(committee)
    targets = [committee, *rated]
    reviews = {
        r.organisation_id: r
        for r in OrganisationReview.objects.filter(period=period, organisation__in=targets)
    }
    # Permission here (403); a closed period is refused by the actions (409).
    assessable = [(o.pk, o.name) for o in targets if can_assess(user, o)]
    may_decide = bool(rated) and can_decide_ratings(user, committee)
    lines = [
        Line(
            org,
            reviews.get(org.pk),
            awaiting=bool(reviews.get(org.pk)) and reviews[org.pk].stage == Stage.SELF_ASSESSED,
        )
        for org in rated
    ]
    limits = thresholds_for(rated, on=period.ends_on)
    assessable_ids = {pk for pk, _name in assessable}
    for line in lines:
        line.picked = line.awaiting
        line.may_assess = (
            not closed
            and line.org.pk in assessable_ids
            and (line.review is None or line.review.stage == Stage.SELF_ASSESSED)
        )
        review = line.review
        if review is None:
            continue
        line.rating = review.rating
        line.highest, line.why = evaluate(
            limits[line.org.pk],
            score=review.self_score,
            on_time_percent=review.on_time_percent,
            beyond_percent=review.beyond_percent,
            disciplined=review.disciplined,
            collective=True,
            shortcomings_fixed=review.shortcomings_fixed,
        )
    assess = (
        OrgAssessmentForm(
            organisations=assessable,
            initial=_assess_initial(request.GET.get("assess", ""), reviews, today),
        )
        if assessable
        else None
    )
    head = DecisionHeadForm(initial={"decided_on": today})
    status = 200
    results: list[dict[str, Any]] = []
    if request.method == "POST":
        if request.POST.get("form") == "decide":
            if not may_decide:
                raise PermissionDenied
            head = DecisionHeadForm(request.POST)
            awaiting = [line for line in lines if line.awaiting and line.review]
            reads = read_decision_items(
                request.POST, [line.review.pk for line in awaiting if line.review]
            )
            _keep(awaiting, reads)
            items = [
                DecisionItem(
                    review_id=read.review_id,
                    rating="" if read.rating == line.review.self_rating else read.rating,
                )
                for read, line in zip(reads, awaiting, strict=True)
                if read.picked and line.review
            ]
            done = submit_decision(
                decide_org_ratings,
                period,
                committee,
                by=user,
                head=head,
                reads=reads,
                items=items,
                none_picked="Chưa chọn tổ chức nào để quyết định.",
            )
            status = done.status
            if done.refused is not None:
                results = _results(lines, done.refused.results)
                head.add_error(
                    None,
                    "Chưa quyết định cho tổ chức nào: sửa hoặc bỏ chọn các dòng bị từ chối "
                    "rồi quyết định lại.",
                )
            elif done.answer is not None:
                messages.success(
                    request, f"Đã quyết định xếp loại {len(done.answer)} tổ chức đảng."
                )
                return redirect("reviews:organisations", period.pk, committee.pk)
        else:
            if assess is None:
                raise PermissionDenied
            assess = OrgAssessmentForm(request.POST, organisations=assessable)
            if assess.is_valid():
                target = next(o for o in targets if o.pk == assess.cleaned_data["organisation"])
                try:
                    record_org_assessment(period, target, by=user, **assess.values())
                except NotAllowed:
                    raise PermissionDenied from None
                except DomainError as error:
                    refused(assess, error)
                    status = 409
                else:
                    messages.success(request, f"Đã ghi bản tự đánh giá của {target.name}.")
                    return redirect("reviews:organisations", period.pk, committee.pk)
            else:
                status = 400
    context = {
        "nav": "reviews",
        "period": period,
        "node": committee,
        "crumbs": crumbs(user, period, committee),
        "own": reviews.get(committee.pk),
        "may_assess_own": not closed and committee.pk in {pk for pk, _name in assessable},
        "lines": lines,
        "assess": assess if not closed or status != 200 else None,
        "head": head,
        "may_decide": may_decide and not closed,
        "awaiting": sum(1 for line in lines if line.awaiting),
        "results": results,
        "quota": _quota(lines, period, committee, today),
        **rating_context(min(period.ends_on, today), committee),
        "covers": covers(period, committee),
    }
    return render(request, "reviews/organisations.html", context, status=status)


def _assess_initial(
    chosen: str, reviews: dict[int, OrganisationReview], today: Any
) -> dict[str, Any]:
    """The form for ``?assess=<org>``: the organisation's current self-assessment if any."""
    initial: dict[str, Any] = {
        "assessed_on": today,
        "on_time_percent": 100,
        "beyond_percent": 0,
        "shortcomings_fixed": True,
    }
    if not is_number(chosen):
        return initial
    initial["organisation"] = int(chosen)
    review = reviews.get(int(chosen))
    if review is not None:
        initial.update(
            self_score=score_text(review.self_score),
            self_rating=review.self_rating,
            on_time_percent=review.on_time_percent,
            beyond_percent=review.beyond_percent,
            shortcomings_fixed=review.shortcomings_fixed,
            disciplined=review.disciplined,
            assessed_on=review.self_assessed_on,
            self_comment=review.self_comment,
        )
    return initial


def _keep(awaiting: list[Line], reads: list[ReadItem]) -> None:
    for line, read in zip(awaiting, reads, strict=True):
        line.picked, line.error = read.picked, read.error
        line.rating = read.rating or line.rating  # an unticked row posts no rating


def _results(lines: list[Line], results: list[Any]) -> list[dict[str, Any]]:
    """On organisation decisions ``RowResult.member_id`` carries the organisation's id."""
    by_org = {line.org.pk: line for line in lines}
    table = []
    for result in results:
        line = by_org.get(result.member_id)
        if line is not None:
            line.result = result
        table.append({"result": result, "line": line})
    return table


def _quota(
    lines: list[Line], period: ReviewPeriod, committee: Organisation, today: Any
) -> dict[str, Any]:
    """The decided ratings among the organisations the committee rates, against the quota
    on "excellent" (132/124-QĐ/TW, 20% [U])."""
    decided = [
        line.review.decided_rating for line in lines if line.review and line.review.decided_rating
    ]
    good_or_better = sum(1 for r in decided if r in (Rating.EXCELLENT, Rating.GOOD))
    excellent = sum(1 for r in decided if r == Rating.EXCELLENT)
    allowed = excellent_allowed(
        good_or_better, on=min(period.ends_on, today), organisation=committee
    )
    return {
        "good_or_better": good_or_better,
        "excellent": excellent,
        "allowed": allowed,
        "over": excellent > allowed,
    }


urlpatterns: list[URLPattern] = [
    path("<int:pk>/to-chuc/<int:org_pk>/", organisations, name="organisations"),
]
