"""The agent-speed notifications (API.md): customer_reply, handover, new_ticket, mention; in the
bell at once, by email unless turned off, never about one's own action, through the outbox."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import AgentFactory, ContactFactory, ManagerFactory, TicketFactory
from tickets import services as ticket_services
from updates import notify
from updates import services as update_services
from updates.models import (
    Notification,
    OutboxChannel,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    TriageDigestItem,
)

from .keeper_support import deliver, make_ticket, smtp_server, smtp_settings

__all__ = ["smtp_server", "smtp_settings"]

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("UTC"))


def outbox(kind, **filters) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(kind=kind, **filters).order_by("pk"))


def channels(kind, **filters) -> set[tuple[str, str]]:
    return {(m.recipient.email, m.channel) for m in outbox(kind, **filters)}


def deliver_all(kind):
    return deliver([m.pk for m in outbox(kind)])


# ---- customer_reply -------------------------------------------------------------------------


def test_a_customer_reply_reaches_the_owner_and_collaborators_in_the_bell_and_by_email(
    organization, contact, agent, other_agent, smtp_settings
):
    ticket = make_ticket(organization=organization, priority=3, owner=agent, requester=contact)
    ticket_services.add_collaborator(ticket, user=other_agent, by=agent)
    update_services.post_customer_reply(ticket, author=contact, body="Still broken here.")
    assert channels(OutboxKind.CUSTOMER_REPLY) == {
        (agent.email, "in_app"),
        (agent.email, "email"),
        (other_agent.email, "in_app"),
        (other_agent.email, "email"),
    }
    deliver_all(OutboxKind.CUSTOMER_REPLY)
    [notification] = Notification.objects.filter(recipient=other_agent, kind="customer_reply")
    assert "replied: Still broken here." in notification.message
    [mail] = smtp_settings.to(agent.email)
    assert mail["Subject"].startswith(f"[{ticket.reference}] ")


def test_email_off_for_a_kind_leaves_it_in_the_bell_only(organization, contact, agent):
    agent.notification_email_off = ["customer_reply"]
    agent.save()
    ticket = make_ticket(organization=organization, priority=3, owner=agent, requester=contact)
    update_services.post_customer_reply(ticket, author=contact, body="Any news?")
    assert channels(OutboxKind.CUSTOMER_REPLY) == {(agent.email, "in_app")}


def test_a_reply_notice_is_skipped_when_the_recipient_no_longer_works_the_ticket(
    organization, contact, agent, other_agent
):
    ticket = make_ticket(organization=organization, priority=3, owner=agent, requester=contact)
    update_services.post_customer_reply(ticket, author=contact, body="Hello?")
    ticket_services.assign_owner(ticket, owner=other_agent, by=agent, handover_note="Yours now.")
    deliver_all(OutboxKind.CUSTOMER_REPLY)
    assert not Notification.objects.filter(recipient=agent, kind="customer_reply").exists()
    assert {m.status for m in outbox(OutboxKind.CUSTOMER_REPLY)} == {OutboxStatus.SKIPPED}


# ---- handover -------------------------------------------------------------------------------


def test_a_handover_tells_the_new_owner_with_the_note(
    organization, agent, other_agent, smtp_settings
):
    ticket = make_ticket(organization=organization, priority=3, owner=agent)
    ticket_services.assign_owner(
        ticket, owner=other_agent, by=agent, handover_note="Printer vendor called back."
    )
    assert channels(OutboxKind.HANDOVER) == {
        (other_agent.email, "in_app"),
        (other_agent.email, "email"),
    }
    deliver_all(OutboxKind.HANDOVER)
    [notification] = Notification.objects.filter(recipient=other_agent, kind="handover")
    assert "Alice Agent made you the owner" in notification.message
    assert "Printer vendor called back." in notification.message
    [mail] = smtp_settings.to(other_agent.email)
    assert mail["Subject"].startswith(f"[{ticket.reference}] Alice Agent handed you")
    assert "Printer vendor called back." in mail.get_body(("plain",)).get_content()


def test_taking_a_ticket_yourself_notifies_nobody(organization, agent):
    ticket = make_ticket(organization=organization, priority=3)
    ticket_services.take_ownership(ticket, by=agent)
    assert outbox(OutboxKind.HANDOVER) == []


def test_a_manager_assigning_an_unowned_ticket_tells_the_agent(organization, agent, manager):
    ticket = make_ticket(organization=organization, priority=3)
    ticket_services.assign_owner(ticket, owner=agent, by=manager)
    assert channels(OutboxKind.HANDOVER) == {(agent.email, "in_app"), (agent.email, "email")}


# ---- new_ticket -----------------------------------------------------------------------------


def test_an_urgent_unowned_ticket_reaches_triage_duty_by_email_at_once(
    organization, agent, manager
):
    on_duty = AgentFactory(triage_duty_setting=True)
    off_duty = ManagerFactory(triage_duty_setting=False)
    AgentFactory(triage_duty_setting=True, is_active=False)
    ticket = make_ticket(organization=organization, priority=1)
    assert channels(OutboxKind.NEW_TICKET, ticket=ticket) == {
        (manager.email, "in_app"),
        (manager.email, "email"),
        (on_duty.email, "in_app"),
        (on_duty.email, "email"),
    }
    assert off_duty.email not in {m.recipient.email for m in outbox(OutboxKind.NEW_TICKET)}
    assert TriageDigestItem.objects.count() == 0


def test_a_ticket_created_with_an_owner_notifies_triage_of_nothing(organization, agent, manager):
    TicketFactory(organization=organization, impact=1, urgency=1, owner=agent)
    assert outbox(OutboxKind.NEW_TICKET) == []


def test_the_creator_on_triage_duty_is_not_told_of_their_own_ticket(
    organization, manager, other_agent
):
    other = ManagerFactory()
    ticket_services.create_ticket(
        organization=organization,
        subject="Phones down",
        description="",
        impact=1,
        urgency=1,
        created_by=manager,
    )
    assert {m.recipient for m in outbox(OutboxKind.NEW_TICKET)} == {other}


def test_a_low_priority_ticket_is_in_the_bell_at_once_and_by_email_in_the_digest(
    organization, manager, smtp_settings
):
    with time_machine.travel(NOW, tick=False):
        first = make_ticket(organization=organization, priority=3)
        second = make_ticket(organization=organization, priority=4)
        assert channels(OutboxKind.NEW_TICKET) == {(manager.email, "in_app")}
        assert notify.send_digests(now=NOW) == 1
        [digest] = outbox(OutboxKind.NEW_TICKET_DIGEST)
        assert digest.data == {"tickets": [first.pk, second.pk]}
        deliver([digest.pk])
    [mail] = smtp_settings.to(manager.email)
    assert f"[{first.reference}]" in mail["Subject"]
    assert f"[{second.reference}]" in mail["Subject"]
    assert "2 new tickets nobody owns yet" in mail["Subject"]


def test_the_digest_comes_at_most_every_fifteen_minutes_per_person(organization, manager):
    make_ticket(organization=organization, priority=3)
    assert notify.send_digests(now=NOW) == 1
    later = make_ticket(organization=organization, priority=3)
    assert notify.send_digests(now=NOW + timedelta(minutes=14)) == 0
    assert notify.send_digests(now=NOW + timedelta(minutes=14)) == 0
    assert notify.send_digests(now=NOW + timedelta(minutes=15, seconds=1)) == 1
    digests = outbox(OutboxKind.NEW_TICKET_DIGEST)
    assert len(digests) == 2
    assert digests[1].data == {"tickets": [later.pk]}
    assert notify.send_digests(now=NOW + timedelta(hours=1)) == 0


def test_a_digest_leaves_out_tickets_taken_meanwhile(organization, manager, agent):
    taken = make_ticket(organization=organization, priority=3)
    waiting = make_ticket(organization=organization, priority=4)
    ticket_services.take_ownership(taken, by=agent)
    notify.send_digests(now=NOW)
    [digest] = outbox(OutboxKind.NEW_TICKET_DIGEST)
    assert digest.data == {"tickets": [waiting.pk]}


def test_a_digest_run_that_dies_writes_nothing_and_the_next_run_sends_it(
    organization, manager, monkeypatch
):
    make_ticket(organization=organization, priority=3)

    def crash(**kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(notify, "queue_messages", crash)
    with pytest.raises(RuntimeError):
        notify.send_digests(now=NOW)
    assert TriageDigestItem.objects.filter(digested_at__isnull=True).count() == 1
    monkeypatch.undo()
    assert notify.send_digests(now=NOW) == 1
    assert len(outbox(OutboxKind.NEW_TICKET_DIGEST)) == 1


def test_email_off_for_new_tickets_keeps_them_out_of_the_digest(organization, manager):
    manager.notification_email_off = ["new_ticket"]
    manager.save()
    make_ticket(organization=organization, priority=4)
    assert channels(OutboxKind.NEW_TICKET) == {(manager.email, "in_app")}
    assert notify.send_digests(now=NOW) == 0


# ---- mention --------------------------------------------------------------------------------


def test_a_mention_in_a_note_tells_that_colleague_only(
    organization, agent, other_agent, smtp_settings
):
    ticket = make_ticket(organization=organization, priority=3, owner=agent)
    contact = ContactFactory(email="pat@northwind.test", organization=organization)
    update_services.add_internal_note(
        ticket,
        author=agent,
        body=f"@{other_agent.email} can you check the toner? cc @{contact.email} and "
        f"@{agent.email}, also bob.smith@{other_agent.email.split('@')[1]}.",
    )
    assert channels(OutboxKind.MENTION) == {
        (other_agent.email, "in_app"),
        (other_agent.email, "email"),
    }
    deliver_all(OutboxKind.MENTION)
    [notification] = Notification.objects.filter(recipient=other_agent, kind="mention")
    assert "Alice Agent mentioned you" in notification.message
    [mail] = smtp_settings.to(other_agent.email)
    assert mail["Subject"].startswith(f"[{ticket.reference}] Alice Agent mentioned you")
    assert smtp_settings.to(contact.email) == []


def test_mentions_match_the_address_case_blind_and_ignore_plain_addresses():
    assert notify.mentioned_emails("Ask @Bob@MSP.test. Not bob@msp.test") == {"bob@msp.test"}
    assert notify.mentioned_emails("mail me@x.io or a@@b.io") == set()


def test_each_notification_is_written_once_whatever_the_deliveries(
    organization, agent, other_agent
):
    ticket = make_ticket(organization=organization, priority=3, owner=agent)
    update_services.add_internal_note(ticket, author=agent, body=f"@{other_agent.email} look")
    ids = [m.pk for m in outbox(OutboxKind.MENTION, channel=OutboxChannel.IN_APP)]
    deliver(ids)
    deliver(ids)
    assert Notification.objects.filter(recipient=other_agent, kind="mention").count() == 1
