"""scripts/backup-drill: dump, drop, restore and compare a scratch copy of the test database.

PostgreSQL only: the drill drives pg_dump, pg_restore and psql. The scratch database is a
copy of the test database (its whole schema: audit triggers, row-level security policies)
with a few members committed in it, on the test server; the test drops it at the end.
"""

import re
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.db import connection, connections

from dangvien.factories import make_member, org
from dangvien.organisations.models import Kind

DRILL = Path(settings.BASE_DIR) / "scripts" / "backup-drill"

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def server_url(database: str) -> str:
    """A libpq URL for ``database`` on the test server, as the test's user."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    host = quote(db["HOST"] or "localhost", safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgresql://{user}{password}@{host}{port}/{database}"


@pytest.fixture
def scratch() -> Iterator[str]:
    """A copy of the test database with 12 members in it; its URL."""
    commune = org(Kind.COMMUNE, org(Kind.PROVINCE, name="Tỉnh ủy Diễn Tập"))
    branch = org(Kind.BRANCH, commune, name="Chi bộ thôn Diễn Tập")
    for _ in range(12):
        make_member(branch=branch)
    name = f"drill_{uuid.uuid4().hex[:10]}"
    template = connection.settings_dict["NAME"]
    connections.close_all()  # CREATE DATABASE … TEMPLATE needs the template to itself
    with psycopg.connect(server_url("postgres"), autocommit=True) as server:
        server.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        try:
            yield server_url(name)
        finally:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def drill(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(DRILL), *args],
        env={"DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def line_of(output: str, what: str) -> str:
    found = [line for line in output.splitlines() if line.startswith(what + " ")]
    assert found, f"{what!r} not in the drill's table:\n{output}"
    return found[0]


def test_the_drill_restores_the_database_as_it_was_and_says_so(
    scratch: str, tmp_path: Path
) -> None:
    result = drill(scratch, "--yes", "--keep", str(tmp_path / "kept"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"rows public\.members_member\s+12\s+12\s+ok", result.stdout)
    members = line_of(result.stdout, "md5 members_member").split()
    assert members[2] == members[3] and re.fullmatch(r"[0-9a-f]{32}", members[2])
    assert line_of(result.stdout, "md5 people_person").endswith("ok")
    assert "0 different" in result.stdout
    assert (tmp_path / "kept" / "dangvien.dump").stat().st_size > 0


def test_a_restore_that_differs_from_the_manifest_fails_naming_the_table(
    scratch: str, tmp_path: Path
) -> None:
    kept = tmp_path / "kept"
    assert drill(scratch, "--yes", "--keep", str(kept)).returncode == 0
    manifest = kept / "manifest.tsv"
    text = manifest.read_text()
    assert "rows\tpublic.members_member\t12\n" in text
    manifest.write_text(
        text.replace("rows\tpublic.members_member\t12\n", "rows\tpublic.members_member\t13\n")
    )

    result = drill(scratch, "--yes", "--restore", str(kept))

    assert result.returncode == 1
    assert re.search(r"rows public\.members_member\s+13\s+12\s+DIFFERENT", result.stdout)
    assert "1 different" in result.stdout


def test_the_drill_refuses_to_drop_a_database_unattended_without_yes(scratch: str) -> None:
    result = subprocess.run(
        [str(DRILL)],
        env={"DATABASE_URL": scratch, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert result.returncode == 1
    assert "--yes" in result.stderr
    assert "DROP DATABASE" not in result.stderr
