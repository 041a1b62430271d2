"""Fixtures shared by the apps' tests."""

from typing import Any

import pytest

from dangvien.factories import tree_2025
from dangvien.organisations.models import Organisation


@pytest.fixture
def tree(db: Any) -> dict[str, Organisation]:
    """The 2025-style test tree of ``factories.tree_2025`` (province, two communes, …)."""
    return tree_2025()
