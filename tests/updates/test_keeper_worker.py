"""The promise keeper with real processes: a Celery worker and beat as subprocesses on Redis and
the test's PostgreSQL database, emailing a real SMTP server (aiosmtpd). Promises fall due in
seconds (never minutes), and faults are real: a SIGKILLed pool process, a killed Redis."""

import logging
import os
import signal
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from updates import services as update_services
from updates.models import (
    AlertStage,
    AlertStatus,
    Notification,
    OutboxChannel,
    OutboxMessage,
    OutboxStatus,
    Promise,
    PromiseAlert,
    PromiseOutcome,
)

from . import keeper_support, worker_support
from .keeper_support import make_ticket
from .worker_support import wait_for

# The fixtures these tests use, from their support modules.
smtp_server = keeper_support.smtp_server
smtp_settings = keeper_support.smtp_settings
keeper_factory = worker_support.keeper_factory
private_redis = worker_support.private_redis

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def promise_due_in(seconds: float, *, organization, owner):
    """A P1 ticket whose owner has just promised the next update `seconds` from now: its due-soon
    reminder falls halfway there (the promise is shorter than the P1 lead), its breach at the end."""
    ticket = make_ticket(organization=organization, priority=1, owner=owner)
    update_services.post_public_update(
        ticket,
        author=owner,
        body="We are restarting the server now.",
        next_update_due=timezone.now() + timedelta(seconds=seconds),
    )
    return ticket


def notifications(ticket) -> Counter:
    """The promise reminders in the bell (not the new-ticket notice triage duty also gets)."""
    return Counter(
        Notification.objects.filter(ticket=ticket, alert__isnull=False).values_list(
            "recipient__email", "kind"
        )
    )


def emails_by_key(smtp) -> Counter:
    with smtp.lock:
        return Counter(m["X-Service-Desk-Message"] for m in smtp.messages)


def email_keys(**filters) -> set[str]:
    return set(
        OutboxMessage.objects.filter(channel=OutboxChannel.EMAIL, **filters).values_list(
            "key", flat=True
        )
    )


def all_emails_arrived(smtp):
    keys = email_keys()
    return keys and keys <= set(emails_by_key(smtp))


def test_promise_due_in_seconds_is_reminded_once_and_breached_once(
    keeper_factory, organization, agent, manager, smtp_server, client, settings, monkeypatch
):
    keeper = keeper_factory()
    worker = keeper.worker(concurrency=2)
    beat = keeper.beat()
    worker.wait_until_ready()
    beat.wait_until_ready()

    ticket = promise_due_in(6, organization=organization, owner=agent)
    expected = Counter(
        {
            (agent.email, AlertStage.DUE_SOON): 1,
            (agent.email, AlertStage.BREACHED): 1,
            (manager.email, AlertStage.BREACHED): 1,
        }
    )
    wait_for(
        lambda: notifications(ticket) == expected and all_emails_arrived(smtp_server),
        timeout=60,
        what=f"one due-soon and one breach per recipient\n{keeper.logs()}",
    )
    # A few more sweeps pass (one a second): nothing more arrives.
    time.sleep(3)
    assert notifications(ticket) == expected
    arrived = emails_by_key(smtp_server)
    assert set(arrived.values()) == {1}, arrived
    subjects = [(m["To"], m["Subject"]) for m in smtp_server.messages]
    assert any(agent.email in to and "Update due by" in subject for to, subject in subjects)
    assert any(manager.email in to and "Promise breached" in subject for to, subject in subjects)
    # The requester heard too: the acknowledgement and the update with its next promise.
    assert len(smtp_server.to(ticket.requester.email)) == 2
    assert set(
        PromiseAlert.objects.filter(ticket=ticket, status=AlertStatus.FIRED).values_list(
            "stage", flat=True
        )
    ) == {AlertStage.DUE_SOON, AlertStage.BREACHED}
    assert not OutboxMessage.objects.exclude(status=OutboxStatus.SENT).exists()

    # Beat stops: the status page says so, with the age of the alert nobody is sending.
    beat.stop()
    settings.SWEEP_INTERVAL_SECONDS = 1  # as the processes run: a stall after 3 s
    monkeypatch.setattr("updates.keeper.health.STALL_FLOOR_SECONDS", 0)  # not after a minute
    waiting = make_ticket(organization=organization, priority=1, owner=agent)
    PromiseAlert.objects.filter(ticket=waiting, stage=AlertStage.DUE_SOON).update(
        due_at=timezone.now()
    )
    client.force_login(manager)

    def stalled_with_an_aging_alert():
        response = client.get("/status.json")
        health = response.json()
        return response.status_code == 503 and len(health["problems"]) >= 2 and health

    health = wait_for(stalled_with_an_aging_alert, timeout=20, what="the status page to report")
    assert health["status"] == "stalled"
    assert health["oldest_due_alert_age_seconds"] >= 3
    assert any("last ran" in problem for problem in health["problems"])
    assert any("due alert has waited" in problem for problem in health["problems"])


def test_worker_killed_mid_send_is_redelivered_and_each_message_sent_once(
    keeper_factory, organization, agent, smtp_server
):
    """1. The pool process claims an email (status sending, leased) and hangs on the SMTP server.
    2. It is SIGKILLed: reject_on_worker_lost puts its task back, and the worker's next pool
       process runs it, finds the message leased, and leaves it alone.
    3. The lease runs out; beat's sweep queues the message again and it is sent, once."""
    keeper = keeper_factory()
    worker = keeper.worker(concurrency=1)
    beat = keeper.beat()
    worker.wait_until_ready()
    beat.wait_until_ready()
    ticket = make_ticket(organization=organization, priority=1, owner=agent)
    wait_for(
        lambda: all_emails_arrived(smtp_server),
        timeout=30,
        what=f"the acknowledgement\n{keeper.logs()}",
    )

    smtp_server.release.clear()  # the mail server now hangs every conversation
    due_soon = PromiseAlert.objects.get(ticket=ticket, stage=AlertStage.DUE_SOON)
    # Bring the reminder forward to now: beat's next sweep fires it.
    PromiseAlert.objects.filter(pk=due_soon.pk).update(due_at=timezone.now())
    sending = OutboxMessage.objects.filter(
        alert=due_soon, channel=OutboxChannel.EMAIL, status=OutboxStatus.SENDING
    )
    email = wait_for(sending.first, timeout=30, what=f"the email to be claimed\n{keeper.logs()}")
    children = worker.pool_children()
    assert len(children) == 1
    time.sleep(0.5)  # let it reach the SMTP conversation
    os.kill(children[0], signal.SIGKILL)
    wait_for(
        lambda: "WorkerLostError" in worker.output(),
        timeout=30,
        what=f"the worker to notice its lost pool process\n{keeper.logs()}",
    )
    smtp_server.release.set()

    email.refresh_from_db()
    assert email.status == OutboxStatus.SENDING  # leased: the redelivered task left it alone
    # The lease (12 s) expires; beat's sweep queues the email again.
    wait_for(
        lambda: OutboxMessage.objects.filter(pk=email.pk, status=OutboxStatus.SENT).exists(),
        timeout=45,
        what=f"the email to be sent after all\n{keeper.logs()}",
    )
    email.refresh_from_db()
    assert email.attempts == 2
    assert emails_by_key(smtp_server)[email.key] == 1
    assert notifications(ticket) == Counter({(agent.email, AlertStage.DUE_SOON): 1})


def test_worker_killed_mid_send_and_restarted_delivers_every_reminder_within_30_seconds(
    keeper_factory, organization, agent, manager, smtp_server
):
    """Issue 16, item 1. The whole worker (main process and pool) is SIGKILLed while it sends
    three due-soon emails to a hung mail server, and the promises' deadline passes while it is
    dead. A new worker starts: within 30 s every reminder of those promises (due-soon and breach,
    in-app and by email) has arrived, the late due-soon emails saying so, none twice in-app.
    (Before: the emails stayed "sending" for a lease longer than any task, then were skipped as
    stale because the deadline had passed; they never arrived.)"""
    keeper = keeper_factory()
    # Production's proportions: a queued delivery is presumed lost only after minutes, so what
    # brings these reminders back is the short lease, not that backstop.
    env = {"EMAIL_TIMEOUT": "3", "OUTBOX_LEASE_SECONDS": "5", "OUTBOX_REQUEUE_AFTER_SECONDS": "300"}
    worker = keeper.worker(concurrency=1, **env)
    beat = keeper.beat(**env)
    worker.wait_until_ready()
    beat.wait_until_ready()
    tickets = [promise_due_in(300, organization=organization, owner=agent) for _ in range(3)]
    wait_for(
        lambda: all_emails_arrived(smtp_server),
        timeout=30,
        what=f"the customer emails\n{keeper.logs()}",
    )

    smtp_server.release.clear()  # the mail server now hangs every conversation
    now = timezone.now()
    deadline = now + timedelta(seconds=4)
    Promise.objects.filter(ticket__in=tickets, outcome=PromiseOutcome.PENDING).update(
        due_at=deadline
    )
    alerts = PromiseAlert.objects.filter(ticket__in=tickets)
    alerts.filter(stage=AlertStage.DUE_SOON).update(due_at=now)
    alerts.filter(stage=AlertStage.BREACHED).update(due_at=deadline)
    due_soon_emails = OutboxMessage.objects.filter(
        kind=AlertStage.DUE_SOON, channel=OutboxChannel.EMAIL
    )
    wait_for(
        lambda: due_soon_emails.filter(status=OutboxStatus.SENDING).count() == 3,
        timeout=30,
        what=f"the due-soon emails to be claimed\n{keeper.logs()}",
    )
    time.sleep(0.5)  # into the SMTP conversation
    worker.stop(signal.SIGKILL)
    smtp_server.release.set()

    started = time.monotonic()
    keeper.worker(concurrency=1, name="worker-2", **env)
    expected = Counter(
        {
            (agent.email, AlertStage.DUE_SOON): 1,
            (agent.email, AlertStage.BREACHED): 1,
            (manager.email, AlertStage.BREACHED): 1,
        }
    )
    wait_for(
        lambda: (
            all(notifications(t) == expected for t in tickets) and all_emails_arrived(smtp_server)
        ),
        timeout=30,
        what=f"every reminder after the restart\n{keeper.logs()}",
    )
    recovered = time.monotonic() - started
    logging.getLogger(__name__).warning(
        "all delivered %.1f s after the new worker started", recovered
    )
    assert recovered < 30
    arrived = emails_by_key(smtp_server)
    assert email_keys() <= set(arrived)
    late = [m["Subject"] for m in smtp_server.messages if "Late reminder" in m["Subject"]]
    assert len(late) == 3, smtp_server.subjects()
    time.sleep(2)  # a few more sweeps: nothing more arrives in-app
    assert all(notifications(t) == expected for t in tickets)


def test_redis_killed_and_restarted_mid_run_loses_nothing_and_doubles_nothing(
    keeper_factory, private_redis, organization, agent, manager, smtp_server
):
    """Redis dies with tasks queued and alerts about to fall due, and comes back empty (no
    persistence): the database still knows every alert and message, so beat's next sweeps fire
    what fell due meanwhile and queue again what Redis lost."""
    keeper = keeper_factory(private_redis.url)
    worker = keeper.worker(concurrency=2)
    beat = keeper.beat()
    worker.wait_until_ready()
    beat.wait_until_ready()

    tickets = [promise_due_in(10, organization=organization, owner=agent) for _ in range(3)]
    wait_for(
        lambda: Notification.objects.filter(kind=AlertStage.DUE_SOON).count() == 3,
        timeout=30,
        what=f"the due-soon reminders\n{keeper.logs()}",
    )
    private_redis.kill()
    # The breach deadlines pass while Redis is down.
    wait_for(
        lambda: (
            PromiseAlert.objects.filter(
                ticket__in=tickets, stage=AlertStage.BREACHED, due_at__lte=timezone.now()
            ).count()
            == 3
        ),
        timeout=30,
        what="the deadlines to pass",
    )
    time.sleep(1)
    private_redis.start()

    expected = Counter(
        {
            (agent.email, AlertStage.DUE_SOON): 1,
            (agent.email, AlertStage.BREACHED): 1,
            (manager.email, AlertStage.BREACHED): 1,
        }
    )
    wait_for(
        lambda: (
            keeper.supervise() >= 0
            and all(notifications(t) == expected for t in tickets)
            and all_emails_arrived(smtp_server)
        ),
        timeout=90,
        what=f"every reminder and breach after Redis came back\n{keeper.logs()}",
        every=0.5,
    )
    time.sleep(2)
    assert all(notifications(t) == expected for t in tickets)
    arrived = emails_by_key(smtp_server)
    assert email_keys() <= set(arrived)
    assert max(arrived.values()) == 1, arrived
