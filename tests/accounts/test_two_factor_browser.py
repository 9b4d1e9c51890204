"""The whole staff sign-in in a real browser: enrol with an app, sign in with its code, and with a
recovery code; pages pass the CSP and accessibility checks."""

import re
import time
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser import save_screenshot, sign_in_through_form
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def _secret_from_page(page) -> str:
    uri = page.locator("code.otpauth-uri").inner_text()
    assert uri.startswith("otpauth://totp/")
    return parse_qs(urlparse(uri).query)["secret"][0]


def test_a_manager_enrols_then_signs_in_with_a_code_and_with_a_recovery_code(
    live_server, new_page, manager, settings
):
    settings.STAFF_2FA_REQUIRED_ROLES = ["manager"]
    page = new_page()

    # The password alone leads to the enrolment, and nowhere else.
    sign_in_through_form(page, f"{live_server.url}/login/", manager.email, PASSWORD)
    assert page.url.endswith("/account/two-factor/")
    page.goto(f"{live_server.url}/dashboard/")
    assert page.url.endswith("/account/two-factor/")
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    save_screenshot(page, "two-factor-enrol")

    secret = _secret_from_page(page)
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor").click()
    page.wait_for_load_state()
    codes = page.locator("ul.recovery-codes li")
    expect(codes).to_have_count(10)
    recovery = codes.first.inner_text().strip()
    save_screenshot(page, "two-factor-recovery-codes")
    page.goto(f"{live_server.url}/dashboard/")
    assert "/dashboard/" in page.url

    # Sign out; sign in again: the password, then a fresh code.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    sign_in_through_form(page, f"{live_server.url}/login/", manager.email, PASSWORD)
    assert page.url.endswith("/login/code/")
    page.fill("input[name=code]", "000000")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    expect(page.locator("#id_code_error")).to_contain_text("That code is not right")
    save_screenshot(page, "two-factor-wrong-code")
    page.fill("input[name=code]", pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.url.rstrip("/") == live_server.url
    expect(page.get_by_text(manager.display_name).first).to_be_visible()

    # And once more with a recovery code instead of the app.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    sign_in_through_form(page, f"{live_server.url}/login/", manager.email, PASSWORD)
    page.fill("input[name=code]", recovery)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.url.rstrip("/") == live_server.url


def test_the_sessions_and_audit_pages_look_right(live_server, new_page, manager, agent):
    page = new_page()
    sign_in_through_form(page, f"{live_server.url}/login/", manager.email, PASSWORD)

    page.goto(f"{live_server.url}/account/sessions/")
    expect(page.get_by_role("cell", name="This browser")).to_be_visible()
    save_screenshot(page, "sessions")
    page.goto(f"{live_server.url}/audit/")
    expect(page.get_by_role("cell", name="sign_in", exact=True).first).to_be_visible()
    save_screenshot(page, "audit-log")
    page.goto(f"{live_server.url}/account/people/{agent.pk}/sessions/")
    expect(page.get_by_role("button", name="Sign out everywhere")).to_be_visible()
    assert re.search(r"Switch the account off", page.content())
