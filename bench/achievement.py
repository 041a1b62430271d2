"""Benchmark: achievement of the admission target for a province (issue 6, "Must show").

Builds, with bulk inserts, a province of 200,000 members over a realistic tree: about 80
communes, each with village branches directly under it, grassroots đảng bộ with their
branches and a few chi bộ cơ sở; branches of 3 to 60 members; villages, some without a
member. Then 5,000 admissions in the current year up to today and as many last year, from
both sources (candidates decided, a ceremony held or not; members recorded directly;
readmissions), beside rejected and withdrawn decisions and a pool of candidates still in
the pipeline; and targets for the province and each commune.

Times, over 50 runs each after three warm-up runs:

(a) ``achievement(province, year)`` — target < 200 ms on PostgreSQL;
(b) the whole dashboard page ``GET /thong-ke/<province>/`` through the Django test client,
    for a province board staff user — target < 500 ms on PostgreSQL;

and prints p50 and p95 of each, the query count, and the counts checked against a plain
count of each source.

    scripts/with-postgres .venv/bin/python bench/achievement.py [--members 200000]
    DEBUG=1 .venv/bin/python bench/achievement.py --members 20000   # SQLite, smaller

Runs on a scratch SQLite database in a temporary folder unless ``DATABASE_URL`` is set
(then that database must be empty or disposable: the script migrates it and adds data).
``--explain`` prints PostgreSQL's EXPLAIN ANALYZE of the two grouped counts.
"""

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from _common import count_queries, setup_django, timed

TARGET_ACHIEVEMENT_MS = 200
TARGET_PAGE_MS = 500
RUNS = 50

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Bùi", "Đinh", "Hà", "Quách", "Xa"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Ngọc", "Thu", "Hữu", ""]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Lan", "Mai", "Nam", "Quang", "Tùng", "Yến"]
ETHNICITY = ["Kinh"] * 6 + ["Mường"] * 3 + ["Tày", "Thái", "Dao"]
RELIGION = ["Không"] * 12 + ["Phật giáo", "Công giáo"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def build_tree(rng: random.Random, communes: int) -> tuple[Any, list[Any], list[Any]]:
    """The province, its communes and every member-holding branch, inserted level by level
    (bulk insert, then the paths from the new ids)."""
    from dangvien.core.text import collation_key
    from dangvien.organisations.models import Kind, Organisation, Sector, path_segment

    def add(rows: list[tuple[Organisation | None, str, str, str]]) -> list[Organisation]:
        made = Organisation.objects.bulk_create(
            [
                Organisation(
                    name=name,
                    kind=kind,
                    parent=parent,
                    path=f"tmp-{i}-{rng.random()}",
                    depth=(parent.depth + 1) if parent else 0,
                    sort_key=collation_key(name),
                    sector=sector,
                )
                for i, (parent, name, kind, sector) in enumerate(rows)
            ],
            batch_size=1000,
        )
        assert all(o.pk is not None for o in made), "the database did not return the new ids"
        for org in made:
            org.path = (org.parent.path if org.parent else "") + path_segment(org.pk)
        Organisation.objects.bulk_update(made, ["path"], batch_size=1000)
        return made

    (province,) = add([(None, "Tỉnh ủy Hòa Bình (thử tải)", Kind.PROVINCE, "")])
    commune_rows = add(
        [
            (province, f"Đảng bộ xã {i + 1:02d}", Kind.COMMUNE, Sector.COMMUNE_WARD)
            for i in range(communes)
        ]
    )
    level3: list[tuple[Organisation | None, str, str, str]] = []
    for commune in commune_rows:
        for v in range(rng.randint(12, 24)):
            level3.append((commune, f"Chi bộ thôn {v + 1:02d}", Kind.BRANCH, Sector.COMMUNE_WARD))
        for g in range(rng.randint(3, 8)):
            sector = rng.choice(
                [
                    Sector.AGENCY,
                    Sector.PUBLIC_SERVICE,
                    Sector.STATE_ENTERPRISE,
                    Sector.NON_STATE_ENTERPRISE,
                ]
            )
            level3.append((commune, f"Đảng bộ cơ sở {g + 1}", Kind.GRASSROOTS_COMMITTEE, sector))
        for b in range(rng.randint(3, 10)):
            sector = rng.choice([Sector.AGENCY, Sector.PUBLIC_SERVICE, Sector.NON_STATE_ENTERPRISE])
            level3.append((commune, f"Chi bộ cơ sở {b + 1}", Kind.GRASSROOTS_BRANCH, sector))
    third = add(level3)
    level4 = [
        (node, f"Chi bộ {k + 1}", Kind.BRANCH, node.sector)
        for node in third
        if node.kind == Kind.GRASSROOTS_COMMITTEE
        for k in range(rng.randint(3, 10))
    ]
    fourth = add(level4)
    branches = [n for n in third if n.kind != Kind.GRASSROOTS_COMMITTEE] + fourth
    return province, commune_rows, branches


class People:
    """Persons made in bulk, with the keys the pages sort on."""

    def __init__(self, rng: random.Random) -> None:
        from dangvien.core.text import collation_key, fold

        self.rng = rng
        self.next_id = 100_000_000_001
        self.keys: dict[tuple[str, str, str], tuple[str, str]] = {}
        for f in FAMILY:
            for m in MIDDLE:
                for g in GIVEN:
                    full = " ".join(p for p in (f, m, g) if p)
                    self.keys[(f, m, g)] = (fold(full), collation_key(g, m, f))

    def make(self, village_id: int | None = None, young: bool = False) -> Any:
        from dangvien.people.models import Education, OccupationGroup, Person

        rng = self.rng
        f, m, g = rng.choice(FAMILY), rng.choice(MIDDLE), rng.choice(GIVEN)
        search, sort_key = self.keys[(f, m, g)]
        self.next_id += 1
        born = date(
            rng.randint(1990, 2006) if young else rng.randint(1945, 2000), rng.randint(1, 12), 15
        )
        return Person(
            family_name=f,
            middle_name=m,
            given_name=g,
            birth_date=born,
            sex=rng.choice(["male", "female"]),
            citizen_id=f"{self.next_id:012d}",
            ethnicity=rng.choice(ETHNICITY),
            religion=rng.choice(RELIGION),
            education_level=Education.UPPER_SECONDARY,
            occupation_group=rng.choice(
                [
                    OccupationGroup.FARMER,
                    OccupationGroup.WORKER,
                    OccupationGroup.STUDENT,
                    OccupationGroup.OFFICIAL,
                ]
            ),
            youth_union_member=young and rng.random() < 0.6,
            village_id=village_id,
            search_text=f"{search} {self.next_id:012d}",
            sort_key=sort_key,
        )


def saved(model: Any, rows: list[Any]) -> list[Any]:
    """Bulk insert; the rows with their ids (PostgreSQL and SQLite ≥ 3.35 return them)."""
    made = model.objects.bulk_create(rows, batch_size=2000)
    assert all(r.pk is not None for r in made), "the database did not return the new ids"
    return made


def build(args: argparse.Namespace) -> dict[str, Any]:
    from django.utils import timezone

    from dangvien.accounts.models import Role
    from dangvien.candidates.models import Candidate, Stage
    from dangvien.factories import user_with_role
    from dangvien.members.models import Member, Status
    from dangvien.organisations.models import Organisation, Village
    from dangvien.stats.models import Target

    rng = random.Random(2026)
    today = timezone.localdate()
    year = today.year
    province, communes, branches = build_tree(rng, args.communes)

    # Villages: about 12 a commune; the village branches serve them.
    villages_by_commune: dict[int, list[int]] = {}
    village_rows = [
        Village(organisation=c, org_path=c.path, name=f"Thôn {k + 1:02d}")
        for c in communes
        for k in range(12)
    ]
    for v in saved(Village, village_rows):
        villages_by_commune.setdefault(v.organisation_id, []).append(v.pk)
    commune_of = {b.pk: int(b.path[9:17]) for b in branches}
    # Villages 11 and 12 of each commune get no member: admissions there count as
    # "villages without members".
    empty_villages = {c: ids[10:] for c, ids in villages_by_commune.items()}
    peopled_villages = {c: ids[:10] for c, ids in villages_by_commune.items()}

    people = People(rng)

    # Members: branches of 3 to 60 until the province holds ``--members``.
    sizes: list[tuple[Any, int]] = []
    total = 0
    while total < args.members:
        for branch in branches:
            n = min(rng.randint(3, 60), args.members - total)
            if n <= 0:
                break
            sizes.append((branch, n))
            total += n
    people_rows, member_rows = [], []
    for branch, n in sizes:
        villages = peopled_villages[commune_of[branch.pk]]
        for _ in range(n):
            people_rows.append(people.make(rng.choice(villages)))
    persons = iter(saved(type(people_rows[0]), people_rows))
    for branch, n in sizes:
        for _ in range(n):
            admitted = date(rng.randint(1975, year - 3), rng.randint(1, 12), rng.randint(1, 28))
            member_rows.append(
                Member(
                    person=next(persons),
                    branch=branch,
                    org_path=branch.path,
                    status=Status.OFFICIAL,
                    admitted_on=admitted,
                    first_admitted_on=admitted,
                    probation_started_on=admitted + timedelta(days=20),
                    official_on=admitted + timedelta(days=385),
                )
            )
    saved(Member, member_rows)

    # Admissions: ``--admissions`` this year (to today) and as many last year.
    def day_in(y: int) -> date:
        last = today if y == year else date(y, 12, 31)
        return date(y, 1, 1) + timedelta(days=rng.randrange((last - date(y, 1, 1)).days + 1))

    decided: list[tuple[Any, date, str]] = []  # (branch, day, what)
    for y in (year - 1, year):
        for _ in range(args.admissions):
            r = rng.random()
            what = (
                "candidate"
                if r < 0.45
                else "ceremony"
                if r < 0.8
                else "direct"
                if r < 0.97
                else "readmitted"
            )
            decided.append((rng.choice(branches), day_in(y), what))
        for _ in range(args.admissions // 20):  # refused or withdrawn after the decision
            decided.append((rng.choice(branches), day_in(y), rng.choice(["rejected", "withdrawn"])))
    pool = [(rng.choice(branches), None, "pool") for _ in range(args.admissions * 3)]
    rows = decided + pool

    new_people = []
    for branch, _day, _what in rows:
        c = commune_of[branch.pk]
        village = rng.choice(empty_villages[c] if rng.random() < 0.05 else peopled_villages[c])
        new_people.append(people.make(village, young=True))
    persons = iter(saved(type(new_people[0]), new_people))
    person_of = [next(persons) for _ in rows]

    members: list[Member] = []
    member_index: dict[int, int] = {}
    for i, (branch, day, what) in enumerate(rows):
        if what in ("ceremony", "direct", "readmitted"):
            member_index[i] = len(members)
            members.append(
                Member(
                    person=person_of[i],
                    branch=branch,
                    org_path=branch.path,
                    status=Status.PROBATIONARY,
                    admitted_on=day,
                    first_admitted_on=date(2005, 1, 1) if what == "readmitted" else day,
                    readmitted_on=day if what == "readmitted" else None,
                    probation_started_on=day + timedelta(days=rng.randint(0, 25)),
                )
            )
    members = saved(Member, members)
    stage = {
        "candidate": Stage.ADMITTED,
        "ceremony": Stage.MEMBER,
        "readmitted": Stage.MEMBER,  # the first admission, long ago
        "rejected": Stage.REJECTED,
        "withdrawn": Stage.WITHDRAWN,
    }
    pool_stages = [
        Stage.CANDIDATE,
        Stage.IN_AWARENESS_COURSE,
        Stage.CERTIFIED,
        Stage.DOSSIER_OPEN,
        Stage.BRANCH_PROPOSED,
    ]
    candidates = []
    for i, (branch, day, what) in enumerate(rows):
        if what == "direct":
            continue
        decided_on = date(2005, 1, 1) if what == "readmitted" else day
        candidates.append(
            Candidate(
                person=person_of[i],
                branch=branch,
                org_path=branch.path,
                stage=rng.choice(pool_stages) if what == "pool" else stage[what],
                listed_on=date(year - 2, 6, 1),
                decided_on=decided_on,
                decision_no=f"{i}-QĐ/ĐU" if decided_on else "",
                member=members[member_index[i]] if what in ("ceremony", "readmitted") else None,
            )
        )
    saved(Candidate, candidates)

    # Targets: the province and each commune.
    Target.objects.bulk_create(
        [Target(organisation=province, year=year, target=args.admissions + 500)]
        + [
            Target(
                organisation=c,
                year=year,
                target=rng.randint(40, 90),
                breakdown={"women": 20, "youth_union": 30},
            )
            for c in communes
        ]
    )
    user = user_with_role(Role.BOARD_STAFF, province)
    expected_this_year = sum(
        1 for _b, d, w in decided if d and d.year == year and w not in ("rejected", "withdrawn")
    )
    return {
        "province": province,
        "communes": len(communes),
        "branches": len(branches),
        "nodes": Organisation.objects.filter(path__startswith=province.path).count(),
        "members": Member.objects.count(),
        "candidates": len(candidates),
        "expected": expected_this_year,
        "user": user,
        "year": year,
    }


def run(call: Callable[[], Any], runs: int) -> list[float]:
    for _ in range(3):  # warm-up: caches, prepared connections
        call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def explain(province: Any, year: int) -> None:
    """EXPLAIN ANALYZE of each query ``achievement`` makes that takes over 5 ms."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dangvien.stats.queries.achievement import achievement

    if connection.vendor != "postgresql":
        print("EXPLAIN ANALYZE: PostgreSQL only")
        return
    with CaptureQueriesContext(connection) as captured:
        achievement(province, year)
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            if float(query["time"]) < 0.005:
                continue
            print(f"--- {float(query['time']) * 1000:.1f} ms: {query['sql'][:160]}…")
            cursor.execute("EXPLAIN ANALYZE " + query["sql"])
            print("\n".join(row[0] for row in cursor.fetchall()))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--members", type=int, default=200_000)
    parser.add_argument("--admissions", type=int, default=5_000, help="a year")
    parser.add_argument("--communes", type=int, default=80)
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()

    scratch = setup_django("bench-achievement-")

    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from dangvien.stats.queries.achievement import achievement

    figures: dict[str, float] = {}
    with timed("build", figures):
        data = build(args)
    if connection.vendor == "postgresql":
        # As the nightly maintenance leaves a database: statistics and visibility map up to
        # date, so autovacuum does not start on the fresh rows in the middle of the timing.
        # CHECKPOINT writes the fresh pages out now rather than during the timing.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CHECKPOINT")
    province, year = data["province"], data["year"]

    result, queries = count_queries(lambda: achievement(province, year))
    assert result.admitted == data["expected"], (result.admitted, data["expected"])
    times_a = run(lambda: achievement(province, year), args.runs)

    client = Client()
    client.force_login(data["user"])
    url = reverse("stats:dashboard", args=[province.pk])

    def page() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    _none, page_queries = count_queries(page)
    times_b = run(page, args.runs)

    print(f"Database: {connection.vendor}" + (f" (scratch {scratch})" if scratch else ""))
    print(
        f"Province: {data['communes']} communes, {data['nodes']:,} nodes, {data['branches']:,} "
        f"branches, {data['members']:,} member rows, {data['candidates']:,} candidate rows "
        f"(built in {figures['build']:.0f} s)"
    )
    print(
        f"Year {year} to {result.on:%d/%m/%Y}: {result.admitted:,} admitted (checked), last "
        f"year {result.last_year_admitted:,}; target {result.target:,}, {result.percent} %, "
        f"projected {result.projected:,}; {sum(c.behind for c in result.children)} of "
        f"{len(result.children)} communes behind"
    )
    for label, times, n, target in (
        ("(a) achievement(province, year)", times_a, queries, TARGET_ACHIEVEMENT_MS),
        ("(b) dashboard page GET", times_b, page_queries, TARGET_PAGE_MS),
    ):
        p50, p95 = statistics.median(times), percentile(times, 0.95)
        verdict = "OK" if p95 < target else "TOO SLOW"
        print(
            f"{label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms over {len(times)} runs, {n} queries "
            f"(target < {target} ms): {verdict}"
        )
    if args.explain:
        explain(province, year)


if __name__ == "__main__":
    main()
