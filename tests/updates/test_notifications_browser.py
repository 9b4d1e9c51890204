"""The bell's dropdown in Debian's Chromium: the latest ten, opening a ticket, mark all read."""

import pytest
from playwright.sync_api import expect

from tests.browser import save_screenshot
from tests.factories import TicketFactory
from updates.models import Notification, NotificationKind

pytestmark = pytest.mark.browser


def test_the_bell_opens_the_latest_ten_and_marks_all_read(live_server, signed_in_page, agent):
    ticket = TicketFactory(subject="Printer jams")
    for number in range(12):
        Notification.objects.create(
            recipient=agent,
            ticket=ticket,
            kind=NotificationKind.MENTION,
            message=f"{ticket.reference}: Bob mentioned you: note {number}",
        )
    page = signed_in_page(agent)
    page.goto(f"{live_server.url}/")
    bell = page.locator("#bell")
    expect(bell).to_have_attribute("aria-label", "Notifications: 12 unread")
    bell.click()
    menu = page.locator("#bell-menu")
    expect(menu).to_be_visible()
    expect(bell).to_have_attribute("aria-expanded", "true")
    expect(menu.locator(".bell-list li")).to_have_count(10)
    expect(menu.locator(".bell-list li").first).to_contain_text("note 11")
    assert page.url == f"{live_server.url}/"  # the link did not navigate
    save_screenshot(page, "bell-dropdown", full_page=False)
    menu.get_by_role("button", name="Mark all read").click()
    expect(page.locator("#bell")).to_have_attribute("aria-label", "Notifications: 0 unread")
    expect(menu.locator(".bell-list li.unread")).to_have_count(0)
    assert not Notification.objects.filter(recipient=agent, read_at__isnull=True).exists()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()


def test_an_item_in_the_dropdown_opens_its_ticket(live_server, signed_in_page, agent):
    ticket = TicketFactory(subject="Printer jams")
    Notification.objects.create(
        recipient=agent, ticket=ticket, kind=NotificationKind.HANDOVER, message="Yours now"
    )
    page = signed_in_page(agent)
    page.goto(f"{live_server.url}/notifications/")
    page.locator("#bell").click()
    page.locator("#bell-menu .bell-item").first.click()
    expect(page).to_have_url(f"{live_server.url}/tickets/{ticket.pk}/")
    assert Notification.objects.get().read_at is not None
