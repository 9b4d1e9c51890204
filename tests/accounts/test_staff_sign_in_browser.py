"""The shared browser fixtures work: Debian's Chromium, the sign-in form, a pre-signed-in page."""

import pytest
from playwright.sync_api import expect

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


def test_staff_sign_in_says_what_is_missing_and_when_the_password_is_wrong(
    live_server, new_page, agent
):
    page = new_page()
    missing = []
    page.on(
        "response",
        lambda response: missing.append(response.url) if response.status == 404 else None,
    )
    page.goto(f"{live_server.url}/login/")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    expect(page.locator("#id_username_error")).to_have_text("Enter your work email address.")
    expect(page.locator("#id_password_error")).to_have_text("Enter your password.")
    expect(page.locator("#id_username")).to_have_attribute("aria-invalid", "true")

    page.fill("input[name=username]", agent.email)
    page.fill("input[name=password]", "not the password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    expect(page.get_by_role("alert")).to_have_text(
        "That email and password don't match a staff account. Check both and try again; "
        "a manager can reset your password if you have lost it."
    )
    expect(page.locator("#id_username")).to_have_value(agent.email)
    save_screenshot(page, "staff-sign-in-wrong-password")
    assert "Please enter a correct" not in page.content()

    # The icon is linked from the page and /favicon.ico answers: no 404 anywhere.
    icons = page.locator("link[rel=icon]")
    expect(icons).to_have_count(2)
    for href in icons.evaluate_all("links => links.map(link => link.href)"):
        response = page.request.get(href)
        assert response.status == 200
        assert response.headers["content-type"].startswith("image/")
    assert missing == []


def test_portal_pages_link_the_icon_too(live_server, new_page):
    page = new_page()
    page.goto(f"{live_server.url}/portal/login/")
    expect(page.locator("link[rel=icon]")).to_have_count(2)
    assert page.request.get(f"{live_server.url}/favicon.ico").status == 200
