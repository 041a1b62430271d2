"""Marking pages of a round: the marker's queue, one question across all candidates, the
chair's disagreements, the results list with sign-off and its Excel export, and the
statistics with charts drawn as inline SVG on the server (no JavaScript, they print).

Markers work one question at a time across all candidates rather than one candidate's
paper at a time: applying one rubric to every answer in a row keeps the marking
consistent and keeps the impression left by a candidate's other answers out of it (the
halo effect); it is how Vietnamese exam boards organise "chấm theo câu". Essay answers
show the sitting's blind number (số phách), never the name; oral items are scored at
the oral session with the candidate present, so their name is shown.
"""

from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from dangvien.core import listexport
from dangvien.core.errors import DomainError, NotAllowed
from dangvien.core.http import AuthedRequest
from dangvien.exams.actions import marking as actions
from dangvien.exams.models import Answer, ExamRound, RoundStatus, SittingStatus
from dangvien.exams.queries import results as queries
from dangvien.exams.queries import statistics as stats
from dangvien.exams.queries.access import (
    can_run_round,
    is_board_member,
    is_chair,
    reachable_rounds,
    visible_sittings,
)

# ---- fetching and roles --------------------------------------------------------------------


def _round(request: AuthedRequest, pk: int) -> ExamRound:
    """The round if the user may reach it (scope or board); 404 otherwise."""
    return get_object_or_404(reachable_rounds(request.user).select_related("organisation"), pk=pk)


def _board_only(request: AuthedRequest, exam_round: ExamRound) -> None:
    if not is_board_member(request.user, exam_round):
        raise PermissionDenied


def _runs(request: AuthedRequest, exam_round: ExamRound) -> bool:
    """Board members and the round's committee staff see everything about the round."""
    return is_board_member(request.user, exam_round) or can_run_round(request.user, exam_round)


def _round_url(exam_round: ExamRound) -> str:
    """The round's page (issue 5, helper R), when it exists."""
    try:
        return reverse("exams:round", args=[exam_round.pk])
    except NoReverseMatch:
        return ""


def _base(request: AuthedRequest, exam_round: ExamRound, **extra: Any) -> dict[str, Any]:
    return {
        "nav": "exams",
        "round": exam_round,
        "round_url": _round_url(exam_round),
        "is_board": is_board_member(request.user, exam_round),
        "is_chair": is_chair(request.user, exam_round),
        "runs": _runs(request, exam_round),
        "marking_open": exam_round.status == RoundStatus.MARKING,
        "signed_on": timezone.localtime(exam_round.signed_at).date()
        if exam_round.signed_at
        else None,
        **extra,
    }


# ---- the marker's queue --------------------------------------------------------------------


@login_required
def mark_queue(request: AuthedRequest, pk: int) -> HttpResponse:
    """The questions still waiting for the user's score, with the round's progress."""
    exam_round = _round(request, pk)
    if not _runs(request, exam_round):
        raise PermissionDenied
    groups = (
        queries.marking_queue(exam_round, request.user)
        if is_board_member(request.user, exam_round)
        else []
    )
    context = _base(
        request,
        exam_round,
        groups=groups,
        progress=queries.marking_progress(exam_round),
    )
    return render(request, "exams/mark_queue.html", context)


@require_POST
@login_required
def mark_objective(request: AuthedRequest, pk: int) -> HttpResponse:
    exam_round = _round(request, pk)
    if not _runs(request, exam_round):
        raise PermissionDenied
    try:
        done = actions.mark_objective(exam_round, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Đã chấm tự động phần trắc nghiệm của {done.sittings} bài "
            f"({done.answers_changed} câu trả lời được cập nhật điểm).",
        )
    return redirect("exams:mark", exam_round.pk)


def _fields(
    group: queries.QueueGroup, qa: queries.QueueAnswer, posted: Any = None
) -> list[dict[str, Any]]:
    """The rubric's criteria as number inputs, filled with the marker's own mark (or what
    they just posted)."""
    rubric = actions.rubric_lines(group.version)
    own = qa.own.criteria if qa.own and isinstance(qa.own.criteria, list) else []
    fields = []
    for index, (criterion, most) in enumerate(rubric):
        value: Any = ""
        if posted is not None:
            value = posted.get(f"c{index}", "")
        elif index < len(own):
            value = own[index].get("points", "")
        fields.append({"name": f"c{index}", "criterion": criterion, "max": most, "value": value})
    return fields


def _item_context(
    request: AuthedRequest, exam_round: ExamRound, version_pk: int
) -> tuple[queries.QueueGroup, dict[str, Any]]:
    group = queries.item_for_marker(exam_round, request.user, version_pk)
    if group is None:
        raise Http404
    for qa in group.answers:
        qa.fields = _fields(group, qa)  # type: ignore[attr-defined]
    return group, _base(request, exam_round, group=group)


@login_required
def mark_item(request: AuthedRequest, pk: int, version_pk: int) -> HttpResponse:
    """One question across all candidates: each answer with the rubric's number inputs."""
    exam_round = _round(request, pk)
    _board_only(request, exam_round)
    _group, context = _item_context(request, exam_round, version_pk)
    return render(request, "exams/mark_item.html", context)


@require_POST
@login_required
def mark_answer(request: AuthedRequest, pk: int, answer_pk: int) -> HttpResponse:
    """Score one answer (htmx swaps the answer's card; without htmx, back to the page)."""
    exam_round = _round(request, pk)
    _board_only(request, exam_round)
    answer = get_object_or_404(
        Answer.objects.filter(sitting__round=exam_round).select_related("item"), pk=answer_pk
    )
    group, context = _item_context(request, exam_round, answer.item.version_id)
    qa = next((a for a in group.answers if a.answer.pk == answer.pk), None)
    if qa is None:
        raise Http404
    rubric = actions.rubric_lines(group.version)
    criteria = [request.POST.get(f"c{i}", "").strip().replace(",", ".") for i in range(len(rubric))]
    status, error = 200, ""
    try:
        actions.score_answer(
            answer,
            marker=request.user,
            criteria=criteria,
            note=request.POST.get("note", ""),
            by=request.user,
        )
    except DomainError as exc:
        status, error = (403 if isinstance(exc, NotAllowed) else 409), str(exc)
    if not request.htmx:
        which = qa.person_name if group.is_oral else f"bài số {qa.number:03d}"
        if error:
            messages.error(request, f"{which[:1].upper()}{which[1:]}: {error}")
        else:
            messages.success(request, f"Đã lưu điểm ({which}).")
        return redirect("exams:mark-item", exam_round.pk, group.version.pk)
    if error:
        qa.fields = _fields(group, qa, request.POST)  # type: ignore[attr-defined]
        qa.error = error  # type: ignore[attr-defined]
    else:
        group, context = _item_context(request, exam_round, group.version.pk)
        qa = next(a for a in group.answers if a.answer.pk == answer.pk)
        qa.saved = True  # type: ignore[attr-defined]
    context["qa"] = qa
    return render(request, "exams/mark_item.html#answer", context, status=status)


# ---- the chair's disagreements -------------------------------------------------------------


@login_required
def mark_disputes(request: AuthedRequest, pk: int) -> HttpResponse:
    """Answers the two markers disagree on, both marks side by side; the chair settles."""
    exam_round = _round(request, pk)
    _board_only(request, exam_round)
    rows = queries.disputes(exam_round)
    threshold = exam_round.disagreement_percent
    return render(
        request,
        "exams/mark_disputes.html",
        _base(request, exam_round, rows=rows, threshold=threshold),
    )


@require_POST
@login_required
def mark_resolve(request: AuthedRequest, pk: int, answer_pk: int) -> HttpResponse:
    exam_round = _round(request, pk)
    _board_only(request, exam_round)
    if not is_chair(request.user, exam_round):
        raise PermissionDenied
    answer = get_object_or_404(Answer.objects.filter(sitting__round=exam_round), pk=answer_pk)
    try:
        actions.resolve_dispute(
            answer,
            points=request.POST.get("points", "").strip().replace(",", ".") or "x",
            note=request.POST.get("note", ""),
            by=request.user,
        )
    except DomainError as error:
        messages.error(request, str(error))
        response = mark_disputes(request, pk)
        response.status_code = 409
        return response
    messages.success(request, "Đã quyết định điểm câu trả lời.")
    return redirect("exams:mark-disputes", exam_round.pk)


# ---- results -------------------------------------------------------------------------------


def _results(request: AuthedRequest, exam_round: ExamRound) -> queries.RoundResults:
    within = None if _runs(request, exam_round) else visible_sittings(request.user)
    return queries.results(exam_round, within=within)


@login_required
def results(request: AuthedRequest, pk: int) -> HttpResponse:
    """The results list: scores, pass/fail, open disagreements; the chair signs it off."""
    exam_round = _round(request, pk)
    listing = _results(request, exam_round)
    return render(request, "exams/results_list.html", _base(request, exam_round, results=listing))


@require_POST
@login_required
def results_compute(request: AuthedRequest, pk: int) -> HttpResponse:
    exam_round = _round(request, pk)
    if not _runs(request, exam_round):
        raise PermissionDenied
    try:
        done = actions.compute_results(exam_round, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Đã tổng hợp kết quả: {done.marked} bài đã chấm xong, "
            f"{done.waiting} bài còn chờ điểm.",
        )
    return redirect("exams:results", exam_round.pk)


@require_POST
@login_required
def results_sign(request: AuthedRequest, pk: int) -> HttpResponse:
    """The chair signs the results off, after ticking the confirmation."""
    exam_round = _round(request, pk)
    if not is_chair(request.user, exam_round):
        raise PermissionDenied
    error = ""
    if request.POST.get("confirm") != "yes":
        error = "Hãy đánh dấu xác nhận trước khi ký duyệt kết quả."
    else:
        try:
            actions.sign_off(exam_round, by=request.user)
        except DomainError as exc:
            error = str(exc)
    if error:
        listing = _results(request, exam_round)
        context = _base(request, exam_round, results=listing, sign_error=error)
        return render(request, "exams/results_list.html", context, status=409)
    messages.success(request, "Đã ký duyệt kết quả đợt kiểm tra.")
    return redirect("exams:results", exam_round.pk)


RESULT_HEADERS = [
    ("STT", 6),
    ("Họ và tên", 28),
    ("Ngày sinh", 12),
    ("Số phách", 9),
    ("Mã đề", 8),
    ("Lần kiểm tra", 9),
    ("Điểm viết", 10),
    ("Điểm vấn đáp", 10),
    ("Điểm tổng hợp", 10),
    ("Kết quả", 14),
    ("Ghi chú", 34),
]


def _outcome(row: queries.ResultRow) -> str:
    sitting = row.sitting
    if sitting.status == SittingStatus.ABSENT:
        return "Vắng mặt"
    if sitting.status != SittingStatus.MARKED:
        return "Chưa chấm xong"
    return "Đạt" if sitting.passed else "Không đạt"


def _remark(row: queries.ResultRow) -> str:
    if row.resit_from:
        return f"Được kiểm tra lại từ ngày {row.resit_from:%d/%m/%Y}"
    if row.open_disputes:
        return f"{row.open_disputes} câu chênh lệch chờ chủ tịch hội đồng quyết định"
    return ""


def results_workbook(listing: queries.RoundResults, *, today: date, stamp: str = "") -> bytes:
    """The results list as .xlsx: the committee, the board, the round and its date, the
    sign-off (or "draft"), one line per candidate; ``stamp`` (``listexport.watermark``)
    in the header and footer of every printed page."""
    exam_round = listing.exam_round
    book = Workbook()
    sheet = book.active
    sheet.title = "Kết quả"
    last = get_column_letter(len(RESULT_HEADERS))
    lines = [
        (exam_round.organisation.name.upper(), Font(bold=True)),
        ("HỘI ĐỒNG KIỂM TRA, ĐÁNH GIÁ NHẬN THỨC VỀ ĐẢNG", Font(bold=True)),
        (f"KẾT QUẢ {exam_round.name.upper()}", Font(bold=True, size=14)),
        (
            f"Ngày kiểm tra: {exam_round.held_on:%d/%m/%Y}"
            + (f" · Địa điểm: {exam_round.venue}" if exam_round.venue else "")
            + f" · Điểm đạt: {actions.vn_number(exam_round.pass_mark)}"
            + f" · Trọng số viết/vấn đáp: {exam_round.written_weight}/{exam_round.oral_weight}",
            Font(italic=True),
        ),
        (
            f"Chủ tịch hội đồng ký duyệt ngày {timezone.localtime(exam_round.signed_at):%d/%m/%Y}"
            if exam_round.status == RoundStatus.SIGNED and exam_round.signed_at
            else f"BẢN TẠM, CHƯA KÝ DUYỆT · Trích xuất ngày {today:%d/%m/%Y}",
            Font(italic=True),
        ),
    ]
    for n, (text, font) in enumerate(lines, start=1):
        cell = sheet.cell(row=n, column=1, value=text)
        cell.font = font
        sheet.merge_cells(f"A{n}:{last}{n}")
    head = len(lines) + 2
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    fill = PatternFill("solid", fgColor="DDE5F0")
    for col, (title, width) in enumerate(RESULT_HEADERS, start=1):
        cell = sheet.cell(row=head, column=col, value=title)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(col)].width = width
    for n, row in enumerate(listing.rows, start=1):
        s = row.sitting
        values: list[Any] = [
            n,
            s.person.full_name,
            s.person.birth_date,
            row.number or "",
            s.paper.code if s.paper else "",
            s.attempt,
            s.written_score,
            s.oral_score,
            s.final_score,
            _outcome(row),
            _remark(row),
        ]
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row=head + n, column=col, value=value)
            cell.border = border
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            if isinstance(value, date):
                cell.number_format = "DD/MM/YYYY"
            elif isinstance(value, Decimal):
                cell.number_format = "0.00"
    foot = head + len(listing.rows) + 2
    sheet.cell(
        row=foot,
        column=1,
        value=(
            f"Tổng số: {listing.total} · Vắng: {listing.absent} · Đạt: {listing.passed} · "
            f"Không đạt: {listing.failed} · Chưa chấm xong: {listing.waiting}"
        ),
    )
    sheet.freeze_panes = sheet.cell(row=head + 1, column=3)
    sheet.print_title_rows = f"{head}:{head}"
    if stamp:
        listexport.stamp_sheet(sheet, stamp)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@login_required
def results_xlsx(request: AuthedRequest, pk: int) -> HttpResponse:
    exam_round = _round(request, pk)
    listing = _results(request, exam_round)
    content = results_workbook(
        listing, today=timezone.localdate(), stamp=listexport.watermark(request.user)
    )
    return listexport.send(
        request,
        content,
        content_type=listexport.XLSX_TYPE,
        title=f"Kết quả kiểm tra {exam_round.name}",
        fmt="xlsx",
        rows=len(listing.rows),
        org_path=exam_round.organisation.path,
    )


# ---- statistics and their charts -----------------------------------------------------------

CHART_W, CHART_H = 640, 280
PAD_L, PAD_R, PAD_T, PAD_B = 44, 16, 16, 40


def histogram(round_stats: stats.RoundStats) -> dict[str, Any]:
    """Bars of the ten-bin distribution, in SVG user units, with the pass mark line."""
    plot_w, plot_h = CHART_W - PAD_L - PAD_R, CHART_H - PAD_T - PAD_B
    top = max([b.count for b in round_stats.bins] + [1])
    step = plot_w / len(round_stats.bins)
    bars = []
    for i, b in enumerate(round_stats.bins):
        h = plot_h * b.count / top
        bars.append(
            {
                "x": round(PAD_L + i * step + 3, 1),
                "y": round(PAD_T + plot_h - h, 1),
                "w": round(step - 6, 1),
                "h": round(h, 1),
                "count": b.count,
                "label": b.label,
                "mid": round(PAD_L + (i + 0.5) * step, 1),
                "ty": round(PAD_T + plot_h - h - 4, 1),
                "passing": b.lower >= round_stats.pass_mark,
            }
        )
    ticks = sorted({0, top, *(round(top * k / 4) for k in range(1, 4))})
    return {
        "w": CHART_W,
        "h": CHART_H,
        "left": PAD_L,
        "right": CHART_W - PAD_R,
        "base": PAD_T + plot_h,
        "bars": bars,
        "yticks": [{"y": round(PAD_T + plot_h - plot_h * t / top, 1), "v": t} for t in ticks],
        "pass_x": round(PAD_L + plot_w * float(round_stats.pass_mark) / 10, 1),
        "tick_x": PAD_L - 6,
        "axis_y": PAD_T + plot_h + 16,
        "label_y": CHART_H - 10,
    }


def scatter(items: list[stats.ItemStats]) -> dict[str, Any]:
    """Each question at (facility, discrimination); the accepted zone (0,20 ≤ p ≤ 0,90,
    D ≥ 0,20) shaded. D runs from −1 to 1."""
    plot_w, plot_h = CHART_W - PAD_L - PAD_R, CHART_H - PAD_T - PAD_B

    def x(p: float) -> float:
        return round(PAD_L + plot_w * p, 1)

    def y(d: float) -> float:
        return round(PAD_T + plot_h * (1 - (d + 1) / 2), 1)

    points = [
        {
            "cx": x(float(i.facility)),
            "cy": y(float(i.discrimination)),
            "tx": x(float(i.facility)) + 7,
            "label": i.label,
            "review": i.review,
            "title": f"{i.label}: p = {i.facility}, D = {i.discrimination}",
        }
        for i in items
        if i.facility is not None and i.discrimination is not None
    ]
    zone = {
        "x": x(float(stats.MIN_FACILITY)),
        "y": y(1),
        "w": round(x(float(stats.MAX_FACILITY)) - x(float(stats.MIN_FACILITY)), 1),
        "h": round(y(float(stats.MIN_DISCRIMINATION)) - y(1), 1),
    }
    return {
        "w": CHART_W,
        "h": CHART_H,
        "left": PAD_L,
        "right": CHART_W - PAD_R,
        "top": PAD_T,
        "base": PAD_T + plot_h,
        "zero": y(0),
        "tick_x": PAD_L - 6,
        "axis_y": PAD_T + plot_h + 14,
        "points": points,
        "zone": zone,
        "xticks": [
            {"x": x(t / 10), "v": f"{t / 10:.1f}".replace(".", ",")} for t in range(0, 11, 2)
        ],
        "yticks": [{"y": y(t / 2), "v": f"{t / 2:.1f}".replace(".", ",")} for t in range(-2, 3)],
        "label_y": CHART_H - 8,
    }


@login_required
def stats_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """Round statistics and item analysis; board and committee staff only (the choice
    counts show the key)."""
    exam_round = _round(request, pk)
    if not _runs(request, exam_round):
        raise PermissionDenied
    round_stats = stats.round_statistics(exam_round)
    items = stats.item_statistics(exam_round)
    for item in items:
        top = max([c.count for c in item.choices] + [1])
        for choice in item.choices:
            choice.width = round(120 * choice.count / top)  # type: ignore[attr-defined]
        item.p_width = round(120 * float(item.facility or 0))  # type: ignore[attr-defined]
        d = float(item.discrimination or 0)
        item.d_x = round(60 + 60 * min(d, 0.0))  # type: ignore[attr-defined]
        item.d_width = round(60 * abs(d))  # type: ignore[attr-defined]
    context = _base(
        request,
        exam_round,
        stats=round_stats,
        items=items,
        to_review=sum(1 for i in items if i.review),
        histogram=histogram(round_stats),
        scatter=scatter(items),
    )
    return render(request, "exams/stats_round.html", context)


urlpatterns: list[URLPattern] = [
    path("dot/<int:pk>/cham/", mark_queue, name="mark"),
    path("dot/<int:pk>/cham/tu-dong/", mark_objective, name="mark-objective"),
    path("dot/<int:pk>/cham/cau/<int:version_pk>/", mark_item, name="mark-item"),
    path("dot/<int:pk>/cham/bai/<int:answer_pk>/", mark_answer, name="mark-answer"),
    path("dot/<int:pk>/cham/chenh-lech/", mark_disputes, name="mark-disputes"),
    path("dot/<int:pk>/cham/chenh-lech/<int:answer_pk>/", mark_resolve, name="mark-resolve"),
    path("dot/<int:pk>/ket-qua/", results, name="results"),
    path("dot/<int:pk>/ket-qua/tong-hop/", results_compute, name="results-compute"),
    path("dot/<int:pk>/ket-qua/ky-duyet/", results_sign, name="results-sign"),
    path("dot/<int:pk>/ket-qua/ket-qua.xlsx", results_xlsx, name="results-xlsx"),
    path("dot/<int:pk>/thong-ke/", stats_page, name="stats"),
]
