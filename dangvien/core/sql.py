"""Raw SQL run by the modules that install database triggers (admission facts, the name
dictionary): their statements differ, the way they are run does not."""

from collections.abc import Iterable
from typing import Any


def execute_all(connection: Any, statements: Iterable[str]) -> None:
    """Run ``statements`` in order on one cursor of ``connection``."""
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
