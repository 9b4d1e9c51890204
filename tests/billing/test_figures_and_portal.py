"""Time where others read it: an agent's own time per day in My figures, hours per customer on
the manager dashboard, and the portal's hours against the contract for an organisation admin
(never rates, amounts or notes)."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine

from billing.models import Contract
from tests.billing.factories import TimeEntryFactory
from tests.factories import OrganizationFactory, TicketFactory
from tests.tickets.helpers import client_for

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_my_figures_show_my_own_time_per_day(agent, other_agent, ticket, remote):
    TimeEntryFactory(ticket=ticket, agent=agent, work_type=remote, minutes=90, started_at=NOW)
    TimeEntryFactory(
        ticket=ticket,
        agent=agent,
        work_type=remote,
        minutes=30,
        started_at=datetime(2026, 11, 18, 9, 0, tzinfo=UTC),
    )
    TimeEntryFactory(
        ticket=ticket, agent=other_agent, work_type=remote, minutes=600, started_at=NOW
    )
    page = client_for(agent).get("/dashboard/mine/").content.decode()
    section = page.split('id="h-my-time"')[1]
    assert 'Fri 20 Nov</td><td class="num">1.50' in section
    assert 'Wed 18 Nov</td><td class="num">0.50' in section
    assert "10.00" not in section


def test_the_manager_dashboard_shows_hours_per_customer(manager, ticket, remote):
    TimeEntryFactory(ticket=ticket, work_type=remote, minutes=45, started_at=NOW)
    page = client_for(manager).get("/dashboard/").content.decode()
    section = page.split('id="h-hours-per-customer"')[1].split("</section>")[0]
    assert ticket.organization.name in section
    assert "0.75" in section


def test_an_organisation_admin_sees_hours_used_against_the_contract_and_no_money(
    client, org_admin, contact, ticket, remote
):
    Contract.objects.create(
        organization=ticket.organization,
        included_minutes=600,
        rates={str(remote.pk): "97.35"},
        rounding_minutes=15,
        out_of_hours_multiplier=Decimal("2"),
    )
    TimeEntryFactory(
        ticket=ticket, work_type=remote, minutes=80, started_at=NOW, note="Secret internal note"
    )
    client.force_login(org_admin)
    page = client.get("/portal/").content.decode()
    assert "1.5 h</strong> used of the 10.0 h your contract includes" in page
    for secret in ("97.35", "Secret internal note", "EUR", "rate"):
        assert secret not in page
    client.force_login(contact)
    assert "Support hours" not in client.get("/portal/").content.decode()


def _two_customers_with_time(ticket, remote):
    """The admin's organisation: 30 minutes over at 97.35 an hour (48.68); another customer
    with its own rate and a larger bill that must never show."""
    Contract.objects.create(
        organization=ticket.organization,
        included_minutes=60,
        rates={str(remote.pk): "97.35"},
        rounding_minutes=15,
    )
    TimeEntryFactory(
        ticket=ticket, work_type=remote, minutes=80, started_at=NOW, note="Secret internal note"
    )
    other = TicketFactory(organization=OrganizationFactory(name="Other Customer plc"))
    Contract.objects.create(organization=other.organization, rates={str(remote.pk): "55.55"})
    TimeEntryFactory(
        ticket=other, work_type=remote, minutes=600, started_at=NOW, note="Their own note"
    )
    return other.organization


def test_by_default_the_portal_and_the_usage_api_show_an_organisation_admin_no_amount(
    client, api_as, org_admin, ticket, remote, settings
):
    settings.PORTAL_SHOWS_AMOUNTS = False
    _two_customers_with_time(ticket, remote)
    client.force_login(org_admin)
    page = client.get("/portal/").content.decode()
    assert "1.5 h</strong> used of the 1.0 h your contract includes" in page
    for secret in (
        "48.68",
        "Charged so far",
        "97.35",
        "55.55",
        "555.50",
        "Secret internal note",
        "Their own note",
        "EUR",
    ):
        assert secret not in page
    usage = api_as(org_admin).get(
        f"/api/v1/organizations/{ticket.organization.pk}/usage/?month=2026-11"
    )
    assert "amount" not in usage.json()
    assert "currency" not in usage.json()


def test_with_portal_amounts_on_an_admin_sees_their_own_amount_and_nothing_of_others(
    client, api_as, org_admin, contact, ticket, remote, settings
):
    settings.PORTAL_SHOWS_AMOUNTS = True
    other = _two_customers_with_time(ticket, remote)
    client.force_login(org_admin)
    page = client.get("/portal/").content.decode()
    assert "Charged so far this month: <strong>48.68 EUR</strong>" in page
    for secret in ("97.35", "55.55", "555.50", "Secret internal note", "Their own note"):
        assert secret not in page
    usage = api_as(org_admin).get(
        f"/api/v1/organizations/{ticket.organization.pk}/usage/?month=2026-11"
    )
    assert usage.json()["amount"] == "48.68"
    assert usage.json()["currency"] == "EUR"
    assert "rates" not in usage.json()
    others = api_as(org_admin).get(f"/api/v1/organizations/{other.pk}/usage/?month=2026-11")
    assert others.status_code == 404
    # A plain contact still sees no hours and no money at all.
    client.force_login(contact)
    plain = client.get("/portal/").content.decode()
    assert "Support hours" not in plain
    assert "Charged so far" not in plain
