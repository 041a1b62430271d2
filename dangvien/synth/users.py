"""Accounts to log in to the generated nation with (the benchmarks' users)."""

import csv
from pathlib import Path
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import make_password

from dangvien.accounts.models import AuthenticatorApp, Role, RoleAssignment, User

if TYPE_CHECKING:
    from dangvien.synth.nation import NodeInfo, Plan, ProvinceInfo


def make_users(plan: "Plan", provinces: list["ProvinceInfo"]) -> list[tuple[str, str, str, str]]:
    """A board-staff and a leader account for each province; for a few communes of each,
    board staff, a leader, a branch secretary and grassroots staff (for the benchmarks).
    One password hash for all of them: hashing each would take minutes at 1,000,000
    PBKDF2 rounds, and these are test accounts."""
    options = plan.options
    encoded = make_password(options.password)
    specs: list[tuple[str, str, str, NodeInfo]] = []  # username, display name, role, node
    for province in sorted(provinces, key=lambda p: p.index):
        top = province.top
        base = f"{options.prefix}.t{province.index + 1:02d}"
        specs.append((f"{base}.bts", f"Ban Tổ chức {top.name}", Role.BOARD_STAFF, top))
        specs.append((f"{base}.ld", f"Lãnh đạo {top.name}", Role.LEADER, top))
        for k, (commune, branch, gc) in enumerate(province.user_units):
            cbase = f"{base}.x{k + 1:02d}"
            specs.append((f"{cbase}.bts", f"Ban Tổ chức {commune.name}", Role.BOARD_STAFF, commune))
            specs.append((f"{cbase}.ld", f"Lãnh đạo {commune.name}", Role.LEADER, commune))
            if branch is not None:
                specs.append(
                    (f"{cbase}.cb", f"Bí thư {branch.name}", Role.BRANCH_SECRETARY, branch)
                )
            if gc is not None:
                specs.append((f"{cbase}.cs", f"Văn phòng {gc.name}", Role.GRASSROOTS_STAFF, gc))
    users = User.objects.bulk_create(
        [User(username=u, display_name=d, password=encoded) for u, d, _r, _n in specs]
    )
    since = plan.today.replace(month=1, day=1)
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=user, organisation_id=node.id, role=role, since=since)
        for user, (_u, _d, role, node) in zip(users, specs, strict=True)
    )
    if options.totp_key:
        # Each row's key is encrypted on insert (an EncryptedTextField: bulk_create too).
        AuthenticatorApp.objects.bulk_create(
            AuthenticatorApp(
                user=user, name="generate_nation", key=options.totp_key, confirmed=True
            )
            for user in users
        )
    return [(u, r, node.path, node.name) for u, _d, r, node in specs]


def write_users_file(path: Path, users: list[tuple[str, str, str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["username", "role", "org_path", "organisation"])
        writer.writerows(users)
