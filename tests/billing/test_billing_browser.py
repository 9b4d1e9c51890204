"""Done when: an agent times their work with the composer's timer (which survives a reload),
sends the update and finds the time in the ticket's Time panel; a manager reads the month on
the billing page, over-contract customers first, and drills down."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Organization, SupportPlan
from billing.models import Contract, TimeEntry
from tests.billing.factories import TimeEntryFactory
from tests.browser import save_screenshot
from tests.factories import OrganizationFactory, TicketFactory
from tests.tickets.helpers import owned_ticket

pytestmark = pytest.mark.browser


def test_the_timer_survives_a_reload_and_its_time_goes_with_the_update(
    live_server, signed_in_page, agent, organization, work_types
):
    ticket = owned_ticket(agent, organization=organization, subject="Label printer offline")
    page = signed_in_page(agent)
    page.clock.install()
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    composer = page.locator("#compose-public")
    composer.get_by_role("button", name="Start timer").click()
    page.clock.fast_forward("05:30")
    page.reload()
    composer = page.locator("#compose-public")
    # Still running after the reload: 5 minutes 30 seconds and counting.
    stop = composer.get_by_role("button", name="Stop timer")
    stop.wait_for()
    assert composer.locator("[data-timer-clock]").inner_text().startswith("5:3")
    save_screenshot(page, "billing-timer-running")
    stop.click()
    assert composer.locator("input[name=time_spent]").input_value() == "6"
    composer.locator("textarea[name=body]").fill("The printer is back online; we changed its IP.")
    composer.get_by_role("button", name="Send to customer").click()
    page.locator(".messages li.success", has_text="6 min logged").wait_for()
    entry = TimeEntry.objects.get()
    assert (entry.ticket_id, entry.agent_id, entry.minutes) == (ticket.pk, agent.pk, 6)
    panel = page.locator("#time")
    assert "6 min" in panel.inner_text()
    # The timer was stopped: a fresh page shows it ready to start again.
    page.reload()
    page.locator("#compose-public").get_by_role("button", name="Start timer").wait_for()
    save_screenshot(page, "billing-ticket-time-panel")


def test_a_manager_reads_the_month_and_drills_down(live_server, signed_in_page, manager, remote):
    busy = OrganizationFactory(name="Zebra Logistics")
    Contract.objects.create(organization=busy, included_minutes=60, rates={str(remote.pk): "90"})
    quiet = OrganizationFactory(name="Acme Bakery")
    started = timezone.now() - timedelta(hours=1)
    month = timezone.localtime(started).strftime("%Y-%m")
    busy_ticket = TicketFactory(organization=busy, subject="Warehouse Wi-Fi drops")
    TimeEntryFactory(ticket=busy_ticket, work_type=remote, minutes=150, started_at=started)
    TimeEntryFactory(
        ticket=TicketFactory(organization=quiet), work_type=remote, minutes=20, started_at=started
    )
    page = signed_in_page(manager)
    page.goto(f"{live_server.url}/billing/?month={month}")
    rows = page.locator("table.billing tbody tr")
    assert "Zebra Logistics" in rows.first.inner_text()
    assert "over contract" in rows.first.inner_text()
    save_screenshot(page, "billing-page")
    page.get_by_role("link", name="Zebra Logistics").click()
    page.get_by_role("heading", name="Tickets").wait_for()
    assert busy_ticket.reference in page.content()
    save_screenshot(page, "billing-organization")


def test_a_manager_pages_through_the_month_with_plain_links(
    live_server, signed_in_page, manager, remote
):
    plan = SupportPlan.default()
    Organization.objects.bulk_create(
        Organization(name=f"Customer {n:03d}", support_plan=plan) for n in range(120)
    )
    busy = OrganizationFactory(name="Zebra Logistics")
    Contract.objects.create(organization=busy, included_minutes=60, rates={str(remote.pk): "90"})
    started = timezone.now() - timedelta(hours=1)
    month = timezone.localtime(started).strftime("%Y-%m")
    TimeEntryFactory(
        ticket=TicketFactory(organization=busy), work_type=remote, minutes=150, started_at=started
    )
    page = signed_in_page(manager)
    page.goto(f"{live_server.url}/billing/?month={month}")
    assert "Zebra Logistics" in page.locator("table.billing tbody tr").first.inner_text()
    assert page.get_by_role("heading", name="Organisations 1 to 100 of 121").is_visible()
    page.get_by_role("link", name="Next →").click()
    page.get_by_role("heading", name="Organisations 101 to 121 of 121").wait_for()
    assert f"month={month}&page=2" in page.url
    assert "Zebra Logistics" not in page.locator("table.billing").inner_text()
    assert "135.00" in page.locator("dl.facts").inner_text()  # the month's amount, on page 2
    save_screenshot(page, "billing-page-2")
