"""An agent reads a quarantined email in a real browser and releases it to its ticket, where the
reply shows its new text with the whole email one click away. Screenshots are saved for review."""

import pytest

from inbound import services
from inbound.models import Outcome
from tests.browser import save_screenshot
from tests.factories import TicketFactory

from .support import corpus, our_message_id

pytestmark = pytest.mark.browser


def test_an_agent_releases_a_quarantined_reply_to_its_ticket(
    live_server, signed_in_page, agent, contact, organization, settings
):
    ticket = TicketFactory(organization=organization, requester=contact, owner=agent)
    settings.INBOUND_TRUSTED_AUTHSERV_ID = "mx.other.example"  # the Gmail reply's pass is not ours
    raw = corpus("gmail_reply.eml", ticket=ticket, message_id=our_message_id(ticket))
    message = services.ingest(raw)
    assert message.reason == "unauthenticated"

    page = signed_in_page(agent)
    page.goto(f"{live_server.url}/inbound/")
    page.get_by_role("link", name="Inbound mail").first.wait_for()
    save_screenshot(page, "inbound-quarantine")
    page.get_by_role("link", name=f"Re: [{ticket.reference}] Update").click()
    page.get_by_text("Thanks, it prints again.").first.wait_for()
    save_screenshot(page, "inbound-message")
    page.get_by_label("Add to ticket").fill(ticket.reference)
    page.get_by_role("button", name="Release").click()

    page.wait_for_url(f"{live_server.url}/tickets/{ticket.pk}/")
    page.get_by_text("The whole email").click()
    page.get_by_text("We cleared the jam and replaced the pickup roller.").first.wait_for()
    save_screenshot(page, "inbound-released")
    message.refresh_from_db()
    assert message.outcome == Outcome.REPLY_ADDED
