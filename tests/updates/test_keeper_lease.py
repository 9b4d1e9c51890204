"""Issue 16, item 1: no due-soon reminder is lost to a killed worker. An email being sent is held
by a short lease its worker renews while it sends, so a dead worker's emails are free again one
lease after its last renewal; a due-soon reminder fired in time goes out even when delivery comes
after the deadline, and says it is late; a starting worker queues again what a killed one held."""

from datetime import timedelta

import pytest
import time_machine
from celery.signals import worker_ready
from django.utils import timezone

from updates.keeper import delivery
from updates.keeper.clock import database_now
from updates.keeper.sweep import requeue_after_worker_start, sweep
from updates.models import (
    AlertStage,
    Notification,
    OutboxChannel,
    OutboxMessage,
    OutboxStatus,
    PromiseAlert,
)

from .keeper_support import deliver, make_ticket, smtp_server, smtp_settings, sweep_at
from .test_outbox_delivery import OPENED, WorkerKilled, alert_messages

__all__ = ["smtp_server", "smtp_settings"]

DUE_SOON_AT = OPENED + timedelta(minutes=30)  # P2 opened 09:00: due soon 09:30, deadline 10:00


@pytest.mark.django_db
def test_a_due_soon_reminder_fired_in_time_but_delivered_after_the_deadline_says_it_is_late(
    organization, agent, smtp_settings
):
    with time_machine.travel(OPENED, tick=False) as traveller:
        ticket = make_ticket(organization=organization, priority=2, owner=agent)
        sweep_at(traveller, DUE_SOON_AT)
        # The worker holding it died; it is delivered five minutes after the deadline.
        traveller.move_to(OPENED + timedelta(minutes=65))
        result = deliver(alert_messages(kind=AlertStage.DUE_SOON))

    assert result.sent == 2
    [notification] = Notification.objects.filter(recipient=agent)
    assert notification.message == (
        f"{ticket.reference} (Northwind Traders): late reminder, the first response was due by "
        "10:00 UTC (5 min ago). Update the customer now."
    )
    [email] = smtp_settings.to(agent.email)
    assert email["Subject"].startswith(
        f"[{ticket.reference}] Late reminder: update was due 10:00 UTC"
    )
    for part in (email.get_body(("plain",)), email.get_body(("html",))):
        assert "arrives after the deadline" in part.get_content()


@pytest.mark.django_db
def test_a_due_soon_reminder_not_fired_by_the_deadline_is_left_to_the_breach(organization, agent):
    """The other half of the one rule (PromiseAlert.is_worth_sending): beat was down past the
    deadline, so the sweep fires the breach and skips the due-soon reminder, never both."""
    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=2, owner=agent)
        sweep_at(traveller, OPENED + timedelta(minutes=61))
        deliver(alert_messages())
    assert list(Notification.objects.values_list("kind", flat=True)) == [AlertStage.BREACHED]
    due_soon = PromiseAlert.objects.get(stage=AlertStage.DUE_SOON)
    assert due_soon.is_worth_sending(OPENED + timedelta(minutes=61)) is False


@pytest.mark.django_db
def test_a_slow_live_worker_renews_its_lease_so_no_sweep_takes_its_emails(
    organization, agent, smtp_settings, settings, monkeypatch
):
    """Each email of this batch takes half a lease (a slow mail server): the lease is renewed as
    the batch goes, so at no moment is an email it holds free for another worker."""
    half_lease = timedelta(seconds=settings.OUTBOX_LEASE_SECONDS / 2)
    # The in-app half, never delivered here, is not presumed lost within these 90 s.
    settings.OUTBOX_REQUEUE_AFTER_SECONDS = 300
    render = delivery.render_email
    margins: list[timedelta] = []

    with time_machine.travel(OPENED, tick=False) as traveller:

        def slow_render(message, now):
            traveller.shift(half_lease)
            held = OutboxMessage.objects.filter(pk__in=emails, status=OutboxStatus.SENDING)
            earliest = min(held.values_list("lease_expires_at", flat=True))
            margins.append(earliest - timezone.now())
            return render(message, now)

        for _ in range(6):
            make_ticket(organization=organization, priority=2, owner=agent)
        sweep_at(traveller, DUE_SOON_AT)
        emails = alert_messages(channel=OutboxChannel.EMAIL)
        monkeypatch.setattr(delivery, "render_email", slow_render)
        result = deliver(emails)
        # Three leases have passed since the claim; a sweep now finds nothing abandoned.
        assert sweep(now=timezone.now()).requeued == 0

    assert result.sent == 6
    assert len(margins) == 6
    assert min(margins) > timedelta(0), margins
    assert set(OutboxMessage.objects.filter(pk__in=emails).values_list("attempts", flat=True)) == {
        1
    }
    assert len(smtp_settings.to(agent.email)) == 6


@pytest.mark.django_db
def test_a_dead_workers_emails_are_queued_again_half_a_minute_after_its_last_renewal(
    organization, agent, smtp_settings, monkeypatch
):
    """A worker killed mid-send stops renewing: its email is free again within one lease (30 s
    at most), long before this P2 deadline, and goes out on time."""

    def killed(message, now):
        raise WorkerKilled

    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=2, owner=agent)
        sweep_at(traveller, DUE_SOON_AT)
        [email] = alert_messages(channel=OutboxChannel.EMAIL)
        with monkeypatch.context() as patch:
            patch.setattr(delivery, "render_email", killed)
            with pytest.raises(WorkerKilled):
                deliver([email])
        assert OutboxMessage.objects.get(pk=email).status == OutboxStatus.SENDING
        assert sweep_at(traveller, DUE_SOON_AT + timedelta(seconds=15)).requeued == 0
        # The in-app message was delivered long ago in production; here it waits, still queued.
        assert sweep_at(traveller, DUE_SOON_AT + timedelta(seconds=31)).requeued == 1
        assert deliver([email]).sent == 1

    [sent] = smtp_settings.to(agent.email)
    assert sent["Subject"].strip().startswith("[")
    assert "Late reminder" not in sent["Subject"]


@pytest.mark.django_db
def test_a_starting_worker_queues_again_the_deliveries_a_killed_worker_held(
    organization, agent, monkeypatch, django_capture_on_commit_callbacks
):
    """A worker killed with a delivery task in hand leaves that task unacknowledged in Redis
    (for the visibility timeout, an hour) and its messages pending. The next worker to start
    queues them again at once instead of after OUTBOX_REQUEUE_AFTER_SECONDS."""
    queued: list[tuple[int, str]] = []
    monkeypatch.setattr(
        "updates.keeper.outbox.enqueue_delivery", lambda pairs: queued.extend(pairs)
    )
    ticket = make_ticket(organization=organization, priority=2, owner=agent)
    PromiseAlert.objects.filter(ticket=ticket, stage=AlertStage.DUE_SOON).update(
        due_at=database_now()
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep().fired == 1
    assert sweep().requeued == 0  # just queued: the sweep does not presume them lost yet
    queued.clear()

    with django_capture_on_commit_callbacks(execute=True):
        requeued = requeue_after_worker_start()

    # The owner's reminder (in-app and email) and the requester's acknowledgement.
    pending = set(
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING).values_list("pk", "channel")
    )
    assert requeued == len(pending) == 3
    assert set(queued) == pending


def test_the_worker_ready_signal_runs_the_requeue(monkeypatch):
    calls: list[bool] = []
    monkeypatch.setattr("updates.tasks.requeue_after_worker_start", lambda: calls.append(True))
    monkeypatch.setattr("updates.tasks.connection.close", lambda: None)
    worker_ready.send(sender=None)
    assert calls == [True]
