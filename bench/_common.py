"""What the benchmark scripts share: Django on a scratch database, timing, query counts.

The scripts run as files (``.venv/bin/python bench/exam_papers.py``), so Python puts this
folder on ``sys.path`` and they import this module as ``_common``; ``setup_django`` puts
the repository root there too, for ``dangvien``.
"""

import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def setup_django(prefix: str) -> str:
    """Set Django up and migrate its database; return the scratch folder ("" if none).

    Without ``DATABASE_URL`` the database is SQLite in a new temporary folder named
    ``<prefix>…``; with it, that database (empty or disposable) is migrated as it is.
    """
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    scratch = ""
    if not os.environ.get("DATABASE_URL"):
        scratch = tempfile.mkdtemp(prefix=prefix)
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangvien.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return scratch


@contextmanager
def timed(label: str, figures: dict[str, float]) -> Iterator[None]:
    """Store in ``figures[label]`` the seconds the block took."""
    start = time.perf_counter()
    yield
    figures[label] = time.perf_counter() - start


def count_queries(call: Callable[[], Any]) -> tuple[Any, int]:
    """What ``call()`` returns and how many database queries it made."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        result = call()
    return result, len(captured.captured_queries)
