"""Bulk actions from the queue (issue 21 item 4): POST /api/v1/tickets/bulk/ and the queue form."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from incidents import services as incident_services
from incidents.models import IncidentLink
from tests.factories import ContactFactory, TicketFactory
from tests.tickets.helpers import client_for, owned_ticket
from tickets import services as ticket_services
from tickets.bulk import MAX_TICKETS
from tickets.models import Status
from updates.models import OutboxKind, OutboxMessage, Promise, PromiseOutcome, TimelineEntry

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def bulk(user, tickets, action, **params):
    return api(user).post(
        "/api/v1/tickets/bulk/",
        {
            "tickets": [t if isinstance(t, int) else t.pk for t in tickets],
            "action": action,
            **params,
        },
        format="json",
    )


def new_tickets(organization, n):
    return [TicketFactory(organization=organization) for _ in range(n)]


def test_assign_gives_every_ticket_the_owner_with_its_own_timeline_event(
    agent, other_agent, organization
):
    unowned = new_tickets(organization, 2)
    owned = owned_ticket(other_agent, organization=organization)

    response = bulk(
        agent, [*unowned, owned], "assign", owner=agent.pk, handover_note="Covering for Bob"
    )

    assert response.status_code == 200, response.json()
    assert response.json() == {"updated": 3}
    for ticket in [*unowned, owned]:
        ticket.refresh_from_db()
        assert ticket.owner_id == agent.pk
        event = TimelineEntry.objects.filter(ticket=ticket, event="owner_changed").last()
        assert event.data["new"] == agent.pk
    handover = TimelineEntry.objects.filter(ticket=owned, event="owner_changed").last()
    assert handover.body == "Covering for Bob"
    assert Promise.objects.get(ticket=owned, outcome=PromiseOutcome.PENDING).owner_id == agent.pk


def test_assign_without_a_handover_note_names_the_owned_tickets_and_changes_nothing(
    agent, other_agent, organization
):
    free = TicketFactory(organization=organization)
    taken = owned_ticket(other_agent, organization=organization)

    response = bulk(agent, [free, taken, 10**12], "assign", owner=agent.pk)

    assert response.status_code == 400
    assert "owner" in response.json()
    assert sorted(response.json()["tickets"]) == sorted([taken.pk, 10**12])
    free.refresh_from_db()
    assert free.owner_id is None


def test_status_change_moves_each_ticket_and_keeps_the_rules(agent, organization):
    tickets = [owned_ticket(agent, organization=organization) for _ in range(3)]

    response = bulk(agent, tickets, "status", status=Status.WAITING_ON_CUSTOMER)

    assert response.status_code == 200
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.status == Status.WAITING_ON_CUSTOMER
        assert ticket.next_update_due is None
        assert not Promise.objects.filter(ticket=ticket, outcome=PromiseOutcome.PENDING).exists()
        assert TimelineEntry.objects.filter(
            ticket=ticket, event="status_changed", data__new=Status.WAITING_ON_CUSTOMER
        ).exists()

    response = bulk(agent, tickets, "status", status=Status.IN_PROGRESS)

    assert response.status_code == 200
    for ticket in tickets:
        ticket.refresh_from_db()
        promise = Promise.objects.get(ticket=ticket, outcome=PromiseOutcome.PENDING)
        assert ticket.next_update_due == promise.due_at
        assert promise.alerts.count() == 3


def test_resolving_in_bulk_sends_each_requester_the_resolution_email(agent, organization):
    tickets = [owned_ticket(agent, organization=organization) for _ in range(2)]

    assert bulk(agent, tickets, "status", status=Status.RESOLVED).status_code == 200

    for ticket in tickets:
        assert (
            OutboxMessage.objects.filter(ticket=ticket, kind=OutboxKind.CUSTOMER_RESOLUTION).count()
            == 1
        )


def test_an_impossible_status_names_status_and_every_failing_ticket(agent, organization):
    fine = owned_ticket(agent, organization=organization)
    closed = owned_ticket(agent, organization=organization)
    ticket_services.change_status(closed, status=Status.CLOSED, by=agent)

    response = bulk(agent, [fine, closed], "status", status=Status.OPEN)

    assert response.status_code == 400
    assert "status" in response.json()
    assert response.json()["tickets"] == [closed.pk]


def test_link_incident_links_each_ticket_with_a_note(agent, organization):
    tickets = new_tickets(organization, 3)
    incident = incident_services.create_incident(by=agent, title="Exchange outage")

    response = bulk(agent, tickets, "link_incident", incident=incident.pk)

    assert response.status_code == 200
    assert IncidentLink.objects.filter(incident=incident).count() == 3
    for ticket in tickets:
        assert TimelineEntry.objects.filter(
            ticket=ticket, kind="internal_note", body__contains=incident.reference
        ).exists()


def test_merge_into_one_merges_every_other_ticket(agent, organization):
    survivor, *others = new_tickets(organization, 3)

    response = bulk(agent, [survivor, *others], "merge", into=survivor.pk)

    assert response.status_code == 200
    for ticket in others:
        ticket.refresh_from_db()
        assert ticket.merged_into_id == survivor.pk
        assert ticket.status == Status.CLOSED
    survivor.refresh_from_db()
    assert survivor.merged_into_id is None


def test_merge_across_organisations_names_into_and_the_tickets(agent, organization):
    survivor = TicketFactory(organization=organization)
    foreign = TicketFactory()

    response = bulk(agent, [foreign], "merge", into=survivor.pk)

    assert response.status_code == 400
    assert "into" in response.json()
    assert response.json()["tickets"] == [foreign.pk]


def test_more_than_the_limit_is_refused(agent):
    response = bulk(agent, list(range(1, MAX_TICKETS + 2)), "status", status="open")
    assert response.status_code == 400
    assert "tickets" in response.json()


def test_a_missing_action_field_is_named(agent, organization):
    response = bulk(agent, new_tickets(organization, 1), "assign")
    assert response.status_code == 400
    assert "owner" in response.json()


def test_contacts_get_404(contact, organization):
    ticket = TicketFactory(organization=organization, requester=contact)
    assert bulk(contact, [ticket], "status", status="open").status_code == 404


def _queries(user, tickets, action, **params) -> int:
    client = api(user)
    payload = {"tickets": [t.pk for t in tickets], "action": action, **params}
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/api/v1/tickets/bulk/", payload, format="json")
    assert response.status_code == 200, response.json()
    return len(captured)


@pytest.mark.parametrize("action", ["assign", "waiting", "reopen", "resolve", "link", "merge"])
def test_the_query_count_does_not_grow_with_the_number_of_tickets(
    agent, other_agent, organization, action
):
    counts = []
    for n in (5, 50):
        requesters = [ContactFactory(organization=organization) for _ in range(2)]
        tickets = [
            owned_ticket(other_agent, organization=organization, requester=requesters[i % 2])
            for i in range(n)
        ]
        if action == "assign":
            params = {"action": "assign", "owner": agent.pk, "handover_note": "Over to Alice"}
        elif action == "waiting":
            params = {"action": "status", "status": Status.WAITING_ON_CUSTOMER}
        elif action == "reopen":
            for ticket in tickets:
                ticket_services.change_status(
                    ticket, status=Status.WAITING_ON_CUSTOMER, by=other_agent
                )
            params = {"action": "status", "status": Status.IN_PROGRESS}
        elif action == "resolve":
            params = {"action": "status", "status": Status.RESOLVED}
        elif action == "link":
            incident = incident_services.create_incident(by=agent, title=f"Outage {n}")
            incident_services.post_incident_update(incident, by=agent, body="We are on it.")
            params = {"action": "link_incident", "incident": incident.pk}
        else:
            survivor = owned_ticket(other_agent, organization=organization)
            params = {"action": "merge", "into": survivor.pk}
        action_name = params.pop("action")
        counts.append(_queries(agent, tickets, action_name, **params))
    assert counts[0] == counts[1]


def test_the_queue_form_applies_a_bulk_action_without_javascript(agent, organization):
    tickets = new_tickets(organization, 2)

    response = client_for(agent).post(
        reverse("queue-bulk"),
        {"tickets": [t.pk for t in tickets], "action": "assign", "owner": agent.pk, "next": "/"},
    )

    assert response.status_code == 302
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.owner_id == agent.pk


def test_the_queue_form_shows_what_failed(agent, other_agent, organization):
    taken = owned_ticket(other_agent, organization=organization)

    response = client_for(agent).post(
        reverse("queue-bulk"), {"tickets": [taken.pk], "action": "assign", "owner": agent.pk}
    )

    assert response.status_code == 400
    assert taken.reference in response.content.decode()
    taken.refresh_from_db()
    assert taken.owner_id == other_agent.pk


def test_assigning_in_bulk_tells_the_new_owner_of_each_ticket_handed_to_them(
    agent, other_agent, organization
):
    tickets = [owned_ticket(other_agent, organization=organization) for _ in range(3)]

    response = bulk(agent, tickets, "assign", owner=other_agent.pk)  # nothing changes hands
    assert response.status_code == 200
    assert not OutboxMessage.objects.filter(kind=OutboxKind.HANDOVER).exists()

    response = bulk(
        other_agent, tickets, "assign", owner=agent.pk, handover_note="Over to you, Alice"
    )

    assert response.status_code == 200, response.json()
    handovers = OutboxMessage.objects.filter(kind=OutboxKind.HANDOVER, recipient=agent)
    assert set(handovers.values_list("ticket_id", flat=True)) == {t.pk for t in tickets}
    assert set(handovers.values_list("channel", flat=True)) == {"in_app", "email"}
    # Assigning to yourself tells nobody.
    more = [owned_ticket(other_agent, organization=organization) for _ in range(2)]
    bulk(agent, more, "assign", owner=agent.pk, handover_note="Mine now")
    assert handovers.count() == 6
