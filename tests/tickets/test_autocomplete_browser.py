"""The autocomplete pickers in Debian's Chromium: the queue's customer and owner filters and the
new-ticket form's customer and requester (tickets/autocomplete.py, static/js/autocomplete.js)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import save_screenshot
from tests.factories import ContactFactory, OrganizationFactory
from tests.tickets.helpers import owned_ticket
from tickets.models import Ticket

pytestmark = pytest.mark.browser


def test_picking_a_customer_filters_the_queue_in_place_and_keeps_its_id_in_the_url(
    live_server, signed_in_page, agent, other_agent
):
    northwind = OrganizationFactory(name="Northwind Traders")
    OrganizationFactory(name="North Star Dental")
    fabrikam = OrganizationFactory(name="Fabrikam Dental")
    owned_ticket(agent, organization=northwind, subject="Whole office offline")
    owned_ticket(other_agent, organization=fabrikam, subject="Reception printer jams")

    page = signed_in_page(agent)
    page.goto(f"{live_server.url}/?view=open")
    rows = page.locator("#queue-results tbody tr")
    expect(rows).to_have_count(2)
    marker = page.evaluate("() => (window.queueMarker = 'same page')")

    customer = page.get_by_role("combobox", name="Customer")
    customer.fill("north")
    suggestions = page.get_by_role("listbox", name="Customer suggestions")
    expect(suggestions.get_by_role("option")).to_have_count(2)
    save_screenshot(page, "queue-autocomplete")
    # Half-typed text filters nothing yet.
    expect(rows).to_have_count(2)
    # Names starting with the text, alphabetically: North Star Dental, then Northwind Traders.
    customer.press("ArrowDown")
    customer.press("ArrowDown")
    customer.press("Enter")

    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Whole office offline")
    expect(customer).to_have_value("Northwind Traders")
    expect(page).to_have_url(re.compile(rf"organization={northwind.pk}(&|$)"))
    assert page.evaluate("() => window.queueMarker") == marker

    # The owner filter: a click on a suggestion works the same way.
    owner = page.get_by_role("combobox", name="Owner")
    owner.fill("bob")
    page.get_by_role("option", name=re.compile("Bob Agent")).click()
    expect(page.locator("#queue-results .empty")).to_be_visible()  # Bob owns no Northwind ticket
    expect(page).to_have_url(re.compile(rf"owner={other_agent.pk}(&|$)"))

    # Clearing a field drops its filter.
    customer.fill("")
    customer.blur()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Reception printer jams")

    # The shared link shows the chosen owner by name.
    shared = signed_in_page(other_agent)
    shared.goto(page.url)
    expect(shared.get_by_role("combobox", name="Owner")).to_have_value("Bob Agent")


def test_new_ticket_requester_suggestions_keep_to_the_chosen_customer(
    live_server, signed_in_page, agent, contact
):
    ContactFactory(name="Priya Elsewhere", email="priya@elsewhere.test")
    page = signed_in_page(agent)
    page.goto(f"{live_server.url}/tickets/new/")

    customer = page.get_by_role("combobox", name=re.compile("^Customer"))
    customer.fill("northwind")
    page.get_by_role("option", name="Northwind Traders").click()
    requester = page.get_by_role("combobox", name="Requester (customer contact)")
    requester.fill("priya")
    options = page.get_by_role("listbox", name="Customer contact suggestions").get_by_role("option")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text(contact.email)
    options.first.click()
    page.get_by_label("Subject").fill("Phone call: scanner offline")
    page.get_by_role("button", name="Create ticket").click()

    expect(page).to_have_url(re.compile(r"/tickets/\d+/$"))
    ticket = Ticket.objects.get(subject="Phone call: scanner offline")
    assert (ticket.organization, ticket.requester) == (contact.organization, contact)
