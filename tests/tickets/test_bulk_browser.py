"""Bulk selection in the queue, in Debian's Chromium: click, shift-click a range, the `x` key,
then one action applied to every selected ticket (issue 21 item 4)."""

import pytest
from playwright.sync_api import expect

from tests.browser import save_screenshot
from tests.tickets.helpers import owned_ticket
from tickets.models import Status, Ticket

pytestmark = pytest.mark.browser


def test_agent_selects_rows_with_shift_click_and_x_then_changes_their_status(
    live_server, signed_in_page, agent, organization
):
    tickets = [owned_ticket(agent, organization=organization) for _ in range(6)]
    page = signed_in_page(agent)
    page.goto(f"{live_server.url}/?view=mine&sort=oldest")
    boxes = page.locator("[data-bulk-table] input[name=tickets]")
    expect(boxes).to_have_count(6)
    # Without a chosen action only the action select shows.
    expect(page.locator("#bulk-status")).to_be_hidden()

    boxes.nth(0).click()
    boxes.nth(3).click(modifiers=["Shift"])  # selects rows 1 to 4
    expect(page.locator("#bulk-count")).to_have_text("4 selected")
    # j six times moves the keyboard selection to the sixth row; x toggles its box.
    page.locator("body").click(position={"x": 5, "y": 5})
    for _ in range(6):
        page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.locator("#bulk-count")).to_have_text("5 selected")
    expect(boxes.nth(5)).to_be_checked()
    expect(boxes.nth(4)).not_to_be_checked()

    page.get_by_label("With the selected").select_option("status")
    expect(page.locator("#bulk-status")).to_be_visible()
    expect(page.locator("#bulk-owner")).to_be_hidden()
    page.locator("#bulk-status").select_option(Status.IN_PROGRESS)
    save_screenshot(page, "queue-bulk-selection")
    page.get_by_role("button", name="Apply to selected").click()

    expect(page.get_by_text("5 tickets changed.")).to_be_visible()
    statuses = {t.pk: Ticket.objects.get(pk=t.pk).status for t in tickets}
    chosen = [tickets[i].pk for i in (0, 1, 2, 3, 5)]
    assert all(statuses[pk] == Status.IN_PROGRESS for pk in chosen)
    assert statuses[tickets[4].pk] == Status.OPEN
