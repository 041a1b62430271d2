"""Files users upload (signed scans, import files), kept outside the web root.

Every file is written under ``settings.UPLOADS_DIR / folder`` with a random name (never
the user's name, so no path tricks and no guessing), read back only by views that have
checked the user's scope first. Contents are never executed or served inline.
"""

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from dangvien.core.errors import DomainError

CHUNK = 1024 * 1024


class UploadRefused(DomainError):
    code = "invalid"


@dataclass(frozen=True)
class Stored:
    name: str  # the random file name under the folder
    size: int
    sha256: str


def folder_path(folder: str) -> Path:
    path = Path(settings.UPLOADS_DIR) / folder
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(folder: str, name: str) -> Path:
    """Where a stored file lives. ``name`` comes from our own rows; it is checked anyway."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise FileNotFoundError(name)
    return folder_path(folder) / name


def store(chunks: Iterable[bytes], folder: str, *, suffix: str, max_bytes: int) -> Stored:
    """Write ``chunks`` to a new random file; refuse (and leave nothing) past ``max_bytes``."""
    name = secrets.token_hex(16) + suffix
    target = path_of(folder, name)
    digest = hashlib.sha256()
    size = 0
    try:
        with open(target, "xb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise UploadRefused(
                        f"Tệp quá lớn: tối đa {max_bytes // (1024 * 1024)} MB.", field="file"
                    )
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return Stored(name, size, digest.hexdigest())


def remove(folder: str, name: str) -> None:
    path_of(folder, name).unlink(missing_ok=True)
