"""Shared browser fixtures: a zh-CN Chromium page, logging in through the form, screenshots.

Screenshots are taken only when SALESCOPE_SCREENSHOTS names a directory (for a visual review):
``SALESCOPE_SCREENSHOTS=/tmp/shots pytest tests/e2e -m browser``.
"""

import os
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.plans.conftest import decomposed, plan  # noqa: F401 - the tracking page's plan

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser(chromium_path, monkeypatch):  # noqa: ANN001, ANN201
    """Debian's Chromium, headless, for one test (Playwright started and stopped with it)."""
    from playwright.sync_api import sync_playwright

    # Sync Playwright runs an event loop in this thread; Django's ORM must still be usable.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
        # While Playwright's loop runs, asgiref sees an async context and the test's own ORM
        # queries get a database connection of their own; close it, or it outlives the test
        # (on PostgreSQL it then blocks dropping the test database).
        from django.db import connections

        connections.close_all()


@pytest.fixture
def page(browser):  # noqa: ANN001, ANN201
    """A fresh page of a Chinese (zh-CN) browser at desktop size."""
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


_warmed: set[str] = set()


def _warm_up(url: str) -> None:
    """The live server's first request imports every view (seconds of CPU, a dozen on a busy
    machine): make it once, outside the page's 15 s timeout, which is meant for our pages."""
    if url not in _warmed:
        with urllib.request.urlopen(f"{url}/accounts/login/", timeout=180) as response:  # noqa: S310
            response.read()
        _warmed.add(url)


@pytest.fixture
def login(live_server) -> Callable:  # noqa: ANN001
    """Log the page in as a username through the real login form."""
    from playwright.sync_api import expect

    from salescope.org.demo import DEMO_PASSWORD

    def log_in(page, username: str) -> None:  # noqa: ANN001
        _warm_up(live_server.url)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", DEMO_PASSWORD)
        page.locator("main form button[type=submit]").click()
        expect(page.get_by_test_id("current-user")).to_be_visible()

    return log_in


@pytest.fixture
def shoot() -> Callable:
    """Screenshot the page at desktop and phone size into SALESCOPE_SCREENSHOTS (if set)."""
    folder = os.environ.get("SALESCOPE_SCREENSHOTS", "")

    def take(page, name: str, settle: int = 0) -> None:  # noqa: ANN001
        if not folder:
            return
        Path(folder).mkdir(parents=True, exist_ok=True)
        before = page.viewport_size
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            if settle:
                page.wait_for_timeout(settle)
            page.screenshot(path=f"{folder}/{name}-{label}.png", full_page=True)
        page.set_viewport_size(before)

    return take
