"""Done when: the Time panel's "Log time" form, drawn only when opened (tickets.panels rule 5),
loads on opening and logs time in place, in Chromium."""

import pytest

from billing.models import TimeEntry
from tests.tickets.helpers import owned_ticket

pytestmark = pytest.mark.browser


def test_opening_log_time_loads_the_form_and_it_logs_in_place(
    live_server, signed_in_page, agent, organization, work_types
):
    ticket = owned_ticket(agent, organization=organization, subject="Label printer offline")
    page = signed_in_page(agent)
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    panel = page.locator("#time")
    assert panel.locator("input[name='time-minutes']").count() == 0  # not drawn yet

    panel.get_by_text("Log time", exact=True).click()
    minutes = panel.get_by_label("Minutes")
    minutes.wait_for()  # fetched on opening (htmx) and swapped in
    minutes.fill("15")
    panel.locator("form button[type=submit]").click()

    page.locator(".messages li.success", has_text="15 min logged").wait_for()
    entry = TimeEntry.objects.get()
    assert (entry.ticket_id, entry.minutes) == (ticket.pk, 15)
    assert "15 min" in page.locator("#time").inner_text()
