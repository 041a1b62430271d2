"""The load mix of issue 9: commune and branch staff at work (run by bench/load.sh).

Each locust user takes one prepared account of the plan (bench/load_users.py; the file in
``LOAD_PLAN``), logs in with its password and, when asked, the TOTP code of its device
(computed here, RFC 6238), then loops over a realistic mix with a think time between
pages (``WAIT_MIN``..``WAIT_MAX`` seconds, default 1..5):

| weight | page                                                        |
| ------ | ----------------------------------------------------------- |
| 3      | home: the to-do list                                        |
| 2      | candidates, filtered by stage (and sometimes by branch)     |
| 2      | members, filtered by status and branch                      |
| 2      | members, searched by name (accents typed or not)            |
| 3      | a member's page                                             |
| 1      | statistics: the achievement dashboard of the home node      |
| 1      | statistics: the structure table of the home node            |
| 1      | the one write: a probationary member's self-review filed   |

At the end it prints p50 / p95 / p99 per page and overall, the errors, and sets the exit
status to 1 when a request failed or the overall p95 is above ``P95_LIMIT_MS`` (500).
"""

import hashlib
import hmac
import html
import itertools
import json
import os
import random
import re
import struct
import time
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from locust import HttpUser, between, events, task
from locust.env import Environment

PLAN = json.loads(Path(os.environ.get("LOAD_PLAN", "plan.json")).read_text())
ACCOUNTS = itertools.cycle(PLAN["users"])
STAGES = PLAN.get("stages") or ["active"]
WAIT_MIN = float(os.environ.get("WAIT_MIN", "1"))
WAIT_MAX = float(os.environ.get("WAIT_MAX", "5"))
P95_LIMIT_MS = float(os.environ.get("P95_LIMIT_MS", "500"))

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LOGIN = "/dang-nhap/"
SECOND_FACTOR = "/xac-thuc/"


def totp(key_hex: str, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """The TOTP code of an authenticator app (HMAC-SHA1, 30 s, 6 digits, t0 = 0)."""
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def fold(text: str) -> str:
    """ "Nguyễn Văn Đức" → "nguyen van duc": how many users type names."""
    text = text.replace("đ", "d").replace("Đ", "D")
    plain = unicodedata.normalize("NFD", text)
    return "".join(c for c in plain if not unicodedata.combining(c)).lower()


def csrf_token(page: str) -> str:
    found = CSRF.search(page)
    return html.unescape(found.group(1)) if found else ""


class Staff(HttpUser):
    """One member of staff of a commune, a grassroots committee, a branch or a province."""

    wait_time = between(WAIT_MIN, WAIT_MAX)

    def on_start(self) -> None:
        self.account: dict[str, Any] = next(ACCOUNTS)
        self.writes: list[list[Any]] = list(self.account["writes"])
        self.log_in()

    # ---- logging in ----------------------------------------------------------------------

    def log_in(self) -> None:
        page = self.client.get(LOGIN, name="login page")
        with self.client.post(
            LOGIN,
            data={
                "username": self.account["username"],
                "password": PLAN["password"],
                "csrfmiddlewaretoken": csrf_token(page.text),
            },
            headers={"Referer": f"{self.host}{LOGIN}"},
            name="login",
            catch_response=True,
        ) as response:
            if LOGIN in response.url:
                response.failure("password refused")
                return
        if SECOND_FACTOR in response.url:
            self.second_factor(response.url, response.text)

    def second_factor(self, url: str, page: str) -> None:
        with self.client.post(
            url,
            data={"code": totp(self.account["totp_key"]), "csrfmiddlewaretoken": csrf_token(page)},
            headers={"Referer": url},
            name="second factor",
            catch_response=True,
        ) as response:
            if SECOND_FACTOR in response.url:
                response.failure("TOTP code refused")

    # ---- pages -----------------------------------------------------------------------------

    def page(self, url: str, name: str) -> str:
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif LOGIN in response.url or SECOND_FACTOR in response.url:
                response.failure("sent back to the login")
            return str(response.text)

    @task(3)
    def home(self) -> None:
        self.page("/", "home (to-do)")

    @task(2)
    def candidates(self) -> None:
        query = f"?stage={random.choice(STAGES)}"
        if self.account["branches"] and random.random() < 0.3:
            query += f"&organisation={random.choice(self.account['branches'])}"
        self.page(f"/quan-chung/{query}", "candidates (filtered)")

    @task(2)
    def members(self) -> None:
        status = random.choice(["", "official", "probationary"])
        query = f"?status={status}"
        if self.account["branches"]:
            query += f"&organisation={random.choice(self.account['branches'])}"
        self.page(f"/dang-vien/{query}", "members (filtered)")

    @task(2)
    def search(self) -> None:
        if not self.account["names"]:
            return
        name = random.choice(self.account["names"])
        words = name.split()
        typed = random.choice([name, fold(name), fold(" ".join(words[-2:]))])
        self.page("/dang-vien/?" + urlencode({"q": typed}), "members (name search)")

    @task(3)
    def member(self) -> None:
        if self.account["members"]:
            self.page(f"/dang-vien/{random.choice(self.account['members'])}/", "member detail")

    @task(1)
    def dashboard(self) -> None:
        if self.account["home"]:
            self.page(f"/thong-ke/{self.account['home']}/", "stats dashboard")

    @task(1)
    def structure(self) -> None:
        if self.account["home"]:
            self.page(f"/thong-ke/{self.account['home']}/co-cau/", "stats structure")

    @task(1)
    def file_self_review(self) -> None:
        """Open a probationary member's page and file a self-review for a free month."""
        if not self.writes:
            return self.member()
        member, period = self.writes.pop()
        detail = self.page(f"/dang-vien/{member}/", "member detail")
        prefix = "file-self-review"
        url = f"/dang-vien/{member}/{prefix}/"
        with self.client.post(
            url,
            data={
                "csrfmiddlewaretoken": csrf_token(detail),
                f"{prefix}-period": period,
                # Today where the app counts days (TIME_ZONE), not on this machine.
                f"{prefix}-filed_on": datetime.now(VIETNAM).date().isoformat(),
                f"{prefix}-assessment": random.choice(["good", "fair"]),
                f"{prefix}-text": "Tự kiểm điểm trong kỳ: chấp hành tốt nhiệm vụ được giao.",
            },
            headers={"Referer": f"{self.host}/dang-vien/{member}/"},
            name="file self-review (write)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                message = re.findall(r'class="errorlist[^"]*"[^>]*>\s*<li>([^<]+)', response.text)
                response.failure(f"HTTP {response.status_code}: {message[:1]}")
        return None


# ---- the summary and the verdict ------------------------------------------------------------


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


@events.quitting.add_listener
def summary(environment: Environment, **_: Any) -> None:
    stats = environment.stats
    rows = sorted(stats.entries.values(), key=lambda e: (e.name, e.method or ""))
    print()
    print(f"{'page':<32} {'requests':>9} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>7}")
    for entry in [*rows, stats.total]:
        if entry is stats.total:
            print("-" * 78)
        print(
            f"{entry.name[:32]:<32} {entry.num_requests:>9} {entry.num_failures:>5} "
            f"{_ms(entry.get_response_time_percentile(0.50)):>6} "
            f"{_ms(entry.get_response_time_percentile(0.95)):>6} "
            f"{_ms(entry.get_response_time_percentile(0.99)):>6} "
            f"{_ms(entry.max_response_time):>7}"
        )
    total = stats.total
    seconds = max((total.last_request_timestamp or 0) - (total.start_time or 0), 1)
    print(f"(milliseconds; {total.num_requests / seconds:.1f} requests/s over {seconds:.0f} s)")
    for error in stats.errors.values():
        print(f"ERROR {error.occurrences}x {error.method} {error.name}: {error.error}")
    p95 = total.get_response_time_percentile(0.95) or 0
    failed = total.num_failures > 0
    slow = p95 > P95_LIMIT_MS
    verdict = "FAIL" if failed or slow else "PASS"
    print(
        f"{verdict}: {total.num_failures} failed requests; overall p95 {p95:.0f} ms "
        f"(limit {P95_LIMIT_MS:.0f} ms)"
    )
    environment.process_exit_code = 1 if failed or slow else 0
