"""The staff workspace as an agent uses it, in Debian's Chromium (Playwright).

A handful of flows, each walking what a person does: sign in, triage a new ticket, answer the
customer with a quick-pick promise, leave an internal note, find tickets in the queue. Screenshots
of the queue (laptop and phone) and of a ticket page land in test-artifacts/screenshots/.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import PHONE, _session_cookie_for, save_screenshot, sign_in_through_form
from tests.factories import PASSWORD, ContactFactory, OrganizationFactory, TicketFactory
from tests.tickets.helpers import owned_ticket
from tickets import services as ticket_services
from tickets.models import Status, Ticket
from updates import services as update_services
from updates.models import EntryKind, TimelineEntry

pytestmark = pytest.mark.browser


def assert_accessible_form_markup(page) -> None:
    """Every form control has a label (or an aria-label) of its own, and no id is used twice
    (a duplicate id points a label at another form's field)."""
    problems = page.evaluate(
        """() => {
        const ids = [...document.querySelectorAll("[id]")].map(element => element.id);
        const duplicates = ids.filter((id, index) => ids.indexOf(id) !== index);
        const unlabelled = [...document.querySelectorAll(
            "input:not([type=hidden]):not([type=submit]), select, textarea")]
          .filter(field => !field.labels.length && !field.getAttribute("aria-label"))
          .map(field => field.name);
        return {duplicates, unlabelled};
    }"""
    )
    assert problems == {"duplicates": [], "unlabelled": []}


def test_agent_signs_in_and_triages_a_new_ticket_from_the_inbox(live_server, new_page, agent):
    ticket = TicketFactory(subject="Payroll export fails", impact=3, urgency=3)
    page = new_page()

    sign_in_through_form(page, f"{live_server.url}/login/", agent.email, PASSWORD)
    expect(page.get_by_role("heading", name="Mine")).to_be_visible()

    page.get_by_role("link", name="Triage").click()
    card = page.locator(f"#triage-{ticket.pk}")
    expect(card).to_contain_text("Payroll export fails")
    assert_accessible_form_markup(page)

    # The priority the pickers give shows before anything is saved.
    card.get_by_label("Impact").select_option("1")
    card.get_by_label("Urgency").select_option("2")
    expect(card.locator(f"#priority-preview-{ticket.pk}")).to_have_text(re.compile("P1"))
    assert Ticket.objects.get(pk=ticket.pk).priority == 3

    card.get_by_label("Our understanding of the problem").fill(
        "Nobody can export this month's payroll to the bank."
    )
    card.get_by_role("button", name="Save triage").click()
    # Saved, and the card stays, saying what triage still needs.
    expect(card).to_contain_text("Triage saved. Still to triage: take ownership")
    expect(card.locator(".triage-steps")).to_contain_text("an owner")
    expect(card.locator(".triage-head .prio")).to_have_text("P1")
    assert Ticket.objects.get(pk=ticket.pk).status == Status.NEW

    # "o" takes ownership of the first ticket in the inbox, in place: that finishes triage.
    page.locator("body").press("o")
    expect(card).to_contain_text(f"{ticket.reference} is triaged and open.")
    expect(card).to_contain_text(f"owned by {agent.display_name}")
    save_screenshot(page, "triage-done")

    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.impact, ticket.urgency, ticket.priority) == (1, 2, 1)
    assert ticket.problem_statement == "Nobody can export this month's payroll to the bank."
    assert ticket.owner == agent
    assert ticket.status == Status.OPEN


def test_public_update_with_a_quick_pick_moves_the_countdown_and_a_note_looks_apart(
    live_server, signed_in_page, agent, other_agent, contact
):
    ticket = owned_ticket(
        agent,
        organization=contact.organization,
        requester=contact,
        subject="VPN drops every hour",
        description="Everyone working from home loses the VPN on the hour, every hour.",
        impact=2,
        urgency=2,
    )
    Ticket.objects.filter(pk=ticket.pk).update(
        people_affected=14,
        preferred_contact="phone",
        contact_details="+44 20 7946 0321",
        best_times="Weekdays before 11:00",
    )
    page = signed_in_page(agent)
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    countdown = page.locator("#promise-countdown .countdown")
    expect(countdown).to_have_text(re.compile(r"in 5\d min"))  # P2: first response within 1 h
    assert_accessible_form_markup(page)

    composer = page.locator("#compose-public")
    # Custom time is asked for only when "Custom" is picked.
    expect(composer.get_by_label("Custom next update (your time)")).to_be_hidden()
    composer.get_by_label("Custom", exact=True).check()
    expect(composer.get_by_label("Custom next update (your time)")).to_be_visible()

    composer.get_by_label("+30 min").check()
    composer.get_by_label("Update for the customer").fill(
        "We have found the cause: the firewall renews its lease hourly. We are changing that now."
    )
    composer.get_by_role("button", name="Preview email").click()
    preview = page.locator("#composer-preview")
    expect(preview).to_contain_text(f"{contact.name} <{contact.email}>")
    expect(preview).to_contain_text("the firewall renews its lease hourly")
    expect(preview).to_contain_text("Next update by")

    # Ctrl+Enter sends the form being typed in.
    composer.get_by_label("Update for the customer").press("Control+Enter")
    expect(page.locator("#ticket-body .messages")).to_contain_text("Update sent to the customer.")
    expect(countdown).to_have_text(re.compile(r"in (29|30) min"))
    public = page.locator(".timeline .entry-public")
    expect(public).to_contain_text("the firewall renews its lease hourly")

    # Esc leaves the text box; "i" then opens the internal note tab with the cursor in it.
    page.keyboard.press("Escape")
    page.keyboard.press("i")
    note_box = page.get_by_label("Internal note (staff only)")
    expect(note_box).to_be_focused()
    note_box.fill("Firewall change window approved by their IT lead.")
    page.get_by_role("button", name="Add internal note").click()
    note = page.locator(".timeline .entry-internal")
    expect(note).to_contain_text("Firewall change window approved")
    expect(note).to_contain_text("Internal note · staff only")
    expect(countdown).to_have_text(re.compile(r"in (29|30) min"))  # a note keeps no promise

    def background(locator) -> str:
        return locator.evaluate("element => getComputedStyle(element).backgroundColor")

    assert background(note) != background(public)
    assert TimelineEntry.objects.get(kind=EntryKind.INTERNAL_NOTE).is_public is False
    page.keyboard.press("Escape")
    page.keyboard.press("r")  # back to the public tab for the screenshot
    save_screenshot(page, "ticket")

    phone = signed_in_page(agent, PHONE)
    phone.goto(page.url)
    expect(phone.locator(".timeline .entry-internal")).to_be_visible()
    scroll_width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"], "the ticket page must not scroll sideways on a phone"
    save_screenshot(phone, "ticket-phone")


def test_stale_edit_shows_a_clear_message_and_keeps_the_colleagues_change(
    live_server, signed_in_page, agent, other_agent
):
    ticket = owned_ticket(agent)
    page = signed_in_page(agent)
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    # The triage form loads when its section is opened.
    expect(page.locator(".triage-form")).to_have_count(0)
    page.locator("#side-triage summary").click()
    triage = page.locator(".triage-form")
    expect(triage).to_be_visible()
    # A colleague restates the problem while the form is open.
    ticket_services.update_ticket(
        Ticket.objects.get(pk=ticket.pk),
        by=other_agent,
        changes={"problem_statement": "Bob's restatement."},
    )
    triage.get_by_label("Our understanding of the problem").fill("Alice's restatement.")
    triage.get_by_role("button", name="Save triage").click()
    expect(page.locator("#ticket-body .messages")).to_contain_text("someone else changed")
    expect(triage.get_by_label("Our understanding of the problem")).to_have_value(
        "Alice's restatement."
    )
    assert Ticket.objects.get(pk=ticket.pk).problem_statement == "Bob's restatement."


def test_queue_filters_and_search_update_in_place_and_the_url_is_shareable(
    live_server, signed_in_page, agent, other_agent
):
    northwind = OrganizationFactory(name="Northwind Traders")
    contoso = OrganizationFactory(name="Fabrikam Dental")
    owned_ticket(
        agent,
        organization=northwind,
        requester=ContactFactory(organization=northwind, name="Priya Shah"),
        subject="Whole office offline",
        impact=1,
        urgency=1,
    )
    printer = owned_ticket(
        other_agent,
        organization=contoso,
        requester=ContactFactory(organization=contoso, name="Dr Ellis"),
        subject="Reception printer jams",
    )
    update_services.add_internal_note(printer, author=other_agent, body="Toner smudge on drum")
    TicketFactory(organization=northwind, subject="New starter laptop", impact=4, urgency=4)
    for number in range(4):
        owned_ticket(
            agent if number % 2 else other_agent,
            organization=contoso,
            subject=f"Shared mailbox {number} full",
            impact=2 + number % 2,
            urgency=2,
        )

    page = signed_in_page(agent)
    page.goto(f"{live_server.url}/?view=open")
    rows = page.locator("#queue-results tbody tr")
    expect(rows).to_have_count(7)
    assert_accessible_form_markup(page)
    save_screenshot(page, "queue")
    marker = page.evaluate("() => (window.queueMarker = 'same page')")

    page.get_by_label("Priority").select_option("1")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Whole office offline")
    expect(page).to_have_url(re.compile(r"\?view=open&priority=1$"))  # empty filters left out

    page.get_by_label("Priority").select_option("")
    expect(rows).to_have_count(7)
    # "/" jumps to search; internal notes are searched too.
    page.locator("body").press("/")
    expect(page.get_by_role("searchbox", name="Search")).to_be_focused()
    page.keyboard.type("toner drum")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Reception printer jams")
    expect(page).to_have_url(re.compile(r"q=toner(\+|%20)drum"))
    assert page.evaluate("() => window.queueMarker") == marker  # updated in place, no reload

    # The URL is shareable: a colleague opening it sees the same list.
    shared = signed_in_page(other_agent)
    shared.goto(page.url)
    expect(shared.locator("#queue-results tbody tr")).to_have_count(1)
    expect(shared.get_by_role("searchbox", name="Search")).to_have_value("toner drum")

    # j selects the first row, Enter opens it.
    shared.locator("body").press("j")
    shared.keyboard.press("Enter")
    expect(shared).to_have_url(re.compile(rf"/tickets/{printer.pk}/$"))

    phone = signed_in_page(agent, PHONE)
    phone.goto(f"{live_server.url}/?view=open")
    expect(phone.locator("#queue-results tbody tr")).to_have_count(7)
    scroll_width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"], "the queue must not scroll sideways on a phone"
    save_screenshot(phone, "queue-phone")


def test_side_forms_load_when_opened_and_hand_over_in_place(
    live_server, signed_in_page, agent, other_agent
):
    ticket = owned_ticket(agent, subject="Laptop will not boot")
    page = signed_in_page(agent)
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    marker = page.evaluate("() => (window.ticketMarker = 'same page')")
    handover = page.locator("#side-handover")
    expect(handover.get_by_label("New owner")).to_have_count(0)  # not drawn until opened

    handover.locator("summary").click()
    handover.get_by_label("New owner").select_option(label=other_agent.display_name)
    handover.get_by_label("Handover note").fill("Bob knows this model; the customer is in at 3.")
    handover.get_by_role("button", name="Hand over").click()
    expect(page.locator("#ticket-body .messages")).to_contain_text(
        f"now owned by {other_agent.display_name}"
    )
    assert page.evaluate("() => window.ticketMarker") == marker  # swapped in place
    assert Ticket.objects.get(pk=ticket.pk).owner == other_agent

    # Opening the other sections loads each form once; the page stays accessible.
    for section in ("#side-details", "#side-collaborator", "#side-override"):
        page.locator(f"{section} summary").click()
        expect(page.locator(f"{section} form")).to_be_visible()
    assert_accessible_form_markup(page)
    save_screenshot(page, "ticket-side-forms")


def test_side_forms_open_without_javascript(live_server, browser, agent, other_agent):
    ticket = owned_ticket(agent)
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    context.set_default_timeout(10_000)
    context.add_cookies([_session_cookie_for(agent, live_server.url)])
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
        page.locator("#side-collaborator summary").click()
        page.get_by_role("link", name="Open the collaborator form").click()
        page.get_by_label("Add a collaborator").select_option(label=other_agent.display_name)
        page.get_by_role("button", name="Add collaborator").click()
        expect(page.locator("#ticket-body .messages")).to_contain_text("can now help")
        assert list(Ticket.objects.get(pk=ticket.pk).collaborators.all()) == [other_agent]
    finally:
        context.close()
