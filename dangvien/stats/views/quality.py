"""Statistics tabs for rating results and screening outcomes (issue 7 "Results per node:
counts and shares per rating, compared with last year, exportable"; "Cases per node and
their outcomes, for the yearly report").

- ``/thong-ke/<org_pk>/xep-loai/?year=`` (``stats:quality``): the decided ratings of the
  members and of the party organisations under the node in the year, with their shares,
  the same for the year before and the change; members not rated because exempted;
  per direct child (``reviews.queries.results``).
- ``/thong-ke/<org_pk>/sang-loc/?year=`` (``stats:screening``): the screening ballots held
  in the year and where the cases stand, per direct child
  (``screening.queries.results``).

Both export to XLSX and PDF (``?format=xlsx|pdf``) from the same query results.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.http import urlencode

from dangvien.core.dbrouter import reporting
from dangvien.core.http import AuthedRequest
from dangvien.organisations.models import Organisation
from dangvien.reviews.models import RATING_ORDER
from dangvien.reviews.queries.results import (
    ChildRatings,
    RatingResults,
    Ratings,
    YearCounts,
    rating_label,
    rating_results,
)
from dangvien.screening.queries.results import (
    COLUMNS as SCREENING_COLUMNS,
)
from dangvien.screening.queries.results import (
    ScreeningFigures,
    ScreeningResults,
    screening_results,
)
from dangvien.stats.formatting import percent_text
from dangvien.stats.queries.access import visible_node
from dangvien.stats.report import Column, Report, Table
from dangvien.stats.views.common import export_or_none, file_slug, page_context, year_param

QUALITY_HEADING = "Kết quả đánh giá, xếp loại chất lượng"
SCREENING_HEADING = "Kết quả rà soát, sàng lọc đảng viên"

NOT_RATED = "Không xếp loại (miễn công tác và sinh hoạt đảng)"
PENDING = "Chưa có quyết định của cấp ủy"
RATED = "Tổng số được xếp loại"

Results = TypeVar("Results", RatingResults, ScreeningResults)

# Short rating names for the per-child columns.
SHORT = {
    "excellent": "Hoàn thành xuất sắc",
    "good": "Hoàn thành tốt",
    "complete": "Hoàn thành",
    "failed": "Không hoàn thành",
}


def _try_url(name: str, *args: Any, **params: Any) -> str | None:
    """A page of another area, when it exists (the areas land one by one)."""
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{url}?{urlencode(kept)}" if kept else url


def _child_url(name: str, child: Organisation, year: int) -> str:
    return f"{reverse(f'stats:{name}', args=[child.pk])}?{urlencode({'year': year})}"


def shown(children: list[Any]) -> list[Any]:
    """The per-child rows a page shows: none when the node has no child organisation (a
    chi bộ: its only row would repeat the node's figures)."""
    return children if any(not c.direct for c in children) else []


# ---- rating results --------------------------------------------------------------------


def comparison_rows(ratings: Ratings) -> list[list[Any]]:
    """The rows of a comparison table (report and page alike): rating, this year's number
    and share, last year's, the change in number and in share (percentage points)."""
    return [
        [
            line.label,
            line.count,
            line.share,
            line.last_count,
            line.last_share,
            line.change,
            line.share_change,
        ]
        for line in ratings.lines()
    ]


def comparison_total(ratings: Ratings) -> list[Any]:
    now, last = ratings.this_year, ratings.last_year
    return [
        RATED,
        now.rated,
        100.0 if now.rated else None,
        last.rated,
        100.0 if last.rated else None,
        ratings.rated_change,
        None,
    ]


def comparison_columns(year: int, first: str = "Xếp loại") -> list[Column]:
    return [
        Column(first, width=34),
        Column(f"Năm {year}", "int"),
        Column(f"Tỷ lệ {year}", "percent"),
        Column(f"Năm {year - 1}", "int"),
        Column(f"Tỷ lệ {year - 1}", "percent"),
        Column("Tăng (+), giảm (−)", "int"),
        Column("Tỷ lệ tăng, giảm (điểm %)", "decimal"),
    ]


def _members_note(result: RatingResults) -> str:
    now, last = result.members.this_year, result.members.last_year
    return (
        f"{NOT_RATED}: năm {result.year}: {now.not_rated}, năm {result.year - 1}: "
        f"{last.not_rated} (đảng viên được miễn tại ngày {result.exempted_on:%d/%m/%Y}, "
        f"{result.last_exempted_on:%d/%m/%Y}). {PENDING}: năm {result.year}: {now.pending}, "
        f"năm {result.year - 1}: {last.pending} (không tính vào tỷ lệ). Tỷ lệ tính trên số "
        "được xếp loại."
    )


def _periods_text(result: RatingResults) -> str:
    if not result.periods:
        return f"Chưa có kỳ đánh giá, xếp loại hằng năm nào năm {result.year} trong phạm vi này."
    names = "; ".join(f"{p.name} ({p.organisation.name})" for p in result.periods)
    return f"Kỳ đánh giá, xếp loại năm {result.year}: {names}."


def child_member_cells(counts: YearCounts) -> list[Any]:
    cells: list[Any] = [counts.rated]
    for rating in RATING_ORDER:
        cells += [counts.count(rating), counts.share(rating)]
    return [*cells, counts.not_rated, counts.pending]


def child_member_columns() -> list[Column]:
    columns = [Column("Tổ chức đảng", width=36), Column("Được xếp loại", "int")]
    for rating in RATING_ORDER:
        columns += [Column(SHORT[rating], "int"), Column("Tỷ lệ", "percent")]
    return [
        *columns,
        Column("Không xếp loại (miễn)", "int"),
        Column("Chưa quyết định", "int"),
    ]


def child_org_cells(counts: YearCounts) -> list[Any]:
    return [counts.rated, *(counts.count(r) for r in RATING_ORDER), counts.pending]


def child_org_columns() -> list[Column]:
    return [
        Column("Tổ chức đảng", width=36),
        Column("Được xếp loại", "int"),
        *(Column(SHORT[r], "int") for r in RATING_ORDER),
        Column("Chưa quyết định", "int"),
    ]


def quality_report(result: RatingResults) -> Report:
    """The rating results as a report, from the same ``rating_results`` as the page."""
    org, year = result.organisation, result.year
    report = Report(
        title=QUALITY_HEADING,
        organisation=org.name,
        period=f"Năm {year} (so với năm {year - 1})",
        filename=f"xep-loai-chat-luong-{year}-{file_slug(org)}",
    )
    report.sections.append(
        Table(
            "Xếp loại chất lượng đảng viên",
            comparison_columns(year),
            comparison_rows(result.members),
            total=comparison_total(result.members),
            note=f"{_members_note(result)} {_periods_text(result)}",
        )
    )
    report.sections.append(
        Table(
            "Xếp loại chất lượng tổ chức đảng",
            comparison_columns(year),
            comparison_rows(result.organisations),
            total=comparison_total(result.organisations),
            note="Các tổ chức đảng trực thuộc (không tính chính tổ chức này). "
            f"{PENDING} năm {year}: {result.organisations.this_year.pending}.",
        )
    )
    if result.organisation_groups:
        report.sections.append(
            Table(
                f"Xếp loại tổ chức đảng năm {year} theo loại tổ chức",
                [
                    Column("Loại tổ chức", width=36),
                    Column("Được xếp loại", "int"),
                    *(Column(SHORT[r], "int") for r in RATING_ORDER),
                    Column("Chưa quyết định", "int"),
                ],
                [
                    [label, *child_org_cells(ratings.this_year)]
                    for _key, label, ratings in result.organisation_groups
                ],
            )
        )
    children = shown(result.children)
    if children:
        for title, pick in (
            (f"Xếp loại đảng viên năm {year} theo tổ chức trực thuộc", "this_year"),
            (f"Xếp loại đảng viên năm {year - 1} theo tổ chức trực thuộc", "last_year"),
        ):
            report.sections.append(
                Table(
                    title,
                    child_member_columns(),
                    [[c.label, *child_member_cells(getattr(c.members, pick))] for c in children],
                    total=["Tổng cộng", *child_member_cells(getattr(result.members, pick))],
                )
            )
        report.sections.append(
            Table(
                f"Xếp loại tổ chức đảng năm {year} theo tổ chức trực thuộc",
                child_org_columns(),
                [[c.label, *child_org_cells(c.organisations.this_year)] for c in children],
                total=["Tổng cộng", *child_org_cells(result.organisations.this_year)],
                note="Mỗi dòng gồm tổ chức trực thuộc đó và các tổ chức đảng bên dưới.",
            )
        )
    return report


def signed(value: int) -> str:
    """A change in number as reports write it: "+3", "−2", "0"."""
    if value > 0:
        return f"+{value:,}".replace(",", ".")
    if value < 0:
        return f"−{-value:,}".replace(",", ".")
    return "0"


def signed_points(value: float | None) -> str:
    """A change of a share in percentage points: "+5,0", "−2,3", "0,0"; "—" when none."""
    if value is None:
        return "—"
    text = percent_text(abs(value)).rstrip("%")
    return f"+{text}" if value > 0 else f"−{text}" if value < 0 else text


def _direction(rating: str, value: float | None) -> str:
    """ "better" or "worse" for a share that moved the right or wrong way: more excellent
    or good ratings is better, more failed ones worse ("complete" says neither)."""
    if not value or rating == "complete":
        return ""
    rising_is_better = rating in ("excellent", "good")
    return "better" if (value > 0) == rising_is_better else "worse"


def _comparison(ratings: Ratings) -> dict[str, Any]:
    now, last = ratings.this_year, ratings.last_year
    return {
        "lines": [
            {
                "line": line,
                "change": signed(line.change),
                "points": signed_points(line.share_change),
                "direction": _direction(line.rating, line.share_change),
            }
            for line in ratings.lines()
        ],
        "now": now,
        "last": last,
        "rated_change": signed(ratings.rated_change),
        "not_rated_change": signed(ratings.not_rated_change),
        "pending_change": signed(now.pending - last.pending),
    }


def _child_row(child: ChildRatings, year: int) -> dict[str, Any]:
    now, last = child.members.this_year, child.members.last_year
    return {
        "label": child.label,
        "url": None if child.direct else _child_url("quality", child.organisation, year),
        "now": now,
        "last": last,
        "cells": [
            {
                "count": now.count(r),
                "share": now.share(r),
                "last_share": last.share(r),
            }
            for r in RATING_ORDER
        ],
        "orgs": child.organisations.this_year,
        "org_cells": [child.organisations.this_year.count(r) for r in RATING_ORDER],
    }


def _quality_context(
    org: Organisation, year: int, result: RatingResults, children: list[ChildRatings]
) -> dict[str, Any]:
    return {
        "subtitle": f"Năm {year}, so với năm {year - 1}",
        "members": _comparison(result.members),
        "organisations": _comparison(result.organisations),
        "groups": [
            (label, child_org_cells(ratings.this_year))
            for _key, label, ratings in result.organisation_groups
        ],
        "periods": [
            {
                "period": p,
                "url": _try_url("reviews:period", p.pk, node=org.pk),
            }
            for p in result.periods
        ],
        "ratings": [SHORT[r] for r in RATING_ORDER],
        "rating_names": [rating_label(r) for r in RATING_ORDER],
        "children": [_child_row(c, year) for c in children],
        "not_rated_label": NOT_RATED,
        "pending_label": PENDING,
    }


@login_required
@reporting()
def quality_page(request: AuthedRequest, org_pk: int) -> HttpResponse:
    """Kết quả đánh giá, xếp loại chất lượng of the node in ``?year=`` (default this year),
    compared with the year before."""
    return _yearly_page(
        request,
        org_pk,
        "quality",
        results=rating_results,
        report=quality_report,
        heading=QUALITY_HEADING,
        context=_quality_context,
        template="stats/quality.html",
    )


# ---- screening -------------------------------------------------------------------------


def screening_report(result: ScreeningResults) -> Report:
    org, year = result.organisation, result.year
    report = Report(
        title=SCREENING_HEADING,
        organisation=org.name,
        period=f"Năm {year} (theo ngày bỏ phiếu kín)",
        filename=f"ra-soat-sang-loc-{year}-{file_slug(org)}",
    )
    report.sections.append(
        Table(
            "Kết quả rà soát, sàng lọc",
            [Column("Chỉ tiêu", width=50), Column("Số lượng", "int"), Column("Tỷ lệ", "percent")],
            [
                [f"– {line.label}" if line.sub else line.label, line.count, line.share]
                for line in result.lines()
            ],
            note="Tỷ lệ: “đưa vào diện”, “không đủ 2/3” so với số được bỏ phiếu; các kết quả "
            "giúp đỡ so với số đưa vào diện giúp đỡ; các quyết định so với số đề nghị. "
            "Các đề nghị tính cả những trường hợp cấp ủy đã quyết định.",
        )
    )
    report.sections.append(
        Table(
            "Biểu hiện của các trường hợp đưa vào diện giúp đỡ",
            [Column("Biểu hiện", width=50), Column("Số lượng", "int"), Column("Tỷ lệ", "percent")],
            [[label, n, share] for label, n, share in result.criteria_lines()],
            note="Một trường hợp có thể có nhiều biểu hiện.",
        )
    )
    children = shown(result.children)
    if children:
        report.sections.append(
            Table(
                "Theo tổ chức trực thuộc",
                [
                    Column("Tổ chức đảng", width=36),
                    *(Column(label, "int") for _c, label in SCREENING_COLUMNS),
                ],
                [[c.label, *screening_cells(c)] for c in children],
                total=["Tổng cộng", *screening_cells(result.figures)],
            )
        )
    return report


def screening_cells(figures: ScreeningFigures) -> list[int]:
    return [figures[column] for column, _label in SCREENING_COLUMNS]


def _screening_context(
    org: Organisation, year: int, result: ScreeningResults, children: list[Any]
) -> dict[str, Any]:
    return {
        "subtitle": f"Năm {year}, theo ngày chi bộ bỏ phiếu kín",
        "lines": result.lines(),
        "criteria": result.criteria_lines(),
        "cases_url": _try_url("screening:list", node=org.pk, year=year),
        "columns": [label for _c, label in SCREENING_COLUMNS],
        "children": [
            {
                "label": c.label,
                "url": None if c.direct else _child_url("screening", c.organisation, year),
                "cells": screening_cells(c),
            }
            for c in children
        ],
        "totals": screening_cells(result.figures),
    }


@login_required
@reporting()
def screening_page(request: AuthedRequest, org_pk: int) -> HttpResponse:
    """Kết quả rà soát, sàng lọc of the node: the ballots held in ``?year=`` (default this
    year) and where the cases stand."""
    return _yearly_page(
        request,
        org_pk,
        "screening",
        results=screening_results,
        report=screening_report,
        heading=SCREENING_HEADING,
        context=_screening_context,
        template="stats/quality_screening.html",
    )


# ---- both pages ------------------------------------------------------------------------


def _yearly_page(
    request: AuthedRequest,
    org_pk: int,
    tab: str,
    *,
    results: Callable[[Organisation, int], Results],
    report: Callable[[Results], Report],
    heading: str,
    context: Callable[[Organisation, int, Results, list[Any]], dict[str, Any]],
    template: str,
) -> HttpResponse:
    """Either page: the node in the user's scope, ``?year=`` (default this year), the
    ``results`` of the year; the export (``?format=xlsx|pdf``, ``report`` of the same
    results) or the page, whose own ``context`` gets the children ``shown``."""
    org = visible_node(request.user, org_pk)
    year = year_param(request)
    result = results(org, year)
    response = export_or_none(request, lambda: report(result))
    if response is not None:
        return response
    page = page_context(
        request,
        org,
        tab,
        heading=heading,
        exportable=True,
        year=year,
        result=result,
        **context(org, year, result, shown(result.children)),
    )
    return render(request, template, page)


urlpatterns: list[URLPattern] = [
    path("<int:org_pk>/xep-loai/", quality_page, name="quality"),
    path("<int:org_pk>/sang-loc/", screening_page, name="screening"),
]
