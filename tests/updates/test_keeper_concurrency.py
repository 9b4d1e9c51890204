"""Fault injection against PostgreSQL with real concurrent transactions (threads, each with its
own connection): two sweeps at once, two deliveries of the same messages at once, a customer
update racing a claim, and a delivery that crashes after claiming. Each asserts that nothing is
lost and that no in-app notification exists twice."""

import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from updates import services as update_services
from updates.keeper import delivery
from updates.keeper import sweep as sweep_module
from updates.keeper.delivery import deliver
from updates.keeper.sweep import sweep
from updates.models import (
    AlertStage,
    AlertStatus,
    Notification,
    OutboxChannel,
    OutboxMessage,
    OutboxStatus,
    PromiseAlert,
    PromiseOutcome,
)

from .keeper_support import make_ticket


def run_together(*functions: Callable[[], object], timeout: float = 60) -> list[object]:
    """Start the functions in threads at the same instant; re-raise the first error (a deadlock,
    a unique violation) in the test. Each thread closes its own database connection."""
    barrier = threading.Barrier(len(functions))
    results: list[object] = [None] * len(functions)
    errors: list[BaseException] = []

    def run(index: int, function: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = function()
        except BaseException as error:  # reported to the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    if errors:
        raise errors[0]
    return results


@pytest.fixture
def queued(monkeypatch) -> list[tuple[int, str]]:
    """Delivery tasks the code would queue (collected here rather than sent to Redis)."""
    pairs: list[tuple[int, str]] = []
    lock = threading.Lock()

    def collect(items):
        with lock:
            pairs.extend(items)

    monkeypatch.setattr("updates.keeper.outbox.enqueue_delivery", collect)
    monkeypatch.setattr(delivery, "enqueue_delivery", collect)
    return pairs


def make_due_now(tickets, stage: str = AlertStage.DUE_SOON) -> None:
    PromiseAlert.objects.filter(ticket__in=tickets, stage=stage).update(
        due_at=timezone.now() - timedelta(seconds=1)
    )


def in_app_ids() -> list[int]:
    return list(
        OutboxMessage.objects.filter(channel=OutboxChannel.IN_APP).values_list("pk", flat=True)
    )


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_never_double_or_lose_an_alert(
    organization, agent, manager, queued, monkeypatch
):
    monkeypatch.setattr(sweep_module, "BATCH_SIZE", 3)  # many small claims interleave
    tickets = [make_ticket(organization=organization, priority=2, owner=agent) for _ in range(18)]
    for round_tickets in (tickets[0:6], tickets[6:12], tickets[12:18]):
        make_due_now(round_tickets)
        run_together(sweep, sweep)
    fired = PromiseAlert.objects.filter(stage=AlertStage.DUE_SOON, status=AlertStatus.FIRED)
    assert fired.count() == 18
    # One message per alert, recipient and channel (the owner, in-app and email).
    per_alert = Counter(
        OutboxMessage.objects.filter(alert__in=fired).values_list("alert", "channel")
    )
    assert set(per_alert.values()) == {1}
    assert len(per_alert) == 36

    ids = in_app_ids()
    run_together(lambda: deliver(ids), lambda: deliver(ids))
    notifications = Counter(
        Notification.objects.filter(kind=AlertStage.DUE_SOON).values_list("alert", "recipient")
    )
    assert len(notifications) == 18
    assert set(notifications.values()) == {1}


@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_the_same_messages_write_each_notification_once(
    organization, agent, manager, queued
):
    tickets = [make_ticket(organization=organization, priority=2, owner=agent) for _ in range(5)]
    make_due_now(tickets, AlertStage.BREACHED)
    sweep()
    ids = in_app_ids()
    for _ in range(3):  # a redelivered task and the original, repeatedly
        results = run_together(lambda: deliver(ids), lambda: deliver(ids))
        OutboxMessage.objects.filter(pk__in=ids).update(status=OutboxStatus.PENDING)
    # Owner and manager per breached ticket; the unique (alert, recipient) backs the claim up.
    assert Notification.objects.filter(kind=AlertStage.BREACHED).count() == 10
    assert sum(result.sent for result in results) <= len(ids)


@pytest.mark.django_db(transaction=True)
def test_customer_update_racing_a_claim_never_deadlocks_and_never_reminds_a_kept_promise(
    organization, agent, queued, monkeypatch
):
    """1. The sweep claims the due-soon alert (its row is locked) and, before writing the
       messages, waits for the update to take the ticket lock.
    2. The update locks the ticket and tries to cancel that alert: it waits for the sweep.
    3. The sweep writes its messages, whose foreign key takes FOR KEY SHARE on the ticket. With
       the ticket locked FOR UPDATE that would wait for the update: a deadlock. Locked FOR NO
       KEY UPDATE, it does not, the sweep commits and the update proceeds.
    Then delivery re-checks the promise: it was kept, so no reminder goes out, and the next
    promise has its own alerts waiting. Repeated, both in this order and at random."""
    claimed, locked = threading.Event(), threading.Event()
    original_managers = sweep_module.managers

    def managers_after_the_update_locked_the_ticket():
        claimed.set()
        locked.wait(timeout=2)
        time.sleep(0.2)  # the update is now waiting on the alert row
        return original_managers()

    for attempt in range(6):
        ticket = make_ticket(organization=organization, priority=2, owner=agent)
        make_due_now([ticket])
        old_alert = PromiseAlert.objects.get(ticket=ticket, stage=AlertStage.DUE_SOON)
        claimed.clear()
        locked.clear()
        ordered = attempt < 3
        monkeypatch.setattr(
            sweep_module,
            "managers",
            managers_after_the_update_locked_the_ticket if ordered else original_managers,
        )

        def post_update(ticket=ticket, ordered=ordered):
            if ordered:
                claimed.wait(timeout=5)
                threading.Timer(0.05, locked.set).start()
            update_services.post_public_update(
                ticket, author=agent, body="We have replaced the toner; printing again."
            )

        run_together(sweep, post_update)

        old_alert.refresh_from_db()
        assert old_alert.promise.outcome == PromiseOutcome.KEPT
        assert old_alert.status in {AlertStatus.FIRED, AlertStatus.CANCELLED}
        assert (
            PromiseAlert.objects.filter(
                ticket=ticket, promise__outcome=PromiseOutcome.PENDING, status=AlertStatus.PENDING
            ).count()
            == 3
        )
        deliver(in_app_ids())
        assert not Notification.objects.filter(alert=old_alert).exists()


@pytest.mark.django_db
def test_delivery_crashing_after_its_claim_rolls_back_and_delivers_once_later(
    organization, agent, queued, monkeypatch
):
    """In-app delivery claims and writes in one transaction: a worker that dies in between
    (here, an error from the notification insert) leaves the message pending, not lost."""
    ticket = make_ticket(organization=organization, priority=2, owner=agent)
    make_due_now([ticket])
    sweep()
    ids = in_app_ids()
    real_bulk_create = Notification.objects.bulk_create

    def crash(*args, **kwargs):
        raise ConnectionError("worker lost")

    monkeypatch.setattr(Notification.objects, "bulk_create", crash)
    with pytest.raises(ConnectionError):
        deliver(ids)
    assert set(OutboxMessage.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
        OutboxStatus.PENDING
    }
    monkeypatch.setattr(Notification.objects, "bulk_create", real_bulk_create)
    assert deliver(ids).sent == 1
    assert deliver(ids).sent == 0
    assert Notification.objects.filter(ticket=ticket, recipient=agent).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_repairing_the_same_orphan_promises_write_their_alerts_once(
    organization, agent, manager, queued
):
    """Two first sweeps at once (two beats on a fresh database) both reconcile in full, so both
    may find the same orphans and both create the heartbeat row. The unique (promise, stage)
    constraint keeps one alert per stage, SKIP LOCKED fires each once, and the heartbeat's
    upsert leaves one row."""
    from updates.models import Promise, SweepHeartbeat

    tickets = [make_ticket(organization=organization, priority=2, owner=agent) for _ in range(6)]
    overdue = timezone.now() - timedelta(minutes=5)
    Promise.objects.filter(ticket__in=tickets).update(
        made_at=overdue - timedelta(hours=1), due_at=overdue
    )
    PromiseAlert.objects.filter(ticket__in=tickets).delete()

    results = run_together(sweep, sweep)

    assert 6 <= sum(result.reconciled for result in results) <= 12
    assert Counter(PromiseAlert.objects.values_list("promise", "stage")).most_common(1)[0][1] == 1
    breached = PromiseAlert.objects.filter(stage=AlertStage.BREACHED, status=AlertStatus.FIRED)
    assert breached.count() == 6
    per_alert = Counter(
        OutboxMessage.objects.filter(alert__in=breached).values_list(
            "alert", "recipient", "channel"
        )
    )
    assert set(per_alert.values()) == {1}
    assert len(per_alert) == 6 * 2 * 2  # owner and manager, in-app and email
    assert SweepHeartbeat.objects.count() == 1
