"""API.md "Email in and out": customer emails thread in mail clients (a stored Message-ID,
References/In-Reply-To to the ticket's earlier emails to the same person, our Reply-To, the
[SD-n] tag), automatic ones say so, and a send cap breaks mail loops."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from updates import services as update_services
from updates.models import OutboxMessage, OutboxStatus, TimelineEntry

from .keeper_support import deliver, make_ticket, smtp_server, smtp_settings

__all__ = ["smtp_server", "smtp_settings"]

OPENED = datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Europe/London"))


def customer_emails():
    return OutboxMessage.objects.filter(alert__isnull=True, channel="email").order_by("pk")


def deliver_all():
    return deliver(list(customer_emails().values_list("pk", flat=True)))


@pytest.fixture
def threaded(settings, smtp_settings):
    settings.INBOUND_EMAIL_ADDRESS = "help@desk.example"
    return smtp_settings


@pytest.mark.django_db
def test_emails_carry_their_stored_message_id_and_thread_to_earlier_ones(
    organization, contact, agent, threaded
):
    with time_machine.travel(OPENED, tick=False):
        ticket = make_ticket(organization=organization, priority=3, requester=contact, owner=agent)
        deliver_all()
        update_services.post_public_update(ticket, author=agent, body="We are on it.")
        deliver_all()

    ack_row, update_row = customer_emails()
    assert ack_row.email_message_id.endswith("@desk.example>")
    ack, update = threaded.to(contact.email)
    assert ack["Message-ID"] == ack_row.email_message_id
    assert update["Message-ID"] == update_row.email_message_id
    assert f"[{ticket.reference}]" in ack["Subject"]
    assert f"[{ticket.reference}]" in update["Subject"]
    assert ack["References"] is None
    assert update["In-Reply-To"] == ack_row.email_message_id
    assert update["References"] == ack_row.email_message_id
    assert ack["Reply-To"] == update["Reply-To"] == "help@desk.example"
    # The acknowledgement is automatic; the agent's own words are not.
    assert ack["Auto-Submitted"] == "auto-generated"
    assert update["Auto-Submitted"] is None


@pytest.mark.django_db
def test_a_retried_email_goes_out_with_the_same_message_id(
    organization, contact, agent, threaded, settings
):
    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=3, requester=contact, owner=agent)
        [row] = customer_emails()
        threaded.refuse_next = 1  # the mail server is busy the first time
        deliver_all()
        row.refresh_from_db()
        assert row.status == OutboxStatus.PENDING
        assert row.attempts == 1
        traveller.shift(timedelta(hours=1))
        deliver_all()

    [email] = threaded.to(contact.email)
    assert email["Message-ID"] == row.email_message_id


@pytest.mark.django_db
def test_the_send_cap_holds_back_emails_and_the_ticket_says_so(
    organization, contact, agent, threaded, settings
):
    settings.EMAIL_SEND_CAP = 3
    with time_machine.travel(OPENED, tick=False):
        ticket = make_ticket(organization=organization, priority=3, requester=contact, owner=agent)
        for number in range(4):
            update_services.post_public_update(ticket, author=agent, body=f"Update {number}.")
        deliver_all()

    statuses = list(customer_emails().values_list("status", flat=True))
    assert statuses == ["sent", "sent", "sent", "held", "held"]
    assert len(threaded.to(contact.email)) == 3
    held = TimelineEntry.objects.filter(ticket=ticket, event="email_held_back")
    assert held.count() == 2
    assert not held.first().is_public
    assert contact.email in held.first().body


@pytest.mark.django_db
def test_the_cap_counts_only_the_window(organization, contact, agent, threaded, settings):
    settings.EMAIL_SEND_CAP = 2
    with time_machine.travel(OPENED, tick=False) as traveller:
        ticket = make_ticket(organization=organization, priority=3, requester=contact, owner=agent)
        update_services.post_public_update(ticket, author=agent, body="One.")
        traveller.shift(timedelta(minutes=settings.EMAIL_SEND_CAP_MINUTES + 1))
        update_services.post_public_update(ticket, author=agent, body="Two.")
    assert OutboxStatus.HELD not in set(customer_emails().values_list("status", flat=True))


@pytest.mark.django_db
def test_the_owner_is_emailed_a_customers_reply_with_its_words(
    organization, contact, agent, threaded
):
    with time_machine.travel(OPENED, tick=False):
        ticket = make_ticket(organization=organization, priority=3, requester=contact, owner=agent)
        update_services.post_customer_reply(
            ticket, author=contact, body="Still broken <b>today</b>."
        )
        deliver(
            list(OutboxMessage.objects.filter(kind="customer_reply").values_list("pk", flat=True))
        )

    [email] = threaded.to(agent.email)
    assert email["Subject"].startswith(f"[{ticket.reference}] {contact.display_name} replied:")
    assert "Still broken <b>today</b>." in email.get_body(("plain",)).get_content()
    assert "Still broken &lt;b&gt;today&lt;/b&gt;." in email.get_body(("html",)).get_content()
