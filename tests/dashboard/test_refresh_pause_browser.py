"""The Now panel refreshes itself, and waits while the manager has a reassign form open in it
(workspace.js vetoes the poll: a trigger filter would need eval, which the CSP forbids). The
browser's clock is moved, never waited for."""

import pytest
from playwright.sync_api import expect

from tests.factories import TicketFactory

pytestmark = pytest.mark.browser


def test_the_now_panel_waits_while_a_reassign_form_is_open(
    live_server, signed_in_page, settings, manager, agent, organization
):
    settings.DASHBOARD_REFRESH_SECONDS = 5
    ticket = TicketFactory(organization=organization, owner=agent, impact=1, urgency=1)
    page = signed_in_page(manager)
    refreshes = []
    page.on("request", lambda r: "panel=now" in r.url and refreshes.append(r.url))
    page.clock.install()
    page.goto(f"{live_server.url}/dashboard/")
    row = page.locator(f"#panel-due [data-ticket='{ticket.reference}']")

    row.get_by_text("Reassign").click()
    expect(row.get_by_label("New owner")).to_be_visible()
    page.clock.run_for("00:20")
    page.wait_for_load_state("networkidle")
    assert refreshes == []

    row.get_by_text("Reassign").click()  # closed again: the refresh resumes
    page.clock.run_for("00:06")
    expect(page.locator("#now-panels")).to_be_attached()
    page.wait_for_load_state("networkidle")
    assert len(refreshes) >= 1
