"""Splitting customer messages off into a new ticket (issue 21 item 3): API.md, Split."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import ContactFactory
from tests.tickets.helpers import owned_ticket
from tickets.models import Status, Ticket
from updates import services as update_services
from updates.models import Promise, PromiseOutcome, TimelineEntry

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def split(user, ticket, entries, subject="Printer on floor 2"):
    return api(user).post(
        f"/api/v1/tickets/{ticket.pk}/split/",
        {"entries": entries, "subject": subject},
        format="json",
    )


@pytest.fixture
def ticket(organization, contact, agent):
    ticket = owned_ticket(agent, organization=organization, requester=contact, impact=2, urgency=2)
    return ticket


@pytest.fixture
def colleague(organization):
    return ContactFactory(
        name="Lee Colleague", email="lee@northwind.test", organization=organization
    )


def test_split_opens_a_new_ticket_from_the_chosen_replies(agent, ticket, contact, colleague):
    first = update_services.post_customer_reply(ticket, author=colleague, body="Floor 2 jams too")
    second = update_services.post_customer_reply(ticket, author=contact, body="Tray 3 as well")

    response = split(agent, ticket, [first.pk, second.pk])

    assert response.status_code == 201, response.json()
    new = Ticket.objects.get(pk=response.json()["id"])
    assert new.pk != ticket.pk
    assert new.organization_id == ticket.organization_id
    assert (new.impact, new.urgency) == (ticket.impact, ticket.urgency)
    assert new.owner_id is None
    assert new.status == Status.NEW
    assert new.requester_id == colleague.pk
    assert "Floor 2 jams too" in new.description
    assert "Tray 3 as well" in new.description
    assert new.subject == "Printer on floor 2"
    promise = Promise.objects.get(ticket=new, outcome=PromiseOutcome.PENDING)
    assert promise.is_first_response
    assert new.next_update_due == promise.due_at
    assert TimelineEntry.objects.filter(ticket=ticket, event="split_to").exists()
    assert TimelineEntry.objects.filter(ticket=new, event="split_from").exists()


def test_only_customer_replies_of_that_ticket_may_be_chosen(agent, ticket, contact, organization):
    note = update_services.add_internal_note(ticket, author=agent, body="Check the fuser")
    other = owned_ticket(agent, organization=organization, requester=contact)
    elsewhere = update_services.post_customer_reply(other, author=contact, body="Other problem")
    tickets_before = Ticket.objects.count()

    for entries in ([note.pk], [elsewhere.pk], [10**12], []):
        response = split(agent, ticket, entries)
        assert response.status_code == 400
        assert "entries" in response.json()
    assert Ticket.objects.count() == tickets_before


def test_a_contact_gets_403_when_splitting_a_ticket_they_can_see(ticket, contact):
    reply = update_services.post_customer_reply(ticket, author=contact, body="Floor 2 too")
    assert split(contact, ticket, [reply.pk]).status_code == 403


def test_a_blank_subject_is_refused(agent, ticket, contact):
    reply = update_services.post_customer_reply(ticket, author=contact, body="Floor 2 too")
    response = split(agent, ticket, [reply.pk], subject="   ")
    assert response.status_code == 400
    assert "subject" in response.json()
