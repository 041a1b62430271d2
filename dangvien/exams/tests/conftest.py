"""Fixtures of the exams tests; those the API tests share live in ``fixtures.py``."""

import pytest

from dangvien.accounts.models import User
from dangvien.exams.tests.factories_rounds import grassroots_board

# Fixtures (pytest finds them by name here).
from dangvien.exams.tests.fixtures import clear_cache, committee, staff  # noqa: F401
from dangvien.organisations.models import Organisation


@pytest.fixture
def board(tree: dict[str, Organisation]) -> list[User]:
    """Two grassroots staff of the school: a round's board."""
    return grassroots_board(tree["school"])
