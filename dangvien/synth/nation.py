"""A synthetic nation for load and scale tests (issue 9): 34 provinces, about 300,000
organisation nodes and 6 million members with ten years of history, candidates in every
stage, two years of review results, this year's targets, and users to log in with.

``generate(options, out=print)`` loads it with COPY into an EMPTY PostgreSQL database
(``synth/copyio.py``), province by province, in one transaction; then takes the pool
survey of the running quarter (``stats.PoolSurvey``) and the admission facts
(``stats.admission_facts.rebuild_admissions``) before the indexes come back, ANALYZEs, and
builds the structure rollup for today (``stats.rollup.rebuild_all_together``: what
``manage.py rebuild_structure_rollup`` writes, in one pass; the rows were loaded with the
triggers that queue both off). The same seed gives the same nation (the encrypted citizen
IDs aside: each encryption draws a fresh nonce).
"""

import multiprocessing
import queue
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from dangvien.accounts.models import User
from dangvien.candidates.models import BackgroundCheck, Candidate, Introducer, StageChange, Vote
from dangvien.core import crypto
from dangvien.members.models import (
    Exemption,
    Gap,
    Member,
    Mentorship,
    Proceeding,
    StatusChange,
    Transfer,
)
from dangvien.organisations.models import Kind, Organisation, Village
from dangvien.people.models import Person
from dangvien.people.names import rebuild_search_names
from dangvien.privacy.models import Consent, Notice
from dangvien.reviews.models import MemberReview, OrganisationReview, PeriodKind, ReviewPeriod
from dangvien.stats import rollup
from dangvien.stats.admission_facts import rebuild_admissions
from dangvien.stats.models import AdmissionFact, PoolSurvey, Target, TargetRevision
from dangvien.synth import members, persons, pipeline, tree, vocab
from dangvien.synth.copyio import Loader, LoadError, Table, literal
from dangvien.synth.members import Member as MemberRecord
from dangvien.synth.members import MemberMaker
from dangvien.synth.persons import PersonMaker
from dangvien.synth.pipeline import CandidateMaker
from dangvien.synth.timeline import Timeline
from dangvien.synth.tree import Node, Province, TreeBuilder
from dangvien.synth.users import make_users, write_users_file

N = "\\N"


def so(number: int) -> str:
    """12.345: thousands with dots, as the pages write numbers."""
    return f"{number:,}".replace(",", ".")


class NationRefused(Exception):
    """The generator will not run here (wrong database, not empty, bad options)."""


@dataclass
class Options:
    members: int = 6_000_000
    seed: int = 1
    provinces: int = 34
    years: int = 10
    password: str = ""
    prefix: str = "nation"
    commune_users: int = 3  # communes per province that get users
    users_file: str = ""
    totp_key: str = ""  # hex: a TOTP device with this key for every generated user
    surveys: bool = True
    jobs: int = 2  # worker processes generating rows (1: in the main process)
    maintenance_work_mem: str = "1GB"


@dataclass
class Summary:
    tables: list[Table]
    steps: dict[str, list[float | None]]  # step → [wall, this process's CPU, server CPU]
    parts: dict[str, float]  # CPU seconds of each part of the generation
    seconds: float
    users: list[tuple[str, str, str, str]] = field(default_factory=list)
    counts: dict[str, Counter[str]] = field(default_factory=dict)


def refuse_unless_ready(options: Options) -> None:
    """PostgreSQL, an empty project database, sensible options."""
    if connection.vendor != "postgresql":
        raise NationRefused(
            "generate_nation chỉ chạy trên PostgreSQL (nạp dữ liệu bằng COPY). Đặt "
            "DATABASE_URL trỏ tới một cơ sở dữ liệu PostgreSQL trống, ví dụ: "
            "scripts/with-postgres sh -c 'manage.py migrate && manage.py generate_nation …'."
        )
    for model, label in (
        (Organisation, "tổ chức đảng"),
        (Person, "nhân thân"),
        (Member, "đảng viên"),
        (Candidate, "quần chúng"),
    ):
        if model.objects.exists():
            raise NationRefused(
                f"Cơ sở dữ liệu đã có {label}: generate_nation chỉ nạp vào một cơ sở dữ liệu "
                "trống (vừa migrate), không trộn với dữ liệu có sẵn."
            )
    if not 1 <= options.provinces <= 99:
        raise NationRefused("Số tỉnh phải từ 1 đến 99.")
    if options.members < 300 * options.provinces:
        raise NationRefused(f"Cần ít nhất {300 * options.provinces} đảng viên (300 mỗi tỉnh).")
    if not 2 <= options.years <= 30:
        raise NationRefused("Số năm lịch sử phải từ 2 đến 30.")
    if len(options.password) < 8:
        raise NationRefused("Cần --password (ít nhất 8 ký tự) cho các tài khoản được tạo.")
    if options.totp_key:
        try:
            if len(bytes.fromhex(options.totp_key)) < 10:
                raise ValueError
        except ValueError:
            raise NationRefused("--totp-key phải là chuỗi hex của ít nhất 10 byte.") from None
    if User.objects.filter(username__startswith=f"{options.prefix}.").exists():
        raise NationRefused(f"Đã có tài khoản bắt đầu bằng “{options.prefix}.”.")


def make_tables() -> dict[str, Table]:
    return {
        "organisation": Table(Organisation, tree.ORGANISATION_COLUMNS),
        "village": Table(Village, tree.VILLAGE_COLUMNS),
        "person": Table(Person, persons.PERSON_COLUMNS),
        "member": Table(Member, members.MEMBER_COLUMNS),
        "status_change": Table(StatusChange, members.STATUS_CHANGE_COLUMNS),
        "exemption": Table(Exemption, members.EXEMPTION_COLUMNS),
        "gap": Table(Gap, members.GAP_COLUMNS),
        "transfer": Table(Transfer, members.TRANSFER_COLUMNS),
        "proceeding": Table(Proceeding, members.PROCEEDING_COLUMNS),
        "review_period": Table(ReviewPeriod, REVIEW_PERIOD_COLUMNS),
        "member_review": Table(MemberReview, members.MEMBER_REVIEW_COLUMNS),
        "org_review": Table(OrganisationReview, members.ORG_REVIEW_COLUMNS),
        "candidate": Table(Candidate, pipeline.CANDIDATE_COLUMNS),
        "stage_change": Table(StageChange, pipeline.STAGE_CHANGE_COLUMNS),
        "vote": Table(Vote, pipeline.VOTE_COLUMNS),
        "introducer": Table(Introducer, pipeline.INTRODUCER_COLUMNS),
        "background_check": Table(BackgroundCheck, pipeline.BACKGROUND_CHECK_COLUMNS),
        "target": Table(Target, TARGET_COLUMNS),
        "target_revision": Table(TargetRevision, TARGET_REVISION_COLUMNS),
        "mentorship": Table(Mentorship, members.MENTORSHIP_COLUMNS),
        "consent": Table(Consent, pipeline.CONSENT_COLUMNS),
    }


# Ids are handed out in one block per province, so provinces can be generated apart (in
# worker processes) and the same seed gives the same ids whatever the number of workers.
# Block size per kind: (per member, plus); generous, so a few ids stay unused in between.
ID_BLOCKS = {
    "org": (0.2, 500),
    "village": (0.1, 200),
    "person": (1.5, 500),
    "member": (1.3, 300),
    "candidate": (0.4, 200),
    "review_period": (0.0, 10),
    "target": (0.05, 100),
}


@dataclass
class Plan:
    """What every province's generator shares; made once, before any worker starts."""

    options: Options
    today: date
    timeline: Timeline
    targets: list[int]  # members per province
    bases: list[dict[str, int]]  # per province, the id before its block, per kind
    serial_offset: int
    notice_id: int | None  # the privacy notice candidates consent to (privacy app)

    @classmethod
    def make(cls, options: Options) -> "Plan":
        rng = vocab.Draw(options.seed)
        weights = []
        for i in range(options.provinces):
            name = vocab.PROVINCES[i % len(vocab.PROVINCES)][0]
            weights.append(vocab.BIG.get(name, 1.0) * rng.uniform(0.6, 1.4))
        total = sum(weights)
        targets = [int(options.members * w / total) for w in weights]
        targets[0] += options.members - sum(targets)
        bases, next_id = [], dict.fromkeys(ID_BLOCKS, 0)
        for target in targets:
            bases.append(dict(next_id))
            for key, (per_member, plus) in ID_BLOCKS.items():
                next_id[key] += int(target * per_member) + plus
        today = timezone.localdate()
        timeline = Timeline(today, first=date(today.year - options.years - 2, 1, 1))
        notice = Notice.objects.filter(from_on__lte=today).order_by("-from_on", "-id").first()
        notice = notice or Notice.objects.order_by("from_on", "id").first()
        return cls(
            options,
            today,
            timeline,
            targets,
            bases,
            rng.randrange(1_000_000),
            notice.pk if notice else None,
        )

    def limit(self, index: int, key: str) -> int:
        per_member, plus = ID_BLOCKS[key]
        return self.bases[index][key] + int(self.targets[index] * per_member) + plus


@dataclass
class NodeInfo:
    id: int
    name: str
    path: str


@dataclass
class ProvinceInfo:
    """What the main process needs of a province a worker generated."""

    index: int
    top: NodeInfo
    nodes: int
    communes: int
    targets: int
    user_units: list[tuple[NodeInfo, NodeInfo | None, NodeInfo | None]]  # commune, chi bộ, GC
    max_ids: dict[str, int]
    rows: dict[str, int]
    counts: dict[str, Counter[str]]
    parts: dict[str, float]
    seconds: float


class Generator:
    """One province's generation: its random source (seeded by the seed and the
    province), its id blocks, its table buffers. ``emit(table, data)`` takes full buffers."""

    def __init__(self, plan: Plan, index: int, emit: Callable[[str, str], None]) -> None:
        self.plan = plan
        self.index = index
        self.options = plan.options
        self.emit = emit
        self.rng = vocab.Draw(plan.options.seed * 1_000_003 + index)
        self.years = plan.options.years
        self.today = plan.today
        self.timeline = plan.timeline
        self.review_years = [plan.today.year - 2, plan.today.year - 1]
        self.serial_offset = plan.serial_offset
        self.province_count = plan.options.provinces
        self._ids = dict(plan.bases[index])
        self._limits = {key: plan.limit(index, key) for key in ID_BLOCKS}
        self.periods: dict[tuple[int, int], int] = {}
        self.counts: dict[str, Counter[str]] = {"organisations": Counter(), "members": Counter()}
        self.tables = make_tables()
        self.persons = PersonMaker(self)
        self.members = MemberMaker(self, self.persons)
        self.candidates = CandidateMaker(self, self.persons)
        self.phases: dict[str, float] = defaultdict(float)

    def new_id(self, key: str) -> int:
        value = self._ids[key] + 1
        if value > self._limits[key]:
            raise LoadError(f"province {self.index}: more {key} rows than its id block holds")
        self._ids[key] = value
        return value

    def send_full(self) -> None:
        for table in self.tables.values():
            if table.full:
                self.emit(table.name, table.take())

    def run(self) -> ProvinceInfo:
        index, target = self.index, self.plan.targets[self.index]
        name, code, terrain, city = vocab.PROVINCES[index % len(vocab.PROVINCES)]
        if index >= len(vocab.PROVINCES):
            name = f"{name} {index // len(vocab.PROVINCES) + 1}"
        place = f"{'thành phố' if city else 'tỉnh'} {name}"
        started, cpu = time.perf_counter(), time.process_time()
        top = Node(
            self.new_id("org"), f"{'Thành ủy' if city else 'Tỉnh ủy'} {name}", Kind.PROVINCE, None
        )
        province = Province(index, name, code, place, top, target)
        builder = TreeBuilder(self, province)
        top.code = f"T{index + 1:02d}"
        top.committee_size, top.standing_size = builder.odd(45, 61), builder.odd(13, 17)
        province.nodes.append(top)
        builder.build(terrain, city)
        builder.size_units()
        builder.chains()
        builder.write_nodes()
        self.periods_of(province)
        self.phases["tree"] += time.process_time() - cpu
        for node in province.nodes:
            self.counts["organisations"][node.kind] += 1

        in_members = in_candidates = 0.0
        recent_from = self.timeline.today_n - vocab.ADMITTED_WITH_CANDIDACY_DAYS
        for unit in province.units:
            mark = time.process_time()
            active = [self.members.active(unit, province) for _ in range(unit.size)]
            unit.officials = [
                m.id for m in active if m.status == members.S_OFFICIAL and m.exempt_from is None
            ]
            self.members.mentors(unit, active)
            for status, rates in vocab.LEFT_RATES.items():
                rate = rates.get(unit.setting, rates["other"])
                for _ in range(self.candidates.count(unit.size * rate)):
                    self.members.departed(unit, province, status)
                    self.counts["members"][str(status)] += 1
            self.counts["members"].update(m.status for m in active)
            now = time.process_time()
            in_members += now - mark
            recent: list[MemberRecord] = [
                m for m in active if m.ceremony >= recent_from and m.gap is None
            ]
            self.candidates.for_unit(unit, province, recent)
            self.persons.flush()
            in_candidates += time.process_time() - now
            self.send_full()
        mark = time.process_time()
        self.candidates.complete(province)
        self.persons.flush()
        in_candidates += time.process_time() - mark
        self.phases["members"] += in_members
        self.phases["candidates"] += in_candidates
        mark = time.process_time()
        self.members.organisation_reviews(province)
        self.targets(province)
        self.phases["organisation reviews, targets"] += time.process_time() - mark
        for table in self.tables.values():
            if table.pending:
                self.emit(table.name, table.take())
        return ProvinceInfo(
            index=index,
            top=NodeInfo(top.id, top.name, top.path),
            nodes=len(province.nodes),
            communes=len(province.communes),
            targets=target,
            user_units=self.user_units(province),
            max_ids=dict(self._ids),
            rows={t.name: t.rows for t in self.tables.values()},
            counts=self.counts,
            parts=dict(self.phases),
            seconds=time.perf_counter() - started,
        )

    def user_units(
        self, province: Province
    ) -> list[tuple[NodeInfo, NodeInfo | None, NodeInfo | None]]:
        """The communes that get users, spread over the province, with the first chi bộ
        directly under each and its first đảng bộ cơ sở."""
        wanted = max(0, self.options.commune_users)
        step = max(1, len(province.communes) // max(1, wanted))
        picked = []
        for commune in province.communes[::step][:wanted]:
            branch = next(
                (u for u in province.units if u.parent is commune and u.kind == Kind.BRANCH), None
            )
            gc = next((g for g in province.grassroots_committees if g.parent is commune), None)
            picked.append(
                (
                    NodeInfo(commune.id, commune.name, commune.path),
                    NodeInfo(branch.id, branch.name, branch.path) if branch else None,
                    NodeInfo(gc.id, gc.name, gc.path) if gc else None,
                )
            )
        return picked

    def periods_of(self, province: Province) -> None:
        """The province opens the yearly review for its whole tree (366-QĐ/TW), closed in
        January."""
        t, top = self.timeline, province.top
        for year in self.review_years:
            pid = self.new_id("review_period")
            self.periods[(province.index, year)] = pid
            closed = date(year + 1, 1, 20).toordinal()
            self.tables["review_period"].add((
                str(pid), str(top.id), top.path, PeriodKind.YEARLY, str(year), N,
                f"Kiểm điểm, đánh giá, xếp loại chất lượng năm {year}",
                t.iso(date(year, 1, 1).toordinal()), t.iso(date(year, 12, 31).toordinal()),
                t.iso(closed) if closed <= t.today_n else N, N,
                t.stamp(date(year, 11, 1).toordinal()),
            ))  # fmt: skip

    def targets(self, province: Province) -> None:
        """This year's admission targets: the province's, and those each committee gave
        the nodes below it (seeds 001/003), each with its first revision row."""
        rng, t = self.rng, self.timeline
        below: Counter[int] = Counter()
        for unit in province.units:
            below[unit.id] += unit.size
            for node in unit.ancestors():
                below[node.id] += unit.size
        year = self.today.year
        at = t.stamp(date(year, 1, 15).toordinal())
        reason = f"Giao chỉ tiêu kết nạp đảng viên năm {year}"
        for node in province.nodes:
            parent = node.parent
            wanted = (
                parent is None
                or parent.parent is None
                or (node.kind in (Kind.GRASSROOTS_COMMITTEE, Kind.GRASSROOTS_BRANCH))
            )
            if not wanted or not below[node.id]:
                continue
            value = round(below[node.id] * vocab.TARGET_SHARE * rng.uniform(0.8, 1.2))
            breakdown: dict[str, int] = {}
            if node.kind == Kind.COMMUNE and value >= 4:
                breakdown = {"youth_union": value // 2, "women": value // 3}
                if node.id in province.empty_villages:
                    breakdown["villages_without_members"] = 1
            tid = self.new_id("target")
            data = literal(breakdown)
            self.tables["target"].add(
                (str(tid), str(node.id), str(year), str(value), data, "1", reason, N, at)
            )
            self.tables["target_revision"].add((str(tid), "1", str(value), data, N, reason, N, at))


# -- workers ------------------------------------------------------------------------------

WORKER_SILENCE = 900  # seconds without a word from any worker: something killed it

# Set in the main process just before the workers fork, read by them (fork copies it).
_shared: dict[str, Any] = {}


def _generate_in_worker(index: int) -> None:
    """A worker process: generate one province, send its rows to the main process (which
    alone talks to the database, in its one transaction)."""
    plan: Plan = _shared["plan"]
    channel = _shared["channel"]
    try:
        info = Generator(
            plan, index, emit=lambda name, data: channel.put(("rows", name, data))
        ).run()
        channel.put(("done", info))
    except BaseException:
        channel.put(("error", traceback.format_exc()))


def _generate_provinces(
    plan: Plan, loader: Loader, out: Callable[[str], None]
) -> list[ProvinceInfo]:
    """Every province, biggest first, on ``options.jobs`` worker processes (or here)."""
    order = sorted(range(len(plan.targets)), key=lambda i: -plan.targets[i])
    infos: list[ProvinceInfo] = []

    def done(info: ProvinceInfo) -> None:
        infos.append(info)
        out(
            f"  {len(infos)}/{len(order)} {info.top.name}: {so(info.targets)} đảng viên, "
            f"{so(info.nodes)} tổ chức, {info.communes} xã/phường "
            f"({info.seconds:.1f} giây)"
        )

    if plan.options.jobs <= 1:
        loader.start()
        for index in order:
            done(Generator(plan, index, emit=loader.send_data).run())
        return infos
    context = multiprocessing.get_context("fork")
    channel = context.Queue(maxsize=16)
    _shared.update(plan=plan, channel=channel)
    pool = context.Pool(plan.options.jobs)  # forks now, before the writer thread starts
    try:
        loader.start()
        result = pool.map_async(_generate_in_worker, order, chunksize=1)
        quiet_since = time.monotonic()
        while len(infos) < len(order):
            try:
                kind, *payload = channel.get(timeout=5)
            except queue.Empty:
                # A worker killed from outside (out of memory) never reports: give up
                # loudly rather than wait for ever.
                if result.ready() or time.monotonic() - quiet_since > WORKER_SILENCE:
                    raise LoadError("a worker process stopped without finishing") from None
                continue
            quiet_since = time.monotonic()
            if kind == "rows":
                loader.send_data(payload[0], payload[1])
            elif kind == "done":
                done(payload[0])
            else:
                raise LoadError(f"a worker failed:\n{payload[0]}")
    finally:
        pool.terminate()
        pool.join()
        _shared.clear()
    return infos


class Clock:
    """Seconds per step: wall clock, this process's CPU (generation and the COPY thread)
    and the database server's CPU for this connection (``/proc/<backend pid>/stat`` when
    the server runs on this machine; parallel index-build workers are not included)."""

    def __init__(self) -> None:
        self.steps: dict[str, list[float | None]] = {}
        self._stat: Path | None = None
        self._tick = 100.0

    def attach(self) -> None:
        import os

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")
        if stat.exists():
            self._stat, self._tick = stat, float(os.sysconf("SC_CLK_TCK"))

    def server_cpu(self) -> float | None:
        try:
            fields = self._stat.read_text().rsplit(")", 1)[1].split() if self._stat else []
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / self._tick if fields else None

    @contextmanager
    def __call__(self, step: str) -> Iterator[None]:
        wall, cpu, server = time.perf_counter(), time.process_time(), self.server_cpu()
        try:
            yield
        finally:
            after = self.server_cpu()
            self.steps[step] = [
                time.perf_counter() - wall,
                time.process_time() - cpu,
                after - server if after is not None and server is not None else None,
            ]


def generate(options: Options, out: Callable[[str], None] = print) -> Summary:
    """Generate the nation into the (empty, PostgreSQL) default database."""
    refuse_unless_ready(options)
    started = time.perf_counter()
    clock = Clock()
    plan = Plan.make(options)
    crypto.primary_key_id()  # keys derived once, before the workers fork
    out(
        f"Tạo {so(options.members)} đảng viên ở {options.provinces} tỉnh, lịch sử "
        f"{options.years} năm (seed {options.seed}, {options.jobs} tiến trình sinh dữ liệu)."
    )
    tables = make_tables()
    with transaction.atomic():
        connection.ensure_connection()
        clock.attach()
        # Filled with ordinary inserts in the load's transaction, so their indexes are set
        # aside too: the admission facts (a row per admission), and the pool surveys.
        also: tuple[str, ...] = (AdmissionFact._meta.db_table,)
        if options.surveys:
            also += (PoolSurvey._meta.db_table,)
        loader = Loader(connection.connection, list(tables.values()), out, also=also)
        with clock("set aside indexes, triggers"):
            loader.prepare(options.maintenance_work_mem)
        with clock("generate + COPY"):
            try:
                provinces = _generate_provinces(plan, loader, out)
            finally:
                loader.stop()
        by_name = {table.name: table for table in tables.values()}
        for name, key in _ID_TABLES.items():
            by_name[name].max_id = max(p.max_ids[key] for p in provinces)
        for table in tables.values():
            table.rows = sum(p.rows.get(table.name, 0) for p in provinces)
        with clock("users"):
            users = make_users(plan, provinces)
        if options.surveys:
            with clock("pool surveys"):
                take_surveys(plan, provinces, connection.connection)
        with clock("admission facts"):
            # Loaded with the triggers set aside: the facts are built from the rows, before
            # the indexes come back (the full rebuild reads with hash joins, which need
            # none) and with the facts' own set aside (built once after, not row by row).
            rebuild_admissions()
        out("Dựng lại chỉ mục, khóa ngoại, trigger…")
        with clock("indexes, constraints, triggers"):
            loader.restore()
        with clock("name dictionary"):
            # The people went in with their triggers set aside (people.names).
            rebuild_search_names()
        committing = time.perf_counter()
    clock.steps["commit"] = [time.perf_counter() - committing, None, None]
    with clock("analyze"), connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    out("Tính số liệu tổng hợp cơ cấu đảng viên…")
    with clock("structure rollup"):
        # The rollup the structure tables read (stats.rollup), for today: the generated
        # rows went in with the triggers off, so nothing queued them. Counted in one pass
        # over the country (what ``rebuild_all`` writes top by top).
        rollup.rebuild_all_together(timezone.localdate())
    if options.users_file:
        write_users_file(Path(options.users_file), users)
    counts: dict[str, Counter[str]] = {"organisations": Counter(), "members": Counter()}
    parts: dict[str, float] = defaultdict(float)
    for province in provinces:
        for key, counter in province.counts.items():
            counts[key].update(counter)
        for part, seconds in province.parts.items():
            parts[part] += seconds
    return Summary(
        tables=list(tables.values()),
        steps=clock.steps,
        parts=dict(parts),
        seconds=time.perf_counter() - started,
        users=users,
        counts=counts,
    )


SURVEY_COLUMNS = [
    "organisation_id",
    "org_path",
    "year",
    "quarter",
    "taken_on",
    "data",
    "assessment",
    "by_id",
    "at",
]


def take_surveys(plan: Plan, provinces: list[ProvinceInfo], raw: Any) -> int:
    """The quarterly pool survey of the running quarter for every province and every node
    below it: what ``stats.actions.surveys.take_pool_survey`` freezes when the scheduled job
    (``by=None``, no assessment) first takes a running quarter: the figures of
    ``stats.queries.surveys.compositions`` for today, one snapshot a node. Written with COPY
    inside the load (``raw``: the load's psycopg connection), with the table's indexes and
    audit trigger set aside like the other generated tables': the action's bulk insert
    spent most of this step's time turning 300,000 JSON snapshots into array parameters
    (bench/README.md, generator). Returns the number of snapshots."""
    from dangvien.stats.queries.surveys import compositions

    today, now = plan.today, timezone.now()
    year, quarter = str(today.year), str((today.month - 1) // 3 + 1)
    paths = dict(Organisation.objects.values_list("pk", "path"))
    table = Table(PoolSurvey, SURVEY_COLUMNS)

    def send() -> None:
        with raw.cursor() as cur, cur.copy(table._copy_sql) as copy:
            copy.write(table.take())

    for province in sorted(provinces, key=lambda p: p.index):
        top = Organisation.objects.get(pk=province.top.id)
        for org_id, data in compositions(top, today).items():
            table.add((
                str(org_id), literal(paths[org_id]), year, quarter, today.isoformat(),
                literal(data), "", N, literal(now),
            ))  # fmt: skip
            if table.full:
                send()
    send()
    return table.rows


_ID_TABLES = {
    "organisations_organisation": "org",
    "organisations_village": "village",
    "people_person": "person",
    "members_member": "member",
    "candidates_candidate": "candidate",
    "reviews_reviewperiod": "review_period",
    "stats_target": "target",
}
REVIEW_PERIOD_COLUMNS = [
    "id",
    "organisation_id",
    "org_path",
    "kind",
    "year",
    "quarter",
    "name",
    "starts_on",
    "ends_on",
    "closed_on",
    "by_id",
    "at",
]
TARGET_COLUMNS = [
    "id",
    "organisation_id",
    "year",
    "target",
    "breakdown",
    "revision",
    "reason",
    "by_id",
    "at",
]
TARGET_REVISION_COLUMNS = [
    "target_id",
    "revision",
    "value",
    "breakdown",
    "previous",
    "reason",
    "by_id",
    "at",
]
