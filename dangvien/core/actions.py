"""The shape every write takes: one transaction, attributed to the acting user."""

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from django.db import transaction

from dangvien.core import audit
from dangvien.rowsecurity.scope import unrestricted

P = ParamSpec("P")
R = TypeVar("R")


def action(fn: Callable[P, R]) -> Callable[P, R]:
    """Run a domain action in one transaction, its writes audited as ``by``.

    Every action takes the acting user as the keyword ``by``; if any rule refuses half way,
    the transaction rolls back and nothing is left half-written.
    """

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        by: Any = kwargs.get("by")
        with transaction.atomic(), audit.acting_as(by), unrestricted():
            return fn(*args, **kwargs)

    return wrapper
