"""Prepare the users and the plan of a load run (bench/load.sh; issue 9 "Load").

    .venv/bin/python bench/load_users.py --count 50 --out /tmp/plan.json \
        [--templates demo.xa,demo.chibo,...] [--templates-file users.txt] [--password P]

On the database of DATABASE_URL (with the settings of the environment: run it with the
same encryption keys as the server), for i = 1..count:

- creates or resets the user ``bench.load.<i>`` with the roles of a template user (the
  templates taken in turn: by default the demo users; on a generated nation, a file of
  its commune and branch users), the password given, and one confirmed TOTP device
  whose secret goes into the plan: the locust users pass the real second factor, as
  every user of a deciding role must (accounts: SECOND_FACTOR_CAPABILITIES);
- writes into the plan, per user, what the mix of bench/locustfile.py needs from the
  user's scope: the home node, some branches, some members and their names for searches,
  and a list of (member, month) slots where a self-review of a probationary member
  (mẫu 10-KNĐ) can be filed, so the one write of the mix never collides with another
  user's or an earlier run's (each slot is given to one user only).

The plan holds passwords and TOTP secrets of bench accounts: it is written 0600 and
belongs in a scratch folder. Run it again before each run: it resets the users, drops the
devices of the last run and recomputes the free slots.
"""

import argparse
import json
import os
import random
import secrets
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TEMPLATES = "demo.xa,demo.chibo,demo.coso,demo.lanhdao,demo.tinh"
PREFIX = "bench.load."
MEMBERS_PER_USER = 200
NAMES_PER_USER = 40
BRANCHES_PER_USER = 20
WRITES_PER_USER = 400


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=50, help="users to prepare (50)")
    parser.add_argument("--templates", default=DEFAULT_TEMPLATES, help="comma-separated")
    parser.add_argument(
        "--templates-file", type=Path, help="template user names, one a line (overrides)"
    )
    parser.add_argument("--password", default="", help="default: a random one")
    parser.add_argument("--out", type=Path, required=True, help="the plan (JSON)")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangvien.settings")
    import django

    django.setup()


def free_self_review_slots(members: list[Any], today: date) -> list[tuple[int, str]]:
    """(member id, "mm/yyyy") of every self-review period of these probationary members
    that has begun, lies within the 12 months and has no self-review yet."""
    from dangvien.core.dates import add_months, month_start
    from dangvien.members.models import ProbationReport, ReportKind
    from dangvien.members.queries import probation as q

    filed = set(
        ProbationReport.objects.filter(
            member__in=[m.pk for m in members], kind=ReportKind.SELF
        ).values_list("member_id", "period")
    )
    slots = []
    for member in members:
        if member.probation_started_on is None:
            continue
        interval = q.report_interval(member)
        period = month_start(member.probation_started_on)
        last = min(q.last_period(member, interval), q.period_of(member, today, interval))
        while period <= last:
            if (member.pk, period) not in filed:
                slots.append((member.pk, f"{period:%m/%Y}"))
            period = add_months(period, interval)
    return slots


def scope_plan(template: Any, rng: random.Random, today: date) -> dict[str, Any]:
    """What a user with ``template``'s roles reaches, sampled for the mix."""
    from dangvien.members.models import Status
    from dangvien.members.moves import role_allows
    from dangvien.members.queries import visible_members
    from dangvien.organisations.models import Kind
    from dangvien.organisations.queries import units_managed_by, visible_organisations

    home = units_managed_by(template).first()
    branches = list(
        visible_organisations(template)
        .filter(kind__in=[Kind.BRANCH, Kind.GRASSROOTS_BRANCH])
        .order_by()
        .values_list("pk", flat=True)[:2000]
    )
    members = visible_members(template).order_by()
    ids = list(members.values_list("pk", flat=True)[:20000])
    sample = rng.sample(ids, min(len(ids), MEMBERS_PER_USER))
    names = list(
        members.filter(pk__in=sample[:NAMES_PER_USER]).values_list(
            "person__family_name", "person__middle_name", "person__given_name"
        )
    )
    probationary = list(
        members.filter(status=Status.PROBATIONARY).select_related("branch", "person")[:3000]
    )
    writable = [m for m in probationary if role_allows(template, m, "file-self-review")]
    slots = free_self_review_slots(writable, today)
    rng.shuffle(slots)
    return {
        "home": home.pk if home else None,
        "branches": rng.sample(branches, min(len(branches), BRANCHES_PER_USER)),
        "members": sample,
        "names": [" ".join(part for part in name if part) for name in names],
        "slots": slots,
    }


def reset_user(username: str, template: Any, password: str) -> str:
    """The bench user with ``template``'s active roles and a fresh TOTP device; the
    device's secret (hex)."""
    from django_otp.plugins.otp_static.models import StaticDevice

    from dangvien.accounts.models import AuthenticatorApp, RoleAssignment, User

    user = User.objects.filter(username=username).first() or User(username=username)
    user.display_name = f"Người dùng thử tải {username.removeprefix(PREFIX)}"
    user.is_active = True
    user.set_password(password)
    user.save()
    RoleAssignment.objects.filter(user=user).delete()
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=user, organisation_id=r.organisation_id, role=r.role, since=r.since)
        for r in RoleAssignment.objects.filter(user=template, active=True)
    )
    AuthenticatorApp.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    key = secrets.token_hex(20)
    AuthenticatorApp.objects.create(user=user, name="Thử tải", key=key, confirmed=True)
    return key


def main() -> None:
    args = parse_args()
    setup_django()
    from django.db import transaction
    from django.utils import timezone

    from dangvien.accounts.models import User
    from dangvien.candidates.models import Stage

    if args.templates_file:
        names = [n.strip() for n in args.templates_file.read_text().splitlines() if n.strip()]
    else:
        names = [n.strip() for n in args.templates.split(",") if n.strip()]
    templates = list(User.objects.filter(username__in=names, roles__active=True).distinct())
    templates.sort(key=lambda u: names.index(u.username))
    if not templates:
        sys.exit(f"load_users: none of the template users exists with a role: {names}")
    missing = sorted(set(names) - {t.username for t in templates})
    if missing:
        print(f"load_users: skipped (no such user or no role): {', '.join(missing)}")

    templates = templates[: args.count]  # more templates than users: the first ones serve
    rng = random.Random(args.seed)
    today = timezone.localdate()
    password = args.password or secrets.token_urlsafe(18)
    plans = {t.pk: scope_plan(t, rng, today) for t in templates}
    # Each template's free slots are dealt out to its bench users, none given twice.
    users_of: dict[int, list[int]] = defaultdict(list)
    for i in range(args.count):
        users_of[templates[i % len(templates)].pk].append(i)
    share: dict[int, list[tuple[int, str]]] = {}
    for template_pk, indexes in users_of.items():
        slots = plans[template_pk]["slots"]
        for n, i in enumerate(indexes):
            share[i] = slots[n :: len(indexes)][:WRITES_PER_USER]

    # The candidate list's stage filter: every stage and "active" (those still followed).
    stages = ["active", *Stage.values]
    users = []
    with transaction.atomic():
        for i in range(args.count):
            template = templates[i % len(templates)]
            username = f"{PREFIX}{i + 1:03d}"
            key = reset_user(username, template, password)
            plan = plans[template.pk]
            users.append(
                {
                    "username": username,
                    "template": template.username,
                    "totp_key": key,
                    "home": plan["home"],
                    "branches": plan["branches"],
                    "members": plan["members"],
                    "names": plan["names"],
                    "writes": share[i],
                }
            )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump({"password": password, "stages": stages, "users": users}, out, ensure_ascii=False)
    per_template = ", ".join(
        f"{t.username}: {len(users_of[t.pk])} users, {len(plans[t.pk]['members'])} members, "
        f"{len(plans[t.pk]['slots'])} free report slots"
        for t in templates
        if users_of[t.pk]
    )
    print(f"load_users: {args.count} users ready ({per_template}); plan in {args.out}")


if __name__ == "__main__":
    main()
