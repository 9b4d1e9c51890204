"""DESIGN rule 11: the requester hears from us when the ticket opens (with the first promise), on
every public update (with the next promise, in their time zone) and on resolution (with the
feedback link); one email per public update, even when it resolves the ticket."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import ContactFactory
from tickets import services as ticket_services
from updates import services as update_services
from updates.models import OutboxKind, OutboxMessage

from .keeper_support import deliver, make_ticket, smtp_server, smtp_settings

__all__ = ["smtp_server", "smtp_settings"]

LONDON = ZoneInfo("Europe/London")
OPENED = datetime(2026, 3, 2, 9, tzinfo=LONDON)


def deliver_customer_emails():
    ids = list(OutboxMessage.objects.filter(alert__isnull=True).values_list("pk", flat=True))
    return deliver(ids)


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(("html",)).get_content()


@pytest.fixture
def new_yorker(organization):
    return ContactFactory(
        organization=organization,
        email="dana@northwind.test",
        name="Dana Brooks",
        timezone="America/New_York",
    )


@pytest.mark.django_db
def test_new_ticket_is_acknowledged_with_its_first_promise_in_the_requesters_time(
    organization, new_yorker, smtp_settings
):
    with time_machine.travel(OPENED, tick=False):
        ticket = make_ticket(organization=organization, priority=2, requester=new_yorker)
        deliver_customer_emails()

    [ack] = smtp_settings.to(new_yorker.email)
    assert ack["Subject"].strip() == f"[{ticket.reference}] We have your request: {ticket.subject}"
    # Due 10:00 London = 05:00 in New York.
    assert "Next update by 05:00 your time, or sooner." in text_of(ack)
    assert "Next update by 05:00 your time, or sooner." in html_of(ack)
    assert f"/portal/tickets/{ticket.pk}/" in text_of(ack)


@pytest.mark.django_db
def test_each_public_update_is_emailed_with_the_next_promise(
    organization, agent, contact, smtp_settings
):
    with time_machine.travel(OPENED, tick=False) as traveller:
        ticket = make_ticket(organization=organization, priority=3, owner=agent, requester=contact)
        traveller.move_to(OPENED + timedelta(minutes=20))
        update_services.post_public_update(
            ticket, author=agent, body="We found the jammed roller and ordered a new one."
        )
        update_services.add_internal_note(ticket, author=agent, body="Roller part 44-1.")
        deliver_customer_emails()

    _ack, update = smtp_settings.to(contact.email)
    assert update["Subject"].strip() == f"[{ticket.reference}] Update: {ticket.subject}"
    body = text_of(update)
    assert "We found the jammed roller and ordered a new one." in body
    assert "Alice Agent posted an update" in body
    # P3: one business day from Monday 09:20 is Tuesday 09:20.
    assert "Next update by 09:20 tomorrow your time, or sooner." in body
    assert "Roller part" not in body


@pytest.mark.django_db
def test_an_update_that_resolves_sends_one_email_the_resolution_with_the_feedback_link(
    organization, agent, contact, smtp_settings, settings
):
    settings.SITE_URL = "https://desk.example"
    with time_machine.travel(OPENED, tick=False) as traveller:
        ticket = make_ticket(organization=organization, priority=2, owner=agent, requester=contact)
        traveller.move_to(OPENED + timedelta(minutes=20))
        update_services.post_public_update(
            ticket, author=agent, body="The printer works again.", status="resolved"
        )
        deliver_customer_emails()

    _ack, resolution = smtp_settings.to(contact.email)
    assert resolution["Subject"].strip() == f"[{ticket.reference}] Resolved: {ticket.subject}"
    body = text_of(resolution)
    assert "The printer works again." in body
    assert f"https://desk.example/portal/tickets/{ticket.pk}/feedback/" in body
    assert f"https://desk.example/portal/tickets/{ticket.pk}/feedback/" in html_of(resolution)
    assert OutboxMessage.objects.filter(alert__isnull=True).count() == 2


@pytest.mark.django_db
def test_resolving_without_an_update_emails_the_resolution_and_closing_adds_nothing(
    organization, agent, contact, smtp_settings
):
    with time_machine.travel(OPENED, tick=False):
        ticket = make_ticket(organization=organization, priority=2, owner=agent, requester=contact)
        ticket_services.change_status(ticket, status="resolved", by=agent)
        ticket_services.change_status(ticket, status="closed", by=agent)
        deliver_customer_emails()

    kinds = list(
        OutboxMessage.objects.filter(alert__isnull=True)
        .order_by("pk")
        .values_list("kind", flat=True)
    )
    assert kinds == [OutboxKind.CUSTOMER_ACKNOWLEDGEMENT, OutboxKind.CUSTOMER_RESOLUTION]
    assert [m["Subject"].strip().split("]")[1].split(":")[0] for m in smtp_settings.messages] == [
        " We have your request",
        " Resolved",
    ]


@pytest.mark.django_db
def test_asking_the_customer_a_question_says_we_wait_for_their_reply(
    organization, agent, contact, smtp_settings
):
    with time_machine.travel(OPENED, tick=False):
        ticket = make_ticket(organization=organization, priority=2, owner=agent, requester=contact)
        update_services.post_public_update(
            ticket,
            author=agent,
            body="Which office is the printer in?",
            status="waiting_on_customer",
        )
        deliver_customer_emails()

    body = text_of(smtp_settings.to(contact.email)[-1])
    assert "We are waiting for your reply" in body
    assert "Next update by" not in body


@pytest.mark.django_db
def test_a_ticket_without_a_requester_emails_nobody(organization, agent, mailoutbox):
    with time_machine.travel(OPENED, tick=False):
        ticket = ticket_services.create_ticket(
            organization=organization,
            subject="Server room is warm",
            description="",
            impact=2,
            urgency=2,
            created_by=agent,
            owner=agent,
        )
        update_services.post_public_update(ticket, author=agent, body="Air con engineer booked.")
    assert not OutboxMessage.objects.filter(alert__isnull=True).exists()


@pytest.mark.django_db
def test_customer_emails_are_queued_only_after_the_change_commits(
    organization, contact, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(
        "updates.keeper.outbox.enqueue_delivery", lambda pairs: queued.extend(pairs)
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        make_ticket(organization=organization, priority=2, requester=contact)
    assert queued == []
    for callback in callbacks:
        callback()
    [ack] = OutboxMessage.objects.filter(kind=OutboxKind.CUSTOMER_ACKNOWLEDGEMENT)
    assert (ack.pk, "email") in queued
