"""Merging and splitting from the ticket page's "Merge or split" panel, in Chromium."""

import pytest
from playwright.sync_api import expect

from tests.browser import save_screenshot
from tests.tickets.helpers import owned_ticket
from tickets.models import Status, Ticket
from updates import services as update_services

pytestmark = pytest.mark.browser


def test_agent_merges_a_duplicate_and_lands_on_the_survivor(
    live_server, signed_in_page, agent, organization, contact
):
    survivor = owned_ticket(agent, organization=organization, requester=contact, subject="VPN down")
    duplicate = owned_ticket(agent, organization=organization, requester=contact, subject="No VPN")
    update_services.post_customer_reply(duplicate, author=contact, body="Home office too")
    page = signed_in_page(agent)
    page.goto(f"{live_server.url}/tickets/{duplicate.pk}/")

    panel = page.locator("#merge-split")
    panel.get_by_text("Split customer messages off").click()
    expect(panel.get_by_label("Subject of the new ticket")).to_be_visible()
    panel.get_by_text("Merge into another ticket").click()
    panel.get_by_label("Merge this ticket into").fill(survivor.reference)
    save_screenshot(page, "ticket-merge-panel")
    panel.get_by_role("button", name="Merge").click()

    expect(page).to_have_url(f"{live_server.url}/tickets/{survivor.pk}/")
    expect(
        page.get_by_text(f"{duplicate.reference} is merged into {survivor.reference}.")
    ).to_be_visible()
    expect(page.get_by_text("Home office too", exact=True)).to_be_visible()
    expect(
        page.locator(".timeline .flag", has_text=f"from {duplicate.reference}").first
    ).to_be_visible()
    save_screenshot(page, "ticket-after-merge")
    merged = Ticket.objects.get(pk=duplicate.pk)
    assert merged.status == Status.CLOSED
    assert merged.merged_into_id == survivor.pk
