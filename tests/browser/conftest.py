"""Playwright (Python, sync API) driving the system Chromium against pytest-django's live server.
Never a downloaded browser: the executable is /usr/bin/chromium (or CHROMIUM_PATH)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.services import require_chromium

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make to
# set up and inspect data are still synchronous and safe there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
# The README's screenshots (docs/screenshots/) are refreshed only on request, so that a test run
# leaves the checkout clean: FACTDESK_SCREENSHOTS=docs/screenshots make test PYTEST_ARGS=tests/browser
SCREENSHOTS = ROOT / os.environ.get("FACTDESK_SCREENSHOTS", "var/screenshots")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        yield instance
        instance.close()


@pytest.fixture
def new_page(browser, live_server):
    """Factory: a fresh browser context (its own cookies) and page; closed after the test."""
    contexts = []

    def make():
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1400, "height": 900}
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.errors = []  # JavaScript errors and CSP violations seen on the page
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        page.on(
            "console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None
        )
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def login(page, user, password: str = "pw-for-tests-only") -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
