"""Demo data, part three: courses and the knowledge test in the demo commune, built by the
training and exams actions themselves, so every page of those areas has something true
to show:

- a closed awareness course whose certificates moved its learners to ``certified``, a
  running one, a planned one, and a closed new-member course feeding recognition;
- the province's question bank (shared down) and a few questions of the commune's own;
- a signed-off exam round with online sittings, two markers, a settled disagreement and
  statistics; a round open today with one-time codes (one printed for trying ``/thi/``);
  a round being prepared.

Called by ``core.demo.build`` after the lifecycle; everything is dated from today.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from dangvien.candidates.models import Candidate, Stage
from dangvien.core.demo_questions import QUESTIONS
from dangvien.exams.actions import bank, marking, rounds, sittings
from dangvien.exams.actions.rounds import Line
from dangvien.exams.models import (
    OBJECTIVE,
    Answer,
    ExamRound,
    Part,
    QuestionType,
    SittingMode,
    Topic,
)
from dangvien.members.models import Member, Status
from dangvien.training import actions as training
from dangvien.training.models import CourseKind

if TYPE_CHECKING:
    from dangvien.core.demo import Demo, Unit


def build_training_and_exams(demo: "Demo") -> dict[str, Any]:
    """Everything above; answers what the summary prints (the trial code)."""
    assert demo.demo_commune and demo.province
    units = [u for u in demo.units if u.top == demo.demo_commune]
    fresh = [_pool_candidate(demo, units[i % len(units)], ago=95 + i) for i in range(8)]
    _courses(demo, fresh, units)
    _bank(demo)
    signed = _signed_round(demo, fresh)
    code = _open_round(demo)
    _draft_round(demo)
    return {"exam_code": code, "signed_round": signed.name}


# ---- courses ---------------------------------------------------------------------------


def _pool_candidate(demo: "Demo", unit: "Unit", *, ago: int) -> Any:
    from dangvien.core.demo import Plan

    return demo.run_plan(Plan(unit=unit, stage=Stage.CANDIDATE, ago=ago))


def _courses(demo: "Demo", fresh: list[Any], units: list["Unit"]) -> None:
    today, commune = demo.today, demo.demo_commune
    assert commune
    by = demo.users["demo.xa"]
    place = commune.name.removeprefix("Đảng bộ ")
    centre = f"Trung tâm Chính trị {place}"
    lecturers = "Đồng chí Nguyễn Văn Thành – Phó Bí thư Thường trực\nĐồng chí Trần Thị Mai"
    topics = [
        "Chủ nghĩa Mác – Lênin, tư tưởng Hồ Chí Minh",
        "Cương lĩnh chính trị và Điều lệ Đảng",
        "Đường lối đổi mới của Đảng",
        "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
        "Phấn đấu trở thành đảng viên Đảng Cộng sản Việt Nam",
    ]

    def course(kind: str, name: str, start: date, days: int, *, teachers: str = lecturers) -> Any:
        return training.create_course(
            kind=kind,
            name=name,
            organiser=commune,
            organiser_name=centre,
            starts_on=start,
            ends_on=start + timedelta(days=days),
            venue=f"Hội trường {centre}",
            lecturers=teachers,
            by=by,
        )

    # A closed awareness course: its certificates certify the eight fresh candidates.
    start = today - timedelta(days=80)
    closed = course(
        CourseKind.AWARENESS,
        f"Lớp bồi dưỡng nhận thức về Đảng khóa {start.month:02d}/{start.year}",
        start,
        6,
    )
    sessions = [
        training.add_session(closed, held_on=start + timedelta(days=i), topic=t, by=by)
        for i, t in enumerate(topics)
    ]
    training.enrol_many(closed, people=fresh, by=by)
    training.start_course(closed, by=by)
    enrolments = list(closed.enrolments.order_by("person__sort_key"))
    cells = [
        (s.pk, e.pk, not (n == len(enrolments) - 1 and i < 2))  # the last one missed two
        for n, e in enumerate(enrolments)
        for i, s in enumerate(sessions)
    ]
    training.record_attendance(closed, cells=cells, by=by)
    marks = {e.pk: Decimal(str(6.5 + (n % 4) * 0.75)) for n, e in enumerate(enrolments)}
    training.record_marks(closed, marks=marks, by=by)
    training.close_course(closed, first_number="101", issued_on=start + timedelta(days=10), by=by)

    # A running one, with today's pool of the commune.
    pool = [
        c
        for u in units
        for c in u.org.candidates.filter(stage=Stage.CANDIDATE).select_related("person")
    ]
    start = today - timedelta(days=3)
    running = course(
        CourseKind.AWARENESS,
        f"Lớp bồi dưỡng nhận thức về Đảng khóa {start.month:02d}/{start.year} (đợt 2)",
        start,
        7,
    )
    held = [
        training.add_session(running, held_on=start + timedelta(days=i + i // 2), topic=t, by=by)
        for i, t in enumerate(topics)
    ]
    training.enrol_many(running, people=pool[:6], by=by)
    training.start_course(running, by=by)
    past = [s for s in held if s.held_on <= today]
    training.record_attendance(
        running,
        cells=[(s.pk, e.pk, True) for s in past for e in running.enrolments.all()],
        by=by,
    )

    # A planned one, and a closed course for new members.
    start = today + timedelta(days=24)
    course(
        CourseKind.AWARENESS,
        f"Lớp bồi dưỡng nhận thức về Đảng khóa {start.month:02d}/{start.year}",
        start,
        6,
        teachers="",
    )
    newcomers = list(
        Member.objects.filter(
            org_path__startswith=commune.path,
            status=Status.PROBATIONARY,
            new_member_course_no="",
        ).select_related("person")[:6]
    )
    if newcomers:
        start = today - timedelta(days=40)
        newcomer_course = course(
            CourseKind.NEW_MEMBER,
            f"Lớp bồi dưỡng lý luận chính trị cho đảng viên mới khóa {start.year}",
            start,
            4,
        )
        days = [
            training.add_session(newcomer_course, held_on=start + timedelta(days=i), topic=t, by=by)
            for i, t in enumerate(topics[:4])
        ]
        training.enrol_many(newcomer_course, people=newcomers, by=by)
        training.start_course(newcomer_course, by=by)
        rows = list(newcomer_course.enrolments.all())
        training.record_attendance(
            newcomer_course, cells=[(s.pk, e.pk, True) for s in days for e in rows], by=by
        )
        training.record_marks(newcomer_course, marks={e.pk: Decimal("8") for e in rows}, by=by)
        training.close_course(
            newcomer_course,
            first_number="01",
            pattern="{n}-CN/ĐVM",
            issued_on=start + timedelta(days=7),
            by=by,
        )


# ---- question bank ---------------------------------------------------------------------


def _bank(demo: "Demo") -> None:
    assert demo.province and demo.demo_commune
    topics = {t.code: t for t in Topic.objects.all()}
    for code, difficulty, kind, text, options, answer, rubric, points in QUESTIONS:
        bank.create_question(
            demo.province,
            topic=topics[code],
            difficulty=difficulty,
            type=kind,
            text=text,
            options=options,
            answer=answer,
            rubric=rubric,
            points=Decimal(points),
            tags=["Đề mẫu tỉnh"],
            explanation="",
            shared_down=True,
            by=demo.users["demo.tinh"],
        )
    place = demo.demo_commune.name.removeprefix("Đảng bộ ")
    bank.create_question(
        demo.demo_commune,
        topic=topics["dong-co-vao-dang"],
        difficulty=1,
        type=QuestionType.SINGLE,
        text=f"Đảng bộ {place} trực thuộc cấp ủy nào?",
        options=[
            {"key": "A", "text": "Tỉnh ủy"},
            {"key": "B", "text": "Huyện ủy"},
            {"key": "C", "text": "Chi bộ thôn"},
        ],
        answer="A",
        rubric=[],
        points=Decimal("1"),
        tags=["Địa phương"],
        explanation="Từ 7/2025 đảng bộ xã, phường trực thuộc tỉnh ủy.",
        shared_down=False,
        by=demo.users["demo.xa"],
    )


def _blueprint() -> list[Line]:
    topics = {t.code: t for t in Topic.objects.all()}
    written: dict[tuple[str, int], int] = {}
    oral: dict[tuple[str, int], int] = {}
    for code, difficulty, kind, *_ in QUESTIONS:
        bucket = oral if kind == QuestionType.ORAL else written
        bucket[(code, difficulty)] = bucket.get((code, difficulty), 0) + 1
    lines = [Line(Part.WRITTEN, topics[c], d, n) for (c, d), n in written.items()]
    first_oral = next(iter(oral))
    return [*lines, Line(Part.ORAL, topics[first_oral[0]], first_oral[1], 1)]


def _new_round(demo: "Demo", *, name: str, held_on: date) -> ExamRound:
    assert demo.demo_commune
    by = demo.users["demo.xa"]
    exam_round = rounds.create_round(
        demo.demo_commune,
        name=name,
        held_on=held_on,
        venue="Hội trường Đảng ủy xã",
        duration_minutes=45,
        pass_mark=Decimal("5"),
        written_weight=70,
        oral_weight=30,
        variants=4,
        disagreement_percent=20,
        by=by,
    )
    rounds.set_board(
        exam_round,
        members=[by, demo.users["demo.coso"]],
        chair=by,
        by=by,
    )
    rounds.set_blueprint(exam_round, lines=_blueprint(), by=by)
    return exam_round


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _signed_round(demo: "Demo", fresh: list[Any]) -> ExamRound:
    """The eight candidates certified by the closed course sit online, are marked by two
    board members (one disagreement settled by the chair) and the chair signs off."""
    held_on = demo.today - timedelta(days=45)
    chair, member = demo.users["demo.xa"], demo.users["demo.coso"]
    exam_round = _new_round(
        demo, name=f"Đợt kiểm tra nhận thức tháng {held_on.month}/{held_on.year}", held_on=held_on
    )
    for candidate in fresh:
        candidate.refresh_from_db()
    rounds.register_candidates(exam_round, candidates=fresh, mode=SittingMode.ONLINE, by=chair)
    rounds.generate_papers(exam_round, by=chair)
    codes = rounds.issue_codes(exam_round, by=chair)
    sittings.open_round(exam_round, by=chair)
    rng = demo.rng
    weak = 0
    for n, code in enumerate(codes.values()):
        started = _at(held_on, 8, n % 5)
        sitting = sittings.start_sitting(code, now=started)
        skill = 0.1 if n == 0 else 0.45 + 0.5 * rng.random()  # one weak candidate fails
        weak = weak or sitting.pk
        assert sitting.paper is not None
        for item in sitting.paper.items.select_related("version__question"):
            kind = item.version.question.type
            if kind == QuestionType.ORAL:
                continue
            sittings.save_answer(
                sitting,
                item=item,
                response=_response(item, right=rng.random() < skill),
                now=started + timedelta(minutes=20),
            )
        sittings.submit_sitting(sitting, now=started + timedelta(minutes=38))
    sittings.close_round(exam_round, by=chair, now=_at(held_on, 9, 0))
    marking.mark_objective(exam_round, by=chair)
    hand = (
        Answer.objects.filter(sitting__round=exam_round)
        .exclude(item__version__question__type__in=OBJECTIVE)
        .select_related("item__version")
        .order_by("pk")
    )
    disputed = None
    for n, answer in enumerate(hand):
        rubric = answer.item.version.rubric
        shares = ["0.2", "0.4"] if answer.sitting_id == weak else ["0.6", "0.8", "1"]
        first = [Decimal(line["points"]) * Decimal(rng.choice(shares)) for line in rubric]
        second = list(first)
        if n == 0:  # one wide disagreement for the chair
            second = [Decimal(line["points"]) * Decimal("0.2") for line in rubric]
            disputed = answer
        marking.score_answer(answer, marker=chair, criteria=_q(first), note="", by=chair)
        marking.score_answer(answer, marker=member, criteria=_q(second), note="", by=member)
    if disputed is not None:
        disputed.refresh_from_db()
        if disputed.disputed:
            marking.resolve_dispute(
                disputed,
                points=disputed.item.points * Decimal("0.6"),
                note="Hội đồng thống nhất theo đáp án gợi ý.",
                by=chair,
            )
    marking.compute_results(exam_round, by=chair)
    marking.sign_off(exam_round, by=chair)
    return exam_round


def _q(values: list[Decimal]) -> list[Decimal]:
    return [v.quantize(Decimal("0.25")) for v in values]


def _response(item: Any, *, right: bool) -> Any:
    version, kind = item.version, item.version.question.type
    if kind == QuestionType.SINGLE:
        wrong = [k for k in item.option_order if k != version.answer]
        return version.answer if right or not wrong else wrong[0]
    if kind == QuestionType.MULTIPLE:
        return list(version.answer) if right else list(version.answer)[:1]
    if kind == QuestionType.TRUE_FALSE:
        return bool(version.answer) if right else not version.answer
    if kind == QuestionType.SHORT:
        return version.answer[0] if right else "Không nhớ"
    return (
        "Đảng Cộng sản Việt Nam là đội tiên phong của giai cấp công nhân, đồng thời là đội "
        "tiên phong của nhân dân lao động và của dân tộc Việt Nam.\nBản thân em nguyện phấn "
        "đấu, rèn luyện để xứng đáng là đảng viên."
    )


def _open_round(demo: "Demo") -> str:
    """A round open today for the commune's certified candidates: answers one trial code."""
    assert demo.demo_commune
    chair = demo.users["demo.xa"]
    exam_round = _new_round(
        demo,
        name=f"Đợt kiểm tra nhận thức tháng {demo.today.month}/{demo.today.year}",
        held_on=demo.today,
    )
    ready = list(
        Candidate.objects.filter(
            org_path__startswith=demo.demo_commune.path,
            stage__in=[Stage.CERTIFIED, Stage.DOSSIER_OPEN, Stage.BACKGROUND_CHECKED],
            sittings__isnull=True,
        )
    )
    rounds.register_candidates(exam_round, candidates=ready, mode=SittingMode.ONLINE, by=chair)
    rounds.generate_papers(exam_round, by=chair)
    codes = rounds.issue_codes(exam_round, by=chair)
    sittings.open_round(exam_round, by=chair)
    return next(iter(codes.values()), "")


def _draft_round(demo: "Demo") -> None:
    day = demo.today + timedelta(days=30)
    _new_round(demo, name=f"Đợt kiểm tra nhận thức tháng {day.month}/{day.year}", held_on=day)
