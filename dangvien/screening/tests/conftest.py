"""Fixtures the screening tests share."""

import pytest

from dangvien.accounts.models import Role, User
from dangvien.factories import user_with_role
from dangvien.organisations.models import Organisation


@pytest.fixture
def secretary(tree: dict[str, Organisation]) -> User:
    """Secretary of the village chi bộ (thôn Đông): holds the ballot and the chi bộ's moves."""
    return user_with_role(Role.BRANCH_SECRETARY, tree["village"])
