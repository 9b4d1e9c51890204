"""The manager dashboard in a real browser: the Now panel refreshes itself through htmx."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser import save_screenshot
from tests.factories import TicketFactory
from tickets.models import Ticket
from updates.models import Promise, PromiseOutcome

pytestmark = pytest.mark.browser


def test_now_panel_shows_a_newly_breached_promise_without_a_reload(
    live_server, signed_in_page, settings, manager, agent, organization
):
    settings.DASHBOARD_REFRESH_SECONDS = 1  # instead of 30 s, so the test waits a second or two
    ticket = TicketFactory(organization=organization, owner=agent, impact=1, urgency=1)  # P1
    page = signed_in_page(manager)
    page.goto(f"{live_server.url}/dashboard/")
    row = f"[data-ticket='{ticket.reference}']"
    expect(page.locator(f"#panel-due {row}")).to_be_visible()  # first response due in 15 min
    expect(page.locator(f"#panel-breached {row}")).to_have_count(0)
    page.evaluate("window.notReloaded = true")

    # The deadline passes (moved into the past in the database rather than waited for).
    now = timezone.now()
    Promise.objects.filter(ticket=ticket, outcome=PromiseOutcome.PENDING).update(
        made_at=now - timedelta(minutes=20), due_at=now - timedelta(minutes=5)
    )
    Ticket.objects.filter(pk=ticket.pk).update(next_update_due=now - timedelta(minutes=5))

    breached_row = page.locator(f"#panel-breached {row}")
    expect(breached_row).to_be_visible(timeout=8_000)
    expect(breached_row).to_contain_text("5 min late")
    expect(breached_row).to_contain_text(organization.name)
    expect(breached_row).to_contain_text(agent.name)
    expect(page.locator(f"#panel-due {row}")).to_have_count(0)
    assert page.evaluate("window.notReloaded") is True  # swapped in place, not reloaded
    save_screenshot(page, "dashboard-now-breached")

    # One click to the ticket.
    breached_row.get_by_role("link").click()
    expect(page).to_have_url(f"{live_server.url}/tickets/{ticket.pk}/")


def test_reassign_from_the_now_panel_in_two_clicks_and_a_note(
    live_server, signed_in_page, manager, agent, other_agent, organization
):
    ticket = TicketFactory(organization=organization, owner=agent, impact=1, urgency=1)
    page = signed_in_page(manager)
    page.goto(f"{live_server.url}/dashboard/")
    row = page.locator(f"#panel-due [data-ticket='{ticket.reference}']")
    row.get_by_text("Reassign").click()  # loads the form into the row (htmx)
    row.get_by_label("New owner").select_option(label=other_agent.name)
    row.get_by_label("Handover note").fill("Customer is on site until 5.")
    row.get_by_role("button", name="Hand over").click()

    expect(page.locator("#now-panels .messages")).to_contain_text(
        f"{ticket.reference} is now owned by {other_agent.name}."
    )
    expect(page.locator(f"#panel-due [data-ticket='{ticket.reference}']")).to_contain_text(
        other_agent.name
    )
    ticket.refresh_from_db()
    assert ticket.owner == other_agent


def test_picking_an_owner_in_the_trend_filters_puts_the_id_in_the_url(
    live_server, signed_in_page, manager, agent, other_agent
):
    page = signed_in_page(manager)
    page.goto(f"{live_server.url}/dashboard/")
    owner = page.get_by_role("combobox", name="Owner")
    owner.fill("bob")
    page.get_by_role("option", name=re.compile("Bob Agent")).click()
    expect(owner).to_have_value("Bob Agent")
    page.get_by_role("button", name="Apply").click()

    expect(page).to_have_url(re.compile(rf"owner={other_agent.pk}(&|$)"))
    expect(page.get_by_role("combobox", name="Owner")).to_have_value("Bob Agent")
    expect(page.locator(".dash-filters .error")).to_have_count(0)
