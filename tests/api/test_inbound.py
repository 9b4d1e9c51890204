"""API.md "Email in and out": GET /api/v1/inbound/ lists inbound mail for staff; release and
discard decide on quarantined mail."""

import pytest

from inbound import services
from inbound.models import Outcome
from tests.inbound.support import corpus, plain
from tickets.models import Ticket
from updates.models import EntryKind, OutboxMessage, TimelineEntry

pytestmark = pytest.mark.django_db

URL = "/api/v1/inbound/"


def test_staff_see_each_message_with_its_outcome_and_reason(api_client_for, agent, contact):
    created = services.ingest(corpus("new_request.eml"))
    stranger = services.ingest(plain(sender="stranger@elsewhere.example"))

    response = api_client_for(agent).get(URL)

    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    assert rows[created.pk] == {
        "id": created.pk,
        "received_at": rows[created.pk]["received_at"],
        "sender": "priya@northwind.test",
        "subject": "Fwd: New starter needs a laptop",
        "message_id": "<new-request-1@northwind.test>",
        "outcome": "ticket_created",
        "reason": None,
        "ticket": created.ticket_id,
    }
    assert rows[stranger.pk]["outcome"] == "quarantined"
    assert rows[stranger.pk]["reason"] == "unknown_sender"
    assert rows[stranger.pk]["ticket"] is None
    filtered = api_client_for(agent).get(URL, {"outcome": "quarantined"}).json()["results"]
    assert [row["id"] for row in filtered] == [stranger.pk]


def test_contacts_may_not_list_inbound_mail(api_client_for, contact):
    assert api_client_for(contact).get(URL).status_code == 403


def test_release_to_a_ticket_posts_the_contacts_reply(api_client_for, agent, contact, ticket):
    message = services.ingest(
        plain(subject="Printer", headers="Authentication-Results: mx.evil.example; dmarc=fail")
    )
    # Quarantined by hand, as if authentication had failed.
    message.outcome, message.reason = Outcome.QUARANTINED, "unauthenticated"
    message.ticket = None
    message.save()
    Ticket.objects.exclude(pk=ticket.pk).delete()
    emails = OutboxMessage.objects.count()

    response = api_client_for(agent).post(
        f"{URL}{message.pk}/release/", {"ticket": ticket.pk}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["outcome"] == "reply_added"
    assert response.json()["ticket"] == ticket.pk
    [reply] = TimelineEntry.objects.filter(ticket=ticket, kind=EntryKind.CUSTOMER_REPLY)
    assert reply.author == contact
    assert OutboxMessage.objects.count() == emails


def test_release_of_an_unknown_sender_to_a_ticket_is_an_internal_note(
    api_client_for, agent, ticket
):
    message = services.ingest(plain(sender="stranger@elsewhere.example"))
    response = api_client_for(agent).post(
        f"{URL}{message.pk}/release/", {"ticket": ticket.pk}, format="json"
    )
    assert response.status_code == 200
    [note] = TimelineEntry.objects.filter(ticket=ticket, kind=EntryKind.INTERNAL_NOTE)
    assert "stranger@elsewhere.example" in note.body
    assert not note.is_public


def test_release_without_a_ticket_opens_one_as_a_new_contact_of_the_senders_domain(
    api_client_for, agent, contact
):
    message = services.ingest(plain(sender="Sam New <sam@northwind.test>"))
    assert message.reason == "unknown_sender"

    response = api_client_for(agent).post(f"{URL}{message.pk}/release/", {}, format="json")

    assert response.status_code == 200
    assert response.json()["outcome"] == "ticket_created"
    ticket = Ticket.objects.get(pk=response.json()["ticket"])
    assert ticket.requester.email == "sam@northwind.test"
    assert ticket.organization == contact.organization


def test_release_without_a_ticket_for_an_unknown_domain_is_refused(api_client_for, agent):
    message = services.ingest(plain(sender="stranger@elsewhere.example"))
    response = api_client_for(agent).post(f"{URL}{message.pk}/release/", {}, format="json")
    assert response.status_code == 400
    assert "ticket" in response.json()
    message.refresh_from_db()
    assert message.outcome == Outcome.QUARANTINED
    assert Ticket.objects.count() == 0


def test_discard_keeps_the_message_listed_as_discarded(api_client_for, agent):
    message = services.ingest(plain(sender="stranger@elsewhere.example"))
    response = api_client_for(agent).post(f"{URL}{message.pk}/discard/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["outcome"] == "discarded"


def test_only_quarantined_mail_is_released_or_discarded(api_client_for, agent, contact):
    message = services.ingest(corpus("new_request.eml"))
    client = api_client_for(agent)
    for action in ("release", "discard"):
        response = client.post(f"{URL}{message.pk}/{action}/", {}, format="json")
        assert response.status_code == 400
        assert "outcome" in response.json()
    assert Ticket.objects.count() == 1


def test_release_names_a_missing_ticket(api_client_for, agent):
    message = services.ingest(plain(sender="stranger@elsewhere.example"))
    response = api_client_for(agent).post(
        f"{URL}{message.pk}/release/", {"ticket": 999999}, format="json"
    )
    assert response.status_code == 400
    assert "ticket" in response.json()
