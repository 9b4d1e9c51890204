"""Playwright fixtures for the browser tests: Debian's Chromium, never a downloaded browser.

Use them through the `browser` marker and the fixtures below:

    @pytest.mark.browser
    def test_something(live_server, staff_page, agent):
        page = staff_page(agent)              # signed in, no login form needed
        page.goto(f"{live_server.url}/")
        save_screenshot(page, "queue")         # test-artifacts/screenshots/queue.png

The live server runs in a thread of the test process, so the data a test makes with factories is
visible to the browser once committed (`live_server` implies a transactional database).
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from accounts.models import User
from tests.page_checks import PageChecks

# Playwright's sync API drives an event loop on the test thread; Django's ORM would then refuse
# every call from the test as "async unsafe" although the test itself is plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's Chromium is not installed (scripts/test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser) -> Iterator[Callable]:
    """Open a fresh page (own cookies) at a viewport size; every page opened is closed after.

    Every page is watched (tests/page_checks.py): a Content-Security-Policy violation or a serious
    accessibility problem on any page the test visited fails the test when it ends."""
    contexts = []
    checks = PageChecks()

    def open_page(viewport: dict | None = None):
        context = browser.new_context(viewport=viewport or LAPTOP, locale="en-GB")
        context.set_default_timeout(10_000)
        checks.install(context)
        contexts.append(context)
        page = context.new_page()
        if page not in checks.pages:
            checks.watch(page)
        return page

    yield open_page
    try:
        checks.finish()
    finally:
        for context in contexts:
            context.close()


def _session_cookie_for(user: User, live_server_url: str) -> dict:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": session.session_key,
        "url": live_server_url,
    }


@pytest.fixture
def signed_in_page(new_page, live_server) -> Callable:
    """A page already signed in as `user` (staff or contact), skipping the login form."""

    def open_as(user: User, viewport: dict | None = None):
        page = new_page(viewport)
        page.context.add_cookies([_session_cookie_for(user, live_server.url)])
        return page

    return open_as


def sign_in_through_form(page, url: str, email: str, password: str) -> None:
    """Fill a sign-in form (`username` = email, `password`) and submit it."""
    page.goto(url)
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.locator("form [type=submit]").first.click()
    page.wait_for_load_state()


def save_screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG under test-artifacts/screenshots/ (kept by CI as an artifact, not committed)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
