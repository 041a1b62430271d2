"""Shared test set-up for the whole suite.

Database: SQLite in memory by default (``dangvien/settings_test.py``); PostgreSQL when
DATABASE_URL points at one, as ``make pg-test`` and ``.ci/run`` do through
``scripts/with-postgres``. Tests marked ``postgres`` are skipped on SQLite.

Browser tests (marker ``browser``) take the ``browser_page`` fixture: a fresh Playwright
page in Debian's Chromium (/usr/bin/chromium, never a downloaded browser), already pointed
at pytest-django's ``live_server``, so ``browser_page.goto("/")`` opens the home page.
They run last, after the fast tests. ``screenshot("step")`` saves a PNG under
``test-artifacts/screens/``; a failing browser test saves one by itself.
"""

import contextlib
import os
import re
from collections.abc import Callable, Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # needed as root (CI); harmless otherwise
    "--disable-gpu",
    # No network here but loopback: stop Chromium's own background calls home.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENS = Path(__file__).resolve().parent / "test-artifacts" / "screens"

_report_key = pytest.StashKey[dict[str, pytest.TestReport]]()


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _database_vendor() -> str:
    from django.db import connection

    return connection.vendor


def pytest_report_header(config: pytest.Config) -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    where = db.get("HOST") or db.get("NAME")
    return f"database: {_database_vendor()} ({where})"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # PostgreSQL-only tests (row locks, ICU collation, PL/pgSQL triggers) skip on SQLite.
    if _database_vendor() != "postgresql":
        skip = pytest.mark.skip(reason="needs PostgreSQL: run `make pg-test`")
        for item in items:
            if item.get_closest_marker("postgres"):
                item.add_marker(skip)
    # Slow browser tests last, so a broken rule shows up before the browser starts.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
    _give_schemathesis_items_their_own_ids(items)


def _give_schemathesis_items_their_own_ids(items: list[pytest.Item]) -> None:
    """schemathesis 4.32 names its items ``test[GET /path]`` but, under pytest 9.2 (which
    builds an item's id from its original name and its parameters), they all get the
    test's bare id. pytest-xdist then keeps one item of the 213 under that id: the API
    check ran one operation only. The operation goes back into the id here, as pytest
    builds it for a parametrized test. ``Node._id`` is pytest's own attribute (pinned)."""
    for item in items:
        if not isinstance(item, pytest.Function) or item.nodeid.endswith("]"):
            continue
        name, bracket, params = item.name.partition("[")
        if bracket and name == item.originalname:
            item._id = item._id.with_params(params.removesuffix("]"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    # Keep each phase's report on the test, so browser_page can tell that it failed.
    report = yield
    item.stash.setdefault(_report_key, {})[report.when] = report
    return report


@pytest.fixture(scope="session")
def chromium_browser() -> Generator["Browser"]:
    """One headless Chromium for the whole run."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: run scripts/ensure-system-deps (Debian: chromium)"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in this thread, which makes
    # Django refuse ORM calls from the test itself. Nothing here is async: allow them.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _file_name(request: pytest.FixtureRequest, suffix: str) -> Path:
    stem = re.sub(r"[^\w.-]+", "-", request.node.name).strip("-")
    SCREENS.mkdir(parents=True, exist_ok=True)
    return SCREENS / f"{stem}-{suffix}.png"


@pytest.fixture
def browser_page(
    chromium_browser: "Browser", live_server: Any, request: pytest.FixtureRequest
) -> Generator["Page"]:
    """A fresh page (own cookies) at a laptop-sized window, with base URL = live_server."""
    # Import every URL module (the API's schema among them) before the first page: on a
    # busy machine that alone takes seconds, most of the browser's step time-out.
    from django.urls import get_resolver

    _ = get_resolver().reverse_dict
    context = chromium_browser.new_context(
        base_url=live_server.url,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        viewport={"width": 1366, "height": 768},
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        yield page
    finally:
        reports = request.node.stash.get(_report_key, {})
        if any(report.failed for report in reports.values()):
            # A crashed page must not hide the test's own error.
            with contextlib.suppress(Exception):
                page.screenshot(path=_file_name(request, "failed"), full_page=True)
        context.close()


@pytest.fixture
def screenshot(browser_page: "Page", request: pytest.FixtureRequest) -> Callable[[str], Path]:
    """``screenshot("after-login")`` saves test-artifacts/screens/<test>-after-login.png."""

    def take(step: str) -> Path:
        path = _file_name(request, step)
        browser_page.screenshot(path=path, full_page=True)
        return path

    return take
