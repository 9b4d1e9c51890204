"""Done when: an agent escalates a ticket to a vendor, chases it and closes it from the ticket
page (htmx swaps in place), and a manager compares vendors on the scorecard list."""

import pytest

from tests.browser import save_screenshot
from tests.tickets.helpers import owned_ticket
from tests.vendors.factories import VendorFactory
from vendors.models import EscalationNote, EscalationStatus, VendorEscalation

pytestmark = pytest.mark.browser


def test_agent_escalates_notes_and_closes_a_vendor_case_from_the_ticket_page(
    live_server, signed_in_page, agent, manager, organization
):
    ticket = owned_ticket(agent, organization=organization, subject="Core switch keeps rebooting")
    VendorFactory(name="Cisco", aliases="Meraki", expected_response_minutes=30)
    page = signed_in_page(agent)
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")

    panel = page.locator("#vendor-escalations")
    panel.locator("#id_escalate-vendor").select_option(label="Cisco")
    panel.locator("#id_escalate-vendor_reference").fill("TAC-6900123")
    panel.locator("#id_escalate-summary").fill(
        "Switch reboots under load; TAC asked for a crashinfo file."
    )
    panel.get_by_role("button", name="Open escalation").click()
    page.locator(".messages li.success", has_text="Escalated to Cisco").wait_for()
    assert "TAC-6900123" in panel.inner_text()

    panel.get_by_text("Update this case").click()
    escalation = VendorEscalation.objects.get()
    panel.locator(f"#id_n{escalation.pk}-body").fill("TAC wants us to collect logs on site.")
    panel.locator(f"#id_n{escalation.pk}-pushback").check()
    panel.get_by_role("button", name="Log note").click()
    page.locator(".messages li.success", has_text="Note added to the Cisco case").wait_for()
    save_screenshot(page, "vendor-panel")

    page.locator("#vendor-escalations").get_by_text("Update this case").click()
    page.locator(f"#id_s{escalation.pk}-status").select_option("closed")
    page.locator("#vendor-escalations").get_by_role("button", name="Save status").click()
    page.locator(".messages li.success", has_text="Cisco case status saved").wait_for()

    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.CLOSED
    assert escalation.resolved_at is not None
    assert EscalationNote.objects.get().pushback is True

    page = signed_in_page(manager)
    page.goto(f"{live_server.url}/vendors/?sort=pushbacks&dir=desc")
    assert "Cisco" in page.locator("#vendor-results").inner_text()
    save_screenshot(page, "vendor-list")
