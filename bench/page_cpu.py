"""CPU per page of the load mix (issue 9): where the 50-user run spends its two cores.

    source /var/tmp/nation-env/env   # DATABASE_URL and the keys of the nation
    .venv/bin/python bench/page_cpu.py --users-file /var/tmp/nation-env/users.csv \\
        --password P --totp-key HEX [--account nation.t05.x01.bts] [--runs 20] \\
        [--only home,member] [--profile home] [--top 40]

Django runs in this process with DEBUG off, the production middleware and template
caching, and serves each page of bench/locustfile.py's mix through its test client, for
one account logged in for real (password, then TOTP). For each page it prints, per
request (mean of ``--runs``): the CPU of this process (Django: middleware, views, ORM,
templates), the CPU of the PostgreSQL backend serving the connection (read from
``/proc/<pid>/schedstat``, nanoseconds: same machine, readable by root or the postgres
user), the wall time and the number of queries. A query run in parallel spends CPU in
worker processes this does not see: ``--serial`` switches parallel plans off for the
connection, so that the backend does all the work and its CPU is the query's whole cost
(under a 50-user load the cores are busy anyway: a parallel plan only spreads the same
work). CPU is what the load run ran out of;
unlike wall time it barely moves when the machine is shared.

``--profile NAME`` runs cProfile over that page's requests and prints the ``--top``
functions by cumulative and by own time. The one write of the mix (a self-review) runs
inside a transaction that is rolled back: the nation is not changed.
"""

import argparse
import cProfile
import csv
import hashlib
import hmac
import io
import os
import pstats
import random
import struct
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users-file", type=Path, required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--totp-key", required=True)
    parser.add_argument("--account", default="", help="default: the first commune board staff")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", default="", help="comma-separated page keys")
    parser.add_argument("--profile", default="", help="a page key to run under cProfile")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--profile-out", type=Path, help="also save the profile (pstats)")
    parser.add_argument(
        "--pyinstrument", default="", help="a page key to sample with pyinstrument (if installed)"
    )
    parser.add_argument("--filter", default="", help="only profile lines matching this")
    parser.add_argument("--queries", action="store_true", help="print one request's SQL")
    parser.add_argument(
        "--plans",
        action="store_true",
        help="EXPLAIN ANALYZE one request's reads: planning and execution time of each",
    )
    parser.add_argument(
        "--serial", action="store_true", help="no parallel plans: the backend's CPU is all"
    )
    return parser.parse_args()


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangvien.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("DB_CONN_MAX_AGE", "600")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    if os.environ["DEBUG"] in ("0", "") and not os.environ.get("SECRET_KEY"):
        os.environ["SECRET_KEY"] = "bench-page-cpu-" + os.urandom(16).hex()
    import django

    django.setup()


def totp(key_hex: str) -> str:
    counter = int(time.time() // 30)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return str((struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**6).zfill(6)


def backend_ns(pid: int) -> int:
    """CPU time the process has run, in nanoseconds (schedstat's first field)."""
    with open(f"/proc/{pid}/schedstat") as handle:
        return int(handle.read().split()[0])


def log_in(args: argparse.Namespace, username: str) -> Any:
    from django.test import Client

    client = Client(raise_request_exception=True)
    client.get("/dang-nhap/", secure=True)
    first = client.post(
        "/dang-nhap/", {"username": username, "password": args.password}, secure=True
    )
    location = first.get("Location", "")
    if "/xac-thuc/" in location:
        # A code is good once per device: an account logged in less than 30 s ago waits
        # for the next one.
        for _attempt in range(2):
            second = client.post(location, {"code": totp(args.totp_key)}, secure=True)
            if second.status_code == 302 and "/xac-thuc/" not in second.get("Location", ""):
                break
            time.sleep(30 - time.time() % 30 + 1)
        else:
            sys.exit(f"{username}: TOTP refused ({second.status_code})")
    elif first.status_code != 302:
        sys.exit(f"{username}: password refused ({first.status_code})")
    return client


def sample(username: str, rng: random.Random) -> dict[str, Any]:
    """What the mix needs from the account's scope (as bench/load_users.py samples it)."""
    from django.utils import timezone

    from dangvien.accounts.models import User
    from dangvien.members.models import Status
    from dangvien.members.moves import role_allows
    from dangvien.members.queries import visible_members
    from dangvien.organisations.models import Kind
    from dangvien.organisations.queries import units_managed_by, visible_organisations
    from dangvien.rowsecurity.scope import unrestricted

    sys.path.insert(0, str(ROOT / "bench"))
    from load_users import free_self_review_slots

    with unrestricted():
        user = User.objects.get(username=username)
        home = units_managed_by(user).first()
        branches = list(
            visible_organisations(user)
            .filter(kind__in=[Kind.BRANCH, Kind.GRASSROOTS_BRANCH])
            .order_by()
            .values_list("pk", flat=True)[:2000]
        )
        members = visible_members(user).order_by()
        ids = list(members.values_list("pk", flat=True)[:20000])
        picked = rng.sample(ids, min(len(ids), 200))
        names = [
            " ".join(p for p in row if p)
            for row in members.filter(pk__in=picked[:40]).values_list(
                "person__family_name", "person__middle_name", "person__given_name"
            )
        ]
        probationary = list(
            members.filter(status=Status.PROBATIONARY).select_related("branch", "person")[:300]
        )
        writable = [m for m in probationary if role_allows(user, m, "file-self-review")]
        slots = free_self_review_slots(writable, timezone.localdate())
    return {
        "home": home.pk if home else None,
        "branches": rng.sample(branches, min(len(branches), 20)),
        "members": picked,
        "names": names,
        "slots": slots,
    }


def fold(text: str) -> str:
    from dangvien.core.text import fold as core_fold

    return core_fold(text)


def pages(s: dict[str, Any], rng: random.Random) -> dict[str, tuple[int, Callable[[], Any]]]:
    """key -> (weight in the mix, a function making one request's (method, url, data))."""
    from dangvien.candidates.models import Stage

    stages = ["active", *Stage.values]

    def candidates() -> Any:
        query = f"?stage={rng.choice(stages)}"
        if s["branches"] and rng.random() < 0.3:
            query += f"&organisation={rng.choice(s['branches'])}"
        return ("get", f"/quan-chung/{query}", None)

    def members() -> Any:
        query = f"?status={rng.choice(['', 'official', 'probationary'])}"
        if s["branches"]:
            query += f"&organisation={rng.choice(s['branches'])}"
        return ("get", f"/dang-vien/{query}", None)

    def search() -> Any:
        name = rng.choice(s["names"])
        typed = rng.choice([name, fold(name), fold(" ".join(name.split()[-2:]))])
        return ("get", "/dang-vien/?" + urlencode({"q": typed}), None)

    def write() -> Any:
        from django.utils import timezone

        member, period = s["slots"][rng.randrange(len(s["slots"]))]
        prefix = "file-self-review"
        return (
            "post",
            f"/dang-vien/{member}/{prefix}/",
            {
                f"{prefix}-period": period,
                f"{prefix}-filed_on": timezone.localdate().isoformat(),
                f"{prefix}-assessment": "good",
                f"{prefix}-text": "Tự kiểm điểm trong kỳ: chấp hành tốt nhiệm vụ được giao.",
            },
        )

    out: dict[str, tuple[int, Callable[[], Any]]] = {
        "home": (3, lambda: ("get", "/", None)),
        "candidates": (2, candidates),
        "members": (2, members),
        "search": (2, search),
        "member": (3, lambda: ("get", f"/dang-vien/{rng.choice(s['members'])}/", None)),
        "dashboard": (1, lambda: ("get", f"/thong-ke/{s['home']}/", None)),
        "structure": (1, lambda: ("get", f"/thong-ke/{s['home']}/co-cau/", None)),
    }
    if s["slots"]:
        out["write"] = (1, write)
    return out


def explain(sql: list[dict[str, str]]) -> None:
    """Planning and execution time of each read (its second run: plans and caches warm),
    the costliest first; the statement as the debug log recorded it (parameters inlined)."""
    from django.db import connection

    found = []
    for query in sql:
        text = query["sql"]
        if not text.lstrip().upper().startswith("SELECT") or "set_config" in text:
            continue
        with connection.cursor() as cursor:
            for _ in range(2):
                cursor.execute("EXPLAIN (ANALYZE, SUMMARY) " + text)
                lines = [row[0] for row in cursor.fetchall()]
        times = {
            line.split(":")[0].strip(): float(line.split(":")[1].split()[0])
            for line in lines
            if line.startswith(("Planning Time", "Execution Time"))
        }
        found.append((times.get("Planning Time", 0), times.get("Execution Time", 0), text))
    found.sort(key=lambda f: -(f[0] + f[1]))
    total = [sum(f[0] for f in found), sum(f[1] for f in found)]
    print(f"    reads: planning {total[0]:.1f} ms, execution {total[1]:.1f} ms")
    for planning, execution, text in found[:8]:
        print(f"    plan {planning:6.2f} exec {execution:6.2f}  {text[:150]}")


def main() -> int:
    args = parse_args()
    setup_django()
    if args.serial:
        from django.db.backends.signals import connection_created

        def serial(sender: Any, connection: Any, **kwargs: Any) -> None:
            with connection.cursor() as cursor:
                cursor.execute("SET max_parallel_workers_per_gather = 0")

        connection_created.connect(serial)
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    with args.users_file.open(encoding="utf-8") as handle:
        accounts = [row["username"] for row in csv.DictReader(handle)]
    username = args.account or next(a for a in accounts if a.endswith(".bts") and ".x" in a)
    rng = random.Random(args.seed)
    s = sample(username, rng)
    client = log_in(args, username)
    mix = pages(s, rng)
    if args.only:
        mix = {k: v for k, v in mix.items() if k in args.only.split(",")}

    def one(request: Any) -> Any:
        method, url, data = request
        if method == "get":
            response = client.get(url, secure=True)
            if response.status_code != 200:
                print(f"  ! {url}: HTTP {response.status_code}", file=sys.stderr)
            return response
        with transaction.atomic():
            response = client.post(url, data, secure=True)
            transaction.set_rollback(True)
        if response.status_code != 302:
            print(f"  ! POST {url}: HTTP {response.status_code}", file=sys.stderr)
        return response

    print(f"account {username}; {args.runs} requests per page")
    print(f"{'page':12} {'weight':>6} {'django ms':>10} {'pg ms':>8} {'wall ms':>8} {'queries':>8}")
    total_weight = 0
    weighted = [0.0, 0.0]
    for key, (weight, make) in mix.items():
        one(make())  # warm-up: template cache, plans
        pid = connection.connection.info.backend_pid
        requests = [make() for _ in range(args.runs)]
        # CPU time, not wall time: waiting for PostgreSQL costs this process nothing.
        profiler = cProfile.Profile(time.process_time) if key == args.profile else None
        sampler = None
        if key == args.pyinstrument:
            from pyinstrument import Profiler

            sampler = Profiler(interval=0.0005)
        queries = 0
        sql: list[dict[str, str]] = []
        py0, pg0, wall0 = time.process_time(), backend_ns(pid), time.perf_counter()
        for n, request in enumerate(requests):
            if profiler:
                profiler.enable()
            if sampler:
                sampler.start()
            if n == 0:
                with CaptureQueriesContext(connection) as captured:
                    one(request)
                sql = list(captured.captured_queries)  # the next request resets the log
                queries = len(sql)
            else:
                one(request)
            if profiler:
                profiler.disable()
            if sampler:
                sampler.stop()
        py = (time.process_time() - py0) * 1000 / args.runs
        pg = (backend_ns(pid) - pg0) / 1e6 / args.runs
        wall = (time.perf_counter() - wall0) * 1000 / args.runs
        print(f"{key:12} {weight:6d} {py:10.1f} {pg:8.1f} {wall:8.1f} {queries:8d}", flush=True)
        total_weight += weight
        weighted[0] += weight * py
        weighted[1] += weight * pg
        if sampler:
            print(sampler.output_text(unicode=True, show_all=False, timeline=False))
        if args.queries:
            for q in sql:
                print(f"    {q['time']}s {q['sql'][:300]}")
        if args.plans:
            explain(sql)
        if profiler:
            if args.profile_out:
                profiler.dump_stats(args.profile_out)
            for order in ("cumulative", "tottime"):
                stream = io.StringIO()
                stats = pstats.Stats(profiler, stream=stream).sort_stats(order)
                stats.print_stats(*([args.filter] if args.filter else []), args.top)
                print(stream.getvalue())
    if total_weight:
        py, pg = (w / total_weight for w in weighted)
        print(f"{'mix (weighted)':19} {py:10.1f} {pg:8.1f}   = {py + pg:.1f} ms CPU per request")
    return 0


if __name__ == "__main__":
    sys.exit(main())
