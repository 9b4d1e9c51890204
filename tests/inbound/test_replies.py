"""A reply (our Message-ID in In-Reply-To/References, or the [SD-n] tag in its subject) from a
contact of the ticket's organisation becomes a public customer reply with the new text only,
bringing a ticket waiting on the customer back to open with a new promise; a resolved ticket
reopens within INBOUND_REOPEN_DAYS, later (or closed) a follow-up ticket is opened."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from inbound.models import Outcome
from tests.factories import TicketFactory
from tickets import services as ticket_services
from tickets.models import Status, Ticket
from updates.models import EntryKind, Promise, PromiseOutcome, TimelineEntry

from .support import corpus, ingest, our_message_id

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 7, 10, 14, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
def ticket(organization, contact, agent):
    with time_machine.travel(NOW - timedelta(hours=2), tick=False):
        ticket = TicketFactory(organization=organization, requester=contact, owner=agent)
    return ticket


def replies(ticket):
    return list(TimelineEntry.objects.filter(ticket=ticket, kind=EntryKind.CUSTOMER_REPLY))


@pytest.mark.parametrize(
    ("name", "new_text", "stripped"),
    [
        # A bare first-name sign-off is part of what the customer wrote: it stays.
        (
            "gmail_reply.eml",
            "Thanks, it prints again. The tray was the problem.\n\nPriya",
            ["On Mon, 7 Dec 2026 at 10:02", "> Hello Priya", "> We cleared the jam"],
        ),
        (
            "outlook_reply.eml",
            "It jammed again after lunch, same tray.",
            [
                "Kind regards,",
                "Office Manager | Northwind Traders",
                "Sent: 07 December",
                "We cleared the jam",
            ],
        ),
        (
            "apple_reply.eml",
            "Sent from the new printer: all fine now, thank you.",
            ["wrote:", "> We cleared the jam"],
        ),
    ],
)
def test_a_reply_adds_the_new_text_and_keeps_the_original_for_staff(
    ticket, contact, name, new_text, stripped
):
    raw = corpus(name, ticket=ticket, message_id=our_message_id(ticket))
    with time_machine.travel(NOW, tick=False):
        message = ingest(raw)

    assert message.outcome == Outcome.REPLY_ADDED
    assert message.ticket == ticket
    [reply] = replies(ticket)
    assert reply.is_public
    assert reply.author == contact
    # Exactly the new text: the quoted history and the signature are gone from the customer's
    # reply, and kept whole in the original for staff.
    assert reply.body == new_text
    original = reply.data["original_body"]
    assert original.startswith(new_text.splitlines()[0])
    for text in stripped:
        assert text not in reply.body
        assert text in original


def test_the_subject_tag_alone_finds_the_ticket(ticket):
    # Outlook's reply names none of our Message-IDs: only the tag.
    message = ingest(corpus("outlook_reply.eml", ticket=ticket))
    assert message.ticket == ticket
    assert len(replies(ticket)) == 1


def test_a_reply_to_a_ticket_waiting_on_the_customer_opens_it_with_a_new_promise(ticket, agent):
    with time_machine.travel(NOW - timedelta(hours=1), tick=False):
        ticket_services.change_status(ticket, status=Status.WAITING_ON_CUSTOMER, by=agent)
    assert not Promise.objects.filter(ticket=ticket, outcome=PromiseOutcome.PENDING).exists()

    with time_machine.travel(NOW, tick=False):
        ingest(corpus("gmail_reply.eml", ticket=ticket, message_id=our_message_id(ticket)))

    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    pending = Promise.objects.get(ticket=ticket, outcome=PromiseOutcome.PENDING)
    assert pending.made_at == NOW


def test_a_reply_within_the_reopen_days_reopens_a_resolved_ticket(ticket, agent, settings):
    with time_machine.travel(NOW - timedelta(days=settings.INBOUND_REOPEN_DAYS - 1), tick=False):
        ticket_services.change_status(ticket, status=Status.RESOLVED, by=agent)
    with time_machine.travel(NOW, tick=False):
        message = ingest(
            corpus("gmail_reply.eml", ticket=ticket, message_id=our_message_id(ticket))
        )
    ticket.refresh_from_db()
    assert message.outcome == Outcome.REPLY_ADDED
    assert ticket.status == Status.OPEN


@pytest.mark.parametrize("closed", [False, True])
def test_a_late_reply_or_one_to_a_closed_ticket_opens_a_follow_up(ticket, agent, settings, closed):
    with time_machine.travel(NOW - timedelta(days=settings.INBOUND_REOPEN_DAYS + 1), tick=False):
        ticket_services.change_status(ticket, status=Status.RESOLVED, by=agent)
        if closed:
            ticket_services.change_status(ticket, status=Status.CLOSED, by=agent)
    with time_machine.travel(NOW, tick=False):
        message = ingest(
            corpus("gmail_reply.eml", ticket=ticket, message_id=our_message_id(ticket))
        )

    ticket.refresh_from_db()
    assert ticket.status == (Status.CLOSED if closed else Status.RESOLVED)
    assert message.outcome == Outcome.TICKET_CREATED
    follow_up = message.ticket
    assert follow_up != ticket
    assert follow_up.description.startswith(f"Follow-up to {ticket.reference}.")
    assert replies(ticket) == []

    # Each ticket names the other in an internal event.
    opened = TimelineEntry.objects.get(ticket=ticket, event="follow_up_opened")
    back = TimelineEntry.objects.get(ticket=follow_up, event="follow_up_of")
    assert (opened.is_public, back.is_public) == (False, False)
    assert opened.data["linked_ticket"] == follow_up.pk
    assert back.data["linked_ticket"] == ticket.pk


def test_staff_follow_a_link_each_way_between_a_ticket_and_its_follow_up(
    ticket, agent, contact, settings
):
    from rest_framework.test import APIClient

    from tests.tickets.helpers import client_for

    with time_machine.travel(NOW - timedelta(days=settings.INBOUND_REOPEN_DAYS + 1), tick=False):
        ticket_services.change_status(ticket, status=Status.RESOLVED, by=agent)
    with time_machine.travel(NOW, tick=False):
        follow_up = ingest(
            corpus("gmail_reply.eml", ticket=ticket, message_id=our_message_id(ticket))
        ).ticket

    staff = client_for(agent)
    original_page = staff.get(f"/tickets/{ticket.pk}/").content.decode()
    follow_up_page = staff.get(f"/tickets/{follow_up.pk}/").content.decode()
    assert (
        f'Follow-up opened as <a href="/tickets/{follow_up.pk}/">{follow_up.reference}</a>.'
        in original_page
    )
    assert (
        f'Follow-up to <a href="/tickets/{ticket.pk}/">{ticket.reference}</a>, which was resolved.'
        in follow_up_page
    )

    # The customer sees neither event: not in the portal, not through the API.
    customer = client_for(contact)
    api = APIClient()
    api.force_authenticate(contact)
    for pk in (ticket.pk, follow_up.pk):
        page = customer.get(f"/portal/tickets/{pk}/")
        assert page.status_code == 200
        assert "Follow-up opened" not in page.content.decode()
        assert "which was resolved" not in page.content.decode()
        entries = api.get(f"/api/v1/tickets/{pk}/updates/").json()["results"]
        assert all(
            entry.get("event") not in ("follow_up_opened", "follow_up_of") for entry in entries
        )
        assert "Follow-up opened" not in str(entries)


def test_a_reply_with_a_tag_of_no_ticket_opens_a_new_one(organization, contact):
    message = ingest(corpus("outlook_reply.eml").replace(b"SD-TICKET", b"SD-999999"))
    assert message.outcome == Outcome.TICKET_CREATED
    assert Ticket.objects.count() == 1


def test_the_owner_hears_of_an_emailed_reply_in_the_bell_and_by_email(ticket, agent):
    from updates.keeper.delivery import deliver_in_app
    from updates.models import Notification, OutboxKind, OutboxMessage

    with time_machine.travel(NOW, tick=False):
        ingest(corpus("gmail_reply.eml", ticket=ticket, message_id=our_message_id(ticket)))
        notices = OutboxMessage.objects.filter(ticket=ticket, kind=OutboxKind.CUSTOMER_REPLY)
        assert {(n.recipient, n.channel) for n in notices} == {(agent, "in_app"), (agent, "email")}
        deliver_in_app([n.pk for n in notices])

    [notification] = Notification.objects.filter(recipient=agent, kind="customer_reply")
    assert notification.message.startswith(f"{ticket.reference} (")
    assert "replied: Thanks, it prints again." in notification.message


def test_staff_read_the_whole_email_the_customer_sees_the_new_text(ticket, agent, contact):
    from rest_framework.test import APIClient

    from tests.tickets.helpers import client_for

    ingest(corpus("gmail_reply.eml", ticket=ticket, message_id=our_message_id(ticket)))

    page = client_for(agent).get(f"/tickets/{ticket.pk}/").content.decode()
    assert "The whole email" in page
    assert "&gt; We cleared the jam" in page
    api = APIClient()
    api.force_authenticate(agent)
    [reply] = [
        entry
        for entry in api.get(f"/api/v1/tickets/{ticket.pk}/updates/").json()["results"]
        if entry["kind"] == "customer_reply"
    ]
    assert "> We cleared the jam" in reply["original_body"]
    assert "We cleared the jam" not in reply["body"]
    api.force_authenticate(contact)
    [reply] = [
        entry
        for entry in api.get(f"/api/v1/tickets/{ticket.pk}/updates/").json()["results"]
        if entry["kind"] == "customer_reply"
    ]
    assert "original_body" not in reply
    assert "data" not in reply
    portal = client_for(contact).get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert "Thanks, it prints again." in portal
    assert "We cleared the jam" not in portal
