"""``manage.py rowsecurity_bench``: what row-level security costs, on this database.

Run as the tables' owner against a large database (``generate_nation``), e.g.::

    DATABASE_URL=postgresql://… manage.py rowsecurity_bench --repeat 30

Inside one transaction that is rolled back at the end it creates the application's role
(as ``grant_app_role --create`` does) and three users (a commune, a province, the whole
country), then times the queries of the list and detail pages with the scope filter the
pages use (``in_scope``), first as the owner (no policies), then as the application's role
with the user's scope; and the per-request work of the middleware (computing the scope,
setting it, clearing it). Prints medians and 95th percentiles in milliseconds. Nothing is
left behind.
"""

import statistics
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.db.models import Q
from django.test.utils import override_settings

from dangvien.rowsecurity import roles, scope


def _timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float]:
    fn()  # warm the cache and the plan
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    runs.sort()
    return statistics.median(runs), runs[min(len(runs) - 1, int(len(runs) * 0.95))]


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Đo chi phí của bảo mật theo dòng (PostgreSQL) trên cơ sở dữ liệu hiện tại."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeat", type=int, default=30)
        parser.add_argument("--search", default="nguyen van an")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("Chỉ dùng với PostgreSQL.")
        try:
            # No query log (DEBUG): it would be timed too.
            with override_settings(DEBUG=False), transaction.atomic():
                self._run(options["repeat"], options["search"])
                raise _Rollback
        except _Rollback:
            pass

    def _run(self, repeat: int, search: str) -> None:
        from dangvien.accounts.models import Role, RoleAssignment, User
        from dangvien.candidates.models import Candidate
        from dangvien.members.models import Member
        from dangvien.members.queries import counts_by_child, filter_members
        from dangvien.organisations.models import Kind, Organisation
        from dangvien.organisations.queries import in_scope

        role = settings.DB_APP_ROLE
        roles.grant(connection, role, create=True)
        commune = Organisation.objects.filter(kind=Kind.COMMUNE).order_by("path").first()
        province = Organisation.objects.filter(kind=Kind.PROVINCE).order_by("path").first()
        if commune is None or province is None:
            raise CommandError("No province or commune: generate a nation first.")
        nodes = {"commune": commune, "province": province, "nation": province}
        users = {}
        for name in ("commune", "province"):
            user = User.objects.create(username=f"rls-bench-{name}")
            RoleAssignment.objects.create(user=user, organisation=nodes[name], role=Role.LEADER)
            users[name] = user
        users["nation"] = User.objects.create(username="rls-bench-nation", is_superuser=True)
        first = Member.objects.filter(org_path__startswith=commune.path).first()
        member_pk = first.pk if first else 0

        def page(rows: Any) -> Callable[[], Any]:
            return lambda: (rows.count(), list(rows[:50]))

        def queries(name: str) -> dict[str, Callable[[], Any]]:
            # The scope filter the pages use (``in_scope``); the national user has no
            # role: their page for one province filters on its path.
            user, node = users[name], nodes[name]
            scoped = in_scope(user, "org_path") if name != "nation" else None
            members = Member.objects.filter(scoped or Q(org_path__startswith=node.path))
            members = members.select_related("person", "branch").order_by("person__sort_key", "pk")
            candidates = Candidate.objects.filter(scoped or Q(org_path__startswith=node.path))
            candidates = candidates.select_related("person", "branch").order_by(
                "person__sort_key", "pk"
            )
            return {
                "member list (count + 50 by name)": page(members),
                "member list, name search": page(filter_members(members, q=search)),
                "member list, one commune": page(filter_members(members, organisation=commune)),
                "member page (by id)": lambda: list(members.filter(pk=member_pk)),
                "candidate list (count + 50)": page(candidates),
                "members per child (statistics)": lambda: counts_by_child(node),
            }

        self._line(f"repeat {repeat}; median / p95 in ms; app role {role}")
        self._line(f"{'user':9} {'query':34} {'owner':>16} {'app role + RLS':>16}")
        for name, user in users.items():
            value = scope.scope_for(user)
            for label, fn in queries(name).items():
                owner = _timed(fn, repeat)
                with scope.with_scope(value), _as(role):
                    app = _timed(fn, repeat)
                self._line(
                    f"{name:9} {label:34} {owner[0]:7.2f} / {owner[1]:6.2f} "
                    f"{app[0]:7.2f} / {app[1]:6.2f}"
                )
        branch = Organisation.objects.filter(kind=Kind.BRANCH).order_by("path").first()
        if branch is None:
            raise CommandError("No chi bộ: generate a nation first.")
        users["branch"] = User.objects.create(username="rls-bench-branch")
        RoleAssignment.objects.create(user=users["branch"], organisation=branch, role=Role.LEADER)
        self._per_request(users, repeat * 20)

    def _line(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def _per_request(self, users: dict[str, Any], repeat: int) -> None:
        def one_statement() -> None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")

        def middleware(user: Any) -> Callable[[], None]:
            def run() -> None:
                scope.apply_user(user)  # computes the scope and sets it: one statement
                scope.clear()  # one statement

            return run

        self._line("per request (the middleware's own work):")
        for label, fn in (
            ("a round trip (SELECT 1), for scale", one_statement),
            ("set + clear, commune user", middleware(users["commune"])),
            ("set + clear, chi bộ user (widened)", middleware(users["branch"])),
            ("set + clear, superuser (*)", middleware(users["nation"])),
        ):
            median, p95 = _timed(fn, repeat)
            self._line(f"  {label:44} {median:6.3f} / {p95:6.3f}")


class _as:
    """``SET ROLE`` for the block."""

    def __init__(self, role: str) -> None:
        self.role = role

    def __enter__(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('role', %s, false)", [self.role])

    def __exit__(self, *exc: Any) -> None:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
