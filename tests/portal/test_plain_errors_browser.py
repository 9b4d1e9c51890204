"""In Chromium: the request form shows every mistake in one round (a past deadline with the
rest), in our words; a contact who opens a staff page is told it is for our team and finds the
way to their requests."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser import save_screenshot
from tickets.models import Ticket

pytestmark = pytest.mark.browser
STOCK = re.compile(r"This field is required|Ensure this value|Select a valid|Enter a valid")


def test_every_mistake_shows_at_once_in_our_words(live_server, signed_in_page, contact):
    page = signed_in_page(contact)
    page.goto(f"{live_server.url}/portal/new/")
    page.get_by_label("Tell us more").fill("Labels jam on every print.")
    page.get_by_label("A team or a key function is stopped").check()
    page.get_by_label("How many people are affected?").fill("0")
    yesterday = timezone.localtime(timezone.now() - timedelta(days=1), timezone=None)
    page.get_by_label("Is there a deadline? (optional)").fill(yesterday.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Send request").click()

    errors = page.locator(".field-error")
    expect(errors.filter(has_text="Tell us in a few words what's wrong.")).to_have_count(1)
    expect(errors.filter(has_text="Choose how soon you need it fixed.")).to_have_count(1)
    expect(errors.filter(has_text="Use a number of at least 1.")).to_have_count(1)
    expect(errors.filter(has_text="This time has already passed")).to_have_count(1)
    assert not STOCK.search(page.content())
    save_screenshot(page, "portal-request-all-errors")
    assert not Ticket.objects.exists()


def test_a_contact_on_a_staff_page_finds_their_requests(live_server, signed_in_page, contact):
    page = signed_in_page(contact)
    response = page.goto(f"{live_server.url}/triage/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This page is for our service desk team"
    )
    save_screenshot(page, "portal-staff-only")
    page.get_by_role("link", name="Go to your requests").click()
    expect(page).to_have_url(f"{live_server.url}/portal/")
