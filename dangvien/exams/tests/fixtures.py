"""Fixtures shared by the exams tests and the exams API tests: ``exams/tests/conftest.py``
and ``api/tests/conftest.py`` import them (plain helpers stay in the ``factories*``
modules)."""

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from dangvien.accounts.models import Role, User
from dangvien.exams.tests import factories_rounds
from dangvien.factories import user_with_role
from dangvien.organisations.models import Organisation


@pytest.fixture
def clear_cache() -> Iterator[None]:
    """An empty cache before and after the test (code attempts are counted there); a
    module asks for it with ``pytestmark = pytest.mark.usefixtures("clear_cache")``."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff(tree: dict[str, Organisation]) -> User:
    """Organisation board staff of the commune committee: keeps the commune's bank and runs
    its rounds."""
    return user_with_role(Role.BOARD_STAFF, tree["commune"])


@pytest.fixture
def committee(tree: dict[str, Organisation]) -> User:
    """The commune committee's board staff, by name (``factories_rounds.staff``)."""
    return factories_rounds.staff(tree["commune"])
