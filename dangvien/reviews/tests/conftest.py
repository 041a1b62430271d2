"""Fixtures the review tests share: today pinned to the test module's ``TODAY``, the
province's yearly period and the users who act in it."""

from typing import Any

import pytest
from django.utils import timezone

from dangvien.accounts.models import Role, User
from dangvien.factories import user_with_role
from dangvien.organisations.models import Organisation
from dangvien.reviews.models import ReviewPeriod
from dangvien.reviews.tests.factories import make_period

Tree = dict[str, Organisation]


@pytest.fixture(autouse=True)
def _today(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """``timezone.localdate()`` is the module's ``TODAY`` in a module that sets one (the
    review dates are checked against today); other modules keep the real date."""
    today: Any = getattr(request.module, "TODAY", None)
    if today is not None:
        monkeypatch.setattr(timezone, "localdate", lambda *a: today)


@pytest.fixture
def period(tree: Tree) -> ReviewPeriod:
    """The yearly period of 2026 opened at the province: it covers the whole test tree."""
    return make_period(tree["province"], 2026)


@pytest.fixture
def secretary(tree: Tree) -> User:
    """Secretary of the village chi bộ (thôn Đông): fills its review sheet."""
    return user_with_role(Role.BRANCH_SECRETARY, tree["village"])


@pytest.fixture
def commune_staff(tree: Tree) -> User:
    """The commune decides the ratings of the chi bộ directly under it (thôn Đông)."""
    return user_with_role(Role.GRASSROOTS_STAFF, tree["commune"])
