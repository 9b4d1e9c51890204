"""Posting an incident update answers fast however many tickets are linked: the request runs the
vendor-mention guard once on the incident and writes one delivery row per ticket in one
statement; the per-ticket work (promises, cadence, emails) happens in the Celery fan-out."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents import services as incident_services
from incidents.models import IncidentDelivery, IncidentLink
from tests.factories import OrganizationFactory, TicketFactory
from tests.vendors.factories import EscalationFactory, VendorFactory
from updates.models import EntryKind, TimelineEntry

from .test_api import client_for


def incident_with(count: int, *, agent, vendor):
    """An incident linking `count` tickets of `count` organisations, a third escalated."""
    incident = incident_services.create_incident(by=agent, title=f"Relay down ({count})")
    tickets = [TicketFactory(organization=OrganizationFactory()) for _ in range(count)]
    for ticket in tickets[::3]:
        EscalationFactory(ticket=ticket, vendor=vendor, by=agent)
    IncidentLink.objects.bulk_create(
        IncidentLink(incident=incident, ticket=ticket, linked_by=agent) for ticket in tickets
    )
    return incident


def queries_to_post(client, incident, body: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            f"/api/v1/incidents/{incident.pk}/updates/", {"body": body}, format="json"
        )
    assert response.status_code == 201, response.content
    return len(queries)


@pytest.mark.django_db
def test_posting_an_update_runs_the_same_queries_for_5_or_50_linked_tickets(agent):
    vendor = VendorFactory(name="Contoso")
    small = incident_with(5, agent=agent, vendor=vendor)
    large = incident_with(50, agent=agent, vendor=vendor)
    client = client_for(agent)
    queries_to_post(client, small, "Warming up the connection and caches.")

    body = "We are rerouting email through the second relay."
    assert queries_to_post(client, small, body) == queries_to_post(client, large, body)
    # The request did no ticket's work: every delivery waits for the fan-out.
    assert IncidentDelivery.objects.filter(entry__incident=large).count() == 50
    assert not TimelineEntry.objects.filter(kind=EntryKind.PUBLIC_UPDATE).exists()


@pytest.mark.django_db
def test_the_page_posts_an_update_with_the_same_queries_for_5_or_50_linked_tickets(agent, client):
    vendor = VendorFactory(name="Contoso")
    small = incident_with(5, agent=agent, vendor=vendor)
    large = incident_with(50, agent=agent, vendor=vendor)
    client.force_login(agent)

    def post(incident) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                reverse("incidents:update", args=[incident.pk]),
                {"update-body": "We are rerouting email through the second relay."},
            )
        assert response.status_code in (200, 302)
        return len(queries)

    post(small)
    assert post(small) == post(large)


@pytest.mark.django_db
def test_the_guard_still_holds_back_a_vendor_named_on_any_linked_ticket(agent):
    vendor = VendorFactory(name="Contoso")
    large = incident_with(50, agent=agent, vendor=vendor)
    response = client_for(agent).post(
        f"/api/v1/incidents/{large.pk}/updates/",
        {"body": "Contoso is replacing the relay."},
        format="json",
    )
    assert response.status_code == 400
    assert not IncidentDelivery.objects.exists()
