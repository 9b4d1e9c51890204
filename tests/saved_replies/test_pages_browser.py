"""The saved replies page and the notification email settings in Chromium (the page checks run
axe and watch the CSP on each)."""

import pytest
from playwright.sync_api import expect

from saved_replies.models import SavedReply
from tests.browser import save_screenshot

pytestmark = pytest.mark.browser


def test_a_manager_shares_a_reply_and_sees_its_usage(live_server, signed_in_page, manager):
    SavedReply.objects.create(author=manager, title="Fixed", body="It is fixed.", usage_count=4)
    page = signed_in_page(manager)
    page.goto(f"{live_server.url}/replies/")
    page.get_by_label("Title").fill("Still on it")
    page.get_by_label("Text").fill(
        "Hello {{ customer.first_name }}, still on {{ ticket.reference }}."
    )
    page.get_by_label("Next update promised after (minutes)").fill("120")
    page.get_by_label("Shared with every agent").check()
    page.get_by_role("button", name="Save reply").click()
    expect(page.get_by_text("Saved “Still on it”.")).to_be_visible()
    shared = page.locator("section[aria-labelledby=h-shared]")
    expect(shared).to_contain_text("Still on it")
    expect(page.locator("section[aria-labelledby=h-personal]")).to_contain_text("4")
    save_screenshot(page, "saved-replies-page")
    assert SavedReply.objects.get(title="Still on it").shared


def test_the_email_settings_page(live_server, signed_in_page, agent):
    page = signed_in_page(agent)
    page.goto(f"{live_server.url}/account/notifications/")
    page.get_by_label("Mentioned in a note", exact=False).uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved. The bell still shows every notification.")).to_be_visible()
    save_screenshot(page, "notification-settings")
    agent.refresh_from_db()
    assert agent.notification_email_off == ["mention"]
