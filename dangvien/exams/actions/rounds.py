"""Writes for exam rounds (đợt kiểm tra) from set-up to papers: status DRAFT → PAPERS.

Seed 000 (Hạ Long 2020, local practice): a committee sets up a Hội đồng kiểm tra, đánh
giá nhận thức that keeps the question bank, keys and rubric, and tests each candidate in
writing and orally before the branch vote. Each action below names the rule it keeps;
values marked [U] are our reading of that practice, not a regulation.
"""

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Count

from dangvien.accounts.models import User
from dangvien.candidates.models import Candidate
from dangvien.core.actions import action
from dangvien.core.errors import Conflict, NotAllowed, NotEligible, StageNotAllowed
from dangvien.core.text import nfc
from dangvien.exams.models import (
    BlueprintLine,
    BoardMember,
    Difficulty,
    ExamRound,
    Paper,
    PaperItem,
    Part,
    RoundStatus,
    Sitting,
    SittingMode,
    SittingStatus,
    Topic,
)
from dangvien.exams.queries import access
from dangvien.exams.queries import rounds as queries
from dangvien.organisations.models import Organisation

# Limits of a round's settings. Seed 000 fixes none; these keep a paper printable and a
# sitting humane [U].
DURATION_RANGE = (5, 240)
VARIANT_RANGE = (1, 50)
MAX_LINE_COUNT = 100

SETTINGS = (
    "name",
    "held_on",
    "venue",
    "duration_minutes",
    "pass_mark",
    "written_weight",
    "oral_weight",
    "variants",
    "disagreement_percent",
)


# ---- round settings ----------------------------------------------------------------------


def _check_settings(values: dict[str, Any]) -> dict[str, Any]:
    """Each setting in range; the two weights add up to 100 (the final score is their
    weighted mean on the 10-point scale). Returns the cleaned values."""
    clean = dict(values)
    clean["name"] = nfc(str(values["name"] or ""))
    clean["venue"] = nfc(str(values.get("venue") or ""))
    if not clean["name"]:
        raise NotEligible("Chưa nhập tên đợt kiểm tra.", field="name")
    if len(clean["name"]) > 200:
        raise NotEligible("Tên đợt kiểm tra tối đa 200 ký tự.", field="name")
    if len(clean["venue"]) > 250:
        raise NotEligible("Địa điểm tối đa 250 ký tự.", field="venue")
    if not isinstance(values["held_on"], date):
        raise NotEligible("Ngày kiểm tra không hợp lệ.", field="held_on")
    low, high = DURATION_RANGE
    if not low <= int(values["duration_minutes"]) <= high:
        raise NotEligible(
            f"Thời gian làm bài phải từ {low} đến {high} phút.", field="duration_minutes"
        )
    try:
        pass_mark = Decimal(str(values["pass_mark"])).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise NotEligible("Điểm đạt không hợp lệ.", field="pass_mark") from None
    if not Decimal(0) <= pass_mark <= Decimal(10):
        raise NotEligible("Điểm đạt phải từ 0 đến 10 (thang điểm 10).", field="pass_mark")
    clean["pass_mark"] = pass_mark
    written, oral = int(values["written_weight"]), int(values["oral_weight"])
    if written < 0 or oral < 0:
        raise NotEligible("Trọng số không được âm.", field="written_weight")
    if written + oral != 100:
        raise NotEligible(
            f"Trọng số phần viết và phần vấn đáp phải cộng lại bằng 100% "
            f"(hiện là {written}% + {oral}% = {written + oral}%).",
            field="oral_weight",
        )
    low, high = VARIANT_RANGE
    if not low <= int(values["variants"]) <= high:
        raise NotEligible(f"Số mã đề phải từ {low} đến {high}.", field="variants")
    if not 0 <= int(values["disagreement_percent"]) <= 100:
        raise NotEligible(
            "Mức chênh lệch giữa hai giám khảo phải từ 0 đến 100%.",
            field="disagreement_percent",
        )
    for key in ("duration_minutes", "written_weight", "oral_weight", "variants"):
        clean[key] = int(values[key])
    clean["disagreement_percent"] = int(values["disagreement_percent"])
    return clean


def _may_run(by: Any, exam_round: ExamRound) -> None:
    if not access.can_run_round(by, exam_round):
        raise NotAllowed("Chỉ cán bộ của cấp ủy tổ chức đợt kiểm tra được làm việc này.")


def _locked(exam_round: ExamRound) -> ExamRound:
    row = ExamRound.objects.select_for_update(of=("self",)).select_related("organisation")
    return row.get(pk=exam_round.pk)


def _require_status(exam_round: ExamRound, allowed: Iterable[str], message: str) -> None:
    if exam_round.status not in allowed:
        raise StageNotAllowed(
            f"{message} (đợt kiểm tra đang ở bước “{exam_round.get_status_display()}”)."
        )


@action
def create_round(
    organisation: Organisation,
    *,
    name: str,
    held_on: date,
    venue: str = "",
    duration_minutes: int = 45,
    pass_mark: Decimal | int | str = 5,
    written_weight: int = 70,
    oral_weight: int = 30,
    variants: int = 4,
    disagreement_percent: int = 20,
    by: User,
) -> ExamRound:
    """Set up an exam round of ``organisation`` (seed 000: the committee's Hội đồng kiểm
    tra, đánh giá nhận thức tests its candidates). Committee staff only
    (``access.can_manage``); weights add up to 100, pass mark 0–10, 1–50 variants,
    5–240 minutes [U]."""
    if not access.can_manage(by, organisation):
        raise NotAllowed("Chỉ cán bộ của cấp ủy này (hoặc cấp trên) được tổ chức đợt kiểm tra.")
    clean = _check_settings(
        {
            "name": name,
            "held_on": held_on,
            "venue": venue,
            "duration_minutes": duration_minutes,
            "pass_mark": pass_mark,
            "written_weight": written_weight,
            "oral_weight": oral_weight,
            "variants": variants,
            "disagreement_percent": disagreement_percent,
        }
    )
    return ExamRound.objects.create(
        organisation=organisation, org_path=organisation.path, created_by=by, **clean
    )


@action
def update_round(exam_round: ExamRound, *, by: User, **changes: Any) -> ExamRound:
    """Change a round's settings while it is being prepared (papers not yet drawn: the
    variants, time and weights are printed on them). Same checks as ``create_round``."""
    _may_run(by, exam_round)
    unknown = set(changes) - set(SETTINGS)
    if unknown:
        raise NotEligible(f"Không sửa được: {', '.join(sorted(unknown))}.")
    row = _locked(exam_round)
    _require_status(row, [RoundStatus.DRAFT], "Chỉ sửa đợt kiểm tra khi chưa tạo đề")
    values = {key: getattr(row, key) for key in SETTINGS}
    values.update(changes)
    clean = _check_settings(values)
    for key, value in clean.items():
        setattr(row, key, value)
        setattr(exam_round, key, value)
    row.save(update_fields=list(SETTINGS))
    return row


# ---- board -------------------------------------------------------------------------------


@action
def set_board(
    exam_round: ExamRound, *, members: Sequence[User], chair: User, by: User
) -> list[BoardMember]:
    """Hội đồng kiểm tra, đánh giá nhận thức (seed 000): at least two members, so every
    essay and oral answer gets two markers; exactly one chair, among them, who signs the
    results off. Members hold a role in the round organisation's subtree or above
    (``queries.board_candidates``, our choice [U]). Replaces the board; possible until
    marking starts."""
    _may_run(by, exam_round)
    row = _locked(exam_round)
    _require_status(
        row,
        [RoundStatus.DRAFT, RoundStatus.PAPERS, RoundStatus.OPEN],
        "Không đổi hội đồng khi đã bắt đầu chấm",
    )
    unique: dict[int, User] = {}
    for user in members:
        unique.setdefault(user.pk, user)
    if len(unique) < 2:
        raise NotEligible(
            "Hội đồng cần ít nhất 2 thành viên để mỗi bài tự luận và vấn đáp có hai giám khảo "
            "chấm.",
            field="members",
        )
    if chair.pk not in unique:
        raise NotEligible("Chủ tịch hội đồng phải là một trong các thành viên.", field="chair")
    allowed = set(
        queries.board_candidates(row).filter(pk__in=list(unique)).values_list("pk", flat=True)
    )
    outside = [str(u) for pk, u in unique.items() if pk not in allowed]
    if outside:
        raise NotEligible(
            f"{', '.join(outside)} không có vai trò tại {row.organisation.name}, cấp trên hay "
            "các tổ chức trực thuộc, nên không thể vào hội đồng.",
            field="members",
        )
    BoardMember.objects.filter(round=row).delete()
    return BoardMember.objects.bulk_create(
        [BoardMember(round=row, user=user, is_chair=pk == chair.pk) for pk, user in unique.items()]
    )


# ---- blueprint ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """A blueprint line as given: ``count`` questions of ``topic`` at ``difficulty`` in
    ``part``."""

    part: str
    topic: Topic
    difficulty: int
    count: int


def _line_label(part: str, topic: Topic, difficulty: int) -> str:
    return (
        f"phần {Part(part).label.lower()}, chủ đề “{topic.name}”, độ khó "
        f"“{Difficulty(difficulty).label}”"
    )


def _check_lines(exam_round: ExamRound, lines: Sequence[Line]) -> None:
    """Lines well formed; a part with weight > 0 has lines and a part with weight 0 none;
    the bank holds enough usable questions for each line."""
    seen: set[tuple[str, int, int]] = set()
    for line in lines:
        if line.part not in Part.values:
            raise NotEligible("Phần không hợp lệ: chọn viết hoặc vấn đáp.", field="lines")
        if line.difficulty not in Difficulty.values:
            raise NotEligible("Độ khó không hợp lệ.", field="lines")
        if not 1 <= line.count <= MAX_LINE_COUNT:
            raise NotEligible(
                f"Số câu của {_line_label(line.part, line.topic, line.difficulty)} phải từ 1 "
                f"đến {MAX_LINE_COUNT}.",
                field="lines",
            )
        key = (line.part, line.topic.pk, line.difficulty)
        if key in seen:
            raise NotEligible(
                f"Trùng dòng: {_line_label(line.part, line.topic, line.difficulty)}.",
                field="lines",
            )
        seen.add(key)
    weights = ((Part.WRITTEN, exam_round.written_weight), (Part.ORAL, exam_round.oral_weight))
    for part, weight in weights:
        has_lines = any(line.part == part for line in lines)
        label = Part(part).label.lower()
        if weight > 0 and not has_lines:
            raise NotEligible(
                f"Phần {label} có trọng số {weight}%: cần ít nhất một dòng câu hỏi.",
                field="lines",
            )
        if weight == 0 and has_lines:
            raise NotEligible(f"Phần {label} có trọng số 0%: không được có câu hỏi.", field="lines")
    counts = queries.bank_counts(exam_round.organisation)
    short = []
    for line in lines:
        available = counts.get((line.part, line.topic.pk, line.difficulty), 0)
        if available < line.count:
            short.append(
                f"{_line_label(line.part, line.topic, line.difficulty)}: ngân hàng chỉ có "
                f"{available} câu dùng được, ma trận cần {line.count}"
            )
    if short:
        raise NotEligible("Ngân hàng câu hỏi không đủ — " + "; ".join(short) + ".", field="lines")


@action
def set_blueprint(exam_round: ExamRound, *, lines: Sequence[Line], by: User) -> list[BlueprintLine]:
    """Ma trận đề (seed 000: question bank and written + oral test): per part, topic and
    difficulty, how many questions each variant draws. Written lines draw every type but
    oral; oral lines draw oral questions. Refused when the usable bank
    (``access.usable_questions``: own questions and those shared down) is short. Only while
    the round is being prepared; replaces the lines."""
    _may_run(by, exam_round)
    row = _locked(exam_round)
    _require_status(
        row, [RoundStatus.DRAFT], "Chỉ sửa ma trận đề khi chưa tạo đề (hủy các mã đề trước)"
    )
    _check_lines(row, lines)
    BlueprintLine.objects.filter(round=row).delete()
    return BlueprintLine.objects.bulk_create(
        [
            BlueprintLine(
                round=row,
                part=line.part,
                topic=line.topic,
                difficulty=line.difficulty,
                count=line.count,
            )
            for line in lines
        ]
    )


# ---- candidates --------------------------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    """One candidate's outcome: the sitting created, or why not."""

    candidate: Candidate
    sitting: Sitting | None
    message: str = ""

    @property
    def registered(self) -> bool:
        return self.sitting is not None


def _assign_round_robin(exam_round: ExamRound, sittings: Sequence[Sitting]) -> None:
    """Give new sittings the variants with the fewest sittings (lowest number first)."""
    papers = list(
        Paper.objects.filter(round=exam_round).annotate(n=Count("sittings")).order_by("number")
    )
    if not papers:
        return
    load = {paper.pk: paper.n for paper in papers}
    for sitting in sittings:
        paper = min(papers, key=lambda p: (load[p.pk], p.number))
        sitting.paper = paper
        load[paper.pk] += 1


@action
def register_candidates(
    exam_round: ExamRound,
    *,
    candidates: Sequence[Candidate],
    mode: str = SittingMode.ONLINE,
    by: User,
) -> list[Registration]:
    """Register candidates for the round, each on their own: the eligible ones get a
    sitting (with its attempt number, and a variant once papers exist), the others the
    reason they were refused. The rules (``queries.registration_checks``): the round
    organisation's subtree, a stage before the branch vote, no result pending elsewhere,
    no pass still valid (``exam.result_validity_months``), fewer than
    ``exam.max_attempts`` attempts, at least ``exam.resit_min_days`` after a failed one
    (seed 000, local practice [U])."""
    _may_run(by, exam_round)
    if mode not in SittingMode.values:
        raise NotEligible("Hình thức kiểm tra không hợp lệ.", field="mode")
    row = _locked(exam_round)
    _require_status(
        row,
        [RoundStatus.DRAFT, RoundStatus.PAPERS],
        "Chỉ đăng ký thí sinh trước khi bắt đầu kiểm tra",
    )
    unique = list({c.pk: c for c in candidates}.values())
    # Lock the candidates' people's sittings against two registrations racing.
    list(Sitting.objects.select_for_update().filter(person__in=[c.person_id for c in unique]))
    checks = queries.registration_checks(row, unique)
    accepted: list[Sitting] = []
    results: list[Registration] = []
    for candidate in unique:
        check = checks[candidate.pk]
        if check.refusal:
            results.append(Registration(candidate, None, check.refusal))
            continue
        sitting = Sitting(
            round=row,
            person_id=candidate.person_id,
            candidate=candidate,
            org_path=candidate.org_path,
            attempt=check.attempt,
            mode=mode,
        )
        accepted.append(sitting)
        results.append(Registration(candidate, sitting))
    _assign_round_robin(row, accepted)
    Sitting.objects.bulk_create(accepted)
    return results


@action
def unregister(sitting: Sitting, *, by: User) -> None:
    """Take a candidate off the round while their paper is not started (no answers)."""
    exam_round = sitting.round
    _may_run(by, exam_round)
    _require_status(
        _locked(exam_round),
        [RoundStatus.DRAFT, RoundStatus.PAPERS, RoundStatus.OPEN],
        "Không rút tên thí sinh khi đã bắt đầu chấm",
    )
    row = Sitting.objects.select_for_update().get(pk=sitting.pk)
    if queries.started(row) or row.answers.exists():
        raise StageNotAllowed(
            f"{sitting.person} đã bắt đầu làm bài ({row.get_status_display().lower()}); "
            "không thể rút tên."
        )
    row.delete()


# ---- papers ------------------------------------------------------------------------------


def _delete_papers(exam_round: ExamRound) -> None:
    Sitting.objects.filter(round=exam_round).update(paper=None)
    PaperItem.objects.filter(paper__round=exam_round).delete()
    Paper.objects.filter(round=exam_round).delete()


def _no_sitting_started(exam_round: ExamRound) -> None:
    if queries.any_started(exam_round):
        raise StageNotAllowed(
            "Đã có thí sinh bắt đầu làm bài: không thể tạo lại hay hủy các mã đề."
        )


@action
def generate_papers(exam_round: ExamRound, *, by: User) -> list[Paper]:
    """Draw ``round.variants`` variants (seed 000: question bank and answer keys; Moodle's
    random questions): per blueprint line, ``count`` questions at random among the usable
    ones of its topic, difficulty and part; shuffled within each part, written first,
    then oral; options shuffled per item. Each variant's seed is stored (``Paper.seed``)
    so the draw can be repeated (``queries.redraw``). Items point at each question's
    current version and carry its points. Sittings get the variants round robin; the round
    moves to PAPERS. Drawing again replaces the papers while no sitting has started."""
    _may_run(by, exam_round)
    row = _locked(exam_round)
    _require_status(
        row, [RoundStatus.DRAFT, RoundStatus.PAPERS], "Không tạo lại đề khi đã bắt đầu kiểm tra"
    )
    board = list(row.board.all())
    if len(board) < 2 or not any(m.is_chair for m in board):
        raise StageNotAllowed(
            "Chưa lập hội đồng kiểm tra (ít nhất 2 thành viên, có chủ tịch) để giữ đề và đáp án."
        )
    db_lines = list(row.blueprint.select_related("topic"))
    if not db_lines:
        raise StageNotAllowed("Chưa có ma trận đề.")
    _check_lines(row, [Line(ln.part, ln.topic, ln.difficulty, ln.count) for ln in db_lines])
    _no_sitting_started(row)
    lines = [queries.LineSpec(ln.part, ln.topic_id, ln.difficulty, ln.count) for ln in db_lines]
    pool = queries.bank_pool(row.organisation, {ln.topic_id for ln in lines})
    _delete_papers(row)
    papers = [
        Paper(round=row, number=number, seed=secrets.randbits(62))
        for number in range(1, row.variants + 1)
    ]
    Paper.objects.bulk_create(papers)
    items = [
        PaperItem(
            paper=paper,
            position=drawn.position,
            part=drawn.part,
            version_id=drawn.version_id,
            option_order=drawn.option_order,
            points=drawn.points,
        )
        for paper in papers
        for drawn in queries.draw(lines, pool, paper.seed)
    ]
    PaperItem.objects.bulk_create(items, batch_size=1000)
    sittings = list(Sitting.objects.filter(round=row).order_by("pk").only("pk", "paper"))
    for index, sitting in enumerate(sittings):
        sitting.paper = papers[index % len(papers)]
    Sitting.objects.bulk_update(sittings, ["paper"], batch_size=500)
    row.status = exam_round.status = RoundStatus.PAPERS
    row.save(update_fields=["status"])
    return papers


@action
def discard_papers(exam_round: ExamRound, *, by: User) -> None:
    """Back to preparation (PAPERS → DRAFT) to change the settings or the blueprint: the
    variants are deleted while no sitting has started."""
    _may_run(by, exam_round)
    row = _locked(exam_round)
    _require_status(row, [RoundStatus.PAPERS], "Chỉ hủy đề khi đã tạo đề và chưa kiểm tra")
    _no_sitting_started(row)
    _delete_papers(row)
    row.status = exam_round.status = RoundStatus.DRAFT
    row.save(update_fields=["status"])


# ---- one-time codes ----------------------------------------------------------------------


def _new_code() -> str:
    plain = "".join(secrets.choice(queries.CODE_ALPHABET) for _ in range(queries.CODE_LENGTH))
    return queries.format_code(plain)


@action
def issue_codes(
    exam_round: ExamRound, *, sitting: Sitting | None = None, by: User
) -> dict[int, str]:
    """One-time codes for the online sittings (seed 000 practice; the issue's "a one-time
    code per candidate per round"): 8 characters from an alphabet without look-alikes,
    printed as "K7QM-2XPA". Only the SHA-256 of the normalised code is stored
    (``Sitting.code_digest``); the raw codes are answered once, here. With ``sitting``,
    re-issues that one code (the old one stops working). Once papers exist; not for a
    sitting already submitted."""
    _may_run(by, exam_round)
    row = _locked(exam_round)
    _require_status(
        row,
        [RoundStatus.PAPERS, RoundStatus.OPEN],
        "Chỉ cấp mã dự thi sau khi tạo đề và trước khi chấm",
    )
    rows = Sitting.objects.select_for_update().filter(round=row, mode=SittingMode.ONLINE)
    if sitting is not None:
        rows = rows.filter(pk=sitting.pk)
        if not rows.exists():
            raise NotEligible(
                "Chỉ cấp mã dự thi cho thí sinh thi trực tuyến của đợt này.", field="sitting"
            )
    targets = list(
        rows.filter(status__in=[SittingStatus.REGISTERED, SittingStatus.IN_PROGRESS]).order_by("pk")
    )
    if sitting is not None and not targets:
        raise StageNotAllowed("Thí sinh đã nộp bài hoặc vắng mặt: không cấp lại mã.")
    if not targets:
        raise Conflict("Không có thí sinh thi trực tuyến nào cần cấp mã.")
    codes: dict[int, str] = {}
    used: set[str] = set()
    for target in targets:
        while True:
            raw = _new_code()
            digest = queries.code_digest(raw)
            if digest not in used:
                break
        used.add(digest)
        codes[target.pk] = raw
        target.code_digest = digest
    # A digest already held by another sitting would make the code ambiguous: redraw those.
    clashes = set(
        Sitting.objects.filter(code_digest__in=used)
        .exclude(pk__in=list(codes))
        .values_list("code_digest", flat=True)
    )
    for target in targets:
        while target.code_digest in clashes:
            raw = _new_code()
            codes[target.pk] = raw
            target.code_digest = queries.code_digest(raw)
    Sitting.objects.bulk_update(targets, ["code_digest"], batch_size=500)
    return codes
