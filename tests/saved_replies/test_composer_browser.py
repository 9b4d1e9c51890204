"""A saved reply with variables in the composer, in Debian's Chromium: typed ';' picks it, its text
is filled in for the ticket, its status and promise set; sent, it counts one use."""

import re

import pytest
from playwright.sync_api import expect

from saved_replies.models import SavedReply
from tests.browser import save_screenshot
from tests.factories import TicketFactory
from updates.models import EntryKind, TimelineEntry

pytestmark = pytest.mark.browser


def test_typing_a_semicolon_inserts_a_saved_reply_filled_for_the_ticket(
    live_server, signed_in_page, agent, organization, contact
):
    ticket = TicketFactory(
        organization=organization, requester=contact, owner=agent, subject="Printer jams"
    )
    saved = SavedReply.objects.create(
        author=agent,
        title="Still on it",
        body="Hello {{ customer.first_name }}, we are still working on {{ ticket.reference }}. "
        "You will hear from {{ agent.name }} by {{ next_update_due }}.",
        status="in_progress",
        next_update_minutes=120,
    )
    SavedReply.objects.create(author=agent, title="Fixed", body="It is fixed.")
    page = signed_in_page(agent)
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    body = page.locator("#public-body")
    body.click()
    body.press_sequentially(";sti")
    suggestions = page.locator("#reply-suggestions [role=option]")
    expect(suggestions).to_have_count(1)
    expect(suggestions.first).to_have_text("Still on it")
    save_screenshot(page, "saved-reply-suggestions", full_page=False)
    body.press("Enter")
    expect(body).to_have_value(re.compile(r"^Hello Priya"))
    text = body.input_value()
    assert text.startswith(f"Hello Priya, we are still working on {ticket.reference}.")
    assert "You will hear from Alice Agent by " in text
    assert "GMT" in text
    expect(page.locator("#public-status")).to_have_value("in_progress")
    expect(page.locator("input[name=promise][value='2h']")).to_be_checked()
    save_screenshot(page, "saved-reply-inserted", full_page=False)
    page.get_by_role("button", name="Send to customer").click()
    expect(page.get_by_text("Update sent to the customer.")).to_be_visible()
    entry = TimelineEntry.objects.get(ticket=ticket, kind=EntryKind.PUBLIC_UPDATE)
    assert entry.body == text
    saved.refresh_from_db()
    assert saved.usage_count == 1
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"


def test_without_the_autocomplete_the_list_and_insert_fill_the_composer(
    live_server, signed_in_page, agent, organization, contact
):
    ticket = TicketFactory(organization=organization, requester=contact, owner=agent)
    SavedReply.objects.create(
        author=agent, title="Reference", body="Your reference is {{ ticket.reference }}."
    )
    page = signed_in_page(agent)
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    page.locator("#public-saved-reply").select_option(label="Reference")
    page.get_by_role("button", name="Insert").click()
    expect(page.locator("#public-body")).to_have_value(f"Your reference is {ticket.reference}.")
