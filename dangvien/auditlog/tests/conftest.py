"""The cast of the auditlog tests: auditors at a commune and at the province."""

from typing import Any

import pytest

from dangvien.accounts.models import Role, User
from dangvien.factories import user_with_role
from dangvien.organisations.models import Organisation


@pytest.fixture(autouse=True)
def _no_second_factor(settings: Any) -> None:
    """These tests log in with ``force_login``; the second factor has its own tests."""
    settings.SECOND_FACTOR_REQUIRED = False


@pytest.fixture
def commune_auditor(tree: dict[str, Organisation]) -> User:
    return user_with_role(Role.AUDITOR, tree["commune"], username="kiemtra.xa")


@pytest.fixture
def province_auditor(tree: dict[str, Organisation]) -> User:
    return user_with_role(Role.AUDITOR, tree["province"], username="kiemtra.tinh")
