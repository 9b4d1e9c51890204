"""Chase reminders: when an escalation's chase time passes, the ticket owner is reminded once,
whatever the sweep does (two beats, retries, a crash mid-claim)."""

import threading
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.db import connection, connections

from tests.factories import AgentFactory, TicketFactory
from tests.vendors.factories import VendorFactory
from updates.keeper.delivery import deliver
from updates.models import Notification, NotificationKind, OutboxMessage
from vendors import services, signals, tasks
from vendors.models import EscalationStatus, VendorChase, VendorEscalation

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CHASE = T0 + timedelta(hours=2)


@pytest.fixture
def escalation(db, agent, organization):
    with time_machine.travel(T0, tick=False):
        ticket = TicketFactory(organization=organization, owner=agent)
        return services.open_escalation(
            ticket=ticket,
            vendor=VendorFactory(name="Dell"),
            by=agent,
            summary="Disk replacement",
            vendor_reference="SR-77",
            next_chase_at=CHASE,
        )


def deliver_pending() -> None:
    """What the outbox's delivery task does once the claim has committed."""
    deliver(list(OutboxMessage.objects.filter(status="pending").values_list("pk", flat=True)))


def sweep(minutes_after_chase: int):
    with time_machine.travel(CHASE + timedelta(minutes=minutes_after_chase), tick=False):
        chases = services.claim_due_chases()
        deliver_pending()
        return chases


def chase_notifications():
    return Notification.objects.filter(kind=NotificationKind.VENDOR_CHASE)


@pytest.mark.django_db
class TestChaseReminders:
    def test_nothing_before_the_chase_time(self, escalation):
        assert sweep(-1) == []
        assert not chase_notifications().exists()

    def test_owner_is_reminded_at_the_chase_time(self, escalation, agent):
        (chase,) = sweep(0)
        notification = chase_notifications().get()
        assert notification.recipient == agent
        assert notification.ticket == escalation.ticket
        assert "Dell" in notification.message
        assert "SR-77" in notification.message
        assert sorted(chase.outbox_messages().values_list("channel", flat=True)) == [
            "email",
            "in_app",
        ]
        assert chase.due_at == CHASE
        escalation.refresh_from_db()
        assert escalation.next_chase_at is None
        assert escalation.last_chase_due_at == CHASE

    def test_reminder_fires_once(self, escalation):
        assert len(sweep(1)) == 1
        assert sweep(2) == []
        assert sweep(60) == []
        assert chase_notifications().count() == 1

    def test_same_chase_time_set_again_is_not_reminded_twice(self, escalation, agent):
        sweep(1)
        # An agent (or a restored backup) puts the old, already reminded time back.
        VendorEscalation.objects.filter(pk=escalation.pk).update(next_chase_at=CHASE)
        assert sweep(2) == []
        assert chase_notifications().count() == 1
        assert VendorChase.objects.count() == 1

    def test_new_chase_time_reminds_again(self, escalation, agent):
        sweep(1)
        with time_machine.travel(CHASE + timedelta(minutes=5), tick=False):
            services.set_next_chase(escalation, next_chase_at=CHASE + timedelta(hours=1), by=agent)
        assert sweep(30) == []
        assert len(sweep(60)) == 1
        assert chase_notifications().count() == 2

    def test_chase_moved_after_the_sweep_read_it_is_skipped(self, escalation, agent):
        stale = (escalation.pk, CHASE)
        VendorEscalation.objects.filter(pk=escalation.pk).update(
            next_chase_at=CHASE + timedelta(days=1)
        )
        with time_machine.travel(CHASE, tick=False):
            assert services._claim_one(*stale, now=CHASE) is None
        assert not chase_notifications().exists()

    def test_two_sweeps_claiming_the_same_chase_send_one_reminder(self, escalation):
        with time_machine.travel(CHASE, tick=False):
            first = services._claim_one(escalation.pk, CHASE, now=CHASE)
            second = services._claim_one(escalation.pk, CHASE, now=CHASE)
            deliver_pending()
        assert first is not None
        assert second is None
        assert chase_notifications().count() == 1

    def test_crash_mid_claim_rolls_back_and_the_next_sweep_sends(self, escalation):
        with (
            mock.patch.object(services.outbox, "queue_messages", side_effect=RuntimeError("boom")),
            pytest.raises(RuntimeError),
        ):
            sweep(0)
        escalation.refresh_from_db()
        assert escalation.next_chase_at == CHASE
        assert not VendorChase.objects.exists()
        assert not OutboxMessage.objects.filter(kind="vendor_chase").exists()
        assert len(sweep(1)) == 1
        assert chase_notifications().count() == 1

    def test_unowned_ticket_reminds_whoever_escalated(self, organization):
        escalator = AgentFactory()
        with time_machine.travel(T0, tick=False):
            ticket = TicketFactory(organization=organization)
            services.open_escalation(
                ticket=ticket,
                vendor=VendorFactory(name="HP"),
                by=escalator,
                summary="Printer",
                next_chase_at=CHASE,
            )
        sweep(0)
        assert chase_notifications().get().recipient == escalator

    def test_resolved_case_is_never_chased(self, escalation, agent):
        with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
            services.change_escalation_status(
                escalation, status=EscalationStatus.RESOLVED, by=agent
            )
        assert sweep(10) == []

    def test_chase_due_is_announced_for_the_outbox(self, escalation):
        received = []

        def receiver(**kwargs):
            received.append(kwargs)

        signals.chase_due.connect(receiver, dispatch_uid="test-chase-due")
        try:
            sweep(0)
        finally:
            signals.chase_due.disconnect(dispatch_uid="test-chase-due")
        (event,) = received
        assert event["escalation"].pk == escalation.pk
        assert {message.channel for message in event["messages"]} == {"in_app", "email"}
        assert chase_notifications().get().ticket == escalation.ticket

    def test_sweep_reads_due_chases_in_constant_queries(
        self, escalation, agent, django_assert_max_num_queries
    ):
        # One read, then per chase: savepoints, the claim, the load, the chase and its two
        # outbox messages (one existence check, one insert).
        with (
            time_machine.travel(CHASE, tick=False),
            django_assert_max_num_queries(12),
        ):
            services.claim_due_chases()


@pytest.mark.django_db
def test_task_sends_due_chases(escalation):
    with time_machine.travel(CHASE, tick=False):
        assert tasks.send_due_chases() == 1
        assert tasks.send_due_chases() == 0


def test_beat_runs_the_chase_sweep_every_interval():
    entry = settings.CELERY_BEAT_SCHEDULE["vendors-send-due-chases"]
    assert entry["task"] == "vendors.tasks.send_due_chases"
    assert entry["schedule"] == settings.SWEEP_INTERVAL_SECONDS
    assert entry["options"]["expires"] == settings.SWEEP_INTERVAL_SECONDS


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections")
@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_send_each_chase_once():
    agent = AgentFactory()
    vendor = VendorFactory(name="Lenovo")
    with time_machine.travel(T0, tick=False):
        for number in range(8):
            services.open_escalation(
                ticket=TicketFactory(owner=agent),
                vendor=vendor,
                by=agent,
                summary=f"Case {number}",
                next_chase_at=CHASE,
            )
    barrier = threading.Barrier(4)
    errors = []

    def run():
        try:
            barrier.wait()
            services.claim_due_chases(CHASE + timedelta(minutes=1))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert OutboxMessage.objects.filter(kind="vendor_chase").count() == 16
    with time_machine.travel(CHASE + timedelta(minutes=1), tick=False):
        deliver_pending()
    assert chase_notifications().count() == 8
    assert VendorChase.objects.count() == 8
