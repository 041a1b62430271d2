"""Progress of a running import, readable while the task works.

The commit runs in one transaction, so progress written to the job row inside it would stay
invisible to the page until the end. The task writes it instead to a small JSON file,
``UPLOADS_DIR/imports/<job id>.progress``, replaced atomically (write a temporary file,
then ``os.replace``), so a reader sees either the old or the new figures, never half a file.
It works the same on SQLite and PostgreSQL and needs no second database connection. At
most one write a second (and at the end), so a fast task does not spend its time on it.
"""

import json
import os
import time
from collections.abc import Callable
from typing import Any

from dangvien.core.uploads import folder_path

FOLDER = "imports"


def _path(job_id: int) -> Any:
    return folder_path(FOLDER) / f"{job_id}.progress"


def write(job_id: int, phase: str, done: int, total: int) -> None:
    target = _path(job_id)
    temporary = target.with_suffix(".progress.tmp")
    temporary.write_text(json.dumps({"phase": phase, "done": done, "total": total}))
    os.replace(temporary, target)


def read(job_id: int) -> dict[str, Any] | None:
    try:
        data = json.loads(_path(job_id).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def clear(job_id: int) -> None:
    _path(job_id).unlink(missing_ok=True)


def reporter(job_id: int, phase: str, every: float = 1.0) -> Callable[[int, int], None]:
    """A ``(done, total)`` callback that writes at most once every ``every`` seconds, and
    always the last step (done == total)."""
    last = 0.0

    def report(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if done >= total or now - last >= every:
            last = now
            write(job_id, phase, done, total)

    return report
