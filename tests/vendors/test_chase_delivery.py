"""Chase reminders go through the promise keeper's outbox: in-app once, by email to a real SMTP
server with retries and dead letters, worded by the vendors app's registered wording (never the
customer-update template), skipped when the case was finished before delivery."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.factories import TicketFactory
from tests.updates.keeper_support import deliver, smtp_server, smtp_settings
from tests.vendors.factories import VendorFactory
from updates.keeper import messages as keeper_messages
from updates.keeper.sweep import sweep
from updates.models import Notification, OutboxChannel, OutboxMessage, OutboxStatus
from vendors import services
from vendors.models import EscalationStatus

__all__ = ["smtp_server", "smtp_settings"]

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CHASE = T0 + timedelta(hours=2)

pytestmark = pytest.mark.django_db


@pytest.fixture
def escalation(agent, organization):
    with time_machine.travel(T0, tick=False):
        ticket = TicketFactory(organization=organization, owner=agent, subject="Disk is dying")
        return services.open_escalation(
            ticket=ticket,
            vendor=VendorFactory(name="Dell", support_phone="+1 800 624 9896"),
            by=agent,
            summary="Replace disk 3",
            vendor_reference="SR-77",
            next_chase_at=CHASE,
        )


def chase_messages(**filters) -> list[int]:
    return list(
        OutboxMessage.objects.filter(kind="vendor_chase", **filters)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def test_chase_email_reaches_a_real_smtp_server_in_its_own_words(escalation, agent, smtp_settings):
    with time_machine.travel(CHASE, tick=False):
        (chase,) = services.claim_due_chases()
        result = deliver(chase_messages())
    assert result.sent == 2
    (email,) = smtp_settings.to(agent.email)
    assert (
        email["Subject"] == f"[{escalation.ticket.reference}] Chase Dell case SR-77: Disk is dying"
    )
    text = email.get_body(("plain",)).get_content()
    html = email.get_body(("html",)).get_content()
    for body in (text, html):
        assert "Replace disk 3" in body
        assert "+1 800 624 9896" in body
        assert f"/tickets/{escalation.ticket_id}/" in body
    # The customer-update template would say this; a chase never does.
    assert "portal" not in text.lower()
    assert "Update:" not in email["Subject"]
    assert email["X-Service-Desk-Message"] == f"vendor_chase:{chase.pk}:{agent.pk}:email"


def test_in_app_chase_is_delivered_once_however_often_its_task_runs(escalation, agent):
    with time_machine.travel(CHASE, tick=False):
        services.claim_due_chases()
        ids = chase_messages(channel=OutboxChannel.IN_APP)
        assert deliver(ids).sent == 1
        assert deliver(ids).sent == 0
    (notification,) = Notification.objects.filter(recipient=agent, kind="vendor_chase")
    assert notification.message.startswith(f"{escalation.ticket.reference} (Northwind Traders)")
    assert "chase Dell case SR-77, due 11:00 UTC (open)" in notification.message


def test_a_chase_fires_once_per_chase_time_across_sweeps_and_requeues(escalation, agent):
    for minutes in (0, 1, 30):
        with time_machine.travel(CHASE + timedelta(minutes=minutes), tick=False):
            services.claim_due_chases()
            sweep(now=CHASE + timedelta(minutes=minutes))
            deliver(chase_messages())
    assert len(chase_messages()) == 2
    assert Notification.objects.filter(kind="vendor_chase").count() == 1


def test_chase_email_retries_then_dead_letters(escalation, agent, smtp_settings, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    smtp_settings.refuse_next = 100
    with time_machine.travel(CHASE, tick=False) as traveller:
        services.claim_due_chases()
        [pk] = chase_messages(channel=OutboxChannel.EMAIL)
        results = []
        for _ in range(4):
            results.append(deliver([pk]))
            traveller.shift(timedelta(hours=1))
    message = OutboxMessage.objects.get(pk=pk)
    assert message.status == OutboxStatus.DEAD
    assert message.attempts == 3
    assert [result.failed for result in results] == [1, 1, 1, 0]


def test_chase_email_sent_after_a_transient_failure(escalation, agent, smtp_settings):
    smtp_settings.refuse_next = 1
    with time_machine.travel(CHASE, tick=False) as traveller:
        services.claim_due_chases()
        [pk] = chase_messages(channel=OutboxChannel.EMAIL)
        assert deliver([pk]).failed == 1
        traveller.shift(timedelta(minutes=5))
        assert deliver([pk]).sent == 1
    assert len(smtp_settings.to(agent.email)) == 1


def test_a_case_finished_before_delivery_is_not_chased(escalation, agent, smtp_settings):
    with time_machine.travel(CHASE, tick=False):
        services.claim_due_chases()
        services.change_escalation_status(escalation, status=EscalationStatus.RESOLVED, by=agent)
        result = deliver(chase_messages())
    assert result.skipped == 2
    assert not Notification.objects.filter(kind="vendor_chase").exists()
    assert smtp_settings.to(agent.email) == []


def test_a_kind_without_wording_is_never_sent_with_another_kinds_template(
    escalation, agent, smtp_settings, monkeypatch
):
    """The registry has no fallback: without the vendors wording the chase fails and is retried
    (and in the end dead-lettered) instead of going out as a customer update."""
    monkeypatch.delitem(keeper_messages.WORDINGS, "vendor_chase")
    with time_machine.travel(CHASE, tick=False):
        services.claim_due_chases()
        result = deliver(chase_messages(channel=OutboxChannel.EMAIL))
    assert (result.sent, result.failed) == (0, 1)
    assert smtp_settings.to(agent.email) == []
    message = OutboxMessage.objects.get(pk=chase_messages(channel=OutboxChannel.EMAIL)[0])
    assert "No wording is registered" in message.last_error


def test_an_in_app_message_without_wording_is_a_dead_letter_not_a_crash(
    escalation, agent, monkeypatch
):
    monkeypatch.delitem(keeper_messages.WORDINGS, "vendor_chase")
    with time_machine.travel(CHASE, tick=False):
        services.claim_due_chases()
        result = deliver(chase_messages(channel=OutboxChannel.IN_APP))
    assert result.dead == 1
    assert OutboxMessage.objects.get(pk=chase_messages(channel=OutboxChannel.IN_APP)[0]).status == (
        OutboxStatus.DEAD
    )
    assert not Notification.objects.filter(kind="vendor_chase").exists()
