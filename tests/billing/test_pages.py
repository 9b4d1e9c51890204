"""The staff pages of time and billing: the ticket page's Time panel and the composer's time
spent, changing an entry, and the managers' billing page (who may see it, over-contract first,
drill-down, contract, month close, and a query count that does not grow with organisations)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Organization, SupportPlan
from audit.models import AuditEvent
from billing.models import ClosedMonth, Contract, TimeEntry
from tests.billing.factories import TimeEntryFactory
from tests.factories import AgentFactory, TicketFactory
from tests.tickets.helpers import client_for, owned_ticket

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_an_agent_logs_time_from_the_ticket_page(agent, ticket, on_site):
    client = client_for(agent)
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert 'id="h-time"' in page
    response = client.post(
        f"/billing/tickets/{ticket.pk}/time/",
        {"time-minutes": "25", "time-work_type": on_site.pk, "time-billable": "on"},
    )
    assert response.status_code == 302
    entry = TimeEntry.objects.get()
    assert (entry.minutes, entry.work_type, entry.agent, entry.billable) == (
        25,
        on_site,
        agent,
        True,
    )
    assert entry.started_at == NOW - timedelta(minutes=25)
    assert "25 min logged" in client.get(f"/tickets/{ticket.pk}/").content.decode()


def test_bad_time_comes_back_with_the_field_error_and_logs_nothing(agent, ticket, remote):
    response = client_for(agent).post(
        f"/billing/tickets/{ticket.pk}/time/", {"time-minutes": "0", "time-work_type": remote.pk}
    )
    assert response.status_code == 400
    assert "Give at least 1 minute." in response.content.decode()
    assert not TimeEntry.objects.exists()


def test_the_composer_logs_time_spent_beside_a_public_update_and_a_note(agent, remote):
    ticket = owned_ticket(agent)
    client = client_for(agent)
    response = client.post(
        f"/tickets/{ticket.pk}/updates/public/",
        {
            "body": "Replaced the toner.",
            "promise": "default",
            "status": ticket.status,
            "time_spent": "20",
            "time_work_type": remote.pk,
        },
    )
    assert response.status_code == 302
    client.post(f"/tickets/{ticket.pk}/updates/note/", {"body": "Checked.", "time_spent": "5"})
    client.post(f"/tickets/{ticket.pk}/updates/note/", {"body": "No time on this one."})
    assert sorted(TimeEntry.objects.values_list("minutes", flat=True)) == [5, 20]
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "data-timer-toggle" in page
    assert "timer.js" in page


def test_the_composer_refuses_impossible_time_spent_and_sends_nothing(agent):
    ticket = owned_ticket(agent)
    response = client_for(agent).post(
        f"/tickets/{ticket.pk}/updates/note/", {"body": "Checked.", "time_spent": "2000"}
    )
    assert response.status_code == 400
    assert not TimeEntry.objects.exists()


def test_the_author_changes_their_entry_until_it_locks(agent, ticket, remote, frozen):
    entry = TimeEntryFactory(ticket=ticket, agent=agent, work_type=remote, created_at=NOW)
    client = client_for(agent)
    form = {
        "time-minutes": "40",
        "time-work_type": remote.pk,
        "time-started_at": "2026-11-19T09:00",
        "time-billable": "on",
    }
    assert client.post(f"/billing/entries/{entry.pk}/", form).status_code == 302
    entry.refresh_from_db()
    assert entry.minutes == 40
    frozen.shift(timedelta(days=8))
    panel = client.get(f"/tickets/{ticket.pk}/").content.decode().split('id="h-time"')[1]
    assert f"/billing/entries/{entry.pk}/" not in panel
    refused = client.post(f"/billing/entries/{entry.pk}/", {**form, "time-minutes": "45"})
    assert refused.status_code == 400
    assert "locked" in refused.content.decode()
    entry.refresh_from_db()
    assert entry.minutes == 40


def test_a_manager_changes_a_locked_entry_with_a_reason(agent, manager, ticket, remote, frozen):
    entry = TimeEntryFactory(ticket=ticket, agent=agent, work_type=remote, created_at=NOW)
    frozen.shift(timedelta(days=8))
    client = client_for(manager)
    form = {
        "time-minutes": "10",
        "time-work_type": remote.pk,
        "time-started_at": "2026-11-10T10:00",
    }
    assert client.post(f"/billing/entries/{entry.pk}/", form).status_code == 400
    saved = client.post(f"/billing/entries/{entry.pk}/", {**form, "time-reason": "Typo"})
    assert saved.status_code == 302
    assert AuditEvent.objects.get(action="time_entry_changed").detail["reason"] == "Typo"


def test_the_billing_page_is_for_managers_only(agent, contact, manager):
    assert client_for(agent).get("/billing/").status_code == 403
    assert client_for(contact).get("/billing/").status_code == 404
    assert Client().get("/billing/").status_code == 302
    assert client_for(manager).get("/billing/").status_code == 200
    assert 'href="/billing/"' in client_for(manager).get("/").content.decode()


def test_the_billing_page_lists_over_contract_organisations_first(manager, remote):
    calm = TicketFactory(organization=Organization.objects.create(name="Aardvark Ltd"))
    busy = TicketFactory(organization=Organization.objects.create(name="Zebra Ltd"))
    Contract.objects.create(
        organization=busy.organization, included_minutes=60, rates={str(remote.pk): "60"}
    )
    TimeEntryFactory(ticket=calm, work_type=remote, minutes=30)
    TimeEntryFactory(ticket=busy, work_type=remote, minutes=90)
    page = client_for(manager).get("/billing/?month=2026-11").content.decode()
    assert page.index("Zebra Ltd") < page.index("Aardvark Ltd")
    assert "over contract" in page
    assert "30.00" in page  # Zebra's 30 minutes over at 60 an hour
    assert "/api/v1/time-entries/export/?month=2026-11" in page
    drill = client_for(manager).get(f"/billing/organizations/{busy.organization_id}/?month=2026-11")
    assert busy.reference in drill.content.decode()


@pytest.mark.parametrize("month", ["2026-13", "x", "99999-01"])
def test_a_bad_month_is_a_400_page_naming_it(manager, month):
    response = client_for(manager).get(f"/billing/?month={month}")
    assert response.status_code == 400
    assert "YYYY-MM" in response.content.decode()


def test_a_manager_closes_and_reopens_a_month_from_the_page(manager):
    client = client_for(manager)
    assert client.post("/billing/months/2026-10/close/").status_code == 302
    assert ClosedMonth.objects.filter(month="2026-10-01").exists()
    assert "Reopen October 2026" in client.get("/billing/?month=2026-10").content.decode()
    client.post("/billing/months/2026-10/reopen/")
    assert not ClosedMonth.objects.exists()
    assert client_for(AgentFactory()).post("/billing/months/2026-10/close/").status_code == 403


def test_a_manager_edits_the_contract(manager, organization, remote):
    client = client_for(manager)
    assert client.get(f"/billing/organizations/{organization.pk}/contract/").status_code == 200
    data = {
        "included_minutes": "600",
        "rounding_minutes": "15",
        "out_of_hours_multiplier": "1.5",
        f"rate_{remote.pk}": "95.00",
    }
    assert (
        client.post(f"/billing/organizations/{organization.pk}/contract/", data).status_code == 302
    )
    contract = Contract.objects.get(organization=organization)
    assert contract.rates == {str(remote.pk): "95.00"}
    assert contract.out_of_hours_multiplier == Decimal("1.5")
    assert AuditEvent.objects.filter(action="settings_changed").exists()
    bad = client.post(
        f"/billing/organizations/{organization.pk}/contract/", {**data, "included_minutes": "-5"}
    )
    assert bad.status_code == 400


def _organizations(count: int, start: int) -> None:
    plan = SupportPlan.default()
    Organization.objects.bulk_create(
        Organization(name=f"Bulk {start + n:05d}", support_plan=plan) for n in range(count)
    )


def _billing_page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/billing/?month=2026-11").status_code == 200
    return len(queries)


def test_the_billing_page_runs_the_same_queries_for_2000_organisations_as_for_20(
    manager, remote, on_site
):
    client = client_for(manager)
    _organizations(20, 0)
    some = list(Organization.objects.order_by("pk")[:3])
    for organization in some:
        Contract.objects.create(organization=organization, included_minutes=30)
        TimeEntryFactory(ticket=TicketFactory(organization=organization), work_type=remote)
    few = _billing_page_queries(client)
    _organizations(1980, 20)
    more = list(Organization.objects.order_by("-pk")[:3])
    for organization in more:
        Contract.objects.create(organization=organization, rates={str(on_site.pk): "80"})
        TimeEntryFactory(ticket=TicketFactory(organization=organization), work_type=on_site)
    assert Organization.objects.count() >= 2000
    assert _billing_page_queries(client) == few


def _usage_row(name: str, included: int, minutes: int, work_type) -> Organization:
    organization = Organization.objects.create(name=name)
    Contract.objects.create(
        organization=organization, included_minutes=included, rates={str(work_type.pk): "60"}
    )
    TimeEntryFactory(
        ticket=TicketFactory(organization=organization), work_type=work_type, minutes=minutes
    )
    return organization


def test_the_billing_page_shows_100_organisations_a_page_over_contract_first_then_by_amount(
    manager, remote
):
    _organizations(230, 0)
    _usage_row("Aaa small over", 60, 70, remote)  # 10 min over: 10.00
    _usage_row("Zzz big over", 60, 120, remote)  # 60 min over: 60.00
    _usage_row("Mmm pay as you go", 0, 300, remote)  # 300 min charged, none included: 300.00
    client = client_for(manager)
    first = client.get("/billing/?month=2026-11").content.decode()
    assert first.index("Zzz big over") < first.index("Aaa small over")
    assert first.index("Aaa small over") < first.index("Mmm pay as you go")
    assert first.index("Mmm pay as you go") < first.index("Bulk 00000")
    assert "Bulk 00096" in first
    assert "Bulk 00097" not in first
    assert "Organisations 1 to 100 of 233" in first
    assert 'href="?month=2026-11&amp;page=2"' in first
    assert 'href="?month=2026-11&amp;page=3"' in first
    # The whole month's totals, whichever page: 490 min logged, 370.00 charged, 2 over.
    third = client.get("/billing/?month=2026-11&page=3").content.decode()
    assert "Organisations 201 to 233 of 233" in third
    assert "Bulk 00229" in third
    assert "Zzz big over" not in third
    for page in (first, third):
        assert "8.17 h" in page
        assert "370.00" in page
        assert "<dt>Over contract</dt><dd>2</dd>" in page
    assert 'rel="next"' not in third
    assert 'href="?month=2026-11&amp;page=2" rel="prev"' in third


@pytest.mark.parametrize("page", ["0", "-1", "x", "2", "1.5", "", "\u0661", "9" * 5000])
def test_a_bad_page_number_is_a_400_naming_the_range_and_shows_the_first_page(
    manager, remote, page
):
    _usage_row("Only Ltd", 60, 90, remote)
    response = client_for(manager).get("/billing/", {"month": "2026-11", "page": page})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Give a page number from 1 to 1." in body
    assert "Only Ltd" in body


def test_the_billing_page_keeps_its_query_count_on_a_later_page(manager, remote):
    _organizations(250, 0)
    _usage_row("Over Ltd", 60, 90, remote)
    client = client_for(manager)
    with CaptureQueriesContext(connection) as first:
        assert client.get("/billing/?month=2026-11").status_code == 200
    with CaptureQueriesContext(connection) as last:
        assert client.get("/billing/?month=2026-11&page=3").status_code == 200
    assert len(last) == len(first)
