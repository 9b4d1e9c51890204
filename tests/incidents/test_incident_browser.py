"""Done when: an agent writes one update on the incident page, sees the fan-out's progress fill in
without reloading (htmx polling), and the customer's portal shows the banner and the update."""

import pytest

from incidents.models import IncidentDelivery
from tests.browser import save_screenshot
from tests.vendors.factories import VendorFactory
from vendors.models import VendorEscalation

from .conftest import TITLE, run_fan_out

pytestmark = pytest.mark.browser


def test_agent_updates_every_linked_ticket_from_the_incident_page(
    live_server, signed_in_page, agent, contact, incident, tickets
):
    page = signed_in_page(agent)
    page.goto(f"{live_server.url}/incidents/")  # every page visited is checked (CSP, axe)
    page.goto(f"{live_server.url}/tickets/{tickets[0].pk}/")
    assert "Major incident" in page.locator("#major-incident").inner_text()
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    page.get_by_label("Update for every linked ticket").fill(
        "Email is delayed for some customers; we are rerouting it through a second relay."
    )
    page.get_by_role("button", name="Send to 3 linked tickets").click()
    page.locator(".messages li.success", has_text="Update sent to 3").wait_for()
    page.locator("#fan-out-progress", has_text="3 still to go").wait_for()
    assert IncidentDelivery.objects.count() == 3

    run_fan_out()  # what the Celery workers do
    page.locator("#fan-out-progress:not([hx-trigger])").wait_for(state="attached", timeout=10_000)
    page.locator(".timeline-entry", has_text="on 3 of 3 tickets").first.wait_for()
    save_screenshot(page, "incident-page")

    portal = signed_in_page(contact)
    portal.goto(f"{live_server.url}/portal/tickets/{tickets[0].pk}/")
    text = portal.locator("main").inner_text()
    assert "We are working on a wider service problem" in text
    assert "rerouting it through a second relay" in text
    assert TITLE not in portal.content()
    save_screenshot(portal, "incident-portal-banner")


def test_agent_escalates_the_incident_to_a_vendor_from_its_page(
    live_server, signed_in_page, agent, incident
):
    VendorFactory(name="Relaycorp")
    page = signed_in_page(agent)
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    page.get_by_text("Escalate the incident to a vendor").click()
    page.locator("#id_escalate-vendor").select_option(label="Relaycorp")
    page.locator("#id_escalate-summary").fill("Relay firmware rollback on both nodes")
    page.locator("#vendor-escalations").get_by_role("button", name="Open escalation").click()
    page.locator(".messages li.success", has_text="Escalated to Relaycorp").wait_for()
    panel = page.locator("#vendor-escalations").inner_text()
    assert "Relaycorp" in panel
    assert "Relay firmware rollback" in panel
    assert VendorEscalation.objects.get().incident_id == incident.pk
    save_screenshot(page, "incident-vendor-escalation")
