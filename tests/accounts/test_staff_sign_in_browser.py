"""The shared browser fixtures work: Debian's Chromium, the sign-in form, a pre-signed-in page."""

import pytest

from tests.browser import save_screenshot, sign_in_through_form
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_staff_sign_in_form_lands_on_the_queue(live_server, new_page, agent):
    page = new_page()
    sign_in_through_form(page, f"{live_server.url}/login/", agent.email, PASSWORD)

    assert page.url.rstrip("/") == live_server.url
    assert agent.name in page.content()


def test_signed_in_page_skips_the_form_and_screenshots_are_saved(
    live_server, signed_in_page, agent
):
    page = signed_in_page(agent)
    page.goto(f"{live_server.url}/")

    assert "/login/" not in page.url
    assert save_screenshot(page, "smoke-queue").stat().st_size > 1000
