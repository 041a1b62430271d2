"""Benchmark: one committee decision on the ratings of 10,000 members (issue 7, "Must
show": "Rating 10,000 members of a grassroots organisation in one bulk decision takes
under 10 seconds on PostgreSQL (benchmark script prints the figure), in one transaction:
an error on one member changes nothing for any").

Builds, with bulk inserts, one grassroots organisation (đảng bộ cơ sở) with 10,000 members
in about 50 branches, a yearly review period of last year opened by it, and a review per
member proposed by the chi bộ (scores that allow the proposals; excellent at the 20% quota
of each branch; a few failed, some of them failed the year before too, so the "two failed
years" timeline rows are written; a few exempted members without a review). Then:

1. one ``decide_ratings`` call for every review with ONE bad item (a rating above what the
   member's score allows): it must be refused as a whole (``BulkRefused``), and the
   decided reviews and timeline rows are counted before and after: nothing changed;
2. one ``decide_ratings`` call for every review, confirming the proposals: timed, with
   its query count, the reviews decided and the timeline rows written — target < 10 s.

With ``--profile`` it also lists the slowest queries of the decision (the time the
database took for each, from Django's query log).

    scripts/with-postgres .venv/bin/python bench/review_decision.py [--members 10000]
    DEBUG=1 .venv/bin/python bench/review_decision.py --members 2000   # SQLite, smaller

Runs on a scratch SQLite database in a temporary folder unless ``DATABASE_URL`` is set
(then that database must be empty or disposable: the script migrates it and adds data).
"""

import argparse
import os
import random
import time
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from _common import count_queries, setup_django

TARGET_SECONDS = 10.0

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Bùi", "Đinh", "Hà", "Quách", "Xa"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Ngọc", "Thu", "Hữu", ""]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Lan", "Mai", "Nam", "Quang", "Tùng", "Yến"]


def saved(model: Any, rows: list[Any]) -> list[Any]:
    """Bulk insert; the rows with their ids (PostgreSQL and SQLite ≥ 3.35 return them)."""
    made = model.objects.bulk_create(rows, batch_size=2000)
    assert all(r.pk is not None for r in made), "the database did not return the new ids"
    return made


def build_tree(branches: int) -> tuple[Any, list[Any]]:
    """Province → commune → đảng bộ cơ sở → ``branches`` chi bộ (paths from the new ids)."""
    from dangvien.core.text import collation_key
    from dangvien.organisations.models import Kind, Organisation, Sector, path_segment

    def add(parent: Organisation | None, name: str, kind: str, **extra: Any) -> Organisation:
        return Organisation.objects.create(
            name=name,
            kind=kind,
            parent=parent,
            path=f"tmp-{name}",
            depth=(parent.depth + 1) if parent else 0,
            sort_key=collation_key(name),
            **extra,
        )

    def fix(org: Organisation) -> Organisation:
        org.path = (org.parent.path if org.parent else "") + path_segment(org.pk)
        org.save(update_fields=["path"])
        return org

    province = fix(add(None, "Tỉnh ủy Hòa Bình (thử tải)", Kind.PROVINCE))
    commune = fix(add(province, "Đảng bộ xã Kim Bôi (thử tải)", Kind.COMMUNE))
    grassroots = fix(
        add(
            commune,
            "Đảng bộ Công ty cổ phần Kim Bôi (thử tải)",
            Kind.GRASSROOTS_COMMITTEE,
            sector=Sector.NON_STATE_ENTERPRISE,
            committee_size=15,
        )
    )
    rows = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"Chi bộ Phân xưởng {i + 1:02d}",
                kind=Kind.BRANCH,
                parent=grassroots,
                path=f"tmp-branch-{i}",
                depth=grassroots.depth + 1,
                sort_key=collation_key(f"Chi bộ Phân xưởng {i + 1:02d}"),
                sector=Sector.NON_STATE_ENTERPRISE,
            )
            for i in range(branches)
        ]
    )
    for row in rows:
        row.path = grassroots.path + path_segment(row.pk)
    Organisation.objects.bulk_update(rows, ["path"])
    return grassroots, rows


def proposal(rng: random.Random, rating: str) -> dict[str, Any]:
    """Scores that allow ``rating`` (366-QĐ/TW Art. 11 [C], default thresholds)."""
    if rating == "excellent":
        score, on_time, beyond = rng.randint(900, 1000), 100, rng.randint(30, 60)
    elif rating == "good":
        score, on_time, beyond = rng.randint(700, 899), 100, rng.randint(0, 29)
    elif rating == "complete":
        score, on_time, beyond = rng.randint(500, 699), rng.randint(85, 100), 0
    else:
        score, on_time, beyond = rng.randint(200, 499), rng.randint(40, 90), 0
    value = Decimal(score) / 10
    return {
        "self_score": value,
        "branch_score": value,
        "on_time_percent": on_time,
        "beyond_percent": beyond,
        "self_rating": rating,
        "proposed_rating": rating,
    }


def build(args: argparse.Namespace) -> dict[str, Any]:
    from django.utils import timezone

    from dangvien.accounts.models import Role
    from dangvien.core.text import collation_key, fold
    from dangvien.factories import user_with_role
    from dangvien.members.models import Exemption, ExemptionReason, Member, Status
    from dangvien.people.models import Education, Person
    from dangvien.reviews.models import MemberReview, PeriodKind, ReviewPeriod, Stage

    rng = random.Random(366)
    year = timezone.localdate().year - 1
    grassroots, branches = build_tree(args.branches)

    # Members: the branches share ``--members`` (sizes vary ±40%).
    weights = [rng.uniform(0.6, 1.4) for _ in branches]
    sizes = [int(args.members * w / sum(weights)) for w in weights]
    sizes[0] += args.members - sum(sizes)
    people, member_branches = [], []
    next_id = 200_000_000_001
    for branch, n in zip(branches, sizes, strict=True):
        for _ in range(n):
            f, m, g = rng.choice(FAMILY), rng.choice(MIDDLE), rng.choice(GIVEN)
            full = " ".join(p for p in (f, m, g) if p)
            next_id += 1
            people.append(
                Person(
                    family_name=f,
                    middle_name=m,
                    given_name=g,
                    birth_date=date(rng.randint(1960, 2000), rng.randint(1, 12), 15),
                    sex=rng.choice(["male", "female"]),
                    citizen_id=f"{next_id:012d}",
                    ethnicity="Mường",
                    education_level=Education.UPPER_SECONDARY,
                    search_text=f"{fold(full)} {next_id:012d}",
                    sort_key=collation_key(g, m, f),
                )
            )
            member_branches.append(branch)
    persons = saved(Person, people)
    members = []
    for person, branch in zip(persons, member_branches, strict=True):
        admitted = date(rng.randint(1985, year - 3), rng.randint(1, 12), rng.randint(1, 28))
        members.append(
            Member(
                person=person,
                branch=branch,
                org_path=branch.path,
                status=Status.OFFICIAL,
                admitted_on=admitted,
                first_admitted_on=admitted,
                probation_started_on=admitted + timedelta(days=20),
                official_on=admitted + timedelta(days=385),
            )
        )
    members = saved(Member, members)

    period = ReviewPeriod.objects.create(
        organisation=grassroots,
        org_path=grassroots.path,
        kind=PeriodKind.YEARLY,
        year=year,
        name=f"Kiểm điểm, đánh giá, xếp loại năm {year}",
        starts_on=date(year, 1, 1),
        ends_on=date(year, 12, 31),
    )
    earlier = ReviewPeriod.objects.create(
        organisation=grassroots,
        org_path=grassroots.path,
        kind=PeriodKind.YEARLY,
        year=year - 1,
        name=f"Kiểm điểm, đánh giá, xếp loại năm {year - 1}",
        starts_on=date(year - 1, 1, 1),
        ends_on=date(year - 1, 12, 31),
    )

    # Per branch: excellent at the quota (20% of those rated good or better), 5% failed,
    # 20% complete, the rest good; 0.5% exempted (no review).
    reviewed_on = date(year, 12, 15)
    reviews, earlier_reviews, exemptions = [], [], []
    by_branch: dict[int, list[Any]] = {}
    for member in members:
        by_branch.setdefault(member.branch_id, []).append(member)
    for branch_members in by_branch.values():
        rng.shuffle(branch_members)
        exempted = max(1, len(branch_members) // 200)
        for member in branch_members[:exempted]:
            exemptions.append(
                Exemption(
                    member=member,
                    reason=ExemptionReason.ILL_HEALTH,
                    from_on=date(year, 3, 1),
                )
            )
        rated = branch_members[exempted:]
        failed = len(rated) // 20
        complete = len(rated) // 5
        good_or_better = len(rated) - failed - complete
        excellent = good_or_better * 20 // 100
        ratings = (
            ["excellent"] * excellent
            + ["good"] * (good_or_better - excellent)
            + ["complete"] * complete
            + ["failed"] * failed
        )
        for member, rating in zip(rated, ratings, strict=True):
            reviews.append(
                MemberReview(
                    period=period,
                    member=member,
                    branch_id=member.branch_id,
                    org_path=member.org_path,
                    stage=Stage.BRANCH_PROPOSED,
                    self_assessed_on=date(year, 12, 5),
                    branch_reviewed_on=reviewed_on,
                    branch_resolution_no="NQ-12/CB",
                    **proposal(rng, rating),
                )
            )
            if rating == "failed" and rng.random() < 0.5:  # failed the year before too
                earlier_reviews.append(
                    MemberReview(
                        period=earlier,
                        member=member,
                        branch_id=member.branch_id,
                        org_path=member.org_path,
                        stage=Stage.PUBLISHED,
                        self_assessed_on=date(year - 1, 12, 5),
                        branch_reviewed_on=date(year - 1, 12, 15),
                        decided_rating="failed",
                        decider=grassroots,
                        decision_no="05-QĐ/ĐU",
                        decided_on=date(year - 1, 12, 28),
                        published_on=date(year - 1, 12, 30),
                        **proposal(rng, "failed"),
                    )
                )
    saved(Exemption, exemptions)
    reviews = saved(MemberReview, reviews)
    saved(MemberReview, earlier_reviews)
    user = user_with_role(Role.GRASSROOTS_STAFF, grassroots)
    return {
        "grassroots": grassroots,
        "period": period,
        "reviews": reviews,
        "user": user,
        "decided_on": date(year, 12, 28),
        "exempted": len(exemptions),
        "failed_before": len(earlier_reviews),
    }


def state(period: Any) -> tuple[int, int, int]:
    """(reviews decided in the period, reviews still proposed, timeline rows)."""
    from dangvien.members.models import StatusChange
    from dangvien.reviews.models import MemberReview, Stage

    rows = MemberReview.objects.filter(period=period)
    return (
        rows.filter(stage=Stage.DECIDED).count(),
        rows.filter(stage=Stage.BRANCH_PROPOSED).count(),
        StatusChange.objects.count(),
    )


def profile(call: Any, top: int) -> None:
    """The slowest queries of ``call()`` (Django's query log: the database time of each)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    timed = sorted(captured.captured_queries, key=lambda q: float(q["time"]), reverse=True)
    total = sum(float(q["time"]) for q in captured.captured_queries)
    print(f"  database time {total:.2f} s over {len(timed)} queries; the slowest:")
    for q in timed[:top]:
        print(f"    {float(q['time']):7.3f} s  {q['sql'][:160]}")


def python_profile(call: Any, top: int) -> None:
    """Where the Python time of ``call()`` goes: the project's functions by own time, and
    the calls taking the most time with what they call."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    call()
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime")
    rows = []
    for (path, line, name), (_cc, calls, own, cumulative, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append((own, cumulative, calls, f"{path.split('/site-packages/')[-1]}:{line} {name}"))
    print(f"  Python: the {top} functions with the most own time (own s, with callees s, calls):")
    for own, cumulative, calls, where in sorted(rows, reverse=True)[:top]:
        print(f"    {own:6.2f} {cumulative:6.2f} {calls:8d}  {where[-110:]}")
    project = [r for r in rows if "/dangvien/" in r[3]]
    print("  Python: the project's functions by time with callees:")
    for own, cumulative, calls, where in sorted(project, key=lambda r: -r[1])[:top]:
        print(f"    {own:6.2f} {cumulative:6.2f} {calls:8d}  {where.split('/dangvien/')[-1]}")


def reset(period: Any) -> None:
    """The proposals back as they were, the decision's timeline rows removed."""
    from dangvien.members.models import Event, StatusChange
    from dangvien.reviews.models import MemberReview, Stage

    MemberReview.objects.filter(period=period).update(
        stage=Stage.BRANCH_PROPOSED,
        decided_rating="",
        decider=None,
        decision_no="",
        decided_on=None,
    )
    StatusChange.objects.filter(what=Event.REVIEW).delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--branches", type=int, default=50)
    parser.add_argument("--profile", action="store_true", help="list the slowest queries")
    args = parser.parse_args()

    scratch = setup_django("bench-review-")
    from django.db import connection

    from dangvien.reviews.actions import BulkRefused, DecisionItem, decide_ratings
    from dangvien.reviews.models import Rating

    print(f"database: {connection.vendor}{' (' + scratch + ')' if scratch else ''}")
    start = time.perf_counter()
    data = build(args)
    period, reviews, user = data["period"], data["reviews"], data["user"]
    print(
        f"built in {time.perf_counter() - start:.1f} s: {data['grassroots'].name}, "
        f"{args.branches} chi bộ, {len(reviews)} reviews proposed, {data['exempted']} "
        f"exempted members (no review), {data['failed_before']} failed the year before"
    )

    def decide(items: list[Any]) -> Any:
        return decide_ratings(
            period,
            data["grassroots"],
            by=user,
            decision_no="12-QĐ/ĐU",
            decided_on=data["decided_on"],
            items=items,
            note="Quyết định công nhận kết quả xếp loại chất lượng đảng viên",
        )

    # 1. One bad item: a rating above what the score allows refuses everything.
    bad_at = next(i for i, r in enumerate(reviews) if r.proposed_rating == Rating.GOOD)
    bad_items = [DecisionItem(r.pk) for r in reviews]
    bad_items[bad_at] = DecisionItem(reviews[bad_at].pk, Rating.EXCELLENT)
    before = state(period)
    t0 = time.perf_counter()
    try:
        decide(bad_items)
    except BulkRefused as error:
        refused_in = time.perf_counter() - t0
        wrong = [r for r in error.results if not r.ok]
        print(
            f"\n1. one bad item among {len(bad_items)}: refused as a whole in "
            f"{refused_in:.2f} s ({len(wrong)} row at fault)"
        )
        print(f"   row {bad_at + 1}: {wrong[0].name}: {wrong[0].message}")
        print(f"   whole refusal: {error}")
    else:
        raise SystemExit("FAIL: the batch with a bad item was accepted")
    after = state(period)
    print(
        f"   before: {before[0]} decided, {before[1]} proposed, {before[2]} timeline rows; "
        f"after: {after[0]} decided, {after[1]} proposed, {after[2]} timeline rows -> "
        f"{'nothing changed' if before == after else 'CHANGED (FAIL)'}"
    )

    # 2. The whole batch, confirming the proposals.
    items = [DecisionItem(r.pk) for r in reviews]
    t0 = time.perf_counter()
    results, queries = count_queries(lambda: decide(items))
    seconds = time.perf_counter() - t0
    done = state(period)
    two_years = sum(1 for r in results if "năm liền" in r.message)
    print(
        f"\n2. decide_ratings for {len(items)} members in one call: {seconds:.2f} s, "
        f"{queries} queries (target < {TARGET_SECONDS:.0f} s: "
        f"{'met' if seconds < TARGET_SECONDS else 'NOT met'})"
    )
    print(
        f"   {done[0]} decided, {done[1]} still proposed, {done[2] - after[2]} timeline rows "
        f"written ({two_years} members failed two years running, to be considered for "
        "removal)"
    )
    if args.profile:
        print("\nprofile of the same decision (the proposals put back before each run):")
        reset(period)
        profile(lambda: decide(items), top=8)
        reset(period)
        python_profile(lambda: decide(items), top=15)


if __name__ == "__main__":
    main()
