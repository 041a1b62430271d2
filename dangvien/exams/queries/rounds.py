"""Reads for exam rounds (đợt kiểm tra) up to their papers: the list, what each step still
lacks, who may sit on the board, how many bank questions each blueprint line can draw,
who may be registered (the re-sit rules), and the paper draw itself.

The draw is a pure function of the blueprint, the bank and a seed (``draw``): the action
stores the seed on ``Paper.seed``, and ``redraw(paper)`` gives the same items again while
the bank is unchanged.
"""

import hashlib
import random
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from dangvien.accounts.models import User
from dangvien.candidates.models import Candidate
from dangvien.candidates.moves import PRE_VOTE
from dangvien.core.dates import add_months
from dangvien.core.rules import rule
from dangvien.exams.models import (
    WITH_OPTIONS,
    BlueprintLine,
    Difficulty,
    ExamRound,
    Paper,
    PaperItem,
    Part,
    QuestionType,
    RoundStatus,
    Sitting,
    SittingStatus,
    Topic,
)
from dangvien.exams.queries import access
from dangvien.organisations.models import SEGMENT, Organisation

# ---- one-time codes ----------------------------------------------------------------------

# No 0/O, 1/I/L: a code read aloud or copied from a slip cannot be mistaken.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
_NOT_CODE = re.compile(r"[\s\-‐‑‒–—―_.]+")


def normalise_code(raw: str) -> str:
    """As typed → as hashed: NFKC, upper case, without the dashes, spaces, dots and
    underscores a slip shows or a candidate types ("k7qm-2xpa " → "K7QM2XPA"); the same
    rule as the sitting's ``queries.sittings.normalise_code``."""
    return _NOT_CODE.sub("", unicodedata.normalize("NFKC", raw or "")).upper()


def code_digest(raw: str) -> str:
    """SHA-256 hex of the normalised code: all that ``Sitting.code_digest`` keeps."""
    return hashlib.sha256(normalise_code(raw).encode()).hexdigest()


def format_code(plain: str) -> str:
    """Grouped by four for reading: "K7QM2XPA" → "K7QM-2XPA"."""
    return "-".join(plain[i : i + 4] for i in range(0, len(plain), 4))


# ---- who sees what -----------------------------------------------------------------------


def round_list(user: Any) -> QuerySet[ExamRound]:
    """Rounds the user may open (in scope or on their board), with their counts."""
    return (
        ExamRound.objects.filter(pk__in=access.reachable_rounds(user).values("pk"))
        .select_related("organisation")
        .annotate(
            sitting_count=Count("sittings", distinct=True),
            paper_count=Count("papers", distinct=True),
        )
        .order_by("-held_on", "-pk")
    )


def filter_rounds(
    rows: QuerySet[ExamRound],
    *,
    year: int | None = None,
    status: str = "",
    organisation: Organisation | None = None,
) -> QuerySet[ExamRound]:
    if year:
        rows = rows.filter(held_on__year=year)
    if status:
        rows = rows.filter(status=status)
    if organisation is not None:
        rows = rows.filter(org_path__startswith=organisation.path)
    return rows


def can_see_keys(user: Any, exam_round: ExamRound) -> bool:
    """Answer keys, rubrics and the oral part (seed 000: "đáp án … chỉ hội đồng"): the
    round's board; the round's committee staff only when they also manage the bank of
    every question on its papers (a province bank shared down keeps its keys from
    commune staff who are not on the board)."""
    if access.is_board_member(user, exam_round):
        return True
    if not access.can_run_round(user, exam_round):
        return False
    from dangvien.exams.models import Question
    from dangvien.organisations.models import Organisation

    owner_ids = (
        Question.objects.filter(versions__paper_items__paper__round=exam_round)
        .values_list("owner_id", flat=True)
        .distinct()
    )
    owners = Organisation.objects.filter(pk__in=owner_ids)
    return all(access.can_manage(user, owner) for owner in owners)


def managed_organisations(user: Any) -> list[Organisation]:
    """Committees where the user may set up a round (``access.can_manage``)."""
    from dangvien.organisations.models import MEMBER_HOLDING
    from dangvien.organisations.queries import visible_organisations

    rows = visible_organisations(user).exclude(kind__in=MEMBER_HOLDING).order_by("path")
    return [org for org in rows if access.can_manage(user, org)]


# ---- board -------------------------------------------------------------------------------


def _ancestor_paths(path: str) -> list[str]:
    return [path[:end] for end in range(SEGMENT, len(path) + 1, SEGMENT)]


def board_candidates(exam_round: ExamRound) -> QuerySet[User]:
    """Users who may sit on the round's board: an active role at the round's organisation,
    in its subtree, or above it (the committee's own staff and members, the grassroots
    committees under it, or the superior committee's staff). Seed 000 names no rule for
    who sits on the Hội đồng kiểm tra, đánh giá nhận thức; this is our choice [U]."""
    above = _ancestor_paths(exam_round.org_path)
    return (
        User.objects.filter(is_active=True, roles__active=True)
        .filter(
            Q(roles__organisation__path__startswith=exam_round.org_path)
            | Q(roles__organisation__path__in=above)
        )
        .distinct()
        .order_by("display_name", "username")
    )


# ---- blueprint and bank ------------------------------------------------------------------

PART_ORDER: dict[str, int] = {Part.WRITTEN: 0, Part.ORAL: 1}


def suitable_types(part: str) -> list[str]:
    """Written lines draw every type but oral; oral lines draw oral questions only."""
    if part == Part.ORAL:
        return [QuestionType.ORAL]
    return [t for t in QuestionType.values if t != QuestionType.ORAL]


def _part_of(question_type: str) -> str:
    return Part.ORAL if question_type == QuestionType.ORAL else Part.WRITTEN


def bank_counts(organisation: Organisation) -> dict[tuple[str, int, int], int]:
    """Usable questions (with a current version) per (part, topic id, difficulty), in one
    GROUP BY query."""
    rows = (
        access.usable_questions(organisation)
        .filter(current__isnull=False)
        .values("topic_id", "difficulty", "type")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: Counter[tuple[str, int, int]] = Counter()
    for row in rows:
        counts[(_part_of(row["type"]), row["topic_id"], row["difficulty"])] += row["n"]
    return dict(counts)


@dataclass
class LineView:
    line: BlueprintLine
    available: int

    @property
    def short(self) -> bool:
        return self.available < self.line.count


def blueprint_lines(exam_round: ExamRound) -> list[BlueprintLine]:
    """Written part first, then oral; within a part by topic and difficulty."""
    lines = list(exam_round.blueprint.select_related("topic"))
    lines.sort(key=lambda ln: (PART_ORDER[ln.part], ln.topic.position, ln.topic_id, ln.difficulty))
    return lines


def blueprint_view(exam_round: ExamRound) -> list[LineView]:
    counts = bank_counts(exam_round.organisation)
    return [
        LineView(line, counts.get((line.part, line.topic_id, line.difficulty), 0))
        for line in blueprint_lines(exam_round)
    ]


def bank_matrix(organisation: Organisation) -> list[dict[str, Any]]:
    """For the blueprint page: per topic, the usable questions per part and difficulty."""
    counts = bank_counts(organisation)
    return [
        {
            "topic": topic,
            "cells": [
                {
                    "part": part,
                    "difficulty": difficulty,
                    "n": counts.get((part, topic.pk, difficulty), 0),
                }
                for part in (Part.WRITTEN, Part.ORAL)
                for difficulty in Difficulty.values
            ],
        }
        for topic in Topic.objects.all()
    ]


# ---- registration and the re-sit rules ---------------------------------------------------


@dataclass
class RegistrationCheck:
    """Whether a candidate may sit this round, and which attempt it would be."""

    attempt: int = 1
    refusal: str = ""


def _vn_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def eligible_candidates(exam_round: ExamRound) -> QuerySet[Candidate]:
    """Candidates of the round organisation's subtree, before the branch vote, not yet
    registered in this round."""
    return (
        Candidate.objects.filter(org_path__startswith=exam_round.org_path, stage__in=PRE_VOTE)
        .exclude(person__sittings__round=exam_round)
        .select_related("person", "branch")
        .order_by("person__sort_key", "pk")
    )


def registration_checks(
    exam_round: ExamRound, candidates: Sequence[Candidate]
) -> dict[int, RegistrationCheck]:
    """Every registration rule for many candidates, in a fixed few queries.

    - the candidate belongs to the round organisation's subtree and is before the branch
      vote (the test comes before it where the province requires it: DOMAIN.md §3);
    - not registered in this round already, and no result pending in another round;
    - no pass still valid (``exam.result_validity_months``, seed 000 [U]);
    - attempts so far below ``exam.max_attempts``, and the last failed round held at least
      ``exam.resit_min_days`` before this one (seed 000 [U]).

    An attempt is a sitting in an earlier round that was not marked absent.
    """
    on = exam_round.held_on
    org = exam_round.organisation
    validity = int(rule("exam.result_validity_months", on=on, organisation=org))
    max_attempts = int(rule("exam.max_attempts", on=on, organisation=org))
    resit_days = int(rule("exam.resit_min_days", on=on, organisation=org))
    person_ids = {c.person_id for c in candidates}
    earlier: dict[int, list[Sitting]] = defaultdict(list)
    rows = (
        Sitting.objects.filter(person_id__in=person_ids)
        .select_related("round")
        .order_by("round__held_on", "pk")
    )
    for sitting in rows:
        earlier[sitting.person_id].append(sitting)
    pass_floor = add_months(on, -validity)
    checks: dict[int, RegistrationCheck] = {}
    for candidate in candidates:
        check = RegistrationCheck()
        checks[candidate.pk] = check
        sittings = earlier.get(candidate.person_id, [])
        here = [s for s in sittings if s.round_id == exam_round.pk]
        others = [s for s in sittings if s.round_id != exam_round.pk]
        attempts = [s for s in others if s.round.held_on <= on and s.status != SittingStatus.ABSENT]
        check.attempt = len(attempts) + 1
        if not candidate.org_path.startswith(exam_round.org_path):
            check.refusal = (
                f"Không thuộc phạm vi {exam_round.organisation.name}: chỉ đăng ký quần chúng "
                "của các chi bộ trực thuộc."
            )
        elif candidate.stage not in PRE_VOTE:
            check.refusal = (
                f"Đang ở bước “{candidate.get_stage_display()}”: chỉ kiểm tra nhận thức "
                "trước khi chi bộ xét kết nạp."
            )
        elif here:
            check.refusal = "Đã có tên trong đợt kiểm tra này."
        elif pending := [
            s
            for s in others
            if s.round.status != RoundStatus.SIGNED and s.status != SittingStatus.ABSENT
        ]:
            check.refusal = (
                f"Đang có bài trong đợt “{pending[0].round.name}” "
                f"({_vn_date(pending[0].round.held_on)}) chưa ký duyệt kết quả."
            )
        elif passes := [
            s
            for s in attempts
            if s.passed and s.round.status == RoundStatus.SIGNED and s.round.held_on >= pass_floor
        ]:
            last = passes[-1]
            check.refusal = (
                f"Đã đạt kiểm tra nhận thức đợt “{last.round.name}” ngày "
                f"{_vn_date(last.round.held_on)}; kết quả còn hiệu lực "
                f"{validity} tháng (đến {_vn_date(add_months(last.round.held_on, validity))})."
            )
        elif len(attempts) >= max_attempts:
            check.refusal = (
                f"Đã kiểm tra {len(attempts)} lần, tối đa {max_attempts} lần; "
                "không được kiểm tra lại."
            )
        elif failed := [s for s in attempts if s.passed is False]:
            last_on = failed[-1].round.held_on
            allowed_from = last_on + timedelta(days=resit_days)
            if on < allowed_from:
                check.refusal = (
                    f"Lần kiểm tra trước ngày {_vn_date(last_on)} chưa đạt; phải cách ít nhất "
                    f"{resit_days} ngày, được kiểm tra lại từ ngày {_vn_date(allowed_from)}."
                )
    return checks


def round_sittings(exam_round: ExamRound) -> QuerySet[Sitting]:
    return (
        exam_round.sittings.select_related("person", "candidate__branch", "paper")
        .annotate(answer_count=Count("answers"))
        .order_by("person__sort_key", "pk")
    )


def started(sitting: Sitting) -> bool:
    """A sitting whose paper is in use: started, submitted, marked, or with answers."""
    return sitting.status != SittingStatus.REGISTERED or sitting.started_at is not None


def any_started(exam_round: ExamRound) -> bool:
    return (
        exam_round.sittings.filter(
            ~Q(status=SittingStatus.REGISTERED) | Q(started_at__isnull=False)
        ).exists()
        or PaperItem.objects.filter(paper__round=exam_round, answers__isnull=False).exists()
    )


# ---- the draw ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PoolQuestion:
    question_id: int
    topic_id: int
    difficulty: int
    type: str
    version_id: int
    points: Decimal
    option_keys: tuple[str, ...]


@dataclass(frozen=True)
class LineSpec:
    part: str
    topic_id: int
    difficulty: int
    count: int


@dataclass(frozen=True)
class DrawnItem:
    position: int
    part: str
    version_id: int
    question_id: int
    option_order: list[str] = field(hash=False)
    points: Decimal


def bank_pool(organisation: Organisation, topic_ids: Iterable[int]) -> list[PoolQuestion]:
    """The usable questions of the given topics with their current version's points and
    option keys: one query."""
    rows = (
        access.usable_questions(organisation)
        .filter(current__isnull=False, topic_id__in=list(topic_ids))
        .order_by("pk")
        .values_list(
            "pk",
            "topic_id",
            "difficulty",
            "type",
            "current_id",
            "current__points",
            "current__options",
        )
    )
    return [
        PoolQuestion(
            question_id=pk,
            topic_id=topic_id,
            difficulty=difficulty,
            type=qtype,
            version_id=version_id,
            points=Decimal(points),
            option_keys=tuple(str(o.get("key", "")) for o in (options or [])),
        )
        for pk, topic_id, difficulty, qtype, version_id, points, options in rows
    ]


def line_pools(
    lines: Sequence[LineSpec], pool: Sequence[PoolQuestion]
) -> dict[LineSpec, list[PoolQuestion]]:
    """Each line's candidates, ordered by question id (the draw depends on this order)."""
    by_key: dict[tuple[str, int, int], list[PoolQuestion]] = defaultdict(list)
    for q in sorted(pool, key=lambda q: q.question_id):
        by_key[(_part_of(q.type), q.topic_id, q.difficulty)].append(q)
    return {line: by_key.get((line.part, line.topic_id, line.difficulty), []) for line in lines}


def draw(lines: Sequence[LineSpec], pool: Sequence[PoolQuestion], seed: int) -> list[DrawnItem]:
    """One variant: per line, ``count`` questions drawn at random; shuffled within each
    part (written first, then oral); options shuffled per item. The same lines, pool and
    seed give the same paper."""
    rng = random.Random(seed)
    pools = line_pools(lines, pool)
    parts: dict[str, list[PoolQuestion]] = {Part.WRITTEN: [], Part.ORAL: []}
    for line in sorted(lines, key=lambda ln: (PART_ORDER[ln.part], ln.topic_id, ln.difficulty)):
        parts[line.part].extend(rng.sample(pools[line], line.count))
    items: list[DrawnItem] = []
    for part in (Part.WRITTEN, Part.ORAL):
        chosen = parts[part]
        rng.shuffle(chosen)
        for q in chosen:
            keys = list(q.option_keys)
            if q.type in WITH_OPTIONS:
                rng.shuffle(keys)
            items.append(
                DrawnItem(
                    position=len(items) + 1,
                    part=part,
                    version_id=q.version_id,
                    question_id=q.question_id,
                    option_order=keys,
                    points=q.points,
                )
            )
    return items


def line_specs(exam_round: ExamRound) -> list[LineSpec]:
    return [
        LineSpec(ln.part, ln.topic_id, ln.difficulty, ln.count) for ln in exam_round.blueprint.all()
    ]


def redraw(paper: Paper) -> list[DrawnItem]:
    """The items the paper's seed gives with the round's blueprint and today's bank: the
    same as the stored ones while the bank is unchanged (reproducibility check)."""
    exam_round = paper.round
    lines = line_specs(exam_round)
    pool = bank_pool(exam_round.organisation, {ln.topic_id for ln in lines})
    return draw(lines, pool, paper.seed)


# ---- papers ------------------------------------------------------------------------------


def papers_with_items(exam_round: ExamRound) -> QuerySet[Paper]:
    """The round's variants with their items, versions and topics: three queries."""
    items = PaperItem.objects.select_related("version__question__topic").order_by("position")
    return (
        Paper.objects.filter(round=exam_round)
        .annotate(sitting_count=Count("sittings"))
        .prefetch_related(Prefetch("items", queryset=items))
        .order_by("number")
    )


def paper_with_items(exam_round: ExamRound, number: int) -> Paper | None:
    return papers_with_items(exam_round).filter(number=number).first()


# ---- the round page ----------------------------------------------------------------------


@dataclass
class Step:
    key: str
    label: str
    done: bool
    missing: list[str]


def round_steps(exam_round: ExamRound) -> list[Step]:
    """What each set-up step still lacks (board, blueprint, candidates, papers, codes)."""
    board = list(exam_round.board.all())
    board_missing = []
    if len(board) < 2:
        board_missing.append(
            f"Cần ít nhất 2 thành viên (hiện có {len(board)}) để mỗi bài tự luận, vấn đáp "
            "có hai giám khảo chấm."
        )
    if not any(m.is_chair for m in board):
        board_missing.append("Chưa chỉ định chủ tịch hội đồng.")

    lines = blueprint_view(exam_round)
    blueprint_missing = []
    if not lines:
        blueprint_missing.append("Chưa có dòng nào trong ma trận đề.")
    weights = ((Part.WRITTEN, exam_round.written_weight), (Part.ORAL, exam_round.oral_weight))
    for part, weight in weights:
        if weight > 0 and lines and not any(lv.line.part == part for lv in lines):
            blueprint_missing.append(
                f"Phần {Part(part).label.lower()} có trọng số {weight}% nhưng chưa có câu hỏi."
            )
    for lv in lines:
        if lv.short:
            blueprint_missing.append(
                f"{lv.line.topic.name}, độ khó {lv.line.get_difficulty_display().lower()}: "
                f"ngân hàng có {lv.available}, cần {lv.line.count}."
            )

    sittings = exam_round.sittings.count()
    sittings_missing = [] if sittings else ["Chưa đăng ký thí sinh nào."]

    papers = exam_round.papers.count()
    papers_missing = []
    if not papers:
        papers_missing.append("Chưa tạo đề.")
    elif exam_round.sittings.filter(paper__isnull=True).exists():
        papers_missing.append("Có thí sinh chưa được giao mã đề: tạo lại đề.")

    online = exam_round.sittings.filter(mode="online")
    without_code = online.filter(code_digest="").count()
    codes_missing = []
    if not papers:
        codes_missing.append("Cấp mã sau khi tạo đề.")
    elif without_code:
        codes_missing.append(f"{without_code} thí sinh thi trực tuyến chưa có mã dự thi.")
    return [
        Step("board", "Hội đồng kiểm tra", not board_missing, board_missing),
        Step("blueprint", "Ma trận đề", not blueprint_missing, blueprint_missing),
        Step("candidates", "Thí sinh", not sittings_missing, sittings_missing),
        Step("papers", "Đề kiểm tra", not papers_missing, papers_missing),
        Step("codes", "Mã dự thi (thi trực tuyến)", not codes_missing, codes_missing),
    ]
