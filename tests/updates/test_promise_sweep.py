"""The sweep: who is told at each stage, claiming is idempotent, lost work is found again, and
deadlines are judged by the database clock."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from tests.factories import AgentFactory, ManagerFactory
from updates.keeper import sweep as sweep_module
from updates.keeper.sweep import HEARTBEAT_NAME, database_now, sweep
from updates.models import (
    AlertStage,
    AlertStatus,
    OutboxChannel,
    OutboxMessage,
    OutboxStatus,
    PromiseAlert,
    SweepHeartbeat,
)
from updates.promises import pending_promise

from .keeper_support import alert, fired_stages, make_ticket, sweep_at

LONDON = ZoneInfo("Europe/London")
OPENED = datetime(2026, 3, 2, 9, tzinfo=LONDON)  # P2: due soon 09:30, deadline 10:00, still 10:30


def recipients(stage: str) -> set[tuple[str, str]]:
    return set(OutboxMessage.objects.filter(kind=stage).values_list("recipient__email", "channel"))


@pytest.mark.django_db
def test_due_soon_goes_to_the_owner_breach_to_owner_and_managers_still_breached_to_managers(
    organization, agent, manager
):
    second_manager = ManagerFactory(email="sam@msp.test")
    ManagerFactory(email="gone@msp.test", is_active=False)
    AgentFactory(email="bystander@msp.test")
    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=2, owner=agent)
        for minutes in (30, 60, 90):
            sweep_at(traveller, OPENED + timedelta(minutes=minutes))

    both = {OutboxChannel.IN_APP, OutboxChannel.EMAIL}
    owner, managers = {agent.email}, {manager.email, second_manager.email}
    assert recipients(AlertStage.DUE_SOON) == {(e, c) for e in owner for c in both}
    assert recipients(AlertStage.BREACHED) == {(e, c) for e in owner | managers for c in both}
    assert recipients(AlertStage.STILL_BREACHED) == {(e, c) for e in managers for c in both}


@pytest.mark.django_db
def test_unowned_ticket_due_soon_goes_to_the_managers(organization, manager):
    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=2)
        sweep_at(traveller, OPENED + timedelta(minutes=30))
    assert recipients(AlertStage.DUE_SOON) == {
        (manager.email, OutboxChannel.IN_APP),
        (manager.email, OutboxChannel.EMAIL),
    }


@pytest.mark.django_db
def test_a_manager_who_owns_the_ticket_is_told_once_per_channel(organization, manager):
    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=2, owner=manager)
        sweep_at(traveller, OPENED + timedelta(minutes=60))
    assert OutboxMessage.objects.filter(kind=AlertStage.BREACHED).count() == 2


@pytest.mark.django_db
def test_sweeping_again_never_writes_a_message_twice(organization, agent, manager):
    with time_machine.travel(OPENED, tick=False) as traveller:
        ticket = make_ticket(organization=organization, priority=2, owner=agent)
        first = sweep_at(traveller, OPENED + timedelta(minutes=60))
        again = sweep_at(traveller, OPENED + timedelta(minutes=61))
    assert (first.fired, first.skipped) == (1, 1)  # the stale due-soon is skipped
    assert again.fired == 0
    # Owner and manager, in-app and email.
    assert OutboxMessage.objects.filter(ticket=ticket, alert__isnull=False).count() == 4


@pytest.mark.django_db
def test_claims_work_in_batches_until_nothing_is_due(organization, agent, monkeypatch):
    monkeypatch.setattr(sweep_module, "BATCH_SIZE", 2)
    with time_machine.travel(OPENED, tick=False) as traveller:
        for _ in range(5):
            make_ticket(organization=organization, priority=2, owner=agent)
        result = sweep_at(traveller, OPENED + timedelta(minutes=30))
    assert result.fired == 5
    assert not PromiseAlert.objects.filter(
        stage=AlertStage.DUE_SOON, status=AlertStatus.PENDING
    ).exists()


@pytest.mark.django_db
def test_reconciliation_gives_an_overdue_promise_without_alerts_its_breach_alert(
    organization, agent, manager
):
    with time_machine.travel(OPENED, tick=False) as traveller:
        ticket = make_ticket(organization=organization, priority=2, owner=agent)
        # A promise that predates the keeper (or a hand-made row) has no alerts at all.
        PromiseAlert.objects.filter(ticket=ticket).delete()
        result = sweep_at(traveller, OPENED + timedelta(minutes=70))
    assert result.reconciled == 1
    assert fired_stages(ticket) == {AlertStage.BREACHED}
    assert alert(ticket, AlertStage.DUE_SOON).status == AlertStatus.SKIPPED
    assert alert(ticket, AlertStage.STILL_BREACHED).status == AlertStatus.PENDING
    assert recipients(AlertStage.BREACHED) >= {(manager.email, OutboxChannel.EMAIL)}


@pytest.mark.django_db
def test_reconciliation_leaves_promises_that_have_their_alerts_alone(organization, agent):
    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=2, owner=agent)
        result = sweep_at(traveller, OPENED + timedelta(minutes=70))
    assert result.reconciled == 0


@pytest.mark.django_db
def test_deadlines_are_judged_by_the_database_clock(organization, agent):
    ticket = make_ticket(organization=organization, priority=2, owner=agent)
    db_now = database_now()
    assert abs(db_now - timezone.now()) < timedelta(seconds=5)
    promise = pending_promise(ticket)
    promise.alerts.filter(stage=AlertStage.DUE_SOON).update(due_at=db_now - timedelta(seconds=1))
    promise.alerts.filter(stage=AlertStage.BREACHED).update(due_at=db_now + timedelta(minutes=5))

    with time_machine.travel(db_now + timedelta(hours=3), tick=False):
        # The application's clock says three hours later; the database's does not.
        result = sweep()

    assert result.fired == 1
    assert fired_stages(ticket) == {AlertStage.DUE_SOON}


@pytest.mark.django_db
def test_each_sweep_records_a_heartbeat(organization, agent):
    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=2, owner=agent)
        sweep_at(traveller, OPENED + timedelta(minutes=30))
        sweep_at(traveller, OPENED + timedelta(minutes=31))
    heartbeat = SweepHeartbeat.objects.get(name=HEARTBEAT_NAME)
    assert heartbeat.finished_at == OPENED + timedelta(minutes=31)
    assert SweepHeartbeat.objects.count() == 1


@pytest.mark.django_db
def test_fired_messages_are_queued_for_delivery_after_commit(
    organization, agent, django_capture_on_commit_callbacks, monkeypatch
):
    queued: list[list[tuple[int, str]]] = []
    monkeypatch.setattr(
        "updates.keeper.outbox.enqueue_delivery", lambda pairs: queued.append(list(pairs))
    )
    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=2, owner=agent)
        with django_capture_on_commit_callbacks(execute=True):
            sweep_at(traveller, OPENED + timedelta(minutes=30))
    ids = set(OutboxMessage.objects.filter(alert__isnull=False).values_list("pk", "channel"))
    assert ids
    assert ids <= {pair for batch in queued for pair in batch}


@pytest.mark.django_db
def test_messages_whose_task_was_lost_or_whose_worker_died_are_queued_again(
    organization, agent, settings
):
    settings.OUTBOX_REQUEUE_AFTER_SECONDS = 300
    with time_machine.travel(OPENED, tick=False) as traveller:
        make_ticket(organization=organization, priority=2, owner=agent)
        sweep_at(traveller, OPENED + timedelta(minutes=30))
        in_app, email = (
            OutboxMessage.objects.get(kind=AlertStage.DUE_SOON, channel=OutboxChannel.IN_APP),
            OutboxMessage.objects.get(kind=AlertStage.DUE_SOON, channel=OutboxChannel.EMAIL),
        )
        # The customer's acknowledgement was delivered long ago.
        OutboxMessage.objects.filter(alert__isnull=True).update(status=OutboxStatus.SENT)
        # The email's worker died mid-send: its lease runs out at 09:32.
        OutboxMessage.objects.filter(pk=email.pk).update(
            status=OutboxStatus.SENDING, lease_expires_at=OPENED + timedelta(minutes=32)
        )

        # Queued at 09:30; not yet presumed lost at 09:34, and the lease ran out.
        assert sweep_at(traveller, OPENED + timedelta(minutes=34)).requeued == 1
        email.refresh_from_db()
        assert (email.status, email.lease_expires_at) == (OutboxStatus.PENDING, None)

        # Five minutes after queueing, the in-app task is presumed lost (Redis restarted).
        assert sweep_at(traveller, OPENED + timedelta(minutes=35)).requeued == 1
        in_app.refresh_from_db()
        assert in_app.enqueued_at == OPENED + timedelta(minutes=35)
