"""Delivering the outbox: in-app notifications at most once, emails to a real SMTP server with
retries, backoff and dead letters, and a re-check of the promise before anything goes out."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from updates import services as update_services
from updates.models import (
    AlertStage,
    Notification,
    OutboxChannel,
    OutboxMessage,
    OutboxStatus,
)

from .keeper_support import (
    deliver,
    make_ticket,
    notifications_for,
    smtp_server,
    smtp_settings,
    sweep_at,
)

__all__ = ["smtp_server", "smtp_settings"]

LONDON = ZoneInfo("Europe/London")
OPENED = datetime(2026, 3, 2, 9, tzinfo=LONDON)  # P2: due soon 09:30, deadline 10:00, still 10:30


def alert_messages(**filters) -> list[int]:
    return list(
        OutboxMessage.objects.filter(alert__isnull=False, **filters)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_in_app_reminder_is_delivered_once_however_often_its_task_runs(
    organization, agent, manager
):
    with time_machine.travel(OPENED, tick=False) as traveller:
        ticket = make_ticket(organization=organization, priority=2, owner=agent)
        sweep_at(traveller, OPENED + timedelta(minutes=30))
        ids = alert_messages(channel=OutboxChannel.IN_APP)
        first = deliver(ids)
        again = deliver(ids)

    assert (first.sent, again.sent) == (1, 0)
    [notification] = notifications_for(agent)
    assert notification.kind == AlertStage.DUE_SOON
    assert notification.ticket == ticket
    assert notification.read is False
    assert notification.message == (
        f"{ticket.reference} (Northwind Traders): first response promised by 10:00 UTC, "
        "30 minutes left."
    )
    assert notifications_for(manager) == []


@pytest.mark.django_db
def test_breach_notification_names_the_ticket_customer_and_deadline(organization, agent, manager):
    with time_machine.travel(OPENED, tick=False) as traveller:
        ticket = make_ticket(organization=organization, priority=2, owner=agent)
        sweep_at(traveller, OPENED + timedelta(minutes=60))
        deliver(alert_messages())
        traveller.move_to(OPENED + timedelta(minutes=95))
        sweep_at(traveller, OPENED + timedelta(minutes=95))
        deliver(alert_messages(kind=AlertStage.STILL_BREACHED))

    [owner_breach] = notifications_for(agent)
    assert "is late" in owner_breach.message
    kinds = [n.kind for n in notifications_for(manager)]
    assert kinds == [AlertStage.BREACHED, AlertStage.STILL_BREACHED]
    still = notifications_for(manager)[-1].message
    assert ticket.reference in still
    assert "35 minutes late" in still
    assert "Owner: Alice Agent" in still


@pytest.mark.django_db
def test_reminder_is_not_delivered_when_the_promise_was_kept_after_it_fired(organization, agent):
    with time_machine.travel(OPENED, tick=False) as traveller:
        ticket = make_ticket(organization=organization, priority=2, owner=agent)
        sweep_at(traveller, OPENED + timedelta(minutes=30))
        traveller.move_to(OPENED + timedelta(minutes=31))
        update_services.post_public_update(ticket, author=agent, body="We are on site now.")
        result = deliver(alert_messages())

    assert result.skipped == 2
    assert notifications_for(agent) == []
    assert set(
        OutboxMessage.objects.filter(alert__isnull=False).values_list("status", flat=True)
    ) == {OutboxStatus.SKIPPED}


@pytest.mark.django_db
def test_reminder_email_reaches_a_real_smtp_server_with_text_and_html(
    organization, agent, manager, smtp_settings
):
    with time_machine.travel(OPENED, tick=False) as traveller:
        ticket = make_ticket(organization=organization, priority=2, owner=agent)
        sweep_at(traveller, OPENED + timedelta(minutes=70))
        result = deliver(alert_messages(channel=OutboxChannel.EMAIL))

    assert result.sent == 2
    [to_owner] = smtp_settings.to(agent.email)
    assert to_owner["Subject"].strip().startswith(f"[{ticket.reference}] Promise breached")
    text = to_owner.get_body(("plain",)).get_content()
    html = to_owner.get_body(("html",)).get_content()
    for part in (text, html):
        assert ticket.reference in part
        assert "Northwind Traders" in part
        assert "10:00 UTC" in part
        assert "10 minutes late" in part
        assert f"/tickets/{ticket.pk}/" in part
    assert len(smtp_settings.to(manager.email)) == 1
    assert set(
        OutboxMessage.objects.filter(channel=OutboxChannel.EMAIL, alert__isnull=False).values_list(
            "status", flat=True
        )
    ) == {OutboxStatus.SENT}


@pytest.mark.django_db
def test_smtp_failing_transiently_backs_off_then_sends_exactly_once(
    organization, agent, smtp_settings, settings
):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    smtp_settings.refuse_next = 2
    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=2, owner=agent)
        sweep_at(traveller, OPENED + timedelta(minutes=30))
        [pk] = alert_messages(channel=OutboxChannel.EMAIL)

        assert deliver([pk]).failed == 1
        message = OutboxMessage.objects.get(pk=pk)
        assert message.status == OutboxStatus.PENDING
        assert message.next_attempt_at == OPENED + timedelta(minutes=31)
        assert "451" in message.last_error
        # Not before its backoff, even if a stray task asks.
        assert deliver([pk]).sent == 0

        # The sweep queues it again once the backoff has passed.
        assert sweep_at(traveller, OPENED + timedelta(minutes=31)).requeued >= 1
        assert deliver([pk]).failed == 1
        assert OutboxMessage.objects.get(pk=pk).next_attempt_at == OPENED + timedelta(minutes=33)

        traveller.move_to(OPENED + timedelta(minutes=33))
        assert deliver([pk]).sent == 1

    assert len(smtp_settings.to(agent.email)) == 1
    assert OutboxMessage.objects.get(pk=pk).attempts == 3


@pytest.mark.django_db
def test_email_becomes_a_dead_letter_after_bounded_attempts(
    organization, agent, smtp_settings, settings
):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    smtp_settings.refuse_next = 100
    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=2, owner=agent)
        sweep_at(traveller, OPENED + timedelta(minutes=60))
        [pk] = alert_messages(channel=OutboxChannel.EMAIL, recipient=agent)
        results = []
        for _ in range(5):
            results.append(deliver([pk]))
            traveller.shift(timedelta(hours=1))

    message = OutboxMessage.objects.get(pk=pk)
    assert message.status == OutboxStatus.DEAD
    assert message.attempts == 3
    assert sum(r.dead for r in results) == 1
    assert smtp_settings.refused == 3


@pytest.mark.django_db
def test_unreachable_mail_server_is_a_failure_to_retry_not_a_crash(organization, agent, settings):
    from .keeper_support import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=2, owner=agent)
        sweep_at(traveller, OPENED + timedelta(minutes=30))
        result = deliver(alert_messages())
    assert (result.sent, result.failed) == (1, 1)  # in-app still delivered
    assert Notification.objects.count() == 1
    assert OutboxMessage.objects.get(alert__isnull=False, channel=OutboxChannel.EMAIL).status == (
        OutboxStatus.PENDING
    )


@pytest.mark.django_db
def test_emails_not_reached_within_the_time_budget_are_released_untouched(
    organization, agent, manager, monkeypatch, mailoutbox
):
    from updates.keeper import delivery

    queued = []
    monkeypatch.setattr(delivery, "enqueue_delivery", lambda pairs: queued.extend(pairs))
    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=2, owner=agent)
        sweep_at(traveller, OPENED + timedelta(minutes=60))
        ids = alert_messages(channel=OutboxChannel.EMAIL)
        result = delivery.deliver_email(ids, now=timezone.now(), time_budget=-1)

    assert result.released == 2
    assert mailoutbox == []
    assert {pk for pk, _ in queued} == set(ids)
    assert set(OutboxMessage.objects.filter(pk__in=ids).values_list("status", "attempts")) == {
        (OutboxStatus.PENDING, 0)
    }
