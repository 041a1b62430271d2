"""The national benchmark of issue 9: page times on a generated nation (PostgreSQL).

    bench/nation-postgres start                   # a cluster that outlives the command
    .venv/bin/python manage.py generate_nation --members 6000000 --password P \\
        --users-file users.csv --totp-key HEX      # about 12 minutes
    .venv/bin/python bench/national.py --users-file users.csv --password P --totp-key HEX

Run with the environment the nation was generated with (``DATABASE_URL``,
``FIELD_ENCRYPTION_KEYS``, ``BLIND_INDEX_KEY``). Django runs in this process with DEBUG
off (the production code paths: no debug query log, template caching) and serves the
requests through its test client, so the figures are the server's time for a page: URL
routing, middleware (sessions, the second factor, CSP, the access log), queries and
templates, without the network. Each page is fetched ``--runs`` times (30) by users taken
in turn from the generated accounts, after one unmeasured warm-up request per page.

Prints p50 and p95 in milliseconds, the number of queries of one request, and the target:
every page p95 under 300 ms (the whole country's structure table too), the name search
under 150 ms, the national dashboard under 1 s. Exits 1 when a page misses its target or
answers other than 200.
"""

import argparse
import csv
import hashlib
import hmac
import os
import random
import re
import statistics
import struct
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users-file", type=Path, required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--totp-key", required=True, help="the hex key given to generate_nation")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", default="", help="comma-separated page names to run")
    parser.add_argument("--explain", action="store_true", help="print each page's slowest query")
    return parser.parse_args()


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangvien.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    if os.environ["DEBUG"] in ("0", "") and not os.environ.get("SECRET_KEY"):
        os.environ["SECRET_KEY"] = "bench-national-" + os.urandom(16).hex()
    import django

    django.setup()


def totp(key_hex: str, at: float | None = None) -> str:
    """The current code of an authenticator app (RFC 6238: SHA-1, 30 s, 6 digits)."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return str((struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**6).zfill(6)


@dataclass
class Page:
    name: str
    target_ms: float
    url: Callable[[str], str]  # username -> the URL of one request
    users: list[Any] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    queries: int = 0
    failures: list[str] = field(default_factory=list)
    worst: tuple[float, str] = (0.0, "")


def percentile(values: list[float], p: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


class Nation:
    """The accounts of the users file, logged in once each (password + TOTP), and what
    their pages need: members, branches, names of their scope."""

    def __init__(self, args: argparse.Namespace) -> None:
        from django.test import Client

        self.args = args
        self.rng = random.Random(args.seed)
        with args.users_file.open(encoding="utf-8") as handle:
            self.accounts = list(csv.DictReader(handle))
        self.Client = Client
        self.sessions: dict[str, Any] = {}
        self.login_times: list[float] = []
        self.login_failures: list[str] = []

    def by(self, pattern: str) -> list[str]:
        return [a["username"] for a in self.accounts if re.fullmatch(pattern, a["username"])]

    def log_in(self, username: str) -> Any:
        """A client with a fully verified session of ``username``; the time of the two
        POSTs (password, then the TOTP code) goes into ``login_times``."""
        if username in self.sessions:
            return self.sessions[username]
        client = self.Client(raise_request_exception=True)
        client.get("/dang-nhap/", secure=True)
        start = time.perf_counter()
        first = client.post(
            "/dang-nhap/",
            {"username": username, "password": self.args.password},
            secure=True,
        )
        location = first.get("Location", "")
        if first.status_code != 302 or "/xac-thuc/" not in location:
            self.login_failures.append(f"{username}: password step {first.status_code}")
            return None
        second = client.post(location, {"code": totp(self.args.totp_key)}, secure=True)
        self.login_times.append(time.perf_counter() - start)
        if second.status_code != 302 or "/xac-thuc/" in second.get("Location", ""):
            self.login_failures.append(f"{username}: TOTP step {second.status_code}")
            return None
        self.sessions[username] = client
        return client


def scope_sample(username: str, rng: random.Random) -> dict[str, Any]:
    """Some members, branches and names in the scope of ``username``'s roles."""
    from dangvien.accounts.models import User
    from dangvien.members.queries import visible_members
    from dangvien.organisations.models import Kind
    from dangvien.organisations.queries import units_managed_by, visible_organisations
    from dangvien.rowsecurity.scope import scoped

    user = User.objects.get(username=username)
    # As the app role, row-level security shows nothing without a scope: the sample is
    # read in the user's own scope, as their pages will be.
    with scoped(user):
        home = units_managed_by(user).first()
        branches = list(
            visible_organisations(user)
            .filter(kind__in=[Kind.BRANCH, Kind.GRASSROOTS_BRANCH])
            .order_by()
            .values_list("pk", flat=True)[:500]
        )
        ids = list(visible_members(user).order_by().values_list("pk", flat=True)[:5000])
        members = rng.sample(ids, min(len(ids), 60))
        names = [
            " ".join(p for p in row if p)
            for row in visible_members(user)
            .filter(pk__in=members[:30])
            .values_list("person__family_name", "person__middle_name", "person__given_name")
        ]
    return {
        "home": home.pk if home else None,
        "branches": branches,
        "members": members,
        "names": names,
    }


def fold(text: str) -> str:
    from dangvien.core.text import fold as core_fold

    return core_fold(text)


def main() -> int:
    args = parse_args()
    setup_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dangvien.members.models import Member
    from dangvien.organisations.models import Organisation

    nation = Nation(args)
    rng = nation.rng
    communes = nation.by(r".*\.t\d\d\.x\d\d\.bts")
    branches = nation.by(r".*\.t\d\d\.x\d\d\.cb")
    provinces = nation.by(r".*\.t\d\d\.bts")
    leaders = nation.by(r".*\.t\d\d\.ld")
    if not (communes and provinces):
        print("the users file has no commune or province accounts", file=sys.stderr)
        return 2
    from dangvien.rowsecurity.scope import unrestricted

    with unrestricted():  # as the app role, the count is of every member
        members = Member.objects.count()
    print(
        f"nation: {members:,} member records, "
        f"{Organisation.objects.count():,} organisations, {len(nation.accounts)} accounts"
    )
    samples: dict[str, dict[str, Any]] = {}

    def sample(username: str) -> dict[str, Any]:
        if username not in samples:
            samples[username] = scope_sample(username, rng)
        return samples[username]

    def pick(seq: list[Any]) -> Any:
        return rng.choice(seq)

    stages = ["active", "candidate", "in_awareness_course", "certified", "dossier_open"]

    def candidates(_u: str) -> str:
        return f"/quan-chung/?stage={pick(stages)}"

    def members_filtered(u: str) -> str:
        s = sample(u)
        status = pick(["official", "probationary", ""])
        return f"/dang-vien/?status={status}&organisation={pick(s['branches'])}"

    def members_province(_u: str) -> str:
        return f"/dang-vien/?status={pick(['official', 'probationary'])}"

    def search(u: str) -> str:
        from urllib.parse import urlencode

        name = pick(sample(u)["names"])
        words = name.split()
        typed = pick([name, fold(name), fold(" ".join(words[-2:]))])
        return "/dang-vien/?" + urlencode({"q": typed})

    def member(u: str) -> str:
        return f"/dang-vien/{pick(sample(u)['members'])}/"

    def home_node(u: str) -> int:
        return int(sample(u)["home"])

    pages = [
        Page("trang chủ xã (việc cần làm)", 300, lambda u: "/", communes),
        Page("trang chủ tỉnh (việc cần làm)", 300, lambda u: "/", provinces),
        Page("quần chúng, lọc theo bước (xã)", 300, candidates, communes),
        Page("đảng viên, lọc chi bộ + trạng thái (xã)", 300, members_filtered, communes),
        Page("đảng viên, lọc trạng thái (tỉnh)", 300, members_province, provinces),
        Page("tìm tên không dấu (tỉnh)", 150, search, provinces),
        Page("tìm tên không dấu (chi bộ)", 150, search, branches or communes),
        Page("hồ sơ đảng viên", 300, member, communes),
        Page("kết quả kết nạp (xã)", 300, lambda u: f"/thong-ke/{home_node(u)}/", communes),
        Page("kết quả kết nạp (tỉnh)", 300, lambda u: f"/thong-ke/{home_node(u)}/", leaders),
        Page("kết quả kết nạp toàn quốc", 1000, lambda u: "/thong-ke/toan-quoc/", ["*nation"]),
        Page(
            "cơ cấu đảng viên (tỉnh)",
            300,
            lambda u: f"/thong-ke/{home_node(u)}/co-cau/",
            provinces,
        ),
        Page(
            "cơ cấu đảng viên toàn quốc", 300, lambda u: "/thong-ke/toan-quoc/co-cau/", ["*nation"]
        ),
    ]
    if args.only:
        wanted = set(args.only.split(","))
        pages = [p for p in pages if p.name in wanted or any(w in p.name for w in wanted)]

    national = national_user(nation)
    # Logins: the accounts of every page, once each (a TOTP code is good once per device and
    # 30 s window: the accounts are distinct, so no code is reused).
    for page in pages:
        page.users = [national if u == "*nation" else u for u in page.users]
    for page in pages:
        for username in page.users[: args.runs]:
            nation.log_in(username)
    for page in pages:
        users = [u for u in page.users if u in nation.sessions]
        if not users:
            page.failures.append("no account could log in")
            continue
        first = users[0]
        client = nation.sessions[first]
        client.get(page.url(first), secure=True)  # warm-up: caches, plans
        for n in range(args.runs):
            username = users[n % len(users)]
            client = nation.sessions[username]
            url = page.url(username)
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(url, secure=True)
                page.times.append(time.perf_counter() - start)
            page.queries = max(page.queries, len(captured.captured_queries))
            if response.status_code != 200:
                page.failures.append(f"{url}: HTTP {response.status_code}")
            if args.explain:
                worst = max(captured.captured_queries, key=lambda q: float(q["time"]))
                if float(worst["time"]) > page.worst[0]:
                    page.worst = (float(worst["time"]), worst["sql"])
        print(report_line(page.name, page.times, page.target_ms, page.queries), flush=True)
        if args.explain and page.worst[1]:
            print(f"    slowest query {page.worst[0] * 1000:.0f} ms: {page.worst[1][:1500]}")

    print()
    ok = True
    login = Page("đăng nhập (mật khẩu + TOTP)", 300, lambda u: "")
    login.times = nation.login_times
    login.failures = nation.login_failures
    print(f"{'trang':44} {'p50 ms':>8} {'p95 ms':>8} {'truy vấn':>9} {'mục tiêu':>9}")
    for page in [login, *pages]:
        if not page.times:
            print(f"{page.name:44} {'—':>8} {'—':>8}", "; ".join(page.failures[:2]))
            ok = False
            continue
        print(report_line(page.name, page.times, page.target_ms, page.queries))
        p95 = percentile([t * 1000 for t in page.times], 95)
        if page.failures or p95 > page.target_ms:
            ok = False
        for failure in page.failures[:3]:
            print(f"    ! {failure}")
    print("\nkết luận:", "đạt mọi mục tiêu" if ok else "CÓ TRANG CHƯA ĐẠT")
    return 0 if ok else 1


def report_line(name: str, times: list[float], target: float, queries: int) -> str:
    ms = [t * 1000 for t in times]
    p50, p95 = percentile(ms, 50), percentile(ms, 95)
    verdict = "ok" if p95 <= target else "CHẬM"
    return f"{name:44} {p50:8.1f} {p95:8.1f} {queries:9d} {target:7.0f}ms {verdict}"


def national_user(nation: Nation) -> str:
    """``<prefix>.tw.bts``: board staff of every province (the national organisation
    board's view), made here with the password and TOTP key of the generated accounts."""
    from django.contrib.auth.hashers import make_password

    from dangvien.accounts.models import AuthenticatorApp, Role, RoleAssignment, User
    from dangvien.organisations.models import Organisation

    prefix = nation.accounts[0]["username"].split(".")[0]
    username = f"{prefix}.tw.bts"
    user, created = User.objects.get_or_create(
        username=username, defaults={"display_name": "Ban Tổ chức Trung ương (đo)"}
    )
    if created:
        user.password = make_password(nation.args.password)
        user.save(update_fields=["password"])
        roots = Organisation.objects.filter(parent__isnull=True)
        RoleAssignment.objects.bulk_create(
            RoleAssignment(user=user, organisation=root, role=Role.BOARD_STAFF) for root in roots
        )
        AuthenticatorApp.objects.create(
            user=user, name="bench", key=nation.args.totp_key, confirmed=True
        )
    return username


if __name__ == "__main__":
    sys.exit(main())
